#!/usr/bin/env bash
# make dist: the krew archive holds what krew-manifest.yaml's files and bin
# name, and the generated manifest carries the archive's digest.
. "$(dirname "$0")/../lib.sh"
O=$(dirname "$BIN")
if make -s -C "$TOP" dist O="$O" >"$T/out" 2>&1; then ok "make dist succeeds"; else not_ok "make dist succeeds" "$(tail -5 "$T/out")"; fi
archive=$O/dist/kubectl-crucible-linux-amd64.tar.gz manifest=$O/dist/krew-manifest.yaml
want=$(sha256sum "$archive" | cut -d' ' -f1)
contains "the manifest carries the archive's sha256" "$manifest" "sha256: $want"

# Unpack as krew would: files from bin/* to ., k8s to k8s; bin is kubectl-crucible.
mkdir -p "$T/unpacked" "$T/plugin" "$T/path"
tar -xzf "$archive" -C "$T/unpacked"
cp -P "$T/unpacked"/bin/* "$T/plugin/" && cp -R "$T/unpacked/k8s" "$T/plugin/k8s"
grep -q '^    bin: kubectl-crucible$' "$TOP/krew-manifest.yaml" && ok "the manifest's bin is the dispatcher" || not_ok "the manifest's bin is the dispatcher"
ln -s "$T/plugin/kubectl-crucible" "$T/path/kubectl-crucible"
for b in "$BIN"/kubectl-crucible-*; do
	[ -L "$b" ] && continue
	step=${b##*/kubectl-crucible-}
	[ -x "$T/plugin/${b##*/}" ] && ok "archive has ${b##*/}" || not_ok "archive has ${b##*/}"
	PATH="$T/path:/usr/bin:/bin" expect_exit 0 "kubectl crucible $step --help from the krew layout" kubectl crucible "$step" --help
done
# The installed manifests are found beside the binaries, from any directory.
cd "$T" && PATH="$T/path:/usr/bin:/bin" expect_exit 0 "the krew copy of the manifests is the default" \
	kubectl crucible deploy --dry-run=client
contains "... and renders the platform" "$T/out" "name: api-service"
done_testing
