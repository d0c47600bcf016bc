/* SPDX-License-Identifier: MIT */
/*
 * https-int.h - the https backend's state, shared by https.c (requests) and https-tls.c (what
 * it does inside OpenSSL: the pinned-leaf check and the certificate the BMC presented).
 */
#ifndef HOSTFISH_HTTPS_INT_H
#define HOSTFISH_HTTPS_INT_H

#include <pthread.h>

#include <curl/curl.h>
#include <openssl/x509.h>

#include "transport.h"

struct https_ctx {
	char *base; /* "https://host:port" (no trailing slash) */
	char *ca_file;
	bool insecure;
	char *client_cert;
	char *client_key;
	char *client_key_passphrase;
	char *proxy;
	char *interface; /* under if_lock: hf_https_rebind() replaces it */
	pthread_mutex_t if_lock;
	char *unix_socket;
	int (*unix_peer_check)(void *userdata, int fd, char *why, size_t whylen);
	void *unix_peer_check_userdata;
	const struct hf_logger *log;
	int (*leaf_check)(void *userdata, const unsigned char sha256[32]);
	void *leaf_userdata;
	CURLSH *share; /* the TLS session cache of all the context's handles, or NULL */
	/* one lock per kind of shared data (libcurl may hold the share's own lock while it
	 * takes another's): the share's itself and the TLS sessions' */
	pthread_mutex_t share_lock[2];
	/* the leaf certificate of the most recent response over TLS (remember_peer) */
	pthread_mutex_t peer_lock;
	X509 *peer;
};

struct https_conn {
	CURL *curl;
	bool used; /* has carried a request: its connection may be reused */
	int unix_fd; /* the Unix socket libcurl opened last (ctx->unix_peer_check), or -1 */
};

struct xfer {
	struct hf_transport_response *resp;
	size_t max_body;
	bool too_big;
	bool bad_header;
	const struct hf_transport_request *req;
	bool interrupted;
	int read_error; /* the streamed body's read() failed with this */
	size_t streamed; /* bytes of the stream handed to libcurl */
	struct https_ctx *ctx;
	struct https_conn *conn;
	int peer_error; /* ctx->unix_peer_check refused the socket with this */
	char peer_why[256];
};

/* https-tls.c */
/* CURLOPT_SSL_CTX_FUNCTION: verify the BMC by its leaf (ctx->leaf_check) */
CURLcode hf_https_on_ssl_ctx(CURL *h, void *sslctx, void *userdata);
/* From the header callback: keep the leaf the BMC presented on x's connection */
void hf_https_remember_peer(struct xfer *x);
/* ops->peer_cert */
int hf_https_peer_cert(void *p, unsigned char **der, size_t *derlen, char *errbuf,
		       size_t errlen);

#endif /* HOSTFISH_HTTPS_INT_H */
