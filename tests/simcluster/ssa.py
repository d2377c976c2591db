"""Server-side apply and managedFields bookkeeping (a reduced structured-merge-diff).

A field set is a Python set of paths; a path is a tuple of elements
("f", name) | ("k", '{"name":"c"}') | ("v", '"x"').  A path ending in a "k"/"v"
element stands for the list item itself (fieldsV1 ".").
"""

import json

import schema
from store import deepcopy, now

SKIP_TOP = {"apiVersion", "kind", "status"}
SKIP_META = {"name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
             "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "generateName"}


class ApplyConflict(Exception):
    def __init__(self, conflicts):
        self.conflicts = conflicts          # [(manager, operation, apiVersion, path)]
        super().__init__(self.message())

    def message(self):
        def who(m, op, av):
            return '"%s"' % m if op == "Apply" else '"%s" using %s' % (m, av)
        if len(self.conflicts) == 1:
            m, op, av, p = self.conflicts[0]
            return "Apply failed with 1 conflict: conflict with %s: %s" % (who(m, op, av), render(p))
        by = {}
        for m, op, av, p in self.conflicts:
            by.setdefault((m, op, av), []).append(render(p))
        lines = []
        for key in sorted(by):
            lines.append("conflicts with %s:" % who(*key))
            lines.extend("- " + p for p in by[key])
        return "Apply failed with %d conflicts: %s" % (len(self.conflicts), "\n".join(lines))

    def causes(self):
        return [{"reason": "FieldManagerConflict",
                 "message": 'conflict with "%s"%s' % (m, "" if op == "Apply" else " using " + av),
                 "field": render(p)} for m, op, av, p in self.conflicts]


def render(path):
    out = ""
    for kind, v in path:
        if kind == "f":
            out += "." + v
        elif kind == "k":
            d = json.loads(v)
            out += "[" + ",".join("%s=%s" % (k, json.dumps(d[k])) for k in d) + "]"
        else:
            out += "[=" + v + "]"
    return out


def _key_of(keys, item):
    d = schema.key_defaults(keys)
    out = {}
    for k in keys:
        if k in item:
            out[k] = item[k]
        elif k in d:
            out[k] = d[k]
    return json.dumps(out, sort_keys=True, separators=(",", ":"))


# ---------------------------------------------------------------- field sets

def fieldset(kk, obj):
    out = set()
    if not isinstance(obj, dict):
        return out
    for k, v in obj.items():
        if k in SKIP_TOP:
            continue
        if k == "metadata" and isinstance(v, dict):
            for mk, mv in v.items():
                if mk in SKIP_META:
                    continue
                _collect(kk, ("metadata", mk), (("f", "metadata"), ("f", mk)), mv, out)
            continue
        _collect(kk, (k,), (("f", k),), v, out)
    return out


def _collect(kk, names, path, v, out):
    if isinstance(v, dict):
        if not v:
            out.add(path)
        for k, x in v.items():
            _collect(kk, names + (k,), path + (("f", k),), x, out)
    elif isinstance(v, list):
        lt = schema.list_type(kk, names)
        if lt[0] == "map":
            for item in v:
                if isinstance(item, dict):
                    ip = path + (("k", _key_of(lt[1], item)),)
                    out.add(ip)
                    for k, x in item.items():
                        _collect(kk, names + (k,), ip + (("f", k),), x, out)
        elif lt[0] == "set":
            for item in v:
                out.add(path + (("v", json.dumps(item, separators=(",", ":"))),))
        else:
            out.add(path)
    else:
        out.add(path)


_MISSING = object()


def get_path(kk, obj, path):
    cur = obj
    names = ()
    for kind, v in path:
        if kind == "f":
            if not isinstance(cur, dict) or v not in cur:
                return _MISSING
            cur = cur[v]
            names += (v,)
        elif kind == "k":
            if not isinstance(cur, list):
                return _MISSING
            lt = schema.list_type(kk, names)
            keys = lt[1] if lt[0] == "map" else list(json.loads(v))
            found = _MISSING
            for item in cur:
                if isinstance(item, dict) and _key_of(keys, item) == v:
                    found = item
                    break
            if found is _MISSING:
                return _MISSING
            cur = found
        else:
            val = json.loads(v)
            if not isinstance(cur, list) or val not in cur:
                return _MISSING
            cur = val
    return cur


def _remove_path(kk, obj, path):
    parent = get_path(kk, obj, path[:-1])
    if parent is _MISSING:
        return
    kind, v = path[-1]
    if kind == "f":
        if isinstance(parent, dict):
            parent.pop(v, None)
    elif isinstance(parent, list):
        names = tuple(x[1] for x in path[:-1] if x[0] == "f")
        lt = schema.list_type(kk, names)
        if kind == "k":
            keys = lt[1] if lt[0] == "map" else list(json.loads(v))
            parent[:] = [i for i in parent if not (isinstance(i, dict) and _key_of(keys, i) == v)]
        else:
            val = json.loads(v)
            parent[:] = [i for i in parent if i != val]


def _prune(kk, obj, path, others):
    """Drop containers emptied by a removal (not top-level fields, not ones others own)."""
    while len(path) > 1:
        v = get_path(kk, obj, path)
        if v is _MISSING or not isinstance(v, (dict, list)) or v or path in others:
            return
        _remove_path(kk, obj, path)
        path = path[:-1]


def to_fieldsv1(paths):
    root = {}
    for p in sorted(paths, key=len):
        node = root
        for kind, v in p:
            node = node.setdefault(kind + ":" + v, {})
        if p and p[-1][0] in ("k", "v") and True:
            node.setdefault(".", {})
    # list items that are leaves ("v:" entries) need no "." (an empty node is a leaf)
    def fix(n):
        for k, c in n.items():
            if k.startswith("v:") and set(c) == {"."}:
                n[k] = {}
            else:
                fix(c)
    fix(root)
    return root


def from_fieldsv1(node, prefix=()):
    out = set()
    if not isinstance(node, dict):
        return out
    if prefix and not node:
        out.add(prefix)
    for k, c in node.items():
        if k == ".":
            out.add(prefix)
            continue
        kind, _, v = k.partition(":")
        out |= from_fieldsv1(c, prefix + ((kind, v),))
    return out


# ---------------------------------------------------------------- managed field entries

def parse_managed(obj):
    out = []
    for e in (obj or {}).get("metadata", {}).get("managedFields") or []:
        out.append({"manager": e.get("manager", ""), "operation": e.get("operation", "Update"),
                    "apiVersion": e.get("apiVersion", ""), "time": e.get("time"),
                    "subresource": e.get("subresource"),
                    "set": from_fieldsv1(e.get("fieldsV1") or {})})
    return out


def encode_managed(entries):
    out = []
    for e in entries:
        if not e["set"]:
            continue
        d = {"manager": e["manager"], "operation": e["operation"], "apiVersion": e["apiVersion"],
             "time": e["time"] or now(), "fieldsType": "FieldsV1", "fieldsV1": to_fieldsv1(e["set"])}
        if e.get("subresource"):
            d["subresource"] = e["subresource"]
        out.append(d)
    return out


def _entry(entries, manager, op, api_version, subresource=None):
    for e in entries:
        if e["manager"] == manager and e["operation"] == op and e.get("subresource") == subresource:
            return e
    e = {"manager": manager, "operation": op, "apiVersion": api_version, "time": None, "set": set(),
         "subresource": subresource}
    entries.append(e)
    return e


def _strip(obj):
    o = deepcopy(obj)
    o.get("metadata", {}).pop("managedFields", None)
    return o


# ---------------------------------------------------------------- merge

def _merge(kk, names, live, applied):
    if isinstance(applied, dict):
        out = deepcopy(live) if isinstance(live, dict) else {}
        for k, v in applied.items():
            if v is None:
                out.pop(k, None)
            else:
                out[k] = _merge(kk, names + (k,), out.get(k), v)
        return out
    if isinstance(applied, list):
        lt = schema.list_type(kk, names)
        cur = deepcopy(live) if isinstance(live, list) else []
        if lt[0] == "map":
            keys = lt[1]
            for item in applied:
                if not isinstance(item, dict):
                    continue
                kj = _key_of(keys, item)
                idx = next((i for i, x in enumerate(cur) if isinstance(x, dict) and _key_of(keys, x) == kj), None)
                if idx is None:
                    cur.append(_merge(kk, names, None, item))
                else:
                    cur[idx] = _merge(kk, names, cur[idx], item)
            return cur
        if lt[0] == "set":
            for x in applied:
                if x not in cur:
                    cur.append(x)
            return cur
        return deepcopy(applied)
    return applied


def apply(kk, live, applied, manager, force, api_version):
    """Return (merged object, managed entries).  live may be None (create).
    Raises ApplyConflict."""
    entries = parse_managed(live) if live else []
    aset = fieldset(kk, applied)
    conflicts = []
    forced = []
    for e in entries:
        if (e["manager"] == manager and e["operation"] == "Apply") or e.get("subresource"):
            continue
        for p in sorted(aset & e["set"], key=render):
            if p[-1][0] in ("k", "v"):
                continue
            lv = get_path(kk, live, p)
            av = get_path(kk, applied, p)
            if lv != av:
                if force:
                    forced.append((e, p))
                else:
                    conflicts.append((e["manager"], e["operation"], e["apiVersion"], p))
    if conflicts:
        raise ApplyConflict(conflicts)
    for e, p in forced:
        e["set"].discard(p)
    mine = _entry(entries, manager, "Apply", api_version)
    prev = set(mine["set"])
    others = set()
    for e in entries:
        if e is not mine and not e.get("subresource"):
            others |= e["set"]
    base = _strip(live) if live else {}
    removed = prev - aset - others
    done = []
    for p in sorted(removed, key=len):
        if any(p[:len(d)] == d for d in done):
            continue
        # keep a list item while another manager still owns something inside it
        if p[-1][0] == "k" and any(len(o) > len(p) and o[:len(p)] == p for o in others):
            continue
        _remove_path(kk, base, p)
        done.append(p)
        _prune(kk, base, p[:-1], others)
    merged = _merge(kk, (), base, {k: v for k, v in applied.items() if k != "status"})
    md = merged.setdefault("metadata", {})
    for k in ("managedFields",):
        md.pop(k, None)
    if mine["set"] != aset:
        mine["time"] = None
    mine["set"] = aset
    mine["apiVersion"] = api_version
    return merged, entries


def finish(entries, old_obj, new_obj, manager):
    """Stamp times (the applying manager's entry when it changed something); return managedFields."""
    changed = old_obj is None or _strip(old_obj) != _strip(new_obj)
    t = now()
    for e in entries:
        if e["time"] is None or (changed and e["manager"] == manager and e["operation"] == "Apply"):
            e["time"] = t
    return encode_managed(entries)


def track_update(kk, old_obj, new_obj, manager, api_version, subresource=None):
    """managedFields for a non-apply write (create/update/patch) by manager."""
    entries = parse_managed(old_obj) if old_obj else []
    if subresource == "status":
        return (old_obj or {}).get("metadata", {}).get("managedFields")
    new_set = fieldset(kk, new_obj)
    old_set = fieldset(kk, old_obj) if old_obj else set()
    changed = set()
    for p in new_set:
        if p not in old_set or get_path(kk, old_obj, p) != get_path(kk, new_obj, p):
            changed.add(p)
    removed = old_set - new_set
    # a removed list item takes everything inside it along
    for e in entries:
        e["set"] = {p for p in e["set"] if p not in removed and not any(
            len(p) > len(r) and p[:len(r)] == r for r in removed if r[-1][0] in ("k", "f"))}
        if not (e["manager"] == manager and e["operation"] == "Update"):
            e["set"] -= changed
    if changed:
        mine = _entry(entries, manager, "Update", api_version)
        mine["set"] |= changed
        mine["time"] = None
        mine["apiVersion"] = api_version
    t = now()
    for e in entries:
        if e["time"] is None:
            e["time"] = t
    return encode_managed(entries)
