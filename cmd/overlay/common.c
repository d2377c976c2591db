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

/* The kustomization at path, parsed into data's bytes; bad input dies (exit 3). */
struct cr_ydoc *overlay_load(const char *path, struct cr_buf *data)
{
	if (cr_read_file(path, data) < 0)
		cr_die(CR_EXIT_INPUT, "%s: %s", path, strerror(errno));
	char *err = NULL;
	struct cr_ydoc *d = cr_ydoc_parse(data->data, data->len, path, &err);
	if (!d)
		cr_die(CR_EXIT_INPUT, "%s", err);
	return d;
}

/*
 * kubectl kustomize of the overlay. Returns the run result; c holds the
 * output (or kubectl's stderr) for the caller to clear.
 */
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
