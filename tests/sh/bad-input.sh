#!/usr/bin/env bash
# The bad-input corpus (tests/bad-input/cases): every case through every tool
# that reads that kind of input. Each must end with the documented exit code
# and one error line matching the case's pattern (naming file:line:column or
# the object), no crash, no file left by --out, and no secret in the output.
. "$(dirname "$0")/../lib.sh"
DIR=$TOP/tests/bad-input
SECRET=s3cr3t-VALUE-9f1
export CRUCIBLE_MANIFESTS=$TOP/k8s
chmod 711 "$T"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\n' >"$T/good.yaml"

# The tools for each kind of input ("@" is the case's file).
tools_for() {
	case $1 in
	M) printf '%s\n' "deploy -f @ --kubectl /bin/false" "deploy --dry-run=client -f @ --kubectl /bin/false" \
		"secrets check -f @" "secrets check @" "secrets generate -f @ --out $T/gen.yaml" \
		"secrets apply -f @ --kubectl /bin/false" ;;
	O) tools_for M | grep -vx 'secrets check @' ;;
	P) printf '%s\n' "deploy -f @ --kubectl /bin/false" "deploy --dry-run=client -f @ --kubectl /bin/false" ;;
	C) echo "secrets check @" ;;
	E) echo "secrets generate --from-env-file @ --out $T/gen.yaml" ;;
	K) echo "secrets list --kubectl @" ;;
	H) printf '%s\n' "deploy -f $T/good.yaml --timeout 2s --kubectl @" "migrate-db run --timeout 2s --kubectl @" ;;
	# W: the tools without a deadline, bounded per kubectl call (twice --request-timeout plus 3 s).
	W) tools_for G | grep -v -e '^deploy' -e '^migrate-db run' | sed 's/--kubeconfig @/--request-timeout 1s --kubectl @/' ;;
	X) tools_for G | sed 's/--kubeconfig @/--kubectl @/' ;;
	G) printf '%s\n' "secrets list --kubeconfig @" "secrets apply --kubeconfig @" "deploy --kubeconfig @" \
		"verify --kubeconfig @" "migrate-db status --kubeconfig @" "migrate-db history --kubeconfig @" \
		"migrate-db run --kubeconfig @" "overlay diff production --kubeconfig @" ;;
	esac
}

# through_fake FAKE: a kubectl that runs the real one for kustomize and
# answers version itself, so every other call (the cluster's) reaches FAKE.
through_fake() {
	local real
	real=$(command -v kubectl)
	cat >"$T/through-fake" <<EOF
#!/bin/sh
for a; do
	case \$a in
	kustomize) exec "$real" "\$@" ;;
	version) echo '{"clientVersion":{"major":"1","minor":"32"},"serverVersion":{"major":"1","minor":"32","gitVersion":"v1.32.0"}}'; exit 0 ;;
	esac
done
exec "$1" "\$@"
EOF
	chmod +x "$T/through-fake"
	echo "$T/through-fake"
}

# Inputs made here rather than kept in the tree.
generate() {
	case $1 in
	empty-stdin) echo - ;;
	dir-loop) # a directory that contains itself, and a bad file beside the loop
		mkdir -p "$T/$1" && ln -sfn . "$T/$1/loop" && cp "$DIR/manifest/tab-indent.yaml" "$T/$1/bad.yaml" &&
			echo "$T/$1" ;;
	fifo-in-dir) # a FIFO nobody writes, inside a directory: never opened
		mkdir -p "$T/$1" && rm -f "$T/$1/a.yaml" && mkfifo "$T/$1/a.yaml" && echo "$T/$1" ;;
	fifo.yaml) # a FIFO named on the command line is read (as with -f <(...)): one writer per read
		rm -f "$T/$1" && mkfifo "$T/$1"
		(while :; do cat "$DIR/manifest/tab-indent.yaml" >"$T/$1" 2>/dev/null || break; done) >/dev/null 2>&1 &
		echo $! >"$T/fifo-writer"
		echo "$T/$1" ;;
	missing-kubectl) echo "$T/no-such-kubectl" ;;
	missing.yaml | missing.env) echo "$T/$1" ;;
	a-directory.env) mkdir -p "$T/$1" && echo "$T/$1" ;;
	unreadable.yaml) cp "$T/good.yaml" "$T/$1" && chmod 000 "$T/$1" && echo "$T/$1" ;;
	huge.yaml) # 200 MB in one document: a budget error, not memory exhaustion
		python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    f.write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: huge}\ndata:\n")
    line = "  k%08d: " + "x" * 180 + "\n"
    for i in range(200 * 1024 * 1024 // 192):
        f.write(line % i)
' "$T/$1" && echo "$T/$1" ;;
	esac
}

