#!/usr/bin/env bash
# kubectl-crucible-migrate-db without a cluster: usage, the image
# choice and its refusal of moving tags, and the Jobs --dry-run=client
# prints (built from k8s/jobs/db-migrate.yaml), checked by the simulated
# API server's validation.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
M=kubectl-crucible-migrate-db
nocluster() { env KUBECONFIG="$T/no-such-kubeconfig" "$@"; }

expect_exit 0 "--help" $M --help
contains "--help names the commands" "$T/out" "history"
not_contains "--help no longer says anything is not written" "$T/out" "ot written yet"
expect_exit 0 "--version" $M --version
expect_exit 0 "kubectl's plugin name for migrate-db runs it" kubectl crucible migrate-db --version
expect_exit 2 "--dry-run needs client or server" $M --dry-run=maybe
expect_exit 2 "-o needs text or json" $M -o yaml --dry-run=client
expect_exit 2 "--retries must be a number" $M --retries=-1 --dry-run=client
expect_exit 2 "--retries must be a number (text)" $M --retries=two --dry-run=client
expect_exit 2 "--timeout must be a duration" $M --timeout=soon --dry-run=client
expect_exit 2 "an unknown command" $M migrate
expect_exit 2 "--allow-latest without --image" $M --allow-latest --dry-run=client
expect_exit 4 "a run without a reachable cluster is a kubectl error" nocluster $M

# The image: the manifests' storage-service image, no cluster needed.
expect_exit 0 "client dry run without a cluster" nocluster $M --dry-run=client -o json
jq -e '.items | length == 1' "$T/out" >/dev/null && ok "one Job without --backup" || not_ok "one Job without --backup" "$(head -c 300 "$T/out")"
jq -e '.items[0] | .kind == "Job" and (.metadata.name | test("^db-migrate-[0-9]{8}-[0-9]{6}-[0-9a-f]{8}$"))' "$T/out" >/dev/null &&
	ok "Job named db-migrate-<UTC time>-<hash>" || not_ok "Job named db-migrate-<UTC time>-<hash>" "$(jq -c '.items[0].metadata.name' "$T/out")"
jq -e '.items[0].spec | .backoffLimit == 0 and .activeDeadlineSeconds == 600 and .ttlSecondsAfterFinished >= 86400' "$T/out" >/dev/null &&
	ok "no blind retries, deadline 10m, long TTL by default" || not_ok "defaults" "$(jq -c '.items[0].spec | del(.template)' "$T/out")"
jq -e '.items[0].spec.template.spec.containers[0] | .image == "storage-service:0.1.0" and .command == ["alembic", "upgrade", "head"]' "$T/out" >/dev/null &&
	ok "the base's storage-service image runs alembic" || not_ok "the base's image" "$(jq -c '.items[0].spec.template.spec.containers[0].image' "$T/out")"
jq -e '.items[0].metadata.labels["crucible.dev/lease"] == "crucible-migrate-db" and .items[0].metadata.annotations["crucible.dev/image"] == "storage-service:0.1.0"' "$T/out" >/dev/null &&
	ok "labels link the Job to its image and the Lease" || not_ok "labels" "$(jq -c '.items[0].metadata' "$T/out")"

expect_exit 0 "the production overlay's image" nocluster $M --dry-run=client -o json --overlay production --retries 2 --timeout 90s
jq -e '.items[0] | .spec.template.spec.containers[0].image == "ecr-registry.invalid/crucible-platform/storage-service:0.1.0"
	and .spec.backoffLimit == 2 and .spec.activeDeadlineSeconds == 90' "$T/out" >/dev/null &&
	ok "--overlay decides the image; --retries and --timeout set the Job" || not_ok "overlay image" "$(jq -c '.items[0].spec | del(.template)' "$T/out")"
expect_exit 0 "--timeout 0: no deadline" nocluster $M --dry-run=client -o json --timeout 0
jq -e '.items[0].spec | has("activeDeadlineSeconds") | not' "$T/out" >/dev/null && ok "no activeDeadlineSeconds" || not_ok "no activeDeadlineSeconds"

