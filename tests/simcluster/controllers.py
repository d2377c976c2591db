"""Simulated control plane: controllers, scheduler, kubelets and provisioners.

One daemon thread runs a level-triggered reconcile loop.  Each pass holds
store.lock and touches objects only through the store API (so watches see
every change and resourceVersions advance).  Statuses are written only when
they change.

Time: durations that Kubernetes expresses in seconds (back-offs, probe delays,
progressDeadlineSeconds, activeDeadlineSeconds, a scenario's runSeconds) are
"simulated seconds".  One real second is timeScale * speed simulated seconds
(timeScale defaults to 20, so with --speed 1 a pod is Ready in about 0.3-0.5 s,
and --speed 0.05 runs in real time).  Timestamps written into objects are wall
clock; messages quote the nominal durations ("back-off 20s").
"""

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


# ---------------------------------------------------------------- kubelet state

class CRun:
    """The kubelet's memory of one container."""

    def __init__(self, name, init=False, sidecar=False):
        self.name = name
        self.init = init
        self.sidecar = sidecar
        self.stage = "new"
        self.next_at = 0.0
        self.waiting = ("PodInitializing" if init else "ContainerCreating", None)
        self.restarts = 0
        self.cid = None
        self.started_at = None
        self.run_since = None
        self.ready = False
        self.started = False
        self.term = None
        self.last = None
        self.pull_fail = 0
        self.pull_backoff_until = 0.0
        self.crashes = 0
        self.crash_backoff = 0
        self.exit_at = None
        self.exit_code = 0
        self.image = None
        self.image_id = None
        self.next_probe = 0.0
        self.ever_ran = False
        self.logs = ""


class PRun:
    def __init__(self, pod, now):
        md = pod["metadata"]
        self.uid = md["uid"]
        self.ns = md["namespace"]
        self.name = md["name"]
        self.node = pod["spec"]["nodeName"]
        self.stage = "new"
        self.t0 = now
        self.next_at = now
        self.start_time = None
        self.ip = None
        self.sandbox = False
        self.final = False
        self.stop_at = None
        self.chain = None
        self.stopping = False
        self.terminal = False
        self.gone = False
        self.next_mount_event = 0.0
        spec = pod["spec"]
        self.inits = [CRun(c["name"], True, c.get("restartPolicy") == "Always")
                      for c in spec.get("initContainers") or []]
        self.mains = [CRun(c["name"]) for c in spec.get("containers") or []]
        self.conds = []
        if not self.inits:
            for c in self.mains:
                c.waiting = ("ContainerCreating", None)


# ---------------------------------------------------------------- controllers

