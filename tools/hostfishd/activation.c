/* SPDX-License-Identifier: MIT */
/*
 * activation.c - socket activation: the listening socket handed over by systemd
 * (hostfishd.socket), following the protocol of sd_listen_fds(3), done by hand because
 * libsystemd is not a dependency of hostfish.
 *
 * The protocol: the passed descriptors are 3 .. 3 + $LISTEN_FDS - 1; they are meant for this
 * process only when $LISTEN_PID is its pid (otherwise the variables were inherited from a
 * parent that was activated, and are ignored); $LISTEN_FDNAMES, when set, names them
 * (FileDescriptorName=, colon-separated).  The variables are removed from the environment in
 * every case, as sd_listen_fds(1) does, and every passed descriptor gets FD_CLOEXEC.
 *
 * The agent needs exactly one socket: with one descriptor it is that one; with several, the
 * one named "hostfishd" (the rest are closed).  It must be an AF_UNIX SOCK_STREAM socket in
 * the listening state; anything else is refused at start, since serving it would fail later
 * in obscure ways.  The socket file belongs to systemd: the agent neither unlinks, chmods nor
 * chowns it (see authz_grant_ro_group() for the one thing it adds).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent.h"

#define LISTEN_FDS_START 3 /* SD_LISTEN_FDS_START */
#define LISTEN_FDS_MAX 16 /* more descriptors than this is a misconfiguration: refused */
#define ACTIVATION_FD_NAME "hostfishd"

/* A decimal number in 1..max, nothing else (no sign, no spaces); -1 otherwise. */
static long parse_count(const char *s, long max)
{
	long v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	return v;
}

/* Names of the descriptors: names[i] for fd 3 + i, or all NULL when LISTEN_FDNAMES is absent
 * or does not name exactly n descriptors.  buf holds the names. */
static void split_names(const char *env, int n, char *buf, size_t buflen, const char **names)
{
	char *p;
	int i = 0;

	memset(names, 0, sizeof(*names) * (size_t)n);
	if (!env)
		return;
	if (strlen(env) >= buflen) {
		agent_log(ALOG_WARN, "LISTEN_FDNAMES is too long: ignoring the names");
		return;
	}
	strcpy(buf, env);
	for (p = buf; i < n; i++) {
		char *colon = strchr(p, ':');

		names[i] = p;
		if (!colon)
			break;
		*colon = '\0';
		p = colon + 1;
	}
	if (i != n - 1 || strchr(p, ':')) {
		agent_log(ALOG_WARN, "LISTEN_FDNAMES names %s descriptors than LISTEN_FDS=%d: "
				     "ignoring the names",
			  i < n - 1 ? "fewer" : "more", n);
		memset(names, 0, sizeof(*names) * (size_t)n);
	}
}

static int sockopt_int(int fd, int opt, int *v)
{
	socklen_t len = sizeof(*v);

	return getsockopt(fd, SOL_SOCKET, opt, v, &len) < 0 ? -errno : 0;
}

/* An AF_UNIX SOCK_STREAM socket that listens, like sd_is_socket_unix(fd, SOCK_STREAM, 1, ...);
 * its path goes to path ("@name" for an abstract one). */
static int check_socket(int fd, char *path, size_t pathlen)
{
	struct sockaddr_un sa;
	socklen_t salen = sizeof(sa);
	struct stat st;
	int domain, type, listening, r;
	size_t n;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISSOCK(st.st_mode)) {
		agent_log(ALOG_ERR, "socket activation: descriptor %d is not a socket", fd);
		return -ENOTSOCK;
	}
	r = sockopt_int(fd, SO_DOMAIN, &domain);
	if (r == 0)
		r = sockopt_int(fd, SO_TYPE, &type);
	if (r == 0)
		r = sockopt_int(fd, SO_ACCEPTCONN, &listening);
	if (r < 0) {
		agent_log(ALOG_ERR, "socket activation: descriptor %d: %s", fd, strerror(-r));
		return r;
	}
	if (domain != AF_UNIX || type != SOCK_STREAM) {
		agent_log(ALOG_ERR, "socket activation: descriptor %d is not a Unix stream socket "
				    "(ListenStream= with a path is needed)", fd);
		return -EPROTOTYPE;
	}
	if (!listening) {
		agent_log(ALOG_ERR, "socket activation: descriptor %d does not listen "
				    "(Accept=no is needed)", fd);
		return -EINVAL;
	}
	memset(&sa, 0, sizeof(sa));
	if (getsockname(fd, (struct sockaddr *)&sa, &salen) < 0)
		return -errno;
	n = salen > offsetof(struct sockaddr_un, sun_path) ?
		    salen - offsetof(struct sockaddr_un, sun_path) : 0;
	if (n > sizeof(sa.sun_path))
		n = sizeof(sa.sun_path);
	if (n && sa.sun_path[0] == '\0') {
		/* abstract: "@" and the name up to its first NUL (for the log only) */
		snprintf(path, pathlen, "@%.*s", (int)strnlen(sa.sun_path + 1, n - 1),
			 sa.sun_path + 1);
	} else {
		snprintf(path, pathlen, "%.*s", (int)strnlen(sa.sun_path, n), sa.sun_path);
	}
	if (!path[0])
		snprintf(path, pathlen, "(unnamed socket)");
	return 0;
}

