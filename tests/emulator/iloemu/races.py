# SPDX-License-Identifier: MIT
"""Concurrent writers: the --fault etag-race hook.

A Redfish client that PATCHes with If-Match must cope with another client changing the
resource between its GET and its PATCH: the ETag no longer matches and the BMC answers 412
PreconditionFailed.  When an "etag-race" fault matches a PATCH or PUT that carries If-Match,
this module plays the other client: the resource gets a new ETag (as after another writer's
PATCH of the same values) just before the request is judged, so the If-Match fails.
"""


class EtagRace:
    def __init__(self, faults):
        self.faults = faults

    def handle(self, service, req, key, auth):
        if req.method not in ("PATCH", "PUT") or req.headers.get("If-Match") is None:
            return None
        if not self.faults.take_hook("etag-race", req.method, req.path):
            return None
        data = service.tree.get_data(key)
        if isinstance(data, dict) and not service.tree.is_collection(key):
            service.tree._new_etag(data)
        return None  # judged as usual: the If-Match now fails
