#!/usr/bin/env bash
# One program says which Secrets, ConfigMaps and keys workloads reference
# (common/jq/refs.jq): `secrets` and `deploy` read them the same way, and
# what `secrets apply` creates is what deploy's preflight asks for.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
F=tests/fixtures/refs/workloads.yaml

# --- one definition ---------------------------------------------------------
for p in cmd/secrets/secrets-refs.jq cmd/deploy/deploy-refs.jq; do
	if [ "$(head -n 1 "$p")" = 'include "refs";' ] && ! grep -qE 'def (podspec|containers)|secretKeyRef|projected' "$p"; then
		ok "$p uses common/jq/refs.jq and finds no references itself"
	else
		not_ok "$p uses common/jq/refs.jq and finds no references itself"
	fi
done

# The tools' programs run with jq -L common/jq as they run embedded.
kubectl patch --local -f "$F" -p '{}' --type merge -o json 2>"$T/err" | jq -s . >"$T/objects.json"
jq -L common/jq -f cmd/secrets/secrets-refs.jq "$T/objects.json" >"$T/secrets-refs.json" 2>"$T/err" &&
	ok "secrets-refs.jq runs with jq -L common/jq" || not_ok "secrets-refs.jq runs with jq -L common/jq" "$(cat "$T/err")"

# The build refuses an include of a program that does not exist.
EMBED=$(dirname "${CRUCIBLE_TESTBIN:-$TOP/build/tests}")/tools/embed
if [ -x "$EMBED" ]; then
	printf 'include "no-such-library";\n.\n' >"$T/bad.jq"
	expect_exit 1 "embed: an unknown include fails the build" "$EMBED" "$T/bad.c" "$T/bad.jq"
	contains "... naming it" "$T/err" 'include "no-such-library"'
else
	skip "embed tool not built"
fi

# --- deploy's preflight asks for what secrets finds --------------------------
start_sim
expect_exit 1 "deploy: preflight fails on the fixture's missing references" kubectl-crucible-deploy -f "$F" -o json
jq -r '.failure.missing[] | select(.type == "secret") | "\(.name)/\(.key // "*")"' "$T/out" | sort >"$T/deploy-wants"
jq -r '.refs[] | select((.optional | not) and .via != "imagePullSecrets" and .via != "ingress")
	| "\(.secret)/\(.key // "*")"' "$T/secrets-refs.json" | sort -u >"$T/secrets-finds"
if [ -s "$T/deploy-wants" ] && cmp -s "$T/deploy-wants" "$T/secrets-finds"; then
	ok "deploy requires exactly the Secret keys secrets finds (optional and pull secrets aside)"
else
	not_ok "deploy requires exactly the Secret keys secrets finds" "$(diff "$T/secrets-finds" "$T/deploy-wants")"
fi
contains "a secret volume with items: [] needs the whole Secret" "$T/err" \
	"secret web-tls (used by web) is missing: run 'kubectl crucible secrets apply'"
contains "a configMapKeyRef is checked too" "$T/err" "configmap web-config key log-level (used by web) is missing"
lacks "an optional key is not required" "$T/err" "smtp-credentials"
lacks "an image pull secret is not required" "$T/err" "registry-login"

# What secrets apply creates satisfies the preflight.
printf 'web-extra/API_KEY=x1\nweb-tls/tls.crt=c\nweb-tls/tls.key=k\nregistry-login/.dockerconfigjson={"auths":{}}\n' >"$T/extra.env"
check "secrets apply -f the fixture" kubectl-crucible-secrets apply -f "$F" --from-env-file "$T/extra.env"
kubectl create configmap web-config -n crucible --from-literal=log-level=info >/dev/null
expect_exit 0 "then deploy's preflight passes (server dry run)" kubectl-crucible-deploy -f "$F" --dry-run=server
lacks "and names nothing missing" "$T/err" "is missing"

done_testing
