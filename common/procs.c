/*
 * A group of children in one poll loop (see procs.h); cr_run is a group of
 * one. The children themselves are child.c's.
 *
 * While a group lives, SIGINT, SIGTERM, SIGCHLD and SIGPIPE are blocked.
 * The first three are read from a signalfd in the same poll, so "a child
 * exited" and "the user pressed Ctrl-C" are ordinary events, free of
 * handler races; SIGPIPE stays pending and is dropped at the end (our
 * writes to a child that stopped reading fail with EPIPE instead).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>

#include "child.h"
#include "crucible/log.h"
#include "crucible/procs.h"
#include "crucible/util.h"
#include "sigstate.h"

struct ended {
	struct cr_child *c;
	enum cr_run_result r;
};

struct cr_procs {
	struct child *kids;    /* running, in start order */
	size_t n, cap;
	struct ended *ended;   /* not yet handed out by cr_procs_finished */
	size_t nended, ended_cap;
	int sigfd;             /* -1 if signalfd failed: we then poll every 20 ms */
	sigset_t old_mask;
	bool pipe_was_pending; /* a SIGPIPE pending before us is not ours to drop */
};

static void signal_set(sigset_t *set, bool with_pipe)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGCHLD);
	if (with_pipe)
		sigaddset(set, SIGPIPE);
}

struct cr_procs *cr_procs_new(void)
{
	struct cr_procs *g = cr_xmalloc(sizeof(*g));
	sigset_t set, pending;

	memset(g, 0, sizeof(*g));
	signal_set(&set, true);
	sigprocmask(SIG_BLOCK, &set, &g->old_mask);
	g->pipe_was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);
	signal_set(&set, false);
	g->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (g->sigfd < 0 || child_above_stdio(&g->sigfd) < 0) {
		cr_error("signalfd: %s", strerror(errno));
		child_close(&g->sigfd);
	}
	return g;
}

/* Takes the pending INT/TERM/CHLD (the signalfd is only our wake-up call). */
static void take_signals(void)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;
	int sig;

	signal_set(&set, false);
	while ((sig = sigtimedwait(&set, NULL, &zero)) > 0 || (sig < 0 && errno == EINTR))
		if (sig == SIGINT || sig == SIGTERM)
			signals_note(sig);
}

int cr_procs_start(struct cr_procs *g, struct cr_child *c)
{
	sigset_t mask = g->old_mask;

	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 8;
		g->kids = cr_xrealloc(g->kids, g->cap * sizeof(*g->kids));
	}
	/* The program starts with the caller's mask, but must be killable. */
	sigdelset(&mask, SIGINT);
	sigdelset(&mask, SIGTERM);
	sigdelset(&mask, SIGCHLD);
	sigdelset(&mask, SIGPIPE);
	if (child_start(&g->kids[g->n], c, &mask) != CR_RUN_OK)
		return -1;
	g->n++;
	return 0;
}

/* Interrupts, timeouts, on_line's stops and overdue SIGKILLs. */
static void enforce(struct cr_procs *g)
{
	long long now = cr_now_ms();
	int signals = signals_now();

	for (size_t i = 0; i < g->n; i++) {
		struct child *k = &g->kids[i];
		if (signals)
			child_terminate(k, CR_RUN_INTERRUPTED);
		if (k->deadline && now >= k->deadline)
			child_terminate(k, CR_RUN_TIMEOUT);
		if (k->why != CR_RUN_OK)
			child_terminate(k, k->why);
		/* A second Ctrl-C means "now": no grace. */
		if (!k->killed && (signals > 1 || (k->kill_at && now >= k->kill_at))) {
			kill(-k->c->pid, SIGKILL);
			k->killed = true;
		}
	}
}

