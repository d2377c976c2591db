/*
 * YAML <-> JSON values (jv) through libyaml's event API.
 *
 * Parsing resolves plain scalars with the YAML 1.1 rules of go-yaml v2, which
 * sigs.k8s.io/yaml (and so kubectl) uses, and converts the result the way
 * sigs.k8s.io/yaml's YAMLToJSON does (non-string mapping keys become strings,
 * infinities and NaN are errors). Aliases are expanded from our own anchor
 * table with jv_copy, counting the nodes an expansion stands for, so alias
 * bombs and absurd nesting stop with an error after bounded work.
 *
 * Emitting writes block style YAML with 2-space indentation, sequences of
 * mappings as "- name: x", object keys sorted (jv objects keep no insertion
 * order; kubectl -o yaml sorts keys too), and quotes every string that a
 * YAML 1.1 reader would take for another type.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "crucible/yaml.h"

#define TAG_PREFIX "tag:yaml.org,2002:"

/* ---------------------------------------------------------------------------
 * Scalar resolution (go-yaml v2 resolve.go)
 */

enum rkind { R_NULL, R_BOOL, R_INT, R_FLOAT, R_STR };

struct resolved {
	enum rkind kind;
	bool b;
	double d;	/* R_INT and R_FLOAT */
};

static bool in_list(const char *s, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == n && memcmp(*list, s, n) == 0)
			return true;
	return false;
}

static const char *const yaml_true[] = {
	"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", NULL
};
static const char *const yaml_false[] = {
	"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", NULL
};
static const char *const yaml_null[] = { "~", "null", "Null", "NULL", NULL };
static const char *const yaml_nan[] = { ".nan", ".NaN", ".NAN", NULL };
static const char *const yaml_inf[] = {
	".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL
};
static const char *const yaml_ninf[] = { "-.inf", "-.Inf", "-.INF", NULL };

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/*
 * strconv.ParseInt(s, 0, 64) (signed) or ParseUint(s, 0, 64) (unsigned):
 * optional sign (signed only), then 0x/0o/0b prefixes, a leading 0 meaning
 * octal, else decimal. Returns false on syntax error or overflow.
 */
