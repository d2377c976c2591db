# The migration Jobs still in the cluster, newest first, one row each (status
# and history print these). Input: {jobs: the Jobs (an array), now: epoch
# seconds}. Output: [{name, image, created, started, finished, durationSeconds,
# duration, result: Complete|Failed|Running|Suspended|Pending, reason, message,
# active, succeeded, failed}]; a running Job's duration is up to now.
def epoch: if type == "string" then sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601 else null end;
def cond($type): first((.status.conditions // [])[] | select(.type == $type and .status == "True")) // null;
def num: if type == "number" then . else 0 end;
# 42s, 3m10s, 2h5m, as kubectl describe gives durations.
def span:
  if . == null then null
  else floor as $s
  | if $s < 60 then "\($s)s"
    elif $s < 3600 then "\($s / 60 | floor)m\($s % 60)s"
    else "\($s / 3600 | floor)h\($s % 3600 / 60 | floor)m" end
  end;

.now as $now
| [.jobs[] | select(.metadata.name | startswith("db-migrate-"))]
| sort_by([.metadata.creationTimestamp, .metadata.name]) | reverse
| map(cond("Complete") as $ok | cond("Failed") as $bad
  | .status.startTime as $start
  | (.status.completionTime // ($bad // {}).lastTransitionTime) as $stop
  | (if $start == null then null
     else ([(($stop // null) | epoch) // $now, $now] | min) - ($start | epoch) | if . < 0 then 0 else . end end) as $secs
  | {name: .metadata.name,
     image: ((.metadata.annotations // {})["crucible.dev/image"] // .spec.template.spec.containers[0].image),
     created: .metadata.creationTimestamp,
     started: $start,
     finished: $stop,
     durationSeconds: $secs,
     duration: ($secs | span),
     result: (if $ok then "Complete" elif $bad then "Failed" elif .spec.suspend == true then "Suspended"
              elif $start == null then "Pending" else "Running" end),
     reason: ($bad // {}).reason,
     message: ($bad // {}).message,
     active: (.status.active | num), succeeded: (.status.succeeded | num), failed: (.status.failed | num)})
