# Definitions every verify check program shares (include "verify-lib";).
# A check is {id, level: PASS|WARN|FAIL, object: "Kind/name", message, hint}:
# the id is stable (users --skip it), the message one line of why, the hint
# the guide's next command for a finding.
# (array | index([x]) leaks in libjq 1.6: membership is any(.[]; . == x) throughout.)

def check($id; $level; $object; $message; $hint):
  {id: $id, level: $level, object: $object, message: $message, hint: $hint};
def pass($id; $object; $message): check($id; "PASS"; $object; $message; null);
def warn($id; $object; $message; $hint): check($id; "WARN"; $object; $message; $hint);
def fail($id; $object; $message; $hint): check($id; "FAIL"; $object; $message; $hint);
# PASS when $ok, else the finding at $level.
def judged($ok; $id; $level; $object; $good; $bad; $hint):
  if $ok then pass($id; $object; $good) else check($id; $level; $object; $bad; $hint) end;

def ref: "\(.kind)/\(.metadata.name)";
def name: .metadata.name;
def member($x): any(.[]; . == $x);

def of_kind($k): .[] | select(.kind == $k);

# matchLabels and matchExpressions of a LabelSelector against a label map.
def selector_matches($labels):
  (.matchLabels // {}) as $ml
  | all($ml | to_entries[]; $labels[.key] == .value)
    and all((.matchExpressions // [])[];
      .key as $k | (.values // []) as $v
      | if .operator == "In" then $labels[$k] != null and ($v | member($labels[$k]))
        elif .operator == "NotIn" then $labels[$k] == null or ($v | member($labels[$k]) | not)
        elif .operator == "Exists" then $labels[$k] != null
        elif .operator == "DoesNotExist" then $labels[$k] == null
        else false end);
def selector_text: to_entries | map("\(.key)=\(.value)") | join(",");

# The workloads whose pods the checks judge: controllers with a pod template, and bare pods.
def workload_kinds: ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"];
def workloads: .[] | select(.kind as $k | workload_kinds | member($k));
def bare_pods: .[] | select(.kind == "Pod" and ((.metadata.ownerReferences // []) | length) == 0);

def containers_of: (.containers // []) + (.initContainers // []);

# Kubernetes quantities ("10Gi", "500M", "1.5", "100m") in base units.
def quantity:
  tostring | capture("^(?<n>[0-9.]+)(?<u>[a-zA-Z]*)$") // {n: "0", u: ""}
  | (.n | tonumber) * ({"": 1, m: 0.001, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15,
                         Ki: 1024, Mi: 1048576, Gi: 1073741824, Ti: 1099511627776,
                         Pi: 1125899906842624}[.u] // 1);

# Events about one object, newest last.
def events_for($events; $kind; $name):
  [$events[] | select(.involvedObject.kind == $kind and .involvedObject.name == $name)]
  | sort_by(.lastTimestamp // .eventTime // .metadata.creationTimestamp // "");
def last_event($events; $kind; $name; $reasons):
  [events_for($events; $kind; $name)[] | select(.reason as $r | $reasons | member($r))] | last // null;
