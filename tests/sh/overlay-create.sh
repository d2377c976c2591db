#!/usr/bin/env bash
# kubectl crucible overlay create, offline on a copy of the manifests: a new
# overlay on production, dev or the base with an images: entry per platform
# image (registry from --registry or $ECR_REGISTRY, project from --project or
# $PROJECT_NAME, else crucible-platform), --tag, --replicas, -n; it renders,
# list shows it, validate finds it clean; an existing NAME is refused
# without --force; --dry-run makes nothing; a failed write leaves nothing
# half-made; bad input exits 3 naming it. Overlay names complete.
. "$(dirname "$0")/../lib.sh"

O=kubectl-crucible-overlay
own_manifests
R=$T/k8s/overlays
unset ECR_REGISTRY PROJECT_NAME
render() { kubectl kustomize "$1" >"$T/render.yaml" 2>"$T/render.err" || not_ok "$1 renders" "$(cat "$T/render.err")"; }
images() { grep -o 'image: .*' "$T/render.yaml" | sort -u; }

expect_exit 0 "--help" $O --help
contains "--help names create" "$T/out" "create NAME"
contains "--help names --from" "$T/out" "--from"
expect_exit 2 "create without NAME is a usage error" $O create
expect_exit 2 "create from itself is a usage error" $O create staging --from staging

# From production (the default), registry and project from the environment.
expect_exit 0 "create staging" env ECR_REGISTRY=registry.example:5000 PROJECT_NAME=team \
	$O create staging --tag 0.2.0 --replicas frontend=1 --replicas storage-service=4 -n crucible-staging
F=$R/staging/kustomization.yaml
contains "its resources are production" "$F" "  - ../production"
contains "images named as production renders them" "$F" "  - name: ecr-registry.invalid/crucible-platform/api-service"
contains "at REGISTRY/PROJECT/name" "$F" "    newName: registry.example:5000/team/api-service"
same "one entry per platform image" "$(grep -c '^  - name: ' "$F")" 8
same "each with the tag" "$(grep -c '^    newTag: 0.2.0$' "$F")" 6
contains "the namespace" "$F" "namespace: crucible-staging"
same "written 0644" "$(stat -c %a "$F")" 644
render "$R/staging"
same "the render has every platform image in the registry, third-party ones untouched" "$(images)" \
"image: mher/flower:2.0.1
image: postgres:15.8-alpine
image: redis:7.2.5-alpine
image: registry.example:5000/team/api-service:0.2.0
image: registry.example:5000/team/celery-worker:0.2.0
image: registry.example:5000/team/executor:0.2.0
image: registry.example:5000/team/frontend:0.2.0
image: registry.example:5000/team/storage-service:0.2.0
image: registry.example:5000/team/storage-worker:0.2.0
image: tecnativa/docker-socket-proxy:0.4.1"
grep -qx ' *namespace: crucible' "$T/render.yaml" && not_ok "no object left in crucible" || ok "no object left in crucible"
grep -q "namespace: crucible-staging" "$T/render.yaml" && ok "objects in the new namespace" || not_ok "objects in the new namespace"
expect_exit 0 "list shows it" $O list -o json
same "list: staging's registry, project and replicas" \
	"$(jq -c '.[] | select(.name == "staging") | [.registry, .project, .replicas]' "$T/out")" \
	'["registry.example:5000","team",{"frontend":1,"storage-service":4}]'
expect_exit 0 "validate finds it fit to deploy" $O validate staging
expect_exit 0 "the new overlay takes edits" $O set-tag staging 0.2.1
contains "set-tag on it" "$F" "newTag: 0.2.1"

# No registry anywhere: host-less names, the default project; from dev and from the base.
expect_exit 0 "create from dev" $O create laptop --from dev
contains "resources: dev" "$R/laptop/kustomization.yaml" "  - ../dev"
contains "the default project, no host" "$R/laptop/kustomization.yaml" "    newName: crucible-platform/api-service"
lacks "no tag: dev's stays" "$R/laptop/kustomization.yaml" "newTag"
render "$R/laptop"
contains "dev's tag stays" "$T/render.yaml" "image: crucible-platform/api-service:dev"
expect_exit 0 "create from the base" $O create plain --from base --registry registry.example --project p --tag 1.0.0
contains "resources: the base" "$R/plain/kustomization.yaml" "  - ../../base"
contains "named as the base names them" "$R/plain/kustomization.yaml" "  - name: frontend"
render "$R/plain"
contains "the base's images in the registry" "$T/render.yaml" "image: registry.example/p/frontend:1.0.0"

