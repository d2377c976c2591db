#!/usr/bin/env bash
# kubectl-crucible-deploy's live display: on a terminal (a pseudo-terminal
# from util-linux script) one line per workload, ready/desired and state,
# rewritten in place with ANSI cursor movement; piped, plain lines without
# any escape sequence.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
command -v script >/dev/null || { skip "script (util-linux) is not installed"; done_testing; }

# screen FILE: what a terminal shows after FILE's bytes (CR, LF, ESC[nA,
# ESC[2K, ESC[K; colours dropped), one line per screen row.
screen() {
	python3 - "$1" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
rows, r, c = [[]], 0, 0
for tok in re.findall(r"\x1b\[[0-9;]*[A-Za-z]|\r|\n|[^\x1b\r\n]", data):
    if tok == "\r":
        c = 0
    elif tok == "\n":
        r += 1
        while len(rows) <= r:
            rows.append([])
    elif tok.startswith("\x1b["):
        n = int(tok[2:-1] or "1") if tok[-1] == "A" else 0
        if tok[-1] == "A":
            r = max(0, r - n)
        elif tok[-1] == "K":
            rows[r] = [] if tok[2:-1] == "2" else rows[r][:c]
    else:
        line = rows[r]
        while len(line) < c:
            line.append(" ")
        if c < len(line):
            line[c] = tok
        else:
            line.append(tok)
        c += 1
for line in rows:
    print("".join(line).rstrip())
PY
}

start_sim --scenario "$TOP/tests/scenarios/deploy-base.json"
default_class_shared
check "secrets apply" kubectl-crucible-secrets apply

# --- on a terminal: a live display, rewritten in place -----------------------
script -qec "kubectl-crucible-deploy --timeout 60s" /dev/null >"$T/raw" 2>&1 </dev/null
code=$?
[ "$code" -eq 0 ] && ok "deploy on a terminal succeeds" || not_ok "deploy on a terminal succeeds" "exit $code" "$(tail -c 600 "$T/raw")"
ups=$(grep -o $'\033\[[0-9]*A' "$T/raw" | wc -l)
[ "$ups" -ge 2 ] && ok "the display moves the cursor up to redraw ($ups times)" || not_ok "the display moves the cursor up to redraw" "$ups"
grep -q $'\033\[2K' "$T/raw" && ok "each redrawn line is erased first (ESC[2K)" || not_ok "each redrawn line is erased first (ESC[2K)"
screen "$T/raw" >"$T/screen"
# Every workload of the base: one line each on the final screen, ready.
for w in statefulset.apps/postgres deployment.apps/api-service deployment.apps/frontend daemonset.apps/docker-proxy; do
	n=$(grep -c "^  $w " "$T/screen")
	[ "$n" -eq 1 ] && ok "$w has one line on the screen, updated in place" ||
		not_ok "$w has one line on the screen, updated in place" "$n lines" "$(grep -F "$w" "$T/screen")"
done
grep -Eq '^  deployment\.apps/api-service +2/2 +ready$' "$T/screen" && ok "the line shows ready/desired and the state" ||
	not_ok "the line shows ready/desired and the state" "$(grep -F api-service "$T/screen")"
# The same line went through other states before: it was rewritten, not appended.
grep -o $'\033\[2K  deployment.apps/api-service [^\r]*' "$T/raw" | sed 's/\x1b\[[0-9;]*m//g' | sort -u >"$T/states"
[ "$(wc -l <"$T/states")" -ge 2 ] && ok "api-service's line showed $(wc -l <"$T/states") states in place" ||
	not_ok "api-service's line changed state in place" "$(cat "$T/states")"
grep -q $'\033\[3[1-3]m' "$T/raw" && ok "states are coloured on a terminal" || not_ok "states are coloured on a terminal"
# A redraw only when a line changed (most pod events change none): no frame repeats the one before.
python3 - "$T/raw" >"$T/repeats" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
frames, last = 0, None
for part in re.split(r"\x1b\[[0-9]+A", data)[1:]:
    frame = "".join(l for l in part.split("\n") if l.startswith("\x1b[2K"))
    frames += 1
    if frame == last:
        print("repeated: " + re.sub(r"\x1b\[[0-9;]*[mK]", "", frame)[:200])
    last = frame
print("frames", frames)
PY
grep -q '^repeated' "$T/repeats" && not_ok "no redraw repeats the frame on screen" "$(head -3 "$T/repeats")" ||
	ok "no redraw repeats the frame on screen ($(tail -1 "$T/repeats"))"
grep -Eq '^phase apps: [0-9]+/[0-9]+ ready$' "$T/screen" && ok "the phase result follows its display" ||
	not_ok "the phase result follows its display" "$(grep phase "$T/screen")"
lacks "no plain progress lines on a terminal" "$T/screen" "deployment.apps/api-service: "

# NO_COLOR: still live, without colours.
NO_COLOR=1 script -qec "kubectl-crucible-deploy --timeout 60s" /dev/null >"$T/raw" 2>&1 </dev/null
grep -q $'\033\[[0-9]*m' "$T/raw" && not_ok "NO_COLOR: no colours" || ok "NO_COLOR: no colours"

# stderr a terminal, stdout a file: the live display is drawn on the
# terminal (stderr), the file gets the summary alone, plain.
script -qec "kubectl-crucible-deploy --timeout 60s >$T/summary" /dev/null >"$T/raw" 2>&1 </dev/null
grep -q $'\033\[[0-9]*A' "$T/raw" && ok "the live display draws on stderr when stderr is a terminal" ||
	not_ok "the live display draws on stderr when stderr is a terminal" "$(tail -c 400 "$T/raw" | cat -v)"
grep -q $'\033' "$T/summary" && not_ok "stdout to a file: the summary, no escape sequences" "$(cat -v "$T/summary" | head -5)" ||
	ok "stdout to a file: the summary, no escape sequences"
head -1 "$T/summary" | grep -q '^COMPONENT' && [ "$(grep -c ' ready$' "$T/summary")" -eq 13 ] &&
	ok "... which is the table alone" || not_ok "... which is the table alone" "$(head -5 "$T/summary")"

# --- piped: plain lines, no escapes ---------------------------------------------
sed 's/^  replicas: 2$/  replicas: 3/' <(kubectl kustomize k8s/base) >"$T/scaled.yaml"
kubectl-crucible-deploy -f "$T/scaled.yaml" --timeout 60s 2>&1 </dev/null | cat >"$T/piped"
grep -q $'\033' "$T/piped" && not_ok "piped output has no escape sequences" "$(grep $'\033' "$T/piped" | head -3 | cat -v)" ||
	ok "piped output has no escape sequences"
contains "piped: one plain line per change" "$T/piped" "deployment.apps/api-service: 3/3 ready"
# stdout a terminal, progress (stderr) a file: the progress stays plain, and
# the terminal shows only the summary.
script -qec "kubectl-crucible-deploy -f $T/scaled.yaml --timeout 60s 2>$T/err" /dev/null >"$T/raw" </dev/null
grep -q $'\033' "$T/err" && not_ok "progress to a file is plain even when stdout is a terminal" "$(head -5 "$T/err" | cat -v)" ||
	ok "progress to a file is plain even when stdout is a terminal"
contains "... with plain lines" "$T/err" "phase apps: "
contains "... the watch lines among them" "$T/err" "deployment.apps/api-service: 3/3 ready"
lacks "the terminal (stdout) shows no progress" "$T/raw" "phase apps: "

done_testing
