#!/usr/bin/env bash
# Fidelity of the simulated API server, part 2: what real kubectl does on the
# client side with the server's documents (OpenAPI v2 for client-side
# validation of a "kind: List", v3 for client-side apply patches), graceful
# deletion (Terminating pods and namespaces, finalizers, --wait, Foreground),
# watches with label selectors, events and describe.
. "$(dirname "$0")/../lib.sh"

start_sim
K() { kubectl "$@"; }
N=cs
same() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi; }
# eventually NAME SECONDS CMD...: CMD succeeds within SECONDS (polled).
eventually() {
	local name=$1 secs=$2 i; shift 2
	for i in $(seq $((secs * 10))); do
		if "$@" >"$T/out" 2>"$T/err"; then ok "$name"; return; fi
		sleep 0.1
	done
	not_ok "$name" "$(head -c 500 "$T/out")" "$(head -c 300 "$T/err")"
}
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
