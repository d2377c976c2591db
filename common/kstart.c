/* The one way a kubectl process is started in a group: traced, counted, then started. */
#include "crucible/kstart.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"

int cr_kubectl_start(struct cr_procs *g, struct cr_child *c, int *started)
{
	if (cr_verbose > 0)
		cr_kubectl_trace(c);
	if (started)
		(*started)++;
	return cr_procs_start(g, c);
}
