/* chart.c — the chart frame and the render entry point (see chart.h): output
 * formats and sizes, the Okabe-Ito palette, the layout of titles and of the
 * plot rectangle, the "No data" chart, and chart_render, which makes the PNG,
 * SVG or PDF surface and draws a chart in order (grid, bands, bars, lines,
 * rules, axes, titles, legend).  All lengths are logical pixels (1/96 inch)
 * until the final scale to the surface. */
#include "plots/chart.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plots/chart_internal.h"

#define LAYOUT_MIN_W 480.0 /* smaller figures are laid out at this size and zoomed out */
#define LAYOUT_MIN_H 300.0

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

/* ---------------------------------------------------------------- layout */

static void layout_titles(struct rc *rc)
{
	text_font(rc, FS_TITLE, true);
	double h = PAD;
	text_wrap(rc, rc->s->title, rc->W - 2 * PAD, &rc->title);
	if (rc->title.n > 2) { /* a third line would eat the plot: shorten the second */
		char rest[LINE_BYTES * 2];
		snprintf(rest, sizeof rest, "%s %s", rc->title.s[1], rc->title.s[2]);
		text_ellipsize(rc->cr, rest, rc->W - 2 * PAD, rc->title.s[1], LINE_BYTES);
		rc->title.n = 2;
	}
	h += rc->title.n * (text_height(rc) + 2);
	text_font(rc, FS_SUB, false);
	text_wrap(rc, rc->s->subtitle, rc->W - 2 * PAD, &rc->sub);
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
		text_font(rc, FS_SUB, false);
		snprintf(tmp, sizeof tmp, "%s" ELLIPSIS, rc->sub.s[rc->sub.n - 1]);
		text_ellipsize(rc->cr, tmp, rc->W - 2 * PAD, rc->sub.s[rc->sub.n - 1], LINE_BYTES);
	}
	return true;
}

