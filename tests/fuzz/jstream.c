/*
 * kubectl's JSON output reassembled from a byte stream (cr_jstream), fed
 * in pieces whose sizes the input chooses, and line by line as a watch's
 * stdout arrives: the same values come out however the bytes are split.
 */
#include <string.h>

#include "crucible/buf.h"
#include "crucible/jstream.h"
#include "fuzz.h"

struct seen {
	jv values;
};

static int keep(jv v, void *ctx)
{
	struct seen *s = ctx;
	s->values = jv_array_append(s->values, v);
	return 0;
}

/* Feeds data whole; returns the values, or invalid after malformed JSON. */
static jv whole(const char *data, size_t size)
{
	struct seen s = { jv_array() };
	struct cr_jstream js;
	cr_jstream_init(&js, keep, &s);
	int rc = cr_jstream_feed(&js, data, size);
	if (rc < 0)
		FUZZ_ASSERT(js.error && *js.error);
	cr_jstream_free(&js);
	if (rc < 0) {
		jv_free(s.values);
		return jv_invalid();
	}
	return s.values;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned step = data[0] % 17 + 1; /* the first byte picks the chunk size */
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	jv all = whole(text, len);

	struct seen s = { jv_array() };
	struct cr_jstream js;
	cr_jstream_init(&js, keep, &s);
	int rc = 0;
	for (size_t off = 0; !rc && off < len; off += step)
		rc = cr_jstream_feed(&js, text + off, len - off < step ? len - off : step);
	cr_jstream_free(&js);
	if (jv_is_valid(all) && rc == 0)
		FUZZ_ASSERT(jv_equal(jv_copy(all), jv_copy(s.values)));
	jv_free(s.values);
	jv_free(all);

	/* Line by line, as cr_run hands a watch's stdout over (NUL-terminated lines). */
	s.values = jv_array();
	cr_jstream_init(&js, keep, &s);
	char *copy = cr_xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	rc = 0;
	for (char *p = copy, *end = copy + len; !rc && p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		p[n] = '\0';
		rc = cr_jstream_line(p, n, &js);
		p += n + 1;
		if (rc < 0) /* a cut watch: start over, as deploy's watches do */
			cr_jstream_reset(&js), rc = 0, p = end;
	}
	free(copy);
	cr_jstream_free(&js);
	jv_free(s.values);
	return 0;
}
