/* csv_io.c — RFC 4180 CSV rows written and read through libcsv.  See csv_io.h. */
#include "analyzer/base/csv_io.h"

#include <csv.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* libcsv, which reads the files back, trims spaces and tabs around unquoted fields. */
static bool is_csv_space(char c)
{
	return c == ' ' || c == '\t';
}

static bool needs_quotes(const char *s)
{
	if (!*s)
		return false;
	if (is_csv_space(s[0]) || is_csv_space(s[strlen(s) - 1]))
		return true;
	return strpbrk(s, ",\"\r\n") != NULL;
}

/* A decimal number: [+-]digits[.digits][(e|E)[+-]digits], at least one digit. */
static bool is_number(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	size_t digits = strspn(s, "0123456789");
	s += digits;
	if (*s == '.') {
		size_t frac = strspn(s + 1, "0123456789");
		digits += frac;
		s += 1 + frac;
	}
	if (!digits)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		size_t e = strspn(s, "0123456789");
		if (!e)
			return false;
		s += e;
	}
	return *s == '\0';
}

/* Would a spreadsheet run it as a formula (OWASP, CSV injection)?  A field
 * starting with =, +, -, @, tab or CR, unless it is a number. */
static bool is_formula(const char *s)
{
	return strchr("=+-@\t\r", *s) && *s && !is_number(s);
}

/* Writes '<field> quoted, so that a spreadsheet shows the text */
static int write_neutralised(FILE *fp, const char *f)
{
	if (fputs("\"'", fp) == EOF)
		return -1;
	for (; *f; f++)
		if ((*f == '"' && putc('"', fp) == EOF) || putc(*f, fp) == EOF)
			return -1;
	return putc('"', fp) == EOF ? -1 : 0;
}

int csv_write_row(FILE *fp, const char *const *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *f = fields[i] ? fields[i] : "";
		if (i && putc(',', fp) == EOF)
			return -1;
		if (is_formula(f)) {
			if (write_neutralised(fp, f) != 0)
				return -1;
		} else if (needs_quotes(f)) {
			if (csv_fwrite(fp, f, strlen(f)) != 0)
				return -1;
		} else if (*f && fputs(f, fp) == EOF) {
			return -1;
		}
	}
	return putc('\n', fp) == EOF ? -1 : 0;
}

/* Appends n bytes; false when they do not fit. */
static bool put_bytes(char *buf, size_t cap, size_t *at, const char *s, size_t n)
{
	if (n > cap - *at)
		return false;
	memcpy(buf + *at, s, n);
	*at += n;
	return true;
}

static bool put_char(char *buf, size_t cap, size_t *at, char c)
{
	return put_bytes(buf, cap, at, &c, 1);
}

/* s between quotes, its quotes doubled (libcsv's csv_write, as csv_fwrite). */
static bool put_quoted(char *buf, size_t cap, size_t *at, const char *s)
{
	size_t k = csv_write(buf + *at, cap - *at, s, strlen(s));
	if (k > cap - *at)
		return false;
	*at += k;
	return true;
}

/* '<field> quoted, as write_neutralised() writes it */
static bool put_neutralised(char *buf, size_t cap, size_t *at, const char *s)
{
	if (!put_bytes(buf, cap, at, "\"'", 2))
		return false;
	for (; *s; s++)
		if ((*s == '"' && !put_char(buf, cap, at, '"')) || !put_char(buf, cap, at, *s))
			return false;
	return put_char(buf, cap, at, '"');
}

size_t csv_format_row(char *buf, size_t cap, const char *const *fields, size_t n)
{
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		const char *f = fields[i] ? fields[i] : "";
		if (i && !put_char(buf, cap, &at, ','))
			return 0;
		bool ok = is_formula(f)     ? put_neutralised(buf, cap, &at, f)
		          : needs_quotes(f) ? put_quoted(buf, cap, &at, f)
		                            : put_bytes(buf, cap, &at, f, strlen(f));
		if (!ok)
			return 0;
	}
	return put_char(buf, cap, &at, '\n') ? at : 0;
}

