/* chart.c — the chart layer over cairo (see chart.h): layout, axes, 1-2-5
 * ticks, bars, lines, bands, rules, legend placement, "no data" charts, and
 * the PNG / SVG / PDF surfaces.  All lengths are logical pixels (1/96 inch)
 * until the final scale to the surface. */
#include "plots/chart.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FONT "DejaVu Sans"
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
#define LAYOUT_MIN_W 480.0 /* smaller figures are laid out at this size and zoomed out */
#define LAYOUT_MIN_H 300.0
#define MAX_LINES 12
#define LINE_BYTES 512

/* ---------------------------------------------------------------- output */

int chart_format_parse(const char *s, enum chart_format *out)
{
	static const char *const names[] = { "png", "svg", "pdf" };
	for (int i = 0; i < 3; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum chart_format)i;
			return 0;
		}
	return -1;
}

const char *chart_format_ext(enum chart_format f)
{
	return f == CHART_SVG ? "svg" : f == CHART_PDF ? "pdf" : "png";
}

int chart_output_check(const struct chart_output *o, char *err, size_t errlen)
{
	if (o->width < CHART_MIN_PIXELS || o->width > CHART_MAX_PIXELS || o->height < CHART_MIN_PIXELS ||
	    o->height > CHART_MAX_PIXELS) {
		snprintf(err, errlen, "chart size %dx%d: width and height must be %d..%d pixels", o->width,
		         o->height, CHART_MIN_PIXELS, CHART_MAX_PIXELS);
		return -1;
	}
	if (!(o->dpi >= 48 && o->dpi <= 1200)) {
		snprintf(err, errlen, "dpi %g: must be 48..1200 (96 = 1x, 192 = 2x)", o->dpi);
		return -1;
	}
	double w, h;
	chart_output_logical_size(o, &w, &h);
	if (w < 320 || h < 200) {
		snprintf(
		    err, errlen,
		    "chart size %dx%d at %g dpi is %.0fx%.0f logical pixels; at least 320x200 are needed "
		    "for axes and labels (lower --dpi or raise --width/--height)",
		    o->width, o->height, o->dpi, w, h);
		return -1;
	}
	return 0;
}

void chart_output_logical_size(const struct chart_output *o, double *w, double *h)
{
	*w = o->width * 96.0 / o->dpi;
	*h = o->height * 96.0 / o->dpi;
}

/* --------------------------------------------------------------- colours */

static const unsigned char palette[CHART_NCOLORS][3] = {
	[CHART_BLACK] = { 0, 0, 0 },         [CHART_ORANGE] = { 230, 159, 0 },
	[CHART_SKY_BLUE] = { 86, 180, 233 }, [CHART_GREEN] = { 0, 158, 115 },
	[CHART_YELLOW] = { 240, 228, 66 },   [CHART_BLUE] = { 0, 114, 178 },
	[CHART_VERMILLION] = { 213, 94, 0 }, [CHART_PURPLE] = { 204, 121, 167 },
	[CHART_GREY] = { 160, 160, 160 },
};

void chart_color_rgb(int color, double rgb[3])
{
	if (color < 0 || color >= CHART_NCOLORS)
		color = CHART_BLACK;
	for (int i = 0; i < 3; i++)
		rgb[i] = palette[color][i] / 255.0;
}

int chart_auto_color(size_t i)
{
	static const int order[] = { CHART_BLUE,     CHART_ORANGE, CHART_GREEN,  CHART_VERMILLION,
		                     CHART_SKY_BLUE, CHART_PURPLE, CHART_YELLOW, CHART_BLACK };
	return order[i % (sizeof order / sizeof order[0])];
}

/* ----------------------------------------------------------------- ticks */

double chart_nice_step(double raw)
{
	if (!(raw > 0) || !isfinite(raw))
		return 1;
	double p = pow(10, floor(log10(raw)));
	double m = raw / p;
	double nice = m <= 1.0 + 1e-9 ? 1 : m <= 2.0 + 1e-9 ? 2 : m <= 5.0 + 1e-9 ? 5 : 10;
	return nice * p;
}

static int decimals_for(double step)
{
	if (step <= 0)
		return 0;
	int d = (int)ceil(-log10(step) - 1e-9);
	return d < 0 ? 0 : d > 12 ? 12 : d;
}

int chart_step_ticks(double lo, double hi, double step, struct chart_ticks *out)
{
	memset(out, 0, sizeof *out);
	if (!isfinite(lo) || !isfinite(hi) || !(step > 0) || hi < lo)
		return -1;
	double a = floor(lo / step + 1e-9), b = ceil(hi / step - 1e-9);
	if (b - a + 1 > CHART_MAX_TICKS)
		return -1;
	for (double k = a; k <= b; k++) {
		double v = k * step;
		if (fabs(v) < step * 1e-9)
			v = 0;
		out->v[out->n++] = v;
	}
	out->lo = out->v[0];
	out->hi = out->v[out->n - 1];
	out->step = step;
	out->decimals = decimals_for(step);
	return 0;
}

int chart_nice_ticks(double lo, double hi, int target, bool integer, struct chart_ticks *out)
{
	memset(out, 0, sizeof *out);
	if (!isfinite(lo) || !isfinite(hi))
		return -1;
	if (hi < lo) {
		double t = lo;
		lo = hi;
		hi = t;
	}
	if (target < 1)
		target = 1;
	if (hi == lo) {
		double d = lo == 0 ? 1 : fabs(lo) * 0.1;
		if (lo >= 0 && lo - d < 0)
			lo = 0;
		else
			lo -= d;
		hi += d;
	}
	double step = chart_nice_step((hi - lo) / target);
	if (integer && step < 1)
		step = 1;
	while ((hi - lo) / step + 2 > CHART_MAX_TICKS)
		step = chart_nice_step(step * 1.5);
	return chart_step_ticks(lo, hi, step, out);
}

int chart_log_ticks(double lo, double hi, struct chart_ticks *out)
{
	memset(out, 0, sizeof *out);
	if (!(lo > 0) || !isfinite(lo) || !isfinite(hi) || hi < lo)
		return -1;
	int a = (int)floor(log10(lo) + 1e-9), b = (int)ceil(log10(hi) - 1e-9);
	if (b == a)
		b++;
	bool fine = b - a <= 2;
	for (int e = a; e <= b && out->n < CHART_MAX_TICKS - 3; e++) {
		double p = pow(10, e);
		out->v[out->n++] = p;
		if (fine && e < b) {
			out->v[out->n++] = 2 * p;
			out->v[out->n++] = 5 * p;
		}
	}
	out->lo = pow(10, a);
	out->hi = pow(10, b);
	out->step = 0;
	out->decimals = a < 0 ? -a : 0;
	return 0;
}

void chart_format_number(double v, int decimals, char *buf, size_t n)
{
	if (n == 0)
		return;
	if (!isfinite(v)) {
		snprintf(buf, n, "%s", isnan(v) ? "n/a" : v > 0 ? "inf" : "-inf");
		return;
	}
	if (decimals < 0)
		decimals = 0;
	char raw[64];
	snprintf(raw, sizeof raw, "%.*f", decimals, v);
	if (strspn(raw, "-0.") == strlen(raw) && raw[0] == '-')
		memmove(raw, raw + 1, strlen(raw)); /* "-0" -> "0" */
	const char *p = raw;
	char tmp[96];
	size_t o = 0;
	if (*p == '-')
		tmp[o++] = *p++;
	size_t intlen = strcspn(p, ".");
	for (size_t i = 0; i < intlen; i++) {
		if (i > 0 && (intlen - i) % 3 == 0)
			tmp[o++] = ',';
		tmp[o++] = p[i];
	}
	snprintf(tmp + o, sizeof tmp - o, "%s", p + intlen);
	snprintf(buf, n, "%s", tmp);
}

void chart_format_tick(double v, const struct chart_ticks *t, enum chart_number fmt, char *buf, size_t n)
{
	if (fmt == CHART_NUM_PERCENT) {
		int d = t->step > 0 ? decimals_for(t->step * 100) : 0;
		char num[56];
		chart_format_number(v * 100, d, num, sizeof num);
		snprintf(buf, n, "%s%%", num);
		return;
	}
	if (t->step == 0 && v >= 1e6) { /* log axis, large decades */
		int e = (int)lround(log10(v));
		if (fabs(pow(10, e) - v) < 1e-6 * v) {
			snprintf(buf, n, "10^%d", e);
			return;
		}
	}
	int d = t->decimals;
	if (t->step == 0) /* log: as many decimals as the value needs */
		d = v >= 1 ? 0 : (int)ceil(-log10(v) - 1e-9);
	chart_format_number(v, d, buf, n);
}

/* ------------------------------------------------------------------ text */

