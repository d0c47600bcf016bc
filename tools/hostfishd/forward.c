/* SPDX-License-Identifier: MIT */
/*
 * forward.c - one client request to the BMC through the shared hf_client, and its answer back.
 *
 * Request: the method, path and body as received; headers minus the hop-by-hop ones, Host,
 * Content-Length and Expect (the library frames the request itself), Accept-Encoding (the
 * library decodes, the client gets identity) and every credential (Authorization,
 * X-Auth-Token, Cookie): the agent's own session is used, and a client's access is what its
 * group allows, never what a token it holds would.
 *
 * Answer: the BMC's status, reason and headers minus the hop-by-hop ones, Content-Length,
 * Content-Encoding, Transfer-Encoding (the body was decoded) and Set-Cookie; the decoded body
 * with its own Content-Length.  When the library has no answer to give: 502 (transport),
 * 504 (timeout), 503 (the agent cannot authenticate to the BMC, or is stopping, or the BMC is
 * resetting: ride.c), each with a Redfish-style error body that says why.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agent.h"

static const char *const request_drop[] = {
	"Connection",	       "Keep-Alive", "Proxy-Connection", "Proxy-Authorization",
	"Proxy-Authenticate",  "TE",	     "Trailer",		 "Transfer-Encoding",
	"Upgrade",	       "Host",	     "Content-Length",	 "Expect",
	"Authorization",       "X-Auth-Token", "Cookie",	 "Accept-Encoding",
	NULL,
};

static const char *const response_drop[] = {
	"Connection",	      "Keep-Alive",	   "Proxy-Connection", "Proxy-Authenticate",
	"TE",		      "Trailer",	   "Transfer-Encoding", "Upgrade",
	"Content-Length",     "Content-Encoding", "Set-Cookie",	      NULL,
};

static bool in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcasecmp(*list, name) == 0)
			return true;
	return false;
}

/* Is "name" one of the tokens of a Connection header value (hop-by-hop by declaration)? */
static bool named_by_connection(const char *connection, const char *name)
{
	size_t n = strlen(name);
	const char *v = connection;

	while (v && *v) {
		size_t len;

		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		len = strcspn(v, ", \t");
		if (len == n && strncasecmp(v, name, n) == 0)
			return true;
		v += len;
	}
	return false;
}

static bool hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/*
 * Only /redfish and what is under it, without dot segments, encoded dots, slashes or
 * backslashes, or a fragment: the BMC must not be led to resolve a path outside /redfish
 * (iLO serves more than Redfish with the same session).
 */
bool forward_path_ok(const char *target)
{
	size_t plen = strcspn(target, "?");
	size_t i;

	if (strncmp(target, "/redfish", 8) != 0 || (plen > 8 && target[8] != '/'))
		return false;
	if (strchr(target, '#') || memchr(target, '\\', plen))
		return false;
	for (i = 0; i < plen; i++) {
		if (target[i] == '%') {
			if (i + 2 >= plen || !hex(target[i + 1]) || !hex(target[i + 2]))
				return false;
			if (target[i + 1] == '2' && strchr("eEfF", target[i + 2]))
				return false;
			if (target[i + 1] == '5' && strchr("cC", target[i + 2]))
				return false;
			if (target[i + 1] == '0' && target[i + 2] == '0')
				return false;
		}
		if (target[i] == '/' && target[i + 1] == '.') {
			size_t j = i + 2;

			if (j < plen && target[j] == '.')
				j++;
			if (j >= plen || target[j] == '/')
				return false;
		}
	}
	return true;
}

const char **forward_headers(const struct http_request *req, char **block)
{
	const char *connection = http_header(req, "Connection");
	const char **list;
	size_t i, n = 0, size = 0;
	char *p;

	for (i = 0; i < req->n_headers; i++)
		size += strlen(req->headers[i].name) + strlen(req->headers[i].value) + 3;
	list = malloc(sizeof(*list) * (req->n_headers + 1));
	p = *block = malloc(size + 1);
	if (!list || !p) {
		free(list);
		free(p);
		*block = NULL;
		return NULL;
	}
	for (i = 0; i < req->n_headers; i++) {
		const struct http_header *h = &req->headers[i];

		if (in_list(request_drop, h->name) || named_by_connection(connection, h->name))
			continue;
		list[n++] = p;
		p += sprintf(p, "%s: %s", h->name, h->value) + 1;
	}
	list[n] = NULL;
	return list;
}

