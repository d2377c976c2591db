#!/usr/bin/env bash
# make bench, verify's part: figures for kubectl-crucible-verify, all
# measured in this one run on the simulated cluster (nothing passes or fails).
#   1. kubectl processes per verify (manifests given with -f, and the built-in
#      default that kubectl kustomize renders) vs the guide's step 3 and
#      troubleshooting commands
#   2. a namespace of 5,000 pods: verify's own CPU vs the jq 1.6 CLI running the
#      same check programs on the same bytes (and giving the same report);
#      verify's peak RSS vs those bytes
#   3. startup: --help, and a run on an empty namespace (the tool's own time:
#      a /bin/true measured alongside taken off), and libjq 1.6's own floor
# The simulator takes far too long to run 5,000 real pods on a build machine,
# so the 5,000 are copies of one of its api-service pods (distinct names and
# uids), added to the bytes kubectl printed for the deployed base and handed
# to verify by a stand-in kubectl that prints them.
. "$(dirname "$0")/lib.sh" verify
NPODS=${BENCH_PODS:-5000}
V=kubectl-crucible-verify
REAL=$(command -v kubectl)

echo "verify: measuring on a fresh simulated cluster..." >&2
export KUBECONFIG="$B/kubeconfig"
python3 tests/simcluster/simcluster.py --listen 127.0.0.1:0 --kubeconfig "$KUBECONFIG" \
	--scenario tests/scenarios/deploy-base.json >"$B/sim.out" 2>"$B/sim.log" &
sim=$!
for _ in $(seq 100); do grep -q '^ready ' "$B/sim.out" && break; sleep 0.1; done
for _ in $(seq 50); do
	kubectl annotate --overwrite storageclass shared storageclass.kubernetes.io/is-default-class=true >/dev/null 2>&1 && break
	sleep 0.1
done
kubectl annotate --overwrite storageclass standard storageclass.kubernetes.io/is-default-class=false >/dev/null
kubectl-crucible-secrets apply >/dev/null 2>&1
kubectl-crucible-deploy -q >/dev/null 2>&1 || { echo "deploy failed"; exit 1; }
kubectl create namespace empty >/dev/null

# 1: kubectl processes, counted by a kubectl that logs its starts.
cat >"$B/kubectl-count" <<EOF
#!/bin/sh
echo x >>"$B/count"
exec "$REAL" "\$@"
EOF
chmod +x "$B/kubectl-count"
# With the built-in default manifests verify renders them (kubectl kustomize);
# given them with -f it only reads the cluster.
kubectl kustomize k8s/base >"$B/base.yaml"
: >"$B/count"
KUBECTL="$B/kubectl-count" $V -q -f "$B/base.yaml" >/dev/null 2>&1
procs=$(wc -l <"$B/count")
: >"$B/count"
KUBECTL="$B/kubectl-count" $V -q >/dev/null 2>&1
procs_default=$(wc -l <"$B/count")
guide=12 # get namespace, get all, get pods, get svc, logs, describe pod, get endpoints,
         # run nslookup, get pod -l app=postgres, run psql, get pvc, describe pvc

