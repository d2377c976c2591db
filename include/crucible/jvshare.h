/*
 * Hash-consing of parsed JSON: equal subtrees of many documents become one
 * shared jv (pods of one Deployment have the same spec, labels, owner
 * references...), so holding N similar objects costs little more than one.
 * The table lives only while documents are read; the values it returned stay
 * valid after it is freed.
 */
#ifndef CRUCIBLE_JVSHARE_H
#define CRUCIBLE_JVSHARE_H

#include <jv.h>

struct cr_jvshare;

struct cr_jvshare *cr_jvshare_new(void);
/*
 * v (consumed) with every array and object replaced by an equal one
 * already seen when there is one; the result is equal to v. Cheapest on a
 * freshly parsed value, whose parts are not shared yet (changed in place).
 */
jv cr_jvshare(struct cr_jvshare *s, jv v);
/* Unique values the table holds (for tests). */
int cr_jvshare_count(const struct cr_jvshare *s);
void cr_jvshare_free(struct cr_jvshare *s);

#endif
