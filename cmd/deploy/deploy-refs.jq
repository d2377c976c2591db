# Preflight: every Secret and ConfigMap key a workload references must exist,
# in the cluster or in the input. Values are never looked at, only key names.
# Input: {objects: [planned objects], live: [Secrets and ConfigMaps from the cluster]}
# Output: [{type, name, key, used_by: [names], message}]

def podspec:
  if .kind == "Pod" then .spec
  elif .kind == "CronJob" then .spec.jobTemplate.spec.template.spec
  else .spec.template.spec end // {};

def containers: podspec | [(.initContainers // [])[], (.containers // [])[]][];

# {type, name, key (null: the whole object)} for each non-optional reference.
def required: select(. != null and ((.optional // false) | not));
def with_items($type; $name): if .items then (.items[] | {type: $type, name: $name, key}) else {type: $type, name: $name, key: null} end;
def env_refs:
  (.env // [])[] | .valueFrom // {}
  | ((.secretKeyRef | required | {type: "secret", name, key}),
     (.configMapKeyRef | required | {type: "configmap", name, key}));
def envfrom_refs:
  (.envFrom // [])[]
  | ((.secretRef | required | {type: "secret", name, key: null}),
     (.configMapRef | required | {type: "configmap", name, key: null}));
def volume_refs:
  (podspec.volumes // [])[]
  | ((.secret | required | with_items("secret"; .secretName)),
     (.configMap | required | with_items("configmap"; .name)),
     ((.projected.sources // [])[]
      | ((.secret | required | with_items("secret"; .name)),
         (.configMap | required | with_items("configmap"; .name)))));
def references: (containers | env_refs, envfrom_refs), volume_refs;

def type_of: if .kind == "Secret" then "secret" else "configmap" end;
def keys_of: [((.data // {}), (.stringData // {}), (.binaryData // {})) | keys[]] | unique;

def remedy($type):
  if $type == "secret" then "run 'kubectl crucible secrets apply'"
  else "add it to the manifests (configMapGenerator in k8s/base)" end;

# Known keys per "type/namespace/name"; input objects win over the cluster's.
([.live[], (.objects[] | select(.kind == "Secret" or .kind == "ConfigMap"))]
 | map({key: "\(type_of)/\(.metadata.namespace)/\(.metadata.name)", value: keys_of}) | from_entries) as $have
| [.objects[]
   | select(.kind as $k | ["Deployment", "StatefulSet", "DaemonSet", "Pod", "CronJob"] | any(.[]; . == $k))
   | .metadata.namespace as $ns | .metadata.name as $user
   | references | . + {ns: $ns, user: $user}]
| group_by([.type, .ns, .name, .key])
| map(.[0] + {used_by: (map(.user) | unique)} | del(.user))
| map("\(.type)/\(.ns)/\(.name)" as $id | .key as $k
      | select($have[$id] == null or ($k != null and ($have[$id] | any(.[]; . == $k) | not))))
| map(. + {message:
    ((if .key == null then "\(.type) \(.name) (used by \(.used_by | join(", "))) is missing"
      else "\(.type) \(.name) key \(.key) (used by \(.used_by | join(", "))) is missing" end)
     + ": " + remedy(.type))})
