/* What every overlay command shares: where overlays live, loading and writing kustomization.yaml. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crucible/exit.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/manifests.h"
#include "crucible/opts.h"
#include "crucible/util.h"
#include "overlay.h"

struct overlay_opts overlay_opts;

const char *overlay_env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);
	return v && *v ? v : dflt;
}

/* --dir, else the project's overlays/. */
void overlay_root(struct cr_buf *path)
{
	const char *home = overlay_opts.dir ? NULL : cr_manifests_home();
	if (!overlay_opts.dir && !home)
		cr_die(CR_EXIT_INPUT, "no Crucible manifests found: set CRUCIBLE_MANIFESTS or give --dir");
	cr_buf_addf(path, "%s%s", overlay_opts.dir ? overlay_opts.dir : home, overlay_opts.dir ? "" : "/overlays");
}

/* -o: false for text, true for json; anything else is a usage error. */
bool overlay_want_json(void)
{
	bool json = overlay_opts.output && !strcmp(overlay_opts.output, "json");
	if (overlay_opts.output && !json && strcmp(overlay_opts.output, "text"))
		cr_usage_error("-o must be text or json, not '%s'", overlay_opts.output);
	return json;
}

/* DIR/NAME plus file ("" for the directory), NAME checked: no '/' or '..'. */
void overlay_path(const char *name, const char *file, struct cr_buf *path)
{
	if (!*name || strchr(name, '/') || !strcmp(name, "..") || name[0] == '.')
		cr_die(CR_EXIT_INPUT, "bad overlay name '%s': a directory name without '/' or '..'", name);
	overlay_root(path);
	cr_buf_addf(path, "/%s%s", name, file);
}

/*
 * The top-level fields of kustomize's Kustomization type (api/types/
 * kustomization.go, kustomize v5.5 as in kubectl 1.32): kustomize refuses
 * any other, so an edit must not leave one in place unnoticed.
 */
static const char *const known_fields[] = {
	"apiVersion", "kind", "metadata", "openapi", "namePrefix", "nameSuffix", "namespace",
	"commonLabels", "labels", "commonAnnotations", "patchesStrategicMerge", "patchesJson6902",
	"patches", "images", "replacements", "replicas", "vars", "resources", "components", "crds",
	"bases", "configMapGenerator", "secretGenerator", "helmGlobals", "helmCharts",
	"helmChartInflationGenerator", "generatorOptions", "configurations", "generators",
	"transformers", "validators", "inventory", "buildMetadata", "sortOptions", NULL
};

/* A kustomization is a mapping of known fields; the first other key dies naming its place. */
static void check_fields(const char *path, const struct cr_ynode *root)
{
	if (!root || root->kind != CR_YMAP)
		cr_die(CR_EXIT_INPUT, "%s:%zu:%zu: not a kustomization (a mapping of fields)", path,
		       root ? root->line : 1, root ? root->column : 1);
	for (size_t i = 0; i + 1 < root->n; i += 2) {
		const struct cr_ynode *k = root->items[i];
		const char *key = cr_ynode_str(k);
		size_t j = 0;
		while (key && known_fields[j] && strcmp(known_fields[j], key))
			j++;
		if (!key || !known_fields[j])
			cr_die(CR_EXIT_INPUT, "%s:%zu:%zu: unknown field '%s' in a Kustomization", path, k->line, k->column,
			       !key ? "(not a string)" : cr_is_printable(key) ? key : "(with control characters)");
	}
}

/* The kustomization at path, parsed into data's bytes; bad input dies (exit 3). */
struct cr_ydoc *overlay_load(const char *path, struct cr_buf *data)
{
	if (cr_read_file(path, data) < 0)
		cr_die(CR_EXIT_INPUT, "%s: %s", path, strerror(errno));
	char *err = NULL;
	struct cr_ydoc *d = cr_ydoc_parse(data->data, data->len, path, &err);
	if (!d)
		cr_die(CR_EXIT_INPUT, "%s", err);
	check_fields(path, cr_ydoc_root(d));
	return d;
}

/* d's edits applied and parsed again (into data), so that the next edit sees them. */
struct cr_ydoc *overlay_reparse(const char *path, struct cr_buf *data, struct cr_ydoc *d)
{
	struct cr_buf out = CR_BUF_INIT;
	char *err = NULL;
	cr_ydoc_render(d, &out);
	cr_ydoc_free(d);
	cr_buf_free(data);
	*data = out;
	if (!(d = cr_ydoc_parse(data->data, data->len, path, &err)))
		cr_die(CR_EXIT_FAILED, "%s: an edit did not parse again (a bug): %s", path, err);
	return d;
}

/* The item of the top-level list (images:, replicas:) whose name: is name, or NULL. */
const struct cr_ynode *overlay_entry(const struct cr_ydoc *d, const char *list, const char *name)
{
	const struct cr_ynode *seq = cr_ynode_get(cr_ydoc_root(d), list, NULL);
	for (size_t i = 0; seq && seq->kind == CR_YSEQ && i < seq->n; i++) {
		const char *n = cr_ynode_str(cr_ynode_get(seq->items[i], "name", NULL));
		if (n && !strcmp(n, name))
			return seq->items[i];
	}
	return NULL;
}

void overlay_edit_open(struct overlay_edit *e, const char *name)
{
	*e = (struct overlay_edit){ CR_BUF_INIT, CR_BUF_INIT, CR_BUF_INIT, NULL };
	overlay_path(name, "", &e->dir);
	cr_buf_addf(&e->path, "%s/kustomization.yaml", e->dir.data);
	e->d = overlay_load(e->path.data, &e->data);
}

void overlay_edit_save(struct overlay_edit *e, const char *done)
{
	cr_ydoc_free(e->d);
	overlay_write(e->path.data, &e->data);
	if (!overlay_opts.dry_run)
		cr_info("%s: %s", e->path.data, done);
	cr_buf_free(&e->dir);
	cr_buf_free(&e->path);
	cr_buf_free(&e->data);
}

/* The objects kubectl kustomize renders from dir; failing to render dies (3, or 4 without kubectl). */
jv overlay_objects(const char *dir)
{
	struct cr_source_opts src = { .kustomize = (char *)dir };
	int code = 0;
	jv objects = cr_manifests_load(&src, NULL, &code);
	if (!jv_is_valid(objects)) {
		jv msg = jv_invalid_get_msg(objects);
		cr_die(code, "%s does not render: %s", dir, jv_string_value(msg));
	}
	return objects;
}

/*
 * kubectl kustomize of the overlay. Returns the run result; c holds the
 * output (or kubectl's stderr) for the caller to clear.
 */
enum cr_run_result overlay_render(const char *dir, struct cr_child *c)
{
	cr_kubectl_args(c, false);
	cr_strv_pushl(&c->args, "kustomize", dir, NULL);
	return cr_kubectl_run(c);
}


/*
 * The edited kustomization: on stdout with --dry-run, else written over
 * path atomically (temp file, fsync, rename) keeping the file's mode, so a
 * failed write leaves the old file whole.
 */
void overlay_write(const char *path, const struct cr_buf *out)
{
	if (overlay_opts.dry_run) {
		fwrite(out->data, 1, out->len, stdout);
		return;
	}
	struct stat st;
	unsigned mode = stat(path, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0644;
	if (cr_write_file_atomic(path, out->data, out->len, mode) < 0)
		cr_die(CR_EXIT_FAILED, "cannot write %s: %s (the old file is unchanged)", path, strerror(errno));
}
