/*
 * kubectl-crucible: the dispatcher krew puts on PATH. `kubectl crucible STEP
 * args...` runs the sibling binary kubectl-crucible-STEP, found next to this
 * executable first (krew unpacks the archive there), then on PATH.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crucible/buf.h"
#include "crucible/exit.h"
#include "crucible/log.h"
#include "crucible/run.h"
#include "crucible/steps.h"
#include "crucible/util.h"
#include "dispatch.h"

#define PREFIX CR_STEP_PREFIX

static bool valid_step_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	return true;
}

/* Installed steps: every kubectl-crucible-* executable in the search dirs, once. */
void installed_steps(const struct cr_strv *dirs, struct cr_strv *steps)
{
	for (size_t i = 0; i < dirs->n; i++) {
		DIR *d = opendir(dirs->v[i]);
		if (!d)
			continue;
		for (struct dirent *e; (e = readdir(d));) {
			if (strncmp(e->d_name, PREFIX, strlen(PREFIX)))
				continue;
			const char *step = e->d_name + strlen(PREFIX);
			/* migrate_db is kubectl's spelling of migrate-db, a link to it. */
			if (!valid_step_name(step))
				continue;
			bool seen = false;
			for (size_t j = 0; j < steps->n && !seen; j++)
				seen = !strcmp(steps->v[j], step);
			char *found = seen ? NULL : cr_step_path(dirs, step);
			if (found)
				cr_strv_push(steps, step);
			free(found);
		}
		closedir(d);
	}
}

void print_step_lines(FILE *out, const struct cr_strv *dirs, const struct cr_strv *steps,
		      const char *flag, const char *silent)
{
	for (size_t i = 0; i < steps->n; i++) {
		char *path = cr_step_path(dirs, steps->v[i]);
		struct cr_child c = CR_CHILD_INIT;
		cr_strv_pushl(&c.args, path, flag, NULL);
		c.timeout_ms = 5000;
		const char *line = cr_run(&c) == CR_RUN_OK ? cr_buf_str(&c.out) : silent;
		fprintf(out, "  %-12s %.*s\n", steps->v[i], (int)strcspn(line, "\n"), line);
		cr_child_clear(&c);
		free(path);
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Asks each step for its one-line summary (a hidden --summary flag). */
static void list_steps(FILE *out, const struct cr_strv *dirs)
{
	struct cr_strv steps = CR_STRV_INIT;
	installed_steps(dirs, &steps);
	if (steps.n)
		qsort(steps.v, steps.n, sizeof(char *), by_name);
	/* The shape every step's --help has (tools/help2man.sh reads it for the man page). */
	fprintf(out, "Deploy the Crucible Platform to Kubernetes, one step of the deployment guide at a time.\n\n"
		     "Usage: kubectl crucible STEP [flags]\n"
		     "  -h, --help                 this list\n"
		     "      --version              show the version and exit\n\n"
		     "Steps installed:\n");
	if (!steps.n)
		fprintf(out, "  (none found next to this binary or on PATH)\n");
	print_step_lines(out, dirs, &steps, "--summary", "");
	fprintf(out, "\nCommands:\n"
		     "  completion bash|zsh|fish   a completion script for the shell\n"
		     "  version                    every step's version, kubectl's and the server's\n"
		     "\n"
		     "Run 'kubectl crucible STEP --help' (or man kubectl-crucible-STEP) for a step's flags.\n"
		     "A step is the binary kubectl-crucible-STEP beside this one (krew's layout), else\n"
		     "on PATH; kubectl's spelling migrate_db reaches migrate-db.\n"
		     "\n"
		     "Exit status: a step's own when one runs; 0 ok; 2 usage (an unknown step);\n"
		     "4 the step could not be run.\n"
		     "\n"
		     "Examples:\n"
		     "  kubectl crucible up\n"
		     "  kubectl crucible secrets generate | kubeseal -o yaml > sealed-secrets.yaml\n"
		     "  kubectl kustomize k8s/overlays/production | kubectl crucible deploy -f -\n"
		     "  source <(kubectl crucible completion bash)\n");
	cr_strv_free(&steps);
}

static void suggest(const struct cr_strv *dirs, const char *step)
{
	struct cr_strv steps = CR_STRV_INIT;
	installed_steps(dirs, &steps);
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	for (size_t i = 0; i < steps.n; i++) {
		size_t d = cr_edit_distance(step, steps.v[i]);
		if (d < best_d) {
			best_d = d;
			best = steps.v[i];
		}
	}
	if (best && best_d <= 3)
		fprintf(stderr, "Did you mean '%s'?\n", best);
	fprintf(stderr, "Run 'kubectl crucible' for the list of steps.\n");
	cr_strv_free(&steps);
}

int main(int argc, char **argv)
{
	cr_progname = "kubectl crucible";
	struct cr_strv dirs = CR_STRV_INIT;
	cr_step_dirs(&dirs, NULL); /* krew's link on PATH is not where the steps are */

	const char *step = argc > 1 ? argv[1] : "help";
	if (!strcmp(step, "help") || !strcmp(step, "-h") || !strcmp(step, "--help")) {
		list_steps(stdout, &dirs);
		cr_strv_free(&dirs);
		return CR_EXIT_OK;
	}
	if (!strcmp(step, "--list-steps")) { /* for shell completion */
		struct cr_strv steps = CR_STRV_INIT;
		installed_steps(&dirs, &steps);
		for (size_t i = 0; i < steps.n; i++)
			puts(steps.v[i]);
		cr_strv_free(&steps);
		cr_strv_free(&dirs);
		return CR_EXIT_OK;
	}
	if (!strcmp(step, "completion") || !strcmp(step, "version")) {
		int code = *step == 'c' ? cmd_completion(&dirs, argc, argv) : cmd_version(&dirs);
		cr_strv_free(&dirs);
		return code;
	}
	if (!strcmp(step, "--version")) {
		printf("kubectl-crucible %s\n", CRUCIBLE_VERSION);
		cr_strv_free(&dirs);
		return CR_EXIT_OK;
	}
	char *name = cr_xstrdup(step);
	for (char *p = name; *p; p++) /* kubectl's spelling: migrate_db → migrate-db */
		if (*p == '_')
			*p = '-';
	char *path = valid_step_name(name) ? cr_step_path(&dirs, name) : NULL;
	if (!path) {
		fprintf(stderr, "kubectl crucible: error: unknown step '%s'\n", step);
		suggest(&dirs, name);
		free(name);
		cr_strv_free(&dirs);
		return CR_EXIT_USAGE;
	}
	/* Lets the step print "Usage: kubectl crucible STEP". */
	setenv("KUBECTL_CRUCIBLE_DISPATCHED", "1", 1);
	argv[1] = path;
	execv(path, argv + 1);
	cr_die(CR_EXIT_KUBECTL, "cannot run %s: %m", path);
}
