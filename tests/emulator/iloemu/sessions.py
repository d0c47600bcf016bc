# SPDX-License-Identifier: MIT
"""Users, roles and sessions (login, lookup, idle expiry, iLO session resources)."""

import hmac
import os
import secrets
import time
import urllib.parse

from .errors import ApiError
from .tree import compute_etag

ROLES = ("Administrator", "Operator", "ReadOnly")

# Role -> iLO privileges (from the mockup's AccountService/Roles).
_OEM_PRIVS = ("HostBIOSConfigPriv", "HostNICConfigPriv", "HostStorageConfigPriv",
              "RemoteConsolePriv", "VirtualMediaPriv", "VirtualPowerAndResetPriv")


def privileges(role):
    """Oem.Hpe.Privileges of a role."""
    full = role in ("Administrator", "Operator")
    privs = {name: full for name in _OEM_PRIVS}
    privs["LoginPriv"] = True
    privs["SystemRecoveryConfigPriv"] = False
    privs["UserConfigPriv"] = role == "Administrator"
    privs["iLOConfigPriv"] = role == "Administrator"
    return dict(sorted(privs.items()))


def iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


class Session:
    """One login session."""

    __slots__ = ("id", "token", "user", "role", "tag", "ip", "created", "last_access", "basic")

    def __init__(self, sid, token, user, role, tag, ip, basic):
        now = time.time()
        self.id, self.token, self.user, self.role = sid, token, user, role
        self.tag, self.ip, self.basic = tag, ip, basic
        self.created = self.last_access = now


class Sessions:
    """Session table. Not thread-safe: callers hold the emulator lock."""

    def __init__(self, users, max_sessions, timeout, coll_odata_id):
        self.users = users                  # name -> (password, role)
        self.disabled = set()               # names that cannot log in (accounts.py: LoginPriv)
        self.max_sessions = max_sessions
        self.timeout = timeout
        self.coll_odata_id = coll_odata_id  # e.g. /redfish/v1/SessionService/Sessions/
        self.by_token = {}
        self.created = self.deleted = self.expired = 0

    # ---- users -------------------------------------------------------
    def check(self, user, password):
        """Role of user if password matches, else None."""
        rec = self.users.get(user)
        if user in self.disabled:
            return None
        ok = rec is not None and hmac.compare_digest(rec[0].encode(), str(password).encode())
        return rec[1] if ok else None

    def role_of(self, user):
        rec = self.users.get(user)
        return rec[1] if rec else "Administrator"

    # ---- lifecycle ---------------------------------------------------
    def expire(self, now=None):
        """Drop sessions idle longer than the timeout; returns how many."""
        now = time.time() if now is None else now
        gone = [t for t, s in self.by_token.items()
                if not s.basic and now - s.last_access >= self.timeout]
        for t in gone:
            del self.by_token[t]
        self.expired += len(gone)
        return len(gone)

    def create(self, user, role, tag, ip, basic=False):
        if len(self.by_token) >= self.max_sessions:
            raise ApiError(503, "SessionLimitExceeded")
        while True:
            sid = "%s%08x%s" % (user, int(time.time()) & 0xFFFFFFFF, os.urandom(4).hex())
            if self.find_id(sid) is None:
                break
        token = secrets.token_hex(16)
        sess = Session(sid, token, user, role, tag, ip, basic)
        self.by_token[token] = sess
        self.created += 1
        return sess

    def delete(self, sess):
        if self.by_token.pop(sess.token, None) is not None:
            self.deleted += 1

    def lookup(self, token):
        """Live session for token (touched), or None."""
        sess = self.by_token.get(token)
        if sess is not None:
            sess.last_access = time.time()
        return sess

    def find_id(self, sid):
        for sess in self.by_token.values():
            if sess.id == sid:
                return sess
        return None

    def live(self):
        return sorted(self.by_token.values(), key=lambda s: (s.created, s.id))

    # ---- resources ---------------------------------------------------
    def uri(self, sess):
        quoted = urllib.parse.quote(sess.id, safe="")
        if self.coll_odata_id.endswith("/"):
            return self.coll_odata_id + quoted + "/"
        return self.coll_odata_id + "/" + quoted

    def resource(self, sess, mine):
        data = {
            "@odata.context": "/redfish/v1/$metadata#Session.Session",
            "@odata.id": self.uri(sess),
            "@odata.type": "#Session.v1_0_0.Session",
            "Id": sess.id,
            "Description": "Manager User Session",
            "Name": "User Session",
            "Oem": {"Hpe": {
                "@odata.context": "/redfish/v1/$metadata#HpeiLOSession.HpeiLOSession",
                "@odata.type": "#HpeiLOSession.v2_1_0.HpeiLOSession",
                "AccessTime": iso(sess.last_access),
                "LoginTime": iso(sess.created),
                "MySession": bool(mine),
                "Privileges": privileges(sess.role),
                "UserAccount": sess.user,
                "UserExpires": iso(sess.last_access + self.timeout),
                "UserIP": sess.ip,
                "UserTag": sess.tag,
                "UserType": "Local",
            }},
            "UserName": sess.user,
        }
        data["@odata.etag"] = compute_etag(data)
        return data

    def collection(self, template, mine):
        """The Sessions collection with live Members and Oem.Hpe.Links.MySession."""
        data = dict(template) if isinstance(template, dict) else {}
        data.setdefault("@odata.id", self.coll_odata_id)
        data.setdefault("@odata.type", "#SessionCollection.SessionCollection")
        data.setdefault("Name", "Sessions")
        data["Members"] = [{"@odata.id": self.uri(s)} for s in self.live()]
        data["Members@odata.count"] = len(data["Members"])
        oem = dict(data.get("Oem") or {})
        hpe = dict(oem.get("Hpe") or {})
        links = dict(hpe.get("Links") or {})
        links.pop("MySession", None)
        if mine is not None:
            links["MySession"] = {"@odata.id": self.uri(mine)}
        hpe["Links"] = links
        oem["Hpe"] = hpe
        data["Oem"] = oem
        data.pop("@odata.etag", None)
        data["@odata.etag"] = compute_etag(data)
        return data

    def snapshot(self):
        return [{"id": s.id, "uri": self.uri(s), "user": s.user, "user_tag": s.tag,
                 "created": s.created, "last_access": s.last_access} for s in self.live()]
