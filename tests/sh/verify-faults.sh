#!/usr/bin/env bash
# kubectl-crucible-verify on a broken platform: each fault gives its check ID,
# the right object, the guide's hint and exit 1 — a crash loop (with the
# previous log), an image that cannot be pulled, an unschedulable pod, a claim
# that cannot bind, a missing Secret key, a Service without ready endpoints,
# a container without securityContext, a missing NetworkPolicy, a leftover.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
V=kubectl-crucible-verify

start_sim --scenario "$TOP/tests/scenarios/deploy-base.json"
default_class_shared
kubectl-crucible-secrets apply >/dev/null 2>&1 || not_ok "secrets apply"
kubectl-crucible-deploy >/dev/null 2>&1 || not_ok "the base deploys"
expect_exit 0 "the base verifies clean first" $V

# The faults, each on its own component.
fault '{"workloads": {
	"crucible/deployment/api-service": {"crash": {"exitCode": 3, "logs": ["starting api-service", "FATAL: cannot reach postgres:5432"]}},
	"crucible/deployment/flower": {"pullError": "unauthorized"},
	"crucible/deployment/celery-worker": {"insufficient": ["cpu"]},
	"crucible/deployment/frontend": {"ready": false}},
	"cluster": {"rwx": false}}'
# A claim that cannot bind: storage-pvc again, now that no class offers RWX.
kubectl -n crucible delete pvc storage-pvc --wait=false >/dev/null
kubectl kustomize k8s/base | kubectl create -f - --dry-run=client -o json |
	jq 'select(.kind == "PersistentVolumeClaim")' | kubectl apply --server-side --field-manager kubectl-crucible -f - >/dev/null 2>&1
# A missing key (only redis-main uses redis-password).
kubectl -n crucible patch secret redis-credentials --type json -p '[{"op": "remove", "path": "/data/redis-password"}]' >/dev/null
# A container without securityContext; a component without its NetworkPolicy.
kubectl -n crucible patch deployment executor-1 --type json -p '[{"op": "remove", "path": "/spec/template/spec/containers/0/securityContext"}]' >/dev/null
kubectl -n crucible delete networkpolicy storage-worker >/dev/null
# Something the manifests no longer have, with the platform's labels.
kubectl -n crucible create configmap old-settings >/dev/null
kubectl -n crucible label configmap old-settings app.kubernetes.io/managed-by=kubectl-crucible >/dev/null
kubectl -n crucible rollout restart deployment api-service flower celery-worker frontend redis-main storage-service >/dev/null

# find ID OBJECT-PREFIX: the json in $T/out has that check failing.
has_finding() {
	jq -e --arg id "$1" --arg obj "$2" --arg level "${3:-FAIL}" \
		'any(.checks[]; .id == $id and .level == $level and (.object | startswith($obj)))' "$T/out" >/dev/null
}
all_faults() {
	$V -o json >"$T/out" 2>"$T/err"
	has_finding pod-crashloop Pod/api-service- && has_finding pod-image-pull Pod/flower- &&
		has_finding pod-pending Pod/celery-worker- && has_finding pod-pending Pod/storage-service- &&
		has_finding pod-config Pod/redis-main-
}
eventually "every fault shows" 60 all_faults
cp "$T/out" "$T/faults.json"

# finding NAME ID OBJECT-PREFIX HINT [MESSAGE] [LEVEL]: the check is there with that hint (and message part).
finding() {
	if jq -e --arg id "$2" --arg obj "$3" --arg hint "$4" --arg msg "${5:-}" --arg level "${6:-FAIL}" \
		'any(.checks[]; .id == $id and .level == $level and (.object | startswith($obj))
			and (.hint | contains($hint)) and (.message | contains($msg)))' "$T/faults.json" >/dev/null
	then ok "$1"
	else not_ok "$1" "$(jq -c --arg id "$2" '[.checks[] | select(.id == $id)] | .[:3]' "$T/faults.json")"; fi
}
finding "crash loop: exit code and reason" pod-crashloop Pod/api-service- "--previous" "exit code 3 (Error)"
jq -e 'any(.checks[]; .id == "pod-crashloop" and any(.detail[]; . == "FATAL: cannot reach postgres:5432"))' "$T/faults.json" >/dev/null &&
	ok "crash loop: the previous container's log" || not_ok "crash loop: the previous container's log" "$(jq -c '[.checks[] | select(.id == "pod-crashloop")]' "$T/faults.json")"
