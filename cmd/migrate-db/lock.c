/*
 * One migration at a time per namespace: the Lease crucible-migrate-db,
 * taken with create (the API server lets exactly one create win), renewed
 * with the resourceVersion last read (a stale one is 409: someone else
 * took it over), deleted at the end. A Lease whose holder stopped renewing
 * for twice its duration is stale and is taken over, saying so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crucible/exit.h"
#include "crucible/json.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/manager.h"
#include "crucible/objects.h"
#include "migrate.h"

#define LEASE_SECONDS 15 /* renewed every third of it while the Job runs (follow.c) */

/* Now as a MicroTime: 2026-12-03T13:00:00.000000Z. */
static jv micro_now(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[32];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	return jv_string_fmt("%s.%06ldZ", buf, ts.tv_nsec / 1000);
}

/* Seconds since an RFC 3339 UTC time; -1 when it cannot be read. */
static double seconds_since(const char *stamp)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *rest = stamp && *stamp ? strptime(stamp, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	if (!rest)
		return -1;
	double t = (double)timegm(&tm) + (*rest == '.' ? strtod(rest, NULL) : 0);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9 - t;
}

static const char *age_text(const char *stamp, char buf[32])
{
	double s = seconds_since(stamp);
	if (s < 0)
		return "an unknown time";
	return mig_duration((long long)(s * 1000), buf);
}

static jv new_lease(const struct migrate *m)
{
	return JV_OBJECT(jv_string("apiVersion"), jv_string("coordination.k8s.io/v1"),
			 jv_string("kind"), jv_string("Lease"),
			 jv_string("metadata"), JV_OBJECT(jv_string("name"), jv_string(MIG_LEASE),
							  jv_string("namespace"), jv_string(m->namespace),
							  jv_string("labels"), JV_OBJECT(jv_string(CR_LABEL_MANAGED_BY),
											 jv_string(CR_LABEL_MANAGED_BY_VALUE))),
			 jv_string("spec"), JV_OBJECT(jv_string("holderIdentity"), jv_string(m->holder),
						      jv_string("leaseDurationSeconds"), jv_number(LEASE_SECONDS),
						      jv_string("acquireTime"), micro_now(),
						      jv_string("renewTime"), micro_now(),
						      jv_string("leaseTransitions"), jv_number(0)));
}

/* Builds c: kubectl VERB -f - -o json with obj (consumed) on stdin, kept in body. */
static void write_args(struct cr_child *c, const char *verb, jv obj, struct cr_buf *body)
{
	cr_buf_reset(body);
	cr_objects_stream(JV_ARRAY(obj), body);
	cr_kubectl_args(c, false);
	cr_strv_pushl(&c->args, verb, "-f", "-", "-o", "json", (const char *)NULL);
	c->in = body->data;
	c->in_len = body->len;
}

/* The object kubectl printed, or invalid. */
static jv printed(const struct cr_child *c)
{
	jv o = jv_parse_sized(cr_buf_str(&c->out), (int)c->out.len);
	const char *status = cr_objects_status_error(o);
	if (status)
		cr_die(CR_EXIT_KUBECTL, "the Lease " MIG_LEASE ": the server answered an error: %s", status);
	if (jv_get_kind(o) == JV_KIND_OBJECT)
		return o;
	jv_free(o);
	return jv_invalid();
}

static void set_lease(struct migrate *m, jv lease)
{
	jv_free(m->lease);
	m->lease = lease;
}

/* The Lease as the cluster has it; invalid when there is none. */
static jv read_lease(const struct migrate *m)
{
	struct cr_child c = CR_CHILD_INIT;
	cr_kubectl_args(&c, false);
	cr_strv_pushl(&c.args, "get", "leases.coordination.k8s.io", MIG_LEASE, "-n", m->namespace,
		      "--ignore-not-found", "-o", "json", (const char *)NULL);
	mig_kubectl(m, &c, "reading the Lease " MIG_LEASE, true, false);
	jv lease = c.out.len ? printed(&c) : jv_invalid();
	cr_child_clear(&c);
	return lease;
}

