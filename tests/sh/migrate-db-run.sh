#!/usr/bin/env bash
# kubectl-crucible-migrate-db run against the simulated cluster, through
# the real kubectl: success, failure with its exit code and log tail, the
# Lease (two runs at once, a held one, a stale one taken over, renewed
# while the Job runs), preflight (missing Secret or key, postgres not
# ready, forbidden), fail-fast on a pod that cannot pull, --timeout and
# Ctrl-C leaving the Job running, --backup, and no secret on any argv.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
M=kubectl-crucible-migrate-db
# (--timeout: the Job's activeDeadlineSeconds runs on the simulator's clock, 20x real time)
mig() { kubectl-crucible-migrate-db "$@"; }
SECRET=s3cr3t-Value-4711
start_sim --scenario "$TOP/tests/scenarios/deploy-base.json"
sim_only "scenarios choose the Jobs' outcome"

# What a migration needs, from the base: the namespace, postgres, the
# ServiceAccount and NetworkPolicy db-migrate, and Secret db-credentials.
kubectl kustomize k8s/base >"$T/base.yaml"
kubectl create --dry-run=client -o json -f "$T/base.yaml" | jq -s '{apiVersion: "v1", kind: "List", items:
	[.[] | select(.kind == "Namespace" or (.metadata.name | test("^(postgres|db-migrate)")))]}' >"$T/needs.json"
kubectl apply -f "$T/needs.json" >/dev/null
secret() {
	jq -n --arg v "$SECRET" --argjson keys "$1" '{apiVersion: "v1", kind: "Secret",
		metadata: {name: "db-credentials", namespace: "crucible"},
		stringData: ({"database-url": ("postgresql://crucible:" + $v + "@postgres/crucible"), "postgres-password": $v}
			| with_entries(select(.key as $k | $keys | index($k))))}' | kubectl apply -f - >/dev/null
}
secret '["database-url", "postgres-password"]'
kubectl wait --for=jsonpath='{.status.readyReplicas}'=1 statefulset/postgres -n crucible --timeout=30s >/dev/null

# Every kubectl the tool starts goes through a wrapper that records its pid and argv.
mkdir -p "$T/wrap"
cat >"$T/wrap/kubectl" <<W
#!/bin/sh
echo "\$\$ \$*" >>"$T/argv.log"
echo "\$*" >>"$T/argv-all.log"
exec $(command -v kubectl) "\$@"
W
chmod +x "$T/wrap/kubectl"
export KUBECTL=$T/wrap/kubectl
: >"$T/argv.log"
: >"$T/all-output"
run() { expect_exit "$@"; cat "$T/out" "$T/err" >>"$T/all-output"; }
jobs_named() { kubectl get jobs -n crucible -o name | grep -c "job.batch/$1" ; }
no_lease() { ! kubectl get lease crucible-migrate-db -n crucible >/dev/null 2>&1; }
# behave KEY JSON: the pods of workload KEY behave so (a merge patch would keep the old rule's keys).
behave() { fault "{\"workloads\": {\"$1\": null}}"; fault "{\"workloads\": {\"$1\": $2}}"; }
migration() { behave "crucible/job/db-migrate-*" "$1"; }

# ---- success
migration '{"logs": ["INFO  [alembic.runtime.migration] Running upgrade  -> 0001, initial", "INFO done"], "runSeconds": 20}'
run 0 "a migration that completes exits 0" mig
contains "it says how long it took" "$T/err" "completed in"
contains "the container's log is streamed to stderr" "$T/err" "Running upgrade  -> 0001, initial"
job=$(kubectl get jobs -n crucible -o name | grep db-migrate- | head -1)
contains "stdout names the Job" "$T/out" "migrated: job/${job#job.batch/} (storage-service:0.1.0)"
same "exactly one Job" "$(jobs_named db-migrate-)" 1
same "labelled with the Lease" "$(kubectl get "$job" -n crucible -o jsonpath='{.metadata.labels.crucible\.dev/lease}')" crucible-migrate-db
same "and the image" "$(kubectl get "$job" -n crucible -o jsonpath='{.metadata.annotations.crucible\.dev/image}')" storage-service:0.1.0
no_lease && ok "the Lease is released at the end" || not_ok "the Lease is released at the end"
grep -q " create -f - -o name" "$T/argv.log" && ok "the Job is created from kubectl's stdin" || not_ok "the Job is created from kubectl's stdin"
run 0 "-o json gives the result as JSON" mig -o json
jq -e '.result == "complete" and .exitCode == 0 and (.job | startswith("db-migrate-")) and .image == "storage-service:0.1.0"' "$T/out" >/dev/null &&
	ok "result, exit code, Job and image" || not_ok "result, exit code, Job and image" "$(cat "$T/out")"
