/*
 * What the namespace holds. Listing asks kubectl for names and key names
 * only (a Go template), so values never reach this process unless a
 * Secret's values are really needed (apply on a Secret that lacks keys).
 */
#include <stdlib.h>
#include <string.h>

#include "crucible/base64.h"
#include "crucible/exit.h"
#include "crucible/kretry.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/objects.h"
#include "secrets.h"

/* One line per Secret: name, type, creation time, then its key names; tab-separated.
 * The tabs and newlines are template escapes, so a -v trace stays on one line. */
#define TAB "{{\"\\t\"}}"
#define NL "{{\"\\n\"}}"
#define LIST_TEMPLATE \
	"{{range .items}}{{.metadata.name}}" TAB "{{.type}}" TAB "{{.metadata.creationTimestamp}}" \
	"{{range $k, $v := .data}}" TAB "{{$k}}{{end}}" NL "{{end}}"

/* name TAB key TAB base64 per key; works on one Secret and on a List. */
#define VALUES_TEMPLATE \
	"{{define \"s\"}}{{$n := .metadata.name}}{{range $k, $v := .data}}{{$n}}" TAB "{{$k}}" TAB "{{$v}}" NL \
	"{{end}}{{end}}" \
	"{{if .items}}{{range .items}}{{template \"s\" .}}{{end}}{{else}}{{template \"s\" .}}{{end}}"

/* Runs c (retrying transient failures); on failure dies with the kubectl message and the mapped exit code. */
static void run_or_die(struct cr_child *c, const char *what)
{
	enum cr_run_result r = cr_kubectl_run_retry(c, NULL);
	if (r == CR_RUN_OK)
		return;
	int code = cr_kubectl_exit_code(r);
	cr_error("%s: %s", what, cr_kubectl_failure(c, r));
	cr_child_clear(c);
	exit(code);
}

/* Splits s at tabs in place; returns the number of fields (at most max). */
static int split_tabs(char *s, char **f, int max)
{
	int n = 0;
	for (char *save = NULL, *t = strtok_r(s, "\t", &save); t && n < max; t = strtok_r(NULL, "\t", &save))
		f[n++] = t;
	return n;
}

/* Calls fn on each line of the listing of the namespace's Secrets. */
typedef void (*line_fn)(char **f, int n, void *ctx);
static void each_secret_line(line_fn fn, void *ctx)
{
	struct cr_child c = CR_CHILD_INIT;
	cr_kubectl_args(&c, true);
	cr_strv_pushl(&c.args, "get", "secrets", "-o", "go-template=" LIST_TEMPLATE, NULL);
	run_or_die(&c, "kubectl get secrets");
	cr_objects_not_json(c.out.data, c.out.len, "kubectl get secrets");
	char *save = NULL;
	for (char *line = c.out.data ? strtok_r(c.out.data, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[256];
		int n = split_tabs(line, f, 256);
		if (n < 3) { /* the template always prints name, type and creation time */
			cr_child_clear(&c);
			cr_die(CR_EXIT_KUBECTL, "kubectl get secrets: kubectl printed a line the template does not make");
		}
		fn(f, n, ctx);
	}
	cr_child_clear(&c);
}

static void mark_one(char **f, int n, void *ctx)
{
	struct sec_secret *s = sec_find(ctx, f[0]);
	if (!s)
		return;
	s->in_cluster = true;
	for (int i = 3; i < n; i++) {
		struct sec_key *k = sec_find_key(s, f[i]);
		if (k)
			k->in_cluster = true;
		else
			sec_add_key(s, f[i])->in_cluster = true; /* kept as it is by apply */
	}
}

void sec_cluster_mark(struct sec_set *set)
{
	each_secret_line(mark_one, set);
}

static void add_listed(char **f, int n, void *ctx)
{
	jv keys = jv_array();
	for (int i = 3; i < n; i++)
		keys = jv_array_append(keys, jv_string(f[i]));
	*(jv *)ctx = jv_array_append(*(jv *)ctx,
		JV_OBJECT(jv_string("name"), jv_string(f[0]),
			  jv_string("type"), jv_string(strcmp(f[1], "<no value>") ? f[1] : "Opaque"),
			  jv_string("created"), jv_string(f[2]),
			  jv_string("keys"), keys));
}

jv sec_cluster_secrets(void)
{
	jv out = jv_array();
	each_secret_line(add_listed, &out);
	return out;
}

/* Takes one "name TAB key TAB base64" line into the set. */
static void take_value(struct sec_set *set, char *line, bool keep_supplied)
{
	char *f[3];
	if (split_tabs(line, f, 3) != 3)
		return;
	struct sec_secret *s = sec_find(set, f[0]);
	struct sec_key *k = s ? sec_find_key(s, f[1]) : NULL;
	if (!k || (keep_supplied && k->origin == ORIG_SUPPLIED))
		return;
	cr_buf_wipe(&k->value);
	if (cr_base64_decode(&k->value, f[2], strlen(f[2])) < 0) {
		cr_warn("secret %s: key %s is not valid base64 in the cluster", s->name, k->name);
		cr_buf_wipe(&k->value);
		return;
	}
	k->origin = ORIG_EXISTING;
	k->in_cluster = true;
}

void sec_cluster_values(struct sec_set *set, const struct cr_strv *names, bool keep_supplied)
{
	if (!names->n)
		return;
	struct cr_child c = CR_CHILD_INIT;
	cr_kubectl_args(&c, true);
	cr_strv_pushl(&c.args, "get", "secrets", NULL);
	for (size_t i = 0; i < names->n; i++)
		cr_strv_push(&c.args, names->v[i]);
	cr_strv_pushl(&c.args, "-o", "go-template=" VALUES_TEMPLATE, NULL);
	run_or_die(&c, "kubectl get secrets");
	char *save = NULL;
	for (char *line = c.out.data ? strtok_r(c.out.data, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		take_value(set, line, keep_supplied);
	cr_child_clear(&c); /* wipes the captured values */
}

jv sec_cluster_workloads(void)
{
	struct cr_child c = CR_CHILD_INIT;
	cr_kubectl_args(&c, true);
	cr_strv_pushl(&c.args, "get", "deployments,statefulsets,daemonsets,jobs,cronjobs,pods,serviceaccounts,ingresses",
		      "-o", "json", NULL);
	run_or_die(&c, "kubectl get workloads");
	jv items = cr_objects_parse_or_die(c.out.data, c.out.len, "kubectl get workloads");
	cr_child_clear(&c);
	return items;
}
