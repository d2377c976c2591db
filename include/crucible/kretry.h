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

/*
 * cr_kubectl_run, retried while the failure is transient (its stdin, if
 * any, is fed again each time). Returns the last attempt's result; a signal
 * during the backoff gives CR_RUN_INTERRUPTED. *attempts (if non-NULL)
 * receives how many kubectl processes were started.
 */
enum cr_run_result cr_kubectl_run_retry(struct cr_child *c, int *attempts);

#endif
