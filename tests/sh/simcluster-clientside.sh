#!/usr/bin/env bash
# Fidelity of the simulated API server, part 2: what real kubectl does on the
# client side with the server's documents (OpenAPI v2 for client-side
# validation of a "kind: List", v3 for client-side apply patches), graceful
# deletion (Terminating pods and namespaces, finalizers, --wait, Foreground),
# watches with label selectors, events and describe.
. "$(dirname "$0")/../lib.sh"

# containers of the "slow" Deployments take 600 s to stop: they use their whole 30 s grace period
# (1.5 s at the default speed); every other container stops 2 s after SIGTERM
echo '{"workloads": {"deployment/slow": {"stopSeconds": 600}, "deployment/slow2": {"stopSeconds": 600}}}' >"$T/scen.json"
start_sim --scenario "$T/scen.json"
K() { kubectl "$@"; }
N=cs
K create namespace $N >/dev/null

# ------------------------------------------------------------------ OpenAPI v2 and client-side validation
python3 - "$SIM_URL" >"$T/v2" 2>&1 <<'EOF'
import json, sys, urllib.request as u
url = sys.argv[1] + "/openapi/v2"
r = u.urlopen(u.Request(url, headers={"Accept": "application/json"}))
d = json.load(r)
print("json", r.headers["Content-Type"], d["swagger"])
print("cm", "x-kubernetes-group-version-kind" in d["definitions"]["io.k8s.api.core.v1.ConfigMap"])
print("req", d["definitions"]["io.k8s.api.apps.v1.DeploymentSpec"]["required"])
r = u.urlopen(u.Request(url, headers={"Accept": "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"}))
b = r.read()
print("pb", r.headers["Content-Type"], b[:5])
try:
    u.urlopen(u.Request(url, headers={"Accept": "text/html"}))
except u.HTTPError as e:
    print("other", e.code)
EOF
contains "/openapi/v2 serves JSON" "$T/v2" "json application/json 2.0"
contains "v2 definitions carry the group-version-kind" "$T/v2" "cm True"
contains "v2 definitions list required fields" "$T/v2" "req ['selector', 'template']"
contains "/openapi/v2 serves the protobuf document kubectl asks for" "$T/v2" \
	"pb application/com.github.proto-openapi.spec.v2.v1.0+protobuf b'\n\x032.0'"
contains "/openapi/v2 refuses other media types with 406" "$T/v2" "other 406"

cat >"$T/list.yaml" <<EOF
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: la, namespace: $N}
  data: {x: "1"}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: ld, namespace: $N}
  spec:
    selector: {matchLabels: {app: ld}}
    template:
      metadata: {labels: {app: ld}}
      spec:
        containers: [{name: a, image: nginx:1.25, ports: [{containerPort: 80}]}]
EOF
expect_exit 0 "client-side apply of a kind: List (validated against /openapi/v2)" K apply -f "$T/list.yaml"
contains "List items are created" "$T/out" "deployment.apps/ld created"
expect_exit 1 "create -f of a kind: List whose items exist" K create -f "$T/list.yaml"
contains "each existing item is AlreadyExists" "$T/err" 'deployments.apps "ld" already exists'
sed 's/name: la,/name: la2,/; s/name: ld,/name: ld2,/' "$T/list.yaml" >"$T/list2.yaml"
expect_exit 0 "create -f of a kind: List creates each item" K create -f "$T/list2.yaml"
contains "create -f of a List prints each item" "$T/out" "configmap/la2 created"
cat >"$T/bad.yaml" <<EOF
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: bad, namespace: $N}
  spec:
    template:
      metadata: {labels: {app: d1}}
      spec:
        containers: [{name: a, image: nginx, bogus: 1}]
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: cm9, namespace: $N}
  datas: {x: "1"}
