/*
 * Tests for common/run.c. Children are small programs (sh, cat, head,
 * sleep) or this test binary itself re-executed in a helper mode
 * (argv[1] = "helper-..."), which gives exact control over what the child
 * writes and when.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crucible/manifests.h"
#include "crucible/run.h"
#include "tap.h"

static char self[PATH_MAX];
static char tmpdir[] = "/tmp/test_run.XXXXXX";

/* ---- helpers --------------------------------------------------------------- */

static long long ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			_exit(99);
		}
		p += n;
		len -= (size_t)n;
	}
}

static void writes(int fd, const char *s)
{
	write_all(fd, s, strlen(s));
}

/* True if some process other than a zombie belongs to process group pgid. */
static bool group_alive(pid_t pgid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	bool alive = false;
	while (d && (e = readdir(d))) {
		char path[300], stat[512];
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t n = fread(stat, 1, sizeof(stat) - 1, f);
		fclose(f);
		stat[n] = '\0';
		/* pid (comm) state ppid pgrp ...; comm may hold spaces. */
		char *p = strrchr(stat, ')');
		char state;
		int ppid, pgrp;
		if (p && sscanf(p + 1, " %c %d %d", &state, &ppid, &pgrp) == 3 && pgrp == pgid &&
		    state != 'Z' && state != 'X')
			alive = true;
	}
	if (d)
		closedir(d);
	return alive;
}

/*
 * The leader is reaped and no live process is left in its group. Killed
 * grandchildren are reparented to init and may linger as zombies until it
 * reaps them: dead is enough. A SIGKILL sent to them is delivered at once
 * but they take a moment to exit on a busy machine, hence the short retry.
 */
static bool group_gone(pid_t pid)
{
	if (kill(pid, 0) == 0 || errno != ESRCH)
		return false;
	for (int i = 0; i < 100 && group_alive(pid); i++)
		sleep_ms(10);
	return !group_alive(pid);
}

/* Expected error messages would only clutter the TAP output. */
static int saved_stderr = -1;

static void quiet_stderr(void)
{
	int null = open("/dev/null", O_WRONLY);
	fflush(stderr);
	saved_stderr = dup(2);
	dup2(null, 2);
	close(null);
}

static void restore_stderr(void)
{
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
}

static void run_argv(struct cr_child *c, ...)
{
	va_list ap;
	va_start(ap, c);
	for (const char *s; (s = va_arg(ap, const char *));)
		cr_strv_push(&c->args, s);
	va_end(ap);
}

