#!/usr/bin/env bash
# make demo (tests/demo.sh) end to end, faster than the demo's own clock: it
# succeeds, warns about nothing that then works (a ReadWriteMany claim the
# cluster binds), and runs the binaries it is given (CRUCIBLE_BIN).
. "$(dirname "$0")/../lib.sh"
cd "$TOP"

CRUCIBLE_DEMO_SPEED=1 CRUCIBLE_BIN="$BIN" bash tests/demo.sh >"$T/out" 2>"$T/err" </dev/null
code=$?
[ "$code" -eq 0 ] && ok "the demo succeeds" || not_ok "the demo succeeds" "exit $code" "$(tail -c 800 "$T/err")"
contains "the platform is ready" "$T/out" "api-service"
lacks "no warning about a claim that then binds" "$T/err" "asks for ReadWriteMany"
grep -q 'warning' "$T/err" && not_ok "the demo prints no warning" "$(grep warning "$T/err")" || ok "the demo prints no warning"

done_testing
