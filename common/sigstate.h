/*
 * Private to common/: how child.c, procs.c and run.c report the signals
 * they take (from a signalfd or sigtimedwait) and ask what counts.
 */
#ifndef CRUCIBLE_SIGSTATE_H
#define CRUCIBLE_SIGSTATE_H

/* A SIGINT/SIGTERM taken from a signalfd or sigtimedwait, counted like a caught one. */
void signals_note(int sig);
int signals_count(void);
/* Signals that count for children: those since cr_cleanup_begin inside a cleanup section. */
int signals_now(void);
/* Without cr_signals_init, the signal now takes its default action (see signals.h). */
void signals_settle(void);

#endif
