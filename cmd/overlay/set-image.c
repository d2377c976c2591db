/* overlay set-image NAME IMAGE=NEWNAME[:TAG][@DIGEST] ...: kustomize edit set image on an overlay. */
#include <stdlib.h>
#include <string.h>

#include "crucible/exit.h"
#include "crucible/log.h"
#include "crucible/opts.h"
#include "crucible/util.h"
#include "overlay.h"

int overlay_set_image(int argc, const char **argv)
{
	if (argc < 2)
		cr_usage_error("set-image takes NAME IMAGE=NEWNAME[:TAG|@sha256:DIGEST]...");
	size_t n = (size_t)argc - 1;
	struct overlay_image_arg *a = cr_xmalloc(n * sizeof(*a));
	for (size_t i = 0; i < n; i++) {
		overlay_image_arg_parse(argv[i + 1], &a[i]);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(a[j].name, a[i].name))
				cr_usage_error("image '%s' given twice", a[i].name);
	}
	struct cr_buf dir = CR_BUF_INIT, path = CR_BUF_INIT, data = CR_BUF_INIT;
	overlay_path(argv[0], "", &dir);
	cr_buf_addf(&path, "%s/kustomization.yaml", dir.data);
	struct cr_ydoc *d = overlay_load(path.data, &data);
	jv repos = overlay_image_repos(overlay_objects(dir.data));
	for (size_t i = 0; i < n; i++)
		if (!overlay_image_known(d, jv_copy(repos), a[i].name))
			cr_die(CR_EXIT_INPUT, "%s: overlay %s has no image '%s' (not in its images: list nor in its "
			       "manifests)", argv[i + 1], argv[0], a[i].name);
	jv_free(repos);
	for (size_t i = 0; i < n; i++) {
		d = overlay_image_set(path.data, &data, d, &a[i]);
		overlay_image_arg_free(&a[i]);
	}
	free(a);
	cr_ydoc_free(d);
	overlay_write(path.data, &data);
	if (!overlay_opts.dry_run)
		cr_info("%s: images set", path.data);
	cr_buf_free(&dir);
	cr_buf_free(&path);
	cr_buf_free(&data);
	return CR_EXIT_OK;
}
