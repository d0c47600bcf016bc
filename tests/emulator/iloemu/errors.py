# SPDX-License-Identifier: MIT
"""Redfish error bodies in the iLO and DMTF dialects, message registry lookup."""

import re

ILO_CODE = "iLO.0.10.ExtendedInfo"
ILO_MESSAGE = "See @Message.ExtendedInfo for more information."
DMTF_MESSAGE = "A general error has occurred. See ExtendedInfo for more information."
MESSAGE_TYPE = "#Message.v1_0_0.Message"
DEFAULT_BASE = "Base.1.4"

# Messages used by the emulator that an older Base registry may lack
# (text as published in later DMTF Base registries).
BUILTIN = {
    "PreconditionFailed": {
        "Message": "The ETag supplied did not match the ETag required to change this resource.",
        "Severity": "Critical",
        "Resolution": "Try the operation again using the appropriate ETag.",
    },
    "QueryCombinationInvalid": {
        "Message": "Two or more query parameters in the request cannot be used together.",
        "Severity": "Warning",
        "Resolution": "Remove one or more of the query parameters and resubmit the request "
                      "if the operation failed.",
    },
    "UnsupportedOperation": {
        "Message": "This operation is not supported by RIS for the current system.",
        "Severity": "Warning",
        "Resolution": "None.",
    },
}


class ApiError(Exception):
    """An error answer: HTTP status, a MessageId (short name = Base registry) and its args."""

    def __init__(self, status, message_id, args=(), headers=None):
        super().__init__("%d %s" % (status, message_id))
        self.status = status
        self.message_id = message_id
        self.args_list = [str(a) for a in args]
        self.headers = list(headers or [])


class Registries:
    """Message registries found through the mockup's /redfish/v1/Registries collection."""

    def __init__(self, tree):
        self.tree = tree
        self._index = None   # prefix -> (registry name, location key)
        self._loaded = {}    # prefix -> messages dict

    def _build_index(self):
        self._index = {}
        root = self.tree.get_data("/redfish/v1") or {}
        coll_id = (root.get("Registries") or {}).get("@odata.id", "/redfish/v1/Registries")
        coll = self.tree.get_data(self.tree.key(coll_id)) or {}
        for member in coll.get("Members", []):
            mid = member.get("@odata.id") if isinstance(member, dict) else None
            entry = self.tree.get_data(self.tree.key(mid)) if mid else None
            if not isinstance(entry, dict):
                continue
            registry = str(entry.get("Registry", entry.get("Id", "")))
            locs = [l for l in entry.get("Location", []) if isinstance(l, dict) and l.get("Uri")]
            locs.sort(key=lambda l: l.get("Language") != "en")
            if registry and locs:
                prefix = registry.split(".")[0]
                self._index.setdefault(prefix, (registry, self.tree.key(locs[0]["Uri"])))

    def _messages(self, prefix):
        if self._index is None:
            self._build_index()
        if prefix not in self._loaded:
            msgs = {}
            if prefix in self._index:
                data = self.tree.get_data(self._index[prefix][1])
                if isinstance(data, dict) and isinstance(data.get("Messages"), dict):
                    msgs = data["Messages"]
            self._loaded[prefix] = msgs
        return self._loaded[prefix]

    def version_prefix(self, prefix, default):
        """'Base' -> 'Base.1.4' from the registry's name (Base.1.4.0)."""
        if self._index is None:
            self._build_index()
        reg = self._index.get(prefix, ("",))[0]
        parts = reg.split(".")
        return ".".join(parts[:3]) if len(parts) >= 3 else default

    def lookup(self, message_id):
        """Registry entry for 'Base.1.4.NoValidSession' (or None)."""
        parts = message_id.split(".")
        entry = self._messages(parts[0]).get(parts[-1])
        return entry if isinstance(entry, dict) else BUILTIN.get(parts[-1])


def substitute(text, args):
    """Replace %1..%N with args."""
    def rep(m):
        i = int(m.group(1)) - 1
        return args[i] if 0 <= i < len(args) else m.group(0)
    return re.sub(r"%(\d+)", rep, text)


class Errors:
    """Builds error/success bodies in the configured dialect."""

    def __init__(self, registries, dialect):
        self.registries = registries
        self.dialect = dialect
        self.base = registries.version_prefix("Base", DEFAULT_BASE)

    def full_id(self, message_id):
        return message_id if "." in message_id else "%s.%s" % (self.base, message_id)

    def entry(self, message_id, args=()):
        mid = self.full_id(message_id)
        args = [str(a) for a in args]
        if self.dialect == "ilo":
            e = {"MessageId": mid}
            if args:
                e["MessageArgs"] = args
            return e
        reg = self.registries.lookup(mid) or {}
        return {
            "@odata.type": MESSAGE_TYPE,
            "MessageId": mid,
            "Message": substitute(str(reg.get("Message", mid)), args),
            "MessageArgs": args,
            "Severity": reg.get("Severity", "Critical"),
            "Resolution": reg.get("Resolution", "None"),
        }

    def body(self, message_id, args=()):
        """Envelope {"error": {...}} around one ExtendedInfo entry."""
        ent = self.entry(message_id, args)
        if self.dialect == "ilo":
            return {"error": {"code": ILO_CODE, "message": ILO_MESSAGE,
                              "@Message.ExtendedInfo": [ent]}}
        if message_id.split(".")[-1] == "Success":
            code, msg = ent["MessageId"], ent["Message"]
        else:
            code, msg = self.full_id("GeneralError"), DMTF_MESSAGE
        return {"error": {"code": code, "message": msg, "@Message.ExtendedInfo": [ent]}}

    def success(self):
        return self.body("Success")
