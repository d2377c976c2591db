#!/usr/bin/env bash
# kubectl diff against the simulator, as a real API server answers it: kubectl
# GETs the live object, then sends the apply PATCH with dryRun=All (server
# side) or a dry-run create/patch (client side). Nothing is stored; the dry
# run shows what the server would do (generation bumped on a spec change,
# uid and creationTimestamp on a create), and exit 0/1/>1 follow from it.
. "$(dirname "$0")/../lib.sh"

start_sim
kubectl create namespace crucible >/dev/null
kubectl create deployment web --image=nginx:1.25 -n crucible --dry-run=client -o yaml |
	sed '/strategy: {}/d; /status: {}/d; /resources: {}/d; /creationTimestamp: null/d' >"$T/web.yaml"

before=$(rv)
expect_exit 1 "a new object: exit 1" kubectl diff --server-side --field-manager=m -f "$T/web.yaml"
contains "the whole object is added" "$T/out" "+  replicas: 1"
contains "with the uid a create would give it" "$T/out" "+  uid: "
contains "and generation 1" "$T/out" "+  generation: 1"
same "nothing stored" "$(rv)" "$before"
expect_exit 1 "the object is still absent" kubectl get deployment web -n crucible

expect_exit 0 "apply it" kubectl apply --server-side --field-manager=m -f "$T/web.yaml"
# The controllers write status until the rollout is done; rv must be still for the checks below.
expect_exit 0 "it rolls out" kubectl rollout status deployment/web -n crucible --timeout=30s
expect_exit 0 "the same object: exit 0" kubectl diff --server-side --field-manager=m -f "$T/web.yaml"
same "and no output" "$(cat "$T/out")" ""

sed -i 's/replicas: 1/replicas: 3/' "$T/web.yaml"
before=$(rv)
expect_exit 1 "a changed spec: exit 1" kubectl diff --server-side --field-manager=m -f "$T/web.yaml"
contains "the changed field" "$T/out" "+  replicas: 3"
contains "and the generation the update would give" "$T/out" "+  generation: 2"
same "nothing stored" "$(rv)" "$before"
same "the live object unchanged" "$(kubectl get deployment web -n crucible -o jsonpath='{.spec.replicas} {.metadata.generation}')" "1 1"

expect_exit 1 "client-side diff of the change: exit 1" kubectl diff -f "$T/web.yaml"
contains "shows it too" "$T/out" "+  replicas: 3"

expect_exit 2 "another manager changing a field it does not own: exit 2 (an error, not changes)" \
	kubectl diff --server-side --field-manager=other -f "$T/web.yaml"
contains "the server names the conflict" "$T/err" "conflict with \"m\""
contains "and the field" "$T/err" ".spec.replicas"

grep -v 'namespace: crucible' "$T/web.yaml" >"$T/nons.yaml"
expect_exit 2 "a namespace that does not exist: exit 2" kubectl diff --server-side -n nowhere -f "$T/nons.yaml"
contains "NotFound, naming the namespace" "$T/err" 'namespaces "nowhere" not found'
done_testing
