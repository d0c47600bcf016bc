# SPDX-License-Identifier: MIT
"""Pending settings applied at a server reboot (ComputerSystem.Reset), as iLO's BIOS does.

HPE ("Setting Bios and Storage Controller Properties with Redfish"): changes go to a
resource's settings object (its @Redfish.Settings.SettingsObject); at the next system reset
the settings object's content is transferred to the resource, and the outcome is reported in
the resource's @Redfish.Settings "Messages".

What the emulated BIOS refuses at POST, and how it says so, is invented where HPE is silent:
- an attribute its AttributeRegistry does not know, a value outside an Enumeration's
  Value[].ValueName, an Integer outside LowerBound..UpperBound, a String over MaxLength, a
  change of a ReadOnly attribute: the attribute keeps its value, and Messages holds
  {"MessageId": "Base.1.4.PropertyValueNotInList" (or PropertyValueOutOfRange,
  PropertyValueFormatError, PropertyNotWritable), "MessageArgs": [value, name],
  "RelatedProperties": ["#/Attributes/NAME"], "Severity": "Warning"};
- everything else is applied; Messages starts with {"MessageId": "Base.1.4.Success"}.
@Redfish.Settings "Time" becomes the reset time and "ETag" the resource's new ETag; the
settings object then holds the resource's values again (nothing pending).
"""

import json
import time

from .tree import norm_key

RESET_ACTION = "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset"
BASE = "Base.1.4."


def _registry(tree, name):
    """The attribute registry NAME of the mockup: {attribute name: definition}, or None."""
    for key in ("/redfish/v1/Registries/%s" % name,):
        data = tree.get_data(key) or {}
        for loc in data.get("Location") or []:
            reg = tree.get_data(norm_key(str(loc.get("Uri", "")))) or {}
            entries = (reg.get("RegistryEntries") or {}).get("Attributes")
            if isinstance(entries, list):
                return {a.get("AttributeName"): a for a in entries if isinstance(a, dict)}
    return None


def _refusal(defn, name, value, old):
    """(MessageId, ...) the BIOS refuses value with, or None."""
    if defn is None:
        return "PropertyUnknown"
    if defn.get("ReadOnly") and value != old:
        return "PropertyNotWritable"
    kind = defn.get("Type")
    if kind == "Enumeration":
        names = [v.get("ValueName") for v in defn.get("Value") or []]
        if value not in names:
            return "PropertyValueNotInList"
    elif kind == "Integer":
        if not isinstance(value, int) or isinstance(value, bool):
            return "PropertyValueTypeError"
        if ("LowerBound" in defn and value < defn["LowerBound"]) or \
           ("UpperBound" in defn and value > defn["UpperBound"]):
            return "PropertyValueOutOfRange"
    elif kind in ("String", "Password"):
        if not isinstance(value, str):
            return "PropertyValueTypeError"
        if "MaxLength" in defn and len(value) > defn["MaxLength"]:
            return "PropertyValueFormatError"
    return None


class PendingSettings:
    """Extension: a POST of the system's Reset action applies every settings object."""

    def __init__(self, emu):
        self.tree = emu.tree
        self.patched = set()   # settings objects written since start

    def handle(self, service, req, key, auth):
        if req.method in ("PATCH", "PUT") and self._owner(key) is not None:
            self.patched.add(key)
        if req.method == "POST" and key == RESET_ACTION:
            for settings_key in sorted(self.patched):
                self.apply(settings_key)
            self.patched.clear()
        return None   # the generic handling answers

    def _owner(self, key):
        """The resource whose SettingsObject key is, or None."""
        parent = key.rsplit("/", 1)[0]
        data = self.tree.get_data(parent) if parent else None
        if not isinstance(data, dict):
            return None
        obj = ((data.get("@Redfish.Settings") or {}).get("SettingsObject") or {})
        if norm_key(str(obj.get("@odata.id", ""))) == key:
            return parent
        return None

    def apply(self, settings_key):
        owner = self._owner(settings_key)
        res = self.tree.get_data(owner) if owner else None
        pending = self.tree.get_data(settings_key)
        if not isinstance(res, dict) or not isinstance(pending, dict):
            return
        messages = [{"MessageId": BASE + "Success"}]
        reg = _registry(self.tree, res.get("AttributeRegistry", "")) \
            if "AttributeRegistry" in res else None
        for name, value in pending.items():
            if name.startswith("@") or name in ("Id", "Name", "AttributeRegistry"):
                continue
            if name == "Attributes" and isinstance(value, dict) and reg is not None:
                attrs = res.setdefault("Attributes", {})
                for attr, v in value.items():
                    if attrs.get(attr) == v:
                        continue
                    why = _refusal(reg.get(attr), attr, v, attrs.get(attr))
                    if why:
                        messages.append({
                            "MessageId": BASE + why,
                            "MessageArgs": [json.dumps(v) if not isinstance(v, str) else v, attr],
                            "RelatedProperties": ["#/Attributes/%s" % attr],
                            "Severity": "Warning"})
                    else:
                        attrs[attr] = v
            elif name in res:
                res[name] = json.loads(json.dumps(value))
        etag = self.tree._new_etag(res)
        settings = res.setdefault("@Redfish.Settings", {})
        settings["Messages"] = messages
        settings["Time"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        settings["ETag"] = etag
        # nothing pending any more: the settings object shows the values in effect
        for name in list(pending):
            if name == "Attributes" and isinstance(pending[name], dict):
                pending[name] = json.loads(json.dumps(res.get("Attributes", {})))
        self.tree._new_etag(pending)


def install(emu):
    emu.service.extensions.append(PendingSettings(emu))
