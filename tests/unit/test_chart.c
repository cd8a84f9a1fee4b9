/* test_chart.c — the chart layer (plots/chart.h) and the report's figures
 * (plots/figures.h).  Every figure is rendered to PNG and read back with
 * cairo: a valid PNG of the asked size, whose plot rectangle holds drawn
 * pixels, whose outermost pixels are background (nothing ran off the canvas),
 * and whose legend (when inside the plot) covers no data.  Ticks fall on
 * 1-2-5 steps, numbers get thousands separators, long labels an ellipsis,
 * empty inputs a "No data" chart; SVG parses as XML (python3's minidom) and
 * PDF has its header and trailer.
 */
#include <cairo.h>
#include <criterion/criterion.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plots/chart.h"
#include "plots/figures.h"

/* ------------------------------------------------------------- helpers */

struct buf {
	char *data;
	size_t len, pos;
};

typedef int (*draw_fn)(const void *fig, const struct chart_output *o, FILE *fp, struct chart_layout *lay,
                       char *err, size_t errlen);

static struct buf render_mem(draw_fn fn, const void *fig, const struct chart_output *o,
                             struct chart_layout *lay)
{
	struct buf b = { NULL, 0, 0 };
	FILE *fp = open_memstream(&b.data, &b.len);
	cr_assert_not_null(fp);
	char err[256] = "";
	int rc = fn(fig, o, fp, lay, err, sizeof err);
	cr_assert_eq(rc, 0, "render failed: %s", err);
	cr_assert_eq(fclose(fp), 0);
	cr_assert_gt(b.len, 0);
	return b;
}

static cairo_status_t read_mem(void *closure, unsigned char *data, unsigned int length)
{
	struct buf *b = closure;
	if (b->pos + length > b->len)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(data, b->data + b->pos, length);
	b->pos += length;
	return CAIRO_STATUS_SUCCESS;
}

static cairo_surface_t *decode_png(struct buf *b)
{
	b->pos = 0;
	cairo_surface_t *s = cairo_image_surface_create_from_png_stream(read_mem, b);
	cr_assert_eq(cairo_surface_status(s), CAIRO_STATUS_SUCCESS, "not a valid PNG: %s",
	             cairo_status_to_string(cairo_surface_status(s)));
	cairo_surface_flush(s);
	return s;
}

static uint32_t pixel(cairo_surface_t *s, int x, int y)
{
	const unsigned char *d = cairo_image_surface_get_data(s);
	int stride = cairo_image_surface_get_stride(s);
	uint32_t p;
	memcpy(&p, d + (size_t)y * (size_t)stride + (size_t)x * 4, 4);
	return p;
}

/* Not white: anything drawn (grid lines included) */
static bool drawn(uint32_t p)
{
	return (p & 0xffffff) != 0xffffff;
}

/* Near white: every channel above 180 (text anti-aliased on a dark fill) */
static bool light(uint32_t p)
{
	return ((p >> 16) & 0xff) > 180 && ((p >> 8) & 0xff) > 180 && (p & 0xff) > 180;
}

/* Data-like: darker than the light grid lines (any channel below 200) */
static bool dark(uint32_t p)
{
	return ((p >> 16) & 0xff) < 200 || ((p >> 8) & 0xff) < 200 || (p & 0xff) < 200;
}

static size_t count_in(cairo_surface_t *s, double x0, double y0, double w, double h, bool (*pred)(uint32_t))
{
	int W = cairo_image_surface_get_width(s), H = cairo_image_surface_get_height(s);
	int a = (int)ceil(x0), b = (int)floor(x0 + w), c = (int)ceil(y0), d = (int)floor(y0 + h);
	size_t n = 0;
	for (int y = c < 0 ? 0 : c; y < d && y < H; y++)
		for (int x = a < 0 ? 0 : a; x < b && x < W; x++)
			n += pred(pixel(s, x, y));
	return n;
}

/* The checks every PNG chart must pass. */
static void check_png(draw_fn fn, const void *fig, const struct chart_output *o, bool expect_data)
{
	struct chart_layout lay;
	struct buf b = render_mem(fn, fig, o, &lay);
	cr_assert(b.len > 8 && memcmp(b.data, "\x89PNG\r\n\x1a\n", 8) == 0, "PNG signature");
	cairo_surface_t *s = decode_png(&b);
	int W = cairo_image_surface_get_width(s), H = cairo_image_surface_get_height(s);
	cr_assert_eq(W, o->width, "width %d, asked %d", W, o->width);
	cr_assert_eq(H, o->height, "height %d, asked %d", H, o->height);
	cr_assert_eq(lay.no_data, !expect_data, "no_data flag");
	cr_assert_gt(lay.plot_w, 20);
	cr_assert_gt(lay.plot_h, 20);
	cr_assert(lay.plot_x >= 0 && lay.plot_y >= 0 && lay.plot_x + lay.plot_w <= W + 1 &&
	              lay.plot_y + lay.plot_h <= H + 1,
	          "plot rectangle inside the canvas");
	/* the plot is not blank: data (or the "No data" text) are drawn inside it */
	size_t inside = count_in(s, lay.plot_x + 2, lay.plot_y + 2, lay.plot_w - 4, lay.plot_h - 4, dark);
	cr_assert_gt(inside, (size_t)(lay.plot_w * lay.plot_h * 0.001), "plot area blank (%zu dark pixels)",
	             inside);
	/* nothing runs off the canvas: the outermost pixel ring is background */
	size_t edge = count_in(s, 0, 0, W, 1, drawn) + count_in(s, 0, H - 1, W, 1, drawn) +
	              count_in(s, 0, 0, 1, H, drawn) + count_in(s, W - 1, 0, 1, H, drawn);
	cr_assert_eq(edge, 0, "%zu drawn pixels on the canvas edge", edge);
	cairo_surface_destroy(s);
	free(b.data);
}