static void font_setup(cairo_t *cr, double px, bool bold)
{
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
	                       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, px);
}

static void font_options(cairo_t *cr, bool image)
{
	cairo_font_options_t *fo = cairo_font_options_create();
	/* layout must not depend on the resolution: unhinted metrics */
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	if (image) {
		cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
		cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_SLIGHT);
	}
	cairo_set_font_options(cr, fo);
	cairo_font_options_destroy(fo);
}

static double cr_text_width(cairo_t *cr, const char *s)
{
	cairo_text_extents_t te;
	cairo_text_extents(cr, s, &te);
	return te.x_advance;
}

/* Length of the UTF-8 prefix of s[0..len) that ends on a character boundary. */
static size_t utf8_back(const char *s, size_t len)
{
	while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
		len--;
	return len;
}

static double cr_ellipsize(cairo_t *cr, const char *text, double max_px, char *buf, size_t n)
{
	if (n == 0)
		return 0;
	snprintf(buf, n, "%s", text);
	double w = cr_text_width(cr, buf);
	if (w <= max_px)
		return w;
	size_t len = utf8_back(buf, strlen(buf));
	char tmp[LINE_BYTES * 2];
	while (len > 0) {
		len = utf8_back(buf, len - 1);
		size_t k = len;
		while (k > 0 && buf[k - 1] == ' ')
			k--;
		if (k + sizeof ELLIPSIS > sizeof tmp)
			continue;
		memcpy(tmp, buf, k);
		memcpy(tmp + k, ELLIPSIS, sizeof ELLIPSIS);
		w = cr_text_width(cr, tmp);
		if (w <= max_px) {
			snprintf(buf, n, "%s", tmp);
			return w;
		}
	}
	/* not even one character fits: the ellipsis alone, or nothing */
	w = cr_text_width(cr, ELLIPSIS);
	if (w <= max_px) {
		snprintf(buf, n, "%s", ELLIPSIS);
		return w;
	}
	buf[0] = '\0';
	return 0;
}

/* A scratch context for measuring outside a rendering. */
static cairo_t *measure_cr(cairo_surface_t **surf)
{
	*surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
	cairo_t *cr = cairo_create(*surf);
	font_options(cr, false);
	return cr;
}

double chart_ellipsize(const char *text, double font_px, bool bold, double max_px, char *buf, size_t n)
{
	cairo_surface_t *s;
	cairo_t *cr = measure_cr(&s);
	font_setup(cr, font_px, bold);
	double w = cr_ellipsize(cr, text, max_px, buf, n);
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	return w;
}

double chart_text_width(const char *text, double font_px, bool bold)
{
	cairo_surface_t *s;
	cairo_t *cr = measure_cr(&s);
	font_setup(cr, font_px, bold);
	double w = cr_text_width(cr, text);
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	return w;
}

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

static void set_rgb(struct rc *rc, int color, double alpha)
{
	double c[3];
	chart_color_rgb(color, c);
	cairo_set_source_rgba(rc->cr, c[0], c[1], c[2], alpha);
}

static void set_grey(struct rc *rc, double g)
{
	cairo_set_source_rgb(rc->cr, g, g, g);
}

static double snap(const struct rc *rc, double v, double lw)
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

static double snap_edge(const struct rc *rc, double v)
{
	return rc->image ? round(v * rc->scale) / rc->scale : v;
}

static void font(struct rc *rc, double px, bool bold)
{
	font_setup(rc->cr, px, bold);
}

static double tw(struct rc *rc, const char *s)
{
	return cr_text_width(rc->cr, s);
}

static void fext(struct rc *rc, double *ascent, double *descent)
{
	cairo_font_extents_t fe;
	cairo_font_extents(rc->cr, &fe);
	*ascent = fe.ascent;
	*descent = fe.descent;
}

static double font_h(struct rc *rc)
{
	double a, d;
	fext(rc, &a, &d);
	return a + d;
}

/* Draws s with the current font: (x, y) is the anchor, ha 0 left .. 1 right,
 * va as named, angle in degrees (counter-clockwise negative as in cairo).
 * Unrotated text is shifted back inside the canvas when it would run off. */
static void text_at(struct rc *rc, const char *s, double x, double y, double ha, enum valign va, double angle)
{
	if (!s || !*s)
		return;
	double a, d;
	fext(rc, &a, &d);
	double w = tw(rc, s);
	double ox = -ha * w;
	double oy = va == VA_TOP ? a : va == VA_MIDDLE ? (a - d) / 2 : va == VA_BOTTOM ? -d : 0;
	cairo_save(rc->cr);
	if (angle == 0) {
		double left = x + ox;
		if (left + w > rc->W - 1)
			left = rc->W - 1 - w;
		if (left < 1)
			left = 1;
		cairo_move_to(rc->cr, left, y + oy);
	} else {
		cairo_translate(rc->cr, x, y);
		cairo_rotate(rc->cr, angle * M_PI / 180);
		cairo_move_to(rc->cr, ox, oy);
	}
	cairo_show_text(rc->cr, s);
	cairo_restore(rc->cr);
}

/* Greedy word wrap of text ('\n' forces a break) into at most MAX_LINES lines
 * no wider than maxw; a word longer than a line is ellipsized. */
static void wrap(struct rc *rc, const char *text, double maxw, struct lines *out)
{
	out->n = 0;
	if (!text)
		return;
	const char *p = text;
	while (*p && out->n < MAX_LINES) {
		size_t para = strcspn(p, "\n");
		char line[LINE_BYTES] = "";
		size_t i = 0;
		while (i < para) {
			while (i < para && p[i] == ' ')
				i++;
			if (i >= para)
				break;
			size_t wl = strcspn(p + i, " \n");
			if (wl > para - i)
				wl = para - i;
			char cand[LINE_BYTES];
			int k =
			    snprintf(cand, sizeof cand, "%s%s%.*s", line, line[0] ? " " : "", (int)wl, p + i);
			if (k < 0 || (size_t)k >= sizeof cand)
				break;
			if (tw(rc, cand) <= maxw || !line[0]) {
				if (!line[0] && tw(rc, cand) > maxw)
					cr_ellipsize(rc->cr, cand, maxw, line, sizeof line);
				else
					snprintf(line, sizeof line, "%s", cand);
				i += wl;
			} else {
				snprintf(out->s[out->n++], LINE_BYTES, "%s", line);
				line[0] = '\0';
				if (out->n >= MAX_LINES)
					return;
			}
		}
		if (line[0] && out->n < MAX_LINES)
			snprintf(out->s[out->n++], LINE_BYTES, "%s", line);
		p += para;
		if (*p == '\n')
			p++;
	}
}

/* ------------------------------------------------------------- occupancy */

static void occ_mark(struct rc *rc, double x0, double y0, double x1, double y1)
{
	if (!rc->occ)
		return;
	if (x1 < x0) {
		double t = x0;
		x0 = x1;
		x1 = t;
	}
	if (y1 < y0) {
		double t = y0;
		y0 = y1;
		y1 = t;
	}
	int c0 = (int)floor((x0 - rc->px) / OCC_CELL), c1 = (int)floor((x1 - rc->px) / OCC_CELL);
	int r0 = (int)floor((y0 - rc->py) / OCC_CELL), r1 = (int)floor((y1 - rc->py) / OCC_CELL);
	if (c0 < 0)
		c0 = 0;
	if (r0 < 0)
		r0 = 0;
	if (c1 >= rc->ocw)
		c1 = rc->ocw - 1;
	if (r1 >= rc->och)
		r1 = rc->och - 1;
	for (int r = r0; r <= r1; r++)
		for (int c = c0; c <= c1; c++)
			rc->occ[r * rc->ocw + c] = 1;
}

static void occ_segment(struct rc *rc, double x0, double y0, double x1, double y1, double half)
{
	double len = hypot(x1 - x0, y1 - y0);
	int steps = (int)ceil(len / 2) + 1;
	for (int i = 0; i <= steps; i++) {
		double t = (double)i / steps;
		double x = x0 + t * (x1 - x0), y = y0 + t * (y1 - y0);
		occ_mark(rc, x - half, y - half, x + half, y + half);
	}
}

static size_t occ_count(const struct rc *rc, double x0, double y0, double x1, double y1)
{
	size_t n = 0;
	int c0 = (int)floor((x0 - rc->px) / OCC_CELL), c1 = (int)floor((x1 - rc->px) / OCC_CELL);
	int r0 = (int)floor((y0 - rc->py) / OCC_CELL), r1 = (int)floor((y1 - rc->py) / OCC_CELL);
	for (int r = r0; r <= r1; r++)
		for (int c = c0; c <= c1; c++) {
			if (r < 0 || c < 0 || r >= rc->och || c >= rc->ocw)
				continue;
			n += rc->occ[r * rc->ocw + c];
		}
	return n;
}

