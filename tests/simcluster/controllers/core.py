"""Shared core of the simulated control plane: the reconcile loop, simulated time, store
access, events and the helpers every controller uses (see __init__.py for the overview)."""

import hashlib
import json
import random
import sys
import threading
import time
import traceback

import scenario as scenario_mod
import store as storemod

ALNUM = "bcdfghjklmnpqrstvwxz2456789"      # k8s.io/apimachinery/pkg/util/rand
DEFAULT_TIME_SCALE = 20.0
MAX_BACKOFF = 300.0
PROVISIONERS_RWO_ONLY = {"rancher.io/local-path"}
STANDARD_PROVISIONER = "rancher.io/local-path"
SHARED_PROVISIONER = "nfs.csi.k8s.io"
LOCAL_PATH_COMPONENT = "rancher.io/local-path_local-path-provisioner-7577fdbbfb-x2vkh_5c1e7f0e-3b6a-4d8c-9f8e-2a1d4c6b8e90"
NFS_COMPONENT = "nfs.csi.k8s.io_csi-nfs-controller-6f9c8b7d5-qh4zt_0b7d2e91-4c3a-4f5e-8d6b-1a2c3e4f5a6b"
SCHEDULER_INSTANCE = "default-scheduler-control-plane"
RO_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"


# ---------------------------------------------------------------- helpers

def rand5():
    return "".join(random.choice(ALNUM) for _ in range(5))


def safe_encode(s):
    return "".join(ALNUM[ord(c) % len(ALNUM)] for c in s)


def fnv32a(data):
    h = 0x811c9dc5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xffffffff
    return h


def template_hash(obj, collision=None):
    data = json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()
    if collision:
        data += str(collision).encode()
    return safe_encode(str(fnv32a(data)))


def wall(t=None):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def wall_micro():
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%06dZ" % int((t % 1) * 1e6)


def parse_quantity(q):
    """Kubernetes quantity -> float in base units (cores, bytes)."""
    if q is None:
        return 0.0
    if isinstance(q, (int, float)):
        return float(q)
    s = str(q).strip()
    suffixes = [("Ki", 2 ** 10), ("Mi", 2 ** 20), ("Gi", 2 ** 30), ("Ti", 2 ** 40), ("Pi", 2 ** 50),
                ("Ei", 2 ** 60), ("n", 1e-9), ("u", 1e-6), ("m", 1e-3), ("k", 1e3), ("M", 1e6),
                ("G", 1e9), ("T", 1e12), ("P", 1e15), ("E", 1e18)]
    for suf, mult in suffixes:
        if s.endswith(suf):
            try:
                return float(s[:-len(suf)]) * mult
            except ValueError:
                return 0.0
    try:
        return float(s)
    except ValueError:
        return 0.0


def go_duration(seconds):
    """Go's time.Duration.String() for whole seconds: 10s, 1m20s, 5m0s."""
    s = int(round(seconds))
    if s < 60:
        return "%ds" % s
    m, s = divmod(s, 60)
    if m < 60:
        return "%dm%ds" % (m, s)
    h, m = divmod(m, 60)
    return "%dh%dm%ds" % (h, m, s)


def int_or_percent(v, total, round_up):
    if v is None:
        return None
    if isinstance(v, str) and v.endswith("%"):
        try:
            p = float(v[:-1])
        except ValueError:
            return 0
        x = total * p / 100.0
        import math
        return int(math.ceil(x - 1e-9)) if round_up else int(math.floor(x + 1e-9))
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0


match_selector = storemod.selector_matches


def controller_ref(obj):
    for r in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if r.get("controller"):
            return r
    return None


def owner_ref(obj):
    md = obj["metadata"]
    return {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "name": md["name"], "uid": md["uid"],
            "controller": True, "blockOwnerDeletion": True}


def deep_eq(a, b):
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def set_condition(conds, ctype, status, reason=None, message=None, now=None, probe=False, update_time=False,
                  move_to_end=False, force_update=False):
    """Returns a new condition list.  lastTransitionTime changes only with the status."""
    now = now or wall()
    out = [dict(c) for c in conds or []]
    old = next((c for c in out if c.get("type") == ctype), None)
    new = {"type": ctype, "status": status}
    if probe:
        new["lastProbeTime"] = None
    if update_time:
        new["lastUpdateTime"] = now
    new["lastTransitionTime"] = now
    if reason:
        new["reason"] = reason
    if message:
        new["message"] = message
    if old is not None:
        if old.get("status") == status:
            new["lastTransitionTime"] = old.get("lastTransitionTime", now)
            if update_time and not force_update and old.get("reason") == reason and old.get("message") == message:
                new["lastUpdateTime"] = old.get("lastUpdateTime", now)
        if probe and "lastProbeTime" in old:
            new["lastProbeTime"] = old["lastProbeTime"]
        if move_to_end and not deep_eq(old, new):
            out = [c for c in out if c.get("type") != ctype] + [new]
        else:
            out[out.index(old)] = new
    else:
        out.append(new)
    return out


