/*
 * How each Secret key gets its value: the one table of knowledge this tool
 * carries. Which Secrets and keys exist comes from the manifests; this only
 * says how to make a value for a key name. First match wins, so specific
 * entries come before the catch-all.
 *
 * Templates: {key} is another key of the same Secret (or, failing that, of
 * any Secret), {secret/key} names both, {$VAR:default} is a plain setting
 * found in the manifests (ConfigMap data or a literal env value), {*} is a
 * fresh random password. Substituted values are percent-encoded, as they
 * sit inside URLs or user:password pairs.
 */
#include <fnmatch.h>
#include <string.h>

#include "secrets.h"

static const struct sec_rule rules[] = {
	/* The URL carries exactly the password postgres is initialised with. */
	{ NULL, "database-url", HOW_TEMPLATE,
	  "postgresql://{$POSTGRES_USER:crucible}:{postgres-password}@postgres:5432/{$POSTGRES_DB:crucible}" },
	/* redis-main (Service "redis") is the event bus; redis-celery the task queue. */
	{ NULL, "redis-url", HOW_TEMPLATE, "redis://:{redis-password}@redis:6379/0" },
	{ NULL, "celery-broker-url", HOW_TEMPLATE, "redis://:{celery-redis-password}@redis-celery:6379/0" },
	/* Flower's --basic_auth takes user:password. */
	{ NULL, "basic-auth", HOW_TEMPLATE, "admin:{*}" },
	/* Credentials that cannot be made up. */
	{ NULL, ".dockerconfigjson", HOW_SUPPLIED, NULL },
	{ NULL, ".dockercfg", HOW_SUPPLIED, NULL },
	{ NULL, "tls.crt", HOW_SUPPLIED, NULL },
	{ NULL, "tls.key", HOW_SUPPLIED, NULL },
	{ NULL, "ca.crt", HOW_SUPPLIED, NULL },
	/* Signing keys want raw entropy, not something typed. */
	{ NULL, "*secret-key", HOW_HEX, NULL },
	{ NULL, "*-token", HOW_HEX, NULL },
	{ NULL, "*api-key", HOW_HEX, NULL },
	/* Everything else, passwords included. */
	{ NULL, "*", HOW_PASSWORD, NULL },
};

const struct sec_rule *sec_rule_for(const char *secret, const char *key, const char *type)
{
	size_t n = sizeof(rules) / sizeof(rules[0]);
	/* Typed Secrets hold certificates and registry logins: never invented. */
	if (type && (!strcmp(type, "kubernetes.io/dockerconfigjson") || !strcmp(type, "kubernetes.io/tls"))) {
		static const struct sec_rule supplied = { NULL, "*", HOW_SUPPLIED, NULL };
		return &supplied;
	}
	for (size_t i = 0; i < n; i++) {
		if (rules[i].secret && strcmp(rules[i].secret, secret))
			continue;
		if (!fnmatch(rules[i].key, key, 0))
			return &rules[i];
	}
	return &rules[n - 1];
}

void sec_rules_help(struct cr_buf *out)
{
	size_t n = sizeof(rules) / sizeof(rules[0]);
	for (size_t i = 0; i < n; i++) {
		const struct sec_rule *r = &rules[i];
		cr_buf_addf(out, "  %s%s%-18s ", r->secret ? r->secret : "", r->secret ? "/" : "", r->key);
		switch (r->how) {
		case HOW_PASSWORD:
			cr_buf_addf(out, "password: %d characters from A-Z a-z 0-9\n", SEC_PASSWORD_LEN);
			break;
		case HOW_HEX:
			cr_buf_addf(out, "key: %d characters from 0-9 a-f (%d bits)\n", SEC_HEX_LEN, SEC_HEX_LEN * 4);
			break;
		case HOW_TEMPLATE:
			cr_buf_addf(out, "%s\n", r->tmpl);
			break;
		case HOW_SUPPLIED:
			cr_buf_adds(out, "never generated: give it in --from-env-file\n");
			break;
		}
	}
}
