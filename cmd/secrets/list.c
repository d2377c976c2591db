/*
 * secrets list: the namespace's Secrets (names, types, key names, age),
 * the workloads that use each, and references to a missing Secret or key.
 * Values are never asked for.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crucible/exit.h"
#include "crucible/jq.h"
#include "crucible/json.h"
#include "crucible/log.h"
#include "crucible/opts.h"
#include "crucible/table.h"
#include "secrets.h"

/* Pods a controller owns are covered by the controller. */
#define WORKLOAD_FILTER "[.[] | select(.kind != \"Pod\" or ((.metadata.ownerReferences // []) | length) == 0)]"

static jv references(jv workloads)
{
	jv own = cr_jq_eval(WORKLOAD_FILTER, workloads, jv_null());
	jv r = cr_jq_named_first("secrets-refs", jv_array_get(own, 0));
	return jv_object_get(r, jv_string("refs"));
}

/* A table cell: a string member, or an array of them joined with commas. */
#define CELL(o, field, tmp) cr_json_text(o, field, ",", "<none>", tmp)

static void print_table(jv secrets)
{
	static const char *const head[] = { "NAME", "TYPE", "KEYS", "AGE", "USED BY" };
	struct cr_table *t = cr_table_new(5, head);
	jv_array_foreach(secrets, i, s) {
		struct cr_buf c[5] = { CR_BUF_INIT, CR_BUF_INIT, CR_BUF_INIT, CR_BUF_INIT, CR_BUF_INIT };
		const char *row[] = { CELL(s, "name", &c[0]), CELL(s, "type", &c[1]), CELL(s, "keys", &c[2]),
				      CELL(s, "age", &c[3]), CELL(s, "usedBy", &c[4]) };
		cr_table_row(t, row);
		for (int j = 0; j < 5; j++)
			cr_buf_free(&c[j]);
		jv_free(s);
	}
	cr_table_print(t, stdout);
	cr_table_free(t);
	jv_free(secrets);
}

/* Returns how many of the missing references are not optional. */
static int print_missing(jv missing)
{
	int serious = 0;
	if (jv_array_length(jv_copy(missing)) == 0) {
		jv_free(missing);
		return 0;
	}
	static const char *const head[] = { "REFERENCED BY", "SECRET", "KEY", "PROBLEM" };
	struct cr_table *t = cr_table_new(4, head);
	jv_array_foreach(missing, i, m) {
		struct cr_buf c[4] = { CR_BUF_INIT, CR_BUF_INIT, CR_BUF_INIT, CR_BUF_INIT };
		jv opt = jv_object_get(jv_copy(m), jv_string("optional"));
		bool optional = jv_get_kind(opt) == JV_KIND_TRUE;
		jv_free(opt);
		CELL(m, "problem", &c[3]);
		if (optional)
			cr_buf_adds(&c[3], " (optional)");
		else
			serious++;
		const char *row[] = { CELL(m, "object", &c[0]), CELL(m, "secret", &c[1]),
				      CELL(m, "key", &c[2]), c[3].data };
		cr_table_row(t, row);
		for (int j = 0; j < 4; j++)
			cr_buf_free(&c[j]);
		jv_free(m);
	}
	printf("\n");
	cr_table_print(t, stdout);
	cr_table_free(t);
	jv_free(missing);
	return serious;
}

static int count_serious(jv missing)
{
	jv n = cr_jq_eval("[.[] | select(.optional | not)] | length", missing, jv_null());
	jv first = jv_array_get(n, 0);
	int count = (int)jv_number_value(first);
	jv_free(first);
	return count;
}

int sec_list(int argc, const char **argv)
{
	(void)argv;
	sec_allow("list", SEC_OPT_OUTPUT);
	if (argc)
		cr_usage_error("list takes no arguments");
	const char *fmt = sec_opts.output ? sec_opts.output : "table";
	if (strcmp(fmt, "table") && strcmp(fmt, "json"))
		cr_usage_error("list: -o must be table or json, not '%s'", fmt);

	jv secrets = sec_cluster_secrets();
	jv refs = references(sec_cluster_workloads());
	jv r = cr_jq_named_first("secrets-list", JV_OBJECT(jv_string("secrets"), secrets, jv_string("refs"), refs,
							   jv_string("now"), jv_number((double)time(NULL))));

	int serious;
	if (!strcmp(fmt, "json")) {
		serious = count_serious(jv_object_get(jv_copy(r), jv_string("missing")));
		jv_dumpf(r, stdout, JV_PRINT_INDENT_FLAGS(2));
		printf("\n");
	} else {
		jv list = jv_object_get(jv_copy(r), jv_string("secrets"));
		if (jv_array_length(jv_copy(list)) == 0)
			cr_info("no Secrets in namespace %s", cr_opts.namespace);
		print_table(list);
		serious = print_missing(jv_object_get(r, jv_string("missing")));
	}
	return serious ? CR_EXIT_FAILED : CR_EXIT_OK;
}
