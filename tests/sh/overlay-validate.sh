#!/usr/bin/env bash
# kubectl crucible overlay validate, offline, on a copy of the manifests: the
# shipped production overlay is not fit to deploy (its placeholder registry,
# file:line), after set-registry it is; each other finding on a small
# overlay of its own; -o json for pipes; exit 0 clean, 1 findings.
. "$(dirname "$0")/../lib.sh"

O=kubectl-crucible-overlay
own_manifests
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
