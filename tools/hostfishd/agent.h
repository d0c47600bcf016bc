/* SPDX-License-Identifier: MIT */
/*
 * agent.h - hostfishd, the local agent: one BMC session and at most eight BMC connections,
 * shared by every local client over HTTP/1.1 on a Unix socket.  Public API only (hostfish.h).
 *
 * Threads: the main thread accepts connections and handles signals (signalfd); each client
 * connection gets a thread of its own (at most --max-clients of them); every forwarded
 * request passes the gate (gate.c), which lets at most --max-connections of them into
 * hf_request() at once and queues at most --max-queue more, first come first served.
 */
#ifndef HOSTFISH_AGENT_H
#define HOSTFISH_AGENT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <hostfish.h>

#include "tools.h" /* the CLI's exit codes, shared helpers */

/* HTTP limits that are not options. */
#define HTTP_MAX_REQUEST_LINE 8192 /* bytes, without CRLF: longer is 414 */
#define HTTP_MAX_HEADER_BYTES 32768 /* header section: larger is 431 */
#define HTTP_MAX_HEADERS 100 /* header fields: more is 431 */
#define HTTP_BUF_SIZE (HTTP_MAX_REQUEST_LINE + HTTP_MAX_HEADER_BYTES + 64)

#define STATUS_PATH "/hostfishd/status"
#define METRICS_PATH "/metrics"

enum role {
	ROLE_NONE = 0, /* 403 for everything */
	ROLE_RO = 1, /* GET and HEAD */
	ROLE_RW = 2, /* everything */
};

struct agent_config {
	const char *socket_path;
	int max_connections; /* 1..8 */
	long idle_timeout_ms; /* hf_options.idle_timeout_ms: 0 default, -1 never */
	int max_queue; /* requests admitted but not yet on a BMC connection */
	int max_clients; /* open client connections (= connection threads) */
	size_t max_body;
	size_t max_body_total; /* request body bytes buffered at once (bodies.c) */
	long client_timeout_ms; /* idle keep-alive wait, and receiving one request */
	long timeout_ms; /* --timeout: one BMC request; also the queue wait and the drain */
	long cache_ttl_ms; /* --cache-ttl: 0, no cache */
	long forward_interval_ms; /* --forward-logs: poll the BMC's logs this often; 0: off */
	const char *group;
	const char *ro_group;
	const char *log_file;
	int verbose;
	long metrics_interval_ms; /* --metrics-interval: at most one BMC read per interval */
	const char *metrics_listen; /* --metrics-listen ADDRESS:PORT, or NULL */
	bool metrics_allow_remote; /* --metrics-allow-remote: a non-loopback address is meant */
	bool subscribe; /* --subscribe: an event subscription, received here */
	const char *subscribe_listen; /* --subscribe-listen ADDRESS[:PORT], or NULL */
	const char *subscribe_events; /* --subscribe-events LIST (comma-separated), or NULL */
	const char *runtime_dir; /* $HOSTFISH_RUNTIME_DIR, or its default */
};

/* The gate in front of hf_request() (gate.c). */
struct gate_waiter;
struct gate {
	pthread_mutex_t lock;
	int max; /* requests in hf_request() at once */
	int max_queue;
	int in_use; /* requests in hf_request() now */
	int queued; /* admitted, not yet in hf_request() (reading the body, or waiting) */
	struct gate_waiter *head, *tail; /* FIFO of waiters */
	bool aborting; /* shutting down past the drain bound: waiters give up */
	/* the session as of the last moment no request was in hf_request(); see gate.c */
	bool session_active;
	char session_uri[512];
};

/* Request body bytes being received or forwarded, charged per uid (bodies.c). */
struct body_budget {
	pthread_mutex_t lock;
	size_t total; /* everybody's */
	size_t others; /* of uids other than root and the agent's */
	size_t limited; /* of users without full access */
	struct uid_bytes {
		uid_t uid;
		size_t bytes;
	} *per_uid; /* max_clients entries; free when bytes == 0 */
};

struct agent_counters {
	unsigned long requests; /* requests received (parsed or not) */
	unsigned long errors; /* malformed or unroutable: 400, 404, 405, 408, 411, 417, 501, 505 */
	unsigned long rejected; /* refused by authorization or a limit: 403, 413, 414, 431, 503 */
	unsigned long bmc_errors; /* forwarded, but no answer from the BMC: 502, 503, 504 */
};

