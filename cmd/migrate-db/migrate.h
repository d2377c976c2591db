/* kubectl-crucible-migrate-db: the guide's migration Job, run once, safely. */
#ifndef CRUCIBLE_MIGRATE_H
#define CRUCIBLE_MIGRATE_H

#include <stdbool.h>
#include <jv.h>

/* The lock of a running migration, one per namespace. */
#define MIG_LEASE "crucible-migrate-db"

enum mig_dry_run { MIG_DRY_NONE, MIG_DRY_CLIENT, MIG_DRY_SERVER };

struct migrate {
	/* Options. */
	const char *image_flag;    /* --image */
	bool allow_latest, backup, json;
	enum mig_dry_run dry_run;
	long long timeout_ms;      /* 0: none */
	int retries;

	/* State. */
	jv objects;                /* the manifests being deployed */
	char *image;               /* the image the migration runs */
	char stamp[32];            /* UTC time of the run: 20261203-094536 */
	char job_name[64], backup_name[64];
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
