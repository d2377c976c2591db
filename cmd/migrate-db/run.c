/*
 * The run, as a careful operator would do it by hand:
 *
 *   preflight → Lease → [claim, backup Job, watch] → migration Job → watch → result → release
 *
 * Nothing is created before the preflight passed and the Lease is ours.
 * The Lease stays with a Job that may still be running (Ctrl-C, --timeout,
 * a pod stuck before it started): a second run must not start beside it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crucible/exit.h"
#include "crucible/json.h"
#include "crucible/kretry.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/objects.h"
#include "crucible/util.h"
#include "migrate.h"

static struct migrate *exiting; /* for the Lease at exit */

const char *mig_duration(long long ms, char buf[32])
{
	long long s = ms < 0 ? 0 : (ms + 500) / 1000;
	if (s < 60)
		snprintf(buf, 32, "%llds", s);
	else if (s < 3600)
		snprintf(buf, 32, "%lldm%02llds", s / 60, s % 60);
	else
		snprintf(buf, 32, "%lldh%02lldm", s / 3600, s / 60 % 60);
	return buf;
}

enum cr_run_result mig_kubectl(const struct migrate *m, struct cr_child *c, const char *what, bool retry,
			       bool may_fail)
{
	struct cr_retry how = { .deadline_ms = m->deadline_ms, .attempts = retry ? 0 : 1 };
	enum cr_run_result r = retry ? cr_kubectl_run_retry(c, &how) : cr_kubectl_run(c);
	if (r == CR_RUN_INTERRUPTED || cr_interrupted())
		cr_die(CR_EXIT_INTERRUPTED, "interrupted while %s", what);
	if (r == CR_RUN_TIMEOUT)
		cr_die(CR_EXIT_TIMEOUT, "--timeout ran out while %s", what);
	if (r != CR_RUN_OK && !may_fail)
		cr_die(CR_EXIT_KUBECTL, "%s: %s", what, cr_kubectl_failure(c, r));
	return r;
}

_Noreturn void mig_watch_failed(const struct cr_watch *w)
{
	if (cr_interrupted())
		cr_die(CR_EXIT_INTERRUPTED, "interrupted while watching %s", w->resource);
	cr_die(CR_EXIT_KUBECTL, "watching %s: %s", w->resource, cr_kubectl_failure(&w->child, w->result));
}

/* At exit (cr_die, while mig_run's caller still holds *m): a Lease that guards no Job goes. */
static void release_at_exit(void)
{
	if (exiting && !exiting->job_started)
		mig_lock_release(exiting);
}

/* mig_run returns: the Lease is settled, and *m dies with main's frame before the exit handlers run. */
static int settled(struct migrate *m, int code)
{
	if (!m->job_started)
		mig_lock_release(m);
	exiting = NULL;
	return code;
}

/* Creates obj (consumed) from kubectl's stdin; AlreadyExists is fine when exists_ok. */
static void create(struct migrate *m, jv obj, const char *what, bool exists_ok)
{
	struct cr_child c = CR_CHILD_INIT;
	struct cr_buf body = CR_BUF_INIT;
	cr_objects_stream(JV_ARRAY(obj), &body);
	cr_kubectl_args(&c, false);
	cr_strv_pushl(&c.args, "create", "-f", "-", "-o", "name", (const char *)NULL);
	c.in = body.data;
	c.in_len = body.len;
	if (mig_kubectl(m, &c, what, false, exists_ok) != CR_RUN_OK) {
		if (!strstr(cr_buf_str(&c.err), "AlreadyExists"))
			cr_die(CR_EXIT_KUBECTL, "%s: %s", what, cr_kubectl_failure(&c, CR_RUN_EXIT));
		cr_debug("%s: already there", what);
	} else {
		cr_info("created %.*s", (int)(c.out.len && c.out.data[c.out.len - 1] == '\n' ? c.out.len - 1 : c.out.len),
			cr_buf_str(&c.out));
	}
	cr_child_clear(&c);
	cr_buf_free(&body);
}

static void print_tail(jv tail)
{
	int n = jv_array_length(jv_copy(tail));
	if (!n) {
		fprintf(stderr, "  (no log lines)\n");
		return;
	}
	fprintf(stderr, "last %d log line%s:\n", n, n == 1 ? "" : "s");
	jv_array_foreach(tail, i, line) {
		fprintf(stderr, "  | %s\n", jv_string_value(line));
		jv_free(line);
	}
}

/* -o json: one object on stdout. */
static void print_json(const struct migrate *m, const char *job, const char *result, const struct mig_outcome *o)
{
	if (!m->json)
		return;
	jv out = JV_OBJECT(jv_string("job"), jv_string(job), jv_string("namespace"), jv_string(m->namespace),
			   jv_string("image"), jv_string(m->image), jv_string("result"), jv_string(result),
			   jv_string("seconds"), jv_number((double)(o ? o->ms : 0) / 1000.0));
	if (o && jv_get_kind(o->detail) == JV_KIND_OBJECT && (o->end == MIG_COMPLETE || o->end == MIG_FAILED))
		out = jv_object_merge(out, JV_OBJECT(jv_string("exitCode"),
			jv_object_get(jv_copy(o->detail), jv_string("exitCode")),
			jv_string("reason"), jv_object_get(jv_copy(o->detail), jv_string("reason"))));
	jv s = jv_dump_string(out, JV_PRINT_INDENT_FLAGS(2));
	printf("%s\n", jv_string_value(s));
	jv_free(s);
}

/* What the operator can do with a Job left behind. */
static void how_to_see(const struct migrate *m, const char *job, bool running)
{
	fprintf(stderr, "%s: kubectl logs %sjob/%s -n %s; kubectl describe job/%s -n %s; "
		"kubectl crucible migrate-db status -n %s\n", running ? "follow it" : "see it",
		running ? "-f " : "", job, m->namespace, job, m->namespace, m->namespace);
}

