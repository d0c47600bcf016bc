/* SPDX-License-Identifier: MIT */
/*
 * hostfish-private.h - library-internal declarations shared by src/ and transport/.
 * Nothing here is exported; test programs reach it through libhostfish-internal.la.
 */
#ifndef HOSTFISH_PRIVATE_H
#define HOSTFISH_PRIVATE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "hostfish.h"

#include "atomic-write.h"

#define _hf_public_ __attribute__((visibility("default")))
#define _hf_printf_(a, b) __attribute__((format(printf, a, b)))
#define _cleanup_(f) __attribute__((cleanup(f)))

#define HF_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define HF_DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define HF_DEFAULT_TIMEOUT_MS 30000L
#define HF_DEFAULT_RETRIES 2
#define HF_DEFAULT_MAX_RESPONSE ((size_t)64 << 20)
#define HF_MAX_CONNECTIONS 8
#define HF_DEFAULT_SLOT_WAIT_MS 60000L
#define HF_DEFAULT_IDLE_TIMEOUT_MS 2000L
/* At most one re-login per client within this time: a BMC that refuses every session it just
 * issued costs one session per interval, not one per request. */
#define HF_RELOGIN_INTERVAL_MS 10000
#define HF_MAX_REDIRECTS 5
#define HF_MAX_RETRY_AFTER_MS 60000L
#define HF_MAX_INPUT_SIZE ((size_t)256 << 20) /* request bodies */

/* ---- util.c: buffers, strings, headers ---- */

struct hf_buf {
	char *data; /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
};

int hf_buf_append(struct hf_buf *b, const void *data, size_t len);
int hf_buf_appends(struct hf_buf *b, const char *s);
int hf_buf_printf(struct hf_buf *b, const char *fmt, ...) _hf_printf_(2, 3);
int hf_buf_vprintf(struct hf_buf *b, const char *fmt, va_list ap) _hf_printf_(2, 0);
void hf_buf_reset(struct hf_buf *b);
void hf_buf_free(struct hf_buf *b);
/* Take the contents (never NULL on success: "" for an empty buffer).  NULL on ENOMEM. */
char *hf_buf_steal(struct hf_buf *b);

struct hf_header {
	char *name;
	char *value;
};

struct hf_headers {
	struct hf_header *v;
	size_t n;
	size_t cap;
};

int hf_headers_add(struct hf_headers *h, const char *name, size_t name_len, const char *value,
		   size_t value_len);
/* Replace every header of that name with one (value NULL: remove them all). */
int hf_headers_set(struct hf_headers *h, const char *name, const char *value);
const char *hf_headers_get(const struct hf_headers *h, const char *name);
void hf_headers_clear(struct hf_headers *h);
int hf_headers_copy(struct hf_headers *dst, const struct hf_headers *src);
/* Parse "Name: value" (the form public callers use).  -EINVAL when malformed. */
int hf_headers_add_line(struct hf_headers *h, const char *line);

char *hf_strdup(const char *s); /* NULL in, NULL out */
char *hf_strndup(const char *s, size_t n);
/* The first n bytes of s, or, when longer than max, its start cut on a UTF-8 boundary so that
 * with "..." it fits in max bytes.  Caller frees. */
char *hf_strndup_bounded(const char *s, size_t n, size_t max);
/* How many of the first n bytes of s fit in max without splitting a UTF-8 character. */
size_t hf_utf8_cut(const char *s, size_t n, size_t max);
bool hf_streq(const char *a, const char *b); /* NULL-safe */
bool hf_strcaseeq(const char *a, const char *b);
bool hf_startswith(const char *s, const char *prefix);
/* Overwrite then free a secret. */
void hf_free_secret(char *s);
void hf_wipe(void *p, size_t n);
/* True when the text contains CR, LF or NUL within len (or any control char when strict). */
bool hf_has_crlf(const char *s, size_t len);
/* Milliseconds on the monotonic clock. */
int64_t hf_now_ms(void);
/* A Retry-After value in milliseconds, at most max_ms: delta-seconds only (an HTTP date from
 * a BMC's clock is not trusted); -1 when absent or not delta-seconds. */
