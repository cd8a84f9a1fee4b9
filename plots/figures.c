/* figures.c — the report's figures as chart specifications (see figures.h).
 * Only data, titles, units and colours are chosen here; the chart layer (chart.h) draws. */
#include "plots/figures.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const superscript[10] = {
	"\xe2\x81\xb0", "\xc2\xb9",     "\xc2\xb2",     "\xc2\xb3",     "\xe2\x81\xb4",
	"\xe2\x81\xb5", "\xe2\x81\xb6", "\xe2\x81\xb7", "\xe2\x81\xb8", "\xe2\x81\xb9",
};
#define SUP_MINUS "\xe2\x81\xbb"
#define TIMES "\xc3\x97"
#define NBSP "\xc2\xa0" /* keeps "p = 0.05" on one line when wrapped */

static void sup_int(int e, char *buf, size_t n)
{
	char digits[16];
	snprintf(digits, sizeof digits, "%d", e < 0 ? -e : e);
	size_t o = 0;
	buf[0] = '\0';
	if (e < 0)
		o += (size_t)snprintf(buf + o, n - o, "%s", SUP_MINUS);
	for (const char *d = digits; *d && o < n; d++)
		o += (size_t)snprintf(buf + o, n - o, "%s", superscript[*d - '0']);
}

void fig_format_p(double p, char *buf, size_t n)
{
	if (!isfinite(p)) {
		snprintf(buf, n, "p n/a");
		return;
	}
	if (p < 1e-300) {
		char e[32];
		sup_int(-300, e, sizeof e);
		snprintf(buf, n, "p" NBSP "<" NBSP "10%s", e);
		return;
	}
	if (p >= 0.001) {
		snprintf(buf, n, "p" NBSP "=" NBSP "%.2g", p);
		return;
	}
	int ex = (int)floor(log10(p));
	double m = p / pow(10, ex);
	if (m >= 9.95) {
		m /= 10;
		ex++;
	}
	char e[32];
	sup_int(ex, e, sizeof e);
	snprintf(buf, n, "p" NBSP "=" NBSP "%.1f" TIMES "10%s", m, e);
}

static int render(const struct chart_spec *s, const struct chart_output *o, FILE *fp,
                  struct chart_layout *lay, char *err, size_t errlen)
{
	return chart_render(s, o, fp, lay, err, errlen);
}

bool fig_weights_dominated(const struct fig_weights *f)
{
	uint64_t top = 0, second = 0;
	for (int w = 0; w < FIG_WEIGHTS; w++) {
		uint64_t v = f->observed[w];
		if (v > top) {
			second = top;
			top = v;
		} else if (v > second)
			second = v;
	}
	return top > 4 * second && top >= 20;
}

