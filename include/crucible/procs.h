/*
 * Several child processes at once, in one poll loop: what waiting on a
 * handful of `kubectl get --watch` streams needs (kubectl watches only one
 * resource type per process). Each child is described by run.h's struct
 * cr_child (args, stdin from memory, on_line streaming, timeout_ms,
 * results); cr_run is a group of one.
 *
 * While a group exists SIGINT, SIGTERM, SIGCHLD and SIGPIPE are blocked;
 * the first SIGINT/SIGTERM terminates every child of the group, a second
 * one kills them, and cr_interrupted() reports it (see run.h for the rule).
 */
#ifndef CRUCIBLE_PROCS_H
#define CRUCIBLE_PROCS_H

#include <stdbool.h>

#include "run.h"

struct cr_procs;

struct cr_procs *cr_procs_new(void);
/*
 * Starts c (its kubectl argv already built). Returns 0, or -1 when it could
 * not be started: c->not_found set for a missing program, nothing started
 * once cr_interrupted(), else an error was printed. c must stay valid until
 * it is returned by cr_procs_finished.
 */
int cr_procs_start(struct cr_procs *g, struct cr_child *c);
/*
 * One round: waits up to timeout_ms (-1: until something happens) for
 * output, exits or a signal, and hands stdout lines to the on_line
 * callbacks (which must not start children in g). Returns how many
 * children are still running.
 */
int cr_procs_poll(struct cr_procs *g, int timeout_ms);
/* A child that ended since the last call (its result fields set), or NULL. */
struct cr_child *cr_procs_finished(struct cr_procs *g, enum cr_run_result *result);
/* Asks c to end (SIGTERM to its process group, SIGKILL after a grace); it is reported as CR_RUN_STOPPED. */
void cr_procs_stop(struct cr_procs *g, struct cr_child *c);
/* Stops every child and waits until all have ended (their results are discarded). */
void cr_procs_stop_all(struct cr_procs *g);
/* Stops what still runs, restores the signal mask (see run.h for what a signal does then). */
void cr_procs_free(struct cr_procs *g);

#endif
