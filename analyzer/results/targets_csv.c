/* targets_csv.c — targets.csv read back, streamed and typed (RFC 4180
 * through libcsv; addresses by inet_pton(3)).  See targets_csv.h. */
#include "analyzer/results/targets_csv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/base/text.h"

struct targets_reader {
	struct csv_reader *csv;
	int col[TARGETS_NCOLS]; /* header position of each typed column, -1: not read */
};

struct targets_reader *targets_open_csv(struct csv_reader *csv, unsigned need, unsigned optional, char *err,
                                        size_t errlen)
{
	struct targets_reader *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(err, errlen, "%s: out of memory", csv_reader_path(csv));
		csv_reader_close(csv);
		return NULL;
	}
	r->csv = csv;
	for (int c = 0; c < TARGETS_NCOLS; c++) {
		r->col[c] = -1;
		if (!((need | optional) & TARGETS_COL(c)))
			continue;
		const char *name = column_name(COLSET_TARGETS, (size_t)c);
		r->col[c] = csv_reader_col(csv, name);
		if (r->col[c] < 0 && (need & TARGETS_COL(c))) {
			snprintf(err, errlen, "%s: no '%s' column (not a targets.csv of 'mpcap analyze')",
			         csv_reader_path(csv), name);
			targets_close(r);
			return NULL;
		}
	}
	return r;
}

struct targets_reader *targets_open(const char *path, unsigned need, unsigned optional, char *err,
                                    size_t errlen)
{
	struct csv_reader *csv = csv_reader_open(path, err, errlen);
	return csv ? targets_open_csv(csv, need, optional, err, errlen) : NULL;
}

const char *targets_path(const struct targets_reader *r)
{
	return csv_reader_path(r->csv);
}

bool targets_has(const struct targets_reader *r, enum targets_column c)
{
	return (unsigned)c < TARGETS_NCOLS && r->col[c] >= 0;
}

int targets_field_index(const struct targets_reader *r, const char *name)
{
	return csv_reader_col(r->csv, name);
}

/* A decimal number 0..max without sign or spaces. */
static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	if (*s < '0' || *s > '9')
		return false;
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_response(const char *s, enum response_type *out)
{
	static const enum response_type all[] = { RESP_NONE, RESP_ICMP_UNREACHABLE, RESP_RST, RESP_SYNACK };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (strcmp(s, response_type_name(all[i])) == 0) {
			*out = all[i];
			return true;
		}
	return false;
}

/* Column c as a number 0..max: 1 when there, 0 when empty or not read, -1
 * with err. */
static int number(const struct targets_reader *r, char *const *f, size_t line, enum targets_column c,
                  unsigned long max, unsigned long *v, char *err, size_t errlen)
{
	int i = r->col[c];
	if (i < 0 || !f[i][0])
		return 0;
	if (parse_uint(f[i], max, v))
		return 1;
	snprintf(err, errlen, "%s: line %zu: %s '%.16s' is not a number 0..%lu", csv_reader_path(r->csv),
	         line, column_name(COLSET_TARGETS, c), f[i], max);
	return -1;
}

/* Column c (probe_key or key) as a key: 1 when there, 0 when empty or not
 * read, -1 with err. */
static int key(const struct targets_reader *r, char *const *f, size_t line, enum targets_column c,
               uint64_t *out, char *err, size_t errlen)
{
	int i = r->col[c];
	if (i < 0 || !f[i][0])
		return 0;
	if (parse_key(f[i], out))
		return 1;
	snprintf(err, errlen, "%s: line %zu: %s '%.40s' is not 16 lowercase hex digits",
	         csv_reader_path(r->csv), line, column_name(COLSET_TARGETS, c), f[i]);
	return -1;
}

/* The address, and the family column when read; 0, or -1 with err. */
static int address(const struct targets_reader *r, char *const *f, struct targets_row *row, char *err,
                   size_t errlen)
{
	const char *path = csv_reader_path(r->csv);
	int ca = r->col[TARGETS_ADDRESS], cf = r->col[TARGETS_FAMILY];
	unsigned long fam = 0;
	if (cf >= 0 && (!parse_uint(f[cf], 6, &fam) || (fam != 4 && fam != 6))) {
		snprintf(err, errlen, "%s: line %zu: family '%.16s' is not 4 or 6", path, row->line, f[cf]);
		return -1;
	}
	row->family = (uint8_t)fam;
	if (ca < 0)
		return 0;
	const char *a = f[ca];
	uint8_t family = inet_pton(AF_INET, a, row->addr) == 1    ? 4
	                 : inet_pton(AF_INET6, a, row->addr) == 1 ? 6
	                                                          : 0;
	if (!family) {
		snprintf(err, errlen, "%s: line %zu: '%.64s' is not an IPv4 or IPv6 address", path, row->line,
		         a);
		return -1;
	}
	if (cf >= 0 && fam != family) {
		snprintf(err, errlen, "%s: line %zu: family '%s' does not match address %s", path, row->line,
		         f[cf], a);
		return -1;
	}
	row->family = family;
	return 0;
}

