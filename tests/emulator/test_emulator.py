#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Tests of the iLO emulator itself (stdlib only). Prints TAP."""

import base64
import gzip
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.environ.get("ILO_EMULATOR") or os.path.join(HERE, "ilo-emulator")
ADMIN = ("Administrator", "emulator")
RO = ("reader", "rpass")
OP = ("oper", "opass")
USERS = ["--user", "Administrator:emulator", "--user", "reader:rpass:ReadOnly",
         "--user", "oper:opass:Operator"]
STARTUP_TIMES = []


def wait_for(cond, timeout=10.0):
    """Bounded polling of a condition; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.02)


def basic(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


class Reply:
    def __init__(self, resp, body):
        self.status = resp.status
        self.headers = resp.msg
        self.body = body

    def header(self, name):
        return self.headers.get(name)

    @property
    def json(self):
        return json.loads(self.body)

    def message_ids(self):
        return [e["MessageId"] for e in self.json["error"]["@Message.ExtendedInfo"]]


class Emulator:
    """A running ilo-emulator subprocess on 127.0.0.1:<free port>."""

    def __init__(self, *args, tls=None):
        self.dir = tempfile.mkdtemp(prefix="iloemu-test-")
        self.port_file = os.path.join(self.dir, "port")
        self.state_file = os.path.join(self.dir, "state.json")
        self.log_file = os.path.join(self.dir, "requests.log")
        self.tls = tls
        cmd = [sys.executable, EMULATOR, "--listen", "127.0.0.1:0", "--port-file", self.port_file,
               "--state-file", self.state_file, "--log", self.log_file] + list(args)
        if tls is not None:
            cmd += ["--tls-cert", tls.server_cert, "--tls-key", tls.server_key]
        self.stderr = open(os.path.join(self.dir, "stderr"), "wb")
        start = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.stderr)
        ok = wait_for(lambda: os.path.exists(self.port_file) or self.proc.poll() is not None)
        if not ok or self.proc.poll() is not None:
            self.stop()
            raise RuntimeError("emulator did not start: %s" % self.read_stderr())
        STARTUP_TIMES.append(time.monotonic() - start)
        with open(self.port_file, encoding="ascii") as fh:
            self.port = int(fh.read().strip())

    def read_stderr(self):
        with open(os.path.join(self.dir, "stderr"), "rb") as fh:
            return fh.read().decode(errors="replace")[-2000:]

    def connect(self, context=None, timeout=10):
        if self.tls is not None:
            ctx = context or self.tls.client_context()
            return http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx, timeout=timeout)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, conn=None, auth=None, token=None):
        own = conn is None
        conn = conn or self.connect()
        hdrs = dict(headers or {})
        if auth:
            hdrs["Authorization"] = basic(*auth)
        if token:
            hdrs["X-Auth-Token"] = token
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            hdrs.setdefault("Content-Type", "application/json")
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            return Reply(resp, resp.read())
        finally:
            if own:
                conn.close()

    def login(self, user=ADMIN):
        r = self.request("POST", "/redfish/v1/SessionService/Sessions/",
                         {"UserName": user[0], "Password": user[1]})
        assert r.status == 201, (r.status, r.body)
        return r.header("X-Auth-Token"), r

    def state(self):
        with open(self.state_file, encoding="utf-8") as fh:
            return json.load(fh)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Certs:
    """Throwaway server certificate, client CA and client certificates (openssl)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="iloemu-certs-")
        p = lambda name: os.path.join(self.dir, name)  # noqa: E731
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        self.server_cert, self.server_key = p("server.pem"), p("server.key")
        self._run(["req", "-x509"] + ec + ["-keyout", self.server_key, "-out", self.server_cert,
                   "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"])
        self.ca_cert, ca_key = p("ca.pem"), p("ca.key")
        self._run(["req", "-x509"] + ec + ["-keyout", ca_key, "-out", self.ca_cert,
                   "-days", "2", "-subj", "/CN=hostfish test CA"])
        self.clients = {}
        for name in ("mapped", "unmapped"):
            key, csr, cert = p(name + ".key"), p(name + ".csr"), p(name + ".pem")
            self._run(["req"] + ec + ["-keyout", key, "-out", csr, "-subj", "/CN=" + name])
            self._run(["x509", "-req", "-in", csr, "-CA", self.ca_cert, "-CAkey", ca_key,
                       "-CAcreateserial", "-out", cert, "-days", "2"])
            out = self._run(["x509", "-noout", "-fingerprint", "-sha256", "-in", cert])
            self.clients[name] = (cert, key, out.strip().split("=", 1)[1])

    @staticmethod
    def _run(args):
        return subprocess.run(["openssl"] + args, check=True, capture_output=True, text=True).stdout

    def client_context(self, client=None):
        ctx = ssl.create_default_context(cafile=self.server_cert)
        if client:
            cert, key, _fp = self.clients[client]
            ctx.load_cert_chain(cert, key)
        return ctx

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class EmuCase(unittest.TestCase):
    """Starts one emulator per class, lazily, with ARGS."""

    ARGS = []
    emu = None

    def setUp(self):
        if type(self).emu is None:
            type(self).emu = Emulator(*self.ARGS)

    @classmethod
    def tearDownClass(cls):
        if cls.emu is not None:
            cls.emu.stop()
            cls.emu = None

    def assertError(self, reply, status, message_id, args=None):
        self.assertEqual(reply.status, status, reply.body)
        self.assertEqual(reply.message_ids(), ["Base.1.4." + message_id])
        entry = reply.json["error"]["@Message.ExtendedInfo"][0]
        if args is not None:
            self.assertEqual(entry.get("MessageArgs", []), args)
        return entry


