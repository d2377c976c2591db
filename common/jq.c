/*
 * jq programs through libjq 1.6, the way jq's own main.c drives it:
 * compile once, then jq_start/jq_next per input.
 */
#include <jq.h>
#include <stdlib.h>
#include <string.h>

#include "crucible/buf.h"
#include "crucible/exit.h"
#include "crucible/jq.h"
#include "crucible/log.h"

struct cr_jq {
	jq_state *jq;         /* NULL for a program of a bundle */
	struct cr_buf errors; /* compile errors reported through the callback */
	struct cr_jq *bundle; /* the compiled bundle this program runs in */
	int index;            /* its number there */
	bool busy;            /* a bundle running one of its programs */
};

const char *cr_jq_source(const char *name)
{
	for (const struct cr_jq_source *s = cr_jq_sources; s->name; s++)
		if (!strcmp(s->name, name))
			return s->text;
	return NULL;
}

/* jq's messages quote the program over several lines: keep errors on one line. */
static void add_one_line(struct cr_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s != '\n')
			cr_buf_add(b, s, 1);
		else if (b->len && b->data[b->len - 1] != ' ')
			cr_buf_add(b, " ", 1);
	}
}

static void collect_error(void *data, jv msg)
{
	struct cr_jq *q = data;
	if (q->errors.len)
		cr_buf_adds(&q->errors, "; ");
	if (jv_get_kind(msg) != JV_KIND_STRING)
		msg = jv_dump_string(msg, 0);
	add_one_line(&q->errors, jv_string_value(msg));
	jv_free(msg);
}

/*
 * libjq 1.6 imports ~/.jq into every program it compiles (found through
 * $HOME), so a user's definitions could change our programs. Compile with
 * HOME unset; our children still get the real HOME afterwards.
 */
static int compile_without_home(jq_state *jq, const char *program, jv args)
{
	const char *home = getenv("HOME");
	char *saved = home ? cr_xstrdup(home) : NULL;
	unsetenv("HOME");
	int ok = jq_compile_args(jq, program, args);
	if (saved) {
		setenv("HOME", saved, 1);
		free(saved);
	}
	return ok;
}

static int compiles;

int cr_jq_compiles(void)
{
	return compiles;
}

struct cr_jq *cr_jq_compile(const char *program, jv args, char **errmsg)
{
	compiles++;
	struct cr_jq *q = cr_xmalloc(sizeof(*q));
	memset(q, 0, sizeof(*q));
	q->errors = (struct cr_buf)CR_BUF_INIT;
	q->jq = jq_init();
	if (!q->jq) {
		jv_free(args);
		free(q);
		cr_die(CR_EXIT_FAILED, "cannot initialise libjq");
	}
	jq_set_error_cb(q->jq, collect_error, q);
	if (jv_get_kind(args) != JV_KIND_OBJECT) {
		jv_free(args);
		args = jv_object();
	}
	if (!compile_without_home(q->jq, program, args)) {
		if (errmsg)
			*errmsg = cr_xstrdup(q->errors.len ? q->errors.data : "jq program does not compile");
		cr_jq_free(q);
		return NULL;
	}
	return q;
}

struct cr_jq *cr_jq_compile_named(const char *name, jv args)
{
	const char *text = cr_jq_source(name);
	if (!text) {
		jv_free(args);
		cr_die(CR_EXIT_FAILED, "internal error: no embedded jq program '%s'", name);
	}
	char *msg = NULL;
	struct cr_jq *q = cr_jq_compile(text, args, &msg);
	if (!q)
		cr_die(CR_EXIT_FAILED, "internal error: jq program '%s': %s", name, msg);
	return q;
}

/* The programs cr_jq_named compiled, freed at exit (keeps leak checkers quiet). */
#define CACHE_MAX 32
static struct {
	const char *name; /* the embedded table's own string */
	struct cr_jq *q;
} cache[CACHE_MAX];
static int cached;

/* The bundle cr_jq_bundle declared: names, and the program once compiled. */
static const char *bundled[CACHE_MAX];
static int nbundled;
static struct cr_jq *bundle;

static void free_cache(void)
{
	for (int i = 0; i < cached; i++)
		cr_jq_free(cache[i].q);
	cached = 0;
	cr_jq_free(bundle);
	bundle = NULL;
}

static const char *source_name(const char *name)
{
	for (const struct cr_jq_source *s = cr_jq_sources; s->name; s++)
		if (!strcmp(s->name, name))
			return s->name;
	cr_die(CR_EXIT_FAILED, "internal error: no embedded jq program '%s'", name);
}

void cr_jq_bundle(const char *const *names)
{
	for (; *names && nbundled < CACHE_MAX; names++)
		bundled[nbundled++] = source_name(*names);
}

/*
 * Every bundled program as a function of one program, chosen by number:
 * def __p0: TEXT0 ; def __p1: TEXT1 ; .[0] as $p | .[1] | if $p == 0 then __p0 elif ...
 * (a program's own definitions become local to its function).
 */
