/*
 * kubectl-crucible-up: the guide end to end, each step the installed binary,
 * in the guide's order:
 *
 *   secrets apply → overlay validate (with --overlay) → deploy [--migrate] → verify
 *
 * A step that is not installed is left out; a flag is passed on only when the
 * step's own --help lists it, so steps that land later need nothing here.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crucible/buf.h"
#include "crucible/exit.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/opts.h"
#include "crucible/run.h"
#include "crucible/steps.h"
#include "crucible/util.h"

static char *opt_from, *opt_output;
static int opt_dry_run;

static struct poptOption up_table[] = {
	{ "dry-run", '\0', POPT_ARG_NONE, &opt_dry_run, 0,
	  "run each step's dry run (deploy --dry-run=server); steps without one are skipped", NULL },
	{ "from", '\0', POPT_ARG_STRING, &opt_from, 0,
	  "resume at this step (secrets, overlay, deploy, verify)", "STEP" },
	{ "output", 'o', POPT_ARG_STRING, &opt_output, 0,
	  "text (default) or json: one object per step (name, exitCode, durationSeconds, result)",
	  "text|json" },
	CR_SOURCE_OPTIONS,
	CR_GLOBAL_OPTIONS,
	POPT_TABLEEND
};

static const struct cr_tool tool = {
	.step = "up",
	.args_help = "[-k DIR|--overlay NAME] [flags]",
	.summary = "Run the whole guide: secrets apply, overlay validate, deploy (with the migration), verify.",
	.more_help =
		"Each step is the installed binary, run in the guide's order; steps that are not\n"
		"installed are left out, overlay validate runs only with --overlay, deploy gets\n"
		"--migrate when migrate-db is installed. Source and global flags go to every step\n"
		"whose --help has them. The first step that fails stops the rest: up exits with\n"
		"its code and says what to run next. Step output passes through (to stderr with\n"
		"-o json); progress ([2/4] deploy) is on stderr. Ctrl-C ends the running step.\n"
		"\n"
		"Exit status: 0 every step succeeded; 1 to 5 the failed step's own code (1 failed,\n"
		"3 bad input, 4 kubectl or API error, 5 timeout); 2 usage; 130 interrupted.\n"
		"\n"
		"Examples:\n"
		"  kubectl crucible up\n"
		"  kubectl crucible up --overlay production\n"
		"  kubectl crucible up --dry-run\n"
		"  kubectl crucible up --from deploy\n"
		"  kubectl crucible up -o json | jq -r '.steps[] | select(.exitCode != 0) | .name'\n",
	.table = up_table,
};

struct step {
	const char *name;    /* the binary: kubectl-crucible-NAME */
	const char *sub;     /* its subcommand, or NULL */
	bool needs_overlay;  /* run only when --overlay is given; the overlay is its argument */
	bool read_only;      /* runs as is in --dry-run */
	/* Filled in. */
	char *path, *help;
	bool run;
	int exit_code;
	double seconds;
	const char *result;  /* ok, failed, skipped, interrupted, not run */
	const char *why;     /* for skipped */
};

static struct step steps[] = {
	{ .name = "secrets", .sub = "apply" },
	{ .name = "overlay", .sub = "validate", .needs_overlay = true, .read_only = true },
	{ .name = "deploy" },
	{ .name = "verify" },
};
#define NSTEPS (sizeof(steps) / sizeof(steps[0]))

static const char *argv0;

static struct step *step_named(const char *name)
{
	for (size_t i = 0; i < NSTEPS; i++)
		if (!strcmp(steps[i].name, name))
			return &steps[i];
	abort(); /* only names from the table above */
}

/* kubectl-crucible-NAME where the dispatcher would find it, beside the path we were run by first (steps.h). */
static char *find_step(const char *name)
{
	return cr_step_find(argv0, name);
}

/* The step's --help: the one list of the flags it takes. */
static char *step_help(const char *path)
{
	struct cr_child c = CR_CHILD_INIT;
	cr_strv_pushl(&c.args, path, "--help", NULL);
	c.timeout_ms = 10000;
	char *help = cr_xstrdup(cr_run(&c) == CR_RUN_OK ? cr_buf_str(&c.out) : "");
	cr_child_clear(&c);
	return help;
}

