/* cmd_report.c — `mpcap report`: one or more scans' results (plus optional
 * tracebox and attribution outputs) turned into a directory for a paper or a
 * talk: CSV tables, charts (PNG, SVG or PDF from the same drawing code),
 * index.html and README.md, all written through outdir.h (temporary names
 * renamed only once everything has been written). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/results/outdir.h"
#include "analyzer/results/manifest.h"
#include "cli/cli.h"
#include "plots/chart.h"
#include "plots/figures.h"
#include "report/page/report.h"

#ifndef MPCAP_VERSION
#define MPCAP_VERSION "0.0.0"
#endif

void help_report(FILE *out)
{
	fputs("usage: mpcap report [-o DIR] [--format png|svg|pdf] [--style screen|paper]\n"
	      "                    [--width W] [--height H] [--dpi D]\n"
	      "                    [--trace TRACEDIR]... [--attribution ATTRDIR] [--key-groups LIST]\n"
	      "                    [--alpha A] [--top-as N] [--top-as6 N] [--top-countries N] [-q]\n"
	      "                    RESULTS...\n"
	      "\n"
	      "Turns the results of one or more scans (each RESULTS is the directory of one\n"
	      "'mpcap analyze -o DIR' run: targets.csv, summary.csv, targets.sets) into tables,\n"
	      "charts and a static index.html: the adoption table of the study per IP version\n"
	      "and port, the monthly series of true MPTCP (tracebox-confirmed) and\n"
	      "middlebox-affected hosts (MPTCP by scan verdict when no scan was traced), the\n"
	      "Hamming-weight histogram of the returned keys, all and cleaned, against\n"
	      "Binomial(64, 1/2) with the probe key's weight marked (the tests in the caption),\n"
	      "the share of keys with each bit set, and with --trace / --attribution the tracebox\n"
	      "classes, the hop where MP_CAPABLE was changed, the top ASes and countries.\n"
	      "Charts without input say \"No data\" and why.\n"
	      "\n"
	      "Writes, atomically, into DIR:\n"
	      "  adoption.csv monthly.csv key-stats.csv key-weights.csv key-bits.csv\n"
	      "  tracebox.csv trace-hops.csv top-as.csv countries.csv      the tables\n"
	      "  weights-GROUP.EXT bits-GROUP.EXT      one per key group (all, ipv4-443 ...)\n"
	      "  monthly-ipv4.EXT monthly-ipv6.EXT top-as-ipv4.EXT top-as-ipv6.EXT\n"
	      "  countries.EXT tracebox-classes.EXT trace-hops.EXT        the charts\n"
	      "  index.html README.md\n"
	      "\n"
	      "  -o, --output DIR        output directory (default: mpcap-report; created if missing)\n"
	      "      --format F          png (default), svg or pdf\n"
	      "      --width W           chart width in pixels (default 1280)\n"
	      "      --height H          chart height in pixels (default 800)\n"
	      "      --style S           screen (default) or paper: figures for a paper, two-column\n"
	      "                          (7 in: weights, bits, monthly) or one-column (3.5 in: the\n"
	      "                          rest) at 300 dpi, fonts >= 7 pt, no title (the caption has\n"
	      "                          it), PDF with embedded fonts unless --format says otherwise;\n"
	      "                          --width, --height and --dpi are then ignored\n"
	      "      --dpi D             resolution: 96 = 1x, 192 = 2x (default 192, so the default\n"
	      "                          chart is a crisp 2x rendering of a 640x400 figure); SVG and\n"
	      "                          PDF pages are W/D x H/D inches\n"
	      "      --trace DIR         output of 'mpcap trace' (destinations.csv, and\n"
	      "                          classification.csv when traced with --targets); repeat\n"
	      "                          it, one per scan: each is matched to its scan by the\n"
	      "                          scan column of classification.csv; scans without one\n"
	      "                          are untraced (no true MPTCP count)\n"
	      "      --attribution DIR   output of 'mpcap attribute': its CSV files are found by\n"
	      "                          their headers (an asn column: AS table; a country column:\n"
	      "                          country table); the latest scan and the mptcp column are used\n"
	      "      --key-groups LIST   key groups to test and draw, comma-separated: all, 4, 6,\n"
	      "                          4/PORT, 6/PORT (default: all, and each IP version and port\n"
	      "                          that returned a key)\n"
	      "      --alpha A           significance level of the key tests (default 0.01)\n"
	      "      --top-as N          ASes in the IPv4 chart (default 10)\n"
	      "      --top-as6 N         ASes in the IPv6 chart (default 6)\n"
	      "      --top-countries N   countries in the chart (default 10)\n"
	      "  -q, --quiet             no closing line on stdout\n"
	      "  -h, --help              this text\n"
	      "\n"
	      "Example:\n"
	      "  mpcap report -o report --trace tb-07 --trace tb-08 --attribution attr scan-2020-0*/\n"
	      "\n"
	      "Exit status: 0 ok, 1 error (nothing written), 2 usage.\n",
	      out);
}

/* ------------------------------------------------------------- figures */

struct ctx {
	struct report *r;
	struct outdir outs; /* every file written: committed together at the end */
	struct chart_output co;
	const char *ext;
	size_t ntrace;
	bool paper; /* --style paper: per-figure column widths (chart_file) */
	const char *attr_dir;
	struct rp_figure *figs;
	size_t nfigs, capfigs;
	char *err;
	size_t errlen;
};

