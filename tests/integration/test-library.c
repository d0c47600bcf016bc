/* SPDX-License-Identifier: MIT */
/*
 * test-library.c - libhostfish's public API against the emulator (driven by library.test).
 *
 * Environment: EMU_URL, EMU_CA, EMU_STATE (the emulator's state file), ADMIN_PASSWORD.
 * Usage: test-library main|limit|refuse|hostif-new|waits (waits: HF_GATE, a file to create)
 * Prints TAP.  Uses only <hostfish.h> and json-c, like any program built on the library.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hostfish.h>
#include <json-c/json.h>

#define N_THREADS 8
#define PER_THREAD 10

static int n_tests, n_failed;

static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", cond ? "ok" : "not ok", ++n_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		n_failed++;
	fflush(stdout);
}

static const char *env(const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v) {
		printf("Bail out! %s is not set\n", name);
		exit(99);
	}
	return v;
}

/* A number from the emulator's state file (written before each answer is sent). */
static long state_num(const char *key)
{
	struct json_object *st = json_object_from_file(env("EMU_STATE")), *v;
	long n = -1;

	if (st && json_object_object_get_ex(st, key, &v))
		n = (long)json_object_get_int64(v);
	json_object_put(st);
	return n;
}

/* ---- log capture ---- */

struct logcap {
	pthread_mutex_t lock;
	char *text;
	size_t len;
	int lines;
};

static void log_cb(void *userdata, int level, const char *message)
{
	struct logcap *cap = userdata;
	size_t n = strlen(message);
	char *p;

	pthread_mutex_lock(&cap->lock);
	p = realloc(cap->text, cap->len + n + 2);
	if (p) {
		cap->text = p;
		memcpy(cap->text + cap->len, message, n);
		cap->len += n;
		cap->text[cap->len++] = '\n';
		cap->text[cap->len] = '\0';
		cap->lines++;
	}
	pthread_mutex_unlock(&cap->lock);
}

static hf_client *new_client(const char *user, const char *password, struct logcap *cap,
			     int auth)
{
	hf_options o = HF_OPTIONS_INIT;
	hf_client *c = NULL;

	/* connections keep their host-wide slot for the client's life: leave room for the
	 * other clients this test opens while the main one is alive */
	o.max_connections = 6;
	o.url = env("EMU_URL");
	o.ca_file = env("EMU_CA");
	o.username = user;
	o.password = password;
	o.auth = auth;
	if (cap) {
		o.log_fn = log_cb;
		o.log_userdata = cap;
		o.log_level = HF_LOG_DEBUG;
	}
	if (hf_client_new(&c, &o) < 0)
		return NULL;
	return c;
}

/* ---- threads sharing one client ---- */

struct worker {
	hf_client *client;
	int ok200;
	int failures;
};

static void *worker_run(void *p)
{
	struct worker *w = p;
	int i;

	for (i = 0; i < PER_THREAD; i++) {
		hf_response *r = NULL;

		if (hf_get(w->client, "/redfish/v1/Systems/1/", &r) == 0 &&
		    hf_response_status(r) == 200 && hf_response_json(r))
			w->ok200++;
		else
			w->failures++;
		hf_response_free(r);
	}
	return NULL;
}

static int run_threads(hf_client *c)
{
	pthread_t t[N_THREADS];
	struct worker w[N_THREADS];
	int i, total = 0;

	memset(w, 0, sizeof(w));
	for (i = 0; i < N_THREADS; i++) {
		w[i].client = c;
		pthread_create(&t[i], NULL, worker_run, &w[i]);
	}
	for (i = 0; i < N_THREADS; i++) {
		pthread_join(t[i], NULL);
		total += w[i].ok200;
	}
	return total;
}

/* ---- per-thread errors ---- */

static void *bad_request(void *p)
{
	hf_client *c = p;
	hf_response *r = NULL;
	int rc = hf_request(c, "BREW", "/redfish/v1/", NULL, NULL, 0, &r);

	return (void *)(long)(rc == -EINVAL && hf_client_last_error(c)->kind == HF_ERROR_USAGE);
}

