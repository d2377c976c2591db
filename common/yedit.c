/*
 * In-place YAML edits: nodes with byte spans from libyaml's events, edits as
 * splices of the source. libyaml's marks count characters, not bytes: a
 * table turns a mark's index into a byte offset.
 */
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "crucible/yaml.h"
#include "crucible/yedit.h"

#define MAX_DEPTH CR_YAML_MAX_DEPTH

struct edit {
	size_t start, end; /* replaced span; start == end: an insertion */
	char *text;
	size_t seq;        /* insertions at one offset keep their order */
};

struct cr_ydoc {
	const char *src;
	size_t len;
	size_t *offset;    /* byte offset of each character index */
	size_t nchars;
	struct cr_ynode *root;
	struct edit *edits;
	size_t nedits, cap;
	bool final_newline; /* an insertion at the end gave the last line its newline */
};

static size_t byte_of(const struct cr_ydoc *d, size_t index)
{
	return index < d->nchars ? d->offset[index] : d->len;
}

static void node_free(struct cr_ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		node_free(n->items[i]);
	free(n->items);
	free(n->value);
	free(n);
}

static struct cr_ynode *node_new(struct cr_ydoc *d, enum cr_ynode_kind kind, const yaml_event_t *ev)
{
	struct cr_ynode *n = cr_xmalloc(sizeof(*n));
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->start = byte_of(d, ev->start_mark.index);
	n->end = byte_of(d, ev->end_mark.index);
	n->line = ev->start_mark.line + 1;
	n->column = ev->start_mark.column + 1;
	return n;
}

static void node_add(struct cr_ynode *parent, struct cr_ynode *child)
{
	parent->items = cr_xrealloc(parent->items, (parent->n + 1) * sizeof(*parent->items));
	parent->items[parent->n++] = child;
}

struct pctx {
	yaml_parser_t p;
	struct cr_ydoc *d;
	const char *name;
	char *err;
};

static void set_error(struct pctx *c, yaml_mark_t m, const char *problem)
{
	struct cr_buf b = CR_BUF_INIT;
	cr_buf_addf(&b, "%s:%zu:%zu: %s", c->name, m.line + 1, m.column + 1, problem);
	free(c->err);
	c->err = b.data;
}

static bool next(struct pctx *c, yaml_event_t *ev)
{
	if (yaml_parser_parse(&c->p, ev))
		return true;
	set_error(c, c->p.problem_mark, c->p.problem ? c->p.problem : "cannot parse YAML");
	return false;
}

/* Builds the node for ev (consumed) and everything inside it. */
static struct cr_ynode *parse_node(struct pctx *c, yaml_event_t *ev, int depth)
{
	struct cr_ynode *n = NULL;
	if (depth > MAX_DEPTH) {
		set_error(c, ev->start_mark, "nesting too deep");
		yaml_event_delete(ev);
		return NULL;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n = node_new(c->d, CR_YSCALAR, ev);
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		n->len = ev->data.scalar.length;
		n->value = cr_xmalloc(n->len + 1);
		memcpy(n->value, ev->data.scalar.value, n->len);
		n->value[n->len] = '\0';
		yaml_event_delete(ev);
		return n;
	case YAML_ALIAS_EVENT:
		n = node_new(c->d, CR_YALIAS, ev);
		yaml_event_delete(ev);
		return n;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
		n = node_new(c->d, seq ? CR_YSEQ : CR_YMAP, ev);
		n->flow = seq ? ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE :
				ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
		yaml_event_delete(ev);
		for (;;) {
			yaml_event_t e;
			if (!next(c, &e)) {
				node_free(n);
				return NULL;
			}
			if (e.type == YAML_SEQUENCE_END_EVENT || e.type == YAML_MAPPING_END_EVENT) {
				if (n->flow) /* just after the closing bracket */
					n->end = byte_of(c->d, e.end_mark.index);
				yaml_event_delete(&e);
				return n;
			}
			struct cr_ynode *child = parse_node(c, &e, depth + 1);
			if (!child) {
				node_free(n);
				return NULL;
			}
			node_add(n, child);
		}
	}
	default:
		set_error(c, ev->start_mark, "unexpected YAML event");
		yaml_event_delete(ev);
		return NULL;
	}
}

