/* SPDX-License-Identifier: MIT */
/*
 * upload.c - firmware uploads relayed to the BMC as streams, never held whole.
 *
 * Other requests are read whole and bounded (--max-body, bodies.c).  A POST with a
 * multipart/form-data body to the BMC's HttpPushUri (HPE's upload form, /cgi-bin/uploadFile
 * on iLO 5/6) or MultipartHttpPushUri (DSP0266 multipart push update) is instead passed on as
 * it arrives, so a 200 MB .fwpkg costs no more memory than a small one:
 *
 *   - only for full access (ROLE_RW; server.c refuses the others), one upload at a time (the
 *     BMC takes one at a time too: the second is refused at once with 503 and Retry-After,
 *     rather than after its transfer);
 *   - one of the BMC's connections (the gate) for the whole upload;
 *   - the push URIs are read from the BMC's UpdateService each time, with the agent's own
 *     session: the read also renews the session when the BMC forgot it, since the upload
 *     itself cannot be replayed after a 401 (its body is gone);
 *   - HPE's form carries the session's key in a field, and in a cookie (HPE's iLO REST API
 *     reference, "Upload Components"; python-redfish-utility's uploadcomp sends the field
 *     first).  A client of the agent has no session of its own, so the agent puts its own in:
 *     the sessionKey field in front of the client's first part (same boundary), and the
 *     cookie.  Both only when the UpdateService is HPE's (Oem.Hpe) and the agent has a session
 *     (over CHIF without credentials the channel itself is authorised);
 *   - the client's body is read with --client-timeout as the bound on each wait for more of
 *     it; a client that stops sending or goes away aborts the upload (the BMC drops a partial
 *     upload), and nothing is answered to it.
 *
 * The upload's answer goes back as any other; afterwards the client polls UpdateService
 * through the agent as usual.  Cached answers under UpdateService are dropped (flight.c).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "agent.h"

#define UPDATE_SERVICE "/redfish/v1/UpdateService"
#define BUSY_RETRY_AFTER "Retry-After: 10\r\n"

bool upload_candidate(const struct http_request *req)
{
	const char *ct = http_header(req, "Content-Type");

	return strcmp(req->method, "POST") == 0 && req->content_length > 0 && ct &&
	       strncasecmp(ct, "multipart/form-data", 19) == 0 && strcasestr(ct, "boundary=");
}

/* The boundary parameter of the Content-Type (quoted or not), or NULL. */
static char *boundary_of(const char *ct)
{
	const char *b = strcasestr(ct, "boundary=");
	size_t n;

	if (!b)
		return NULL;
	b += 9;
	if (*b == '"') {
		b++;
		n = strcspn(b, "\"");
	} else {
		n = strcspn(b, "; \t");
	}
	return n > 0 && n <= 70 ? strndup(b, n) : NULL; /* RFC 2046: 1 to 70 characters */
}

/* Answers made before any of the body was read: read and drop it (a local socket: quick),
 * so that the client sees the answer rather than a reset; close when that fails, or when the
 * client waits for "100 Continue" (it has sent nothing yet). */
static void discard(struct conn *c, struct http_request *req)
{
	if (req->expect_continue ||
	    http_discard_body(c, req, now_ms() + c->agent->cfg.client_timeout_ms) != 0)
		c->close = true;
}

struct push_uris {
	char *hpe; /* HttpPushUri, when the UpdateService is HPE's (Oem.Hpe) */
	char *push; /* HttpPushUri otherwise */
	char *multipart; /* MultipartHttpPushUri */
};

static char *jdup(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return strdup(json_object_get_string(v));
}

/* The UpdateService's push URIs.  0 with *u filled (any may be NULL); a negative errno with
 * *resp the BMC's answer to pass on (a non-2xx status), or NULL (hf_request() failed). */
static int read_push_uris(struct agent *a, struct push_uris *u, hf_response **resp)
{
	struct json_object *us, *oem;
	int r = hf_get(a->client, UPDATE_SERVICE "/", resp);

	if (r < 0)
		return r;
	if (hf_response_status(*resp) < 200 || hf_response_status(*resp) >= 300)
		return -EREMOTEIO;
	us = hf_response_json(*resp);
	if (!us || !json_object_is_type(us, json_type_object))
		return -EPROTO;
	u->multipart = jdup(us, "MultipartHttpPushUri");
	if (json_object_object_get_ex(us, "Oem", &oem) && json_object_is_type(oem, json_type_object) &&
	    json_object_object_get_ex(oem, "Hpe", NULL))
		u->hpe = jdup(us, "HttpPushUri");
	else
		u->push = jdup(us, "HttpPushUri");
	return 0;
}

static void push_uris_free(struct push_uris *u)
{
	free(u->hpe);
	free(u->push);
	free(u->multipart);
}

static bool same_path(const char *target, const char *uri)
{
	size_t n = strcspn(target, "?");

	return uri && strlen(uri) == n && strncmp(target, uri, n) == 0;
}

