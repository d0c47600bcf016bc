# SPDX-License-Identifier: MIT
"""Firmware upload to the UpdateService, streamed: the body is parsed as it arrives.

HPE's way (iLO 5/6, HPE's iLO REST API reference "Upload Components"): a multipart/form-data
POST to HttpPushUri (/cgi-bin/uploadFile) with the fields sessionKey, parameters (JSON),
optional compsig (file) and file (file), and the header "Cookie: sessionKey=TOKEN".  Both must
name the session that authenticates the request (401 otherwise, as iLO answers); over CHIF in
the Production state the channel itself is authorised and neither is needed.  The upload
answers 200; then UpdateService Oem.Hpe.State goes Verifying -> Writing -> Complete (or Error
with --update-fail), each stage lasting --update-seconds.

DMTF's way (--multipart-push): MultipartHttpPushUri with the parts UpdateParameters (JSON,
Targets) and UpdateFile; it answers 202 with a task monitor (tasks.py), whose task ends
Completed, or Exception with a message under --update-fail.

The file part is hashed (SHA-256) and counted while it streams, never held whole; each upload
is recorded in the state file as uploads: [{"name", "size", "sha256", "fields", "session",
"via"}] ("session": the Id of the session that authenticated it; null over CHIF's own
authorisation).
"""

import hashlib
import json
import threading
import time

from .errors import ApiError
from .service import Response
from .tree import compute_etag, norm_key
from . import fwmgmt, fwrepo

UPDATE_SERVICE = "/redfish/v1/UpdateService"
HPE_PUSH = "/cgi-bin/uploadFile"
DMTF_PUSH = "/redfish/v1/UpdateService/upload"
BUSY = ("Uploading", "Verifying", "Writing", "Updating")
CHUNK = 64 << 10
MAX_FIELD = 64 << 10
MAX_PART_HEADER = 16 << 10
MAX_PARTS = 16


class MultipartError(ValueError):
    pass


def boundary_of(content_type):
    kind, _, params = (content_type or "").partition(";")
    if kind.strip().lower() != "multipart/form-data":
        return None
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "boundary":
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            return value.encode("latin-1") if 0 < len(value) <= 70 else None
    return None


def _disposition(headers):
    """name, filename of a part's Content-Disposition (quoted strings with \\ escapes)."""
    value = headers.get("content-disposition", "")
    out = {}
    i, n = 0, len(value)
    while i < n:
        j = value.find("=", i)
        if j < 0:
            break
        key = value[i:j].split(";")[-1].strip().lower()
        i = j + 1
        if i < n and value[i] == '"':
            i += 1
            chars = []
            while i < n and value[i] != '"':
                if value[i] == "\\" and i + 1 < n:
                    i += 1
                chars.append(value[i])
                i += 1
            i += 1
            out[key] = "".join(chars)
        else:
            k = value.find(";", i)
            k = n if k < 0 else k
            out[key] = value[i:k].strip()
            i = k
    return out.get("name"), out.get("filename")


def parse_multipart(read, boundary, sink=None):
    """Parse a multipart/form-data stream from read(n) -> bytes (b"" at the end).

    Small fields are returned as {name: bytes}; file parts are hashed on the fly:
    {name: {"filename", "size", "sha256"}}.  Memory stays bounded by the chunk size.
    sink(name, filename) may return a binary file object the part is also written to (the
    part's "path" is then the file's name), or None."""
    delim = b"\r\n--" + boundary
    keep = len(delim) + 1
    buf = bytearray(b"\r\n")   # the first delimiter has no CRLF before it
    eof = False
    fields, files = {}, {}
    state, part, parts = "preamble", None, 0

    def fill():
        nonlocal eof
        data = read(CHUNK)
        if not data:
            eof = True
        buf.extend(data)

    while True:
        if state in ("preamble", "body"):
            i = buf.find(delim)
            if i < 0:
                if eof:
                    raise MultipartError("no closing delimiter")
                if len(buf) > keep:
                    cut = len(buf) - keep
                    if state == "body":
                        part.feed(buf[:cut])
                    del buf[:cut]
                fill()
                continue
            if state == "body":
                part.feed(buf[:i])
                part.done(fields, files)
            del buf[:i + len(delim)]
            state = "after"
        elif state == "after":
            if len(buf) < 2:
                if eof:
                    raise MultipartError("truncated after a delimiter")
                fill()
                continue
            if buf[:2] == b"--":
                return fields, files
            if buf[:2] != b"\r\n":
                raise MultipartError("bad delimiter line")
            del buf[:2]
            state = "headers"
        else:
            j = buf.find(b"\r\n\r\n")
            if j < 0:
                if len(buf) > MAX_PART_HEADER or eof:
                    raise MultipartError("part header too long or truncated")
                fill()
                continue
            headers = {}
            for line in bytes(buf[:j]).decode("utf-8", "replace").split("\r\n"):
                name, sep, value = line.partition(":")
                if sep:
                    headers[name.strip().lower()] = value.strip()
            del buf[:j + 4]
            name, filename = _disposition(headers)
            if not name:
                raise MultipartError("part without a name")
            parts += 1
            if parts > MAX_PARTS:
                raise MultipartError("too many parts")
            part = Part(name, filename, sink(name, filename) if sink and filename is not None
                        else None)
            state = "body"


