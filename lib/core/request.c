/* SPDX-License-Identifier: MIT */
/*
 * request.c - the request pipeline: defaults and authentication headers, validation,
 * retries with Retry-After within the request's deadline, redirects on the same BMC, and the
 * re-login and replay after a 401.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "client-private.h"

static bool method_is_idempotent(const char *m)
{
	return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || strcmp(m, "PUT") == 0 ||
	       strcmp(m, "DELETE") == 0 || strcmp(m, "OPTIONS") == 0;
}

static bool method_is_known(const char *m)
{
	static const char *const methods[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE",
					       "OPTIONS" };
	size_t i;

	for (i = 0; i < HF_ARRAY_SIZE(methods); i++)
		if (strcmp(m, methods[i]) == 0)
			return true;
	return false;
}

static int build_headers(hf_client *c, struct hf_headers *h, const struct hf_headers *extra,
			 bool has_body, int flags, unsigned *gen)
{
	int r = 0;

	r = r ?: hf_headers_set(h, "Accept", "application/json");
	r = r ?: hf_headers_set(h, "Accept-Encoding", "gzip");
	r = r ?: hf_headers_set(h, "OData-Version", "4.0");
	r = r ?: hf_headers_set(h, "User-Agent", "hostfish/" PACKAGE_VERSION);
	if (has_body)
		r = r ?: hf_headers_set(h, "Content-Type", "application/json");
	if (r < 0)
		return r;
	if (flags & HF_SEND_AUTH) {
		if (c->auth == HF_AUTH_BASIC) {
			r = hf_headers_set(h, "Authorization", c->basic_auth);
		} else {
			pthread_mutex_lock(&c->session_lock);
			if (c->token)
				r = hf_headers_set(h, "X-Auth-Token", c->token);
			if (gen)
				*gen = c->session_gen;
			pthread_mutex_unlock(&c->session_lock);
		}
		if (r < 0)
			return r;
	}
	if (extra) {
		size_t i;

		for (i = 0; i < extra->n; i++) {
			r = hf_headers_set(h, extra->v[i].name, extra->v[i].value);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int hf_sleep_interruptible(hf_client *c, long ms, int interrupts_seen)
{
	while (ms > 0) {
		long step = ms < 50 ? ms : 50;

		if (__atomic_load_n(&c->interrupts, __ATOMIC_SEQ_CST) != interrupts_seen)
			return -EINTR;
		hf_sleep_ms(step);
		ms -= step;
	}
	return __atomic_load_n(&c->interrupts, __ATOMIC_SEQ_CST) != interrupts_seen ? -EINTR : 0;
}

/* What is left of a deadline, in ms; at least 1 (a transport takes 0 as "no bound"). */
static long time_left(int64_t deadline)
{
	int64_t left = deadline - hf_now_ms();

	return left > 1 ? (long)left : 1;
}

static const char *errno_text(int code)
{
	switch (code) {
	case -ECONNREFUSED:
		return "connection refused";
	case -EHOSTUNREACH:
		return "host unreachable";
	case -ECONNRESET:
		return "connection reset";
	case -ENODEV:
		return "no such network interface";
	case -ETIMEDOUT:
		return "timed out";
	case -EINTR:
		return "interrupted";
	case -EKEYREJECTED:
		return "TLS certificate not verified";
	case -ECONNABORTED:
		return "TLS handshake failed";
	case -EPROTO:
		return "malformed answer";
	case -EFBIG:
		return "answer too large";
	default:
		return strerror(-code);
	}
}

/* One request on its way: what client_send()'s steps share. */
struct sending {
	hf_client *c;
	const char *method;
	char *path; /* the current one: redirects change it */
	char *shown; /* the path masked, for logs and messages */
	const struct hf_headers *extra;
	const void *body;
	size_t body_len;
	const struct hf_body_stream *stream;
	const struct hf_body_sink *sink;
	int flags;
	unsigned *session_gen;
	int attempt, redirects, interrupts_seen;
	bool idempotent;
	int64_t deadline;
	struct hf_headers headers;
	struct hf_transport_response tresp;
	char errbuf[1024];
};

#define SEND_AGAIN 1 /* a step's answer: send the request (again) */

