# SPDX-License-Identifier: MIT
"""Log services that live: IML, Event, SL (Systems/1) and IEL (Managers/1) gain entries while
the emulator runs, can be cleared (#LogService.ClearLog), IML entries marked repaired (PATCH
Oem.Hpe.Repaired) and maintenance notes added (POST {"EntryCode": "Maintenance", "Message"}).

What iLO does, as HPE documents it (iLO REST API reference, HpeLogEntry; DESIGN.md "Logs"):
  - Entries are listed oldest first with Id 1..N, in full inside the collection's Members.
    IML, IEL and SL entries carry Oem.Hpe.EventNumber (iLO's running event number), Count
    and Updated: an event that happens again raises Count and moves Updated of its entry
    instead of adding one.
  - ClearLog empties the log; iLO then records the clearing itself as the log's first entry
    (Id 1 again).  That EventNumber keeps counting across a clear is this emulator's choice
    (HPE does not say).
  - PATCH {"Oem": {"Hpe": {"Repaired": true}}} on an IML entry marks it repaired (its
    Oem.Hpe.Severity becomes "Repaired", Severity "OK"); only IML entries that carry Repaired
    can be repaired.
  - POST {"EntryCode": "Maintenance", "Message": TEXT} to the IML's Entries adds a
    maintenance note.  The answer (201 with the new entry and its Location) and the bound on
    the text (500 characters, no control characters) are this emulator's (HPE is silent).

For tests (invented): --log-interval SEC adds an entry to every log every SEC seconds;
SIGUSR1 adds one entry to every log at once, SIGUSR2 repeats the IML's newest entry (Count
+ 1).  --log-store FILE keeps the logs across restarts of the emulator (as an iLO keeps them
across its resets); the state file's "logs" tells each log's entries, clears, repairs, notes.
"""

import json
import os
import threading
import time

from .errors import ApiError
from .service import Response, parse_json_object
from .tree import ROOT, Entry, compute_etag, norm_key

SERVICES = (ROOT + "/Systems/1/LogServices", ROOT + "/Managers/1/LogServices")
NOTE_MAX = 500
KEEP_MAX = 1000  # entries a log holds before it wraps (WrapsWhenFull)


def _now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Log:
    """One log service: its entries (dicts without @odata.id/etag, in order)."""

    def __init__(self, name, key, entries_key, clear_key, entries):
        self.name = name
        self.key = key
        self.entries_key = entries_key
        self.clear_key = clear_key
        self.entries = entries
        self.cleared = 0
        self.repaired = []
        self.notes = []
        self.added = 0

    def next_event_number(self):
        numbers = [e.get("Oem", {}).get("Hpe", {}).get("EventNumber") for e in self.entries]
        numbers = [n for n in numbers if isinstance(n, int)]
        if numbers:
            return max(numbers) + 1
        return getattr(self, "event_number", 1)

    def has_event_numbers(self):
        return any(isinstance(e.get("Oem", {}).get("Hpe", {}).get("EventNumber"), int)
                   for e in self.entries) or getattr(self, "event_number", None) is not None


