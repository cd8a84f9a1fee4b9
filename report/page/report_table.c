/* report_table.c — in-memory tables of the report (see report.h): rows of
 * text under a header declared in columns.c, written as CSV through libcsv. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/page/report.h"

void rp_table_init(struct rp_table *t, enum column_set_id colset)
{
	memset(t, 0, sizeof *t);
	t->colset = colset;
	t->ncols = column_set_get(colset)->n;
}

int rp_table_add(struct rp_table *t, const char *const *fields)
{
	if (t->nrows == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 64;
		char **n = realloc(t->cells, nc * t->ncols * sizeof *n);
		if (!n)
			return -1;
		t->cells = n;
		t->cap = nc;
	}
	char **row = t->cells + t->nrows * t->ncols;
	for (size_t c = 0; c < t->ncols; c++) {
		row[c] = strdup(fields[c] ? fields[c] : "");
		if (!row[c]) {
			for (size_t k = 0; k < c; k++)
				free(row[k]);
			return -1;
		}
	}
	t->nrows++;
	return 0;
}

const char *rp_table_cell(const struct rp_table *t, size_t row, size_t col)
{
	return row < t->nrows && col < t->ncols ? t->cells[row * t->ncols + col] : "";
}

int rp_table_col(const struct rp_table *t, const char *name)
{
	const struct column_set *s = column_set_get(t->colset);
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->cols[i].name, name) == 0)
			return (int)i;
	return -1;
}

int rp_table_write(const struct rp_table *t, FILE *fp)
{
	if (column_set_write_header(fp, t->colset) != 0)
		return -1;
	for (size_t r = 0; r < t->nrows; r++)
		if (csv_write_row(fp, (const char *const *)(t->cells + r * t->ncols), t->ncols) != 0)
			return -1;
	return 0;
}

void rp_table_free(struct rp_table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->cap = 0;
}