static void log_request(struct sending *s)
{
	struct hf_buf line = { 0 };

	if (!hf_log_enabled(&s->c->log, HF_LOG_DEBUG))
		return;
	hf_buf_printf(&line, "%s %s HTTP/1.1", s->method, s->shown);
	hf_log_message(&s->c->log, ">", line.data ? line.data : s->method, &s->headers, s->body,
		       s->stream ? 0 : s->body_len);
	hf_buf_free(&line);
	/* the stream is neither logged nor buffered: only its size and source */
	if (s->stream)
		hf_log_debug(&s->c->log, "> <%zu bytes streamed from %s>", s->stream->length,
			     s->stream->label ? s->stream->label : "the caller");
}

static void log_answer(struct sending *s, int64_t t0)
{
	const struct hf_transport_response *t = &s->tresp;
	bool encoded = hf_headers_get(&t->headers, "Content-Encoding") != NULL;
	struct hf_buf line = { 0 };

	hf_log_info(&s->c->log, "%s %s -> %d (%lld ms)", s->method, s->shown, t->status,
		    (long long)(hf_now_ms() - t0));
	if (!hf_log_enabled(&s->c->log, HF_LOG_DEBUG))
		return;
	hf_buf_printf(&line, "HTTP/1.1 %d %s", t->status, t->reason ? t->reason : "");
	hf_log_message(&s->c->log, "<", line.data ? line.data : "", &t->headers,
		       encoded ? NULL : t->body.data, encoded ? 0 : t->body.len);
	hf_buf_free(&line);
}

/* Send once: headers, the interrupt check, a connection, the exchange.  0 or an errno;
 * *exchanged: the exchange was tried (its failure may be retried). */
static int send_once(struct sending *s, bool *exchanged)
{
	hf_client *c = s->c;
	struct hf_transport_request req = {
		.method = s->method,
		.path = s->path,
		.headers = &s->headers,
		.body = s->body,
		.body_len = s->body_len,
		.stream = s->stream,
		.sink = s->sink,
		.connect_timeout_ms = c->connect_timeout_ms,
		.timeout_ms = s->stream ? c->timeout_ms : time_left(s->deadline),
		/* compressed answers are bounded by the same limit as decoded ones */
		.max_body = c->max_response,
		/*
		 * A backend may resend on a keep-alive connection that died (and says so in
		 * tresp.sends).  That is allowed only while the retry budget has room for it:
		 * never for POST/PATCH (an action applied twice), never for the last permitted
		 * send.
		 */
		.no_resend = !s->idempotent || (s->flags & HF_SEND_NO_RETRY) ||
			     s->attempt + 2 > c->retries + 1,
		.interrupts = (s->flags & HF_SEND_ANSWER_NEEDED) ? NULL : &c->interrupts,
		.interrupts_seen = s->interrupts_seen,
	};
	int64_t t0;
	int slot, r;

	hf_headers_clear(&s->headers);
	r = build_headers(c, &s->headers, s->extra, s->body_len > 0 || s->stream, s->flags,
			  s->session_gen);
	if (r < 0)
		return r;
	log_request(s);
	if (__atomic_load_n(&c->interrupts, __ATOMIC_SEQ_CST) != s->interrupts_seen) {
		hf_client_set_error(c, -EINTR, HF_ERROR_TRANSPORT, 0, NULL, "%s %s: interrupted%s",
				    s->method, s->shown, s->attempt ? "" : " before it was sent");
		if (!s->attempt)
			hf_client_mark_unsent(c);
		return -EINTR;
	}
	s->errbuf[0] = '\0';
	/* an upload or a stream that does not end waits for a slot as long as it takes */
	r = hf_pool_acquire(c, &slot, s->stream || s->sink ? 0 : s->deadline, s->interrupts_seen,
			    s->errbuf, sizeof(s->errbuf));
	if (r < 0) {
		hf_client_set_error(c, r, hf_errno_kind(r), 0, NULL,
				    "cannot open a connection to the BMC: %s",
				    s->errbuf[0] ? s->errbuf : errno_text(r));
		if (!s->attempt)
			hf_client_mark_unsent(c);
		return r;
	}
	t0 = hf_now_ms();
	*exchanged = true;
	r = hf_transport_exchange(&c->transport, c->conns[slot], &req, &s->tresp, s->errbuf,
				  sizeof(s->errbuf));
	hf_pool_release(c, slot, r < 0);
	s->attempt += s->tresp.sends > 1 ? (int)s->tresp.sends : 1;
	if (r == 0)
		log_answer(s, t0);
	return r;
}

