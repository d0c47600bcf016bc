#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regenerate the seed corpora of fuzz-client and fuzz-chif from the emulator's answers.

    tests/fuzz/make-seeds.py [OUTDIR]     (default: tests/fuzz/corpus next to this script)

Starts tests/emulator/ilo-emulator on a loopback port (plain HTTP, port 0), sends it the
requests the targets' scripts make, as raw HTTP/1.1, and writes the answers byte for byte
in each target's input format (see fuzz-client.c and fuzz-chif.c).  Some answers are
re-framed as chunked, some fetched gzip-encoded, some come from the emulator's --fault
switches (503 + Retry-After, redirects, a gzip bomb, malformed JSON, a deleted session).
The output is deterministic apart from the emulator's tokens and dates.
"""

import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
EMULATOR = os.path.join(TOP, "tests", "emulator", "ilo-emulator")
VERSION = "0.1.0"  # PACKAGE_VERSION: only the CHIF seeds' request sizes depend on it
SEP = b"\n@@\n"
LOGIN = b'{"UserName":"admin","Password":"fuzz-Pa55word"}'


class Emulator:
    def __init__(self, *args):
        self.dir = tempfile.mkdtemp(prefix="hf-seeds-")
        portfile = os.path.join(self.dir, "port")
        self.proc = subprocess.Popen(
            [sys.executable, EMULATOR, "--listen", "127.0.0.1:0", "--port-file", portfile,
             "--user", "admin:fuzz-Pa55word"] + list(args),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            if os.path.exists(portfile):
                break
            time.sleep(0.05)
        with open(portfile) as fh:
            self.port = int(fh.read())
        self.token = None

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        for name in os.listdir(self.dir):
            os.unlink(os.path.join(self.dir, name))
        os.rmdir(self.dir)

    def raw(self, method, path, body=b"", gzip=False, auth=True, extra=()):
        """One request on a fresh connection; the raw answer as received."""
        lines = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1",
                 "Accept: application/json", "OData-Version: 4.0", "Connection: close"]
        if gzip:
            lines.append("Accept-Encoding: gzip")
        if auth and self.token:
            lines.append("X-Auth-Token: " + self.token)
        if body or method in ("POST", "PATCH"):
            lines.append("Content-Type: application/json")
            lines.append("Content-Length: %d" % len(body))
        lines.extend(extra)
        req = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        with socket.create_connection(("127.0.0.1", self.port)) as s:
            s.sendall(req)
            out = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        # absolute Locations name the fuzz targets' BMC (the header section only: the
        # body's length must not change)
        head, sep, rest = out.partition(b"\r\n\r\n")
        out = head.replace(b"http://127.0.0.1:%d" % self.port,
                           b"https://bmc.fuzz.invalid") + sep + rest
        if method == "POST" and path.endswith("/Sessions/"):
            for line in out.split(b"\r\n"):
                if line.lower().startswith(b"x-auth-token:"):
                    self.token = line.split(b":", 1)[1].strip().decode()
        return out


def chunked(answer, size=37):
    """The same answer with its body re-framed as chunks (Content-Length dropped)."""
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = [l for l in head.split(b"\r\n") if not l.lower().startswith(b"content-length:")]
    lines = [l for l in lines if not l.lower().startswith(b"connection:")]
    lines.append(b"Transfer-Encoding: chunked")
    out = b"\r\n".join(lines) + b"\r\n\r\n"
    for i in range(0, len(body), size):
        part = body[i:i + size]
        out += b"%x;ext=1\r\n" % len(part) + part + b"\r\n"
    return out + b"0\r\nX-Trailer: t\r\n\r\n"


def login(emu, gzip=False):
    """The client's login: the service root for Links.Sessions, then the POST."""
    emu.token = None
    return [emu.raw("GET", "/redfish/v1/", gzip=gzip, auth=False),
            emu.raw("POST", "/redfish/v1/SessionService/Sessions/", LOGIN, gzip=gzip)]


