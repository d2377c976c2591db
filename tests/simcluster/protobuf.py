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
def _m(spec):
    """"1:name:s 2:labels:{s}" -> {1: ("name", "s"), ...}"""
    out = {}
    for tok in spec.split():
        num, name, t = tok.split(":", 2)
        out[int(num)] = (name, t)
    return out


# message schemas: field number -> (name, type); type: "s" string, "b" bytes, "i" int (dropped when 0),
# "pi" pointer int (kept when 0), "bool" (dropped when false), "pbool" pointer bool, "{s}" map<string,string>,
# "{b}" map<string,bytes>, "{Quantity}", "ios" IntOrString, "Quantity", a message name, "[" prefix: repeated.
MESSAGES = {k: _m(v) for k, v in {
    "ObjectMeta": "1:name:s 2:generateName:s 3:namespace:s 5:uid:s 6:resourceVersion:s 7:generation:i "
                  "11:labels:{s} 12:annotations:{s} 13:ownerReferences:[OwnerReference 14:finalizers:[s",
    "OwnerReference": "1:kind:s 3:name:s 4:uid:s 5:apiVersion:s 6:controller:pbool 7:blockOwnerDeletion:pbool",
    "Secret": "1:metadata:ObjectMeta 2:data:{b} 3:type:s 4:stringData:{s} 5:immutable:pbool",
    "ConfigMap": "1:metadata:ObjectMeta 2:data:{s} 3:binaryData:{b} 4:immutable:pbool",
    "Namespace": "1:metadata:ObjectMeta 2:spec:NamespaceSpec",
    "NamespaceSpec": "1:finalizers:[s",
    "ServiceAccount": "1:metadata:ObjectMeta 2:secrets:[ObjectReference 3:imagePullSecrets:[LocalObjectReference "
                      "4:automountServiceAccountToken:pbool",
    "ObjectReference": "1:kind:s 2:namespace:s 3:name:s 4:uid:s 5:apiVersion:s 6:resourceVersion:s 7:fieldPath:s",
    "LocalObjectReference": "1:name:s",
    "SelfSubjectAccessReview": "1:metadata:ObjectMeta 2:spec:SelfSubjectAccessReviewSpec",
    "SelfSubjectAccessReviewSpec": "1:resourceAttributes:ResourceAttributes 2:nonResourceAttributes:NonResourceAttributes",
    "ResourceAttributes": "1:namespace:s 2:verb:s 3:group:s 4:version:s 5:resource:s 6:subresource:s 7:name:s",
    "NonResourceAttributes": "1:path:s 2:verb:s",
    "SelfSubjectReview": "1:metadata:ObjectMeta",
    "SelfSubjectRulesReview": "1:metadata:ObjectMeta 2:spec:SelfSubjectRulesReviewSpec",
    "SelfSubjectRulesReviewSpec": "1:namespace:s",
    # workloads (kubectl create deployment/job/cronjob/service/role/rolebinding/pdb)
    "Deployment": "1:metadata:ObjectMeta 2:spec:DeploymentSpec",
    "DeploymentSpec": "1:replicas:pi 2:selector:LabelSelector 3:template:PodTemplateSpec 4:strategy:DeploymentStrategy "
                      "5:minReadySeconds:i 6:revisionHistoryLimit:pi 7:paused:bool 9:progressDeadlineSeconds:pi",
    "DeploymentStrategy": "1:type:s 2:rollingUpdate:RollingUpdateDeployment",
    "RollingUpdateDeployment": "1:maxUnavailable:ios 2:maxSurge:ios",
    "LabelSelector": "1:matchLabels:{s} 2:matchExpressions:[LabelSelectorRequirement",
    "LabelSelectorRequirement": "1:key:s 2:operator:s 3:values:[s",
    "PodTemplateSpec": "1:metadata:ObjectMeta 2:spec:PodSpec",
    "PodSpec": "1:volumes:[Volume 2:containers:[Container 3:restartPolicy:s 4:terminationGracePeriodSeconds:pi "
               "5:activeDeadlineSeconds:pi 6:dnsPolicy:s 7:nodeSelector:{s} 8:serviceAccountName:s "
               "9:serviceAccount:s 10:nodeName:s 11:hostNetwork:bool 12:hostPID:bool 13:hostIPC:bool "
               "15:imagePullSecrets:[LocalObjectReference 16:hostname:s 17:subdomain:s 19:schedulerName:s "
               "20:initContainers:[Container 21:automountServiceAccountToken:pbool 24:priorityClassName:s "
               "25:priority:pi 29:runtimeClassName:s 30:enableServiceLinks:pbool",
    "Container": "1:name:s 2:image:s 3:command:[s 4:args:[s 5:workingDir:s 6:ports:[ContainerPort 7:env:[EnvVar "
                 "8:resources:ResourceRequirements 9:volumeMounts:[VolumeMount 13:terminationMessagePath:s "
                 "14:imagePullPolicy:s 16:stdin:bool 17:stdinOnce:bool 18:tty:bool 20:terminationMessagePolicy:s "
                 "24:restartPolicy:s",
    "ContainerPort": "1:name:s 2:hostPort:i 3:containerPort:i 4:protocol:s 5:hostIP:s",
    "EnvVar": "1:name:s 2:value:s",
    "ResourceRequirements": "1:limits:{Quantity} 2:requests:{Quantity}",
    "VolumeMount": "1:name:s 2:readOnly:bool 3:mountPath:s 4:subPath:s",
    "Volume": "1:name:s",
    "Job": "1:metadata:ObjectMeta 2:spec:JobSpec",
    "JobSpec": "1:parallelism:pi 2:completions:pi 3:activeDeadlineSeconds:pi 4:selector:LabelSelector "
               "5:manualSelector:pbool 6:template:PodTemplateSpec 7:backoffLimit:pi 8:ttlSecondsAfterFinished:pi "
               "9:completionMode:s 10:suspend:pbool",
    "CronJob": "1:metadata:ObjectMeta 2:spec:CronJobSpec",
    "CronJobSpec": "1:schedule:s 2:startingDeadlineSeconds:pi 3:concurrencyPolicy:s 4:suspend:pbool "
                   "5:jobTemplate:JobTemplateSpec 6:successfulJobsHistoryLimit:pi 7:failedJobsHistoryLimit:pi "
                   "8:timeZone:s",
    "JobTemplateSpec": "1:metadata:ObjectMeta 2:spec:JobSpec",
    "Service": "1:metadata:ObjectMeta 2:spec:ServiceSpec",
    "ServiceSpec": "1:ports:[ServicePort 2:selector:{s} 3:clusterIP:s 4:type:s 5:externalIPs:[s "
                   "7:sessionAffinity:s 10:externalName:s 11:externalTrafficPolicy:s 18:clusterIPs:[s",
    "ServicePort": "1:name:s 2:protocol:s 3:port:i 4:targetPort:ios 5:nodePort:i 6:appProtocol:s",
    "Role": "1:metadata:ObjectMeta 2:rules:[PolicyRule",
    "ClusterRole": "1:metadata:ObjectMeta 2:rules:[PolicyRule",
    "PolicyRule": "1:verbs:[s 2:apiGroups:[s 3:resources:[s 4:resourceNames:[s 5:nonResourceURLs:[s",
    "RoleBinding": "1:metadata:ObjectMeta 2:subjects:[Subject 3:roleRef:RoleRef",
    "ClusterRoleBinding": "1:metadata:ObjectMeta 2:subjects:[Subject 3:roleRef:RoleRef",
    "Subject": "1:kind:s 2:apiGroup:s 3:name:s 4:namespace:s",
    "RoleRef": "1:apiGroup:s 2:kind:s 3:name:s",
    "PodDisruptionBudget": "1:metadata:ObjectMeta 2:spec:PodDisruptionBudgetSpec",
    "PodDisruptionBudgetSpec": "1:minAvailable:ios 2:selector:LabelSelector 3:maxUnavailable:ios",
}.items()}


