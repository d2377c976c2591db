#!/usr/bin/env bash
# kubectl crucible secrets apply and list against the simulated cluster, with
# every kubectl call going through a wrapper that records its argv: apply
# creates exactly the referenced Secrets, a second apply changes nothing,
# --rotate renews values and keeps database-url consistent, list reports a
# missing key, and no value ever reaches an argv, stdout, stderr or -v.
. "$(dirname "$0")/../lib.sh"

S=kubectl-crucible-secrets
cd "$TOP"
# The namespace exists, so the first apply is one kubectl apply (creating a
# missing namespace is tested below).
start_sim_ns

REAL=$(command -v kubectl)
cat >"$T/kubectl-rec" <<EOF
#!/bin/sh
# Records one line per call: every argument, NUL-safe enough for the check.
{ printf 'CALL'; for a in "\$@"; do printf ' [%s]' "\$a"; done; printf '\n'; } >>"$T/argv.log"
exec "$REAL" "\$@"
EOF
chmod +x "$T/kubectl-rec"
K="--kubectl=$T/kubectl-rec"
: >"$T/argv.log"
: >"$T/printed" # everything the tool printed, to search for values at the end

# run NAME CODE ARGS...: expect_exit, keeping what was printed.
run() {
	local name=$1 code=$2
	shift 2
	expect_exit "$code" "$name" "$@"
	cat "$T/out" "$T/err" >>"$T/printed"
}

# values: "secret/key value" for every key in the namespace (the test's own view).
values() {
	kubectl -n crucible get secrets -o json |
		jq -r '.items[] | .metadata.name as $n | (.data // {}) | to_entries[] | "\($n)/\(.key) \(.value | @base64d)"' | sort
}
val() { values | awk -v k="$1" '$1 == k { print $2 }'; }
versions() { kubectl -n crucible get secrets -o jsonpath='{range .items[*]}{.metadata.name}={.metadata.resourceVersion}{"\n"}{end}'; }

# --- apply creates exactly the referenced Secrets ---------------------------
run "apply creates the Secrets" 0 $S apply -v "$K"
for s in api-credentials db-credentials flower-credentials redis-credentials; do
	contains "apply reports secret/$s created" "$T/out" "secret/$s created ("
done
kubectl kustomize k8s/base | kubectl patch --local -f - -p '{}' --type merge -o json | jq -s . >"$T/render.json"
jq -r -L tests/manifests -f tests/manifests/secret-refs.jq "$T/render.json" |
	jq -r 'to_entries[] | .key as $s | .value[] | "\($s)/\(.)"' | sort >"$T/want"
values | awk '{ print $1 }' >"$T/got"
if [ -s "$T/want" ] && cmp -s "$T/want" "$T/got"; then ok "the namespace holds exactly the referenced Secrets and keys"
else not_ok "the namespace holds exactly the referenced Secrets and keys" "$(diff "$T/want" "$T/got")"; fi
values >"$T/v1"
pw=$(val db-credentials/postgres-password)
[ -n "$pw" ] && [ "$(val db-credentials/database-url)" = "postgresql://crucible:$pw@postgres:5432/crucible" ] &&
	ok "database-url in the cluster carries postgres-password" || not_ok "database-url in the cluster carries postgres-password"
grep -c '^CALL.* \[apply\] ' "$T/argv.log" | grep -qx 1 && ok "one kubectl apply for all Secrets" || not_ok "one kubectl apply for all Secrets" "$(cat "$T/argv.log")"
grep -q '^CALL.* \[apply\] \[--server-side\].* \[-f\] \[-\]' "$T/argv.log" && ok "server-side apply with the manifests on stdin" ||
	not_ok "server-side apply with the manifests on stdin" "$(grep apply "$T/argv.log")"
kubectl -n crucible get secret db-credentials -o json --show-managed-fields | jq -e '.metadata.managedFields | any(.manager == "kubectl-crucible-secrets")' >/dev/null &&
	ok "the Secrets are owned by field manager kubectl-crucible-secrets" || not_ok "the Secrets are owned by field manager kubectl-crucible-secrets"

# --- a second apply changes nothing ----------------------------------------
versions >"$T/rv1"
: >"$T/argv2.log"
cp "$T/argv.log" "$T/argv-before"
run "a second apply succeeds" 0 $S apply "$K"
[ "$(grep -c ' unchanged$' "$T/out")" -eq 4 ] && ok "a second apply reports every Secret unchanged" || not_ok "a second apply reports every Secret unchanged" "$(cat "$T/out")"
versions >"$T/rv2"
cmp -s "$T/rv1" "$T/rv2" && ok "a second apply changes no resourceVersion" || not_ok "a second apply changes no resourceVersion" "$(diff "$T/rv1" "$T/rv2")"
values | cmp -s - "$T/v1" && ok "a second apply changes no value" || not_ok "a second apply changes no value"
diff "$T/argv-before" "$T/argv.log" | grep -q '\[apply\]' && not_ok "a second apply sends nothing" || ok "a second apply sends nothing"