/* The reader hands libcsv one line at a time (up to a CR or LF), so that
 * each csv_parse() call completes at most one row: the row being built is
 * the only one held, and a row is handed out as soon as it is complete. */
struct csv_reader {
	FILE *fp;
	char *path;
	struct csv_parser p;
	char buf[65536];
	size_t pos, len; /* unparsed bytes: buf[pos, len) */
	bool eof, finished;
	/* the row being built: fields back to back, each NUL-terminated */
	char *text;
	size_t textlen, textcap;
	size_t *off; /* start of each field in text */
	size_t nfields, capfields;
	char **fields; /* handed out: pointers into text */
	size_t capptrs;
	bool row_done, oom;
	size_t record; /* rows completed by the parser (the header is 1) */
	char **header;
	size_t ncols;
};

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return true;
	size_t nc = *cap ? *cap : 16;
	while (nc < need)
		nc *= 2;
	void *n = realloc(*p, nc * size);
	if (!n)
		return false;
	*p = n;
	*cap = nc;
	return true;
}

static void on_field(void *s, size_t len, void *data)
{
	struct csv_reader *r = data;
	if (r->oom)
		return;
	if (!grow((void **)&r->off, &r->capfields, r->nfields + 1, sizeof *r->off) ||
	    !grow((void **)&r->text, &r->textcap, r->textlen + len + 1, 1)) {
		r->oom = true;
		return;
	}
	r->off[r->nfields++] = r->textlen;
	if (len)
		memcpy(r->text + r->textlen, s, len);
	r->textlen += len;
	r->text[r->textlen++] = '\0';
}

static void on_row(int c, void *data)
{
	(void)c;
	struct csv_reader *r = data;
	r->record++;
	r->row_done = true;
}

/* The line (up to and with the next CR or LF) starting at buf[pos]. */
static size_t line_len(const struct csv_reader *r)
{
	const char *b = r->buf + r->pos;
	size_t n = r->len - r->pos;
	const char *lf = memchr(b, '\n', n);
	const char *cr = memchr(b, '\r', lf ? (size_t)(lf - b) : n);
	const char *end = cr ? cr : lf;
	return end ? (size_t)(end - b) + 1 : n;
}

/* Parses until a row is complete: 1, 0 at the end of the file, -1 with err. */
static int next_row(struct csv_reader *r, char *err, size_t errlen)
{
	r->textlen = r->nfields = 0;
	r->row_done = false;
	while (!r->row_done) {
		if (r->pos == r->len) {
			if (r->finished)
				return 0;
			if (!r->eof) {
				r->len = fread(r->buf, 1, sizeof r->buf, r->fp);
				r->pos = 0;
				if (r->len == 0) {
					if (ferror(r->fp)) {
						if (errno == EINTR) /* the caller sees its stop flag */
							snprintf(err, errlen, "%s: reading interrupted",
							         r->path);
						else
							snprintf(err, errlen, "%s: read error: %s", r->path,
							         strerror(errno));
						return -1;
					}
					r->eof = true;
				}
				continue;
			}
			r->finished = true;
			if (csv_fini(&r->p, on_field, on_row, r) != 0) {
				snprintf(err, errlen, "%s: CSV error at end of file: %s", r->path,
				         csv_strerror(csv_error(&r->p)));
				return -1;
			}
			if (!r->row_done)
				return 0;
			break;
		}
		size_t n = line_len(r);
		if (csv_parse(&r->p, r->buf + r->pos, n, on_field, on_row, r) != n) {
			snprintf(err, errlen, "%s: CSV error near record %zu: %s", r->path, r->record + 1,
			         csv_strerror(csv_error(&r->p)));
			return -1;
		}
		r->pos += n;
	}
	if (r->oom || !grow((void **)&r->fields, &r->capptrs, r->nfields + 1, sizeof *r->fields)) {
		snprintf(err, errlen, "%s: out of memory", r->path);
		return -1;
	}
	for (size_t i = 0; i < r->nfields; i++)
		r->fields[i] = r->text + r->off[i];
	return 1;
}

