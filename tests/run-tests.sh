#!/usr/bin/env bash
# Runs every test file (C unit tests in $CRUCIBLE_TESTBIN, shell tests in
# tests/sh), two at a time, and counts their TAP lines. A file that exits
# non-zero without reporting a failure counts as one failure. Ends with
# "N passed, N failed, N skipped".
#   tests/run-tests.sh [unit|sh] [NAME-FILTER]
set -u
cd "$(dirname "$0")/.."
kind=${1:-all} filter=${2:-}
TESTBIN=${CRUCIBLE_TESTBIN:-build/tests}
JOBS=${CRUCIBLE_TEST_JOBS:-2}
PER_FILE_TIMEOUT=${CRUCIBLE_TEST_TIMEOUT:-600}
out=$(mktemp -d "${TMPDIR:-/tmp}/crucible-run.XXXXXX")
trap 'rm -rf "$out"' EXIT

files=()
if [ "$kind" != sh ]; then
	for f in "$TESTBIN"/test_*; do [ -x "$f" ] && files+=("$f"); done
fi
if [ "$kind" != unit ]; then
	for f in tests/sh/*.sh; do [ -f "$f" ] && files+=("$f"); done
fi
[ -n "$filter" ] && mapfile -t files < <(printf '%s\n' "${files[@]}" | grep -- "$filter")

# make e2e: CRUCIBLE_E2E_KUBECTLS="path /x/kubectl" runs each file once per
# kubectl ("path": the one on PATH; else that binary's directory goes first).
kubectls=(${CRUCIBLE_E2E_KUBECTLS:-path})
if [ ${#kubectls[@]} -gt 1 ]; then
	mapfile -t files < <(for f in "${files[@]}"; do for k in "${kubectls[@]}"; do echo "$f@$k"; done; done)
fi

run_one() {
	local f=${1%@*} log=$2 k=
	case $1 in *@*) k=${1##*@} ;; esac
	if [ -n "$k" ] && [ "$k" != path ]; then
		PATH="$(dirname "$k"):$PATH" run_one "$f" "$log"; return
	fi
	local -a cmd=("$f")
	case $f in *.sh) cmd=(bash "$f") ;; esac
	if [ -n "${CRUCIBLE_VALGRIND:-}" ] && [[ $f != *.sh ]]; then
		cmd=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect
			--show-leak-kinds=definite,indirect --suppressions=tests/valgrind.supp
			--error-exitcode=99 "${cmd[@]}")
	fi
	timeout -k 10 "$PER_FILE_TIMEOUT" "${cmd[@]}" >"$log" 2>"$log.err" </dev/null
	echo $? >"$log.rc"
}

i=0
for f in "${files[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
	run_one "$f" "$out/$i" &
	i=$((i + 1))
done
wait

passed=0 failed=0 skipped=0 i=0
for f in "${files[@]}"; do
	log=$out/$i
	i=$((i + 1))
	p=$(grep -c '^ok ' "$log") s=$(grep -c '^ok .*# SKIP' "$log") n=$(grep -c '^not ok' "$log")
	rc=$(cat "$log.rc")
	p=$((p - s))
	if [ "$rc" -ne 0 ] && [ "$n" -eq 0 ]; then
		n=1
		echo "not ok - $f exited with status $rc" >>"$log"
	fi
	if [ "$n" -gt 0 ]; then
		echo "FAIL $f ($p passed, $n failed, $s skipped)"
		grep -v '^ok ' "$log" | sed 's/^/    /'
		tail -n 20 "$log.err" | sed 's/^/    stderr: /'
	else
		echo "ok   $f ($p passed, $s skipped)"
	fi
	passed=$((passed + p)) failed=$((failed + n)) skipped=$((skipped + s))
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
