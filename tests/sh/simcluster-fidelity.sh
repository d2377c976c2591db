#!/usr/bin/env bash
# Fidelity of the simulated API server: real kubectl commands against it, with
# the answers a real cluster gives.
. "$(dirname "$0")/../lib.sh"

start_sim
K() { kubectl "$@"; }
N=fid

# sim_post PATH JSON: POST to the control endpoint.
sim_post() {
	python3 -c 'import sys, urllib.request as u; r = u.urlopen(u.Request(sys.argv[1], data=sys.argv[2].encode(), method="POST")); sys.stdout.write(r.read().decode())' "$SIM_URL$1" "$2"
}
sim_get() {
	python3 -c 'import sys, urllib.request as u; sys.stdout.write(u.urlopen(sys.argv[1]).read().decode())' "$SIM_URL$1"
}
# jpath FILE EXPR: a value out of a JSON file (python expression over d).
jval() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# header_is NAME FILE REGEX: the first line of FILE matches REGEX.
header_is() {
	if head -n 1 "$2" | grep -Eq -- "$3"; then ok "$1"; else not_ok "$1" "header: $(head -n 1 "$2")"; fi
}
pods_show() { K get pods -n "$1" >"$T/pods" && grep -Eq -- "$2" "$T/pods" && cat "$T/pods"; }

# ------------------------------------------------------------------ basics, protobuf creates
expect_exit 0 "version reaches the server" K version -o json
contains "server version is 1.32" "$T/out" '"gitVersion": "v1.32.0"'
expect_exit 0 "create namespace (protobuf body)" K create namespace $N
contains "create namespace prints created" "$T/out" "namespace/$N created"
expect_exit 0 "create secret generic (protobuf body)" K create secret generic s1 -n $N --from-literal=password=hunter2
expect_exit 0 "create configmap (protobuf body)" K create configmap c1 -n $N --from-literal=mode=fast
K get secret s1 -n $N -o json >"$T/s1.json"
same "secret data is base64 of the literal" "$(jval "$T/s1.json" 'd["data"]["password"]')" "aHVudGVyMg=="
same "secret type defaults to Opaque" "$(jval "$T/s1.json" 'd["type"]')" "Opaque"
K get ns $N -o json >"$T/ns.json"
same "namespace phase Active" "$(jval "$T/ns.json" 'd["status"]["phase"]')" "Active"
same "namespace name label" "$(jval "$T/ns.json" 'd["metadata"]["labels"]["kubernetes.io/metadata.name"]')" "$N"
printf 'apiVersion: v1\nkind: Secret\nmetadata: {name: s2, namespace: %s}\nstringData: {token: abc}\n' $N >"$T/s2.yaml"
expect_exit 0 "apply a Secret with stringData" K apply --server-side -f "$T/s2.yaml"
same "stringData becomes base64 data" "$(K get secret s2 -n $N -o jsonpath='{.data.token}')" "YWJj"
expect_exit 0 "re-apply the stringData Secret" K apply --server-side -f "$T/s2.yaml"
expect_exit 1 "get missing object fails" K get deployment nope -n $N
contains "NotFound message" "$T/err" 'Error from server (NotFound): deployments.apps "nope" not found'
expect_exit 1 "create existing namespace fails" K create namespace $N
contains "AlreadyExists message" "$T/err" "Error from server (AlreadyExists): namespaces \"$N\" already exists"

# ------------------------------------------------------------------ server-side apply
cat >"$T/web.yaml" <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: $N
  labels: {app: web, tier: front}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: example.com/web:1.0
        ports: [{containerPort: 8080}]
        env:
        - {name: A, value: "1"}
        - {name: B, value: "2"}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: $N}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
