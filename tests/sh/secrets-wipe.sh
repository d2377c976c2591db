#!/usr/bin/env bash
# Buffers that held secret values are wiped before they are freed: run
# generate and apply under gdb to _exit and search the heap for every value
# they made (tests/fixtures/secrets/scan-memory.py). A cr_buf_free where a
# cr_buf_wipe belongs makes values show up here.
. "$(dirname "$0")/../lib.sh"

S=$BIN/kubectl-crucible-secrets
ulimit -c 0
# A sanitized binary (make asan) keeps freed memory in quarantine and maps
# terabytes of shadow memory: scanning it proves nothing and overwhelms gdb.
if grep -qa __asan_init "$S"; then
	skip "secrets wiping is checked on the plain build, not under AddressSanitizer"
	done_testing
fi
SCAN=$TOP/tests/fixtures/secrets/scan-memory.py
APP=$TOP/tests/fixtures/secrets/app/workloads.yaml
cd "$TOP"
if ! command -v gdb >/dev/null || ! gdb -batch -nx -ex run --args /bin/true >/dev/null 2>&1; then
	skip "gdb cannot trace here"
	done_testing
fi

# scanned NAME: the scan in $T/scan found values to look for and none of them.
scanned() {
	local n
	n=$(sed -n 's/^VALUES //p' "$T/scan")
	if [ "${n:-0}" -gt 0 ] && grep -q '^SCANNED [1-9]' "$T/scan"; then ok "$1: $n values to look for"
	else not_ok "$1: $n values to look for" "$(tail -5 "$T/scan")"; fi
	if grep -q '^FOUND' "$T/scan"; then not_ok "$1: no value left in freed memory" "$(grep FOUND "$T/scan" | head -3)"
	else ok "$1: no value left in freed memory"; fi
}

printf 'db-credentials/postgres-password=Env-File-Value-31\n' >"$T/env"
export T
SCAN_COMMAND='sed -n "s/^  \"[^\"]*\": \"\(.*\)\"$/\1/p" "$T/s.yaml" | while read -r v; do printf "%s" "$v" | base64 -d; echo; done; echo Env-File-Value-31' \
	gdb -batch -nx -x "$SCAN" --args "$S" generate -q -f "$APP" --from-env-file "$T/env" --out "$T/s.yaml" >"$T/scan" 2>&1
scanned "generate"

start_sim_ns
values='kubectl -n crucible get secrets -o json | jq -r ".items[].data // {} | .[] | @base64d"'
SCAN_COMMAND=$values gdb -batch -nx -x "$SCAN" --args "$S" apply -q >"$T/scan" 2>&1
scanned "apply"
kubectl -n crucible patch secret db-credentials --type json -p '[{"op": "remove", "path": "/data/database-url"}]' >/dev/null
SCAN_COMMAND=$values gdb -batch -nx -x "$SCAN" --args "$S" apply -q >"$T/scan" 2>&1
scanned "apply reading values back"
SCAN_COMMAND=$values gdb -batch -nx -x "$SCAN" --args "$S" apply -q --rotate >"$T/scan" 2>&1
scanned "apply --rotate"
done_testing