# --- list, and the references that point nowhere -----------------------------
kubectl apply --server-side -k k8s/base >/dev/null 2>"$T/apply.err" || not_ok "the base applies to the simulated cluster" "$(cat "$T/apply.err")"
run "list with everything in place: exit 0" 0 $S list "$K"
grep -qE '^db-credentials +Opaque +database-url,postgres-password +[0-9]+[smhd] +.*StatefulSet/postgres' "$T/out" &&
	ok "list shows name, type, keys, age and users" || not_ok "list shows name, type, keys, age and users" "$(cat "$T/out")"
lacks "list prints no missing references" "$T/out" "no such"
kubectl -n crucible patch secret db-credentials --type json -p '[{"op": "remove", "path": "/data/database-url"}]' >/dev/null
kubectl -n crucible delete secret flower-credentials >/dev/null
run "list with a missing key: exit 1" 1 $S list "$K"
grep -qE '^Deployment/storage-service +db-credentials +database-url +no such key' "$T/out" &&
	ok "list reports the missing key and who needs it" || not_ok "list reports the missing key and who needs it" "$(cat "$T/out")"
grep -qE '^Deployment/flower +flower-credentials +basic-auth +no such Secret' "$T/out" &&
	ok "list reports the missing Secret" || not_ok "list reports the missing Secret" "$(cat "$T/out")"
run "list -o json: exit 1" 1 $S list -o json "$K"
jq -e '(.missing | map(select(.secret == "db-credentials" and .key == "database-url")) | map(.object) | index("Deployment/storage-service")) != null
	and (.missing | all(.problem == "no such key" or .problem == "no such Secret"))
	and (.secrets | map(.name) | index("db-credentials")) != null' "$T/out" >/dev/null &&
	ok "list -o json has the Secrets and the missing references" || not_ok "list -o json has the Secrets and the missing references" "$(head -c 400 "$T/out")"

# --- apply fills in what is missing, from the values already there ------------
run "apply adds the missing key and Secret" 0 $S apply "$K"
contains "apply says which key it added" "$T/out" "secret/db-credentials keys added (database-url)"
contains "apply recreates the deleted Secret" "$T/out" "secret/flower-credentials created (basic-auth)"
contains "apply leaves the complete ones alone" "$T/out" "secret/redis-credentials unchanged"
[ "$(val db-credentials/postgres-password)" = "$pw" ] && ok "the existing password is kept" || not_ok "the existing password is kept"
[ "$(val db-credentials/database-url)" = "postgresql://crucible:$pw@postgres:5432/crucible" ] &&
	ok "the added database-url is composed from the existing password" || not_ok "the added database-url is composed from the existing password"
run "list after apply: exit 0" 0 $S list "$K"
values >"$T/v2"

# A value given for a key that exists is not applied without --rotate.
printf 'POSTGRES_PASSWORD=Given-But-Ignored-1\n' >"$T/env"
run "apply with an env file for an existing key" 0 $S apply --from-env-file "$T/env" "$K"
contains "... warns that the value is ignored" "$T/err" "secret db-credentials: key postgres-password exists"
[ "$(val db-credentials/postgres-password)" = "$pw" ] && ok "... and keeps the existing value" || not_ok "... and keeps the existing value"

# --- rotation -----------------------------------------------------------------
run "apply --rotate" 0 $S apply --rotate -v "$K"
values >"$T/v3"
same=$(join "$T/v2" "$T/v3" | awk '$2 == $3' | wc -l)
[ "$same" -eq 0 ] && [ "$(wc -l <"$T/v3")" -eq "$(wc -l <"$T/v2")" ] && ok "--rotate renews every value" || not_ok "--rotate renews every value" "$same unchanged"
pw3=$(val db-credentials/postgres-password)
[ -n "$pw3" ] && [ "$(val db-credentials/database-url)" = "postgresql://crucible:$pw3@postgres:5432/crucible" ] &&
	ok "--rotate keeps database-url consistent with the new password" || not_ok "--rotate keeps database-url consistent with the new password"
[ "$(val redis-credentials/redis-url)" = "redis://:$(val redis-credentials/redis-password)@redis:6379/0" ] &&
	ok "--rotate keeps redis-url consistent" || not_ok "--rotate keeps redis-url consistent"
contains "--rotate reports what it renewed" "$T/out" "secret/db-credentials rotated (database-url, postgres-password)"
contains "--rotate warns that the servers keep their passwords" "$T/err" "ALTER ROLE"
grep -q '\[--force-conflicts\]' "$T/argv.log" && ok "--rotate takes over fields other managers set" || not_ok "--rotate takes over fields other managers set"
printf 'db-credentials/postgres-password=Rotated-To-This-9\n' >"$T/env"
run "apply --rotate with a given password" 0 $S apply --rotate --from-env-file "$T/env" "$K"
[ "$(val db-credentials/database-url)" = "postgresql://crucible:Rotated-To-This-9@postgres:5432/crucible" ] &&
	ok "--rotate composes database-url from a given password" || not_ok "--rotate composes database-url from a given password"
