#!/usr/bin/env bash
# make demo: the guide's deployment through kubectl's own plugin dispatch
# (`kubectl crucible ...`) on the real control plane when `make cluster` has
# built it (tests/cluster), else on the simulated cluster; it is stopped after.
# CRUCIBLE_DEMO_CLUSTER=sim chooses the simulator. Nothing outside a temporary
# directory is touched.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
# The binaries make built: CRUCIBLE_BIN (make passes $(O)/bin), else bin/.
export PATH="${CRUCIBLE_BIN:-$TOP/bin}:$PATH"
# Looked up before HOME moves: the cluster's build cache is under the user's.
# CRUCIBLE_DEMO_CLUSTER=real with CRUCIBLE_CLUSTER_BIN (make e2e): that build.
built=
case ${CRUCIBLE_DEMO_CLUSTER:-} in
sim) ;;
real) built=${CRUCIBLE_CLUSTER_BIN:?CRUCIBLE_DEMO_CLUSTER=real needs CRUCIBLE_CLUSTER_BIN} ;;
*) built=$(bash "$TOP/tests/cluster/build.sh" --cached 2>/dev/null) || built= ;;
esac
D=$(mktemp -d "${TMPDIR:-/tmp}/crucible-demo.XXXXXX")
export HOME="$D/home" KUBECACHEDIR="$D/kube-cache" KUBECONFIG="$D/kubeconfig"
mkdir -p "$HOME"
unset KUBECTL CRUCIBLE_MANIFESTS
sim= real=
cleanup() {
	[ -n "$sim" ] && kill -TERM "$sim" 2>/dev/null && wait "$sim" 2>/dev/null
	[ -n "$real" ] && bash "$TOP/tests/cluster/down.sh" "$real" "$D/cluster"
	rm -rf "$D"
}
trap cleanup EXIT

# Commands in bold only on a terminal, never with NO_COLOR set.
bold= plain=
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$(printf '\033[1m') plain=$(printf '\033[0m'); fi
step() { printf '\n%s$ %s%s\n' "$bold" "$*" "$plain"; "$@"; }

if [ -n "$built" ]; then
	real=$built
	echo "starting the real control plane make cluster built (Kubernetes v1.36.1, 3 kwok nodes)..."
	bash "$TOP/tests/cluster/up.sh" "$real" "$D/cluster" >"$D/up.log" 2>&1 || {
		echo "the real control plane did not start:"; tail "$D/up.log"; exit 1; }
	cp "$D/cluster/kubeconfig" "$KUBECONFIG"
	echo "real control plane at $(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}') (kubeconfig $KUBECONFIG; default StorageClass: kwok-volume)"
else
if [ "${CRUCIBLE_DEMO_CLUSTER:-}" = sim ]; then echo "the simulated cluster (CRUCIBLE_DEMO_CLUSTER=sim)"
else echo "no real control plane built (make cluster builds one): the simulated cluster"; fi
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
fi

cd "$TOP"
step kubectl crucible up
step kubectl get pods -n crucible
step kubectl crucible deploy -q
step kubectl crucible verify
echo
what="simulated cluster"
[ -n "$real" ] && what="real control plane"
echo "The $what stops now. On your cluster: kubectl crucible up --overlay production"