static struct rp_figure *fig_new(struct ctx *c)
{
	if (c->nfigs == c->capfigs) {
		size_t nc = c->capfigs ? c->capfigs * 2 : 32;
		struct rp_figure *n = realloc(c->figs, nc * sizeof *n);
		if (!n)
			return NULL;
		c->figs = n;
		c->capfigs = nc;
	}
	struct rp_figure *f = &c->figs[c->nfigs++];
	memset(f, 0, sizeof *f);
	f->filter_col = -1;
	return f;
}

static void fig_filter(struct rp_figure *f, const struct rp_table *t, const char *file, const char *col,
                       const char *value)
{
	f->table = t;
	f->table_file = file;
	if (col) {
		f->filter_col = rp_table_col(t, col);
		snprintf(f->filter, sizeof f->filter, "%s", value);
	}
}

/* Opens DIR/stem.EXT for a chart; NULL with c->err on failure. */
/* --style paper: the histograms, bit charts and monthly series span both
 * columns (7 in), the rankings and tracebox charts one (3.5 in), at 300 dpi;
 * the chart layer's smallest font (9.5 logical px) is then 7.1 pt. */
#define PAPER_DPI 300.0
#define PAPER_WIDE_IN 7.0
#define PAPER_WIDE_H_IN 2.8
#define PAPER_NARROW_IN 3.5
#define PAPER_NARROW_H_IN 2.6

static FILE *chart_file(struct ctx *c, struct rp_figure *f, const char *stem)
{
	if (c->paper) {
		bool wide = strncmp(stem, "weights-", 8) == 0 || strncmp(stem, "bits-", 5) == 0 ||
		            strncmp(stem, "monthly-", 8) == 0;
		c->co.width = (int)((wide ? PAPER_WIDE_IN : PAPER_NARROW_IN) * PAPER_DPI);
		c->co.height = (int)((wide ? PAPER_WIDE_H_IN : PAPER_NARROW_H_IN) * PAPER_DPI);
	}
	/* <img> at the figure's own width: a PNG's pixels (index.html fits it to the column,
	 * so its text reads larger than at the logical size), a vector figure's logical size */
	if (c->co.format == CHART_PNG) {
		f->img_w = c->co.width;
		f->img_h = c->co.height;
	} else
		chart_output_logical_size(&c->co, &f->img_w, &f->img_h);
	snprintf(f->file, sizeof f->file, "%s.%s", stem, c->ext);
	return outdir_add(&c->outs, f->file, c->err, c->errlen);
}

static int chart_done(struct ctx *c, struct rp_figure *f, int rc, const struct chart_layout *lay)
{
	if (rc != 0) {
		char tmp[512];
		snprintf(tmp, sizeof tmp, "%s", c->err);
		snprintf(c->err, c->errlen, "%s: %s", f->file, tmp);
		return -1;
	}
	f->no_data = lay->no_data;
	return 0;
}

/* "scan 2020-12" or "scans 2020-07 to 2020-12", for titles. */
static void scans_text(const struct report *r, char *buf, size_t n)
{
	if (r->nscans == 1)
		snprintf(buf, n, "scan %s", r->scans[0].label);
	else
		snprintf(buf, n, "scans %s to %s", r->scans[0].label, r->scans[r->nscans - 1].label);
}

static void weights_fill(struct fig_weights *w, const struct rp_group *g)
{
	w->n = g->all.n;
	w->n_clean = g->clean.n;
	w->probe_weight = g->has_probe ? g->all.probe_weight : -1;
	for (int k = 0; k < FIG_WEIGHTS; k++) {
		w->observed[k] = g->all.n ? g->all.bins[k].observed : 0;
		w->expected[k] = (double)g->all.n * ks_weight_pmf(k);
		w->observed_clean[k] = g->clean.n ? g->clean.bins[k].observed : 0;
		w->expected_clean[k] = (double)g->clean.n * ks_weight_pmf(k);
	}
}

/* The weight histograms share one count axis: log when one weight dominates
 * in some group, up to the nice tick above the largest count of any group. */
static void weights_family_axis(const struct report *r, bool *log_y, double *y_max)
{
	double top = 0;
	*log_y = false;
	for (size_t i = 0; i < r->ngroups; i++) {
		struct fig_weights w;
		memset(&w, 0, sizeof w);
		weights_fill(&w, &r->groups[i]);
		*log_y = *log_y || fig_weights_dominated(&w);
		for (int k = 0; k < FIG_WEIGHTS; k++) {
			top = fmax(top, (double)w.observed[k]);
			top = fmax(top, w.expected[k]);
		}
	}
	struct chart_ticks t;
	*y_max = 0;
	if (top > 0 && (*log_y ? chart_log_ticks(0.5, top, &t) : chart_nice_ticks(0, top, 5, true, &t)) == 0)
		*y_max = t.hi;
}