static int count_fds(void)
{
	int n = 0;
	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

/* ---- helper modes (the child side) -------------------------------------- */

/* Copies stdin to stdout and to stderr in small steps: both pipes fill at once. */
static int helper_both(void)
{
	char buf[4096];
	ssize_t n;
	while ((n = read(0, buf, sizeof(buf))) > 0) {
		write_all(1, buf, (size_t)n);
		write_all(2, buf, (size_t)n);
	}
	return n < 0 ? 1 : 0;
}

/* Lines cut at awkward places, with pauses so reads end mid-line. */
static int helper_lines(void)
{
	size_t big = 3 * 1024 * 1024;
	char *b = malloc(big);
	memset(b, 'b', big);
	writes(1, "first\n\n");
	sleep_ms(20);
	for (int i = 0; i < 100000; i++)
		write_all(1, "a", 1); /* a 100000-byte line in tiny writes */
	writes(1, "\n");
	write_all(1, b, big);
	writes(1, "\nsp");
	sleep_ms(20);
	writes(1, "lit\nx\ny");
	sleep_ms(20);
	writes(1, "z\ntail");
	free(b);
	return 0;
}

/* Endless lines, for stopping from on_line. */
static int helper_yes(void)
{
	for (;;)
		writes(1, "y\n");
	return 0;
}

static int helper(const char *mode)
{
	if (!strcmp(mode, "helper-both"))
		return helper_both();
	if (!strcmp(mode, "helper-lines"))
		return helper_lines();
	if (!strcmp(mode, "helper-yes"))
		return helper_yes();
	return 2;
}

/* ---- tests ----------------------------------------------------------------- */

static void test_basic(void)
{
	struct cr_child c = CR_CHILD_INIT;
	run_argv(&c, "echo", "hello world", NULL);
	is_int(cr_run(&c), CR_RUN_OK, "echo runs");
	is_str(cr_buf_str(&c.out), "hello world\n", "stdout captured, argument kept as one word");
	ok(c.exited && c.exit_code == 0 && c.term_signal == 0, "exit status 0 reported");
	ok(c.pid > 0, "pid reported");
	cr_child_clear(&c);

	run_argv(&c, "sh", "-c", "echo out; echo err >&2; exit 3", NULL);
	is_int(cr_run(&c), CR_RUN_EXIT, "nonzero exit is CR_RUN_EXIT");
	is_int(c.exit_code, 3, "exit code 3");
	is_str(cr_buf_str(&c.out), "out\n", "stdout of a failing child");
	is_str(cr_buf_str(&c.err), "err\n", "stderr captured separately");
	cr_child_clear(&c);

	run_argv(&c, "sh", "-c", "kill -USR1 $$", NULL);
	is_int(cr_run(&c), CR_RUN_SIGNALED, "death by signal is CR_RUN_SIGNALED");
	is_int(c.term_signal, SIGUSR1, "term_signal is SIGUSR1");
	ok(!c.exited, "exited is false after a signal");
	cr_child_clear(&c);

	run_argv(&c, "echo", "$HOME", "a;b", "`x`", NULL);
	cr_run(&c);
	is_str(cr_buf_str(&c.out), "$HOME a;b `x`\n", "no shell: metacharacters reach argv untouched");
	cr_child_clear(&c);

	quiet_stderr();
	enum cr_run_result r = cr_run(&c);
	restore_stderr();
	is_int(r, CR_RUN_ERROR, "empty argv is an error");
	cr_child_clear(&c);
}

static void test_stdin(void)
{
	struct cr_child c = CR_CHILD_INIT;
	run_argv(&c, "cat", NULL);
	c.in = "abc\0def";
	c.in_len = 7;
	is_int(cr_run(&c), CR_RUN_OK, "cat with stdin");
	ok(c.out.len == 7 && !memcmp(c.out.data, "abc\0def", 7), "stdin bytes, NUL included, echoed");
	cr_child_clear(&c);

	run_argv(&c, "cat", NULL);
	c.in = "";
	c.in_len = 0;
	is_int(cr_run(&c), CR_RUN_OK, "empty stdin");
	is_int(c.out.len, 0, "empty stdin gives EOF at once");
	cr_child_clear(&c);

	run_argv(&c, "readlink", "/proc/self/fd/0", NULL);
	cr_run(&c);
	is_str(cr_buf_str(&c.out), "/dev/null\n", "stdin is /dev/null when in is NULL");
	cr_child_clear(&c);

	/* A child that exits without reading: EPIPE, and we must not die of SIGPIPE. */
	size_t big = 8 * 1024 * 1024;
	char *data = calloc(1, big);
	run_argv(&c, "true", NULL);
	c.in = data;
	c.in_len = big;
	is_int(cr_run(&c), CR_RUN_OK, "child ignoring 8 MiB of stdin: no SIGPIPE death");
	cr_child_clear(&c);

	run_argv(&c, "head", "-c", "10", NULL);
	c.in = data;
	c.in_len = big;
	is_int(cr_run(&c), CR_RUN_OK, "child reading part of stdin");
	is_int(c.out.len, 10, "head -c 10 of a large stdin");
	cr_child_clear(&c);
	free(data);

	sigset_t pending;
	sigpending(&pending);
	ok(!sigismember(&pending, SIGPIPE), "no SIGPIPE left pending");
	struct sigaction sa;
	sigaction(SIGPIPE, NULL, &sa);
	ok(sa.sa_handler == SIG_DFL, "SIGPIPE disposition untouched without cr_signals_init");
}

static void test_big_output(void)
{
	struct cr_child c = CR_CHILD_INIT;
	run_argv(&c, "head", "-c", "104857600", "/dev/zero", NULL);
	is_int(cr_run(&c), CR_RUN_OK, "100 MiB on stdout");
	is_int(c.out.len, 104857600, "all 100 MiB captured");
	cr_child_clear(&c);

	/* 32 MiB in, echoed to stdout and stderr at once, 4 KiB at a time. */
	size_t n = 32 * 1024 * 1024;
	char *in = malloc(n);
	for (size_t i = 0; i < n; i++)
		in[i] = (char)(i * 7 + i / 4099);
	run_argv(&c, self, "helper-both", NULL);
	c.in = in;
	c.in_len = n;
	is_int(cr_run(&c), CR_RUN_OK, "large stdin while stdout and stderr fill: no deadlock");
	ok(c.out.len == n && !memcmp(c.out.data, in, n), "stdout matches stdin (32 MiB)");
	ok(c.err.len == n && !memcmp(c.err.data, in, n), "stderr matches stdin (32 MiB)");
	cr_child_clear(&c);

	run_argv(&c, "sh", "-c", "head -c 20000000 /dev/zero >&2 & cat; wait", NULL);
	c.in = in;
	c.in_len = n;
	is_int(cr_run(&c), CR_RUN_OK, "sh: stderr writer in the background while cat echoes stdin");
	ok(c.out.len == n && c.err.len == 20000000, "both streams complete");
	cr_child_clear(&c);
	free(in);
}

struct lines {
	struct cr_strv got;
	bool terminated;  /* every line had a NUL at [len] */
	bool lengths_ok;  /* no NUL inside a line */
	int stop_after;   /* return 1 after this many lines (0: never) */
};

static int collect_line(const char *line, size_t len, void *ctx)
{
	struct lines *l = ctx;
	if (line[len] != '\0')
		l->terminated = false;
	if (strlen(line) != len)
		l->lengths_ok = false;
	cr_strv_push(&l->got, line);
	return l->stop_after && l->got.n >= (size_t)l->stop_after;
}

static bool all_same(const char *s, char ch, size_t len)
{
	if (strlen(s) != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] != ch)
			return false;
	return true;
}

