/*
 * Following a Job: its object and its pods over watch streams (no polling),
 * the container's log streamed to stderr as it runs (`kubectl logs -f`,
 * each line prefixed with the pod's name on a terminal), and the Lease
 * renewed meanwhile. Ends when the Job is Complete or Failed, when a pod
 * shows a sign deploy fails fast on (deploy-pods.jq: a config error at
 * once, an image pull or an unschedulable pod after their grace), at the
 * deadline, or on a signal. The Job itself is never touched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crucible/exit.h"
#include "crucible/jq.h"
#include "crucible/json.h"
#include "crucible/kstart.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/podsigns.h"
#include "crucible/util.h"
#include "migrate.h"

#define TICK_MS 200
#define TAIL_LINES 50
#define RENEW_MS 5000      /* a third of the Lease's duration */
#define LOG_DRAIN_MS 5000  /* after the Job ended, how long the log may take to finish */
#define POD_WAIT_MS 1500   /* and how long its finished pod may take to be seen */

struct follow {
	struct migrate *m;
	const char *job, *container;
	struct cr_procs *g;
	struct cr_watches *ws;
	jv jobobj;             /* the Job as last seen; null before */
	jv pods_by_name;
	struct cr_pod_signs signs;
	jv logged;             /* pods whose log was started */
	struct cr_child log;
	bool log_running;
	char log_pod[256];
	struct cr_child renew;
	struct cr_buf renew_body;
	bool renewing;
	long long next_renew;
	char *tail[TAIL_LINES];
	int tail_n;            /* lines seen in all; the ring holds the last TAIL_LINES */
};

static void on_job(const char *type, jv obj, void *ctx)
{
	struct follow *f = ctx;
	if (!strcmp(type, "DELETED")) {
		jv_free(obj);
		return;
	}
	jv_free(f->jobobj);
	f->jobobj = obj;
}

static void on_pod(const char *type, jv obj, void *ctx)
{
	struct follow *f = ctx;
	f->pods_by_name = cr_pods_track(f->pods_by_name, type, obj);
}

/* ---- the log --------------------------------------------------------------- */

static int on_log_line(const char *line, size_t len, void *ctx)
{
	struct follow *f = ctx;
	if (f->m->tty)
		fprintf(stderr, "%s[%s]%s %.*s\n", cr_color(stderr, CR_BOLD), f->log_pod, cr_color(stderr, CR_RESET),
			(int)len, line);
	else
		fprintf(stderr, "%.*s\n", (int)len, line);
	char **slot = &f->tail[f->tail_n % TAIL_LINES];
	free(*slot);
	*slot = cr_xmalloc(len + 1);
	memcpy(*slot, line, len);
	(*slot)[len] = '\0';
	f->tail_n++;
	return 0;
}

/* The state of our container in pod: "waiting", "running", "terminated" or "". */
static const char *container_state(const struct follow *f, jv pod, struct cr_buf *tmp)
{
	jv st = jv_getpath(jv_copy(pod), JV_ARRAY(jv_string("status"), jv_string("containerStatuses")));
	cr_buf_reset(tmp);
	if (jv_get_kind(st) == JV_KIND_ARRAY) {
		jv_array_foreach(st, i, cs) {
			if (!strcmp(cr_json_str(cs, "name"), f->container)) {
				jv s = jv_object_get(jv_copy(cs), jv_string("state"));
				if (jv_get_kind(s) == JV_KIND_OBJECT) {
					jv_object_foreach(s, k, v) {
						if (!tmp->len)
							cr_buf_adds(tmp, jv_string_value(k));
						jv_free(k);
						jv_free(v);
					}
				}
				jv_free(s);
			}
			jv_free(cs);
		}
	}
	jv_free(st);
	return cr_buf_str(tmp);
}

