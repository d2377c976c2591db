# Readiness of one Kubernetes object by the kstatus rules
# (sigs.k8s.io/cli-utils/pkg/kstatus, what Flux and kpt use).
# Input: an object. Output: {status: "Current"|"InProgress"|"Failed"|"Terminating", message}.
# Shared: deploy waits on it, verify reports with it.
# "Unschedulable for > 15 s" is measured from the condition's lastTransitionTime to now.

def result($s; $m): {status: $s, message: $m};
def current($m): result("Current"; $m);
def progressing($m): result("InProgress"; $m);
def failed($m): result("Failed"; $m);

def cond($type): first((.status.conditions // [])[] | select(.type == $type)) // null;
def cond_is($type; $value): (cond($type) // {}) | .status == $value;
def num: if type == "number" then . else 0 end;

# metadata.generation not yet seen by the controller.
def stale_generation:
  (.metadata.generation // null) as $g
  | (.status.observedGeneration // null) as $o
  | $g != null and ($o == null or $o < $g);

def deployment:
  (.spec.replicas // 1) as $want
  | (.status // {}) as $st
  | ($st.replicas | num) as $have
  | ($st.updatedReplicas | num) as $updated
  | ($st.readyReplicas | num) as $ready
  | ($st.availableReplicas | num) as $available
  | if ((.status.conditions // []) | any(.type == "Progressing" and .reason == "ProgressDeadlineExceeded"))
    then failed("Progress deadline exceeded")
    elif $want > $have then progressing("Replicas: \($have)/\($want)")
    elif $want > $updated then progressing("Updated: \($updated)/\($want)")
    elif $have > $want then progressing("Pending termination: \($have - $want)")
    elif $updated > $available then progressing("Available: \($available)/\($updated)")
    elif $want > $ready then progressing("Ready: \($ready)/\($want)")
    elif ($want > 0 and (cond_is("Available"; "True") | not)) then progressing("Deployment not Available")
    else current("Deployment is available. Replicas: \($want)")
    end;

def statefulset:
  (.spec.replicas // 1) as $want
  | (.status // {}) as $st
  | if (.spec.updateStrategy.type // "RollingUpdate") == "OnDelete"
    then current("StatefulSet is using the ondelete update strategy")
    elif $want > ($st.replicas | num) then progressing("Replicas: \($st.replicas | num)/\($want)")
    elif $want > ($st.readyReplicas | num) then progressing("Ready: \($st.readyReplicas | num)/\($want)")
    elif (.spec.updateStrategy.rollingUpdate.partition // 0) > 0 then
      (($want - .spec.updateStrategy.rollingUpdate.partition) | if . < 0 then 0 else . end) as $need
      | if $need > ($st.updatedReplicas | num)
        then progressing("Partitioned roll out in progress. updated: \($st.updatedReplicas | num)/\($need)")
        else current("Partitioned roll out complete. updated: \($st.updatedReplicas | num)/\($need)")
        end
    elif $want > ($st.currentReplicas | num) then progressing("current: \($st.currentReplicas | num)/\($want)")
    elif ($st.currentRevision // "") != ($st.updateRevision // "")
    then progressing("Waiting for updated revision \($st.updateRevision // "?") to match current \($st.currentRevision // "?")")
    else current("All replicas scheduled as expected. Replicas: \($want)")
    end;

def daemonset:
  (.status // {}) as $st
  | ($st.desiredNumberScheduled // null) as $want
  | if $st.observedGeneration == null then progressing("Missing .status.observedGeneration")
    elif $want == null then progressing("Missing .status.desiredNumberScheduled")
    elif $want > ($st.currentNumberScheduled | num) then progressing("Current: \($st.currentNumberScheduled | num)/\($want)")
    elif $want > ($st.updatedNumberScheduled | num) then progressing("Updated: \($st.updatedNumberScheduled | num)/\($want)")
    elif $want > ($st.numberAvailable | num) then progressing("Available: \($st.numberAvailable | num)/\($want)")
    elif $want > ($st.numberReady | num) then progressing("Ready: \($st.numberReady | num)/\($want)")
    else current("All replicas scheduled as expected. Replicas: \($want)")
    end;

# Unlike plain kstatus (where a started Job is Current), wait for an outcome.
def job:
  if cond_is("Complete"; "True") then current("Job Completed. succeeded: \(.status.succeeded | num)")
  elif cond_is("Failed"; "True") then failed("Job Failed: \(cond("Failed").reason // "")\(if cond("Failed").message then ": " + cond("Failed").message else "" end)")
  else progressing("Job in progress. active: \(.status.active | num), succeeded: \(.status.succeeded | num), failed: \(.status.failed | num)")
  end;

def pvc:
  if .status.phase == "Bound" then current("PVC is Bound")
  else progressing("PVC is not Bound. phase: \(.status.phase // "Pending")")
  end;

def since($t): try (now - ($t | sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601)) catch 0;

def pod:
  ([(.status.initContainerStatuses // [])[], (.status.containerStatuses // [])[]]
   | map(select(.state.waiting.reason == "CrashLoopBackOff")) | first // null) as $crash
  | cond("PodScheduled") as $sched
  | if .status.phase == "Succeeded" then current("Pod has completed successfully")
    elif .status.phase == "Failed" then failed("Pod has completed, but not successfully")
    elif cond_is("Ready"; "True") then current("Pod is Ready")
    elif $crash != null then failed("Pod container \($crash.name) is in CrashLoopBackOff")
    elif ($sched != null and $sched.status == "False" and $sched.reason == "Unschedulable")
    then (if since($sched.lastTransitionTime // "") > 15
          then failed("Pod could not be scheduled: \($sched.message // "Unschedulable")")
          else progressing("Pod is unschedulable: \($sched.message // "Unschedulable")") end)
    else progressing("Pod phase: \(.status.phase // "Pending")")
    end;

def crd:
  if cond_is("NamesAccepted"; "False") then failed("CRD names not accepted: \(cond("NamesAccepted").message // "")")
  elif cond_is("Established"; "True") then current("CRD is established")
  else progressing("CRD is not established")
  end;

# Kinds kstatus has no rules for: the standard Ready/Stalled/Reconciling conditions, else Current.
def generic:
  if cond_is("Stalled"; "True") then failed(cond("Stalled").message // "Stalled")
  elif cond_is("Reconciling"; "True") then progressing(cond("Reconciling").message // "Reconciling")
  elif cond_is("Ready"; "False") then progressing(cond("Ready").message // "Not Ready")
  else current("Resource is current")
  end;

if (type != "object") then failed("not an object")
elif .metadata.deletionTimestamp != null then result("Terminating"; "Resource scheduled for deletion")
elif stale_generation then progressing("Generation \(.metadata.generation) not yet observed (observed: \(.status.observedGeneration // "none"))")
else
  (.apiVersion // "" | split("/") | if length > 1 then .[0] else "" end) as $group
  | .kind as $kind
  | if $kind == "Deployment" and ($group == "apps" or $group == "extensions") then deployment
    elif $kind == "StatefulSet" and $group == "apps" then statefulset
    elif $kind == "DaemonSet" and ($group == "apps" or $group == "extensions") then daemonset
    elif $kind == "Job" and $group == "batch" then job
    elif $kind == "PersistentVolumeClaim" and $group == "" then pvc
    elif $kind == "Pod" and $group == "" then pod
    elif $kind == "CustomResourceDefinition" then crd
    else generic
    end
end
