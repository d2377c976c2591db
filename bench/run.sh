#!/usr/bin/env bash
# make bench: figures for kubectl-crucible-deploy on the simulated cluster,
# all measured in this one run (not a test: nothing here passes or fails).
#   1. kubectl processes per deploy, for the base and for the base plus 60 more objects
#   2. deploy wall time vs `kubectl apply` + `kubectl rollout status` per workload in turn,
#      and the slowest single rollout (all rollout statuses at once after one apply)
#   3. time from a crash loop appearing in the API to the diagnosis being printed
#   4. the tool's own CPU time vs its kubectl children's
. "$(dirname "$0")/lib.sh" deploy
SIM_URL=

# fresh [FAULT-JSON]: a new simulated cluster with the platform's Secrets (secrets apply creates the namespace).
fresh() {
	stop_sim
	rm -rf "$KUBECACHEDIR"
	export KUBECONFIG="$B/kubeconfig"
	: >"$B/sim.out"
	python3 tests/simcluster/simcluster.py --listen 127.0.0.1:0 --kubeconfig "$KUBECONFIG" \
		--scenario tests/scenarios/deploy-base.json >"$B/sim.out" 2>"$B/sim.log" &
	sim=$!
	for _ in $(seq 100); do grep -q '^ready ' "$B/sim.out" && break; sleep 0.1; done
	SIM_URL=$(sed -n 's/^ready //p' "$B/sim.out")
	# The base's storage-pvc asks for ReadWriteMany with no class: the NFS class
	# `shared` is the default here, not local-path `standard` (see deploy-base.json).
	for _ in $(seq 50); do
		kubectl annotate --overwrite storageclass shared storageclass.kubernetes.io/is-default-class=true >/dev/null 2>&1 && break
		sleep 0.1
	done
	kubectl annotate --overwrite storageclass standard storageclass.kubernetes.io/is-default-class=false >/dev/null
	[ -n "${1:-}" ] && curl -sf -X POST --data "$1" "$SIM_URL/_sim/scenario" >/dev/null
	kubectl-crucible-secrets apply >/dev/null 2>&1
	kubectl get --raw /version >/dev/null # warm the discovery cache, as a user's would be
}

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l | xargs printf '%.2f'; }

# A kubectl that counts its own starts.
cat >"$B/kubectl" <<SHIM
#!/bin/sh
echo x >>"$B/kubectl.count"
exec $(command -v kubectl) "\$@"
SHIM
chmod +x "$B/kubectl"

kubectl kustomize k8s/base >"$B/base.yaml"
nbase=$(grep -c '^kind:' "$B/base.yaml")
{
	cat "$B/base.yaml"
	for i in $(seq 60); do printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bench-%d\n  namespace: crucible\ndata:\n  i: "%d"\n' "$i" "$i"; done
} >"$B/big.yaml"
nbig=$(grep -c '^kind:' "$B/big.yaml")

echo "measuring (each measurement on a fresh simulated cluster)..." >&2

# 1 + 2 + 4: a fresh deploy of the base.
fresh
: >"$B/kubectl.count"
t=$(now)
KUBECTL="$B/kubectl" CRUCIBLE_STATS="$B/stats.json" kubectl-crucible-deploy -q -f "$B/base.yaml" >/dev/null 2>"$B/deploy.err" ||
	{ echo "deploy failed:"; cat "$B/deploy.err"; exit 1; }
deploy_wall=$(secs "$t" "$(now)")
procs_base=$(wc -l <"$B/kubectl.count")
self_cpu=$(jq .self_cpu "$B/stats.json")
kids_cpu=$(jq .children_cpu "$B/stats.json")

fresh
: >"$B/kubectl.count"
KUBECTL="$B/kubectl" kubectl-crucible-deploy -q -f "$B/big.yaml" >/dev/null 2>&1
procs_big=$(wc -l <"$B/kubectl.count")

# The guide's way: one apply, then rollout status for each workload in turn.
workloads=$(kubectl apply --dry-run=client -f "$B/base.yaml" -o name 2>/dev/null | grep -E '^(deployment|statefulset|daemonset)')
fresh
t=$(now)
kubectl apply --server-side -f "$B/base.yaml" >/dev/null
for w in $workloads; do kubectl rollout status -n crucible "$w" --timeout=120s >/dev/null; done
serial_wall=$(secs "$t" "$(now)")
nwork=$(echo "$workloads" | wc -l)

# The slowest single rollout: one apply, every rollout status at once.
fresh
t=$(now)
kubectl apply --server-side -f "$B/base.yaml" >/dev/null
pids=
for w in $workloads; do kubectl rollout status -n crucible "$w" --timeout=120s >/dev/null & pids="$pids $!"; done
wait $pids
slowest=$(secs "$t" "$(now)")

# 3: crash loop to diagnosis.
fresh '{"workloads": {"crucible/deployment/api-service": {"crash": {"exitCode": 1, "logs": ["FATAL"]}}}}'
lat_line=$(python3 bench/crashloop_latency.py "$SIM_URL" -- kubectl-crucible-deploy -f "$B/base.yaml" --timeout 60s)
latency=$(echo "$lat_line" | sed -n 's/.*latency=\([^ ]*\).*/\1/p')

ratio() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }
printf '\n%-52s %12s   %s\n' "figure" "value" "goal"
printf '%-52s %12s   %s\n' "----------------------------------------------------" "------------" "----"
printf '%-52s %12s   %s\n' "kubectl processes, base ($nbase objects)" "$procs_base" "small constant per phase"
printf '%-52s %12s   %s\n' "kubectl processes, base + 60 ConfigMaps ($nbig objects)" "$procs_big" "same as above"
printf '%-52s %12s   %s\n' "deploy wall time (s)" "$deploy_wall" "<= slowest rollout + 1 s"
printf '%-52s %12s\n' "apply + rollout status x $nwork in turn (s)" "$serial_wall"
printf '%-52s %12s\n' "slowest single rollout (s)" "$slowest"
printf '%-52s %12s   %s\n' "crash loop in API -> diagnosis printed (s)" "$latency" "<= 2 s"
printf '%-52s %12s\n' "deploy's own CPU (s)" "$self_cpu"
printf '%-52s %12s\n' "its kubectl children's CPU (s)" "$kids_cpu"
echo
echo "ratios:"
printf '  kubectl processes, bigger input / base     %s\n' "$(ratio "$procs_big" "$procs_base")"
printf '  objects, bigger input / base               %s\n' "$(ratio "$nbig" "$nbase")"
printf '  deploy / apply + rollout status in turn    %s\n' "$(ratio "$deploy_wall" "$serial_wall")"
printf '  deploy / slowest rollout                   %s   (deploy - slowest = %s s)\n' \
	"$(ratio "$deploy_wall" "$slowest")" "$(echo "$deploy_wall - $slowest" | bc -l | xargs printf '%.2f')"
printf '  own CPU / kubectl children CPU             %s\n' "$(ratio "$self_cpu" "$kids_cpu")"
