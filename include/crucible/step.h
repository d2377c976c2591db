/* Finding another step's binary, for the tools that run one (up, deploy --migrate). */
#ifndef CRUCIBLE_STEP_H
#define CRUCIBLE_STEP_H

/*
 * The path of kubectl-crucible-NAME (malloc'd), or NULL: beside argv0, the
 * path we were run by (kubectl runs a plugin by its full path on PATH), then
 * beside our real file (krew's store), then on PATH.
 */
char *cr_find_step(const char *argv0, const char *name);

#endif