EOF
expect_exit 1 "a List with unknown and missing fields fails client-side validation" K apply -f "$T/bad.yaml"
contains "unknown field named with the real definition" "$T/err" \
	'ValidationError(Deployment.spec.template.spec.containers[0]): unknown field "bogus" in io.k8s.api.core.v1.Container'
contains "missing required field reported" "$T/err" \
	'ValidationError(Deployment.spec): missing required field "selector" in io.k8s.api.apps.v1.DeploymentSpec'
contains "unknown top-level field of a ConfigMap" "$T/err" 'unknown field "datas" in io.k8s.api.core.v1.ConfigMap'
expect_exit 1 "nothing of an invalid List is created" K get configmap cm9 -n $N
expect_exit 0 "--validate=false skips the client-side check" K apply --validate=false -f "$T/bad.yaml" --dry-run=client

cat >"$T/multi.yaml" <<EOF
apiVersion: v1
kind: ConfigMap
metadata: {name: m1, namespace: $N}
data: {x: "1"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: m2, namespace: $N}
spec:
  selector: {matchLabels: {app: m2}}
  template:
    metadata: {labels: {app: m2}}
    spec:
      containers:
      - name: a
        image: nginx:1.25
        env:
        - {name: A, value: "1"}
        - {name: B, value: "2"}
EOF
expect_exit 0 "client-side apply of multi-document YAML" K apply -f "$T/multi.yaml"
sed -i 's/x: "1"/x: "2"/; s/value: "1"/value: "one"/; s/nginx:1.25/nginx:1.26/' "$T/multi.yaml"
expect_exit 0 "client-side re-apply (three-way strategic merge from OpenAPI v3)" K apply -f "$T/multi.yaml" -v=6
contains "re-apply configures" "$T/out" "deployment.apps/m2 configured"
lacks "no warning computing the patch" "$T/err" "warning: error calculating patch"
lacks "the v3 document answers the patch metadata (no v2 fallback)" "$T/err" "/openapi/v2"
same "patched env keeps both entries" "$(K get deploy m2 -n $N -o jsonpath='{.spec.template.spec.containers[0].env[*].value}')" "one 2"
sed -i '/name: B, value/d' "$T/multi.yaml"
expect_exit 0 "client-side apply removing an env entry" K apply -f "$T/multi.yaml"
same "removed env entry is gone" "$(K get deploy m2 -n $N -o jsonpath='{.spec.template.spec.containers[0].env[*].name}')" "A"
expect_exit 0 "kubectl explain (v3)" K explain deployment.spec.strategy.rollingUpdate
contains "explain names the real type" "$T/out" "rollingUpdate <RollingUpdateDeployment>"
expect_exit 0 "kubectl explain --output=plaintext-openapiv2" K explain pods.spec.containers --output=plaintext-openapiv2
contains "explain v2 lists fields" "$T/out" "imagePullPolicy"

# ------------------------------------------------------------------ graceful deletion
G=cs-grace
K create namespace $G >/dev/null
K create deployment slow -n $G --image=nginx:1.25 --replicas=2 >/dev/null
# post JSON: merges JSON into the simulator's scenario.
post() { curl -sf -X POST -H 'Content-Type: application/json' --data "$1" "$SIM_URL/_sim/scenario" >/dev/null; }
running_pod() { kubectl get pods -n $G --no-headers | awk '$3 == "Running" { print "pod/" $1; exit }'; }
eventually "slow pods running" 10 sh -c "kubectl get pods -n $G --no-headers | grep -c ' Running ' | grep -qx 2"
# The pod looked at while it terminates must still be there however slow this machine is: while
# it is, one real second is one simulated second (its 30 s grace period lasts 30 s, not 1.5 s).
check "the simulated clock slowed down" post '{"cluster": {"timeScale": 1}}'
P=$(running_pod)
expect_exit 0 "delete a pod without waiting" K delete -n $G "$P" --wait=false
contains "delete prints deleted" "$T/out" "pod \"${P#pod/}\" deleted"
K get -n $G "$P" --no-headers >"$T/term" 2>&1
contains "the pod is Terminating in kubectl get pods" "$T/term" " Terminating "
same "deletionGracePeriodSeconds is the pod's grace period" \
	"$(K get -n $G "$P" -o jsonpath='{.metadata.deletionGracePeriodSeconds}')" "30"
