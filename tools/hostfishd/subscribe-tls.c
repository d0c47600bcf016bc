/* SPDX-License-Identifier: MIT */
/*
 * subscribe-tls.c - --subscribe's receiving end: the listening socket on the address the BMC
 * reaches the host at, a certificate made for that address at start (EC P-256, self-signed,
 * subjectAltName the address; its key never leaves the process's memory; the certificate is
 * written to $HOSTFISH_RUNTIME_DIR/hostfishd-events.pem for whoever wants the BMC to verify
 * it), and one HTTP/1.1 POST read per TLS connection, bounded in size and time.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "agent.h"
#include "subscribe.h"

#define CERT_DAYS      3650 /* the key lives as long as the process: the certificate may as well */
#define RECV_TIMEOUT_S 5    /* a delivery's whole request, per read */

/*
 * The local address the kernel would use to reach host (the BMC): on the host interface, the
 * host's address on the vNIC; for a BMC on loopback, loopback.  0, or -1 (logged).
 */
int sub_local_address(const char *host, char *out, size_t outlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd = -1, r;

	r = getaddrinfo(host, "443", &hints, &ai);
	if (r != 0) {
		agent_log(ALOG_ERR, "--subscribe: cannot resolve the BMC's address %s: %s", host,
			  gai_strerror(r));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0 ||
	    getnameinfo((struct sockaddr *)&ss, len, out, (socklen_t)outlen, NULL, 0,
			NI_NUMERICHOST) != 0) {
		agent_log(ALOG_ERR, "--subscribe: no route to the BMC at %s: %s", host,
			  strerror(errno));
		r = -1;
	}
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return r;
}

/* Listen on addr:port (port 0: any); *port_out the port bound.  The fd, or -1 (logged). */
int sub_listen(const char *addr, unsigned port, unsigned *port_out)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE};
	struct addrinfo *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char service[8];
	int fd, one = 1;

	snprintf(service, sizeof(service), "%u", port);
	if (getaddrinfo(addr, service, &hints, &ai) != 0) {
		agent_log(ALOG_ERR, "--subscribe-listen: %s is not a numeric address", addr);
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		agent_log(ALOG_ERR, "--subscribe: cannot listen on %s port %u: %s", addr, port,
			  strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	} else {
		*port_out = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
							   : ((struct sockaddr_in *)&ss)->sin_port);
	}
	freeaddrinfo(ai);
	return fd;
}

static EVP_PKEY *make_key(void)
{
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL);
	EVP_PKEY *key = NULL;

	if (!kc || EVP_PKEY_keygen_init(kc) <= 0 ||
	    EVP_PKEY_CTX_set_ec_paramgen_curve_nid(kc, NID_X9_62_prime256v1) <= 0 ||
	    EVP_PKEY_keygen(kc, &key) <= 0)
		key = NULL;
	EVP_PKEY_CTX_free(kc);
	return key;
}

static int add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return 0;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

/* A self-signed certificate for addr with key. */
static X509 *make_cert(EVP_PKEY *key, const char *addr)
{
	X509 *x = X509_new();
	X509_NAME *name;
	unsigned char serial[16];
	BIGNUM *bn = NULL;
	char san[128];
	bool ok;

	if (!x || RAND_bytes(serial, sizeof(serial)) != 1)
		goto fail;
	serial[0] &= 0x7f;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	name = X509_get_subject_name(x);
	snprintf(san, sizeof(san), "IP:%s", addr);
	ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) && X509_set_version(x, 2) &&
	     X509_gmtime_adj(X509_getm_notBefore(x), -300) &&
	     X509_gmtime_adj(X509_getm_notAfter(x), (long)CERT_DAYS * 86400) &&
	     X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					(const unsigned char *)"hostfishd event receiver", -1, -1,
					0) &&
	     X509_set_issuer_name(x, name) && X509_set_pubkey(x, key) &&
	     add_ext(x, NID_subject_alt_name, san) &&
	     add_ext(x, NID_basic_constraints, "critical,CA:FALSE") &&
	     add_ext(x, NID_key_usage, "critical,digitalSignature") &&
	     add_ext(x, NID_ext_key_usage, "serverAuth") && X509_sign(x, key, EVP_sha256());
	BN_free(bn);
	if (ok)
		return x;
fail:
	X509_free(x);
	return NULL;
}

