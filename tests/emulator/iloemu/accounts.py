# SPDX-License-Identifier: MIT
"""AccountService local accounts (--accounts): the emulator's users as ManagerAccount resources.

As iLO 5 documents it ("Managing iLO users", HPE's iLO 5 resource definitions):
- POST /redfish/v1/AccountService/Accounts/ {"UserName", "Password", "RoleId"?,
  "Oem": {"Hpe": {"LoginName"?, "Privileges"?}}} creates an account: 201 with Location.
  UserName is the login name; a second account with that name is refused
  (iLO.2.14.UserAlreadyExist); a password shorter than MinPasswordLength is refused
  (iLO.2.14.InvalidPasswordLength).  RoleId (Administrator, Operator, ReadOnly; default
  ReadOnly) sets the role's Oem.Hpe.Privileges.
- PATCH of an account: Password (the new one works at once), RoleId (privileges follow),
  Oem.Hpe.Privileges (LoginPriv false: the account can no longer log in).
- DELETE of an account removes the user.
- Password always reads back null.
Invented where HPE is silent: RoleId stays as set when privileges are changed one by one;
a deleted user's open sessions stay until they expire; the default role is ReadOnly.

The request log the emulator writes holds method, path and status only: no body, so no
password ever reaches it.
"""

import copy

from .errors import ApiError
from .service import Response, parse_json_object
from .sessions import ROLES, privileges
from .tree import norm_key

COLL = "/redfish/v1/AccountService/Accounts"
MIN_PASSWORD = 8
MAX_NAME = 39


def _account_body(user, role, enabled=True):
    privs = privileges(role)
    privs["LoginPriv"] = enabled
    return {
        "Description": "iLO User Account",
        "Links": {"Role": {"@odata.id": "/redfish/v1/AccountService/Roles/%s/" % role}},
        "Name": "User Account",
        "Oem": {"Hpe": {
            "@odata.context": "/redfish/v1/$metadata#HpeiLOAccount.HpeiLOAccount",
            "@odata.type": "#HpeiLOAccount.v2_2_0.HpeiLOAccount",
            "LoginName": user,
            "Privileges": privs,
            "ServiceAccount": False,
        }},
        "Password": None,
        "PasswordChangeRequired": False,
        "RoleId": role,
        "UserName": user,
    }


class Accounts:
    """Extension: handle(service, req, key, auth) -> Response or None."""

    def __init__(self, emu):
        self.tree = emu.tree
        self.sessions = emu.sessions
        known = {self._data(k).get("UserName") for k in self._members()}
        for user, (_pw, role) in sorted(self.sessions.users.items()):
            if user not in known:
                self.tree.create_member(COLL, _account_body(user, role))

    def _members(self):
        coll = self.tree.get_data(COLL) or {}
        return [norm_key(str(m.get("@odata.id", ""))) for m in coll.get("Members", [])
                if isinstance(m, dict)]

    def _data(self, key):
        return self.tree.get_data(key) or {}

    @staticmethod
    def _check_password(password):
        if not isinstance(password, str):
            raise ApiError(400, "PropertyValueTypeError", ["Password", "Password"])
        if len(password) < MIN_PASSWORD or len(password) > MAX_NAME:
            raise ApiError(400, "iLO.2.14.InvalidPasswordLength")

    @staticmethod
    def _check_role(role):
        if role not in ROLES:
            raise ApiError(400, "PropertyValueNotInList", [str(role), "RoleId"])

    def handle(self, service, req, key, auth):
        if key == COLL and req.method == "POST":
            return self.create(req)
        if key.startswith(COLL + "/") and key in self._members():
            if req.method == "PATCH":
                return self.modify(service, req, key)
            if req.method == "DELETE":
                return self.delete(service, key)
        return None

    def create(self, req):
        body = parse_json_object(req.body)
        for field in ("UserName", "Password"):
            if field not in body:
                raise ApiError(400, "PropertyMissing", [field])
        user = body["UserName"]
        if not isinstance(user, str) or not 0 < len(user) <= MAX_NAME:
            raise ApiError(400, "PropertyValueFormatError", [str(user), "UserName"])
        if user in self.sessions.users:
            raise ApiError(400, "iLO.2.14.UserAlreadyExist")
        self._check_password(body["Password"])
        role = body.get("RoleId", "ReadOnly")
        self._check_role(role)
        privs = (((body.get("Oem") or {}).get("Hpe") or {}).get("Privileges") or {})
        enabled = privs.get("LoginPriv", True) is not False
        _key, data = self.tree.create_member(COLL, _account_body(user, role, enabled))
        self.sessions.users[user] = (body["Password"], role)
        if not enabled:
            self.sessions.disabled.add(user)
        headers = [("Location", data["@odata.id"]), ("ETag", data["@odata.etag"])]
        return Response(201, copy.deepcopy(data), headers)

    def modify(self, service, req, key):
        service._if_match(req, key)
        body = parse_json_object(req.body)
        data = self._data(key)
        user = data.get("UserName")
        for name in body:
            if name not in ("Password", "RoleId", "Oem", "UserName"):
                raise ApiError(400, "PropertyNotWritable", [name])
        if "UserName" in body and body["UserName"] != user:
            raise ApiError(400, "PropertyNotWritable", ["UserName"])
        password, role = self.sessions.users.get(user, (None, data.get("RoleId", "ReadOnly")))
        if "Password" in body:
            self._check_password(body["Password"])
            password = body["Password"]
        hpe = data["Oem"]["Hpe"]
        if "RoleId" in body:
            self._check_role(body["RoleId"])
            role = body["RoleId"]
            data["RoleId"] = role
            data["Links"]["Role"]["@odata.id"] = "/redfish/v1/AccountService/Roles/%s/" % role
            hpe["Privileges"] = privileges(role)
        privs = (((body.get("Oem") or {}).get("Hpe") or {}).get("Privileges") or {})
        for name, value in privs.items():
            if name not in hpe["Privileges"] or not isinstance(value, bool):
                raise ApiError(400, "PropertyValueTypeError", [str(value), name])
            hpe["Privileges"][name] = value
        self.sessions.users[user] = (password, role)
        if hpe["Privileges"].get("LoginPriv", True):
            self.sessions.disabled.discard(user)
        else:
            self.sessions.disabled.add(user)
        etag = self.tree._new_etag(data)
        return service.success(200, [("ETag", etag)])

    def delete(self, service, key):
        user = self._data(key).get("UserName")
        self.tree.delete_member(key, COLL)
        self.sessions.users.pop(user, None)
        self.sessions.disabled.discard(user)
        return service.success()


def install(emu, args):
    if getattr(args, "accounts", False):
        emu.service.extensions.append(Accounts(emu))