K describe -n $G "$P" >"$T/desc"
contains "describe shows the pod Terminating" "$T/desc" "Terminating (lasts"
contains "describe shows the grace period" "$T/desc" "Termination Grace Period:  30s"
K get -n $G "$P" -o json >"$T/p.json"
contains "deletionTimestamp set" "$T/p.json" '"deletionTimestamp": "'
same "a replacement pod is created at once" "$(K get pods -n $G --no-headers | grep -vc Terminating)" "2"
eventually "Killing event from the kubelet" 5 sh -c "kubectl get events -n $G --field-selector reason=Killing,involvedObject.name=${P#pod/} | grep -q 'Stopping container nginx'"
check "the simulated clock back to normal" post '{"cluster": {"timeScale": null}}'
K delete -n $G "$P" --grace-period=0 --force >/dev/null 2>&1   # it was stopping on the slow clock
eventually "slow pods running again" 20 sh -c "kubectl get pods -n $G --no-headers | grep -c ' Running ' | grep -qx 2"
P=$(running_pod)
start=$(date +%s%N)
expect_exit 0 "kubectl delete --wait returns once the pod is gone" K delete -n $G "$P" --wait=true
expect_exit 1 "the pod is gone after its grace period" K get -n $G "$P"
el=$((($(date +%s%N) - start) / 1000000))
if [ "$el" -lt 5000 ]; then ok "graceful deletion takes the simulated grace period (${el} ms)"; else not_ok "graceful deletion too slow" "${el} ms"; fi
eventually "slow pods running once more" 20 sh -c "kubectl get pods -n $G --no-headers | grep -c ' Running ' | grep -qx 2"
P=$(running_pod)
# a grace period long enough (3 real minutes) for the pod to be Terminating when it is force-deleted
expect_exit 0 "delete with --grace-period" K delete -n $G "$P" --grace-period=3600 --wait=false
same "deletionGracePeriodSeconds from DeleteOptions" \
	"$(K get -n $G "$P" -o jsonpath='{.metadata.deletionGracePeriodSeconds}')" "3600"
expect_exit 0 "force delete a Terminating pod" K delete -n $G "$P" --grace-period=0 --force
contains "force delete prints force deleted" "$T/out" "force deleted"
expect_exit 1 "a force-deleted pod is gone at once" K get -n $G "$P"

# finalizers
K create configmap fin -n $G >/dev/null
K patch configmap fin -n $G -p '{"metadata":{"finalizers":["example.com/hold"]}}' >/dev/null
expect_exit 0 "delete an object with a finalizer" K delete configmap fin -n $G --wait=false
same "it stays with deletionTimestamp and its finalizer" \
	"$(K get configmap fin -n $G -o jsonpath='{.metadata.finalizers[0]} {.metadata.deletionGracePeriodSeconds}')" "example.com/hold 0"
K get configmap fin -n $G -o jsonpath='{.metadata.deletionTimestamp}' >"$T/dt"
contains "deletionTimestamp on the finalized object" "$T/dt" "Z"
expect_exit 1 "creating it again: object is being deleted" K create configmap fin -n $G
contains "AlreadyExists says it is being deleted" "$T/err" 'object is being deleted: configmaps "fin" already exists'
expect_exit 0 "removing the finalizer" K patch configmap fin -n $G --type=json -p '[{"op":"remove","path":"/metadata/finalizers"}]'
expect_exit 1 "the object goes when its last finalizer is removed" K get configmap fin -n $G

