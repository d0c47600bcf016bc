# SPDX-License-Identifier: MIT
"""iLO's install sets, maintenance windows and pull updates, beside fwrepo.py's repository and
task queue (HPE iLO REST API reference, "iLO Repository": HpeComponentInstallSet,
HpeMaintenanceWindow; the schemas in the mockup's SchemaStore; python-redfish-utility's
installset, maintenancewindow and taskqueue commands).

InstallSets (HpeComponentInstallSet): POST {Name, Description, Sequence: [{Name, Command
(ApplyUpdate, ResetServer, ResetBmc, Wait), Filename, UpdatableBy, WaitTimeSeconds}],
IsRecovery} creates a set; an ApplyUpdate item's Filename must be in the repository, and a
component an install set names is Locked (HPE: "in use by an install set or update task").
#HpeComponentInstallSet.Invoke {ClearTaskQueue, MaintenanceWindow, StartAfter, Expire,
TPMOverride, UpdateRecoverySet} copies the Sequence into the task queue (Pending), after
removing the queue's items when ClearTaskQueue is true.  DELETE removes a set.

MaintenanceWindows (HpeMaintenanceWindow): POST {Name, Description, StartAfter, Expire}.
Queue items that name a window (MaintenanceWindow: its Id or Name) run only inside it, and
end Expired once it is over; items with their own StartAfter/Expire likewise.

Pull updates: UpdateService.SimpleUpdate {ImageURI, TransferProtocol} and
HpeiLOUpdateServiceExt.AddFromUri {ImageURI, CompSigURI, UpdateTarget, UpdateRepository,
TPMOverrideFlag, UpdateRecoverySet}: the iLO fetches the image over HTTP(S) and then treats it
as an upload (fwrepo.py: flashed, kept in the repository, or both).  While it fetches,
Oem.Hpe.State is Uploading.

Invented where HPE is silent (said again where it is done):
- names are unique among install sets and among windows (ilorest checks it client-side);
- times are taken only in the form HPE's tools send, %Y-%m-%dT%H:%M:%SZ, and a window must
  end after it starts (400 PropertyValueFormatError / PropertyValueIncorrect);
- a window that a queue item still waits for cannot be deleted (400 ResourceInUse);
- the queue holds at most 64 items (iLO.2.14.UpdateTaskQueueFull beyond);
- SimpleUpdate keeps nothing in the repository (UpdateTarget only);
- the emulator fetches only from loopback addresses (tests serve the image on 127.0.0.1),
  without verifying an HTTPS server's certificate, and fails the update (Oem.Hpe.State
  Error, Result iLO.2.14.ComponentUploadFailed) when the fetch does.

State file: "fwmgmt": {"installsets": [{"Name", "Sequence": [Filename or Command...]}],
"windows": [{"Id", "Name", "StartAfter", "Expire"}], "pulls": [{"ImageURI", "via",
"TransferProtocol", "status", "size", "sha256", "result"}], "invocations": N}.
"""

import datetime
import hashlib
import ipaddress
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import ssl
import zlib

from .errors import ApiError
from .service import parse_json_object
from . import fwrepo

US = "/redfish/v1/UpdateService"
SETS = US + "/InstallSets"
WINDOWS = US + "/MaintenanceWindows"
SIMPLE = US + "/Actions/UpdateService.SimpleUpdate"
ADD_FROM_URI = US + "/Actions/Oem/Hpe/HpeiLOUpdateServiceExt.AddFromUri"
DELETE_ACTIONS = {
    US + "/Actions/Oem/Hpe/HpeiLOUpdateServiceExt.DeleteInstallSets": "sets",
    US + "/Actions/Oem/Hpe/HpeiLOUpdateServiceExt.DeleteMaintenanceWindows": "windows",
    US + "/Actions/Oem/Hpe/HpeiLOUpdateServiceExt.DeleteUnlockedComponents": "components",
    US + "/Actions/Oem/Hpe/HpeiLOUpdateServiceExt.DeleteUpdateTaskQueueItems": "queue",
}
INVOKE = "/Actions/HpeComponentInstallSet.Invoke"
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
FILENAME_RE = re.compile(r"^[A-Za-z0-9-._]+$")
MAX_QUEUE = 64
MAX_NAME = 64
SEQUENCE_KEYS = ("Name", "Command", "Filename", "UpdatableBy", "WaitTimeSeconds",
                 "ExecutionTimeoutMinutes")
