"""A compact schema of the built-in kinds: enough for strict field validation,
list merge semantics (strategic merge patch, server-side apply) and the
OpenAPI v3 documents kubectl reads.

Field syntax in TYPES: "name" (string), "name:i" (integer), ":b" boolean,
":n" number, ":q" int-or-string, ":o" free-form object, ":T" struct T,
":{s}" / ":{T}" map of string / of T, ":[s]" / ":[T]" atomic list,
":[T|k1,k2]" associative list keyed by k1,k2 (k1 is the strategic merge
key), ":[s|set]" set of scalars.
"""

TYPES = {
    "ObjectMeta": "name generateName namespace selfLink uid resourceVersion generation:i creationTimestamp "
                  "deletionTimestamp deletionGracePeriodSeconds:i labels:{s} annotations:{s} "
                  "ownerReferences:[OwnerReference|uid] finalizers:[s|set] managedFields:[o]",
    "OwnerReference": "apiVersion kind name uid controller:b blockOwnerDeletion:b",
    "LabelSelector": "matchLabels:{s} matchExpressions:[LabelSelectorRequirement]",
    "LabelSelectorRequirement": "key operator values:[s]",
    "PodTemplateSpec": "metadata:ObjectMeta spec:PodSpec",
    "PodSpec": "volumes:[Volume|name] initContainers:[Container|name] containers:[Container|name] "
               "ephemeralContainers:[o|name] restartPolicy terminationGracePeriodSeconds:i activeDeadlineSeconds:i "
               "dnsPolicy nodeSelector:{s} serviceAccountName serviceAccount automountServiceAccountToken:b "
               "nodeName hostNetwork:b hostPID:b hostIPC:b shareProcessNamespace:b securityContext:PodSecurityContext "
               "imagePullSecrets:[LocalObjectReference|name] hostname subdomain affinity:o schedulerName "
               "tolerations:[Toleration] hostAliases:[HostAlias|ip] priorityClassName priority:i dnsConfig:o "
               "readinessGates:[o] runtimeClassName enableServiceLinks:b preemptionPolicy overhead:{q} "
               "topologySpreadConstraints:[o|topologyKey,whenUnsatisfiable] setHostnameAsFQDN:b os:o hostUsers:b "
               "schedulingGates:[o|name] resourceClaims:[o|name]",
    "Container": "name image command:[s] args:[s] workingDir ports:[ContainerPort|containerPort,protocol] "
                 "envFrom:[EnvFromSource] env:[EnvVar|name] resources:ResourceRequirements resizePolicy:[o] "
                 "restartPolicy volumeMounts:[VolumeMount|mountPath] volumeDevices:[o|devicePath] "
                 "livenessProbe:Probe readinessProbe:Probe startupProbe:Probe lifecycle:o terminationMessagePath "
                 "terminationMessagePolicy imagePullPolicy securityContext:SecurityContext stdin:b stdinOnce:b tty:b",
    "ContainerPort": "name hostPort:i containerPort:i protocol hostIP",
    "EnvVar": "name value valueFrom:EnvVarSource",
    "EnvVarSource": "fieldRef:o resourceFieldRef:o configMapKeyRef:ConfigMapKeySelector "
                    "secretKeyRef:SecretKeySelector",
    "ConfigMapKeySelector": "name key optional:b",
    "SecretKeySelector": "name key optional:b",
    "EnvFromSource": "prefix configMapRef:ConfigMapEnvSource secretRef:SecretEnvSource",
    "ConfigMapEnvSource": "name optional:b",
    "SecretEnvSource": "name optional:b",
    "LocalObjectReference": "name",
    "ResourceRequirements": "limits:{q} requests:{q} claims:[o|name]",
    "VolumeMount": "name readOnly:b recursiveReadOnly mountPath subPath mountPropagation subPathExpr",
    "Probe": "exec:o httpGet:HTTPGetAction tcpSocket:o grpc:o initialDelaySeconds:i timeoutSeconds:i "
             "periodSeconds:i successThreshold:i failureThreshold:i terminationGracePeriodSeconds:i",
    "HTTPGetAction": "path port:q host scheme httpHeaders:[o]",
    "SecurityContext": "capabilities:Capabilities privileged:b seLinuxOptions:o windowsOptions:o runAsUser:i "
                       "runAsGroup:i runAsNonRoot:b readOnlyRootFilesystem:b allowPrivilegeEscalation:b procMount "
                       "seccompProfile:o appArmorProfile:o",
    "Capabilities": "add:[s] drop:[s]",
    "PodSecurityContext": "seLinuxOptions:o windowsOptions:o runAsUser:i runAsGroup:i runAsNonRoot:b "
                          "supplementalGroups:[i] supplementalGroupsPolicy fsGroup:i sysctls:[o] "
                          "fsGroupChangePolicy seccompProfile:o appArmorProfile:o seLinuxChangePolicy",
    "Toleration": "key operator value effect tolerationSeconds:i",
    "HostAlias": "ip hostnames:[s]",
    "Volume": "name hostPath:o emptyDir:o secret:o persistentVolumeClaim:o configMap:o projected:o downwardAPI:o "
              "nfs:o csi:o ephemeral:o image:o",
    "PersistentVolumeClaimSpec": "accessModes:[s] selector:LabelSelector resources:ResourceRequirements "
                                 "volumeName storageClassName volumeMode dataSource:o dataSourceRef:o "
                                 "volumeAttributesClassName",
    "PersistentVolumeClaim": "apiVersion kind metadata:ObjectMeta spec:PersistentVolumeClaimSpec status:o",
    # workloads
    "DeploymentSpec": "replicas:i selector:LabelSelector template:PodTemplateSpec strategy:DeploymentStrategy "
                      "minReadySeconds:i revisionHistoryLimit:i paused:b progressDeadlineSeconds:i",
    "DeploymentStrategy": "type rollingUpdate:RollingUpdateDeployment",
    "RollingUpdateDeployment": "maxUnavailable:q maxSurge:q",
    "RollingUpdateDaemonSet": "maxUnavailable:q maxSurge:q",
    "ReplicaSetSpec": "replicas:i minReadySeconds:i selector:LabelSelector template:PodTemplateSpec",
    "StatefulSetSpec": "replicas:i selector:LabelSelector template:PodTemplateSpec volumeClaimTemplates:[PersistentVolumeClaim] "
                       "serviceName podManagementPolicy updateStrategy:StatefulSetUpdateStrategy "
                       "revisionHistoryLimit:i minReadySeconds:i persistentVolumeClaimRetentionPolicy:o ordinals:o",
    "StatefulSetUpdateStrategy": "type rollingUpdate:o",
    "DaemonSetSpec": "selector:LabelSelector template:PodTemplateSpec updateStrategy:DaemonSetUpdateStrategy "
                     "minReadySeconds:i revisionHistoryLimit:i",
    "DaemonSetUpdateStrategy": "type rollingUpdate:RollingUpdateDaemonSet",
    "JobSpec": "parallelism:i completions:i activeDeadlineSeconds:i podFailurePolicy:o successPolicy:o "
               "backoffLimit:i backoffLimitPerIndex:i maxFailedIndexes:i selector:LabelSelector manualSelector:b "
               "template:PodTemplateSpec ttlSecondsAfterFinished:i completionMode suspend:b podReplacementPolicy "
               "managedBy",
    "JobTemplateSpec": "metadata:ObjectMeta spec:JobSpec",
    "CronJobSpec": "schedule timeZone startingDeadlineSeconds:i concurrencyPolicy suspend:b "
                   "jobTemplate:JobTemplateSpec successfulJobsHistoryLimit:i failedJobsHistoryLimit:i",
    # services and networking
    "ServiceSpec": "ports:[ServicePort|port,protocol] selector:{s} clusterIP clusterIPs:[s] type externalIPs:[s] "
                   "sessionAffinity loadBalancerIP loadBalancerSourceRanges:[s] externalName externalTrafficPolicy "
                   "healthCheckNodePort:i publishNotReadyAddresses:b sessionAffinityConfig:o ipFamilies:[s] "
                   "ipFamilyPolicy allocateLoadBalancerNodePorts:b loadBalancerClass internalTrafficPolicy "
                   "trafficDistribution",
    "ServicePort": "name protocol appProtocol port:i targetPort:q nodePort:i",
    "NetworkPolicySpec": "podSelector:LabelSelector ingress:[NetworkPolicyIngressRule] "
                         "egress:[NetworkPolicyEgressRule] policyTypes:[s]",
    "NetworkPolicyIngressRule": "ports:[NetworkPolicyPort] from:[NetworkPolicyPeer]",
    "NetworkPolicyEgressRule": "ports:[NetworkPolicyPort] to:[NetworkPolicyPeer]",
    "NetworkPolicyPort": "protocol port:q endPort:i",
    "NetworkPolicyPeer": "podSelector:LabelSelector namespaceSelector:LabelSelector ipBlock:o",
    "IngressSpec": "ingressClassName defaultBackend:o tls:[o] rules:[IngressRule]",
    "IngressRule": "host http:o",
    # rbac
    "PolicyRule": "verbs:[s] apiGroups:[s] resources:[s] resourceNames:[s] nonResourceURLs:[s]",
    "Subject": "kind apiGroup name namespace",
    "RoleRef": "apiGroup kind name",
    # misc
    "PodDisruptionBudgetSpec": "minAvailable:q selector:LabelSelector maxUnavailable:q unhealthyPodEvictionPolicy",
    "HorizontalPodAutoscalerSpec": "scaleTargetRef:o minReplicas:i maxReplicas:i metrics:[o] behavior:o",
    "HorizontalPodAutoscalerSpecV1": "scaleTargetRef:o minReplicas:i maxReplicas:i targetCPUUtilizationPercentage:i",
    "NamespaceSpec": "finalizers:[s]",
}