def _signed(v):
    return v - (1 << 64) if v >= (1 << 63) else v


_DROP = object()


def _scalar(t, v):
    if t == "s":
        return v.decode("utf-8", "replace") or _DROP
    if t == "b":
        return base64.b64encode(v).decode()
    if t == "bool":
        return bool(v) or _DROP
    if t == "pbool":
        return bool(v)
    if t == "i":
        return _signed(v) or _DROP
    if t == "pi":
        return _signed(v)
    if t == "Quantity":
        return dict((n, x) for n, _, x in fields(v)).get(1, b"0").decode()
    if t == "ios":
        f = dict((n, x) for n, _, x in fields(v))
        return f.get(3, b"").decode() if f.get(1) == 1 else _signed(f.get(2, 0))
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
            out.setdefault(fname, {})[_scalar("s", kv.get(1, b"")) or ""] = _scalar(t[1:-1], kv.get(2, b""))
        elif t.startswith("["):
            x = _scalar(t[1:], v)
            out.setdefault(fname, []).append("" if x is _DROP else x)
        else:
            x = _scalar(t, v)
            if x is not _DROP:
                out[fname] = x
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


# ---------------------------------------------------------------- encoding: the OpenAPI v2 document
# kubectl asks /openapi/v2 for application/com.github.proto-openapi.spec.v2@v1.0+protobuf and unmarshals
# gnostic's openapi_v2.Document (github.com/google/gnostic-models openapiv2/OpenAPIv2.proto); the real
# API server answers in that form. Vendor extensions are NamedAny{name, Any{yaml}}; JSON is valid YAML.

