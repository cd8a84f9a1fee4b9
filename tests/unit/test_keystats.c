/* test_keystats.c — the key-randomness statistics (report/stats/keystats.c).
 *
 * Reference values come from outside mpcap and GSL: Debian's scipy, run as
 * /usr/bin/python3 through popen (the python3 on PATH may be a pyenv without
 * scipy), computes the same quantities from the keys themselves —
 * scipy.stats.binomtest, chisquare, power_divergence (G), chi2.sf, the exact
 * proportion interval — with its own histogram, pooling and Holm code.  A few
 * cases are worked by hand in the comments.  Then calibration: keys from
 * GSL's MT19937 over many seeds must raise false alarms at about the nominal
 * rate, and injected replays and stuck bits must be found.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/stats/keystats.h"

#define PY "/usr/bin/python3"
#define REL 1e-9

/* The worst relative disagreement with the oracle seen so far (reported). */
static double worst_rel;

/* Relative agreement; values that both underflow below 1e-300 agree (scipy
 * and GSL then differ only in how they round towards 0). */
static bool close_rel(double a, double b, double rel)
{
	if (a == b)
		return true;
	if (fabs(a) < 1e-300 && fabs(b) < 1e-300)
		return true;
	double d = fabs(a - b) / fmax(fabs(a), fabs(b));
	if (d > worst_rel)
		worst_rel = d;
	return d <= rel;
}

#define assert_close(a, b, what, ...)                                                                        \
	cr_assert(close_rel((a), (b), REL), what ": mpcap %.17g, scipy %.17g", __VA_ARGS__, (double)(a),     \
	          (double)(b))

/* Runs a Python script with scipy, stdin from stdin_path (or none); returns
 * its stdout (malloc'd). */
static char *py_run_in(const char *script, const char *stdin_path)
{
	char path[] = "/tmp/mpcap-keystats-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	FILE *f = fdopen(fd, "w");
	cr_assert(f);
	fputs(script, f);
	fclose(f);
	char cmd[256];
	snprintf(cmd, sizeof cmd, PY " %s < %s", path, stdin_path ? stdin_path : "/dev/null");
	FILE *p = popen(cmd, "r");
	cr_assert(p, "cannot run " PY);
	size_t cap = 1 << 16, len = 0;
	char *out = malloc(cap);
	size_t r;
	while ((r = fread(out + len, 1, cap - len - 1, p)) > 0) {
		len += r;
		if (cap - len < 4096)
			out = realloc(out, cap *= 2);
	}
	out[len] = '\0';
	int st = pclose(p);
	unlink(path);
	cr_assert_eq(st, 0, PY " with scipy failed (is python3-scipy installed?)");
	return out;
}

static char *py_run(const char *script)
{
	return py_run_in(script, NULL);
}

/* Finds "name index value" in the oracle's output. */
static double py_get(const char *out, const char *name, int index)
{
	char pat[64];
	int pl = snprintf(pat, sizeof pat, "\n%s %d ", name, index);
	const char *s = strstr(out, pat);
	cr_assert(s, "oracle printed no '%s %d'", name, index);
	return strtod(s + pl, NULL);
}

/* The oracle: from the keys alone (hex, one per line after "KEYS"), computes
 * the histogram, the expected counts n*comb(64,w)/2^64, the pooling described
 * in keystats.h, Pearson and G with scipy, the exact tests per bin and per
 * bit with scipy.stats.binomtest, Holm by hand and the exact interval. */
static const char oracle_head[] =
    "import math, sys, warnings\n"
    "warnings.simplefilter('ignore')\n"
    "from scipy import stats\n"
    "LEVEL = float.fromhex(sys.argv[1])\n"
    "def holm(p):\n"
    "    m = len(p); order = sorted(range(m), key=lambda i: p[i]); adj = [0.0]*m; run = 0.0\n"
    "    for rank, i in enumerate(order):\n"
    "        run = max(run, min(1.0, (m - rank) * p[i])); adj[i] = run\n"
    "    return adj\n"
    "def pool(obs, exp, mn=5.0):\n"
    "    lo, hi, left, right, turn, last = 0, 64, [], [], True, True\n"
    "    while lo <= hi:\n"
    "        if turn:\n"
    "            c = [lo, lo, 0, 0.0]\n"
    "            while lo <= hi and c[3] < mn:\n"
    "                c[2] += obs[lo]; c[3] += exp[lo]; lo += 1\n"
    "            c[1] = lo - 1; left.append(c)\n"
    "        else:\n"
    "            c = [hi, hi, 0, 0.0]\n"
    "            while hi >= lo and c[3] < mn:\n"
    "                c[2] += obs[hi]; c[3] += exp[hi]; hi -= 1\n"
    "            c[0] = hi + 1; right.append(c)\n"
    "        last = turn; turn = not turn\n"
    "    cells = left + right[::-1]\n"
    "    s = len(left) - 1 if last else len(left)\n"
    "    if len(cells) > 1 and cells[s][3] < mn:\n"
    "        if s == 0: t = 1\n"
    "        elif s == len(cells) - 1: t = s - 1\n"
    "        else: t = s + 1 if cells[s+1][3] < cells[s-1][3] else s - 1\n"
    "        a, b = cells[t], cells[s]\n"
    "        cells[t] = [min(a[0], b[0]), max(a[1], b[1]), a[2] + b[2], a[3] + b[3]]\n"
    "        del cells[s]\n"
    "    return cells\n"
    "def out(name, i, v): print(name, i, repr(float(v)))\n"
    "print()\n";

