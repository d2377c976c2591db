/*
 * Waiting for a phase: all its workloads at once, over watch streams
 * (watch.h: one per resource type, plus one for pods), judged by kstatus.jq. Pods of the
 * rollout are checked on every change so a crash loop, a broken image or an
 * unschedulable pod ends the wait at once instead of at the timeout.
 */
#include <string.h>

#include "crucible/exit.h"
#include "crucible/jq.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/procs.h"
#include "crucible/util.h"
#include "crucible/watch.h"
#include "deploy.h"

#define TICK_MS 200 /* grace periods and the live display advance at this pace */

struct waiter {
	struct deploy *d;
	jv items;              /* the plan's wait rows */
	jv objects;            /* key -> latest object */
	jv rows;               /* key -> deploy-row.jq result */
	jv pods;               /* name -> Pod */
	jv seen;               /* "pod/container/sign" -> first seen (ms) */
	struct cr_jq *kstatus, *row, *rollout, *signs;
	struct cr_procs *g;
	struct cr_watches *watches; /* one per resource type the phase needs, plus pods */
	bool dirty;
	struct deploy_display view;
};

/* ---- events -------------------------------------------------------------- */

/* "group/Kind/namespace/name", as deploy-plan.jq's key; obj consumed. */
static jv object_key(jv obj)
{
	const char *api = cr_json_str(obj, "apiVersion");
	const char *slash = strchr(api, '/');
	jv md = jv_object_get(jv_copy(obj), jv_string("metadata"));
	jv key = jv_string_fmt("%.*s/%s/%s/%s", slash ? (int)(slash - api) : 0, api, cr_json_str(obj, "kind"),
			       cr_json_str(md, "namespace"), cr_json_str(md, "name"));
	jv_free(md);
	jv_free(obj);
	return key;
}

static jv find_item(const struct waiter *w, jv key)
{
	jv found = jv_invalid();
	jv_array_foreach(w->items, i, it) {
		if (!jv_is_valid(found) && !strcmp(cr_json_str(it, "key"), jv_string_value(key)))
			found = jv_copy(it);
		jv_free(it);
	}
	jv_free(key);
	return found;
}

/* Judges obj and records its progress line under key. */
static void judge(struct waiter *w, jv item, jv obj)
{
	jv status = cr_jq_first(w->kstatus, jv_copy(obj));
	if (!jv_is_valid(status))
		status = JV_OBJECT(jv_string("status"), jv_string("InProgress"), jv_string("message"), jv_string("?"));
	jv key = jv_object_get(jv_copy(item), jv_string("key"));
	w->objects = jv_object_set(w->objects, jv_copy(key), jv_copy(obj));
	jv row = cr_jq_first(w->row, JV_OBJECT(jv_string("object"), obj, jv_string("status"), status,
					       jv_string("row"), item));
	if (jv_is_valid(row))
		w->rows = jv_object_set(w->rows, key, row);
	else
		jv_free(key);
	w->dirty = true;
}

static void on_pod(const char *type, jv pod, void *ctx)
{
	struct waiter *w = ctx;
	jv md = jv_object_get(jv_copy(pod), jv_string("metadata"));
	jv name = jv_string(cr_json_str(md, "name"));
	jv_free(md);
	jv item = find_item(w, object_key(jv_copy(pod)));
	if (!strcmp(type, "DELETED"))
		w->pods = jv_object_delete(w->pods, name);
	else
		w->pods = jv_object_set(w->pods, name, jv_copy(pod));
	if (jv_is_valid(item) && strcmp(type, "DELETED"))
		judge(w, item, pod); /* a bare Pod in the input is itself waited on */
	else {
		jv_free(item);
		jv_free(pod);
	}
	w->dirty = true;
}

/* A watched workload (or any object the phase waits on) changed. */
static void on_object(const char *type, jv obj, void *ctx)
{
	struct waiter *w = ctx;
	jv item = find_item(w, object_key(jv_copy(obj)));
	if (jv_is_valid(item) && strcmp(type, "DELETED"))
		judge(w, item, obj);
	else {
		jv_free(item);
		jv_free(obj);
	}
}

/* ---- watch processes ----------------------------------------------------- */

static _Noreturn void watch_failed(struct waiter *w, struct cr_watch *wt)
{
	if (wt->start_failed && wt->child.not_found)
		cr_die(CR_EXIT_KUBECTL, "%s", cr_kubectl_failure(&wt->child, CR_RUN_NOT_FOUND));
	if (wt->start_failed)
		cr_die(CR_EXIT_KUBECTL, "cannot start kubectl get --watch %s", wt->resource);
	struct cr_buf what = CR_BUF_INIT;
	cr_buf_addf(&what, "watching %s", wt->resource);
	deploy_kubectl_failed(w->d, what.data, &wt->child, wt->result);
}

