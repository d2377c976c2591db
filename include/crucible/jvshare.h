/*
 * Parsing many similar JSON documents into shared values (hash-consing):
 * an object or array whose text was seen before, in any document read
 * through the same table, is the value built then, not a new one. Pods of
 * one Deployment print the same spec, labels and owner references, so
 * holding N of them costs little more than one, and their repeated parts
 * are not parsed again. The table lives only while documents are read; the
 * values stay valid after it is freed.
 */
#ifndef CRUCIBLE_JVSHARE_H
#define CRUCIBLE_JVSHARE_H

#include <stddef.h>
#include <jv.h>

struct cr_jvshare;

struct cr_jvshare *cr_jvshare_new(void);
/*
 * The JSON text (one value, as jv_parse_sized reads it) as a jv equal to
 * what jv_parse_sized gives, sharing the parts seen before; invalid (with
 * libjq's message) when the text is not JSON.
 */
jv cr_jvshare_parse(struct cr_jvshare *s, const char *text, size_t len);
/* The distinct objects and arrays the table holds (for tests). */
int cr_jvshare_count(const struct cr_jvshare *s);
void cr_jvshare_free(struct cr_jvshare *s);

#endif