long hf_retry_after_ms(const char *v, long max_ms);
/* Sleep, resuming after signals, until the deadline (monotonic ms). */
void hf_sleep_ms(long ms);

static inline void hf_freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(hf_freep)

/* ---- url.c: URLs, paths and Location headers ---- */

struct hf_url {
	char *scheme; /* "https" or "http", lower case */
	char *host; /* without brackets for IPv6 */
	unsigned port;
	char *path; /* path + query, "/" when empty */
};

/* Parse an absolute http(s) URL.  -EINVAL when it is not one (or has user info, CR/LF...). */
int hf_url_parse(const char *text, struct hf_url *url);
void hf_url_clear(struct hf_url *url);
/* True when s starts with "scheme://" (RFC 3986 scheme characters). */
bool hf_url_has_scheme(const char *s);
/* "scheme://host:port" with IPv6 hosts bracketed; caller frees. */
char *hf_url_origin(const struct hf_url *url);
/*
 * Resolve a Location (or @odata.id) value against the request path it answered, and return
 * the path on the same BMC (caller frees).  Absolute URLs must point at "origin" (NULL: any
 * origin is accepted and only the path is kept; a scheme-relative "//host/..." then cannot be
 * resolved and is -EINVAL).  -EINVAL for an empty or malformed value, -EXDEV for another
 * origin.
 */
int hf_location_to_path(const char *location, const char *base_path, const char *origin,
			char **ret);
/* Check a request path: starts with '/', no CR/LF/NUL/control characters, no fragment. */
int hf_path_check(const char *path);
/* Two session URIs name the same resource (ignoring one trailing slash). */
bool hf_path_same(const char *a, const char *b);

/* ---- json.c ---- */

struct json_object;
/* Exactly one RFC 8259 document (white space around it allowed), checked in place. */
bool hf_json_valid(const char *text, size_t len);
/* Parse exactly one strict (RFC 8259) JSON document; NULL when it is not one.  Caller puts. */
struct json_object *hf_json_parse(const char *text, size_t len);
/* The string at obj.keys[0].keys[1]..., or NULL (missing, not an object on the way, not a
 * string). */
const char *hf_json_path_string(struct json_object *obj, const char *const *keys);
/* Append a formatted string to a JSON array: 0 or -ENOMEM. */
int hf_json_array_printf(struct json_object *arr, const char *fmt, ...) _hf_printf_(2, 3);

/* ---- mask.c: secrets out of logs ---- */

/* True for JSON keys whose values are secrets (Password, *password*, *token*...). */
bool hf_mask_is_secret_key(const char *key);
/* True for header names whose values are secrets (X-Auth-Token, Authorization, Cookie...). */
bool hf_mask_is_secret_header(const char *name);
/*
 * A copy of a JSON text with every secret value replaced by "****", pretty or compact.
 * Text that is not JSON yields NULL (callers then log only its size).  Caller frees.
 */
char *hf_mask_json_text(const char *text, size_t len);
/* Mask "Name=value" pairs of form-encoded or query text (sessionKey=..., password=...). */
char *hf_mask_query(const char *text);
/* A path for logs and messages: its query masked like hf_mask_query().  Caller frees; NULL
 * only on ENOMEM. */
char *hf_mask_path(const char *path);

/* ---- rferror.c: Redfish error bodies ---- */

struct hf_registry_entry;

struct json_object;
/*
 * Parse the Redfish error detail out of a JSON body: "error": {code, message,
 * @Message.ExtendedInfo[]} or a top-level @Message.ExtendedInfo.  Short-form entries are
 * completed from the built-in registry.  Returns NULL when there is none (or on ENOMEM).
 */
