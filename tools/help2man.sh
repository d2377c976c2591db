#!/bin/sh
# Writes a man page for a kubectl-crucible binary from its own --help, so the
# page cannot drift from the flags: help2man.sh BINARY VERSION > NAME.1
set -eu
bin=$1 version=$2
name=${bin##*/}
help=$("$bin" --help)
summary=$(printf '%s\n' "$help" | head -n 1)
# The dispatcher's help opens with its usage, the summary after it.
case $summary in Usage:*) summary=$(printf '%s\n' "$help" | sed -n 3p) ;; esac
# troff: backslashes as \e, a leading . or ' escaped with \&.
esc() { sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"; }
upper=$(printf '%s' "$name" | tr 'a-z' 'A-Z')
cat <<MAN
.TH $upper 1 "" "kubectl-crucible $version" "User Commands"
.SH NAME
$name \\- $(printf '%s\n' "$summary" | esc)
.SH SYNOPSIS
.nf
$(printf '%s\n' "$help" | sed -n 's/^Usage: //p' | esc)
.fi
.SH DESCRIPTION
The text of
.B $name \\-\\-help
(kubectl runs it as
.BR "kubectl ${name#kubectl-}" ,
with the first dash a space).
.PP
.nf
$(printf '%s\n' "$help" | sed 1,3d | esc)
.fi
.SH ENVIRONMENT
.TP
.B KUBECTL
the kubectl binary to run (else kubectl on PATH; \\-\\-kubectl overrides)
.TP
.B NO_COLOR
when set, never colour output
.TP
.B CRUCIBLE_MANIFESTS
the manifests' directory (with base/ and overlays/) used by default
.TP
.B ECR_REGISTRY
.TQ
.B PROJECT_NAME
the image registry and project name the production overlay's images use
.SH EXIT STATUS
0 ok; 1 the step failed or found problems; 2 usage; 3 bad input
(file:line:column); 4 kubectl or API error; 5 timeout; 130 interrupted.
.SH SEE ALSO
.BR kubectl (1),
.BR kubectl-crucible (1)
MAN
