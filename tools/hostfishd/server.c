/* SPDX-License-Identifier: MIT */
/*
 * server.c - the Unix socket, the acceptor and the connection threads.
 *
 * The main thread polls the listening socket and a signalfd.  Each accepted connection gets a
 * detached thread (small stack) that serves its requests one after the other (keep-alive)
 * until the client closes, stays idle for --client-timeout, breaks a rule, or the agent stops.
 * At most --max-clients connections are open: one more is accepted, told 503 at once without
 * a thread, and closed after a short linger (so that the client reads the answer instead of a
 * reset), which the acceptor does in its own poll loop for a bounded number of sockets.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent.h"

#define THREAD_STACK_SIZE ((size_t)512 << 10)
#define LINGER_MAX 32 /* rejected sockets waiting to be closed by the acceptor */
#define LINGER_MS 1000
#define LINGER_AFTER_ERROR_MS 5000 /* at most, after an answer to an unread request */
#define ACCEPT_BATCH 64

static dev_t socket_dev;
static ino_t socket_ino;

static const char busy_body[] =
	"{\"error\":{\"code\":\"Base.1.8.GeneralError\",\"message\":\"hostfishd has too many "
	"client connections\",\"@Message.ExtendedInfo\":[{\"MessageId\":"
	"\"Base.1.8.ServiceTemporarilyUnavailable\"}]}}";

int server_listen(struct agent *a)
{
	const char *path = a->cfg.socket_path;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old_umask;
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		agent_log(ALOG_ERR, "socket path too long (at most %zu bytes): %s",
			  sizeof(sa.sun_path) - 1, path);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);

	if (lstat(path, &st) == 0) {
		int probe;

		if (!S_ISSOCK(st.st_mode)) {
			agent_log(ALOG_ERR, "%s exists and is not a socket", path);
			return -EEXIST;
		}
		/* a socket nobody listens on is left over from an agent that died */
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe < 0)
			return -errno;
		r = connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0 ? 0 : -errno;
		close(probe);
		if (r == 0) {
			agent_log(ALOG_ERR, "another agent is listening on %s", path);
			return -EADDRINUSE;
		}
		if (r != -ECONNREFUSED) {
			agent_log(ALOG_ERR, "cannot check the existing socket %s: %s", path,
				  strerror(-r));
			return r;
		}
		agent_log(ALOG_NOTICE, "removing the stale socket %s", path);
		if (unlink(path) < 0 && errno != ENOENT) {
			r = -errno;
			agent_log(ALOG_ERR, "cannot remove %s: %s", path, strerror(-r));
			return r;
		}
	}

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	old_umask = umask(0117); /* the socket is born 0660: nobody else ever sees it open */
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -errno : 0;
	umask(old_umask);
	if (r < 0) {
		agent_log(ALOG_ERR, "cannot bind %s: %s", path, strerror(-r));
		close(fd);
		return r;
	}
	if (lstat(path, &st) == 0) {
		socket_dev = st.st_dev;
		socket_ino = st.st_ino;
	}
	authz_secure_socket(a, path);
	if (listen(fd, 128) < 0) {
		r = -errno;
		agent_log(ALOG_ERR, "cannot listen on %s: %s", path, strerror(-r));
		unlink(path);
		close(fd);
		return r;
	}
	a->listen_fd = fd;
	return 0;
}

/* Remove the socket, unless another agent has put its own there meanwhile, or it is
 * systemd's (socket activation: it keeps listening, and starts the next agent). */
void server_unlink(struct agent *a)
{
	struct stat st;

	if (a->activated)
		return;
	if (lstat(a->cfg.socket_path, &st) == 0 && st.st_dev == socket_dev &&
	    st.st_ino == socket_ino && unlink(a->cfg.socket_path) < 0)
		agent_log(ALOG_WARN, "cannot remove %s: %s", a->cfg.socket_path, strerror(errno));
}

