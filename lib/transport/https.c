/* SPDX-License-Identifier: MIT */
/*
 * https.c - the HTTPS backend (libcurl): out of band, and the host interface's endpoint.
 *
 * One connection = one curl easy handle holding at most one live connection
 * (CURLOPT_MAXCONNECTS 1), so the client's connection count is the BMC's.  Redirects, content
 * decoding and retries are the client's business: curl only moves bytes, verified by default.
 *
 * The handles of one context share one TLS session cache (a CURLSH): a handle that has to
 * connect again (a fresh handle for a request that must not be resent, another of the
 * client's connections) resumes the TLS session instead of a full handshake.  The cache is
 * per context, so per BMC address and verification policy, and the lock makes the sharing
 * safe for the agent's threads.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "https-int.h"

static pthread_mutex_t *share_mutex(struct https_ctx *ctx, curl_lock_data data)
{
	return &ctx->share_lock[data == CURL_LOCK_DATA_SSL_SESSION];
}

/* libcurl pulls a streamed body through this, never more than its length */
static size_t on_read(char *buf, size_t size, size_t nitems, void *userdata)
{
	struct xfer *x = userdata;
	const struct hf_body_stream *s = x->req->stream;
	size_t want = size * nitems, got = 0;
	int r;

	if (x->streamed >= s->length)
		return 0;
	if (want > s->length - x->streamed)
		want = s->length - x->streamed;
	r = s->read(s->userdata, buf, want, &got);
	if (r == 0 && (got == 0 || got > want))
		r = -EIO; /* shorter (the file shrank) or longer than announced */
	if (r < 0) {
		x->read_error = r;
		return CURL_READFUNC_ABORT;
	}
	x->streamed += got;
	return got;
}

/* libcurl calls this about once a second, and on every transfer of data */
static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct xfer *x = userdata;

	if (x->req->interrupts && *x->req->interrupts != x->req->interrupts_seen) {
		x->interrupted = true;
		return 1; /* abort */
	}
	return 0;
}

#if LIBCURL_VERSION_NUM >= 0x075000
/*
 * ctx->unix_peer_check: libcurl connects the Unix socket, this remembers which descriptor it
 * is, and on_prereq (called once the connection is made or reused, before the request is
 * sent) asks the backend whether the server behind it may be trusted.  A refusal is kept in
 * the transfer, libcurl reports it as "aborted by callback".
 */
static curl_socket_t on_open_socket(void *userdata, curlsocktype purpose,
				    struct curl_sockaddr *address)
{
	struct https_conn *conn = userdata;
	int fd = socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);

	conn->unix_fd = fd;
	return fd < 0 ? CURL_SOCKET_BAD : fd;
}

static int on_prereq(void *userdata, char *primary_ip, char *local_ip, int primary_port,
		     int local_port)
{
	struct xfer *x = userdata;
	struct https_ctx *ctx = x->ctx;
	int r = -ENOTCONN;

	if (x->conn->unix_fd >= 0)
		r = ctx->unix_peer_check(ctx->unix_peer_check_userdata, x->conn->unix_fd,
					 x->peer_why, sizeof(x->peer_why));
	else
		snprintf(x->peer_why, sizeof(x->peer_why), "no socket to check");
	if (r < 0) {
		x->peer_error = r;
		return CURL_PREREQFUNC_ABORT;
	}
	return CURL_PREREQFUNC_OK;
}
#endif

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

/*
 * libcurl's own memory is wiped when it frees it: a small request goes out of a buffer where
 * libcurl joins the head (the session token, Basic credentials) and the body (passwords) for
 * one send, freed unwiped after each request; which later allocation covers it depends on the
 * thread's malloc arena, so without this a secret could stay in hostfishd's memory.  When the
 * application initialised libcurl before us, its allocator stays (curl_global_init_mem() then
 * changes nothing).
 */
static void wipe_free(void *p)
{
	if (p) {
		explicit_bzero(p, malloc_usable_size(p));
		free(p);
	}
}

static void *wipe_realloc(void *p, size_t n)
{
	size_t old;
	void *q;

	if (!p)
		return malloc(n);
	q = malloc(n ? n : 1);
	if (!q)
		return NULL; /* p stays, as realloc() leaves it */
	old = malloc_usable_size(p);
	memcpy(q, p, old < n ? old : n);
	wipe_free(p);
	return q;
}