int activation_listen_fd(int *ret_fd, char *path, size_t pathlen)
{
	const char *pid_env = secure_getenv("LISTEN_PID");
	const char *fds_env = secure_getenv("LISTEN_FDS");
	const char *names_env = secure_getenv("LISTEN_FDNAMES");
	const char *names[LISTEN_FDS_MAX];
	char namebuf[1024];
	long pid, n;
	int i, fd = -1, fl, r;

	if (!pid_env && !fds_env) {
		r = 0;
		goto out;
	}
	pid = parse_count(pid_env, INT_MAX);
	if (pid != (long)getpid()) {
		/* inherited from an activated parent, or set by hand: not for us */
		agent_log(ALOG_NOTICE, "LISTEN_PID=%s is not this process (%ld): not socket-"
				       "activated",
			  pid_env ? pid_env : "(unset)", (long)getpid());
		r = 0;
		goto out;
	}
	if (fds_env && strcmp(fds_env, "0") == 0) {
		r = 0;
		goto out;
	}
	n = parse_count(fds_env, LISTEN_FDS_MAX);
	if (n < 1) {
		agent_log(ALOG_ERR, "socket activation: LISTEN_FDS=%s is not a number of "
				    "descriptors between 1 and %d",
			  fds_env ? fds_env : "(unset)", LISTEN_FDS_MAX);
		r = -EINVAL;
		goto out;
	}
	for (i = 0; i < n; i++) {
		int flags = fcntl(LISTEN_FDS_START + i, F_GETFD);

		if (flags < 0 || fcntl(LISTEN_FDS_START + i, F_SETFD, flags | FD_CLOEXEC) < 0) {
			r = -errno;
			agent_log(ALOG_ERR, "socket activation: descriptor %d: %s",
				  LISTEN_FDS_START + i, strerror(-r));
			goto out;
		}
	}
	split_names(names_env, (int)n, namebuf, sizeof(namebuf), names);
	if (n == 1) {
		fd = LISTEN_FDS_START;
	} else {
		for (i = 0; i < n; i++)
			if (names[i] && strcmp(names[i], ACTIVATION_FD_NAME) == 0)
				fd = LISTEN_FDS_START + i;
		if (fd < 0) {
			agent_log(ALOG_ERR, "socket activation: %ld sockets and none named \"%s\" "
					    "(FileDescriptorName=%s in the socket unit)",
				  n, ACTIVATION_FD_NAME, ACTIVATION_FD_NAME);
			r = -EINVAL;
			goto out;
		}
		for (i = 0; i < n; i++) {
			if (LISTEN_FDS_START + i == fd)
				continue;
			agent_log(ALOG_WARN, "socket activation: closing descriptor %d (%s): only "
					     "\"%s\" is served",
				  LISTEN_FDS_START + i, names[i] ? names[i] : "unnamed",
				  ACTIVATION_FD_NAME);
			close(LISTEN_FDS_START + i);
		}
	}
	r = check_socket(fd, path, pathlen);
	if (r < 0)
		goto out;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		r = -errno;
		agent_log(ALOG_ERR, "socket activation: descriptor %d: %s", fd, strerror(-r));
		goto out;
	}
	*ret_fd = fd;
	r = 1;
out:
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return r;
}
