include "verify-lib";
# Workloads: each Deployment, StatefulSet and DaemonSet ready and current by
# the kstatus rules (as deploy judges it: .kstatus holds kstatus.jq's verdict
# per "Kind/name"), and every pod that is not Running and Ready explained the
# way the guide's troubleshooting section does it.
# Input: the verify input. Output: [checks]; a crash loop's check carries
# log: {pod, container} for the caller to attach the previous log.

.namespace as $ns
| .kstatus as $ks
| (.restartThreshold // 5) as $max
| [.live[] | select(.kind == "Event")] as $events
| ([.live | of_kind("PersistentVolumeClaim")] | map({key: .metadata.name, value: .}) | from_entries) as $claims
| def describe: "kubectl describe pod \(.metadata.name) -n \($ns)";
  def statuses: (.status.initContainerStatuses // []) + (.status.containerStatuses // []);
  def waiting($reasons): [statuses[] | select(.state.waiting.reason as $r | $reasons | member($r))] | first // null;
  def cond($t): first((.status.conditions // [])[] | select(.type == $t)) // null;
  def unbound: [(.spec.volumes // [])[] | .persistentVolumeClaim.claimName // empty
                | select(($claims[.].status.phase // "missing") != "Bound")];
  # One pod: the first explanation that applies.
  def pod_check:
    . as $p | "Pod/\(.metadata.name)" as $obj
    | waiting(["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"]) as $pull
    # Between two back-offs a crash-looping container runs again for a moment:
    # one snapshot must still call it a crash loop.
    | (waiting(["CrashLoopBackOff"])
       // ([statuses[] | select(.ready != true and (.restartCount // 0) >= 2
                                and (.lastState.terminated.exitCode // 0) != 0)] | first // null)) as $crash
    | waiting(["CreateContainerConfigError", "CreateContainerError"]) as $config
    | ([statuses[] | select(.lastState.terminated.reason == "OOMKilled" or .state.terminated.reason == "OOMKilled")] | first // null) as $oom
    | ([statuses[].restartCount // 0] | add // 0) as $restarts
    | cond("Ready") as $ready
    | if $pull != null then
        ([events_for($events; "Pod"; .metadata.name)[]
          | select(.reason == "Failed" and (.message | startswith("Failed to pull image")))] | last // null) as $e
        | fail("pod-image-pull"; $obj;
               "container \($pull.name) cannot pull image \($pull.image): \(if $e then $e.message else $pull.state.waiting.message // $pull.state.waiting.reason end)";
               describe)
      elif $crash != null then
        ($crash.lastState.terminated // {}) as $t
        | fail("pod-crashloop"; $obj;
               "container \($crash.name) \(if $crash.state.waiting then "is in CrashLoopBackOff" else "keeps crashing (running again between back-offs)" end): exit code \($t.exitCode // "?")\(if $t.reason then " (" + $t.reason + ")" else "" end), \($crash.restartCount // 0) restarts";
               "kubectl logs -n \($ns) \(.metadata.name) -c \($crash.name) --previous")
        + {log: {pod: .metadata.name, container: $crash.name}}
      elif $config != null then
        ($config.state.waiting.message // $config.state.waiting.reason) as $m
        | fail("pod-config"; $obj; "container \($config.name): \($m)";
               if ($m | test("[Ss]ecret")) then "kubectl crucible secrets apply" else "kubectl crucible deploy" end)
      elif .status.phase == "Pending" and (unbound | length) > 0 then
        unbound[0] as $c
        | last_event($events; "PersistentVolumeClaim"; $c; ["ProvisioningFailed", "FailedBinding"]) as $e
        | fail("pod-pending"; $obj;
               "Pending: claim \($c) is \($claims[$c].status.phase // "missing")\(if $e then ": " + $e.message else "" end)";
               "kubectl describe pvc \($c) -n \($ns)")
      elif .status.phase == "Pending" and (cond("PodScheduled").status // "") == "False" then
        last_event($events; "Pod"; .metadata.name; ["FailedScheduling"]) as $e
        | fail("pod-pending"; $obj; "Pending: \($e.message // cond("PodScheduled").message // "not scheduled")"; describe)
      elif $oom != null and ($ready.status // "") != "True" then
        fail("pod-oomkilled"; $obj; "container \($oom.name) was OOMKilled (memory limit \([.spec.containers[] | select(.name == $oom.name) | .resources.limits.memory // "none"] | first // "none"))"; describe)
      elif .status.phase == "Succeeded" then pass("pod-ready"; $obj; "completed")
      elif ($ready.status // "") != "True" then
        last_event($events; "Pod"; .metadata.name; ["Unhealthy"]) as $e
        | fail("pod-ready"; $obj; "\(.status.phase // "Pending"), not Ready\(if $ready.message then ": " + $ready.message else "" end)\(if $e then " (" + $e.message + ")" else "" end)"; describe)
      elif $oom != null then
        warn("pod-oomkilled"; $obj; "Ready now, but container \($oom.name) was OOMKilled before"; describe)
      elif $restarts > $max then
        warn("pod-restarts"; $obj; "Ready, but restarted \($restarts) times (more than \($max))"; "kubectl logs -n \($ns) \(.metadata.name) --previous")
      else pass("pod-ready"; $obj; "Running and Ready\(if $restarts > 0 then ", \($restarts) restarts" else "" end)")
      end;
  [(.live[] | select(.kind == "Deployment" or .kind == "StatefulSet" or .kind == "DaemonSet")
    | ref as $obj | ($ks[$obj] // {status: "InProgress", message: "not judged"}) as $s
    | judged($s.status == "Current"; "workload-ready"; "FAIL"; $obj; $s.message; "\($s.status): \($s.message)";
             "kubectl get pods -n \($ns) -l \(.spec.selector.matchLabels // {} | selector_text)")),
   (.live[] | select(.kind == "Pod" and ((.metadata.labels // {})["app.kubernetes.io/created-by"] != "kubectl-crucible-verify")) | pod_check)]
