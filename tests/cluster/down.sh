#!/usr/bin/env bash
# Stops the control plane up.sh started in DIR and removes DIR.
#   tests/cluster/down.sh BINDIR DIR
set -u
bin=$(cd "$1" && pwd) dir=$2
[ -d "$dir" ] || exit 0
KWOK_WORKDIR="$dir/kwok" PATH="$bin:$PATH" kwokctl --name crucible delete cluster \
	--kubeconfig "$dir/kubeconfig" >/dev/null 2>&1
rm -rf "$dir"
