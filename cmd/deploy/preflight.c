/*
 * Preflight: everything that can be known before anything is changed, in
 * three kubectl calls whatever the number of objects: the server version,
 * one batch of SelfSubjectAccessReviews, and one LIST of the kinds involved
 * (which also gives deploy its "before" picture and the Secret key names).
 */
#include <stdlib.h>
#include <string.h>

#include "crucible/exit.h"
#include "crucible/jq.h"
#include "crucible/jstream.h"
#include "crucible/kubectl.h"
#include "crucible/kretry.h"
#include "crucible/kstart.h"
#include "crucible/log.h"
#include "crucible/procs.h"
#include "deploy.h"

#define MIN_MINOR 20 /* the guide's prerequisites: Kubernetes 1.20+ */

/* Groups whose kinds exist in every cluster; others may come from a CRD in the input. */
static const char *const builtin_groups[] = {
	"", "apps", "batch", "networking.k8s.io", "policy", "autoscaling", "rbac.authorization.k8s.io",
	"storage.k8s.io", "scheduling.k8s.io", "apiextensions.k8s.io", "node.k8s.io",
	"admissionregistration.k8s.io", "coordination.k8s.io", "discovery.k8s.io", NULL,
};

static bool builtin_group(const char *g)
{
	for (const char *const *p = builtin_groups; *p; p++)
		if (!strcmp(*p, g))
			return true;
	return false;
}

static void version_args(struct cr_child *c)
{
	cr_kubectl_args(c, false);
	cr_strv_pushl(&c->args, "version", "-o", "json", (const char *)NULL);
}

static void check_version(struct deploy *d, struct cr_child *cp, enum cr_run_result r)
{
	struct cr_child *c = cp;
	jv v = jv_parse(cr_buf_str(&c->out));
	jv minor = jv_getpath(jv_copy(v), JV_ARRAY(jv_string("serverVersion"), jv_string("minor")));
	jv major = jv_getpath(v, JV_ARRAY(jv_string("serverVersion"), jv_string("major")));
	if (jv_get_kind(minor) != JV_KIND_STRING || jv_get_kind(major) != JV_KIND_STRING) {
		jv_free(minor);
		jv_free(major);
		deploy_kubectl_failed(d, "reaching the cluster (kubectl version)", c,
				      r == CR_RUN_OK ? CR_RUN_EXIT : r);
	}
	/* "32+" on some providers: atoi stops at the '+'. */
	int maj = atoi(jv_string_value(major)), min = atoi(jv_string_value(minor));
	cr_debug("server version %d.%d", maj, min);
	jv_free(minor);
	jv_free(major);
	cr_child_clear(c);
	if (maj == 1 && min < MIN_MINOR) {
		cr_error("the cluster runs Kubernetes 1.%d; the platform needs 1.%d or newer", min, MIN_MINOR);
		deploy_finish(d, CR_EXIT_FAILED, "failed",
			      JV_OBJECT(jv_string("error"), jv_string_fmt("Kubernetes 1.%d is too old", min)));
	}
}

/* One SelfSubjectAccessReview. */
static jv review(const char *verb, const char *group, const char *resource, const char *ns)
{
	jv attrs = JV_OBJECT(jv_string("verb"), jv_string(verb), jv_string("group"), jv_string(group),
			     jv_string("resource"), jv_string(resource));
	if (ns)
		attrs = jv_object_set(attrs, jv_string("namespace"), jv_string(ns));
	return JV_OBJECT(jv_string("apiVersion"), jv_string("authorization.k8s.io/v1"),
			 jv_string("kind"), jv_string("SelfSubjectAccessReview"),
			 jv_string("spec"), JV_OBJECT(jv_string("resourceAttributes"), attrs));
}

