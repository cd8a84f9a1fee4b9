/* keys.c — the report's key groups (all keys, each IP version and port, or
 * --key-groups): the tests of keystats.h on every key and on the keys left
 * without the middlebox verdicts (verdict.h), written as key-stats.csv,
 * key-weights.csv and key-bits.csv, and the text the charts carry. */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/base/text.h"
#include "analyzer/scan/verdict.h"
#include "plots/chart.h"
#include "report/page/report_internal.h"

#define CHI2 "\xcf\x87\xc2\xb2"
#define ALPHA "\xce\xb1"
#define NB "\xc2\xa0" /* no-break space: "p = 0.05" stays on one line */
#define EQ NB "=" NB

/* ------------------------------------------------------------ key groups */

static int add_group(struct report *r, int family, int port, char *err, size_t errlen)
{
	for (size_t i = 0; i < r->ngroups; i++)
		if (r->groups[i].family == family && r->groups[i].port == port)
			return 0;
	if (r->ngroups == RP_MAX_GROUPS) {
		snprintf(err, errlen, "too many key groups (at most %d)", RP_MAX_GROUPS);
		return -1;
	}
	struct rp_group *g = &r->groups[r->ngroups++];
	memset(g, 0, sizeof *g);
	g->family = family;
	g->port = port;
	if (family == 0 && port < 0) {
		snprintf(g->id, sizeof g->id, "all");
		snprintf(g->label, sizeof g->label, "all keys");
	} else if (family == 0) {
		snprintf(g->id, sizeof g->id, "port-%d", port);
		snprintf(g->label, sizeof g->label, "port %d", port);
	} else if (port < 0) {
		snprintf(g->id, sizeof g->id, "ipv%d", family);
		snprintf(g->label, sizeof g->label, "IPv%d", family);
	} else {
		snprintf(g->id, sizeof g->id, "ipv%d-%d", family, port);
		snprintf(g->label, sizeof g->label, "IPv%d, port %d", family, port);
	}
	return 0;
}

/* "all", "4", "6", "4/443", "6/80", "*\/443" */
static int parse_groups(struct report *r, const char *spec, char *err, size_t errlen)
{
	char buf[512];
	snprintf(buf, sizeof buf, "%s", spec);
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		int family = 0, port = -1;
		if (strcmp(tok, "all") == 0) {
			/* both any */
		} else {
			char *slash = strchr(tok, '/');
			if (slash)
				*slash = '\0';
			unsigned long f, p;
			if (strcmp(tok, "*") == 0)
				family = 0;
			else if (rp_parse_ulong(tok, 6, &f) && (f == 4 || f == 6))
				family = (int)f;
			else {
				snprintf(err, errlen, "--key-groups: '%s' is not all, 4, 6, 4/PORT or 6/PORT",
				         tok);
				return -1;
			}
			if (slash) {
				if (!rp_parse_ulong(slash + 1, 65535, &p)) {
					snprintf(err, errlen, "--key-groups: bad port '%s'", slash + 1);
					return -1;
				}
				port = (int)p;
			}
		}
		if (add_group(r, family, port, err, errlen) != 0)
			return -1;
	}
	if (r->ngroups == 0) {
		snprintf(err, errlen, "--key-groups: no group given");
		return -1;
	}
	return 0;
}

/* Share of ones a fair bit stays within, by the same Holm rule that flags the
 * bits: with k bits rejected, Holm's step-down stops at level alpha/(64 - k),
 * every rejected bit has p below it and every other p at or above it, so the
 * acceptance region of the exact two-sided binomial test at that level holds
 * exactly the unflagged bits. */
static void bit_band(size_t n, double alpha, int n_biased, double *lo, double *hi)
{
	*lo = *hi = NAN;
	if (n == 0 || n > KS_MAX_KEYS)
		return;
	int rest = KS_BITS - n_biased;
	double level = alpha / (rest > 0 ? rest : 1);
	unsigned nn = (unsigned)n, a = 0, b = nn / 2;
	/* smallest k with 2 * P(X <= k) >= level: then k/n .. (n-k)/n is accepted */
	while (a < b) {
		unsigned m = a + (b - a) / 2;
		if (2 * gsl_cdf_binomial_P(m, 0.5, nn) >= level)
			b = m;
		else
			a = m + 1;
	}
	*lo = (double)a / nn;
	*hi = (double)(nn - a) / nn;
}

