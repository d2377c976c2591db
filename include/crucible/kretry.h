/*
 * kubectl calls that survive a flaky API server: transient failures (HTTP
 * 5xx, 429, a dropped or refused connection, a server timeout) are retried
 * with bounded exponential backoff; permanent ones (403, 404, 409, 422, bad
 * flags) are not. Only for idempotent calls: reads, server-side apply.
 */
#ifndef CRUCIBLE_KRETRY_H
#define CRUCIBLE_KRETRY_H

#include <stdbool.h>

#include "run.h"

/* Attempts and backoff: 250 ms doubling to at most 4 s, 6 attempts (about 8 s in all). */
#define CR_RETRY_ATTEMPTS 6
#define CR_RETRY_FIRST_MS 250
#define CR_RETRY_MAX_MS 4000

/* True when kubectl's stderr says the failure was transient. */
bool cr_kubectl_transient(const char *err);

/* Delay before retry number n (0-based), without jitter. */
int cr_retry_delay_ms(int n);

/* How one kubectl call is retried and bounded; all fields may be zero. */
struct cr_retry {
	long long deadline_ms; /* cr_now_ms() clock: every process ends by it; 0: none */
	int attempts;          /* processes in all; 0: CR_RETRY_ATTEMPTS; 1: no retry */
	int made;              /* processes already started for this call (say, in a group) */
	int *started;          /* counts each process started (for -v and make bench); may be NULL */
};

/* Milliseconds left before deadline_ms (0: passed); -1: no deadline. */
long long cr_time_left(long long deadline_ms);
/* A child's timeout_ms for that much time left (0: none), clamped to an int. */
int cr_timeout_for(long long left);

/*
 * cr_kubectl_run, retried while the failure is transient (its stdin, if
 * any, is fed again each time), with backoff, each process limited to the
 * time left before the deadline. Returns the last attempt's result:
 * CR_RUN_TIMEOUT when the deadline cut a process short (c->timed_out) or
 * came before one could start; CR_RUN_INTERRUPTED for a signal during the
 * backoff. how may be NULL (defaults).
 */
enum cr_run_result cr_kubectl_run_retry(struct cr_child *c, const struct cr_retry *how);

/*
 * cr_kubectl_run_retry for a tool that cannot go on without the answer: a
 * signal ends it with 130 ("interrupted while WHAT"), a failure (unless
 * may_fail) with kubectl's exit code and "WHAT: kubectl's message".
 * Returns the result otherwise (with may_fail, the caller reads c->err).
 */
enum cr_run_result cr_kubectl_run_or_die(struct cr_child *c, const struct cr_retry *how, const char *what,
					 bool may_fail);

#endif
