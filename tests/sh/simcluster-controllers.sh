#!/usr/bin/env bash
# The simulated controllers seen through the real kubectl: rollouts, StatefulSets
# with claims, DaemonSets, Jobs, storage classes and the scenario faults.
. "$(dirname "$0")/../lib.sh"

cat >"$T/scenario.json" <<'EOF'
{
  "cluster": {"rwx": false},
  "images": {"registry.example/crucible/broken:*": {"pullError": "notfound"}},
  "workloads": {
    "crucible/deployment/api": {"crash": {"exitCode": 2, "logs": ["starting api", "FATAL: database unreachable"]}},
    "crucible/job/migrate-bad": {"exitCode": 3, "logs": ["running migrations", "ERROR: relation \"users\" does not exist"]},
    "crucible/job/migrate-ok": {"logs": ["running migrations", "migrations done"], "runSeconds": 2},
    "crucible/deployment/worker": {"insufficient": "cpu"},
    "crucible/deployment/never": {"ready": false, "progressDeadlineSeconds": 20}
  }
}
EOF
start_sim --scenario "$T/scenario.json"
N=crucible

# poll SECONDS CMD...: retries CMD every 0.2 s until it succeeds.
poll() {
	local end=$((SECONDS + $1)); shift
	until "$@" >"$T/out" 2>"$T/err"; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.2
	done
}
jp() { kubectl get "$@" 2>/dev/null; }
# eq WANT CMD...: CMD's output is WANT.
eq() { local want=$1; shift; [ "$("$@" 2>/dev/null)" = "$want" ]; }

cat >"$T/all.yaml" <<'EOF'
apiVersion: v1
kind: Namespace
metadata: {name: crucible}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: crucible}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: app, image: "nginx:1.25", ports: [{name: http, containerPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: crucible}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: postgres, namespace: crucible}
spec:
  serviceName: postgres
  replicas: 3
  selector: {matchLabels: {app: postgres}}
  template:
    metadata: {labels: {app: postgres}}
    spec:
      containers:
      - {name: postgres, image: "postgres:15-alpine"}
  volumeClaimTemplates:
  - metadata: {name: postgres-storage}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 10Gi}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: docker-proxy, namespace: crucible}
spec:
  selector: {matchLabels: {app: docker-proxy}}
  template:
    metadata: {labels: {app: docker-proxy}}
    spec:
      containers:
      - {name: proxy, image: "tecnativa/docker-socket-proxy:0.1"}
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate-ok, namespace: crucible}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: migrate, image: "storage-service:1.0", command: [alembic, upgrade, head]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate-bad, namespace: crucible}
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: migrate, image: "storage-service:1.0", command: [alembic, upgrade, head]}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: storage-pvc, namespace: crucible}
spec:
  accessModes: [ReadWriteMany]
  storageClassName: shared
  resources: {requests: {storage: 5Gi}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: files-default, namespace: crucible}
spec:
  accessModes: [ReadWriteMany]
  resources: {requests: {storage: 5Gi}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: crucible}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - {name: api, image: "api-service:1.0"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: broken, namespace: crucible}
spec:
  replicas: 1
  selector: {matchLabels: {app: broken}}
  template:
    metadata: {labels: {app: broken}}
    spec:
      containers:
      - {name: app, image: "registry.example/crucible/broken:1.0"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: needs-secret, namespace: crucible}
spec:
  replicas: 1
  selector: {matchLabels: {app: needs-secret}}
  template:
    metadata: {labels: {app: needs-secret}}
    spec:
      containers:
      - name: app
        image: "api-service:1.0"
        env:
        - name: DATABASE_URL
          valueFrom: {secretKeyRef: {name: db-credentials, key: database-url}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: huge, namespace: crucible}
spec:
  replicas: 1
  selector: {matchLabels: {app: huge}}
  template:
    metadata: {labels: {app: huge}}
    spec:
      containers:
      - name: app
        image: "api-service:1.0"
        resources: {requests: {cpu: "64", memory: 1Gi}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: crucible}
