#!/usr/bin/env bash
# make bench, on the real control plane (make cluster) when helm and kapp are
# built too (make anchors); else it says it was skipped and why. Not a test.
# One control plane (tests/cluster/up.sh), every request through the fault
# proxy, which counts them; each measurement on a fresh namespace crucible
# (deleted and made again by `kubectl-crucible-secrets apply`, Secrets first):
#   1. deploying the base: kubectl crucible deploy, kubectl apply -k plus
#      kubectl rollout status for each workload in turn, helm install --wait of
#      a chart whose templates are the rendered base, kapp deploy
#   2. the same with api-service crash-looping (pod template annotation
#      crucible.test/fault: crashloop): when each names the crash loop, after the
#      API shows it, and when each gives up (helm and kapp wait 60 s, as does
#      each kubectl rollout status)
#   3. the API requests each made in 1
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
skip() { echo "bench/anchors.sh: skipped: $*"; exit 0; }
cb=$(bash "$top/tests/cluster/build.sh" --cached 2>/dev/null) ||
	skip "the real control plane is not built (make cluster)"
ab=$(bash "$top/tests/cluster/anchors/build.sh" --cached 2>/dev/null) ||
	skip "helm and kapp are not built (make anchors)"
[ -x "$ab/helm" ] || skip "helm did not build: $(tail -n 1 "$ab/helm.error")"
[ -x "$ab/kapp" ] || skip "kapp did not build: $(tail -n 1 "$ab/kapp.error")"
. "$(dirname "$0")/lib.sh" anchors
proxy= cluster_up=
cleanup() {
	[ -n "$proxy" ] && kill -TERM "$proxy" 2>/dev/null && wait "$proxy" 2>/dev/null
	[ -n "$cluster_up" ] && bash tests/cluster/down.sh "$cb" "$B/cluster"
	rm -rf "$B"
}
export PATH="$ab:$PATH"
timeout=60s

echo "anchors: starting the control plane..." >&2
cluster_up=1
bash tests/cluster/up.sh "$cb" "$B/cluster" || { echo "anchors: the control plane did not start"; exit 1; }
pki=$B/cluster/kwok/clusters/crucible/pki
server=$(kubectl --kubeconfig "$B/cluster/kubeconfig" config view --minify -o jsonpath='{.clusters[0].cluster.server}')
"$cb/faultproxy" -upstream "$server" -ca "$pki/ca.crt" -cert "$pki/admin.crt" -key "$pki/admin.key" \
	>"$B/proxy.out" 2>"$B/proxy.log" &
proxy=$!
for _ in $(seq 100); do grep -q '^ready ' "$B/proxy.out" && break; sleep 0.05; done
url=$(sed -n 's/^ready //p' "$B/proxy.out")
[ -n "$url" ] || { echo "anchors: the fault proxy did not start"; cat "$B/proxy.log"; exit 1; }
export KUBECONFIG=$B/proxy.kubeconfig
cat >"$KUBECONFIG" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: bench, cluster: {server: "$url"}}]
users: [{name: bench, user: {}}]
contexts: [{name: bench, context: {cluster: bench, user: bench, namespace: crucible}}]
current-context: bench
EOF
chmod 0600 "$KUBECONFIG"
kubectl api-resources >/dev/null # kubectl's discovery cache warm, as a user's would be

# The inputs: the rendered base; the same with api-service crash-looping
# (a kustomization over a copy of the base: kustomize takes no absolute
# path and no root outside the kustomization's); for helm and kapp without the Namespace,
# which secrets apply has made already (helm refuses to adopt it, and
# uninstalling either would delete the Secrets with it).
kubectl kustomize k8s/base >"$B/base.yaml"
mkdir -p "$B/crash"
cp -R k8s/base "$B/crash/base"
cat >"$B/crash/kustomization.yaml" <<EOF
resources: [base]
patches:
- target: {kind: Deployment, name: api-service}
  patch: |-
    - op: add
      path: /spec/template/metadata/annotations
      value: {crucible.test/fault: crashloop}
EOF
kubectl kustomize "$B/crash" >"$B/crash.yaml"
grep -q 'crucible.test/fault: crashloop' "$B/crash.yaml" || { echo "anchors: the crash-loop patch did not apply"; exit 1; }
no_namespace() { awk 'BEGIN { RS = "\n---\n"; ORS = "\n---\n" } !/(^|\n)kind: Namespace\n/' "$1"; }
no_namespace "$B/base.yaml" >"$B/base-nons.yaml"
no_namespace "$B/crash.yaml" >"$B/crash-nons.yaml"
# chart DIR FILE: a chart whose one template is FILE (the rendered base has no {{).
chart() {
	mkdir -p "$1/templates"
	printf 'apiVersion: v2\nname: crucible\nversion: 0.1.0\n' >"$1/Chart.yaml"
	cp "$2" "$1/templates/base.yaml"
}
chart "$B/chart" "$B/base-nons.yaml"
chart "$B/crash-chart" "$B/crash-nons.yaml"
workloads=$(kubectl apply --dry-run=client -f "$B/base.yaml" -o name 2>/dev/null | grep -E '^(deployment|statefulset|daemonset)')
nwork=$(echo "$workloads" | wc -l)
nobj=$(grep -c '^kind:' "$B/base.yaml")
# The guide's way: one apply, then each rollout status in turn (stopping at the first that fails).
cat >"$B/guide.sh" <<EOF
#!/bin/sh
kubectl apply "\$@" || exit 1
for w in $(echo $workloads); do kubectl rollout status -n crucible "\$w" --timeout=$timeout || exit 1; done
EOF
chmod +x "$B/guide.sh"

