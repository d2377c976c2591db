"""Scenario: faults injected into the simulated cluster from outside the manifests.

The format is documented in tests/scenarios/README.md.  In short:

    {
      "cluster":   {"rwx": true, "nodes": {"count": 3, "cpu": "4", "memory": "16Gi"}, "timeScale": 20},
      "api":       {"forbidden": [{"verb": "create", "resource": "deployments", "group": "apps"}],
                    "error500": 3, "latencyMs": 200, "watchCutAfter": 5},
      "images":    {"<image or glob>": {<behaviour>}},
      "workloads": {"[<namespace>/]<kind>/<name>": {<behaviour>, "containers": {"<name>": {<behaviour>}}}}
    }

Scenario.update() applies a JSON merge patch (RFC 7386: objects merge, null
deletes a key, anything else replaces).  Readers see a consistent snapshot:
every method takes the scenario's own lock.
"""

import copy
import fnmatch
import json
import threading

TOP_KEYS = {"cluster", "api", "images", "workloads", "description"}
CLUSTER_KEYS = {"rwx", "nodes", "timeScale", "storageClasses"}
API_KEYS = {"forbidden", "error500", "error429", "error409", "hang", "latencyMs", "watchCutAfter"}
BEHAVIOUR_KEYS = {"pullError", "crash", "exitCode", "runSeconds", "logs", "ready", "insufficient",
                  "configError", "terminationReason", "progressDeadlineSeconds", "containers", "stopSeconds",
                  "description"}

KIND_ALIASES = {
    "deployment": "deployment", "deployments": "deployment", "deploy": "deployment",
    "statefulset": "statefulset", "statefulsets": "statefulset", "sts": "statefulset",
    "daemonset": "daemonset", "daemonsets": "daemonset", "ds": "daemonset",
    "job": "job", "jobs": "job",
    "replicaset": "replicaset", "replicasets": "replicaset", "rs": "replicaset",
    "pod": "pod", "pods": "pod", "po": "pod",
}


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch; returns the new value (target is not modified)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


def _check(data):
    """Raise ValueError for shapes the simulator would silently ignore (typos)."""
    if not isinstance(data, dict):
        raise ValueError("scenario must be a JSON object")
    bad = set(data) - TOP_KEYS
    if bad:
        raise ValueError("unknown scenario key(s): %s" % ", ".join(sorted(bad)))
    cl = data.get("cluster", {})
    if not isinstance(cl, dict) or set(cl) - CLUSTER_KEYS:
        raise ValueError("unknown cluster key(s): %s" % ", ".join(sorted(set(cl) - CLUSTER_KEYS)))
    api = data.get("api", {})
    if not isinstance(api, dict) or set(api) - API_KEYS:
        raise ValueError("unknown api key(s): %s" % ", ".join(sorted(set(api) - API_KEYS)))
    for section in ("images", "workloads"):
        sec = data.get(section, {})
        if not isinstance(sec, dict):
            raise ValueError("%s must be an object" % section)
        for key, b in sec.items():
            if not isinstance(b, dict):
                raise ValueError("%s[%s] must be an object" % (section, key))
            bad = set(b) - BEHAVIOUR_KEYS
            if bad:
                raise ValueError("%s[%s]: unknown key(s): %s" % (section, key, ", ".join(sorted(bad))))
            for cname, cb in (b.get("containers") or {}).items():
                if not isinstance(cb, dict) or set(cb) - BEHAVIOUR_KEYS:
                    raise ValueError("%s[%s].containers[%s]: bad behaviour" % (section, key, cname))
            if section == "workloads":
                parse_workload_key(key)


def parse_workload_key(key):
    """"ns/kind/name" | "kind/name" | "name" -> (ns or None, kind or None, name)."""
    parts = key.split("/")
    if len(parts) == 3:
        ns, kind, name = parts
    elif len(parts) == 2:
        ns, (kind, name) = None, parts
    elif len(parts) == 1:
        ns, kind, name = None, None, parts[0]
    else:
        raise ValueError("bad workload key %r (want [namespace/]kind/name)" % key)
    if kind is not None:
        k = KIND_ALIASES.get(kind.lower())
        if k is None:
            raise ValueError("bad workload key %r: unknown kind %r" % (key, kind))
        kind = k
    return ns or None, kind, name


