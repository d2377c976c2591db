/*
 * Command-line options through popt. Every binary includes the global table;
 * tools that read manifests also include the source table.
 */
#ifndef CRUCIBLE_OPTS_H
#define CRUCIBLE_OPTS_H

#include <popt.h>
#include <stdbool.h>

struct cr_global_opts {
	char *namespace;       /* default "crucible" */
	bool namespace_given;  /* -n/--namespace was on the command line */
	char *context;
	char *kubeconfig;
	char *request_timeout;
	char *kubectl;         /* --kubectl PATH */
	int verbose;
	int quiet;
	int no_color;
};
extern struct cr_global_opts cr_opts;
extern struct poptOption cr_global_table[];

/* Where manifests come from (-f FILE|-f -, -k DIR, --overlay NAME, or the default). */
struct cr_source_opts {
	char *file;     /* -f */
	char *kustomize;/* -k */
	char *overlay;  /* --overlay */
};
extern struct cr_source_opts cr_source;
extern struct poptOption cr_source_table[];

#define CR_GLOBAL_OPTIONS \
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, cr_global_table, 0, "Global options:", NULL }
#define CR_SOURCE_OPTIONS \
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, cr_source_table, 0, "Manifest source:", NULL }

struct cr_tool {
	const char *step;        /* "deploy": used in "Usage: kubectl crucible deploy" */
	const char *args_help;   /* "[flags]" or "generate|apply|check|list [flags]" */
	const char *summary;     /* one line for --help and the dispatcher's list */
	const char *more_help;   /* printed after the options, may be NULL */
	struct poptOption *table;/* tool options; must include CR_GLOBAL_OPTIONS and end with POPT_TABLEEND */
};

/*
 * Parses argv: handles -h/--help (stdout, exit 0), --version (exit 0), bad
 * flags (stderr, exit 2), values that look like flags (exit 2); sets
 * cr_progname, verbosity and colour, installs signal forwarding. Returns the
 * remaining positional arguments (NULL-terminated; argc in *nargs). The
 * caller frees nothing: the context lives until exit.
 */
const char **cr_opts_parse(const struct cr_tool *tool, int argc, const char **argv, int *nargs);

/* Prints the tool's help to stream. */
void cr_usage(const struct cr_tool *tool, FILE *stream);

/* Dies with CR_EXIT_USAGE and "msg (see --help)". */
_Noreturn void cr_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Frees popt's storage at exit, so valgrind sees no leak of ours. */
void cr_opts_free(void);

#endif
