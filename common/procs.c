/*
 * Many children in one poll loop (see procs.h). Spawning is posix_spawn
 * with the child in its own process group, default SIGINT/SIGTERM/SIGPIPE
 * dispositions and an unblocked mask, like run.c's children.
 *
 * Signals: while a group lives, SIGINT, SIGTERM and SIGCHLD are blocked and
 * read from a signalfd in the same poll, so "a child exited" and "the user
 * pressed Ctrl-C" are ordinary events with no handler races.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crucible/log.h"
#include "crucible/procs.h"
#include "crucible/util.h"

#define GRACE_MS 2000
#define READ_CHUNK 65536

extern char **environ;

static volatile sig_atomic_t own_signal; /* seen by a group or cr_sleep_ms */

int cr_stop_signal(void)
{
	return cr_interrupted() ? cr_interrupted() : own_signal;
}

struct slot {
	struct cr_child *c;
	int in_fd, out_fd, err_fd; /* our ends, -1 when closed */
	size_t in_off;
	struct cr_buf line;        /* partial stdout line */
	long long deadline;        /* c->timeout_ms expiry, 0: none */
	long long kill_at;         /* SIGKILL time once terminated, 0: not terminating */
	enum cr_run_result why;    /* CR_RUN_OK unless we ended it */
	bool reaped;
};

struct cr_procs {
	struct slot *slots;
	size_t n, cap;
	struct cr_child **finished;  /* ended, not yet returned */
	enum cr_run_result *results;
	size_t nfinished, finished_cap;
	int sigfd;
	sigset_t old_mask;
	int signals;                 /* how many SIGINT/SIGTERM arrived */
};

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

struct cr_procs *cr_procs_new(void)
{
	struct cr_procs *g = cr_xmalloc(sizeof(*g));
	sigset_t block;

	memset(g, 0, sizeof(*g));
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &g->old_mask);
	g->sigfd = signalfd(-1, &block, SFD_CLOEXEC | SFD_NONBLOCK);
	if (g->sigfd < 0)
		cr_error("signalfd: %s", strerror(errno));
	/* A Ctrl-C that arrived just before: act on it at the first poll. */
	if (cr_interrupted())
		g->signals = 1;
	return g;
}

/* A pipe whose ends are close-on-exec and above 0-2 (see run.c). */
static int make_pipe(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		if (fds[i] > 2)
			continue;
		int moved = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
		if (moved < 0) {
			close(fds[0]);
			close(fds[1]);
			return -1;
		}
		close(fds[i]);
		fds[i] = moved;
	}
	return 0;
}

static void reset_results(struct cr_child *c)
{
	cr_buf_reset(&c->out);
	cr_buf_reset(&c->err);
	c->pid = -1;
	c->exit_code = -1;
	c->term_signal = 0;
	c->exited = false;
	c->timed_out = false;
	c->not_found = false;
}

static struct slot *new_slot(struct cr_procs *g)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 8;
		g->slots = cr_xrealloc(g->slots, g->cap * sizeof(*g->slots));
	}
	struct slot *s = &g->slots[g->n++];
	memset(s, 0, sizeof(*s));
	s->in_fd = s->out_fd = s->err_fd = -1;
	s->line = (struct cr_buf)CR_BUF_INIT;
	return s;
}

/* The spawn attributes every child gets: own group, default signals, open mask. */
static void child_attrs(const struct cr_procs *g, posix_spawnattr_t *attr)
{
	sigset_t mask = g->old_mask, dfl;

	sigdelset(&mask, SIGINT);
	sigdelset(&mask, SIGTERM);
	sigdelset(&mask, SIGPIPE);
	sigdelset(&mask, SIGCHLD);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_init(attr);
	posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
				       POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(attr, 0);
	posix_spawnattr_setsigmask(attr, &mask);
	posix_spawnattr_setsigdefault(attr, &dfl);
}

static int spawn(struct cr_procs *g, struct cr_child *c, const char *path, int fds[3][2])
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	if (c->in)
		posix_spawn_file_actions_adddup2(&fa, fds[0][0], 0);
	else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1][1], 1);
	if (!c->err_to_stderr)
		posix_spawn_file_actions_adddup2(&fa, fds[2][1], 2);
	child_attrs(g, &attr);
	int err = posix_spawn(&pid, path, &fa, &attr, c->args.v, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (err) {
		if (err == ENOENT || err == EACCES || err == ENOTDIR)
			c->not_found = true;
		else
			cr_error("cannot run %s: %s", c->args.v[0], strerror(err));
		return -1;
	}
	c->pid = pid;
	return 0;
}