spec:
  replicas: 1
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec:
      containers:
      - {name: app, image: "worker:1.0"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: never, namespace: crucible}
spec:
  replicas: 1
  selector: {matchLabels: {app: never}}
  template:
    metadata: {labels: {app: never}}
    spec:
      containers:
      - name: app
        image: "api-service:1.0"
        readinessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 5}
---
apiVersion: v1
kind: Service
metadata: {name: never, namespace: crucible}
spec:
  selector: {app: never}
  ports: [{port: 80, targetPort: 8080}]
EOF
expect_exit 0 "kubectl apply of the test manifests" kubectl apply -f "$T/all.yaml"

# ---- nodes and storage classes
check "three nodes" eq "node-1 node-2 node-3" jp nodes -o 'jsonpath={.items[*].metadata.name}'
check "node allocatable cpu" eq "4" jp node node-1 -o 'jsonpath={.status.allocatable.cpu}'
check "default class standard" eq "true" \
	jp storageclass standard -o 'jsonpath={.metadata.annotations.storageclass\.kubernetes\.io/is-default-class}'
expect_exit 1 "no RWX class when the scenario says rwx: false" kubectl get storageclass shared

# ---- deployment
expect_exit 0 "rollout status deploy/web" kubectl rollout status deploy/web -n $N --timeout=20s
contains "rollout status reports success" "$T/out" 'deployment "web" successfully rolled out'
check "pods carry pod-template-hash" poll 5 eq 2 sh -c "kubectl get pods -n $N -l app=web -o name | wc -l"
check "endpoints list the ready pods on the named port" poll 5 sh -c \
	"kubectl get endpoints web -n $N -o 'jsonpath={range .subsets[*].addresses[*]}{.ip}{\"\\n\"}{end}' | grep -c . | grep -qx 2 &&
	 kubectl get endpoints web -n $N -o 'jsonpath={.subsets[0].ports[0].port}' | grep -qx 8080"
check "endpointslice for the service" poll 5 eq 2 sh -c \
	"kubectl get endpointslices -n $N -l kubernetes.io/service-name=web -o 'jsonpath={range .items[*].endpoints[*]}{.addresses[0]}{\"\\n\"}{end}' | grep -c ."
kubectl set image deploy/web app=nginx:1.27 -n $N >/dev/null 2>&1
expect_exit 0 "rolling update: rollout status" kubectl rollout status deploy/web -n $N --timeout=20s
check "rolling update: old replica set scaled to 0" eq "0 2" sh -c \
	"kubectl get rs -n $N -l app=web -o 'jsonpath={range .items[*]}{.spec.replicas}{\"\\n\"}{end}' | sort -n | xargs"
check "rolling update: revision 2" eq 2 \
	jp deploy web -n $N -o 'jsonpath={.metadata.annotations.deployment\.kubernetes\.io/revision}'
victim=$(kubectl get pods -n $N -l app=web -o 'jsonpath={.items[0].metadata.name}')
kubectl delete pod "$victim" -n $N --wait=false >/dev/null 2>&1
check "a deleted pod is replaced" poll 10 sh -c \
	"kubectl get pods -n $N -l app=web -o name | grep -v '$victim' | wc -l | grep -qx 2"

# ---- statefulset
expect_exit 0 "rollout status sts/postgres" kubectl rollout status sts/postgres -n $N --timeout=30s
check "statefulset pods postgres-0..2" eq "postgres-0 postgres-1 postgres-2" \
	jp pods -n $N -l app=postgres -o 'jsonpath={.items[*].metadata.name}'
kubectl get events -n $N -o 'jsonpath={range .items[*]}{.involvedObject.name}|{.message}{"\n"}{end}' >"$T/ev" 2>/dev/null
check "statefulset pods created in order" eq "postgres-0 postgres-1 postgres-2" sh -c \
	"grep '^postgres|create Pod' '$T/ev' | sed 's/.*create Pod \([^ ]*\) .*/\1/' | xargs"
