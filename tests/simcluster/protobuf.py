"""Decode the few Kubernetes protobuf bodies kubectl sends (magic "k8s\\0" +
runtime.Unknown): SelfSubjectAccessReview, Secret, ConfigMap, Namespace,
ServiceAccount."""

import base64

MAGIC = b"k8s\x00"


def _varint(b, i):
    shift = result = 0
    while True:
        c = b[i]
        i += 1
        result |= (c & 0x7F) << shift
        if not c & 0x80:
            return result, i
        shift += 7


def fields(b):
    """[(field number, wire type, value)]; value is int or bytes."""
    out = []
    i = 0
    while i < len(b):
        key, i = _varint(b, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(b, i)
        elif wt == 2:
            n, i = _varint(b, i)
            v = bytes(b[i:i + n])
            i += n
        elif wt == 1:
            v = int.from_bytes(b[i:i + 8], "little")
            i += 8
        elif wt == 5:
            v = int.from_bytes(b[i:i + 4], "little")
            i += 4
        else:
            raise ValueError("unsupported wire type %d" % wt)
        out.append((num, wt, v))
    return out


# message schemas: field number -> (name, type); type: "s" string, "b" bytes, "i" int, "bool",
# "[s]" repeated string, "{s}" map<string,string>, "{b}" map<string,bytes>, or a message name
# (prefix "[" for repeated).
MESSAGES = {
    "ObjectMeta": {1: ("name", "s"), 2: ("generateName", "s"), 3: ("namespace", "s"), 5: ("uid", "s"),
                   6: ("resourceVersion", "s"), 7: ("generation", "i"), 11: ("labels", "{s}"),
                   12: ("annotations", "{s}"), 13: ("ownerReferences", "[OwnerReference"),
                   14: ("finalizers", "[s")},
    "OwnerReference": {1: ("kind", "s"), 3: ("name", "s"), 4: ("uid", "s"), 5: ("apiVersion", "s"),
                       6: ("controller", "bool"), 7: ("blockOwnerDeletion", "bool")},
    "Secret": {1: ("metadata", "ObjectMeta"), 2: ("data", "{b}"), 3: ("type", "s"), 4: ("stringData", "{s}"),
               5: ("immutable", "bool")},
    "ConfigMap": {1: ("metadata", "ObjectMeta"), 2: ("data", "{s}"), 3: ("binaryData", "{b}"),
                  4: ("immutable", "bool")},
    "Namespace": {1: ("metadata", "ObjectMeta"), 2: ("spec", "NamespaceSpec")},
    "NamespaceSpec": {1: ("finalizers", "[s")},
    "ServiceAccount": {1: ("metadata", "ObjectMeta"), 4: ("automountServiceAccountToken", "bool")},
    "SelfSubjectAccessReview": {1: ("metadata", "ObjectMeta"), 2: ("spec", "SelfSubjectAccessReviewSpec")},
    "SelfSubjectAccessReviewSpec": {1: ("resourceAttributes", "ResourceAttributes"),
                                    2: ("nonResourceAttributes", "NonResourceAttributes")},
    "ResourceAttributes": {1: ("namespace", "s"), 2: ("verb", "s"), 3: ("group", "s"), 4: ("version", "s"),
                           5: ("resource", "s"), 6: ("subresource", "s"), 7: ("name", "s")},
    "NonResourceAttributes": {1: ("path", "s"), 2: ("verb", "s")},
    "SelfSubjectRulesReview": {1: ("metadata", "ObjectMeta"), 2: ("spec", "SelfSubjectRulesReviewSpec")},
    "SelfSubjectRulesReviewSpec": {1: ("namespace", "s")},
}


def _scalar(t, v):
    if t == "s":
        return v.decode("utf-8", "replace")
    if t == "b":
        return base64.b64encode(v).decode()
    if t == "bool":
        return bool(v)
    if t == "i":
        return v
    return decode_message(t, v)


def decode_message(name, b):
    schema = MESSAGES.get(name, {})
    out = {}
    for num, wt, v in fields(b):
        if num not in schema:
            continue
        fname, t = schema[num]
        if t.startswith("{"):
            kv = dict((n, x) for n, _, x in fields(v))
            out.setdefault(fname, {})[_scalar("s", kv.get(1, b""))] = _scalar(t[1:-1], kv.get(2, b""))
        elif t.startswith("["):
            out.setdefault(fname, []).append(_scalar(t[1:], v))
        else:
            out[fname] = _scalar(t, v)
    return out


def decode(body):
    """Decode a k8s protobuf envelope into a JSON-shaped dict; raises ValueError."""
    if not body.startswith(MAGIC):
        raise ValueError("missing protobuf magic")
    unknown = dict((n, v) for n, _, v in fields(body[4:]))
    tm = dict((n, v.decode()) for n, _, v in fields(unknown.get(1, b"")))
    api_version, kind = tm.get(1, ""), tm.get(2, "")
    if kind not in MESSAGES:
        raise ValueError("protobuf decoding of %s is not supported" % kind)
    obj = decode_message(kind, unknown.get(2, b""))
    obj["apiVersion"] = api_version
    obj["kind"] = kind
    return obj
