/* cmd_stats.c — `mpcap stats`: are the returned keys random?  Reads the keys
 * of targets.csv files (or mpcap dump CSVs), groups them (all keys, and per
 * --by columns), runs the tests of keystats.h on every group before and after
 * removing the middlebox verdicts (verdict.h), writes one CSV per test and per
 * table through outdir.h, and prints a plain-language summary on stdout. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/base/csv_io.h"
#include "analyzer/base/text.h"
#include "analyzer/results/columns.h"
#include "analyzer/results/outdir.h"
#include "analyzer/results/results_dir.h"
#include "analyzer/results/targets_csv.h"
#include "analyzer/results/manifest.h"
#include "cli/cli.h"
#include "report/stats/keystats.h"

void help_stats(FILE *out)
{
	fputs("usage: mpcap stats [-o DIR] [--alpha A] [--by COLUMN[,COLUMN...]]... [-q] RESULTS...\n"
	      "\n"
	      "Are the returned MP_CAPABLE keys random?  Real MPTCP keys are random 64-bit\n"
	      "numbers: their Hamming weights follow Binomial(64, 1/2), each bit is 1 half\n"
	      "the time, and no two hosts share one.  Replayed keys pile up at the probe\n"
	      "key's weight.  For all keys, and for each group of the --by columns, before\n"
	      "and after removing replays, mpcap stats runs:\n"
	      "  - Pearson chi-square and G-test of the weight histogram against n*C(64,w)/2^64\n"
	      "    (neighbouring weights pooled until every expected count is >= 5);\n"
	      "  - an exact binomial test per weight (Holm-corrected): outlier weights, and\n"
	      "    whether the outlier is the probe key's weight (the replay signature);\n"
	      "  - an exact binomial test of each of the 64 bit positions against 1/2 (Holm);\n"
	      "  - duplicated keys; the replay share from the excess at the outlier weight.\n"
	      "See docs/methodology.md, \"Statistics\", for how to read them.\n"
	      "\n"
	      "RESULTS are targets.csv files of 'mpcap analyze', directories holding one, or\n"
	      "CSV files of 'mpcap dump' (every SYN-ACK's sender key).  \"After removing\n"
	      "replays\" drops the verdicts replay, modified and shared-key; a file without a\n"
	      "verdict column drops the keys equal to their probe key instead.\n"
	      "\n"
	      "Writes, atomically, into DIR (one row per group and subset all/cleaned):\n"
	      "  chisquare.csv gtest.csv weight-bins.csv bits.csv duplicates.csv\n"
	      "  randomness.csv   the tests combined (Bonferroni): smallest p, tests, p, decision\n"
	      "  histogram.csv    weights 0..64: observed, expected, exact test, outliers\n"
	      "  bit-table.csv    bit positions 63..0: ones, exact test, biased bits\n"
	      "  duplicate-keys.csv, replay-share.csv\n"
	      "and a summary on stdout.\n"
	      "\n"
	      "  -o, --output DIR   output directory (default: mpcap-stats; created if missing)\n"
	      "      --alpha A      significance level, 0 < A < 1 (default 0.01); intervals are\n"
	      "                     at confidence 1 - A\n"
	      "      --by COLUMNS   also test each group of these columns (any column of the\n"
	      "                     input, e.g. scan, port, family, verdict); a comma-separated\n"
	      "                     list groups by the combination; repeat for several groupings\n"
	      "  -q, --quiet        no summary on stdout\n"
	      "  -h, --help         this text\n"
	      "\n"
	      "Example: mpcap stats -o stats --by scan --by port,family results-2020-*\n"
	      "\n"
	      "Exit status: 0 ok, 1 error (nothing written), 2 usage.\n",
	      out);
}

#define MAX_BY 16     /* groupings */
#define MAX_BY_COLS 8 /* columns per grouping */
#define STATS_ALPHA 0.01

struct grouping {
	int ncols;
	const char *cols[MAX_BY_COLS];
	char *spec; /* owned copy of the --by argument, the names point into it */
};

struct record {
	uint64_t key;
	uint64_t probe;
	bool has_probe;
	bool removed;  /* a middlebox verdict (or key == probe key without verdicts) */
	char **labels; /* per --by grouping: "COLUMN=VALUE;..." (NULL without --by) */
};

struct input {
	const struct grouping *by;
	int nby;
	size_t nsrc;
	struct record *rec;
	size_t nrec, cap;
	bool any_verdict, any_fallback, any_dump;
};

static int push_record(struct input *in, const struct record *r, char *err, size_t errlen)
{
	if (in->nrec == in->cap) {
		size_t nc = in->cap ? in->cap * 2 : 1024;
		struct record *n = realloc(in->rec, nc * sizeof *n);
		if (!n) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		in->rec = n;
		in->cap = nc;
	}
	in->rec[in->nrec++] = *r;
	return 0;
}

