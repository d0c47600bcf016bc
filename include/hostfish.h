/* SPDX-License-Identifier: MIT */
/*
 * hostfish.h - libhostfish, an in-band Redfish client for HPE iLO and DSP0270 BMCs.
 *
 * Conventions (every function below follows them):
 *  - Calls that can fail return int: 0 (or a positive count) on success, a negative errno on
 *    failure.  Outputs are the last parameters and are written only on success; the one
 *    exception is the object a constructor makes, which comes first (hf_client_new(&c, ...)).
 *  - After a failure, hf_client_last_error() describes it (HTTP status, Redfish MessageId,
 *    message, resolution).  The record is per client and per calling thread.
 *  - Objects returned through a "**ret" parameter belong to the caller and are released with
 *    the matching *_free() function, which accepts NULL.
 *  - Returned "const char *" and "const" pointers are borrowed: they stay valid as long as the
 *    object they came from (the parent), and must not be freed.
 *  - The library never prints, exits or aborts; it logs only through the callback given in
 *    hf_options.
 *
 * Threads: one hf_client may be shared by several threads.  Each request takes one of the
 * client's connections (at most hf_options.max_connections, reused, closed after
 * idle_timeout_ms unused) and one session serves them all; one thread logs in or out at a
 * time while the others wait, each for at most its timeout and until hf_client_interrupt().
 * A hf_response is not synchronised: use it from one thread at a time.
 *
 * This header is C89 and self-contained.
 */
#ifndef HOSTFISH_H
#define HOSTFISH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct json_object; /* json-c */

typedef struct hf_client hf_client;
typedef struct hf_response hf_response;
typedef struct hf_redfish_error hf_redfish_error;

/* Authentication modes. */
enum hf_auth {
	HF_AUTH_AUTO = 0, /* session when a user name is given, cert when only a client
			     certificate is given, else none */
	HF_AUTH_NONE = 1, /* no credentials: only the service root is readable */
	HF_AUTH_BASIC = 2, /* HTTP Basic on every request (the BMC creates and deletes a
			      session per request) */
	HF_AUTH_SESSION = 3, /* Redfish session: POST to the sessions collection, X-Auth-Token */
	HF_AUTH_CERT = 4 /* TLS client certificate, exchanged for a session */
};

/* Log levels, most severe first. */
enum hf_log_level {
	HF_LOG_ERROR = 0,
	HF_LOG_WARNING = 1,
	HF_LOG_INFO = 2,
	HF_LOG_DEBUG = 3 /* every request and response, secrets masked */
};

/*
 * Log callback.  "message" is one line without a trailing newline, already masked; it is
 * borrowed for the duration of the call.  May be called from any thread that uses the client.
 */
typedef void (*hf_log_fn)(void *userdata, int level, const char *message);

/*
 * Progress of a long operation (upload, task, crawl, certificate request).  "phase" names
 * what is progressing ("upload", "task", "crawl", "csr"; static); "done" and "total" are in
 * the phase's unit (bytes, percent, resources); total 0 means unknown.  Called from the
 * thread that runs the operation, or for a parallel one from any of its threads (one at a
 * time).  Return 0 to go on; anything else cancels the operation, which then fails with
 * -ECANCELED after cleaning up what it started.
 */
typedef int (*hf_progress_fn)(void *userdata, const char *phase, double done, double total);

/* Classes of failure, stable across versions (hf_error.kind). */
enum hf_error_kind {
	HF_ERROR_NONE = 0,
	HF_ERROR_USAGE = 1, /* invalid argument or input: nothing was sent */
	HF_ERROR_HTTP_CLIENT = 2, /* the BMC answered 4xx (other than authentication) */
	HF_ERROR_HTTP_SERVER = 3, /* the BMC answered 5xx */
	HF_ERROR_AUTH = 4, /* authentication required, rejected or expired */
	HF_ERROR_TRANSPORT = 5, /* transport unavailable, connection or TLS failure */
	HF_ERROR_TIMEOUT = 6, /* a bound on time was reached */
	HF_ERROR_PROTOCOL = 7, /* the BMC's answer could not be understood */
	HF_ERROR_RESOURCE = 8 /* out of memory or a size bound */
};

/* Redfish MessageIds that callers act upon, mapped to a small stable set. */
enum hf_redfish_code {
	HF_RF_NONE = 0, /* no message */
	HF_RF_OTHER = 1, /* a MessageId not in this list */
	HF_RF_SUCCESS = 2,
	HF_RF_NO_VALID_SESSION = 3,
	HF_RF_ACCESS_DENIED = 4, /* AccessDenied, InsufficientPrivilege */
	HF_RF_SESSION_LIMIT_EXCEEDED = 5,
	HF_RF_PASSWORD_CHANGE_REQUIRED = 6,
	HF_RF_PRECONDITION_FAILED = 7,
	HF_RF_RESOURCE_MISSING = 8, /* ResourceMissingAtURI, ResourceNotFound */
	HF_RF_PROPERTY_UNKNOWN = 9,
	HF_RF_PROPERTY_NOT_WRITABLE = 10,
	HF_RF_MALFORMED_JSON = 11,
	HF_RF_SERVICE_UNAVAILABLE = 12 /* ServiceTemporarilyUnavailable, ServiceShuttingDown */
};

