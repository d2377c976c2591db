"""In-memory object store of the simulated API server.

Contract (the controllers code against it):

    Store.lock       threading.RLock; every method takes it, callers may hold it
                     across several calls.
    Store.pod_logs   {(namespace, pod, container, previous): str}
    get / list / create / update / delete / add_listener  (see the methods)

Keys ("res") are "group/plural" or "plural" for the core group.  Objects are
plain JSON-shaped dicts; every method returns deep copies.  resourceVersion is
one global counter (string); a no-op write keeps it.  Every change is also kept
in a bounded history so that watches can replay from a resourceVersion.
"""

import base64
import datetime
import threading
import uuid

import registry


# ---------------------------------------------------------------- errors

class StoreError(Exception):
    code = 500
    reason = "InternalError"

    def __init__(self, message, res=None, name=None, causes=None):
        super().__init__(message)
        self.message = message
        self.res = res
        self.name = name
        self.causes = causes or []

    def details(self):
        d = {}
        if self.name is not None:
            d["name"] = self.name
        if self.res is not None:
            r = registry.resource(self.res)
            if r.group:
                d["group"] = r.group
            d["kind"] = r.kind if self.reason == "Invalid" else r.plural
        if self.causes:
            d["causes"] = self.causes
        return d


class NotFound(StoreError):
    code = 404
    reason = "NotFound"


class AlreadyExists(StoreError):
    code = 409
    reason = "AlreadyExists"


class Conflict(StoreError):
    code = 409
    reason = "Conflict"


class Invalid(StoreError):
    code = 422
    reason = "Invalid"


class BadRequest(StoreError):
    code = 400
    reason = "BadRequest"


class Forbidden(StoreError):
    code = 403
    reason = "Forbidden"


class Gone(StoreError):
    code = 410
    reason = "Expired"


def not_found(res, name):
    return NotFound('%s "%s" not found' % (registry.resource(res).qualified, name), res, name)


def already_exists(res, name):
    return AlreadyExists('%s "%s" already exists' % (registry.resource(res).qualified, name), res, name)


def conflict(res, name):
    return Conflict('Operation cannot be fulfilled on %s "%s": the object has been modified; please apply '
                    'your changes to the latest version and try again' % (registry.resource(res).qualified, name),
                    res, name)


# ---------------------------------------------------------------- helpers

def deepcopy(o):
    """Fast deep copy for JSON-shaped data."""
    if isinstance(o, dict):
        return {k: deepcopy(v) for k, v in o.items()}
    if isinstance(o, list):
        return [deepcopy(v) for v in o]
    return o


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _at(seconds):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds or 0)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def match_labels(labels, selector):
    if not selector:
        return True
    labels = labels or {}
    return all(labels.get(k) == v for k, v in selector.items())


def selector_matches(labels, selector):
    """metav1.LabelSelector (matchLabels + matchExpressions); None/{} matches everything."""
    labels = labels or {}
    selector = selector or {}
    if not match_labels(labels, selector.get("matchLabels")):
        return False
    for e in selector.get("matchExpressions") or []:
        k, op, vals = e.get("key"), e.get("operator"), e.get("values") or []
        if op == "In" and labels.get(k) not in vals:
            return False
        if op == "NotIn" and k in labels and labels[k] in vals:
            return False
        if op == "Exists" and k not in labels:
            return False
        if op == "DoesNotExist" and k in labels:
            return False
    return True


def _image_pull_policy(image):
    name = (image or "").split("@")[0]
    last = name.rsplit("/", 1)[-1]
    if "@" in (image or ""):
        return "IfNotPresent"
    if ":" not in last or last.endswith(":latest"):
        return "Always"
    return "IfNotPresent"


