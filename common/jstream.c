/* Incremental JSON reassembly over libjq's streaming parser. */
#include <stdlib.h>
#include <string.h>

#include "crucible/buf.h"
#include "crucible/jstream.h"

void cr_jstream_init(struct cr_jstream *js, cr_jstream_fn fn, void *ctx)
{
	js->parser = jv_parser_new(0);
	js->fn = fn;
	js->ctx = ctx;
	js->error = NULL;
}

/* Hands every complete value to the callback; at the end of the input, an unfinished one is an error. */
static int take_values(struct cr_jstream *js)
{
	for (;;) {
		jv v = jv_parser_next(js->parser);
		if (jv_is_valid(v)) {
			int stop = js->fn(v, js->ctx);
			if (stop) {
				/* Drain what this buffer still holds so the parser forgets the pointer. */
				cr_jstream_reset(js);
				return stop;
			}
			continue;
		}
		if (jv_invalid_has_msg(jv_copy(v))) {
			jv msg = jv_invalid_get_msg(v);
			js->error = cr_xstrdup(jv_string_value(msg));
			jv_free(msg);
			return -1;
		}
		jv_free(v);
		/* No message: needs more input, unless the buffer still has bytes (after an RS, 0x1e, libjq 1.6 returns this too). */
		if (jv_parser_remaining(js->parser) > 0)
			continue;
		return 0;
	}
}

int cr_jstream_feed(struct cr_jstream *js, const char *data, size_t len)
{
	if (js->error)
		return -1;
	/* jv_parser_set_buf keeps a pointer: every value must be taken out before returning. */
	jv_parser_set_buf(js->parser, data, (int)len, 1);
	return take_values(js);
}

int cr_jstream_end(struct cr_jstream *js)
{
	if (js->error)
		return -1;
	jv_parser_set_buf(js->parser, "", 0, 0); /* not partial: a value left open is reported */
	return take_values(js);
}

int cr_jstream_line(const char *line, size_t len, void *ctx)
{
	struct cr_jstream *js = ctx;
	int rc = cr_jstream_feed(js, line, len);
	if (rc)
		return rc;
	return cr_jstream_feed(js, "\n", 1);
}

void cr_jstream_reset(struct cr_jstream *js)
{
	if (js->parser)
		jv_parser_free(js->parser);
	js->parser = jv_parser_new(0);
	free(js->error);
	js->error = NULL;
}

void cr_jstream_free(struct cr_jstream *js)
{
	if (js->parser)
		jv_parser_free(js->parser);
	js->parser = NULL;
	free(js->error);
	js->error = NULL;
}
