/* fuzz_csv.c — libFuzzer harness: results CSVs read back (mpcap join).
 *
 * Input: the text of a targets.csv, optionally followed by a NUL byte and the
 * text of a summary.csv (without one, the same text serves as both).  Each
 * is read by csv_table_read() (libcsv, strict) from a memfd; the summary by
 * summary_csv_read(), which begins a scan of the join twice (the second must
 * be refused as the same scan); the targets are streamed by targets_open()
 * into longitudinal_add_target(), then longitudinal_finish() and every
 * accessor run, as `mpcap join` uses them.  Invariants: every row has the
 * header's field count; a table written back with csv_write_row() reads back
 * identical (what mpcap writes, it can read); the streamed rows are the
 * table's rows; a typed row has family 4 or 6.
 */
#include <string.h>

#include "analyzer/base/csv_io.h"
#include "analyzer/results/summary_csv.h"
#include "analyzer/results/targets_csv.h"
#include "fuzz.h"
#include "report/series/longitudinal.h"

static int read_table(const uint8_t *p, size_t n, struct csv_table *t)
{
	char path[64], err[512] = "";
	int fd = fuzz_memfd(p, n, path, sizeof path);
	if (fd < 0)
		return -1;
	int rc = csv_table_read(path, t, err, sizeof err);
	close(fd);
	if (rc != 0)
		FUZZ_CHECK(err[0] != '\0' && t->nrows == 0 && t->header == NULL);
	return rc;
}

/* A field read back is the field written, or, for one a spreadsheet would
 * run as a formula (first byte = + - @ TAB CR, csv_io.h), the same behind an
 * apostrophe: nothing else may change. */
static int same_field(const char *back, const char *orig)
{
	if (strcmp(back, orig) == 0)
		return 1;
	return orig[0] && strchr("=+-@\t\r", orig[0]) && back[0] == '\'' && strcmp(back + 1, orig) == 0;
}

/* Writes t with csv_write_row() and checks it reads back field for field. */
static void round_trip(const struct csv_table *t)
{
	/* A one-column row holding an empty field is written as an empty line,
	 * which CSV readers (libcsv, Python, R) skip: not representable. */
	if (t->ncols == 1) {
		if (!t->header[0][0])
			return;
		for (size_t r = 0; r < t->nrows; r++)
			if (!t->rows[r][0][0])
				return;
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	FUZZ_CHECK(fp != NULL);
	FUZZ_CHECK(csv_write_row(fp, (const char *const *)t->header, t->ncols) == 0);
	for (size_t r = 0; r < t->nrows; r++)
		FUZZ_CHECK(csv_write_row(fp, (const char *const *)t->rows[r], t->ncols) == 0);
	FUZZ_CHECK(fclose(fp) == 0);
	struct csv_table b;
	FUZZ_CHECK(read_table((const uint8_t *)buf, len, &b) == 0);
	FUZZ_CHECK(b.ncols == t->ncols && b.nrows == t->nrows);
	for (size_t c = 0; c < t->ncols; c++)
		FUZZ_CHECK(same_field(b.header[c], t->header[c]));
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++)
			FUZZ_CHECK(same_field(b.rows[r][c], t->rows[r][c]));
	csv_table_free(&b);
	free(buf);
}

static void each_count(void *ctx, const char *scan, const char *family, const char *port, const char *verdict,
                       const char *count)
{
	size_t *n = ctx;
	FUZZ_CHECK(strcmp(family, "4") == 0 || strcmp(family, "6") == 0);
	*n += strlen(scan) + strlen(port) + strlen(verdict) + strlen(count);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t tlen = nul ? (size_t)(nul - data) : size;
	const uint8_t *sum = nul ? nul + 1 : data;
	size_t slen = nul ? size - tlen - 1 : size;

	struct csv_table t, s;
	if (read_table(data, tlen, &t) != 0)
		return 0;
	for (size_t r = 0; r < t.nrows; r++)
		for (size_t c = 0; c < t.ncols; c++)
			FUZZ_CHECK(t.rows[r][c] != NULL);
	round_trip(&t);
	if (read_table(sum, slen, &s) != 0) {
		csv_table_free(&t);
		return 0;
	}
	round_trip(&s);

	struct longitudinal *l = longitudinal_new();
	FUZZ_CHECK(l != NULL);
	char err[8400], tpath[64], spath[64];
	int tfd = fuzz_memfd(data, tlen, tpath, sizeof tpath),
	    sfd = fuzz_memfd(sum, slen, spath, sizeof spath);
	struct summary_csv sc;
	if (tfd >= 0 && sfd >= 0 && summary_csv_read(spath, &sc, err, sizeof err) == 0 &&
	    longitudinal_begin_scan(l, "fuzz", &sc, err, sizeof err) == 0) {
		FUZZ_CHECK(longitudinal_begin_scan(l, "again", &sc, err, sizeof err) != 0);
		FUZZ_CHECK(strstr(err, "given twice") != NULL);
		struct targets_reader *tr = targets_open(tpath, LONGITUDINAL_COLUMNS, 0, err, sizeof err);
		struct targets_row row;
		size_t n = 0;
		int rc = -1;
		while (tr && (rc = targets_next(tr, &row, err, sizeof err)) == 1) {
			FUZZ_CHECK(row.family == 4 || row.family == 6);
			FUZZ_CHECK(n < t.nrows && row.nfields == t.ncols);
			for (size_t c = 0; c < t.ncols; c++)
				FUZZ_CHECK(strcmp(row.fields[c], t.rows[n][c]) == 0);
			n++;
			(void)longitudinal_add_target(l, &row, err, sizeof err);
		}
		if (tr && rc == 0)
			FUZZ_CHECK(n == t.nrows);
		else
			FUZZ_CHECK(err[0] != '\0');
		targets_close(tr);
		summary_csv_free(&sc);
	}
	if (tfd >= 0)
		close(tfd);
	if (sfd >= 0)
		close(sfd);
	FUZZ_CHECK(longitudinal_finish(l, err, sizeof err) == 0);
	size_t nscans = longitudinal_scan_count(l);
	for (size_t i = 0; i < nscans; i++)
		FUZZ_CHECK(longitudinal_scan_label(l, i) != NULL);
	for (size_t i = 0; i < longitudinal_host_count(l); i++) {
		struct longitudinal_host h;
		longitudinal_host_at(l, i, &h);
		FUZZ_CHECK(h.family == 4 || h.family == 6);
		FUZZ_CHECK(h.first_scan >= 0 && (size_t)h.last_scan < nscans && h.first_scan <= h.last_scan);
		FUZZ_CHECK(h.scans_mpcapable >= 1 && h.scans_mptcp <= h.scans_mpcapable);
		for (size_t k = 0; k < nscans; k++)
			if (h.verdicts[k])
				FUZZ_CHECK(strlen(h.verdicts[k]) < 1u << 30);
	}
	size_t total = 0;
	longitudinal_each_count(l, each_count, &total);
	longitudinal_free(l);
	csv_table_free(&t);
	csv_table_free(&s);
	return 0;
}
