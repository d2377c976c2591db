/*
 * A tiny TAP producer for the C unit tests: each check prints "ok - name" or
 * "not ok - name"; tests/run-tests.sh counts them.
 */
#ifndef CRUCIBLE_TESTS_TAP_H
#define CRUCIBLE_TESTS_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int tap_failed;

static inline bool tap_vok(bool cond, const char *fmt, va_list ap)
{
	printf("%s - ", cond ? "ok" : "not ok");
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

__attribute__((format(printf, 2, 3)))
static inline bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool r = tap_vok(cond, fmt, ap);
	va_end(ap);
	return r;
}

#define is_int(got, want, ...) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	if (!ok(g_ == w_, __VA_ARGS__)) \
		printf("#   got %lld, want %lld\n", g_, w_); \
} while (0)

#define is_str(got, want, ...) do { \
	const char *g_ = (got), *w_ = (want); \
	if (!ok(g_ && w_ && strcmp(g_, w_) == 0, __VA_ARGS__)) \
		printf("#   got  \"%s\"\n#   want \"%s\"\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
} while (0)

__attribute__((format(printf, 1, 2)))
static inline void skip(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("ok - # SKIP ");
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
}

static inline int tap_done(void)
{
	return tap_failed ? 1 : 0;
}

#endif