class Part:
    def __init__(self, name, filename, out=None):
        self.name = name
        self.filename = filename
        self.hash = hashlib.sha256() if filename is not None else None
        self.size = 0
        self.data = bytearray()
        self.out = out

    def feed(self, data):
        self.size += len(data)
        if self.hash is not None:
            self.hash.update(data)
            if self.out is not None:
                self.out.write(data)
        elif self.size > MAX_FIELD:
            raise MultipartError("field %s too long" % self.name)
        else:
            self.data.extend(data)

    def done(self, fields, files):
        if self.hash is not None:
            files[self.name] = {"filename": self.filename, "size": self.size,
                                "sha256": self.hash.hexdigest()}
            if self.out is not None:
                self.out.close()
                files[self.name]["path"] = self.out.name
        else:
            fields[self.name] = bytes(self.data)


def _cookie(req, name):
    for item in (req.headers.get("Cookie") or "").split(";"):
        key, _, value = item.strip().partition("=")
        if key == name:
            return value
    return None


class Update:
    """UpdateService behaviour; handle() is called under the emulator lock, consume() not."""

    def __init__(self, app, tasks, initial_state="Idle", fail=False, seconds=0.5,
                 multipart=False):
        self.app = app
        self.tasks = tasks
        self.fail = fail
        self.seconds = seconds
        self.multipart = multipart
        self.initial = initial_state
        self.uploads = []
        # the upload being processed: [start time, final state, writes (UpdateTarget), a
        # function called once when it is over (fwrepo.py: versions, resets), Result]
        self.stages = None
        self.upload_lock = threading.Lock()
        self.fwrepo = None      # fwrepo.py, when installed
        self.fetching = False   # fwmgmt.py: an image is being fetched (pull update)
        app.state.extras["uploads"] = lambda: list(self.uploads)
        app.state.extras["update_state"] = self.current_state
        data = app.tree.get_data(UPDATE_SERVICE)
        if data is not None and multipart:
            data["MultipartHttpPushUri"] = DMTF_PUSH + "/"
        self._publish()

    # ---- Oem.Hpe.State ---------------------------------------------------------------
    def current_state(self):
        if self.fetching:
            return "Uploading"
        if self.stages is None:
            return self.initial
        start, final, writes, done = self.stages[:4]
        elapsed = time.monotonic() - start
        if elapsed < self.seconds:
            return "Verifying"
        if writes and elapsed < 2 * self.seconds:
            return "Writing"
        if done is not None:
            self.stages[3] = None
            done()
        return final

    def flash_percent(self):
        """FlashProgressPercent: 0 while verifying, rising through Writing, 100 after."""
        if self.stages is None:
            return None
        elapsed = time.monotonic() - self.stages[0] - self.seconds
        return max(0, min(100, int(100 * elapsed / self.seconds)))

    def _publish(self):
        data = self.app.tree.get_data(UPDATE_SERVICE)
        if not isinstance(data, dict):
            return
        hpe = data.setdefault("Oem", {}).setdefault("Hpe", {})
        state = self.current_state()
        pct = self.flash_percent()
        result = self.stages[4] if self.stages is not None and len(self.stages) > 4 else None
        if hpe.get("State") != state or hpe.get("FlashProgressPercent") != pct or \
                hpe.get("Result") != result:
            hpe["State"] = state
            if pct is None:
                hpe.pop("FlashProgressPercent", None)
            else:
                hpe["FlashProgressPercent"] = pct
            if result is None or state != "Error":
                hpe.pop("Result", None)
            else:
                hpe["Result"] = result
            data.pop("@odata.etag", None)
            data["@odata.etag"] = compute_etag(data)

    # ---- requests ------------------------------------------------------------------------
    @staticmethod
    def streams(method, key):
        return method == "POST" and key in (HPE_PUSH, DMTF_PUSH)

    def handle(self, service, req, key, auth):
        if key == UPDATE_SERVICE and req.method in ("GET", "HEAD"):
            self._publish()
            return None
        if key not in (HPE_PUSH, DMTF_PUSH):
            return None
        if key == DMTF_PUSH and not self.multipart:
            raise ApiError(404, "ResourceMissingAtURI", [req.path.split("?", 1)[0]])
        if req.method != "POST":
            raise ApiError(405, "iLO.2.14.UnsupportedOperation", headers=[("Allow", "POST")])
        boundary = boundary_of(req.headers.get("Content-Type"))
        if boundary is None:
            raise ApiError(415, "UnsupportedMediaType")
        if self.current_state() in BUSY:
            raise ApiError(409, "ResourceInUse")
        resp = Response(200)
        session = None if getattr(req, "local_admin", False) else auth.session
        token = session.token if session is not None else None
        sid = session.id if session is not None else None
        resp.consume = lambda body: self.consume(body, boundary, token, key == DMTF_PUSH,
                                                 req, sid)
        return resp

    def consume(self, body, boundary, token, dmtf, req, sid=None):
        """Read the whole body (outside the emulator lock), then answer; the files it left
        on disk and did not keep (fwrepo.py) are removed, whatever the outcome."""
        sink = self.fwrepo.new_sink() if self.fwrepo is not None and not dmtf else None
        try:
            return self._consume(body, boundary, token, dmtf, req, sink, sid)
        finally:
            if sink is not None:
                sink.drop()

    def _consume(self, body, boundary, token, dmtf, req, sink, sid):
        app = self.app
        if not self.upload_lock.acquire(blocking=False):
            body.drain()
            return app.error_response(409, "ResourceInUse")
        try:
            try:
                fields, files = parse_multipart(body.read, boundary, sink)
            except (MultipartError, ConnectionError):
                body.drain()
                return app.error_response(400, "MalformedJSON")
        finally:
            self.upload_lock.release()
        part = files.get("UpdateFile" if dmtf else "file")
        if not dmtf and token is not None:
            key = fields.get("sessionKey", b"").decode("latin-1", "replace").strip()
            if key != token or _cookie(req, "sessionKey") != token:
                return app.error_response(401, "NoValidSession")
        if part is None:
            return app.error_response(400, "PropertyMissing", ["UpdateFile" if dmtf else "file"])
        param_name = "UpdateParameters" if dmtf else "parameters"
        try:
            params = json.loads(fields.get(param_name, b"{}").decode("utf-8") or "{}")
        except (ValueError, UnicodeDecodeError):
            return app.error_response(400, "MalformedJSON")
        if not isinstance(params, dict):
            return app.error_response(400, "MalformedJSON")
        with app.lock:
            self.uploads.append({"name": part["filename"], "size": part["size"],
                                 "sha256": part["sha256"], "via": "dmtf" if dmtf else "hpe",
                                 "fields": sorted(list(fields) + list(files)),
                                 "session": sid,
                                 "parameters": params,
                                 "compsig": files.get("compsig")})
            if dmtf:
                messages = [{"MessageId": "Update.1.0.ApplyFailed",
                             "Message": "Installing %s failed." % part["filename"],
                             "Severity": "Critical"}] if self.fail else []
                return self.tasks.create("Update " + part["filename"], 2 * self.seconds,
                                         self.fail, messages)
            if self.fwrepo is not None:
                error = self.fwrepo.received(params, part, files.get("compsig"))
                if error is not None:
                    return error
                return app.service.success()
            self.stages = [time.monotonic(), "Error" if self.fail else "Complete", True, None]
            self._publish()
            return app.service.success()


def install(app, tasks, args):
    """Build the module from the emulator's options and register it."""
    ext = Update(app, tasks, args.update_state, args.update_fail, args.update_seconds,
                 args.multipart_push)
    app.service.extensions.append(ext)
    app.fwrepo = fwrepo.install(app, ext, args)
    fwmgmt.install(app, ext, app.fwrepo)
    return ext
