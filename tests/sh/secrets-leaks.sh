#!/usr/bin/env bash
# No Secret value leaks from up (and the steps it runs: secrets apply,
# deploy --migrate with migrate-db's run, verify), migrate-db and verify:
# not on any kubectl argv or in its environment (every call goes through a
# recorder), not in any output (-v traces, -o json, junit), not in a file the
# tools leave (HOME, TMPDIR, the working directory), not in their memory at
# exit. The values are the cluster's own, read back after the run, plus one
# planted in db-credentials.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
PLANTED=pl4nted-S3cret-value-77
export CRUCIBLE_MANIFESTS=$TOP/k8s
start_sim --scenario "$TOP/tests/scenarios/deploy-base.json"
default_class_shared
sim_only "a recorder on every kubectl call"

# Every kubectl call's argv and environment, one argument or variable a line.
real=$(command -v kubectl)
cat >"$T/kubectl-rec" <<EOF
#!/bin/sh
{ echo "CALL"; for a in "\$@"; do echo "ARG \$a"; done; env | sed 's/^/ENV /'; } >>"$T/calls.log"
exec "$real" "\$@"
EOF
chmod +x "$T/kubectl-rec"
export KUBECTL=$T/kubectl-rec
mkdir -p "$T/work" "$T/tmp"
: >"$T/all-output"
# tool NAME ARGS...: one run in the scratch directory, its outputs kept for the search.
tool() {
	local want=$1 name=$2
	shift 2
	(cd "$T/work" && TMPDIR=$T/tmp "$@") >"$T/out" 2>"$T/err" </dev/null
	local got=$?
	cat "$T/out" "$T/err" >>"$T/all-output"
	[ "$got" = "$want" ] && ok "$name" || not_ok "$name" "exit $got, want $want" "$(tail -c 400 "$T/err")"
}
touch "$T/before"

tool 0 "up -v runs secrets apply, deploy --migrate (migrate-db run) and verify" kubectl-crucible-up -v
kubectl get jobs -n crucible -l app.kubernetes.io/component=migration -o name | grep -q db-migrate- &&
	ok "up: the migration Job ran" || not_ok "up: the migration Job ran" "$(kubectl get jobs -n crucible 2>&1)"
# A value known to the test, planted where migrate-db and verify read.
kubectl patch secret db-credentials -n crucible --type merge \
	-p "{\"stringData\": {\"planted\": \"$PLANTED\"}}" >/dev/null
tool 0 "migrate-db status -v" kubectl-crucible-migrate-db status -v
tool 0 "migrate-db history -v -o json" kubectl-crucible-migrate-db history -v -o json
tool 0 "migrate-db run --dry-run=server -v" kubectl-crucible-migrate-db run --dry-run=server -v
tool 0 "migrate-db run --dry-run=client -o json" kubectl-crucible-migrate-db run --dry-run=client -o json
tool 0 "verify -v -o json" kubectl-crucible-verify -v -o json
tool 0 "verify -o junit" kubectl-crucible-verify -o junit
tool 0 "up --from verify -v" kubectl-crucible-up --from verify -v

# Every value the cluster's Secrets hold (at least 6 characters: shorter ones match by chance).
kubectl get secrets -n crucible -o json | jq -r '.items[].data // {} | .[] | @base64d' |
	awk 'length >= 6' | sort -u >"$T/values"
grep -qxF -- "$PLANTED" "$T/values" && ok "the planted value is among the values looked for ($(wc -l <"$T/values"))" ||
	not_ok "the planted value is among the values looked for"
[ "$(grep -c '^CALL' "$T/calls.log")" -ge 20 ] && ok "the recorder saw every call ($(grep -c '^CALL' "$T/calls.log"))" ||
	not_ok "the recorder saw the calls" "$(grep -c '^CALL' "$T/calls.log")"

# found FILE...: the values found in the files, raw or base64.
found() {
	local v hits=()
	while read -r v; do
		if grep -qaF -- "$v" "$@" || grep -qaF -- "$(printf %s "$v" | base64 -w0)" "$@"; then
			hits+=("${v:0:3}...")
		fi
	done <"$T/values"
	printf '%s\n' "${hits[@]}"
}
printf 'x%sy\n' "$(printf %s "$PLANTED" | base64 -w0)" >"$T/self-check"
[ -n "$(found "$T/self-check")" ] && ok "the search finds a value (base64, inside other text)" || not_ok "the search finds a value"
leaks=$(found "$T/calls.log")
[ -z "$leaks" ] && ok "no value on any kubectl argv or in its environment" || not_ok "no value on a kubectl argv or environment" "$leaks"
leaks=$(found "$T/all-output")
[ -z "$leaks" ] && ok "no value in any output (-v, -o json, junit, the steps' own)" || not_ok "no value in any output" "$leaks"
mapfile -t files < <(find "$T/work" "$T/tmp" "$HOME" -type f -newer "$T/before" ! -path "$KUBECACHEDIR/*" 2>/dev/null)
if [ ${#files[@]} -eq 0 ]; then
	ok "no file left in HOME, TMPDIR or the working directory"
else
	leaks=$(found "${files[@]}")
	[ -z "$leaks" ] && ok "no value in the files left (${#files[@]})" || not_ok "no value in the files left" "$leaks" "${files[@]}"
fi

# Nor in the tools' memory at exit (values never reach migrate-db, verify or up).
cd "$T/work"
for cmd in "migrate-db status" "migrate-db run --dry-run=server" "verify -o json" "up --from verify"; do
	read -r -a words <<<"$cmd"
	memory_clean "$cmd: no value in its memory at exit" "$T/values" "$BIN/kubectl-crucible-${words[0]}" "${words[@]:1}"
done
done_testing
