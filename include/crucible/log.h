/* Diagnostics on stderr, in the style of err(3)/errx(3). Results go to stdout elsewhere. */
#ifndef CRUCIBLE_LOG_H
#define CRUCIBLE_LOG_H

#include <stdbool.h>
#include <stdio.h>

/* Set once by cr_opts_parse; read by everything that prints. */
extern const char *cr_progname; /* "kubectl crucible deploy" or "kubectl-crucible-deploy" */
extern int cr_verbose;          /* -v count */
extern bool cr_quiet;           /* -q: errors only */
extern bool cr_color_stderr;    /* colour allowed on stderr (TTY, no NO_COLOR, no --no-color) */
extern bool cr_color_stdout;

/* "<progname>: error: msg" then exit(code). */
_Noreturn void cr_die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cr_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress for humans; silent with -q. */
void cr_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Only with -v. */
void cr_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Decide colour from isatty, NO_COLOR and --no-color. */
void cr_color_init(bool no_color_flag);
/* ANSI sequence or "" when colour is off for that stream. */
const char *cr_color(FILE *stream, const char *ansi);
#define CR_RED "\033[31m"
#define CR_GREEN "\033[32m"
#define CR_YELLOW "\033[33m"
#define CR_BOLD "\033[1m"
#define CR_RESET "\033[0m"

#endif
