/* In-place YAML edits: only the edited bytes change; comments, order and quoting stay. */
#include <stdlib.h>
#include <string.h>

#include "crucible/yedit.h"
#include "tap.h"

static const char doc[] =
	"# top comment\n"
	"kind: Kustomization  # trailing\n"
	"images:\n"
	"  - name: api-service   # the API\n"
	"    newName: \"r.example/p/api-service\"\n"
	"    newTag: 0.1.0\n"
	"  # between items\n"
	"  - name: frontend\n"
	"    newTag: '1.0'\n"
	"replicas:\n"
	"  - {name: frontend, count: 2}\n"
	"labels: {a: b}\n"
	"note: caf\xc3\xa9 \xc3\xa9t\xc3\xa9\n"
	"after: x\n";

static struct cr_ydoc *parse(const char *s)
{
	char *err = NULL;
	struct cr_ydoc *d = cr_ydoc_parse(s, strlen(s), "k.yaml", &err);
	if (!d)
		printf("#   %s\n", err);
	free(err);
	return d;
}

static char *render(struct cr_ydoc *d)
{
	struct cr_buf b = CR_BUF_INIT;
	cr_ydoc_render(d, &b);
	return b.data ? b.data : cr_xstrdup("");
}

/* The i-th item of the top-level key's sequence. */
static const struct cr_ynode *item(struct cr_ydoc *d, const char *key, size_t i)
{
	const struct cr_ynode *s = cr_ynode_get(cr_ydoc_root(d), key, NULL);
	return s && s->kind == CR_YSEQ && i < s->n ? s->items[i] : NULL;
}

static void expect(struct cr_ydoc *d, const char *want, const char *name)
{
	char *got = render(d);
	is_str(got, want, "%s", name);
	free(got);
	cr_ydoc_free(d);
}

/* doc with one substring replaced. */
static char *with(const char *from, const char *to)
{
	const char *at = strstr(doc, from);
	struct cr_buf b = CR_BUF_INIT;
	cr_buf_add(&b, doc, (size_t)(at - doc));
	cr_buf_adds(&b, to);
	cr_buf_adds(&b, at + strlen(from));
	return b.data;
}