EOF
sim_post /_sim/scenario '{"images": {"example.com/web:*": {"logs": ["web listening on :8080"]}}}' >/dev/null
expect_exit 0 "apply --server-side creates" K apply --server-side -f "$T/web.yaml"
contains "apply --server-side prints serverside-applied" "$T/out" "deployment.apps/web serverside-applied"
expect_exit 0 "rollout status succeeds" K rollout status deployment/web -n $N --timeout=30s
contains "rollout status success message" "$T/out" 'deployment "web" successfully rolled out'
K get deploy web -n $N -o json --show-managed-fields >"$T/d1.json"
same "deployment defaults: strategy" "$(jval "$T/d1.json" 'd["spec"]["strategy"]["rollingUpdate"]["maxSurge"]')" "25%"
same "deployment defaults: progressDeadlineSeconds" "$(jval "$T/d1.json" 'd["spec"]["progressDeadlineSeconds"]')" "600"
same "generation starts at 1" "$(jval "$T/d1.json" 'd["metadata"]["generation"]')" "1"
same "managedFields: kubectl Apply" "$(jval "$T/d1.json" '[(m["manager"], m["operation"]) for m in d["metadata"]["managedFields"] if m.get("subresource") is None][0]')" "('kubectl', 'Apply')"
rv1=$(jval "$T/d1.json" 'd["metadata"]["resourceVersion"]')
expect_exit 0 "apply --server-side again" K apply --server-side -f "$T/web.yaml"
same "unchanged apply keeps resourceVersion" "$(K get deploy web -n $N -o jsonpath='{.metadata.resourceVersion}')" "$rv1"
sed 's/replicas: 2/replicas: 3/' "$T/web.yaml" >"$T/web3.yaml"
srv=$(sim_get /_sim/stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["resourceVersion"])')
expect_exit 0 "apply --server-side --dry-run=server" K apply --server-side --dry-run=server -f "$T/web3.yaml"
contains "dry-run output" "$T/out" "deployment.apps/web serverside-applied (server dry run)"
srv2=$(sim_get /_sim/stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["resourceVersion"])')
same "dry-run changes no resourceVersion" "$srv2" "$srv"
same "dry-run keeps replicas" "$(K get deploy web -n $N -o jsonpath='{.spec.replicas}')" "2"
sed -e '/name: B, value/d' -e '/tier: front/s/, tier: front//' "$T/web.yaml" >"$T/web-less.yaml"
sed -i 's/labels: {app: web, tier: front}/labels: {app: web}/' "$T/web-less.yaml"
expect_exit 0 "apply --server-side without a field" K apply --server-side -f "$T/web-less.yaml"
K get deploy web -n $N -o json >"$T/d2.json"
same "dropped env var removed" "$(jval "$T/d2.json" '[e["name"] for e in d["spec"]["template"]["spec"]["containers"][0]["env"]]')" "['A']"
same "dropped label removed" "$(jval "$T/d2.json" 'sorted(d["metadata"]["labels"])')" "['app']"
same "spec change bumps generation" "$(jval "$T/d2.json" 'd["metadata"]["generation"]')" "2"
expect_exit 1 "conflicting manager gets a conflict" K apply --server-side --field-manager=other -f "$T/web3.yaml"
contains "conflict message" "$T/err" 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas'
expect_exit 0 "--force-conflicts takes ownership" K apply --server-side --field-manager=other --force-conflicts -f "$T/web3.yaml"
K get deploy web -n $N -o json --show-managed-fields >"$T/d3.json"
same "forced value applied" "$(jval "$T/d3.json" 'd["spec"]["replicas"]')" "3"
same "other owns .spec.replicas" "$(jval "$T/d3.json" '[m["manager"] for m in d["metadata"]["managedFields"] if "f:replicas" in m["fieldsV1"].get("f:spec", {})]')" "['other']"
sed 's/replicas: 2/replicas: 2\n  bogus: 1/' "$T/web.yaml" >"$T/bogus.yaml"
expect_exit 1 "strict validation rejects an unknown field (apply --server-side)" K apply --server-side -f "$T/bogus.yaml"
contains "unknown field error text (apply)" "$T/err" '.spec.bogus: field not declared in schema'