int cr_procs_start(struct cr_procs *g, struct cr_child *c)
{
	int fds[3][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 } };
	char *path;

	reset_results(c);
	if (g->signals)
		return -1; /* after Ctrl-C, start nothing new */
	path = strchr(c->args.v[0], '/') ? cr_xstrdup(c->args.v[0]) : cr_which(c->args.v[0]);
	/* Checked here too: posix_spawn cannot report exec errors under valgrind. */
	if (path && access(path, X_OK) < 0) {
		free(path);
		path = NULL;
	}
	if (!path) {
		c->not_found = true;
		return -1;
	}
	if ((c->in && make_pipe(fds[0]) < 0) || make_pipe(fds[1]) < 0 ||
	    (!c->err_to_stderr && make_pipe(fds[2]) < 0)) {
		cr_error("cannot run %s: %s", c->args.v[0], strerror(errno));
		for (int i = 0; i < 3; i++) {
			close_fd(&fds[i][0]);
			close_fd(&fds[i][1]);
		}
		free(path);
		return -1;
	}
	int rc = spawn(g, c, path, fds);
	free(path);
	close_fd(&fds[0][0]);
	close_fd(&fds[1][1]);
	close_fd(&fds[2][1]);
	if (rc < 0) {
		close_fd(&fds[0][1]);
		close_fd(&fds[1][0]);
		close_fd(&fds[2][0]);
		return -1;
	}
	struct slot *s = new_slot(g);
	s->c = c;
	s->in_fd = fds[0][1];
	s->out_fd = fds[1][0];
	s->err_fd = fds[2][0];
	if (s->in_fd >= 0 && (!c->in_len || fcntl(s->in_fd, F_SETFL, O_NONBLOCK) < 0))
		close_fd(&s->in_fd);
	if (c->timeout_ms > 0)
		s->deadline = cr_now_ms() + c->timeout_ms;
	return 0;
}

/* Hands complete lines to on_line (NUL-terminated during the call). */
static void deliver(struct slot *s, char *data, size_t len)
{
	struct cr_child *c = s->c;

	while (len && s->why == CR_RUN_OK) {
		char *nl = memchr(data, '\n', len);
		if (!nl) {
			cr_buf_add(&s->line, data, len);
			return;
		}
		size_t n = (size_t)(nl - data);
		int stop;
		if (s->line.len) {
			cr_buf_add(&s->line, data, n);
			stop = c->on_line(s->line.data, s->line.len, c->ctx);
			cr_buf_reset(&s->line);
		} else {
			*nl = '\0';
			stop = c->on_line(data, n, c->ctx);
		}
		if (stop)
			s->why = CR_RUN_STOPPED;
		data = nl + 1;
		len -= n + 1;
	}
}

static void pump_read(struct slot *s, int *fd, bool is_stdout)
{
	char buf[READ_CHUNK];
	ssize_t n = read(*fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close_fd(fd);
		if (is_stdout && s->c->on_line && s->line.len && s->why == CR_RUN_OK &&
		    s->c->on_line(s->line.data, s->line.len, s->c->ctx))
			s->why = CR_RUN_STOPPED;
		return;
	}
	if (!is_stdout)
		cr_buf_add(&s->c->err, buf, (size_t)n);
	else if (s->c->on_line)
		deliver(s, buf, (size_t)n);
	else
		cr_buf_add(&s->c->out, buf, (size_t)n);
}

static void pump_write(struct slot *s)
{
	size_t left = s->c->in_len - s->in_off;
	ssize_t n = write(s->in_fd, s->c->in + s->in_off, left > 65536 ? 65536 : left);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n < 0) {
		close_fd(&s->in_fd); /* EPIPE: the child stopped reading */
		return;
	}
	s->in_off += (size_t)n;
	if (s->in_off >= s->c->in_len)
		close_fd(&s->in_fd);
}