/* Whether the help lists --flag (as "--flag" followed by '=', ' ', ',' or end of line). */
static bool has_flag(const char *help, const char *flag)
{
	size_t len = strlen(flag);
	for (const char *p = help; (p = strstr(p, flag)); p += len) {
		char next = p[len];
		if ((p == help || p[-1] == ' ' || p[-1] == '[' || p[-1] == '|') &&
		    (next == '=' || next == ' ' || next == ',' || next == '\n' || next == ']' || next == '\0'))
			return true;
	}
	return false;
}

/* Adds --flag=value when the step takes it. */
static void pass(struct cr_strv *args, const char *help, const char *flag, const char *value)
{
	if (value && has_flag(help, flag))
		cr_strv_pushf(args, "%s=%s", flag, value);
}

static void step_args(const struct step *s, struct cr_strv *args, bool migrate)
{
	cr_strv_push(args, s->path);
	if (s->sub)
		cr_strv_push(args, s->sub);
	const char *h = s->help;
	if (s->needs_overlay) /* overlay validate NAME */
		cr_strv_push(args, cr_source.overlay);
	pass(args, h, "--kustomize", cr_source.kustomize);
	pass(args, h, "--filename", cr_source.file);
	if (!s->needs_overlay)
		pass(args, h, "--overlay", cr_source.overlay);
	pass(args, h, "--namespace", cr_opts.namespace);
	pass(args, h, "--context", cr_opts.context);
	pass(args, h, "--kubeconfig", cr_opts.kubeconfig);
	pass(args, h, "--request-timeout", cr_opts.request_timeout);
	pass(args, h, "--kubectl", cr_opts.kubectl);
	for (int i = 0; i < cr_opts.verbose && has_flag(h, "--verbose"); i++)
		cr_strv_push(args, "--verbose");
	if (cr_opts.quiet > 0 && has_flag(h, "--quiet"))
		cr_strv_push(args, "--quiet");
	if (cr_opts.no_color > 0 && has_flag(h, "--no-color"))
		cr_strv_push(args, "--no-color");
	if (migrate && !strcmp(s->name, "deploy") && has_flag(h, "--migrate"))
		cr_strv_push(args, "--migrate");
	if (opt_dry_run && !s->read_only)
		cr_strv_push(args, strstr(h, "--dry-run=client|server") ? "--dry-run=server" : "--dry-run");
}

static void print_json(int code)
{
	printf("{\"steps\":[");
	bool first = true;
	for (size_t i = 0; i < NSTEPS; i++) {
		struct step *s = &steps[i];
		if (!s->path)
			continue;
		printf("%s{\"name\":\"%s%s%s\",\"exitCode\":%d,\"durationSeconds\":%.3f,\"result\":\"%s\"",
		       first ? "" : ",", s->name, s->sub ? " " : "", s->sub ? s->sub : "",
		       s->exit_code, s->seconds, s->result);
		if (s->why)
			printf(",\"reason\":\"%s\"", s->why);
		printf("}");
		first = false;
	}
	printf("],\"exitCode\":%d}\n", code);
}

/* What to type to resume: the same flags, from STEP. Flags only: no secret
 * is ever an argument. */
static void resume_command(struct cr_buf *b, const char *step, int argc, const char **argv)
{
	cr_buf_adds(b, "kubectl crucible up");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--from")) {
			i++;
			continue;
		}
		if (!strncmp(argv[i], "--from=", 7))
			continue;
		cr_buf_addf(b, " %s", argv[i]);
	}
	cr_buf_addf(b, " --from %s", step);
}

static void say_next(const struct step *s, int argc, const char **argv)
{
	struct cr_buf b = CR_BUF_INIT;
	resume_command(&b, s->name, argc, argv);
	cr_error("step %s failed (exit %d); fix what it reported, then run: %s",
		 s->name, s->exit_code, cr_buf_str(&b));
	cr_buf_free(&b);
}

static void say_interrupted(const struct step *s, int argc, const char **argv)
{
	struct cr_buf b = CR_BUF_INIT;
	resume_command(&b, s->name, argc, argv);
	cr_error("interrupted during %s; resume with: %s", s->name, cr_buf_str(&b));
	cr_buf_free(&b);
}