static bool method_known(const char *m)
{
	static const char *const methods[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE" };
	size_t i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(m, methods[i]) == 0)
			return true;
	return false;
}

/* Answers made without the body: read and drop it, or close when it was never asked for. */
static void drop_body(struct conn *c, struct http_request *req)
{
	if (!req->content_length)
		return;
	if (req->expect_continue ||
	    http_discard_body(c, req, now_ms() + c->agent->cfg.client_timeout_ms) != 0)
		c->close = true;
}

static void handle_request(struct conn *c, struct http_request *req)
{
	struct agent *a = c->agent;
	bool read_only = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
	size_t plen;

	/* absolute-form (RFC 9112 3.2.2): the authority is this agent, whatever it says */
	if (strncasecmp(req->target, "http://", 7) == 0) {
		const char *path = strchr(req->target + 7, '/');

		req->target = path ? path : "/";
	}
	plen = strcspn(req->target, "?");

	c->head = strcmp(req->method, "HEAD") == 0;
	c->close = !req->keep_alive || __atomic_load_n(&a->stopping, __ATOMIC_RELAXED);
	c->http10_keep_alive = req->minor == 0 && req->keep_alive;

	if (req->chunked) {
		c->close = true;
		http_send_error(c, 411, "GeneralError", NULL, false,
				"request bodies need Content-Length (Transfer-Encoding is not "
				"supported)");
		return;
	}
	if (req->bad_expect) {
		c->close = true;
		http_send_error(c, 417, "GeneralError", NULL, false,
				"only \"Expect: 100-continue\" is supported");
		return;
	}
	if (req->content_length > a->cfg.max_body && !upload_candidate(req)) {
		c->close = true;
		http_send_error(c, 413, "GeneralError", NULL, false,
				"the request body (%zu bytes) is larger than %zu bytes",
				req->content_length, a->cfg.max_body);
		return;
	}
	if (c->role == ROLE_NONE) {
		drop_body(c, req);
		http_send_error(c, 403, "InsufficientPrivilege", NULL, false,
				"uid %u may not use hostfishd: it is neither root nor in group %s "
				"(or %s for read-only access)",
				(unsigned)c->uid, a->cfg.group, a->cfg.ro_group);
		return;
	}
	if (!method_known(req->method)) {
		drop_body(c, req);
		http_send_error(c, 501, "GeneralError", NULL, false,
				"method %.32s is not supported", req->method);
		return;
	}
	if (c->metrics_only && !(plen == strlen(METRICS_PATH) &&
				 strncmp(req->target, METRICS_PATH, plen) == 0)) {
		drop_body(c, req);
		http_send_error(c, 404, "ResourceMissingAtURI", NULL, false,
				"hostfishd serves only %s on TCP", METRICS_PATH);
		return;
	}
	if (plen == strlen(METRICS_PATH) && strncmp(req->target, METRICS_PATH, plen) == 0) {
		drop_body(c, req);
		if (!read_only)
			http_send_error(c, 405, "GeneralError", "Allow: GET, HEAD\r\n", false,
					"%s is read-only", METRICS_PATH);
		else
			metrics_respond(c, req);
		return;
	}
	if (plen == strlen(STATUS_PATH) && strncmp(req->target, STATUS_PATH, plen) == 0) {
		drop_body(c, req);
		if (!read_only)
			http_send_error(c, 405, "GeneralError", "Allow: GET, HEAD\r\n", false,
					"%s is read-only", STATUS_PATH);
		else
			status_respond(c, req);
		return;
	}
	if (upload_candidate(req)) {
		/* a firmware upload: streamed, not read whole (upload.c) */
		if (c->role != ROLE_RW) {
			drop_body(c, req);
			http_send_error(c, 403, "InsufficientPrivilege", NULL, false,
					"uid %u has read-only access (group %s): uploads are not "
					"allowed",
					(unsigned)c->uid, a->cfg.ro_group);
			return;
		}
		upload_relay(c, req);
		return;
	}
	if (!forward_path_ok(req->target)) {
		drop_body(c, req);
		if (strncmp(req->target, "/redfish", 8) == 0 &&
		    (plen == 8 || req->target[8] == '/'))
			http_send_error(c, 400, "GeneralError", NULL, false,
					"invalid path: no dot segments, encoded dots, slashes or "
					"backslashes");
		else
			http_send_error(c, 404, "ResourceMissingAtURI", NULL, false,
					"hostfishd serves only /redfish/ and %s", STATUS_PATH);
		return;
	}
	if (c->role == ROLE_RO && !read_only) {
		drop_body(c, req);
		http_send_error(c, 403, "InsufficientPrivilege", NULL, false,
				"uid %u has read-only access (group %s): %s is not allowed",
				(unsigned)c->uid, a->cfg.ro_group, req->method);
		return;
	}
	forward_request(c, req);
}

