/*
 * Editing a YAML document in place, keeping the user's bytes: comments, key
 * order, quoting and blank lines outside the edited spans survive (libyaml's
 * emitter would drop comments). The document is parsed once with libyaml's
 * event API into nodes that know their byte spans; edits are recorded as
 * span replacements and insertions, and the result is the source with the
 * edits spliced in.
 *
 * Edits must not overlap: edit each node once per document.
 */
#ifndef CRUCIBLE_YEDIT_H
#define CRUCIBLE_YEDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum cr_ynode_kind { CR_YSCALAR, CR_YMAP, CR_YSEQ, CR_YALIAS };

struct cr_ynode {
	enum cr_ynode_kind kind;
	size_t start, end;       /* byte offsets of the node's text in the source */
	size_t line, column;     /* 1-based, where the node starts */
	bool flow;               /* a {...} or [...] collection */
	bool plain;              /* a plain (unquoted) scalar */
	char *value;             /* scalar text (NUL-terminated; len bytes) */
	size_t len;
	struct cr_ynode **items; /* sequence items; mapping keys and values alternate */
	size_t n;
};

struct cr_ydoc;

/*
 * Parses the (single) document in data, which must stay valid while the
 * document is used. On error returns NULL and sets *err (malloc'd) to
 * "name:line:column: problem".
 */
struct cr_ydoc *cr_ydoc_parse(const char *data, size_t len, const char *name, char **err);
const struct cr_ynode *cr_ydoc_root(const struct cr_ydoc *d);
void cr_ydoc_free(struct cr_ydoc *d);

/* The value of key in a mapping, or NULL; with keyp, also the key node. */
const struct cr_ynode *cr_ynode_get(const struct cr_ynode *map, const char *key,
				    const struct cr_ynode **keyp);
/* A scalar's text, or NULL for any other node (or NULL). */
const char *cr_ynode_str(const struct cr_ynode *n);

/*
 * Edits. Values are the YAML text of single-line scalars ("3" is a number;
 * a string goes through cr_ydoc_quote); keys are strings. Each returns 0,
 * or -1 when the edit is not possible in place (the reason in *why, static).
 */
/* A string's YAML text: plain when it reads back as the same string, else quoted (malloc'd). */
char *cr_ydoc_quote(const char *s);
/* Sets key's value in map, adding the key after the last one when absent. */
int cr_ydoc_map_set(struct cr_ydoc *d, const struct cr_ynode *map, const char *key,
		    const char *value, const char **why);
/* Replaces the entry old (key and value) with new: value, where old was. */
int cr_ydoc_map_replace(struct cr_ydoc *d, const struct cr_ynode *map, const char *old,
			const char *key, const char *value, const char **why);
/* Removes key (its whole line in block style); not the first key of a "- k: v" item. */
int cr_ydoc_map_remove(struct cr_ydoc *d, const struct cr_ynode *map, const char *key,
		       const char **why);
/*
 * Appends a mapping item (keys and values alternating, NULL-terminated) to a
 * sequence, in the style of its first item ("- {k: v}" or block).
 */
int cr_ydoc_seq_append(struct cr_ydoc *d, const struct cr_ynode *seq, const char *const *kv,
		       const char **why);
/*
 * Gives the top-level mapping a key whose value is a block sequence of one
 * mapping item (kv as above): at the end of the document when absent, in
 * place of an empty value when present.
 */
int cr_ydoc_top_add_seq(struct cr_ydoc *d, const char *key, const char *const *kv,
			const char **why);

/* Appends the edited document to out. */
void cr_ydoc_render(const struct cr_ydoc *d, struct cr_buf *out);

#endif
