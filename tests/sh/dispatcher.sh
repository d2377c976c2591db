#!/usr/bin/env bash
# The kubectl-crucible dispatcher through real kubectl plugin dispatch.
. "$(dirname "$0")/../lib.sh"

# A krew-like install: the archive unpacked in a store dir, only the dispatcher linked onto PATH.
store=$T/store path=$T/path
mkdir -p "$store" "$path"
cp "$BIN"/kubectl-crucible* "$store"/
# A fake step spelled with a dash, to prove kubectl's migrate_db spelling reaches it.
printf '#!/bin/sh\n[ "$1" = --summary ] && { echo "fake step for tests"; exit 0; }\necho "fake-step args: $*"\n' >"$store/kubectl-crucible-fake-step"
chmod +x "$store/kubectl-crucible-fake-step"
ln -s "$store/kubectl-crucible" "$path/kubectl-crucible"
export PATH="$path:$(dirname "$(command -v kubectl)"):/usr/bin:/bin"

expect_exit 0 "kubectl crucible lists the steps" kubectl crucible
contains "the list has a usage line" "$T/out" "Usage: kubectl crucible STEP"
contains "steps found next to the real executable (krew layout)" "$T/out" "fake-step"
contains "each step has its one-line summary" "$T/out" "fake step for tests"
for b in "$store"/kubectl-crucible-*; do
	step=${b##*/kubectl-crucible-}
	case $step in *_*) continue ;; esac
	contains "step $step is listed" "$T/out" "  $step "
done

expect_exit 0 "kubectl crucible help lists too" kubectl crucible help
contains "help output" "$T/out" "Steps installed:"

expect_exit 2 "an unknown step exits 2" kubectl crucible nosuch
contains "the unknown step is named" "$T/err" "unknown step 'nosuch'"
expect_exit 2 "a misspelt step exits 2" kubectl crucible fake-stpe
contains "the closest name is suggested" "$T/err" "Did you mean 'fake-step'?"

expect_exit 0 "a step runs with its arguments" kubectl crucible fake-step -n demo x
contains "arguments pass through" "$T/out" "fake-step args: -n demo x"
expect_exit 0 "kubectl's underscore spelling reaches the dashed step" kubectl crucible fake_step y
contains "underscore spelling ran the step" "$T/out" "fake-step args: y"

expect_exit 0 "--version" kubectl crucible --version
contains "version line" "$T/out" "kubectl-crucible "

# A step binary prints "kubectl crucible STEP" in its usage when dispatched.
for b in "$store"/kubectl-crucible-*; do
	step=${b##*/kubectl-crucible-}
	case $step in fake-step|*_*) continue ;; esac
	expect_exit 0 "kubectl crucible $step --help" kubectl crucible "$step" --help
	contains "$step usage names the plugin form" "$T/out" "Usage: kubectl crucible $step"
done

# Only the dispatcher on PATH, no steps anywhere: the list says so.
mkdir -p "$T/lonely"
cp "$BIN/kubectl-crucible" "$T/lonely/"
PATH="$T/lonely:/usr/bin:/bin" expect_exit 0 "a lone dispatcher still answers" kubectl-crucible
contains "no steps found is said plainly" "$T/out" "(none found"
done_testing
