"""OpenAPI v3 documents: enough for kubectl to see that the server validates
fields itself (fieldValidation on PATCH operations) and for kubectl explain."""

import hashlib
import json

import registry
import schema


def _gv_paths():
    out = {}
    for r in registry.RESOURCES:
        for v in r.versions:
            key = "api/" + v if not r.group else "apis/%s/%s" % (r.group, v)
            out.setdefault(key, []).append((r, v))
    return out


PARAMS = [{"name": n, "in": "query", "schema": {"type": "string", "uniqueItems": True}}
          for n in ("dryRun", "fieldManager", "fieldValidation", "force")]


def _doc(gvpath, entries):
    paths = {}
    schemas = {}
    for r, v in entries:
        base = "/" + gvpath
        gvk = {"group": r.group, "version": v, "kind": r.kind}
        sname = "io.k8s.api.%s.%s.%s" % ((r.group or "core").split(".")[0], v, r.kind)
        ks = schema.kind_fields(r.key, v)
        if ks is not None:
            parts = schema.openapi_schema("kind:%s@%s" % (r.key, v))
            top = parts.pop("__kind__")
            top["x-kubernetes-group-version-kind"] = [gvk]
            schemas[sname] = top
            schemas.update(parts)
        else:
            schemas[sname] = {"type": "object", "x-kubernetes-group-version-kind": [gvk],
                              "x-kubernetes-preserve-unknown-fields": True}
        ref = {"$ref": "#/components/schemas/" + sname}
        content = {"application/json": {"schema": ref}}
        item = base + ("/namespaces/{namespace}/" if r.namespaced else "/") + r.plural + "/{name}"
        coll = base + ("/namespaces/{namespace}/" if r.namespaced else "/") + r.plural
        ops = {}
        if "get" in r.verbs:
            ops["get"] = {"x-kubernetes-action": "get", "x-kubernetes-group-version-kind": gvk,
                          "responses": {"200": {"content": content}}}
        if "update" in r.verbs:
            ops["put"] = {"x-kubernetes-action": "put", "x-kubernetes-group-version-kind": gvk,
                          "parameters": PARAMS, "requestBody": {"content": {"*/*": {"schema": ref}}},
                          "responses": {"200": {"content": content}}}
        if "patch" in r.verbs:
            ops["patch"] = {"x-kubernetes-action": "patch", "x-kubernetes-group-version-kind": gvk,
                            "parameters": PARAMS, "requestBody": {"content": {
                                "application/apply-patch+yaml": {"schema": {"type": "object"}},
                                "application/json-patch+json": {"schema": {"type": "object"}},
                                "application/merge-patch+json": {"schema": {"type": "object"}}}},
                            "responses": {"200": {"content": content}}}
        if "delete" in r.verbs:
            ops["delete"] = {"x-kubernetes-action": "delete", "x-kubernetes-group-version-kind": gvk,
                             "parameters": PARAMS[:1]}
        if ops:
            paths[item] = ops
        cops = {}
        if "create" in r.verbs:
            cops["post"] = {"x-kubernetes-action": "post", "x-kubernetes-group-version-kind": gvk,
                            "parameters": PARAMS, "requestBody": {"content": {"*/*": {"schema": ref}}},
                            "responses": {"201": {"content": content}}}
        if "list" in r.verbs:
            cops["get"] = {"x-kubernetes-action": "list", "x-kubernetes-group-version-kind": gvk}
        if cops:
            paths[coll] = cops
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.0"}, "paths": paths,
            "components": {"schemas": schemas}}


_CACHE = {}


def document(path, port):
    gvs = _gv_paths()
    if path == "/openapi/v3":
        out = {}
        for k in gvs:
            h = hashlib.sha512(json.dumps(_get(k, gvs), sort_keys=True).encode()).hexdigest()[:64].upper()
            out[k] = {"serverRelativeURL": "/openapi/v3/%s?hash=%s" % (k, h)}
        return {"paths": out}
    if path.startswith("/openapi/v3/"):
        k = path[len("/openapi/v3/"):]
        if k in gvs:
            return _get(k, gvs)
    return None


def _get(k, gvs):
    if k not in _CACHE:
        _CACHE[k] = _doc(k, gvs[k])
    return _CACHE[k]
