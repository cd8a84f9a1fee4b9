/* keystats.c — randomness tests of 64-bit MP_CAPABLE keys (see keystats.h
 * and docs/methodology.md, "Statistics").  Distribution functions and tail
 * probabilities are GSL's; this file only combines them. */
#include "report/stats/keystats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sf_gamma.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double ks_weight_pmf(int w)
{
	if (w < 0 || w > 64)
		return 0.0;
	return ldexp(gsl_sf_choose(64, (unsigned)w), -64);
}

/* Binomial tails P(X <= k) and P(X > k) for X ~ Binomial(n, p).
 *
 * GSL's gsl_cdf_binomial_P/Q go through gsl_cdf_beta_Q/P, which switch to the
 * asymptotic formula of Abramowitz & Stegun 26.5.17 when one beta parameter
 * (k + 1 or n - k) is below 10 and the other above 1e5: relative errors of
 * 1e-9 to 1e-6 were measured against scipy there, and a small lower tail is
 * computed as 1 minus something near 1 and comes out 0 (P(X <= 0) for
 * n = 250000, p = 0.001 is 2.4e-109, not 0).  Groups of more than 1e5 keys
 * with a rare weight hit exactly that case.  There the tails come from GSL's
 * regularized incomplete beta function instead, each on the side where it is
 * computed directly (I_p(k+1, n-k) = P(X > k), I_{1-p}(n-k, k+1) = P(X <= k));
 * elsewhere from gsl_cdf_binomial_P/Q. */
static bool cdf_asymptotic_branch(unsigned k, unsigned n)
{
	double a = (double)k + 1.0, b = (double)n - (double)k;
	return (a < 10 && b > 1e5) || (b < 10 && a > 1e5);
}

static double binom_P(unsigned k, double p, unsigned n)
{
	if (k >= n)
		return 1.0;
	if (!cdf_asymptotic_branch(k, n))
		return gsl_cdf_binomial_P(k, p, n);
	gsl_sf_result r = { 0.0, 0.0 };
	int st = gsl_sf_beta_inc_e((double)(n - k), (double)k + 1.0, 1.0 - p, &r);
	return st == GSL_SUCCESS || st == GSL_EUNDRFLW ? r.val : gsl_cdf_binomial_P(k, p, n);
}

static double binom_Q(unsigned k, double p, unsigned n)
{
	if (k >= n)
		return 0.0;
	if (!cdf_asymptotic_branch(k, n))
		return gsl_cdf_binomial_Q(k, p, n);
	gsl_sf_result r = { 0.0, 0.0 };
	int st = gsl_sf_beta_inc_e((double)k + 1.0, (double)(n - k), p, &r);
	return st == GSL_SUCCESS || st == GSL_EUNDRFLW ? r.val : gsl_cdf_binomial_Q(k, p, n);
}

/* Smallest m in [lo, hi] with pmf(m) <= bound, the pmf non-increasing there;
 * hi + 1 when none. */
static long first_at_or_below(long lo, long hi, double bound, double p, unsigned n)
{
	long a = lo, b = hi + 1;
	while (a < b) {
		long mid = a + (b - a) / 2;
		if (gsl_ran_binomial_pdf((unsigned)mid, p, n) <= bound)
			b = mid;
		else
			a = mid + 1;
	}
	return a;
}

/* Largest m in [lo, hi] with pmf(m) <= bound, the pmf non-decreasing there;
 * lo - 1 when none. */
static long last_at_or_below(long lo, long hi, double bound, double p, unsigned n)
{
	long a = lo - 1, b = hi;
	while (a < b) {
		long mid = b - (b - a) / 2;
		if (gsl_ran_binomial_pdf((unsigned)mid, p, n) <= bound)
			a = mid;
		else
			b = mid - 1;
	}
	return a;
}