/*
 * Watches one Job to its end and reports it. Returns 0 when it completed,
 * else the exit code (the Lease released when the Job can no longer run).
 */
static int watch_job(struct migrate *m, const char *job, const char *container, const char *what)
{
	char buf[32];
	struct mig_outcome o = mig_follow(m, job, container);
	int code = CR_EXIT_OK;
	const char *result = "complete";

	switch (o.end) {
	case MIG_COMPLETE:
		cr_info("%s Job %s completed in %s", what, job, mig_duration(o.ms, buf));
		break;
	case MIG_FAILED: {
		jv d = o.detail;
		jv ec = jv_object_get(jv_copy(d), jv_string("exitCode"));
		char ecs[32] = "unknown";
		if (jv_get_kind(ec) == JV_KIND_NUMBER)
			snprintf(ecs, sizeof(ecs), "%d", (int)jv_number_value(ec));
		jv_free(ec);
		struct cr_buf pod = CR_BUF_INIT;
		if (*cr_json_str(d, "pod"))
			cr_buf_addf(&pod, "pod %s exited with code %s (%s); ", cr_json_str(d, "pod"), ecs,
				    cr_json_str_or(d, "terminationReason", "no reason given"));
		cr_error("%s Job %s failed after %s: %sthe Job: %s%s%s", what, job, mig_duration(o.ms, buf),
			 cr_buf_str(&pod), cr_json_str(d, "reason"), *cr_json_str(d, "message") ? ": " : "",
			 cr_json_str(d, "message"));
		cr_buf_free(&pod);
		print_tail(o.tail);
		fprintf(stderr, "The Job is left in place for inspection. ");
		how_to_see(m, job, false);
		code = CR_EXIT_FAILED;
		result = "failed";
		break;
	}
	case MIG_STUCK: {
		jv sign = jv_object_get(jv_copy(o.detail), jv_string("sign"));
		jv md = jv_getpath(jv_copy(o.detail), JV_ARRAY(jv_string("pod"), jv_string("metadata")));
		cr_error("%s Job %s cannot run: pod %s: %s (%s)", what, job, cr_json_str(md, "name"),
			 cr_json_str(sign, "sign"), cr_json_str(sign, "message"));
		jv_free(sign);
		jv_free(md);
		fprintf(stderr, "The Job is left in place and keeps the Lease until it ends or goes stale. ");
		how_to_see(m, job, false);
		code = CR_EXIT_FAILED;
		result = "stuck";
		break;
	}
	case MIG_TIMEOUT:
		cr_error("--timeout %s ran out: %s Job %s is still running and is left running (a migration is never "
			 "killed halfway); the Lease stays with it", mig_duration(m->timeout_ms, buf), what, job);
		how_to_see(m, job, true);
		code = CR_EXIT_TIMEOUT;
		result = "timeout";
		break;
	case MIG_INTERRUPTED:
		cr_error("interrupted: stopped watching; %s Job %s is left running and the Lease stays with it", what,
			 job);
		how_to_see(m, job, true);
		code = CR_EXIT_INTERRUPTED;
		result = "interrupted";
		break;
	}
	if (o.end == MIG_COMPLETE || o.end == MIG_FAILED)
		m->job_started = false; /* it can no longer run: the Lease may go */
	if (code || !strcmp(what, "migration"))
		print_json(m, job, result, &o);
	jv_free(o.detail);
	jv_free(o.tail);
	return code;
}

int mig_run(struct migrate *m)
{
	char buf[32];
	jv objects = mig_manifests(m, m->namespace);
	m->start_ms = cr_now_ms();
	m->deadline_ms = m->timeout_ms ? m->start_ms + m->timeout_ms : 0;
	m->tty = isatty(STDERR_FILENO);
	m->lease = jv_null();

	mig_preflight(m);
	mig_lock_take(m);
	exiting = m;
	atexit(release_at_exit);

	int n = jv_array_length(jv_copy(objects));
	if (m->backup) {
		create(m, jv_array_get(jv_copy(objects), 0), "creating the backup claim crucible-db-backups", true);
		m->lease_job = m->backup_name;
		create(m, jv_array_get(jv_copy(objects), 1), "creating the backup Job", false);
		m->job_started = true;
		mig_lock_renew(m);
		cr_info("backing up the database to crucible-db-backups/%s.sql.gz...", m->stamp);
		int code = watch_job(m, m->backup_name, "pg-dump", "backup");
		if (code) {
			if (code == CR_EXIT_FAILED)
				cr_error("the backup did not complete: the migration was not run");
			jv_free(objects);
			return settled(m, code);
		}
	}
	jv job = jv_array_get(objects, n - 1);
	jv cname = jv_getpath(jv_copy(job), JV_ARRAY(jv_string("spec"), jv_string("template"), jv_string("spec"),
						    jv_string("containers"), jv_number(0), jv_string("name")));
	char container[64];
	snprintf(container, sizeof(container), "%s", jv_get_kind(cname) == JV_KIND_STRING ? jv_string_value(cname) : "");
	jv_free(cname);
	m->lease_job = m->job_name;
	create(m, job, "creating the migration Job", false);
	m->job_started = true;
	mig_lock_renew(m);
	cr_info("migrating with %s: Job %s (timeout %s)", m->image, m->job_name,
		m->timeout_ms ? mig_duration(m->timeout_ms, buf) : "none");
	int code = settled(m, watch_job(m, m->job_name, container, "migration"));
	if (!code && !m->json)
		printf("migrated: job/%s (%s)\n", m->job_name, m->image);
	return code;
}
