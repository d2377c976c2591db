/*
 * The checks: one jq program per area over one input (the manifests, the
 * cluster's objects, the Secrets' key names, and kstatus.jq's verdict on
 * every workload, pod and claim, judged as deploy judges them).
 */
#include <string.h>
#include <strings.h>

#include "crucible/exit.h"
#include "crucible/jq.h"
#include "crucible/log.h"
#include "crucible/json.h"
#include "verify.h"

/* Every check ID and its area: stable names users --skip and CI dashboards track. */
const char *const verify_ids[][2] = {
	{ "presence", "Presence" }, { "leftover", "Presence" },
	{ "workload-ready", "Workloads" }, { "pod-ready", "Workloads" }, { "pod-image-pull", "Workloads" },
	{ "pod-crashloop", "Workloads" }, { "pod-pending", "Workloads" }, { "pod-config", "Workloads" },
	{ "pod-oomkilled", "Workloads" }, { "pod-restarts", "Workloads" },
	{ "service-endpoints", "Services" }, { "service-selector", "Services" },
	{ "service-target-port", "Services" }, { "ingress-backend", "Services" }, { "service-dns", "Services" },
	{ "pvc-bound", "Storage" }, { "pvc-spec", "Storage" },
	{ "config-ref", "Config" },
	{ "sec-non-root", "Security" }, { "sec-run-as-user", "Security" }, { "sec-read-only-root", "Security" },
	{ "sec-privilege-escalation", "Security" }, { "sec-capabilities", "Security" },
	{ "sec-seccomp", "Security" }, { "sec-resources", "Security" }, { "sec-probes", "Security" },
	{ "sec-emptydir", "Security" }, { "sec-hostpath", "Security" }, { "sec-sa-token", "Security" },
	{ "netpol-default-deny", "Security" }, { "netpol-coverage", "Security" }, { "rbac", "Security" },
	{ "psa-labels", "Security" },
	{ "probe-dns", "Probes" }, { "probe-db", "Probes" },
	{ NULL, NULL },
};

bool verify_known_id(const char *id)
{
	for (int i = 0; verify_ids[i][0]; i++)
		if (!strcasecmp(verify_ids[i][0], id) || !strcasecmp(verify_ids[i][1], id))
			return true;
	return false;
}

const char *const verify_area_programs[][2] = {
	{ "verify-presence", "Presence" }, { "verify-workloads", "Workloads" },
	{ "verify-services", "Services" }, { "verify-storage", "Storage" },
	{ "verify-config", "Config" }, { "verify-security", "Security" },
	{ NULL, NULL },
};

static bool judged_kind(const char *kind)
{
	static const char *const kinds[] = { "Deployment", "StatefulSet", "DaemonSet", "Pod",
					     "PersistentVolumeClaim", "Job", NULL };
	for (int i = 0; kinds[i]; i++)
		if (!strcmp(kinds[i], kind))
			return true;
	return false;
}

/* {"Kind/name": {status, message}} for every object kstatus has rules for. */
static jv kstatus_all(jv live)
{
	struct cr_jq *ks = cr_jq_named("kstatus");
	jv out = jv_object();
	jv_array_foreach(live, i, o) {
		if (judged_kind(cr_json_str(o, "kind"))) {
			jv md = jv_object_get(jv_copy(o), jv_string("metadata"));
			jv key = jv_string_fmt("%s/%s", cr_json_str(o, "kind"), cr_json_str(md, "name"));
			jv_free(md);
			jv s = cr_jq_first(ks, jv_copy(o));
			if (jv_is_valid(s))
				out = jv_object_set(out, key, s);
			else {
				jv_free(s);
				jv_free(key);
			}
		}
		jv_free(o);
	}
	jv_free(live);
	return out;
}

/* The list names the check (its ID or its area, any case). */
static bool listed(jv list, const char *id, const char *area)
{
	bool yes = false;
	jv_array_foreach(list, i, s) {
		if (!strcasecmp(jv_string_value(s), id) || !strcasecmp(jv_string_value(s), area))
			yes = true;
		jv_free(s);
	}
	return yes;
}

bool verify_selected(const struct verify *v, const char *id, const char *area)
{
	return (jv_array_length(jv_copy(v->only)) == 0 || listed(v->only, id, area)) && !listed(v->skip, id, area);
}

bool verify_area_wanted(const struct verify *v, const char *area)
{
	for (int i = 0; verify_ids[i][0]; i++)
		if (!strcmp(verify_ids[i][1], area) && verify_selected(v, verify_ids[i][0], area))
			return true;
	return false;
}

/* --only and --skip. */
static jv selected(struct verify *v)
{
	jv out = jv_array();
	jv_array_foreach(v->checks, i, c) {
		if (verify_selected(v, cr_json_str(c, "id"), cr_json_str(c, "area")))
			out = jv_array_append(out, c);
		else
			jv_free(c);
	}
	return out;
}

/* Only the areas --only and --skip leave a check in are run; kstatus judges only for Workloads. */
void verify_run_checks(struct verify *v)
{
	bool workloads = verify_area_wanted(v, "Workloads");
	jv in = JV_OBJECT(jv_string("namespace"), jv_string(v->namespace),
			  jv_string("manifests"), jv_copy(v->manifests),
			  jv_string("live"), jv_copy(v->live),
			  jv_string("secrets"), jv_copy(v->secrets),
			  jv_string("kstatus"), workloads ? kstatus_all(jv_copy(v->live)) : jv_object(),
			  jv_string("restartThreshold"), jv_number(v->restart_threshold));
	jv_free(v->checks);
	v->checks = jv_array();
	for (int a = 0; verify_area_programs[a][0]; a++) {
		const char *area = verify_area_programs[a][1];
		if (!verify_area_wanted(v, area))
			continue;
		cr_debug("checking %s", area);
		jv found = verify_jq(verify_area_programs[a][0], jv_copy(in));
		jv_array_foreach(found, i, c)
			v->checks = jv_array_append(v->checks, jv_object_set(c, jv_string("area"), jv_string(area)));
		jv_free(found);
	}
	jv_free(in);
	jv chosen = selected(v);
	jv_free(v->checks);
	v->checks = chosen;
}