static void test_lines(void)
{
	struct cr_child c = CR_CHILD_INIT;
	struct lines l = { CR_STRV_INIT, true, true, 0 };
	run_argv(&c, self, "helper-lines", NULL);
	c.on_line = collect_line;
	c.ctx = &l;
	is_int(cr_run(&c), CR_RUN_OK, "streaming run");
	is_int(l.got.n, 8, "8 lines delivered (the last unterminated)");
	if (l.got.n == 8) {
		is_str(l.got.v[0], "first", "line 1");
		is_str(l.got.v[1], "", "empty line kept");
		ok(all_same(l.got.v[2], 'a', 100000), "100000-byte line from tiny writes");
		ok(all_same(l.got.v[3], 'b', 3 * 1024 * 1024), "3 MiB line across many reads");
		is_str(l.got.v[4], "split", "line split across writes");
		is_str(l.got.v[5], "x", "line ending inside a write");
		is_str(l.got.v[6], "yz", "line continuing in the next write");
		is_str(l.got.v[7], "tail", "unterminated rest delivered at EOF");
	}
	ok(l.terminated && l.lengths_ok, "lines are NUL-terminated at len");
	is_int(c.out.len, 0, "out stays empty in streaming mode");
	cr_strv_free(&l.got);
	cr_child_clear(&c);

	struct lines s = { CR_STRV_INIT, true, true, 3 };
	run_argv(&c, self, "helper-yes", NULL);
	c.on_line = collect_line;
	c.ctx = &s;
	long long t0 = ms_now();
	is_int(cr_run(&c), CR_RUN_STOPPED, "on_line returning 1 stops the child");
	is_int(s.got.n, 3, "no line after the stop");
	ok(ms_now() - t0 < 1500, "stop is prompt (no grace wait for a child that dies on TERM)");
	is_int(c.term_signal, SIGTERM, "stopped child got SIGTERM");
	ok(group_gone(c.pid), "stopped child is gone");
	cr_strv_free(&s.got);
	cr_child_clear(&c);
}

