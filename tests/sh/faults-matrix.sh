#!/usr/bin/env bash
# Every tool that talks to the cluster against every API fault, one table:
# each tool's result with no fault is its baseline; a fault that is retried
# (500s, 429s, one request that never answers) must end in the baseline, a
# permanent one (403 on one verb, 409 on an update) in exit 4 naming it, a
# server that never answers in the tool's deadline (exit 5), and SIGINT or
# SIGTERM during each of the tool's kubectl calls in exit 130 with no
# kubectl left in its session and no temporary file left.
#
#   fault          deploy  secrets list  secrets apply  verify  migrate-db status  overlay diff
#   500 burst      base    base          base           base    base               base
#   429 burst      base    base          base           base    base               base
#   403 one verb   4       4             4              4       4                  4
#   409 update     4       -             4              -       -                  -
#   watch cut      base (deploy's wait; verify --watch and migrate-db run: their own files)
#   one hang       base    base          base           base    base               base
#   never answers  5 (--timeout)
#   SIGINT/TERM    130 at each kubectl call, no child, no temp file
# ("-": the tool makes no update.) Elsewhere: deploy-api.sh (500s and cut
# watches during a full deploy, Ctrl-C in the wait), secrets-retry.sh,
# verify-api.sh, verify-watch.sh, migrate-db-run.sh (Ctrl-C while following).
. "$(dirname "$0")/../lib.sh"
cd "$T"
export CRUCIBLE_MANIFESTS=$TOP/k8s
start_sim_ns
sim_only "API faults"

cat >"$T/app.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata: {name: matrix}
data: {a: "1"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: matrix}
spec:
  replicas: 1
  selector: {matchLabels: {app: matrix}}
  template:
    metadata: {labels: {app: matrix}}
    spec:
      containers:
      - {name: app, image: "registry.example/matrix:1.0"}
EOF

# A kubectl that counts its calls (under a lock: deploy runs some at once)
# and notes its session; on call $SIG_AT it sends $SIG to the tool (its
# parent) before running the real kubectl.
real=$(command -v kubectl)
cat >"$T/kubectl" <<EOF
#!/bin/sh
exec 9>>"$T/count.lock"
flock 9
n=\$((\$(cat "$T/count" 2>/dev/null || echo 0) + 1))
echo \$n >"$T/count"
flock -u 9
exec 9>&-
ps -o sid= -p \$\$ | tr -d ' ' >"$T/sid"
if [ "\$n" = "\${SIG_AT:-0}" ]; then kill -"\$SIG" \$PPID; fi
exec "$real" "\$@"
EOF
chmod +x "$T/kubectl"
export KUBECTL=$T/kubectl

tools=("deploy -f $T/app.yaml --timeout 60s" "secrets list" "secrets apply" "verify -q" "migrate-db status"
	"overlay diff production")
declare -A base calls
# The verb each tool cannot do without, for the 403.
declare -A verb=(["deploy"]='{"verb": "patch", "resource": "configmaps", "group": ""}'
	["secrets list"]='{"verb": "list", "resource": "secrets", "group": ""}'
	["secrets apply"]='{"verb": "list", "resource": "secrets", "group": ""}'
	["verify"]='{"verb": "list", "resource": "pods", "group": ""}'
	["migrate-db status"]='{"verb": "list", "resource": "jobs", "group": "batch"}'
	["overlay diff"]='{"verb": "patch", "resource": "deployments", "group": "apps"}')

# run TOOL [ARGS...]: the tool in its own session, TMPDIR its own; exit code in $rc.
run() {
	local tool=$1 words
	shift
	read -r -a words <<<"$tool"
	rm -rf "$T/tmp" "$T/count" "$T/sid"
	mkdir "$T/tmp"
	TMPDIR=$T/tmp setsid -w timeout -k 5 120 "kubectl-crucible-${words[0]}" "${words[@]:1}" "$@" \
		>"$T/out" 2>"$T/err" </dev/null
	rc=$?
}
key() { local w; read -r -a w <<<"$1"; case ${w[0]} in deploy | verify) echo "${w[0]}" ;; *) echo "${w[0]} ${w[1]}" ;; esac; }

for tool in "${tools[@]}"; do
	k=$(key "$tool")
	run "$tool"
	base[$k]=$rc
	calls[$k]=$(cat "$T/count" 2>/dev/null || echo 0)
	case $rc in 0 | 1) ok "$k: baseline exit $rc, ${calls[$k]} kubectl calls" ;;
	*) not_ok "$k: baseline" "exit $rc" "$(head -c 400 "$T/err")" ;; esac
done

# expect NAME WANT TOOL [ARGS...]: runs and compares the exit code.
expect() {
	local name=$1 want=$2 tool=$3
	shift 3
	run "$tool" "$@"
	[ "$rc" = "$want" ] && ok "$name" || not_ok "$name" "exit $rc, want $want" "$(head -c 400 "$T/err")"
}

