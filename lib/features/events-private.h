/* SPDX-License-Identifier: MIT */
/*
 * events-private.h - the text/event-stream parser (sse.c) and the Redfish Event made a log
 * entry (events.c): the parts of hf_events_follow() that do not talk to the BMC.
 */
#ifndef HOSTFISH_EVENTS_PRIVATE_H
#define HOSTFISH_EVENTS_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "hostfish-private.h"

#define HF_SSE_LINE_MAX (1u << 20) /* bytes of one line of the stream */
#define HF_SSE_DATA_MAX (4u << 20) /* bytes of one event's data */
#define HF_SSE_ID_MAX 256 /* bytes of an event's id kept for Last-Event-ID */

/*
 * One event of the stream, as WHATWG's "dispatch the event" gives it: type ("message" when
 * the stream named none), data (its lines joined by LF, the last LF removed), id (the last
 * event ID string then, "" when none).  The callback returns 0, or a negative errno that
 * stops the parser (hf_sse_feed returns it).
 */
typedef int (*hf_sse_event_fn)(void *userdata, const char *type, const char *data,
			       const char *id);

/* The parser's state: the stream's bytes are given in pieces of any size. */
struct hf_sse {
	struct hf_buf line; /* the line being read */
	struct hf_buf data; /* the data buffer */
	struct hf_buf type; /* the event type buffer */
	char id_pending[HF_SSE_ID_MAX]; /* the last event ID buffer */
	char last_id[HF_SSE_ID_MAX]; /* the last event ID string (set at each blank line) */
	long retry_ms; /* the stream's "retry:" (-1: none given) */
	bool after_cr; /* the last byte was a CR: an LF next belongs to it */
	bool started; /* past the first line (a BOM that begins it is dropped) */
	hf_sse_event_fn fn;
	void *userdata;
};

/* Start a stream whose last event ID is last_id (NULL or "": none); the buffers are empty. */
void hf_sse_init(struct hf_sse *p, const char *last_id, hf_sse_event_fn fn, void *userdata);
/* A new connection: what was not dispatched is discarded (WHATWG: at the end of the stream
 * pending data is dropped); the last event ID and retry stay. */
void hf_sse_restart(struct hf_sse *p);
void hf_sse_free(struct hf_sse *p);
/* Feed bytes.  0, -EFBIG (a line or an event over its bound), -ENOMEM, or the callback's
 * error. */
int hf_sse_feed(struct hf_sse *p, const char *bytes, size_t len);

/*
 * One record of a Redfish Event's Events[] (borrowed) as a log entry like hf_log_read()'s
 * (a new object): {"service": "EventService", "id" (EventId, else MemberId, else sse_id),
 * "event_id" (sse_id), "created"? (EventTimestamp), "severity"? (MessageSeverity, else
 * Severity), "message"?, "message_id"?, "message_args"?, "entry_type"? (EventType),
 * "origin"? (OriginOfCondition's @odata.id)}.  NULL without memory.
 */
struct json_object *hf_event_record_entry(struct json_object *record, const char *sse_id);

/*
 * The pause before the stream is opened again (events.c): the stream's "retry:" (retry_ms,
 * -1: none), else 1 s, at least 100 ms, doubled for each of the failures (attempts in a row
 * that brought no event), at least what a 503 or 429 asked for (retry_after_ms, -1: nothing),
 * and never over 30 s.
 */
long hf_events_pause_ms(long retry_ms, unsigned failures, long retry_after_ms);

#endif /* HOSTFISH_EVENTS_PRIVATE_H */