hf_redfish_error *hf_rferror_parse(struct json_object *body);
hf_redfish_error *hf_rferror_ref(hf_redfish_error *err);
void hf_rferror_unref(hf_redfish_error *err);
/* The stable code of one MessageId ("Base.1.4.NoValidSession" -> HF_RF_NO_VALID_SESSION). */
int hf_rferror_code_of(const char *message_id);
/* True when any entry (or error.code) has that stable code. */
bool hf_rferror_has(const hf_redfish_error *err, int code);
/* Entries that still lack a Message (short form not completed by the built-in registry). */
size_t hf_rferror_incomplete(const hf_redfish_error *err, const char **ids, size_t max);
/* Complete entry i (which lacks a Message) from a registry entry; -ENOMEM. */
int hf_rferror_complete_entry(hf_redfish_error *err, size_t i,
			      const struct hf_registry_entry *reg);

/* ---- registry.c: built-in DMTF Base registry ---- */

struct hf_registry_entry {
	const char *id; /* "NoValidSession" */
	const char *message; /* with %1.. placeholders */
	const char *severity;
	const char *resolution;
	int nargs;
};
/* Look up "Base.1.x.Name" (any Base version); NULL when unknown. */
const struct hf_registry_entry *hf_registry_lookup(const char *message_id);
/* Bounds on what a BMC's error answer can make us hold and print: a message's text (given or
 * formatted from a registry) and one MessageArgs entry, in bytes; longer ones are cut on a
 * UTF-8 boundary and end in "..." */
#define HF_MESSAGE_TEXT_MAX 4096
#define HF_MESSAGE_ARG_MAX 512
/* Substitute %1..%9 in a message, at most HF_MESSAGE_TEXT_MAX bytes; caller frees. */
char *hf_registry_format(const char *message, const char *const *args, size_t nargs);

#define HF_REGISTRY_PREFIX_MAX 64
/* "iLO.2.14.0" (a MessageRegistryFile's Registry) -> "iLO", 2, 14; *rest (may be NULL) points
 * past "Minor." (or at the terminating NUL).  -EINVAL when it is not of that shape. */
int hf_registry_version_split(const char *text, char prefix[HF_REGISTRY_PREFIX_MAX],
			      unsigned *major, unsigned *minor, const char **rest);
/* "iLO.2.14.PropertyValueBadParam" (also with an errata number before the key) -> "iLO", 2,
 * 14 and the key (borrowed from id).  -EINVAL when it is not of that shape. */
int hf_message_id_split(const char *id, char prefix[HF_REGISTRY_PREFIX_MAX], unsigned *major,
			unsigned *minor, const char **name);
/* A MessageRegistryFile: its "Registry" and the Location "Uri" to read (English preferred;
 * ArchiveUri and PublicationUri are not used).  Borrowed from doc.  -EBADMSG, -ENOENT. */
int hf_registry_file_parse(struct json_object *doc, const char **ret_registry,
			   const char **ret_uri);
/* A MessageRegistry document reduced to what completion needs, checked to be the registry
 * prefix/major: {"minor": N, "messages": {Key: {"Message", "Severity"?, "Resolution"?}}}
 * (bounded: 4096 messages, 4 KiB strings).  Caller puts.  -EBADMSG (not a registry),
 * -ENOENT (another registry or major version), -ENOMEM. */
int hf_registry_trim(struct json_object *doc, const char *prefix, unsigned major,
		     struct json_object **ret);
/* One message of a trimmed registry's "messages" as an entry (strings borrowed).  -ENOENT. */
int hf_registry_entry_of(struct json_object *messages, const char *name,
			 struct hf_registry_entry *ret);

/* ---- regcache.c: the BMC's registries, fetched and cached per BMC ---- */

/* Maximum extra requests one hf_client_resolve_messages() call makes: the Registries
 * collection, at most HF_REGISTRY_MAX_FILES registry files, at most HF_REGISTRY_MAX_FETCH
 * registries. */
#define HF_REGISTRY_MAX_FILES 64
#define HF_REGISTRY_MAX_FETCH 4
#define HF_REGISTRY_CACHE_MAX ((size_t)4 << 20) /* bytes of one BMC's cache file */
#define HF_REGISTRY_CACHE_TTL_S (7L * 24 * 3600) /* the index is read again after a week */
/* The cache file of an endpoint: DIR/registries/KEY.json (caller frees); NULL on ENOMEM. */
char *hf_regcache_path(const char *state_dir, const char *endpoint);
/* Parse a cache file's text for endpoint at time now: the root object (caller puts), or NULL
 * when it is not a valid, fresh cache of that endpoint. */
