# --prune: objects deploy itself applied earlier that the input no longer has.
# "Deploy applied it" means: its managedFields hold an Apply entry of deploy's
# own field manager (and it carries the tool's label). The label alone is not
# enough: `secrets apply` labels its Secrets the same way, with its own field
# manager, and they must survive a prune. Only namespaced objects of the
# target namespaces; never objects some controller owns.
# Input: {live: [objects, with managedFields], objects: [planned objects],
#         label: {key: value}, manager: "kubectl-crucible"}
# Output: [{ref, namespace, key}]

def group: (.apiVersion // "") | split("/") | if length > 1 then .[0] else "" end;
def key: "\(group)/\(.kind)/\(.metadata.namespace // "")/\(.metadata.name)";
def ref: "\(.kind | ascii_downcase)\(if group != "" then "." + group else "" end)/\(.metadata.name)";
def applied_by($m): any((.metadata.managedFields // [])[]; .manager == $m and .operation == "Apply");

(.label | to_entries[0]) as $l
| .manager as $m
| ([.objects[] | {(key): true}] | add // {}) as $wanted
| ([.objects[] | .metadata.namespace // empty] | unique) as $namespaces
| [.live[]
   | select(.metadata.labels[$l.key] == $l.value)
   | select(applied_by($m))
   | select(.metadata.namespace as $ns | $ns != null and ($namespaces | any(.[]; . == $ns)))
   | select((.metadata.ownerReferences // []) | length == 0)
   | select($wanted[key] | not)
   | {ref: ref, namespace: .metadata.namespace, key: key}]
| sort_by(.namespace, .ref)
