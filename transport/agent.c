/* SPDX-License-Identifier: MIT */
/*
 * agent.c - the "agent" backend: requests go to hostfishd over its Unix socket, which holds
 * the one BMC session and the host's BMC connections for everybody.
 *
 * The socket is $HOSTFISH_RUNTIME_DIR/hostfishd.sock (or the one configured).  "auto" takes
 * this backend when the socket exists, we may connect to it, and hostfishd says (GET
 * /hostfishd/status) that it serves the BMC we were asked for: with no URL, the host's own
 * BMC; with a URL, that URL's origin.  The bytes are plain HTTP/1.1, carried by the https
 * backend with CURLOPT_UNIX_SOCKET_PATH.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
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
};

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
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char buf[STATUS_MAX];
	int64_t deadline = hf_now_ms() + PROBE_TIMEOUT_MS;
	size_t len = 0;
	int fd, r = -EPROTO;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(why, whylen, "socket path too long");
		return -ENAMETOOLONG;
	}
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 && errno != EINPROGRESS &&
	    errno != EAGAIN) {
		r = -errno;
		snprintf(why, whylen, "cannot connect to %s: %s", path, strerror(errno));
		goto out;
	}
	if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof(req) - 1)) {
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
	if (socket_path(cfg, path, sizeof(path)) < 0)
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
	c.url = "http://localhost"; /* plain HTTP: the socket's permissions are the security */
	c.unix_socket = path;
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
	if (req->stream) {
		/* hostfishd reads each body whole, bounded: uploads go to the BMC directly */
		snprintf(errbuf, errlen, "hostfishd does not relay streamed uploads: connect "
					 "directly (hf_options.direct, hostfish --direct)");
		return -ENOTSUP;
	}
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
