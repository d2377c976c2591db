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

/* Appends the documents of one YAML/JSON stream to objects (and origins). */
static int add_stream(const char *data, size_t len, const char *name, jv *objects, jv *origins, jv *err)
{
	jv lines = jv_invalid(); /* always wanted: errors name the line */
	jv docs = cr_yaml_parse(data, len, name, &lines);
	if (!jv_is_valid(docs)) {
		*err = jv_invalid_get_msg(docs);
		jv_free(lines);
		return -1;
	}
	int ndocs = jv_array_length(jv_copy(docs));
	for (int i = 0; i < ndocs; i++) {
		jv doc = jv_array_get(jv_copy(docs), i);
		jv doc_lines = jv_array_get(jv_copy(lines), i);
		jv kind = jv_get_kind(doc) == JV_KIND_OBJECT ? jv_object_get(jv_copy(doc), jv_string("kind")) : jv_invalid();
		if (jv_get_kind(kind) != JV_KIND_STRING) {
			jv_free(kind);
			int line = 1;
			jv l = jv_object_get(jv_copy(doc_lines), jv_string(""));
			if (jv_get_kind(l) == JV_KIND_NUMBER)
				line = (int)jv_number_value(l);
			jv_free(l);
			*err = jv_string_fmt("%s:%d: document is not a Kubernetes object (no kind)", name, line);
			jv_free(doc);
			jv_free(doc_lines);
			jv_free(docs);
			jv_free(lines);
			return -1;
		}
		bool is_list = !strcmp(jv_string_value(kind), "List");
		jv_free(kind);
		if (is_list) {
			jv items = jv_object_get(doc, jv_string("items"));
			int n = jv_get_kind(items) == JV_KIND_ARRAY ? jv_array_length(jv_copy(items)) : 0;
			for (int j = 0; j < n; j++) {
				*objects = jv_array_append(*objects, jv_array_get(jv_copy(items), j));
				if (origins)
					*origins = jv_array_append(*origins, origin(name, item_lines(jv_copy(doc_lines), j)));
			}
			jv_free(items);
			jv_free(doc_lines);
		} else {
			*objects = jv_array_append(*objects, doc);
			if (origins)
				*origins = jv_array_append(*origins, origin(name, doc_lines));
			else
				jv_free(doc_lines);
		}
	}
	jv_free(docs);
	jv_free(lines);
	return 0;
}

static int manifest_name(const struct dirent *d)
{
	const char *dot = strrchr(d->d_name, '.');
	return d->d_name[0] != '.' && dot &&
	       (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml") || !strcmp(dot, ".json"));
}

static int add_path(const char *path, jv *objects, jv *origins, jv *err)
{
	if (strcmp(path, "-") && is_dir(path)) {
		struct dirent **names;
		int n = scandir(path, &names, manifest_name, alphasort);
		if (n < 0) {
			*err = jv_string_fmt("%s: %s", path, strerror(errno));
			return -1;
		}
		int rc = 0;
		for (int i = 0; i < n; i++) {
			if (!rc) {
				char child[PATH_MAX];
				snprintf(child, sizeof(child), "%s/%s", path, names[i]->d_name);
				rc = add_path(child, objects, origins, err);
			}
			free(names[i]);
		}
		free(names);
		return rc;
	}
	struct cr_buf data = CR_BUF_INIT;
	if (cr_read_file(path, &data) < 0) {
		*err = jv_string_fmt("%s: %s", strcmp(path, "-") ? path : "standard input", strerror(errno));
		cr_buf_free(&data);
		return -1;
	}
	int rc = add_stream(data.data, data.len, path, objects, origins, err);
	cr_buf_wipe(&data); /* manifests may carry Secret values */
	return rc;
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
	jv objects = jv_array(), err = jv_invalid();
	char name[PATH_MAX + 16];
	snprintf(name, sizeof(name), "kustomize %s", dir);
	int rc = add_stream(cr_buf_str(&c.out), c.out.len, name, &objects, origins, &err);
	cr_child_clear(&c);
	if (rc < 0) {
		jv_free(objects);
		return fail(exit_code, CR_EXIT_INPUT, err);
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
		jv objects = jv_array(), err = jv_invalid();
		if (add_path(src->file, &objects, origins, &err) < 0) {
			jv_free(objects);
			return fail(exit_code, cr_interrupted() ? CR_EXIT_INTERRUPTED : CR_EXIT_INPUT, err);
		}
		return objects;
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
