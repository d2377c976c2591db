#!/usr/bin/env bash
# Installs what kubectl-crucible needs to build and test on Debian 12, only
# the packages that are missing, without prompting. Run as root (or via sudo).
set -euo pipefail

packages=(make gcc clang pkg-config libjq-dev libonig-dev libyaml-dev libpopt-dev
	jq python3 valgrind gdb curl git util-linux bsdutils procps)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# kubectl: any recent one on PATH will do; Debian's own is old but works as a fallback.
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)

if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
fi
kubectl version --client 2>/dev/null | head -n 1 >&2 || true
