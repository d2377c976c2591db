# What every bench script starts with: the binaries make built on PATH
# (CRUCIBLE_BIN, make passes $(O)/bin; else bin/), a scratch directory B
# removed at exit (after the script's own stop_sim), and a HOME and kubectl
# cache of its own so nothing of the user's is read or written.
#   . bench/lib.sh NAME
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="${CRUCIBLE_BIN:-$TOP/bin}:$PATH"
B=$(mktemp -d "${TMPDIR:-/tmp}/crucible-bench-$1.XXXXXX")
export HOME="$B/home" KUBECACHEDIR="$B/kube-cache"
mkdir -p "$HOME"
unset KUBECTL CRUCIBLE_MANIFESTS
sim=
stop_sim() {
	[ -n "$sim" ] && kill -TERM "$sim" 2>/dev/null && wait "$sim" 2>/dev/null
	sim=
}
cleanup() { stop_sim; rm -rf "$B"; }
trap cleanup EXIT
cd "$TOP"
