#!/usr/bin/env bash
# Unit checks of the simulated API server's pure parts: patches, server-side
# apply bookkeeping, selectors, protobuf decoding.
. "$(dirname "$0")/../lib.sh"

python3 - "$TOP/tests/simcluster" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
import api, patch, protobuf, ssa, store

failed = 0
def check(name, got, want):
    global failed
    if got == want:
        print("ok - " + name)
    else:
        failed = 1
        print("not ok - " + name)
        print("#   got  %r" % (got,))
        print("#   want %r" % (want,))

# JSON patch
doc = {"a": {"b": [1, 2]}, "c": 1}
check("json patch add/remove/replace/move/copy/test", patch.json_patch(doc, [
    {"op": "add", "path": "/a/b/1", "value": 9}, {"op": "remove", "path": "/c"},
    {"op": "replace", "path": "/a/b/0", "value": 0}, {"op": "copy", "from": "/a/b", "path": "/d"},
    {"op": "move", "from": "/d", "path": "/e"}, {"op": "test", "path": "/e/1", "value": 9}]),
    {"a": {"b": [0, 9, 2]}, "e": [0, 9, 2]})
try:
    patch.json_patch(doc, [{"op": "test", "path": "/c", "value": 2}]); r = "applied"
except patch.PatchError as e:
    r = str(e)
check("json patch test failure", r, "testing value /c failed: test failed")
# merge patch
check("merge patch null deletes", patch.merge_patch({"a": 1, "b": {"c": 1, "d": 2}}, {"a": None, "b": {"c": None}}),
      {"b": {"d": 2}})
# strategic merge patch
dep = {"spec": {"template": {"spec": {"containers": [
    {"name": "a", "image": "x", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
    {"name": "b", "image": "y"}]}}, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}}
out = patch.strategic_merge("apps/deployments", dep, {"spec": {"template": {"spec": {"containers": [
    {"name": "a", "env": [{"name": "B", "$patch": "delete"}, {"name": "C", "value": "3"}]},
    {"name": "b", "$patch": "delete"}]}}}})
check("smp merges containers by name and env by name, $patch: delete",
      out["spec"]["template"]["spec"]["containers"],
      [{"name": "a", "image": "x", "env": [{"name": "A", "value": "1"}, {"name": "C", "value": "3"}]}])
out = patch.strategic_merge("apps/deployments", dep, {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate",
                                                                            "rollingUpdate": None}}})
check("smp $retainKeys", out["spec"]["strategy"], {"type": "Recreate"})
out = patch.strategic_merge("apps/deployments", dep, {"spec": {"template": {"spec": {
    "$setElementOrder/containers": [{"name": "b"}, {"name": "a"}]}}}})
check("smp $setElementOrder", [c["name"] for c in out["spec"]["template"]["spec"]["containers"]], ["b", "a"])
out = patch.strategic_merge("apps/deployments", dep, {"spec": {"template": {"spec": {"containers": [
    {"name": "a", "command": ["sh"]}]}}}})
check("smp keeps other list items", [c["name"] for c in out["spec"]["template"]["spec"]["containers"]], ["a", "b"])

# server-side apply bookkeeping
live = None
cfg = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "labels": {"a": "1"}},
       "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "c", "image": "i",
                                                                    "ports": [{"containerPort": 80}]}]}}}}