static void test_timeout(void)
{
	struct cr_child c = CR_CHILD_INIT;
	run_argv(&c, "sh", "-c", "echo partial; exec sleep 30", NULL);
	c.timeout_ms = 300;
	long long t0 = ms_now();
	is_int(cr_run(&c), CR_RUN_TIMEOUT, "timeout");
	long long took = ms_now() - t0;
	ok(took >= 250 && took < 1500, "timeout fires on time (%lld ms)", took);
	ok(c.timed_out, "timed_out set");
	is_int(c.term_signal, SIGTERM, "killed by SIGTERM");
	is_str(cr_buf_str(&c.out), "partial\n", "output before the timeout kept");
	ok(group_gone(c.pid), "no process left");
	cr_child_clear(&c);

	/* Ignores TERM, and leaves a grandchild that also ignores it. */
	run_argv(&c, "sh", "-c", "trap '' TERM; sleep 30 & sleep 30; wait", NULL);
	c.timeout_ms = 200;
	t0 = ms_now();
	is_int(cr_run(&c), CR_RUN_TIMEOUT, "timeout of a child ignoring SIGTERM");
	took = ms_now() - t0;
	ok(took >= 2000 && took < 3500, "SIGKILL after the grace (%lld ms)", took);
	is_int(c.term_signal, SIGKILL, "killed by SIGKILL");
	ok(group_gone(c.pid), "whole process group killed, grandchildren included");
	cr_child_clear(&c);

	/* Output pipes closed early, then a long wait: the deadline still applies. */
	run_argv(&c, "sh", "-c", "exec >&- 2>&-; exec sleep 30", NULL);
	c.timeout_ms = 200;
	t0 = ms_now();
	is_int(cr_run(&c), CR_RUN_TIMEOUT, "timeout after the child closed its output");
	ok(ms_now() - t0 < 1500, "and on time");
	cr_child_clear(&c);

	run_argv(&c, "sh", "-c", "exec >&- 2>&-; sleep 0.2; exit 4", NULL);
	is_int(cr_run(&c), CR_RUN_EXIT, "child that closes its output and exits later");
	is_int(c.exit_code, 4, "its exit code is still collected");
	cr_child_clear(&c);
}

static void write_file(const char *path, const char *content, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	writes(fd, content);
	close(fd);
	chmod(path, mode);
}

static void test_not_found(void)
{
	struct cr_child c = CR_CHILD_INIT;
	char path[PATH_MAX];

	run_argv(&c, "/nonexistent/prog", NULL);
	is_int(cr_run(&c), CR_RUN_NOT_FOUND, "missing absolute path");
	ok(c.not_found, "not_found set");
	cr_child_clear(&c);

	run_argv(&c, "crucible-no-such-program", NULL);
	is_int(cr_run(&c), CR_RUN_NOT_FOUND, "program not on PATH");
	cr_child_clear(&c);

	snprintf(path, sizeof(path), "%s/noexec", tmpdir);
	write_file(path, "#!/bin/sh\necho hi\n", 0644);
	run_argv(&c, path, NULL);
	is_int(cr_run(&c), CR_RUN_NOT_FOUND, "file without x bit (EACCES in the child)");
	ok(c.not_found, "not_found set for EACCES");
	cr_child_clear(&c);

	/* Valgrind aborts the forked child when such an execve fails. */
	const char *preload = getenv("LD_PRELOAD");
	if (preload && strstr(preload, "vgpreload")) {
		skip("script with a missing interpreter (under valgrind)");
	} else {
		snprintf(path, sizeof(path), "%s/badinterp", tmpdir);
		write_file(path, "#!/nonexistent/interpreter\n", 0755);
		run_argv(&c, path, NULL);
		is_int(cr_run(&c), CR_RUN_NOT_FOUND, "script with a missing interpreter");
		cr_child_clear(&c);
	}

	run_argv(&c, tmpdir, NULL);
	is_int(cr_run(&c), CR_RUN_NOT_FOUND, "a directory is not executable");
	cr_child_clear(&c);

	/* No #! line: exec fails with ENOEXEC, and we never fall back to sh. */
	snprintf(path, sizeof(path), "%s/noshebang", tmpdir);
	write_file(path, "echo should-not-run\n", 0755);
	run_argv(&c, path, NULL);
	quiet_stderr();
	enum cr_run_result r = cr_run(&c);
	restore_stderr();
	is_int(r, CR_RUN_ERROR, "exec format error is CR_RUN_ERROR");
	is_int(c.out.len, 0, "and nothing ran it through a shell");
	cr_child_clear(&c);
}