# ------------------------------------------------------------------ client-side apply, diff, patch, replace
cat >"$T/cm.yaml" <<EOF
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: $N}
data: {a: "1", b: "2"}
EOF
expect_exit 0 "client-side apply creates" K apply -f "$T/cm.yaml"
contains "client-side apply prints created" "$T/out" "configmap/settings created"
expect_exit 0 "client-side apply again" K apply -f "$T/cm.yaml"
contains "client-side apply prints unchanged" "$T/out" "configmap/settings unchanged"
expect_exit 0 "diff without changes exits 0" K diff -f "$T/cm.yaml"
sed -i 's/b: "2"/c: "3"/' "$T/cm.yaml"
expect_exit 1 "diff with changes exits 1" K diff -f "$T/cm.yaml"
contains "diff shows the added key" "$T/out" '+  c: "3"'
contains "diff shows the removed key" "$T/out" '-  b: "2"'
expect_exit 0 "client-side apply configures" K apply -f "$T/cm.yaml"
contains "client-side apply prints configured" "$T/out" "configmap/settings configured"
same "client-side apply removed the dropped key" "$(K get cm settings -n $N -o jsonpath='{.data}')" '{"a":"1","c":"3"}'
K get cm settings -n $N -o json >"$T/cm.json"
contains "last-applied annotation kept" "$T/cm.json" "kubectl.kubernetes.io/last-applied-configuration"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bad, namespace: %s}\nbogus: 1\n' $N >"$T/badcm.yaml"
expect_exit 1 "strict validation rejects an unknown field (create)" K apply -f "$T/badcm.yaml"
contains "unknown field error text (create)" "$T/err" 'strict decoding error: unknown field "bogus"'
expect_exit 0 "patch --type=merge" K patch cm settings -n $N --type=merge -p '{"data":{"m":"x"}}'
expect_exit 0 "patch --type=json" K patch cm settings -n $N --type=json -p '[{"op":"remove","path":"/data/a"}]'
expect_exit 0 "patch (strategic)" K patch deploy web -n $N -p '{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"C","value":"3"}]}]}}}}'
same "patches applied" "$(K get cm settings -n $N -o jsonpath='{.data}')" '{"c":"3","m":"x"}'
# (the forced apply by "other" brought B back)
same "strategic patch merged env by name" "$(K get deploy web -n $N -o jsonpath='{.spec.template.spec.containers[0].env[*].name}')" "A B C"
K get cm settings -n $N -o json >"$T/stale.json"
K patch cm settings -n $N --type=merge -p '{"data":{"n":"y"}}' >/dev/null
expect_exit 1 "replace with a stale resourceVersion" K replace -f "$T/stale.json"
contains "409 Conflict message" "$T/err" 'Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again'
expect_exit 0 "scale subresource" K scale deploy web -n $N --replicas=1
same "scale applied" "$(K get deploy web -n $N -o jsonpath='{.spec.replicas}')" "1"

# ------------------------------------------------------------------ validation (422 Invalid)
expect_exit 1 "invalid namespace name" K create namespace Bad_Name
contains "invalid name message" "$T/err" 'The Namespace "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 label'
sed -e 's/labels: {app: web}}/labels: {app: other}}/' -e 's/name: web$/name: mismatch/' "$T/web.yaml" >"$T/mismatch.yaml"
expect_exit 1 "selector must match the template labels" K apply --server-side -f "$T/mismatch.yaml"
contains "selector mismatch message" "$T/err" 'spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`'

# ------------------------------------------------------------------ tables
expect_exit 0 "get pods (table)" K get pods -n $N
header_is "pods columns" "$T/out" '^NAME +READY +STATUS +RESTARTS +AGE$'
contains "pod shows Running" "$T/out" "Running"
expect_exit 0 "get deployments (table)" K get deploy -n $N
header_is "deployment columns" "$T/out" '^NAME +READY +UP-TO-DATE +AVAILABLE +AGE$'
expect_exit 0 "get services (table)" K get svc -n $N
header_is "service columns" "$T/out" '^NAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\(S\) +AGE$'
contains "service port cell" "$T/out" "80/TCP"
expect_exit 0 "get pods -o wide" K get pods -n $N -o wide
header_is "pods wide columns" "$T/out" '^NAME +READY +STATUS +RESTARTS +AGE +IP +NODE +NOMINATED NODE +READINESS GATES$'
K get svc web -n $N -o json >"$T/svc.json"
same "service clusterIP allocated" "$(jval "$T/svc.json" 'd["spec"]["clusterIP"].startswith("10.96.")')" "True"
same "service targetPort kept, protocol defaulted" "$(jval "$T/svc.json" '(d["spec"]["ports"][0]["targetPort"], d["spec"]["ports"][0]["protocol"])')" "(8080, 'TCP')"
expect_exit 0 "get -l selector" K get pods -n $N -l 'app in (web),app!=other' -o name
contains "label selector matched the pods" "$T/out" "pod/web-"
expect_exit 0 "list in chunks (limit/continue)" K get configmaps -A --chunk-size=1 -o name
same "chunked list returns all" "$(grep -c kube-root-ca.crt "$T/out")" "5"
# A continue token that is not one (not base64 JSON; JSON but not an object): 400, as the API server answers.
for tok in 'not*base64' W10; do
	expect_exit 1 "a bad continue token ($tok) is refused" K get --raw "/api/v1/configmaps?limit=1&continue=$tok"
	contains "... as a BadRequest naming it" "$T/err" "(BadRequest): continue key is not valid"
