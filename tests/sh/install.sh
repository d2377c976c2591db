#!/usr/bin/env bash
# make install lays out binaries, manifests and completers; an installed tool
# finds its manifests without the source tree.
. "$(dirname "$0")/../lib.sh"
root=$T/root
if make -s -C "$TOP" install O="$(dirname "$BIN")" DESTDIR="$root" PREFIX=/usr >"$T/out" 2>&1; then
	ok "make install succeeds"
else
	not_ok "make install succeeds" "$(tail -5 "$T/out")"
fi
for b in "$BIN"/kubectl-crucible*; do
	[ -L "$b" ] && continue
	[ -x "$root/usr/bin/${b##*/}" ] && ok "installs ${b##*/}" || not_ok "installs ${b##*/}"
done
[ -x "$root/usr/bin/kubectl_complete-crucible" ] && ok "installs the completer" || not_ok "installs the completer"
[ -f "$root/usr/share/kubectl-crucible/k8s/base/kustomization.yaml" ] && ok "installs the manifests" || not_ok "installs the manifests"

# Outside the source tree, the installed copy is the default source.
cd "$T" || exit 1
expect_exit 0 "an installed deploy renders its own manifests" "$root/usr/bin/kubectl-crucible-deploy" --dry-run=client
contains "the default manifests are the platform's" "$T/out" "name: api-service"
done_testing