static void test_which(void)
{
	char *p = cr_which("sh");
	ok(p && p[0] == '/' && strlen(p) > 3 && !strcmp(p + strlen(p) - 3, "/sh"),
	   "cr_which finds sh (%s)", p ? p : "NULL");
	free(p);
	ok(cr_which("crucible-no-such-program") == NULL, "cr_which: missing program is NULL");
	ok(cr_which("/bin/sh") == NULL, "cr_which: names with a slash are not looked up");
	ok(cr_which("") == NULL, "cr_which: empty name");

	/* Relative and empty PATH entries must not find things in the cwd. */
	char old_cwd[PATH_MAX], path[PATH_MAX];
	char *old_path = strdup(getenv("PATH"));
	if (!getcwd(old_cwd, sizeof(old_cwd)))
		old_cwd[0] = '\0';
	snprintf(path, sizeof(path), "%s/bin", tmpdir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/bin/crucible-tool", tmpdir);
	write_file(path, "#!/bin/sh\n", 0755);
	if (chdir(tmpdir) == 0) {
		setenv("PATH", ":bin:.", 1);
		ok(cr_which("crucible-tool") == NULL, "cr_which skips relative PATH entries");
		snprintf(path, sizeof(path), "/nonexistent:%s/bin", tmpdir);
		setenv("PATH", path, 1);
		p = cr_which("crucible-tool");
		snprintf(path, sizeof(path), "%s/bin/crucible-tool", tmpdir);
		is_str(p, path, "cr_which searches entries in order");
		free(p);
		if (chdir(old_cwd) < 0)
			perror("chdir");
	}
	setenv("PATH", old_path, 1);
	free(old_path);
}

static void test_fds(void)
{
	struct cr_child c = CR_CHILD_INIT;

	int leak = open("/dev/null", O_RDONLY); /* deliberately without O_CLOEXEC */
	run_argv(&c, "ls", "/proc/self/fd", NULL);
	cr_run(&c);
	/* ls itself has the directory open as fd 3. */
	is_str(cr_buf_str(&c.out), "0\n1\n2\n3\n", "child sees only fds 0-2");
	cr_child_clear(&c);
	close(leak);

	int before = count_fds();
	for (int i = 0; i < 30; i++) {
		run_argv(&c, "sh", "-c", "echo x; echo y >&2", NULL);
		c.in = "in";
		c.in_len = 2;
		cr_run(&c);
		cr_child_clear(&c);
		run_argv(&c, "/nonexistent", NULL);
		cr_run(&c);
		cr_child_clear(&c);
	}
	is_int(count_fds(), before, "no fd leaks over repeated runs");

	/* Our own stdin closed: pipe2 hands out fd 0; the child must still work. */
	int saved = dup(0);
	close(0);
	run_argv(&c, "cat", NULL);
	c.in = "xyz";
	c.in_len = 3;
	is_int(cr_run(&c), CR_RUN_OK, "run with our stdin closed");
	is_str(cr_buf_str(&c.out), "xyz", "stdin pipe intact with fd 0 free");
	cr_child_clear(&c);
	dup2(saved, 0);
	close(saved);

	/* err_to_stderr: the child writes straight to our fd 2. */
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/stderr", tmpdir);
	int f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	fflush(stderr);
	saved = dup(2);
	dup2(f, 2);
	run_argv(&c, "sh", "-c", "echo passthrough >&2", NULL);
	c.err_to_stderr = true;
	cr_run(&c);
	dup2(saved, 2);
	close(saved);
	close(f);
	is_int(c.err.len, 0, "err_to_stderr: nothing captured");
	cr_child_clear(&c);
	char buf[64] = "";
	f = open(path, O_RDONLY);
	ssize_t n = read(f, buf, sizeof(buf) - 1);
	close(f);
	buf[n > 0 ? n : 0] = '\0';
	is_str(buf, "passthrough\n", "err_to_stderr: child's stderr reached ours");
}

static void test_clear(void)
{
	struct cr_child c = CR_CHILD_INIT;
	run_argv(&c, "echo", "secret", NULL);
	c.timeout_ms = 5000;
	cr_run(&c);
	cr_child_clear(&c);
	ok(c.out.data == NULL && c.err.data == NULL && c.args.n == 0 && c.args.v == NULL,
	   "cr_child_clear frees buffers and args");
	ok(c.pid == -1 && c.timeout_ms == 0 && !c.exited, "cr_child_clear resets the struct");
	run_argv(&c, "echo", "again", NULL);
	is_int(cr_run(&c), CR_RUN_OK, "reusable after clear");
	is_str(cr_buf_str(&c.out), "again\n", "fresh output after clear");
	cr_run(&c);
	is_str(cr_buf_str(&c.out), "again\n", "running twice does not append to old output");
	cr_child_clear(&c);
}

/* ---- signals, each in a forked process (the interrupted flag is sticky) ---- */

/* Sends sig to our process `count` times after delay_ms. */
static pid_t kill_me_later(int sig, int delay_ms, int count)
{
	pid_t parent = getpid();
	fflush(stdout);
	pid_t k = fork();
	if (k == 0) {
		for (int i = 0; i < count; i++) {
			sleep_ms(i ? 100 : delay_ms);
			kill(parent, sig);
		}
		_exit(0);
	}
	return k;
}

static int interrupt_scenario(int sig, const char *script, int count, int max_ms)
{
	struct cr_child c = CR_CHILD_INIT;
	cr_signals_init();
	run_argv(&c, "sh", "-c", script, NULL);
	c.timeout_ms = 20000;
	pid_t k = kill_me_later(sig, 300, count);
	long long t0 = ms_now();
	enum cr_run_result r = cr_run(&c);
	long long took = ms_now() - t0;
	waitpid(k, NULL, 0);
	is_int(r, CR_RUN_INTERRUPTED, "signal %d during cr_run: CR_RUN_INTERRUPTED", sig);
	is_int(cr_interrupted(), sig, "cr_interrupted() is %d", sig);
	ok(took < max_ms, "returned in %lld ms", took);
	ok(c.pid > 0 && group_gone(c.pid), "no child or grandchild left");
	pid_t old = c.pid;
	cr_child_clear(&c);

	run_argv(&c, "true", NULL);
	is_int(cr_run(&c), CR_RUN_INTERRUPTED, "after the signal, cr_run starts nothing");
	ok(c.pid == -1 && old > 0, "no new child");
	cr_child_clear(&c);
	return tap_done();
}

static void in_subprocess(const char *name, int (*fn)(int), int arg, int want_sig)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		tap_failed = 0; /* count only this scenario's checks */
		_exit(fn(arg));
	}
	int status;
	waitpid(pid, &status, 0);
	if (want_sig)
		ok(WIFSIGNALED(status) && WTERMSIG(status) == want_sig, "%s", name);
	else
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", name);
}