static void curl_init_once(void)
{
	curl_init_result = curl_global_init_mem(CURL_GLOBAL_DEFAULT, malloc, wipe_free,
						wipe_realloc, strdup, calloc);
}

#define GRACEFUL_CLOSE_MS 500

/*
 * libcurl closes its sockets through this.  A graceful close: say we are done (FIN) and wait,
 * briefly, for the BMC to close its side too.  The host-wide slot is released after the close,
 * so a slot that is free really is a connection the BMC no longer counts; without the wait
 * the next process could connect before the BMC has processed the FIN, and the BMC would see
 * nine connections for a moment.
 */
static int close_socket(void *clientp, curl_socket_t fd)
{
	int64_t deadline = hf_now_ms() + GRACEFUL_CLOSE_MS;
	char buf[4096];

	if (shutdown(fd, SHUT_WR) == 0) {
		for (;;) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			int64_t left = deadline - hf_now_ms();
			ssize_t n;

			if (left <= 0 || poll(&p, 1, (int)left) <= 0)
				break;
			n = recv(fd, buf, sizeof(buf), 0);
			if (n <= 0)
				break; /* the BMC closed (or reset): done */
		}
	}
	return close(fd);
}

static void set_close_socket(CURL *h)
{
	curl_easy_setopt(h, CURLOPT_CLOSESOCKETFUNCTION, close_socket);
	curl_easy_setopt(h, CURLOPT_CLOSESOCKETDATA, NULL);
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *userp)
{
	pthread_mutex_lock(share_mutex(userp, data));
}

static void share_unlock(CURL *h, curl_lock_data data, void *userp)
{
	pthread_mutex_unlock(share_mutex(userp, data));
}

/* The shared TLS session cache; without one (out of memory, an old libcurl) every handle
 * keeps its own, which costs a full handshake per connection and nothing else. */
static void share_init(struct https_ctx *ctx)
{
	CURLSH *sh;

	if (pthread_mutex_init(&ctx->share_lock[0], NULL) != 0)
		return;
	if (pthread_mutex_init(&ctx->share_lock[1], NULL) != 0) {
		pthread_mutex_destroy(&ctx->share_lock[0]);
		return;
	}
	sh = curl_share_init();
	if (!sh || curl_share_setopt(sh, CURLSHOPT_LOCKFUNC, share_lock) != CURLSHE_OK ||
	    curl_share_setopt(sh, CURLSHOPT_UNLOCKFUNC, share_unlock) != CURLSHE_OK ||
	    curl_share_setopt(sh, CURLSHOPT_USERDATA, ctx) != CURLSHE_OK ||
	    curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK) {
		if (sh)
			curl_share_cleanup(sh);
		pthread_mutex_destroy(&ctx->share_lock[0]);
		pthread_mutex_destroy(&ctx->share_lock[1]);
		return;
	}
	ctx->share = sh;
}

static void https_fini(void *p)
{
	struct https_ctx *ctx = p;

	if (!ctx)
		return;
	if (ctx->share) {
		/* every handle is gone (the connections are closed before the transport) */
		curl_share_cleanup(ctx->share);
		pthread_mutex_destroy(&ctx->share_lock[0]);
		pthread_mutex_destroy(&ctx->share_lock[1]);
	}
	X509_free(ctx->peer);
	pthread_mutex_destroy(&ctx->peer_lock);
	free(ctx->base);
	free(ctx->ca_file);
	free(ctx->client_cert);
	free(ctx->client_key);
	hf_free_secret(ctx->client_key_passphrase);
	hf_free_secret(ctx->proxy); /* may carry proxy credentials */
	free(ctx->interface);
	pthread_mutex_destroy(&ctx->if_lock);
	free(ctx->unix_socket);
	free(ctx);
}

int hf_https_rebind(void *p, const char *interface)
{
	struct https_ctx *ctx = p;
	char *copy = hf_strdup(interface), *old;

	if (interface && !copy)
		return -ENOMEM;
	pthread_mutex_lock(&ctx->if_lock);
	old = ctx->interface;
	ctx->interface = copy;
	pthread_mutex_unlock(&ctx->if_lock);
	free(old);
	return 0;
}