static void terminate(struct slot *s, enum cr_run_result why)
{
	if (s->reaped || s->kill_at)
		return;
	if (s->why == CR_RUN_OK || why == CR_RUN_INTERRUPTED)
		s->why = why;
	close_fd(&s->in_fd);
	kill(-s->c->pid, SIGTERM);
	s->kill_at = cr_now_ms() + GRACE_MS;
}

static void push_finished(struct cr_procs *g, struct cr_child *c, enum cr_run_result r)
{
	if (g->nfinished == g->finished_cap) {
		g->finished_cap = g->finished_cap ? 2 * g->finished_cap : 8;
		g->finished = cr_xrealloc(g->finished, g->finished_cap * sizeof(*g->finished));
		g->results = cr_xrealloc(g->results, g->finished_cap * sizeof(*g->results));
	}
	g->finished[g->nfinished] = c;
	g->results[g->nfinished++] = r;
}

/* Reaps s if it exited; the process group is killed so no straggler stays. */
static void try_reap(struct cr_procs *g, struct slot *s)
{
	int status = 0;
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)s->c->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0) {
		if (errno != ECHILD)
			return;
	} else if (si.si_pid != s->c->pid) {
		return;
	}
	/* Unreaped, the pid still names its group: kill whatever the leader left behind. */
	kill(-s->c->pid, SIGKILL);
	pid_t r;
	while ((r = waitpid(s->c->pid, &status, 0)) < 0 && errno == EINTR)
		;
	while (s->out_fd >= 0 || s->err_fd >= 0) {
		struct pollfd p[2] = { { .fd = s->out_fd, .events = POLLIN },
				       { .fd = s->err_fd, .events = POLLIN } };
		if (poll(p, 2, 0) <= 0)
			break;
		if (p[0].revents && s->out_fd >= 0)
			pump_read(s, &s->out_fd, true);
		if (p[1].revents && s->err_fd >= 0)
			pump_read(s, &s->err_fd, false);
	}
	close_fd(&s->in_fd);
	close_fd(&s->out_fd);
	close_fd(&s->err_fd);
	cr_buf_wipe(&s->line);
	s->reaped = true;
	struct cr_child *c = s->c;
	enum cr_run_result res = s->why;
	if (r > 0 && WIFEXITED(status)) {
		c->exited = true;
		c->exit_code = WEXITSTATUS(status);
	} else if (r > 0 && WIFSIGNALED(status)) {
		c->term_signal = WTERMSIG(status);
	}
	c->timed_out = res == CR_RUN_TIMEOUT;
	if (res == CR_RUN_OK)
		res = c->exited ? (c->exit_code ? CR_RUN_EXIT : CR_RUN_OK) : CR_RUN_SIGNALED;
	push_finished(g, c, res);
}

/* Reads pending signals: INT/TERM stop every child; CHLD just wakes us. */
static void read_signals(struct cr_procs *g)
{
	struct signalfd_siginfo si;

	while (g->sigfd >= 0 && read(g->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo != SIGINT && si.ssi_signo != SIGTERM)
			continue;
		if (!own_signal)
			own_signal = (sig_atomic_t)si.ssi_signo;
		g->signals++;
	}
}

/* Timeouts, interrupts and overdue SIGKILLs. */
static void enforce(struct cr_procs *g)
{
	long long now = cr_now_ms();

	for (size_t i = 0; i < g->n; i++) {
		struct slot *s = &g->slots[i];
		if (s->reaped)
			continue;
		if (g->signals)
			terminate(s, CR_RUN_INTERRUPTED);
		if (g->signals > 1 || (s->kill_at && now >= s->kill_at))
			kill(-s->c->pid, SIGKILL);
		if (s->deadline && now >= s->deadline)
			terminate(s, CR_RUN_TIMEOUT);
		if (s->why != CR_RUN_OK)
			terminate(s, s->why); /* on_line said stop */
	}
}

/* Drops reaped slots so the array only holds live children. */
static void compact(struct cr_procs *g)
{
	size_t j = 0;
	for (size_t i = 0; i < g->n; i++)
		if (!g->slots[i].reaped)
			g->slots[j++] = g->slots[i];
	g->n = j;
}

