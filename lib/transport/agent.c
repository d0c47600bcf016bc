/* SPDX-License-Identifier: MIT */
/*
 * agent.c - the "agent" backend: requests go to hostfishd over its Unix socket, which holds
 * the one BMC session and the host's BMC connections for everybody.
 *
 * The socket is $HOSTFISH_RUNTIME_DIR/hostfishd.sock (or the one configured).  "auto" takes
 * this backend when the socket exists, we may connect to it, and hostfishd says (GET
 * /hostfishd/status) that it serves the BMC we were asked for: with no URL, the host's own
 * BMC; with a URL, that URL's origin.  The bytes are plain HTTP/1.1, carried by the https
 * backend, which asks this backend about each connection it makes (agent_peer_check).
 *
 * Nothing is sent before the server is known to be hostfishd's user: the socket file and its
 * directory must belong to root (or to this process's own user) and not be open to others'
 * writes, and the process listening on it must be root or this user (SO_PEERCRED), checked on
 * every connection, the status probe's included.  Anybody else's socket could be a fake that
 * collects what we send (a new account's password, a firmware image's settings).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <libgen.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "http1.h"
#include "transport.h"

#define PROBE_TIMEOUT_MS 1000
#define STATUS_MAX 65536

struct agent_ctx {
	void *https; /* the https backend's context, talking over the socket */
	char *endpoint; /* "hostfishd:" + the BMC it serves */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static bool trusted_uid(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/* The socket file and its directory: root's (or ours), and nobody else may replace them. */
static int check_socket_file(const char *path, char *why, size_t whylen)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct stat st;

	if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		snprintf(why, whylen, "no hostfishd socket at %s", path);
		return -ENOENT;
	}
	if (!trusted_uid(st.st_uid) || (st.st_mode & S_IWOTH)) {
		snprintf(why, whylen,
			 "refusing %s: it belongs to uid %u%s, not to root: it may not be hostfishd's",
			 path, (unsigned)st.st_uid,
			 (st.st_mode & S_IWOTH) ? " and anybody may write to it" : "");
		return -EPERM;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	if (stat(dirname(dir), &st) < 0) {
		snprintf(why, whylen, "cannot check the directory of %s: %s", path,
			 strerror(errno));
		return -EPERM;
	}
	if (!trusted_uid(st.st_uid) ||
	    ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))) {
		snprintf(why, whylen,
			 "refusing %s: its directory belongs to uid %u with mode %04o, so others "
			 "could have put the socket there",
			 path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/* The process that listens on the connected socket fd: root or this user. */
static int check_peer(const char *path, int fd, char *why, size_t whylen)
{
	struct ucred cred = { 0 };
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		int r = -errno;

		snprintf(why, whylen, "cannot tell who serves %s: %s", path, strerror(errno));
		return r;
	}
	if (!trusted_uid(cred.uid)) {
		snprintf(why, whylen,
			 "refusing %s: it is served by uid %u (pid %d), not by root: it is not "
			 "hostfishd",
			 path, (unsigned)cred.uid, (int)cred.pid);
		return -EPERM;
	}
	return 0;
}

/*
 * A connected, blocking descriptor for path whose listening process is root or this user,
 * or a negative errno with why set.  The connect waits at most timeout_ms (a full backlog).
 */
static int agent_connect_path(const char *path, int timeout_ms, char *why, size_t whylen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = timeout_ms / 1000,
			      .tv_usec = (suseconds_t)(timeout_ms % 1000) * 1000 };
	struct timeval none = { 0 };
	int fd, r;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(why, whylen, "socket path too long");
		return -ENAMETOOLONG;
	}
	r = check_socket_file(path, why, whylen);
	if (r < 0)
		return r;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		snprintf(why, whylen, "cannot create a socket: %s", strerror(errno));
		return r;
	}
	if (timeout_ms > 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		r = errno == EINPROGRESS || errno == EAGAIN ? -ETIMEDOUT : -errno;
		snprintf(why, whylen, "cannot connect to %s: %s", path, strerror(-r));
		goto fail;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof(none));
	r = check_peer(path, fd, why, whylen);
	if (r < 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return r;
}