static int https_init(const struct hf_transport_config *cfg, void **ret, char *errbuf,
		      size_t errlen)
{
	struct hf_url url = { 0 };
	struct https_ctx *ctx;
	int r;

	pthread_once(&curl_once, curl_init_once);
	if (curl_init_result != CURLE_OK) {
		snprintf(errbuf, errlen, "libcurl initialisation failed: %s",
			 curl_easy_strerror(curl_init_result));
		return -ENOTSUP;
	}
#if LIBCURL_VERSION_NUM < 0x075000
	if (cfg->unix_peer_check) {
		snprintf(errbuf, errlen, "this libcurl (before 7.80) cannot check who serves a "
					 "Unix socket");
		return -ENOTSUP;
	}
#endif
	if (!cfg->url) {
		snprintf(errbuf, errlen, "the https transport needs the BMC's URL (--url)");
		return -EINVAL;
	}
	r = hf_url_parse(cfg->url, &url);
	if (r < 0) {
		/* the URL is not echoed: a refused one may carry user:password@ */
		snprintf(errbuf, errlen, "invalid BMC URL: expected https://host[:port], without "
					 "user name or password (give those with --user)");
		return r;
	}
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		hf_url_clear(&url);
		return -ENOMEM;
	}
	pthread_mutex_init(&ctx->peer_lock, NULL);
	pthread_mutex_init(&ctx->if_lock, NULL);
	ctx->base = hf_url_origin(&url);
	hf_url_clear(&url);
	ctx->ca_file = hf_strdup(cfg->ca_file);
	ctx->insecure = cfg->insecure;
	ctx->client_cert = hf_strdup(cfg->client_cert);
	ctx->client_key = hf_strdup(cfg->client_key);
	ctx->client_key_passphrase = hf_strdup(cfg->client_key_passphrase);
	ctx->proxy = hf_strdup(cfg->proxy);
	ctx->interface = hf_strdup(cfg->interface);
	ctx->unix_socket = hf_strdup(cfg->unix_socket);
	ctx->unix_peer_check = cfg->unix_peer_check;
	ctx->unix_peer_check_userdata = cfg->unix_peer_check_userdata;
	ctx->log = cfg->log;
	ctx->leaf_check = cfg->tls_leaf_check;
	ctx->leaf_userdata = cfg->tls_leaf_userdata;
	if (!ctx->base || (cfg->ca_file && !ctx->ca_file) ||
	    (cfg->client_cert && !ctx->client_cert) || (cfg->client_key && !ctx->client_key) ||
	    (cfg->client_key_passphrase && !ctx->client_key_passphrase) ||
	    (cfg->proxy && !ctx->proxy) || (cfg->interface && !ctx->interface) ||
	    (cfg->unix_socket && !ctx->unix_socket)) {
		https_fini(ctx);
		return -ENOMEM;
	}
	share_init(ctx);
	*ret = ctx;
	return 0;
}

static const char *https_endpoint(void *p)
{
	return ((struct https_ctx *)p)->base;
}

static int https_conn_open(void *p, void **ret, char *errbuf, size_t errlen)
{
	struct https_conn *conn = calloc(1, sizeof(*conn));

	if (!conn)
		return -ENOMEM;
	conn->unix_fd = -1;
	conn->curl = curl_easy_init();
	if (!conn->curl) {
		free(conn);
		snprintf(errbuf, errlen, "cannot create a libcurl handle");
		return -ENOMEM;
	}
	*ret = conn;
	return 0;
}

