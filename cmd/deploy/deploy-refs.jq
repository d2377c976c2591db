include "refs";
# Preflight: every Secret and ConfigMap key a workload needs must exist, in
# the cluster or in the input (common/jq/refs.jq finds the references). Only
# what a pod cannot start without is required: optional references, image
# pull secrets and Ingress certificates are not. Values are never looked at.
# Input: {objects: [planned objects], live: [Secrets and ConfigMaps from the cluster]}
# Output: [{type, name, key, used_by: [names], message}]

def type_of: if .kind == "Secret" then "secret" else "configmap" end;
def keys_of: [((.data // {}), (.stringData // {}), (.binaryData // {})) | keys[]] | unique;

def remedy($type):
  if $type == "secret" then "run 'kubectl crucible secrets apply'"
  else "add it to the manifests (configMapGenerator in k8s/base)" end;

# Known keys per "type/namespace/name"; input objects win over the cluster's.
([.live[], (.objects[] | select(.kind == "Secret" or .kind == "ConfigMap"))]
 | map({key: "\(type_of)/\(.metadata.namespace)/\(.metadata.name)", value: keys_of}) | from_entries) as $have
| [.objects[] | references
   | select((.optional | not) and (.via as $v | ["imagePullSecrets", "ingress"] | all(.[]; . != $v)))
   | {type: .resource, name, key, ns: .namespace, user: .objectName}]
| group_by([.type, .ns, .name, .key])
| map(.[0] + {used_by: (map(.user) | unique)} | del(.user))
| map("\(.type)/\(.ns)/\(.name)" as $id | .key as $k
      | select($have[$id] == null or ($k != null and ($have[$id] | any(.[]; . == $k) | not))))
| map(. + {message:
    ((if .key == null then "\(.type) \(.name) (used by \(.used_by | join(", "))) is missing"
      else "\(.type) \(.name) key \(.key) (used by \(.used_by | join(", "))) is missing" end)
     + ": " + remedy(.type))})
