/* overlay validate NAME: is the overlay fit to deploy? One finding a line, file:line. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "crucible/exit.h"
#include "crucible/imageref.h"
#include "crucible/jq.h"
#include "crucible/log.h"
#include "crucible/manifests.h"
#include "crucible/opts.h"
#include "crucible/util.h"
#include "crucible/yedit.h"
#include "overlay.h"

/* The registry kinds the guide's step 1 leaves for the operator to fill in. */
static bool placeholder(const char *ref)
{
	const char *slash = strchr(ref, '/');
	size_t n = slash ? (size_t)(slash - ref) : 0;
	return (n > 8 && !strncmp(ref + n - 8, ".invalid", 8)) || strstr(ref, "123456789012") ||
	       strstr(ref, "changeme");
}

static void finding(jv *all, const char *file, size_t line, jv msg)
{
	*all = jv_array_append(*all, JV_OBJECT(jv_string("file"), jv_string(file), jv_string("line"),
					       jv_number((double)line), jv_string("message"), msg));
}

/* An images: entry: its reference (newName, else name) and its tag. */
static void check_image(const char *file, const struct cr_ynode *img, const char *registry, jv *all)
{
	const struct cr_ynode *name = cr_ynode_get(img, "name", NULL), *nn = cr_ynode_get(img, "newName", NULL);
	const struct cr_ynode *tag = cr_ynode_get(img, "newTag", NULL), *dig = cr_ynode_get(img, "digest", NULL);
	const struct cr_ynode *at = cr_ynode_str(nn) ? nn : img;
	const char *ref = cr_ynode_str(nn) ? nn->value : cr_ynode_str(name);
	const char *why;
	struct cr_image_ref r = CR_IMAGE_REF_INIT;
	if (!ref) {
		finding(all, file, img->line, jv_string("an image without a name"));
		return;
	}
	if (cr_image_ref_parse(ref, &r, &why) < 0) {
		finding(all, file, at->line, jv_string_fmt("invalid image '%s': %s", ref, why));
		return;
	}
	if (placeholder(ref))
		finding(all, file, at->line, jv_string_fmt("placeholder registry in '%s': run 'kubectl crucible "
							  "overlay set-registry' with your registry", ref));
	else if (registry && (!r.domain || strcmp(r.domain, registry)))
		finding(all, file, at->line, jv_string_fmt("image '%s' is not in the overlay's registry %s", ref,
							  registry));
	if (cr_ynode_str(tag) && !strcmp(tag->value, "latest"))
		finding(all, file, tag->line, jv_string_fmt("image '%s' uses the tag 'latest': pin a version", ref));
	else if (!cr_ynode_str(tag) && !cr_ynode_str(dig) && !r.tag && !r.digest)
		finding(all, file, img->line, jv_string_fmt("image '%s' has no tag or digest", ref));
	cr_image_ref_free(&r);
}

/* The rendered objects' images that no images: entry sets: latest or untagged. */
static void check_rendered(const char *file, jv objects, jv entries, jv *all)
{
	jv images = cr_jq_eval("[.[] | .. | objects | (.containers?, .initContainers?) | arrays | .[].image "
			       "| strings] | unique | .[]", objects, jv_null());
	jv_array_foreach(images, i, img) {
		struct cr_image_ref r = CR_IMAGE_REF_INIT;
		const char *why, *s = jv_string_value(img);
		bool ours = false;
		jv_array_foreach(entries, j, e) {
			size_t n = strlen(jv_string_value(e));
			ours |= !strncmp(s, jv_string_value(e), n) && (s[n] == ':' || s[n] == '@' || !s[n]);
			jv_free(e);
		}
		if (!ours && cr_image_ref_parse(s, &r, &why) == 0) {
			if (r.tag && !strcmp(r.tag, "latest"))
				finding(all, file, 1, jv_string_fmt("rendered image '%s' uses the tag 'latest'", s));
			else if (!r.tag && !r.digest)
				finding(all, file, 1, jv_string_fmt("rendered image '%s' has no tag or digest", s));
		}
		cr_image_ref_free(&r);
		jv_free(img);
	}
	jv_free(images);
	jv_free(entries);
}

int overlay_validate(int argc, const char **argv)
{
	if (argc != 1)
		cr_usage_error("validate takes NAME");
	bool json = overlay_want_json();
	struct cr_buf dir = CR_BUF_INIT, path = CR_BUF_INIT, data = CR_BUF_INIT;
	overlay_path(argv[0], "", &dir);
	cr_buf_addf(&path, "%s/kustomization.yaml", dir.data);
	struct cr_ydoc *d = overlay_load(path.data, &data);
	jv all = jv_array(), entries = jv_array();
	const struct cr_ynode *images = cr_ynode_get(cr_ydoc_root(d), "images", NULL);
	const char *registry = NULL;
	struct cr_image_ref first = CR_IMAGE_REF_INIT;
	const char *why;
	/* The overlay's registry: its first image's host. */
	for (size_t i = 0; images && images->kind == CR_YSEQ && i < images->n && !registry; i++) {
		const char *nn = cr_ynode_str(cr_ynode_get(images->items[i], "newName", NULL));
		if (nn && cr_image_ref_parse(nn, &first, &why) == 0 && !(registry = first.domain))
			cr_image_ref_free(&first);
	}
	for (size_t i = 0; images && images->kind == CR_YSEQ && i < images->n; i++) {
		const struct cr_ynode *img = images->items[i];
		check_image(path.data, img, registry, &all);
		const char *nn = cr_ynode_str(cr_ynode_get(img, "newName", NULL));
		if (nn || cr_ynode_str(cr_ynode_get(img, "name", NULL)))
			entries = jv_array_append(entries, jv_string(nn ? nn : cr_ynode_str(cr_ynode_get(img, "name", NULL))));
	}
	struct cr_source_opts src = { .kustomize = dir.data };
	int code = 0;
	jv objects = cr_manifests_load(&src, NULL, &code);
	if (jv_is_valid(objects)) {
		check_rendered(path.data, jv_copy(objects), entries, &all);
		overlay_check_workloads(dir.data, path.data, d, data.data, objects, &all);
	} else {
		jv msg = jv_invalid_get_msg(objects);
		if (code != CR_EXIT_INPUT)
			cr_die(code, "%s", jv_string_value(msg));
		finding(&all, path.data, 1, jv_string_fmt("does not render: %s", jv_string_value(msg)));
		jv_free(msg);
		jv_free(entries);
	}
	int rc = jv_array_length(jv_copy(all)) ? CR_EXIT_FAILED : CR_EXIT_OK;
	if (json) {
		jv_dumpf(jv_copy(all), stdout, JV_PRINT_INDENT_FLAGS(2));
		putchar('\n');
	} else {
		jv_array_foreach(all, i, f) {
			jv file = jv_object_get(jv_copy(f), jv_string("file")), line = jv_object_get(jv_copy(f), jv_string("line"));
			jv msg = jv_object_get(f, jv_string("message"));
			printf("%s:%d: %s\n", jv_string_value(file), (int)jv_number_value(line), jv_string_value(msg));
			jv_free(file);
			jv_free(line);
			jv_free(msg);
		}
	}
	if (!json && rc == CR_EXIT_OK)
		cr_info("overlay %s: fit to deploy", argv[0]);
	jv_free(all);
	cr_image_ref_free(&first);
	cr_ydoc_free(d);
	cr_buf_free(&dir);
	cr_buf_free(&path);
	cr_buf_free(&data);
	return rc;
}

