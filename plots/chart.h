/* chart.h — a small chart layer over cairo: every figure of the report is a
 * struct chart_spec (what to draw) handed to chart_render (how to draw it).
 *
 * One drawing code for three surfaces: PNG (image surface, pixels), SVG and
 * PDF (vector, the same layout at width/dpi x height/dpi inches).  Sizes are
 * given in output pixels at a dpi; 96 dpi is "1x", 192 dpi "2x": the layout is
 * made in logical pixels (1/96 inch) and scaled, so a 1280x800 PNG at 192 dpi
 * is a crisp 2x rendering of a 640x400 figure.  Axis lines, grid lines and
 * bar edges are snapped to the device pixel grid.
 *
 * What the layer guarantees (the figures need not care): DejaVu Sans
 * throughout; axis titles; ticks at round numbers (1-2-5 steps, or decades on
 * a log axis) with thousands separators; category labels rotated, thinned or
 * shortened with an ellipsis rather than overlapping; every text kept inside
 * the canvas; a legend in a corner of the plot that no data touches, or above
 * the plot when no corner is free; the Okabe-Ito colour-blind-safe palette;
 * an explicit "No data" chart when there is nothing to draw.
 *
 * No global state; functions return 0 or -1 and fill a caller-owned error.
 */
#ifndef MPCAP_CHART_H
#define MPCAP_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum chart_format { CHART_PNG = 0, CHART_SVG, CHART_PDF };

#define CHART_DEFAULT_WIDTH 1280 /* pixels */
#define CHART_DEFAULT_HEIGHT 800
#define CHART_DEFAULT_DPI 192.0 /* 2x */
#define CHART_MIN_PIXELS 160
#define CHART_MAX_PIXELS 16384

struct chart_output {
	enum chart_format format;
	int width, height; /* output pixels (PNG); vector pages are width/dpi x height/dpi inches */
	double dpi;        /* 96 = 1x, 192 = 2x */
	bool no_title;     /* paper style: no title or subtitle drawn (the paper's caption has them) */
};

/* "png", "svg", "pdf" -> format; -1 for anything else. */
int chart_format_parse(const char *s, enum chart_format *out);
/* File name extension without the dot. */
const char *chart_format_ext(enum chart_format f);
/* Checks sizes and dpi; err says what is out of range. */
int chart_output_check(const struct chart_output *o, char *err, size_t errlen);
/* The figure's size in logical (96 dpi) pixels, e.g. for <img width height>. */
void chart_output_logical_size(const struct chart_output *o, double *w, double *h);

/* Okabe & Ito (2008), "Color Universal Design", plus a neutral grey. */
enum chart_color {
	CHART_AUTO = -1,
	CHART_BLACK = 0,
	CHART_ORANGE,
	CHART_SKY_BLUE,
	CHART_GREEN, /* bluish green */
	CHART_YELLOW,
	CHART_BLUE,
	CHART_VERMILLION,
	CHART_PURPLE, /* reddish purple */
	CHART_GREY,
	CHART_NCOLORS
};
/* RGB in 0..1; an unknown colour gives black. */
void chart_color_rgb(int color, double rgb[3]);
/* The colour of the i-th automatically coloured series (blue, orange, green,
 * vermillion, sky blue, purple, yellow, black, repeating). */
int chart_auto_color(size_t i);

enum chart_kind {
	CHART_BARS = 0, /* categories along x, vertical bars (grouped and/or stacked) */
	CHART_HBARS,    /* categories along y from the top, horizontal bars; x is the value axis */
	CHART_XY,       /* numeric x: bars at x positions, lines, points */
};

enum chart_number {
	CHART_NUM_AUTO = 0, /* decimals from the tick step, thousands separators */
	CHART_NUM_INT,      /* integer steps only (counts) */
	CHART_NUM_PERCENT,  /* values are fractions, shown as percent */
};

struct chart_axis {
	const char *title; /* with the unit, e.g. "Hosts (count)" */
	bool log;          /* decades; values <= 0 are not drawn */
	bool fix_min, fix_max;
	double min, max;
	double step;         /* > 0: ticks every step (linear axes) instead of the automatic 1-2-5 step */
	const double *ticks; /* XY x axis: nticks > 0 gives the ticks themselves (e.g. bits 0, 8, ..., 63) */
	size_t nticks;
	enum chart_number fmt;
};

enum chart_series_kind {
	CHART_SERIES_BARS = 0,
	CHART_SERIES_LINE,
	CHART_SERIES_POINTS,
	CHART_SERIES_LINE_POINTS,
};