static void start_log(struct follow *f, const char *pod)
{
	struct cr_child *c = &f->log;
	cr_child_clear(c);
	snprintf(f->log_pod, sizeof(f->log_pod), "%s", pod);
	f->logged = jv_array_append(f->logged, jv_string(pod));
	cr_kubectl_args(c, false);
	cr_strv_pushl(&c->args, "logs", "-f", "-n", f->m->namespace, pod, "-c", f->container, (const char *)NULL);
	c->on_line = on_log_line;
	c->ctx = f;
	if (cr_kubectl_start(f->g, c, NULL) == 0)
		f->log_running = true;
}

static bool was_logged(const struct follow *f, const char *pod)
{
	bool yes = false;
	jv_array_foreach(f->logged, i, p) {
		yes |= !strcmp(jv_string_value(p), pod);
		jv_free(p);
	}
	return yes;
}

/* Starts the log of the first pod whose container has started and was not streamed yet. */
static void maybe_start_log(struct follow *f)
{
	if (f->log_running)
		return;
	struct cr_buf tmp = CR_BUF_INIT;
	jv pods = cr_pods_list(f->pods_by_name);
	jv_array_foreach(pods, i, pod) {
		jv md = jv_object_get(jv_copy(pod), jv_string("metadata"));
		const char *name = cr_json_str(md, "name");
		const char *state = container_state(f, pod, &tmp);
		if (!f->log_running && (!strcmp(state, "running") || !strcmp(state, "terminated")) &&
		    !was_logged(f, name))
			start_log(f, name);
		jv_free(md);
		jv_free(pod);
	}
	jv_free(pods);
	cr_buf_free(&tmp);
}

/* ---- judging ----------------------------------------------------------------- */

/* A pod sign to fail fast on, as {pod, sign}; invalid when none. */
static jv stuck(struct follow *f)
{
	jv found = jv_invalid();
	jv pods = cr_pods_list(f->pods_by_name);
	jv_array_foreach(pods, i, pod) {
		jv signs = jv_is_valid(found) ? jv_array() : cr_jq_first(cr_jq_named("deploy-pods"), jv_copy(pod));
		if (!jv_is_valid(signs))
			signs = jv_array();
		jv_array_foreach(signs, j, sign) {
			if (!jv_is_valid(found) && cr_pod_sign_fatal(&f->signs, pod, sign))
				found = JV_OBJECT(jv_string("pod"), jv_copy(pod), jv_string("sign"), jv_copy(sign));
			jv_free(sign);
		}
		jv_free(signs);
		jv_free(pod);
	}
	jv_free(pods);
	return found;
}

static jv result(const struct follow *f)
{
	if (jv_get_kind(f->jobobj) != JV_KIND_OBJECT)
		return jv_null();
	jv r = cr_jq_first(cr_jq_named("migrate-result"),
			   JV_OBJECT(jv_string("job"), jv_copy(f->jobobj), jv_string("pods"), cr_pods_list(f->pods_by_name)));
	return jv_is_valid(r) ? r : jv_null();
}

static jv tail_lines(const struct follow *f)
{
	jv out = jv_array();
	int n = f->tail_n < TAIL_LINES ? f->tail_n : TAIL_LINES;
	for (int i = f->tail_n - n; i < f->tail_n; i++)
		out = jv_array_append(out, jv_string(f->tail[i % TAIL_LINES]));
	return out;
}

/* ---- the loop ------------------------------------------------------------------ */

static void reap(struct follow *f)
{
	struct cr_child *c;
	enum cr_run_result r;
	while ((c = cr_procs_finished(f->g, &r))) {
		if (cr_watches_reaped(f->ws, c, r))
			continue;
		if (c == &f->log) {
			f->log_running = false;
			if (r != CR_RUN_OK && r != CR_RUN_STOPPED && !cr_interrupted())
				cr_debug("kubectl logs %s: %s", f->log_pod, cr_kubectl_failure(c, r));
		} else if (c == &f->renew) {
			f->renewing = false;
			mig_lock_renewed(f->m, c, r);
		}
	}
	struct cr_watch *bad = cr_interrupted() ? NULL : cr_watches_tick(f->ws);
	if (bad)
		mig_watch_failed(bad);
}