static const char oracle_keys[] =
    "keys = [int(l, 16) for l in sys.stdin.read().split()]\n"
    "n = len(keys)\n"
    "obs = [0]*65\n"
    "for k in keys: obs[bin(k).count('1')] += 1\n"
    "pmf = [math.comb(64, w) / 2**64 for w in range(65)]\n"
    "exp = [n * q for q in pmf]\n"
    "for w in range(65): out('obs', w, obs[w]); out('exp', w, exp[w])\n"
    "cells = pool(obs, exp)\n"
    "out('ncells', 0, len(cells))\n"
    "for i, c in enumerate(cells): out('cell_lo', i, c[0]); out('cell_hi', i, c[1])\n"
    "if len(cells) >= 2:\n"
    "    o = [c[2] for c in cells]; e = [c[3] for c in cells]\n"
    "    x2, px = stats.chisquare(o, e)\n"
    "    g, pg = stats.power_divergence(o, e, lambda_='log-likelihood')\n"
    "    out('chi', 0, x2); out('chi_p', 0, px); out('g', 0, g); out('g_p', 0, pg)\n"
    "    out('chi_sf', 0, stats.chi2.sf(x2, len(cells) - 1))\n"
    "bp = [stats.binomtest(obs[w], n, pmf[w]).pvalue for w in range(65)]\n"
    "for w, (p, a) in enumerate(zip(bp, holm(bp))): out('bin_p', w, p); out('bin_holm', w, a)\n"
    "ones = [sum(k >> b & 1 for k in keys) for b in range(64)]\n"
    "tp = [stats.binomtest(ones[b], n, 0.5).pvalue for b in range(64)]\n"
    "for b, (p, a) in enumerate(zip(tp, holm(tp))): out('ones', b, ones[b]); out('bit_p', b, p); "
    "out('bit_holm', b, a)\n"
    "a = 1 - LEVEL\n"
    "for w in range(65):\n"
    "    k = obs[w]\n"
    "    out('cp_lo', w, stats.beta.ppf(a / 2, k, n - k + 1) if k > 0 else 0.0)\n"
    "    out('cp_hi', w, stats.beta.isf(a / 2, k + 1, n - k) if k < n else 1.0)\n"
    "    ci = stats.binomtest(k, n).proportion_ci(LEVEL, 'exact')\n"
    "    out('ci_lo', w, ci.low); out('ci_hi', w, ci.high)\n";

/* Runs the key oracle on keys; returns its output. */
static char *oracle_on_keys(const uint64_t *keys, size_t n, double level)
{
	size_t cap = sizeof oracle_head + sizeof oracle_keys + n * 17 + 256;
	char *script = malloc(cap);
	char *data = malloc(n * 17 + 1);
	char dpath[] = "/tmp/mpcap-keys-XXXXXX";
	int fd = mkstemp(dpath);
	cr_assert(fd >= 0 && script && data);
	size_t l = 0;
	for (size_t i = 0; i < n; i++)
		l += (size_t)sprintf(data + l, "%016" PRIx64 "\n", keys[i]);
	cr_assert_eq(write(fd, data, l), (ssize_t)l);
	close(fd);
	snprintf(script, cap, "import sys\nsys.argv[1:] = ['%a']\n%s%s", level, oracle_head, oracle_keys);
	char *out = py_run_in(script, dpath);
	unlink(dpath);
	free(script);
	free(data);
	return out;
}

