#!/usr/bin/env bash
# Builds krew and validate-krew-manifest from their Go module into a cache
# directory (once; later calls only print it), for the krew tests.
#   scripts/krew-tools.sh CACHE_DIR    prints CACHE_DIR/bin on success
# Exits 3 when there is no Go toolchain, 1 when the build failed (log in
# CACHE_DIR/build.log). The toolchain on the machine is used as it is
# (GOTOOLCHAIN=local: nothing else is downloaded).
set -u
KREW_MODULE=sigs.k8s.io/krew
KREW_VERSION=v0.4.3
cache=${1:?usage: krew-tools.sh CACHE_DIR}
mkdir -p "$cache" && cache=$(cd "$cache" && pwd)
bin=$cache/bin
if [ -x "$bin/krew" ] && [ -x "$bin/validate-krew-manifest" ] &&
	[ "$(cat "$cache/version" 2>/dev/null)" = "$KREW_VERSION" ]; then
	echo "$bin"
	exit 0
fi
command -v go >/dev/null 2>&1 || exit 3
# One build at a time: two test runs may ask at once.
exec 9>"$cache/lock"
flock 9
if ! [ -x "$bin/krew" ] || ! [ -x "$bin/validate-krew-manifest" ] ||
	[ "$(cat "$cache/version" 2>/dev/null)" != "$KREW_VERSION" ]; then
	if ! GOTOOLCHAIN=local GOPATH="$cache/gopath" GOMODCACHE="$cache/gopath/pkg/mod" \
		GOCACHE="$cache/gocache" GOBIN="$bin" GOFLAGS=-modcacherw \
		nice -n 10 go install "$KREW_MODULE/cmd/krew@$KREW_VERSION" \
		"$KREW_MODULE/cmd/validate-krew-manifest@$KREW_VERSION" >"$cache/build.log" 2>&1; then
		exit 1
	fi
	echo "$KREW_VERSION" >"$cache/version"
fi
echo "$bin"