_TOP = "apiVersion kind metadata:ObjectMeta "
KINDS = {
    "pods": _TOP + "spec:PodSpec status:o",
    "apps/deployments": _TOP + "spec:DeploymentSpec status:o",
    "apps/replicasets": _TOP + "spec:ReplicaSetSpec status:o",
    "apps/statefulsets": _TOP + "spec:StatefulSetSpec status:o",
    "apps/daemonsets": _TOP + "spec:DaemonSetSpec status:o",
    "batch/jobs": _TOP + "spec:JobSpec status:o",
    "batch/cronjobs": _TOP + "spec:CronJobSpec status:o",
    "services": _TOP + "spec:ServiceSpec status:o",
    "configmaps": _TOP + "data:{s} binaryData:{s} immutable:b",
    "secrets": _TOP + "data:{s} stringData:{s} type immutable:b",
    "namespaces": _TOP + "spec:NamespaceSpec status:o",
    "serviceaccounts": _TOP + "secrets:[o|name] imagePullSecrets:[LocalObjectReference] "
                              "automountServiceAccountToken:b",
    "persistentvolumeclaims": _TOP + "spec:PersistentVolumeClaimSpec status:o",
    "networking.k8s.io/networkpolicies": _TOP + "spec:NetworkPolicySpec",
    "networking.k8s.io/ingresses": _TOP + "spec:IngressSpec status:o",
    "rbac.authorization.k8s.io/roles": _TOP + "rules:[PolicyRule]",
    "rbac.authorization.k8s.io/clusterroles": _TOP + "rules:[PolicyRule] aggregationRule:o",
    "rbac.authorization.k8s.io/rolebindings": _TOP + "subjects:[Subject] roleRef:RoleRef",
    "rbac.authorization.k8s.io/clusterrolebindings": _TOP + "subjects:[Subject] roleRef:RoleRef",
    "policy/poddisruptionbudgets": _TOP + "spec:PodDisruptionBudgetSpec status:o",
    "autoscaling/horizontalpodautoscalers": _TOP + "spec:HorizontalPodAutoscalerSpec status:o",
    "autoscaling/horizontalpodautoscalers@v1": _TOP + "spec:HorizontalPodAutoscalerSpecV1 status:o",
}


