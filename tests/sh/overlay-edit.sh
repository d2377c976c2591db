#!/usr/bin/env bash
# kubectl crucible overlay set-registry, offline, on a copy of the manifests:
# only the platform images' newName lines change, their names kept below the
# project (comments, order, everything else byte for byte), the file keeps its mode, --dry-run writes nothing, a write
# that fails (a full tmpfs) leaves the old file whole, bad input exits 3.
. "$(dirname "$0")/../lib.sh"

O=kubectl-crucible-overlay
own_manifests
K=$T/k8s/overlays/production/kustomization.yaml
cp "$K" "$T/before.yaml"
chmod 0640 "$K"

expect_exit 0 "--help" $O --help
contains "--help names set-registry" "$T/out" "set-registry NAME [R]"
expect_exit 0 "--version" $O --version
expect_exit 2 "no command is a usage error" $O
expect_exit 2 "no registry and no ECR_REGISTRY is a usage error" env -u ECR_REGISTRY $O set-registry production

expect_exit 0 "--dry-run prints the new file" env ECR_REGISTRY=registry.example $O set-registry production --dry-run
cmp -s "$K" "$T/before.yaml" && ok "--dry-run writes nothing" || not_ok "--dry-run writes nothing"
contains "--dry-run output has the new registry" "$T/out" "newName: registry.example/crucible-platform/api-service"

expect_exit 0 "set-registry from ECR_REGISTRY and PROJECT_NAME" \
	env ECR_REGISTRY=123456789012.dkr.ecr.us-west-2.example PROJECT_NAME=crucible $O set-registry production
diff "$T/before.yaml" "$K" >"$T/diff"
removed=$(grep -c '^<' "$T/diff") added=$(grep -c '^>' "$T/diff")
others=$(grep '^[<>]' "$T/diff" | grep -vc '^[<>]     newName: ')
[ "$removed" -eq 6 ] && [ "$added" -eq 6 ] && [ "$others" -eq 0 ] &&
	ok "only the six newName lines differ" || not_ok "only the six newName lines differ" "$(cat "$T/diff")"
contains "project and name kept in order" "$K" "    newName: 123456789012.dkr.ecr.us-west-2.example/crucible/frontend"
same "the file keeps its mode" "$(stat -c %a "$K")" 640
kubectl kustomize "$T/k8s/overlays/production" >"$T/render.yaml" 2>"$T/err" &&
	contains "the overlay renders with the new images" "$T/render.yaml" \
		"image: 123456789012.dkr.ecr.us-west-2.example/crucible/api-service:0.1.0" ||
	not_ok "the overlay renders" "$(cat "$T/err")"
lacks "no placeholder left" "$T/render.yaml" "ecr-registry.invalid"

# dev's images have no host: they get one; --dir points at another overlays root.
expect_exit 0 "set-registry with --dir and --project" $O set-registry dev registry.example:5000 --dir "$T/k8s/overlays" --project team
contains "a host-less newName gets the registry" "$T/k8s/overlays/dev/kustomization.yaml" "newName: registry.example:5000/team/api-service"

# Names stay whole below the project; images that are not the platform's stay where they are.
mkdir -p "$T/k8s/overlays/nested"
printf 'resources:\n  - ../../base\nimages:\n  - name: api-service\n    newName: old.example/proj/tools/api-service\n  - name: postgres\n    newName: mirror.example/lib/postgres\n' \
	>"$T/k8s/overlays/nested/kustomization.yaml"
cp "$T/k8s/overlays/nested/kustomization.yaml" "$T/nested.before"
expect_exit 0 "set-registry on a nested name" $O set-registry nested registry.example --project team
same "the name below the project is kept, postgres left alone" \
	"$(diff "$T/nested.before" "$T/k8s/overlays/nested/kustomization.yaml" | grep '^[<>]')" \
	"<     newName: old.example/proj/tools/api-service
