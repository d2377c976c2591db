# The resources verify lists, in one `kubectl get` (events included): the
# kinds every check reads, plus any other kind the manifests have (as
# kind.group, which kubectl resolves like its plural). Secrets are read on
# their own, key names only.
# Input: the manifests. Output: "deployments.apps,...".

def fixed: ["deployments.apps", "statefulsets.apps", "daemonsets.apps", "replicasets.apps", "pods", "services",
  "endpointslices.discovery.k8s.io", "persistentvolumeclaims", "configmaps", "serviceaccounts",
  "ingresses.networking.k8s.io", "networkpolicies.networking.k8s.io", "roles.rbac.authorization.k8s.io",
  "rolebindings.rbac.authorization.k8s.io", "clusterroles.rbac.authorization.k8s.io",
  "clusterrolebindings.rbac.authorization.k8s.io", "jobs.batch", "cronjobs.batch", "events", "namespaces",
  "storageclasses.storage.k8s.io"];
def known: ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod", "Service", "EndpointSlice",
  "PersistentVolumeClaim", "ConfigMap", "ServiceAccount", "Ingress", "NetworkPolicy", "Role", "RoleBinding",
  "ClusterRole", "ClusterRoleBinding", "Job", "CronJob", "Event", "Namespace", "StorageClass", "Secret"];

(fixed + [.[] | select(.kind as $k | known | any(.[]; . == $k) | not)
          | (.apiVersion // "" | split("/")) as $gv
          | "\(.kind | ascii_downcase)\(if ($gv | length) > 1 then "." + $gv[0] else "" end)"] | unique)
| join(",")
