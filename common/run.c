/*
 * Running child processes (after git's run-command.c).
 *
 * The child gets an argv vector, never a shell. Its stdin is fed from memory
 * and its stdout/stderr are read in the same poll loop, so a child blocked
 * writing a full pipe can never wait on us writing its stdin (or vice versa).
 *
 * Every child leads its own process group, so a timeout or Ctrl-C can kill
 * the whole tree (kubectl's exec credential plugins included). SIGINT,
 * SIGTERM and SIGPIPE stay blocked while cr_run works and are only let in
 * inside ppoll(), which makes "check the flag, then wait" free of races.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2, ppoll */
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crucible/log.h"
#include "crucible/run.h"

/* How long a child may take to die after SIGTERM before it gets SIGKILL. */
#define GRACE_MS 2000
#define READ_CHUNK 65536
#define WRITE_CHUNK 65536

/* ---- signals ---------------------------------------------------------- */

/*
 * The process groups of running children, for the signal handler. Slots are
 * only written with SIGINT/SIGTERM blocked, so the handler never sees one
 * half-updated; 0 means free.
 */
#define MAX_RUNNING 16
static volatile sig_atomic_t running[MAX_RUNNING];
static volatile sig_atomic_t got_signal;
static volatile sig_atomic_t signal_count;

static void forward_signal(int sig)
{
	int saved_errno = errno;
	int forwarded = 0;

	if (!got_signal)
		got_signal = sig;
	signal_count++;
	/* A second Ctrl-C means "now": do not wait for the grace period. */
	int fwd = signal_count > 1 ? SIGKILL : sig;
	for (int i = 0; i < MAX_RUNNING; i++) {
		if (running[i] > 0) {
			kill(-(pid_t)running[i], fwd);
			forwarded = 1;
		}
	}
	/*
	 * No child to wait for: die of the signal as if we had no handler,
	 * so a tool blocked reading a terminal still stops on Ctrl-C. cr_run
	 * keeps these signals blocked outside ppoll while a child is
	 * registered, so this cannot fire in the middle of a run.
	 */
	if (!forwarded) {
		struct sigaction dfl;
		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		sigemptyset(&dfl.sa_mask);
		sigaction(sig, &dfl, NULL);
		raise(sig);
	}
	errno = saved_errno;
}

void cr_signals_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward_signal;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	/* No SA_RESTART: blocking calls elsewhere should notice the signal. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	/* Writes to a closed pipe fail with EPIPE instead of killing us. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
}

int cr_interrupted(void)
{
	return got_signal;
}

static int register_child(pid_t pgid)
{
	for (int i = 0; i < MAX_RUNNING; i++) {
		if (!running[i]) {
			running[i] = pgid;
			return i;
		}
	}
	return -1; /* full: the child still runs, it just is not forwarded to */
}

static void unregister_child(int slot)
{
	if (slot >= 0)
		running[slot] = 0;
}

/* ---- small helpers ----------------------------------------------------- */

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/*
 * Keeps our pipe ends off 0, 1 and 2: if the caller runs with a standard fd
 * closed, pipe2 may hand one out, and the child's dup2 onto 0-2 would then
 * clobber a pipe it still needs.
 */
static int move_above_stdio(int *fd)
{
	if (*fd > 2)
		return 0;
	int moved = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
	if (moved < 0)
		return -1;
	close(*fd);
	*fd = moved;
	return 0;
}

static int make_pipe(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	if (move_above_stdio(&fds[0]) < 0 || move_above_stdio(&fds[1]) < 0) {
		close_fd(&fds[0]);
		close_fd(&fds[1]);
		return -1;
	}
	return 0;
}

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

/* ---- the child side ------------------------------------------------------ */

/* Moves fd onto target; if it already is target, only drops close-on-exec. */
static int child_dup(int fd, int target)
{
	if (fd == target)
		return fcntl(fd, F_SETFD, 0);
	return dup2(fd, target);
}

