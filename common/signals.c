/*
 * The signal state every tool shares (see crucible/signals.h): the first
 * SIGINT/SIGTERM, how many came, the cleanup section. Below child.c,
 * procs.c and run.c, which report the signals they take here.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "crucible/signals.h"
#include "crucible/util.h"
#include "sigstate.h"

static volatile sig_atomic_t first_signal; /* cr_interrupted() */
static volatile sig_atomic_t signal_count;
static bool handlers_installed;

void signals_note(int sig)
{
	if (!first_signal)
		first_signal = sig;
	signal_count++;
}

int signals_count(void)
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

	signals_note(sig);
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
	cleanup_base = signals_count();
}

void cr_cleanup_end(void)
{
	cleanup_base = -1;
}

int signals_now(void)
{
	return cleanup_base < 0 ? signals_count() : signals_count() - cleanup_base;
}

/*
 * A program without our handlers gets the default action once its children
 * are gone, unless an outer group still blocks the signal (it settles).
 */
void signals_settle(void)
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
		signals_note(sig);
	sigprocmask(SIG_SETMASK, &old, NULL);
	signals_settle();
	return first_signal;
}
