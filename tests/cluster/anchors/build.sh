#!/usr/bin/env bash
# Builds the anchors the benchmarks compare against, helm v4.3.2 and kapp
# v0.64.2, each from a module of its own (helm/, kapp/), into a cache
# directory keyed by their go.sum files, and prints that directory.
# One that does not build leaves NAME.error (the build's last lines) there
# instead of NAME, and the other is still built; a later run retries it.
#   tests/cluster/anchors/build.sh [--cached]
# --cached: print the directory only if both were tried already, else exit 1.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
key=$(cat "$here/helm/go.sum" "$here/kapp/go.sum" | sha256sum | cut -c1-16)
out=${CRUCIBLE_CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-crucible/cluster}/anchors-$key

tried() { [ -x "$out/$1" ] || [ -f "$out/$1.error" ]; }
if tried helm && tried kapp && { [ "${1:-}" = --cached ] || { [ -x "$out/helm" ] && [ -x "$out/kapp" ]; }; }; then
	echo "$out"
	exit 0
fi
[ "${1:-}" = --cached ] && exit 1
mkdir -p "$out"

# As tests/cluster/build.sh: the proxy only, no toolchain download, and the
# committed go.sum as the check. -p 1: the machines these run on are small.
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
export GOSUMDB=${GOSUMDB:-off}

# build NAME PACKAGE VERSION-LDFLAGS: so that NAME --version tells the truth.
build() {
	[ -x "$out/$1" ] && return
	echo "anchors: building $1 (a few minutes cold)" >&2
	rm -f "$out/$1.error"
	if (cd "$here/$1" && nice -n 15 go build -p 1 -trimpath -ldflags "-s -w $3" -o "$out/$1.new" "$2") \
		>"$out/$1.log" 2>&1; then
		mv "$out/$1.new" "$out/$1"
	else
		tail -n 20 "$out/$1.log" >"$out/$1.error"
		echo "anchors: $1 did not build:" >&2
		sed 's/^/  /' "$out/$1.error" >&2
	fi
	rm -f "$out/$1.new" "$out/$1.log"
}
build helm helm.sh/helm/v4/cmd/helm "-X helm.sh/helm/v4/internal/version.version=v4.3.2 -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
build kapp carvel.dev/kapp/cmd/kapp "-X carvel.dev/kapp/pkg/kapp/version.Version=v0.64.2"
echo "$out"