done

# ------------------------------------------------------------------ statefulset, pvc, jobs, wait, logs
cat >"$T/work.yaml" <<EOF
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: $N}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: example.com/db:1}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: $N}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: example.com/migrate:1}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: broken, namespace: $N}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: example.com/broken:1}]
EOF
sim_post /_sim/scenario '{"images": {"example.com/migrate:1": {"logs": ["applying 0001_init", "migrations done"]}, "example.com/broken:1": {"exitCode": 2, "logs": ["relation does not exist"]}}}' >/dev/null
expect_exit 0 "apply statefulset and jobs" K apply --server-side -f "$T/work.yaml"
K get job migrate -n $N -o json >"$T/job.json"
same "job selector defaulted to the controller uid" "$(jval "$T/job.json" 'd["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"] == d["metadata"]["uid"]')" "True"
same "job template labels defaulted" "$(jval "$T/job.json" 'd["spec"]["template"]["metadata"]["labels"]["job-name"]')" "migrate"
expect_exit 0 "wait --for=condition=complete" K wait --for=condition=complete job/migrate -n $N --timeout=30s
contains "wait prints condition met" "$T/out" "job.batch/migrate condition met"
sed 's#example.com/migrate:1#example.com/migrate:2#' "$T/work.yaml" >"$T/work2.yaml"
expect_exit 1 "a job template is immutable" K apply --server-side -f "$T/work2.yaml"
contains "immutable message" "$T/err" 'The Job "migrate" is invalid: spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable'
expect_exit 0 "wait --for=condition=failed" K wait --for=condition=failed job/broken -n $N --timeout=30s
expect_exit 0 "logs job/" K logs job/migrate -n $N
contains "job logs" "$T/out" "migrations done"
expect_exit 0 "logs deploy/" K logs deploy/web -n $N
contains "deployment logs" "$T/out" "web listening on :8080"
expect_exit 0 "rollout status statefulset" K rollout status sts/db -n $N --timeout=30s
expect_exit 0 "get statefulsets (table)" K get sts -n $N
header_is "statefulset columns" "$T/out" '^NAME +READY +AGE$'
expect_exit 0 "get pvc (table)" K get pvc -n $N
header_is "pvc columns" "$T/out" '^NAME +STATUS +VOLUME +CAPACITY +ACCESS MODES +STORAGECLASS +VOLUMEATTRIBUTESCLASS +AGE$'
contains "pvc bound" "$T/out" "Bound"
expect_exit 0 "get jobs (table)" K get jobs -n $N
header_is "job columns" "$T/out" '^NAME +STATUS +COMPLETIONS +DURATION +AGE$'
contains "job complete row" "$T/out" "Complete"
expect_exit 0 "wait --for=condition=available" K wait --for=condition=available deploy/web -n $N --timeout=30s
pod=$(K get pods -n $N -l app=web -o jsonpath='{.items[0].metadata.name}')
K delete pod "$pod" -n $N --wait=false >/dev/null
expect_exit 0 "wait --for=delete" K wait --for=delete pod/"$pod" -n $N --timeout=30s

# ------------------------------------------------------------------ scenario faults
cat >"$T/faults.yaml" <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: stuck, namespace: $N}
spec:
  progressDeadlineSeconds: 10
  selector: {matchLabels: {app: stuck}}
  template:
    metadata: {labels: {app: stuck}}
    spec:
      containers: [{name: app, image: example.com/missing:1}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: crashy, namespace: $N}
spec:
  selector: {matchLabels: {app: crashy}}
  template:
    metadata: {labels: {app: crashy}}
    spec:
      containers: [{name: app, image: example.com/crashy:1}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: hungry, namespace: $N}
