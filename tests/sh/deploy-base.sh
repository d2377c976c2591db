#!/usr/bin/env bash
# kubectl-crucible-deploy against the simulated cluster: the base reaches
# ready, a second run changes nothing, dry runs change nothing, stdin input,
# -o json, --prune, and a constant number of kubectl processes.
. "$(dirname "$0")/../lib.sh"

start_sim --scenario "$TOP/tests/scenarios/deploy-base.json"
default_class_shared
cd "$TOP"

# Usage and input errors come before any cluster contact.
expect_exit 2 "--dry-run needs client or server" kubectl-crucible-deploy --dry-run=maybe
expect_exit 2 "-o needs text or json" kubectl-crucible-deploy -o yaml
expect_exit 3 "a missing manifest file is bad input" kubectl-crucible-deploy -f "$T/nope.yaml"
expect_exit 0 "--dry-run=client prints the ordered manifests without a cluster" \
	env KUBECONFIG="$T/no-such-kubeconfig" kubectl-crucible-deploy --dry-run=client
kinds=$(grep '^kind:' "$T/out" | uniq | tr '\n' ' ')
case $kinds in
"kind: Namespace kind: ServiceAccount"*"kind: StatefulSet"*"kind: Deployment"*"kind: NetworkPolicy"*) ok "client dry run is in phase order" ;;
*) not_ok "client dry run is in phase order" "$kinds" ;;
esac
printf 'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: db-migrate\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: m, image: x}]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n' >"$T/job.yaml"
expect_exit 0 "client dry run of a Job" kubectl-crucible-deploy --dry-run=client -f "$T/job.yaml"
lacks "Jobs are left to migrate-db" "$T/out" "kind: Job"
contains "and the user is told" "$T/err" "job.batch/db-migrate skipped: Jobs are not applied by deploy: run 'kubectl crucible migrate-db'"
contains "client dry run labels what it applies" "$T/out" "app.kubernetes.io/managed-by: kubectl-crucible"

# Preflight stops before anything is applied when Secrets are missing.
before=$(rv)
expect_exit 1 "missing Secrets fail the preflight" kubectl-crucible-deploy
contains "the missing key is named with its users and the fix" "$T/err" \
	"secret db-credentials key database-url (used by api-service, storage-service, storage-worker) is missing: run 'kubectl crucible secrets apply'"
[ "$(rv)" = "$before" ] && ok "nothing was applied" || not_ok "nothing was applied" "rv $before -> $(rv)"

# On this fresh cluster secrets apply creates the namespace (the manifests'
# Namespace, as deploy applies it), then the Secrets.
expect_exit 0 "secrets apply on a fresh cluster" kubectl-crucible-secrets apply
contains "secrets apply creates the missing namespace" "$T/out" "namespace/crucible created"
kubectl get namespace crucible -o json --show-managed-fields >"$T/ns.json" 2>"$T/err"
jq -e '.metadata.labels["pod-security.kubernetes.io/enforce"] == "privileged"
	and .metadata.labels["app.kubernetes.io/managed-by"] == "kubectl-crucible"' "$T/ns.json" >/dev/null &&
	ok "the namespace is the manifests' Namespace, with deploy's label" || not_ok "the namespace is the manifests' Namespace, with deploy's label" "$(jq -c .metadata.labels "$T/ns.json")"
jq -e '[.metadata.managedFields[] | select(.operation == "Apply") | .manager] == ["kubectl-crucible"]' "$T/ns.json" >/dev/null &&
	ok "applied with deploy's field manager" || not_ok "applied with deploy's field manager" "$(jq -c '[.metadata.managedFields[].manager]' "$T/ns.json")"

expect_exit 0 "the base deploys and becomes ready" env CRUCIBLE_STATS="$T/stats.json" kubectl-crucible-deploy -v
# libjq compiles every builtin with each program: the 9 programs a deploy
# runs (plan, all, refs, storage, changes; kstatus, row, rollout, pods for
# the waits) are compiled once, together, not once per phase or per call.
n=$(jq .jq_compiles "$T/stats.json")
[ "$n" -eq 1 ] && ok "one jq compile for the whole deploy" || not_ok "one jq compile for the whole deploy" "$n compiles"
# The plan and its flat list of objects are computed once, whoever needs them.
jq -e '.jq_runs["deploy-plan"] == 1 and .jq_runs["deploy-all"] == 1' "$T/stats.json" >/dev/null &&
	ok "the plan and deploy-all run once each" || not_ok "the plan and deploy-all run once each" "$(jq -c .jq_runs "$T/stats.json")"
