/*
 * `kubectl crucible completion bash|zsh|fish`: a script that completes the
 * binaries run directly (kubectl-crucible, kubectl-crucible-STEP) and
 * `kubectl crucible ...`, by asking the plugin's own completer (the
 * kubectl_complete-crucible beside this binary) for the candidates, so
 * every shell offers the same steps, subcommands, flags and names.
 */
#include <stdio.h>
#include <string.h>

#include "crucible/buf.h"
#include "crucible/exit.h"
#include "crucible/log.h"
#include "crucible/steps.h"
#include "dispatch.h"

/* 'path' for any shell (single quotes, ' written as '\''). */
static void quoted(struct cr_buf *b, const char *s)
{
	cr_buf_adds(b, "'");
	for (; *s; s++)
		cr_buf_adds(b, *s == '\'' ? "'\\''" : (char[]){ *s, 0 });
	cr_buf_adds(b, "'");
}

static const char bash_script[] =
	"# bash completion for kubectl-crucible: source <(kubectl crucible completion bash)\n"
	"_kubectl_crucible() {\n"
	"\tlocal IFS=$'\\n' name=${COMP_WORDS[0]##*/} cur=${COMP_WORDS[COMP_CWORD]}\n"
	"\tlocal -a w=(\"${COMP_WORDS[@]:1:COMP_CWORD}\")\n"
	"\tcase $name in\n"
	"\tkubectl-crucible-*) w=(\"${name#kubectl-crucible-}\" \"${w[@]}\") ;;\n"
	"\tkubectl) [ \"${w[0]}\" = crucible ] || return 0; w=(\"${w[@]:1}\") ;;\n"
	"\tesac\n"
	"\tlocal out; out=$(%s \"${w[@]}\" 2>/dev/null)\n"
	"\tCOMPREPLY=($(compgen -W \"$(printf '%%s\\n' \"$out\" | grep -v '^:')\" -- \"$cur\"))\n"
	"\t[[ $out == *$'\\n':0 || $out == :0 ]] && COMPREPLY+=($(compgen -f -- \"$cur\"))\n"
	"\treturn 0\n"
	"}\n"
	"complete -F _kubectl_crucible kubectl-crucible%s\n"
	"# kubectl's own completion (kubectl completion bash) asks kubectl_complete-crucible\n"
	"# on PATH; without it, complete `kubectl crucible ...` here.\n"
	"complete -p kubectl >/dev/null 2>&1 || complete -F _kubectl_crucible kubectl\n";

static const char zsh_script[] =
	"#compdef kubectl-crucible\n"
	"# zsh completion for kubectl-crucible: source <(kubectl crucible completion zsh)\n"
	"# (after compinit)\n"
	"_kubectl_crucible() {\n"
	"\tlocal -a w c\n"
	"\tlocal name=${words[1]:t}\n"
	"\tw=(\"${(@)words[2,CURRENT]}\")\n"
	"\tcase $name in\n"
	"\tkubectl-crucible-*) w=(\"${name#kubectl-crucible-}\" \"${(@)w}\") ;;\n"
	"\tkubectl) [[ ${w[1]} == crucible ]] || { (( $+functions[_kubectl] )) && _kubectl; return; }; w=(\"${(@)w[2,-1]}\") ;;\n"
	"\tesac\n"
	"\tc=(\"${(@f)$(%s \"${(@)w}\" 2>/dev/null)}\")\n"
	"\tif (( ${c[(I):0]} )); then _files; fi\n"
	"\tc=(\"${(@)c:#:*}\")\n"
	"\tcompadd -a c\n"
	"}\n"
	"compdef _kubectl_crucible kubectl-crucible%s\n"
	"(( $+functions[_kubectl] )) || compdef _kubectl_crucible kubectl\n";

static const char fish_script[] =
	"# fish completion for kubectl-crucible: kubectl crucible completion fish | source\n"
	"function __kubectl_crucible_complete\n"
	"\tset -l w (commandline -opc) (commandline -ct)\n"
	"\tset -l name (string replace -r '.*/' '' -- $w[1])\n"
	"\tset -e w[1]\n"
	"\tswitch $name\n"
	"\tcase 'kubectl-crucible-*'\n"
	"\t\tset w (string replace kubectl-crucible- '' -- $name) $w\n"
	"\tcase kubectl\n"
	"\t\tset -e w[1]\n"
	"\tend\n"
	"\t%s $w 2>/dev/null | string match -v -r '^:'\n"
	"end\n"
	"complete -c kubectl-crucible -f -a '(__kubectl_crucible_complete)'\n"
	"%s"
	"complete -c kubectl -n '__fish_seen_subcommand_from crucible' -f -a '(__kubectl_crucible_complete)'\n";

int cmd_completion(const struct cr_strv *dirs, int argc, char **argv)
{
	const char *shell = argc > 2 ? argv[2] : "";
	if (strcmp(shell, "bash") && strcmp(shell, "zsh") && strcmp(shell, "fish")) {
		fprintf(stderr, "kubectl crucible: error: completion needs a shell: bash, zsh or fish\n");
		return CR_EXIT_USAGE;
	}
	struct cr_strv steps = CR_STRV_INIT;
	installed_steps(dirs, &steps);
	struct cr_buf completer = CR_BUF_INIT, names = CR_BUF_INIT;
	char *self = cr_self_path("kubectl_complete-crucible");
	quoted(&completer, self);
	for (size_t i = 0; i < steps.n; i++) {
		if (!strcmp(shell, "fish"))
			cr_buf_addf(&names, "complete -c kubectl-crucible-%s -f -a '(__kubectl_crucible_complete)'\n",
				    steps.v[i]);
		else
			cr_buf_addf(&names, " kubectl-crucible-%s", steps.v[i]);
	}
	const char *fmt = !strcmp(shell, "bash") ? bash_script : !strcmp(shell, "zsh") ? zsh_script : fish_script;
	printf(fmt, cr_buf_str(&completer), cr_buf_str(&names));
	free(self);
	cr_buf_free(&completer);
	cr_buf_free(&names);
	cr_strv_free(&steps);
	return CR_EXIT_OK;
}