static void https_conn_close(void *p, void *c)
{
	struct https_conn *conn = c;

	if (!conn)
		return;
	curl_easy_cleanup(conn->curl);
	free(conn);
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t len = size * nmemb, n = len;
	const char *colon;

	while (n && (data[n - 1] == '\n' || data[n - 1] == '\r'))
		n--;
	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* a new status line (after 100 Continue, say): start over */
		const char *sp = memchr(data, ' ', n);
		const char *reason;

		hf_https_remember_peer(x);
		hf_headers_clear(&x->resp->headers);
		free(x->resp->reason);
		x->resp->reason = NULL;
		if (!sp || n - (size_t)(sp - data) < 4)
			goto bad;
		/* three digits (libcurl checked the line; atoi would not report garbage) */
		if (!isdigit((unsigned char)sp[1]) || !isdigit((unsigned char)sp[2]) ||
		    !isdigit((unsigned char)sp[3]))
			goto bad;
		x->resp->status = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
		reason = sp + 4;
		while (reason < data + n && *reason == ' ')
			reason++;
		x->resp->reason = hf_strndup(reason, (size_t)(data + n - reason));
		if (!x->resp->reason)
			return 0;
		return len;
	}
	if (n == 0)
		return len; /* end of headers */
	colon = memchr(data, ':', n);
	if (!colon)
		goto bad;
	{
		const char *v = colon + 1, *end = data + n;

		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (hf_headers_add(&x->resp->headers, data, (size_t)(colon - data), v,
				   (size_t)(end - v)) < 0)
			return 0;
	}
	return len;
bad:
	x->bad_header = true;
	return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t len = size * nmemb;

	if (x->req->sink && x->resp->status >= 200 && x->resp->status < 300) {
		int r = x->req->sink->write(x->req->sink->userdata, data, len);

		if (r < 0) {
			x->read_error = r; /* reported as the exchange's error */
			return 0;
		}
		return len;
	}
	if (x->resp->body.len + len > x->max_body) {
		x->too_big = true;
		return 0;
	}
	if (hf_buf_append(&x->resp->body, data, len) < 0)
		return 0;
	return len;
}

static int map_curl_error(CURLcode rc, const struct xfer *x)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return -EHOSTUNREACH;
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_INTERFACE_FAILED:
		/* the NIC to bind to (the host interface's) is gone: an iLO reset removes it */
		return -ENODEV;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_PEER_FAILED_VERIFICATION:
#if LIBCURL_VERSION_NUM < 0x073e00
	case CURLE_SSL_CACERT:
#endif
		return -EKEYREJECTED;
	case CURLE_SSL_CONNECT_ERROR:
		return -ECONNABORTED;
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CIPHER:
	case CURLE_FILE_COULDNT_READ_FILE:
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return -EINVAL;
	case CURLE_WRITE_ERROR:
		return x->too_big ? -EFBIG : -ENOMEM;
	case CURLE_PARTIAL_FILE:
	case CURLE_BAD_CONTENT_ENCODING:
	case CURLE_WEIRD_SERVER_REPLY:
		return -EPROTO;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	default:
		/* GOT_NOTHING, SEND_ERROR, RECV_ERROR, HTTP2 errors...: the connection broke */
		return -ECONNRESET;
	}
}

/*
 * libcurl resends a request by itself when a reused keep-alive connection dies before any
 * answer.  When the client wants at most one send, only a fresh connection guarantees it.
 * The handle is recreated rather than told CURLOPT_FRESH_CONNECT, which would keep the old
 * connection open alongside the new one: one handle must never hold two of the host's BMC
 * connections.
 */
static int renew_handle(struct https_conn *conn)
{
	CURL *fresh = curl_easy_init();

	if (!fresh)
		return -ENOMEM;
	curl_easy_cleanup(conn->curl);
	conn->curl = fresh;
	conn->used = false;
	conn->unix_fd = -1;
	return 0;
}

/* Where, how long, verified how: every option but the method, the body and the headers. */
static int set_connection_options(struct https_ctx *ctx, struct https_conn *conn, CURL *h,
				  const struct hf_transport_request *req, struct xfer *x,
				  char *errbuf, size_t errlen)
{
	/* reset keeps the live connection and TLS session cache, drops every option */
	curl_easy_reset(h);
	set_close_socket(h); /* connections remember it from their creation */
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_MAXCONNECTS, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTPS | CURLPROTO_HTTP));
#endif
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, req->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms);
	curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, ctx->insecure ? 0L : 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, ctx->insecure ? 0L : 2L);
	if (ctx->share)
		curl_easy_setopt(h, CURLOPT_SHARE, ctx->share);
	if (ctx->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, ctx->ca_file);
	if (ctx->leaf_check && !ctx->insecure) {
		/* the pinned leaf identifies the BMC: no CA, no host name */
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
		if (curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, hf_https_on_ssl_ctx) != CURLE_OK) {
			snprintf(errbuf, errlen, "this libcurl's TLS library cannot check a pinned "
						 "certificate: give --cacert");
			return -EINVAL;
		}
		curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, ctx);
	}
	if (ctx->client_cert) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, ctx->client_cert);
		curl_easy_setopt(h, CURLOPT_SSLKEY, ctx->client_key ? ctx->client_key
								     : ctx->client_cert);
		if (ctx->client_key_passphrase)
			curl_easy_setopt(h, CURLOPT_KEYPASSWD, ctx->client_key_passphrase);
	}
	/* "" disables the http_proxy/https_proxy environment: a BMC is reached directly
	 * unless the caller names a proxy */
	curl_easy_setopt(h, CURLOPT_PROXY, ctx->proxy ? ctx->proxy : "");
	pthread_mutex_lock(&ctx->if_lock);
	if (ctx->interface) /* libcurl keeps a copy */
		curl_easy_setopt(h, CURLOPT_INTERFACE, ctx->interface);
	pthread_mutex_unlock(&ctx->if_lock);
	if (ctx->unix_socket)
		curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, ctx->unix_socket);
