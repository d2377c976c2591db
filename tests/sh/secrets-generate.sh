#!/usr/bin/env bash
# kubectl crucible secrets generate, offline: the Secrets and keys come from
# the manifests, values are random with the documented alphabet and length,
# composed values carry their sources, env files override, terminals are
# refused, files are 0600 and atomic, bad input maps to the documented exits.
. "$(dirname "$0")/../lib.sh"

S=kubectl-crucible-secrets
APP=$TOP/tests/fixtures/secrets/app/workloads.yaml
cd "$TOP"

# decode FILE: "secret key value" per key of a generated YAML stream.
decode() {
	python3 -c '
import sys, yaml, base64
for d in yaml.safe_load_all(open(sys.argv[1])):
    for k, v in sorted((d.get("data") or {}).items()):
        print(d["metadata"]["name"], k, base64.b64decode(v).decode())
' "$1"
}
# value FILE SECRET KEY: one decoded value.
value() { decode "$1" | awk -v s="$2" -v k="$3" '$1 == s && $2 == k { print $3 }'; }

# --- the Secrets and keys are the ones the manifests reference -------------
expect_exit 0 "generate renders the project's base" $S generate
cp "$T/out" "$T/base.yaml"
decode "$T/base.yaml" >"$T/base.txt"
# The oracle: tests/manifests/secret-refs.jq, written with the manifests.
kubectl kustomize k8s/base >"$T/render.yaml" &&
	kubectl patch --local -f "$T/render.yaml" -p '{}' --type merge -o json | jq -s . >"$T/render.json"
jq -r -L tests/manifests -f tests/manifests/secret-refs.jq "$T/render.json" |
	jq -r 'to_entries[] | .key as $s | .value[] | "\($s) \(.)"' | sort >"$T/want-refs"
awk '{ print $1, $2 }' "$T/base.txt" | sort >"$T/got-refs"
if [ -s "$T/want-refs" ] && cmp -s "$T/want-refs" "$T/got-refs"; then
	ok "base: exactly the Secrets and keys the manifests reference"
else
	not_ok "base: exactly the Secrets and keys the manifests reference" "$(diff "$T/want-refs" "$T/got-refs")"
fi

expect_exit 0 "generate -f a fixture with every kind of reference" $S generate -f "$APP"
cp "$T/out" "$T/app.yaml"
cp "$T/err" "$T/app.err"
decode "$T/app.yaml" | awk '{ print $1, $2 }' >"$T/app-refs"
# registry-login's .dockerconfigjson is never invented: it is the one expected key left out.
grep -v '^registry-login ' tests/fixtures/secrets/app/expected-refs.txt >"$T/app-want"
if cmp -s "$T/app-want" "$T/app-refs"; then ok "fixture: secretKeyRef, init containers, CronJobs, volumes, projected volumes"
else not_ok "fixture: secretKeyRef, init containers, CronJobs, volumes, projected volumes" "$(diff "$T/app-want" "$T/app-refs")"; fi
contains "an envFrom-only Secret is named as needing its keys" "$T/app.err" "secret web-extra: referenced only as a whole"
contains "an image pull secret is asked for, not invented" "$T/app.err" "registry-login/.dockerconfigjson=VALUE"
contains "the Secret carries the namespace (kubeseal needs it)" "$T/app.yaml" 'namespace: "crucible"'

# --- composed values carry exactly their sources ---------------------------
pg=$(value "$T/base.yaml" db-credentials postgres-password)
url=$(value "$T/base.yaml" db-credentials database-url)
[ -n "$pg" ] && [ "$url" = "postgresql://crucible:$pg@postgres:5432/crucible" ] &&
	ok "database-url carries the postgres password" || not_ok "database-url carries the postgres password" "$url"
rp=$(value "$T/base.yaml" redis-credentials redis-password)
[ -n "$rp" ] && [ "$(value "$T/base.yaml" redis-credentials redis-url)" = "redis://:$rp@redis:6379/0" ] &&
	ok "redis-url carries redis-password" || not_ok "redis-url carries redis-password"