/* ----------------------------------------------------------- data ranges */

static bool is_bars(const struct chart_series *s)
{
	return s->kind == CHART_SERIES_BARS;
}

static double sval(const struct chart_series *s, size_t i)
{
	return s->y && i < s->n ? s->y[i] : NAN;
}

static bool usable(const struct rc *rc, double v)
{
	return isfinite(v) && (!rc->vlog || v > 0);
}

/* Stack slots; returns -1 on out of memory. */
static int prepare_slots(struct rc *rc)
{
	const struct chart_spec *s = rc->s;
	rc->slot_of = calloc(s->nseries ? s->nseries : 1, sizeof *rc->slot_of);
	int *ids = calloc(s->nseries ? s->nseries : 1, sizeof *ids);
	if (!rc->slot_of || !ids) {
		free(ids);
		return -1;
	}
	rc->nslots = 0;
	rc->maxn = 0;
	for (size_t i = 0; i < s->nseries; i++) {
		const struct chart_series *se = &s->series[i];
		if (se->n > rc->maxn)
			rc->maxn = se->n;
		rc->slot_of[i] = -1;
		if (!is_bars(se))
			continue;
		size_t k;
		for (k = 0; k < rc->nslots; k++)
			if (ids[k] == se->stack)
				break;
		if (k == rc->nslots)
			ids[rc->nslots++] = se->stack;
		rc->slot_of[i] = (int)k;
	}
	free(ids);
	size_t cells = (rc->nslots ? rc->nslots : 1) * (rc->maxn ? rc->maxn : 1);
	rc->acc_pos = calloc(cells, sizeof(double));
	rc->acc_neg = calloc(cells, sizeof(double));
	return rc->acc_pos && rc->acc_neg ? 0 : -1;
}

static void acc_reset(struct rc *rc, double base)
{
	size_t cells = (rc->nslots ? rc->nslots : 1) * (rc->maxn ? rc->maxn : 1);
	for (size_t i = 0; i < cells; i++)
		rc->acc_pos[i] = rc->acc_neg[i] = base;
}

/* The extent [v0, v1] of bar i of series si when stacked; false when not drawn. */
static bool bar_extent(struct rc *rc, size_t si, size_t i, double base, double *v0, double *v1)
{
	const struct chart_series *se = &rc->s->series[si];
	double v = sval(se, i);
	if (!isfinite(v) || (rc->vlog && v <= 0))
		return false;
	if (rc->s->kind == CHART_XY && (!se->x || !isfinite(se->x[i])))
		return false;
	size_t k = (size_t)rc->slot_of[si] * rc->maxn + i;
	if (rc->vlog) { /* stacks add up from the bottom of the axis (accumulators start at 0) */
		*v0 = rc->acc_pos[k];
		*v1 = *v0 + v;
		rc->acc_pos[k] = *v1;
		return true;
	}
	double rel = v - base;
	if (rel >= 0) {
		*v0 = rc->acc_pos[k];
		*v1 = *v0 + rel;
		rc->acc_pos[k] = *v1;
	} else {
		*v0 = rc->acc_neg[k];
		*v1 = *v0 + rel;
		rc->acc_neg[k] = *v1;
	}
	return true;
}

/* Data ranges of the value axis and of x; false when nothing can be drawn. */
static bool data_ranges(struct rc *rc)
{
	const struct chart_spec *s = rc->s;
	double lo = INFINITY, hi = -INFINITY, xl = INFINITY, xh = -INFINITY;
	bool any = false;
	if ((s->kind == CHART_BARS || s->kind == CHART_HBARS) && s->ncategories == 0)
		return false;
	double base = rc->vlog ? 0 : s->bar_base;
	acc_reset(rc, base);
	double bw = s->bar_width > 0 ? s->bar_width : 1;
	for (size_t si = 0; si < s->nseries; si++) {
		const struct chart_series *se = &s->series[si];
		size_t n = se->n;
		if (s->kind != CHART_XY && n > s->ncategories)
			n = s->ncategories;
		for (size_t i = 0; i < n; i++) {
			double v = sval(se, i);
			if (!usable(rc, v))
				continue;
			if (s->kind == CHART_XY && (!se->x || !isfinite(se->x[i])))
				continue;
			any = true;
			double v0 = v, v1 = v;
			if (is_bars(se)) {
				bar_extent(rc, si, i, base, &v0, &v1);
				if (!rc->vlog) {
					lo = fmin(lo, fmin(v0, v1));
					hi = fmax(hi, fmax(v0, v1));
				} else {
					lo = fmin(lo, v);
					hi = fmax(hi, v1);
				}
			} else {
				lo = fmin(lo, v);
				hi = fmax(hi, v);
			}
			if (s->kind == CHART_XY) {
				double x = se->x[i];
				double half = is_bars(se) ? bw / 2 : 0;
				xl = fmin(xl, x - half);
				xh = fmax(xh, x + half);
			}
		}
	}
	if (!any)
		return false;
	for (size_t i = 0; i < s->nbands; i++) {
		if (usable(rc, s->bands[i].lo))
			lo = fmin(lo, s->bands[i].lo);
		if (usable(rc, s->bands[i].hi))
			hi = fmax(hi, s->bands[i].hi);
	}
	for (size_t i = 0; i < s->nrules; i++) {
		double a = s->rules[i].at;
		if (s->rules[i].vertical) {
			if (s->kind == CHART_XY && isfinite(a)) {
				xl = fmin(xl, a);
				xh = fmax(xh, a);
			}
		} else if (usable(rc, a)) {
			lo = fmin(lo, a);
			hi = fmax(hi, a);
		}
	}
	const struct chart_axis *va = s->kind == CHART_HBARS ? &s->x : &s->y;
	if (va->fix_min)
		lo = va->min;
	if (va->fix_max)
		hi = va->max;
	rc->vmin = lo;
	rc->vmax = hi;
	if (s->kind == CHART_XY) {
		if (s->x.fix_min)
			xl = s->x.min;
		if (s->x.fix_max)
			xh = s->x.max;
		rc->xmin = xl;
		rc->xmax = xh;
	}
	return true;
}

/* Value-axis ticks for an axis of len logical pixels; extra_frac of the axis
 * is reserved at the top end (value labels). */
static int value_ticks(struct rc *rc, double len, double extra_px)
{
	const struct chart_spec *s = rc->s;
	const struct chart_axis *va = s->kind == CHART_HBARS ? &s->x : &s->y;
	double lo = rc->vmin, hi = rc->vmax;
	bool horiz = s->kind == CHART_HBARS;
	int target = (int)(len / (horiz ? 90 : 48));
	target = target < 2 ? 2 : target > 10 ? 10 : target;
	if (rc->vlog) {
		if (extra_px > 0 && len > extra_px + 10)
			hi = pow(10, log10(hi) + (log10(hi) - log10(lo)) * extra_px / (len - extra_px));
		if (chart_log_ticks(lo, hi, &rc->vt) != 0)
			return -1;
		rc->vlo = va->fix_min ? va->min : rc->vt.lo;
		rc->vhi = va->fix_max ? va->max : rc->vt.hi;
		return 0;
	}
	double base = fmin(lo, 0);
	bool share_top = va->fmt == CHART_NUM_PERCENT && hi <= 1;
	if (!va->fix_max && hi > base) /* headroom: the tallest bar does not touch the frame */
		hi += (hi - base) * 0.04;
	if (share_top && hi > 1) /* a share never goes past 100% */
		hi = 1;
	if (extra_px > 0 && len > extra_px + 10)
		hi = base + (hi - base) * len / (len - extra_px);
	int rcode = va->step > 0 ? chart_step_ticks(lo, hi, va->step, &rc->vt)
	                         : chart_nice_ticks(lo, hi, target, va->fmt == CHART_NUM_INT, &rc->vt);
	if (rcode != 0)
		return -1;
	rc->vlo = va->fix_min ? va->min : rc->vt.lo;
	rc->vhi = va->fix_max ? va->max : rc->vt.hi;
	return 0;
}

static int x_ticks(struct rc *rc)
{
	const struct chart_axis *xa = &rc->s->x;
	int target = (int)(rc->pw / 70);
	target = target < 2 ? 2 : target > 12 ? 12 : target;
	int rcode = xa->step > 0
	                ? chart_step_ticks(rc->xmin, rc->xmax, xa->step, &rc->xt)
	                : chart_nice_ticks(rc->xmin, rc->xmax, target, xa->fmt == CHART_NUM_INT, &rc->xt);
	if (rcode != 0)
		return -1;
	rc->xlo = xa->fix_min ? xa->min : rc->xt.lo;
	rc->xhi = xa->fix_max ? xa->max : rc->xt.hi;
	if (rc->xhi <= rc->xlo)
		rc->xhi = rc->xlo + 1;
	return 0;
}