kubectl delete jobs -n crucible --all >/dev/null

# ---- failure: the pod's exit code, the reason, the last 50 log lines, the Job left
migration "{\"exitCode\": 3, \"logs\": $(seq -f 'line %g' 1 60 | jq -R . | jq -sc .), \"runSeconds\": 10}"
run 1 "a failed migration exits 1" mig
contains "it names the pod's exit code" "$T/err" "exited with code 3 (Error)"
contains "and the Job's reason" "$T/err" "BackoffLimitExceeded"
contains "it prints the last 50 log lines" "$T/err" "last 50 log lines:"
same "exactly the last 50" "$(grep -c '^  | line ' "$T/err")" 50
same "from line 11" "$(grep '^  | line ' "$T/err" | head -1)" "  | line 11"
same "to line 60" "$(grep '^  | line ' "$T/err" | tail -1)" "  | line 60"
job=$(kubectl get jobs -n crucible -o name | grep db-migrate- | head -1)
[ -n "$job" ] && ok "the failed Job is left in place" || not_ok "the failed Job is left in place"
contains "it says how to see it" "$T/err" "kubectl describe job/${job#job.batch/} -n crucible"
same "not retried blindly (backoffLimit 0, one pod)" "$(kubectl get pods -n crucible -l job-name="${job#job.batch/}" -o name | wc -l)" 1
no_lease && ok "the Lease is released after a failure" || not_ok "the Lease is released after a failure"
kubectl delete jobs -n crucible --all >/dev/null

# ---- two runs started together: exactly one Job; the other names the holder. The winner renews the Lease.
migration '{"logs": ["slow migration"], "runSeconds": 200}'
mig >"$T/a.out" 2>"$T/a.err" </dev/null & a=$!
mig >"$T/b.out" 2>"$T/b.err" </dev/null & b=$!
eventually "the Lease is taken" 20 kubectl get lease crucible-migrate-db -n crucible -o json
acquired=$(jq -r .spec.renewTime "$T/out")
eventually "the Lease is renewed while the Job runs" 15 sh -c "kubectl get lease crucible-migrate-db -n crucible -o jsonpath='{.spec.renewTime}' | grep -v '^$acquired\$'"
wait $a; ra=$?
wait $b; rb=$?
cat "$T/a.out" "$T/a.err" "$T/b.out" "$T/b.err" >>"$T/all-output"
if [ "$(echo "$ra $rb" | tr ' ' '\n' | sort | tr '\n' ' ')" = "0 1 " ]; then ok "one run succeeded, the other was refused"
else not_ok "one run succeeded, the other was refused" "exits $ra $rb" "$(tail -5 "$T/a.err")" "$(tail -5 "$T/b.err")"; fi
loser=$T/a.err; [ $ra -eq 1 ] && loser=$T/a.err || loser=$T/b.err
contains "the refused run names the holder" "$loser" "another migration holds the Lease crucible-migrate-db in namespace crucible: holder "
contains "and says nothing was created" "$loser" "nothing was created"
same "exactly one Job" "$(jobs_named db-migrate-)" 1
no_lease && ok "the winner released the Lease" || not_ok "the winner released the Lease"
kubectl delete jobs -n crucible --all >/dev/null

# ---- a held Lease and a stale one
lease() {
	jq -n --arg t "$(date -u -d "$1" +%Y-%m-%dT%H:%M:%S.000000Z)" '{apiVersion: "coordination.k8s.io/v1", kind: "Lease",
		metadata: {name: "crucible-migrate-db", namespace: "crucible"},
		spec: {holderIdentity: "ops@laptop/42", leaseDurationSeconds: 15, acquireTime: $t, renewTime: $t}}' |
		kubectl create -f - >/dev/null
}
migration '{"logs": ["fast"], "runSeconds": 10}'
lease "5 seconds ago"
run 1 "a Lease renewed 5s ago is held" mig
contains "the holder is named" "$T/err" "holder ops@laptop/42"
grep -Eq "acquired [0-9]+s ago, last renewed [0-9]+s ago" "$T/err" && ok "with its age" || not_ok "with its age" "$(cat "$T/err")"
same "no Job was created" "$(jobs_named db-migrate-)" 0
kubectl delete lease crucible-migrate-db -n crucible >/dev/null
lease "10 minutes ago"
run 0 "a Lease not renewed for 2x its duration is taken over" mig
grep -Eq "the Lease crucible-migrate-db held by ops@laptop/42 is stale \(last renewed 10m[0-9]{2}s ago, for 15s\): taking it over" "$T/err" &&
	ok "saying so" || not_ok "saying so" "$(cat "$T/err")"
