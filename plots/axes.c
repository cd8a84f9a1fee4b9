/* axes.c — the chart's axes: 1-2-5 and log ticks, number and tick label
 * formats (thousands separators, percent, decades), scales from value to
 * pixel, category labels (ellipsized, rotated, thinned), axis lines, titles
 * and the grid. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plots/chart.h"
#include "plots/chart_internal.h"

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

/* Decimals that write every multiple of step exactly (2.5 needs one more than 2 or 5). */
static int decimals_for(double step)
{
	if (!(step > 0) || !isfinite(step))
		return 0;
	for (int d = 0; d < 12; d++) {
		double k = step * pow(10, d);
		if (fabs(k - round(k)) < 1e-6 * fmax(1, k))
			return d;
	}
	return 12;
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

/* The axis ends at the first nice tick at or above the data: of the steps
 * 1, 2, 2.5 and 5 times a power of ten that give at most target + 1
 * intervals, the one whose ticks span the least; on a tie the interval
 * count nearest target, then 1-2-5 before 2.5.  121 with target 9 gives 0..125 by
 * 25, not 0..150 by 50. */
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
	static const double mant[] = { 1, 2, 2.5, 5 };
	int maxint = target + 1 < CHART_MAX_TICKS - 2 ? target + 1 : CHART_MAX_TICKS - 2;
	double best = 0, best_span = INFINITY;
	int best_miss = 0;
	bool best_quarter = false;
	int e0 = (int)floor(log10((hi - lo) / maxint)) - 1;
	for (int e = e0; e <= e0 + 3; e++)
		for (size_t m = 0; m < sizeof mant / sizeof mant[0]; m++) {
			double step = mant[m] * pow(10, e);
			if (integer && step < 1 - 1e-9)
				continue;
			if (integer && fabs(step - round(step)) > 1e-9)
				continue; /* 2.5 on a count axis */
			double a = floor(lo / step + 1e-9), b = ceil(hi / step - 1e-9);
			int nint = (int)(b - a);
			if (nint < 1 || nint > maxint)
				continue;
			double span = (b - a) * step;
			bool quarter = m == 2;
			int miss = abs(nint - target);
			bool better = span < best_span * (1 - 1e-9) ||
			              (span <= best_span * (1 + 1e-9) &&
			               (miss < best_miss || (miss == best_miss && best_quarter > quarter)));
			if (better) {
				best = step;
				best_span = span;
				best_miss = miss;
				best_quarter = quarter;
			}
		}
	if (!(best > 0)) { /* fall back to the 1-2-5 step above the even split */
		best = chart_nice_step((hi - lo) / target);
		if (integer && best < 1)
			best = 1;
		while ((hi - lo) / best + 2 > CHART_MAX_TICKS)
			best = chart_nice_step(best * 1.5);
	}
	return chart_step_ticks(lo, hi, best, out);
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

/* Value-axis ticks for an axis of len logical pixels; extra_frac of the axis
 * is reserved at the top end (value labels). */
int axes_value_ticks(struct rc *rc, double len, double extra_px)
{
	const struct chart_spec *s = rc->s;
	const struct chart_axis *va = s->kind == CHART_HBARS ? &s->x : &s->y;
	double lo = rc->vmin, hi = rc->vmax;
	bool horiz = s->kind == CHART_HBARS;
	/* at most about one tick per 50 pixels across, 26 up (labels stay apart) */
	int target = (int)(len / (horiz ? 50 : 26));
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
	/* no headroom: the axis ends at the first nice tick at or above the data
	 * (chart_nice_ticks); value labels of vertical bars get extra_px above */
	double base = fmin(lo, 0);
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

int axes_x_ticks(struct rc *rc)
{
	const struct chart_axis *xa = &rc->s->x;
	int target = (int)(rc->pw / 70);
	target = target < 2 ? 2 : target > 12 ? 12 : target;
	int rcode = 0;
	if (xa->nticks > 0) { /* the figure's own ticks */
		memset(&rc->xt, 0, sizeof rc->xt);
		for (size_t i = 0; i < xa->nticks && i < CHART_MAX_TICKS; i++)
			rc->xt.v[rc->xt.n++] = xa->ticks[i];
		rc->xt.lo = rc->xt.v[0];
		rc->xt.hi = rc->xt.v[rc->xt.n - 1];
		rc->xt.step = xa->step > 0 ? xa->step : 1;
		rc->xt.decimals = decimals_for(rc->xt.step);
	} else if (xa->step > 0)
		rcode = chart_step_ticks(rc->xmin, rc->xmax, xa->step, &rc->xt);
	else
		rcode = chart_nice_ticks(rc->xmin, rc->xmax, target, xa->fmt == CHART_NUM_INT, &rc->xt);
	if (rcode != 0)
		return -1;
	rc->xlo = xa->fix_min ? xa->min : rc->xt.lo;
	rc->xhi = xa->fix_max ? xa->max : rc->xt.hi;
	if (rc->xhi <= rc->xlo)
		rc->xhi = rc->xlo + 1;
	return 0;
}

/* value -> pixel along the value axis */
double axes_vpos(const struct rc *rc, double v)
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

double axes_xpos(const struct rc *rc, double x)
{
	return rc->px + (x - rc->xlo) / (rc->xhi - rc->xlo) * rc->pw;
}

/* Category slot: start and size along the category axis. */
void axes_cat_slot(const struct rc *rc, size_t i, double *start, double *size)
{
	if (rc->s->kind == CHART_HBARS) {
		*size = rc->ph / rc->ncat;
		*start = rc->py + i * *size;
	} else {
		*size = rc->pw / rc->ncat;
		*start = rc->px + i * *size;
	}
}

/* A horizontal bar's label wrapped at spaces onto the lines greedy wrapping
 * needs at width maxw, balanced (the narrowest width giving as many lines),
 * '\n' between them.  maxw is at least the widest word: nothing is cut.
 * Returns the number of lines. */
static int wrap_label(struct rc *rc, const char *s, double maxw, char *out, size_t n)
{
	struct lines l;
	text_wrap(rc, s, maxw, &l);
	if (l.n <= 1) {
		snprintf(out, n, "%s", s);
		return 1;
	}
	size_t want = l.n;
	double lo = 0, hi = maxw;
	for (int it = 0; it < 14; it++) { /* narrowest width that keeps want lines */
		double mid = (lo + hi) / 2;
		text_wrap(rc, s, mid, &l);
		bool cut = false;
		for (size_t i = 0; i < l.n; i++)
			cut = cut || strstr(l.s[i], ELLIPSIS);
		if (l.n <= want && !cut)
			hi = mid;
		else
			lo = mid;
	}
	text_wrap(rc, s, hi, &l);
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < l.n && o < n; i++)
		o += (size_t)snprintf(out + o, n - o, "%s%s", i ? "\n" : "", l.s[i]);
	return (int)l.n;
}

/* Lines of a label ('\n'-separated). */
static int label_lines(const char *s)
{
	int k = 1;
	for (; *s; s++)
		k += *s == '\n';
	return k;
}

/* Widest word of s in the current font. */
static double widest_word(struct rc *rc, const char *s)
{
	double w = 0;
	char word[LINE_BYTES];
	while (*s) {
		size_t k = strcspn(s, " \n");
		if (k > 0) {
			snprintf(word, sizeof word, "%.*s", (int)(k < sizeof word ? k : sizeof word - 1), s);
			w = fmax(w, text_width(rc, word));
		}
		s += k;
		s += *s != '\0';
	}
	return w;
}

/* Line k of label s into buf. */
static void label_line(const char *s, int k, char *buf, size_t n)
{
	for (; k > 0 && s; k--) {
		s = strchr(s, '\n');
		s = s ? s + 1 : NULL;
	}
	if (!s) {
		buf[0] = '\0';
		return;
	}
	snprintf(buf, n, "%.*s", (int)strcspn(s, "\n"), s);
}

/* Widest line of category label i. */
double axes_cat_label_w(struct rc *rc, size_t i)
{
	double w = 0;
	char a[LINE_BYTES];
	for (int k = 0, n = label_lines(rc->cat[i]); k < n; k++) {
		label_line(rc->cat[i], k, a, sizeof a);
		w = fmax(w, text_width(rc, a));
	}
	return w;
}

/* Horizontal bars: names are never cut.  The label column starts at about a
 * third of the width (wider for the longest word); long names wrap onto as
 * many lines as they need; the font shrinks (not below 7 pt) and then the
 * column widens (up to half the width) until the lines fit the bars' slots. */
static void layout_hbar_labels(struct rc *rc)
{
	const struct chart_spec *s = rc->s;
	double slot = rc->ph / rc->ncat;
	double maxw = rc->W * (rc->W < 500 ? 0.42 : 0.3);
	int lines = 1;
	for (int pass = 0; pass < 40; pass++) {
		text_font(rc, rc->cat_font, false);
		double colw = maxw;
		for (size_t i = 0; i < rc->ncat; i++)
			colw = fmax(colw, widest_word(rc, s->categories[i] ? s->categories[i] : ""));
		lines = 1;
		for (size_t i = 0; i < rc->ncat; i++) {
			int k = wrap_label(rc, s->categories[i] ? s->categories[i] : "", colw, rc->cat[i],
			                   LINE_BYTES);
			lines = k > lines ? k : lines;
		}
		if (lines * text_height(rc) <= slot * 0.95)
			break;
		if (rc->cat_font > FS_SMALL) /* >= 7 pt */
			rc->cat_font -= 0.5;
		else if (maxw < rc->W * 0.5)
			maxw = fmin(rc->W * 0.5, maxw * 1.1);
		else
			break;
	}
	text_font(rc, rc->cat_font, false);
	double fh = lines * text_height(rc);
	rc->every = fh > slot ? (int)ceil(fh / slot) : 1;
}

/* Category labels: ellipsize, then choose rotation and thinning for the slot. */
void axes_layout_categories(struct rc *rc)
{
	const struct chart_spec *s = rc->s;
	rc->cat_font = FS_TICK;
	rc->rot = 0;
	rc->every = 1;
	if (s->kind == CHART_XY)
		return;
	if (s->kind == CHART_HBARS) {
		layout_hbar_labels(rc);
		return;
	}
	text_font(rc, rc->cat_font, false);
	double slot = rc->pw / rc->ncat, maxw = 0;
	for (size_t i = 0; i < rc->ncat; i++)
		maxw = fmax(maxw, text_width(rc, s->categories[i] ? s->categories[i] : ""));
	bool rotate = maxw > slot - 6;
	if (rotate) { /* upright on up to three lines, wrapped at spaces, when every word fits */
		bool fits = true;
		for (size_t i = 0; i < rc->ncat && fits; i++) {
			const char *c = s->categories[i] ? s->categories[i] : "";
			fits = widest_word(rc, c) <= slot - 6 &&
			       wrap_label(rc, c, slot - 6, rc->cat[i], LINE_BYTES) <= 3;
		}
		if (fits)
			return;
	}
	/* upright labels keep their whole text when they fit their slot; rotated
	 * ones are shortened so that they do not eat the plot's height */
	for (size_t i = 0; i < rc->ncat; i++)
		text_ellipsize(rc->cr, s->categories[i] ? s->categories[i] : "",
		               rotate ? fmax(rc->H * 0.28, 60) : slot - 6, rc->cat[i], LINE_BYTES);
	if (rotate) {
		rc->rot = 45;
		double fh = text_height(rc);
		double foot = fh * 1.414 * 1.15; /* horizontal room a 45-degree label needs */
		rc->every = foot > slot ? (int)ceil(foot / slot) : 1;
	}
}

double axes_category_band_h(struct rc *rc)
{
	text_font(rc, rc->cat_font, false);
	double fh = text_height(rc);
	if (rc->rot == 0) {
		int lines = 1;
		for (size_t i = 0; i < rc->ncat; i++)
			lines = label_lines(rc->cat[i]) > lines ? label_lines(rc->cat[i]) : lines;
		return lines * fh;
	}
	double maxw = 0;
	for (size_t i = 0; i < rc->ncat; i += (size_t)rc->every)
		maxw = fmax(maxw, text_width(rc, rc->cat[i]));
	return maxw * 0.7071 + fh * 0.7071;
}

double axes_max_tick_label_w(struct rc *rc, const struct chart_ticks *t, enum chart_number fmt, double lo,
                             double hi)
{
	text_font(rc, FS_TICK, false);
	double w = 0;
	char buf[64];
	for (size_t i = 0; i < t->n; i++) {
		if (t->v[i] < lo - 1e-9 * fabs(hi - lo) || t->v[i] > hi + 1e-9 * fabs(hi - lo))
			continue;
		chart_format_tick(t->v[i], t, fmt, buf, sizeof buf);
		w = fmax(w, text_width(rc, buf));
	}
	return w;
}

/* ------------------------------------------------------------------ axes */

void axes_draw(struct rc *rc)
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
		double p = snap(rc, axes_vpos(rc, v), 1);
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
			double p = snap(rc, axes_xpos(rc, v), 1);
			chart_format_tick(v, &rc->xt, s->x.fmt, buf, sizeof buf);
			set_grey(rc, 0.25);
			cairo_move_to(cr, p, bottom);
			cairo_line_to(cr, p, bottom + TICK_LEN);
			cairo_stroke(cr);
			text_at(rc, buf, p, bottom + TICK_LEN + GAP / 2, 0.5, VA_TOP, 0);
		}
	/* category labels */
	if (s->kind != CHART_XY) {
		text_font(rc, rc->cat_font, false);
		double fh = text_height(rc);
		set_grey(rc, 0.15);
		for (size_t i = 0; i < rc->ncat; i += (size_t)rc->every) {
			double start, size;
			axes_cat_slot(rc, i, &start, &size);
			double c = start + size / 2;
			if (horiz) {
				int nl = label_lines(rc->cat[i]);
				char a[LINE_BYTES];
				for (int k = 0; k < nl; k++) { /* the lines centred on the bar */
					label_line(rc->cat[i], k, a, sizeof a);
					text_at(rc, a, left - TICK_LEN - GAP, c + (k - (nl - 1) / 2.0) * fh,
					        1, VA_MIDDLE, 0);
				}
				continue;
			}
			double y = bottom + TICK_LEN + GAP / 2;
			if (rc->stack_labels) {
				text_font(rc, FS_SMALL, false);
				double sfh = text_height(rc);
				size_t ns = rc->nslots;
				double group = marks_group_width(rc, size, ns), bar = group / ns;
				set_grey(rc, 0.35);
				for (size_t k = 0; k < ns && k < s->nstack_labels; k++) {
					char sl[LINE_BYTES];
					text_ellipsize(cr, s->stack_labels[k] ? s->stack_labels[k] : "",
					               bar + 2, sl, sizeof sl);
					text_at(rc, sl, start + (size - group) / 2 + (k + 0.5) * bar, y, 0.5,
					        VA_TOP, 0);
				}
				y += sfh + 2;
				text_font(rc, rc->cat_font, false);
				set_grey(rc, 0.15);
			}
			if (rc->rot == 0) {
				char a[LINE_BYTES];
				for (int k = 0, nl = label_lines(rc->cat[i]); k < nl; k++) {
					label_line(rc->cat[i], k, a, sizeof a);
					text_at(rc, a, c, y + k * fh, 0.5, VA_TOP, 0);
				}
			} else
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
	text_font(rc, FS_AXIS, false);
	set_grey(rc, 0.1);
	if (s->x.title && *s->x.title) {
		char t[LINE_BYTES];
		text_ellipsize(cr, s->x.title, rc->W - 2 * PAD, t, sizeof t);
		text_at(rc, t, rc->px + rc->pw / 2, rc->H - PAD, 0.5, VA_BOTTOM, 0);
	}
	if (s->y.title && *s->y.title) {
		/* along the plot's height: a smaller font before an ellipsis */
		char t[LINE_BYTES];
		double fs = FS_AXIS;
		while (fs > FS_SMALL && text_width(rc, s->y.title) > rc->ph) /* >= 7 pt */
			text_font(rc, fs -= 0.5, false);
		text_ellipsize(cr, s->y.title, rc->ph, t, sizeof t);
		text_at(rc, t, PAD, rc->py + rc->ph / 2, 0.5, VA_TOP, -90);
	}
}

void axes_draw_grid(struct rc *rc)
{
	cairo_t *cr = rc->cr;
	bool horiz = rc->s->kind == CHART_HBARS;
	cairo_set_line_width(cr, 1);
	set_grey(rc, 0.9);
	for (size_t i = 0; i < rc->vt.n; i++) {
		double v = rc->vt.v[i];
		if (v <= rc->vlo || v > rc->vhi)
			continue;
		double p = snap(rc, axes_vpos(rc, v), 1);
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
