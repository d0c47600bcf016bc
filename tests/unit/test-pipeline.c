/* SPDX-License-Identifier: MIT */
/*
 * test-pipeline.c - the request pipeline (lib/core/request.c, session.c, pool.c) against a
 * scripted fake BMC: retries after a connection reset, no resend of POST and PATCH, 503 with
 * Retry-After within the timeout, redirects, the re-login after a 401 and its interval, the
 * login a 401 on /redfish asks for, the logout a BMC refuses, interrupts and the pool's wait.
 *
 * The fake is injected the way tests/fuzz/fuzz-client.c does it: the link wraps
 * hf_transport_open() (-Wl,--wrap), so every client gets the backend below; the library has no
 * test hook.  nanosleep() is wrapped too, so retries and Retry-After pauses take no time (the
 * pauses asked for are added up in fake.slept_ms), and pthread_cond_timedwait() so that a test
 * knows when a thread waits for one of the client's connections.
 *
 * Each test gives a script: the requests the BMC expects (method and path) with their canned
 * answers (a status, headers and a body, or a transport error).  A request is answered by the
 * first unused step that matches it, so threads may send in any order; a request no step
 * matches is recorded as unexpected and answered 404.  The fake records what it saw of every
 * request (method, path, X-Auth-Token, no_resend), and the tests assert on that and on the
 * return codes and hf_client_last_error(), never on log text.
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "client-private.h"
#include "tests/fuzz/fuzz-runtime.h"

#define URL "https://bmc.test.invalid"
#define SESSIONS "/redfish/v1/SessionService/Sessions"
#define OTHER_SESSIONS "/redfish/v1/Other/Sessions"
#define OTHER_ROOT "{\"Links\":{\"Sessions\":{\"@odata.id\":\"" OTHER_SESSIONS "/\"}}}"
#define MAX_STEPS 24
#define MAX_SEEN 32

int __wrap_hf_transport_open(const char *name, const struct hf_transport_config *cfg,
			     struct hf_transport *t, char *errbuf, size_t errlen);
int __wrap_nanosleep(const struct timespec *req, struct timespec *rem);
int __real_pthread_cond_timedwait(pthread_cond_t *cond, pthread_mutex_t *m,
				  const struct timespec *ts);
int __wrap_pthread_cond_timedwait(pthread_cond_t *cond, pthread_mutex_t *m,
				  const struct timespec *ts);

/* ---- the scripted BMC ---- */

struct step {
	const char *method;
	const char *path; /* NULL: any */
	int status; /* the answer, when fail is 0 */
	const char *headers[3]; /* "Name: value" */
	const char *body;
	int fail; /* a negative errno from the transport instead of an answer */
	int gather; /* hold the answer until this many such requests are in the fake at once */
	bool hold; /* hold the answer until fake_release() */
	bool interrupt; /* call hf_client_interrupt() before answering */
};

struct seen {
	char method[8];
	char path[128];
	char token[32]; /* the X-Auth-Token sent, "" when none */
	bool no_resend;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	const struct step *steps;
	size_t n_steps;
	bool used[MAX_STEPS];
	struct seen seen[MAX_SEEN];
	size_t n_seen;
	int unexpected;
	int gathered;
	bool holding, released;
	hf_client *client; /* for steps that interrupt */
	long slept_ms; /* asked of nanosleep() */
	const pthread_cond_t *watch; /* count the timed waits on this condition */
	int watched;
} fake = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

static void fake_script(const struct step *steps, size_t n)
{
	assert_true(n <= MAX_STEPS);
	pthread_mutex_lock(&fake.lock);
	fake.steps = steps;
	fake.n_steps = n;
	memset(fake.used, 0, sizeof(fake.used));
	memset(fake.seen, 0, sizeof(fake.seen));
	fake.n_seen = 0;
	fake.unexpected = 0;
	fake.gathered = 0;
	fake.holding = fake.released = false;
	fake.client = NULL;
	fake.slept_ms = 0;
	fake.watch = NULL;
	fake.watched = 0;
	pthread_mutex_unlock(&fake.lock);
}

