/* SPDX-License-Identifier: MIT */
/*
 * events.c - the BMC's events as they happen: the EventService's server-sent event stream
 * (Redfish DSP0266, "Server-sent events": ServerSentEventUri, each event's data a Redfish
 * Event whose Events[] are the records, its id what Last-Event-ID resumes from).  The stream
 * is read over one connection (one of the host's connection slots, held while it is open) and
 * opened again from the last event seen when it breaks, after a pause that doubles up to a
 * bound.  Only transports that can hand over an answer as it arrives carry it (https, hostif);
 * over CHIF and hostfishd the caller falls back to the log services (hostfish-logs.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "client-private.h"
#include "events-private.h"
#include "hostfish-events.h"

#define EVENTS_BACKOFF_MIN_MS	100L   /* the least pause, whatever "retry:" says */
#define EVENTS_BACKOFF_FIRST_MS 1000L  /* the first pause when the stream gave no "retry:" */
#define EVENTS_BACKOFF_MAX_MS	30000L /* the bound of the doubling */

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static void add_str(struct json_object *e, const char *key, const char *value)
{
	if (value)
		json_object_object_add(e, key, json_object_new_string(value));
}

struct json_object *hf_event_record_entry(struct json_object *rec, const char *sse_id)
{
	struct json_object *e = json_object_new_object(), *args = jget(rec, "MessageArgs");
	const char *id = jstr(rec, "EventId") ? jstr(rec, "EventId") : jstr(rec, "MemberId");

	if (!e)
		return NULL;
	add_str(e, "service", "EventService");
	add_str(e, "id", id ? id : sse_id);
	add_str(e, "event_id", sse_id);
	add_str(e, "created", jstr(rec, "EventTimestamp"));
	add_str(e, "severity",
		jstr(rec, "MessageSeverity") ? jstr(rec, "MessageSeverity")
					     : jstr(rec, "Severity"));
	add_str(e, "message", jstr(rec, "Message"));
	add_str(e, "message_id", jstr(rec, "MessageId"));
	if (args && json_object_is_type(args, json_type_array))
		json_object_object_add(e, "message_args", json_object_get(args));
	add_str(e, "entry_type", jstr(rec, "EventType"));
	add_str(e, "origin", jstr(jget(rec, "OriginOfCondition"), "@odata.id"));
	return e;
}

/* A BMC's refusal (status >= 400) as the call's error: its errno. */
static int refused(hf_client *c, const hf_response *resp, const char *what)
{
	int status = hf_response_status(resp);
	int r = status == 401 ? -EACCES : status == 403 ? -EPERM : status == 404 ? -ENOENT : -EIO;

	hf_client_set_error(c, r,
			    status == 401   ? HF_ERROR_AUTH
			    : status >= 500 ? HF_ERROR_HTTP_SERVER
					    : HF_ERROR_HTTP_CLIENT,
			    status, hf_response_redfish_error(resp), "GET %s (%s): %d %s",
			    hf_response_path(resp), what, status, hf_response_reason(resp));
	return r;
}

_hf_public_ int hf_events_sse_uri(hf_client *c, char **ret)
{
	hf_response *root = NULL, *es = NULL;
	const char *link, *uri = NULL;
	int r;

	if (!c || !ret)
		return -EINVAL;
	if (!(c->transport.ops->caps & HF_TCAP_STREAM_BODY)) {
		hf_client_set_error(c, -ENOTSUP, HF_ERROR_USAGE, 0, NULL,
				    "the %s transport cannot carry an event stream",
				    c->transport.ops->name);
		return -ENOTSUP;
	}
	r = hf_get(c, "/redfish/v1/", &root);
	if (r < 0)
		goto out;
	if (hf_response_status(root) >= 400) {
		r = refused(c, root, "service root");
		goto out;
	}
	link = jstr(jget(hf_response_json(root), "EventService"), "@odata.id");
	if (link && hf_path_check(link) == 0) {
		r = hf_get(c, link, &es);
		if (r < 0)
			goto out;
		/* a 404: no event service; any other refusal is the caller's to know */
		if (hf_response_status(es) >= 400 && hf_response_status(es) != 404) {
			r = refused(c, es, "event service");
			goto out;
		}
		if (hf_response_status(es) / 100 == 2)
			uri = jstr(hf_response_json(es), "ServerSentEventUri");
	}
	if (!uri || hf_path_check(uri) < 0) {
		r = -ENOENT;
		hf_client_set_error(c, r, HF_ERROR_HTTP_CLIENT, 0, NULL,
				    "the BMC's event service has no ServerSentEventUri");
		goto out;
	}
	*ret = strdup(uri);
	r = *ret ? 0 : -ENOMEM;
out:
	hf_response_free(es);
	hf_response_free(root);
	return r;
}

struct follow {
	hf_client *c;
	hf_event_fn fn;
	void *userdata;
	struct hf_sse sse;
	unsigned long events; /* events taken, over every connection */
	bool stopped;	      /* fn asked to stop */
};

static int on_event(void *userdata, const char *type, const char *data, const char *id)
{
	struct follow *f = userdata;
	struct json_object *ev = hf_json_parse(data, strlen(data)), *recs = jget(ev, "Events");
	size_t i, n;
	int r = 0;

	f->events++;
	if (!recs || !json_object_is_type(recs, json_type_array)) {
		hf_log_warning(&f->c->log,
			       "event stream: event %.64s (%.32s) is not a Redfish "
			       "Event: skipped",
			       id, type);
		json_object_put(ev);
		return 0;
	}
	n = json_object_array_length(recs);
	for (i = 0; i < n && r == 0; i++) {
		struct json_object *e =
		    hf_event_record_entry(json_object_array_get_idx(recs, i), id);

		if (!e) {
			r = -ENOMEM;
			break;
		}
		if (f->fn(f->userdata, e) != 0) {
			f->stopped = true;
			r = -ECANCELED;
		}
		json_object_put(e);
	}
	json_object_put(ev);
	return r;
}

