/*
 * One child process (see child.h): spawning with fork/exec, feeding its
 * stdin from memory, reading its stdout and stderr, ending and reaping it.
 *
 * Every child leads its own process group, so a timeout or Ctrl-C ends the
 * whole tree (kubectl's exec credential plugins included), and the
 * terminal's Ctrl-C reaches only us: we decide what the children get.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2 */
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "crucible/log.h"
#include "crucible/util.h"
#include "sigstate.h"

/* How long a child may take to die after SIGTERM before it gets SIGKILL. */
#define GRACE_MS 2000
#define CHUNK 65536

void child_close(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/*
 * If the caller runs with a standard fd closed, pipe2 may hand one out,
 * and the child's dup2 onto 0-2 would then clobber a pipe it still needs.
 */
int child_above_stdio(int *fd)
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
	if (child_above_stdio(&fds[0]) < 0 || child_above_stdio(&fds[1]) < 0) {
		child_close(&fds[0]);
		child_close(&fds[1]);
		return -1;
	}
	return 0;
}

/* ---- spawning ------------------------------------------------------------ */

/* Moves fd onto target; if it already is target, only drops close-on-exec. */
static int dup_onto(int fd, int target)
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
static _Noreturn void exec_child(const char *path, char *const argv[], const int fds[3],
				 int notify_fd, const sigset_t *mask)
{
	struct sigaction sa;
	int err;

	setpgid(0, 0);
	/* Handlers and SIG_IGN would survive exec: give the program the usual ones. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0 && dup_onto(fds[i], i) < 0)
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

/* Reads the exec errno from the notify pipe: 0 when exec succeeded. */
static int exec_errno(int fd)
{
	int err = 0;
	ssize_t n;

	while ((n = read(fd, &err, sizeof(err))) < 0 && errno == EINTR)
		;
	return n == (ssize_t)sizeof(err) ? err : 0;
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

/* Sets c's exit fields from a wait status. */
static void set_status(struct cr_child *c, int status)
{
	if (WIFEXITED(status)) {
		c->exited = true;
		c->exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		c->term_signal = WTERMSIG(status);
	}
}

static pid_t wait_for(pid_t pid, int *status)
{
	pid_t r;
	while ((r = waitpid(pid, status, 0)) < 0 && errno == EINTR)
		;
	return r;
}

/* Forks and execs path; the ends in fds[] that are the child's get closed here. */
static enum cr_run_result spawn(struct cr_child *c, const char *path, int fds[3],
				const sigset_t *mask)
{
	int notify[2];
	int status = 0;

	if (make_pipe(notify) < 0) {
		cr_error("cannot run %s: %s", c->args.v[0], strerror(errno));
		return CR_RUN_ERROR;
	}
	pid_t pid = fork();
	if (pid == 0)
		exec_child(path, c->args.v, fds, notify[1], mask);
	int fork_errno = errno;
	for (int i = 0; i < 3; i++)
		child_close(&fds[i]);
	child_close(&notify[1]);
	if (pid < 0) {
		child_close(&notify[0]);
		cr_error("fork: %s", strerror(fork_errno));
		return CR_RUN_ERROR;
	}
	/* Also from here, so a kill(-pid) right away cannot miss the group. */
	setpgid(pid, pid);
	c->pid = pid;
	int err = exec_errno(notify[0]);
	child_close(&notify[0]);
	if (!err)
		return CR_RUN_OK;
	if (wait_for(pid, &status) > 0)
		set_status(c, status);
	if (err == ENOENT || err == EACCES || err == ENOTDIR) {
		c->not_found = true;
		return CR_RUN_NOT_FOUND;
	}
	cr_error("cannot run %s: %s", c->args.v[0], strerror(err));
	return CR_RUN_ERROR;
}

/* The child's stdin, stdout and stderr ends, and ours (k's fds); -1 where none. */
static int open_fds(struct child *k, int theirs[3])
{
	const struct cr_child *c = k->c;
	int p[2];

	if (c->in) {
		if (make_pipe(p) < 0)
			return -1;
		theirs[0] = p[0], k->in_fd = p[1];
		if (fcntl(k->in_fd, F_SETFL, O_NONBLOCK) < 0)
			return -1;
	} else {
		theirs[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (theirs[0] < 0 || child_above_stdio(&theirs[0]) < 0)
			return -1;
	}
	if (make_pipe(p) < 0)
		return -1;
	theirs[1] = p[1], k->out_fd = p[0];
	if (!c->err_to_stderr) {
		if (make_pipe(p) < 0)
			return -1;
		theirs[2] = p[1], k->err_fd = p[0];
	}
	return 0;
}

enum cr_run_result child_start(struct child *k, struct cr_child *c, const sigset_t *mask)
{
	int theirs[3] = { -1, -1, -1 };
	enum cr_run_result r;

	memset(k, 0, sizeof(*k));
	k->c = c;
	k->in_fd = k->out_fd = k->err_fd = -1;
	k->line = (struct cr_buf)CR_BUF_INIT;
	k->why = CR_RUN_OK;
	reset_results(c);
	if (signals_now())
		return CR_RUN_INTERRUPTED; /* after Ctrl-C, start nothing new (but cleanup) */
	if (!c->args.n || !c->args.v[0][0]) {
		cr_error("cannot run a child: no program given");
		return CR_RUN_ERROR;
	}
	/* As given with a '/', else looked up on PATH. */
	char *path = strchr(c->args.v[0], '/') ? cr_xstrdup(c->args.v[0]) : cr_which(c->args.v[0]);
	if (!path) {
		c->not_found = true;
		return CR_RUN_NOT_FOUND;
	}
	if (open_fds(k, theirs) < 0) {
		cr_error("cannot run %s: %s", c->args.v[0], strerror(errno));
		r = CR_RUN_ERROR;
	} else {
		r = spawn(c, path, theirs, mask);
	}
	free(path);
	for (int i = 0; i < 3; i++)
		child_close(&theirs[i]);
	if (r != CR_RUN_OK) {
		child_close(&k->in_fd);
		child_close(&k->out_fd);
		child_close(&k->err_fd);
		return r;
	}
	if (c->in && !c->in_len)
		child_close(&k->in_fd); /* EOF at once */
	if (c->timeout_ms > 0)
		k->deadline = cr_now_ms() + c->timeout_ms;
	return CR_RUN_OK;
}

/* ---- the pipes ------------------------------------------------------------ */

/* Calls on_line; a nonzero answer ends the child as CR_RUN_STOPPED. */
static void hand_line(struct child *k, const char *line, size_t len)
{
	if (k->c->on_line(line, len, k->c->ctx))
		k->why = CR_RUN_STOPPED;
}

/* Hands complete lines to on_line until the child is being ended. */
static void deliver_lines(struct child *k, char *data, size_t len)
{
	while (len && k->why == CR_RUN_OK) {
		char *nl = memchr(data, '\n', len);
		if (!nl) {
			cr_buf_add(&k->line, data, len);
			return;
		}
		size_t n = (size_t)(nl - data);
		if (k->line.len) {
			/* The line started in an earlier read. */
			cr_buf_add(&k->line, data, n);
			hand_line(k, k->line.data, k->line.len);
			cr_buf_reset(&k->line);
		} else {
			*nl = '\0'; /* on_line gets a NUL-terminated line */
			hand_line(k, data, n);
		}
		data = nl + 1;
		len -= n + 1;
	}
}

/* Reads what is there from *fd; at EOF closes it (and hands on the last stdout line). */
static void pump_read(struct child *k, int *fd)
{
	char buf[CHUNK];
	bool is_stdout = fd == &k->out_fd;
	ssize_t n = read(*fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		child_close(fd);
		if (is_stdout && k->c->on_line && k->line.len && k->why == CR_RUN_OK)
			hand_line(k, k->line.data, k->line.len);
		if (is_stdout)
			cr_buf_wipe(&k->line);
		return;
	}
	if (!is_stdout)
		cr_buf_add(&k->c->err, buf, (size_t)n);
	else if (k->c->on_line)
		deliver_lines(k, buf, (size_t)n);
	else
		cr_buf_add(&k->c->out, buf, (size_t)n);
	explicit_bzero(buf, (size_t)n); /* output may hold Secret values */
}

/*
 * Feeds the next chunk of stdin. SIGPIPE is blocked, so a child that exits
 * without reading everything gives EPIPE, and we simply stop feeding it.
 */
static void pump_write(struct child *k)
{
	const struct cr_child *c = k->c;
	size_t left = c->in_len - k->in_off;
	ssize_t n = write(k->in_fd, c->in + k->in_off, left < CHUNK ? left : CHUNK);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n < 0) {
		child_close(&k->in_fd);
		return;
	}
	k->in_off += (size_t)n;
	if (k->in_off >= c->in_len)
		child_close(&k->in_fd); /* EOF for the child */
}

void child_pollfds(const struct child *k, struct pollfd p[3])
{
	p[0] = (struct pollfd){ .fd = k->in_fd, .events = POLLOUT };
	p[1] = (struct pollfd){ .fd = k->out_fd, .events = POLLIN };
	p[2] = (struct pollfd){ .fd = k->err_fd, .events = POLLIN };
}

/* POLLHUP/POLLERR are handled by the read or write that reports them. */
void child_io(struct child *k, const struct pollfd p[3])
{
	if (p[0].revents && k->in_fd >= 0)
		pump_write(k);
	if (p[1].revents && k->out_fd >= 0)
		pump_read(k, &k->out_fd);
	if (p[2].revents && k->err_fd >= 0)
		pump_read(k, &k->err_fd);
}

/* ---- ending ----------------------------------------------------------------- */

/*
 * The first reason wins, except that an interrupt always shows. Output is
 * still read during the grace: a child flushing on exit must not block on
 * a full pipe.
 */
void child_terminate(struct child *k, enum cr_run_result why)
{
	if (k->kill_at)
		return;
	if (k->why == CR_RUN_OK || why == CR_RUN_INTERRUPTED)
		k->why = why;
	child_close(&k->in_fd);
	kill(-k->c->pid, SIGTERM);
	k->kill_at = cr_now_ms() + GRACE_MS;
}

bool child_reap(struct child *k, enum cr_run_result *result)
{
	struct cr_child *c = k->c;
	siginfo_t si;
	int status = 0;

	/* WNOWAIT: unreaped, the pid still names its group for the kill below. */
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0) {
		if (errno != ECHILD)
			return false;
	} else if (si.si_pid != c->pid) {
		return false;
	}
	kill(-c->pid, SIGKILL); /* stragglers must not outlive it */
	if (wait_for(c->pid, &status) > 0)
		set_status(c, status);
	/* What the pipes still hold; never wait on ends a straggler may keep open. */
	while (k->out_fd >= 0 || k->err_fd >= 0) {
		struct pollfd p[3];
		child_pollfds(k, p);
		p[0].fd = -1;
		if (poll(p, 3, 0) <= 0)
			break;
		child_io(k, p);
	}
	child_close(&k->in_fd);
	child_close(&k->out_fd);
	child_close(&k->err_fd);
	cr_buf_wipe(&k->line);
	c->timed_out = k->why == CR_RUN_TIMEOUT;
	if (k->why != CR_RUN_OK)
		*result = k->why;
	else if (c->exited)
		*result = c->exit_code ? CR_RUN_EXIT : CR_RUN_OK;
	else
		*result = CR_RUN_SIGNALED;
	return true;
}
