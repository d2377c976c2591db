# --prune: objects this tool applied earlier (they carry its label) that the
# input no longer has. Only namespaced objects of the target namespaces; never
# objects some controller owns.
# Input: {live: [objects], objects: [planned objects], label: {key: value}}
# Output: [{ref, namespace, key}]

def group: (.apiVersion // "") | split("/") | if length > 1 then .[0] else "" end;
def key: "\(group)/\(.kind)/\(.metadata.namespace // "")/\(.metadata.name)";
def ref: "\(.kind | ascii_downcase)\(if group != "" then "." + group else "" end)/\(.metadata.name)";

(.label | to_entries[0]) as $l
| ([.objects[] | {(key): true}] | add // {}) as $wanted
| ([.objects[] | .metadata.namespace // empty] | unique) as $namespaces
| [.live[]
   | select(.metadata.labels[$l.key] == $l.value)
   | select(.metadata.namespace as $ns | $ns != null and ($namespaces | any(.[]; . == $ns)))
   | select((.metadata.ownerReferences // []) | length == 0)
   | select($wanted[key] | not)
   | {ref: ref, namespace: .metadata.namespace, key: key}]
| sort_by(.namespace, .ref)
