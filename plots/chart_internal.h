/* chart_internal.h — what the chart layer's files share: the render context
 * (struct rc: one chart being laid out and drawn), the layout constants, the
 * pen helpers, and each file's entry points.  Not an interface: only plots/
 * includes it; figures and tests use chart.h.
 *
 *   chart.c   the frame: output formats, palette, layout of titles and plot,
 *             the "No data" chart, the surfaces and chart_render
 *   axes.c    ticks, scales (value -> pixel), number formats, category labels,
 *             axis lines, grid
 *   marks.c   what the data draws: bars, lines, points, bands, rules, value
 *             labels, and the occupancy grid they leave for the legend
 *   legend.c  the legend: entries, a free corner or rows above the plot
 *   text.c    fonts, measuring, ellipsis, wrapping, anchored and rotated text
 */
#ifndef MPCAP_CHART_INTERNAL_H
#define MPCAP_CHART_INTERNAL_H

#include <cairo.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "plots/chart.h"

#define FS_TITLE 15.0
#define FS_SUB 11.0
#define FS_AXIS 12.0
#define FS_TICK 11.0
#define FS_LEGEND 11.0
#define FS_SMALL 9.5
#define PAD 10.0
#define TICK_LEN 4.0
#define GAP 4.0
#define OCC_CELL 3.0
#define ELLIPSIS "\xe2\x80\xa6"
#define MAX_LINES 12
#define LINE_BYTES 512

/* ------------------------------------------------------------ render ctx */

enum valign { VA_TOP, VA_MIDDLE, VA_BOTTOM, VA_BASELINE };

enum lkind { LK_RECT, LK_LINE, LK_POINTS, LK_LINE_POINTS, LK_BAND };

struct lentry {
	enum lkind kind;
	int color;
	bool dashed;
	char text[LINE_BYTES];
	double w;
};

struct lines {
	size_t n;
	char s[MAX_LINES][LINE_BYTES];
};

struct rc {
	cairo_t *cr;
	const struct chart_spec *s;
	double W, H, scale;
	bool image;

	/* titles */
	struct lines title; /* at most two lines */
	struct lines sub;
	double head_h; /* from the canvas top to below the subtitle */

	/* value and x axes */
	bool vlog;
	double vmin, vmax; /* data range of the value axis */
	double xmin, xmax; /* data range of x (XY) */
	struct chart_ticks vt, xt;
	double vlo, vhi; /* axis range of the value axis */
	double xlo, xhi;

	/* bars */
	size_t nslots;
	int *slot_of;    /* per series: index of its stack slot, -1 for non-bars */
	size_t maxn;     /* longest series */
	double *acc_pos; /* stacking accumulators [nslots * ncat_or_maxn] */
	double *acc_neg;

	/* categories */
	size_t ncat;
	char (*cat)[LINE_BYTES]; /* ellipsized labels */
	double cat_font;
	int rot, every;
	bool stack_labels;
	double stack_label_w;

	/* plot */
	double px, py, pw, ph;
	double left_w, right_w, bottom_h;

	/* legend */
	struct lentry *le;
	size_t nle;
	bool legend_out;   /* outside the plot: above it, or at its right */
	bool legend_right; /* at its right (no room above) */
	double right_extra;
	double lx, ly, lw, lh;
	double lrow_h;

	/* occupancy of the plot area: which cells data touches */
	unsigned char *occ;
	int ocw, och;
};

/* ------------------------------------------------------------------ pens */

static inline void set_rgb(struct rc *rc, int color, double alpha)
{
	double c[3];
	chart_color_rgb(color, c);
	cairo_set_source_rgba(rc->cr, c[0], c[1], c[2], alpha);
}

static inline void set_grey(struct rc *rc, double g)
{
	cairo_set_source_rgb(rc->cr, g, g, g);
}

static inline double snap(const struct rc *rc, double v, double lw)
{
	if (!rc->image)
		return v;
	double d = v * rc->scale;
	double dw = round(lw * rc->scale);
	if (dw < 1)
		dw = 1;
	d = ((long)dw % 2) ? floor(d) + 0.5 : round(d);
	return d / rc->scale;
}

