/* marks.c — what the data draws on a chart: stacked and grouped bars with
 * their value labels, lines and points, bands and rules with their labels;
 * the data ranges they span, and the occupancy grid (which cells of the plot
 * they touch) that the legend uses to find a free corner. */
#include <math.h>
#include <stdlib.h>

#include "plots/chart.h"
#include "plots/chart_internal.h"

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

size_t marks_occupied(const struct rc *rc, double x0, double y0, double x1, double y1)
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
int marks_prepare(struct rc *rc)
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
bool marks_ranges(struct rc *rc)
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

double marks_value_label_w(struct rc *rc)
{
	const struct chart_spec *s = rc->s;
	text_font(rc, FS_SMALL, false);
	if (s->kind != CHART_HBARS)
		return text_height(rc) + 4;
	double w = 0;
	char buf[64];
	for (size_t si = 0; si < s->nseries; si++)
		for (size_t i = 0; i < s->series[si].n; i++) {
			double v = sval(&s->series[si], i);
			if (!isfinite(v))
				continue;
			value_text(rc, v, buf, sizeof buf);
			w = fmax(w, text_width(rc, buf));
		}
	return w + 6;
}

/* Horizontal bars: the right margin the value labels need past the plot when
 * the plot and that margin share avail pixels (each label ends at most there). */
double marks_value_label_overhang(struct rc *rc, double avail)
{
	const struct chart_spec *s = rc->s;
	double need = 0, span = rc->vhi - rc->vlo;
	if (s->kind != CHART_HBARS || !(span > 0))
		return 0;
	text_font(rc, FS_SMALL, false);
	char buf[64];
	for (size_t si = 0; si < s->nseries; si++)
		for (size_t i = 0; i < s->series[si].n; i++) {
			double v = sval(&s->series[si], i);
			if (!isfinite(v))
				continue;
			double f = (fmax(fmin(v, rc->vhi), rc->vlo) - rc->vlo) / span;
			value_text(rc, v, buf, sizeof buf);
			double lw = text_width(rc, buf) + 4;
			/* label end = f * (avail - R) + lw <= avail */
			double r = f > 0 ? avail - (avail - lw) / f : lw - avail;
			need = fmax(need, r);
		}
	return need;
}

/* Width of a group of ns bars in a slot of size pixels: bars stay slim when
 * there are few categories. */
double marks_group_width(const struct rc *rc, double size, size_t ns)
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
	double a0 = axes_vpos(rc, fmax(fmin(v0, rc->vhi), rc->vlo)),
	       a1 = axes_vpos(rc, fmax(fmin(v1, rc->vhi), rc->vlo));
	double start, size;
	if (s->kind == CHART_XY) {
		double bw = s->bar_width > 0 ? s->bar_width : 1;
		double c = s->series[si].x[i];
		start = axes_xpos(rc, c - bw / 2);
		size = axes_xpos(rc, c + bw / 2) - start;
		if (c < rc->xlo || c > rc->xhi)
			return false;
	} else {
		axes_cat_slot(rc, i, &start, &size);
	}
	double group = marks_group_width(rc, size, ns);
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
		c = axes_xpos(rc, se->x[i]);
	} else if (rc->s->kind == CHART_BARS) {
		if (i >= rc->ncat)
			return false;
		double start, size;
		axes_cat_slot(rc, i, &start, &size);
		c = start + size / 2;
	} else {
		return false; /* lines are not drawn on horizontal bar charts */
	}
	*x = c;
	*y = axes_vpos(rc, fmax(fmin(v, rc->vhi), rc->vlo));
	return true;
}

/* A stacked segment's count inside it, centred, when it fits: white on dark
 * fills, near-black on light ones (relative luminance). */
static void segment_label(struct rc *rc, int fill, double v, bool count, double x, double y, double w,
                          double h)
{
	if (!(v > 0))
		return;
	char buf[64];
	if (count)
		chart_format_number(v, 0, buf, sizeof buf);
	else
		value_text(rc, v, buf, sizeof buf);
	text_font(rc, FS_SMALL, false);
	double lw = text_width(rc, buf), fh = text_height(rc);
	if (lw + 4 > w || fh + 2 > h)
		return;
	double c[3];
	chart_color_rgb(fill, c);
	double lum = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
	if (lum < 0.45)
		cairo_set_source_rgb(rc->cr, 1, 1, 1);
	else
		set_grey(rc, 0.1);
	text_at(rc, buf, x + w / 2, y + h / 2, 0.5, VA_MIDDLE, 0);
}

