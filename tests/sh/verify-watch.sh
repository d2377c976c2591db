#!/usr/bin/env bash
# kubectl-crucible-verify --watch: a report at once, then a new one on each
# change seen on watch streams (a Deployment scaled, a pod deleted);
# Ctrl-C ends it with exit 130 and no kubectl
# left running; a bad INTERVAL is a usage error.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
V=kubectl-crucible-verify

expect_exit 2 "--watch=INTERVAL must be a duration" $V --watch=soon
contains "names the bad interval" "$T/err" "'soon'"
expect_exit 0 "--help documents --watch" $V --help
contains "--help: --watch" "$T/out" "--watch[=INTERVAL]"

start_sim --scenario "$TOP/tests/scenarios/deploy-base.json"
default_class_shared
kubectl-crucible-secrets apply >/dev/null 2>&1 || not_ok "secrets apply"
kubectl-crucible-deploy >/dev/null 2>&1 || not_ok "the base deploys"

# A kubectl that records the pid of every process verify starts.
REAL=$(command -v kubectl)
cat >"$T/kubectl-pids" <<EOF
#!/bin/sh
echo \$\$ >>"$T/pids"
exec "$REAL" "\$@"
EOF
chmod +x "$T/kubectl-pids"
: >"$T/pids"

# One JSON document per run on stdout (not a terminal).
$V --watch=1s -o json --kubectl "$T/kubectl-pids" >"$T/watch.json" 2>"$T/watch.err" &
pid=$!
reports() { jq -s length "$T/watch.json" 2>/dev/null || echo 0; }
pods_of() { jq -s --arg d "$1" '[last.checks[] | select(.id == "pod-ready" and (.object | startswith("Pod/" + $d + "-")))] | length' "$T/watch.json"; }
at_least() { [ "$(reports)" -ge "$1" ]; }
eventually "the first report comes at once" 60 at_least 1
same "... one document" "$(reports)" 1
same "... frontend's pods in it" "$(pods_of frontend)" "$(kubectl -n crucible get deploy frontend -o jsonpath='{.spec.replicas}')"

kubectl -n crucible scale deployment frontend --replicas 4 >/dev/null
four() { at_least 2 && [ "$(pods_of frontend)" -eq 4 ]; }
eventually "scaling a Deployment gives a new report with its pods" 60 four
contains "... the change is named on stderr" "$T/watch.err" "verifying again"
jq -s -e 'all(.[]; has("summary") and has("checks") and .namespace == "crucible") and (map(.checks | length) | .[-1] > .[0])' "$T/watch.json" >/dev/null &&
	ok "... every report is a whole JSON document" || not_ok "... every report is a whole JSON document"

n=$(reports)
victim=$(kubectl -n crucible get pods -l app.kubernetes.io/name=frontend -o jsonpath='{.items[0].metadata.name}')
kubectl -n crucible delete pod "$victim" --wait=false >/dev/null
gone() { at_least $((n + 1)) && ! jq -s -e --arg p "Pod/$victim" 'any(last.checks[]; .object == $p)' "$T/watch.json" >/dev/null; }
eventually "deleting a pod gives a new report without it" 60 gone

# Ctrl-C: exit 130 and no kubectl of verify's left.
kill -INT "$pid"
wait "$pid"
same "Ctrl-C ends --watch with exit 130" "$?" 130
left=0
while read -r p; do kill -0 "$p" 2>/dev/null && left=$((left + 1)); done <"$T/pids"
same "... no kubectl left running" "$left" 0
[ "$(wc -l <"$T/pids")" -ge 8 ] && ok "... (the watch streams were kubectl processes)" || not_ok "... (the watch streams were kubectl processes)" "$(wc -l <"$T/pids")"

# Text into a file: a new report follows the last (no redraw codes).
$V --watch=0 >"$T/watch.txt" 2>/dev/null &
pid=$!
texts() { grep -c 'checks in namespace crucible' "$T/watch.txt"; }
one_text() { [ "$(texts)" -ge 1 ]; }
eventually "text: the first report" 60 one_text
kubectl -n crucible scale deployment frontend --replicas 2 >/dev/null
two_texts() { [ "$(texts)" -ge 2 ]; }
eventually "text: a change gives a second report after the first" 60 two_texts
lacks "text: no terminal codes into a file" "$T/watch.txt" $'\033['
kill -INT "$pid"
wait "$pid"
same "text: Ctrl-C exits 130" "$?" 130

done_testing
