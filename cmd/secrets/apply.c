/*
 * secrets apply: create what the namespace lacks, leave the rest alone.
 * One kubectl call lists names and key names; values are read back only
 * for Secrets that must be sent again (a key is missing, or --rotate), so
 * server-side apply keeps every key it already managed.
 */
#include <string.h>

#include "crucible/exit.h"
#include "crucible/kretry.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/manager.h"
#include "crucible/yaml.h"
#include "crucible/opts.h"
#include "secrets.h"

static bool missing_keys(const struct sec_secret *s)
{
	for (size_t i = 0; i < s->nkeys; i++)
		if (s->keys[i].referenced && !s->keys[i].in_cluster)
			return true;
	return false;
}

/* Marks what must be sent; names the existing Secrets whose values we need. */
static void plan(struct sec_set *set, bool rotate, struct cr_strv *fetch)
{
	for (size_t i = 0; i < set->n; i++) {
		struct sec_secret *s = &set->v[i];
		if (!s->in_cluster) {
			s->changed = true;
		} else if (rotate || missing_keys(s)) {
			s->changed = true;
			cr_strv_push(fetch, s->name);
		} else {
			/* Untouched: forget any supplied value, so nothing about it is sent. */
			for (size_t j = 0; j < s->nkeys; j++)
				if (s->keys[j].origin == ORIG_SUPPLIED) {
					cr_warn("secret %s: key %s exists; the value given for it is ignored (use --rotate)",
						s->name, s->keys[j].name);
					cr_buf_wipe(&s->keys[j].value);
					s->keys[j].origin = ORIG_NONE;
				}
		}
	}
}

/* Keys of untouched Secrets are kept as they are, unread: fill must not make them. */
static void keep_untouched(struct sec_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		for (size_t j = 0; !set->v[i].changed && j < set->v[i].nkeys; j++)
			if (set->v[i].keys[j].in_cluster)
				set->v[i].keys[j].origin = ORIG_KEPT;
}

/* The API server's answer when the namespace does not exist. */
static bool namespace_missing(const struct cr_child *c)
{
	struct cr_buf want = CR_BUF_INIT;
	cr_buf_addf(&want, "namespaces \"%s\" not found", cr_opts.namespace);
	bool missing = strstr(cr_buf_str(&c->err), want.data) != NULL;
	cr_buf_free(&want);
	return missing;
}

/* kubectl apply --server-side of the Secrets (manifests on stdin). */
static enum cr_run_result apply(struct cr_child *c, const struct cr_buf *manifests, bool rotate)
{
	cr_child_clear(c);
	cr_kubectl_args(c, true);
	cr_strv_pushl(&c->args, "apply", "--server-side", "--field-manager=" CR_FIELD_MANAGER_SECRETS, NULL);
	if (rotate)
		cr_strv_push(&c->args, "--force-conflicts"); /* take over keys another manager set */
	cr_strv_pushl(&c->args, "-f", "-", NULL);
	c->in = manifests->data;
	c->in_len = manifests->len;
	return cr_kubectl_run_retry(c, NULL);
}

/*
 * Creates the namespace as deploy would apply it (the manifests' Namespace,
 * or a bare one, with deploy's label and field manager), so that deploy
 * later finds it its own and unchanged.
 */
static enum cr_run_result create_namespace(const struct sec_set *set, struct cr_child *c)
{
	jv ns = jv_is_valid(set->namespace) ? jv_copy(set->namespace)
		: JV_OBJECT(jv_string("apiVersion"), jv_string("v1"), jv_string("kind"), jv_string("Namespace"),
			    jv_string("metadata"), JV_OBJECT(jv_string("name"), jv_string(cr_opts.namespace)));
	jv path = JV_ARRAY(jv_string("metadata"), jv_string("labels"), jv_string(CR_LABEL_MANAGED_BY));
	ns = jv_setpath(ns, path, jv_string(CR_LABEL_MANAGED_BY_VALUE));
	struct cr_buf doc = CR_BUF_INIT;
	cr_yaml_emit(ns, &doc);
	cr_child_clear(c);
	cr_kubectl_args(c, false);
	cr_strv_pushl(&c->args, "apply", "--server-side", "--field-manager=" CR_FIELD_MANAGER, "-f", "-", NULL);
	c->in = doc.data;
	c->in_len = doc.len;
	enum cr_run_result r = cr_kubectl_run_retry(c, NULL);
	c->in = NULL;
	cr_buf_free(&doc);
	return r;
}

