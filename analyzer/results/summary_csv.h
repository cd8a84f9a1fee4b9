/* summary_csv.h — the one reader of summary.csv (written by scan_outputs.c:
 * every counter of a scan, in long form; columns in columns.c).
 *
 * The file is small (a few hundred counters), so it is read whole, through
 * csv_reader (libcsv), and typed: a total has an empty family and port, a
 * per-port counter family 4 or 6 and a port; values are 64-bit counts; every
 * row carries the same scan label.  Anything else is an error naming the
 * file and the line.
 */
#ifndef MPCAP_SUMMARY_CSV_H
#define MPCAP_SUMMARY_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct summary_row {
	char *counter;  /* e.g. targets.responsive, verdict.mptcp */
	uint8_t family; /* 4 or 6; 0 for a total */
	uint16_t port;
	uint64_t value;
};

struct summary_csv {
	char *label; /* the scan label of every row; NULL when the file has no rows */
	struct summary_row *rows;
	size_t n;
};

/* Reads path.  0, or -1 with err (file, line, reason). */
int summary_csv_read(const char *path, struct summary_csv *out, char *err, size_t errlen);
/* The value of counter for family and port (family 0: the total); false
 * when the file has no such row. */
bool summary_csv_value(const struct summary_csv *s, const char *counter, uint8_t family, uint16_t port,
                       uint64_t *out);
void summary_csv_free(struct summary_csv *s);

#endif
