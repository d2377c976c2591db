#!/usr/bin/env bash
# kubectl crucible overlay validate, offline, on a copy of the manifests: the
# shipped production overlay is not fit to deploy (its placeholder registry,
# file:line), after set-registry it is; each other finding on a small
# overlay of its own; -o json for pipes; exit 0 clean, 1 findings.
. "$(dirname "$0")/../lib.sh"

O=kubectl-crucible-overlay
cp -R "$TOP/k8s" "$T/k8s"
export CRUCIBLE_MANIFESTS=$T/k8s
K=$T/k8s/overlays/production/kustomization.yaml

expect_exit 0 "--help describes validate" $O --help
contains "--help names validate" "$T/out" "validate NAME"
expect_exit 2 "validate without NAME is a usage error" $O validate
expect_exit 2 "-o must be text or json" $O validate production -o yaml

expect_exit 1 "the shipped production overlay has findings" $O validate production
line=$(grep -n 'newName: ecr-registry.invalid/crucible-platform/api-service' "$K" | cut -d: -f1)
contains "the placeholder with its file:line" "$T/out" \
	"$K:$line: placeholder registry in 'ecr-registry.invalid/crucible-platform/api-service'"
same "one finding per image, one line each" "$(grep -c 'placeholder registry' "$T/out")" 6
expect_exit 1 "-o json" $O validate production -o json
jq -e 'length == 6 and all(.[]; (.file | endswith("kustomization.yaml")) and (.line | type) == "number" and (.message | test("placeholder")))' \
	"$T/out" >/dev/null && ok "-o json parses with jq: file, line, message" || not_ok "-o json parses with jq" "$(head -c 300 "$T/out")"

expect_exit 0 "set-registry with a real-looking host" env ECR_REGISTRY=registry.example.com $O set-registry production
expect_exit 0 "then production is clean" $O validate production
same "and prints no findings" "$(cat "$T/out")" ""
expect_exit 0 "clean -o json" $O validate production -o json
same "is an empty array" "$(jq -c . "$T/out")" "[]"
expect_exit 0 "the dev overlay is clean" $O validate dev

# Replicas a HorizontalPodAutoscaler owns, and resources patches naming a
# container the workload does not have: each on a copy of the production
# overlay (after set-registry, so these are its only findings).
P=$T/k8s/overlays/production
variant() { # variant NAME: a copy of production in $T/v/NAME, base path fixed
	rm -rf "$T/v/$1" && mkdir -p "$T/v" && cp -R "$P" "$T/v/$1"
	sed -i 's|\.\./\.\./base|../../k8s/base|' "$T/v/$1/kustomization.yaml"
	V=$T/v/$1/kustomization.yaml
}
variant clean
expect_exit 0 "a copy of the production overlay is clean" $O validate clean --dir "$T/v"

variant hpa-entry
printf '  - name: api-service\n    count: 4\n' >"$T/entry"
sed -i "/^replicas:/r $T/entry" "$V"
line=$(grep -n '  - name: api-service$' "$V" | tail -1 | cut -d: -f1)
expect_exit 1 "a replicas: entry for a workload an HPA owns is a finding" $O validate hpa-entry --dir "$T/v"
contains "at the entry's line, naming the autoscaler" "$T/out" \
	"$V:$line: replicas: sets api-service to 4, but HorizontalPodAutoscaler api-service owns the replicas of deployment/api-service"
same "and only that one" "$(wc -l <"$T/out")" 1

variant hpa-base
# Without production's remove patch the base's spec.replicas reaches the cluster.
sed -i '/- target: {group: apps, kind: Deployment, name: "api-service|celery-worker"}/,/path: \/spec\/replicas/d' "$V"
expect_exit 1 "a rendered spec.replicas under an HPA is a finding" $O validate hpa-base --dir "$T/v"
H=$T/v/hpa-base/hpa.yaml
for w in api-service celery-worker; do
	line=$(grep -n "    name: $w\$" "$H" | tail -1 | cut -d: -f1)
	contains "$w: at the HPA's scaleTargetRef in the overlay's file" "$T/out" \
		"$H:$line: deployment/$w has spec.replicas"