/* The --by labels of a row: fields by header position, idx[g][c] the
 * position of grouping g's column c.  0, or -1 when out of memory. */
static int make_labels(const struct input *in, const int idx[MAX_BY][MAX_BY_COLS], char *const *f,
                       struct record *rec)
{
	if (!in->nby)
		return 0;
	if (!(rec->labels = calloc((size_t)in->nby, sizeof *rec->labels)))
		return -1;
	for (int g = 0; g < in->nby; g++) {
		const struct grouping *by = &in->by[g];
		size_t len = 1;
		for (int c = 0; c < by->ncols; c++)
			len += strlen(by->cols[c]) + strlen(f[idx[g][c]]) + 2;
		if (!(rec->labels[g] = malloc(len)))
			return -1;
		size_t used = 0;
		for (int c = 0; c < by->ncols; c++)
			used += (size_t)snprintf(rec->labels[g] + used, len - used, "%s%s=%s", c ? ";" : "",
			                         by->cols[c], f[idx[g][c]]);
	}
	return 0;
}

static void record_free(const struct input *in, struct record *r)
{
	for (int g = 0; r->labels && g < in->nby; g++)
		free(r->labels[g]);
	free(r->labels);
}

/* Adds a record with its labels; -1 (err) when out of memory. */
static int add_record(struct input *in, const int idx[MAX_BY][MAX_BY_COLS], char *const *f,
                      struct record *rec, char *err, size_t errlen)
{
	if (make_labels(in, idx, f, rec) != 0 || push_record(in, rec, err, errlen) != 0) {
		record_free(in, rec);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* A targets.csv of mpcap analyze (targets_csv.h): one key per row. */
static int load_targets(struct input *in, struct csv_reader *csv, const int idx[MAX_BY][MAX_BY_COLS],
                        char *err, size_t errlen)
{
	struct targets_reader *tr =
	    targets_open_csv(csv, TARGETS_COL(TARGETS_KEY),
	                     TARGETS_COL(TARGETS_PROBE_KEY) | TARGETS_COL(TARGETS_VERDICT), err, errlen);
	if (!tr)
		return -1;
	bool has_verdict = targets_has(tr, TARGETS_VERDICT);
	if (has_verdict)
		in->any_verdict = true;
	else
		in->any_fallback = true;
	struct targets_row row;
	int rc;
	while ((rc = targets_next(tr, &row, err, errlen)) == 1) {
		if (!row.has_key)
			continue;
		struct record rec = { row.key, row.probe_key, row.has_probe_key, false, NULL };
		rec.removed =
		    has_verdict ? verdict_is_middlebox(row.verdict) : rec.has_probe && rec.key == rec.probe;
		if ((rc = add_record(in, idx, row.fields, &rec, err, errlen)) != 0)
			break;
	}
	targets_close(tr);
	return rc;
}

/* An mpcap dump CSV: the sender key of every SYN-ACK (not quoted in ICMP);
 * the probe key is the most frequent sender key of the SYNs. */
static int load_dump(struct input *in, struct csv_reader *csv, const int idx[MAX_BY][MAX_BY_COLS], char *err,
                     size_t errlen)
{
	int kc = csv_reader_col(csv, column_name(COLSET_DUMP, DUMP_SENDER_KEY)),
	    fc = csv_reader_col(csv, column_name(COLSET_DUMP, DUMP_TCP_FLAGS)),
	    qc = csv_reader_col(csv, column_name(COLSET_DUMP, DUMP_IN_ICMP_QUOTE));
	uint64_t *probes = NULL, probe = 0;
	size_t np = 0, capp = 0;
	in->any_dump = in->any_fallback = true;
	size_t first = in->nrec;
	char *const *f;
	int rc;
	while ((rc = csv_reader_next(csv, &f, err, errlen)) == 1) {
		if (!f[kc][0] || (qc >= 0 && strcmp(f[qc], "0") != 0))
			continue;
		bool synack = strcmp(f[fc], "0x12") == 0, syn = strcmp(f[fc], "0x02") == 0;
		if (!synack && !syn)
			continue;
		uint64_t k;
		if (!parse_key(f[kc], &k)) {
			snprintf(err, errlen,
			         "%s: line %zu: sender_key '%.40s' is not 16 lowercase hex digits",
			         csv_reader_path(csv), csv_reader_record(csv), f[kc]);
			rc = -1;
			break;
		}
		if (syn) {
			if (np == capp) {
				size_t nc = capp ? capp * 2 : 1024;
				uint64_t *n = realloc(probes, nc * sizeof *n);
				if (!n) {
					snprintf(err, errlen, "out of memory");
					rc = -1;
					break;
				}
				probes = n;
				capp = nc;
			}
			probes[np++] = k;
			continue;
		}
		struct record rec = { k, 0, false, false, NULL };
		if ((rc = add_record(in, idx, f, &rec, err, errlen)) != 0)
			break;
	}
	csv_reader_close(csv);
	bool has_probe = ks_probe_key(probes, np, &probe);
	free(probes);
	for (size_t i = first; i < in->nrec; i++) {
		in->rec[i].has_probe = has_probe;
		in->rec[i].probe = probe;
		in->rec[i].removed = has_probe && in->rec[i].key == probe;
	}
	return rc;
}

static int load_source(struct input *in, const char *arg, char *err, size_t errlen)
{
	if (results_dir_check(arg, err, errlen) != 0)
		return -1;
	char *path = results_targets_path(arg);
	if (!path) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	struct csv_reader *csv = csv_reader_open(path, err, errlen);
	int idx[MAX_BY][MAX_BY_COLS];
	int rc = -1;
	if (!csv)
		goto out;
	in->nsrc++;
	for (int g = 0; g < in->nby; g++)
		for (int c = 0; c < in->by[g].ncols; c++) {
			idx[g][c] = csv_reader_col(csv, in->by[g].cols[c]);
			if (idx[g][c] < 0) {
				snprintf(err, errlen, "%s: no column '%s' (asked for by --by)", path,
				         in->by[g].cols[c]);
				csv_reader_close(csv);
				goto out;
			}
		}
	if (csv_reader_col(csv, column_name(COLSET_TARGETS, TARGETS_KEY)) >= 0)
		rc = load_targets(in, csv, idx, err, errlen);
	else if (csv_reader_col(csv, column_name(COLSET_DUMP, DUMP_SENDER_KEY)) >= 0 &&
	         csv_reader_col(csv, column_name(COLSET_DUMP, DUMP_TCP_FLAGS)) >= 0)
		rc = load_dump(in, csv, idx, err, errlen);
	else {
		snprintf(err, errlen,
		         "%s: no 'key' column: not a targets.csv of mpcap analyze (nor an mpcap dump CSV)",
		         path);
		csv_reader_close(csv);
	}
out:
	free(path);
	return rc;
}

static void input_free(struct input *in)
{
	for (size_t i = 0; i < in->nrec; i++)
		record_free(in, &in->rec[i]);
	free(in->rec);
}

/* ---- outputs */

enum out_file {
	OUT_CHISQUARE,
	OUT_GTEST,
	OUT_WEIGHT_BINS,
	OUT_BITS,
	OUT_DUPLICATES,
	OUT_RANDOMNESS,
	OUT_HISTOGRAM,
	OUT_BIT_TABLE,
	OUT_DUPLICATE_KEYS,
	OUT_REPLAY_SHARE,
	OUT_COUNT
};

static const struct {
	const char *name;
	enum column_set_id set;
} out_files[OUT_COUNT] = {
	[OUT_CHISQUARE] = { "chisquare.csv", COLSET_STATS_CHISQUARE },
	[OUT_GTEST] = { "gtest.csv", COLSET_STATS_GTEST },
	[OUT_WEIGHT_BINS] = { "weight-bins.csv", COLSET_STATS_WEIGHT_BINS },
	[OUT_BITS] = { "bits.csv", COLSET_STATS_BITS },
	[OUT_DUPLICATES] = { "duplicates.csv", COLSET_STATS_DUPLICATES },
	[OUT_RANDOMNESS] = { "randomness.csv", COLSET_STATS_RANDOMNESS },
	[OUT_HISTOGRAM] = { "histogram.csv", COLSET_STATS_HISTOGRAM },
	[OUT_BIT_TABLE] = { "bit-table.csv", COLSET_STATS_BIT_TABLE },
	[OUT_DUPLICATE_KEYS] = { "duplicate-keys.csv", COLSET_STATS_DUPLICATE_KEYS },
	[OUT_REPLAY_SHARE] = { "replay-share.csv", COLSET_STATS_REPLAY_SHARE },
};

struct outputs {
	struct outdir dir;
	FILE *fp[OUT_COUNT];
	FILE *failed; /* the file whose write failed first, or NULL */
	int failed_errno;
};

static void fmt_num(char *buf, size_t n, double v)
{
	snprintf(buf, n, "%.10g", v);
}

static void row(struct outputs *o, enum out_file f, const char *const *fields, size_t n)
{
	if (!o->failed && csv_write_row(o->fp[f], fields, n) != 0) {
		o->failed = o->fp[f];
		o->failed_errno = errno;
	}
}

/* One row of a test file: group,subset,n,statistic,df,p,decision,extra...
 * p-values as ks_format_p writes them (%.6g, never 0); stat_is_p: the
 * statistic is itself a p-value (randomness.csv's smallest p). */
static void test_row(struct outputs *o, enum out_file f, const char *group, const char *subset, size_t n,
                     enum ks_decision d, double stat, bool stat_is_p, int df, double p, const char *extra1,
                     const char *extra2)
{
	char ns[24], ss[32] = "", dfs[12] = "", ps[32] = "";
	snprintf(ns, sizeof ns, "%zu", n);
	if (d != KS_TOO_FEW) {
		if (stat_is_p)
			ks_format_p(stat, ss, sizeof ss);
		else
			fmt_num(ss, sizeof ss, stat);
		if (df > 0)
			snprintf(dfs, sizeof dfs, "%d", df);
		ks_format_p(p, ps, sizeof ps);
	}
	const char *fields[] = { group, subset, ns, ss, dfs, ps, ks_decision_name(d), extra1, extra2 };
	row(o, f, fields, extra2 ? 9 : extra1 ? 8 : 7);
}

/* Appends "s" to a growing ';'-separated list in buf. */
static void list_add(char *buf, size_t n, const char *s)
{
	size_t l = strlen(buf);
	if (l + strlen(s) + 2 < n)
		snprintf(buf + l, n - l, "%s%s", l ? ";" : "", s);
}

static const char *bit_flag(const struct ks_bit *b, size_t n)
{
	if (!b->biased)
		return "";
	if (b->ones == 0)
		return "stuck-0";
	if (b->ones == n)
		return "stuck-1";
	return 2 * b->ones > n ? "biased-1" : "biased-0";
}

static const char *bin_flag(const struct ks_weight_bin *b)
{
	if (!b->outlier)
		return "";
	return (double)b->observed > b->expected ? "excess" : "deficit";
}

static void write_result(struct outputs *o, const char *group, const char *subset, const struct ks_result *r)
{
	char buf[4096], ns[24];
	snprintf(ns, sizeof ns, "%zu", r->n);

	/* chi-square and G, with their cells */
	buf[0] = '\0';
	for (int c = 0; c < r->ncells && r->n > 0; c++) {
		char cell[16];
		if (r->cells[c].lo == r->cells[c].hi)
			snprintf(cell, sizeof cell, "%d", r->cells[c].lo);
		else
			snprintf(cell, sizeof cell, "%d-%d", r->cells[c].lo, r->cells[c].hi);
		list_add(buf, sizeof buf, cell);
	}
	test_row(o, OUT_CHISQUARE, group, subset, r->n, r->chi_decision, r->pearson, false, r->df,
	         r->pearson_p, buf, NULL);
	test_row(o, OUT_GTEST, group, subset, r->n, r->g_decision, r->g, false, r->df, r->g_p, buf, NULL);

	/* weight bins */
	buf[0] = '\0';
	for (int w = 0; w < KS_WEIGHTS; w++) {
		if (!r->bins[w].outlier)
			continue;
		char item[48];
		snprintf(item, sizeof item, "%d:%s%s", w, bin_flag(&r->bins[w]),
		         w == r->probe_weight ? ":probe-weight" : "");
		list_add(buf, sizeof buf, item);
	}
	test_row(o, OUT_WEIGHT_BINS, group, subset, r->n, r->bins_decision, r->n_outliers, false, 0,
	         r->bins_p, buf, NULL);

	/* bits */
	buf[0] = '\0';
	for (int b = KS_BITS - 1; b >= 0; b--) {
		if (!r->bits[b].biased)
			continue;
		char item[32];
		snprintf(item, sizeof item, "%d:%s", b, bit_flag(&r->bits[b], r->n));
		list_add(buf, sizeof buf, item);
	}
	test_row(o, OUT_BITS, group, subset, r->n, r->bits_decision, r->n_biased, false, 0, r->bits_p, buf,
	         NULL);

	/* duplicates */
	char nd[24], ex[32];
	snprintf(nd, sizeof nd, "%zu", r->ndups);
	fmt_num(ex, sizeof ex, r->dup_expected);
	test_row(o, OUT_DUPLICATES, group, subset, r->n, r->dup_decision, (double)r->dup_pairs, false, 0,
	         r->dup_p, nd, ex);

	/* overall */
	buf[0] = '\0';
	if (r->chi_decision == KS_NOT_RANDOM)
		list_add(buf, sizeof buf, "chisquare");
	if (r->bins_decision == KS_NOT_RANDOM)
		list_add(buf, sizeof buf, "weight-bins");
	if (r->bits_decision == KS_NOT_RANDOM)
		list_add(buf, sizeof buf, "bits");
	if (r->dup_decision == KS_NOT_RANDOM)
		list_add(buf, sizeof buf, "duplicates");
	char nt[12];
	snprintf(nt, sizeof nt, "%d", r->ntests);
	test_row(o, OUT_RANDOMNESS, group, subset, r->n, r->decision, r->min_p, true, 0, r->overall_p, nt,
	         buf);

	/* histogram */
	for (int w = 0; w < KS_WEIGHTS; w++) {
		const struct ks_weight_bin *b = &r->bins[w];
		char ws[8], obs[24], exp[32], cell[8], p[32] = "", ph[32] = "";
		snprintf(ws, sizeof ws, "%d", w);
		snprintf(obs, sizeof obs, "%llu", (unsigned long long)b->observed);
		fmt_num(exp, sizeof exp, b->expected);
		snprintf(cell, sizeof cell, "%d", b->cell);
		if (r->n > 0) {
			ks_format_p(b->p, p, sizeof p);
			ks_format_p(b->p_holm, ph, sizeof ph);
		}
		const char *f[] = { group, subset, ws, obs,         exp,
			            cell,  p,      ph, bin_flag(b), w == r->probe_weight ? "1" : "0" };
		row(o, OUT_HISTOGRAM, f, sizeof f / sizeof f[0]);
	}

	/* bit table, most significant bit first */
	for (int bi = KS_BITS - 1; bi >= 0; bi--) {
		const struct ks_bit *b = &r->bits[bi];
		char bs[8], ones[24], frac[32] = "", p[32] = "", ph[32] = "";
		snprintf(bs, sizeof bs, "%d", bi);
		snprintf(ones, sizeof ones, "%llu", (unsigned long long)b->ones);
		if (r->n > 0) {
			fmt_num(frac, sizeof frac, (double)b->ones / (double)r->n);
			ks_format_p(b->p, p, sizeof p);
			ks_format_p(b->p_holm, ph, sizeof ph);
		}
		const char *f[] = { group, subset, bs, ones, ns, frac, p, ph, bit_flag(b, r->n) };
		row(o, OUT_BIT_TABLE, f, sizeof f / sizeof f[0]);
	}

	/* duplicate keys */
	for (size_t i = 0; i < r->ndups; i++) {
		char key[17], cnt[24], wt[8];
		format_key(r->dups[i].key, key);
		snprintf(cnt, sizeof cnt, "%zu", r->dups[i].count);
		snprintf(wt, sizeof wt, "%d", __builtin_popcountll(r->dups[i].key));
		const char *f[] = {
			group, subset, key,
			cnt,   wt,     r->has_probe && r->dups[i].key == r->probe_key ? "1" : "0"
		};
		row(o, OUT_DUPLICATE_KEYS, f, sizeof f / sizeof f[0]);
	}

	/* replay share */
	if (r->share.computed) {
		const struct ks_share *s = &r->share;
		char ws[8], obs[24], exp[32], exc[32], sh[32], lo[32], hi[32], lv[32];
		snprintf(ws, sizeof ws, "%d", s->weight);
		snprintf(obs, sizeof obs, "%llu", (unsigned long long)s->observed);
		fmt_num(exp, sizeof exp, s->expected);
		fmt_num(exc, sizeof exc, s->excess);
		fmt_num(sh, sizeof sh, s->share);
		fmt_num(lo, sizeof lo, s->lo);
		fmt_num(hi, sizeof hi, s->hi);
		fmt_num(lv, sizeof lv, s->level);
		const char *f[] = { group, subset, ns,  ws, s->at_probe_weight ? "probe-weight" : "outlier",
			            obs,   exp,    exc, sh, lo,
			            hi,    lv };
		row(o, OUT_REPLAY_SHARE, f, sizeof f / sizeof f[0]);
	}
}

/* ---- the plain-language summary */

static const char *fmt_p(char *buf, size_t n, double p)
{
	if (p < 1e-300)
		snprintf(buf, n, "p < 1e-300");
	else
		snprintf(buf, n, "p = %.2g", p);
	return buf;
}

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* The tests that reject on their own, as "a, b"; returns how many. */
static int rejected(const struct ks_result *r, char *buf, size_t n)
{
	const char *names[4];
	int k = 0;
	if (r->chi_decision == KS_NOT_RANDOM)
		names[k++] = "chi-square";
	if (r->bins_decision == KS_NOT_RANDOM)
		names[k++] = "outlier weights";
	if (r->bits_decision == KS_NOT_RANDOM)
		names[k++] = "bit positions";
	if (r->dup_decision == KS_NOT_RANDOM)
		names[k++] = "duplicates";
	buf[0] = '\0';
	for (int i = 0; i < k; i++)
		snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", i ? ", " : "", names[i]);
	return k;
}

/* "N keys; chi-square X, D df, p = P: verdict (why)" */
static void describe_verdict(FILE *out, const struct ks_result *r)
{
	char pb[32], why[96];
	fprintf(out, "%zu key%s", r->n, plural(r->n));
	if (r->n == 0) {
		fprintf(out, ": nothing to test");
		return;
	}
	if (r->chi_decision == KS_TOO_FEW)
		fprintf(out, " (too few for chi-square: exact tests only)");
	else
		fprintf(out, "; chi-square %.1f, %d df, %s", r->pearson, r->df,
		        fmt_p(pb, sizeof pb, r->pearson_p));
	int k = rejected(r, why, sizeof why);
	if (r->decision == KS_NOT_RANDOM) {
		fprintf(out, ": not random");
		if (r->chi_decision != KS_NOT_RANDOM || k > 1)
			fprintf(out, " (%s; combined %s)", why, fmt_p(pb, sizeof pb, r->overall_p));
	} else {
		fprintf(out, ": consistent with random keys");
		if (k > 0)
			fprintf(out, " (%s alone below alpha, but combined over %d tests %s)", why, r->ntests,
			        fmt_p(pb, sizeof pb, r->overall_p));
	}
}

static void describe_findings(FILE *out, const struct ks_result *r, const char *indent)
{
	char pb[32];
	if (r->n == 0)
		return;
	/* outlier weights: excesses in detail, deficits by weight */
	int items = 0, shown = 0, ndef = 0;
	fprintf(out, "%s", indent);
	for (int w = 0; w < KS_WEIGHTS; w++) {
		const struct ks_weight_bin *b = &r->bins[w];
		if (!b->outlier)
			continue;
		if ((double)b->observed < b->expected) {
			ndef++;
			continue;
		}
		if (shown++ >= 4) { /* four in detail, then one pointer to the rest */
			if (shown == 5)
				fprintf(out, "; more outliers in weight-bins.csv");
			continue;
		}
		fprintf(out, "%soutlier at weight %d%s (%llu key%s, %.2g expected, Holm %s)",
		        items++ ? "; " : "", w, w == r->probe_weight ? " = probe key weight" : "",
		        (unsigned long long)b->observed, plural(b->observed), b->expected,
		        fmt_p(pb, sizeof pb, b->p_holm));
	}
	if (ndef) {
		fprintf(out, "%stoo few keys at weight%s", items++ ? "; " : "", plural((uint64_t)ndef));
		int k = 0;
		for (int w = 0; w < KS_WEIGHTS; w++) {
			const struct ks_weight_bin *b = &r->bins[w];
			if (!b->outlier || (double)b->observed >= b->expected)
				continue;
			if (k++ == 8) {
				fprintf(out, ", ...");
				break;
			}
			fprintf(out, "%s%d", k > 1 ? ", " : " ", w);
		}
	}
	if (!items)
		fprintf(out, "no outlier weight");
	if (r->share.computed && r->bins[r->share.weight].outlier)
		fprintf(out, "; replay share from the excess at weight %d: %.1f%% (%g%% CI %.1f%%-%.1f%%)",
		        r->share.weight, 100 * r->share.share, 100 * r->share.level, 100 * r->share.lo,
		        100 * r->share.hi);
	else if (r->share.computed)
		fprintf(out, "; replay share at the probe key weight %d: at most %.2g%% (%g%% confidence)",
		        r->share.weight, 100 * r->share.hi, 100 * r->share.level);
	fprintf(out, "\n");
	/* bits */
	if (r->n_biased == 0) {
		fprintf(out, "%sno biased bit", indent);
	} else {
		fprintf(out, "%s%d biased bit%s:", indent, r->n_biased, plural((uint64_t)r->n_biased));
		int k = 0;
		for (int b = KS_BITS - 1; b >= 0; b--) {
			if (!r->bits[b].biased)
				continue;
			if (k == 6) {
				fprintf(out, ", ...");
				break;
			}
			const char *f = bit_flag(&r->bits[b], r->n);
			fprintf(out, "%s %d (%s%llu/%zu ones)", k++ ? "," : "", b,
			        strcmp(f, "stuck-0") == 0   ? "stuck at 0: "
			        : strcmp(f, "stuck-1") == 0 ? "stuck at 1: "
			                                    : "",
			        (unsigned long long)r->bits[b].ones, r->n);
		}
	}
	/* duplicates */
	if (r->ndups == 0) {
		fprintf(out, "; no duplicate key\n");
	} else {
		fprintf(out, "; %zu key%s seen more than once", r->ndups, plural(r->ndups));
		for (size_t i = 0; i < r->ndups && i < 3; i++) {
			char k[17];
			format_key(r->dups[i].key, k);
			fprintf(out, "%s%s x%zu%s", i ? ", " : ": ", k, r->dups[i].count,
			        r->has_probe && r->dups[i].key == r->probe_key ? " (the probe key)" : "");
		}
		fprintf(out, "%s\n", r->ndups > 3 ? ", ..." : "");
	}
}

static void summarize(FILE *out, const char *group, const struct ks_result *all,
                      const struct ks_result *clean, const char *cleaning)
{
	fprintf(out, "%s: ", group);
	describe_verdict(out, all);
	fprintf(out, "\n");
	describe_findings(out, all, "  ");
	size_t removed = all->n - clean->n;
	fprintf(out, "  after removing %zu %s: ", removed, cleaning);
	describe_verdict(out, clean);
	fprintf(out, "\n");
	if (clean->n > 0 && clean->decision == KS_NOT_RANDOM)
		describe_findings(out, clean, "    ");
}

/* ---- groups */

struct run {
	const struct input *in;
	double alpha;
	struct outputs *o;
	bool quiet;
	const char *cleaning;
	/* scratch */
	uint64_t *all, *clean, *probes;
};

static int test_group(struct run *ru, const char *group, const size_t *idx, size_t n, char *err,
                      size_t errlen)
{
	size_t na = 0, nc = 0, np = 0;
	for (size_t i = 0; i < n; i++) {
		const struct record *r = &ru->in->rec[idx[i]];
		ru->all[na++] = r->key;
		if (!r->removed)
			ru->clean[nc++] = r->key;
		if (r->has_probe)
			ru->probes[np++] = r->probe;
	}
	uint64_t probe;
	bool has_probe = ks_probe_key(ru->probes, np, &probe);
	struct ks_result a, c;
	if (ks_analyze(ru->all, na, has_probe ? &probe : NULL, ru->alpha, &a, err, errlen) != 0)
		return -1;
	if (ks_analyze(ru->clean, nc, has_probe ? &probe : NULL, ru->alpha, &c, err, errlen) != 0) {
		ks_result_free(&a);
		return -1;
	}
	write_result(ru->o, group, "all", &a);
	write_result(ru->o, group, "cleaned", &c);
	if (!ru->quiet)
		summarize(stdout, group, &a, &c, ru->cleaning);
	ks_result_free(&a);
	ks_result_free(&c);
	return 0;
}

struct labelled {
	const char *label;
	size_t rec;
};

static int cmp_labelled(const void *a, const void *b)
{
	const struct labelled *x = a, *y = b;
	int c = strverscmp(x->label, y->label);
	if (c)
		return c;
	return x->rec < y->rec ? -1 : x->rec > y->rec;
}

static int test_grouping(struct run *ru, int g, size_t *idx, char *err, size_t errlen)
{
	const struct input *in = ru->in;
	struct labelled *l = calloc(in->nrec ? in->nrec : 1, sizeof *l);
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < in->nrec; i++) {
		l[i].label = in->rec[i].labels[g];
		l[i].rec = i;
	}
	qsort(l, in->nrec, sizeof *l, cmp_labelled);
	int rc = 0;
	for (size_t i = 0; i < in->nrec && rc == 0;) {
		size_t j = i;
		while (j < in->nrec && strcmp(l[j].label, l[i].label) == 0) {
			idx[j - i] = l[j].rec;
			j++;
		}
		rc = test_group(ru, l[i].label, idx, j - i, err, errlen);
		i = j;
	}
	free(l);
	return rc;
}

/* ---- command line */

static int parse_by(const char *arg, struct grouping *g)
{
	g->spec = strdup(arg);
	if (!g->spec)
		return -1;
	g->ncols = 0;
	char *save = NULL;
	for (char *t = strtok_r(g->spec, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (g->ncols == MAX_BY_COLS)
			return -1;
		g->cols[g->ncols++] = t;
	}
	return g->ncols > 0 ? 0 : -1;
}

static int open_outputs(struct outputs *o, const char *dir, char *err, size_t errlen)
{
	if (outdir_open(&o->dir, dir, err, errlen) != 0)
		return -1;
	for (int f = 0; f < OUT_COUNT; f++) {
		if (!(o->fp[f] = outdir_add(&o->dir, out_files[f].name, err, errlen)))
			return -1;
		if (column_set_write_header(o->fp[f], out_files[f].set) != 0)
			return outdir_write_failed(&o->dir, o->fp[f], err, errlen);
	}
	return 0;
}

int cmd_stats(int argc, char **argv, const struct cli_env *env)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' }, { "alpha", required_argument, NULL, 'a' },
		{ "by", required_argument, NULL, 'b' },     { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
	};
	const char *dir = "mpcap-stats";
	double alpha = STATS_ALPHA;
	struct grouping by[MAX_BY];
	int nby = 0, c, rc = EXIT_USAGE;
	bool quiet = false;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			dir = optarg;
			break;
		case 'a': {
			char *end;
			errno = 0;
			alpha = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(alpha > 0.0 && alpha < 1.0)) {
				fprintf(stderr,
				        "mpcap stats: --alpha '%s': expected a number between 0 and 1, e.g. "
				        "0.01\n",
				        optarg);
				goto out;
			}
			break;
		}
		case 'b':
			if (nby == MAX_BY) {
				fprintf(stderr, "mpcap stats: at most %d --by groupings\n", MAX_BY);
				goto out;
			}
			if (parse_by(optarg, &by[nby]) != 0) {
				free(by[nby].spec);
				fprintf(stderr,
				        "mpcap stats: --by '%s': expected column names separated by commas "
				        "(at most "
				        "%d)\n",
				        optarg, MAX_BY_COLS);
				goto out;
			}
			nby++;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			help_stats(stdout);
			rc = EXIT_OK;
			goto out;
		default:
			cli_bad_option("stats", argv, optind, longopts);
			goto out;
		}
	}
	if (optind >= argc) {
		fprintf(stderr,
		        "mpcap stats: no results given (targets.csv files or directories holding one)\n"
		        "Try 'mpcap help stats'.\n");
		goto out;
	}

	char err[8400];
	struct input in = { by, nby, 0, NULL, 0, 0, false, false, false };
	struct outputs o = { 0 };
	struct run ru = { &in, alpha, &o, quiet, NULL, NULL, NULL, NULL };
	size_t *idx = NULL;
	rc = EXIT_ERROR;
	for (int i = optind; i < argc; i++)
		if (load_source(&in, argv[i], err, sizeof err) != 0)
			goto fail;
	if (env && env->stop && *env->stop) {
		fprintf(stderr, "mpcap stats: interrupted; no output written\n");
		rc = EXIT_INTERRUPTED;
		goto done;
	}
	if (in.any_verdict && !in.any_fallback)
		ru.cleaning = "replay, modified and shared-key verdicts";
	else if (in.any_verdict)
		ru.cleaning =
		    "replay, modified and shared-key verdicts (keys equal to the probe key in files without "
		    "a verdict column)";
	else
		ru.cleaning = "keys equal to the probe key (no verdict column)";
	size_t n = in.nrec ? in.nrec : 1;
	ru.all = malloc(n * sizeof *ru.all);
	ru.clean = malloc(n * sizeof *ru.clean);
	ru.probes = malloc(n * sizeof *ru.probes);
	idx = malloc(n * sizeof *idx);
	if (!ru.all || !ru.clean || !ru.probes || !idx) {
		snprintf(err, sizeof err, "out of memory");
		goto fail;
	}
	if (open_outputs(&o, dir, err, sizeof err) != 0)
		goto fail;
	if (!quiet)
		printf("%zu keys from %zu file%s; alpha = %g\n", in.nrec, in.nsrc, in.nsrc == 1 ? "" : "s",
		       alpha);
	for (size_t i = 0; i < in.nrec; i++)
		idx[i] = i;
	if (test_group(&ru, "all", idx, in.nrec, err, sizeof err) != 0)
		goto fail;
	for (int g = 0; g < nby; g++)
		if (test_grouping(&ru, g, idx, err, sizeof err) != 0)
			goto fail;
	if (o.failed) {
		errno = o.failed_errno;
		outdir_write_failed(&o.dir, o.failed, err, sizeof err);
		goto fail;
	}
	if (env && env->stop && *env->stop) {
		fprintf(stderr, "mpcap stats: interrupted; no output written\n");
		rc = EXIT_INTERRUPTED;
		goto done;
	}
	o.dir.manifest = env ? env->manifest : NULL;
	if (o.dir.manifest &&
	    manifest_add_paths(o.dir.manifest, argv + optind, argc - optind, "results", err, sizeof err) != 0)
		goto fail;
	if (outdir_commit(&o.dir, err, sizeof err) != 0)
		goto fail;
	if (!quiet && fflush(stdout) != 0) {
		snprintf(err, sizeof err, "standard output: %s", strerror(errno));
		goto fail;
	}
	if (!quiet) {
		fprintf(stderr, "mpcap stats: %zu key%s -> %s/ (", in.nrec, in.nrec == 1 ? "" : "s", dir);
		for (int f = 0; f < OUT_COUNT; f++)
			fprintf(stderr, "%s%s", f ? ", " : "", out_files[f].name);
		fprintf(stderr, ")\n");
	}
	rc = EXIT_OK;
	goto done;
fail:
	fprintf(stderr, "mpcap stats: %s\n", err);
done:
	outdir_close(&o.dir);
	input_free(&in);
	free(ru.all);
	free(ru.clean);
	free(ru.probes);
	free(idx);
out:
	for (int g = 0; g < nby; g++)
		free(by[g].spec);
	return rc;
}
