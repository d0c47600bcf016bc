# SPDX-License-Identifier: MIT
"""Fault injection: --fault KIND[:key=value,...] parsing, matching and fault bodies."""

import json
import random as _random
import zlib

KINDS = {
    # kind: (default count, allowed own keys)
    "latency": (0, {"ms"}),
    # the request is carried out at once, its answer held back ms (a BMC slow to answer a
    # login it has already granted: the session exists before the client sees the token)
    "answer-delay": (0, {"ms"}),
    # the request waits (at most 60 s) until the file named by gate exists: a test holds a
    # request on the BMC for exactly as long as it needs, with no time window to miss
    "hold": (0, {"gate"}),
    # the request is carried out at once, its answer held back until the gate file exists
    # (at most 60 s): a login the BMC granted while the client still waits for the token
    "answer-hold": (0, {"gate"}),
    "drop": (1, set()),
    "unavailable": (1, {"retry_after"}),
    "truncate": (1, set()),
    "malformed": (1, set()),
    "gzip-bomb": (1, {"size"}),
    "huge-header": (1, {"bytes"}),
    "huge-body": (1, {"bytes", "random"}),  # random=1: incompressible filler
    "redirect": (1, {"to", "status"}),
    # the answer is a Redfish error with this status (400-599; invented for tests: a BMC
    # that refuses one request, a 405 for a DELETE, say)
    "error": (1, {"status"}),
    # terminal control sequences (ESC, BEL, the C1 CSI U+009B) in the reason phrase, a header
    # and the body: a Redfish error's Message, Resolution and MessageArgs for a status of 400
    # and above, else a text/plain body (invented: a hostile or broken BMC)
    "control-chars": (1, {"status"}),
    # CHIF channel faults (only the CHIF socket sees them; blob operations match the path
    # /chif/<create|write|finalize|info|read|delete|list|security> and the method CHIF,
    # REST packets the method and path of the HTTP request they carry)
    "chif-seq": (1, set()),       # a reply with the wrong sequence number
    "chif-fail": (1, set()),      # the exchange fails (EIO)
    "chif-reset": (1, set()),     # BMC reset: every open channel fails until reopened
    "chif-badparam": (1, set()),  # the operation answers error code 2 (bad parameter)
    "chif-notfound": (1, set()),  # the operation answers error code 12 (not found)
    # each matching packet is answered ms late (invented: a slow iLO; every packet of a blob
    # transfer within the client's timeout, their sum beyond it)
    "chif-latency": (0, {"ms"}),
    # another client writes the resource just before this PATCH/PUT with If-Match arrives:
    # its ETag changes, so the If-Match no longer matches (412) (iloemu/races.py)
    "etag-race": (1, set()),
    # the answer carries "Cache-Control: no-store" (invented: HPE does not say which answers of
    # iLO, if any, forbid storing; iLO 6 was seen to send "no-cache" on a GET): a cache in
    # front of the BMC must not keep it
    "no-store": (0, set()),
}
CHIF_KINDS = {"chif-seq", "chif-fail", "chif-reset", "chif-badparam", "chif-notfound",
              "chif-latency"}
# Faults a feature module fires itself (Faults.take_hook), not the HTTP layer.
HOOK_KINDS = {"etag-race"}
COMMON = {"path", "method", "count", "after"}
# Faults that replace the answer (at most one fires per request).
ANSWER_KINDS = {"drop", "unavailable", "truncate", "malformed", "gzip-bomb", "huge-body",
                "redirect", "error", "control-chars"}
# Answer-replacing faults whose answer App.fault_response() makes (drop and truncate act on
# the connection instead).
RESPONSE_KINDS = ("unavailable", "malformed", "gzip-bomb", "huge-body", "redirect", "error",
                  "control-chars")
INT_KEYS = {"ms", "retry_after", "size", "bytes", "count", "after", "status", "random"}


