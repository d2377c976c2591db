#!/usr/bin/env bash
# Conventions every step binary shares: help, version, usage errors, colour.
. "$(dirname "$0")/../lib.sh"

steps=0
for b in "$BIN"/kubectl-crucible-*; do
	[ -e "$b" ] && [ ! -L "$b" ] || continue
	name=${b##*/}
	steps=$((steps + 1))
	expect_exit 0 "$name --help exits 0" "$b" --help
	contains "$name --help starts with a usage line" "$T/out" "Usage: $name "
	[ -s "$T/err" ] && not_ok "$name --help prints nothing on stderr" "$(cat "$T/err")" || ok "$name --help prints nothing on stderr"
	cp "$T/out" "$T/help"
	expect_exit 0 "$name -h exits 0" "$b" -h
	if cmp -s "$T/out" "$T/help"; then ok "$name -h is --help"; else not_ok "$name -h is --help"; fi
	contains "$name help lists the global flags" "$T/help" "--namespace"
	contains "$name help lists --kubectl" "$T/help" "--kubectl"

	expect_exit 0 "$name --version exits 0" "$b" --version
	contains "$name --version names the tool and version" "$T/out" "$name 0."

	expect_exit 2 "$name rejects an unknown flag with exit 2" "$b" --no-such-flag
	contains "$name names the unknown flag" "$T/err" "--no-such-flag"
	[ "$(wc -l <"$T/err")" -eq 1 ] && ok "$name usage error is one line" || not_ok "$name usage error is one line" "$(cat "$T/err")"

	# popt would take the next flag as the namespace: refuse instead.
	expect_exit 2 "$name -n --verbose is a usage error" "$b" -n --verbose
	contains "$name says the flag needs a value" "$T/err" "needs a value"

	# Colour only on a terminal, never with NO_COLOR or --no-color.
	if command -v script >/dev/null; then
		script -qec "$b --no-such-flag" /dev/null >"$T/tty" 2>&1
		if grep -q $'\033\[' "$T/tty"; then ok "$name colours errors on a terminal"; else not_ok "$name colours errors on a terminal"; fi
		NO_COLOR=1 script -qec "$b --no-such-flag" /dev/null >"$T/tty" 2>&1
		if grep -q $'\033\[' "$T/tty"; then not_ok "$name honours NO_COLOR"; else ok "$name honours NO_COLOR"; fi
		script -qec "$b --no-color --no-such-flag" /dev/null >"$T/tty" 2>&1
		if grep -q $'\033\[' "$T/tty"; then not_ok "$name honours --no-color"; else ok "$name honours --no-color"; fi
	fi
	"$b" --no-such-flag 2>"$T/err"
	if grep -q $'\033\[' "$T/err"; then not_ok "$name never colours a pipe"; else ok "$name never colours a pipe"; fi
done
# A missing kubectl: exit 4 and the one message, once.
for cmd in "kubectl-crucible-deploy" "kubectl-crucible-secrets list" "kubectl-crucible-secrets apply"; do
	set -- $cmd
	[ -x "$BIN/$1" ] || continue
	(cd "$TOP" && expect_exit 4 "$cmd: a missing kubectl exits 4" "$BIN/$1" "${@:2}" --kubectl /nonexistent/kubectl)
	n=$(grep -c 'kubectl not found (set KUBECTL or --kubectl)' "$T/err")
	[ "$n" -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && ok "$cmd: says kubectl not found, once" ||
		not_ok "$cmd: says kubectl not found, once" "$(cat "$T/err")"
	KUBECTL=/nonexistent/kubectl expect_exit 4 "$cmd: KUBECTL pointing nowhere exits 4" "$BIN/$1" "${@:2}"
done

[ "$steps" -ge 1 ] && ok "step binaries were built ($steps)" || not_ok "step binaries were built"
done_testing
