/*
 * What the cluster holds, in two kubectl processes whatever the number of
 * objects: one `get` of every kind the checks read (events included), and
 * one of the Secrets through a Go template that prints names, types and key
 * names, so no Secret value ever reaches this process.
 */
#include <string.h>

#include "crucible/exit.h"
#include "crucible/kretry.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "verify.h"

/* name TAB type TAB key... per Secret; the escapes keep a -v trace on one line. */
#define TAB "{{\"\\t\"}}"
#define NL "{{\"\\n\"}}"
#define KEYS_TEMPLATE \
	"{{range .items}}{{.metadata.name}}" TAB "{{.type}}{{range $k, $v := .data}}" TAB "{{$k}}{{end}}" NL "{{end}}"

enum cr_run_result verify_kubectl(struct verify *v, struct cr_child *c, const char *what, bool may_fail)
{
	int attempts = 0;
	enum cr_run_result r = cr_kubectl_run_retry(c, &attempts);
	v->kubectl_calls += attempts;
	if (r == CR_RUN_INTERRUPTED || cr_interrupted())
		cr_die(CR_EXIT_INTERRUPTED, "interrupted while %s", what);
	if (r != CR_RUN_OK && !may_fail) {
		int code = cr_kubectl_exit_code(r);
		cr_die(code == CR_EXIT_OK ? CR_EXIT_KUBECTL : code, "%s: %s", what, cr_kubectl_failure(c, r));
	}
	return r;
}

static jv list_items(struct cr_child *c)
{
	jv list = jv_parse_sized(cr_buf_str(&c->out), (int)c->out.len);
	if (!jv_is_valid(list)) {
		jv_free(list);
		cr_die(CR_EXIT_KUBECTL, "listing the namespace's objects: kubectl printed malformed JSON");
	}
	jv items = jv_object_get(list, jv_string("items"));
	if (jv_get_kind(items) != JV_KIND_ARRAY) {
		jv_free(items);
		return jv_array();
	}
	return items;
}

static void collect_objects(struct verify *v)
{
	struct cr_child c = CR_CHILD_INIT;
	jv res = verify_jq("verify-kinds", jv_copy(v->manifests));
	cr_kubectl_args(&c, false);
	cr_strv_pushl(&c.args, "get", jv_string_value(res), "-n", v->namespace, "-o", "json", (const char *)NULL);
	jv_free(res);
	verify_kubectl(v, &c, "listing the namespace's objects", false);
	v->live = list_items(&c);
	cr_child_clear(&c);
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
	v->secrets = jv_array();
	char *save = NULL;
	for (char *line = c.out.data ? strtok_r(c.out.data, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		v->secrets = jv_array_append(v->secrets, secret_line(line));
	cr_child_clear(&c);
}

void verify_collect(struct verify *v)
{
	jv_free(v->live);
	jv_free(v->secrets);
	collect_objects(v);
	collect_secrets(v);
}