def _parse(spec):
    out = {}
    for tok in spec.split():
        name, _, t = tok.partition(":")
        out[name] = t or "s"
    return out


_PARSED = {k: _parse(v) for k, v in TYPES.items()}
_PARSED_KINDS = {k: _parse(v) for k, v in KINDS.items()}


def kind_fields(key, version=None):
    if version and key + "@" + version in _PARSED_KINDS:
        return _PARSED_KINDS[key + "@" + version]
    return _PARSED_KINDS.get(key)


def _resolve(key, path):
    """Type string of the field at path (tuple of field names) or None when unknown."""
    fields = kind_fields(key)
    if fields is None:
        return None
    t = None
    for i, name in enumerate(path):
        if fields is None or name not in fields:
            return None
        t = fields[name]
        if i == len(path) - 1:
            return t
        fields = _fields_of(t)
    return t


def _elem(t):
    """Element type name of a list or map type string."""
    if t.startswith("[") or t.startswith("{"):
        return t[1:-1].split("|")[0]
    return t


def _fields_of(t):
    e = _elem(t)
    return _PARSED.get(e)


def list_type(key, path):
    """("map", [keys]) | ("set",) | ("atomic",) for the list at path (field names only)."""
    t = _resolve(key, tuple(path))
    if t is None or not t.startswith("["):
        return _heuristic(path)
    inner = t[1:-1]
    if "|" in inner:
        _, keys = inner.split("|", 1)
        if keys == "set":
            return ("set",)
        return ("map", keys.split(","))
    return ("atomic",)