/* The exchange failed with R (not sent to the end, or no answer): SEND_AGAIN, or R. */
static int after_failure(struct sending *s, int r)
{
	hf_client *c = s->c;
	/* nothing left the host: any method may try again */
	bool unsent = r == -ECONNREFUSED || r == -EHOSTUNREACH || r == -ENODEV;
	bool retryable = r != -EINTR &&
			 (unsent || (s->idempotent && (r == -ECONNRESET || r == -EPROTO)));

	hf_log_info(&c->log, "%s %s: %s (%s)", s->method, s->shown, errno_text(r), s->errbuf);
	if (retryable && s->attempt <= c->retries && !(s->flags & HF_SEND_NO_RETRY)) {
		long pause = 250L << (s->attempt - 1);

		if (!s->stream && pause >= time_left(s->deadline))
			hf_log_info(&c->log, "%s %s: no time left for a retry within the timeout "
					     "(%ld ms)",
				    s->method, s->shown, c->timeout_ms);
		else if (hf_sleep_interruptible(c, pause, s->interrupts_seen) == 0)
			return SEND_AGAIN;
		else
			r = -EINTR;
	}
	hf_client_set_error(c, r, hf_errno_kind(r), 0, NULL, "%s %s: %s%s%s", s->method, s->shown,
			    errno_text(r), s->errbuf[0] ? ": " : "", s->errbuf);
	if (unsent && s->attempt <= 1)
		hf_client_mark_unsent(c);
	return r;
}

/* 503 with Retry-After: SEND_AGAIN after the pause, 0 to take the answer, or an errno. */
static int after_busy(struct sending *s)
{
	hf_client *c = s->c;
	long wait_ms = -1;
	int r;

	if (s->tresp.status == 503 && s->idempotent && !(s->flags & HF_SEND_NO_RETRY) &&
	    s->attempt <= c->retries)
		wait_ms = hf_retry_after_ms(hf_headers_get(&s->tresp.headers, "Retry-After"),
					    HF_MAX_RETRY_AFTER_MS);
	if (wait_ms < 0)
		return 0;
	if (wait_ms >= time_left(s->deadline)) {
		/* the BMC's own answer is the result: nothing is gained by waiting */
		hf_log_info(&c->log, "%s %s: BMC busy; it asks for %ld ms, beyond the timeout "
				     "(%ld ms): not retrying",
			    s->method, s->shown, wait_ms, c->timeout_ms);
		return 0;
	}
	hf_log_info(&c->log, "%s %s: BMC busy, retrying in %ld ms", s->method, s->shown, wait_ms);
	hf_transport_response_clear(&s->tresp);
	r = hf_sleep_interruptible(c, wait_ms, s->interrupts_seen);
	if (r == 0)
		return SEND_AGAIN;
	hf_client_set_error(c, r, HF_ERROR_TRANSPORT, 0, NULL, "%s %s: interrupted", s->method,
			    s->shown);
	return r;
}

/* Redirects: GET and HEAD only, and only on the same BMC.  SEND_AGAIN, 0 or -ENOMEM. */
static int after_redirect(struct sending *s)
{
	int status = s->tresp.status;
	const char *loc = hf_headers_get(&s->tresp.headers, "Location");
	char *next = NULL;

	if (!(status == 301 || status == 302 || status == 303 || status == 307 || status == 308) ||
	    !(strcmp(s->method, "GET") == 0 || strcmp(s->method, "HEAD") == 0) || !loc ||
	    s->redirects >= HF_MAX_REDIRECTS)
		return 0;
	if (hf_location_to_path(loc, s->path, s->c->origin, &next) < 0) {
		hf_log_warning(&s->c->log, "not following the redirect of %s: its Location is not "
					   "on this BMC",
			       s->shown);
		return 0;
	}
	free(s->path);
	s->path = next;
	free(s->shown);
	s->shown = hf_mask_path(s->path);
	if (!s->shown)
		return -ENOMEM;
	hf_log_info(&s->c->log, "redirected to %s", s->shown);
	s->redirects++;
	hf_transport_response_clear(&s->tresp);
	return SEND_AGAIN;
}