static bool go_parse_int(const char *s, size_t n, bool is_signed, double *out)
{
	bool neg = false;
	size_t i = 0;
	unsigned base = 10;
	uint64_t v = 0;

	if (is_signed && i < n && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	if (i >= n)
		return false;
	if (s[i] == '0' && i + 1 < n) {
		char p = s[i + 1];
		if (p == 'x' || p == 'X')
			base = 16, i += 2;
		else if (p == 'o' || p == 'O')
			base = 8, i += 2;
		else if (p == 'b' || p == 'B')
			base = 2, i += 2;
		else
			base = 8, i += 1;
		if (i >= n)
			return false;
	}
	for (; i < n; i++) {
		unsigned d = (unsigned)digit_value(s[i]);
		if (d >= base)
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	if (is_signed) {
		if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
			return false;
		*out = neg ? (v == 0 ? 0.0 : v == (uint64_t)INT64_MAX + 1 ? (double)INT64_MIN : -(double)(int64_t)v)
			   : (double)v;
	} else {
		*out = (double)v;
	}
	return true;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool yaml_style_float(const char *s, size_t n)
{
	size_t i = 0, d;

	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i < n && s[i] == '.') {
		i++;
		for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return false;
	} else {
		for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return false;
		if (i < n && s[i] == '.')
			for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
				;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return false;
	}
	return i == n;
}

/* strconv.ParseFloat on an already validated decimal literal; overflow fails. */
static bool parse_float(const char *s, size_t n, double *out)
{
	char buf[128];

	if (n >= sizeof(buf))
		return false; /* no sane float literal is this long */
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	*out = strtod(buf, NULL);
	return !isinf(*out);
}

/* The type a plain (untagged, unquoted) scalar resolves to. */
static void resolve_plain(const char *in, size_t n, struct resolved *r)
{
	char c = n ? in[0] : 0;

	r->kind = R_STR;
	if (n == 0 || in_list(in, n, yaml_null)) {
		r->kind = R_NULL;
		return;
	}
	if (in_list(in, n, yaml_true) || in_list(in, n, yaml_false)) {
		r->kind = R_BOOL;
		r->b = in_list(in, n, yaml_true);
		return;
	}
	if (in_list(in, n, yaml_nan)) {
		r->kind = R_FLOAT, r->d = NAN;
		return;
	}
	if (in_list(in, n, yaml_inf) || in_list(in, n, yaml_ninf)) {
		r->kind = R_FLOAT, r->d = c == '-' ? -INFINITY : INFINITY;
		return;
	}
	if (c == '.') {
		/* strconv.ParseFloat(in): ".5", ".5e3" */
		if (yaml_style_float(in, n) && parse_float(in, n, &r->d))
			r->kind = R_FLOAT;
		return;
	}
	if (c != '+' && c != '-' && !(c >= '0' && c <= '9'))
		return;

	/* Integers and floats, '_' removed first (go-yaml v2). */
	char stack[64], *plain = n < sizeof(stack) ? stack : malloc(n + 1);
	size_t m = 0;
	if (!plain)
		return;
	for (size_t i = 0; i < n; i++)
		if (in[i] != '_')
			plain[m++] = in[i];
	if (go_parse_int(plain, m, true, &r->d) || go_parse_int(plain, m, false, &r->d))
		r->kind = R_INT;
	else if (yaml_style_float(plain, m) && parse_float(plain, m, &r->d))
		r->kind = R_FLOAT;
	if (plain != stack)
		free(plain);
}

/* ---------------------------------------------------------------------------
 * Parser
 */

struct yctx {
	yaml_parser_t p;
	const char *name;
	const char *data;
	size_t len;
	jv anchors;		/* name -> [value, node count] */
	size_t nodes;
	jv lines;		/* current document's pointer -> line, or jv_null() when not wanted */
	int nolines;		/* > 0 while parsing a merge value: record no lines */
	struct cr_buf ptr;	/* JSON pointer of the current node */
};

static jv errat(struct yctx *c, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static jv errat(struct yctx *c, yaml_mark_t m, const char *fmt, ...)
{
	struct cr_buf b = CR_BUF_INIT;
	va_list ap;

	cr_buf_addf(&b, "%s:%zu:%zu: ", c->name, m.line + 1, m.column + 1);
	va_start(ap, fmt);
	cr_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	jv e = jv_invalid_with_msg(jv_string_sized(cr_buf_str(&b), (int)b.len));
	cr_buf_free(&b);
	return e;
}

/* Line and column (1-based, in characters like libyaml) of a byte offset. */
static yaml_mark_t mark_of_offset(struct yctx *c, size_t off)
{
	yaml_mark_t m = { 0, 0, 0 };

	if (off > c->len)
		off = c->len;
	for (size_t i = 0; i < off; i++) {
		unsigned char ch = (unsigned char)c->data[i];
		if (ch == '\n')
			m.line++, m.column = 0;
		else if ((ch & 0xC0) != 0x80)
			m.column++;
	}
	m.index = off;
	return m;
}

static jv parser_error(struct yctx *c)
{
	yaml_parser_t *p = &c->p;
	const char *problem = p->problem ? p->problem : "cannot parse YAML";

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return errat(c, p->mark, "out of memory");
	case YAML_READER_ERROR:
		if (p->problem_value != -1)
			return errat(c, mark_of_offset(c, p->problem_offset), "%s (#%X)",
				     problem, (unsigned)p->problem_value);
		return errat(c, mark_of_offset(c, p->problem_offset), "%s", problem);
	default:
		break;
	}
	if (p->context && (p->context_mark.line != p->problem_mark.line ||
			   p->context_mark.column != p->problem_mark.column))
		return errat(c, p->problem_mark, "%s %s (at line %zu column %zu)", problem,
			     p->context, p->context_mark.line + 1, p->context_mark.column + 1);
	if (p->context)
		return errat(c, p->problem_mark, "%s %s", problem, p->context);
	return errat(c, p->problem_mark, "%s", problem);
}

static jv next_event(struct yctx *c, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&c->p, ev))
		return parser_error(c);
	return jv_true();
}

static void record_line(struct yctx *c, size_t line)
{
	if (c->nolines || jv_get_kind(c->lines) != JV_KIND_OBJECT)
		return;
	c->lines = jv_object_set(c->lines, jv_string_sized(cr_buf_str(&c->ptr), (int)c->ptr.len),
				 jv_number((double)line));
}

/* Appends "/" and the RFC 6901 escape of key to the pointer; returns the old length. */
static size_t ptr_push_key(struct yctx *c, const char *key, size_t n)
{
	size_t old = c->ptr.len;

	cr_buf_add(&c->ptr, "/", 1);
	for (size_t i = 0; i < n; i++) {
		if (key[i] == '~')
			cr_buf_add(&c->ptr, "~0", 2);
		else if (key[i] == '/')
			cr_buf_add(&c->ptr, "~1", 2);
		else
			cr_buf_add(&c->ptr, &key[i], 1);
	}
	return old;
}

static void ptr_pop(struct yctx *c, size_t old)
{
	c->ptr.len = old;
	if (c->ptr.data)
		c->ptr.data[old] = '\0';
}

/*
 * What a scalar costs against the node budget: long strings count more, so
 * that aliases of one large scalar cannot expand to gigabytes in few nodes.
 */
static size_t scalar_weight(const yaml_event_t *ev)
{
	return 1 + ev->data.scalar.length / 16;
}

