/*
 * Tests for cr_kubectl_run_retry (common/kretry.c), with fake kubectl
 * scripts that count their runs in a file (fake.h).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crucible/kretry.h"
#include "crucible/kubectl.h"
#include "crucible/opts.h"
#include "crucible/util.h"
#include "fake.h"
#include "fake.h"
#include "tap.h"

/*
 * A fake kubectl that appends a line to the count file each run, then
 * fails with `first` for its first `n` runs and runs `then` after.
 */
static void fake(int n, const char *first, const char *then)
{
	FILE *f = fopen(fake_path, "w");
	fprintf(f, "#!/bin/sh\necho run >>'%s'\n"
		"if [ \"$(wc -l <'%s')\" -le %d ]; then\n%s\nfi\n%s\n",
		fake_count, fake_count, n, first, then);
	fclose(f);
	fake_install();
}

static int runs(void)
{
	return fake_runs();
}

static enum cr_run_result call(struct cr_child *c, const struct cr_retry *how)
{
	cr_child_clear(c);
	cr_kubectl_args(c, false);
	cr_strv_pushl(&c->args, "apply", "-f", "-", (const char *)NULL);
	c->in = "kind: Secret\n";
	c->in_len = strlen(c->in);
	return cr_kubectl_run_retry(c, how);
}

#define E500 "echo 'Error from server (InternalError): an error on the server' >&2; exit 1"

static void test_transient_then_ok(void)
{
	struct cr_child c = CR_CHILD_INIT;
	int started = 0;
	struct cr_retry how = { .started = &started };

	fake(2, E500, "cat; echo applied");
	is_int(call(&c, &how), CR_RUN_OK, "two 500s, then success: OK");
	is_int(runs(), 3, "kubectl ran three times");
	is_int(started, 3, "started counts each process");
	is_str(cr_buf_str(&c.out), "kind: Secret\napplied\n",
	       "stdin fed again on the retry; the last attempt's output kept");
	cr_child_clear(&c);

	fake(100, E500, "exit 0");
	is_int(call(&c, NULL), CR_RUN_EXIT, "always 500: the last failure returned");
	is_int(runs(), CR_RETRY_ATTEMPTS, "defaults: CR_RETRY_ATTEMPTS processes");
	ok(cr_kubectl_transient(cr_buf_str(&c.err)), "the last attempt's stderr kept");

	fake(100, E500, "exit 0");
	how = (struct cr_retry){ .attempts = 2 };
	is_int(call(&c, &how), CR_RUN_EXIT, "attempts 2: gives up");
	is_int(runs(), 2, "attempts 2: two processes");

	fake(100, E500, "exit 0");
	how = (struct cr_retry){ .attempts = 1 };
	call(&c, &how);
	is_int(runs(), 1, "attempts 1: no retry");
	cr_child_clear(&c);
}

static void test_permanent(void)
{
	struct cr_child c = CR_CHILD_INIT;

	fake(100, "echo 'Error from server (Forbidden): secrets is forbidden' >&2; exit 1", "exit 0");
	is_int(call(&c, NULL), CR_RUN_EXIT, "403: failure returned");
	is_int(runs(), 1, "403: not retried");

	fake(100, "echo 'Error from server (NotFound): namespaces \"x\" not found' >&2; exit 1",
	     "exit 0");
	call(&c, NULL);
	is_int(runs(), 1, "404: not retried");

	fake(100, "echo 'error: unknown flag: --bogus' >&2; exit 1", "exit 0");
	call(&c, NULL);
	is_int(runs(), 1, "bad flag: not retried");

	fake(100, "exit 1", "exit 0");
	call(&c, NULL);
	is_int(runs(), 1, "silent failure: not retried");
	cr_child_clear(&c);
}

static void test_deadline(void)
{
	struct cr_child c = CR_CHILD_INIT;
	int started = 0;
	struct cr_retry how = { .deadline_ms = cr_now_ms() - 1, .started = &started };

	fake(0, "", "exit 0");
	is_int(call(&c, &how), CR_RUN_TIMEOUT, "deadline already passed: CR_RUN_TIMEOUT");
	is_int(runs(), 0, "deadline already passed: kubectl not started");
	is_int(started, 0, "deadline already passed: nothing counted");

	how = (struct cr_retry){ .deadline_ms = cr_now_ms() + 600000 };
	fake(1, E500, "exit 0");
	is_int(call(&c, &how), CR_RUN_OK, "a deadline far off: retried as usual");
	is_int(runs(), 2, "a deadline far off: two processes");
	cr_child_clear(&c);
}

static void test_made(void)
{
	struct cr_child c = CR_CHILD_INIT;
	int started = 0;
	struct cr_retry how = { .attempts = 4, .made = 3, .started = &started };

	fake(100, E500, "exit 0");
	is_int(call(&c, &how), CR_RUN_EXIT, "made 3 of 4: fails");
	is_int(runs(), 1, "made 3 of 4: one process left");
	is_int(started, 1, "made 3 of 4: started counts only this call's processes");

	how = (struct cr_retry){ .made = CR_RETRY_ATTEMPTS };
	fake(100, E500, "exit 0");
	call(&c, &how);
	is_int(runs(), 0, "made all the attempts: none left");

	how = (struct cr_retry){ .made = 1 };
	fake(100, E500, "exit 0");
	call(&c, &how);
	is_int(runs(), CR_RETRY_ATTEMPTS - 1, "made 1: the rest of the attempts");
	cr_child_clear(&c);
}

int main(void)
{
	if (fake_init() < 0)
		return 1;
	test_transient_then_ok();
	test_permanent();
	test_deadline();
	test_made();
	fake_cleanup();
	return tap_done();
}
