/* Parsing kubectl's JSON output and writing kubectl's input (see objects.h). */
#include <stdlib.h>
#include <string.h>

#include "crucible/exit.h"
#include "crucible/json.h"
#include "crucible/jstream.h"
#include "crucible/log.h"
#include "crucible/objects.h"

struct collected {
	jv all;
	jv why; /* the first value that is not an object, as a message; null while none */
};

static int collect_one(struct collected *c, jv v)
{
	const char *status = cr_objects_status_error(v);
	if (jv_get_kind(v) != JV_KIND_OBJECT)
		c->why = jv_string("kubectl printed JSON that is not an object");
	else if (status)
		c->why = jv_string_fmt("the server answered an error: %s", status);
	else {
		c->all = jv_array_append(c->all, v);
		return 0;
	}
	jv_free(v);
	return 1;
}

static int collect(jv v, void *ctx)
{
	struct collected *c = ctx;
	if (jv_get_kind(v) != JV_KIND_OBJECT || strcmp(cr_json_str(v, "kind"), "List"))
		return collect_one(c, v);
	jv items = jv_object_get(v, jv_string("items"));
	int stop = 0;
	if (jv_get_kind(items) == JV_KIND_ARRAY) {
		jv_array_foreach(items, i, it) {
			if (!stop)
				stop = collect_one(c, it);
			else
				jv_free(it);
		}
	}
	jv_free(items);
	return stop;
}

jv cr_objects_parse(const char *text, size_t len)
{
	struct collected c = { jv_array(), jv_null() };
	struct cr_jstream js;
	cr_jstream_init(&js, collect, &c);
	int rc = cr_jstream_feed(&js, text, len);
	if (rc == 0)
		rc = cr_jstream_end(&js);
	if (rc < 0)
		c.why = jv_string_fmt("kubectl printed malformed JSON (%s)", js.error);
	cr_jstream_free(&js);
	if (jv_get_kind(c.why) == JV_KIND_STRING) {
		jv_free(c.all);
		return jv_invalid_with_msg(c.why);
	}
	return c.all;
}

jv cr_objects_parse_or_die(const char *text, size_t len, const char *what)
{
	jv all = cr_objects_parse(text, len);
	if (jv_is_valid(all))
		return all;
	jv msg = jv_invalid_get_msg(all);
	cr_error("%s: %s", what, jv_string_value(msg));
	jv_free(msg);
	exit(CR_EXIT_KUBECTL);
}

void cr_objects_not_json(const char *text, size_t len, const char *what)
{
	if (!len || (text[0] != '{' && text[0] != '['))
		return;
	jv_free(cr_objects_parse_or_die(text, len, what));
	cr_die(CR_EXIT_KUBECTL, "%s: kubectl printed JSON, not the lines of the template asked for", what);
}

const char *cr_objects_status_error(jv v)
{
	if (jv_get_kind(v) != JV_KIND_OBJECT || strcmp(cr_json_str(v, "kind"), "Status") ||
	    !strcmp(cr_json_str(v, "status"), "Success"))
		return NULL;
	return cr_json_str_or(v, "message", "no message");
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