static int key_figures(struct ctx *c)
{
	struct report *r = c->r;
	char scans[160];
	scans_text(r, scans, sizeof scans);
	bool log_y;
	double y_max;
	weights_family_axis(r, &log_y, &y_max);
	/* the bit charts share one range, symmetric about one half, to the next 10 % */
	double dev = 0.1;
	for (size_t i = 0; i < r->ngroups; i++) {
		const struct rp_group *g = &r->groups[i];
		for (int k = 0; k < FIG_BITS && g->all.n; k++)
			dev = fmax(dev, fabs((double)g->all.bits[k].ones / (double)g->all.n - 0.5));
		if (isfinite(g->band_lo))
			dev = fmax(dev, 0.5 - g->band_lo);
	}
	dev = ceil(dev * 10 - 1e-9) / 10;
	if (dev > 0.3) /* 10 % .. 90 % would end between the 20 % ticks */
		dev = 0.5;
	double bits_lo = 0.5 - dev, bits_hi = 0.5 + dev;
	for (size_t i = 0; i < r->ngroups; i++) {
		struct rp_group *g = &r->groups[i];
		char stem[64], nb[32], nbc[32], gl[256], tt[sizeof g->test_text];
		chart_format_number((double)g->all.n, 0, nb, sizeof nb);
		chart_format_number((double)g->clean.n, 0, nbc, sizeof nbc);
		snprintf(gl, sizeof gl, "%s, %s", g->label, scans);
		/* the test result goes to the caption, on one line */
		snprintf(tt, sizeof tt, "%s", g->test_text);
		for (char *q = tt; *q; q++)
			if (*q == '\n')
				*q = ' ';
		/* the histogram */
		struct rp_figure *f = fig_new(c);
		if (!f)
			return -1;
		snprintf(f->title, sizeof f->title, "Hamming weight of returned keys: %s", gl);
		char probe[96] = "";
		if (g->has_probe)
			snprintf(probe, sizeof probe, "the probe key %016llx (weight %d)",
			         (unsigned long long)g->probe, g->all.probe_weight);
		snprintf(
		    f->caption, sizeof f->caption,
		    "Hamming weight (number of 1 bits) of every 64-bit key returned in an MP_CAPABLE "
		    "SYN-ACK, all scans together, %s. Light bars: all %s keys; black line: their "
		    "Binomial(64, 1/2) expectation n*C(64,w)/2^64, the counts of uniformly random keys. "
		    "Dark points: the %s cleaned keys (without the verdicts replay, modified and "
		    "shared-key); dashed line: their expectation. %s%s%s%s Tests (Pearson's chi-square, "
		    "weights pooled until each expects at least 5 keys, and the others of mpcap stats, at "
		    "alpha = %g): %s",
		    g->label, nb, nbc, g->has_probe ? "Vermillion bar: the weight of " : "", probe,
		    g->has_probe ? "; a middlebox that replays the probe's option returns that key, so "
		                   "replays pile up there."
		                 : "No probe key is known for these keys.",
		    log_y ? " The count axis is logarithmic (one weight holds more than 4 times the keys of "
		            "any other in some group) and shared by the weight histograms of this report."
		          : " The count axis is shared by the weight histograms of this report.",
		    r->opt.alpha, tt);
		fig_filter(f, &r->weights, "key-weights.csv", "group", g->id);
		snprintf(stem, sizeof stem, "weights-%s", g->id);
		FILE *fp = chart_file(c, f, stem);
		if (!fp)
			return -1;
		struct fig_weights w;
		memset(&w, 0, sizeof w);
		weights_fill(&w, g);
		w.group = gl;
		w.log_y = log_y;
		w.y_max = y_max;
		struct chart_layout lay;
		if (chart_done(c, f, fig_weights(&w, &c->co, fp, &lay, c->err, c->errlen), &lay) != 0)
			return -1;

		/* the bits */
		f = fig_new(c);
		if (!f)
			return -1;
		snprintf(f->title, sizeof f->title, "Share of keys with each bit set: %s", gl);
		char band[160] = "";
		if (isfinite(g->band_lo))
			snprintf(band, sizeof band, " (%.1f%% to %.1f%% for these %s keys)", 100 * g->band_lo,
			         100 * g->band_hi, nb);
		snprintf(
		    f->caption, sizeof f->caption,
		    "For each bit position of the returned keys (63 = most significant), the share of keys "
		    "with the bit set, %s, all keys. Bars rise or fall from one half. Vermillion: bits whose "
		    "exact two-sided binomial test, Holm-adjusted over the 64 positions, gives p < %g (%d "
		    "bits). Green band: the shares the same test accepts at Holm's stopping level "
		    "alpha/(64 - %d) = %.2g%s, so a bar is flagged exactly when it leaves the band. Replayed "
		    "probe keys pull the probe key's bits towards 0 or 1.",
		    g->label, r->opt.alpha, g->all.n_biased, g->all.n_biased,
		    r->opt.alpha / (g->all.n_biased < 64 ? 64 - g->all.n_biased : 1), band);
		fig_filter(f, &r->bits, "key-bits.csv", "group", g->id);
		snprintf(stem, sizeof stem, "bits-%s", g->id);
		fp = chart_file(c, f, stem);
		if (!fp)
			return -1;
		struct fig_bits b = { .group = gl,
			              .n = g->all.n,
			              .band_lo = g->band_lo,
			              .band_hi = g->band_hi,
			              .band_label = "A fair bit's range (Holm, same rule as the flags)" };
		char test[300];
		if (g->all.n) {
			char p[64];
			fig_format_p(g->all.bits_p, p, sizeof p);
			snprintf(test, sizeof test,
			         "%d of 64 bits biased (exact binomial test, Holm-adjusted, smallest %s) at "
			         "\xce\xb1\xc2\xa0=\xc2\xa0%g.",
			         g->all.n_biased, p, r->opt.alpha);
		} else
			test[0] = '\0';
		if (test[0]) {
			size_t cl = strlen(f->caption);
			snprintf(f->caption + cl, sizeof f->caption - cl, " %s", test);
		}
		b.y_lo = bits_lo;
		b.y_hi = bits_hi;
		for (int k = 0; k < FIG_BITS; k++) {
			b.fraction[k] = g->all.n ? (double)g->all.bits[k].ones / (double)g->all.n : NAN;
			b.biased[k] = g->all.n && g->all.bits[k].biased;
		}
		if (chart_done(c, f, fig_bits(&b, &c->co, fp, &lay, c->err, c->errlen), &lay) != 0)
			return -1;
	}
	return 0;
}

