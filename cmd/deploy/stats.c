/*
 * What a deploy cost, for make bench: CPU time, kubectl processes, jq
 * compiles and runs per program (CRUCIBLE_STATS=FILE).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "crucible/jq.h"
#include "crucible/util.h"
#include "deploy.h"

/* Runs per program, for CRUCIBLE_STATS (a program run twice on the same input is wasted work). */
static struct { const char *program; int runs; } jq_runs[16];

static void count_run(const char *program)
{
	for (size_t i = 0; i < sizeof(jq_runs) / sizeof(jq_runs[0]); i++)
		if (!jq_runs[i].program || !strcmp(jq_runs[i].program, program)) {
			jq_runs[i].program = program;
			jq_runs[i].runs++;
			return;
		}
}

jv jq_run1(const char *program, jv input)
{
	count_run(program);
	return cr_jq_named_first(program, input);
}

static double cpu_seconds(int who)
{
	struct rusage ru;
	getrusage(who, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	       ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

/* For make bench: CRUCIBLE_STATS=FILE receives our own and our children's CPU time. */
void deploy_write_stats(const struct deploy *d)
{
	const char *path = getenv("CRUCIBLE_STATS");
	if (!path || !*path)
		return;
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "{\"self_cpu\": %.3f, \"children_cpu\": %.3f, \"kubectl_processes\": %d, \"wall\": %.3f, "
		"\"jq_compiles\": %d, \"jq_runs\": {",
		cpu_seconds(RUSAGE_SELF), cpu_seconds(RUSAGE_CHILDREN), d->kubectl_calls,
		(double)(cr_now_ms() - d->start_ms) / 1000.0, cr_jq_compiles());
	for (size_t i = 0; i < sizeof(jq_runs) / sizeof(jq_runs[0]) && jq_runs[i].program; i++)
		fprintf(f, "%s\"%s\": %d", i ? ", " : "", jq_runs[i].program, jq_runs[i].runs);
	fprintf(f, "}}\n");
	fclose(f);
}