int fig_weights(const struct fig_weights *f, const struct chart_output *o, FILE *fp, struct chart_layout *lay,
                char *err, size_t errlen)
{
	double x[FIG_WEIGHTS], obs[FIG_WEIGHTS], exp_[FIG_WEIGHTS], cl[FIG_WEIGHTS], expc[FIG_WEIGHTS];
	unsigned char hl[FIG_WEIGHTS];
	/* on a log axis, zero counts and expectations far below one key are not drawn */
	double floor_ = f->log_y ? 0.05 : -1;
	for (int w = 0; w < FIG_WEIGHTS; w++) {
		x[w] = w;
		obs[w] = (double)f->observed[w];
		exp_[w] = f->expected[w] > floor_ ? f->expected[w] : NAN;
		cl[w] = f->observed_clean[w] > 0 ? (double)f->observed_clean[w] : NAN;
		expc[w] = f->expected_clean[w] > floor_ ? f->expected_clean[w] : NAN;
		hl[w] = w == f->probe_weight;
	}
	char title[256], keys[96], clean[96], hlabel[96], nbuf[48];
	snprintf(title, sizeof title, "Hamming weight of returned keys %s %s", "\xe2\x80\x94", f->group);
	chart_format_number((double)f->n, 0, nbuf, sizeof nbuf);
	snprintf(keys, sizeof keys, "All keys (n = %s)", nbuf);
	chart_format_number((double)f->n_clean, 0, nbuf, sizeof nbuf);
	snprintf(clean, sizeof clean, "Cleaned keys (n = %s)", nbuf);
	snprintf(hlabel, sizeof hlabel, "All keys at the probe key's weight (%d)", f->probe_weight);
	struct chart_series series[4] = {
		{ .label = keys,
		  .kind = CHART_SERIES_BARS,
		  .x = x,
		  .y = obs,
		  .n = FIG_WEIGHTS,
		  .color = CHART_SKY_BLUE,
		  .highlight = f->probe_weight >= 0 ? hl : NULL,
		  .highlight_color = CHART_VERMILLION,
		  .highlight_label = hlabel },
		{ .label = "Binomial(64, 1/2), all keys",
		  .kind = CHART_SERIES_LINE,
		  .x = x,
		  .y = exp_,
		  .n = FIG_WEIGHTS,
		  .color = CHART_BLACK },
		{ .label = clean,
		  .kind = CHART_SERIES_POINTS,
		  .x = x,
		  .y = cl,
		  .n = FIG_WEIGHTS,
		  .color = CHART_BLUE },
		{ .label = "Binomial(64, 1/2), cleaned keys",
		  .kind = CHART_SERIES_LINE,
		  .x = x,
		  .y = expc,
		  .n = FIG_WEIGHTS,
		  .color = CHART_BLUE,
		  .dashed = true },
	};
	struct chart_spec s = {
		.kind = CHART_XY,
		.title = title,
		.subtitle = f->test,
		.x = { .title = "Hamming weight of the key (bits set, of 64)",
		       .fix_min = true,
		       .min = -0.5,
		       .fix_max = true,
		       .max = 64.5,
		       .step = 8,
		       .fmt = CHART_NUM_INT },
		.y = { .title = f->log_y ? "Keys (count, log scale)" : "Keys (count)",
		       .fmt = CHART_NUM_INT,
		       .log = f->log_y,
		       .fix_min = f->log_y,
		       .min = 0.5,
		       .fix_max = f->y_max > 0,
		       .max = f->y_max },
		.series = series,
		.nseries = !f->n        ? 0
		           : f->n_clean ? 4
		                        : 2,
		.bar_width = 1,
		.no_data = "no returned keys in this group (no SYN-ACK carried an MP_CAPABLE key)",
	};
	return render(&s, o, fp, lay, err, errlen);
}