static void add_watch(struct waiter *w, const char *resource, bool pods)
{
	struct cr_watch_spec spec = {
		.resource = resource, .namespace = w->d->namespace,
		.selector = pods ? NULL : DEPLOY_LABEL_KEY "=" DEPLOY_LABEL_VALUE,
	};
	cr_watch_add(w->watches, &spec, pods ? on_pod : on_object, w);
}

/* ---- judging ------------------------------------------------------------- */

static bool row_current(const struct waiter *w, const char *key)
{
	jv row = jv_object_get(jv_copy(w->rows), jv_string(key));
	bool cur = jv_is_valid(row) && !strcmp(cr_json_str(row, "status"), "Current");
	jv_free(row);
	return cur;
}

static int count_current(const struct waiter *w)
{
	int n = 0;
	jv_array_foreach(w->items, i, it) {
		n += row_current(w, cr_json_str(it, "key"));
		jv_free(it);
	}
	return n;
}

static jv pod_list(const struct waiter *w)
{
	jv out = jv_array();
	jv_object_foreach(w->pods, k, p) {
		jv_free(k);
		out = jv_array_append(out, p);
	}
	return out;
}

/* How long (ms) this sign of this pod has been seen; starts its clock the first time. */
static long long sign_age(struct waiter *w, jv pod, jv sign)
{
	jv md = jv_object_get(jv_copy(pod), jv_string("metadata"));
	jv id = jv_string_fmt("%s/%s/%s", cr_json_str(md, "name"), cr_json_str(sign, "container"), cr_json_str(sign, "sign"));
	jv_free(md);
	long long now = cr_now_ms();
	jv first = jv_object_get(jv_copy(w->seen), jv_copy(id));
	if (jv_get_kind(first) != JV_KIND_NUMBER) {
		w->seen = jv_object_set(w->seen, id, jv_number((double)now));
		jv_free(first);
		return 0;
	}
	jv_free(id);
	long long age = now - (long long)jv_number_value(first);
	jv_free(first);
	return age;
}

/* Fatal now? Crash loops and config errors at once; pulls and scheduling after their grace. */
static bool fatal_sign(struct waiter *w, jv pod, jv sign)
{
	const char *s = cr_json_str(sign, "sign");
	if (!strcmp(s, "crashloop") || !strcmp(s, "config") || !strcmp(s, "invalid-image"))
		return true;
	long long age = sign_age(w, pod, sign);
	if (!strcmp(s, "image-pull"))
		return age >= w->d->pull_grace_ms;
	if (!strcmp(s, "unschedulable"))
		return age >= w->d->unsched_grace_ms;
	return false;
}

/* The first fatal sign among the rollout pods of a workload still coming up. */
static jv find_failure(struct waiter *w)
{
	jv pods = pod_list(w);
	jv failure = jv_invalid();
	jv_array_foreach(w->items, i, it) {
		const char *key = cr_json_str(it, "key");
		if (jv_is_valid(failure) || row_current(w, key)) {
			jv_free(it);
			continue;
		}
		jv obj = jv_object_get(jv_copy(w->objects), jv_string(key));
		jv row = jv_object_get(jv_copy(w->rows), jv_string(key));
		if (jv_is_valid(row) && !strcmp(cr_json_str(row, "status"), "Failed"))
			failure = JV_OBJECT(jv_string("workload"), jv_copy(it), jv_string("object"), jv_copy(obj),
					    jv_string("pod"), jv_null(), jv_string("sign"), jv_null());
		jv_free(row);
		jv mine = jv_is_valid(failure) || !jv_is_valid(obj) ? jv_array()
				: cr_jq_first(w->rollout, JV_OBJECT(jv_string("workload"), jv_copy(obj),
								  jv_string("pods"), jv_copy(pods)));
		if (!jv_is_valid(mine))
			mine = jv_array();
		jv_array_foreach(mine, j, pod) {
			jv signs = jv_is_valid(failure) ? jv_array() : cr_jq_first(w->signs, jv_copy(pod));
			if (!jv_is_valid(signs))
				signs = jv_array();
			jv_array_foreach(signs, k, sign) {
				if (!jv_is_valid(failure) && fatal_sign(w, pod, sign))
					failure = JV_OBJECT(jv_string("workload"), jv_copy(it), jv_string("object"),
							    jv_copy(obj), jv_string("pod"), jv_copy(pod),
							    jv_string("sign"), jv_copy(sign));
				jv_free(sign);
			}
			jv_free(signs);
			jv_free(pod);
		}
		jv_free(mine);
		jv_free(obj);
		jv_free(it);
	}
	jv_free(pods);
	return failure;
}

/* ---- the loop ------------------------------------------------------------ */