static void renew_tick(struct follow *f)
{
	if (f->renewing || jv_get_kind(f->m->lease) != JV_KIND_OBJECT || cr_now_ms() < f->next_renew)
		return;
	f->next_renew = cr_now_ms() + RENEW_MS;
	mig_lock_renew_args(f->m, &f->renew, &f->renew_body);
	if (cr_kubectl_start(f->g, &f->renew, NULL) == 0)
		f->renewing = true;
}

struct mig_outcome mig_follow(struct migrate *m, const char *job, const char *container)
{
	struct follow f = { .m = m, .job = job, .container = container, .jobobj = jv_null(),
			    .pods_by_name = jv_object(), .logged = jv_array() };
	struct mig_outcome out = { .end = MIG_TIMEOUT, .detail = jv_null() };
	char selector[128];
	long long start = cr_now_ms(), drain_until = 0;

	cr_pod_signs_init(&f.signs, m->pull_grace_ms, m->unsched_grace_ms);
	f.log = (struct cr_child)CR_CHILD_INIT;
	f.renew = (struct cr_child)CR_CHILD_INIT;
	f.next_renew = start + RENEW_MS;
	snprintf(selector, sizeof(selector), "job-name=%s", job);
	f.g = cr_procs_new();
	f.ws = cr_watches_new(f.g, NULL);
	cr_watch_add(f.ws, &(struct cr_watch_spec){ .resource = "jobs.batch", .namespace = m->namespace, .name = job },
		     on_job, &f);
	cr_watch_add(f.ws, &(struct cr_watch_spec){ .resource = "pods", .namespace = m->namespace,
						    .selector = selector }, on_pod, &f);
	struct cr_watch *bad = cr_watches_start(f.ws);
	if (bad)
		mig_watch_failed(bad);

	for (;;) {
		cr_procs_poll(f.g, TICK_MS);
		reap(&f);
		if (cr_interrupted()) {
			out.end = MIG_INTERRUPTED;
			break;
		}
		jv r = result(&f);
		if (jv_get_kind(r) == JV_KIND_OBJECT) {
			/* Ended. The pod's last state and its log may arrive after the Job's condition. */
			if (!drain_until)
				drain_until = cr_now_ms() + LOG_DRAIN_MS;
			out.end = !strcmp(cr_json_str(r, "result"), "complete") ? MIG_COMPLETE : MIG_FAILED;
			jv_free(out.detail);
			out.detail = r;
			maybe_start_log(&f); /* a pod that ran and ended between two events */
			bool pod_known = *cr_json_str(out.detail, "pod");
			if ((!f.log_running && (pod_known || cr_now_ms() >= drain_until - LOG_DRAIN_MS + POD_WAIT_MS)) ||
			    cr_now_ms() >= drain_until)
				break;
			continue;
		}
		jv_free(r);
		jv s = stuck(&f);
		if (jv_is_valid(s)) {
			out.end = MIG_STUCK;
			out.detail = s;
			break;
		}
		maybe_start_log(&f);
		renew_tick(&f);
		if (m->deadline_ms && cr_now_ms() >= m->deadline_ms) {
			out.end = MIG_TIMEOUT;
			break;
		}
	}
	cr_procs_stop_all(f.g);
	cr_procs_free(f.g);
	out.ms = cr_now_ms() - start;
	out.tail = tail_lines(&f);
	cr_watches_free(f.ws);
	cr_child_clear(&f.log);
	cr_child_clear(&f.renew);
	cr_buf_free(&f.renew_body);
	for (int i = 0; i < TAIL_LINES; i++)
		free(f.tail[i]);
	jv_free(f.jobobj);
	jv_free(f.pods_by_name);
	cr_pod_signs_free(&f.signs);
	jv_free(f.logged);
	return out;
}