class Fault:
    """One configured fault with its firing counters."""

    def __init__(self, spec):
        kind, _, rest = spec.partition(":")
        kind = kind.strip()
        if kind not in KINDS:
            raise ValueError("unknown fault kind %r" % kind)
        default_count, own = KINDS[kind]
        self.kind = kind
        self.params = {}
        self.path = None
        self.method = None
        self.count = default_count
        self.after = 0
        for item in filter(None, (p.strip() for p in rest.split(","))):
            key, eq, value = item.partition("=")
            if not eq or key not in own | COMMON:
                raise ValueError("bad fault option %r for %s" % (item, kind))
            if key in INT_KEYS:
                try:
                    value = int(value)
                except ValueError:
                    raise ValueError("fault option %s needs an integer" % key) from None
                if value < 0:
                    raise ValueError("fault option %s must be >= 0" % key)
            if key == "path":
                self.path = value
            elif key == "method":
                self.method = value.upper()
            elif key == "count":
                self.count = value
            elif key == "after":
                self.after = value
            else:
                self.params[key] = value
        self.seen = 0
        self.fired = 0

    def matches(self, method, path):
        if self.method and self.method != method:
            return False
        return not self.path or path.startswith(self.path)

    def take(self):
        """Called for a matching request: True if the fault fires now."""
        self.seen += 1
        if self.seen <= self.after:
            return False
        if self.count and self.fired >= self.count:
            return False
        self.fired += 1
        return True


class Plan:
    """What the faults do to one request."""

    def __init__(self):
        self.delay_ms = 0
        self.answer_delay_ms = 0
        self.gates = []          # files whose existence releases the request
        self.answer_gates = []   # ... releases the answer of a request carried out
        self.answer = None       # a Fault of ANSWER_KINDS or None
        self.header_bytes = None
        self.headers = []        # extra answer headers (name, value)


class Faults:
    """All faults. plan() must be called under the emulator lock."""

    def __init__(self, specs):
        self.faults = [Fault(s) for s in specs]
        self._bombs = {}

    def plan(self, method, path):
        plan = Plan()
        for fault in self.faults:
            if fault.kind in CHIF_KINDS or fault.kind in HOOK_KINDS or \
                    not fault.matches(method, path):
                continue
            if fault.kind in ANSWER_KINDS and plan.answer is not None:
                continue
            if not fault.take():
                continue
            if fault.kind == "latency":
                plan.delay_ms += fault.params.get("ms", 0)
            elif fault.kind == "answer-delay":
                plan.answer_delay_ms += fault.params.get("ms", 0)
            elif fault.kind == "hold":
                plan.gates.append(fault.params.get("gate", ""))
            elif fault.kind == "answer-hold":
                plan.answer_gates.append(fault.params.get("gate", ""))
            elif fault.kind == "no-store":
                plan.headers.append(("Cache-Control", "no-store"))
            elif fault.kind == "huge-header":
                plan.header_bytes = fault.params.get("bytes", 65536)
            else:
                plan.answer = fault
        return plan

    def plan_chif(self, method, path):
        """The CHIF fault that fires for one channel packet (kind, ms of latency), or None."""
        for fault in self.faults:
            if fault.kind in CHIF_KINDS and fault.matches(method, path) and fault.take():
                return fault.kind, fault.params.get("ms", 0)
        return None, 0

    def take_hook(self, kind, method, path):
        """True if a configured fault of this hook kind fires for the request now."""
        for fault in self.faults:
            if fault.kind == kind and fault.matches(method, path) and fault.take():
                return True
        return False

    def gzip_bomb(self, size):
        """Gzip data that inflates to size bytes of '{' (cached)."""
        if size not in self._bombs:
            comp = zlib.compressobj(9, zlib.DEFLATED, 31)
            chunk = b"{" * (1 << 20)
            parts = []
            left = size
            while left > 0:
                n = min(left, len(chunk))
                parts.append(comp.compress(chunk[:n]))
                left -= n
            parts.append(comp.flush())
            self._bombs[size] = b"".join(parts)
        return self._bombs[size]


def huge_body(size, path, random=0):
    """A valid JSON object of exactly size bytes (at least the minimal object).

    random: the filler is incompressible (letters and digits from a fixed seed), so that
    gzip cannot shrink the answer (CHIF tests need answers that stay large)."""
    head = json.dumps({"@odata.id": path, "Filler": ""})
    pad = max(0, size - len(head.encode()))
    if random:
        rng = _random.Random(size)
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        filler = "".join(rng.choice(alphabet) for _ in range(pad))
    else:
        filler = "x" * pad
    return (head[:-2] + filler + '"}').encode()


def huge_header(size):
    """One header (name, value) whose line 'Name: value' is size bytes long."""
    name = "X-Emulator-Filler"
    return name, "h" * max(1, size - len(name) - 2)