#define HF_OPTIONS_VERSION 2 /* 2: idle_timeout_ms; version 1 callers are still accepted */

/*
 * Options for hf_client_new().  Initialise with HF_OPTIONS_INIT or hf_options_init(); the
 * struct only ever grows at its end, and "version" tells the library how much of it the
 * caller knows.  Zero (or NULL) means "the default" for every field, except where noted.
 * All strings are borrowed for the duration of hf_client_new() only: the client copies them.
 */
typedef struct hf_options {
	unsigned int version; /* HF_OPTIONS_VERSION */

	const char *url; /* "https://host[:port]" of the BMC; NULL: an in-band transport */
	const char *transport; /* "auto" (default), "https", "hostif", "chif", "agent" */

	const char *username;
	const char *password; /* copied, and wiped from the client's memory at free */
	int auth; /* enum hf_auth */

	int retries; /* retries of idempotent requests; -1 (the INIT value): 2 */
	long connect_timeout_ms; /* default 10000 */
	long timeout_ms; /* total time of one request, its retries and Retry-After pauses
			  * included; default 30000 */

	const char *ca_file; /* PEM bundle of CAs to trust instead of the system store */
	int insecure; /* nonzero: do not verify the BMC's certificate (logged) */
	const char *client_cert; /* PEM certificate for TLS client authentication */
	const char *client_key; /* PEM private key of client_cert */
	const char *client_key_passphrase;
	const char *proxy; /* "http://host:port", "socks5://host:port", "socks5h://..." */

	hf_log_fn log_fn;
	void *log_userdata;
	int log_level; /* enum hf_log_level; messages above it are not produced */

	size_t max_response_size; /* bound on a response body after decoding, default 64 MiB */
	/* Concurrent connections of this client, 1..8, default 8.  Each open connection holds
	 * one of the host's 8 slots for the BMC until it is closed (idle_timeout_ms, or
	 * hf_client_free()): a program that runs several clients against one BMC gives each a
	 * share that leaves room for the others. */
	int max_connections;

	/* Resume an existing session instead of logging in (both needed).  The client uses it
	 * but does not delete it at free unless hf_client_keep_session(client, 0) says so. */
	const char *session_token;
	const char *session_uri;

	/* Every connection to the BMC takes one of the host's 8 slots (shared by all processes,
	 * under $HOSTFISH_RUNTIME_DIR, default /run/hostfish).  When all are taken, wait in
	 * turn this long before failing with -EBUSY; default 60000. */
	long slot_wait_ms;

	/* When hostfishd, the local agent, runs and serves the same BMC (its socket is
	 * agent_socket, default $HOSTFISH_RUNTIME_DIR/hostfishd.sock), "auto" sends requests
	 * through it: it holds the session and the connections.  direct = 1 never does. */
	int direct;
	const char *agent_socket;

	/* HPE's CHIF channel library for the "chif" transport (iLO 5/6): this file, else
	 * $HOSTFISH_CHIF_LIBRARY, else where HPE installs it (ilorest_chif.so, libilorestchif.so). */
	const char *chif_library;
	/* The hostif transport, hostif trust/up: read SMBIOS from this "dmidecode --dump-bin"
	 * file instead of the kernel's tables (/sys/firmware/dmi/tables, readable by root). */
	const char *smbios_file;

	/* Version 2.  A connection unused for this long is closed and its host-wide slot given
	 * back, so that an idle client does not keep other processes from the BMC; default
	 * 2000.  -1: connections stay open until hf_client_free(). */
	long idle_timeout_ms;
} hf_options;

/* Static initialiser: version set, retries -1 (default), everything else zero.  Every field is
 * listed so that -Wmissing-field-initializers stays quiet in callers. */
#define HF_OPTIONS_INIT                                                                          \
	{                                                                                        \
		HF_OPTIONS_VERSION, NULL, NULL, NULL, NULL, HF_AUTH_AUTO, -1, 0L, 0L, NULL, 0,  \
			NULL, NULL, NULL, NULL, NULL, NULL, HF_LOG_ERROR, 0, 0, NULL, NULL, 0L,  \
			0, NULL, NULL, NULL, 0L                                                  \
	}

/* Initialise *opts as HF_OPTIONS_INIT does, for a caller that knows the given version of the
 * struct (1 or HF_OPTIONS_VERSION).  Returns 0, or -EINVAL for an unknown version. */
int hf_options_init(hf_options *opts, unsigned int version);

/*
 * Create a client.  Nothing is sent to the BMC yet: the connection is opened, and the session
 * created, on the first request that needs them.
 *
 * On success *ret is a new client owned by the caller (free it with hf_client_free()). Returns
 * -EINVAL for invalid options (the message is passed to opts->log_fn at HF_LOG_ERROR, since there
 * is no client yet to carry it), -ENOTSUP for a transport that is not available, -ENOMEM.
 */
int hf_client_new(hf_client **ret, const hf_options *opts);

