/* rankings.c — the report's top-as.csv and countries.csv: the ASes and
 * countries hosting most MPTCP, from the CSV files of the attribution step
 * (mpcap attribute's, or any table with an AS or a country column and a
 * count column), found by their headers and read whole (csv_io.h). */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyzer/base/csv_io.h"
#include "report/page/iso3166.h"
#include "report/page/report_internal.h"

/* ----------------------------------------------------------- attribution */

/* The column of the first of names that t has, or -1; *which (may be NULL)
 * says which of names it was. */
static int first_col(const struct csv_table *t, const char *const *names, size_t *which)
{
	for (size_t i = 0; names[i]; i++) {
		int c = csv_table_col(t, names[i]);
		if (c >= 0) {
			if (which)
				*which = i;
			return c;
		}
	}
	return -1;
}

static const char *const AS_COLS[] = { "asn", "as", "origin_as", "as_number", NULL };
static const char *const AS_NAME_COLS[] = { "org_name",     "as_name",      "name",   "org",
	                                    "organisation", "organization", "as_org", NULL };
static const char *const CC_COLS[] = { "country", "cc", "country_code", NULL };
static const char *const CC_NAME_COLS[] = { "country_name", "name", NULL };
/* The count columns, preferred first; the first TRUE_MPTCP_COLS count true
 * MPTCP hosts (tracebox-confirmed), the next (by_as.csv's mptcp: targets
 * with the verdict mptcp) MPTCP by scan verdict. */
static const char *const VALUE_COLS[] = { "true_mptcp", "true-mptcp", "mptcp", "hosts", "mpcapable", NULL };
#define TRUE_MPTCP_COLS 2
#define MPTCP_VERDICT_COL 2

struct agg {
	char key[64];
	char name[160];
	uint8_t family;
	double value;
};

struct agg_list {
	size_t n, cap;
	struct agg *v;
};

static struct agg *agg_push(struct agg_list *l, const char *key, uint8_t family)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 256;
		struct agg *nv = realloc(l->v, nc * sizeof *nv);
		if (!nv)
			return NULL;
		l->v = nv;
		l->cap = nc;
	}
	struct agg *a = &l->v[l->n++];
	memset(a, 0, sizeof *a);
	snprintf(a->key, sizeof a->key, "%s", key);
	a->family = family;
	return a;
}

static int agg_key_cmp(const void *a, const void *b)
{
	const struct agg *x = a, *y = b;
	if (x->family != y->family)
		return x->family - y->family;
	return strcmp(x->key, y->key);
}

/* Sums the entries of equal family and key (sort, then merge neighbours):
 * n log n, for attribution tables of tens of thousands of ASes. */
static void agg_merge(struct agg_list *l)
{
	if (l->n == 0)
		return;
	qsort(l->v, l->n, sizeof *l->v, agg_key_cmp);
	size_t o = 0;
	for (size_t i = 1; i < l->n; i++) {
		if (agg_key_cmp(&l->v[o], &l->v[i]) == 0) {
			l->v[o].value += l->v[i].value;
			if (!l->v[o].name[0])
				memcpy(l->v[o].name, l->v[i].name, sizeof l->v[o].name);
		} else
			l->v[++o] = l->v[i];
	}
	l->n = o + 1;
}

static bool is_aggregate(const char *s)
{
	return !*s || strcmp(s, "all") == 0 || strcmp(s, "*") == 0 || strcmp(s, "any") == 0;
}

static int parse_family(const char *s)
{
	if (strcmp(s, "4") == 0 || strcasecmp(s, "ipv4") == 0)
		return 4;
	if (strcmp(s, "6") == 0 || strcasecmp(s, "ipv6") == 0)
		return 6;
	return 0; /* all */
}

static bool unknown_key(const char *k)
{
	return !*k || strcmp(k, "0") == 0 || strcasecmp(k, "unknown") == 0 || strcasecmp(k, "AS0") == 0 ||
	       strcmp(k, "--") == 0 || strcasecmp(k, "zz") == 0;
}

