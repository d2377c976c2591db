#!/usr/bin/env bash
# The Makefile's knobs: every tool whose name has a dash gets the underscore
# link kubectl's plugin lookup asks for (built and installed), `clean`
# removes only the O= tree, and WERROR=0 drops -Werror (on by default).
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
O="$T/o"

# A tool named with a dash (make -n: nothing is built).
make -n O="$O" TOOLS="crucible foo-bar" all >"$T/all" 2>&1
contains "a dashed tool gets its underscore link" "$T/all" "ln -sf kubectl-crucible-foo-bar $O/bin/kubectl-crucible-foo_bar"
make -n O="$O" TOOLS="crucible foo-bar" install DESTDIR="$T/dest" >"$T/install" 2>&1
contains "... and install makes it" "$T/install" "ln -sf kubectl-crucible-foo-bar $T/dest/usr/local/bin/kubectl-crucible-foo_bar"
make -n O="$O" TOOLS="crucible plain" all >"$T/plain" 2>&1
lacks "a tool without a dash gets no link" "$T/plain" "ln -sf kubectl-crucible-plain"

mkdir -p "$O/build/x" "$O/bin" "$O/dist"
: >"$O/bin/kubectl-crucible"
make -s clean O="$O" >/dev/null 2>&1
[ ! -e "$O/build" ] && [ ! -e "$O/bin" ] && [ ! -e "$O/dist" ] && ok "clean O=DIR removes DIR's build, bin and dist" ||
	not_ok "clean O=DIR removes DIR's build, bin and dist" "$(ls -R "$O")"
make -n clean O="$O" >"$T/clean" 2>&1
lacks "... and names nothing outside DIR" "$T/clean" "rm -rf build"

make -n O="$O" all >"$T/werror" 2>&1
contains "-Werror by default" "$T/werror" " -Werror "
make -n O="$O" WERROR=0 all >"$T/nowerror" 2>&1
lacks "WERROR=0: no -Werror" "$T/nowerror" "-Werror"
grep -q -- ' -Wall -Wextra ' "$T/nowerror" && ok "... the warnings themselves stay" || not_ok "... the warnings themselves stay"
done_testing
