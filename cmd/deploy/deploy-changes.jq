# What server-side apply did to each object: created, configured or unchanged.
# Input: {before: [live objects before the deploy], after: [objects kubectl apply -o json
#         returned], manager: "kubectl-crucible", dry_run: bool}
# Output: [{ref, key, kind, name, action, changes: [{op, path, from, to}]}]
# A no-op apply keeps resourceVersion; a status update by a controller in between
# changes it but leaves our managedFields entry as it was.

def group: (.apiVersion // "") | split("/") | if length > 1 then .[0] else "" end;
def key: "\(group)/\(.kind)/\(.metadata.namespace // "")/\(.metadata.name)";
def ref: "\(.kind | ascii_downcase)\(if group != "" then "." + group else "" end)/\(.metadata.name)";
def ours($m): [(.metadata.managedFields // [])[] | select(.manager == $m and .operation == "Apply")];

# The parts of an object apply can change; server bookkeeping dropped.
def content:
  del(.status, .metadata.managedFields, .metadata.resourceVersion, .metadata.generation,
      .metadata.uid, .metadata.creationTimestamp, .metadata.selfLink);

# Leaf paths that differ, for --dry-run=server; Secret values are never shown.
def changes($old; $new; $secret):
  def leaves: [paths(scalars, (arrays | select(length == 0)), (objects | select(length == 0)))];
  def show($p; $v): if $secret and ($p[0] == "data" or $p[0] == "stringData") then "(hidden)" else $v end;
  ($old | content) as $o | ($new | content) as $n
  | ([$o | leaves[]] + [$n | leaves[]] | unique)
  | map(. as $p
        | (try ($o | getpath($p)) catch null) as $a | (try ($n | getpath($p)) catch null) as $b
        | select($a != $b)
        | {path: ($p | map(tostring) | join(".")),
           op: (if $a == null then "+" elif $b == null then "-" else "~" end),
           from: show($p; $a), to: show($p; $b)});

.manager as $m
| .dry_run as $dry
| (.before | map({key: key, value: .}) | from_entries) as $live
| [.after[]
   | key as $k
   | $live[$k] as $old
   | {ref: ref, key: $k, kind, name: .metadata.name, namespace: .metadata.namespace}
     + if $old == null then {action: "created", changes: []}
       elif $dry then
         changes($old; .; .kind == "Secret") as $c
         | {action: (if ($c | length) == 0 then "unchanged" else "configured" end), changes: $c}
       elif $old.metadata.resourceVersion == .metadata.resourceVersion then {action: "unchanged", changes: []}
       elif ($old | ours($m)) == ours($m) and ($old | ours($m) | length) > 0 then {action: "unchanged", changes: []}
       else {action: "configured", changes: []} end]
