/*
 * Reconnecting watch streams (see watch.h): each a kubectl child of the
 * caller's group, its stdout reassembled by a cr_jstream.
 */
#include <stdlib.h>
#include <string.h>

#include "crucible/json.h"
#include "crucible/jstream.h"
#include "crucible/kretry.h"
#include "crucible/kstart.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/util.h"
#include "crucible/watch.h"

struct stream {
	struct cr_watch pub;       /* first: a struct cr_watch * is a struct stream * */
	char *namespace, *selector, *field_selector, *name;
	cr_watch_fn fn;
	void *ctx;
	struct cr_jstream js;
	bool got_event;            /* since the last (re)start */
	int failures;              /* consecutive runs that ended without an event */
	long long restart_at;      /* when to start again after a cut; 0: not waiting */
};

struct cr_watches {
	struct cr_procs *g;
	int *started;
	struct stream **s;         /* each stays put: its child is in g */
	int n;
	bool live;                 /* cr_watches_start was called */
	struct cr_watch *failed;   /* a stream that failed for good */
};

static char *dup_or_null(const char *s)
{
	return s ? cr_xstrdup(s) : NULL;
}

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* One watch event, {"type": ..., "object": ...}. Returning nonzero restarts the stream. */
static int on_event(jv ev, void *ctx)
{
	struct stream *s = ctx;
	const char *type = jv_get_kind(ev) == JV_KIND_OBJECT ? cr_json_str(ev, "type") : "";
	jv obj = jv_get_kind(ev) == JV_KIND_OBJECT ? jv_object_get(jv_copy(ev), jv_string("object")) : jv_null();

	if (!strcmp(type, "ERROR") || jv_get_kind(obj) != JV_KIND_OBJECT) {
		/* e.g. 410 Gone: the resourceVersion expired; a fresh LIST+WATCH recovers. */
		cr_debug("watch %s: error event, reconnecting", s->pub.resource);
		jv_free(obj);
		jv_free(ev);
		return 1;
	}
	s->got_event = true;
	s->failures = 0;
	s->fn(type, obj, s->ctx);
	jv_free(ev);
	return 0;
}

static void watch_args(struct stream *s)
{
	struct cr_child *c = &s->pub.child;
	cr_kubectl_args(c, !s->namespace);
	cr_strv_pushl(&c->args, "get", s->pub.resource, (const char *)NULL);
	if (s->name)
		cr_strv_push(&c->args, s->name);
	if (s->namespace)
		cr_strv_pushl(&c->args, "-n", s->namespace, (const char *)NULL);
	cr_strv_pushl(&c->args, "--watch", "--output-watch-events", "-o", "json", (const char *)NULL);
	if (s->selector)
		cr_strv_pushl(&c->args, "-l", s->selector, (const char *)NULL);
	if (s->field_selector)
		cr_strv_pushl(&c->args, "--field-selector", s->field_selector, (const char *)NULL);
}

/* Returns false when kubectl could not be started (s->pub says why). */
static bool start(struct cr_watches *ws, struct stream *s)
{
	struct cr_child *c = &s->pub.child;
	cr_child_clear(c);
	watch_args(s);
	c->on_line = cr_jstream_line;
	c->ctx = &s->js;
	cr_jstream_reset(&s->js); /* a cut stream may have ended mid-object */
	s->got_event = false;
	s->restart_at = 0;
	if (cr_kubectl_start(ws->g, c, ws->started) < 0) {
		s->pub.result = c->not_found ? CR_RUN_NOT_FOUND : CR_RUN_ERROR;
		s->pub.start_failed = true;
		return false;
	}
	s->pub.running = true;
	return true;
}

struct cr_watches *cr_watches_new(struct cr_procs *g, int *started)
{
	struct cr_watches *ws = cr_xmalloc(sizeof(*ws));
	memset(ws, 0, sizeof(*ws));
	ws->g = g;
	ws->started = started;
	return ws;
}

