/* common/procs.c (many children in one loop) and common/jstream.c (JSON reassembly). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crucible/jstream.h"
#include "crucible/procs.h"
#include "tap.h"

struct lines {
	struct cr_buf all;
	int n;
};

static int on_line(const char *line, size_t len, void *ctx)
{
	struct lines *l = ctx;
	cr_buf_add(&l->all, line, len);
	cr_buf_adds(&l->all, "|");
	l->n++;
	return 0;
}

static void sh(struct cr_child *c, const char *script)
{
	cr_strv_pushl(&c->args, "/bin/sh", "-c", script, (const char *)NULL);
}

/* Runs the group until every child ended; stores each result by child index. */
static void drain(struct cr_procs *g, struct cr_child *kids, int n, enum cr_run_result *res)
{
	while (cr_procs_poll(g, 1000) > 0)
		;
	struct cr_child *c;
	enum cr_run_result r;
	while ((c = cr_procs_finished(g, &r)))
		for (int i = 0; i < n; i++)
			if (c == &kids[i])
				res[i] = r;
}

static void test_many(void)
{
	struct cr_child kids[4] = { CR_CHILD_INIT, CR_CHILD_INIT, CR_CHILD_INIT, CR_CHILD_INIT };
	struct lines l0 = { CR_BUF_INIT, 0 };
	enum cr_run_result res[4] = { 99, 99, 99, 99 };
	struct cr_procs *g = cr_procs_new();

	sh(&kids[0], "echo one; echo two; printf three");
	kids[0].on_line = on_line;
	kids[0].ctx = &l0;
	cr_strv_push(&kids[1].args, "/bin/cat");
	kids[1].in = "from memory\n";
	kids[1].in_len = strlen(kids[1].in);
	sh(&kids[2], "echo oops >&2; exit 3");
	sh(&kids[3], "exec sleep 30");
	kids[3].timeout_ms = 50;
	for (int i = 0; i < 4; i++)
		ok(cr_procs_start(g, &kids[i]) == 0, "child %d starts", i);
	drain(g, kids, 4, res);
	is_str(cr_buf_str(&l0.all), "one|two|three|", "streamed lines, unterminated last line included");
	is_int(res[0], CR_RUN_OK, "a child exiting 0 is OK");
	is_str(cr_buf_str(&kids[1].out), "from memory\n", "stdin fed from memory, stdout collected");
	is_int(res[2], CR_RUN_EXIT, "a failing child is EXIT");
	is_int(kids[2].exit_code, 3, "its exit code is kept");
	is_str(cr_buf_str(&kids[2].err), "oops\n", "its stderr is captured");
	is_int(res[3], CR_RUN_TIMEOUT, "timeout_ms ends a child");
	ok(kids[3].timed_out, "and marks it timed out");
	cr_procs_free(g);
	for (int i = 0; i < 4; i++)
		cr_child_clear(&kids[i]);
	cr_buf_free(&l0.all);
}

static int stop_at_two(const char *line, size_t len, void *ctx)
{
	(void)line;
	(void)len;
	return ++*(int *)ctx == 2;
}

static void test_stop(void)
{
	struct cr_child a = CR_CHILD_INIT, b = CR_CHILD_INIT, missing = CR_CHILD_INIT;
	int seen = 0;
	enum cr_run_result ra = 99, rb = 99;
	struct cr_procs *g = cr_procs_new();

	sh(&a, "while :; do echo tick; sleep 0.01; done");
	a.on_line = stop_at_two;
	a.ctx = &seen;
	sh(&b, "exec sleep 30");
	cr_strv_push(&missing.args, "/nonexistent/kubectl");
	ok(cr_procs_start(g, &missing) < 0 && missing.not_found, "a missing program is reported");
	cr_procs_start(g, &a);
	cr_procs_start(g, &b);
	struct cr_child *c;
	enum cr_run_result r;
	int done = 0;
	while (done < 2 && cr_procs_poll(g, 1000) >= 0) {
		while ((c = cr_procs_finished(g, &r))) {
			done++;
			if (c == &a) {
				ra = r;
				cr_procs_stop(g, &b); /* like a phase whose workloads are ready */
			} else {
				rb = r;
			}
		}
	}
	is_int(ra, CR_RUN_STOPPED, "on_line returning nonzero stops the child");
	is_int(seen, 2, "no line is delivered after stop");
	is_int(rb, CR_RUN_STOPPED, "cr_procs_stop ends a sleeping child");
	ok(kill(-b.pid, 0) < 0, "its process group is gone");
	cr_procs_free(g);
	cr_child_clear(&a);
	cr_child_clear(&b);
	cr_child_clear(&missing);
}

static void test_interrupt(void)
{
	struct cr_child a = CR_CHILD_INIT;
	enum cr_run_result r = 99;
	struct cr_procs *g = cr_procs_new();

	sh(&a, "exec sleep 30");
	cr_procs_start(g, &a);
	kill(getpid(), SIGINT); /* blocked while the group lives: read from the signalfd */
	while (cr_procs_poll(g, 1000) > 0)
		;
	cr_procs_finished(g, &r);
	is_int(r, CR_RUN_INTERRUPTED, "SIGINT ends the group's children");
	is_int(cr_interrupted(), SIGINT, "and is reported by cr_interrupted");
	cr_procs_free(g);
	cr_child_clear(&a);
}

struct values {
	jv all;
};

static int collect(jv v, void *ctx)
{
	struct values *vs = ctx;
	vs->all = jv_array_append(vs->all, v);
	return 0;
}

static void test_jstream(void)
{
	const char *text = "{\n  \"type\": \"ADDED\",\n  \"object\": {\"a\": [1, 2]}\n}\n{\"type\":\"DELETED\"}\n";
	struct values vs = { jv_array() };
	struct cr_jstream js;

	cr_jstream_init(&js, collect, &vs);
	for (size_t i = 0; text[i]; i++) /* the worst split: one byte at a time */
		cr_jstream_feed(&js, text + i, 1);
	is_int(jv_array_length(jv_copy(vs.all)), 2, "two pretty-printed values reassembled");
	jv t = jv_getpath(jv_copy(vs.all), JV_ARRAY(jv_number(1), jv_string("type")));
	is_str(jv_string_value(t), "DELETED", "the second value is intact");
	jv_free(t);
	int rc = cr_jstream_feed(&js, "{\"a\" 1}", 7);
	ok(rc < 0 && js.error && strstr(js.error, "column"), "malformed JSON is an error: %s",
	   js.error ? js.error : "");
	cr_jstream_reset(&js);
	ok(cr_jstream_line("[1]", 3, &js) == 0 && !js.error, "after reset the stream parses again");
	is_int(jv_array_length(jv_copy(vs.all)), 3, "line feeding delivers the value");
	cr_jstream_free(&js);
	jv_free(vs.all);
}

int main(void)
{
	/* As every tool (cr_opts_parse): a signal is then only recorded, never fatal. */
	cr_signals_init();
	test_jstream();
	test_many();
	test_stop();
	test_interrupt();
	return tap_done();
}
