/*
 * --dry-run=server: the Jobs a run would create (and the backup claim and
 * Job with --backup), submitted with kubectl create --dry-run=server on its
 * stdin, so the API server validates and admits them and keeps nothing.
 * The Lease is never taken: nothing runs.
 */
#include <stdlib.h>
#include <string.h>

#include "crucible/buf.h"
#include "crucible/exit.h"
#include "crucible/json.h"
#include "crucible/kretry.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/objects.h"
#include "migrate.h"

#define BACKUP_CLAIM "crucible-db-backups"

/* A run creates the backup claim only when it is missing; so does its dry run. */
static bool claim_exists(void)
{
	struct cr_child c = CR_CHILD_INIT;
	cr_kubectl_args(&c, true);
	cr_strv_pushl(&c.args, "get", "persistentvolumeclaims", BACKUP_CLAIM, "--ignore-not-found", "-o", "name",
		      (const char *)NULL);
	cr_kubectl_run_or_die(&c, NULL, "looking for the backup claim " BACKUP_CLAIM, false);
	bool yes = c.out.len > 0;
	cr_child_clear(&c);
	return yes;
}

static jv without_claim(jv objects)
{
	jv out = jv_array();
	jv_array_foreach(objects, i, o) {
		if (!strcmp(cr_json_str(o, "kind"), "PersistentVolumeClaim"))
			jv_free(o);
		else
			out = jv_array_append(out, o);
	}
	jv_free(objects);
	return out;
}

/* kubectl's "job.batch/x created (server dry run)" lines, as progress on stderr. */
static int progress(const char *line, size_t len, void *ctx)
{
	(void)ctx;
	if (len)
		cr_info("%s", line);
	return 0;
}

void mig_dry_run_server(const struct migrate *m, jv objects)
{
	if (m->backup && claim_exists()) {
		cr_info("the backup claim %s exists: a run would use it", BACKUP_CLAIM);
		objects = without_claim(objects);
	}
	struct cr_buf in = CR_BUF_INIT;
	cr_objects_stream(objects, &in);
	struct cr_child c = CR_CHILD_INIT;
	cr_kubectl_args(&c, true);
	cr_strv_pushl(&c.args, "create", "--dry-run=server", "-f", "-", (const char *)NULL);
	c.in = cr_buf_str(&in);
	c.in_len = in.len;
	c.on_line = progress;
	cr_kubectl_run_or_die(&c, NULL, "server dry run of the migration", false);
	cr_child_clear(&c);
	cr_buf_free(&in);
}