spec:
  selector: {matchLabels: {app: hungry}}
  template:
    metadata: {labels: {app: hungry}}
    spec:
      containers: [{name: app, image: example.com/hungry:1}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: noconf, namespace: $N}
spec:
  selector: {matchLabels: {app: noconf}}
  template:
    metadata: {labels: {app: noconf}}
    spec:
      containers: [{name: app, image: example.com/noconf:1}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: unready, namespace: $N}
spec:
  selector: {matchLabels: {app: unready}}
  template:
    metadata: {labels: {app: unready}}
    spec:
      containers: [{name: app, image: example.com/unready:1}]
EOF
sim_post /_sim/scenario '{"images": {"example.com/missing:1": {"pullError": true}, "example.com/crashy:1": {"crash": true, "logs": ["panic: boom"]}, "example.com/hungry:1": {"insufficient": "cpu"}, "example.com/noconf:1": {"configError": {"secret": "nope"}}, "example.com/unready:1": {"ready": false}}}' >/dev/null
expect_exit 0 "apply faulty workloads" K apply --server-side -f "$T/faults.yaml"
expect_exit 1 "rollout status fails on the progress deadline (pullError)" K rollout status deploy/stuck -n $N --timeout=30s
contains "progress deadline message" "$T/err" 'error: deployment "stuck" exceeded its progress deadline'
expect_exit 1 "logs of a waiting container fail" K logs deploy/stuck -n $N
contains "kubelet waiting message" "$T/err" 'is waiting to start: trying and failing to pull image'
eventually "pull error shows ImagePullBackOff or ErrImagePull" 20 pods_show $N 'stuck-.*(ImagePullBackOff|ErrImagePull)'
eventually "crashing pod status" 20 pods_show $N 'crashy-.*(CrashLoopBackOff|Error)'
eventually "insufficient fault keeps the pod Pending" 20 pods_show $N 'hungry-.*Pending'
eventually "configError fault" 20 pods_show $N 'noconf-.*CreateContainerConfigError'
eventually "ready:false fault keeps the pod unready" 20 pods_show $N 'unready-.*0/1 +Running'
# "Error" above may be the first exit, before the restart that makes its logs the previous ones
eventually "the crashing container restarts" 20 sh -c \
	"kubectl get pods -n $N -l app=crashy -o 'jsonpath={.items[0].status.containerStatuses[0].restartCount}' | grep -Eqx '[1-9][0-9]*'"
expect_exit 0 "previous logs of the crashing container" K logs deploy/crashy -n $N --previous
contains "previous logs text" "$T/out" "panic: boom"
cat >"$T/jobs2.yaml" <<EOF
apiVersion: batch/v1
kind: Job
metadata: {name: oom, namespace: $N}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: app, image: example.com/oom:1}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: slow, namespace: $N}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: app, image: example.com/plain:1}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: late, namespace: $N}
spec:
  selector: {matchLabels: {app: late}}
  template:
    metadata: {labels: {app: late}}
    spec:
      containers: [{name: app, image: example.com/missing:1}]
EOF
sim_post /_sim/scenario '{"images": {"example.com/oom:1": {"exitCode": 137, "terminationReason": "OOMKilled"}}, "workloads": {"job/slow": {"runSeconds": 3600}, "'$N'/deployment/late": {"progressDeadlineSeconds": 5}}}' >/dev/null
expect_exit 0 "apply jobs for the exit and timing faults" K apply --server-side -f "$T/jobs2.yaml"
expect_exit 0 "exitCode fault fails the job" K wait --for=condition=failed job/oom -n $N --timeout=30s
eventually "terminationReason fault shows OOMKilled" 20 pods_show $N 'oom-.*OOMKilled'

expect_exit 1 "runSeconds fault (by workload key) keeps the job running" K wait --for=condition=complete job/slow -n $N --timeout=1s
contains "wait timeout message" "$T/err" "timed out waiting for the condition on jobs/slow"
expect_exit 1 "progressDeadlineSeconds scenario knob" K rollout status deploy/late -n $N --timeout=30s
contains "knob deadline message" "$T/err" 'error: deployment "late" exceeded its progress deadline'
expect_exit 0 "events" K events -n $N
contains "events show FailedScheduling for insufficient cpu" "$T/out" "Insufficient cpu"
contains "events show the back-off" "$T/out" "BackOff"
expect_exit 0 "get events (table)" K get events -n $N
header_is "event columns" "$T/out" '^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE$'

