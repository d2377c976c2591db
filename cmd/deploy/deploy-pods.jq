# Fail-fast signs in one pod of a rollout, for deploy's watch.
# Input: a Pod. Output: [{sign, container, image, message, exitCode}] where sign is
# crashloop | config | invalid-image | image-pull | unschedulable (empty when healthy).
# deploy applies the grace periods (image pulls, unschedulable) itself.

def sched: first((.status.conditions // [])[] | select(.type == "PodScheduled")) // null;

[((.status.initContainerStatuses // []) + (.status.containerStatuses // []))[]
 | . as $c
 | ($c.state.waiting.reason // "") as $r
 | if $r == "CrashLoopBackOff" then
     {sign: "crashloop", container: $c.name, image: $c.image, message: ($c.state.waiting.message // ""),
      exitCode: ($c.lastState.terminated.exitCode // null), reason: ($c.lastState.terminated.reason // null)}
   elif $r == "CreateContainerConfigError" or $r == "CreateContainerError" then
     {sign: "config", container: $c.name, image: $c.image, message: ($c.state.waiting.message // $r)}
   elif $r == "InvalidImageName" then
     {sign: "invalid-image", container: $c.name, image: $c.image, message: ($c.state.waiting.message // $r)}
   elif $r == "ErrImagePull" or $r == "ImagePullBackOff" or $r == "ErrImageNeverPull" then
     {sign: "image-pull", container: $c.name, image: $c.image, message: ($c.state.waiting.message // $r)}
   else empty end]
+ (sched as $s
   | if .status.phase == "Pending" and $s != null and $s.status == "False" and $s.reason == "Unschedulable"
     then [{sign: "unschedulable", container: null, image: null, message: ($s.message // "Unschedulable")}]
     else [] end)