struct relay {
	struct conn *c;
	struct http_request *req;
	char *prefix; /* the sessionKey field, in front of the client's body; or NULL */
	size_t prefix_len, prefix_off;
	int client_r; /* HTTP_CLOSED or 408: the client failed, the upload was aborted */
};

/* hf_read_fn: the agent's field first, then the client's body as it arrives. */
static int relay_read(void *p, void *buf, size_t len, size_t *got)
{
	struct relay *rl = p;
	struct agent *a = rl->c->agent;
	int r;

	if (rl->prefix_off < rl->prefix_len) {
		size_t n = rl->prefix_len - rl->prefix_off < len ? rl->prefix_len - rl->prefix_off
								  : len;

		memcpy(buf, rl->prefix + rl->prefix_off, n);
		rl->prefix_off += n;
		*got = n;
		return 0;
	}
	if (__atomic_load_n(&a->gate.aborting, __ATOMIC_RELAXED))
		return -ECANCELED; /* stopping, past the drain's bound */
	r = http_stream_body(rl->c, rl->req, buf, len, now_ms() + a->cfg.client_timeout_ms, got);
	if (r != 0) {
		rl->client_r = r;
		return r == 408 ? -ETIMEDOUT : -EPIPE;
	}
	return 0;
}

/* The agent's session in HPE's form: the field (into rl) and the cookie header (*cookie).
 * 0, also when the agent has no session (nothing to add); -ENOMEM. */