/*
 * Applies the Secrets. When the namespace does not exist yet (a fresh
 * cluster, before deploy's first run), creates it and sends them again; an
 * existing namespace is never touched (creating it may need rights the user
 * lacks, and it is deploy's).
 */
static int send(struct sec_set *set, bool rotate, bool *ns_created)
{
	struct cr_buf manifests = CR_BUF_INIT;
	sec_emit_yaml(set, true, &manifests);
	if (!manifests.len) {
		cr_buf_wipe(&manifests);
		return CR_EXIT_OK;
	}
	struct cr_child c = CR_CHILD_INIT;
	enum cr_run_result r = apply(&c, &manifests, rotate);
	if (r == CR_RUN_EXIT && namespace_missing(&c)) {
		cr_debug("namespace %s does not exist: creating it", cr_opts.namespace);
		r = create_namespace(set, &c);
		if (r == CR_RUN_OK) {
			*ns_created = true;
			r = apply(&c, &manifests, rotate);
		}
	}
	int rc = CR_EXIT_OK;
	if (r != CR_RUN_OK) {
		/* kubectl may quote what it was given: mask every value before printing. */
		struct cr_buf msg = CR_BUF_INIT;
		sec_redact(set, cr_kubectl_failure(&c, r), &msg);
		cr_error("kubectl apply: %s", msg.data);
		cr_buf_wipe(&msg);
		rc = cr_kubectl_exit_code(r);
	}
	c.in = NULL;
	cr_child_clear(&c);
	cr_buf_wipe(&manifests);
	return rc;
}

static void key_list(struct cr_buf *b, const struct sec_secret *s, bool (*want)(const struct sec_key *))
{
	bool first = true;
	for (size_t i = 0; i < s->nkeys; i++) {
		if (!want(&s->keys[i]))
			continue;
		cr_buf_addf(b, "%s%s", first ? "" : ", ", s->keys[i].name);
		first = false;
	}
}

static bool has_value(const struct sec_key *k)
{
	return k->origin != ORIG_NONE && k->origin != ORIG_KEPT;
}

static bool is_new(const struct sec_key *k)
{
	return k->origin != ORIG_NONE && !k->in_cluster;
}

static bool is_renewed(const struct sec_key *k)
{
	return k->in_cluster && (k->origin == ORIG_GENERATED || k->origin == ORIG_DERIVED || k->origin == ORIG_SUPPLIED);
}

/* Names and key names only. */
static void report(const struct sec_set *set, bool rotate)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct sec_secret *s = &set->v[i];
		struct cr_buf b = CR_BUF_INIT;
		if (!s->changed) {
			printf("secret/%s unchanged\n", s->name);
		} else if (!s->in_cluster) {
			key_list(&b, s, has_value);
			if (b.len)
				printf("secret/%s created (%s)\n", s->name, b.data);
			else
				printf("secret/%s not created: none of its keys is known\n", s->name);
		} else {
			key_list(&b, s, rotate ? is_renewed : is_new);
			printf("secret/%s %s (%s)\n", s->name, rotate ? "rotated" : "keys added", cr_buf_str(&b));
		}
		cr_buf_free(&b);
	}
}

int sec_apply(int argc, const char **argv)
{
	(void)argv;
	sec_allow("apply", SEC_OPT_ENV_FILE | SEC_OPT_ROTATE | SEC_OPT_SOURCE);
	if (argc)
		cr_usage_error("apply takes no arguments");
	bool rotate = sec_opts.rotate > 0;
	struct sec_set set = SEC_SET_INIT;
	sec_set_from_manifests(&set);
	if (sec_opts.env_file)
		sec_envfile_apply(&set, sec_opts.env_file);
	sec_cluster_mark(&set);

	struct cr_strv fetch = CR_STRV_INIT;
	plan(&set, rotate, &fetch);
	sec_cluster_values(&set, &fetch, rotate);
	cr_strv_free(&fetch);
	keep_untouched(&set);
	sec_fill(&set, rotate);
	int unmade = sec_report_unmade(&set);

	bool ns_created = false;
	int rc = send(&set, rotate, &ns_created);
	if (ns_created) /* even when the Secrets then failed: the namespace is there now */
		printf("namespace/%s created\n", cr_opts.namespace);
	if (rc == CR_EXIT_OK) {
		report(&set, rotate);
		if (rotate)
			cr_warn("postgres and redis keep their old passwords until they are changed there too "
				"(ALTER ROLE, CONFIG SET requirepass) and the pods that read them restart");
	}
	sec_set_free(&set);
	if (rc == CR_EXIT_OK && unmade)
		rc = CR_EXIT_FAILED;
	return rc;
}
