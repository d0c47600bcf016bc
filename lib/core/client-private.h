/* SPDX-License-Identifier: MIT */
/*
 * client-private.h - the client object, shared by client.c, session.c and response.c.
 */
#ifndef HOSTFISH_CLIENT_PRIVATE_H
#define HOSTFISH_CLIENT_PRIVATE_H

#include <pthread.h>

#include "hostfish-private.h"
#include "journal.h"
#include "service-root.h"
#include "transport.h"

struct hf_err_rec {
	int op_interrupts; /* c->interrupts when this thread's public call began */
	int op_depth; /* > 0 inside an operation (hf_op_enter): nested calls keep its snapshot */
	bool unsent; /* the failed request is known not to have reached the BMC */
	hf_error pub;
	char *message;
	hf_redfish_error *rf;
	hf_client *owner;
	struct hf_err_rec *next, *prev; /* in owner->errs */
};

struct hf_client {
	struct hf_logger log;
	char *url;
	char *username;
	char *password;
	int auth; /* resolved: never HF_AUTH_AUTO */
	bool auth_was_auto; /* chosen by the library: a resumed session may still change it */
	int retries;
	long connect_timeout_ms;
	long timeout_ms;
	size_t max_response;
	int max_conns;

	struct hf_transport transport;
	char *origin; /* "https://host:port" for Location checks, or NULL (in-band) */

	/* connection pool: at most max_conns, each used by one request at a time */
	pthread_mutex_t lock;
	pthread_cond_t conn_free;
	void *conns[HF_MAX_CONNECTIONS];
	bool conn_busy[HF_MAX_CONNECTIONS];
	bool conn_open[HF_MAX_CONNECTIONS];
	int slot_fd[HF_MAX_CONNECTIONS]; /* the host-wide slot each connection holds */
	int64_t idle_since[HF_MAX_CONNECTIONS]; /* hf_now_ms() when it was last given back */
	long idle_ms; /* close a connection idle this long; -1: never */
	/* the reaper: a thread that closes idle connections (started with the first one) */
	pthread_t reaper;
	bool reaper_started, reaper_stop;
	pthread_cond_t reaper_cond; /* CLOCK_MONOTONIC; signalled on release and at free */
	struct hf_slots slots;

	/*
	 * session: the fields are guarded by session_lock, held only to read or assign them
	 * (never across a request).  Logging in, again, out or pruning is the session
	 * operation of one thread at a time (session_owner, session_depth: re-entrant); the
	 * others wait for it on session_cond, bounded and interruptibly (hf_session_op_begin).
	 */
	pthread_mutex_t session_lock;
	pthread_cond_t session_cond; /* CLOCK_MONOTONIC; broadcast when an operation ends */
	pthread_t session_owner;
	int session_depth;
	char *token;
	char *session_uri;
	bool owns_session; /* delete it at free */
	unsigned session_gen; /* bumped on every login: one re-login per expiry */
	int64_t relogin_ms; /* hf_now_ms() of the last re-login, 0: none yet */
	bool session_proven; /* the BMC accepted the current session at least once */
	char *sessions_path; /* the sessions collection logins go to (session.c) */
	struct hf_root_cache root; /* the service root's links and features (service-root.c) */
	struct hf_journal journal; /* its endpoint, and our session's lock while we own it */
	char *basic_auth; /* "Basic base64", whenever a user name and password were given */
	/* host-interface credentials (client.c): found at the first login, never at creation */
	bool hostif_creds; /* no --user over hostif: hf_client_hostif_creds() finds them */
	bool hostif_kept; /* the ones held are kept IPMI bootstrap credentials (renewable) */

	/* bumped by hf_client_interrupt(): requests started under an older value abort */
	volatile int interrupts;

	/* last error, per thread */
	pthread_key_t err_key;
	struct hf_err_rec *errs; /* live threads' records: a thread's goes when it ends, the
				  * rest with the client */
};

/* The client's current session, as the journal records it. */
static inline struct hf_journal_session hf_journal_session_of(const hf_client *c)
{
	struct hf_journal_session s = { c->token, c->session_uri, c->username, NULL };

	return s;
}

/* How a request is sent by client_send(). */
enum {
	HF_SEND_AUTH = 1 << 0, /* add the client's credentials (token or Basic) */
	HF_SEND_NO_RETRY = 1 << 1,
	/*
	 * An interrupt may stop the request before it leaves, never after: its answer must be
	 * read (within the timeout), because the BMC may have created something only that
	 * answer names - a login's session, which could otherwise never be deleted.
	 */
	HF_SEND_ANSWER_NEEDED = 1 << 2,
};

/* client.c */
void hf_client_set_error(hf_client *c, int code, int kind, int http_status,
			 const hf_redfish_error *rf, const char *fmt, ...) _hf_printf_(6, 7);
