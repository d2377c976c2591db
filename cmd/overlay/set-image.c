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
	struct overlay_edit e;
	overlay_edit_open(&e, argv[0]);
	jv repos = overlay_image_repos(overlay_objects(e.dir.data));
	for (size_t i = 0; i < n; i++)
		if (!overlay_image_known(e.d, jv_copy(repos), a[i].name))
			cr_die(CR_EXIT_INPUT, "%s: overlay %s has no image '%s' (not in its images: list nor in its "
			       "manifests)", argv[i + 1], argv[0], a[i].name);
	jv_free(repos);
	for (size_t i = 0; i < n; i++) {
		e.d = overlay_image_set(e.path.data, &e.data, e.d, &a[i]);
		overlay_image_arg_free(&a[i]);
	}
	free(a);
	overlay_edit_save(&e, "images set");
	return CR_EXIT_OK;
}
