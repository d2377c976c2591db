/*
 * Tests for the reconnecting watch streams (common/watch.c), with a fake
 * kubectl script that behaves differently on each run: events arrive, a
 * cut stream resumes (also mid-object), an ERROR event reconnects, and the
 * failures that end a watch for good are reported.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crucible/buf.h"
#include "crucible/json.h"
#include "crucible/kretry.h"
#include "crucible/opts.h"
#include "crucible/util.h"
#include "crucible/watch.h"
#include "fake.h"
#include "tap.h"

static char args_path[PATH_MAX];

/* A fake kubectl: run 1 does run1, run 2 run2, later runs rest; the first run's argv goes to args_path. */
static void fake(const char *run1, const char *run2, const char *rest)
{
	FILE *f = fopen(fake_path, "w");
	fprintf(f, "#!/bin/sh\necho run >>'%s'\nn=$(wc -l <'%s')\n"
		"[ \"$n\" -eq 1 ] && printf '%%s\\n' \"$@\" >'%s'\n"
		"case $n in\n1) %s ;;\n2) %s ;;\n*) %s ;;\nesac\n",
		fake_count, fake_count, args_path, run1, run2, rest);
	fclose(f);
	remove(args_path);
	fake_install();
}

static int runs(void)
{
	return fake_runs();
}

static char *slurp(const char *path)
{
	struct cr_buf b = CR_BUF_INIT;
	FILE *f = fopen(path, "r");
	int ch;
	while (f && (ch = getc(f)) != EOF)
		cr_buf_addf(&b, "%c", ch);
	if (f)
		fclose(f);
	char *s = cr_xstrdup(cr_buf_str(&b));
	cr_buf_free(&b);
	return s;
}

/* Events as the callback saw them: "ADDED a,MODIFIED a,". */
struct seen {
	struct cr_buf log;
	int n;
};

static void on_event(const char *type, jv obj, void *ctx)
{
	struct seen *s = ctx;
	jv md = jv_object_get(jv_copy(obj), jv_string("metadata"));
	cr_buf_addf(&s->log, "%s %s,", type, cr_json_str(md, "name"));
	s->n++;
	jv_free(md);
	jv_free(obj);
}

/* Polls until want events arrived, a stream failed, or about 30 s went by. */
static struct cr_watch *poll_for(struct cr_watches *ws, struct seen *s, int want)
{
	struct cr_watch *failed = NULL;
	for (int i = 0; i < 300 && s->n < want && !failed; i++)
		failed = cr_watches_poll(ws, 100);
	return failed;
}

/* kubectl's watch output: pretty-printed, one value over several lines. */
#define EVENT(type, name) \
	"printf '{\\n  \"type\": \"" type "\",\\n  \"object\": {\\n    \"kind\": \"Job\",\\n" \
	"    \"metadata\": {\"name\": \"" name "\"}\\n  }\\n}\\n'"
#define HANG "exec sleep 30"

static void test_events_and_resume(void)
{
	struct cr_procs *g = cr_procs_new();
	int started = 0;
	struct cr_watches *ws = cr_watches_new(g, &started);
	struct seen s = { CR_BUF_INIT, 0 };
	struct cr_watch_spec spec = {
		.resource = "jobs.batch", .namespace = "ns1", .name = "myjob",
		.selector = "job-name=x", .field_selector = "status.phase=Running",
	};

	fake(EVENT("ADDED", "a") "; " EVENT("MODIFIED", "a") "; exit 0",
	     EVENT("ADDED", "a") "; " EVENT("DELETED", "b") "; " HANG, HANG);
	struct cr_watch *w = cr_watch_add(ws, &spec, on_event, &s);
	ok(cr_watch_add(ws, &spec, on_event, &s) == w, "the same spec twice: one stream");
	ok(cr_watches_start(ws) == NULL, "started");
	ok(poll_for(ws, &s, 4) == NULL, "no failure");
	is_str(cr_buf_str(&s.log), "ADDED a,MODIFIED a,ADDED a,DELETED b,",
	       "events arrive in order, across a cut (the stream is listed again)");
	is_int(runs(), 2, "the cut stream was started once more");
	is_int(started, 2, "started counts each kubectl");
	ok(w->running, "the resumed stream runs");
	char *args = slurp(args_path);
	is_str(args, "get\njobs.batch\nmyjob\n-n\nns1\n--watch\n--output-watch-events\n-o\njson\n"
		     "-l\njob-name=x\n--field-selector\nstatus.phase=Running\n",
	       "kubectl get RESOURCE NAME -n NS --watch -o json, with the selectors");
	free(args);
	cr_procs_free(g);
	cr_watches_free(ws);
	cr_buf_free(&s.log);
}

/* One stream of pods in a group of its own, the fake running run1, then run2, then rest. */
struct rig {
	struct cr_procs *g;
	struct cr_watches *ws;
	struct seen s;
	struct cr_watch *failed; /* what polling for the events returned */
};

static void rig_run(struct rig *r, const char *run1, const char *run2, const char *rest, int want)
{
	r->g = cr_procs_new();
	r->ws = cr_watches_new(r->g, NULL);
	r->s = (struct seen){ CR_BUF_INIT, 0 };
	fake(run1, run2, rest);
	cr_watch_add(r->ws, &(struct cr_watch_spec){ .resource = "pods", .namespace = "ns1" }, on_event, &r->s);
	r->failed = cr_watches_start(r->ws);
	if (!r->failed)
		r->failed = poll_for(r->ws, &r->s, want);
}

