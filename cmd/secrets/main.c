/*
 * kubectl crucible secrets: step 1 of the guide ("update secrets.yaml with
 * real values") done without a value ever on a command line, in Git or on
 * a terminal.
 *
 *   generate   Secret manifests for every Secret the manifests reference
 *   apply      create the missing ones in the namespace (--rotate: renew)
 *   check      find plain-text secrets in manifests (a pre-commit hook)
 *   list       the namespace's Secrets, who uses them, what is missing
 */
#include <stdlib.h>
#include <string.h>

#include "crucible/exit.h"
#include "crucible/log.h"
#include "crucible/opts.h"
#include "secrets.h"

struct sec_opts sec_opts;

static struct poptOption options[] = {
	{ "output", 'o', POPT_ARG_STRING, &sec_opts.output, 0,
	  "generate: yaml (default) or json; list: table (default) or json", "FORMAT" },
	{ "from-env-file", '\0', POPT_ARG_STRING, &sec_opts.env_file, 0,
	  "generate, apply: values to use instead of generated ones (KEY=VALUE lines, - for stdin)", "FILE" },
	{ "out", '\0', POPT_ARG_STRING, &sec_opts.out_file, 0,
	  "generate: write to FILE (mode 0600, atomically) instead of stdout", "FILE" },
	{ "show", '\0', POPT_ARG_NONE, &sec_opts.show, 0,
	  "generate: print values even when stdout is a terminal", NULL },
	{ "rotate", '\0', POPT_ARG_NONE, &sec_opts.rotate, 0,
	  "apply: replace existing values too, keeping composed ones consistent", NULL },
	CR_SOURCE_OPTIONS,
	CR_GLOBAL_OPTIONS,
	POPT_TABLEEND
};

static const char examples[] =
	"Commands:\n"
	"  generate   print Secret manifests for every Secret and key the manifests\n"
	"             reference (secretKeyRef, envFrom, secret volumes, image pull\n"
	"             secrets); refuses a terminal unless --show\n"
	"  apply      create the missing Secrets and keys in the namespace (server-side\n"
	"             apply, values on kubectl's stdin); --rotate renews them all.\n"
	"             A namespace that does not exist is created first, as deploy\n"
	"             would apply it (the manifests' Namespace, else a bare one)\n"
	"             The namespace (generate, apply) is the one the manifests name;\n"
	"             -n must agree with it, as for kubectl apply -n (and deploy)\n"
	"  check      report plain-text secrets in manifests: PATH... (files or\n"
	"             directories, searched recursively), -k DIR, -f FILE or -f -\n"
	"  list       the namespace's Secrets: type, key names, age, who uses them,\n"
	"             and references to a missing Secret or key\n"
	"\n"
	"Values (first matching key name wins; --from-env-file overrides):\n";

static const char more[] =
	"  {key} is another key of the Secret, {$VAR:default} a setting from the\n"
	"  manifests' ConfigMaps, {*} a fresh password; values are percent-encoded.\n"
	"  A composed value that is given or already exists teaches its source: an\n"
	"  env file with only DATABASE_URL sets postgres-password to match.\n"
	"\n"
	"Env files: KEY=VALUE lines; KEY is SECRET/KEY, a key name, or the variable a\n"
	"secretKeyRef fills (DATABASE_URL). '#' starts a comment; values may be quoted.\n"
	"\n"
	"Examples:\n"
	"  kubectl crucible secrets generate | kubeseal -o yaml > k8s/sealed-secrets.yaml\n"
	"  kubectl crucible secrets generate --from-env-file .env | kubectl apply -f -\n"
	"  kubectl crucible secrets apply --overlay production\n"
	"  kubectl crucible secrets list\n"
	"\n"
	"As a Git pre-commit hook (.git/hooks/pre-commit, executable):\n"
	"  #!/bin/sh\n"
	"  git diff --cached --name-only --diff-filter=ACM -z -- 'k8s/*.yaml' 'k8s/*.yml' |\n"
	"      xargs -0r kubectl crucible secrets check\n"
	"\n"
	"Exit status: 0 ok; 1 check found secrets, list found missing references, or\n"
	"apply could not make a value; 2 usage; 3 bad input (file:line); 4 kubectl or\n"
	"cluster error; 5 a kubectl call did not end in time (twice --request-timeout\n"
	"plus 3 s, else 5 min); 130 interrupted.\n";

static struct cr_buf help = CR_BUF_INIT;

static void free_help(void)
{
	cr_buf_free(&help);
}

static const struct {
	const char *name;
	int (*run)(int argc, const char **argv);
} commands[] = {
	{ "generate", sec_generate },
	{ "apply", sec_apply },
	{ "check", sec_check },
	{ "list", sec_list },
};

int main(int argc, const char **argv)
{
	cr_buf_adds(&help, examples);
	sec_rules_help(&help);
	cr_buf_adds(&help, more);
	atexit(free_help);
	/* Static: cr_opts_free reads it at exit, after main has returned. */
	static struct cr_tool tool = {
		.step = "secrets",
		.args_help = "generate|apply|check|list [flags]",
		.summary = "Generate, apply, check and list the platform's Secrets without exposing them",
		.table = options,
	};
	tool.more_help = help.data;
	int nargs;
	const char **args = cr_opts_parse(&tool, argc, argv, &nargs);
	if (nargs < 1)
		cr_usage_error("missing command: generate, apply, check or list");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(args[0], commands[i].name))
			return commands[i].run(nargs - 1, args + 1);
	cr_usage_error("unknown command '%s': use generate, apply, check or list", args[0]);
}

void sec_allow(const char *cmd, unsigned allowed)
{
	static const struct {
		unsigned bit;
		const char *name;
		const void *set;
	} given[] = {
		{ SEC_OPT_OUTPUT, "-o", &sec_opts.output },
		{ SEC_OPT_ENV_FILE, "--from-env-file", &sec_opts.env_file },
		{ SEC_OPT_OUT, "--out", &sec_opts.out_file },
		{ SEC_OPT_SOURCE, "-f", &cr_source.file },
		{ SEC_OPT_SOURCE, "-k", &cr_source.kustomize },
		{ SEC_OPT_SOURCE, "--overlay", &cr_source.overlay },
	};
	for (size_t i = 0; i < sizeof(given) / sizeof(given[0]); i++)
		if (!(allowed & given[i].bit) && *(char *const *)given[i].set)
			cr_usage_error("%s does not take %s", cmd, given[i].name);
	if (!(allowed & SEC_OPT_SHOW) && sec_opts.show)
		cr_usage_error("%s does not take --show", cmd);
	if (!(allowed & SEC_OPT_ROTATE) && sec_opts.rotate)
		cr_usage_error("%s does not take --rotate", cmd);
	/* Both on stdin cannot work. */
	if (sec_opts.env_file && cr_source.file && !strcmp(sec_opts.env_file, "-") && !strcmp(cr_source.file, "-"))
		cr_usage_error("-f - and --from-env-file - cannot both read standard input");
}
