/* report.h — the data behind `mpcap report`: scans' results loaded, the
 * study's tables computed (adoption, monthly series, key statistics,
 * tracebox, attribution), and the figures' inputs.  report_build() is in
 * load.c, one file per section computes (report_internal.h says which),
 * report_table.c holds tables, report_html.c writes index.html and
 * README.md; cmd_report.c is the front end that writes everything.
 *
 * Modules neither print nor exit; they return 0 or -1 and fill err.
 */
#ifndef MPCAP_REPORT_H
#define MPCAP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyzer/results/columns.h"
#include "analyzer/results/results_dir.h"
#include "plots/figures.h"
#include "report/series/longitudinal.h"
#include "report/stats/keystats.h"

/* ---- tables: rows of text, written as CSV and shown in index.html ---- */

struct rp_table {
	enum column_set_id colset;
	size_t ncols;
	size_t nrows, cap;
	char **cells; /* nrows * ncols owned strings */
};

void rp_table_init(struct rp_table *t, enum column_set_id colset);
/* Appends a row of ncols fields (NULL = empty).  -1 when out of memory. */
int rp_table_add(struct rp_table *t, const char *const *fields);
const char *rp_table_cell(const struct rp_table *t, size_t row, size_t col);
int rp_table_col(const struct rp_table *t, const char *name);
/* Header and rows through libcsv; -1 with errno on a write error. */
int rp_table_write(const struct rp_table *t, FILE *fp);
void rp_table_free(struct rp_table *t);

/* ---- inputs and options ---- */

#define RP_MAX_GROUPS 32

struct rp_options {
	double alpha;   /* significance level of the key tests */
	size_t top_as4; /* ASes in the IPv4 chart */
	size_t top_as6; /* ASes in the IPv6 chart */
	size_t top_countries;
	const char *groups; /* key groups: "all", "4", "6", "4/443"... comma-separated; NULL = default */
};

/* One row of a scan's targets.csv, as the report uses it. */
struct rp_target {
	uint8_t family;
	uint8_t addr[16];
	uint16_t port;
	bool has_mpc; /* answered with MP_CAPABLE */
	bool has_key, has_probe;
	uint8_t verdict; /* enum verdict */
	uint64_t key, probe;
};

struct rp_scan {
	const char *dir;
	const char *label;     /* the scan label (rd's) */
	struct results_dir rd; /* with the scan's summary.csv */
	struct rp_target *targets;
	size_t ntargets;
	bool has_sets; /* DIR/targets.sets read */
	/* tracebox: the final classes of the scan's MP_CAPABLE responders, from
	 * the classification.csv of the --trace directory whose scan column
	 * names this scan; traced false = untraced (no confirmed count) */
	bool traced;
	size_t ntrace;
	struct rp_scan_trace {
		uint8_t family;
		uint16_t port;
		uint64_t n[FIG_TRACE_NCLASSES];
	} * trace;
};

/* Keys of one group, tested. */
struct rp_group {
	char id[32];    /* file-name part: all, ipv4, ipv6-443 */
	char label[64]; /* for titles: all keys, IPv6, port 443 */
	int family;     /* 0: any */
	int port;       /* -1: any */
	bool has_probe;
	uint64_t probe;
	struct ks_result all, clean; /* every key; without replay, modified and shared-key */
	bool tested;
	double band_lo, band_hi; /* per-bit acceptance band at Holm's stopping level */
	char test_text[1024];    /* written on the charts */
};

/* Per (family, port): monthly class counts for the chart: tracebox-confirmed
 * (true MPTCP, middlebox-affected) when some scan was traced, else the scan
 * verdicts (MPTCP by scan verdict, middlebox verdict). */
struct rp_port_series {
	uint8_t family;
	uint16_t port;
	double *mptcp; /* [nscans] */
	double *middlebox;
};

struct rp_ranking {
	size_t n;
	char **labels; /* for the chart: "AS714 Apple", "Australia (AU)" */
	char **keys;   /* AS number or country code as in the source */
	char **names;  /* AS or country name; "" when the source has none */
	double *values;
	char measure[32];   /* the attribution column ranked */
	char scan[64];      /* the scan ranked (the latest, or the attribution's aggregate label) */
	bool true_mptcp;    /* that column counts true MPTCP hosts (true_mptcp: tracebox-confirmed) */
	bool mptcp_verdict; /* that column counts MPTCP by scan verdict (attribute's mptcp) */
	char note[512];
};

