/*
 * Running a child process from an argv vector, never through a shell
 * (after git's run-command API). Stdin is fed from memory, stdout and
 * stderr are captured in one poll loop so neither pipe can deadlock.
 * Several at once: procs.h, on the same machinery (common/child.c).
 */
#ifndef CRUCIBLE_RUN_H
#define CRUCIBLE_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "signals.h" /* what a signal does to children (cr_interrupted, ...) */

/*
 * Streaming: called with each complete stdout line (without its '\n') as it
 * arrives, and once more with the unterminated rest at EOF. The line is only
 * valid during the call, and NUL-terminated at line[len]. Return nonzero to
 * stop: the child is then terminated and cr_run returns CR_RUN_STOPPED.
 */
typedef int (*cr_line_fn)(const char *line, size_t len, void *ctx);

struct cr_child {
	struct cr_strv args;   /* args.v[0] is the program; looked up on PATH if it has no '/' */
	const char *in;        /* bytes for the child's stdin; NULL: /dev/null */
	size_t in_len;
	cr_line_fn on_line;    /* NULL: stdout is collected into out */
	void *ctx;
	int timeout_ms;        /* 0: no timeout */
	bool err_to_stderr;    /* pass the child's stderr through instead of capturing it */

	/* Results. */
	struct cr_buf out, err;
	pid_t pid;
	int exit_code;         /* valid when exited */
	int term_signal;       /* nonzero when the child died by a signal */
	bool exited;
	bool timed_out;
	bool not_found;        /* the program could not be executed (ENOENT/EACCES) */
};
#define CR_CHILD_INIT { CR_STRV_INIT, NULL, 0, NULL, NULL, 0, false, CR_BUF_INIT, CR_BUF_INIT, -1, -1, 0, false, false, false }

enum cr_run_result {
	CR_RUN_OK = 0,          /* exited with status 0 */
	CR_RUN_EXIT = 1,        /* exited with a nonzero status (see exit_code) */
	CR_RUN_SIGNALED = 2,    /* killed by a signal not sent by us (see term_signal) */
	CR_RUN_TIMEOUT = 3,     /* timeout_ms expired; the child was killed */
	CR_RUN_INTERRUPTED = 4, /* we got SIGINT/SIGTERM; the child was terminated */
	CR_RUN_STOPPED = 5,     /* on_line asked to stop; the child was terminated */
	CR_RUN_NOT_FOUND = 6,   /* the program does not exist or is not executable */
	CR_RUN_ERROR = 7        /* fork/pipe/poll failed (errno-style message on stderr) */
};

/*
 * Runs the child to completion: a group of one (procs.h), so everything
 * there holds here too. Termination is SIGTERM to the child's process
 * group, then SIGKILL after a short grace, so a child that ignores SIGTERM
 * still dies. When the program exits, whatever it left running in its
 * group is killed. Safe to call again after cr_child_clear.
 */
enum cr_run_result cr_run(struct cr_child *c);
/* Frees args and the captured buffers (wiping them: they may hold secrets). */
void cr_child_clear(struct cr_child *c);

/* Returns the absolute path of prog found on PATH (malloc'd), or NULL. */
char *cr_which(const char *prog);

#endif
