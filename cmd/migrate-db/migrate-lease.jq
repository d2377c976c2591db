# The lock a running migration holds: the Lease crucible-migrate-db.
# Input: {lease: the Lease or null, now: epoch seconds}. Output: null when
# there is none or it has no holder (released), else {holder, job (the
# Job a run names in the annotation crucible.dev/job), acquired, renewed,
# renewedSecondsAgo, leaseDurationSeconds, stale}: stale once its holder has
# not renewed it for twice its duration (a run may then take it over).
def epoch: if type == "string" then sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601 else null end;

.now as $now
| if .lease == null or (.lease.spec.holderIdentity // "") == "" then null
  else ((.lease.metadata.annotations // {})["crucible.dev/job"] // null) as $job
  | .lease.spec // {}
  | ((.renewTime // .acquireTime) | epoch) as $renewed
  | (if $renewed == null then null else [$now - $renewed, 0] | max | floor end) as $ago
  | {holder: (.holderIdentity // null), job: $job, acquired: (.acquireTime // null), renewed: (.renewTime // null),
     renewedSecondsAgo: $ago, leaseDurationSeconds: (.leaseDurationSeconds // null),
     stale: ($ago != null and .leaseDurationSeconds != null and $ago > 2 * .leaseDurationSeconds)}
  end
