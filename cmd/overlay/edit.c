/* overlay set-registry NAME [R]: every platform image of the overlay's images: list to R/PROJECT/<its name>. */
#include <stdlib.h>
#include <string.h>

#include "crucible/exit.h"
#include "crucible/imageref.h"
#include "crucible/log.h"
#include "crucible/opts.h"
#include "crucible/util.h"
#include "crucible/yedit.h"
#include "overlay.h"

/* Nothing of ours is allocated where it dies: the fuzz target goes on after it. */
void overlay_registry_set(const char *path, struct cr_ydoc *d, jv platform, const char *registry,
			  const char *project)
{
	const struct cr_ynode *images = cr_ynode_get(cr_ydoc_root(d), "images", NULL);
	const char *why;
	for (size_t i = 0; images && images->kind == CR_YSEQ && i < images->n; i++) {
		const struct cr_ynode *img = images->items[i], *n = cr_ynode_get(img, "name", NULL);
		if (!cr_ynode_str(n))
			cr_die(CR_EXIT_INPUT, "%s:%zu:%zu: an image without a name", path, img->line, img->column);
		if (!overlay_is_platform(platform, n->value)) /* postgres, redis: not the platform's registry */
			continue;
		/* The image's own name stays: only the host and the project (its first component) change. */
		const struct cr_ynode *nn = cr_ynode_get(img, "newName", NULL);
		const char *now = cr_ynode_str(nn) ? nn->value : n->value;
		const char *shown = cr_is_printable(now) ? now : "(with control characters)";
		char *base = overlay_image_basename(now);
		if (!base)
			cr_die(CR_EXIT_INPUT, "%s:%zu:%zu: invalid image '%s'", path, img->line, img->column, shown);
		struct cr_buf ref = CR_BUF_INIT;
		cr_buf_addf(&ref, "%s/%s/%s", registry, project, base);
		free(base);
		char *text = (why = cr_image_check_name(ref.data)) ? NULL : cr_ydoc_quote(ref.data);
		cr_buf_free(&ref);
		if (why)
			cr_die(CR_EXIT_INPUT, "%s:%zu:%zu: invalid image '%s' in %s/%s: %s", path, img->line,
			       img->column, shown, registry, project, why);
		int rc = cr_ydoc_map_set(d, img, "newName", text, &why);
		free(text);
		if (rc < 0)
			cr_die(CR_EXIT_INPUT, "%s:%zu:%zu: cannot edit this image entry: %s", path, img->line,
			       img->column, why);
	}
}

int overlay_set_registry(int argc, const char **argv)
{
	if (argc < 1 || argc > 2)
		cr_usage_error("set-registry takes NAME [REGISTRY]");
	const char *name = argv[0];
	const char *registry = argc > 1 ? argv[1] : overlay_env_or("ECR_REGISTRY", NULL);
	if (!registry)
		cr_usage_error("set-registry needs a registry (argument or $ECR_REGISTRY)");
	const char *project = overlay_opts.project ? overlay_opts.project : overlay_env_or("PROJECT_NAME", "crucible-platform");
	const char *why;
	if ((why = cr_image_check_domain(registry)))
		cr_die(CR_EXIT_INPUT, "invalid registry '%s': %s", registry, why);
	if ((why = cr_image_check_path(project)))
		cr_die(CR_EXIT_INPUT, "invalid project '%s': %s", project, why);

	struct cr_buf path = CR_BUF_INIT, data = CR_BUF_INIT, out = CR_BUF_INIT;
	overlay_path(name, "/kustomization.yaml", &path);
	struct cr_ydoc *d = overlay_load(path.data, &data);
	const struct cr_ynode *images = cr_ynode_get(cr_ydoc_root(d), "images", NULL);
	if (!images || images->kind != CR_YSEQ || !images->n)
		cr_die(CR_EXIT_INPUT, "%s: no images: list to point at a registry", path.data);
	jv platform = overlay_platform_names();
	overlay_registry_set(path.data, d, platform, registry, project);
	jv_free(platform);
	cr_ydoc_render(d, &out);
	cr_ydoc_free(d);
	overlay_write(path.data, &out);
	if (!overlay_opts.dry_run)
		cr_info("%s: images now in %s/%s", path.data, registry, project);
	cr_buf_free(&path);
	cr_buf_free(&data);
	cr_buf_free(&out);
	return CR_EXIT_OK;
}

