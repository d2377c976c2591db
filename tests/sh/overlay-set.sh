#!/usr/bin/env bash
# kubectl crucible overlay set-image, set-tag, set-replicas, offline on a copy
# of the manifests: kustomize edit set image/replicas semantics (tags,
# digests, IMAGE=:TAG, entries added for images and workloads the manifests
# have), only the edited lines change, the mode is kept, --dry-run writes
# nothing, a failed write leaves the old file whole, bad input exits 3 with
# one line naming the argument or file:line:column.
. "$(dirname "$0")/../lib.sh"

O=kubectl-crucible-overlay
own_manifests
P=$T/k8s/overlays/production
K=$P/kustomization.yaml
DEV=$T/k8s/overlays/dev/kustomization.yaml
chmod 0640 "$K"
D=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

# doc KIND NAME FILE: the one document of a kubectl kustomize output for that object.
doc() {
	awk -v kind="kind: $1" -v name="  name: $2" '
		/^---/ { if (k && n) print d; d = ""; k = n = 0; next }
		{ d = d $0 "\n" } $0 == kind { k = 1 } $0 == name { n = 1 }
		END { if (k && n) printf "%s", d }' "$3"
}
# changed BEFORE AFTER: the diff's changed lines, "<"/">" and the text.
changed() { diff "$1" "$2" | grep '^[<>]'; }
render() { kubectl kustomize "$1" >"$T/render.yaml" 2>"$T/render.err" || not_ok "$1 renders" "$(cat "$T/render.err")"; }

expect_exit 0 "--help" $O --help
contains "--help names set-image" "$T/out" "set-image NAME IMAGE=NEWNAME"
contains "--help names set-tag" "$T/out" "set-tag NAME TAG [IMAGE...]"
contains "--help names set-replicas" "$T/out" "set-replicas NAME SVC=N"
expect_exit 2 "set-image without an image is a usage error" $O set-image production
expect_exit 2 "set-tag without a tag is a usage error" $O set-tag production
expect_exit 2 "set-replicas without a count is a usage error" $O set-replicas production
expect_exit 2 "an image given twice is a usage error" $O set-image production api-service:1 api-service=:2

# set-image IMAGE=NEWNAME:TAG: newName and newTag of the entry, nothing else.
cp "$K" "$T/before.yaml"
expect_exit 0 "set-image IMAGE=NEWNAME:TAG" $O set-image production api-service=registry.example/team/api:1.2
same "only api-service's newName and newTag lines differ" "$(changed "$T/before.yaml" "$K")" \
"<     newName: ecr-registry.invalid/crucible-platform/api-service
<     newTag: 0.1.0
>     newName: registry.example/team/api
>     newTag: '1.2'"
same "the file keeps its mode" "$(stat -c %a "$K")" 640
grep -c '^ *#' "$T/before.yaml" >"$T/c1"; grep -c '^ *#' "$K" >"$T/c2"
cmp -s "$T/c1" "$T/c2" && ok "every comment is kept" || not_ok "every comment is kept"

# IMAGE=:TAG keeps the name; IMAGE@DIGEST replaces the tag; IMAGE:TAG the digest.
cp "$K" "$T/before.yaml"
expect_exit 0 "set-image IMAGE=:TAG" $O set-image production storage-service=:0.3.1
same "IMAGE=:TAG changes the tag only" "$(changed "$T/before.yaml" "$K")" "<     newTag: 0.1.0
>     newTag: 0.3.1"
cp "$K" "$T/before.yaml"
expect_exit 0 "set-image IMAGE@sha256:DIGEST" $O set-image production frontend@$D
same "a digest replaces the tag" "$(changed "$T/before.yaml" "$K")" "<     newTag: 0.1.0
>     digest: $D"
render "$P"
contains "the render pins the digest" "$T/render.yaml" "image: ecr-registry.invalid/crucible-platform/frontend@$D"
expect_exit 0 "set-image IMAGE:TAG after a digest" $O set-image production frontend:0.4.0
same "the tag replaces the digest" "$(changed "$T/before.yaml" "$K")" "<     newTag: 0.1.0
>     newTag: 0.4.0"
expect_exit 0 "set-image IMAGE=NEWNAME:TAG@DIGEST" $O set-image production frontend=registry.example/team/frontend:0.4.0@$D
render "$P"
contains "tag and digest together" "$T/render.yaml" "image: registry.example/team/frontend:0.4.0@$D"