static int sigint_sleep(int unused)
{
	(void)unused;
	return interrupt_scenario(SIGINT, "sleep 30 & sleep 30; wait", 1, 1500);
}

static int sigterm_sleep(int unused)
{
	(void)unused;
	return interrupt_scenario(SIGTERM, "exec sleep 30", 1, 1500);
}

static int sigint_stubborn(int unused)
{
	(void)unused;
	return interrupt_scenario(SIGINT, "trap '' INT TERM; sleep 30 & sleep 30; wait", 1, 3500);
}

static int sigint_twice(int unused)
{
	(void)unused;
	/* The second Ctrl-C does not wait for the grace period. */
	return interrupt_scenario(SIGINT, "trap '' INT TERM; sleep 30", 2, 1500);
}

/* With cr_signals_init a signal is recorded; the second one kills (run.h's rule). */
static int signal_without_child(int sig)
{
	cr_signals_init();
	raise(sig);
	if (cr_interrupted() != sig)
		return 1; /* the first one must only be recorded */
	raise(sig);
	sleep_ms(500);
	return 0; /* not reached */
}

/* After Ctrl-C a cleanup section still runs children; a signal inside it ends them. */
static int cleanup_after_signal(int unused)
{
	struct cr_child c = CR_CHILD_INIT;

	(void)unused;
	cr_signals_init();
	raise(SIGINT);
	run_argv(&c, "echo", "cleaned", NULL);
	is_int(cr_run(&c), CR_RUN_INTERRUPTED, "after Ctrl-C, cr_run starts nothing");
	cr_cleanup_begin();
	is_int(cr_run(&c), CR_RUN_OK, "inside a cleanup section, it runs");
	is_str(cr_buf_str(&c.out), "cleaned\n", "to the end");
	cr_child_clear(&c);
	run_argv(&c, "sleep", "30", NULL);
	pid_t k = kill_me_later(SIGTERM, 300, 1);
	long long t0 = ms_now();
	is_int(cr_run(&c), CR_RUN_INTERRUPTED, "a signal inside the section ends its child");
	waitpid(k, NULL, 0);
	ok(ms_now() - t0 < 1500, "at once");
	cr_cleanup_end();
	cr_child_clear(&c);
	run_argv(&c, "true", NULL);
	is_int(cr_run(&c), CR_RUN_INTERRUPTED, "after the section, nothing starts again");
	cr_child_clear(&c);
	return tap_done();
}

