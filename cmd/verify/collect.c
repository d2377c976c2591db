/*
 * What the cluster holds, in two kubectl processes whatever the number of
 * objects: one `get` of every kind the checks read (events included), and
 * one of the Secrets through a Go template that prints names, types and key
 * names, so no Secret value ever reaches this process.
 */
#include <stdlib.h>
#include <string.h>

#include "crucible/exit.h"
#include "crucible/jvshare.h"
#include "crucible/kretry.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/objects.h"
#include "crucible/buf.h"
#include "verify.h"

/* name TAB type TAB key... per Secret; the escapes keep a -v trace on one line. */
#define TAB "{{\"\\t\"}}"
#define NL "{{\"\\n\"}}"
#define KEYS_TEMPLATE \
	"{{range .items}}{{.metadata.name}}" TAB "{{.type}}{{range $k, $v := .data}}" TAB "{{$k}}{{end}}" NL "{{end}}"

enum cr_run_result verify_kubectl(struct verify *v, struct cr_child *c, const char *what, bool may_fail)
{
	struct cr_retry how = { .started = &v->kubectl_calls };
	return cr_kubectl_run_or_die(c, &how, what, may_fail);
}

/* Each object on its own line (compact JSON), parsed as it arrives: the text is never held whole. */
#define ITEMS_TEMPLATE "jsonpath={range .items[*]}{@}{\"\\n\"}{end}"

struct items {
	struct verify *v;
	struct cr_child *c;
	pid_t pid;   /* the attempt the items so far came from */
	bool bad;
	struct cr_jvshare *shared; /* pods of one workload share most of their tree */
	char *status; /* a failed API Status in the output: its message */
};

static int take_item(const char *line, size_t len, void *ctx)
{
	struct items *it = ctx;
	if (it->c->pid != it->pid) { /* a retry starts over: a failed attempt may have printed some */
		jv_free(it->v->live);
		it->v->live = jv_array();
		it->pid = it->c->pid;
		it->bad = false;
		free(it->status);
		it->status = NULL;
	}
	if (!len)
		return 0;
	jv o = cr_jvshare_parse(it->shared, line, len);
	const char *status = cr_objects_status_error(o);
	if (status && !it->status)
		it->status = cr_xstrdup(status);
	if (status)
		jv_free(o);
	else if (jv_get_kind(o) == JV_KIND_OBJECT)
		it->v->live = jv_array_append(it->v->live, o);
	else {
		jv_free(o);
		it->bad = true;
	}
	return 0;
}

static void collect_objects(struct verify *v)
{
	struct cr_child c = CR_CHILD_INIT;
	struct items it = { .v = v, .c = &c, .pid = -1, .shared = cr_jvshare_new() };
	jv res = verify_jq("verify-kinds", jv_copy(v->manifests));
	cr_kubectl_args(&c, false);
	cr_strv_pushl(&c.args, "get", jv_string_value(res), "-n", v->namespace, "-o", ITEMS_TEMPLATE,
		      (const char *)NULL);
	jv_free(res);
	c.on_line = take_item;
	c.ctx = &it;
	v->live = jv_array();
	verify_kubectl(v, &c, "listing the namespace's objects", false);
	cr_child_clear(&c);
	cr_jvshare_free(it.shared);
	if (it.status)
		cr_die(CR_EXIT_KUBECTL, "listing the namespace's objects: the server answered an error: %s", it.status);
	if (it.bad)
		cr_die(CR_EXIT_KUBECTL, "listing the namespace's objects: kubectl printed malformed JSON");
}

/* One template line: name, type, then the key names. */
static jv secret_line(char *line)
{
	jv keys = jv_array(), name = jv_null(), type = jv_null();
	int i = 0;
	for (char *save = NULL, *f = strtok_r(line, "\t", &save); f; f = strtok_r(NULL, "\t", &save), i++) {
		if (i == 0)
			name = jv_string(f);
		else if (i == 1)
			type = jv_string(strcmp(f, "<no value>") ? f : "Opaque");
		else
			keys = jv_array_append(keys, jv_string(f));
	}
	return JV_OBJECT(jv_string("kind"), jv_string("Secret"),
			 jv_string("metadata"), JV_OBJECT(jv_string("name"), name),
			 jv_string("type"), type, jv_string("keys"), keys);
}

static void collect_secrets(struct verify *v)
{
	struct cr_child c = CR_CHILD_INIT;
	cr_kubectl_args(&c, false);
	cr_strv_pushl(&c.args, "get", "secrets", "-n", v->namespace, "-o", "go-template=" KEYS_TEMPLATE,
		      (const char *)NULL);
	verify_kubectl(v, &c, "listing the namespace's Secrets (key names)", false);
	cr_objects_not_json(c.out.data, c.out.len, "listing the namespace's Secrets (key names)");
	v->secrets = jv_array();
	char *save = NULL;
	for (char *line = c.out.data ? strtok_r(c.out.data, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strchr(line, '\t')) /* the template always prints name and type */
			cr_die(CR_EXIT_KUBECTL, "listing the namespace's Secrets (key names): "
						"kubectl printed a line the template does not make");
		v->secrets = jv_array_append(v->secrets, secret_line(line));
	}
	cr_child_clear(&c);
}

void verify_collect(struct verify *v)
{
	jv_free(v->live);
	jv_free(v->secrets);
	collect_objects(v);
	if (verify_area_wanted(v, "Config") || verify_area_wanted(v, "Presence"))
		collect_secrets(v);
	else
		v->secrets = jv_array(); /* only Config and Presence read the key names */
}