/* How long poll may sleep: until the next deadline or SIGKILL, at most want. */
static int poll_timeout(const struct cr_procs *g, int want)
{
	long long now = cr_now_ms(), t = want < 0 ? -1 : want;

	for (size_t i = 0; i < g->n; i++) {
		const struct slot *s = &g->slots[i];
		long long next = s->kill_at ? s->kill_at : s->deadline;
		if (s->out_fd < 0 && s->err_fd < 0)
			next = now + 20; /* pipes closed, exit imminent: SIGCHLD may be merged */
		if (next && (t < 0 || next - now < t))
			t = next - now < 0 ? 0 : next - now;
	}
	return t > 1000000 ? 1000000 : (int)t;
}

int cr_procs_poll(struct cr_procs *g, int timeout_ms)
{
	size_t n = g->n, k = 0;
	struct pollfd *p = cr_xmalloc((3 * n + 1) * sizeof(*p));
	struct slot **owner = cr_xmalloc((3 * n + 1) * sizeof(*owner));

	enforce(g);
	p[k].fd = g->sigfd, p[k].events = POLLIN, owner[k++] = NULL;
	for (size_t i = 0; i < n; i++) {
		struct slot *s = &g->slots[i];
		if (s->in_fd >= 0)
			p[k].fd = s->in_fd, p[k].events = POLLOUT, owner[k++] = s;
		if (s->out_fd >= 0)
			p[k].fd = s->out_fd, p[k].events = POLLIN, owner[k++] = s;
		if (s->err_fd >= 0)
			p[k].fd = s->err_fd, p[k].events = POLLIN, owner[k++] = s;
	}
	int rc = poll(p, k, poll_timeout(g, timeout_ms));
	if (rc < 0 && errno != EINTR)
		cr_error("poll: %s", strerror(errno));
	for (size_t j = 0; rc > 0 && j < k; j++) {
		struct slot *s = owner[j];
		if (!p[j].revents)
			continue;
		if (!s)
			read_signals(g);
		else if (p[j].fd == s->in_fd)
			pump_write(s);
		else if (p[j].fd == s->out_fd)
			pump_read(s, &s->out_fd, true);
		else if (p[j].fd == s->err_fd)
			pump_read(s, &s->err_fd, false);
	}
	free(p);
	free(owner);
	enforce(g);
	for (size_t i = 0; i < g->n; i++)
		try_reap(g, &g->slots[i]);
	compact(g);
	return (int)g->n;
}

struct cr_child *cr_procs_finished(struct cr_procs *g, enum cr_run_result *result)
{
	if (!g->nfinished)
		return NULL;
	struct cr_child *c = g->finished[0];
	if (result)
		*result = g->results[0];
	g->nfinished--;
	memmove(g->finished, g->finished + 1, g->nfinished * sizeof(*g->finished));
	memmove(g->results, g->results + 1, g->nfinished * sizeof(*g->results));
	return c;
}

void cr_procs_stop(struct cr_procs *g, struct cr_child *c)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->slots[i].c == c)
			terminate(&g->slots[i], CR_RUN_STOPPED);
}

void cr_procs_stop_all(struct cr_procs *g)
{
	for (size_t i = 0; i < g->n; i++)
		terminate(&g->slots[i], CR_RUN_STOPPED);
	while (g->n)
		cr_procs_poll(g, 50);
	g->nfinished = 0;
}

void cr_procs_free(struct cr_procs *g)
{
	if (!g)
		return;
	cr_procs_stop_all(g);
	read_signals(g); /* one that arrived at the very end must not reach run.c's handler */
	close_fd(&g->sigfd);
	free(g->slots);
	free(g->finished);
	free(g->results);
	sigprocmask(SIG_SETMASK, &g->old_mask, NULL);
	free(g);
}

int cr_sleep_ms(int ms)
{
	sigset_t set, old;
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	if (cr_stop_signal())
		return cr_stop_signal();
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &old);
	long long end = cr_now_ms() + ms;
	int sig;
	/* sigtimedwait takes the signal instead of run.c's handler killing us. */
	while ((sig = sigtimedwait(&set, NULL, &ts)) < 0 && errno == EINTR) {
		long long left = end - cr_now_ms();
		if (left <= 0)
			break;
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (long)(left % 1000) * 1000000L;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (sig > 0) {
		own_signal = sig;
		return sig;
	}
	return 0;
}
