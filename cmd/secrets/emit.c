/*
 * Secret manifests written by hand into wiped buffers: a YAML or JSON
 * library would keep copies of the values in memory we cannot clear.
 * Values go base64-encoded in data, so no value needs quoting rules.
 */
#include <string.h>

#include "crucible/base64.h"
#include "crucible/manager.h"
#include "crucible/opts.h"
#include "secrets.h"

static bool sendable(const struct sec_key *k)
{
	return k->origin != ORIG_NONE && k->origin != ORIG_KEPT;
}

static bool has_values(const struct sec_secret *s)
{
	for (size_t i = 0; i < s->nkeys; i++)
		if (sendable(&s->keys[i]))
			return true;
	return false;
}

static bool wanted(const struct sec_secret *s, bool only_changed)
{
	return has_values(s) && (!only_changed || s->changed);
}

/* Names are DNS labels and key names [-._a-zA-Z0-9]: safe in double quotes. */
static void emit_yaml_one(const struct sec_secret *s, struct cr_buf *out)
{
	cr_buf_addf(out, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: \"%s\"\n  namespace: \"%s\"\n"
		    "  labels:\n    app.kubernetes.io/part-of: crucible\n"
		    "    " CR_LABEL_MANAGED_BY ": " CR_LABEL_MANAGED_BY_VALUE "\n"
		    "type: \"%s\"\ndata:\n", s->name, cr_opts.namespace, s->type);
	for (size_t i = 0; i < s->nkeys; i++) {
		const struct sec_key *k = &s->keys[i];
		if (!sendable(k))
			continue;
		cr_buf_addf(out, "  \"%s\": \"", k->name);
		cr_base64(out, k->value.data, k->value.len);
		cr_buf_adds(out, "\"\n");
	}
}

void sec_emit_yaml(const struct sec_set *set, bool only_changed, struct cr_buf *out)
{
	bool first = true;
	for (size_t i = 0; i < set->n; i++) {
		if (!wanted(&set->v[i], only_changed))
			continue;
		if (!first)
			cr_buf_adds(out, "---\n");
		first = false;
		emit_yaml_one(&set->v[i], out);
	}
}

static void emit_json_one(const struct sec_secret *s, struct cr_buf *out)
{
	cr_buf_addf(out, "    {\n      \"apiVersion\": \"v1\",\n      \"kind\": \"Secret\",\n"
		    "      \"metadata\": {\n        \"name\": \"%s\",\n        \"namespace\": \"%s\",\n"
		    "        \"labels\": {\n          \"app.kubernetes.io/part-of\": \"crucible\",\n"
		    "          \"" CR_LABEL_MANAGED_BY "\": \"" CR_LABEL_MANAGED_BY_VALUE "\"\n        }\n      },\n"
		    "      \"type\": \"%s\",\n      \"data\": {", s->name, cr_opts.namespace, s->type);
	bool first = true;
	for (size_t i = 0; i < s->nkeys; i++) {
		const struct sec_key *k = &s->keys[i];
		if (!sendable(k))
			continue;
		cr_buf_addf(out, "%s\n        \"%s\": \"", first ? "" : ",", k->name);
		cr_base64(out, k->value.data, k->value.len);
		cr_buf_adds(out, "\"");
		first = false;
	}
	cr_buf_adds(out, "\n      }\n    }");
}

void sec_emit_json(const struct sec_set *set, bool only_changed, struct cr_buf *out)
{
	cr_buf_adds(out, "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [");
	bool first = true;
	for (size_t i = 0; i < set->n; i++) {
		if (!wanted(&set->v[i], only_changed))
			continue;
		cr_buf_adds(out, first ? "\n" : ",\n");
		first = false;
		emit_json_one(&set->v[i], out);
	}
	cr_buf_adds(out, first ? "]\n}\n" : "\n  ]\n}\n");
}

/* Masks every occurrence of needle (when long enough to mean anything) in b. */
static void mask(struct cr_buf *b, const char *needle, size_t n)
{
	if (n < 6 || !b->data)
		return;
	for (char *p = b->data; (p = memmem(p, b->len - (size_t)(p - b->data), needle, n));) {
		memset(p, '*', n);
		p += n;
	}
}

void sec_redact(const struct sec_set *set, const char *msg, struct cr_buf *out)
{
	cr_buf_adds(out, msg);
	for (size_t i = 0; i < set->n; i++)
		for (size_t j = 0; j < set->v[i].nkeys; j++) {
			const struct sec_key *k = &set->v[i].keys[j];
			if (!sendable(k))
				continue;
			struct cr_buf b64 = CR_BUF_INIT;
			cr_base64(&b64, k->value.data, k->value.len);
			mask(out, k->value.data, k->value.len);
			mask(out, b64.data, b64.len);
			cr_buf_wipe(&b64);
		}
}