static int agg_cmp(const void *a, const void *b)
{
	const struct agg *x = a, *y = b;
	if (x->value != y->value)
		return x->value > y->value ? -1 : 1;
	unsigned long p, q;
	const char *xs = strncasecmp(x->key, "AS", 2) == 0 ? x->key + 2 : x->key;
	const char *ys = strncasecmp(y->key, "AS", 2) == 0 ? y->key + 2 : y->key;
	if (rp_parse_ulong(xs, ~0UL, &p) && rp_parse_ulong(ys, ~0UL, &q) && p != q)
		return p < q ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* Aggregates one attribution table by key column kc (and family). */
static int aggregate(const struct csv_table *t, int kc, const char *const *name_cols, int vc,
                     struct agg_list *out, char *scan_used, size_t scan_len, uint64_t *unknown)
{
	int nc[8], nnc = 0;
	for (const char *const *n = name_cols; *n && nnc < 8; n++) {
		int c = csv_table_col(t, *n);
		if (c >= 0)
			nc[nnc++] = c;
	}
	int fc = csv_table_col(t, "family"), pc = csv_table_col(t, "port"), sc = csv_table_col(t, "scan");
	if (fc < 0)
		fc = csv_table_col(t, "ip_version");
	/* the latest scan, and aggregate port rows when there are any */
	const char *latest = NULL;
	bool port_agg = false;
	for (size_t i = 0; i < t->nrows; i++) {
		if (sc >= 0 && !is_aggregate(t->rows[i][sc]) &&
		    (!latest || strcmp(t->rows[i][sc], latest) > 0))
			latest = t->rows[i][sc];
		if (pc >= 0 && is_aggregate(t->rows[i][pc]))
			port_agg = true;
	}
	bool scan_agg = false;
	for (size_t i = 0; sc >= 0 && i < t->nrows; i++)
		scan_agg = scan_agg || is_aggregate(t->rows[i][sc]);
	snprintf(scan_used, scan_len, "%s", scan_agg ? "all" : latest ? latest : "");
	*unknown = 0;
	for (size_t i = 0; i < t->nrows; i++) {
		char **row = t->rows[i];
		if (sc >= 0 && (scan_agg ? !is_aggregate(row[sc]) : latest && strcmp(row[sc], latest) != 0))
			continue;
		if (pc >= 0 && port_agg != is_aggregate(row[pc]))
			continue;
		char *end;
		double v = strtod(row[vc], &end);
		if (end == row[vc] || *end || !isfinite(v))
			continue;
		if (unknown_key(row[kc])) {
			*unknown += (uint64_t)v;
			continue;
		}
		int fam = fc >= 0 ? parse_family(row[fc]) : 0;
		struct agg *a = agg_push(out, row[kc], (uint8_t)fam);
		if (!a)
			return -1;
		a->value += v;
		for (int k = 0; k < nnc && !a->name[0]; k++) /* the first name column that has one */
			snprintf(a->name, sizeof a->name, "%s", row[nc[k]]);
	}
	agg_merge(out);
	return 0;
}

static int ranking_fill(struct rp_ranking *rk, struct agg_list *l, uint8_t family, bool any_family,
                        size_t top, bool as, const struct iso3166 *iso)
{
	/* collect the family's entries (or all, summed over families) */
	struct agg_list sel = { 0, 0, NULL };
	for (size_t i = 0; i < l->n; i++) {
		if (!any_family && l->v[i].family != family)
			continue;
		struct agg *a = agg_push(&sel, l->v[i].key, 0);
		if (!a) {
			free(sel.v);
			return -1;
		}
		a->value = l->v[i].value;
		memcpy(a->name, l->v[i].name, sizeof a->name);
	}
	agg_merge(&sel);
	size_t kept = 0; /* zero counts are not ranked */
	for (size_t i = 0; i < sel.n; i++)
		if (sel.v[i].value > 0)
			sel.v[kept++] = sel.v[i];
	sel.n = kept;
	if (sel.n > 1) /* qsort(NULL, 0) is undefined */
		qsort(sel.v, sel.n, sizeof *sel.v, agg_cmp);
	size_t n = sel.n < top ? sel.n : top;
	rk->labels = calloc(n + 1, sizeof *rk->labels);
	rk->keys = calloc(n + 1, sizeof *rk->keys);
	rk->names = calloc(n + 1, sizeof *rk->names);
	rk->values = calloc(n + 1, sizeof *rk->values);
	if (!rk->labels || !rk->keys || !rk->names || !rk->values) {
		free(sel.v);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct agg *a = &sel.v[i];
		char buf[256];
		/* a country without a name in the table: Debian's iso-codes names it */
		const char *cn = !as && !a->name[0] ? iso3166_name(iso, a->key) : NULL;
		if (cn)
			snprintf(a->name, sizeof a->name, "%s", cn);
		bool prefixed = strncasecmp(a->key, "AS", 2) == 0;
		if (as)
			snprintf(buf, sizeof buf, "%s%s%s%s", prefixed ? "" : "AS", a->key,
			         a->name[0] ? " " : "", a->name);
		else if (a->name[0])
			snprintf(buf, sizeof buf, "%s (%s)", a->name, a->key);
		else
			snprintf(buf, sizeof buf, "%s", a->key);
		rk->labels[i] = strdup(buf);
		rk->keys[i] = strdup(a->key);
		rk->names[i] = strdup(a->name);
		rk->values[i] = a->value;
		rk->n = i + 1;
		if (!rk->labels[i] || !rk->keys[i] || !rk->names[i]) {
			free(sel.v);
			return -1;
		}
	}
	free(sel.v);
	return 0;
}

static int ranking_rows(struct rp_table *t, const struct rp_ranking *rk, const char *family,
                        const char *measure, const char *scan, const char *source)
{
	for (size_t i = 0; i < rk->n; i++) {
		char rank[24], v[32];
		snprintf(rank, sizeof rank, "%zu", i + 1);
		if (fabs(rk->values[i] - round(rk->values[i])) < 1e-9)
			snprintf(v, sizeof v, "%.0f", rk->values[i]);
		else
			snprintf(v, sizeof v, "%.6g", rk->values[i]);
		const char *f[] = { family, rank, rk->keys[i], rk->names[i], v, measure, scan, source };
		if (rp_table_add(t, f) != 0)
			return -1;
	}
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rp_build_rankings(struct report *r, const char *dir, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "--attribution %s: %s", dir, strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t nn = 0, capn = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".csv") != 0 || de->d_name[0] == '.')
			continue;
		if (nn == capn) {
			size_t nc = capn ? capn * 2 : 16;
			char **n = realloc(names, nc * sizeof *n);
			if (!n)
				break;
			names = n;
			capn = nc;
		}
		if (!(names[nn] = strdup(de->d_name)))
			break;
		nn++;
	}
	closedir(d);
	if (nn > 1) /* qsort(NULL, 0) is undefined */
		qsort(names, nn, sizeof *names, name_cmp);
	bool got_as = false, got_cc = false;
	int rc = 0;
	char as_note[256] = "", cc_note[640] = "";
	for (size_t i = 0; i < nn && rc == 0; i++) {
		char *p = rp_path_join(dir, names[i]);
		struct csv_table t;
		if (!p || csv_table_read(p, &t, err, errlen) != 0) {
			if (!p)
				rp_oom(err, errlen);
			free(p);
			rc = -1;
			break;
		}
		free(p);
		size_t which = 0;
		int ac = first_col(&t, AS_COLS, NULL), cc = first_col(&t, CC_COLS, NULL),
		    vc = first_col(&t, VALUE_COLS, &which);
		if (vc >= 0 && ac >= 0 && !got_as) {
			struct agg_list l = { 0, 0, NULL };
			char scan[64];
			uint64_t unknown;
			if (aggregate(&t, ac, AS_NAME_COLS, vc, &l, scan, sizeof scan, &unknown) != 0 ||
			    ranking_fill(&r->as4, &l, 4, false, r->opt.top_as4, true, NULL) != 0 ||
			    ranking_fill(&r->as6, &l, 6, false, r->opt.top_as6, true, NULL) != 0 ||
			    ranking_rows(&r->top_as, &r->as4, "4", t.header[vc], scan, names[i]) != 0 ||
			    ranking_rows(&r->top_as, &r->as6, "6", t.header[vc], scan, names[i]) != 0)
				rc = rp_oom(err, errlen);
			snprintf(r->as4.measure, sizeof r->as4.measure, "%s", t.header[vc]);
			snprintf(r->as6.measure, sizeof r->as6.measure, "%s", t.header[vc]);
			snprintf(r->as4.scan, sizeof r->as4.scan, "%s", scan);
			snprintf(r->as6.scan, sizeof r->as6.scan, "%s", scan);
			r->as4.true_mptcp = r->as6.true_mptcp = which < TRUE_MPTCP_COLS;
			r->as4.mptcp_verdict = r->as6.mptcp_verdict = which == MPTCP_VERDICT_COL;
			snprintf(as_note, sizeof as_note, "Column %s%s%s, ports summed%s.", t.header[vc],
			         scan[0] ? ", scan " : "", scan,
			         unknown ? "; hosts without an AS match are not ranked" : "");
			free(l.v);
			got_as = true;
		} else if (vc >= 0 && cc >= 0 && ac < 0 && !got_cc) {
			struct agg_list l = { 0, 0, NULL };
			char scan[64], ierr[256];
			uint64_t unknown;
			struct iso3166 *iso = NULL;
			bool have_iso = iso3166_load(MPCAP_ISO3166_JSON, &iso, ierr, sizeof ierr) == 0;
			if (aggregate(&t, cc, CC_NAME_COLS, vc, &l, scan, sizeof scan, &unknown) != 0 ||
			    ranking_fill(&r->countries_rank, &l, 0, true, r->opt.top_countries, false, iso) !=
			        0 ||
			    ranking_rows(&r->countries, &r->countries_rank, "all", t.header[vc], scan,
			                 names[i]) != 0)
				rc = rp_oom(err, errlen);
			snprintf(r->countries_rank.measure, sizeof r->countries_rank.measure, "%s",
			         t.header[vc]);
			snprintf(r->countries_rank.scan, sizeof r->countries_rank.scan, "%s", scan);
			r->countries_rank.true_mptcp = which < TRUE_MPTCP_COLS;
			r->countries_rank.mptcp_verdict = which == MPTCP_VERDICT_COL;
			snprintf(cc_note, sizeof cc_note, "Column %s%s%s, IPv4, IPv6 and ports summed%s%s%s.",
			         t.header[vc], scan[0] ? ", scan " : "", scan,
			         unknown ? "; hosts without a country match are not ranked" : "",
			         have_iso ? "; country names from iso-codes (ISO 3166-1)"
			                  : "; no country names: ",
			         have_iso ? "" : ierr);
			iso3166_free(iso);
			free(l.v);
			got_cc = true;
		}
		csv_table_free(&t);
	}
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	if (rc != 0)
		return -1;
	snprintf(r->as4.note, sizeof r->as4.note, "%s", got_as ? as_note : "");
	snprintf(r->as6.note, sizeof r->as6.note, "%s", got_as ? as_note : "");
	snprintf(r->countries_rank.note, sizeof r->countries_rank.note, "%s", got_cc ? cc_note : "");
	snprintf(r->attr_note, sizeof r->attr_note, "%s: %s%s%s", dir,
	         got_as ? "AS table found" : "no AS table (a CSV with an asn column)",
	         got_cc ? ", country table found" : ", no country table (a CSV with a country column)",
	         got_as || got_cc ? "" : "; the charts say no data");
	r->have_attr = got_as || got_cc;
	return 0;
}

void rp_ranking_free(struct rp_ranking *rk)
{
	for (size_t i = 0; i < rk->n; i++) {
		free(rk->labels[i]);
		free(rk->keys[i]);
		free(rk->names[i]);
	}
	free(rk->labels);
	free(rk->keys);
	free(rk->names);
	free(rk->values);
	memset(rk, 0, sizeof *rk);
}
