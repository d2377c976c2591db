# The resources verify lists, in one `kubectl get` (events included): the
# kinds every check reads, plus any other kind the manifests have. Each is
# spelled resource.version.group, the form kubectl tries first: a bare
# resource.group is first taken as resource.version and misses, which makes
# kubectl fetch discovery again (and a 500 there reads as "no such resource
# type"). Secrets are read on their own, key names only.
# Input: the manifests. Output: "deployments.apps,...".

def fixed: ["deployments.v1.apps", "statefulsets.v1.apps", "daemonsets.v1.apps", "replicasets.v1.apps", "pods",
  "services", "endpointslices.v1.discovery.k8s.io", "persistentvolumeclaims", "configmaps", "serviceaccounts",
  "ingresses.v1.networking.k8s.io", "networkpolicies.v1.networking.k8s.io", "roles.v1.rbac.authorization.k8s.io",
  "rolebindings.v1.rbac.authorization.k8s.io", "clusterroles.v1.rbac.authorization.k8s.io",
  "clusterrolebindings.v1.rbac.authorization.k8s.io", "jobs.v1.batch", "cronjobs.v1.batch", "events", "namespaces",
  "storageclasses.v1.storage.k8s.io"];
def known: ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod", "Service", "EndpointSlice",
  "PersistentVolumeClaim", "ConfigMap", "ServiceAccount", "Ingress", "NetworkPolicy", "Role", "RoleBinding",
  "ClusterRole", "ClusterRoleBinding", "Job", "CronJob", "Event", "Namespace", "StorageClass", "Secret"];

(fixed + [.[] | select(.kind as $k | known | any(.[]; . == $k) | not)
          | (.apiVersion // "" | split("/")) as $gv
          | "\(.kind | ascii_downcase)\(if ($gv | length) > 1 then ".\($gv[1]).\($gv[0])" else "" end)"] | unique)
| join(",")
