# SPDX-License-Identifier: MIT
"""iLO's component repository and update task queue (HPE iLO REST API reference, "iLO
Repository": HpeComponent, HpeComponentUpdateTask), fed by the HPE upload form (update.py).

Uploads (the "parameters" field, as python-redfish-utility's uploadcomp sends it):
- UpdateRepository true: the file is kept as a ComponentRepository member (Id: 8 hex digits,
  Filename, SizeBytes, Locked, UpdatableBy, Targets, Version from payload.json when the file
  is a package); a Locked component cannot be replaced (400 ResourceInUse) nor deleted.
- UpdateTarget true: the file is flashed: Oem.Hpe.State Verifying, Writing (with
  FlashProgressPercent), then Complete; the FirmwareInventory members whose Oem.Hpe.Targets
  hold one of the package's Devices.Device[].Target take the device's Version.  Flashing the
  iLO's own firmware (FirmwareInventory/1) changes Managers/1 FirmwareVersion too and resets
  the iLO (reset.py's outage) when that module is there.  UpdateTarget false: Verifying,
  then Complete.
- Section N > 0 with the same file name and ETag continues the component (HPE's 32 MiB
  sections); the parts are appended to the same file on disk.
- Files are streamed to disk (the repository directory: next to the state file, or a
  temporary one); an upload that fails or is not kept leaves no file behind.

A "bad file" (invented, HPE does not say what its checks are): any file starting with
BADIMAGE, or a .zip (a package for UEFI, type C) that is not a zip with a parseable
payload.json.  Flashing one ends in
Oem.Hpe.State Error with Result iLO.2.14.UpdateFailed; a queued one in Exception.

UpdateTaskQueue (HpeComponentUpdateTask): POST {Name, Command (ApplyUpdate, ResetServer,
ResetBmc, Wait), Filename, UpdatableBy, TPMOverride, Targets...} creates an item in state
Pending (ApplyUpdate needs the file in the repository, which it locks).  Bmc items run at once;
Uefi items wait for the server's POST: the ComputerSystem.Reset action, or SIGRTMIN to the
emulator (the "--post" control).  At POST the items run in order: Pending -> Complete, or
Exception (a bad file) or Expired (past Expire); an Exception or Expired item blocks every item
after it (they stay Pending), as HPE documents.  DELETE removes an item (and unlocks its
component).  Targets is accepted (iLO 6; iLO 5 2.70's schema lacks it).

State file: "fwrepo": {"components": [{"Filename", "SizeBytes", "Locked", "sha256"}],
"files": names on disk, "temp_files": leftover upload files (must stay empty), "queue":
[{"Name", "State", "Filename", "UpdatableBy", "TPMOverride", "Targets"}], "posts": N,
"flashed": [{"Filename", "Section", "UpdateTarget", "result"}]}.
"""

import datetime
import hashlib
import json
import os
import shutil
import tempfile
import time
import zipfile
import zlib

from .errors import ApiError
from .service import parse_json_object
from .tree import Entry, norm_key

REPO = "/redfish/v1/UpdateService/ComponentRepository"
QUEUE = "/redfish/v1/UpdateService/UpdateTaskQueue"
INVENTORY = "/redfish/v1/UpdateService/FirmwareInventory"
ILO_FIRMWARE = INVENTORY + "/1"
MANAGER = "/redfish/v1/Managers/1"
SYSTEM_RESET = "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset"
COMMANDS = ("ApplyUpdate", "ResetServer", "ResetBmc", "Wait")
CHUNK = 1 << 20


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _payload(path):
    """payload.json of a package, or None; raises ValueError for a broken zip."""
    if not zipfile.is_zipfile(path):
        raise ValueError("not a zip archive")
    try:
        with zipfile.ZipFile(path) as z:
            data = json.loads(z.read("payload.json").decode("utf-8"))
    except (KeyError, zipfile.BadZipFile, UnicodeDecodeError, OSError) as exc:
        raise ValueError(str(exc)) from None
    if not isinstance(data, dict):
        raise ValueError("payload.json is not an object")
    return data


