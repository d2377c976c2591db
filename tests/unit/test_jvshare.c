/* Parsing with hash-consing: equal parts are shared, values are jv_parse_sized's. */
#include <stdio.h>
#include <string.h>

#include "crucible/jvshare.h"
#include "tap.h"

#define POD(name, image) \
	"{\"kind\":\"Pod\",\"metadata\":{\"name\":\"" name "\",\"labels\":{\"app\":\"api\",\"tier\":\"web\"}}," \
	"\"spec\":{\"containers\":[{\"name\":\"api\",\"image\":\"" image "\",\"ports\":[{\"containerPort\":8080}]}]}}"

static jv parse(struct cr_jvshare *s, const char *text)
{
	return cr_jvshare_parse(s, text, strlen(text));
}

/* The member at path (a JSON list of keys and indexes), borrowed from v: v keeps it alive. */
static jv at(jv v, const char *path)
{
	jv out = jv_getpath(jv_copy(v), jv_parse(path));
	jv_free(out); /* v still holds it */
	return out;
}

static bool same_node(jv a, jv b)
{
	return jv_identical(jv_copy(a), jv_copy(b));
}

static void test_pods_share(void)
{
	struct cr_jvshare *s = cr_jvshare_new();
	jv a = parse(s, POD("api-1", "api:1"));
	jv b = parse(s, POD("api-2", "api:1"));
	jv c = parse(s, POD("api-3", "api:2"));
	ok(same_node(at(a, "[\"spec\"]"), at(b, "[\"spec\"]")), "two pods with equal specs hold one spec");
	ok(same_node(at(a, "[\"metadata\",\"labels\"]"), at(c, "[\"metadata\",\"labels\"]")),
	   "equal labels are shared across different specs");
	ok(!same_node(at(a, "[\"spec\"]"), at(c, "[\"spec\"]")), "specs that differ (the image) stay apart");
	ok(same_node(at(a, "[\"spec\",\"containers\",0,\"ports\"]"), at(c, "[\"spec\",\"containers\",0,\"ports\"]")),
	   "the equal parts of different specs are shared");
	ok(!same_node(at(a, "[\"metadata\"]"), at(b, "[\"metadata\"]")), "metadata with different names stay apart");
	ok(jv_equal(jv_copy(a), jv_parse(POD("api-1", "api:1"))) && jv_equal(jv_copy(b), jv_parse(POD("api-2", "api:1"))) &&
	   jv_equal(jv_copy(c), jv_parse(POD("api-3", "api:2"))), "every value equals what jv_parse gives");
	int before = cr_jvshare_count(s);
	jv d = parse(s, "[" POD("api-2", "api:1") "]");
	ok(same_node(at(d, "[0]"), b) || jv_equal(jv_copy(at(d, "[0]")), jv_copy(b)), "a document seen again is equal");
	ok(same_node(at(d, "[0,\"spec\"]"), at(b, "[\"spec\"]")), "and holds the parts seen before");
	ok(cr_jvshare_count(s) > before, "the table holds what it had and the new parts");
	cr_jvshare_free(s);
	ok(jv_equal(jv_copy(a), jv_parse(POD("api-1", "api:1"))), "values stay valid after the table is freed");
	jv_free(a);
	jv_free(b);
	jv_free(c);
	jv_free(d);
}

static bool same_dump(jv a, jv b)
{
	jv da = jv_dump_string(jv_copy(a), JV_PRINT_SORTED), db = jv_dump_string(jv_copy(b), JV_PRINT_SORTED);
	bool same = !strcmp(jv_string_value(da), jv_string_value(db));
	jv_free(da);
	jv_free(db);
	return same;
}

/* Whatever the text, the value is jv_parse_sized's, and not JSON is invalid with its message. */
static void test_same_as_libjq(void)
{
	static const char *const texts[] = {
		"{}", "[]", " { } ", "[ 1 , 2 ]", "{\"a\":[],\"b\":{}}", "\"plain\"", "12", "-0.5e3", "1.0",
		"true", "false", "null", "nan", "[true,false,null]", "{\"a\":1,\"a\":2}",
		"{\"esc\":\"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00\"}", "[\"caf\xc3\xa9\", \"bad \xff byte\"]",
		"{\"k\\u0041\":\"v\"}", "[\"x\\u0000y\"]", "[[[[[[1]]]]]]", "\t[1,\n{\"a\" : \"b\"}\r]\n",
		"[1,2]x", "[1,]", "[1 2]", "{\"a\"}", "{\"a\":}", "{1:2}", "[", "]", "{\"a\":[1}", "[\"open]",
		"\"unterminated", "[01]", "[1] [2]", "", "   ", "[tru]", "{\"a\":1,}", "[\"tab\there\"]", "[01\x1e]", "{\"a\":1\x1e}",
		NULL,
	};
	struct cr_jvshare *s = cr_jvshare_new();
	for (int i = 0; texts[i]; i++) {
		/* Twice: the second reads through what the first left in the table. */
		for (int round = 0; round < 2; round++) {
			jv mine = parse(s, texts[i]), theirs = jv_parse_sized(texts[i], (int)strlen(texts[i]));
			bool same;
			if (jv_is_valid(theirs))
				same = jv_is_valid(mine) && same_dump(mine, theirs); /* nan is not equal to itself */
			else if (jv_is_valid(mine))
				same = false;
			else
				same = jv_equal(jv_invalid_get_msg(jv_copy(mine)), jv_invalid_get_msg(jv_copy(theirs)));
			ok(same, "text %d as libjq parses it (%s)", i, round ? "again" : "first");
			jv_free(mine);
			jv_free(theirs);
		}
	}
	cr_jvshare_free(s);
}

/* Past the table's first size it grows and still finds what it holds. */
static void test_many(void)
{
	struct cr_jvshare *s = cr_jvshare_new();
	jv all = jv_array();
	char buf[64];
	for (int i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "[{\"n\":\"item-%d\",\"k\":[\"same\"]}]", i);
		all = jv_array_append(all, parse(s, buf));
	}
	bool found = true;
	for (int i = 0; i < 5000; i += 7) {
		snprintf(buf, sizeof(buf), "[{\"n\":\"item-%d\",\"k\":[\"same\"]}]", i);
		jv again = parse(s, buf);
		char path[32];
		snprintf(path, sizeof(path), "[%d,0]", i);
		found = found && same_node(at(again, "[0]"), at(all, path));
		jv_free(again);
	}
	ok(found, "5000 distinct objects: each is found again");
	is_int(cr_jvshare_count(s), 5000 + 1, "the table holds each once, and their shared member once");
	ok(same_node(at(all, "[0,0,\"k\"]"), at(all, "[4999,0,\"k\"]")), "their equal member is one value");
	jv_free(all);
	cr_jvshare_free(s);
}

int main(void)
{
	test_pods_share();
	test_same_as_libjq();
	test_many();
	return tap_done();
}
