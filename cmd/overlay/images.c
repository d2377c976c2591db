/*
 * kustomize edit set image, on an overlay's images: list: an entry per image
 * the manifests name, with newName, newTag and digest; setting a tag drops a
 * digest and the other way round, unless both are given.
 */
#include <stdlib.h>
#include <string.h>

#include "crucible/exit.h"
#include "crucible/imageref.h"
#include "crucible/log.h"
#include "crucible/util.h"
#include "overlay.h"

void overlay_image_arg_free(struct overlay_image_arg *a)
{
	free(a->name);
	free(a->new_name);
	free(a->tag);
	free(a->digest);
	memset(a, 0, sizeof(*a));
}

static char *dup_or_null(const char *s)
{
	return s ? cr_xstrdup(s) : NULL;
}

/* Dies naming the argument: a bad image reference is bad input. */
static _Noreturn void bad(const char *arg, const char *why)
{
	cr_die(CR_EXIT_INPUT, "invalid image '%s': %s", arg, why);
}

void overlay_image_arg_parse(const char *arg, struct overlay_image_arg *a)
{
	struct cr_image_ref r = CR_IMAGE_REF_INIT;
	const char *eq = strchr(arg, '='), *why;
	memset(a, 0, sizeof(*a));
	if (!eq) { /* IMAGE:TAG or IMAGE@DIGEST: the tag or digest only */
		if (cr_image_ref_parse(arg, &r, &why) < 0)
			bad(arg, why);
		if (!r.tag && !r.digest)
			bad(arg, "nothing to set: give IMAGE=NEWNAME, IMAGE:TAG or IMAGE@sha256:DIGEST");
		a->name = overlay_image_repo(arg);
		a->tag = dup_or_null(r.tag);
		a->digest = dup_or_null(r.digest);
		cr_image_ref_free(&r);
		return;
	}
	a->name = cr_xstrndup(arg, (size_t)(eq - arg));
	if ((why = cr_image_check_name(a->name)))
		bad(arg, why);
	const char *v = eq + 1;
	if (*v == ':' || *v == '@') { /* IMAGE=:TAG, IMAGE=@DIGEST: keep the name */
		char *dig = strchr(v, '@');
		if (*v == ':') {
			a->tag = dig ? cr_xstrndup(v + 1, (size_t)(dig - v - 1)) : cr_xstrdup(v + 1);
			if ((why = cr_image_check_tag(a->tag)))
				bad(arg, why);
		}
		if (dig && (why = cr_image_check_digest(dig + 1)))
			bad(arg, why);
		a->digest = dig ? cr_xstrdup(dig + 1) : NULL;
		return;
	}
	if (cr_image_ref_parse(v, &r, &why) < 0)
		bad(arg, why);
	a->new_name = overlay_image_repo(v);
	a->tag = dup_or_null(r.tag);
	a->digest = dup_or_null(r.digest);
	cr_image_ref_free(&r);
}

static const struct cr_ynode *entry(const struct cr_ydoc *d, const char *name)
{
	return overlay_entry(d, "images", name);
}

/*
 * Known: an entry has it, or the manifests name it without it being what an
 * entry turns another image into (newName: that is this overlay's output).
 */
bool overlay_image_known(const struct cr_ydoc *d, jv repos, const char *name)
{
	bool found = entry(d, name) != NULL, output = false;
	const struct cr_ynode *images = cr_ynode_get(cr_ydoc_root(d), "images", NULL);
	for (size_t i = 0; images && images->kind == CR_YSEQ && i < images->n; i++) {
		const char *nn = cr_ynode_str(cr_ynode_get(images->items[i], "newName", NULL));
		output |= nn && !strcmp(nn, name);
	}
	jv_array_foreach(repos, i, r) {
		found |= !output && !strcmp(jv_string_value(r), name);
		jv_free(r);
	}
	jv_free(repos);
	return found;
}

static _Noreturn void cannot(const char *path, const struct cr_ynode *n, const char *why)
{
	cr_die(CR_EXIT_INPUT, "%s:%zu:%zu: cannot edit this image entry: %s", path, n->line, n->column, why);
}

/* One field of an existing entry set (value given) or removed; d parsed again. */
static struct cr_ydoc *field(const char *path, struct cr_buf *data, struct cr_ydoc *d, const char *name,
			     const char *key, const char *value)
{
	const struct cr_ynode *e = entry(d, name);
	const char *why;
	if (!value && !cr_ynode_get(e, key, NULL))
		return d;
	char *text = value ? cr_ydoc_quote(value) : NULL;
	int rc = value ? cr_ydoc_map_set(d, e, key, text, &why) : cr_ydoc_map_remove(d, e, key, &why);
	free(text);
	if (rc < 0)
		cannot(path, e, why);
	return overlay_reparse(path, data, d);
}

/* A new entry: name, newName, newTag, digest (kustomize's order), at the end of images:. */
static struct cr_ydoc *add(const char *path, struct cr_buf *data, struct cr_ydoc *d,
			   const struct overlay_image_arg *a)
{
	const char *kv[9];
	char *text[4] = { cr_ydoc_quote(a->name), NULL, NULL, NULL };
	size_t n = 0;
	kv[n++] = "name";
	kv[n++] = text[0];
	if (a->new_name) {
		kv[n++] = "newName";
		kv[n++] = text[1] = cr_ydoc_quote(a->new_name);
	}
	if (a->tag) {
		kv[n++] = "newTag";
		kv[n++] = text[2] = cr_ydoc_quote(a->tag);
	}
	if (a->digest) {
		kv[n++] = "digest";
		kv[n++] = text[3] = cr_ydoc_quote(a->digest);
	}
	kv[n] = NULL;
	const struct cr_ynode *root = cr_ydoc_root(d), *images = cr_ynode_get(root, "images", NULL);
	const char *why;
	int rc = images && images->kind == CR_YSEQ ? cr_ydoc_seq_append(d, images, kv, &why) :
						     cr_ydoc_top_add_seq(d, "images", kv, &why);
	for (size_t i = 0; i < 4; i++)
		free(text[i]);
	if (rc < 0)
		cr_die(CR_EXIT_INPUT, "%s:%zu:%zu: cannot add to images: %s", path, images ? images->line : root->line,
		       images ? images->column : root->column, why);
	return overlay_reparse(path, data, d);
}

struct cr_ydoc *overlay_image_set(const char *path, struct cr_buf *data, struct cr_ydoc *d,
				  const struct overlay_image_arg *a)
{
	if (!entry(d, a->name))
		return add(path, data, d, a);
	if (a->new_name)
		d = field(path, data, d, a->name, "newName", a->new_name);
	if (a->tag)
		d = field(path, data, d, a->name, "newTag", a->tag);
	if (a->digest)
		d = field(path, data, d, a->name, "digest", a->digest);
	if (a->tag && !a->digest)
		d = field(path, data, d, a->name, "digest", NULL);
	if (a->digest && !a->tag)
		d = field(path, data, d, a->name, "newTag", NULL);
	return d;
}

/* Without host and project: the name that set-registry keeps. */
char *overlay_image_basename(const char *ref)
{
	struct cr_image_ref r = CR_IMAGE_REF_INIT;
	const char *why;
	if (cr_image_ref_parse(ref, &r, &why) < 0)
		return NULL;
	const char *slash = strchr(r.path, '/');
	char *name = cr_xstrdup(slash ? slash + 1 : r.path);
	cr_image_ref_free(&r);
	return name;
}