/* Every number keystats computes for these keys, against the oracle. */
static void check_against_oracle(const uint64_t *keys, size_t n, const char *what)
{
	struct ks_result r;
	char err[256];
	uint64_t probe = 0x0c0c0c0c0c0c0c0cull;
	cr_assert_eq(ks_analyze(keys, n, &probe, 0.01, &r, err, sizeof err), 0, "%s", err);
	char *o = oracle_on_keys(keys, n, 0.99);
	for (int w = 0; w < KS_WEIGHTS; w++) {
		cr_assert_eq((double)r.bins[w].observed, py_get(o, "obs", w), "%s: count at weight %d", what,
		             w);
		assert_close(r.bins[w].expected, py_get(o, "exp", w), "%s: expected at weight %d", what, w);
		assert_close(r.bins[w].p, py_get(o, "bin_p", w), "%s: binomtest p at weight %d", what, w);
		assert_close(r.bins[w].p_holm, py_get(o, "bin_holm", w), "%s: Holm p at weight %d", what, w);
	}
	cr_assert_eq(r.ncells, (int)py_get(o, "ncells", 0), "%s: pooled cells", what);
	for (int c = 0; c < r.ncells; c++) {
		cr_assert_eq(r.cells[c].lo, (int)py_get(o, "cell_lo", c), "%s: cell %d", what, c);
		cr_assert_eq(r.cells[c].hi, (int)py_get(o, "cell_hi", c), "%s: cell %d", what, c);
	}
	if (r.ncells >= 2) {
		cr_assert_eq(r.df, r.ncells - 1);
		assert_close(r.pearson, py_get(o, "chi", 0), "%s: chi-square", what);
		assert_close(r.pearson_p, py_get(o, "chi_p", 0), "%s: chi-square p", what);
		assert_close(r.pearson_p, py_get(o, "chi_sf", 0), "%s: chi2.sf", what);
		assert_close(r.g, py_get(o, "g", 0), "%s: G", what);
		assert_close(r.g_p, py_get(o, "g_p", 0), "%s: G p", what);
	} else {
		cr_assert_eq(r.chi_decision, KS_TOO_FEW, "%s", what);
	}
	for (int b = 0; b < KS_BITS; b++) {
		cr_assert_eq((double)r.bits[b].ones, py_get(o, "ones", b), "%s: ones at bit %d", what, b);
		assert_close(r.bits[b].p, py_get(o, "bit_p", b), "%s: binomtest p at bit %d", what, b);
		assert_close(r.bits[b].p_holm, py_get(o, "bit_holm", b), "%s: Holm p at bit %d", what, b);
	}
	/* the interval behind the replay share, at every weight: against the
	 * beta quantiles (boost's inverse, full precision), and against
	 * binomtest's proportion_ci, whose brentq stops at 2e-12 absolute */
	for (int w = 0; w < KS_WEIGHTS; w++) {
		double lo, hi;
		ks_clopper_pearson((unsigned)r.bins[w].observed, (unsigned)n, 0.99, &lo, &hi);
		assert_close(lo, py_get(o, "cp_lo", w), "%s: Clopper-Pearson low at weight %d", what, w);
		assert_close(hi, py_get(o, "cp_hi", w), "%s: Clopper-Pearson high at weight %d", what, w);
		cr_assert(fabs(lo - py_get(o, "ci_lo", w)) < 1e-11, "%s: proportion_ci low at %d", what, w);
		cr_assert(fabs(hi - py_get(o, "ci_hi", w)) < 1e-11, "%s: proportion_ci high at %d", what, w);
	}
	free(o);
	ks_result_free(&r);
}

static uint64_t rand_key(gsl_rng *g)
{
	uint64_t hi = gsl_rng_get(g), lo = gsl_rng_get(g);
	return hi << 32 | lo;
}

/* A random key of exactly weight w (uniform among such keys). */
static uint64_t rand_key_weight(gsl_rng *g, int w)
{
	int pos[64];
	for (int i = 0; i < 64; i++)
		pos[i] = i;
	uint64_t k = 0;
	for (int i = 0; i < w; i++) {
		int j = i + (int)gsl_rng_uniform_int(g, (unsigned long)(64 - i));
		int t = pos[i];
		pos[i] = pos[j];
		pos[j] = t;
		k |= 1ull << pos[i];
	}
	return k;
}

static gsl_rng *rng(unsigned long seed)
{
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	cr_assert(g);
	cr_assert_eq(gsl_rng_max(g), 0xffffffffUL); /* 32 random bits per draw */
	gsl_rng_set(g, seed);
	return g;
}

/* GSL's default error handler stays on: an underflow or a failed inverse
 * inside keystats must not abort (keystats.h). */
TestSuite(keystats, .timeout = 300);

/* Closed form: pmf(w) = C(64,w)/2^64.  C(64,0)=1, C(64,1)=64,
 * C(64,16)=488526937079580, C(64,32)=1832624140942590534; they sum to 2^64. */
Test(keystats, weight_pmf_closed_form)
{
	cr_assert_eq(ks_weight_pmf(0), ldexp(1, -64));
	cr_assert_eq(ks_weight_pmf(64), ldexp(1, -64));
	cr_assert_eq(ks_weight_pmf(1), ldexp(64, -64));
	cr_assert(close_rel(ks_weight_pmf(16), ldexp(488526937079580.0, -64), 1e-14));
	cr_assert(close_rel(ks_weight_pmf(32), ldexp(1832624140942590534.0, -64), 1e-14));
	double s = 0;
	for (int w = 0; w <= 64; w++) {
		cr_assert(close_rel(ks_weight_pmf(w), ks_weight_pmf(64 - w), 1e-15));
		s += ks_weight_pmf(w);
	}
	cr_assert(close_rel(s, 1.0, 1e-14));
	cr_assert_eq(ks_weight_pmf(-1), 0.0);
	cr_assert_eq(ks_weight_pmf(65), 0.0);
}

