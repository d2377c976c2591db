/*
 * cr_run (a group of one, see procs.c and child.c), the SIGINT/SIGTERM
 * rule of run.h, and cr_which.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strchrnul */
#endif

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "crucible/procs.h"
#include "crucible/run.h"
#include "crucible/util.h"

/* ---- signals ---------------------------------------------------------- */

static volatile sig_atomic_t first_signal; /* cr_interrupted() */
static volatile sig_atomic_t signal_count;
static bool handlers_installed;

void child_note_signal(int sig)
{
	if (!first_signal)
		first_signal = sig;
	signal_count++;
}

int child_signal_count(void)
{
	return signal_count;
}

/*
 * Only runs while no child does: groups keep the signals blocked. Records;
 * a second signal kills the process, a way out of a tool that never checks.
 */
static void on_signal(int sig)
{
	int saved_errno = errno;

	child_note_signal(sig);
	if (signal_count > 1) {
		struct sigaction dfl;
		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		sigemptyset(&dfl.sa_mask);
		sigaction(sig, &dfl, NULL);
		raise(sig); /* blocked in here: delivered, and fatal, on return */
	}
	errno = saved_errno;
}

void cr_signals_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	/* No SA_RESTART: a blocking read must return EINTR (see run.h). */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	handlers_installed = true;

	/* Writes to a closed pipe fail with EPIPE instead of killing us. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
}

int cr_interrupted(void)
{
	return first_signal;
}

static int cleanup_base = -1; /* signals counted when the cleanup section began; -1: none */

void cr_cleanup_begin(void)
{
	cleanup_base = child_signal_count();
}

void cr_cleanup_end(void)
{
	cleanup_base = -1;
}

int child_signals_now(void)
{
	return cleanup_base < 0 ? child_signal_count() : child_signal_count() - cleanup_base;
}

/*
 * A program without our handlers gets the default action once its children
 * are gone, unless an outer group still blocks the signal (it settles).
 */
void child_signal_settle(void)
{
	static bool raised;
	sigset_t mask;

	if (handlers_installed || !first_signal || raised)
		return;
	if (sigprocmask(SIG_BLOCK, NULL, &mask) < 0 || sigismember(&mask, first_signal))
		return;
	raised = true;
	raise(first_signal);
}

/* sigtimedwait takes the signal in the wait, like a group's signalfd. */
int cr_sleep_ms(int ms)
{
	sigset_t set, old;
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	long long end = cr_now_ms() + ms;
	int sig;

	if (first_signal)
		return first_signal;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &old);
	while ((sig = sigtimedwait(&set, NULL, &ts)) < 0 && errno == EINTR) {
		long long left = end - cr_now_ms();
		if (left <= 0)
			break;
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (long)(left % 1000) * 1000000L;
	}
	if (sig > 0)
		child_note_signal(sig);
	sigprocmask(SIG_SETMASK, &old, NULL);
	child_signal_settle();
	return first_signal;
}

/* ---- one child -------------------------------------------------------- */

enum cr_run_result cr_run(struct cr_child *c)
{
	struct cr_procs *g = cr_procs_new();
	enum cr_run_result r = CR_RUN_ERROR;

	if (cr_procs_start(g, c) < 0) {
		r = c->not_found ? CR_RUN_NOT_FOUND : child_signals_now() ? CR_RUN_INTERRUPTED : CR_RUN_ERROR;
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

static int is_executable_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

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
			if (is_executable_file(cand))
				return cand;
			free(cand);
		}
		path = *end ? end + 1 : end;
	}
	return NULL;
}

int cr_line_relay(const char *line, size_t len, void *ctx)
{
	FILE *to = ctx;
	fwrite(line, 1, len, to);
	fputc('\n', to);
	fflush(to);
	return 0;
}