#define SCRIPT(steps) fake_script(steps, HF_ARRAY_SIZE(steps))

static const struct step *fake_match(const struct hf_transport_request *req)
{
	size_t i;

	for (i = 0; i < fake.n_steps; i++) {
		const struct step *s = &fake.steps[i];

		if (!fake.used[i] && strcmp(s->method, req->method) == 0 &&
		    (!s->path || strcmp(s->path, req->path) == 0)) {
			fake.used[i] = true;
			return s;
		}
	}
	fake.unexpected++;
	return NULL;
}

static void fake_record(const struct hf_transport_request *req)
{
	const char *token = hf_headers_get(req->headers, "X-Auth-Token");
	struct seen *s;

	if (fake.n_seen == MAX_SEEN)
		return;
	s = &fake.seen[fake.n_seen++];
	snprintf(s->method, sizeof(s->method), "%s", req->method);
	snprintf(s->path, sizeof(s->path), "%s", req->path);
	snprintf(s->token, sizeof(s->token), "%s", token ? token : "");
	s->no_resend = req->no_resend;
}

/* fake.lock held: wait as the step says before answering */
static void fake_wait(const struct step *s)
{
	if (s->gather) {
		fake.gathered++;
		pthread_cond_broadcast(&fake.cond);
		while (fake.gathered < s->gather)
			pthread_cond_wait(&fake.cond, &fake.lock);
	}
	if (s->hold) {
		fake.holding = true;
		pthread_cond_broadcast(&fake.cond);
		while (!fake.released)
			pthread_cond_wait(&fake.cond, &fake.lock);
	}
}

static int fake_answer(const struct step *s, struct hf_transport_response *resp)
{
	size_t i;

	resp->sends = 1;
	if (!s) {
		resp->status = 404;
		resp->reason = strdup("Not Found");
		return resp->reason ? 0 : -ENOMEM;
	}
	if (s->fail)
		return s->fail;
	resp->status = s->status;
	resp->reason = strdup("Scripted");
	if (!resp->reason)
		return -ENOMEM;
	for (i = 0; i < HF_ARRAY_SIZE(s->headers) && s->headers[i]; i++)
		if (hf_headers_add_line(&resp->headers, s->headers[i]) < 0)
			return -ENOMEM;
	if (s->body && hf_buf_appends(&resp->body, s->body) < 0)
		return -ENOMEM;
	return 0;
}

static int fake_exchange(void *ctx, void *conn, const struct hf_transport_request *req,
			 struct hf_transport_response *resp, char *errbuf, size_t errlen)
{
	const struct step *s;
	hf_client *interrupt = NULL;
	int r;

	pthread_mutex_lock(&fake.lock);
	fake_record(req);
	s = fake_match(req);
	if (s) {
		fake_wait(s);
		if (s->interrupt)
			interrupt = fake.client;
	}
	pthread_mutex_unlock(&fake.lock);
	if (interrupt)
		hf_client_interrupt(interrupt);
	snprintf(errbuf, errlen, "scripted failure");
	r = fake_answer(s, resp);
	/* as a real backend: a request in flight ends at an interrupt, unless it must not */
	if (r == 0 && req->interrupts &&
	    __atomic_load_n(req->interrupts, __ATOMIC_SEQ_CST) != req->interrupts_seen) {
		snprintf(errbuf, errlen, "interrupted");
		return -EINTR;
	}
	return r;
}

static int fake_init(const struct hf_transport_config *cfg, void **ctx, char *errbuf,
		     size_t errlen)
{
	*ctx = NULL;
	return 0;
}

static const char *fake_endpoint(void *ctx)
{
	return URL;
}

static int fake_conn_open(void *ctx, void **conn, char *errbuf, size_t errlen)
{
	static int token;

	*conn = &token;
	return 0;
}

static void fake_conn_close(void *ctx, void *conn)
{
}

