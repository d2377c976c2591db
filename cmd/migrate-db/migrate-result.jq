# How a migration or backup Job ended, from the Job and its pods.
# Input: {job, pods}. Output: null while it runs, else {result: "complete" |
# "failed", reason, message, pod, exitCode, terminationReason}.
def cond($t): first((.status.conditions // [])[] | select(.type == $t and .status == "True")) // null;
. as $in
| ($in.pods | map(select(.status.phase == "Failed" or .status.phase == "Succeeded"))
   | sort_by(.metadata.creationTimestamp) | last) as $last
| ($last.status.containerStatuses // [] | map(.state.terminated // .lastState.terminated // empty) | first // null) as $t
| ($in.job | cond("Complete")) as $done
| ($in.job | cond("Failed")) as $failed
| if $done != null then {result: "complete", reason: "Complete", message: "", pod: ($last.metadata.name // null),
                         exitCode: ($t.exitCode // 0), terminationReason: ($t.reason // null)}
  elif $failed != null then {result: "failed", reason: ($failed.reason // "Failed"), message: ($failed.message // ""),
                             pod: ($last.metadata.name // null), exitCode: ($t.exitCode // null),
                             terminationReason: ($t.reason // null)}
  else null end