/* The https backend's unix_peer_check: every connection to hostfishd is checked. */
static int agent_peer_check(void *userdata, int fd, char *why, size_t whylen)
{
	struct agent_ctx *ctx = userdata;

	return check_peer(ctx->path, fd, why, whylen);
}

static int socket_path(const struct hf_transport_config *cfg, char *out, size_t outlen)
{
	if (cfg->agent_socket)
		return (size_t)snprintf(out, outlen, "%s", cfg->agent_socket) < outlen ? 0 : -1;
	return (size_t)snprintf(out, outlen, "%s/hostfishd.sock", hf_runtime_dir()) < outlen ? 0
											   : -1;
}

/* One GET /hostfishd/status, by hand: bounded in time and size. */
static int fetch_status(const char *path, struct json_object **ret, char *why, size_t whylen)
{
	static const char req[] = "GET /hostfishd/status HTTP/1.1\r\nHost: localhost\r\n"
				  "Connection: close\r\n\r\n";
	struct hf_transport_response resp = { 0 };
	char buf[STATUS_MAX];
	int64_t deadline = hf_now_ms() + PROBE_TIMEOUT_MS;
	size_t len = 0;
	int fd, r = -EPROTO;

	fd = agent_connect_path(path, PROBE_TIMEOUT_MS, why, whylen);
	if (fd < 0)
		return fd;
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0 ||
	    send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof(req) - 1)) {
		r = -errno;
		snprintf(why, whylen, "cannot talk to %s: %s", path, strerror(errno));
		goto out;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - hf_now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			snprintf(why, whylen, "%s did not answer within %d ms", path, PROBE_TIMEOUT_MS);
			r = -ETIMEDOUT;
			goto out;
		}
		n = recv(fd, buf + len, sizeof(buf) - len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(buf))
			break;
	}
	r = hf_http1_parse_response(buf, len, "GET", STATUS_MAX, &resp, why, whylen);
	if (r < 0)
		goto out;
	if (resp.status != 200) {
		snprintf(why, whylen, "hostfishd answered %d to its status request%s", resp.status,
			 resp.status == 403 ? " (not a member of its groups)" : "");
		r = resp.status == 403 ? -EACCES : -EPROTO;
		goto out;
	}
	*ret = hf_json_parse(resp.body.data, resp.body.len);
	if (!*ret) {
		snprintf(why, whylen, "hostfishd's status is not JSON");
		r = -EPROTO;
		goto out;
	}
	r = 0;
out:
	hf_transport_response_clear(&resp);
	close(fd);
	return r;
}

/* The BMC a running hostfishd serves, or an error saying why it cannot be used. */
static int agent_bmc(const struct hf_transport_config *cfg, char **ret, char *why, size_t whylen)
{
	struct json_object *status = NULL, *bmc;
	char path[4096];
	struct stat st;
	int r;

	if (socket_path(cfg, path, sizeof(path)) < 0) {
		snprintf(why, whylen, "socket path too long");
		return -ENAMETOOLONG;
	}
	if (stat(path, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		snprintf(why, whylen, "no hostfishd socket at %s", path);
		return -ENOENT;
	}
	r = check_socket_file(path, why, whylen);
	if (r < 0)
		return r;
	if (access(path, W_OK) < 0) {
		snprintf(why, whylen, "not allowed to use %s (groups hostfish, hostfish-ro)", path);
		return -EACCES;
	}
	r = fetch_status(path, &status, why, whylen);
	if (r < 0)
		return r;
	if (!json_object_object_get_ex(status, "bmc", &bmc) ||
	    !json_object_is_type(bmc, json_type_string)) {
		snprintf(why, whylen, "hostfishd's status names no BMC");
		json_object_put(status);
		return -EPROTO;
	}
	*ret = strdup(json_object_get_string(bmc));
	json_object_put(status);
	return *ret ? 0 : -ENOMEM;
}

static int agent_probe(const struct hf_transport_config *cfg, char *why, size_t whylen)
{
	_cleanup_free_ char *bmc = NULL;
	int r = agent_bmc(cfg, &bmc, why, whylen);

	if (r < 0)
		return r;
	if (cfg->url) {
		/* only the BMC it was asked for: compare origins, not spellings */
		struct hf_url u = { 0 };
		_cleanup_free_ char *origin = NULL;

		if (hf_url_parse(cfg->url, &u) < 0)
			return -EINVAL;
		origin = hf_url_origin(&u);
		hf_url_clear(&u);
		if (!origin || strcasecmp(origin, bmc) != 0) {
			snprintf(why, whylen, "hostfishd serves %s, not %s", bmc,
				 origin ? origin : "?");
			return -ENOENT;
		}
	}
	/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): _cleanup_free_, not modelled */
	return 0;
}

