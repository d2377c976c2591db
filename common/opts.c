/* The global and manifest-source flags, shared by every binary through popt. */
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crucible/buf.h"
#include "crucible/exit.h"
#include "crucible/log.h"
#include "crucible/opts.h"
#include "crucible/run.h"

#ifndef CRUCIBLE_VERSION
#define CRUCIBLE_VERSION "0.0.0-dev"
#endif

struct cr_global_opts cr_opts;
struct cr_source_opts cr_source;

enum { OPT_HELP = 1, OPT_VERSION, OPT_VERBOSE, OPT_SUMMARY };

struct poptOption cr_global_table[] = {
	{ "namespace", 'n', POPT_ARG_STRING, &cr_opts.namespace, 0,
	  "namespace of the platform (default \"crucible\")", "NS" },
	{ "context", '\0', POPT_ARG_STRING, &cr_opts.context, 0,
	  "kubeconfig context to use", "NAME" },
	{ "kubeconfig", '\0', POPT_ARG_STRING, &cr_opts.kubeconfig, 0,
	  "path to the kubeconfig file", "FILE" },
	{ "request-timeout", '\0', POPT_ARG_STRING, &cr_opts.request_timeout, 0,
	  "passed to kubectl: how long to wait for one server request", "DURATION" },
	{ "kubectl", '\0', POPT_ARG_STRING, &cr_opts.kubectl, 0,
	  "kubectl binary to run (default $KUBECTL, then kubectl on PATH)", "PATH" },
	{ "verbose", 'v', POPT_ARG_NONE, NULL, OPT_VERBOSE,
	  "print each kubectl command line on stderr", NULL },
	{ "quiet", 'q', POPT_ARG_NONE, &cr_opts.quiet, 0, "print errors only", NULL },
	{ "no-color", '\0', POPT_ARG_NONE, &cr_opts.no_color, 0,
	  "never colour output (also NO_COLOR=1)", NULL },
	{ "help", 'h', POPT_ARG_NONE, NULL, OPT_HELP, "show this help and exit", NULL },
	{ "version", '\0', POPT_ARG_NONE, NULL, OPT_VERSION, "show the version and exit", NULL },
	{ "summary", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, NULL, OPT_SUMMARY, NULL, NULL },
	POPT_TABLEEND
};

struct poptOption cr_source_table[] = {
	{ "filename", 'f', POPT_ARG_STRING, &cr_source.file, 0,
	  "manifests from a file or directory (- for stdin)", "FILE" },
	{ "kustomize", 'k', POPT_ARG_STRING, &cr_source.kustomize, 0,
	  "manifests rendered from a kustomize directory", "DIR" },
	{ "overlay", '\0', POPT_ARG_STRING, &cr_source.overlay, 0,
	  "one of the project's overlays (e.g. production, dev)", "NAME" },
	POPT_TABLEEND
};

static poptContext ctx;
/* Only the table is kept: the caller's cr_tool may live on its stack. */
static const struct poptOption *current_table;
static const char *fake_argv0;
static char *progname_buf;
static const char **popt_argv; /* popt keeps this pointer: freed after the context */

/* "kubectl crucible deploy" when run through kubectl or the dispatcher. */
static const char *display_name(const char *argv0, const char *step)
{
	const char *via = getenv("_"); /* the shell's record of the command it ran */
	bool plugin = getenv("KUBECTL_CRUCIBLE_DISPATCHED") ||
		      (via && !strcmp(basename((char *)via), "kubectl"));
	struct cr_buf b = CR_BUF_INIT;
	if (plugin)
		cr_buf_addf(&b, "kubectl crucible%s%s", *step ? " " : "", step);
	else
		cr_buf_adds(&b, argv0 && strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 : argv0 ? argv0 : step);
	return b.data;
}

void cr_usage(const struct cr_tool *tool, FILE *stream)
{
	fprintf(stream, "%s\n\n", tool->summary);
	poptPrintHelp(ctx, stream, 0);
	if (tool->more_help)
		fprintf(stream, "\n%s", tool->more_help);
}

void cr_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: %serror:%s ", cr_progname, cr_color(stderr, CR_RED), cr_color(stderr, CR_RESET));
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (see '%s --help')\n", cr_progname);
	va_end(ap);
	exit(CR_EXIT_USAGE);
}