struct csv_reader *csv_reader_open(const char *path, char *err, size_t errlen)
{
	struct csv_reader *r = calloc(1, sizeof *r);
	if (!r || !(r->path = strdup(path))) {
		free(r);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		free(r->path);
		free(r);
		snprintf(err, errlen, "%s: cannot initialise the CSV parser", path);
		return NULL;
	}
	r->fp = fopen(path, "rb");
	if (!r->fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		csv_reader_close(r);
		return NULL;
	}
	int rc = next_row(r, err, errlen);
	if (rc == 0)
		snprintf(err, errlen, "%s: empty file (no header row)", path);
	if (rc == 1) {
		r->header = calloc(r->nfields + 1, sizeof *r->header);
		r->ncols = r->nfields;
		for (size_t i = 0; r->header && i < r->nfields; i++)
			if (!(r->header[i] = strdup(r->fields[i]))) {
				rc = -1;
				snprintf(err, errlen, "%s: out of memory", path);
			}
		if (!r->header) {
			rc = -1;
			snprintf(err, errlen, "%s: out of memory", path);
		}
	}
	if (rc != 1) {
		csv_reader_close(r);
		return NULL;
	}
	return r;
}

const char *csv_reader_path(const struct csv_reader *r)
{
	return r->path;
}

size_t csv_reader_ncols(const struct csv_reader *r)
{
	return r->ncols;
}

const char *csv_reader_header(const struct csv_reader *r, size_t col)
{
	return col < r->ncols ? r->header[col] : NULL;
}

int csv_reader_col(const struct csv_reader *r, const char *name)
{
	for (size_t i = 0; i < r->ncols; i++)
		if (strcmp(r->header[i], name) == 0)
			return (int)i;
	return -1;
}

int csv_reader_next(struct csv_reader *r, char *const **fields, char *err, size_t errlen)
{
	int rc = next_row(r, err, errlen);
	if (rc != 1)
		return rc;
	if (r->nfields != r->ncols) {
		snprintf(err, errlen, "%s: record %zu has %zu fields, the header has %zu", r->path, r->record,
		         r->nfields, r->ncols);
		return -1;
	}
	*fields = r->fields;
	return 1;
}

size_t csv_reader_record(const struct csv_reader *r)
{
	return r->record;
}

void csv_reader_close(struct csv_reader *r)
{
	if (!r)
		return;
	if (r->fp)
		fclose(r->fp);
	csv_free(&r->p);
	for (size_t i = 0; r->header && i < r->ncols; i++)
		free(r->header[i]);
	free(r->header);
	free(r->text);
	free(r->off);
	free(r->fields);
	free(r->path);
	free(r);
}

static void free_fields(char **f, size_t n)
{
	for (size_t i = 0; f && i < n; i++)
		free(f[i]);
	free(f);
}

static char **copy_fields(char *const *f, size_t n)
{
	char **c = calloc(n + 1, sizeof *c);
	for (size_t i = 0; c && i < n; i++)
		if (!(c[i] = strdup(f[i]))) {
			free_fields(c, i);
			return NULL;
		}
	return c;
}

int csv_table_read(const char *path, struct csv_table *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	struct csv_reader *r = csv_reader_open(path, err, errlen);
	if (!r)
		return -1;
	int rc = 0;
	size_t cap = 0;
	out->ncols = r->ncols;
	out->header = copy_fields(r->header, r->ncols);
	char *const *f;
	while (out->header && (rc = csv_reader_next(r, &f, err, errlen)) == 1) {
		char **row = copy_fields(f, r->ncols);
		if (!row || !grow((void **)&out->rows, &cap, out->nrows + 1, sizeof *out->rows)) {
			free_fields(row, r->ncols);
			rc = -1;
			snprintf(err, errlen, "%s: out of memory", path);
			break;
		}
		out->rows[out->nrows++] = row;
	}
	if (!out->header) {
		rc = -1;
		snprintf(err, errlen, "%s: out of memory", path);
	}
	csv_reader_close(r);
	if (rc != 0)
		csv_table_free(out);
	return rc;
}

