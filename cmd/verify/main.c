/*
 * kubectl-crucible-verify: the guide's step 3 ("get pods, get svc, logs")
 * and its whole troubleshooting section as one check with a real exit code:
 *
 *   render the manifests → read the cluster (two kubectl calls) → check each
 *   area → explain crash loops with their logs → probes on request → report
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crucible/exit.h"
#include "crucible/jq.h"
#include "crucible/log.h"
#include "crucible/manifests.h"
#include "crucible/namespace.h"
#include "crucible/opts.h"
#include "crucible/util.h"
#include "verify.h"

static char *opt_only, *opt_skip, *opt_fail_on, *opt_output, *opt_restarts, *opt_watch;
static int opt_dns, opt_db;


static struct poptOption verify_table[] = {
	{ "only", '\0', POPT_ARG_STRING, &opt_only, 0, "run only these checks (IDs or areas, comma-separated)", "ID,..." },
	{ "skip", '\0', POPT_ARG_STRING, &opt_skip, 0, "leave these checks out (IDs or areas)", "ID,..." },
	{ "fail-on", '\0', POPT_ARG_STRING, &opt_fail_on, 0,
	  "exit 1 when a check reaches this level (default fail)", "warn|fail" },
	{ "dns", '\0', POPT_ARG_NONE, &opt_dns, 0,
	  "resolve every Service name from a hardened one-shot busybox pod (deleted afterwards)", NULL },
	{ "db", '\0', POPT_ARG_NONE, &opt_db, 0,
	  "pg_isready and SELECT 1 from a one-shot postgres:15-alpine pod (deleted afterwards)", NULL },
	{ "watch", 'w', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, &opt_watch, 0,
	  "run again whenever what verify reads changes (watch streams), at most once per INTERVAL (default 2s), until Ctrl-C",
	  "INTERVAL" },
	{ "restart-threshold", '\0', POPT_ARG_STRING, &opt_restarts, 0,
	  "restarts above this are a warning (default 5)", "N" },
	{ "output", 'o', POPT_ARG_STRING, &opt_output, 0, "text (default), json or junit", "text|json|junit" },
	CR_SOURCE_OPTIONS,
	CR_GLOBAL_OPTIONS,
	POPT_TABLEEND
};

static const struct cr_tool tool = {
	.step = "verify",
	.args_help = "[-f FILE|-f -|-k DIR|--overlay NAME] [flags]",
	.summary = "Check that the platform is healthy and deployed as the guide says; say exactly why not.",
	.more_help =
		"Areas and check IDs (for --only and --skip; an area name selects all its checks):\n"
		"  Presence   presence leftover\n"
		"  Workloads  workload-ready pod-ready pod-image-pull pod-crashloop pod-pending\n"
		"             pod-config pod-oomkilled pod-restarts\n"
		"  Services   service-endpoints service-selector service-target-port\n"
		"             ingress-backend service-dns\n"
		"  Storage    pvc-bound pvc-spec\n"
		"  Config     config-ref\n"
		"  Security   sec-non-root sec-run-as-user sec-read-only-root\n"
		"             sec-privilege-escalation sec-capabilities sec-seccomp sec-resources\n"
		"             sec-probes sec-emptydir sec-hostpath sec-sa-token netpol-default-deny\n"
		"             netpol-coverage rbac psa-labels\n"
		"  Probes     probe-dns probe-db (with --dns, --db)\n"
		"\n"
		"Each check has a level (PASS, WARN, FAIL), the object, one line of why and,\n"
		"for a finding, the guide's next command. Text shows findings (-v: every\n"
		"check, -q: failures only); -o json every check; -o junit one testcase each.\n"
		"The cluster is read in two kubectl calls (every kind and its events; the\n"
		"Secrets' key names, never their values), plus one 'kubectl logs --previous'\n"
		"per crash-looping container (at most 5). --only and --skip also leave out\n"
		"the work: an area with no check left is not run, and the Secrets are read\n"
		"only for Config and Presence.\n"
		"\n"
		"--watch waits on watch streams of the pods, workloads, Services, claims,\n"
		"NetworkPolicies and ConfigMaps (no polling) and runs again on a change:\n"
		"the report is redrawn on a terminal, else a new one follows (JSON: one\n"
		"document per run). Ctrl-C ends it (exit 130) with no kubectl left running\n"
		"and any probe pod deleted.\n"
		"\n"
		"Exit status: 0 nothing reached --fail-on, 1 something did, 2 usage, 3 bad\n"
		"manifests, 4 kubectl or API error, 5 a kubectl call did not end in time\n"
		"(twice --request-timeout plus 3 s, else 5 min), 130 interrupted.\n"
		"\n"
		"Examples:\n"
		"  kubectl crucible verify\n"
		"  kubectl crucible verify --skip security --fail-on warn\n"
		"  kubectl crucible verify --dns --db\n"
		"  kubectl crucible verify -o junit > verify.xml\n"
		"  kubectl crucible verify --watch=5s\n",
	.table = verify_table,
};

/* "a,b" as a JSON array of the words; unknown IDs are a usage error. */
static jv id_list(const char *flag, const char *s)
{
	jv out = jv_array();
	if (!s)
		return out;
	char *copy = cr_xstrdup(s), *save = NULL;
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (!verify_known_id(w)) {
			jv_free(out);
			cr_usage_error("--%s: no check or area '%s'", flag, w);
		}
		out = jv_array_append(out, jv_string(w));
	}
	free(copy);
	return out;
}

