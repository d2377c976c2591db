/* Hash-consing parsed JSON: equal subtrees are shared, values stay equal. */
#include <stdio.h>
#include <string.h>

#include "crucible/jvshare.h"
#include "tap.h"

#define POD(name, image) \
	"{\"kind\":\"Pod\",\"metadata\":{\"name\":\"" name "\",\"labels\":{\"app\":\"api\",\"tier\":\"web\"}}," \
	"\"spec\":{\"containers\":[{\"name\":\"api\",\"image\":\"" image "\",\"ports\":[{\"containerPort\":8080}]}]}}"

/* The member at path (a jq-style list of keys and indexes), borrowed from v: v keeps it alive. */
static jv at(jv v, const char *path)
{
	jv p = jv_parse(path), out = jv_getpath(jv_copy(v), p);
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
	jv a = cr_jvshare(s, jv_parse(POD("api-1", "api:1")));
	jv b = cr_jvshare(s, jv_parse(POD("api-2", "api:1")));
	jv c = cr_jvshare(s, jv_parse(POD("api-3", "api:2")));
	ok(same_node(at(a, "[\"spec\"]"), at(b, "[\"spec\"]")), "two pods with equal specs hold one spec");
	ok(same_node(at(a, "[\"metadata\",\"labels\"]"), at(c, "[\"metadata\",\"labels\"]")),
	   "equal labels are shared across different specs");
	ok(!same_node(at(a, "[\"spec\"]"), at(c, "[\"spec\"]")), "specs that differ (the image) stay apart");
	ok(same_node(at(a, "[\"spec\",\"containers\",0,\"ports\"]"), at(c, "[\"spec\",\"containers\",0,\"ports\"]")),
	   "the equal parts of different specs are shared");
	ok(!same_node(at(a, "[\"metadata\"]"), at(b, "[\"metadata\"]")), "metadata with different names stay apart");
	ok(same_node(at(a, "[\"spec\",\"containers\",0,\"name\"]"), at(b, "[\"spec\",\"containers\",0,\"name\"]")),
	   "strings in a shared part are shared with it");
	ok(jv_equal(jv_copy(a), jv_parse(POD("api-1", "api:1"))) && jv_equal(jv_copy(b), jv_parse(POD("api-2", "api:1"))) &&
	   jv_equal(jv_copy(c), jv_parse(POD("api-3", "api:2"))), "every shared value equals what was parsed");
	int before = cr_jvshare_count(s);
	jv d = cr_jvshare(s, jv_parse(POD("api-2", "api:1")));
	ok(same_node(b, d), "a document seen before is the earlier value itself");
	is_int(cr_jvshare_count(s), before, "and adds nothing to the table");
	cr_jvshare_free(s);
	ok(jv_equal(jv_copy(a), jv_parse(POD("api-1", "api:1"))), "values stay valid after the table is freed");
	jv_free(a);
	jv_free(b);
	jv_free(c);
	jv_free(d);
}

static void test_equality_rules(void)
{
	struct cr_jvshare *s = cr_jvshare_new();
	jv v = cr_jvshare(s, jv_parse("[{\"a\":1,\"b\":[2,3]},{\"b\":[2,3],\"a\":1},[1,2],[2,1],[1],[1.5],"
				     "{\"a\":1},{\"a\":\"1\"},[null],[false],[\"x\"],[\"x\\u0000y\"],[\"x\\u0000z\"],[\"x\\u0000y\"]]"));
	ok(same_node(at(v, "[0]"), at(v, "[1]")), "objects with keys in another order are shared");
	ok(!same_node(at(v, "[2]"), at(v, "[3]")), "arrays in another order are not");
	ok(!same_node(at(v, "[4]"), at(v, "[5]")), "different numbers are not");
	ok(!same_node(at(v, "[6]"), at(v, "[7]")), "a number and a string are not");
	ok(!same_node(at(v, "[8]"), at(v, "[9]")), "null and false are not");
	ok(!same_node(at(v, "[11]"), at(v, "[12]")), "strings differing after a NUL are not");
	ok(same_node(at(v, "[11]"), at(v, "[13]")) && !same_node(at(v, "[10]"), at(v, "[11]")),
	   "strings are compared whole, NULs included");
	ok(jv_equal(jv_copy(v), jv_parse("[{\"a\":1,\"b\":[2,3]},{\"b\":[2,3],\"a\":1},[1,2],[2,1],[1],[1.5],"
					 "{\"a\":1},{\"a\":\"1\"},[null],[false],[\"x\"],[\"x\\u0000y\"],[\"x\\u0000z\"],[\"x\\u0000y\"]]")),
	   "the whole stays equal to what was parsed");
	jv_free(v);
	cr_jvshare_free(s);
}

/* A value the caller still holds elsewhere is never changed under it. */
static void test_shared_input(void)
{
	struct cr_jvshare *s = cr_jvshare_new();
	jv first = cr_jvshare(s, jv_parse("{\"spec\":{\"x\":[1,2]}}"));
	jv held = jv_parse("{\"x\":[1,2]}");
	jv doc = JV_OBJECT(jv_string("other"), jv_copy(held), jv_string("spec"), jv_parse("{\"x\":[1,2]}"));
	jv out = cr_jvshare(s, doc);
	ok(jv_equal(jv_copy(held), jv_parse("{\"x\":[1,2]}")) && same_node(at(out, "[\"other\"]"), held),
	   "a member referenced elsewhere is kept as it is");
	ok(same_node(at(out, "[\"spec\"]"), at(first, "[\"spec\"]")), "its siblings are still shared");
	jv again = cr_jvshare(s, jv_copy(out));
	ok(same_node(again, out), "a whole value referenced elsewhere comes back as it is");
	ok(jv_equal(jv_copy(out), jv_parse("{\"spec\":{\"x\":[1,2]},\"other\":{\"x\":[1,2]}}")), "and equal");
	jv_free(again);
	jv_free(held);
	jv_free(out);
	jv_free(first);
	cr_jvshare_free(s);
}

/* Past the table's first size it grows and still finds what it holds. */
static void test_many(void)
{
	struct cr_jvshare *s = cr_jvshare_new();
	jv all = jv_array();
	char buf[64];
	for (int i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "{\"n\":\"item-%d\",\"k\":[\"same\"]}", i);
		all = jv_array_append(all, cr_jvshare(s, jv_parse(buf)));
	}
	bool found = true;
	for (int i = 0; i < 5000; i += 7) {
		snprintf(buf, sizeof(buf), "{\"k\":[\"same\"],\"n\":\"item-%d\"}", i);
		jv again = cr_jvshare(s, jv_parse(buf));
		found = found && same_node(again, at(all, (snprintf(buf, sizeof(buf), "[%d]", i), buf)));
		jv_free(again);
	}
	ok(found, "5000 distinct objects: each is found again");
	ok(same_node(at(all, "[0,\"k\"]"), at(all, "[4999,\"k\"]")), "their equal member is one value");
	jv_free(all);
	cr_jvshare_free(s);
}

int main(void)
{
	test_pods_share();
	test_equality_rules();
	test_shared_input();
	test_many();
	return tap_done();
}
