/* Aligned text tables like kubectl get's: columns padded with three spaces. */
#ifndef CRUCIBLE_TABLE_H
#define CRUCIBLE_TABLE_H

#include <stdio.h>

struct cr_table;

struct cr_table *cr_table_new(int ncols, const char *const *headers);
/* Adds one row of ncols strings (copied). */
void cr_table_row(struct cr_table *t, const char *const *cells);
void cr_table_print(const struct cr_table *t, FILE *out);
void cr_table_free(struct cr_table *t);

#endif
