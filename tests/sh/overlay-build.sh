#!/usr/bin/env bash
# kubectl crucible overlay build: the overlay rendered by kubectl kustomize on
# stdout, carrying set-registry's images, piped into deploy -f - (a client dry
# run, then the production overlay deployed on the simulated cluster); an
# overlay that does not render exits 3 naming it.
. "$(dirname "$0")/../lib.sh"

O=kubectl-crucible-overlay
cp -R "$TOP/k8s" "$T/k8s"
export CRUCIBLE_MANIFESTS=$T/k8s

expect_exit 0 "--help names build" $O --help
contains "--help describes build" "$T/out" "build NAME"
expect_exit 2 "build without NAME is a usage error" $O build
expect_exit 3 "build of an overlay that does not exist" $O build nope
contains "it names the overlay" "$T/err" "nope"
expect_exit 3 "build of a bad NAME" $O build ../production

expect_exit 0 "set-registry" $O set-registry production registry.example --project team
expect_exit 0 "build production" $O build production
cp "$T/out" "$T/build.yaml"
contains "the build has the new image names" "$T/build.yaml" "image: registry.example/team/api-service:0.1.0"
contains "and the frontend's" "$T/build.yaml" "image: registry.example/team/frontend:0.1.0"
lacks "no placeholder left" "$T/build.yaml" "ecr-registry.invalid"
kubectl kustomize "$T/k8s/overlays/production" >"$T/direct.yaml"
cmp -s "$T/build.yaml" "$T/direct.yaml" && ok "build is exactly kubectl kustomize's output" ||
	not_ok "build is exactly kubectl kustomize's output"
expect_exit 0 "build with --dir" $O build dev --dir "$T/k8s/overlays"
contains "dev's images" "$T/out" "image: crucible-platform/api-service:dev"

# An overlay kubectl cannot render: kubectl's message, the overlay named, exit 3.
mkdir -p "$T/bad/broken"
printf 'resources:\n  - missing.yaml\n' >"$T/bad/broken/kustomization.yaml"
expect_exit 3 "an overlay that does not render exits 3" $O build broken --dir "$T/bad"
contains "naming the overlay" "$T/err" "overlay broken"
contains "with kubectl's message" "$T/err" "missing.yaml"
lacks "nothing on stdout" "$T/out" "kind:"
expect_exit 4 "no kubectl exits 4" $O build production --kubectl "$T/no-such-kubectl"

# build | deploy -f -: deploy reads the rendered overlay from the pipe (a
# client dry run: the simulator's Secrets preflight is deploy's own test).
$O build production | env KUBECONFIG="$T/no-such-kubeconfig" kubectl-crucible-deploy -f - --dry-run=client >"$T/deploy.out" 2>"$T/deploy.err"
same "build production | deploy -f - --dry-run=client" "${PIPESTATUS[*]}" "0 0"
contains "deploy got the overlay's images" "$T/deploy.out" "image: registry.example/team/api-service:0.1.0"
contains "and the overlay's own objects" "$T/deploy.out" "kind: HorizontalPodAutoscaler"
# build | deploy -f - for real, against the simulated cluster: the Secrets
# from secrets apply (as the demo makes them), the StorageClass efs-sc that
# production's storage-pvc names (the operator's to provide), then a diff
# of the deployed overlay is clean and a changed overlay's diff shows it.
start_sim --scenario "$TOP/tests/scenarios/deploy-base.json"
expect_exit 0 "secrets apply for the production overlay" kubectl-crucible-secrets apply --overlay production
prov=efs.csi.aws.com # any provisioner the simulator's external-provisioner model accepts; the real plane has its own
[ -z "$SIM_URL" ] && prov=$(kubectl get storageclass kwok-volume -o jsonpath='{.provisioner}')
printf 'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: efs-sc}\nprovisioner: %s\nvolumeBindingMode: Immediate\n' "$prov" |
	kubectl apply -f - >/dev/null
$O build production | kubectl-crucible-deploy -f - --timeout 3m >"$T/deploy.out" 2>"$T/deploy.err"
st="${PIPESTATUS[*]}"
same "build production | deploy -f - reaches ready" "$st" "0 0"
[ "$st" = "0 0" ] || tail -20 "$T/deploy.err" | sed 's/^/#   /'
contains "the summary has production's replicas" "$T/deploy.out" "storage-service   Deployment              3/3     ready"
contains "storage-pvc bound in efs-sc" "$T/deploy.out" "storage-service   PersistentVolumeClaim   Bound   ready"
same "the cluster runs the overlay's images" \
	"$(kubectl get deployment api-service -n crucible -o jsonpath='{.spec.template.spec.containers[0].image}')" \
	"registry.example/team/api-service:0.1.0"
same "and its autoscalers" "$(kubectl get hpa -n crucible -o name | sort | tr '\n' ' ')" \
	"horizontalpodautoscaler.autoscaling/api-service horizontalpodautoscaler.autoscaling/celery-worker "
same "which own api-service's replicas: deploy applied none" \
	"$(kubectl get deployment api-service -n crucible -o json --show-managed-fields |
		jq '[.metadata.managedFields[] | select(.manager == "kubectl-crucible") | .fieldsV1.spec | has("f:replicas")] | any')" false
expect_exit 0 "overlay diff production after the deploy: no changes" $O diff production
expect_exit 0 "set-registry to another registry" $O set-registry production registry.example --project other
expect_exit 1 "overlay diff production shows the change" $O diff production
contains "the new image in the diff" "$T/out" "+        image: registry.example/other/api-service:0.1.0"
contains "the old one too" "$T/out" "-        image: registry.example/team/api-service:0.1.0"
done_testing
