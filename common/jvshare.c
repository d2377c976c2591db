/*
 * Hash-consing by text (see jvshare.h). A container's text is found by a
 * quick scan that only matches brackets and skips strings; when the same
 * text was built before, its value is reused without parsing it again.
 * Otherwise its members are built one by one (each inner container looked
 * up the same way), scalars through libjq's own parser whenever they are
 * not plain, so every value is what jv_parse_sized would give. Text that
 * is not JSON falls back to jv_parse_sized for libjq's own error message.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crucible/buf.h"
#include "crucible/jvshare.h"

#define MAX_DEPTH 200 /* deeper: left to libjq, whose limit is 256 */

struct slot {
	char *text;    /* NULL: empty */
	size_t len;
	uint64_t hash;
	jv v;
};

struct cr_jvshare {
	struct slot *slots;
	size_t cap;    /* a power of two */
	size_t used;
};

static struct slot *new_slots(size_t n)
{
	struct slot *s = cr_xmalloc(n * sizeof(*s));
	memset(s, 0, n * sizeof(*s));
	return s;
}

struct cr_jvshare *cr_jvshare_new(void)
{
	struct cr_jvshare *s = cr_xmalloc(sizeof(*s));
	s->cap = 1024;
	s->used = 0;
	s->slots = new_slots(s->cap);
	return s;
}

int cr_jvshare_count(const struct cr_jvshare *s)
{
	return (int)s->used;
}

void cr_jvshare_free(struct cr_jvshare *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->cap; i++) {
		if (s->slots[i].text) {
			explicit_bzero(s->slots[i].text, s->slots[i].len); /* kubectl's output: keep no copy */
			free(s->slots[i].text);
			jv_free(s->slots[i].v);
		}
	}
	free(s->slots);
	free(s);
}

static uint64_t hash_text(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3u;
	return h;
}

static void grow(struct cr_jvshare *s)
{
	struct slot *old = s->slots;
	size_t oldcap = s->cap;
	s->cap *= 2;
	s->slots = new_slots(s->cap);
	for (size_t i = 0; i < oldcap; i++) {
		if (!old[i].text)
			continue;
		size_t j = old[i].hash & (s->cap - 1);
		while (s->slots[j].text)
			j = (j + 1) & (s->cap - 1);
		s->slots[j] = old[i];
	}
	free(old);
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* The end of the string token at p (on its opening quote), or NULL. */
static const char *string_end(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* The end of the value at p: brackets matched, strings skipped; NULL when unbalanced. */
static const char *value_end(const char *p, const char *end)
{
	if (p < end && *p == '"')
		return string_end(p, end);
	if (p < end && (*p == '{' || *p == '[')) {
		int depth = 0;
		for (; p < end; p++) {
			if (*p == '"') {
				if (!(p = string_end(p, end)))
					return NULL;
				p--;
			} else if (*p == '{' || *p == '[') {
				depth++;
			} else if (*p == '}' || *p == ']') {
				if (--depth == 0)
					return p + 1;
			}
		}
		return NULL;
	}
	/* A number or literal: only bytes that can be one, so a token libjq
	 * reads differently alone than inside its container (an RS byte, 0x1e,
	 * ends its input) sends the whole text to libjq. */
	const char *q = p;
	while (q < end && !strchr(",]} \t\r\n", *q)) {
		unsigned char c = (unsigned char)*q;
		if (!(c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9') ||
		      ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')))
			return NULL;
		q++;
	}
	return q > p ? q : NULL;
}

/* A scalar exactly as libjq parses it; plain strings and literals without its parser. */
static jv scalar(const char *p, size_t n)
{
	if (n >= 2 && p[0] == '"') {
		bool plain = true;
		for (size_t i = 1; i + 1 < n && plain; i++)
			plain = p[i] != '\\' && (unsigned char)p[i] >= 0x20;
		if (plain)
			return jv_string_sized(p + 1, (int)(n - 2));
	} else if (n == 4 && !memcmp(p, "true", 4)) {
		return jv_true();
	} else if (n == 5 && !memcmp(p, "false", 5)) {
		return jv_false();
	} else if (n == 4 && !memcmp(p, "null", 4)) {
		return jv_null();
	}
	return jv_parse_sized(p, (int)n);
}

static jv value(struct cr_jvshare *s, const char *p, const char *end, int depth);

/* The members of the container [p, end) (brackets included). */
static jv build(struct cr_jvshare *s, const char *p, const char *end, int depth)
{
	bool object = *p == '{';
	char close = object ? '}' : ']';
	jv out = object ? jv_object() : jv_array();
	const char *last = end - 1; /* the closing bracket */
	if (*last != close) {
		jv_free(out);
		return jv_invalid();
	}
	p = skip_ws(p + 1, last);
	if (p == last)
		return out;
	for (;;) {
		jv key = jv_invalid();
		if (object) {
			const char *k = p < last && *p == '"' ? string_end(p, last) : NULL;
			if (!k)
				break;
			key = scalar(p, (size_t)(k - p));
			p = skip_ws(k, last);
			if (!jv_is_valid(key) || p == last || *p != ':') {
				jv_free(key);
				break;
			}
			p = skip_ws(p + 1, last);
		}
		const char *e = value_end(p, last);
		jv v = e ? value(s, p, e, depth + 1) : jv_invalid();
		if (!jv_is_valid(v)) {
			jv_free(key);
			jv_free(v); /* may carry a message */
			break;
		}
		out = object ? jv_object_set(out, key, v) : jv_array_append(out, v);
		p = skip_ws(e, end);
		if (p == last)
			return out;
		if (p >= last || *p != ',')
			break;
		p = skip_ws(p + 1, last);
	}
	jv_free(out);
	return jv_invalid();
}

/* The value [p, end): a container seen before is the value built then. */
static jv value(struct cr_jvshare *s, const char *p, const char *end, int depth)
{
	if (*p != '{' && *p != '[')
		return scalar(p, (size_t)(end - p));
	if (depth > MAX_DEPTH)
		return jv_invalid();
	size_t n = (size_t)(end - p);
	uint64_t h = hash_text(p, n);
	size_t i = h & (s->cap - 1);
	for (; s->slots[i].text; i = (i + 1) & (s->cap - 1))
		if (s->slots[i].hash == h && s->slots[i].len == n && !memcmp(s->slots[i].text, p, n))
			return jv_copy(s->slots[i].v);
	jv v = build(s, p, end, depth);
	if (!jv_is_valid(v) || depth == 0) /* a whole document is rarely seen twice */
		return v;
	/* Building entered the inner containers (and may have grown the table): probe again. */
	for (i = h & (s->cap - 1); s->slots[i].text; i = (i + 1) & (s->cap - 1))
		;
	char *text = cr_xmalloc(n);
	memcpy(text, p, n);
	s->slots[i] = (struct slot){ text, n, h, jv_copy(v) };
	if (++s->used * 2 > s->cap)
		grow(s);
	return v;
}

jv cr_jvshare_parse(struct cr_jvshare *s, const char *text, size_t len)
{
	const char *end = text + len, *p = skip_ws(text, end);
	const char *e = p < end ? value_end(p, end) : NULL;
	jv v = e && skip_ws(e, end) == end ? value(s, p, e, 0) : jv_invalid();
	if (!jv_is_valid(v)) {
		jv_free(v);
		return jv_parse_sized(text, (int)len); /* not JSON: libjq says why */
	}
	return v;
}