/* ------------------------------------------------------------- figures */

static void weights_fig(struct fig_weights *w, size_t n, int probe_weight, size_t replays)
{
	memset(w, 0, sizeof *w);
	w->group = "IPv6, port 443";
	w->n = n + replays;
	w->probe_weight = probe_weight;
	w->test =
	    "All 3,165 keys: not random (p\xc2\xa0=\xc2\xa0"
	    "1.0\xc3\x97"
	    "10\xe2\x81\xbb\xc2\xb3\xc2\xb2, 4 tests)"
	    ": excess at weight 16 (the probe key's).\nThe 3,000 keys left without replays: consistent.";
	/* a deterministic binomial-looking histogram */
	for (int k = 0; k < FIG_WEIGHTS; k++) {
		double p = exp(-(k - 32.0) * (k - 32.0) / 32.0) / sqrt(32 * M_PI);
		w->expected[k] = (double)n * p;
		w->observed[k] = (uint64_t)llround(w->expected[k]);
	}
	if (probe_weight >= 0)
		w->observed[probe_weight] += replays;
}

static int draw_weights(const void *f, const struct chart_output *o, FILE *fp, struct chart_layout *l,
                        char *e, size_t el)
{
	return fig_weights(f, o, fp, l, e, el);
}
static int draw_bits(const void *f, const struct chart_output *o, FILE *fp, struct chart_layout *l, char *e,
                     size_t el)
{
	return fig_bits(f, o, fp, l, e, el);
}
static int draw_monthly(const void *f, const struct chart_output *o, FILE *fp, struct chart_layout *l,
                        char *e, size_t el)
{
	return fig_monthly(f, o, fp, l, e, el);
}
static int draw_ranking(const void *f, const struct chart_output *o, FILE *fp, struct chart_layout *l,
                        char *e, size_t el)
{
	return fig_ranking(f, o, fp, l, e, el);
}
static int draw_classes(const void *f, const struct chart_output *o, FILE *fp, struct chart_layout *l,
                        char *e, size_t el)
{
	return fig_trace_classes(f, o, fp, l, e, el);
}
static int draw_hops(const void *f, const struct chart_output *o, FILE *fp, struct chart_layout *l, char *e,
                     size_t el)
{
	return fig_trace_hops(f, o, fp, l, e, el);
}
static int draw_spec(const void *f, const struct chart_output *o, FILE *fp, struct chart_layout *l, char *e,
                     size_t el)
{
	return chart_render(f, o, fp, l, e, el);
}

static const struct chart_output sizes[] = {
	{ CHART_PNG, 1280, 800, 192 }, /* the default: 2x */
	{ CHART_PNG, 640, 400, 96 },   /* 1x */
	{ CHART_PNG, 1800, 700, 192 }, /* wide */
	{ CHART_PNG, 480, 320, 96 },   /* small */
	{ CHART_PNG, 640, 400, 192 },  /* the smallest allowed: 320x200 logical pixels */
};
#define NSIZES (sizeof sizes / sizeof sizes[0])

static const char *const scans[] = { "2020-07", "2020-08", "2020-09", "2020-10", "2020-11", "2020-12" };
static const unsigned ports[] = { 80, 443 };
static const double tm[] = { 4000, 4600, 5200, 6000, 6900, 7500, 5200, 5600, 6000, 6300, 6600, 6900 };
static const double mb[] = { 402, 400, 390, 410, 395, 402, 1270, 1250, 1300, 1260, 1280, 1270 };
static const char *const as_labels[] = {
	"AS714 Apple Inc.",
	"AS1221 Telstra Corporation Ltd",
	"AS61157 PlusServer GmbH",
	"AS4766 Korea Telecom",
	"AS16509 Amazon.com, Inc. and a very long organisation name that cannot fit any chart at all",
	"AS13335 Cloudflare, Inc.",
	"AS8075 Microsoft Corporation",
	"AS3320 Deutsche Telekom AG",
	"AS7922 Comcast Cable Communications, LLC",
	"AS12322 Free SAS"
};
static const double as_values[] = { 4800, 1300, 700, 600, 250, 120, 90, 60, 30, 12 };

Test(chart_figures, weights_every_size)
{
	struct fig_weights w;
	weights_fig(&w, 3000, 16, 165);
	for (size_t i = 0; i < NSIZES; i++)
		check_png(draw_weights, &w, &sizes[i], true);
}