static int monthly_figures(struct ctx *c)
{
	struct report *r = c->r;
	const char **scans = calloc(r->nscans + 1, sizeof *scans);
	if (!scans)
		return -1;
	/* with traces: the untraced scans marked on the axis */
	char(*lab)[80] = calloc(r->nscans + 1, sizeof *lab);
	const char **cats = calloc(r->nscans + 1, sizeof *cats);
	if (!lab || !cats) {
		free(scans);
		free(lab);
		free(cats);
		return -1;
	}
	for (size_t s = 0; s < r->nscans; s++) {
		scans[s] = r->scans[s].label;
		snprintf(lab[s], sizeof lab[s], "%s%s", r->scans[s].label,
		         r->scans[s].traced ? "" : " (untraced)");
		cats[s] = lab[s];
	}
	int rc = 0;
	for (int fam = 4; fam <= 6 && rc == 0; fam += 2) {
		size_t np = 0;
		unsigned ports[64];
		double *tm = calloc(64 * (r->nscans + 1), sizeof *tm),
		       *mb = calloc(64 * (r->nscans + 1), sizeof *mb);
		if (!tm || !mb) {
			free(tm);
			free(mb);
			rc = -1;
			break;
		}
		for (size_t i = 0; i < r->nseries && np < 64; i++) {
			if (r->series[i].family != fam)
				continue;
			ports[np] = r->series[i].port;
			if (r->nscans) { /* memcpy from NULL is undefined, even of 0 bytes */
				memcpy(tm + np * r->nscans, r->series[i].mptcp, r->nscans * sizeof *tm);
				memcpy(mb + np * r->nscans, r->series[i].middlebox, r->nscans * sizeof *mb);
			}
			np++;
		}
		struct rp_figure *f = fig_new(c);
		char stem[32], famv[4];
		snprintf(stem, sizeof stem, "monthly-ipv%d", fam);
		snprintf(famv, sizeof famv, "%d", fam);
		FILE *fp = f ? chart_file(c, f, stem) : NULL;
		if (!fp) {
			free(tm);
			free(mb);
			rc = -1;
			break;
		}
		bool conf = r->series_confirmed;
		snprintf(f->title, sizeof f->title, "%s and middlebox-affected hosts per scan: IPv%d",
		         conf ? "True MPTCP (tracebox-confirmed)" : "MPTCP by scan verdict", fam);
		if (conf)
			snprintf(
			    f->caption, sizeof f->caption,
			    "Per scan (month) and port, IPv%d, one bar per port: true MPTCP hosts (tracebox "
			    "class true-mptcp: the option crossed the path intact and the host answered with "
			    "its own key; dark) with, stacked on top, middlebox-affected hosts (class "
			    "middlebox; light), from each scan's --trace classification.csv. Scans marked "
			    "untraced had no trace: nothing is confirmed there and no bar is drawn (their "
			    "scan-verdict counts are in adoption.csv, mptcp_verdict). %s Rules: "
			    "docs/methodology.md.",
			    fam, r->trace_note);
		else
			snprintf(
			    f->caption, sizeof f->caption,
			    "Per scan (month) and port, IPv%d, one bar per port: MPTCP by scan verdict "
			    "(verdict "
			    "mptcp, no middlebox verdict: not tracebox-confirmed, so not true MPTCP; dark) "
			    "with, "
			    "stacked on top, hosts with a middlebox verdict (replay, modified, shared-key; "
			    "light). No scan was traced (--trace), so no host is confirmed. A host counts "
			    "once "
			    "per scan even when it answered both probe versions. Counted from each scan's "
			    "targets.csv (kind class in the table).",
			    fam);
		fig_filter(f, &r->monthly, "monthly.csv", "family", famv);
		struct fig_monthly m = {
			.family = fam == 4 ? "IPv4" : "IPv6",
			.nscans = r->nscans,
			.scans = conf ? cats : scans,
			.nports = np,
			.ports = ports,
			.mptcp = tm,
			.middlebox = mb,
			.confirmed = conf,
		};
		struct chart_layout lay;
		rc = chart_done(c, f, fig_monthly(&m, &c->co, fp, &lay, c->err, c->errlen), &lay);
		free(tm);
		free(mb);
	}
	free(scans);
	free(lab);
	free(cats);
	return rc;
}

