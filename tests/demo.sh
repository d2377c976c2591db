#!/usr/bin/env bash
# make demo: the guide's deployment on the simulated cluster, through kubectl's
# own plugin dispatch (`kubectl crucible ...`), then the simulator is stopped.
# Nothing outside a temporary directory is touched.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
# The binaries make built: CRUCIBLE_BIN (make passes $(O)/bin), else bin/.
export PATH="${CRUCIBLE_BIN:-$TOP/bin}:$PATH"
D=$(mktemp -d "${TMPDIR:-/tmp}/crucible-demo.XXXXXX")
export HOME="$D/home" KUBECACHEDIR="$D/kube-cache" KUBECONFIG="$D/kubeconfig"
mkdir -p "$HOME"
unset KUBECTL CRUCIBLE_MANIFESTS
sim=
cleanup() {
	[ -n "$sim" ] && kill -TERM "$sim" 2>/dev/null && wait "$sim" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT

# Commands in bold only on a terminal, never with NO_COLOR set.
bold= plain=
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$(printf '\033[1m') plain=$(printf '\033[0m'); fi
step() { printf '\n%s$ %s%s\n' "$bold" "$*" "$plain"; "$@"; }

# A slower clock than the tests' so the rollout can be watched (0.25: a pod is ready in ~2 s).
python3 "$TOP/tests/simcluster/simcluster.py" --listen 127.0.0.1:0 --kubeconfig "$KUBECONFIG" \
	--speed "${CRUCIBLE_DEMO_SPEED:-0.25}" --scenario "$TOP/tests/scenarios/deploy-base.json" \
	>"$D/sim.out" 2>"$D/sim.log" &
sim=$!
for _ in $(seq 100); do grep -q '^ready ' "$D/sim.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^ready ' "$D/sim.out" || { echo "the simulated cluster did not start:"; tail "$D/sim.log"; exit 1; }
# The base's storage-pvc asks for ReadWriteMany with no class: make the NFS
# class `shared` this cluster's default, not local-path `standard`, as on a
# cluster the base is meant for (a scenario cannot choose the default class).
for _ in $(seq 50); do
	kubectl annotate --overwrite storageclass shared storageclass.kubernetes.io/is-default-class=true >/dev/null 2>&1 && break
	sleep 0.1
done
kubectl annotate --overwrite storageclass standard storageclass.kubernetes.io/is-default-class=false >/dev/null
echo "simulated cluster at $(sed 's/^ready //' "$D/sim.out") (kubeconfig $KUBECONFIG; default StorageClass: shared, NFS)"

cd "$TOP"
step kubectl crucible secrets apply
step kubectl crucible deploy
step kubectl get pods -n crucible
step kubectl crucible deploy -q
step kubectl crucible verify
echo
echo "The simulated cluster stops now. On a real cluster: kubectl crucible secrets apply && kubectl crucible deploy --overlay production"
