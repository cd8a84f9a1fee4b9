/* text.c — the chart's text: DejaVu Sans with unhinted metrics, widths,
 * shortening with an ellipsis at a UTF-8 character boundary, greedy word
 * wrap, and text drawn at an anchor, rotated or kept inside the canvas. */
#include <cairo.h>
#include <math.h>
#include <string.h>

#include "plots/chart.h"
#include "plots/chart_internal.h"

#define FONT "DejaVu Sans"

/* ------------------------------------------------------------------ text */

static void font_setup(cairo_t *cr, double px, bool bold)
{
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
	                       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, px);
}

void text_font_options(cairo_t *cr, bool image)
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

double text_ellipsize(cairo_t *cr, const char *text, double max_px, char *buf, size_t n)
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
	text_font_options(cr, false);
	return cr;
}

double chart_ellipsize(const char *text, double font_px, bool bold, double max_px, char *buf, size_t n)
{
	cairo_surface_t *s;
	cairo_t *cr = measure_cr(&s);
	font_setup(cr, font_px, bold);
	double w = text_ellipsize(cr, text, max_px, buf, n);
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

/* ------------------------------------------------- text of the chart being drawn */

void text_font(struct rc *rc, double px, bool bold)
{
	font_setup(rc->cr, px, bold);
}

double text_width(struct rc *rc, const char *s)
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

double text_height(struct rc *rc)
{
	double a, d;
	fext(rc, &a, &d);
	return a + d;
}

/* Draws s with the current font: (x, y) is the anchor, ha 0 left .. 1 right,
 * va as named, angle in degrees (counter-clockwise negative as in cairo).
 * Unrotated text is shifted back inside the canvas when it would run off. */
void text_at(struct rc *rc, const char *s, double x, double y, double ha, enum valign va, double angle)
{
	if (!s || !*s)
		return;
	double a, d;
	fext(rc, &a, &d);
	double w = text_width(rc, s);
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
void text_wrap(struct rc *rc, const char *text, double maxw, struct lines *out)
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
			if (text_width(rc, cand) <= maxw || !line[0]) {
				if (!line[0] && text_width(rc, cand) > maxw)
					text_ellipsize(rc->cr, cand, maxw, line, sizeof line);
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
