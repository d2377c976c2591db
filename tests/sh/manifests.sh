#!/usr/bin/env bash
# The platform's manifests (k8s/): the base and every overlay render, say what
# the guide says (jq checks in tests/manifests/, each shown to reject a broken
# copy), keep secrets out of the repository, and the base comes up in the
# simulated cluster.
. "$(dirname "$0")/../lib.sh"

M=$TOP/tests/manifests
SRC=$TOP/k8s
# Every overlay there is (each must render and pass the base's checks); the
# two this project promises things about must exist.
OVERLAYS=$(cd "$SRC/overlays" && for d in */; do [ -f "$d/kustomization.yaml" ] && echo "${d%/}"; done)

# to_json YAML OUT: a YAML stream to a JSON array, offline
# (kubectl patch --local never contacts a server).
to_json() {
	kubectl patch --local -f "$1" -p '{}' --type merge -o json >"$2.stream" || return 1
	jq -s . "$2.stream" >"$2"
}

# render K8SDIR VARIANT OUT: kustomize the base or an overlay of K8SDIR and
# append the migration Job template; OUT is a JSON array.
render() {
	local dir=$1/base
	[ "$2" = base ] || dir=$1/overlays/$2
	kubectl kustomize "$dir" >"$3.yaml" 2>"$3.err" || { cat "$3.err" >&2; return 1; }
	to_json "$3.yaml" "$3.objs" || return 1
	to_json "$1/jobs/db-migrate.yaml" "$3.job" || return 1
	jq -s '.[0] + .[1]' "$3.objs" "$3.job" >"$3"
}

# run_jq PROGRAM VARIANT INPUT: the check's findings on stdout, one a line.
run_jq() {
	jq -r -L "$M" --arg variant "$2" --slurpfile secrets "$M/secrets.json" \
		--slurpfile graph "$M/graph.json" -f "$M/$1.jq" "$3"
}

# passes NAME PROGRAM VARIANT INPUT: the check finds nothing.
passes() {
	local out
	if out=$(run_jq "$2" "$3" "$4" 2>&1) && [ -z "$out" ]; then
		ok "$1"
	else
		local IFS=$'\n'
		# shellcheck disable=SC2086
		not_ok "$1" $(printf '%s\n' "$out" | head -n 30)
	fi
}

# rejects NAME PROGRAM VARIANT INPUT TEXT: the check fails, naming TEXT.
rejects() {
	local out
	out=$(run_jq "$2" "$3" "$4" 2>&1)
	if [ $? -eq 0 ] && printf '%s\n' "$out" | grep -qF -- "$5"; then
		ok "$1"
	else
		not_ok "$1" "wanted a finding containing: $5" "got: $(printf '%s\n' "$out" | head -n 5)"
	fi
}

# ---------------------------------------------------------------- rendering
R=$T/render
mkdir -p "$R"
for v in base $OVERLAYS; do
	if render "$SRC" "$v" "$R/$v.json" 2>"$T/err"; then
		ok "kubectl kustomize renders $v"
	else
		not_ok "kubectl kustomize renders $v" "$(head -c 500 "$T/err")"
	fi
done
check "the migration Job is not part of the base" \
	jq -e '[.[] | select(.kind == "Job")] == []' "$R/base.json.objs"
check "the migration Job template is a Job running alembic upgrade head" \
	jq -e '[.[] | select(.kind == "Job" and .metadata.name == "db-migrate")
		| .spec.template.spec.containers[0].command == ["alembic", "upgrade", "head"]] == [true]' "$R/base.json"

# ---------------------------------------------------------------- checks
for v in base $OVERLAYS; do
	passes "$v: the guide's table, ports, storage, Redis policies, routes" table "$v" "$R/$v.json"
	passes "$v: every pod and container is hardened, probed, sized, pinned" pods "$v" "$R/$v.json"
	passes "$v: every Secret, ConfigMap, claim reference resolves" refs "$v" "$R/$v.json"
	passes "$v: labels, selectors, Service and Ingress ports match" services "$v" "$R/$v.json"
	passes "$v: NetworkPolicies allow exactly the communication graph" netpol "$v" "$R/$v.json"
done
for v in dev production; do
	if [ -f "$R/$v.json" ]; then
		passes "$v: the overlay's own promises" overlays "$v" "$R/$v.json"
	else
		not_ok "$v: the overlay's own promises" "no overlay k8s/overlays/$v"
	fi
done
rejects "the production checks reject the plain base" overlays production "$R/base.json" \
	"image api-service:0.1.0 is not from ecr-registry.invalid/crucible-platform/"

