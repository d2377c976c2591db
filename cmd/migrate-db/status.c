/*
 * status and history: the migrations the cluster still holds, newest first
 * (a Job's TTL ends its history), read in one kubectl get; status adds the
 * Lease of a migration that is running.
 */
#include <stdio.h>
#include <stdlib.h>

#include "crucible/exit.h"
#include "crucible/json.h"
#include "crucible/log.h"
#include "crucible/opts.h"
#include "crucible/table.h"
#include "migrate.h"

static void print_json(jv v)
{
	jv s = jv_dump_string(v, JV_PRINT_INDENT_FLAGS(2));
	printf("%s\n", jv_string_value(s));
	jv_free(s);
}

/* "Failed: BackoffLimitExceeded (Job has reached ...)", or the result alone. */
static const char *result_text(jv row, struct cr_buf *tmp)
{
	cr_buf_reset(tmp);
	cr_buf_adds(tmp, cr_json_str(row, "result"));
	if (*cr_json_str(row, "reason"))
		cr_buf_addf(tmp, ": %s", cr_json_str(row, "reason"));
	if (*cr_json_str(row, "message"))
		cr_buf_addf(tmp, " (%s)", cr_json_str(row, "message"));
	return cr_buf_str(tmp);
}

static void print_lock(jv lock)
{
	if (jv_get_kind(lock) != JV_KIND_OBJECT) {
		printf("Lock:      none (no migration is running)\n");
		return;
	}
	jv ago = jv_object_get(jv_copy(lock), jv_string("renewedSecondsAgo"));
	jv stale = jv_object_get(jv_copy(lock), jv_string("stale"));
	printf("Lock:      Lease %s held by %s since %s", MIG_LEASE, cr_json_str_or(lock, "holder", "?"),
	       cr_json_str_or(lock, "acquired", "?"));
	if (*cr_json_str(lock, "job"))
		printf(" for Job %s", cr_json_str(lock, "job"));
	if (jv_get_kind(ago) == JV_KIND_NUMBER)
		printf(", renewed %.0fs ago", jv_number_value(ago));
	if (jv_get_kind(stale) == JV_KIND_TRUE)
		printf(" (stale: its holder stopped renewing it; the next run may take it over)");
	printf("\n");
	jv_free(ago);
	jv_free(stale);
}

int mig_status(const struct migrate *m)
{
	jv rows = mig_list_jobs();
	jv lock = mig_read_lease();
	jv latest = jv_array_length(jv_copy(rows)) ? jv_array_get(jv_copy(rows), 0) : jv_null();
	jv_free(rows);
	if (m->json) {
		print_json(JV_OBJECT(jv_string("namespace"), jv_string(cr_opts.namespace), jv_string("latest"), latest,
				     jv_string("lock"), lock));
		return CR_EXIT_OK;
	}
	if (jv_get_kind(latest) != JV_KIND_OBJECT) {
		printf("No migration Job in namespace %s.\n", cr_opts.namespace);
	} else {
		struct cr_buf tmp = CR_BUF_INIT;
		printf("Job:       %s\n", cr_json_str(latest, "name"));
		printf("Image:     %s\n", cr_json_str(latest, "image"));
		printf("Started:   %s\n", cr_json_str_or(latest, "started", "not yet"));
		printf("Duration:  %s\n", cr_json_str_or(latest, "duration", "-"));
		printf("Result:    %s\n", result_text(latest, &tmp));
		cr_buf_free(&tmp);
	}
	print_lock(lock);
	jv_free(latest);
	jv_free(lock);
	return CR_EXIT_OK;
}

int mig_history(const struct migrate *m)
{
	jv rows = mig_list_jobs();
	if (m->json) {
		print_json(rows);
		return CR_EXIT_OK;
	}
	if (jv_array_length(jv_copy(rows)) == 0) {
		cr_info("No migration Jobs in namespace %s.", cr_opts.namespace);
		jv_free(rows);
		return CR_EXIT_OK;
	}
	static const char *const head[] = { "NAME", "IMAGE", "STARTED", "DURATION", "RESULT" };
	struct cr_table *t = cr_table_new(5, head);
	struct cr_buf tmp = CR_BUF_INIT;
	jv_array_foreach(rows, i, row) {
		cr_buf_reset(&tmp);
		cr_buf_adds(&tmp, cr_json_str(row, "result"));
		if (*cr_json_str(row, "reason"))
			cr_buf_addf(&tmp, " (%s)", cr_json_str(row, "reason"));
		const char *cells[] = { cr_json_str(row, "name"), cr_json_str(row, "image"),
					cr_json_str_or(row, "started", "-"), cr_json_str_or(row, "duration", "-"),
					cr_buf_str(&tmp) };
		cr_table_row(t, cells);
		jv_free(row);
	}
	cr_table_print(t, stdout);
	cr_table_free(t);
	cr_buf_free(&tmp);
	jv_free(rows);
	return CR_EXIT_OK;
}
