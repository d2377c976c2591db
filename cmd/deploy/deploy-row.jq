# One line of deploy's progress and summary for a waited object.
# Input: {object, status: kstatus.jq result, row: the plan's wait row}
# Output: {ref, kind, name, component, ready, status, message}

.object as $o
| ($o.status // {}) as $st
| (if $o.kind == "DaemonSet" then "\($st.numberReady // 0)/\($st.desiredNumberScheduled // 0)"
   elif $o.kind == "PersistentVolumeClaim" then ($st.phase // "Pending")
   elif $o.kind == "Pod" then (if .status.status == "Current" then "1/1" else "0/1" end)
   elif $o.kind == null then "-"
   else "\($st.readyReplicas // 0)/\($o.spec.replicas // 1)" end) as $ready
| {ref: .row.ref, kind: .row.kind, name: .row.name,
   component: (.row.component // $o.metadata.labels["app.kubernetes.io/name"] // .row.name),
   ready: $ready, status: .status.status, message: .status.message}