/*
 * Between fork and exec only async-signal-safe calls: no malloc, no stdio.
 * On failure the exec errno travels back through notify_fd (close-on-exec,
 * so a successful exec closes it with nothing written), as git does.
 */
static _Noreturn void child_exec(const char *path, char *const argv[], int in_fd, int out_fd,
				 int err_fd, int notify_fd, const sigset_t *mask)
{
	struct sigaction sa;
	int err;

	setpgid(0, 0);
	/* SIG_IGN survives exec: give the program the usual SIGPIPE/INT/TERM. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (child_dup(in_fd, 0) < 0 || child_dup(out_fd, 1) < 0 ||
	    (err_fd >= 0 && child_dup(err_fd, 2) < 0))
		goto fail;
#if defined(SYS_close_range) && defined(CLOSE_RANGE_CLOEXEC)
	/*
	 * Fds the caller opened without O_CLOEXEC must not leak into kubectl
	 * either. Best effort: older kernels lack CLOSE_RANGE_CLOEXEC.
	 */
	syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
#endif
	sigprocmask(SIG_SETMASK, mask, NULL);
	execv(path, argv);
fail:
	err = errno;
	while (write(notify_fd, &err, sizeof(err)) < 0 && errno == EINTR)
		;
	_exit(127);
}

/* ---- the parent side ----------------------------------------------------- */

struct run_state {
	struct cr_child *c;
	int in_fd, out_fd, err_fd;      /* our ends; -1 when closed */
	size_t in_off;
	struct cr_buf line;             /* partial stdout line (streaming mode) */
	bool stop_lines;                /* on_line said stop, or we are killing */
	enum cr_run_result why_killed;  /* CR_RUN_OK unless we terminated the child */
	sigset_t wait_mask;             /* mask while in ppoll: the caller's, plus SIGPIPE */
	long long deadline;             /* 0: none */
};

/* Hands complete lines to on_line; the line is NUL-terminated during the call. */
static void deliver_lines(struct run_state *s, char *data, size_t len)
{
	struct cr_child *c = s->c;

	while (len && !s->stop_lines) {
		char *nl = memchr(data, '\n', len);
		if (!nl) {
			cr_buf_add(&s->line, data, len);
			return;
		}
		size_t n = (size_t)(nl - data);
		int stop;
		if (s->line.len) {
			/* The line started in an earlier read. */
			cr_buf_add(&s->line, data, n);
			stop = c->on_line(s->line.data, s->line.len, c->ctx);
			cr_buf_reset(&s->line);
		} else {
			*nl = '\0';
			stop = c->on_line(data, n, c->ctx);
		}
		if (stop) {
			s->stop_lines = true;
			s->why_killed = CR_RUN_STOPPED;
		}
		data = nl + 1;
		len -= n + 1;
	}
}

static void flush_last_line(struct run_state *s)
{
	struct cr_child *c = s->c;

	if (c->on_line && s->line.len && !s->stop_lines &&
	    c->on_line(s->line.data, s->line.len, c->ctx)) {
		s->stop_lines = true;
		s->why_killed = CR_RUN_STOPPED;
	}
	cr_buf_wipe(&s->line);
}

/* Reads what is there from *fd; closes it at EOF or on error. */
static void pump_read(struct run_state *s, int *fd, bool is_stdout)
{
	char buf[READ_CHUNK];
	ssize_t n = read(*fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close_fd(fd);
		if (is_stdout)
			flush_last_line(s);
		return;
	}
	if (!is_stdout)
		cr_buf_add(&s->c->err, buf, (size_t)n);
	else if (s->c->on_line)
		deliver_lines(s, buf, (size_t)n);
	else
		cr_buf_add(&s->c->out, buf, (size_t)n);
	explicit_bzero(buf, (size_t)n); /* output may be Secret values */
}

/*
 * Feeds the next chunk of stdin. SIGPIPE is blocked (or ignored), so a
 * child that exits without reading everything gives EPIPE, and we simply
 * stop feeding it.
 */