class TestBasics(EmuCase):
    ARGS = USERS

    def test_root_readable_unauthenticated(self):
        for path in ("/redfish/v1/", "/redfish/v1"):
            r = self.emu.request("GET", path)
            self.assertEqual(r.status, 200)
            self.assertEqual(r.header("Content-Type"), "application/json; charset=utf-8")
            self.assertEqual(r.header("OData-Version"), "4.0")
            self.assertEqual(r.header("ETag"), r.json["@odata.etag"])
            self.assertEqual(r.json["Oem"]["Hpe"]["Sessions"]["LoginFailureDelay"], 0)
        h = self.emu.request("HEAD", "/redfish/v1/")
        self.assertEqual((h.status, h.body), (200, b""))
        self.assertEqual(int(h.header("Content-Length")), len(r.body))

    def test_unauthenticated_401_ilo(self):
        for method in ("GET", "PATCH", "DELETE"):
            r = self.emu.request(method, "/redfish/v1/Systems/1/", body="{}" if method == "PATCH" else None)
            self.assertEqual(r.status, 401)
            self.assertEqual(r.header("WWW-Authenticate"), 'Basic realm="iLO"')
            self.assertEqual(r.json, {"error": {
                "code": "iLO.0.10.ExtendedInfo",
                "message": "See @Message.ExtendedInfo for more information.",
                "@Message.ExtendedInfo": [{"MessageId": "Base.1.4.NoValidSession"}]}})
        r = self.emu.request("GET", "/redfish/v1/Systems/", token="0" * 32)
        self.assertError(r, 401, "NoValidSession")

    def test_resource_paths(self):
        for path in ("/redfish/v1/Systems/1/", "/redfish/v1/Systems/1",
                     "/redfish/v1/Registries/%23SUTReg.v2_9_0.SUTReg/"):
            r = self.emu.request("GET", path, auth=ADMIN)
            self.assertEqual(r.status, 200, path)
            self.assertEqual(r.json["@odata.id"].rstrip("/"), path.rstrip("/"))
            self.assertEqual(r.header("ETag"), r.json["@odata.etag"])
        r = self.emu.request("GET", "/redfish/v1/Nope/", auth=ADMIN)
        entry = self.assertError(r, 404, "ResourceMissingAtURI", ["/redfish/v1/Nope/"])
        self.assertEqual(set(entry), {"MessageId", "MessageArgs"})
        # captured "not found" pages of the mockup stay 404
        r = self.emu.request("GET", "/redfish/v1/Chassis/1/PCIeDevices/239/", auth=ADMIN)
        self.assertEqual(r.status, 404)

    def test_session_create(self):
        token, r = self.emu.login()
        self.assertRegex(token, "^[0-9a-f]{32}$")
        loc = r.header("Location")
        self.assertRegex(loc, r"^http://127\.0\.0\.1:%d/redfish/v1/SessionService/Sessions/"
                         r"Administrator[0-9a-f]{16}/$" % self.emu.port)
        body = r.json
        self.assertEqual(body["@odata.id"], loc.split(str(self.emu.port), 1)[1])
        self.assertEqual(body["Name"], "User Session")
        self.assertEqual(body["UserName"], "Administrator")
        hpe = body["Oem"]["Hpe"]
        for key in ("AccessTime", "LoginTime", "UserExpires", "UserIP", "Privileges"):
            self.assertIn(key, hpe)
        self.assertEqual((hpe["MySession"], hpe["UserTag"], hpe["UserType"]), (True, "REST", "Local"))
        g = self.emu.request("GET", "/redfish/v1/Systems/1/", token=token)
        self.assertEqual(g.status, 200)
        st = self.emu.state()
        self.assertIn(body["@odata.id"], [s["uri"] for s in st["sessions"]])
        self.emu.request("DELETE", body["@odata.id"], token=token)

    def test_login_errors(self):
        url = "/redfish/v1/SessionService/Sessions/"
        self.assertError(self.emu.request("POST", url, "{not json"), 400, "MalformedJSON")
        self.assertError(self.emu.request("POST", url, {"UserName": "x"}), 400, "PropertyMissing", ["Password"])
        self.assertError(self.emu.request("POST", url, {"Password": "x"}), 400, "PropertyMissing", ["UserName"])
        r = self.emu.request("POST", url, {"UserName": "Administrator", "Password": "wrong"})
        self.assertError(r, 401, "NoValidSession")
        self.assertIsNone(r.header("X-Auth-Token"))
        r = self.emu.request("POST", url.rstrip("/"), {"UserName": "Administrator", "Password": "emulator"})
        self.assertEqual(r.status, 201)
        self.emu.request("DELETE", r.json["@odata.id"], token=r.header("X-Auth-Token"))

    def test_my_session_markers(self):
        t1, r1 = self.emu.login()
        t2, r2 = self.emu.login(RO)
        id1, id2 = r1.json["@odata.id"], r2.json["@odata.id"]
        coll = self.emu.request("GET", "/redfish/v1/SessionService/Sessions/", token=t1).json
        members = [m["@odata.id"] for m in coll["Members"]]
        self.assertIn(id1, members)
        self.assertIn(id2, members)
        self.assertEqual(coll["Members@odata.count"], len(members))
        self.assertEqual(coll["Oem"]["Hpe"]["Links"]["MySession"]["@odata.id"], id1)
        self.assertFalse(self.emu.request("GET", id2, token=t1).json["Oem"]["Hpe"]["MySession"])
        self.assertTrue(self.emu.request("GET", id1, token=t1).json["Oem"]["Hpe"]["MySession"])
        self.assertTrue(self.emu.request("GET", id2, token=t2).json["Oem"]["Hpe"]["MySession"])
        viab = self.emu.request("GET", "/redfish/v1/SessionService/Sessions/", auth=ADMIN).json
        self.assertNotIn("MySession", viab["Oem"]["Hpe"]["Links"])
        for tok, sid in ((t1, id1), (t2, id2)):
            self.emu.request("DELETE", sid, token=tok)

    def test_delete_session(self):
        token, r = self.emu.login()
        before = self.emu.state()["sessions_deleted"]
        d = self.emu.request("DELETE", r.json["@odata.id"], token=token)
        self.assertEqual(d.status, 200)
        self.assertEqual(d.json["error"]["@Message.ExtendedInfo"], [{"MessageId": "Base.1.4.Success"}])
        self.assertError(self.emu.request("GET", "/redfish/v1/Systems/", token=token), 401, "NoValidSession")
        st = self.emu.state()
        self.assertEqual(st["sessions_deleted"], before + 1)
        self.assertNotIn(r.json["@odata.id"], [s["uri"] for s in st["sessions"]])
        self.assertEqual(self.emu.request("GET", r.json["@odata.id"], auth=ADMIN).status, 404)

    def test_basic_auth_counts(self):
        before = self.emu.state()
        r = self.emu.request("GET", "/redfish/v1/Systems/1/", auth=ADMIN)
        self.assertEqual(r.status, 200)
        after = self.emu.state()
        self.assertEqual(after["sessions_created"], before["sessions_created"] + 1)
        self.assertEqual(after["sessions_deleted"], before["sessions_deleted"] + 1)
        self.assertEqual(after["open_sessions"], before["open_sessions"])
        self.assertError(self.emu.request("GET", "/redfish/v1/Systems/", auth=("Administrator", "bad")),
                         401, "NoValidSession")
        self.assertEqual(self.emu.state()["sessions_created"], after["sessions_created"])

    def test_readonly_role(self):
        token, r = self.emu.login(RO)
        self.assertEqual(self.emu.request("GET", "/redfish/v1/Systems/1/", token=token).status, 200)
        self.assertError(self.emu.request("PATCH", "/redfish/v1/Systems/1/", {"AssetTag": "ro"}, token=token),
                         403, "InsufficientPrivilege")
        self.assertError(self.emu.request("POST", "/redfish/v1/AccountService/Accounts/", {"UserName": "x"},
                                          token=token), 403, "InsufficientPrivilege")
        admin_token, ra = self.emu.login()
        self.assertError(self.emu.request("DELETE", ra.json["@odata.id"], token=token), 403, "InsufficientPrivilege")
        self.assertEqual(self.emu.request("DELETE", r.json["@odata.id"], token=token).status, 200)
        self.emu.request("DELETE", ra.json["@odata.id"], token=admin_token)

    def test_operator_role(self):
        r = self.emu.request("PATCH", "/redfish/v1/AccountService/", {"MinPasswordLength": 9}, auth=OP)
        self.assertError(r, 403, "InsufficientPrivilege")
        r = self.emu.request("PATCH", "/redfish/v1/Chassis/1/", {"IndicatorLED": "Lit"}, auth=OP)
        self.assertEqual(r.status, 200, r.body)

    def test_patch_merge_etag(self):
        path = "/redfish/v1/Systems/1/"
        g = self.emu.request("GET", path, auth=ADMIN)
        etag, old = g.header("ETag"), g.json
        self.assertRegex(etag, r'^W/"[0-9A-F]{8}"$')
        r = self.emu.request("PATCH", path, {"AssetTag": "hf-1", "Boot": {"BootSourceOverrideTarget": "Pxe"}},
                             auth=ADMIN, headers={"If-Match": etag})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.message_ids(), ["Base.1.4.Success"])
        new = self.emu.request("GET", path, auth=ADMIN)
        self.assertNotEqual(new.header("ETag"), etag)
        self.assertEqual(new.header("ETag"), new.json["@odata.etag"])
        self.assertRegex(new.header("ETag"), r'^W/"[0-9A-F]{8}"$')
        self.assertEqual(new.json["AssetTag"], "hf-1")
        self.assertEqual(new.json["Boot"]["BootSourceOverrideTarget"], "Pxe")
        self.assertEqual(new.json["Boot"]["BootSourceOverrideEnabled"], old["Boot"]["BootSourceOverrideEnabled"])
        self.assertEqual(new.json["Model"], old["Model"])
        r = self.emu.request("PATCH", path, {"AssetTag": "hf-2"}, auth=ADMIN, headers={"If-Match": etag})
        self.assertError(r, 412, "PreconditionFailed")
        self.assertError(self.emu.request("PATCH", path, {"Bogus": 1}, auth=ADMIN), 400, "PropertyUnknown", ["Bogus"])
        self.assertError(self.emu.request("PATCH", path, {"Boot": {"Nope": 1}}, auth=ADMIN),
                         400, "PropertyUnknown", ["Nope"])
        self.assertError(self.emu.request("PATCH", path, {"@odata.id": "/x"}, auth=ADMIN),
                         400, "PropertyNotWritable", ["@odata.id"])
        self.assertError(self.emu.request("PATCH", path, {"Id": "2"}, auth=ADMIN), 400, "PropertyNotWritable", ["Id"])
        self.assertError(self.emu.request("PATCH", path, "{bad", auth=ADMIN), 400, "MalformedJSON")
        self.assertEqual(self.emu.request("GET", path, auth=ADMIN).json["AssetTag"], "hf-1")

    def test_put_replaces(self):
        path = "/redfish/v1/Managers/1/DateTime/"
        g = self.emu.request("GET", path, auth=ADMIN)
        r = self.emu.request("PUT", path, {"Name": "replaced"}, auth=ADMIN, headers={"If-Match": 'W/"00000000"'})
        self.assertError(r, 412, "PreconditionFailed")
        r = self.emu.request("PUT", path, {"Name": "replaced"}, auth=ADMIN, headers={"If-Match": g.header("ETag")})
        self.assertEqual(r.status, 200)
        body = self.emu.request("GET", path, auth=ADMIN).json
        self.assertEqual(body["Name"], "replaced")
        self.assertEqual(body["@odata.id"], g.json["@odata.id"])
        self.assertEqual(body["Id"], g.json["Id"])
        self.assertEqual(set(body) - {"Name", "Id"}, {k for k in g.json if k.startswith("@odata.")})

    def test_post_collection_and_delete(self):
        coll = "/redfish/v1/AccountService/Accounts/"
        count = self.emu.request("GET", coll, auth=ADMIN).json["Members@odata.count"]
        r = self.emu.request("POST", coll, {"UserName": "new", "Password": "pw", "RoleId": "ReadOnly"}, auth=ADMIN)
        self.assertEqual(r.status, 201, r.body)
        loc = r.header("Location")
        self.assertTrue(loc.startswith(coll), loc)
        g = self.emu.request("GET", loc, auth=ADMIN)
        self.assertEqual((g.status, g.json["UserName"]), (200, "new"))
        c = self.emu.request("GET", coll, auth=ADMIN).json
        self.assertEqual(c["Members@odata.count"], count + 1)
        self.assertIn({"@odata.id": loc}, c["Members"])
        self.assertError(self.emu.request("POST", coll, "nope", auth=ADMIN), 400, "MalformedJSON")
        self.assertEqual(self.emu.request("DELETE", loc, auth=ADMIN).status, 200)
        self.assertEqual(self.emu.request("GET", loc, auth=ADMIN).status, 404)
        self.assertEqual(self.emu.request("DELETE", "/redfish/v1/SessionService/", auth=ADMIN).status, 405)
        self.assertEqual(self.emu.request("POST", "/redfish/v1/Systems/1/", {}, auth=ADMIN).status, 405)
        # the fixed inventory (systems, chassis, managers) cannot be created or deleted
        self.assertEqual(self.emu.request("DELETE", "/redfish/v1/Systems/1/", auth=ADMIN).status, 405)
        self.assertEqual(self.emu.request("POST", "/redfish/v1/Chassis/", {}, auth=ADMIN).status, 405)
        self.assertEqual(self.emu.request("GET", "/redfish/v1/Systems/1/", auth=ADMIN).status, 200)
        a = self.emu.request("POST", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset/",
                             {"ResetType": "On"}, auth=ADMIN)
        self.assertEqual((a.status, a.message_ids()), (200, ["Base.1.4.Success"]))

    def test_gzip(self):
        plain = self.emu.request("GET", "/redfish/v1/Systems/1/", auth=ADMIN)
        r = self.emu.request("GET", "/redfish/v1/Systems/1/", auth=ADMIN, headers={"Accept-Encoding": "gzip"})
        self.assertEqual(r.header("Content-Encoding"), "gzip")
        self.assertEqual(int(r.header("Content-Length")), len(r.body))
        self.assertEqual(json.loads(gzip.decompress(r.body)), plain.json)
        self.assertIsNone(plain.header("Content-Encoding"))

    def test_keepalive_and_connection_close(self):
        conn = self.emu.connect()
        for _ in range(3):
            r = self.emu.request("GET", "/redfish/v1/", conn=conn)
            self.assertEqual(r.status, 200)
            self.assertEqual(r.header("Connection"), "keep-alive")
        r = self.emu.request("GET", "/redfish/v1/", conn=conn, headers={"Connection": "close"})
        self.assertEqual(r.header("Connection"), "close")
        self.assertEqual(conn.sock.recv(1) if conn.sock else b"", b"")
        conn.close()

    def raw(self, data):
        with socket.create_connection(("127.0.0.1", self.emu.port), timeout=10) as s:
            s.sendall(data)
            chunks = []
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return b"".join(chunks)
                chunks.append(chunk)

    def test_bad_input(self):
        out = self.raw(b"GARBAGE\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 400"), out[:80])
        body = json.loads(out.split(b"\r\n\r\n", 1)[1])
        self.assertIn("@Message.ExtendedInfo", body["error"])
        out = self.raw(b"POST /redfish/v1/SessionService/Sessions/ HTTP/1.1\r\nHost: x\r\n"
                       b"Content-Length: 999999999999\r\n\r\n{}")
        self.assertTrue(out.startswith(b"HTTP/1.1 413"), out[:80])
        out = self.raw(b"POST /redfish/v1/SessionService/Sessions/ HTTP/1.1\r\nHost: x\r\n"
                       b"Content-Length: abc\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 400"), out[:80])
        out = self.raw(b"GET /redfish/v1/ HTTP/1.1\r\nHost: x\r\n" + b"X-A: b\r\n" * 200 + b"\r\n")
        self.assertRegex(out[:12], rb"^HTTP/1.1 4\d\d")
        out = self.raw(b"BREW /redfish/v1/ HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertRegex(out[:12], rb"^HTTP/1.1 (405|501)")
        chunked = (b"POST /redfish/v1/SessionService/Sessions/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                   b"Transfer-Encoding: chunked\r\n\r\n5\r\n{\"Use\r\n0\r\n\r\n")
        self.assertTrue(self.raw(chunked).startswith(b"HTTP/1.1 400"))
        self.assertEqual(self.emu.request("GET", "/redfish/v1/").status, 200)
        self.assertIsNone(self.emu.proc.poll())

    def test_state_file_and_log(self):
        self.emu.request("HEAD", "/redfish/v1/Chassis/", auth=ADMIN)
        st = self.emu.state()
        for key in ("requests", "requests_by_method", "open_sessions", "sessions", "sessions_created",
                    "sessions_deleted", "sessions_expired", "connections", "peak_connections", "log"):
            self.assertIn(key, st)
        self.assertEqual(st["log"][-1], ["HEAD", "/redfish/v1/Chassis/", 200])
        self.assertEqual(st["requests"], sum(st["requests_by_method"].values()))
        self.assertGreaterEqual(st["requests_by_method"]["HEAD"], 1)
        self.assertLessEqual(len(st["log"]), 500)
        with open(self.emu.log_file, encoding="utf-8") as fh:
            self.assertEqual(fh.read().splitlines()[-1], "HEAD /redfish/v1/Chassis/ 200")

    def test_peak_connections(self):
        self.assertTrue(wait_for(lambda: self.emu.state()["connections"] == 0))
        conns = [self.emu.connect() for _ in range(5)]
        try:
            for c in conns:
                self.assertEqual(self.emu.request("GET", "/redfish/v1/", conn=c).status, 200)
            st = self.emu.state()
            self.assertEqual(st["connections"], 5)
            self.assertGreaterEqual(st["peak_connections"], 5)
        finally:
            for c in conns:
                c.close()
        self.assertTrue(wait_for(lambda: self.emu.state()["connections"] == 0))
        self.assertGreaterEqual(self.emu.state()["peak_connections"], 5)


class TestSessionLimit(EmuCase):
    ARGS = ["--max-sessions", "2"]

    def test_session_limit(self):
        t1, r1 = self.emu.login()
        t2, _ = self.emu.login()
        r = self.emu.request("POST", "/redfish/v1/SessionService/Sessions/",
                             {"UserName": "Administrator", "Password": "emulator"})
        self.assertError(r, 503, "SessionLimitExceeded")
        self.assertIsNone(r.header("Retry-After"))
        self.assertIsNone(r.header("X-Auth-Token"))
        self.assertEqual(self.emu.request("GET", "/redfish/v1/Systems/", auth=ADMIN).status, 503)
        self.assertEqual(self.emu.state()["open_sessions"], 2)
        self.emu.request("DELETE", r1.json["@odata.id"], token=t1)
        t3, _ = self.emu.login()
        self.assertTrue(t3)


class TestExpiry(EmuCase):
    ARGS = ["--session-timeout", "1"]

    def test_idle_expiry(self):
        token, r = self.emu.login()
        self.assertEqual(self.emu.state()["open_sessions"], 1)
        self.assertTrue(wait_for(lambda: self.emu.state()["sessions_expired"] == 1, 10))
        st = self.emu.state()
        self.assertEqual(st["open_sessions"], 0)
        self.assertError(self.emu.request("GET", "/redfish/v1/Systems/", token=token), 401, "NoValidSession")


FW = "/redfish/v1/UpdateService/FirmwareInventory/"
ANNOTATIONS = {"@odata.id", "@odata.type", "@odata.context", "@odata.etag"}


class TestQuery(EmuCase):
    """$expand/$select as the iLO 5 mockup's ProtocolFeaturesSupported advertises (query.py)."""

    def test_expand_members(self):
        before = self.emu.state()["requests"]
        for q in ("$expand=.", "$expand=.($levels=1)", "%24expand=.%28%24levels%3D1%29"):
            r = self.emu.request("GET", FW + "?" + q, auth=ADMIN)
            self.assertEqual(r.status, 200, q)
            self.assertEqual(len(r.json["Members"]), r.json["Members@odata.count"])
            for m in r.json["Members"]:
                self.assertIn("Version", m, q)
                self.assertEqual(m["@odata.type"].split(".")[0], "#SoftwareInventory")
        self.assertEqual(self.emu.state()["requests"] - before, 3)

    def test_expand_skips_links(self):
        r = self.emu.request("GET", "/redfish/v1/Systems/1/?$expand=.", auth=ADMIN)
        self.assertEqual(r.status, 200)
        self.assertEqual(set(r.json["Links"]["Chassis"][0]), {"@odata.id"})
        self.assertIn("Members", r.json["Memory"])  # a navigation property outside Links

    def test_levels_out_of_range(self):
        r = self.emu.request("GET", FW + "?$expand=.($levels=2)", auth=ADMIN)
        self.assertError(r, 400, "QueryParameterOutOfRange", ["2", "$expand", "1-1"])
        r = self.emu.request("GET", FW + "?$expand=bogus", auth=ADMIN)
        self.assertError(r, 400, "QueryParameterValueFormatError")

    def test_not_advertised_ignored(self):
        # ExpandAll and Links are false in the mockup; HPE: unsupported options are ignored
        for q in ("$expand=*", "$expand=~", "$filter=Id eq '1'".replace(" ", "%20")):
            r = self.emu.request("GET", FW + "?" + q, auth=ADMIN)
            self.assertEqual(r.status, 200, q)
            self.assertEqual(set(r.json["Members"][0]), {"@odata.id"}, q)

    def test_select(self):
        r = self.emu.request("GET", "/redfish/v1/Systems/1/?$select=Model,Status/Health",
                             auth=ADMIN)
        self.assertEqual(r.status, 200)
        self.assertEqual(set(r.json) - ANNOTATIONS, {"Model", "Status"})
        self.assertTrue({"@odata.id", "@odata.type"} <= set(r.json))
        self.assertEqual(r.json["Status"], {"Health": "Warning"})
        r = self.emu.request("GET", "/redfish/v1/Systems/1/?$select=", auth=ADMIN)
        self.assertError(r, 400, "QueryParameterValueFormatError")

    def test_expand_and_select(self):
        r = self.emu.request("GET", FW + "?$expand=.($levels=1)&$select=Name,Version", auth=ADMIN)
        self.assertEqual(r.status, 200)
        self.assertIn("Members@odata.count", r.json)
        for m in r.json["Members"]:
            self.assertEqual(set(m) - ANNOTATIONS, {"Name", "Version"})

    def test_sessions_expanded(self):
        token, _ = self.emu.login()
        r = self.emu.request("GET", "/redfish/v1/SessionService/Sessions/?$expand=.", token=token)
        self.assertEqual(r.status, 200)
        mine = [m for m in r.json["Members"] if m["Oem"]["Hpe"].get("MySession")]
        self.assertEqual(len(mine), 1)
        self.emu.request("DELETE", mine[0]["@odata.id"], token=token)

    def test_only_with_others(self):
        r = self.emu.request("GET", "/redfish/v1/Systems/?only&$expand=.", auth=ADMIN)
        self.assertError(r, 400, "QueryCombinationInvalid")

    def test_if_none_match(self):
        r = self.emu.request("GET", "/redfish/v1/")
        etag = r.header("ETag")
        r = self.emu.request("GET", "/redfish/v1/", headers={"If-None-Match": etag})
        self.assertEqual((r.status, r.body, r.header("ETag")), (304, b"", etag))
        r = self.emu.request("GET", "/redfish/v1/", headers={"If-None-Match": 'W/"0"'})
        self.assertEqual(r.status, 200)

    def test_unauthenticated_root_not_expanded(self):
        r = self.emu.request("GET", "/redfish/v1/?$expand=.")
        self.assertEqual(r.status, 200)
        self.assertEqual(set(r.json["Systems"]), {"@odata.id"})


class TestQueryNone501(EmuCase):
    ARGS = ["--no-expand", "--unsupported-query", "501"]

    def test_not_advertised(self):
        pfs = self.emu.request("GET", "/redfish/v1/").json["ProtocolFeaturesSupported"]
        self.assertNotIn("ExpandQuery", pfs)
        self.assertNotIn("SelectQuery", pfs)
        self.assertFalse(pfs["FilterQuery"])

    def test_501(self):
        for q, name in (("$expand=.", "$expand"), ("$select=Name", "$select"),
                        ("$top=1", "$top")):
            r = self.emu.request("GET", FW + "?" + q, auth=ADMIN)
            self.assertError(r, 501, "QueryNotSupported", [name])
        self.assertEqual(self.emu.request("GET", FW + "?other=1", auth=ADMIN).status, 200)


class TestQueryAll(EmuCase):
    ARGS = ["--query-features", "all"]

    def test_expand_all_and_links(self):
        ex = self.emu.request("GET", "/redfish/v1/").json["ProtocolFeaturesSupported"]["ExpandQuery"]
        self.assertTrue(ex["ExpandAll"] and ex["Links"])
        r = self.emu.request("GET", "/redfish/v1/Systems/1/?$expand=*", auth=ADMIN)
        self.assertIn("ChassisType", r.json["Links"]["Chassis"][0])
        self.assertIn("Members", r.json["Memory"])
        r = self.emu.request("GET", "/redfish/v1/Systems/1/?$expand=~", auth=ADMIN)
        self.assertIn("ChassisType", r.json["Links"]["Chassis"][0])
        self.assertEqual(set(r.json["Memory"]), {"@odata.id"})


class TestQueryAdvertiseOnly(EmuCase):
    ARGS = ["--query-advertise-only"]

    def test_advertised_but_ignored(self):
        pfs = self.emu.request("GET", "/redfish/v1/").json["ProtocolFeaturesSupported"]
        self.assertTrue(pfs["ExpandQuery"]["NoLinks"] and pfs["SelectQuery"])
        r = self.emu.request("GET", FW + "?$expand=.&$select=Name", auth=ADMIN)
        self.assertEqual(r.status, 200)
        self.assertEqual(set(r.json["Members"][0]), {"@odata.id"})


class TestDmtfDialect(EmuCase):
    ARGS = ["--error-dialect", "dmtf", "--session-location", "path"]

    def test_unauthenticated_401_dmtf(self):
        r = self.emu.request("GET", "/redfish/v1/Systems/")
        self.assertEqual(r.status, 401)
        self.assertEqual(r.json, {"error": {
            "code": "Base.1.4.GeneralError",
            "message": "A general error has occurred. See ExtendedInfo for more information.",
            "@Message.ExtendedInfo": [{
                "@odata.type": "#Message.v1_0_0.Message", "MessageId": "Base.1.4.NoValidSession",
                "Message": "There is no valid session established with the implementation.",
                "MessageArgs": [], "Severity": "Critical",
                "Resolution": "Establish a session before attempting any operations."}]}})

    def test_message_args_substituted(self):
        r = self.emu.request("GET", "/redfish/v1/Gone/", auth=ADMIN)
        entry = r.json["error"]["@Message.ExtendedInfo"][0]
        self.assertEqual(entry["Message"], "The resource at the URI /redfish/v1/Gone/ was not found.")
        self.assertEqual(entry["MessageArgs"], ["/redfish/v1/Gone/"])
        r = self.emu.request("PATCH", "/redfish/v1/Systems/1/", {"AssetTag": "x"}, auth=ADMIN,
                             headers={"If-Match": 'W/"0"'})
        entry = r.json["error"]["@Message.ExtendedInfo"][0]
        self.assertEqual((r.status, entry["MessageId"]), (412, "Base.1.4.PreconditionFailed"))
        self.assertTrue(entry["Message"] and entry["Resolution"])

    def test_delete_session_success_full_form(self):
        token, r = self.emu.login()
        self.assertEqual(r.header("Location"), r.json["@odata.id"])
        d = self.emu.request("DELETE", r.header("Location"), token=token)
        entry = d.json["error"]["@Message.ExtendedInfo"][0]
        self.assertEqual((d.status, entry["MessageId"], entry["Severity"]), (200, "Base.1.4.Success", "OK"))


class TestLocationStyles(unittest.TestCase):
    EXPECT = {
        "absolute": r"^http://127\.0\.0\.1:{port}/redfish/v1/SessionService/Sessions/{id}/$",
        "path": r"^/redfish/v1/SessionService/Sessions/{id}/$",
        "relative": r"^{id}/$",
        "noslash": r"^/redfish/v1/SessionService/Sessions/{id}$",
        "none": None,
    }

    def check(self, style):
        emu = Emulator("--session-location", style)
        try:
            token, r = emu.login()
            sid = r.json["Id"]
            self.assertRegex(sid, "^Administrator[0-9a-f]{16}$")
            pattern = self.EXPECT[style]
            if pattern is None:
                self.assertIsNone(r.header("Location"))
            else:
                self.assertRegex(r.header("Location") or "", pattern.format(port=emu.port, id=sid))
            self.assertEqual(emu.request("DELETE", r.json["@odata.id"], token=token).status, 200)
        finally:
            emu.stop()

    def test_location_absolute(self):
        self.check("absolute")

    def test_location_path(self):
        self.check("path")

    def test_location_relative(self):
        self.check("relative")

    def test_location_noslash(self):
        self.check("noslash")

    def test_location_none(self):
        self.check("none")


FAULTS = [
    "latency:ms=300,path=/redfish/v1/Chassis",
    "drop:path=/redfish/v1/Managers",
    "unavailable:retry_after=3,path=/redfish/v1/UpdateService",
    "truncate:path=/redfish/v1/TaskService",
    "malformed:path=/redfish/v1/EventService",
    "gzip-bomb:size=1048576,path=/redfish/v1/JsonSchemas",
    "huge-header:bytes=20000,path=/redfish/v1/CertificateService",
    "huge-body:bytes=100000,path=/redfish/v1/ResourceDirectory",
    "unavailable:path=/redfish/v1/Registries,after=1,count=2",
    "malformed:path=/redfish/v1/AccountService/Roles,method=HEAD,count=0",
    "redirect:path=/redfish/v1/Moved,to=/redfish/v1/Systems/1/,status=308",
    "no-store:path=/redfish/v1/Systems/1/Bios",
]


class TestFaults(EmuCase):
    ARGS = sum((["--fault", f] for f in FAULTS), [])

    def test_latency(self):
        start = time.monotonic()
        self.assertEqual(self.emu.request("GET", "/redfish/v1/Chassis/", auth=ADMIN).status, 200)
        self.assertGreaterEqual(time.monotonic() - start, 0.3)
        start = time.monotonic()
        self.emu.request("GET", "/redfish/v1/Chassis/", auth=ADMIN)
        self.assertGreaterEqual(time.monotonic() - start, 0.3)  # count=0 by default: always

    def test_drop(self):
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.emu.request("GET", "/redfish/v1/Managers/", auth=ADMIN)
        self.assertEqual(self.emu.state()["log"][-1], ["GET", "/redfish/v1/Managers/", 0])
        self.assertEqual(self.emu.request("GET", "/redfish/v1/Managers/", auth=ADMIN).status, 200)

    def test_unavailable(self):
        r = self.emu.request("GET", "/redfish/v1/UpdateService/", auth=ADMIN)
        self.assertError(r, 503, "ServiceTemporarilyUnavailable", ["3"])
        self.assertEqual(r.header("Retry-After"), "3")
        self.assertEqual(self.emu.request("GET", "/redfish/v1/UpdateService/", auth=ADMIN).status, 200)

    def test_truncate(self):
        conn = self.emu.connect()
        conn.request("GET", "/redfish/v1/TaskService/", headers={"Authorization": basic(*ADMIN)})
        resp = conn.getresponse()
        length = int(resp.getheader("Content-Length"))
        with self.assertRaises(http.client.IncompleteRead) as ctx:
            resp.read()
        self.assertEqual(len(ctx.exception.partial), length // 2)
        conn.close()
        self.assertEqual(self.emu.request("GET", "/redfish/v1/TaskService/", auth=ADMIN).status, 200)

    def test_redirect(self):
        r = self.emu.request("GET", "/redfish/v1/Moved/", auth=ADMIN)
        self.assertEqual(r.status, 308)
        self.assertEqual(r.header("Location"), "/redfish/v1/Systems/1/")
        self.assertEqual(self.emu.request("GET", "/redfish/v1/Moved/", auth=ADMIN).status, 404)

    def test_malformed(self):
        r = self.emu.request("GET", "/redfish/v1/EventService/", auth=ADMIN)
        self.assertEqual(r.status, 200)
        self.assertEqual(int(r.header("Content-Length")), len(r.body))
        with self.assertRaises(ValueError):
            json.loads(r.body)
        self.assertEqual(self.emu.request("GET", "/redfish/v1/EventService/", auth=ADMIN).json["Id"],
                         "EventService")

    def test_gzip_bomb(self):
        r = self.emu.request("GET", "/redfish/v1/JsonSchemas/", auth=ADMIN)
        self.assertEqual((r.status, r.header("Content-Encoding")), (200, "gzip"))
        self.assertEqual(int(r.header("Content-Length")), len(r.body))
        self.assertLess(len(r.body), 65536)
        self.assertEqual(gzip.decompress(r.body), b"{" * 1048576)

    def test_huge_header(self):
        r = self.emu.request("GET", "/redfish/v1/CertificateService/", auth=ADMIN)
        self.assertEqual(r.status, 200)
        lines = [n + ": " + v for n, v in r.headers.items()]
        self.assertIn(20000, [len(line) for line in lines])

    def test_huge_body(self):
        r = self.emu.request("GET", "/redfish/v1/ResourceDirectory/", auth=ADMIN)
        self.assertEqual((r.status, len(r.body)), (200, 100000))
        self.assertIsInstance(r.json, dict)

    def test_count_after_method(self):
        statuses = [self.emu.request("GET", "/redfish/v1/Registries/", auth=ADMIN).status for _ in range(4)]
        self.assertEqual(statuses, [200, 503, 503, 200])
        self.assertEqual(self.emu.request("GET", "/redfish/v1/AccountService/Roles/", auth=ADMIN).status, 200)
        for _ in range(2):
            conn = self.emu.connect()
            conn.request("HEAD", "/redfish/v1/AccountService/Roles/")
            self.assertEqual(conn.getresponse().status, 200)  # replaced answer, even unauthenticated
            conn.close()

    def test_no_store(self):
        r = self.emu.request("GET", "/redfish/v1/Systems/1/Bios/", auth=ADMIN)
        self.assertEqual((r.status, r.header("Cache-Control")), (200, "no-store"))
        r = self.emu.request("GET", "/redfish/v1/Systems/1/", auth=ADMIN)
        self.assertIsNone(r.header("Cache-Control"))

    def test_bad_fault_spec_rejected(self):
        for spec in ("explode", "latency:ms=x", "drop:color=red"):
            p = subprocess.run([sys.executable, EMULATOR, "--listen", "127.0.0.1:0", "--fault", spec],
                               capture_output=True, timeout=30)
            self.assertNotEqual(p.returncode, 0, spec)


class TestHeldRequests(EmuCase):
    """Faults that keep a request on the BMC: answer-delay (carried out, answer held back) and
    hold (not carried out until a gate file exists), and the state's in_progress list."""

    GATE = os.path.join(tempfile.gettempdir(), "hostfish-emu-gate-%d" % os.getpid())
    ARGS = ["--fault", "answer-delay:ms=1500,path=/redfish/v1/SessionService/Sessions,method=POST",
            "--fault", "hold:path=/redfish/v1/Chassis/,gate=" + GATE]

    def test_answer_delay_and_in_progress(self):
        """The login is carried out at once and its answer held back; meanwhile the state
        file lists the request as "answering" and counts the session already."""
        done = {}

        def login():
            done["r"] = self.emu.request("POST", "/redfish/v1/SessionService/Sessions/",
                                         {"UserName": ADMIN[0], "Password": ADMIN[1]})
        t = threading.Thread(target=login)
        t.start()
        try:
            self.assertTrue(wait_for(lambda: any(
                e[0] == "POST" and e[2] == "answering" for e in self.emu.state()["in_progress"])))
            st = self.emu.state()
            self.assertEqual(st["open_sessions"], 1)
            self.assertNotIn("r", done)
        finally:
            t.join(10)
        self.assertEqual(done["r"].status, 201)
        self.assertEqual(self.emu.state()["in_progress"], [])

    def test_hold_until_gate(self):
        done = {}

        def get():
            done["r"] = self.emu.request("GET", "/redfish/v1/Chassis/", auth=ADMIN)
        t = threading.Thread(target=get)
        t.start()
        try:
            def held():
                # another request's end rewrites the state file, with what is in progress
                self.emu.request("GET", "/redfish/v1/")
                return any(e[1] == "/redfish/v1/Chassis/" and e[2] == "running"
                           for e in self.emu.state()["in_progress"])
            self.assertTrue(wait_for(held))
            self.assertNotIn("r", done)
            open(self.GATE, "w").close()
            t.join(10)
        finally:
            open(self.GATE, "w").close()
            t.join(10)
            os.unlink(self.GATE)
        self.assertEqual(done["r"].status, 200)


class TestLatency(EmuCase):
    """--latency: each kind of request waits its time before it is carried out, without holding
    the emulator's lock (a request of another kind goes through meanwhile)."""

    ARGS = ["--latency", "get=5s,session=300ms"]

    def test_login_waits(self):
        start = time.monotonic()
        r = self.emu.request("POST", "/redfish/v1/SessionService/Sessions/",
                             {"UserName": ADMIN[0], "Password": ADMIN[1]})
        self.assertEqual(r.status, 201)
        self.assertGreaterEqual(time.monotonic() - start, 0.3)
        self.assertEqual(self.emu.request("DELETE", r.json["@odata.id"],
                                          token=r.header("X-Auth-Token")).status, 200)

    def test_no_lock_held(self):
        done = {}

        def get():
            done["r"] = self.emu.request("GET", "/redfish/v1/Chassis/", auth=ADMIN)
        start = time.monotonic()
        t = threading.Thread(target=get)
        t.start()
        try:
            def patched_meanwhile():
                # a PATCH (no latency) is carried out while the GET waits; its end rewrites
                # the state file, with what is in progress
                r = self.emu.request("PATCH", "/redfish/v1/Systems/1/", {"AssetTag": "latency"},
                                     auth=ADMIN)
                self.assertEqual(r.status, 200)
                return any(e[1] == "/redfish/v1/Chassis/"
                           for e in self.emu.state()["in_progress"])
            self.assertTrue(wait_for(patched_meanwhile))
            self.assertNotIn("r", done)
        finally:
            t.join(30)
        self.assertEqual(done["r"].status, 200)
        self.assertGreaterEqual(time.monotonic() - start, 5)

    def test_bad_spec_rejected(self):
        for spec in ("get", "get=fast", "options=1s", "get=61s"):
            p = subprocess.run([sys.executable, EMULATOR, "--listen", "127.0.0.1:0",
                                "--latency", spec], capture_output=True, timeout=30)
            self.assertNotEqual(p.returncode, 0, spec)


class TestTls(unittest.TestCase):
    certs = None
    emu = None

    def setUp(self):
        cls = type(self)
        if shutil.which("openssl") is None:
            self.skipTest("openssl command not found")
        if cls.certs is None:
            cls.certs = Certs()
        if cls.emu is None:
            fp = cls.certs.clients["mapped"][2]
            cls.emu = Emulator("--client-ca", cls.certs.ca_cert, "--cert-user", fp + "=Administrator",
                               "--max-sessions", "4", tls=cls.certs)

    @classmethod
    def tearDownClass(cls):
        if cls.emu is not None:
            cls.emu.stop()
        if cls.certs is not None:
            cls.certs.remove()

    def test_https_login(self):
        conn = self.emu.connect()
        r = self.emu.request("GET", "/redfish/v1/", conn=conn)
        self.assertEqual(r.status, 200)
        self.assertIn(conn.sock.version(), ("TLSv1.2", "TLSv1.3"))
        conn.close()
        token, r = self.emu.login()
        self.assertTrue(r.header("Location").startswith("https://127.0.0.1:%d/redfish/v1/" % self.emu.port))
        self.assertEqual(self.emu.request("DELETE", r.json["@odata.id"], token=token).status, 200)

    def test_tls12_supported(self):
        ctx = self.certs.client_context()
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        conn = self.emu.connect(context=ctx)
        self.assertEqual(self.emu.request("GET", "/redfish/v1/", conn=conn).status, 200)
        self.assertEqual(conn.sock.version(), "TLSv1.2")
        conn.close()

    def test_cert_login(self):
        conn = self.emu.connect(context=self.certs.client_context("mapped"))
        r = self.emu.request("GET", "/html/login_cert.html", conn=conn)
        conn.close()
        self.assertEqual(r.status, 200, r.body)
        token = r.header("X-Auth-Token")
        self.assertRegex(token, "^[0-9a-f]{32}$")
        self.assertTrue(r.header("Location"))
        self.assertEqual(self.emu.request("GET", "/redfish/v1/Systems/", token=token).status, 200)
        st = self.emu.state()
        mine = [s for s in st["sessions"] if s["user"] == "Administrator"]
        self.assertEqual([s["user_tag"] for s in mine], ["REST"])
        coll = self.emu.request("GET", "/redfish/v1/SessionService/Sessions/", token=token).json
        self.assertEqual(self.emu.request("DELETE", coll["Oem"]["Hpe"]["Links"]["MySession"]["@odata.id"],
                                          token=token).status, 200)

    def test_cert_login_refused(self):
        for client in (None, "unmapped"):
            conn = self.emu.connect(context=self.certs.client_context(client))
            r = self.emu.request("GET", "/html/login_cert.html", conn=conn)
            conn.close()
            self.assertEqual(r.status, 401, client)
            self.assertIsNone(r.header("X-Auth-Token"))

    def test_slow_client_does_not_block(self):
        with socket.create_connection(("127.0.0.1", self.emu.port), timeout=10):
            # no handshake on this connection: others must still be served
            r = self.emu.request("GET", "/redfish/v1/", conn=self.emu.connect(timeout=5))
            self.assertEqual(r.status, 200)


class TestSignals(unittest.TestCase):
    def test_sigterm_writes_state_and_exits_0(self):
        emu = Emulator()
        try:
            self.assertEqual(emu.request("GET", "/redfish/v1/").status, 200)
            os.unlink(emu.state_file)
            emu.proc.send_signal(signal.SIGTERM)
            self.assertEqual(emu.proc.wait(timeout=10), 0)
            st = emu.state()
            self.assertEqual(st["requests"], 1)
            self.assertEqual(st["log"], [["GET", "/redfish/v1/", 200]])
        finally:
            emu.stop()



class ChifChannel:
    """A Python client of the emulator's CHIF socket (framing and packets of iloemu/chif.py)."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(path)
        self.seq = 100

    def frame(self, op, payload=b""):
        self.sock.sendall(struct.pack("<IB", 1 + len(payload), ord(op)) + payload)
        head = b""
        while len(head) < 4:
            chunk = self.sock.recv(4 - len(head))
            if not chunk:
                raise ConnectionError("closed")
            head += chunk
        (n,) = struct.unpack("<I", head)
        data = b""
        while len(data) < n:
            data += self.sock.recv(n - len(data))
        return data[0], data[1:]

    def packet(self, cmd, body):
        self.seq += 1
        pkt = struct.pack("<HHHH", 8 + len(body), self.seq, cmd, 0x0B) + body
        status, reply = self.frame("X", pkt)
        if status:
            return status, None, None
        return 0, reply, struct.unpack_from("<I", reply, 8)[0]

    @staticmethod
    def kn(key, ns="volatile"):
        return key.encode().ljust(32, b"\0") + ns.encode().ljust(32, b"\0")

    def close(self):
        self.sock.close()


class TestChif(unittest.TestCase):
    emu = None

    @classmethod
    def setUpClass(cls):
        cls.sockdir = tempfile.mkdtemp(prefix="iloemu-chif-")
        cls.path = os.path.join(cls.sockdir, "chif.sock")
        cls.emu = Emulator("--chif-socket", cls.path,
                           "--fault", "chif-seq:path=/chif/list,count=1",
                           "--fault", "chif-reset:path=/chif/security,count=1")

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()
        shutil.rmtree(cls.sockdir, ignore_errors=True)

    def chan(self):
        c = ChifChannel(self.path)
        self.addCleanup(c.close)
        return c

    def rest(self, c, raw, rsp_key="rspkey"):
        body = struct.pack("<I", len(raw)) + ChifChannel.kn(rsp_key) + raw
        return c.packet(8, body)

    def test_ping_and_state(self):
        c = self.chan()
        self.assertEqual(c.frame("P")[0], 0)
        self.assertEqual(c.frame("S"), (0, bytes([3])))
        self.assertEqual(self.emu.state()["peak_channels"] >= 1, True)

    def test_blob_store(self):
        c = self.chan()
        kn = ChifChannel.kn("k1")
        self.assertEqual(c.packet(4, kn)[2], 12)                    # info: not found
        self.assertEqual(c.packet(1, kn)[2], 0)                     # create
        self.assertEqual(c.packet(1, kn)[2], 20)                    # again: not modified
        self.assertEqual(wait_for(lambda: self.emu.state()["blobs"] == 1), True)
        self.assertEqual(c.packet(2, struct.pack("<II", 0, 5) + kn + b"hello")[2], 0)
        self.assertEqual(c.packet(2, struct.pack("<II", 9, 1) + kn + b"x")[2], 2)  # hole
        self.assertEqual(c.packet(2, struct.pack("<II", 5, 3) + kn + b"ab")[2], 2)  # count
        self.assertEqual(c.packet(3, kn)[2], 0)                     # finalize
        self.assertEqual(c.packet(2, struct.pack("<II", 5, 1) + kn + b"!")[2], 2)  # final
        _, reply, err = c.packet(4, kn)
        self.assertEqual((err, struct.unpack_from("<I", reply, 16)[0]), (0, 5))
        _, reply, err = c.packet(5, struct.pack("<II", 1, 3) + kn)
        self.assertEqual((err, reply[20:20 + struct.unpack_from("<I", reply, 16)[0]]), (0, b"ell"))
        self.assertEqual(c.packet(1, ChifChannel.kn("k2", "nosuchns"))[2], 2)
        self.assertEqual(c.packet(6, kn)[2], 0)                     # delete
        self.assertEqual(c.packet(6, kn)[2], 20)                    # gone: not modified
        self.assertEqual(wait_for(lambda: self.emu.state()["blobs"] == 0), True)

    def test_rest_inline_production_local_admin(self):
        c = self.chan()
        _, reply, err = self.rest(c, b"GET /redfish/v1/Chassis/ HTTP/1.1\r\nHost: \r\n\r\n")
        mode, length = struct.unpack_from("<II", reply, 12)
        self.assertEqual((err, mode), (0, 0))
        text = reply[24:24 + length]
        self.assertTrue(text.startswith(b"HTTP/1.1 200 OK\r\n"), text[:80])
        self.assertEqual(struct.unpack_from("<H", reply, 2)[0], c.seq)

    def test_rest_blobs_both_ways(self):
        c = self.chan()
        body = json.dumps({"AssetTag": "q" * 20000}).encode()
        raw = (b"PATCH /redfish/v1/Systems/1/ HTTP/1.1\r\nHost: \r\nContent-Type: application/json\r\n"
               b"Content-Length: %d\r\n\r\n" % len(body)) + body
        kn = ChifChannel.kn("req1")
        self.assertEqual(c.packet(1, kn)[2], 0)
        for off in range(0, len(raw), 4000):
            part = raw[off:off + 4000]
            self.assertEqual(c.packet(2, struct.pack("<II", off, len(part)) + kn + part)[2], 0)
        self.assertEqual(c.packet(3, kn)[2], 0)
        _, reply, err = c.packet(9, "req1".encode().ljust(32, b"\0") + ChifChannel.kn("rsp0"))
        self.assertEqual(err, 0)
        self.assertTrue(reply[24:].startswith(b"HTTP/1.1 200"), reply[24:80])
        _, reply, err = self.rest(c, b"GET /redfish/v1/Systems/1/ HTTP/1.1\r\nHost: \r\n\r\n",
                                  "rsp1")
        mode = struct.unpack_from("<I", reply, 12)[0]
        self.assertEqual((err, mode), (0, 1))          # 20 KB answer, no gzip asked: a blob
        _, info, _ = c.packet(4, ChifChannel.kn("rsp1"))
        self.assertGreater(struct.unpack_from("<I", info, 16)[0], 20000)
        for key in ("req1", "rsp1"):
            self.assertEqual(c.packet(6, ChifChannel.kn(key))[2], 0)
        self.assertEqual(c.packet(9, "req1".encode().ljust(32, b"\0") + ChifChannel.kn("rsp1"))[2], 12)

    def test_faults(self):
        c = self.chan()
        seq_before = c.seq
        _, reply, _ = c.packet(7, "volatile".encode().ljust(32, b"\0"))
        self.assertNotEqual(struct.unpack_from("<H", reply, 2)[0], seq_before + 1)  # chif-seq
        d = self.chan()
        self.assertEqual(d.frame("P")[0], 0)              # d is open (served) before the reset
        self.assertEqual(c.packet(10, b"\0" * 8)[0], 19)  # chif-reset
        self.assertEqual(d.packet(10, b"\0" * 8)[0], 19)  # every open channel is dead
        self.assertEqual(d.frame("P")[0], 19)
        self.assertEqual(self.chan().packet(10, b"\0" * 8)[0], 0)  # a new channel works


class TestChifSecure(unittest.TestCase):
    def test_highsecurity(self):
        d = tempfile.mkdtemp(prefix="iloemu-chif-")
        path = os.path.join(d, "chif.sock")
        emu = Emulator("--chif-socket", path, "--security-state", "fips", *USERS)
        try:
            c = ChifChannel(path)
            self.assertEqual(c.frame("S"), (0, bytes([5])))
            self.assertEqual(c.packet(7, b"\0" * 32)[0], 13)          # not authorised
            _, reply, _ = c.packet(10, b"\0" * 8)                    # the state is readable
            self.assertEqual(reply[72], 5)
            self.assertEqual(c.frame("V", b"Administrator\0wrong\0")[0], 13)
            self.assertEqual(c.frame("A", b"Administrator\0emulator\0")[0], 0)
            self.assertEqual(c.packet(7, b"volatile".ljust(32, b"\0"))[0], 0)
            c.close()
        finally:
            emu.stop()
            shutil.rmtree(d, ignore_errors=True)


class TestGeneration7(EmuCase):
    """--generation 7: an iLO 7, reached over the host interface only."""
    ARGS = USERS + ["--generation", "7"]

    def test_service_root_needs_credentials(self):
        r = self.emu.request("GET", "/redfish/v1/")
        self.assertEqual(r.status, 401)
        self.assertEqual(r.message_ids(), ["Base.1.4.NoValidSession"])
        r = self.emu.request("GET", "/redfish/v1/", auth=ADMIN)
        self.assertEqual(r.status, 200)
        mgr = r.json["Oem"]["Hpe"]["Manager"][0]
        self.assertEqual(mgr["ManagerType"], "iLO 7")
        self.assertEqual(r.header("ETag"), r.json["@odata.etag"])

    def test_manager_model_and_firmware(self):
        r = self.emu.request("GET", "/redfish/v1/Managers/1/", auth=ADMIN)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["Model"], "iLO 7")
        self.assertTrue(r.json["FirmwareVersion"].startswith("iLO 7 v"))

    def test_host_interfaces_enabled(self):
        r = self.emu.request("GET", "/redfish/v1/Managers/1/HostInterfaces/", auth=ADMIN)
        self.assertEqual(r.status, 200)
        self.assertTrue(r.json["Members"])
        for m in r.json["Members"]:
            hi = self.emu.request("GET", m["@odata.id"], auth=ADMIN)
            self.assertEqual(hi.status, 200)
            self.assertIs(hi.json["InterfaceEnabled"], True)

    def test_app_accounts(self):
        r = self.emu.request("GET", "/redfish/v1/AccountService/Oem/Hpe/AppAccounts/")
        self.assertEqual(r.status, 401)
        token, _ = self.emu.login()
        r = self.emu.request("GET", "/redfish/v1/AccountService/Oem/Hpe/AppAccounts/", token=token)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["Members"], [])
        acc = self.emu.request("GET", "/redfish/v1/AccountService/", token=token)
        self.assertEqual(acc.json["Oem"]["Hpe"]["Links"]["AppAccounts"]["@odata.id"],
                         "/redfish/v1/AccountService/Oem/Hpe/AppAccounts/")

    def test_sessions_work(self):
        token, r = self.emu.login()
        self.assertTrue(token)
        loc = r.header("Location")
        d = self.emu.request("DELETE", urllib.parse.urlsplit(loc).path, token=token)
        self.assertIn(d.status, (200, 204))


class TestCertsAndLicense(EmuCase):
    """certs.py: HTTPS certificate, certificate login set-up, licence, iLO's ?only."""
    ARGS = USERS
    HTTPS = "/redfish/v1/Managers/1/SecurityService/HttpsCert/"
    AUTH = "/redfish/v1/Managers/1/SecurityService/CertificateAuthentication/"
    LIC = "/redfish/v1/Managers/1/LicenseService/"
    CSR = {"CommonName": "ilo.example", "Country": "US", "State": "TX", "City": "Houston",
           "OrgName": "ACME"}

    def ilo_ids(self, reply):
        return [m.split(".", 3)[-1] if m.startswith("iLO.") else m for m in reply.message_ids()]

    def test_only_query(self):
        r = self.emu.request("GET", self.LIC + "?only", auth=ADMIN)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["@odata.id"], self.LIC + "1/")
        r = self.emu.request("GET", "/redfish/v1/AccountService/UserCertificateMapping/?only",
                             auth=ADMIN)
        self.assertIn("Members", r.json)  # two members: the collection itself

    def test_csr_is_asynchronous(self):
        res = self.emu.request("GET", self.HTTPS, auth=ADMIN).json
        target = res["Actions"]["#HpeHttpsCert.GenerateCSR"]["target"]
        r = self.emu.request("POST", target, dict(self.CSR, IncludeIP=True), auth=ADMIN)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(self.ilo_ids(r), ["GeneratingCertificate"])
        first = self.emu.request("GET", self.HTTPS, auth=ADMIN).json
        self.assertIsNone(first["CertificateSigningRequest"])
        csr = wait_for(lambda: self.emu.request("GET", self.HTTPS, auth=ADMIN)
                       .json["CertificateSigningRequest"])
        self.assertTrue(csr.startswith("-----BEGIN CERTIFICATE REQUEST-----"), csr)

    def test_csr_bad_parameters(self):
        target = self.HTTPS + "Actions/HpeHttpsCert.GenerateCSR/"
        body = dict(self.CSR)
        del body["OrgName"]
        r = self.emu.request("POST", target, body, auth=ADMIN)
        self.assertError(r, 400, "ActionParameterMissing")
        r = self.emu.request("POST", target, dict(self.CSR, Country="usa"), auth=ADMIN)
        self.assertError(r, 400, "ActionParameterValueFormatError")
        r = self.emu.request("POST", target, self.CSR, auth=RO)
        self.assertError(r, 403, "InsufficientPrivilege")

    def test_import_needs_the_csr_key(self):
        target = self.HTTPS + "Actions/HpeHttpsCert.ImportCertificate/"
        r = self.emu.request("POST", target, {"Certificate": "garbage"}, auth=ADMIN)
        self.assertEqual(r.status, 400)
        self.assertEqual(self.ilo_ids(r), ["ImportCertificateFailed"])
        r = self.emu.request("POST", target, {}, auth=ADMIN)
        self.assertError(r, 400, "ActionParameterMissing")

    def test_license_and_cert_login(self):
        r = self.emu.request("POST", self.LIC, {"LicenseKey": "short"}, auth=ADMIN)
        self.assertError(r, 400, "PropertyValueFormatError")
        r = self.emu.request("POST", self.LIC, {"LicenseKey": "ABCDE-FGHIJ-KLMNO-PQRST-UVWXY"},
                             auth=ADMIN)
        self.assertEqual(self.ilo_ids(r), ["InvalidLicenseKey"])
        self.assertEqual(self.emu.request("DELETE", self.LIC + "1/", auth=ADMIN).status, 200)
        self.assertEqual(self.emu.request("GET", self.LIC + "1/", auth=ADMIN).json["License"],
                         "iLO Standard")
        r = self.emu.request("PATCH", self.AUTH, {"CertificateLoginEnabled": True}, auth=ADMIN)
        self.assertEqual(r.status, 400)
        self.assertEqual(self.ilo_ids(r), ["LicenseKeyRequired"])
        r = self.emu.request("POST", self.LIC, {"LicenseKey": "HFEMU-ADVAN-CED00-00000-00001"},
                             auth=ADMIN)
        self.assertEqual(r.status, 200, r.body)
        lic = self.emu.request("GET", self.LIC + "1/", auth=ADMIN).json
        self.assertEqual(lic["License"], "iLO Advanced")
        self.assertEqual(lic["LicenseKey"], "XXXXX-XXXXX-XXXXX-XXXXX-00001")
        r = self.emu.request("PATCH", self.AUTH, {"CertificateLoginEnabled": True}, auth=ADMIN)
        self.assertEqual(r.status, 200, r.body)
        self.assertIs(self.emu.state()["certs"]["cert_login_enabled"], True)

    def test_user_mapping(self):
        coll = "/redfish/v1/AccountService/UserCertificateMapping/"
        fp = ":".join(["AB"] * 32)
        r = self.emu.request("POST", coll, {"UserName": "nobody", "Fingerprint": fp}, auth=ADMIN)
        self.assertError(r, 400, "PropertyValueNotInList")
        r = self.emu.request("POST", coll, {"UserName": "reader", "Fingerprint": "AB:CD"},
                             auth=ADMIN)
        self.assertError(r, 400, "PropertyValueFormatError")
        r = self.emu.request("POST", coll, {"UserName": "reader", "Fingerprint": fp}, auth=ADMIN)
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.json["FingerprintDigestAlgorithm"], "SHA256")
        r = self.emu.request("POST", coll, {"UserName": "reader", "Fingerprint": fp.lower()},
                             auth=ADMIN)
        self.assertError(r, 400, "ResourceAlreadyExists")


class TapResult(unittest.TestResult):
    """Prints one TAP line per test."""

    def __init__(self):
        super().__init__()
        self.n = 0

    def _line(self, ok, test, extra=""):
        self.n += 1
        name = test.id().split(".", 1)[-1] if hasattr(test, "id") else str(test)
        print("%s %d - %s%s" % ("ok" if ok else "not ok", self.n, name, extra), flush=True)

    def _diag(self, err, test):
        for line in self._exc_info_to_string(err, test).splitlines():
            print("# " + line, flush=True)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._line(True, test)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._line(False, test)
        self._diag(err, test)

    def addError(self, test, err):
        super().addError(test, err)
        self._line(False, test)
        self._diag(err, test)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._line(True, test, " # SKIP " + reason)


class TestMultipartParser(unittest.TestCase):
    """update.py's streaming multipart parser: whatever the read sizes, the same parts."""

    def _body(self, data):
        b = b"XyZ"
        return (b"--XyZ\r\nContent-Disposition: form-data; name=\"parameters\"\r\n"
                b"Content-Type: application/json\r\n\r\n{\"a\": 1}\r\n"
                b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
                b"filename=\"f \\\"q\\\".bin\"\r\n\r\n" + data + b"\r\n--" + b + b"--\r\n")

    def _parse(self, body, step):
        sys.path.insert(0, HERE)
        from iloemu.update import parse_multipart
        pos = [0]

        def read(n):
            n = min(n, step)
            chunk = body[pos[0]:pos[0] + n]
            pos[0] += len(chunk)
            return chunk
        return parse_multipart(read, b"XyZ")

    def test_any_read_size(self):
        import hashlib
        # the data holds CRLFs and near-delimiters ("\r\n--XyZ" only at the real end)
        data = (b"\r\n--Xy\r\n--X" + bytes(range(256))) * 300
        body = self._body(data)
        for step in (1, 2, 7, 64, 4096, 1 << 20):
            fields, files = self._parse(body, step)
            self.assertEqual(fields["parameters"], b'{"a": 1}')
            self.assertEqual(files["file"]["size"], len(data))
            self.assertEqual(files["file"]["sha256"], hashlib.sha256(data).hexdigest())
            self.assertEqual(files["file"]["filename"], 'f "q".bin')

    def test_truncated(self):
        from iloemu.update import MultipartError
        body = self._body(b"abc")
        with self.assertRaises(MultipartError):
            self._parse(body[:-8], 4096)


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    total = suite.countTestCases()
    print("1..%d" % total, flush=True)
    result = TapResult()
    suite.run(result)
    while result.n < total:
        result._line(False, "test-not-run")
    if STARTUP_TIMES:
        print("# emulator start-up: max %.3f s, mean %.3f s over %d starts" % (
            max(STARTUP_TIMES), sum(STARTUP_TIMES) / len(STARTUP_TIMES), len(STARTUP_TIMES)))
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