static int session_field(struct agent *a, const char *boundary, struct relay *rl, char **cookie)
{
	char *token = NULL;
	int r = hf_client_session_dup(a->client, &token, NULL);

	*cookie = NULL;
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	r = asprintf(&rl->prefix,
		     "--%s\r\nContent-Disposition: form-data; name=\"sessionKey\"\r\n\r\n%s\r\n",
		     boundary, token);
	if (r > 0) {
		rl->prefix_len = (size_t)r;
		r = asprintf(cookie, "Cookie: sessionKey=%s", token);
	}
	explicit_bzero(token, strlen(token));
	free(token);
	if (r < 0) {
		*cookie = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* Headers to the BMC: the client's (forward_headers()) and the cookie, if any. */
static const char **upload_headers(const struct http_request *req, const char *cookie,
				   char **block)
{
	const char **h = forward_headers(req, block), **more;
	size_t n = 0;

	if (!h || !cookie)
		return h;
	while (h[n])
		n++;
	more = realloc(h, sizeof(*h) * (n + 2));
	if (!more) {
		free(h);
		free(*block);
		*block = NULL;
		return NULL;
	}
	more[n] = cookie;
	more[n + 1] = NULL;
	return more;
}

/* On the gate: the upload itself.  The answer (NULL: without memory, or the client failed:
 * rl->client_r). */
static struct answer *stream_upload(struct conn *c, struct http_request *req, bool hpe_form,
				    struct relay *rl)
{
	struct agent *a = c->agent;
	char *boundary = boundary_of(http_header(req, "Content-Type")), *cookie = NULL;
	char *block = NULL;
	const char **headers = NULL;
	hf_response *resp = NULL;
	struct answer *ans = NULL;
	int r = boundary ? 0 : -EINVAL;

	if (r == 0 && hpe_form)
		r = session_field(a, boundary, rl, &cookie);
	if (r == 0) {
		headers = upload_headers(req, cookie, &block);
		r = headers ? 0 : -ENOMEM;
	}
	/* a client that waits for "100 Continue" (curl -F does) gets it now, not after its own
	 * time-out */
	if (r == 0 && req->expect_continue && http_send_continue(c) < 0) {
		rl->client_r = HTTP_CLOSED;
		r = -EPIPE;
	}
	if (r == 0) {
		agent_log(ALOG_INFO, "uid %u pid %d: relaying an upload of %zu bytes to %.200s%s",
			  (unsigned)c->uid, (int)c->pid, req->content_length, req->target,
			  rl->prefix ? " (with the agent's session in HPE's form)" : "");
		r = hf_request_stream(a->client, "POST", req->target, headers,
				      rl->prefix_len + req->content_length, relay_read, rl, &resp);
	}
	if (r == -EINVAL && !boundary)
		http_send_error(c, 400, "GeneralError", NULL, false,
				"the multipart body's boundary is missing or invalid");
	else if (!rl->client_r)
		ans = forward_answer(c, r, resp);
	hf_response_free(resp);
	free(headers);
	free(block);
	if (cookie)
		explicit_bzero(cookie, strlen(cookie));
	free(cookie);
	if (rl->prefix)
		explicit_bzero(rl->prefix, rl->prefix_len); /* the session's key */
	free(rl->prefix);
	rl->prefix = NULL;
	free(boundary);
	return ans;
}

/* The BMC's answer (or failure) to reading UpdateService, sent as this request's answer. */
static void send_read_failure(struct conn *c, struct http_request *req, int r,
			      hf_response *resp)
{
	struct answer *ans;

	if (r == -EPROTO) {
		http_send_error(c, 502, "GeneralError", NULL, true,
				"the BMC's %s/ is not a JSON object: no push URI to relay to",
				UPDATE_SERVICE);
		return;
	}
	ans = forward_answer(c, r == -EREMOTEIO ? 0 : r, resp);
	if (ans)
		answer_send(c, req, ans, NULL, -1);
	else
		http_send_error(c, 503, "ServiceTemporarilyUnavailable", "Retry-After: 1\r\n", true,
				"hostfishd is out of memory");
	answer_unref(ans);
}

/* Holding the upload's turn and a connection: find where it goes, relay it, answer. */
static void relay_on_gate(struct conn *c, struct http_request *req, bool *consumed)
{
	struct agent *a = c->agent;
	struct push_uris u = { 0 };
	struct relay rl = { .c = c, .req = req };
	hf_response *resp = NULL;
	struct answer *ans;
	bool hpe_form;
	int r;

	r = read_push_uris(a, &u, &resp);
	if (r < 0) {
		gate_release(&a->gate, a->client);
		send_read_failure(c, req, r, resp);
		hf_response_free(resp);
		return;
	}
	hf_response_free(resp);
	hpe_form = same_path(req->target, u.hpe);
	if (!hpe_form && !same_path(req->target, u.push) && !same_path(req->target, u.multipart)) {
		gate_release(&a->gate, a->client);
		*consumed = false;
		push_uris_free(&u);
		return; /* not an upload: the caller forwards it as any request */
	}
	push_uris_free(&u);
	flight_write_begin(a, UPDATE_SERVICE);
	ans = stream_upload(c, req, hpe_form, &rl);
	flight_write_end(a, UPDATE_SERVICE);
	gate_release(&a->gate, a->client);
	if (rl.client_r)
		__atomic_add_fetch(&a->uploads_aborted, 1, __ATOMIC_RELAXED);
	else if (ans && ans->r == 0)
		__atomic_add_fetch(&a->uploads_relayed, 1, __ATOMIC_RELAXED);
	if (rl.client_r) {
		agent_log(ALOG_WARN, "uid %u pid %d: upload to %.200s aborted after %zu of %zu "
				     "bytes: %s",
			  (unsigned)c->uid, (int)c->pid, req->target, req->body_read,
			  req->content_length,
			  rl.client_r == 408 ? "the client stopped sending" : "the client went away");
		c->close = true;
		if (rl.client_r == 408)
			http_send_error(c, 408, "GeneralError", NULL, false,
					"the upload stalled: nothing arrived for %ld s",
					a->cfg.client_timeout_ms / 1000);
	} else if (ans) {
		answer_send(c, req, ans, NULL, -1);
	} else if (!c->close) {
		http_send_error(c, 503, "ServiceTemporarilyUnavailable", "Retry-After: 1\r\n", true,
				"hostfishd is out of memory");
	}
	/* the BMC answered before it took the whole body: the rest cannot be told from the
	 * next request */
	if (req->body_read < req->content_length)
		c->close = true;
	answer_unref(ans);
}

void upload_relay(struct conn *c, struct http_request *req)
{
	struct agent *a = c->agent;
	bool consumed = true;
	int r;

	if (ride_refuse(c, req))
		return; /* the BMC is away: 503 at once */
	if (__atomic_exchange_n(&a->uploading, 1, __ATOMIC_ACQ_REL)) {
		discard(c, req);
		http_send_error(c, 503, "ServiceTemporarilyUnavailable", BUSY_RETRY_AFTER, false,
				"another upload is being relayed to the BMC: one at a time");
		return;
	}
	r = gate_reserve(&a->gate);
	if (r == 0) {
		r = gate_acquire(&a->gate, now_ms() + a->cfg.timeout_ms);
		if (r == 0)
			relay_on_gate(c, req, &consumed);
	}
	__atomic_store_n(&a->uploading, 0, __ATOMIC_RELEASE);
	if (r == -ECANCELED) {
		c->close = true;
		http_send_error(c, 503, "ServiceShuttingDown", NULL, false, "hostfishd is stopping");
	} else if (r < 0) {
		discard(c, req);
		http_send_error(c, 503, "ServiceTemporarilyUnavailable", "Retry-After: 1\r\n", false,
				"no connection to the BMC became free within %ld s",
				a->cfg.timeout_ms / 1000);
	} else if (!consumed) {
		/* a multipart POST elsewhere: an ordinary request, with the ordinary bounds */
		if (req->content_length > a->cfg.max_body || !forward_path_ok(req->target)) {
			discard(c, req);
			http_send_error(c, req->content_length > a->cfg.max_body ? 413 : 404,
					"GeneralError", NULL, false,
					"hostfishd streams only uploads to the BMC's HttpPushUri or "
					"MultipartHttpPushUri; other requests go to /redfish/ with "
					"at most %zu bytes of body",
					a->cfg.max_body);
			return;
		}
		forward_request(c, req);
	}
}
