# SPDX-License-Identifier: MIT
"""Redfish semantics of the emulated iLO 5: auth, sessions, resources, roles."""

import base64
import binascii
import hashlib
import json

from .errors import ApiError
from .query import QueryOptions, not_modified
from .sessions import Session
from .tree import ROOT, norm_key

WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")
CERT_LOGIN = "/html/login_cert.html"
# Collections of fixed inventory: no POST, members cannot be deleted (as on a real iLO).
FIXED_COLLECTIONS = ("/redfish/v1/Systems", "/redfish/v1/Chassis", "/redfish/v1/Managers")
# Areas an Operator may not change (ConfigureUsers / ConfigureManager).
OPERATOR_DENIED = ("/redfish/v1/AccountService", "/redfish/v1/Managers")
# --session-location outside: where the login answer says the session is (an account: a client
# that DELETEd it at logout would remove a user)
OUTSIDE_SESSION_URI = "/redfish/v1/AccountService/Accounts/1/"


class Request:
    """One parsed HTTP request as the service sees it."""

    def __init__(self, method, path, headers, body, client_ip, tls, peer_cert, local_port):
        self.method = method
        self.path = path
        self.headers = headers          # case-insensitive .get()
        self.body = body
        self.client_ip = client_ip
        self.tls = tls
        self.peer_cert = peer_cert      # DER bytes or None
        self.local_port = local_port


class Response:
    """Status, headers and a body (dict -> JSON, or bytes)."""

    def __init__(self, status, body=None, headers=None, content_type=None, reason=None):
        self.status = status
        self.body = body
        self.headers = list(headers or [])
        self.content_type = content_type
        self.reason = reason  # the status line's phrase; None: the standard one

    def payload(self):
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, separators=(",", ":")).encode()


class Auth:
    __slots__ = ("session", "basic")

    def __init__(self, session, basic):
        self.session = session
        self.basic = basic


