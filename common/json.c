/* jv field accessors (see json.h). */
#include "crucible/json.h"

const char *cr_json_str_or(jv v, const char *key, const char *dflt)
{
	if (jv_get_kind(v) != JV_KIND_OBJECT)
		return dflt;
	jv s = jv_object_get(jv_copy(v), jv_string(key));
	const char *out = jv_get_kind(s) == JV_KIND_STRING ? jv_string_value(s) : dflt;
	jv_free(s); /* v still holds it */
	return out;
}

const char *cr_json_str(jv v, const char *key)
{
	return cr_json_str_or(v, key, "");
}

const char *cr_json_text(jv v, const char *key, const char *sep, const char *none, struct cr_buf *tmp)
{
	jv m = jv_get_kind(v) == JV_KIND_OBJECT ? jv_object_get(jv_copy(v), jv_string(key)) : jv_null();
	cr_buf_reset(tmp);
	if (jv_get_kind(m) == JV_KIND_STRING) {
		cr_buf_adds(tmp, jv_string_value(m));
	} else if (jv_get_kind(m) == JV_KIND_ARRAY) {
		jv_array_foreach(m, i, e) {
			if (jv_get_kind(e) == JV_KIND_STRING)
				cr_buf_addf(tmp, "%s%s", i ? sep : "", jv_string_value(e));
			jv_free(e);
		}
	}
	jv_free(m);
	if (!tmp->len)
		cr_buf_adds(tmp, none);
	return cr_buf_str(tmp);
}
