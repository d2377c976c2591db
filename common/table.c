/* Column-aligned tables in kubectl get's layout. */
#include <stdlib.h>
#include <string.h>

#include "crucible/buf.h"
#include "crucible/table.h"

struct cr_table {
	int ncols;
	size_t nrows, cap; /* rows including the header row */
	char **cells;      /* nrows * ncols */
};

struct cr_table *cr_table_new(int ncols, const char *const *headers)
{
	struct cr_table *t = cr_xmalloc(sizeof(*t));
	t->ncols = ncols;
	t->nrows = t->cap = 0;
	t->cells = NULL;
	cr_table_row(t, headers);
	return t;
}

void cr_table_row(struct cr_table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		t->cells = cr_xrealloc(t->cells, t->cap * (size_t)t->ncols * sizeof(char *));
	}
	for (int c = 0; c < t->ncols; c++)
		t->cells[t->nrows * (size_t)t->ncols + (size_t)c] = cr_xstrdup(cells[c] ? cells[c] : "");
	t->nrows++;
}

void cr_table_print(const struct cr_table *t, FILE *out)
{
	size_t *width = calloc((size_t)t->ncols, sizeof(*width));
	if (!width)
		return;
	for (size_t r = 0; r < t->nrows; r++)
		for (int c = 0; c < t->ncols; c++) {
			size_t w = strlen(t->cells[r * (size_t)t->ncols + (size_t)c]);
			if (w > width[c])
				width[c] = w;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * (size_t)t->ncols + (size_t)c];
			if (c == t->ncols - 1)
				fputs(cell, out);
			else
				fprintf(out, "%-*s   ", (int)width[c], cell);
		}
		fputc('\n', out);
	}
	free(width);
}

void cr_table_free(struct cr_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}