int csv_table_col(const struct csv_table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->header[i], name) == 0)
			return (int)i;
	return -1;
}

void csv_table_free(struct csv_table *t)
{
	for (size_t r = 0; r < t->nrows; r++)
		free_fields(t->rows[r], t->ncols);
	free(t->rows);
	free_fields(t->header, t->ncols);
	memset(t, 0, sizeof *t);
}

/* ---- streaming ---------------------------------------------------------------- */

struct csv_stream {
	struct csv_parser p;
	csv_row_fn fn;
	void *ctx;
	char *buf; /* the row's fields, each NUL-terminated */
	size_t len, cap;
	size_t *offs; /* where each field starts in buf */
	char **fields;
	size_t nf, capf;
	size_t rows;
	bool oom, stopped;
};

static void stream_field(void *s, size_t len, void *data)
{
	struct csv_stream *st = data;
	if (st->oom || st->stopped)
		return;
	if (st->nf == st->capf) {
		size_t nc = st->capf ? st->capf * 2 : 32;
		size_t *o = realloc(st->offs, nc * sizeof *o);
		if (o)
			st->offs = o;
		char **f = o ? realloc(st->fields, nc * sizeof *f) : NULL;
		if (!o || !f) {
			st->oom = true;
			return;
		}
		st->fields = f;
		st->capf = nc;
	}
	if (st->len + len + 1 > st->cap) {
		size_t nc = st->cap ? st->cap : 1024;
		while (nc < st->len + len + 1)
			nc *= 2;
		char *b = realloc(st->buf, nc);
		if (!b) {
			st->oom = true;
			return;
		}
		st->buf = b;
		st->cap = nc;
	}
	st->offs[st->nf++] = st->len;
	if (len)
		memcpy(st->buf + st->len, s, len);
	st->len += len;
	st->buf[st->len++] = '\0';
}

static void stream_row(int c, void *data)
{
	(void)c;
	struct csv_stream *st = data;
	if (!st->oom && !st->stopped && st->nf) {
		for (size_t i = 0; i < st->nf; i++)
			st->fields[i] = st->buf + st->offs[i];
		st->rows++;
		if (st->fn(st->ctx, st->fields, st->nf) != 0)
			st->stopped = true;
	}
	st->nf = 0;
	st->len = 0;
}

struct csv_stream *csv_stream_new(csv_row_fn fn, void *ctx)
{
	struct csv_stream *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	if (csv_init(&s->p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		free(s);
		return NULL;
	}
	s->fn = fn;
	s->ctx = ctx;
	return s;
}

static int stream_status(struct csv_stream *s, char *err, size_t errlen)
{
	if (s->oom) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (s->stopped) {
		snprintf(err, errlen, "stopped");
		return -1;
	}
	return 0;
}

int csv_stream_feed(struct csv_stream *s, const void *buf, size_t n, char *err, size_t errlen)
{
	if (stream_status(s, err, errlen) != 0)
		return -1;
	if (csv_parse(&s->p, buf, n, stream_field, stream_row, s) != n && !s->stopped) {
		snprintf(err, errlen, "CSV error near record %zu: %s", s->rows + 1,
		         csv_strerror(csv_error(&s->p)));
		return -1;
	}
	return stream_status(s, err, errlen);
}

int csv_stream_finish(struct csv_stream *s, char *err, size_t errlen)
{
	if (stream_status(s, err, errlen) != 0)
		return -1;
	if (csv_fini(&s->p, stream_field, stream_row, s) != 0) {
		snprintf(err, errlen, "CSV error at end of input (record %zu): %s", s->rows + 1,
		         csv_strerror(csv_error(&s->p)));
		return -1;
	}
	return stream_status(s, err, errlen);
}

size_t csv_stream_rows(const struct csv_stream *s)
{
	return s->rows;
}

void csv_stream_free(struct csv_stream *s)
{
	if (!s)
		return;
	csv_free(&s->p);
	free(s->buf);
	free(s->offs);
	free(s->fields);
	free(s);
}