/* How long poll may sleep: until the next deadline or SIGKILL, at most want (-1: no limit). */
static int poll_timeout(const struct cr_procs *g, int want)
{
	long long now = cr_now_ms(), t = want;

	for (size_t i = 0; i < g->n; i++) {
		const struct child *k = &g->kids[i];
		long long next = k->killed ? 0 : k->kill_at ? k->kill_at : k->deadline;
		/*
		 * Pipes closed: it is exiting, and its SIGCHLD may have gone to
		 * the signalfd of a group nested in an on_line callback.
		 */
		bool closed = k->out_fd < 0 && k->err_fd < 0;
		if ((closed || g->sigfd < 0) && (!next || next > now + 20))
			next = now + 20;
		if (next && (t < 0 || next - now < t))
			t = next - now < 0 ? 0 : next - now;
	}
	if (g->sigfd < 0 && (t < 0 || t > 20))
		t = 20;
	return t > 1000000 ? 1000000 : (int)t;
}

static void push_ended(struct cr_procs *g, struct cr_child *c, enum cr_run_result r)
{
	if (g->nended == g->ended_cap) {
		g->ended_cap = g->ended_cap ? 2 * g->ended_cap : 8;
		g->ended = cr_xrealloc(g->ended, g->ended_cap * sizeof(*g->ended));
	}
	g->ended[g->nended++] = (struct ended){ c, r };
}

/* Reaps the children that exited; only the running stay in kids. */
static void reap_exited(struct cr_procs *g)
{
	size_t j = 0;

	for (size_t i = 0; i < g->n; i++) {
		enum cr_run_result r;
		if (child_reap(&g->kids[i], &r))
			push_ended(g, g->kids[i].c, r);
		else
			g->kids[j++] = g->kids[i];
	}
	g->n = j;
}

/* on_line must not start children in g: the kids array may move. */
int cr_procs_poll(struct cr_procs *g, int timeout_ms)
{
	size_t n = g->n;
	struct pollfd *p = cr_xmalloc((1 + 3 * n) * sizeof(*p));

	enforce(g);
	p[0] = (struct pollfd){ .fd = g->sigfd, .events = POLLIN };
	for (size_t i = 0; i < n; i++)
		child_pollfds(&g->kids[i], &p[1 + 3 * i]);
	int rc = poll(p, 1 + 3 * n, poll_timeout(g, timeout_ms));
	if (rc < 0 && errno != EINTR)
		cr_error("poll: %s", strerror(errno));
	if (g->sigfd < 0 || (rc > 0 && p[0].revents))
		take_signals();
	for (size_t i = 0; rc > 0 && i < n; i++)
		child_io(&g->kids[i], &p[1 + 3 * i]);
	free(p);
	enforce(g);
	reap_exited(g);
	return (int)g->n;
}

struct cr_child *cr_procs_finished(struct cr_procs *g, enum cr_run_result *result)
{
	if (!g->nended)
		return NULL;
	struct ended e = g->ended[0];
	g->nended--;
	memmove(g->ended, g->ended + 1, g->nended * sizeof(*g->ended));
	if (result)
		*result = e.r;
	return e.c;
}

void cr_procs_stop(struct cr_procs *g, struct cr_child *c)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->kids[i].c == c)
			child_terminate(&g->kids[i], CR_RUN_STOPPED);
}

void cr_procs_stop_all(struct cr_procs *g)
{
	for (size_t i = 0; i < g->n; i++)
		child_terminate(&g->kids[i], CR_RUN_STOPPED);
	while (g->n)
		cr_procs_poll(g, 50);
	g->nended = 0;
}

/* Consumes a SIGPIPE our own writes left pending, so the caller never sees it. */
static void drop_own_sigpipe(const struct cr_procs *g)
{
	struct timespec zero = { 0, 0 };
	sigset_t pending, pipe_only;

	if (g->pipe_was_pending || sigpending(&pending) < 0 || !sigismember(&pending, SIGPIPE))
		return;
	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	while (sigtimedwait(&pipe_only, NULL, &zero) < 0 && errno == EINTR)
		;
}

void cr_procs_free(struct cr_procs *g)
{
	if (!g)
		return;
	cr_procs_stop_all(g);
	take_signals(); /* one that came at the very end counts as well */
	child_close(&g->sigfd);
	free(g->kids);
	free(g->ended);
	drop_own_sigpipe(g);
	sigprocmask(SIG_SETMASK, &g->old_mask, NULL);
	free(g);
	signals_settle();
}
