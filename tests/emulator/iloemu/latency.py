# SPDX-License-Identifier: MIT
"""Latency model: --latency get=150ms,post=400ms,patch=400ms,delete=200ms,session=1s.

Every request over HTTPS waits, before the emulator carries it out, as long as a real iLO
takes to answer a request of its kind.  The wait holds no lock: other connections proceed at
the same time, as on a BMC serving several connections.

Kinds: get (and head, unless given), post, patch (and put, unless given), delete, and session:
a login (POST to the session collection), usually the slowest request of an iLO.  A kind not
given takes no time.  Values: a number with ms or s ("150ms", "1s", "0.4s"); a bare number is
milliseconds.

The values of DEFAULT are chosen, not measured on an iLO 5: the only published per-request
time found is one GET of /redfish/v1/Chassis/1/Power/ on an iLO 6 (DL360 Gen11) answered in
39 ms (bb-Ricardo/check_redfish issue 178, its debug log); an iLO 5 under load, and the
logins that derive a session key, are known to be much slower, but nobody publishes numbers.
So the default model is a slow-ish iLO 5 as users describe it: 150 ms a GET, 400 ms a POST or
PATCH, 200 ms a DELETE, 1 s a login.
"""

import re

DEFAULT = "get=150ms,post=400ms,patch=400ms,delete=200ms,session=1s"
KINDS = ("get", "head", "post", "patch", "put", "delete", "session")
SESSIONS = "/redfish/v1/sessionservice/sessions"


def parse_duration(text):
    """'150ms', '1s', '0.4s', '150' (ms) -> seconds (float)."""
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s)?\s*", text)
    if not m:
        raise ValueError("bad duration %r (expected e.g. 150ms or 1s)" % text)
    value = float(m.group(1))
    seconds = value if m.group(2) == "s" else value / 1000.0
    if seconds > 60:
        raise ValueError("duration %r is over 60 s" % text)
    return seconds


class Latency:
    """Per-kind delays in seconds."""

    def __init__(self, spec):
        self.delays = {}
        if spec == "default":
            spec = DEFAULT
        for item in filter(None, (p.strip() for p in (spec or "").split(","))):
            kind, eq, value = item.partition("=")
            kind = kind.strip().lower()
            if not eq or kind not in KINDS:
                raise ValueError("bad latency item %r (kinds: %s)" % (item, ", ".join(KINDS)))
            self.delays[kind] = parse_duration(value)
        self.delays.setdefault("head", self.delays.get("get", 0.0))
        self.delays.setdefault("put", self.delays.get("patch", 0.0))

    def __bool__(self):
        return any(self.delays.values())

    def describe(self):
        return ",".join("%s=%gms" % (k, self.delays[k] * 1000) for k in KINDS
                        if self.delays.get(k))

    def delay(self, method, path):
        """Seconds the request waits before it is carried out."""
        method = method.upper()
        if method == "POST" and "session" in self.delays:
            key = path.split("?", 1)[0].lower().rstrip("/")
            if key == SESSIONS:
                return self.delays["session"]
        return self.delays.get(method.lower(), 0.0)
