/*
 * Several child processes at once, in one poll loop: what waiting on a
 * handful of `kubectl get --watch` streams needs (kubectl watches only one
 * resource type per process). run.h's cr_run runs one child to completion;
 * this runs many, each described by the same struct cr_child (args, stdin
 * from memory, on_line streaming, timeout_ms, results).
 *
 * While a group exists SIGINT/SIGTERM (and SIGCHLD) are blocked and read
 * from a signalfd: the first signal terminates every child of the group,
 * a second one kills them; cr_stop_signal() then reports it.
 */
#ifndef CRUCIBLE_PROCS_H
#define CRUCIBLE_PROCS_H

#include <stdbool.h>

#include "run.h"

struct cr_procs;

struct cr_procs *cr_procs_new(void);
/*
 * Starts c (its kubectl argv already built). Returns 0, or -1 when it could
 * not be started: c->not_found set for a missing program, else an error was
 * printed. c must stay valid until it is returned by cr_procs_finished.
 */
int cr_procs_start(struct cr_procs *g, struct cr_child *c);
/*
 * One round: waits up to timeout_ms (-1: until something happens) for
 * output, exits or a signal, and hands stdout lines to the on_line
 * callbacks. Returns how many children are still running.
 */
int cr_procs_poll(struct cr_procs *g, int timeout_ms);
/* A child that ended since the last call (its result fields set), or NULL. */
struct cr_child *cr_procs_finished(struct cr_procs *g, enum cr_run_result *result);
/* Asks c to end (SIGTERM to its process group, SIGKILL after a grace); it is reported as CR_RUN_STOPPED. */
void cr_procs_stop(struct cr_procs *g, struct cr_child *c);
/* Stops every child and waits until all have ended (their results are discarded). */
void cr_procs_stop_all(struct cr_procs *g);
/* Stops what still runs, restores the signal mask. */
void cr_procs_free(struct cr_procs *g);

/*
 * Sleeps ms milliseconds unless SIGINT/SIGTERM arrives; returns 0, or the
 * signal (then also reported by cr_stop_signal). For retry backoff.
 */
int cr_sleep_ms(int ms);

/* SIGINT/SIGTERM seen by cr_run (cr_interrupted), a group or cr_sleep_ms, or 0. */
int cr_stop_signal(void);

#endif
