#!/usr/bin/env bash
# kubectl-crucible-deploy and an unfriendly API: a missing Secret key or a 403
# stop the preflight with nothing applied; a burst of 500s and cut watch
# streams are ridden out; Ctrl-C ends the wait and every kubectl child.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"

start_sim --scenario "$TOP/tests/scenarios/deploy-base.json"
default_class_shared
check "secrets apply" kubectl-crucible-secrets apply

# A key deleted from a Secret: caught before anything is applied.
kubectl patch secret db-credentials -n crucible --type=json \
	-p '[{"op": "remove", "path": "/data/database-url"}]' >/dev/null
before=$(rv)
expect_exit 1 "a missing Secret key fails the preflight" kubectl-crucible-deploy
contains "the key, the Secret, its users and the fix" "$T/err" \
	"secret db-credentials key database-url (used by api-service, storage-service, storage-worker) is missing: run 'kubectl crucible secrets apply'"
lacks "other keys are fine" "$T/err" "postgres-password"
[ "$(rv)" = "$before" ] && ok "nothing applied after a failed preflight" || not_ok "nothing applied after a failed preflight" "rv $before -> $(rv)"
kubectl-crucible-secrets apply >/dev/null 2>&1 || not_ok "secrets apply restores the key"

# 403 on creating Deployments: preflight's access review says no.
fault '{"api": {"forbidden": [{"verb": "create", "resource": "deployments", "group": "apps"}]}}'
before=$(rv)
expect_exit 4 "a 403 in preflight exits 4" kubectl-crucible-deploy
contains "what is forbidden, as a can-i answer" "$T/err" "forbidden: cannot create deployments.apps in namespace crucible"
[ "$(rv)" = "$before" ] && ok "nothing applied after a 403" || not_ok "nothing applied after a 403" "rv $before -> $(rv)"
fault '{"api": {"forbidden": null}}'

# A burst of 500s, then watches cut every few events, during a full deploy.
fault '{"api": {"error500": 8, "watchCutAfter": 4}}'
expect_exit 0 "500s and cut watch streams still end in exit 0" kubectl-crucible-deploy -v
left=$(curl -sf "$FAULT_URL/_sim/scenario" | jq '.api.error500 // 0')
[ "$left" = 0 ] && ok "every 500 of the burst was served" || not_ok "every 500 of the burst was served" "$left left"
contains "transient failures were retried" "$T/err" "transient kubectl failure, retrying"
contains "cut watches were reconnected" "$T/err" "reconnecting"
grep -E '^api-service +Deployment +2/2 +ready' "$T/out" >/dev/null && ok "and the platform is ready" ||
	not_ok "and the platform is ready" "$(tail -5 "$T/out")"
fault '{"api": {"watchCutAfter": null, "error500": null}}'

# Persistent 500s: exit 4 with kubectl's own message.
fault '{"api": {"error500": 1000}}'
expect_exit 4 "persistent 500s exit 4" kubectl-crucible-deploy -v
contains "with kubectl's message" "$T/err" "InternalError"
n=$(grep -c '^+ kubectl version' "$T/err")
[ "$n" -eq 6 ] && ok "the preflight's call is made 6 times, as documented" || not_ok "the preflight's call is made 6 times, as documented" "$n times"
fault '{"api": {"error500": 0}}'

# An API server that never answers: --timeout bounds every kubectl call, not
# only the wait (preflight, apply, diagnose, prune would otherwise hang).
# (Rendered beforehand: kubectl kustomize itself asks the server, and gives up
# on its own after some seconds.)
kubectl kustomize k8s/base >"$T/base.yaml"
fault '{"api": {"latencyMs": 60000}}'
t0=$(date +%s%N)
expect_exit 5 "an API server that never answers: --timeout expires with exit 5" \
	timeout -k 5 30 kubectl-crucible-deploy --timeout 2s -f "$T/base.yaml"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -lt 4500 ] && ok "... at the timeout (${ms} ms)" || not_ok "... at the timeout" "${ms} ms"