# 2: the bytes verify's two gets print, captured through the real kubectl, plus the copies.
$V -v >/dev/null 2>"$B/trace"
kinds=$(sed -n 's/^+ kubectl get \([^ ]*\) .*jsonpath.*/\1/p' "$B/trace")
kubectl get "$kinds" -n crucible -o 'jsonpath={range .items[*]}{@}{"\n"}{end}' >"$B/base.jsonl"
kubectl get secrets -n crucible -o 'go-template={{range .items}}{{.metadata.name}}{{"\t"}}{{.type}}{{range $k, $v := .data}}{{"\t"}}{{$k}}{{end}}{{"\n"}}{{end}}' >"$B/secrets.txt"
{
	cat "$B/base.jsonl"
	jq -c --argjson n "$NPODS" 'select(.kind == "Pod" and (.metadata.name | startswith("api-service-"))) | . as $p
		| range($n) | . as $i | $p | .metadata.name = "\($p.metadata.name)-\($i)" | .metadata.uid = "\($p.metadata.uid)-\($i)"' \
		"$B/base.jsonl" | head -n "$NPODS"
} >"$B/big.jsonl"
bytes=$(wc -c <"$B/big.jsonl")
npods=$(grep -c '"kind":"Pod"' "$B/big.jsonl")
cat >"$B/kubectl-replay" <<EOF
#!/bin/sh
case "\$*" in
*jsonpath=*) exec cat "$B/big.jsonl" ;;
*"get secrets"*) exec cat "$B/secrets.txt" ;;
esac
exec "$REAL" "\$@"
EOF
chmod +x "$B/kubectl-replay"
KUBECTL="$B/kubectl-replay" CRUCIBLE_STATS="$B/stats.json" $V -f "$B/base.yaml" >"$B/report.txt" 2>/dev/null
v_cpu=$(jq .self_cpu "$B/stats.json")
v_rss=$(jq .peak_rss_kib "$B/stats.json")
nchecks=$(KUBECTL="$B/kubectl-replay" $V -f "$B/base.yaml" -o json 2>/dev/null | jq '.checks | length')

# The jq CLI on the same bytes: verify's own programs, made into one filter
# (each file a def), fed the same input verify builds, ending in the text report.
kubectl create -f "$B/base.yaml" --dry-run=client -o json | jq -s 'map(if .kind == "List" then .items[] else . end)' >"$B/manifests.json"
jq -R 'split("\t") | {kind: "Secret", metadata: {name: .[0]}, type: (if .[1] == "<no value>" then "Opaque" else .[1] end), keys: .[2:]}' \
	"$B/secrets.txt" | jq -s . >"$B/secrets.json"
{
	echo 'include "refs"; include "verify-lib";'
	for p in kstatus:common/jq/kstatus.jq presence:cmd/verify/verify-presence.jq workloads:cmd/verify/verify-workloads.jq \
		services:cmd/verify/verify-services.jq storage:cmd/verify/verify-storage.jq config:cmd/verify/verify-config.jq \
		security:cmd/verify/verify-security.jq text:cmd/verify/verify-text.jq; do
		echo "def p_${p%%:*}:"
		grep -v '^include ' "${p#*:}"
		echo ';'
	done
	cat <<'JQ'
[inputs] as $live
| {namespace: "crucible", manifests: $m[0], live: $live, secrets: $s[0], restartThreshold: 5,
   kstatus: ([$live[] | select(.kind as $k | ["Deployment", "StatefulSet", "DaemonSet", "Pod", "PersistentVolumeClaim", "Job"] | any(.[]; . == $k))
              | {key: "\(.kind)/\(.metadata.name)", value: first(p_kstatus)}] | from_entries)}
| . as $in
| [(p_presence | map(. + {area: "Presence"})), (p_workloads | map(. + {area: "Workloads"})),
   (p_services | map(. + {area: "Services"})), (p_storage | map(. + {area: "Storage"})),
   (p_config | map(. + {area: "Config"})), (p_security | map(. + {area: "Security"}))] | add
| {checks: ., namespace: $in.namespace, failOn: "fail", color: false, quiet: false, verbose: false} | p_text
JQ
} >"$B/equivalent.jq"
jq -n -j -L cmd/verify -L common/jq --slurpfile m "$B/manifests.json" --slurpfile s "$B/secrets.json" \
	-f "$B/equivalent.jq" "$B/big.jsonl" >"$B/jq-report.txt" 2>"$B/jq.err" || { echo "the jq equivalent failed:"; head "$B/jq.err"; exit 1; }
same_report=no
cmp -s "$B/report.txt" "$B/jq-report.txt" && same_report=yes
read -r jq_cpu jq_rss < <(python3 bench/rusage.py 1 jq -n -j -L cmd/verify -L common/jq --slurpfile m "$B/manifests.json" \
	--slurpfile s "$B/secrets.json" -f "$B/equivalent.jq" "$B/big.jsonl")

