/* SPDX-License-Identifier: MIT */
/*
 * subscribe.h - what subscribe.c (the subscription and the events) and subscribe-tls.c (the
 * receiving socket, its certificate, one delivery read) share.
 */
#ifndef HOSTFISHD_SUBSCRIBE_H
#define HOSTFISHD_SUBSCRIBE_H

#include <stddef.h>

#include <openssl/ssl.h>

#define SUB_MAX_REQUEST (1 << 20) /* one delivery: head and body */

/* A delivery's body (NUL-terminated): the HTTP status to answer (204, 400, 403). */
typedef int (*sub_event_fn)(void *userdata, const char *body, size_t len);

int sub_local_address(const char *host, char *out, size_t outlen);
int sub_listen(const char *addr, unsigned port, unsigned *port_out);
SSL_CTX *sub_tls_context(const char *addr, const char *cert_path);
void sub_serve_one(SSL_CTX *ctx, int fd, const char *path, sub_event_fn fn, void *userdata);

#endif