/* Holm by hand: p = {0.01, 0.04, 0.03, 0.005}, m = 4.  Sorted: 0.005*4 = 0.02,
 * 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 = 0.04 -> max(0.06, 0.04) = 0.06.
 * In input order: {0.03, 0.06, 0.06, 0.02}.  Capped at 1: {0.5, 0.6} -> {1, 1}. */
Test(keystats, holm_by_hand)
{
	double p[] = { 0.01, 0.04, 0.03, 0.005 }, a[4];
	ks_holm(p, 4, a);
	cr_assert(close_rel(a[0], 0.03, 1e-15) && close_rel(a[1], 0.06, 1e-15));
	cr_assert(close_rel(a[2], 0.06, 1e-15) && close_rel(a[3], 0.02, 1e-15));
	double q[] = { 0.5, 0.6 };
	ks_holm(q, 2, q);
	cr_assert(q[0] == 1.0 && q[1] == 1.0);
}

/* Binomial tests by hand.  Binomial(10, 1/2): P(X <= 0) = P(X >= 10) = 2^-10,
 * so k=0 and k=10 give 2^-9; k=5 = n*p gives 1; k=2: P(X<=2) = 56/1024, and
 * the other tail {8,9,10} (pmf 45,10,1 /1024 <= 45/1024) adds 56/1024:
 * 112/1024.  Binomial(3, 0.9): k=2 (pmf 0.243) > np=2.7? no: k < np, tail
 * P(X<=2) = 1 - 0.729 = 0.271, other side {3} has pmf 0.729 > 0.243: 0.271. */
Test(keystats, binomtest_by_hand)
{
	cr_assert(close_rel(ks_binom_test(0, 10, 0.5), ldexp(1, -9), 1e-13));
	cr_assert(close_rel(ks_binom_test(10, 10, 0.5), ldexp(1, -9), 1e-13));
	cr_assert_eq(ks_binom_test(5, 10, 0.5), 1.0);
	cr_assert(close_rel(ks_binom_test(2, 10, 0.5), 112.0 / 1024, 1e-13));
	cr_assert(close_rel(ks_binom_test(8, 10, 0.5), 112.0 / 1024, 1e-13));
	cr_assert(close_rel(ks_binom_test(2, 3, 0.9), 0.271, 1e-13));
	cr_assert_eq(ks_binom_test(0, 0, 0.5), 1.0);
}

/* Against scipy.stats.binomtest over a grid of n, p and k (both tails, the
 * mode, the extremes), p passed bit-exactly as a hex float. */
Test(keystats, binomtest_matches_scipy)
{
	static const unsigned ns[] = { 1, 2, 3, 7, 10, 37, 100, 1000, 2000, 12345, 250000 };
	const double ps[] = { 0.5,
		              ks_weight_pmf(16),
		              ks_weight_pmf(32),
		              ks_weight_pmf(24),
		              ks_weight_pmf(40),
		              0.1,
		              0.9,
		              0.3,
		              ks_weight_pmf(2),
		              ks_weight_pmf(0),
		              1e-3,
		              0.999 };
	size_t cap = 1 << 20, len = 0;
	char *script = malloc(cap);
	unsigned(*cases)[2] = malloc(4096 * sizeof *cases);
	double *cp = malloc(4096 * sizeof *cp);
	size_t nc = 0;
	len += (size_t)snprintf(script, cap,
	                        "import warnings\nwarnings.simplefilter('ignore')\n"
	                        "from scipy.stats import binomtest\nprint()\nC = [\n");
	for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
		for (size_t j = 0; j < sizeof ps / sizeof ps[0]; j++) {
			unsigned n = ns[i];
			double np = ps[j] * n, sd = sqrt(np * (1 - ps[j])) + 1;
			long ks[] = { 0,
				      1,
				      2,
				      (long)n - 1,
				      (long)n,
				      (long)floor(np),
				      (long)ceil(np),
				      (long)(np - sd),
				      (long)(np + sd),
				      (long)(np - 3 * sd),
				      (long)(np + 3 * sd),
				      (long)(np - 6 * sd),
				      (long)(np + 6 * sd),
				      (long)(np + 40 * sd) };
			for (size_t m = 0; m < sizeof ks / sizeof ks[0]; m++) {
				if (ks[m] < 0 || ks[m] > (long)n)
					continue;
				cases[nc][0] = (unsigned)ks[m];
				cases[nc][1] = n;
				cp[nc] = ps[j];
				len += (size_t)snprintf(script + len, cap - len, "(%u,%u,'%a'),\n",
				                        (unsigned)ks[m], n, ps[j]);
				nc++;
			}
		}
	snprintf(script + len, cap - len,
	         "]\nfor i, (k, n, p) in enumerate(C):\n"
	         "    print('p', i, repr(binomtest(k, n, float.fromhex(p)).pvalue))\n");
	char *o = py_run(script);
	for (size_t i = 0; i < nc; i++) {
		double mine = ks_binom_test(cases[i][0], cases[i][1], cp[i]);
		assert_close(mine, py_get(o, "p", (int)i), "binomtest(%u, %u, %a)", cases[i][0], cases[i][1],
		             cp[i]);
	}
	fprintf(stderr, "keystats: %zu binomtest cases agree with scipy; worst relative difference %.3g\n",
	        nc, worst_rel);
	free(o);
	free(script);
	free(cases);
	free(cp);
}

