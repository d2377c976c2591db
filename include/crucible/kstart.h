/*
 * Starting kubectl in a cr_procs group the way every tool does: -v prints
 * the command line first, the process is counted, and it runs in its own
 * process group (procs.h) so stopping it stops what it started.
 */
#ifndef CRUCIBLE_KSTART_H
#define CRUCIBLE_KSTART_H

#include "procs.h"

/*
 * Starts c (its kubectl argv already built) in g; *started counts it (may
 * be NULL). Returns cr_procs_start's result: 0, or -1 (c->not_found set
 * for a missing kubectl).
 */
int cr_kubectl_start(struct cr_procs *g, struct cr_child *c, int *started);

#endif
