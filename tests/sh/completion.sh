#!/usr/bin/env bash
# Plugin completion through kubectl's own __complete (kubectl 1.26+), both
# with every step on PATH (make install) and with only the dispatcher (krew).
. "$(dirname "$0")/../lib.sh"
complete_words() { kubectl __complete "$@" 2>/dev/null | grep -v '^:' | cut -f1; }

complete_words crucible "" >"$T/out"
contains "steps complete after 'crucible'" "$T/out" "deploy"
contains "every installed step is offered" "$T/out" "secrets"
complete_words crucible secrets "" >"$T/out"
for sub in generate apply check list; do contains "secrets offers $sub" "$T/out" "$sub"; done
complete_words crucible deploy --ov >"$T/out"
contains "flags complete from the step's own help" "$T/out" "--overlay"
(cd "$TOP" && complete_words crucible deploy --overlay "") >"$T/out"
contains "--overlay offers the project's overlays" "$T/out" "production"
contains "--overlay offers dev too" "$T/out" "dev"
kubectl __complete crucible deploy -f "" 2>/dev/null | tail -n 1 >"$T/out"
contains "-f falls back to file completion" "$T/out" ":0"

# kubectl asks kubectl_complete-crucible-migrate_db when kubectl-crucible-migrate_db is on PATH.
complete_words crucible migrate-db "" >"$T/out"
contains "a dashed step completes through kubectl's underscore spelling" "$T/out" "history"
complete_words crucible up --from "" >"$T/out"
contains "up --from offers the steps" "$T/out" "verify"

complete_words crucible secrets check "" >"$T/out"
lacks "subcommands are offered only as the first word" "$T/out" "generate"

# krew: only the dispatcher and the completer on PATH, the steps beside the real files.
mkdir -p "$T/store" "$T/path"
cp -P "$BIN"/kubectl-crucible* "$BIN"/kubectl_complete-crucible* "$T/store/"
ln -s "$T/store/kubectl-crucible" "$T/path/kubectl-crucible"
ln -s "$T/store/kubectl_complete-crucible" "$T/path/kubectl_complete-crucible"
PATH="$T/path:$T/store:/usr/bin:/bin"
PATH="$T/path:/usr/bin:/bin" complete_words crucible secrets "" >"$T/out"
contains "krew layout: subcommands still complete" "$T/out" "generate"
done_testing