static const char *head_error(int status)
{
	switch (status) {
	case 414:
		return "the request line is longer than 8192 bytes";
	case 431:
		return "the header section is larger than 32768 bytes or has more than 100 fields";
	case 408:
		return "the request did not arrive in time";
	case 505:
		return "only HTTP/1.0 and HTTP/1.1 are supported";
	default:
		return "malformed request";
	}
}

static void client_gone(struct agent *a)
{
	pthread_mutex_lock(&a->clients_lock);
	a->clients--;
	pthread_cond_broadcast(&a->clients_cond);
	pthread_mutex_unlock(&a->clients_lock);
}

static int per_uid_max(const struct agent *a)
{
	return a->cfg.max_clients / 4 > 0 ? a->cfg.max_clients / 4 : 1;
}

static int unprivileged_max(const struct agent *a)
{
	int reserved = a->cfg.max_clients / 8 > 0 ? a->cfg.max_clients / 8 : 1;

	return a->cfg.max_clients > reserved ? a->cfg.max_clients - reserved : 1;
}

/* Count a connection of a user without full access; false when over a limit (why set). */
static bool unprivileged_enter(struct agent *a, uid_t uid, const char **why)
{
	struct uid_count *free_slot = NULL, *mine = NULL;
	bool ok = false;
	int i;

	pthread_mutex_lock(&a->clients_lock);
	for (i = 0; a->per_uid && i < a->cfg.max_clients; i++) {
		if (a->per_uid[i].n > 0 && a->per_uid[i].uid == uid)
			mine = &a->per_uid[i];
		else if (a->per_uid[i].n == 0 && !free_slot)
			free_slot = &a->per_uid[i];
	}
	if (!mine && free_slot) {
		mine = free_slot;
		mine->uid = uid;
	}
	if (!mine)
		*why = "no memory for the connection table";
	else if (mine->n >= per_uid_max(a))
		*why = "this user has too many connections open";
	else if (a->unprivileged >= unprivileged_max(a))
		*why = "the connections left are kept for full access";
	else
		ok = true;
	if (ok) {
		mine->n++;
		a->unprivileged++;
	}
	pthread_mutex_unlock(&a->clients_lock);
	return ok;
}

static void unprivileged_leave(struct agent *a, uid_t uid)
{
	int i;

	pthread_mutex_lock(&a->clients_lock);
	for (i = 0; a->per_uid && i < a->cfg.max_clients; i++)
		if (a->per_uid[i].n > 0 && a->per_uid[i].uid == uid) {
			a->per_uid[i].n--;
			a->unprivileged--;
			break;
		}
	pthread_mutex_unlock(&a->clients_lock);
}

