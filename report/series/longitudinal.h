/* longitudinal.h — several scans (months) joined per host and port.
 *
 * Input: the targets.csv and summary.csv of `mpcap analyze` runs, one per
 * scan, read through analyzer/results (results_dir.h).  Output: for every
 * (address, port) that answered with MP_CAPABLE in some scan, the scans it
 * answered in and its verdict in each; `consistent` when it answered with
 * MP_CAPABLE (or, separately, with a true-MPTCP verdict) in every scan that
 * probed its family and port, `transient` otherwise.  Also the per-scan
 * verdict counts for the monthly series.  Scans are ordered by their labels
 * (YYYY-MM sorts chronologically).
 */
#ifndef MPCAP_LONGITUDINAL_H
#define MPCAP_LONGITUDINAL_H

#include <stddef.h>
#include <stdint.h>

#include "analyzer/results/summary_csv.h"
#include "analyzer/results/targets_csv.h"

struct longitudinal;

struct longitudinal *longitudinal_new(void);
void longitudinal_free(struct longitudinal *l);
/* Adds one results directory (`mpcap analyze -o DIR`): its summary.csv and
 * its targets.csv, streamed.  What `mpcap join` does per directory. */
int longitudinal_add_dir(struct longitudinal *l, const char *dir, char *err, size_t errlen);
/* The same in steps, for a caller that reads the rows itself: begin a scan
 * with its summary (name is for error messages), then add each targets.csv
 * row, read with at least LONGITUDINAL_COLUMNS. */
#define LONGITUDINAL_COLUMNS                                                                                 \
	(TARGETS_COL(TARGETS_SCAN) | TARGETS_COL(TARGETS_ADDRESS) | TARGETS_COL(TARGETS_PORT) |              \
	 TARGETS_COL(TARGETS_FAMILY) | TARGETS_COL(TARGETS_MPC_VERSION) | TARGETS_COL(TARGETS_VERDICT))
int longitudinal_begin_scan(struct longitudinal *l, const char *name, const struct summary_csv *summary,
                            char *err, size_t errlen);
int longitudinal_add_target(struct longitudinal *l, const struct targets_row *row, char *err, size_t errlen);
/* Sorts scans and hosts; call once after the last add. */
int longitudinal_finish(struct longitudinal *l, char *err, size_t errlen);

size_t longitudinal_scan_count(const struct longitudinal *l);
const char *longitudinal_scan_label(const struct longitudinal *l, size_t i);

struct longitudinal_host {
	uint8_t family;
	uint8_t addr[16];
	uint16_t port;
	unsigned scans_probed;     /* scans that probed this family and port */
	unsigned scans_mpcapable;  /* scans in which it answered with MP_CAPABLE */
	unsigned scans_mptcp;      /* scans in which its verdict was mptcp */
	int first_scan, last_scan; /* indexes of the first and last MP_CAPABLE scan */
	const char *const
	    *verdicts; /* per scan index: verdict text, or NULL when it did not answer MP_CAPABLE */
};

size_t longitudinal_host_count(const struct longitudinal *l);
void longitudinal_host_at(const struct longitudinal *l, size_t i, struct longitudinal_host *out);

/* Per-scan counters: calls fn for each (scan, family, port, verdict, count)
 * from the scans' summary.csv verdict.* counters, scans in label order. */
typedef void (*longitudinal_count_fn)(void *ctx, const char *scan, const char *family, const char *port,
                                      const char *verdict, const char *count);
void longitudinal_each_count(const struct longitudinal *l, longitudinal_count_fn fn, void *ctx);

#endif