# The Secrets the manifests reference, derived from the manifests, are the
# secrets tool's list (tests/manifests/secrets.json), and k8s/README.md
# documents every one of them.
if jq -L "$M" -S -f "$M/secret-refs.jq" "$R/base.json" >"$T/refs.json" &&
	[ "$(jq -S -c . "$T/refs.json")" = "$(jq -S -c . "$M/secrets.json")" ]; then
	ok "the Secrets derived from the manifests are exactly the documented list"
else
	not_ok "the Secrets derived from the manifests are exactly the documented list" "$(jq -c . "$T/refs.json" 2>&1)"
fi
missing=$(jq -r 'to_entries[] | .key as $s | .value[] | "\($s) \(.)"' "$M/secrets.json" | while read -r s k; do
	grep -q -- "\`$s\`" "$SRC/README.md" && grep -q -- "\`$k\`" "$SRC/README.md" || echo "$s/$k"
done)
if [ -z "$missing" ]; then ok "k8s/README.md documents every Secret and key"; else not_ok "k8s/README.md documents every Secret and key" "$missing"; fi

# ---------------------------------------------------------------- sources
# No Secret object, no secret value, no placeholder password in k8s/.
scan_sources() { # DIR: prints offending lines
	grep -rnE '^kind:[[:space:]]*Secret[[:space:]]*$' "$1"
	grep -rniE '\b(changeme|change-me|change_me|replace-?me|password123|hunter2|s3cr3t|xxxxx|TODO)\b' "$1"
	# user:password@ in a URL (templates like :<postgres-password>@ are fine)
	grep -rnE '://[^/@[:space:]"]*:[^/@[:space:]"<$][^/@[:space:]"]*@' "$1"
	grep -rnE '^[[:space:]]*(stringData|data):[[:space:]]*$' "$1" | grep -v '/config/'
	grep -rnE '(requirepass|masterauth)[[:space:]]+[^$[:space:]]' "$1" | grep -v '"--requirepass"'
	return 0
}
found=$(scan_sources "$SRC")
if [ -z "$found" ]; then ok "no Secret, secret value or placeholder password in k8s/"; else not_ok "no Secret, secret value or placeholder password in k8s/" "$found"; fi

