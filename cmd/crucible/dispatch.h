/* The dispatcher's pieces shared by its subcommands (completion, version). */
#ifndef CRUCIBLE_DISPATCH_H
#define CRUCIBLE_DISPATCH_H

#include <stdio.h>
#include <stdlib.h>

#include "crucible/buf.h"

/* Installed steps: every kubectl-crucible-* executable in dirs, once each. */
void installed_steps(const struct cr_strv *dirs, struct cr_strv *steps);

/* "  STEP  first line of `STEP FLAG`" for each step (silent: when it does not answer). */
void print_step_lines(FILE *out, const struct cr_strv *dirs, const struct cr_strv *steps,
		      const char *flag, const char *silent);

int cmd_completion(const struct cr_strv *dirs, int argc, char **argv);
int cmd_version(const struct cr_strv *dirs);

#endif