static void pump_write(struct run_state *s)
{
	const struct cr_child *c = s->c;
	size_t left = c->in_len - s->in_off;
	ssize_t n = write(s->in_fd, c->in + s->in_off, left < WRITE_CHUNK ? left : WRITE_CHUNK);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n < 0) {
		close_fd(&s->in_fd);
		return;
	}
	s->in_off += (size_t)n;
	if (s->in_off >= c->in_len)
		close_fd(&s->in_fd); /* EOF for the child */
}

/* Milliseconds until the deadline (at least 0), or -1 without one. */
static int time_left(const struct run_state *s)
{
	if (!s->deadline)
		return -1;
	long long left = s->deadline - now_ms();
	return left < 0 ? 0 : left > 1000000 ? 1000000 : (int)left;
}

/*
 * One poll round over the open pipes, waiting at most timeout_ms (-1:
 * forever). SIGINT/SIGTERM (unless the caller blocked them) can only
 * arrive in here; the handler sets the flag that the caller checks next.
 */
static int poll_once(struct run_state *s, int timeout_ms)
{
	struct pollfd p[3] = {
		{ .fd = s->in_fd, .events = POLLOUT },
		{ .fd = s->out_fd, .events = POLLIN },
		{ .fd = s->err_fd, .events = POLLIN },
	};
	struct timespec ts, *tsp = NULL;

	if (timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
		tsp = &ts;
	}
	int n = ppoll(p, 3, tsp, &s->wait_mask);
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	/* POLLHUP/POLLERR are handled by the read or write reporting them. */
	if (p[0].revents && s->in_fd >= 0)
		pump_write(s);
	if (p[1].revents && s->out_fd >= 0)
		pump_read(s, &s->out_fd, true);
	if (p[2].revents && s->err_fd >= 0)
		pump_read(s, &s->err_fd, false);
	return 0;
}

/* True once the child has exited; leaves it unreaped so its pgid stays ours. */
static bool child_done(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return errno == ECHILD;
	return si.si_pid == pid;
}

static bool pipes_open(const struct run_state *s)
{
	return s->in_fd >= 0 || s->out_fd >= 0 || s->err_fd >= 0;
}

/* Why we must kill the child now, or CR_RUN_OK to let it run. */
static enum cr_run_result must_kill(const struct run_state *s)
{
	if (s->why_killed != CR_RUN_OK)
		return s->why_killed;
	if (got_signal)
		return CR_RUN_INTERRUPTED;
	if (s->deadline && now_ms() >= s->deadline)
		return CR_RUN_TIMEOUT;
	return CR_RUN_OK;
}

/*
 * SIGTERM to the group, a grace period during which we keep draining its
 * output (a child flushing on exit must not block on a full pipe), then
 * SIGKILL to the group: the leader if it ignored SIGTERM, and any
 * straggler that it left behind.
 */
static void terminate(struct run_state *s, pid_t pid)
{
	long long grace_end = now_ms() + GRACE_MS;

	s->stop_lines = true;
	close_fd(&s->in_fd);
	kill(-pid, SIGTERM);
	while (!child_done(pid)) {
		long long left = grace_end - now_ms();
		if (left <= 0)
			break;
		/*
		 * Also a plain sleep once the pipes are closed, but one
		 * that lets a second Ctrl-C reach the handler now, while
		 * the child is still registered to receive it.
		 */
		if (poll_once(s, left < 20 ? (int)left : 20) < 0)
			break;
	}
	kill(-pid, SIGKILL);
}

/*
 * Waits for the child to exit once its pipes are closed (or for the pipes
 * to close) while honouring the deadline and signals. A child closes its
 * pipes a moment before it becomes waitable, so poll in short, growing
 * steps rather than needing a SIGCHLD handler.
 */
static enum cr_run_result wait_loop(struct run_state *s, pid_t pid)
{
	int step = 1;

