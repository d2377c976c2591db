/*
 * Reassembling JSON values from a byte stream, e.g. `kubectl get --watch -o
 * json`, which prints each object pretty-printed over many lines. Bytes go
 * in as they arrive (any split); each complete top-level value comes out.
 */
#ifndef CRUCIBLE_JSTREAM_H
#define CRUCIBLE_JSTREAM_H

#include <stddef.h>
#include <jv.h>

/* Called with each complete value (owned by the callee). Return nonzero to stop. */
typedef int (*cr_jstream_fn)(jv value, void *ctx);

struct cr_jstream {
	struct jv_parser *parser;
	cr_jstream_fn fn;
	void *ctx;
	char *error; /* malloc'd parse error, once one happened */
};

void cr_jstream_init(struct cr_jstream *js, cr_jstream_fn fn, void *ctx);
/*
 * Feeds bytes. Returns 0, the callback's nonzero value, or -1 on malformed
 * JSON (message in js->error; the stream is dead after that).
 */
int cr_jstream_feed(struct cr_jstream *js, const char *data, size_t len);
/*
 * The end of the bytes: a value left unfinished (output cut short) is
 * malformed. Returns as cr_jstream_feed; the stream is done after it.
 */
int cr_jstream_end(struct cr_jstream *js);
/* A cr_line_fn (run.h) feeding one stdout line plus its newline; ctx is the cr_jstream. */
int cr_jstream_line(const char *line, size_t len, void *ctx);
/* Starts over (after a reconnect: a cut stream may end mid-value). */
void cr_jstream_reset(struct cr_jstream *js);
void cr_jstream_free(struct cr_jstream *js);

#endif