/* What deploy will do: apply every kind; read Secrets/ConfigMaps; watch what it waits on. */
static jv reviews(const struct deploy *d)
{
	jv out = jv_array();
	jv kinds = jv_object_get(jv_copy(d->plan), jv_string("kinds"));
	jv_array_foreach(kinds, i, k) {
		const char *ns = jv_get_kind(jv_object_get(jv_copy(k), jv_string("namespaced"))) == JV_KIND_TRUE
					 ? d->namespace : NULL;
		out = jv_array_append(out, review("create", cr_json_str(k, "group"), cr_json_str(k, "resource"), ns));
		out = jv_array_append(out, review("patch", cr_json_str(k, "group"), cr_json_str(k, "resource"), ns));
		jv_free(k);
	}
	jv_free(kinds);
	static const char *const reads[][3] = {
		{ "list", "", "secrets" }, { "list", "", "configmaps" }, { "watch", "", "pods" },
		{ "watch", "apps", "deployments" }, { "watch", "apps", "statefulsets" },
	};
	for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++)
		out = jv_array_append(out, review(reads[i][0], reads[i][1], reads[i][2], d->namespace));
	return out;
}

static void permissions_args(struct deploy *d, struct cr_child *c, struct cr_buf *text)
{
	cr_objects_stream(reviews(d), text);
	cr_kubectl_args(c, false);
	/* One process for every check: kubectl creates each review in turn. */
	cr_strv_pushl(&c->args, "create", "--validate=false", "-f", "-", "-o", "json", (const char *)NULL);
	c->in = text->data;
	c->in_len = text->len;
}

static void check_permissions(struct deploy *d, struct cr_child *cp, enum cr_run_result r)
{
	struct cr_child *c = cp;
	if (r != CR_RUN_OK)
		deploy_kubectl_failed(d, "checking permissions (SelfSubjectAccessReview)", c, r);
	jv results = cr_objects_parse_or_die(c->out.data, c->out.len, "checking permissions (SelfSubjectAccessReview)");
	cr_child_clear(c);
	int denied = 0;
	jv_array_foreach(results, i, rv) {
		jv allowed = jv_getpath(jv_copy(rv), JV_ARRAY(jv_string("status"), jv_string("allowed")));
		if (jv_get_kind(allowed) != JV_KIND_TRUE) {
			jv a = jv_getpath(jv_copy(rv), JV_ARRAY(jv_string("spec"), jv_string("resourceAttributes")));
			const char *g = cr_json_str(a, "group"), *ns = cr_json_str(a, "namespace");
			cr_error("forbidden: cannot %s %s%s%s%s%s (kubectl auth can-i %s %s%s%s%s%s: no)",
				 cr_json_str(a, "verb"), cr_json_str(a, "resource"), *g ? "." : "", g,
				 *ns ? " in namespace " : "", ns, cr_json_str(a, "verb"), cr_json_str(a, "resource"),
				 *g ? "." : "", g, *ns ? " -n " : "", ns);
			denied++;
			jv_free(a);
		}
		jv_free(allowed);
		jv_free(rv);
	}
	jv_free(results);
	if (denied)
		deploy_finish(d, CR_EXIT_KUBECTL, "forbidden",
			      JV_OBJECT(jv_string("error"), jv_string_fmt("%d permission(s) missing", denied)));
}

/* "deployments.apps,services,..." for one kubectl get. */
static void list_resources(const struct deploy *d, struct cr_buf *b)
{
	cr_buf_adds(b, "secrets,configmaps,storageclasses.storage.k8s.io");
	jv kinds = jv_object_get(jv_copy(d->plan), jv_string("kinds"));
	jv_array_foreach(kinds, i, k) {
		const char *res = cr_json_str(k, "resource"), *g = cr_json_str(k, "group");
		if (builtin_group(g) && strcmp(res, "secrets") && strcmp(res, "configmaps") &&
		    strcmp(res, "storageclasses"))
			cr_buf_addf(b, ",%s%s%s", res, *g ? "." : "", g);
		jv_free(k);
	}
	jv_free(kinds);
	if (d->prune) /* earlier deploys may have applied kinds this input no longer has */
		cr_buf_adds(b, ",deployments.apps,statefulsets.apps,daemonsets.apps,services,"
			       "serviceaccounts,persistentvolumeclaims,ingresses.networking.k8s.io,"
			       "networkpolicies.networking.k8s.io,roles.rbac.authorization.k8s.io,"
			       "rolebindings.rbac.authorization.k8s.io,poddisruptionbudgets.policy,"
			       "horizontalpodautoscalers.autoscaling");
}

static void list_args(struct deploy *d, struct cr_child *c)
{
	struct cr_buf res = CR_BUF_INIT;
	list_resources(d, &res);
	cr_kubectl_args(c, false);
	cr_strv_pushl(&c->args, "get", res.data, "-n", d->namespace, "-o", "json", "--show-managed-fields",
		      (const char *)NULL);
	cr_buf_free(&res);
}