check "claims from volumeClaimTemplates bound" eq "Bound Bound Bound" \
	jp pvc postgres-storage-postgres-0 postgres-storage-postgres-1 postgres-storage-postgres-2 -n $N \
	-o 'jsonpath={.items[*].status.phase}'
check "currentRevision equals updateRevision" sh -c \
	"[ \"\$(kubectl get sts postgres -n $N -o 'jsonpath={.status.currentRevision}')\" = \"\$(kubectl get sts postgres -n $N -o 'jsonpath={.status.updateRevision}')\" ]"

# ---- daemonset
expect_exit 0 "rollout status ds/docker-proxy" kubectl rollout status ds/docker-proxy -n $N --timeout=20s
check "one daemon pod per node" eq "node-1 node-2 node-3" sh -c \
	"kubectl get pods -n $N -l app=docker-proxy -o 'jsonpath={range .items[*]}{.spec.nodeName}{\"\\n\"}{end}' | sort | xargs"

# ---- jobs
expect_exit 0 "wait --for=condition=complete" kubectl wait --for=condition=complete job/migrate-ok -n $N --timeout=20s
expect_exit 0 "logs job/migrate-ok" kubectl logs job/migrate-ok -n $N
contains "job logs kept" "$T/out" "migrations done"
check "job succeeded count" eq 1 jp job migrate-ok -n $N -o 'jsonpath={.status.succeeded}'
expect_exit 0 "wait --for=condition=failed" kubectl wait --for=condition=failed job/migrate-bad -n $N --timeout=20s
check "failed job reason BackoffLimitExceeded" eq BackoffLimitExceeded \
	jp job migrate-bad -n $N -o 'jsonpath={.status.conditions[?(@.type=="Failed")].reason}'
expect_exit 0 "logs job/migrate-bad" kubectl logs job/migrate-bad -n $N
contains "failed job logs" "$T/out" 'ERROR: relation "users" does not exist'
check "failed job pods exit 3" sh -c \
	"kubectl get pods -n $N -l job-name=migrate-bad -o 'jsonpath={.items[*].status.containerStatuses[0].state.terminated.exitCode}' | grep -qx '3 3'"

# ---- storage
check "RWX claim stays Pending without an RWX class" eq Pending jp pvc storage-pvc -n $N -o 'jsonpath={.status.phase}'
expect_exit 0 "describe pvc storage-pvc" kubectl describe pvc storage-pvc -n $N
contains "ProvisioningFailed for the missing class" "$T/out" 'storageclass.storage.k8s.io "shared" not found'
poll 10 sh -c "kubectl describe pvc files-default -n $N | grep -q ProvisioningFailed"
kubectl describe pvc files-default -n $N >"$T/out" 2>&1
contains "ProvisioningFailed for RWX on the default class" "$T/out" \
	'failed to provision volume with StorageClass "standard": Only support ReadWriteOnce access mode'
check "RWX on the default class stays Pending" eq Pending jp pvc files-default -n $N -o 'jsonpath={.status.phase}'

# ---- crashloop
check "CrashLoopBackOff with restarts" poll 20 sh -c \
	"kubectl get pods -n $N -l app=api -o 'jsonpath={.items[0].status.containerStatuses[0].restartCount} {.items[0].status.containerStatuses[0].state.waiting.reason}' | grep -Eq '^([2-9]|[1-9][0-9]) CrashLoopBackOff$'"
# the container keeps restarting: between two back-offs it is Running for a moment, so wait for the
# table to show the back-off rather than reading it once
check "get pods shows CrashLoopBackOff" poll 20 sh -c "kubectl get pods -n $N -l app=api | grep -q CrashLoopBackOff"
check "lastState exit code 2" eq "2 Error" \
	jp pods -n $N -l app=api -o 'jsonpath={.items[0].status.containerStatuses[0].lastState.terminated.exitCode} {.items[0].status.containerStatuses[0].lastState.terminated.reason}'
