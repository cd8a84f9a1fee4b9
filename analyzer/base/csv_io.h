/* csv_io.h — RFC 4180 CSV writing and reading through libcsv.
 *
 * Writing: one row at a time to a FILE*; a field is quoted (by libcsv's
 * csv_fwrite, which doubles embedded quotes) only when it holds a comma,
 * quote, CR, LF or leading/trailing space or tab, so plain values stay plain for
 * pandas, R and diff.  Rows end in LF (pandas, R and libcsv read it; the
 * choice is documented in docs/columns.md).  A field a spreadsheet would run
 * as a formula (OWASP CSV injection: starting with =, +, -, @, tab or CR, and
 * not a decimal number such as -5 or +1e3) is written with a leading
 * apostrophe and quoted: "'=HYPERLINK(...)"; read back, it keeps the
 * apostrophe.
 * Reading: a file streamed through libcsv row by row (csv_reader: memory
 * holds one row, however long the file), or read whole into a table
 * (csv_table, for small files); the header row finds columns by name.
 * Parsing is strict (CSV_STRICT): a stray quote is an error, never guessed.
 * Or a stream of bytes fed piece by piece (e.g. decompressed on the fly),
 * each row handed to a callback (csv_stream).
 */
#ifndef MPCAP_CSV_IO_H
#define MPCAP_CSV_IO_H

#include <stddef.h>
#include <stdio.h>

/* Writes one row; returns 0, or -1 on a write error (errno set). */
int csv_write_row(FILE *fp, const char *const *fields, size_t n);

/* The bytes csv_write_row() would write for this row (its newline included),
 * into buf[0, cap): their number, or 0 when they do not fit (nothing useful
 * is left in buf then).  For writers that hand whole rows to fwrite(). */
size_t csv_format_row(char *buf, size_t cap, const char *const *fields, size_t n);

/* A CSV file read row by row. */
struct csv_reader;

/* Opens path and reads its header row.  NULL with err (naming the file) when
 * it cannot be opened, is not CSV or is empty. */
struct csv_reader *csv_reader_open(const char *path, char *err, size_t errlen);
const char *csv_reader_path(const struct csv_reader *r);
size_t csv_reader_ncols(const struct csv_reader *r);
const char *csv_reader_header(const struct csv_reader *r, size_t col);
/* Column index by header name, or -1. */
int csv_reader_col(const struct csv_reader *r, const char *name);
/* The next data row: 1 with *fields pointing at ncols NUL-terminated
 * strings (valid until the next call), 0 at the end of the file, -1 with err
 * (file, record and reason) on a parse error or a row whose field count
 * differs from the header's. */
int csv_reader_next(struct csv_reader *r, char *const **fields, char *err, size_t errlen);
/* Record number of the row last returned (the header is record 1). */
size_t csv_reader_record(const struct csv_reader *r);
void csv_reader_close(struct csv_reader *r);

/* A parsed CSV file: rows[r][c] are NUL-terminated strings. */
struct csv_table {
	size_t nrows; /* data rows, header excluded */
	size_t ncols; /* header columns */
	char **header;
	char ***rows; /* each row has exactly ncols fields */
};

/* Reads path whole (through csv_reader).  Fails (-1, err says file, record
 * and reason) as csv_reader_next does. */
int csv_table_read(const char *path, struct csv_table *out, char *err, size_t errlen);
/* Column index by header name, or -1. */
int csv_table_col(const struct csv_table *t, const char *name);
void csv_table_free(struct csv_table *t);

/* Streaming: bytes are fed as they come and every complete row (the header
 * too: it is the first) is handed to fn as NUL-terminated fields, valid only
 * during the call; empty lines are skipped.  fn returns 0 to go on. */
typedef int (*csv_row_fn)(void *ctx, char *const *fields, size_t n);
struct csv_stream;
struct csv_stream *csv_stream_new(csv_row_fn fn, void *ctx); /* NULL: out of memory */
/* Parses n more bytes.  Returns 0, or -1 with err on a CSV syntax error
 * ("CSV error near record N: ..."), when out of memory, or when fn stopped. */
int csv_stream_feed(struct csv_stream *s, const void *buf, size_t n, char *err, size_t errlen);
/* Ends the input (a last row without a line end is handed over).  0 or -1 with err. */
int csv_stream_finish(struct csv_stream *s, char *err, size_t errlen);
/* Rows handed to fn so far, the header included. */
size_t csv_stream_rows(const struct csv_stream *s);
void csv_stream_free(struct csv_stream *s);

#endif