/* Write the certificate (public) where an administrator finds it: 0600 like every file. */
static void save_cert(X509 *x, const char *path)
{
	char tmp[4200];
	FILE *f;
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f || !PEM_write_X509(f, x) || fclose(f) != 0 || rename(tmp, path) < 0) {
		agent_log(ALOG_WARN, "--subscribe: cannot write the certificate to %s: %s", path,
			  strerror(errno));
		if (!f && fd >= 0)
			close(fd);
		unlink(tmp);
		return;
	}
	agent_log(ALOG_INFO, "the event receiver's certificate is in %s", path);
}

/* A TLS server context with a certificate made for addr now.  NULL (logged) on failure. */
SSL_CTX *sub_tls_context(const char *addr, const char *cert_path)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	EVP_PKEY *key = make_key();
	X509 *x = key ? make_cert(key, addr) : NULL;

	if (!ctx || !x || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    SSL_CTX_use_certificate(ctx, x) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1) {
		agent_log(ALOG_ERR, "--subscribe: cannot make the receiver's certificate: %s",
			  ERR_reason_error_string(ERR_get_error()) ?: "out of memory");
		SSL_CTX_free(ctx);
		ctx = NULL;
	} else if (cert_path) {
		save_cert(x, cert_path);
	}
	X509_free(x);
	EVP_PKEY_free(key);
	return ctx;
}

/* Read until the head's end, then Content-Length bytes; NUL-terminated. */
static int read_request(SSL *ssl, char *buf, size_t cap, size_t *len, char **body, size_t *body_len)
{
	char *end = NULL, *cl;
	size_t need = 0;
	int n;

	*len = 0;
	for (;;) {
		if (*len >= cap - 1)
			return -EFBIG;
		n = SSL_read(ssl, buf + *len, (int)(cap - 1 - *len));
		if (n <= 0)
			return -EIO;
		*len += (size_t)n;
		buf[*len] = '\0';
		if (!end && (end = strstr(buf, "\r\n\r\n"))) {
			*end = '\0';
			cl = strcasestr(buf, "\r\nContent-Length:");
			if (!cl)
				return -EINVAL;
			need = strtoul(cl + 17, NULL, 10);
			if (need > cap - 1 - (size_t)(end + 4 - buf))
				return -EFBIG;
		}
		if (end && *len >= (size_t)(end + 4 - buf) + need) {
			*body = end + 4;
			*body_len = need;
			(*body)[need] = '\0';
			return 0;
		}
	}
}

static void reply(SSL *ssl, int status, const char *reason)
{
	char head[160];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status,
			 reason);

	SSL_write(ssl, head, n);
}

/*
 * One connection: the TLS handshake, one request; a POST to path is handed to fn (its
 * answer: the status sent back).  Everything bounded by RECV_TIMEOUT_S per read.
 */
void sub_serve_one(SSL_CTX *ctx, int fd, const char *path, sub_event_fn fn, void *userdata)
{
	struct timeval tv = {.tv_sec = RECV_TIMEOUT_S};
	size_t len = 0, body_len = 0, plen = strlen(path);
	char *buf = malloc(SUB_MAX_REQUEST + 1), *body = NULL;
	SSL *ssl = SSL_new(ctx);
	int flags = fcntl(fd, F_GETFL), r;

	if (flags >= 0)
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (!buf || !ssl || SSL_set_fd(ssl, fd) != 1 || SSL_accept(ssl) != 1)
		goto out;
	r = read_request(ssl, buf, SUB_MAX_REQUEST + 1, &len, &body, &body_len);
	if (r == -EFBIG) {
		reply(ssl, 413, "Content Too Large");
	} else if (r < 0) {
		reply(ssl, 400, "Bad Request");
	} else if (strncmp(buf, "POST ", 5) != 0) {
		reply(ssl, 405, "Method Not Allowed");
	} else if (strncmp(buf + 5, path, plen) != 0 || buf[5 + plen] != ' ') {
		reply(ssl, 404, "Not Found"); /* the path is the subscription's: a secret */
	} else {
		r = fn(userdata, body, body_len);
		reply(ssl, r, r == 204 ? "No Content" : r == 403 ? "Forbidden" : "Bad Request");
	}
	SSL_shutdown(ssl);
out:
	ERR_clear_error();
	SSL_free(ssl);
	if (buf) {
		explicit_bzero(buf, SUB_MAX_REQUEST + 1);
		free(buf);
	}
	close(fd);
}
