"""JSON patch (RFC 6902), JSON merge patch (RFC 7386) and strategic merge patch."""

import json

import schema
from store import deepcopy


class PatchError(Exception):
    pass


# ---------------------------------------------------------------- JSON patch

def _ptr(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError('invalid JSON pointer "%s"' % path)
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _walk(doc, parts):
    cur = doc
    for p in parts:
        if isinstance(cur, dict):
            if p not in cur:
                raise PatchError("doc is missing path: %s" % p)
            cur = cur[p]
        elif isinstance(cur, list):
            try:
                cur = cur[int(p)]
            except (ValueError, IndexError):
                raise PatchError("doc is missing path: %s" % p)
        else:
            raise PatchError("doc is missing path: %s" % p)
    return cur


def json_patch(doc, ops):
    doc = deepcopy(doc)
    if not isinstance(ops, list):
        raise PatchError("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    for op in ops:
        kind = op.get("op")
        parts = _ptr(op.get("path", ""))

        def put(parts, value, insert):
            nonlocal doc
            if not parts:
                doc = value
                return
            parent = _walk(doc, parts[:-1])
            last = parts[-1]
            if isinstance(parent, dict):
                parent[last] = value
            elif isinstance(parent, list):
                if last == "-":
                    parent.append(value)
                else:
                    i = int(last)
                    if i < 0 or i > len(parent) or (not insert and i >= len(parent)):
                        raise PatchError("Unable to access invalid index: %d" % i)
                    if insert:
                        parent.insert(i, value)
                    else:
                        parent[i] = value
            else:
                raise PatchError("doc is missing path: %s" % op.get("path"))

        def remove(parts):
            parent = _walk(doc, parts[:-1])
            last = parts[-1]
            if isinstance(parent, dict):
                if last not in parent:
                    raise PatchError("Unable to remove nonexistent key: %s: missing value" % last)
                return parent.pop(last)
            if isinstance(parent, list):
                try:
                    return parent.pop(int(last))
                except (ValueError, IndexError):
                    raise PatchError("Unable to remove nonexistent key: %s: missing value" % last)
            raise PatchError("doc is missing path: %s" % op.get("path"))

        if kind == "add":
            put(parts, deepcopy(op.get("value")), True)
        elif kind == "remove":
            remove(parts)
        elif kind == "replace":
            _walk(doc, parts)
            put(parts, deepcopy(op.get("value")), False)
        elif kind == "move":
            v = remove(_ptr(op.get("from", "")))
            put(parts, v, True)
        elif kind == "copy":
            v = deepcopy(_walk(doc, _ptr(op.get("from", ""))))
            put(parts, v, True)
        elif kind == "test":
            if _walk(doc, parts) != op.get("value"):
                raise PatchError("testing value %s failed: test failed" % op.get("path"))
        else:
            raise PatchError("Unexpected kind: %s" % kind)
    return doc


# ---------------------------------------------------------------- merge patch

def merge_patch(doc, patch):
    if not isinstance(patch, dict):
        return deepcopy(patch)
    out = deepcopy(doc) if isinstance(doc, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


# ---------------------------------------------------------------- strategic merge patch

def strategic_merge(kind_key, doc, patch):
    """kind_key: store key of the resource (for list merge keys)."""
    if not isinstance(patch, dict):
        raise PatchError("strategic merge patch must be an object")
    return _smp_map(kind_key, (), doc if isinstance(doc, dict) else {}, patch)


def _smp_map(kk, path, doc, patch):
    out = deepcopy(doc)
    directive = patch.get("$patch")
    if directive == "replace":
        p = {k: v for k, v in patch.items() if k != "$patch"}
        return _strip_directives(p)
    if directive == "delete":
        return None
    retain = patch.get("$retainKeys")
    for k, v in patch.items():
        if k in ("$patch", "$retainKeys"):
            continue
        if k.startswith("$setElementOrder/") or k.startswith("$deleteFromPrimitiveList/"):
            continue
        if v is None:
            out.pop(k, None)
            continue
        sub = path + (k,)
        if isinstance(v, dict):
            cur = out.get(k)
            r = _smp_map(kk, sub, cur if isinstance(cur, dict) else {}, v)
            if r is None:
                out.pop(k, None)
            else:
                out[k] = r
        elif isinstance(v, list):
            out[k] = _smp_list(kk, sub, out.get(k), v)
        else:
            out[k] = v
    for k, v in patch.items():
        if k.startswith("$deleteFromPrimitiveList/"):
            f = k.split("/", 1)[1]
            if isinstance(out.get(f), list):
                out[f] = [x for x in out[f] if x not in v]
        elif k.startswith("$setElementOrder/"):
            f = k.split("/", 1)[1]
            if isinstance(out.get(f), list):
                out[f] = _reorder(kk, path + (f,), out[f], v)
    if isinstance(retain, list):
        for k in list(out):
            if k not in retain:
                del out[k]
    return out


def _item_key(keys, item):
    if not isinstance(item, dict):
        return None
    return tuple(item.get(k) for k in keys[:1])


def _reorder(kk, path, items, order):
    info = schema.list_type(kk, path)
    if info[0] == "map":
        keys = info[1]
        pos = {}
        for i, o in enumerate(order):
            pos[_item_key(keys, o)] = i
        ordered = sorted((x for x in items if _item_key(keys, x) in pos), key=lambda x: pos[_item_key(keys, x)])
        rest = [x for x in items if _item_key(keys, x) not in pos]
        return ordered + rest
    pos = {json.dumps(o, sort_keys=True): i for i, o in enumerate(order)}
    ordered = sorted((x for x in items if json.dumps(x, sort_keys=True) in pos),
                     key=lambda x: pos[json.dumps(x, sort_keys=True)])
    return ordered + [x for x in items if json.dumps(x, sort_keys=True) not in pos]


def _smp_list(kk, path, cur, patch):
    info = schema.list_type(kk, path)
    if any(isinstance(x, dict) and x.get("$patch") == "replace" for x in patch):
        return [_strip_directives(x) for x in patch if not (isinstance(x, dict) and x.get("$patch") == "replace")]
    cur = deepcopy(cur) if isinstance(cur, list) else []
    if info[0] == "set":
        for x in patch:
            if x not in cur:
                cur.append(x)
        return cur
    if info[0] != "map":
        return _strip_directives(deepcopy(patch))
    keys = info[1]
    for item in patch:
        if not isinstance(item, dict):
            continue
        k = _item_key(keys, item)
        idx = next((i for i, x in enumerate(cur) if _item_key(keys, x) == k), None)
        if item.get("$patch") == "delete":
            if idx is not None:
                cur.pop(idx)
            continue
        if idx is None:
            cur.append(_strip_directives(item))
        else:
            cur[idx] = _smp_map(kk, path, cur[idx], item)
    return cur


def _strip_directives(v):
    if isinstance(v, dict):
        return {k: _strip_directives(x) for k, x in v.items() if not k.startswith("$")}
    if isinstance(v, list):
        return [_strip_directives(x) for x in v]
    return v
