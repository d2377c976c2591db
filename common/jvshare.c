/*
 * Hash-consing (see jvshare.h). Bottom-up: a node's children are made
 * canonical first, so two nodes are equal exactly when they have the same
 * kind and length and their children are jv_identical, and a node's hash is
 * made of its children's. Object hashes add their members' so the order the
 * keys came in does not matter (jv_equal ignores it too).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crucible/jvshare.h"
#include "crucible/buf.h"

struct slot {
	jv v;          /* JV_KIND_INVALID: empty */
	uint32_t hash;
};

struct cr_jvshare {
	struct slot *slots;
	uint32_t cap;  /* a power of two */
	uint32_t used;
};

struct cr_jvshare *cr_jvshare_new(void)
{
	struct cr_jvshare *s = cr_xmalloc(sizeof(*s));
	s->cap = 1024;
	s->used = 0;
	s->slots = cr_xmalloc(s->cap * sizeof(*s->slots));
	for (uint32_t i = 0; i < s->cap; i++)
		s->slots[i].v = jv_invalid();
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
	for (uint32_t i = 0; i < s->cap; i++)
		jv_free(s->slots[i].v);
	free(s->slots);
	free(s);
}

static uint32_t mix(uint32_t h, uint32_t x)
{
	h ^= x + 0x9e3779b9u + (h << 6) + (h >> 2);
	return h;
}

/*
 * Children are equal when identical; strings are not entered in the table
 * (most are short, and what they cost is their containers), so two equal
 * ones compare by content.
 */
static bool child_eq(jv a, jv b)
{
	if (jv_get_kind(a) == JV_KIND_STRING && jv_get_kind(b) == JV_KIND_STRING)
		return jv_equal(a, b);
	return jv_identical(a, b);
}

/* Objects built in the same key order (the usual case) walked side by side. */
static bool same_order(jv a, jv b)
{
	int i = jv_object_iter(a), j = jv_object_iter(b);
	for (; jv_object_iter_valid(a, i) && jv_object_iter_valid(b, j);
	     i = jv_object_iter_next(a, i), j = jv_object_iter_next(b, j)) {
		if (!jv_equal(jv_object_iter_key(a, i), jv_object_iter_key(b, j)) ||
		    !child_eq(jv_object_iter_value(a, i), jv_object_iter_value(b, j)))
			return false;
	}
	return !jv_object_iter_valid(a, i) && !jv_object_iter_valid(b, j);
}

/* Any key order: every member of a is b's, and as many. */
static bool same_members(jv a, jv b)
{
	if (jv_object_length(jv_copy(a)) != jv_object_length(jv_copy(b)))
		return false;
	for (int it = jv_object_iter(a); jv_object_iter_valid(a, it); it = jv_object_iter_next(a, it)) {
		jv other = jv_object_get(jv_copy(b), jv_object_iter_key(a, it));
		if (!child_eq(jv_object_iter_value(a, it), other))
			return false;
	}
	return true;
}

/* a and b (borrowed) of one kind, their children canonical: equal? */
static bool same(jv a, jv b)
{
	switch (jv_get_kind(a)) {
	case JV_KIND_ARRAY: {
		int n = jv_array_length(jv_copy(a));
		if (n != jv_array_length(jv_copy(b)))
			return false;
		for (int i = 0; i < n; i++)
			if (!child_eq(jv_array_get(jv_copy(a), i), jv_array_get(jv_copy(b), i)))
				return false;
		return true;
	}
	case JV_KIND_OBJECT:
		return same_order(a, b) || same_members(a, b);
	default:
		return false;
	}
}

static void grow(struct cr_jvshare *s)
{
	struct slot *old = s->slots;
	uint32_t oldcap = s->cap;
	s->cap *= 2;
	s->slots = cr_xmalloc(s->cap * sizeof(*s->slots));
	for (uint32_t i = 0; i < s->cap; i++)
		s->slots[i].v = jv_invalid();
	for (uint32_t i = 0; i < oldcap; i++) {
		if (!jv_is_valid(old[i].v))
			continue;
		uint32_t j = old[i].hash & (s->cap - 1);
		while (jv_is_valid(s->slots[j].v))
			j = (j + 1) & (s->cap - 1);
		s->slots[j] = old[i];
	}
	free(old);
}

