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

int csv_write_row(FILE *fp, const char *const *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *f = fields[i] ? fields[i] : "";
		if (i && putc(',', fp) == EOF)
			return -1;
		if (needs_quotes(f)) {
			if (csv_fwrite(fp, f, strlen(f)) != 0)
				return -1;
		} else if (*f && fputs(f, fp) == EOF) {
			return -1;
		}
	}
	return putc('\n', fp) == EOF ? -1 : 0;
}

struct reader {
	struct csv_table *t;
	char **cur; /* fields of the row being parsed */
	size_t ncur, capcur;
	size_t caprows;
	size_t line; /* 1-based record number */
	bool bad;
	size_t bad_line, bad_count;
	bool oom;
};

static void on_field(void *s, size_t len, void *data)
{
	struct reader *r = data;
	if (r->oom)
		return;
	if (r->ncur == r->capcur) {
		size_t nc = r->capcur ? r->capcur * 2 : 16;
		char **n = realloc(r->cur, nc * sizeof *n);
		if (!n) {
			r->oom = true;
			return;
		}
		r->cur = n;
		r->capcur = nc;
	}
	char *f = malloc(len + 1);
	if (!f) {
		r->oom = true;
		return;
	}
	if (len)
		memcpy(f, s, len);
	f[len] = '\0';
	r->cur[r->ncur++] = f;
}

static void free_fields(char **f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(f[i]);
	free(f);
}

static void on_row(int c, void *data)
{
	(void)c;
	struct reader *r = data;
	struct csv_table *t = r->t;
	r->line++;
	if (r->oom || r->bad) {
		free_fields(r->cur, r->ncur);
		goto reset;
	}
	if (!t->header) {
		t->header = r->cur;
		t->ncols = r->ncur;
		goto reset;
	}
	if (r->ncur != t->ncols) {
		r->bad = true;
		r->bad_line = r->line;
		r->bad_count = r->ncur;
		free_fields(r->cur, r->ncur);
		goto reset;
	}
	if (t->nrows == r->caprows) {
		size_t nc = r->caprows ? r->caprows * 2 : 256;
		char ***n = realloc(t->rows, nc * sizeof *n);
		if (!n) {
			r->oom = true;
			free_fields(r->cur, r->ncur);
			goto reset;
		}
		t->rows = n;
		r->caprows = nc;
	}
	t->rows[t->nrows++] = r->cur;
reset:
	r->cur = NULL;
	r->ncur = r->capcur = 0;
}

int csv_table_read(const char *path, struct csv_table *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		fclose(fp);
		snprintf(err, errlen, "%s: cannot initialise the CSV parser", path);
		return -1;
	}
	struct reader r = { .t = out };
	char buf[65536];
	size_t n;
	int rc = 0;
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
		if (csv_parse(&p, buf, n, on_field, on_row, &r) != n) {
			snprintf(err, errlen, "%s: CSV error near record %zu: %s", path, r.line + 1,
			         csv_strerror(csv_error(&p)));
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(fp)) {
		snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && csv_fini(&p, on_field, on_row, &r) != 0) {
		snprintf(err, errlen, "%s: CSV error at end of file: %s", path, csv_strerror(csv_error(&p)));
		rc = -1;
	}
	csv_free(&p);
	fclose(fp);
	free_fields(r.cur, r.ncur);
	if (rc == 0 && r.oom) {
		snprintf(err, errlen, "%s: out of memory", path);
		rc = -1;
	}
	if (rc == 0 && r.bad) {
		snprintf(err, errlen, "%s: record %zu has %zu fields, the header has %zu", path, r.bad_line,
		         r.bad_count, out->ncols);
		rc = -1;
	}
	if (rc == 0 && !out->header) {
		snprintf(err, errlen, "%s: empty file (no header row)", path);
		rc = -1;
	}
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