static void parse_options(struct verify *v, int argc, const char **argv)
{
	int nargs = 0;
	const char **rest = cr_opts_parse(&tool, argc, argv, &nargs);
	if (nargs > 0)
		cr_usage_error("unexpected argument '%s'", rest[0]);
	if (!opt_output || !strcmp(opt_output, "text"))
		v->format = FORMAT_TEXT;
	else if (!strcmp(opt_output, "json"))
		v->format = FORMAT_JSON;
	else if (!strcmp(opt_output, "junit"))
		v->format = FORMAT_JUNIT;
	else
		cr_usage_error("-o must be text, json or junit, not '%s'", opt_output);
	if (opt_fail_on && strcmp(opt_fail_on, "warn") && strcmp(opt_fail_on, "fail"))
		cr_usage_error("--fail-on must be warn or fail, not '%s'", opt_fail_on);
	v->fail_on_warn = opt_fail_on && !strcmp(opt_fail_on, "warn");
	v->only = id_list("only", opt_only);
	v->skip = id_list("skip", opt_skip);
	v->dns = opt_dns > 0;
	v->db = opt_db > 0;
	v->restart_threshold = 5;
	if (opt_watch) {
		v->watch = true;
		v->watch_interval_ms = *opt_watch ? cr_parse_duration(opt_watch) : 2000;
		if (v->watch_interval_ms < 0)
			cr_usage_error("--watch: not a duration: '%s' (say 5s, 1m)", opt_watch);
	}
	if (opt_restarts) {
		char *end;
		long n = strtol(opt_restarts, &end, 10);
		if (*end || end == opt_restarts || n < 0 || n > 1000000)
			cr_usage_error("--restart-threshold: not a count: '%s'", opt_restarts);
		v->restart_threshold = (int)n;
	}
}

/*
 * The programs this run can use, compiled together on first use: libjq 1.6
 * compiles its builtins with every program, and each program costs its own
 * compile, so the areas --only/--skip leave out, the report formats not asked
 * for and the probes not asked for are not compiled at all.
 */
static void bundle_programs(const struct verify *v)
{
	const char *programs[16];
	int n = 0;
	programs[n++] = "verify-kinds";
	if (verify_area_wanted(v, "Workloads"))
		programs[n++] = "kstatus";
	for (int a = 0; verify_area_programs[a][0]; a++)
		if (verify_area_wanted(v, verify_area_programs[a][1]))
			programs[n++] = verify_area_programs[a][0];
	if (v->format != FORMAT_JSON)
		programs[n++] = v->format == FORMAT_JUNIT ? "verify-junit" : "verify-text";
	if (v->dns || v->db) {
		programs[n++] = "verify-probe";
		programs[n++] = "verify-probe-result";
	}
	programs[n] = NULL;
	cr_jq_bundle(programs);
}

static void load_manifests(struct verify *v)
{
	int code = CR_EXIT_INPUT;
	v->manifests = cr_manifests_load(&cr_source, NULL, &code);
	if (!jv_is_valid(v->manifests)) {
		jv msg = jv_invalid_get_msg(v->manifests);
		v->manifests = jv_array();
		cr_die(code, "%s", jv_string_value(msg));
	}
	char *err = NULL;
	int rc = cr_namespace_choose(jv_copy(v->manifests), "verify one namespace at a time", &err);
	if (rc != CR_EXIT_OK)
		cr_die(rc, "%s", err);
	v->namespace = cr_opts.namespace;
}

int main(int argc, const char **argv)
{
	struct verify v = {
		.only = jv_array(), .skip = jv_array(), .manifests = jv_null(), .live = jv_null(),
		.secrets = jv_null(), .checks = jv_array(),
	};
	jv_free(v.only);
	jv_free(v.skip);
	parse_options(&v, argc, argv);
	bundle_programs(&v);
	load_manifests(&v);
	int code;
	for (int run = 0;; run++) {
		long long started = cr_now_ms();
		verify_collect(&v);
		verify_run_checks(&v);
		verify_attach_logs(&v);
		if (v.dns || v.db)
			verify_probes(&v);
		if (v.watch && isatty(STDOUT_FILENO))
			fputs("\033[H\033[2J", stdout); /* redraw */
		else if (v.watch && run > 0 && v.format == FORMAT_TEXT)
			putchar('\n');
		code = verify_report(&v);
		if (!v.watch)
			break;
		verify_watch_wait(&v, started);
	}
	cr_debug("%d kubectl processes", v.kubectl_calls);
	verify_write_stats(&v);
	jv_free(v.manifests);
	jv_free(v.live);
	jv_free(v.secrets);
	jv_free(v.checks);
	jv_free(v.only);
	jv_free(v.skip);
	return code;
}
