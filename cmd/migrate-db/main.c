/*
 * kubectl-crucible-migrate-db: the guide's database migration ("a Job
 * running alembic upgrade head") run the way a careful operator would:
 *
 *   image → preflight → Lease → [backup Job] → migration Job → watch and stream → result
 *
 * Written so far: the image choice and its refusal of moving tags, the
 * Jobs built from the template, both dry runs, the run against the
 * cluster (run.c), and status, history and logs.
 */
#include <stdlib.h>
#include <string.h>

#include "crucible/exit.h"
#include "crucible/jq.h"
#include "crucible/log.h"
#include "crucible/manifests.h"
#include "crucible/namespace.h"
#include "crucible/opts.h"
#include "crucible/util.h"
#include "crucible/yaml.h"
#include "migrate.h"

static char *opt_image, *opt_timeout, *opt_retries, *opt_dry_run, *opt_output, *opt_pull_grace, *opt_unsched_grace;
static int opt_allow_latest, opt_backup;

static struct poptOption migrate_table[] = {
	{ "image", '\0', POPT_ARG_STRING, &opt_image, 0,
	  "run this image instead of the manifests' storage-service image", "REF" },
	{ "allow-latest", '\0', POPT_ARG_NONE, &opt_allow_latest, 0,
	  "with --image: accept :latest or an untagged image", NULL },
	{ "timeout", '\0', POPT_ARG_STRING, &opt_timeout, 0,
	  "the Job's activeDeadlineSeconds and how long to watch it; exit 5 when it runs out, "
	  "the Job left running (default 10m; 0: no limit)", "DURATION" },
	{ "retries", '\0', POPT_ARG_STRING, &opt_retries, 0,
	  "the Job's backoffLimit (default 0: a failed migration is not re-run blindly)", "N" },
	{ "backup", '\0', POPT_ARG_NONE, &opt_backup, 0,
	  "pg_dump to the claim crucible-db-backups first; migrate only if it completed", NULL },
	{ "dry-run", '\0', POPT_ARG_STRING, &opt_dry_run, 0,
	  "client: print the Jobs it would create; server: submit them with server dry-run", "client|server" },
	{ "output", 'o', POPT_ARG_STRING, &opt_output, 0, "text (default) or json", "text|json" },
	{ "image-pull-grace", '\0', POPT_ARG_STRING, &opt_pull_grace, 0,
	  "how long the Job's pod may fail to pull its image before the run fails (default 30s)", "DURATION" },
	{ "unschedulable-grace", '\0', POPT_ARG_STRING, &opt_unsched_grace, 0,
	  "how long the Job's pod may stay unschedulable before the run fails (default 15s)", "DURATION" },
	CR_SOURCE_OPTIONS,
	CR_GLOBAL_OPTIONS,
	POPT_TABLEEND
};

