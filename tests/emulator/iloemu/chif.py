# SPDX-License-Identifier: MIT
"""The emulated iLO's CHIF side: a Unix socket served to the CHIF emulator library.

tests/emulator/chif/libilorestchif-emu.so exports the entry points of HPE's channel library
(as python-ilorest-library calls them).  It builds the blobstore2 packets itself and forwards
each channel operation here; the blob store, the error codes, the security state and the
REST dispatch live in this module, so that a session created over CHIF is the very session
the HTTPS side sees.

Framing (both directions, one frame per operation, one connection per channel):
  u32 little-endian length of what follows, then u8 op/status, then the payload.
Requests (op):
  'P' ping                  -> status 0
  'X' packet exchange       -> status 0 + the reply packet, or the channel error (5 failed
                               exchange, 19 channel dead after a BMC reset, 13 channel not
                               authorised in a secure state)
  'S' security state query  -> status 0 + u8 state
  'V' verify credentials    -> status 0 or 13; payload "user\\0password\\0"
  'A' authorise the channel -> status 0 or 13; same payload
HPE application accounts (iLO 7; the library's GenerateAppToken, GetSessionID,
DeleteAppToken; payload fields NUL-terminated):
  'G' create   "appid\0appname\0user\0password\0" -> 0 + the account's token,
               -8 (as u8 248) bad credentials, 201 (-55) exists
  'L' session  "appid\0token\0" -> 0 + "token\0location\0" (a session the HTTPS side
               knows), 2 the token is not (or no longer) valid
  'D' delete   "appid\0token\0" -> 0, 2 unknown
Packets (all little-endian; layout shared with tests/emulator/chif/chif-emu.c):
  header:   u16 size, u16 sequence, u16 command, u16 service
  key, namespace: 32-byte NUL-padded fields
  reply:    header, u32 error code at 8 (0 ok, 2 bad parameter, 12 not found, 20 not
            modified), then per command (see the C file)
"""

import http.client
import http
import email.utils
import gzip
import io
import json
import socket
import struct
import time

from .faults import RESPONSE_KINDS, huge_header
from .service import Request, Response
from .unixserver import UnixServer

SERVICE = 0x0B
CMD_CREATE, CMD_WRITE, CMD_FINALIZE, CMD_INFO, CMD_READ, CMD_DELETE, CMD_LIST, \
    CMD_REST, CMD_REST_BLOB, CMD_SECURITY = range(1, 11)
CMD_NAMES = {CMD_CREATE: "create", CMD_WRITE: "write", CMD_FINALIZE: "finalize",
             CMD_INFO: "info", CMD_READ: "read", CMD_DELETE: "delete", CMD_LIST: "list",
             CMD_REST: "rest", CMD_REST_BLOB: "restblob", CMD_SECURITY: "security"}
KEYLEN = 32
MAX_BUFFER = 8192          # get_max_buffer_size(): largest packet either way
HDR = 8
RSP_BLOB_HDR = 16          # size_of_responseHeaderBlob()
REST_FIXED = 24            # size_of_restResponseFixed()
INLINE_MAX = MAX_BUFFER - REST_FIXED
MAX_BLOB = 64 << 20        # a blob larger than this is refused (bad parameter)
MAX_BLOBS = 256            # more live blobs than this: bad parameter

OK, BADPARAM, NOTFOUND, NOTMODIFIED = 0, 2, 12, 20
CHIF_EIO, CHIF_EACCES, CHIF_ENODEV = 5, 13, 19

# iLO security states (get_security_state(), byte 72 of the reply)
SECURITY_STATES = {"production": 3, "highsecurity": 4, "fips": 5, "cnsa": 6,
                   "securestandard": 7}
NAMESPACES = ("volatile", "perm")
MAX_FRAME = 1 << 20


def _field(name):
    return name.encode()[:KEYLEN].ljust(KEYLEN, b"\0")


def _cstr(data):
    return data.split(b"\0", 1)[0].decode("latin-1")


class Blob:
    __slots__ = ("data", "final")

    def __init__(self):
        self.data = bytearray()
        self.final = False


