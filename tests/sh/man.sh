#!/usr/bin/env bash
# Man pages: one per binary, generated from its --help (every flag of the
# help is on the page), groff-clean, installed by make install.
. "$(dirname "$0")/../lib.sh"
O=$(dirname "$BIN")
for b in "$BIN"/kubectl-crucible "$BIN"/kubectl-crucible-*; do
	[ -L "$b" ] && continue
	n=${b##*/} page=$O/man/${b##*/}.1
	[ -f "$page" ] && ok "$n has a man page" || { not_ok "$n has a man page"; continue; }
	if groff -ww -z -man "$page" >"$T/err" 2>&1 && [ ! -s "$T/err" ]; then ok "$n.1: groff -ww -z -man is clean"; else not_ok "$n.1: groff -ww -z -man is clean" "$(head -5 "$T/err")"; fi
	missing=
	for f in $("$b" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		grep -qF -- "\\-\\-${f#--}" "$page" || grep -qF -- "$f" "$page" || missing="$missing $f"
	done
	same "$n.1 has every flag of --help" "${missing:-none}" none
	for v in KUBECTL NO_COLOR CRUCIBLE_MANIFESTS ECR_REGISTRY PROJECT_NAME; do grep -q "^.B $v" "$page" || missing="$missing $v"; done
	same "$n.1 documents the environment" "${missing:-none}" none
done
if make -s -C "$TOP" install O="$O" DESTDIR="$T/root" PREFIX=/usr >"$T/out" 2>&1; then ok "make install"; else not_ok "make install" "$(tail -3 "$T/out")"; fi
[ -f "$T/root/usr/share/man/man1/kubectl-crucible-deploy.1" ] && ok "make install puts the pages in share/man/man1" || not_ok "make install puts the pages in share/man/man1"
MANWIDTH=80 man -l "$T/root/usr/share/man/man1/kubectl-crucible.1" >"$T/out" 2>"$T/err"
contains "man -l renders the dispatcher's page" "$T/out" "kubectl crucible"
done_testing