static const struct cr_tool tool = {
	.step = "migrate-db",
	.args_help = "[run|status|history|logs [JOB]] [flags]",
	.summary = "Run the database migration Job once, with its image, a lock, its logs and a real exit code.",
	.more_help =
		"Commands:\n"
		"  run       (default) the migration: image, preflight, Lease, Job, watch\n"
		"  status    the latest migration Job and the Lease holder\n"
		"  history   every db-migrate-* Job still in the cluster, newest first\n"
		"  logs      the log of the latest (or the named) migration\n"
		"\n"
		"Image: storage-service's in the manifests being deployed (--overlay decides\n"
		"it), or --image. :latest and untagged images are refused unless --image names\n"
		"one with --allow-latest.\n"
		"\n"
		"Job: db-migrate-<UTC time>-<image hash> from k8s/jobs/db-migrate.yaml,\n"
		"backoffLimit --retries, activeDeadlineSeconds --timeout.\n"
		"\n"
		"Run: preflight (namespace, Secret db-credentials key database-url, the\n"
		"base's ServiceAccount and NetworkPolicy, permissions, postgres ready),\n"
		"then the Lease crucible-migrate-db (held: its holder is named, exit 1;\n"
		"stale: taken over), then the Job, watched, its log streamed to stderr.\n"
		"A Job left running (--timeout, Ctrl-C) keeps the Lease.\n"
		"\n"
		"--dry-run=client prints the Jobs (YAML, or a List with -o json);\n"
		"--dry-run=server submits them with kubectl create --dry-run=server and\n"
		"prints nothing on stdout. Neither takes the Lease.\n"
		"\n"
		"status: the latest migration Job (image, started, duration, result) and the\n"
		"holder of the Lease crucible-migrate-db while one runs; history: every\n"
		"db-migrate-* Job still in the cluster, newest first (-o json: an array);\n"
		"logs [JOB]: kubectl logs of the latest migration Job, or of JOB. They read\n"
		"the namespace -n names (default crucible); exit 0, or 1 when logs finds no\n"
		"such Job.\n"
		"\n"
		"Exit status: 0 migrated (or dry run), 1 failed or refused, 2 usage, 3 bad\n"
		"manifests, 4 kubectl or API error, 5 --timeout (Job left running) or a\n"
		"kubectl call that did not end in time (status, history: twice\n"
		"--request-timeout plus 3 s, else 5 min), 130 interrupted (Job left running).\n"
		"\n"
		"Examples:\n"
		"  kubectl crucible migrate-db\n"
		"  kubectl crucible migrate-db --overlay production --backup --timeout 20m\n"
		"  kubectl crucible migrate-db --dry-run=client\n"
		"  kubectl crucible migrate-db --overlay production --backup --dry-run=client\n"
		"  kubectl crucible migrate-db --dry-run=server\n"
		"  kubectl crucible migrate-db status\n"
		"  kubectl crucible migrate-db history -o json | jq -r '.[] | select(.result == \"Failed\") | .name'\n"
		"  kubectl crucible migrate-db logs\n",
	.table = migrate_table,
};

static void parse_options(struct migrate *m, int argc, const char **argv, const char **cmd, const char **job)
{
	int nargs = 0;
	const char **rest = cr_opts_parse(&tool, argc, argv, &nargs);

	*cmd = nargs > 0 ? rest[0] : "run";
	*job = NULL;
	if (strcmp(*cmd, "run") && strcmp(*cmd, "status") && strcmp(*cmd, "history") && strcmp(*cmd, "logs"))
		cr_usage_error("unknown command '%s': use run, status, history or logs", *cmd);
	if (nargs > 1 && !strcmp(*cmd, "logs"))
		*job = rest[1];
	if (nargs > (!strcmp(*cmd, "logs") ? 2 : 1))
		cr_usage_error("unexpected argument '%s'", rest[nargs - 1]);
	if (opt_dry_run && !strcmp(opt_dry_run, "client"))
		m->dry_run = MIG_DRY_CLIENT;
	else if (opt_dry_run && !strcmp(opt_dry_run, "server"))
		m->dry_run = MIG_DRY_SERVER;
	else if (opt_dry_run && strcmp(opt_dry_run, "none"))
		cr_usage_error("--dry-run must be client or server, not '%s'", opt_dry_run);
	if (opt_output && strcmp(opt_output, "json") && strcmp(opt_output, "text"))
		cr_usage_error("-o must be text or json, not '%s'", opt_output);
	m->json = opt_output && !strcmp(opt_output, "json");
	m->timeout_ms = 10 * 60 * 1000;
	if (opt_timeout && (m->timeout_ms = cr_parse_duration(opt_timeout)) < 0)
		cr_usage_error("--timeout: bad duration '%s' (e.g. 30s, 10m)", opt_timeout);
	m->pull_grace_ms = 30 * 1000;
	if (opt_pull_grace && (m->pull_grace_ms = cr_parse_duration(opt_pull_grace)) < 0)
		cr_usage_error("--image-pull-grace: bad duration '%s'", opt_pull_grace);
	m->unsched_grace_ms = 15 * 1000;
	if (opt_unsched_grace && (m->unsched_grace_ms = cr_parse_duration(opt_unsched_grace)) < 0)
		cr_usage_error("--unschedulable-grace: bad duration '%s'", opt_unsched_grace);
	if (opt_retries) {
		char *end;
		long n = strtol(opt_retries, &end, 10);
		if (!*opt_retries || *end || n < 0 || n > 100)
			cr_usage_error("--retries must be a number from 0 to 100, not '%s'", opt_retries);
		m->retries = (int)n;
	}
	if (strcmp(*cmd, "run") && (opt_image || opt_backup || opt_dry_run || opt_retries || opt_timeout || opt_allow_latest))
		cr_usage_error("--image, --allow-latest, --backup, --dry-run, --retries and --timeout go with run, not %s", *cmd);
	if (!strcmp(*cmd, "logs") && opt_output)
		cr_usage_error("-o goes with run, status and history, not logs");
	m->image_flag = opt_image;
	m->allow_latest = opt_allow_latest > 0;
	m->backup = opt_backup > 0;
}