static double binom_test(unsigned k, unsigned n, double p)
{
	if (n == 0 || k > n || !(p >= 0.0 && p <= 1.0))
		return 1.0;
	const double rerr = 1.0 + 1e-7;
	double d = gsl_ran_binomial_pdf(k, p, n);
	double np = p * (double)n;
	double pval;
	if ((double)k == np)
		return 1.0;
	if ((double)k < np) {
		/* this tail: P(X <= k); the other: every j >= ceil(np) as unlikely as k */
		long m = first_at_or_below((long)ceil(np), (long)n, d * rerr, p, n);
		pval = binom_P(k, p, n);
		if (m <= (long)n)
			pval += binom_Q((unsigned)(m - 1), p, n); /* P(X >= m), m >= 1 */
	} else {
		/* this tail: P(X >= k), k >= 1; the other: every j <= floor(np) as unlikely */
		long m = last_at_or_below(0, (long)floor(np), d * rerr, p, n);
		pval = binom_Q(k - 1, p, n);
		if (m >= 0)
			pval += binom_P((unsigned)m, p, n);
	}
	return pval < 1.0 ? pval : 1.0;
}

void ks_holm(const double *p, size_t m, double *adj)
{
	size_t idx[KS_WEIGHTS];
	double in[KS_WEIGHTS];
	if (m > KS_WEIGHTS)
		m = KS_WEIGHTS;
	for (size_t i = 0; i < m; i++) {
		idx[i] = i;
		in[i] = p[i];
	}
	/* stable insertion sort of the indices by p */
	for (size_t i = 1; i < m; i++) {
		size_t v = idx[i], j = i;
		while (j > 0 && in[idx[j - 1]] > in[v]) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = v;
	}
	double run = 0.0;
	for (size_t i = 0; i < m; i++) {
		double a = (double)(m - i) * in[idx[i]];
		if (a > 1.0)
			a = 1.0;
		if (a > run)
			run = a;
		adj[idx[i]] = run;
	}
}

int ks_pool_cells(const uint64_t observed[KS_WEIGHTS], const double expected[KS_WEIGHTS], double min_expected,
                  struct ks_cell cells[KS_WEIGHTS])
{
	struct ks_cell left[KS_WEIGHTS], right[KS_WEIGHTS];
	int nl = 0, nr = 0, lo = 0, hi = KS_WEIGHTS - 1;
	bool from_left = true, last_left = true;
	while (lo <= hi) {
		struct ks_cell c = { 0, 0, 0, 0.0 };
		if (from_left) {
			c.lo = lo;
			while (lo <= hi && c.expected < min_expected) {
				c.expected += expected[lo];
				c.observed += observed[lo];
				lo++;
			}
			c.hi = lo - 1;
			left[nl++] = c;
		} else {
			c.hi = hi;
			while (hi >= lo && c.expected < min_expected) {
				c.expected += expected[hi];
				c.observed += observed[hi];
				hi--;
			}
			c.lo = hi + 1;
			right[nr++] = c;
		}
		last_left = from_left;
		from_left = !from_left;
	}
	int n = 0;
	for (int i = 0; i < nl; i++)
		cells[n++] = left[i];
	for (int i = nr - 1; i >= 0; i--)
		cells[n++] = right[i];
	/* the last cell built: the innermost left cell or the innermost right one */
	int s = last_left ? nl - 1 : nl;
	if (n > 1 && cells[s].expected < min_expected) {
		int into;
		if (s == 0)
			into = 1;
		else if (s == n - 1)
			into = n - 2;
		else
			into = cells[s + 1].expected < cells[s - 1].expected ? s + 1 : s - 1;
		struct ks_cell *t = &cells[into];
		t->lo = t->lo < cells[s].lo ? t->lo : cells[s].lo;
		t->hi = t->hi > cells[s].hi ? t->hi : cells[s].hi;
		t->expected += cells[s].expected;
		t->observed += cells[s].observed;
		memmove(&cells[s], &cells[s + 1], (size_t)(n - s - 1) * sizeof cells[0]);
		n--;
	}
	return n;
}

struct beta_target {
	double q, a, b;
	bool upper;
};

/* P(X <= x) - q, or q - P(X > x): increasing in x */
static double beta_excess(double x, void *arg)
{
	const struct beta_target *t = arg;
	return t->upper ? t->q - gsl_cdf_beta_Q(x, t->a, t->b) : gsl_cdf_beta_P(x, t->a, t->b) - t->q;
}