# propagation policies
K create deployment slow2 -n $G --image=nginx:1.25 --replicas=2 >/dev/null
K create deployment orph -n $G --image=nginx:1.25 >/dev/null
eventually "deployments ready" 10 sh -c "kubectl get pods -n $G --no-headers | grep -v Terminating | grep -c ' Running ' | grep -qx 5"
RS=$(K get rs -n $G -l app=slow2 -o name)
# the slow clock again while the pods are looked at; they are force-deleted afterwards
check "the simulated clock slowed down for the foreground deletion" post '{"cluster": {"timeScale": 1}}'
expect_exit 0 "delete --cascade=foreground" K delete deployment slow2 -n $G --cascade=foreground --wait=false
same "the Deployment waits with the foregroundDeletion finalizer" \
	"$(K get deployment slow2 -n $G -o jsonpath='{.metadata.finalizers}')" '["foregroundDeletion"]'
same "so does its ReplicaSet" "$(K get -n $G "$RS" -o jsonpath='{.metadata.finalizers}')" '["foregroundDeletion"]'
K get pods -n $G -l app=slow2 --no-headers >"$T/fg"
contains "its pods are Terminating" "$T/fg" "Terminating"
check "the simulated clock back to normal after the foreground deletion" post '{"cluster": {"timeScale": null}}'
K delete pods -n $G -l app=slow2 --grace-period=0 --force >/dev/null 2>&1
expect_exit 0 "kubectl wait --for=delete on the Deployment" K wait --for=delete deployment/slow2 -n $G --timeout=10s
same "nothing of it is left" "$(K get rs,pods -n $G -l app=slow2 --no-headers 2>/dev/null | wc -l)" "0"
expect_exit 0 "delete --cascade=orphan" K delete deployment orph -n $G --cascade=orphan
same "the orphaned ReplicaSet stays without owner" "$(K get rs -n $G -l app=orph -o jsonpath='{.items[0].metadata.ownerReferences}')" ""
K delete rs -n $G -l app=orph >/dev/null

# namespace deletion (its pods Terminating on the slow clock while they are looked at)
check "the simulated clock slowed down for the namespace deletion" post '{"cluster": {"timeScale": 1}}'
expect_exit 0 "delete a namespace without waiting" K delete namespace $G --wait=false
K get namespace $G --no-headers >"$T/ns"
contains "the namespace is Terminating" "$T/ns" "Terminating"
K get namespace $G -o jsonpath='{range .status.conditions[*]}{.type}={.status} {.message}{"\n"}{end}' >"$T/nsc"
if grep -Eq "^NamespaceContentRemaining=True Some resources are remaining: pods\. has [0-9]+ resource instances$" "$T/nsc"; then
	ok "NamespaceContentRemaining names what is left"
else not_ok "NamespaceContentRemaining names what is left" "$(cat "$T/nsc")"; fi
contains "NamespaceDeletionContentFailure False" "$T/nsc" "NamespaceDeletionContentFailure=False All content successfully deleted, may be waiting on finalization"
K get pods -n $G --no-headers >"$T/nsp"
contains "its pods are Terminating" "$T/nsp" "Terminating"
same "the rest of its content is gone" "$(K get deploy,rs,cm,sa -n $G --no-headers 2>/dev/null | wc -l)" "0"
expect_exit 1 "no new content in a terminating namespace" K create configmap late -n $G
contains "Forbidden: being terminated" "$T/err" "configmaps \"late\" is forbidden: unable to create new content in namespace $G because it is being terminated"
check "the simulated clock back to normal after the namespace deletion" post '{"cluster": {"timeScale": null}}'
K delete pods --all -n $G --grace-period=0 --force >/dev/null 2>&1
expect_exit 0 "kubectl delete namespace --wait returns once it is gone" K delete namespace $G --ignore-not-found
expect_exit 1 "the namespace is gone" K get namespace $G
contains "namespace NotFound" "$T/err" "namespaces \"$G\" not found"