static void load_manifests(struct migrate *m)
{
	int code = CR_EXIT_INPUT;
	m->objects = cr_manifests_load(&cr_source, NULL, &code);
	if (!jv_is_valid(m->objects)) {
		jv msg = jv_invalid_get_msg(m->objects);
		m->objects = jv_array();
		cr_die(code, "%s", jv_string_value(msg));
	}
	char *err;
	code = cr_namespace_choose(jv_copy(m->objects), "migrate one namespace at a time", &err);
	if (code)
		cr_die(code, "%s", err);
}

/* --dry-run=client: the objects a run would create, as YAML (or one JSON List with -o json). */
static void print_manifests(jv objects, bool json)
{
	struct cr_buf out = CR_BUF_INIT;
	if (json) {
		jv list = JV_OBJECT(jv_string("apiVersion"), jv_string("v1"), jv_string("kind"), jv_string("List"),
				    jv_string("items"), objects);
		jv s = jv_dump_string(list, JV_PRINT_INDENT_FLAGS(2));
		cr_buf_addf(&out, "%s\n", jv_string_value(s));
		jv_free(s);
	} else if (cr_yaml_emit_stream(objects, &out) < 0) {
		cr_die(CR_EXIT_FAILED, "internal error: the Jobs cannot be written as YAML");
	}
	fwrite(cr_buf_str(&out), 1, out.len, stdout);
	cr_buf_free(&out);
}

int main(int argc, const char **argv)
{
	struct migrate m = { .objects = jv_null(), .lease = jv_null() };
	const char *cmd, *job;

	parse_options(&m, argc, argv, &cmd, &job);
	if (!strcmp(cmd, "status"))
		return mig_status(&m);
	if (!strcmp(cmd, "history"))
		return mig_history(&m);
	if (!strcmp(cmd, "logs"))
		return mig_logs(job);
	load_manifests(&m);
	mig_choose_image(&m);
	mig_name_jobs(&m);
	if (m.dry_run == MIG_DRY_NONE) {
		m.namespace = cr_opts.namespace;
		int code = mig_run(&m);
		jv_free(m.lease); /* still held when the Job was left running */
		jv_free(m.objects);
		free(m.image);
		return code;
	}
	if (m.dry_run == MIG_DRY_CLIENT)
		print_manifests(mig_manifests(&m, cr_opts.namespace), m.json);
	else
		mig_dry_run_server(&m, mig_manifests(&m, cr_opts.namespace));
	cr_info("%s dry run: nothing was created (image %s)", m.dry_run == MIG_DRY_CLIENT ? "client" : "server",
		m.image);
	jv_free(m.objects);
	free(m.image);
	return CR_EXIT_OK;
}