# An existing NAME: refused (exit 1) unless --force.
cp "$F" "$T/staging.before"
expect_exit 1 "an existing overlay is refused" $O create staging --from base
contains "saying so" "$T/err" "exists"
cmp -s "$F" "$T/staging.before" && ok "and left alone" || not_ok "and left alone"
expect_exit 1 "production itself too" $O create production --from dev
chmod 0600 "$F"
expect_exit 0 "--force writes it anew" $O create staging --from base --force
contains "with the new source" "$F" "  - ../../base"
same "keeping the file's mode" "$(stat -c %a "$F")" 600
cp "$F" "$T/staging.before"
bash -c 'trap "" XFSZ; ulimit -f 0; exec "$@"' _ $O create staging --from production --force >"$T/out" 2>"$T/err"
same "--force over a write that fails exits 1" "$?" 1
cmp -s "$F" "$T/staging.before" && ok "the old file is whole" || not_ok "the old file is whole"
same "no temp file is left" "$(ls -A "$R/staging")" "kustomization.yaml"

# --dry-run: the file on stdout, nothing made.
expect_exit 0 "--dry-run" $O create preview --from base --tag 2.0.0 --dry-run
contains "prints the kustomization" "$T/out" "kind: Kustomization"
contains "with its images" "$T/out" "    newTag: 2.0.0"
[ ! -e "$R/preview" ] && ok "--dry-run makes no directory" || not_ok "--dry-run makes no directory"

# Bad input: exit 3 naming it, nothing made.
expect_exit 3 "a NAME with '/'" $O create a/b
expect_exit 3 "a NAME '..'" $O create ..
expect_exit 3 "--from an overlay that does not exist" $O create x --from nope
contains "names it" "$T/err" "nope"
expect_exit 3 "an invalid registry" $O create x --registry 'bad_host!'
expect_exit 3 "an invalid project" $O create x --project Team
expect_exit 3 "an invalid tag" $O create x --tag '.1'
expect_exit 2 "a tag that looks like a flag is a usage error" $O create x --tag --force
expect_exit 3 "an invalid namespace" $O create x -n Bad_NS
contains "names the namespace" "$T/err" "invalid namespace 'Bad_NS'"
expect_exit 3 "replicas not a non-negative integer" $O create x --replicas frontend=-2
contains "names the argument" "$T/err" "'frontend=-2'"
expect_exit 3 "replicas for a workload the source lacks" $O create x --replicas nope=1
contains "names the workload" "$T/err" "no workload 'nope'"
mkdir -p "$T/bad/broken"
printf 'resources:\n  - ../../base\nbogus: 1\n' >"$T/bad/broken/kustomization.yaml"
expect_exit 3 "a source with an unknown field" $O create x --from broken --dir "$T/bad"
contains "at file:line:column" "$T/err" "broken/kustomization.yaml:3:1: unknown field 'bogus'"
[ ! -e "$R/x" ] && [ ! -e "$T/bad/x" ] && ok "bad input makes nothing" || not_ok "bad input makes nothing"

# A full disk: the overlays root on a 4 KiB tmpfs (the base beside it), filled:
# exit 1, and no directory, no temp file is left.
if unshare -rm true 2>/dev/null; then
	mkdir -p "$T/full/overlays"
	cp -R "$TOP/k8s/base" "$T/full/base"
	unshare -rm bash -c '
		mount -t tmpfs -o size=4k tmpfs "$1" || exit 99
		head -c 100000 /dev/zero >"$1/fill" 2>/dev/null
		'"$O"' create staging --from base --dir "$1" 2>"$2"; echo $? >"$2.rc"
		ls -A "$1" >"$2.ls"
	' _ "$T/full/overlays" "$T/full.err"
	same "a full disk fails create (exit 1)" "$(cat "$T/full.err.rc" 2>/dev/null)" 1
	contains "and says so" "$T/full.err" "No space left on device"
	same "nothing half-made is left" "$(cat "$T/full.err.ls" 2>/dev/null)" "fill"
else
	skip "no user namespaces here: cannot mount a small tmpfs"
fi

# Completion: an overlay command's NAME, and --from.
bin_complete=kubectl_complete-crucible
(cd "$T" && $bin_complete overlay set-image "") >"$T/out"
contains "set-image NAME completes overlays" "$T/out" "production"
contains "the new ones too" "$T/out" "staging"
(cd "$T" && $bin_complete overlay create x --from "") >"$T/out"
contains "--from completes overlays" "$T/out" "dev"
contains "and base" "$T/out" "base"
(cd "$T" && $bin_complete overlay create "") >"$T/out"
lacks "create NAME offers no existing overlay" "$T/out" "production"
done_testing
