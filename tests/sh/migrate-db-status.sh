#!/usr/bin/env bash
# kubectl-crucible-migrate-db status, history, logs and --dry-run=server,
# through the real kubectl against the simulated cluster: no Job, one, and
# several (newest first, by creation time), the Lease's holder, logs of the
# latest, a named and a missing Job, and a server dry run that changes nothing.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
M=kubectl-crucible-migrate-db

expect_exit 2 "status takes no run flags" $M status --image registry.example/storage-service:1.0
expect_exit 2 "history takes no --dry-run" $M history --dry-run=server
expect_exit 2 "logs takes no -o" $M logs -o json
expect_exit 2 "logs takes one Job" $M logs a b
expect_exit 4 "status without a cluster is a kubectl error" env KUBECONFIG="$T/no-such-kubeconfig" $M status

# The migration Jobs' log lines and outcomes, by image; C's pod runs until the end of the file.
cat >"$T/scenario.json" <<'JSON'
{"images": {
  "registry.example/storage-service:1.0": {"logs": ["INFO [alembic] Running upgrade -> 0001, init"]},
  "registry.example/storage-service:2.0": {"exitCode": 3, "logs": ["INFO [alembic] Running upgrade 0001 -> 0002", "ERROR column exists"]},
  "registry.example/storage-service:3.0": {"runSeconds": 100000, "logs": ["INFO [alembic] Running upgrade 0002 -> 0003, slow"]}}}
JSON
start_sim --scenario "$T/scenario.json"
kubectl create namespace crucible >/dev/null
kubectl create secret generic db-credentials -n crucible --from-literal=database-url=postgresql://u@postgres/db >/dev/null

# None.
expect_exit 0 "status with no migration Job" $M status
contains "says there is none" "$T/out" "No migration Job in namespace crucible."
contains "and no lock" "$T/out" "Lock:      none"
expect_exit 0 "status -o json with none" $M status -o json
jq -e '.latest == null and .lock == null and .namespace == "crucible"' "$T/out" >/dev/null &&
	ok "json: latest and lock null" || not_ok "json: latest and lock null" "$(head -c 300 "$T/out")"
expect_exit 0 "history with none" $M history
[ ! -s "$T/out" ] && ok "no table on stdout" || not_ok "no table on stdout" "$(head -c 200 "$T/out")"
contains "says so on stderr" "$T/err" "No migration Jobs in namespace crucible."
expect_exit 0 "history -o json with none" $M history -o json
same "an empty array" "$(jq -c . "$T/out")" "[]"
expect_exit 1 "logs with no migration Job" $M logs
contains "says there is none" "$T/err" "no migration Job in namespace crucible"

# --dry-run=server: the server sees the Jobs and keeps nothing; the Lease is not taken.
settle
before=$(rv)
expect_exit 0 "server dry run" $M --dry-run=server
[ ! -s "$T/out" ] && ok "prints nothing on stdout" || not_ok "prints nothing on stdout" "$(head -c 300 "$T/out")"
contains "the server accepted the Job" "$T/err" "created (server dry run)"
expect_exit 0 "server dry run with --backup" $M --dry-run=server --backup
contains "the claim" "$T/err" "persistentvolumeclaim/crucible-db-backups created (server dry run)"
contains "the backup Job" "$T/err" "job.batch/db-backup-"
same "resourceVersion unchanged" "$(rv)" "$before"
same "no Job created" "$(kubectl get jobs -n crucible -o name)" ""
kubectl get pvc -n crucible crucible-db-backups >/dev/null 2>&1 && not_ok "no claim created" || ok "no claim created"
kubectl get leases.coordination.k8s.io -n crucible crucible-migrate-db >/dev/null 2>&1 && not_ok "no Lease taken" || ok "no Lease taken"
kubectl create -f - >/dev/null <<'YAML'
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: crucible-db-backups, namespace: crucible}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
YAML
settle
before=$(rv)
expect_exit 0 "server dry run with --backup and the claim already there" $M --dry-run=server --backup
contains "says the claim is kept" "$T/err" "the backup claim crucible-db-backups exists"
same "still nothing changed" "$(rv)" "$before"
kubectl kustomize k8s/base | sed 's/namespace: crucible$/namespace: ghost/' >"$T/ghost.yaml"
expect_exit 4 "server dry run into a namespace that does not exist" $M --dry-run=server -f "$T/ghost.yaml"
contains "the server's answer" "$T/err" 'namespaces "ghost" not found'

