/* Diagnostics on stderr, err(3)-style, honouring -q, -v and colour settings. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crucible/log.h"

const char *cr_progname = "kubectl-crucible";
int cr_verbose;
bool cr_quiet;
bool cr_color_stderr;
bool cr_color_stdout;

static void vreport(const char *color, const char *level, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", cr_progname);
	if (level)
		fprintf(stderr, "%s%s:%s ", cr_color(stderr, color), level, cr_color(stderr, CR_RESET));
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cr_die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(CR_RED, "error", fmt, ap);
	va_end(ap);
	exit(code);
}

void cr_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(CR_RED, "error", fmt, ap);
	va_end(ap);
}

void cr_warn(const char *fmt, ...)
{
	if (cr_quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	vreport(CR_YELLOW, "warning", fmt, ap);
	va_end(ap);
}

void cr_info(const char *fmt, ...)
{
	if (cr_quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cr_debug(const char *fmt, ...)
{
	if (!cr_verbose || cr_quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cr_color_init(bool no_color_flag)
{
	/* https://no-color.org: any non-empty NO_COLOR disables colour. */
	const char *nc = getenv("NO_COLOR");
	bool allowed = !no_color_flag && !(nc && *nc);
	const char *term = getenv("TERM");
	if (term && !*term)
		allowed = false;
	if (term && !strcmp(term, "dumb"))
		allowed = false;
	cr_color_stderr = allowed && isatty(STDERR_FILENO);
	cr_color_stdout = allowed && isatty(STDOUT_FILENO);
}

const char *cr_color(FILE *stream, const char *ansi)
{
	bool on = stream == stderr ? cr_color_stderr : stream == stdout ? cr_color_stdout : false;
	return on ? ansi : "";
}
