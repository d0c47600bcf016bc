/* SPDX-License-Identifier: MIT */
/*
 * transport.h - the contract between the client (src/) and the backends (transport/).
 *
 * A transport turns one HTTP request into one HTTP response.  It knows nothing of sessions,
 * retries, redirects, JSON or content encodings: the client does all of that, so every
 * backend gets it for free.  A backend is one const struct hf_transport_ops; optional
 * operations may be NULL, and the dispatcher answers -EOPNOTSUPP for them.
 */
#ifndef HOSTFISH_TRANSPORT_H
#define HOSTFISH_TRANSPORT_H

#include "hostfish-private.h"

#define HF_TRANSPORT_ABI 1

/* Capability bits (hf_transport_ops.caps). */
#define HF_TCAP_NETWORK (1u << 0) /* speaks TCP/TLS: TLS, proxy options apply */
#define HF_TCAP_INBAND (1u << 1) /* reaches this host's own BMC (8-connection cap applies) */
#define HF_TCAP_AGENT (1u << 2) /* hostfishd: it authenticates, and it holds the BMC's slots */
/* the BMC may demand credentials for every request, the service root included (the host
 * interface: HPE documents a 401 for everything there) */
#define HF_TCAP_AUTH_ALWAYS (1u << 3)
/* the answer's body can be delivered as it arrives (hf_transport_request.sink): https and
 * hostif.  Not chif (one request blob, one answer blob) nor the agent (hostfishd answers
 * whole, bounded bodies). */
#define HF_TCAP_STREAM_BODY (1u << 4)

struct hf_creds; /* lib/host/creds.h */

/* What the client hands a backend at init; strings are borrowed for the call. */
struct hf_transport_config {
	const char *url; /* https://host:port given by the user, or NULL */
	const char *ca_file;
	bool insecure;
	const char *client_cert;
	const char *client_key;
	const char *client_key_passphrase;
	const char *proxy;
	const char *interface; /* bind connections to this NIC (hostif), or NULL */
	const char *unix_socket; /* https backend: plain HTTP over this Unix socket, or NULL */
	/* https over unix_socket: called with each connected socket before any byte of a
	 * request goes out on it; 0 lets it be used, a negative errno (why filled in) refuses it
	 * (the agent backend checks who serves the socket).  NULL: no check. */
	int (*unix_peer_check)(void *userdata, int fd, char *why, size_t whylen);
	void *unix_peer_check_userdata;
	const char *agent_socket; /* hostfishd's socket (NULL: $HOSTFISH_RUNTIME_DIR's) */
	bool direct; /* never use hostfishd, even when it serves this BMC */
	/* chif: the vendor library to dlopen (--chif-library), NULL for the environment
	 * (HOSTFISH_CHIF_LIBRARY) and then HPE's install locations */
	const char *chif_library;
	/* chif: credentials for iLO security states that demand them (HighSecurity, FIPS,
	 * CNSA, SecureStandard); NULL when none were given */
	const char *username;
	const char *password;
	const struct hf_logger *log;
	const char *smbios_file; /* hostif: a "dmidecode --dump-bin" file, NULL: the kernel's */
	/* https: verify the BMC by its leaf certificate instead of CA and host name (the hostif
	 * backend's pins).  Called during each TLS handshake with the leaf's SHA-256; 0 accepts
	 * it, anything else refuses it (-EKEYREJECTED).  NULL: ordinary verification. */
	int (*tls_leaf_check)(void *userdata, const unsigned char sha256[32]);
	void *tls_leaf_userdata;
};

/*
 * A request body produced piece by piece (a firmware file): nobody holds it whole.  Its length
 * is known before the first byte goes out (Content-Length framing, no chunking: iLO wants it).
 * read() fills up to len bytes of buf and stores how many in *got; it returns 0 (with *got 0
 * only at the end), or a negative errno that aborts the request (-ECANCELED: the caller's
 * progress callback cancelled it).  A stream is read once, from the start to the end: it
 * cannot be rewound, so a request that carries one is never resent (see hf_client_send).
 */
