"""Validation the API server does before storing (422 Invalid), with the
real messages: names, workload selectors and templates, immutable fields."""

import json
import re

import registry
from store import Invalid, selector_matches

DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")

SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                 "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                 "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
             "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
             "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
DNS1035_MSG = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
               "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
               "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")

WORKLOADS = {"apps/deployments", "apps/replicasets", "apps/statefulsets", "apps/daemonsets"}


def _go_map(d):
    return "map[string]string{%s}" % ", ".join('"%s":"%s"' % (k, v) for k, v in sorted((d or {}).items()))


def _fail(res, name, errs):
    """errs: [(field, reason, message)]"""
    r = registry.resource(res)
    kind = r.kind + ("." + r.group if r.group else "")
    parts = ["%s: %s" % (f, m) for f, _, m in errs]
    msg = '%s "%s" is invalid: %s' % (kind, name, parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]")
    e = Invalid(msg, res, name, [{"reason": rsn, "message": m, "field": f} for f, rsn, m in errs])
    e.kind = r.kind
    raise e


def _selector_matches(sel, labels):
    return selector_matches(labels, sel)


def _containers(errs, spec, prefix):
    cs = (spec or {}).get("containers")
    if not cs:
        errs.append((prefix + ".containers", "FieldValueRequired", "Required value"))
        return
    seen = set()
    for i, c in enumerate(cs):
        if not isinstance(c, dict):
            continue
        p = "%s.containers[%d]" % (prefix, i)
        if not c.get("name"):
            errs.append((p + ".name", "FieldValueRequired", "Required value"))
        elif c["name"] in seen:
            errs.append((p + ".name", "FieldValueDuplicate", 'Duplicate value: "%s"' % c["name"]))
        else:
            seen.add(c["name"])
        if not c.get("image"):
            errs.append((p + ".image", "FieldValueRequired", "Required value"))


def check(res, obj, old=None):
    """Raise store.Invalid when obj (after defaulting) would be rejected."""
    md = obj.get("metadata") or {}
    name = md.get("name") or ""
    errs = []
    if name and old is None:
        if res == "namespaces":
            if not DNS1123_LABEL.match(name) or len(name) > 63:
                errs.append(("metadata.name", "FieldValueInvalid", 'Invalid value: "%s": %s' % (name, LABEL_MSG)))
        elif res == "services":
            if not DNS1035_LABEL.match(name) or len(name) > 63:
                errs.append(("metadata.name", "FieldValueInvalid", 'Invalid value: "%s": %s' % (name, DNS1035_MSG)))
        elif not DNS1123_SUBDOMAIN.match(name) or len(name) > 253:
            errs.append(("metadata.name", "FieldValueInvalid", 'Invalid value: "%s": %s' % (name, SUBDOMAIN_MSG)))
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    if res in WORKLOADS or res == "batch/jobs":
        sel = spec.get("selector")
        tmpl = spec.get("template") or {}
        labels = (tmpl.get("metadata") or {}).get("labels")
        if res in WORKLOADS and not sel:
            errs.append(("spec.selector", "FieldValueRequired", "Required value"))
        elif sel and not ((sel.get("matchLabels") or sel.get("matchExpressions"))):
            errs.append(("spec.selector", "FieldValueInvalid", "Invalid value: v1.LabelSelector{MatchLabels:"
                         "map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty "
                         "selector is invalid for deployment" if res == "apps/deployments" else
                         "Invalid value: \"\": empty selector is invalid"))
        elif sel and not _selector_matches(sel, labels):
            errs.append(("spec.template.metadata.labels", "FieldValueInvalid",
                         "Invalid value: %s: `selector` does not match template `labels`" % _go_map(labels)))
        _containers(errs, tmpl.get("spec"), "spec.template.spec")
        if isinstance(spec.get("replicas"), int) and spec["replicas"] < 0:
            errs.append(("spec.replicas", "FieldValueInvalid", "Invalid value: %d: must be greater than or equal "
                         "to 0" % spec["replicas"]))
    if res == "pods":
        _containers(errs, spec, "spec")
    if res == "services":
        t = spec.get("type", "ClusterIP")
        if t != "ExternalName" and not spec.get("ports") and spec.get("clusterIP") != "None":
            errs.append(("spec.ports", "FieldValueRequired", "Required value"))
        for i, p in enumerate(spec.get("ports") or []):
            port = (p or {}).get("port")
            if not isinstance(port, int) or not 1 <= port <= 65535:
                errs.append(("spec.ports[%d].port" % i, "FieldValueInvalid",
                             "Invalid value: %s: must be between 1 and 65535, inclusive" % json.dumps(port)))
    if res == "coordination.k8s.io/leases":
        for f in ("leaseDurationSeconds", "leaseTransitions"):
            v = spec.get(f)
            if isinstance(v, int) and (v <= 0 if f == "leaseDurationSeconds" else v < 0):
                errs.append(("spec." + f, "FieldValueInvalid", "Invalid value: %d: must be greater than %s0"
                             % (v, "" if f == "leaseDurationSeconds" else "or equal to ")))
    if old is not None:
        ospec = old.get("spec") if isinstance(old.get("spec"), dict) else {}
        if res in ("apps/deployments", "apps/replicasets", "apps/statefulsets", "apps/daemonsets", "batch/jobs") \
                and ospec.get("selector") != spec.get("selector"):
            errs.append(("spec.selector", "FieldValueInvalid", "Invalid value: v1.LabelSelector{MatchLabels:%s, "
                         "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"
                         % _go_map((spec.get("selector") or {}).get("matchLabels"))))
        if res == "batch/jobs" and _strip_gen(ospec.get("template")) != _strip_gen(spec.get("template")):
            errs.append(("spec.template", "FieldValueInvalid",
                         "Invalid value: core.PodTemplateSpec{...}: field is immutable"))
        if res == "apps/statefulsets":
            allowed = {"replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy",
                       "minReadySeconds"}
            if {k: v for k, v in ospec.items() if k not in allowed} != \
                    {k: v for k, v in spec.items() if k not in allowed}:
                errs.append(("spec", "FieldValueForbidden", "Forbidden: updates to statefulset spec for fields other "
                             "than 'replicas', 'ordinals', 'template', 'updateStrategy', "
                             "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"))
        if res == "persistentvolumeclaims":
            def cut(s):
                s = json.loads(json.dumps(s or {}))
                (s.get("resources") or {}).pop("requests", None)
                s.pop("volumeAttributesClassName", None)
                if not ospec.get("volumeName"):
                    s.pop("volumeName", None)
                return s
            if cut(ospec) != cut(spec):
                errs.append(("spec", "FieldValueForbidden", "Forbidden: spec is immutable after creation except "
                             "resources.requests and volumeAttributesClassName for bound claims"))
        if res in ("configmaps", "secrets") and old.get("immutable"):
            for f in ("data", "binaryData") if res == "configmaps" else ("data",):
                if old.get(f) != obj.get(f):
                    errs.append((f, "FieldValueForbidden", "Forbidden: field is immutable when `immutable` is set"))
    if errs:
        _fail(res, name, errs)


def _strip_gen(t):
    return t
