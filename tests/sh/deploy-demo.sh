#!/usr/bin/env bash
# make demo (tests/demo.sh) end to end, faster than the demo's own clock: it
# succeeds, warns about nothing that then works (a ReadWriteMany claim the
# cluster binds), runs the binaries it is given (CRUCIBLE_BIN, as make
# passes $(O)/bin), and is bold only on a terminal without NO_COLOR; under
# make e2e it runs on the real control plane.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"

# The binaries it is given: a directory of wrappers that note each call.
mkdir -p "$T/bin"
for f in "$BIN"/*; do
	n=${f##*/}
	# exec -a: the binary keeps the path it was run by, as on PATH (up finds its steps there).
	printf '#!/bin/bash\necho "%s" >>"%s/calls"\nexec -a "$0" "%s" "$@"\n' "$n" "$T" "$f" >"$T/bin/$n"
	chmod +x "$T/bin/$n"
done
# make check: the simulator; make e2e: the real control plane it built.
cluster=sim where="simulated cluster at"
[ "${CRUCIBLE_CLUSTER:-sim}" = real ] && cluster=real where="real control plane at"
CRUCIBLE_DEMO_CLUSTER=$cluster CRUCIBLE_DEMO_SPEED=1 CRUCIBLE_BIN="$T/bin" bash tests/demo.sh >"$T/out" 2>"$T/err" </dev/null
code=$?
contains "the demo says which cluster it runs on" "$T/out" "$where"
[ "$code" -eq 0 ] && ok "the demo succeeds" || not_ok "the demo succeeds" "exit $code" "$(tail -c 800 "$T/err")"
contains "the platform is ready" "$T/out" "api-service"
tail -n 3 "$T/out" | grep -q "0 failed" && grep -q '^\$ kubectl crucible verify$' "$T/out" &&
	ok "the demo ends with kubectl crucible verify, clean" || not_ok "the demo ends with kubectl crucible verify, clean" "$(tail -n 5 "$T/out")"
grep -q '^\$ kubectl crucible up$' "$T/out" && grep -qx kubectl-crucible-up "$T/calls" &&
	ok "the demo deploys with kubectl crucible up" || not_ok "the demo deploys with kubectl crucible up" "$(grep '^\$' "$T/out")"
grep -qx kubectl-crucible-verify "$T/calls" && ok "through the verify binary it was given" || not_ok "through the verify binary it was given"
lacks "no warning about a claim that then binds" "$T/err" "asks for ReadWriteMany"
grep -q 'warning' "$T/err" && not_ok "the demo prints no warning" "$(grep warning "$T/err")" || ok "the demo prints no warning"
grep -q '^kubectl-crucible-deploy$' "$T/calls" 2>/dev/null && grep -q '^kubectl-crucible-secrets$' "$T/calls" &&
	ok "the demo runs the binaries in CRUCIBLE_BIN" || not_ok "the demo runs the binaries in CRUCIBLE_BIN" "calls: $(sort -u "$T/calls" 2>/dev/null | tr '\n' ' ')"
grep -q $'\033' "$T/out" "$T/err" && not_ok "piped, the demo prints no escape sequences" "$(grep -h $'\033' "$T/out" "$T/err" | head -3 | cat -v)" ||
	ok "piped, the demo prints no escape sequences"

# On a terminal: its commands in bold; with NO_COLOR no colour or bold at all.
if command -v script >/dev/null; then
	CRUCIBLE_DEMO_CLUSTER=sim CRUCIBLE_DEMO_SPEED=1 CRUCIBLE_BIN="$BIN" script -qec "bash tests/demo.sh" /dev/null >"$T/tty" 2>&1 </dev/null
	grep -q $'\033\[1m\$ kubectl crucible deploy' "$T/tty" && ok "on a terminal the commands are bold" ||
		not_ok "on a terminal the commands are bold" "$(head -c 300 "$T/tty" | cat -v)"
	NO_COLOR=1 CRUCIBLE_DEMO_CLUSTER=sim CRUCIBLE_DEMO_SPEED=1 CRUCIBLE_BIN="$BIN" script -qec "bash tests/demo.sh" /dev/null >"$T/tty" 2>&1 </dev/null
	grep -q $'\033\[[0-9;]*m' "$T/tty" && not_ok "NO_COLOR: no bold, no colour" "$(grep $'\033\[[0-9;]*m' "$T/tty" | head -3 | cat -v)" ||
		ok "NO_COLOR: no bold, no colour"
	contains "... and still the same demo" "$T/tty" "$ kubectl crucible deploy"
else
	skip "script (util-linux) is not installed"
fi

done_testing