same "the migration ran" "$(jobs_named db-migrate-)" 1
no_lease && ok "and released the Lease" || not_ok "and released the Lease"
kubectl delete jobs -n crucible --all >/dev/null

# ---- preflight: nothing is created when it fails
rv0=$(rv)
kubectl delete secret db-credentials -n crucible >/dev/null
rv0=$(rv)
run 1 "a missing Secret is caught" mig
contains "it names the Secret" "$T/err" "Secret db-credentials does not exist in namespace crucible"
contains "and the command that creates it" "$T/err" "kubectl crucible secrets apply"
same "nothing was created (resourceVersion unchanged)" "$(rv)" "$rv0"
secret '["postgres-password"]'
run 1 "a Secret without database-url is caught" mig
contains "it names the key" "$T/err" "Secret db-credentials has no key database-url"
secret '["database-url", "postgres-password"]'
rv0=$(rv)
run 2 ":latest is refused against a cluster too" mig --image registry.example/storage-service:latest
same "nothing was created" "$(rv)" "$rv0"
fault '{"api": {"forbidden": [{"verb": "create", "resource": "jobs", "group": "batch", "namespace": "crucible"}]}}'
run 4 "a missing permission is caught" mig
contains "as kubectl auth can-i says it" "$T/err" "kubectl auth can-i create jobs.batch -n crucible: no"
same "nothing was created" "$(rv)" "$rv0"
fault '{"api": {"forbidden": null}}'
fault '{"workloads": {"crucible/sts/postgres": {"ready": false}}}'
kubectl delete pod postgres-0 -n crucible --wait=false >/dev/null
eventually "postgres is not ready" 10 sh -c "! kubectl get sts postgres -n crucible -o jsonpath='{.status.readyReplicas}' | grep -q 1"
rv0=$(rv)
run 5 "postgres not ready by --timeout: exit 5" mig --timeout 8s
contains "it said it was waiting" "$T/err" "waiting for StatefulSet postgres to be ready (up to"
contains "and why it stopped" "$T/err" "StatefulSet postgres is not ready after --timeout 8s; nothing was created"
mig --timeout 90s >"$T/w.out" 2>"$T/w.err" </dev/null & w=$!
eventually "a run waits for postgres" 20 grep -q "waiting for StatefulSet postgres to be ready" "$T/w.err"
fault '{"workloads": {"crucible/sts/postgres": null}}'
kubectl delete pod postgres-0 -n crucible --wait=false >/dev/null # its successor comes up ready
wait $w; rw=$?
cat "$T/w.out" "$T/w.err" >>"$T/all-output"
same "once postgres is ready the migration runs" "$rw" 0
[ "$rw" -eq 0 ] || printf '#   %s\n' "$(tail -5 "$T/w.err")" "$(kubectl get sts,pods -n crucible 2>&1)"
contains "after waiting for it" "$T/w.err" "StatefulSet postgres is ready"
kubectl delete jobs -n crucible --all >/dev/null

# ---- fail fast: a pod that cannot pull its image
fault '{"images": {"registry.example/storage-service:9.9": {"pullError": "notfound"}}}'
run 1 "an image that cannot be pulled fails the run after the grace" mig --image registry.example/storage-service:9.9 --image-pull-grace 1s
contains "naming the sign" "$T/err" "image-pull"
kubectl delete jobs -n crucible --all >/dev/null
kubectl delete lease crucible-migrate-db -n crucible >/dev/null 2>&1