static void test_main(void)
{
	const char *pw = env("ADMIN_PASSWORD");
	struct logcap cap = { PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0 };
	long created0 = state_num("sessions_created");
	hf_client *c, *admin;
	hf_response *r = NULL;
	const char *token = NULL, *uri = NULL, *name, *value;
	const hf_redfish_error *rf;
	const hf_message *m;
	pthread_t t;
	void *thread_ok;
	size_t len;
	int rc, total;

	c = new_client("admin", pw, &cap, HF_AUTH_AUTO);
	ok(c != NULL, "hf_client_new with URL, CA file and credentials");
	if (!c)
		return;
	ok(strcmp(hf_client_transport(c), "https") == 0, "the transport is https");
	ok(strstr(hf_client_endpoint(c), "https://127.0.0.1:") == hf_client_endpoint(c),
	   "the endpoint is the BMC's origin (%s)", hf_client_endpoint(c));
	ok(hf_client_session(c, NULL, NULL) == -ENOENT, "no session before the first request");

	/* the service root needs no session */
	rc = hf_get(c, "/redfish/v1/", &r);
	ok(rc == 0 && hf_response_status(r) == 200, "GET of the service root");
	ok(hf_client_session(c, NULL, NULL) == -ENOENT, "... created no session");
	hf_response_free(r);
	r = NULL;

	/* 8 threads x 10 GETs share the client: one session for all of them */
	total = run_threads(c);
	ok(total == N_THREADS * PER_THREAD, "%d threads x %d GETs all answered 200 (%d)", N_THREADS,
	   PER_THREAD, total);
	ok(state_num("sessions_created") - created0 == 1,
	   "the threads shared one session (created %ld)", state_num("sessions_created") - created0);
	ok(state_num("peak_connections") <= 6, "peak connections within the client's 6 (%ld)",
	   state_num("peak_connections"));
	ok(hf_client_session(c, &token, &uri) == 0 && token && uri, "the session is known: %s",
	   uri ? uri : "(none)");
	{
		char *tcopy = NULL, *ucopy = NULL;

		ok(hf_client_session_dup(c, &tcopy, &ucopy) == 0 && tcopy && ucopy &&
			   strcmp(tcopy, token) == 0 && strcmp(ucopy, uri) == 0,
		   "hf_client_session_dup returns copies of the same session");
		ok(tcopy != token && ucopy != uri, "... that are the caller's own");
		free(tcopy);
		free(ucopy);
	}

	/* response accessors on a PATCH */
	{
		static const char body[] = "{\"AssetTag\": \"lib-test\"}";

		rc = hf_request(c, "PATCH", "/redfish/v1/Systems/1/", NULL, body, strlen(body), &r);
		ok(rc == 0 && hf_response_status(r) == 200, "PATCH answered 200");
		ok(rc == 0 && strcmp(hf_response_reason(r), "OK") == 0, "reason phrase OK");
		ok(rc == 0 && strcmp(hf_response_method(r), "PATCH") == 0, "the request's method");
		ok(rc == 0 && strcmp(hf_response_path(r), "/redfish/v1/Systems/1/") == 0,
		   "the request's path");
		ok(rc == 0 && strstr(hf_response_url(r), hf_client_endpoint(c)) == hf_response_url(r),
		   "the request's URL starts with the endpoint");
		ok(rc == 0 && strcmp(hf_response_request_body(r, &len), body) == 0 &&
			   len == strlen(body),
		   "the request's body");
		hf_response_free(r);
		r = NULL;
	}
	rc = hf_get(c, "/redfish/v1/Systems/1/", &r);
	ok(rc == 0 && hf_response_header(r, "etag") &&
		   hf_response_header(r, "ETAG") == hf_response_header(r, "ETag"),
	   "header lookup is case-insensitive");
	ok(rc == 0 && hf_response_header_count(r) >= 3, "headers can be counted (%zu)",
	   rc == 0 ? hf_response_header_count(r) : 0);
	ok(rc == 0 && hf_response_header_at(r, 0, &name, &value) == 0 && name && value &&
		   hf_response_header_at(r, hf_response_header_count(r), &name, &value) == -ERANGE,
	   "headers can be iterated, and the end is -ERANGE");
	ok(rc == 0 && hf_response_body(r, &len) && len > 100, "the raw body (%zu bytes)", len);
	{
		struct json_object *tag = NULL;

		ok(rc == 0 && json_object_object_get_ex(hf_response_json(r), "AssetTag", &tag) &&
			   strcmp(json_object_get_string(tag), "lib-test") == 0,
		   "the parsed JSON shows the PATCHed value");
	}
	hf_response_free(r);
	r = NULL;

	/* a Redfish error, iLO's short form completed from the registry */
	rc = hf_get(c, "/redfish/v1/NoSuchThing/", &r);
	rf = rc == 0 ? hf_response_redfish_error(r) : NULL;
	ok(rc == 0 && hf_response_status(r) == 404, "404 is an answer, not a failure");
	ok(rf && hf_redfish_error_class(rf) == HF_RF_RESOURCE_MISSING,
	   "the error class is RESOURCE_MISSING");
	m = rf ? hf_redfish_error_info(rf, 0) : NULL;
	ok(m && m->completed && m->message && strstr(m->message, "/redfish/v1/NoSuchThing/") &&
		   m->resolution,
	   "the short form is completed with Message (argument substituted) and Resolution");
	ok(rf && hf_redfish_error_code(rf) && strstr(hf_redfish_error_code(rf), "ExtendedInfo"),
	   "error.code is iLO's");
	hf_response_free(r);
	r = NULL;

	/* errors are per thread: a failure in another thread does not touch ours */
	rc = hf_get(c, "/redfish/v1/Systems/1/", &r);
	hf_response_free(r);
	r = NULL;
	pthread_create(&t, NULL, bad_request, c);
	pthread_join(t, &thread_ok);
	ok(thread_ok != NULL, "the other thread saw its own usage error");
	ok(hf_client_last_error(c)->kind == HF_ERROR_NONE, "this thread's last error is untouched");

	/* the session disappears on the BMC: one re-login, shared by all threads */
	admin = new_client("admin", pw, NULL, HF_AUTH_BASIC);
	if (admin) {
		char *mine = strdup(uri);

		rc = hf_request(admin, "DELETE", mine, NULL, NULL, 0, &r);
		ok(rc == 0 && hf_response_status(r) == 200, "the session was deleted behind the "
							     "client's back");
		hf_response_free(r);
		r = NULL;
		hf_client_free(admin);
		created0 = state_num("sessions_created");
		total = run_threads(c);
		ok(total == N_THREADS * PER_THREAD, "all %d GETs succeeded after the session vanished",
		   total);
		/* the Basic client's own per-request sessions are counted by the BMC too */
		ok(state_num("sessions_created") - created0 == 1,
		   "exactly one re-login for %d threads (created %ld)", N_THREADS,
		   state_num("sessions_created") - created0);
		ok(hf_client_session(c, NULL, &uri) == 0 && strcmp(uri, mine) != 0,
		   "a new session replaced the old one");
		free(mine);
	}

	/* secrets never reach the log */
	hf_client_session(c, &token, NULL);
	ok(cap.lines > 50, "the log callback got the traffic (%d lines)", cap.lines);
	ok(cap.text && !strstr(cap.text, pw), "the password is not in the log");
	ok(cap.text && token && !strstr(cap.text, token), "the session token is not in the log");
	ok(cap.text && strstr(cap.text, "X-Auth-Token: ****"), "the token header is masked");

	/* logout: reported, and the session is gone */
	created0 = state_num("open_sessions");
	ok(hf_client_logout(c) == 0, "hf_client_logout");
	ok(state_num("open_sessions") == created0 - 1, "the BMC has one session fewer");
	ok(hf_client_session(c, NULL, NULL) == -ENOENT, "no session after logout");
	{
		char *tcopy = (char *)"untouched";

		ok(hf_client_session_dup(c, &tcopy, NULL) == -ENOENT &&
			   strcmp(tcopy, "untouched") == 0,
		   "hf_client_session_dup: -ENOENT, output untouched");
	}
	ok(hf_client_logout(c) == 0, "a second logout has nothing to do");
	hf_client_free(c);
	free(cap.text);

	/* keep a session, resume it elsewhere */
	c = new_client("admin", pw, NULL, HF_AUTH_AUTO);
	ok(c && hf_client_login(c) == 0, "explicit hf_client_login");
	if (c) {
		char *tok = NULL, *su = NULL;
		long open0;

		hf_client_session(c, &token, &uri);
		tok = strdup(token);
		su = strdup(uri);
		ok(hf_client_keep_session(c, 1) == 0, "hf_client_keep_session(1)");
		open0 = state_num("open_sessions");
		hf_client_free(c);
		ok(state_num("open_sessions") == open0, "a kept session survives hf_client_free");

		c = new_client(NULL, NULL, NULL, HF_AUTH_AUTO);
		ok(c && hf_client_resume_session(c, tok, su) == 0, "hf_client_resume_session");
		rc = c ? hf_get(c, "/redfish/v1/Managers/1/", &r) : -1;
		ok(rc == 0 && hf_response_status(r) == 200, "the resumed session works");
		hf_response_free(r);
		r = NULL;
		ok(c && hf_client_resume_session(c, tok, su) == -EBUSY,
		   "resuming twice is -EBUSY");
		ok(c && hf_client_logout(c) == 0, "the resumed session can be logged out");
		ok(state_num("open_sessions") == open0 - 1, "and it is gone on the BMC");
		hf_client_free(c);
		free(tok);
		free(su);
	}

	/* a rejected login */
	c = new_client("admin", "wrong-password", NULL, HF_AUTH_AUTO);
	rc = c ? hf_client_login(c) : -1;
	ok(rc == -EACCES, "a wrong password is -EACCES (%d)", rc);
	if (c) {
		const hf_error *e = hf_client_last_error(c);

		ok(e->kind == HF_ERROR_AUTH && e->http_status == 401, "kind AUTH, status 401");
		ok(e->redfish && hf_redfish_error_class(e->redfish) == HF_RF_NO_VALID_SESSION,
		   "the BMC's NoValidSession is kept in the error");
		ok(e->message && strstr(e->message, "rejected"), "message: %s", e->message);
		hf_client_free(c);
	}
	ok(state_num("open_sessions") == 0, "no session left on the BMC");
}

