/*
 * cr_run (a group of one, see procs.c and child.c) and cr_which; the
 * SIGINT/SIGTERM rule is signals.c's.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strchrnul */
#endif

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child.h"
#include "crucible/procs.h"
#include "crucible/run.h"
#include "crucible/util.h"
#include "sigstate.h"

/* ---- one child -------------------------------------------------------- */

enum cr_run_result cr_run(struct cr_child *c)
{
	struct cr_procs *g = cr_procs_new();
	enum cr_run_result r = CR_RUN_ERROR;

	if (cr_procs_start(g, c) < 0) {
		r = c->not_found ? CR_RUN_NOT_FOUND : signals_now() ? CR_RUN_INTERRUPTED : CR_RUN_ERROR;
	} else {
		while (cr_procs_poll(g, -1) > 0)
			;
		cr_procs_finished(g, &r);
	}
	cr_procs_free(g);
	return r;
}

void cr_child_clear(struct cr_child *c)
{
	struct cr_child fresh = CR_CHILD_INIT;

	cr_strv_free(&c->args);
	cr_buf_wipe(&c->out);
	cr_buf_wipe(&c->err);
	*c = fresh;
}

/* ---- PATH lookup -------------------------------------------------------- */

char *cr_which(const char *prog)
{
	const char *path = getenv("PATH");

	if (!prog || !*prog || strchr(prog, '/'))
		return NULL;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	size_t plen = strlen(prog);
	while (*path) {
		const char *end = strchrnul(path, ':');
		size_t dlen = (size_t)(end - path);
		/*
		 * Only absolute entries: an empty or relative PATH entry would
		 * run whatever sits in the current directory (Go's LookPath
		 * refuses those too).
		 */
		if (dlen && path[0] == '/') {
			char *cand = malloc(dlen + 1 + plen + 1);
			if (!cand)
				return NULL;
			memcpy(cand, path, dlen);
			cand[dlen] = '/';
			memcpy(cand + dlen + 1, prog, plen + 1);
			if (cr_is_executable(cand))
				return cand;
			free(cand);
		}
		path = *end ? end + 1 : end;
	}
	return NULL;
}