/* Appends the weights flagged in one direction: "excess at weights 16 (the probe key's), 24". */
static size_t describe_outliers(const struct ks_result *k, bool excess, char *buf, size_t n, size_t o)
{
	char list[256] = "";
	size_t lo = 0;
	int shown = 0;
	for (int w = 0; w < KS_WEIGHTS && lo < sizeof list; w++) {
		const struct ks_weight_bin *b = &k->bins[w];
		if (!b->outlier || ((double)b->observed > b->expected) != excess)
			continue;
		if (shown++ == 4) {
			lo += (size_t)snprintf(list + lo, sizeof list - lo, ", ...");
			break;
		}
		lo += (size_t)snprintf(list + lo, sizeof list - lo, "%s%d%s", shown > 1 ? ", " : "", w,
		                       w == k->probe_weight ? " (the probe key's)" : "");
	}
	if (shown && o < n)
		o += (size_t)snprintf(buf + o, n - o, "%s%s at weight%s %s", o ? "; " : "",
		                      excess ? "excess" : "deficit", shown > 1 ? "s" : "", list);
	return o < n ? o : n - 1;
}

static void describe_test(const struct ks_result *k, const char *what, double alpha, char *buf, size_t n)
{
	char p[64], part[600] = "";
	if (k->n == 0) {
		snprintf(buf, n, "%s: none.", what);
		return;
	}
	if (k->decision == KS_TOO_FEW) {
		snprintf(buf, n, "%s: too few to test.", what);
		return;
	}
	size_t o = 0;
	if (k->decision == KS_NOT_RANDOM) { /* what makes them not random */
		o = describe_outliers(k, true, part, sizeof part, 0);
		o = describe_outliers(k, false, part, sizeof part, o);
	}
	if (k->chi_decision != KS_TOO_FEW) {
		char stat[48];
		fig_format_p(k->pearson_p, p, sizeof p);
		chart_format_number(k->pearson, k->pearson >= 100 ? 0 : 1, stat, sizeof stat);
		o += (size_t)snprintf(part + o, sizeof part - o, "%s" CHI2 EQ "%s, df" EQ "%d, %s",
		                      o ? "; " : "", stat, k->df, p);
	} else
		o += (size_t)snprintf(part + o, sizeof part - o, "%stoo few keys for " CHI2, o ? "; " : "");
	if (k->decision == KS_NOT_RANDOM && k->n_biased && o < sizeof part)
		o += (size_t)snprintf(part + o, sizeof part - o, "; %d biased bit%s", k->n_biased,
		                      k->n_biased == 1 ? "" : "s");
	if (k->dup_decision == KS_NOT_RANDOM && o < sizeof part)
		snprintf(part + o, sizeof part - o, "; %zu repeated key%s", k->ndups,
		         k->ndups == 1 ? "" : "s");
	fig_format_p(k->overall_p, p, sizeof p);
	snprintf(buf, n, "%s: %s (%s, %d tests, " ALPHA EQ "%g)%s %s.", what,
	         k->decision == KS_NOT_RANDOM ? "not random" : "consistent with random keys", p, k->ntests,
	         alpha, k->decision == KS_NOT_RANDOM ? ":" : ";", part);
}