static void list_live(struct deploy *d, struct cr_child *cp, enum cr_run_result r)
{
	struct cr_child *c = cp;
	if (r != CR_RUN_OK)
		deploy_kubectl_failed(d, "listing the cluster's objects", c, r);
	jv live = cr_objects_parse_or_die(c->out.data, c->out.len, "listing the cluster's objects");
	cr_child_clear(c); /* wipes: the list holds Secret values, never printed */
	jv_free(d->live);
	d->live = live;
}

static void check_references(struct deploy *d)
{
	jv in = JV_OBJECT(jv_string("objects"), jv_copy(d->all), jv_string("live"), jv_copy(d->live));
	jv missing = cr_jq_named_first("deploy-refs", in);
	int n = jv_array_length(jv_copy(missing));
	jv_array_foreach(missing, i, m) {
		cr_error("%s", cr_json_str(m, "message"));
		jv_free(m);
	}
	if (n)
		deploy_finish(d, CR_EXIT_FAILED, "failed",
			      JV_OBJECT(jv_string("error"), jv_string("missing references"), jv_string("missing"), missing));
	jv_free(missing);
}

static void check_storage(struct deploy *d)
{
	jv in = JV_OBJECT(jv_string("objects"), jv_copy(d->all), jv_string("live"), jv_copy(d->live));
	jv warnings = jq_run1("deploy-storage", in);
	jv_array_foreach(warnings, i, w) {
		cr_warn("%s", jv_string_value(w));
		jv_free(w);
	}
	jv_free(warnings);
}

/*
 * The three calls are independent: run them at once (a kubectl start costs
 * ~0.15 s), then retry one that failed transiently on its own.
 */
static void run_together(struct deploy *d, struct cr_child *cs, int n, enum cr_run_result *rs)
{
	struct cr_procs *g = cr_procs_new();
	long long left = deploy_time_left(d);
	for (int i = 0; i < n; i++) {
		rs[i] = CR_RUN_TIMEOUT;
		if (left == 0)
			continue; /* nothing started: the deadline has passed */
		/* Each call ends by the deadline, like every other of deploy's (deploy_kubectl). */
		cs[i].timeout_ms = left > 0 ? (left > 0x7fffffff ? 0x7fffffff : (int)left) : 0;
		rs[i] = CR_RUN_ERROR;
		if (cr_kubectl_start(g, &cs[i], &d->kubectl_calls) < 0)
			rs[i] = cs[i].not_found ? CR_RUN_NOT_FOUND : CR_RUN_ERROR;
	}
	while (cr_procs_poll(g, 1000) > 0)
		;
	struct cr_child *c;
	enum cr_run_result r;
	while ((c = cr_procs_finished(g, &r)))
		rs[c - cs] = r;
	cr_procs_free(g);
	if (cr_interrupted())
		deploy_finish(d, CR_EXIT_INTERRUPTED, "interrupted", jv_null());
	/* The first attempt was the group's: CR_RETRY_ATTEMPTS in all, as documented. */
	for (int i = 0; i < n; i++)
		if (rs[i] == CR_RUN_EXIT && cr_kubectl_transient(cr_buf_str(&cs[i].err))) {
			cr_debug("transient kubectl failure, retrying: %s", cr_kubectl_failure(&cs[i], rs[i]));
			rs[i] = deploy_kubectl_from(d, &cs[i], true, 1);
		}
}

void deploy_preflight(struct deploy *d)
{
	struct cr_child cs[3] = { CR_CHILD_INIT, CR_CHILD_INIT, CR_CHILD_INIT };
	enum cr_run_result rs[3];
	struct cr_buf reviews_text = CR_BUF_INIT;

	d->phase = NULL;
	version_args(&cs[0]);
	permissions_args(d, &cs[1], &reviews_text);
	list_args(d, &cs[2]);
	run_together(d, cs, 3, rs);
	cr_buf_free(&reviews_text);
	cs[1].in = NULL;
	check_version(d, &cs[0], rs[0]);
	check_permissions(d, &cs[1], rs[1]);
	list_live(d, &cs[2], rs[2]);
	check_references(d);
	check_storage(d);
}
