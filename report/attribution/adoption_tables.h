/* adoption_tables.h — one scan's results counted per origin AS and per
 * country, per IP version and port (the tables of `mpcap attribute`).
 *
 * Input: an `mpcap analyze` results directory.  The responsive targets come
 * from DIR/targets.sets (the exact "responsive" set: no CSV row per
 * responder is needed, so a full-IPv4 scan's 60 M responders cost a Roaring
 * bitmap, not a 60 M-row table); the MP_CAPABLE responders and their
 * verdicts from DIR/targets.csv (streamed through libcsv); the scan label
 * from DIR/summary.csv.  Every target is attributed through attribution.h;
 * targets without an answer count under "unknown", never dropped.
 *
 * Counting: a target (address, port) counts once per column.  A target
 * probed with both MP_CAPABLE versions (one targets.csv row per version)
 * counts in every verdict column one of its rows has, once.
 *
 * A/B scans (summary.csv has abtest.targets; docs/methodology.md, "Paths
 * that drop MP_CAPABLE"): the mpc-dropped and plain-dropped rows of
 * targets.csv counted the same way; a target that answered the plain SYN is
 * a responsive one that is not plain-dropped.
 */
#ifndef MPCAP_ADOPTION_TABLES_H
#define MPCAP_ADOPTION_TABLES_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/attribution/attribution.h"

struct adoption_counts {
	uint64_t responsive;   /* in the responsive set (any answer: SYN-ACK, RST, ICMP unreachable) */
	uint64_t mpcapable;    /* answered a SYN-ACK carrying MP_CAPABLE */
	uint64_t mptcp;        /* verdict mptcp */
	uint64_t middlebox;    /* verdict replay, modified or shared-key */
	uint64_t replay;       /* verdict replay */
	uint64_t modified;     /* verdict modified */
	uint64_t shared_key;   /* verdict shared-key */
	uint64_t multi_origin; /* responsive, attributed through a multi-origin or AS-set prefix (AS rows) */
	uint64_t mpc_dropped;  /* A/B: verdict mpc-dropped (a target once, whatever the versions) */
	uint64_t mpc_dropped_v0, mpc_dropped_v1; /* A/B: of which the v0 / v1 probes went unanswered */
	uint64_t plain_dropped;                  /* A/B: verdict plain-dropped */
};

struct adoption_row {
	uint8_t family;
	uint16_t port;
	bool unknown; /* no source answered */
	uint32_t key; /* AS number, or country code packed as (c0 << 8 | c1) */
	struct adoption_counts c;
};

struct adoption_scan {
	char *label;
	char *dir;
	struct adoption_row *as_rows, *cc_rows; /* sorted by family, port, key; unknown last */
	size_t nas, ncc;
	uint64_t responsive, mpcapable; /* totals, for the closing line */
	uint64_t responsive_unknown_as, responsive_unknown_cc;
	bool abtest; /* an A/B scan (summary.csv's abtest.targets) */
};

/* Reads and attributes one results directory.  stop (may be NULL) is polled;
 * when it is set the function returns 1 (interrupted).  0 ok, -1 error (err). */
int adoption_scan_read(struct attribution *a, const char *dir, struct adoption_scan *out,
                       const volatile sig_atomic_t *stop, char *err, size_t errlen);
void adoption_scan_free(struct adoption_scan *s);

enum adoption_metric {
	METRIC_RESPONSIVE,
	METRIC_MPCAPABLE,
	METRIC_MPTCP,
	METRIC_MIDDLEBOX,
	METRIC_REPLAY,
	METRIC_COUNT
};
const char *adoption_metric_name(enum adoption_metric m);
/* -1 when unknown. */
int adoption_metric_parse(const char *name);
uint64_t adoption_metric_value(const struct adoption_counts *c, enum adoption_metric m);

/* Top n of rows[begin, end) (one family and port) by metric: count
 * descending, then key (AS number, country code) ascending; rows with a
 * zero count and the unknown row are not ranked.  Writes up to n row
 * indexes to out (caller-sized n) and returns how many, or SIZE_MAX when
 * out of memory. */
size_t adoption_top(const struct adoption_row *rows, size_t begin, size_t end, enum adoption_metric m,
                    size_t n, size_t *out);

#endif
