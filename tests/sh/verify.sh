#!/usr/bin/env bash
# kubectl-crucible-verify on a healthy deploy of the base: exit 0 with only
# the documented docker-proxy warnings, two kubectl processes, json that jq
# reads, junit that an XML parser reads, --only/--skip/--fail-on, -q, usage
# and input errors, and no Secret value in any output or argv.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
V=kubectl-crucible-verify

# Usage and input errors come before any cluster contact.
expect_exit 0 "--help" $V --help
contains "--help lists the check IDs" "$T/out" "pod-crashloop"
expect_exit 0 "--version" $V --version
expect_exit 2 "-o needs text, json or junit" $V -o yaml
expect_exit 2 "--fail-on needs warn or fail" $V --fail-on error
expect_exit 2 "--skip with an unknown check" $V --skip pod-crashlop
contains "names the unknown check" "$T/err" "no check or area 'pod-crashlop'"
expect_exit 2 "--restart-threshold needs a count" $V --restart-threshold many
expect_exit 2 "no positional arguments" $V pods
expect_exit 3 "a missing manifest file is bad input" $V -f "$T/nope.yaml"
printf 'kind: Service\nmetadata:\n  name: x\n  labels: [\n' >"$T/bad.yaml"
expect_exit 3 "a manifest that does not parse" $V -f "$T/bad.yaml"
contains "names file:line:column" "$T/err" "bad.yaml:"
expect_exit 4 "a kubectl that does not exist" $V --kubectl "$T/no-kubectl"

start_sim --scenario "$TOP/tests/scenarios/deploy-base.json"
default_class_shared
kubectl-crucible-secrets apply >/dev/null 2>&1 || not_ok "secrets apply"
kubectl-crucible-deploy >/dev/null 2>&1 || not_ok "the base deploys"

expect_exit 0 "a healthy base verifies clean" $V -v
contains "summary line" "$T/out" "0 failed"
contains "the docker-proxy exception is a warning" "$T/out" "WARN  sec-hostpath"
contains "naming the risk" "$T/out" "root on the node"
n=$(grep -c '^+ kubectl get' "$T/err")
same "two kubectl get calls" "$n" 2
contains "and no other cluster call" "$T/err" "2 kubectl processes"
lacks "no failure" "$T/out" "FAIL"

expect_exit 0 "-o json" $V -o json
jq -e '(.checks | length) > 100
	and all(.checks[]; (.id | type) == "string" and (.level | IN("PASS", "WARN", "FAIL"))
		and (.object | test("^[A-Za-z]+/.")) and (.message | length) > 0 and has("hint") and (.area | type) == "string")
	and .summary.fail == 0 and .summary.warn == ([.checks[] | select(.level == "WARN")] | length)' "$T/out" >/dev/null &&
	ok "json: every check has id, level, object, message, hint" || not_ok "json: every check has id, level, object, message, hint" "$(head -c 400 "$T/out")"
jq -e '[.checks[].area] | unique | . == (["Config", "Presence", "Security", "Services", "Storage", "Workloads"])' "$T/out" >/dev/null &&
	ok "json: every area is checked" || not_ok "json: every area is checked" "$(jq -c '[.checks[].area] | unique' "$T/out")"
jq -e '[.checks[] | select(.id == "presence")] | length > 50' "$T/out" >/dev/null &&
	ok "json: presence of each manifest object" || not_ok "json: presence of each manifest object"

expect_exit 0 "-o junit" $V -o junit
python3 - "$T/out" >"$T/junit" 2>&1 <<'PY'
import sys, xml.etree.ElementTree as E
root = E.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
cases = root.findall("./testsuite/testcase")
assert len(cases) == int(root.get("tests")) > 100, (len(cases), root.get("tests"))
assert root.get("failures") == "0"
assert all(c.get("name") and c.get("classname").startswith("crucible.verify.") for c in cases)
warns = [c for c in cases if c.find("system-out") is not None]
assert len(warns) == 2, len(warns)
print("ok")
PY
same "junit parses, one testcase per check, warnings in system-out" "$(cat "$T/junit")" ok
expect_exit 1 "junit with --fail-on warn" $V -o junit --fail-on warn
grep -c '<failure type="WARN"' "$T/out" >"$T/n"
same "warnings become failures" "$(cat "$T/n")" 2

expect_exit 1 "--fail-on warn fails on the documented warnings" $V --fail-on warn
expect_exit 0 "--skip the two warned checks passes --fail-on warn" $V --fail-on warn --skip sec-hostpath,sec-non-root
expect_exit 0 "-q prints failures only" $V -q
lacks "-q: no warning" "$T/out" "WARN"
contains "-q: the summary" "$T/out" "checks in namespace crucible"
expect_exit 0 "--only an area" $V --only storage -o json
jq -e '[.checks[].area] | unique == ["Storage"]' "$T/out" >/dev/null && ok "--only storage keeps its checks only" || not_ok "--only storage keeps its checks only" "$(jq -c '[.checks[].area] | unique' "$T/out")"
expect_exit 0 "--only an ID" $V --only PVC-BOUND -o json
jq -e '[.checks[].id] | unique == ["pvc-bound"] and length > 0' "$T/out" >/dev/null && ok "IDs in any case" || not_ok "IDs in any case"
# --only runs only what the chosen checks need: their area's program, and the Secrets' listing only for Config/Presence.
expect_exit 0 "--only storage -v" $V --only storage -v
contains "--only storage: the Storage program runs" "$T/err" "checking Storage"
lacks "--only storage: no other area's program" "$T/err" "checking Security"
lacks "--only storage: nor Workloads (no kstatus)" "$T/err" "checking Workloads"
same "--only storage: one kubectl get (no Secrets' listing)" "$(grep -c '^+ kubectl get' "$T/err")" 1
expect_exit 0 "--only config-ref -v" $V --only config-ref -v
contains "--only config-ref: the Config program runs" "$T/err" "checking Config"
same "--only config-ref: still two kubectl processes (the key names)" "$(grep -c '^+ kubectl get' "$T/err")" 2
expect_exit 0 "--skip security -v" $V --skip security -v
lacks "--skip an area: its program does not run" "$T/err" "checking Security"
contains "--skip an area: the others do" "$T/err" "checking Workloads"

# No Secret value anywhere: stdout, stderr (with the -v trace of argv), json.
kubectl -n crucible get secrets -o json | jq -r '.items[].data // {} | .[] | @base64d' >"$T/values"
[ -s "$T/values" ] && ok "there are values to look for" || not_ok "there are values to look for"
$V -v -o json >"$T/all" 2>&1
$V -v >>"$T/all" 2>&1
leaked=0
while read -r value; do
	[ ${#value} -ge 6 ] || continue
	if grep -qF -- "$value" "$T/all" || grep -qF -- "$(printf %s "$value" | base64 -w0)" "$T/all"; then leaked=1; fi
done <"$T/values"
same "no Secret value (plain or base64) in any output or traced argv" "$leaked" 0

# Nor in the process: its heap at exit holds none (values never reach it).
memory_clean "no Secret value in the tool's memory" "$T/values" "$BIN/$V" -o json
done_testing
