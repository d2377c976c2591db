include "verify-lib";
# Presence: every object of the rendered manifests exists in the cluster,
# and nothing carrying the platform's labels exists that they no longer have.
# Input: the verify input (see main.c). Output: [checks].

# Kinds the cluster makes from others (pods, slices, events ...): never leftovers.
def generated: ["Pod", "ReplicaSet", "Endpoints", "EndpointSlice", "Event", "ControllerRevision", "Secret"];
def key: "\(.kind)/\(.metadata.name)";

.namespace as $ns
| [.manifests[] | select(.kind != "Job")] as $want
| ([.live[], (.secrets[] | {kind: "Secret", metadata})] | map({key: key, value: true}) | from_entries) as $have
| ($want | map({key: key, value: true}) | from_entries) as $wanted
# The claims a StatefulSet makes from its templates are the manifests' too.
| ([$want | of_kind("StatefulSet") | .metadata.name as $s | (.spec.replicas // 1) as $r
    | (.spec.volumeClaimTemplates // [])[] | .metadata.name as $t
    | range($r) | "PersistentVolumeClaim/\($t)-\($s)-\(.)"] | map({key: ., value: true}) | from_entries) as $claims
| [($want[] | key as $k
    | judged($have[$k] == true; "presence"; "FAIL"; $k; "exists";
             "is in the manifests but not in namespace \($ns)"; "kubectl crucible deploy")),
   (.live[]
    | select(.kind as $k | generated | member($k) | not)
    | select(.kind != "Namespace" or .metadata.name == $ns)
    | select((.metadata.labels // {}) | .["app.kubernetes.io/managed-by"] == "kubectl-crucible"
             or .["app.kubernetes.io/part-of"] == "crucible")
    | key as $k
    | select($wanted[$k] == null and $claims[$k] == null)
    | warn("leftover"; $k; "carries the platform's labels but the manifests no longer have it";
           "kubectl crucible deploy --prune"))]
