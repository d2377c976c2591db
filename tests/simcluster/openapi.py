"""OpenAPI documents.

v3 (/openapi/v3, /openapi/v3/<gv>): enough for kubectl to see that the server
validates fields itself (fieldValidation on PATCH operations), to compute
client-side apply patches (strategic merge metadata) and for kubectl explain.

v2 (/openapi/v2): one document with every definition and path, as JSON or, when
asked for application/com.github.proto-openapi.spec.v2@v1.0+protobuf (kubectl
always asks for that), as the gnostic openapi_v2.Document protobuf message
(encoded by protobuf.encode_openapi_v2). kubectl reads it for the client-side
validation of a "kind: List" (the fieldValidation check never applies to v1
List, so kubectl validates the items itself against these definitions) and
whenever the v3 documents do not answer.
"""

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
        sname = schema.kind_definition_name(r.group, v, r.kind)
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
                                "application/merge-patch+json": {"schema": {"type": "object"}},
                                "application/strategic-merge-patch+json": {"schema": {"type": "object"}}}},
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

V2_PARAMS = [{"name": n, "in": "query", "type": "string", "uniqueItems": True}
             for n in ("dryRun", "fieldManager", "fieldValidation", "force")]


def _v2_doc():
    defs = {}
    paths = {}
    for r in registry.RESOURCES:
        for v in r.versions:
            base = "/api/" + v if not r.group else "/apis/%s/%s" % (r.group, v)
            gvk = {"group": r.group, "version": v, "kind": r.kind}
            sname = schema.kind_definition_name(r.group, v, r.kind)
            if schema.kind_fields(r.key, v) is not None:
                parts = schema.openapi_schema("kind:%s@%s" % (r.key, v), "#/definitions/", v2=True)
                top = parts.pop("__kind__")
                defs.update(parts)
            else:
                top = {"type": "object"}
            top["x-kubernetes-group-version-kind"] = [gvk]
            defs[sname] = top
            ref = {"$ref": "#/definitions/" + sname}
            ns = "/namespaces/{namespace}/" if r.namespaced else "/"
            item = {}
            for verb, method, params in (("get", "get", []), ("update", "put", V2_PARAMS),
                                         ("patch", "patch", V2_PARAMS), ("delete", "delete", V2_PARAMS[:1])):
                if verb in r.verbs:
                    op = {"operationId": "%s%s" % (verb, r.kind), "x-kubernetes-action": verb if verb != "update"
                          else "put", "x-kubernetes-group-version-kind": gvk,
                          "responses": {"200": {"description": "OK", "schema": ref}}}
                    if verb == "patch":
                        op["consumes"] = ["application/json-patch+json", "application/merge-patch+json",
                                          "application/strategic-merge-patch+json", "application/apply-patch+yaml"]
                    if params:
                        op["parameters"] = params
                    item[method] = op
            if item:
                paths[base + ns + r.plural + "/{name}"] = item
            coll = {}
            if "create" in r.verbs:
                coll["post"] = {"operationId": "create%s" % r.kind, "x-kubernetes-action": "post",
                                "x-kubernetes-group-version-kind": gvk, "parameters": V2_PARAMS,
                                "responses": {"201": {"description": "Created", "schema": ref}}}
            if "list" in r.verbs:
                coll["get"] = {"operationId": "list%s" % r.kind, "x-kubernetes-action": "list",
                               "x-kubernetes-group-version-kind": gvk,
                               "responses": {"200": {"description": "OK"}}}
            if coll:
                paths[base + ns + r.plural] = coll
    return {"swagger": "2.0", "info": {"title": "Kubernetes", "version": "v1.32.0"}, "paths": paths,
            "definitions": defs}


def etag(body):
    return hashlib.sha512(body).hexdigest()[:64].upper()


def document_v2(protobuf_form):
    """(body bytes, content type) of /openapi/v2."""
    key = ("v2", protobuf_form)
    if key not in _CACHE:
        doc = _v2_doc()
        if protobuf_form:
            import protobuf
            _CACHE[key] = (protobuf.encode_openapi_v2(doc), "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
        else:
            _CACHE[key] = (json.dumps(doc, separators=(",", ":")).encode(), "application/json")
    return _CACHE[key]


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