Test(chart_figures, bits_every_size)
{
	struct fig_bits b;
	memset(&b, 0, sizeof b);
	b.group = "all keys";
	b.n = 3000;
	b.band_lo = 0.47;
	b.band_hi = 0.53;
	b.band_label = "A fair bit's range";
	b.test = "1 of 64 bits biased.";
	for (int i = 0; i < FIG_BITS; i++)
		b.fraction[i] = 0.5 + 0.015 * sin(i * 1.7);
	b.fraction[3] = 0.62;
	b.biased[3] = 1;
	for (size_t i = 0; i < NSIZES; i++)
		check_png(draw_bits, &b, &sizes[i], true);
}

Test(chart_figures, monthly_every_size)
{
	struct fig_monthly m = { .family = "IPv4",
		                 .nscans = 6,
		                 .scans = scans,
		                 .nports = 2,
		                 .ports = ports,
		                 .mptcp = tm,
		                 .middlebox = mb,
		                 .confirmed = true };
	for (size_t i = 0; i < NSIZES; i++)
		check_png(draw_monthly, &m, &sizes[i], true);
}

Test(chart_figures, top_as_every_size)
{
	struct fig_ranking r = { "Top 10 ASes hosting MPTCP \xe2\x80\x94 IPv4",
		                 "Scan 2020-12, ports summed.",
		                 "True MPTCP hosts (count)",
		                 10,
		                 as_labels,
		                 as_values,
		                 CHART_BLUE,
		                 "none" };
	for (size_t i = 0; i < NSIZES; i++)
		check_png(draw_ranking, &r, &sizes[i], true);
}

Test(chart_figures, countries_and_trace)
{
	const char *cc[] = { "United States (US)", "Australia (AU)", "Germany (DE)", "Korea (KR)" };
	const double cv[] = { 5300, 1400, 900, 800 };
	struct fig_ranking r = { "Top 4 countries", NULL, "True MPTCP hosts (count)", 4, cc, cv,
		                 CHART_GREEN,       "x" };
	const char *groups[] = { "IPv4, port 80 (n = 7,922)", "IPv4, port 443 (n = 81,570)",
		                 "IPv6, port 80 (n = 39)", "IPv6, port 443 (n = 165)" };
	double counts[4 * FIG_TRACE_NCLASSES] = { 0 };
	for (int g = 0; g < 4; g++)
		for (int c = 0; c < FIG_TRACE_NCLASSES; c++)
			counts[g * FIG_TRACE_NCLASSES + c] = (g + 1) * (c + 1) * 10;
	struct fig_trace_classes tc = { .ngroups = 4, .groups = groups, .counts = counts, .no_data = "x" };
	static const unsigned hops[] = { 2, 3, 4, 5, 7 };
	static const char *const changes[] = { "key-changed", "removed", "replaced-by-nops" };
	static const double hc[] = { 5, 40, 120, 60, 4, 0, 3, 6, 2, 1, 1, 10, 30, 0, 0 };
	struct fig_trace_hops th = {
		.nhops = 5, .hops = hops, .nchanges = 3, .changes = changes, .counts = hc, .no_data = "x"
	};
	for (size_t i = 0; i < NSIZES; i++) {
		check_png(draw_ranking, &r, &sizes[i], true);
		check_png(draw_classes, &tc, &sizes[i], true);
		check_png(draw_hops, &th, &sizes[i], true);
	}
}

/* ------------------------------------------------------------- no data */

Test(chart_nodata, empty_inputs_draw_no_data)
{
	struct fig_weights w;
	weights_fig(&w, 0, -1, 0);
	w.n = 0;
	struct fig_ranking r = { "Top 10 ASes", NULL, "Hosts (count)", 0,
		                 NULL,          NULL, CHART_BLUE,      "no --attribution directory given" };
	struct fig_monthly m = {
		.family = "IPv6", .nscans = 6, .scans = scans, .ports = ports, .mptcp = tm, .middlebox = mb
	};
	struct fig_trace_classes tc = { .no_data = "no --trace given" };
	struct fig_trace_hops th = { .no_data = "no --trace given" };
	for (size_t i = 0; i < NSIZES; i++) {
		check_png(draw_weights, &w, &sizes[i], false);
		check_png(draw_ranking, &r, &sizes[i], false);
		check_png(draw_monthly, &m, &sizes[i], false);
		check_png(draw_classes, &tc, &sizes[i], false);
		check_png(draw_hops, &th, &sizes[i], false);
	}
	/* a spec whose values are all missing is no data too */
	double nan4[] = { NAN, NAN, NAN, NAN };
	const char *cats[] = { "a", "b", "c", "d" };
	struct chart_series se = {
		.label = "x", .kind = CHART_SERIES_BARS, .y = nan4, .n = 4, .color = CHART_AUTO
	};
	struct chart_spec s = { .kind = CHART_BARS,
		                .title = "All missing",
		                .categories = cats,
		                .ncategories = 4,
		                .series = &se,
		                .nseries = 1 };
	check_png(draw_spec, &s, &sizes[0], false);
}

/* ------------------------------------------------------------- legend */

/* The legend, when inside the plot, sits where no data is: the same chart
 * drawn without a legend has nothing dark in the legend's rectangle. */
