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
	struct cr_jq *q = cr_jq_compile_named("secrets-refs", jv_null());
	jv r = cr_jq_first(q, objects);
	cr_jq_free(q);
	if (!jv_is_valid(r)) {
		jv msg = jv_invalid_get_msg(r);
		cr_die(CR_EXIT_FAILED, "internal error: secrets-refs: %s",
		       jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "no result");
	}
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

/* ---- filling in values ------------------------------------------------- */

/* A source key named by a template: this Secret first, then any other. */
static struct sec_key *source_key(struct sec_set *set, struct sec_secret *s, const char *ref)
{
	const char *slash = strchr(ref, '/');
	if (slash) {
		char *secret = strndup(ref, (size_t)(slash - ref));
		struct sec_secret *o = sec_find(set, secret);
		free(secret);
		return o ? sec_find_key(o, slash + 1) : NULL;
	}
	struct sec_key *k = sec_find_key(s, ref);
	for (size_t i = 0; !k && i < set->n; i++)
		k = sec_find_key(&set->v[i], ref);
	return k;
}

static bool is_key_ref(const char *ph)
{
	return strcmp(ph, "*") && ph[0] != '$';
}

/* Calls fn for each {placeholder} of tmpl with the literal text before it. */
typedef int (*ph_fn)(const char *lit, size_t litlen, const char *ph, void *ctx);
static int each_placeholder(const char *tmpl, ph_fn fn, void *ctx)
{
	const char *p = tmpl;
	for (;;) {
		const char *open = strchr(p, '{'), *close = open ? strchr(open, '}') : NULL;
		if (!open || !close)
			return fn(p, strlen(p), NULL, ctx);
		char *ph = strndup(open + 1, (size_t)(close - open - 1));
		int rc = fn(p, (size_t)(open - p), ph, ctx);
		free(ph);
		if (rc)
			return rc;
		p = close + 1;
	}
}

struct add_ctx {
	struct sec_set *set;
	size_t secret;
};

static int add_source(const char *lit, size_t litlen, const char *ph, void *ctx)
{
	struct add_ctx *a = ctx;
	(void)lit, (void)litlen;
	struct sec_secret *s = &a->set->v[a->secret];
	if (ph && is_key_ref(ph) && !strchr(ph, '/') && !source_key(a->set, s, ph)) {
		/* The manifests use only the composed value: keep its source beside it. */
		sec_add_key(s, ph);
		cr_info("secret %s: adding key %s, the source of a composed value", s->name, ph);
	}
	return 0;
}

/* Adds the source keys templates need before any pointer to a key is held. */
static void add_sources(struct sec_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		for (size_t j = 0; j < set->v[i].nkeys; j++) {
			const struct sec_rule *r = sec_rule_for(set->v[i].name, set->v[i].keys[j].name, set->v[i].type);
			struct add_ctx a = { set, i };
			if (r->how == HOW_TEMPLATE)
				each_placeholder(r->tmpl, add_source, &a);
		}
}

static const char *var_value(struct sec_set *set, const char *name, const char *def, struct cr_buf *tmp)
{
	jv v = jv_object_get(jv_copy(set->vars), jv_string(name));
	cr_buf_reset(tmp);
	cr_buf_adds(tmp, jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : def);
	jv_free(v);
	return tmp->data;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void url_unescape(struct cr_buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			char c = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			cr_buf_add(out, &c, 1);
			i += 2;
		} else {
			cr_buf_add(out, &s[i], 1);
		}
	}
	if (!out->data)
		cr_buf_add(out, "", 0);
}

static void fill_key(struct sec_set *set, struct sec_secret *s, struct sec_key *k, int depth);

struct compose_ctx {
	struct sec_set *set;
	struct sec_secret *s;
	struct cr_buf *out;
	int depth;
};

static int compose_part(const char *lit, size_t litlen, const char *ph, void *ctx)
{
	struct compose_ctx *c = ctx;
	cr_buf_add(c->out, lit, litlen);
	if (!ph)
		return 0;
	if (!strcmp(ph, "*")) {
		sec_random(c->out, SEC_PASSWORD_ALPHABET, SEC_PASSWORD_LEN);
		return 0;
	}
	if (ph[0] == '$') {
		struct cr_buf name = CR_BUF_INIT, tmp = CR_BUF_INIT;
		cr_buf_adds(&name, ph + 1);
		char *colon = strchr(name.data, ':');
		if (colon)
			*colon++ = '\0';
		const char *v = var_value(c->set, name.data, colon ? colon : "", &tmp);
		sec_url_escape(c->out, v, strlen(v));
		cr_buf_free(&name);
		cr_buf_free(&tmp);
		return 0;
	}
	struct sec_key *src = source_key(c->set, c->s, ph);
	if (!src)
		return -1;
	fill_key(c->set, c->s, src, c->depth + 1);
	if (src->origin == ORIG_NONE)
		return -1;
	sec_url_escape(c->out, src->value.data, src->value.len);
	return 0;
}

