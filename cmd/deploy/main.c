/*
 * kubectl-crucible-deploy: the guide's step 2 ("kubectl apply -k k8s/base/",
 * then watch the pods) as one safe, ordered, fail-fast command:
 *
 *   preflight → order in phases → apply each phase → wait for its workloads → summary
 */
#include <string.h>

#include "crucible/exit.h"
#include "crucible/jq.h"
#include "crucible/json.h"
#include "crucible/log.h"
#include "crucible/manifests.h"
#include "crucible/namespace.h"
#include "crucible/opts.h"
#include "crucible/plan.h"
#include "crucible/util.h"
#include "deploy.h"

static char *opt_dry_run, *opt_timeout, *opt_pull_grace, *opt_unsched_grace, *opt_output;
static int opt_no_wait, opt_prune, opt_migrate;

static struct poptOption deploy_table[] = {
	{ "dry-run", '\0', POPT_ARG_STRING, &opt_dry_run, 0,
	  "client: print the ordered manifests; server: show what would change, change nothing",
	  "client|server" },
	{ "timeout", '\0', POPT_ARG_STRING, &opt_timeout, 0,
	  "the whole deploy's time limit, every kubectl call included; exit 5 when it runs out "
	  "(default 10m; 0: no limit)", "DURATION" },
	{ "no-wait", '\0', POPT_ARG_NONE, &opt_no_wait, 0, "apply every phase without waiting", NULL },
	{ "prune", '\0', POPT_ARG_NONE, &opt_prune, 0,
	  "delete objects this tool applied before that the input no longer has", NULL },
	{ "migrate", '\0', POPT_ARG_NONE, &opt_migrate, 0,
	  "run kubectl crucible migrate-db (same manifests and global flags) once the databases are "
	  "ready, before the applications; a failed migration stops the deploy (exit 1)", NULL },
	{ "image-pull-grace", '\0', POPT_ARG_STRING, &opt_pull_grace, 0,
	  "how long an image pull may keep failing before the deploy fails (default 30s)", "DURATION" },
	{ "unschedulable-grace", '\0', POPT_ARG_STRING, &opt_unsched_grace, 0,
	  "how long a pod may stay unschedulable before the deploy fails (default 15s)", "DURATION" },
	{ "output", 'o', POPT_ARG_STRING, &opt_output, 0, "text (default) or json", "text|json" },
	CR_SOURCE_OPTIONS,
	CR_GLOBAL_OPTIONS,
	POPT_TABLEEND
};

static const struct cr_tool tool = {
	.step = "deploy",
	.args_help = "[-f FILE|-f -|-k DIR|--overlay NAME] [flags]",
	.summary = "Deploy the platform in order: preflight, apply each phase server-side, wait for it, fail fast.",
	.more_help =
		"Phases: Namespace; CRDs; ServiceAccounts, RBAC, ConfigMaps, Secrets, PVCs;\n"
		"StatefulSets and their Services (waited on); Deployments, DaemonSets, Services\n"
		"(waited on); Ingress, NetworkPolicies, HPA, PDB. Jobs are left to migrate-db.\n"
		"\n"
		"--migrate runs kubectl-crucible-migrate-db (installed beside this binary, else\n"
		"on PATH) after the StatefulSets are ready and before the applications phase, with\n"
		"the same manifest source and global flags (-f - gets the manifests on its\n"
		"stdin); its output goes to stderr. The NetworkPolicies then go with the\n"
		"databases phase, so the migration's pod reaches postgres and DNS through the\n"
		"default deny. A failed migration stops the deploy before any application is\n"
		"applied (exit 1); dry runs leave the migration out.\n"
		"\n"
		"Namespace: the one the manifests name (objects without one go to -n, default\n"
		"crucible); as for kubectl apply -n (and secrets apply), -n must agree with it.\n"
		"\n"
		"Exit status: 0 ready, 1 failed (diagnosis printed), 2 usage, 3 bad manifests,\n"
		"4 kubectl or API error, 5 --timeout expired, 130 interrupted.\n"
		"\n"
		"Examples:\n"
		"  kubectl crucible deploy\n"
		"  kubectl crucible deploy --overlay production --timeout 5m\n"
		"  kubectl kustomize k8s/overlays/production | kubectl crucible deploy -f -\n"
		"  kubectl crucible deploy --dry-run=server\n"
		"  kubectl crucible deploy --overlay production --migrate\n"
		"  kubectl crucible deploy -o json | jq '.workloads[] | select(.status != \"Current\")'\n",
	.table = deploy_table,
};

static jv deploy_phase(const struct deploy *d, int i)
{
	return jv_array_get(jv_object_get(jv_copy(d->plan), jv_string("phases")), i);
}

static long long duration_opt(const char *flag, const char *value, long long dflt)
{
	if (!value)
		return dflt;
	long long ms = cr_parse_duration(value);
	if (ms < 0)
		cr_usage_error("--%s: bad duration '%s' (e.g. 30s, 10m)", flag, value);
	return ms;
}

static void parse_options(struct deploy *d, int argc, const char **argv)
{
	int nargs = 0;
	const char **rest = cr_opts_parse(&tool, argc, argv, &nargs);
	if (nargs > 0)
		cr_usage_error("unexpected argument '%s'", rest[0]);
	if (opt_dry_run && !strcmp(opt_dry_run, "client"))
		d->dry_run = DRY_CLIENT;
	else if (opt_dry_run && !strcmp(opt_dry_run, "server"))
		d->dry_run = DRY_SERVER;
	else if (opt_dry_run && strcmp(opt_dry_run, "none"))
		cr_usage_error("--dry-run must be client or server, not '%s'", opt_dry_run);
	if (opt_output && strcmp(opt_output, "json") && strcmp(opt_output, "text"))
		cr_usage_error("-o must be text or json, not '%s'", opt_output);
	d->json = opt_output && !strcmp(opt_output, "json");
	d->timeout_ms = duration_opt("timeout", opt_timeout, 10 * 60 * 1000);
	d->pull_grace_ms = duration_opt("image-pull-grace", opt_pull_grace, 30 * 1000);
	d->unsched_grace_ms = duration_opt("unschedulable-grace", opt_unsched_grace, 15 * 1000);
	d->no_wait = opt_no_wait > 0;
	d->prune = opt_prune > 0;
	d->migrate = opt_migrate > 0;
	/* stdout is the result only: summary, -o json, client dry run's manifests, server dry run's changes. */
	d->progress = stderr;
	d->result = d->json ? stderr : stdout;
}

