"""Resource descriptors for the simulated API server (what discovery serves).

A store key is "group/plural" ("apps/deployments") or plain "plural" for the
core group ("pods").  Versions are only a serving concern: the store keeps one
copy of each object whatever version it was written through.
"""

ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
RO = ["get", "patch", "update"]


class Resource:
    def __init__(self, group, versions, plural, kind, namespaced=True, short=(), all_cat=False,
                 subresources=(), verbs=None, has_status=False, has_generation=False, singular=None):
        self.group = group
        self.versions = list(versions)          # first one is preferred
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
        self.short = list(short)
        self.categories = ["all"] if all_cat else []
        self.subresources = list(subresources)
        self.verbs = verbs or ALL_VERBS
        self.has_status = has_status or "status" in self.subresources
        self.has_generation = has_generation
        self.singular = singular or kind.lower()

    @property
    def key(self):
        return self.plural if not self.group else self.group + "/" + self.plural

    @property
    def qualified(self):
        """Name used in error messages: "deployments.apps", "pods"."""
        return self.plural if not self.group else self.plural + "." + self.group

    def api_version(self, version=None):
        v = version or self.versions[0]
        return v if not self.group else self.group + "/" + v


R = Resource
RESOURCES = [
    # core/v1
    R("", ["v1"], "pods", "Pod", short=["po"], all_cat=True,
      subresources=["status", "log", "eviction", "exec", "attach", "portforward", "binding", "ephemeralcontainers"]),
    R("", ["v1"], "services", "Service", short=["svc"], all_cat=True, subresources=["status", "proxy"]),
    R("", ["v1"], "endpoints", "Endpoints", short=["ep"], singular="endpoints"),
    R("", ["v1"], "configmaps", "ConfigMap", short=["cm"]),
    R("", ["v1"], "secrets", "Secret"),
    R("", ["v1"], "namespaces", "Namespace", namespaced=False, short=["ns"], subresources=["status", "finalize"],
      verbs=["create", "delete", "get", "list", "patch", "update", "watch"]),
    R("", ["v1"], "nodes", "Node", namespaced=False, short=["no"], subresources=["status", "proxy"]),
    R("", ["v1"], "persistentvolumeclaims", "PersistentVolumeClaim", short=["pvc"], subresources=["status"]),
    R("", ["v1"], "persistentvolumes", "PersistentVolume", namespaced=False, short=["pv"], subresources=["status"]),
    R("", ["v1"], "serviceaccounts", "ServiceAccount", short=["sa"], subresources=["token"]),
    R("", ["v1"], "events", "Event", short=["ev"]),
    R("", ["v1"], "replicationcontrollers", "ReplicationController", short=["rc"], all_cat=True,
      subresources=["scale", "status"], has_generation=True),
    R("", ["v1"], "resourcequotas", "ResourceQuota", short=["quota"], subresources=["status"]),
    R("", ["v1"], "limitranges", "LimitRange", short=["limits"]),
    # apps/v1
    R("apps", ["v1"], "deployments", "Deployment", short=["deploy"], all_cat=True,
      subresources=["scale", "status"], has_generation=True),
    R("apps", ["v1"], "replicasets", "ReplicaSet", short=["rs"], all_cat=True,
      subresources=["scale", "status"], has_generation=True),
    R("apps", ["v1"], "statefulsets", "StatefulSet", short=["sts"], all_cat=True,
      subresources=["scale", "status"], has_generation=True),
    R("apps", ["v1"], "daemonsets", "DaemonSet", short=["ds"], all_cat=True,
      subresources=["status"], has_generation=True),
    R("apps", ["v1"], "controllerrevisions", "ControllerRevision"),
    # batch/v1
    R("batch", ["v1"], "jobs", "Job", all_cat=True, subresources=["status"], has_generation=True),
    R("batch", ["v1"], "cronjobs", "CronJob", short=["cj"], all_cat=True, subresources=["status"],
      has_generation=True),
    # networking.k8s.io/v1
    R("networking.k8s.io", ["v1"], "ingresses", "Ingress", short=["ing"], subresources=["status"],
      has_generation=True),
    R("networking.k8s.io", ["v1"], "networkpolicies", "NetworkPolicy", short=["netpol"], has_generation=True),
    R("networking.k8s.io", ["v1"], "ingressclasses", "IngressClass", namespaced=False),
    # rbac.authorization.k8s.io/v1
    R("rbac.authorization.k8s.io", ["v1"], "roles", "Role"),
    R("rbac.authorization.k8s.io", ["v1"], "rolebindings", "RoleBinding"),
    R("rbac.authorization.k8s.io", ["v1"], "clusterroles", "ClusterRole", namespaced=False),
    R("rbac.authorization.k8s.io", ["v1"], "clusterrolebindings", "ClusterRoleBinding", namespaced=False),
    # policy/v1
    R("policy", ["v1"], "poddisruptionbudgets", "PodDisruptionBudget", short=["pdb"], subresources=["status"],
      has_generation=True),
    # autoscaling v2 (preferred) and v1
    R("autoscaling", ["v2", "v1"], "horizontalpodautoscalers", "HorizontalPodAutoscaler", short=["hpa"],
      all_cat=True, subresources=["status"], has_generation=True),
    # storage.k8s.io/v1
    R("storage.k8s.io", ["v1"], "storageclasses", "StorageClass", namespaced=False, short=["sc"]),
    # discovery.k8s.io/v1
    R("discovery.k8s.io", ["v1"], "endpointslices", "EndpointSlice"),
    # events.k8s.io/v1 (a view of the core events)
    R("events.k8s.io", ["v1"], "events", "Event", short=["ev"]),
    # coordination.k8s.io/v1 (locks and leader election; no status, no generation)
    R("coordination.k8s.io", ["v1"], "leases", "Lease"),
    # authorization.k8s.io/v1
    R("authorization.k8s.io", ["v1"], "selfsubjectaccessreviews", "SelfSubjectAccessReview", namespaced=False,
      verbs=["create"]),
    R("authorization.k8s.io", ["v1"], "selfsubjectrulesreviews", "SelfSubjectRulesReview", namespaced=False,
      verbs=["create"]),
    R("authorization.k8s.io", ["v1"], "subjectaccessreviews", "SubjectAccessReview", namespaced=False,
      verbs=["create"]),
    R("authorization.k8s.io", ["v1"], "localsubjectaccessreviews", "LocalSubjectAccessReview", verbs=["create"]),
    # authentication.k8s.io/v1 (kubectl auth whoami)
    R("authentication.k8s.io", ["v1"], "selfsubjectreviews", "SelfSubjectReview", namespaced=False,
      verbs=["create"]),
]

