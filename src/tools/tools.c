/* SPDX-License-Identifier: MIT */
/*
 * tools.c - helpers shared by the hostfish and hostfishd programs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hostfish.h>

#include "tools.h"

int tools_exit_code_of_kind(int kind)
{
	switch (kind) {
	case HF_ERROR_NONE:
		return EXIT_OK;
	case HF_ERROR_USAGE:
		return EXIT_USAGE;
	case HF_ERROR_HTTP_CLIENT:
		return EXIT_HTTP_4XX;
	case HF_ERROR_HTTP_SERVER:
		return EXIT_HTTP_5XX;
	case HF_ERROR_AUTH:
		return EXIT_AUTH;
	case HF_ERROR_TIMEOUT:
		return EXIT_TIMEOUT;
	default:
		return EXIT_TRANSPORT;
	}
}

bool tools_parse_long(const char *s, long min, long max, long *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*ret = v;
	return true;
}

int tools_parse_auth(const char *name)
{
	static const struct {
		const char *name;
		int auth;
	} modes[] = {
		{ "session", HF_AUTH_SESSION },
		{ "basic", HF_AUTH_BASIC },
		{ "cert", HF_AUTH_CERT },
		{ "none", HF_AUTH_NONE },
	};
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(name, modes[i].name) == 0)
			return modes[i].auth;
	return -1;
}

void tools_wipe_free(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

char *tools_read_secret_file(const char *path, bool *others_can_read, char *err, size_t errlen)
{
	char buf[4096];
	struct stat st;
	ssize_t n;
	char *s;
	int fd;

	if (others_can_read)
		*others_can_read = false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (others_can_read && fstat(fd, &st) == 0 && (st.st_mode & 0044))
		*others_can_read = true;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	close(fd);
	buf[n] = '\0';
	s = strndup(buf, strcspn(buf, "\r\n"));
	explicit_bzero(buf, sizeof(buf));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!*s) {
		snprintf(err, errlen, "%s is empty", path);
		free(s);
		return NULL;
	}
	return s;
}

int tools_open_log_file(const char *path, char *err, size_t errlen)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a reader; O_NOFOLLOW: no symlink */
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK |
				    O_NOCTTY,
		      0600);
	struct stat st;

	if (fd < 0) {
		/* ELOOP: O_NOFOLLOW met a link; ENXIO: a FIFO without a reader (O_NONBLOCK) or a
		 * device that is not there */
		snprintf(err, errlen, "cannot open the log file %s: %s", path,
			 errno == ELOOP	  ? "it is a symbolic link"
			 : errno == ENXIO ? "it is not a regular file"
					  : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "cannot examine the log file %s: %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "the log file %s is not a regular file", path);
	} else if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "the log file %s belongs to uid %u, not to this user", path,
			 (unsigned)st.st_uid);
	} else if ((st.st_mode & 0077) && fchmod(fd, 0600) < 0) {
		/* an existing file keeps its mode: tighten it, the log holds request details */
		snprintf(err, errlen, "cannot make %s private: %s", path, strerror(errno));
	} else if (fcntl(fd, F_SETFL, O_APPEND) < 0) { /* blocking writes from now on */
		snprintf(err, errlen, "cannot set up the log file %s: %s", path, strerror(errno));
	} else {
		return fd;
	}
	close(fd);
	return -1;
}