int main(int argc, char **argv)
{
	int nargs;
	argv0 = argv[0];
	const char **rest = cr_opts_parse(&tool, argc, (const char **)argv, &nargs);
	if (nargs)
		cr_usage_error("unexpected argument '%s'", rest[0]);
	bool json = false;
	if (opt_output && !(json = !strcmp(opt_output, "json")) && strcmp(opt_output, "text"))
		cr_usage_error("-o must be text or json, not '%s'", opt_output);
	if (cr_source.file && !strcmp(cr_source.file, "-"))
		cr_usage_error("-f - cannot be read by every step: give a file or directory");

	size_t from = 0;
	if (opt_from) {
		while (from < NSTEPS && strcmp(steps[from].name, opt_from))
			from++;
		if (from == NSTEPS)
			cr_usage_error("--from: no step '%s' (secrets, overlay, deploy, verify)", opt_from);
	}
	char *migrate_db = find_step("migrate-db");
	int total = 0;
	for (size_t i = 0; i < NSTEPS; i++) {
		struct step *s = &steps[i];
		s->path = find_step(s->name);
		s->result = "not run";
		if (!s->path)
			continue;
		s->help = step_help(s->path);
		if (i < from)
			s->result = "skipped", s->why = "before --from";
		else if (s->needs_overlay && !cr_source.overlay)
			s->result = "skipped", s->why = "no --overlay";
		else if (opt_dry_run && !s->read_only && !has_flag(s->help, "--dry-run"))
			s->result = "skipped", s->why = "it has no dry run";
		else
			s->run = true, total++;
	}
	if (opt_from && !steps[from].path)
		cr_usage_error("--from %s: that step is not installed", opt_from);
	struct step *deploy = step_named("deploy");
	if (migrate_db && deploy->run && !has_flag(deploy->help, "--migrate"))
		cr_info("migrate-db is installed, but this deploy has no --migrate: up runs no migration (kubectl crucible migrate-db does)");

	FILE *out = json ? stderr : stdout;
	int code = CR_EXIT_OK, n = 0;
	for (size_t i = 0; i < NSTEPS && code == CR_EXIT_OK; i++) {
		struct step *s = &steps[i];
		if (!s->run) {
			if (s->path && s->why && i >= from)
				cr_info("skipping %s: %s", s->name, s->why);
			continue;
		}
		if (!cr_quiet)
			fprintf(stderr, "%s[%d/%d] %s%s%s%s\n", cr_color(stderr, CR_BOLD), ++n, total,
				s->name, s->sub ? " " : "", s->sub ? s->sub : "", cr_color(stderr, CR_RESET));
		struct cr_child c = CR_CHILD_INIT;
		step_args(s, &c.args, migrate_db != NULL);
		c.on_line = cr_line_relay; /* a step's stdout: ours, or stderr when stdout carries the JSON */
		c.ctx = out;
		c.err_to_stderr = true;
		if (cr_verbose > 0) /* the step's command line: flags only, never a secret */
			cr_kubectl_trace(&c);
		long long t0 = cr_now_ms();
		enum cr_run_result r = cr_run(&c);
		s->seconds = (double)(cr_now_ms() - t0) / 1000.0;
		s->exit_code = r == CR_RUN_OK ? 0 : r == CR_RUN_EXIT ? c.exit_code
			: r == CR_RUN_INTERRUPTED ? CR_EXIT_INTERRUPTED : CR_EXIT_KUBECTL;
		cr_child_clear(&c);
		if (r == CR_RUN_INTERRUPTED || cr_interrupted()) {
			s->result = "interrupted";
			s->exit_code = code = CR_EXIT_INTERRUPTED;
			say_interrupted(s, argc, (const char **)argv);
		} else if (s->exit_code) {
			s->result = "failed";
			code = s->exit_code;
			say_next(s, argc, (const char **)argv);
		} else {
			s->result = "ok";
		}
	}
	if (json)
		print_json(code);
	else if (code == CR_EXIT_OK)
		cr_info("up: %d step%s done%s", n, n == 1 ? "" : "s", opt_dry_run ? " (dry run)" : "");
	for (size_t i = 0; i < NSTEPS; i++) {
		free(steps[i].path);
		free(steps[i].help);
	}
	free(migrate_db);
	return code;
}