struct chart_series {
	const char *label; /* legend text; NULL: not in the legend */
	enum chart_series_kind kind;
	const double *x; /* CHART_XY: n positions; NULL elsewhere (value i belongs to category i) */
	const double *y; /* n values; NaN: missing */
	size_t n;
	int color; /* enum chart_color, or CHART_AUTO */
	int stack; /* bars: series with the same stack id pile up; distinct ids stand side by side */
	const unsigned char *highlight; /* optional, n flags: those bars in highlight_color */
	int highlight_color;
	const char *highlight_label;  /* legend text for the highlighted bars */
	bool dashed;                  /* lines */
	const double *segment_values; /* segment_labels: n values written instead of y (counts on
	                                 bars of shares); NULL: y */
};

/* A band across the plot between two values of the value axis (e.g. a
 * significance band). */
struct chart_band {
	double lo, hi;
	const char *label; /* legend text */
	int color;
};

/* A reference line at a value: horizontal (value axis) or vertical (x of an
 * XY chart), labelled at its end. */
struct chart_rule {
	double at;
	bool vertical;
	const char *label;
	int color;
	bool dashed;
};

enum chart_legend { CHART_LEGEND_AUTO = 0, CHART_LEGEND_NONE };

struct chart_spec {
	enum chart_kind kind;
	const char *title;
	const char *subtitle; /* wrapped under the title; '\n' starts a new line */
	struct chart_axis x, y;
	const char *const *categories; /* BARS/HBARS */
	size_t ncategories;
	const char *const *stack_labels; /* BARS: small label under each bar of a group, by stack order */
	size_t nstack_labels;
	const struct chart_series *series;
	size_t nseries;
	const struct chart_band *bands;
	size_t nbands;
	const struct chart_rule *rules;
	size_t nrules;
	double bar_width;    /* XY bars: width of a bar slot in x units (default 1) */
	double bar_base;     /* value bars start from (default 0); e.g. 0.5 for bars around one half */
	bool value_labels;   /* the value written at the end of each bar */
	bool segment_labels; /* stacked bars: each segment's value written inside it when it fits */
	bool stack_totals;   /* vertical stacked bars: each stack's total written above it */
	enum chart_legend legend;
	const char *no_data; /* reason written on the chart when there is nothing to draw */
};

/* Where things went, in output pixels (PNG) or points (vector), for tests. */
struct chart_layout {
	double plot_x, plot_y, plot_w, plot_h;
	double legend_x, legend_y, legend_w, legend_h; /* 0 when none */
	bool legend_outside;                           /* above the plot: no corner was free */
	bool no_data;
	int rotated_labels; /* category labels: 0, 45 or 90 degrees */
	int label_every;    /* category labels: every k-th drawn */
};

/* Draws spec and writes it to fp in out's format.  layout may be NULL. */
int chart_render(const struct chart_spec *spec, const struct chart_output *out, FILE *fp,
                 struct chart_layout *layout, char *err, size_t errlen);

/* ---- building blocks, exposed for the figures and the tests ---- */

#define CHART_MAX_TICKS 64

struct chart_ticks {
	size_t n;
	double v[CHART_MAX_TICKS];
	double lo, hi; /* the axis range: the outer ticks */
	double step;   /* linear: the step; log: 0 */
	int decimals;  /* for labels */
};

/* The 1-2-5 step closest above raw (> 0): 1, 2, 5, 10, 20, 50 ... times a
 * power of ten. */
double chart_nice_step(double raw);
/* Round ticks covering [lo, hi] with about target intervals; integer forces a
 * step of at least 1.  lo == hi widens the range.  -1 on non-finite input. */
int chart_nice_ticks(double lo, double hi, int target, bool integer, struct chart_ticks *out);
/* Ticks every step from floor(lo/step) to ceil(hi/step). */
int chart_step_ticks(double lo, double hi, double step, struct chart_ticks *out);
/* Decades covering [lo, hi] (lo > 0); 2 and 5 in between when few decades. */
int chart_log_ticks(double lo, double hi, struct chart_ticks *out);

/* v with the given decimals and a comma every three digits ("12,345.6"). */
void chart_format_number(double v, int decimals, char *buf, size_t n);
/* A tick label in an axis' format. */
void chart_format_tick(double v, const struct chart_ticks *t, enum chart_number fmt, char *buf, size_t n);

/* text in DejaVu Sans at font_px logical pixels, shortened with a trailing
 * ellipsis ("…") at a UTF-8 character boundary until it is at most max_px
 * wide; returns its width.  The text is copied unchanged when it fits. */
double chart_ellipsize(const char *text, double font_px, bool bold, double max_px, char *buf, size_t n);
/* Width of text in logical pixels. */
double chart_text_width(const char *text, double font_px, bool bold);

#endif