def default_pod_spec(spec):
    if not isinstance(spec, dict):
        return
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("securityContext", {})
    if spec.get("serviceAccountName") and not spec.get("serviceAccount"):
        spec["serviceAccount"] = spec["serviceAccountName"]
    for key in ("initContainers", "containers"):
        for c in spec.get(key) or []:
            if not isinstance(c, dict):
                continue
            c.setdefault("imagePullPolicy", _image_pull_policy(c.get("image")))
            c.setdefault("terminationMessagePath", "/dev/termination-log")
            c.setdefault("terminationMessagePolicy", "File")
            c.setdefault("resources", {})
            for p in c.get("ports") or []:
                if isinstance(p, dict):
                    p.setdefault("protocol", "TCP")
            for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
                pr = c.get(probe)
                if isinstance(pr, dict):
                    pr.setdefault("timeoutSeconds", 1)
                    pr.setdefault("periodSeconds", 10)
                    pr.setdefault("successThreshold", 1)
                    pr.setdefault("failureThreshold", 3)
                    for h in ("httpGet",):
                        if isinstance(pr.get(h), dict):
                            pr[h].setdefault("scheme", "HTTP")
            for e in c.get("env") or []:
                vf = e.get("valueFrom") if isinstance(e, dict) else None
                if isinstance(vf, dict) and isinstance(vf.get("fieldRef"), dict):
                    vf["fieldRef"].setdefault("apiVersion", "v1")
    for v in spec.get("volumes") or []:
        if not isinstance(v, dict):
            continue
        for k in ("configMap", "secret"):
            if isinstance(v.get(k), dict):
                v[k].setdefault("defaultMode", 420)
        if isinstance(v.get("emptyDir"), dict) is False and "emptyDir" in v and v["emptyDir"] is None:
            v["emptyDir"] = {}


def default_template(spec):
    t = spec.get("template")
    if isinstance(t, dict):
        t.setdefault("metadata", {})
        if isinstance(t["metadata"], dict):
            t["metadata"].setdefault("creationTimestamp", None)
        default_pod_spec(t.get("spec"))


# ---------------------------------------------------------------- store

HISTORY = 20000