class Logs:
    """The live log services; handle() is called under the emulator lock."""

    def __init__(self, app, interval=None, store=None):
        self.app = app
        self.store = store
        self.logs = {}
        for coll_key in SERVICES:
            coll = app.tree.get_data(coll_key) or {}
            for member in coll.get("Members", []):
                self._load(norm_key(member.get("@odata.id", "")))
        self._restore()
        for log in self.logs.values():
            self._publish(log)
        app.state.extras["logs"] = self.snapshot
        if interval:
            threading.Thread(target=self._tick, args=(interval,), name="logs",
                             daemon=True).start()

    # ---- loading, persisting, publishing ----
    def _load(self, key):
        data = self.app.tree.get_data(key)
        if not isinstance(data, dict):
            return
        entries_key = norm_key(data.get("Entries", {}).get("@odata.id", ""))
        coll = self.app.tree.get_data(entries_key) or {}
        entries = []
        for member in coll.get("Members", []):
            full = member if "Id" in member else self.app.tree.get_data(
                norm_key(member.get("@odata.id", "")))
            if isinstance(full, dict):
                e = dict(full)
                e.pop("@odata.id", None)
                e.pop("@odata.etag", None)
                entries.append(e)
        target = data.get("Actions", {}).get("#LogService.ClearLog", {}).get("target", "")
        name = data.get("Id") or key.rsplit("/", 1)[-1]
        self.logs[name] = Log(name, key, entries_key, norm_key(target), entries)

    def _restore(self):
        if not self.store or not os.path.exists(self.store):
            return
        with open(self.store, encoding="utf-8") as fh:
            saved = json.load(fh)
        for name, s in saved.items():
            log = self.logs.get(name)
            if log is None:
                continue
            log.entries = s["entries"]
            log.cleared = s.get("cleared", 0)
            log.repaired = s.get("repaired", [])
            log.notes = s.get("notes", [])
            log.added = s.get("added", 0)
            if s.get("event_number") is not None:
                log.event_number = s["event_number"]

    def _save(self):
        if not self.store:
            return
        data = {name: {"entries": log.entries, "cleared": log.cleared,
                       "repaired": log.repaired, "notes": log.notes, "added": log.added,
                       "event_number": log.next_event_number()
                       if log.has_event_numbers() else None}
                for name, log in self.logs.items()}
        tmp = "%s.%d.tmp" % (self.store, os.getpid())
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
        os.replace(tmp, self.store)

    def _put(self, key, data):
        data.pop("@odata.etag", None)
        data["@odata.etag"] = compute_etag(data)
        entry = Entry(None, "json")
        entry.data = data
        self.app.tree.entries[key] = entry
        self.app.tree.folded[key.lower()] = key

    def _publish(self, log):
        """The log's entries as the tree shows them: the collection (members in full, as
        iLO lists them) and one resource per entry."""
        tree = self.app.tree
        coll = tree.get_data(log.entries_key) or {}
        for k in [k for k in tree.entries if k.startswith(log.entries_key + "/")]:
            del tree.entries[k]
        members = []
        for i, e in enumerate(log.entries, 1):
            e["Id"] = str(i)
            key = "%s/%d" % (log.entries_key, i)
            full = dict(e)
            full["@odata.id"] = key + "/"
            self._put(key, full)
            member = dict(tree.get_data(key))
            member.pop("@odata.etag", None)  # iLO lists members without their ETags
            members.append(member)
        coll = dict(coll)
        coll["Members"] = members
        coll["Members@odata.count"] = len(members)
        coll.setdefault("@odata.id", log.entries_key + "/")
        self._put(log.entries_key, coll)

    def _changed(self, log):
        self._publish(log)
        self._save()

    # ---- entries ----
    def _new_entry(self, log, message, hpe_extra=None, severity="OK", oem_severity="Informational"):
        now = _now()
        e = {"@odata.type": "#LogEntry.v1_11_0.LogEntry", "Created": now, "EntryType": "Oem",
             "Name": log.entries[0].get("Name", log.name) if log.entries else log.name,
             "Severity": severity}
        if log.has_event_numbers():
            hpe = {"@odata.type": "#HpeLogEntry.v2_4_0.HpeLogEntry", "Class": 33,
                   "ClassDescription": "Maintenance", "Code": 1, "Count": 1,
                   "EventNumber": log.next_event_number(), "Severity": oem_severity,
                   "Updated": now}
            hpe.update(hpe_extra or {})
            e["Oem"] = {"Hpe": hpe}
            e["Message"] = message
            fmt = {"IML": "Hpe-IML", "IEL": "Hpe-iLOEventLog", "SL": "Hpe-SL"}.get(log.name)
            if fmt:
                e["OemRecordFormat"] = fmt
        else:
            e["EventTimestamp"] = now
            e["MessageId"] = "iLOEvents.3.2.ServerPoweredOn"
            e["MessageArgs"] = []
            e["Message"] = message
            e["OemRecordFormat"] = "Hpe-Event"
        if "Oem" in e:
            log.event_number = e["Oem"]["Hpe"]["EventNumber"] + 1
        log.entries.append(e)
        if len(log.entries) > KEEP_MAX:
            del log.entries[0]
        events = getattr(self.app, "events", None)  # events.py (--generation 7): an event each
        if events is not None:
            events.log_entry_added(log, e, "%s/%d/" % (log.entries_key, len(log.entries)))
        return e

    def append_all(self):
        """One new entry in every log (SIGUSR1, --log-interval)."""
        with self.app.lock:
            for log in self.logs.values():
                log.added += 1
                self._new_entry(log, "Emulated event %d in %s" % (log.added, log.name),
                                {"Repaired": False, "Class": 2, "ClassDescription": "System Revision",
                                 "Code": 100 + log.added} if log.name == "IML" else None,
                                "Warning" if log.name == "IML" else "OK",
                                "Caution" if log.name == "IML" else "Informational")
                self._changed(log)
        self.app.state.write()

    def repeat_iml(self):
        """The IML's newest entry happens again (SIGUSR2): Count + 1, Updated now."""
        with self.app.lock:
            log = self.logs.get("IML")
            if log is None or not log.entries:
                return
            hpe = log.entries[-1].setdefault("Oem", {}).setdefault("Hpe", {})
            hpe["Count"] = int(hpe.get("Count", 1)) + 1
            hpe["Updated"] = _now()
            self._changed(log)
        self.app.state.write()

    def _tick(self, interval):
        while True:
            time.sleep(interval)
            self.append_all()

    # ---- the Redfish side ----
    def _log_of(self, key, attr):
        for log in self.logs.values():
            if getattr(log, attr) == key:
                return log
        return None

    def handle(self, service, req, key, auth):
        if req.method == "POST":
            log = self._log_of(key, "clear_key")
            if log is not None:
                return self._clear(req, log, auth)
            log = self._log_of(key, "entries_key")
            if log is not None:
                return self._note(req, log)
            return None
        if req.method in ("PATCH", "PUT"):
            coll, _, tail = key.rpartition("/")
            log = self._log_of(coll, "entries_key")
            if log is not None and tail.isdigit() and 1 <= int(tail) <= len(log.entries):
                return self._repair(req, log, int(tail))
            return None
        if req.method == "DELETE":
            coll = key.rpartition("/")[0]
            if self._log_of(coll, "entries_key") or self._log_of(key, "entries_key"):
                raise ApiError(405, "iLO.2.14.UnsupportedOperation", headers=[("Allow", "GET, HEAD")])
        return None

    def _clear(self, req, log, auth):
        if req.body.strip():
            parse_json_object(req.body)
        if log.has_event_numbers():
            log.event_number = log.next_event_number()
        log.entries = []
        log.cleared += 1
        self._new_entry(log, "%s cleared (iLO user: %s)" % (log.name, auth.session.user))
        self._changed(log)
        return service_success(self.app)

    def _repair(self, req, log, index):
        body = parse_json_object(req.body)
        hpe = body.get("Oem", {}).get("Hpe", {}) if isinstance(body.get("Oem"), dict) else {}
        if log.name != "IML" or list(body) != ["Oem"] or list(body["Oem"]) != ["Hpe"] \
                or not isinstance(hpe, dict) or list(hpe) != ["Repaired"] \
                or not isinstance(hpe["Repaired"], bool):
            raise ApiError(400, "PropertyNotWritable", [next(iter(body), "")])
        entry_hpe = log.entries[index - 1].setdefault("Oem", {}).setdefault("Hpe", {})
        if "Repaired" not in entry_hpe:
            raise ApiError(400, "PropertyNotWritable", ["Repaired"])
        entry_hpe["Repaired"] = hpe["Repaired"]
        if hpe["Repaired"]:
            entry_hpe["Severity"] = "Repaired"
            log.entries[index - 1]["Severity"] = "OK"
            log.repaired.append(str(index))
        self._changed(log)
        return service_success(self.app)

    def _note(self, req, log):
        body = parse_json_object(req.body)
        if log.name != "IML":
            raise ApiError(405, "iLO.2.14.UnsupportedOperation", headers=[("Allow", "GET, HEAD")])
        text = body.get("Message")
        if body.get("EntryCode") != "Maintenance":
            raise ApiError(400, "PropertyValueNotInList", [str(body.get("EntryCode")), "EntryCode"])
        if not isinstance(text, str) or not text or len(text) > NOTE_MAX or \
                any(ord(ch) < 0x20 or 0x7f <= ord(ch) <= 0x9f for ch in text):
            raise ApiError(400, "PropertyValueFormatError", [str(text)[:40], "Message"])
        e = self._new_entry(log, text, {"Class": 33, "ClassDescription": "Maintenance",
                                        "Code": 1, "Categories": ["Maintenance"]})
        log.notes.append(text)
        self._changed(log)
        key = "%s/%d" % (log.entries_key, len(log.entries))
        data = self.app.tree.get_data(key) or e
        return Response(201, data, [("Location", key + "/")])

    def snapshot(self):
        return {name: {"entries": len(log.entries), "cleared": log.cleared,
                       "repaired": list(log.repaired), "notes": list(log.notes),
                       "added": log.added,
                       "last_id": log.entries[-1].get("Id") if log.entries else None}
                for name, log in self.logs.items()}


def service_success(app):
    return app.service.success()


def install(app, args):
    logs = Logs(app, getattr(args, "log_interval", None), getattr(args, "log_store", None))
    app.service.extensions.append(logs)
    app.logs = logs
    return logs