static const struct hf_transport_ops fake_ops = {
	.abi = HF_TRANSPORT_ABI,
	.name = "fake",
	.caps = HF_TCAP_INBAND,
	.description = "a scripted BMC",
	.init = fake_init,
	.endpoint = fake_endpoint,
	.conn_open = fake_conn_open,
	.conn_close = fake_conn_close,
	.exchange = fake_exchange,
};

int __wrap_hf_transport_open(const char *name, const struct hf_transport_config *cfg,
			     struct hf_transport *t, char *errbuf, size_t errlen)
{
	errbuf[0] = '\0';
	t->ops = &fake_ops;
	t->ctx = NULL;
	return 0;
}

int __wrap_nanosleep(const struct timespec *req, struct timespec *rem)
{
	pthread_mutex_lock(&fake.lock);
	fake.slept_ms += (long)req->tv_sec * 1000 + req->tv_nsec / 1000000;
	pthread_mutex_unlock(&fake.lock);
	return 0;
}

int __wrap_pthread_cond_timedwait(pthread_cond_t *cond, pthread_mutex_t *m,
				  const struct timespec *ts)
{
	if (cond == fake.watch) {
		pthread_mutex_lock(&fake.lock);
		fake.watched++;
		pthread_cond_broadcast(&fake.cond);
		pthread_mutex_unlock(&fake.lock);
	}
	return __real_pthread_cond_timedwait(cond, m, ts);
}

static void fake_wait_for(const bool *flag)
{
	pthread_mutex_lock(&fake.lock);
	while (!*flag)
		pthread_cond_wait(&fake.cond, &fake.lock);
	pthread_mutex_unlock(&fake.lock);
}

static void fake_release(void)
{
	pthread_mutex_lock(&fake.lock);
	fake.released = true;
	pthread_cond_broadcast(&fake.cond);
	pthread_mutex_unlock(&fake.lock);
}

/* Every step answered, nothing else asked. */
static void fake_check_done(void)
{
	size_t i;

	assert_int_equal(fake.unexpected, 0);
	for (i = 0; i < fake.n_steps; i++)
		if (!fake.used[i])
			fail_msg("step %zu (%s %s) was never requested", i, fake.steps[i].method,
				 fake.steps[i].path ? fake.steps[i].path : "*");
}

static int count_seen(const char *method, const char *path)
{
	size_t i;
	int n = 0;

	for (i = 0; i < fake.n_seen; i++)
		if (strcmp(fake.seen[i].method, method) == 0 &&
		    (!path || strcmp(fake.seen[i].path, path) == 0))
			n++;
	return n;
}

static void assert_seen(size_t i, const char *method, const char *path, const char *token)
{
	assert_true(i < fake.n_seen);
	assert_string_equal(fake.seen[i].method, method);
	assert_string_equal(fake.seen[i].path, path);
	assert_string_equal(fake.seen[i].token, token);
}

/* ---- clients ---- */

static hf_client *new_client(bool password, int retries, long timeout_ms, int max_conns)
{
	hf_options o;
	hf_client *c = NULL;

	hf_options_init(&o, HF_OPTIONS_VERSION);
	o.url = URL;
	o.retries = retries;
	o.timeout_ms = timeout_ms;
	o.max_connections = max_conns;
	o.idle_timeout_ms = -1; /* no reaper thread */
	o.slot_wait_ms = 1000;
	if (password) {
		o.username = "admin";
		o.password = "Pa55word";
	}
	assert_int_equal(hf_client_new(&c, &o), 0);
	fake.client = c;
	return c;
}

static void free_client(hf_client *c)
{
	hf_client_free(c);
	fuzz_runtime_forget_journal();
}

/* GET, expecting an answer: its status */
static int get_status(hf_client *c, const char *path)
{
	hf_response *resp = NULL;
	int r = hf_get(c, path, &resp), status;

	assert_int_equal(r, 0);
	status = hf_response_status(resp);
	hf_response_free(resp);
	return status;
}

