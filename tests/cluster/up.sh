#!/usr/bin/env bash
# Starts the real control plane (etcd, kube-apiserver with RBAC and Pod
# Security admission, controller-manager, scheduler, kwok with 3 fake nodes)
# with kwokctl's binary runtime on our built binaries, in DIR, and writes
#   DIR/kubeconfig             admin (system:masters)
#   DIR/restricted.kubeconfig  a user who may not create NetworkPolicies
# Stop it with down.sh DIR. Nothing outside DIR is touched (no ~/.kube).
#   tests/cluster/up.sh BINDIR DIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$1" && pwd) dir=$2
mkdir -p "$dir" && dir=$(cd "$dir" && pwd)
export KWOK_WORKDIR="$dir/kwok" PATH="$bin:$PATH"
name=crucible
k() { "$bin/kubectl" --kubeconfig "$dir/kubeconfig" "$@"; }

cat "$here/kwokctl.yaml" "$here/stages/kwok-stages.yaml" "$here/stages/faults.yaml" | sed 's/^---$/---/' >"$dir/config.yaml"
# kwokctl reads the Stages from its config and hands them to kwok. It picks
# free ports before the components bind them: two clusters starting at once
# can pick the same port, so starts are serialised (flock) and retried once.
create() {
	flock 9
	kwokctl --name "$name" -c "$dir/config.yaml" create cluster --runtime binary \
		--kubeconfig "$dir/kubeconfig" --wait 60s --timeout 120s \
		--etcd-binary "$bin/etcd" --kube-apiserver-binary "$bin/kube-apiserver" \
		--kube-controller-manager-binary "$bin/kube-controller-manager" \
		--kube-scheduler-binary "$bin/kube-scheduler" --kwok-controller-binary "$bin/kwok" \
		>"$dir/kwokctl.log" 2>&1 && k get --raw /readyz >/dev/null 2>&1
} 9>"${TMPDIR:-/tmp}/kubectl-crucible-cluster.lock"
if ! create; then
	kwokctl --name "$name" delete cluster --kubeconfig "$dir/kubeconfig" >/dev/null 2>&1
	create || { cat "$dir/kwokctl.log" >&2; exit 4; }
fi

k apply -f "$here/stages/classes.yaml" -f "$here/nodes.yaml" -f "$here/restricted.yaml" >/dev/null
# The restricted user: a client certificate signed by the cluster's CA.
pki=$KWOK_WORKDIR/clusters/$name/pki
openssl req -new -newkey rsa:2048 -nodes -keyout "$dir/restricted.key" -subj "/CN=crucible-restricted" \
	-out "$dir/restricted.csr" 2>/dev/null
openssl x509 -req -in "$dir/restricted.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
	-days 2 -out "$dir/restricted.crt" 2>/dev/null
chmod 0600 "$dir/restricted.key"
server=$(k config view --minify -o jsonpath='{.clusters[0].cluster.server}')
KUBECONFIG="$dir/restricted.kubeconfig" "$bin/kubectl" config set-cluster c --server "$server" \
	--certificate-authority "$pki/ca.crt" --embed-certs >/dev/null
KUBECONFIG="$dir/restricted.kubeconfig" "$bin/kubectl" config set-credentials u \
	--client-certificate "$dir/restricted.crt" --client-key "$dir/restricted.key" --embed-certs >/dev/null
KUBECONFIG="$dir/restricted.kubeconfig" "$bin/kubectl" config set-context c --cluster c --user u --namespace crucible >/dev/null
KUBECONFIG="$dir/restricted.kubeconfig" "$bin/kubectl" config use-context c >/dev/null
chmod 0600 "$dir/restricted.kubeconfig" "$dir/kubeconfig"

for _ in $(seq 100); do
	[ "$(k get --raw /readyz 2>/dev/null)" = ok ] &&
		[ "$(k get nodes --no-headers 2>/dev/null | grep -c ' Ready ')" -ge 3 ] && exit 0
	sleep 0.2
done
echo "up.sh: control plane not ready" >&2
exit 5
