include "refs";
include "verify-lib";
# Config: every Secret and ConfigMap key a workload in the cluster references
# exists (common/jq/refs.jq finds the references). Only key names are known:
# .secrets is [{metadata: {name}, type, keys}] from a template that prints names.
# Input: the verify input. Output: [checks].

def keys_of: [((.data // {}), (.binaryData // {})) | keys[]];

([(.live | of_kind("ConfigMap") | {key: "configmap/\(.metadata.name)", value: keys_of}),
  (.secrets[] | {key: "secret/\(.metadata.name)", value: .keys})] | from_entries) as $have
| [(.live | workloads), (.live | bare_pods)] as $users
| [$users[] | references]
| group_by([.resource, .name, .key])
| map(.[0] + {users: (map(.object) | unique)})
| [.[] | "\(.resource)/\(.name)" as $id
   | (if .resource == "secret" then "Secret" else "ConfigMap" end) as $kind
   | (if .key then "key \(.key)" else "\(.resource)" end) as $what
   | .key as $k
   | ($have[$id] != null and ($k == null or ($have[$id] | member($k)))) as $ok
   | judged($ok; "config-ref"; (if .optional then "WARN" else "FAIL" end); "\($kind)/\(.name)";
            "\($what) exists (used by \(.users | join(", ")))";
            "\($what) is missing\(if .optional then " (optional)" else "" end), used by \(.users | join(", "))";
            if .resource == "secret" then "kubectl crucible secrets apply" else "kubectl crucible deploy" end)]
