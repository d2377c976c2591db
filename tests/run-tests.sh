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

# make valgrind: the shell tests run the tools themselves under valgrind,
# through a wrapper of each binary's name (a leak or error is a log in $log.vg,
# and exit 99); kubectl and the tools' own children run as they are.
vg_opts=(-q --leak-check=full --errors-for-leak-kinds=definite,indirect
	--show-leak-kinds=definite,indirect --suppressions="$PWD/tests/valgrind.supp" --error-exitcode=99)
if [ -n "${CRUCIBLE_VALGRIND:-}" ]; then
	vgbin=$out/vgbin
	mkdir -p "$vgbin"
	for b in "${CRUCIBLE_BIN:-bin}"/*; do
		real=$(readlink -f "$b")
		if [ "$(head -c 4 "$real" | od -An -c | tr -d ' ')" = '177ELF' ]; then
			printf '#!/bin/bash\nexec valgrind %s --log-file="$CRUCIBLE_VALGRIND_LOGS/%%p" %q "$@"\n' \
				"$(printf '%q ' "${vg_opts[@]}")" "$real" >"$vgbin/${b##*/}"
			chmod 0755 "$vgbin/${b##*/}"
		else
			ln -s "$real" "$vgbin/${b##*/}"
		fi
	done
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
		cmd=(valgrind "${vg_opts[@]}" "${cmd[@]}")
	elif [ -n "${CRUCIBLE_VALGRIND:-}" ]; then
		mkdir -p "$log.vg"
		cmd=(env CRUCIBLE_BIN="$vgbin" CRUCIBLE_VALGRIND_LOGS="$log.vg" "${cmd[@]}")
	fi
	timeout -k 10 "$PER_FILE_TIMEOUT" "${cmd[@]}" >"$log" 2>"$log.err" </dev/null
	echo $? >"$log.rc"
	if [ -d "$log.vg" ]; then
		local v
		for v in "$log.vg"/*; do
			[ -s "$v" ] || continue
			echo "not ok - valgrind: a tool run in $f leaked or erred (pid ${v##*/})" >>"$log"
			sed 's/^/#   /' "$v" >>"$log"
		done
		echo "# valgrind: $(ls "$log.vg" | wc -l) tool runs" >>"$log"
	fi
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
