/* fingerprint_tables.h — the middlebox fingerprints of one scan per origin
 * AS (the top_fingerprints.csv of `mpcap attribute`).
 *
 * Input: an `mpcap analyze` results directory; its targets.csv is streamed
 * (libcsv, targets_csv.h) and every row with a fingerprint (a SYN-ACK
 * compared option by option with its probe: analyzer/scan/fingerprint.h) is
 * attributed to its origin AS (attribution.h; "unknown" when no source
 * answers).  Counted per family, port, AS, fingerprint and verdict: rows,
 * as fingerprints.csv counts them (a target probed with both MP_CAPABLE
 * versions has a row per version).  The verdict rules are analyze's; the
 * fingerprint says what the answering box did to the SYN.
 */
#ifndef MPCAP_FINGERPRINT_TABLES_H
#define MPCAP_FINGERPRINT_TABLES_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/attribution/attribution.h"

struct fp_row {
	uint8_t family;
	uint16_t port;
	bool unknown; /* no --asn source covers the addresses */
	uint32_t asn;
	const char *fingerprint; /* owned by the table */
	uint8_t verdict;         /* enum verdict */
	uint64_t count;          /* targets.csv rows */
	size_t rank;             /* 1 = the AS's most common (fingerprint, verdict) */
};

struct fp_table {
	struct fp_row *rows; /* by family, port, AS (unknown last), then rank */
	size_t n;
	char **names; /* the distinct fingerprints */
	size_t nnames;
};

/* Reads dir's targets.csv and keeps the top n (fingerprint, verdict) pairs of
 * each family, port and AS: count descending, then fingerprint and verdict
 * name ascending.  0, 1 interrupted (stop set), -1 error (err). */
int fp_table_read(struct attribution *a, const char *dir, size_t n, struct fp_table *out,
                  const volatile sig_atomic_t *stop, char *err, size_t errlen);
void fp_table_free(struct fp_table *t);

#endif