static void index_chars(struct cr_ydoc *d)
{
	d->offset = cr_xmalloc((d->len + 1) * sizeof(*d->offset));
	size_t i = 0;
	/* libyaml skips a byte order mark without counting it. */
	if (d->len >= 3 && !memcmp(d->src, "\xEF\xBB\xBF", 3))
		i = 3;
	for (; i < d->len; i++)
		if (((unsigned char)d->src[i] & 0xC0) != 0x80)
			d->offset[d->nchars++] = i;
}

/*
 * The edits find lines by LF and columns by characters: a lone CR, NEL, LS
 * or PS (line breaks to libyaml) would put an inserted line at the wrong
 * indentation, and so would a byte order mark after the first byte (libyaml
 * skips one at the start of a line, but counts it as a column), so a
 * document with one is refused. Returns its offset, or len, and what it is.
 */
static size_t cannot_edit(const char *s, size_t len, const char **what)
{
	*what = "a line break other than LF or CRLF (a lone CR, NEL, LS or PS)";
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n'))
			return i;
		if (i + 1 < len && !memcmp(s + i, "\xC2\x85", 2))
			return i;
		if (i + 2 < len && (!memcmp(s + i, "\xE2\x80\xA8", 3) || !memcmp(s + i, "\xE2\x80\xA9", 3)))
			return i;
		if (i > 0 && i + 2 < len && !memcmp(s + i, "\xEF\xBB\xBF", 3)) {
			*what = "a byte order mark after the start";
			return i;
		}
	}
	return len;
}

struct cr_ydoc *cr_ydoc_parse(const char *data, size_t len, const char *name, char **err)
{
	const char *what;
	size_t bad = cannot_edit(data, len, &what);
	if (bad < len) {
		size_t line = 1, start = 0;
		for (size_t i = 0; i < bad; i++)
			if (data[i] == '\n')
				line++, start = i + 1;
		struct cr_buf b = CR_BUF_INIT;
		cr_buf_addf(&b, "%s:%zu:%zu: %s: cannot edit in place", name, line, bad - start + 1, what);
		*err = b.data;
		return NULL;
	}
	struct cr_ydoc *d = cr_xmalloc(sizeof(*d));
	memset(d, 0, sizeof(*d));
	d->src = data;
	d->len = len;
	index_chars(d);
	struct pctx c = { .d = d, .name = name, .err = NULL };
	yaml_parser_initialize(&c.p);
	yaml_parser_set_input_string(&c.p, (const unsigned char *)data, len);
	yaml_event_t ev;
	bool ok = true;
	int docs = 0;
	while (ok && (ok = next(&c, &ev))) {
		yaml_event_type_t t = ev.type;
		if (t == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (t == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
			set_error(&c, ev.start_mark, "more than one document");
			yaml_event_delete(&ev);
			ok = false;
		} else if (t == YAML_SCALAR_EVENT || t == YAML_ALIAS_EVENT ||
			   t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) {
			d->root = parse_node(&c, &ev, 0);
			ok = d->root != NULL;
		} else {
			yaml_event_delete(&ev);
		}
	}
	yaml_parser_delete(&c.p);
	if (!ok) {
		*err = c.err;
		cr_ydoc_free(d);
		return NULL;
	}
	free(c.err);
	return d;
}

const struct cr_ynode *cr_ydoc_root(const struct cr_ydoc *d)
{
	return d->root;
}

void cr_ydoc_free(struct cr_ydoc *d)
{
	if (!d)
		return;
	node_free(d->root);
	for (size_t i = 0; i < d->nedits; i++)
		free(d->edits[i].text);
	free(d->edits);
	free(d->offset);
	free(d);
}

const char *cr_ynode_str(const struct cr_ynode *n)
{
	return n && n->kind == CR_YSCALAR ? n->value : NULL;
}

static int key_index(const struct cr_ynode *map, const char *key)
{
	if (!map || map->kind != CR_YMAP)
		return -1;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const char *k = cr_ynode_str(map->items[i]);
		if (k && !strcmp(k, key))
			return (int)i;
	}
	return -1;
}