static int ranking_figure(struct ctx *c, const char *stem, const struct rp_ranking *rk, const char *what,
                          const char *family_label, size_t top, const struct rp_table *t, const char *filter,
                          bool as)
{
	struct rp_figure *f = fig_new(c);
	if (!f)
		return -1;
	char title[160], value_title[96], nodata[300], sub[600];
	size_t n = rk->n, shown = n ? n : top;
	const char *noun = shown == 1 ? (as ? "AS" : "country") : what;
	/* the chart's title names the family and the scan ranked */
	char scope[128];
	snprintf(scope, sizeof scope, "%s%s%s%s", family_label ? family_label : "",
	         family_label && rk->scan[0] ? ", " : "", rk->scan[0] ? "scan " : "", rk->scan);
	snprintf(title, sizeof title, "Top %zu %s hosting MPTCP%s%s", shown, noun,
	         scope[0] ? " \xe2\x80\x94 " : "", scope);
	snprintf(f->title, sizeof f->title, "Top %zu %s hosting MPTCP%s%s", shown, noun,
	         family_label ? ": " : "", family_label ? family_label : "");
	const char *meaning = rk->true_mptcp      ? "true MPTCP hosts (tracebox-confirmed)"
	                      : rk->mptcp_verdict ? "MPTCP hosts by scan verdict"
	                      : rk->measure[0]    ? rk->measure
	                                          : "MPTCP hosts";
	if (rk->true_mptcp)
		snprintf(value_title, sizeof value_title, "True MPTCP hosts (count)");
	else if (rk->mptcp_verdict || !rk->measure[0])
		snprintf(value_title, sizeof value_title, "MPTCP hosts by scan verdict (count)");
	else
		snprintf(value_title, sizeof value_title, "Hosts: %s (count)", rk->measure);
	if (!c->attr_dir)
		snprintf(
		    nodata, sizeof nodata,
		    "no attribution given: run 'mpcap attribute' and pass its output with --attribution DIR");
	else if (!rk->measure[0])
		snprintf(nodata, sizeof nodata, "no %s table with an MPTCP count column in the attribution",
		         as ? "AS" : "country");
	else
		snprintf(nodata, sizeof nodata, "no %s has an MPTCP host%s%s", as ? "AS" : "country",
		         family_label ? " on " : "", family_label ? family_label : "");
	snprintf(sub, sizeof sub, "%s", rk->note);
	snprintf(f->caption, sizeof f->caption,
	         "The %s with the most %s, %s, from the attribution tables of 'mpcap attribute' (%s). %s "
	         "Labels %s; long names wrap onto as many lines as they need and are never shortened.",
	         what, meaning, family_label ? family_label : "IPv4 and IPv6 together",
	         c->attr_dir ? c->attr_dir : "none given", rk->note,
	         as ? "are the AS number and the organisation (or AS) name"
	            : "are the country name and code");
	fig_filter(f, t, as ? "top-as.csv" : "countries.csv", filter ? "family" : NULL, filter ? filter : "");
	FILE *fp = chart_file(c, f, stem);
	if (!fp)
		return -1;
	struct fig_ranking fr = { .title = title,
		                  .subtitle = NULL, /* the note is in the caption */
		                  .value_title = value_title,
		                  .n = n,
		                  .labels = (const char *const *)rk->labels,
		                  .values = rk->values,
		                  .color = CHART_BLUE,
		                  .no_data = nodata };
	struct chart_layout lay;
	return chart_done(c, f, fig_ranking(&fr, &c->co, fp, &lay, c->err, c->errlen), &lay);
}

/* Paths that drop MP_CAPABLE (report/page/dropped.c): a chart per family and
 * port, and per AS with an attribution that has dropped_by_as.csv; one line
 * when no scan has A/B probes. */
static int dropped_figures(struct ctx *c)
{
	struct rp_figure *f = fig_new(c);
	if (!f)
		return -1;
	if (!report_dropped_present(c->r)) {
		report_dropped_none(f);
		return 0;
	}
	for (int by_as = 0; by_as < 2; by_as++) {
		if (by_as && (!report_dropped_have_as(c->attr_dir) || !(f = fig_new(c))))
			return by_as && report_dropped_have_as(c->attr_dir) ? -1 : 0;
		FILE *fp = chart_file(c, f, by_as ? "dropped-as" : "dropped");
		if (!fp)
			return -1;
		struct chart_layout lay;
		int rc = report_dropped_chart(c->r, by_as, c->attr_dir, c->r->opt.top_as4, f, &c->co, fp,
		                              &lay, c->err, c->errlen);
		if (chart_done(c, f, rc, &lay) != 0)
			return -1;
	}
	return 0;
}

