/* Small helpers that more than one tool needs. */
#ifndef CRUCIBLE_UTIL_H
#define CRUCIBLE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Parses a Go-style duration ("90s", "10m", "1h30m", "500ms", "0"); returns milliseconds or -1. */
long long cr_parse_duration(const char *s);

/* Monotonic clock in milliseconds. */
long long cr_now_ms(void);

/*
 * Writes data to path atomically: a temp file in the same directory created
 * with mode, fsync'd, then renamed over path. Returns 0 or -1 with errno; on
 * failure no partial file remains.
 */
int cr_write_file_atomic(const char *path, const void *data, size_t len, unsigned mode);

/* A regular file we may execute (what PATH lookups accept). */
bool cr_is_executable(const char *path);
/* CPU seconds (user + system) of RUSAGE_SELF or RUSAGE_CHILDREN, for make bench. */
double cr_cpu_seconds(int who);
/* make bench's CRUCIBLE_STATS=FILE opened for writing, or NULL when unset (or it cannot be opened). */
FILE *cr_stats_open(void);
/* This process's peak resident set in KiB, for make bench. */
long cr_peak_rss_kib(void);

/* No control characters (newlines, escapes): s may be quoted in a one-line message. */
bool cr_is_printable(const char *s);

/* Levenshtein distance, for "did you mean" suggestions. */
size_t cr_edit_distance(const char *a, const char *b);

#endif