static int test_group(struct report *r, struct rp_group *g, char *err, size_t errlen)
{
	size_t cap = 0;
	for (size_t s = 0; s < r->nscans; s++)
		cap += r->scans[s].ntargets;
	uint64_t *all = malloc((cap + 1) * sizeof *all), *clean = malloc((cap + 1) * sizeof *clean),
	         *probes = malloc((cap + 1) * sizeof *probes);
	if (!all || !clean || !probes) {
		free(all);
		free(clean);
		free(probes);
		return rp_oom(err, errlen);
	}
	size_t na = 0, nc = 0, np = 0;
	for (size_t s = 0; s < r->nscans; s++) {
		const struct rp_scan *sc = &r->scans[s];
		for (size_t i = 0; i < sc->ntargets; i++) {
			const struct rp_target *t = &sc->targets[i];
			if (!t->has_key)
				continue;
			if ((g->family && t->family != g->family) || (g->port >= 0 && t->port != g->port))
				continue;
			all[na++] = t->key;
			if (!verdict_is_middlebox(t->verdict))
				clean[nc++] = t->key;
			if (t->has_probe)
				probes[np++] = t->probe;
		}
	}
	g->has_probe = ks_probe_key(probes, np, &g->probe);
	free(probes);
	int rc = ks_analyze(all, na, g->has_probe ? &g->probe : NULL, r->opt.alpha, &g->all, err, errlen);
	if (rc == 0) {
		rc = ks_analyze(clean, nc, g->has_probe ? &g->probe : NULL, r->opt.alpha, &g->clean, err,
		                errlen);
		if (rc != 0)
			ks_result_free(&g->all);
	}
	free(all);
	free(clean);
	if (rc != 0)
		return -1;
	g->tested = true;
	bit_band(g->all.n, r->opt.alpha, g->all.n_biased, &g->band_lo, &g->band_hi);
	char l1[480], l2[480], l3[200] = "", what[96], nb[32];
	rp_fmt_count((double)g->all.n, nb, sizeof nb);
	snprintf(what, sizeof what, "All %s key%s", nb, g->all.n == 1 ? "" : "s");
	describe_test(&g->all, what, r->opt.alpha, l1, sizeof l1);
	rp_fmt_count((double)g->clean.n, nb, sizeof nb);
	snprintf(what, sizeof what, "The %s key%s left without replays", nb, g->clean.n == 1 ? "" : "s");
	describe_test(&g->clean, what, r->opt.alpha, l2, sizeof l2);
	if (g->has_probe && g->all.probe_weight >= 0 && g->all.n) {
		char o[32], e[32];
		rp_fmt_count((double)g->all.bins[g->all.probe_weight].observed, o, sizeof o);
		double ev = g->all.bins[g->all.probe_weight].expected;
		if (ev >= 10)
			chart_format_number(ev, 1, e, sizeof e);
		else
			snprintf(e, sizeof e, "%.2g", ev);
		snprintf(l3, sizeof l3,
		         "Probe key %016llx, weight %d: %s key%s of that weight where %s" NB "%s expected.",
		         (unsigned long long)g->probe, g->all.probe_weight, o,
		         g->all.bins[g->all.probe_weight].observed == 1 ? "" : "s", e,
		         ev == 1 ? "is" : "are");
	}
	snprintf(g->test_text, sizeof g->test_text, "%s\n%s%s%s", l1, l2, l3[0] ? "\n" : "", l3);
	return 0;
}