int main(void)
{
	const char *why = NULL;
	struct cr_ydoc *d = parse(doc);
	ok(d != NULL, "parses");
	const struct cr_ynode *root = cr_ydoc_root(d);
	ok(root && root->kind == CR_YMAP && root->n == 12, "root is a mapping of six keys");
	const struct cr_ynode *k;
	const struct cr_ynode *v = cr_ynode_get(root, "kind", &k);
	is_str(cr_ynode_str(v), "Kustomization", "a value by key");
	ok(k && k->line == 2 && k->column == 1, "the key's line and column (1-based)");
	v = cr_ynode_get(root, "after", NULL);
	ok(v && !strncmp(doc + v->start, "x\n", 2), "byte spans after multi-byte characters");
	expect(d, doc, "no edits: the same bytes");

	d = parse(doc);
	ok(cr_ydoc_map_set(d, item(d, "images", 0), "newTag", "0.2.0", &why) == 0, "set a value");
	ok(cr_ydoc_map_set(d, item(d, "images", 1), "newTag", "'2.0'", &why) == 0, "set a value that needs quotes");
	char *want = with("newTag: 0.1.0", "newTag: 0.2.0"), *want2 = NULL;
	want2 = strstr(want, "'1.0'");
	memcpy(want2, "'2.0'", 5);
	expect(d, want, "values replaced in place; '2.0' quoted (it would read as a number)");
	free(want);

	d = parse(doc);
	ok(cr_ydoc_map_set(d, item(d, "images", 1), "newName", "r.example/p/frontend", &why) == 0, "add a key");
	want = with("    newTag: '1.0'\n", "    newTag: '1.0'\n    newName: r.example/p/frontend\n");
	expect(d, want, "a new key goes after the item's last line, at its indentation");
	free(want);

	d = parse(doc);
	ok(cr_ydoc_map_set(d, item(d, "images", 0), "digest", "\"sha256:ab\"", &why) == 0 &&
	   cr_ydoc_map_remove(d, item(d, "images", 0), "newTag", &why) == 0, "remove a last key and add one");
	want = with("    newTag: 0.1.0\n", "    digest: \"sha256:ab\"\n");
	expect(d, want, "removal and insertion at the same place");
	free(want);

	d = parse(doc);
	ok(cr_ydoc_map_replace(d, item(d, "images", 0), "newTag", "digest", "\"sha256:ab\"", &why) == 0, "replace an entry");
	want = with("newTag: 0.1.0", "digest: \"sha256:ab\"");
	expect(d, want, "the entry is replaced where it was");
	free(want);

	d = parse(doc);
	ok(cr_ydoc_map_remove(d, item(d, "images", 0), "name", &why) == -1, "the first key of a '- k: v' item stays");
	cr_ydoc_free(d);

	d = parse(doc);
	ok(cr_ydoc_map_set(d, item(d, "replicas", 0), "count", "3", &why) == 0, "set in a flow mapping");
	ok(cr_ydoc_map_set(d, cr_ynode_get(cr_ydoc_root(d), "labels", NULL), "c", "d", &why) == 0,
	   "add to a flow mapping");
	want = with("count: 2}", "count: 3}");
	char *w2 = want;
	{
		struct cr_buf b = CR_BUF_INIT;
		const char *at = strstr(w2, "{a: b}");
		cr_buf_add(&b, w2, (size_t)(at - w2));
		cr_buf_adds(&b, "{a: b, c: d}");
		cr_buf_adds(&b, at + 6);
		want = b.data;
	}
	free(w2);
	expect(d, want, "flow mappings edited inside their braces");
	free(want);

	d = parse(doc);
	const char *kv[] = { "name", "storage-worker", "count", "1", NULL };
	ok(cr_ydoc_seq_append(d, cr_ynode_get(cr_ydoc_root(d), "replicas", NULL), kv, &why) == 0,
	   "append to a sequence of flow items");
	const char *kv2[] = { "name", "executor", "newTag", "'0.3'", NULL };
	ok(cr_ydoc_seq_append(d, cr_ynode_get(cr_ydoc_root(d), "images", NULL), kv2, &why) == 0,
	   "append to a sequence of block items");
	want = with("  - {name: frontend, count: 2}\n",
		    "  - {name: frontend, count: 2}\n  - {name: storage-worker, count: 1}\n");
	w2 = want;
	{
		struct cr_buf b = CR_BUF_INIT;
		const char *at = strstr(w2, "replicas:");
		cr_buf_add(&b, w2, (size_t)(at - w2));
		cr_buf_adds(&b, "  - name: executor\n    newTag: '0.3'\n");
		cr_buf_adds(&b, at);
		want = b.data;
	}
	free(w2);
	expect(d, want, "new items in the style and at the indentation of the first");
	free(want);

	static const char nofinal[] = "kind: Kustomization\nimages:\n- name: a\n  newTag: x";
	d = parse(nofinal);
	ok(cr_ydoc_map_set(d, item(d, "images", 0), "newName", "b", &why) == 0 &&
	   cr_ydoc_top_add_seq(d, "replicas", kv, &why) == 0, "edits at the end of a file without a final newline");
	expect(d, "kind: Kustomization\nimages:\n- name: a\n  newTag: x\n  newName: b\n"
		  "replicas:\n  - name: storage-worker\n    count: 1\n",
	       "an indentless sequence's item grows; a new top-level key at the end");

	d = parse("images:\n- name: a\n  newName: \"b\"# note: x\n");
	ok(d && cr_ydoc_map_set(d, item(d, "images", 0), "newName", "r.example/b", &why) == 0,
	   "a quoted value with a comment right after it (libyaml allows that)");
	expect(d, "images:\n- name: a\n  newName: r.example/b # note: x\n", "the plain value gets a space before the '#'");

	d = parse("images:\n- name: a\n  newTag: &t v1\n- name: b\n  newTag: *t\n");
	ok(d && cr_ydoc_map_set(d, item(d, "images", 0), "newTag", "v2", &why) < 0 &&
	   !strcmp(why, "the value has a tag or anchor"), "a value with an anchor is refused (an alias names it)");
	cr_ydoc_free(d);

	d = parse("images: [{name: a, newTag: !t, digest: }]\n");
	ok(d && cr_ydoc_map_set(d, item(d, "images", 0), "newTag", "v1", &why) < 0 &&
	   !strcmp(why, "the value is a tag or anchor without text"), "a value that is only a tag is refused");
	cr_ydoc_free(d);
	d = parse("images: [{name: a, newTag: , digest: }]\n");
	ok(d && cr_ydoc_map_set(d, item(d, "images", 0), "newTag", "v1", &why) == 0, "an empty value in a flow map");
	expect(d, "images: [{name: a, newTag: v1 , digest: }]\n", "is set where the key was (its space kept)");

	d = parse("replicas:\nkind: K\n");
	ok(d && cr_ydoc_top_add_seq(d, "replicas", kv, &why) == 0, "a key with an empty value");
	expect(d, "replicas:\n  - name: storage-worker\n    count: 1\nkind: K\n", "gets its sequence in place");

	d = parse("replicas: !!null\nkind: K\n");
	ok(d && cr_ydoc_top_add_seq(d, "replicas", kv, &why) < 0 && !strcmp(why, "the key already has a value"),
	   "an empty value with a tag is refused (the tag would be left behind)");
	cr_ydoc_free(d);
	d = parse("replicas:\n   !t\nkind: K\n");
	ok(d && cr_ydoc_top_add_seq(d, "replicas", kv, &why) < 0, "... also with the tag on the next line");
	cr_ydoc_free(d);
	d = parse("replicas: &a\nkind: K\n");
	ok(d && cr_ydoc_top_add_seq(d, "replicas", kv, &why) < 0, "... and with an anchor");
	cr_ydoc_free(d);

	d = parse("! replicas: # none yet\nkind: K\n");
	ok(d && cr_ydoc_top_add_seq(d, "replicas", kv, &why) == 0, "an empty value after a tagged key and a comment");
	expect(d, "! replicas: # none yet\n  - name: storage-worker\n    count: 1\nkind: K\n",
	       "the key's line is kept byte for byte, the items follow it");
	d = parse("? replicas\n:\nkind: K\n");
	ok(d && cr_ydoc_top_add_seq(d, "replicas", kv, &why) < 0 && !strcmp(why, "the key's ':' is not on its line"),
	   "an explicit key (? and : on two lines) is refused");
	cr_ydoc_free(d);
	d = parse("replicas:");
	ok(d && cr_ydoc_top_add_seq(d, "replicas", kv, &why) == 0, "an empty last key without a newline");
	expect(d, "replicas:\n  - name: storage-worker\n    count: 1\n", "gets the newline and its items");

	d = parse("a: |\n  text\n\n# c\nb: 1\n");
	ok(d && cr_ydoc_top_add_seq(d, "x", kv, &why) == 0, "after a block scalar");
	expect(d, "a: |\n  text\n\n# c\nb: 1\nx:\n  - name: storage-worker\n    count: 1\n", "the block scalar is kept");

	char *err = NULL;
	ok(cr_ydoc_parse("a: [1\n", 6, "bad.yaml", &err) == NULL && err && !strncmp(err, "bad.yaml:2:1: ", 14),
	   "malformed YAML: file:line:column");
	printf("#   %s\n", err ? err : "");
	free(err);
	err = NULL;
	ok(cr_ydoc_parse("a: 1\nimages:\r- x\n", 17, "cr.yaml", &err) == NULL && err &&
	   strstr(err, "cr.yaml:2:8: a line break other than LF or CRLF"), "a lone CR is refused at its place");
	free(err);
	err = NULL;
	ok(cr_ydoc_parse("images:\n\xEF\xBB\xBF  - name: x\n", 23, "bom.yaml", &err) == NULL && err &&
	   strstr(err, "bom.yaml:2:1: a byte order mark after the start"), "a BOM inside the document is refused at its place");
	free(err);
	err = NULL;
	struct cr_ydoc *bom = cr_ydoc_parse("\xEF\xBB\xBFimages:\n- name: x\n", 21, "bom0.yaml", &err);
	ok(bom != NULL, "a BOM at the start is fine");
	cr_ydoc_free(bom);
	struct cr_ydoc *crlf = cr_ydoc_parse("a: 1\r\nb: 2\r\n", 12, "crlf.yaml", &err);
	ok(crlf != NULL, "CRLF is fine");
	cr_ydoc_free(crlf);
	ok(cr_ydoc_parse("a: \xE2\x80\xA8" "b\n", 8, "ls.yaml", &err) == NULL && err, "so is a Unicode line separator refused");
	free(err);
	err = NULL;
	ok(cr_ydoc_parse("a: 1\n---\nb: 2\n", 14, "two.yaml", &err) == NULL && err && strstr(err, "two.yaml:2:1: more than one document"),
	   "a second document is refused");
	free(err);
	return tap_done();
}