/* The steps of a first login, and of the logout at hf_client_free() */
/* a login POSTs straight to the URI DSP0266 fixes (SESSIONS), without reading the root */
#define LOGIN_STEPS(tok, n)                                                                  \
	{                                                                                    \
		"POST", SESSIONS, 201,                                                       \
		{ "X-Auth-Token: " tok, "Location: " SESSIONS "/" n }, "{}"                  \
	}
#define RELOGIN_STEP(tok, n)                                                                 \
	{ "POST", SESSIONS, 201, { "X-Auth-Token: " tok, "Location: " SESSIONS "/" n }, "{}" }
#define LOGOUT_STEP(n) { "DELETE", SESSIONS "/" n, 204, { NULL }, NULL }

/* ---- retries ---- */

static void test_get_retried_after_reset(void **state)
{
	static const struct step steps[] = {
		{ "GET", "/redfish/v1/Systems/1", .fail = -ECONNRESET },
		{ "GET", "/redfish/v1/Systems/1", 200, { NULL }, "{}" },
	};
	hf_client *c;

	SCRIPT(steps);
	c = new_client(false, 2, 0, 0);
	assert_int_equal(get_status(c, "/redfish/v1/Systems/1"), 200);
	assert_int_equal(fake.n_seen, 2);
	/* the first send could be resent by the backend itself (budget left), not the last */
	assert_false(fake.seen[0].no_resend);
	free_client(c);
	fake_check_done();
}

static void test_get_retries_bounded(void **state)
{
	static const struct step steps[] = {
		{ "GET", "/redfish/v1/Systems/1", .fail = -ECONNRESET },
		{ "GET", "/redfish/v1/Systems/1", .fail = -ECONNRESET },
	};
	hf_response *resp = NULL;
	hf_client *c;

	SCRIPT(steps);
	c = new_client(false, 1, 0, 0);
	assert_int_equal(hf_get(c, "/redfish/v1/Systems/1", &resp), -ECONNRESET);
	assert_null(resp);
	assert_int_equal(hf_client_last_error(c)->code, -ECONNRESET);
	assert_int_equal(hf_client_last_error(c)->kind, HF_ERROR_TRANSPORT);
	assert_false(hf_client_last_unsent(c)); /* it may have reached the BMC */
	assert_int_equal(fake.n_seen, 2);
	assert_true(fake.seen[1].no_resend); /* the last permitted send */
	free_client(c);
	fake_check_done();
}

static void sent_once(const char *method)
{
	static const char *const patch_headers[] = { "If-Match: W/\"1\"", NULL };
	const struct step steps[] = {
		{ method, "/redfish/v1/Systems/1", .fail = -ECONNRESET },
	};
	hf_response *resp = NULL;
	hf_client *c;

	SCRIPT(steps);
	c = new_client(false, 3, 0, 0);
	assert_int_equal(hf_request(c, method, "/redfish/v1/Systems/1", patch_headers, "{}", 2,
				    &resp),
			 -ECONNRESET);
	assert_int_equal(hf_client_last_error(c)->kind, HF_ERROR_TRANSPORT);
	assert_false(hf_client_last_unsent(c));
	assert_int_equal(fake.n_seen, 1);
	assert_true(fake.seen[0].no_resend); /* nor may the backend resend it */
	assert_int_equal(fake.slept_ms, 0);
	free_client(c);
	fake_check_done();
}

static void test_post_never_resent(void **state)
{
	sent_once("POST");
}

static void test_patch_never_resent(void **state)
{
	sent_once("PATCH");
}

/* ---- 503 and Retry-After ---- */

static void test_503_retry_after(void **state)
{
	static const struct step steps[] = {
		{ "GET", "/redfish/v1/", 503, { "Retry-After: 1" }, "{}" },
		{ "GET", "/redfish/v1/", 200, { NULL }, "{}" },
	};
	hf_client *c;

	SCRIPT(steps);
	c = new_client(false, 2, 3000, 0);
	assert_int_equal(get_status(c, "/redfish/v1/"), 200);
	assert_int_equal(fake.n_seen, 2);
	assert_int_equal(fake.slept_ms, 1000); /* what the BMC asked for */
	free_client(c);
	fake_check_done();
}