static void check_legend_free(const struct chart_spec *s, const struct chart_output *o)
{
	struct chart_layout with, without;
	struct buf b1 = render_mem(draw_spec, s, o, &with);
	struct chart_spec s2 = *s;
	s2.legend = CHART_LEGEND_NONE;
	struct buf b2 = render_mem(draw_spec, &s2, o, &without);
	cr_assert_gt(with.legend_w, 0, "a legend was drawn");
	if (!with.legend_outside) {
		cairo_surface_t *img = decode_png(&b2);
		size_t n = count_in(img, with.legend_x, with.legend_y, with.legend_w, with.legend_h, dark);
		cr_assert_eq(n, 0, "the legend covers %zu data pixels", n);
		cairo_surface_destroy(img);
	} else {
		/* above or at the right of the plot: the rectangles do not meet */
		bool above = with.plot_y + 1 >= with.legend_y + with.legend_h;
		bool right = with.legend_x + 1 >= with.plot_x + with.plot_w;
		cr_assert(above || right, "an outside legend lies outside the plot");
	}
	free(b1.data);
	free(b2.data);
}

Test(chart_legend, never_covers_data)
{
	/* bars everywhere: no corner is free, the legend goes above */
	const char *cats[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun" };
	double full[] = { 10, 10, 10, 10, 10, 10 }, low[] = { 1, 2, 1, 2, 1, 2 };
	struct chart_series s1[] = {
		{ .label = "Series one",
		  .kind = CHART_SERIES_BARS,
		  .y = full,
		  .n = 6,
		  .color = CHART_AUTO,
		  .stack = 0 },
		{ .label = "Series two",
		  .kind = CHART_SERIES_BARS,
		  .y = low,
		  .n = 6,
		  .color = CHART_AUTO,
		  .stack = 1 },
	};
	struct chart_spec s = { .kind = CHART_BARS,
		                .title = "Full",
		                .x = { .title = "Month" },
		                .y = { .title = "Count" },
		                .categories = cats,
		                .ncategories = 6,
		                .series = s1,
		                .nseries = 2,
		                .y.fix_max = true,
		                .y.max = 10 };
	for (size_t i = 0; i < NSIZES; i++) {
		struct chart_layout lay;
		struct buf b = render_mem(draw_spec, &s, &sizes[i], &lay);
		cr_assert(lay.legend_outside, "no free corner: legend above the plot");
		free(b.data);
		check_legend_free(&s, &sizes[i]);
	}
	/* a histogram leaves the upper corners free */
	struct fig_weights w;
	weights_fig(&w, 3000, 16, 165);
	double x[FIG_WEIGHTS], y[FIG_WEIGHTS];
	for (int k = 0; k < FIG_WEIGHTS; k++) {
		x[k] = k;
		y[k] = (double)w.observed[k];
	}
	struct chart_series h = { .label = "Keys",
		                  .kind = CHART_SERIES_BARS,
		                  .x = x,
		                  .y = y,
		                  .n = FIG_WEIGHTS,
		                  .color = CHART_BLUE };
	struct chart_spec hs = {
		.kind = CHART_XY, .title = "Histogram", .series = &h, .nseries = 1, .bar_width = 1
	};
	for (size_t i = 0; i < NSIZES; i++) {
		struct chart_layout lay;
		struct buf b = render_mem(draw_spec, &hs, &sizes[i], &lay);
		cr_assert(!lay.legend_outside, "a free corner was found");
		free(b.data);
		check_legend_free(&hs, &sizes[i]);
	}
}

/* ------------------------------------------------------------- labels */

Test(chart_labels, crowded_categories_rotate_and_thin)
{
	enum { N = 60 };
	const char *cats[N];
	char names[N][32];
	double v[N];
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "Category number %d", i);
		cats[i] = names[i];
		v[i] = i + 1;
	}
	struct chart_series se = { .kind = CHART_SERIES_BARS, .y = v, .n = 12, .color = CHART_AUTO };
	struct chart_spec s = { .kind = CHART_BARS,
		                .title = "Long labels",
		                .categories = cats,
		                .ncategories = 12,
		                .series = &se,
		                .nseries = 1 };
	struct chart_layout lay;
	struct buf b = render_mem(draw_spec, &s, &sizes[1], &lay);
	cr_assert_eq(lay.rotated_labels, 45, "long labels rotate");
	cr_assert_eq(lay.label_every, 1, "12 rotated labels fit");
	free(b.data);
	check_png(draw_spec, &s, &sizes[1], true);
	se.n = N;
	s.ncategories = N;
	b = render_mem(draw_spec, &s, &sizes[3], &lay);
	cr_assert_gt(lay.label_every, 1, "60 labels on a small chart: every k-th (k = %d)", lay.label_every);
	free(b.data);
	check_png(draw_spec, &s, &sizes[3], true);
	/* short labels stay upright */
	const char *shortc[] = { "80", "443" };
	double sv[] = { 3, 4 };
	struct chart_series ss = { .kind = CHART_SERIES_BARS, .y = sv, .n = 2, .color = CHART_AUTO };
	struct chart_spec s2 = {
		.kind = CHART_BARS, .categories = shortc, .ncategories = 2, .series = &ss, .nseries = 1
	};
	b = render_mem(draw_spec, &s2, &sizes[0], &lay);
	cr_assert_eq(lay.rotated_labels, 0);
	free(b.data);
}