#if LIBCURL_VERSION_NUM >= 0x075000
	if (ctx->unix_socket && ctx->unix_peer_check) {
		curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
		curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, conn);
		curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, on_prereq);
		curl_easy_setopt(h, CURLOPT_PREREQDATA, x);
	}
#endif
	return 0;
}

static void set_method(CURL *h, const struct hf_transport_request *req, struct xfer *x)
{
	if (strcmp(req->method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (req->stream) {
		/*
		 * Pulled from the stream as libcurl sends, framed by Content-Length (no chunked
		 * encoding).  "Expect:" stays empty as below: HPE's upload example sends it
		 * empty too.  The stream cannot be rewound, so libcurl must never resend it:
		 * the client always sets no_resend for it (a fresh connection, see above).
		 * The whole-request timeout would cap the file size by the link's speed: a
		 * streamed request is bounded by its progress instead, failing when nothing
		 * moved for timeout_ms (while sending, and while the BMC prepares its answer).
		 */
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->stream->length);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(h, CURLOPT_READDATA, x);
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 0L);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
				 req->timeout_ms > 1000 ? req->timeout_ms / 1000 : 1L);
	} else if (strcmp(req->method, "GET") != 0 || req->body_len) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body_len ? req->body : "");
	}
}

/* The request's headers as a curl list in *hdrs (line: scratch space, wiped by the caller:
 * it held the auth header).  0 or -ENOMEM. */
static int header_list(const struct hf_transport_request *req, struct curl_slist **hdrs,
		       struct hf_buf *line)
{
	struct curl_slist *tmp;
	size_t i;

	for (i = 0; req->headers && i < req->headers->n; i++) {
		hf_buf_reset(line);
		if (hf_buf_printf(line, "%s: %s", req->headers->v[i].name,
				  req->headers->v[i].value) < 0)
			return -ENOMEM;
		tmp = curl_slist_append(*hdrs, line->data);
		if (!tmp)
			return -ENOMEM;
		*hdrs = tmp;
	}
	/* curl's own defaults that a BMC does not need */
	if (!hf_headers_get(req->headers, "Expect")) {
		tmp = curl_slist_append(*hdrs, "Expect:");
		if (!tmp)
			return -ENOMEM;
		*hdrs = tmp;
	}
	if (!hf_headers_get(req->headers, "Content-Type") && req->body_len == 0 && !req->stream) {
		tmp = curl_slist_append(*hdrs, "Content-Type:");
		if (!tmp)
			return -ENOMEM;
		*hdrs = tmp;
	}
	return 0;
}