def _bad(path, name):
    """The reason a file cannot be flashed, or None (see the module's docstring)."""
    try:
        with open(path, "rb") as fh:
            if fh.read(8) == b"BADIMAGE":
                return "corrupt image"
        if name.lower().endswith(".zip"):   # a package for UEFI: it reads payload.json
            _payload(path)
        return None
    except (ValueError, OSError) as exc:
        return str(exc)


def _devices(path, name):
    """[(Target, Version)] of a package's devices (empty for anything else)."""
    if not name.lower().endswith((".zip", ".fwpkg")):
        return []
    try:
        devs = (_payload(path).get("Devices") or {}).get("Device") or []
    except ValueError:
        return []
    return [(d.get("Target"), d.get("Version")) for d in devs if isinstance(d, dict)]


class Sink:
    """Where one upload's file parts go: temporary files in the repository directory."""

    def __init__(self, directory):
        self.directory = directory
        self.paths = []

    def __call__(self, name, filename):
        if name not in ("file", "compsig"):
            return None
        fd, path = tempfile.mkstemp(prefix=".upload-", suffix=".tmp", dir=self.directory)
        self.paths.append(path)
        os.close(fd)
        return open(path, "wb")   # noqa: SIM115 (closed by update.Part.done)

    def drop(self):
        for path in self.paths:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass


