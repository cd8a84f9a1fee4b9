/* csv_io.h — RFC 4180 CSV writing and reading through libcsv.
 *
 * Writing: one row at a time to a FILE*; a field is quoted (by libcsv's
 * csv_fwrite, which doubles embedded quotes) only when it holds a comma,
 * quote, CR, LF or leading/trailing space or tab, so plain values stay plain for
 * pandas, R and diff.  Rows end in LF (pandas, R and libcsv read it; the
 * choice is documented in docs/columns.md).
 * Reading: a whole CSV file parsed by libcsv into rows of fields, with the
 * header row used to find columns by name.
 */
#ifndef MPCAP_CSV_IO_H
#define MPCAP_CSV_IO_H

#include <stddef.h>
#include <stdio.h>

/* Writes one row; returns 0, or -1 on a write error (errno set). */
int csv_write_row(FILE *fp, const char *const *fields, size_t n);

/* A parsed CSV file: rows[r][c] are NUL-terminated strings. */
struct csv_table {
	size_t nrows; /* data rows, header excluded */
	size_t ncols; /* header columns */
	char **header;
	char ***rows; /* each row has exactly ncols fields */
};

/* Reads path.  Fails (-1, err says file, line and reason) on a libcsv parse
 * error or a row whose field count differs from the header's. */
int csv_table_read(const char *path, struct csv_table *out, char *err, size_t errlen);
/* Column index by header name, or -1. */
int csv_table_col(const struct csv_table *t, const char *name);
void csv_table_free(struct csv_table *t);

#endif