/*
 * Free a client.  If the client created a session (and it was not detached), the session is
 * deleted on the BMC first; a failure to do so is logged at HF_LOG_ERROR.  Call
 * hf_client_logout() first to learn whether the logout worked.  Accepts NULL.
 */
void hf_client_free(hf_client *client);

/* A failure, as recorded by the last failed call of this thread on this client. */
typedef struct hf_error {
	int code; /* negative errno returned by the call, 0 if none */
	int kind; /* enum hf_error_kind */
	int http_status; /* 0 when no HTTP response was involved */
	const char *message; /* human-readable, never NULL (may be "") */
	const hf_redfish_error *redfish; /* the BMC's error body, or NULL */
} hf_error;

/*
 * The last failure of the calling thread on this client.  Never NULL; kind is HF_ERROR_NONE
 * when there was none.  Borrowed: valid until the next call on this client by this thread.
 */
const hf_error *hf_client_last_error(const hf_client *client);

/* The name of the transport in use ("https", "agent", ...), borrowed. */
const char *hf_client_transport(const hf_client *client);

/* The BMC's identity for caches and host-wide limits, e.g. "https://10.0.0.5:443", borrowed. */
const char *hf_client_endpoint(const hf_client *client);

/*
 * Send one request and wait for its response.
 *
 *  method   "GET", "HEAD", "POST", "PUT", "PATCH" or "DELETE".
 *  path     absolute path on the BMC ("/redfish/v1/Systems/1/"), with optional query.
 *           A full URL on the same BMC is accepted too.
 *  headers  NULL, or "Name: value" strings ended by NULL; they replace the library's own
 *           headers of the same name.
 *  body, body_len  request body (NULL, 0 for none).  If it is not JSON, give a Content-Type
 *           header.
 *
 * Authentication, retries of idempotent requests, re-login after an expired session and
 * redirects (GET, HEAD) are handled here.
 *
 * Returns 0 and the response in *ret (owned by the caller) when the BMC answered, whatever the
 * HTTP status: check hf_response_status().  Returns a negative errno when there is no answer
 * to give: -EINVAL (invalid input, nothing sent), -EACCES (authentication failed),
 * -ETIMEDOUT, -ECONNREFUSED/-ECONNRESET/-EHOSTUNREACH (connection), -EBUSY (all of the host's
 * connections to this BMC stayed in use for slot_wait_ms), -EINTR (hf_client_interrupt()),
 * -EKEYREJECTED (the BMC's certificate could not be verified), -EPROTO (malformed answer),
 * -EFBIG (answer over max_response_size), -ENOTSUP (transport unavailable), -ENOMEM.
 */
int hf_request(hf_client *client, const char *method, const char *path, const char *const *headers,
	       const void *body, size_t body_len, hf_response **ret);

/* Shorthands for hf_request().  hf_request_json() serialises "body" (borrowed; NULL: no body). */
int hf_get(hf_client *client, const char *path, hf_response **ret);
int hf_request_json(hf_client *client, const char *method, const char *path,
		    const char *const *headers, struct json_object *body, hf_response **ret);

/*
 * hf_request() with a body read piece by piece as it is sent, never held whole (an upload
 * relayed from elsewhere).  read() fills up to len bytes of buf and stores how many in *got;
 * it returns 0 (*got 0 only after length bytes) or a negative errno, which aborts the request
 * and is returned.  Framed by Content-Length: length.  Sent at most once: never resent, and
 * not replayed after a 401 (the body cannot be rewound): a 401 is the caller's to handle.
 * Returns as hf_request().
 */
typedef int (*hf_read_fn)(void *userdata, void *buf, size_t len, size_t *got);
int hf_request_stream(hf_client *client, const char *method, const char *path,
		      const char *const *headers, size_t length, hf_read_fn read, void *userdata,
		      hf_response **ret);

/*
 * Create the session now, if the auth mode uses one and there is none yet.  Returns 0, or
 * -EACCES (rejected: see hf_client_last_error()), -EUSERS (the BMC's session limit is reached),
 * or a transport error.
 */
int hf_client_login(hf_client *client);

/*
 * Delete the client's session on the BMC (whether it created or resumed it).  Returns 0 when
 * it is gone (including when the BMC had already forgotten it), a negative errno when the
 * DELETE failed (the session may still exist: the error says so).  0 when there is none.
 */
int hf_client_logout(hf_client *client);

/*
 * The current session: its token and URI (path), borrowed until the next call on the client.
 * Returns 0, or -ENOENT when there is no session.  Either output may be NULL.
 * A re-login in another thread frees them: while other threads use the client, call
 * hf_client_session_dup() instead.
 */
int hf_client_session(const hf_client *client, const char **token, const char **uri);

/*
 * Copies of the current session's token and URI, taken consistently while other threads may
 * be re-logging in.  On success the outputs (either may be NULL) belong to the caller: free()
 * them (wipe the token first: it is a credential).  *uri may be set to NULL when the BMC did
 * not tell where the session is.  Returns 0, -ENOENT (no session), -ENOMEM.
 */
int hf_client_session_dup(hf_client *client, char **token, char **uri);