class BlobStore:
    """Blobs by (namespace, key).  Callers hold the emulator lock."""

    def __init__(self, state):
        self.blobs = {}
        self.state = state

    def _sync(self):
        self.state.blobs = len(self.blobs)

    @staticmethod
    def valid(ns, key):
        return ns in NAMESPACES and 0 < len(key) < KEYLEN

    def create(self, ns, key):
        if not self.valid(ns, key):
            return BADPARAM
        if (ns, key) in self.blobs:
            return NOTMODIFIED
        if len(self.blobs) >= MAX_BLOBS:
            return BADPARAM
        self.blobs[(ns, key)] = Blob()
        self.state.blobs_created += 1
        self._sync()
        return OK

    def put(self, ns, key, data):
        """A finalised blob (the response of a REST request)."""
        blob = Blob()
        blob.data[:] = data
        blob.final = True
        self.blobs[(ns, key)] = blob
        self.state.blobs_created += 1
        self._sync()

    def write(self, ns, key, offset, data):
        if not self.valid(ns, key):
            return BADPARAM
        blob = self.blobs.get((ns, key))
        if blob is None:
            return NOTFOUND
        if blob.final or offset > len(blob.data) or offset + len(data) > MAX_BLOB:
            return BADPARAM
        blob.data[offset:offset + len(data)] = data
        return OK

    def finalize(self, ns, key):
        if not self.valid(ns, key):
            return BADPARAM
        blob = self.blobs.get((ns, key))
        if blob is None:
            return NOTFOUND
        if blob.final:
            return NOTMODIFIED
        blob.final = True
        return OK

    def get(self, ns, key):
        if not self.valid(ns, key):
            return BADPARAM, None
        blob = self.blobs.get((ns, key))
        if blob is None:
            return NOTFOUND, None
        return OK, blob

    def delete(self, ns, key):
        if not self.valid(ns, key):
            return BADPARAM
        if self.blobs.pop((ns, key), None) is None:
            # HPE's client deletes the response key after every inline answer and only
            # tolerates success here: a missing blob is "not modified", not an error.
            return NOTMODIFIED
        self._sync()
        return OK


SESSIONS_PATH = "/redfish/v1/SessionService/Sessions"


def local_login(method, path, body):
    """The answer to an in-band login without a user name, or None for any other request.

    HPE's ilorest in local mode (redfish/rest/v1.py, _session_login) POSTs
    {"UserName": null, "Password": null} over CHIF and carries on when the answer is 200 with no
    session.  The iLO's side is not documented; invented here, to match that code: the channel
    is already authorised (root in Production, or verified credentials), so no session is made
    and the answer is 200 with a success message.
    """
    if method != "POST" or path.split("?", 1)[0].rstrip("/") != SESSIONS_PATH:
        return None
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("UserName"):
        return None
    return Response(200, {"error": {
        "code": "iLO.0.10.ExtendedInfo",
        "message": "See @Message.ExtendedInfo for more information.",
        "@Message.ExtendedInfo": [{"MessageId": "Base.1.4.Success"}]}})


def chif_location(resp):
    """An absolute Location made from the request's Host names no host over CHIF (the Host
    field is empty there): keep its path.  What the iLO sends is not documented; HPE's
    ilorest (redfish/rest/v1.py, session_location) strips "https://" from it and sends the
    rest as the path of its logout DELETE, so a path works for it, as for any client."""
    for i, (name, value) in enumerate(resp.headers):
        if name.lower() == "location" and "://" in value:
            rest = value.split("://", 1)[1]
            resp.headers[i] = (name, rest[rest.find("/"):] if "/" in rest else "/")


def parse_http_request(raw):
    """Raw HTTP/1.1 request bytes -> (method, path, headers, body); ValueError if bad."""
    head, sep, rest = bytes(raw).partition(b"\r\n\r\n")
    if not sep:
        raise ValueError("no end of header")
    line, _, fields = head.partition(b"\r\n")
    parts = line.decode("latin-1").split(" ")
    if len(parts) != 3 or not parts[1].startswith("/") or not parts[2].startswith("HTTP/1."):
        raise ValueError("bad request line")
    headers = http.client.parse_headers(io.BytesIO(fields + b"\r\n\r\n"))
    if headers.get("Transfer-Encoding"):
        raise ValueError("transfer codings are not accepted over CHIF")
    length = headers.get("Content-Length")
    n = 0
    if length is not None:
        if not length.strip().isdigit():
            raise ValueError("bad Content-Length")
        n = int(length)
    if n > len(rest):
        raise ValueError("body shorter than Content-Length")
    return parts[0], parts[1], headers, rest[:n]