struct hf_body_stream {
	int (*read)(void *userdata, void *buf, size_t len, size_t *got);
	void *userdata;
	size_t length; /* exactly what read() delivers in total */
	const char *label; /* for logs: "<N bytes streamed from LABEL>" (a file name) */
};

/*
 * An answer's body taken as it arrives (an event stream that does not end): a 2xx answer's
 * bytes go to write() in pieces instead of into the response (whose body stays empty); any
 * other status's body is kept as usual.  write() returns 0, or a negative errno that ends the
 * transfer (the exchange then fails with it; -ECANCELED: the caller had enough).  The
 * exchange has no overall timeout then: it ends when the BMC closes the stream, write()
 * refuses, or on interrupts; TCP keep-alive probes find a BMC that vanished.
 */
struct hf_body_sink {
	int (*write)(void *userdata, const char *data, size_t len);
	void *userdata;
};

struct hf_transport_request {
	const char *method;
	const char *path; /* "/redfish/v1/...", checked by the client */
	const struct hf_headers *headers; /* complete: the backend adds only Host and framing */
	const void *body;
	size_t body_len; /* with a stream: stream->length */
	/* a streamed body instead of body (then NULL); NULL when the body is in memory.
	 * Backends that cannot carry one answer -ENOTSUP (hostfishd: its bodies are bounded). */
	const struct hf_body_stream *stream;
	long connect_timeout_ms;
	long timeout_ms;
	size_t max_body; /* bound on the body as transferred */
	bool no_resend; /* the request must reach the BMC at most once: no automatic resend
			   on a reused connection (the client decides; see hf_client_send) */
	/* abort (-EINTR) as soon as *interrupts differs from interrupts_seen; NULL: never */
	const volatile int *interrupts;
	int interrupts_seen;
	/* the answer's body streamed to a sink (backends with HF_TCAP_STREAM_BODY; the
	 * dispatcher answers -ENOTSUP for the others); NULL: kept in the response */
	const struct hf_body_sink *sink;
};

struct hf_transport_response {
	int status;
	char *reason;
	struct hf_headers headers;
	struct hf_buf body; /* transfer-decoded (chunked), not content-decoded (gzip) */
	/* How many times the request may have reached the BMC (set on success and failure;
	 * 0 counts as 1).  A backend that resends by itself (libcurl on a keep-alive
	 * connection that died) says so, and the client charges it to the retry budget. */
	unsigned sends;
};

void hf_transport_response_clear(struct hf_transport_response *resp);

/*
 * Errors are negative errnos, with a message in *errbuf (NUL-terminated, may be empty):
 *   -ECONNREFUSED, -EHOSTUNREACH  nothing was sent (safe to retry any method)
 *   -ECONNRESET                   the connection failed after the request may have left
 *   -ETIMEDOUT                    a timeout
 *   -EKEYREJECTED                 the peer's certificate could not be verified
 *   -ECONNABORTED                 the TLS handshake failed otherwise
 *   -EPROTO                       malformed or truncated answer
 *   -EFBIG                        answer over max_body
 *   -EINVAL                       local configuration error (unreadable CA file...)
 *   -ENOTSUP                      the backend cannot work on this host
 *   -EINTR                        interrupted by hf_client_interrupt()
 *   other negative errnos         a streamed body's read() failed (-ECANCELED, -EIO...)
 */
struct hf_transport_ops {
	unsigned abi; /* HF_TRANSPORT_ABI */
	const char *name;
	unsigned caps;
	const char *description;

	/* Can this backend work here?  0 yes, negative no, with the reason in why. */
	int (*probe)(const struct hf_transport_config *cfg, char *why, size_t whylen);
	int (*init)(const struct hf_transport_config *cfg, void **ctx, char *errbuf,
		    size_t errlen);
	void (*fini)(void *ctx);
	/* Identity of the BMC for caches and host-wide limits ("https://host:port"). */
	const char *(*endpoint)(void *ctx);

	int (*conn_open)(void *ctx, void **conn, char *errbuf, size_t errlen);
	void (*conn_close)(void *ctx, void *conn);
	int (*exchange)(void *ctx, void *conn, const struct hf_transport_request *req,
			struct hf_transport_response *resp, char *errbuf, size_t errlen);