cp_=$(value "$T/base.yaml" redis-credentials celery-redis-password)
[ -n "$cp_" ] && [ "$(value "$T/base.yaml" redis-credentials celery-broker-url)" = "redis://:$cp_@redis-celery:6379/0" ] &&
	ok "celery-broker-url carries celery-redis-password" || not_ok "celery-broker-url carries celery-redis-password"
[ "$rp" != "$cp_" ] && ok "the two redis passwords differ" || not_ok "the two redis passwords differ"
# User and database name come from the manifests' ConfigMaps.
[ "$(value "$T/app.yaml" db-credentials database-url)" = "postgresql://webapp:$(value "$T/app.yaml" db-credentials postgres-password)@postgres:5432/webdb" ] &&
	ok "database-url takes POSTGRES_USER and POSTGRES_DB from the manifests" ||
	not_ok "database-url takes POSTGRES_USER and POSTGRES_DB from the manifests" "$(value "$T/app.yaml" db-credentials database-url)"

# --- randomness: never the same twice; alphabet and length as --help says --
$S generate >"$T/again.yaml"
decode "$T/again.yaml" >"$T/again.txt"
same=$(join <(awk '{ print $1 "/" $2, $3 }' "$T/base.txt" | sort) <(awk '{ print $1 "/" $2, $3 }' "$T/again.txt" | sort) |
	awk '$2 == $3' | wc -l)
[ "$(wc -l <"$T/again.txt")" -gt 0 ] && [ "$same" -eq 0 ] && ok "two runs share no value" || not_ok "two runs share no value" "$same equal"
$S --help >"$T/help"
contains "help shows the kubeseal pipe" "$T/help" "generate | kubeseal -o yaml"
contains "help shows the pre-commit hook" "$T/help" "pre-commit hook"
contains "help documents the derivation table" "$T/help" "database-url       postgresql://"
plen=$(sed -n 's/.*password: \([0-9]*\) characters from A-Z a-z 0-9.*/\1/p' "$T/help" | head -1)
klen=$(sed -n 's/.*key: \([0-9]*\) characters from 0-9 a-f.*/\1/p' "$T/help" | head -1)
[ -n "$plen" ] && [ -n "$klen" ] && ok "help states the alphabets and lengths" || not_ok "help states the alphabets and lengths"
for f in "$T/base.txt" "$T/again.txt"; do
	for k in postgres-password redis-password celery-redis-password; do
		v=$(awk -v k=$k '$2 == k { print $3 }' "$f")
		[[ $v =~ ^[A-Za-z0-9]{${plen:-0}}$ ]] && ok "$k: $plen of A-Z a-z 0-9" || not_ok "$k: $plen of A-Z a-z 0-9" "length ${#v}"
	done
	v=$(awk '$2 == "secret-key" { print $3 }' "$f")
	[[ $v =~ ^[0-9a-f]{${klen:-0}}$ ]] && ok "secret-key: $klen of 0-9 a-f" || not_ok "secret-key: $klen of 0-9 a-f" "length ${#v}"
done
ba=$(value "$T/base.yaml" flower-credentials basic-auth)
[[ $ba =~ ^admin:[A-Za-z0-9]{${plen:-0}}$ ]] && ok "basic-auth is admin:password" || not_ok "basic-auth is admin:password"
# Many values at once: every character of the alphabet shows up, nothing else does.
for i in $(seq 16); do $S generate -q; echo ---; done | python3 -c '
import sys, yaml, base64, string
seen = set()
for d in yaml.safe_load_all(sys.stdin):
    if d and d["metadata"]["name"] in ("redis-credentials", "db-credentials"):
        for k in ("redis-password", "celery-redis-password", "postgres-password"):
            if k in d["data"]:
                seen |= set(base64.b64decode(d["data"][k]).decode())
want = set(string.ascii_letters + string.digits)
sys.exit(0 if seen == want else 1)' && ok "passwords use the whole alphabet and only it" || not_ok "passwords use the whole alphabet and only it"