static bool header_ok(const char *name, const char *value)
{
	const unsigned char *p;

	if (!*name)
		return false;
	for (p = (const unsigned char *)name; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == ':')
			return false;
	for (p = (const unsigned char *)value; *p; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return false;
	return true;
}

static bool digits(const char *s)
{
	if (!s || !*s || strlen(s) > 18)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* The BMC's answer as it goes to the client (one copy of the body, shared afterwards), or
 * NULL without memory. */
static struct answer *answer_from_response(const struct conn *c, hf_response *resp)
{
	struct obuf head = { .max = (size_t)4 << 20 };
	const char *connection = hf_response_header(resp, "Connection");
	const char *reason = hf_response_reason(resp), *body, *p;
	struct answer *ans = calloc(1, sizeof(*ans));
	size_t i, n, len = 0;

	if (!ans)
		return NULL;
	ans->refs = 1;
	ans->status = hf_response_status(resp);
	for (p = reason; p && *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			break;
	if (reason && !(p && *p))
		ans->reason = strdup(reason); /* else odd bytes: the standard phrase */
	n = hf_response_header_count(resp);
	for (i = 0; i < n; i++) {
		const char *name, *value;

		if (hf_response_header_at(resp, i, &name, &value) < 0 || !header_ok(name, value) ||
		    in_list(response_drop, name) || named_by_connection(connection, name))
			continue;
		obuf_add(&head, name, strlen(name));
		obuf_add(&head, ": ", 2);
		obuf_add(&head, value, strlen(value));
		obuf_add(&head, "\r\n", 2);
	}
	ans->no_store = flight_answer_no_store(hf_response_header(resp, "Cache-Control"));
	body = hf_response_body(resp, &len);
	if ((ans->status >= 100 && ans->status < 200) || ans->status == 204 ||
	    ans->status == 304) {
		ans->content_length = -1; /* no body, no length */
	} else if (c->head) {
		/* the GET's length, when the BMC gave one that was not of an encoded body */
		const char *cl = hf_response_header(resp, "Content-Length");

		ans->content_length = digits(cl) && !hf_response_header(resp, "Content-Encoding")
					      ? strtoll(cl, NULL, 10)
					      : -1;
	} else {
		ans->content_length = (long long)len;
	}
	ans->send_body = !c->head && ans->content_length > 0;
	if (head.failed) {
		obuf_free(&head);
		ans->r = -EPROTO;
		ans->error_message = strdup("the BMC's answer has too many headers");
		return ans;
	}
	ans->head = head.data;
	if (ans->send_body) {
		ans->body = malloc(len);
		if (!ans->body) {
			answer_unref(ans);
			return NULL;
		}
		memcpy(ans->body, body, len);
		ans->body_len = len;
	}
	return ans;
}

/* hf_request()'s failure r, as this thread's last error tells it, for every client that
 * shared the request; NULL without memory. */
static struct answer *answer_from_error(hf_client *client, int r)
{
	struct answer *ans = calloc(1, sizeof(*ans));
	const hf_error *e;

	if (!ans)
		return NULL;
	ans->refs = 1;
	ans->r = r;
	if (r == -ENOMEM)
		return ans; /* maybe before hf_request(): the thread's last error is not this one */
	e = hf_client_last_error(client);
	ans->error_kind = e->kind;
	if (e->message && *e->message)
		ans->error_message = strdup(e->message);
	return ans;
}

static void log_outcome(const struct conn *c, const struct http_request *req, const char *what,
			const char *how)
{
	char *shown = hf_mask_uri(req->target); /* ?token=... never reaches the log */

	agent_log(ALOG_INFO, "uid %u pid %d: %s %.300s%s%s%s", (unsigned)c->uid, (int)c->pid,
		  req->method, shown ? shown : "(target not shown)", what, how ? " " : "",
		  how ? how : "");
	free(shown);
}

static void send_library_error(struct conn *c, const struct http_request *req,
			       const struct answer *ans, const char *how)
{
	int r = ans->r, kind = ans->error_kind;
	const char *why = ans->error_message ? ans->error_message : strerror(-r);
	char what[400];

	if (r == -ENOMEM) {
		http_send_error(c, 503, "ServiceTemporarilyUnavailable", "Retry-After: 1\r\n", true,
				"hostfishd is out of memory");
		return;
	}
	snprintf(what, sizeof(what), ": %s", why);
	log_outcome(c, req, what, how);
	if (ans->bmc_away) {
		ride_send(c);
	} else if (r == -EINTR) {
		c->close = true;
		http_send_error(c, 503, "ServiceShuttingDown", NULL, true,
				"hostfishd is stopping: the request was interrupted");
	} else if (r == -EINVAL || kind == HF_ERROR_USAGE) {
		http_send_error(c, 400, "GeneralError", NULL, false, "%s", why);
	} else if (r == -EACCES || r == -EUSERS || kind == HF_ERROR_AUTH) {
		http_send_error(c, 503, "ServiceTemporarilyUnavailable", "Retry-After: 10\r\n",
				true,
				"hostfishd cannot authenticate to the BMC (%s); check the agent's "
				"credentials and its log",
				why);
	} else if (r == -ETIMEDOUT || kind == HF_ERROR_TIMEOUT) {
		http_send_error(c, 504, "GeneralError", NULL, true,
				"the BMC did not answer in time: %s", why);
	} else if (r == -ECONNREFUSED || r == -ECONNRESET || r == -EHOSTUNREACH ||
		   r == -ENOTSUP || r == -EKEYREJECTED || kind == HF_ERROR_TRANSPORT) {
		http_send_error(c, 502, "GeneralError", NULL, true,
				"the BMC could not be reached: %s", why);
	} else {
		/* -EPROTO, -EFBIG: an answer the library could not use */
		http_send_error(c, 502, "GeneralError", NULL, true,
				"no usable answer from the BMC: %s", why);
	}
}

void answer_send(struct conn *c, const struct http_request *req,
			const struct answer *ans, const char *how, int age)
{
	char what[32], *head = ans->head, *with_age = NULL;

	if (ans->r < 0) {
		send_library_error(c, req, ans, how);
		return;
	}
	snprintf(what, sizeof(what), " -> %d", ans->status);
	log_outcome(c, req, what, how);
	if (age >= 0 && asprintf(&with_age, "%sAge: %d\r\n", head ? head : "", age) > 0)
		head = with_age;
	http_send(c, ans->status, ans->reason, head, ans->body, ans->content_length,
		  ans->send_body);
	free(with_age);
}

/*
 * Charge the body to the client's uid (bodies.c), before anything of it is asked for or read:
 * true, or false with the refusal sent (the connection then closes: the body is not read).
 */
static bool charge_body(struct conn *c, const struct http_request *req)
{
	struct agent *a = c->agent;
	const char *why = "";
	int r;

	if (!req->content_length)
		return true;
	r = bodies_reserve(a, c->uid, c->role, req->content_length, &why);
	if (r == 0)
		return true;
	c->close = true;
	if (r == -EFBIG)
		http_send_error(c, 413, "GeneralError", NULL, false,
				"hostfishd: %s (%zu bytes; --max-body-total %zu)", why,
				req->content_length, a->cfg.max_body_total);
	else
		http_send_error(c, 503, "ServiceTemporarilyUnavailable", "Retry-After: 1\r\n",
				false, "hostfishd: %s (%zu bytes more refused)", why,
				req->content_length);
	return false;
}

static void uncharge_body(struct conn *c, struct http_request *req)
{
	http_body_free(req); /* wiped: bodies carry passwords */
	if (req->content_length)
		bodies_release(c->agent, c->uid, c->role, req->content_length);
}

/* A place in the gate's queue: true, or false with the refusal sent. */
static bool reserve_gate(struct conn *c, struct http_request *req)
{
	struct agent *a = c->agent;
	int r = gate_reserve(&a->gate);

	if (r == 0)
		return true;
	if (req->content_length && req->expect_continue)
		c->close = true; /* the body was never asked for */
	else if (req->content_length &&
		 http_discard_body(c, req, now_ms() + a->cfg.client_timeout_ms) != 0)
		c->close = true;
	if (r == -ECANCELED) {
		c->close = true;
		http_send_error(c, 503, "ServiceShuttingDown", NULL, false,
				"hostfishd is stopping");
		return false;
	}
	http_send_error(c, 503, "ServiceTemporarilyUnavailable", "Retry-After: 1\r\n", false,
			"too many requests: %d on the BMC's connections and %d waiting",
			a->cfg.max_connections, a->cfg.max_queue);
	return false;
}

/* With a place in the queue: the body into req->body.  true, or false with the place given
 * back and the refusal sent (if the client is still there to read it). */
static bool receive_body(struct conn *c, struct http_request *req)
{
	struct agent *a = c->agent;
	int r;

	if (!req->content_length)
		return true;
	if (req->expect_continue && http_send_continue(c) < 0) {
		gate_cancel(&a->gate);
		c->close = true;
		return false;
	}
	r = http_read_body(c, req, now_ms() + a->cfg.client_timeout_ms);
	if (r == 0)
		return true;
	gate_cancel(&a->gate);
	c->close = true;
	if (r == 408)
		http_send_error(c, 408, "GeneralError", NULL, false,
				"the request body did not arrive within %ld s",
				a->cfg.client_timeout_ms / 1000);
	else if (r == -ENOMEM)
		http_send_error(c, 503, "ServiceTemporarilyUnavailable", "Retry-After: 1\r\n",
				false, "hostfishd is out of memory");
	return false;
}

/* With a place at the gate: the request to the BMC, its answer (NULL without memory). */
static struct answer *ask_bmc(struct conn *c, struct http_request *req, const char **headers)
{
	struct agent *a = c->agent;
	hf_response *resp = NULL;
	struct answer *ans;
	int64_t start_us = metrics_clock_us();
	int r;

	if (!headers)
		r = -ENOMEM;
	else
		r = hf_request(a->client, req->method, req->target, headers, req->body,
			       req->content_length, &resp);
	gate_release(&a->gate, a->client);
	if (headers)
		metrics_observe(a, start_us);
	uncharge_body(c, req); /* the answer does not need it */
	ans = forward_answer(c, r, resp);
	hf_response_free(resp);
	return ans;
}

struct answer *forward_answer(struct conn *c, int r, hf_response *resp)
{
	struct agent *a = c->agent;
	struct answer *ans;

	if (r == 0)
		ride_answered(a);
	ans = r < 0 ? answer_from_error(a->client, r) : answer_from_response(c, resp);
	if (ans && (r == -EACCES || r == -EUSERS || ans->error_kind == HF_ERROR_AUTH))
		metrics_login_failed(a);
	if (ans && r < 0)
		ans->bmc_away = ride_failed(a, r); /* the BMC is gone: ride through (ride.c) */
	return ans;
}

/* Through the gate to the BMC: the answer, or NULL with the refusal sent (or without memory,
 * *sent false). */
static struct answer *through_gate(struct conn *c, struct http_request *req, const char **headers,
				   bool *sent)
{
	struct agent *a = c->agent;
	int r;

	*sent = true;
	if (!charge_body(c, req))
		return NULL;
	if (!reserve_gate(c, req) || !receive_body(c, req)) {
		uncharge_body(c, req);
		return NULL;
	}
	r = gate_acquire(&a->gate, now_ms() + a->cfg.timeout_ms);
	if (r < 0) {
		uncharge_body(c, req);
		if (r == -ECANCELED) {
			c->close = true;
			http_send_error(c, 503, "ServiceShuttingDown", NULL, false,
					"hostfishd is stopping");
		} else {
			http_send_error(c, 503, "ServiceTemporarilyUnavailable",
					"Retry-After: 1\r\n", false,
					"no connection to the BMC became free within %ld s",
					a->cfg.timeout_ms / 1000);
		}
		return NULL;
	}
	*sent = false;
	return ask_bmc(c, req, headers);
}

static void send_or_fail(struct conn *c, const struct http_request *req, struct answer *ans,
			 bool sent, const char *how, int age)
{
	if (ans)
		answer_send(c, req, ans, how, age);
	else if (!sent)
		http_send_error(c, 503, "ServiceTemporarilyUnavailable", "Retry-After: 1\r\n", true,
				"hostfishd is out of memory");
}

/* A GET or HEAD: maybe shared with identical reads, maybe from the cache (flight.c). */
static void forward_read(struct conn *c, struct http_request *req, const char **headers)
{
	struct agent *a = c->agent;
	struct flight *fl = NULL;
	struct answer *ans = NULL;
	bool sent = false;
	int age, r;

	r = flight_board(a, c, req, headers, &fl, &ans, &age);
	switch (r) {
	case FLIGHT_ANSWER:
		answer_send(c, req, ans, age >= 0 ? "(cached)" : "(shared)", age);
		break;
	case FLIGHT_GONE:
		c->close = true; /* nobody to answer */
		break;
	case FLIGHT_STOPPING:
		c->close = true;
		http_send_error(c, 503, "ServiceShuttingDown", NULL, false, "hostfishd is stopping");
		break;
	case FLIGHT_TIMEOUT:
		http_send_error(c, 504, "GeneralError", NULL, true,
				"the identical request this one waited for did not end in time");
		break;
	case FLIGHT_LEAD:
		ans = through_gate(c, req, headers, &sent);
		/* refused at the gate: the waiters try for themselves (FLIGHT_SOLO) */
		flight_land(a, fl, ans);
		send_or_fail(c, req, ans, sent, NULL, -1);
		break;
	default:
		ans = through_gate(c, req, headers, &sent);
		send_or_fail(c, req, ans, sent, NULL, -1);
		break;
	}
	answer_unref(ans);
}

/* The caller checked the method, the path and the peer's role. */
void forward_request(struct conn *c, struct http_request *req)
{
	bool read = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
	const char **headers;
	struct answer *ans;
	char *block = NULL;
	bool sent;

	if (ride_refuse(c, req))
		return; /* the BMC is away: 503 at once */
	headers = forward_headers(req, &block);
	if (read && !req->content_length && headers) {
		forward_read(c, req, headers);
	} else {
		flight_write_begin(c->agent, req->target);
		ans = through_gate(c, req, headers, &sent);
		flight_write_end(c->agent, req->target);
		send_or_fail(c, req, ans, sent, NULL, -1);
		answer_unref(ans);
	}
	free(headers);
	free(block);
}
