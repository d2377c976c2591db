/* Small helpers that more than one tool needs. */
#ifndef CRUCIBLE_UTIL_H
#define CRUCIBLE_UTIL_H

#include <stdbool.h>
#include <stddef.h>

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

/* Levenshtein distance, for "did you mean" suggestions. */
size_t cr_edit_distance(const char *a, const char *b);

#endif
