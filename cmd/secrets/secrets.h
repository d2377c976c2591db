/*
 * kubectl crucible secrets: the declarations its four subcommands share.
 *
 * Secret values live only in struct cr_buf (wiped on free), never in a jv:
 * libjq frees strings without clearing them, so jq sees names, never values.
 */
#ifndef CRUCIBLE_SECRETS_H
#define CRUCIBLE_SECRETS_H

#include <jv.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "crucible/buf.h"

/* ---- options (main.c) ---------------------------------------------------- */

struct sec_opts {
	char *output;   /* -o: yaml|json (generate), table|json (list) */
	char *env_file; /* --from-env-file FILE|- */
	char *out_file; /* --out FILE */
	int show;       /* --show: print values to a terminal anyway */
	int rotate;     /* --rotate */
};
extern struct sec_opts sec_opts;

enum {
	SEC_OPT_OUTPUT = 1, SEC_OPT_ENV_FILE = 2, SEC_OPT_OUT = 4, SEC_OPT_SHOW = 8,
	SEC_OPT_ROTATE = 16, SEC_OPT_SOURCE = 32
};
/* Dies with a usage error when an option outside allowed was given to cmd. */
void sec_allow(const char *cmd, unsigned allowed);

/* ---- how values are made (rules.c) ------------------------------------- */

enum sec_how {
	HOW_PASSWORD,  /* random, SEC_PASSWORD_LEN chars of SEC_PASSWORD_ALPHABET */
	HOW_HEX,       /* random, SEC_HEX_LEN lowercase hex digits */
	HOW_TEMPLATE,  /* composed from other values (see struct sec_rule.tmpl) */
	HOW_SUPPLIED   /* cannot be made up: must come from --from-env-file */
};

#define SEC_PASSWORD_LEN 32
#define SEC_PASSWORD_ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
#define SEC_HEX_LEN 64

struct sec_rule {
	const char *secret; /* NULL: any Secret */
	const char *key;    /* key name; "*" matches any */
	enum sec_how how;
	const char *tmpl;   /* HOW_TEMPLATE: text with {key}, {secret/key}, {$VAR:default} */
};

/* The rule for a Secret's key: the most specific entry of the table. */
const struct sec_rule *sec_rule_for(const char *secret, const char *key, const char *type);
/* Appends the table, as --help prints it. */
void sec_rules_help(struct cr_buf *out);

/* ---- the Secrets and their values (set.c) ------------------------------ */

enum sec_origin {
	ORIG_NONE,      /* no value yet */
	ORIG_SUPPLIED,  /* from --from-env-file */
	ORIG_EXISTING,  /* read back from the cluster */
	ORIG_KEPT,      /* in the cluster, left alone and never read */
	ORIG_GENERATED, /* random */
	ORIG_DERIVED    /* composed by a template */
};

struct sec_key {
	char *name;
	struct cr_buf value; /* secret material: wiped when freed */
	enum sec_origin origin;
	bool referenced;     /* the manifests use it (else it only exists in the cluster) */
	bool in_cluster;
};

struct sec_secret {
	char *name, *type;
	struct sec_key *keys;
	size_t nkeys, cap;
	bool in_cluster;
	bool changed;        /* apply: needs to be sent */
	jv refs;             /* ["Deployment/api-service", ...] */
};

struct sec_set {
	struct sec_secret *v;
	size_t n, cap;
	jv env;  /* {"DATABASE_URL": "db-credentials/database-url"}: env var names of secretKeyRefs */
	jv vars; /* {"POSTGRES_USER": "crucible"}: plain settings found in the manifests */
	jv namespace; /* the manifests' Namespace object for the target namespace; invalid: none */
};
#define SEC_SET_INIT { .v = NULL }

/* Loads the manifests (source flags) and fills set with the Secrets they reference. Dies on error. */
void sec_set_from_manifests(struct sec_set *set);
struct sec_secret *sec_find(struct sec_set *set, const char *name);
struct sec_key *sec_find_key(struct sec_secret *s, const char *name);
struct sec_secret *sec_add_secret(struct sec_set *set, const char *name, const char *type);
struct sec_key *sec_add_key(struct sec_secret *s, const char *name);
void sec_set_free(struct sec_set *set);

/* template.c: gives every key without a value one (generated, then derived); regenerates all when rotate. */
void sec_fill(struct sec_set *set, bool rotate);
/* Warns about each key left without a value (only the user can give it); returns how many. */
int sec_report_unmade(const struct sec_set *set);
/* Appends the Secrets that have values as manifests (data base64-encoded). */
void sec_emit_yaml(const struct sec_set *set, bool only_changed, struct cr_buf *out);
void sec_emit_json(const struct sec_set *set, bool only_changed, struct cr_buf *out);
/* Copies msg into out with every value of set (and its base64 form) masked. */
void sec_redact(const struct sec_set *set, const char *msg, struct cr_buf *out);

/* ---- env files (envfile.c) --------------------------------------------- */

/* Reads KEY=VALUE lines from path ("-": stdin) into set. Dies (exit 3) naming file:line. */
void sec_envfile_apply(struct sec_set *set, const char *path);
/*
 * The same over data (len bytes, data[len] writable; lines are cut in
 * place): 0, or -1 with one "label:line: problem" line appended to err.
 */
int sec_envfile_parse(struct sec_set *set, const char *label, char *data, size_t len, struct cr_buf *err);

/* ---- randomness and URL escaping (random.c) ------------------------------- */

/* Appends n characters drawn uniformly from alphabet using getrandom(2). */
void sec_random(struct cr_buf *out, const char *alphabet, size_t n);
/* Appends s percent-encoded for a URL's user or password part. */
void sec_url_escape(struct cr_buf *out, const char *s, size_t len);

/* ---- the cluster (cluster.c) ------------------------------------------- */

/* Marks which Secrets and keys exist in the namespace (names only). Dies on kubectl errors. */
void sec_cluster_mark(struct sec_set *set);
/*
 * Reads the current values of the named Secrets' keys into set (origin
 * existing); a value from --from-env-file stays when keep_supplied.
 */
void sec_cluster_values(struct sec_set *set, const struct cr_strv *names, bool keep_supplied);
/* Lists the namespace's Secrets: [{name,type,keys,created}], no values. */
jv sec_cluster_secrets(void);
/* The workloads in the namespace, as a jv array of objects. */
jv sec_cluster_workloads(void);

/* ---- subcommands ------------------------------------------------------- */

/*
 * secrets check over one file's documents and their origins (both consumed,
 * as cr_manifests_walk gives them): prints "file:line: Kind/name key:
 * reason" to out for each plain-text secret; returns how many.
 */
int sec_check_docs(jv docs, jv origins, FILE *out);

int sec_generate(int argc, const char **argv);
int sec_apply(int argc, const char **argv);
int sec_check(int argc, const char **argv);
int sec_list(int argc, const char **argv);

#endif
