/*
 * Preflight: what the migration needs, checked before anything is created.
 * The namespace, the base's ServiceAccount, NetworkPolicy and postgres
 * StatefulSet in one kubectl get; the Secret's key names (never its values:
 * a go-template prints only the keys); the permissions in one batch of
 * SelfSubjectAccessReviews (what `kubectl auth can-i` sends); then postgres
 * ready, watched until it is or the timeout runs out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crucible/exit.h"
#include "crucible/jq.h"
#include "crucible/json.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/objects.h"
#include "crucible/util.h"
#include "migrate.h"

#define KEYS_TEMPLATE "{{.kind}}{{\"\\n\"}}{{range $k, $v := .data}}{{$k}}{{\"\\n\"}}{{end}}"

static jv live_objects(const struct migrate *m)
{
	struct cr_child c = CR_CHILD_INIT;
	char ns[300];
	snprintf(ns, sizeof(ns), "namespace/%s", m->namespace);
	cr_kubectl_args(&c, false);
	cr_strv_pushl(&c.args, "get", "-n", m->namespace, ns, "serviceaccount/db-migrate",
		      "networkpolicies.networking.k8s.io/db-migrate", "statefulsets.apps/postgres",
		      "deployments.apps/storage-service", "--ignore-not-found", "-o", "json", (const char *)NULL);
	mig_kubectl(m, &c, "reading the namespace and the base's objects", true, false);
	jv objects = cr_objects_parse_or_die(cr_buf_str(&c.out), c.out.len, "reading the base's objects");
	cr_child_clear(&c);
	return objects;
}

/* The key names of Secret db-credentials, or null when it does not exist. */
static jv secret_keys(const struct migrate *m)
{
	struct cr_child c = CR_CHILD_INIT;
	cr_kubectl_args(&c, false);
	cr_strv_pushl(&c.args, "get", "secret", "db-credentials", "-n", m->namespace, "--ignore-not-found",
		      "-o", "go-template=" KEYS_TEMPLATE, (const char *)NULL);
	mig_kubectl(m, &c, "reading the key names of Secret db-credentials", true, false);
	cr_objects_not_json(c.out.data, c.out.len, "reading the key names of Secret db-credentials");
	jv keys = jv_null();
	char *save = NULL;
	for (char *line = c.out.data ? strtok_r(c.out.data, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		keys = jv_get_kind(keys) == JV_KIND_NULL ? jv_array() : jv_array_append(keys, jv_string(line));
	cr_child_clear(&c);
	return keys;
}

static void check_permissions(const struct migrate *m)
{
	struct cr_child c = CR_CHILD_INIT;
	struct cr_buf text = CR_BUF_INIT;
	cr_objects_stream(cr_jq_named_first("migrate-reviews", JV_OBJECT(jv_string("namespace"),
		jv_string(m->namespace), jv_string("backup"), jv_bool(m->backup))), &text);
	cr_kubectl_args(&c, false);
	cr_strv_pushl(&c.args, "create", "--validate=false", "-f", "-", "-o", "json", (const char *)NULL);
	c.in = text.data;
	c.in_len = text.len;
	mig_kubectl(m, &c, "checking permissions (SelfSubjectAccessReview)", true, false);
	jv denied = cr_jq_collect(cr_jq_named("migrate-denied"), cr_objects_parse_or_die(cr_buf_str(&c.out), c.out.len,
		"checking permissions (SelfSubjectAccessReview)"));
	cr_child_clear(&c);
	cr_buf_free(&text);
	int n = jv_is_valid(denied) ? jv_array_length(jv_copy(denied)) : 0;
	jv_array_foreach(denied, i, line) {
		cr_error("forbidden: %s", jv_string_value(line));
		jv_free(line);
	}
	jv_free(denied);
	if (n)
		cr_die(CR_EXIT_KUBECTL, "%d permission(s) missing for the migration; nothing was created", n);
}

struct pgwait {
	jv sts;
	bool ready;
};

static bool current(jv sts)
{
	jv st = cr_jq_first(cr_jq_named("kstatus"), jv_copy(sts));
	bool ok = jv_is_valid(st) && !strcmp(cr_json_str(st, "status"), "Current");
	jv_free(st);
	return ok;
}

static void on_postgres(const char *type, jv obj, void *ctx)
{
	struct pgwait *w = ctx;
	if (!strcmp(type, "DELETED")) {
		jv_free(obj);
		return;
	}
	w->ready = current(obj);
	jv_free(w->sts);
	w->sts = obj;
}

/* Watches the StatefulSet until it is ready; exits 5 at the deadline, 130 on a signal. */
static void wait_postgres(struct migrate *m, jv sts)
{
	char buf[32];
	struct pgwait w = { .sts = sts, .ready = false };
	if (m->deadline_ms)
		cr_info("waiting for StatefulSet postgres to be ready (up to %s)...",
			mig_duration(m->deadline_ms - cr_now_ms(), buf));
	else
		cr_info("waiting for StatefulSet postgres to be ready...");
	struct cr_procs *g = cr_procs_new();
	struct cr_watches *ws = cr_watches_new(g, NULL);
	cr_watch_add(ws, &(struct cr_watch_spec){ .resource = "statefulsets.apps", .namespace = m->namespace,
						  .name = "postgres" }, on_postgres, &w);
	struct cr_watch *bad = cr_watches_start(ws);
	while (!bad && !w.ready && !cr_interrupted() && (!m->deadline_ms || cr_now_ms() < m->deadline_ms))
		bad = cr_watches_poll(ws, 200);
	if (bad && !cr_interrupted())
		mig_watch_failed(bad);
	cr_procs_free(g);
	cr_watches_free(ws);
	jv_free(w.sts);
	if (cr_interrupted())
		cr_die(CR_EXIT_INTERRUPTED, "interrupted while waiting for postgres; nothing was created");
	if (!w.ready)
		cr_die(CR_EXIT_TIMEOUT, "StatefulSet postgres is not ready after --timeout %s; nothing was created",
		       mig_duration(m->timeout_ms, buf));
	cr_info("StatefulSet postgres is ready");
}

void mig_preflight(struct migrate *m)
{
	jv objects = live_objects(m);
	bool ns_exists = false;
	jv_array_foreach(objects, i, o) {
		ns_exists |= !strcmp(cr_json_str(o, "kind"), "Namespace");
		jv_free(o);
	}
	jv keys = ns_exists ? secret_keys(m) : jv_null();
	jv found = cr_jq_named_first("migrate-preflight", JV_OBJECT(jv_string("objects"), objects,
		jv_string("keys"), keys, jv_string("namespace"), jv_string(m->namespace)));
	jv missing = jv_object_get(jv_copy(found), jv_string("missing"));
	int n = jv_array_length(jv_copy(missing));
	jv_array_foreach(missing, i, line) {
		cr_error("%s", jv_string_value(line));
		jv_free(line);
	}
	jv_free(missing);
	if (n) {
		jv_free(found);
		cr_die(CR_EXIT_FAILED, "preflight: %d problem(s); nothing was created", n);
	}
	jv running = jv_object_get(jv_copy(found), jv_string("running"));
	if (!m->image_flag && jv_get_kind(running) == JV_KIND_STRING && strcmp(jv_string_value(running), m->image))
		cr_warn("the cluster's storage-service runs %s; migrating with the manifests' %s (the schema must "
			"match the code about to run)", jv_string_value(running), m->image);
	jv_free(running);
	check_permissions(m);
	jv sts = jv_object_get(found, jv_string("postgres"));
	if (!current(sts))
		wait_postgres(m, sts);
	else
		jv_free(sts);
}