class Scenario:
    def __init__(self, data=None):
        self._lock = threading.RLock()
        data = copy.deepcopy(data) if data else {}
        _check(data)
        self.data = data
        self.version = 0          # bumped by update(): controllers re-evaluate

    @classmethod
    def load(cls, path=None):
        if not path:
            return cls({})
        with open(path) as f:
            try:
                data = json.load(f)
            except ValueError as e:
                raise ValueError("%s: %s" % (path, e))
        return cls(data)

    # ------------------------------------------------------------ HTTP layer

    def update(self, patch):
        """Merge patch the scenario (POST /_sim/scenario).  Raises ValueError on a bad result."""
        with self._lock:
            new = merge_patch(self.data, patch)
            _check(new)
            self.data = new
            self.version += 1
            return copy.deepcopy(new)

    def snapshot(self):
        with self._lock:
            return copy.deepcopy(self.data)

    def api_faults(self):
        with self._lock:
            return copy.deepcopy(self.data.get("api") or {})

    def consume_error500(self):
        return self.consume_fault("error500")

    def consume_fault(self, key):
        """True for each of the next N requests of a counted API fault (error500, error429, error409, hang)."""
        with self._lock:
            api = self.data.get("api") or {}
            n = api.get(key) or 0
            if isinstance(n, int) and n > 0:
                api[key] = n - 1
                return True
            return False

    # ------------------------------------------------------------ controllers

    def cluster(self):
        with self._lock:
            return copy.deepcopy(self.data.get("cluster") or {})

    def behaviour(self, image, workloads, namespace, container):
        """Effective behaviour for one container.

        workloads: [(kind, name)] from the pod itself up its owner chain
        ("pod", "web-abc-xyz"), ("replicaset", "web-abc"), ("deployment", "web").
        Later, more specific rules win: image globs, exact image, workload by
        name, kind/name, namespace/kind/name; inside each, "containers" entries
        override the rule's own fields.
        """
        with self._lock:
            layers = []
            images = self.data.get("images") or {}
            ref = image or ""
            for pat in sorted(images):
                if pat != ref and _image_match(pat, ref):
                    layers.append(images[pat])
            if ref in images:
                layers.append(images[ref])
            wl = self.data.get("workloads") or {}
            scored = []
            for key, b in wl.items():
                ns, kind, name = parse_workload_key(key)
                if ns is not None and ns != namespace:
                    continue
                for i, (wk, wn) in enumerate(workloads):
                    if _name_match(name, wn) and (kind is None or kind == wk):
                        score = (ns is not None) * 4 + (kind is not None) * 2
                        scored.append((score, -i, key, b))
                        break
            scored.sort(key=lambda s: (s[0], s[1], s[2]))
            layers.extend(s[3] for s in scored)
            out = {}
            for b in layers:
                own = {k: v for k, v in b.items() if k != "containers"}
                out.update(copy.deepcopy(own))
                cb = (b.get("containers") or {}).get(container)
                if cb:
                    out.update(copy.deepcopy(cb))
            return out

    def workload_setting(self, namespace, kind, name, key):
        """A workload-level knob (e.g. progressDeadlineSeconds) or None."""
        with self._lock:
            best, best_score = None, -1
            for k, b in (self.data.get("workloads") or {}).items():
                ns, wk, wn = parse_workload_key(k)
                if not _name_match(wn, name) or (ns is not None and ns != namespace) or (wk is not None and wk != kind):
                    continue
                score = (ns is not None) * 4 + (wk is not None) * 2
                if key in b and score > best_score:
                    best, best_score = b[key], score
            return best


def _name_match(pattern, name):
    """A workload key's name: exact, or a glob for generated names (job/db-migrate-*)."""
    return pattern == name or (any(ch in pattern for ch in "*?[") and fnmatch.fnmatchcase(name or "", pattern))


def _image_match(pattern, image):
    if fnmatch.fnmatchcase(image, pattern):
        return True
    # "nginx" also matches "docker.io/library/nginx" style references and vice versa
    return fnmatch.fnmatchcase(normalize_image(image), normalize_image(pattern))


def normalize_image(image):
    """Fully qualified reference as containerd reports it: docker.io/library/nginx:latest."""
    ref = image or ""
    digest = ""
    if "@" in ref:
        ref, digest = ref.split("@", 1)
        digest = "@" + digest
    first, _, rest = ref.partition("/")
    if not rest:
        ref = "docker.io/library/" + ref
    elif "." not in first and ":" not in first and first != "localhost":
        ref = "docker.io/" + ref
    last = ref.rsplit("/", 1)[-1]
    if ":" not in last and not digest:
        ref += ":latest"
    return ref + digest