/* The answer taken: the session proven, the response built. */
static int take_answer(struct sending *s, hf_response **ret)
{
	hf_client *c = s->c;
	struct hf_buf url = { 0 };
	int r;

	if ((s->flags & HF_SEND_AUTH) && s->session_gen && s->tresp.status != 401 &&
	    s->tresp.status < 500) {
		/* the BMC took the session: a later 401 means it expired, not that it never
		 * worked (hf_session_relogin) */
		pthread_mutex_lock(&c->session_lock);
		if (c->session_gen == *s->session_gen)
			c->session_proven = true;
		pthread_mutex_unlock(&c->session_lock);
	}
	hf_buf_printf(&url, "%s%s", c->origin ? c->origin : hf_client_endpoint(c), s->path);
	/* a streamed body is not kept: hf_response_request_body() is NULL for it */
	r = url.data ? hf_response_build(ret, s->method, url.data, s->path, s->body,
					 s->stream ? 0 : s->body_len, &s->tresp, c->max_response)
		     : -ENOMEM;
	hf_buf_free(&url);
	if (r < 0)
		hf_client_set_error(c, r, hf_errno_kind(r), s->tresp.status, NULL, "%s %s: %s",
				    s->method, s->shown,
				    r == -EFBIG ? "the decoded answer exceeds the size limit"
				    : r == -EPROTO ? "the answer's content encoding is malformed"
						   : strerror(-r));
	return r;
}

static int client_send(hf_client *c, const char *method, const char *path,
		       const struct hf_headers *extra, const void *body, size_t body_len,
		       const struct hf_body_stream *stream, int flags, unsigned *session_gen,
		       int64_t deadline, hf_response **ret, const struct hf_body_sink *sink)
{
	struct sending s = {
		.c = c,
		.method = method,
		.path = strdup(path),
		.shown = hf_mask_path(path),
		.extra = extra,
		.body = body,
		.body_len = body_len,
		.stream = stream,
		.sink = sink,
		.flags = flags,
		.session_gen = session_gen,
		.interrupts_seen = hf_op_interrupts(c),
		.idempotent = method_is_idempotent(method),
		/* timeout_ms bounds the whole request: every send, the waits between them and
		 * the Retry-After pauses (or the caller's earlier deadline).  A streamed upload is
		 * bounded by progress instead (see https.c). */
		.deadline = deadline > 0 && deadline < hf_now_ms() + c->timeout_ms
				    ? deadline
				    : hf_now_ms() + c->timeout_ms,
	};
	int r = -ENOMEM;

	if (!s.path || !s.shown)
		goto out;
	if (stream) {
		/* read once and gone: never resent, by us or by the backend */
		s.body = NULL;
		s.body_len = stream->length;
		s.flags |= HF_SEND_NO_RETRY;
	}
	do {
		bool exchanged = false;

		r = send_once(&s, &exchanged);
		if (r < 0 && exchanged) {
			r = after_failure(&s, r);
		} else if (r == 0) {
			r = after_busy(&s);
			if (r == 0)
				r = after_redirect(&s);
		}
	} while (r == SEND_AGAIN);
	if (r == 0)
		r = take_answer(&s, ret);
out:
	free(s.path);
	free(s.shown);
	hf_headers_clear(&s.headers);
	hf_transport_response_clear(&s.tresp);
	return r;
}

int hf_client_send(hf_client *c, const char *method, const char *path,
		   const struct hf_headers *extra, const void *body, size_t body_len, int flags,
		   unsigned *session_gen, hf_response **ret)
{
	return client_send(c, method, path, extra, body, body_len, NULL, flags, session_gen, 0,
			   ret, NULL);
}

int hf_client_send_until(hf_client *c, const char *method, const char *path, int flags,
			 int64_t deadline, hf_response **ret)
{
	return client_send(c, method, path, NULL, NULL, 0, NULL, flags, NULL, deadline, ret,
			   NULL);
}

static int validate_request(hf_client *c, const char *method, const char *path,
			    const char *const *headers, const void *body, size_t body_len,
			    struct hf_headers *extra, char **ret_path)
{
	size_t i;
	int r;