/*
 * Use an existing session (for example one kept in a cache by an earlier process) for the
 * following requests.  The client does not delete it at free unless hf_client_keep_session()
 * says so.  If the BMC no longer knows it, the client logs in again when it has a password.
 * Returns 0, -EINVAL (token with CR/LF, invalid URI), -EBUSY (the client already has a
 * session), -ENOMEM.
 */
int hf_client_resume_session(hf_client *client, const char *token, const char *uri);

/*
 * Decide what hf_client_free() does with the current session.  keep = 1: leave it on the
 * BMC (the caller took it over, for example into a session cache); keep = 0: delete it at
 * free (the client owns it).  Returns 0, or -ENOENT when there is no session.
 */
int hf_client_keep_session(hf_client *client, int keep);

/*
 * Like hf_client_keep_session(client, 1), for a session the caller has stored in the file
 * HOLDER (an absolute path; write the file first): once that file no longer holds the
 * session's token (removed, or overwritten with another session), the session is an orphan
 * for hf_client_prune_sessions().  Returns 0, -EINVAL, or -ENOENT when there is no session.
 */
int hf_client_keep_session_in(hf_client *client, const char *holder);

/* hf_client_prune_sessions() flags */
#define HF_PRUNE_ALL 1u /* also every other session on the BMC (administrators only) */

/*
 * Delete the sessions this host created and nobody owns any more: left by processes that
 * were killed or crashed (libhostfish journals every session it creates, under
 * $HOSTFISH_RUNTIME_DIR/journal/).  Each orphan is deleted with its own token, so no
 * credentials are needed.  Kept sessions are not orphans while their holder file holds them
 * (hf_client_keep_session_in()).  With
 * HF_PRUNE_ALL, every other session on the BMC except the client's own is deleted too, with
 * the client's credentials.  *deleted (may be NULL) counts the sessions deleted.  Returns 0,
 * or -EIO when some could not be deleted (see hf_client_last_error()).
 */
int hf_client_prune_sessions(hf_client *client, unsigned flags, unsigned *deleted);

/*
 * Abort the requests in flight on this client (they return -EINTR); requests started after
 * the call are not affected, so a signal handler can call this and the program can still
 * log out before it exits.  Async-signal-safe.  Accepts NULL.
 */
void hf_client_interrupt(hf_client *client);

/* ---- responses ---- */

/* HTTP status code, and the reason phrase (borrowed, may be ""). */
int hf_response_status(const hf_response *resp);
const char *hf_response_reason(const hf_response *resp);

/* The value of the first header of that name (case-insensitive), or NULL.  Borrowed. */
const char *hf_response_header(const hf_response *resp, const char *name);

/* Number of headers, and the i-th one (0-based) in arrival order.  Returns 0, or -ERANGE. */
size_t hf_response_header_count(const hf_response *resp);
int hf_response_header_at(const hf_response *resp, size_t i, const char **name,
			  const char **value);

/* The body as received after transfer and content decoding; NUL-terminated for
 * convenience (len excludes the NUL).  Borrowed.  len may be NULL. */
const char *hf_response_body(const hf_response *resp, size_t *len);

/* The body parsed as JSON, or NULL if it is empty or not JSON.  Borrowed: take a reference
 * with json_object_get() to keep it beyond the response. */
struct json_object *hf_response_json(const hf_response *resp);

/* The request that produced this response (after redirects: the last one).  Borrowed. */
const char *hf_response_method(const hf_response *resp);
const char *hf_response_url(const hf_response *resp);
const char *hf_response_path(const hf_response *resp);
const char *hf_response_request_body(const hf_response *resp, size_t *len);

/* The Redfish error in the body ("error" object or top-level @Message.ExtendedInfo), or
 * NULL when there is none.  Borrowed. */
const hf_redfish_error *hf_response_redfish_error(const hf_response *resp);

void hf_response_free(hf_response *resp);

/* ---- Redfish errors ---- */

/* One @Message.ExtendedInfo entry.  Strings are NULL when absent (and not completed). */
typedef struct hf_message {
	const char *message_id;
	const char *message;
	const char *severity;
	const char *resolution;
	const char *const *message_args;
	size_t n_message_args;
	int completed; /* nonzero: message/severity/resolution were filled in from a message
			  registry because the BMC sent only the MessageId (iLO's short form) */
} hf_message;

/* "error.code" and "error.message", borrowed, NULL when absent. */
const char *hf_redfish_error_code(const hf_redfish_error *err);
const char *hf_redfish_error_message(const hf_redfish_error *err);

/* Number of ExtendedInfo entries and the i-th one (borrowed), NULL past the end. */
size_t hf_redfish_error_count(const hf_redfish_error *err);
const hf_message *hf_redfish_error_info(const hf_redfish_error *err, size_t i);

/* The stable code (enum hf_redfish_code) of the first entry whose MessageId is known, else
 * of the first entry, else of error.code. */
int hf_redfish_error_class(const hf_redfish_error *err);

