#!/usr/bin/env bash
# kubectl-crucible-deploy fails fast with the guide's diagnosis: a crash loop,
# an image that cannot be pulled (after --image-pull-grace), a pod that stays
# unschedulable, a claim that cannot bind; and stops on --timeout.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"

# fresh [SCENARIO-JSON [local-path]]: a new simulated cluster with the
# platform's Secrets and that fault; its default class is shared (NFS), or
# with "local-path" the simulator's own default, standard (ReadWriteOnce only).
fresh() {
	if [ -n "$_sim_pid" ]; then
		kill -TERM "$_sim_pid" 2>/dev/null
		wait "$_sim_pid" 2>/dev/null
		_sim_pid=
	fi
	rm -rf "$KUBECACHEDIR"
	rm -f "$T/sim.out" # start_sim would read the previous simulator's "ready" line
	start_sim --scenario "$TOP/tests/scenarios/deploy-base.json"
	if [ -n "${1:-}" ]; then
		fault "$1"
	fi
	[ "${2:-}" = local-path ] || default_class_shared
	kubectl-crucible-secrets apply >/dev/null 2>&1 || not_ok "secrets apply"
}

fresh '{"workloads": {"crucible/deployment/api-service": {"crash": {"exitCode": 3, "logs": ["starting api-service", "FATAL: cannot reach postgres:5432"]}}}}'
expect_exit 1 "a crash loop fails the deploy" kubectl-crucible-deploy --timeout 60s
contains "CrashLoopBackOff is named with the pod's workload" "$T/err" "deployment.apps/api-service: pod api-service-"
contains "the exit code is shown" "$T/err" "exited with code 3"
contains "the previous container's log is shown" "$T/err" "FATAL: cannot reach postgres:5432"
contains "how to see more" "$T/err" "--previous"
lacks "no summary table on failure" "$T/out" "COMPONENT"
expect_exit 1 "-o json on failure" kubectl-crucible-deploy -o json --timeout 60s
jq -e '.result == "failed" and .failure.sign == "crashloop" and .failure.exitCode == 3 and (.failure.log | test("FATAL"))' "$T/out" >/dev/null &&
	ok "-o json carries the diagnosis" || not_ok "-o json carries the diagnosis" "$(head -c 600 "$T/out")"

fresh '{"images": {"frontend:*": {"pullError": "notfound"}}}'
expect_exit 1 "an image that cannot be pulled fails after the grace" \
	kubectl-crucible-deploy --image-pull-grace 1s --timeout 60s
contains "the image is named" "$T/err" "cannot pull image frontend:0.1.0"
contains "the kubelet's event is shown" "$T/err" "Failed to pull image"

fresh '{"workloads": {"crucible/deployment/celery-worker": {"insufficient": ["cpu"]}}}'
expect_exit 1 "an unschedulable pod fails after the grace" \
	kubectl-crucible-deploy --unschedulable-grace 1s --timeout 60s
contains "Pending is diagnosed" "$T/err" "deployment.apps/celery-worker: pod celery-worker-"
contains "with the scheduler's event" "$T/err" "FailedScheduling (default-scheduler)"
contains "and its reason" "$T/err" "Insufficient cpu"

# A cluster whose default class is local-path: ReadWriteOnce only.
fresh '' local-path
expect_exit 1 "an unbound ReadWriteMany claim fails" \
	kubectl-crucible-deploy --unschedulable-grace 1s --timeout 60s
contains "preflight warned about the access mode" "$T/err" "pvc storage-pvc asks for ReadWriteMany but StorageClass \"standard\""
contains "the pod waits on the claim" "$T/err" "pod has unbound immediate PersistentVolumeClaims"
contains "the provisioner's event is shown" "$T/err" "persistentvolumeclaim/storage-pvc ProvisioningFailed"
contains "with its message" "$T/err" "Only support ReadWriteOnce access mode"

fresh '{"workloads": {"crucible/deployment/frontend": {"ready": false}}}'
expect_exit 5 "--timeout expires with exit 5" kubectl-crucible-deploy --timeout 10s
contains "the timeout is reported" "$T/err" "timed out after 10 s waiting for phase apps"
contains "with what is not ready and why" "$T/err" "not ready: deployment.apps/frontend 0/2"
lacks "ready workloads are not listed" "$T/err" "not ready: deployment.apps/api-service"

done_testing