static void *conn_thread(void *arg)
{
	struct conn *c = arg;
	struct agent *a = c->agent;
	struct http_request req;
	const char *why = "";
	bool limited = false;
	int r;

	/* TCP (--metrics-listen) has no peer credentials: /metrics only, as one limited user */
	r = c->metrics_only ? ROLE_RO : authz_peer_role(a, c->fd, &c->uid, &c->pid);
	if (c->metrics_only)
		c->uid = METRICS_TCP_UID;
	if (r < 0) {
		agent_log(ALOG_WARN, "cannot identify a client: %s", strerror(-r));
		goto out;
	}
	c->role = r;
	agent_log(ALOG_DEBUG, "connection from uid %u pid %d: %s access", (unsigned)c->uid,
		  (int)c->pid, role_name(c->role));
	limited = c->role != ROLE_RW && c->uid != 0 && c->uid != a->self_uid;
	if (limited && !unprivileged_enter(a, c->uid, &why)) {
		COUNT(a, requests);
		COUNT(a, rejected);
		agent_log(ALOG_INFO, "uid %u pid %d: connection refused: %s", (unsigned)c->uid,
			  (int)c->pid, why);
		c->close = true;
		http_send_error(c, 503, "ServiceTemporarilyUnavailable", "Retry-After: 1\r\n", false,
				"hostfishd: %s", why);
		http_linger(c->fd, LINGER_AFTER_ERROR_MS);
		limited = false; /* not counted */
		goto out;
	}
	for (;;) {
		r = http_read_head(c, &req);
		if (r == HTTP_CLOSED)
			break;
		COUNT(a, requests);
		if (r > 0) {
			/* the head broke a rule: answer, and close since framing is lost */
			c->close = true;
			c->head = false;
			http_send_error(c, r, "GeneralError", NULL, false, "%s", head_error(r));
			http_linger(c->fd, LINGER_AFTER_ERROR_MS);
			break;
		}
		handle_request(c, &req);
		http_request_done(c, &req);
		if (c->close) {
			if (c->len || req.content_length)
				http_linger(c->fd, LINGER_AFTER_ERROR_MS);
			break;
		}
	}
out:
	if (limited)
		unprivileged_leave(a, c->uid);
	http_conn_wipe(c); /* pipelined or unread bytes: maybe a body with a password */
	close(c->fd);
	free(c);
	client_gone(a);
	return NULL;
}

struct lingering {
	int fd;
	int64_t deadline;
};

static void reject_busy(struct lingering *l, size_t *n, int fd)
{
	char answer[512 + sizeof(busy_body)];
	int len;

	len = snprintf(answer, sizeof(answer),
		       "HTTP/1.1 503 Service Unavailable\r\n"
		       "Content-Type: application/json; charset=utf-8\r\n"
		       "Retry-After: 1\r\n"
		       "Connection: close\r\n"
		       "Content-Length: %zu\r\n"
		       "\r\n%s",
		       sizeof(busy_body) - 1, busy_body);
	if (len > 0 && (size_t)len < sizeof(answer))
		(void)!send(fd, answer, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
	if (*n == LINGER_MAX) {
		close(fd);
		return;
	}
	l[*n].fd = fd;
	l[*n].deadline = now_ms() + LINGER_MS;
	(*n)++;
}

/* Close the lingering sockets whose client closed, failed, or took too long. */
static void linger_step(struct lingering *l, size_t *n, const struct pollfd *p)
{
	int64_t now = now_ms();
	size_t i, kept = 0;

	for (i = 0; i < *n; i++) {
		bool done = now >= l[i].deadline;

		if (!done && p && (p[i].revents & (POLLIN | POLLHUP | POLLERR))) {
			char scratch[4096];
			ssize_t r = recv(l[i].fd, scratch, sizeof(scratch), MSG_DONTWAIT);

			explicit_bzero(scratch, sizeof(scratch));
			done = r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR);
		}
		if (done)
			close(l[i].fd);
		else
			l[kept++] = l[i];
	}
	*n = kept;
}

