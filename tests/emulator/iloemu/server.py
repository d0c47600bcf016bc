# SPDX-License-Identifier: MIT
"""HTTP/1.1 (+TLS) server: keep-alive, per-connection handshake, connection counting."""

import email.utils
import gzip
import http
import os
import socket
import socketserver
import ssl
import sys
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .emulator import BodyReader
from .faults import RESPONSE_KINDS, huge_header
from .service import Request

MAX_BODY = 32 << 20
IDLE_TIMEOUT = 120
HANDSHAKE_TIMEOUT = 10
HOLD_MAX = 60  # seconds a 'hold' fault keeps a request at most
JSON_TYPE = "application/json; charset=utf-8"


def wait_gates(gates):
    """Wait until every gate file exists, HOLD_MAX seconds at most."""
    deadline = time.monotonic() + HOLD_MAX
    for gate in gates:
        while gate and not os.path.exists(gate) and time.monotonic() < deadline:
            time.sleep(0.02)


class BodyError(Exception):
    def __init__(self, status):
        super().__init__(status)
        self.status = status


def accepts_gzip(value):
    for item in (value or "").split(","):
        name, _, params = item.strip().partition(";")
        if name.strip().lower() in ("gzip", "x-gzip", "*"):
            q = params.replace(" ", "").lower()
            if q.startswith("q="):
                try:
                    return float(q[2:]) > 0
                except ValueError:
                    return False
            return True
    return False