done
contains "saying how to fix it" "$T/out" "leave the field out (a patch with op: remove, path: /spec/replicas)"
same "one finding per workload" "$(wc -l <"$T/out")" 2

variant hpa-patch
sed -i '/- target: {group: apps, kind: Deployment, name: "api-service|celery-worker"}/,/path: \/spec\/replicas/d' "$V"
cat >>"$V" <<'EOS'
  - target: {kind: Deployment, name: celery-worker}
    patch: |-
      - op: remove
        path: /spec/replicas
  - path: scale.yaml
EOS
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api-service\nspec:\n  replicas: 5\n' >"$T/v/hpa-patch/scale.yaml"
expect_exit 1 "a patch setting spec.replicas under an HPA is a finding" $O validate hpa-patch --dir "$T/v"
contains "at the patch's replicas line" "$T/out" "$T/v/hpa-patch/scale.yaml:6: deployment/api-service has spec.replicas 5"
same "and only that one (celery-worker's is removed)" "$(wc -l <"$T/out")" 1

variant hpa-inline
python3 - "$V" <<'EOS'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("      - op: remove\n        path: /spec/replicas", "      - op: remove\n        path: /spec/replicas\n      - op: add\n        path: /spec/replicas\n        value: 6", 1)
open(p, "w").write(s)
EOS
line=$(grep -n 'value: 6' "$V" | cut -d: -f1)
expect_exit 1 "an inline JSON patch adding spec.replicas under an HPA is a finding" $O validate hpa-inline --dir "$T/v"
contains "at its path line inside the kustomization" "$T/out" "$V:$((line - 1)): deployment/api-service has spec.replicas 6"

variant res-file
sed -i '0,/- name: api-service/s//- name: api/' "$T/v/res-file/resources.yaml"
line=$(grep -n -- '- name: api$' "$T/v/res-file/resources.yaml" | cut -d: -f1)
expect_exit 1 "a resources patch naming a missing container is a finding" $O validate res-file --dir "$T/v"
contains "at the container's name in the patch file, naming what the workload has" "$T/out" \
	"$T/v/res-file/resources.yaml:$line: resources patch names container 'api', which deployment/api-service does not have (its containers: api-service)"
same "and only that one" "$(wc -l <"$T/out")" 1

variant res-inline
cat >>"$V" <<'EOS'
  - target: {kind: StatefulSet, name: postgres}
    patch: |-
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: postgres}
      spec:
        template:
          spec:
            initContainers:
              - name: wait
                resources: {limits: {cpu: 100m}}
EOS
line=$(grep -n -- '- name: wait' "$V" | cut -d: -f1)
expect_exit 1 "an inline resources patch naming a missing init container is a finding" $O validate res-inline --dir "$T/v"
contains "at its line in the kustomization" "$T/out" \
	"$V:$line: resources patch names container 'wait', which statefulset/postgres does not have (its initContainers: none)"
variant res-smp
printf 'patchesStrategicMerge:\n  - sidecar.yaml\n' >>"$V"
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: frontend\nspec:\n  template:\n    spec:\n      containers:\n        - name: frontend\n          resources: {limits: {cpu: "1"}}\n        - name: proxy\n          image: "envoy:1.30"\n          resources: {limits: {cpu: "1"}}\n        - name: cache\n          resources: {limits: {cpu: "1"}}\n' >"$T/v/res-smp/sidecar.yaml"
expect_exit 1 "patchesStrategicMerge: a container neither there nor added whole is a finding" $O validate res-smp --dir "$T/v"
contains "at its name" "$T/out" "$T/v/res-smp/sidecar.yaml:14: resources patch names container 'cache', which deployment/frontend does not have"
lacks "a container the patch adds with its image is not" "$T/out" "'proxy'"
same "one finding" "$(wc -l <"$T/out")" 1
expect_exit 1 "the new findings in -o json" $O validate res-smp --dir "$T/v" -o json
jq -e 'length == 1 and .[0].line == 14 and (.[0].file | endswith("sidecar.yaml"))' "$T/out" >/dev/null &&
	ok "-o json has their file and line" || not_ok "-o json has their file and line" "$(head -c 300 "$T/out")"