static int on_bytes(void *userdata, const char *data, size_t len)
{
	return hf_sse_feed(&((struct follow *)userdata)->sse, data, len);
}

long hf_events_pause_ms(long retry_ms, unsigned failures, long retry_after_ms)
{
	long pause = retry_ms >= 0 ? retry_ms : EVENTS_BACKOFF_FIRST_MS;
	unsigned k;

	pause = pause < EVENTS_BACKOFF_MIN_MS ? EVENTS_BACKOFF_MIN_MS : pause;
	for (k = 0; k < failures && pause < EVENTS_BACKOFF_MAX_MS; k++)
		pause <<= 1;
	if (retry_after_ms > pause)
		pause = retry_after_ms; /* the BMC said when it would take us again */
	return pause > EVENTS_BACKOFF_MAX_MS ? EVENTS_BACKOFF_MAX_MS : pause;
}

/* A connection that broke or could not be made: the BMC may be back soon (a reset). */
static bool transient(int r)
{
	return r == -ECONNRESET || r == -ECONNREFUSED || r == -ECONNABORTED || r == -EHOSTUNREACH ||
	       r == -ETIMEDOUT || r == -EPROTO;
}

/* Is the answer's Content-Type text/event-stream (parameters allowed)? */
static bool is_event_stream(const hf_response *resp)
{
	const char *ct = hf_response_header(resp, "Content-Type");
	size_t n = strlen("text/event-stream");

	return ct && strncasecmp(ct, "text/event-stream", n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/*
 * One connection: 0 when the stream ended or broke (to open again; *retry_after_ms: the pause
 * a 503 or 429 asked for, else -1), or an errno to give up with.
 */
static int connect_once(struct follow *f, const char *uri, long *retry_after_ms)
{
	const struct hf_body_sink sink = {on_bytes, f};
	char last[HF_SSE_ID_MAX + 16];
	const char *headers[4] = {"Accept: text/event-stream", "Cache-Control: no-cache", NULL,
				  NULL};
	hf_response *resp = NULL;
	int r, status;

	*retry_after_ms = -1;
	hf_sse_restart(&f->sse);
	if (f->sse.last_id[0]) {
		snprintf(last, sizeof(last), "Last-Event-ID: %s", f->sse.last_id);
		headers[2] = last;
	}
	r = hf_client_get_sink(f->c, uri, headers, &sink, &resp);
	if (r < 0) {
		if (f->stopped)
			return -ECANCELED;
		return transient(r) ? 0 : r;
	}
	status = hf_response_status(resp);
	if (status / 100 == 2 && !is_event_stream(resp)) {
		/* whatever it was went through the parser and meant nothing: opening it again
		 * would only repeat that */
		r = -EPROTO;
		hf_client_set_error(f->c, r, HF_ERROR_PROTOCOL, status, NULL,
				    "GET %s: the answer is not an event stream (Content-Type %s)",
				    hf_response_path(resp),
				    hf_response_header(resp, "Content-Type") ?: "none");
		hf_response_free(resp);
		return r;
	}
	if (status / 100 == 2 || status >= 500 || status == 429) {
		if (status == 503 || status == 429)
			*retry_after_ms = hf_retry_after_ms(hf_response_header(resp, "Retry-After"),
							    EVENTS_BACKOFF_MAX_MS);
		if (status / 100 != 2)
			hf_log_info(&f->c->log, "event stream: GET %s: %d %s",
				    hf_response_path(resp), status, hf_response_reason(resp));
		hf_response_free(resp);
		return 0;
	}
	r = refused(f->c, resp, "event stream");
	hf_response_free(resp);
	return r;
}

_hf_public_ int hf_events_follow(hf_client *c, const char *uri, const char *last_event_id,
				 hf_event_fn fn, void *userdata)
{
	struct follow f = {.c = c, .fn = fn, .userdata = userdata};
	unsigned failures = 0;
	int r;

	if (!c || !uri || !fn)
		return -EINVAL;
	hf_client_begin(c);
	if (hf_path_check(uri) < 0 || (last_event_id && (strlen(last_event_id) >= HF_SSE_ID_MAX ||
							 strpbrk(last_event_id, "\r\n")))) {
		hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL,
				    "invalid event stream URI or last event id; nothing was sent");
		return -EINVAL;
	}
	hf_sse_init(&f.sse, last_event_id, on_event, &f);
	for (;;) {
		unsigned long before = f.events;
		long pause, retry_after_ms;

		r = connect_once(&f, uri, &retry_after_ms);
		if (r < 0)
			break;
		if (f.events > before)
			failures = 0; /* it worked for a while: start the doubling over */
		pause = hf_events_pause_ms(f.sse.retry_ms, failures, retry_after_ms);
		if (failures < 16)
			failures++;
		hf_log_info(&c->log, "event stream ended: opening it again in %ld ms%s%s", pause,
			    f.sse.last_id[0] ? " after event " : "", f.sse.last_id);
		r = hf_sleep_interruptible(c, pause, hf_op_interrupts(c));
		if (r < 0) {
			hf_client_set_error(c, r, HF_ERROR_TRANSPORT, 0, NULL,
					    "event stream: interrupted");
			break;
		}
	}
	hf_sse_free(&f.sse);
	return r;
}
