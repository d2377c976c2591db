/*
 * jq programs through libjq 1.6. Programs are .jq files in the source tree,
 * embedded at build time (tools/embed.c) and looked up by name.
 * Not thread-safe (libjq 1.6 is not); the tools are single-threaded.
 */
#ifndef CRUCIBLE_JQ_H
#define CRUCIBLE_JQ_H

#include <jv.h>

struct cr_jq_source {
	const char *name; /* file name without ".jq", e.g. "kstatus" */
	const char *text;
};
/* Every embedded program, ended by {NULL, NULL}. Generated at build time. */
extern const struct cr_jq_source cr_jq_sources[];
/* The text of an embedded program, or NULL. */
const char *cr_jq_source(const char *name);

struct cr_jq;

/*
 * Compiles program with named arguments ($name for every key of args, an
 * object; consumed; jv_null() for none). ~/.jq is never loaded. On error
 * returns NULL and sets *errmsg (malloc'd) when errmsg is non-NULL.
 */
struct cr_jq *cr_jq_compile(const char *program, jv args, char **errmsg);
/* Compiles an embedded program; a failure is a bug, so it dies. */
struct cr_jq *cr_jq_compile_named(const char *name, jv args);
/*
 * An embedded program without arguments, compiled on first use and kept for
 * the rest of the process (libjq 1.6 compiles every builtin with each
 * program: a compile costs far more than a run). Shared: never cr_jq_free
 * it. Freed at exit.
 */
struct cr_jq *cr_jq_named(const char *name);
/*
 * Declares embedded programs (without arguments; list ended by NULL) that
 * cr_jq_named compiles together, as one program, on the first use of any:
 * libjq pays its builtins once instead of once per program. A program of
 * the bundle must not be run from inside a callback of another one.
 */
void cr_jq_bundle(const char *const *names);
/* How many programs this process has compiled (for make bench and tests). */
int cr_jq_compiles(void);

/* Called with each result (owned by the callee). Return nonzero to stop. */
typedef int (*cr_jq_fn)(jv result, void *ctx);

/*
 * Runs the program over input (consumed). Returns 0, or -1 when the program
 * raised an error (message in *errmsg, malloc'd, if errmsg non-NULL), or the
 * callback's nonzero value.
 */
int cr_jq_run(struct cr_jq *q, jv input, cr_jq_fn fn, void *ctx, char **errmsg);
/* All results as an array; on error an invalid jv carrying the message. */
jv cr_jq_collect(struct cr_jq *q, jv input);
/* The first result; jv_invalid() when none, invalid with message on error. */
jv cr_jq_first(struct cr_jq *q, jv input);
/*
 * The first result of the embedded program NAME.jq; an error or no result
 * is a bug in the program, so it ends the tool (exit 1) naming it.
 */
jv cr_jq_named_first(const char *name, jv input);
void cr_jq_free(struct cr_jq *q);

/* One-shot helper: compile, collect, free. */
jv cr_jq_eval(const char *program, jv input, jv args);

#endif