	if (!method || !method_is_known(method)) {
		hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL, "unsupported method %s",
				    method ? method : "(null)");
		return -EINVAL;
	}
	if (!path) {
		hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL, "no path given");
		return -EINVAL;
	}
	if (path[0] != '/') {
		/* a full URL: accepted when it names this BMC */
		r = hf_location_to_path(path, "/", c->origin, ret_path);
		if (r < 0 || !hf_url_has_scheme(path)) {
			if (r == 0) {
				free(*ret_path);
				*ret_path = NULL;
			}
			hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL,
					    "invalid path: expected /redfish/v1/... or a URL of "
					    "this BMC");
			return -EINVAL;
		}
	} else {
		if (hf_path_check(path) < 0) {
			hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL,
					    "invalid path: it must start with '/' and contain no "
					    "spaces, control characters (CR, LF) or fragment");
			return -EINVAL;
		}
		*ret_path = strdup(path);
		if (!*ret_path)
			return -ENOMEM;
	}
	for (i = 0; headers && headers[i]; i++) {
		r = hf_headers_add_line(extra, headers[i]);
		if (r < 0) {
			hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL,
					    "invalid header (expected 'Name: value' without CR or "
					    "LF): %.64s",
					    headers[i]);
			goto fail;
		}
	}
	if (body_len > HF_MAX_INPUT_SIZE) {
		hf_client_set_error(c, -EFBIG, HF_ERROR_USAGE, 0, NULL,
				    "request body of %zu bytes is over the limit", body_len);
		r = -EFBIG;
		goto fail;
	}
	if (body_len && !hf_headers_get(extra, "Content-Type")) {
		/* declared as JSON, so it must be JSON (checked in place: bodies carry
		 * passwords, and copies of them are best not made) */
		if (!hf_json_valid(body, body_len)) {
			hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL,
					    "the request body is not valid JSON (give a "
					    "Content-Type header for other data)");
			r = -EINVAL;
			goto fail;
		}
	}
	return 0;
fail:
	free(*ret_path);
	*ret_path = NULL;
	return r;
}

static bool is_service_root(const char *path)
{
	return strcmp(path, "/redfish/v1/") == 0 || strcmp(path, "/redfish/v1") == 0 ||
	       strcmp(path, "/redfish") == 0 || strcmp(path, "/redfish/") == 0;
}

_hf_public_ int hf_request(hf_client *c, const char *method, const char *path,
			   const char *const *headers, const void *body, size_t body_len,
			   hf_response **ret)
{
	struct hf_headers extra = { 0 };
	_cleanup_free_ char *p = NULL;
	hf_response *resp = NULL;
	unsigned gen = 0;
	bool uses_session, needs_auth;
	int r;

	if (!c || !ret)
		return -EINVAL;
	hf_client_begin(c);
	r = validate_request(c, method, path, headers, body, body_len, &extra, &p);
	if (r < 0)
		goto out;

	/* only the service root is readable without credentials (not over a transport where
	 * the BMC may demand them for every request: the host interface) */
	needs_auth = !((strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) &&
		       is_service_root(p)) ||
		     (c->transport.ops->caps & HF_TCAP_AUTH_ALWAYS);
	uses_session = hf_session_auth_uses_session(c);
	if (needs_auth && uses_session) {
		r = hf_session_ensure(c);
		if (r < 0)
			goto out;
	}

	r = hf_client_send(c, method, p, &extra, body, body_len,
			   c->auth == HF_AUTH_NONE ? 0 : HF_SEND_AUTH, &gen, &resp);
	if (r < 0)
		goto out;

	/*
	 * A 401 for a path readable without credentials, sent before this client had a session
	 * (or before another thread's login ended): the BMC demands them here after all (HPE
	 * documents 401 for everything but /redfish/v1/, /redfish included).  Log in and send it
	 * once more; from then on it is an ordinary authenticated request.
	 */
	if (hf_response_status(resp) == 401 && uses_session && !needs_auth) {
		needs_auth = true;
		r = hf_session_ensure(c);
		if (r < 0)
			goto out;
		hf_response_free(resp);
		resp = NULL;
		r = hf_client_send(c, method, p, &extra, body, body_len, HF_SEND_AUTH, &gen, &resp);
		if (r < 0)
			goto out;
	}

	/*
	 * A 401 on a session that was valid: it expired, was deleted, or the BMC was reset.
	 * Log in again (once, shared by every thread that saw the same expiry) and send the
	 * request again.  Every method is replayed, not just idempotent ones: a 401 means the
	 * BMC refused the request before acting on it, so sending it again cannot apply it twice.
	 */
	if (hf_response_status(resp) == 401 && uses_session && needs_auth && gen != 0) {
		r = hf_session_relogin(c, gen);
		if (r == 0) {
			hf_response_free(resp);
			resp = NULL;
			r = hf_client_send(c, method, p, &extra, body, body_len, HF_SEND_AUTH, &gen,
					   &resp);
			if (r < 0)
				goto out;
		} else if ((r == -EACCES && !c->password) || r == -EAGAIN) {
			/* no way to log in again, or not so soon: give the caller the BMC's 401 */
			hf_client_clear_error(c);
		} else {
			hf_response_free(resp);
			resp = NULL;
			goto out;
		}
	}
	/* the service root read for any reason keeps its cache current (service-root.c) */
	if ((strcmp(p, "/redfish/v1/") == 0 || strcmp(p, "/redfish/v1") == 0) &&
	    strcmp(method, "GET") == 0 && hf_response_status(resp) == 200)
		hf_service_root_note(c, resp);
	*ret = resp;
	resp = NULL;
	r = 0;
out:
	/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): _cleanup_free_, not modelled */
	hf_response_free(resp);
	hf_headers_clear(&extra);
	return r;
}