values >"$T/v4"

# --- failures map to the documented exit codes, still without values ----------
# --- -n as kubectl apply takes it: manifests that name another namespace are an error
run "apply -n with manifests in another namespace: exit 2" 2 $S apply -n fresh-ns "$K"
contains "... in kubectl's words" "$T/err" "the namespace from the provided object \"crucible\" does not match the namespace \"fresh-ns\". You must pass '--namespace=crucible' to perform this operation."
kubectl get namespace fresh-ns >/dev/null 2>&1 && not_ok "... and creates nothing" || ok "... and creates nothing"
# --- a namespace that does not exist is created (a bare one: the manifests,
# without namespaces, define only crucible)
kubectl kustomize k8s/base | sed '/^  namespace: crucible$/d' >"$T/no-ns.yaml"
run "apply into a missing namespace creates it" 0 $S apply -n fresh-ns -f "$T/no-ns.yaml" "$K"
contains "... and says so" "$T/out" "namespace/fresh-ns created"
contains "... then creates the Secrets" "$T/out" "secret/db-credentials created ("
kubectl get namespace fresh-ns -o json --show-managed-fields >"$T/ns.json" 2>/dev/null
jq -e '(.metadata.labels | del(.["kubernetes.io/metadata.name"])) == {"app.kubernetes.io/managed-by": "kubectl-crucible"}
	and ([.metadata.managedFields[] | select(.operation == "Apply") | .manager] == ["kubectl-crucible"])' "$T/ns.json" >/dev/null &&
	ok "... a bare Namespace with deploy's label and field manager" || not_ok "... a bare Namespace with deploy's label and field manager" "$(jq -c .metadata "$T/ns.json")"
[ "$(kubectl -n fresh-ns get secrets -o name | wc -l)" -eq 4 ] && ok "... holding the Secrets" || not_ok "... holding the Secrets"
kubectl get namespace fresh-ns -o jsonpath='{.metadata.resourceVersion}' >"$T/ns-rv1"
run "apply into that namespace again" 0 $S apply -n fresh-ns -f "$T/no-ns.yaml" "$K"
lacks "... leaves an existing namespace alone" "$T/out" "namespace/"
kubectl get namespace fresh-ns -o jsonpath='{.metadata.resourceVersion}' >"$T/ns-rv2"
cmp -s "$T/ns-rv1" "$T/ns-rv2" && ok "... untouched" || not_ok "... untouched"
printf '#!/bin/sh\necho "error: You must be logged in to the server (Unauthorized)" >&2\nexit 1\n' >"$T/kubectl-deny"
chmod +x "$T/kubectl-deny"
run "list when kubectl fails: exit 4" 4 $S list --kubectl "$T/kubectl-deny"
contains "... with kubectl's reason" "$T/err" "Unauthorized"
run "apply when kubectl is missing: exit 4" 4 $S apply --kubectl "$T/no-such-kubectl"
contains "... saying so" "$T/err" "kubectl not found"
# A kubectl that echoes what it was sent: the error line must come out masked.
cat >"$T/kubectl-echo" <<EOF
#!/bin/sh
case "\$*" in *apply*) cat >&2; exit 1 ;; esac
exec "$REAL" "\$@"
EOF
chmod +x "$T/kubectl-echo"
kubectl -n crucible delete secret api-credentials >/dev/null
run "apply when kubectl apply fails: exit 4" 4 $S apply --kubectl "$T/kubectl-echo"
grep -q 'kubectl apply: .*\*\*\*\*' "$T/err" && ok "... the failure is shown with values masked" || not_ok "... the failure is shown with values masked" "$(cat "$T/err")"

# --- no value on any argv, in any output, in -v --------------------------------
cat "$T/v1" "$T/v2" "$T/v3" "$T/v4" | awk '{ print $2 }' | sort -u >"$T/all-values"
n=0 leaks=
while read -r v; do
	[ -n "$v" ] || continue
	n=$((n + 1))
	b64=$(printf %s "$v" | base64 -w0)
	for f in "$T/argv.log" "$T/printed"; do
		if grep -qF -- "$v" "$f" || grep -qF -- "$b64" "$f"; then leaks="$leaks ${f##*/}"; fi
	done
done <"$T/all-values"
[ "$n" -ge 20 ] && ok "values to look for ($n)" || not_ok "values to look for ($n)"
[ -z "$leaks" ] && ok "no value on any kubectl argv, stdout, stderr or -v line" || not_ok "no value on any kubectl argv, stdout, stderr or -v line" "$leaks"
[ "$(grep -c '^CALL' "$T/argv.log")" -ge 10 ] && ok "the recorder saw the calls" || not_ok "the recorder saw the calls"
grep -q '^CALL.*\[get\] \[secrets\] \[db-credentials\]' "$T/argv.log" && ok "values are read back only for Secrets that need sending" ||
	not_ok "values are read back only for Secrets that need sending"
done_testing