class Handler(BaseHTTPRequestHandler):
    """One connection; requests are answered in order, with keep-alive."""

    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT

    # ---- connection --------------------------------------------------
    def setup(self):
        self.tls_failed = False
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(HANDSHAKE_TIMEOUT)
            try:
                self.request.do_handshake()
            except (OSError, ValueError):
                self.tls_failed = True
        super().setup()

    def handle(self):
        if self.tls_failed:
            return
        try:
            super().handle()
        except (OSError, ValueError):
            pass

    def log_message(self, format, *args):  # noqa: A002 - silence stderr logging
        pass

    # ---- protocol errors (bad request line, headers, methods) --------
    def send_error(self, code, message=None, explain=None):
        self.close_connection = True
        method = getattr(self, "command", None) or "-"
        path = getattr(self, "path", None) or "-"
        resp = self.server.app.error_response(code)
        self.server.app.finish(method, path, code)
        self.write_response(resp)

    def handle_expect_100(self):
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = 0
        if length > MAX_BODY:
            self.send_error(413)
            return False
        return super().handle_expect_100()

    # ---- methods -----------------------------------------------------
    def do_GET(self):
        self.run()

    do_HEAD = do_POST = do_PATCH = do_PUT = do_DELETE = do_OPTIONS = do_GET

    def read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").strip().lower()
        if te and te != "identity":
            if te.split(",")[-1].strip() != "chunked":
                raise BodyError(400)
            return self.read_chunked()
        value = self.headers.get("Content-Length")
        if value is None:
            return b""
        try:
            length = int(value.strip())
        except ValueError:
            raise BodyError(400) from None
        if length < 0:
            raise BodyError(400)
        if length > MAX_BODY:
            raise BodyError(413)
        data = self.rfile.read(length)
        if len(data) < length:
            raise ConnectionError("client closed during body")
        return data

    def stream_body(self):
        """An upload consumed by an extension as it arrives (Content-Length only)."""
        value = self.headers.get("Content-Length")
        if (self.headers.get("Transfer-Encoding") or "").strip().lower() not in ("", "identity"):
            raise BodyError(411)
        try:
            length = int((value or "").strip())
        except ValueError:
            raise BodyError(411) from None
        if length < 0:
            raise BodyError(400)
        return BodyReader(self.rfile, length)

    def read_chunked(self):
        parts, total = [], 0
        while True:
            line = self.rfile.readline(1024)
            if not line.endswith(b"\n"):
                raise BodyError(400)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise BodyError(400) from None
            if size < 0:
                raise BodyError(400)
            if size == 0:
                break
            total += size
            if total > MAX_BODY:
                raise BodyError(413)
            chunk = self.rfile.read(size)
            if len(chunk) < size or self.rfile.readline(3) not in (b"\r\n", b"\n"):
                raise BodyError(400)
            parts.append(chunk)
        for _ in range(100):  # trailers
            line = self.rfile.readline(8192)
            if line in (b"\r\n", b"\n", b""):
                break
        return b"".join(parts)

    def run(self):
        app = self.server.app
        method, path = self.command, self.path
        if not path.startswith("/"):
            parts = urllib.parse.urlsplit(path)
            path = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        rid = app.state.begin(method, path)
        try:
            self.serve(app, method, path, rid)
        finally:
            app.state.record_gone(rid)

    def serve(self, app, method, path, rid):
        try:
            streamed = app.streams(method, path)
            body = self.stream_body() if streamed else self.read_body()
        except BodyError as exc:
            self.close_connection = True
            resp = app.error_response(exc.status)
            app.finish(method, path, exc.status, rid)
            self.write_response(resp)
            return
        plan = app.plan(method, path)
        latency = app.latency.delay(method, path)
        if latency:
            time.sleep(latency)  # no lock held: other connections go on meanwhile
        if plan.delay_ms:
            time.sleep(plan.delay_ms / 1000.0)
        wait_gates(plan.gates)
        kind = plan.answer.kind if plan.answer is not None else None
        if kind == "drop":
            app.finish(method, path, 0, rid)
            self.close_connection = True
            return
        if kind in RESPONSE_KINDS:
            resp = app.fault_response(plan.answer, path)
        else:
            resp = app.handle(self.make_request(method, path, body))
        if streamed:
            resp = app.complete(resp, body)  # reads the body as it arrives, unlocked
        if plan.header_bytes:
            resp.headers.append(huge_header(plan.header_bytes))
        resp.headers.extend(plan.headers)
        if plan.answer_delay_ms or plan.answer_gates:
            app.state.advance(rid, "answering")
            app.state.write()  # what it did is visible before the answer leaves
            time.sleep(plan.answer_delay_ms / 1000.0)
            wait_gates(plan.answer_gates)
        app.finish(method, path, resp.status, rid)
        try:
            self.write_response(resp, truncate=(kind == "truncate"))
        finally:
            app.answered()  # a reset this answer announced starts now (reset.py)

    def make_request(self, method, path, body):
        conn = self.connection
        tls = isinstance(conn, ssl.SSLSocket)
        cert = None
        if tls:
            try:
                cert = conn.getpeercert(binary_form=True)
            except (OSError, ValueError):
                cert = None
        return Request(method, path, self.headers, body, self.client_address[0], tls, cert,
                       self.server.server_address[1])

    # ---- output ------------------------------------------------------
    def _header(self, name):
        headers = getattr(self, "headers", None)
        return headers.get(name) if headers is not None else None

    def write_stream(self, resp):
        """An answer that goes on (events.py): headers, then the writer until it returns;
        the connection is closed after it (no length: the end of the body is the close)."""
        self.close_connection = True
        lines = ["HTTP/1.1 %d %s" % (resp.status, http.HTTPStatus(resp.status).phrase),
                 "Date: " + email.utils.formatdate(usegmt=True),
                 "Content-Type: " + resp.content_type, "OData-Version: 4.0", "Connection: close"]
        lines += ["%s: %s" % (name, value) for name, value in resp.headers]
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace"))
        self.wfile.flush()
        if getattr(self, "command", None) != "HEAD":
            resp.stream(self.wfile)

    def write_response(self, resp, truncate=False):
        if getattr(resp, "stream", None) is not None:
            self.write_stream(resp)
            return
        payload = resp.payload()
        headers = list(resp.headers)
        names = {name.lower() for name, _ in headers}
        if "content-encoding" not in names and payload and \
                accepts_gzip(self._header("Accept-Encoding")):
            payload = gzip.compress(payload, compresslevel=6)
            headers.append(("Content-Encoding", "gzip"))
        try:
            reason = http.HTTPStatus(resp.status).phrase
        except ValueError:
            reason = "Unknown"
        if resp.reason is not None:
            reason = resp.reason
        lines = ["HTTP/1.1 %d %s" % (resp.status, reason),
                 "Date: " + email.utils.formatdate(usegmt=True)]
        if resp.body is not None:
            lines.append("Content-Type: " + (resp.content_type or JSON_TYPE))
        lines.append("OData-Version: 4.0")
        lines.append("Content-Length: %d" % len(payload))
        if truncate:
            self.close_connection = True
        lines.append("Connection: " + ("close" if self.close_connection else "keep-alive"))
        for name, value in headers:
            lines.append("%s: %s" % (name, value))
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        if getattr(self, "command", None) == "HEAD":
            payload = b""
        if truncate:
            payload = payload[:len(payload) // 2]
        self.wfile.write(head + payload)
        self.wfile.flush()


class EmulatorServer(ThreadingHTTPServer):
    """Threaded server; TLS handshake happens in the connection thread."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address, family, app, tls_context):
        self.address_family = family
        self.app = app
        self.tls_context = tls_context
        super().__init__(address, Handler)

    def server_bind(self):
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = self.server_address[1]

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.tls_context is not None:
            try:
                sock = self.tls_context.wrap_socket(sock, server_side=True,
                                                    do_handshake_on_connect=False)
            except (OSError, ValueError):
                sock.close()
                raise OSError("TLS wrap failed") from None
        self.app.state.connection_opened()
        reset = getattr(self.app, "reset", None)
        if reset is not None:
            reset.conn_opened(sock)  # shut down when the BMC resets
        return sock, addr

    def shutdown_request(self, request):
        # The connection is gone for the BMC the moment it decides to close it: count it
        # before the close reaches the client, which may then reuse the freed capacity.
        self.app.state.connection_closed()
        reset = getattr(self.app, "reset", None)
        if reset is not None:
            reset.conn_closed(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (OSError, ValueError)):
            return
        traceback.print_exc(file=sys.stderr)


def make_tls_context(cert, key, client_ca):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    if client_ca:
        ctx.load_verify_locations(client_ca)
        ctx.verify_mode = ssl.CERT_OPTIONAL
    return ctx