# Moving tags are refused: in the manifests, and from --image without --allow-latest.
kubectl kustomize k8s/base >"$T/base.yaml"
sed 's|image: storage-service:0.1.0|image: storage-service:latest|' "$T/base.yaml" >"$T/latest.yaml"
expect_exit 1 "a :latest storage-service image in the manifests is refused" nocluster $M --dry-run=client -f "$T/latest.yaml"
contains "the refusal names the image and the way out" "$T/err" "storage-service:latest names no fixed version"
[ ! -s "$T/out" ] && ok "nothing printed when refused" || not_ok "nothing printed when refused" "$(head -c 200 "$T/out")"
expect_exit 2 "--image :latest is refused" nocluster $M --dry-run=client --image registry.example/storage-service:latest
contains "it says how to insist" "$T/err" "--allow-latest"
expect_exit 2 "an untagged --image is refused" nocluster $M --dry-run=client --image registry.example:5000/storage-service
expect_exit 0 "--image :latest with --allow-latest" nocluster $M --dry-run=client --image registry.example/storage-service:latest --allow-latest
contains "the named image is used" "$T/out" "image: registry.example/storage-service:latest"
expect_exit 0 "a registry port is not a tag; a digest is fixed" nocluster $M --dry-run=client -o json \
	--image registry.example:5000/storage-service@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
jq -e '.items[0].metadata.name | endswith("-01234567")' "$T/out" >/dev/null && ok "the name's hash is the digest's start" ||
	not_ok "the name's hash is the digest's start" "$(jq -r '.items[0].metadata.name' "$T/out")"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n' >"$T/none.yaml"
expect_exit 2 "-n must agree with the manifests' namespace" nocluster $M --dry-run=client -n other
expect_exit 0 "the Jobs go to the manifests' namespace" nocluster $M --dry-run=client -o json -f "$T/base.yaml"
jq -e '.items[0].metadata.namespace == "crucible"' "$T/out" >/dev/null && ok "namespace crucible" || not_ok "namespace crucible"
expect_exit 3 "manifests without storage-service need --image" nocluster $M --dry-run=client -f "$T/none.yaml"

# --backup: the claim, then pg_dump with postgres's image and the password through env.
expect_exit 0 "client dry run with --backup" nocluster $M --dry-run=client -o json --backup
jq -e '[.items[].kind] == ["PersistentVolumeClaim", "Job", "Job"]' "$T/out" >/dev/null &&
	ok "claim, backup Job, migration Job, in that order" || not_ok "backup order" "$(jq -c '[.items[].kind]' "$T/out")"
jq -e '.items[0] | .metadata.name == "crucible-db-backups" and .spec.accessModes == ["ReadWriteOnce"]' "$T/out" >/dev/null &&
	ok "the backup claim is crucible-db-backups, ReadWriteOnce" || not_ok "backup claim" "$(jq -c '.items[0]' "$T/out")"
jq -e '.items[1].spec.template.spec.containers[0] as $c | ($c.image == "postgres:15.8-alpine")
	and ([$c.env[] | select(.name == "PGPASSWORD") | .valueFrom.secretKeyRef] == [{"name": "db-credentials", "key": "postgres-password"}])
	and ($c.command | join(" ") | test("pg_dump") and (test("PASSWORD") | not))' "$T/out" >/dev/null &&
	ok "pg_dump runs postgres's image; the password comes through env, not argv" || not_ok "backup Job" "$(jq -c '.items[1].spec.template.spec.containers[0]' "$T/out")"
name=$(jq -r '.items[2].metadata.name' "$T/out")
jq -e --arg s "${name#db-migrate-}" '.items[1].spec.template.spec.containers[0].env[] | select(.name == "BACKUP_FILE") | .value | test("^[0-9]{8}-[0-9]{6}\\.sql\\.gz$")' "$T/out" >/dev/null &&
	ok "the dump is <timestamp>.sql.gz" || not_ok "the dump is <timestamp>.sql.gz"

# What the dry run prints is accepted by an API server (the simulator's validation, server dry run).
start_sim
kubectl create namespace crucible >/dev/null
nocluster $M --dry-run=client --backup >"$T/jobs.yaml" 2>/dev/null
check "the printed claim and Jobs pass server-side validation" kubectl create --dry-run=server -f "$T/jobs.yaml"
contains "the migration Job" "$T/out" "job.batch/db-migrate-"
contains "the backup Job" "$T/out" "job.batch/db-backup-"
contains "the claim" "$T/out" "persistentvolumeclaim/crucible-db-backups"
[ "$(kubectl get jobs -n crucible -o name 2>/dev/null | wc -l)" -eq 0 ] && ok "the dry runs created nothing" || not_ok "the dry runs created nothing"

done_testing
