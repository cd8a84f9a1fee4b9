/* keystats.h — are the returned MP_CAPABLE keys random?  Statistical tests
 * over an array of 64-bit keys, for any group of responders.
 *
 * A real MPTCP host draws its key at random, so the Hamming weight of a key
 * follows Binomial(64, 1/2), each bit is 1 with probability 1/2 and two hosts
 * never share a key; a middlebox that replays the probe's option returns the
 * probe key, whose weight then piles up in one bin.  These functions test
 * exactly that:
 *
 *   - weight histogram 0..64 against n*C(64,w)/2^64; Pearson chi-square and
 *     the likelihood-ratio G-test over neighbouring bins pooled until every
 *     expected count is at least KS_MIN_EXPECTED (ks_pool_cells);
 *   - an exact two-sided binomial test per weight bin, Holm-corrected over the
 *     65 bins (outlier bins; the probe key's weight is the replay signature);
 *   - an exact two-sided binomial test of the ones per bit position against
 *     1/2, Holm-corrected over the 64 positions (stuck or biased bits);
 *   - duplicated keys, with the probability of at least that many colliding
 *     pairs among n random keys;
 *   - the replay share estimated from the excess at the outlier weight, with a
 *     Clopper-Pearson interval;
 *   - an overall verdict: Bonferroni over the tests that could be run.
 *
 * Every distribution function and tail probability comes from GSL.  The
 * two-sided exact binomial test is defined as scipy.stats.binomtest defines
 * it.  docs/methodology.md ("Statistics") explains each test and how to read
 * it.  Pure functions: no I/O, no global state of their own; the caller owns
 * every buffer.  One caveat: GSL's default error handler aborts the program
 * on an underflow or a failed inverse, which extreme but valid data can
 * cause, so each ks_ function switches GSL's handler off while it runs (the
 * statuses are handled) and restores the caller's before returning; do not
 * call them while another thread relies on GSL's handler.
 */
#ifndef MPCAP_KEYSTATS_H
#define MPCAP_KEYSTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KS_WEIGHTS 65           /* Hamming weights 0..64 */
#define KS_BITS 64              /* bit positions; bit 63 is the most significant */
#define KS_MIN_EXPECTED 5.0     /* smallest expected count of a chi-square cell */
#define KS_MAX_KEYS 4294967295u /* GSL's binomial functions take unsigned int n */

/* P(weight = w) for a uniformly random 64-bit key: C(64,w)/2^64. */
double ks_weight_pmf(int w);

/* Two-sided exact binomial test of k successes in n trials against p, as
 * scipy.stats.binomtest(k, n, p, alternative="two-sided"): the sum of the
 * probabilities of every outcome j with pmf(j) <= pmf(k) * (1 + 1e-7), capped
 * at 1; exactly 1 when k == n*p. */
double ks_binom_test(unsigned k, unsigned n, double p);

/* Holm's step-down adjustment of m p-values: with p sorted ascending,
 * adj_(i) = max over j <= i of min(1, (m - j + 1) * p_(j)) (1-based).
 * adj may alias p.  m <= KS_WEIGHTS. */
void ks_holm(const double *p, size_t m, double *adj);

/* A chi-square cell: the weights lo..hi pooled. */
struct ks_cell {
	int lo, hi;
	uint64_t observed;
	double expected;
};

/* Pools neighbouring weight bins from both tails inwards, alternately: a cell
 * grows from the lowest unpooled weight upwards until its expected count
 * reaches min_expected, then a cell grows from the highest unpooled weight
 * downwards, and so on until the two meet.  Only the last cell built (the
 * central one) can fall short; it is then merged into whichever neighbour has
 * the smaller expected count (the lower one on a tie).  Fills cells[] in
 * increasing weight order, observed and expected summed, and returns their
 * number (1 when the keys are too few for two cells: no chi-square test;
 * 2 cells need about 12 keys). */
int ks_pool_cells(const uint64_t observed[KS_WEIGHTS], const double expected[KS_WEIGHTS], double min_expected,
                  struct ks_cell cells[KS_WEIGHTS]);

/* Clopper-Pearson ("exact") interval for a binomial proportion k/n at the
 * given confidence level (e.g. 0.99), from GSL's beta quantiles. */
void ks_clopper_pearson(unsigned k, unsigned n, double level, double *lo, double *hi);

