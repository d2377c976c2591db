/* --dns and --db: hardened one-shot pods (not written yet). */
#include "crucible/log.h"
#include "verify.h"

void verify_probes(struct verify *v)
{
	(void)v;
	cr_warn("--dns and --db are not implemented yet");
}