BY_KEY = {r.key: r for r in RESOURCES}
# Resources whose update must name the resourceVersion it read (the strategy's
# AllowUnconditionalUpdate is false): a PUT without one is 422 Invalid.
CONDITIONAL_UPDATE = {"coordination.k8s.io/leases"}
# Store keys that are views of another key.
ALIASES = {"events.k8s.io/events": "events"}
NON_STORED = {"authorization.k8s.io/selfsubjectaccessreviews", "authorization.k8s.io/selfsubjectrulesreviews",
              "authorization.k8s.io/subjectaccessreviews", "authorization.k8s.io/localsubjectaccessreviews",
              "authentication.k8s.io/selfsubjectreviews"}


def groups():
    """[(group, [versions], preferred)] in discovery order (core excluded)."""
    out, seen = [], {}
    for r in RESOURCES:
        if not r.group:
            continue
        if r.group not in seen:
            seen[r.group] = []
            out.append(r.group)
        for v in r.versions:
            if v not in seen[r.group]:
                seen[r.group].append(v)
    return [(g, seen[g], seen[g][0]) for g in out]


def lookup(group, version, plural):
    r = BY_KEY.get(plural if not group else group + "/" + plural)
    if r is None or version not in r.versions:
        return None
    return r


def by_kind(group, kind):
    for r in RESOURCES:
        if r.group == group and r.kind == kind:
            return r
    return None


def resource(key):
    """Descriptor for a store key; unknown keys are treated as namespaced, no status."""
    r = BY_KEY.get(key)
    if r is None:
        g, _, p = key.rpartition("/")
        r = Resource(g, ["v1"], p, p[:1].upper() + p[1:].rstrip("s"))
    return r