/*
 * Complete, in place, the Redfish messages of resp that the BMC sent as a MessageId only
 * (iLO's short form, e.g. "iLO.2.14.PropertyValueBadParam"): Message (MessageArgs put in for
 * %1..%N), Severity and Resolution are taken from the BMC's own message registries, matched
 * on registry prefix and major version (the highest minor version the BMC has).  Messages of
 * the DMTF Base registry are completed from a built-in copy already when the response is
 * built; this call completes the others and marks them hf_message.completed.
 *
 * The registries are read from the BMC (/redfish/v1/Registries/, each registry file, then the
 * registry it locates on the BMC; never an off-host PublicationUri) and cached per BMC in
 * $HOSTFISH_STATE_DIR/registries/ (default /var/lib/hostfish; directory 0700, files 0600,
 * replaced atomically, re-read after 7 days).  Bounds: a call makes no request when the
 * cache has what it needs, else at most 69 (the collection, up to 64 registry files, up to 4
 * registries); none for a 401 response, and no more once one is answered 401 (the
 * registries need credentials: the built-in Base registry is all there is then).  The errors
 * of these requests are not resolved in turn.
 *
 * Like every call it resets hf_client_last_error().  resp must not be used by another thread
 * meanwhile.  Returns the number of messages completed (0 when there was nothing to do or
 * nothing could be found: failures to read the registries are logged at HF_LOG_DEBUG, not
 * returned), -EINVAL, -ENOMEM.
 */
int hf_client_resolve_messages(hf_client *client, hf_response *resp);

/* ---- desired state ---- */

/* hf_apply() flags */
#define HF_APPLY_DRY_RUN 1u /* compare and report, send no PATCH */
/* hf_apply() result bits */
#define HF_APPLY_CHANGED 1 /* a resource was changed (with HF_APPLY_DRY_RUN: would be) */
#define HF_APPLY_FAILED 2 /* a resource failed (see the report) */

/*
 * Bring resources to a desired state, idempotently.  desired (borrowed) maps resource paths
 * ("/redfish/v1/...", no query, no "..") to objects of the properties they should have;
 * nested objects are compared member by member, arrays and other values as wholes.  For each
 * resource, in order: GET it, compare, PATCH only what differs (a minimal nested body) with
 * If-Match on its ETag (header, else @odata.etag); after a 412, read again and retry once.  A
 * property the resource lacks, or a value the checks of hostfish-config.h refuse, fails the
 * resource before its PATCH; others go on.  A @Redfish.Settings resource is changed through
 * its SettingsObject; what it shows only after the next reset is reported pending.
 *
 * Nothing is sent when desired is invalid: not an object, a path or value as above, an
 * "@odata." key at any depth, a non-finite number, nesting deeper than 32, more than 256
 * resources, one resource given twice (with and without the trailing slash).
 *
 * On success *report (owned by the caller, json_object_put()) is:
 *   {"changed": bool, "failed": bool, "dry_run": bool,
 *    "resources": [{"path": P,
 *                   "status": "unchanged" | "changed" | "would_change" | "pending" | "failed",
 *                   "target"?: the settings object PATCHed instead of P,
 *                   "changes"?: [{"property": JSON Pointer (RFC 6901), "old": V, "new": V}],
 *                   "patch"?: the body that would be sent (dry run),
 *                   "pending"?: [JSON Pointer...] (accepted, not in effect yet),
 *                   "retried"?: true (after a 412),
 *                   "messages"?: [{"MessageId", "Message"?, "Severity"?, "Resolution"?}],
 *                   "error"?: {"kind": enum hf_error_kind, "http_status": N (0: none),
 *                              "message": text, "messages"?: [...]}}]}
 * and the return value is 0 (nothing to change), or HF_APPLY_CHANGED and/or HF_APPLY_FAILED
 * bits; after a failed resource hf_client_last_error() describes the first one.
 * Returns -EINVAL (invalid desired state or flags, nothing sent; see hf_client_last_error()),
 * -ENOMEM.
 */
int hf_apply(hf_client *client, struct json_object *desired, unsigned flags,
	     struct json_object **report);

/* ---- host discovery and the Redfish Host Interface ---- */

/*
 * Describe what this host offers to reach its BMC, without contacting it: the SMBIOS Type 42
 * records ("host_interfaces"), the host interface's NIC ("nic") and the BMC's address on it
 * ("endpoint"), the BMC's PCI functions ("pci"), the CHIF device and library ("chif"), the
 * host interface's credential sources ("credentials"), the transport "auto" would choose and
 * why ("transport": {"choice": "hostif"|"chif"|"none", "why": ...}) and what went wrong
 * ("errors", always present).  smbios_file: a "dmidecode --dump-bin" file, NULL for the
 * kernel's tables.  flags: 0.  Returns 0 and *ret (owned by the caller, json_object_put()),
 * -EINVAL, -ENOMEM.  Problems found on the host are reported in the document, not as a
 * failure.
 */
int hf_discover(const char *smbios_file, unsigned flags, struct json_object **ret);

/*
 * Trust the certificate the BMC presents on the host interface now: connect (bound to the
 * host interface's NIC), and pin its SHA-256 fingerprint for the hostif transport's trust on
 * first use, replacing an earlier pin.  opts (HF_OPTIONS_VERSION): smbios_file, timeout_ms and
 * the log callback are used.  Returns 0 with the fingerprint ("AB:CD:...") and the pin file's
 * path (both owned by the caller, free()), or a negative errno with the reason logged at
 * HF_LOG_ERROR: -ENOTSUP (no host interface), -ECONNREFUSED, -ETIMEDOUT..., -EPERM (the state
 * directory, $HOSTFISH_STATE_DIR or /var/lib/hostfish, is not private).
 */