# ---- --timeout: exit 5, the Job left running (the cluster slowed so the Job's own deadline is far)
fault '{"cluster": {"timeScale": 0.2}}'
run 5 "--timeout runs out: exit 5" mig --timeout 3s
job=$(kubectl get jobs -n crucible -o name | grep db-migrate- | head -1)
same "the Job is left running" "$(kubectl get "$job" -n crucible -o jsonpath='{.status.conditions[?(@.status=="True")].type}')" ""
contains "with the command to follow it" "$T/err" "kubectl logs -f job/${job#job.batch/} -n crucible"
kubectl get lease crucible-migrate-db -n crucible >/dev/null 2>&1 && ok "the Lease stays with the running Job" || not_ok "the Lease stays with the running Job"
kubectl delete lease crucible-migrate-db -n crucible >/dev/null
kubectl delete jobs -n crucible --all >/dev/null

# ---- Ctrl-C: exit 130, the Job left running, no kubectl child left
: >"$T/argv.log"
# (a background job of a script starts with SIGINT ignored: give it back, as a terminal's job has it)
env --default-signal=INT $M >"$T/c.out" 2>"$T/c.err" </dev/null & c=$!
eventually "the run is watching its Job" 20 grep -q "get pods .*-l job-name=" "$T/argv.log"
sleep 0.5
kill -INT $c
wait $c; rc=$?
cat "$T/c.out" "$T/c.err" >>"$T/all-output"
same "Ctrl-C exits 130" "$rc" 130
job=$(kubectl get jobs -n crucible -o name | grep db-migrate- | head -1)
same "the Job is left running" "$(kubectl get "$job" -n crucible -o jsonpath='{.status.conditions[?(@.status=="True")].type}')" ""
contains "it says how to follow it" "$T/c.err" "kubectl logs -f job/${job#job.batch/} -n crucible"
contains "and how to see its status" "$T/c.err" "kubectl crucible migrate-db status"
left=
while read -r pid _; do kill -0 "$pid" 2>/dev/null && left="$left $pid"; done <"$T/argv.log"
same "no kubectl child is left running" "$left" ""
fault '{"cluster": {"timeScale": 20}}'
kubectl delete lease crucible-migrate-db -n crucible >/dev/null
kubectl delete jobs -n crucible --all >/dev/null

# ---- --backup: pg_dump first; a failed backup stops the migration
behave "crucible/job/db-backup-*" '{"exitCode": 1, "logs": ["pg_dump: error: connection to server failed"], "runSeconds": 5}'
run 1 "a failed backup fails the run" mig --backup
contains "it says the migration was not run" "$T/err" "the backup did not complete: the migration was not run"
contains "with pg_dump's log" "$T/err" "pg_dump: error: connection to server failed"
same "no migration Job was created" "$(jobs_named db-migrate-)" 0
same "the claim crucible-db-backups was created, ReadWriteOnce" \
	"$(kubectl get pvc crucible-db-backups -n crucible -o jsonpath='{.spec.accessModes[0]}')" ReadWriteOnce
no_lease && ok "the Lease is released" || not_ok "the Lease is released"
behave "crucible/job/db-backup-*" '{"logs": ["pg_dump done"], "runSeconds": 5}'
run 0 "with a backup that completes the migration runs" mig --backup
contains "after the backup" "$T/err" "backup Job db-backup-"
same "one backup Job and one migration Job" "$(jobs_named db-backup-) $(jobs_named db-migrate-)" "2 1"

# ---- no secret value on any argv or in any output
grep -q "$SECRET" "$T/argv-all.log" && not_ok "no secret value on a kubectl argv" || ok "no secret value on a kubectl argv"
[ "$(wc -l <"$T/argv-all.log")" -gt 100 ] && ok "(every run's kubectl argv was recorded)" || not_ok "(every run's kubectl argv was recorded)"
grep -q "$SECRET" "$T/all-output" && not_ok "no secret value in any output" || ok "no secret value in any output"

done_testing