static bool valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		int n = *p < 0x80             ? 0
		        : (*p & 0xe0) == 0xc0 ? 1
		        : (*p & 0xf0) == 0xe0 ? 2
		        : (*p & 0xf8) == 0xf0 ? 3
		                              : -1;
		if (n < 0)
			return false;
		p++;
		for (int i = 0; i < n; i++, p++)
			if ((*p & 0xc0) != 0x80)
				return false;
	}
	return true;
}

Test(chart_labels, ellipsis)
{
	char buf[256];
	const char *name = "AS16509 Amazon.com, Inc. and a very long organisation name";
	double full = chart_text_width(name, 11, false);
	double w = chart_ellipsize(name, 11, false, 120, buf, sizeof buf);
	cr_assert_leq(w, 120.0);
	cr_assert_lt(w, full);
	cr_assert(strncmp(buf, "AS16509", 7) == 0, "the AS number stays: '%s'", buf);
	size_t len = strlen(buf);
	cr_assert(len >= 3 && strcmp(buf + len - 3, "\xe2\x80\xa6") == 0, "ends with an ellipsis: '%s'", buf);
	cr_assert_leq(chart_text_width(buf, 11, false), 120.0);
	/* text that fits is unchanged */
	w = chart_ellipsize("AS714 Apple", 11, false, 500, buf, sizeof buf);
	cr_assert_str_eq(buf, "AS714 Apple");
	cr_assert_float_eq(w, chart_text_width("AS714 Apple", 11, false), 1e-9);
	/* cut at character boundaries only */
	for (double max = 10; max < 200; max += 3.7) {
		chart_ellipsize(
		    "Soci\xc3\xa9t\xc3\xa9 G\xc3\xa9n\xc3\xa9rale \xe2\x80\x94 \xc3\x9cnic\xc3\xb6"
		    "de",
		    11, true, max, buf, sizeof buf);
		cr_assert(valid_utf8(buf), "valid UTF-8 at %g: '%s'", max, buf);
		cr_assert_leq(chart_text_width(buf, 11, true), max);
	}
	/* no room at all: empty, never wider than asked */
	chart_ellipsize("Apple", 11, false, 1, buf, sizeof buf);
	cr_assert_str_eq(buf, "");
}

/* ------------------------------------------------------------- ticks */

static bool round_step(double step)
{
	double p = pow(10, floor(log10(step)));
	double m = step / p;
	return fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 || fabs(m - 2.5) < 1e-9 || fabs(m - 5) < 1e-9 ||
	       fabs(m - 10) < 1e-9;
}

Test(chart_ticks, nice_steps)
{
	cr_assert_float_eq(chart_nice_step(0.13), 0.2, 1e-12);
	cr_assert_float_eq(chart_nice_step(3), 5, 1e-12);
	cr_assert_float_eq(chart_nice_step(7), 10, 1e-12);
	cr_assert_float_eq(chart_nice_step(1), 1, 1e-12);
	cr_assert_float_eq(chart_nice_step(12), 20, 1e-12);
	cr_assert_float_eq(chart_nice_step(45000), 50000, 1e-6);
	cr_assert_float_eq(chart_nice_step(0.0021), 0.005, 1e-15);
}

