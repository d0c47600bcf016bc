# SPDX-License-Identifier: MIT
"""Request/connection counters, request log and the atomically rewritten state file."""

import collections
import json
import os
import threading


class State:
    """Counters shared by all threads. Mutators take the emulator lock themselves."""

    LOG_KEEP = 500

    def __init__(self, lock, sessions, state_file=None, log_file=None):
        self.lock = lock
        self.sessions = sessions
        self.state_file = state_file
        self.requests = 0
        self.by_method = {}
        self.log = collections.deque(maxlen=self.LOG_KEEP)
        # requests being served now: id -> [method, path, phase], phase "running" (received,
        # not carried out yet) or "answering" (carried out, answer not sent yet)
        self.in_progress = {}
        self._next_id = 0
        self.connections = 0
        self.peak_connections = 0
        self.connections_total = 0  # every connection accepted (TLS: every full handshake)
        self.blobs = 0              # CHIF blobs currently stored
        self.blobs_created = 0
        self.channels = 0           # open CHIF channels
        self.peak_channels = 0
        # Feature modules' own state-file entries: name -> callable returning a JSON value,
        # called under the emulator lock.
        self.extras = {}
        self._write_lock = threading.Lock()
        self._seq = 0
        self._written = 0
        self._log_fh = open(log_file, "a", encoding="utf-8", buffering=1) if log_file else None

    def connection_opened(self):
        with self.lock:
            self.connections += 1
            self.connections_total += 1
            self.peak_connections = max(self.peak_connections, self.connections)

    def connection_closed(self):
        with self.lock:
            self.connections -= 1
        self.write()

    def channel_opened(self):
        with self.lock:
            self.channels += 1
            self.peak_channels = max(self.peak_channels, self.channels)
        self.write()

    def channel_closed(self):
        with self.lock:
            self.channels -= 1
        self.write()

    def begin(self, method, path):
        """A request arrived; returns its id for advance() and record()."""
        with self.lock:
            self._next_id += 1
            self.in_progress[self._next_id] = [method, path, "running"]
            return self._next_id

    def advance(self, rid, phase):
        with self.lock:
            if rid in self.in_progress:
                self.in_progress[rid][2] = phase

    def record_gone(self, rid):
        """A request that ended without record() (its connection failed): no longer served."""
        with self.lock:
            self.in_progress.pop(rid, None)

    def record(self, method, path, status, rid=None):
        """Count one request (status 0 = no answer sent)."""
        with self.lock:
            self.in_progress.pop(rid, None)
            self.requests += 1
            self.by_method[method] = self.by_method.get(method, 0) + 1
            self.log.append([method, path, status])
            if self._log_fh is not None:
                try:
                    self._log_fh.write("%s %s %d\n" % (method, path, status))
                except (OSError, ValueError):
                    pass

    def snapshot(self):
        with self.lock:
            self._seq += 1
            snap = {
                "_seq": self._seq,
                "requests": self.requests,
                "requests_by_method": dict(self.by_method),
                "open_sessions": len(self.sessions.by_token),
                "sessions": self.sessions.snapshot(),
                "sessions_created": self.sessions.created,
                "sessions_deleted": self.sessions.deleted,
                "sessions_expired": self.sessions.expired,
                "connections": self.connections,
                "peak_connections": self.peak_connections,
                "connections_total": self.connections_total,
                "blobs": self.blobs,
                "blobs_created": self.blobs_created,
                "channels": self.channels,
                "peak_channels": self.peak_channels,
                "log": list(self.log),
                "in_progress": [list(v) for _, v in sorted(self.in_progress.items())],
            }
            for name, fn in self.extras.items():
                snap[name] = fn()
            return snap

    def write(self, strict=False):
        """Rewrite the state file atomically (tmp file in the same directory + rename).

        Errors are ignored unless strict (used once at start-up)."""
        if not self.state_file:
            return
        snap = self.snapshot()
        seq = snap.pop("_seq")
        with self._write_lock:
            if seq <= self._written:
                return
            self._written = seq
            data = json.dumps(snap, indent=1)
            directory = os.path.dirname(os.path.abspath(self.state_file))
            tmp = os.path.join(directory, ".%s.%d.tmp" % (os.path.basename(self.state_file), os.getpid()))
            try:
                with open(tmp, "w", encoding="utf-8") as fh:
                    fh.write(data)
                os.replace(tmp, self.state_file)
            except OSError:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                if strict:
                    raise

    def close(self):
        if self._log_fh is not None:
            self._log_fh.close()
            self._log_fh = None