/* Beta quantile: the x with P(X <= x) = q (upper: P(X > x) = q) for
 * X ~ Beta(a, b).  GSL's gsl_cdf_beta_Pinv/Qinv stop their Newton iteration
 * at a relative step of 1e-10 (seen 4e-9 off) and sometimes fail (NaN for
 * Pinv(0.995, 5, 1996)).  Their answer, or else a root bracketed in (0, 1)
 * by GSL's Brent solver, is polished by Newton steps on GSL's own CDF and
 * density to double precision. */
static double beta_quantile(double q, bool upper, double a, double b)
{
	struct beta_target t = { q, a, b, upper };
	double x = upper ? gsl_cdf_beta_Qinv(q, a, b) : gsl_cdf_beta_Pinv(q, a, b);
	if (!(x > 0.0 && x < 1.0)) {
		gsl_function f = { beta_excess, &t };
		gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
		if (!s || gsl_root_fsolver_set(s, &f, 0.0, 1.0) != GSL_SUCCESS) {
			if (s)
				gsl_root_fsolver_free(s);
			return GSL_NAN;
		}
		for (int i = 0; i < 200; i++) {
			gsl_root_fsolver_iterate(s);
			if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s),
			                           0.0, 1e-15) != GSL_CONTINUE)
				break;
		}
		x = gsl_root_fsolver_root(s);
		gsl_root_fsolver_free(s);
	}
	for (int i = 0; i < 3 && x > 0.0 && x < 1.0; i++) {
		double d = gsl_ran_beta_pdf(x, a, b), step = beta_excess(x, &t) / d;
		if (!(d > 0.0) || !isfinite(step))
			break;
		double nx = x - step;
		if (!(nx > 0.0 && nx < 1.0) || nx == x)
			break;
		x = nx;
	}
	return x;
}

static void clopper_pearson(unsigned k, unsigned n, double level, double *lo, double *hi)
{
	double a = 1.0 - level;
	if (n == 0) {
		*lo = 0.0;
		*hi = 1.0;
		return;
	}
	*lo = k == 0 ? 0.0 : beta_quantile(a / 2, false, (double)k, (double)(n - k) + 1.0);
	*hi = k >= n ? 1.0 : beta_quantile(a / 2, true, (double)k + 1.0, (double)(n - k));
}

const char *ks_decision_name(enum ks_decision d)
{
	switch (d) {
	case KS_CONSISTENT:
		return "consistent";
	case KS_NOT_RANDOM:
		return "not-random";
	default:
		return "too-few-keys";
	}
}

static enum ks_decision decide(double p, double alpha)
{
	return p < alpha ? KS_NOT_RANDOM : KS_CONSISTENT;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_dup(const void *a, const void *b)
{
	const struct ks_dup *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

static int find_duplicates(const uint64_t *keys, size_t n, struct ks_result *r, char *err, size_t errlen)
{
	if (n < 2)
		return 0;
	uint64_t *s = malloc(n * sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory (%zu keys)", n);
		return -1;
	}
	memcpy(s, keys, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_u64);
	size_t groups = 0;
	for (size_t i = 1; i < n; i++)
		if (s[i] == s[i - 1] && (i < 2 || s[i - 1] != s[i - 2]))
			groups++;
	if (groups) {
		r->dups = malloc(groups * sizeof *r->dups);
		if (!r->dups) {
			free(s);
			snprintf(err, errlen, "out of memory (%zu duplicated keys)", groups);
			return -1;
		}
	}
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && s[j] == s[i])
			j++;
		size_t c = j - i;
		if (c >= 2) {
			r->dups[r->ndups].key = s[i];
			r->dups[r->ndups].count = c;
			r->ndups++;
			r->dup_keys += c;
			r->dup_pairs += (uint64_t)c * (c - 1) / 2;
		}
		i = j;
	}
	free(s);
	if (r->ndups > 1)
		qsort(r->dups, r->ndups, sizeof *r->dups, cmp_dup);
	return 0;
}

