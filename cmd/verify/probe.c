/*
 * --dns and --db: the guide's "kubectl run -it --rm debug --image=busybox
 * ... nslookup" and "kubectl run -it --rm psql ...", done without a
 * terminal. The cluster may offer no exec or attach (the project's simulator
 * has neither), so each probe is a one-shot pod whose result is read from
 * its status and its log. The pod is deleted afterwards whatever happened:
 * success, failure, timeout or Ctrl-C (in a cleanup section).
 */
#include <stdlib.h>
#include <string.h>

#include "crucible/exit.h"
#include "crucible/jstream.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/json.h"
#include "verify.h"

#define PROBE_TIMEOUT_MS 120000

static jv probe_failed(struct verify *v, const char *id, const char *why)
{
	return JV_ARRAY(JV_OBJECT(jv_string("id"), jv_string(id), jv_string("level"), jv_string("FAIL"),
				  jv_string("object"), jv_string("Pod/crucible-verify-probe"),
				  jv_string("message"), jv_string(why),
				  jv_string("hint"), jv_string_fmt("kubectl get events -n %s --field-selector involvedObject.kind=Pod",
								   v->namespace)));
}

/* Creates the pod; returns its name (malloc'd) or NULL with *why set. */
static char *create_pod(struct verify *v, jv pod, const char **why)
{
	struct cr_child c = CR_CHILD_INIT;
	jv text = jv_dump_string(pod, 0);
	cr_kubectl_args(&c, false);
	cr_strv_pushl(&c.args, "create", "-n", v->namespace, "-f", "-", "-o", "jsonpath={.metadata.name}",
		      (const char *)NULL);
	c.in = jv_string_value(text);
	c.in_len = strlen(c.in);
	enum cr_run_result r = verify_kubectl(v, &c, "creating the probe pod", true);
	char *name = NULL;
	static char reason[512];
	if (r == CR_RUN_OK && c.out.len)
		name = cr_xstrdup(c.out.data);
	else
		snprintf(reason, sizeof(reason), "the probe pod could not be created: %s", cr_kubectl_failure(&c, r));
	*why = reason;
	cr_child_clear(&c);
	jv_free(text);
	return name;
}

struct phase_watch {
	struct cr_jstream js;
	jv phase;
};

static int on_pod(jv pod, void *ctx)
{
	struct phase_watch *pw = ctx;
	jv phase = jv_getpath(pod, JV_ARRAY(jv_string("status"), jv_string("phase")));
	bool done = jv_get_kind(phase) == JV_KIND_STRING &&
		    (!strcmp(jv_string_value(phase), "Succeeded") || !strcmp(jv_string_value(phase), "Failed"));
	jv_free(pw->phase);
	pw->phase = phase;
	return done; /* stops the watch */
}

/* Watches the pod until it has finished; returns its last phase (a string, or null). */
static jv wait_done(struct verify *v, const char *name)
{
	struct cr_child c = CR_CHILD_INIT;
	struct phase_watch pw = { .phase = jv_null() };
	cr_jstream_init(&pw.js, on_pod, &pw);
	cr_kubectl_args(&c, false);
	cr_strv_pushl(&c.args, "get", "pod", name, "-n", v->namespace, "--watch", "-o", "json", (const char *)NULL);
	c.on_line = cr_jstream_line;
	c.ctx = &pw.js;
	c.timeout_ms = PROBE_TIMEOUT_MS;
	v->kubectl_calls++;
	cr_kubectl_run(&c);
	cr_jstream_free(&pw.js);
	cr_child_clear(&c);
	return pw.phase;
}

static jv pod_log(struct verify *v, const char *name)
{
	struct cr_child c = CR_CHILD_INIT;
	cr_kubectl_args(&c, false);
	cr_strv_pushl(&c.args, "logs", name, "-n", v->namespace, (const char *)NULL);
	jv lines = jv_array();
	if (!cr_interrupted() && verify_kubectl(v, &c, "reading the probe's log", true) == CR_RUN_OK) {
		char *save = NULL;
		for (char *l = c.out.data ? strtok_r(c.out.data, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save))
			lines = jv_array_append(lines, jv_string(l));
	}
	cr_child_clear(&c);
	return lines;
}

/* Deleted even after Ctrl-C: a probe pod is ours and must not stay behind. */
static void delete_pod(struct verify *v, const char *name)
{
	struct cr_child c = CR_CHILD_INIT;
	cr_cleanup_begin();
	cr_kubectl_args(&c, false);
	cr_strv_pushl(&c.args, "delete", "pod", name, "-n", v->namespace, "--ignore-not-found", "--wait=false",
		      (const char *)NULL);
	v->kubectl_calls++;
	enum cr_run_result r = cr_kubectl_run(&c);
	if (r != CR_RUN_OK)
		cr_error("could not delete the probe pod %s (kubectl delete pod %s -n %s): %s", name, name,
			 v->namespace, cr_kubectl_failure(&c, r));
	cr_child_clear(&c);
	cr_cleanup_end();
}

static jv service_names(struct verify *v)
{
	jv names = jv_array();
	jv_array_foreach(v->live, i, o) {
		if (!strcmp(cr_json_str(o, "kind"), "Service")) {
			jv md = jv_object_get(jv_copy(o), jv_string("metadata"));
			names = jv_array_append(names, jv_string(cr_json_str(md, "name")));
			jv_free(md);
		}
		jv_free(o);
	}
	return names;
}

static jv run_probe(struct verify *v, const char *probe)
{
	const char *id = !strcmp(probe, "dns") ? "probe-dns" : "probe-db";
	jv pod = verify_jq("verify-probe", JV_OBJECT(jv_string("probe"), jv_string(probe),
						     jv_string("namespace"), jv_string(v->namespace),
						     jv_string("live"), jv_copy(v->live)));
	if (jv_get_kind(jv_object_get(jv_copy(pod), jv_string("error"))) == JV_KIND_STRING) {
		jv out = probe_failed(v, id, cr_json_str(pod, "error"));
		jv_free(pod);
		return out;
	}
	const char *why = NULL;
	char *name = create_pod(v, pod, &why);
	if (!name)
		return probe_failed(v, id, why);
	cr_info("probe pod %s started (%s)", name, probe);
	jv phase = wait_done(v, name);
	jv log = pod_log(v, name);
	delete_pod(v, name);
	if (cr_interrupted()) {
		jv_free(phase);
		jv_free(log);
		free(name);
		cr_die(CR_EXIT_INTERRUPTED, "interrupted; the probe pod was deleted");
	}
	jv in = JV_OBJECT(jv_string("probe"), jv_string(probe), jv_string("pod"), jv_string(name),
			  jv_string("namespace"), jv_string(v->namespace),
			  jv_string("phase"), phase, jv_string("log"), log, jv_string("names"), service_names(v));
	free(name);
	return verify_jq("verify-probe-result", in);
}

void verify_probes(struct verify *v)
{
	static const char *const probes[][2] = { { "dns", "probe-dns" }, { "db", "probe-db" } };
	for (size_t i = 0; i < 2; i++) {
		if ((i == 0 && !v->dns) || (i == 1 && !v->db) || !verify_selected(v, probes[i][1], "Probes"))
			continue;
		jv found = run_probe(v, probes[i][0]);
		jv_array_foreach(found, j, c)
			v->checks = jv_array_append(v->checks, jv_object_set(c, jv_string("area"), jv_string("Probes")));
		jv_free(found);
	}
}