/* Held by someone else: take it over if it is stale, else say who holds it and exit 1. */
static bool held(struct migrate *m)
{
	jv lease = read_lease(m);
	if (!jv_is_valid(lease))
		return false; /* released in between: try the create again */
	jv spec = jv_object_get(jv_copy(lease), jv_string("spec"));
	jv md = jv_object_get(jv_copy(lease), jv_string("metadata"));
	jv dur = jv_object_get(jv_copy(spec), jv_string("leaseDurationSeconds"));
	double seconds = jv_get_kind(dur) == JV_KIND_NUMBER && jv_number_value(dur) > 0 ? jv_number_value(dur)
											: LEASE_SECONDS;
	const char *renewed = cr_json_str_or(spec, "renewTime", cr_json_str(spec, "acquireTime"));
	double since = seconds_since(renewed);
	const char *holder = cr_json_str_or(spec, "holderIdentity", "(no holder)");
	jv ann = jv_object_get(jv_copy(md), jv_string("annotations"));
	const char *job = cr_json_str(ann, "crucible.dev/job");
	char a[32], b[32];

	if (since >= 2 * seconds) {
		cr_warn("the Lease %s held by %s is stale (last renewed %s ago, for %gs%s%s): taking it over", MIG_LEASE,
			holder, age_text(renewed, a), seconds, *job ? "; its Job was " : "", job);
		jv transitions = jv_object_get(jv_copy(spec), jv_string("leaseTransitions"));
		int n = jv_get_kind(transitions) == JV_KIND_NUMBER ? (int)jv_number_value(transitions) : 0;
		jv_free(transitions);
		jv mine = new_lease(m);
		jv take = jv_object_set(jv_copy(lease), jv_string("spec"), jv_object_get(mine, jv_string("spec")));
		take = jv_setpath(take, JV_ARRAY(jv_string("spec"), jv_string("leaseTransitions")), jv_number(n + 1));
		struct cr_child c = CR_CHILD_INIT;
		struct cr_buf body = CR_BUF_INIT;
		write_args(&c, "replace", take, &body);
		if (mig_kubectl(m, &c, "taking over the stale Lease " MIG_LEASE, false, true) != CR_RUN_OK) {
			if (!strstr(cr_buf_str(&c.err), "Conflict"))
				cr_die(CR_EXIT_KUBECTL, "taking over the stale Lease %s: %s", MIG_LEASE,
				       cr_kubectl_failure(&c, CR_RUN_EXIT));
			cr_die(CR_EXIT_FAILED, "another run took over the stale Lease %s first; nothing was created",
			       MIG_LEASE);
		}
		set_lease(m, printed(&c));
		cr_child_clear(&c);
		cr_buf_free(&body);
		jv_free(ann);
		jv_free(dur);
		jv_free(spec);
		jv_free(md);
		jv_free(lease);
		return true;
	}
	cr_error("another migration holds the Lease %s in namespace %s: holder %s, acquired %s ago, last renewed %s "
		 "ago%s%s; nothing was created (see `kubectl crucible migrate-db status`)",
		 MIG_LEASE, m->namespace, holder, age_text(cr_json_str(spec, "acquireTime"), a), age_text(renewed, b),
		 *job ? ", Job " : "", job);
	exit(CR_EXIT_FAILED);
}