/* value -> pixel along the value axis */
static double vpos(const struct rc *rc, double v)
{
	double f;
	if (rc->vlog)
		f = (log10(v) - log10(rc->vlo)) / (log10(rc->vhi) - log10(rc->vlo));
	else
		f = (v - rc->vlo) / (rc->vhi - rc->vlo);
	if (!isfinite(f))
		f = 0;
	if (rc->s->kind == CHART_HBARS)
		return rc->px + f * rc->pw;
	return rc->py + rc->ph - f * rc->ph;
}

static double xpos(const struct rc *rc, double x)
{
	return rc->px + (x - rc->xlo) / (rc->xhi - rc->xlo) * rc->pw;
}

/* Category slot: start and size along the category axis. */
static void cat_slot(const struct rc *rc, size_t i, double *start, double *size)
{
	if (rc->s->kind == CHART_HBARS) {
		*size = rc->ph / rc->ncat;
		*start = rc->py + i * *size;
	} else {
		*size = rc->pw / rc->ncat;
		*start = rc->px + i * *size;
	}
}

/* --------------------------------------------------------------- legend */

static int build_legend(struct rc *rc)
{
	const struct chart_spec *s = rc->s;
	if (s->legend == CHART_LEGEND_NONE)
		return 0;
	size_t cap = s->nseries * 2 + s->nbands + 1;
	rc->le = calloc(cap, sizeof *rc->le);
	if (!rc->le)
		return -1;
	font(rc, FS_LEGEND, false);
	double maxw = rc->W * 0.45;
	for (size_t i = 0; i < s->nseries; i++) {
		const struct chart_series *se = &s->series[i];
		int color = se->color == CHART_AUTO ? chart_auto_color(i) : se->color;
		if (se->label && *se->label) {
			struct lentry *e = &rc->le[rc->nle++];
			e->kind = se->kind == CHART_SERIES_BARS     ? LK_RECT
			          : se->kind == CHART_SERIES_LINE   ? LK_LINE
			          : se->kind == CHART_SERIES_POINTS ? LK_POINTS
			                                            : LK_LINE_POINTS;
			e->color = color;
			e->dashed = se->dashed;
			e->w = cr_ellipsize(rc->cr, se->label, maxw, e->text, sizeof e->text);
		}
		bool hl = false;
		for (size_t k = 0; se->highlight && k < se->n; k++)
			hl = hl || se->highlight[k];
		if (hl && se->highlight_label && *se->highlight_label) {
			struct lentry *e = &rc->le[rc->nle++];
			e->kind = LK_RECT;
			e->color = se->highlight_color;
			e->w = cr_ellipsize(rc->cr, se->highlight_label, maxw, e->text, sizeof e->text);
		}
	}
	for (size_t i = 0; i < s->nbands; i++)
		if (s->bands[i].label && *s->bands[i].label) {
			struct lentry *e = &rc->le[rc->nle++];
			e->kind = LK_BAND;
			e->color = s->bands[i].color;
			e->w = cr_ellipsize(rc->cr, s->bands[i].label, maxw, e->text, sizeof e->text);
		}
	rc->lrow_h = FS_LEGEND * 1.5;
	double wmax = 0;
	for (size_t i = 0; i < rc->nle; i++)
		wmax = fmax(wmax, rc->le[i].w);
	rc->lw = 8 + 20 + 6 + wmax + 8;
	rc->lh = rc->nle * rc->lrow_h + 8;
	return 0;
}

#define SWATCH_W 20.0

/* Height of the legend laid out in rows above the plot. */
static double legend_rows_height(struct rc *rc)
{
	double avail = rc->W - 2 * PAD, x = 0;
	int rows = 1;
	for (size_t i = 0; i < rc->nle; i++) {
		double w = SWATCH_W + 6 + rc->le[i].w + 16;
		if (x > 0 && x + w > avail) {
			rows++;
			x = 0;
		}
		x += w;
	}
	return rows * rc->lrow_h + 12;
}

static void draw_swatch(struct rc *rc, const struct lentry *e, double x, double ymid)
{
	cairo_t *cr = rc->cr;
	switch (e->kind) {
	case LK_RECT:
		set_rgb(rc, e->color, 1);
		cairo_rectangle(cr, x + 3, ymid - 5, SWATCH_W - 6, 10);
		cairo_fill(cr);
		break;
	case LK_BAND:
		set_rgb(rc, e->color, 0.22);
		cairo_rectangle(cr, x, ymid - 6, SWATCH_W, 12);
		cairo_fill(cr);
		break;
	default:
		set_rgb(rc, e->color, 1);
		if (e->kind != LK_POINTS) {
			cairo_set_line_width(cr, 1.8);
			if (e->dashed) {
				double dash[] = { 4, 2.5 };
				cairo_set_dash(cr, dash, 2, 0);
			}
			cairo_move_to(cr, x, ymid);
			cairo_line_to(cr, x + SWATCH_W, ymid);
			cairo_stroke(cr);
			cairo_set_dash(cr, NULL, 0, 0);
		}
		if (e->kind != LK_LINE) {
			cairo_arc(cr, x + SWATCH_W / 2, ymid, 2.8, 0, 2 * M_PI);
			cairo_fill(cr);
		}
	}
}

static void draw_legend(struct rc *rc)
{
	if (rc->nle == 0)
		return;
	cairo_t *cr = rc->cr;
	font(rc, FS_LEGEND, false);
	if (rc->legend_out && !rc->legend_right) {
		double avail = rc->W - 2 * PAD, x = 0, y = rc->ly + rc->lrow_h / 2 + 2;
		for (size_t i = 0; i < rc->nle; i++) {
			double w = SWATCH_W + 6 + rc->le[i].w + 16;
			if (x > 0 && x + w > avail) {
				x = 0;
				y += rc->lrow_h;
			}
			draw_swatch(rc, &rc->le[i], PAD + x, y);
			set_grey(rc, 0.15);
			text_at(rc, rc->le[i].text, PAD + x + SWATCH_W + 6, y, 0, VA_MIDDLE, 0);
			x += w;
		}
		return;
	}
	cairo_set_source_rgba(cr, 1, 1, 1, 0.92);
	cairo_rectangle(cr, rc->lx, rc->ly, rc->lw, rc->lh);
	cairo_fill_preserve(cr);
	set_grey(rc, 0.8);
	cairo_set_line_width(cr, 0.8);
	cairo_stroke(cr);
	for (size_t i = 0; i < rc->nle; i++) {
		double ymid = rc->ly + 4 + rc->lrow_h * (i + 0.5);
		draw_swatch(rc, &rc->le[i], rc->lx + 8, ymid);
		set_grey(rc, 0.15);
		text_at(rc, rc->le[i].text, rc->lx + 8 + SWATCH_W + 6, ymid, 0, VA_MIDDLE, 0);
	}
}

/* ---------------------------------------------------------------- layout */

static void layout_titles(struct rc *rc)
{
	font(rc, FS_TITLE, true);
	double h = PAD;
	wrap(rc, rc->s->title, rc->W - 2 * PAD, &rc->title);
	if (rc->title.n > 2) { /* a third line would eat the plot: shorten the second */
		char rest[LINE_BYTES * 2];
		snprintf(rest, sizeof rest, "%s %s", rc->title.s[1], rc->title.s[2]);
		cr_ellipsize(rc->cr, rest, rc->W - 2 * PAD, rc->title.s[1], LINE_BYTES);
		rc->title.n = 2;
	}
	h += rc->title.n * (font_h(rc) + 2);
	font(rc, FS_SUB, false);
	wrap(rc, rc->s->subtitle, rc->W - 2 * PAD, &rc->sub);
	h += rc->sub.n * FS_SUB * 1.35;
	rc->head_h = h + 8;
}

/* A small canvas cannot hold a long subtitle: its last line goes, the new
 * last line ends in an ellipsis.  False when nothing is left to drop. */
static bool drop_subtitle_line(struct rc *rc)
{
	if (rc->sub.n == 0)
		return false;
	rc->sub.n--;
	rc->head_h -= FS_SUB * 1.35;
	if (rc->sub.n > 0) {
		char tmp[LINE_BYTES + 8];
		font(rc, FS_SUB, false);
		snprintf(tmp, sizeof tmp, "%s" ELLIPSIS, rc->sub.s[rc->sub.n - 1]);
		cr_ellipsize(rc->cr, tmp, rc->W - 2 * PAD, rc->sub.s[rc->sub.n - 1], LINE_BYTES);
	}
	return true;
}

