#!/usr/bin/env bash
# Man pages: one per binary, generated from its --help (tools/help2man.sh):
# the sections a man page has, every flag of --help an OPTIONS entry and no
# other, every exit code of the help an EXIT STATUS entry, the environment,
# the help's examples; groff -ww clean, whatis-readable, installed by make
# install under share/man/man1.
. "$(dirname "$0")/../lib.sh"
O=$(dirname "$BIN")

# The long flags of --help's option lines (popt's table: "  -o, --output=X  text").
help_flags() { "$1" --help | sed -n 's/^ \{2,6\}\(-[A-Za-z?], \)\{0,1\}--\([a-z][a-z-]*\).*/--\2/p' | sort -u; }
# The flags of the page's OPTIONS entries (the line after each .TP).
page_flags() {
	awk '/^\.SH/ { on = ($0 == ".SH OPTIONS") } on && prev == ".TP" { print } { prev = $0 }' "$1" |
		sed 's/\\-/-/g' | grep -o -- '--[a-z][a-z-]*' | sort -u
}
# What the page says in one section (troff's \- as -).
section() { awk -v s=".SH $2" '/^\.SH/ { on = ($0 == s) } on' "$1" | sed 's/\\-/-/g; s/\\://g'; } # roff text as read: \- a dash, \: a break point

