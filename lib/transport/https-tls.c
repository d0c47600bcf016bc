/* SPDX-License-Identifier: MIT */
/*
 * https-tls.c - the https backend inside OpenSSL: the leaf-certificate check that replaces CA
 * and host name for a pinned BMC (the host interface's trust on first use), and the
 * certificate the BMC presented, kept for ops->peer_cert.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "https-int.h"

/*
 * Leaf-certificate verification (cfg->tls_leaf_check): OpenSSL asks this callback about
 * every certificate of the chain and every problem it finds; the answer depends only on the
 * leaf's fingerprint, and an accepted leaf clears the error so that libcurl's own check of
 * the verification result passes too.
 */
static int leaf_verify(int preverify_ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
	SSL_CTX *sslctx = ssl ? SSL_get_SSL_CTX(ssl) : NULL;
	struct https_ctx *ctx = sslctx ? SSL_CTX_get_app_data(sslctx) : NULL;
	X509 *leaf = X509_STORE_CTX_get0_cert(store);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!ctx || !ctx->leaf_check || !leaf || !X509_digest(leaf, EVP_sha256(), md, &mdlen) ||
	    mdlen != 32 || ctx->leaf_check(ctx->leaf_userdata, md) != 0) {
		X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
		return 0;
	}
	X509_STORE_CTX_set_error(store, X509_V_OK);
	return 1;
}

CURLcode hf_https_on_ssl_ctx(CURL *h, void *sslctx, void *userdata)
{
	SSL_CTX_set_app_data((SSL_CTX *)sslctx, userdata);
	SSL_CTX_set_verify((SSL_CTX *)sslctx, SSL_VERIFY_PEER, leaf_verify);
	return CURLE_OK;
}

/*
 * The leaf certificate the BMC presented, kept per context for ops->peer_cert.  It is taken
 * while a response arrives, from the connection that carries it: CURLINFO_TLS_SSL_PTR names
 * the connection's SSL object only during the transfer (after curl_easy_perform() the handle
 * holds no connection), and it answers on a reused connection and a resumed TLS session
 * alike, where CURLOPT_CERTINFO is filled only by a full handshake.  The SSL_CTX callback
 * (on_ssl_ctx) already ties the backend to OpenSSL; with another TLS library nothing is kept.
 */
void hf_https_remember_peer(struct xfer *x)
{
	struct curl_tlssessioninfo *tsi = NULL;
	X509 *leaf;

	if (curl_easy_getinfo(x->conn->curl, CURLINFO_TLS_SSL_PTR, &tsi) != CURLE_OK || !tsi ||
	    tsi->backend != CURLSSLBACKEND_OPENSSL || !tsi->internals)
		return; /* plain HTTP (a Unix socket, http://) */
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	leaf = SSL_get1_peer_certificate(tsi->internals);
#else
	leaf = SSL_get_peer_certificate(tsi->internals);
#endif
	if (!leaf)
		return;
	pthread_mutex_lock(&x->ctx->peer_lock);
	X509_free(x->ctx->peer);
	x->ctx->peer = leaf;
	pthread_mutex_unlock(&x->ctx->peer_lock);
}

int hf_https_peer_cert(void *p, unsigned char **der, size_t *derlen, char *errbuf,
		       size_t errlen)
{
	struct https_ctx *ctx = p;
	unsigned char *buf = NULL, *w;
	int n = -1;

	pthread_mutex_lock(&ctx->peer_lock);
	if (ctx->peer) {
		n = i2d_X509(ctx->peer, NULL);
		buf = n > 0 ? malloc((size_t)n) : NULL;
		w = buf;
		if (buf && i2d_X509(ctx->peer, &w) != n) {
			free(buf);
			buf = NULL;
		}
	}
	pthread_mutex_unlock(&ctx->peer_lock);
	if (n < 0) {
		snprintf(errbuf, errlen, "no request to %s went over TLS yet", ctx->base);
		return -ENODATA;
	}
	if (!buf)
		return -ENOMEM;
	*der = buf;
	*derlen = (size_t)n;
	return 0;
}
