/* targets_csv.h — the one reader of targets.csv (written by scan_outputs.c,
 * columns in columns.c and docs/columns.md).
 *
 * The file is streamed row by row through csv_reader (libcsv): memory holds
 * one row, however many targets the scan had.  Columns are found by the
 * names of the column table; the caller says which it needs (missing: an
 * error) and which it uses when present.  Those columns are typed on the way:
 * an address, a port, a 64-bit key, a verdict (verdict.h)...; a value that
 * does not parse is an error naming the file, the line and the value, never
 * a row silently skipped.  Every field also stays available as text, for
 * columns named by the user (mpcap stats --by).
 */
#ifndef MPCAP_TARGETS_CSV_H
#define MPCAP_TARGETS_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/base/csv_io.h"
#include "analyzer/results/columns.h"
#include "analyzer/scan/scan.h"
#include "analyzer/scan/verdict.h"

/* A set of columns, for targets_open's need and optional. */
#define TARGETS_COL(c) (1u << (c))

struct targets_row {
	size_t line;      /* record number in the file (the header is 1) */
	const char *scan; /* "" without a scan column */
	uint8_t family;   /* 4 or 6: the address's (the family column must agree) */
	uint8_t addr[16]; /* IPv4 in the first 4 bytes, as target_key_make() takes it */
	uint16_t port;
	bool has_probe_version;
	uint8_t probe_version;
	bool has_probe_key;
	uint64_t probe_key;
	enum response_type response;
	bool has_mpc; /* mpc_version not empty: the SYN-ACK carried MP_CAPABLE */
	uint8_t mpc_version;
	bool has_key;
	uint64_t key;
	int key_weight; /* -1 when empty */
	enum verdict verdict;
	enum verdict_reason reason;
	uint32_t key_group;  /* 0 when empty */
	char *const *fields; /* every field as text, by header position (valid until the next row) */
	size_t nfields;
};

struct targets_reader;

/* Opens path and checks its header: every column of need must be there
 * (else err: "PATH: no 'NAME' column ..."); need and optional (TARGETS_COL
 * bits) are the columns typed in each row.  NULL with err on failure. */
struct targets_reader *targets_open(const char *path, unsigned need, unsigned optional, char *err,
                                    size_t errlen);
/* The same on a reader whose header the caller has looked at; takes csv
 * (closed also when this fails). */
struct targets_reader *targets_open_csv(struct csv_reader *csv, unsigned need, unsigned optional, char *err,
                                        size_t errlen);
const char *targets_path(const struct targets_reader *r);
/* Whether the file has column c (and it was asked for). */
bool targets_has(const struct targets_reader *r, enum targets_column c);
/* Header position of any column by name, or -1 (for row->fields). */
int targets_field_index(const struct targets_reader *r, const char *name);
/* The next row: 1, 0 at the end, -1 with err. */
int targets_next(struct targets_reader *r, struct targets_row *row, char *err, size_t errlen);
void targets_close(struct targets_reader *r);

#endif