class Store:
    def __init__(self, bootstrap=True):
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.pod_logs = {}
        self.objects = {}            # res -> {(ns, name): obj}
        self.rv = 1
        self.history = []            # [(rv, type, res, obj, previous obj or None)]
        self.history_base = 1        # watches from an rv older than this get 410
        self.listeners = []
        self.next_ip = 1
        if bootstrap:
            for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
                self.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
            self.create("services", {
                "apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "kubernetes", "namespace": "default",
                             "labels": {"component": "apiserver", "provider": "kubernetes"}},
                "spec": {"clusterIP": "10.96.0.1", "ports": [
                    {"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]}})

    # ------------------------------------------------------------ basics

    def _table(self, res):
        return self.objects.setdefault(registry.ALIASES.get(res, res), {})

    def _key(self, res, ns, name):
        r = registry.resource(registry.ALIASES.get(res, res))
        return (ns if r.namespaced else None, name)

    def current_rv(self):
        with self.lock:
            return self.rv

    def _bump(self):
        self.rv += 1
        return str(self.rv)

    def _emit(self, etype, res, obj, prev=None):
        """prev: the object before a MODIFIED change (a watch with a selector turns a change
        into ADDED or DELETED when the object starts or stops matching)."""
        res = registry.ALIASES.get(res, res)
        self.history.append((int(obj["metadata"]["resourceVersion"]), etype, res, obj, prev))
        if len(self.history) > HISTORY:
            drop = len(self.history) - HISTORY
            self.history_base = self.history[drop - 1][0] + 1
            del self.history[:drop]
        for fn in list(self.listeners):
            try:
                fn(etype, res, deepcopy(obj))
            except Exception:  # a broken listener must not break the write
                import traceback
                traceback.print_exc()
        self.cond.notify_all()

    def add_listener(self, fn):
        with self.lock:
            self.listeners.append(fn)

    def remove_listener(self, fn):
        with self.lock:
            if fn in self.listeners:
                self.listeners.remove(fn)

    def events_since(self, rv):
        """History entries with resourceVersion > rv (shared objects: do not modify).
        Raises Gone when rv is older than the kept history."""
        with self.lock:
            if rv + 1 < self.history_base:
                raise Gone("too old resource version: %d (%d)" % (rv, self.history_base - 1))
            # binary search
            lo, hi = 0, len(self.history)
            while lo < hi:
                mid = (lo + hi) // 2
                if self.history[mid][0] <= rv:
                    lo = mid + 1
                else:
                    hi = mid
            return self.history[lo:]

    # ------------------------------------------------------------ reads

    def get(self, res, ns, name):
        with self.lock:
            o = self._table(res).get(self._key(res, ns, name))
            return deepcopy(o) if o is not None else None

    def list(self, res, ns=None, label_selector=None):
        with self.lock:
            out = []
            for (ons, _), o in sorted(self._table(res).items(), key=lambda kv: (kv[0][0] or "", kv[0][1])):
                if ns is not None and ons is not None and ons != ns:
                    continue
                if label_selector and not match_labels(o["metadata"].get("labels"), label_selector):
                    continue
                out.append(deepcopy(o))
            return out

    # ------------------------------------------------------------ writes

    def create(self, res, obj, dry_run=False):
        with self.lock:
            res = registry.ALIASES.get(res, res)
            r = registry.resource(res)
            obj = deepcopy(obj)
            md = obj.setdefault("metadata", {})
            if not isinstance(md, dict):
                raise Invalid("metadata: Invalid value: must be an object", res)
            if not md.get("name") and md.get("generateName"):
                md["name"] = md["generateName"] + uuid.uuid4().hex[:5]
            name = md.get("name")
            if not name:
                raise Invalid("%s \"\" is invalid: metadata.name: Required value: name or generateName is required"
                              % (r.kind,), res, "", [{"reason": "FieldValueRequired", "message": "Required value: name or generateName is required", "field": "metadata.name"}])
            if r.namespaced:
                md["namespace"] = md.get("namespace") or "default"
                if res != "namespaces" and ("namespaces", None) and \
                        self._table("namespaces").get((None, md["namespace"])) is None:
                    raise not_found("namespaces", md["namespace"])
                ns_obj = self._table("namespaces").get((None, md["namespace"]))
                if ns_obj is not None and ns_obj["metadata"].get("deletionTimestamp"):
                    raise Forbidden('%s "%s" is forbidden: unable to create new content in namespace %s because '
                                    'it is being terminated' % (r.qualified, name, md["namespace"]), res, name,
                                    [{"reason": "NamespaceTerminating", "message": "namespace %s is being terminated"
                                      % md["namespace"], "field": "metadata.namespace"}])
            else:
                md.pop("namespace", None)
            key = (md.get("namespace"), name)
            table = self._table(res)
            if key in table:
                e = already_exists(res, name)
                if table[key]["metadata"].get("deletionTimestamp"):
                    e.message = "object is being deleted: " + e.message
                    e.args = (e.message,)
                raise e
            obj.setdefault("apiVersion", r.api_version())
            obj.setdefault("kind", r.kind)
            md["uid"] = str(uuid.uuid4())
            md["creationTimestamp"] = now()
            md.pop("deletionTimestamp", None)
            md.pop("selfLink", None)
            if r.has_generation:
                md["generation"] = 1
            else:
                md.pop("generation", None)
            self._defaults(res, obj, create=True)
            if dry_run:
                return deepcopy(obj)
            md["resourceVersion"] = self._bump()
            table[key] = obj
            self._emit("ADDED", res, obj)
            if res == "namespaces":
                self._bootstrap_namespace(name)
            return deepcopy(obj)

    def _bootstrap_namespace(self, ns):
        if self._table("serviceaccounts").get((ns, "default")) is None:
            self.create("serviceaccounts", {"apiVersion": "v1", "kind": "ServiceAccount",
                                            "metadata": {"name": "default", "namespace": ns}})
        if self._table("configmaps").get((ns, "kube-root-ca.crt")) is None:
            self.create("configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
                                       "metadata": {"name": "kube-root-ca.crt", "namespace": ns,
                                                    "annotations": {"kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IPs or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."}},
                                       "data": {"ca.crt": "-----BEGIN CERTIFICATE-----\nSIMULATED\n-----END CERTIFICATE-----\n"}})

    def update(self, res, obj, subresource=None, dry_run=False, sent_spec=None):
        """sent_spec: the spec as the request gave it, before the typed round trip
        (schema.normalize) dropped its empty lists and maps; see REFLECT_SPEC."""
        with self.lock:
            res = registry.ALIASES.get(res, res)
            r = registry.resource(res)
            md_in = (obj or {}).get("metadata") or {}
            ns = md_in.get("namespace") or ("default" if r.namespaced else None)
            name = md_in.get("name")
            key = self._key(res, ns, name)
            table = self._table(res)
            old = table.get(key)
            if old is None:
                raise not_found(res, name)
            want_rv = md_in.get("resourceVersion")
            if want_rv and want_rv != old["metadata"]["resourceVersion"]:
                raise conflict(res, name)
            if subresource == "status":
                new = deepcopy(old)
                if "status" in obj:
                    new["status"] = deepcopy(obj["status"])
                else:
                    new.pop("status", None)
            else:
                new = deepcopy(obj)
                new.setdefault("apiVersion", old.get("apiVersion"))
                new.setdefault("kind", old.get("kind"))
                if r.has_status:
                    if "status" in old:
                        new["status"] = deepcopy(old["status"])
                    else:
                        new.pop("status", None)
                md = new.setdefault("metadata", {})
                for k in ("uid", "creationTimestamp", "namespace", "deletionTimestamp", "generation",
                          "deletionGracePeriodSeconds"):
                    if k in old["metadata"]:
                        md[k] = old["metadata"][k]
                    else:
                        md.pop(k, None)
                self._defaults(res, new, create=False, old=old)
            new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
            reflect_changed = res in REFLECT_SPEC and subresource is None and sent_spec is not None and \
                _empty_vs_missing(sent_spec, old.get("spec"))
            if new == old and not reflect_changed:
                return deepcopy(old)
            if r.has_generation and subresource is None and (_spec_part(new) != _spec_part(old) or reflect_changed):
                new["metadata"]["generation"] = old["metadata"].get("generation", 1) + 1
            if dry_run:
                return deepcopy(new)
            new["metadata"]["resourceVersion"] = self._bump()
            table[key] = new
            if new["metadata"].get("deletionTimestamp") and not new["metadata"].get("finalizers") and \
                    res != "namespaces" and not (res == "pods" and new["metadata"].get("deletionGracePeriodSeconds")):
                self._emit("MODIFIED", res, new, old)
                return self._remove(res, key)
            self._emit("MODIFIED", res, new, old)
            return deepcopy(new)

    def delete(self, res, ns, name, propagation="Background", dry_run=False, grace=None):
        """Delete as the API server does. Pods get a grace period (grace, else
        spec.terminationGracePeriodSeconds; 0 when unscheduled or finished): they keep
        existing with metadata.deletionTimestamp/deletionGracePeriodSeconds until the
        kubelet (controllers) deletes them again with grace 0. An object with finalizers
        stays until they are removed. A namespace goes Terminating, its content is
        deleted, then it goes. Foreground adds the foregroundDeletion finalizer: the
        object stays until its blocking dependents are gone; Background deletes the
        dependents once the owner is gone; Orphan removes their owner references.
        Returns the object as it is afterwards (with deletionTimestamp) or as removed."""
        with self.lock:
            res = registry.ALIASES.get(res, res)
            key = self._key(res, ns, name)
            table = self._table(res)
            old = table.get(key)
            if old is None:
                raise not_found(res, name)
            md = old["metadata"]
            g = 0
            if res == "pods":
                spec = old.get("spec") or {}
                g = grace if grace is not None else spec.get("terminationGracePeriodSeconds", 30)
                if g is None:
                    g = 30
                if g < 0:
                    g = 1
                if not spec.get("nodeName") or (old.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                    g = 0
            if dry_run:
                out = deepcopy(old)
                if g or md.get("finalizers") or res == "namespaces":
                    out["metadata"].setdefault("deletionTimestamp", _at(g))
                    out["metadata"].setdefault("deletionGracePeriodSeconds", g)
                return out
            if md.get("deletionTimestamp"):
                # already being deleted: a shorter grace period shortens it, 0 without finalizers removes it
                cur = md.get("deletionGracePeriodSeconds") or 0
                if res == "pods" and g < cur:
                    if g == 0 and not md.get("finalizers"):
                        return self._remove(res, key)
                    new = deepcopy(old)
                    new["metadata"]["deletionTimestamp"] = _at(g)
                    new["metadata"]["deletionGracePeriodSeconds"] = g
                    return self._put(res, key, new)
                if propagation == "Foreground" and "foregroundDeletion" not in (md.get("finalizers") or []) \
                        and res != "namespaces":
                    new = deepcopy(old)
                    new["metadata"]["finalizers"] = list(md.get("finalizers") or []) + ["foregroundDeletion"]
                    out = self._put(res, key, new)
                    self._delete_dependents(md.get("uid"), "Foreground")
                    self._release_owner(res, out)
                    return deepcopy(table.get(key) or out)
                return deepcopy(old)
            if res == "namespaces":
                new = deepcopy(old)
                new["metadata"]["deletionTimestamp"] = now()
                new["metadata"]["deletionGracePeriodSeconds"] = 0
                new.setdefault("status", {})["phase"] = "Terminating"
                out = self._put(res, key, new)
                self._namespace_content(name)
                return out
            if propagation == "Orphan":
                self._orphan(md.get("uid"))
            finalizers = list(md.get("finalizers") or [])
            if propagation == "Foreground":
                finalizers.append("foregroundDeletion")
            if finalizers or g > 0:
                new = deepcopy(old)
                new["metadata"]["deletionTimestamp"] = _at(g)
                new["metadata"]["deletionGracePeriodSeconds"] = g
                new["metadata"]["finalizers"] = finalizers
                out = self._put(res, key, new)
                if propagation == "Foreground":
                    self._delete_dependents(md.get("uid"), "Foreground")
                    self._release_owner(res, out)
                    cur = table.get(key)
                    return deepcopy(cur) if cur is not None else out
                return out
            return self._remove(res, key)

    def _put(self, res, key, new):
        prev = self._table(res).get(key)
        new["metadata"]["resourceVersion"] = self._bump()
        self._table(res)[key] = new
        self._emit("MODIFIED", res, new, prev)
        return deepcopy(new)

    def _remove(self, res, key):
        table = self._table(res)
        obj = table.pop(key, None)
        if obj is None:
            return None
        obj = deepcopy(obj)         # the history keeps the previous snapshot unchanged
        obj["metadata"]["resourceVersion"] = self._bump()
        self._emit("DELETED", res, obj)
        # the garbage collector: dependents of a removed owner go (Background), an owner waiting in
        # foreground deletion for this dependent may go, a terminating namespace may be empty now
        self._delete_dependents(obj["metadata"].get("uid"), "Background")
        self._release_owner(res, obj)
        ns = obj["metadata"].get("namespace")
        if ns and res != "namespaces":
            nso = self._table("namespaces").get((None, ns))
            if nso is not None and nso["metadata"].get("deletionTimestamp"):
                self._namespace_content(ns)
        return obj

    def _dependents(self, uid):
        out = []
        if not uid:
            return out
        for res, table in self.objects.items():
            for key, o in table.items():
                for ref in o["metadata"].get("ownerReferences") or []:
                    if ref.get("uid") == uid:
                        out.append((res, key, o, ref))
        return out

    def _delete_dependents(self, uid, propagation):
        for res, key, o, ref in self._dependents(uid):
            if key not in self._table(res) or (o["metadata"].get("deletionTimestamp") and
                                               propagation != "Foreground"):
                continue
            try:
                self.delete(res, key[0], key[1], propagation=propagation)
            except NotFound:
                pass

    def _orphan(self, uid):
        for res, key, o, ref in self._dependents(uid):
            new = deepcopy(o)
            new["metadata"]["ownerReferences"] = [r for r in o["metadata"]["ownerReferences"] if r.get("uid") != uid]
            if not new["metadata"]["ownerReferences"]:
                del new["metadata"]["ownerReferences"]
            self._put(res, key, new)

    def _release_owner(self, res, obj):
        """Owners in foreground deletion lose their foregroundDeletion finalizer once no dependent
        with blockOwnerDeletion is left (obj: a dependent that was just removed, or the owner itself)."""
        refs = list(obj["metadata"].get("ownerReferences") or [])
        cands = [(res, obj)] if "foregroundDeletion" in (obj["metadata"].get("finalizers") or []) else []
        for ref in refs:
            g, _, _v = (ref.get("apiVersion") or "").rpartition("/")
            r = registry.by_kind(g, ref.get("kind"))
            if r is None:
                continue
            owner = self._table(r.key).get(self._key(r.key, obj["metadata"].get("namespace"), ref.get("name")))
            if owner is not None and owner["metadata"].get("uid") == ref.get("uid"):
                cands.append((r.key, owner))
        for ores, owner in cands:
            omd = owner["metadata"]
            key = self._key(ores, omd.get("namespace"), omd["name"])
            cur = self._table(ores).get(key)
            if cur is None or cur["metadata"].get("uid") != omd.get("uid"):
                continue
            cmd = cur["metadata"]
            if not cmd.get("deletionTimestamp") or "foregroundDeletion" not in (cmd.get("finalizers") or []):
                continue
            if any(ref.get("blockOwnerDeletion") for _, _, _, ref in self._dependents(cmd.get("uid"))):
                continue
            new = deepcopy(cur)
            new["metadata"]["finalizers"] = [f for f in new["metadata"]["finalizers"] if f != "foregroundDeletion"]
            if not new["metadata"]["finalizers"]:
                del new["metadata"]["finalizers"]
            self._put(ores, key, new)
            if not new["metadata"].get("finalizers") and \
                    not (ores == "pods" and new["metadata"].get("deletionGracePeriodSeconds")):
                self._remove(ores, key)

    def _namespace_content(self, ns):
        """The namespace controller: delete what is in a terminating namespace, report what is left
        in the status conditions, and remove the namespace once it is empty."""
        key = (None, ns)
        nso = self._table("namespaces").get(key)
        if nso is None or getattr(self, "_ns_busy", None) == ns:
            return
        self._ns_busy = ns
        try:
            for res in list(self.objects):
                if res == "namespaces" or not registry.resource(res).namespaced:
                    continue
                for k, o in list(self.objects[res].items()):
                    if k[0] == ns and k in self.objects[res] and not o["metadata"].get("deletionTimestamp"):
                        try:
                            self.delete(res, ns, k[1])
                        except NotFound:
                            pass
        finally:
            self._ns_busy = None
        left = {}
        fins = {}
        for res, table in self.objects.items():
            if res == "namespaces":
                continue
            for k, o in table.items():
                if k[0] == ns:
                    r = registry.resource(res)
                    name = "%s.%s" % (r.plural, r.group)   # "pods." as the namespace controller writes it
                    left[name] = left.get(name, 0) + 1
                    for f in o["metadata"].get("finalizers") or []:
                        fins.setdefault(f, 0)
                        fins[f] += 1
        nso = self._table("namespaces").get(key)
        if nso is None:
            return
        new = deepcopy(nso)
        if not left:
            new.setdefault("spec", {})["finalizers"] = [f for f in (new.get("spec") or {}).get("finalizers") or []
                                                        if f != "kubernetes"]
            if not new["spec"]["finalizers"]:
                del new["spec"]["finalizers"]
            if not new["spec"].get("finalizers"):
                if not new["metadata"].get("finalizers"):
                    self._remove("namespaces", key)
                    return
        t = now()
        old_conds = {c["type"]: c for c in (nso.get("status") or {}).get("conditions") or []}

        def cond(ctype, status, reason, message):
            c = {"lastTransitionTime": t, "message": message, "reason": reason, "status": status, "type": ctype}
            o = old_conds.get(ctype)
            if o and o.get("status") == status:
                c["lastTransitionTime"] = o.get("lastTransitionTime", t)
            return c
        conds = [cond("NamespaceDeletionDiscoveryFailure", "False", "ResourcesDiscovered",
                      "All resources successfully discovered"),
                 cond("NamespaceDeletionGroupVersionParsingFailure", "False", "ParsedGroupVersions",
                      "All legacy kube types successfully parsed"),
                 cond("NamespaceDeletionContentFailure", "False", "ContentDeleted",
                      "All content successfully deleted, may be waiting on finalization")]
        if left:
            conds.append(cond("NamespaceContentRemaining", "True", "SomeResourcesRemain",
                              "Some resources are remaining: " + ", ".join(
                                  "%s has %d resource instances" % (k, v) for k, v in sorted(left.items()))))
        else:
            conds.append(cond("NamespaceContentRemaining", "False", "ContentRemoved",
                              "All content successfully removed"))
        if fins:
            conds.append(cond("NamespaceFinalizersRemaining", "True", "SomeFinalizersRemain",
                              "Some content in the namespace has finalizers remaining: " + ", ".join(
                                  "%s in %d resource instances" % (k, v) for k, v in sorted(fins.items()))))
        else:
            conds.append(cond("NamespaceFinalizersRemaining", "False", "ContentHasNoFinalizers",
                              "All content-preserving finalizers finished"))
        new.setdefault("status", {})["conditions"] = conds
        new["status"]["phase"] = "Terminating"
        if new != nso:
            self._put("namespaces", key, new)

    # ------------------------------------------------------------ defaults

    def _alloc_ip(self):
        self.next_ip += 1
        n = self.next_ip
        return "10.96.%d.%d" % (n // 250, n % 250 + 1)

    def _defaults(self, res, obj, create, old=None):
        md = obj["metadata"]
        spec = obj.get("spec")
        if res == "namespaces":
            md.setdefault("labels", {})["kubernetes.io/metadata.name"] = md["name"]
            if create:
                obj["spec"] = {"finalizers": ["kubernetes"]}
                obj["status"] = {"phase": "Active"}
        elif res == "secrets":
            sd = obj.pop("stringData", None)
            if isinstance(sd, dict):
                data = obj.setdefault("data", {}) or {}
                obj["data"] = data
                for k, v in sd.items():
                    data[k] = base64.b64encode(str(v).encode()).decode()
            obj.setdefault("type", "Opaque")
        elif res == "services":
            if not isinstance(spec, dict):
                spec = obj["spec"] = {}
            spec.setdefault("type", "ClusterIP")
            spec.setdefault("sessionAffinity", "None")
            if spec["type"] != "ExternalName":
                if old is not None and old.get("spec", {}).get("clusterIP") and not spec.get("clusterIP"):
                    spec["clusterIP"] = old["spec"]["clusterIP"]
                    spec["clusterIPs"] = old["spec"].get("clusterIPs", [spec["clusterIP"]])
                if not spec.get("clusterIP"):
                    spec["clusterIP"] = self._alloc_ip()
                spec.setdefault("clusterIPs", [spec["clusterIP"]])
                spec.setdefault("ipFamilies", ["IPv4"])
                spec.setdefault("ipFamilyPolicy", "SingleStack")
                spec.setdefault("internalTrafficPolicy", "Cluster")
            for p in spec.get("ports") or []:
                if isinstance(p, dict):
                    p.setdefault("protocol", "TCP")
                    p.setdefault("targetPort", p.get("port"))
                    if spec["type"] in ("NodePort", "LoadBalancer") and "nodePort" not in p:
                        p["nodePort"] = 30000 + (self.rv % 2767)
            if spec["type"] in ("NodePort", "LoadBalancer"):
                spec.setdefault("externalTrafficPolicy", "Cluster")
            if create:
                obj["status"] = {"loadBalancer": {}}
        elif res == "persistentvolumeclaims":
            if isinstance(spec, dict):
                spec.setdefault("volumeMode", "Filesystem")
            if create:
                obj["status"] = obj.get("status") or {"phase": "Pending"}
        elif res == "pods":
            default_pod_spec(spec)
            if isinstance(spec, dict):
                spec.setdefault("serviceAccountName", "default")
                spec.setdefault("serviceAccount", spec["serviceAccountName"])
                spec.setdefault("enableServiceLinks", True)
                spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
                spec.setdefault("priority", 0)
            if create and not obj.get("status"):
                obj["status"] = {"phase": "Pending", "qosClass": "BestEffort"}
        elif res == "apps/deployments" and isinstance(spec, dict):
            spec.setdefault("replicas", 1)
            st = spec.setdefault("strategy", {})
            if isinstance(st, dict):
                st.setdefault("type", "RollingUpdate")
                if st["type"] == "RollingUpdate":
                    ru = st.setdefault("rollingUpdate", {})
                    ru.setdefault("maxUnavailable", "25%")
                    ru.setdefault("maxSurge", "25%")
            spec.setdefault("revisionHistoryLimit", 10)
            spec.setdefault("progressDeadlineSeconds", 600)
            default_template(spec)
        elif res == "apps/replicasets" and isinstance(spec, dict):
            spec.setdefault("replicas", 1)
            default_template(spec)
        elif res == "apps/statefulsets" and isinstance(spec, dict):
            spec.setdefault("replicas", 1)
            spec.setdefault("podManagementPolicy", "OrderedReady")
            us = spec.setdefault("updateStrategy", {})
            if isinstance(us, dict):
                us.setdefault("type", "RollingUpdate")
                if us["type"] == "RollingUpdate":
                    us.setdefault("rollingUpdate", {}).setdefault("partition", 0)
            spec.setdefault("revisionHistoryLimit", 10)
            spec.setdefault("persistentVolumeClaimRetentionPolicy",
                            {"whenDeleted": "Retain", "whenScaled": "Retain"})
            for t in spec.get("volumeClaimTemplates") or []:
                if isinstance(t, dict):
                    t.setdefault("apiVersion", "v1")
                    t.setdefault("kind", "PersistentVolumeClaim")
                    t.setdefault("metadata", {}).setdefault("creationTimestamp", None)
                    if isinstance(t.get("spec"), dict):
                        t["spec"].setdefault("volumeMode", "Filesystem")
                    t.setdefault("status", {"phase": "Pending"})
            default_template(spec)
        elif res == "apps/daemonsets" and isinstance(spec, dict):
            us = spec.setdefault("updateStrategy", {})
            if isinstance(us, dict):
                us.setdefault("type", "RollingUpdate")
                if us["type"] == "RollingUpdate":
                    ru = us.setdefault("rollingUpdate", {})
                    ru.setdefault("maxUnavailable", 1)
                    ru.setdefault("maxSurge", 0)
            spec.setdefault("revisionHistoryLimit", 10)
            default_template(spec)
        elif res == "batch/jobs" and isinstance(spec, dict):
            self._job_defaults(obj, create, old)
        elif res == "batch/cronjobs" and isinstance(spec, dict):
            spec.setdefault("concurrencyPolicy", "Allow")
            spec.setdefault("suspend", False)
            spec.setdefault("successfulJobsHistoryLimit", 3)
            spec.setdefault("failedJobsHistoryLimit", 1)
            jt = spec.get("jobTemplate")
            if isinstance(jt, dict):
                jt.setdefault("metadata", {}).setdefault("creationTimestamp", None)
                if isinstance(jt.get("spec"), dict):
                    js = jt["spec"]
                    js.setdefault("backoffLimit", 6)
                    js.setdefault("completionMode", "NonIndexed")
                    js.setdefault("suspend", False)
                    default_template(js)
        elif res == "policy/poddisruptionbudgets" and create:
            obj["status"] = {"currentHealthy": 0, "desiredHealthy": 0, "disruptionsAllowed": 0,
                             "expectedPods": 0}
        elif res == "networking.k8s.io/networkpolicies" and isinstance(spec, dict):
            if "policyTypes" not in spec:
                spec["policyTypes"] = ["Ingress"] + (["Egress"] if spec.get("egress") else [])
            for rule in (spec.get("ingress") or []) + (spec.get("egress") or []):
                for p in (rule or {}).get("ports") or []:
                    if isinstance(p, dict):
                        p.setdefault("protocol", "TCP")
        elif res == "autoscaling/horizontalpodautoscalers" and isinstance(spec, dict):
            spec.setdefault("minReplicas", 1)
        if create and registry.resource(res).has_status and "status" not in obj:
            obj["status"] = {}

    def _job_defaults(self, obj, create, old):
        spec = obj["spec"]
        md = obj["metadata"]
        if old is not None:
            # selector and the generated labels are immutable
            ospec = old.get("spec", {})
            if "selector" in ospec and not spec.get("selector"):
                spec["selector"] = deepcopy(ospec["selector"])
        uid = md["uid"]
        tmpl = spec.setdefault("template", {})
        tmd = tmpl.setdefault("metadata", {}) if isinstance(tmpl, dict) else {}
        if not spec.get("manualSelector") and isinstance(tmd, dict):
            gen = {"batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": md["name"],
                   "controller-uid": uid, "job-name": md["name"]}
            labels = tmd.setdefault("labels", {})
            for k, v in gen.items():
                labels.setdefault(k, v)
            spec.setdefault("selector", {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}})
        spec.setdefault("parallelism", 1)
        spec.setdefault("completions", 1)
        spec.setdefault("backoffLimit", 6)
        spec.setdefault("completionMode", "NonIndexed")
        spec.setdefault("suspend", False)
        spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
        default_template(spec)
        tspec = tmpl.get("spec") if isinstance(tmpl, dict) else None
        if isinstance(tspec, dict) and tspec.get("restartPolicy") not in ("Never", "OnFailure"):
            msg = 'Unsupported value: "%s": supported values: "OnFailure", "Never"' % tspec.get("restartPolicy")
            raise Invalid('Job.batch "%s" is invalid: spec.template.spec.restartPolicy: %s' % (md["name"], msg),
                          "batch/jobs", md["name"],
                          [{"reason": "FieldValueNotSupported", "message": msg,
                            "field": "spec.template.spec.restartPolicy"}])
        if create:
            obj.setdefault("metadata", {}).setdefault("labels", {})
            for k in ("batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-name", "controller-uid",
                      "job-name"):
                if k in (tmd.get("labels") or {}):
                    md["labels"].setdefault(k, tmd["labels"][k])


# Kinds whose update strategy compares specs with reflect.DeepEqual, for which
# an empty list or map the request sent is not the missing one stored (the
# typed round trip drops it): a real server bumps generation and writes on every
# re-apply of, say, a NetworkPolicy with `egress: []` (seen with v1.36.1).
REFLECT_SPEC = {"networking.k8s.io/networkpolicies"}


def _empty_vs_missing(sent, old):
    """True when sent has an empty list/map somewhere old has nothing."""
    if isinstance(sent, dict):
        old = old if isinstance(old, dict) else {}
        return any((v in ([], {}) and k not in old) or
                   (k in old and _empty_vs_missing(v, old[k])) for k, v in sent.items())
    if isinstance(sent, list) and isinstance(old, list) and len(sent) == len(old):
        return any(_empty_vs_missing(a, b) for a, b in zip(sent, old))
    return False


def _spec_part(o):
    return {k: v for k, v in o.items() if k not in ("metadata", "status")}