/* popt takes the next word as a value even when it is a flag: catch "-n --verbose". */
static void check_value(const struct poptOption *t, const char *v)
{
	if (v && v[0] == '-' && v[1] != '\0')
		cr_usage_error("option --%s needs a value, got '%s'", t->longName, v);
	if (v && !*v)
		cr_usage_error("option --%s needs a non-empty value", t->longName);
}

static void check_values(const struct poptOption *t)
{
	for (; t->longName || t->shortName || t->arg; t++) {
		if ((t->argInfo & POPT_ARG_MASK) == POPT_ARG_INCLUDE_TABLE) {
			check_values(t->arg);
		} else if ((t->argInfo & POPT_ARG_MASK) == POPT_ARG_STRING && t->arg) {
			check_value(t, *(char **)t->arg);
		} else if ((t->argInfo & POPT_ARG_MASK) == POPT_ARG_ARGV && t->arg) {
			for (char **v = *(char ***)t->arg; v && *v; v++)
				check_value(t, *v);
		}
	}
}

static void free_strings(const struct poptOption *t)
{
	for (; t->longName || t->shortName || t->arg; t++) {
		if ((t->argInfo & POPT_ARG_MASK) == POPT_ARG_INCLUDE_TABLE) {
			free_strings(t->arg);
		} else if ((t->argInfo & POPT_ARG_MASK) == POPT_ARG_STRING && t->arg) {
			free(*(char **)t->arg);
			*(char **)t->arg = NULL;
		} else if ((t->argInfo & POPT_ARG_MASK) == POPT_ARG_ARGV && t->arg) {
			char **v = *(char ***)t->arg;
			for (size_t i = 0; v && v[i]; i++)
				free(v[i]);
			free(v);
			*(char ***)t->arg = NULL;
		}
	}
}

void cr_opts_free(void)
{
	if (current_table)
		free_strings(current_table);
	if (ctx)
		ctx = poptFreeContext(ctx);
	free(popt_argv);
	popt_argv = NULL;
	free(progname_buf);
	progname_buf = NULL;
	cr_progname = "kubectl-crucible";
	free((char *)fake_argv0);
	fake_argv0 = NULL;
	current_table = NULL;
}

const char **cr_opts_parse(const struct cr_tool *tool, int argc, const char **argv, int *nargs)
{
	current_table = tool->table;
	fake_argv0 = display_name(argc > 0 ? argv[0] : NULL, tool->step);
	cr_progname = progname_buf = cr_xstrdup(fake_argv0);

	const char **av = cr_xmalloc(sizeof(*av) * (size_t)(argc + 1));
	av[0] = fake_argv0;
	for (int i = 1; i < argc; i++)
		av[i] = argv[i];
	av[argc > 0 ? argc : 1] = NULL;

	/* Usage errors come before the loop sees --no-color: look for it first. */
	bool no_color = false;
	for (int i = 1; i < argc; i++)
		no_color |= !strcmp(argv[i], "--no-color");
	cr_color_init(no_color);

	ctx = poptGetContext(fake_argv0, argc > 0 ? argc : 1, av, tool->table, 0);
	popt_argv = av; /* popt does not copy the vector: it must outlive ctx */
	poptSetOtherOptionHelp(ctx, tool->args_help);
	atexit(cr_opts_free);

	int rc;
	while ((rc = poptGetNextOpt(ctx)) > 0) {
		switch (rc) {
		case OPT_HELP:
			cr_usage(tool, stdout);
			exit(CR_EXIT_OK);
		case OPT_VERSION:
			printf("%s %s\n", fake_argv0, CRUCIBLE_VERSION);
			exit(CR_EXIT_OK);
		case OPT_SUMMARY:
			printf("%s\n", tool->summary);
			exit(CR_EXIT_OK);
		case OPT_VERBOSE:
			cr_opts.verbose++;
			break;
		}
	}
	if (rc < -1)
		cr_usage_error("%s: %s", poptBadOption(ctx, POPT_BADOPTION_NOALIAS), poptStrerror(rc));
	check_values(tool->table);

	cr_opts.namespace_given = cr_opts.namespace != NULL;
	if (!cr_opts.namespace)
		cr_opts.namespace = cr_xstrdup("crucible");
	cr_verbose = cr_opts.verbose;
	cr_quiet = cr_opts.quiet > 0;
	cr_color_init(cr_opts.no_color > 0);
	cr_signals_init();

	const char **rest = poptGetArgs(ctx);
	int n = 0;
	while (rest && rest[n])
		n++;
	*nargs = n;
	static const char *none[] = { NULL };
	return rest ? rest : none;
}
