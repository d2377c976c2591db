/* Unit tests for common/yaml.c: YAML <-> jv as kubectl (sigs.k8s.io/yaml) reads it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crucible/buf.h"
#include "crucible/run.h"
#include "crucible/yaml.h"
#include "tap.h"

static char *dump(jv v)
{
	jv s = jv_dump_string(v, JV_PRINT_SORTED);
	char *r = strdup(jv_string_value(s));
	jv_free(s);
	return r;
}

static char *errmsg(jv v)
{
	jv m = jv_invalid_get_msg(v);
	char *r = strdup(jv_get_kind(m) == JV_KIND_STRING ? jv_string_value(m) : "(no message)");
	jv_free(m);
	return r;
}

/* Parses yaml (all documents) and compares with the JSON text want. */
static void yaml_is(const char *yaml, const char *want, const char *name)
{
	jv got = cr_yaml_parse(yaml, strlen(yaml), "t.yaml", NULL);
	jv w = jv_parse(want);

	if (!jv_is_valid(got)) {
		char *m = errmsg(got);
		ok(0, "%s", name);
		printf("#   error: %s\n", m);
		free(m);
		jv_free(w);
		return;
	}
	if (!ok(jv_equal(jv_copy(got), jv_copy(w)), "%s", name)) {
		char *g = dump(jv_copy(got)), *x = dump(jv_copy(w));
		printf("#   got  %s\n#   want %s\n", g, x);
		free(g);
		free(x);
	}
	jv_free(got);
	jv_free(w);
}

/* The value of key v in a one-key document "v: TEXT". */
static void scalar_is(const char *text, const char *want)
{
	char yaml[256], json[256];
	snprintf(yaml, sizeof(yaml), "v: %s\n", text);
	snprintf(json, sizeof(json), "[{\"v\": %s}]", want);
	char name[300];
	snprintf(name, sizeof(name), "scalar %s -> %s", text, want);
	yaml_is(yaml, json, name);
}

static void yaml_err(const char *yaml, const char *want, const char *name)
{
	jv lines;
	jv got = cr_yaml_parse(yaml, strlen(yaml), "f.yaml", &lines);
	if (jv_is_valid(got)) {
		ok(0, "%s", name);
		printf("#   parsed without error\n");
		jv_free(got);
	} else {
		char *m = errmsg(got);
		is_str(m, want, "%s", name);
		free(m);
	}
	ok(jv_get_kind(lines) == JV_KIND_INVALID, "%s: no lines on error", name);
	jv_free(lines);
}

/* emit(v) must be exactly want. */
static void emit_is(jv v, const char *want, const char *name)
{
	struct cr_buf b = CR_BUF_INIT;
	int rc = cr_yaml_emit(v, &b);
	is_int(rc, 0, "%s: emit succeeds", name);
	is_str(cr_buf_str(&b), want, "%s", name);
	cr_buf_free(&b);
}