struct cr_watch *cr_watch_add(struct cr_watches *ws, const struct cr_watch_spec *spec, cr_watch_fn fn, void *ctx)
{
	for (int i = 0; i < ws->n; i++) {
		struct stream *s = ws->s[i];
		if (!strcmp(s->pub.resource, spec->resource) && same(s->namespace, spec->namespace) &&
		    same(s->selector, spec->selector) && same(s->field_selector, spec->field_selector) &&
		    same(s->name, spec->name))
			return &s->pub;
	}
	ws->s = cr_xrealloc(ws->s, sizeof(*ws->s) * (size_t)(ws->n + 1));
	struct stream *s = cr_xmalloc(sizeof(*s));
	ws->s[ws->n++] = s;
	memset(s, 0, sizeof(*s));
	s->pub.child = (struct cr_child)CR_CHILD_INIT;
	s->pub.resource = cr_xstrdup(spec->resource);
	s->namespace = dup_or_null(spec->namespace);
	s->selector = dup_or_null(spec->selector);
	s->field_selector = dup_or_null(spec->field_selector);
	s->name = dup_or_null(spec->name);
	s->fn = fn;
	s->ctx = ctx;
	cr_jstream_init(&s->js, on_event, s);
	if (ws->live)
		s->restart_at = 1; /* the next tick starts it */
	return &s->pub;
}

struct cr_watch *cr_watches_start(struct cr_watches *ws)
{
	ws->live = true;
	for (int i = 0; i < ws->n; i++)
		if (!ws->s[i]->pub.running && !start(ws, ws->s[i]))
			return ws->failed = &ws->s[i]->pub;
	return NULL;
}

/* A stream ended: reconnect with backoff, or give up on a persistent error (returns false). */
static bool ended(struct stream *s, enum cr_run_result r)
{
	s->pub.running = false;
	if (r == CR_RUN_INTERRUPTED || cr_interrupted())
		return true;
	const char *err = cr_buf_str(&s->pub.child.err);
	bool transient = r == CR_RUN_OK || r == CR_RUN_STOPPED || cr_kubectl_transient(err) || !*err;
	if (!s->got_event)
		s->failures++;
	if (!transient || s->failures >= CR_RETRY_ATTEMPTS) {
		s->pub.result = r == CR_RUN_OK ? CR_RUN_EXIT : r;
		return false;
	}
	int delay = s->got_event ? 0 : cr_retry_delay_ms(s->failures - 1);
	cr_debug("watch %s ended (%s); reconnecting in %d ms", s->pub.resource,
		 *err ? cr_kubectl_failure(&s->pub.child, r) : "stream closed", delay);
	s->restart_at = cr_now_ms() + delay;
	return true;
}

bool cr_watches_reaped(struct cr_watches *ws, struct cr_child *c, enum cr_run_result r)
{
	for (int i = 0; i < ws->n; i++)
		if (&ws->s[i]->pub.child == c) {
			if (!ended(ws->s[i], r) && !ws->failed)
				ws->failed = &ws->s[i]->pub;
			return true;
		}
	return false;
}

struct cr_watch *cr_watches_tick(struct cr_watches *ws)
{
	if (ws->failed)
		return ws->failed;
	long long now = cr_now_ms();
	for (int i = 0; i < ws->n; i++) {
		struct stream *s = ws->s[i];
		if (!s->pub.running && s->restart_at && now >= s->restart_at && !start(ws, s))
			return ws->failed = &s->pub;
	}
	return NULL;
}

struct cr_watch *cr_watches_poll(struct cr_watches *ws, int timeout_ms)
{
	struct cr_child *c;
	enum cr_run_result r;

	cr_procs_poll(ws->g, timeout_ms);
	while ((c = cr_procs_finished(ws->g, &r)))
		cr_watches_reaped(ws, c, r);
	return cr_watches_tick(ws);
}

void cr_watches_free(struct cr_watches *ws)
{
	if (!ws)
		return;
	for (int i = 0; i < ws->n; i++) {
		struct stream *s = ws->s[i];
		cr_child_clear(&s->pub.child);
		cr_jstream_free(&s->js);
		free(s->pub.resource);
		free(s->namespace);
		free(s->selector);
		free(s->field_selector);
		free(s->name);
		free(s);
	}
	free(ws->s);
	free(ws);
}