/* Pooling by hand.  n = 12: the expected counts below weight 32 sum to
 * 12 * P(W <= 31) = 5.4039 >= 5 after weight 31 (4.27 after 30), so the first
 * left cell is 0..31; the right cell 64..33 mirrors it (5.4039); weight 32
 * alone (1.19) is short and joins the smaller neighbour, equal here, so the
 * lower: cells 0..32 and 33..64, one degree of freedom.  n = 11: the left
 * cell needs weight 32 (4.95 before it), the rest (4.95) is short: one cell. */
Test(keystats, pooling_by_hand)
{
	uint64_t obs[KS_WEIGHTS] = { 0 };
	double e[KS_WEIGHTS];
	struct ks_cell c[KS_WEIGHTS];
	for (int w = 0; w < KS_WEIGHTS; w++)
		e[w] = 12 * ks_weight_pmf(w);
	cr_assert_eq(ks_pool_cells(obs, e, 5.0, c), 2);
	cr_assert(c[0].lo == 0 && c[0].hi == 32 && c[1].lo == 33 && c[1].hi == 64);
	cr_assert(close_rel(c[1].expected, 5.4039194775121980, 1e-12));
	for (int w = 0; w < KS_WEIGHTS; w++)
		e[w] = 11 * ks_weight_pmf(w);
	cr_assert_eq(ks_pool_cells(obs, e, 5.0, c), 1);
	cr_assert(c[0].lo == 0 && c[0].hi == 64);
	/* n = 2000: symmetric tails, every cell >= 5, cells contiguous */
	for (int w = 0; w < KS_WEIGHTS; w++)
		e[w] = 2000 * ks_weight_pmf(w);
	int nc = ks_pool_cells(obs, e, 5.0, c);
	cr_assert_eq(c[0].lo, 0);
	cr_assert_eq(c[nc - 1].hi, 64);
	cr_assert_eq(c[0].hi, 64 - c[nc - 1].lo);
	for (int i = 0; i < nc; i++) {
		cr_assert_geq(c[i].expected, 5.0);
		if (i)
			cr_assert_eq(c[i].lo, c[i - 1].hi + 1);
	}
}

/* Closed form: ten keys with all 64 bits set.  Weight 64 holds 10 keys against
 * 10 * 2^-64 expected: p = P(X >= 10) = (2^-64)^10 = 2^-640 (the other tail,
 * X = 0, has pmf ~1 > 2^-640); Holm multiplies by 65.  Each bit has 10 ones in
 * 10: p = P(X >= 10) + P(X <= 0) = 2^-9, and Holm gives 64 * 2^-9 = 1/8 for
 * every bit: ten keys are too few to call a bit stuck at alpha = 0.01.  One
 * key repeated 10 times: 45 colliding pairs.  Chi-square: 10 keys make one
 * cell, no test.  Overall: 3 tests, not random. */
Test(keystats, closed_form_all_ones)
{
	uint64_t k[10];
	for (int i = 0; i < 10; i++)
		k[i] = UINT64_MAX;
	struct ks_result r;
	char err[128];
	cr_assert_eq(ks_analyze(k, 10, NULL, 0.01, &r, err, sizeof err), 0);
	cr_assert_eq(r.bins[64].observed, 10);
	cr_assert(close_rel(r.bins[64].p, ldexp(1, -640), 1e-12), "%g", r.bins[64].p);
	cr_assert(close_rel(r.bins[64].p_holm, 65 * ldexp(1, -640), 1e-12));
	cr_assert(r.bins[64].outlier);
	cr_assert_eq(r.n_outliers, 1);
	for (int b = 0; b < 64; b++) {
		cr_assert_eq(r.bits[b].ones, 10);
		cr_assert(close_rel(r.bits[b].p, ldexp(1, -9), 1e-12));
		cr_assert(close_rel(r.bits[b].p_holm, 0.125, 1e-12));
		cr_assert(!r.bits[b].biased);
	}
	cr_assert_eq(r.ndups, 1);
	cr_assert_eq(r.dups[0].count, 10);
	cr_assert_eq(r.dup_pairs, 45);
	cr_assert_eq(r.chi_decision, KS_TOO_FEW);
	cr_assert_eq(r.ntests, 3);
	cr_assert_eq(r.decision, KS_NOT_RANDOM);
	/* no probe key: the share is estimated at the outlier, all replays */
	cr_assert(r.share.computed && !r.share.at_probe_weight && r.share.weight == 64);
	cr_assert(close_rel(r.share.share, 1.0, 1e-12));
	ks_result_free(&r);
}