	for (;;) {
		enum cr_run_result why = must_kill(s);
		if (why != CR_RUN_OK)
			return why;
		if (pipes_open(s)) {
			if (poll_once(s, time_left(s)) < 0) {
				cr_error("poll: %s", strerror(errno));
				return CR_RUN_ERROR;
			}
			continue;
		}
		if (child_done(pid))
			return CR_RUN_OK;
		int t = time_left(s);
		if (t < 0 || t > step)
			t = step;
		if (poll_once(s, t) < 0) {
			cr_error("poll: %s", strerror(errno));
			return CR_RUN_ERROR;
		}
		if (step < 50)
			step *= 2;
	}
}

static void reap(struct cr_child *c, pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return;
	}
	if (WIFEXITED(status)) {
		c->exited = true;
		c->exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		c->term_signal = WTERMSIG(status);
	}
}

static enum cr_run_result result_of(const struct cr_child *c)
{
	if (c->exited)
		return c->exit_code ? CR_RUN_EXIT : CR_RUN_OK;
	return CR_RUN_SIGNALED;
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

/* Program path to exec: as given with a '/', else looked up on PATH. */
static char *resolve_program(const char *prog)
{
	if (strchr(prog, '/'))
		return strdup(prog);
	return cr_which(prog);
}

struct spawn_fds {
	int in[2], out[2], err[2], notify[2];
	int devnull;
};

static void close_spawn_fds(struct spawn_fds *f)
{
	int *all[] = { &f->in[0], &f->in[1], &f->out[0], &f->out[1], &f->err[0],
		       &f->err[1], &f->notify[0], &f->notify[1], &f->devnull };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		close_fd(all[i]);
}

static int open_spawn_fds(const struct cr_child *c, struct spawn_fds *f)
{
	if (c->in) {
		if (make_pipe(f->in) < 0)
			return -1;
	} else {
		f->devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (f->devnull < 0 || move_above_stdio(&f->devnull) < 0)
			return -1;
	}
	if (make_pipe(f->out) < 0 || make_pipe(f->notify) < 0)
		return -1;
	if (!c->err_to_stderr && make_pipe(f->err) < 0)
		return -1;
	if (f->in[1] >= 0 && fcntl(f->in[1], F_SETFL, O_NONBLOCK) < 0)
		return -1;
	return 0;
}

/* Reads the exec errno from the notify pipe: 0 when exec succeeded. */
static int exec_errno(int fd)
{
	int err = 0;
	ssize_t n;

	while ((n = read(fd, &err, sizeof(err))) < 0 && errno == EINTR)
		;
	return n == (ssize_t)sizeof(err) ? err : 0;
}

/* Consumes a SIGPIPE our own writes left pending, so the caller never sees it. */
static void drop_own_sigpipe(bool was_pending)
{
	sigset_t pending, pipe_only;
	struct timespec zero = { 0, 0 };

	if (was_pending || sigpending(&pending) < 0 || !sigismember(&pending, SIGPIPE))
		return;
	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	while (sigtimedwait(&pipe_only, NULL, &zero) < 0 && errno == EINTR)
		;
}

/* Runs the child once the fds are ready; signals are blocked. */
static enum cr_run_result spawn_and_wait(struct cr_child *c, const char *path,
					 struct spawn_fds *f, const sigset_t *old_mask)
{
	struct run_state s = { .c = c, .in_fd = -1, .out_fd = -1, .err_fd = -1,
			       .line = CR_BUF_INIT, .why_killed = CR_RUN_OK };
	sigset_t child_mask = *old_mask;
	enum cr_run_result r;

	/* The child must be killable by SIGTERM even if the caller blocks it. */
	sigdelset(&child_mask, SIGTERM);
	sigdelset(&child_mask, SIGINT);
	sigdelset(&child_mask, SIGPIPE);