int fig_bits(const struct fig_bits *f, const struct chart_output *o, FILE *fp, struct chart_layout *lay,
             char *err, size_t errlen)
{
	double x[FIG_BITS], y[FIG_BITS];
	for (int b = 0; b < FIG_BITS; b++) {
		x[b] = b;
		y[b] = f->fraction[b];
	}
	char title[256], keys[96], nbuf[48];
	snprintf(title, sizeof title, "Share of keys with each bit set %s %s", "\xe2\x80\x94", f->group);
	chart_format_number((double)f->n, 0, nbuf, sizeof nbuf);
	snprintf(keys, sizeof keys, "Bit positions (n = %s keys)", nbuf);
	int unflagged = 0;
	for (int b = 0; b < FIG_BITS; b++)
		unflagged += !f->biased[b] && isfinite(f->fraction[b]);
	struct chart_series series = { .label = unflagged ? keys : NULL,
		                       .kind = CHART_SERIES_BARS,
		                       .x = x,
		                       .y = y,
		                       .n = FIG_BITS,
		                       .color = CHART_BLUE,
		                       .highlight = f->biased,
		                       .highlight_color = CHART_VERMILLION,
		                       .highlight_label = "Biased bits (Holm-adjusted p < alpha)" };
	/* every byte boundary and the most significant bit: 63 is labelled */
	static const double bit_ticks[] = { 0, 8, 16, 24, 32, 40, 48, 56, 63 };
	struct chart_band band = { f->band_lo, f->band_hi, f->band_label, CHART_GREEN };
	struct chart_rule half = { .at = 0.5, .color = CHART_BLACK, .dashed = false };
	struct chart_spec s = {
		.kind = CHART_XY,
		.title = title,
		.subtitle = f->test,
		.x = { .title = "Bit position (0 = least, 63 = most significant)",
		       .fix_min = true,
		       .min = -0.5,
		       .fix_max = true,
		       .max = 63.5,
		       .step = 1,
		       .ticks = bit_ticks,
		       .nticks = sizeof bit_ticks / sizeof bit_ticks[0],
		       .fmt = CHART_NUM_INT },
		.y = { .title = "Keys with the bit set (share)",
		       .fmt = CHART_NUM_PERCENT,
		       .fix_min = f->y_hi > f->y_lo,
		       .min = f->y_lo,
		       .fix_max = f->y_hi > f->y_lo,
		       .max = f->y_hi },
		.series = &series,
		.nseries = f->n ? 1 : 0,
		.bands = &band,
		.nbands = isfinite(f->band_lo) && isfinite(f->band_hi) ? 1 : 0,
		.rules = &half,
		.nrules = 1,
		.bar_width = 1,
		.bar_base = 0.5,
		.no_data = "no returned keys in this group",
	};
	return render(&s, o, fp, lay, err, errlen);
}

int fig_monthly(const struct fig_monthly *f, const struct chart_output *o, FILE *fp, struct chart_layout *lay,
                char *err, size_t errlen)
{
	static const int dark[] = { CHART_BLUE, CHART_VERMILLION, CHART_GREEN, CHART_PURPLE };
	static const int light[] = { CHART_SKY_BLUE, CHART_ORANGE, CHART_YELLOW, CHART_GREY };
	size_t np = f->nports;
	struct chart_series *series = calloc(np * 2 + 1, sizeof *series);
	char(*labels)[96] = calloc(np * 2 + 1, sizeof *labels);
	char(*plabels)[16] = calloc(np + 1, sizeof *plabels);
	const char **pl = calloc(np + 1, sizeof *pl);
	if (!series || !labels || !plabels || !pl) {
		free(series);
		free(labels);
		free(plabels);
		free(pl);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t p = 0; p < np; p++) {
		snprintf(labels[2 * p], sizeof labels[0], "Port %u: %s", f->ports[p],
		         f->confirmed ? "true MPTCP" : "MPTCP by scan verdict");
		snprintf(labels[2 * p + 1], sizeof labels[0], "Port %u: %s", f->ports[p],
		         f->confirmed ? "middlebox-affected" : "middlebox verdict");
		snprintf(plabels[p], sizeof plabels[0], "%u", f->ports[p]);
		pl[p] = plabels[p];
		series[2 * p] = (struct chart_series){ .label = labels[2 * p],
			                               .kind = CHART_SERIES_BARS,
			                               .y = f->mptcp + p * f->nscans,
			                               .n = f->nscans,
			                               .color = dark[p % 4],
			                               .stack = (int)p };
		series[2 * p + 1] = (struct chart_series){ .label = labels[2 * p + 1],
			                                   .kind = CHART_SERIES_BARS,
			                                   .y = f->middlebox + p * f->nscans,
			                                   .n = f->nscans,
			                                   .color = light[p % 4],
			                                   .stack = (int)p };
	}
	char title[160];
	snprintf(title, sizeof title, "%s and middlebox-affected hosts per scan %s %s",
	         f->confirmed ? "True MPTCP (tracebox-confirmed)" : "MPTCP by scan verdict", "\xe2\x80\x94",
	         f->family);
	struct chart_spec s = {
		.kind = CHART_BARS,
		.title = title,
		.subtitle = f->note,
		.x = { .title = "Scan (month)" },
		.y = { .title = "Hosts (count)", .fmt = CHART_NUM_INT },
		.categories = f->scans,
		.ncategories = f->nscans,
		.stack_labels = pl,
		.nstack_labels = np,
		.series = series,
		.nseries = np * 2,
		.segment_labels = true, /* each class's count, the total above the bar */
		.stack_totals = true,
		.no_data = "no scan of this IP version holds an MP_CAPABLE responder",
	};
	int rc = render(&s, o, fp, lay, err, errlen);
	free(series);
	free(labels);
	free(plabels);
	free(pl);
	return rc;
}