merged, entries = ssa.apply("apps/deployments", None, cfg, "m1", False, "apps/v1")
merged["metadata"]["managedFields"] = ssa.finish(entries, None, merged, "m1")
fv = merged["metadata"]["managedFields"][0]["fieldsV1"]
check("fieldsV1 keys list items by merge keys (protocol defaulted)",
      sorted(fv["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"c"}']["f:ports"]),
      ['k:{"containerPort":80,"protocol":"TCP"}'])
check("fieldsV1 round trip", ssa.to_fieldsv1(ssa.from_fieldsv1(fv)), fv)
cfg2 = json.loads(json.dumps(cfg)); cfg2["spec"]["replicas"] = 3
try:
    ssa.apply("apps/deployments", merged, cfg2, "m2", False, "apps/v1"); r = "no conflict"
except ssa.ApplyConflict as e:
    r = e.message()
check("conflict message", r, 'Apply failed with 1 conflict: conflict with "m1": .spec.replicas')
shared, entries2 = ssa.apply("apps/deployments", merged, cfg, "m2", False, "apps/v1")
shared["metadata"]["managedFields"] = ssa.finish(entries2, merged, shared, "m2")
cfg_less = json.loads(json.dumps(cfg)); del cfg_less["metadata"]["labels"]
after, _ = ssa.apply("apps/deployments", shared, cfg_less, "m1", False, "apps/v1")
check("a field another manager co-owns survives its removal from one manager", after["metadata"].get("labels"), {"a": "1"})
after, _ = ssa.apply("apps/deployments", merged, cfg_less, "m1", False, "apps/v1")
check("a field only the manager owned is removed", after["metadata"].get("labels"), None)
cfg3 = json.loads(json.dumps(cfg)); cfg3["spec"]["template"]["spec"]["containers"][0]["name"] = "d"
after, _ = ssa.apply("apps/deployments", merged, cfg3, "m1", False, "apps/v1")
check("a list item dropped by its only manager is removed",
      [c["name"] for c in after["spec"]["template"]["spec"]["containers"]], ["d"])
forced, ents = ssa.apply("apps/deployments", merged, cfg2, "m2", True, "apps/v1")
check("force moves ownership", sorted((e["manager"], ("f", "replicas") in {p[-1] for p in e["set"]}) for e in ents),
      [("m1", False), ("m2", True)])
mf = ssa.track_update("apps/deployments", merged, forced, "editor", "apps/v1")
check("an Update takes the fields it changed", [m["manager"] for m in mf if "f:replicas" in m["fieldsV1"].get("f:spec", {})],
      ["editor"])

# selectors
reqs = api.parse_label_selector("app in (a,b),tier!=db,!legacy,env")
check("set-based label selector", [api.label_match(l, reqs) for l in (
    {"app": "a", "env": "x"}, {"app": "c", "env": "x"}, {"app": "a", "tier": "db", "env": "x"},
    {"app": "a", "env": "x", "legacy": "1"}, {"app": "b"})], [True, False, False, False, False])
check("field selector", api.field_match({"metadata": {"name": "x"}, "status": {"phase": "Running"}},
                                        api.parse_field_selector("metadata.name=x,status.phase!=Pending")), True)

# protobuf
def ld(num, b):
    return bytes([num << 3 | 2, len(b)]) + b
meta = ld(1, b"s1") + ld(3, b"ns")
secret = ld(1, meta) + ld(2, ld(1, b"k") + ld(2, b"v")) + ld(3, b"Opaque")
env = protobuf.MAGIC + ld(1, ld(1, b"v1") + ld(2, b"Secret")) + ld(2, secret)
check("protobuf Secret", protobuf.decode(env), {"apiVersion": "v1", "kind": "Secret",
      "metadata": {"name": "s1", "namespace": "ns"}, "data": {"k": "dg=="}, "type": "Opaque"})

# store
s = store.Store()
s.create("configmaps", {"metadata": {"name": "a"}, "data": {"x": "1"}})
rv = s.current_rv()
s.update("configmaps", {"metadata": {"name": "a", "namespace": "default"}, "data": {"x": "1"}})
check("a no-op update keeps the resourceVersion", s.current_rv(), rv)
try:
    s.create("configmaps", {"metadata": {"name": "b", "namespace": "nope"}}); r = "created"
except store.NotFound as e:
    r = e.message
check("create in a missing namespace", r, 'namespaces "nope" not found')
sys.exit(failed)
PY
[ $? -eq 0 ] || _failed=1
done_testing