/* Gives k a value by its rule, once: a source shared by two templates is made once. */
static void fill_key(struct sec_set *set, struct sec_secret *s, struct sec_key *k, int depth)
{
	if (k->origin != ORIG_NONE)
		return;
	if (depth > 8)
		cr_die(CR_EXIT_FAILED, "internal error: template loop at %s/%s", s->name, k->name);
	const struct sec_rule *r = sec_rule_for(s->name, k->name, s->type);
	struct cr_buf v = CR_BUF_INIT;
	enum sec_origin origin = ORIG_GENERATED;
	switch (r->how) {
	case HOW_PASSWORD:
		sec_random(&v, SEC_PASSWORD_ALPHABET, SEC_PASSWORD_LEN);
		break;
	case HOW_HEX:
		sec_random(&v, "0123456789abcdef", SEC_HEX_LEN);
		break;
	case HOW_TEMPLATE: {
		struct compose_ctx c = { set, s, &v, depth };
		origin = ORIG_DERIVED;
		if (each_placeholder(r->tmpl, compose_part, &c)) {
			cr_buf_wipe(&v);
			return;
		}
		break;
	}
	case HOW_SUPPLIED:
		return;
	}
	k->value = v;
	k->origin = origin;
}

struct match_ctx {
	struct sec_set *set;
	struct sec_secret *s;
	const char *at, *end; /* the unmatched rest of the value */
	char *pending;        /* placeholder waiting for the next literal (ours: any length) */
	int learned;
};

/* Takes the text a pending placeholder matched, teaching it to its source key. */
static void learn(struct match_ctx *m, const char *text, size_t len)
{
	if (!m->pending || !is_key_ref(m->pending))
		return;
	struct sec_key *src = source_key(m->set, m->s, m->pending);
	if (!src || src->origin != ORIG_NONE)
		return;
	url_unescape(&src->value, text, len);
	src->origin = ORIG_DERIVED;
	m->learned++;
}

static int match_part(const char *lit, size_t litlen, const char *ph, void *ctx)
{
	struct match_ctx *m = ctx;
	const char *hit = m->at;
	if (m->pending) {
		/* A placeholder runs to the next literal, or to the end. */
		hit = litlen ? memmem(m->at, (size_t)(m->end - m->at), lit, litlen) : (ph ? NULL : m->end);
		if (!hit)
			return -1;
		learn(m, m->at, (size_t)(hit - m->at));
	} else if ((size_t)(m->end - m->at) < litlen || memcmp(m->at, lit, litlen)) {
		return -1;
	}
	m->at = hit + litlen;
	free(m->pending);
	/* ph is freed after this call: keep our own copy, whole. */
	m->pending = ph ? cr_xstrdup(ph) : NULL;
	return !ph && m->at != m->end ? -1 : 0;
}

/*
 * A composed value given by the user or found in the cluster whose source
 * has no value yet (DATABASE_URL in the env file, no POSTGRES_PASSWORD):
 * read the source back out of it, so the two cannot disagree.
 */
static void learn_sources(struct sec_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		for (size_t j = 0; j < set->v[i].nkeys; j++) {
			struct sec_secret *s = &set->v[i];
			struct sec_key *k = &s->keys[j];
			const struct sec_rule *r = sec_rule_for(s->name, k->name, s->type);
			if (r->how != HOW_TEMPLATE || (k->origin != ORIG_SUPPLIED && k->origin != ORIG_EXISTING))
				continue;
			struct match_ctx m = { set, s, k->value.data, k->value.data + k->value.len, NULL, 0 };
			if (!k->value.data || each_placeholder(r->tmpl, match_part, &m))
				cr_warn("secret %s: key %s does not have the form %s; values composed from the same source may not match it",
					s->name, k->name, r->tmpl);
			free(m.pending);
		}
}

void sec_fill(struct sec_set *set, bool rotate)
{
	add_sources(set);
	/* Rotation starts from scratch for every value we can make again. */
	for (size_t i = 0; rotate && i < set->n; i++)
		for (size_t j = 0; j < set->v[i].nkeys; j++) {
			struct sec_key *k = &set->v[i].keys[j];
			if (k->origin == ORIG_EXISTING &&
			    sec_rule_for(set->v[i].name, k->name, set->v[i].type)->how != HOW_SUPPLIED) {
				cr_buf_wipe(&k->value);
				k->origin = ORIG_NONE;
			}
		}
	learn_sources(set);
	for (size_t i = 0; i < set->n; i++)
		for (size_t j = 0; j < set->v[i].nkeys; j++)
			fill_key(set, &set->v[i], &set->v[i].keys[j], 0);
}
