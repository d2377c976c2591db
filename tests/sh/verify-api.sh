#!/usr/bin/env bash
# kubectl-crucible-verify against a flaky API server: 500s during its `get`
# of every kind or of the Secrets' key names are retried (common kretry) and
# the report is the same as without them; 500s that do not stop, or a
# permanent error (403), end in exit 4 naming what was being read, with no
# report on stdout. Discovery is cached first: kubectl's own discovery
# retries would otherwise absorb the 500s.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
V=kubectl-crucible-verify

start_sim --scenario "$TOP/tests/scenarios/deploy-base.json"
faults_only "500s and 403s"
default_class_shared
kubectl-crucible-secrets apply >/dev/null 2>&1 || not_ok "secrets apply"
kubectl-crucible-deploy >/dev/null 2>&1 || not_ok "the base deploys"

kubectl_recorder # $T/kubectl-rec: records calls, 500s at $INJECT (see lib.sh)
K="--kubectl=$T/kubectl-rec"
left() { curl -sf "$FAULT_URL/_sim/scenario" | jq '.api.error500 // 0'; }
calls() { grep -c -- "$1" "$T/calls"; }
# run NAME N PATTERN WANT-EXIT ARGS...: verify with N 500s set up at the call matching PATTERN.
run() {
	local name=$1 n=$2 pattern=$3 want=$4; shift 4
	: >"$T/calls"
	rm -f "$T/injected"
	N=$n INJECT=$pattern expect_exit "$want" "$name" $V "$K" "$@"
	[ -e "$T/injected" ] && ok "... the 500s were set up" || not_ok "... the 500s were set up" "$(cat "$T/calls")"
}

expect_exit 0 "verify clean first (and discovery cached)" $V -o json
jq -c '[.checks[] | [.id, .level, .object]] | sort' "$T/out" >"$T/clean"

# Each kind is named resource.version.group, so kubectl resolves it from the
# cached discovery: a request per listed kind (and the Secrets), no refetch.
reqs() { curl -sf "$FAULT_URL/_sim/stats" | jq .requests; }
a=$(reqs)
$V -v >/dev/null 2>"$T/err"
b=$(reqs)
nkinds=$(sed -n 's/^+ kubectl get \([^ ]*\) .*jsonpath.*/\1/p' "$T/err" | tr , '\n' | wc -l)
[ "$nkinds" -gt 15 ] && [ $((b - a)) -le $((nkinds + 4)) ] && ok "one request per listed kind, no discovery refetch" ||
	not_ok "one request per listed kind, no discovery refetch" "$((b - a)) requests for $nkinds kinds"

# --- two 500s on the get of every kind -----------------------------------------
run "two 500s on the get of every kind: verify still succeeds" 2 '^get .*jsonpath=' 0 -o json
same "... the 500s were met" "$(left)" 0
[ "$(calls '^get .*jsonpath=')" -ge 2 ] && ok "... the get was retried" || not_ok "... the get was retried" "$(cat "$T/calls")"
jq -c '[.checks[] | [.id, .level, .object]] | sort' "$T/out" >"$T/retried"
cmp -s "$T/clean" "$T/retried" && ok "... the same checks as without the 500s (no item counted twice)" ||
	not_ok "... the same checks as without the 500s (no item counted twice)" "$(diff "$T/clean" "$T/retried" | head -5)"

# --- two 500s on the Secrets' key names ------------------------------------------
run "two 500s on the Secrets' listing: verify still succeeds" 2 '^get secrets .*go-template=' 0 -o json
same "... the 500s were met" "$(left)" 0
[ "$(calls '^get secrets ')" -ge 2 ] && ok "... the listing was retried" || not_ok "... the listing was retried" "$(cat "$T/calls")"
jq -e 'any(.checks[]; .id == "config-ref" and .level == "PASS")' "$T/out" >/dev/null &&
	ok "... the key names were read" || not_ok "... the key names were read"

# --- 500s that do not stop: exit 4 after the retries -------------------------------
run "500s that do not stop: exit 4" 100000 '^get .*jsonpath=' 4
contains "... naming what was being read" "$T/err" "listing the namespace's objects"
contains "... and the server's error" "$T/err" "InternalError"
same "... after every attempt" "$(calls '^get .*jsonpath=')" 6
same "... no report on stdout" "$(wc -c <"$T/out")" 0
fault '{"api": {"error500": 0}}'

# --- a permanent error is not retried -------------------------------------------------
fault '{"api": {"forbidden": [{"verb": "list", "resource": "pods", "namespace": "crucible"}]}}'
: >"$T/calls"
expect_exit 4 "403 on the get: exit 4" $V "$K"
contains "... naming what was being read" "$T/err" "listing the namespace's objects"
contains "... and the refusal" "$T/err" "forbidden"
same "... the get ran once" "$(calls '^get .*jsonpath=')" 1
fault '{"api": {"forbidden": null}}'
expect_exit 0 "verify is clean again" $V

done_testing