int hf_hostif_trust(const hf_options *opts, char **ret_fingerprint, char **ret_pin_file);

/*
 * Bring the host interface's NIC up and give it the host address its Type 42 record
 * specifies (static or auto-configure) when it lacks it; for a DHCP-assigned host address
 * the report says what is needed.  Needs root (-EPERM).  opts as for hf_hostif_trust().
 * Returns 0 and a report (owned by the caller): {"interface", "host_ip_assignment",
 * "actions": [...], "dhcp"?}, or a negative errno with the reason logged.
 */
int hf_hostif_up(const hf_options *opts, struct json_object **ret);

/*
 * HPE application accounts (iLO 7): an account whose token HPE's vendor library keeps in the
 * host's TPM and exchanges for a session on the host interface (the hostif transport uses it
 * when no user name is given).  action: "status", "create" (needs opts->username and
 * opts->password of an iLO user allowed to create it) or "delete".  opts (HF_OPTIONS_VERSION):
 * chif_library (NULL: $HOSTFISH_CHIF_LIBRARY, then HPE's locations), username, password and
 * the log callback are used.  Returns 0 and a report (owned by the caller, json_object_put()):
 * {"library", "app_id", "ready", "ilo_type"?, "security_state"?, "exists", "action"?}, or a
 * negative errno with the reason logged at HF_LOG_ERROR: -EINVAL, -ENOTSUP (no library with
 * these entry points), -EACCES (credentials missing or rejected), -EEXIST, -ENOENT (no
 * account to delete), -EIO.
 */
int hf_appaccount(const hf_options *opts, const char *action, struct json_object **ret);

/* ---- certificates and licence (HPE iLO 5/6) ----
 *
 * The resources are found from the first manager's Oem.Hpe.Links (SecurityService,
 * LicenseService) and the action targets from the resources' Actions, never from fixed
 * paths.  Every function validates its input before sending anything: invalid input returns
 * -EINVAL with hf_client_last_error() of kind HF_ERROR_USAGE and nothing reaches the BMC.
 * When the BMC answers with an error, the call returns -EACCES (401), -EPERM (403),
 * -ENOENT (404) or -EIO (other 4xx and 5xx) with the status and the BMC's Redfish error in
 * hf_client_last_error(); -ENOTSUP when the BMC does not offer the resource or action, -EPROTO
 * when its answer cannot be understood; other negative errnos as hf_request().  The client
 * may be shared with other threads as for hf_request().
 */

#define HF_CSR_PARAMS_VERSION 1

/* A certificate signing request for the BMC's HTTPS certificate.  All strings are borrowed
 * for the call.  Required: common_name, country (two upper-case letters, ISO 3166), state,
 * city, org; org_unit may be NULL.  No control characters; at most 64 characters (state and
 * city: 128), the X.520 bounds. */
typedef struct hf_csr_params {
	unsigned int version; /* HF_CSR_PARAMS_VERSION */
	const char *common_name; /* the BMC's fully qualified name */
	const char *country;
	const char *state;
	const char *city;
	const char *org;
	const char *org_unit;
	int include_ip; /* nonzero: the BMC adds its IP addresses to the request */
} hf_csr_params;

/*
 * Have the BMC generate a new key pair and a certificate signing request for its HTTPS
 * certificate (iLO: HpeHttpsCert.GenerateCSR), then wait for the request: the BMC makes it in
 * the background (HPE: up to 10 minutes) and publishes it as the HttpsCert resource's
 * CertificateSigningRequest, which is polled (every 0.25 s at first, then less often, up to
 * every 5 s) until it holds a new request.  wait_ms bounds the wait (0: 600000, HPE's 10
 * minutes); past it, -ETIMEDOUT.  progress (may be NULL) is called with phase "csr" and the
 * seconds waited out of wait_ms / 1000; a nonzero return cancels the wait (-ECANCELED).
 * Returns 0 and the PEM request in *ret_pem (owned by the caller, free()).
 */
int hf_https_csr(hf_client *client, const hf_csr_params *params, long wait_ms,
		 hf_progress_fn progress, void *userdata, char **ret_pem);

/*
 * Import a signed certificate for the key of the last request (iLO:
 * HpeHttpsCert.ImportCertificate; an iLO then resets itself to use it).  pem, len: one PEM
 * certificate, checked first (-EINVAL when it is not a parseable certificate, holds a private
 * key, or has expired) and sent re-encoded as PEM.  Returns 0.
 */
int hf_https_cert_import(hf_client *client, const char *pem, size_t len);

