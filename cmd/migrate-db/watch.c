/*
 * A `kubectl get --watch --output-watch-events -o json` stream: events go
 * to a callback as they arrive; a stream the server or the network cuts is
 * started again (a fresh LIST+WATCH, so nothing is missed), with back-off
 * while it keeps failing without an event.
 */
#include <stdarg.h>
#include <string.h>

#include "crucible/exit.h"
#include "crucible/json.h"
#include "crucible/kretry.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/util.h"
#include "migrate.h"

/* One event, {"type": ..., "object": ...}. Nonzero ends the stream (then restarted). */
static int on_event(jv ev, void *ctx)
{
	struct mig_watch *w = ctx;
	const char *type = jv_get_kind(ev) == JV_KIND_OBJECT ? cr_json_str(ev, "type") : "";
	jv obj = jv_get_kind(ev) == JV_KIND_OBJECT ? jv_object_get(jv_copy(ev), jv_string("object")) : jv_null();

	if (!strcmp(type, "ERROR") || jv_get_kind(obj) != JV_KIND_OBJECT) {
		/* e.g. 410 Gone: the resourceVersion expired; a fresh LIST+WATCH recovers. */
		jv_free(obj);
		jv_free(ev);
		return 1;
	}
	w->got_event = true;
	w->failures = 0;
	w->fn(type, obj, w->ctx);
	jv_free(ev);
	return 0;
}

void mig_watch_init(struct mig_watch *w, mig_event_fn fn, void *ctx, ...)
{
	va_list ap;
	memset(w, 0, sizeof(*w));
	w->child = (struct cr_child)CR_CHILD_INIT;
	w->fn = fn;
	w->ctx = ctx;
	va_start(ap, ctx);
	for (const char *s; (s = va_arg(ap, const char *));)
		cr_strv_push(&w->words, s);
	va_end(ap);
	cr_jstream_init(&w->js, on_event, w);
}

void mig_watch_start(const struct migrate *m, struct cr_procs *g, struct mig_watch *w)
{
	struct cr_child *c = &w->child;
	cr_child_clear(c);
	cr_kubectl_args(c, false);
	for (size_t i = 0; i < w->words.n; i++)
		cr_strv_push(&c->args, w->words.v[i]);
	cr_strv_pushl(&c->args, "-n", m->namespace, "--watch", "--output-watch-events", "-o", "json",
		      (const char *)NULL);
	c->on_line = cr_jstream_line;
	c->ctx = &w->js;
	cr_jstream_reset(&w->js); /* a cut stream may have ended mid-object */
	w->got_event = false;
	w->restart_at = 0;
	if (cr_verbose > 0)
		cr_kubectl_trace(c);
	if (cr_procs_start(g, c) < 0) {
		if (cr_interrupted())
			return;
		cr_die(CR_EXIT_KUBECTL, "%s", c->not_found ? cr_kubectl_failure(c, CR_RUN_NOT_FOUND)
							   : "cannot start kubectl get --watch");
	}
	w->running = true;
}

bool mig_watch_ended(const struct migrate *m, struct mig_watch *w, struct cr_child *c, enum cr_run_result r)
{
	(void)m;
	if (c != &w->child)
		return false;
	w->running = false;
	if (r == CR_RUN_INTERRUPTED || cr_interrupted())
		return true;
	const char *err = cr_buf_str(&c->err);
	bool transient = r == CR_RUN_OK || r == CR_RUN_STOPPED || cr_kubectl_transient(err) || !*err;
	if (!w->got_event)
		w->failures++;
	if (!transient || w->failures >= CR_RETRY_ATTEMPTS)
		cr_die(CR_EXIT_KUBECTL, "watching %s: %s", w->words.n > 1 ? w->words.v[1] : "?",
		       cr_kubectl_failure(c, r == CR_RUN_OK ? CR_RUN_EXIT : r));
	int delay = w->got_event ? 0 : cr_retry_delay_ms(w->failures - 1);
	cr_debug("watch %s ended; reconnecting in %d ms", w->words.v[1], delay);
	w->restart_at = cr_now_ms() + delay;
	return true;
}

void mig_watch_tick(const struct migrate *m, struct cr_procs *g, struct mig_watch *w)
{
	if (!w->running && w->restart_at && cr_now_ms() >= w->restart_at)
		mig_watch_start(m, g, w);
}

void mig_watch_free(struct mig_watch *w)
{
	cr_child_clear(&w->child);
	cr_strv_free(&w->words);
	cr_jstream_free(&w->js);
}
