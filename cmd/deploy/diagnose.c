/*
 * The diagnosis the guide's Troubleshooting section gives, done for the user
 * at the moment the deploy stops:
 *   CrashLoopBackOff  exit code and the last 20 lines of the previous container's log
 *   Pending           the scheduler's or the provisioner's event
 *   image errors      the image and the kubelet's event
 *   config errors     the kubelet's message (usually a missing Secret or key)
 */
#include <string.h>

#include "crucible/exit.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "deploy.h"

#define LOG_LINES "20"

static jv previous_log(struct deploy *d, const char *pod, const char *container)
{
	struct cr_child c = CR_CHILD_INIT;
	cr_kubectl_args(&c, false);
	cr_strv_pushl(&c.args, "logs", "-n", d->namespace, pod, "-c", container, "--previous",
		      "--tail", LOG_LINES, (const char *)NULL);
	enum cr_run_result r = deploy_kubectl(d, &c, true);
	jv out = r == CR_RUN_OK ? jv_string(cr_buf_str(&c.out))
				: jv_string_fmt("(no log: %s)", cr_kubectl_failure(&c, r));
	cr_child_clear(&c);
	return out;
}

/* Warning events of the pod and its claims, through one LIST of the namespace's events. */
static jv events_for(struct deploy *d, jv names)
{
	struct cr_child c = CR_CHILD_INIT;
	cr_kubectl_args(&c, false);
	cr_strv_pushl(&c.args, "get", "events", "-n", d->namespace, "-o", "json", (const char *)NULL);
	enum cr_run_result r = deploy_kubectl(d, &c, true);
	jv events = r == CR_RUN_OK ? cr_objects_parse(c.out.data, c.out.len) : jv_array();
	cr_child_clear(&c);
	if (!jv_is_valid(events))
		events = jv_array();
	return jq_run1("deploy-events", JV_OBJECT(jv_string("events"), events, jv_string("names"), names));
}

static jv claim_names(jv pod)
{
	jv out = jv_array();
	jv vols = jv_getpath(jv_copy(pod), JV_ARRAY(jv_string("spec"), jv_string("volumes")));
	if (jv_get_kind(vols) == JV_KIND_ARRAY) {
		jv_array_foreach(vols, i, v) {
			jv claim = jv_getpath(v, JV_ARRAY(jv_string("persistentVolumeClaim"), jv_string("claimName")));
			if (jv_get_kind(claim) == JV_KIND_STRING)
				out = jv_array_append(out, claim);
			else
				jv_free(claim);
		}
	}
	jv_free(vols);
	return out;
}

static void print_events(jv events)
{
	if (jv_array_length(jv_copy(events)) == 0)
		fprintf(stderr, "  (no warning events)\n");
	jv_array_foreach(events, i, e) {
		fprintf(stderr, "  %s %s (%s): %s\n", cr_json_str(e, "object"), cr_json_str(e, "reason"), cr_json_str(e, "source"),
			cr_json_str(e, "message"));
		jv_free(e);
	}
	jv_free(events);
}

static void print_log(jv log)
{
	const char *s = jv_string_value(log);
	while (*s) {
		const char *nl = strchr(s, '\n');
		int n = nl ? (int)(nl - s) : (int)strlen(s);
		fprintf(stderr, "  | %.*s\n", n, s);
		s += n + (nl ? 1 : 0);
	}
}

static jv diagnose_pod(struct deploy *d, jv workload, jv pod, jv sign)
{
	jv md = jv_object_get(jv_copy(pod), jv_string("metadata"));
	jv podname = jv_string(cr_json_str(md, "name"));
	jv_free(md);
	const char *name = jv_string_value(podname), *s = cr_json_str(sign, "sign");
	const char *container = cr_json_str(sign, "container"), *ref = cr_json_str(workload, "ref");
	jv out = JV_OBJECT(jv_string("workload"), jv_string(ref), jv_string("pod"), jv_copy(podname),
			   jv_string("sign"), jv_string(s), jv_string("container"), jv_string(container),
			   jv_string("message"), jv_string(cr_json_str(sign, "message")));

	if (!strcmp(s, "crashloop")) {
		jv code = jv_object_get(jv_copy(sign), jv_string("exitCode"));
		if (jv_get_kind(code) == JV_KIND_NUMBER)
			cr_error("%s: pod %s is in CrashLoopBackOff: container %s exited with code %d%s%s",
				 ref, name, container, (int)jv_number_value(code),
				 *cr_json_str(sign, "reason") ? " " : "", cr_json_str(sign, "reason"));
		else
			cr_error("%s: pod %s is in CrashLoopBackOff (container %s)", ref, name, container);
		out = jv_object_set(out, jv_string("exitCode"), code);
		jv log = previous_log(d, name, container);
		fprintf(stderr, "  last %s lines of the previous container's log (kubectl logs -n %s %s -c %s --previous):\n",
			LOG_LINES, d->namespace, name, container);
		print_log(log);
		out = jv_object_set(out, jv_string("log"), log);
	} else if (!strcmp(s, "config")) {
		cr_error("%s: pod %s cannot start container %s: %s", ref, name, container, cr_json_str(sign, "message"));
		if (strstr(cr_json_str(sign, "message"), "secret") || strstr(cr_json_str(sign, "message"), "Secret"))
			fprintf(stderr, "  a Secret it needs is missing: run 'kubectl crucible secrets apply'\n");
	} else {
		if (!strcmp(s, "unschedulable"))
			cr_error("%s: pod %s stays Pending: %s", ref, name, cr_json_str(sign, "message"));
		else
			cr_error("%s: pod %s cannot pull image %s for container %s: %s", ref, name,
				 cr_json_str(sign, "image"), container, cr_json_str(sign, "message"));
		out = jv_object_set(out, jv_string("image"), jv_string(cr_json_str(sign, "image")));
		jv names = jv_array_concat(JV_ARRAY(jv_copy(podname)), claim_names(pod));
		jv events = events_for(d, names);
		fprintf(stderr, "  events:\n");
		print_events(jv_copy(events));
		out = jv_object_set(out, jv_string("events"), events);
	}
	jv_free(podname);
	jv_free(pod);
	jv_free(sign);
	jv_free(workload);
	return out;
}

jv deploy_diagnose(struct deploy *d, jv workload, jv pod, jv sign)
{
	if (jv_get_kind(pod) == JV_KIND_OBJECT && jv_get_kind(sign) == JV_KIND_OBJECT)
		return diagnose_pod(d, workload, pod, sign);
	/* The workload itself failed (e.g. its progress deadline passed). */
	jv row = jv_object_get(jv_copy(d->workloads), jv_string(cr_json_str(workload, "key")));
	cr_error("%s failed%s%s", cr_json_str(workload, "ref"), jv_is_valid(row) ? ": " : "",
		 jv_is_valid(row) ? cr_json_str(row, "message") : "");
	jv out = JV_OBJECT(jv_string("workload"), jv_string(cr_json_str(workload, "ref")),
			   jv_string("message"), jv_string(jv_is_valid(row) ? cr_json_str(row, "message") : "failed"));
	jv_free(row);
	jv_free(pod);
	jv_free(sign);
	jv_free(workload);
	return out;
}
