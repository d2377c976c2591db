/*
 * validate's checks of the workloads an overlay changes (overlay-workloads.jq):
 * replicas an autoscaler owns, resources patches naming a missing container.
 * This file gathers what the program needs from the kustomization: its
 * replicas: entries, its patches (files or inline, each document with the
 * line of every node) and its own resource files, for file:line findings.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crucible/jq.h"
#include "crucible/manifests.h"
#include "crucible/yaml.h"
#include "overlay.h"

/*
 * Appends text's documents to *out as {file, offset, doc, lines, target}
 * (target consumed). Text that does not parse is left out: kustomize has
 * rendered the overlay, so it is not a patch kustomize read.
 */
static void add_docs(jv *out, const char *file, const char *text, size_t len, size_t offset, jv target)
{
	jv lines = jv_invalid();
	jv docs = cr_yaml_parse(text, len, file, &lines);
	if (jv_is_valid(docs)) {
		jv_array_foreach(docs, i, doc) {
			*out = jv_array_append(*out, JV_OBJECT(jv_string("file"), jv_string(file), jv_string("offset"),
							       jv_number((double)offset), jv_string("doc"), doc,
							       jv_string("lines"), jv_array_get(jv_copy(lines), i),
							       jv_string("target"), jv_copy(target)));
		}
	}
	jv_free(docs);
	jv_free(lines);
	jv_free(target);
}

/* A file of the overlay (a name relative to dir; directories and URLs are not). */
static void add_file(jv *out, const char *dir, const char *rel, jv target)
{
	struct cr_buf path = CR_BUF_INIT, data = CR_BUF_INIT;
	struct stat st;
	cr_buf_addf(&path, "%s/%s", dir, rel);
	if (stat(path.data, &st) == 0 && S_ISREG(st.st_mode) && cr_read_file(path.data, &data) == 0)
		add_docs(out, path.data, data.data ? data.data : "", data.len, 0, target);
	else
		jv_free(target);
	cr_buf_free(&path);
	cr_buf_free(&data);
}

/*
 * An inline patch, a string in the kustomization: its lines counted from
 * the scalar's (a block scalar's text starts on the line after '|').
 */
static void add_inline(jv *out, const char *kfile, const char *src, const struct cr_ynode *n, jv target)
{
	bool block = src[n->start] == '|' || src[n->start] == '>';
	add_docs(out, kfile, n->value, n->len, block ? n->line : n->line - 1, target);
}

/* A patches: entry's target: {kind, name} (null when it has none). */
static jv target_of(const struct cr_ynode *entry)
{
	const struct cr_ynode *t = cr_ynode_get(entry, "target", NULL);
	if (!t || t->kind != CR_YMAP)
		return jv_null();
	const char *kind = cr_ynode_str(cr_ynode_get(t, "kind", NULL)), *name = cr_ynode_str(cr_ynode_get(t, "name", NULL));
	return JV_OBJECT(jv_string("kind"), kind ? jv_string(kind) : jv_null(), jv_string("name"),
			 name ? jv_string(name) : jv_null());
}

static bool is_seq(const struct cr_ynode *n)
{
	return n && n->kind == CR_YSEQ;
}

void overlay_check_workloads(const char *dir, const char *kfile, const struct cr_ydoc *d, const char *src,
			     jv objects, jv *findings)
{
	const struct cr_ynode *root = cr_ydoc_root(d);
	const struct cr_ynode *reps = cr_ynode_get(root, "replicas", NULL), *patches = cr_ynode_get(root, "patches", NULL);
	const struct cr_ynode *smp = cr_ynode_get(root, "patchesStrategicMerge", NULL);
	const struct cr_ynode *resources = cr_ynode_get(root, "resources", NULL);
	jv entries = jv_array(), docs = jv_array(), sources = jv_array();
	for (size_t i = 0; is_seq(reps) && i < reps->n; i++) {
		const char *name = cr_ynode_str(cr_ynode_get(reps->items[i], "name", NULL));
		const char *count = cr_ynode_str(cr_ynode_get(reps->items[i], "count", NULL));
		if (name)
			entries = jv_array_append(entries, JV_OBJECT(jv_string("name"), jv_string(name), jv_string("count"),
								     count ? jv_string(count) : jv_null(), jv_string("line"),
								     jv_number((double)reps->items[i]->line)));
	}
	for (size_t i = 0; is_seq(patches) && i < patches->n; i++) {
		const struct cr_ynode *e = patches->items[i];
		const struct cr_ynode *inl = cr_ynode_get(e, "patch", NULL);
		const char *file = cr_ynode_str(cr_ynode_get(e, "path", NULL));
		if (cr_ynode_str(inl))
			add_inline(&docs, kfile, src, inl, target_of(e));
		else if (file)
			add_file(&docs, dir, file, target_of(e));
	}
	/* patchesStrategicMerge: a file name, or a patch written inline. */
	for (size_t i = 0; is_seq(smp) && i < smp->n; i++) {
		const struct cr_ynode *e = smp->items[i];
		if (!cr_ynode_str(e))
			continue;
		if (strchr(e->value, '\n') || strchr(e->value, ':'))
			add_inline(&docs, kfile, src, e, jv_null());
		else
			add_file(&docs, dir, e->value, jv_null());
	}
	for (size_t i = 0; is_seq(resources) && i < resources->n; i++)
		if (cr_ynode_str(resources->items[i]))
			add_file(&sources, dir, resources->items[i]->value, jv_null());
	jv in = JV_OBJECT(jv_string("file"), jv_string(kfile), jv_string("objects"), objects, jv_string("replicas"),
			  entries, jv_string("patches"), docs, jv_string("sources"), sources);
	jv found = cr_jq_named_first("overlay-workloads", in);
	*findings = jv_array_concat(*findings, found);
}