Test(keystats, empty_and_tiny_groups)
{
	struct ks_result r;
	char err[128];
	cr_assert_eq(ks_analyze(NULL, 0, NULL, 0.01, &r, err, sizeof err), 0);
	cr_assert(r.decision == KS_TOO_FEW && r.ntests == 0 && !r.share.computed);
	ks_result_free(&r);
	uint64_t one = 0x0123456789abcdefull;
	cr_assert_eq(ks_analyze(&one, 1, &one, 0.01, &r, err, sizeof err), 0);
	cr_assert_eq(r.chi_decision, KS_TOO_FEW);
	cr_assert_eq(r.dup_decision, KS_TOO_FEW);
	cr_assert_eq(r.decision, KS_CONSISTENT); /* exact tests only, nothing against */
	cr_assert_eq(r.probe_weight, 32);
	ks_result_free(&r);
	cr_assert_eq(ks_analyze(&one, 1, NULL, 1.5, &r, err, sizeof err), -1);
	cr_assert(strstr(err, "alpha"));
	cr_assert_str_eq(ks_decision_name(KS_NOT_RANDOM), "not-random");
}

/* Everything against scipy on several key sets: random (n = 2000, 57, 12),
 * replays of the probe key mixed in, and stuck bits. */
Test(keystats, matches_scipy_on_key_sets)
{
	gsl_rng *g = rng(20201);
	static uint64_t k[2000];
	for (int i = 0; i < 2000; i++)
		k[i] = rand_key(g);
	check_against_oracle(k, 2000, "2000 random keys");
	check_against_oracle(k, 57, "57 random keys");
	check_against_oracle(k, 12, "12 random keys");
	for (int i = 0; i < 2000; i += 7)
		k[i] = 0x0c0c0c0c0c0c0c0cull;
	check_against_oracle(k, 2000, "2000 keys, 1/7 replays");
	for (int i = 0; i < 2000; i++)
		k[i] = rand_key(g) & ~(1ull << 31 | 1ull << 63);
	check_against_oracle(k, 2000, "2000 keys, bits 31 and 63 stuck at 0");
	for (int i = 0; i < 300; i++)
		k[i] = rand_key_weight(g, 16 + (int)gsl_rng_uniform_int(g, 3));
	check_against_oracle(k, 300, "300 keys of weight 16-18");
	/* above 1e5 keys GSL's binomial CDF takes its asymptotic branch for the
	 * rare weights (keystats.c works around it) */
	uint64_t *big = malloc(120000 * sizeof *big);
	for (int i = 0; i < 120000; i++)
		big[i] = i % 50 == 0 ? 0x0c0c0c0c0c0c0c0cull : rand_key(g);
	check_against_oracle(big, 120000, "120000 keys, 2% replays");
	free(big);
	fprintf(stderr, "keystats: key sets agree with scipy; worst relative difference %.3g\n", worst_rel);
	gsl_rng_free(g);
}

/* Duplicates, by hand: {a, b, a, c, b, a}: a three times, b twice: 2 groups,
 * 5 keys, 3 + 1 = 4 colliding pairs, largest group first. */
Test(keystats, duplicates_by_hand)
{
	uint64_t a = 0x1111111111111111ull, b = 0x2222222222222222ull, c = 0x3333333333333333ull;
	uint64_t k[] = { a, b, a, c, b, a };
	struct ks_result r;
	char err[128];
	cr_assert_eq(ks_analyze(k, 6, &a, 0.01, &r, err, sizeof err), 0);
	cr_assert_eq(r.ndups, 2);
	cr_assert(r.dups[0].key == a && r.dups[0].count == 3);
	cr_assert(r.dups[1].key == b && r.dups[1].count == 2);
	cr_assert_eq(r.dup_keys, 5);
	cr_assert_eq(r.dup_pairs, 4);
	cr_assert(close_rel(r.dup_expected, 15 * ldexp(1, -64), 1e-15));
	cr_assert_lt(r.dup_p, 1e-60);
	cr_assert_eq(r.dup_decision, KS_NOT_RANDOM);
	ks_result_free(&r);
}

/* Two-sided acceptance bounds for a count of false alarms among s runs at
 * rate a: the central 1 - 1e-4 of Binomial(s, a). */
static void alarm_bounds(unsigned s, double a, unsigned *lo, unsigned *hi)
{
	unsigned l = 0, h = s;
	while (l < s && gsl_cdf_binomial_P(l, a, s) < 5e-5)
		l++;
	while (h > 0 && gsl_cdf_binomial_Q(h - 1, a, s) < 5e-5)
		h--;
	*lo = l;
	*hi = h;
}