	/* ---- optional ---- */

	/*
	 * The backend's own credentials, for a client given none (the host interface: the UEFI
	 * variable, an HPE application account, IPMI bootstrapping; lib/host/creds.h), looked
	 * for at the client's first login.  refused NULL: find them; else the BMC refused
	 * (401) the ones held: renew them when that is possible.  0 with *ret filled (the
	 * caller clears it, hf_creds_clear()), or a negative errno with the reason in why.
	 */
	int (*credentials)(void *ctx, long timeout_ms, const struct hf_creds *refused,
			   struct hf_creds *ret, char *why, size_t whylen);
	/*
	 * The leaf certificate the BMC presented on the context's most recent exchange over
	 * TLS (in DER; *der is the caller's, free()), read from that connection: no handshake
	 * of its own.  -ENODATA when no exchange went over TLS yet.
	 */
	int (*peer_cert)(void *ctx, unsigned char **der, size_t *derlen, char *errbuf,
			 size_t errlen);
	/*
	 * The BMC stopped answering (a reset): wait until the way to it is there again (the
	 * host interface's NIC, with the address "hostif up" gave it), at most until deadline
	 * (hf_now_ms() time), stopping as soon as *interrupts differs from interrupts_seen.  0
	 * when it is (at once when nothing is missing), -ETIMEDOUT, -EINTR, or another errno
	 * with errbuf set.  NULL: nothing to wait for but the BMC itself (https, chif).
	 */
	int (*wait_path)(void *ctx, int64_t deadline, const volatile int *interrupts,
			 int interrupts_seen, char *errbuf, size_t errlen);
};

/* A backend bound to its context. */
struct hf_transport {
	const struct hf_transport_ops *ops;
	void *ctx;
};

/* The backends, in "auto" probe order.  NULL-terminated. */
extern const struct hf_transport_ops *const hf_transports[];

extern const struct hf_transport_ops hf_transport_https;
/* https.c: bind the context's new connections to this interface (CURLOPT_INTERFACE syntax,
 * "if!NAME"; NULL: none) from now on: the host interface's NIC came back under another name.
 * Thread-safe.  0 or -ENOMEM. */
int hf_https_rebind(void *ctx, const char *interface);
extern const struct hf_transport_ops hf_transport_agent;
extern const struct hf_transport_ops hf_transport_hostif;
extern const struct hf_transport_ops hf_transport_chif;

/* Find a backend by name.  NULL when there is none of that name. */
const struct hf_transport_ops *hf_transport_find(const char *name);

/*
 * Choose and initialise a backend: "name" wins when given (never falls back); "auto" walks
 * hf_transports[] and takes the first whose probe succeeds, else fails with -ENOTSUP and
 * every reason in errbuf.
 */
int hf_transport_open(const char *name, const struct hf_transport_config *cfg,
		      struct hf_transport *t, char *errbuf, size_t errlen);
void hf_transport_close(struct hf_transport *t);

int hf_transport_conn_open(struct hf_transport *t, void **conn, char *errbuf, size_t errlen);
void hf_transport_conn_close(struct hf_transport *t, void *conn);
int hf_transport_exchange(struct hf_transport *t, void *conn,
			  const struct hf_transport_request *req,
			  struct hf_transport_response *resp, char *errbuf, size_t errlen);
const char *hf_transport_endpoint(struct hf_transport *t);
/* The optional operations; -EOPNOTSUPP (with errbuf/why said) when the backend has none. */
int hf_transport_credentials(struct hf_transport *t, long timeout_ms,
			     const struct hf_creds *refused, struct hf_creds *ret, char *why,
			     size_t whylen);
int hf_transport_peer_cert(struct hf_transport *t, unsigned char **der, size_t *derlen,
			   char *errbuf, size_t errlen);
int hf_transport_wait_path(struct hf_transport *t, int64_t deadline,
			   const volatile int *interrupts, int interrupts_seen, char *errbuf,
			   size_t errlen);

#endif /* HOSTFISH_TRANSPORT_H */