# ------------------------------------------------------------------ events, rollout history
K create deployment hist -n $N --image=nginx:1.25 >/dev/null
eventually "hist ready" 10 sh -c "kubectl rollout status deployment/hist -n $N --timeout=1s"
K set image deployment/hist -n $N nginx=nginx:1.26 >/dev/null
K annotate deployment hist -n $N kubernetes.io/change-cause="bump to 1.26" >/dev/null
eventually "rollout history shows the change-cause copied to the new ReplicaSet" 10 \
	sh -c "kubectl rollout history deployment/hist -n $N | grep -Eq '^2 +bump to 1.26'"
K get events -n $N -o wide >"$T/evw"
header() { head -n 1 "$1" | tr -s ' '; }
same "events -o wide columns" "$(header "$T/evw")" "LAST SEEN TYPE REASON OBJECT SUBOBJECT SOURCE MESSAGE FIRST SEEN COUNT NAME"
contains "kubelet events: source is component, host" "$T/evw" "kubelet, node-"
grep Scheduled "$T/evw" >"$T/evs"
contains "scheduler events (events.k8s.io): source from reportingController/Instance" "$T/evs" "default-scheduler, default-scheduler-"
lacks "scheduler events: first seen from eventTime" "$T/evs" "<unknown>"
expect_exit 0 "events sorted by lastTimestamp" K get events -n $N --sort-by=.lastTimestamp

# ------------------------------------------------------------------ watch with a label selector
K create configmap w1 -n $N >/dev/null
K label configmap w1 -n $N app=x >/dev/null
# the changes are made once the watch has listed w1 (it has its starting point then), and the
# watch is stopped once it has printed the last change: no fixed sleeps, no fixed watch length
timeout 60 kubectl get configmaps -n $N -l app=x --watch --output-watch-events >"$T/watch" 2>&1 &
wpid=$!
eventually "the selector watch lists w1 first" 30 grep -Eq '^ADDED +w1 ' "$T/watch"
K label configmap w1 -n $N app- >/dev/null
K label configmap w1 -n $N app=x >/dev/null
K create configmap w2 -n $N >/dev/null; K label configmap w2 -n $N app=x >/dev/null
K delete configmap w2 -n $N >/dev/null
eventually "the selector watch prints the last change" 30 grep -Eq '^DELETED +w2 ' "$T/watch"
kill "$wpid" 2>/dev/null
wait "$wpid" 2>/dev/null
same "a selector watch: stops matching -> DELETED, starts matching -> ADDED" \
	"$(awk 'NR > 1 {print $1 "-" $2}' "$T/watch" | tr '\n' ' ')" "ADDED-w1 DELETED-w1 ADDED-w1 ADDED-w2 DELETED-w2 "
python3 - "$SIM_URL" "$N" >"$T/rawwatch" 2>&1 <<'EOF' &
import json, sys, urllib.request as u
url = "%s/api/v1/namespaces/%s/configmaps?watch=true&labelSelector=tier%%3Dfront&timeoutSeconds=60" % (sys.argv[1], sys.argv[2])
resp = u.urlopen(url)
print("WATCHING", flush=True)   # the server answers once the watch has its starting point
for line in resp:
    e = json.loads(line)
    md = e["object"]["metadata"]
    print(e["type"], md["name"], (md.get("labels") or {}).get("tier"), md["resourceVersion"], flush=True)
    if e["type"] == "DELETED":
        break
EOF
wpid=$!
eventually "the raw selector watch is established" 30 grep -qx WATCHING "$T/rawwatch"
K create configmap w3 -n $N >/dev/null
K label configmap w3 -n $N tier=front >/dev/null
K label configmap w3 -n $N tier=back --overwrite >/dev/null
RV=$(K get configmap w3 -n $N -o jsonpath='{.metadata.resourceVersion}')
wait $wpid
contains "ADDED when it starts matching" "$T/rawwatch" "ADDED w3 front"
contains "DELETED carries the previous content with the new resourceVersion" "$T/rawwatch" "DELETED w3 front $RV"

done_testing