def _heuristic(path):
    last = path[-1] if path else ""
    if last in ("containers", "initContainers", "env", "volumes", "imagePullSecrets"):
        return ("map", ["name"])
    if last == "conditions":
        return ("map", ["type"])
    if last == "finalizers":
        return ("set",)
    return ("atomic",)


def key_defaults(keys):
    return {"protocol": "TCP"} if "protocol" in keys else {}


# ---------------------------------------------------------------- validation

def unknown_fields(key, obj, version=None):
    """Paths ("spec.template.spec.containers[0].foo") of fields not in the schema."""
    fields = kind_fields(key, version)
    if fields is None or not isinstance(obj, dict):
        return []
    out = []
    _check(fields, obj, "", out)
    return out


def _check(fields, obj, prefix, out):
    for k, v in obj.items():
        p = prefix + "." + k if prefix else k
        if k not in fields:
            out.append(p)
            continue
        _check_value(fields[k], v, p, out)


def _check_value(t, v, p, out):
    if v is None:
        return
    if t.startswith("["):
        e = _elem(t)
        if isinstance(v, list) and e in _PARSED:
            for i, item in enumerate(v):
                if isinstance(item, dict):
                    _check(_PARSED[e], item, "%s[%d]" % (p, i), out)
    elif t.startswith("{"):
        e = _elem(t)
        if isinstance(v, dict) and e in _PARSED:
            for k, item in v.items():
                if isinstance(item, dict):
                    _check(_PARSED[e], item, "%s[%s]" % (p, k), out)
    elif t in _PARSED and isinstance(v, dict):
        _check(_PARSED[t], v, p, out)


