#ifndef CRUCIBLE_SIGNALS_H
#define CRUCIBLE_SIGNALS_H

/*
 * SIGINT and SIGTERM, the one rule for every tool:
 *
 * - While children run (cr_run, a cr_procs group, cr_sleep_ms) the signals
 *   are blocked and taken in the wait: the children get SIGTERM (SIGKILL
 *   after the grace, or at once on a second signal) and end as
 *   CR_RUN_INTERRUPTED.
 * - After cr_signals_init (cr_opts_parse calls it, so every tool has it) a
 *   signal only ever sets cr_interrupted(): nothing is started after it
 *   (cr_run returns CR_RUN_INTERRUPTED at once, cr_sleep_ms too), and the
 *   tool checks cr_interrupted() after each step, reports what it did and
 *   exits CR_EXIT_INTERRUPTED (130). The handler has no SA_RESTART, so a
 *   blocking read returns EINTR: loops that retry on EINTR must stop when
 *   cr_interrupted() (cr_read_file does, for `-f -` on a terminal).
 *   A second signal while no child runs kills the process (default
 *   action), for a tool stuck where it does not check.
 * - Without cr_signals_init, once the children are gone the signal takes
 *   its default action, as if the library were not there.
 *
 * cr_signals_init also ignores SIGPIPE (writes fail with EPIPE).
 */
void cr_signals_init(void);
/* The first SIGINT/SIGTERM received, or 0: the one place to ask. */
int cr_interrupted(void);
/*
 * A cleanup section, for undoing what the tool created after a Ctrl-C (a
 * probe pod to delete): between begin and end, children start even though
 * a signal came, and only a signal that arrives inside the section ends
 * them (as it would outside).
 */
void cr_cleanup_begin(void);
void cr_cleanup_end(void);
/* Sleeps ms milliseconds unless a signal comes; returns cr_interrupted(). For retry backoff. */
int cr_sleep_ms(int ms);

#endif