/*
 * Describe the BMC's HTTPS certificate.  *ret (owned by the caller, json_object_put()):
 * {"subject", "issuer", "serial", "not_before", "not_after" (as the BMC reports them, from
 * X509CertificateInformation), "sha256_fingerprint" ("AB:CD:..." or null),
 * "fingerprint_source" ("bmc": a certificate the BMC returned; "tls": the certificate the
 * BMC presents in TLS, taken only when its serial number is the one the BMC reports; or
 * null), "fingerprint_note" (why there is no fingerprint, or null)}.  iLO's
 * HttpsCert carries no certificate, so over the https and hostif transports it is the one the
 * BMC presented on the connection that read HttpsCert (no connection of its own); over the
 * other transports (CHIF, hostfishd) the fingerprint stays null.  Returns 0.
 */
int hf_https_cert_info(hf_client *client, struct json_object **ret);

/*
 * Describe a PEM certificate without a client: {"subject", "issuer", "serial",
 * "not_before", "not_after" (ISO 8601, UTC), "sha256_fingerprint", "is_ca", "expired"}.
 * Returns 0 and *ret (owned by the caller), -EINVAL when pem does not hold exactly one
 * parseable certificate or holds a private key, -ENOMEM.  Thread-safe.
 */
int hf_cert_pem_info(const char *pem, size_t len, struct json_object **ret);

/*
 * The BMC's licence: the LicenseService member (read with iLO's "?only" query, which returns
 * a one-member collection's member directly; else the collection's first member), as the BMC
 * returns it (iLO: "License", "LicenseType", "LicenseTier", "LicenseKey" with all but its last
 * group masked...).  Returns 0 and *ret (owned by the caller, json_object_put()).
 */
int hf_license_info(hf_client *client, struct json_object **ret);

/*
 * Install a licence key (POST {"LicenseKey"} to the LicenseService).  key: 25 letters or
 * digits in five groups of five separated by '-' (HPE's format; lower case is sent upper
 * case), else -EINVAL.  The key is a secret: it is never logged (request logs mask
 * LicenseKey).  Returns 0.
 */
int hf_license_install(hf_client *client, const char *key);

/*
 * Enable (enable nonzero) or disable certificate login (PATCH CertificateLoginEnabled of the
 * SecurityService's CertificateAuthentication).  An iLO without an Advanced licence refuses
 * to enable it (iLO.2.x.LicenseKeyRequired: -EIO, HTTP 400).  Returns 0.
 */
int hf_cert_login_set(hf_client *client, int enable);

/*
 * Import a CA certificate that users' client certificates chain to
 * (HpeCertAuth.ImportCACertificate).  pem, len: one PEM certificate of a CA (basic
 * constraints CA:TRUE), not expired, else -EINVAL.  Returns 0.
 */
int hf_cert_ca_import(hf_client *client, const char *pem, size_t len);

/*
 * Map a client certificate to a BMC user for certificate login: POST {"UserName",
 * "Fingerprint" (its SHA-256, computed here), "FingerprintDigestAlgorithm": "SHA256"} to the
 * UserCertificateMapping collection (iLO's HpeiLOAccountCertificateMap).  user: 1 to 39
 * characters without control characters; pem, len: one unexpired PEM certificate; else
 * -EINVAL.  Returns 0, and the fingerprint in *ret_fingerprint (may be NULL; owned by the
 * caller, free()).
 */
int hf_cert_user_map(hf_client *client, const char *user, const char *pem, size_t len,
		     char **ret_fingerprint);

/* ---- tasks (long operations the BMC accepted with 202) ---- */

/*
 * Follow a task until it is over: GET uri (a task monitor, from the Location of a 202, or a
 * Task resource; a path or a URL of this BMC) until the answer is no longer 202 and carries
 * no unfinished TaskState.  Retry-After (delta-seconds) sets the pause between polls (1 s
 * without it; at least 0.1 s, at most 60 s).  timeout_ms bounds the whole wait (<= 0: 30
 * minutes; at most 24 hours).  progress (may be NULL) is called after every poll with phase
 * "task" and the task's PercentComplete out of 100 (0 of 0 when unknown); returning nonzero
 * cancels the wait (-ECANCELED; the task itself goes on).
 *
 * Returns 0 and the final answer in *final (owned by the caller) whatever the task's outcome:
 * hf_task_state() says how it ended.  -ETIMEDOUT when the bound was reached, -ECANCELED,
 * -EINTR (hf_client_interrupt()), or an hf_request() error; hf_client_last_error() tells.
 */
int hf_task_wait(hf_client *client, const char *uri, long timeout_ms, hf_progress_fn progress,
		 void *userdata, hf_response **final);

/*
 * hf_task_wait() on the task a 202 Accepted response (borrowed) started: its Location,
 * resolved against the request's path, first polled after the 202's Retry-After.  -EINVAL
 * when the response is not a 202 with a Location (nothing is sent), -EPROTO when the Location
 * is not on this BMC.
 */
int hf_task_wait_response(hf_client *client, const hf_response *accepted, long timeout_ms,
			  hf_progress_fn progress, void *userdata, hf_response **final);

/*
 * How a task ended, from the final answer of hf_task_wait() or hf_firmware_wait() (static or
 * borrowed from resp): its TaskState ("Completed", "Exception", "Killed", "Cancelled"...);
 * for iLO's UpdateService its Oem.Hpe.State mapped to TaskState words ("Complete" and "Idle"
 * -> "Completed", "Error" -> "Exception"); otherwise "Completed" for a 2xx answer and
 * "Exception" for any other.  NULL resp: "Exception".
 */