struct flights;

struct agent {
	struct agent_config cfg;
	hf_client *client;
	struct gate gate;
	struct flights *flights; /* flight.c */
	int listen_fd;
	bool activated; /* listen_fd came from systemd: its socket file is not ours to remove */
	int stop_fd; /* eventfd, readable once the agent stops: idle connections close */
	int stopping; /* atomic */
	uid_t self_uid;
	int64_t start_ms;
	struct agent_counters counters; /* atomic adds */
	struct agent_metrics *metrics; /* metrics.c */
	int metrics_fd; /* --metrics-listen's TCP socket, or -1 */
	int64_t start_wall; /* time(NULL) at the start */

	/* client connections, for --max-clients and the drain at exit */
	pthread_mutex_t clients_lock;
	pthread_cond_t clients_cond;
	int clients;
	/* connections of users without full access (not root, not the agent's user, not in
	 * --group): per uid (a small table, one entry per such uid connected) and in all.  One
	 * user cannot take them all: each uid gets at most max_clients / 4, and all of them
	 * together max_clients - max_clients / 8, the rest is kept for full access. */
	int unprivileged;
	struct uid_count {
		uid_t uid;
		int n;
	} *per_uid; /* max_clients entries */

	struct body_budget bodies;
	int uploading; /* atomic: an upload is being relayed (upload.c) */
	unsigned long uploads_relayed, uploads_aborted; /* atomic: answered by the BMC; left by
							   their client */

	struct subscriber *subscriber; /* subscribe.c, with --subscribe */
	pthread_t logfwd; /* logfwd.c, with --forward-logs */
	bool have_logfwd;
	/* riding through the BMC's resets (ride.c): enum bmc_state, atomic */
	int bmc_state;
	int bmc_seen; /* atomic: the BMC answered at least once */
	unsigned long bmc_outages; /* atomic */
	pthread_mutex_t ride_lock;
	pthread_t rider;
	bool rider_started;

	/* groups, resolved at start and again on SIGHUP */
	pthread_mutex_t groups_lock;
	bool have_rw_gid, have_ro_gid;
	gid_t rw_gid, ro_gid;
};

enum bmc_state { BMC_OK = 0, BMC_RESETTING = 1, BMC_RECONNECTING = 2, BMC_STATES = 3 };

#define COUNT(a, field) __atomic_add_fetch(&(a)->counters.field, 1, __ATOMIC_RELAXED)

/* ---- log.c ---- */
/* NOTICE: start, stop, configuration; INFO: one line per request; DEBUG: the library's dumps.
 * stderr shows NOTICE and above (-v: INFO, -vv: DEBUG); the log file INFO (-vv: DEBUG). */
enum agent_log_level { ALOG_ERR = 0, ALOG_WARN, ALOG_NOTICE, ALOG_INFO, ALOG_DEBUG };
void agent_log_init(int verbose);
int agent_log_open(const char *path);
int agent_log_reopen(void);
void agent_log_close(void);
void agent_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* hf_log_fn for the library */
void agent_log_library(void *userdata, int level, const char *message);
/* The hf_options.log_level that suits the verbosity. */
int agent_log_library_level(void);

