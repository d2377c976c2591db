#!/usr/bin/env bash
# kubectl crucible completion bash|zsh|fish: each real shell sources the
# script and its own completion machinery offers the candidates.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
for sh in bash zsh fish; do
	expect_exit 0 "completion $sh prints a script" kubectl crucible completion "$sh"
	cp "$T/out" "$T/comp.$sh"
done
expect_exit 2 "completion without a known shell is a usage error" kubectl crucible completion tcsh

# bash: COMP_WORDS/COMP_CWORD set as readline would, then the registered function.
bash_complete() { # WORDS...: the last one is being completed
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		f=$(complete -p "$1" | sed -n "s/.*-F \([^ ]*\) .*/\1/p"); "$f"; printf "%s\n" "${COMPREPLY[@]}"' _ "$T/comp.bash" "$@"
}
bash_complete kubectl-crucible "" >"$T/out"
contains "bash: steps complete" "$T/out" deploy
bash_complete kubectl-crucible-secrets "" >"$T/out"
contains "bash: a step's subcommands" "$T/out" generate
bash_complete kubectl-crucible-deploy --ov >"$T/out"
same "bash: a step's flags, filtered by the prefix" "$(cat "$T/out")" --overlay
bash_complete kubectl crucible deploy --overlay "" >"$T/out"
contains "bash: kubectl crucible ... --overlay offers the overlays" "$T/out" production
bash_complete kubectl crucible se >"$T/out"
same "bash: kubectl crucible se completes to secrets" "$(cat "$T/out")" secrets

# fish: complete -C asks fish's own machinery.
if command -v fish >/dev/null; then
	fish -c "source $T/comp.fish; complete -C 'kubectl-crucible '" >"$T/out" 2>"$T/err"
	contains "fish: steps complete" "$T/out" deploy
	fish -c "source $T/comp.fish; complete -C 'kubectl crucible secrets '" >"$T/out" 2>"$T/err"
	contains "fish: kubectl crucible secrets offers subcommands" "$T/out" generate
	fish -c "source $T/comp.fish; complete -C 'kubectl-crucible-deploy --ov'" >"$T/out" 2>"$T/err"
	contains "fish: a step's flags" "$T/out" --overlay
else
	skip "fish: not installed"
fi

# zsh: compinit loaded, the script sourced, the function run as the
# completion system would (words/CURRENT), compadd recording what it is given.
if command -v zsh >/dev/null; then
	zsh_complete() {
		zsh -f -c 'autoload -U compinit && compinit -u -d "$2/zcompdump"; source "$1"; shift 2
			words=("$@"); CURRENT=$#; compadd() { [[ $1 == -a ]] && print -l -- "${(@P)2}"; }
			[[ $_comps[$words[1]] == _kubectl_crucible ]] && _kubectl_crucible' _ "$T/comp.zsh" "$T" "$@"
	}
	zsh_complete kubectl-crucible "" >"$T/out" 2>"$T/err"
	contains "zsh: compdef registers the binaries; steps complete" "$T/out" deploy
	zsh_complete kubectl-crucible-secrets "" >"$T/out" 2>"$T/err"
	contains "zsh: a step's subcommands" "$T/out" generate
	zsh_complete kubectl crucible deploy --ov >"$T/out" 2>"$T/err"
	contains "zsh: kubectl crucible deploy flags" "$T/out" --overlay
else
	skip "zsh: not installed"
fi

# version: every step's, kubectl's; an unreachable server is said, not a failure.
export KUBECONFIG=$T/none
printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: x\n  cluster: {server: "http://127.0.0.1:9"}\ncontexts:\n- name: x\n  context: {cluster: x}\ncurrent-context: x\n' >"$KUBECONFIG"
expect_exit 0 "kubectl crucible version with no server" kubectl crucible version
contains "version: the server is said to be unreachable" "$T/out" "Server Version: (server not reachable)"
contains "version: kubectl's client version" "$T/out" "Client Version: v1."
for b in "$BIN"/kubectl-crucible-*; do
	[ -L "$b" ] && continue
	contains "version: ${b##*/}" "$T/out" "crucible ${b##*/kubectl-crucible-} "
done
start_sim
expect_exit 0 "kubectl crucible version with a server" kubectl crucible version
contains "version: the server's version" "$T/out" "Server Version: v"
done_testing