# ------------------------------------------------------------------ auth can-i and API faults
expect_exit 0 "auth can-i (protobuf SelfSubjectAccessReview)" K auth can-i create deployments -n $N
contains "can-i says yes" "$T/out" "yes"
sim_post /_sim/scenario '{"api": {"forbidden": [{"verb": "create", "resource": "deployments", "group": "apps"}]}}' >/dev/null
expect_exit 1 "auth can-i reflects the forbidden fault" K auth can-i create deployments -n $N
contains "can-i says no" "$T/out" "no"
expect_exit 1 "forbidden fault: create is refused" K create deployment denied --image=nginx -n $N
contains "403 message" "$T/err" "deployments.apps is forbidden: User \"kubernetes-admin\" cannot create resource \"deployments\" in API group \"apps\" in the namespace \"$N\""
# kubectl checks /version first: 2 failing requests make its GET fail
sim_post /_sim/scenario '{"api": {"forbidden": null, "error500": 2}}' >/dev/null
expect_exit 1 "error500 fault" K get configmap settings -n $N
contains "500 message" "$T/err" "Error from server (InternalError): Internal error occurred"
same "error500 counts down" "$(sim_get /_sim/scenario | python3 -c 'import json,sys; print(json.load(sys.stdin)["api"]["error500"])')" "0"
expect_exit 0 "error500 fault consumed" K get configmap settings -n $N
sim_post /_sim/scenario '{"api": {"latencyMs": 300}}' >/dev/null
start=$(date +%s%N)
K get configmap settings -n $N >/dev/null
el=$(( ($(date +%s%N) - start) / 1000000 ))
if [ "$el" -ge 300 ]; then ok "latencyMs fault delays requests"; else not_ok "latencyMs fault delays requests" "took ${el}ms"; fi
sim_post /_sim/scenario '{"api": {"latencyMs": null, "watchCutAfter": 1}}' >/dev/null
K patch deploy web -n $N -p '{"spec":{"replicas":3}}' >/dev/null
expect_exit 0 "rollout status survives watches cut after 1 event" K rollout status deploy/web -n $N --timeout=30s
sim_post /_sim/scenario '{"api": {"watchCutAfter": null}}' >/dev/null
expect_exit 0 "an internal error is a 500 Status, not a dropped connection" python3 -c '
import sys, json, urllib.request as u, urllib.error as e
try:
    u.urlopen(sys.argv[1] + "/_sim/crash")
except e.HTTPError as x:
    s = json.load(x)
    assert x.code == 500 and s["kind"] == "Status" and s["reason"] == "InternalError", s
    sys.exit(0)
sys.exit(1)' "$SIM_URL"

# ------------------------------------------------------------------ watch
expect_exit 0 "watch replays from a resourceVersion and honours timeoutSeconds" python3 -c '
import sys, json, urllib.request as u
base = sys.argv[1]
rv = json.load(u.urlopen(base + "/api/v1/namespaces/default/configmaps"))["metadata"]["resourceVersion"]
req = u.Request(base + "/api/v1/namespaces/default/configmaps", method="POST",
                data=json.dumps({"metadata": {"name": "w1"}, "data": {"x": "1"}}).encode(),
                headers={"Content-Type": "application/json"})
u.urlopen(req)
evs = [json.loads(l) for l in u.urlopen(base + "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1&resourceVersion=" + rv)]
assert [(e["type"], e["object"]["metadata"]["name"]) for e in evs] == [("ADDED", "w1")], evs' "$SIM_URL"

# ------------------------------------------------------------------ namespace deletion cascades
K create namespace gone >/dev/null
K create deployment app --image=example.com/web:1.0 -n gone >/dev/null
K create configmap left -n gone >/dev/null
expect_exit 0 "delete namespace" K delete namespace gone --timeout=30s
contains "delete prints deleted" "$T/out" 'namespace "gone" deleted'
expect_exit 0 "list all deployments" K get deploy -A -o name
lacks "namespace contents are gone" "$T/out" "deployment.apps/app"
expect_exit 0 "delete deployment cascades to replicasets and pods" K delete deploy crashy -n $N --timeout=30s
expect_exit 0 "list replicasets" K get rs -n $N -o name
eventually "replicasets of the deleted deployment are gone" 10 sh -c "! kubectl get rs -n $N -o name | grep -q crashy-"

