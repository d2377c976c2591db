/* kubectl-crucible-verify: the guide's step 3 and its troubleshooting section as checks. */
#ifndef CRUCIBLE_VERIFY_H
#define CRUCIBLE_VERIFY_H

#include <stdbool.h>
#include <jv.h>

#include "crucible/run.h"

enum verify_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_JUNIT };

struct verify {
	/* Options. */
	enum verify_format format;
	bool fail_on_warn;          /* --fail-on warn */
	bool dns, db;               /* --dns, --db probes */
	int restart_threshold;      /* restarts above this are a WARN */
	bool watch;                 /* --watch: run again on changes until Ctrl-C */
	long long watch_interval_ms; /* --watch=INTERVAL: least time between runs */
	jv only, skip;              /* arrays of check IDs or area names */
	const char *namespace;

	/* State. */
	jv manifests;               /* the rendered manifests: what should be there */
	jv live;                    /* every object of the kinds checked, events included */
	jv secrets;                 /* [{metadata: {name}, type, keys}]: key names only */
	jv checks;                  /* [check + {area}] */
	int kubectl_calls;          /* processes started, for -v and make bench */
};

/* collect.c: the cluster's side in two kubectl calls (every kind; Secrets' key names). */
void verify_collect(struct verify *v);
/* Runs a prepared kubectl call with retries, counted; dies (4/130) naming what failed unless may_fail. */
enum cr_run_result verify_kubectl(struct verify *v, struct cr_child *c, const char *what, bool may_fail);

/* checks.c: runs the check programs over what was collected; fills v->checks. */
void verify_run_checks(struct verify *v);
/* Each area's program and the area, in report order; ended by {NULL, NULL}. */
extern const char *const verify_area_programs[][2];
/* --only and --skip let this check through. */
bool verify_selected(const struct verify *v, const char *id, const char *area);
/* Some check of this area is selected: its program runs (and what it reads is collected). */
bool verify_area_wanted(const struct verify *v, const char *area);
/* The check IDs and the areas they belong to, for --only/--skip and --help. */
bool verify_known_id(const char *id);
extern const char *const verify_ids[][2];

/* logs.c: the previous container's last lines for each crash loop (check.log). */
void verify_attach_logs(struct verify *v);

/* probe.c: --dns and --db, hardened one-shot pods; appends their checks. */
void verify_probes(struct verify *v);

/* watch.c: --watch; returns once a change is seen and the interval has passed (dies 130 on Ctrl-C, 4 on a failed stream). */
void verify_watch_wait(struct verify *v, long long last_run_ms);

/* stats.c: CRUCIBLE_STATS=FILE gets own CPU, peak RSS and kubectl processes (make bench). */
void verify_write_stats(const struct verify *v);

/* report.c */
/* Prints the report on stdout in v->format; returns the exit code it means. */
int verify_report(struct verify *v);
/* The first result of an embedded program; dies on error. */
jv verify_jq(const char *program, jv input);

#endif