static void setup(struct waiter *w, struct deploy *d, jv phase)
{
	memset(w, 0, sizeof(*w));
	w->d = d;
	w->items = jv_object_get(phase, jv_string("wait"));
	w->objects = jv_object();
	w->rows = jv_object();
	w->pods = jv_object();
	w->seen = jv_object();
	w->kstatus = cr_jq_named("kstatus"); /* compiled once for every phase */
	w->row = cr_jq_named("deploy-row");
	w->rollout = cr_jq_named("deploy-rollout");
	w->signs = cr_jq_named("deploy-pods");
	deploy_display_init(&w->view, d->progress);
	w->g = cr_procs_new();
	w->watches = cr_watches_new(w->g, &d->kubectl_calls);
	add_watch(w, "pods", true);
	jv_array_foreach(w->items, i, it) {
		const char *g = cr_json_str(it, "group");
		char res[320];
		snprintf(res, sizeof(res), "%s%s%s", cr_json_str(it, "resource"), *g ? "." : "", g);
		if (strcmp(cr_json_str(it, "kind"), "Pod"))
			add_watch(w, res, false);
		jv_free(it);
	}
}

static void teardown(struct waiter *w)
{
	cr_procs_free(w->g);
	w->g = NULL;
	cr_watches_free(w->watches);
	w->watches = NULL;
	jv_free(w->objects);
	jv_free(w->pods);
	jv_free(w->seen);
	deploy_display_free(&w->view);
}

/* Copies the rows into the deploy's summary. */
static void record(struct waiter *w)
{
	jv_array_foreach(w->items, i, it) {
		jv key = jv_string(cr_json_str(it, "key"));
		jv row = deploy_row_of(w->rows, it);
		w->d->workloads = jv_object_set(w->d->workloads, key, row);
	}
}

/* "why" for each workload still not ready, for the timeout report. */
static jv not_ready(struct waiter *w)
{
	jv out = jv_array();
	jv_array_foreach(w->items, i, it) {
		if (!row_current(w, cr_json_str(it, "key"))) {
			jv row = deploy_row_of(w->rows, jv_copy(it));
			cr_error("not ready: %s %s: %s", cr_json_str(row, "ref"), cr_json_str(row, "ready"), cr_json_str(row, "message"));
			out = jv_array_append(out, row);
		}
		jv_free(it);
	}
	return out;
}

static _Noreturn void finish_wait(struct waiter *w, int code, const char *result, jv failure)
{
	deploy_display_end(&w->view, w->items, w->rows);
	record(w);
	teardown(w);
	jv_free(w->items);
	jv_free(w->rows);
	deploy_finish(w->d, code, result, failure);
}

static void fail_fast(struct waiter *w, jv failure)
{
	jv workload = jv_object_get(jv_copy(failure), jv_string("workload"));
	jv pod = jv_object_get(jv_copy(failure), jv_string("pod"));
	jv sign = jv_object_get(jv_copy(failure), jv_string("sign"));
	jv_free(failure);
	deploy_display_end(&w->view, w->items, w->rows); /* the diagnosis follows it */
	cr_procs_stop_all(w->g); /* diagnosis needs no more events */
	record(w);
	jv diag = deploy_diagnose(w->d, workload, pod, sign);
	finish_wait(w, CR_EXIT_FAILED, "failed", diag);
}

void deploy_wait_phase(struct deploy *d, jv phase)
{
	struct waiter w;

	d->phase = cr_json_str(phase, "name");
	setup(&w, d, phase);
	int total = jv_array_length(jv_copy(w.items));
	if (!total) {
		teardown(&w);
		jv_free(w.items);
		jv_free(w.rows);
		return;
	}
	cr_info("phase %s: waiting for %d workload(s)", d->phase, total);
	struct cr_watch *failed = cr_watches_start(w.watches);
	if (failed)
		watch_failed(&w, failed);
	for (;;) {
		if ((failed = cr_watches_poll(w.watches, TICK_MS)))
			watch_failed(&w, failed);
		if (cr_interrupted())
			finish_wait(&w, CR_EXIT_INTERRUPTED, "interrupted", jv_null());
		bool changed = w.dirty;
		if (w.dirty && !cr_quiet)
			deploy_display_update(&w.view, w.items, w.rows);
		w.dirty = false;
		if (changed && count_current(&w) == total)
			break;
		/* Pods are judged again when something changed or a grace period is running. */
		bool timers = jv_object_length(jv_copy(w.seen)) > 0;
		jv failure = changed || timers ? find_failure(&w) : jv_invalid();
		if (jv_is_valid(failure))
			fail_fast(&w, failure);
		jv_free(failure);
		if (d->deadline_ms && cr_now_ms() >= d->deadline_ms) {
			cr_procs_stop_all(w.g);
			cr_error("timed out after %lld s waiting for phase %s", d->timeout_ms / 1000, d->phase);
			jv nr = not_ready(&w);
			finish_wait(&w, CR_EXIT_TIMEOUT, "timeout", JV_OBJECT(jv_string("not_ready"), nr));
		}
	}
	record(&w);
	teardown(&w);
	jv_free(w.items);
	jv_free(w.rows);
	cr_info("phase %s: %d/%d ready", d->phase, total, total);
}
