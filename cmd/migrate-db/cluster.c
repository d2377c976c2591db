/*
 * What the cluster holds of migrations, for status, history and logs: the
 * migration Jobs in one kubectl get (by the labels the template gives them)
 * and the Lease a running migration holds.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crucible/exit.h"
#include "crucible/jq.h"
#include "crucible/kretry.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/objects.h"
#include "migrate.h"

/* The template's labels: the backup Jobs are component=backup. */
#define JOB_SELECTOR "app.kubernetes.io/name=db-migrate,app.kubernetes.io/component=migration"

jv mig_list_jobs(void)
{
	struct cr_child c = CR_CHILD_INIT;
	cr_kubectl_args(&c, true);
	cr_strv_pushl(&c.args, "get", "jobs.batch", "-l", JOB_SELECTOR, "-o", "json", (const char *)NULL);
	cr_kubectl_run_or_die(&c, NULL, "listing the migration Jobs", false);
	jv jobs = cr_objects_parse_or_die(c.out.data, c.out.len, "listing the migration Jobs");
	cr_child_clear(&c);
	return cr_jq_named_first("migrate-history",
				 JV_OBJECT(jv_string("jobs"), jobs, jv_string("now"), jv_number((double)time(NULL))));
}

jv mig_read_lease(void)
{
	struct cr_child c = CR_CHILD_INIT;
	cr_kubectl_args(&c, true);
	cr_strv_pushl(&c.args, "get", "leases.coordination.k8s.io", MIG_LEASE, "--ignore-not-found", "-o", "json",
		      (const char *)NULL);
	enum cr_run_result r = cr_kubectl_run_or_die(&c, NULL, "reading the Lease " MIG_LEASE, true);
	jv lease = jv_null();
	if (r == CR_RUN_OK && c.out.len) {
		jv one = cr_objects_parse_or_die(c.out.data, c.out.len, "reading the Lease " MIG_LEASE);
		lease = jv_array_length(jv_copy(one)) == 1 ? jv_array_get(jv_copy(one), 0) : jv_null();
		jv_free(one);
		if (jv_get_kind(lease) != JV_KIND_OBJECT) {
			cr_child_clear(&c);
			cr_die(CR_EXIT_KUBECTL, "reading the Lease " MIG_LEASE ": kubectl printed no single object");
		}
	} else if (r != CR_RUN_OK && !strstr(cr_buf_str(&c.err), "doesn't have a resource type")) {
		/* A server without Leases holds no lock; anything else is an error. */
		int code = cr_kubectl_exit_code(r);
		cr_error("reading the Lease " MIG_LEASE ": %s", cr_kubectl_failure(&c, r));
		cr_child_clear(&c);
		exit(code == CR_EXIT_OK ? CR_EXIT_KUBECTL : code);
	}
	cr_child_clear(&c);
	return cr_jq_named_first("migrate-lease",
				 JV_OBJECT(jv_string("lease"), lease, jv_string("now"), jv_number((double)time(NULL))));
}