const struct cr_ynode *cr_ynode_get(const struct cr_ynode *map, const char *key,
				    const struct cr_ynode **keyp)
{
	int i = key_index(map, key);
	if (keyp)
		*keyp = i < 0 ? NULL : map->items[i];
	return i < 0 ? NULL : map->items[i + 1];
}

/* ---- splicing --------------------------------------------------------- */

static void add_edit(struct cr_ydoc *d, size_t start, size_t end, char *text)
{
	if (d->nedits == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->edits = cr_xrealloc(d->edits, d->cap * sizeof(*d->edits));
	}
	d->edits[d->nedits] = (struct edit){ start, end, text, d->nedits };
	d->nedits++;
}

/* The scalar's YAML text: plain when it reads back as the string, else quoted. */
static void scalar_text(struct cr_buf *out, const char *value)
{
	struct cr_buf b = CR_BUF_INIT;
	if (cr_yaml_emit(jv_string(value), &b) == 0) {
		size_t n = b.len;
		while (n && b.data[n - 1] == '\n')
			n--;
		cr_buf_add(out, b.data, n);
	}
	cr_buf_free(&b);
}

/* Where the line holding off starts. */
static size_t line_start(const struct cr_ydoc *d, size_t off)
{
	while (off > 0 && d->src[off - 1] != '\n')
		off--;
	return off;
}

/* Just after the newline ending the line that holds off (len when none). */
static size_t after_line(const struct cr_ydoc *d, size_t off)
{
	while (off < d->len && d->src[off] != '\n')
		off++;
	return off < d->len ? off + 1 : d->len;
}

/* The end of a node's own text: a block collection ends with its last item. */
static size_t content_end(const struct cr_ynode *n)
{
	if ((n->kind == CR_YMAP || n->kind == CR_YSEQ) && !n->flow && n->n)
		return content_end(n->items[n->n - 1]);
	return n->end;
}

/* Where a new line goes after node n: after its line (a block scalar already ends one). */
static size_t insert_point(const struct cr_ydoc *d, const struct cr_ynode *n)
{
	size_t e = content_end(n);
	if (e > 0 && e <= d->len && d->src[e - 1] == '\n')
		return e;
	return after_line(d, e > 0 ? e - 1 : 0);
}

/* Inserts whole lines at off, adding the newline a last line may lack. */
static void insert_lines(struct cr_ydoc *d, size_t off, struct cr_buf *lines)
{
	struct cr_buf t = CR_BUF_INIT;
	if (off == d->len && d->len && d->src[d->len - 1] != '\n' && !d->final_newline) {
		cr_buf_adds(&t, "\n");
		d->final_newline = true;
	}
	cr_buf_add(&t, lines->data, lines->len);
	cr_buf_free(lines);
	add_edit(d, off, off, t.data);
}

static void indent(struct cr_buf *b, size_t column)
{
	for (size_t i = 1; i < column; i++)
		cr_buf_adds(b, " ");
}

char *cr_ydoc_quote(const char *s)
{
	struct cr_buf b = CR_BUF_INIT;
	scalar_text(&b, s);
	return b.data ? b.data : cr_xstrdup("\"\"");
}

static void entry_text(struct cr_buf *b, const char *key, const char *text)
{
	scalar_text(b, key);
	cr_buf_adds(b, ": ");
	cr_buf_adds(b, text);
}

/* libyaml takes a '#' right after a quoted scalar ("a"#x) for a comment; after
 * the plain text that replaces it, the '#' would join the scalar. */
static void keep_comment(const struct cr_ydoc *d, size_t end, struct cr_buf *t)
{
	if (end < d->len && d->src[end] == '#')
		cr_buf_adds(t, " ");
}

