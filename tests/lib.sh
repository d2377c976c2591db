# Shared helpers for the shell tests (sourced). Each check prints a TAP line
# ("ok - name" / "not ok - name"); tests/run-tests.sh counts them.
# Every test file gets its own HOME and KUBECACHEDIR (kubectl caches discovery).
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${CRUCIBLE_BIN:-$TOP/bin}
export PATH="$BIN:$PATH"
T=$(mktemp -d "${TMPDIR:-/tmp}/crucible-test.XXXXXX")
export HOME="$T/home" KUBECACHEDIR="$T/kubecache"
mkdir -p "$HOME" "$KUBECACHEDIR"
unset KUBECONFIG KUBECTL CRUCIBLE_MANIFESTS NO_COLOR
_failed=0
_sim_pid=

cleanup() {
	[ -n "${_proxy_pid:-}" ] && kill -TERM "$_proxy_pid" 2>/dev/null
	[ -n "${_real_dir:-}" ] && bash "$TOP/tests/cluster/down.sh" "$CRUCIBLE_CLUSTER_BIN" "$_real_dir"
	if [ -n "$_sim_pid" ]; then
		kill -TERM "$_sim_pid" 2>/dev/null
		wait "$_sim_pid" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $1"; shift; [ $# -gt 0 ] && printf '#   %s\n' "$@"; _failed=1; return 0; }
skip() { echo "ok - # SKIP $*"; }

# check NAME CMD...: passes when CMD exits 0.
check() {
	local name=$1; shift
	if "$@" >"$T/out" 2>"$T/err"; then ok "$name"; else not_ok "$name" "exit $?: $(head -c 500 "$T/err")"; fi
}

# expect_exit CODE NAME CMD...: passes when CMD exits with CODE; stdout in $T/out, stderr in $T/err.
expect_exit() {
	local want=$1 name=$2; shift 2
	"$@" >"$T/out" 2>"$T/err" </dev/null
	local got=$?
	if [ "$got" -eq "$want" ]; then ok "$name"; else not_ok "$name" "exit $got, want $want" "stderr: $(head -c 500 "$T/err")"; fi
}

# contains NAME FILE TEXT: passes when FILE contains TEXT (fixed string).
contains() {
	if grep -qF -- "$3" "$2"; then ok "$1"; else not_ok "$1" "no '$3' in: $(head -c 500 "$2")"; fi
}
lacks() {
	if grep -qF -- "$3" "$2"; then not_ok "$1" "unexpected '$3' in: $(head -c 500 "$2")"; else ok "$1"; fi
}

# start_sim [simcluster args...]: starts the simulated API server on a free
# port, exports KUBECONFIG, and sets SIM_URL.
# With CRUCIBLE_CLUSTER=real (make e2e) it starts the real control plane
# instead (tests/cluster/up.sh, binaries in CRUCIBLE_CLUSTER_BIN) and
# SIM_URL stays empty; a scenario beyond the base one skips the file, and
# with CRUCIBLE_CLUSTER=kubeconfig the suite runs on $CRUCIBLE_KUBECONFIG.
start_sim() {
	case ${CRUCIBLE_CLUSTER:-sim} in real | kubeconfig) _start_real "$@"; return ;; esac
	export KUBECONFIG="$T/kubeconfig"
	rm -f "$T/sim.out" # a second simulator in one file must not read the first one's line
	python3 "$TOP/tests/simcluster/simcluster.py" --listen 127.0.0.1:0 --kubeconfig "$KUBECONFIG" "$@" >"$T/sim.out" 2>"$T/sim.log" &
	_sim_pid=$!
	local i line=
	for i in $(seq 200); do
		line=$(head -n 1 "$T/sim.out" 2>/dev/null)
		case $line in ready\ *) break ;; esac
		kill -0 "$_sim_pid" 2>/dev/null || break
		sleep 0.1
	done
	case $line in
	ready\ *) SIM_URL=${line#ready } FAULT_URL=${line#ready } ;;
	*) echo "not ok - simulated cluster did not start"; tail -20 "$T/sim.log" | sed 's/^/#   /'; exit 1 ;;
	esac
}

