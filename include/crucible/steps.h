/*
 * Finding the guide's steps, kubectl-crucible-STEP, the way the dispatcher
 * and `up` both do: beside the path we were run by (kubectl runs a plugin
 * by its full path on PATH), then beside our real file (krew's store),
 * then in PATH's absolute entries.
 */
#ifndef CRUCIBLE_STEPS_H
#define CRUCIBLE_STEPS_H

#include "buf.h"

#define CR_STEP_PREFIX "kubectl-crucible-"

/* The directories to search, in order; argv0 may be NULL (or have no '/': skipped). */
void cr_step_dirs(struct cr_strv *dirs, const char *argv0);
/* The path of the step's binary in dirs (malloc'd), or NULL. */
char *cr_step_path(const struct cr_strv *dirs, const char *step);
/* NAME beside our own executable, not the symlink krew made (malloc'd): "DIR/NAME". */
char *cr_self_path(const char *name);

#endif