static void test_503_beyond_timeout(void **state)
{
	/* Retry-After 5 s, timeout 2 s: the 503 is the answer, at once */
	static const struct step steps[] = {
		{ "GET", "/redfish/v1/", 503, { "Retry-After: 5" }, "{}" },
	};
	hf_client *c;

	SCRIPT(steps);
	c = new_client(false, 2, 2000, 0);
	assert_int_equal(get_status(c, "/redfish/v1/"), 503);
	assert_int_equal(fake.n_seen, 1);
	assert_int_equal(fake.slept_ms, 0);
	free_client(c);
	fake_check_done();
}

static void test_503_within_retries(void **state)
{
	static const struct step steps[] = {
		{ "GET", "/redfish/v1/", 503, { "Retry-After: 1" }, "{}" },
		{ "GET", "/redfish/v1/", 503, { "Retry-After: 1" }, "{}" },
	};
	hf_client *c;

	SCRIPT(steps);
	c = new_client(false, 1, 3000, 0);
	assert_int_equal(get_status(c, "/redfish/v1/"), 503);
	assert_int_equal(fake.n_seen, 2);
	free_client(c);
	fake_check_done();
}

/* ---- redirects ---- */

static void test_redirect_same_bmc(void **state)
{
	static const struct step steps[] = {
		{ "GET", "/redfish/v1/Systems/1", 301, { "Location: /redfish/v1/Systems/2" } },
		{ "GET", "/redfish/v1/Systems/2", 308, { "Location: " URL "/redfish/v1/Systems/3" } },
		{ "GET", "/redfish/v1/Systems/3", 200, { NULL }, "{}" },
	};
	hf_response *resp = NULL;
	hf_client *c;

	SCRIPT(steps);
	c = new_client(false, 0, 0, 0);
	assert_int_equal(hf_get(c, "/redfish/v1/Systems/1", &resp), 0);
	assert_int_equal(hf_response_status(resp), 200);
	assert_string_equal(hf_response_path(resp), "/redfish/v1/Systems/3");
	hf_response_free(resp);
	assert_int_equal(fake.n_seen, 3);
	free_client(c);
	fake_check_done();
}

static void test_redirect_other_host_refused(void **state)
{
	static const struct step steps[] = {
		{ "GET", "/redfish/v1/Systems/1", 302,
		  { "Location: https://elsewhere.test.invalid/redfish/v1/Systems/1" } },
	};
	hf_client *c;

	SCRIPT(steps);
	c = new_client(false, 0, 0, 0);
	assert_int_equal(get_status(c, "/redfish/v1/Systems/1"), 302);
	assert_int_equal(fake.n_seen, 1);
	free_client(c);
	fake_check_done();
}

/* ---- sessions ---- */

struct getter {
	hf_client *c;
	const char *path;
	int r, status;
};

static void *get_thread(void *p)
{
	struct getter *g = p;
	hf_response *resp = NULL;

	g->r = hf_get(g->c, g->path, &resp);
	g->status = resp ? hf_response_status(resp) : 0;
	hf_response_free(resp);
	return NULL;
}

/*
 * A session that worked is refused (401) under two threads at once: one re-login for both, the
 * old session settled (404: gone), and each request replayed with the new token.
 */
