/* Parsing kubectl's JSON output and writing kubectl's input (see objects.h). */
#include <string.h>

#include "crucible/json.h"
#include "crucible/jstream.h"
#include "crucible/objects.h"

static int collect(jv v, void *ctx)
{
	jv *all = ctx;
	if (!strcmp(cr_json_str(v, "kind"), "List")) {
		jv items = jv_object_get(v, jv_string("items"));
		if (jv_get_kind(items) == JV_KIND_ARRAY) {
			jv_array_foreach(items, i, it)
				*all = jv_array_append(*all, it);
		}
		jv_free(items);
	} else {
		*all = jv_array_append(*all, v);
	}
	return 0;
}

jv cr_objects_parse(const char *text, size_t len)
{
	jv all = jv_array();
	struct cr_jstream js;
	cr_jstream_init(&js, collect, &all);
	int rc = cr_jstream_feed(&js, text, len);
	cr_jstream_free(&js);
	if (rc < 0) {
		jv_free(all);
		return jv_invalid_with_msg(jv_string("kubectl printed malformed JSON"));
	}
	return all;
}

void cr_objects_stream(jv objects, struct cr_buf *out)
{
	jv_array_foreach(objects, i, o) {
		jv s = jv_dump_string(o, 0);
		cr_buf_adds(out, jv_string_value(s));
		cr_buf_add(out, "\n", 1);
		jv_free(s);
	}
	jv_free(objects);
}