static jv count_nodes(struct yctx *c, size_t n, yaml_mark_t m)
{
	if (n > CR_YAML_MAX_NODES || c->nodes > CR_YAML_MAX_NODES - n)
		return errat(c, m, "too many nodes (alias expansion?): more than %d",
			     CR_YAML_MAX_NODES);
	c->nodes += n;
	return jv_true();
}

static void register_anchor(struct yctx *c, const char *anchor, jv value, size_t count)
{
	if (!anchor) {
		jv_free(value);
		return;
	}
	c->anchors = jv_object_set(c->anchors, jv_string(anchor),
				   JV_ARRAY(value, jv_number((double)count)));
}

static const char *short_tag(const char *tag)
{
	static const char *const names[] = { "str", "int", "float", "bool", "null" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(tag, names[i]) == 0)
			return names[i];
	return tag;
}

/* !!binary: base64 (line breaks ignored) decoded, as go-yaml does. */
static jv decode_binary(struct yctx *c, yaml_event_t *ev)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length, nq = 0, pad = 0;
	char *out = cr_xmalloc(n / 4 * 3 + 3);
	size_t len = 0;
	unsigned quad[4];

	for (size_t i = 0; i < n; i++) {
		const char *p;
		if (s[i] == '\n' || s[i] == '\r')
			continue;
		if (s[i] == '=' && nq >= 2) {
			pad++;
			quad[nq++] = 0;
		} else if (!pad && s[i] && (p = strchr(alphabet, s[i]))) {
			quad[nq++] = (unsigned)(p - alphabet);
		} else {
			goto bad;
		}
		if (nq == 4) {
			out[len++] = (char)(quad[0] << 2 | quad[1] >> 4);
			out[len++] = (char)((quad[1] & 15) << 4 | quad[2] >> 2);
			out[len++] = (char)((quad[2] & 3) << 6 | quad[3]);
			len -= pad;
			nq = 0;
		}
		if (pad && nq == 0) {	/* padding ends the data */
			for (i++; i < n; i++)
				if (s[i] != '\n' && s[i] != '\r')
					goto bad;
			break;
		}
	}
	if (nq)
		goto bad;
	jv v = jv_string_sized(out, (int)len);
	free(out);
	return v;
bad:
	free(out);
	return errat(c, ev->start_mark, "!!binary value contains invalid base64 data");
}

/*
 * The value of a scalar event: plain untagged scalars are resolved; quoted,
 * block and otherwise tagged ones are strings, except the standard tags
 * !!int/!!float/!!bool/!!null which force (and check) a type.
 * *kind tells keys whether a number came from an integer.
 */
static jv scalar_value(struct yctx *c, yaml_event_t *ev, enum rkind *kind)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	struct resolved r;

	*kind = R_STR;
	if (!tag && ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return jv_string_sized(s, (int)n);
	if (tag) {
		const char *want;
		if (strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) != 0)
			return jv_string_sized(s, (int)n); /* "!", "!custom": strings */
		want = tag + strlen(TAG_PREFIX);
		if (strcmp(want, "binary") == 0)
			return decode_binary(c, ev);
		if (strcmp(want, "int") && strcmp(want, "float") && strcmp(want, "bool") &&
		    strcmp(want, "null"))
			return jv_string_sized(s, (int)n); /* !!str, !!timestamp, !!binary... */
		resolve_plain(s, n, &r);
		if (strcmp(want, "float") == 0 && r.kind == R_INT)
			r.kind = R_FLOAT;
		static const char *const kname[] = { "null", "bool", "int", "float", "str" };
		if (strcmp(kname[r.kind], want) != 0)
			return errat(c, ev->start_mark, "cannot decode !!%s `%.*s` as a !!%s",
				     kname[r.kind], (int)(n > 80 ? 80 : n), s, short_tag(want));
	} else {
		resolve_plain(s, n, &r);
	}
	*kind = r.kind;
	switch (r.kind) {
	case R_NULL:
		return jv_null();
	case R_BOOL:
		return r.b ? jv_true() : jv_false();
	case R_INT:
	case R_FLOAT:
		return jv_number(r.d);
	case R_STR:
		break;
	}
	return jv_string_sized(s, (int)n);
}

