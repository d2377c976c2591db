/*
 * YAML -> JSON (cr_yaml_parse with its depth/node/alias budgets), then
 * JSON -> YAML -> JSON: whatever parses must have a line map per document,
 * and whatever the emitter writes must read back as the same value.
 */
#include <string.h>

#include "crucible/yaml.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jv lines;
	jv docs = cr_yaml_parse((const char *)data, size, "in.yaml", &lines);
	if (!jv_is_valid(docs)) {
		jv msg = jv_invalid_get_msg(docs);
		FUZZ_ASSERT(jv_get_kind(msg) == JV_KIND_STRING);
		FUZZ_ASSERT(!strncmp(jv_string_value(msg), "in.yaml:", 8));
		FUZZ_ASSERT(!strchr(jv_string_value(msg), '\n'));
		jv_free(msg);
		jv_free(lines);
		return 0;
	}
	FUZZ_ASSERT(jv_get_kind(docs) == JV_KIND_ARRAY && jv_get_kind(lines) == JV_KIND_ARRAY);
	FUZZ_ASSERT(jv_array_length(jv_copy(docs)) == jv_array_length(jv_copy(lines)));
	jv_free(lines);

	struct cr_buf out = CR_BUF_INIT;
	if (cr_yaml_emit_stream(jv_copy(docs), &out) == 0) {
		jv again = cr_yaml_parse(cr_buf_str(&out), out.len, "emitted", NULL);
		if (!jv_is_valid(again)) {
			jv msg = jv_invalid_get_msg(jv_copy(again));
			fprintf(stderr, "emitted YAML does not parse: %s\n%s\n", jv_string_value(msg), cr_buf_str(&out));
			jv_free(msg);
		}
		FUZZ_ASSERT(jv_is_valid(again));
		FUZZ_ASSERT(jv_equal(jv_copy(docs), again));
	}
	cr_buf_free(&out);
	jv_free(docs);
	return 0;
}
