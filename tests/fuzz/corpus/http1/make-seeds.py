#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of fuzz-http1: raw HTTP/1.1 responses as an iLO sends them over
CHIF (blobstore2), a few malformed ones, and one request-shaped input for the serialiser.

Usage: make-seeds.py [DIR]   (default: the directory of this script)
The output is deterministic (gzip with mtime 0), so re-running changes nothing.
"""
import gzip
import json
import os
import sys

ILO_HEADERS = (
    "Cache-Control: no-cache\r\n"
    "Date: Tue, 01 Apr 2025 00:00:01 GMT\r\n"
    "ETag: W/\"5D6A0C1B\"\r\n"
    "OData-Version: 4.0\r\n"
    "X-Frame-Options: sameorigin\r\n"
    "X_HP-CHRP-Service-Version: 1.0.3\r\n"
)


def crlf(status, headers, body=b""):
    head = "HTTP/1.1 %s\r\n%s\r\n" % (status, headers)
    return head.encode("ascii") + body


def with_length(status, body, extra=""):
    return crlf(status, ILO_HEADERS + extra +
                "Content-Type: application/json; charset=utf-8\r\n"
                "Content-Length: %d\r\n" % len(body), body)


def chunked(parts, ext="", trailers=""):
    out = b""
    for p in parts:
        out += b"%x%s\r\n" % (len(p), ext.encode("ascii")) + p + b"\r\n"
    return out + b"0\r\n" + trailers.encode("ascii") + b"\r\n"


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    root = json.dumps({"@odata.id": "/redfish/v1/", "Name": "HPE RESTful Root Service",
                       "RedfishVersion": "1.13.0"}).encode()
    err401 = json.dumps({"error": {"code": "iLO.0.10.ExtendedInfo",
                                   "message": "See @Message.ExtendedInfo for more information.",
                                   "@Message.ExtendedInfo": [
                                       {"MessageId": "Base.1.18.NoValidSession"}]}}).encode()
    session = json.dumps({"@odata.id": "/redfish/v1/SessionService/Sessions/admin00000000/",
                          "UserName": "admin"}).encode()
    gz = gzip.compress(root, mtime=0)
    seeds = {
        "ok-json": with_length("200 OK", root),
        "created-session": with_length(
            "201 Created", session,
            "Location: https://16.1.15.1/redfish/v1/SessionService/Sessions/admin00000000/\r\n"
            "X-Auth-Token: 0123456789abcdef0123456789abcdef\r\n"),
        "unauthorized": with_length("401 Unauthorized", err401),
        "no-content": crlf("204 No Content", ILO_HEADERS),
        "head-length": crlf("200 OK", ILO_HEADERS + "Content-Length: 1234\r\n"),
        "chunked": crlf("200 OK", ILO_HEADERS + "Transfer-Encoding: chunked\r\n",
                        chunked([root[:7], root[7:40], root[40:]], ";name=\"v\"",
                                "X-Trailer: 1\r\n")),
        "chunked-gzip": crlf("200 OK", ILO_HEADERS + "Content-Encoding: gzip\r\n"
                             "Transfer-Encoding: chunked\r\n", chunked([gz[:10], gz[10:]])),
        "continue": b"HTTP/1.1 100 Continue\r\n\r\n" + with_length("200 OK", root),
        "close-delimited": b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello",
        # what python-ilorest-library substitutes for an empty answer (connections.py)
        "hpe-dummy-500": (b"HTTP/1.1 500 Not Found\r\nAllow: GET\r\nCache-Control: no-cache\r\n"
                          b"Content-length: 0\r\nContent-type: text/html\r\nDate: Tues, 1 Apr "
                          b"2025 00:00:01 GMT\r\nServer: HP-iLO-Server/1.30\r\n"
                          b"X_HP-CHRP-Service-Version: 1.0.3\r\n\r\n\r\n"),
        "bad-obs-fold": b"HTTP/1.1 200 OK\r\nX-A: 1\r\n continued\r\nContent-Length: 0\r\n\r\n",
        "bad-truncated-chunk": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc",
        "bad-length": b"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nabcdef",
        "bad-status-code": b"HTTP/1.1 2OO OK\r\n\r\n",
        "bad-status-range": b"HTTP/1.1 600 Nope\r\n\r\n",
        "bad-reason": b"HTTP/1.1 200 O\x01K\r\n\r\n",
        "bad-te": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        "bad-te-empty": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: ,\r\n\r\n",
        "bad-chunk-overflow": (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                               b"ffffffffffffffffff\r\nab\r\n0\r\n\r\n"),
        "bad-chunk-crlf": (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                           b"3\r\nabcd\r\n0\r\n\r\n"),
        "bad-chunk-line": (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;x="
                           + b"e" * 4200 + b"\r\na\r\n0\r\n\r\n"),
        "lf-only-chunked": (b"HTTP/1.1 200 OK\nTransfer-Encoding: Chunked ,\n\n"
                            b"3\nabc\nA;x=\"y\"\n0123456789\n0\nX-T: 1\n\n"),
        "bad-truncated-headers": b"HTTP/1.1 200 OK\r\nX-A: b",
        "bad-truncated-chunked": (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: , chunked\r\n\r\n"
                                  b"3\r\nabc\r\n"),
        "bad-chunk-size": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\ng\r\n\r\n",
        "not-modified": b"HTTP/1.1 304 Not Modified\r\nETag: \"1\"\r\nContent-Length: 9\r\n\r\n",
        # request-shaped: path, headers, empty line, body (for the serialiser half)
        "request": (b"/redfish/v1/SessionService/Sessions/\nOData-Version: 4.0\n"
                    b"Content-Type: application/json\n\n"
                    b"{\"UserName\": \"admin\", \"Password\": \"x\"}"),
        "request-framing": (b"/redfish/v1/Systems/1/?$expand=.\nConnection: close\n"
                            b"Content-Length: 2\n\n{}"),
        "request-bad-length": b"/redfish/v1/\nContent-Length: 3\n\n{}",
        "request-big-body": b"/redfish/v1/UpdateService/\nContent-Type: application/json\n\n"
                            + b"{\"ImageURI\": \"" + b"x" * 300 + b"\"}",
        "request-bad-name": b"/redfish/v1/\nX Bad: 1\n\n",
        "request-bad-path": b"/redfish/v1/ x\nA: b\n\n",
    }
    for name, data in seeds.items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