/* strconv.FormatFloat(d, 'g', -1, 32), as sigs.k8s.io/yaml turns float keys into strings. */
static jv go_float32_key(double d)
{
	float f = (float)d;
	char buf[64], digits[32];
	int nd = 0, exp;

	if (isnan(f))
		return jv_string(".nan");
	if (isinf(f))
		return jv_string(f < 0 ? "-.inf" : ".inf");
	if (f == 0)
		return jv_string(signbit(f) ? "-0" : "0");
	for (int p = 1; p <= 9; p++) {
		snprintf(buf, sizeof(buf), "%.*e", p - 1, (double)f);
		if (strtof(buf, NULL) == f)
			break;
	}
	const char *q = buf + (buf[0] == '-');
	for (; *q && *q != 'e'; q++)
		if (*q >= '0' && *q <= '9')
			digits[nd++] = *q;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	exp = atoi(q + 1);

	struct cr_buf b = CR_BUF_INIT;
	if (buf[0] == '-')
		cr_buf_add(&b, "-", 1);
	if (exp < -4 || exp >= 6) {
		cr_buf_add(&b, digits, 1);
		if (nd > 1) {
			cr_buf_add(&b, ".", 1);
			cr_buf_add(&b, digits + 1, (size_t)nd - 1);
		}
		cr_buf_addf(&b, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
	} else if (exp < 0) {
		cr_buf_adds(&b, "0.");
		for (int i = -1; i > exp; i--)
			cr_buf_add(&b, "0", 1);
		cr_buf_add(&b, digits, (size_t)nd);
	} else {
		for (int i = 0; i <= exp || i < nd; i++) {
			if (i == exp + 1)
				cr_buf_add(&b, ".", 1);
			cr_buf_add(&b, i < nd ? &digits[i] : "0", 1);
		}
	}
	jv s = jv_string(cr_buf_str(&b));
	cr_buf_free(&b);
	return s;
}

/* A mapping key as the string sigs.k8s.io/yaml makes of it (key consumed). */
static jv key_string(struct yctx *c, jv key, enum rkind kind, yaml_mark_t m)
{
	switch (jv_get_kind(key)) {
	case JV_KIND_STRING:
		return key;
	case JV_KIND_TRUE:
		return jv_string("true");
	case JV_KIND_FALSE:
		return jv_string("false");
	case JV_KIND_NUMBER: {
		double d = jv_number_value(key);
		jv_free(key);
		if (kind == R_INT || (kind != R_FLOAT && d == trunc(d) && fabs(d) < 1e19))
			return jv_string_fmt("%.0f", d);
		return go_float32_key(d);
	}
	default:
		jv_free(key);
		return errat(c, m, "unsupported mapping key (only scalars can be keys in JSON)");
	}
}

static jv parse_node(struct yctx *c, yaml_event_t *ev, int depth, size_t line);

static jv parse_sequence(struct yctx *c, int depth)
{
	jv arr = jv_array();
	yaml_event_t ev;

	for (int i = 0;; i++) {
		jv r = next_event(c, &ev);
		if (!jv_is_valid(r)) {
			jv_free(arr);
			return r;
		}
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return arr;
		}
		size_t old = c->ptr.len;
		cr_buf_addf(&c->ptr, "/%d", i);
		jv v = parse_node(c, &ev, depth + 1, ev.start_mark.line + 1);
		ptr_pop(c, old);
		if (!jv_is_valid(v)) {
			jv_free(arr);
			return v;
		}
		arr = jv_array_append(arr, v);
	}
}

/*
 * The map a "<<" value stands for (v consumed): the map itself, or the maps
 * of a sequence merged so that earlier ones win.
 */
static jv merge_value(struct yctx *c, jv v, yaml_mark_t m)
{
	if (jv_get_kind(v) == JV_KIND_OBJECT)
		return v;
	if (jv_get_kind(v) == JV_KIND_ARRAY) {
		jv merged = jv_object();
		for (int i = jv_array_length(jv_copy(v)) - 1; i >= 0; i--) {
			jv item = jv_array_get(jv_copy(v), i);
			if (jv_get_kind(item) != JV_KIND_OBJECT) {
				jv_free(item);
				jv_free(merged);
				merged = jv_invalid();
				break;
			}
			merged = jv_object_merge(merged, item);
		}
		jv_free(v);
		if (jv_is_valid(merged))
			return merged;
	} else {
		jv_free(v);
	}
	return errat(c, m, "map merge requires map or sequence of maps as the value");
}

