/* kubectl-crucible-deploy: the guide's step 2 (preflight → order → apply → wait → summary). */
#ifndef CRUCIBLE_DEPLOY_H
#define CRUCIBLE_DEPLOY_H

#include <stdbool.h>
#include <stdio.h>
#include <jv.h>

#include "crucible/buf.h"
#include "crucible/json.h"
#include "crucible/objects.h"
#include "crucible/manager.h"
#include "crucible/run.h"

#define DEPLOY_MANAGER CR_FIELD_MANAGER
#define DEPLOY_LABEL_KEY CR_LABEL_MANAGED_BY
#define DEPLOY_LABEL_VALUE CR_LABEL_MANAGED_BY_VALUE

enum dry_run { DRY_NONE, DRY_CLIENT, DRY_SERVER };

struct deploy {
	/* Options. */
	enum dry_run dry_run;
	long long timeout_ms;      /* whole deploy; 0: none */
	long long pull_grace_ms;   /* ImagePullBackOff tolerated this long */
	long long unsched_grace_ms;/* Unschedulable tolerated this long */
	bool no_wait, prune, json;
	const char *namespace;     /* for objects without one */

	/* State. */
	jv objects;                /* as loaded */
	jv plan;                   /* deploy-plan.jq: phases, skipped, kinds */
	jv all;                    /* deploy-all.jq: every planned object, in phase order (computed once) */
	jv live;                   /* the cluster's objects of those kinds before the deploy */
	jv changes;                /* deploy-changes.jq rows of every applied phase */
	jv workloads;              /* summary rows: {ref, kind, name, ready, status, message}, by key */
	jv pruned;                 /* refs deleted by --prune */
	struct cr_strv applied;    /* phases applied so far */
	const char *phase;         /* phase being applied or waited on */
	long long start_ms, deadline_ms;
	FILE *progress;            /* progress and diagnostics (live display too): always stderr */
	FILE *result;              /* text results (a server dry run's changes): stdout; stderr with -o json */
	int kubectl_calls;         /* processes started, for -v and make bench */
};

/* finish.c: ends the deploy: summary (text or JSON) and exit with code; never returns. */
_Noreturn void deploy_finish(struct deploy *d, int code, const char *result, jv failure);

/* stats.c */
/* First result of an embedded program, counted for the stats; dies on error. */
jv jq_run1(const char *program, jv input);
/* CRUCIBLE_STATS=FILE: the deploy's costs as JSON (for make bench). */
void deploy_write_stats(const struct deploy *d);

/* kubectl.c */
/* Milliseconds left before --timeout's deadline (0: passed); -1: no deadline. */
long long deploy_time_left(const struct deploy *d);
/*
 * Starts a kubectl call (c->args prepared by the caller) and counts it. Each
 * process is limited to the time left before the deadline (CR_RUN_TIMEOUT
 * when it runs out, or at once when none is left). With retry, transient
 * failures are retried with backoff up to CR_RETRY_ATTEMPTS processes in
 * all; first is how many the caller has already made.
 */
enum cr_run_result deploy_kubectl_from(struct deploy *d, struct cr_child *c, bool retry, int first);
enum cr_run_result deploy_kubectl(struct deploy *d, struct cr_child *c, bool retry);
/*
 * Dies with CR_EXIT_KUBECTL naming what failed (a phrase: "listing the
 * cluster's objects") and kubectl's own message; 130 when interrupted; 5
 * when the deadline cut the call short, saying what was still running.
 */
_Noreturn void deploy_kubectl_failed(struct deploy *d, const char *what, const struct cr_child *c,
				     enum cr_run_result r);

/* preflight.c: everything checked before anything changes. */
void deploy_preflight(struct deploy *d);

/* apply.c */
/* Applies the phases (an array, consumed) with one kubectl apply, in order. */
void deploy_apply_phases(struct deploy *d, jv phases);
void deploy_prune(struct deploy *d);
/* --dry-run=client: the ordered manifests as YAML on stdout. */
void deploy_print_ordered(struct deploy *d);

/* display.c: the wait's progress (see there); rows: key -> deploy-row.jq result, items: the wait rows. */
struct deploy_display {
	FILE *out;
	bool tty;              /* redrawn in place */
	int drawn;             /* lines on screen */
	struct cr_buf frame;   /* what they show */
	jv last;               /* piped: key -> the line printed last */
};
void deploy_display_init(struct deploy_display *v, FILE *out);
/* Shows what changed in rows (neither is consumed). */
void deploy_display_update(struct deploy_display *v, jv items, jv rows);
/* The final frame on a terminal, before other output (a diagnosis, the summary) follows. */
void deploy_display_end(struct deploy_display *v, jv items, jv rows);
void deploy_display_free(struct deploy_display *v);
/* item's row in rows, or a "not seen yet" one; item consumed, rows not. */
jv deploy_row_of(jv rows, jv item);

/* wait.c: waits for the phase's workloads over watch streams; returns only when all are ready. */
void deploy_wait_phase(struct deploy *d, jv phase);

/* diagnose.c: the guide's troubleshooting for a pod that will not come up. */
/* sign: deploy-pods.jq row; pod: the Pod. Returns {workload, pod, sign, ...} and prints it on stderr. */
jv deploy_diagnose(struct deploy *d, jv workload, jv pod, jv sign);

/* summary.c */
void deploy_summary_text(struct deploy *d, FILE *out);
jv deploy_summary_json(struct deploy *d, const char *result, jv failure);

#endif