static struct cr_jq *compile_bundle(void)
{
	struct cr_buf text = CR_BUF_INIT;
	for (int i = 0; i < nbundled; i++)
		cr_buf_addf(&text, "def __crucible_p%d:\n%s\n;\n", i, cr_jq_source(bundled[i]));
	cr_buf_adds(&text, ".[0] as $__p | .[1] | ");
	for (int i = 0; i < nbundled; i++)
		cr_buf_addf(&text, "%s $__p == %d then __crucible_p%d ", i ? "elif" : "if", i, i);
	cr_buf_adds(&text, "else error(\"no such bundled program\") end\n");
	char *msg = NULL;
	struct cr_jq *q = cr_jq_compile(text.data, jv_null(), &msg);
	cr_buf_free(&text);
	if (!q)
		cr_die(CR_EXIT_FAILED, "internal error: jq bundle: %s", msg);
	return q;
}

struct cr_jq *cr_jq_named(const char *name)
{
	for (int i = 0; i < cached; i++)
		if (!strcmp(cache[i].name, name))
			return cache[i].q;
	if (cached == CACHE_MAX) /* more distinct programs than all the tools have */
		cr_die(CR_EXIT_FAILED, "internal error: more than %d jq programs", CACHE_MAX);
	struct cr_jq *q = NULL;
	for (int i = 0; i < nbundled && !q; i++) {
		if (strcmp(bundled[i], name))
			continue;
		if (!bundle)
			bundle = compile_bundle();
		q = cr_xmalloc(sizeof(*q));
		memset(q, 0, sizeof(*q));
		q->errors = (struct cr_buf)CR_BUF_INIT;
		q->bundle = bundle;
		q->index = i;
	}
	if (!q)
		q = cr_jq_compile_named(name, jv_null());
	static bool registered;
	if (!registered)
		registered = atexit(free_cache) == 0;
	cache[cached].name = source_name(name);
	cache[cached++].q = q;
	return q;
}

static char *error_text(jv msg)
{
	char *s;
	if (jv_get_kind(msg) == JV_KIND_STRING) {
		s = cr_xstrdup(jv_string_value(msg));
		jv_free(msg);
	} else {
		jv d = jv_dump_string(msg, 0);
		s = cr_xstrdup(jv_string_value(d));
		jv_free(d);
	}
	return s;
}

int cr_jq_run(struct cr_jq *q, jv input, cr_jq_fn fn, void *ctx, char **errmsg)
{
	if (q->bundle) {
		/* One jq_state runs one program at a time: a run inside a callback is a bug. */
		if (q->bundle->busy)
			cr_die(CR_EXIT_FAILED, "internal error: nested run of a bundled jq program");
		q->bundle->busy = true;
		int rc = cr_jq_run(q->bundle, JV_ARRAY(jv_number(q->index), input), fn, ctx, errmsg);
		q->bundle->busy = false;
		return rc;
	}
	jq_start(q->jq, input, 0);
	jv r;
	int stop = 0;
	while (jv_is_valid(r = jq_next(q->jq))) {
		stop = fn(r, ctx);
		if (stop)
			return stop;
	}
	if (jq_halted(q->jq)) {
		/* halt_error: treat its message as an error raised by the program. */
		jv_free(r);
		jv m = jq_get_error_message(q->jq);
		if (errmsg)
			*errmsg = jv_is_valid(m) ? error_text(m) : cr_xstrdup("halted");
		else
			jv_free(m);
		return -1;
	}
	if (jv_invalid_has_msg(jv_copy(r))) {
		jv m = jv_invalid_get_msg(r);
		if (errmsg)
			*errmsg = error_text(m);
		else
			jv_free(m);
		return -1;
	}
	jv_free(r);
	return 0;
}

static int append(jv result, void *ctx)
{
	jv *arr = ctx;
	*arr = jv_array_append(*arr, result);
	return 0;
}

jv cr_jq_collect(struct cr_jq *q, jv input)
{
	jv out = jv_array();
	char *msg = NULL;
	if (cr_jq_run(q, input, append, &out, &msg) < 0) {
		jv_free(out);
		jv err = jv_invalid_with_msg(jv_string(msg));
		free(msg);
		return err;
	}
	return out;
}

static int keep_first(jv result, void *ctx)
{
	*(jv *)ctx = result;
	return 1;
}

jv cr_jq_first(struct cr_jq *q, jv input)
{
	jv first = jv_invalid();
	char *msg = NULL;
	if (cr_jq_run(q, input, keep_first, &first, &msg) < 0) {
		jv err = jv_invalid_with_msg(jv_string(msg));
		free(msg);
		return err;
	}
	return first;
}

jv cr_jq_named_first(const char *name, jv input)
{
	jv r = cr_jq_first(cr_jq_named(name), input);
	if (!jv_is_valid(r)) {
		jv msg = jv_invalid_get_msg(r);
		cr_die(CR_EXIT_FAILED, "internal error in %s.jq: %s", name,
		       jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "no result");
	}
	return r;
}

void cr_jq_free(struct cr_jq *q)
{
	if (!q)
		return;
	if (q->jq)
		jq_teardown(&q->jq);
	cr_buf_free(&q->errors);
	free(q);
}

jv cr_jq_eval(const char *program, jv input, jv args)
{
	char *msg = NULL;
	struct cr_jq *q = cr_jq_compile(program, args, &msg);
	if (!q) {
		jv_free(input);
		jv err = jv_invalid_with_msg(jv_string(msg));
		free(msg);
		return err;
	}
	jv out = cr_jq_collect(q, input);
	cr_jq_free(q);
	return out;
}