/* The emulator runs with --max-sessions 1. */
static void test_limit(void)
{
	const char *pw = env("ADMIN_PASSWORD");
	hf_client *a = new_client("admin", pw, NULL, HF_AUTH_AUTO);
	hf_client *b = new_client("admin", pw, NULL, HF_AUTH_AUTO);
	int rc;

	ok(a && hf_client_login(a) == 0, "the first session is created");
	rc = b ? hf_client_login(b) : -1;
	ok(rc == -EUSERS, "the second login hits the session limit: -EUSERS (%d)", rc);
	if (b) {
		const hf_error *e = hf_client_last_error(b);

		ok(e->redfish && hf_redfish_error_class(e->redfish) == HF_RF_SESSION_LIMIT_EXCEEDED,
		   "the error carries SessionLimitExceeded");
		ok(e->http_status == 503, "HTTP status 503 (%d)", e->http_status);
	}
	ok(state_num("sessions_created") == 1, "the refused login created nothing");
	hf_client_free(b);
	hf_client_free(a);
	ok(state_num("open_sessions") == 0, "hf_client_free logged the first one out");
}

/*
 * A BMC that logs in but refuses every session on GET (library.test starts it with a 401
 * fault on GET /redfish/v1/Systems/): 20 requests cost at most two sessions (one re-login
 * per interval, not one per request), and none is left behind: the refused session is
 * deleted before it is forgotten, the last one at hf_client_free().
 */
