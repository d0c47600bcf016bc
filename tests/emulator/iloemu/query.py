# SPDX-License-Identifier: MIT
"""OData query parameters $expand and $select (DSP0266 "Query parameters"), conditional GET.

What is implemented is what the service root's ProtocolFeaturesSupported advertises, and
nothing more; the iLO 5 mockup advertises ExpandQuery {Levels, MaxLevels 1, NoLinks} and
SelectQuery, so by default:

- $expand=. (with or without ($levels=1)): every reference ({"@odata.id": ...} alone) that is
  not inside a Links property is replaced by the resource it names, as a GET of it would
  answer.  * (ExpandAll) also expands those in Links, ~ (Links) only those; both only when
  advertised (--query-features all).  $levels above MaxLevels: 400 QueryParameterOutOfRange.
- $select=A,B/C: only the named properties (a/b: a property inside a complex one) and the
  resource's @odata.id, @odata.type, @odata.context and @odata.etag are returned.  On a
  collection expanded in the same request, $select applies to its members (the collection
  keeps its Members, Members@odata.count and annotations).  DSP0266 orders the evaluation
  $expand before $select.
- "only" with any other query parameter: 400 (DSP0266).

A $ parameter the service does not support (not advertised, or one the emulator never
implements: $filter, $top, $skip...) is answered per --unsupported-query: "ignore" (HPE: "Non
implemented OData query options are silently discarded", the default, as a real iLO does) or
"501" (DSP0266: 501 Not Implemented with Base QueryNotSupported).  --query-features none
removes ExpandQuery and SelectQuery from the service root; --query-advertise-only keeps them
advertised but not implemented (a BMC that claims what it does not do: invented here, to test
a client's fallback).

HPE documents that a real iLO treats $expand=* like $expand=. although it does not advertise
ExpandAll; the emulator follows the advertisement instead (a client must not rely on the
difference).

Conditional GET: a GET whose If-None-Match names the resource's current ETag answers 304 Not
Modified with that ETag and no body (RFC 7232; iLO sends ETags on its GET answers).
"""

import copy
import re
import urllib.parse

from .errors import ApiError

FEATURES = ("ilo5", "all", "none")
UNSUPPORTED = ("ignore", "501")
ANNOTATIONS = ("@odata.id", "@odata.type", "@odata.context", "@odata.etag")
COLLECTION_KEEP = ("Members", "Members@odata.count", "Members@odata.nextLink")
EXPAND_RE = re.compile(r"^([.*~])(?:\(\$levels=(\d+)\))?$")


def split_query(path):
    """[(name, value)] of a request path's query, names and values percent-decoded."""
    query = path.partition("?")[2].partition("#")[0]
    out = []
    for part in query.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        out.append((urllib.parse.unquote(name), urllib.parse.unquote(value)))
    return out


def is_reference(node):
    return isinstance(node, dict) and isinstance(node.get("@odata.id"), str) and \
        all(k.startswith("@odata.") for k in node)


