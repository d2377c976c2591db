#!/usr/bin/env bash
# kubectl crucible secrets check against the corpus in
# tests/fixtures/secrets/check: each bad fixture names its one expected
# finding ("# expect: LINE: Kind/name key: reason") and the value that must
# never be printed ("# leak: VALUE"); good fixtures have no finding.
. "$(dirname "$0")/../lib.sh"

S=kubectl-crucible-secrets
C=tests/fixtures/secrets/check
cd "$TOP"

# header FIXTURE FIELD: a header line of the fixture (or of FIXTURE.expect for JSON).
header() {
	local f=$1
	[ -f "$f.expect" ] && f=$f.expect
	sed -n "s/^# $2: //p" "$f" | head -1
}

nbad=0
for f in "$C"/bad/*; do
	case $f in *.expect) continue ;; esac
	nbad=$((nbad + 1))
	name=${f##*/}
	want="$f:$(header "$f" expect)"
	leak=$(header "$f" leak)
	expect_exit 1 "$name: exit 1" $S check "$f"
	if [ "$(cat "$T/out")" = "$want" ]; then ok "$name: the expected finding, only"; else
		not_ok "$name: the expected finding, only" "want: $want" "got:  $(cat "$T/out")"; fi
	if [ -n "$leak" ] && ! grep -qF -- "$leak" "$T/out" "$T/err"; then ok "$name: the value is not printed"; else
		not_ok "$name: the value is not printed" "leak '$leak'"; fi
done
[ "$nbad" -ge 20 ] && ok "the corpus has a bad fixture per finding kind ($nbad)" || not_ok "the corpus has a bad fixture per finding kind" "$nbad"

for f in "$C"/good/*; do
	expect_exit 0 "${f##*/}: clean" $S check "$f"
	[ ! -s "$T/out" ] && ok "${f##*/}: no output" || not_ok "${f##*/}: no output" "$(cat "$T/out")"
done

# Directories are searched recursively; every finding is reported.
expect_exit 1 "a directory: exit 1" $S check "$C"
[ "$(grep -c . "$T/out")" -eq "$nbad" ] && ok "a directory: one finding per bad fixture, none for good ones" ||
	not_ok "a directory: one finding per bad fixture, none for good ones" "$(grep -c . "$T/out") findings"
grep -v "^$C/bad/" "$T/out" >"$T/stray"
[ ! -s "$T/stray" ] && ok "a directory: findings only in bad fixtures" || not_ok "a directory: findings only in bad fixtures" "$(cat "$T/stray")"
contains "the summary goes to stderr" "$T/err" "$nbad plain-text secrets found"
expect_exit 1 "several PATH arguments" $S check "$C/good" "$C/bad/token-aws.yaml"
[ "$(grep -c . "$T/out")" -eq 1 ] && ok "several PATH arguments: the one finding" || not_ok "several PATH arguments: the one finding"