def get_condition(obj, ctype):
    for c in ((obj.get("status") or {}).get("conditions") or []):
        if c.get("type") == ctype:
            return c
    return None


def pod_ready(pod):
    c = get_condition(pod, "Ready")
    return bool(c and c.get("status") == "True")


def pod_active(pod):
    return not pod["metadata"].get("deletionTimestamp") and \
        (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed")


def container_requests(c):
    res = c.get("resources") or {}
    req = dict(res.get("requests") or {})
    for k, v in (res.get("limits") or {}).items():
        req.setdefault(k, v)
    return parse_quantity(req.get("cpu")), parse_quantity(req.get("memory"))


def pod_requests(pod):
    spec = pod.get("spec") or {}
    cpu = mem = 0.0
    for c in spec.get("containers") or []:
        a, b = container_requests(c)
        cpu += a
        mem += b
    for c in spec.get("initContainers") or []:
        a, b = container_requests(c)
        cpu, mem = max(cpu, a), max(mem, b)
    return cpu, mem


def qos_class(pod):
    spec = pod.get("spec") or {}
    cs = (spec.get("containers") or []) + (spec.get("initContainers") or [])
    any_set, guaranteed = False, True
    for c in cs:
        res = c.get("resources") or {}
        req, lim = res.get("requests") or {}, res.get("limits") or {}
        if req or lim:
            any_set = True
        for r in ("cpu", "memory"):
            if r not in lim:
                guaranteed = False
            elif r in req and parse_quantity(req[r]) != parse_quantity(lim[r]):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def fake_digest(text):
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def fake_id(text):
    return hashlib.sha256((text + str(random.random())).encode()).hexdigest()


# ---------------------------------------------------------------- core

class Core:
    """State, the reconcile loop and store access; the controllers are mixins over it."""

    def __init__(self, store, scenario=None, speed=1.0, nodes=3, tick=0.03):
        self.store = store
        self.scenario = scenario if scenario is not None else scenario_mod.Scenario({})
        self.speed = float(speed or 1.0)
        self.default_nodes = int(nodes if nodes is not None else 3)
        self.tick = tick
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = None
        self._next_timer = float("inf")
        self._wrote = False
        self._pods = {}          # uid -> PRun
        self._images = {}        # node -> set(image)
        self._events = {}        # (uid, fieldPath, reason, message, component) -> (ns, name)
        self._node_ips = {}      # node -> next pod ip octet
        self._dprogress = {}     # deployment uid -> monotonic time of last progress
        self._sched = {}         # pod uid -> (message, next event time)
        self._pvc = {}           # pvc uid -> dict(state)
        self._job = {}           # job uid -> dict
        self._revtmpl = {}       # (ns, revision name) -> template
        self._ready_at = {}      # pod uid -> monotonic time the pod became Ready
        self._endpoints_owned = set()
        self._managed_classes = set()
        self.errors = 0

    # ------------------------------------------------------------ lifecycle

    def start(self):
        self.store.add_listener(self._on_change)
        self._thread = threading.Thread(target=self._run, name="simcluster-controllers", daemon=True)
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=5)
        if hasattr(self.store, "remove_listener"):
            self.store.remove_listener(self._on_change)  # a no-op when it is not there

    def _on_change(self, etype, res, obj):
        self._wake.set()

    def _run(self):
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.reconcile_once()
            except Exception:
                self.errors += 1
                traceback.print_exc(file=sys.stderr)
            if self._stop.is_set():
                break
            if self._wrote:
                time.sleep(self.tick)
                continue
            wait = self._next_timer - time.monotonic()
            if wait <= self.tick:
                time.sleep(self.tick)
                continue
            self._wake.wait(min(wait, 1.0))
            if self._wake.is_set():
                time.sleep(self.tick)   # let a burst of API writes land

    # ------------------------------------------------------------ time

    def scale(self):
        ts = self.scenario.cluster().get("timeScale") or DEFAULT_TIME_SCALE
        return float(ts) * self.speed

    def D(self, sim_seconds):
        """Real seconds for a simulated duration."""
        return float(sim_seconds) / self.scale()

    def timer(self, at):
        if at < self._next_timer:
            self._next_timer = at

    # ------------------------------------------------------------ store access

    def _create(self, res, obj):
        self._wrote = True
        return self.store.create(res, obj)

    def _update(self, res, obj, status=False):
        self._wrote = True
        return self.store.update(res, obj, subresource="status" if status else None)

    def _delete(self, res, ns, name):
        self._wrote = True
        try:
            return self.store.delete(res, ns, name)
        except storemod.NotFound:
            return None  # gone already: what the delete wanted
        except storemod.StoreError as e:
            self._log("deleting %s %s/%s" % (res, ns, name), e)
            return None

    def _log(self, what, e):
        """A write the API refused: logged, as a controller's error log would, and left to the next pass."""
        print("controllers: %s: %s" % (what, e), file=sys.stderr)

    def _create_if_absent(self, res, obj):
        """Creates obj unless it exists already (made by an earlier pass); another refusal is logged.
        Returns the created object, or None."""
        try:
            return self._create(res, obj)
        except storemod.AlreadyExists:
            return None
        except storemod.StoreError as e:
            self._log("creating %s %s" % (res, obj["metadata"].get("name")), e)
            return None

    def _set_status(self, res, obj, status):
        if deep_eq(obj.get("status") or {}, status):
            return obj
        o = dict(obj)
        o["status"] = status
        md = dict(o["metadata"])
        md.pop("resourceVersion", None)
        o["metadata"] = md
        return self._update(res, o, status=True)

    def _update_meta_spec(self, res, obj):
        o = dict(obj)
        md = dict(o["metadata"])
        md.pop("resourceVersion", None)
        o["metadata"] = md
        return self._update(res, o)

    # ------------------------------------------------------------ events

    def event(self, obj, reason, message, etype="Normal", component="kubelet", host=None, field_path=None,
              v1=False, action=None):
        md = obj["metadata"]
        ns = md.get("namespace") or "default"
        key = (md.get("uid"), field_path, reason, message, component)
        ref = {"apiVersion": obj.get("apiVersion", "v1"), "kind": obj.get("kind"), "name": md["name"],
               "uid": md.get("uid"), "resourceVersion": md.get("resourceVersion")}
        if md.get("namespace"):
            ref["namespace"] = md["namespace"]
        if field_path:
            ref["fieldPath"] = field_path
        # keep the reference's field order the way the API server prints it
        ref = {k: ref[k] for k in ("apiVersion", "fieldPath", "kind", "name", "namespace", "resourceVersion", "uid")
               if k in ref and ref[k] is not None}
        known = self._events.get(key)
        if known:
            ev = self.store.get("events", known[0], known[1])
            if ev is not None:
                if v1:
                    series = ev.get("series") or {"count": 1}
                    ev["series"] = {"count": series.get("count", 1) + 1, "lastObservedTime": wall_micro()}
                else:
                    ev["count"] = (ev.get("count") or 1) + 1
                    ev["lastTimestamp"] = wall()
                ev["involvedObject"] = ref
                ev["metadata"].pop("resourceVersion", None)
                self._update("events", ev)
                return
        name = "%s.%x" % (md["name"], time.time_ns() + random.randint(0, 999))
        ev = {"apiVersion": "v1", "kind": "Event",
              "metadata": {"name": name, "namespace": ns},
              "involvedObject": ref, "reason": reason, "message": message, "type": etype}
        if v1:
            ev.update({"source": {}, "firstTimestamp": None, "lastTimestamp": None, "eventTime": wall_micro(),
                       "reportingComponent": component, "reportingInstance": SCHEDULER_INSTANCE,
                       "action": action or "Scheduling"})
        else:
            src = {"component": component}
            if host:
                src["host"] = host
            ev.update({"source": src, "firstTimestamp": wall(), "lastTimestamp": wall(), "count": 1,
                       "eventTime": None, "reportingComponent": component, "reportingInstance": host or ""})
        try:
            self._create("events", ev)
            self._events[key] = (ns, name)
        except storemod.StoreError as e:  # e.g. a terminating namespace: the recorder drops the event
            self._log("event %s %s" % (reason, ref.get("name")), e)

    # ------------------------------------------------------------ main pass

    def reconcile_once(self):
        with self.store.lock:
            self._wrote = False
            self._next_timer = float("inf")
            now = time.monotonic()
            self.sync_nodes()
            self.sync_storage_classes()
            self.sync_pvcs(now)
            for d in self.store.list("apps/deployments"):
                self._guard(self.sync_deployment, d, now)
            for rs in self.store.list("apps/replicasets"):
                self._guard(self.sync_replicaset, rs, now)
            for s in self.store.list("apps/statefulsets"):
                self._guard(self.sync_statefulset, s, now)
            for ds in self.store.list("apps/daemonsets"):
                self._guard(self.sync_daemonset, ds, now)
            for j in self.store.list("batch/jobs"):
                self._guard(self.sync_job, j, now)
            self.schedule(now)
            self.kubelets(now)
            self.sync_endpoints()
            self.sync_pvs()
            return self._wrote

    def _guard(self, fn, obj, now):
        try:
            fn(obj, now)
        except Exception:
            self.errors += 1
            print("controllers: %s %s/%s:" % (fn.__name__, obj["metadata"].get("namespace"),
                                              obj["metadata"].get("name")), file=sys.stderr)
            traceback.print_exc(file=sys.stderr)

    # ------------------------------------------------------------ pod creation

    def new_pod(self, template, ns, name, owner, extra_labels=None, annotations=None):
        tmd = template.get("metadata") or {}
        labels = dict(tmd.get("labels") or {})
        labels.update(extra_labels or {})
        md = {"name": name, "namespace": ns, "labels": labels, "ownerReferences": [owner]}
        ann = dict(tmd.get("annotations") or {})
        ann.update(annotations or {})
        if ann:
            md["annotations"] = ann
        if tmd.get("finalizers"):
            md["finalizers"] = list(tmd["finalizers"])
        spec = json.loads(json.dumps(template.get("spec") or {}))
        if spec.get("automountServiceAccountToken") is not False:
            vname = "kube-api-access-" + rand5()
            spec.setdefault("volumes", []).append({"name": vname, "projected": {"defaultMode": 420, "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
                {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                                            "path": "namespace"}]}}]}})
            for key in ("initContainers", "containers"):
                for c in spec.get(key) or []:
                    c.setdefault("volumeMounts", []).append({"mountPath": RO_MOUNT, "name": vname,
                                                             "readOnly": True})
        tol = spec.setdefault("tolerations", [])
        for k in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
            if not any(t.get("key") == k for t in tol):
                tol.append({"effect": "NoExecute", "key": k, "operator": "Exists", "tolerationSeconds": 300})
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": spec}
        pod["status"] = {"phase": "Pending", "qosClass": qos_class(pod)}
        return pod

    def owned(self, res, ns, uid):
        return [o for o in self.store.list(res, ns) if (controller_ref(o) or {}).get("uid") == uid]

    def pod_available(self, pod, min_ready, now):
        if not pod_ready(pod):
            return False
        if not min_ready:
            return True
        at = self._ready_at.get(pod["metadata"]["uid"])
        if at is None:
            return True
        due = at + self.D(min_ready)
        if now >= due:
            return True
        self.timer(due)
        return False

    # ------------------------------------------------------------ revisions (sts, ds)

    def ensure_revision(self, owner, tmpl, revname, h, prefix_labels):
        ns = owner["metadata"]["namespace"]
        self._revtmpl[(ns, revname)] = json.loads(json.dumps(tmpl))
        if self.store.get("apps/controllerrevisions", ns, revname) is not None:
            return
        revs = self.owned("apps/controllerrevisions", ns, owner["metadata"]["uid"])
        n = max([r.get("revision", 0) for r in revs] or [0]) + 1
        labels = dict(prefix_labels)
        labels["controller.kubernetes.io/hash"] = h
        self._create_if_absent("apps/controllerrevisions", {
            "apiVersion": "apps/v1", "kind": "ControllerRevision",
            "metadata": {"name": revname, "namespace": ns, "labels": labels,
                         "ownerReferences": [owner_ref(owner)]},
            "data": {"spec": {"template": dict(tmpl, **{"$patch": "replace"})}}, "revision": n})

    def revision_template(self, ns, revname):
        t = self._revtmpl.get((ns, revname))
        if t is not None:
            return t
        cr = self.store.get("apps/controllerrevisions", ns, revname)
        if cr is not None:
            t = json.loads(json.dumps(((cr.get("data") or {}).get("spec") or {}).get("template") or {}))
            t.pop("$patch", None)
            self._revtmpl[(ns, revname)] = t
            return t
        return None