def render_response(resp, method, accept_encoding, truncate=False):
    """The HTTP/1.1 text of a service Response, as server.py writes it."""
    from .server import accepts_gzip
    payload = resp.payload()
    headers = list(resp.headers)
    names = {name.lower() for name, _ in headers}
    if "content-encoding" not in names and payload and accepts_gzip(accept_encoding):
        payload = gzip.compress(payload, compresslevel=6)
        headers.append(("Content-Encoding", "gzip"))
    try:
        reason = http.HTTPStatus(resp.status).phrase
    except ValueError:
        reason = "Unknown"
    lines = ["HTTP/1.1 %d %s" % (resp.status, reason),
             "Date: " + email.utils.formatdate(usegmt=True)]
    if resp.body is not None:
        lines.append("Content-Type: " + (resp.content_type or "application/json; charset=utf-8"))
    lines.append("OData-Version: 4.0")
    lines.append("Content-Length: %d" % len(payload))
    lines.append("Connection: keep-alive")
    for name, value in headers:
        lines.append("%s: %s" % (name, value))
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
    if method == "HEAD":
        payload = b""
    if truncate:
        payload = payload[:len(payload) // 2]
    return head + payload


class Channel:
    __slots__ = ("sock", "authorised", "dead")

    def __init__(self, sock):
        self.sock = sock
        self.authorised = False
        self.dead = False


class ChifServer(UnixServer):
    """Unix-socket server: one thread per channel (connection)."""

    thread_name = "chif"

    def __init__(self, path, app, security_state):
        UnixServer.__init__(self, path, 64)
        self.app = app
        self.state_value = SECURITY_STATES[security_state]
        self.blobs = BlobStore(app.state)
        self.channels = set()

    # ---- one channel -------------------------------------------------
    @staticmethod
    def _recv_exact(sock, n):
        buf = bytearray()
        while len(buf) < n:
            chunk = sock.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return bytes(buf)

    def serve_conn(self, sock):
        chan = Channel(sock)
        with self.app.lock:
            self.channels.add(chan)
        self.app.state.channel_opened()
        try:
            while True:
                head = self._recv_exact(sock, 4)
                if head is None:
                    return
                (n,) = struct.unpack("<I", head)
                if n < 1 or n > MAX_FRAME:
                    return
                frame = self._recv_exact(sock, n)
                if frame is None:
                    return
                status, payload = self.operation(chan, frame[0:1], frame[1:])
                try:
                    sock.sendall(struct.pack("<IB", 1 + len(payload), status) + payload)
                finally:
                    self.app.answered()  # a reset this answer announced starts now
        except OSError:
            pass
        finally:
            with self.app.lock:
                self.channels.discard(chan)
            self.app.state.channel_closed()
            sock.close()

    def reset(self):
        """The iLO resets (reset.py; emulator lock held): every channel dies, and those
        created until it is back are dead too."""
        for chan in self.channels:
            chan.dead = True
        for key in [k for k in self.blobs.blobs if k[0] == "volatile"]:
            del self.blobs.blobs[key]
        self.blobs._sync()

    def _down(self):
        reset = getattr(self.app, "reset", None)
        return reset is not None and reset.down

    def _credentials(self, payload):
        parts = payload.split(b"\0")
        if len(parts) < 2:
            return False
        with self.app.lock:
            return self.app.sessions.check(parts[0].decode("utf-8", "replace"),
                                           parts[1].decode("utf-8", "replace")) is not None

    def operation(self, chan, op, payload):
        if self._down():
            chan.dead = True  # no iLO behind the driver: this channel never works
        if op == b"P":
            return (CHIF_ENODEV if chan.dead else OK), b""
        if op == b"S":
            return OK, bytes([self.state_value])
        if op == b"V":
            return (OK if self._credentials(payload) else CHIF_EACCES), b""
        if op == b"A":
            ok = self._credentials(payload)
            chan.authorised = chan.authorised or ok
            return (OK if ok else CHIF_EACCES), b""
        if op == b"X":
            return self.exchange(chan, payload)
        if op in (b"G", b"L", b"D"):
            return self.app_account(op, payload)
        return CHIF_EIO, b""

    # ---- HPE application accounts (iLO 7) ----------------------------
    def app_account(self, op, payload):
        from . import gen7
        parts = [p.decode("utf-8", "replace") for p in payload.split(b"\0")]
        if op == b"G" and len(parts) >= 4:
            with self.app.lock:
                if self.app.sessions.check(parts[2], parts[3]) is None:
                    return 256 - 8, b""
                token = gen7.app_account_create(self.app, parts[0], parts[1])
            if token is None:
                return 256 - 55, b""
            return OK, token.encode()
        if op == b"L" and len(parts) >= 2:
            with self.app.lock:
                sess = gen7.app_account_session(self.app, parts[0], parts[1])
                if sess is None:
                    return 2, b""
                return OK, sess.token.encode() + b"\0" + \
                    ("https://ilo.example" + self.app.sessions.uri(sess)).encode() + b"\0"
        if op == b"D" and len(parts) >= 2:
            with self.app.lock:
                ok = gen7.app_account_delete(self.app, parts[0], parts[1])
            return (OK if ok else 2), b""
        return CHIF_EIO, b""

    # ---- packets -----------------------------------------------------
    def exchange(self, chan, pkt):
        if chan.dead:
            return CHIF_ENODEV, b""
        if len(pkt) < HDR:
            return CHIF_EIO, b""
        size, seq, cmd, _service = struct.unpack_from("<HHHH", pkt, 0)
        if size != len(pkt):
            return CHIF_EIO, b""
        secure = self.state_value != SECURITY_STATES["production"]
        if secure and not chan.authorised and cmd != CMD_SECURITY:
            return CHIF_EACCES, b""
        method, path = "CHIF", "/chif/" + CMD_NAMES.get(cmd, "unknown")
        rest_req = None
        if cmd in (CMD_REST, CMD_REST_BLOB):
            rest_req = self._rest_request(cmd, pkt)
            if isinstance(rest_req, tuple):
                method, path = rest_req[0], rest_req[1]
        with self.app.lock:
            fault, latency_ms = self.app.faults.plan_chif(method, path)
        if fault == "chif-latency":
            time.sleep(latency_ms / 1000.0)
        if fault == "chif-fail":
            return CHIF_EIO, b""
        if fault == "chif-reset":
            with self.app.lock:
                for other in self.channels:
                    other.dead = True
            return CHIF_ENODEV, b""
        if fault == "chif-badparam":
            return OK, self._reply(seq, cmd, BADPARAM)
        if fault == "chif-notfound":
            return OK, self._reply(seq, cmd, NOTFOUND)
        reply = self.dispatch(cmd, seq, pkt, rest_req)
        if fault == "chif-seq":
            reply = bytearray(reply)
            struct.pack_into("<H", reply, 2, (seq + 1) & 0xFFFF)
            reply = bytes(reply)
        return OK, reply

    @staticmethod
    def _reply(seq, cmd, error, body=b"", header=RSP_BLOB_HDR):
        out = bytearray(header)
        struct.pack_into("<HHHHI", out, 0, header + len(body), seq, cmd | 0x8000, SERVICE, error)
        out += body
        struct.pack_into("<H", out, 0, min(len(out), 0xFFFF))
        return bytes(out)

    def _rest_request(self, cmd, pkt):
        """(method, path, headers, body, rsp_ns, rsp_key) or an error code."""
        if cmd == CMD_REST:
            if len(pkt) < HDR + 4 + 2 * KEYLEN:
                return BADPARAM
            (n,) = struct.unpack_from("<I", pkt, HDR)
            rsp_key = _cstr(pkt[HDR + 4:HDR + 4 + KEYLEN])
            rsp_ns = _cstr(pkt[HDR + 4 + KEYLEN:HDR + 4 + 2 * KEYLEN])
            raw = pkt[HDR + 4 + 2 * KEYLEN:]
            if n != len(raw):
                return BADPARAM
        else:
            if len(pkt) < HDR + 3 * KEYLEN:
                return BADPARAM
            req_key = _cstr(pkt[HDR:HDR + KEYLEN])
            rsp_key = _cstr(pkt[HDR + KEYLEN:HDR + 2 * KEYLEN])
            rsp_ns = _cstr(pkt[HDR + 2 * KEYLEN:HDR + 3 * KEYLEN])
            with self.app.lock:
                err, blob = self.blobs.get(rsp_ns, req_key)
                if err:
                    return err
                if not blob.final:
                    return BADPARAM
                raw = bytes(blob.data)
        if not BlobStore.valid(rsp_ns, rsp_key):
            return BADPARAM
        try:
            method, path, headers, body = parse_http_request(raw)
        except ValueError:
            return ("BAD", "/", None, None, rsp_ns, rsp_key)
        return (method, path, headers, body, rsp_ns, rsp_key)

    def dispatch(self, cmd, seq, pkt, rest_req):
        lock = self.app.lock
        if cmd in (CMD_CREATE, CMD_FINALIZE, CMD_INFO, CMD_DELETE):
            if len(pkt) < HDR + 2 * KEYLEN:
                return self._reply(seq, cmd, BADPARAM)
            key, ns = _cstr(pkt[HDR:HDR + KEYLEN]), _cstr(pkt[HDR + KEYLEN:HDR + 2 * KEYLEN])
            with lock:
                if cmd == CMD_CREATE:
                    err = self.blobs.create(ns, key)
                elif cmd == CMD_FINALIZE:
                    err = self.blobs.finalize(ns, key)
                elif cmd == CMD_DELETE:
                    err = self.blobs.delete(ns, key)
                else:
                    err, blob = self.blobs.get(ns, key)
                    if not err:
                        return self._reply(seq, cmd, OK,
                                           struct.pack("<II", len(blob.data), int(blob.final)))
            self.app.state.write()
            return self._reply(seq, cmd, err)
        if cmd in (CMD_WRITE, CMD_READ):
            if len(pkt) < HDR + 8 + 2 * KEYLEN:
                return self._reply(seq, cmd, BADPARAM)
            offset, count = struct.unpack_from("<II", pkt, HDR)
            key = _cstr(pkt[HDR + 8:HDR + 8 + KEYLEN])
            ns = _cstr(pkt[HDR + 8 + KEYLEN:HDR + 8 + 2 * KEYLEN])
            with lock:
                if cmd == CMD_WRITE:
                    data = pkt[HDR + 8 + 2 * KEYLEN:]
                    if count != len(data):
                        return self._reply(seq, cmd, BADPARAM)
                    return self._reply(seq, cmd, self.blobs.write(ns, key, offset, data))
                err, blob = self.blobs.get(ns, key)
                if err:
                    return self._reply(seq, cmd, err)
                if offset > len(blob.data) or count > MAX_BUFFER - RSP_BLOB_HDR - 4:
                    return self._reply(seq, cmd, BADPARAM)
                chunk = bytes(blob.data[offset:offset + count])
                return self._reply(seq, cmd, OK, struct.pack("<I", len(chunk)) + chunk)
        if cmd == CMD_LIST:
            ns = _cstr(pkt[HDR:HDR + KEYLEN])
            with lock:
                keys = sorted(k for (n, k) in self.blobs.blobs if n == ns)
            body = struct.pack("<I", len(keys)) + b"".join(_field(k) for k in keys)
            return self._reply(seq, cmd, OK, body[:MAX_BUFFER - RSP_BLOB_HDR])
        if cmd == CMD_SECURITY:
            body = bytearray(80 - RSP_BLOB_HDR)
            body[72 - RSP_BLOB_HDR] = self.state_value
            return self._reply(seq, cmd, OK, bytes(body))
        if cmd in (CMD_REST, CMD_REST_BLOB):
            return self.rest(seq, cmd, rest_req)
        return self._reply(seq, cmd, BADPARAM)

    def _rest_reply(self, seq, cmd, error, mode=0, length=0, data=b""):
        out = bytearray(REST_FIXED)
        struct.pack_into("<HHHHIII", out, 0, REST_FIXED + len(data), seq, cmd | 0x8000,
                         SERVICE, error, mode, length)
        return bytes(out) + data

    def rest(self, seq, cmd, rest_req):
        app = self.app
        if isinstance(rest_req, int):
            return self._rest_reply(seq, cmd, rest_req)
        method, path, headers, body, rsp_ns, rsp_key = rest_req
        if headers is None:
            resp = app.error_response(400)
            accept = None
            truncate = False
        else:
            accept = headers.get("Accept-Encoding")
            plan = app.plan(method, path)
            kind = plan.answer.kind if plan.answer is not None else None
            truncate = kind == "truncate"
            if kind in RESPONSE_KINDS:
                resp = app.fault_response(plan.answer, path)
            else:
                req = Request(method, path, headers, body, "chif", False, None, 0)
                # Production: root on the channel is the local administrator without a
                # session; a request that carries credentials is checked as usual.
                req.local_admin = not headers.get("X-Auth-Token") and \
                    not headers.get("Authorization")
                resp = local_login(method, path, body) if req.local_admin else None
                if resp is None:
                    resp = app.complete(app.handle(req), body)  # uploads (update.py)
                chif_location(resp)
            if plan.header_bytes:
                resp.headers.append(huge_header(plan.header_bytes))
        app.finish(method, path, resp.status)
        text = render_response(resp, method, accept, truncate)
        if len(text) <= INLINE_MAX:
            return self._rest_reply(seq, cmd, OK, 0, len(text), text)
        with app.lock:
            self.blobs.put(rsp_ns, rsp_key, text)
        app.state.write()
        return self._rest_reply(seq, cmd, OK, 1, len(text))