int cr_ydoc_map_set(struct cr_ydoc *d, const struct cr_ynode *map, const char *key,
		    const char *value, const char **why)
{
	if (!map || map->kind != CR_YMAP) {
		*why = "not a mapping";
		return -1;
	}
	int i = key_index(map, key);
	struct cr_buf t = CR_BUF_INIT;
	if (i >= 0) {
		const struct cr_ynode *v = map->items[i + 1];
		if (v->kind != CR_YSCALAR) {
			*why = "the value is not a scalar";
			return -1;
		}
		if (v->plain && v->len == 0) /* "key:" with nothing: rewrite the entry */
			return cr_ydoc_map_replace(d, map, key, key, value, why);
		/* The node's text starts with its properties: replacing it would drop
		 * an anchor that an alias elsewhere names. */
		if (d->src[v->start] == '&' || d->src[v->start] == '!') {
			*why = "the value has a tag or anchor";
			return -1;
		}
		cr_buf_adds(&t, value);
		keep_comment(d, v->end, &t);
		add_edit(d, v->start, v->end, t.data);
		return 0;
	}
	if (map->flow) {
		size_t close = map->end ? map->end - 1 : 0;
		if (map->n) {
			cr_buf_adds(&t, ", ");
			entry_text(&t, key, value);
			add_edit(d, map->items[map->n - 1]->end, map->items[map->n - 1]->end, t.data);
		} else {
			entry_text(&t, key, value);
			add_edit(d, close, close, t.data);
		}
		return 0;
	}
	indent(&t, map->items[0]->column);
	entry_text(&t, key, value);
	cr_buf_adds(&t, "\n");
	insert_lines(d, insert_point(d, map->items[map->n - 1]), &t);
	return 0;
}

int cr_ydoc_map_replace(struct cr_ydoc *d, const struct cr_ynode *map, const char *old,
			const char *key, const char *value, const char **why)
{
	int i = key_index(map, old);
	if (i < 0) {
		*why = "no such key";
		return -1;
	}
	const struct cr_ynode *k = map->items[i], *v = map->items[i + 1];
	if (v->kind != CR_YSCALAR) {
		*why = "the value is not a scalar";
		return -1;
	}
	if (v->plain && !v->len && v->start != v->end) { /* key: !tag or key: &anchor, nothing else */
		*why = "the value is a tag or anchor without text";
		return -1;
	}
	struct cr_buf t = CR_BUF_INIT;
	entry_text(&t, key, value);
	/* An empty plain value has no text of its own: the entry ends with the key's ':'. */
	size_t end = v->len || !v->plain ? v->end : k->end;
	if (end == k->end && end < d->len && d->src[end] == ':')
		end++;
	keep_comment(d, end, &t);
	add_edit(d, k->start, end, t.data);
	return 0;
}

int cr_ydoc_map_remove(struct cr_ydoc *d, const struct cr_ynode *map, const char *key,
		       const char **why)
{
	int i = key_index(map, key);
	if (i < 0) {
		*why = "no such key";
		return -1;
	}
	const struct cr_ynode *k = map->items[i], *v = map->items[i + 1];
	if (map->flow) {
		if (i > 0)
			add_edit(d, map->items[i - 1]->end, v->end, cr_xstrdup(""));
		else if (map->n > 2)
			add_edit(d, k->start, map->items[2]->start, cr_xstrdup(""));
		else
			add_edit(d, k->start, v->end, cr_xstrdup(""));
		return 0;
	}
	size_t from = line_start(d, k->start);
	for (size_t p = from; p < k->start; p++)
		if (d->src[p] != ' ') {
			*why = "the key shares its line with other text";
			return -1;
		}
	add_edit(d, from, insert_point(d, v), cr_xstrdup(""));
	return 0;
}

static void flow_item(struct cr_buf *t, const char *const *kv)
{
	cr_buf_adds(t, "{");
	for (size_t j = 0; kv[j]; j += 2) {
		if (j)
			cr_buf_adds(t, ", ");
		entry_text(t, kv[j], kv[j + 1]);
	}
	cr_buf_adds(t, "}");
}

/* "- k: v\n  k2: v2\n" with the dash at column dash (1-based). */
static void block_item(struct cr_buf *t, size_t dash, const char *const *kv)
{
	for (size_t j = 0; kv[j]; j += 2) {
		indent(t, dash);
		cr_buf_adds(t, j ? "  " : "- ");
		entry_text(t, kv[j], kv[j + 1]);
		cr_buf_adds(t, "\n");
	}
}