contains "objects are reported created" "$T/err" "deployment.apps/api-service created"
# The cluster's default class (NFS) offers ReadWriteMany: no warning, and the claim binds.
lacks "no false warning about storage-pvc" "$T/err" "asks for ReadWriteMany"
contains "the namespace secrets apply created is deploy's own, unchanged" "$T/err" "namespace/crucible unchanged"
contains "the StatefulSet phase is waited on" "$T/err" "statefulset.apps/postgres: 1/1 ready"
contains "summary table" "$T/out" "COMPONENT"
grep -E '^api-service +Deployment +2/2 +ready' "$T/out" >/dev/null && ok "summary row for api-service" ||
	not_ok "summary row for api-service" "$(tail -20 "$T/out")"
# Phases that wait on nothing share the next phase's apply: three applies.
applies=$(grep -c '+ kubectl apply' "$T/err")
[ "$applies" -eq 3 ] && ok "3 kubectl applies: namespace+config+databases, apps, edge" || not_ok "3 kubectl applies" "$applies: $(grep "^phase" "$T/err" | tr '\n' ';')"
contains "the foundation goes with the databases" "$T/err" "phase namespace+config+databases: applying"
calls=$(grep -c '^kubectl-crucible-deploy: + \|^+ ' "$T/err")
nobj=$(grep -cE ' (created|configured|unchanged)$' "$T/err")
# kustomize, version, can-i, list, 5 applies, 2+4 watches (plus a reconnect or two).
[ "$calls" -le 18 ] && ok "$calls kubectl processes for $nobj objects" ||
	not_ok "kubectl processes independent of object count" "$calls for $nobj objects" "$(grep '+ ' "$T/err")"

before=$(rv)
expect_exit 0 "a second deploy succeeds" kubectl-crucible-deploy
# stdout is the result only: the summary table and its counts line, nothing
# of the progress (per-object rows, watch lines: stderr).
{
	head -1 "$T/out" | grep -Eq '^COMPONENT +KIND +READY +STATE$' &&
	tail -1 "$T/out" | grep -Eq '^0 created, 0 configured, [0-9]+ unchanged in [0-9.]+ s$' &&
	[ "$(sed '1d;$d' "$T/out" | grep -cEv '^[a-z0-9-]+ +[A-Za-z]+ +([0-9]+/[0-9]+|Bound) +ready$')" -eq 0 ] &&
	[ "$(wc -l <"$T/out")" -eq 15 ]
} && ok "stdout of a deploy is exactly the summary (13 rows)" || not_ok "stdout of a deploy is exactly the summary" "$(head -c 600 "$T/out")"
contains "the progress went to stderr" "$T/err" "deployment.apps/api-service unchanged"
grep -E " (created|configured)$" "$T/err" >"$T/changed"
[ ! -s "$T/changed" ] && ok "second deploy changes nothing" || not_ok "second deploy changes nothing" "$(cat "$T/changed")"
contains "second deploy reports unchanged" "$T/err" "deployment.apps/api-service unchanged"
contains "summary counts" "$T/out" "0 created, 0 configured"

kubectl kustomize k8s/base >"$T/base.yaml"

# -v shows each kubectl command line quoted for the shell, so it can be pasted
# back: the preflight's and the watches' too (a kubeconfig path with a space).
cp "$KUBECONFIG" "$T/my kube config"
expect_exit 0 "deploy -v with a kubeconfig path that needs quoting" kubectl-crucible-deploy -v --kubeconfig "$T/my kube config"
grep '^+ kubectl' "$T/err" >"$T/traces"
bad=$(grep -vF -- "--kubeconfig '$T/my kube config'" "$T/traces")
[ -s "$T/traces" ] && [ -z "$bad" ] && ok "every traced kubectl line quotes the path ($(wc -l <"$T/traces") lines)" ||
	not_ok "every traced kubectl line quotes the path" "$bad"
