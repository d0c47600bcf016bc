# SPDX-License-Identifier: MIT
"""The emulator object: one lock around tree, sessions, faults and state."""

import sys
import threading
import traceback

from .certs import Certs
from .errors import ApiError, Errors, Registries
from .faults import Faults, huge_body
from .latency import Latency
from .query import QueryOptions
from .races import EtagRace
from .reset import Reset
from .service import Response, Service
from .sessions import Sessions
from .state import State
from .tree import Tree, norm_key
from .tasks import Tasks
from . import accounts, logs, push, sensors, settings, update

DEFAULT_HUGE_BODY = 16 << 20
DEFAULT_BOMB = 64 << 20


class Emulator:
    """Glue between the HTTP layer and the Redfish service."""

    def __init__(self, mockup, users, max_sessions, session_timeout, dialect,
                 location_style, cert_users, fault_specs, state_file, log_file, scheme):
        self.lock = threading.RLock()
        self.tree = Tree(mockup)
        self.errors = Errors(Registries(self.tree), dialect)
        self.sessions = Sessions(users, max_sessions, session_timeout,
                                 "/redfish/v1/SessionService/Sessions/")
        self.service = Service(self.tree, self.sessions, self.errors, location_style,
                               cert_users, scheme)
        self.faults = Faults(fault_specs)
        self.latency = Latency("")  # cli.py sets --latency
        self.service.extensions.append(EtagRace(self.faults))
        self.state = State(self.lock, self.sessions, state_file, log_file)
        self.certs = Certs(self)
        self.service.extensions.append(self.certs)
        self.service.cert_user_hook = self.certs.cert_user

    def install_extensions(self, args):
        """Feature modules configured by command-line options (argparse namespace)."""
        self.reset = Reset(self, args.reset_seconds, args.reset_command)
        self.service.extensions.append(self.reset)
        self.service.query = QueryOptions(args.query_features, args.unsupported_query,
                                          args.query_advertise_only)
        self.service.query.install(self.tree)
        tasks = Tasks(self.state, args.task_action, args.task_seconds, args.task_fail)
        update.install(self, tasks, args)
        self.service.extensions.append(tasks)
        logs.install(self, args)
        push.install(self, args)
        sensors.install(self, args)
        accounts.install(self, args)
        settings.install(self)

    def streams(self, method, path):
        """Whether an extension consumes this request's body itself, as it arrives."""
        key = norm_key(path)
        with self.lock:
            return any(getattr(ext, "streams", None) and ext.streams(method, key)
                       for ext in self.service.extensions)

    def complete(self, resp, body):
        """Run a response's body consumer (resp.consume), outside the lock; body is a
        BodyReader or bytes.  A body nobody consumed is drained (bounded by its length)."""
        if not isinstance(body, BodyReader):
            body = BodyReader.of_bytes(body or b"")
        consume = getattr(resp, "consume", None)
        if consume is not None:
            try:
                resp = consume(body)
            except Exception:  # a bug must not kill the connection thread silently
                traceback.print_exc(file=sys.stderr)
                resp = self.error_response(500, "InternalError")
        body.drain()
        return resp

    def plan(self, method, path):
        with self.lock:
            return self.faults.plan(method, path)

    def handle(self, req):
        """Answer one request; never raises."""
        with self.lock:
            try:
                return self.service.handle(req)
            except ApiError as exc:
                return self.service.error(exc)
            except Exception:  # a bug must not kill the connection thread silently
                traceback.print_exc(file=sys.stderr)
                return self.service.error(ApiError(500, "InternalError"))

    def error_response(self, status, message_id="GeneralError", args=(), headers=None):
        with self.lock:
            return self.service.error(ApiError(status, message_id, args, headers))

    def fault_response(self, fault, path):
        """The answer of an answer-replacing fault (not drop/truncate)."""
        kind = fault.kind
        if kind == "unavailable":
            secs = fault.params.get("retry_after", 1)
            return self.error_response(503, "ServiceTemporarilyUnavailable", [secs],
                                       [("Retry-After", str(secs))])
        if kind == "error":
            status = fault.params.get("status", 500)
            if not 400 <= status <= 599:
                status = 500
            return self.error_response(status)
        if kind == "control-chars":
            status = fault.params.get("status", 400)
            evil = "\x1b[31mred\x1b[0m \x1b]0;owned\x07 \u009b2J"
            if status >= 400:
                body = {"error": {"code": "Base.1.4.GeneralError", "message": evil,
                                  "@Message.ExtendedInfo": [{
                                      "MessageId": "Base.1.4.PropertyValueNotInList",
                                      "Message": "Message " + evil,
                                      "MessageArgs": [evil, "Name"],
                                      "Severity": "Warning",
                                      "Resolution": "Resolution " + evil}]}}
                ctype = None
            else:
                body = ("plain " + evil + "\n").encode("utf-8")
                ctype = "text/plain"
            # latin-1 on the wire: the reason phrase carries ESC and a raw 0x9b
            return Response(status, body, [("X-Hostile", "\x1b[2J" + "\u009b" + "2J")], ctype,
                            reason="Bad \x1b[2J\u009b2J Request")
        if kind == "redirect":
            # to= a path or an absolute URL (another host, to test that clients refuse it)
            status = fault.params.get("status", 301)
            if status not in (301, 302, 303, 307, 308):
                status = 301
            resp = Response(status, b"")
            resp.headers.append(("Location", fault.params.get("to", "/redfish/v1/")))
            return resp
        if kind == "malformed":
            return Response(200, b'{"@odata.id": "' + path.encode("utf-8", "replace") + b'", "Name": <<<')
        if kind == "gzip-bomb":
            with self.lock:
                data = self.faults.gzip_bomb(fault.params.get("size", DEFAULT_BOMB))
            resp = Response(200, data)
            resp.headers.append(("Content-Encoding", "gzip"))
            return resp
        return Response(200, huge_body(fault.params.get("bytes", DEFAULT_HUGE_BODY), path,
                                       fault.params.get("random", 0)))

    def answered(self):
        """An answer has been sent (HTTPS or CHIF): a reset it announced may start."""
        reset = getattr(self, "reset", None)
        if reset is not None:
            reset.answered()

    def finish(self, method, path, status, rid=None):
        """Record a request and rewrite the state file (before the answer is sent)."""
        self.state.record(method, path, status, rid)
        reset = getattr(self, "reset", None)
        if reset is not None:
            with self.lock:
                reset.note(method, path, status)
        self.state.write()

    def reap(self):
        """Expire idle sessions; rewrite the state file if any went."""
        with self.lock:
            gone = self.sessions.expire()
        if gone:
            self.state.write()


class BodyReader:
    """A request body of known length read on demand (never more than length)."""

    def __init__(self, rfile, length):
        self.rfile = rfile
        self.left = length
        self.length = length

    @classmethod
    def of_bytes(cls, data):
        import io
        return cls(io.BytesIO(data), len(data))

    def read(self, n):
        if self.left <= 0:
            return b""
        data = self.rfile.read(min(n, self.left))
        if not data:
            raise ConnectionError("client closed during body")
        self.left -= len(data)
        return data

    def drain(self):
        while self.left > 0:
            self.read(1 << 16)