/* parse(emit(v)) == [v] */
static void roundtrip(jv v, const char *name)
{
	struct cr_buf b = CR_BUF_INIT;
	int rc = cr_yaml_emit(jv_copy(v), &b);
	jv back = rc == 0 ? cr_yaml_parse(b.data, b.len, "rt", NULL) : jv_invalid();
	bool same = jv_is_valid(back) && jv_equal(jv_copy(back), JV_ARRAY(jv_copy(v)));
	char *shown = dump(jv_string(name));
	bool good = ok(rc == 0 && same, "round trip %s", shown);
	free(shown);
	if (!good) {
		char *x = dump(jv_copy(v));
		printf("#   value %s\n#   yaml:\n%s", x, cr_buf_str(&b));
		free(x);
		if (!jv_is_valid(back)) {
			char *m = errmsg(jv_copy(back));
			printf("#   error: %s\n", m);
			free(m);
		}
	}
	jv_free(back);
	jv_free(v);
	cr_buf_free(&b);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
	struct cr_buf b = CR_BUF_INIT;
	FILE *f = fopen(path, "rb");
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		cr_buf_add(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return b.data ? b.data : strdup("");
}

static void test_scalars(void)
{
	/* Every row checked against kubectl 1.32 (`kubectl label --local -f F k=v -o json`). */
	static const char *const rows[][2] = {
		{ "yes", "true" }, { "Yes", "true" }, { "YES", "true" }, { "yEs", "\"yEs\"" },
		{ "y", "true" }, { "Y", "true" }, { "n", "false" }, { "N", "false" },
		{ "no", "false" }, { "No", "false" }, { "NO", "false" },
		{ "on", "true" }, { "On", "true" }, { "ON", "true" }, { "oN", "\"oN\"" },
		{ "off", "false" }, { "Off", "false" }, { "OFF", "false" },
		{ "true", "true" }, { "True", "true" }, { "TRUE", "true" }, { "tRUE", "\"tRUE\"" },
		{ "false", "false" }, { "False", "false" }, { "FALSE", "false" },
		{ "null", "null" }, { "Null", "null" }, { "NULL", "null" }, { "nULL", "\"nULL\"" },
		{ "~", "null" }, { "", "null" },
		{ "0", "0" }, { "00", "0" }, { "-0", "0" }, { "+0", "0" }, { "42", "42" },
		{ "-17", "-17" }, { "+12", "12" },
		{ "0755", "493" }, { "08", "8" }, { "09", "9" }, { "0_8", "8" },
		{ "0x1F", "31" }, { "0X1F", "31" }, { "-0x1F", "-31" }, { "+0x1F", "31" },
		{ "0x_1F", "31" }, { "0x", "\"0x\"" }, { "0xG", "\"0xG\"" },
		{ "0o17", "15" }, { "0O17", "15" }, { "-0o17", "-15" }, { "0o", "\"0o\"" },
		{ "0b101", "5" }, { "0B101", "5" }, { "-0b101", "-5" }, { "+0b101", "5" },
		{ "0b", "\"0b\"" }, { "0b2", "\"0b2\"" },
		{ "1_000", "1000" }, { "_1", "\"_1\"" }, { "1_", "1" }, { "1__0", "10" },
		{ "1e3", "1000" }, { "1E3", "1000" }, { "1e+3", "1000" }, { "1e-3", "0.001" },
		{ "1.5", "1.5" }, { "1.", "1" }, { ".5", "0.5" }, { "-.5", "-0.5" }, { "+.5", "0.5" },
		{ ".5e3", "500" }, { ".e3", "\".e3\"" }, { ".", "\".\"" }, { "+", "\"+\"" },
		{ "1e400", "\"1e400\"" }, { "-1e400", "\"-1e400\"" }, { "1e-400", "0" },
		{ "9223372036854775807", "9223372036854775807" },
		{ "-9223372036854775808", "-9223372036854775808" },
		{ "18446744073709551615", "18446744073709551615" },
		{ "99999999999999999999", "1e20" },
		{ "0xFFFFFFFFFFFFFFFF", "18446744073709551615" },
		{ "0x10000000000000000", "\"0x10000000000000000\"" },
		{ "1:20", "\"1:20\"" }, { "12:30:45", "\"12:30:45\"" },
		{ "2001-12-14", "\"2001-12-14\"" },
		{ "2001-12-14t21:59:43.10-05:00", "\"2001-12-14t21:59:43.10-05:00\"" },
		{ "0x1p3", "\"0x1p3\"" }, { "1e", "\"1e\"" }, { "1e+", "\"1e+\"" },
		{ "++1", "\"++1\"" }, { "--1", "\"--1\"" }, { "+-1", "\"+-1\"" },
		{ "1.5.5", "\"1.5.5\"" }, { "3.14159", "3.14159" }, { "6.02e23", "6.02e23" },
		{ "1_0.5", "10.5" }, { "0755.5", "755.5" }, { "0x1F.5", "\"0x1F.5\"" },
		{ "inf", "\"inf\"" }, { "Infinity", "\"Infinity\"" }, { "nan", "\"nan\"" },
		{ "=", "\"=\"" }, { "abc", "\"abc\"" }, { "a b", "\"a b\"" }, { "1,000", "\"1,000\"" },
		{ "nginx:1.25", "\"nginx:1.25\"" }, { "a: b", NULL },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (rows[i][1])
			scalar_is(rows[i][0], rows[i][1]);

	/* Quoted, block and !!str scalars stay strings. */
	yaml_is("a: \"yes\"\nb: 'no'\nc: !!str 0755\nd: |\n  123\ne: >-\n  true\nf: \"\"\ng: ''\n",
		"[{\"a\":\"yes\",\"b\":\"no\",\"c\":\"0755\",\"d\":\"123\\n\",\"e\":\"true\",\"f\":\"\",\"g\":\"\"}]",
		"quoted, block and !!str scalars stay strings");
	yaml_is("a: ! 12\nb: !custom 12\nc: !!timestamp 2001-12-14\n",
		"[{\"a\":\"12\",\"b\":\"12\",\"c\":\"2001-12-14\"}]", "other tags give strings");
	yaml_is("a: !!int \"0x10\"\nb: !!float 1\nc: !!bool yes\nd: !!null ''\ne: !!float '2.5'\n",
		"[{\"a\":16,\"b\":1,\"c\":true,\"d\":null,\"e\":2.5}]", "!!int/!!float/!!bool/!!null force types");
	yaml_is("a: !!binary aGVsbG8=\nb: !!binary |\n  aGVs\n  bG8h\n",
		"[{\"a\":\"hello\",\"b\":\"hello!\"}]", "!!binary is decoded");
	yaml_is("a: \"tab\\there\\u00e9\\x41\\0end\"\n",
		"[{\"a\":\"tab\\there\\u00e9A\\u0000end\"}]", "escapes, NUL kept");
	yaml_is("a:\n  - 1\n  -\n  - x\n", "[{\"a\":[1,null,\"x\"]}]", "empty item is null");
}

static void test_keys_merge_docs(void)
{
	yaml_is("yes: 1\nno: 2\n1: a\n0x10: b\n0755: c\n1.5: d\n1e6: e\n~x: f\n1000000: g\n"
		"3.0: h\n0.00001: i\n123456789.5: j\n-.inf: k\n\"yes\": l\n",
		"[{\"true\":1,\"false\":2,\"1\":\"a\",\"16\":\"b\",\"493\":\"c\",\"1.5\":\"d\","
		"\"1e+06\":\"e\",\"~x\":\"f\",\"1000000\":\"g\",\"3\":\"h\",\"1e-05\":\"i\","
		"\"1.2345679e+08\":\"j\",\"-.inf\":\"k\",\"yes\":\"l\"}]",
		"non-string keys become strings as sigs.k8s.io/yaml does");
	yaml_err("a: 1\nb: 2\na: 3\n", "f.yaml:3:1: duplicate mapping key \"a\" (first at line 1)",
		 "duplicate key");
	yaml_err("x:\n  yes: 1\n  true: 2\n",
		 "f.yaml:3:3: duplicate mapping key \"true\" (first at line 2)",
		 "duplicate key after resolution");
	yaml_err("~: 1\n", "f.yaml:1:1: unsupported mapping key null", "null key");
	yaml_err("? [a]\n: 1\n", "f.yaml:1:3: unsupported mapping key (only scalars can be keys in JSON)",
		 "sequence key");
	yaml_is("a: &k key\n*k : 1\n", "[{\"a\":\"key\",\"key\":1}]", "alias as key");

	yaml_is("base: &b {p: 1, q: 2}\nd:\n  <<: *b\n  q: 3\n",
		"[{\"base\":{\"p\":1,\"q\":2},\"d\":{\"p\":1,\"q\":3}}]", "merge key");
	yaml_is("base: &b {p: 1, q: 2}\nd:\n  q: 3\n  <<: *b\n",
		"[{\"base\":{\"p\":1,\"q\":2},\"d\":{\"p\":1,\"q\":3}}]",
		"explicit keys win over merged ones wherever << stands");
	yaml_is("d:\n  <<: [{a: 1}, {a: 2, b: 2}]\n  c: 3\n",
		"[{\"d\":{\"a\":1,\"b\":2,\"c\":3}}]", "merge list: earlier maps win");
	yaml_is("d:\n  <<: {a: 1, b: 1}\n  <<: {a: 2}\n",
		"[{\"d\":{\"a\":2,\"b\":1}}]", "a later << overrides an earlier one (as go-yaml v2)");
	yaml_is("\"<<\": {a: 1}\n", "[{\"<<\":{\"a\":1}}]", "quoted << is an ordinary key");
	yaml_err("a:\n  <<: 1\n", "f.yaml:2:7: map merge requires map or sequence of maps as the value",
		 "merge of a scalar");
	yaml_err("a:\n  <<: [{a: 1}, 2]\n", "f.yaml:2:7: map merge requires map or sequence of maps as the value",
		 "merge of a list with a scalar");

	yaml_is("a: &x [1, {b: 2}]\nc: *x\n", "[{\"a\":[1,{\"b\":2}],\"c\":[1,{\"b\":2}]}]", "aliases");
	yaml_err("a: *x\n", "f.yaml:1:4: unknown anchor 'x' referenced", "unknown anchor");
	yaml_err("a: &x [1, *x]\n", "f.yaml:1:11: unknown anchor 'x' referenced", "recursive alias");
	yaml_err("a: &x 1\n---\nb: *x\n", "f.yaml:3:4: unknown anchor 'x' referenced",
		 "anchors do not cross documents");

	yaml_is("", "[]", "empty input");
	yaml_is("# just a comment\n", "[]", "comment only");
	yaml_is("---\n---\n~\n---\nnull\n--- a\n---\n{}\n...\n---\n[]\n", "[\"a\",{},[]]",
		"empty and null documents skipped");
	yaml_is("a: 1\n---\nb: 2\n", "[{\"a\":1},{\"b\":2}]", "two documents");

	yaml_err("a: .inf\n", "f.yaml:1:4: .inf cannot be represented in JSON", "inf value");
	yaml_err("- -.Inf\n", "f.yaml:1:3: -.Inf cannot be represented in JSON", "-inf value");
	yaml_err("a:\n  b: .nan\n", "f.yaml:2:6: .nan cannot be represented in JSON", "nan value");
	yaml_err("a: !!int abc\n", "f.yaml:1:4: cannot decode !!str `abc` as a !!int", "bad !!int");
	yaml_err("a: !!bool 1\n", "f.yaml:1:4: cannot decode !!int `1` as a !!bool", "bad !!bool");
	yaml_err("a: !!binary aGVsbG8\n", "f.yaml:1:4: !!binary value contains invalid base64 data",
		 "bad !!binary");
}

static void test_json_input(void)
{
	static const char *const docs[] = {
		"{\"a\": 1, \"b\": [true, false, null, 1.5, -2, 1e3, 0.001, \"x\"], \"c\": {}}",
		"[]",
		"{\"yes\": \"no\", \"0755\": \"0755\", \"s\": \"\\\"quote\\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u00e9 \\u2028\"}",
		"{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"List\",\n\t\"items\": [\n\t\t{\"a\":[1,2,[3,[4]]]}\n\t]\n}",
		"{\"a\":1,\"b\":{\"c\":\"d\"}}",
		"{\"emoji\": \"\\ud83d\\ude00\", \"bs\": \"\\\\ud83d\", \"e2\": \"\\uD83D\\uDE00x\"}",
		"[1, 2]\n",
		"  {\"k\": -0.0, \"big\": 12345678901234567890, \"e\": 1E-2}",
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		jv got = cr_yaml_parse(docs[i], strlen(docs[i]), "t.json", NULL);
		jv want = JV_ARRAY(jv_parse(docs[i]));
		if (!ok(jv_is_valid(got) && jv_equal(jv_copy(got), jv_copy(want)),
			"JSON document %zu parses as jq parses it", i)) {
			char *g = jv_is_valid(got) ? dump(jv_copy(got)) : errmsg(jv_copy(got));
			printf("#   got %s\n", g);
			free(g);
		}
		jv_free(got);
		jv_free(want);
	}
	yaml_is("[\"\\ud800x\", \"a\\udc00\"]", "[[\"\\ufffdx\", \"a\\ufffd\"]]",
		"JSON: lone surrogates become U+FFFD as in jq");
	jv lines;
	const char *j = "{\n  \"a\": \"\\ud83d\\ude00\",\n  \"b\": [1,\n    2]\n}\n";
	jv got = cr_yaml_parse(j, strlen(j), "t.json", &lines);
	jv want = jv_parse("[{\"\":1,\"/a\":2,\"/b\":3,\"/b/0\":3,\"/b/1\":4}]");
	ok(jv_is_valid(got) && jv_equal(jv_copy(lines), want), "lines of a JSON document with a surrogate pair");
	jv_free(got);
	jv_free(lines);
}

static void test_lines(void)
{
	const char *y =
		"# comment\n"		/* 1 */
		"---\n"			/* 2 */
		"metadata:\n"		/* 3 */
		"  name: x\n"		/* 4 */
		"  annotations:\n"	/* 5 */
		"    a/b~c: v\n"	/* 6 */
		"spec:\n"		/* 7 */
		"  containers:\n"	/* 8 */
		"  - name: c1\n"	/* 9 */
		"    env:\n"		/* 10 */
		"    - name: A\n"	/* 11 */
		"      value: \"1\"\n"	/* 12 */
		"  - name: c2\n"	/* 13 */
		"  args:\n"		/* 14 */
		"    - |\n"		/* 15 */
		"      text\n"		/* 16 */
		"    -\n"		/* 17 */
		"      x\n"		/* 18 */
		"---\n"			/* 19 */
		"~\n"			/* 20 */
		"---\n"			/* 21 */
		"base: &b {k: 1}\n"	/* 22 */
		"m:\n"			/* 23 */
		"  <<: *b\n"		/* 24 */
		"  own: 2\n"		/* 25 */
		"al: *b\n";		/* 26 */
	jv lines;
	jv docs = cr_yaml_parse(y, strlen(y), "l.yaml", &lines);
	jv want = jv_parse("[{\"\":3,\"/metadata\":3,\"/metadata/name\":4,\"/metadata/annotations\":5,"
			   "\"/metadata/annotations/a~1b~0c\":6,\"/spec\":7,\"/spec/containers\":8,"
			   "\"/spec/containers/0\":9,\"/spec/containers/0/name\":9,"
			   "\"/spec/containers/0/env\":10,\"/spec/containers/0/env/0\":11,"
			   "\"/spec/containers/0/env/0/name\":11,\"/spec/containers/0/env/0/value\":12,"
			   "\"/spec/containers/1\":13,\"/spec/containers/1/name\":13,"
			   "\"/spec/args\":14,\"/spec/args/0\":15,\"/spec/args/1\":18},"
			   "{\"\":22,\"/base\":22,\"/base/k\":22,\"/m\":23,\"/m/k\":24,\"/m/own\":25,\"/al\":26}]");
	is_int(jv_array_length(jv_copy(docs)), 2, "lines: two documents (null one skipped)");
	if (!ok(jv_equal(jv_copy(lines), jv_copy(want)), "lines map: pointers to 1-based lines")) {
		char *g = dump(jv_copy(lines));
		printf("#   got %s\n", g);
		free(g);
	}
	jv_free(want);
	jv_free(docs);
	jv_free(lines);

	size_t len;
	char *app = slurp("tests/fixtures/yaml/app.yaml", &len);
	if (!app) {
		ok(0, "fixture app.yaml readable (run from the repository root)");
		return;
	}
	docs = cr_yaml_parse(app, len, "app.yaml", &lines);
	if (!jv_is_valid(docs)) {
		char *m = errmsg(docs);
		ok(0, "app.yaml parses: %s", m);
		free(m);
		jv_free(lines);
		free(app);
		return;
	}
	is_int(jv_array_length(jv_copy(docs)), 2, "app.yaml: two objects");
	jv d = jv_array_get(jv_copy(docs), 1);
	jv img = jv_getpath(jv_copy(d), jv_parse("[\"spec\",\"template\",\"spec\",\"containers\",0,\"image\"]"));
	is_str(jv_get_kind(img) == JV_KIND_STRING ? jv_string_value(img) : NULL, "nginx:1.25", "app.yaml: image");
	jv lab = jv_getpath(jv_copy(d), jv_parse("[\"spec\",\"template\",\"metadata\",\"labels\",\"tier\"]"));
	is_str(jv_get_kind(lab) == JV_KIND_STRING ? jv_string_value(lab) : NULL, "frontend", "app.yaml: aliased labels");
	jv l = jv_getpath(jv_copy(lines), jv_parse("[1,\"/spec/template/spec/containers/0/env/1/value\"]"));
	is_int(jv_get_kind(l) == JV_KIND_NUMBER ? jv_number_value(l) : -1, 38, "app.yaml: line of env value");
	jv_free(l);
	jv_free(lab);
	jv_free(img);
	jv_free(d);
	jv_free(docs);
	jv_free(lines);
	free(app);
}

static void test_errors_and_limits(void)
{
	yaml_err("a:\n\tb: 1\n",
		 "f.yaml:2:1: found character that cannot start any token while scanning for the next token",
		 "tab indentation");
	yaml_err("a: 1\nb: \"abc\nc: 2\n",
		 "f.yaml:4:1: found unexpected end of stream while scanning a quoted scalar (at line 2 column 4)",
		 "unclosed quote");
	yaml_err("a: [1, 2\nb: 3\n",
		 "f.yaml:2:2: did not find expected ',' or ']' while parsing a flow sequence (at line 1 column 4)",
		 "unclosed flow sequence");
	yaml_err("a: 1\n b: 2\n", "f.yaml:2:3: mapping values are not allowed in this context",
		 "bad indentation");
	yaml_err("a: 1\n\xff\n", "f.yaml:2:1: invalid leading UTF-8 octet (#FF)", "invalid UTF-8");
	yaml_err("ok: 1\nnot: valid: here\n", "f.yaml:2:11: mapping values are not allowed in this context",
		 "colon in plain value");

	size_t len;
	char *bomb = slurp("tests/fixtures/yaml/billion-laughs.yaml", &len);
	if (bomb) {
		double t0 = now();
		jv r = cr_yaml_parse(bomb, len, "bomb.yaml", NULL);
		double dt = now() - t0;
		char *m = jv_is_valid(r) ? strdup("(parsed!)") : errmsg(jv_copy(r));
		ok(!jv_is_valid(r) && strstr(m, "bomb.yaml:8:") && strstr(m, "too many nodes (alias expansion?)"),
		   "billion laughs rejected: %s", m);
		/* A hang guard, not a performance claim: generous for valgrind. */
		ok(dt < 5, "billion laughs rejected without hanging (%.3f s)", dt);
		free(m);
		jv_free(r);
		free(bomb);
	} else {
		ok(0, "fixture billion-laughs.yaml readable (run from the repository root)");
	}

	/* Few nodes, huge text: aliases of one 100 KB scalar, 10 per level, 5 levels = 10 GB. */
	struct cr_buf big = CR_BUF_INIT;
	cr_buf_adds(&big, "a: &a \"");
	for (int i = 0; i < 100000; i++)
		cr_buf_add(&big, "x", 1);
	cr_buf_adds(&big, "\"\n");
	const char *prev = "a";
	const char *levels[] = { "b", "c", "d", "e", "f" };
	for (int l = 0; l < 5; l++) {
		cr_buf_addf(&big, "%s: &%s [", levels[l], levels[l]);
		for (int i = 0; i < 10; i++)
			cr_buf_addf(&big, "%s*%s", i ? ", " : "", prev);
		cr_buf_adds(&big, "]\n");
		prev = levels[l];
	}
	jv wide = cr_yaml_parse(big.data, big.len, "wide.yaml", NULL);
	char *wm = jv_is_valid(wide) ? strdup("(parsed!)") : errmsg(jv_copy(wide));
	ok(!jv_is_valid(wide) && strstr(wm, "wide.yaml:") && strstr(wm, "alias expansion"),
	   "aliases of a large scalar are counted by size: %s", wm);
	free(wm);
	jv_free(wide);
	cr_buf_free(&big);
	/* Up to f the expansion is under the limit: fine, and cheap (shared values). */
	const char *small = "a: &a [1,2,3,4,5,6,7,8,9]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
			    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c]\n";
	jv r = cr_yaml_parse(small, strlen(small), "s.yaml", NULL);
	ok(jv_is_valid(r), "modest alias use is accepted");
	jv_free(r);
	char *m;

	/* The node budget is for the whole stream, not per document. */
	struct cr_buf st = CR_BUF_INIT;
	for (int i = 0; i < 40; i++)
		cr_buf_adds(&st, "---\na: &a [1,2,3,4,5,6,7,8,9]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
			    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
			    "e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n");
	r = cr_yaml_parse(st.data, st.len, "stream.yaml", NULL);
	m = jv_is_valid(r) ? strdup("(parsed!)") : errmsg(jv_copy(r));
	ok(strstr(m, "too many nodes") != NULL, "node budget spans documents: %s", m);
	free(m);
	jv_free(r);
	cr_buf_free(&st);

	/* Nesting: 10000 levels rejected fast, CR_YAML_MAX_DEPTH accepted. */
	struct cr_buf b = CR_BUF_INIT;
	for (int i = 0; i < 10000; i++)
		cr_buf_add(&b, "[", 1);
	double t0 = now();
	r = cr_yaml_parse(b.data, b.len, "deep.yaml", NULL);
	double dt = now() - t0;
	m = jv_is_valid(r) ? strdup("(parsed!)") : errmsg(jv_copy(r));
	is_str(m, "deep.yaml:1:201: too deeply nested (more than 200 levels)", "10000 nested [ rejected");
	ok(dt < 0.5, "deep nesting rejected quickly (%.3f s)", dt);
	free(m);
	jv_free(r);
	cr_buf_reset(&b);
	for (int i = 0; i < 10000; i++)
		cr_buf_addf(&b, "%*sa:\n", i, "");
	r = cr_yaml_parse(b.data, b.len, "deep.yaml", NULL);
	m = jv_is_valid(r) ? strdup("(parsed!)") : errmsg(jv_copy(r));
	is_str(m, "deep.yaml:201:201: too deeply nested (more than 200 levels)", "10000 nested block maps rejected");
	free(m);
	jv_free(r);
	cr_buf_reset(&b);
	for (int i = 0; i < CR_YAML_MAX_DEPTH; i++)
		cr_buf_add(&b, "[", 1);
	for (int i = 0; i < CR_YAML_MAX_DEPTH; i++)
		cr_buf_add(&b, "]", 1);
	r = cr_yaml_parse(b.data, b.len, "ok.yaml", NULL);
	ok(jv_is_valid(r), "%d levels accepted", CR_YAML_MAX_DEPTH);
	jv_free(r);
	cr_buf_free(&b);

	/* Many plain nodes without aliases: over the limit is an error too. */
	cr_buf_reset(&b);
	cr_buf_adds(&b, "[");
	for (int i = 0; i < CR_YAML_MAX_NODES + 1; i++)
		cr_buf_adds(&b, "1,");
	cr_buf_adds(&b, "1]");
	r = cr_yaml_parse(b.data, b.len, "wide.yaml", NULL);
	m = jv_is_valid(r) ? strdup("(parsed!)") : errmsg(jv_copy(r));
	ok(strstr(m, "too many nodes") != NULL, "node limit without aliases: %s", m);
	free(m);
	jv_free(r);
	cr_buf_free(&b);
}

static void test_emit(void)
{
	emit_is(jv_parse("{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"x\","
			 "\"labels\":{}},\"data\":{\"a\":\"yes\",\"b\":\"0755\",\"c\":\"null\",\"d\":\"1e3\","
			 "\"e\":\"plain text\",\"f\":\"\",\"g\":\"multi\\nline\\n\",\"h\":\"y\",\"i\":\"~\"},"
			 "\"list\":[{\"name\":\"a\",\"n\":1},{\"name\":\"b\",\"x\":[]}],\"n\":[3,1e20,0.1,-2.5,1e-7,"
			 "9007199254740993,true,false,null]}"),
		"apiVersion: v1\n"
		"data:\n"
		"  a: 'yes'\n"
		"  b: '0755'\n"
		"  c: 'null'\n"
		"  d: '1e3'\n"
		"  e: plain text\n"
		"  f: ''\n"
		"  g: |\n"
		"    multi\n"
		"    line\n"
		"  h: 'y'\n"
		"  i: '~'\n"
		"kind: ConfigMap\n"
		"list:\n"
		"- 'n': 1\n"
		"  name: a\n"
		"- name: b\n"
		"  x: []\n"
		"metadata:\n"
		"  labels: {}\n"
		"  name: x\n"
		"'n':\n"
		"- 3\n"
		"- 1e+20\n"
		"- 0.1\n"
		"- -2.5\n"
		"- 1e-07\n"
		"- 9007199254740992\n"
		"- true\n"
		"- false\n"
		"- null\n",
		"kubectl-style block YAML, keys sorted");
	emit_is(jv_parse("{\"y\":1,\"1\":2,\"true\":3,\"<<\":4,\"a: b\":5,\"-\":6}"),
		"'-': 6\n'1': 2\n'<<': 4\n'a: b': 5\n'true': 3\n'y': 1\n", "keys quoted when needed");
	emit_is(jv_object(), "{}\n", "empty object");
	emit_is(jv_array(), "[]\n", "empty array");
	emit_is(jv_null(), "null\n", "null document");
	emit_is(jv_string("0x1F"), "'0x1F'\n", "string document");

	struct cr_buf b = CR_BUF_INIT;
	is_int(cr_yaml_emit_stream(jv_parse("[{\"a\":1},[\"x\"],\"s\"]"), &b), 0, "emit_stream");
	is_str(cr_buf_str(&b), "a: 1\n---\n- x\n---\ns\n", "emit_stream separates documents with ---");
	cr_buf_reset(&b);
	is_int(cr_yaml_emit(jv_number(INFINITY), &b), -1, "inf is not representable");
	is_int(cr_yaml_emit(JV_OBJECT(jv_string("a"), JV_ARRAY(jv_number(NAN))), &b), -1,
	       "nan is not representable");
	is_int(cr_yaml_emit(jv_invalid(), &b), -1, "invalid is not representable");
	is_int(cr_yaml_emit_stream(jv_parse("[{\"a\":1},{\"b\":[1]}]"), &b), 0, "stream after failures");
	is_str(cr_buf_str(&b), "a: 1\n---\nb:\n- 1\n", "failed emits append nothing");
	cr_buf_free(&b);

	/* Round trips of tricky values. */
	static const char *const strings[] = {
		"yes", "Yes", "YES", "no", "No", "NO", "y", "Y", "n", "N", "on", "On", "ON", "off", "Off",
		"OFF", "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL", "~", "",
		"0", "-0", "+1", "0755", "08", "0x1F", "0o17", "0b101", "1_000", "1e3", "1E3", ".5", "1.",
		"-.5", "6.02e23", ".inf", "-.inf", ".nan", ".NaN", "+.inf", "1:20", "2001-12-14",
		"2001-12-14T21:59:43Z", "<<", "=", "-", "--", "---", "...", "- x", "? x", ": x", "#x", "a #b",
		"a: b", "a:b", "http://x/y", " lead", "trail ", " ", "\t", "tab\there", "[x]", "{x}",
		"x,y", "!tag", "&anchor", "*alias", "|", ">", "'", "\"", "'quoted'", "\"dq\"", "@at",
		"`tick", "%pct", "é", "日本語", "😀 emoji", "line1\nline2", "line1\nline2\n",
		"trailing\n\n\n", "\nleading newline", "  indented\nblock", "crlf\r\nend", ("nul\x01" "char"), "\u2028sep", "ends with space \nx", "a\n\nb", "x\n ", "#!/bin/sh\necho hi\n",
		"key: value\n- item\n", ("very long line very long line very long line very long line "
		"very long line very long line very long line very long line very long line very long"),
	};
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		char name[200];
		roundtrip(jv_string(strings[i]), strings[i]);
		snprintf(name, sizeof(name), "%.60s (as key and value)", strings[i]);
		roundtrip(JV_OBJECT(jv_string(strings[i]), jv_string(strings[i])), name);
		snprintf(name, sizeof(name), "%.60s (in sequence and mapping)", strings[i]);
		roundtrip(JV_ARRAY(jv_string(strings[i]), JV_OBJECT(jv_string("k"), jv_string(strings[i]))),
			  name);
	}
	roundtrip(jv_string_sized("nul\0byte", 8), "NUL byte");
	static const char *const values[] = {
		"0", "3", "-3", "1.5", "0.1", "1e20", "1e-7", "123456789012", "9007199254740992",
		"1.7976931348623157e308", "5e-324", "-0.000001", "[]", "{}", "[[]]", "[{}]", "{\"a\":{}}",
		"[[1,2],[3,[4,{\"b\":[5]}]]]", "{\"a\":[{\"b\":[{\"c\":null}]}]}", "true", "false",
		("{\"spec\":{\"containers\":[{\"name\":\"x\",\"args\":[\"--flag=yes\",\"on\"],"
		 "\"env\":[{\"name\":\"A\",\"value\":\"0755\"}]}]}}"),
	};
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		roundtrip(jv_parse(values[i]), values[i]);
}