def type_errors(key, obj):
    """[(path, value, expected)] for scalars of the wrong JSON type (top-down, first few)."""
    fields = kind_fields(key)
    out = []
    if fields is None or not isinstance(obj, dict):
        return out

    def walk(fields, o, prefix):
        for k, v in o.items():
            t = fields.get(k)
            if t is None or v is None:
                continue
            p = prefix + "." + k if prefix else k
            if t == "i" and (isinstance(v, bool) or not isinstance(v, int)):
                out.append((p, v, "int"))
            elif t == "b" and not isinstance(v, bool):
                out.append((p, v, "bool"))
            elif t == "s" and not isinstance(v, str):
                out.append((p, v, "string"))
            elif t.startswith("[") and not isinstance(v, list):
                out.append((p, v, "array"))
            elif (t.startswith("{") or t in _PARSED) and not isinstance(v, dict):
                out.append((p, v, "object"))
            elif t in _PARSED:
                walk(_PARSED[t], v, p)
            elif t.startswith("[") and _elem(t) in _PARSED:
                for i, item in enumerate(v):
                    if isinstance(item, dict):
                        walk(_PARSED[_elem(t)], item, "%s[%d]" % (p, i))
    walk(fields, obj, "")
    return out


# ---------------------------------------------------------------- OpenAPI

_META = "io.k8s.apimachinery.pkg.apis.meta.v1."
_GROUP_OF = {
    "ObjectMeta": "meta", "OwnerReference": "meta", "LabelSelector": "meta", "LabelSelectorRequirement": "meta",
    "RollingUpdateDeployment": "apps", "RollingUpdateDaemonSet": "apps",
    "NetworkPolicyIngressRule": "networking", "NetworkPolicyEgressRule": "networking",
    "NetworkPolicyPort": "networking", "NetworkPolicyPeer": "networking", "IngressRule": "networking",
    "PolicyRule": "rbac", "Subject": "rbac", "RoleRef": "rbac", "PodDisruptionBudgetSpec": "policy",
    "HorizontalPodAutoscalerSpec": "autoscaling.v2", "HorizontalPodAutoscalerSpecV1": "autoscaling.v1",
}
for _t in TYPES:
    if _t.startswith(("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")):
        _GROUP_OF.setdefault(_t, "apps")
    elif _t in ("JobSpec", "JobTemplateSpec", "CronJobSpec"):
        _GROUP_OF.setdefault(_t, "batch")
    elif _t.startswith(("NetworkPolicy", "Ingress")):
        _GROUP_OF.setdefault(_t, "networking")

# Required fields as the real OpenAPI documents list them (kubectl's client-side validation of a
# "kind: List" reports them: missing required field "selector" in io.k8s.api.apps.v1.DeploymentSpec).
REQUIRED = {
    "PodSpec": ["containers"], "Container": ["name"], "ContainerPort": ["containerPort"], "EnvVar": ["name"],
    "ConfigMapKeySelector": ["key"], "SecretKeySelector": ["key"], "VolumeMount": ["name", "mountPath"],
    "Volume": ["name"], "HTTPGetAction": ["port"], "HostAlias": ["ip"], "OwnerReference":
    ["apiVersion", "kind", "name", "uid"], "LabelSelectorRequirement": ["key", "operator"],
    "DeploymentSpec": ["selector", "template"], "ReplicaSetSpec": ["selector"],
    "StatefulSetSpec": ["selector", "template"], "DaemonSetSpec": ["selector", "template"],
    "JobSpec": ["template"], "CronJobSpec": ["schedule", "jobTemplate"], "ServicePort": ["port"],
    "PolicyRule": ["verbs"], "Subject": ["kind", "name"], "RoleRef": ["apiGroup", "kind", "name"],
    "HorizontalPodAutoscalerSpec": ["scaleTargetRef", "maxReplicas"],
    "HorizontalPodAutoscalerSpecV1": ["scaleTargetRef", "maxReplicas"],
    "kind:rbac.authorization.k8s.io/rolebindings": ["roleRef"],
    "kind:rbac.authorization.k8s.io/clusterrolebindings": ["roleRef"],
}