static void test_relogin_shared(void **state)
{
	static const struct step steps[] = {
		LOGIN_STEPS("tok1", "1"),
		{ "GET", "/redfish/v1/Systems/1", 200, { NULL }, "{}" },
		{ "GET", "/redfish/v1/Chassis/1", 401, { NULL }, "{}", .gather = 2 },
		{ "GET", "/redfish/v1/Chassis/1", 401, { NULL }, "{}", .gather = 2 },
		RELOGIN_STEP("tok2", "2"),
		{ "GET", SESSIONS "/1", 404, { NULL }, "{}" },
		{ "GET", "/redfish/v1/Chassis/1", 200, { NULL }, "{}" },
		{ "GET", "/redfish/v1/Chassis/1", 200, { NULL }, "{}" },
		LOGOUT_STEP("2"),
	};
	struct getter g[2];
	pthread_t t[2];
	const char *token;
	size_t i;

	SCRIPT(steps);
	g[0].c = new_client(true, 0, 0, 2);
	assert_int_equal(get_status(g[0].c, "/redfish/v1/Systems/1"), 200); /* it works */
	for (i = 0; i < 2; i++) {
		g[i].c = g[0].c;
		g[i].path = "/redfish/v1/Chassis/1";
		assert_int_equal(pthread_create(&t[i], NULL, get_thread, &g[i]), 0);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(g[i].r, 0);
		assert_int_equal(g[i].status, 200);
	}
	assert_int_equal(count_seen("POST", SESSIONS), 2); /* the login and one re-login */
	assert_int_equal(hf_client_session(g[0].c, &token, NULL), 0);
	assert_string_equal(token, "tok2");
	for (i = 0; i < fake.n_seen; i++) {
		if (strcmp(fake.seen[i].path, "/redfish/v1/Chassis/1") != 0)
			continue;
		/* refused with the old token, replayed with the new */
		assert_string_equal(fake.seen[i].token, i < 5 ? "tok1" : "tok2");
	}
	assert_seen(5, "GET", SESSIONS "/1", "tok2"); /* settled with the new session */
	free_client(g[0].c);
	fake_check_done();
}

/*
 * A session refused before it ever worked: logged in again once (the first refusal), but a
 * new session refused in turn within HF_RELOGIN_INTERVAL_MS is not replaced: the caller
 * gets the 401.
 */
static void test_no_relogin_within_interval(void **state)
{
	static const struct step steps[] = {
		LOGIN_STEPS("tok1", "1"),
		{ "GET", "/redfish/v1/Systems/1", 401, { NULL }, "{}" },
		RELOGIN_STEP("tok2", "2"),
		{ "GET", SESSIONS "/1", 404, { NULL }, "{}" },
		{ "GET", "/redfish/v1/Systems/1", 401, { NULL }, "{}" },
		{ "GET", "/redfish/v1/Systems/2", 401, { NULL }, "{}" },
		LOGOUT_STEP("2"),
	};
	hf_client *c;

	SCRIPT(steps);
	c = new_client(true, 0, 0, 0);
	assert_int_equal(get_status(c, "/redfish/v1/Systems/1"), 401);
	assert_int_equal(count_seen("POST", SESSIONS), 2);
	assert_seen(4, "GET", "/redfish/v1/Systems/1", "tok2");
	/* tok2 has never worked and was had just now: no third login */
	assert_int_equal(get_status(c, "/redfish/v1/Systems/2"), 401);
	assert_int_equal(hf_client_last_error(c)->kind, HF_ERROR_NONE);
	assert_int_equal(count_seen("POST", SESSIONS), 2);
	assert_int_equal(fake.n_seen, 6);
	free_client(c);
	fake_check_done();
}

/* /redfish is sent without credentials; a BMC that demands them (401) gets a login and the
 * request once more, with the session */
static void test_redfish_401_logs_in(void **state)
{
	static const struct step steps[] = {
		{ "GET", "/redfish", 401, { NULL }, "{}" },
		LOGIN_STEPS("tok1", "1"),
		{ "GET", "/redfish", 200, { NULL }, "{\"v1\":\"/redfish/v1/\"}" },
		LOGOUT_STEP("1"),
	};
	hf_client *c;

	SCRIPT(steps);
	c = new_client(true, 0, 0, 0);
	assert_int_equal(get_status(c, "/redfish"), 200);
	assert_int_equal(fake.n_seen, 3);
	assert_seen(0, "GET", "/redfish", "");
	assert_seen(1, "POST", SESSIONS, "");
	assert_seen(2, "GET", "/redfish", "tok1");
	free_client(c);
	fake_check_done();
}

/* The logout's DELETE answered 401: a new session settles the old one (still listed, so
 * DELETEd with the new token), then is logged out in turn */
