# SPDX-License-Identifier: MIT
"""Push event subscriptions: POST EventService/Subscriptions creates an EventDestination, and
every event the service raises is POSTed (HTTPS) to the Destination of each subscription
whose filter takes it; DELETE removes one.

What iLO does, as HPE documents it ("iLO Event services", servermanagementportal.ext.hpe.com):
  - iLO 5 implements an EventService older than Redfish 1.3: subscriptions filter by
    EventTypes (those of EventTypesForSubscription: StatusChange, ResourceUpdated,
    ResourceAdded, ResourceRemoved, Alert).  The POST answers 201 with the new subscription's
    Location and an ExtendedInfo body (Base...Created), as HPE's example shows.
  - iLO 6 (and 7) implement a newer one and filter by RegistryPrefixes: an event goes to a
    subscription when its MessageId's registry prefix ("iLOEvents" of
    "iLOEvents.2.1.ServerPoweredOn") is listed, or when the subscription lists none.  Here
    that is the --generation 7 personality: the EventService becomes EventService.v1_10_0
    with the RegistryPrefixes it offers (the list is this emulator's; HPE does not publish
    it).
  - #EventService.SubmitTestEvent raises an event (EventType on iLO 5, MessageId and the rest
    of DSP0268's parameters on both).  It is how the tests make the BMC push.
  - The BMC does not test the Destination when the subscription is made (HPE says so).

Invented where HPE is silent: the delivery runs in a thread of its own, once per event and
subscription (iLO retries DeliveryRetryAttempts times every DeliveryRetryIntervalSeconds; the
emulator records a failed delivery and does not retry); the Destination's certificate is not
verified (iLO 5 can verify it against CA certificates imported with
HpeEventService.ImportCACertificate; the emulator has none); the mockup's own subscription
(Subscriptions/346, a destination on another network) is never delivered to, so a test
never sends anything beyond loopback.  The state file's "subscriptions" counts created,
deleted and open subscriptions and every delivery with the destination's answer.
"""

import http.client
import json
import ssl
import threading
import time
import urllib.parse

from .errors import ApiError
from .service import Response, parse_json_object
from .tree import ROOT, compute_etag

EVENT_SERVICE = ROOT + "/EventService"
SUBSCRIPTIONS = EVENT_SERVICE + "/Subscriptions"
SUBMIT = EVENT_SERVICE + "/Actions/EventService.SubmitTestEvent"
EVENT_TYPES = ("StatusChange", "ResourceUpdated", "ResourceAdded", "ResourceRemoved", "Alert")
PREFIXES = ("iLOEvents", "Base", "ResourceEvent", "HpeCommon")  # --generation 7 (invented list)
DELIVERY_TIMEOUT = 10