void hf_client_clear_error(hf_client *c);
/* Input refused before anything was sent: "WHY; nothing was sent", -EINVAL (HF_ERROR_USAGE). */
int hf_client_usage_error(hf_client *c, const char *fmt, ...) _hf_printf_(2, 3);
/*
 * An answer that is not a success, recorded as "WHAT PATH: STATUS REASON" with the BMC's
 * Redfish error: 401 -EACCES (auth), 5xx -EIO (server), 403 -EPERM, 404 -ENOENT, other -EIO.
 */
int hf_client_http_error(hf_client *c, const hf_response *resp, const char *what);
/*
 * The transport's own credentials (no --user), for the login about to happen, within the
 * session operation.  refused false: find them unless held (0: log in with c->username and
 * c->password; 1: an HPE application account's session is now the client's).  refused true:
 * the BMC answered 401 to the held ones: 0 when they were kept IPMI bootstrap credentials and
 * new ones replaced them, else -EACCES.  Errors are recorded.
 */
int hf_client_hostif_creds(hf_client *c, bool refused);
/* Start of a public call: clear the thread's error and note the interrupt count, so that
 * hf_client_interrupt() aborts every request of the call, including ones not yet started. */
void hf_client_begin(hf_client *c);
/* pool.c: take a connection (opening one, with a host-wide slot, when none is free), give
 * it back (broken: its state is unknown, close it), stop the idle reaper (hf_client_free).
 * Acquiring waits for one of the client's own connections until DEADLINE (hf_now_ms() time,
 * <= 0: none) and stops at hf_client_interrupt(): -ETIMEDOUT, -EINTR, -EBUSY (no host
 * slot), or the transport's error. */
int hf_pool_acquire(hf_client *c, int *slot, int64_t deadline, int interrupts_seen,
		    char *errbuf, size_t errlen);
void hf_pool_release(hf_client *c, int slot, bool broken);
void hf_pool_stop_reaper(hf_client *c);
/* request.c: the one interruptible sleep: wait ms, unless hf_client_interrupt() is called
 * meanwhile (the count differs from interrupts_seen): then -EINTR. */
int hf_sleep_interruptible(hf_client *c, long ms, int interrupts_seen);
/* errors.c: the key destructor of per-thread records, freeing the rest at hf_client_free(),
 * the interrupt count the current operation started under. */
void hf_err_key_destroy(void *p);
/* The request that just failed on this thread certainly did not reach the BMC (interrupted
 * before it was sent, no connection): a caller may report "not sent" rather than "unknown". */
void hf_client_mark_unsent(hf_client *c);
bool hf_client_last_unsent(hf_client *c);
/*
 * An operation of many requests (apply, crawl, cert, firmware, task waits): between
 * hf_op_enter() and hf_op_leave() the public calls it makes keep the interrupt snapshot taken
 * when the operation began, so one hf_client_interrupt() (a SIGINT) stops every request that
 * follows, not only the one in flight.  Call hf_client_begin() first; nests.
 */
void hf_op_enter(hf_client *c);
void hf_op_leave(hf_client *c);
static inline void hf_op_leavep(hf_client **c)
{
	if (*c)
		hf_op_leave(*c);
}
/* At the top of a feature's public function, in place of hf_client_begin(c): the operation
 * lasts until the function returns. */
#define HF_OPERATION(c)                                                                     \
	_cleanup_(hf_op_leavep) hf_client *hf_op_ __attribute__((unused)) =                  \
		(hf_client_begin(c), hf_op_enter(c), (c))
void hf_errors_free(hf_client *c);
int hf_op_interrupts(hf_client *c);
/* The cleanup of an interrupted operation (a few bounded requests that undo what it left
 * half done): interrupts until now no longer stop requests; returns the snapshot to give back
 * to hf_op_restore() afterwards. */
int hf_op_rebase(hf_client *c);
void hf_op_restore(hf_client *c, int seen);
int hf_errno_kind(int code);
/*
 * Send one request with retries and redirects but no login logic.  extra: headers that win
 * over the defaults.  session_gen (out, may be NULL): the session generation whose token was
 * sent.  Returns 0 with *ret, or a negative errno with the error recorded.
 */
int hf_client_send(hf_client *c, const char *method, const char *path,
		   const struct hf_headers *extra, const void *body, size_t body_len, int flags,
		   unsigned *session_gen, hf_response **ret);
/* hf_client_send() without body or extra headers, bounded by DEADLINE (hf_now_ms() time)
 * when that comes before the client's timeout: one probe of a wait (bmc.c). */
int hf_client_send_until(hf_client *c, const char *method, const char *path, int flags,
			 int64_t deadline, hf_response **ret);