# --- output formats and destinations --------------------------------------
expect_exit 0 "generate -o json" $S generate -o json
jq -e '.kind == "List" and (.items | length) == 4 and all(.items[]; .kind == "Secret" and (.data | length) > 0)' "$T/out" >/dev/null &&
	ok "-o json is a List of the Secrets" || not_ok "-o json is a List of the Secrets" "$(head -c 300 "$T/out")"
kubectl patch --local -f "$T/base.yaml" -p "{}" --type merge -o name >"$T/dry" 2>&1 &&
	[ "$(wc -l <"$T/dry")" -eq 4 ] && ok "kubectl reads the generated YAML" || not_ok "kubectl reads the generated YAML" "$(cat "$T/dry")"
expect_exit 2 "generate -o table is a usage error" $S generate -o table

if command -v script >/dev/null; then
	script -qec "$S generate" /dev/null >"$T/tty" 2>&1
	rc=$?
	[ $rc -eq 2 ] && ok "generate refuses a terminal (exit 2)" || not_ok "generate refuses a terminal (exit 2)" "exit $rc"
	lacks "nothing secret reaches the terminal" "$T/tty" "data:"
	contains "the refusal says how to proceed" "$T/tty" "kubeseal"
	script -qec "$S generate --show" /dev/null >"$T/tty" 2>&1 &&
		grep -q 'kind: Secret' "$T/tty" && ok "--show prints to a terminal" || not_ok "--show prints to a terminal"
fi

mkdir "$T/outdir"
echo old >"$T/outdir/secrets.yaml"
chmod 644 "$T/outdir/secrets.yaml"
ino=$(stat -c %i "$T/outdir/secrets.yaml")
(umask 000 && $S generate --out "$T/outdir/secrets.yaml") >"$T/out" 2>"$T/err"
[ "$(stat -c %a "$T/outdir/secrets.yaml")" = 600 ] && ok "--out writes mode 0600 even with umask 000" ||
	not_ok "--out writes mode 0600 even with umask 000" "$(stat -c %a "$T/outdir/secrets.yaml")"
[ "$(stat -c %i "$T/outdir/secrets.yaml")" != "$ino" ] && ok "--out replaces the file by rename (new inode)" || not_ok "--out replaces the file by rename (new inode)"
[ "$(ls -A "$T/outdir")" = secrets.yaml ] && ok "--out leaves no temporary file" || not_ok "--out leaves no temporary file" "$(ls -A "$T/outdir")"
[ ! -s "$T/out" ] && ok "--out prints nothing on stdout" || not_ok "--out prints nothing on stdout"
grep -q 'kind: Secret' "$T/outdir/secrets.yaml" && ok "--out wrote the Secrets" || not_ok "--out wrote the Secrets"
expect_exit 1 "--out into a missing directory fails" $S generate --out "$T/nodir/x.yaml"
contains "... naming the file" "$T/err" "$T/nodir/x.yaml"

# --- env files override, and teach composed values their sources ------------
printf '# from docker-compose\nPOSTGRES_PASSWORD=Pg-Pass_From.Env\n\nexport redis-credentials/redis-password="r3d1s pass"\n' >"$T/env"
expect_exit 0 "--from-env-file" $S generate --from-env-file "$T/env"
cp "$T/out" "$T/env.yaml"
[ "$(value "$T/env.yaml" db-credentials postgres-password)" = "Pg-Pass_From.Env" ] &&
	ok "an env variable name (POSTGRES_PASSWORD) sets its key" || not_ok "an env variable name (POSTGRES_PASSWORD) sets its key"
[ "$(value "$T/env.yaml" db-credentials database-url)" = "postgresql://crucible:Pg-Pass_From.Env@postgres:5432/crucible" ] &&
	ok "database-url is composed from the given password" || not_ok "database-url is composed from the given password"
decode "$T/env.yaml" >"$T/env.txt"
grep -q '^redis-credentials redis-password r3d1s pass$' "$T/env.txt" &&
	ok "SECRET/KEY with a quoted value" || not_ok "SECRET/KEY with a quoted value"
grep -qF 'redis-credentials redis-url redis://:r3d1s%20pass@redis:6379/0' "$T/env.txt" &&
	ok "a given value is percent-encoded inside a URL" || not_ok "a given value is percent-encoded inside a URL"

