/* figures.h — the report's figures.  Each describes its data as a
 * struct chart_spec (chart.h) and renders it; none draws by itself.
 *
 *   fig_weights         Hamming-weight histogram of returned keys (all, and
 *                       cleaned as points) with the Binomial(64, 1/2)
 *                       expectation of each, the probe key's weight marked,
 *                       a log count axis when one weight dominates
 *   fig_bits            share of keys with each of the 64 bits set, bars around
 *                       1/2 with the band a fair bit stays in
 *   fig_monthly         true MPTCP (or MPTCP by scan verdict) and middlebox-
 *                       affected hosts per scan (month) and port: grouped by
 *                       port, stacked by class
 *   fig_ranking         a top-N list as horizontal bars (ASes, countries)
 *   fig_trace_classes   tracebox classes per IP version and port (shares)
 *   fig_trace_hops      the hop at which the option was first seen changed,
 *                       stacked by what changed, counts on the segments
 *
 * Empty inputs give an explicit "No data" chart saying why.
 */
#ifndef MPCAP_FIGURES_H
#define MPCAP_FIGURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plots/chart.h"

#define FIG_WEIGHTS 65
#define FIG_BITS 64

struct fig_weights {
	const char *group; /* e.g. "IPv6, port 443" */
	size_t n;          /* keys */
	uint64_t observed[FIG_WEIGHTS];
	double expected[FIG_WEIGHTS]; /* n * C(64,w) / 2^64 */
	size_t n_clean;               /* the cleaned keys (no replay, modified, shared-key) */
	uint64_t observed_clean[FIG_WEIGHTS];
	double expected_clean[FIG_WEIGHTS]; /* n_clean * C(64,w) / 2^64 */
	int probe_weight;                   /* -1 when unknown */
	const char *test;                   /* the test result, written under the title; NULL: none */
	bool log_y;                         /* log count axis (one bin dominates: fig_weights_dominated) */
	double y_max;                       /* > 0: the count axis up to this (shared within a family) */
};

/* True when one weight holds more than 4 times the keys of any other, so a
 * linear axis would hide the rest. */
bool fig_weights_dominated(const struct fig_weights *f);

struct fig_bits {
	const char *group;
	size_t n;
	double fraction[FIG_BITS]; /* by bit position, 63 = most significant */
	unsigned char biased[FIG_BITS];
	double band_lo, band_hi; /* fractions a fair bit stays within */
	const char *band_label;
	const char *test;
	double y_lo, y_hi; /* y_hi > y_lo: the share axis over this range (shared within a family) */
};

struct fig_monthly {
	const char *family; /* "IPv4" */
	size_t nscans;
	const char *const *scans;
	size_t nports;
	const unsigned *ports;
	const double *mptcp; /* [port * nscans + scan] */
	const double *middlebox;
	bool confirmed; /* mptcp counts true MPTCP (tracebox-confirmed); else MPTCP by scan verdict */
	const char *note;
};

struct fig_ranking {
	const char *title;
	const char *subtitle;
	const char *value_title; /* the value axis, with its unit */
	size_t n;
	const char *const *labels; /* best first */
	const double *values;
	int color;
	const char *no_data; /* why there is nothing, when n == 0 */
};

enum fig_trace_class {
	FIG_TC_TRUE = 0,
	FIG_TC_MIDDLEBOX,
	FIG_TC_UNREACHABLE,
	FIG_TC_NO_MPTCP,
	FIG_TC_UNVERIFIED,
	FIG_TC_UNTRACED,
	FIG_TRACE_NCLASSES
};
/* "true MPTCP", "middlebox", ... */
const char *fig_trace_class_label(int c);

struct fig_trace_classes {
	const char *title; /* NULL: "Tracebox classes of MP_CAPABLE responders" */
	size_t ngroups;
	const char *const *groups; /* "IPv4, port 80" */
	const double *counts;      /* [group * FIG_TRACE_NCLASSES + class] */
	const char *note;
	const char *no_data;
};

struct fig_trace_hops {
	size_t nhops;         /* the hops where some change was first seen (no empty hop) */
	const unsigned *hops; /* their numbers (TTL), ascending */
	size_t nchanges;      /* change types: removed, replaced-by-nops, key-changed ... */
	const char *const *changes;
	const double *counts; /* [change * nhops + hop]: destinations first seen changed there so */
	const char *title;    /* NULL: "Where MP_CAPABLE was changed on the path (tracebox)" */
	const char *note;
	const char *no_data;
};

int fig_weights(const struct fig_weights *f, const struct chart_output *o, FILE *fp, struct chart_layout *lay,
                char *err, size_t errlen);
int fig_bits(const struct fig_bits *f, const struct chart_output *o, FILE *fp, struct chart_layout *lay,
             char *err, size_t errlen);
int fig_monthly(const struct fig_monthly *f, const struct chart_output *o, FILE *fp, struct chart_layout *lay,
                char *err, size_t errlen);
int fig_ranking(const struct fig_ranking *f, const struct chart_output *o, FILE *fp, struct chart_layout *lay,
                char *err, size_t errlen);
int fig_trace_classes(const struct fig_trace_classes *f, const struct chart_output *o, FILE *fp,
                      struct chart_layout *lay, char *err, size_t errlen);
int fig_trace_hops(const struct fig_trace_hops *f, const struct chart_output *o, FILE *fp,
                   struct chart_layout *lay, char *err, size_t errlen);

/* p-values for readers: "p = 0.034", "p = 2.3×10⁻⁵", "p < 10⁻³⁰⁰". */
void fig_format_p(double p, char *buf, size_t n);

#endif