/* `-f -` on a terminal: a blocked read of our stdin ends on Ctrl-C. */
static int read_interrupted(int unused)
{
	struct cr_buf b = CR_BUF_INIT;
	int p[2];

	(void)unused;
	cr_signals_init();
	if (pipe(p) < 0 || dup2(p[0], 0) < 0)
		return 1;
	pid_t k = kill_me_later(SIGINT, 300, 1);
	long long t0 = ms_now();
	int rc = cr_read_file("-", &b);
	int e = errno;
	waitpid(k, NULL, 0);
	ok(rc < 0 && e == EINTR, "cr_read_file of a silent stdin fails with EINTR on SIGINT");
	ok(ms_now() - t0 < 1500, "at once");
	is_int(cr_interrupted(), SIGINT, "and cr_interrupted() says SIGINT");
	cr_buf_free(&b);
	return tap_done();
}

static char pidfile[PATH_MAX];

/* Without cr_signals_init: the child is ended, then the process dies of the signal. */
static int signal_no_handlers(int sig)
{
	struct cr_child c = CR_CHILD_INIT;
	char script[PATH_MAX + 64];

	snprintf(script, sizeof(script), "echo $$ >%s; exec sleep 30", pidfile);
	run_argv(&c, "sh", "-c", script, NULL);
	kill_me_later(sig, 300, 1);
	cr_run(&c);
	return 0; /* not reached */
}

static void test_signals(void)
{
	in_subprocess("SIGINT: child tree terminated", sigint_sleep, 0, 0);
	in_subprocess("SIGTERM: forwarded the same way", sigterm_sleep, 0, 0);
	in_subprocess("SIGINT: child ignoring INT/TERM killed after the grace", sigint_stubborn, 0, 0);
	in_subprocess("second SIGINT kills at once", sigint_twice, 0, 0);
	in_subprocess("SIGINT with no child running is recorded; a second one kills",
		      signal_without_child, SIGINT, SIGINT);
	in_subprocess("SIGTERM with no child running is recorded; a second one kills",
		      signal_without_child, SIGTERM, SIGTERM);
	in_subprocess("Ctrl-C ends a blocked read of stdin", read_interrupted, 0, 0);
	in_subprocess("a cleanup section runs children after Ctrl-C", cleanup_after_signal, 0, 0);

	snprintf(pidfile, sizeof(pidfile), "%s/pid", tmpdir);
	in_subprocess("without cr_signals_init, SIGINT during cr_run kills the process",
		      signal_no_handlers, SIGINT, SIGINT);
	FILE *f = fopen(pidfile, "r");
	int pid = 0;
	if (f && fscanf(f, "%d", &pid) != 1)
		pid = 0;
	if (f)
		fclose(f);
	ok(pid > 0 && group_gone(pid), "but only after ending its child");
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return helper(argv[1]);

	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0 || !mkdtemp(tmpdir)) {
		perror("test_run setup");
		return 1;
	}
	self[n] = '\0';

	test_basic();
	test_stdin();
	test_big_output();
	test_lines();
	test_timeout();
	test_not_found();
	test_which();
	test_fds();
	test_clear();
	test_signals();

	const char *files[] = { "bin/crucible-tool", "bin", "noexec", "badinterp", "noshebang",
				"stderr", "pid" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
		remove(path);
	}
	rmdir(tmpdir);
	return tap_done();
}