static void test_logout_refused_settled(void **state)
{
	static const struct step steps[] = {
		LOGIN_STEPS("tok1", "1"),
		{ "GET", "/redfish/v1/Systems/1", 200, { NULL }, "{}" },
		{ "DELETE", SESSIONS "/1", 401, { NULL }, "{}" },
		RELOGIN_STEP("tok2", "2"),
		{ "GET", SESSIONS "/1", 200, { NULL }, "{}" },
		{ "DELETE", SESSIONS "/1", 204, { NULL }, NULL },
		LOGOUT_STEP("2"),
	};
	hf_client *c;

	SCRIPT(steps);
	c = new_client(true, 0, 0, 0);
	assert_int_equal(get_status(c, "/redfish/v1/Systems/1"), 200);
	assert_int_equal(hf_client_logout(c), 0);
	assert_int_equal(hf_client_session(c, NULL, NULL), -ENOENT);
	assert_int_equal(fake.n_seen, 7);
	assert_seen(2, "DELETE", SESSIONS "/1", "tok1");
	assert_seen(4, "GET", SESSIONS "/1", "tok2");
	assert_seen(5, "DELETE", SESSIONS "/1", "tok2");
	assert_seen(6, "DELETE", SESSIONS "/2", "tok2");
	free_client(c);
	fake_check_done();
}

/* The URI DSP0266 fixes answers 405: the service root's Links.Sessions is read and the
 * login POSTed there, once; logout deletes the session found there */
static void test_login_elsewhere(void **state)
{
	static const struct step steps[] = {
		{ "POST", SESSIONS, 405, { NULL }, "{}" },
		{ "GET", "/redfish/v1/", 200, { NULL }, OTHER_ROOT },
		{ "POST", OTHER_SESSIONS "/", 201,
		  { "X-Auth-Token: tok1", "Location: " OTHER_SESSIONS "/1" }, "{}" },
		{ "GET", "/redfish/v1/Systems/1", 200, { NULL }, "{}" },
		{ "DELETE", OTHER_SESSIONS "/1", 204, { NULL }, NULL },
	};
	hf_client *c;

	SCRIPT(steps);
	c = new_client(true, 0, 0, 0);
	assert_int_equal(get_status(c, "/redfish/v1/Systems/1"), 200);
	assert_int_equal(fake.n_seen, 4);
	assert_seen(1, "GET", "/redfish/v1/", "");
	assert_seen(2, "POST", OTHER_SESSIONS "/", "");
	free_client(c);
	assert_seen(4, "DELETE", OTHER_SESSIONS "/1", "tok1");
	fake_check_done();
}

/* ---- interrupts ---- */

/* Interrupted within the operation, before the request: nothing is sent, and it says so */
static void test_interrupt_before_request(void **state)
{
	hf_response *resp = NULL;
	hf_client *c;

	fake_script(NULL, 0);
	c = new_client(false, 2, 0, 0);
	hf_client_begin(c);
	hf_op_enter(c);
	hf_client_interrupt(c);
	assert_int_equal(hf_get(c, "/redfish/v1/Systems/1", &resp), -EINTR);
	assert_null(resp);
	assert_int_equal(hf_client_last_error(c)->code, -EINTR);
	assert_int_equal(hf_client_last_error(c)->kind, HF_ERROR_TRANSPORT);
	assert_true(hf_client_last_unsent(c));
	hf_op_leave(c);
	assert_int_equal(fake.n_seen, 0);
	free_client(c);
	fake_check_done();
}

/* Interrupted while the login's POST is out: its answer is read all the same (the session
 * must be deleted at the end), and the request that wanted it is not sent */