static void rig_end(struct rig *r)
{
	cr_procs_free(r->g);
	cr_watches_free(r->ws);
	cr_buf_free(&r->s.log);
}

static void test_cut_mid_object(void)
{
	struct rig r;
	rig_run(&r, "printf '{\"type\": \"ADDED\", \"object\": {\"metadata\": {\"na'; exit 0",
		EVENT("ADDED", "whole") "; " HANG, HANG, 1);
	ok(!r.failed, "cut mid-object: no failure");
	is_str(cr_buf_str(&r.s.log), "ADDED whole,", "cut mid-object: only the next run's whole object arrives");
	is_int(runs(), 2, "cut mid-object: restarted");
	rig_end(&r);
}

static void test_error_event(void)
{
	struct rig r;
	rig_run(&r, "printf '{\"type\": \"ERROR\", \"object\": {\"kind\": \"Status\", \"code\": 410}}\\n'; " HANG,
		EVENT("ADDED", "after") "; " HANG, HANG, 1);
	ok(!r.failed, "ERROR event: no failure");
	is_str(cr_buf_str(&r.s.log), "ADDED after,", "ERROR event (410 Gone): not delivered; the stream reconnects");
	is_int(runs(), 2, "ERROR event: the hanging stream was stopped and started again");
	rig_end(&r);
}

#define E500 "echo 'Error from server (InternalError): an error on the server' >&2; exit 1"

static void test_failures(void)
{
	struct rig r;

	rig_run(&r, E500, EVENT("ADDED", "x") "; " HANG, HANG, 1);
	ok(!r.failed, "a 500: retried, no failure");
	is_int(r.s.n, 1, "a 500: the retry's event arrives");
	rig_end(&r);

	rig_run(&r, "echo 'Error from server (Forbidden): pods is forbidden' >&2; exit 1", "exit 1", "exit 1", 1);
	struct cr_watch *w = r.failed;
	ok(w != NULL, "403: the watch fails for good");
	if (w) {
		is_int(w->result, CR_RUN_EXIT, "403: result CR_RUN_EXIT");
		ok(strstr(cr_buf_str(&w->child.err), "Forbidden") != NULL, "403: kubectl's message kept");
		ok(!w->start_failed, "403: kubectl did start");
		is_str(w->resource, "pods", "403: the failed stream names its resource");
	}
	is_int(runs(), 1, "403: not retried");
	rig_end(&r);

	/* Backoff 250 ms doubling: about 8 s before it gives up. */
	rig_run(&r, "exit 0", "exit 0", "exit 0", 1);
	ok(r.failed != NULL, "a stream that keeps closing without an event fails for good");
	if (r.failed)
		is_int(r.failed->result, CR_RUN_EXIT, "... as CR_RUN_EXIT");
	is_int(runs(), CR_RETRY_ATTEMPTS, "... after CR_RETRY_ATTEMPTS runs");
	rig_end(&r);

	struct cr_procs *g = cr_procs_new();
	struct cr_watches *ws = cr_watches_new(g, NULL);
	cr_opts.kubectl = "/nonexistent/kubectl";
	cr_watch_add(ws, &(struct cr_watch_spec){ .resource = "pods" }, on_event, NULL);
	w = cr_watches_start(ws);
	ok(w && w->start_failed && w->child.not_found, "no kubectl: start_failed, child.not_found");
	ok(cr_watches_tick(ws) == w, "no kubectl: the failure stays reported");
	cr_procs_free(g);
	cr_watches_free(ws);
}

/* Another child in the same group is the caller's, and a stream added later starts on the next tick. */
static void test_shared_group(void)
{
	struct cr_procs *g = cr_procs_new();
	struct cr_watches *ws = cr_watches_new(g, NULL);
	struct seen s = { CR_BUF_INIT, 0 };
	struct cr_child other = CR_CHILD_INIT;

	fake(EVENT("ADDED", "late") "; " HANG, HANG, HANG);
	cr_watches_start(ws);
	cr_strv_pushl(&other.args, "sh", "-c", "exit 3", (const char *)NULL);
	cr_procs_start(g, &other);
	cr_watch_add(ws, &(struct cr_watch_spec){ .resource = "pods" }, on_event, &s);
	ok(cr_watches_tick(ws) == NULL, "a stream added to a started set: started by the tick");
	bool mine = true, reaped = false;
	for (int i = 0; i < 100 && (!reaped || s.n < 1); i++) {
		struct cr_child *c;
		enum cr_run_result r;
		cr_procs_poll(g, 100);
		while ((c = cr_procs_finished(g, &r)))
			if (c == &other) {
				reaped = true;
				mine = cr_watches_reaped(ws, c, r);
			}
		cr_watches_tick(ws);
	}
	ok(reaped && !mine, "the caller's own child is not taken for a stream");
	is_str(cr_buf_str(&s.log), "ADDED late,", "the late stream's event arrives");
	cr_procs_free(g);
	cr_watches_free(ws);
	cr_child_clear(&other);
	cr_buf_free(&s.log);
}

int main(void)
{
	if (fake_init() < 0)
		return 1;
	snprintf(args_path, sizeof(args_path), "%s/args", fake_dir);
	test_events_and_resume();
	test_cut_mid_object();
	test_error_event();
	test_failures();
	test_shared_group();
	remove(args_path);
	fake_cleanup();
	return tap_done();
}