void mig_lock_take(struct migrate *m)
{
	char host[64] = "localhost";
	const char *user = getenv("USER");
	gethostname(host, sizeof(host) - 1);
	snprintf(m->holder, sizeof(m->holder), "%s@%s/%ld", user && *user ? user : "unknown", host, (long)getpid());

	for (int attempt = 0; attempt < 3; attempt++) {
		struct cr_child c = CR_CHILD_INIT;
		struct cr_buf body = CR_BUF_INIT;
		write_args(&c, "create", new_lease(m), &body);
		enum cr_run_result r = mig_kubectl(m, &c, "taking the Lease " MIG_LEASE, false, true);
		bool taken = r == CR_RUN_OK, exists = strstr(cr_buf_str(&c.err), "AlreadyExists") != NULL;
		if (taken)
			set_lease(m, printed(&c));
		else if (!exists)
			cr_die(cr_kubectl_exit_code(r) ? cr_kubectl_exit_code(r) : CR_EXIT_KUBECTL, "taking the Lease %s: %s",
			       MIG_LEASE, cr_kubectl_failure(&c, r));
		cr_child_clear(&c);
		cr_buf_free(&body);
		if (taken || held(m)) {
			cr_info("took the Lease %s in namespace %s as %s", MIG_LEASE, m->namespace, m->holder);
			return;
		}
	}
	cr_die(CR_EXIT_FAILED, "the Lease %s keeps changing hands; try again", MIG_LEASE);
}

void mig_lock_renew_args(struct migrate *m, struct cr_child *c, struct cr_buf *body)
{
	jv lease = jv_setpath(jv_copy(m->lease), JV_ARRAY(jv_string("spec"), jv_string("renewTime")), micro_now());
	if (m->lease_job)
		lease = jv_setpath(lease, JV_ARRAY(jv_string("metadata"), jv_string("annotations"),
						   jv_string("crucible.dev/job")), jv_string(m->lease_job));
	write_args(c, "replace", lease, body);
}

void mig_lock_renewed(struct migrate *m, struct cr_child *c, enum cr_run_result r)
{
	if (r == CR_RUN_OK) {
		jv lease = printed(c);
		if (jv_is_valid(lease))
			set_lease(m, lease);
		return;
	}
	if (strstr(cr_buf_str(&c->err), "Conflict") || strstr(cr_buf_str(&c->err), "NotFound")) {
		cr_warn("lost the Lease %s (%s): another run may start", MIG_LEASE, cr_kubectl_failure(c, r));
		set_lease(m, jv_null());
	} else {
		cr_debug("renewing the Lease: %s (next time)", cr_kubectl_failure(c, r));
	}
}

void mig_lock_renew(struct migrate *m)
{
	if (jv_get_kind(m->lease) != JV_KIND_OBJECT)
		return;
	struct cr_child c = CR_CHILD_INIT;
	struct cr_buf body = CR_BUF_INIT;
	mig_lock_renew_args(m, &c, &body);
	mig_lock_renewed(m, &c, cr_kubectl_run(&c));
	cr_child_clear(&c);
	cr_buf_free(&body);
}

void mig_lock_release(struct migrate *m)
{
	if (jv_get_kind(m->lease) != JV_KIND_OBJECT)
		return;
	cr_cleanup_begin(); /* after a Ctrl-C before any Job, the Lease still goes */
	struct cr_child c = CR_CHILD_INIT;
	cr_kubectl_args(&c, false);
	cr_strv_pushl(&c.args, "get", "leases.coordination.k8s.io", MIG_LEASE, "-n", m->namespace, "-o",
		      "jsonpath={.spec.holderIdentity}", (const char *)NULL);
	enum cr_run_result r = cr_kubectl_run(&c);
	if (r == CR_RUN_OK && !strcmp(cr_buf_str(&c.out), m->holder)) {
		cr_child_clear(&c);
		cr_kubectl_args(&c, false);
		cr_strv_pushl(&c.args, "delete", "leases.coordination.k8s.io", MIG_LEASE, "-n", m->namespace,
			      (const char *)NULL);
		r = cr_kubectl_run(&c);
	}
	if (r != CR_RUN_OK)
		cr_warn("could not release the Lease %s (%s): it goes stale %ds after its last renewal", MIG_LEASE,
			cr_kubectl_failure(&c, r), 2 * LEASE_SECONDS);
	else
		cr_debug("released the Lease %s", MIG_LEASE);
	cr_child_clear(&c);
	cr_cleanup_end();
	set_lease(m, jv_null());
}