# An image the manifests have but no entry names: a new entry, at the end of images:.
cp "$K" "$T/before.yaml"
expect_exit 0 "set-image of a third-party image adds an entry" $O set-image production postgres=registry.example/mirror/postgres:15.9-alpine redis:7.4.1
render "$P"
contains "the render has the mirrored postgres" "$T/render.yaml" "image: registry.example/mirror/postgres:15.9-alpine"
contains "and redis's new tag" "$T/render.yaml" "image: redis:7.4.1"
same "the new entries, in kustomize's key order, follow the last one" "$(changed "$T/before.yaml" "$K")" ">   - name: postgres
>     newName: registry.example/mirror/postgres
>     newTag: 15.9-alpine
>   - name: redis
>     newTag: 7.4.1"
awk '/^images:/,/^$/' "$K" | tail -n 6 >"$T/tail"
same "the blank line and comment after images: stay" "$(cat "$T/tail"; sed -n '/^# api-service and celery-worker/p' "$K")" "  - name: postgres
    newName: registry.example/mirror/postgres
    newTag: 15.9-alpine
  - name: redis
    newTag: 7.4.1

# api-service and celery-worker have no replicas here: their"

# Images the overlay's manifests do not have: exit 3 naming them.
expect_exit 3 "an image the manifests do not have" $O set-image production nope=registry.example/nope:1
contains "the image is named" "$T/err" "no image 'nope'"
same "in one line" "$(wc -l <"$T/err")" 1
expect_exit 3 "an entry's own output name is not an image of the manifests" \
	$O set-image production ecr-registry.invalid/crucible-platform/storage-worker:2

# set-tag: every platform image of the images: list, or the named ones.
cp "$K" "$T/before.yaml"
expect_exit 0 "set-tag NAME TAG" $O set-tag production 0.9.0
same "set-tag changes six tags" "$(changed "$T/before.yaml" "$K" | grep -c '^>     newTag: 0.9.0$')" 6
contains "set-tag leaves third-party images alone: postgres keeps its tag" "$K" "newTag: 15.9-alpine"
contains "frontend's digest gives way to the tag" <(awk '/name: frontend/,/name: postgres/' "$K") "newTag: 0.9.0"
lacks "and is gone" <(awk '/name: frontend/,/name: postgres/' "$K") "digest:"
cp "$K" "$T/before.yaml"
expect_exit 0 "set-tag NAME TAG IMAGE" $O set-tag production 1.0.0 executor
same "only the named image's tag" "$(changed "$T/before.yaml" "$K")" "<     newTag: 0.9.0
>     newTag: 1.0.0"
expect_exit 3 "set-tag of an image the manifests do not have" $O set-tag production 1.0.0 nope
contains "names it" "$T/err" "'nope'"
expect_exit 3 "set-tag with an invalid tag" $O set-tag production 'v1+x'
contains "names the tag" "$T/err" "invalid tag 'v1+x'"

# set-replicas: the count of an entry, a new entry for a workload without one.
cp "$K" "$T/before.yaml"
expect_exit 0 "set-replicas" $O set-replicas production frontend=5 redis-main=1 storage-worker=0
same "only the counts change, the new entry at the end" "$(changed "$T/before.yaml" "$K")" "<     count: 2
>     count: 0
<     count: 2
>     count: 5
>   - name: redis-main
>     count: 1"
render "$P"
doc Deployment frontend "$T/render.yaml" >"$T/frontend.yaml"
contains "the frontend renders with 5 replicas" "$T/frontend.yaml" "  replicas: 5"
doc Deployment redis-main "$T/render.yaml" >"$T/redis.yaml"
contains "redis-main with 1" "$T/redis.yaml" "  replicas: 1"
expect_exit 0 "set-replicas leading zeros" $O set-replicas production frontend=007
contains "a count without leading zeros (YAML 1.1 octal)" "$K" "    count: 7"
# dev's replicas are flow mappings: edits keep that style.
cp "$DEV" "$T/dev.before"
expect_exit 0 "set-replicas on flow-style entries" $O set-replicas dev frontend=3 postgres=1
same "flow entries edited and added in their style" "$(changed "$T/dev.before" "$DEV")" "<   - {name: frontend, count: 1}
>   - {name: frontend, count: 3}
>   - {name: postgres, count: 1}"
for bad in frontend=-1 frontend=1.5 frontend=abc frontend= frontend=0x10 =3 frontend frontend=99999999999; do
	expect_exit 3 "replicas '$bad' is bad input" $O set-replicas dev "$bad"
	contains "naming '$bad'" "$T/err" "'$bad'"
