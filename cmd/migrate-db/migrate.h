/* kubectl-crucible-migrate-db: the guide's migration Job, run once, safely. */
#ifndef CRUCIBLE_MIGRATE_H
#define CRUCIBLE_MIGRATE_H

#include <stdbool.h>
#include <jv.h>

#include "crucible/procs.h"
#include "crucible/run.h"
#include "crucible/watch.h"

#define MIG_LEASE "crucible-migrate-db"

enum mig_dry_run { MIG_DRY_NONE, MIG_DRY_CLIENT, MIG_DRY_SERVER };

struct migrate {
	/* Options. */
	const char *image_flag;    /* --image */
	bool allow_latest, backup, json;
	enum mig_dry_run dry_run;
	long long timeout_ms;      /* 0: none */
	long long pull_grace_ms;   /* ImagePullBackOff tolerated this long */
	long long unsched_grace_ms;/* Unschedulable tolerated this long */
	int retries;

	/* State. */
	jv objects;                /* the manifests being deployed */
	char *image;               /* the image the migration runs */
	char stamp[32];            /* UTC time of the run: 20261203-094536 */
	char job_name[64], backup_name[64];
	const char *namespace;
	long long start_ms, deadline_ms; /* deadline 0: none */
	bool tty;                  /* stderr is a terminal: log lines carry the pod's name */

	/* The Lease (lock.c). */
	char holder[192];          /* our holderIdentity */
	jv lease;                  /* as we last wrote it; null when not ours */
	const char *lease_job;     /* the Job the Lease guards, once created */
	bool job_started;          /* a Job of ours may be running: the Lease stays with it */
};

/* How a watched Job ended (follow.c). */
enum mig_end { MIG_COMPLETE, MIG_FAILED, MIG_STUCK, MIG_TIMEOUT, MIG_INTERRUPTED };

struct mig_outcome {
	enum mig_end end;
	jv detail;                 /* migrate-result.jq's object; for MIG_STUCK {pod, sign} */
	jv tail;                   /* the last log lines, oldest first */
	long long ms;              /* how long it was watched */
};


/* image.c */
/* Chooses m->image: --image, else storage-service's in the manifests; refuses :latest and untagged. */
void mig_choose_image(struct migrate *m);
/* True when ref has neither a tag nor a digest, or its tag is "latest". */
bool mig_image_floating(const char *ref);
/* 8 hex digits naming the image: its digest's first ones, else a hash of the reference. */
void mig_image_hash(const char *ref, char out[9]);

/* job.c */
/* Names the run's Jobs from the time and the image. */
void mig_name_jobs(struct migrate *m);
/* The manifests the run creates, in order: [claim, backup Job] with --backup, then the migration Job. */
jv mig_manifests(const struct migrate *m, const char *namespace);

/* run.c */
/* The run: preflight, Lease, [backup], migration Job, watch, result. Returns the exit code. */
int mig_run(struct migrate *m);
/*
 * A kubectl call (args built by the caller): retried while transient when
 * retry, each process bounded by the run's deadline. Returns the result
 * when it succeeded or may_fail; otherwise dies naming what ("reading the
 * Lease") with kubectl's message: 4, 5 at the deadline, 130 interrupted.
 */
enum cr_run_result mig_kubectl(const struct migrate *m, struct cr_child *c, const char *what, bool retry,
			       bool may_fail);
/* "1m05s" for a duration in ms. */
const char *mig_duration(long long ms, char buf[32]);

/* preflight.c: everything checked before anything is created (may wait for postgres). */
void mig_preflight(struct migrate *m);

/* lock.c: the Lease MIG_LEASE, one migration at a time per namespace. */
/* Takes it, or takes over a stale one; exits 1 naming the holder when it is held. */
void mig_lock_take(struct migrate *m);
/* Builds c (stdin from body) to renew it; mig_lock_renewed reads the result. */
void mig_lock_renew_args(struct migrate *m, struct cr_child *c, struct cr_buf *body);
void mig_lock_renewed(struct migrate *m, struct cr_child *c, enum cr_run_result r);
/* Renews it now (after the Job is created, so the Lease names it). */
void mig_lock_renew(struct migrate *m);
/* Deletes it if it is still ours; never dies (it also runs at exit). */
void mig_lock_release(struct migrate *m);

/* A watch stream that failed for good: dies naming it (4), or 130 after a signal. */
_Noreturn void mig_watch_failed(const struct cr_watch *w);

/* follow.c: watches the Job and its pod, streams the log; returns how it ended. */
struct mig_outcome mig_follow(struct migrate *m, const char *job, const char *container);

/* cluster.c */
/* The migration Jobs in the namespace, newest first (migrate-history.jq rows); dies on an API error. */
jv mig_list_jobs(void);
/* The Lease's holder (migrate-lease.jq), or null: none, released, or a server without Leases. */
jv mig_read_lease(void);

/* status.c */
int mig_status(const struct migrate *m);
int mig_history(const struct migrate *m);

/* logs.c */
/* The log of job, or of the newest migration Job when job is NULL, on stdout. */
int mig_logs(const char *job);

/* dryrun.c */
/* Submits objects (consumed) with kubectl create --dry-run=server; dies when the server refuses them. */
void mig_dry_run_server(const struct migrate *m, jv objects);

#endif