/* Calibration: 5000 seeds of 2000 MT19937 keys each, alpha = 0.01.  The
 * chi-square and G tests are approximately exact: their false-alarm counts
 * must lie in the central 99.99% of Binomial(seeds, 0.01).  The exact tests
 * with Holm, the duplicate test and the Bonferroni verdict are conservative:
 * only the upper bound applies.  Also 2000 seeds at n = 100 (few pooled
 * cells).  Over 10000 seeds (not run here) the rates were: chi-square 1.1%,
 * G 1.2% (both approximations, slightly liberal with cells of 5 expected),
 * bits 1.0%, weight bins 0.4%, overall 0.6%. */
static void calibrate(unsigned seeds, size_t n)
{
	unsigned chi = 0, g = 0, bins = 0, bits = 0, dup = 0, all = 0, lo, hi;
	uint64_t *k = malloc(n * sizeof *k);
	for (unsigned s = 0; s < seeds; s++) {
		gsl_rng *r = rng(1000 + s);
		for (size_t i = 0; i < n; i++)
			k[i] = rand_key(r);
		gsl_rng_free(r);
		struct ks_result res;
		char err[128];
		cr_assert_eq(ks_analyze(k, n, NULL, 0.01, &res, err, sizeof err), 0);
		chi += res.chi_decision == KS_NOT_RANDOM;
		g += res.g_decision == KS_NOT_RANDOM;
		bins += res.bins_decision == KS_NOT_RANDOM;
		bits += res.bits_decision == KS_NOT_RANDOM;
		dup += res.dup_decision == KS_NOT_RANDOM;
		all += res.decision == KS_NOT_RANDOM;
		ks_result_free(&res);
	}
	free(k);
	alarm_bounds(seeds, 0.01, &lo, &hi);
	fprintf(stderr,
	        "keystats calibration, %u seeds x %zu keys, alpha 0.01 (bounds %u..%u): false alarms "
	        "chi-square %u, "
	        "G %u, weight bins %u, bits %u, duplicates %u, overall %u\n",
	        seeds, n, lo, hi, chi, g, bins, bits, dup, all);
	cr_assert(chi >= lo && chi <= hi, "chi-square: %u false alarms in %u (bounds %u..%u)", chi, seeds, lo,
	          hi);
	cr_assert(g >= lo && g <= hi, "G: %u false alarms in %u (bounds %u..%u)", g, seeds, lo, hi);
	cr_assert_leq(bins, hi, "weight bins: %u false alarms", bins);
	cr_assert_leq(bits, hi, "bits: %u false alarms", bits);
	cr_assert_leq(dup, hi, "duplicates: %u false alarms", dup);
	cr_assert_leq(all, hi, "overall: %u false alarms", all);
}

Test(keystats, calibration_false_alarms_2000_keys)
{
	calibrate(5000, 2000);
}

Test(keystats, calibration_false_alarms_100_keys)
{
	calibrate(2000, 100);
}

/* An injected 5% replay fraction at weight 16 (100 of 2000 keys replaced by
 * random keys of weight 16, so equality cannot reveal them) is found in every
 * one of 50 seeds: outlier at 16, named as the probe key's weight, and the
 * replay share's interval covers 5%. */
Test(keystats, detects_replays_at_weight_16)
{
	const uint64_t probe = 0x0c0c0c0c0c0c0c0cull; /* weight 16 */
	uint64_t k[2000];
	unsigned covered = 0;
	for (unsigned s = 0; s < 50; s++) {
		gsl_rng *g = rng(5000 + s);
		for (int i = 0; i < 2000; i++)
			k[i] = i % 20 == 0 ? rand_key_weight(g, 16) : rand_key(g);
		gsl_rng_free(g);
		struct ks_result r;
		char err[128];
		cr_assert_eq(ks_analyze(k, 2000, &probe, 0.01, &r, err, sizeof err), 0);
		cr_assert_eq(r.decision, KS_NOT_RANDOM, "seed %u", s);
		cr_assert_eq(r.chi_decision, KS_NOT_RANDOM, "seed %u", s);
		cr_assert(r.bins[16].outlier, "seed %u: weight 16 not an outlier", s);
		cr_assert_eq(r.probe_weight, 16);
		cr_assert(r.share.computed && r.share.at_probe_weight && r.share.weight == 16);
		cr_assert(r.share.lo < r.share.share && r.share.share < r.share.hi);
		covered += r.share.lo <= 0.05 && 0.05 <= r.share.hi;
		for (int w = 0; w < KS_WEIGHTS; w++)
			if (r.bins[w].outlier && w != 16)
				cr_assert_lt(r.bins[w].observed, r.bins[w].expected, "seed %u: excess at %d",
				             s, w);
		ks_result_free(&r);
		/* without the probe key, the estimate goes to the outlier itself */
		cr_assert_eq(ks_analyze(k, 2000, NULL, 0.01, &r, err, sizeof err), 0);
		cr_assert(r.share.computed && !r.share.at_probe_weight && r.share.weight == 16, "seed %u", s);
		ks_result_free(&r);
	}
	/* 99% intervals: the 5% share lies inside in at least 46 of 50 seeds */
	fprintf(stderr,
	        "keystats: 5%% replays at weight 16 in 2000 keys: found in 50/50 seeds, 99%% CI covered "
	        "5%% in %u/50\n",
	        covered);
	cr_assert_geq(covered, 46);
}

