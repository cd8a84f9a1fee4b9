/* summary_csv.c — summary.csv read back and typed (RFC 4180 through libcsv).
 * See summary_csv.h. */
#include "analyzer/results/summary_csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/base/csv_io.h"
#include "analyzer/results/columns.h"

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	if (*s < '0' || *s > '9')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

/* Types one row into row; 0, or -1 with err. */
static int type_row(const char *path, size_t line, char *const *f, const int *col, struct summary_row *row,
                    char *err, size_t errlen)
{
	const char *fam = f[col[SUMMARY_FAMILY]], *port = f[col[SUMMARY_PORT]], *val = f[col[SUMMARY_VALUE]];
	uint64_t f4, p16;
	bool total = !fam[0] && !port[0];
	if (total) {
		row->family = 0;
		row->port = 0;
	} else if (parse_u64(fam, 6, &f4) && (f4 == 4 || f4 == 6) && parse_u64(port, 65535, &p16)) {
		row->family = (uint8_t)f4;
		row->port = (uint16_t)p16;
	} else {
		snprintf(err, errlen,
		         "%s: line %zu: family '%.16s' and port '%.16s': want both empty (a total) or "
		         "4 or 6 and a port",
		         path, line, fam, port);
		return -1;
	}
	if (!parse_u64(val, UINT64_MAX, &row->value)) {
		snprintf(err, errlen, "%s: line %zu: value '%.32s' is not a count", path, line, val);
		return -1;
	}
	if (!(row->counter = strdup(f[col[SUMMARY_COUNTER]]))) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	return 0;
}

int summary_csv_read(const char *path, struct summary_csv *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	struct csv_reader *r = csv_reader_open(path, err, errlen);
	if (!r)
		return -1;
	int col[SUMMARY_NCOLS];
	for (int c = 0; c < SUMMARY_NCOLS; c++)
		if ((col[c] = csv_reader_col(r, column_name(COLSET_SUMMARY, (size_t)c))) < 0) {
			snprintf(err, errlen, "%s: no '%s' column (not a summary.csv of 'mpcap analyze')",
			         path, column_name(COLSET_SUMMARY, (size_t)c));
			csv_reader_close(r);
			return -1;
		}
	size_t cap = 0;
	char *const *f;
	int rc;
	while ((rc = csv_reader_next(r, &f, err, errlen)) == 1) {
		size_t line = csv_reader_record(r);
		const char *scan = f[col[SUMMARY_SCAN]];
		if (out->label && strcmp(scan, out->label) != 0) {
			snprintf(err, errlen, "%s: line %zu: a second scan label '%.64s' (first '%.64s')",
			         path, line, scan, out->label);
			rc = -1;
			break;
		}
		if (!out->label && !(out->label = strdup(scan))) {
			snprintf(err, errlen, "%s: out of memory", path);
			rc = -1;
			break;
		}
		if (out->n == cap) {
			size_t nc = cap ? cap * 2 : 256;
			struct summary_row *nr = realloc(out->rows, nc * sizeof *nr);
			if (!nr) {
				snprintf(err, errlen, "%s: out of memory", path);
				rc = -1;
				break;
			}
			out->rows = nr;
			cap = nc;
		}
		if (type_row(path, line, f, col, &out->rows[out->n], err, errlen) != 0) {
			rc = -1;
			break;
		}
		out->n++;
	}
	csv_reader_close(r);
	if (rc != 0)
		summary_csv_free(out);
	return rc;
}

bool summary_csv_value(const struct summary_csv *s, const char *counter, uint8_t family, uint16_t port,
                       uint64_t *out)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct summary_row *r = &s->rows[i];
		if (r->family == family && (!family || r->port == port) && strcmp(r->counter, counter) == 0) {
			*out = r->value;
			return true;
		}
	}
	return false;
}

void summary_csv_free(struct summary_csv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->rows[i].counter);
	free(s->rows);
	free(s->label);
	memset(s, 0, sizeof *s);
}