done
expect_exit 3 "a workload the manifests do not have" $O set-replicas dev nope=1
contains "names the workload" "$T/err" "no workload 'nope'"
expect_exit 3 "a Service is not a workload" $O set-replicas dev redis=1 frontend=1
contains "names the Service" "$T/err" "no workload 'redis'"

# --dry-run: the new file on stdout, nothing written.
for cmd in "set-image production api-service=:2.0" "set-tag production 2.0" "set-replicas production frontend=9"; do
	cp "$K" "$T/before.yaml"
	expect_exit 0 "$cmd --dry-run" $O $cmd --dry-run
	cmp -s "$K" "$T/before.yaml" && ok "$cmd --dry-run writes nothing" || not_ok "$cmd --dry-run writes nothing"
	! cmp -s "$T/out" "$T/before.yaml" && grep -q '^kind: Kustomization' "$T/out" &&
		ok "$cmd --dry-run prints the edited file" || not_ok "$cmd --dry-run prints the edited file"
done

# Bad image references: exit 3, one line naming the argument.
for bad in UPPER/x=registry.example/x:1 api-service=a:b:c "api-service@sha256:abc" "api-service=x@sha256:$(printf '%064d' 0 | tr 0 G)" \
	api-service api-service=:bad+tag; do
	expect_exit 3 "image '$bad' is bad input" $O set-image production "$bad"
	grep -qF "'$bad'" "$T/err" && [ "$(wc -l <"$T/err")" -eq 1 ] && ok "one line naming '$bad'" ||
		not_ok "one line naming '$bad'" "$(cat "$T/err")"
done
expect_exit 3 "a NAME with '/'" $O set-image ../production api-service:1
expect_exit 3 "a NAME '..'" $O set-tag .. 1.0

# An overlay without images: or replicas: gets them at the end.
mkdir -p "$T/k8s/overlays/bare"
printf '# bare\nresources:\n  - ../../base\n' >"$T/k8s/overlays/bare/kustomization.yaml"
expect_exit 0 "set-image on an overlay without images:" $O set-image bare api-service=registry.example/p/api-service:1
expect_exit 0 "set-replicas on an overlay without replicas:" $O set-replicas bare frontend=2
same "both lists appended" "$(cat "$T/k8s/overlays/bare/kustomization.yaml")" "# bare
resources:
  - ../../base
images:
  - name: api-service
    newName: registry.example/p/api-service
    newTag: '1'
replicas:
  - name: frontend
    count: 2"
render "$T/k8s/overlays/bare"
contains "and it renders" "$T/render.yaml" "image: registry.example/p/api-service:1"

# Malformed YAML and unknown fields: file:line:column, exit 3, for every command that reads the file.
mkdir -p "$T/bad/x" "$T/bad2/y"
printf 'resources:\n  - ../../base\nimages:\n  - name: a\n    newTag: [1\n' >"$T/bad/x/kustomization.yaml"
printf 'resources:\n  - ../../base\nimage:\n  - name: api-service\n' >"$T/bad2/y/kustomization.yaml"
for cmd in "set-image x api-service:1" "set-tag x 1" "set-replicas x frontend=1"; do
	expect_exit 3 "malformed YAML: $cmd" $O $cmd --dir "$T/bad"
	grep -Eq "x/kustomization.yaml:[0-9]+:[0-9]+: " "$T/err" && [ "$(wc -l <"$T/err")" -eq 1 ] &&
		ok "one line with file:line:column" || not_ok "one line with file:line:column" "$(cat "$T/err")"
done
for cmd in "set-image y api-service:1" "set-tag y 1" "set-replicas y frontend=1" "set-registry y registry.example" "list" "validate y" "create z --from y"; do
	expect_exit 3 "an unknown field: $cmd" $O $cmd --dir "$T/bad2"
	contains "names it at file:line:column" "$T/err" "y/kustomization.yaml:3:1: unknown field 'image'"
done

# A write that fails halfway (a file size limit: write() fails with EFBIG,
# SIGXFSZ ignored): exit 1, the old file whole, no temp file left.
cp "$K" "$T/before.yaml"
bash -c 'trap "" XFSZ; ulimit -f 1; exec "$@"' _ $O set-replicas production frontend=4 >"$T/out" 2>"$T/err"
same "a failed write exits 1" "$?" 1
contains "and says why" "$T/err" "File too large"
cmp -s "$K" "$T/before.yaml" && ok "the old file is whole" || not_ok "the old file is whole"
same "no temp file is left" "$(ls -A "$P" | grep -c tmp)" 0
done_testing