def parse_json_object(body):
    """Request body -> dict, else ApiError 400 MalformedJSON."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "MalformedJSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, "MalformedJSON")
    return data


def fingerprint(hexstr):
    return hexstr.replace(":", "").strip().lower()


class Service:
    """Dispatches requests. handle() must be called under the emulator lock."""

    def __init__(self, tree, sessions, errors, location_style, cert_users, scheme):
        self.tree = tree
        self.sessions = sessions
        self.errors = errors
        self.location_style = location_style
        self.cert_users = {fingerprint(k): v for k, v in cert_users.items()}
        self.scheme = scheme
        root = tree.get_data(ROOT) or {}
        links = root.get("Links") or {}
        coll_id = (links.get("Sessions") or {}).get("@odata.id", "/redfish/v1/SessionService/Sessions/")
        self.sessions_key = norm_key(coll_id)
        self.sessions.coll_odata_id = coll_id
        # iLO 7 over the host interface: even the service root needs credentials
        self.auth_everything = False
        # Feature modules (certificates, updates, tasks...): objects with
        # handle(service, req, key, auth) -> Response or None, asked in order after
        # authentication and the role check, before the generic resource handling.
        self.extensions = []
        # (fingerprint hex, user given at start or None) -> user allowed to log in with that
        # client certificate, or None; set by the certificate feature (certs.py)
        self.cert_user_hook = None
        # $expand/$select as the service root advertises them (query.py; cli.py configures)
        self.query = QueryOptions()

    # ---- helpers -----------------------------------------------------
    def error(self, exc):
        headers = list(exc.headers)
        if exc.status == 401:
            headers.append(("WWW-Authenticate", 'Basic realm="iLO"'))
        return Response(exc.status, self.errors.body(exc.message_id, exc.args_list), headers)

    def success(self, status=200, headers=None):
        return Response(status, self.errors.success(), headers)

    def _location(self, req, sess):
        uri = self.sessions.uri(sess)
        style = self.location_style
        if style == "none":
            return []
        if style == "outside":
            return [("Location", OUTSIDE_SESSION_URI)]
        if style == "path":
            return [("Location", uri if uri.endswith("/") else uri + "/")]
        if style == "noslash":
            return [("Location", uri.rstrip("/"))]
        if style == "relative":
            tail = uri.rstrip("/").rsplit("/", 1)[-1]
            return [("Location", tail + "/")]
        host = req.headers.get("Host") or "127.0.0.1"
        if host.startswith("["):
            host = host[:host.find("]") + 1]
        else:
            host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        return [("Location", "%s://%s:%d%s" % (self.scheme, host, req.local_port, uri))]

    def _login_body(self, sess):
        body = self.sessions.resource(sess, True)
        if self.location_style == "outside":
            body = dict(body, **{"@odata.id": OUTSIDE_SESSION_URI})
        return body

    def _session_key(self, key):
        """Session id if key is a member of the Sessions collection."""
        if key.startswith(self.sessions_key + "/"):
            rest = key[len(self.sessions_key) + 1:]
            if rest and "/" not in rest:
                return rest
        return None

    # ---- entry point -------------------------------------------------
    def handle(self, req):
        self.sessions.expire()
        key = norm_key(req.path)
        try:
            if key == CERT_LOGIN and req.method == "GET":
                return self.cert_login(req)
            if key == self.sessions_key and req.method == "POST":
                return self.login(req)
            if key == ROOT and req.method in ("GET", "HEAD") and not self.auth_everything:
                query = self.query.parse(req.path)
                return self.answer_get(req, self.get_resource(key, None), query, None)
            auth = self.authenticate(req)
        except ApiError as exc:
            return self.error(exc)
        try:
            query = self.query.parse(req.path) if req.method in ("GET", "HEAD") else None
            return self.answer_get(req, self.dispatch(req, key, auth), query, auth)
        except ApiError as exc:
            return self.error(exc)
        finally:
            if auth.basic:
                self.sessions.delete(auth.session)

    def answer_get(self, req, resp, query, auth):
        """A GET's answer after $expand/$select (query: parsed, or None) and If-None-Match."""
        if query is not None and resp.status == 200 and isinstance(resp.body, dict):
            resp.body = self.query.apply(resp.body, query[0], query[1],
                                         lambda oid: self._fetch(req, oid, auth))
        return not_modified(req, resp) or resp

    def _fetch(self, req, odata_id, auth):
        """What a GET of odata_id with the request's credentials answers (a dict), or None:
        an expanded reference is a GET the service makes for the client."""
        if auth is None or not isinstance(odata_id, str) or not odata_id.startswith("/"):
            return None
        sub = Request("GET", odata_id, req.headers, b"", req.client_ip, req.tls, req.peer_cert,
                      req.local_port)
        try:
            resp = self.dispatch(sub, norm_key(odata_id), auth)
        except ApiError:
            return None
        return resp.body if resp.status == 200 and isinstance(resp.body, dict) else None

    def authenticate(self, req):
        token = req.headers.get("X-Auth-Token")
        if getattr(req, "local_admin", False):
            # CHIF: the channel itself is authorised (root, or verified credentials in a
            # secure state): the local administrator, without a session (as on iLO 5/6)
            return Auth(Session("chif-local", "", "CHIF", "Administrator", "CHIF",
                                req.client_ip, True), False)
        if token is not None:
            sess = self.sessions.lookup(token.strip())
            if sess is None:
                raise ApiError(401, "NoValidSession")
            return Auth(sess, False)
        authz = req.headers.get("Authorization") or ""
        scheme, _, cred = authz.strip().partition(" ")
        if scheme.lower() != "basic":
            raise ApiError(401, "NoValidSession")
        try:
            user, sep, password = base64.b64decode(cred.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise ApiError(401, "NoValidSession") from None
        role = self.sessions.check(user, password) if sep else None
        if role is None:
            raise ApiError(401, "NoValidSession")
        sess = self.sessions.create(user, role, "REST", req.client_ip, basic=True)
        return Auth(sess, True)

    # ---- sessions ----------------------------------------------------
    def login(self, req):
        body = parse_json_object(req.body)
        for field in ("UserName", "Password"):
            if field not in body:
                raise ApiError(400, "PropertyMissing", [field])
        user, password = body["UserName"], body["Password"]
        role = self.sessions.check(user, password) if isinstance(user, str) and isinstance(password, str) else None
        if role is None:
            raise ApiError(401, "NoValidSession")
        sess = self.sessions.create(user, role, "REST", req.client_ip)
        headers = [("X-Auth-Token", sess.token)] + self._location(req, sess)
        return Response(201, self._login_body(sess), headers)

    def cert_login(self, req):
        if not req.tls or not req.peer_cert:
            raise ApiError(401, "NoValidSession")
        fp = hashlib.sha256(req.peer_cert).hexdigest()
        user = self.cert_users.get(fp)
        if self.cert_user_hook is not None:
            user = self.cert_user_hook(fp, user)
        if user is None:
            raise ApiError(401, "NoValidSession")
        sess = self.sessions.create(user, self.sessions.role_of(user), "REST", req.client_ip)
        headers = [("X-Auth-Token", sess.token)] + self._location(req, sess)
        return Response(200, self._login_body(sess), headers)

    def sessions_request(self, req, key, auth, sid):
        me = None if auth.basic else auth.session
        if sid is None:
            if req.method not in ("GET", "HEAD"):
                raise ApiError(405, "iLO.2.14.UnsupportedOperation", headers=[("Allow", "GET, HEAD, POST")])
            data = self.sessions.collection(self.tree.get_data(self.sessions_key), me)
            return Response(200, data, [("ETag", data["@odata.etag"])])
        sess = self.sessions.find_id(sid)
        if sess is None:
            raise ApiError(404, "ResourceMissingAtURI", [req.path.split("?", 1)[0]])
        if req.method in ("GET", "HEAD"):
            data = self.sessions.resource(sess, sess is me)
            return Response(200, data, [("ETag", data["@odata.etag"])])
        if req.method == "DELETE":
            if sess is not auth.session and auth.session.role != "Administrator":
                raise ApiError(403, "InsufficientPrivilege")
            self.sessions.delete(sess)
            return self.success()
        raise ApiError(405, "iLO.2.14.UnsupportedOperation", headers=[("Allow", "GET, HEAD, DELETE")])

    # ---- resources ---------------------------------------------------
    def check_role(self, req, key, auth):
        role = auth.session.role
        if req.method not in WRITE_METHODS or role == "Administrator":
            return
        if role == "Operator" and not any(key == p or key.startswith(p + "/") for p in OPERATOR_DENIED):
            return
        raise ApiError(403, "InsufficientPrivilege")

    def dispatch(self, req, key, auth):
        if key == self.sessions_key or key.startswith(self.sessions_key + "/"):
            sid = self._session_key(key)
            if key == self.sessions_key or sid is not None:
                return self.sessions_request(req, key, auth, sid)
        if key == "/redfish" and req.method in ("GET", "HEAD"):
            return Response(200, {"v1": "/redfish/v1/"})
        self.check_role(req, key, auth)
        for ext in self.extensions:
            resp = ext.handle(self, req, key, auth)
            if resp is not None:
                return resp
        method = req.method
        if method in ("GET", "HEAD"):
            return self.get_resource(key, req.path)
        if method == "POST":
            return self.post(req, key)
        if method in ("PATCH", "PUT"):
            return self.modify(req, key)
        if method == "DELETE":
            return self.delete(req, key)
        raise ApiError(405, "iLO.2.14.UnsupportedOperation", headers=[("Allow", self.allow(key))])

    def allow(self, key):
        methods = ["GET", "HEAD"]
        if self.tree.is_collection(key):
            if key not in FIXED_COLLECTIONS:
                methods.append("POST")
        else:
            methods += ["PATCH", "PUT"]
        if self.tree.member_of(key) not in (None,) + FIXED_COLLECTIONS:
            methods.append("DELETE")
        return ", ".join(methods)

    def missing(self, key, path):
        return ApiError(404, "ResourceMissingAtURI", [(path or key).split("?", 1)[0]])

    def get_resource(self, key, path):
        # iLO's "only" query: a collection of exactly one member answers with that member
        query = (path or "").partition("?")[2]
        if "only" in query.split("&") and self.tree.is_collection(key):
            members = self.tree.get_data(key)["Members"]
            if len(members) == 1 and isinstance(members[0], dict):
                member = norm_key(str(members[0].get("@odata.id", "")))
                if self.tree.exists(member):
                    key = member
        entry = self.tree.get(key)
        if entry is None:
            raise self.missing(key, path)
        if entry.kind == "xml":
            return Response(200, entry.raw, content_type="application/xml")
        if entry.kind == "error":  # a captured error page of the mockup, in today's dialect
            info = (entry.data["error"].get("@Message.ExtendedInfo") or [{}])[0]
            return Response(400, self.errors.body(str(info.get("MessageId", "GeneralError")),
                                                  info.get("MessageArgs") or []))
        return Response(200, entry.data, [("ETag", self.tree.etag(key))])

    def _if_match(self, req, key):
        wanted = req.headers.get("If-Match")
        if wanted is None:
            return
        current = self.tree.etag(key)
        tags = [t.strip() for t in wanted.split(",")]
        if "*" not in tags and current not in tags:
            raise ApiError(412, "PreconditionFailed")

    def modify(self, req, key):
        entry = self.tree.get(key)
        if entry is None:
            raise self.missing(key, req.path)
        if entry.kind != "json" or self.tree.is_collection(key):
            raise ApiError(405, "iLO.2.14.UnsupportedOperation", headers=[("Allow", self.allow(key))])
        self._if_match(req, key)
        body = parse_json_object(req.body)
        if req.method == "PATCH":
            etag = self.tree.patch(key, body)
        else:
            etag = self.tree.put(key, body)
        return self.success(200, [("ETag", etag)])

    def post(self, req, key):
        action = self.tree.find_action(key)
        if action is not None:
            owner, found = action
            if not self.tree.exists(owner):
                raise self.missing(key, req.path)
            if req.body.strip():
                parse_json_object(req.body)
            if not found:
                raise ApiError(400, "ActionNotSupported", [key.rsplit("/", 1)[-1]])
            return self.success()
        if not self.tree.exists(key):
            raise self.missing(key, req.path)
        if not self.tree.is_collection(key) or key in FIXED_COLLECTIONS:
            raise ApiError(405, "iLO.2.14.UnsupportedOperation", headers=[("Allow", self.allow(key))])
        body = parse_json_object(req.body)
        _new_key, data = self.tree.create_member(key, body)
        headers = [("Location", data["@odata.id"]), ("ETag", data["@odata.etag"])]
        return Response(201, data, headers)

    def delete(self, req, key):
        if not self.tree.exists(key):
            raise self.missing(key, req.path)
        coll = self.tree.member_of(key)
        if coll is None or coll in FIXED_COLLECTIONS:
            raise ApiError(405, "ResourceCannotBeDeleted", headers=[("Allow", self.allow(key))])
        self.tree.delete_member(key, coll)
        return self.success()
