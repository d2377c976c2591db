/*
 * kubectl crucible overlay: the guide's step 1 ("update ECR registry URLs in
 * kustomization.yaml") without hand-editing YAML. Edits keep the user's
 * file byte for byte outside the edited values (common/yedit.c).
 *
 *   list                    the overlays with registry, project, tags, replicas
 *   set-registry NAME [R]   every platform image of the overlay to R/PROJECT/name
 *   build NAME              kubectl kustomize of the overlay, on stdout
 *   validate NAME           findings that make it unfit to deploy, file:line
 *
 * Not written yet: create, set-image, set-tag, set-replicas, diff
 * (issue 10).
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crucible/exit.h"
#include "crucible/imageref.h"
#include "crucible/jq.h"
#include "crucible/kubectl.h"
#include "crucible/log.h"
#include "crucible/manifests.h"
#include "crucible/opts.h"
#include "crucible/table.h"
#include "crucible/util.h"
#include "crucible/yedit.h"

static struct {
	char *dir;
	char *project;
	char *output;
	int dry_run;
} o;

static struct poptOption options[] = {
	{ "dir", '\0', POPT_ARG_STRING, &o.dir, 0, "overlays root (default: the project's overlays/)", "DIR" },
	{ "project", '\0', POPT_ARG_STRING, &o.project, 0,
	  "set-registry: the project path (default $PROJECT_NAME, else crucible-platform)", "P" },
	{ "output", 'o', POPT_ARG_STRING, &o.output, 0, "list, validate: text (default) or json", "FORMAT" },
	{ "dry-run", '\0', POPT_ARG_NONE, &o.dry_run, 0, "print the new kustomization.yaml instead of writing it", NULL },
	CR_GLOBAL_OPTIONS,
	POPT_TABLEEND
};

static const char more[] =
	"Commands:\n"
	"  list                   the overlays: registry, project, tag per image,\n"
	"                         replicas (-o json for an array)\n"
	"  set-registry NAME [R]  point every image of the overlay's images: list at\n"
	"                         R/PROJECT/<name>, keeping names and tags; R defaults\n"
	"                         to $ECR_REGISTRY\n"
	"  build NAME             the overlay rendered by kubectl kustomize, on stdout\n"
	"  validate NAME          is it fit to deploy: one finding a line, file:line:\n"
	"                         message (placeholder registry *.invalid, 123456789012\n"
	"                         or changeme; :latest or untagged images; an image\n"
	"                         outside the overlay's registry; a kustomization that\n"
	"                         does not render); -o json for an array\n"
	"\n"
	"Example:\n"
	"  ECR_REGISTRY=123456789012.dkr.ecr.us-west-2.amazonaws.com kubectl crucible overlay set-registry production\n"
	"  kubectl crucible overlay build production | kubectl crucible deploy -f -\n"
	"\n"
	"Exit status: 0 ok; 1 the file could not be written (the old one is kept),\n"
	"or validate found something;\n"
	"2 usage; 3 bad input (file:line:column, or the bad argument; an overlay that\n"
	"does not render); 4 kubectl could not be run.\n";

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);
	return v && *v ? v : dflt;
}

/* --dir, else the project's overlays/. */
static void overlays_root(struct cr_buf *path)
{
	const char *home = o.dir ? NULL : cr_manifests_home();
	if (!o.dir && !home)
		cr_die(CR_EXIT_INPUT, "no Crucible manifests found: set CRUCIBLE_MANIFESTS or give --dir");
	cr_buf_addf(path, "%s%s", o.dir ? o.dir : home, o.dir ? "" : "/overlays");
}

/* -o: false for text, true for json; anything else is a usage error. */
static bool want_json(void)
{
	bool json = o.output && !strcmp(o.output, "json");
	if (o.output && !json && strcmp(o.output, "text"))
		cr_usage_error("-o must be text or json, not '%s'", o.output);
	return json;
}

/* DIR/NAME plus file ("" for the directory), NAME checked: no '/' or '..'. */
static void overlay_path(const char *name, const char *file, struct cr_buf *path)
{
	if (!*name || strchr(name, '/') || !strcmp(name, "..") || name[0] == '.')
		cr_die(CR_EXIT_INPUT, "bad overlay name '%s': a directory name without '/' or '..'", name);
	overlays_root(path);
	cr_buf_addf(path, "/%s%s", name, file);
}