static int trace_figures(struct ctx *c)
{
	struct report *r = c->r;
	char nodata[300];
	if (!c->ntrace)
		snprintf(nodata, sizeof nodata,
		         "no tracebox results given: run 'mpcap trace' on the tracebox captures and pass its "
		         "output with --trace DIR");
	else
		snprintf(nodata, sizeof nodata, "the trace directories hold no destination");
	struct rp_figure *f = fig_new(c);
	if (!f)
		return -1;
	char scanlab[96] = "";
	if (r->have_trace && r->trace_chart_scan >= 0)
		snprintf(scanlab, sizeof scanlab, ", scan %s", r->scans[r->trace_chart_scan].label);
	snprintf(f->title, sizeof f->title, "Tracebox classes of MP_CAPABLE responders%s", scanlab);
	snprintf(
	    f->caption, sizeof f->caption,
	    "Share of the traced responders per tracebox class, per IP version and port (n: traced "
	    "responders), for the latest traced scan, with each class's count in its segment where it "
	    "fits; responders the trace did not probe (not traced) are left out of the bars and counted "
	    "in the x-axis title (every traced scan's rows are in tracebox.csv, whose share column is "
	    "of all responders, not traced included; %s) True MPTCP: the option "
	    "reached the last answering hop intact and the destination answered with its own key; "
	    "middlebox: a hop changed the option, or the answer replayed or modified the probe key; "
	    "unreachable: the destination never answered the traced probes; no MPTCP: it answered "
	    "without MP_CAPABLE; unverified: own key, but no full quote from the last hop proves the path; "
	    "not traced: a scan responder the trace did not probe. Rules: docs/methodology.md, Tracebox.",
	    r->have_trace ? r->trace_note : "no --trace given");
	fig_filter(f, &r->tracebox, "tracebox.csv", NULL, NULL);
	FILE *fp = chart_file(c, f, "tracebox-classes");
	if (!fp)
		return -1;
	const char **groups = calloc(r->ntrace_groups + 1, sizeof *groups);
	if (!groups)
		return -1;
	for (size_t g = 0; g < r->ntrace_groups; g++)
		groups[g] = r->trace_group_labels[g];
	char ctitle[160];
	snprintf(ctitle, sizeof ctitle, "Tracebox classes of MP_CAPABLE responders%s%s",
	         scanlab[0] ? " \xe2\x80\x94" : "", scanlab[0] ? scanlab + 1 : "");
	struct fig_trace_classes tc = { .title = ctitle,
		                        .ngroups = r->ntrace_groups,
		                        .groups = groups,
		                        .counts = r->trace_counts,
		                        .no_data = nodata };
	struct chart_layout lay;
	int rc = chart_done(c, f, fig_trace_classes(&tc, &c->co, fp, &lay, c->err, c->errlen), &lay);
	free(groups);
	if (rc != 0)
		return -1;

	f = fig_new(c);
	if (!f)
		return -1;
	snprintf(f->title, sizeof f->title, "Where MP_CAPABLE was changed on the path");
	snprintf(
	    f->caption, sizeof f->caption,
	    "For each traced destination where some router's ICMP time-exceeded quote shows the MP_CAPABLE "
	    "option changed (removed, replaced by NOPs, key, flags, version or length changed), the first "
	    "such hop: the TTL of the probe that expired there. The middlebox sits between that hop and "
	    "the previous hop whose quote showed the option intact. From destinations.csv (mpc_changed_hop) "
	    "of 'mpcap trace', all --trace directories together; quotes of 8 TCP bytes (RFC 792) say "
	    "nothing about options and are not counted. %s",
	    r->have_trace ? r->hops_note : "");
	fig_filter(f, &r->trace_hops, "trace-hops.csv", NULL, NULL);
	fp = chart_file(c, f, "trace-hops");
	if (!fp)
		return -1;
	if (r->have_trace && r->nhops == 0)
		snprintf(nodata, sizeof nodata, "no traced destination shows MP_CAPABLE changed on the path");
	const char **chg = calloc(r->nhop_changes + 1, sizeof *chg);
	if (!chg)
		return -1;
	for (size_t k = 0; k < r->nhop_changes; k++)
		chg[k] = r->hop_changes[k];
	char htitle[200];
	char traced[128] = "tracebox";
	if (r->ntraced == 1 && scanlab[0])
		snprintf(traced, sizeof traced, "%s", scanlab + 2);
	else if (r->ntraced > 1)
		snprintf(traced, sizeof traced, "%zu traced scans", r->ntraced);
	snprintf(htitle, sizeof htitle, "Where MP_CAPABLE was changed on the path \xe2\x80\x94 %s", traced);
	struct fig_trace_hops th = { .nhops = r->nhops,
		                     .hops = r->hops,
		                     .nchanges = r->nhop_changes,
		                     .changes = chg,
		                     .counts = r->hop_counts,
		                     .title = htitle,

		                     .no_data = nodata };
	rc = chart_done(c, f, fig_trace_hops(&th, &c->co, fp, &lay, c->err, c->errlen), &lay);
	free(chg);
	return rc;
}

static int table_sections(struct ctx *c, bool first)
{
	struct report *r = c->r;
	struct rp_figure *f = fig_new(c);
	if (!f)
		return -1;
	if (first) {
		snprintf(f->title, sizeof f->title, "Adoption per IP version and port");
		snprintf(
		    f->caption, sizeof f->caption,
		    "Per scan, and for all scans together (scan = all, where a host counts once), per IP "
		    "version "
		    "and port: responsive targets, MP_CAPABLE responders (\"potential MPTCP\"), of which "
		    "those "
		    "whose key differs from the probe's, MPTCP by scan verdict (verdict mptcp), middlebox "
		    "verdicts (replay, modified, shared-key), for traced scans true MPTCP and "
		    "middlebox-affected (tracebox-confirmed, from the --trace directories; empty for an "
		    "untraced scan), and those MP_CAPABLE in every scan that probed them (consistent); the "
		    "shares are of the MP_CAPABLE responders (mpcapable_share: of the responsive targets). "
		    "From each scan's targets.csv, summary.csv and targets.sets, and the traces' "
		    "classification.csv.");
		fig_filter(f, &r->adoption, "adoption.csv", NULL, NULL);
	} else {
		snprintf(f->title, sizeof f->title, "Are the returned keys random?");
		snprintf(
		    f->caption, sizeof f->caption,
		    "Per key group, on all keys and on those left after removing the verdicts replay, "
		    "modified "
		    "and shared-key (cleaned): Pearson's chi-square and the G-test of the Hamming-weight "
		    "histogram against Binomial(64, 1/2), the keys at the probe key's weight against their "
		    "expectation, biased bit positions, colliding pairs and the estimated share of replayed "
		    "keys, with the overall decision at alpha = %g (Bonferroni over the tests; "
		    "docs/methodology.md, Statistics).",
		    r->opt.alpha);
		fig_filter(f, &r->keystats, "key-stats.csv", NULL, NULL);
	}
	return 0;
}

static int write_table(struct ctx *c, const char *name, const struct rp_table *t)
{
	FILE *fp = outdir_add(&c->outs, name, c->err, c->errlen);
	if (!fp)
		return -1;
	if (rp_table_write(t, fp) != 0)
		return outdir_write_failed(&c->outs, fp, c->err, c->errlen);
	return 0;
}

/* ---------------------------------------------------------------- main */

static bool parse_size(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static bool parse_real(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v))
		return false;
	*out = v;
	return true;
}

