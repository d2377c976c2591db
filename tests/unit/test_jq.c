/* The libjq wrapper: compile once, run many, $args, errors, ~/.jq immunity. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crucible/jq.h"
#include "tap.h"

static double num(jv v)
{
	double d = jv_get_kind(v) == JV_KIND_NUMBER ? jv_number_value(v) : -1;
	jv_free(v);
	return d;
}

static void test_run_many(void)
{
	struct cr_jq *q = cr_jq_compile(".a + $n", JV_OBJECT(jv_string("n"), jv_number(10)), NULL);
	ok(q != NULL, "a program with a named argument compiles");
	is_int(num(cr_jq_first(q, JV_OBJECT(jv_string("a"), jv_number(1)))), 11, "first input uses $n");
	is_int(num(cr_jq_first(q, JV_OBJECT(jv_string("a"), jv_number(5)))), 15, "the same program runs again");
	cr_jq_free(q);
}

static void test_collect(void)
{
	jv out = cr_jq_eval(".[] | select(. > 1)", JV_ARRAY(jv_number(1), jv_number(2), jv_number(3)), jv_null());
	ok(jv_get_kind(out) == JV_KIND_ARRAY && jv_array_length(jv_copy(out)) == 2, "collect returns every result");
	jv_free(out);
}

static void test_errors(void)
{
	char *msg = NULL;
	struct cr_jq *q = cr_jq_compile(".a |||", jv_null(), &msg);
	ok(q == NULL && msg && strstr(msg, "syntax error"), "a compile error is reported: %s", msg ? msg : "(none)");
	free(msg);

	jv out = cr_jq_eval("error(\"boom\")", jv_null(), jv_null());
	jv m = jv_invalid_get_msg(jv_copy(out));
	ok(!jv_is_valid(out) && jv_get_kind(m) == JV_KIND_STRING && !strcmp(jv_string_value(m), "boom"),
	   "a runtime error carries its message");
	jv_free(m);
	jv_free(out);

	jv none = cr_jq_eval("empty", jv_null(), jv_null());
	ok(jv_get_kind(none) == JV_KIND_ARRAY && jv_array_length(none) == 0, "no results is an empty array, not an error");
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* libjq 1.6 would import ~/.jq into every program: a poisoned one must not matter. */
static void test_home_jq_ignored(void)
{
	char dir[] = "/tmp/crucible-jqhome.XXXXXX";
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	char path[sizeof(dir) + 8];
	snprintf(path, sizeof(path), "%s/.jq", dir);
	const char *old = getenv("HOME");
	char *saved = old ? strdup(old) : NULL;
	setenv("HOME", dir, 1);

	write_file(path, "def length: 42; def select(f): \"poisoned\";\n");
	jv out = cr_jq_eval("[.[] | select(. > 1)] | length", JV_ARRAY(jv_number(1), jv_number(2), jv_number(3)), jv_null());
	jv first = jv_is_valid(out) ? jv_array_get(out, 0) : out;
	is_int(num(first), 2, "a ~/.jq redefining builtins changes nothing");

	write_file(path, "def broken(: ;\n");
	jv out2 = cr_jq_eval("1 + 1", jv_null(), jv_null());
	ok(jv_is_valid(out2), "a ~/.jq that does not compile does not break our programs");
	jv_free(out2);

	const char *now = getenv("HOME");
	ok(now && !strcmp(now, dir), "HOME is restored after compiling");

	unlink(path);
	rmdir(dir);
	if (saved)
		setenv("HOME", saved, 1);
	free(saved);
}

/* Every $name a program mentions, as a null argument, so programs that take $args compile. */
static jv null_args_for(const char *text)
{
	jv args = jv_object();
	for (const char *p = strchr(text, '$'); p; p = strchr(p + 1, '$')) {
		size_t n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
		if (n && strncmp(p + 1, "__loc__", n) && strncmp(p + 1, "ENV", n))
			args = jv_object_set(args, jv_string_sized(p + 1, (int)n), jv_null());
	}
	return args;
}

/* cr_jq_named compiles a program once per process and hands out the same one. */
static void test_named_cache(void)
{
	int before = cr_jq_compiles();
	struct cr_jq *a = cr_jq_named("kstatus");
	struct cr_jq *b = cr_jq_named("kstatus");
	ok(a != NULL && a == b, "cr_jq_named returns the same compiled program twice");
	ok(cr_jq_compiles() == before + 1, "... compiled once (%d compiles)", cr_jq_compiles() - before);
	jv obj = jv_parse("{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"c\"}}");
	for (int i = 0; i < 2; i++) {
		jv r = cr_jq_first(a, jv_copy(obj));
		jv s = jv_is_valid(r) ? jv_object_get(r, jv_string("status")) : r;
		ok(jv_get_kind(s) == JV_KIND_STRING && !strcmp(jv_string_value(s), "Current"),
		   "the cached program runs again (run %d)", i + 1);
		jv_free(s);
	}
	jv_free(obj);
	ok(cr_jq_named("deploy-row") != a && cr_jq_compiles() == before + 2, "another name is another program");
}

/* A bundle: several programs, one compile, each still its own program. */
static void test_bundle(void)
{
	static const char *const names[] = { "deploy-all", "deploy-storage", NULL };
	cr_jq_bundle(names);
	int before = cr_jq_compiles();
	struct cr_jq *all = cr_jq_named("deploy-all");
	struct cr_jq *storage = cr_jq_named("deploy-storage");
	ok(all && storage && all != storage, "two bundled programs, two handles");
	ok(cr_jq_compiles() == before + 1, "... one compile for both (%d)", cr_jq_compiles() - before);
	for (int i = 0; i < 2; i++) {
		jv r = cr_jq_first(all, jv_parse("{\"phases\": [{\"objects\": [1, 2]}, {\"objects\": [3]}]}"));
		jv want = jv_parse("[1, 2, 3]");
		ok(jv_equal(r, want), "deploy-all runs in the bundle (run %d)", i + 1);
		r = cr_jq_first(storage, jv_parse("{\"objects\": [], \"live\": []}"));
		ok(jv_equal(r, jv_array()), "deploy-storage runs in the bundle (run %d)", i + 1);
	}
	jv bad = cr_jq_first(all, jv_parse("{\"phases\": 3}"));
	ok(!jv_is_valid(bad) && jv_invalid_has_msg(jv_copy(bad)), "an error in a bundled program is its error");
	jv_free(bad);
	ok(cr_jq_named("deploy-rollout") != NULL && cr_jq_compiles() == before + 2, "an unbundled program compiles on its own");
}

static void test_embedded_programs(void)
{
	int n = 0;
	for (const struct cr_jq_source *s = cr_jq_sources; s->name; s++, n++) {
		char *msg = NULL;
		struct cr_jq *q = cr_jq_compile(s->text, null_args_for(s->text), &msg);
		ok(q != NULL, "embedded program %s compiles%s%s", s->name, msg ? ": " : "", msg ? msg : "");
		free(msg);
		cr_jq_free(q);
	}
	ok(n > 0, "the tools' jq programs are embedded (%d found)", n);
	ok(cr_jq_source("no-such-program") == NULL, "looking up an unknown program gives NULL");
}

int main(void)
{
	test_run_many();
	test_collect();
	test_errors();
	test_home_jq_ignored();
	test_embedded_programs();
	test_named_cache();
	test_bundle();
	return tap_done();
}
