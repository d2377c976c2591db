/*
 * For make bench: CRUCIBLE_STATS=FILE receives verify's own CPU time and
 * peak memory (its kubectl children apart), and the processes it started.
 */
#include <stdio.h>
#include <sys/resource.h>

#include "crucible/util.h"
#include "verify.h"

void verify_write_stats(const struct verify *v)
{
	FILE *f = cr_stats_open();
	if (!f)
		return;
	fprintf(f, "{\"self_cpu\": %.3f, \"children_cpu\": %.3f, \"peak_rss_kib\": %ld, \"kubectl_processes\": %d}\n",
		cr_cpu_seconds(RUSAGE_SELF), cr_cpu_seconds(RUSAGE_CHILDREN), cr_peak_rss_kib(), v->kubectl_calls);
	fclose(f);
}