# 3: startup, the tool's own time (mean of several runs). Every figure counts
# the exec and the dynamic loader, so a /bin/true measured alongside is taken
# off: what is left is the tool's own. The floor libjq 1.6 sets: `jq -n .`,
# which compiles jq's builtins (libjq 1.6 compiles them with every program).
read -r true_cpu _ < <(python3 bench/rusage.py 50 /bin/true)
read -r help_cpu _ < <(python3 bench/rusage.py 50 $V --help)
read -r jqn_cpu _ < <(python3 bench/rusage.py 20 jq -n .)
empty=0
for i in $(seq 10); do
	CRUCIBLE_STATS="$B/empty.json" $V -n empty -f /dev/null >/dev/null 2>&1
	empty=$(echo "$empty + $(jq .self_cpu "$B/empty.json")" | bc -l)
done
empty_cpu=$(echo "$empty / 10" | bc -l)
own() { echo "$1 - $true_cpu" | bc -l; }

ms() { echo "$1 * 1000" | bc -l | xargs printf '%.2f'; }
ratio() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }
mib() { echo "$1 / 1024" | bc -l | xargs printf '%.1f'; }
printf '\n%-56s %12s   %s\n' "verify figure" "value" "goal"
printf '%-56s %12s   %s\n' "--------------------------------------------------------" "------------" "----"
printf '%-56s %12s   %s\n' "kubectl processes per verify -f FILE (no --dns/--db)" "$procs" "<= 2"
printf '%-56s %12s   %s\n' "  with the built-in manifests (kubectl kustomize + gets)" "$procs_default" "<= 2"
printf '%-56s %12s\n' "the guide's step 3 + troubleshooting commands" "$guide"
printf '%-56s %12s\n' "pods in the 5,000-pod input ($(ratio "$bytes" 1048576) MiB of JSON)" "$npods"
printf '%-56s %12s\n' "checks reported on it" "$nchecks"
printf '%-56s %12s\n' "verify's own CPU on it (s)" "$v_cpu"
printf '%-56s %12s   %s\n' "jq 1.6 CLI, the same programs on the same bytes (s)" "$jq_cpu" "verify <= jq"
printf '%-56s %12s\n' "  (its report is verify's, byte for byte: $same_report)" ""
printf '%-56s %12s\n' "verify's peak RSS (MiB)" "$(mib "$v_rss")"
printf '%-56s %12s\n' "jq 1.6 CLI's peak RSS (MiB)" "$(mib "$jq_rss")"
printf '%-56s %12s\n' "/bin/true, exec + loader (ms, mean of 50; taken off below)" "$(ms "$true_cpu")"
printf '%-56s %12s   %s\n' "startup: --help, own CPU (ms, mean of 50)" "$(ms "$(own "$help_cpu")")" "<= 2 ms"
printf '%-56s %12s   %s\n' "startup: run on an empty namespace, own CPU (ms, mean of 10)" "$(ms "$(own "$empty_cpu")")" "<= 2 ms"
printf '%-56s %12s\n' "  libjq 1.6's floor: jq -n ., own CPU (ms, mean of 20)" "$(ms "$(own "$jqn_cpu")")"
if [ "$(echo "$(own "$jqn_cpu") > 0.002" | bc -l)" = 1 ]; then
	echo "  (libjq 1.6 compiles its builtins with every program: one compile costs more than"
	echo "   2 ms, so a run that checks anything cannot start in 2 ms of its own time)"
fi
echo
echo "verify ratios:"
printf '  kubectl processes, verify -f / the guide       %s\n' "$(ratio "$procs" "$guide")"
printf '  own CPU, verify / jq CLI (5,000 pods)          %s\n' "$(ratio "$v_cpu" "$jq_cpu")"
printf '  peak RSS / JSON size, verify                   %s   (goal <= 3)\n' "$(ratio "$((v_rss * 1024))" "$bytes")"
printf '  peak RSS / JSON size, jq CLI                   %s\n' "$(ratio "$((jq_rss * 1024))" "$bytes")"