	pid_t pid = fork();
	if (pid < 0) {
		cr_error("fork: %s", strerror(errno));
		return CR_RUN_ERROR;
	}
	if (pid == 0)
		child_exec(path, c->args.v, c->in ? f->in[0] : f->devnull, f->out[1],
			   c->err_to_stderr ? -1 : f->err[1], f->notify[1], &child_mask);

	/* Also from here, so a kill(-pid) right away cannot miss the group. */
	setpgid(pid, pid);
	c->pid = pid;
	int slot = register_child(pid);

	close_fd(&f->in[0]);
	close_fd(&f->out[1]);
	close_fd(&f->err[1]);
	close_fd(&f->notify[1]);
	close_fd(&f->devnull);

	int err = exec_errno(f->notify[0]);
	close_fd(&f->notify[0]);
	if (err) {
		reap(c, pid);
		unregister_child(slot);
		if (err == ENOENT || err == EACCES || err == ENOTDIR) {
			c->not_found = true;
			return CR_RUN_NOT_FOUND;
		}
		cr_error("cannot run %s: %s", c->args.v[0], strerror(err));
		return CR_RUN_ERROR;
	}

	s.in_fd = f->in[1];
	s.out_fd = f->out[0];
	s.err_fd = f->err[0];
	f->in[1] = f->out[0] = f->err[0] = -1;
	s.wait_mask = *old_mask;
	sigaddset(&s.wait_mask, SIGPIPE);
	if (c->timeout_ms > 0)
		s.deadline = now_ms() + c->timeout_ms;
	if (c->in && !c->in_len)
		close_fd(&s.in_fd);

	r = wait_loop(&s, pid);
	if (r != CR_RUN_OK) {
		c->timed_out = r == CR_RUN_TIMEOUT;
		terminate(&s, pid);
	}
	reap(c, pid);
	unregister_child(slot);

	/* Whatever is still buffered; do not wait on pipes a stray process may hold. */
	while (s.out_fd >= 0 || s.err_fd >= 0) {
		struct pollfd p[2] = { { .fd = s.out_fd, .events = POLLIN },
				       { .fd = s.err_fd, .events = POLLIN } };
		if (poll(p, 2, 0) <= 0)
			break;
		if (p[0].revents && s.out_fd >= 0)
			pump_read(&s, &s.out_fd, true);
		if (p[1].revents && s.err_fd >= 0)
			pump_read(&s, &s.err_fd, false);
	}
	close_fd(&s.in_fd);
	close_fd(&s.out_fd);
	close_fd(&s.err_fd);
	cr_buf_wipe(&s.line);
	/* on_line may have said stop with its last line, as the child exited. */
	if (r == CR_RUN_OK && s.why_killed == CR_RUN_STOPPED)
		return CR_RUN_STOPPED;
	return r != CR_RUN_OK ? r : result_of(c);
}

enum cr_run_result cr_run(struct cr_child *c)
{
	struct spawn_fds f = { { -1, -1 }, { -1, -1 }, { -1, -1 }, { -1, -1 }, -1 };
	sigset_t block, old_mask, pending;
	enum cr_run_result r;

	reset_results(c);
	if (!c->args.n || !c->args.v[0][0]) {
		cr_error("cr_run: no program given");
		return CR_RUN_ERROR;
	}
	/* After Ctrl-C, start nothing new. */
	if (got_signal)
		return CR_RUN_INTERRUPTED;

	char *path = resolve_program(c->args.v[0]);
	if (!path) {
		c->not_found = true;
		return CR_RUN_NOT_FOUND;
	}

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGPIPE);
	sigprocmask(SIG_BLOCK, &block, &old_mask);
	bool pipe_was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);

	if (open_spawn_fds(c, &f) < 0) {
		cr_error("cannot run %s: %s", c->args.v[0], strerror(errno));
		r = CR_RUN_ERROR;
	} else {
		r = spawn_and_wait(c, path, &f, &old_mask);
	}
	close_spawn_fds(&f);
	free(path);

	drop_own_sigpipe(pipe_was_pending);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
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