grep -q -- "--watch" "$T/traces" && grep -q -- " version " "$T/traces" && ok "... the watches' and the preflight's among them" ||
	not_ok "... the watches' and the preflight's among them" "$(cat "$T/traces")"
kubectl-crucible-deploy -f - <"$T/base.yaml" >"$T/out" 2>"$T/err" && ok "manifests from stdin" ||
	not_ok "manifests from stdin" "$(cat "$T/err")"
contains "stdin deploy is unchanged too" "$T/err" "service/postgres unchanged"

expect_exit 0 "-o json" kubectl-crucible-deploy -o json
jq -e '.result == "ready" and (.workloads | length) == 13 and all(.workloads[]; .status == "Current")' "$T/out" >/dev/null &&
	ok "-o json has every workload Current" || not_ok "-o json has every workload Current" "$(head -c 400 "$T/out")"
jq -e '.phasesApplied == ["namespace","config","databases","apps","edge"]' "$T/out" >/dev/null &&
	ok "-o json lists the phases" || not_ok "-o json lists the phases" "$(jq -c .phasesApplied "$T/out")"

expect_exit 0 "--no-wait -o json" kubectl-crucible-deploy --no-wait -o json
jq -e '.result == "applied" and .phasesApplied == ["namespace","config","databases","apps","edge"]' "$T/out" >/dev/null &&
	ok "--no-wait: the result is applied, not ready" || not_ok "--no-wait: the result is applied, not ready" "$(jq -c '{result, phasesApplied}' "$T/out")"
expect_exit 0 "--no-wait" kubectl-crucible-deploy --no-wait
contains "... says it did not wait" "$T/out" "(not waited on)"

# --dry-run=server: shows the change, changes nothing.
# A Secret in the input, deployed with one value; the dry run would change it.
secret_doc() { printf -- '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: dry-run-secret\n  namespace: crucible\nstringData:\n  token: %s\n' "$1"; }
old_value=test-only-Old-Value-51 new_value=test-only-New-Value-73
{ cat "$T/base.yaml"; secret_doc "$old_value"; } >"$T/with-secret.yaml"
expect_exit 0 "deploy with a Secret in the input" kubectl-crucible-deploy -f "$T/with-secret.yaml"
{ sed 's/^  replicas: 2$/  replicas: 3/' "$T/base.yaml"; secret_doc "$new_value"; } >"$T/scaled.yaml"
before=$(rv)
expect_exit 0 "server dry run" kubectl-crucible-deploy --dry-run=server -f "$T/scaled.yaml"
[ "$(rv)" = "$before" ] && ok "server dry run changes nothing" || not_ok "server dry run changes nothing" "rv $before -> $(rv)"
contains "server dry run shows what would change" "$T/out" "configured (server dry run)"
contains "and how" "$T/out" "~ spec.replicas: 2 -> 3"
contains "unchanged objects too" "$T/out" "service/postgres unchanged (server dry run)"
contains "the Secret's change is shown" "$T/out" "secret/dry-run-secret configured (server dry run)"
contains "... with its value hidden" "$T/out" '~ data.token: "(hidden)" -> "(hidden)"'
leaked=
for v in "$old_value" "$new_value" "$(printf %s "$old_value" | base64 -w0)" "$(printf %s "$new_value" | base64 -w0)"; do
	grep -qF -- "$v" "$T/out" "$T/err" && leaked="$leaked $v"
done
[ -z "$leaked" ] && ok "Secret values never appear, old or new, plain or base64" || not_ok "Secret values never appear" "$leaked"

