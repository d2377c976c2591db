/* Exit codes shared by every kubectl-crucible binary (documented in README.md). */
#ifndef CRUCIBLE_EXIT_H
#define CRUCIBLE_EXIT_H

enum cr_exit {
	CR_EXIT_OK = 0,           /* the step succeeded */
	CR_EXIT_FAILED = 1,       /* the step ran and failed: unhealthy, rollout failed, findings */
	CR_EXIT_USAGE = 2,        /* bad flags or arguments */
	CR_EXIT_INPUT = 3,        /* bad input: a file or manifest could not be read or parsed */
	CR_EXIT_KUBECTL = 4,      /* kubectl missing or failing, or the cluster answered an error */
	CR_EXIT_TIMEOUT = 5,      /* a deadline expired */
	CR_EXIT_INTERRUPTED = 130 /* SIGINT or SIGTERM */
};

#endif
