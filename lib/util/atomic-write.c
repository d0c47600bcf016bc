/* SPDX-License-Identifier: MIT */
/*
 * atomic-write.c - replace a file atomically (see atomic-write.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "atomic-write.h"

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif

int hf_on_tmpfs(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && sf.f_type == TMPFS_MAGIC;
}

int hf_read_private(const char *path, size_t max, char **ret, size_t *len)
{
	struct stat st;
	char *data = NULL;
	size_t done = 0, cap;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	/* ours alone: a file someone else could have written is not believed */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 0022)) {
		r = -EPERM;
		goto out;
	}
	if ((size_t)st.st_size > max) {
		r = -EFBIG;
		goto out;
	}
	cap = (size_t)st.st_size;
	data = malloc(cap + 1);
	if (!data) {
		r = -ENOMEM;
		goto out;
	}
	while (done < cap) {
		ssize_t n = read(fd, data + done, cap - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
out:
	close(fd);
	if (r < 0) {
		free(data);
		return r;
	}
	data[done] = '\0';
	*ret = data;
	*len = done;
	return 0;
}

int hf_write_atomic(const char *path, const void *data, size_t len)
{
	return hf_write_atomic_flags(path, data, len, 0);
}

int hf_write_atomic_flags(const char *path, const void *data, size_t len, unsigned flags)
{
	char tmp[PATH_MAX], dir[PATH_MAX], base[PATH_MAX];
	const char *p = data;
	size_t done = 0;
	int fd, r = 0;

	if ((size_t)snprintf(dir, sizeof(dir), "%s", path) >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(base, dir, sizeof(base));
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dirname(dir), basename(base)) >=
	    sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC); /* O_EXCL, mode 0600 whatever the umask */
	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -ENOSPC;
			break;
		}
		done += (size_t)n;
	}
	if (r == 0 && !(flags & HF_WRITE_NO_FSYNC) && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}