def script(emu, gzip=False):
    """The rest of fuzz-client's script, in its order."""
    return [emu.raw("GET", "/redfish/v1/", gzip=gzip),
            emu.raw("GET", "/redfish/v1/Systems/1", gzip=gzip),
            emu.raw("POST", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset",
                    b'{"ResetType":"On"}', gzip=gzip),
            emu.raw("PATCH", "/redfish/v1/Systems/1", b'{"AssetTag":"fuzz"}', gzip=gzip,
                    extra=['If-Match: W/"1"']),
            emu.raw("HEAD", "/redfish/v1/", gzip=gzip),
            emu.raw("DELETE", "/redfish/v1/EventService/Subscriptions/1", gzip=gzip)]


def logout(emu):
    path = "/redfish/v1/SessionService/Sessions/"
    coll = emu.raw("GET", path)
    import json
    body = json.loads(coll.partition(b"\r\n\r\n")[2])
    mine = [m["@odata.id"] for m in body.get("Members", [])]
    return [emu.raw("DELETE", mine[-1])] if mine else []


def client_seed(options, replies):
    return options.encode() + b"\n" + SEP.join(replies) + SEP


def client_corpus(out):
    seeds = {}
    emu = Emulator()
    try:
        replies = login(emu) + script(emu)
        seeds["session-full"] = client_seed("u", replies + logout(emu))
        replies = login(emu, gzip=True) + script(emu, gzip=True)
        seeds["session-gzip"] = client_seed("u", replies + logout(emu))
        replies = login(emu) + [chunked(r) for r in script(emu)]
        seeds["session-chunked"] = client_seed("u", replies + logout(emu))
        emu.token = None
        seeds["no-auth"] = client_seed("", script(emu))
        # prune: the session collection, then DELETEs of the others
        replies = login(emu)
        others = login(emu)  # a second session, to be pruned
        emu.token = None
        replies = login(emu) + script(emu)
        coll = emu.raw("GET", "/redfish/v1/SessionService/Sessions/")
        seeds["prune"] = client_seed("up", replies + [coll] + logout(emu) + logout(emu))
        del others
        # a resumed session that the BMC no longer knows: 401, re-login, replay
        emu.token = "stale"
        stale = emu.raw("GET", "/redfish/v1/")
        again = login(emu)
        seeds["relogin"] = client_seed("tu", [stale] + again + script(emu) + logout(emu))
        # Basic authentication
        emu.token = None
        basic = emu.raw("GET", "/redfish/v1/Systems/1",
                        extra=["Authorization: Basic YWRtaW46ZnV6ei1QYTU1d29yZA=="])
        seeds["basic"] = client_seed("b", [basic, basic])
        # errors: bad password (both dialects come from the emulator's options)
        emu.token = None
        bad = emu.raw("POST", "/redfish/v1/SessionService/Sessions/",
                      b'{"UserName":"admin","Password":"wrong"}')
        root = emu.raw("GET", "/redfish/v1/", auth=False)
        seeds["login-refused"] = client_seed("u", [root, bad, root, bad])
        missing = emu.raw("GET", "/redfish/v1/Nope", auth=False)
        seeds["not-found"] = client_seed("", [missing] * 6)
    finally:
        emu.stop()
    emu = Emulator("--error-dialect", "dmtf")
    try:
        bad = emu.raw("POST", "/redfish/v1/SessionService/Sessions/",
                      b'{"UserName":"admin","Password":"wrong"}')
        root = emu.raw("GET", "/redfish/v1/", auth=False)
        seeds["login-refused-dmtf"] = client_seed("u", [root, bad])
        replies = login(emu)
        patch = emu.raw("PATCH", "/redfish/v1/Systems/1", b'{"Nope":1}')
        seeds["patch-error-dmtf"] = client_seed("u", replies + [patch] * 6 + logout(emu))
    finally:
        emu.stop()
    faults = {
        "busy-retry": (["--fault", "unavailable:path=/redfish/v1/Systems/1,retry_after=1"],
                       "u2"),
        "redirect": (["--fault", "redirect:path=/redfish/v1/Systems/1,"
                                 "to=/redfish/v1/Systems/1/"], "u1"),
        "gzip-bomb": (["--fault", "gzip-bomb:path=/redfish/v1/Systems/1,size=100000"], "us"),
        "malformed": (["--fault", "malformed:path=/redfish/v1/Systems/1"], "u"),
        "truncated": (["--fault", "truncate:path=/redfish/v1/Systems/1"], "u1"),
    }
    for name, (args, options) in faults.items():
        emu = Emulator(*args)
        try:
            replies = login(emu, gzip=True)
            first = emu.raw("GET", "/redfish/v1/Systems/1", gzip=True)
            replies += [emu.raw("GET", "/redfish/v1/", gzip=True), first]
            replies += script(emu, gzip=True)[1:]
            seeds["fault-" + name] = client_seed(options, replies + logout(emu))
        finally:
            emu.stop()
    # transport failures between good answers
    emu = Emulator()
    try:
        replies = login(emu)
        good = script(emu)
        seeds["transport-errors"] = client_seed(
            "u3", replies + [b"!reset", b"!open", b"!refused", good[0], b"!timeout",
                             b"!proto", good[1], b"!big", good[2], b"!intr"] + good[3:] +
            logout(emu))
    finally:
        emu.stop()
    # debug logging (masking of every message) in a few: it is slow
    for name in ("session-full", "session-chunked", "fault-redirect", "transport-errors",
                 "relogin", "prune"):
        seeds[name] = b"d" + seeds[name]
    write(os.path.join(out, "client"), seeds)


