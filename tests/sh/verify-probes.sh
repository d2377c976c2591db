#!/usr/bin/env bash
# kubectl-crucible-verify --dns and --db: hardened one-shot pods, deleted
# after success, failure and Ctrl-C. The simulator has no exec or attach, nor
# DNS or a database: what a probe pod prints comes from the scenario (its
# image's logs), so these tests prove the pod verify makes, the reading of its
# result and the cleanup, not name resolution itself.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
V=kubectl-crucible-verify
PROBES=app.kubernetes.io/created-by=kubectl-crucible-verify

start_sim --scenario "$TOP/tests/scenarios/deploy-base.json"
default_class_shared
kubectl-crucible-secrets apply >/dev/null 2>&1 || not_ok "secrets apply"
kubectl-crucible-deploy >/dev/null 2>&1 || not_ok "the base deploys"
services=$(kubectl -n crucible get svc -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}')
oks=$(printf '%s\n' $services | sed 's/^/"ok /; s/$/"/' | paste -sd, -)
fault "{\"images\": {\"busybox:*\": {\"runSeconds\": 1, \"logs\": [$oks]},
	\"postgres:15-alpine\": {\"runSeconds\": 1, \"logs\": [\"ready ok\", \"select 1\"]}}}"

no_probe_pods() { [ -z "$(kubectl -n crucible get pods -l "$PROBES" -o name)" ]; }

# Every probe pod as the API server saw it, from a watch running alongside.
kubectl -n crucible get pods -l "$PROBES" --watch -o json >"$T/watched" 2>/dev/null &
watcher=$!
sleep 0.5
expect_exit 0 "--dns --db on a healthy platform" $V --dns --db -v -o json
kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null
n=$(jq '[.checks[] | select(.id == "probe-dns" and .level == "PASS")] | length' "$T/out")
same "every Service name resolves" "$n" "$(printf '%s\n' $services | wc -l)"
jq -e '[.checks[] | select(.id == "probe-db" and .level == "PASS")] | length == 2' "$T/out" >/dev/null &&
	ok "pg_isready and SELECT 1 pass" || not_ok "pg_isready and SELECT 1 pass" "$(jq -c '[.checks[] | select(.area == "Probes")]' "$T/out")"
jq -e '[.checks[] | select(.area != "Probes")] | any(.object | startswith("Pod/crucible-verify")) | not' "$T/out" >/dev/null &&
	ok "verify does not judge its own probe pods" || not_ok "verify does not judge its own probe pods"
eventually "the probe pods are deleted after success" 10 no_probe_pods

jq -s 'map(select(.metadata.name | startswith("crucible-verify-"))) | group_by(.metadata.name) | map(.[0])' "$T/watched" >"$T/pods"
same "two probe pods were made" "$(jq length "$T/pods")" 2
jq -e 'all(.[]; .spec.automountServiceAccountToken == false and .spec.restartPolicy == "Never"
	and .spec.securityContext.runAsNonRoot == true and .spec.securityContext.runAsUser > 0
	and .spec.securityContext.seccompProfile.type == "RuntimeDefault"
	and all(.spec.containers[]; .securityContext.readOnlyRootFilesystem == true
		and .securityContext.allowPrivilegeEscalation == false and .securityContext.capabilities.drop == ["ALL"]
		and .resources.limits.memory != null))' "$T/pods" >/dev/null &&
	ok "the probe pods are hardened (non-root, no token, read-only, drop ALL, seccomp, limits)" ||
	not_ok "the probe pods are hardened" "$(jq -c '.[].spec' "$T/pods" | head -c 600)"
jq -e 'any(.[]; .spec.containers[0].image == "busybox:1.36") and any(.[]; .spec.containers[0].image == "postgres:15-alpine")' "$T/pods" >/dev/null &&
	ok "busybox for DNS, postgres:15-alpine for the database" || not_ok "busybox for DNS, postgres:15-alpine for the database"
jq -e '.[] | select(.spec.containers[0].image == "postgres:15-alpine") | .spec.containers[0].env
	| any(.[]; .name == "POSTGRES_PASSWORD" and .valueFrom.secretKeyRef.name == "db-credentials") and all(.[]; has("value") | not)' "$T/pods" >/dev/null &&
	ok "the password reaches psql through env from the Secret, never a value in the spec" ||
	not_ok "the password reaches psql through env from the Secret" "$(jq -c '.[].spec.containers[0].env' "$T/pods")"
password=$(kubectl -n crucible get secret db-credentials -o jsonpath='{.data.postgres-password}' | base64 -d)
[ -n "$password" ] && ! grep -qF -- "$password" "$T/out" "$T/err" "$T/watched" &&
	ok "the password is in no output, trace or pod" || not_ok "the password is in no output, trace or pod"

# Failures are findings with the guide's command; the pods go all the same.
fault '{"images": {"busybox:*": {"runSeconds": 1, "logs": ["ok postgres", "fail redis"]},
	"postgres:15-alpine": {"runSeconds": 1, "exitCode": 2, "logs": ["ready fail: exit 2", "select psql: error: connection to server at \"postgres\" failed"]}}}'
expect_exit 1 "a name that does not resolve fails" $V --dns --only probe-dns -o json
jq -e 'any(.checks[]; .id == "probe-dns" and .level == "FAIL" and .object == "Service/redis" and (.hint | contains("nslookup redis")))' "$T/out" >/dev/null &&
	ok "probe-dns names the Service and the guide's nslookup" || not_ok "probe-dns names the Service" "$(head -c 500 "$T/out")"
eventually "the DNS probe pod is deleted after a failure" 10 no_probe_pods
expect_exit 1 "a database that does not answer fails" $V --db --only probe-db
contains "pg_isready's answer" "$T/out" "pg_isready: fail: exit 2"
contains "psql's answer" "$T/out" "connection to server"
contains "the guide's psql command" "$T/out" "kubectl run -it --rm psql --image=postgres:15-alpine"
eventually "the database probe pod is deleted after a failure" 10 no_probe_pods

# Ctrl-C while the probe runs: exit 130, and the pod is deleted.
fault '{"images": {"busybox:*": {"runSeconds": 100000}}}'
$V --dns >"$T/out" 2>"$T/err" &
pid=$!
running() { kubectl -n crucible get pods -l "$PROBES" -o jsonpath='{.items[*].status.phase}' | grep -q Running; }
eventually "the probe pod runs" 20 running
kill -INT "$pid"
wait "$pid"
same "Ctrl-C exits 130" "$?" 130
contains "says the pod was deleted" "$T/err" "the probe pod was deleted"
eventually "the probe pod is deleted after Ctrl-C" 10 no_probe_pods

done_testing