/* Lays out the plot rectangle; top_extra is room for a legend above it. */
static int layout(struct rc *rc, double top_extra)
{
	const struct chart_spec *s = rc->s;
	text_font(rc, FS_AXIS, false);
	double axis_fh = text_height(rc);
	text_font(rc, FS_TICK, false);
	double tick_fh = text_height(rc);
	double xtitle_h = s->x.title && *s->x.title ? axis_fh + GAP : 0;
	double ytitle_w = s->y.title && *s->y.title ? axis_fh + GAP : 0;
	double stack_h = 0;
	rc->stack_labels = s->kind == CHART_BARS && s->nstack_labels > 0 && rc->nslots > 1;
	if (rc->stack_labels) {
		text_font(rc, FS_SMALL, false);
		stack_h = text_height(rc) + 2;
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
		double vlab =
		    (s->value_labels && s->kind != CHART_HBARS) || (s->stack_totals && s->kind == CHART_BARS)
		        ? marks_value_label_w(rc)
		        : 0;
		if (axes_value_ticks(rc, s->kind == CHART_HBARS ? rc->pw : rc->ph, vlab) != 0)
			return -1;
		if (s->kind == CHART_XY && axes_x_ticks(rc) != 0)
			return -1;
		axes_layout_categories(rc);
		if (s->kind == CHART_HBARS) {
			text_font(rc, rc->cat_font, false);
			double cw = 0;
			for (size_t i = 0; i < rc->ncat; i++)
				cw = fmax(cw, axes_cat_label_w(rc, i));
			rc->left_w = ytitle_w + cw + TICK_LEN + GAP;
			double last = axes_max_tick_label_w(rc, &rc->vt, s->x.fmt, rc->vlo, rc->vhi);
			rc->right_w = fmax(PAD + 6, last / 2 + PAD);
			if (s->value_labels) /* the values written past the bars' ends */
				rc->right_w = fmax(
				    rc->right_w,
				    marks_value_label_overhang(rc, rc->W - rc->px - rc->right_extra - PAD) +
				        PAD);
			rc->bottom_h = TICK_LEN + GAP + tick_fh + xtitle_h + PAD;
		} else {
			double yw = axes_max_tick_label_w(rc, &rc->vt, s->y.fmt, rc->vlo, rc->vhi);
			rc->left_w = ytitle_w + yw + TICK_LEN + GAP;
			if (s->kind == CHART_XY) {
				double xw = axes_max_tick_label_w(rc, &rc->xt, s->x.fmt, rc->xlo, rc->xhi);
				rc->right_w = fmax(PAD + 6, xw / 2 + PAD);
				rc->bottom_h = TICK_LEN + GAP + tick_fh + xtitle_h + PAD;
			} else {
				rc->bottom_h =
				    TICK_LEN + GAP + stack_h + axes_category_band_h(rc) + xtitle_h + PAD;
				if (rc->rot) { /* the first label leans left past the plot */
					text_font(rc, rc->cat_font, false);
					double lean =
					    text_width(rc, rc->cat[0]) * 0.7071 - rc->pw / rc->ncat / 2;
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
	double vlab =
	    (s->value_labels && s->kind != CHART_HBARS) || (s->stack_totals && s->kind == CHART_BARS)
	        ? marks_value_label_w(rc)
	        : 0;
	if (axes_value_ticks(rc, s->kind == CHART_HBARS ? rc->pw : rc->ph, vlab) != 0)
		return -1;
	if (s->kind == CHART_XY && axes_x_ticks(rc) != 0)
		return -1;
	axes_layout_categories(rc);
	free(rc->occ);
	rc->ocw = (int)ceil(rc->pw / OCC_CELL) + 1;
	rc->och = (int)ceil(rc->ph / OCC_CELL) + 1;
	rc->occ = calloc((size_t)rc->ocw * (size_t)rc->och, 1);
	return rc->occ ? 0 : -1;
}

static void draw_titles(struct rc *rc)
{
	double y = PAD;
	text_font(rc, FS_TITLE, true);
	set_grey(rc, 0.05);
	for (size_t i = 0; i < rc->title.n; i++) {
		text_at(rc, rc->title.s[i], PAD, y, 0, VA_TOP, 0);
		y += text_height(rc) + 2;
	}
	text_font(rc, FS_SUB, false);
	set_grey(rc, 0.3);
	for (size_t i = 0; i < rc->sub.n; i++) {
		text_at(rc, rc->sub.s[i], PAD, y, 0, VA_TOP, 0);
		y += FS_SUB * 1.35;
	}
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
	text_font(rc, 20, true);
	set_grey(rc, 0.45);
	double cy = rc->py + rc->ph / 2;
	text_at(rc, "No data", rc->px + rc->pw / 2, cy - 4, 0.5, VA_BOTTOM, 0);
	text_font(rc, FS_AXIS, false);
	struct lines l;
	text_wrap(rc, rc->s->no_data ? rc->s->no_data : "nothing to plot", rc->pw - 20, &l);
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
	if (marks_prepare(rc) != 0) {
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
	if (!marks_ranges(rc)) {
		draw_no_data(rc, lay);
		return 0;
	}
	layout_titles(rc);
	if (legend_build(rc) != 0) {
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
	marks_draw_bars(rc, false);
	marks_draw_lines(rc, false);
	marks_draw_rules(rc, false);
	legend_place(rc);
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
	axes_draw_grid(rc);
	cairo_save(rc->cr);
	/* horizontal bars' value labels stand in the right margin */
	cairo_rectangle(rc->cr, rc->px, rc->py - 1,
	                s->kind == CHART_HBARS && s->value_labels ? rc->W - rc->px : rc->pw + 1, rc->ph + 1);
	cairo_clip(rc->cr);
	marks_draw_bands(rc);
	marks_draw_bars(rc, true);
	marks_draw_lines(rc, true);
	cairo_restore(rc->cr);
	marks_draw_rules(rc, true);
	axes_draw(rc);
	draw_titles(rc);
	legend_draw(rc);
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
	struct chart_spec bare;
	if (out->no_title) {
		bare = *spec;
		bare.title = bare.subtitle = NULL;
		spec = &bare;
	}
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
	text_font_options(rc.cr, rc.image);
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