for tool in "${tools[@]}"; do
	k=$(key "$tool")
	fault '{"api": {"error500": 3}}'
	expect "$k: a burst of three 500s is retried (exit ${base[$k]})" "${base[$k]}" "$tool"
	fault '{"api": {"error500": null, "error429": 3}}'
	expect "$k: a burst of three 429s is retried (exit ${base[$k]})" "${base[$k]}" "$tool"
	fault '{"api": {"error429": null, "hang": 1}}'
	expect "$k: a request that never answers is given up and retried (exit ${base[$k]})" "${base[$k]}" \
		"$tool" --request-timeout 2s
	fault '{"api": {"hang": null, "forbidden": ['"${verb[$k]}"']}}'
	expect "$k: 403 on one verb is reported (exit 4)" 4 "$tool"
	grep -q "forbidden" "$T/err" && ok "$k: the 403 is named" || not_ok "$k: the 403 is named" "$(head -c 400 "$T/err")"
	fault '{"api": {"forbidden": null}}'
done

# 409 on the next update, for the tools that update.
kubectl delete secret --all -n crucible >/dev/null
for tool in "deploy -f $T/app.yaml --timeout 60s" "secrets apply"; do
	k=$(key "$tool")
	kubectl annotate --overwrite -n crucible configmap/matrix crucible.test/changed="$RANDOM" >/dev/null
	kubectl delete secret db-credentials -n crucible --ignore-not-found >/dev/null
	fault '{"api": {"error409": 1}}'
	expect "$k: a 409 on an update is reported, not retried (exit 4)" 4 "$tool"
	grep -q "modified" "$T/err" && ok "$k: the conflict is named" || not_ok "$k: the conflict is named" "$(head -c 400 "$T/err")"
	fault '{"api": {"error409": null}}'
done

# deploy's wait rides out watch streams cut after every event.
# (Its pod is not ready for the first two seconds: the wait sees events.)
kubectl delete deployment matrix -n crucible >/dev/null
fault '{"api": {"watchCutAfter": 1}, "workloads": {"deployment/matrix": {"ready": false}}}'
(sleep 2 && fault '{"workloads": {"deployment/matrix": null}}') &
ready_later=$!
expect "deploy: watches cut after every event are reconnected (exit 0)" 0 "deploy -f $T/app.yaml --timeout 60s" -v
wait "$ready_later"
# (Under load the Deployment may already be ready when the wait starts: then no stream was cut.)
if grep -q "waiting for 1 workload" "$T/err" && ! grep -q "1/1 ready" <(grep -A1 "waiting for" "$T/err" | tail -1); then
	contains "deploy: the cut watch was reconnected" "$T/err" "reconnecting"
else
	skip "deploy: the wait ended before a stream was cut"
fi
fault '{"api": {"watchCutAfter": null}}'

# A server that accepts every request and never answers: the deadline ends it.
fault '{"api": {"hang": 1000000}}'
start=$(date +%s)
expect "deploy: a server that never answers ends at --timeout (exit 5)" 5 "deploy -f $T/app.yaml --timeout 3s"
took=$(($(date +%s) - start))
[ "$took" -lt 30 ] && ok "deploy: and within the deadline's reach (${took}s)" || not_ok "deploy: ends near its deadline" "${took}s"
contains "deploy: the deadline is named" "$T/err" "timed out after 3 s (--timeout)"
fault '{"api": {"hang": null}}'

# still_running SID: what of the tool's is left: a process in its session or
# with its TMPDIR (found without the session when the fake never noted it;
# never `pgrep -s 0`, which is the test run's own session, every test in it).
still_running() {
	local f pid
	[ -n "$1" ] && [ "$1" != "$(ps -o sid= -p $$ | tr -d ' ')" ] && pgrep -s "$1" -a 2>/dev/null
	for f in /proc/[0-9]*/environ; do
		pid=${f#/proc/}; pid=${pid%/environ}
		grep -qsxzF "TMPDIR=$T/tmp" "$f" 2>/dev/null && [ -d "/proc/$pid" ] &&
			echo "$pid $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
	done | sort -u
}

# SIGINT and SIGTERM while each of the tool's kubectl calls runs.
for tool in "${tools[@]}"; do
	k=$(key "$tool")
	for sig in INT TERM; do
		bad=()
		for at in $(seq "${calls[$k]}"); do
			SIG=$sig SIG_AT=$at run "$tool"
			sid=$(cat "$T/sid" 2>/dev/null)
			[ "$rc" = 130 ] || bad+=("call $at: exit $rc: $(head -c 200 "$T/err")")
			left=
			for _ in $(seq 30); do
				left=$(still_running "$sid")
				[ -z "$left" ] && break
				sleep 0.1
			done
			[ -z "$left" ] || bad+=("call $at: left running: $left")
			[ -z "$(ls -A "$T/tmp")" ] || bad+=("call $at: left in TMPDIR: $(ls -A "$T/tmp")")
		done
		if [ ${#bad[@]} -eq 0 ]; then
			ok "$k: SIG$sig during each of its ${calls[$k]} kubectl calls: exit 130, no kubectl left, no temp file"
		else
			not_ok "$k: SIG$sig during each kubectl call" "${bad[@]}"
		fi
	done
done
done_testing
