/*
 * Private to common/: one child process, the layer that cr_run (run.c) and
 * the cr_procs groups (procs.c) share, after git's start_command /
 * finish_command. The caller owns the poll loop and the signal mask:
 * children only exist inside a group, which keeps SIGINT, SIGTERM, SIGCHLD
 * and SIGPIPE blocked (see procs.c).
 */
#ifndef CRUCIBLE_CHILD_H
#define CRUCIBLE_CHILD_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>

#include "crucible/run.h"

struct child {
	struct cr_child *c;
	int in_fd, out_fd, err_fd; /* our pipe ends; -1 when closed */
	size_t in_off;             /* how much of c->in was written */
	struct cr_buf line;        /* a stdout line still missing its '\n' */
	long long deadline;        /* when c->timeout_ms runs out; 0: never */
	long long kill_at;         /* SIGKILL time once terminated; 0: not ending */
	bool killed;               /* SIGKILL sent */
	enum cr_run_result why;    /* CR_RUN_OK unless we are ending it */
};

/*
 * Starts c (results reset) as the leader of its own process group, with
 * stdin from c->in or /dev/null, stdout and stderr on pipes, only fds 0-2
 * open and `mask` as its signal mask. Returns CR_RUN_OK, CR_RUN_NOT_FOUND
 * (c->not_found set), CR_RUN_ERROR (a message was printed) or, once
 * cr_interrupted(), CR_RUN_INTERRUPTED without starting anything.
 */
enum cr_run_result child_start(struct child *k, struct cr_child *c, const sigset_t *mask);
/* The child's three fds (-1: closed, which poll skips) and what is wanted of them. */
void child_pollfds(const struct child *k, struct pollfd p[3]);
/* Feeds stdin and reads stdout/stderr as poll reported them ready. */
void child_io(struct child *k, const struct pollfd p[3]);
/* SIGTERM to its group, SIGKILL once kill_at passes; why is what it ends as. */
void child_terminate(struct child *k, enum cr_run_result why);
/*
 * Once the leader has exited: kills what it left in its group, reaps it,
 * takes what its pipes still hold and fills in c's results. Returns false
 * while it still runs.
 */
bool child_reap(struct child *k, enum cr_run_result *result);

/* Moves *fd (close-on-exec) above 0-2, so a child's dup2 onto 0-2 cannot hit it. */
int child_above_stdio(int *fd);
void child_close(int *fd);

#endif