int hf_client_request_stream(hf_client *c, const char *method, const char *path,
			     const char *const *headers, const struct hf_body_stream *stream,
			     hf_response **ret)
{
	struct hf_headers extra = { 0 };
	_cleanup_free_ char *p = NULL;
	hf_response *resp = NULL;
	unsigned gen = 0;
	int r;

	if (!stream || !stream->read) {
		hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL, "no body stream given");
		return -EINVAL;
	}
	r = validate_request(c, method, path, headers, NULL, 0, &extra, &p);
	if (r < 0)
		goto out;
	if (hf_session_auth_uses_session(c)) {
		r = hf_session_ensure(c);
		if (r < 0)
			goto out;
	}
	/*
	 * No re-login and replay on a 401 here, unlike hf_request(): the stream is consumed and
	 * cannot be rewound, and a body may carry the session's token (HPE's upload form does).
	 * The 401 goes back to the caller, which can log in again and start over.
	 */
	r = client_send(c, method, p, &extra, NULL, 0, stream,
			c->auth == HF_AUTH_NONE ? 0 : HF_SEND_AUTH, &gen, 0, &resp, NULL);
	if (r < 0)
		goto out;
	*ret = resp;
	resp = NULL;
out:
	hf_response_free(resp);
	hf_headers_clear(&extra);
	return r;
}

_hf_public_ int hf_request_stream(hf_client *c, const char *method, const char *path,
				  const char *const *headers, size_t length, hf_read_fn read,
				  void *userdata, hf_response **ret)
{
	struct hf_body_stream stream = {
		.read = read, .userdata = userdata, .length = length, .label = "the caller"
	};

	if (!c || !ret)
		return -EINVAL;
	hf_client_begin(c);
	return hf_client_request_stream(c, method, path, headers, &stream, ret);
}

int hf_client_get_sink(hf_client *c, const char *path, const char *const *headers,
		       const struct hf_body_sink *sink, hf_response **ret)
{
	struct hf_headers extra = { 0 };
	_cleanup_free_ char *p = NULL;
	hf_response *resp = NULL;
	unsigned gen = 0;
	int flags = c->auth == HF_AUTH_NONE ? 0 : HF_SEND_AUTH, r;

	r = validate_request(c, "GET", path, headers, NULL, 0, &extra, &p);
	if (r < 0)
		goto out;
	if (hf_session_auth_uses_session(c)) {
		r = hf_session_ensure(c);
		if (r < 0)
			goto out;
	}
	/* one send: a stream that broke is the caller's to open again (it knows from where) */
	r = client_send(c, "GET", p, &extra, NULL, 0, NULL, flags | HF_SEND_NO_RETRY, &gen, 0,
			&resp, sink);
	if (r == 0 && hf_response_status(resp) == 401 && hf_session_auth_uses_session(c) &&
	    gen != 0 && hf_session_relogin(c, gen) == 0) {
		hf_response_free(resp);
		resp = NULL;
		r = client_send(c, "GET", p, &extra, NULL, 0, NULL, flags | HF_SEND_NO_RETRY, &gen,
				0, &resp, sink);
	}
	if (r < 0)
		goto out;
	*ret = resp;
	resp = NULL;
out:
	hf_response_free(resp);
	hf_headers_clear(&extra);
	return r;
}

_hf_public_ int hf_get(hf_client *c, const char *path, hf_response **ret)
{
	return hf_request(c, "GET", path, NULL, NULL, 0, ret);
}

_hf_public_ int hf_request_json(hf_client *c, const char *method, const char *path,
				const char *const *headers, struct json_object *body,
				hf_response **ret)
{
	const char *text = NULL;
	size_t len = 0;

	if (body) {
		text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN |
								    JSON_C_TO_STRING_NOSLASHESCAPE);
		if (!text)
			return -ENOMEM;
		len = strlen(text);
	}
	return hf_request(c, method, path, headers, text, len, ret);
}