class FwRepo:
    """ComponentRepository + UpdateTaskQueue; handle() and received() run under the lock."""

    def __init__(self, app, update, directory):
        self.app = app
        self.update = update
        self.own_dir = directory is None
        self.directory = directory or tempfile.mkdtemp(prefix="iloemu-fwrepo-")
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        self.files = {}         # Filename -> {"etag", "sha256"}
        self.posts = 0
        self.flashed = []
        self.ilo = app.errors.registries.version_prefix("iLO", "iLO.2.14") \
            if hasattr(app.errors.registries, "version_prefix") else "iLO.2.14"
        # fwmgmt.py: more users of a component (install sets), and the maintenance window a
        # queue item names (its Id or Name -> the window, or None)
        self.in_use = []
        self.window_of = lambda ref: None
        update.fwrepo = self
        app.state.extras["fwrepo"] = self.snapshot

    def close(self):
        if self.own_dir:
            shutil.rmtree(self.directory, ignore_errors=True)

    def new_sink(self):
        return Sink(self.directory)

    # ---- state ---------------------------------------------------------------------------
    def _members(self, coll):
        data = self.app.tree.get_data(coll) or {}
        out = []
        for m in data.get("Members") or []:
            d = self.app.tree.get_data(norm_key(str(m.get("@odata.id", ""))))
            if isinstance(d, dict):
                out.append(d)
        return out

    def snapshot(self):
        names = sorted(os.listdir(self.directory)) if os.path.isdir(self.directory) else []
        return {
            "components": [{"Filename": c.get("Filename"), "SizeBytes": c.get("SizeBytes"),
                            "Locked": c.get("Locked"),
                            "sha256": self.files.get(c.get("Filename"), {}).get("sha256")}
                           for c in self._members(REPO)],
            "files": [n for n in names if not n.startswith(".")],
            "temp_files": [n for n in names if n.startswith(".")],
            "queue": [{k: it.get(k) for k in ("Name", "State", "Filename", "UpdatableBy",
                                              "TPMOverride", "Targets", "Command",
                                              "MaintenanceWindow", "StartAfter", "Expire",
                                              "WaitTimeSeconds")}
                      for it in self._members(QUEUE)],
            "posts": self.posts,
            "flashed": list(self.flashed),
        }

    # ---- tree helpers --------------------------------------------------------------------
    def _put(self, coll, new_id, data):
        tree = self.app.tree
        cdata = tree.get_data(coll)
        oid = "%s/%s/" % (coll, new_id)
        data["@odata.id"] = oid
        data["Id"] = new_id
        tree._new_etag(data)
        entry = Entry(None, "json")
        entry.data = data
        key = norm_key(oid)
        if key not in tree.entries or not any(
                norm_key(str(m.get("@odata.id", ""))) == key for m in cdata["Members"]):
            cdata["Members"].append({"@odata.id": oid})
        tree.entries[key] = entry
        cdata["Members@odata.count"] = len(cdata["Members"])
        tree._new_etag(cdata)
        return data

    def _component(self, filename):
        for c in self._members(REPO):
            if c.get("Filename") == filename:
                return c
        return None

    def _lock(self, filename, locked):
        comp = self._component(filename)
        if comp is not None:
            comp["Locked"] = locked
            self.app.tree._new_etag(comp)

    # ---- uploads (update.py, under the lock) ---------------------------------------------
    def received(self, params, part, compsig):
        """An HPE form upload arrived whole; returns an error Response or None (then the
        UpdateService's state machine runs)."""
        name = part["filename"] or ""
        if not name or "/" in name or name.startswith("."):
            return self.app.error_response(400, "PropertyValueFormatError", [name, "file"])
        section = params.get("Section") or 0
        etag = params.get("ETag")
        repo = bool(params.get("UpdateRepository", True))
        target = bool(params.get("UpdateTarget", True))
        final = os.path.join(self.directory, name)
        comp = self._component(name)
        if comp is not None and comp.get("Locked"):
            return self.app.error_response(400, "ResourceInUse")
        if section:
            if self.files.get(name, {}).get("etag") != etag or not os.path.exists(final):
                return self.app.error_response(400, "PropertyValueNotInList",
                                               [str(section), "Section"])
            with open(part["path"], "rb") as src, open(final, "ab") as dst:
                shutil.copyfileobj(src, dst, CHUNK)
        else:
            os.replace(part["path"], final)
        self.files[name] = {"etag": etag, "sha256": self._sha(final)}
        bad = _bad(final, name) if target else None
        self.flashed.append({"Filename": name, "Section": section, "UpdateTarget": target,
                             "UpdateRepository": repo, "TPMOverride": params.get("TPMOverride"),
                             "UpdateRecoverySet": params.get("UpdateRecoverySet"),
                             "compsig": compsig["filename"] if compsig else None,
                             "result": "Error" if bad or self.update.fail else "Complete"})
        if repo:
            self._keep(name, final)
        done = None
        if target and not bad and not self.update.fail:
            devices = _devices(final, name)
            done = lambda: self._flashed(devices, name, None if repo else final)  # noqa: E731
        elif not repo:
            os.unlink(final)
            self.files.pop(name, None)
        result = {"MessageId": self.ilo + ".UpdateFailed", "MessageArgs": [bad or "failed"]}
        self.update.stages = [time.monotonic(), "Error" if bad or self.update.fail else "Complete",
                              target, done, result]
        self.update._publish()
        return None

    @staticmethod
    def _sha(path):
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(CHUNK), b""):
                h.update(block)
        return h.hexdigest()

    def _keep(self, name, path):
        devices, version, targets, by = [], "", [], ["Bmc"]
        if name.lower().endswith((".zip", ".fwpkg")):
            try:
                payload = _payload(path)
                devices = (payload.get("Devices") or {}).get("Device") or []
                by = payload.get("UpdatableBy") or by
            except ValueError:
                pass
        for d in devices:
            if isinstance(d, dict):
                version = version or str(d.get("Version") or "")
                if d.get("Target"):
                    targets.append(d["Target"])
        old = self._component(name) or {}
        data = {"@odata.context": "/redfish/v1/$metadata#HpeComponent.HpeComponent",
                "@odata.type": "#HpeComponent.v1_0_1.HpeComponent",
                "Activates": "Immediately", "ComponentUri": "/fwrepo/" + name,
                "Configuration": "", "Created": old.get("Created") or _now(),
                "Criticality": "Optional", "DeviceClass": "", "ExecutionParameters": "",
                "Filename": name, "Filepath": name, "Locked": False, "Name": name,
                "SizeBytes": os.path.getsize(path), "Targets": targets, "UpdatableBy": by,
                "Version": version}
        self._put(REPO, "%08x" % zlib.crc32(name.encode()), data)

    def _flashed(self, devices, name, remove):
        """A flash is over: new versions; an iLO flash resets the iLO (reset.py)."""
        if remove is not None:
            try:
                os.unlink(remove)
            except FileNotFoundError:
                pass
            self.files.pop(name, None)
        ilo = False

        def apply():
            for member in self._members(INVENTORY):
                hpe = (member.get("Oem") or {}).get("Hpe") or {}
                for tgt, version in devices:
                    if tgt and version and tgt in (hpe.get("Targets") or []):
                        member["Version"] = str(version)
                        self.app.tree._new_etag(member)
                        if norm_key(member["@odata.id"]) == ILO_FIRMWARE:
                            mgr = self.app.tree.get_data(MANAGER)
                            # "iLO 5 v2.72", "iLO 7 v1.12": the generation stays
                            gen = (mgr.get("FirmwareVersion") or "iLO 5 v").rsplit(" v", 1)[0]
                            mgr["FirmwareVersion"] = gen + " v" + str(version)
                            self.app.tree._new_etag(mgr)

        for member in self._members(INVENTORY):
            hpe = (member.get("Oem") or {}).get("Hpe") or {}
            if norm_key(member["@odata.id"]) == ILO_FIRMWARE and any(
                    t in (hpe.get("Targets") or []) for t, _ in devices):
                ilo = True
        reset = getattr(self.app, "reset", None)
        if ilo and reset is not None and hasattr(reset, "request"):
            reset.request("iLO firmware flash", apply)
        else:
            apply()

    # ---- requests ------------------------------------------------------------------------
    def handle(self, service, req, key, auth):
        if key == QUEUE and req.method == "POST":
            return self._create(req)
        if key.startswith(QUEUE + "/") and req.method == "DELETE":
            return self._delete_item(key, req)
        if key.startswith(REPO + "/") and req.method == "DELETE":
            return self._delete_component(key, req)
        if key == SYSTEM_RESET and req.method == "POST":
            body = parse_json_object(req.body) if req.body.strip() else {}
            if body.get("ResetType") not in ("ForceOff", "Nmi", "PushPowerButton"):
                self.post()
        return None

    def _create(self, req):
        body = parse_json_object(req.body)
        command = body.get("Command")
        if command not in COMMANDS:
            raise ApiError(400, "PropertyValueNotInList", [str(command), "Command"])
        if not isinstance(body.get("Name"), str) or not body["Name"]:
            raise ApiError(400, "PropertyMissing", ["Name"])
        by = body.get("UpdatableBy") or ["Bmc"]
        if not isinstance(by, list) or any(b not in ("Bmc", "Uefi", "RuntimeAgent") for b in by):
            raise ApiError(400, "PropertyValueNotInList", [json.dumps(by), "UpdatableBy"])
        if command == "ApplyUpdate":
            if self._component(body.get("Filename")) is None:
                raise ApiError(400, self.ilo + ".UnableToModifyDueToMissingComponent")
            self._lock(body["Filename"], True)
        item = {"@odata.context": "/redfish/v1/$metadata#HpeComponentUpdateTask."
                                  "HpeComponentUpdateTask",
                "@odata.type": "#HpeComponentUpdateTask.v1_2_0.HpeComponentUpdateTask",
                "Created": _now(), "Modified": _now(), "State": "Pending",
                "Result": {"MessageId": "Base.1.4.Success"}, "UpdatableBy": by,
                "TPMOverride": bool(body.get("TPMOverride", False))}
        for k in ("Name", "Command", "Filename", "Targets", "WaitTimeSeconds", "Expire",
                  "StartAfter", "UpdateRecoverySet", "ExecutionTimeoutMinutes"):
            if k in body:
                item[k] = body[k]
        new_id = "%08x" % (zlib.crc32(("%s %s" % (body["Name"], time.monotonic())).encode()))
        data = self._put(QUEUE, new_id, item)
        if "Bmc" in by and "Uefi" not in by:
            self.run_queue(lambda it: "Bmc" in it.get("UpdatableBy", []))
        return self.app.service.success(201, [("Location", data["@odata.id"])])

    def used(self, filename):
        """Whether a queue item or an install set (fwmgmt.py) names the component."""
        return any(it.get("Filename") == filename for it in self._members(QUEUE)) or \
            any(hook(filename) for hook in self.in_use)

    def _delete_item(self, key, req):
        item = self.app.tree.get_data(key)
        if not isinstance(item, dict):
            raise ApiError(404, "ResourceMissingAtURI", [req.path])
        self.app.tree.delete_member(key, QUEUE)
        if item.get("Filename") and not self.used(item["Filename"]):
            self._lock(item["Filename"], False)
        return self.app.service.success()

    def _delete_component(self, key, req):
        comp = self.app.tree.get_data(key)
        if not isinstance(comp, dict):
            raise ApiError(404, "ResourceMissingAtURI", [req.path])
        if comp.get("Locked"):
            raise ApiError(400, "ResourceInUse")
        self.remove_component(comp)
        return self.app.service.success()

    def remove_component(self, comp):
        name = comp.get("Filename") or ""
        try:
            os.unlink(os.path.join(self.directory, name))
        except (FileNotFoundError, IsADirectoryError):
            pass
        self.files.pop(name, None)
        self.app.tree.delete_member(norm_key(comp["@odata.id"]), REPO)

    # ---- the queue -----------------------------------------------------------------------
    def post(self):
        """The server's POST (boot): UEFI runs the queue's UEFI items (lock held)."""
        self.posts += 1
        self.run_queue(lambda it: "Uefi" in it.get("UpdatableBy", []))

    def run_queue(self, eligible):
        for item in self._members(QUEUE):
            state = item.get("State")
            if state in ("Exception", "Expired"):
                break   # blocks every item after it
            if state != "Pending" or not eligible(item):
                continue
            if not self._started(item):
                break   # the queue runs in order: nothing after it runs before it
            item["State"] = self._run(item)
            item["Modified"] = _now()
            self.app.tree._new_etag(item)
            if item["State"] in ("Exception", "Expired"):
                break

    def _limits(self, item):
        """(StartAfter, Expire) of an item: its own, else its maintenance window's."""
        window = self.window_of(item["MaintenanceWindow"]) \
            if item.get("MaintenanceWindow") else None
        window = window or {}
        return (item.get("StartAfter") or window.get("StartAfter"),
                item.get("Expire") or window.get("Expire"))

    def _started(self, item):
        start, expire = self._limits(item)
        now = _now()
        return not (isinstance(start, str) and start > now) or \
            (isinstance(expire, str) and expire < now)

    def _run(self, item):
        expire = self._limits(item)[1]
        if isinstance(expire, str) and expire and expire < _now():
            return "Expired"
        if item.get("Command") != "ApplyUpdate":
            return "Complete"
        name = item.get("Filename") or ""
        path = os.path.join(self.directory, name)
        bad = _bad(path, name) if os.path.exists(path) else "the component is not in the " \
                                                             "repository"
        if bad:
            item["Result"] = {"MessageId": self.ilo + ".UpdateFailed", "MessageArgs": [bad]}
            return "Exception"
        self._flashed(_devices(path, name), name, None)
        return "Complete"


def install(app, update, args):
    directory = getattr(args, "fwrepo_dir", None)
    if directory is None and args.state_file:
        directory = os.path.join(os.path.dirname(os.path.abspath(args.state_file)), "fwrepo")
    ext = FwRepo(app, update, directory)
    app.service.extensions.append(ext)
    return ext