static bool is_merge_key(yaml_event_t *ev)
{
	if (ev->type != YAML_SCALAR_EVENT || ev->data.scalar.length != 2 ||
	    memcmp(ev->data.scalar.value, "<<", 2) != 0)
		return false;
	if (ev->data.scalar.tag)
		return strcmp((const char *)ev->data.scalar.tag, TAG_PREFIX "merge") == 0;
	return ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static jv parse_mapping(struct yctx *c, int depth)
{
	jv obj = jv_object();
	jv keylines = jv_object();	/* key -> line, for duplicate reports */
	jv merged = jv_object();	/* what "<<" keys bring in */
	size_t merge_line = 0;
	yaml_event_t ev;
	jv err;

	for (;;) {
		jv r = next_event(c, &ev);
		if (!jv_is_valid(r)) {
			err = r;
			goto fail;
		}
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		yaml_mark_t km = ev.start_mark;
		size_t kline = km.line + 1;

		if (is_merge_key(&ev)) {
			yaml_event_delete(&ev);
			c->nodes++;
			r = next_event(c, &ev);
			if (!jv_is_valid(r)) {
				err = r;
				goto fail;
			}
			yaml_mark_t vm = ev.start_mark;
			c->nolines++;
			jv v = parse_node(c, &ev, depth + 1, 0);
			c->nolines--;
			if (!jv_is_valid(v)) {
				err = v;
				goto fail;
			}
			v = merge_value(c, v, vm);
			if (!jv_is_valid(v)) {
				err = v;
				goto fail;
			}
			merged = jv_object_merge(merged, v);	/* a later "<<" overrides an earlier one */
			if (!merge_line)
				merge_line = kline;
			continue;
		}

		/* The key: a scalar (or an alias of one), made a string. */
		jv key;
		enum rkind kind = R_STR;
		if (ev.type == YAML_SCALAR_EVENT) {
			const char *anchor = (const char *)ev.data.scalar.anchor;
			size_t weight = scalar_weight(&ev);
			jv rv = count_nodes(c, weight, km);
			if (!jv_is_valid(rv)) {
				yaml_event_delete(&ev);
				err = rv;
				goto fail;
			}
			key = scalar_value(c, &ev, &kind);
			if (jv_is_valid(key) && anchor)
				register_anchor(c, anchor, jv_copy(key), weight);
			yaml_event_delete(&ev);
		} else if (ev.type == YAML_ALIAS_EVENT) {
			c->nolines++;
			key = parse_node(c, &ev, depth + 1, 0);
			c->nolines--;
		} else {
			yaml_event_delete(&ev);
			err = errat(c, km, "unsupported mapping key (only scalars can be keys in JSON)");
			goto fail;
		}
		if (!jv_is_valid(key)) {
			err = key;
			goto fail;
		}
		if (jv_get_kind(key) == JV_KIND_NULL) {
			jv_free(key);
			err = errat(c, km, "unsupported mapping key null");
			goto fail;
		}
		key = key_string(c, key, kind, km);
		if (!jv_is_valid(key)) {
			err = key;
			goto fail;
		}
		jv first = jv_object_get(jv_copy(keylines), jv_copy(key));
		if (jv_is_valid(first)) {
			err = errat(c, km, "duplicate mapping key \"%s\" (first at line %d)",
				    jv_string_value(key), (int)jv_number_value(first));
			jv_free(first);
			jv_free(key);
			goto fail;
		}
		jv_free(first);
		keylines = jv_object_set(keylines, jv_copy(key), jv_number((double)kline));

		/* The value. */
		r = next_event(c, &ev);
		if (!jv_is_valid(r)) {
			jv_free(key);
			err = r;
			goto fail;
		}
		size_t old = ptr_push_key(c, jv_string_value(key),
					  (size_t)jv_string_length_bytes(jv_copy(key)));
		jv v = parse_node(c, &ev, depth + 1, kline);
		ptr_pop(c, old);
		if (!jv_is_valid(v)) {
			jv_free(key);
			err = v;
			goto fail;
		}
		obj = jv_object_set(obj, key, v);
	}
	jv_free(keylines);

	if (!merge_line) {
		jv_free(merged);
		return obj;
	}
	/* Explicit keys win over merged ones, wherever the "<<" stands. */
	if (!c->nolines && jv_get_kind(c->lines) == JV_KIND_OBJECT) {
		jv_object_foreach(merged, k, v) {
			jv_free(v);
			if (!jv_object_has(jv_copy(obj), jv_copy(k))) {
				size_t old = ptr_push_key(c, jv_string_value(k),
							  (size_t)jv_string_length_bytes(jv_copy(k)));
				record_line(c, merge_line);
				ptr_pop(c, old);
			}
			jv_free(k);
		}
	}
	return jv_object_merge(merged, obj);

fail:
	jv_free(obj);
	jv_free(keylines);
	jv_free(merged);
	return err;
}

/*
 * Builds the value starting with ev (deleted here). line is what the lines
 * map records for the current pointer (0: the node's own line).
 */
static jv parse_node(struct yctx *c, yaml_event_t *ev, int depth, size_t line)
{
	yaml_mark_t m = ev->start_mark;
	size_t start = c->nodes;
	char *anchor = NULL;
	jv v, r;

	if (!line)
		line = m.line + 1;
	switch (ev->type) {
	case YAML_ALIAS_EVENT: {
		jv a = jv_object_get(jv_copy(c->anchors), jv_string((const char *)ev->data.alias.anchor));
		if (!jv_is_valid(a)) {
			jv_free(a);
			v = errat(c, m, "unknown anchor '%s' referenced", ev->data.alias.anchor);
			yaml_event_delete(ev);
			return v;
		}
		yaml_event_delete(ev);
		r = count_nodes(c, (size_t)jv_number_value(jv_array_get(jv_copy(a), 1)), m);
		if (!jv_is_valid(r)) {
			jv_free(a);
			return r;
		}
		record_line(c, line);
		return jv_array_get(a, 0);
	}
	case YAML_SCALAR_EVENT: {
		enum rkind kind;
		size_t weight = scalar_weight(ev);
		r = count_nodes(c, weight, m);
		if (!jv_is_valid(r)) {
			yaml_event_delete(ev);
			return r;
		}
		v = scalar_value(c, ev, &kind);
		if (jv_is_valid(v) && jv_get_kind(v) == JV_KIND_NUMBER && !isfinite(jv_number_value(v))) {
			jv_free(v);
			v = errat(c, m, "%.*s cannot be represented in JSON",
				  (int)ev->data.scalar.length, ev->data.scalar.value);
		}
		if (jv_is_valid(v)) {
			record_line(c, line);
			if (ev->data.scalar.anchor)
				register_anchor(c, (const char *)ev->data.scalar.anchor, jv_copy(v), weight);
		}
		yaml_event_delete(ev);
		return v;
	}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
		const yaml_char_t *a = seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor;
		if (a)
			anchor = cr_xstrdup((const char *)a);
		yaml_event_delete(ev);
		if (depth >= CR_YAML_MAX_DEPTH) {
			free(anchor);
			return errat(c, m, "too deeply nested (more than %d levels)", CR_YAML_MAX_DEPTH);
		}
		r = count_nodes(c, 1, m);
		if (!jv_is_valid(r)) {
			free(anchor);
			return r;
		}
		record_line(c, line);
		v = seq ? parse_sequence(c, depth) : parse_mapping(c, depth);
		if (jv_is_valid(v))
			register_anchor(c, anchor, jv_copy(v), c->nodes - start);
		free(anchor);
		return v;
	}
	default:
		v = errat(c, m, "unexpected YAML event %d", (int)ev->type);
		yaml_event_delete(ev);
		return v;
	}
}

