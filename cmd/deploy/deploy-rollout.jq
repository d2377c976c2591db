# The pods of a workload's current rollout, for fail-fast: a crashing pod of
# the previous revision (still there while the new one comes up) must not fail
# the deploy that replaces it.
# Input: {workload, pods: [pods of the namespace]}. Output: [pods].

def matches($sel): . as $labels | all($sel | to_entries[]; $labels[.key] == .value);

.workload as $w
| ($w.spec.selector.matchLabels // {}) as $sel
| [.pods[] | select(.metadata.deletionTimestamp == null and ((.metadata.labels // {}) | matches($sel)))] as $mine
| if ($sel | length) == 0 then []
  elif $w.kind == "StatefulSet" and ($w.status.updateRevision // null) != null then
    [$mine[] | select(.metadata.labels["controller-revision-hash"] == $w.status.updateRevision)]
  elif $w.kind == "DaemonSet" then
    [$mine[] | select((.metadata.labels["pod-template-generation"] // null) as $g
                      | $g == null or $g == ($w.metadata.generation | tostring))]
  elif $w.kind == "Deployment" then
    # The newest template hash group is the new ReplicaSet's.
    ($mine | group_by(.metadata.labels["pod-template-hash"] // "")
     | max_by(map(.metadata.creationTimestamp // "") | max) // [])
  else $mine end