static inline double snap_edge(const struct rc *rc, double v)
{
	return rc->image ? round(v * rc->scale) / rc->scale : v;
}

/* ------------------------------------------------------------------ text.c */

/* Unhinted metrics (layout independent of resolution); grey antialiasing on images. */
void text_font_options(cairo_t *cr, bool image);
/* text shortened with a trailing ellipsis until it is at most max_px wide in
 * cr's current font, into buf; returns its width (0 and "" when nothing fits). */
double text_ellipsize(cairo_t *cr, const char *text, double max_px, char *buf, size_t n);
/* Selects DejaVu Sans at px logical pixels. */
void text_font(struct rc *rc, double px, bool bold);
/* Width and height (ascent + descent) in the current font. */
double text_width(struct rc *rc, const char *s);
double text_height(struct rc *rc);
/* Draws s with the current font: (x, y) is the anchor, ha 0 left .. 1 right,
 * va as named, angle in degrees; unrotated text is kept inside the canvas. */
void text_at(struct rc *rc, const char *s, double x, double y, double ha, enum valign va, double angle);
/* Greedy word wrap into at most MAX_LINES lines no wider than maxw. */
void text_wrap(struct rc *rc, const char *text, double maxw, struct lines *out);

/* ------------------------------------------------------------------ axes.c */

/* Value-axis ticks for an axis of len logical pixels, extra_px kept free at its top end. */
int axes_value_ticks(struct rc *rc, double len, double extra_px);
/* x ticks of an XY chart. */
int axes_x_ticks(struct rc *rc);
/* value -> pixel along the value axis; x -> pixel (XY); a category's slot. */
double axes_vpos(const struct rc *rc, double v);
double axes_xpos(const struct rc *rc, double x);
void axes_cat_slot(const struct rc *rc, size_t i, double *start, double *size);
/* Category labels: wrapped (horizontal bars), else ellipsized, rotated and thinned for their slots. */
void axes_layout_categories(struct rc *rc);
/* Widest line of category label i (horizontal bars' labels may have several). */
double axes_cat_label_w(struct rc *rc, size_t i);
/* Height of the band the category labels need under the plot. */
double axes_category_band_h(struct rc *rc);
/* Widest tick label of t within [lo, hi]. */
double axes_max_tick_label_w(struct rc *rc, const struct chart_ticks *t, enum chart_number fmt, double lo,
                             double hi);
/* Ticks, tick and category labels, axis lines and titles; the grid behind the data. */
void axes_draw(struct rc *rc);
void axes_draw_grid(struct rc *rc);

/* ----------------------------------------------------------------- marks.c */

/* Stack slots of the bar series; -1 on out of memory. */
int marks_prepare(struct rc *rc);
/* Data ranges of the value axis and of x; false when nothing can be drawn. */
bool marks_ranges(struct rc *rc);
/* Room the value labels need beyond the bars. */
double marks_value_label_w(struct rc *rc);
/* Horizontal bars: the margin right of the plot their value labels need when
 * plot and margin share avail pixels. */
double marks_value_label_overhang(struct rc *rc, double avail);
/* Width of a group of ns bars in a slot of size pixels. */
double marks_group_width(const struct rc *rc, double size, size_t ns);
/* With draw false these only mark the occupancy grid where they would draw. */
void marks_draw_bars(struct rc *rc, bool draw);
void marks_draw_lines(struct rc *rc, bool draw);
void marks_draw_rules(struct rc *rc, bool draw);
void marks_draw_bands(struct rc *rc);
/* Occupied cells of the plot in a rectangle (page coordinates). */
size_t marks_occupied(const struct rc *rc, double x0, double y0, double x1, double y1);

/* ---------------------------------------------------------------- legend.c */

/* The legend's entries and its size as a box; -1 on out of memory. */
int legend_build(struct rc *rc);
/* Height of the legend laid out in rows above the plot. */
double legend_rows_height(struct rc *rc);
/* A corner of the plot that no data touches, or legend_out. */
void legend_place(struct rc *rc);
void legend_draw(struct rc *rc);

#endif