static void agent_fini(void *p)
{
	struct agent_ctx *ctx = p;

	if (!ctx)
		return;
	hf_transport_https.fini(ctx->https);
	free(ctx->endpoint);
	free(ctx);
}

static int agent_init(const struct hf_transport_config *cfg, void **ret, char *errbuf,
		      size_t errlen)
{
	struct hf_transport_config c = { 0 };
	_cleanup_free_ char *bmc = NULL;
	struct agent_ctx *ctx;
	char path[4096];
	int r;

	r = agent_bmc(cfg, &bmc, errbuf, errlen);
	if (r < 0)
		return r;
	if (socket_path(cfg, path, sizeof(path)) < 0 || strlen(path) >= sizeof(ctx->path))
		/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): _cleanup_free_, not modelled */
		return -ENAMETOOLONG;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	if (asprintf(&ctx->endpoint, "hostfishd:%s", bmc) < 0) {
		ctx->endpoint = NULL;
		free(ctx);
		return -ENOMEM;
	}
	c.url = "http://localhost"; /* plain HTTP: the socket and its server are checked */
	memcpy(ctx->path, path, strlen(path) + 1);
	c.unix_socket = ctx->path;
	c.unix_peer_check = agent_peer_check;
	c.unix_peer_check_userdata = ctx;
	c.log = cfg->log;
	r = hf_transport_https.init(&c, &ctx->https, errbuf, errlen);
	if (r < 0) {
		free(ctx->endpoint);
		free(ctx);
		return r;
	}
	*ret = ctx;
	return 0;
}

static const char *agent_endpoint(void *p)
{
	return ((struct agent_ctx *)p)->endpoint;
}

static int agent_conn_open(void *p, void **conn, char *errbuf, size_t errlen)
{
	return hf_transport_https.conn_open(((struct agent_ctx *)p)->https, conn, errbuf, errlen);
}

static void agent_conn_close(void *p, void *conn)
{
	hf_transport_https.conn_close(((struct agent_ctx *)p)->https, conn);
}

static int agent_exchange(void *p, void *conn, const struct hf_transport_request *req,
			  struct hf_transport_response *resp, char *errbuf, size_t errlen)
{
	/* a streamed body (a firmware upload) goes as it is read: hostfishd relays uploads to
	 * the BMC's push URIs as streams, its own session put into HPE's form (upload.c) */
	return hf_transport_https.exchange(((struct agent_ctx *)p)->https, conn, req, resp, errbuf,
					   errlen);
}

const struct hf_transport_ops hf_transport_agent = {
	.abi = HF_TRANSPORT_ABI,
	.name = "agent",
	.caps = HF_TCAP_AGENT,
	.description = "hostfishd, the local agent, over its Unix socket",
	.probe = agent_probe,
	.init = agent_init,
	.fini = agent_fini,
	.endpoint = agent_endpoint,
	.conn_open = agent_conn_open,
	.conn_close = agent_conn_close,
	.exchange = agent_exchange,
};