contains "... saying what was still running" "$T/err" "timed out after 2 s (--timeout) while"
contains "... in the preflight" "$T/err" "reaching the cluster (kubectl version): kubectl was still running"
fault '{"api": {"latencyMs": null}}'
# A kubectl apply that never returns (a webhook that hangs, say): the apply
# gets only the time left, and the message names the phase.
REAL=$(command -v kubectl)
printf '#!/bin/sh\ncase " $* " in *" apply "*) exec sleep 60 ;; esac\nexec "%s" "$@"\n' "$REAL" >"$T/kubectl-hang"
chmod +x "$T/kubectl-hang"
t0=$(date +%s%N)
expect_exit 5 "a kubectl apply that hangs: exit 5 at the deadline" \
	timeout -k 5 30 kubectl-crucible-deploy --timeout 4s --kubectl "$T/kubectl-hang"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -lt 9000 ] && ok "... at the timeout (${ms} ms)" || not_ok "... at the timeout" "${ms} ms"
contains "... naming the call that was running" "$T/err" \
	"timed out after 4 s (--timeout) while applying phase namespace+config+databases (kubectl apply): kubectl was still running"

# "doesn't have a resource type": a discovery that failed (kubectl's own
# retries of a 500 used up) is retried, a resource type that does not exist
# is not. A wrapper answers the preflight's LIST once with $T/disc-msg.
cat >"$T/kubectl-disc" <<EOF
#!/bin/sh
case " \$* " in *" --show-managed-fields "*)
	if [ -e "$T/disc-msg" ]; then cat "$T/disc-msg" >&2; rm -f "$T/disc-msg"; exit 1; fi ;;
esac
exec "$REAL" "\$@"
EOF
chmod +x "$T/kubectl-disc"
cat >"$T/disc-msg" <<'EOF'
E1126 15:29:17.565546   13323 memcache.go:265] "Unhandled Error" err="couldn't get current server API group list: an error on the server (\"unknown\") has prevented the request from succeeding"
error: the server doesn't have a resource type "deployments"
EOF
expect_exit 0 "a failed discovery (a 500) in preflight is retried" kubectl-crucible-deploy -v --kubectl "$T/kubectl-disc"
contains "... as transient" "$T/err" "transient kubectl failure, retrying"
echo 'error: the server doesn'"'"'t have a resource type "deploymentz"' >"$T/disc-msg"
t0=$(date +%s%N)
expect_exit 4 "a resource type the server does not have: exit 4" kubectl-crucible-deploy -v --kubectl "$T/kubectl-disc"
ms=$((($(date +%s%N) - t0) / 1000000))
lacks "... not retried" "$T/err" "transient kubectl failure"
[ "$ms" -lt 4000 ] && ok "... at once (${ms} ms)" || not_ok "... at once" "${ms} ms"
contains "... with kubectl's message" "$T/err" "doesn't have a resource type \"deploymentz\""

# Ctrl-C while waiting: a frontend that never becomes ready, a new template to
# wait on (a new image: new pods, which never become ready; a change of
# replicas alone could end the wait before the fault reaches the old pods).
fault '{"workloads": {"crucible/deployment/frontend": {"ready": false}}}'
kubectl kustomize k8s/base | sed -e 's/^  replicas: 2$/  replicas: 1/' -e 's/image: frontend:0.1.0$/image: frontend:0.1.1/' >"$T/changed.yaml"
grep -q 'image: frontend:0.1.1' "$T/changed.yaml" || not_ok "the changed input has a new frontend image"
kubectl-crucible-deploy -f "$T/changed.yaml" >"$T/out" 2>"$T/err" &
pid=$!
# Wait (bounded) for the phase to start waiting and for its watch processes to exist.
kids=
for _ in $(seq 300); do
	if grep -q "phase apps: waiting" "$T/err"; then
		kids=$(pgrep -P "$pid" | tr '\n' ' ')
		[ -n "$kids" ] && break
	fi
	sleep 0.1
done
grep -q "phase apps: waiting" "$T/err" && ok "the deploy reaches the apps phase's wait" ||
	not_ok "the deploy reaches the apps phase's wait" "$(tail -5 "$T/err")"
[ -n "$kids" ] && ok "watches run while waiting ($(echo $kids | wc -w) kubectl)" || not_ok "watches run while waiting"
kill -INT "$pid"
wait "$pid"
code=$?
[ "$code" -eq 130 ] && ok "Ctrl-C exits 130" || not_ok "Ctrl-C exits 130" "exit $code" "$(tail -5 "$T/err")"
contains "the applied phases are reported" "$T/err" "interrupted during phase apps; phases applied: namespace, config, databases, apps"
left=
for k in $kids; do kill -0 "$k" 2>/dev/null && left="$left $k"; done
[ -z "$left" ] && ok "no kubectl process is left behind" || not_ok "no kubectl process is left behind" "still running:$left"

done_testing