int cr_ydoc_seq_append(struct cr_ydoc *d, const struct cr_ynode *seq, const char *const *kv,
		       const char **why)
{
	if (!seq || seq->kind != CR_YSEQ) {
		*why = "not a sequence";
		return -1;
	}
	struct cr_buf t = CR_BUF_INIT;
	if (seq->flow) {
		const struct cr_ynode *last = seq->n ? seq->items[seq->n - 1] : NULL;
		if (last)
			cr_buf_adds(&t, ", ");
		flow_item(&t, kv);
		size_t at = last ? last->end : seq->end - 1;
		add_edit(d, at, at, t.data);
		return 0;
	}
	const struct cr_ynode *first = seq->items[0];
	/* The dash sits before the first item on its line. */
	size_t dash = first->start;
	while (dash > 0 && d->src[dash - 1] == ' ')
		dash--;
	if (dash == 0 || d->src[dash - 1] != '-') {
		*why = "cannot find the sequence's '-'";
		return -1;
	}
	dash--;
	size_t dash_column = dash - line_start(d, dash) + 1;
	if (first->kind == CR_YMAP && first->flow) {
		indent(&t, dash_column);
		cr_buf_adds(&t, "- ");
		flow_item(&t, kv);
		cr_buf_adds(&t, "\n");
	} else {
		block_item(&t, dash_column, kv);
	}
	insert_lines(d, insert_point(d, seq->items[seq->n - 1]), &t);
	return 0;
}

/* Whether only ':' and then spaces or a comment follow off on its line. */
static bool colon_ends_line(const struct cr_ydoc *d, size_t off)
{
	while (off < d->len && d->src[off] == ' ')
		off++;
	if (off == d->len || d->src[off] != ':')
		return false;
	for (off++; off < d->len && d->src[off] == ' '; off++)
		;
	return off == d->len || d->src[off] == '\n' || d->src[off] == '#' ||
	       (d->src[off] == '\r' && off + 1 < d->len && d->src[off + 1] == '\n');
}

int cr_ydoc_top_add_seq(struct cr_ydoc *d, const char *key, const char *const *kv,
			const char **why)
{
	const struct cr_ynode *root = d->root;
	if (!root || root->kind != CR_YMAP || root->flow) {
		*why = "the document is not a block mapping";
		return -1;
	}
	const struct cr_ynode *k;
	const struct cr_ynode *v = cr_ynode_get(root, key, &k);
	struct cr_buf t = CR_BUF_INIT;
	size_t column = root->items[0]->column;
	/* Empty means no text at all: a tag or anchor (even on the next line)
	 * would be left behind, dangling. */
	if (v && !(v->kind == CR_YSCALAR && v->plain && v->len == 0 && v->start == v->end)) {
		*why = "the key already has a value";
		return -1;
	}
	if (v) {
		/* The key's line stays as it is (its tag, quotes, comment): the
		 * items go after it, which needs "key:" to end that line. */
		if (!colon_ends_line(d, k->end)) {
			*why = "the key's ':' is not on its line";
			return -1;
		}
		block_item(&t, column + 2, kv);
		insert_lines(d, after_line(d, k->end), &t);
		return 0;
	}
	indent(&t, column);
	scalar_text(&t, key);
	cr_buf_adds(&t, ":\n");
	block_item(&t, column + 2, kv);
	insert_lines(d, d->len, &t);
	return 0;
}

static int by_position(const void *a, const void *b)
{
	const struct edit *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void cr_ydoc_render(const struct cr_ydoc *d, struct cr_buf *out)
{
	struct edit *e = cr_xmalloc((d->nedits ? d->nedits : 1) * sizeof(*e));
	if (d->nedits)
		memcpy(e, d->edits, d->nedits * sizeof(*e));
	qsort(e, d->nedits, sizeof(*e), by_position);
	size_t at = 0;
	for (size_t i = 0; i < d->nedits; i++) {
		if (e[i].start < at) /* overlapping edits: a caller's bug; keep the first */
			continue;
		cr_buf_add(out, d->src + at, e[i].start - at);
		cr_buf_adds(out, e[i].text);
		at = e[i].end;
	}
	cr_buf_add(out, d->src + at, d->len - at);
	free(e);
}