static jv parse_stream(const char *data, size_t len, const char *name, jv *lines)
{
	struct yctx c;
	yaml_event_t ev;
	jv docs = jv_array(), alllines = jv_array(), r;

	memset(&c, 0, sizeof(c));
	c.name = name ? name : "-";
	c.data = data;
	c.len = len;
	c.anchors = jv_object();
	c.lines = jv_null();
	if (lines)
		*lines = jv_invalid();
	if (!yaml_parser_initialize(&c.p)) {
		jv_free(docs);
		jv_free(alllines);
		jv_free(c.anchors);
		return jv_invalid_with_msg(jv_string_fmt("%s: out of memory", c.name));
	}
	yaml_parser_set_input_string(&c.p, (const unsigned char *)data, len);

	for (;;) {
		r = next_event(&c, &ev);
		if (!jv_is_valid(r))
			goto fail;
		yaml_event_type_t t = ev.type;
		yaml_event_delete(&ev);
		if (t == YAML_STREAM_END_EVENT)
			break;
		if (t != YAML_DOCUMENT_START_EVENT)
			continue; /* STREAM_START */

		/* Anchors are per document; the node budget is for the whole stream. */
		jv_free(c.anchors);
		c.anchors = jv_object();
		c.lines = lines ? jv_object() : jv_null();
		cr_buf_reset(&c.ptr);

		r = next_event(&c, &ev);
		if (!jv_is_valid(r))
			goto fail;
		jv v = parse_node(&c, &ev, 0, 0);
		if (!jv_is_valid(v)) {
			r = v;
			goto fail;
		}
		r = next_event(&c, &ev);	/* DOCUMENT_END */
		if (!jv_is_valid(r)) {
			jv_free(v);
			goto fail;
		}
		yaml_event_delete(&ev);
		if (jv_get_kind(v) == JV_KIND_NULL) {
			jv_free(v);
			jv_free(c.lines);
		} else {
			docs = jv_array_append(docs, v);
			alllines = jv_array_append(alllines, c.lines);
		}
		c.lines = jv_null();
	}
	yaml_parser_delete(&c.p);
	jv_free(c.anchors);
	cr_buf_free(&c.ptr);
	if (lines)
		*lines = alllines;
	else
		jv_free(alllines);
	return docs;

fail:
	yaml_parser_delete(&c.p);
	jv_free(c.anchors);
	jv_free(c.lines);
	cr_buf_free(&c.ptr);
	jv_free(docs);
	jv_free(alllines);
	return r;
}

static int hex4(const char *s)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		int d = digit_value(s[i]);
		if (d > 15)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/*
 * JSON writes characters outside the BMP as UTF-16 surrogate pairs
 * ("\ud83d\ude00"), which YAML 1.1 and libyaml reject. Rewrites them as
 * "\U0001f600" (and lone surrogates as "\ufffd", as jq does); returns NULL
 * when there is nothing to rewrite.
 */
