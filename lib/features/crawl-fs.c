/* SPDX-License-Identifier: MIT */
/*
 * crawl-fs.c - the output tree of a crawl.  Names come from the BMC (checked by
 * hf_crawl_path_unsafe()), and the directory may hold what others planted there: every
 * directory is opened from its parent's descriptor with O_NOFOLLOW, so a symbolic link in the
 * way is an error, never a detour; files are created under a temporary name with O_EXCL and
 * renamed into place, which replaces a planted link itself, never its target.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crawl-private.h"
#include "hostfish-private.h"

/* mkdir -p with mode 0700 for what it creates; *created tells whether dir itself was made. */
static int make_dirs(const char *dir, bool *created)
{
	_cleanup_free_ char *p = strdup(dir);
	char *s;

	if (!p)
		return -ENOMEM;
	*created = false;
	if (mkdir(p, 0700) == 0) {
		/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): _cleanup_free_, not modelled */
		*created = true;
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -errno;
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, 0700) < 0)
		return errno == EEXIST ? 0 : -errno;
	*created = true;
	return 0;
}

/* 1 empty, 0 not, negative errno. */
static int dir_is_empty(int dirfd)
{
	struct dirent *de;
	int fd = dup(dirfd), r = 1;
	DIR *d;

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			r = 0;
			break;
		}
	closedir(d);
	return r;
}

int hf_crawl_outdir_open(const char *outdir, bool force, int *ret_fd, const char **what)
{
	bool created;
	int fd, r;

	r = make_dirs(outdir, &created);
	if (r < 0) {
		*what = "cannot create";
		return r;
	}
	fd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		*what = "cannot open";
		return -errno;
	}
	if (!created && !force) {
		r = dir_is_empty(fd);
		if (r <= 0) {
			*what = r < 0 ? "cannot read" : "not empty";
			close(fd);
			return r < 0 ? r : -EEXIST;
		}
	}
	*ret_fd = fd;
	return 0;
}

bool hf_crawl_write_error_is_local(int e)
{
	return e == ELOOP || e == ENOTDIR || e == EEXIST || e == EISDIR || e == ENAMETOOLONG ||
	       e == ENOTEMPTY || e == EMLINK;
}

int hf_crawl_write(int dirfd, bool force, unsigned long seq, const char *key, size_t keylen,
		   const char *name, const void *body, size_t len, const char **what)
{
	char seg[HF_CRAWL_MAX_SEGMENT + 1], tmp[64];
	const char *s = key + 1, *end = key + keylen;
	int dfd = dirfd, fd, r = 0;
	size_t off = 0;

	while (s < end) {
		const char *slash = memchr(s, '/', (size_t)(end - s));
		size_t n = slash ? (size_t)(slash - s) : (size_t)(end - s);
		int nfd;

		if (n == 0 || n > HF_CRAWL_MAX_SEGMENT) {
			r = -EINVAL; /* not a checked key */
			*what = "invalid path";
			goto out;
		}
		memcpy(seg, s, n);
		seg[n] = '\0';
		if (mkdirat(dfd, seg, 0755) < 0 && errno != EEXIST) {
			r = -errno;
			*what = "cannot create a directory";
			goto out;
		}
		/* a symbolic link (or a file) in the way is an error, never followed */
		nfd = openat(dfd, seg, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0) {
			r = -errno;
			*what = "cannot open a directory (a symbolic link or a file is in the way)";
			goto out;
		}
		if (dfd != dirfd)
			close(dfd);
		dfd = nfd;
		s += n + 1;
	}

	snprintf(tmp, sizeof(tmp), ".%s.%lu.tmp", name, seq);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		r = -errno;
		*what = "cannot create a file";
		goto out;
	}
	while (off < len) {
		ssize_t w = write(fd, (const char *)body + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			r = -errno;
			break;
		}
		off += (size_t)w;
	}
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0) {
		/* without force nothing is replaced: renameat2(RENAME_NOREPLACE), and where the
		 * file system lacks it, a link (which fails on an existing name too) */
		if (force) {
			if (renameat(dfd, tmp, dfd, name) < 0)
				r = -errno;
		} else if (renameat2(dfd, tmp, dfd, name, RENAME_NOREPLACE) < 0) {
			r = -errno;
			if (r == -EINVAL || r == -ENOSYS) {
				r = linkat(dfd, tmp, dfd, name, 0) < 0 ? -errno : 0;
				if (r == 0)
					unlinkat(dfd, tmp, 0);
			}
		}
	}
	if (r < 0) {
		*what = "cannot write a file";
		unlinkat(dfd, tmp, 0);
	}
out:
	if (dfd != dirfd)
		close(dfd);
	return r;
}