expect_exit 0 "logs --previous" kubectl logs --previous deploy/api -n $N
contains "previous logs have the crash" "$T/out" "FATAL: database unreachable"
kubectl describe pods -n $N -l app=api >"$T/out" 2>&1
contains "BackOff restarting event" "$T/out" "Back-off restarting failed container api in pod"

# ---- image pull
check "ImagePullBackOff" poll 10 sh -c \
	"kubectl get pods -n $N -l app=broken -o 'jsonpath={.items[0].status.containerStatuses[0].state.waiting.reason}' | grep -qx ImagePullBackOff"
kubectl describe pods -n $N -l app=broken >"$T/out" 2>&1
contains "Failed to pull image event" "$T/out" 'Failed to pull image "registry.example/crucible/broken:1.0": rpc error: code = NotFound'
contains "ErrImagePull event" "$T/out" "Error: ErrImagePull"
contains "Back-off pulling image event" "$T/out" 'Back-off pulling image "registry.example/crucible/broken:1.0"'

# ---- missing secret
check "CreateContainerConfigError" poll 10 sh -c \
	"kubectl get pods -n $N -l app=needs-secret -o 'jsonpath={.items[0].status.containerStatuses[0].state.waiting.reason}' | grep -qx CreateContainerConfigError"
check "config error message" eq 'secret "db-credentials" not found' \
	jp pods -n $N -l app=needs-secret -o 'jsonpath={.items[0].status.containerStatuses[0].state.waiting.message}'
kubectl describe pods -n $N -l app=needs-secret >"$T/out" 2>&1
contains "config error event" "$T/out" 'Error: secret "db-credentials" not found'

# ---- scheduling
check "Insufficient cpu keeps the pod Pending" poll 10 sh -c \
	"kubectl get pods -n $N -l app=huge -o 'jsonpath={.items[0].status.conditions[?(@.type==\"PodScheduled\")].reason}' | grep -qx Unschedulable"
kubectl describe pods -n $N -l app=huge >"$T/out" 2>&1
contains "FailedScheduling Insufficient cpu" "$T/out" \
	"0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."
check "scenario insufficient cpu" poll 5 eq Pending jp pods -n $N -l app=worker -o 'jsonpath={.items[0].status.phase}'

# ---- readiness never reached
expect_exit 1 "rollout status fails after the progress deadline" kubectl rollout status deploy/never -n $N --timeout=20s
contains "progress deadline message" "$T/err" 'deployment "never" exceeded its progress deadline'
check "pod running but not ready" eq "Running False" \
	jp pods -n $N -l app=never -o 'jsonpath={.items[0].status.phase} {.items[0].status.conditions[?(@.type=="Ready")].status}'
check "unready pod in notReadyAddresses" sh -c \
	"kubectl get endpoints never -n $N -o 'jsonpath={.subsets[0].notReadyAddresses[0].ip}' | grep -q ."
kubectl describe pods -n $N -l app=never >"$T/out" 2>&1
contains "Unhealthy readiness event" "$T/out" "Readiness probe failed: HTTP probe failed with statuscode: 503"

# ---- changing the scenario at run time
post() { curl -sf -X POST -H 'Content-Type: application/json' --data "$1" "$SIM_URL/_sim/scenario"; }
check "POST /_sim/scenario" post '{"images": {"registry.example/crucible/broken:*": null}, "cluster": {"rwx": true}}'
expect_exit 0 "pod recovers once the pull fault is gone" \
	kubectl wait --for=condition=Ready pod -l app=broken -n $N --timeout=20s
expect_exit 0 "RWX claim binds once an RWX class exists" \
	kubectl wait --for=jsonpath='{.status.phase}'=Bound pvc/storage-pvc -n $N --timeout=20s
expect_exit 22 "a bad scenario is refused" curl -sf -X POST --data '{"imagez": {}}' "$SIM_URL/_sim/scenario"

if grep -q Traceback "$T/sim.log"; then
	not_ok "no controller errors in the simulator log"
	grep -B2 -A30 -m1 Traceback "$T/sim.log" | sed 's/^/#   /'   # the first one, to diagnose
else
	ok "no controller errors in the simulator log"
fi
done_testing