static void test_refuse(void)
{
	const char *pw = env("ADMIN_PASSWORD");
	hf_client *c = new_client("admin", pw, NULL, HF_AUTH_AUTO);
	int i, got401 = 0;

	ok(c != NULL, "a client for a BMC that refuses its sessions");
	for (i = 0; c && i < 20; i++) {
		hf_response *resp = NULL;

		if (hf_get(c, "/redfish/v1/Systems/1/", &resp) == 0 &&
		    hf_response_status(resp) == 401)
			got401++;
		hf_response_free(resp);
	}
	ok(got401 == 20, "each of 20 GETs returns the BMC's 401 (%d)", got401);
	ok(state_num("sessions_created") <= 2, "at most 2 sessions created (%ld)",
	   state_num("sessions_created"));
	ok(state_num("open_sessions") <= 1, "at most 1 open while the client lives (%ld)",
	   state_num("open_sessions"));
	hf_client_free(c);
	ok(state_num("open_sessions") == 0, "none left after hf_client_free (%ld)",
	   state_num("open_sessions"));
}

/*
 * hf_client_new() contacts nothing (hostfish.h): a host-interface client without a user
 * (HOSTFISH_SMBIOS names the record; its credentials would come from the host's own
 * sources, IPMI bootstrapping included) is created and freed.  hostif-creds.test checks
 * that neither the BMC nor its IPMI side saw a request meanwhile.
 */
