#!/usr/bin/env bash
# Builds the test control plane (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl of Kubernetes v1.36.1; kwok and kwokctl v0.8.0) into
# a cache directory keyed by both go.sum files, and prints that directory.
# A second run with the same go.sum files reuses it (and Go's build cache).
#   tests/cluster/build.sh [--cached]
# --cached: print the directory only if it is already built, else exit 1.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
K8S=v1.36.1
key=$(cat "$here/go.sum" "$here/kwok/go.sum" "$here/etcd/main.go" | sha256sum | cut -c1-16)
out=${CRUCIBLE_CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-crucible/cluster}/$key
bins="etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok kwokctl"

# The proxy is the only network these machines reach: no toolchain download;
# the checksum database is not reachable, so go.sum (committed) is the check.
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
export GOSUMDB=${GOSUMDB:-off}

# The fault proxy (tests/cluster/faultproxy, standard library only) is keyed
# apart: changing it rebuilds it in seconds, not the whole control plane.
build_faultproxy() {
	local key
	key=$(cat "$here/faultproxy/main.go" "$here/faultproxy/go.mod" | sha256sum | cut -c1-16)
	[ -x "$1/faultproxy" ] && [ "$(cat "$1/faultproxy.key" 2>/dev/null)" = "$key" ] && return
	(cd "$here/faultproxy" && go build -trimpath -ldflags "-s -w" -o "$1/faultproxy.new" .)
	mv "$1/faultproxy.new" "$1/faultproxy" && echo "$key" >"$1/faultproxy.key"
}

have=1
for b in $bins; do [ -x "$out/$b" ] || have=0; done
if [ "$have" = 1 ]; then build_faultproxy "$out"; echo "$out"; exit 0; fi
[ "${1:-}" = --cached ] && exit 1
tmp=$(mktemp -d "$out.tmp.XXXXXX" 2>/dev/null || { mkdir -p "$(dirname "$out")"; mktemp -d "$out.tmp.XXXXXX"; })
trap 'rm -rf "$tmp"' EXIT

# Without these the binaries say v0.0.0-master, and kwokctl picks flags by version.
ld="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
	ld="$ld -X $p.gitVersion=$K8S -X $p.gitMajor=1 -X $p.gitMinor=36 -X $p.gitTreeState=clean"
	ld="$ld -X $p.buildDate=2026-01-01T00:00:00Z"
done
echo "cluster: building Kubernetes $K8S and etcd (about 7 minutes cold on 2 cores)" >&2
(cd "$here" && go build -p 2 -tags selinux,notest -trimpath -ldflags "$ld" -o "$tmp/" \
	./etcd k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
	k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
echo "cluster: building kwok v0.8.0" >&2
(cd "$here/kwok" && go build -p 2 -trimpath -ldflags "-s -w" -o "$tmp/" \
	sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/kwok/cmd/kwokctl)
build_faultproxy "$tmp"
rm -rf "$out" && mv "$tmp" "$out"
trap - EXIT
echo "$out"