# --prune: flower's Service left the input.
awk 'BEGIN{RS="---\n"; ORS="---\n"} !/kind: Service\n(.*\n)*  name: flower\n/' "$T/base.yaml" >"$T/pruned.yaml"
expect_exit 0 "deploy --prune" kubectl-crucible-deploy --prune -f "$T/pruned.yaml"
cp "$T/err" "$T/prune.err"
contains "prune lists what it deletes" "$T/prune.err" "service/flower pruned"
lacks "prune keeps what the input has" "$T/prune.err" "deployment.apps/flower pruned"
expect_exit 1 "the pruned Service is gone" kubectl get service flower -n crucible
# The Secrets secrets apply created carry the project's managed-by label but
# were not applied by deploy: prune must leave them (the database password).
grep -E '^secret/[a-z]+-credentials pruned' "$T/prune.err" >"$T/gone" &&
	not_ok "prune leaves the Secrets secrets apply created" "$(cat "$T/gone")" || ok "prune leaves the Secrets secrets apply created"
contains "the Secret deploy applied (dry-run-secret) is pruned" "$T/prune.err" "secret/dry-run-secret pruned"
n=$(kubectl get secrets -n crucible -o name 2>/dev/null | wc -l)
[ "$n" -eq 4 ] && ok "the 4 Secrets survive deploy --prune" || not_ok "the 4 Secrets survive deploy --prune" "$n left"
kubectl get secret db-credentials -n crucible -o json | jq -e '.data["postgres-password"] | length > 0' >/dev/null &&
	ok "db-credentials keeps its password" || not_ok "db-credentials keeps its password"
# A Secret that deploy itself applied, and the input then dropped, does go.
printf -- '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: extra-secret\n  namespace: crucible\nstringData:\n  k: v\n' >"$T/extra.yaml"
cat "$T/pruned.yaml" "$T/extra.yaml" >"$T/with-extra.yaml"
expect_exit 0 "deploy with an extra Secret in the input" kubectl-crucible-deploy -f "$T/with-extra.yaml"
expect_exit 0 "deploy --prune without it" kubectl-crucible-deploy --prune -f "$T/pruned.yaml"
contains "a Secret deploy applied is pruned" "$T/err" "secret/extra-secret pruned"
expect_exit 1 "... and gone" kubectl get secret extra-secret -n crucible

# -n means what it means to kubectl apply, in deploy and in secrets: objects
# that name a namespace keep it, and an explicit -n that differs is an error
# (kubectl's own words); objects without one go to -n.
before=$(rv)
want="the namespace from the provided object \"crucible\" does not match the namespace \"other\". You must pass '--namespace=crucible' to perform this operation."
expect_exit 2 "deploy -n other with the manifests' namespace crucible: a usage error" kubectl-crucible-deploy -n other
contains "... in kubectl's words" "$T/err" "$want"
expect_exit 2 "secrets apply -n other likewise" kubectl-crucible-secrets apply -n other
contains "... in the same words" "$T/err" "$want"
[ "$(rv)" = "$before" ] && ok "... and nothing was changed" || not_ok "... and nothing was changed" "rv $before -> $(rv)"
sed -e 's/^  namespace: crucible$/  namespace: other/' -e 's/^  name: crucible$/  name: other/' "$T/base.yaml" >"$T/other.yaml"
grep -q '^  namespace: crucible' "$T/other.yaml" && not_ok "the manifests moved to namespace other" "$(grep -n 'namespace: crucible' "$T/other.yaml" | head -3)"
expect_exit 0 "secrets apply of manifests in namespace other, without -n" kubectl-crucible-secrets apply -f "$T/other.yaml"
contains "... creates namespace other, as the manifests define it" "$T/out" "namespace/other created"
contains "... and the Secrets there" "$T/out" "secret/db-credentials created"
expect_exit 0 "deploy -n other of those manifests" kubectl-crucible-deploy -n other -f "$T/other.yaml" --timeout 60s
contains "... finds the namespace secrets apply created its own" "$T/err" "namespace/other unchanged"
grep -E '^api-service +Deployment +2/2 +ready' "$T/out" >/dev/null && ok "... and the platform is ready in other" ||
	not_ok "... and the platform is ready in other" "$(tail -5 "$T/err")"
expect_exit 0 "deploy of the same manifests without -n goes to their namespace" kubectl-crucible-deploy -f "$T/other.yaml"
contains "... unchanged" "$T/err" "deployment.apps/api-service unchanged"
kubectl get deployment api-service -n other >/dev/null 2>&1 && ok "api-service runs in other" || not_ok "api-service runs in other"

done_testing
