/* legend.c — the chart's legend: one entry per labelled series, highlight
 * and band, drawn as a box in a corner of the plot that no data touches, in
 * rows above the plot when no corner is free, or as a column at its right. */
#include <math.h>
#include <stdlib.h>

#include "plots/chart.h"
#include "plots/chart_internal.h"

/* --------------------------------------------------------------- legend */

int legend_build(struct rc *rc)
{
	const struct chart_spec *s = rc->s;
	if (s->legend == CHART_LEGEND_NONE)
		return 0;
	size_t cap = s->nseries * 2 + s->nbands + 1;
	rc->le = calloc(cap, sizeof *rc->le);
	if (!rc->le)
		return -1;
	text_font(rc, FS_LEGEND, false);
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
			e->w = text_ellipsize(rc->cr, se->label, maxw, e->text, sizeof e->text);
		}
		bool hl = false;
		for (size_t k = 0; se->highlight && k < se->n; k++)
			hl = hl || se->highlight[k];
		if (hl && se->highlight_label && *se->highlight_label) {
			struct lentry *e = &rc->le[rc->nle++];
			e->kind = LK_RECT;
			e->color = se->highlight_color;
			e->w = text_ellipsize(rc->cr, se->highlight_label, maxw, e->text, sizeof e->text);
		}
	}
	for (size_t i = 0; i < s->nbands; i++)
		if (s->bands[i].label && *s->bands[i].label) {
			struct lentry *e = &rc->le[rc->nle++];
			e->kind = LK_BAND;
			e->color = s->bands[i].color;
			e->w = text_ellipsize(rc->cr, s->bands[i].label, maxw, e->text, sizeof e->text);
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

/* The legend above the plot: one row at natural widths when it fits, else a
 * grid of equal columns with the rows balanced (4 entries as 2 x 2, never 3
 * and a lone one), so entries stay together.  *cols 0: the single row. */
static size_t legend_grid(struct rc *rc, size_t *cols, double *cw)
{
	double avail = rc->W - 2 * PAD, total = 0, wmax = 0;
	for (size_t i = 0; i < rc->nle; i++) {
		total += SWATCH_W + 6 + rc->le[i].w + 16;
		wmax = fmax(wmax, rc->le[i].w);
	}
	*cw = SWATCH_W + 6 + wmax + 16;
	if (total <= avail) {
		*cols = 0;
		return 1;
	}
	size_t c = (size_t)(avail / *cw);
	if (c < 1)
		c = 1;
	size_t rows = (rc->nle + c - 1) / c;
	*cols = (rc->nle + rows - 1) / rows;
	return rows;
}

/* Height of the legend laid out in rows above the plot. */
double legend_rows_height(struct rc *rc)
{
	size_t cols;
	double cw;
	return (double)legend_grid(rc, &cols, &cw) * rc->lrow_h + 12;
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

void legend_draw(struct rc *rc)
{
	if (rc->nle == 0)
		return;
	cairo_t *cr = rc->cr;
	text_font(rc, FS_LEGEND, false);
	if (rc->legend_out && !rc->legend_right) {
		size_t cols;
		double cw, x = 0, y = rc->ly + rc->lrow_h / 2 + 2;
		legend_grid(rc, &cols, &cw);
		for (size_t i = 0; i < rc->nle; i++) {
			if (cols && i > 0 && i % cols == 0) {
				x = 0;
				y += rc->lrow_h;
			}
			draw_swatch(rc, &rc->le[i], PAD + x, y);
			set_grey(rc, 0.15);
			text_at(rc, rc->le[i].text, PAD + x + SWATCH_W + 6, y, 0, VA_MIDDLE, 0);
			x += cols ? cw : SWATCH_W + 6 + rc->le[i].w + 16;
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

/* ---------------------------------------------------------- legend place */

void legend_place(struct rc *rc)
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
			if (marks_occupied(rc, x - 3, y - 3, x + rc->lw + 3, y + rc->lh + 3) == 0) {
				rc->lx = x;
				rc->ly = y;
				return;
			}
		}
	rc->legend_out = true;
}