CHUNK = 1 << 16


def _time(value, prop):
    """A time as HPE's tools send it, else 400 PropertyValueFormatError (see the docstring)."""
    if not isinstance(value, str) or not TIME_RE.match(value):
        raise ApiError(400, "PropertyValueFormatError", [str(value), prop])
    try:
        datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        raise ApiError(400, "PropertyValueFormatError", [value, prop]) from None
    return value


def _loopback(host):
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


class FwMgmt:
    """Install sets, maintenance windows, pulls; handle() runs under the emulator lock."""

    def __init__(self, app, update, repo):
        self.app = app
        self.update = update
        self.repo = repo
        self.pulls = []
        self.invocations = 0
        self.ilo = repo.ilo
        repo.in_use.append(self._set_uses)
        repo.window_of = self._window
        app.state.extras["fwmgmt"] = self.snapshot
        self._advertise()

    def _advertise(self):
        """The mockup's UpdateService already names the actions; the Invoke target of each
        set is added as sets are made.  A mockup without the iLO's InstallSets or
        MaintenanceWindows (DMTF's, a test's own tree) is a BMC without them: those paths
        are left to the tree (404), the rest (pulls, the Delete actions) still works."""
        self.colls = {coll for coll in (SETS, WINDOWS)
                      if self.app.tree.get_data(coll) is not None}

    def snapshot(self):
        return {
            "installsets": [{"Name": s.get("Name"), "Id": s.get("Id"),
                             "Sequence": [it.get("Filename") or it.get("Command")
                                          for it in s.get("Sequence") or []]}
                            for s in self.repo._members(SETS)],
            "windows": [{k: w.get(k) for k in ("Id", "Name", "StartAfter", "Expire")}
                        for w in self.repo._members(WINDOWS)],
            "pulls": list(self.pulls),
            "invocations": self.invocations,
        }

    # ---- hooks for fwrepo.py ---------------------------------------------------------------
    def _set_uses(self, filename):
        return any(it.get("Filename") == filename for s in self.repo._members(SETS)
                   for it in s.get("Sequence") or [])

    def _window(self, ref):
        for w in self.repo._members(WINDOWS):
            if ref in (w.get("Id"), w.get("Name")):
                return w
        return None

    # ---- requests --------------------------------------------------------------------------
    def handle(self, service, req, key, auth):
        method = req.method
        for coll in (SETS, WINDOWS):
            if coll not in self.colls and (key == coll or key.startswith(coll + "/")):
                return None
        if key == SETS and method == "POST":
            return self._create_set(req)
        if key.startswith(SETS + "/") and key.endswith(INVOKE) and method == "POST":
            return self._invoke(req, key[:-len(INVOKE)])
        if key.startswith(SETS + "/") and method == "DELETE":
            return self._delete_set(key, req)
        if key == WINDOWS and method == "POST":
            return self._create_window(req)
        if key.startswith(WINDOWS + "/") and method == "DELETE":
            return self._delete_window(key, req)
        if key in (SIMPLE, ADD_FROM_URI) and method == "POST":
            return self._pull(req, key == SIMPLE)
        if key in DELETE_ACTIONS and method == "POST":
            return self._delete_all(DELETE_ACTIONS[key])
        return None

    @staticmethod
    def _id(name):
        return "%08x" % (zlib.crc32(("%s %s" % (name, time.monotonic())).encode()))

    def _name(self, body, coll, what):
        name = body.get("Name")
        if not isinstance(name, str) or not name:
            raise ApiError(400, "PropertyMissing", ["Name"])
        if len(name) > MAX_NAME or any(ord(ch) < 32 for ch in name):
            raise ApiError(400, "PropertyValueFormatError", [name, "Name"])
        if any(m.get("Name") == name for m in self.repo._members(coll)):
            # invented: unique names (HPE's ilorest refuses duplicates before sending)
            raise ApiError(400, "ResourceAlreadyExists", [what, "Name", name])
        desc = body.get("Description", "")
        if not isinstance(desc, str) or len(desc) > MAX_NAME:
            raise ApiError(400, "PropertyValueFormatError", [str(desc), "Description"])
        return name, desc

    # ---- install sets ----------------------------------------------------------------------
    def _sequence_item(self, item, i):
        if not isinstance(item, dict):
            raise ApiError(400, "PropertyValueTypeError", [str(item), "Sequence"])
        for k in item:
            if k not in SEQUENCE_KEYS:
                raise ApiError(400, "PropertyUnknown", [k])
        command = item.get("Command")
        if command not in fwrepo.COMMANDS:
            raise ApiError(400, "PropertyValueNotInList", [str(command), "Command"])
        if not isinstance(item.get("Name"), str) or not item["Name"]:
            raise ApiError(400, "PropertyMissing", ["Sequence/%d/Name" % i])
        by = item.get("UpdatableBy") or ["Bmc"]
        if not isinstance(by, list) or any(b not in ("Bmc", "Uefi", "RuntimeAgent") for b in by):
            raise ApiError(400, "PropertyValueNotInList", [str(by), "UpdatableBy"])
        out = dict(item)
        out["UpdatableBy"] = by
        if command == "ApplyUpdate":
            name = item.get("Filename")
            if not isinstance(name, str) or not FILENAME_RE.match(name):
                raise ApiError(400, "PropertyValueFormatError", [str(name), "Filename"])
            if self.repo._component(name) is None:
                raise ApiError(400, self.ilo + ".UnableToModifyDueToMissingComponent",
                               [name])
        if command == "Wait" and not isinstance(item.get("WaitTimeSeconds"), int):
            raise ApiError(400, "PropertyMissing", ["WaitTimeSeconds"])
        return out

    def _create_set(self, req):
        body = parse_json_object(req.body)
        name, desc = self._name(body, SETS, "HpeComponentInstallSet")
        seq = body.get("Sequence")
        if not isinstance(seq, list) or not seq:
            raise ApiError(400, "PropertyMissing", ["Sequence"])
        items = [self._sequence_item(it, i) for i, it in enumerate(seq)]
        new_id = self._id(name)
        now = fwrepo._now()
        data = {"@odata.context": "/redfish/v1/$metadata#HpeComponentInstallSet."
                                  "HpeComponentInstallSet",
                "@odata.type": "#HpeComponentInstallSet.v1_2_0.HpeComponentInstallSet",
                "Actions": {"#HpeComponentInstallSet.Invoke": {
                    "target": "%s/%s%s/" % (SETS, new_id, INVOKE)}},
                "Created": now, "Modified": now, "Description": desc,
                "IsRecovery": bool(body.get("IsRecovery", False)), "Name": name,
                "Sequence": items}
        data = self.repo._put(SETS, new_id, data)
        for it in items:
            if it.get("Filename"):
                self.repo._lock(it["Filename"], True)
        return self.app.service.success(201, [("Location", data["@odata.id"])])

    def _delete_set(self, key, req):
        data = self.app.tree.get_data(key)
        if not isinstance(data, dict) or "Sequence" not in data:
            raise ApiError(404, "ResourceMissingAtURI", [req.path])
        self.app.tree.delete_member(key, SETS)
        self._unlock(data.get("Sequence") or [])
        return self.app.service.success()

    def _unlock(self, items):
        for it in items:
            name = it.get("Filename")
            if name and not self.repo.used(name):
                self.repo._lock(name, False)

    def _invoke(self, req, set_key):
        iset = self.app.tree.get_data(set_key)
        if not isinstance(iset, dict) or "Sequence" not in iset:
            raise ApiError(404, "ResourceMissingAtURI", [req.path])
        body = parse_json_object(req.body) if req.body.strip() else {}
        extra = {}
        for prop in ("StartAfter", "Expire"):
            if body.get(prop) is not None:
                extra[prop] = _time(body[prop], prop)
        window = body.get("MaintenanceWindow")
        if window is not None:
            if not isinstance(window, str) or self._window(window) is None:
                raise ApiError(400, "PropertyValueNotInList", [str(window), "MaintenanceWindow"])
            extra["MaintenanceWindow"] = self._window(window)["Id"]
        for prop in ("TPMOverride", "UpdateRecoverySet", "ClearTaskQueue"):
            if prop in body and not isinstance(body[prop], bool):
                raise ApiError(400, "PropertyValueTypeError", [str(body[prop]), prop])
        queue = self.repo._members(fwrepo.QUEUE)
        if body.get("ClearTaskQueue"):
            for it in [it for it in queue if it.get("State") != "InProgress"]:
                self.app.tree.delete_member(fwrepo.norm_key(it["@odata.id"]), fwrepo.QUEUE)
            self._unlock(queue)
            queue = self.repo._members(fwrepo.QUEUE)
        if len(queue) + len(iset["Sequence"]) > MAX_QUEUE:
            raise ApiError(400, self.ilo + ".UpdateTaskQueueFull")   # invented bound
        now = fwrepo._now()
        for it in iset["Sequence"]:
            item = {"@odata.context": "/redfish/v1/$metadata#HpeComponentUpdateTask."
                                      "HpeComponentUpdateTask",
                    "@odata.type": "#HpeComponentUpdateTask.v1_2_0.HpeComponentUpdateTask",
                    "Created": now, "Modified": now, "State": "Pending",
                    "Result": {"MessageId": "Base.1.4.Success"},
                    "TPMOverride": bool(body.get("TPMOverride", False)),
                    "UpdateRecoverySet": bool(body.get("UpdateRecoverySet", False))}
            item.update({k: v for k, v in it.items() if k in SEQUENCE_KEYS})
            item.update(extra)
            self.repo._put(fwrepo.QUEUE, self._id(it["Name"]), item)
            if item.get("Filename"):
                self.repo._lock(item["Filename"], True)
        self.invocations += 1
        self.repo.run_queue(lambda i: "Bmc" in i.get("UpdatableBy", []) and
                            "Uefi" not in i.get("UpdatableBy", []))
        return self.app.service.success()

    # ---- maintenance windows ---------------------------------------------------------------
    def _create_window(self, req):
        body = parse_json_object(req.body)
        name, desc = self._name(body, WINDOWS, "HpeMaintenanceWindow")
        if "StartAfter" not in body:
            raise ApiError(400, "PropertyMissing", ["StartAfter"])
        start = _time(body["StartAfter"], "StartAfter")
        data = {"@odata.context": "/redfish/v1/$metadata#HpeMaintenanceWindow."
                                  "HpeMaintenanceWindow",
                "@odata.type": "#HpeMaintenanceWindow.v1_0_0.HpeMaintenanceWindow",
                "Created": fwrepo._now(), "Modified": fwrepo._now(), "Description": desc,
                "Name": name, "StartAfter": start}
        if body.get("Expire") is not None:
            data["Expire"] = _time(body["Expire"], "Expire")
            if data["Expire"] <= start:   # invented: a window ends after it starts
                raise ApiError(400, "PropertyValueIncorrect", ["Expire", data["Expire"]])
        for k in body:
            if k not in ("Name", "Description", "StartAfter", "Expire"):
                raise ApiError(400, "PropertyUnknown", [k])
        data = self.repo._put(WINDOWS, self._id(name), data)
        return self.app.service.success(201, [("Location", data["@odata.id"])])

    def _delete_window(self, key, req):
        data = self.app.tree.get_data(key)
        if not isinstance(data, dict) or "StartAfter" not in data:
            raise ApiError(404, "ResourceMissingAtURI", [req.path])
        if any(it.get("MaintenanceWindow") in (data.get("Id"), data.get("Name")) and
               it.get("State") == "Pending" for it in self.repo._members(fwrepo.QUEUE)):
            raise ApiError(400, "ResourceInUse")   # invented (see the docstring)
        self.app.tree.delete_member(key, WINDOWS)
        return self.app.service.success()

    def _delete_all(self, what):
        """The UpdateService's Delete* actions: every set, window, unlocked component, or
        queue item (install sets marked IsRecovery stay, as HPE's ilorest keeps them)."""
        tree = self.app.tree
        if what == "sets":
            for s in self.repo._members(SETS):
                if not s.get("IsRecovery"):
                    tree.delete_member(fwrepo.norm_key(s["@odata.id"]), SETS)
                    self._unlock(s.get("Sequence") or [])
        elif what == "windows":
            for w in self.repo._members(WINDOWS):
                tree.delete_member(fwrepo.norm_key(w["@odata.id"]), WINDOWS)
        elif what == "queue":
            items = self.repo._members(fwrepo.QUEUE)
            for it in items:
                tree.delete_member(fwrepo.norm_key(it["@odata.id"]), fwrepo.QUEUE)
            self._unlock(items)
        else:
            for c in self.repo._members(fwrepo.REPO):
                if not c.get("Locked"):
                    self.repo.remove_component(c)
        return self.app.service.success()

    # ---- pull updates ----------------------------------------------------------------------
    def _pull(self, req, simple):
        body = parse_json_object(req.body)
        uri = body.get("ImageURI")
        if not isinstance(uri, str) or not uri:
            raise ApiError(400, "ActionParameterMissing", ["ImageURI"])
        parsed = urllib.parse.urlsplit(uri)
        proto = body.get("TransferProtocol", parsed.scheme.upper())
        if parsed.scheme not in ("http", "https") or proto != parsed.scheme.upper() or \
                not parsed.hostname or any(ord(ch) <= 32 for ch in uri):
            raise ApiError(400, "ActionParameterValueFormatError",
                           [uri, "ImageURI", "UpdateService.SimpleUpdate"])
        name = os.path.basename(parsed.path)
        if not FILENAME_RE.match(name or "."):
            raise ApiError(400, "ActionParameterValueFormatError",
                           [uri, "ImageURI", "UpdateService.SimpleUpdate"])
        if self.update.current_state() in ("Uploading", "Verifying", "Writing", "Updating"):
            raise ApiError(400, self.ilo + ".ComponentUploadAlreadyInProgress")
        if simple:
            params = {"UpdateTarget": True, "UpdateRepository": False}   # invented
        else:
            params = {"UpdateTarget": bool(body.get("UpdateTarget", True)),
                      "UpdateRepository": bool(body.get("UpdateRepository", False)),
                      "TPMOverride": bool(body.get("TPMOverrideFlag", False)),
                      "UpdateRecoverySet": bool(body.get("UpdateRecoverySet", False))}
        record = {"ImageURI": uri, "via": "SimpleUpdate" if simple else "AddFromUri",
                  "TransferProtocol": proto, "status": None, "size": 0, "sha256": None,
                  "result": "Fetching", "parameters": params}
        self.pulls.append(record)
        self.update.fetching = True
        self.update._publish()
        threading.Thread(target=self._fetch, args=(record, parsed, name, params),
                         name="pull", daemon=True).start()
        return self.app.service.success()

    def _fetch(self, record, parsed, name, params):
        """Fetch the image (outside the lock), then hand it to fwrepo.py as an upload."""
        sink = self.repo.new_sink()
        part = None
        try:
            if not _loopback(parsed.hostname):   # invented: tests serve on loopback only
                raise OSError("not a loopback address: %s" % parsed.hostname)
            ctx = ssl._create_unverified_context() if parsed.scheme == "https" else None
            with urllib.request.urlopen(record["ImageURI"], timeout=30, context=ctx) as resp, \
                    sink("file", name) as out:
                record["status"] = resp.status
                h = hashlib.sha256()
                size = 0
                for block in iter(lambda: resp.read(CHUNK), b""):
                    out.write(block)
                    h.update(block)
                    size += len(block)
            part = {"filename": name, "size": size, "sha256": h.hexdigest(),
                    "path": sink.paths[-1]}
        except urllib.error.HTTPError as exc:
            record["status"] = exc.code
        except (OSError, ValueError):
            pass
        with self.app.lock:
            self.update.fetching = False
            if part is None or part["size"] == 0:
                record["result"] = "Error"
                self.update.stages = [time.monotonic(), "Error", False, None,
                                      {"MessageId": self.ilo + ".ComponentUploadFailed"}]
                self.update._publish()
            else:
                record.update(size=part["size"], sha256=part["sha256"])
                error = self.repo.received(params, part, None)
                record["result"] = "Refused" if error is not None else "Fetched"
        sink.drop()
        self.app.state.write()


def install(app, update, repo):
    ext = FwMgmt(app, update, repo)
    app.service.extensions.append(ext)
    return ext