/*
 * The table's value equal to v (borrowed, its children canonical): a new
 * reference when it is another value, else jv_invalid() (v is the table's
 * own, or is entered now).
 */
static jv intern(struct cr_jvshare *s, jv v, uint32_t hash)
{
	uint32_t i = hash & (s->cap - 1);
	for (; jv_is_valid(s->slots[i].v); i = (i + 1) & (s->cap - 1)) {
		struct slot *e = &s->slots[i];
		if (e->hash == hash && jv_get_kind(e->v) == jv_get_kind(v) && same(e->v, v))
			return jv_identical(jv_copy(e->v), jv_copy(v)) ? jv_invalid() : jv_copy(e->v);
	}
	s->slots[i] = (struct slot){ jv_copy(v), hash };
	if (++s->used * 2 > s->cap)
		grow(s);
	return jv_invalid();
}

static jv canon(struct cr_jvshare *s, jv v, uint32_t *hash);

/*
 * Children are borrowed from their parent and replaced in its slot only
 * when an equal value is already held: a value referenced once (freshly
 * parsed) changes in place, so the parent's slot stays valid throughout.
 */
static void canon_array(struct cr_jvshare *s, jv v, uint32_t *hash)
{
	uint32_t h = 0x61727261u;
	int n = jv_array_length(jv_copy(v));
	for (int i = 0; i < n; i++) {
		jv e = jv_array_get(jv_copy(v), i);
		jv_free(e); /* v holds it */
		uint32_t eh;
		jv r = canon(s, e, &eh);
		if (jv_is_valid(r))
			v = jv_array_set(v, i, r);
		h = mix(h, eh);
	}
	*hash = h;
}

static void canon_object(struct cr_jvshare *s, jv v, uint32_t *hash)
{
	uint32_t sum = 0;
	for (int it = jv_object_iter(v); jv_object_iter_valid(v, it); it = jv_object_iter_next(v, it)) {
		jv k = jv_object_iter_key(v, it), e = jv_object_iter_value(v, it);
		jv_free(e); /* v holds it */
		uint32_t eh;
		jv r = canon(s, e, &eh);
		sum += mix((uint32_t)jv_string_hash(jv_copy(k)), eh);
		if (jv_is_valid(r))
			v = jv_object_set(v, k, r);
		else
			jv_free(k);
	}
	*hash = mix(0x6f626a65u, sum);
}

/*
 * A container referenced more than once (or an array slice) is someone
 * else's too: it is left as it is and never equal to another value.
 */
static bool changes_in_place(jv v)
{
	return jv_get_refcnt(v) == 1 && (jv_get_kind(v) != JV_KIND_ARRAY || v.offset == 0);
}

static uint32_t pointer_hash(jv v)
{
	uintptr_t p = (uintptr_t)v.u.ptr;
	return mix((uint32_t)p, (uint32_t)((uint64_t)p >> 32) ^ (uint32_t)v.offset ^ (uint32_t)v.size);
}

/* v borrowed; returns its replacement (a new reference) or jv_invalid() to keep it. */
static jv canon(struct cr_jvshare *s, jv v, uint32_t *hash)
{
	switch (jv_get_kind(v)) {
	case JV_KIND_STRING:
		*hash = (uint32_t)jv_string_hash(jv_copy(v));
		return jv_invalid();
	case JV_KIND_ARRAY:
	case JV_KIND_OBJECT:
		if (!changes_in_place(v)) {
			*hash = pointer_hash(v);
			return jv_invalid();
		}
		if (jv_get_kind(v) == JV_KIND_ARRAY)
			canon_array(s, v, hash);
		else
			canon_object(s, v, hash);
		return intern(s, v, *hash);
	case JV_KIND_NUMBER: {
		double d = jv_number_value(v);
		uint64_t bits;
		memcpy(&bits, &d, sizeof(bits));
		*hash = mix((uint32_t)bits, (uint32_t)(bits >> 32));
		return jv_invalid();
	}
	default: /* null, true, false: nothing to share */
		*hash = (uint32_t)jv_get_kind(v);
		return jv_invalid();
	}
}

jv cr_jvshare(struct cr_jvshare *s, jv v)
{
	uint32_t h;
	jv r = canon(s, v, &h);
	if (!jv_is_valid(r))
		return v;
	jv_free(v);
	return r;
}