/* The emitted YAML read by the real kubectl (offline: label --local). */
static void test_kubectl(void)
{
	char *kubectl = cr_which("kubectl");
	if (!kubectl) {
		skip("kubectl not installed");
		return;
	}
	char dir[] = "/tmp/crucible-yaml.XXXXXX";
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	jv cm = jv_parse("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"t\"},"
			 "\"data\":{\"a\":\"yes\",\"b\":\"0755\",\"c\":\"null\",\"d\":\"1e3\",\"e\":\"on\","
			 "\"f\":\"~\",\"g\":\"\",\"h\":\"0x1F\",\"i\":\"1:20\",\"j\":\"y\",\"k\":\"multi\\nline\\n\","
			 "\"l\":\" lead\",\"m\":\"a: b\",\"n\":\"- x\",\"o\":\".inf\",\"p\":\"2001-12-14\","
			 "\"q\":\"#c\",\"r\":\"é 😀\",\"s\":\"tab\\there\",\"t\":\"<<\",\"yes\":\"key\","
			 "\"0755\":\"k2\",\"u\":\"0b101\",\"v\":\"1_000\",\"w\":\"+.5\",\"x\":\"08\",\"nul\":\"a\\u0000b\"}}");
	struct cr_buf y = CR_BUF_INIT, path = CR_BUF_INIT, cmd = CR_BUF_INIT;
	is_int(cr_yaml_emit(jv_copy(cm), &y), 0, "kubectl: emit ConfigMap");
	cr_buf_addf(&path, "%s/cm.yaml", dir);
	FILE *f = fopen(path.data, "w");
	if (f) {
		fwrite(y.data, 1, y.len, f);
		fclose(f);
	}
	/* Offline and isolated: no kubeconfig, a private HOME and cache. */
	cr_buf_addf(&cmd, "%s/cache", dir);
	setenv("HOME", dir, 1);
	setenv("KUBECACHEDIR", cmd.data, 1);
	setenv("KUBECONFIG", "/dev/null", 1);
	struct cr_child c = CR_CHILD_INIT;
	cr_strv_pushl(&c.args, kubectl, "label", "--local", "-f", path.data, "crucible=t", "-o", "json", NULL);
	int st = cr_run(&c) == CR_RUN_OK ? 0 : -1;
	struct cr_buf outb = CR_BUF_INIT;
	cr_buf_add(&outb, cr_buf_str(&c.out), c.out.len);
	cr_buf_add(&outb, cr_buf_str(&c.err), c.err.len);
	cr_child_clear(&c);
	jv got = jv_parse(cr_buf_str(&outb));
	if (st != 0 || !jv_is_valid(got)) {
		ok(0, "kubectl label --local reads the emitted YAML");
		printf("#   %s\n", cr_buf_str(&outb));
	} else {
		jv gd = jv_object_get(jv_copy(got), jv_string("data"));
		jv wd = jv_object_get(jv_copy(cm), jv_string("data"));
		if (!ok(jv_equal(jv_copy(gd), jv_copy(wd)), "kubectl reads every emitted string back unchanged")) {
			char *g = dump(jv_copy(gd));
			printf("#   kubectl: %s\n#   yaml:\n%s", g, cr_buf_str(&y));
			free(g);
		}
		jv_free(gd);
		jv_free(wd);
	}
	jv_free(got);
	jv_free(cm);
	cr_buf_free(&outb);
	struct cr_child rm = CR_CHILD_INIT;
	cr_strv_pushl(&rm.args, "rm", "-rf", dir, NULL);
	if (cr_run(&rm) != CR_RUN_OK)
		printf("# could not remove %s\n", dir);
	cr_child_clear(&rm);
	free(kubectl);
	cr_buf_free(&y);
	cr_buf_free(&path);
	cr_buf_free(&cmd);
}

int main(void)
{
	test_scalars();
	test_keys_merge_docs();
	test_json_input();
	test_lines();
	test_errors_and_limits();
	test_emit();
	test_kubectl();
	return tap_done();
}