class QueryOptions:
    """Configured once from the command line; apply() is called under the emulator lock."""

    def __init__(self, features="ilo5", unsupported="ignore", advertise_only=False):
        self.features = features
        self.unsupported = unsupported
        self.advertise_only = advertise_only
        self.expand = {}       # the advertised ExpandQuery object ({} = none)
        self.select = False

    def install(self, tree):
        """Rewrite the service root's ProtocolFeaturesSupported to what is configured."""
        root = tree.get_data("/redfish/v1")
        if not isinstance(root, dict):
            return
        pfs = root.setdefault("ProtocolFeaturesSupported", {})
        if self.features == "all":
            pfs["ExpandQuery"] = {"ExpandAll": True, "Levels": True, "Links": True,
                                  "MaxLevels": 1, "NoLinks": True}
            pfs["SelectQuery"] = True
        elif self.features == "none":
            pfs.pop("ExpandQuery", None)
            pfs.pop("SelectQuery", None)
        if self.unsupported == "501":
            # nothing else is implemented: advertising it would be a lie
            for name in ("FilterQuery", "ExcerptQuery", "TopSkipQuery"):
                if name in pfs:
                    pfs[name] = False
        expand = pfs.get("ExpandQuery")
        self.expand = dict(expand) if isinstance(expand, dict) and not self.advertise_only else {}
        self.select = bool(pfs.get("SelectQuery")) and not self.advertise_only
        if self.features != "ilo5" or self.unsupported == "501":
            tree.renew_etag("/redfish/v1")

    # ---- parsing -----------------------------------------------------
    def _unsupported(self, name):
        if self.unsupported == "501":
            raise ApiError(501, "QueryNotSupported", [name])
        return None

    def _parse_expand(self, value):
        """(kind, levels) or None when the service does not do this expansion."""
        m = EXPAND_RE.match(value)
        if not m:
            raise ApiError(400, "QueryParameterValueFormatError", [value, "$expand"])
        kind, levels = m.group(1), int(m.group(2) or 1)
        flag = {".": "NoLinks", "*": "ExpandAll", "~": "Links"}[kind]
        if not self.expand.get(flag) or (m.group(2) and not self.expand.get("Levels")):
            return self._unsupported("$expand")
        if levels < 1 or levels > int(self.expand.get("MaxLevels", 1)):
            raise ApiError(400, "QueryParameterOutOfRange",
                           [str(levels), "$expand", "1-%s" % self.expand.get("MaxLevels", 1)])
        return kind, levels

    def _parse_select(self, value):
        if not self.select:
            return self._unsupported("$select")
        names = [v.strip() for v in value.split(",")]
        if not value or any(not n or n.startswith("/") or n.endswith("/") for n in names):
            raise ApiError(400, "QueryParameterValueFormatError", [value, "$select"])
        return [n.split("/") for n in names]

    def parse(self, path):
        """(expand, select) to apply to a GET of path; raises ApiError."""
        params = split_query(path)
        names = [n for n, _ in params]
        if "only" in names and len(names) > 1:
            raise ApiError(400, "QueryCombinationInvalid")
        expand = select = None
        for name, value in params:
            if name == "$expand":
                expand = self._parse_expand(value)
            elif name == "$select":
                select = self._parse_select(value)
            elif name.startswith("$"):
                self._unsupported(name)
        return expand, select

    # ---- applying ----------------------------------------------------
    def _expand(self, node, kind, levels, fetch, in_links):
        if isinstance(node, list):
            return [self._expand(v, kind, levels, fetch, in_links) for v in node]
        if not isinstance(node, dict):
            return node
        if is_reference(node):
            wanted = {".": not in_links, "*": True, "~": in_links}[kind]
            got = fetch(node["@odata.id"]) if wanted else None
            if not isinstance(got, dict):
                return node
            if levels > 1:
                got = self._expand(got, kind, levels - 1, fetch, False)
            return got
        return {k: (v if k.startswith("@") else
                    self._expand(v, kind, levels, fetch, in_links or k == "Links"))
                for k, v in node.items()}

    @staticmethod
    def _select(data, paths):
        out = {k: data[k] for k in ANNOTATIONS if k in data}
        for path in paths:
            src, dst = data, out
            for i, name in enumerate(path):
                if not isinstance(src, dict) or name not in src:
                    break
                if i == len(path) - 1:
                    dst[name] = src[name]
                else:
                    src = src[name]
                    dst = dst.setdefault(name, {})
        return out

    def apply(self, data, expand, select, fetch):
        """The body of a GET answer (data, a dict) after $expand and then $select.
        fetch(odata_id) -> the dict a GET of it answers, or None."""
        if expand is None and select is None:
            return data
        data = copy.deepcopy(data)
        expanded = False
        if expand is not None:
            data = self._expand(data, expand[0], expand[1], fetch, False)
            expanded = isinstance(data.get("Members"), list)
        if select is not None:
            if expanded:
                kept = {k: data[k] for k in data if k in ANNOTATIONS or k in COLLECTION_KEEP}
                kept["Members"] = [self._select(m, select) if isinstance(m, dict) and
                                   not is_reference(m) else m for m in data["Members"]]
                data = kept
            else:
                data = self._select(data, select)
        return data


def not_modified(req, resp):
    """A 304 for a GET/HEAD whose If-None-Match names the answer's ETag, else None."""
    wanted = req.headers.get("If-None-Match")
    if wanted is None or req.method not in ("GET", "HEAD") or resp.status != 200:
        return None
    etag = next((v for n, v in resp.headers if n.lower() == "etag"), None)
    if etag is None:
        return None
    tags = [t.strip() for t in wanted.split(",")]
    if "*" in tags or etag in tags:
        from .service import Response
        return Response(304, None, [("ETag", etag)])
    return None