>     newName: registry.example/team/tools/api-service"
expect_exit 0 "list after it" $O list -o json
same "list: the project is the first component, as set-registry wrote it" \
	"$(jq -c '.[] | select(.name == "nested") | [.registry, .project]' "$T/out")" '["registry.example","team"]'

# Bad input: exit 3, one line naming what is wrong.
expect_exit 3 "a NAME with '/'" $O set-registry ../production registry.example
expect_exit 3 "a NAME '..'" $O set-registry .. registry.example
expect_exit 3 "an invalid registry" $O set-registry production UPPER_CASE.example
expect_exit 3 "an invalid project" $O set-registry production registry.example --project Crucible
contains "the reason is given" "$T/err" "must be lowercase"
expect_exit 3 "an overlay that does not exist" $O set-registry nope registry.example
mkdir -p "$T/bad/x"
printf 'images:\n  - name: a\n    newTag: [1\n' >"$T/bad/x/kustomization.yaml"
expect_exit 3 "malformed YAML" $O set-registry x registry.example --dir "$T/bad"
grep -Eq "kustomization.yaml:[0-9]+:[0-9]+: " "$T/err" && [ "$(wc -l <"$T/err")" -eq 1 ] &&
	ok "malformed YAML: one line with file:line:column" || not_ok "malformed YAML: one line with file:line:column" "$(cat "$T/err")"

# Names and keys from the file are quoted in messages only when printable:
# one line, no control characters (both found by the overlay-edit fuzz target).
mkdir -p "$T/k8s/overlays/multiline"
printf 'images:\n  - name: api-service\n    newName: \x27ecr/frontend\n\n      newTag: dev\x27\n' >"$T/k8s/overlays/multiline/kustomization.yaml"
expect_exit 3 "an image name over two lines" $O set-registry multiline registry.example
[ "$(wc -l <"$T/err")" -eq 1 ] && contains "... one line naming its place" "$T/err" "kustomization.yaml:2:5: invalid image '(with control characters)'" ||
	not_ok "... one line naming its place" "$(cat "$T/err")"
printf '"bogus\\e[31m": 1\n' >"$T/k8s/overlays/multiline/kustomization.yaml"
expect_exit 3 "an unknown field with an escape in its name" $O set-registry multiline registry.example
[ "$(wc -l <"$T/err")" -eq 1 ] && contains "... not printed raw" "$T/err" "unknown field '(with control characters)'" ||
	not_ok "... not printed raw" "$(cat "$T/err")"

# A full disk: the overlays root on a 4 KiB tmpfs in a private mount
# namespace (the base beside it, where set-registry reads the platform's
# image names), filled so that the temp file cannot be written whole.
if unshare -rm true 2>/dev/null; then
	mkdir -p "$T/full/overlays"
	cp -R "$TOP/k8s/base" "$T/full/base"
	cp "$T/before.yaml" "$T/full.before"
	unshare -rm bash -c '
		mount -t tmpfs -o size=4k tmpfs "$1" || exit 99
		mkdir "$1/production" && cp "$2" "$1/production/kustomization.yaml"
		head -c 100000 /dev/zero >"$1/fill" 2>/dev/null
		'"$O"' set-registry production registry.example --dir "$1" 2>"$3"; echo $? >"$3.rc"
		cp "$1/production/kustomization.yaml" "$3.after"; ls -A "$1/production" >"$3.ls"
	' _ "$T/full/overlays" "$T/full.before" "$T/full.err"
	same "a full disk fails the edit (exit 1)" "$(cat "$T/full.err.rc" 2>/dev/null)" 1
	contains "and says so" "$T/full.err" "No space left on device"
	cmp -s "$T/full.before" "$T/full.err.after" && ok "the old file is whole" || not_ok "the old file is whole"
	same "no temp file is left" "$(cat "$T/full.err.ls" 2>/dev/null)" "kustomization.yaml"
else
	skip "no user namespaces here: cannot mount a small tmpfs"
fi
done_testing