_start_real() {
	SIM_URL= FAULT_URL=
	if [ $# -gt 0 ] && [ "$*" != "--scenario $TOP/tests/scenarios/deploy-base.json" ]; then
		skip "simulator scenario ($*) has no real-cluster form yet"; exit 0
	fi
	if [ "$CRUCIBLE_CLUSTER" = kubeconfig ]; then
		export KUBECONFIG=$CRUCIBLE_KUBECONFIG; return
	fi
	_real_dir=$T/cluster
	if ! bash "$TOP/tests/cluster/up.sh" "$CRUCIBLE_CLUSTER_BIN" "$_real_dir" >"$T/up.log" 2>&1; then
		echo "not ok - real control plane did not start"; tail -20 "$T/up.log" | sed 's/^/#   /'; exit 1
	fi
	export KUBECONFIG=$_real_dir/kubeconfig
	_start_faultproxy
}

# On the real control plane the tests reach the apiserver through
# tests/cluster/faultproxy, which injects the simulator's "api" faults (the
# same /_sim/scenario and /_sim/stats): FAULT_URL is where to ask for them.
_start_faultproxy() {
	local pki=$_real_dir/kwok/clusters/crucible/pki server line= _
	server=$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')
	"$CRUCIBLE_CLUSTER_BIN/faultproxy" -upstream "$server" -ca "$pki/ca.crt" \
		-cert "$pki/admin.crt" -key "$pki/admin.key" >"$T/proxy.out" 2>"$T/proxy.log" &
	_proxy_pid=$!
	for _ in $(seq 100); do
		line=$(head -n 1 "$T/proxy.out" 2>/dev/null)
		case $line in ready\ *) break ;; esac
		sleep 0.05
	done
	case $line in ready\ *) ;; *) echo "not ok - the fault proxy did not start"; sed 's/^/#   /' "$T/proxy.log"; exit 1 ;; esac
	FAULT_URL=${line#ready }
	cat >"$T/proxy.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: crucible-e2e, cluster: {server: "$FAULT_URL"}}]
users: [{name: crucible-e2e, user: {}}]
contexts: [{name: crucible-e2e, context: {cluster: crucible-e2e, user: crucible-e2e}}]
current-context: crucible-e2e
EOF
	chmod 0600 "$T/proxy.kubeconfig"
	export KUBECONFIG=$T/proxy.kubeconfig
}
# sim_only: ends the file with a skip when it runs on a real cluster (it needs /_sim).
sim_only() { [ -z "${SIM_URL:-}" ] && { skip "needs the simulator: $*"; done_testing; }; return 0; }
# faults_only: the same for a file that needs only the "api" faults (the fault proxy has them).
faults_only() { [ -z "${FAULT_URL:-}" ] && { skip "needs injected API faults: $*"; done_testing; }; return 0; }

# same NAME GOT WANT: passes when the two strings are equal.
same() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi; }

# eventually NAME SECONDS CMD...: CMD succeeds within SECONDS (polled; output in $T/out, $T/err).
eventually() {
	local name=$1 secs=$2 i; shift 2
	for i in $(seq $((secs * 10))); do
		if "$@" >"$T/out" 2>"$T/err"; then ok "$name"; return; fi
		sleep 0.1
	done
	not_ok "$name" "$(head -c 500 "$T/out")" "$(head -c 300 "$T/err")"
}

# The simulator's global resourceVersion (unchanged by dry runs and no-op writes).
# On a real cluster (leases and events move its revision all the time): a
# digest of the resourceVersions of the objects in the crucible namespace.
rv() {
	[ -z "$SIM_URL" ] && { kubectl get -n crucible -o json \
		deploy,sts,ds,job,svc,cm,secret,pvc,networkpolicy,sa,pdb 2>/dev/null |
		jq -c '[.items[] | [.kind, .metadata.name, .metadata.resourceVersion]] | sort' |
		sha256sum | cut -c1-16; return; }
	curl -sf "$SIM_URL/_sim/stats" | jq -r .resourceVersion; }