/* Category labels: ellipsize, then choose rotation and thinning for the slot. */
static void layout_categories(struct rc *rc)
{
	const struct chart_spec *s = rc->s;
	rc->cat_font = FS_TICK;
	rc->rot = 0;
	rc->every = 1;
	if (s->kind == CHART_XY)
		return;
	if (s->kind == CHART_HBARS) {
		font(rc, rc->cat_font, false);
		double slot = rc->ph / rc->ncat;
		while (rc->cat_font > 8 && font_h(rc) > slot * 0.95) {
			rc->cat_font -= 0.5;
			font(rc, rc->cat_font, false);
		}
		double fh = font_h(rc);
		rc->every = fh > slot ? (int)ceil(fh / slot) : 1;
		double maxw = rc->W * 0.38;
		for (size_t i = 0; i < rc->ncat; i++)
			cr_ellipsize(rc->cr, s->categories[i] ? s->categories[i] : "", maxw, rc->cat[i],
			             LINE_BYTES);
		return;
	}
	font(rc, rc->cat_font, false);
	double slot = rc->pw / rc->ncat, maxw = 0;
	for (size_t i = 0; i < rc->ncat; i++)
		maxw = fmax(maxw, tw(rc, s->categories[i] ? s->categories[i] : ""));
	bool rotate = maxw > slot - 6;
	/* upright labels keep their whole text when they fit their slot; rotated
	 * ones are shortened so that they do not eat the plot's height */
	for (size_t i = 0; i < rc->ncat; i++)
		cr_ellipsize(rc->cr, s->categories[i] ? s->categories[i] : "",
		             rotate ? fmax(rc->H * 0.28, 60) : slot - 6, rc->cat[i], LINE_BYTES);
	if (rotate) {
		rc->rot = 45;
		double fh = font_h(rc);
		double foot = fh * 1.414 * 1.15; /* horizontal room a 45-degree label needs */
		rc->every = foot > slot ? (int)ceil(foot / slot) : 1;
	}
}

static double category_band_h(struct rc *rc)
{
	font(rc, rc->cat_font, false);
	double fh = font_h(rc);
	if (rc->rot == 0)
		return fh;
	double maxw = 0;
	for (size_t i = 0; i < rc->ncat; i += (size_t)rc->every)
		maxw = fmax(maxw, tw(rc, rc->cat[i]));
	return maxw * 0.7071 + fh * 0.7071;
}

static double max_tick_label_w(struct rc *rc, const struct chart_ticks *t, enum chart_number fmt, double lo,
                               double hi)
{
	font(rc, FS_TICK, false);
	double w = 0;
	char buf[64];
	for (size_t i = 0; i < t->n; i++) {
		if (t->v[i] < lo - 1e-9 * fabs(hi - lo) || t->v[i] > hi + 1e-9 * fabs(hi - lo))
			continue;
		chart_format_tick(t->v[i], t, fmt, buf, sizeof buf);
		w = fmax(w, tw(rc, buf));
	}
	return w;
}

static double value_label_w(struct rc *rc);

/* Lays out the plot rectangle; top_extra is room for a legend above it. */
static int layout(struct rc *rc, double top_extra)
{
	const struct chart_spec *s = rc->s;
	font(rc, FS_AXIS, false);
	double axis_fh = font_h(rc);
	font(rc, FS_TICK, false);
	double tick_fh = font_h(rc);
	double xtitle_h = s->x.title && *s->x.title ? axis_fh + GAP : 0;
	double ytitle_w = s->y.title && *s->y.title ? axis_fh + GAP : 0;
	double stack_h = 0;
	rc->stack_labels = s->kind == CHART_BARS && s->nstack_labels > 0 && rc->nslots > 1;
	if (rc->stack_labels) {
		font(rc, FS_SMALL, false);
		stack_h = font_h(rc) + 2;
	}
	rc->py = rc->head_h + top_extra;
	rc->left_w = 60;
	rc->right_w = PAD + 6;
	rc->bottom_h = 50;
	for (int iter = 0; iter < 4; iter++) {
		rc->px = PAD + rc->left_w;
		rc->pw = rc->W - rc->px - rc->right_w - rc->right_extra;
		rc->ph = rc->H - rc->py - rc->bottom_h;
		if (rc->pw < 40 || rc->ph < 30) {
			return -1;
		}
		double vlab = s->value_labels ? value_label_w(rc) : 0;
		if (value_ticks(rc, s->kind == CHART_HBARS ? rc->pw : rc->ph, vlab) != 0)
			return -1;
		if (s->kind == CHART_XY && x_ticks(rc) != 0)
			return -1;
		layout_categories(rc);
		if (s->kind == CHART_HBARS) {
			font(rc, rc->cat_font, false);
			double cw = 0;
			for (size_t i = 0; i < rc->ncat; i++)
				cw = fmax(cw, tw(rc, rc->cat[i]));
			rc->left_w = ytitle_w + cw + TICK_LEN + GAP;
			double last = max_tick_label_w(rc, &rc->vt, s->x.fmt, rc->vlo, rc->vhi);
			rc->right_w = fmax(PAD + 6, last / 2 + PAD);
			rc->bottom_h = TICK_LEN + GAP + tick_fh + xtitle_h + PAD;
		} else {
			double yw = max_tick_label_w(rc, &rc->vt, s->y.fmt, rc->vlo, rc->vhi);
			rc->left_w = ytitle_w + yw + TICK_LEN + GAP;
			if (s->kind == CHART_XY) {
				double xw = max_tick_label_w(rc, &rc->xt, s->x.fmt, rc->xlo, rc->xhi);
				rc->right_w = fmax(PAD + 6, xw / 2 + PAD);
				rc->bottom_h = TICK_LEN + GAP + tick_fh + xtitle_h + PAD;
			} else {
				rc->bottom_h =
				    TICK_LEN + GAP + stack_h + category_band_h(rc) + xtitle_h + PAD;
				if (rc->rot) { /* the first label leans left past the plot */
					font(rc, rc->cat_font, false);
					double lean = tw(rc, rc->cat[0]) * 0.7071 - rc->pw / rc->ncat / 2;
					rc->left_w = fmax(rc->left_w, lean);
				}
			}
		}
	}
	rc->px = PAD + rc->left_w;
	rc->pw = rc->W - rc->px - rc->right_w - rc->right_extra;
	rc->ph = rc->H - rc->py - rc->bottom_h;
	if (rc->pw < 40 || rc->ph < 30)
		return -1;
	/* final ticks for the final rectangle */
	double vlab = s->value_labels ? value_label_w(rc) : 0;
	if (value_ticks(rc, s->kind == CHART_HBARS ? rc->pw : rc->ph, vlab) != 0)
		return -1;
	if (s->kind == CHART_XY && x_ticks(rc) != 0)
		return -1;
	layout_categories(rc);
	free(rc->occ);
	rc->ocw = (int)ceil(rc->pw / OCC_CELL) + 1;
	rc->och = (int)ceil(rc->ph / OCC_CELL) + 1;
	rc->occ = calloc((size_t)rc->ocw * (size_t)rc->och, 1);
	return rc->occ ? 0 : -1;
}

/* ------------------------------------------------------------ data pass */

static void value_text(struct rc *rc, double v, char *buf, size_t n)
{
	const struct chart_axis *va = rc->s->kind == CHART_HBARS ? &rc->s->x : &rc->s->y;
	if (va->fmt == CHART_NUM_PERCENT) {
		char num[56];
		chart_format_number(v * 100, 1, num, sizeof num);
		snprintf(buf, n, "%s%%", num);
	} else if (fabs(v - round(v)) < 1e-9)
		chart_format_number(v, 0, buf, n);
	else
		chart_format_number(v, fabs(v) >= 100 ? 0 : fabs(v) >= 1 ? 2 : 3, buf, n);
}

static double value_label_w(struct rc *rc)
{
	const struct chart_spec *s = rc->s;
	font(rc, FS_SMALL, false);
	if (s->kind != CHART_HBARS)
		return font_h(rc) + 4;
	double w = 0;
	char buf[64];
	for (size_t si = 0; si < s->nseries; si++)
		for (size_t i = 0; i < s->series[si].n; i++) {
			double v = sval(&s->series[si], i);
			if (!isfinite(v))
				continue;
			value_text(rc, v, buf, sizeof buf);
			w = fmax(w, tw(rc, buf));
		}
	return w + 6;
}

/* Width of a group of ns bars in a slot of size pixels: bars stay slim when
 * there are few categories. */
static double group_width(const struct rc *rc, double size, size_t ns)
{
	if (ns == 0)
		ns = 1;
	double g = size * (rc->s->kind == CHART_XY ? (ns > 1 ? 0.9 : 0.86) : (ns > 1 ? 0.84 : 0.7));
	double maxbar = rc->s->kind == CHART_HBARS ? 30 : rc->s->kind == CHART_XY ? 40 : 64;
	return g / ns > maxbar ? maxbar * ns : g;
}