static char *rewrite_surrogates(const char *data, size_t len, size_t *outlen)
{
	struct cr_buf b = CR_BUF_INIT;
	bool changed = false;
	size_t i = 0, last = 0, bs = 0;

	for (; i < len; i++) {
		if (data[i] != '\\') {
			bs = 0;
			continue;
		}
		if (bs++ % 2 || i + 6 > len || data[i + 1] != 'u')
			continue;
		int hi = hex4(data + i + 2);
		if (hi < 0xD800 || hi > 0xDFFF)
			continue;
		int lo = i + 12 <= len && data[i + 6] == '\\' && data[i + 7] == 'u' ? hex4(data + i + 8) : -1;
		cr_buf_add(&b, data + last, i - last);
		if (hi < 0xDC00 && lo >= 0xDC00 && lo <= 0xDFFF) {
			cr_buf_addf(&b, "\\U%08x", 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
			last = i + 12;
		} else {
			cr_buf_adds(&b, "\\ufffd");
			last = i + 6;
		}
		i = last - 1;
		bs = 0;
		changed = true;
	}
	if (!changed)
		return NULL;
	cr_buf_add(&b, data + last, len - last);
	*outlen = b.len;
	return b.data;
}

jv cr_yaml_parse(const char *data, size_t len, const char *name, jv *lines)
{
	jv r = parse_stream(data, len, name, lines);
	size_t i = 0, n2;
	char *data2;

	if (jv_is_valid(r))
		return r;
	/* JSON input with surrogate pair escapes: retry with YAML escapes. */
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && data[i] && strchr(" \t\r\n", data[i]))
		i++;
	if (i >= len || (data[i] != '{' && data[i] != '[') ||
	    !(data2 = rewrite_surrogates(data, len, &n2)))
		return r;
	jv lines2;
	jv r2 = parse_stream(data2, n2, name, lines ? &lines2 : NULL);
	free(data2);
	if (!jv_is_valid(r2)) {
		if (lines)
			jv_free(lines2);
		jv_free(r2);
		return r;
	}
	jv_free(r);
	if (lines) {
		jv_free(*lines);
		*lines = lines2;
	}
	return r2;
}

/* ---------------------------------------------------------------------------
 * Emitter
 */

/* "2001-12-14..." (go-yaml v2 quotes timestamp-like strings). */
static bool looks_like_timestamp(const char *s, size_t n)
{
	if (n < 5)
		return false;
	for (int i = 0; i < 4; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return s[4] == '-';
}

/* YAML 1.1 base 60 numbers such as 1:20 (go-yaml v2 quotes them). */
static bool looks_like_base60(const char *s, size_t n)
{
	size_t i = 0;
	bool colon = false;

	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i >= n || s[i] < '0' || s[i] > '9')
		return false;
	for (; i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'); i++)
		;
	while (i < n && s[i] == ':') {
		size_t d = ++i;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d || i - d > 2)
			return false;
		colon = true;
	}
	if (i < n && s[i] == '.')
		for (i++; i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'); i++)
			;
	return colon && i == n;
}

/* Whether a plain scalar with this text would read back as something other than this string. */
static bool plain_is_unsafe(const char *s, size_t n)
{
	struct resolved r;

	resolve_plain(s, n, &r);
	if (r.kind != R_STR)
		return true;
	return (n == 2 && memcmp(s, "<<", 2) == 0) || looks_like_timestamp(s, n) ||
	       looks_like_base60(s, n);
}

/* Shortest text that reads back as d; integral values without ".0" or exponent. */
static int format_number(double d, char *buf, size_t size)
{
	if (!isfinite(d))
		return -1;
	if (d == 0) {
		snprintf(buf, size, "0");
		return 0;
	}
	if (d == trunc(d) && fabs(d) < 1e19) {
		snprintf(buf, size, "%.0f", d);
		return 0;
	}
	for (int p = 15; p <= 17; p++) {
		snprintf(buf, size, "%.*g", p, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	return 0;
}

struct emitter {
	yaml_emitter_t e;
};

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	cr_buf_add(data, buffer, size);
	return 1;
}

static int emit_scalar(struct emitter *em, const char *s, size_t n, bool is_string)
{
	yaml_event_t ev;
	yaml_scalar_style_t style = YAML_PLAIN_SCALAR_STYLE;
	int plain_ok = 1;

	if (is_string) {
		if (memchr(s, '\n', n))
			style = YAML_LITERAL_SCALAR_STYLE;
		else if (plain_is_unsafe(s, n))
			plain_ok = 0;
	}
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)n, plain_ok, 1, style))
		return -1;
	return yaml_emitter_emit(&em->e, &ev) ? 0 : -1;
}

