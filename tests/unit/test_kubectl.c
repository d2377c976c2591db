/*
 * Tests for common/kubectl.c, with fake kubectl shell scripts written into
 * a temporary directory.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crucible/exit.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/opts.h"
#include "crucible/util.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test_kubectl.XXXXXX";
static char path_buf[PATH_MAX];

static const char *tmp_path(const char *name)
{
	snprintf(path_buf, sizeof(path_buf), "%s/%s", tmpdir, name);
	return path_buf;
}

/* Every fake's path, kept for the whole run (cr_opts points at them). */
static struct cr_strv fakes = CR_STRV_INIT;

/* Writes an executable script; returns its path. */
static const char *fake(const char *name, const char *body)
{
	cr_strv_push(&fakes, tmp_path(name));
	const char *path = fakes.v[fakes.n - 1];
	FILE *f = fopen(path, "w");
	fprintf(f, "#!/bin/sh\n%s", body);
	fclose(f);
	chmod(path, 0755);
	return path;
}

/* ---- stderr capture -------------------------------------------------------- */

static int saved_stderr = -1;
static struct cr_buf captured = CR_BUF_INIT;

static void capture_stderr(void)
{
	int fd = open(tmp_path("stderr"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	fflush(stderr);
	saved_stderr = dup(2);
	dup2(fd, 2);
	close(fd);
}

/* Restores stderr; what was written is in `captured`. */
static const char *end_capture(void)
{
	char buf[4096];
	ssize_t n;
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	cr_buf_reset(&captured);
	int fd = open(tmp_path("stderr"), O_RDONLY);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		cr_buf_add(&captured, buf, (size_t)n);
	close(fd);
	return cr_buf_str(&captured);
}

static void reset_opts(void)
{
	memset(&cr_opts, 0, sizeof(cr_opts));
	cr_verbose = 0;
	cr_quiet = false;
	unsetenv("KUBECTL");
}

/* ---- tests ----------------------------------------------------------------- */

static void test_args_order(void)
{
	struct cr_child c = CR_CHILD_INIT;

	reset_opts();
	cr_kubectl_args(&c, true);
	is_int(c.args.n, 1, "no global options: just the binary");
	is_str(c.args.v[0], "kubectl", "default binary is kubectl (PATH lookup)");
	cr_child_clear(&c);

	cr_opts.context = "ctx";
	cr_opts.kubeconfig = "/k/config";
	cr_opts.request_timeout = "5s";
	cr_opts.namespace = "crucible";
	cr_kubectl_args(&c, true);
	const char *want[] = { "kubectl", "--context", "ctx", "--kubeconfig", "/k/config",
			       "--request-timeout", "5s", "-n", "crucible" };
	bool same = c.args.n == 9 && c.args.v[9] == NULL;
	for (size_t i = 0; same && i < 9; i++)
		same = !strcmp(c.args.v[i], want[i]);
	ok(same, "order: --context, --kubeconfig, --request-timeout, -n");
	cr_child_clear(&c);

	cr_kubectl_args(&c, false);
	ok(c.args.n == 7 && !strcmp(c.args.v[5], "--request-timeout"),
	   "not namespaced: no -n");
	cr_child_clear(&c);

	cr_opts.context = "";
	cr_opts.kubeconfig = NULL;
	cr_opts.request_timeout = NULL;
	cr_opts.namespace = "";
	cr_kubectl_args(&c, true);
	is_int(c.args.n, 1, "empty values are not passed");
	cr_child_clear(&c);

	/* Starting args again replaces what was there. */
	cr_strv_push(&c.args, "stale");
	cr_kubectl_args(&c, false);
	ok(c.args.n == 1 && !strcmp(c.args.v[0], "kubectl"), "cr_kubectl_args starts afresh");
	cr_child_clear(&c);
}

static void test_binary_choice(void)
{
	struct cr_child c = CR_CHILD_INIT;

	reset_opts();
	setenv("KUBECTL", "/from/env", 1);
	cr_kubectl_args(&c, false);
	is_str(c.args.v[0], "/from/env", "$KUBECTL used");
	cr_child_clear(&c);

	cr_opts.kubectl = "/from/flag";
	cr_kubectl_args(&c, false);
	is_str(c.args.v[0], "/from/flag", "--kubectl wins over $KUBECTL");
	cr_child_clear(&c);

	setenv("KUBECTL", "", 1);
	cr_opts.kubectl = NULL;
	cr_kubectl_args(&c, false);
	is_str(c.args.v[0], "kubectl", "empty $KUBECTL ignored");
	cr_child_clear(&c);
	reset_opts();
}

static void test_argv_reaches_kubectl(void)
{
	struct cr_child c = CR_CHILD_INIT;
	const char *argv_printer = fake("print-argv", "for a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");

	reset_opts();
	cr_opts.kubectl = (char *)argv_printer;
	cr_opts.context = "my ctx";
	cr_opts.request_timeout = "30s";
	cr_opts.namespace = "crucible";
	cr_kubectl_args(&c, true);
	cr_strv_pushl(&c.args, "get", "pods", "-l", "app=x y", (const char *)NULL);
	is_int(cr_kubectl_run(&c), CR_RUN_OK, "fake kubectl runs");
	is_str(cr_buf_str(&c.out),
	       "--context\nmy ctx\n--request-timeout\n30s\n-n\ncrucible\nget\npods\n-l\napp=x y\n",
	       "the fake kubectl sees global flags first, then the subcommand");
	cr_child_clear(&c);

	/* Found on PATH as "kubectl". */
	char *old_path = strdup(getenv("PATH"));
	mkdir(tmp_path("bin"), 0755);
	fake("bin/kubectl", "echo from-path \"$@\"\n");
	setenv("PATH", tmp_path("bin"), 1);
	reset_opts();
	cr_kubectl_args(&c, false);
	cr_strv_push(&c.args, "version");
	is_int(cr_kubectl_run(&c), CR_RUN_OK, "kubectl found on PATH");
	is_str(cr_buf_str(&c.out), "from-path version\n", "PATH's kubectl ran");
	cr_child_clear(&c);

	/* KUBECTL and stdin from memory. */
	setenv("KUBECTL", fake("cat-kubectl", "exec /bin/cat\n"), 1);
	cr_kubectl_args(&c, false);
	cr_strv_pushl(&c.args, "apply", "-f", "-", (const char *)NULL);
	c.in = "kind: Secret\n";
	c.in_len = strlen(c.in);
	is_int(cr_kubectl_run(&c), CR_RUN_OK, "$KUBECTL runs");
	is_str(cr_buf_str(&c.out), "kind: Secret\n", "stdin reaches kubectl");
	cr_child_clear(&c);

	setenv("PATH", old_path, 1);
	free(old_path);
	reset_opts();
}

static void expect_not_found(const char *name)
{
	struct cr_child c = CR_CHILD_INIT;
	cr_kubectl_args(&c, true);
	cr_strv_push(&c.args, "get");
	capture_stderr();
	enum cr_run_result r = cr_kubectl_run(&c);
	const char *err = end_capture();
	is_int(r, CR_RUN_NOT_FOUND, "%s: CR_RUN_NOT_FOUND", name);
	is_str(err, "", "%s: nothing printed (the caller reports it once)", name);
	is_str(cr_kubectl_failure(&c, r), "kubectl not found (set KUBECTL or --kubectl)",
	       "%s: failure text", name);
	is_int(cr_kubectl_exit_code(r), CR_EXIT_KUBECTL, "%s: exit code 4", name);
	cr_child_clear(&c);
}

static void test_not_found(void)
{
	reset_opts();
	cr_opts.kubectl = "/nonexistent/kubectl";
	expect_not_found("--kubectl /nonexistent");

	reset_opts();
	setenv("KUBECTL", "/nonexistent/kubectl", 1);
	expect_not_found("KUBECTL=/nonexistent");

	reset_opts();
	char *old_path = strdup(getenv("PATH"));
	mkdir(tmp_path("empty"), 0755);
	setenv("PATH", tmp_path("empty"), 1);
	expect_not_found("PATH without kubectl");
	setenv("PATH", old_path, 1);
	free(old_path);
	reset_opts();
}

static enum cr_run_result run_fake(struct cr_child *c, const char *script, int timeout_ms)
{
	reset_opts();
	cr_opts.kubectl = (char *)fake("failing", script);
	cr_kubectl_args(c, true);
	cr_strv_pushl(&c->args, "get", "foo", (const char *)NULL);
	c->timeout_ms = timeout_ms;
	return cr_kubectl_run(c);
}

static void test_failures(void)
{
	struct cr_child c = CR_CHILD_INIT;
	enum cr_run_result r;

	r = run_fake(&c,
		     "echo 'W0101 some warning' >&2\n"
		     "echo 'error: the server doesn'\\''t have a resource type \"foo\"' >&2\n"
		     "echo >&2\necho '   ' >&2\nexit 1\n", 0);
	is_int(r, CR_RUN_EXIT, "kubectl exiting 1");
	is_str(cr_kubectl_failure(&c, r), "error: the server doesn't have a resource type \"foo\"",
	       "failure is the last non-empty stderr line");
	is_int(cr_kubectl_exit_code(r), CR_EXIT_KUBECTL, "maps to CR_EXIT_KUBECTL");
	cr_child_clear(&c);

	r = run_fake(&c, "printf 'first\\r\\nError from server (NotFound): x\\r\\n' >&2\nexit 1\n", 0);
	is_str(cr_kubectl_failure(&c, r), "Error from server (NotFound): x", "CRLF trimmed");
	cr_child_clear(&c);

	r = run_fake(&c, "echo 'error: Apply failed with 1 conflict: conflict with \"x\" using v1: .data.b' >&2\n"
			 "echo 'Please review the fields above' >&2\n"
			 "echo 'See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts' >&2\n"
			 "exit 1\n", 0);
	is_str(cr_kubectl_failure(&c, r), "error: Apply failed with 1 conflict: conflict with \"x\" using v1: .data.b",
	       "kubectl's error line, not the advice after it");
	cr_child_clear(&c);

	r = run_fake(&c, "printf 'no newline at the end' >&2\nexit 1\n", 0);
	is_str(cr_kubectl_failure(&c, r), "no newline at the end", "unterminated last line");
	cr_child_clear(&c);

	r = run_fake(&c, "exit 2\n", 0);
	is_int(r, CR_RUN_EXIT, "silent failure");
	is_str(cr_kubectl_failure(&c, r), "exit status 2", "no stderr: exit status");
	cr_child_clear(&c);

	r = run_fake(&c, "kill -9 $$\n", 0);
	is_int(r, CR_RUN_SIGNALED, "kubectl killed");
	is_str(cr_kubectl_failure(&c, r), "killed by signal 9", "no stderr: signal");
	is_int(cr_kubectl_exit_code(r), CR_EXIT_KUBECTL, "signal maps to CR_EXIT_KUBECTL");
	cr_child_clear(&c);

	r = run_fake(&c, "echo 'partial' >&2\nexec sleep 30\n", 200);
	is_int(r, CR_RUN_TIMEOUT, "kubectl timing out");
	is_str(cr_kubectl_failure(&c, r), "timed out after 0.2 s", "failure says timed out, and after how long");
	is_int(cr_kubectl_exit_code(r), CR_EXIT_TIMEOUT, "maps to CR_EXIT_TIMEOUT");
	cr_child_clear(&c);

	/* No timeout of the caller's: a hung kubectl is still ended, by --request-timeout's bound. */
	reset_opts();
	is_int(cr_kubectl_call_timeout_ms(), CR_CALL_TIMEOUT_MS, "no --request-timeout: the 5-minute bound");
	cr_opts.request_timeout = "0";
	is_int(cr_kubectl_call_timeout_ms(), CR_CALL_TIMEOUT_MS, "--request-timeout 0 (kubectl: none): the same");
	cr_opts.request_timeout = "1m";
	is_int(cr_kubectl_call_timeout_ms(), 123000, "--request-timeout 1m: twice that plus 3 s");
	cr_opts.kubectl = (char *)fake("failing", "exec sleep 30\n");
	cr_opts.request_timeout = "100ms";
	cr_kubectl_args(&c, true);
	cr_strv_pushl(&c.args, "get", "foo", (const char *)NULL);
	long long t0 = cr_now_ms();
	r = cr_kubectl_run(&c);
	is_int(r, CR_RUN_TIMEOUT, "a kubectl that never answers is killed with no timeout set by the caller");
	ok(c.timeout_ms == 3200 && cr_now_ms() - t0 >= 3200 && cr_now_ms() - t0 < 20000, "after --request-timeout's bound (3.2 s)");
	is_str(cr_kubectl_failure(&c, r), "timed out after 3.2 s", "and says after how long");
	cr_child_clear(&c);

	/* A very long last line is cut, not overflowed. */
	r = run_fake(&c, "head -c 5000 /dev/zero | tr '\\0' x >&2\nexit 1\n", 0);
	const char *f = cr_kubectl_failure(&c, r);
	ok(strlen(f) > 500 && strlen(f) < 5000 && f[0] == 'x', "long stderr line truncated");
	cr_child_clear(&c);
	reset_opts();
}

static void test_exit_codes(void)
{
	is_int(cr_kubectl_exit_code(CR_RUN_OK), CR_EXIT_OK, "OK -> 0");
	is_int(cr_kubectl_exit_code(CR_RUN_EXIT), CR_EXIT_KUBECTL, "EXIT -> 4");
	is_int(cr_kubectl_exit_code(CR_RUN_NOT_FOUND), CR_EXIT_KUBECTL, "NOT_FOUND -> 4");
	is_int(cr_kubectl_exit_code(CR_RUN_ERROR), CR_EXIT_KUBECTL, "ERROR -> 4");
	is_int(cr_kubectl_exit_code(CR_RUN_TIMEOUT), CR_EXIT_TIMEOUT, "TIMEOUT -> 5");
	is_int(cr_kubectl_exit_code(CR_RUN_INTERRUPTED), CR_EXIT_INTERRUPTED, "INTERRUPTED -> 130");
	is_int(cr_kubectl_exit_code(CR_RUN_STOPPED), CR_EXIT_OK, "STOPPED (on purpose) -> 0");

	struct cr_child c = CR_CHILD_INIT;
	is_str(cr_kubectl_failure(&c, CR_RUN_INTERRUPTED), "interrupted", "interrupted text");
}

static void test_verbose(void)
{
	struct cr_child c = CR_CHILD_INIT;

	reset_opts();
	cr_opts.kubectl = (char *)fake("quiet-kubectl", "cat >/dev/null\n");
	cr_opts.context = "prod cluster";
	cr_kubectl_args(&c, false);
	cr_strv_pushl(&c.args, "apply", "-f", "-", "--field-manager=crucible", "it's", "",
		      (const char *)NULL);
	c.in = "password: s3cret\n";
	c.in_len = strlen(c.in);

	capture_stderr();
	cr_kubectl_run(&c);
	const char *err = end_capture();
	is_str(err, "", "no command line without -v");

	cr_verbose = 1;
	capture_stderr();
	is_int(cr_kubectl_run(&c), CR_RUN_OK, "runs with -v");
	err = end_capture();
	struct cr_buf want = CR_BUF_INIT;
	cr_buf_addf(&want, "+ %s --context 'prod cluster' apply -f - --field-manager=crucible "
		    "'it'\\''s' ''\n", cr_opts.kubectl);
	is_str(err, cr_buf_str(&want), "-v prints the command line, shell-quoted");
	ok(!strstr(err, "s3cret"), "-v never prints stdin");
	cr_buf_free(&want);
	cr_child_clear(&c);
	reset_opts();
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_args_order();
	test_binary_choice();
	test_argv_reaches_kubectl();
	test_not_found();
	test_failures();
	test_exit_codes();
	test_verbose();

	const char *files[] = { "print-argv", "bin/kubectl", "bin", "cat-kubectl", "empty",
				"failing", "quiet-kubectl", "stderr" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		remove(tmp_path(files[i]));
	rmdir(tmpdir);
	cr_buf_free(&captured);
	cr_strv_free(&fakes);
	return tap_done();
}