/* Bar rectangle in page coordinates for bar i of series si spanning values
 * [v0, v1]; false when it falls outside the plot. */
static bool bar_rect(struct rc *rc, size_t si, size_t i, double v0, double v1, double *x, double *y,
                     double *w, double *h)
{
	const struct chart_spec *s = rc->s;
	int slot = rc->slot_of[si];
	size_t ns = rc->nslots ? rc->nslots : 1;
	double a0 = vpos(rc, fmax(fmin(v0, rc->vhi), rc->vlo)),
	       a1 = vpos(rc, fmax(fmin(v1, rc->vhi), rc->vlo));
	double start, size;
	if (s->kind == CHART_XY) {
		double bw = s->bar_width > 0 ? s->bar_width : 1;
		double c = s->series[si].x[i];
		start = xpos(rc, c - bw / 2);
		size = xpos(rc, c + bw / 2) - start;
		if (c < rc->xlo || c > rc->xhi)
			return false;
	} else {
		cat_slot(rc, i, &start, &size);
	}
	double group = group_width(rc, size, ns);
	double bar = group / ns;
	double b0 = start + (size - group) / 2 + slot * bar;
	double inner = ns > 1 ? bar * 0.06 : 0;
	double c0 = snap_edge(rc, b0 + inner), c1 = snap_edge(rc, b0 + bar - inner);
	if (c1 - c0 < 1 / rc->scale)
		c1 = c0 + 1 / rc->scale;
	double e0 = snap_edge(rc, fmin(a0, a1)), e1 = snap_edge(rc, fmax(a0, a1));
	if (s->kind == CHART_HBARS) {
		*x = e0;
		*w = e1 - e0;
		*y = c0;
		*h = c1 - c0;
	} else {
		*x = c0;
		*w = c1 - c0;
		*y = e0;
		*h = e1 - e0;
	}
	return true;
}

/* Position of point i of a line series. */
static bool point_pos(struct rc *rc, const struct chart_series *se, size_t i, double *x, double *y)
{
	double v = sval(se, i);
	if (!usable(rc, v))
		return false;
	double c;
	if (rc->s->kind == CHART_XY) {
		if (!se->x || !isfinite(se->x[i]))
			return false;
		c = xpos(rc, se->x[i]);
	} else if (rc->s->kind == CHART_BARS) {
		if (i >= rc->ncat)
			return false;
		double start, size;
		cat_slot(rc, i, &start, &size);
		c = start + size / 2;
	} else {
		return false; /* lines are not drawn on horizontal bar charts */
	}
	*x = c;
	*y = vpos(rc, fmax(fmin(v, rc->vhi), rc->vlo));
	return true;
}

static void draw_bars(struct rc *rc, bool draw)
{
	const struct chart_spec *s = rc->s;
	double base = rc->vlog ? 0 : s->bar_base;
	acc_reset(rc, base);
	char buf[64];
	for (size_t si = 0; si < s->nseries; si++) {
		const struct chart_series *se = &s->series[si];
		if (!is_bars(se))
			continue;
		int color = se->color == CHART_AUTO ? chart_auto_color(si) : se->color;
		size_t n = se->n;
		if (s->kind != CHART_XY && n > rc->ncat)
			n = rc->ncat;
		for (size_t i = 0; i < n; i++) {
			double v0, v1, x, y, w, h;
			if (!bar_extent(rc, si, i, base, &v0, &v1))
				continue;
			if (!bar_rect(rc, si, i, v0, v1, &x, &y, &w, &h))
				continue;
			if (!draw) {
				occ_mark(rc, x, y, x + w, y + h);
			} else {
				bool hl = se->highlight && se->highlight[i];
				set_rgb(rc, hl ? se->highlight_color : color, 1);
				cairo_rectangle(rc->cr, x, y, w, h);
				cairo_fill(rc->cr);
			}
			if (!s->value_labels)
				continue;
			value_text(rc, sval(se, i), buf, sizeof buf);
			font(rc, FS_SMALL, false);
			double lw = tw(rc, buf), fh = font_h(rc);
			if (s->kind == CHART_HBARS) {
				double tx = x + w + 4, ty = y + h / 2;
				if (!draw)
					occ_mark(rc, tx, ty - fh / 2, tx + lw, ty + fh / 2);
				else {
					set_grey(rc, 0.2);
					text_at(rc, buf, tx, ty, 0, VA_MIDDLE, 0);
				}
			} else if (w >= lw * 0.9 || rc->nslots <= 1) {
				double tx = x + w / 2, ty = y - 2;
				if (!draw)
					occ_mark(rc, tx - lw / 2, ty - fh, tx + lw / 2, ty);
				else {
					set_grey(rc, 0.2);
					text_at(rc, buf, tx, ty, 0.5, VA_BOTTOM, 0);
				}
			}
		}
	}
}

static void draw_lines(struct rc *rc, bool draw)
{
	const struct chart_spec *s = rc->s;
	cairo_t *cr = rc->cr;
	for (size_t si = 0; si < s->nseries; si++) {
		const struct chart_series *se = &s->series[si];
		if (is_bars(se))
			continue;
		int color = se->color == CHART_AUTO ? chart_auto_color(si) : se->color;
		bool line = se->kind == CHART_SERIES_LINE || se->kind == CHART_SERIES_LINE_POINTS;
		bool pts = se->kind == CHART_SERIES_POINTS || se->kind == CHART_SERIES_LINE_POINTS;
		if (line) {
			bool pen = false;
			double lx = 0, ly = 0;
			if (draw) {
				set_rgb(rc, color, 1);
				cairo_set_line_width(cr, 1.8);
				cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
				if (se->dashed) {
					double dash[] = { 5, 3 };
					cairo_set_dash(cr, dash, 2, 0);
				}
			}
			for (size_t i = 0; i < se->n; i++) {
				double x, y;
				if (!point_pos(rc, se, i, &x, &y)) {
					pen = false;
					continue;
				}
				if (draw) {
					if (pen)
						cairo_line_to(cr, x, y);
					else
						cairo_move_to(cr, x, y);
				} else if (pen) {
					occ_segment(rc, lx, ly, x, y, 2);
				}
				pen = true;
				lx = x;
				ly = y;
			}
			if (draw) {
				cairo_stroke(cr);
				cairo_set_dash(cr, NULL, 0, 0);
			}
		}
		if (pts)
			for (size_t i = 0; i < se->n; i++) {
				double x, y;
				if (!point_pos(rc, se, i, &x, &y))
					continue;
				if (!draw) {
					occ_mark(rc, x - 4, y - 4, x + 4, y + 4);
					continue;
				}
				cairo_arc(cr, x, y, 2.8, 0, 2 * M_PI);
				cairo_set_source_rgb(cr, 1, 1, 1);
				cairo_set_line_width(cr, 1.2);
				cairo_stroke_preserve(cr);
				set_rgb(rc, color, 1);
				cairo_fill(cr);
			}
	}
}

static void draw_bands(struct rc *rc)
{
	const struct chart_spec *s = rc->s;
	for (size_t i = 0; i < s->nbands; i++) {
		const struct chart_band *b = &s->bands[i];
		if (!usable(rc, b->lo) || !usable(rc, b->hi))
			continue;
		double a = vpos(rc, fmax(fmin(b->lo, rc->vhi), rc->vlo)),
		       c = vpos(rc, fmax(fmin(b->hi, rc->vhi), rc->vlo));
		set_rgb(rc, b->color, 0.22);
		if (s->kind == CHART_HBARS)
			cairo_rectangle(rc->cr, fmin(a, c), rc->py, fabs(c - a), rc->ph);
		else
			cairo_rectangle(rc->cr, rc->px, fmin(a, c), rc->pw, fabs(c - a));
		cairo_fill(rc->cr);
	}
}