static void stack_totals(struct rc *rc, bool draw, double base);

void marks_draw_bars(struct rc *rc, bool draw)
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
				int fill = hl ? se->highlight_color : color;
				set_rgb(rc, fill, 1);
				cairo_rectangle(rc->cr, x, y, w, h);
				cairo_fill(rc->cr);
				if (s->segment_labels)
					segment_label(rc, fill,
					              se->segment_values ? se->segment_values[i]
					                                 : sval(se, i),
					              se->segment_values != NULL, x, y, w, h);
			}
			if (!s->value_labels)
				continue;
			value_text(rc, sval(se, i), buf, sizeof buf);
			text_font(rc, FS_SMALL, false);
			double lw = text_width(rc, buf), fh = text_height(rc);
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
	if (s->stack_totals && s->kind == CHART_BARS)
		stack_totals(rc, draw, base);
}

/* Vertical stacked bars: each stack's total above it (after marks_draw_bars,
 * whose accumulators hold the stacks' tops). */
static void stack_totals(struct rc *rc, bool draw, double base)
{
	const struct chart_spec *s = rc->s;
	char buf[64];
	text_font(rc, FS_SMALL, false);
	double fh = text_height(rc);
	for (size_t k = 0; k < rc->nslots; k++) {
		size_t si = 0;
		while (si < s->nseries && rc->slot_of[si] != (int)k)
			si++;
		if (si == s->nseries)
			continue;
		for (size_t i = 0; i < rc->ncat && i < rc->maxn; i++) {
			double top = rc->acc_pos[k * rc->maxn + i];
			if (!(top > base))
				continue;
			double x, y, w, h;
			if (!bar_rect(rc, si, i, base, top, &x, &y, &w, &h))
				continue;
			value_text(rc, top - base, buf, sizeof buf);
			double lw = text_width(rc, buf), tx = x + w / 2, ty = y - 2;
			if (!draw) {
				occ_mark(rc, tx - lw / 2, ty - fh, tx + lw / 2, ty);
				continue;
			}
			set_grey(rc, 0.2);
			text_at(rc, buf, tx, ty, 0.5, VA_BOTTOM, 0);
		}
	}
}

void marks_draw_lines(struct rc *rc, bool draw)
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

void marks_draw_bands(struct rc *rc)
{
	const struct chart_spec *s = rc->s;
	for (size_t i = 0; i < s->nbands; i++) {
		const struct chart_band *b = &s->bands[i];
		if (!usable(rc, b->lo) || !usable(rc, b->hi))
			continue;
		double a = axes_vpos(rc, fmax(fmin(b->lo, rc->vhi), rc->vlo)),
		       c = axes_vpos(rc, fmax(fmin(b->hi, rc->vhi), rc->vlo));
		set_rgb(rc, b->color, 0.22);
		if (s->kind == CHART_HBARS)
			cairo_rectangle(rc->cr, fmin(a, c), rc->py, fabs(c - a), rc->ph);
		else
			cairo_rectangle(rc->cr, rc->px, fmin(a, c), rc->pw, fabs(c - a));
		cairo_fill(rc->cr);
	}
}

/* Rules, and their labels; with draw false only marks where they go. */
void marks_draw_rules(struct rc *rc, bool draw)
{
	const struct chart_spec *s = rc->s;
	cairo_t *cr = rc->cr;
	text_font(rc, FS_SMALL, false);
	double fh = text_height(rc);
	for (size_t i = 0; i < s->nrules; i++) {
		const struct chart_rule *r = &s->rules[i];
		double x0, y0, x1, y1;
		if (r->vertical) {
			if (s->kind != CHART_XY || r->at < rc->xlo || r->at > rc->xhi)
				continue;
			x0 = x1 = snap(rc, axes_xpos(rc, r->at), 1.2);
			y0 = rc->py;
			y1 = rc->py + rc->ph;
		} else {
			if (!usable(rc, r->at) || r->at < rc->vlo || r->at > rc->vhi)
				continue;
			double p = snap(rc, axes_vpos(rc, r->at), 1.2);
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
			lw = text_ellipsize(cr, r->label, rc->pw * 0.45, label, sizeof label);
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
