/*
 * logs [JOB]: the log of the latest migration, or of the named Job, as
 * kubectl logs job/NAME gives it (the Job's selector finds its pod), passed
 * through as it arrives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crucible/exit.h"
#include "crucible/json.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/opts.h"
#include "migrate.h"

static int relay(const char *line, size_t len, void *ctx)
{
	(void)ctx;
	fwrite(line, 1, len, stdout);
	fputc('\n', stdout);
	return 0;
}

/* The newest migration Job's name (malloc'd); dies when there is none. */
static char *latest_job(void)
{
	jv rows = mig_list_jobs();
	if (jv_array_length(jv_copy(rows)) == 0) {
		jv_free(rows);
		cr_die(CR_EXIT_FAILED, "no migration Job in namespace %s: no log to show", cr_opts.namespace);
	}
	jv row = jv_array_get(rows, 0);
	char *name = cr_xstrdup(cr_json_str(row, "name"));
	jv_free(row);
	return name;
}

int mig_logs(const char *job)
{
	char *name = job ? cr_xstrdup(job) : latest_job();
	struct cr_child c = CR_CHILD_INIT;
	cr_kubectl_args(&c, true);
	/* A Job whose pods are gone (a deadline deletes them) would keep kubectl waiting 20 s. */
	cr_strv_pushl(&c.args, "logs", "--all-containers", "--pod-running-timeout=5s", (const char *)NULL);
	cr_strv_pushf(&c.args, "job/%s", name);
	c.on_line = relay;
	/* Not retried: a second attempt would print the log again. */
	enum cr_run_result r = cr_kubectl_run(&c);
	fflush(stdout);
	if (r == CR_RUN_OK) {
		cr_child_clear(&c);
		free(name);
		return CR_EXIT_OK;
	}
	if (r == CR_RUN_INTERRUPTED || cr_interrupted())
		cr_die(CR_EXIT_INTERRUPTED, "interrupted while reading the log of %s", name);
	if (strstr(cr_buf_str(&c.err), "(NotFound)") && strstr(cr_buf_str(&c.err), "jobs.batch"))
		cr_die(CR_EXIT_FAILED, "no Job %s in namespace %s (kubectl crucible migrate-db history lists "
		       "the migrations still there)", name, cr_opts.namespace);
	if (strstr(cr_buf_str(&c.err), "timed out waiting for the condition"))
		cr_die(CR_EXIT_FAILED, "Job %s has no pod whose log can be read: its pods are gone (a Job that "
		       "ran out of time loses them) or none has started", name);
	int code = cr_kubectl_exit_code(r);
	cr_die(code == CR_EXIT_OK ? CR_EXIT_KUBECTL : code, "the log of %s: %s", name, cr_kubectl_failure(&c, r));
}