struct report {
	struct rp_options opt;
	size_t nscans;
	struct rp_scan *scans; /* in label order */
	struct longitudinal *l;

	struct rp_table adoption, monthly, keystats, weights, bits, tracebox, trace_hops, top_as, countries;

	size_t ngroups;
	struct rp_group groups[RP_MAX_GROUPS];

	size_t nseries;
	struct rp_port_series *series;
	bool series_confirmed; /* series count tracebox classes (some scan traced) */

	/* tracebox */
	bool have_trace;
	size_t ntraced;       /* scans with a trace */
	int trace_chart_scan; /* the scan the tracebox chart shows (the latest traced); -1: none */
	size_t ntrace_groups; /* that chart's bars */
	char (*trace_group_labels)[64];
	double *trace_counts; /* [group * FIG_TRACE_NCLASSES + class] */
	size_t nhops;         /* hops where some change was first seen, ascending */
	unsigned *hops;       /* their numbers */
	size_t nhop_changes;  /* change types seen (mpc_change), sorted */
	char (*hop_changes)[32];
	double *hop_counts; /* [change * nhops + hop] */
	char trace_note[512];
	char hops_note[512];

	/* attribution */
	bool have_attr;
	struct rp_ranking as4, as6, countries_rank;
	char attr_note[512];
};

/* Loads the results directories (each holding targets.csv and summary.csv of
 * one scan) and computes every table; trace_dirs (one `mpcap trace` output
 * per scan, matched by the scan column of its classification.csv) may be
 * empty, attr_dir NULL. */
int report_build(struct report *r, const struct rp_options *opt, char *const *dirs, size_t ndirs,
                 const char *const *trace_dirs, size_t ntrace_dirs, const char *attr_dir, char *err,
                 size_t errlen);
void report_free(struct report *r);

/* ---- index.html and README.md ---- */

struct rp_figure {
	char file[96];      /* chart file name in the output directory */
	char title[320];    /* heading */
	char caption[3072]; /* what it shows and how it was computed */
	const struct rp_table *table;
	int filter_col; /* show only rows whose column filter_col equals filter (-1: all rows) */
	char filter[48];
	const char *table_file; /* the CSV holding the table */
	bool no_data;
	double img_w, img_h; /* <img> size: a PNG's pixels, a vector figure's logical size; 0: the page's */
};

struct rp_page {
	const struct report *r;
	const struct rp_figure *figs;
	size_t nfigs;
	const char *format;        /* png, svg, pdf */
	double img_w, img_h;       /* logical size for <img> (a figure without its own) */
	const char *const *tables; /* CSV files written, with what they hold */
	const char *const *table_what;
	size_t ntables;
	const char *command; /* the command line, for the record */
	const char *version; /* mpcap's, for the foot of index.html */
};

int report_write_html(FILE *fp, const struct rp_page *p);

/* ---- paths that drop MP_CAPABLE (dropped.c) ---- */

/* True when some scan is an A/B scan (its summary.csv has abtest.targets). */
bool report_dropped_present(const struct report *r);
/* True when attr_dir (may be NULL) holds attribute's dropped_by_as.csv. */
bool report_dropped_have_as(const char *attr_dir);
/* Draws into fp the share of mpc-dropped targets per A/B scan, family and
 * port (by_as false), or the top ASes by mpc-dropped targets from
 * attr_dir/dropped_by_as.csv; fills f's title and caption.  0 or -1 (err). */
int report_dropped_chart(const struct report *r, bool by_as, const char *attr_dir, size_t top,
                         struct rp_figure *f, const struct chart_output *o, FILE *fp,
                         struct chart_layout *lay, char *err, size_t errlen);
/* Fills f for scans without A/B probes: no chart, one line saying so. */
void report_dropped_none(struct rp_figure *f);
int report_write_readme(FILE *fp, const struct rp_page *p);

#endif
