#!/usr/bin/env bash
# kubectl crucible secrets retries transient API errors as deploy does: 500s
# that fail one kubectl call (on the listing, on the apply, on creating a
# missing namespace) do not stop secrets apply; a permanent error (403) is
# not retried. Discovery is cached first: kubectl's own discovery retries
# would otherwise absorb the 500s.
. "$(dirname "$0")/../lib.sh"

S=kubectl-crucible-secrets
cd "$TOP"
start_sim_ns

kubectl_recorder # $T/kubectl-rec: records calls, 500s at $INJECT (see lib.sh)
K="--kubectl=$T/kubectl-rec"
left() { curl -sf "$FAULT_URL/_sim/scenario" | jq '.api.error500 // 0'; }
nsecrets() { kubectl -n "$1" get secrets -o name | wc -l; }
# calls PATTERN: how many recorded kubectl calls match.
calls() { grep -c -- "$1" "$T/calls"; }

# --- two 500s before the first call (the listing) -----------------------------
kubectl -n crucible get secrets >/dev/null 2>&1 # caches discovery
fault '{"api": {"error500": 2}}'
kubectl -n crucible get secrets -o name >/dev/null 2>&1 && not_ok "two 500s fail one kubectl get" || ok "two 500s fail one kubectl get"
fault '{"api": {"error500": 0}}'
: >"$T/calls"
rm -f "$T/injected"
N=2 INJECT=' get secrets -o go-template' expect_exit 0 "two 500s on the listing: apply still succeeds" $S apply "$K"
[ -e "$T/injected" ] && ok "... the 500s were set up at the listing" || not_ok "... the 500s were set up at the listing"
same "... and met" "$(left)" 0
same "... the Secrets were created" "$(nsecrets crucible)" 4
[ "$(calls ' get secrets')" -ge 2 ] && ok "... the listing was retried" || not_ok "... the listing was retried" "$(cat "$T/calls")"

# --- 500s on the apply itself (three: kubectl apply retries the OpenAPI
# download once itself) ---------------------------------------------------------
kubectl -n crucible delete secret api-credentials >/dev/null
: >"$T/calls"
rm -f "$T/injected"
N=3 INJECT=' apply .*--field-manager=kubectl-crucible-secrets' expect_exit 0 "500s on kubectl apply: secrets apply still succeeds" $S apply "$K"
[ -e "$T/injected" ] && ok "... the 500s were set up at the apply" || not_ok "... the 500s were set up at the apply"
same "... and met" "$(left)" 0
contains "... the missing Secret is created" "$T/out" "secret/api-credentials created ("
[ "$(calls ' apply ')" -ge 2 ] && ok "... kubectl apply was run again" || not_ok "... kubectl apply was run again" "$(cat "$T/calls")"

# --- 500s on creating a missing namespace ------------------------------------
kubectl kustomize k8s/base | sed '/^  namespace: crucible$/d' >"$T/no-ns.yaml"
: >"$T/calls"
rm -f "$T/injected"
N=3 INJECT='--field-manager=kubectl-crucible -f' expect_exit 0 "500s on creating the namespace: secrets apply still succeeds" \
	$S apply -n retry-ns -f "$T/no-ns.yaml" "$K"
[ -e "$T/injected" ] && ok "... the 500s were set up at the namespace's creation" || not_ok "... the 500s were set up at the namespace's creation"
same "... and met" "$(left)" 0
contains "... the namespace is created" "$T/out" "namespace/retry-ns created"
same "... holding the Secrets" "$(nsecrets retry-ns)" 4

# --- a permanent error is not retried ---------------------------------------------
kubectl -n crucible delete secret api-credentials >/dev/null
fault '{"api": {"forbidden": [{"verb": "create", "resource": "secrets", "namespace": "crucible"}]}}'
: >"$T/calls"
expect_exit 4 "403 on kubectl apply: exit 4" $S apply "$K"
same "... kubectl apply ran once" "$(calls ' apply ')" 1
fault '{"api": {"forbidden": null}}'
done_testing