echo 'DATABASE_URL=postgresql://crucible:only%2Fin-url@postgres:5432/crucible' >"$T/env2"
$S generate --from-env-file - <"$T/env2" >"$T/env2.yaml" 2>"$T/err"
[ "$(value "$T/env2.yaml" db-credentials postgres-password)" = "only/in-url" ] &&
	ok "a given database-url teaches postgres-password (stdin env file)" ||
	not_ok "a given database-url teaches postgres-password (stdin env file)" "$(cat "$T/err")"

printf 'LOG_LEVEL=debug\n' >"$T/env3"
expect_exit 0 "an unknown key is ignored" $S generate --from-env-file "$T/env3"
contains "... with a warning naming file:line" "$T/err" "$T/env3:1: LOG_LEVEL names no Secret key"

printf 'SECRET_KEY=ok\n\nthis-line-Leaked-Value-123 has no equals sign\n' >"$T/bad-env"
expect_exit 3 "a malformed env line is bad input (exit 3)" $S generate --from-env-file "$T/bad-env"
contains "... naming file:line" "$T/err" "$T/bad-env:3: malformed line"
lacks "... without echoing the line" "$T/err" "Leaked-Value-123"
[ ! -s "$T/out" ] && ok "... and prints no Secret" || not_ok "... and prints no Secret"
printf 'X="Unbalanced-Secret-Value\n' >"$T/bad-env"
expect_exit 3 "unbalanced quotes are bad input" $S generate --from-env-file "$T/bad-env"
lacks "... without echoing the value" "$T/err" "Unbalanced-Secret-Value"
printf 'REDIS_PASSWORD=Ambiguous-Value-9\n' >"$T/bad-env"
expect_exit 3 "a variable that fills two keys is refused" $S generate --from-env-file "$T/bad-env"
contains "... naming both keys" "$T/err" "redis-credentials/redis-password"
lacks "... without the value" "$T/err" "Ambiguous-Value-9"
expect_exit 3 "a missing env file is bad input" $S generate --from-env-file "$T/no-such.env"
contains "... naming it" "$T/err" "$T/no-such.env"

# --- bad manifests and usage --------------------------------------------------
expect_exit 3 "a missing manifest file is bad input" $S generate -f "$T/nope.yaml"
contains "... naming it" "$T/err" "$T/nope.yaml"
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: [x\n' >"$T/broken.yaml"
expect_exit 3 "malformed YAML is bad input" $S generate -f "$T/broken.yaml"
grep -qE "broken.yaml:[0-9]+:[0-9]+: " "$T/err" && ok "... with file:line:col" || not_ok "... with file:line:col" "$(cat "$T/err")"
expect_exit 2 "generate --rotate is a usage error" $S generate --rotate
expect_exit 2 "generate takes no arguments" $S generate extra
expect_exit 2 "no command is a usage error" $S
expect_exit 2 "an unknown command is a usage error" $S frobnicate
contains "... naming it" "$T/err" "frobnicate"
expect_exit 2 "-f - and --from-env-file - cannot share stdin" $S generate -f - --from-env-file -
# Ctrl-C while the env file is read from a stalled stdin: exit 130, no output file.
mkfifo "$T/stalled"
sleep 30 >"$T/stalled" &
hold=$!
"$BIN/kubectl-crucible-secrets" generate -f "$TOP/tests/fixtures/secrets/app/workloads.yaml" \
	--from-env-file - --out "$T/interrupted.yaml" <"$T/stalled" >/dev/null 2>"$T/err" &
pid=$!
for _ in $(seq 50); do
	[ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" = S ] && break
	sleep 0.1
done
kill -INT "$pid"
wait "$pid"
same "Ctrl-C while reading the env file exits 130" "$?" 130
ls "$T"/interrupted.yaml* >/dev/null 2>&1 && not_ok "an interrupted generate writes no file, not even a temp one" "$(ls "$T")" ||
	ok "an interrupted generate writes no file, not even a temp one"
kill "$hold" 2>/dev/null
wait "$hold" 2>/dev/null

done_testing
