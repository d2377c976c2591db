/*
 * --watch: after each report, wait on watch streams (common/watch.h) until
 * something verify reads has changed, and at least INTERVAL has passed
 * since the last run. A change is an object whose resourceVersion differs
 * from the one the last run read, one it did not read, or a deletion; each
 * stream's first listing repeats the objects already read, which are not
 * changes. verify's own probe pods are not either. No stream runs while
 * verify checks, so Ctrl-C at any point leaves no kubectl behind.
 */
#include <string.h>

#include "crucible/exit.h"
#include "crucible/json.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/procs.h"
#include "crucible/run.h"
#include "crucible/util.h"
#include "crucible/watch.h"
#include "verify.h"

/* What the checks read that changes when the platform's health does. */
static const char *const watched[] = {
	"pods", "deployments.v1.apps", "statefulsets.v1.apps", "daemonsets.v1.apps", "services",
	"persistentvolumeclaims", "networkpolicies.v1.networking.k8s.io", "configmaps", NULL,
};

struct seen {
	jv versions;   /* {"Kind/name": resourceVersion} as the last run read them */
	char what[256]; /* the first change, for the message */
	bool changed;
};

/* "Kind/name" of obj (consumed). */
static jv key_of(jv obj)
{
	jv md = jv_object_get(jv_copy(obj), jv_string("metadata"));
	jv key = jv_string_fmt("%s/%s", cr_json_str(obj, "kind"), cr_json_str(md, "name"));
	jv_free(md);
	jv_free(obj);
	return key;
}

static bool ours(jv obj)
{
	jv by = jv_getpath(jv_copy(obj), JV_ARRAY(jv_string("metadata"), jv_string("labels"),
						  jv_string("app.kubernetes.io/created-by")));
	bool yes = jv_get_kind(by) == JV_KIND_STRING && !strcmp(jv_string_value(by), "kubectl-crucible-verify");
	jv_free(by);
	return yes;
}

static void on_event(const char *type, jv obj, void *ctx)
{
	struct seen *s = ctx;
	if (s->changed || ours(obj)) {
		jv_free(obj);
		return;
	}
	jv key = key_of(jv_copy(obj));
	jv had = jv_object_get(jv_copy(s->versions), jv_copy(key));
	jv rv = jv_getpath(jv_copy(obj), JV_ARRAY(jv_string("metadata"), jv_string("resourceVersion")));
	bool same = jv_get_kind(had) == JV_KIND_STRING && jv_get_kind(rv) == JV_KIND_STRING &&
		    !strcmp(jv_string_value(had), jv_string_value(rv));
	if (!strcmp(type, "DELETED") || !same) {
		s->changed = true;
		snprintf(s->what, sizeof(s->what), "%s %s", jv_string_value(key),
			 !strcmp(type, "DELETED") ? "deleted" : jv_get_kind(had) == JV_KIND_STRING ? "changed" : "added");
	}
	jv_free(had);
	jv_free(rv);
	jv_free(key);
	jv_free(obj);
}

static jv versions(struct verify *v)
{
	jv out = jv_object();
	jv_array_foreach(v->live, i, o) {
		jv rv = jv_getpath(jv_copy(o), JV_ARRAY(jv_string("metadata"), jv_string("resourceVersion")));
		if (jv_get_kind(rv) == JV_KIND_STRING)
			out = jv_object_set(out, key_of(jv_copy(o)), rv);
		else
			jv_free(rv);
		jv_free(o);
	}
	return out;
}

void verify_watch_wait(struct verify *v, long long last_run_ms)
{
	struct seen s = { .versions = versions(v) };
	struct cr_procs *g = cr_procs_new();
	struct cr_watches *ws = cr_watches_new(g, &v->kubectl_calls);
	for (int i = 0; watched[i]; i++)
		cr_watch_add(ws, &(struct cr_watch_spec){ .resource = watched[i], .namespace = v->namespace },
			     on_event, &s);
	struct cr_watch *failed = cr_watches_start(ws);
	while (!failed && !cr_interrupted() && (!s.changed || cr_now_ms() - last_run_ms < v->watch_interval_ms))
		failed = cr_watches_poll(ws, 200);
	cr_procs_free(g); /* every stream ends here, before verify runs again or exits */
	jv_free(s.versions);
	if (cr_interrupted()) {
		cr_watches_free(ws);
		cr_die(CR_EXIT_INTERRUPTED, "interrupted; no watch left running");
	}
	if (failed) {
		char msg[512];
		snprintf(msg, sizeof(msg), "watching %s: %s", failed->resource,
			 failed->start_failed ? "cannot start kubectl" : cr_kubectl_failure(&failed->child, failed->result));
		cr_watches_free(ws);
		cr_die(CR_EXIT_KUBECTL, "%s", msg);
	}
	cr_watches_free(ws);
	cr_info("%s; verifying again", s.what);
}