static void test_interrupt_during_login(void **state)
{
	static const struct step steps[] = {
		{ "POST", SESSIONS, 201, { "X-Auth-Token: tok1", "Location: " SESSIONS "/1" }, "{}",
		  .interrupt = true },
		LOGOUT_STEP("1"),
	};
	hf_response *resp = NULL;
	hf_client *c;

	SCRIPT(steps);
	c = new_client(true, 2, 0, 0);
	assert_int_equal(hf_get(c, "/redfish/v1/Systems/1", &resp), -EINTR);
	assert_true(hf_client_last_unsent(c));
	assert_int_equal(hf_client_session(c, NULL, NULL), 0);
	assert_int_equal(count_seen("GET", "/redfish/v1/Systems/1"), 0);
	free_client(c); /* a new call, not interrupted: the logout */
	assert_seen(1, "DELETE", SESSIONS "/1", "tok1");
	fake_check_done();
}

struct waiter {
	hf_client *c;
	int r, code;
	bool unsent; /* read on the thread that failed: errors are per thread */
};

static void *wait_thread(void *p)
{
	struct waiter *w = p;
	hf_response *resp = NULL;

	w->r = hf_get(w->c, "/redfish/v1/Chassis/1", &resp);
	w->code = hf_client_last_error(w->c)->code;
	w->unsent = hf_client_last_unsent(w->c);
	hf_response_free(resp);
	return NULL;
}

/* One connection, held by a request in flight: a second thread waits for it, and
 * hf_client_interrupt() ends the wait with -EINTR, nothing sent (and the request in flight,
 * as the transport notices) */
static void test_pool_wait_interrupted(void **state)
{
	static const struct step steps[] = {
		{ "GET", "/redfish/v1/Systems/1", 200, { NULL }, "{}", .hold = true },
	};
	struct getter a = { .path = "/redfish/v1/Systems/1" };
	struct waiter b = { 0 };
	pthread_t ta, tb;

	SCRIPT(steps);
	a.c = b.c = new_client(false, 0, 5000, 1);
	fake.watch = &a.c->conn_free;
	assert_int_equal(pthread_create(&ta, NULL, get_thread, &a), 0);
	fake_wait_for(&fake.holding); /* a holds the only connection */
	assert_int_equal(pthread_create(&tb, NULL, wait_thread, &b), 0);
	pthread_mutex_lock(&fake.lock);
	while (fake.watched == 0) /* b waits for the connection */
		pthread_cond_wait(&fake.cond, &fake.lock);
	pthread_mutex_unlock(&fake.lock);
	hf_client_interrupt(b.c);
	pthread_join(tb, NULL);
	assert_int_equal(b.r, -EINTR);
	assert_int_equal(b.code, -EINTR);
	assert_true(b.unsent);
	assert_int_equal(fake.n_seen, 1);

	fake_release();
	pthread_join(ta, NULL);
	assert_int_equal(a.r, -EINTR);
	free_client(a.c);
	fake_check_done();
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)type;
	(void)f;
	return remove(path) < 0 ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_retried_after_reset),
		cmocka_unit_test(test_get_retries_bounded),
		cmocka_unit_test(test_post_never_resent),
		cmocka_unit_test(test_patch_never_resent),
		cmocka_unit_test(test_503_retry_after),
		cmocka_unit_test(test_503_beyond_timeout),
		cmocka_unit_test(test_503_within_retries),
		cmocka_unit_test(test_redirect_same_bmc),
		cmocka_unit_test(test_redirect_other_host_refused),
		cmocka_unit_test(test_relogin_shared),
		cmocka_unit_test(test_no_relogin_within_interval),
		cmocka_unit_test(test_redfish_401_logs_in),
		cmocka_unit_test(test_logout_refused_settled),
		cmocka_unit_test(test_login_elsewhere),
		cmocka_unit_test(test_interrupt_before_request),
		cmocka_unit_test(test_interrupt_during_login),
		cmocka_unit_test(test_pool_wait_interrupted),
	};

	char state[] = "/tmp/hostfish-pipeline-XXXXXX";
	int r;

	fuzz_runtime_setup();
	/* a state directory of its own: the service root the scripted BMC gives is cached there
	 * (service-root.c), and must not outlive this run */
	if (!mkdtemp(state) || setenv("HOSTFISH_STATE_DIR", state, 1) < 0)
		return 1;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	nftw(state, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	return r;
}
