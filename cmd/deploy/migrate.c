/*
 * --migrate: the database migration between the databases phase and the
 * applications, the order helm's pre-upgrade hooks and Argo CD's PreSync
 * give (the new code must find the schema it expects). It is the step
 * installed with us, kubectl-crucible-migrate-db, run with the same
 * manifests and global flags; if it fails, no application is touched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crucible/exit.h"
#include "crucible/kretry.h"
#include "crucible/log.h"
#include "crucible/opts.h"
#include "crucible/steps.h"
#include "crucible/yaml.h"
#include "deploy.h"

void deploy_migrate_find(struct deploy *d, const char *argv0)
{
	d->migrate_db = cr_step_find(argv0, "migrate-db");
	if (!d->migrate_db)
		cr_die(CR_EXIT_FAILED, "--migrate: kubectl-crucible-migrate-db is not installed (beside this "
		       "binary or on PATH); nothing was deployed");
}

static void pass(struct cr_strv *args, const char *flag, const char *value)
{
	if (value && *value)
		cr_strv_pushl(args, flag, value, (const char *)NULL);
}

static _Noreturn void failed(struct deploy *d, int code, const char *result, jv msg)
{
	cr_error("%s", jv_string_value(msg));
	deploy_finish(d, code, result, JV_OBJECT(jv_string("error"), msg));
}

void deploy_migrate(struct deploy *d)
{
	if (d->dry_run != DRY_NONE) {
		cr_info("dry run: the migration is not run (kubectl crucible migrate-db --dry-run=server checks its Jobs)");
		return;
	}
	struct cr_child c = CR_CHILD_INIT;
	struct cr_buf in = CR_BUF_INIT;
	cr_strv_pushl(&c.args, d->migrate_db, "run", (const char *)NULL);
	if (cr_source.file && !strcmp(cr_source.file, "-")) {
		/* Our stdin is read: it gets the manifests we read from it. */
		if (cr_yaml_emit_stream(jv_copy(d->objects), &in) < 0)
			failed(d, CR_EXIT_FAILED, "error", jv_string("internal error: the manifests cannot be written for migrate-db"));
		c.in = cr_buf_str(&in);
		c.in_len = in.len;
	}
	pass(&c.args, "--filename", cr_source.file);
	pass(&c.args, "--kustomize", cr_source.kustomize);
	pass(&c.args, "--overlay", cr_source.overlay);
	pass(&c.args, "--namespace", d->namespace);
	pass(&c.args, "--context", cr_opts.context);
	pass(&c.args, "--kubeconfig", cr_opts.kubeconfig);
	pass(&c.args, "--request-timeout", cr_opts.request_timeout);
	pass(&c.args, "--kubectl", cr_opts.kubectl);
	for (int i = 0; i < cr_opts.verbose; i++)
		cr_strv_push(&c.args, "--verbose");
	if (cr_opts.quiet > 0)
		cr_strv_push(&c.args, "--quiet");
	if (cr_opts.no_color > 0)
		cr_strv_push(&c.args, "--no-color");
	c.on_line = cr_line_relay; /* its stdout is progress here: ours is the summary */
	c.ctx = d->progress;
	c.err_to_stderr = true;

	long long left = deploy_time_left(d);
	if (left == 0)
		failed(d, CR_EXIT_TIMEOUT, "timeout", jv_string("timed out (--timeout) before the migration could start"));
	c.timeout_ms = cr_timeout_for(left);
	d->phase = "migrate";
	cr_info("migrating the database (%s)", d->migrate_db);
	enum cr_run_result r = cr_run(&c);
	cr_buf_free(&in);
	if (r == CR_RUN_OK) {
		d->phase = NULL;
		cr_child_clear(&c);
		cr_info("migration complete");
		return;
	}
	if (r == CR_RUN_INTERRUPTED || cr_interrupted())
		deploy_finish(d, CR_EXIT_INTERRUPTED, "interrupted", jv_null());
	if (r == CR_RUN_TIMEOUT)
		failed(d, CR_EXIT_TIMEOUT, "timeout", jv_string("timed out (--timeout) while the migration ran; its "
			"Job is left running: kubectl crucible migrate-db status"));
	jv msg = r == CR_RUN_EXIT
		 ? jv_string_fmt("the migration failed (migrate-db exit %d): no application was deployed", c.exit_code)
		 : jv_string_fmt("the migration could not run (%s): no application was deployed",
				 r == CR_RUN_SIGNALED ? "killed by a signal" : "migrate-db did not start");
	cr_child_clear(&c);
	failed(d, CR_EXIT_FAILED, "migration-failed", msg);
}