static void load_and_plan(struct deploy *d)
{
	int code = CR_EXIT_INPUT;
	d->objects = cr_manifests_load(&cr_source, NULL, &code);
	if (!jv_is_valid(d->objects)) {
		jv msg = jv_invalid_get_msg(d->objects);
		d->objects = jv_array();
		cr_die(code, "%s", jv_string_value(msg));
	}
	if (jv_array_length(jv_copy(d->objects)) == 0)
		cr_die(CR_EXIT_INPUT, "%s: no objects in the input",
		       cr_source.file ? (strcmp(cr_source.file, "-") ? cr_source.file : "standard input")
				      : cr_source.kustomize ? cr_source.kustomize
							    : cr_source.overlay ? cr_source.overlay : "the manifests");
	char *err;
	code = cr_namespace_choose(jv_copy(d->objects), "deploy one namespace at a time", &err);
	if (code)
		cr_die(code, "%s", err);
	d->namespace = cr_opts.namespace;
	d->plan = jq_run1("deploy-plan", cr_plan_input(jv_copy(d->objects), d->namespace));
	if (d->migrate)
		d->plan = jq_run1("deploy-migrate-plan", d->plan);
	d->all = jq_run1("deploy-all", jv_copy(d->plan));
	jv skipped = jv_object_get(jv_copy(d->plan), jv_string("skipped"));
	jv_array_foreach(skipped, i, s) {
		cr_info("%s skipped: %s", cr_json_str(s, "ref"), cr_json_str(s, "reason"));
		jv_free(s);
	}
	jv_free(skipped);
}

/* Phase i has workloads to wait on. */
static bool waits(const struct deploy *d, int i)
{
	jv phase = deploy_phase(d, i);
	jv wait = jv_object_get(phase, jv_string("wait"));
	bool yes = jv_get_kind(wait) == JV_KIND_ARRAY && jv_array_length(jv_copy(wait)) > 0;
	jv_free(wait);
	return yes;
}

/* Phase i's name is name. */
static bool named(const struct deploy *d, int i, const char *name)
{
	jv phase = deploy_phase(d, i);
	bool yes = !strcmp(cr_json_str(phase, "name"), name);
	jv_free(phase);
	return yes;
}

int main(int argc, const char **argv)
{
	struct deploy d = {
		.objects = jv_null(), .plan = jv_null(), .all = jv_null(), .live = jv_array(), .changes = jv_array(),
		.workloads = jv_object(), .pruned = jv_array(), .applied = CR_STRV_INIT,
	};

	d.start_ms = cr_now_ms();
	/* Every program a deploy runs in one compile; diagnosis and prune programs on their own. */
	static const char *const programs[] = {
		"deploy-plan", "deploy-all", "deploy-refs", "deploy-storage", "deploy-changes",
		"kstatus", "deploy-row", "deploy-rollout", "deploy-pods", "deploy-migrate-plan", NULL,
	};
	cr_jq_bundle(programs);
	parse_options(&d, argc, argv);
	if (d.migrate)
		deploy_migrate_find(&d, argv[0]);
	load_and_plan(&d);
	if (d.dry_run == DRY_CLIENT) {
		deploy_print_ordered(&d);
		deploy_finish(&d, CR_EXIT_OK, "dry-run", jv_null());
	}
	if (d.timeout_ms > 0)
		d.deadline_ms = d.start_ms + d.timeout_ms;
	deploy_preflight(&d);

	jv phases = jv_object_get(jv_copy(d.plan), jv_string("phases"));
	int n = jv_array_length(jv_copy(phases));
	jv_free(phases);
	bool migrated = !d.migrate;
	for (int i = 0; i < n; i++) {
		/* The migration goes after the databases, before the first application phase. */
		if (!migrated && (named(&d, i, "apps") || named(&d, i, "edge"))) {
			deploy_migrate(&d);
			migrated = true;
		}
		/*
		 * Phases that wait on nothing (Namespace, CRDs, config) go in one
		 * apply, in order, with the next phase: one kubectl process instead
		 * of one per phase. Not with edge, which may hold custom resources
		 * whose CRDs must be established first.
		 */
		jv batch = JV_ARRAY(deploy_phase(&d, i));
		while (i + 1 < n && !waits(&d, i) && !named(&d, i + 1, "edge") && !(d.migrate && named(&d, i + 1, "apps")))
			batch = jv_array_append(batch, deploy_phase(&d, ++i));
		deploy_apply_phases(&d, batch);
		jv phase = deploy_phase(&d, i);
		d.phase = cr_json_str(phase, "name");
		if (!d.no_wait && d.dry_run == DRY_NONE)
			deploy_wait_phase(&d, jv_copy(phase));
		jv_free(phase);
		d.phase = NULL;
	}
	if (!migrated)
		deploy_migrate(&d);
	if (d.prune)
		deploy_prune(&d);
	deploy_finish(&d, CR_EXIT_OK, d.dry_run ? "dry-run" : d.no_wait ? "applied" : "ready", jv_null());
}