finding "image pull: the image and the kubelet's event" pod-image-pull Pod/flower- "kubectl describe pod flower-" 'Failed to pull image "mher/flower:2.0.1"'
finding "unschedulable: the scheduler's message" pod-pending Pod/celery-worker- "kubectl describe pod celery-worker-" "Insufficient cpu"
finding "unbound claim: the claim and the provisioner's event" pod-pending Pod/storage-service- "kubectl describe pvc storage-pvc" "claim storage-pvc is Pending"
finding "the claim itself is not Bound" pvc-bound PersistentVolumeClaim/storage-pvc "kubectl describe pvc storage-pvc -n crucible" "is Pending: FailedBinding"
finding "missing key: the kubelet's message" pod-config Pod/redis-main- "kubectl crucible secrets apply" "couldn't find key redis-password"
finding "missing key: the reference" config-ref Secret/redis-credentials "kubectl crucible secrets apply" "key redis-password is missing, used by Deployment/redis-main"
finding "no endpoints" service-endpoints Service/frontend "kubectl get endpoints frontend -n crucible" "no ready endpoints"
finding "not ready: the readiness probe's event" pod-ready Pod/frontend- "kubectl describe pod frontend-" "Readiness probe failed"
finding "no securityContext: read-only root" sec-read-only-root Deployment/executor-1 "kubectl crucible deploy" "executor"
finding "no securityContext: capabilities" sec-capabilities Deployment/executor-1 "kubectl crucible deploy"
finding "no securityContext: privilege escalation" sec-privilege-escalation Deployment/executor-1 "kubectl crucible deploy"
finding "missing NetworkPolicy: presence" presence NetworkPolicy/storage-worker "kubectl crucible deploy"
finding "missing NetworkPolicy: its pods are not covered" netpol-coverage Deployment/storage-worker "kubectl get networkpolicy -n crucible"
finding "leftover with the platform's labels" leftover ConfigMap/old-settings "kubectl crucible deploy --prune" "" WARN
jq -e '[.checks[] | select(.level == "FAIL") | .hint] | all(. != null and length > 0)' "$T/faults.json" >/dev/null &&
	ok "every failure has the next command" || not_ok "every failure has the next command"

# Each fault alone gives exit 1; skipping what fails gives exit 0.
for id in pod-crashloop pod-image-pull pod-pending pod-config config-ref service-endpoints sec-read-only-root netpol-coverage pvc-bound; do
	expect_exit 1 "$id alone exits 1" $V --only "$id"
done
expect_exit 0 "a leftover alone is only a warning" $V --only leftover
expect_exit 1 "--fail-on warn makes it fail" $V --only leftover --fail-on warn
expect_exit 0 "--skip every failing check exits 0" $V --skip workloads,services,storage,config,presence,security
expect_exit 1 "text report" $V
contains "text: grouped by area" "$T/out" "Workloads"
contains "text: the log under the crash loop" "$T/out" "| FATAL: cannot reach postgres:5432"
contains "text: the hint" "$T/out" "next: kubectl logs -n crucible api-service-"
lacks "no colour into a file" "$T/out" $'\033['
expect_exit 1 "-q" $V -q
lacks "-q: failures only" "$T/out" "WARN"
contains "-q: still the failures" "$T/out" "FAIL  pod-crashloop"

# Restarts above the threshold are a warning once the pod is Ready again.
fault '{"workloads": {"crucible/deployment/api-service": null}}'
restarted() { $V --only pod-restarts,pod-ready --restart-threshold 0 -o json >"$T/out" 2>"$T/err"; has_finding pod-restarts Pod/api-service- WARN; }
eventually "restarts above --restart-threshold are a WARN" 60 restarted

# One snapshot between two back-offs: the crash-looping container runs again,
# not ready. A kubectl that shows the cluster so (the crash-looping pod's
# status rewritten) must still give pod-crashloop.
real=$(command -v kubectl)
cat >"$T/kubectl-between" <<STANDIN
#!/bin/sh
case "\$*" in
*"jsonpath={range"*) "$real" "\$@" | jq -c 'if .kind == "Pod" and (.metadata.name | startswith("api-service-"))
	then .status.containerStatuses |= map(.state = {running: {startedAt: "2026-01-01T00:00:00Z"}} | .ready = false
	| .restartCount = 4 | .lastState = {terminated: {exitCode: 3, reason: "Error"}}) else . end' ;;
*) exec "$real" "\$@" ;;
esac
STANDIN
chmod +x "$T/kubectl-between"
fault '{"workloads": {"crucible/deployment/api-service": {"crash": {"exitCode": 3, "logs": ["FATAL"]}}}}'
between() { KUBECTL="$T/kubectl-between" $V --only pod-crashloop -o json >"$T/out" 2>"$T/err"; has_finding pod-crashloop Pod/api-service-; }
eventually "a crash loop between two back-offs (running again, not ready) is still pod-crashloop" 60 between
contains "... and says it keeps crashing" "$T/out" "keeps crashing"

done_testing