int fig_ranking(const struct fig_ranking *f, const struct chart_output *o, FILE *fp, struct chart_layout *lay,
                char *err, size_t errlen)
{
	struct chart_series series = {
		.kind = CHART_SERIES_BARS,
		.y = f->values,
		.n = f->n,
		.color = f->color,
	};
	struct chart_spec s = {
		.kind = CHART_HBARS,
		.title = f->title,
		.subtitle = f->subtitle,
		.x = { .title = f->value_title, .fmt = CHART_NUM_INT },
		.categories = f->labels,
		.ncategories = f->n,
		.series = &series,
		.nseries = f->n ? 1 : 0,
		.value_labels = true,
		.legend = CHART_LEGEND_NONE,
		.no_data = f->no_data,
	};
	return render(&s, o, fp, lay, err, errlen);
}

const char *fig_trace_class_label(int c)
{
	static const char *const names[FIG_TRACE_NCLASSES] = {
		[FIG_TC_TRUE] = "True MPTCP",         [FIG_TC_MIDDLEBOX] = "Middlebox",
		[FIG_TC_UNREACHABLE] = "Unreachable", [FIG_TC_NO_MPTCP] = "No MPTCP",
		[FIG_TC_UNVERIFIED] = "Unverified",   [FIG_TC_UNTRACED] = "Not traced",
	};
	return c >= 0 && c < FIG_TRACE_NCLASSES ? names[c] : "?";
}