# fresh: the namespace crucible gone (with what the last run left) and made again with the Secrets.
fresh() {
	kubectl delete namespace crucible --ignore-not-found --wait=true --timeout=180s >/dev/null ||
		{ echo "anchors: namespace crucible was not deleted"; exit 1; }
	kubectl-crucible-secrets apply >"$B/secrets.log" 2>&1 || { echo "anchors: secrets apply failed"; cat "$B/secrets.log"; exit 1; }
}
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l | xargs printf '%.2f'; }
stat() { curl -sf "$url/_sim/stats" | jq -r "$1"; }
# measure NAME CMD...: a fresh namespace, then CMD's wall time and API requests in NAME_*.
measure() {
	local name=$1 t0 t1 r0 w0; shift
	fresh
	r0=$(stat .requests) w0=$(stat '[.byVerb | to_entries[] | select(.key != "GET") | .value] | add')
	t0=$(now)
	"$@" >"$B/$name.out" 2>&1 || { echo "anchors: $name failed:"; tail -n 20 "$B/$name.out"; exit 1; }
	t1=$(now)
	eval "${name}_wall=$(secs "$t0" "$t1")"
	eval "${name}_req=$(($(stat .requests) - r0))" # (the proxy counts no /_sim request)
	eval "${name}_writes=$(($(stat '[.byVerb | to_entries[] | select(.key != "GET") | .value] | add') - w0))"
}
# crash NAME CMD...: a fresh namespace, then when CMD names the crash loop and when it exits.
crash() {
	local name=$1 line; shift
	fresh
	line=$(python3 bench/crashloop_latency.py "$url" --stdout -- "$@")
	eval "${name}_api=$(echo "$line" | sed -n 's/.*api=\([^ ]*\).*/\1/p')"
	eval "${name}_diag=$(echo "$line" | sed -n 's/.*diagnosis=\([^ ]*\).*/\1/p')"
	eval "${name}_lat=$(echo "$line" | sed -n 's/.*latency=\([^ ]*\).*/\1/p')"
	eval "${name}_end=$(echo "$line" | sed -n 's/.*end=\([^ ]*\).*/\1/p')"
	eval "${name}_exit=$(echo "$line" | sed -n 's/.*exit=\([^ ]*\).*/\1/p')"
}

echo "anchors: deploying the base four ways, each on a fresh namespace..." >&2
measure ours kubectl crucible deploy -q -f "$B/base.yaml"
measure guide "$B/guide.sh" -k k8s/base
measure helm helm install crucible "$B/chart" -n crucible --wait --timeout 180s
measure kapp kapp deploy -a crucible -n crucible -f "$B/base-nons.yaml" -y --tty=false
echo "anchors: the same with api-service crash-looping..." >&2
crash ours kubectl crucible deploy -f "$B/crash.yaml" --timeout "$timeout"
crash guide "$B/guide.sh" -f "$B/crash.yaml"
crash helm helm install crucible "$B/crash-chart" -n crucible --wait --timeout "$timeout"
crash kapp kapp deploy -a crucible -n crucible -f "$B/crash-nons.yaml" -y --tty=false --wait-timeout "$timeout"

ratio() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }
# reported NAME: seconds from the API showing the crash loop to NAME naming it, or "never".
reported() {
	local d; eval "d=\$${1}_diag"
	if [ "$d" = None ]; then echo never; else eval "printf '%.2f' \$${1}_lat"; fi
}
gaveup() { local a e; eval "a=\$${1}_api e=\$${1}_end"; echo "$e - $a" | bc -l | xargs printf '%.2f'; }
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo
echo "base: $nobj objects, $nwork workloads; Kubernetes $("$cb/kubectl" version --client -o json | jq -r .clientVersion.gitVersion)," \
	"kubectl $(kubectl version --client -o json | jq -r .clientVersion.gitVersion), helm $(helm version --short), kapp $(kapp version | sed -n 's/^kapp version //p')"
echo "one control plane, a fresh namespace for each run; crash-loop waits ${timeout}; load average $load ($(nproc) cores)"
printf '\n%-34s %10s %10s %10s %10s\n' "" "ours" "apply+rs" "helm" "kapp"
row() { printf '%-34s %10s %10s %10s %10s\n' "$@"; }
row "deploy wall time (s)" "$ours_wall" "$guide_wall" "$helm_wall" "$kapp_wall"
row "API requests" "$ours_req" "$guide_req" "$helm_req" "$kapp_req"
row "  of them writes (not GET)" "$ours_writes" "$guide_writes" "$helm_writes" "$kapp_writes"
row "crash loop named, s after API" "$(reported ours)" "$(reported guide)" "$(reported helm)" "$(reported kapp)"
row "crash: exits, s after API (code)" "$(gaveup ours) ($ours_exit)" "$(gaveup guide) ($guide_exit)" \
	"$(gaveup helm) ($helm_exit)" "$(gaveup kapp) ($kapp_exit)"
echo
echo "ratios (anchor / ours):"
for a in guide helm kapp; do
	eval "w=\$${a}_wall r=\$${a}_req g=\$(gaveup $a)"
	printf '  %-6s wall %5s   requests %5s   crash exit %5s\n' "$a" "$(ratio "$w" "$ours_wall")" \
		"$(ratio "$r" "$ours_req")" "$(ratio "$g" "$(gaveup ours)")"
done