for b in "$BIN"/kubectl-crucible "$BIN"/kubectl-crucible-*; do
	[ -L "$b" ] && continue
	n=${b##*/} page=$O/man/${b##*/}.1
	[ -f "$page" ] && ok "$n has a man page" || { not_ok "$n has a man page"; continue; }
	if groff -ww -z -man "$page" >"$T/err" 2>&1 && [ ! -s "$T/err" ]; then ok "$n.1: groff -ww -z -man is clean"; else not_ok "$n.1: groff -ww -z -man is clean" "$(head -5 "$T/err")"; fi
	same "$n.1: the sections, in order" "$(sed -n 's/^\.SH //p' "$page" | tr '\n' ',')" \
		"NAME,SYNOPSIS,DESCRIPTION,OPTIONS,EXIT STATUS,ENVIRONMENT,EXAMPLES,SEE ALSO,"
	lexgrog "$page" >"$T/out" 2>&1
	contains "$n.1: whatis reads its NAME line" "$T/out" "\"$n - "
	section "$page" SYNOPSIS >"$T/out"
	contains "$n.1: the synopsis has --help's usage" "$T/out" "$("$b" --help | sed -n 's/^Usage: \(kubectl crucible\|[^ ]*\) //p' | head -n 1)"

	help_flags "$b" >"$T/help-flags"
	page_flags "$page" >"$T/page-flags"
	[ -s "$T/help-flags" ] || not_ok "$n --help has option lines"
	same "$n.1: OPTIONS has every flag of --help, and only those" \
		"$(diff "$T/help-flags" "$T/page-flags" | grep '^[<>]' | tr '\n' ' ')" ""

	# Exit codes: each "N text" of the help's Exit status paragraph is an entry.
	codes=$("$b" --help | awk '/^Exit status:/ { on = 1 } on && /^$/ { on = 0 } on' | tr '\n' ' ' |
		grep -oE '(^Exit status: |[;,] )[0-9]+ ' | grep -oE '[0-9]+' | sort -u | tr '\n' ' ')
	[ -n "$codes" ] || codes="0 1 2 3 4 5 130 " # no paragraph: the project's codes
	missing=
	section "$page" "EXIT STATUS" | sed -n 's/^\\fB\([0-9]*\)\( to \([0-9]*\)\)\{0,1\}\\fR$/\1 \3/p' >"$T/entries"
	for c in $codes; do # an entry "N", or "N to M" around it
		awk -v c="$c" '{ if ($1 == c || ($2 != "" && $1 <= c && c <= $2)) f = 1 } END { exit !f }' "$T/entries" || missing="$missing $c"
	done
	same "$n.1: EXIT STATUS has each code of --help ($codes)" "${missing:-none}" none

	missing=
	for v in KUBECTL NO_COLOR CRUCIBLE_MANIFESTS ECR_REGISTRY PROJECT_NAME; do
		section "$page" ENVIRONMENT | grep -qx ".B $v" || missing="$missing $v"
	done
	same "$n.1: ENVIRONMENT documents the variables" "${missing:-none}" none

	missing=
	section "$page" EXAMPLES >"$T/examples"
	while IFS= read -r ex; do grep -qxF -- "$ex" "$T/examples" || missing="$missing [$ex]"; done \
		< <("$b" --help | awk '/^Examples?:$/ { on = 1; next } on && /^$/ { on = 0 } on' | sed 's/^  //')
	same "$n.1: EXAMPLES has every example of --help" "${missing:-none}" none
	section "$page" "SEE ALSO" >"$T/out"
	if [ "$n" = kubectl-crucible ]; then
		for s in "$BIN"/kubectl-crucible-*; do
			[ -L "$s" ] && continue
			contains "kubectl-crucible.1: SEE ALSO ${s##*/}" "$T/out" ".BR ${s##*/} (1)"
		done
	else
		contains "$n.1: SEE ALSO kubectl-crucible(1)" "$T/out" ".BR kubectl-crucible (1)"
	fi
done

# The pages of the tools written for pipes show a pipe.
for n in kubectl-crucible kubectl-crucible-up kubectl-crucible-deploy kubectl-crucible-secrets kubectl-crucible-overlay; do
	section "$O/man/$n.1" EXAMPLES | grep -q ' | ' && ok "$n.1: an example with a pipe" || not_ok "$n.1: an example with a pipe"
done
# Dispatcher-specific: the steps built are listed, its own flags are -h and --version.
section "$O/man/kubectl-crucible.1" DESCRIPTION >"$T/out"
contains "kubectl-crucible.1 lists the steps" "$T/out" '\fBdeploy\fR'
contains "kubectl-crucible.1 names completion" "$T/out" '\fBcompletion bash|zsh|fish\fR'

# The comparison sees drift: deploy's page against verify's help differs.
help_flags "$BIN/kubectl-crucible-verify" >"$T/help-flags"
page_flags "$O/man/kubectl-crucible-deploy.1" >"$T/page-flags"
if diff -q "$T/help-flags" "$T/page-flags" >/dev/null; then not_ok "a page that lacks a flag of --help is caught"; else ok "a page that lacks a flag of --help is caught"; fi
# A page is remade when its binary changes (make's rule), from what it prints then.
printf '#!/bin/sh\nprintf "%%s\\n" "A fake step." "" "Usage: kubectl-crucible-fake [flags]" "      --brand-new=X     a flag added today" "  -h, --help            show this help and exit" "" "Exit status: 0 ok, 7 odd."\n' >"$T/kubectl-crucible-fake"
chmod +x "$T/kubectl-crucible-fake"
sh "$TOP/tools/help2man.sh" "$T/kubectl-crucible-fake" 0.0 >"$T/fake.1"
page_flags "$T/fake.1" >"$T/out"
contains "a flag new in --help is on the page generated from it" "$T/out" "--brand-new"
section "$T/fake.1" "EXIT STATUS" >"$T/out"
contains "... and so is a new exit code" "$T/out" '\fB7\fR'

if make -s -C "$TOP" install O="$O" DESTDIR="$T/root" PREFIX=/usr >"$T/out" 2>&1; then ok "make install"; else not_ok "make install" "$(tail -3 "$T/out")"; fi
for b in "$BIN"/kubectl-crucible "$BIN"/kubectl-crucible-*; do
	[ -L "$b" ] && continue
	p=$T/root/usr/share/man/man1/${b##*/}.1
	[ -f "$p" ] && ok "make install puts ${b##*/}.1 in share/man/man1" || { not_ok "make install puts ${b##*/}.1 in share/man/man1"; continue; }
	MANWIDTH=80 man -l "$p" >"$T/out" 2>"$T/err"
	if [ -s "$T/err" ]; then not_ok "man -l ${b##*/}.1 renders without a warning" "$(head -3 "$T/err")"; else ok "man -l ${b##*/}.1 renders without a warning"; fi
	contains "man -l ${b##*/}.1 shows the page" "$T/out" "EXIT STATUS"
done
# man finds them by name under the installed prefix.
MANPATH=$T/root/usr/share/man MANWIDTH=80 man kubectl-crucible-deploy >"$T/out" 2>"$T/err"
contains "man kubectl-crucible-deploy finds the installed page" "$T/out" "kubectl crucible deploy"
done_testing