# ------------------------------------------------------------------ the Crucible base reaches all-ready
if [ ! -f "$TOP/k8s/base/kustomization.yaml" ]; then
	skip "k8s/base is missing: apply --server-side -k k8s/base"
else
	# the base's storage-pvc is ReadWriteMany without a storageClassName: give the
	# default class an RWX-capable provisioner (as a cluster with NFS as default would)
	sim_post /_sim/scenario '{"cluster": {"storageClasses": {"standard": {"accessModes": ["ReadWriteOnce", "ReadWriteMany"]}}}}' >/dev/null
	K kustomize "$TOP/k8s/base" >"$T/base.yaml"
	expect_exit 0 "apply --server-side -k k8s/base" K apply --server-side -f "$T/base.yaml"
	K apply -f "$T/base.yaml" --dry-run=client -o json >"$T/base.json"
	python3 - "$T/base.json" >"$T/secrets" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
need = {}
def walk(o, ns):
    if isinstance(o, dict):
        ref = o.get("secretKeyRef")
        if isinstance(ref, dict):
            need.setdefault((ns, ref["name"]), set()).add(ref["key"])
        for v in o.values():
            walk(v, ns)
    elif isinstance(o, list):
        for v in o:
            walk(v, ns)
for it in d.get("items", [d]):
    walk(it.get("spec", {}), it["metadata"].get("namespace", "default"))
for (ns, n), ks in sorted(need.items()):
    print(ns, n, " ".join(sorted(ks)))
EOF
	bns=default
	while read -r ns name keys; do
		bns=$ns
		args=()
		for k in $keys; do args+=("--from-literal=$k=sim-$k"); done
		K create secret generic "$name" -n "$ns" "${args[@]}" --dry-run=client -o yaml | K apply -f - >/dev/null
	done <"$T/secrets"
	expect_exit 0 "base deployments become available" K wait --for=condition=available deployment --all -n "$bns" --timeout=40s
	for w in $(K get statefulsets,daemonsets -n "$bns" -o name); do
		expect_exit 0 "base $w rolls out" K rollout status "$w" -n "$bns" --timeout=40s
	done
	expect_exit 0 "base pods become ready" K wait --for=condition=ready pod --all -n "$bns" --timeout=40s
fi

# ------------------------------------------------------------------ reflect.DeepEqual on NetworkPolicy specs
# A real server (v1.36.1) compares NetworkPolicy specs with reflect.DeepEqual before the
# typed round trip drops empty lists: re-applying `egress: []` writes (and bumps the
# generation) every time, while the same policy without it is left alone.
printf 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np-empty, namespace: %s}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n  egress: []\n' $N >"$T/np-empty.yaml"
grep -v 'egress: \[\]' "$T/np-empty.yaml" | sed 's/np-empty/np-plain/' >"$T/np-plain.yaml"
for i in 1 2 3; do K apply --server-side --field-manager=fid -f "$T/np-empty.yaml" -f "$T/np-plain.yaml" >/dev/null; done
same "re-applied egress: [] bumps the generation each time" "$(K get netpol np-empty -n $N -o jsonpath='{.metadata.generation}')" 3
same "the same policy without it is unchanged" "$(K get netpol np-plain -n $N -o jsonpath='{.metadata.generation}')" 1
same "the stored policy has no egress key" "$(K get netpol np-empty -n $N -o jsonpath='{.spec.egress}')" ""
rv=$(K get netpol np-plain -n $N -o jsonpath='{.metadata.resourceVersion}')
K replace -f "$T/np-plain.yaml" >/dev/null
same "a replace without the empty list does not write" "$(K get netpol np-plain -n $N -o jsonpath='{.metadata.resourceVersion}')" "$rv"
K replace -f <(sed 's/np-empty/np-plain/' "$T/np-empty.yaml") >/dev/null
same "a replace with it writes" "$(K get netpol np-plain -n $N -o jsonpath='{.metadata.generation}')" 2

done_testing