/*
 * hf_request() for a streamed body (transport.h, struct hf_body_stream): validated, logged in
 * first, sent once (never retried, never replayed after a 401: the stream cannot be rewound;
 * the caller gets the 401 and may start over).  The caller called hf_client_begin().
 * Returns 0 with *ret (any HTTP status), or a negative errno with the error recorded.
 */
int hf_client_request_stream(hf_client *c, const char *method, const char *path,
			     const char *const *headers, const struct hf_body_stream *stream,
			     hf_response **ret);

/*
 * A GET whose 2xx answer's body goes to sink as it arrives (transport.h, struct
 * hf_body_sink; an event stream): logged in first, sent once (no retry: the caller reopens a
 * broken stream from where it was), once more after a 401 on an expired session.  The
 * caller called hf_client_begin().  0 with *ret (any status; a 2xx one's body is empty), or
 * a negative errno with the error recorded (-ENOTSUP: the transport cannot stream).
 */
int hf_client_get_sink(hf_client *c, const char *path, const char *const *headers,
		       const struct hf_body_sink *sink, hf_response **ret);

/* session.c */
/* Become the thread of the session operation (see struct hf_client), waiting for another's
 * until the request timeout and stopping at an interrupt (0, -ETIMEDOUT or -EINTR, with the
 * error set); and end it. */
int hf_session_op_begin(hf_client *c);
void hf_session_op_end(hf_client *c);
/* Log in unless a session exists, as the session operation (taken and ended here). */
int hf_session_ensure(hf_client *c);
/* Set the session's fields under session_lock: a new session (token and URI, owned or not;
 * the generation is bumped), or only its URI. */
void hf_session_set(hf_client *c, char *token, char *uri, bool owned);
void hf_session_set_uri(hf_client *c, char *uri);
/* session.c, for session-end.c: can this client log in on its own (a password or a client
 * certificate)?  Is a session whose token was refused gone (1) or not known (0), asked with
 * this client's own session?  Where is this client's session (the BMC did not say)? */
bool hf_session_can_login(const hf_client *c);
/* session-end.c: the journal's orphans deleted with their own tokens; those whose token is
 * refused are confirmed with this client's session (CONFIRM) or kept. */
int hf_session_prune_journal(hf_client *c, bool confirm, unsigned *deleted, unsigned *failed);
int hf_session_settle_refused(hf_client *c, const char *uri);
int hf_session_discover_own(hf_client *c, char **ret);
/* Log in unless a session exists; within the session operation. */
int hf_session_login_locked(hf_client *c);
/* A 401 came back for a request sent with generation gen: re-login once for all threads. */
int hf_session_relogin(hf_client *c, unsigned gen);
bool hf_session_auth_uses_session(const hf_client *c);
/* The sessions collection (the service root's Links.Sessions), and whether path is one of
 * its members. */
const char *hf_session_collection(hf_client *c);
bool hf_session_in_collection(hf_client *c, const char *path);
/* Free the session state (token wiped) without contacting the BMC; or hand the token and
 * URI over to the caller (to free), the client left without a session. */
void hf_session_forget(hf_client *c);
void hf_session_take(hf_client *c, char **token, char **uri);

/*
 * intent.c: a login in progress.  hf_intent_begin() records "user U logs in from pid P
 * since T" (intent-*.json, its lock held) before the POST; hf_intent_end() removes it once
 * the session is journaled or certainly not created (keep: the outcome is unknown, leave it
 * for prune).  A process killed in between leaves an intent nobody holds: hf_intent_prune()
 * lists the BMC's sessions and deletes those of that user created within the intent's time
 * window that no journal entry and no live login can account for.
 */
struct hf_intent {
	int lock_fd; /* -1: not recorded */
	char *dir;
	char name[48]; /* "intent-<hex>" */
};
void hf_intent_begin(hf_client *c, struct hf_intent *in);
void hf_intent_end(hf_client *c, struct hf_intent *in, bool keep);
int hf_intent_prune(hf_client *c, unsigned *deleted, unsigned *failed, unsigned *waiting);

/* response.c */
int hf_response_build(hf_response **ret, const char *method, const char *url, const char *path,
		      const void *req_body, size_t req_body_len,
		      struct hf_transport_response *tresp, size_t max_decoded);
/* Log a request or response at debug level, secrets masked. */
void hf_log_message(const struct hf_logger *lg, const char *prefix, const char *first_line,
		    const struct hf_headers *headers, const void *body, size_t body_len);

/* client.c: "Basic base64(user:password)" for an Authorization header (caller frees with
 * hf_free_secret()), NULL on ENOMEM. */
char *hf_basic_auth_value(const char *user, const char *password);

/* regcache.c: write a cache root to path ($HOSTFISH_STATE_DIR/registries/..., the
 * directories 0700, the file 0600, replaced atomically).  0 or a negative errno. */
int hf_regcache_store(hf_client *c, const char *path, struct json_object *root);

#endif /* HOSTFISH_CLIENT_PRIVATE_H */