/* Rules, and their labels; with draw false only marks where they go. */
static void draw_rules(struct rc *rc, bool draw)
{
	const struct chart_spec *s = rc->s;
	cairo_t *cr = rc->cr;
	font(rc, FS_SMALL, false);
	double fh = font_h(rc);
	for (size_t i = 0; i < s->nrules; i++) {
		const struct chart_rule *r = &s->rules[i];
		double x0, y0, x1, y1;
		if (r->vertical) {
			if (s->kind != CHART_XY || r->at < rc->xlo || r->at > rc->xhi)
				continue;
			x0 = x1 = snap(rc, xpos(rc, r->at), 1.2);
			y0 = rc->py;
			y1 = rc->py + rc->ph;
		} else {
			if (!usable(rc, r->at) || r->at < rc->vlo || r->at > rc->vhi)
				continue;
			double p = snap(rc, vpos(rc, r->at), 1.2);
			if (s->kind == CHART_HBARS) {
				x0 = x1 = p;
				y0 = rc->py;
				y1 = rc->py + rc->ph;
			} else {
				y0 = y1 = p;
				x0 = rc->px;
				x1 = rc->px + rc->pw;
			}
		}
		char label[LINE_BYTES] = "";
		double lw = 0;
		if (r->label)
			lw = cr_ellipsize(cr, r->label, rc->pw * 0.45, label, sizeof label);
		double tx, ty, ha;
		if (x0 == x1) { /* vertical: label at the top, on the side with room */
			ha = x0 + 4 + lw <= rc->px + rc->pw ? 0 : 1;
			tx = ha == 0 ? x0 + 4 : x0 - 4;
			ty = rc->py + 3;
		} else {
			ha = 1;
			tx = rc->px + rc->pw - 4;
			ty = y0 - 3 - fh;
		}
		double bx = tx - ha * lw - 2, by = ty - 1, bw = lw + 4, bh = fh + 2;
		if (!draw) {
			occ_segment(rc, x0, y0, x1, y1, 1.5);
			if (label[0])
				occ_mark(rc, bx, by, bx + bw, by + bh);
			continue;
		}
		set_rgb(rc, r->color, 1);
		cairo_set_line_width(cr, 1.2);
		if (r->dashed) {
			double dash[] = { 5, 3 };
			cairo_set_dash(cr, dash, 2, 0);
		}
		cairo_move_to(cr, x0, y0);
		cairo_line_to(cr, x1, y1);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
		if (label[0]) {
			cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
			cairo_rectangle(cr, bx, by, bw, bh);
			cairo_fill(cr);
			set_rgb(rc, r->color == CHART_YELLOW ? CHART_BLACK : r->color, 1);
			text_at(rc, label, tx, ty, ha, VA_TOP, 0);
		}
	}
}

/* ------------------------------------------------------------------ axes */

static void draw_axes(struct rc *rc)
{
	const struct chart_spec *s = rc->s;
	cairo_t *cr = rc->cr;
	char buf[64];
	bool horiz = s->kind == CHART_HBARS;
	const struct chart_axis *va = horiz ? &s->x : &s->y;
	double bottom = snap(rc, rc->py + rc->ph, 1), left = snap(rc, rc->px, 1);

	/* value ticks and labels */
	for (size_t i = 0; i < rc->vt.n; i++) {
		double v = rc->vt.v[i];
		double span = fabs(rc->vhi - rc->vlo);
		if (v < rc->vlo - 1e-9 * span || v > rc->vhi + 1e-9 * span)
			continue;
		double p = snap(rc, vpos(rc, v), 1);
		chart_format_tick(v, &rc->vt, va->fmt, buf, sizeof buf);
		set_grey(rc, 0.25);
		cairo_set_line_width(cr, 1);
		if (horiz) {
			cairo_move_to(cr, p, bottom);
			cairo_line_to(cr, p, bottom + TICK_LEN);
			cairo_stroke(cr);
			text_at(rc, buf, p, bottom + TICK_LEN + GAP / 2, 0.5, VA_TOP, 0);
		} else {
			cairo_move_to(cr, left - TICK_LEN, p);
			cairo_line_to(cr, left, p);
			cairo_stroke(cr);
			text_at(rc, buf, left - TICK_LEN - GAP, p, 1, VA_MIDDLE, 0);
		}
	}
	/* x ticks of XY charts */
	if (s->kind == CHART_XY)
		for (size_t i = 0; i < rc->xt.n; i++) {
			double v = rc->xt.v[i];
			double span = rc->xhi - rc->xlo;
			if (v < rc->xlo - 1e-9 * span || v > rc->xhi + 1e-9 * span)
				continue;
			double p = snap(rc, xpos(rc, v), 1);
			chart_format_tick(v, &rc->xt, s->x.fmt, buf, sizeof buf);
			set_grey(rc, 0.25);
			cairo_move_to(cr, p, bottom);
			cairo_line_to(cr, p, bottom + TICK_LEN);
			cairo_stroke(cr);
			text_at(rc, buf, p, bottom + TICK_LEN + GAP / 2, 0.5, VA_TOP, 0);
		}
	/* category labels */
	if (s->kind != CHART_XY) {
		font(rc, rc->cat_font, false);
		double fh = font_h(rc);
		set_grey(rc, 0.15);
		for (size_t i = 0; i < rc->ncat; i += (size_t)rc->every) {
			double start, size;
			cat_slot(rc, i, &start, &size);
			double c = start + size / 2;
			if (horiz) {
				text_at(rc, rc->cat[i], left - TICK_LEN - GAP, c, 1, VA_MIDDLE, 0);
				continue;
			}
			double y = bottom + TICK_LEN + GAP / 2;
			if (rc->stack_labels) {
				font(rc, FS_SMALL, false);
				double sfh = font_h(rc);
				size_t ns = rc->nslots;
				double group = group_width(rc, size, ns), bar = group / ns;
				set_grey(rc, 0.35);
				for (size_t k = 0; k < ns && k < s->nstack_labels; k++) {
					char sl[LINE_BYTES];
					cr_ellipsize(cr, s->stack_labels[k] ? s->stack_labels[k] : "",
					             bar + 2, sl, sizeof sl);
					text_at(rc, sl, start + (size - group) / 2 + (k + 0.5) * bar, y, 0.5,
					        VA_TOP, 0);
				}
				y += sfh + 2;
				font(rc, rc->cat_font, false);
				set_grey(rc, 0.15);
			}
			if (rc->rot == 0)
				text_at(rc, rc->cat[i], c, y, 0.5, VA_TOP, 0);
			else
				text_at(rc, rc->cat[i], c + fh * 0.35, y + fh * 0.1, 1, VA_TOP, -45);
		}
	}
	/* axis lines */
	set_grey(rc, 0.2);
	cairo_set_line_width(cr, 1);
	cairo_move_to(cr, left, rc->py);
	cairo_line_to(cr, left, bottom);
	cairo_line_to(cr, rc->px + rc->pw, bottom);
	cairo_stroke(cr);

	/* axis titles */
	font(rc, FS_AXIS, false);
	set_grey(rc, 0.1);
	if (s->x.title && *s->x.title) {
		char t[LINE_BYTES];
		cr_ellipsize(cr, s->x.title, rc->W - 2 * PAD, t, sizeof t);
		text_at(rc, t, rc->px + rc->pw / 2, rc->H - PAD, 0.5, VA_BOTTOM, 0);
	}
	if (s->y.title && *s->y.title) {
		/* along the plot's height: a smaller font before an ellipsis */
		char t[LINE_BYTES];
		double fs = FS_AXIS;
		while (fs > 9 && tw(rc, s->y.title) > rc->ph)
			font(rc, fs -= 0.5, false);
		cr_ellipsize(cr, s->y.title, rc->ph, t, sizeof t);
		text_at(rc, t, PAD, rc->py + rc->ph / 2, 0.5, VA_TOP, -90);
	}
}

static void draw_grid(struct rc *rc)
{
	cairo_t *cr = rc->cr;
	bool horiz = rc->s->kind == CHART_HBARS;
	cairo_set_line_width(cr, 1);
	set_grey(rc, 0.9);
	for (size_t i = 0; i < rc->vt.n; i++) {
		double v = rc->vt.v[i];
		if (v <= rc->vlo || v > rc->vhi)
			continue;
		double p = snap(rc, vpos(rc, v), 1);
		if (horiz) {
			cairo_move_to(cr, p, rc->py);
			cairo_line_to(cr, p, rc->py + rc->ph);
		} else {
			cairo_move_to(cr, rc->px, p);
			cairo_line_to(cr, rc->px + rc->pw, p);
		}
	}
	cairo_stroke(cr);
}

static void draw_titles(struct rc *rc)
{
	double y = PAD;
	font(rc, FS_TITLE, true);
	set_grey(rc, 0.05);
	for (size_t i = 0; i < rc->title.n; i++) {
		text_at(rc, rc->title.s[i], PAD, y, 0, VA_TOP, 0);
		y += font_h(rc) + 2;
	}
	font(rc, FS_SUB, false);
	set_grey(rc, 0.3);
	for (size_t i = 0; i < rc->sub.n; i++) {
		text_at(rc, rc->sub.s[i], PAD, y, 0, VA_TOP, 0);
		y += FS_SUB * 1.35;
	}
}

/* ---------------------------------------------------------- legend place */