Test(chart_ticks, round_numbers_covering_the_range)
{
	struct chart_ticks t;
	cr_assert_eq(chart_nice_ticks(0, 97, 5, false, &t), 0);
	cr_assert_float_eq(t.step, 20, 1e-12);
	cr_assert_float_eq(t.v[0], 0, 1e-12);
	cr_assert_float_eq(t.v[t.n - 1], 100, 1e-12);
	cr_assert_eq(t.n, 6);
	cr_assert_eq(chart_nice_ticks(1234, 98765, 5, false, &t), 0);
	cr_assert_float_eq(t.step, 20000, 1e-9);
	cr_assert_float_eq(t.lo, 0, 1e-9);
	cr_assert_float_eq(t.hi, 100000, 1e-9);
	cr_assert_eq(chart_nice_ticks(0, 3, 10, true, &t), 0);
	cr_assert_float_eq(t.step, 1, 1e-12, "integer axes never step below 1");
	cr_assert_eq(chart_nice_ticks(0.45, 0.55, 5, false, &t), 0);
	cr_assert_float_eq(t.step, 0.025, 1e-12, "0.45..0.55 exactly, by 0.025 (0.02 would span 0.44..0.56)");
	cr_assert_eq(t.decimals, 3, "0.475 needs three decimals");
	cr_assert_eq(chart_nice_ticks(-3, 7, 5, false, &t), 0);
	cr_assert_float_eq(t.step, 2, 1e-12);
	cr_assert_eq(chart_nice_ticks(5, 5, 5, false, &t), 0, "a single value widens the range");
	cr_assert_lt(t.lo, 5);
	cr_assert_gt(t.hi, 5);
	cr_assert_neq(chart_nice_ticks(0, INFINITY, 5, false, &t), 0);
	/* many ranges: every tick a multiple of a 1-2-5 step, the range covered */
	for (double lo = -1000; lo < 1000; lo += 137.3)
		for (double span = 0.001; span < 1e7; span *= 7.3) {
			cr_assert_eq(chart_nice_ticks(lo, lo + span, 6, false, &t), 0);
			cr_assert(round_step(t.step), "step %g", t.step);
			cr_assert_leq(t.lo, lo + t.step * 1e-6); /* covered, up to rounding */
			cr_assert_geq(t.hi, lo + span - t.step * 1e-6);
			cr_assert_leq(t.n, 16, "%zu ticks for [%g, %g]", t.n, lo, lo + span);
			for (size_t i = 0; i < t.n; i++) {
				double k = t.v[i] / t.step;
				cr_assert_float_eq(k, round(k), 1e-6, "tick %g not a multiple of %g", t.v[i],
				                   t.step);
			}
		}
	/* the axis ends at the first nice tick at or above the data (the examples: 121 and
	 * 210 on a bar chart's count axis), with at most target + 1 intervals */
	const struct {
		double hi;
		int target;
		double step, top;
	} nice[] = { { 121, 9, 25, 125 }, { 210, 9, 25, 225 },   { 410, 9, 50, 450 }, { 101, 9, 20, 120 },
		     { 18, 9, 2, 18 },    { 121, 4, 25, 125 },   { 121, 2, 50, 150 }, { 7, 9, 1, 7 },
		     { 97, 5, 20, 100 },  { 1000, 9, 100, 1000 } };
	for (size_t i = 0; i < sizeof nice / sizeof nice[0]; i++) {
		cr_assert_eq(chart_nice_ticks(0, nice[i].hi, nice[i].target, true, &t), 0);
		cr_assert_float_eq(t.step, nice[i].step, 1e-9, "max %g: step %g, want %g", nice[i].hi, t.step,
		                   nice[i].step);
		cr_assert_float_eq(t.hi, nice[i].top, 1e-9, "max %g: axis to %g, want %g", nice[i].hi, t.hi,
		                   nice[i].top);
		cr_assert_leq(t.n - 1, (size_t)nice[i].target + 1);
	}
	cr_assert_eq(chart_nice_ticks(0, 12, 9, true, &t), 0);
	for (size_t i = 0; i < t.n; i++)
		cr_assert_float_eq(t.v[i], round(t.v[i]), 1e-12, "a count axis has whole ticks (no 2.5)");
	cr_assert_eq(chart_step_ticks(-0.5, 64.5, 8, &t), 0);
	cr_assert_float_eq(t.v[1], 0, 1e-12);
}

Test(chart_ticks, log_axis)
{
	struct chart_ticks t;
	cr_assert_eq(chart_log_ticks(3, 4500, &t), 0);
	cr_assert_float_eq(t.lo, 1, 1e-12);
	cr_assert_float_eq(t.hi, 10000, 1e-9);
	cr_assert_eq(t.n, 5);
	cr_assert_eq(chart_log_ticks(2, 30, &t), 0);
	cr_assert_eq(t.n, 7, "few decades: 1 2 5 10 20 50 100");
	cr_assert_float_eq(t.v[1], 2, 1e-12);
	cr_assert_neq(chart_log_ticks(0, 10, &t), 0, "log of 0");
	/* a log-axis chart renders */
	double x[] = { 1, 2, 3, 4 }, y[] = { 3, 40, 900, 70000 };
	struct chart_series se = { .label = "grows",
		                   .kind = CHART_SERIES_LINE_POINTS,
		                   .x = x,
		                   .y = y,
		                   .n = 4,
		                   .color = CHART_AUTO };
	struct chart_spec s = { .kind = CHART_XY,
		                .title = "Log",
		                .y = { .title = "Hosts (count)", .log = true },
		                .x = { .title = "Month", .fmt = CHART_NUM_INT },
		                .series = &se,
		                .nseries = 1 };
	check_png(draw_spec, &s, &sizes[0], true);
}

Test(chart_ticks, number_format)
{
	char b[64];
	chart_format_number(1234567, 0, b, sizeof b);
	cr_assert_str_eq(b, "1,234,567");
	chart_format_number(-1234.5, 1, b, sizeof b);
	cr_assert_str_eq(b, "-1,234.5");
	chart_format_number(999, 0, b, sizeof b);
	cr_assert_str_eq(b, "999");
	chart_format_number(-0.0001, 2, b, sizeof b);
	cr_assert_str_eq(b, "0.00");
	chart_format_number(0.25, 2, b, sizeof b);
	cr_assert_str_eq(b, "0.25");
	struct chart_ticks t;
	chart_nice_ticks(0, 1, 5, false, &t);
	chart_format_tick(0.4, &t, CHART_NUM_PERCENT, b, sizeof b);
	cr_assert_str_eq(b, "40%");
	chart_nice_ticks(0, 100000, 5, false, &t);
	chart_format_tick(40000, &t, CHART_NUM_AUTO, b, sizeof b);
	cr_assert_str_eq(b, "40,000");
	fig_format_p(0.0342, b, sizeof b);
	cr_assert_str_eq(b, "p\xc2\xa0=\xc2\xa0"
	                    "0.034");
	fig_format_p(2.34e-5, b, sizeof b);
	cr_assert_str_eq(b, "p\xc2\xa0=\xc2\xa0"
	                    "2.3\xc3\x97"
	                    "10\xe2\x81\xbb\xe2\x81\xb5");
}