def _enc_varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _ld(num, data):
    return _enc_varint(num << 3 | 2) + _enc_varint(len(data)) + data


def _s(num, text):
    return _ld(num, text.encode()) if text else b""


def _bool(num, v):
    return _enc_varint(num << 3) + b"\x01" if v else b""


def _ext(num, d):
    import json
    out = b""
    for k, v in d.items():
        if k.startswith("x-"):
            out += _ld(num, _s(1, k) + _ld(2, _s(2, json.dumps(v, separators=(",", ":")) + "\n")))
    return out


def _schema(d):
    out = _s(1, d.get("$ref", "")) + _s(2, d.get("format", "")) + _s(4, d.get("description", ""))
    out += _bool(16, d.get("uniqueItems"))
    for r in d.get("required") or []:
        out += _s(19, r)
    ap = d.get("additionalProperties")
    if isinstance(ap, dict):
        out += _ld(21, _ld(1, _schema(ap)))
    elif isinstance(ap, bool):
        out += _ld(21, _enc_varint(2 << 3) + (b"\x01" if ap else b"\x00"))
    if d.get("type"):
        out += _ld(22, _s(1, d["type"]))
    if isinstance(d.get("items"), dict):
        out += _ld(23, _ld(1, _schema(d["items"])))
    for a in d.get("allOf") or []:
        out += _ld(24, _schema(a))
    if "properties" in d:
        props = b"".join(_ld(1, _s(1, k) + _ld(2, _schema(v))) for k, v in d["properties"].items())
        out += _ld(25, props)
    return out + _ext(31, d)


def _parameter(p):
    if p.get("in") == "body":
        return _ld(1, _ld(1, _s(1, p.get("description", "")) + _s(2, p["name"]) + _s(3, "body") +
                          _bool(4, p.get("required")) + _ld(5, _schema(p.get("schema") or {}))))
    q = _bool(1, p.get("required")) + _s(2, p.get("in", "query")) + _s(3, p.get("description", "")) + \
        _s(4, p["name"]) + _s(6, p.get("type", "")) + _bool(20, p.get("uniqueItems"))
    return _ld(1, _ld(2, _ld(3, q)))


def _operation(op):
    out = b"".join(_s(1, t) for t in op.get("tags") or []) + _s(3, op.get("description", ""))
    out += _s(5, op.get("operationId", ""))
    out += b"".join(_s(6, t) for t in op.get("produces") or [])
    out += b"".join(_s(7, t) for t in op.get("consumes") or [])
    out += b"".join(_ld(8, _parameter(p)) for p in op.get("parameters") or [])
    codes = b""
    for code, resp in (op.get("responses") or {}).items():
        r = _s(1, resp.get("description", ""))
        if isinstance(resp.get("schema"), dict):
            r += _ld(2, _ld(1, _schema(resp["schema"])))
        codes += _ld(1, _s(1, code) + _ld(2, _ld(1, r)))
    if codes:
        out += _ld(9, codes)
    return out + _ext(13, op)


_PATH_OPS = {"get": 2, "put": 3, "post": 4, "delete": 5, "options": 6, "head": 7, "patch": 8}


def encode_openapi_v2(doc):
    """A Swagger 2.0 document (JSON-shaped dict) as an openapi_v2.Document protobuf message."""
    info = doc.get("info") or {}
    out = _s(1, doc.get("swagger", "2.0")) + _ld(2, _s(1, info.get("title", "")) + _s(2, info.get("version", "")))
    paths = b""
    for p, item in (doc.get("paths") or {}).items():
        pi = b"".join(_ld(_PATH_OPS[m], _operation(op)) for m, op in item.items() if m in _PATH_OPS)
        paths += _ld(2, _s(1, p) + _ld(2, pi))
    out += _ld(8, paths)
    defs = b"".join(_ld(1, _s(1, k) + _ld(2, _schema(v))) for k, v in (doc.get("definitions") or {}).items())
    out += _ld(9, defs)
    return out