/* Types the columns that were asked for; 0, or -1 with err. */
static int type_row(const struct targets_reader *r, char *const *f, struct targets_row *row, char *err,
                    size_t errlen)
{
	const char *path = csv_reader_path(r->csv);
	const int *col = r->col;
	size_t line = row->line;
	unsigned long v;
	int rc;
	if (col[TARGETS_SCAN] >= 0)
		row->scan = f[col[TARGETS_SCAN]];
	if (address(r, f, row, err, errlen) != 0)
		return -1;
	if (col[TARGETS_PORT] >= 0) {
		if (!parse_uint(f[col[TARGETS_PORT]], 65535, &v)) {
			snprintf(err, errlen, "%s: line %zu: '%.64s' is not a port", path, line,
			         f[col[TARGETS_PORT]]);
			return -1;
		}
		row->port = (uint16_t)v;
	}
	if ((rc = number(r, f, line, TARGETS_PROBE_VERSION, 255, &v, err, errlen)) < 0)
		return -1;
	row->has_probe_version = rc;
	row->probe_version = rc ? (uint8_t)v : 0;
	if ((rc = number(r, f, line, TARGETS_MPC_VERSION, 255, &v, err, errlen)) < 0)
		return -1;
	row->has_mpc = rc;
	row->mpc_version = rc ? (uint8_t)v : 0;
	if ((rc = number(r, f, line, TARGETS_KEY_WEIGHT, 64, &v, err, errlen)) < 0)
		return -1;
	row->key_weight = rc ? (int)v : -1;
	if ((rc = number(r, f, line, TARGETS_KEY_GROUP, UINT32_MAX, &v, err, errlen)) < 0)
		return -1;
	row->key_group = rc ? (uint32_t)v : 0;
	if ((rc = key(r, f, line, TARGETS_PROBE_KEY, &row->probe_key, err, errlen)) < 0)
		return -1;
	row->has_probe_key = rc;
	if ((rc = key(r, f, line, TARGETS_KEY, &row->key, err, errlen)) < 0)
		return -1;
	row->has_key = rc;
	if (col[TARGETS_RESPONSE] >= 0 && !parse_response(f[col[TARGETS_RESPONSE]], &row->response)) {
		snprintf(err, errlen, "%s: line %zu: unknown response '%.40s'", path, line,
		         f[col[TARGETS_RESPONSE]]);
		return -1;
	}
	if (col[TARGETS_VERDICT] >= 0 && !verdict_from_name(f[col[TARGETS_VERDICT]], &row->verdict)) {
		snprintf(err, errlen, "%s: line %zu: unknown verdict '%.40s'", path, line,
		         f[col[TARGETS_VERDICT]]);
		return -1;
	}
	if (col[TARGETS_VERDICT_REASON] >= 0 &&
	    !verdict_reason_from_name(f[col[TARGETS_VERDICT_REASON]], &row->reason)) {
		snprintf(err, errlen, "%s: line %zu: unknown verdict_reason '%.40s'", path, line,
		         f[col[TARGETS_VERDICT_REASON]]);
		return -1;
	}
	return 0;
}

int targets_next(struct targets_reader *r, struct targets_row *row, char *err, size_t errlen)
{
	char *const *f;
	int rc = csv_reader_next(r->csv, &f, err, errlen);
	if (rc != 1)
		return rc;
	memset(row, 0, sizeof *row);
	row->line = csv_reader_record(r->csv);
	row->scan = "";
	row->fields = f;
	row->nfields = csv_reader_ncols(r->csv);
	return type_row(r, f, row, err, errlen) == 0 ? 1 : -1;
}

void targets_close(struct targets_reader *r)
{
	if (!r)
		return;
	csv_reader_close(r->csv);
	free(r);
}
