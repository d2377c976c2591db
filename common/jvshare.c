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

/* a and b (borrowed) of one kind, their children canonical: equal? */
static bool same(jv a, jv b)
{
	switch (jv_get_kind(a)) {
	case JV_KIND_STRING: {
		int n = jv_string_length_bytes(jv_copy(a));
		return n == jv_string_length_bytes(jv_copy(b)) &&
		       !memcmp(jv_string_value(a), jv_string_value(b), (size_t)n);
	}
	case JV_KIND_ARRAY: {
		int n = jv_array_length(jv_copy(a));
		if (n != jv_array_length(jv_copy(b)))
			return false;
		for (int i = 0; i < n; i++)
			if (!jv_identical(jv_array_get(jv_copy(a), i), jv_array_get(jv_copy(b), i)))
				return false;
		return true;
	}
	case JV_KIND_OBJECT:
		if (jv_object_length(jv_copy(a)) != jv_object_length(jv_copy(b)))
			return false;
		for (int it = jv_object_iter(a); jv_object_iter_valid(a, it); it = jv_object_iter_next(a, it)) {
			jv other = jv_object_get(jv_copy(b), jv_object_iter_key(a, it));
			if (!jv_identical(jv_object_iter_value(a, it), other))
				return false;
		}
		return true;
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

/* The table's value equal to v (consumed), v itself entered when new. */
static jv intern(struct cr_jvshare *s, jv v, uint32_t hash)
{
	uint32_t i = hash & (s->cap - 1);
	for (; jv_is_valid(s->slots[i].v); i = (i + 1) & (s->cap - 1)) {
		struct slot *e = &s->slots[i];
		if (e->hash == hash && jv_get_kind(e->v) == jv_get_kind(v) && same(e->v, v)) {
			jv_free(v);
			return jv_copy(e->v);
		}
	}
	s->slots[i] = (struct slot){ jv_copy(v), hash };
	if (++s->used * 2 > s->cap)
		grow(s);
	return v;
}

static bool container(jv v)
{
	return jv_get_kind(v) == JV_KIND_ARRAY || jv_get_kind(v) == JV_KIND_OBJECT;
}

static jv share(struct cr_jvshare *s, jv v, uint32_t *hash);

/*
 * A child made canonical in its parent's slot. A container is taken out of
 * the slot first so it is referenced once and changes in place.
 */
static jv share_array(struct cr_jvshare *s, jv v, uint32_t *hash)
{
	uint32_t h = 0x61727261u;
	int n = jv_array_length(jv_copy(v));
	for (int i = 0; i < n; i++) {
		jv e = jv_array_get(jv_copy(v), i);
		uint32_t eh;
		if (container(e))
			v = jv_array_set(v, i, jv_null());
		v = jv_array_set(v, i, share(s, e, &eh));
		h = mix(h, eh);
	}
	*hash = h;
	return v;
}

static jv share_object(struct cr_jvshare *s, jv v, uint32_t *hash)
{
	uint32_t sum = 0;
	for (int it = jv_object_iter(v); jv_object_iter_valid(v, it); it = jv_object_iter_next(v, it)) {
		jv k = jv_object_iter_key(v, it), e = jv_object_iter_value(v, it);
		uint32_t eh;
		if (container(e))
			v = jv_object_set(v, jv_copy(k), jv_null());
		uint32_t kh = (uint32_t)jv_string_hash(jv_copy(k));
		v = jv_object_set(v, k, share(s, e, &eh));
		sum += mix(kh, eh);
	}
	*hash = mix(0x6f626a65u, sum);
	return v;
}

static jv share(struct cr_jvshare *s, jv v, uint32_t *hash)
{
	switch (jv_get_kind(v)) {
	case JV_KIND_STRING:
		*hash = (uint32_t)jv_string_hash(jv_copy(v));
		return intern(s, v, *hash);
	case JV_KIND_ARRAY:
		v = share_array(s, v, hash);
		return intern(s, v, *hash);
	case JV_KIND_OBJECT:
		v = share_object(s, v, hash);
		return intern(s, v, *hash);
	case JV_KIND_NUMBER: {
		double d = jv_number_value(v);
		uint64_t bits;
		memcpy(&bits, &d, sizeof(bits));
		*hash = mix((uint32_t)bits, (uint32_t)(bits >> 32));
		return v;
	}
	default: /* null, true, false: nothing to share */
		*hash = (uint32_t)jv_get_kind(v);
		return v;
	}
}

jv cr_jvshare(struct cr_jvshare *s, jv v)
{
	uint32_t h;
	return share(s, v, &h);
}
