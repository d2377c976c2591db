/*
 * The set of Secrets the manifests reference, with their values. Names come
 * from jq (secrets-refs.jq); values only ever live in wiped cr_bufs here.
 */
#include <stdlib.h>
#include <string.h>

#include "crucible/exit.h"
#include "crucible/jq.h"
#include "crucible/json.h"
#include "crucible/log.h"
#include "crucible/manifests.h"
#include "crucible/namespace.h"
#include "crucible/opts.h"
#include "secrets.h"

struct sec_secret *sec_find(struct sec_set *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->v[i].name, name))
			return &set->v[i];
	return NULL;
}

struct sec_key *sec_find_key(struct sec_secret *s, const char *name)
{
	for (size_t i = 0; i < s->nkeys; i++)
		if (!strcmp(s->keys[i].name, name))
			return &s->keys[i];
	return NULL;
}

struct sec_secret *sec_add_secret(struct sec_set *set, const char *name, const char *type)
{
	struct sec_secret *s = sec_find(set, name);
	if (s)
		return s;
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 8;
		set->v = cr_xrealloc(set->v, set->cap * sizeof(*set->v));
	}
	s = &set->v[set->n++];
	memset(s, 0, sizeof(*s));
	s->name = cr_xstrdup(name);
	s->type = cr_xstrdup(type ? type : "Opaque");
	s->refs = jv_array();
	return s;
}

/* Keys hold cr_bufs by value, so growing copies them: nothing secret is in them yet or the copy is exact. */
struct sec_key *sec_add_key(struct sec_secret *s, const char *name)
{
	struct sec_key *k = sec_find_key(s, name);
	if (k)
		return k;
	if (s->nkeys == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct sec_key *fresh = cr_xmalloc(cap * sizeof(*fresh));
		if (s->nkeys)
			memcpy(fresh, s->keys, s->nkeys * sizeof(*fresh));
		free(s->keys);
		s->keys = fresh;
		s->cap = cap;
	}
	k = &s->keys[s->nkeys++];
	memset(k, 0, sizeof(*k));
	k->name = cr_xstrdup(name);
	return k;
}

/* A string field of an object, or "" (o borrowed). */
static void add_from_refs(struct sec_set *set, jv secrets)
{
	jv_array_foreach(secrets, i, sj) {
		jv name = jv_object_get(jv_copy(sj), jv_string("name"));
		jv type = jv_object_get(jv_copy(sj), jv_string("type"));
		struct sec_secret *s = sec_add_secret(set, jv_string_value(name), jv_string_value(type));
		jv keys = jv_object_get(jv_copy(sj), jv_string("keys"));
		jv_array_foreach(keys, j, kj) {
			sec_add_key(s, jv_string_value(kj))->referenced = true;
			jv_free(kj);
		}
		jv_free(s->refs);
		s->refs = jv_object_get(sj, jv_string("refs"));
		if (!s->nkeys) {
			jv who = jv_array_get(jv_copy(s->refs), 0);
			cr_warn("secret %s: referenced only as a whole (%s); its keys cannot be derived: "
				"give them in --from-env-file as %s/KEY=VALUE",
				s->name, jv_string_value(who), s->name);
			jv_free(who);
		}
		jv_free(keys);
		jv_free(name);
		jv_free(type);
	}
	jv_free(secrets);
}

void sec_set_from_manifests(struct sec_set *set)
{
	int code = CR_EXIT_INPUT;
	jv objects = cr_manifests_load(&cr_source, NULL, &code);
	if (!jv_is_valid(objects)) {
		jv msg = jv_invalid_get_msg(objects);
		cr_error("%s", jv_string_value(msg));
		jv_free(msg);
		exit(code);
	}
	char *err;
	code = cr_namespace_choose(jv_copy(objects), "apply the Secrets of one namespace at a time", &err);
	if (code)
		cr_die(code, "%s", err);
	jv_free(set->namespace);
	set->namespace = jv_invalid();
	jv_array_foreach(objects, i, o) {
		if (!jv_is_valid(set->namespace) && jv_get_kind(o) == JV_KIND_OBJECT && !strcmp(cr_json_str(o, "kind"), "Namespace")) {
			jv md = jv_object_get(jv_copy(o), jv_string("metadata"));
			if (jv_get_kind(md) == JV_KIND_OBJECT && !strcmp(cr_json_str(md, "name"), cr_opts.namespace))
				set->namespace = jv_copy(o);
			jv_free(md);
		}
		jv_free(o);
	}
	jv r = cr_jq_named_first("secrets-refs", objects);
	add_from_refs(set, jv_object_get(jv_copy(r), jv_string("secrets")));
	jv_free(set->env);
	jv_free(set->vars);
	set->env = jv_object_get(jv_copy(r), jv_string("env"));
	set->vars = jv_object_get(r, jv_string("vars"));
	if (!set->n)
		cr_warn("the manifests reference no Secrets");
}

void sec_set_free(struct sec_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		struct sec_secret *s = &set->v[i];
		for (size_t j = 0; j < s->nkeys; j++) {
			cr_buf_wipe(&s->keys[j].value);
			free(s->keys[j].name);
		}
		free(s->keys);
		free(s->name);
		free(s->type);
		jv_free(s->refs);
	}
	free(set->v);
	jv_free(set->env);
	jv_free(set->vars);
	jv_free(set->namespace);
	memset(set, 0, sizeof(*set));
}