static void estimate_share(struct ks_result *r)
{
	int w = -1;
	bool at_probe = false;
	if (r->has_probe) {
		w = r->probe_weight;
		at_probe = true;
	} else {
		double best = 2.0;
		for (int i = 0; i < KS_WEIGHTS; i++) {
			const struct ks_weight_bin *b = &r->bins[i];
			if (b->outlier && (double)b->observed > b->expected && b->p_holm < best) {
				best = b->p_holm;
				w = i;
			}
		}
	}
	if (w < 0 || r->n == 0)
		return;
	struct ks_share *s = &r->share;
	double p0 = ks_weight_pmf(w), pl, ph;
	s->computed = true;
	s->at_probe_weight = at_probe;
	s->weight = w;
	s->observed = r->bins[w].observed;
	s->expected = r->bins[w].expected;
	s->excess = (double)s->observed - s->expected;
	s->level = 1.0 - r->alpha;
	clopper_pearson((unsigned)s->observed, (unsigned)r->n, s->level, &pl, &ph);
	double ph_hat = (double)s->observed / (double)r->n;
	s->share = GSL_MAX_DBL(0.0, (ph_hat - p0) / (1.0 - p0));
	s->lo = GSL_MAX_DBL(0.0, (pl - p0) / (1.0 - p0));
	s->hi = GSL_MAX_DBL(0.0, (ph - p0) / (1.0 - p0));
}

static int analyze(const uint64_t *keys, size_t n, const uint64_t *probe_key, double alpha,
                   struct ks_result *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	out->probe_weight = -1;
	if (!(alpha > 0.0 && alpha < 1.0)) {
		snprintf(err, errlen, "alpha %g is not between 0 and 1", alpha);
		return -1;
	}
	if (n > KS_MAX_KEYS) {
		snprintf(err, errlen, "%zu keys: at most %u per group", n, KS_MAX_KEYS);
		return -1;
	}
	out->n = n;
	out->alpha = alpha;
	if (probe_key) {
		out->has_probe = true;
		out->probe_key = *probe_key;
		out->probe_weight = __builtin_popcountll(*probe_key);
	}
	out->chi_decision = out->g_decision = out->bins_decision = out->bits_decision = out->dup_decision =
	    out->decision = KS_TOO_FEW;
	out->bins_p = out->bits_p = out->pearson_p = out->g_p = out->dup_p = out->overall_p = out->min_p =
	    1.0;

	uint64_t counts[KS_WEIGHTS] = { 0 };
	double expected[KS_WEIGHTS];
	for (size_t i = 0; i < n; i++) {
		counts[__builtin_popcountll(keys[i])]++;
		for (int b = 0; b < KS_BITS; b++)
			out->bits[b].ones += keys[i] >> b & 1;
	}
	for (int w = 0; w < KS_WEIGHTS; w++) {
		expected[w] = (double)n * ks_weight_pmf(w);
		out->bins[w].observed = counts[w];
		out->bins[w].expected = expected[w];
	}

	/* chi-square and G over pooled cells */
	out->ncells = ks_pool_cells(counts, expected, KS_MIN_EXPECTED, out->cells);
	for (int c = 0; c < out->ncells; c++)
		for (int w = out->cells[c].lo; w <= out->cells[c].hi; w++)
			out->bins[w].cell = c;
	if (n > 0 && out->ncells >= 2) {
		double x2 = 0.0, g = 0.0;
		for (int c = 0; c < out->ncells; c++) {
			double o = (double)out->cells[c].observed, e = out->cells[c].expected;
			x2 += (o - e) * (o - e) / e;
			if (o > 0)
				g += o * log(o / e);
		}
		out->df = out->ncells - 1;
		out->pearson = x2;
		out->g = 2.0 * g;
		out->pearson_p = gsl_cdf_chisq_Q(out->pearson, out->df);
		out->g_p = gsl_cdf_chisq_Q(out->g, out->df);
		out->chi_decision = decide(out->pearson_p, alpha);
		out->g_decision = decide(out->g_p, alpha);
	}
	if (n == 0)
		return 0;

	/* exact test per weight bin */
	double p[KS_WEIGHTS], adj[KS_WEIGHTS];
	for (int w = 0; w < KS_WEIGHTS; w++)
		p[w] = out->bins[w].p = binom_test((unsigned)counts[w], (unsigned)n, ks_weight_pmf(w));
	ks_holm(p, KS_WEIGHTS, adj);
	for (int w = 0; w < KS_WEIGHTS; w++) {
		out->bins[w].p_holm = adj[w];
		out->bins[w].outlier = adj[w] < alpha;
		out->n_outliers += out->bins[w].outlier;
		if (adj[w] < out->bins_p)
			out->bins_p = adj[w];
	}
	out->bins_decision = decide(out->bins_p, alpha);

	/* exact test per bit position */
	for (int b = 0; b < KS_BITS; b++)
		p[b] = out->bits[b].p = binom_test((unsigned)out->bits[b].ones, (unsigned)n, 0.5);
	ks_holm(p, KS_BITS, adj);
	for (int b = 0; b < KS_BITS; b++) {
		out->bits[b].p_holm = adj[b];
		out->bits[b].biased = adj[b] < alpha;
		out->n_biased += out->bits[b].biased;
		if (adj[b] < out->bits_p)
			out->bits_p = adj[b];
	}
	out->bits_decision = decide(out->bits_p, alpha);

	/* duplicates: colliding pairs among n random keys ~ Poisson(C(n,2)/2^64) */
	if (find_duplicates(keys, n, out, err, errlen) != 0)
		return -1;
	out->dup_expected = ldexp((double)n * ((double)n - 1.0) / 2.0, -64);
	if (n >= 2) {
		out->dup_p = out->dup_pairs == 0
		                 ? 1.0
		                 : gsl_cdf_poisson_Q((unsigned)GSL_MIN(out->dup_pairs - 1, UINT32_MAX),
		                                     out->dup_expected);
		out->dup_decision = decide(out->dup_p, alpha);
	}

	estimate_share(out);

	/* overall: Bonferroni over the tests run */
	double pmin = 1.0;
	int k = 0;
	const struct {
		enum ks_decision d;
		double p;
	} tests[] = {
		{ out->chi_decision, out->pearson_p },
		{ out->bins_decision, out->bins_p },
		{ out->bits_decision, out->bits_p },
		{ out->dup_decision, out->dup_p },
	};
	for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
		if (tests[i].d == KS_TOO_FEW)
			continue;
		k++;
		if (tests[i].p < pmin)
			pmin = tests[i].p;
	}
	out->ntests = k;
	out->min_p = pmin;
	if (k > 0) {
		out->overall_p = GSL_MIN_DBL(1.0, k * pmin);
		out->decision = decide(out->overall_p, alpha);
	}
	return 0;
}