static char *join_args(int argc, char **argv)
{
	size_t n = 16;
	for (int i = 0; i < argc; i++)
		n += strlen(argv[i]) + 3;
	char *s = malloc(n);
	if (!s)
		return NULL;
	/* argv[0] is already "mpcap report" (main.c) */
	size_t o = (size_t)snprintf(s, n, "%s", argc > 0 ? argv[0] : "mpcap report");
	for (int i = 1; i < argc; i++)
		o += (size_t)snprintf(s + o, n - o, " %s", argv[i]);
	return s;
}

static bool stop_requested(const struct cli_env *env)
{
	return env && env->stop && *env->stop;
}

int cmd_report(int argc, char **argv, const struct cli_env *env)
{
	(void)env;
	enum {
		O_FORMAT = 256,
		O_WIDTH,
		O_HEIGHT,
		O_DPI,
		O_TRACE,
		O_ATTR,
		O_GROUPS,
		O_ALPHA,
		O_TOP4,
		O_TOP6,
		O_TOPCC,
		O_STYLE
	};
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "width", required_argument, NULL, O_WIDTH },
		{ "height", required_argument, NULL, O_HEIGHT },
		{ "dpi", required_argument, NULL, O_DPI },
		{ "trace", required_argument, NULL, O_TRACE },
		{ "attribution", required_argument, NULL, O_ATTR },
		{ "key-groups", required_argument, NULL, O_GROUPS },
		{ "alpha", required_argument, NULL, O_ALPHA },
		{ "top-as", required_argument, NULL, O_TOP4 },
		{ "top-as6", required_argument, NULL, O_TOP6 },
		{ "top-countries", required_argument, NULL, O_TOPCC },
		{ "style", required_argument, NULL, O_STYLE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = "mpcap-report", *attr_dir = NULL;
	enum { MAX_TRACE_DIRS = 256 };
	const char *trace_dirs[MAX_TRACE_DIRS];
	size_t ntrace = 0;
	struct chart_output co = { CHART_PNG, CHART_DEFAULT_WIDTH, CHART_DEFAULT_HEIGHT, CHART_DEFAULT_DPI };
	struct rp_options opt = { .alpha = 0.01, .top_as4 = 10, .top_as6 = 6, .top_countries = 10 };
	bool quiet = false, paper = false, format_given = false;
	long v;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			dir = optarg;
			break;
		case O_FORMAT:
			if (chart_format_parse(optarg, &co.format) != 0) {
				fprintf(stderr, "mpcap report: --format %s: want png, svg or pdf\n", optarg);
				return EXIT_USAGE;
			}
			format_given = true;
			break;
		case O_STYLE:
			if (strcmp(optarg, "paper") != 0 && strcmp(optarg, "screen") != 0) {
				fprintf(stderr, "mpcap report: --style %s: want screen or paper\n", optarg);
				return EXIT_USAGE;
			}
			paper = strcmp(optarg, "paper") == 0;
			break;
		case O_WIDTH:
		case O_HEIGHT:
			if (!parse_size(optarg, CHART_MIN_PIXELS, CHART_MAX_PIXELS, &v)) {
				fprintf(stderr, "mpcap report: --%s %s: want %d..%d pixels\n",
				        ch == O_WIDTH ? "width" : "height", optarg, CHART_MIN_PIXELS,
				        CHART_MAX_PIXELS);
				return EXIT_USAGE;
			}
			*(ch == O_WIDTH ? &co.width : &co.height) = (int)v;
			break;
		case O_DPI:
			if (!parse_real(optarg, &co.dpi) || co.dpi < 48 || co.dpi > 1200) {
				fprintf(stderr, "mpcap report: --dpi %s: want 48..1200 (96 = 1x, 192 = 2x)\n",
				        optarg);
				return EXIT_USAGE;
			}
			break;
		case O_TRACE:
			if (ntrace == MAX_TRACE_DIRS) {
				fprintf(stderr, "mpcap report: --trace %s: at most %d trace directories\n",
				        optarg, MAX_TRACE_DIRS);
				return EXIT_USAGE;
			}
			trace_dirs[ntrace++] = optarg;
			break;
		case O_ATTR:
			attr_dir = optarg;
			break;
		case O_GROUPS:
			opt.groups = optarg;
			break;
		case O_ALPHA:
			if (!parse_real(optarg, &opt.alpha) || !(opt.alpha > 0 && opt.alpha < 1)) {
				fprintf(stderr, "mpcap report: --alpha %s: want a number between 0 and 1\n",
				        optarg);
				return EXIT_USAGE;
			}
			break;
		case O_TOP4:
		case O_TOP6:
		case O_TOPCC:
			if (!parse_size(optarg, 1, 100, &v)) {
				fprintf(stderr, "mpcap report: %s: want 1..100\n", optarg);
				return EXIT_USAGE;
			}
			*(ch == O_TOP4   ? &opt.top_as4
			  : ch == O_TOP6 ? &opt.top_as6
			                 : &opt.top_countries) = (size_t)v;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			help_report(stdout);
			return EXIT_OK;
		default:
			return cli_bad_option("report", argv, optind, longopts);
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "mpcap report: no results directory given\nTry 'mpcap help report'.\n");
		return EXIT_USAGE;
	}
	char err[2048] = "";
	if (paper) { /* one- and two-column figures at 300 dpi, no title; PDF unless asked otherwise */
		if (!format_given)
			co.format = CHART_PDF;
		co.dpi = PAPER_DPI;
		co.width = (int)(PAPER_WIDE_IN * PAPER_DPI);
		co.height = (int)(PAPER_WIDE_H_IN * PAPER_DPI);
		co.no_title = true;
	}
	if (chart_output_check(&co, err, sizeof err) != 0) {
		fprintf(stderr, "mpcap report: %s\n", err);
		return EXIT_USAGE;
	}
	struct report r;
	struct ctx c;
	memset(&c, 0, sizeof c);
	c.r = &r;
	c.co = co;
	c.ext = chart_format_ext(co.format);
	c.ntrace = ntrace;
	c.paper = paper;
	c.attr_dir = attr_dir;
	c.err = err;
	c.errlen = sizeof err;
	char *command = join_args(argc, argv);
	int rc = EXIT_ERROR;
	/* A stop request (SIGINT/SIGTERM) is honoured between steps: every output
	 * is still a temporary file until outdir_commit(), so nothing is left. */
	if (report_build(&r, &opt, argv + optind, (size_t)(argc - optind), trace_dirs, ntrace, attr_dir, err,
	                 sizeof err) != 0) {
		if (stop_requested(env))
			goto interrupted;
		goto fail;
	}
	if (stop_requested(env))
		goto interrupted;
	if (outdir_open(&c.outs, dir, err, sizeof err) != 0)
		goto fail;
	/* each step runs only while the previous ones succeeded and no stop was asked for */
	if (table_sections(&c, true) != 0 || stop_requested(env) || monthly_figures(&c) != 0 ||
	    stop_requested(env) || key_figures(&c) != 0 || stop_requested(env) ||
	    table_sections(&c, false) != 0 || stop_requested(env) || trace_figures(&c) != 0 ||
	    stop_requested(env) || dropped_figures(&c) != 0 || stop_requested(env) ||
	    ranking_figure(&c, "top-as-ipv4", &r.as4, "ASes", "IPv4", opt.top_as4, &r.top_as, "4", true) !=
	        0 ||
	    stop_requested(env) ||
	    ranking_figure(&c, "top-as-ipv6", &r.as6, "ASes", "IPv6", opt.top_as6, &r.top_as, "6", true) !=
	        0 ||
	    stop_requested(env) ||
	    ranking_figure(&c, "countries", &r.countries_rank, "countries", NULL, opt.top_countries,
	                   &r.countries, NULL, false) != 0 ||
	    stop_requested(env)) {
		if (stop_requested(env))
			goto interrupted;
		if (!err[0])
			snprintf(err, sizeof err, "out of memory");
		goto fail;
	}
	static const char *const tables[] = { "adoption.csv",    "monthly.csv",  "key-stats.csv",
		                              "key-weights.csv", "key-bits.csv", "tracebox.csv",
		                              "trace-hops.csv",  "top-as.csv",   "countries.csv" };
	const struct rp_table *tt[] = { &r.adoption, &r.monthly,    &r.keystats, &r.weights,  &r.bits,
		                        &r.tracebox, &r.trace_hops, &r.top_as,   &r.countries };
	const char *what[9];
	for (size_t i = 0; i < 9; i++) {
		what[i] = column_set_get(tt[i]->colset)->what;
		if (write_table(&c, tables[i], tt[i]) != 0)
			goto fail;
	}
	double lw, lh;
	chart_output_logical_size(&co, &lw, &lh);
	struct rp_page page = { .r = &r,
		                .figs = c.figs,
		                .nfigs = c.nfigs,
		                .format = c.ext,
		                .img_w = lw,
		                .img_h = lh,
		                .tables = tables,
		                .table_what = what,
		                .ntables = 9,
		                .command = command,
		                .version = MPCAP_VERSION };
	FILE *fp = outdir_add(&c.outs, "index.html", err, sizeof err);
	if (!fp)
		goto fail;
	if (report_write_html(fp, &page) != 0) {
		outdir_write_failed(&c.outs, fp, err, sizeof err);
		goto fail;
	}
	fp = outdir_add(&c.outs, "README.md", err, sizeof err);
	if (!fp)
		goto fail;
	if (report_write_readme(fp, &page) != 0) {
		outdir_write_failed(&c.outs, fp, err, sizeof err);
		goto fail;
	}
	if (stop_requested(env))
		goto interrupted;
	c.outs.manifest = env->manifest;
	if (manifest_add_paths(c.outs.manifest, argv + optind, argc - optind, "results", err, sizeof err) !=
	        0 ||
	    (ntrace && manifest_add_paths(c.outs.manifest, (char *const *)trace_dirs, (int)ntrace, "results",
	                                  err, sizeof err) != 0) ||
	    (attr_dir && manifest_add_paths(c.outs.manifest, (char *const *)&attr_dir, 1, "results", err,
	                                    sizeof err) != 0))
		goto fail;
	if (outdir_commit(&c.outs, err, sizeof err) != 0)
		goto fail;
	if (!quiet) {
		size_t charts = 0, empty = 0;
		for (size_t i = 0; i < c.nfigs; i++) {
			charts += c.figs[i].file[0] != '\0';
			empty += c.figs[i].no_data;
		}
		printf("%zu scan%s -> %s/index.html: %zu charts (%zu without data), 9 tables\n", r.nscans,
		       r.nscans == 1 ? "" : "s", dir, charts, empty);
	}
	rc = EXIT_OK;
	goto out;
interrupted:
	fprintf(stderr, "mpcap report: interrupted; no output written\n");
	rc = EXIT_INTERRUPTED;
	goto out;
fail:
	fprintf(stderr, "mpcap report: %s\n", err);
out:
	outdir_close(&c.outs);
	free(c.figs);
	free(command);
	report_free(&r);
	return rc;
}
