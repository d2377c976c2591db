/*
 * Applying a phase: one `kubectl apply --server-side` for all its objects,
 * manifests on stdin, and a report per object (created, configured,
 * unchanged) from comparing kubectl's -o json output with the preflight LIST.
 */
#include <string.h>

#include "crucible/exit.h"
#include "crucible/jq.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/yaml.h"
#include "deploy.h"

/*
 * Per object: created, configured, unchanged. Progress on stderr; in a
 * server dry run the result itself (what would change), on stdout.
 */
static void print_changes(struct deploy *d, jv rows)
{
	const char *suffix = d->dry_run == DRY_SERVER ? " (server dry run)" : "";
	FILE *out = d->dry_run == DRY_SERVER ? d->result : d->progress;
	jv_array_foreach(rows, i, row) {
		if (!cr_quiet || d->dry_run)
			fprintf(out, "%s %s%s\n", cr_json_str(row, "ref"), cr_json_str(row, "action"), suffix);
		jv changes = jv_object_get(jv_copy(row), jv_string("changes"));
		jv_array_foreach(changes, j, ch) {
			jv from = jv_object_get(jv_copy(ch), jv_string("from"));
			jv to = jv_object_get(jv_copy(ch), jv_string("to"));
			jv fs = jv_dump_string(from, 0), ts = jv_dump_string(to, 0);
			const char *op = cr_json_str(ch, "op");
			if (!strcmp(op, "~"))
				fprintf(out, "  ~ %s: %s -> %s\n", cr_json_str(ch, "path"), jv_string_value(fs), jv_string_value(ts));
			else if (!strcmp(op, "+"))
				fprintf(out, "  + %s: %s\n", cr_json_str(ch, "path"), jv_string_value(ts));
			else
				fprintf(out, "  - %s\n", cr_json_str(ch, "path"));
			jv_free(fs);
			jv_free(ts);
			jv_free(ch);
		}
		jv_free(changes);
		jv_free(row);
	}
	jv_free(rows);
	fflush(out);
}

/* Kept for the summary. */
static void remember(struct deploy *d, jv rows)
{
	jv_array_foreach(rows, i, row)
		d->changes = jv_array_append(d->changes, row);
	jv_free(rows);
}

/* The phases' names joined with "+", and all their objects in order. */
static jv merge(jv phases, struct cr_buf *names)
{
	jv objects = jv_array();
	jv_array_foreach(phases, i, ph) {
		cr_buf_addf(names, "%s%s", i ? "+" : "", cr_json_str(ph, "name"));
		objects = jv_array_concat(objects, jv_object_get(ph, jv_string("objects")));
	}
	jv_free(phases);
	return objects;
}

void deploy_apply_phases(struct deploy *d, jv phases)
{
	struct cr_buf names = CR_BUF_INIT;
	jv objects = merge(jv_copy(phases), &names);
	d->phase = names.data;
	cr_info("phase %s: applying %d object(s)", d->phase, jv_array_length(jv_copy(objects)));
	struct cr_buf text = CR_BUF_INIT;
	cr_objects_stream(jv_copy(objects), &text);
	struct cr_child c = CR_CHILD_INIT;
	cr_kubectl_args(&c, false);
	cr_strv_pushl(&c.args, "apply", "--server-side", "--field-manager=" DEPLOY_MANAGER, "-f", "-",
		      "-o", "json", "--show-managed-fields", (const char *)NULL);
	if (d->dry_run == DRY_SERVER)
		cr_strv_push(&c.args, "--dry-run=server");
	c.in = text.data;
	c.in_len = text.len;
	/* Server-side apply is idempotent: retrying after a 500 is safe. */
	enum cr_run_result r = deploy_kubectl(d, &c, true);
	cr_buf_wipe(&text); /* may hold Secret values */
	jv_free(objects);
	if (r != CR_RUN_OK) {
		struct cr_buf what = CR_BUF_INIT; /* not freed: deploy_kubectl_failed exits */
		cr_buf_addf(&what, "applying phase %s (kubectl apply)", d->phase);
		deploy_kubectl_failed(d, what.data, &c, r); /* its message names the object */
	}
	jv after = cr_objects_parse_or_die(c.out.data, c.out.len, "kubectl apply");
	cr_child_clear(&c);
	jv in = JV_OBJECT(jv_string("before"), jv_copy(d->live), jv_string("after"), after,
			  jv_string("manager"), jv_string(DEPLOY_MANAGER),
			  jv_string("dry_run"), jv_bool(d->dry_run == DRY_SERVER));
	jv rows = jq_run1("deploy-changes", in);
	print_changes(d, jv_copy(rows));
	remember(d, rows);
	jv_array_foreach(phases, i, ph) {
		cr_strv_push(&d->applied, cr_json_str(ph, "name"));
		jv_free(ph);
	}
	jv_free(phases);
	d->phase = NULL;
	cr_buf_free(&names);
}

void deploy_print_ordered(struct deploy *d)
{
	jv all = jv_copy(d->all);
	struct cr_buf out = CR_BUF_INIT;
	if (cr_yaml_emit_stream(all, &out) < 0)
		cr_die(CR_EXIT_INPUT, "cannot print the manifests as YAML");
	fwrite(out.data ? out.data : "", 1, out.len, stdout);
	cr_buf_wipe(&out); /* may hold Secret values given in the input */
}

/*
 * Deletes what earlier deploys applied (deploy's field manager, see
 * crucible/manager.h) and the input no longer has, listing it first.
 */
void deploy_prune(struct deploy *d)
{
	jv in = JV_OBJECT(jv_string("live"), jv_copy(d->live), jv_string("objects"),
			  jv_copy(d->all), jv_string("label"),
			  JV_OBJECT(jv_string(DEPLOY_LABEL_KEY), jv_string(DEPLOY_LABEL_VALUE)),
			  jv_string("manager"), jv_string(DEPLOY_MANAGER));
	jv gone = jq_run1("deploy-prune", in);
	int n = jv_array_length(jv_copy(gone));
	d->phase = "prune";
	if (!n) {
		cr_info("prune: nothing to delete");
		jv_free(gone);
		return;
	}
	struct cr_child c = CR_CHILD_INIT;
	cr_kubectl_args(&c, false);
	cr_strv_pushl(&c.args, "delete", "-n", d->namespace, "--wait=false", "--ignore-not-found",
		      (const char *)NULL);
	if (d->dry_run == DRY_SERVER)
		cr_strv_push(&c.args, "--dry-run=server");
	FILE *out = d->dry_run == DRY_SERVER ? d->result : d->progress;
	jv_array_foreach(gone, i, g) {
		fprintf(out, "%s pruned%s\n", cr_json_str(g, "ref"), d->dry_run ? " (server dry run)" : "");
		cr_strv_push(&c.args, cr_json_str(g, "ref"));
		d->pruned = jv_array_append(d->pruned, jv_string(cr_json_str(g, "ref")));
		jv_free(g);
	}
	jv_free(gone);
	fflush(out);
	/* One delete for all of them; deleting twice is harmless, so retry. */
	enum cr_run_result r = deploy_kubectl(d, &c, true);
	if (r != CR_RUN_OK)
		deploy_kubectl_failed(d, "pruning (kubectl delete)", &c, r);
	cr_child_clear(&c);
	d->phase = NULL;
}
