#!/usr/bin/env bash
# kubectl crucible up: the guide end to end through real kubectl against the
# simulated cluster, and its control flow with stand-in steps (order, flags
# passed only where a step's --help has them, stop at the first failure,
# --from, --dry-run, -o json, Ctrl-C).
. "$(dirname "$0")/../lib.sh"
cd "$TOP"

# End to end: the real steps, through kubectl's plugin dispatch.
start_sim --scenario "$TOP/tests/scenarios/deploy-base.json"
default_class_shared
expect_exit 0 "kubectl crucible up deploys the platform" kubectl crucible up
contains "progress numbers the steps" "$T/err" "] secrets apply"
contains "deploy is a numbered step" "$T/err" "] deploy"
contains "the deploy's summary reaches stdout" "$T/out" "api-service"
kubectl get secrets -n crucible -o name >"$T/secrets" 2>&1
contains "secrets apply ran first" "$T/secrets" "secret/"
expect_exit 0 "a second up changes nothing and succeeds" kubectl crucible up -o json
jq -e '.exitCode == 0 and ([.steps[] | select(.name == "deploy") | .result] == ["ok"])' "$T/out" >/dev/null &&
	ok "-o json: one object per step with its result" || not_ok "-o json: one object per step with its result" "$(head -c 400 "$T/out")"
jq -e '[.steps[] | has("name") and has("exitCode") and has("durationSeconds") and has("result")] | all' "$T/out" >/dev/null &&
	ok "-o json: name, exitCode, durationSeconds, result" || not_ok "-o json: name, exitCode, durationSeconds, result"
expect_exit 0 "up --dry-run against the cluster" kubectl crucible up --dry-run
contains "--dry-run: secrets apply has no dry run and is skipped" "$T/err" "skipping secrets"

# Stand-in steps beside a copy of up, as in krew's store.
F=$T/fake
mkdir -p "$F"
cp "$BIN/kubectl-crucible-up" "$F/"
fake() { # fake NAME HELP-FLAGS...
	local name=$1; shift
	{
		echo '#!/bin/sh'
		echo 'if [ "$1" = --help ]; then'
		printf '  echo "Usage: kubectl-crucible-%s [flags]"\n' "$name"
		for f in "$@"; do printf '  echo "      %s=X   a flag"\n' "$f"; done
		echo '  exit 0; fi'
		printf 'echo "%s $*" >>"%s/calls"\n' "$name" "$T"
		printf 'echo "%s stdout"\n' "$name"
		printf '[ -n "${FAKE_SLEEP_%s:-}" ] && { trap "echo %s got TERM >>%s/calls; exit 130" TERM; sleep 30 & wait; }\n' "${name//-/_}" "$name" "$T"
		printf 'exit "${FAKE_EXIT_%s:-0}"\n' "${name//-/_}"
	} >"$F/kubectl-crucible-$name"
	chmod +x "$F/kubectl-crucible-$name"
}
fake secrets --overlay --namespace --kubeconfig --context --verbose
fake overlay --overlay --namespace
fake deploy --overlay --namespace --kubeconfig --dry-run --migrate
fake verify --namespace
# PATH without bin/: only the stand-ins are installed (bin/ has a real migrate-db).
up() { rm -f "$T/calls"; PATH=/usr/local/bin:/usr/bin:/bin "$F/kubectl-crucible-up" "$@"; }

expect_exit 0 "stand-ins: up runs every installed step" up --kubeconfig "$T/kc"
same "in the guide's order, overlay left out without --overlay" "$(cut -d' ' -f1 "$T/calls" | tr '\n' ' ')" "secrets deploy verify "
grep '^secrets ' "$T/calls" >"$T/line"
contains "secrets runs its apply subcommand" "$T/line" "secrets apply"
contains "global flags pass on" "$T/line" "--kubeconfig=$T/kc"
grep '^verify ' "$T/calls" >"$T/line"
lacks "a flag the step's --help lacks is not passed" "$T/line" "--kubeconfig"
contains "step output passes through to stdout" "$T/out" "deploy stdout"
contains "progress: [1/3] secrets apply" "$T/err" "[1/3] secrets apply"
contains "progress: [3/3] verify" "$T/err" "[3/3] verify"
grep '^deploy ' "$T/calls" >"$T/line"
lacks "no --migrate while migrate-db is not installed" "$T/line" "--migrate"

fake migrate-db
expect_exit 0 "with --overlay and migrate-db installed" up --overlay production
same "overlay validate runs before deploy" "$(cut -d' ' -f1-2 "$T/calls" | tr '\n' ',')" "secrets apply,overlay validate,deploy --overlay=production,verify --namespace=crucible,"
grep '^deploy ' "$T/calls" >"$T/line"
contains "deploy gets --migrate when migrate-db is installed" "$T/line" "--migrate"
contains "progress counts four steps" "$T/err" "[4/4] verify"

FAKE_EXIT_deploy=5 expect_exit 5 "a failing step's exit code is up's" up --overlay dev
same "the steps after it do not run" "$(cut -d' ' -f1 "$T/calls" | tr '\n' ' ')" "secrets overlay deploy "
contains "says which step failed" "$T/err" "step deploy failed (exit 5)"
contains "says what to run next" "$T/err" "kubectl crucible up --overlay dev --from deploy"

expect_exit 0 "--from deploy resumes there" up --from deploy
same "--from skips the steps before" "$(cut -d' ' -f1 "$T/calls" | tr '\n' ' ')" "deploy verify "
expect_exit 2 "--from an unknown step is a usage error" up --from nosuch
contains "... naming the steps" "$T/err" "secrets, overlay, deploy, verify"
expect_exit 2 "-f - cannot feed every step" up -f -
expect_exit 2 "-o must be text or json" up -o yaml

expect_exit 0 "--dry-run" up --dry-run
same "--dry-run runs only steps with a dry run" "$(cut -d' ' -f1 "$T/calls" | tr '\n' ' ')" "deploy "
grep '^deploy ' "$T/calls" >"$T/line"
contains "deploy gets its dry run" "$T/line" "--dry-run"

FAKE_EXIT_verify=1 expect_exit 1 "-o json on failure" up -o json
jq -e '.exitCode == 1 and ([.steps[] | .result] == ["ok", "skipped", "ok", "failed"])' "$T/out" >/dev/null &&
	ok "-o json: results per step, stdout only JSON" || not_ok "-o json: results per step, stdout only JSON" "$(head -c 400 "$T/out")"
contains "-o json: step output goes to stderr" "$T/err" "deploy stdout"

# Ctrl-C: the running step gets it (as SIGTERM to its group) and up stops with 130.
rm -f "$T/calls"
FAKE_SLEEP_deploy=1 "$F/kubectl-crucible-up" >"$T/out" 2>"$T/err" &
pid=$!
for _ in $(seq 100); do grep -q '^deploy ' "$T/calls" 2>/dev/null && break; sleep 0.1; done
sleep 0.2
kill -INT "$pid"
wait "$pid"
same "Ctrl-C: up exits 130" "$?" 130
contains "Ctrl-C: the running step was ended" "$T/calls" "deploy got TERM"
lacks "Ctrl-C: no step after it runs" "$T/calls" "verify"
contains "Ctrl-C: says how to resume" "$T/err" "--from deploy"
done_testing
