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

static int client_send(hf_client *c, const char *method, const char *path,
		       const struct hf_headers *extra, const void *body, size_t body_len,
		       const struct hf_body_stream *stream, int flags, unsigned *session_gen,
		       hf_response **ret)
{
	struct hf_transport_response tresp = { 0 };
	struct hf_headers headers = { 0 };
	_cleanup_free_ char *cur_path = strdup(path);
	_cleanup_free_ char *shown = hf_mask_path(path); /* for logs and messages */
	char errbuf[1024];
	int attempt = 0, redirects = 0, slot, r;
	int interrupts_seen = hf_op_interrupts(c);
	bool idempotent = method_is_idempotent(method);
	/* timeout_ms bounds the whole request: every send, the waits between them and the
	 * Retry-After pauses.  A streamed upload is bounded by progress instead (see https.c). */
	int64_t deadline = hf_now_ms() + c->timeout_ms, t0;

	if (!cur_path || !shown)
		/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): _cleanup_free_, not modelled */
		return -ENOMEM;
	if (stream) {
		/* read once and gone: never resent, by us or by the backend */
		body = NULL;
		body_len = stream->length;
		flags |= HF_SEND_NO_RETRY;
	}
	for (;;) {
		struct hf_transport_request req = {
			.method = method,
			.path = cur_path,
			.headers = &headers,
			.body = body,
			.body_len = body_len,
			.stream = stream,
			.connect_timeout_ms = c->connect_timeout_ms,
			.timeout_ms = stream ? c->timeout_ms : time_left(deadline),
			/* compressed answers are bounded by the same limit as decoded ones */
			.max_body = c->max_response,
			/*
			 * A backend may resend on a keep-alive connection that died (and says
			 * so in tresp.sends).  That is allowed only while the retry budget has
			 * room for it: never for POST/PATCH (an action applied twice), never
			 * for the last permitted send.
			 */
			.no_resend = !idempotent || (flags & HF_SEND_NO_RETRY) ||
				     attempt + 2 > c->retries + 1,
			.interrupts = (flags & HF_SEND_ANSWER_NEEDED) ? NULL : &c->interrupts,
			.interrupts_seen = interrupts_seen,
		};
		long wait_ms = -1;

		hf_headers_clear(&headers);
		r = build_headers(c, &headers, extra, body_len > 0 || stream, flags, session_gen);
		if (r < 0)
			goto out;
		if (hf_log_enabled(&c->log, HF_LOG_DEBUG)) {
			struct hf_buf line = { 0 };

			hf_buf_printf(&line, "%s %s HTTP/1.1", method, shown);
			hf_log_message(&c->log, ">", line.data ? line.data : method, &headers, body,
				       stream ? 0 : body_len);
			hf_buf_free(&line);
			/* the stream is neither logged nor buffered: only its size and source */
			if (stream)
				hf_log_debug(&c->log, "> <%zu bytes streamed from %s>", stream->length,
					     stream->label ? stream->label : "the caller");
		}

		if (__atomic_load_n(&c->interrupts, __ATOMIC_SEQ_CST) != interrupts_seen) {
			r = -EINTR;
			hf_client_set_error(c, r, HF_ERROR_TRANSPORT, 0, NULL,
					    "%s %s: interrupted%s", method, shown,
					    attempt ? "" : " before it was sent");
			if (!attempt)
				hf_client_mark_unsent(c);
			goto out;
		}
		errbuf[0] = '\0';
		r = hf_pool_acquire(c, &slot, stream ? 0 : deadline, interrupts_seen, errbuf,
				    sizeof(errbuf));
		if (r < 0) {
			hf_client_set_error(c, r, hf_errno_kind(r), 0, NULL,
					    "cannot open a connection to the BMC: %s",
					    errbuf[0] ? errbuf : errno_text(r));
			if (!attempt)
				hf_client_mark_unsent(c);
			goto out;
		}
		t0 = hf_now_ms();
		r = hf_transport_exchange(&c->transport, c->conns[slot], &req, &tresp, errbuf,
					  sizeof(errbuf));
		hf_pool_release(c, slot, r < 0);
		attempt += tresp.sends > 1 ? (int)tresp.sends : 1;

		if (r < 0) {
			/* nothing left the host: any method may try again */
			bool unsent = r == -ECONNREFUSED || r == -EHOSTUNREACH;
			bool retryable = r != -EINTR &&
					 (unsent || (idempotent && (r == -ECONNRESET || r == -EPROTO)));

			hf_log_info(&c->log, "%s %s: %s (%s)", method, shown, errno_text(r),
				    errbuf);
			if (retryable && attempt <= c->retries && !(flags & HF_SEND_NO_RETRY)) {
				long pause = 250L << (attempt - 1);

				if (!stream && pause >= time_left(deadline))
					hf_log_info(&c->log, "%s %s: no time left for a retry within "
							     "the timeout (%ld ms)",
						    method, shown, c->timeout_ms);
				else if (hf_sleep_interruptible(c, pause, interrupts_seen) == 0)
					continue;
				else
					r = -EINTR;
			}
			hf_client_set_error(c, r, hf_errno_kind(r), 0, NULL, "%s %s: %s%s%s", method,
					    shown, errno_text(r), errbuf[0] ? ": " : "", errbuf);
			if (unsent && attempt <= 1)
				hf_client_mark_unsent(c);
			goto out;
		}
		hf_log_info(&c->log, "%s %s -> %d (%lld ms)", method, shown, tresp.status,
			    (long long)(hf_now_ms() - t0));
		if (hf_log_enabled(&c->log, HF_LOG_DEBUG)) {
			struct hf_buf line = { 0 };

			hf_buf_printf(&line, "HTTP/1.1 %d %s", tresp.status,
				      tresp.reason ? tresp.reason : "");
			hf_log_message(&c->log, "<", line.data ? line.data : "", &tresp.headers,
				       hf_headers_get(&tresp.headers, "Content-Encoding")
					       ? NULL
					       : tresp.body.data,
				       hf_headers_get(&tresp.headers, "Content-Encoding")
					       ? 0
					       : tresp.body.len);
			hf_buf_free(&line);
		}

		/* 503 + Retry-After: the BMC asks us to come back */
		if (tresp.status == 503 && idempotent && !(flags & HF_SEND_NO_RETRY) &&
		    attempt <= c->retries)
			wait_ms = hf_retry_after_ms(hf_headers_get(&tresp.headers, "Retry-After"),
						    HF_MAX_RETRY_AFTER_MS);
		if (wait_ms >= 0 && wait_ms >= time_left(deadline)) {
			/* the BMC's own answer is the result: nothing is gained by waiting */
			hf_log_info(&c->log, "%s %s: BMC busy; it asks for %ld ms, beyond the "
					     "timeout (%ld ms): not retrying",
				    method, shown, wait_ms, c->timeout_ms);
			wait_ms = -1;
		}
		if (wait_ms >= 0) {
			hf_log_info(&c->log, "%s %s: BMC busy, retrying in %ld ms", method, shown,
				    wait_ms);
			hf_transport_response_clear(&tresp);
			r = hf_sleep_interruptible(c, wait_ms, interrupts_seen);
			if (r == 0)
				continue;
			hf_client_set_error(c, r, HF_ERROR_TRANSPORT, 0, NULL, "%s %s: interrupted",
					    method, shown);
			goto out;
		}

		/* redirects: GET and HEAD only, and only on the same BMC */
		if ((tresp.status == 301 || tresp.status == 302 || tresp.status == 303 ||
		     tresp.status == 307 || tresp.status == 308) &&
		    (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) &&
		    hf_headers_get(&tresp.headers, "Location") && redirects < HF_MAX_REDIRECTS) {
			char *next = NULL;

			r = hf_location_to_path(hf_headers_get(&tresp.headers, "Location"), cur_path,
						c->origin, &next);
			if (r == 0) {
				free(cur_path);
				cur_path = next;
				free(shown);
				shown = hf_mask_path(cur_path);
				if (!shown) {
					r = -ENOMEM;
					goto out;
				}
				hf_log_info(&c->log, "redirected to %s", shown);
				redirects++;
				hf_transport_response_clear(&tresp);
				continue;
			}
			hf_log_warning(&c->log, "not following the redirect of %s: its Location "
						"is not on this BMC",
				       shown);
		}
		break;
	}
	if ((flags & HF_SEND_AUTH) && session_gen && tresp.status != 401 && tresp.status < 500) {
		/* the BMC took the session: a later 401 means it expired, not that it never
		 * worked (hf_session_relogin) */
		pthread_mutex_lock(&c->session_lock);
		if (c->session_gen == *session_gen)
			c->session_proven = true;
		pthread_mutex_unlock(&c->session_lock);
	}

	{
		struct hf_buf url = { 0 };

		hf_buf_printf(&url, "%s%s", c->origin ? c->origin : hf_client_endpoint(c),
			      cur_path);
		/* a streamed body is not kept: hf_response_request_body() is NULL for it */
		r = url.data ? hf_response_build(ret, method, url.data, cur_path, body,
						 stream ? 0 : body_len, &tresp, c->max_response)
			     : -ENOMEM;
		hf_buf_free(&url);
	}
	if (r < 0)
		hf_client_set_error(c, r, hf_errno_kind(r), tresp.status, NULL,
				    "%s %s: %s", method, shown,
				    r == -EFBIG ? "the decoded answer exceeds the size limit"
						: r == -EPROTO ? "the answer's content encoding is "
								 "malformed"
							       : strerror(-r));
out:
	hf_headers_clear(&headers);
	hf_transport_response_clear(&tresp);
	return r;
}

int hf_client_send(hf_client *c, const char *method, const char *path,
		   const struct hf_headers *extra, const void *body, size_t body_len, int flags,
		   unsigned *session_gen, hf_response **ret)
{
	return client_send(c, method, path, extra, body, body_len, NULL, flags, session_gen, ret);
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
			c->auth == HF_AUTH_NONE ? 0 : HF_SEND_AUTH, &gen, &resp);
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
