#!/usr/bin/env bash
# Every fuzz target over its corpus (tests/fuzz/corpus/NAME), through the
# standalone driver the build links when libFuzzer is not used: a crash,
# an abort of a target's property, or a sanitizer report (make asan) that
# was fixed stays fixed. With CRUCIBLE_VALGRIND (make valgrind) each run is
# under valgrind's leak checker with the project's suppressions.
. "$(dirname "$0")/../lib.sh"
FUZZBIN=${CRUCIBLE_TESTBIN:-$TOP/build/tests}/fuzz
# Whole stacks for leaks, so the one suppression (a frame inside libjq) can match.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0:malloc_context_size=8
export LSAN_OPTIONS=suppressions=$TOP/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}

targets=()
for f in "$TOP"/tests/fuzz/*.c; do
	case ${f##*/} in driver.c | fuzz.c) continue ;; esac
	t=${f##*/}
	targets+=("${t%.c}")
done
[ ${#targets[@]} -ge 9 ] && ok "fuzz targets found (${#targets[@]})" || not_ok "fuzz targets found" "only ${targets[*]}"

for t in "${targets[@]}"; do
	corpus=$TOP/tests/fuzz/corpus/$t
	n=$(find "$corpus" -type f 2>/dev/null | wc -l)
	if [ ! -x "$FUZZBIN/$t" ]; then
		not_ok "fuzz target $t is built" "no $FUZZBIN/$t"
		continue
	fi
	if [ "$n" -lt 3 ]; then
		not_ok "fuzz target $t has a seed corpus" "$n files in $corpus"
		continue
	fi
	cmd=("$FUZZBIN/$t" "$corpus")
	if [ -n "${CRUCIBLE_VALGRIND:-}" ]; then
		cmd=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect
			--show-leak-kinds=definite,indirect --suppressions="$TOP/tests/valgrind.supp"
			--error-exitcode=99 "${cmd[@]}")
	fi
	if "${cmd[@]}" >"$T/out" 2>"$T/err" && grep -qx "$n inputs" "$T/out"; then
		ok "fuzz target $t: its $n corpus inputs run clean"
	else
		not_ok "fuzz target $t: its $n corpus inputs run clean" "$(grep -v warning: "$T/err" | tail -n 15)"
	fi
done
done_testing