# rss_kb CMD...: runs CMD, leaving its peak RSS (KiB) in $T/rss; output as expect_exit.
rss_run() {
	python3 -c '
import resource, subprocess, sys
with open(sys.argv[1] + "/out", "w") as o, open(sys.argv[1] + "/err", "w") as e:
    rc = subprocess.call(sys.argv[2:], stdout=o, stderr=e, stdin=subprocess.DEVNULL)
open(sys.argv[1] + "/rss", "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(rc if rc >= 0 else 128 - rc)' "$T" "$@"
}

ncases=0
while IFS=$'\t' read -r file kind want pattern; do
	case $file in '#'* | '') continue ;; esac
	ncases=$((ncases + 1))
	if [[ $file == GEN:* ]]; then path=$(generate "${file#GEN:}"); else path=$DIR/$file; fi
	case $kind in X | H | W) path=$(through_fake "$path") ;; esac
	pre=()
	if [ "${file#GEN:}" = unreadable.yaml ]; then
		# As root every file is readable: read it as nobody.
		if ! setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
			skip "$file: setpriv cannot drop to nobody"
			continue
		fi
		pre=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	fi
	re=${pattern//@/$path}
	while read -r tool; do
		cmdline=${tool//@/$path}
		read -r -a words <<<"$cmdline"
		step=${words[0]}
		name="$file: $cmdline"
		name=${name//$T/\$T}
		name=${name//$DIR\//}
		rm -f "$T/gen.yaml"
		if [ "${file#GEN:}" = huge.yaml ]; then
			rss_run "kubectl-crucible-$step" "${words[@]:1}"
		else
			stdin=/dev/null
			[ "${file#GEN:}" = empty-stdin ] && stdin=$DIR/manifest/empty.yaml
			timeout -k 5 60 "${pre[@]}" "$BIN/kubectl-crucible-$step" "${words[@]:1}" >"$T/out" 2>"$T/err" <"$stdin"
		fi
		got=$?
		errs=$(sed -n 's/^kubectl-crucible-[a-z-]*: error: //p' "$T/err")
		nerr=$(printf '%s' "$errs" | grep -c .)
		line=$errs
		[ "$want" = 0 ] && line=$(cat "$T/err")
		problems=()
		[ "$got" -eq "$want" ] || problems+=("exit $got, want $want")
		if [ "$want" != 0 ] && [ "$nerr" -ne 1 ]; then problems+=("$nerr error lines, want 1"); fi
		printf '%s\n' "$line" | grep -Eq -- "$re" || problems+=("no line matching /$re/")
		grep -qF -- "$SECRET" "$T/err" "$T/out" && problems+=("a secret value is in the output")
		[ "$want" != 0 ] && ls "$T"/gen.yaml* >/dev/null 2>&1 && problems+=("--out left a file")
		if [ ${#problems[@]} -eq 0 ]; then ok "$name"; else not_ok "$name" "${problems[@]}" "stderr: $(head -c 300 "$T/err")"; fi
		if [ "${file#GEN:}" = huge.yaml ]; then
			rss=$(cat "$T/rss")
			# Read whole, then parsed until the node budget stops it: bounded by the
			# file's size plus the budget, never by what the aliases or nesting could make.
			[ "$rss" -lt 1048576 ] && ok "$name: peak RSS $((rss / 1024)) MiB for a 200 MiB file (under 1 GiB)" ||
				not_ok "$name: peak RSS under 1 GiB" "peak RSS $((rss / 1024)) MiB"
		fi
	done < <(tools_for "$kind")
	if [ -e "$T/fifo-writer" ]; then kill "$(cat "$T/fifo-writer")" 2>/dev/null; rm -f "$T/fifo-writer"; fi
done <"$DIR/cases"
[ "$ncases" -ge 60 ] && ok "corpus has $ncases cases (at least 60)" || not_ok "corpus has at least 60 cases" "$ncases"
done_testing