int fig_trace_classes(const struct fig_trace_classes *f, const struct chart_output *o, FILE *fp,
                      struct chart_layout *lay, char *err, size_t errlen)
{
	static const int colors[FIG_TRACE_NCLASSES] = {
		[FIG_TC_TRUE] = CHART_GREEN,        [FIG_TC_MIDDLEBOX] = CHART_VERMILLION,
		[FIG_TC_UNREACHABLE] = CHART_GREY,  [FIG_TC_NO_MPTCP] = CHART_SKY_BLUE,
		[FIG_TC_UNVERIFIED] = CHART_ORANGE, [FIG_TC_UNTRACED] = CHART_PURPLE,
	};
	/* the bars: shares of the traced responders, the count in each segment;
	 * responders the trace did not probe are left out and counted in the x title */
	size_t ng = f->ngroups;
	double *share = calloc(ng * FIG_TRACE_NCLASSES + 1, sizeof *share);
	double *count = calloc(ng * FIG_TRACE_NCLASSES + 1, sizeof *count);
	if (!share || !count) {
		free(share);
		free(count);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	bool present[FIG_TRACE_NCLASSES] = { false };
	double untraced = 0;
	for (size_t g = 0; g < ng; g++) {
		double tot = 0;
		for (int c = 0; c < FIG_TRACE_NCLASSES; c++)
			if (c != FIG_TC_UNTRACED)
				tot += f->counts[g * FIG_TRACE_NCLASSES + c];
		untraced += f->counts[g * FIG_TRACE_NCLASSES + FIG_TC_UNTRACED];
		for (int c = 0; c < FIG_TRACE_NCLASSES; c++) {
			if (c == FIG_TC_UNTRACED)
				continue;
			double v = f->counts[g * FIG_TRACE_NCLASSES + c];
			share[(size_t)c * ng + g] = tot > 0 ? v / tot : 0;
			count[(size_t)c * ng + g] = v;
			present[c] = present[c] || v > 0;
		}
	}
	struct chart_series series[FIG_TRACE_NCLASSES];
	size_t ns = 0;
	for (int c = 0; c < FIG_TRACE_NCLASSES; c++) {
		if (!present[c])
			continue;
		series[ns++] = (struct chart_series){ .label = fig_trace_class_label(c),
			                              .kind = CHART_SERIES_BARS,
			                              .y = share + (size_t)c * ng,
			                              .n = ng,
			                              .color = colors[c],
			                              .stack = 0,
			                              .segment_values = count + (size_t)c * ng };
	}
	char xtitle[160], nbuf[32];
	chart_format_number(untraced, 0, nbuf, sizeof nbuf);
	if (untraced > 0)
		snprintf(xtitle, sizeof xtitle,
		         "IP version and port (n traced; %s responder%s not traced, not shown)", nbuf,
		         untraced == 1 ? "" : "s");
	else
		snprintf(xtitle, sizeof xtitle, "IP version and port (n traced)");
	struct chart_spec s = {
		.kind = CHART_BARS,
		.title = f->title ? f->title : "Tracebox classes of MP_CAPABLE responders",
		.subtitle = f->note,
		.x = { .title = xtitle },
		.y = { .title = "Share of traced responders",
		       .fmt = CHART_NUM_PERCENT,
		       .fix_min = true,
		       .min = 0,
		       .fix_max = true,
		       .max = 1 },
		.categories = f->groups,
		.ncategories = ng,
		.series = series,
		.nseries = ns,
		.segment_labels = true,
		.no_data = f->no_data,
	};
	int rc = render(&s, o, fp, lay, err, errlen);
	free(share);
	free(count);
	return rc;
}

static int change_color(const char *c, size_t i)
{
	if (strcmp(c, "removed") == 0)
		return CHART_VERMILLION;
	if (strcmp(c, "replaced-by-nops") == 0)
		return CHART_ORANGE;
	if (strcmp(c, "key-changed") == 0)
		return CHART_BLUE;
	static const int other[] = { CHART_SKY_BLUE, CHART_PURPLE, CHART_GREEN, CHART_YELLOW, CHART_GREY };
	return other[i % (sizeof other / sizeof other[0])];
}

int fig_trace_hops(const struct fig_trace_hops *f, const struct chart_output *o, FILE *fp,
                   struct chart_layout *lay, char *err, size_t errlen)
{
	size_t nh = f->nhops, nc = f->nchanges;
	struct chart_series *series = calloc(nc + 1, sizeof *series);
	char(*cats)[32] = calloc(nh + 1, sizeof *cats);
	const char **cp = calloc(nh + 1, sizeof *cp);
	if (!series || !cats || !cp) {
		free(series);
		free(cats);
		free(cp);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t h = 0; h < nh; h++) {
		snprintf(cats[h], sizeof cats[h], "Hop %u", f->hops[h]);
		cp[h] = cats[h];
	}
	for (size_t c = 0; c < nc; c++)
		series[c] = (struct chart_series){ .label = f->changes[c],
			                           .kind = CHART_SERIES_BARS,
			                           .y = f->counts + c * nh,
			                           .n = nh,
			                           .color = change_color(f->changes[c], c),
			                           .stack = 0 };
	struct chart_spec s = {
		.kind = CHART_BARS,
		.title = f->title ? f->title : "Where MP_CAPABLE was changed on the path (tracebox)",
		.subtitle = f->note,
		.x = { .title = "First hop whose ICMP quote shows the option changed (TTL)" },
		.y = { .title = "Destinations (count)", .fmt = CHART_NUM_INT },
		.categories = cp,
		.ncategories = nh,
		.series = series,
		.nseries = nh ? nc : 0,
		.segment_labels = true,
		.stack_totals = true, /* destinations per hop above each bar */
		.no_data = f->no_data,
	};
	int rc = render(&s, o, fp, lay, err, errlen);
	free(series);
	free(cats);
	free(cp);
	return rc;
}