/* ---- util.c ---- */
int64_t now_ms(void);
/* Growable output buffer with a hard bound; after a failure it stays failed. */
struct obuf {
	char *data;
	size_t len, cap, max;
	bool failed;
};
void obuf_add(struct obuf *b, const void *p, size_t n);
void obuf_printf(struct obuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void obuf_free(struct obuf *b);

/* ---- activation.c ---- */
/*
 * The listening socket handed over by systemd (sd_listen_fds(3) protocol): 0 when the agent
 * is not socket-activated; 1 with *fd (non-blocking, close-on-exec, checked to be a listening
 * AF_UNIX stream socket) and its path in path ("@name" when abstract); or a negative errno,
 * logged.  LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES are removed from the environment.
 */
int activation_listen_fd(int *fd, char *path, size_t pathlen);

/* ---- authz.c ---- */
int authz_resolve_groups(struct agent *a);
int authz_peer_role(struct agent *a, int fd, uid_t *uid, pid_t *pid);
/* Socket file permissions: mode 0660, group --group, an ACL entry for --ro-group. */
void authz_secure_socket(struct agent *a, const char *path);
/*
 * A socket made by systemd (socket activation): owner, group and mode stay the socket unit's;
 * only a POSIX ACL entry for --ro-group is added, limited to what the mode grants the owning
 * group (the mode does not change), and only when the socket has no ACL yet.
 */
void authz_grant_ro_group(struct agent *a, const char *path);
const char *role_name(int role);

/* ---- bodies.c ---- */
int bodies_init(struct agent *a);
void bodies_destroy(struct agent *a);
/*
 * Charge len body bytes to uid (of role) before reading them: 0; -EAGAIN when they do not fit
 * now (503 with Retry-After), -EFBIG when they never can for this uid (413); *why says which
 * limit.  A charge is given back with bodies_release(), with the same uid, role and len.
 */
int bodies_reserve(struct agent *a, uid_t uid, int role, size_t len, const char **why);
void bodies_release(struct agent *a, uid_t uid, int role, size_t len);
/* Bytes charged now, everybody's. */
size_t bodies_buffered(struct agent *a);

/* ---- logfwd.c: --forward-logs ---- */
/* Start the forwarding thread (when cfg.forward_interval_ms is set): 0, or -1 (logged). */
int logfwd_start(struct agent *a);
/* Wait for it to end; it ends once a->stopping is set and stop_fd written. */
void logfwd_join(struct agent *a);
/* The journal priority (LOG_*) of a BMC log entry's severity (iLO's own first). */
int logfwd_priority(const char *oem_severity, const char *severity);

/* ---- subscribe.c: --subscribe ---- */
/* The receiving socket and its certificate, then (in a thread of its own, once the BMC
 * answers) orphans pruned and the subscription made: 0, or -1 (logged) when the socket or
 * the certificate cannot be made. */
int subscribe_start(struct agent *a);
/* After a->stopping: the thread joined, the subscription deleted on the BMC (takes the
 * gate).  Returns 0, or the exit code of a failed DELETE (logged). */
int subscribe_stop(struct agent *a);

/* ---- gate.c ---- */
void gate_init(struct gate *g, int max, int max_queue);
void gate_destroy(struct gate *g);
/* Admission: 0, or -EBUSY when in_use + queued already fill connections and queue. */
int gate_reserve(struct gate *g);
void gate_cancel(struct gate *g);
/* With a reservation: wait (FIFO) for a connection until deadline (now_ms() clock).
 * Returns 0, -ETIMEDOUT, or -ECANCELED (the agent is stopping). */
int gate_acquire(struct gate *g, int64_t deadline);
/* Without a reservation and without waiting in the queue's place (start-up probe, logout). */
int gate_acquire_now(struct gate *g, int64_t deadline);
void gate_release(struct gate *g, hf_client *client);
void gate_abort(struct gate *g);
void gate_snapshot(struct gate *g, hf_client *client, int *in_use, int *queued, bool *active,
		   char *uri, size_t urilen);

/* ---- http.c ---- */
struct http_header {
	const char *name;
	const char *value;
};

struct http_request {
	const char *method;
	const char *target;
	int minor; /* HTTP/1.minor */
	struct http_header headers[HTTP_MAX_HEADERS];
	size_t n_headers;
	size_t head_len; /* bytes of the head at the start of the connection buffer */
	size_t content_length;
	bool chunked; /* any Transfer-Encoding */
	bool keep_alive;
	bool expect_continue;
	bool bad_expect;
	char *body; /* owned, content_length bytes (+ NUL) once read; wiped at free */
	size_t body_buffered; /* body bytes that were in the connection buffer */
	size_t body_read; /* bytes of the body streamed so far (http_stream_body) */
};

struct conn {
	struct agent *agent;
	int fd;
	uid_t uid;
	pid_t pid;
	int role;
	bool close; /* close after the current response */
	bool head; /* the current request is a HEAD: answers carry no body */
	bool http10_keep_alive; /* an HTTP/1.0 client asked for keep-alive: say yes */
	bool metrics_only; /* a TCP connection (--metrics-listen): GET /metrics only */
	size_t len; /* bytes in buf */
	char buf[HTTP_BUF_SIZE];
};

/* Outcomes of http_read_head() besides an HTTP status (>= 400) and 0 (a request). */
#define HTTP_CLOSED (-1) /* the client closed, went idle too long, or the agent stops */

int http_read_head(struct conn *c, struct http_request *req);
/* Read the body into req->body.  0, or HTTP_CLOSED / 408. */
int http_read_body(struct conn *c, struct http_request *req, int64_t deadline);
/*
 * The body streamed instead of read whole (a relayed upload: upload.c): its next bytes, at
 * most len, into buf (those that came with the head first) and their number in *got, 0 only
 * once the whole body was given.  0, or HTTP_CLOSED / 408 (nothing arrived before deadline).
 */
int http_stream_body(struct conn *c, struct http_request *req, char *buf, size_t len,
		     int64_t deadline, size_t *got);
/* Read and drop the body (answers made without it).  0, or HTTP_CLOSED / 408. */
int http_discard_body(struct conn *c, struct http_request *req, int64_t deadline);
/* Wipe and free req->body (NULL: nothing). */
void http_body_free(struct http_request *req);
/* Remove the head (and the body bytes already consumed) from the buffer, wiping the bytes
 * left behind, and free the body (http_body_free()). */
void http_request_done(struct conn *c, struct http_request *req);
/* Wipe what is still in the connection's buffer (the connection ends). */
void http_conn_wipe(struct conn *c);
const char *http_header(const struct http_request *req, const char *name);
const char *http_reason(int status);
/* Send "HTTP/1.1 100 Continue". */
int http_send_continue(struct conn *c);
/*
 * Send a response.  head_extra: already formatted "Name: value\r\n" lines (or NULL);
 * body_len < 0: no Content-Length (HEAD answers whose length is unknown).
 */
int http_send(struct conn *c, int status, const char *reason, const char *head_extra,
	      const char *body, long long content_length, bool send_body);
/*
 * A Redfish-style error answer made by the agent itself (MessageId "Base.1.8.<message_id>"),
 * counted in agent_counters: bmc_errors when "bmc", else by status (rejected: 403, 413, 414,
 * 431, 503; errors: the rest).
 */
int http_send_error(struct conn *c, int status, const char *message_id, const char *extra_head,
		    bool bmc, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Stop writing, then read and drop what the client still sends, for at most ms. */
void http_linger(int fd, long ms);

/* ---- flight.c ---- */
/* One answer to a request, built once, shared read-only (by reference) by every client it is
 * sent to (single flight, the cache).  forward.c builds and sends it. */
struct answer {
	int refs; /* atomic */
	int r; /* 0: the BMC's answer; else hf_request()'s negative errno */
	/* r == 0 */
	int status;
	char *reason; /* NULL: the standard phrase */
	char *head; /* "Name: value\r\n" lines, or NULL */
	char *body;
	size_t body_len;
	long long content_length; /* -1: none */
	bool send_body;
	bool no_store; /* the BMC said Cache-Control: no-store */
	/* r < 0 */
	int error_kind; /* enum hf_error_kind */
	char *error_message; /* NULL: strerror(-r) */
	bool bmc_away; /* the failure means the BMC is gone (a reset): 503, ride.c */
};

enum {
	FLIGHT_SOLO = 0, /* not merged (no memory): ask the BMC alone */
	FLIGHT_LEAD, /* ask the BMC, then flight_land() */
	FLIGHT_ANSWER, /* *ans: another request's answer, or a cached one (*age >= 0) */
	FLIGHT_GONE, /* the client closed while waiting */
	FLIGHT_STOPPING, /* the agent stopped while waiting */
	FLIGHT_TIMEOUT, /* the answer did not come in time */
};

struct flight;
struct flight_stats {
	int leaders, waiting;
	unsigned long shared, cache_hits;
	long ttl_s;
	size_t cache_entries, cache_bytes;
};

int flight_init(struct agent *a);
void flight_destroy(struct agent *a);
/* A GET or HEAD without a body, with the headers to be forwarded: FLIGHT_* above.  May wait
 * for another request's answer.  *ret (FLIGHT_LEAD) and *ans (FLIGHT_ANSWER) are the
 * caller's: flight_land() and answer_unref(). */
int flight_board(struct agent *a, struct conn *c, const struct http_request *req,
		 const char *const *headers, struct flight **ret, struct answer **ans, int *age);
/* The leader's answer (NULL: none, without memory) to its waiters and maybe the cache; ends
 * the flight.  ans stays the caller's. */
void flight_land(struct agent *a, struct flight *fl, struct answer *ans);
/* Around every forwarded write: ends the merges of reads of related paths, drops their
 * cached answers (see flight.c). */
void flight_write_begin(struct agent *a, const char *target);
void flight_write_end(struct agent *a, const char *target);
void answer_unref(struct answer *ans);
bool flight_answer_no_store(const char *cache_control);
void flight_snapshot(struct agent *a, struct flight_stats *st);

/* ---- forward.c ---- */
void forward_request(struct conn *c, struct http_request *req);
bool forward_path_ok(const char *target);
/* The request's headers as they go to the BMC (hop-by-hop ones and credentials dropped),
 * NULL-terminated, in one allocation with *block (free both); NULL without memory. */
const char **forward_headers(const struct http_request *req, char **block);
/* hf_request()'s answer (r == 0: resp) or failure r as it goes to the client: NULL without
 * memory.  Marks the BMC as answering or as gone (ride.c). */
struct answer *forward_answer(struct conn *c, int r, hf_response *resp);
/* Send an answer; how: NULL (this request's own), "(shared)" or "(cached)"; age >= 0: an
 * Age header. */
void answer_send(struct conn *c, const struct http_request *req, const struct answer *ans,
		 const char *how, int age);

/* ---- upload.c: firmware uploads relayed as streams ---- */
/* A POST with a multipart/form-data body (a firmware upload, maybe larger than --max-body). */
bool upload_candidate(const struct http_request *req);
/* Relay it to the BMC's HttpPushUri or MultipartHttpPushUri without buffering it; anything
 * else goes to forward_request() (or is refused when it is larger than --max-body). */
void upload_relay(struct conn *c, struct http_request *req);

/* ---- ride.c: through the BMC's resets ---- */
/* The state's name for the status ("ok", "resetting", "reconnecting"). */
const char *ride_state_name(struct agent *a);
/* The BMC answered a forwarded request (it is known to exist). */
void ride_answered(struct agent *a);
/* While the BMC is away: answer 503 with Retry-After and return true (a request whose body is
 * still UNREAD closes the connection). */
bool ride_refuse(struct conn *c, const struct http_request *unread);
/* hf_request() failed with r: true when that means the BMC is gone (and it answered before);
 * riding through its reset has started then.  False: an ordinary failure. */
bool ride_failed(struct agent *a, int r);
/* The answer for a request that failed because the BMC is away: 503 with Retry-After. */
void ride_send(struct conn *c);
/* At the stop: wait for the rider (it stops at a->stopping within a probe). */
void ride_stop(struct agent *a);

/* ---- status.c ---- */
void status_respond(struct conn *c, const struct http_request *req);

/* ---- metrics.c ---- */
/* TCP connections of --metrics-listen are counted as this one uid without full access. */
#define METRICS_TCP_UID ((uid_t)-2)
int metrics_init(struct agent *a);
void metrics_destroy(struct agent *a);
/* --metrics-listen: a numeric ADDRESS:PORT, loopback unless --metrics-allow-remote (logged). */
int metrics_check_listen(const struct agent_config *cfg);
/* Open the TCP listener of --metrics-listen into a->metrics_fd (-1 without it); logged. */
int metrics_listen(struct agent *a);
void metrics_respond(struct conn *c, const struct http_request *req);
/* A forwarded request that began at start_us (metrics_clock_us()) got its answer. */
int64_t metrics_clock_us(void);
void metrics_observe(struct agent *a, int64_t start_us);
/* The BMC refused the agent's credentials. */
void metrics_login_failed(struct agent *a);

/* ---- server.c ---- */
int server_listen(struct agent *a);
void server_unlink(struct agent *a);
/* Accept connections until a signal stops the agent; returns the signal. */
int server_run(struct agent *a, int sig_fd);
/* Wait until every connection thread is gone, or deadline; returns how many remain. */
int server_wait_clients(struct agent *a, int64_t deadline);

#endif /* HOSTFISH_AGENT_H */
