# Orders the rendered objects into the deploy phases (the guide's step 2, done
# the way an expert would) and says what each phase waits on.
# Input: {objects: [...], namespace: "crucible", labels: {tool labels}}
# Output: {phases: [{name, objects, wait: [workload]}], skipped: [{ref, reason}],
#          kinds: [{group, version, kind, resource, namespaced}]}
# (array | index([x]) leaks in libjq 1.6: membership is any(.[]; . == x) throughout.)

def group: (.apiVersion // "") | split("/") | if length > 1 then .[0] else "" end;
def version: (.apiVersion // "") | split("/") | last;

# Kubernetes' own guess from kind to resource (meta.UnsafeGuessKindToResource).
def plural:
  ascii_downcase
  | if test("(s|x|z|ch|sh)$") then . + "es"
    elif test("[^aeiou]y$") then .[:-1] + "ies"
    else . + "s" end;

def cluster_scoped:
  .kind as $k
  | ["Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "StorageClass",
     "PersistentVolume", "PriorityClass", "IngressClass", "APIService", "CSIDriver", "RuntimeClass",
     "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"] | any(.[]; . == $k);

# "deployment.apps/api-service", as kubectl prints it.
def ref: "\(.kind | ascii_downcase)\(if group != "" then "." + group else "" end)/\(.metadata.name)";
def key: "\(group)/\(.kind)/\(.metadata.namespace // "")/\(.metadata.name)";

def podspec:
  if .kind == "Pod" then .spec
  elif .kind == "CronJob" then .spec.jobTemplate.spec.template.spec
  else .spec.template.spec end // {};

def claims:
  [(podspec.volumes // [])[] | .persistentVolumeClaim.claimName // empty];

def workload_kinds: ["Deployment", "StatefulSet", "DaemonSet", "Pod"];
def config_kinds: ["ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding",
  "ConfigMap", "Secret", "PersistentVolumeClaim", "PersistentVolume", "StorageClass", "LimitRange",
  "ResourceQuota", "PriorityClass"];
def app_kinds: ["Deployment", "DaemonSet", "Service", "ReplicaSet", "Pod", "CronJob", "ReplicationController"];
def edge_kinds: ["Ingress", "IngressClass", "NetworkPolicy", "HorizontalPodAutoscaler", "PodDisruptionBudget"];

def phase_names: ["namespace", "crds", "config", "databases", "apps", "edge"];

# The StatefulSets' own Services: named by serviceName, or selecting their pods.
def database_service($sets):
  .kind == "Service" and
  (.metadata.name as $n | .spec.selector as $sel
   | any($sets[]; .spec.serviceName == $n or
         ($sel != null and ($sel | length) > 0 and
          (.spec.template.metadata.labels // {}) as $l | all($sel | to_entries[]; $l[.key] == .value))));

def phase_of($sets):
  .kind as $k
  | if $k == "Namespace" then "namespace"
    elif $k == "CustomResourceDefinition" then "crds"
    elif (config_kinds | any(.[]; . == $k)) then "config"
    elif $k == "StatefulSet" or database_service($sets) then "databases"
    elif (app_kinds | any(.[]; . == $k)) then "apps"
    else "edge" end;

def waited:
  {kind, group: group, resource: (.kind | plural), namespace: .metadata.namespace, name: .metadata.name,
   ref: ref, key: key,
   selector: (.spec.selector.matchLabels // (if .kind == "Pod" then null else {} end)),
   claims: claims};

.namespace as $ns
| .labels as $labels
| [.objects[]
   | if cluster_scoped then del(.metadata.namespace) else .metadata.namespace //= $ns end
   | .metadata.labels = ((.metadata.labels // {}) + $labels)] as $all
| [$all[] | select(.kind == "Job" and group == "batch")] as $jobs
| [$all[] | select((.kind == "Job" and group == "batch") | not)] as $objects
| [$objects[] | select(.kind == "StatefulSet")] as $sets
| [$objects[] | select(.kind == "PersistentVolumeClaim")] as $pvcs
| [phase_names[] as $p
   | [$objects[] | select(phase_of($sets) == $p)] as $in
   | select($in | length > 0)
   | [$in[] | select(.kind as $k | workload_kinds | any(.[]; . == $k))] as $workloads
   | ([$workloads[] | claims[]] | unique) as $claimed
   | {name: $p,
      objects: $in,
      wait: ([$workloads[] | waited]
             + [$pvcs[] | select(.metadata.name as $n | $claimed | any(.[]; . == $n)) | waited])}]
  as $phases
# A claim is waited on in the first phase whose workloads mount it.
| reduce range(0; $phases | length) as $i ({seen: {}, phases: $phases};
    .seen as $seen
    | .phases[$i].wait |= map(select(.kind != "PersistentVolumeClaim" or ($seen[.key] | not)))
    | .seen += ([.phases[$i].wait[] | {(.key): true}] | add // {}))
| {phases: .phases,
   skipped: [$jobs[] | {ref: ref, reason: "Jobs are not applied by deploy: run 'kubectl crucible migrate-db'"}],
   kinds: ([$objects[] | {group: group, version: version, kind, resource: (.kind | plural), namespaced: (cluster_scoped | not)}]
           | unique_by([.group, .kind]))}