/* The public entry points switch GSL's error handler off while they run
 * (GSL's default handler aborts the program on an underflow or a failed
 * inverse; here such a status is handled) and restore the caller's. */
double ks_binom_test(unsigned k, unsigned n, double p)
{
	gsl_error_handler_t *old = gsl_set_error_handler_off();
	double r = binom_test(k, n, p);
	gsl_set_error_handler(old);
	return r;
}

void ks_clopper_pearson(unsigned k, unsigned n, double level, double *lo, double *hi)
{
	gsl_error_handler_t *old = gsl_set_error_handler_off();
	clopper_pearson(k, n, level, lo, hi);
	gsl_set_error_handler(old);
}

int ks_analyze(const uint64_t *keys, size_t n, const uint64_t *probe_key, double alpha, struct ks_result *out,
               char *err, size_t errlen)
{
	gsl_error_handler_t *old = gsl_set_error_handler_off();
	int rc = analyze(keys, n, probe_key, alpha, out, err, errlen);
	gsl_set_error_handler(old);
	if (rc != 0)
		ks_result_free(out);
	return rc;
}

void ks_result_free(struct ks_result *r)
{
	free(r->dups);
	r->dups = NULL;
	r->ndups = 0;
}

bool ks_probe_key(uint64_t *v, size_t n, uint64_t *out)
{
	if (n == 0)
		return false;
	qsort(v, n, sizeof *v, cmp_u64);
	size_t best = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && v[j] == v[i])
			j++;
		if (j - i > best) {
			best = j - i;
			*out = v[i];
		}
		i = j;
	}
	return true;
}

void ks_format_p(double p, char *buf, size_t n)
{
	if (!isfinite(p))
		buf[0] = '\0';
	else
		snprintf(buf, n, "%.6g", p < DBL_MIN ? DBL_MIN : p);
}
