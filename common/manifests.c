/* Manifest sources (-f, -k, --overlay, the project's default) → one JSON array of objects. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crucible/exit.h"
#include "crucible/kubectl.h"
#include "crucible/manifests.h"
#include "crucible/yaml.h"

#ifndef CRUCIBLE_DATADIR
#define CRUCIBLE_DATADIR "/usr/local/share/kubectl-crucible"
#endif

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool has_base(const char *dir)
{
	struct cr_buf path = CR_BUF_INIT;
	cr_buf_addf(&path, "%s/base", dir);
	bool yes = is_dir(path.data);
	cr_buf_free(&path);
	return yes;
}

const char *cr_manifests_home(void)
{
	static char found[PATH_MAX];
	const char *env = getenv("CRUCIBLE_MANIFESTS");
	if (env && *env)
		return env;
	if (has_base("k8s"))
		return "k8s";
	/* krew unpacks k8s/ next to the binaries; make install puts it under share/. */
	char exe[PATH_MAX - 64]; /* room for the suffixes below */
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(found, sizeof(found), "%s/k8s", exe);
			if (has_base(found))
				return found;
			snprintf(found, sizeof(found), "%s/../share/kubectl-crucible/k8s", exe);
			if (has_base(found))
				return found;
		}
	}
	if (has_base(CRUCIBLE_DATADIR "/k8s"))
		return CRUCIBLE_DATADIR "/k8s";
	return NULL;
}

int cr_read_file(const char *path, struct cr_buf *out)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (fd < 0)
		return -1;
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		/* Ctrl-C while reading a terminal or a stalled pipe (see run.h). */
		if (n < 0 && errno == EINTR && !cr_interrupted())
			continue;
		if (n < 0) {
			int e = errno;
			if (fd != STDIN_FILENO)
				close(fd);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		cr_buf_add(out, chunk, (size_t)n);
		explicit_bzero(chunk, (size_t)n); /* manifests may carry Secret values */
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (!out->data)
		cr_buf_add(out, "", 0);
	return 0;
}

static jv fail(int *exit_code, int code, jv msg)
{
	*exit_code = code;
	return jv_invalid_with_msg(msg);
}

/* Rebase the position map of a List item: "/items/3/spec" → "/spec". */
static jv item_lines(jv lines, int index)
{
	char prefix[64];
	int plen = snprintf(prefix, sizeof(prefix), "/items/%d", index);
	jv out = jv_object();
	jv_object_foreach(lines, key, line) {
		const char *k = jv_string_value(key);
		if (!strncmp(k, prefix, (size_t)plen) && (k[plen] == '\0' || k[plen] == '/'))
			out = jv_object_set(out, jv_string(k + plen), line);
		else
			jv_free(line);
		jv_free(key);
	}
	jv_free(lines);
	return out;
}

static jv origin(const char *name, jv lines)
{
	jv first = jv_object_get(jv_copy(lines), jv_string(""));
	if (!jv_is_valid(first))
		first = jv_number(1);
	return JV_OBJECT(jv_string("file"), jv_string(name), jv_string("line"), first,
			 jv_string("lines"), lines);
}

/* Parses one stream into its documents and their origins; invalid with the message on error. */
static jv parse_docs(const char *data, size_t len, const char *name, jv *origins)
{
	jv lines = jv_invalid(); /* always wanted: errors name the line */
	jv docs = cr_yaml_parse(data, len, name, &lines);
	*origins = jv_array();
	if (!jv_is_valid(docs)) {
		jv_free(lines);
		return docs;
	}
	jv_array_foreach(lines, i, l)
		*origins = jv_array_append(*origins, origin(name, l));
	jv_free(lines);
	return docs;
}

/* NULL when o is a Kubernetes object kubectl can send (apiVersion, kind, metadata.name), else what is missing. */
static const char *not_an_object(jv o)
{
	if (jv_get_kind(o) != JV_KIND_OBJECT)
		return "document is not a Kubernetes object (no kind)";
	jv kind = jv_object_get(jv_copy(o), jv_string("kind"));
	jv api = jv_object_get(jv_copy(o), jv_string("apiVersion"));
	jv name = jv_getpath(jv_copy(o), JV_ARRAY(jv_string("metadata"), jv_string("name")));
	jv gen = jv_getpath(jv_copy(o), JV_ARRAY(jv_string("metadata"), jv_string("generateName")));
	const char *why = jv_get_kind(kind) != JV_KIND_STRING ? "document is not a Kubernetes object (no kind)" :
			  jv_get_kind(api) != JV_KIND_STRING ? "object has no apiVersion" :
			  !strcmp(jv_string_value(kind), "List") ? NULL :
			  (jv_get_kind(name) == JV_KIND_STRING && *jv_string_value(name)) ||
			  (jv_get_kind(gen) == JV_KIND_STRING && *jv_string_value(gen)) ? NULL :
			  "object has no metadata.name";
	jv_free(kind);
	jv_free(api);
	jv_free(name);
	jv_free(gen);
	return why;
}