/* ------------------------------------------------------------- vector */

Test(chart_vector, svg_and_pdf)
{
	struct fig_weights w;
	weights_fig(&w, 3000, 16, 165);
	struct fig_ranking r = { "Top 10 ASes", NULL,      "Hosts (count)", 10,
		                 as_labels,     as_values, CHART_BLUE,      "x" };
	char dir[] = "/tmp/mpcap-chart-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	for (int f = CHART_SVG; f <= CHART_PDF; f++) {
		struct chart_output o = { (enum chart_format)f, 1280, 800, 192 };
		for (int which = 0; which < 2; which++) {
			struct chart_layout lay;
			struct buf b = which ? render_mem(draw_ranking, &r, &o, &lay)
			                     : render_mem(draw_weights, &w, &o, &lay);
			cr_assert_gt(b.len, 1000, "non-empty");
			if (f == CHART_PDF) {
				cr_assert(memcmp(b.data, "%PDF-", 5) == 0, "PDF header");
				/* the trailer: %%EOF near the end */
				size_t tail = b.len > 64 ? b.len - 64 : 0;
				bool eof = false;
				for (size_t i = tail; i + 5 <= b.len; i++)
					eof = eof || memcmp(b.data + i, "%%EOF", 5) == 0;
				cr_assert(eof, "PDF trailer");
			} else {
				char path[64];
				snprintf(path, sizeof path, "%s/c%d.svg", dir, which);
				FILE *fp = fopen(path, "wb");
				cr_assert_not_null(fp);
				cr_assert_eq(fwrite(b.data, 1, b.len, fp), b.len);
				fclose(fp);
				char cmd[256];
				snprintf(cmd, sizeof cmd,
				         "/usr/bin/python3 -c 'import sys, xml.dom.minidom as m; d = "
				         "m.parse(sys.argv[1]); "
				         "assert d.documentElement.tagName == \"svg\"' %s",
				         path);
				cr_assert_eq(system(cmd), 0, "SVG parses as XML");
				unlink(path);
			}
			free(b.data);
		}
	}
	rmdir(dir);
}

Test(chart_output, bad_sizes_are_refused)
{
	char err[256];
	struct chart_output o = { CHART_PNG, 100, 800, 192 };
	cr_assert_neq(chart_output_check(&o, err, sizeof err), 0);
	o = (struct chart_output){ CHART_PNG, 600, 380, 192 };
	cr_assert_neq(chart_output_check(&o, err, sizeof err), 0, "too few logical pixels");
	cr_assert(strstr(err, "logical") != NULL);
	o = (struct chart_output){ CHART_PNG, 1280, 800, 192 };
	cr_assert_eq(chart_output_check(&o, err, sizeof err), 0);
	enum chart_format f;
	cr_assert_eq(chart_format_parse("svg", &f), 0);
	cr_assert_eq(f, CHART_SVG);
	cr_assert_neq(chart_format_parse("jpeg", &f), 0);
	/* a failing stream is an error, not a crash */
	FILE *fp = fopen("/dev/full", "wb");
	if (fp) {
		struct fig_weights w;
		weights_fig(&w, 3000, 16, 165);
		setvbuf(fp, NULL, _IONBF, 0);
		int rc = fig_weights(&w, &o, fp, NULL, err, sizeof err);
		cr_assert_neq(rc, 0, "writing to /dev/full fails");
		fclose(fp);
	}
}

/* One weight holding most keys: fig_weights_dominated() says so, and on the
 * log axis a bar of a few keys stands visibly tall (it is a sliver on the
 * linear axis) — measured on the decoded PNG. */
Test(chart_figures, weights_log_axis_when_one_weight_dominates)
{
	struct fig_weights w;
	weights_fig(&w, 300, 16, 2000);
	cr_assert(fig_weights_dominated(&w), "2,000 replays at 16 over 300 random keys dominate");
	struct fig_weights flat;
	weights_fig(&flat, 3000, -1, 0);
	cr_assert(!fig_weights_dominated(&flat), "a binomial histogram has no dominating weight");
	const struct chart_output o = { CHART_PNG, 640, 400, 96 };
	double frac[2];
	for (int log_y = 0; log_y <= 1; log_y++) {
		w.log_y = log_y;
		struct chart_layout lay;
		struct buf b = render_mem(draw_weights, &w, &o, &lay);
		cairo_surface_t *s = decode_png(&b);
		/* the column through the middle of weight 24's bar (x axis -0.5 .. 64.5) */
		double cx = lay.plot_x + (24 + 0.5) / 65.0 * lay.plot_w;
		size_t n = count_in(s, floor(cx), lay.plot_y, 1, lay.plot_h, dark);
		frac[log_y] = (double)n / lay.plot_h;
		cairo_surface_destroy(s);
		free(b.data);
	}
	cr_assert_gt(w.observed[24], 2);
	cr_assert_lt(frac[0], 0.05, "linear: weight 24's %" PRIu64 " keys are a sliver (%.3f)",
	             w.observed[24], frac[0]);
	cr_assert_gt(frac[1], 0.10, "log: weight 24's bar stands at %.3f of the plot", frac[1]);
}

