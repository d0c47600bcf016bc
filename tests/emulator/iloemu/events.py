# SPDX-License-Identifier: MIT
"""Server-sent events (--generation 7): the EventService's ServerSentEventUri, a stream of
Redfish Events, one for each log entry added while the emulator runs (logs.py: --log-interval,
SIGUSR1, a ClearLog, a maintenance note).

What the stream follows (DMTF DSP0266, "Server-sent events"; WHATWG HTML, "Server-sent
events"): GET on ServerSentEventUri answers 200 with Content-Type text/event-stream and keeps
the connection open; each event is "id: N", "data: <an Event resource as JSON>" and a blank
line; the id is an increasing number, and a client that opens the stream again with the
Last-Event-ID header gets the events after that id that the service still holds (here the
last 1000).  Without Last-Event-ID only events published from then on are sent.  The stream
ends when the session that opened it is deleted.

HPE documents SSE for iLO 7 without the details below; these are this emulator's choices:
the URI (/redfish/v1/EventService/SSE, the example DSP0266 gives), "event: Event" on each
event, "retry: 200" at the start of a stream, a ": keep-alive" comment every second while idle
(so that a client that went away is noticed), and for tests --sse-drop-after N: each stream is
cut after N events, in the middle of the next one (its first half sent, then the connection
closed), so that a client must resume from the last whole event.
"""

import json
import threading

from .service import Response
from .tree import ROOT, compute_etag

SSE_KEY = ROOT + "/EventService/SSE"
KEEP = 1000
RETRY_MS = 200
KEEPALIVE_S = 1.0


class Events:
    def __init__(self, app, drop_after=None):
        self.app = app
        self.drop_after = drop_after
        self.cond = threading.Condition()
        self.events = []           # (id, payload), oldest first
        self.next_id = 1
        self.open_streams = 0
        self.streams_total = 0
        self.resumed_from = []     # Last-Event-ID of each stream opened ("" when none)
        self.sent = 0              # whole events written, over every stream
        self.cut = 0               # streams cut in the middle of an event

    # ---- publishing (logs.py calls this under app.lock) ----
    def log_entry_added(self, log, entry, path):
        hpe = (entry.get("Oem") or {}).get("Hpe") or {}
        with self.cond:
            eid = self.next_id
            self.next_id += 1
            record = {
                "EventId": str(eid),
                "EventTimestamp": entry.get("Created"),
                "EventType": "Alert",
                "MemberId": "0",
                "Message": entry.get("Message", ""),
                "MessageId": entry.get("MessageId") or "iLOEvents.3.2.LogEntryAdded",
                "MessageArgs": [log.name],
                "MessageSeverity": entry.get("Severity", "OK"),
                "OriginOfCondition": {"@odata.id": path},
            }
            if hpe.get("EventNumber") is not None:
                record["Oem"] = {"Hpe": {"EventNumber": hpe["EventNumber"], "Log": log.name}}
            payload = {"@odata.type": "#Event.v1_7_0.Event", "Id": str(eid), "Name": "Event",
                       "Context": "", "Events": [record]}
            self.events.append((eid, payload))
            del self.events[:-KEEP]
            self.cond.notify_all()

    # ---- the Redfish side ----
    def handle(self, service, req, key, auth):
        if key != SSE_KEY or req.method not in ("GET", "HEAD"):
            return None
        last = (req.headers.get("Last-Event-ID") or "").strip()
        with self.cond:
            if last.isdigit():
                after = int(last)
            else:
                after = self.next_id - 1
        session = None if auth.basic else auth.session
        resp = Response(200, b"", [("Cache-Control", "no-cache")], "text/event-stream")
        resp.stream = lambda wfile: self._stream(wfile, after, last, session)
        return resp

    def _alive(self, session):
        if session is None:
            return True
        with self.app.lock:
            return self.app.sessions.by_token.get(session.token) is session

    def _stream(self, wfile, after, last, session):
        with self.cond:
            self.open_streams += 1
            self.streams_total += 1
            self.resumed_from.append(last)
        self.app.state.write()
        sent = 0
        try:
            wfile.write(b"retry: %d\n\n" % RETRY_MS)
            wfile.flush()
            while self._alive(session):
                with self.cond:
                    pending = [ev for ev in self.events if ev[0] > after]
                    if not pending:
                        self.cond.wait(KEEPALIVE_S)
                        pending = [ev for ev in self.events if ev[0] > after]
                if not pending:
                    wfile.write(b": keep-alive\n\n")
                    wfile.flush()
                    continue
                for eid, payload in pending:
                    data = ("id: %d\nevent: Event\ndata: %s\n\n"
                            % (eid, json.dumps(payload, separators=(",", ":")))).encode()
                    if self.drop_after is not None and sent >= self.drop_after:
                        wfile.write(data[:len(data) // 2])
                        wfile.flush()
                        with self.cond:
                            self.cut += 1
                        return
                    wfile.write(data)
                    wfile.flush()
                    sent += 1
                    after = eid
                    with self.cond:
                        self.sent += 1
                self.app.state.write()
        except (OSError, ValueError):
            pass  # the client went away
        finally:
            with self.cond:
                self.open_streams -= 1
            self.app.state.write()

    def snapshot(self):
        with self.cond:
            return {"published": self.next_id - 1, "open_streams": self.open_streams,
                    "streams_total": self.streams_total, "resumed_from": list(self.resumed_from),
                    "sent": self.sent, "cut": self.cut}


def apply(app, drop_after=None):
    """Give the event service its stream (--generation 7; call once, before serving)."""
    events = Events(app, drop_after)
    es = app.tree.get_data(ROOT + "/EventService")
    es["@odata.type"] = "#EventService.v1_10_0.EventService"
    es["ServerSentEventUri"] = SSE_KEY + "/"
    es.pop("@odata.etag", None)
    es["@odata.etag"] = compute_etag(es)
    app.service.extensions.insert(0, events)
    app.events = events
    app.state.extras["events"] = events.snapshot
    return events
