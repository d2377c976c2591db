/*
 * Parsing with shared parts (cr_jvshare_parse) against libjq's own parser:
 * each line of the input, read twice through one table (the second time
 * through what the first left there), is the value jv_parse_sized gives,
 * or invalid exactly when it is.
 */
#include <stdbool.h>
#include <string.h>

#include "crucible/jvshare.h"
#include "fuzz.h"

static bool same(jv a, jv b)
{
	if (!jv_is_valid(b))
		return !jv_is_valid(a);
	if (!jv_is_valid(a))
		return false;
	/* By their printed form: nan is not equal to itself. */
	jv da = jv_dump_string(jv_copy(a), JV_PRINT_SORTED), db = jv_dump_string(jv_copy(b), JV_PRINT_SORTED);
	bool eq = !strcmp(jv_string_value(da), jv_string_value(db));
	jv_free(da);
	jv_free(db);
	return eq;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cr_jvshare *s = cr_jvshare_new();
	const char *text = (const char *)data, *end = text + size;
	for (int round = 0; round < 2; round++) {
		for (const char *p = text; p < end;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
			jv mine = cr_jvshare_parse(s, p, n), theirs = jv_parse_sized(p, (int)n);
			FUZZ_ASSERT(same(mine, theirs));
			jv_free(mine);
			jv_free(theirs);
			p += n + 1;
		}
	}
	cr_jvshare_free(s);
	return 0;
}
