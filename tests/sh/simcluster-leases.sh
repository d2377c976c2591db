#!/usr/bin/env bash
# The simulator's coordination.k8s.io/v1 Leases, through kubectl, as a real
# API server serves them: discovery, create and 409 AlreadyExists, get,
# update with the resourceVersion read (409 Conflict on a stale one, 422
# without one), delete. And Job pods whose outcome a scenario chooses by a
# glob on the Job's generated name.
. "$(dirname "$0")/../lib.sh"
start_sim
sim_only "PUT without resourceVersion and scenario globs"
kubectl create namespace crucible >/dev/null

lease() {
	cat <<Y
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: lock, namespace: crucible}
spec: {holderIdentity: $1, leaseDurationSeconds: 30, acquireTime: "2026-12-03T10:00:00.000000Z", renewTime: "2026-12-03T10:00:00.000000Z"}
Y
}

check "discovery lists leases in coordination.k8s.io/v1" kubectl api-resources --api-group=coordination.k8s.io
grep -Eq '^leases +coordination\.k8s\.io/v1 +true +Lease$' "$T/out" && ok "leases, namespaced, kind Lease" ||
	not_ok "leases, namespaced, kind Lease" "$(cat "$T/out")"
lease alice >"$T/alice.yaml"
lease bob >"$T/bob.yaml"
check "create takes a free Lease" kubectl create -f "$T/alice.yaml"
expect_exit 1 "a second create is refused" kubectl create -f "$T/bob.yaml"
contains "with 409 AlreadyExists" "$T/err" 'Error from server (AlreadyExists): error when creating'
contains "naming the Lease" "$T/err" 'leases.coordination.k8s.io "lock" already exists'
check "get shows the holder" kubectl get lease lock -n crucible
contains "in the HOLDER column" "$T/out" "alice"
kubectl get lease lock -n crucible -o json >"$T/read.json"
same "the holder is the first creator's" "$(jq -r .spec.holderIdentity "$T/read.json")" alice

jq '.spec.holderIdentity = "alice" | .spec.renewTime = "2026-12-03T10:00:10.000000Z"' "$T/read.json" >"$T/renew.json"
check "an update with the resourceVersion read succeeds" kubectl replace -f "$T/renew.json"
rv2=$(kubectl get lease lock -n crucible -o jsonpath='{.metadata.resourceVersion}')
[ "$rv2" != "$(jq -r .metadata.resourceVersion "$T/read.json")" ] && ok "and moves the resourceVersion" || not_ok "and moves the resourceVersion"
jq '.spec.holderIdentity = "bob"' "$T/read.json" >"$T/stale.json"
expect_exit 1 "an update with a stale resourceVersion is refused" kubectl replace -f "$T/stale.json"
contains "with 409 Conflict" "$T/err" 'Error from server (Conflict)'
contains "the object has been modified" "$T/err" 'the object has been modified; please apply your changes to the latest version and try again'
same "the holder did not change" "$(kubectl get lease lock -n crucible -o jsonpath='{.spec.holderIdentity}')" alice

url=$SIM_URL/apis/coordination.k8s.io/v1/namespaces/crucible/leases/lock
code=$(jq -c 'del(.metadata.resourceVersion)' "$T/read.json" | curl -s -o "$T/put.json" -w '%{http_code}' -X PUT \
	-H 'Content-Type: application/json' --data-binary @- "$url")
same "an update without a resourceVersion is 422 (Leases allow no unconditional update)" "$code" 422
contains "must be specified for an update" "$T/put.json" 'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update'
sed 's/name: lock/name: zero/; s/leaseDurationSeconds: 30/leaseDurationSeconds: 0/' "$T/alice.yaml" >"$T/zero.yaml"
expect_exit 1 "a zero duration is invalid" kubectl create -f "$T/zero.yaml"
contains "as the API server says" "$T/err" 'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0'

check "delete releases the Lease" kubectl delete lease lock -n crucible
check "then a create takes it" kubectl create -f "$T/bob.yaml"
same "for the new holder" "$(kubectl get lease lock -n crucible -o jsonpath='{.spec.holderIdentity}')" bob

# Job pods chosen by a glob on the Job's generated name.
fault '{"workloads": {"crucible/job/db-migrate-*": {"exitCode": 3, "logs": ["step 1", "boom"], "runSeconds": 1}}}'
kubectl create job db-migrate-20261203-100000-abcdef12 -n crucible --image=storage-service:0.1.0 >/dev/null
kubectl create job other -n crucible --image=storage-service:0.1.0 >/dev/null
check "a Job matching the glob fails" kubectl wait --for=condition=Failed --timeout=20s -n crucible job/db-migrate-20261203-100000-abcdef12
pod=$(kubectl get pods -n crucible -l job-name=db-migrate-20261203-100000-abcdef12 -o jsonpath='{.items[0].metadata.name}')
same "its pod exited with the scenario's code" \
	"$(kubectl get pod "$pod" -n crucible -o jsonpath='{.status.containerStatuses[0].state.terminated.exitCode}')" 3
check "its log is the scenario's" kubectl logs -n crucible "$pod"
contains "last line" "$T/out" "boom"
check "a Job outside the glob completes" kubectl wait --for=condition=Complete --timeout=20s -n crucible job/other

done_testing