static void place_legend(struct rc *rc)
{
	if (rc->nle == 0)
		return;
	double m = 6;
	double cand[4][2] = {
		{ rc->px + rc->pw - m - rc->lw, rc->py + m },                   /* top right */
		{ rc->px + m, rc->py + m },                                     /* top left */
		{ rc->px + rc->pw - m - rc->lw, rc->py + rc->ph - m - rc->lh }, /* bottom right */
		{ rc->px + m, rc->py + rc->ph - m - rc->lh },                   /* bottom left */
	};
	if (rc->lw + 2 * m <= rc->pw && rc->lh + 2 * m <= rc->ph)
		for (int i = 0; i < 4; i++) {
			double x = cand[i][0], y = cand[i][1];
			if (occ_count(rc, x - 3, y - 3, x + rc->lw + 3, y + rc->lh + 3) == 0) {
				rc->lx = x;
				rc->ly = y;
				return;
			}
		}
	rc->legend_out = true;
}

/* ------------------------------------------------------------- no data */

static void draw_no_data(struct rc *rc, struct chart_layout *lay)
{
	layout_titles(rc);
	draw_titles(rc);
	rc->px = PAD + 6;
	rc->py = rc->head_h;
	rc->pw = rc->W - 2 * rc->px;
	rc->ph = rc->H - rc->py - PAD - 6;
	cairo_t *cr = rc->cr;
	set_grey(rc, 0.75);
	cairo_set_line_width(cr, 1);
	cairo_rectangle(cr, snap(rc, rc->px, 1), snap(rc, rc->py, 1), snap_edge(rc, rc->pw),
	                snap_edge(rc, rc->ph));
	cairo_stroke(cr);
	font(rc, 20, true);
	set_grey(rc, 0.45);
	double cy = rc->py + rc->ph / 2;
	text_at(rc, "No data", rc->px + rc->pw / 2, cy - 4, 0.5, VA_BOTTOM, 0);
	font(rc, FS_AXIS, false);
	struct lines l;
	wrap(rc, rc->s->no_data ? rc->s->no_data : "nothing to plot", rc->pw - 20, &l);
	for (size_t i = 0; i < l.n; i++)
		text_at(rc, l.s[i], rc->px + rc->pw / 2, cy + 4 + i * FS_AXIS * 1.35, 0.5, VA_TOP, 0);
	lay->no_data = true;
}

/* --------------------------------------------------------------- render */

static cairo_status_t write_fp(void *closure, const unsigned char *data, unsigned int length)
{
	FILE *fp = closure;
	return fwrite(data, 1, length, fp) == length ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static int draw_chart(struct rc *rc, struct chart_layout *lay, char *err, size_t errlen)
{
	const struct chart_spec *s = rc->s;
	rc->ncat = s->kind == CHART_XY ? 0 : s->ncategories;
	rc->vlog = (s->kind == CHART_HBARS ? s->x.log : s->y.log);
	if (prepare_slots(rc) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (rc->ncat) {
		rc->cat = calloc(rc->ncat, sizeof *rc->cat);
		if (!rc->cat) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	if (!data_ranges(rc)) {
		draw_no_data(rc, lay);
		return 0;
	}
	layout_titles(rc);
	if (build_legend(rc) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int lrc;
	while ((lrc = layout(rc, 0)) != 0 && drop_subtitle_line(rc))
		;
	if (lrc != 0) {
		snprintf(err, errlen, "chart '%s' does not fit in %.0fx%.0f logical pixels: make it larger",
		         s->title ? s->title : "", rc->W, rc->H);
		return -1;
	}
	draw_bars(rc, false);
	draw_lines(rc, false);
	draw_rules(rc, false);
	place_legend(rc);
	if (rc->legend_out) {
		double h = legend_rows_height(rc);
		rc->ly = rc->head_h - 4;
		while ((lrc = layout(rc, h)) != 0 && drop_subtitle_line(rc))
			rc->ly = rc->head_h - 4;
		if (lrc == 0) {
			rc->lx = PAD;
			rc->lw = rc->W - 2 * PAD;
			rc->lh = h;
		} else { /* no room above: a column at the right of the plot */
			rc->legend_right = true;
			rc->right_extra = rc->lw + 6;
			lrc = layout(rc, 0);
			if (lrc != 0 || rc->lh > rc->ph) {
				snprintf(
				    err, errlen,
				    "chart '%s' does not fit in %.0fx%.0f logical pixels: make it larger",
				    s->title ? s->title : "", rc->W, rc->H);
				return -1;
			}
			rc->lx = rc->W - PAD - rc->lw;
			rc->ly = rc->py;
		}
	}
	/* clip data to the plot (bars on a fixed range may exceed it) */
	draw_grid(rc);
	cairo_save(rc->cr);
	cairo_rectangle(rc->cr, rc->px, rc->py - 1, rc->pw + 1, rc->ph + 1);
	cairo_clip(rc->cr);
	draw_bands(rc);
	draw_bars(rc, true);
	draw_lines(rc, true);
	cairo_restore(rc->cr);
	draw_rules(rc, true);
	draw_axes(rc);
	draw_titles(rc);
	draw_legend(rc);
	lay->legend_outside = rc->legend_out;
	if (rc->nle) {
		lay->legend_x = rc->lx;
		lay->legend_y = rc->ly;
		lay->legend_w = rc->lw;
		lay->legend_h = rc->lh;
	}
	lay->rotated_labels = rc->rot;
	lay->label_every = rc->every;
	return 0;
}

int chart_render(const struct chart_spec *spec, const struct chart_output *out, FILE *fp,
                 struct chart_layout *layout_out, char *err, size_t errlen)
{
	if (chart_output_check(out, err, errlen) != 0)
		return -1;
	struct rc rc;
	memset(&rc, 0, sizeof rc);
	rc.s = spec;
	chart_output_logical_size(out, &rc.W, &rc.H);
	rc.image = out->format == CHART_PNG;
	cairo_surface_t *surf;
	if (rc.image) {
		rc.scale = out->dpi / 96.0;
		surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, out->width, out->height);
	} else {
		rc.scale = 0.75; /* points per logical pixel */
		double wpt = rc.W * rc.scale, hpt = rc.H * rc.scale;
		surf = out->format == CHART_SVG ? cairo_svg_surface_create_for_stream(write_fp, fp, wpt, hpt)
		                                : cairo_pdf_surface_create_for_stream(write_fp, fp, wpt, hpt);
		if (out->format == CHART_PDF && cairo_surface_status(surf) == CAIRO_STATUS_SUCCESS) {
			cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, "mpcap");
			if (spec->title)
				cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, spec->title);
		}
	}
	if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "cannot create the %s surface: %s", chart_format_ext(out->format),
		         cairo_status_to_string(cairo_surface_status(surf)));
		cairo_surface_destroy(surf);
		return -1;
	}
	/* below 480x300 logical pixels the figure is laid out at that size and
	 * zoomed out, text included: a small figure keeps every element */
	double zoom = fmin(1, fmin(rc.W / LAYOUT_MIN_W, rc.H / LAYOUT_MIN_H));
	if (zoom < 1) {
		rc.W /= zoom;
		rc.H /= zoom;
		rc.scale *= zoom;
	}
	rc.cr = cairo_create(surf);
	font_options(rc.cr, rc.image);
	cairo_scale(rc.cr, rc.scale, rc.scale);
	cairo_set_source_rgb(rc.cr, 1, 1, 1);
	cairo_paint(rc.cr);
	struct chart_layout lay;
	memset(&lay, 0, sizeof lay);
	int rcode = draw_chart(&rc, &lay, err, errlen);
	cairo_status_t st = cairo_status(rc.cr);
	cairo_destroy(rc.cr);
	if (rcode == 0 && st != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "drawing failed: %s", cairo_status_to_string(st));
		rcode = -1;
	}
	if (rcode == 0) {
		if (rc.image)
			st = cairo_surface_write_to_png_stream(surf, write_fp, fp);
		else {
			cairo_surface_finish(surf);
			st = cairo_surface_status(surf);
		}
		if (st != CAIRO_STATUS_SUCCESS) {
			snprintf(err, errlen, "writing the %s failed: %s", chart_format_ext(out->format),
			         st == CAIRO_STATUS_WRITE_ERROR ? strerror(errno ? errno : EIO)
			                                        : cairo_status_to_string(st));
			rcode = -1;
		}
	}
	cairo_surface_destroy(surf);
	if (layout_out) {
		double k = rc.scale;
		lay.plot_x = rc.px * k;
		lay.plot_y = rc.py * k;
		lay.plot_w = rc.pw * k;
		lay.plot_h = rc.ph * k;
		lay.legend_x *= k;
		lay.legend_y *= k;
		lay.legend_w *= k;
		lay.legend_h *= k;
		*layout_out = lay;
	}
	free(rc.slot_of);
	free(rc.acc_pos);
	free(rc.acc_neg);
	free(rc.cat);
	free(rc.le);
	free(rc.occ);
	return rcode;
}