static void test_hostif_new(void)
{
	hf_options o = HF_OPTIONS_INIT;
	hf_client *c = NULL;
	int r;

	o.transport = "hostif";
	o.smbios_file = env("HOSTFISH_SMBIOS");
	r = hf_client_new(&c, &o);
	ok(r == 0 && c != NULL, "hf_client_new() for the host interface without a user (%d)", r);
	hf_client_free(c);
}

/* ---- waits that an interrupt ends ---- */

/* Is the emulator carrying out METHOD on a path starting with PATH (state "in_progress")? */
static int in_progress(const char *method, const char *path)
{
	struct json_object *st = json_object_from_file(env("EMU_STATE")), *list;
	size_t i, n;
	int found = 0;

	if (st && json_object_object_get_ex(st, "in_progress", &list) &&
	    json_object_is_type(list, json_type_array)) {
		n = json_object_array_length(list);
		for (i = 0; i < n && !found; i++) {
			struct json_object *e = json_object_array_get_idx(list, i);
			const char *m = json_object_get_string(json_object_array_get_idx(e, 0));
			const char *q = json_object_get_string(json_object_array_get_idx(e, 1));

			found = m && q && strcmp(m, method) == 0 && strncmp(q, path, strlen(path)) == 0;
		}
	}
	json_object_put(st);
	return found;
}

static int logged(struct logcap *cap, const char *text)
{
	int n;

	pthread_mutex_lock(&cap->lock);
	n = cap->text && strstr(cap->text, text) != NULL;
	pthread_mutex_unlock(&cap->lock);
	return n;
}

/* Poll COND(ARG...) every 50 ms, at most 10 s (a bound, not a synchronisation). */
#define POLL_UNTIL(cond)                                                   \
	do {                                                               \
		int poll_i_;                                                 \
		for (poll_i_ = 0; poll_i_ < 200 && !(cond); poll_i_++) {     \
			struct timespec poll_ts_ = { 0, 50 * 1000000L };         \
			nanosleep(&poll_ts_, NULL);                              \
		}                                                            \
	} while (0)

struct call {
	hf_client *c;
	const char *path; /* NULL: hf_client_login() */
	int r;
	int done;
};