static int emit_value(struct emitter *em, jv v, int depth)
{
	yaml_event_t ev;
	char num[64];
	int rc = 0;

	if (depth > 10000) {
		jv_free(v);
		return -1;
	}
	switch (jv_get_kind(v)) {
	case JV_KIND_NULL:
		rc = emit_scalar(em, "null", 4, false);
		break;
	case JV_KIND_TRUE:
		rc = emit_scalar(em, "true", 4, false);
		break;
	case JV_KIND_FALSE:
		rc = emit_scalar(em, "false", 5, false);
		break;
	case JV_KIND_NUMBER:
		rc = format_number(jv_number_value(v), num, sizeof(num));
		if (rc == 0)
			rc = emit_scalar(em, num, strlen(num), false);
		break;
	case JV_KIND_STRING:
		rc = emit_scalar(em, jv_string_value(v), (size_t)jv_string_length_bytes(jv_copy(v)), true);
		break;
	case JV_KIND_ARRAY: {
		int n = jv_array_length(jv_copy(v));
		if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
				n ? YAML_BLOCK_SEQUENCE_STYLE : YAML_FLOW_SEQUENCE_STYLE) ||
		    !yaml_emitter_emit(&em->e, &ev)) {
			rc = -1;
			break;
		}
		for (int i = 0; i < n && rc == 0; i++)
			rc = emit_value(em, jv_array_get(jv_copy(v), i), depth + 1);
		if (rc == 0 && (!yaml_sequence_end_event_initialize(&ev) || !yaml_emitter_emit(&em->e, &ev)))
			rc = -1;
		break;
	}
	case JV_KIND_OBJECT: {
		jv keys = jv_keys(jv_copy(v));	/* sorted */
		int n = jv_array_length(jv_copy(keys));
		if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
				n ? YAML_BLOCK_MAPPING_STYLE : YAML_FLOW_MAPPING_STYLE) ||
		    !yaml_emitter_emit(&em->e, &ev)) {
			jv_free(keys);
			rc = -1;
			break;
		}
		for (int i = 0; i < n && rc == 0; i++) {
			jv k = jv_array_get(jv_copy(keys), i);
			rc = emit_scalar(em, jv_string_value(k), (size_t)jv_string_length_bytes(jv_copy(k)), true);
			if (rc == 0)
				rc = emit_value(em, jv_object_get(jv_copy(v), jv_copy(k)), depth + 1);
			jv_free(k);
		}
		jv_free(keys);
		if (rc == 0 && (!yaml_mapping_end_event_initialize(&ev) || !yaml_emitter_emit(&em->e, &ev)))
			rc = -1;
		break;
	}
	default:
		rc = -1;
		break;
	}
	jv_free(v);
	return rc;
}

int cr_yaml_emit(jv value, struct cr_buf *out)
{
	struct emitter em;
	struct cr_buf tmp = CR_BUF_INIT;
	yaml_event_t ev;
	int rc = -1;

	if (!yaml_emitter_initialize(&em.e)) {
		jv_free(value);
		return -1;
	}
	yaml_emitter_set_output(&em.e, write_handler, &tmp);
	yaml_emitter_set_indent(&em.e, 2);
	yaml_emitter_set_width(&em.e, -1);
	yaml_emitter_set_unicode(&em.e, 1);
	yaml_emitter_set_break(&em.e, YAML_LN_BREAK);

	if (!yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) || !yaml_emitter_emit(&em.e, &ev) ||
	    !yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) || !yaml_emitter_emit(&em.e, &ev)) {
		jv_free(value);
		goto out;
	}
	if (emit_value(&em, value, 0) != 0)
		goto out;
	if (!yaml_document_end_event_initialize(&ev, 1) || !yaml_emitter_emit(&em.e, &ev) ||
	    !yaml_stream_end_event_initialize(&ev) || !yaml_emitter_emit(&em.e, &ev) ||
	    !yaml_emitter_flush(&em.e))
		goto out;
	cr_buf_add(out, tmp.data ? tmp.data : "", tmp.len);
	rc = 0;
out:
	yaml_emitter_delete(&em.e);
	cr_buf_free(&tmp);
	return rc;
}

int cr_yaml_emit_stream(jv docs, struct cr_buf *out)
{
	struct cr_buf tmp = CR_BUF_INIT;
	int rc = 0;

	if (jv_get_kind(docs) != JV_KIND_ARRAY) {
		jv_free(docs);
		return -1;
	}
	jv_array_foreach(docs, i, doc) {
		if (rc == 0 && i > 0)
			cr_buf_adds(&tmp, "---\n");
		if (rc == 0)
			rc = cr_yaml_emit(doc, &tmp);
		else
			jv_free(doc);
	}
	jv_free(docs);
	if (rc == 0 && tmp.len)
		cr_buf_add(out, tmp.data, tmp.len);
	cr_buf_free(&tmp);
	return rc;
}
