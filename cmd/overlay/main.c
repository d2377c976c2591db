/*
 * kubectl crucible overlay: the guide's step 1 ("update ECR registry URLs in
 * kustomization.yaml") without hand-editing YAML. Edits keep the user's
 * file byte for byte outside the edited values (common/yedit.c).
 *
 *   set-registry NAME [R]   every platform image of the overlay to R/PROJECT/name
 *
 * Not written yet: list, create, set-image, set-tag, set-replicas, build,
 * diff, validate (issue 10).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crucible/exit.h"
#include "crucible/imageref.h"
#include "crucible/log.h"
#include "crucible/manifests.h"
#include "crucible/opts.h"
#include "crucible/util.h"
#include "crucible/yedit.h"

static struct {
	char *dir;
	char *project;
	int dry_run;
} o;

static struct poptOption options[] = {
	{ "dir", '\0', POPT_ARG_STRING, &o.dir, 0, "overlays root (default: the project's overlays/)", "DIR" },
	{ "project", '\0', POPT_ARG_STRING, &o.project, 0,
	  "set-registry: the project path (default $PROJECT_NAME, else crucible-platform)", "P" },
	{ "dry-run", '\0', POPT_ARG_NONE, &o.dry_run, 0, "print the new kustomization.yaml instead of writing it", NULL },
	CR_GLOBAL_OPTIONS,
	POPT_TABLEEND
};

static const char more[] =
	"Commands:\n"
	"  set-registry NAME [R]  point every image of the overlay's images: list at\n"
	"                         R/PROJECT/<name>, keeping names and tags; R defaults\n"
	"                         to $ECR_REGISTRY\n"
	"\n"
	"Example:\n"
	"  ECR_REGISTRY=123456789012.dkr.ecr.us-west-2.amazonaws.com kubectl crucible overlay set-registry production\n"
	"\n"
	"Exit status: 0 ok; 1 the file could not be written (the old one is kept);\n"
	"2 usage; 3 bad input (file:line:column, or the bad argument).\n";

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);
	return v && *v ? v : dflt;
}

static int set_registry(int argc, const char **argv)
{
	if (argc < 1 || argc > 2)
		cr_usage_error("set-registry takes NAME [REGISTRY]");
	const char *name = argv[0];
	if (!*name || strchr(name, '/') || !strcmp(name, "..") || name[0] == '.')
		cr_die(CR_EXIT_INPUT, "bad overlay name '%s': a directory name without '/' or '..'", name);
	const char *registry = argc > 1 ? argv[1] : env_or("ECR_REGISTRY", NULL);
	if (!registry)
		cr_usage_error("set-registry needs a registry (argument or $ECR_REGISTRY)");
	const char *project = o.project ? o.project : env_or("PROJECT_NAME", "crucible-platform");
	const char *why;
	if ((why = cr_image_check_domain(registry)))
		cr_die(CR_EXIT_INPUT, "invalid registry '%s': %s", registry, why);
	if ((why = cr_image_check_path(project)))
		cr_die(CR_EXIT_INPUT, "invalid project '%s': %s", project, why);

	struct cr_buf path = CR_BUF_INIT, data = CR_BUF_INIT, out = CR_BUF_INIT;
	const char *home = o.dir ? NULL : cr_manifests_home();
	if (!o.dir && !home)
		cr_die(CR_EXIT_INPUT, "no Crucible manifests found: set CRUCIBLE_MANIFESTS or give --dir");
	cr_buf_addf(&path, "%s%s/%s/kustomization.yaml", o.dir ? o.dir : home, o.dir ? "" : "/overlays", name);
	if (cr_read_file(path.data, &data) < 0)
		cr_die(CR_EXIT_INPUT, "%s: %s", path.data, strerror(errno));
	char *err = NULL;
	struct cr_ydoc *d = cr_ydoc_parse(data.data, data.len, path.data, &err);
	if (!d)
		cr_die(CR_EXIT_INPUT, "%s", err);
	const struct cr_ynode *images = cr_ynode_get(cr_ydoc_root(d), "images", NULL);
	if (!images || images->kind != CR_YSEQ || !images->n)
		cr_die(CR_EXIT_INPUT, "%s: no images: list to point at a registry", path.data);
	for (size_t i = 0; i < images->n; i++) {
		const struct cr_ynode *img = images->items[i], *n = cr_ynode_get(img, "name", NULL);
		if (!cr_ynode_str(n))
			cr_die(CR_EXIT_INPUT, "%s:%zu:%zu: an image without a name", path.data, img->line, img->column);
		const char *base = strrchr(n->value, '/') ? strrchr(n->value, '/') + 1 : n->value;
		const struct cr_ynode *nn = cr_ynode_get(img, "newName", NULL);
		if (cr_ynode_str(nn)) {
			const char *old = strrchr(nn->value, '/');
			base = old ? old + 1 : nn->value;
		}
		struct cr_buf ref = CR_BUF_INIT;
		cr_buf_addf(&ref, "%s/%s/%s", registry, project, base);
		if ((why = cr_image_check_name(ref.data)))
			cr_die(CR_EXIT_INPUT, "%s:%zu:%zu: invalid image '%s': %s", path.data, img->line, img->column,
			       ref.data, why);
		char *text = cr_ydoc_quote(ref.data);
		if (cr_ydoc_map_set(d, img, "newName", text, &why) < 0)
			cr_die(CR_EXIT_INPUT, "%s:%zu:%zu: cannot edit this image entry: %s", path.data, img->line,
			       img->column, why);
		free(text);
		cr_buf_free(&ref);
	}
	cr_ydoc_render(d, &out);
	cr_ydoc_free(d);
	if (o.dry_run) {
		fwrite(out.data, 1, out.len, stdout);
	} else {
		struct stat st;
		unsigned mode = stat(path.data, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0644;
		if (cr_write_file_atomic(path.data, out.data, out.len, mode) < 0)
			cr_die(CR_EXIT_FAILED, "cannot write %s: %s (the old file is unchanged)", path.data, strerror(errno));
		cr_info("%s: images now in %s/%s", path.data, registry, project);
	}
	cr_buf_free(&path);
	cr_buf_free(&data);
	cr_buf_free(&out);
	return CR_EXIT_OK;
}

int main(int argc, const char **argv)
{
	static struct cr_tool tool = {
		.step = "overlay",
		.args_help = "set-registry [flags]",
		.summary = "Point an overlay's images at your registry without hand-editing YAML",
		.more_help = more,
		.table = options,
	};
	int nargs;
	const char **args = cr_opts_parse(&tool, argc, argv, &nargs);
	if (nargs < 1)
		cr_usage_error("missing command: set-registry");
	if (!strcmp(args[0], "set-registry"))
		return set_registry(nargs - 1, args + 1);
	cr_usage_error("unknown command '%s' (written so far: set-registry)", args[0]);
}
