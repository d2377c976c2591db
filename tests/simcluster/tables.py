"""meta.k8s.io/v1 Table responses (the columns kubectl get prints)."""

import datetime


def _ts(s):
    if not s:
        return None
    try:
        return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return None


def human_duration(seconds):
    """k8s.io/apimachinery/pkg/util/duration.HumanDuration."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 60 * 2:
        return "%ds" % s
    m = s // 60
    if m < 10:
        return "%dm" % m if s % 60 == 0 else "%dm%ds" % (m, s % 60)
    if m < 60 * 3:
        return "%dm" % m
    h = m // 60
    if h < 8:
        return "%dh" % h if m % 60 == 0 else "%dh%dm" % (h, m % 60)
    if h < 48:
        return "%dh" % h
    if h < 24 * 8:
        d = h // 24
        return "%dd" % d if h % 24 == 0 else "%dd%dh" % (d, h % 24)
    if h < 24 * 365 * 2:
        return "%dd" % (h // 24)
    if h < 24 * 365 * 8:
        y = h // (24 * 365)
        dy = (h // 24) % 365
        return "%dy" % y if dy == 0 else "%dy%dd" % (y, dy)
    return "%dy" % (h // (24 * 365))


def age(ts):
    t = _ts(ts)
    if t is None:
        return "<unknown>"
    return human_duration((datetime.datetime.now(datetime.timezone.utc) - t).total_seconds())


def _md(o):
    return o.get("metadata") or {}


def _spec(o):
    return o.get("spec") or {}


def _st(o):
    return o.get("status") or {}


def _containers(o, tmpl=True):
    spec = ((_spec(o).get("template") or {}).get("spec") or {}) if tmpl else _spec(o)
    cs = spec.get("containers") or []
    return ",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs)


def _selector(sel):
    if not sel:
        return "<none>"
    parts = ["%s=%s" % kv for kv in sorted((sel.get("matchLabels") or {}).items())]
    for e in sel.get("matchExpressions") or []:
        op = e.get("operator")
        if op == "In":
            parts.append("%s in (%s)" % (e["key"], ",".join(e.get("values") or [])))
        elif op == "NotIn":
            parts.append("%s notin (%s)" % (e["key"], ",".join(e.get("values") or [])))
        elif op == "Exists":
            parts.append(e["key"])
        elif op == "DoesNotExist":
            parts.append("!" + e["key"])
    return ",".join(parts) or "<none>"


def pod_status(o):
    st = _st(o)
    reason = st.get("reason") or st.get("phase") or "Unknown"
    spec = _spec(o)
    init_n = len(spec.get("initContainers") or [])
    initializing = False
    for i, c in enumerate(st.get("initContainerStatuses") or []):
        state = c.get("state") or {}
        term = state.get("terminated")
        if term and term.get("exitCode") == 0:
            continue
        if term:
            reason = "Init:" + (term.get("reason") or ("Signal:%d" % term["signal"] if term.get("signal")
                                                       else "ExitCode:%d" % term.get("exitCode", 0)))
        elif (state.get("waiting") or {}).get("reason") and state["waiting"]["reason"] != "PodInitializing":
            reason = "Init:" + state["waiting"]["reason"]
        else:
            reason = "Init:%d/%d" % (i, init_n)
        initializing = True
        break
    if not initializing:
        has_running = False
        for c in reversed(st.get("containerStatuses") or []):
            state = c.get("state") or {}
            w, t = state.get("waiting"), state.get("terminated")
            if w and w.get("reason"):
                reason = w["reason"]
            elif t and t.get("reason"):
                reason = t["reason"]
            elif t:
                reason = "Signal:%d" % t["signal"] if t.get("signal") else "ExitCode:%d" % t.get("exitCode", 0)
            elif "running" in state and c.get("ready"):
                has_running = True
        if reason == "Completed" and has_running:
            reason = "Running"
    if _md(o).get("deletionTimestamp"):
        reason = "Terminating"
    return reason


def _pod_row(o):
    st = _st(o)
    total = len(_spec(o).get("containers") or [])
    ready = sum(1 for c in st.get("containerStatuses") or [] if c.get("ready"))
    restarts = sum(c.get("restartCount", 0) for c in st.get("containerStatuses") or [])
    last = None
    for c in st.get("containerStatuses") or []:
        t = _ts(((c.get("lastState") or {}).get("terminated") or {}).get("finishedAt"))
        if t and (last is None or t > last):
            last = t
    rs = str(restarts)
    if restarts and last:
        rs = "%d (%s ago)" % (restarts, human_duration(
            (datetime.datetime.now(datetime.timezone.utc) - last).total_seconds()))
    gates = _spec(o).get("readinessGates") or []
    return ["%d/%d" % (ready, total), pod_status(o), rs, age(_md(o).get("creationTimestamp")),
            st.get("podIP") or "<none>", _spec(o).get("nodeName") or "<none>", st.get("nominatedNodeName") or "<none>",
            "<none>" if not gates else "0/%d" % len(gates)]


def _svc_ports(o):
    ps = []
    for p in _spec(o).get("ports") or []:
        s = str(p.get("port"))
        if p.get("nodePort"):
            s += ":%d" % p["nodePort"]
        ps.append(s + "/" + p.get("protocol", "TCP"))
    return ",".join(ps) or "<none>"


def _svc_external(o):
    spec = _spec(o)
    t = spec.get("type", "ClusterIP")
    ext = spec.get("externalIPs") or []
    if t in ("ClusterIP", "NodePort"):
        return ",".join(ext) if ext else "<none>"
    if t == "ExternalName":
        return spec.get("externalName", "")
    ing = [i.get("ip") or i.get("hostname") for i in ((_st(o).get("loadBalancer") or {}).get("ingress") or [])]
    ips = ing + ext
    return ",".join(ips) if ips else "<pending>"


def _access_modes(modes):
    m = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"}
    return ",".join(m.get(x, x) for x in modes or [])


def _job_status(o):
    conds = {c.get("type"): c.get("status") for c in _st(o).get("conditions") or []}
    if conds.get("Failed") == "True":
        return "Failed"
    if conds.get("Complete") == "True":
        return "Complete"
    if conds.get("FailureTarget") == "True":
        return "FailureTarget"
    if conds.get("SuccessCriteriaMet") == "True":
        return "SuccessCriteriaMet"
    if _md(o).get("deletionTimestamp"):
        return "Terminating"
    if conds.get("Suspended") == "True":
        return "Suspended"
    return "Running"


def _job_duration(o):
    st = _st(o)
    start = _ts(st.get("startTime"))
    if not start:
        return ""
    end = _ts(st.get("completionTime")) or datetime.datetime.now(datetime.timezone.utc)
    return human_duration((end - start).total_seconds())


def _event_object(o):
    io = o.get("involvedObject") or {}
    return "%s/%s" % ((io.get("kind") or "").lower(), io.get("name", ""))


def _micro(ts):
    if isinstance(ts, str) and "." in ts:
        ts = ts.split(".")[0] + "Z"
    return ts


def _event_first_seen(o):
    # printEvent: firstTimestamp, else eventTime (events written through events.k8s.io)
    ts = o.get("firstTimestamp") or _micro(o.get("eventTime"))
    return age(ts) if ts else "<unknown>"


def _event_last_seen(o):
    # printEvent: series.lastObservedTime, else lastTimestamp, else the first seen time
    series = o.get("series") or {}
    if series.get("lastObservedTime"):
        return age(_micro(series["lastObservedTime"]))
    if o.get("lastTimestamp"):
        return age(o["lastTimestamp"])
    return _event_first_seen(o)


def _event_source(o):
    # formatEventSource: component (or reportingController), instance (host or reportingInstance)
    src = o.get("source") or {}
    comp = src.get("component") or o.get("reportingComponent") or ""
    inst = src.get("host") or o.get("reportingInstance") or ""
    return comp + (", " + inst if inst else "")


S, I, D = "string", "integer", "date"
C = lambda name, typ="string", prio=0, fmt="", desc="": (name, typ, prio, fmt, desc)  # noqa: E731

COLUMNS = {
    "pods": ([C("Name", fmt="name"), C("Ready"), C("Status"), C("Restarts", I), C("Age"), C("IP", prio=1),
              C("Node", prio=1), C("Nominated Node", prio=1), C("Readiness Gates", prio=1)], _pod_row),
    "apps/deployments": ([C("Name", fmt="name"), C("Ready"), C("Up-to-date", I), C("Available", I), C("Age"),
                          C("Containers", prio=1), C("Images", prio=1), C("Selector", prio=1)],
                         lambda o: ["%d/%d" % (_st(o).get("readyReplicas", 0), _spec(o).get("replicas", 0)),
                                    _st(o).get("updatedReplicas", 0), _st(o).get("availableReplicas", 0),
                                    age(_md(o).get("creationTimestamp"))] + list(_containers(o)) +
                         [_selector(_spec(o).get("selector"))]),
    "apps/statefulsets": ([C("Name", fmt="name"), C("Ready"), C("Age"), C("Containers", prio=1),
                           C("Images", prio=1)],
                          lambda o: ["%d/%d" % (_st(o).get("readyReplicas", 0), _spec(o).get("replicas", 0)),
                                     age(_md(o).get("creationTimestamp"))] + list(_containers(o))),
    "apps/replicasets": ([C("Name", fmt="name"), C("Desired", I), C("Current", I), C("Ready", I), C("Age"),
                          C("Containers", prio=1), C("Images", prio=1), C("Selector", prio=1)],
                         lambda o: [_spec(o).get("replicas", 0), _st(o).get("replicas", 0),
                                    _st(o).get("readyReplicas", 0), age(_md(o).get("creationTimestamp"))] +
                         list(_containers(o)) + [_selector(_spec(o).get("selector"))]),
    "apps/daemonsets": ([C("Name", fmt="name"), C("Desired", I), C("Current", I), C("Ready", I),
                         C("Up-to-date", I), C("Available", I), C("Node Selector"), C("Age"),
                         C("Containers", prio=1), C("Images", prio=1), C("Selector", prio=1)],
                        lambda o: [_st(o).get("desiredNumberScheduled", 0), _st(o).get("currentNumberScheduled", 0),
                                   _st(o).get("numberReady", 0), _st(o).get("updatedNumberScheduled", 0),
                                   _st(o).get("numberAvailable", 0),
                                   ",".join("%s=%s" % kv for kv in sorted(
                                       (((_spec(o).get("template") or {}).get("spec") or {}).get("nodeSelector")
                                        or {}).items())) or "<none>",
                                   age(_md(o).get("creationTimestamp"))] + list(_containers(o)) +
                        [_selector(_spec(o).get("selector"))]),
    "services": ([C("Name", fmt="name"), C("Type"), C("Cluster-IP"), C("External-IP"), C("Port(s)"), C("Age"),
                  C("Selector", prio=1)],
                 lambda o: [_spec(o).get("type", "ClusterIP"), _spec(o).get("clusterIP") or "<none>",
                            _svc_external(o), _svc_ports(o), age(_md(o).get("creationTimestamp")),
                            ",".join("%s=%s" % kv for kv in sorted((_spec(o).get("selector") or {}).items()))
                            or "<none>"]),
    "persistentvolumeclaims": ([C("Name", fmt="name"), C("Status"), C("Volume"), C("Capacity"),
                                C("Access Modes"), C("StorageClass"), C("VolumeAttributesClass"), C("Age"),
                                C("VolumeMode", prio=1)],
                               lambda o: [_st(o).get("phase", "Pending"), _spec(o).get("volumeName", ""),
                                          (_st(o).get("capacity") or {}).get("storage", ""),
                                          _access_modes(_st(o).get("accessModes")),
                                          _spec(o).get("storageClassName") or "",
                                          _spec(o).get("volumeAttributesClassName") or "<unset>",
                                          age(_md(o).get("creationTimestamp")),
                                          _spec(o).get("volumeMode", "Filesystem")]),
    "batch/jobs": ([C("Name", fmt="name"), C("Status"), C("Completions"), C("Duration"), C("Age"),
                    C("Containers", prio=1), C("Images", prio=1), C("Selector", prio=1)],
                   lambda o: [_job_status(o), "%d/%d" % (_st(o).get("succeeded", 0), _spec(o).get("completions", 1))
                              if _spec(o).get("completions") is not None else "%d/1 of %d" % (
                                  _st(o).get("succeeded", 0), _spec(o).get("parallelism", 1)),
                              _job_duration(o), age(_md(o).get("creationTimestamp"))] + list(_containers(o)) +
                   [_selector(_spec(o).get("selector"))]),
    "batch/cronjobs": ([C("Name", fmt="name"), C("Schedule"), C("Timezone"), C("Suspend", "boolean"),
                        C("Active", I), C("Last Schedule"), C("Age")],
                       lambda o: [_spec(o).get("schedule", ""), _spec(o).get("timeZone") or "<none>",
                                  bool(_spec(o).get("suspend")), len(_st(o).get("active") or []),
                                  age(_st(o).get("lastScheduleTime")) if _st(o).get("lastScheduleTime") else "<none>",
                                  age(_md(o).get("creationTimestamp"))]),
    "namespaces": ([C("Name", fmt="name"), C("Status"), C("Age")],
                   lambda o: [_st(o).get("phase", "Active"), age(_md(o).get("creationTimestamp"))]),
    "configmaps": ([C("Name", fmt="name"), C("Data", I), C("Age")],
                   lambda o: [len(o.get("data") or {}) + len(o.get("binaryData") or {}),
                              age(_md(o).get("creationTimestamp"))]),
    "secrets": ([C("Name", fmt="name"), C("Type"), C("Data", I), C("Age")],
                lambda o: [o.get("type", "Opaque"), len(o.get("data") or {}), age(_md(o).get("creationTimestamp"))]),
    "coordination.k8s.io/leases": ([C("Name", fmt="name"), C("Holder"), C("Age")],
                                   lambda o: [_spec(o).get("holderIdentity", ""),
                                              age(_md(o).get("creationTimestamp"))]),
    "serviceaccounts": ([C("Name", fmt="name"), C("Secrets", I), C("Age")],
                        lambda o: [len(o.get("secrets") or []), age(_md(o).get("creationTimestamp"))]),
    "events": ([C("Last Seen"), C("Type"), C("Reason"), C("Object"), C("Subobject", prio=1), C("Source", prio=1),
                C("Message"), C("First Seen", prio=1), C("Count", I, prio=1), C("Name", prio=1, fmt="name")],
               lambda o: [_event_last_seen(o), o.get("type", ""), o.get("reason", ""), _event_object(o),
                          (o.get("involvedObject") or {}).get("fieldPath", ""), _event_source(o),
                          (o.get("message") or "").strip(), _event_first_seen(o),
                          ((o.get("series") or {}).get("count") or o.get("count") or 1), _md(o).get("name")]),
    "nodes": ([C("Name", fmt="name"), C("Status"), C("Roles"), C("Age"), C("Version")],
              lambda o: ["Ready" if any(c.get("type") == "Ready" and c.get("status") == "True"
                                        for c in _st(o).get("conditions") or []) else "NotReady",
                         ",".join(sorted(k.split("/", 1)[1] for k in (_md(o).get("labels") or {})
                                         if k.startswith("node-role.kubernetes.io/"))) or "<none>",
                         age(_md(o).get("creationTimestamp")),
                         (_st(o).get("nodeInfo") or {}).get("kubeletVersion", "")]),
    "policy/poddisruptionbudgets": ([C("Name", fmt="name"), C("Min Available"), C("Max Unavailable"),
                                     C("Allowed Disruptions", I), C("Age")],
                                    lambda o: [str(_spec(o).get("minAvailable", "N/A")),
                                               str(_spec(o).get("maxUnavailable", "N/A")),
                                               _st(o).get("disruptionsAllowed", 0),
                                               age(_md(o).get("creationTimestamp"))]),
    "autoscaling/horizontalpodautoscalers": (
        [C("Name", fmt="name"), C("Reference"), C("Targets"), C("MinPods", I), C("MaxPods", I), C("Replicas", I),
         C("Age")],
        lambda o: ["%s/%s" % ((_spec(o).get("scaleTargetRef") or {}).get("kind", ""),
                              (_spec(o).get("scaleTargetRef") or {}).get("name", "")),
                   ", ".join("%s: <unknown>/%s%%" % ((m.get("resource") or {}).get("name", ""),
                                                     ((m.get("resource") or {}).get("target") or {}).get(
                                                         "averageUtilization", ""))
                             for m in _spec(o).get("metrics") or []) or "<none>",
                   _spec(o).get("minReplicas", 1), _spec(o).get("maxReplicas", 0),
                   _st(o).get("currentReplicas", 0), age(_md(o).get("creationTimestamp"))]),
    "networking.k8s.io/ingresses": ([C("Name", fmt="name"), C("Class"), C("Hosts"), C("Address"), C("Ports"),
                                     C("Age")],
                                    lambda o: [_spec(o).get("ingressClassName") or "<none>",
                                               ",".join(r.get("host", "*") for r in _spec(o).get("rules") or [])
                                               or "*", "", "443" if _spec(o).get("tls") else "80",
                                               age(_md(o).get("creationTimestamp"))]),
    "networking.k8s.io/networkpolicies": ([C("Name", fmt="name"), C("Pod-Selector"), C("Age")],
                                          lambda o: [_selector(_spec(o).get("podSelector")).replace("<none>", ""),
                                                     age(_md(o).get("creationTimestamp"))]),
    "endpoints": ([C("Name", fmt="name"), C("Endpoints"), C("Age")],
                  lambda o: [",".join("%s:%s" % (a.get("ip"), p.get("port")) for s in o.get("subsets") or []
                                      for a in s.get("addresses") or [] for p in s.get("ports") or [])
                             or "<none>", age(_md(o).get("creationTimestamp"))]),
    "rbac.authorization.k8s.io/roles": ([C("Name", fmt="name"), C("Created At", D)],
                                        lambda o: [_md(o).get("creationTimestamp")]),
    "rbac.authorization.k8s.io/clusterroles": ([C("Name", fmt="name"), C("Created At", D)],
                                               lambda o: [_md(o).get("creationTimestamp")]),
    "rbac.authorization.k8s.io/rolebindings": ([C("Name", fmt="name"), C("Role"), C("Age")],
                                               lambda o: ["%s/%s" % ((o.get("roleRef") or {}).get("kind", ""),
                                                                     (o.get("roleRef") or {}).get("name", "")),
                                                          age(_md(o).get("creationTimestamp"))]),
    "rbac.authorization.k8s.io/clusterrolebindings": ([C("Name", fmt="name"), C("Role"), C("Age")],
                                                      lambda o: ["%s/%s" % ((o.get("roleRef") or {}).get("kind", ""),
                                                                            (o.get("roleRef") or {}).get("name", "")),
                                                                 age(_md(o).get("creationTimestamp"))]),
    "storage.k8s.io/storageclasses": ([C("Name", fmt="name"), C("Provisioner"), C("ReclaimPolicy"),
                                       C("VolumeBindingMode"), C("AllowVolumeExpansion", "boolean"), C("Age")],
                                      lambda o: [o.get("provisioner", ""), o.get("reclaimPolicy", "Delete"),
                                                 o.get("volumeBindingMode", "Immediate"),
                                                 bool(o.get("allowVolumeExpansion")),
                                                 age(_md(o).get("creationTimestamp"))]),
}

DEFAULT = ([C("Name", fmt="name"), C("Age")], lambda o: [age(_md(o).get("creationTimestamp"))])


def table(res, objs, include="Metadata", rv=""):
    cols, rowfn = COLUMNS.get(res, DEFAULT)
    defs = [{"name": n, "type": t, "format": f, "description": d or n, "priority": p} for n, t, p, f, d in cols]
    name_first = cols[0][0] == "Name"
    rows = []
    for o in objs:
        cells = rowfn(o)
        if name_first:
            cells = [_md(o).get("name")] + cells
        row = {"cells": cells}
        if include == "Object":
            row["object"] = o
        elif include != "None":
            row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": _md(o)}
        rows.append(row)
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": rv},
            "columnDefinitions": defs, "rows": rows}