static void accept_batch(struct agent *a, int listen_fd, struct lingering *l, size_t *nl,
			 pthread_attr_t *attr, int64_t *backoff_until)
{
	int i;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		struct conn *c;
		pthread_t tid;
		bool full;
		int fd;

		fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				agent_log(ALOG_WARN, "cannot accept a connection: %s",
					  strerror(errno));
				*backoff_until = now_ms() + 100;
			}
			return;
		}
		pthread_mutex_lock(&a->clients_lock);
		full = a->clients >= a->cfg.max_clients;
		if (!full)
			a->clients++;
		pthread_mutex_unlock(&a->clients_lock);
		if (full) {
			COUNT(a, requests);
			COUNT(a, rejected);
			agent_log(ALOG_INFO, "refusing a connection: %d clients already",
				  a->cfg.max_clients);
			reject_busy(l, nl, fd);
			continue;
		}
		/* the buffer is left untouched: its pages become resident only as used */
		c = malloc(sizeof(*c));
		if (c) {
			memset(c, 0, offsetof(struct conn, buf));
			c->agent = a;
			c->fd = fd;
			c->metrics_only = listen_fd != a->listen_fd;
			if (pthread_create(&tid, attr, conn_thread, c) == 0)
				continue;
			free(c);
		}
		agent_log(ALOG_WARN, "cannot start a thread for a connection");
		client_gone(a);
		COUNT(a, requests);
		COUNT(a, rejected);
		reject_busy(l, nl, fd);
	}
}

int server_run(struct agent *a, int sig_fd)
{
	struct lingering l[LINGER_MAX] = { 0 };
	struct pollfd p[3 + LINGER_MAX];
	int64_t backoff_until = 0;
	pthread_attr_t attr;
	size_t nl = 0, i;
	int sig = 0;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, THREAD_STACK_SIZE);
	while (!sig) {
		int64_t now = now_ms(), wait = -1;
		bool backoff = now < backoff_until;
		int r;

		p[0] = (struct pollfd){ .fd = backoff ? -1 : a->listen_fd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
		p[2] = (struct pollfd){ .fd = backoff ? -1 : a->metrics_fd, .events = POLLIN };
		for (i = 0; i < nl; i++) {
			p[3 + i] = (struct pollfd){ .fd = l[i].fd, .events = POLLIN };
			if (wait < 0 || l[i].deadline - now < wait)
				wait = l[i].deadline - now;
		}
		if (backoff && (wait < 0 || backoff_until - now < wait))
			wait = backoff_until - now;
		r = poll(p, 3 + nl, wait < 0 ? -1 : (int)(wait + 1));
		if (r < 0 && errno != EINTR) {
			agent_log(ALOG_ERR, "poll: %s", strerror(errno));
			sig = SIGTERM;
			break;
		}
		if (r > 0 && (p[1].revents & POLLIN)) {
			struct signalfd_siginfo si;

			while (read(sig_fd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					agent_log(ALOG_NOTICE,
						  "SIGHUP: reopening the log, resolving "
						  "the groups again");
					agent_log_reopen();
					authz_resolve_groups(a);
				} else {
					sig = (int)si.ssi_signo;
				}
			}
		}
		linger_step(l, &nl, r > 0 ? p + 3 : NULL);
		if (!sig && r > 0 && (p[0].revents & POLLIN))
			accept_batch(a, a->listen_fd, l, &nl, &attr, &backoff_until);
		if (!sig && r > 0 && (p[2].revents & POLLIN))
			accept_batch(a, a->metrics_fd, l, &nl, &attr, &backoff_until);
	}
	for (i = 0; i < nl; i++)
		close(l[i].fd);
	pthread_attr_destroy(&attr);
	return sig;
}

int server_wait_clients(struct agent *a, int64_t deadline)
{
	int n;

	pthread_mutex_lock(&a->clients_lock);
	while (a->clients > 0 && now_ms() < deadline) {
		struct timespec ts = { .tv_sec = deadline / 1000,
				       .tv_nsec = (long)(deadline % 1000) * 1000000 };

		pthread_cond_timedwait(&a->clients_cond, &a->clients_lock, &ts);
	}
	n = a->clients;
	pthread_mutex_unlock(&a->clients_lock);
	return n;
}