static bool is_list(jv o)
{
	jv kind = jv_object_get(jv_copy(o), jv_string("kind"));
	bool yes = !strcmp(jv_string_value(kind), "List");
	jv_free(kind);
	return yes;
}

/*
 * Appends one document or List item (consumed, with its origin o) as an
 * object; a List's items in its place, Lists inside Lists too. Errors
 * name the file and the line of the document or item.
 */
static int add_object(jv doc, jv o, int depth, jv *objects, jv *origins, jv *err)
{
	jv file = jv_object_get(jv_copy(o), jv_string("file"));
	jv line = jv_object_get(jv_copy(o), jv_string("line"));
	const char *why = not_an_object(doc);
	int rc = 0;
	if (!why && is_list(doc)) {
		jv items = jv_object_get(jv_copy(doc), jv_string("items"));
		if (jv_get_kind(items) != JV_KIND_ARRAY)
			why = "List has no items array";
		else if (depth >= 8)
			why = "Lists nested too deeply";
		jv lines = jv_object_get(jv_copy(o), jv_string("lines"));
		if (!why) {
			jv_array_foreach(items, j, item) {
				if (!rc)
					rc = add_object(item, origin(jv_string_value(file), item_lines(jv_copy(lines), j)),
							depth + 1, objects, origins, err);
				else
					jv_free(item);
			}
		}
		jv_free(lines);
		jv_free(items);
		jv_free(doc);
		jv_free(o);
	} else if (!why) {
		*objects = jv_array_append(*objects, doc);
		*origins = jv_array_append(*origins, o);
	} else {
		jv_free(doc);
		jv_free(o);
	}
	if (why) {
		*err = jv_string_fmt("%s:%d: %s", jv_string_value(file), (int)jv_number_value(line), why);
		rc = -1;
	}
	jv_free(file);
	jv_free(line);
	return rc;
}

/* Appends documents (consumed) as objects, List items flattened; each must be an object kubectl can send. */
static int add_objects(jv docs, jv doc_origins, jv *objects, jv *origins, jv *err)
{
	int rc = 0;
	jv_array_foreach(docs, i, doc) {
		jv o = jv_array_get(jv_copy(doc_origins), i);
		if (!rc)
			rc = add_object(doc, o, 0, objects, origins, err);
		else
			jv_free(doc), jv_free(o);
	}
	jv_free(docs);
	jv_free(doc_origins);
	return rc;
}

