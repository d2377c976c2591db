/*
 * Watching objects change: one `kubectl get RESOURCE --watch
 * --output-watch-events -o json` per stream (kubectl watches one resource
 * type per process), every object handed to a callback as it arrives.
 * A stream that is cut (the server closed it, an ERROR event such as 410
 * Gone, malformed output) is started again: at once after it delivered
 * events, else with kretry.h's backoff; it fails for good on a permanent
 * kubectl error or after CR_RETRY_ATTEMPTS runs in a row without an event.
 * Each start lists the objects again (as ADDED), so nothing is missed.
 *
 * The streams are children of the caller's cr_procs group, so one poll
 * loop can wait on them and on anything else the tool runs:
 *
 *	struct cr_procs *g = cr_procs_new();
 *	struct cr_watches *ws = cr_watches_new(g, &calls);
 *	cr_watch_add(ws, &(struct cr_watch_spec){ .resource = "jobs.batch",
 *		     .namespace = ns, .name = job }, on_job, ctx);
 *	cr_watch_add(ws, &(struct cr_watch_spec){ .resource = "pods",
 *		     .namespace = ns, .selector = "job-name=x" }, on_pod, ctx);
 *	cr_watches_start(ws);
 *	while (!done && !(failed = cr_watches_poll(ws, 200)) && !cr_interrupted())
 *		...;
 *	cr_procs_free(g);
 *	cr_watches_free(ws);
 *
 * A loop that runs other children in g too uses cr_procs_poll,
 * cr_watches_reaped for each finished child and cr_watches_tick instead
 * of cr_watches_poll.
 */
#ifndef CRUCIBLE_WATCH_H
#define CRUCIBLE_WATCH_H

#include <stdbool.h>
#include <jv.h>

#include "procs.h"

/* What one stream watches; the strings are copied. */
struct cr_watch_spec {
	const char *resource;       /* "pods", "deployments.apps", "jobs.batch" */
	const char *namespace;      /* NULL: the global -n */
	const char *selector;       /* -l; NULL: every object */
	const char *field_selector; /* --field-selector; NULL: none */
	const char *name;           /* one object by name; NULL: all */
};

/*
 * An event: type "ADDED", "MODIFIED" or "DELETED"; obj is owned by the
 * callee. Called from cr_procs_poll: it must not start children in g.
 */
typedef void (*cr_watch_fn)(const char *type, jv obj, void *ctx);

struct cr_watch {
	/* Read-only for the caller. */
	char *resource;             /* as given, for messages */
	struct cr_child child;      /* the current (or last) kubectl; its err holds kubectl's message */
	bool running;
	enum cr_run_result result;  /* after a failure: why (CR_RUN_EXIT for a stream that kept closing empty) */
	bool start_failed;          /* the failure was that kubectl could not be started (child.not_found) */
};

struct cr_watches;

/* A set of streams in g; *started counts every kubectl process (may be NULL). */
struct cr_watches *cr_watches_new(struct cr_procs *g, int *started);
/*
 * Adds a stream (started by cr_watches_start, or by the next
 * cr_watches_tick when the set is already started). The same spec twice gives the first stream back, its
 * callback unchanged. The pointer stays valid until cr_watches_free.
 */
struct cr_watch *cr_watch_add(struct cr_watches *ws, const struct cr_watch_spec *spec, cr_watch_fn fn, void *ctx);
/* Starts every stream not running. Returns a stream that could not be started, or NULL. */
struct cr_watch *cr_watches_start(struct cr_watches *ws);
/*
 * One round for a group that runs only these streams: cr_procs_poll(g,
 * timeout_ms), which delivers the events, then cr_watches_reaped and
 * cr_watches_tick. Returns a stream that failed for good (see struct
 * cr_watch), or NULL. After a signal nothing is restarted: the caller
 * checks cr_interrupted().
 */
struct cr_watch *cr_watches_poll(struct cr_watches *ws, int timeout_ms);
/* c, returned by cr_procs_finished with r, ended: true when it was one of the streams. */
bool cr_watches_reaped(struct cr_watches *ws, struct cr_child *c, enum cr_run_result r);
/*
 * Restarts the streams whose backoff is over. Returns a stream that failed
 * for good (when reaped, or now that it could not be started), or NULL.
 */
struct cr_watch *cr_watches_tick(struct cr_watches *ws);
/*
 * Frees the set. Its streams must have ended first: cr_procs_stop_all or
 * cr_procs_free on the group (g still holds their children until then).
 */
void cr_watches_free(struct cr_watches *ws);

#endif
