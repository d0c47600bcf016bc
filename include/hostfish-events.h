/* SPDX-License-Identifier: MIT */
/*
 * hostfish-events.h - libhostfish: the BMC's events as they happen, from the event service's
 * server-sent event stream.  Part of the public API: hostfish.h includes it, and it can be
 * included alone.  The conventions of hostfish.h apply.  C89, self-contained.
 */
#ifndef HOSTFISH_EVENTS_H
#define HOSTFISH_EVENTS_H

#include "hostfish.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- events ----
 *
 * A Redfish event service may offer a stream of server-sent events (ServerSentEventUri,
 * DSP0266): each event's data is a Redfish Event whose Events[] are its records.  Only
 * transports that can hand over an answer as it arrives carry it: https and hostif.  CHIF
 * carries one request and one answer as whole blobs, and hostfishd answers whole bodies:
 * over those the calls below answer -ENOTSUP, and a caller reads the log services instead
 * (hostfish-logs.h), as hostfish events follow does.
 */

/*
 * The event service's stream: *ret (owned by the caller, free()) is its path.  Returns 0,
 * -ENOTSUP (the client's transport cannot carry a stream; nothing was sent), -ENOENT (the
 * BMC has no event service or it offers no ServerSentEventUri), -EACCES, -EPERM or -EIO (the
 * BMC refused to show its service root or event service: 401, 403, another status), or an
 * hf_request() error.
 */
int hf_events_sse_uri(hf_client *client, char **ret);

/*
 * Called once per event record, in the order of the stream, with an object shaped like a log
 * entry of hf_log_read() (borrowed for the call): {"service": "EventService", "id" (the
 * record's EventId, else its MemberId, else event_id), "event_id" (the stream's id of the
 * event carrying it: what Last-Event-ID resumes after), "created"? (EventTimestamp),
 * "severity"? (MessageSeverity, else Severity), "message"?, "message_id"?, "message_args"?,
 * "entry_type"? (EventType), "origin"? (OriginOfCondition)}.  Strings are the BMC's,
 * unescaped.  Returning nonzero stops hf_events_follow() (-ECANCELED).
 */
typedef int (*hf_event_fn)(void *userdata, struct json_object *entry);

/*
 * Read the stream at uri (from hf_events_sse_uri()) until fn stops it or hf_client_interrupt()
 * is called, over one connection (one of the host's connection slots while it is open, given
 * back when the call returns and the client is idle or freed).  last_event_id: NULL, or the
 * event_id of the last event already seen: the BMC is asked (Last-Event-ID) for what came
 * after it.  A stream the BMC ends, a connection that breaks, a 5xx or a 429 are followed by
 * opening the stream again from the last event seen, after a pause: the stream's "retry:"
 * (at least 100 ms), else 1 s, doubling after each connection that brought nothing, at least
 * a 503's or 429's Retry-After, up to 30 s.  A 401 on an expired session is followed by a new
 * login.  Returns -ECANCELED (fn stopped it), -EINTR, -EINVAL (uri or last_event_id invalid:
 * nothing was sent), -ENOTSUP, -EACCES, -EPERM, -ENOENT, -EIO (the BMC refused the stream),
 * -EPROTO (the answer is not text/event-stream), -EFBIG (a line over 1 MiB or an event over
 * 4 MiB), or another hf_request() error; the reason in hf_client_last_error().
 */
int hf_events_follow(hf_client *client, const char *uri, const char *last_event_id,
		     hf_event_fn fn, void *userdata);

#ifdef __cplusplus
}
#endif

#endif /* HOSTFISH_EVENTS_H */
