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

# What there is to complete: namespaces, contexts and migration Jobs of the
# simulated cluster (a backup Job too, which logs must not offer).
start_sim
kubectl create namespace team-a >/dev/null && kubectl create namespace crucible >/dev/null
kubectl config set-context other --cluster="$(kubectl config view -o jsonpath='{.clusters[0].name}')" >/dev/null
kubectl-crucible-migrate-db --backup --dry-run=client 2>/dev/null | kubectl apply -f - >/dev/null
job=$(kubectl get jobs -n crucible -l app.kubernetes.io/component=migration -o 'jsonpath={.items[0].metadata.name}')
backup=$(kubectl get jobs -n crucible -l app.kubernetes.io/component=backup -o 'jsonpath={.items[0].metadata.name}')
case $job:$backup in db-migrate-*:db-backup-*) ok "a migration Job and a backup Job to complete" ;;
*) not_ok "a migration Job and a backup Job to complete" "job '$job' backup '$backup'" ;; esac

# One case a line: KIND|LINE typed (ends with the word being completed)|WANT
# (=X: exactly X)|UNWANTED. Each shell answers every line.
cat >"$T/cases" <<CASES
steps|kubectl-crucible |deploy|
steps through kubectl|kubectl crucible se|=secrets|
subcommands|kubectl-crucible-secrets |generate|
migrate-db's subcommands|kubectl crucible migrate-db |logs|
flags from the step's --help|kubectl-crucible-deploy --ov|=--overlay|
flags through kubectl|kubectl crucible verify --fail|=--fail-on|
overlays|kubectl crucible deploy --overlay |production|
namespaces|kubectl-crucible-deploy -n |team-a|
contexts|kubectl crucible deploy --context |other|
migrate-db logs: the migration Jobs|kubectl crucible migrate-db logs |$job|$backup
migrate-db logs: Jobs of -n's namespace|kubectl-crucible-migrate-db -n team-a logs |=|$job
up --from: its steps|kubectl-crucible-up --from |overlay|
CASES

# judge SHELL: reads the candidates of each case (one a line, --end-- after each).
judge() {
	local sh=$1 kind line want unwanted got
	while IFS='|' read -r kind line want unwanted; do
		got=$(sed -n '/^--end--$/q;p' <&3)
		case $want in
		=*) same "$sh: $kind" "$got" "${want#=}" ;;
		*) if printf '%s\n' "$got" | grep -qxF -- "$want"; then ok "$sh: $kind"; else not_ok "$sh: $kind" "'$line' gave: $(echo $got)"; fi ;;
		esac
		[ -z "$unwanted" ] && continue
		if printf '%s\n' "$got" | grep -qxF -- "$unwanted"; then not_ok "$sh: $kind, not $unwanted" "'$line' gave: $(echo $got)"; else ok "$sh: $kind, not $unwanted"; fi
	done <"$T/cases" 3<"$T/got.$sh"
}

# bash: COMP_WORDS/COMP_CWORD as readline sets them, then the function the
# script registered with complete -F (compgen does the matching).
bash_complete() { # LINE
	bash -c 'source "$1"; read -ra COMP_WORDS <<<"$2"; [[ $2 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) COMP_LINE=$2 COMP_POINT=${#2}
		f=$(complete -p "${COMP_WORDS[0]}" | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		"$f" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$T/comp.bash" "$1"
}
while IFS='|' read -r _ line _; do bash_complete "$line"; echo --end--; done <"$T/cases" >"$T/got.bash" 2>"$T/err"
judge bash

# fish: complete -C asks fish's own machinery (candidate, tab, description).
if command -v fish >/dev/null; then
	while IFS='|' read -r _ line _; do
		fish -c 'source $argv[1]; complete -C $argv[2]' "$T/comp.fish" "$line" | cut -f1; echo --end--
	done <"$T/cases" >"$T/got.fish" 2>"$T/err"
	judge fish
else
	skip "fish: not installed"
fi

# zsh: an interactive zsh in a pseudo-terminal presses Tab (tests/complete.zsh).
if command -v zsh >/dev/null; then
	mapfile -t lines < <(cut -d'|' -f2 "$T/cases")
	zsh -f "$TOP/tests/complete.zsh" "$T/comp.zsh" "$T" "${lines[@]}" >"$T/got.zsh" 2>"$T/err" ||
		not_ok "zsh answers through zpty" "$(head -3 "$T/err")"
	judge zsh
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
export KUBECONFIG=$T/kubeconfig
expect_exit 0 "kubectl crucible version with a server" kubectl crucible version
contains "version: the server's version" "$T/out" "Server Version: v"
done_testing
