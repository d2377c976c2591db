# overlay validate's checks of the workloads an overlay changes:
# - replicas on a workload a HorizontalPodAutoscaler owns (every deploy
#   would reset the autoscaler's count): a replicas: entry, a patch setting
#   spec.replicas, or a rendered spec.replicas the overlay leaves in place;
# - a resources patch naming a container the workload does not have (a
#   strategic merge adds it as a container without an image).
# Input: {file: the kustomization, objects: rendered,
#         replicas: [{name, count, line}],
#         patches: [{file, offset, doc, lines: {pointer: line}, target}],
#         sources: [{file, offset, doc, lines}]}   (the overlay's own resource files)
# Output: [{file, line, message}]

def ref: "\(.kind | ascii_downcase)/\(.metadata.name)";
def scalable: .kind == "Deployment" or .kind == "StatefulSet" or .kind == "ReplicaSet";
def podpath:
  if .kind == "Pod" then ["spec"]
  elif .kind == "CronJob" then ["spec", "jobTemplate", "spec", "template", "spec"]
  else ["spec", "template", "spec"] end;
def pointer($path): "/" + ($path | map(tostring) | join("/"));
def at($p; $ptr): {file: $p.file, line: ($p.offset + ($p.lines[$ptr] // $p.lines[""] // 1))};
def safe_get($path): try getpath($path) catch null;

# The rendered objects a patch applies to: its target (name a regex, as
# kustomize reads it), else the object its document names.
def targets($objs; $p):
  if $p.target != null then
    [$objs[] | select(($p.target.kind == null or .kind == $p.target.kind)
                      and ($p.target.name == null or (.metadata.name | test("^(" + $p.target.name + ")$"))))]
  elif ($p.doc | type) == "object" then
    [$objs[] | select(.kind == $p.doc.kind and .metadata.name == $p.doc.metadata.name)]
  else [] end;

# Where a patch sets spec.replicas: a strategic merge's field, or a JSON 6902 add/replace.
def sets_replicas($p):
  if ($p.doc | type) == "object" then
    select(($p.doc | safe_get(["spec", "replicas"])) != null) | at($p; "/spec/replicas")
  elif ($p.doc | type) == "array" then
    $p.doc | to_entries[]
    | select((.value | type) == "object" and .value.path == "/spec/replicas"
             and (.value.op == "add" or .value.op == "replace"))
    | at($p; "/\(.key)/path")
  else empty end;

.file as $k
| .objects as $objs
| .patches as $patches
| .replicas as $entries
| .sources as $sources
| [
    # Replicas an autoscaler owns.
    (($objs[] | select(.kind == "HorizontalPodAutoscaler")) as $h
    | $h.spec.scaleTargetRef as $t
    | $objs[]
    | select(scalable and .kind == $t.kind and .metadata.name == $t.name
             and (.metadata.namespace // "") == ($h.metadata.namespace // ""))
    | . as $w
    | "HorizontalPodAutoscaler \($h.metadata.name) owns the replicas of \($w | ref)" as $owns
    | [$entries[] | select(.name == $w.metadata.name)] as $mine
    | if ($mine | length) > 0 then
        $mine[] | {file: $k, line, message: "replicas: sets \(.name) to \(.count // "?"), but \($owns): remove the entry (every deploy would reset the autoscaler's count)"}
      elif $w.spec.replicas != null then
        ([$patches[] as $p | select(targets($objs; $p) | any(.[]; .kind == $w.kind and .metadata.name == $w.metadata.name))
          | sets_replicas($p)]
         + [$sources[] | select(.doc.kind == "HorizontalPodAutoscaler" and .doc.metadata.name == $h.metadata.name)
            | at(.; "/spec/scaleTargetRef/name")]
         + [{file: $k, line: 1}])[0]
        + {message: "\($w | ref) has spec.replicas \($w.spec.replicas), but \($owns): leave the field out (a patch with op: remove, path: /spec/replicas)"}
      else empty end),

    # Resources patches naming a container the workload does not have.
    (($patches[] | select((.doc | type) == "object")) as $p
    | targets($objs; $p)[] as $w
    | ($w | podpath) as $pp
    | ("containers", "initContainers") as $list
    | ($p.doc | safe_get($pp + [$list])) as $patched
    | select(($patched | type) == "array")
    | $patched | to_entries[]
    | select((.value | type) == "object" and (.value | has("resources")) and (.value | has("image") | not))
    | .key as $i
    | .value.name as $c
    | [($w | safe_get($pp + [$list])) // [] | .[] | select(.image != null) | .name] as $have
    | select($have | any(.[]; . == $c) | not)
    | at($p; pointer($pp + [$list, $i, "name"]))
      + {message: "resources patch names container '\($c)', which \($w | ref) does not have (its \($list): \(if ($have | length) > 0 then $have | join(", ") else "none" end))"})
  ]