/* Tracebox hops: one bar per hop with a change, stacked by change type, the
 * count written inside its segment (white on the dark blue fill). */
Test(chart_figures, trace_hops_counts_on_segments)
{
	static const unsigned hops[] = { 3 };
	static const char *const changes[] = { "key-changed" };
	static const double hc[] = { 1000 };
	struct fig_trace_hops th = {
		.nhops = 1, .hops = hops, .nchanges = 1, .changes = changes, .counts = hc
	};
	const struct chart_output o = { CHART_PNG, 640, 400, 96 };
	struct chart_layout lay;
	struct buf b = render_mem(draw_hops, &th, &o, &lay);
	cairo_surface_t *s = decode_png(&b);
	/* the bar covers the lower two thirds at least (the axis ends at the nice tick above 1,000); in
	 * there, only its fill and its label */
	double cx = lay.plot_x + lay.plot_w / 2;
	size_t white = count_in(s, cx - 30, lay.plot_y + lay.plot_h * 0.35, 60, lay.plot_h * 0.6, light);
	size_t blue = count_in(s, cx - 30, lay.plot_y + lay.plot_h * 0.75, 60, 8, dark);
	cr_assert_gt(blue, 400, "the bar is drawn (%zu dark pixels)", blue);
	cr_assert_gt(white, 15, "the count is written inside the segment (%zu light pixels)", white);
	/* the stack's total above the bar: ink between the plot's top and the bar's */
	int top = (int)lay.plot_y;
	while (top < (int)(lay.plot_y + lay.plot_h) && count_in(s, cx - 20, top, 40, 1, dark) < 30)
		top++;
	size_t total = count_in(s, cx - 30, lay.plot_y, 60, top - 2 - lay.plot_y, dark);
	cr_assert_gt(top - lay.plot_y, 8, "room above the bar for its total (bar top at %d)", top);
	cr_assert_gt(total, 15, "the total is written above the bar (%zu dark pixels)", total);
	cairo_surface_destroy(s);
	free(b.data);
}

/* Horizontal bars: a name that needs more than two lines of the label column
 * gets them (names are never cut); the bars keep their slots. */
Test(chart_figures, very_long_bar_labels_wrap_on_more_lines)
{
	static const char *const labels[] = {
		"AS4200000003 SYN-US-REN4 Bluebridge Research and Education Network United States of America",
		"AS714 Apple"
	};
	static const double v[] = { 12, 5 };
	struct fig_ranking r = { .title = "Top 2 ASes",
		                 .value_title = "Hosts (count)",
		                 .n = 2,
		                 .labels = labels,
		                 .values = v,
		                 .color = CHART_BLUE };
	const struct chart_output o = { CHART_PNG, 640, 400, 96 };
	struct chart_layout lay;
	struct buf b = render_mem(draw_ranking, &r, &o, &lay);
	cairo_surface_t *s = decode_png(&b);
	int runs = 0;
	bool in = false;
	for (int y = (int)lay.plot_y; y < (int)(lay.plot_y + lay.plot_h / 2); y++) {
		bool any = count_in(s, 4, y, lay.plot_x - 12, 1, dark) > 0;
		runs += any && !in;
		in = any;
	}
	cr_assert_geq(runs, 3, "the long name on %d lines", runs);
	cr_assert_lt(lay.plot_x, 640 * 0.55, "the bars keep most of the width (plot from x = %.0f)",
	             lay.plot_x);
	cairo_surface_destroy(s);
	free(b.data);
}

/* Horizontal bars: a label wider than the label column wraps onto two lines
 * at a space instead of being cut; short labels stay on one line. */
Test(chart_figures, long_bar_labels_wrap_on_two_lines)
{
	static const char *const labels[] = { "AS1221 ASN-TELSTRA Telstra Corporation Ltd", "AS714 Apple" };
	static const double v[] = { 34, 20 };
	struct fig_ranking r = { .title = "Top 2 ASes",
		                 .value_title = "Hosts (count)",
		                 .n = 2,
		                 .labels = labels,
		                 .values = v,
		                 .color = CHART_BLUE };
	const struct chart_output o = { CHART_PNG, 640, 400, 96 };
	struct chart_layout lay;
	struct buf b = render_mem(draw_ranking, &r, &o, &lay);
	cairo_surface_t *s = decode_png(&b);
	/* rows of text left of the plot, in each bar's slot: two runs of drawn rows for the
	 * wrapped label, one for the short one */
	double slot = lay.plot_h / 2;
	for (int i = 0; i < 2; i++) {
		int runs = 0;
		bool in = false;
		for (int y = (int)(lay.plot_y + i * slot); y < (int)(lay.plot_y + (i + 1) * slot); y++) {
			bool any = count_in(s, 4, y, lay.plot_x - 12, 1, dark) > 0;
			runs += any && !in;
			in = any;
		}
		cr_assert_eq(runs, i == 0 ? 2 : 1, "label %d: %d lines of text", i, runs);
	}
	cairo_surface_destroy(s);
	free(b.data);
}