/* The kustomization at path, parsed into data's bytes; bad input dies (exit 3). */
static struct cr_ydoc *load(const char *path, struct cr_buf *data)
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
static enum cr_run_result render(const char *dir, struct cr_child *c)
{
	cr_kubectl_args(c, false);
	cr_strv_pushl(&c->args, "kustomize", dir, NULL);
	return cr_kubectl_run(c);
}

static int build(int argc, const char **argv)
{
	if (argc != 1)
		cr_usage_error("build takes NAME");
	struct cr_buf dir = CR_BUF_INIT;
	overlay_path(argv[0], "", &dir);
	struct stat st;
	if (stat(dir.data, &st) < 0 || !S_ISDIR(st.st_mode))
		cr_die(CR_EXIT_INPUT, "%s: no such overlay", dir.data);
	struct cr_child c = CR_CHILD_INIT;
	enum cr_run_result r = render(dir.data, &c);
	if (r != CR_RUN_OK) {
		int code = r == CR_RUN_EXIT ? CR_EXIT_INPUT : cr_kubectl_exit_code(r);
		cr_error("overlay %s (%s): kubectl kustomize: %s", argv[0], dir.data, cr_kubectl_failure(&c, r));
		cr_child_clear(&c);
		cr_buf_free(&dir);
		return code;
	}
	int rc = fwrite(c.out.data, 1, c.out.len, stdout) == c.out.len && fflush(stdout) == 0 ?
		CR_EXIT_OK : CR_EXIT_FAILED;
	if (rc)
		cr_error("cannot write the rendered manifests: %s", strerror(errno));
	cr_child_clear(&c);
	cr_buf_free(&dir);
	return rc;
}

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

static int validate(int argc, const char **argv)
{
	if (argc != 1)
		cr_usage_error("validate takes NAME");
	bool json = want_json();
	struct cr_buf dir = CR_BUF_INIT, path = CR_BUF_INIT, data = CR_BUF_INIT;
	overlay_path(argv[0], "", &dir);
	cr_buf_addf(&path, "%s/kustomization.yaml", dir.data);
	struct cr_ydoc *d = load(path.data, &data);
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
		check_rendered(path.data, objects, entries, &all);
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

/* One overlay as list shows it: {name, registry, project, images, replicas}. */
static jv describe(const char *name, const char *path)
{
	struct cr_buf data = CR_BUF_INIT;
	struct cr_ydoc *d = load(path, &data);
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
			if ((slash = strrchr(r.path, '/'))) {
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

static int list(int argc, const char **argv)
{
	(void)argv;
	if (argc != 0)
		cr_usage_error("list takes no arguments");
	bool json = want_json();
	struct cr_buf root = CR_BUF_INIT;
	overlays_root(&root);
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

static int set_registry(int argc, const char **argv)
{
	if (argc < 1 || argc > 2)
		cr_usage_error("set-registry takes NAME [REGISTRY]");
	const char *name = argv[0];
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
	overlay_path(name, "/kustomization.yaml", &path);
	struct cr_ydoc *d = load(path.data, &data);
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
		.args_help = "list|set-registry|build|validate [flags]",
		.summary = "Point an overlay's images at your registry without hand-editing YAML",
		.more_help = more,
		.table = options,
	};
	int nargs;
	const char **args = cr_opts_parse(&tool, argc, argv, &nargs);
	if (nargs < 1)
		cr_usage_error("missing command: list, set-registry, build or validate");
	if (!strcmp(args[0], "set-registry"))
		return set_registry(nargs - 1, args + 1);
	if (!strcmp(args[0], "build"))
		return build(nargs - 1, args + 1);
	if (!strcmp(args[0], "validate"))
		return validate(nargs - 1, args + 1);
	if (!strcmp(args[0], "list"))
		return list(nargs - 1, args + 1);
	cr_usage_error("unknown command '%s' (written so far: list, set-registry, build, validate)", args[0]);
}
