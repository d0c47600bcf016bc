# SPDX-License-Identifier: MIT
"""Manager.Reset, and the outage every iLO reset is: the whole BMC vanishes for a while.

HPE documents that an iLO resets itself on #Manager.Reset (ResetType GracefulRestart or
ForceRestart; iLO 6 treats both as ForceRestart), after an iLO firmware flash, an HTTPS
certificate import and a security-state change.  It answers the request first (200 with
iLO.2.x.ResetInProgress), then goes away; when it returns, every session is gone, every CHIF
channel opened before the reset answers ENODEV until it is closed and created again, and the
host interface's vNIC (cdc_eem) has disappeared and come back.

Here (--reset-seconds N, default 3):
- the outage starts once the answer that caused it has been sent (a real iLO takes a few
  seconds more: invented detail, so that tests need no sleep), and lasts N seconds;
- HTTPS: the listening socket is closed (connections are refused) and every open connection
  is shut down; afterwards the same address is listened on again;
- CHIF: every channel is dead (ENODEV) for good, and channels created during the outage are
  dead too (the driver finds no iLO); channels created afterwards work;
- sessions: all deleted at the start (counted in "sessions_reset"), volatile blobs too;
- --reset-command CMD: run "CMD down" at the start and "CMD up" at the end of the outage (the
  host-interface test removes and re-creates its veth there), waited for;
- what changes across the reset (a new HTTPS certificate, new firmware) is applied while the
  BMC is gone: start(apply=...) takes a callable for it.
State file: "reset": {"resets", "down", "sessions_reset", "last_reason", "back_at" (when the BMC
last came back, time.monotonic()), "manager_ok_at" (the first 2xx GET of the manager after)}.
"""

import socket
import subprocess
import threading
import time

from .errors import ApiError
from .service import Response, parse_json_object

MANAGER_RESET = "/redfish/v1/Managers/1/Actions/Manager.Reset"
MANAGER = "/redfish/v1/Managers/1"
HOOK_TIMEOUT = 30


class Reset:
    """The outage machinery and the Manager.Reset action (a service extension)."""

    def __init__(self, app, seconds, command=None):
        self.app = app
        self.seconds = seconds
        self.command = command
        self.down = False
        self.resets = 0
        self.sessions_reset = 0
        self.last_reason = None
        self.pending = None  # (reason, apply) of a reset to start after the current answer
        # time.monotonic() (CLOCK_MONOTONIC, as the client's) when the BMC last came back, and
        # when the manager was first read with success after that (tests/bench/reset-bench.sh)
        self.back_at = None
        self.manager_ok_at = None
        self.http = None  # the EmulatorServer
        self.chif = None  # the ChifServer, or None
        self.http_conns = set()
        self.serving = None  # the thread running http.serve_forever
        self.ilo = app.errors.registries.version_prefix("iLO", "iLO.2.14")
        app.state.extras["reset"] = self.snapshot

    def snapshot(self):
        return {"resets": self.resets, "down": self.down, "sessions_reset": self.sessions_reset,
                "last_reason": self.last_reason, "back_at": self.back_at,
                "manager_ok_at": self.manager_ok_at}

    def note(self, method, path, status):
        """A request was answered (emulator.finish): the first manager read after a return."""
        if self.back_at is not None and self.manager_ok_at is None and method == "GET" and \
                200 <= status < 300 and path.split("?")[0].rstrip("/") == MANAGER:
            self.manager_ok_at = time.monotonic()

    def attach(self, http, chif, serving):
        self.http, self.chif, self.serving = http, chif, serving

    # ---- HTTP connections (server.py) --------------------------------
    def conn_opened(self, sock):
        with self.app.lock:
            self.http_conns.add(sock)

    def conn_closed(self, sock):
        with self.app.lock:
            self.http_conns.discard(sock)

    # ---- the outage --------------------------------------------------
    def request(self, reason, apply=None):
        """Reset once the answer being built has been sent (emulator lock held)."""
        self.pending = (reason, apply)

    def answered(self):
        """An answer went out: start the outage it asked for, if any."""
        with self.app.lock:
            pending, self.pending = self.pending, None
            if pending is None or self.down:
                return
            self.down = True
        threading.Thread(target=self._outage, args=pending, name="reset", daemon=True).start()

    def start(self, reason, apply=None):
        """Reset now (for feature modules: after an iLO firmware flash, for instance)."""
        with self.app.lock:
            self.pending = (reason, apply)
        self.answered()

    def _hook(self, what):
        if not self.command:
            return
        try:
            subprocess.run([self.command, what], timeout=HOOK_TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            print("ilo-emulator: --reset-command %s: %s" % (what, exc))

    def _vanish(self, reason):
        app = self.app
        with app.lock:
            self.resets += 1
            self.last_reason = reason
            # a reset is not a client's DELETE: counted apart from sessions_deleted
            self.sessions_reset += len(app.sessions.by_token)
            app.sessions.by_token.clear()
            if self.chif is not None:
                self.chif.reset()
            conns = list(self.http_conns)
        if self.http is not None:
            self.http.shutdown()  # serve_forever returns: nothing accepts any more
            self.http.socket.close()  # connections are refused
            for sock in conns:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        app.state.write()

    def _return(self):
        if self.http is not None:
            http = self.http
            sock = socket.socket(http.address_family, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if http.address_family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            for _ in range(100):  # the old socket's port may take a moment to be free
                try:
                    sock.bind(http.server_address[:2])
                    break
                except OSError:
                    time.sleep(0.05)
            sock.listen(http.request_queue_size)
            http.socket = sock
            self.serving = threading.Thread(target=http.serve_forever,
                                            kwargs={"poll_interval": 0.1}, name="serve",
                                            daemon=True)
            self.serving.start()
        with self.app.lock:
            self.down = False
            self.back_at = time.monotonic()
            self.manager_ok_at = None
        self.app.state.write()

    def _outage(self, reason, apply):
        self._vanish(reason)
        self._hook("down")
        if apply is not None:
            with self.app.lock:
                apply()
        time.sleep(self.seconds)
        self._hook("up")
        self._return()

    # ---- Manager.Reset -----------------------------------------------
    def handle(self, service, req, key, auth):
        if key != MANAGER_RESET or req.method != "POST":
            return None
        body = parse_json_object(req.body)
        mgr = service.tree.get_data(MANAGER) or {}
        action = (mgr.get("Actions") or {}).get("#Manager.Reset") or {}
        allowed = action.get("ResetType@Redfish.AllowableValues") or []
        rtype = body.get("ResetType")
        if rtype is None:
            raise ApiError(400, "ActionParameterMissing", ["Manager.Reset", "ResetType"])
        if not isinstance(rtype, str) or rtype not in allowed:
            raise ApiError(400, self.ilo + ".ActionParameterValueNotInList",
                           [str(rtype), "ResetType"])
        for name in body:
            if name != "ResetType":
                raise ApiError(400, "ActionParameterUnknown", ["Manager.Reset", name])
        self.request("Manager.Reset " + rtype)
        return Response(200, service.errors.body(self.ilo + ".ResetInProgress"))
