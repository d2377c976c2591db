/* The end of every deploy, whatever the outcome: summary, stats, exit code. */
#include <stdio.h>
#include <stdlib.h>

#include "crucible/exit.h"
#include "crucible/log.h"
#include "deploy.h"

static void print_interrupted(const struct deploy *d)
{
	struct cr_buf b = CR_BUF_INIT;
	for (size_t i = 0; i < d->applied.n; i++)
		cr_buf_addf(&b, "%s%s", i ? ", " : "", d->applied.v[i]);
	cr_error("interrupted%s%s; phases applied: %s", d->phase ? " during phase " : "",
		 d->phase ? d->phase : "", b.len ? b.data : "none");
	cr_buf_free(&b);
}

void deploy_finish(struct deploy *d, int code, const char *result, jv failure)
{
	if (code == CR_EXIT_INTERRUPTED)
		print_interrupted(d);
	if (d->json) {
		jv out = deploy_summary_json(d, result, failure);
		jv s = jv_dump_string(out, JV_PRINT_INDENT_FLAGS(2));
		printf("%s\n", jv_string_value(s));
		jv_free(s);
	} else {
		jv_free(failure);
		if (code == CR_EXIT_OK && d->dry_run == DRY_NONE)
			deploy_summary_text(d, stdout);
	}
	fflush(stdout);
	cr_debug("%d kubectl processes", d->kubectl_calls);
	deploy_write_stats(d);
	jv_free(d->objects);
	jv_free(d->plan);
	jv_free(d->all);
	jv_free(d->live);
	jv_free(d->changes);
	jv_free(d->workloads);
	jv_free(d->pruned);
	cr_strv_free(&d->applied);
	exit(code);
}