# settle: waits (up to 10 s) until the controllers stop writing: rv holds for 0.5 s.
settle() {
	local a b _
	for _ in $(seq 20); do
		a=$(rv); sleep 0.5; b=$(rv)
		[ "$a" = "$b" ] && return
	done
}
# fault JSON: merges a change into the running simulator's scenario. On the
# real control plane the "api" faults go to the fault proxy; others skip.
fault() {
	if [ -n "${FAULT_URL:-}" ] && jq -e 'keys == ["api"]' <<<"$1" >/dev/null 2>&1; then
		curl -sf -X POST --data "$1" "$FAULT_URL/_sim/scenario" >/dev/null || not_ok "fault accepted: $1"
		return 0
	fi
	sim_only "fault $1"
	curl -sf -X POST --data "$1" "$SIM_URL/_sim/scenario" >/dev/null || not_ok "scenario accepted: $1"
}

# The Crucible base's storage-pvc asks for ReadWriteMany with no class: make
# the simulator's NFS class `shared` the cluster's default instead of the
# local-path `standard` (a scenario cannot choose the default class).
default_class_shared() {
	local _
	[ -z "$SIM_URL" ] && return 0 # the real plane's default class kwok-volume offers RWX
	for _ in $(seq 50); do
		kubectl annotate --overwrite storageclass shared storageclass.kubernetes.io/is-default-class=true >/dev/null 2>&1 && break
		sleep 0.1
	done
	kubectl annotate --overwrite storageclass standard storageclass.kubernetes.io/is-default-class=false >/dev/null
}

# own_manifests: a copy of the project's manifests in $T/k8s, the tools' default
# from now on (for tests that edit them).
own_manifests() { cp -R "$TOP/k8s" "$T/k8s"; export CRUCIBLE_MANIFESTS=$T/k8s; }

# start_sim_ns [simcluster args...]: start_sim, with the namespace crucible created.
start_sim_ns() { start_sim "$@"; kubectl create namespace crucible >/dev/null 2>&1; }

# kubectl_recorder: writes $T/kubectl-rec, a kubectl that appends each call's
# arguments to $T/calls and, on the first call whose arguments match $INJECT
# (a grep pattern; $T/injected then exists), makes the simulator answer the
# next $N requests with 500 before running the real kubectl.
kubectl_recorder() {
	local real
	real=$(command -v kubectl)
	cat >"$T/kubectl-rec" <<EOF
#!/bin/sh
printf '%s\\n' "\$*" >>"$T/calls"
if [ -n "\${INJECT:-}" ] && [ ! -e "$T/injected" ] && printf '%s\\n' "\$*" | grep -q -- "\$INJECT"; then
	: >"$T/injected"
	curl -sf -X POST --data '{"api": {"error500": '"\$N"'}}' "$FAULT_URL/_sim/scenario" >/dev/null
fi
exec "$real" "\$@"
EOF
	chmod +x "$T/kubectl-rec"
}

# memory_clean NAME VALUES CMD...: CMD run to its _exit under gdb holds none of
# the values (the file VALUES, one a line) in its heap or anonymous memory.
memory_clean() {
	local name=$1 values=$2 n
	shift 2
	if grep -qa __asan_init "$1"; then
		skip "$name: memory is scanned on the plain build, not under AddressSanitizer"; return
	elif ! command -v gdb >/dev/null || ! gdb -batch -nx -ex run --args /bin/true >/dev/null 2>&1; then
		skip "$name: gdb cannot trace here"; return
	fi
	(ulimit -c 0; SCAN_COMMAND="cat '$values'" gdb -batch -nx -x "$TOP/tests/fixtures/secrets/scan-memory.py" \
		--args "$@" >"$T/scan" 2>&1 </dev/null)
	n=$(sed -n 's/^VALUES //p' "$T/scan")
	if [ "${n:-0}" -gt 0 ] && grep -q '^SCANNED [1-9]' "$T/scan" && ! grep -q '^FOUND' "$T/scan"; then
		ok "$name ($n values looked for)"
	else
		not_ok "$name" "$(grep -v '^ok\|^\[' "$T/scan" | tail -5)"
	fi
}

done_testing() { exit "$_failed"; }