# The project's own manifests are clean, as files and rendered.
expect_exit 0 "k8s/ has no plain-text secrets" $S check k8s
expect_exit 0 "check -k k8s/base (rendered)" $S check -k k8s/base
expect_exit 0 "check with no arguments checks the project's base" $S check
for o in k8s/overlays/*/; do
	[ -f "$o/kustomization.yaml" ] || continue
	o=${o%/}
	expect_exit 0 "check --overlay ${o##*/}" $S check --overlay "${o##*/}"
done

# stdin, and a rendered kustomization with a secret in it.
expect_exit 1 "check -f - reads stdin" sh -c "$S check -f - <$C/bad/secret-stringdata.yaml"
contains "... and names it -" "$T/out" "-:10: Secret/db-credentials stringData.postgres-password:"
expect_exit 1 "check - as a PATH reads stdin" sh -c "$S check - <$C/bad/env-placeholder.yaml"
mkdir -p "$T/kust"
cp "$C/bad/env-url-credentials.yaml" "$T/kust/deploy.yaml"
printf 'resources: [deploy.yaml]\n' >"$T/kust/kustomization.yaml"
expect_exit 1 "check -k renders the kustomization" $S check -k "$T/kust"
contains "... and reports the rendered finding" "$T/out" "Deployment/api-service env.DATABASE_URL: credentials inline in a URL"
lacks "... without the value" "$T/out" "Hunter2Hunter2x"

# Bad input.
printf 'apiVersion: v1\nkind: ConfigMap\ndata: {a: [1, 2}\n' >"$T/broken.yaml"
expect_exit 3 "malformed YAML: exit 3" $S check "$T/broken.yaml"
grep -qE "^[^ ]*broken.yaml:3:[0-9]+: " <(sed 's/^[^:]*: error: //' "$T/err") && ok "malformed YAML: file:line:col" ||
	not_ok "malformed YAML: file:line:col" "$(cat "$T/err")"
expect_exit 3 "a missing file: exit 3" $S check "$T/missing.yaml"
contains "... naming it" "$T/err" "$T/missing.yaml"
# Root reads everything: as root, read as nobody (setpriv) to see a permission error.
cp "$C/good/configmap.yaml" "$T/locked.yaml" && chmod 000 "$T/locked.yaml"
as_user=()
if [ "$(id -u)" -eq 0 ]; then
	chmod 711 "$T"
	as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
expect_exit 3 "an unreadable file: exit 3" "${as_user[@]}" $S check "$T/locked.yaml"
contains "... saying why" "$T/err" "Permission denied"
# A symlinked directory inside the tree is not followed: no loop, no duplicates.
mkdir -p "$T/tree/d"
cp "$C/bad/token-aws.yaml" "$T/tree/d/"
ln -s .. "$T/tree/d/loop"
expect_exit 1 "a tree with a symlink loop: exit 1" $S check "$T/tree"
[ "$(grep -c 'token-aws.yaml:7:' "$T/out")" -eq 1 ] && ok "... each finding once" || not_ok "... each finding once" "$(head -5 "$T/out")"

# An error does not hide findings in the other files.
expect_exit 3 "an error with findings elsewhere: exit 3" $S check "$T/missing.yaml" "$C/bad/token-aws.yaml"
contains "... the findings are still printed" "$T/out" "token-aws.yaml:7:"
expect_exit 2 "PATHs and -f together are a usage error" $S check -f "$C/good" "$C/good"
expect_exit 2 "check --from-env-file is a usage error" $S check --from-env-file x

# Files are read as written, not validated: fields of unexpected types (found
# by the fuzz target; inputs in tests/fuzz/corpus/secrets-check) are scanned,
# never an internal error of the rules.
F=tests/fuzz/corpus/secrets-check
expect_exit 0 "ConfigMap data that is a string: scanned, clean" $S check "$F/configmap-data-string.yaml"
expect_exit 1 "a Secret with scalar data and a non-map metadata: its findings" $S check "$F/secret-odd-types.yaml"
contains "... stringData.password reported" "$T/out" "secret-odd-types.yaml:7: Secret stringData.password: placeholder value"
expect_exit 1 "generators that are scalars or hold numbers: their findings" $S check "$F/kustomization-odd-generators.yaml"
contains "... the literal after the number reported" "$T/out" "literals[PASSWORD]: credential in a ConfigMap"
expect_exit 1 "env entries that are strings or have non-string names: their findings" $S check "$F/env-odd-types.yaml"
contains "... the token in a bare env string reported" "$T/out" "env-odd-types.yaml:9: Pod/p env.?: value looks like a GitHub token"

# The documented pre-commit hook works in a Git repository.
if command -v git >/dev/null; then
	hook=$($S --help | sed -n '/pre-commit hook/,/^$/p' | sed -n '2,$p' | sed 's/^  //')
	repo=$T/repo
	git init -q "$repo" && mkdir -p "$repo/k8s" && printf '%s\n' "$hook" >"$repo/.git/hooks/pre-commit" &&
		chmod +x "$repo/.git/hooks/pre-commit"
	cp "$C/good/configmap.yaml" "$repo/k8s/config.yaml"
	(cd "$repo" && git add k8s && git -c user.name=t -c user.email=t@t commit -q -m ok) >"$T/out" 2>&1 &&
		ok "pre-commit hook: a clean commit goes through" || not_ok "pre-commit hook: a clean commit goes through" "$(cat "$T/out")"
	cp "$C/bad/secret-stringdata.yaml" "$repo/k8s/secret.yaml"
	(cd "$repo" && git add k8s && git -c user.name=t -c user.email=t@t commit -q -m leak) >"$T/out" 2>&1 &&
		not_ok "pre-commit hook: a commit with a secret is stopped" ||
		ok "pre-commit hook: a commit with a secret is stopped"
	contains "... naming the file and line" "$T/out" "k8s/secret.yaml:10:"
fi
done_testing
