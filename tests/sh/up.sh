#!/usr/bin/env bash
# kubectl crucible up: the guide end to end through real kubectl against the
# simulated cluster, and its control flow with stand-in steps (order, flags
# passed only where a step's --help has them, stop at the first failure,
# --from, --dry-run, -o json, Ctrl-C).
. "$(dirname "$0")/../lib.sh"
cd "$TOP"

# ctrl_c FILE PATTERN SECONDS CMD...: runs CMD (stdout $T/out, stderr $T/err),
# sends it SIGINT SECONDS after PATTERN shows in FILE; its exit status in $rc.
ctrl_c() {
	local file=$1 pattern=$2 after=$3 pid _; shift 3
	rm -f "$file" # not an earlier run's line
	"$@" >"$T/out" 2>"$T/err" </dev/null &
	pid=$!
	for _ in $(seq 300); do grep -q -- "$pattern" "$file" 2>/dev/null && break; sleep 0.1; done
	sleep "$after"
	kill -INT "$pid"
	wait "$pid"
	rc=$?
}

# End to end: the real steps, through kubectl's plugin dispatch, on a copy
# of the manifests (the overlay is fixed below as a user would).
start_sim --scenario "$TOP/tests/scenarios/deploy-base.json"
default_class_shared
cp -R "$TOP/k8s" "$T/k8s"
export CRUCIBLE_MANIFESTS=$T/k8s
expect_exit 0 "kubectl crucible up deploys the platform" kubectl crucible up -v
contains "progress numbers the steps" "$T/err" "[1/3] secrets apply"
contains "deploy is a numbered step" "$T/err" "[2/3] deploy"
contains "the deploy's summary reaches stdout" "$T/out" "api-service"
contains "verify ran last" "$T/err" "[3/3] verify"
kubectl get secrets -n crucible -o name >"$T/secrets" 2>&1
contains "secrets apply ran first" "$T/secrets" "secret/"
grep "^+ [^ ]*kubectl-crucible-deploy" "$T/err" >"$T/line"
contains "-v: up shows each step's command line" "$T/line" "--namespace=crucible"
# migrate-db is installed (bin/): deploy gets --migrate exactly when its --help lists it.
if kubectl-crucible-deploy --help | grep -q -- '--migrate'; then
	contains "migrate-db installed and deploy takes --migrate: up passes it" "$T/line" "--migrate"
else
	echo "# this deploy has no --migrate yet"
	lacks "deploy without --migrate in its --help does not get it" "$T/line" "--migrate"
	contains "... and up says the migration is not run" "$T/err" "this deploy has no --migrate"
fi
expect_exit 0 "a second up changes nothing and succeeds" kubectl crucible up -o json
jq -e '.exitCode == 0 and ([.steps[] | select(.name == "deploy") | .result] == ["ok"])' "$T/out" >/dev/null &&
	ok "-o json: one object per step with its result" || not_ok "-o json: one object per step with its result" "$(head -c 400 "$T/out")"
jq -e '[.steps[] | has("name") and has("exitCode") and has("durationSeconds") and has("result")] | all' "$T/out" >/dev/null &&
	ok "-o json: name, exitCode, durationSeconds, result" || not_ok "-o json: name, exitCode, durationSeconds, result"
expect_exit 0 "up --dry-run against the cluster" kubectl crucible up --dry-run
contains "--dry-run: secrets apply has no dry run and is skipped" "$T/err" "skipping secrets"
contains "--dry-run: deploy's server dry run, the one step" "$T/err" "[1/1] deploy"

# The production overlay as shipped: its placeholder registry fails overlay
# validate, which stops the rest with its exit code and says how to resume.
expect_exit 1 "up --overlay production: overlay validate's findings are up's exit 1" \
	kubectl crucible up --overlay production -o json
jq -e '[.steps[] | .name + "=" + .result] == ["secrets apply=ok", "overlay validate=failed", "deploy=not run", "verify=not run"]
	and ([.steps[] | select(.name == "overlay validate") | .exitCode] == [1])' "$T/out" >/dev/null &&
	ok "-o json: overlay validate failed, deploy and verify not run" || not_ok "-o json: overlay validate failed, deploy and verify not run" "$(head -c 500 "$T/out")"
contains "overlay validate's finding reaches the user" "$T/err" "kustomization.yaml:29: placeholder registry"
contains "the resume command" "$T/err" "then run: kubectl crucible up --overlay production -o json --from overlay"
same "deploy did not run: no production HPA in the cluster" "$(kubectl get hpa -n crucible -o name 2>&1)" ""
# The user fixes the overlay, then runs the command up printed.
sed -i 's/efs-sc/shared/' "$T/k8s/overlays/production/storage-class.yaml"
kubectl crucible overlay set-registry production 987654321098.dkr.ecr.eu-west-1.amazonaws.com >/dev/null 2>&1
read -ra resume <<<"$(sed -n 's/.*then run: //p' "$T/err")"
expect_exit 0 "after the fix the printed command succeeds" "${resume[@]}"
jq -e '[.steps[] | .name + "=" + .result] == ["secrets apply=skipped", "overlay validate=ok", "deploy=ok", "verify=ok"]' "$T/out" >/dev/null &&
	ok "--from overlay: secrets skipped, the rest ran" || not_ok "--from overlay: secrets skipped, the rest ran" "$(head -c 500 "$T/out")"
contains "the production overlay is deployed (its HPA)" <(kubectl get hpa -n crucible -o name) "horizontalpodautoscaler.autoscaling/api-service"
same "... with its replicas" "$(kubectl get deploy storage-service -n crucible -o jsonpath='{.spec.replicas}')" 3
contains "... and its registry" <(kubectl get deploy storage-service -n crucible -o jsonpath='{.spec.template.spec.containers[*].image}') "987654321098.dkr.ecr.eu-west-1.amazonaws.com/"

# Ctrl-C while deploy waits (a workload that never becomes ready): deploy
# ends as it documents, up exits 130, verify does not run. The production
# overlay is what the cluster runs now: applying the base over it would fail
# (storage-pvc's storageClassName is immutable), and the signal must find
# deploy waiting, not already failed.
fault '{"workloads": {"deployment/frontend": {"ready": false}}}'
ctrl_c "$T/err" 'waiting for' 0.2 kubectl crucible up --overlay production -o json
same "Ctrl-C during deploy: up exits 130" "$rc" 130
jq -e '[.steps[] | .name + "=" + .result] == ["secrets apply=ok", "overlay validate=ok", "deploy=interrupted", "verify=not run"]' "$T/out" >/dev/null &&
	ok "Ctrl-C: deploy interrupted, verify not run" || not_ok "Ctrl-C: deploy interrupted, verify not run" "$(head -c 500 "$T/out")"
contains "Ctrl-C: says how to resume, with the same flags" "$T/err" "resume with: kubectl crucible up --overlay production -o json --from deploy"
fault '{"workloads": null}'
unset CRUCIBLE_MANIFESTS

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
grep '^overlay ' "$T/calls" >"$T/line"
contains "overlay validate gets the overlay as its argument" "$T/line" "overlay validate production"
lacks "... not as --overlay" "$T/line" "--overlay="
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
FAKE_SLEEP_deploy=1 ctrl_c "$T/calls" '^deploy ' 0.2 "$F/kubectl-crucible-up"
same "Ctrl-C: up exits 130" "$rc" 130
contains "Ctrl-C: the running step was ended" "$T/calls" "deploy got TERM"
lacks "Ctrl-C: no step after it runs" "$T/calls" "verify"
contains "Ctrl-C: says how to resume" "$T/err" "--from deploy"
done_testing