# The claim goes again: the Jobs below are created as a run would (claim included).
kubectl delete pvc -n crucible crucible-db-backups --wait=false >/dev/null

# A Job the way a run creates it (the tool's own client dry run), named NAME when given.
job() { # IMAGE [NAME] [FLAGS...]
	local image=$1 name=${2:-}; shift 2 || shift
	$M --dry-run=client -o json --image "$image" "$@" 2>/dev/null |
		jq -c --arg n "$name" '.items[] | if $n != "" and .kind == "Job" and (.metadata.name | startswith("db-migrate-")) then .metadata.name = $n else . end' |
		kubectl create -f - -o name
}

# One, complete.
A=db-migrate-29991231-235959-aaaaaaaa # sorts last by name, yet is the oldest
job registry.example/storage-service:1.0 $A >/dev/null
eventually "the first Job completes" 20 sh -c "kubectl get job $A -n crucible -o jsonpath='{.status.succeeded}' | grep -qx 1"
expect_exit 0 "status with one Job" $M status
contains "names it" "$T/out" "Job:       $A"
contains "its image" "$T/out" "Image:     registry.example/storage-service:1.0"
contains "its result" "$T/out" "Result:    Complete"
grep -qE '^Duration:  [0-9]+s$' "$T/out" && ok "its duration" || not_ok "its duration" "$(cat "$T/out")"
started=$(kubectl get job $A -n crucible -o jsonpath='{.status.startTime}')
contains "when it started" "$T/out" "Started:   $started"
expect_exit 0 "logs of the latest" $M logs
same "the latest Job's log" "$(cat "$T/out")" "INFO [alembic] Running upgrade -> 0001, init"

