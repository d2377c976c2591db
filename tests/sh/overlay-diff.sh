#!/usr/bin/env bash
# kubectl crucible overlay diff against the simulated cluster: what deploying
# an overlay would change, as kubectl diff --server-side says it (exit 0 no
# change, 1 changes, 4 an error), of the objects as deploy applies them (its
# label, its field manager, Jobs left out: a deployed overlay diffs clean),
# Secret values masked; global flags reach kubectl.
. "$(dirname "$0")/../lib.sh"

O=kubectl-crucible-overlay
start_sim

# A small overlay: a ConfigMap, a Secret and a Job (which deploy leaves to migrate-db).
mkdir -p "$T/o/small"
cat >"$T/o/small/kustomization.yaml" <<'EOF'
namespace: crucible
resources: [objects.yaml]
EOF
cat >"$T/o/small/objects.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {level: "1"}
---
apiVersion: v1
kind: Secret
metadata: {name: credentials}
stringData: {password: hunter2-first}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: "busybox:1.36"}]
EOF

expect_exit 0 "--help describes diff" $O --help
contains "--help names diff" "$T/out" "diff NAME"
contains "--help gives diff's exit status" "$T/out" "diff found changes"
expect_exit 2 "diff without NAME is a usage error" $O diff
expect_exit 2 "diff takes one NAME" $O diff small other --dir "$T/o"

# The namespace does not exist yet: the server refuses the dry-run apply.
expect_exit 4 "a namespace the cluster does not have is kubectl diff's error, exit 4" $O diff small --dir "$T/o"
contains "with the server's message" "$T/err" 'namespaces "crucible" not found'
contains "and what creates it" "$T/err" "namespace crucible does not exist yet: 'kubectl crucible secrets apply' or deploy creates it"

kubectl create namespace crucible >/dev/null
# A real control plane adds these to a new namespace a moment later; rv must be still.
eventually "the namespace has its default ServiceAccount and root CA" 20 \
	kubectl get serviceaccount/default configmap/kube-root-ca.crt -n crucible
before=$(rv)
expect_exit 1 "new objects are changes: exit 1" $O diff small --dir "$T/o"
cp "$T/out" "$T/first.diff"
same "a diff changes nothing on the cluster" "$(rv)" "$before"
contains "the ConfigMap is in the diff" "$T/first.diff" "+  level: \"1\""
contains "with deploy's label" "$T/first.diff" "app.kubernetes.io/managed-by: kubectl-crucible"
contains "the Secret is in the diff" "$T/first.diff" "name: credentials"
contains "its value masked as kubectl masks it" "$T/first.diff" "password: '***'"
lacks "never the value" "$T/first.diff" "hunter2-first"
lacks "nor its base64" "$T/first.diff" "$(printf hunter2-first | base64)"
lacks "and nothing on stderr holds it" "$T/err" "hunter2"
lacks "the Job is left out, as deploy leaves it" "$T/first.diff" "kind: Job"

# Deployed the way the README says, the overlay diffs clean: same objects,
# same label, same field manager.
$O build small --dir "$T/o" | kubectl-crucible-deploy -f - >"$T/deploy.out" 2>"$T/deploy.err"
same "build small | deploy -f -" "${PIPESTATUS[*]}" "0 0"
expect_exit 0 "after deploy: no changes, exit 0" $O diff small --dir "$T/o"
same "and an empty diff" "$(cat "$T/out")" ""
contains "saying so on stderr" "$T/err" "no changes"

# A changed value: before and after, both masked.
sed -i 's/hunter2-first/hunter2-second/; s/level: "1"/level: "2"/' "$T/o/small/objects.yaml"
expect_exit 1 "changed objects: exit 1" $O diff small --dir "$T/o"
cp "$T/out" "$T/second.diff"
contains "the ConfigMap's change" "$T/second.diff" "+  level: \"2\""
contains "the Secret's old value masked" "$T/second.diff" "password: '*** (before)'"
contains "and its new one" "$T/second.diff" "password: '*** (after)'"
lacks "neither value shown" "$T/second.diff" "hunter2"
lacks "nor in base64" "$T/second.diff" "$(printf hunter2-first | base64)"

# Global flags reach kubectl; -n as deploy takes it.
expect_exit 4 "--kubeconfig is passed: a missing one is an error, exit 4" $O diff small --dir "$T/o" --kubeconfig "$T/nope"
contains "naming it" "$T/err" "$T/nope"
expect_exit 4 "--context is passed" $O diff small --dir "$T/o" --context no-such-context
contains "kubectl names the context" "$T/err" "no-such-context"
expect_exit 2 "-n that disagrees with the overlay's namespace is refused, as deploy refuses it" \
	$O diff small --dir "$T/o" -n elsewhere
mkdir -p "$T/o/nons"
printf 'resources: [cm.yaml]\n' >"$T/o/nons/kustomization.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {level: "2"}\n' >"$T/o/nons/cm.yaml"
expect_exit 4 "objects without a namespace go to -n" $O diff nons --dir "$T/o" -n elsewhere
contains "the server names that namespace" "$T/err" 'namespaces "elsewhere" not found'
expect_exit 1 "and to crucible by default" $O diff nons --dir "$T/o"

# Errors: no cluster, a bad overlay, no kubectl, stdout that cannot be written.
expect_exit 4 "no cluster: exit 4" env KUBECONFIG=/dev/null $O diff small --dir "$T/o" --request-timeout 2s
expect_exit 3 "an overlay that does not exist: exit 3" $O diff nope --dir "$T/o"
contains "naming it" "$T/err" "nope"
expect_exit 3 "a bad NAME: exit 3" $O diff ../small --dir "$T/o"
mkdir -p "$T/o/broken"
printf 'resources:\n  - missing.yaml\n' >"$T/o/broken/kustomization.yaml"
expect_exit 3 "an overlay that does not render: exit 3" $O diff broken --dir "$T/o"
contains "naming the overlay" "$T/err" "overlay broken"
contains "with kubectl's message" "$T/err" "missing.yaml"
mkdir -p "$T/o/empty"
printf 'resources: []\n' >"$T/o/empty/kustomization.yaml"
expect_exit 3 "an overlay with no objects: exit 3" $O diff empty --dir "$T/o"
expect_exit 4 "no kubectl: exit 4" $O diff small --dir "$T/o" --kubectl "$T/no-such-kubectl"
$O diff small --dir "$T/o" >/dev/full 2>"$T/err"
same "a diff that cannot be written: exit 4" "$?" 4
contains "saying why" "$T/err" "cannot write the diff"
done_testing
