/* overlay list: the overlays with registry, project, tag per image and replicas. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crucible/exit.h"
#include "crucible/imageref.h"
#include "crucible/jq.h"
#include "crucible/log.h"
#include "crucible/opts.h"
#include "crucible/table.h"
#include "crucible/util.h"
#include "crucible/yedit.h"
#include "overlay.h"

/* One overlay as list shows it: {name, registry, project, images, replicas}. */
static jv describe(const char *name, const char *path)
{
	struct cr_buf data = CR_BUF_INIT;
	struct cr_ydoc *d = overlay_load(path, &data);
	const struct cr_ynode *root = cr_ydoc_root(d);
	const struct cr_ynode *images = cr_ynode_get(root, "images", NULL), *reps = cr_ynode_get(root, "replicas", NULL);
	jv registry = jv_null(), project = jv_null(), imgs = jv_array(), counts = jv_object();
	for (size_t i = 0; images && images->kind == CR_YSEQ && i < images->n; i++) {
		const struct cr_ynode *img = images->items[i];
		const char *n = cr_ynode_str(cr_ynode_get(img, "name", NULL));
		const char *nn = cr_ynode_str(cr_ynode_get(img, "newName", NULL));
		const char *tag = cr_ynode_str(cr_ynode_get(img, "newTag", NULL));
		const char *dig = cr_ynode_str(cr_ynode_get(img, "digest", NULL));
		struct cr_image_ref r = CR_IMAGE_REF_INIT;
		const char *why, *slash;
		if (nn && jv_get_kind(project) == JV_KIND_NULL && cr_image_ref_parse(nn, &r, &why) == 0) {
			jv_free(registry);
			registry = r.domain ? jv_string(r.domain) : jv_null();
			if ((slash = strchr(r.path, '/'))) { /* the project: the first component, as set-registry has it */
				jv_free(project);
				project = jv_string_sized(r.path, (int)(slash - r.path));
			}
		}
		cr_image_ref_free(&r);
		imgs = jv_array_append(imgs, JV_OBJECT(jv_string("name"), n ? jv_string(n) : jv_null(),
						       jv_string("newName"), nn ? jv_string(nn) : jv_null(),
						       jv_string("tag"), tag ? jv_string(tag) : dig ? jv_string(dig) : jv_null()));
	}
	for (size_t i = 0; reps && reps->kind == CR_YSEQ && i < reps->n; i++) {
		const char *n = cr_ynode_str(cr_ynode_get(reps->items[i], "name", NULL));
		const char *c = cr_ynode_str(cr_ynode_get(reps->items[i], "count", NULL));
		if (n && c)
			counts = jv_object_set(counts, jv_string(n), jv_number(strtod(c, NULL)));
	}
	cr_ydoc_free(d);
	cr_buf_free(&data);
	return JV_OBJECT(jv_string("name"), jv_string(name), jv_string("registry"), registry,
			 jv_string("project"), project, jv_string("images"), imgs, jv_string("replicas"), counts);
}

static int is_overlay(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

int overlay_list(int argc, const char **argv)
{
	(void)argv;
	if (argc != 0)
		cr_usage_error("list takes no arguments");
	bool json = overlay_want_json();
	struct cr_buf root = CR_BUF_INIT;
	overlay_root(&root);
	struct dirent **names;
	int n = scandir(root.data, &names, is_overlay, alphasort);
	if (n < 0)
		cr_die(CR_EXIT_INPUT, "%s: %s", root.data, strerror(errno));
	jv all = jv_array();
	for (int i = 0; i < n; i++) {
		struct cr_buf path = CR_BUF_INIT;
		struct stat st;
		cr_buf_addf(&path, "%s/%s/kustomization.yaml", root.data, names[i]->d_name);
		if (stat(path.data, &st) == 0)
			all = jv_array_append(all, describe(names[i]->d_name, path.data));
		cr_buf_free(&path);
		free(names[i]);
	}
	free(names);
	cr_buf_free(&root);
	if (json) {
		jv_dumpf(all, stdout, JV_PRINT_INDENT_FLAGS(2));
		putchar('\n');
		return CR_EXIT_OK;
	}
	static const char *const headers[] = { "NAME", "REGISTRY", "PROJECT", "TAGS", "REPLICAS" };
	struct cr_table *t = cr_table_new(5, headers);
	jv rows = cr_jq_eval(".[] | [.name, (.registry // \"-\"), (.project // \"-\"), "
			     "(if ([.images[].tag] | unique | length) == 1 then .images[0].tag // \"-\" "
			     "else [.images[] | \"\\(.name)=\\(.tag // \"-\")\"] | join(\",\") | if . == \"\" then \"-\" else . end end), "
			     "([.replicas | to_entries[] | \"\\(.key)=\\(.value)\"] | join(\",\") | if . == \"\" then \"-\" else . end)]",
			     all, jv_null());
	jv_array_foreach(rows, i, row) {
		const char *cells[5];
		jv v[5];
		for (int c = 0; c < 5; c++)
			cells[c] = jv_string_value(v[c] = jv_array_get(jv_copy(row), c));
		cr_table_row(t, cells);
		for (int c = 0; c < 5; c++)
			jv_free(v[c]);
		jv_free(row);
	}
	cr_table_print(t, stdout);
	cr_table_free(t);
	jv_free(rows);
	return CR_EXIT_OK;
}