def definition_name(t):
    """The name the real OpenAPI documents give a struct of TYPES."""
    g = _GROUP_OF.get(t, "core.v1")
    if g == "meta":
        return _META + t
    if t == "HorizontalPodAutoscalerSpecV1":
        t = "HorizontalPodAutoscalerSpec"
    return "io.k8s.api.%s.%s" % (g if "." in g else g + ".v1", t)


def kind_definition_name(group, version, kind):
    return "io.k8s.api.%s.%s.%s" % ((group or "core").split(".")[0], version, kind)


def openapi_schema(tname, ref_prefix="#/components/schemas/", v2=False):
    """OpenAPI schema objects for struct tname and all it references: {name: schema}. v3 wraps
    references in allOf (as the real v3 documents do), v2 uses a plain $ref."""
    out = {}

    def typ(t):
        if t == "s":
            return {"type": "string"}
        if t == "i":
            return {"type": "integer", "format": "int64"}
        if t == "b":
            return {"type": "boolean"}
        if t == "n":
            return {"type": "number"}
        if t == "q":
            return {"type": "string", "format": "int-or-string"} if v2 else {"x-kubernetes-int-or-string": True}
        if t == "o":
            return {"type": "object"} if v2 else {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
        if t.startswith("["):
            inner = t[1:-1]
            e, _, keys = inner.partition("|")
            s = {"type": "array", "items": typ(e)}
            if keys == "set":
                s["x-kubernetes-list-type"] = "set"
                s["x-kubernetes-patch-strategy"] = "merge"
            elif keys:
                ks = keys.split(",")
                s["x-kubernetes-list-type"] = "map"
                s["x-kubernetes-list-map-keys"] = ks
                s["x-kubernetes-patch-merge-key"] = ks[0]
                s["x-kubernetes-patch-strategy"] = "merge"
            else:
                s["x-kubernetes-list-type"] = "atomic"
            return s
        if t.startswith("{"):
            return {"type": "object", "additionalProperties": typ(t[1:-1])}
        visit(t)
        ref = {"$ref": ref_prefix + definition_name(t)}
        return ref if v2 else {"allOf": [ref]}

    def visit(name):
        dn = definition_name(name)
        if dn in out or name not in _PARSED:
            return
        out[dn] = None
        props = {k: typ(t) for k, t in _PARSED[name].items()}
        out[dn] = {"type": "object", "properties": props}
        if name in REQUIRED:
            out[dn]["required"] = list(REQUIRED[name])

    def kind_schema(key, version=None):
        fields = kind_fields(key, version)
        s = {"type": "object", "properties": {k: typ(t) for k, t in fields.items()}}
        if "kind:" + key in REQUIRED:
            s["required"] = list(REQUIRED["kind:" + key])
        return s

    if tname.startswith("kind:"):
        key, _, ver = tname[5:].partition("@")
        out["__kind__"] = kind_schema(key, ver or None)
    else:
        visit(tname)
    return out


# ---------------------------------------------------------------- typed round trip

KEEP_EMPTY = {"containers"}


def normalize(key, obj, version=None):
    """What a typed decode/encode does to a written object: empty maps and lists
    of omitempty fields vanish, nulls vanish.  Modifies obj in place."""
    fields = kind_fields(key, version)
    if fields is None or not isinstance(obj, dict):
        return obj
    _norm(fields, obj)
    return obj


def _norm(fields, o):
    for k in list(o):
        v = o[k]
        t = fields.get(k)
        if t is None:
            continue
        if v is None:
            if k != "creationTimestamp":
                del o[k]
            continue
        if t.startswith("{") or t.startswith("["):
            if not v and k not in KEEP_EMPTY and isinstance(v, (dict, list)):
                del o[k]
                continue
            e = _elem(t)
            if e in _PARSED:
                items = v.values() if isinstance(v, dict) else v
                for item in items:
                    if isinstance(item, dict):
                        _norm(_PARSED[e], item)
        elif t in _PARSED and isinstance(v, dict):
            _norm(_PARSED[t], v)