static int keystats_rows(struct report *r, const struct rp_group *g, const char *subset,
                         const struct ks_result *k)
{
	char n[24], pk[17] = "", pw[8] = "", ob[24] = "", ex[32] = "", chi[32] = "", df[8] = "", cp[32] = "",
	            gs[32] = "", gp[32] = "", bb[8], dp[24], sh[32] = "", sl[32] = "", su[32] = "";
	rp_fmt_u64(k->n, n, sizeof n);
	if (g->has_probe) {
		format_key(g->probe, pk);
		snprintf(pw, sizeof pw, "%d", k->probe_weight);
		if (k->probe_weight >= 0 && k->n) {
			rp_fmt_u64(k->bins[k->probe_weight].observed, ob, sizeof ob);
			rp_fmt_double(k->bins[k->probe_weight].expected, ex, sizeof ex);
		}
	}
	if (k->chi_decision != KS_TOO_FEW) {
		rp_fmt_double(k->pearson, chi, sizeof chi);
		snprintf(df, sizeof df, "%d", k->df);
		rp_fmt_p(k->pearson_p, cp, sizeof cp);
		rp_fmt_double(k->g, gs, sizeof gs);
		rp_fmt_p(k->g_p, gp, sizeof gp);
	}
	snprintf(bb, sizeof bb, "%d", k->n ? k->n_biased : 0);
	rp_fmt_u64(k->dup_pairs, dp, sizeof dp);
	if (k->share.computed) {
		rp_fmt_double(k->share.share, sh, sizeof sh);
		rp_fmt_double(k->share.lo, sl, sizeof sl);
		rp_fmt_double(k->share.hi, su, sizeof su);
	}
	const char *f[] = { g->id, subset, n,  pk, pw, ob, ex, chi, df,
		            cp,    gs,     gp, bb, dp, sh, sl, su,  ks_decision_name(k->decision) };
	if (rp_table_add(&r->keystats, f) != 0)
		return -1;
	for (int w = 0; w < KS_WEIGHTS; w++) {
		char ws[8], o[24], e[32];
		snprintf(ws, sizeof ws, "%d", w);
		rp_fmt_u64(k->n ? k->bins[w].observed : 0, o, sizeof o);
		snprintf(e, sizeof e, "%.6f", k->n * ks_weight_pmf(w));
		const char *wf[] = { g->id, subset, ws, o, e };
		if (rp_table_add(&r->weights, wf) != 0)
			return -1;
	}
	if (strcmp(subset, "all") != 0)
		return 0;
	for (int b = KS_BITS - 1; b >= 0; b--) {
		char bs[8], ones[24], fr[32] = "", ph[32] = "", lo[32] = "", hi[32] = "";
		snprintf(bs, sizeof bs, "%d", b);
		rp_fmt_u64(k->n ? k->bits[b].ones : 0, ones, sizeof ones);
		if (k->n) {
			snprintf(fr, sizeof fr, "%.6f", (double)k->bits[b].ones / (double)k->n);
			rp_fmt_p(k->bits[b].p_holm, ph, sizeof ph);
		}
		rp_fmt_double(g->band_lo, lo, sizeof lo);
		rp_fmt_double(g->band_hi, hi, sizeof hi);
		const char *bf[] = {
			g->id, bs, ones, n, fr, ph, k->n && k->bits[b].biased ? "1" : "0", lo, hi
		};
		if (rp_table_add(&r->bits, bf) != 0)
			return -1;
	}
	return 0;
}

int rp_build_keys(struct report *r, char *err, size_t errlen)
{
	if (r->opt.groups) {
		if (parse_groups(r, r->opt.groups, err, errlen) != 0)
			return -1;
	} else {
		/* all keys, then every family and port that returned a key */
		if (add_group(r, 0, -1, err, errlen) != 0)
			return -1;
		struct rp_fp_list l = { 0, 0, NULL };
		for (size_t s = 0; s < r->nscans; s++) {
			const struct rp_scan *sc = &r->scans[s];
			for (size_t i = 0; i < sc->ntargets; i++) {
				const struct rp_target *t = &sc->targets[i];
				if (t->has_key && rp_fp_index(&l, t->family, t->port, true) < -1) {
					free(l.v);
					return rp_oom(err, errlen);
				}
			}
		}
		if (l.n > 1) /* qsort(NULL, 0) is undefined */
			qsort(l.v, l.n, sizeof *l.v, rp_fp_cmp);
		for (size_t i = 0; i < l.n && r->ngroups < RP_MAX_GROUPS; i++)
			if (add_group(r, l.v[i].family, l.v[i].port, err, errlen) != 0) {
				free(l.v);
				return -1;
			}
		free(l.v);
	}
	for (size_t i = 0; i < r->ngroups; i++) {
		struct rp_group *g = &r->groups[i];
		if (test_group(r, g, err, errlen) != 0)
			return -1;
		if (keystats_rows(r, g, "all", &g->all) != 0 ||
		    keystats_rows(r, g, "cleaned", &g->clean) != 0)
			return rp_oom(err, errlen);
	}
	return 0;
}
