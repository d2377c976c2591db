/* The deploy's summary: a table (component, kind, ready, state) or the same as JSON. */
#include <string.h>

#include "crucible/table.h"
#include "crucible/util.h"
#include "deploy.h"

static const char *state_of(jv row)
{
	const char *s = cr_json_str(row, "status");
	return !strcmp(s, "Current") ? "ready" : !strcmp(s, "Failed") ? "failed" : *s ? "not ready" : "applied";
}

void deploy_summary_text(struct deploy *d, FILE *out)
{
	static const char *const headers[] = { "COMPONENT", "KIND", "READY", "STATE" };
	struct cr_table *t = cr_table_new(4, headers);
	int rows = 0;
	jv_object_foreach(d->workloads, key, row) {
		const char *cells[] = { cr_json_str(row, "component"), cr_json_str(row, "kind"), cr_json_str(row, "ready"), state_of(row) };
		cr_table_row(t, cells);
		rows++;
		jv_free(key);
		jv_free(row);
	}
	if (rows)
		cr_table_print(t, out);
	cr_table_free(t);
	int created = 0, configured = 0, unchanged = 0;
	jv_array_foreach(d->changes, i, ch) {
		const char *a = cr_json_str(ch, "action");
		created += !strcmp(a, "created");
		configured += !strcmp(a, "configured");
		unchanged += !strcmp(a, "unchanged");
		jv_free(ch);
	}
	fprintf(out, "%d created, %d configured, %d unchanged%s in %.1f s\n", created, configured, unchanged,
		d->no_wait ? " (not waited on)" : "", (double)(cr_now_ms() - d->start_ms) / 1000.0);
}

jv deploy_summary_json(struct deploy *d, const char *result, jv failure)
{
	jv workloads = jv_array();
	jv_object_foreach(d->workloads, key, row) {
		jv_free(key);
		workloads = jv_array_append(workloads, jv_object_set(row, jv_string("state"), jv_string(state_of(row))));
	}
	jv applied = jv_array();
	for (size_t i = 0; i < d->applied.n; i++)
		applied = jv_array_append(applied, jv_string(d->applied.v[i]));
	jv objects = jv_array();
	jv_array_foreach(d->changes, i, ch) {
		objects = jv_array_append(objects, JV_OBJECT(jv_string("ref"), jv_string(cr_json_str(ch, "ref")),
							     jv_string("namespace"), jv_object_get(jv_copy(ch), jv_string("namespace")),
							     jv_string("action"), jv_string(cr_json_str(ch, "action")),
							     jv_string("changes"), jv_object_get(jv_copy(ch), jv_string("changes"))));
		jv_free(ch);
	}
	jv out = JV_OBJECT(jv_string("result"), jv_string(result), jv_string("dryRun"),
			   jv_string(d->dry_run == DRY_SERVER ? "server" : d->dry_run == DRY_CLIENT ? "client" : "none"),
			   jv_string("phasesApplied"), applied, jv_string("objects"), objects,
			   jv_string("workloads"), workloads, jv_string("pruned"), jv_copy(d->pruned),
			   jv_string("seconds"), jv_number((double)(cr_now_ms() - d->start_ms) / 1000.0));
	if (d->phase)
		out = jv_object_set(out, jv_string("phase"), jv_string(d->phase));
	if (jv_get_kind(failure) != JV_KIND_NULL)
		out = jv_object_set(out, jv_string("failure"), failure);
	else
		jv_free(failure);
	return out;
}