struct json_object *hf_regcache_parse(const char *text, size_t len, const char *endpoint,
				      long long now);
/* Complete the entries of err that lack a Message from a cache root, without requests.
 * Returns the number completed, or -ENOMEM. */
int hf_regcache_complete(struct json_object *cache, hf_redfish_error *err);

/* ---- apply.c: desired state ---- */

/* JSON values equal for apply: objects member by member, arrays in order, 1 == 1.0. */
bool hf_json_same(struct json_object *a, struct json_object *b);
/*
 * Compare a resource with desired properties: *patch is the minimal nested PATCH body (a new
 * object, NULL when nothing differs) and changes (may be NULL) gets one {"property": JSON
 * Pointer, "old", "new"} per differing value.  unknown NULL: properties the resource lacks
 * count as differing; else they fail with -ENOENT and their pointer in *unknown (caller
 * frees).  -EINVAL (desired not an object), -ENOMEM.
 */
int hf_apply_diff(struct json_object *current, struct json_object *desired,
		  struct json_object **patch, struct json_object *changes, char **unknown);
/* Check a desired state (see hf_apply()); -EINVAL with the reason in why. */
int hf_apply_validate(struct json_object *desired, char *why, size_t len);

/* ---- decode.c: content decoding ---- */

/* Inflate a gzip (or zlib/deflate) body, refusing output past max.  -EFBIG, -EPROTO. */
int hf_gunzip(const void *in, size_t in_len, size_t max, struct hf_buf *out);

/* ---- slots.c: the host-wide connection cap ---- */

struct hf_logger;
struct hf_slots {
	char *dir; /* NULL: not enforced (no private runtime directory) */
	int cap;
	long wait_ms;
	const struct hf_logger *log;
};

/* $HOSTFISH_RUNTIME_DIR or /run/hostfish. */
/* The errno that names an HTTP error status (4xx, 5xx): what strerror() says must fit it. */
int hf_status_errno(int status);
const char *hf_runtime_dir(void);
/* Create (0700) or check a directory of ours that nobody else can write. */
int hf_private_dir(const char *path, char *err, size_t errlen);
/* 32 hex characters naming an endpoint in file names. */
int hf_endpoint_key(const char *endpoint, char *out, size_t outlen);
int hf_slots_init(struct hf_slots *s, const char *endpoint, int cap, long wait_ms,
		  const struct hf_logger *log);
void hf_slots_fini(struct hf_slots *s);
/*
 * Take one of the host's slots for the endpoint, waiting in turn up to wait_ms: 0 with the
 * slot's fd in *ret_fd (-1 when the cap is not enforced), -EBUSY when the wait ran out,
 * -EINTR when *interrupts moved away from interrupts_seen.
 */
int hf_slots_acquire(struct hf_slots *s, const volatile int *interrupts, int interrupts_seen,
		     int *ret_fd);
void hf_slots_release(int fd);

/* ---- log.c ---- */

struct hf_logger {
	hf_log_fn fn;
	void *userdata;
	int level;
};

void hf_log(const struct hf_logger *lg, int level, const char *fmt, ...) _hf_printf_(3, 4);
/* Pass a ready text (any length) to the callback, made one line like hf_log() does. */
void hf_log_text(const struct hf_logger *lg, int level, char *text);
/* Make text one line in place: control characters become '?', so input echoed in a message
 * cannot forge log lines. */
void hf_one_line(char *text);
bool hf_log_enabled(const struct hf_logger *lg, int level);

#define hf_log_error(lg, ...) hf_log(lg, HF_LOG_ERROR, __VA_ARGS__)
#define hf_log_warning(lg, ...) hf_log(lg, HF_LOG_WARNING, __VA_ARGS__)
#define hf_log_info(lg, ...) hf_log(lg, HF_LOG_INFO, __VA_ARGS__)
#define hf_log_debug(lg, ...) hf_log(lg, HF_LOG_DEBUG, __VA_ARGS__)

#endif /* HOSTFISH_PRIVATE_H */