# Every exception to the guide's security context is commented where it is
# made: the line carries a comment, or the line before it is a comment.
uncommented_exceptions() { # DIR
	find "$1" -name '*.yaml' -print0 | sort -z | xargs -0 awk '
		FNR == 1 { prev = "" }
		{
			line = $0
			if (line ~ /(runAsUser|runAsGroup|fsGroup):[[:space:]]*[0-9]/ && line !~ /:[[:space:]]*1000([[:space:]]|$)/ ||
			    line ~ /runAsNonRoot:[[:space:]]*false/ || line ~ /readOnlyRootFilesystem:[[:space:]]*false/ ||
			    line ~ /allowPrivilegeEscalation:[[:space:]]*true/ || line ~ /privileged:[[:space:]]*true/ ||
			    line ~ /hostPath:/ || line ~ /hostNetwork:[[:space:]]*true/ || line ~ /^[[:space:]]*add:/ ||
			    line ~ /type:[[:space:]]*(Unconfined|Localhost)/) {
				if (line !~ /#/ && prev !~ /^[[:space:]]*#/) print FILENAME ":" FNR ": " line
			}
			if (line !~ /^[[:space:]]*$/) prev = line
		}'
}
found=$(uncommented_exceptions "$SRC")
if [ -z "$found" ]; then ok "every security-context exception in k8s/ is commented"; else not_ok "every security-context exception in k8s/ is commented" "$found"; fi

# ---------------------------------------------------------------- the checks can fail
# Each case breaks a copy of k8s/ and expects the named check to say so.
n=0
broken() { # NAME VARIANT PROGRAM TEXT FILE SED-SCRIPT: edit FILE in a fresh copy, render, check
	local name=$1 v=$2 prog=$3 text=$4 file=$5 script=$6
	n=$((n + 1))
	local B=$T/broken$n
	cp -R "$SRC" "$B"
	sed -i -e "$script" "$B/$file"
	if cmp -s "$SRC/$file" "$B/$file"; then
		not_ok "rejects: $name" "the edit changed nothing in $file"
		return
	fi
	if ! render "$B" "$v" "$T/b$n.json" 2>"$T/err"; then
		not_ok "rejects: $name" "the broken copy did not render: $(head -c 300 "$T/err")"
		return
	fi
	rejects "rejects: $name" "$prog" "$v" "$T/b$n.json" "$text"
}
broken "a container without a readiness probe" base pods \
	"Deployment/frontend container frontend: no readinessProbe" \
	base/frontend.yaml '/readinessProbe:/,/timeoutSeconds: 3/d'
broken "a writable root filesystem" base pods \
	"Deployment/flower container flower: readOnlyRootFilesystem is not true" \
	base/flower.yaml 's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/'
broken "a container running as root outside the documented exceptions" base pods \
	"Deployment/api-service container api-service: runAsUser is 0" \
	base/api-service.yaml '/^          securityContext:/,/runAsUser/s/runAsUser: 1000/runAsUser: 0/'
broken "an emptyDir without a size limit" base pods \
	"emptyDir tmp has no sizeLimit" \
	base/celery-worker.yaml 's/^\( *\)emptyDir:$/\1emptyDir: {}/; /sizeLimit: 100Mi/d'
broken "a container without a memory limit" base pods \
	"Deployment/storage-worker container storage-worker: no memory limits" \
	base/storage-worker.yaml '/^            limits:/,/memory:/{/memory:/d}'
broken "a Service selecting no pod" base services \
	"Service/api-service: selects no pod template" \
	base/api-service.yaml '/^  selector:$/{n;s/^    app.kubernetes.io\/name: api-service$/    app.kubernetes.io\/name: api-svc/}'
broken "a Service targeting a port its pods do not expose" base services \
	"Service/flower: port 5555 targets metrics" \
	base/flower.yaml 's/targetPort: http/targetPort: metrics/'
broken "an Ingress backend port no Service has" base services \
	"Ingress/crucible: Service api-service has no port 8081" \
	base/ingress.yaml 's/number: 8080/number: 8081/'
broken "a reference to a Secret the secrets tool does not make" base refs \
	"Secret api-secrets is referenced but not produced" \
	base/api-service.yaml 's/name: api-credentials/name: api-secrets/'
broken "a credential in a ConfigMap" base refs \
	"ConfigMap crucible-common" \
	base/config/common.env '$a CACHE_URL=redis://:hunter@redis:6379/1'
broken "a ConfigMap reference nothing defines" base refs \
	"envFrom ConfigMap executor-settings is not defined" \
	base/executors.yaml 's/name: executor-config/name: executor-settings/'
broken "a missing edge of the communication graph" base netpol \
	"missing edge: storage-worker -> postgres:5432/TCP" \
	base/postgres.yaml 's/app.kubernetes.io\/name: storage-worker$/app.kubernetes.io\/name: nobody/'
broken "an ingress rule the client's egress does not match" base netpol \
	"flower -> redis-main:6379 is allowed on one side only" \
	base/redis-main.yaml 's/app.kubernetes.io\/name: celery-worker/app.kubernetes.io\/name: flower/'
broken "no default-deny policy" base netpol \
	"no default-deny NetworkPolicy" \
	base/network-policy-defaults.yaml 's/policyTypes: \[Ingress, Egress\]/policyTypes: [Ingress]/'
broken "a task queue that evicts keys" base table \
	"redis-celery (task queue) must not evict keys" \
	base/config/redis-celery.conf 's/maxmemory-policy noeviction/maxmemory-policy allkeys-lru/'
broken "postgres without its postgres-storage claim template" base table \
	"StatefulSet postgres: no volumeClaimTemplate postgres-storage" \
	base/postgres.yaml 's/name: postgres-storage/name: pgdata/'
broken "a production image tagged latest" production pods \
	"is :latest" \
	overlays/production/kustomization.yaml '0,/newTag: 0.1.0/s/newTag: 0.1.0/newTag: latest/'
broken "a replicated production service without a disruption budget" production overlays \
	"Deployment/frontend is replicated but has no PodDisruptionBudget" \
	overlays/production/pdb.yaml 's/name: frontend$/name: frontend-gone/'
broken "a dev overlay too big for one node" dev overlays \
	"dev requests" \
	overlays/dev/kustomization.yaml 's/value: {cpu: 25m, memory: 64Mi}/value: {cpu: 250m, memory: 512Mi}/'

# The source scans fail too.
B=$T/broken-src1
cp -R "$SRC" "$B"
printf 'POSTGRES_PASSWORD=changeme\n' >>"$B/base/config/postgres.env"
if [ -n "$(scan_sources "$B")" ]; then ok "rejects: a placeholder password in k8s/"; else not_ok "rejects: a placeholder password in k8s/"; fi
B=$T/broken-src2
cp -R "$SRC" "$B"
sed -i 's/runAsUser: 0 # exception: root, see the pod securityContext/runAsUser: 0/' "$B/base/docker-proxy.yaml"
if uncommented_exceptions "$B" | grep -q 'docker-proxy.yaml'; then
	ok "rejects: an uncommented security-context exception"
else
	not_ok "rejects: an uncommented security-context exception"
fi

# ---------------------------------------------------------------- simulated cluster
# The base, as is, plus the Secrets it references, applied server-side,
# reaches all-ready. The simulated cluster starts as a stock one (default
# StorageClass ReadWriteOnce only, plus an RWX class "shared"): storage-pvc,
# which names no class, cannot be provisioned, as k8s/README.md says. Once the
# default class offers ReadWriteMany, everything comes up.
if [ ! -f "$TOP/tests/simcluster/simcluster.py" ]; then
	skip "simulator not available"
	done_testing
fi

# secrets_yaml: Namespace and the Secrets the manifests reference (random
# values; the secrets tool composes the real ones).
secrets_yaml() {
	printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: crucible\n'
	jq -r 'to_entries[] | "\(.key) \(.value | join(" "))"' "$T/refs.json" | while read -r name keys; do
		printf -- '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  namespace: crucible\ntype: Opaque\nstringData:\n' "$name"
		for k in $keys; do
			printf '  %s: "%s"\n' "$k" "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
		done
	done
}
secrets_yaml >"$T/secrets.yaml"

# wait_event OBJECT REASON SECONDS: polls the namespace's events.
wait_event() {
	local i
	for i in $(seq $(($3 * 4))); do
		kubectl get events -n crucible -o json 2>/dev/null |
			jq -e --arg o "$1" --arg r "$2" '[.items[] | select(.involvedObject.name == $o and .reason == $r)] | length > 0' >/dev/null && return 0
		sleep 0.25
	done
	return 1
}

start_sim
check "sim: the Secrets apply" kubectl apply --server-side -f "$T/secrets.yaml"
check "sim: kubectl apply --server-side -k k8s/base" kubectl apply --server-side -k "$SRC/base"
check "sim: with a ReadWriteOnce-only default class, storage-pvc is not provisioned" \
	wait_event storage-pvc ProvisioningFailed 30
printf '{"cluster": {"storageClasses": {"standard": {"accessModes": ["ReadWriteOnce", "ReadWriteMany"]}}}}\n' >"$T/rwx.json"
check "sim: the default class now offers ReadWriteMany" kubectl create --raw /_sim/scenario -f "$T/rwx.json"
if kubectl wait -n crucible --for=jsonpath='{.status.phase}'=Bound pvc --all --timeout=60s >"$T/out" 2>"$T/err"; then
	ok "sim: every claim is Bound"
else
	not_ok "sim: every claim is Bound" "$(cat "$T/err")" "scenario: $(kubectl get --raw /_sim/scenario 2>&1)" \
		"$(kubectl get events -n crucible -o json | jq -r '.items[] | select(.involvedObject.kind == "PersistentVolumeClaim") | "\(.lastTimestamp) \(.involvedObject.name) \(.reason) \(.count) \(.message)"' | tail -n 8)"
fi
check "sim: every Deployment becomes Available" \
	kubectl wait -n crucible --for=condition=Available deployment --all --timeout=90s
check "sim: the postgres StatefulSet rolls out" \
	kubectl rollout status -n crucible statefulset/postgres --timeout=90s
check "sim: the docker-proxy DaemonSet rolls out on every node" \
	kubectl rollout status -n crucible daemonset/docker-proxy --timeout=90s
check "sim: every pod is Ready" \
	kubectl wait -n crucible --for=condition=Ready pod --all --timeout=90s
if kubectl get -n crucible pods -o json >"$T/pods.json" 2>"$T/err" &&
	jq -e '[.items[] | select(.metadata.labels["app.kubernetes.io/name"] == "docker-proxy")] | length == 3' "$T/pods.json" >/dev/null &&
	jq -e '[.items[] | select(.metadata.labels.app == "postgres") | .metadata.name] == ["postgres-0"]' "$T/pods.json" >/dev/null; then
	ok "sim: postgres-0 exists (-l app=postgres) and docker-proxy runs on all 3 nodes"
else
	not_ok "sim: postgres-0 exists (-l app=postgres) and docker-proxy runs on all 3 nodes" "$(head -c 300 "$T/err")"
fi
# Applying again changes nothing and conflicts with nothing.
check "sim: a second server-side apply succeeds" kubectl apply --server-side -k "$SRC/base"

# The dev overlay on a single small node (2 CPU, 4Gi), with the stock
# ReadWriteOnce default class.
kill -TERM "$_sim_pid" 2>/dev/null
wait "$_sim_pid" 2>/dev/null
_sim_pid=
rm -f "$T/sim.out"
printf '{"cluster": {"nodes": {"count": 1, "cpu": "2", "memory": "4Gi"}}}\n' >"$T/one-node.json"
start_sim --nodes 1 --scenario "$T/one-node.json"
check "sim one node: the Secrets apply" kubectl apply --server-side -f "$T/secrets.yaml"
check "sim one node: kubectl apply --server-side -k k8s/overlays/dev" kubectl apply --server-side -k "$SRC/overlays/dev"
check "sim one node: every Deployment becomes Available" \
	kubectl wait -n crucible --for=condition=Available deployment --all --timeout=90s
check "sim one node: every pod is Ready" \
	kubectl wait -n crucible --for=condition=Ready pod --all --timeout=90s

done_testing