# Each finding on a small overlay of base plus one images: list.
mk() { # mk NAME IMAGES-YAML [EXTRA-RESOURCE]
	mkdir -p "$T/o/$1"
	printf 'resources:\n  - ../../k8s/base\n%bimages:\n%b' "${3:+  - $3\n}" "$2" >"$T/o/$1/kustomization.yaml"
}
mk latest '  - name: api-service\n    newName: registry.example.com/p/api-service\n    newTag: latest\n'
expect_exit 1 ":latest is a finding" $O validate latest --dir "$T/o"
contains "at the newTag line" "$T/out" "$T/o/latest/kustomization.yaml:6: image 'registry.example.com/p/api-service' uses the tag 'latest'"
mk untagged '  - name: api-service\n    newName: registry.example.com/p/api-service\n'
expect_exit 1 "an untagged image is a finding" $O validate untagged --dir "$T/o"
contains "naming it" "$T/out" "untagged/kustomization.yaml:4: image 'registry.example.com/p/api-service' has no tag or digest"
mk mixed '  - name: api-service\n    newName: registry.example.com/p/api-service\n    newTag: "1"\n  - name: frontend\n    newName: other.example.com/p/frontend\n    newTag: "1"\n'
expect_exit 1 "an image outside the overlay's registry is a finding" $O validate mixed --dir "$T/o"
contains "naming both" "$T/out" "mixed/kustomization.yaml:8: image 'other.example.com/p/frontend' is not in the overlay's registry registry.example.com"
same "and only that one" "$(wc -l <"$T/out")" 1
mk changeme '  - name: api-service\n    newName: changeme/api-service\n    newTag: "1"\n'
expect_exit 1 "changeme is a placeholder" $O validate changeme --dir "$T/o"
contains "placeholder named" "$T/out" "placeholder registry in 'changeme/api-service'"
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: busybox}]\n' >"$T/o/pod.yaml"
mkdir -p "$T/o/rendered" && cp "$T/o/pod.yaml" "$T/o/rendered/"
mk rendered '  - name: api-service\n    newName: registry.example.com/p/api-service\n    newTag: "1"\n' pod.yaml
expect_exit 1 "an untagged image in the rendered objects is a finding" $O validate rendered --dir "$T/o"
contains "naming the image" "$T/out" "rendered image 'busybox' has no tag or digest"

# A kustomization kubectl cannot render: a finding with kubectl's message.
mkdir -p "$T/o/broken"
printf 'resources:\n  - missing.yaml\n' >"$T/o/broken/kustomization.yaml"
expect_exit 1 "a kustomization that does not render is a finding" $O validate broken --dir "$T/o"
contains "with kubectl's message" "$T/out" "broken/kustomization.yaml:1: does not render: kubectl kustomize"
contains "naming the missing file" "$T/out" "missing.yaml"

# Bad input and no kubectl.
expect_exit 3 "a NAME with '/'" $O validate ../production
expect_exit 3 "an overlay that does not exist" $O validate nope
mkdir -p "$T/o/bad"
printf 'images:\n  - name: a\n    newTag: [1\n' >"$T/o/bad/kustomization.yaml"
expect_exit 3 "malformed YAML is bad input" $O validate bad --dir "$T/o"
grep -Eq "kustomization.yaml:[0-9]+:[0-9]+: " "$T/err" && ok "naming file:line:column" || not_ok "naming file:line:column" "$(cat "$T/err")"
expect_exit 4 "no kubectl exits 4" $O validate dev --kubectl "$T/no-such-kubectl"
done_testing
