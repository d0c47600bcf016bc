# SPDX-License-Identifier: MIT
"""The BMC's IPMI system interface, for DSP0270 1.3 credential bootstrapping only.

"Get Bootstrap Account Credentials": NetFn 2Ch (group extension), command 02h, request data
52h and the "disable credential bootstrapping control" byte (A5h keeps bootstrapping enabled,
anything else disables it once the command completes).  Each successful call creates a new
account that can log in over the host interface (here: a user of the Redfish service) and
answers 00h, 52h, the user name and the password (16 bytes each, NUL padded).  Completion code
80h: credential bootstrapping is disabled.

Not in DSP0270, invented for tests:
- the account limit (--bootstrap-limit N): DSP0270 lets a service bound its bootstrap accounts
  but names no completion code of its own for "no more accounts"; the one code it defines for
  this command, 80h (bootstrapping unavailable), is what the emulator answers once N accounts
  are alive;
- the transport: the test shim tests/emulator/ipmi/ipmi-emu.c (LD_PRELOAD) carries the ioctl()s
  on /dev/ipmi0 (a fixture's file, through tests/shim) to this Unix socket, one exchange per
  connection:
      request  kind(1) ...    kind 0: netfn(1) cmd(1) len(1) data[len]
                              kind 1: len(1) control command (ASCII)
      answer   len(1) data[len]   (kind 0: completion code first; kind 1: "ok" or an error)
- the control commands, for tests: "forget-bootstrap" deletes every bootstrap account and
  its sessions (as an administrator or a BMC reset might), "disable" and "enable" switch
  bootstrapping.
"""

import secrets
import string

from .unixserver import UnixServer

NETFN_GROUP_EXT = 0x2C
CMD_GET_BOOTSTRAP_CREDS = 0x02
GROUP_REDFISH = 0x52
KEEP_ENABLED = 0xA5
CC_OK = 0x00
CC_BOOTSTRAP_DISABLED = 0x80
CC_INVALID_COMMAND = 0xC1      # IPMI 2.0 generic completion codes
CC_REQ_DATA_LEN = 0xC7
CC_INVALID_FIELD = 0xCC
FIELD = 16
# printable, no space, no ':' (unusable with HTTP Basic), no quotes
_ALPHABET = string.ascii_letters + string.digits + "!#$%&()*+,-./;<=>?@[]^_{|}~"


def _recv_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("short IPMI request")
        data += chunk
    return data


class Bootstrap:
    """Bootstrap accounts. Callers hold the emulator lock."""

    def __init__(self, sessions, limit, role="Administrator"):
        self.sessions = sessions
        self.limit = limit
        self.role = role
        self.enabled = True
        self.created = 0
        self.refused = 0
        self.requests = 0
        self.live = []          # user names of the live bootstrap accounts

    def get_credentials(self, data):
        """Answer Get Bootstrap Account Credentials (data: the request data bytes)."""
        self.requests += 1
        if len(data) != 2:
            return bytes([CC_REQ_DATA_LEN])
        if data[0] != GROUP_REDFISH:
            return bytes([CC_INVALID_FIELD])
        if not self.enabled or len(self.live) >= self.limit:
            self.refused += 1
            return bytes([CC_BOOTSTRAP_DISABLED])
        self.created += 1
        user = "HostBoot%d" % self.created
        password = "".join(secrets.choice(_ALPHABET) for _ in range(FIELD))
        self.sessions.users[user] = (password, self.role)
        self.live.append(user)
        if data[1] != KEEP_ENABLED:
            self.enabled = False
        return (bytes([CC_OK, GROUP_REDFISH]) + user.encode().ljust(FIELD, b"\0") +
                password.encode().ljust(FIELD, b"\0"))

    def forget(self):
        """Delete every bootstrap account and its sessions."""
        for user in self.live:
            self.sessions.users.pop(user, None)
            for token in [t for t, s in self.sessions.by_token.items() if s.user == user]:
                del self.sessions.by_token[token]
                self.sessions.deleted += 1
        self.live = []

    def snapshot(self):
        return {"enabled": self.enabled, "limit": self.limit, "created": self.created,
                "live": list(self.live), "refused": self.refused, "requests": self.requests}


class IpmiServer(UnixServer):
    """Unix-socket server for the IPMI shim: one exchange per connection."""

    thread_name = "ipmi"

    def __init__(self, path, app, limit):
        UnixServer.__init__(self, path, 16)
        self.app = app
        self.bootstrap = Bootstrap(app.sessions, limit)
        app.state.extras["bootstrap"] = self.bootstrap.snapshot

    def serve_conn(self, conn):
        with conn:
            try:
                kind = _recv_exact(conn, 1)[0]
                if kind == 0:
                    netfn, cmd, n = _recv_exact(conn, 3)
                    answer = self.message(netfn, cmd, _recv_exact(conn, n))
                else:
                    n = _recv_exact(conn, 1)[0]
                    answer = self.control(_recv_exact(conn, n).decode("ascii", "replace"))
                # the state file is written before the answer: a test reads it after
                self.app.state.write()
                conn.sendall(bytes([len(answer)]) + answer)
            except (OSError, ConnectionError):
                pass

    def message(self, netfn, cmd, data):
        with self.app.lock:
            if netfn == NETFN_GROUP_EXT and cmd == CMD_GET_BOOTSTRAP_CREDS:
                return self.bootstrap.get_credentials(data)
            return bytes([CC_INVALID_COMMAND])

    def control(self, command):
        with self.app.lock:
            if command == "forget-bootstrap":
                self.bootstrap.forget()
            elif command in ("disable", "enable"):
                self.bootstrap.enabled = command == "enable"
            else:
                return b"unknown control command"
        return b"ok"