def _now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Push:
    """An extension (service.extensions) for subscriptions and their deliveries."""

    def __init__(self, app, generation):
        self.app = app
        self.prefixes = generation >= 6
        self.created = 0
        self.deleted = 0
        self.ours = {}  # subscription key -> its data, those made through POST
        self.deliveries = []  # [subscription id, event id, destination's status or error]
        self.events = 0
        if self.prefixes:
            es = app.tree.get_data(EVENT_SERVICE)
            es["@odata.type"] = "#EventService.v1_10_0.EventService"
            es["RegistryPrefixes"] = list(PREFIXES)
            es.pop("@odata.etag", None)
            es["@odata.etag"] = compute_etag(es)
        app.state.extras["subscriptions"] = self.snapshot

    def snapshot(self):
        return {"created": self.created, "deleted": self.deleted,
                "open": [{"id": d["Id"], "context": d.get("Context"),
                          "destination": d.get("Destination"),
                          "filter": d.get("RegistryPrefixes" if self.prefixes else "EventTypes")}
                         for d in self.ours.values()],
                "events": self.events,
                "delivered": len([d for d in self.deliveries if d[2] in (200, 201, 202, 204)]),
                "deliveries": [list(d) for d in self.deliveries]}

    # ---- the Redfish side ----
    def handle(self, service, req, key, auth):  # pylint: disable=unused-argument
        if req.method == "POST" and key == SUBSCRIPTIONS:
            return self._create(req, key)
        if req.method == "POST" and key == SUBMIT:
            return self._submit(service, req)
        if req.method == "DELETE" and key in self.ours:
            self.app.tree.delete_member(key, SUBSCRIPTIONS)
            del self.ours[key]
            self.deleted += 1
            return service.success()
        return None

    def _create(self, req, key):
        body = parse_json_object(req.body)
        dest = body.get("Destination")
        if not isinstance(dest, str) or not dest.lower().startswith("https://") or \
                any(ord(ch) < 0x20 for ch in dest):
            raise ApiError(400, "PropertyValueFormatError", [str(dest)[:80], "Destination"])
        if body.get("Protocol", "Redfish") != "Redfish":
            raise ApiError(400, "PropertyValueNotInList", [str(body.get("Protocol")), "Protocol"])
        name, allowed = (("RegistryPrefixes", PREFIXES) if self.prefixes
                         else ("EventTypes", EVENT_TYPES))
        wanted = body.get(name)
        if wanted is None and not self.prefixes:
            raise ApiError(400, "PropertyMissing", ["EventTypes"])
        if wanted is not None:
            if not isinstance(wanted, list) or not all(isinstance(w, str) for w in wanted):
                raise ApiError(400, "PropertyValueTypeError", [str(wanted)[:80], name])
            for w in wanted:
                if w not in allowed:
                    raise ApiError(400, "PropertyValueNotInList", [w, name])
        data = {"Context": body.get("Context", ""), "Destination": dest,
                "Description": "iLO Event Subscription", "Name": "Event Subscription",
                "HttpHeaders": [], "Protocol": "Redfish"}
        if wanted is not None:
            data[name] = list(wanted)
        new_key, created = self.app.tree.create_member(key, data)
        self.ours[new_key] = created
        self.created += 1
        return Response(201, self.app.errors.body("Created"),
                        [("Location", created["@odata.id"]), ("ETag", created["@odata.etag"])])

    def _submit(self, service, req):
        body = parse_json_object(req.body) if req.body.strip() else {}
        etype = body.get("EventType", "Alert")
        if not self.prefixes and etype not in EVENT_TYPES:
            raise ApiError(400, "ActionParameterValueNotInList", [str(etype), "EventType",
                                                                  "SubmitTestEvent"])
        self.events += 1
        record = {"EventType": etype, "EventId": str(body.get("EventId", self.events)),
                  "EventTimestamp": body.get("EventTimestamp", _now()),
                  "Severity": body.get("Severity", "OK"),
                  "Message": str(body.get("Message", "Test event %d" % self.events)),
                  "MessageId": str(body.get("MessageId", "iLOEvents.2.1.TestEvent")),
                  "MessageArgs": list(body.get("MessageArgs", [])),
                  "OriginOfCondition": {"@odata.id": str(body.get("OriginOfCondition",
                                                                 EVENT_SERVICE + "/"))}}
        targets = [dict(d) for d in self.ours.values() if self._takes(d, record)]
        if targets:
            threading.Thread(target=self._deliver, args=(targets, record),
                             name="push", daemon=True).start()
        return service.success()

    def _takes(self, sub, record):
        if self.prefixes:
            wanted = sub.get("RegistryPrefixes") or []
            return not wanted or record["MessageId"].split(".", 1)[0] in wanted
        return record["EventType"] in (sub.get("EventTypes") or [])

    # ---- deliveries (outside the emulator's lock) ----
    def _deliver(self, targets, record):
        for sub in targets:
            event = {"@odata.type": "#Event.v1_0_0.Event" if not self.prefixes
                     else "#Event.v1_7_0.Event",
                     "Id": record["EventId"], "Name": "Events",
                     "Context": sub.get("Context", ""),
                     "Events": [dict(record, MemberId="0")], "Events@odata.count": 1}
            status = self._post(sub["Destination"], json.dumps(event).encode())
            with self.app.lock:
                self.deliveries.append([sub["Id"], record["EventId"], status])
            self.app.state.write()

    @staticmethod
    def _post(destination, data):
        url = urllib.parse.urlsplit(destination)
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE  # see the module's docstring
        try:
            conn = http.client.HTTPSConnection(url.hostname, url.port or 443,
                                               timeout=DELIVERY_TIMEOUT, context=ctx)
            conn.request("POST", url.path + ("?" + url.query if url.query else "") or "/",
                         data, {"Content-Type": "application/json"})
            status = conn.getresponse().status
            conn.close()
            return status
        except (OSError, http.client.HTTPException) as exc:
            return "error: %s" % exc.__class__.__name__


def install(app, args):
    push = Push(app, getattr(args, "generation", 5))
    app.service.extensions.append(push)
    app.push = push
    return push