class Controllers:
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
            try:
                self.store.remove_listener(self._on_change)
            except Exception:
                pass

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
        except Exception:
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
        except Exception:
            pass

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

    # ------------------------------------------------------------ nodes

    def node_config(self):
        n = self.scenario.cluster().get("nodes") or {}
        if isinstance(n, int):
            n = {"count": n}
        return {"count": int(n.get("count", self.default_nodes)), "cpu": str(n.get("cpu", "4")),
                "memory": str(n.get("memory", "16Gi")), "pods": str(n.get("pods", "110"))}

    def node_object(self, i, cfg):
        name = "node-%d" % i
        cap = {"cpu": cfg["cpu"], "ephemeral-storage": "102350Mi", "hugepages-1Gi": "0", "hugepages-2Mi": "0",
               "memory": cfg["memory"], "pods": cfg["pods"]}
        t = wall()
        conds = [
            ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
        ]
        return {
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {
                "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux"},
                "annotations": {"node.alpha.kubernetes.io/ttl": "0",
                                "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
            "spec": {"podCIDR": "10.244.%d.0/24" % i, "podCIDRs": ["10.244.%d.0/24" % i],
                     "providerID": "sim://%s" % name},
            "status": {
                "addresses": [{"address": "172.18.0.%d" % (i + 1), "type": "InternalIP"},
                              {"address": name, "type": "Hostname"}],
                "allocatable": dict(cap), "capacity": dict(cap),
                "conditions": [{"type": c, "status": s, "reason": r, "message": m, "lastHeartbeatTime": t,
                                "lastTransitionTime": t} for c, s, r, m in conds],
                "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                "nodeInfo": {"architecture": "amd64", "bootID": fake_id(name)[:36],
                             "containerRuntimeVersion": "containerd://1.7.24", "kernelVersion": "6.1.0-28-amd64",
                             "kubeProxyVersion": "v1.32.0", "kubeletVersion": "v1.32.0",
                             "machineID": fake_id(name)[:32], "operatingSystem": "linux",
                             "osImage": "Debian GNU/Linux 12 (bookworm)", "systemUUID": fake_id(name)[:36]},
            }}

    def sync_nodes(self):
        cfg = self.node_config()
        have = {n["metadata"]["name"]: n for n in self.store.list("nodes")}
        for i in range(1, cfg["count"] + 1):
            name = "node-%d" % i
            want = self.node_object(i, cfg)
            if name not in have:
                self._create("nodes", want)
            else:
                cur = have[name]
                st = cur.get("status") or {}
                if st.get("capacity", {}).get("cpu") != cfg["cpu"] or \
                        st.get("capacity", {}).get("memory") != cfg["memory"] or \
                        st.get("capacity", {}).get("pods") != cfg["pods"]:
                    st = dict(st)
                    st["capacity"] = want["status"]["capacity"]
                    st["allocatable"] = want["status"]["allocatable"]
                    self._set_status("nodes", cur, st)
        for name in have:
            if name.startswith("node-") and name[5:].isdigit() and int(name[5:]) > cfg["count"]:
                self._delete("nodes", None, name)

    def nodes(self):
        return [n for n in self.store.list("nodes") if not n["metadata"].get("deletionTimestamp")]

    # ------------------------------------------------------------ storage

    def class_modes(self, sc):
        """Access modes a class's provisioner accepts."""
        over = (self.scenario.cluster().get("storageClasses") or {}).get(sc["metadata"]["name"]) or {}
        if "accessModes" in over:
            return set(over["accessModes"])
        if sc.get("provisioner") in PROVISIONERS_RWO_ONLY:
            return {"ReadWriteOnce"}
        return {"ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"}

    def sync_storage_classes(self):
        cl = self.scenario.cluster()
        rwx = cl.get("rwx", True)
        std = self.store.get("storage.k8s.io/storageclasses", None, "standard")
        if std is None and "standard" not in self._managed_classes:
            self._managed_classes.add("standard")
            self._create("storage.k8s.io/storageclasses", {
                "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                "metadata": {"name": "standard",
                             "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
                "provisioner": STANDARD_PROVISIONER, "reclaimPolicy": "Delete",
                "volumeBindingMode": "Immediate"})
        shared = self.store.get("storage.k8s.io/storageclasses", None, "shared")
        if rwx and shared is None:
            self._managed_classes.add("shared")
            self._create("storage.k8s.io/storageclasses", {
                "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                "metadata": {"name": "shared"},
                "provisioner": SHARED_PROVISIONER, "reclaimPolicy": "Delete",
                "volumeBindingMode": "Immediate", "mountOptions": ["nfsvers=4.1"],
                "parameters": {"server": "nfs-server.kube-system.svc.cluster.local", "share": "/"}})
        elif not rwx and shared is not None and shared.get("provisioner") == SHARED_PROVISIONER:
            self._delete("storage.k8s.io/storageclasses", None, "shared")

    def default_class(self):
        for sc in self.store.list("storage.k8s.io/storageclasses"):
            ann = sc["metadata"].get("annotations") or {}
            if ann.get("storageclass.kubernetes.io/is-default-class") == "true":
                return sc
        return None

    def sync_pvcs(self, now):
        for pvc in self.store.list("persistentvolumeclaims"):
            md = pvc["metadata"]
            if md.get("deletionTimestamp") or (pvc.get("status") or {}).get("phase") == "Bound":
                continue
            spec = pvc.get("spec") or {}
            st = self._pvc.setdefault(md["uid"], {"seen": now, "announced": False, "next_fail": 0.0})
            if "storageClassName" not in spec or spec.get("storageClassName") is None:
                dc = self.default_class()
                if dc is not None:
                    pvc["spec"] = dict(spec, storageClassName=dc["metadata"]["name"])
                    self._update_meta_spec("persistentvolumeclaims", pvc)
                    continue
            scname = spec.get("storageClassName")
            if not scname:
                if now >= st["next_fail"]:
                    self.event(pvc, "FailedBinding",
                               "no persistent volumes available for this claim and no storage class is set",
                               component="persistentvolume-controller")
                    st["next_fail"] = now + self.D(15)
                self.timer(st["next_fail"])
                continue
            sc = self.store.get("storage.k8s.io/storageclasses", None, scname)
            if sc is None:
                if now >= st["next_fail"]:
                    self.event(pvc, "ProvisioningFailed", 'storageclass.storage.k8s.io "%s" not found' % scname,
                               "Warning", component="persistentvolume-controller")
                    st["next_fail"] = now + self.D(15)
                self.timer(st["next_fail"])
                continue
            prov = sc.get("provisioner", "")
            if prov == "kubernetes.io/no-provisioner":
                if now >= st["next_fail"]:
                    if sc.get("volumeBindingMode") == "WaitForFirstConsumer":
                        self.event(pvc, "WaitForFirstConsumer",
                                   "waiting for first consumer to be created before binding",
                                   component="persistentvolume-controller")
                    else:
                        self.event(pvc, "FailedBinding", "no persistent volumes available for this claim and "
                                   "no storage class is set", component="persistentvolume-controller")
                    st["next_fail"] = now + self.D(15)
                self.timer(st["next_fail"])
                continue
            comp = LOCAL_PATH_COMPONENT if prov == STANDARD_PROVISIONER else \
                NFS_COMPONENT if prov == SHARED_PROVISIONER else prov
            ann = md.get("annotations") or {}
            if ann.get("volume.kubernetes.io/storage-provisioner") != prov:
                ann = dict(ann)
                ann["volume.beta.kubernetes.io/storage-provisioner"] = prov
                ann["volume.kubernetes.io/storage-provisioner"] = prov
                md["annotations"] = ann
                self._update_meta_spec("persistentvolumeclaims", pvc)
                self.event(pvc, "ExternalProvisioning",
                           "Waiting for a volume to be created either by the external provisioner '%s' or manually "
                           "by the system administrator. If volume creation is delayed, please verify that the "
                           "provisioner is running and correctly registered." % prov,
                           component="persistentvolume-controller")
                continue
            if not st["announced"]:
                st["announced"] = True
                st["ready_at"] = now + self.D(1.0)
                self.event(pvc, "Provisioning", 'External provisioner is provisioning volume for claim "%s/%s"'
                           % (md["namespace"], md["name"]), component=comp)
            modes = set(spec.get("accessModes") or ["ReadWriteOnce"])
            bad = modes - self.class_modes(sc)
            if bad:
                if now >= st["next_fail"]:
                    if prov == STANDARD_PROVISIONER:
                        err = "Only support ReadWriteOnce access mode"
                    else:
                        err = ("rpc error: code = InvalidArgument desc = Volume capabilities %s not supported. "
                               "Only AccessModes[ReadWriteOnce] supported." % ",".join(
                                   {"ReadWriteMany": "MULTI_NODE_MULTI_WRITER", "ReadOnlyMany":
                                    "MULTI_NODE_READER_ONLY", "ReadWriteOncePod": "SINGLE_NODE_SINGLE_WRITER"}.get(
                                       m, m) for m in sorted(bad)))
                    self.event(pvc, "ProvisioningFailed", 'failed to provision volume with StorageClass "%s": %s'
                               % (scname, err), "Warning", component=comp)
                    st["fails"] = st.get("fails", 0) + 1
                    st["next_fail"] = now + self.D(min(15 * 2 ** (st["fails"] - 1), MAX_BACKOFF))
                self.timer(st["next_fail"])
                continue
            if now < st["ready_at"]:
                self.timer(st["ready_at"])
                continue
            self.bind_pvc(pvc, sc, comp)

    def bind_pvc(self, pvc, sc, comp):
        md = pvc["metadata"]
        spec = pvc["spec"]
        pvname = "pvc-" + md["uid"]
        size = ((spec.get("resources") or {}).get("requests") or {}).get("storage", "1Gi")
        modes = spec.get("accessModes") or ["ReadWriteOnce"]
        prov = sc.get("provisioner")
        pv = {"apiVersion": "v1", "kind": "PersistentVolume",
              "metadata": {"name": pvname, "annotations": {"pv.kubernetes.io/provisioned-by": prov}},
              "spec": {"accessModes": modes, "capacity": {"storage": size},
                       "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": md["name"],
                                    "namespace": md["namespace"], "uid": md["uid"],
                                    "resourceVersion": md.get("resourceVersion")},
                       "persistentVolumeReclaimPolicy": sc.get("reclaimPolicy", "Delete"),
                       "storageClassName": sc["metadata"]["name"], "volumeMode": spec.get("volumeMode",
                                                                                          "Filesystem")},
              "status": {"phase": "Bound"}}
        if prov == SHARED_PROVISIONER:
            pv["spec"]["csi"] = {"driver": prov, "volumeHandle": "nfs-server.kube-system.svc.cluster.local##"
                                 + pvname + "##", "volumeAttributes": {"server": "nfs-server.kube-system.svc."
                                                                       "cluster.local", "share": "/",
                                                                       "subdir": pvname}}
            pv["spec"]["mountOptions"] = sc.get("mountOptions") or []
        else:
            pv["spec"]["hostPath"] = {"path": "/var/local-path-provisioner/%s_%s_%s" % (pvname, md["namespace"],
                                                                                        md["name"]),
                                      "type": "DirectoryOrCreate"}
        if self.store.get("persistentvolumes", None, pvname) is None:
            try:
                self._create("persistentvolumes", pv)
            except Exception:
                pass
        ann = dict(md.get("annotations") or {})
        ann["pv.kubernetes.io/bind-completed"] = "yes"
        ann["pv.kubernetes.io/bound-by-controller"] = "yes"
        md["annotations"] = ann
        pvc["spec"] = dict(spec, volumeName=pvname)
        pvc = self._update_meta_spec("persistentvolumeclaims", pvc)
        self._set_status("persistentvolumeclaims", pvc, {"phase": "Bound", "accessModes": modes,
                                                         "capacity": {"storage": size}})
        self.event(pvc, "ProvisioningSucceeded", "Successfully provisioned volume %s" % pvname, component=comp)

    def sync_pvs(self):
        claims = {p["metadata"]["uid"] for p in self.store.list("persistentvolumeclaims")}
        for pv in self.store.list("persistentvolumes"):
            ref = (pv.get("spec") or {}).get("claimRef") or {}
            ann = pv["metadata"].get("annotations") or {}
            if ref.get("uid") and ref["uid"] not in claims and ann.get("pv.kubernetes.io/provisioned-by") and \
                    pv["spec"].get("persistentVolumeReclaimPolicy", "Delete") == "Delete":
                self._delete("persistentvolumes", None, pv["metadata"]["name"])

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

    # ------------------------------------------------------------ replicasets

    def sync_replicaset(self, rs, now):
        md, spec = rs["metadata"], rs.get("spec") or {}
        if md.get("deletionTimestamp"):
            return
        pods = [p for p in self.owned("pods", md["namespace"], md["uid"]) if pod_active(p)]
        want = int(spec.get("replicas", 1))
        if len(pods) < want:
            for _ in range(want - len(pods)):
                p = self.new_pod(spec.get("template") or {}, md["namespace"], "%s-%s" % (md["name"], rand5()),
                                 owner_ref(rs))
                try:
                    p = self._create("pods", p)
                except Exception as e:
                    self.event(rs, "FailedCreate", "Error creating: %s" % e, "Warning",
                               component="replicaset-controller")
                    break
                pods.append(p)
                self.event(rs, "SuccessfulCreate", "Created pod: %s" % p["metadata"]["name"],
                           component="replicaset-controller")
        elif len(pods) > want:
            def rank(p):
                st = p.get("status") or {}
                return (0 if not p["spec"].get("nodeName") else 1,
                        {"Pending": 0, "Unknown": 1, "Running": 2}.get(st.get("phase"), 2),
                        1 if pod_ready(p) else 0,
                        -max((c.get("restartCount", 0) for c in st.get("containerStatuses") or []), default=0),
                        "".join(chr(255 - ord(ch)) for ch in p["metadata"].get("creationTimestamp", "")))
            pods.sort(key=rank)
            for p in pods[:len(pods) - want]:
                self._delete("pods", p["metadata"]["namespace"], p["metadata"]["name"])
                self.event(rs, "SuccessfulDelete", "Deleted pod: %s" % p["metadata"]["name"],
                           component="replicaset-controller")
            pods = pods[len(pods) - want:]
        min_ready = int(spec.get("minReadySeconds") or 0)
        ready = sum(1 for p in pods if pod_ready(p))
        avail = sum(1 for p in pods if self.pod_available(p, min_ready, now))
        st = {"replicas": len(pods)}
        if pods:
            st["fullyLabeledReplicas"] = sum(1 for p in pods if match_selector(p["metadata"].get("labels"),
                                                                               spec.get("selector")))
        if ready:
            st["readyReplicas"] = ready
        if avail:
            st["availableReplicas"] = avail
        st["observedGeneration"] = md.get("generation", 1)
        self._set_status("apps/replicasets", rs, st)

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

    # ------------------------------------------------------------ deployments

    def sync_deployment(self, d, now):
        md, spec = d["metadata"], d.get("spec") or {}
        if md.get("deletionTimestamp"):
            return
        ns, uid = md["namespace"], md["uid"]
        replicas = int(spec.get("replicas", 1))
        tmpl = spec.get("template") or {}
        collision = (d.get("status") or {}).get("collisionCount")
        h = template_hash(tmpl, collision)
        rss = self.owned("apps/replicasets", ns, uid)
        new_rs = None
        for rs in rss:
            if (rs["metadata"].get("labels") or {}).get("pod-template-hash") == h:
                new_rs = rs
        if new_rs is None:
            for rs in rss:
                t = json.loads(json.dumps(rs["spec"].get("template") or {}))
                (t.get("metadata") or {}).get("labels", {}).pop("pod-template-hash", None)
                if deep_eq(t, tmpl):
                    new_rs = rs
        olds = [rs for rs in rss if new_rs is None or rs["metadata"]["uid"] != new_rs["metadata"]["uid"]]
        olds.sort(key=lambda r: (r["metadata"].get("creationTimestamp", ""), r["metadata"]["name"]))
        revs = [int((r["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision", "0") or 0)
                for r in olds]
        max_old_rev = max(revs or [0])
        strategy = spec.get("strategy") or {}
        rolling = strategy.get("type", "RollingUpdate") == "RollingUpdate"
        ru = strategy.get("rollingUpdate") or {}
        surge = int_or_percent(ru.get("maxSurge", "25%"), replicas, True) if rolling else 0
        unavail = int_or_percent(ru.get("maxUnavailable", "25%"), replicas, False) if rolling else 0
        if rolling and surge == 0 and unavail == 0:
            unavail = 1
        paused = bool(spec.get("paused"))
        conds = list((d.get("status") or {}).get("conditions") or [])
        t = wall()
        pds = self.scenario.workload_setting(ns, "deployment", md["name"], "progressDeadlineSeconds")
        if pds is None:
            pds = spec.get("progressDeadlineSeconds", 600)
        created_new = False

        if new_rs is None and not paused:
            # the new ReplicaSet starts with what the strategy allows right away
            if rolling:
                total = sum(int(r["spec"].get("replicas", 0)) for r in olds)
                start = max(0, min(replicas, replicas + surge - total)) if olds else replicas
            else:
                start = 0 if any(int(r["spec"].get("replicas", 0)) or (r.get("status") or {}).get("replicas")
                                 for r in olds) else replicas
            labels = dict((tmpl.get("metadata") or {}).get("labels") or {})
            labels["pod-template-hash"] = h
            ntmpl = json.loads(json.dumps(tmpl))
            ntmpl.setdefault("metadata", {})["labels"] = labels
            sel = json.loads(json.dumps(spec.get("selector") or {}))
            sel.setdefault("matchLabels", {})["pod-template-hash"] = h
            ann = {k: v for k, v in (md.get("annotations") or {}).items()
                   if k not in ("kubectl.kubernetes.io/last-applied-configuration",
                                "deployment.kubernetes.io/revision")}
            ann.update({"deployment.kubernetes.io/desired-replicas": str(replicas),
                        "deployment.kubernetes.io/max-replicas": str(replicas + surge),
                        "deployment.kubernetes.io/revision": str(max_old_rev + 1)})
            rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                  "metadata": {"name": "%s-%s" % (md["name"], h), "namespace": ns, "labels": labels,
                               "annotations": ann, "ownerReferences": [owner_ref(d)]},
                  "spec": {"replicas": start, "selector": sel, "template": ntmpl}}
            if spec.get("minReadySeconds"):
                rs["spec"]["minReadySeconds"] = spec["minReadySeconds"]
            new_rs = self._create("apps/replicasets", rs)
            created_new = True
            if start > 0:
                self.event(d, "ScalingReplicaSet", "Scaled up replica set %s from 0 to %d"
                           % (new_rs["metadata"]["name"], start), component="deployment-controller")
            conds = set_condition(conds, "Progressing", "True", "NewReplicaSetCreated",
                                  'Created new replica set "%s"' % new_rs["metadata"]["name"], t,
                                  update_time=True, move_to_end=True)
            self._dprogress[uid] = now
        elif new_rs is not None:
            nann = new_rs["metadata"].get("annotations") or {}
            cur_rev = int(nann.get("deployment.kubernetes.io/revision", "0") or 0)
            want_ann = dict(nann)
            # copyDeploymentAnnotationsToReplicaSet: the Deployment's own annotations (change-cause...)
            for k, v in (md.get("annotations") or {}).items():
                if k not in ("kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision",
                             "deployment.kubernetes.io/revision-history", "deployment.kubernetes.io/desired-replicas",
                             "deployment.kubernetes.io/max-replicas", "deprecated.deployment.rollback.to"):
                    want_ann[k] = v
            if cur_rev <= max_old_rev:
                want_ann["deployment.kubernetes.io/revision"] = str(max_old_rev + 1)
            want_ann["deployment.kubernetes.io/desired-replicas"] = str(replicas)
            want_ann["deployment.kubernetes.io/max-replicas"] = str(replicas + surge)
            if want_ann != nann:
                new_rs["metadata"]["annotations"] = want_ann
                new_rs = self._update_meta_spec("apps/replicasets", new_rs)
                if cur_rev <= max_old_rev and cur_rev:
                    self._dprogress[uid] = now

        if new_rs is not None:
            rev = (new_rs["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision")
            dann = md.get("annotations") or {}
            if rev and dann.get("deployment.kubernetes.io/revision") != rev:
                d["metadata"]["annotations"] = dict(dann, **{"deployment.kubernetes.io/revision": rev})
                d = self._update_meta_spec("apps/deployments", d)
                md = d["metadata"]

        if not paused and new_rs is not None and not created_new:
            if rolling:
                self.rolling(d, new_rs, olds, replicas, surge, unavail)
            else:
                self.recreate(d, new_rs, olds, replicas)
        self.cleanup_old_rs(d, olds)

        # ---- status
        rss = self.owned("apps/replicasets", ns, uid)
        new_rs = next((r for r in rss if new_rs is not None and r["metadata"]["uid"] == new_rs["metadata"]["uid"]),
                      None)
        old_status = d.get("status") or {}
        st_replicas = sum((r.get("status") or {}).get("replicas", 0) for r in rss)
        updated = ((new_rs or {}).get("status") or {}).get("replicas", 0) if new_rs else 0
        ready = sum((r.get("status") or {}).get("readyReplicas", 0) for r in rss)
        avail = sum((r.get("status") or {}).get("availableReplicas", 0) for r in rss)
        st = {"observedGeneration": md.get("generation", 1)}
        for k, v in (("replicas", st_replicas), ("updatedReplicas", updated), ("readyReplicas", ready),
                     ("availableReplicas", avail), ("unavailableReplicas", max(0, replicas - avail))):
            if v:
                st[k] = v
        if old_status.get("collisionCount") is not None:
            st["collisionCount"] = old_status["collisionCount"]
        min_avail = replicas - unavail if rolling else replicas
        if avail >= min_avail:
            conds = set_condition(conds, "Available", "True", "MinimumReplicasAvailable",
                                  "Deployment has minimum availability.", t, update_time=True)
        else:
            conds = set_condition(conds, "Available", "False", "MinimumReplicasUnavailable",
                                  "Deployment does not have minimum availability.", t, update_time=True)
        name = new_rs["metadata"]["name"] if new_rs else md["name"]
        prog = get_condition({"status": {"conditions": conds}}, "Progressing")
        if paused:
            if not prog or prog.get("reason") != "DeploymentPaused":
                conds = set_condition(conds, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused",
                                      t, update_time=True, move_to_end=True)
        elif prog and prog.get("reason") == "DeploymentPaused":
            conds = set_condition(conds, "Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed",
                                  t, update_time=True, move_to_end=True)
            self._dprogress[uid] = now
        elif pds is not None:
            complete = (updated == replicas and avail == replicas and st_replicas == replicas)
            oldrep = old_status.get("replicas", 0) - old_status.get("updatedReplicas", 0)
            newold = st_replicas - updated
            progressing = (updated > old_status.get("updatedReplicas", 0) or
                           ready > old_status.get("readyReplicas", 0) or
                           avail > old_status.get("availableReplicas", 0) or newold < oldrep)
            if complete:
                if not prog or prog.get("reason") != "NewReplicaSetAvailable":
                    conds = set_condition(conds, "Progressing", "True", "NewReplicaSetAvailable",
                                          'ReplicaSet "%s" has successfully progressed.' % name, t,
                                          update_time=True, move_to_end=True, force_update=True)
            elif progressing and not created_new:
                conds = set_condition(conds, "Progressing", "True", "ReplicaSetUpdated",
                                      'ReplicaSet "%s" is progressing.' % name, t, update_time=True,
                                      move_to_end=True, force_update=True)
                self._dprogress[uid] = now
            elif prog and prog.get("reason") not in ("NewReplicaSetAvailable", "ProgressDeadlineExceeded"):
                last = self._dprogress.setdefault(uid, now)
                due = last + self.D(float(pds))
                if now >= due:
                    conds = set_condition(conds, "Progressing", "False", "ProgressDeadlineExceeded",
                                          'ReplicaSet "%s" has timed out progressing.' % name, t,
                                          update_time=True, move_to_end=True, force_update=True)
                else:
                    self.timer(due)
            elif prog is None:
                conds = set_condition(conds, "Progressing", "True", "ReplicaSetUpdated",
                                      'ReplicaSet "%s" is progressing.' % name, t, update_time=True,
                                      move_to_end=True)
                self._dprogress[uid] = now
        # order as the controller leaves them: Available, then Progressing (the last one updated)
        st["conditions"] = conds
        self._set_status("apps/deployments", d, st)

    def scale_rs(self, d, rs, n):
        old = int(rs["spec"].get("replicas", 0))
        if old == n:
            return rs
        rs["spec"] = dict(rs["spec"], replicas=n)
        rs = self._update_meta_spec("apps/replicasets", rs)
        self.event(d, "ScalingReplicaSet", "Scaled %s replica set %s from %d to %d"
                   % ("up" if n > old else "down", rs["metadata"]["name"], old, n),
                   component="deployment-controller")
        return rs

    def rolling(self, d, new_rs, olds, replicas, surge, unavail):
        # scale up the new ReplicaSet
        all_rs = [new_rs] + olds
        cur_new = int(new_rs["spec"].get("replicas", 0))
        if cur_new > replicas:
            new_rs = self.scale_rs(d, new_rs, replicas)
        elif cur_new < replicas:
            total = sum(int(r["spec"].get("replicas", 0)) for r in all_rs)
            allowed = replicas + surge - total
            if allowed > 0:
                new_rs = self.scale_rs(d, new_rs, cur_new + min(allowed, replicas - cur_new))
        if not olds:
            return
        # scale down old ReplicaSets (reconcileOldReplicaSets)
        all_rs = [new_rs] + olds
        old_count = sum(int(r["spec"].get("replicas", 0)) for r in olds)
        if old_count == 0:
            return
        all_count = sum(int(r["spec"].get("replicas", 0)) for r in all_rs)
        min_avail = replicas - unavail
        new_unavail = int(new_rs["spec"].get("replicas", 0)) - (new_rs.get("status") or {}).get(
            "availableReplicas", 0)
        max_down = all_count - min_avail - new_unavail
        if max_down <= 0:
            return
        cleaned = 0
        for i, r in enumerate(olds):
            if cleaned >= max_down:
                break
            sr = int(r["spec"].get("replicas", 0))
            av = (r.get("status") or {}).get("availableReplicas", 0)
            if sr == av or sr == 0:
                continue
            n = min(max_down - cleaned, sr - av)
            olds[i] = self.scale_rs(d, r, sr - n)
            cleaned += n
        all_avail = sum((r.get("status") or {}).get("availableReplicas", 0) for r in [new_rs] + olds)
        if all_avail <= min_avail:
            return
        total_down = min(all_avail - min_avail, max_down - cleaned)
        done = 0
        for i, r in enumerate(olds):
            if done >= total_down:
                break
            sr = int(r["spec"].get("replicas", 0))
            if sr == 0:
                continue
            n = min(sr, total_down - done)
            olds[i] = self.scale_rs(d, r, sr - n)
            done += n

    def recreate(self, d, new_rs, olds, replicas):
        for i, r in enumerate(olds):
            if int(r["spec"].get("replicas", 0)):
                olds[i] = self.scale_rs(d, r, 0)
        for r in olds:
            if self.owned("pods", r["metadata"]["namespace"], r["metadata"]["uid"]):
                return
        self.scale_rs(d, new_rs, replicas)

    def cleanup_old_rs(self, d, olds):
        limit = (d.get("spec") or {}).get("revisionHistoryLimit", 10)
        if limit is None:
            return
        dead = [r for r in olds if not int(r["spec"].get("replicas", 0)) and
                not (r.get("status") or {}).get("replicas")]
        dead.sort(key=lambda r: int((r["metadata"].get("annotations") or {}).get(
            "deployment.kubernetes.io/revision", "0") or 0))
        for r in dead[:max(0, len(dead) - int(limit))]:
            self._delete("apps/replicasets", r["metadata"]["namespace"], r["metadata"]["name"])

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
        try:
            self._create("apps/controllerrevisions", {
                "apiVersion": "apps/v1", "kind": "ControllerRevision",
                "metadata": {"name": revname, "namespace": ns, "labels": labels,
                             "ownerReferences": [owner_ref(owner)]},
                "data": {"spec": {"template": dict(tmpl, **{"$patch": "replace"})}}, "revision": n})
        except Exception:
            pass

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

    # ------------------------------------------------------------ statefulsets

    def sync_statefulset(self, s, now):
        md, spec = s["metadata"], s.get("spec") or {}
        if md.get("deletionTimestamp"):
            return
        ns, name, uid = md["namespace"], md["name"], md["uid"]
        replicas = int(spec.get("replicas", 1))
        start = int((spec.get("ordinals") or {}).get("start", 0) or 0)
        tmpl = spec.get("template") or {}
        h = template_hash(tmpl)
        update_rev = "%s-%s" % (name, h)
        sel_labels = dict((spec.get("selector") or {}).get("matchLabels") or {})
        self.ensure_revision(s, tmpl, update_rev, h, (tmpl.get("metadata") or {}).get("labels") or {})
        old_status = s.get("status") or {}
        current_rev = old_status.get("currentRevision") or update_rev
        us = spec.get("updateStrategy") or {}
        ondelete = us.get("type") == "OnDelete"
        partition = int(((us.get("rollingUpdate") or {}).get("partition")) or 0)
        parallel = spec.get("podManagementPolicy") == "Parallel"
        pods = {}
        for p in self.owned("pods", ns, uid):
            try:
                ordinal = int(p["metadata"]["name"].rsplit("-", 1)[1])
            except (IndexError, ValueError):
                continue
            pods[ordinal] = p

        def healthy(p):
            return (p.get("status") or {}).get("phase") == "Running" and pod_ready(p) and \
                not p["metadata"].get("deletionTimestamp")

        def rev_of(p):
            return (p["metadata"].get("labels") or {}).get("controller-revision-hash")

        wanted = list(range(start, start + replicas))
        # replace failed pods, create missing ones
        for i in wanted:
            p = pods.get(i)
            if p is not None and (p.get("status") or {}).get("phase") in ("Failed", "Succeeded"):
                self._delete("pods", ns, p["metadata"]["name"])
                self.event(s, "SuccessfulDelete", "delete Pod %s in StatefulSet %s successful"
                           % (p["metadata"]["name"], name), component="statefulset-controller")
                del pods[i]
                if not parallel:
                    break
            if p is None or i not in pods:
                rev = update_rev if ondelete or (i - start) >= partition else current_rev
                t = self.revision_template(ns, rev) or tmpl
                pod = self.sts_pod(s, t, i, rev)
                claims = self.sts_claims(s, i)
                try:
                    pod = self._create("pods", pod)
                except Exception:
                    break
                pods[i] = pod
                msg = "create Pod %s in StatefulSet %s successful" % (pod["metadata"]["name"], name)
                if claims:
                    self.event(s, "SuccessfulCreate", "create Claim %s Pod %s in StatefulSet %s success"
                               % (",".join(claims), pod["metadata"]["name"], name),
                               component="statefulset-controller")
                self.event(s, "SuccessfulCreate", msg, component="statefulset-controller")
                if not parallel:
                    break
            elif not healthy(p) and not parallel:
                break
        # scale down: highest ordinal first
        extra = sorted((i for i in pods if i not in wanted), reverse=True)
        if extra and (parallel or all(healthy(pods[i]) for i in wanted if i in pods)):
            for i in (extra if parallel else extra[:1]):
                self._delete("pods", ns, pods[i]["metadata"]["name"])
                self.event(s, "SuccessfulDelete", "delete Pod %s in StatefulSet %s successful"
                           % (pods[i]["metadata"]["name"], name), component="statefulset-controller")
                del pods[i]
        # rolling update: one pod at a time, highest ordinal first, only when all are healthy
        elif not ondelete and all(i in pods and healthy(pods[i]) for i in wanted):
            for i in sorted(wanted, reverse=True):
                if i - start < partition:
                    break
                if rev_of(pods[i]) != update_rev:
                    self._delete("pods", ns, pods[i]["metadata"]["name"])
                    self.event(s, "SuccessfulDelete", "delete Pod %s in StatefulSet %s successful"
                               % (pods[i]["metadata"]["name"], name), component="statefulset-controller")
                    del pods[i]
                    break
        live = [p for p in pods.values() if not p["metadata"].get("deletionTimestamp")]
        min_ready = int(spec.get("minReadySeconds") or 0)
        st = {"observedGeneration": md.get("generation", 1), "replicas": len(live)}
        ready = sum(1 for p in live if pod_ready(p))
        avail = sum(1 for p in live if self.pod_available(p, min_ready, now))
        cur = sum(1 for p in live if rev_of(p) == current_rev)
        upd = sum(1 for p in live if rev_of(p) == update_rev)
        if (not ondelete and upd == len(live) == replicas and ready == replicas) or \
                (ondelete and upd == len(live) == replicas):
            current_rev, cur = update_rev, upd
        if ready:
            st["readyReplicas"] = ready
        if cur:
            st["currentReplicas"] = cur
        if upd:
            st["updatedReplicas"] = upd
        st["currentRevision"] = current_rev
        st["updateRevision"] = update_rev
        st["collisionCount"] = old_status.get("collisionCount", 0)
        st["availableReplicas"] = avail
        self._set_status("apps/statefulsets", s, st)

    def sts_pod(self, s, tmpl, i, rev):
        md, spec = s["metadata"], s["spec"]
        pname = "%s-%d" % (md["name"], i)
        pod = self.new_pod(tmpl, md["namespace"], pname, owner_ref(s),
                           {"controller-revision-hash": rev, "statefulset.kubernetes.io/pod-name": pname,
                            "apps.kubernetes.io/pod-index": str(i)})
        pspec = pod["spec"]
        pspec["hostname"] = pname
        if spec.get("serviceName"):
            pspec["subdomain"] = spec["serviceName"]
        vols = pspec.setdefault("volumes", [])
        for ct in spec.get("volumeClaimTemplates") or []:
            cname = ct["metadata"]["name"]
            vols[:] = [v for v in vols if v.get("name") != cname]
            vols.insert(0, {"name": cname, "persistentVolumeClaim": {"claimName": "%s-%s" % (cname, pname)}})
        pod["status"]["qosClass"] = qos_class(pod)
        return pod

    def sts_claims(self, s, i):
        md, spec = s["metadata"], s["spec"]
        made = []
        for ct in spec.get("volumeClaimTemplates") or []:
            cname = "%s-%s-%d" % (ct["metadata"]["name"], md["name"], i)
            if self.store.get("persistentvolumeclaims", md["namespace"], cname) is not None:
                continue
            labels = dict((spec.get("selector") or {}).get("matchLabels") or {})
            labels.update((ct.get("metadata") or {}).get("labels") or {})
            pvc = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                   "metadata": {"name": cname, "namespace": md["namespace"], "labels": labels},
                   "spec": json.loads(json.dumps(ct.get("spec") or {})), "status": {"phase": "Pending"}}
            if (ct.get("metadata") or {}).get("annotations"):
                pvc["metadata"]["annotations"] = dict(ct["metadata"]["annotations"])
            pol = spec.get("persistentVolumeClaimRetentionPolicy") or {}
            if pol.get("whenDeleted") == "Delete":
                pvc["metadata"]["ownerReferences"] = [dict(owner_ref(s), controller=True)]
            try:
                self._create("persistentvolumeclaims", pvc)
                made.append(cname)
            except Exception:
                pass
        return made

    # ------------------------------------------------------------ daemonsets

    def sync_daemonset(self, ds, now):
        md, spec = ds["metadata"], ds.get("spec") or {}
        if md.get("deletionTimestamp"):
            return
        ns, name, uid = md["namespace"], md["name"], md["uid"]
        tmpl = spec.get("template") or {}
        h = template_hash(tmpl)
        gen = md.get("generation", 1)
        self.ensure_revision(ds, tmpl, "%s-%s" % (name, h), h, (tmpl.get("metadata") or {}).get("labels") or {})
        nsel = (tmpl.get("spec") or {}).get("nodeSelector") or {}
        nodes = [n for n in self.nodes() if all((n["metadata"].get("labels") or {}).get(k) == v
                                                 for k, v in nsel.items())]
        node_names = {n["metadata"]["name"] for n in nodes}
        by_node = {}
        for p in self.owned("pods", ns, uid):
            if p["metadata"].get("deletionTimestamp"):
                continue
            by_node.setdefault(self.ds_pod_node(p), []).append(p)
        for node, pods in list(by_node.items()):
            if node not in node_names:
                for p in pods:
                    self._delete("pods", ns, p["metadata"]["name"])
                    self.event(ds, "SuccessfulDelete", "Deleted pod: %s" % p["metadata"]["name"],
                               component="daemonset-controller")
                del by_node[node]
                continue
            for p in list(pods):
                if (p.get("status") or {}).get("phase") == "Failed":
                    self.event(ds, "FailedDaemonPod", "Found failed daemon pod %s/%s on node %s, will try to kill it"
                               % (ns, p["metadata"]["name"], node), "Warning", component="daemonset-controller")
                    self._delete("pods", ns, p["metadata"]["name"])
                    pods.remove(p)
            for p in pods[1:]:
                self._delete("pods", ns, p["metadata"]["name"])
                pods.remove(p)
        for n in sorted(node_names):
            if by_node.get(n):
                continue
            pod = self.new_pod(tmpl, ns, "%s-%s" % (name, rand5()), owner_ref(ds),
                               {"controller-revision-hash": h, "pod-template-generation": str(gen)})
            aff = pod["spec"].setdefault("affinity", {})
            aff["nodeAffinity"] = {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [n]}]}]}}
            tol = pod["spec"]["tolerations"]
            for k, eff in (("node.kubernetes.io/disk-pressure", "NoSchedule"),
                           ("node.kubernetes.io/memory-pressure", "NoSchedule"),
                           ("node.kubernetes.io/pid-pressure", "NoSchedule"),
                           ("node.kubernetes.io/unschedulable", "NoSchedule")):
                tol.append({"effect": eff, "key": k, "operator": "Exists"})
            for t in tol:
                if t.get("key") in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
                    t.pop("tolerationSeconds", None)
            try:
                pod = self._create("pods", pod)
            except Exception:
                continue
            by_node[n] = [pod]
            self.event(ds, "SuccessfulCreate", "Created pod: %s" % pod["metadata"]["name"],
                       component="daemonset-controller")
        min_ready = int(spec.get("minReadySeconds") or 0)
        us = spec.get("updateStrategy") or {}
        if us.get("type", "RollingUpdate") == "RollingUpdate":
            max_unavail = int_or_percent((us.get("rollingUpdate") or {}).get("maxUnavailable", 1),
                                         len(node_names), True) or 1
            unavailable = sum(1 for n in node_names
                              if not any(self.pod_available(p, min_ready, now) for p in by_node.get(n, [])))
            for n in sorted(node_names):
                if unavailable >= max_unavail:
                    break
                for p in by_node.get(n, []):
                    if (p["metadata"].get("labels") or {}).get("controller-revision-hash") != h:
                        self._delete("pods", ns, p["metadata"]["name"])
                        self.event(ds, "SuccessfulDelete", "Deleted pod: %s" % p["metadata"]["name"],
                                   component="daemonset-controller")
                        by_node[n] = []
                        unavailable += 1
        desired = len(node_names)
        current = sum(1 for n in node_names if by_node.get(n))
        ready = sum(1 for n in node_names if any(pod_ready(p) for p in by_node.get(n, [])))
        updated = sum(1 for n in node_names if any((p["metadata"].get("labels") or {}).get(
            "controller-revision-hash") == h for p in by_node.get(n, [])))
        avail = sum(1 for n in node_names if any(self.pod_available(p, min_ready, now)
                                                 for p in by_node.get(n, [])))
        st = {"currentNumberScheduled": current, "desiredNumberScheduled": desired, "numberMisscheduled": 0,
              "numberReady": ready, "observedGeneration": gen}
        if updated:
            st["updatedNumberScheduled"] = updated
        if avail:
            st["numberAvailable"] = avail
        if desired - avail > 0:
            st["numberUnavailable"] = desired - avail
        self._set_status("apps/daemonsets", ds, st)

    @staticmethod
    def ds_pod_node(p):
        if p["spec"].get("nodeName"):
            return p["spec"]["nodeName"]
        try:
            terms = p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
                "nodeSelectorTerms"]
            for t in terms:
                for f in t.get("matchFields") or []:
                    if f.get("key") == "metadata.name":
                        return f["values"][0]
        except (KeyError, TypeError, IndexError):
            pass
        return None

    # ------------------------------------------------------------ jobs

    def sync_job(self, job, now):
        md, spec = job["metadata"], job.get("spec") or {}
        if md.get("deletionTimestamp"):
            return
        ns, name, uid = md["namespace"], md["name"], md["uid"]
        status = json.loads(json.dumps(job.get("status") or {}))
        conds = status.get("conditions") or []
        t = wall()
        mem = self._job.setdefault(uid, {"next_create": 0.0})

        def has(ctype):
            return any(c.get("type") == ctype and c.get("status") == "True" for c in conds)

        pods = self.owned("pods", ns, uid)
        active = [p for p in pods if pod_active(p)]
        succeeded = sum(1 for p in pods if (p.get("status") or {}).get("phase") == "Succeeded")
        failed = sum(1 for p in pods if (p.get("status") or {}).get("phase") == "Failed")
        succeeded = max(succeeded, status.get("succeeded", 0))
        failed = max(failed, status.get("failed", 0))

        if has("Complete") or has("Failed"):
            ttl = spec.get("ttlSecondsAfterFinished")
            if ttl is not None:
                due = mem.setdefault("finished_at", now) + self.D(ttl)
                if now >= due:
                    self.store.delete("batch/jobs", ns, name, "Background")
                    self._wrote = True
                else:
                    self.timer(due)
            return
        if spec.get("suspend"):
            for p in active:
                self._delete("pods", ns, p["metadata"]["name"])
            if not has("Suspended"):
                conds = set_condition(conds, "Suspended", "True", "JobSuspended", "Job suspended", t, probe=True)
                self.event(job, "Suspended", "Job suspended", component="job-controller")
            status["conditions"] = conds
            status.pop("active", None)
            self._set_status("batch/jobs", job, self.job_status(status, 0, succeeded, failed, 0))
            return
        if not status.get("startTime"):
            status["startTime"] = t
            mem["started"] = now
        mem.setdefault("started", now)
        completions = spec.get("completions")
        parallelism = int(spec.get("parallelism", 1) if spec.get("parallelism") is not None else 1)
        backoff_limit = int(spec.get("backoffLimit", 6))
        restart_policy = ((spec.get("template") or {}).get("spec") or {}).get("restartPolicy", "Never")
        restarts = 0
        if restart_policy == "OnFailure":
            for p in active:
                for c in (p.get("status") or {}).get("containerStatuses") or []:
                    restarts += c.get("restartCount", 0)
        ready = sum(1 for p in active if pod_ready(p))

        fail_reason = None
        if has("FailureTarget"):
            ft = get_condition({"status": {"conditions": conds}}, "FailureTarget")
            fail_reason = (ft.get("reason"), ft.get("message"))
        elif failed > backoff_limit or (restart_policy == "OnFailure" and backoff_limit >= 0 and
                                        restarts > 0 and restarts >= backoff_limit and failed + restarts >
                                        backoff_limit):
            fail_reason = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
        elif spec.get("activeDeadlineSeconds") is not None:
            due = mem["started"] + self.D(spec["activeDeadlineSeconds"])
            if now >= due:
                fail_reason = ("DeadlineExceeded", "Job was active longer than specified deadline")
            else:
                self.timer(due)
        if fail_reason:
            if not has("FailureTarget"):
                conds = set_condition(conds, "FailureTarget", "True", fail_reason[0], fail_reason[1], t, probe=True)
                for p in active:
                    self._delete("pods", ns, p["metadata"]["name"])
                    self.event(job, "SuccessfulDelete", "Deleted pod: %s" % p["metadata"]["name"],
                               component="job-controller")
                    failed += 1 if fail_reason[0] == "DeadlineExceeded" else 0
                active = []
            else:
                conds = set_condition(conds, "Failed", "True", fail_reason[0], fail_reason[1], t, probe=True)
                self.event(job, fail_reason[0], fail_reason[1], "Warning", component="job-controller")
                mem["finished_at"] = now
            status["conditions"] = conds
            self._set_status("batch/jobs", job, self.job_status(status, 0, succeeded, failed, 0))
            return
        target = completions if completions is not None else 1
        if has("SuccessCriteriaMet") or (succeeded >= target and (completions is not None or not active)):
            if not has("SuccessCriteriaMet"):
                conds = set_condition(conds, "SuccessCriteriaMet", "True", "CompletionsReached",
                                      "Reached expected number of succeeded pods", t, probe=True)
                for p in active:
                    self._delete("pods", ns, p["metadata"]["name"])
            else:
                conds = set_condition(conds, "Complete", "True", "CompletionsReached",
                                      "Reached expected number of succeeded pods", t, probe=True)
                status["completionTime"] = t
                self.event(job, "Completed", "Job completed", component="job-controller")
                mem["finished_at"] = now
            status["conditions"] = conds
            self._set_status("batch/jobs", job, self.job_status(status, 0, succeeded, failed, 0))
            return
        want = min(parallelism, (target - succeeded) if completions is not None else parallelism)
        indexed = spec.get("completionMode") == "Indexed"
        if len(active) < want:
            if now < mem["next_create"]:
                self.timer(mem["next_create"])
            else:
                done_idx = {(p["metadata"].get("annotations") or {}).get("batch.kubernetes.io/job-completion-index")
                            for p in pods if (p.get("status") or {}).get("phase") == "Succeeded"}
                busy_idx = {(p["metadata"].get("annotations") or {}).get("batch.kubernetes.io/job-completion-index")
                            for p in active}
                free_idx = [str(i) for i in range(target) if str(i) not in done_idx and str(i) not in busy_idx]
                for _ in range(want - len(active)):
                    extra, ann, pname = {}, {}, "%s-%s" % (name, rand5())
                    if indexed and free_idx:
                        idx = free_idx.pop(0)
                        extra = {"batch.kubernetes.io/job-completion-index": idx}
                        ann = {"batch.kubernetes.io/job-completion-index": idx}
                        pname = "%s-%s-%s" % (name, idx, rand5())
                    pod = self.new_pod(spec.get("template") or {}, ns, pname, owner_ref(job), extra, ann)
                    if indexed and ann:
                        pod["spec"].setdefault("hostname", "%s-%s" % (name, ann[
                            "batch.kubernetes.io/job-completion-index"]))
                    try:
                        pod = self._create("pods", pod)
                    except Exception:
                        break
                    active.append(pod)
                    self.event(job, "SuccessfulCreate", "Created pod: %s" % pod["metadata"]["name"],
                               component="job-controller")
                if failed:
                    mem["next_create"] = now + self.D(min(10 * 2 ** (failed - 1), 360))
        if failed and len(active) < want and mem["next_create"] > now:
            self.timer(mem["next_create"])
        if indexed:
            idx = sorted(int(i) for i in {(p["metadata"].get("annotations") or {}).get(
                "batch.kubernetes.io/job-completion-index") for p in pods
                if (p.get("status") or {}).get("phase") == "Succeeded"} if i is not None)
            if idx:
                status["completedIndexes"] = compress_ranges(idx)
        self._set_status("batch/jobs", job, self.job_status(status, len(active), succeeded, failed, ready))

    @staticmethod
    def job_status(status, active, succeeded, failed, ready):
        st = {k: v for k, v in status.items() if k not in ("active", "succeeded", "failed", "ready", "terminating",
                                                          "uncountedTerminatedPods")}
        if active:
            st["active"] = active
        if succeeded:
            st["succeeded"] = succeeded
        if failed:
            st["failed"] = failed
        st["ready"] = ready
        st["terminating"] = 0
        st["uncountedTerminatedPods"] = {}
        return st

    # ------------------------------------------------------------ scheduler

    def schedule(self, now):
        nodes = self.nodes()
        if not nodes:
            return
        pods = self.store.list("pods")
        used = {n["metadata"]["name"]: [0.0, 0.0, 0] for n in nodes}
        for p in pods:
            nn = p["spec"].get("nodeName")
            if nn in used and pod_active(p):
                cpu, mem = pod_requests(p)
                used[nn][0] += cpu
                used[nn][1] += mem
                used[nn][2] += 1
        live = {p["metadata"]["uid"] for p in pods}
        for uid in list(self._sched):
            if uid not in live:
                del self._sched[uid]
        for p in pods:
            if p["spec"].get("nodeName") or not pod_active(p) or \
                    p["spec"].get("schedulerName", "default-scheduler") != "default-scheduler":
                continue
            node, msg = self.fit(p, nodes, used)
            md = p["metadata"]
            if node:
                p["spec"]["nodeName"] = node
                p = self._update_meta_spec("pods", p)
                cpu, mem = pod_requests(p)
                used[node][0] += cpu
                used[node][1] += mem
                used[node][2] += 1
                st = dict(p.get("status") or {})
                st["conditions"] = set_condition(
                    [c for c in st.get("conditions") or [] if c.get("type") != "PodScheduled"],
                    "PodScheduled", "True", now=wall(), probe=True)
                st["qosClass"] = qos_class(p)
                self._set_status("pods", p, st)
                self._sched.pop(md["uid"], None)
                self.event(p, "Scheduled", "Successfully assigned %s/%s to %s" % (md["namespace"], md["name"], node),
                           component="default-scheduler", v1=True)
                continue
            prev = self._sched.get(md["uid"])
            if prev is None or prev[0] != msg or now >= prev[1]:
                self.event(p, "FailedScheduling", msg, "Warning", component="default-scheduler", v1=True)
                self._sched[md["uid"]] = (msg, now + self.D(60))
                st = dict(p.get("status") or {})
                st["phase"] = "Pending"
                st["conditions"] = set_condition(st.get("conditions") or [], "PodScheduled", "False",
                                                 "Unschedulable", msg, wall(), probe=True)
                st["qosClass"] = qos_class(p)
                self._set_status("pods", p, st)
            self.timer(self._sched[md["uid"]][1])

    def fit(self, pod, nodes, used):
        n = len(nodes)
        ns = pod["metadata"]["namespace"]
        not_helpful = "%d Preemption is not helpful for scheduling" % n
        for v in pod["spec"].get("volumes") or []:
            claim = (v.get("persistentVolumeClaim") or {}).get("claimName")
            if not claim:
                continue
            pvc = self.store.get("persistentvolumeclaims", ns, claim)
            if pvc is None:
                return None, ('0/%d nodes are available: persistentvolumeclaim "%s" not found. preemption: 0/%d '
                              'nodes are available: %s.' % (n, claim, n, not_helpful))
            if pvc["metadata"].get("deletionTimestamp"):
                return None, ('0/%d nodes are available: persistentvolumeclaim "%s" is being deleted. preemption: '
                              '0/%d nodes are available: %s.' % (n, claim, n, not_helpful))
            if (pvc.get("status") or {}).get("phase") != "Bound":
                return None, ("0/%d nodes are available: pod has unbound immediate PersistentVolumeClaims. "
                              "preemption: 0/%d nodes are available: %s." % (n, n, not_helpful))
        cpu, mem = pod_requests(pod)
        forced = set()
        for c in pod["spec"].get("containers") or []:
            b = self.behaviour(pod, c, None)
            ins = b.get("insufficient")
            if ins:
                forced.update([ins] if isinstance(ins, str) else ins)
        reasons, preempt = {}, {}
        fits = []
        nsel = pod["spec"].get("nodeSelector") or {}
        pinned = self.ds_pod_node(pod) if not pod["spec"].get("nodeName") else None
        for node in nodes:
            name = node["metadata"]["name"]
            labels = node["metadata"].get("labels") or {}
            if any(labels.get(k) != v for k, v in nsel.items()) or (pinned and pinned != name) or \
                    not self.affinity_ok(pod, node):
                r = "node(s) didn't match Pod's node affinity/selector"
                reasons[r] = reasons.get(r, 0) + 1
                preempt["Preemption is not helpful for scheduling"] = preempt.get(
                    "Preemption is not helpful for scheduling", 0) + 1
                continue
            alloc = (node.get("status") or {}).get("allocatable") or {}
            u = used[name]
            node_reasons = []
            if u[2] + 1 > parse_quantity(alloc.get("pods", "110")):
                node_reasons.append("Too many pods")
            if "cpu" in forced or (cpu and u[0] + cpu > parse_quantity(alloc.get("cpu", "0")) + 1e-9):
                node_reasons.append("Insufficient cpu")
            if "memory" in forced or (mem and u[1] + mem > parse_quantity(alloc.get("memory", "0"))):
                node_reasons.append("Insufficient memory")
            if node_reasons:
                for r in node_reasons:
                    reasons[r] = reasons.get(r, 0) + 1
                preempt["No preemption victims found for incoming pod"] = preempt.get(
                    "No preemption victims found for incoming pod", 0) + 1
                continue
            fits.append((u[0] / max(parse_quantity(alloc.get("cpu", "1")), 1e-9) + u[2] * 0.01, name))
        if fits:
            fits.sort()
            return fits[0][1], None
        parts = sorted("%d %s" % (c, r) for r, c in reasons.items())
        pparts = sorted("%d %s" % (c, r) for r, c in preempt.items())
        return None, "0/%d nodes are available: %s. preemption: 0/%d nodes are available: %s." % (
            n, ", ".join(parts), n, ", ".join(pparts))

    @staticmethod
    def affinity_ok(pod, node):
        try:
            terms = pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
                "nodeSelectorTerms"]
        except (KeyError, TypeError):
            return True
        labels = node["metadata"].get("labels") or {}
        for t in terms:
            ok = True
            for e in t.get("matchExpressions") or []:
                k, op, vals = e.get("key"), e.get("operator"), e.get("values") or []
                if op == "In" and labels.get(k) not in vals or op == "NotIn" and labels.get(k) in vals or \
                        op == "Exists" and k not in labels or op == "DoesNotExist" and k in labels:
                    ok = False
            for f in t.get("matchFields") or []:
                if f.get("key") == "metadata.name":
                    if f.get("operator") == "In" and node["metadata"]["name"] not in (f.get("values") or []):
                        ok = False
            if ok:
                return True
        return False

    # ------------------------------------------------------------ scenario lookups

    def workload_chain(self, pod):
        md = pod["metadata"]
        chain = [("pod", md["name"])]
        ref = controller_ref(pod)
        if ref:
            kind = ref.get("kind", "").lower()
            chain.append((kind, ref.get("name")))
            if kind == "replicaset":
                rs = self.store.get("apps/replicasets", md["namespace"], ref.get("name"))
                r2 = controller_ref(rs) if rs else None
                if r2:
                    chain.append((r2.get("kind", "").lower(), r2.get("name")))
        return chain

    def behaviour(self, pod, cspec, chain):
        if chain is None:
            chain = self.workload_chain(pod)
        return self.scenario.behaviour(cspec.get("image"), chain, pod["metadata"]["namespace"], cspec["name"])

    # ------------------------------------------------------------ kubelets

    def kubelets(self, now):
        pods = self.store.list("pods")
        live = set()
        for pod in pods:
            uid = pod["metadata"]["uid"]
            live.add(uid)
            if not pod["spec"].get("nodeName"):
                continue
            try:
                self.kubelet_pod(pod, now)
            except Exception:
                self.errors += 1
                traceback.print_exc(file=sys.stderr)
        for uid in list(self._pods):
            if uid not in live:
                del self._pods[uid]
                self._ready_at.pop(uid, None)

    def pod_ip(self, node):
        try:
            idx = int(node.split("-")[-1])
        except ValueError:
            idx = 99
        n = self._node_ips.get(node, 1) + 1
        self._node_ips[node] = n
        return "10.244.%d.%d" % (idx, (n - 2) % 253 + 2)

    def node_ip(self, node):
        try:
            return "172.18.0.%d" % (int(node.split("-")[-1]) + 1)
        except ValueError:
            return "172.18.0.200"

    def kubelet_pod(self, pod, now):
        md, spec = pod["metadata"], pod["spec"]
        pr = self._pods.get(md["uid"])
        if pr is None:
            pr = self._pods[md["uid"]] = PRun(pod, now)
            pr.next_at = now + self.D(0.3)
        if md.get("deletionTimestamp"):
            return self.kubelet_stop(pod, pr, now)
        if pr.final:
            return
        ev_pod = pod
        if pr.stage == "new":
            if now < pr.next_at:
                self.timer(pr.next_at)
                return
            pr.stage = "volumes"
            pr.start_time = wall()
            pr.next_at = now + self.D(0.8)
        if pr.stage == "volumes":
            err = self.mount_error(pod)
            if err:
                if now >= pr.next_mount_event:
                    self.event(ev_pod, "FailedMount", err, "Warning", host=pr.node)
                    pr.next_mount_event = now + self.D(16)
                self.timer(pr.next_mount_event)
            elif now >= pr.next_at:
                pr.stage = "run"
                pr.sandbox = True
                pr.ip = self.pod_ip(pr.node)
            else:
                self.timer(pr.next_at)
        if pr.stage == "run":
            chain = pr.chain = self.workload_chain(pod)   # kept: the owners may be gone when the pod stops
            cspecs = {c["name"]: c for c in spec.get("initContainers") or []}
            mspecs = {c["name"]: c for c in spec.get("containers") or []}
            inits_done = True
            for c in pr.inits:
                if c.sidecar:
                    self.step_container(pod, pr, c, cspecs[c.name], chain, now)
                    if not c.started:
                        inits_done = False
                        break
                    continue
                if c.stage == "done" and c.term and c.term.get("exitCode") == 0:
                    continue
                self.step_container(pod, pr, c, cspecs[c.name], chain, now)
                if not (c.stage == "done" and c.term and c.term.get("exitCode") == 0):
                    inits_done = False
                    break
            if inits_done:
                for c in pr.mains:
                    if c.waiting and c.waiting[0] == "PodInitializing" and c.stage == "new":
                        c.waiting = ("ContainerCreating", None)
                    self.step_container(pod, pr, c, mspecs[c.name], chain, now)
        self.write_pod_status(pod, pr, now)

    def kubelet_stop(self, pod, pr, now):
        """Graceful termination: the kubelet sends SIGTERM to the running containers (event Killing),
        they stop after their behaviour's stopSeconds (simulated, default 2) or are killed when the
        grace period ends (exit 137), the pod gets its terminal phase and the kubelet deletes it
        with grace period 0 (it stays while finalizers remain)."""
        md, spec = pod["metadata"], pod["spec"]
        if pr.gone:
            return
        grace = md.get("deletionGracePeriodSeconds") or 0
        if pr.stop_at is None:
            stop = 0.0
            chain = pr.chain if pr.chain is not None else self.workload_chain(pod)
            specs = {c["name"]: c for c in (spec.get("initContainers") or []) + (spec.get("containers") or [])}
            for c in pr.inits + pr.mains:
                if c.stage != "running":
                    continue
                beh = self.behaviour(pod, specs[c.name], chain)
                secs = beh.get("stopSeconds", 2)
                c.stop_after = min(float(secs), float(grace))
                c.killed = float(secs) >= grace > 0 or (grace == 0 and float(secs) > 0)
                stop = max(stop, c.stop_after)
                self.cevent(pod, c, "Killing", "Stopping container %s" % c.name)
            pr.stop_at = now + self.D(stop)
            pr.stopping = True
        if now < pr.stop_at:
            self.timer(pr.stop_at)
            return
        if pr.stage != "new":
            t = wall()
            for c in pr.inits + pr.mains:
                if c.stage == "running":
                    code = 137 if getattr(c, "killed", False) else 0
                    c.term = {"exitCode": code, "reason": "Error" if code else "Completed", "startedAt": c.started_at,
                              "finishedAt": t, "containerID": c.cid}
                    c.stage = "done"
                    c.ready = False
                elif c.stage not in ("done", "exited") and c.term is None:
                    c.waiting = (c.waiting or ("ContainerCreating", None))
            pr.terminal = True
            cur = self.store.get("pods", md["namespace"], md["name"])
            if cur is not None and cur["metadata"].get("uid") == md["uid"]:
                self.write_pod_status(cur, pr, now)
        pr.gone = True
        self._wrote = True
        try:
            self.store.delete("pods", md["namespace"], md["name"], grace=0)
        except storemod.NotFound:
            pass

    def mount_error(self, pod):
        ns = pod["metadata"]["namespace"]
        for v in pod["spec"].get("volumes") or []:
            if "secret" in v:
                s = v["secret"] or {}
                if not s.get("optional") and self.store.get("secrets", ns, s.get("secretName")) is None:
                    return 'MountVolume.SetUp failed for volume "%s" : secret "%s" not found' % (
                        v["name"], s.get("secretName"))
            if "configMap" in v:
                c = v["configMap"] or {}
                if not c.get("optional") and self.store.get("configmaps", ns, c.get("name")) is None:
                    return 'MountVolume.SetUp failed for volume "%s" : configmap "%s" not found' % (
                        v["name"], c.get("name"))
        return None

    def config_error(self, pod, cspec, beh):
        ns = pod["metadata"]["namespace"]
        forced = beh.get("configError")
        if forced:
            if isinstance(forced, str):
                return forced
            if forced.get("secret"):
                if forced.get("key"):
                    return "couldn't find key %s in Secret %s/%s" % (forced["key"], ns, forced["secret"])
                return 'secret "%s" not found' % forced["secret"]
            if forced.get("configMap"):
                if forced.get("key"):
                    return "couldn't find key %s in ConfigMap %s/%s" % (forced["key"], ns, forced["configMap"])
                return 'configmap "%s" not found' % forced["configMap"]
            if forced.get("message"):
                return forced["message"]
        for ef in cspec.get("envFrom") or []:
            if ef.get("secretRef") and not ef["secretRef"].get("optional"):
                if self.store.get("secrets", ns, ef["secretRef"].get("name")) is None:
                    return 'secret "%s" not found' % ef["secretRef"].get("name")
            if ef.get("configMapRef") and not ef["configMapRef"].get("optional"):
                if self.store.get("configmaps", ns, ef["configMapRef"].get("name")) is None:
                    return 'configmap "%s" not found' % ef["configMapRef"].get("name")
        for e in cspec.get("env") or []:
            vf = e.get("valueFrom") or {}
            sk = vf.get("secretKeyRef")
            if sk and not sk.get("optional"):
                sec = self.store.get("secrets", ns, sk.get("name"))
                if sec is None:
                    return 'secret "%s" not found' % sk.get("name")
                if sk.get("key") not in (sec.get("data") or {}) and sk.get("key") not in (sec.get("stringData") or {}):
                    return "couldn't find key %s in Secret %s/%s" % (sk.get("key"), ns, sk.get("name"))
            ck = vf.get("configMapKeyRef")
            if ck and not ck.get("optional"):
                cm = self.store.get("configmaps", ns, ck.get("name"))
                if cm is None:
                    return 'configmap "%s" not found' % ck.get("name")
                if ck.get("key") not in (cm.get("data") or {}) and ck.get("key") not in (cm.get("binaryData") or {}):
                    return "couldn't find key %s in ConfigMap %s/%s" % (ck.get("key"), ns, ck.get("name"))
        return None

    @staticmethod
    def pull_error(beh, image):
        pe = beh.get("pullError")
        if not pe:
            return None
        ref = scenario_mod.normalize_image(image)
        if pe is True or pe == "notfound":
            return ('rpc error: code = NotFound desc = failed to pull and unpack image "%s": failed to resolve '
                    'reference "%s": %s: not found' % (ref, ref, ref))
        if pe == "unauthorized":
            return ('rpc error: code = Unknown desc = failed to pull and unpack image "%s": failed to resolve '
                    'reference "%s": pull access denied, repository does not exist or may require '
                    'authorization: server message: insufficient_scope: authorization failed' % (ref, ref))
        if pe == "timeout":
            host = ref.split("/")[0]
            return ('rpc error: code = DeadlineExceeded desc = failed to pull and unpack image "%s": failed to '
                    'resolve reference "%s": failed to do request: Head "https://%s/v2/": dial tcp: i/o timeout'
                    % (ref, ref, host))
        return str(pe)

    def cevent(self, pod, c, reason, message, etype="Normal"):
        fp = "spec.%s{%s}" % ("initContainers" if c.init else "containers", c.name)
        self.event(pod, reason, message, etype, host=pod["spec"]["nodeName"], field_path=fp)

    def step_container(self, pod, pr, c, cspec, chain, now):
        """Advance one container's state machine as far as time allows."""
        md = pod["metadata"]
        beh = self.behaviour(pod, cspec, chain)
        image = cspec.get("image", "")
        node = pr.node
        policy = pod["spec"].get("restartPolicy", "Always")
        if c.sidecar:
            policy = "Always"
        for _ in range(12):
            if c.stage in ("new", "retry"):
                present = image in self._images.get(node, set())
                pull_policy = cspec.get("imagePullPolicy", "IfNotPresent")
                if pull_policy != "Always" and (present or pull_policy == "Never"):
                    self.cevent(pod, c, "Pulled", 'Container image "%s" already present on machine' % image)
                    c.stage, c.next_at = "config", now
                    continue
                self.cevent(pod, c, "Pulling", 'Pulling image "%s"' % image)
                c.stage, c.next_at = "pulling", now + self.D(1.5)
                c.pull_started = now
            elif c.stage == "pulling":
                if now < c.next_at:
                    break
                err = self.pull_error(beh, image)
                if err:
                    self.cevent(pod, c, "Failed", 'Failed to pull image "%s": %s' % (image, err), "Warning")
                    self.cevent(pod, c, "Failed", "Error: ErrImagePull", "Warning")
                    c.waiting = ("ErrImagePull", err)
                    c.pull_fail += 1
                    c.pull_backoff_until = now + self.D(min(10 * 2 ** (c.pull_fail - 1), MAX_BACKOFF))
                    c.stage, c.next_at = "pullerr", now + self.D(1.0)
                    continue
                secs = 1.5 + (fnv32a(image.encode()) % 1000) / 1000.0
                size = 10000000 + fnv32a(("size" + image).encode()) % 90000000
                self.cevent(pod, c, "Pulled", 'Successfully pulled image "%s" in %.3fs (%.3fs including waiting). '
                            'Image size: %d bytes.' % (image, secs, secs, size))
                self._images.setdefault(node, set()).add(image)
                c.stage, c.next_at = "config", now
            elif c.stage == "pullerr":
                if now < c.next_at:
                    break
                if now < c.pull_backoff_until:
                    msg = 'Back-off pulling image "%s"' % image
                    self.cevent(pod, c, "BackOff", msg)
                    self.cevent(pod, c, "Failed", "Error: ImagePullBackOff", "Warning")
                    c.waiting = ("ImagePullBackOff", msg)
                    c.stage, c.next_at = "pullbackoff", c.pull_backoff_until
                else:
                    c.stage = "retry"
                continue
            elif c.stage == "pullbackoff":
                if now < c.next_at:
                    break
                c.stage = "retry"
            elif c.stage == "config":
                if now < c.next_at:
                    break
                err = self.config_error(pod, cspec, beh)
                if err:
                    self.cevent(pod, c, "Failed", "Error: %s" % err, "Warning")
                    c.waiting = ("CreateContainerConfigError", err)
                    c.stage, c.next_at = "configerr", now + self.D(10)
                    break
                c.stage, c.next_at = "creating", now + self.D(0.5)
            elif c.stage == "configerr":
                if now < c.next_at:
                    break
                c.stage = "retry"
            elif c.stage == "creating":
                if now < c.next_at:
                    break
                self.start_container(pod, pr, c, cspec, beh, now)
            elif c.stage == "running":
                self.probe(pod, pr, c, cspec, beh, now)
                if c.exit_at is not None and now >= c.exit_at:
                    self.terminate(pod, pr, c, beh, policy, now)
                    continue
                if c.exit_at is not None:
                    self.timer(c.exit_at)
                break
            elif c.stage == "exited":
                if now < c.next_at:
                    break
                if c.crashes <= 1:
                    self.restart(pod, c)
                else:
                    back = min(10 * 2 ** (c.crashes - 2), MAX_BACKOFF)
                    c.last, c.term = c.term, None
                    c.waiting = ("CrashLoopBackOff", "back-off %s restarting failed container=%s pod=%s_%s(%s)"
                                 % (go_duration(back), c.name, md["name"], md["namespace"], md["uid"]))
                    self.cevent(pod, c, "BackOff", "Back-off restarting failed container %s in pod %s_%s(%s)"
                                % (c.name, md["name"], md["namespace"], md["uid"]), "Warning")
                    c.stage, c.next_at = "crashbackoff", now + self.D(back)
                continue
            elif c.stage == "crashbackoff":
                if now < c.next_at:
                    break
                self.restart(pod, c, already_last=True)
            else:
                break
        if c.stage not in ("running", "done") and c.next_at > now:
            self.timer(c.next_at)

    def start_container(self, pod, pr, c, cspec, beh, now):
        md = pod["metadata"]
        self.cevent(pod, c, "Created", "Created container %s" % c.name)
        self.cevent(pod, c, "Started", "Started container %s" % c.name)
        c.cid = "containerd://" + fake_id(md["uid"] + c.name)
        c.started_at = wall()
        c.run_since = now
        c.ever_ran = True
        c.waiting = None
        c.term = None
        c.image = scenario_mod.normalize_image(cspec.get("image", ""))
        c.image_id = c.image.rsplit(":", 1)[0] if "@" not in c.image else c.image.split("@")[0]
        c.image_id = c.image_id + "@" + fake_digest(c.image)
        c.stage = "running"
        c.ready = False
        c.started = not cspec.get("startupProbe")
        c.next_probe = now
        logs = beh.get("logs")
        crash = beh.get("crash")
        if isinstance(crash, dict) and crash.get("logs") is not None:
            logs = crash["logs"]
        if isinstance(logs, list):
            logs = "".join(str(x) + "\n" for x in logs)
        c.logs = logs or ""
        self.store.pod_logs[(md["namespace"], md["name"], c.name, False)] = c.logs
        # exit plan
        code, run = None, None
        policy = pod["spec"].get("restartPolicy", "Always")
        if crash:
            cd = crash if isinstance(crash, dict) else {}
            code = int(cd.get("exitCode", beh.get("exitCode", 1)))
            run = float(cd.get("afterSeconds", beh.get("runSeconds", 1)))
        elif beh.get("exitCode") is not None:
            code = int(beh["exitCode"])
            run = float(beh.get("runSeconds", 2))
        elif (c.init and not c.sidecar) or (policy != "Always" and not c.init):
            code = 0
            run = float(beh.get("runSeconds", 1 if c.init else 2))
        elif beh.get("runSeconds") is not None:
            code, run = 0, float(beh["runSeconds"])
        c.exit_code = code
        c.exit_at = now + self.D(run) if code is not None else None

    def probe(self, pod, pr, c, cspec, beh, now):
        if c.init and not c.sidecar:
            return
        sp = cspec.get("startupProbe")
        if sp and not c.started:
            due = c.run_since + self.D(sp.get("initialDelaySeconds", 0) or 0.2)
            if now >= due:
                c.started = True
            else:
                self.timer(due)
                return
        rp = cspec.get("readinessProbe")
        if beh.get("ready") is False:
            c.ready = False
            if rp and now >= c.next_probe:
                first = c.run_since + self.D(rp.get("initialDelaySeconds", 0) or 0)
                if now >= first:
                    self.cevent(pod, c, "Unhealthy", "Readiness probe failed: %s" % self.probe_failure(rp, pr),
                                "Warning")
                    c.next_probe = now + self.D(rp.get("periodSeconds", 10) or 10)
                else:
                    c.next_probe = first
            if rp:
                self.timer(c.next_probe)
            return
        if c.ready:
            return
        if rp:
            due = c.run_since + self.D(max(rp.get("initialDelaySeconds", 0) or 0, 0.3))
        else:
            due = c.run_since
        if now >= due:
            c.ready = True
        else:
            self.timer(due)

    @staticmethod
    def probe_failure(rp, pr):
        if rp.get("httpGet"):
            return "HTTP probe failed with statuscode: 503"
        if rp.get("tcpSocket"):
            return "dial tcp %s:%s: connect: connection refused" % (pr.ip, rp["tcpSocket"].get("port"))
        if rp.get("grpc"):
            return 'timeout: failed to connect service ":%s" within 1s' % rp["grpc"].get("port")
        return ""

    def terminate(self, pod, pr, c, beh, policy, now):
        code = c.exit_code or 0
        reason = beh.get("terminationReason") or ("Completed" if code == 0 else "Error")
        c.term = {"exitCode": code, "reason": reason, "startedAt": c.started_at, "finishedAt": wall(),
                  "containerID": c.cid}
        c.ready = False
        c.exit_at = None
        restart = policy == "Always" or (policy == "OnFailure" and code != 0)
        if c.init and not c.sidecar and code == 0:
            restart = False
        if restart:
            c.crashes += 1
            c.stage, c.next_at = "exited", now + self.D(1.0)
        else:
            c.stage = "done"

    def restart(self, pod, c, already_last=False):
        md = pod["metadata"]
        if not already_last:
            c.last = c.term
        c.term = None
        c.restarts += 1
        self.store.pod_logs[(md["namespace"], md["name"], c.name, True)] = c.logs
        c.waiting = ("ContainerCreating", None)
        c.stage = "retry"

    def container_status(self, pod, pr, c, cspec):
        st = {"containerID": c.cid, "image": c.image or cspec.get("image", ""), "imageID": c.image_id or "",
              "lastState": {}, "name": c.name, "ready": bool(c.ready and c.stage == "running"),
              "restartCount": c.restarts, "started": bool(c.stage == "running" and c.started)}
        if not c.cid:
            del st["containerID"]
        if c.stage == "running":
            st["state"] = {"running": {"startedAt": c.started_at}}
        elif c.term is not None and c.stage in ("exited", "done"):
            st["state"] = {"terminated": dict(c.term)}
        else:
            w = {"reason": (c.waiting or ("ContainerCreating", None))[0]}
            if c.waiting and c.waiting[1]:
                w["message"] = c.waiting[1]
            st["state"] = {"waiting": w}
        if c.last:
            st["lastState"] = {"terminated": dict(c.last)}
        mounts = []
        for m in cspec.get("volumeMounts") or []:
            vm = {"mountPath": m.get("mountPath"), "name": m.get("name")}
            if m.get("readOnly"):
                vm["readOnly"] = True
                vm["recursiveReadOnly"] = "Disabled"
            mounts.append(vm)
        if mounts:
            st["volumeMounts"] = mounts
        return st

    def write_pod_status(self, pod, pr, now):
        md, spec = pod["metadata"], pod["spec"]
        old = pod.get("status") or {}
        st = {"phase": "Pending"}
        t = wall()
        ispecs = {c["name"]: c for c in spec.get("initContainers") or []}
        mspecs = {c["name"]: c for c in spec.get("containers") or []}
        if pr.stage == "new":
            return
        policy = spec.get("restartPolicy", "Always")
        # phase (kubelet getPhase)
        init_pending = any(not (c.sidecar and c.started) and not (c.stage == "done" and c.term and
                                                                    c.term.get("exitCode") == 0)
                           for c in pr.inits)
        init_failed = any(c.stage == "done" and c.term and c.term.get("exitCode") != 0 for c in pr.inits)
        running = waiting = stopped = succeeded = 0
        for c in pr.mains:
            if c.stage == "running":
                running += 1
            elif c.stage == "done" or c.stage == "exited":
                stopped += 1
                if c.term and c.term.get("exitCode") == 0:
                    succeeded += 1
            elif c.last is not None:
                stopped += 1
            else:
                waiting += 1
        if init_failed and policy == "Never":
            phase = "Failed"
        elif init_pending:
            phase = "Pending"
        elif waiting:
            phase = "Pending"
        elif running:
            phase = "Running"
        elif stopped == len(pr.mains) and pr.mains:
            if policy == "Always":
                phase = "Running"
            elif succeeded == stopped:
                phase = "Succeeded"
            elif policy == "OnFailure":
                phase = "Running"
            else:
                phase = "Failed"
        else:
            phase = "Pending"
        if getattr(pr, "terminal", False) and phase not in ("Succeeded", "Failed"):
            # a deleted pod whose containers all stopped ends in a terminal phase
            phase = "Succeeded" if all(c.term and c.term.get("exitCode") == 0 for c in pr.mains) else "Failed"
        if phase in ("Succeeded", "Failed"):
            pr.final = True
        st["phase"] = phase
        # conditions
        conds = [c for c in old.get("conditions") or [] if c.get("type") in
                 ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")]
        sandbox = "True" if pr.sandbox and not pr.final else "False"
        conds = set_condition(conds, "PodReadyToStartContainers", sandbox, now=t, probe=True)
        if phase == "Succeeded":
            conds = set_condition(conds, "Initialized", "True", "PodCompleted", now=t, probe=True)
        elif init_pending and not any(c.ever_ran for c in pr.mains):
            names = [c.name for c in pr.inits if not (c.stage == "done" and c.term and
                                                      c.term.get("exitCode") == 0) and not (c.sidecar and c.started)]
            conds = set_condition(conds, "Initialized", "False", "ContainersNotInitialized",
                                  "containers with incomplete status: [%s]" % " ".join(names), t, probe=True)
        else:
            conds = set_condition(conds, "Initialized", "True", now=t, probe=True)
        unready = [c.name for c in sorted(pr.mains, key=lambda x: x.name)
                   if not (c.ready and c.stage == "running")]
        for ctype in ("Ready", "ContainersReady"):
            if phase == "Succeeded":
                conds = set_condition(conds, ctype, "False", "PodCompleted", now=t, probe=True)
            elif unready:
                conds = set_condition(conds, ctype, "False", "ContainersNotReady",
                                      "containers with unready status: [%s]" % " ".join(unready), t, probe=True)
            else:
                conds = set_condition(conds, ctype, "True", now=t, probe=True)
        conds = set_condition(conds, "PodScheduled", "True", now=t, probe=True)
        order = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]
        conds.sort(key=lambda c: order.index(c["type"]))
        st["conditions"] = conds
        if not unready and phase == "Running":
            self._ready_at.setdefault(md["uid"], now)
        else:
            self._ready_at.pop(md["uid"], None)
        ip = self.node_ip(pr.node)
        st["hostIP"] = ip
        st["hostIPs"] = [{"ip": ip}]
        if pr.ip:
            st["podIP"] = pr.ip
            st["podIPs"] = [{"ip": pr.ip}]
        st["qosClass"] = qos_class(pod)
        st["startTime"] = pr.start_time
        if pr.inits:
            st["initContainerStatuses"] = [self.container_status(pod, pr, c, ispecs[c.name]) for c in pr.inits]
        st["containerStatuses"] = [self.container_status(pod, pr, c, mspecs[c.name])
                                   for c in sorted(pr.mains, key=lambda x: x.name)]
        if old.get("nominatedNodeName"):
            st["nominatedNodeName"] = old["nominatedNodeName"]
        self._set_status("pods", pod, st)

    # ------------------------------------------------------------ endpoints

    def sync_endpoints(self):
        services = self.store.list("services")
        pods_by_ns = {}
        for p in self.store.list("pods"):
            pods_by_ns.setdefault(p["metadata"]["namespace"], []).append(p)
        seen = set()
        for svc in services:
            md, spec = svc["metadata"], svc.get("spec") or {}
            sel = spec.get("selector")
            if not sel or spec.get("type") == "ExternalName":
                continue
            ns, name = md["namespace"], md["name"]
            seen.add((ns, name))
            publish = bool(spec.get("publishNotReadyAddresses"))
            groups = {}
            slice_eps = []
            for p in sorted(pods_by_ns.get(ns, []), key=lambda p: p["metadata"]["name"]):
                if not all((p["metadata"].get("labels") or {}).get(k) == v for k, v in sel.items()):
                    continue
                pst = p.get("status") or {}
                if not pst.get("podIP") or pst.get("phase") in ("Succeeded", "Failed"):
                    continue
                ports = []
                for sp in spec.get("ports") or []:
                    port = self.resolve_port(p, sp.get("targetPort", sp.get("port")))
                    if port is None:
                        continue
                    ep = {"port": port, "protocol": sp.get("protocol", "TCP")}
                    if sp.get("name"):
                        ep = {"name": sp["name"], **ep}
                    if sp.get("appProtocol"):
                        ep["appProtocol"] = sp["appProtocol"]
                    ports.append(ep)
                ready = pod_ready(p) or publish
                terminating = bool(p["metadata"].get("deletionTimestamp"))
                addr = {"ip": pst["podIP"], "nodeName": p["spec"].get("nodeName"),
                        "targetRef": {"kind": "Pod", "name": p["metadata"]["name"], "namespace": ns,
                                      "uid": p["metadata"]["uid"]}}
                if p["spec"].get("hostname"):
                    addr = {"hostname": p["spec"]["hostname"], **addr} if spec.get("clusterIP") == "None" else addr
                key = json.dumps(ports, sort_keys=True)
                g = groups.setdefault(key, {"ports": ports, "addresses": [], "notReadyAddresses": []})
                if not terminating:
                    g["addresses" if ready else "notReadyAddresses"].append(addr)
                slice_eps.append((ports, {"addresses": [pst["podIP"]],
                                          "conditions": {"ready": ready and not terminating,
                                                         "serving": pod_ready(p) or publish,
                                                         "terminating": terminating},
                                          "nodeName": p["spec"].get("nodeName"),
                                          "targetRef": addr["targetRef"]}))
            subsets = []
            for key in sorted(groups):
                g = groups[key]
                ss = {}
                if g["addresses"]:
                    ss["addresses"] = sorted(g["addresses"], key=lambda a: a["ip"])
                if g["notReadyAddresses"]:
                    ss["notReadyAddresses"] = sorted(g["notReadyAddresses"], key=lambda a: a["ip"])
                if not ss:
                    continue
                if g["ports"]:
                    ss["ports"] = g["ports"]
                subsets.append(ss)
            labels = dict(md.get("labels") or {})
            cur = self.store.get("endpoints", ns, name)
            want = {"apiVersion": "v1", "kind": "Endpoints",
                    "metadata": {"name": name, "namespace": ns}}
            if labels:
                want["metadata"]["labels"] = labels
            if subsets:
                want["subsets"] = subsets
            if cur is None:
                want["metadata"]["annotations"] = {"endpoints.kubernetes.io/last-change-trigger-time": wall()}
                try:
                    self._create("endpoints", want)
                    self._endpoints_owned.add((ns, name))
                except Exception:
                    pass
            elif (cur.get("subsets") or []) != subsets or (cur["metadata"].get("labels") or {}) != labels:
                cur["subsets"] = subsets
                if not subsets:
                    cur.pop("subsets")
                if labels:
                    cur["metadata"]["labels"] = labels
                ann = dict(cur["metadata"].get("annotations") or {})
                ann["endpoints.kubernetes.io/last-change-trigger-time"] = wall()
                cur["metadata"]["annotations"] = ann
                self._update_meta_spec("endpoints", cur)
                self._endpoints_owned.add((ns, name))
            self.sync_slice(svc, slice_eps)
        for key in list(self._endpoints_owned):
            if key not in seen:
                self._endpoints_owned.discard(key)
                if self.store.get("endpoints", key[0], key[1]) is not None:
                    self._delete("endpoints", key[0], key[1])

    def sync_slice(self, svc, eps):
        md, spec = svc["metadata"], svc["spec"]
        ns, name = md["namespace"], md["name"]
        slices = [s for s in self.store.list("discovery.k8s.io/endpointslices", ns,
                                             {"kubernetes.io/service-name": name})
                  if (s["metadata"].get("labels") or {}).get("endpointslice.kubernetes.io/managed-by") ==
                  "endpointslice-controller.k8s.io"]
        ports = None
        endpoints = []
        for p, e in eps:
            if ports is None and p:
                ports = [{"name": x.get("name", ""), "port": x["port"], "protocol": x["protocol"]} for x in p]
            endpoints.append(e)
        labels = dict(md.get("labels") or {})
        labels.update({"endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                       "kubernetes.io/service-name": name})
        body = {"addressType": "IPv4", "endpoints": endpoints or None, "ports": ports}
        if not slices:
            s = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                 "metadata": {"name": "%s-%s" % (name, rand5()), "generateName": name + "-", "namespace": ns,
                              "labels": labels, "annotations": {
                                  "endpoints.kubernetes.io/last-change-trigger-time": wall()},
                              "ownerReferences": [owner_ref(svc)]}}
            s.update(body)
            try:
                self._create("discovery.k8s.io/endpointslices", s)
            except Exception:
                pass
            return
        s = slices[0]
        for extra in slices[1:]:
            self._delete("discovery.k8s.io/endpointslices", ns, extra["metadata"]["name"])
        cur = {k: s.get(k) for k in ("addressType", "endpoints", "ports")}
        if not deep_eq(cur, body) or (s["metadata"].get("labels") or {}) != labels:
            s.update(body)
            s["metadata"]["labels"] = labels
            ann = dict(s["metadata"].get("annotations") or {})
            ann["endpoints.kubernetes.io/last-change-trigger-time"] = wall()
            s["metadata"]["annotations"] = ann
            self._update_meta_spec("discovery.k8s.io/endpointslices", s)

    @staticmethod
    def resolve_port(pod, target):
        if isinstance(target, int):
            return target
        if isinstance(target, str) and target.isdigit():
            return int(target)
        for c in pod["spec"].get("containers") or []:
            for p in c.get("ports") or []:
                if p.get("name") == target:
                    return p.get("containerPort")
        return None


def compress_ranges(nums):
    out, i = [], 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(str(nums[i]) if i == j else "%d-%d" % (nums[i], nums[j]))
        i = j + 1
    return ",".join(out)