# ---- CHIF: records for fuzz-chif's fake library ----

def record(payload, ctl=0):
    return bytes([ctl]) + struct.pack("<H", len(payload)) + payload


def reply(code=0, extra=b"", at=16):
    pkt = bytearray(max(at, 12))
    struct.pack_into("<HHH", pkt, 0, len(pkt), 0, 0)
    struct.pack_into("<I", pkt, 8, code)
    return bytes(pkt[:at]) + extra


def rest_inline(answer):
    pkt = bytearray(24)
    struct.pack_into("<III", pkt, 8, 0, 0, len(answer))
    return record(bytes(pkt) + answer)


def rest_blob(answer, frag):
    """The answer in a blob: rest reply (mode 1), get_info, reads of frag bytes, delete."""
    pkt = bytearray(24)
    struct.pack_into("<III", pkt, 8, 0, 1, len(answer))
    recs = [record(bytes(pkt)), record(reply(0, struct.pack("<I", len(answer))))]
    for i in range(0, len(answer), frag):
        part = answer[i:i + frag]
        recs.append(record(reply(0, struct.pack("<I", len(part)) + part)))
    recs.append(record(reply(0)))  # delete of the answer's blob
    return recs


def request_len(method, path, body=b""):
    headers = ["Accept: application/json", "Accept-Encoding: gzip", "OData-Version: 4.0",
               "User-Agent: hostfish/" + VERSION]
    if body:
        headers.append("Content-Type: application/json")
    text = "%s %s HTTP/1.1\r\nHost: \r\n" % (method, path) + "".join(
        h + "\r\n" for h in headers) + "Connection: Keep-Alive\r\n"
    if body or method in ("POST", "PUT", "PATCH"):
        text += "Content-Length: %d\r\n" % len(body)
    return len(text) + 2 + len(body)


