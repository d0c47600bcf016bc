# SPDX-License-Identifier: MIT
"""The Redfish resource tree: mockup loading (lazy), ETags, PATCH/PUT/POST/DELETE."""

import copy
import json
import os
import urllib.parse
import zlib

from .errors import ApiError

ROOT = "/redfish/v1"


def norm_key(path):
    """Lookup key of a request path or @odata.id: decoded, no query, no trailing slash."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    path = urllib.parse.unquote(path)
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    return path


def compute_etag(data):
    """W/"XXXXXXXX" from the content."""
    raw = json.dumps(data, sort_keys=True).encode()
    return 'W/"%08X"' % (zlib.crc32(raw) & 0xFFFFFFFF)


def _is_error_capture(data):
    return isinstance(data, dict) and len(data) == 1 and isinstance(data.get("error"), dict)


def _missing_capture(data):
    infos = data["error"].get("@Message.ExtendedInfo") or []
    return any("ResourceMissingAtURI" in str(i.get("MessageId", "")) for i in infos
               if isinstance(i, dict))


class Entry:
    """One resource: its file (parsed on first use), kind json|xml|error."""

    __slots__ = ("file", "kind", "data", "raw")

    def __init__(self, file, kind):
        self.file = file
        self.kind = kind
        self.data = None
        self.raw = None


class Tree:
    """All resources by key. Not thread-safe: callers hold the emulator lock."""

    def __init__(self, directory):
        if not os.path.isfile(os.path.join(directory, "index.json")):
            raise ValueError("no index.json in mockup directory %s" % directory)
        self.directory = directory
        self.entries = {}
        self.generation = 0
        for dirpath, _dirs, files in os.walk(directory):
            rel = os.path.relpath(dirpath, directory)
            base = ROOT if rel == "." else ROOT + "/" + urllib.parse.unquote(rel.replace(os.sep, "/"))
            for name in files:
                full = os.path.join(dirpath, name)
                if name == "index.json":
                    self.entries[base] = Entry(full, "json")
                elif name == "index.xml":
                    self.entries[base] = Entry(full, "xml")
                elif name.endswith(".json"):
                    self.entries[base + "/" + urllib.parse.unquote(name)] = Entry(full, "json")
        # iLO's URIs are case-insensitive: the mockup's own links say /redfish/v1/systems/1/bios/
        # for the directory Systems/1/bios.  An exact key wins; else the one key that differs
        # only in case.
        self.folded = {}
        for k in self.entries:
            self.folded.setdefault(k.lower(), k)

    @staticmethod
    def key(path):
        return norm_key(path)

    def _load(self, key):
        entry = self.entries.get(key)
        if entry is None and key.lower() in self.folded:
            entry = self.entries.get(self.folded[key.lower()])
            key = self.folded[key.lower()]
        if entry is None or entry.file is None or (entry.data is not None or entry.raw is not None):
            return entry
        try:
            with open(entry.file, "rb") as fh:
                raw = fh.read()
        except OSError:
            del self.entries[key]
            return None
        if entry.kind == "xml":
            entry.raw = raw
            return entry
        try:
            data = json.loads(raw)
        except ValueError:
            del self.entries[key]
            return None
        if _is_error_capture(data):
            if _missing_capture(data):
                del self.entries[key]
                return None
            entry.kind = "error"
        elif isinstance(data, dict) and "@odata.id" in data and "@odata.etag" not in data:
            data["@odata.etag"] = compute_etag(data)
        entry.data = data
        return entry

    def get(self, key):
        """Entry for key (loaded) or None."""
        return self._load(key)

    def get_data(self, key):
        entry = self._load(key)
        return entry.data if entry is not None and entry.kind != "xml" else None

    def exists(self, key):
        return self._load(key) is not None

    def is_collection(self, key):
        data = self.get_data(key)
        return isinstance(data, dict) and isinstance(data.get("Members"), list)

    def odata_id(self, key):
        data = self.get_data(key)
        if isinstance(data, dict) and isinstance(data.get("@odata.id"), str):
            return data["@odata.id"]
        return urllib.parse.quote(key)

    def etag(self, key):
        data = self.get_data(key)
        if not isinstance(data, dict):
            return None
        return data.get("@odata.etag") or compute_etag(data)

    def renew_etag(self, key):
        """A resource changed by the emulator itself (not by a request) gets a new ETag."""
        data = self.get_data(key)
        if isinstance(data, dict):
            self._new_etag(data)

    def _new_etag(self, data):
        old = data.get("@odata.etag")
        while True:
            self.generation += 1
            tag = 'W/"%08X"' % (zlib.crc32(
                (json.dumps(data, sort_keys=True) + str(self.generation)).encode()) & 0xFFFFFFFF)
            if tag != old:
                data["@odata.etag"] = tag
                return tag

    # ---- PATCH / PUT -------------------------------------------------
    def _check_patch(self, target, patch, top):
        for name, value in patch.items():
            if name.startswith("@odata.") or (top and name == "Id"):
                raise ApiError(400, "PropertyNotWritable", [name])
            if name not in target:
                raise ApiError(400, "PropertyUnknown", [name])
            if isinstance(value, dict) and isinstance(target[name], dict):
                self._check_patch(target[name], value, False)

    @staticmethod
    def _merge(target, patch):
        for name, value in patch.items():
            if isinstance(value, dict) and isinstance(target.get(name), dict):
                Tree._merge(target[name], value)
            else:
                target[name] = copy.deepcopy(value)

    def patch(self, key, body):
        """Deep-merge body into the resource; returns the new ETag."""
        data = self.get_data(key)
        self._check_patch(data, body, True)
        self._merge(data, body)
        return self._new_etag(data)

    def put(self, key, body):
        """Replace the resource, keeping @odata.* and Id; returns the new ETag."""
        data = self.get_data(key)
        kept = {k: v for k, v in data.items() if k.startswith("@odata.") or k == "Id"}
        fresh = {k: copy.deepcopy(v) for k, v in body.items()
                 if not k.startswith("@odata.") and k != "Id"}
        data.clear()
        data.update(kept)
        data.update(fresh)
        return self._new_etag(data)

    # ---- collections -------------------------------------------------
    def member_of(self, key):
        """Key of the collection listing key as a member, or None."""
        parent = key.rsplit("/", 1)[0]
        coll = self.get_data(parent)
        if not (isinstance(coll, dict) and isinstance(coll.get("Members"), list)):
            return None
        for m in coll["Members"]:
            if isinstance(m, dict) and norm_key(str(m.get("@odata.id", ""))) == key:
                return parent
        return None

    def create_member(self, coll_key, body):
        """Add a member to a collection; returns (key, data)."""
        coll = self.get_data(coll_key)
        members = coll["Members"]
        used = set()
        sibling = None
        for m in members:
            mkey = norm_key(str(m.get("@odata.id", ""))) if isinstance(m, dict) else ""
            used.add(mkey.rsplit("/", 1)[-1])
            sibling = sibling or self.get_data(mkey)
        n = len(members) + 1
        while str(n) in used or self.exists(coll_key + "/" + str(n)):
            n += 1
        new_id = str(n)
        cid = coll.get("@odata.id", urllib.parse.quote(coll_key))
        oid = cid + new_id + "/" if cid.endswith("/") else cid + "/" + new_id
        data = {}
        if isinstance(sibling, dict):
            for k in ("@odata.context", "@odata.type"):
                if k in sibling:
                    data[k] = sibling[k]
        data["@odata.id"] = oid
        data["Id"] = new_id
        for k, v in body.items():
            if not k.startswith("@odata.") and k != "Id":
                data[k] = copy.deepcopy(v)
        self._new_etag(data)
        key = norm_key(oid)
        entry = Entry(None, "json")
        entry.data = data
        self.entries[key] = entry
        members.append({"@odata.id": oid})
        coll["Members@odata.count"] = len(members)
        self._new_etag(coll)
        return key, data

    def delete_member(self, key, coll_key):
        coll = self.get_data(coll_key)
        coll["Members"] = [m for m in coll["Members"]
                           if not (isinstance(m, dict) and norm_key(str(m.get("@odata.id", ""))) == key)]
        coll["Members@odata.count"] = len(coll["Members"])
        self._new_etag(coll)
        prefix = key + "/"
        for k in [k for k in self.entries if k == key or k.startswith(prefix)]:
            del self.entries[k]

    # ---- actions -----------------------------------------------------
    def find_action(self, key):
        """For .../Actions/X: (owner key, True if X is a listed target). None if not an action path."""
        idx = key.find("/Actions/")
        if idx < 0:
            return None
        owner = key[:idx]
        data = self.get_data(owner)
        if data is None:
            return owner, False
        return owner, any(norm_key(t) == key for t in _targets(data.get("Actions")))


def _targets(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "target" and isinstance(v, str):
                yield v
            else:
                yield from _targets(v)