enum ks_decision {
	KS_TOO_FEW = 0,    /* the test cannot be run on so few keys */
	KS_CONSISTENT = 1, /* no evidence against random keys at alpha */
	KS_NOT_RANDOM = 2, /* p < alpha */
};
/* "too-few-keys", "consistent", "not-random" */
const char *ks_decision_name(enum ks_decision d);

struct ks_weight_bin {
	uint64_t observed;
	double expected; /* n * pmf */
	double p;        /* exact two-sided binomial test of observed vs Binomial(n, pmf) */
	double p_holm;   /* Holm-adjusted over the 65 bins */
	int cell;        /* index of its chi-square cell */
	bool outlier;    /* p_holm < alpha */
};

struct ks_bit {
	uint64_t ones;
	double p, p_holm; /* exact two-sided binomial test of ones vs Binomial(n, 1/2); Holm over 64 bits */
	bool biased;      /* p_holm < alpha */
};

struct ks_dup {
	uint64_t key;
	size_t count; /* keys equal to it (>= 2) */
};

/* Replay share from the excess at one weight w: replayed keys all have weight
 * w, real keys have it with probability p0 = pmf(w), so a key has weight w
 * with probability pi = r + (1 - r) * p0.  pi is estimated by observed/n with
 * a Clopper-Pearson interval, and mapped to r = (pi - p0) / (1 - p0), clipped
 * at 0.  r is then about excess / n with excess = observed - n * p0. */
struct ks_share {
	bool computed;
	bool at_probe_weight; /* w is the probe key's weight (else: the most significant excess bin) */
	int weight;
	uint64_t observed;
	double expected, excess, share, lo, hi, level;
};

struct ks_result {
	size_t n;
	double alpha;
	bool has_probe;
	uint64_t probe_key;
	int probe_weight; /* -1 when no probe key */

	/* weight histogram, exact tests per bin */
	struct ks_weight_bin bins[KS_WEIGHTS];
	int n_outliers;
	double bins_p; /* smallest Holm-adjusted p: the family-wise p of "some bin deviates" */
	enum ks_decision bins_decision;

	/* Pearson chi-square and G over pooled cells */
	int ncells;
	struct ks_cell cells[KS_WEIGHTS];
	int df;
	double pearson, pearson_p, g, g_p;
	enum ks_decision chi_decision, g_decision; /* KS_TOO_FEW when fewer than 2 cells */

	/* bit positions */
	struct ks_bit bits[KS_BITS];
	int n_biased;
	double bits_p; /* smallest Holm-adjusted p */
	enum ks_decision bits_decision;

	/* duplicates: groups sorted by count (largest first), then key */
	struct ks_dup *dups;
	size_t ndups;        /* distinct keys seen more than once */
	size_t dup_keys;     /* keys in those groups */
	uint64_t dup_pairs;  /* colliding pairs: sum of C(count, 2) */
	double dup_expected; /* C(n,2) / 2^64: expected pairs among random keys */
	double dup_p;        /* P(Poisson(dup_expected) >= dup_pairs) */
	enum ks_decision dup_decision;

	struct ks_share share;

	/* overall: Bonferroni over the tests run (chi-square when possible,
	 * weight bins, bits, duplicates; the G-test duplicates the chi-square
	 * and is not counted) */
	int ntests;
	double min_p;     /* the smallest p of those tests (the Bonferroni statistic) */
	double overall_p; /* min(1, ntests * min_p) */
	enum ks_decision decision;
};

/* Runs every test on n keys.  probe_key may be NULL (unknown).  alpha in
 * (0,1) is the significance level; intervals are at confidence 1 - alpha.
 * Returns 0, or -1 with err (bad arguments, out of memory).  Free with
 * ks_result_free. */
int ks_analyze(const uint64_t *keys, size_t n, const uint64_t *probe_key, double alpha, struct ks_result *out,
               char *err, size_t errlen);
void ks_result_free(struct ks_result *r);

/* A p-value as every CSV writes it: %.6g, an underflow below the smallest
 * normal double written as that double (2.22507e-308), never 0; "" when not
 * finite. */
void ks_format_p(double p, char *buf, size_t n);

/* A group's probe key: the most common of its rows' probe keys v[0..n)
 * (sorted in place), the smallest on a tie; false when n == 0. */
bool ks_probe_key(uint64_t *v, size_t n, uint64_t *out);

#endif
