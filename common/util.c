/* Durations, clocks, atomic files and edit distance. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crucible/buf.h"
#include "crucible/util.h"

long long cr_parse_duration(const char *s)
{
	static const struct { const char *unit; long long ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
	};
	if (!s || !*s)
		return -1;
	if (!strcmp(s, "0"))
		return 0;
	long long total = 0;
	while (*s) {
		char *end;
		/* Digits and a point only: strtod alone would take "inf", "nan", "0x10" and "-1". */
		size_t digits = strspn(s, "0123456789.");
		errno = 0;
		double v = digits ? strtod(s, &end) : 0;
		if (!digits || end != s + digits || errno)
			return -1;
		size_t i, n = sizeof(units) / sizeof(units[0]);
		for (i = 0; i < n; i++) {
			size_t len = strlen(units[i].unit);
			/* "m" must not swallow the "m" of "ms". */
			if (!strncmp(end, units[i].unit, len) && !(len == 1 && end[0] == 'm' && end[1] == 's'))
				break;
		}
		if (i == n)
			return -1;
		double ms = v * (double)units[i].ms;
		if (!(ms < 9e18) || total > LLONG_MAX - (long long)ms) /* Go's limit is ~292 years too */
			return -1;
		total += (long long)ms;
		s = end + strlen(units[i].unit);
	}
	return total;
}

long long cr_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool cr_is_executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int cr_write_file_atomic(const char *path, const void *data, size_t len, unsigned mode)
{
	struct cr_buf tmp = CR_BUF_INIT;
	cr_buf_addf(&tmp, "%s.tmp.XXXXXX", path);
	int fd = mkstemp(tmp.data); /* created 0600 */
	if (fd < 0) {
		cr_buf_free(&tmp);
		return -1;
	}
	const char *p = data;
	size_t left = len;
	int saved = 0;
	while (left) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved = errno;
			break;
		}
		p += n;
		left -= (size_t)n;
	}
	if (!saved && fchmod(fd, (mode_t)mode) < 0)
		saved = errno;
	if (!saved && fsync(fd) < 0)
		saved = errno;
	if (close(fd) < 0 && !saved)
		saved = errno;
	if (!saved && rename(tmp.data, path) < 0)
		saved = errno;
	if (saved)
		unlink(tmp.data);
	cr_buf_free(&tmp);
	errno = saved;
	return saved ? -1 : 0;
}

size_t cr_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = calloc(lb + 1, sizeof(*row));
	if (!row)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = diag + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	size_t d = row[lb];
	free(row);
	return d;
}

double cr_cpu_seconds(int who)
{
	struct rusage ru;
	getrusage(who, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	       ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

long cr_peak_rss_kib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss; /* Linux: KiB */
}

FILE *cr_stats_open(void)
{
	const char *path = getenv("CRUCIBLE_STATS");
	return path && *path ? fopen(path, "w") : NULL;
}

bool cr_is_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}
