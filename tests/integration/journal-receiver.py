#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A stand-in for systemd-journald's native socket, for logs-journal.test.

Binds a datagram socket at PATH and writes every journal entry that arrives as one JSON object
per line to OUT (field name -> value; a field given twice becomes a list).  The native
protocol (systemd's "Native Journal Protocol"): a datagram holds fields, each either
"NAME=value\\n" or "NAME\\n" + the value's length (64-bit little endian) + the value + "\\n";
an entry too big for a datagram comes as an empty datagram carrying a sealed memfd
(SCM_RIGHTS) that holds the same bytes.  READY is created once the socket is bound.
"""

import array
import json
import os
import socket
import struct
import sys


def parse(data):
    fields = {}
    i = 0
    while i < len(data):
        nl = data.index(b"\n", i)
        line = data[i:nl]
        if b"=" in line:
            name, _, value = line.partition(b"=")
            i = nl + 1
        else:
            name = line
            (size,) = struct.unpack_from("<Q", data, nl + 1)
            start = nl + 9
            value = data[start:start + size]
            if data[start + size:start + size + 1] != b"\n":
                raise ValueError("binary field %r not followed by a newline" % name)
            i = start + size + 1
        key = name.decode("ascii")
        text = value.decode("utf-8", "replace")
        if key in fields:
            old = fields[key]
            fields[key] = (old if isinstance(old, list) else [old]) + [text]
        else:
            fields[key] = text
    return fields


def main():
    path, out, ready = sys.argv[1:4]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    os.chmod(path, 0o666)
    with open(ready, "w", encoding="ascii") as fh:
        fh.write("%d\n" % os.getpid())
    with open(out, "a", encoding="utf-8") as fh:
        while True:
            fds = array.array("i")
            data, anc, _flags, _addr = sock.recvmsg(1 << 20, socket.CMSG_SPACE(4 * fds.itemsize))
            for level, kind, payload in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    fds.frombytes(payload[:len(payload) - len(payload) % fds.itemsize])
            for fd in fds:
                with os.fdopen(fd, "rb") as memfd:
                    memfd.seek(0)
                    data += memfd.read()
            try:
                entry = parse(data)
            except (ValueError, struct.error) as exc:
                entry = {"_receiver_error": str(exc)}
            fh.write(json.dumps(entry, sort_keys=True) + "\n")
            fh.flush()


if __name__ == "__main__":
    main()
