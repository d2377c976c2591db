#!/bin/sh
# Writes the man page of a kubectl-crucible binary from its own --help, so the
# page cannot drift from the flags:
#   help2man.sh BINARY VERSION [PAGE...] > NAME.1     (PAGE...: SEE ALSO names)
# The help's shape (what every binary prints through common/opts.c):
#   summary line / blank / "Usage: NAME ARGS" / popt's option lines, in
#   groups headed "Manifest source:", "Global options:" / paragraphs.
# A paragraph "Exit status: 0 x, 1 y; ..." becomes EXIT STATUS, one entry
# per code; "Examples:" (or "Example:") and its indented lines EXAMPLES; a
# "Header:" line over an indented "term  text" list a subsection of
# DESCRIPTION with one entry per term; other indented blocks stay as they are.
set -eu
bin=$1 version=$2
shift 2
name=${bin##*/}
# PATH emptied: the dispatcher lists the steps beside it, not an install's.
help=$(PATH= "$bin" --help)
printf '%s\n' "$help" | awk -v name="$name" -v version="$version" -v seealso="$*" '
# troff: backslash as \e, minus as \-, a leading . or apostrophe escaped.
function esc(s) {
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	if (s ~ /^[.'"'"']/)
		s = "\\&" s
	return s
}
function trim(s) { sub(/^ +/, "", s); sub(/ +$/, "", s); return s }
function is_option(l) { return l ~ /^ +(-[A-Za-z?], )?--?[A-Za-z?]/ }
# "  term   text": a term, two or more spaces, the text.
function is_term(l) { return l ~ /^  [^ ]/ && l ~ /^  [^ ]+( [^ ]+)*   *[^ ]/ }
function term_col(l,   m) { match(l, /^  [^ ]+( [^ ]+)*  +/); return RLENGTH }
# An indented block where every line is a "term  text" line or continues
# the text at its column: a list of entries.
function is_list(first, last,   i, col) {
	for (i = first; i <= last; i++) {
		if (is_term(L[i])) { col = term_col(L[i]); continue }
		if (!col || substr(L[i], 1, col) !~ /^ *$/ || substr(L[i], col + 1, 1) == " ")
			return 0
	}
	return col > 0
}
function list(first, last,   i, col, text) {
	for (i = first; i <= last; i++) {
		if (is_term(L[i])) {
			col = term_col(L[i])
			print ".TP"
			print "\\fB" esc(trim(substr(L[i], 1, col))) "\\fR"
			print esc(trim(substr(L[i], col + 1)))
		} else {
			print esc(trim(L[i]))
		}
	}
}
function verbatim(first, last,   i) {
	print ".PP"
	print ".RS 4"
	print ".nf"
	for (i = first; i <= last; i++)
		print esc(substr(L[i], 3))
	print ".fi"
	print ".RE"
}
# Option lines: "  -o, --output=text|json   text ..." and continuations.
function options(first, last,   i, col, flag, arg) {
	for (i = first; i <= last; i++) {
		if (!is_option(L[i])) {
			print esc(trim(L[i]))
			continue
		}
		match(L[i], /^ +[^ ]+( [^ ]+)?  +/)
		col = RLENGTH
		flag = trim(substr(L[i], 1, col))
		arg = ""
		if (match(flag, /=/)) {
			arg = substr(flag, RSTART + 1)
			flag = substr(flag, 1, RSTART - 1)
		}
		print ".TP"
		if (match(flag, /, /)) flag = esc(substr(flag, 1, RSTART - 1)) "\\fR, \\fB" esc(substr(flag, RSTART + 2))
		else flag = esc(flag)
		print "\\fB" flag "\\fR" (arg != "" ? "=\\fI" esc(arg) "\\fR" : "")
		print esc(trim(substr(L[i], col + 1)))
	}
}
# "0 ok; 1 failed, 2 usage": split at a comma or semicolon outside
# parentheses that is followed by a number and a word.
function exit_status(text,   n, i, c, depth, start, part, parts, code) {
	n = 0; depth = 0; start = 1
	for (i = 1; i <= length(text); i++) {
		c = substr(text, i, 1)
		if (c == "(") depth++
		else if (c == ")") depth--
		else if ((c == ";" || c == ",") && depth == 0 && substr(text, i + 1) ~ /^ +[0-9]+ [^ ,]/) {
			parts[++n] = substr(text, start, i - start); start = i + 1
		}
	}
	parts[++n] = substr(text, start)
	for (i = 1; i <= n; i++) {
		part = trim(parts[i]); sub(/\.$/, "", part)
		if (!match(part, /^[0-9]+( to [0-9]+)? /)) { print ".PP"; print esc(part); continue }
		code = trim(substr(part, 1, RLENGTH))
		print ".TP"
		print "\\fB" code "\\fR"
		print esc(substr(part, RLENGTH + 1))
	}
}
{ L[++N] = $0 }
END {
	# Summary and synopsis.
	i = 1
	summary = L[1]
	for (u = 1; u <= N && L[u] !~ /^Usage: /; u++) ;
	if (summary ~ /^Usage: /) summary = L[3]
	sub(/\.$/, "", summary)
	args = L[u]; sub(/^Usage: /, "", args)
	if (args ~ /^kubectl crucible/) sub(/^kubectl crucible( [a-z-]+)?/, "", args)
	else sub(/^[^ ]+/, "", args)
	args = trim(args)
	plugin = name; sub(/^kubectl-/, "kubectl ", plugin); sub(/^kubectl crucible-/, "kubectl crucible ", plugin)
	upper = toupper(name)
	print ".TH " upper " 1 \"\" \"kubectl\\-crucible " version "\" \"User Commands\""
	print ".nh"
	print ".ad l"
	print ".SH NAME"
	print esc(name) " \\- " esc(summary)
	print ".SH SYNOPSIS"
	# "a|b|c": a break point after each bar, or a long command list cannot be broken.
	sargs = esc(args)
	gsub(/\|/, "|\\:", sargs)
	print ".B " esc(plugin)
	print sargs
	print ".br"
	print ".B " esc(name)
	print sargs

	# Options: the lines after Usage, in groups until a paragraph that is not one.
	opts = ""
	for (i = u + 1; i <= N; ) {
		first = i
		if (L[i] ~ /^[A-Z][^ ].*:$/ && is_option(L[i + 1])) { head = L[i]; first = i + 1 } else head = ""
		if (!is_option(L[first])) break
		for (last = first; last < N && L[last + 1] != ""; last++) ;
		opts = opts first " " last " " head "\n"
		i = last + 2
	}
	rest = i
	# Paragraphs of the more help text.
	np = 0
	for (i = rest; i <= N; i++) {
		if (L[i] == "") continue
		P1[++np] = i
		while (i < N && L[i + 1] != "") i++
		P2[np] = i
	}
	print ".SH DESCRIPTION"
	print "Run as"
	print ".B " esc(plugin)
	print "by kubectl (a plugin), or as"
	print ".BR " esc(name) " ."
	print ".PP"
	print esc(summary) "."
	# Paragraphs without a heading first, then each headed one as a subsection.
	for (pass = 1; pass <= 2; pass++) for (p = 1; p <= np; p++) {
		f = P1[p]; l = P2[p]
		if (L[f] ~ /^Exit status:/ || L[f] ~ /^Examples?:$/) continue
		if (L[f] ~ /^[^ ].*:$/ && f < l && L[f + 1] ~ /^  /) {
			if (pass == 1) continue
			h = L[f]; sub(/:$/, "", h)
			print ".SS \"" esc(h) "\""
			if (is_list(f + 1, l)) list(f + 1, l); else verbatim(f + 1, l)
			continue
		}
		headed = match(L[f], /^[A-Z][A-Za-z ]*: /)
		if (headed != (pass == 2)) continue
		if (headed) print ".SS \"" esc(substr(L[f], 1, RLENGTH - 2)) "\""
		if (L[f] ~ /^  /) { verbatim(f, l); continue }
		print ".PP"
		for (i = f; i <= l; i++)
			print esc(i == f && headed ? substr(L[i], RLENGTH + 1) : L[i])
	}

	print ".SH OPTIONS"
	ng = split(opts, G, "\n")
	for (g = 1; g < ng; g++) {
		split(G[g], F, " ")
		head = G[g]; sub(/^[0-9]+ [0-9]+ ?/, "", head); sub(/:$/, "", head)
		if (head != "") print ".SS \"" esc(head) "\""
		options(F[1] + 0, F[2] + 0)
	}

	print ".SH EXIT STATUS"
	found = 0
	for (p = 1; p <= np; p++) {
		if (L[P1[p]] !~ /^Exit status:/) continue
		text = ""
		for (i = P1[p]; i <= P2[p]; i++) text = text " " trim(L[i])
		sub(/^ *Exit status: */, "", text)
		exit_status(text)
		found = 1
	}
	if (!found)
		exit_status("0 ok; 1 the step failed or found problems; 2 usage; 3 bad input (file:line:column); 4 kubectl or API error; 5 timeout; 130 interrupted")

	print ".SH ENVIRONMENT"
	print ".TP"
	print ".B KUBECTL"
	print "the kubectl binary to run (else kubectl on PATH; \\-\\-kubectl overrides)"
	print ".TP"
	print ".B KUBECONFIG"
	print "read by kubectl: the kubeconfig files (\\-\\-kubeconfig overrides)"
	print ".TP"
	print ".B NO_COLOR"
	print "when set, output is never coloured (as \\-\\-no\\-color)"
	print ".TP"
	print ".B CRUCIBLE_MANIFESTS"
	print "the default manifests: a directory with base/ and overlays/ (else ./k8s when it has base/, else the copy installed with the binaries)"
	print ".TP"
	print ".B ECR_REGISTRY"
	print "the registry kubectl crucible overlay set\\-registry points an overlay'"'"'s images at when none is given"
	print ".TP"
	print ".B PROJECT_NAME"
	print "the project path in those image references (default crucible\\-platform; \\-\\-project overrides)"

	print ".SH EXAMPLES"
	found = 0
	for (p = 1; p <= np; p++) {
		if (L[P1[p]] !~ /^Examples?:$/) continue
		print ".PP"
		print ".RS 4"
		print ".nf"
		for (i = P1[p] + 1; i <= P2[p]; i++) print esc(substr(L[i], 3))
		print ".fi"
		print ".RE"
		found = 1
	}
	if (!found) { print ".PP"; print ".B " esc(plugin) " \\-\\-help" }

	print ".SH SEE ALSO"
	n = split("kubectl " seealso, S, " ")
	m = 0
	for (i = 1; i <= n; i++) if (S[i] != name) R[++m] = S[i]
	for (i = 1; i <= m; i++) print ".BR " esc(R[i]) " (1)" (i < m ? "," : "")
}'