# Several: a failed one, then a running one; plus a backup Job and a Job of someone else's.
sleep 1.1 # creation times have a resolution of a second
job registry.example/storage-service:2.0 "" --backup >"$T/b.names"
B=$(grep -o 'db-migrate-.*' "$T/b.names")
kubectl create job other -n crucible --image=busybox:1.36 >/dev/null
eventually "the second Job fails" 20 sh -c "kubectl get job $B -n crucible -o jsonpath='{.status.conditions[?(@.type==\"Failed\")].status}' | grep -qx True"
sleep 1.1
C=$(job registry.example/storage-service:3.0 "" --timeout 0)
C=${C#job.batch/}
expect_exit 0 "history of three" $M history
same "a header and one row per migration Job, newest first" "$(awk 'NR > 1 {print $1}' "$T/out" | tr '\n' ' ')" "$C $B $A "
contains "header" "$T/out" "NAME"
grep -E "^$B .*registry.example/storage-service:2.0 .*Failed \(BackoffLimitExceeded\)" "$T/out" >/dev/null &&
	ok "the failed one's image and reason" || not_ok "the failed one's image and reason" "$(cat "$T/out")"
grep -E "^$C .*Running" "$T/out" >/dev/null && ok "the running one" || not_ok "the running one" "$(cat "$T/out")"
lacks "no backup Job" "$T/out" "db-backup-"
lacks "no other Job" "$T/out" "other"
expect_exit 0 "history -o json" $M history -o json
same "json rows newest first" "$(jq -r '[.[].name] | join(" ")' "$T/out")" "$C $B $A"
same "json results" "$(jq -r '[.[].result] | join(" ")' "$T/out")" "Running Failed Complete"
jq -e '.[1] | .reason == "BackoffLimitExceeded" and .failed == 1 and (.durationSeconds | type) == "number" and .finished != null' "$T/out" >/dev/null &&
	ok "json: the failure's reason, pod count, duration" || not_ok "json: the failure" "$(jq -c '.[1]' "$T/out")"
jq -e '.[0] | .finished == null and .active == 1 and .image == "registry.example/storage-service:3.0"' "$T/out" >/dev/null &&
	ok "json: the running one has no end yet" || not_ok "json: the running one" "$(jq -c '.[0]' "$T/out")"
expect_exit 0 "status of the latest" $M status
contains "the newest Job" "$T/out" "Job:       $C"
contains "running" "$T/out" "Result:    Running"
eventually "logs of the latest (running) Job" 10 $M logs
same "its log so far" "$(cat "$T/out")" "INFO [alembic] Running upgrade 0002 -> 0003, slow"
expect_exit 0 "logs of a named Job" $M logs "$B"
same "the failed migration's log" "$(cat "$T/out")" "$(printf 'INFO [alembic] Running upgrade 0001 -> 0002\nERROR column exists')"
expect_exit 1 "logs of a Job that does not exist" $M logs db-migrate-20000101-000000-00000000
contains "names it and says where to look" "$T/err" "no Job db-migrate-20000101-000000-00000000 in namespace crucible (kubectl crucible migrate-db history"
D=$(job registry.example/storage-service:3.0 "" --timeout 1s)
D=${D#job.batch/}
eventually "a Job that runs out of time" 20 sh -c "kubectl get job $D -n crucible -o jsonpath='{.status.conditions[?(@.type==\"Failed\")].reason}' | grep -qx DeadlineExceeded"
eventually "loses its pod" 20 sh -c "! kubectl get pods -n crucible -l job-name=$D -o name | grep -q ."
expect_exit 1 "logs of a Job whose pod is gone" $M logs "$D"
contains "says why there is no log" "$T/err" "Job $D has no pod whose log can be read"
# The Lease a running migration holds (as a run writes it), fresh and then stale.
if kubectl api-resources --api-group=coordination.k8s.io -o name 2>/dev/null | grep -q '^leases'; then
	ago() { date -u -d "@$(($(date +%s) - $1))" +%Y-%m-%dT%H:%M:%S.000000Z; }
	jq -n --arg t "$(ago 2)" --arg job "$C" '{apiVersion: "coordination.k8s.io/v1", kind: "Lease",
		metadata: {name: "crucible-migrate-db", namespace: "crucible", annotations: {"crucible.dev/job": $job}},
		spec: {holderIdentity: "ops@host/42", leaseDurationSeconds: 15, acquireTime: $t, renewTime: $t}}' |
		kubectl create -f - >/dev/null
	expect_exit 0 "status while a migration holds the Lease" $M status
	grep -E "^Lock:      Lease crucible-migrate-db held by ops@host/42 since [0-9T:.-]+Z for Job $C, renewed [0-9]+s ago$" "$T/out" >/dev/null &&
		ok "names its holder, its Job and when it was renewed" || not_ok "the Lease's holder" "$(grep Lock "$T/out")"
	lacks "a fresh Lease is not stale" "$T/out" "stale"
	expect_exit 0 "status -o json with the Lease" $M status -o json
	jq -e --arg job "$C" '.lock | .holder == "ops@host/42" and .job == $job and .leaseDurationSeconds == 15 and .stale == false' "$T/out" >/dev/null &&
		ok "json: the lock" || not_ok "json: the lock" "$(jq -c .lock "$T/out")"
	kubectl get lease -n crucible crucible-migrate-db -o json | jq --arg t "$(ago 60)" '.spec.renewTime = $t' |
		kubectl replace -f - >/dev/null
	expect_exit 0 "status with a Lease its holder stopped renewing" $M status -o json
	jq -e '.lock.stale == true and .lock.renewedSecondsAgo >= 60' "$T/out" >/dev/null &&
		ok "stale after twice its duration" || not_ok "stale after twice its duration" "$(jq -c .lock "$T/out")"
	expect_exit 0 "status text with the stale Lease" $M status
	contains "says it is stale" "$T/out" "(stale: its holder stopped renewing it; the next run may take it over)"
	kubectl delete lease -n crucible crucible-migrate-db >/dev/null
else
	skip "the simulator has no Leases yet: status with a Lease holder"
fi
expect_exit 0 "another namespace has none" $M history -n elsewhere -o json
same "none there" "$(jq -c . "$T/out")" "[]"

done_testing