/* A failed transfer: the errno of the contract and the message. */
static int transfer_failed(CURLcode rc, const struct xfer *x, const char *curl_err,
			   char *errbuf, size_t errlen)
{
	const struct hf_transport_request *req = x->req;
	int r;

	if (x->interrupted)
		r = -EINTR;
	else if (x->read_error)
		r = x->read_error;
	else if (x->bad_header)
		r = -EPROTO;
	else if (x->peer_error)
		r = x->peer_error;
	else
		r = map_curl_error(rc, x);
	if (x->interrupted)
		snprintf(errbuf, errlen, "interrupted");
	else if (x->read_error && req->sink) /* the sink's own bounds, not max_body */
		snprintf(errbuf, errlen, "the answer's reader stopped: %s",
			 x->read_error == -ECANCELED ? "done" : strerror(-x->read_error));
	else if (r == -EFBIG)
		snprintf(errbuf, errlen, "the answer exceeds the limit of %zu bytes", req->max_body);
	else if (x->read_error)
		snprintf(errbuf, errlen, "reading the body from %s failed after %zu bytes: %s",
			 req->stream && req->stream->label ? req->stream->label : "its source",
			 x->streamed,
			 x->read_error == -ECANCELED ? "cancelled" : strerror(-x->read_error));
	else if (x->bad_header)
		snprintf(errbuf, errlen, "malformed HTTP header from the BMC");
	else if (x->peer_error)
		snprintf(errbuf, errlen, "%s", x->peer_why);
	else
		snprintf(errbuf, errlen, "%s", curl_err[0] ? curl_err : curl_easy_strerror(rc));
	return r;
}

static int https_exchange(void *p, void *c, const struct hf_transport_request *req,
			  struct hf_transport_response *resp, char *errbuf, size_t errlen)
{
	struct https_ctx *ctx = p;
	struct https_conn *conn = c;
	struct curl_slist *hdrs = NULL;
	struct xfer x = { .resp = resp, .max_body = req->max_body, .req = req, .ctx = ctx,
			  .conn = conn };
	char curl_err[CURL_ERROR_SIZE] = "";
	struct hf_buf line = { 0 };
	_cleanup_free_ char *url = NULL;
	unsigned sends = 0;
	long connects = 0;
	CURLcode rc;
	CURL *h;
	int r;

	url = malloc(strlen(ctx->base) + strlen(req->path) + 1);
	if (!url)
		return -ENOMEM;
	sprintf(url, "%s%s", ctx->base, req->path);
	/* url is freed by its cleanup attribute, which cppcheck and clang-analyzer do not
	 * model */
	if (req->no_resend && conn->used && renew_handle(conn) < 0)
		/* cppcheck-suppress memleak */
		return -ENOMEM; /* NOLINT(clang-analyzer-unix.Malloc) */
	h = conn->curl;
	r = set_connection_options(ctx, conn, h, req, &x, errbuf, errlen);
	if (r < 0)
		goto out;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_err);
	set_method(h, req, &x);
	r = header_list(req, &hdrs, &line);
	if (r < 0)
		goto out;
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
	if (req->interrupts) {
		curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(h, CURLOPT_XFERINFODATA, &x);
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	}
	if (req->sink) {
		/* a stream that does not end: no overall bound; keep-alive probes instead */
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 0L);
		curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
		curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 30L);
		curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 10L);
	}

	rc = curl_easy_perform(h);
	/* a used handle that had to connect may have sent the request twice (or found its
	 * connection dead before sending: counting it is the safe side) */
	curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
	sends = (conn->used && connects > 0) ? 2 : 1;
	conn->used = true;
	if (rc != CURLE_OK) {
		r = transfer_failed(rc, &x, curl_err, errbuf, errlen);
		hf_transport_response_clear(resp);
		goto out;
	}
	if (resp->status < 100 || resp->status > 599) {
		snprintf(errbuf, errlen, "malformed HTTP status line from the BMC");
		hf_transport_response_clear(resp);
		r = -EPROTO;
	}
out:
	resp->sends = sends;
	/* the slist must outlive the transfer; the handle keeps a pointer until reset */
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
	curl_slist_free_all(hdrs);
	if (line.data)
		hf_wipe(line.data, line.cap); /* held the auth header */
	hf_buf_free(&line);
	return r;
}

const struct hf_transport_ops hf_transport_https = {
	.abi = HF_TRANSPORT_ABI,
	.name = "https",
	.caps = HF_TCAP_NETWORK | HF_TCAP_STREAM_BODY,
	.description = "HTTPS to the BMC's address (out of band)",
	.probe = NULL,
	.init = https_init,
	.fini = https_fini,
	.endpoint = https_endpoint,
	.conn_open = https_conn_open,
	.conn_close = https_conn_close,
	.exchange = https_exchange,
	.peer_cert = hf_https_peer_cert,
};