static void *call_run(void *p)
{
	struct call *k = p;
	hf_response *resp = NULL;

	k->r = k->path ? hf_get(k->c, k->path, &resp) : hf_client_login(k->c);
	hf_response_free(resp);
	__atomic_store_n(&k->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/*
 * One thread's login is held by the BMC (library.test holds the answer of the first POST to
 * Sessions until the file HF_GATE exists).  Meanwhile a thread that needs the session waits
 * for that login, and one that needs only a connection waits for the client's only one.
 * hf_client_interrupt() ends both waits while the login goes on; once the gate opens the
 * login ends, and hf_client_free() leaves nothing behind.
 */
static void test_waits(void)
{
	struct logcap cap = { PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0 };
	struct call login = { 0 }, needs_session = { 0 }, needs_conn = { 0 };
	hf_options o = HF_OPTIONS_INIT;
	pthread_t tl, ts, tc;
	hf_client *c = NULL;
	FILE *gate;

	o.max_connections = 1;
	o.timeout_ms = 60000;
	o.url = env("EMU_URL");
	o.ca_file = env("EMU_CA");
	o.username = "admin";
	o.password = env("ADMIN_PASSWORD");
	o.log_fn = log_cb;
	o.log_userdata = &cap;
	o.log_level = HF_LOG_DEBUG;
	ok(hf_client_new(&c, &o) == 0, "a client with one connection");
	if (!c)
		return;
	login.c = needs_session.c = needs_conn.c = c;
	needs_session.path = "/redfish/v1/Systems/1/";
	needs_conn.path = "/redfish/v1/";
	pthread_create(&tl, NULL, call_run, &login);
	POLL_UNTIL(in_progress("POST", "/redfish/v1/SessionService/Sessions"));
	ok(in_progress("POST", "/redfish/v1/SessionService/Sessions"),
	   "one thread's login is held by the BMC");
	pthread_create(&ts, NULL, call_run, &needs_session);
	POLL_UNTIL(logged(&cap, "waiting for another thread's login"));
	ok(logged(&cap, "waiting for another thread's login"),
	   "a GET that needs the session waits for that login");
	pthread_create(&tc, NULL, call_run, &needs_conn);
	POLL_UNTIL(logged(&cap, "waiting for one of this client's 1 connections"));
	ok(logged(&cap, "waiting for one of this client's 1 connections"),
	   "a GET of the service root waits for the only connection");

	hf_client_interrupt(c);
	if (!logged(&cap, "waiting for one of this client's"))
		fclose(fopen(env("HF_GATE"), "w")); /* no wait to end: do not hang */
	pthread_join(ts, NULL);
	pthread_join(tc, NULL);
	ok(needs_session.r == -EINTR, "the interrupt ends the wait for the login (%d)",
	   needs_session.r);
	ok(needs_conn.r == -EINTR, "and the wait for the connection (%d)", needs_conn.r);
	ok(!__atomic_load_n(&login.done, __ATOMIC_SEQ_CST),
	   "while the login itself is still held by the BMC");

	gate = fopen(env("HF_GATE"), "w");
	if (gate)
		fclose(gate);
	pthread_join(tl, NULL);
	ok(login.r == 0, "the login, once answered, is taken (%d)", login.r);
	ok(state_num("sessions_created") == 1, "one session was created (%ld)",
	   state_num("sessions_created"));
	hf_client_free(c);
	ok(state_num("open_sessions") == 0, "none is left after hf_client_free (%ld)",
	   state_num("open_sessions"));
	free(cap.text);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && strcmp(argv[1], "limit") == 0)
		test_limit();
	else if (argc == 2 && strcmp(argv[1], "refuse") == 0)
		test_refuse();
	else if (argc == 2 && strcmp(argv[1], "hostif-new") == 0)
		test_hostif_new();
	else if (argc == 2 && strcmp(argv[1], "waits") == 0)
		test_waits();
	else
		test_main();
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
