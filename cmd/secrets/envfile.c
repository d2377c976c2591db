/*
 * --from-env-file: KEY=VALUE lines that override generated values. KEY is
 * SECRET/KEY, a key name, or the name of an environment variable the
 * manifests fill from a secretKeyRef (DATABASE_URL), so a docker-compose
 * .env file works as it is. Errors name file:line and never echo a value.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crucible/exit.h"
#include "crucible/log.h"
#include "crucible/manifests.h"
#include "crucible/run.h"
#include "secrets.h"

/* Errors are collected, so the caller can wipe the file's bytes before dying. */
struct where {
	const char *file;
	int line;
	struct cr_buf err;
};

__attribute__((format(printf, 2, 3)))
static int bad(struct where *w, const char *fmt, ...)
{
	va_list ap;
	cr_buf_addf(&w->err, "%s:%d: ", w->file, w->line);
	va_start(ap, fmt);
	cr_buf_vaddf(&w->err, fmt, ap);
	va_end(ap);
	return -1;
}

static bool key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.' || c == '/';
}

/* Unquotes value in place ("..." with \\ \" \n escapes, or '...'); -1 when malformed. */
static int unquote(char *v, size_t *len)
{
	char q = v[0];
	if (q != '"' && q != '\'')
		return 0;
	size_t n = *len, o = 0, i;
	for (i = 1; i < n && v[i] != q; i++) {
		if (q == '"' && v[i] == '\\' && i + 1 < n) {
			i++;
			v[o++] = v[i] == 'n' ? '\n' : v[i];
		} else {
			v[o++] = v[i];
		}
	}
	if (i >= n)
		return -1; /* no closing quote */
	for (i++; i < n; i++)
		if (v[i] != ' ' && v[i] != '\t')
			return -1; /* text after the closing quote */
	*len = o;
	return 0;
}

static void supply(struct sec_key *k, const char *v, size_t len)
{
	cr_buf_wipe(&k->value);
	cr_buf_add(&k->value, v, len);
	k->origin = ORIG_SUPPLIED;
}

/* Every key of the set named key; 0, 1 or more. */
static size_t keys_named(struct sec_set *set, const char *key, struct sec_key **one, struct cr_buf *names)
{
	size_t n = 0;
	for (size_t i = 0; i < set->n; i++) {
		struct sec_key *k = sec_find_key(&set->v[i], key);
		if (!k)
			continue;
		*one = k;
		cr_buf_addf(names, "%s%s/%s", n ? ", " : "", set->v[i].name, key);
		n++;
	}
	return n;
}

static struct sec_key *by_path(struct sec_set *set, const char *path)
{
	const char *slash = strchr(path, '/');
	char *name = strndup(path, (size_t)(slash - path));
	struct sec_secret *s = sec_find(set, name);
	free(name);
	/* A key the manifests do not name (an envFrom Secret's) is the user's to add. */
	return s && slash[1] ? sec_add_key(s, slash + 1) : NULL;
}

static struct sec_key *by_env(struct sec_set *set, struct where *w, const char *key)
{
	jv paths = jv_object_get(jv_copy(set->env), jv_string(key));
	struct sec_key *k = NULL;
	if (jv_get_kind(paths) == JV_KIND_ARRAY) {
		int n = jv_array_length(jv_copy(paths));
		if (n > 1) {
			jv all = jv_dump_string(paths, 0);
			bad(w, "%s fills %d keys %s: write SECRET/KEY=VALUE for each", key, n, jv_string_value(all));
			jv_free(all);
			return NULL;
		}
		jv p = jv_array_get(jv_copy(paths), 0);
		k = by_path(set, jv_string_value(p));
		jv_free(p);
	}
	jv_free(paths);
	return k;
}

/* Finds the key a line names; NULL with w->err set when it is ambiguous. */
static struct sec_key *resolve(struct sec_set *set, struct where *w, const char *key)
{
	if (strchr(key, '/'))
		return by_path(set, key);
	struct sec_key *one = NULL;
	struct cr_buf names = CR_BUF_INIT;
	size_t n = keys_named(set, key, &one, &names);
	if (n > 1)
		bad(w, "%s is a key of several Secrets (%s): write SECRET/KEY=VALUE", key, names.data);
	cr_buf_free(&names);
	return n == 1 ? one : n ? NULL : by_env(set, w, key);
}

static int parse_line(struct sec_set *set, struct where *w, char *line, size_t len)
{
	if (len && line[len - 1] == '\r')
		line[--len] = '\0';
	size_t i = 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == len || line[i] == '#')
		return 0;
	if (!strncmp(line + i, "export ", 7))
		i += 7;
	char *key = line + i, *eq = memchr(key, '=', len - i);
	if (!eq || eq == key)
		return bad(w, "malformed line: expected KEY=VALUE");
	char *kend = eq;
	while (kend > key && (kend[-1] == ' ' || kend[-1] == '\t'))
		kend--;
	for (char *p = key; p < kend; p++)
		if (!key_char(*p))
			return bad(w, "malformed line: KEY may hold only letters, digits and _ - . /");
	*kend = '\0';
	char *value = eq + 1;
	size_t vlen = len - (size_t)(value - line);
	if (unquote(value, &vlen) < 0)
		return bad(w, "malformed line: unbalanced quotes in the value");
	if (!vlen) {
		cr_warn("%s:%d: %s has an empty value; ignored", w->file, w->line, key);
		return 0;
	}
	struct sec_key *k = resolve(set, w, key);
	if (w->err.len)
		return -1;
	if (!k)
		cr_warn("%s:%d: %s names no Secret key the manifests reference; ignored", w->file, w->line, key);
	else
		supply(k, value, vlen);
	return 0;
}

int sec_envfile_parse(struct sec_set *set, const char *label, char *data, size_t len, struct cr_buf *err)
{
	struct where w = { label, 0, CR_BUF_INIT };
	char *p = data, *end = data + len;
	int rc = 0;
	while (!rc && p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		p[n] = '\0'; /* the buffer always has room for its NUL */
		w.line++;
		rc = parse_line(set, &w, p, n);
		p += n + 1;
	}
	if (rc)
		cr_buf_add(err, cr_buf_str(&w.err), w.err.len);
	cr_buf_free(&w.err);
	return rc ? -1 : 0;
}

void sec_envfile_apply(struct sec_set *set, const char *path)
{
	struct cr_buf data = CR_BUF_INIT, err = CR_BUF_INIT;
	const char *label = strcmp(path, "-") ? path : "standard input";
	if (cr_read_file(path, &data) < 0) { /* wipes its read buffer; stops on Ctrl-C */
		int e = errno;
		cr_buf_wipe(&data);
		cr_die(cr_interrupted() ? CR_EXIT_INTERRUPTED : CR_EXIT_INPUT, "%s: %s", label, strerror(e));
	}
	int rc = sec_envfile_parse(set, label, data.data, data.len, &err);
	cr_buf_wipe(&data);
	if (rc) {
		cr_error("%s", err.data);
		cr_buf_free(&err);
		sec_set_free(set);
		exit(CR_EXIT_INPUT);
	}
}