static bool manifest_name(const char *name)
{
	const char *dot = strrchr(name, '.');
	return name[0] != '.' && dot && (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml") || !strcmp(dot, ".json"));
}

static int not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int walk_file(const char *path, cr_manifest_file_fn fn, void *ctx)
{
	struct cr_buf data = CR_BUF_INIT;
	if (cr_read_file(path, &data) < 0) {
		jv err = jv_invalid_with_msg(jv_string_fmt("%s: %s", strcmp(path, "-") ? path : "standard input",
							   strerror(errno)));
		cr_buf_free(&data);
		return fn(path, err, jv_array(), ctx);
	}
	jv origins;
	jv docs = parse_docs(data.data, data.len, path, &origins);
	cr_buf_wipe(&data); /* manifests may carry Secret values */
	return fn(path, docs, origins, ctx);
}

static int walk(const char *path, bool top, bool recursive, cr_manifest_file_fn fn, void *ctx)
{
	struct stat st;
	/* Named paths are followed; inside a tree a symlinked directory is not (no loops). */
	bool dir = strcmp(path, "-") && (top ? stat(path, &st) : lstat(path, &st)) == 0 && S_ISDIR(st.st_mode);
	if (!dir && !top && manifest_name(strrchr(path, '/') ? strrchr(path, '/') + 1 : path) &&
	    stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		/* A FIFO or device found in a tree would block or never end: only a named one is read. */
		return fn(path, jv_invalid_with_msg(jv_string_fmt("%s: not a regular file", path)), jv_array(), ctx);
	if (!dir)
		return top || manifest_name(strrchr(path, '/') ? strrchr(path, '/') + 1 : path) ?
			walk_file(path, fn, ctx) : 0;
	if (!top && !recursive)
		return 0;
	struct dirent **names;
	int n = scandir(path, &names, not_hidden, alphasort);
	if (n < 0)
		return fn(path, jv_invalid_with_msg(jv_string_fmt("%s: %s", path, strerror(errno))), jv_array(), ctx);
	int rc = 0;
	for (int i = 0; i < n; i++) {
		if (!rc) {
			struct cr_buf child = CR_BUF_INIT;
			cr_buf_addf(&child, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", names[i]->d_name);
			rc = walk(child.data, false, recursive, fn, ctx);
			cr_buf_free(&child);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int cr_manifests_walk(const char *path, bool recursive, cr_manifest_file_fn fn, void *ctx)
{
	return walk(path, true, recursive, fn, ctx);
}

struct collect {
	jv objects, origins, err;
};

/* -f: stop at the first file that cannot be read or parsed. */
static int collect_file(const char *file, jv docs, jv origins, void *ctx)
{
	struct collect *c = ctx;
	(void)file;
	if (!jv_is_valid(docs)) {
		c->err = jv_invalid_get_msg(docs);
		jv_free(origins);
		return -1;
	}
	return add_objects(docs, origins, &c->objects, &c->origins, &c->err);
}

static jv kustomize(const char *dir, jv *origins, int *exit_code)
{
	if (!is_dir(dir))
		return fail(exit_code, CR_EXIT_INPUT, jv_string_fmt("%s: not a kustomize directory", dir));
	struct cr_child c = CR_CHILD_INIT;
	cr_kubectl_args(&c, false);
	cr_strv_pushl(&c.args, "kustomize", dir, NULL);
	enum cr_run_result r = cr_kubectl_run(&c);
	if (r != CR_RUN_OK) {
		int code = r == CR_RUN_EXIT ? CR_EXIT_INPUT : cr_kubectl_exit_code(r);
		jv msg = jv_string_fmt("kubectl kustomize %s: %s", dir, cr_kubectl_failure(&c, r));
		cr_child_clear(&c);
		return fail(exit_code, code, msg);
	}
	jv objects = jv_array(), all = jv_array(), err = jv_invalid(), doc_origins;
	char name[PATH_MAX + 16];
	snprintf(name, sizeof(name), "kustomize %s", dir);
	jv docs = parse_docs(cr_buf_str(&c.out), c.out.len, name, &doc_origins);
	cr_child_clear(&c);
	if (!jv_is_valid(docs)) {
		jv_free(doc_origins);
		jv_free(objects);
		jv_free(all);
		return fail(exit_code, CR_EXIT_INPUT, jv_invalid_get_msg(docs));
	}
	if (add_objects(docs, doc_origins, &objects, &all, &err) < 0) {
		jv_free(objects);
		jv_free(all);
		return fail(exit_code, CR_EXIT_INPUT, err);
	}
	if (origins) {
		jv_free(*origins);
		*origins = all;
	} else {
		jv_free(all);
	}
	return objects;
}

jv cr_manifests_load(const struct cr_source_opts *src, jv *origins, int *exit_code)
{
	int given = !!src->file + !!src->kustomize + !!src->overlay;
	if (origins)
		*origins = jv_array();
	if (given > 1)
		return fail(exit_code, CR_EXIT_USAGE, jv_string("give only one of -f, -k and --overlay"));
	if (src->file) {
		struct collect c = { jv_array(), jv_array(), jv_invalid() };
		if (cr_manifests_walk(src->file, false, collect_file, &c) < 0) {
			jv_free(c.objects);
			jv_free(c.origins);
			return fail(exit_code, cr_interrupted() ? CR_EXIT_INTERRUPTED : CR_EXIT_INPUT, c.err);
		}
		if (origins) {
			jv_free(*origins);
			*origins = c.origins;
		} else {
			jv_free(c.origins);
		}
		return c.objects;
	}
	if (src->kustomize)
		return kustomize(src->kustomize, origins, exit_code);

	const char *home = cr_manifests_home();
	if (!home)
		return fail(exit_code, CR_EXIT_INPUT,
			    jv_string("no Crucible manifests found: set CRUCIBLE_MANIFESTS, or give -f or -k"));
	char dir[PATH_MAX];
	if (src->overlay) {
		if (strchr(src->overlay, '/') || src->overlay[0] == '.')
			return fail(exit_code, CR_EXIT_USAGE, jv_string_fmt("bad overlay name '%s'", src->overlay));
		snprintf(dir, sizeof(dir), "%s/overlays/%s", home, src->overlay);
		if (!is_dir(dir))
			return fail(exit_code, CR_EXIT_USAGE,
				    jv_string_fmt("no overlay '%s' in %s/overlays", src->overlay, home));
	} else {
		snprintf(dir, sizeof(dir), "%s/base", home);
	}
	return kustomize(dir, origins, exit_code);
}