def chif_answer(recs_for_answer, method, path, body, small):
    """Records for one request: inline or blob request, then the answer's records."""
    recs = []
    n = request_len(method, path, body)
    if small and not (n < 76 + 128 and 76 + n <= 256):
        frag = 128 - 80
        recs.append(record(reply(0)))  # create
        recs += [record(reply(0))] * ((n + frag - 1) // frag)  # write fragments
        recs.append(record(reply(0)))  # finalize
        tail = [record(reply(0))]  # delete of the request's blob
    else:
        tail = []
    return recs, tail


def chif_corpus(out):
    seeds = {}
    emu = Emulator()
    try:
        # CHIF in Production needs no credentials: answers as an authorised client sees them
        login(emu)
        root = emu.raw("GET", "/redfish/v1/", gzip=True)
        system = emu.raw("GET", "/redfish/v1/Systems/1", gzip=True)
        patch = emu.raw("PATCH", "/redfish/v1/Systems/1", b'{"AssetTag":"fuzz"}')
        plain_root = emu.raw("GET", "/redfish/v1/")
        system_plain = emu.raw("GET", "/redfish/v1/Systems/1")
    finally:
        emu.stop()
    body = b'{"AssetTag":"fuzz"}'
    for small, prefix in ((False, b"\x01"), (True, b"\x00")):
        frag = (128 if small else 4096) - 80
        inline_max = (256 if small else 8192) - 24
        recs = []
        for (method, path, b, answer) in (("GET", "/redfish/v1/", b"", root),
                                          ("GET", "/redfish/v1/Systems/1", b"", system),
                                          ("PATCH", "/redfish/v1/Systems/1", body, patch)):
            pre, tail = chif_answer(None, method, path, b, small)
            recs += pre
            if len(answer) <= inline_max:
                recs.append(rest_inline(answer))
            else:
                recs += rest_blob(answer, frag)
            recs += tail
        name = "small" if small else "large"
        seeds[name] = prefix + b"\x00" + b"".join(recs)
        # sequence mismatches, failed exchanges and a channel reset before the answers
        noise = [record(reply(0), ctl=4), record(b"", ctl=2), record(b"", ctl=3)]
        seeds[name + "-noise"] = prefix + b"\x10" + b"".join(noise + recs)
    # security states: refused credentials (state query answered), then no credentials
    state = bytearray(80)
    state[72] = 4
    seeds["refused-creds"] = b"\x01\x07" + record(bytes(state))
    seeds["needs-creds"] = b"\x01\x01" + record(bytes(state))
    # blobstore errors on the REST packet and in the blob read
    seeds["blob-errors"] = (b"\x01\x00" + record(reply(12, b"", 24)) +
                            record(reply(2, b"", 24)) +
                            b"".join(rest_blob(plain_root, 4016)[:2]) +
                            record(reply(2)) + record(reply(0, struct.pack("<I", 0))))
    # custom sizes: the large profile spelled out (accepted), then an inconsistent one
    sizes = (8192, 4096, 4096, 72, 80, 80, 76, 104, 24, 16, 16)
    seeds["sizes-custom"] = (b"\x02" + struct.pack("<11H", *sizes) + b"\x00" +
                             rest_inline(plain_root))
    # the uncompressed system in blob fragments of the large profile
    seeds["large-blob"] = (b"\x01\x00" + rest_inline(plain_root) +
                           b"".join(rest_blob(system_plain * 2, 4016)))
    bad = (256, 128, 128, 72, 200, 80, 76, 104, 24, 16, 16)
    seeds["sizes-refused"] = b"\x02" + struct.pack("<11H", *bad) + b"\x00"
    # the large PATCH body: the request goes in a blob even in the large profile? no: it
    # fits; in the small profile it takes create, write fragments, finalize
    big = b'{"AssetTag":"' + b"x" * 2999 + b'"}'
    pre, tail = chif_answer(None, "PATCH", "/redfish/v1/Systems/1", big, True)
    seeds["small-big-body"] = (b"\x00\x20" + b"".join(
        [rest_inline(b"HTTP/1.1 204 No Content\r\n\r\n")] * 2) + b"".join(pre) +
        b"".join(rest_blob(patch, 48)) + b"".join(tail))
    write(os.path.join(out, "chif"), seeds)


def write(directory, seeds):
    os.makedirs(directory, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(directory, name), "wb") as fh:
            fh.write(data)
    print("%s: %d seeds" % (directory, len(seeds)))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")
    client_corpus(out)
    chif_corpus(out)


if __name__ == "__main__":
    main()