/* Bits 31 and 63 forced to 0 in 2000 keys: both named in every one of 50
 * seeds, as stuck at 0, and other bits almost never. */
Test(keystats, detects_stuck_bits)
{
	uint64_t k[2000];
	unsigned extra = 0;
	for (unsigned s = 0; s < 50; s++) {
		gsl_rng *g = rng(7000 + s);
		for (int i = 0; i < 2000; i++)
			k[i] = rand_key(g) & ~(1ull << 31 | 1ull << 63);
		gsl_rng_free(g);
		struct ks_result r;
		char err[128];
		cr_assert_eq(ks_analyze(k, 2000, NULL, 0.01, &r, err, sizeof err), 0);
		cr_assert(r.bits[31].biased && r.bits[63].biased, "seed %u", s);
		cr_assert(r.bits[31].ones == 0 && r.bits[63].ones == 0);
		extra += (unsigned)r.n_biased - 2;
		cr_assert_eq(r.decision, KS_NOT_RANDOM);
		ks_result_free(&r);
	}
	fprintf(stderr,
	        "keystats: bits 31+63 stuck in 2000 keys: found in 50/50 seeds, %u other bits flagged\n",
	        extra);
	cr_assert_leq(extra, 3);
}

/* A single stuck bit is found with far fewer keys: 2^-(n-1) * 64 < 0.01 once
 * n >= 14 (P(all n zero) two-sided = 2^-(n-1), times 64 for Holm). */
Test(keystats, stuck_bit_needs_14_keys)
{
	uint64_t k[14];
	gsl_rng *g = rng(42);
	for (int i = 0; i < 14; i++)
		k[i] = rand_key(g) & ~(1ull << 5);
	gsl_rng_free(g);
	struct ks_result r;
	char err[128];
	cr_assert_eq(ks_analyze(k, 13, NULL, 0.01, &r, err, sizeof err), 0);
	cr_assert(!r.bits[5].biased); /* 64 * 2^-12 = 0.0156 */
	ks_result_free(&r);
	cr_assert_eq(ks_analyze(k, 14, NULL, 0.01, &r, err, sizeof err), 0);
	cr_assert(r.bits[5].biased); /* 64 * 2^-13 = 0.0078 */
	ks_result_free(&r);
}

/* Extreme but valid data: 200 000 copies of the probe key.  The empty bins
 * (e.g. weight 32: P(X = 0) = (1 - 0.099)^200000) underflow inside GSL, whose
 * default handler would abort; every p must still be a number. */
Test(keystats, extreme_data_does_not_abort)
{
	const uint64_t probe = 0x0c0c0c0c0c0c0c0cull;
	size_t n = 200000;
	uint64_t *k = malloc(n * sizeof *k);
	for (size_t i = 0; i < n; i++)
		k[i] = probe;
	struct ks_result r;
	char err[128];
	cr_assert_eq(ks_analyze(k, n, &probe, 0.01, &r, err, sizeof err), 0);
	for (int w = 0; w < KS_WEIGHTS; w++)
		cr_assert(r.bins[w].p >= 0.0 && r.bins[w].p <= 1.0, "weight %d: p %g", w, r.bins[w].p);
	for (int b = 0; b < KS_BITS; b++)
		cr_assert(r.bits[b].p >= 0.0 && r.bits[b].p <= 1.0);
	cr_assert_eq(r.decision, KS_NOT_RANDOM);
	cr_assert(r.bins[16].outlier && r.n_biased == 64 && r.ndups == 1 && r.dups[0].count == n);
	cr_assert(r.share.computed && r.share.at_probe_weight && r.share.share > 0.9999);
	cr_assert(r.share.lo > 0.9999 && r.share.hi == 1.0);
	ks_result_free(&r);
	free(k);
	double lo, hi;
	ks_clopper_pearson(4, 2000, 0.99, &lo, &hi); /* gsl_cdf_beta_Pinv fails to converge here */
	cr_assert(isfinite(hi) && hi > lo && hi < 0.01, "%g %g", lo, hi);
}

/* A group's probe key: its most common probe key, the smallest on a tie. */
Test(keystats, probe_key_is_the_most_common_smallest_on_a_tie)
{
	uint64_t v[] = { 9, 5, 3, 5, 3, 1 }, k = 0;
	cr_assert(ks_probe_key(v, 6, &k));
	cr_assert_eq(k, 3);
	uint64_t w[] = { 7, 2, 7 };
	cr_assert(ks_probe_key(w, 3, &k));
	cr_assert_eq(k, 7);
	k = 42;
	cr_assert(!ks_probe_key(w, 0, &k));
	cr_assert_eq(k, 42);
}