const char *hf_task_state(const hf_response *resp);

/* ---- crawl ---- */

/* hf_crawl() flags */
#define HF_CRAWL_FORCE 1u /* write into a non-empty directory, replacing files of the same
			     names (never following symbolic links) */

/*
 * Mirror the resource tree below "path" (NULL: the service root, "/redfish/v1/") into the
 * directory "outdir" in the layout of DMTF's Redfish Mockup Creator: the resource at
 * /redfish/v1/A/B/ becomes outdir/redfish/v1/A/B/index.json (the body exactly as received).
 * Every @odata.id found at any depth of a resource (Members, Links, Oem, arrays; '#fragment'
 * removed) is followed once, when it is a path of this BMC below "path".  From the service
 * root, /redfish (outdir/redfish/index.json), /redfish/v1/odata and /redfish/v1/$metadata
 * (index.xml) are captured too when the BMC serves them.
 *
 * The BMC's answers are untrusted: a link with "." or ".." or empty segments, a backslash,
 * control characters, percent-encoded dots, slashes, backslashes or control characters, a
 * query, or a URL of another host is not followed but listed in the report ("refused"), and
 * nothing is ever written outside outdir: directories are walked with O_NOFOLLOW from a
 * descriptor of outdir, files written under a temporary name and renamed.  Bounds: 100000
 * resources (the report says "truncated"), 32 path segments, 1024 bytes per path, the
 * client's max_response_size per answer, 4 GiB in all.
 *
 * outdir is created (with its missing parents) with mode 0700, since a crawl holds serial
 * numbers and addresses; directories inside are 0755 and files 0644 (before the umask).  An
 * existing outdir keeps its mode and must be empty unless flags has HF_CRAWL_FORCE.
 *
 * jobs: parallel requests, 1 to 8 (0: 4), at most the client's max_connections; each holds one
 * of the client's pooled connections (and one of the host's 8 slots).  When other processes
 * hold the host's slots, a thread that gets none within slot_wait_ms ends and the crawl goes
 * on with the others (with none at all, it fails with -EBUSY).  progress (may be NULL)
 * is called with phase "crawl", resources done and resources known, from the crawl's threads
 * one at a time; returning nonzero cancels the crawl (-ECANCELED).  hf_client_interrupt()
 * stops it (-EINTR).
 *
 * A resource that fails (an HTTP error such as 404 or 500, a malformed, oversized or late
 * answer, a connection cut while answering, a file that cannot be written because something
 * is in the way) is recorded and the crawl goes on; links in it are not followed.  Returns the
 * number of such failures (0: a complete mirror) and *report (owned by the caller,
 * json_object_put()): {"root", "out", "jobs", "resources" (files
 * written), "bytes", "elapsed_ms", "error_count", "errors": [{"path", "status", "kind",
 * "message"}], "refused_count", "refused": [{"link", "from", "reason"}], "out_of_scope",
 * "truncated"} (at most 1000 entries listed in each array).  Returns a negative errno without a
 * report when the crawl could not run or stopped: -EINVAL (invalid arguments: nothing was
 * sent), -EEXIST (outdir not empty: nothing was sent), other errors creating outdir, -EACCES
 * (authentication), a transport error, -EINTR, -ECANCELED, -EFBIG (4 GiB written), -ENOSPC...;
 * files written before the failure stay.  hf_client_last_error() tells more, in the calling
 * thread.  Thread-safe like hf_request(): other threads may use the client meanwhile.
 */
int hf_crawl(hf_client *client, const char *path, const char *outdir, unsigned jobs,
	     unsigned flags, hf_progress_fn progress, void *userdata, struct json_object **report);

/* ---- utilities ---- */

/* The library's version, "MAJOR.MINOR.PATCH", static. */
const char *hf_version(void);

/* A static English description of an enum hf_error_kind value. */
const char *hf_error_kind_name(int kind);

/*
 * A copy of a request path or URL that is safe to log or print: the password of a URL's
 * user information ("https://user:****@host/") and the values of query parameters whose names
 * look secret ("?token=****", "password", "secret", "key"...) are masked.  Anything else is
 * kept.  Returns a string to free(), or NULL (NULL given, or no memory).
 */
char *hf_mask_uri(const char *uri);

#ifdef __cplusplus
}
#endif
#include "hostfish-bmc.h" /* the rest, one header per area (also alone): BMC reset, waits */
#include "hostfish-logs.h" /* log services, cursors */
#include "hostfish-query.h" /* the service root's links, collections in few requests */
#include "hostfish-subscriptions.h" /* push event subscriptions, journaled */
#include "hostfish-watch.h" /* inventory, sensors, metrics */
#include "hostfish-config.h" /* apply's checks, export, settings results, accounts */
#include "hostfish-firmware.h" /* firmware uploads; packages flashed as HPE's tools do */
#include "hostfish-events.h" /* the event service's server-sent event stream */
#include "hostfish-fwmgmt.h" /* repository, task queue, install sets, windows, pull */
#endif /* HOSTFISH_H */
