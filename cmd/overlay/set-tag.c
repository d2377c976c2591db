/* overlay set-tag NAME TAG [IMAGE...]: one tag for every platform image of the overlay, or the named ones. */
#include <stdlib.h>
#include <string.h>

#include "crucible/exit.h"
#include "crucible/imageref.h"
#include "crucible/log.h"
#include "crucible/opts.h"
#include "crucible/util.h"
#include "overlay.h"

/*
 * The images to tag without a list: the images: entries of platform images
 * (their last component one of the base's names), else the platform images
 * the overlay renders.
 */
static jv targets(const struct cr_ydoc *d, const char *dir)
{
	const struct cr_ynode *images = cr_ynode_get(cr_ydoc_root(d), "images", NULL);
	jv platform = overlay_platform_names(), names = jv_array();
	for (size_t i = 0; images && images->kind == CR_YSEQ && i < images->n; i++) {
		const char *n = cr_ynode_str(cr_ynode_get(images->items[i], "name", NULL));
		if (n && overlay_is_platform(platform, n))
			names = jv_array_append(names, jv_string(n));
	}
	if (jv_array_length(jv_copy(names))) {
		jv_free(platform);
		return names;
	}
	jv_free(names);
	return overlay_platform_images(platform, overlay_objects(dir));
}

int overlay_set_tag(int argc, const char **argv)
{
	if (argc < 2)
		cr_usage_error("set-tag takes NAME TAG [IMAGE...]");
	const char *tag = argv[1], *why;
	if ((why = cr_image_check_tag(tag)))
		cr_die(CR_EXIT_INPUT, "invalid tag '%s': %s", tag, why);
	struct overlay_edit e;
	overlay_edit_open(&e, argv[0]);
	jv names;
	if (argc > 2) {
		jv repos = overlay_image_repos(overlay_objects(e.dir.data));
		names = jv_array();
		for (int i = 2; i < argc; i++) {
			if ((why = cr_image_check_name(argv[i])))
				cr_die(CR_EXIT_INPUT, "invalid image '%s': %s", argv[i], why);
			if (!overlay_image_known(e.d, jv_copy(repos), argv[i]))
				cr_die(CR_EXIT_INPUT, "%s: overlay %s has no image '%s' (not in its images: list nor in "
				       "its manifests)", argv[i], argv[0], argv[i]);
			names = jv_array_append(names, jv_string(argv[i]));
		}
		jv_free(repos);
	} else {
		names = targets(e.d, e.dir.data);
	}
	if (!jv_array_length(jv_copy(names)))
		cr_die(CR_EXIT_INPUT, "%s: no platform images to tag", e.path.data);
	jv_array_foreach(names, i, name) {
		struct overlay_image_arg a = { .name = cr_xstrdup(jv_string_value(name)), .tag = cr_xstrdup(tag) };
		e.d = overlay_image_set(e.path.data, &e.data, e.d, &a);
		overlay_image_arg_free(&a);
		jv_free(name);
	}
	jv_free(names);
	struct cr_buf done = CR_BUF_INIT;
	cr_buf_addf(&done, "images tagged %s", tag);
	overlay_edit_save(&e, done.data);
	cr_buf_free(&done);
	return CR_EXIT_OK;
}
