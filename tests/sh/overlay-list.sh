#!/usr/bin/env bash
# kubectl crucible overlay list, offline, on a copy of the manifests: each
# overlay with its registry, project, tags and replicas, as a table and as
# JSON; what set-registry changes shows up; a missing root exits 3.
. "$(dirname "$0")/../lib.sh"

O=kubectl-crucible-overlay
own_manifests

expect_exit 0 "--help describes list" $O --help
contains "--help names list" "$T/out" "list "
expect_exit 2 "list takes no arguments" $O list production
expect_exit 2 "-o must be text or json" $O list -o yaml

expect_exit 0 "list" $O list
same "a header and one row per overlay" "$(awk '{print $1}' "$T/out" | tr '\n' ' ')" "NAME dev production "
same "production's row" "$(awk '$1 == "production" {print $2, $3, $4, $5}' "$T/out")" \
	"ecr-registry.invalid crucible-platform 0.1.0 storage-service=3,storage-worker=2,frontend=2"
same "dev has no registry host" "$(awk '$1 == "dev" {print $2, $4}' "$T/out")" "- dev"

expect_exit 0 "list -o json" $O list -o json
jq -e 'map(.name) == ["dev", "production"]' "$T/out" >/dev/null && ok "-o json names the overlays" || not_ok "-o json names the overlays" "$(head -c 300 "$T/out")"
same "-o json: production's replicas" "$(jq -c '.[] | select(.name == "production") | .replicas' "$T/out")" \
	'{"storage-service":3,"storage-worker":2,"frontend":2}'
same "-o json: a tag per image" "$(jq -r '.[] | select(.name == "production") | [.images[] | "\(.name)=\(.tag)"] | join(" ")' "$T/out")" \
	"api-service=0.1.0 storage-service=0.1.0 storage-worker=0.1.0 celery-worker=0.1.0 executor=0.1.0 frontend=0.1.0"

expect_exit 0 "set-registry" $O set-registry production registry.example.com --project team
expect_exit 0 "list after set-registry" $O list -o json
same "shows the new registry and project" "$(jq -r '.[] | select(.name == "production") | "\(.registry) \(.project)"' "$T/out")" \
	"registry.example.com team"

# Mixed tags are shown per image; a directory without kustomization.yaml is not an overlay.
mkdir -p "$T/o/a" "$T/o/notes"
printf 'images:\n  - {name: x, newName: registry.example.com/p/x, newTag: "1"}\n  - {name: y, newTag: "2"}\n' >"$T/o/a/kustomization.yaml"
expect_exit 0 "list --dir" $O list --dir "$T/o"
same "tags per image when they differ, only overlays listed" "$(awk 'NR > 1 {print $1, $4}' "$T/out")" "a x=1,y=2"
printf 'images: [1\n' >"$T/o/a/kustomization.yaml"
expect_exit 3 "a malformed kustomization is bad input" $O list --dir "$T/o"
grep -Eq "a/kustomization.yaml:[0-9]+:[0-9]+: " "$T/err" && ok "naming file:line:column" || not_ok "naming file:line:column" "$(cat "$T/err")"
expect_exit 3 "an overlays root that does not exist" $O list --dir "$T/nope"
done_testing
