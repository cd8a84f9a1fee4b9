/* report_data.c — loads the scans' results and computes the report's tables
 * and figure inputs (see report.h): adoption in the study's shape, monthly
 * series, key statistics (keystats.h), tracebox classes and hops (the files
 * of `mpcap trace`), top ASes and countries (the CSV files of the attribution
 * step, found by their headers). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "analyzer/base/text.h"
#include "analyzer/scan/target.h"
#include "report/page/report.h"

#define EM_DASH "\xe2\x80\x94"
#define CHI2 "\xcf\x87\xc2\xb2"
#define ALPHA "\xce\xb1"
#define NB "\xc2\xa0" /* no-break space: "p = 0.05" stays on one line */
#define EQ NB "=" NB

/* ------------------------------------------------------------- helpers */

static void fmt_u64(uint64_t v, char *buf, size_t n)
{
	snprintf(buf, n, "%llu", (unsigned long long)v);
}

static void fmt_share(uint64_t num, uint64_t den, char *buf, size_t n)
{
	if (den == 0)
		buf[0] = '\0';
	else
		snprintf(buf, n, "%.6f", (double)num / (double)den);
}

static void fmt_double(double v, char *buf, size_t n)
{
	if (!isfinite(v))
		buf[0] = '\0';
	else
		snprintf(buf, n, "%.6g", v);
}

static void fmt_count(double v, char *buf, size_t n)
{
	chart_format_number(v, 0, buf, n);
}

static bool parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > max || *s == '-' || *s == '+' || *s == ' ')
		return false;
	*out = v;
	return true;
}

static bool parse_key16(const char *s, uint64_t *out)
{
	return s && strlen(s) == 16 && parse_hex64(s, out);
}

static char *path_join(const char *dir, const char *file)
{
	size_t n = strlen(dir) + strlen(file) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", dir, file);
	return p;
}

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int oom(char *err, size_t errlen)
{
	snprintf(err, errlen, "out of memory");
	return -1;
}

static bool is_middlebox_verdict(const char *v)
{
	return strcmp(v, "replay") == 0 || strcmp(v, "modified") == 0 || strcmp(v, "shared-key") == 0;
}

/* ------------------------------------------------- family / port pairs */

struct fp {
	uint8_t family;
	uint16_t port;
};

struct fp_list {
	size_t n, cap;
	struct fp *v;
};

static int fp_index(struct fp_list *l, uint8_t family, uint16_t port, bool add)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].family == family && l->v[i].port == port)
			return (int)i;
	if (!add)
		return -1;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 8;
		struct fp *nv = realloc(l->v, nc * sizeof *nv);
		if (!nv)
			return -2;
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n].family = family;
	l->v[l->n].port = port;
	return (int)l->n++;
}

static int fp_cmp(const void *a, const void *b)
{
	const struct fp *x = a, *y = b;
	if (x->family != y->family)
		return x->family - y->family;
	return (int)x->port - (int)y->port;
}

/* --------------------------------------------------------- loading */

struct cols {
	int scan, address, port, family, mpc_version, verdict, key, probe_key;
};

static int target_cols(const struct csv_table *t, const char *name, struct cols *c, char *err, size_t errlen)
{
	static const char *const need[] = { "scan",        "address", "port", "family",
		                            "mpc_version", "verdict", "key",  "probe_key" };
	int *dst[] = { &c->scan,        &c->address, &c->port, &c->family,
		       &c->mpc_version, &c->verdict, &c->key,  &c->probe_key };
	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
		*dst[i] = csv_table_col(t, need[i]);
		if (*dst[i] < 0) {
			snprintf(err, errlen,
			         "%s: targets.csv has no column '%s' (written by 'mpcap analyze'?)", name,
			         need[i]);
			return -1;
		}
	}
	return 0;
}

static int scan_label_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rp_scan *)a)->label, ((const struct rp_scan *)b)->label);
}

static int load_scans(struct report *r, char *const *dirs, size_t ndirs, char *err, size_t errlen)
{
	r->scans = calloc(ndirs, sizeof *r->scans);
	r->l = longitudinal_new();
	if (!r->scans || !r->l)
		return oom(err, errlen);
	for (size_t i = 0; i < ndirs; i++) {
		struct rp_scan *s = &r->scans[i];
		s->dir = dirs[i];
		struct stat st;
		if (stat(dirs[i], &st) != 0 || !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen,
			         "%s: not a results directory (want the DIR of 'mpcap analyze -o DIR' with "
			         "targets.csv and summary.csv)",
			         dirs[i]);
			return -1;
		}
		char *tp = path_join(dirs[i], "targets.csv"), *sp = path_join(dirs[i], "summary.csv");
		if (!tp || !sp) {
			free(tp);
			free(sp);
			return oom(err, errlen);
		}
		int rc = csv_table_read(tp, &s->targets, err, errlen);
		if (rc == 0 && csv_table_read(sp, &s->summary, err, errlen) != 0) {
			csv_table_free(&s->targets);
			memset(&s->targets, 0, sizeof s->targets);
			rc = -1;
		}
		free(tp);
		free(sp);
		if (rc != 0)
			return -1;
		r->nscans = i + 1;
		struct cols c;
		if (target_cols(&s->targets, dirs[i], &c, err, errlen) != 0)
			return -1;
		if (longitudinal_add(r->l, dirs[i], &s->targets, &s->summary, err, errlen) != 0)
			return -1;
		int sc = csv_table_col(&s->summary, "scan");
		s->label = s->targets.nrows              ? s->targets.rows[0][c.scan]
		           : sc >= 0 && s->summary.nrows ? s->summary.rows[0][sc]
		                                         : dirs[i];
	}
	if (longitudinal_finish(r->l, err, errlen) != 0)
		return -1;
	qsort(r->scans, r->nscans, sizeof *r->scans, scan_label_cmp);
	return 0;
}

/* summary.csv counter for a family and port (family 0: the total row); -1 when absent */
static int64_t summary_value(const struct rp_scan *s, const char *counter, uint8_t family, uint16_t port)
{
	const struct csv_table *t = &s->summary;
	int cc = csv_table_col(t, "counter"), cf = csv_table_col(t, "family"), cp = csv_table_col(t, "port"),
	    cv = csv_table_col(t, "value");
	if (cc < 0 || cf < 0 || cp < 0 || cv < 0)
		return -1;
	char fam[4], port_s[8];
	snprintf(fam, sizeof fam, "%u", family);
	snprintf(port_s, sizeof port_s, "%u", port);
	for (size_t i = 0; i < t->nrows; i++) {
		char **row = t->rows[i];
		if (strcmp(row[cc], counter) != 0)
			continue;
		if (family ? strcmp(row[cf], fam) != 0 || strcmp(row[cp], port_s) != 0 : row[cf][0] != '\0')
			continue;
		unsigned long v;
		return parse_ulong(row[cv], ~0UL, &v) ? (int64_t)v : -1;
	}
	return -1;
}

/* ------------------------------------------------------- per target */

enum { TF_MPC = 1, TF_KEYDIFF = 2, TF_MPTCP = 4, TF_MIDDLEBOX = 8 };

struct counts {
	uint64_t responsive, mpcapable, key_differs, true_mptcp, middlebox, consistent, consistent_mptcp;
	int64_t responsive_unique; /* -1: unknown */
};

/* Targets per scan merged over their rows (probe versions), then counted. */
struct tally {
	struct fp_list fps;
	struct counts *per;   /* [scan * nfp_cap + fp] */
	struct counts *total; /* [fp] over all scans */
	size_t cap;           /* fp capacity of per/total */
};

static unsigned target_class(unsigned flags)
{
	if (flags & TF_MIDDLEBOX)
		return TF_MIDDLEBOX;
	if (flags & TF_MPTCP)
		return TF_MPTCP;
	return 0;
}

static int tally_grow(struct tally *t, size_t nscans)
{
	if (t->fps.n <= t->cap)
		return 0;
	size_t nc = t->cap ? t->cap * 2 : 16;
	while (nc < t->fps.n)
		nc *= 2;
	struct counts *np = calloc(nscans * nc, sizeof *np), *nt = calloc(nc, sizeof *nt);
	if (!np || !nt) {
		free(np);
		free(nt);
		return -1;
	}
	for (size_t s = 0; s < nscans; s++)
		for (size_t i = 0; i < t->cap; i++)
			np[s * nc + i] = t->per[s * t->cap + i];
	for (size_t i = 0; i < t->cap; i++)
		nt[i] = t->total[i];
	free(t->per);
	free(t->total);
	t->per = np;
	t->total = nt;
	t->cap = nc;
	return 0;
}

static struct counts *tally_at(struct tally *t, size_t scan, size_t fp)
{
	return &t->per[scan * t->cap + fp];
}

struct merged {
	struct target_map *map;
	unsigned *flags;
	size_t n, cap;
};

static int merged_add(struct merged *m, const struct target_key *k, unsigned flags)
{
	if (m->n == m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 256;
		unsigned *nf = realloc(m->flags, nc * sizeof *nf);
		if (!nf)
			return -1;
		m->flags = nf;
		m->cap = nc;
	}
	bool is_new;
	uint32_t *v = target_map_get(m->map, k, true, (uint32_t)m->n, &is_new);
	if (!v)
		return -1;
	if (is_new)
		m->flags[m->n++] = 0;
	m->flags[*v] |= flags;
	return 0;
}

static int count_targets(struct report *r, struct tally *t, char *err, size_t errlen)
{
	struct merged all = { target_map_new(), NULL, 0, 0 };
	if (!all.map)
		return oom(err, errlen);
	int rc = -1;
	for (size_t s = 0; s < r->nscans; s++) {
		const struct rp_scan *sc = &r->scans[s];
		struct cols c;
		if (target_cols(&sc->targets, sc->dir, &c, err, errlen) != 0)
			goto out;
		struct merged one = { target_map_new(), NULL, 0, 0 };
		if (!one.map)
			goto oom_out;
		for (size_t i = 0; i < sc->targets.nrows; i++) {
			char **row = sc->targets.rows[i];
			unsigned long fam, port;
			uint8_t addr[16] = { 0 };
			if (!parse_ulong(row[c.family], 6, &fam) || (fam != 4 && fam != 6) ||
			    !parse_ulong(row[c.port], 65535, &port) ||
			    inet_pton(fam == 4 ? AF_INET : AF_INET6, row[c.address], addr) != 1) {
				snprintf(err, errlen, "%s/targets.csv: row %zu: bad address, port or family",
				         sc->dir, i + 2);
				target_map_free(one.map);
				free(one.flags);
				goto out;
			}
			unsigned f = 0;
			if (row[c.mpc_version][0])
				f |= TF_MPC;
			uint64_t key, probe;
			if (parse_key16(row[c.key], &key) &&
			    (!parse_key16(row[c.probe_key], &probe) || key != probe))
				f |= TF_KEYDIFF;
			if (strcmp(row[c.verdict], "mptcp") == 0)
				f |= TF_MPTCP;
			if (is_middlebox_verdict(row[c.verdict]))
				f |= TF_MIDDLEBOX;
			struct target_key k = target_key_make((uint8_t)fam, addr, (uint16_t)port);
			if (merged_add(&one, &k, f) != 0) {
				target_map_free(one.map);
				free(one.flags);
				goto oom_out;
			}
		}
		/* count this scan */
		size_t cur = 0;
		struct target_key k;
		uint32_t v;
		while (target_map_next(one.map, &cur, &k, &v)) {
			unsigned f = one.flags[v];
			int fi = fp_index(&t->fps, k.family, k.port, true);
			if (fi < 0 || tally_grow(t, r->nscans) != 0 || merged_add(&all, &k, f) != 0) {
				target_map_free(one.map);
				free(one.flags);
				goto oom_out;
			}
			struct counts *ct = tally_at(t, s, (size_t)fi);
			ct->mpcapable += (f & TF_MPC) != 0;
			ct->key_differs += (f & TF_KEYDIFF) != 0;
			ct->true_mptcp += target_class(f) == TF_MPTCP;
			ct->middlebox += target_class(f) == TF_MIDDLEBOX;
		}
		target_map_free(one.map);
		free(one.flags);
	}
	/* over all scans: a host counts once; true MPTCP / middlebox when so in some scan */
	size_t cur = 0;
	struct target_key k;
	uint32_t v;
	while (target_map_next(all.map, &cur, &k, &v)) {
		unsigned f = all.flags[v];
		int fi = fp_index(&t->fps, k.family, k.port, false);
		if (fi < 0)
			continue;
		struct counts *ct = &t->total[fi];
		ct->mpcapable += (f & TF_MPC) != 0;
		ct->key_differs += (f & TF_KEYDIFF) != 0;
		ct->true_mptcp += (f & TF_MPTCP) != 0;
		ct->middlebox += (f & TF_MIDDLEBOX) != 0;
	}
	rc = 0;
	goto out;
oom_out:
	oom(err, errlen);
out:
	target_map_free(all.map);
	free(all.flags);
	return rc;
}

/* Consistency from the longitudinal join: MP_CAPABLE (or mptcp) in every scan
 * that probed the host's family and port. */
static void count_consistency(struct report *r, struct tally *t)
{
	for (size_t i = 0; i < longitudinal_host_count(r->l); i++) {
		struct longitudinal_host h;
		longitudinal_host_at(r->l, i, &h);
		int fi = fp_index(&t->fps, h.family, h.port, false);
		if (fi < 0)
			continue;
		unsigned probed = h.scans_probed > h.scans_mpcapable ? h.scans_probed : h.scans_mpcapable;
		bool cons = h.scans_mpcapable == probed, cons_tcp = h.scans_mptcp == probed;
		t->total[fi].consistent += cons;
		t->total[fi].consistent_mptcp += cons_tcp;
		for (size_t s = 0; s < r->nscans; s++)
			if (h.verdicts[s]) {
				tally_at(t, s, (size_t)fi)->consistent += cons;
				tally_at(t, s, (size_t)fi)->consistent_mptcp += cons_tcp;
			}
	}
}

/* Responsive per scan from summary.csv; unique over the scans from the
 * targets.sets files when every scan has one. */
static int count_responsive(struct report *r, struct tally *t, char *err, size_t errlen)
{
	/* pairs that were responsive but had no MP_CAPABLE target still get a row */
	for (size_t s = 0; s < r->nscans; s++) {
		const struct csv_table *sum = &r->scans[s].summary;
		int cc = csv_table_col(sum, "counter"), cf = csv_table_col(sum, "family"),
		    cp = csv_table_col(sum, "port");
		if (cc < 0 || cf < 0 || cp < 0)
			continue;
		for (size_t i = 0; i < sum->nrows; i++) {
			char **row = sum->rows[i];
			unsigned long fam, port;
			if (strcmp(row[cc], "targets.responsive") != 0 || !parse_ulong(row[cf], 6, &fam) ||
			    !parse_ulong(row[cp], 65535, &port))
				continue;
			if (fp_index(&t->fps, (uint8_t)fam, (uint16_t)port, true) < 0 ||
			    tally_grow(t, r->nscans))
				return oom(err, errlen);
		}
	}
	for (size_t fi = 0; fi < t->fps.n; fi++) {
		uint64_t mx = 0;
		for (size_t s = 0; s < r->nscans; s++) {
			int64_t v = summary_value(&r->scans[s], "targets.responsive", t->fps.v[fi].family,
			                          t->fps.v[fi].port);
			tally_at(t, s, fi)->responsive = v > 0 ? (uint64_t)v : 0;
			if (v > 0 && (uint64_t)v > mx)
				mx = (uint64_t)v;
		}
		t->total[fi].responsive = mx;
		t->total[fi].responsive_unique = -1;
	}
	/* unique responsive over the scans */
	struct target_set *uni = target_set_new();
	if (!uni)
		return oom(err, errlen);
	bool all_sets = r->nscans > 0;
	for (size_t s = 0; s < r->nscans && all_sets; s++) {
		char *xp = path_join(r->scans[s].dir, "targets.sets");
		if (!xp) {
			target_set_free(uni);
			return oom(err, errlen);
		}
		if (!is_file(xp)) {
			all_sets = false;
			free(xp);
			break;
		}
		const char *names[] = { "responsive" };
		struct target_set *sets[1] = { NULL };
		int rc = target_sets_read(xp, names, sets, 1, err, errlen);
		free(xp);
		if (rc != 0) {
			target_set_free(uni);
			return -1;
		}
		r->scans[s].has_sets = true;
		rc = target_set_union(uni, sets[0]);
		target_set_free(sets[0]);
		if (rc != 0) {
			target_set_free(uni);
			return oom(err, errlen);
		}
	}
	if (all_sets)
		for (size_t fi = 0; fi < t->fps.n; fi++)
			t->total[fi].responsive_unique =
			    (int64_t)target_set_count_port(uni, t->fps.v[fi].family, t->fps.v[fi].port);
	target_set_free(uni);
	return 0;
}

static int adoption_row(struct report *r, const char *scan, const struct fp *p, const struct counts *c)
{
	char fam[4], port[8], resp[24], uniq[24], mpc[24], mpcs[24], kd[24], kds[24], tm[24], tms[24], mb[24],
	    mbs[24], cons[24], conss[24], ctm[24];
	snprintf(fam, sizeof fam, "%u", p->family);
	snprintf(port, sizeof port, "%u", p->port);
	fmt_u64(c->responsive, resp, sizeof resp);
	if (c->responsive_unique >= 0)
		fmt_u64((uint64_t)c->responsive_unique, uniq, sizeof uniq);
	else
		uniq[0] = '\0';
	fmt_u64(c->mpcapable, mpc, sizeof mpc);
	fmt_share(c->mpcapable, c->responsive_unique >= 0 ? (uint64_t)c->responsive_unique : c->responsive,
	          mpcs, sizeof mpcs);
	fmt_u64(c->key_differs, kd, sizeof kd);
	fmt_share(c->key_differs, c->mpcapable, kds, sizeof kds);
	fmt_u64(c->true_mptcp, tm, sizeof tm);
	fmt_share(c->true_mptcp, c->mpcapable, tms, sizeof tms);
	fmt_u64(c->middlebox, mb, sizeof mb);
	fmt_share(c->middlebox, c->mpcapable, mbs, sizeof mbs);
	fmt_u64(c->consistent, cons, sizeof cons);
	fmt_share(c->consistent, c->mpcapable, conss, sizeof conss);
	fmt_u64(c->consistent_mptcp, ctm, sizeof ctm);
	const char *f[] = { scan, fam, port, resp, uniq, mpc,  mpcs,  kd,
		            kds,  tm,  tms,  mb,   mbs,  cons, conss, ctm };
	return rp_table_add(&r->adoption, f);
}

struct monthly_ctx {
	struct rp_table *t;
	int rc;
};

static void monthly_verdict(void *ctx, const char *scan, const char *family, const char *port,
                            const char *verdict, const char *count)
{
	struct monthly_ctx *m = ctx;
	const char *f[] = { scan, family, port, "verdict", verdict, count };
	if (m->rc == 0 && rp_table_add(m->t, f) != 0)
		m->rc = -1;
}

static int build_counts(struct report *r, char *err, size_t errlen)
{
	struct tally t;
	memset(&t, 0, sizeof t);
	int rc = -1;
	if (count_targets(r, &t, err, errlen) != 0 || count_responsive(r, &t, err, errlen) != 0)
		goto out;
	if (tally_grow(&t, r->nscans) != 0) {
		oom(err, errlen);
		goto out;
	}
	count_consistency(r, &t);
	/* rows in family, port order */
	size_t *order = calloc(t.fps.n + 1, sizeof *order);
	struct fp *sorted = calloc(t.fps.n + 1, sizeof *sorted);
	if (!order || !sorted) {
		free(order);
		free(sorted);
		oom(err, errlen);
		goto out;
	}
	memcpy(sorted, t.fps.v, t.fps.n * sizeof *sorted);
	qsort(sorted, t.fps.n, sizeof *sorted, fp_cmp);
	for (size_t i = 0; i < t.fps.n; i++)
		order[i] = (size_t)fp_index(&t.fps, sorted[i].family, sorted[i].port, false);
	bool fail = false;
	for (size_t s = 0; s < r->nscans && !fail; s++)
		for (size_t i = 0; i < t.fps.n && !fail; i++) {
			struct counts *c = tally_at(&t, s, order[i]);
			c->responsive_unique = -1;
			if (c->responsive == 0 && c->mpcapable == 0)
				continue;
			fail = adoption_row(r, r->scans[s].label, &sorted[i], c) != 0;
		}
	for (size_t i = 0; i < t.fps.n && !fail; i++) {
		const struct counts *c = &t.total[order[i]];
		if (c->responsive == 0 && c->mpcapable == 0)
			continue;
		fail = adoption_row(r, "all", &sorted[i], c) != 0;
	}
	/* monthly: the summary's verdict counters, then the classes */
	struct monthly_ctx mc = { &r->monthly, 0 };
	if (!fail) {
		longitudinal_each_count(r->l, monthly_verdict, &mc);
		fail = mc.rc != 0;
	}
	for (size_t s = 0; s < r->nscans && !fail; s++)
		for (size_t i = 0; i < t.fps.n && !fail; i++) {
			struct counts *c = tally_at(&t, s, order[i]);
			if (c->mpcapable == 0 && c->responsive == 0)
				continue;
			char fam[4], port[8], a[24], b[24], d[24];
			snprintf(fam, sizeof fam, "%u", sorted[i].family);
			snprintf(port, sizeof port, "%u", sorted[i].port);
			fmt_u64(c->mpcapable, a, sizeof a);
			fmt_u64(c->true_mptcp, b, sizeof b);
			fmt_u64(c->middlebox, d, sizeof d);
			const char *f1[] = { r->scans[s].label, fam, port, "class", "mpcapable", a };
			const char *f2[] = { r->scans[s].label, fam, port, "class", "true-mptcp", b };
			const char *f3[] = { r->scans[s].label, fam, port, "class", "middlebox", d };
			fail = rp_table_add(&r->monthly, f1) != 0 || rp_table_add(&r->monthly, f2) != 0 ||
			       rp_table_add(&r->monthly, f3) != 0;
		}
	/* chart series: ports with an MP_CAPABLE responder in some scan */
	if (!fail) {
		r->series = calloc(t.fps.n + 1, sizeof *r->series);
		fail = !r->series;
	}
	for (size_t i = 0; i < t.fps.n && !fail; i++) {
		if (t.total[order[i]].mpcapable == 0)
			continue;
		struct rp_port_series *ps = &r->series[r->nseries];
		ps->family = sorted[i].family;
		ps->port = sorted[i].port;
		ps->true_mptcp = calloc(r->nscans + 1, sizeof(double));
		ps->middlebox = calloc(r->nscans + 1, sizeof(double));
		r->nseries++;
		if (!ps->true_mptcp || !ps->middlebox) {
			fail = true;
			break;
		}
		for (size_t s = 0; s < r->nscans; s++) {
			ps->true_mptcp[s] = (double)tally_at(&t, s, order[i])->true_mptcp;
			ps->middlebox[s] = (double)tally_at(&t, s, order[i])->middlebox;
		}
	}
	free(order);
	free(sorted);
	if (fail) {
		oom(err, errlen);
		goto out;
	}
	rc = 0;
out:
	free(t.fps.v);
	free(t.per);
	free(t.total);
	return rc;
}

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
			else if (parse_ulong(tok, 6, &f) && (f == 4 || f == 6))
				family = (int)f;
			else {
				snprintf(err, errlen, "--key-groups: '%s' is not all, 4, 6, 4/PORT or 6/PORT",
				         tok);
				return -1;
			}
			if (slash) {
				if (!parse_ulong(slash + 1, 65535, &p)) {
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

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The most common value (the smallest on a tie); false when n == 0. */
static bool mode_u64(uint64_t *v, size_t n, uint64_t *out)
{
	if (n == 0)
		return false;
	qsort(v, n, sizeof *v, u64_cmp);
	size_t best = 0, run = 0;
	for (size_t i = 0; i < n; i++) {
		run = i > 0 && v[i] == v[i - 1] ? run + 1 : 1;
		if (run > best) {
			best = run;
			*out = v[i];
		}
	}
	return true;
}

/* Share of ones a fair bit stays within: the acceptance region of the exact
 * two-sided binomial test at alpha/64 (Bonferroni, Holm's first step). */
static void bit_band(size_t n, double alpha, double *lo, double *hi)
{
	*lo = *hi = NAN;
	if (n == 0 || n > KS_MAX_KEYS)
		return;
	double level = alpha / KS_BITS;
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
		cap += r->scans[s].targets.nrows;
	uint64_t *all = malloc((cap + 1) * sizeof *all), *clean = malloc((cap + 1) * sizeof *clean),
	         *probes = malloc((cap + 1) * sizeof *probes);
	if (!all || !clean || !probes) {
		free(all);
		free(clean);
		free(probes);
		return oom(err, errlen);
	}
	size_t na = 0, nc = 0, np = 0;
	for (size_t s = 0; s < r->nscans; s++) {
		const struct csv_table *t = &r->scans[s].targets;
		struct cols c;
		if (target_cols(t, r->scans[s].dir, &c, err, errlen) != 0) {
			free(all);
			free(clean);
			free(probes);
			return -1;
		}
		for (size_t i = 0; i < t->nrows; i++) {
			char **row = t->rows[i];
			unsigned long fam, port;
			uint64_t key, probe;
			if (!parse_key16(row[c.key], &key) || !parse_ulong(row[c.family], 6, &fam) ||
			    !parse_ulong(row[c.port], 65535, &port))
				continue;
			if ((g->family && (int)fam != g->family) || (g->port >= 0 && (int)port != g->port))
				continue;
			all[na++] = key;
			if (!is_middlebox_verdict(row[c.verdict]))
				clean[nc++] = key;
			if (parse_key16(row[c.probe_key], &probe))
				probes[np++] = probe;
		}
	}
	g->has_probe = mode_u64(probes, np, &g->probe);
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
	bit_band(g->all.n, r->opt.alpha, &g->band_lo, &g->band_hi);
	char l1[480], l2[480], l3[200] = "", what[96], nb[32];
	fmt_count((double)g->all.n, nb, sizeof nb);
	snprintf(what, sizeof what, "All %s key%s", nb, g->all.n == 1 ? "" : "s");
	describe_test(&g->all, what, r->opt.alpha, l1, sizeof l1);
	fmt_count((double)g->clean.n, nb, sizeof nb);
	snprintf(what, sizeof what, "The %s key%s left without replays", nb, g->clean.n == 1 ? "" : "s");
	describe_test(&g->clean, what, r->opt.alpha, l2, sizeof l2);
	if (g->has_probe && g->all.probe_weight >= 0 && g->all.n) {
		char o[32], e[32];
		fmt_count((double)g->all.bins[g->all.probe_weight].observed, o, sizeof o);
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
	fmt_u64(k->n, n, sizeof n);
	if (g->has_probe) {
		format_key(g->probe, pk);
		snprintf(pw, sizeof pw, "%d", k->probe_weight);
		if (k->probe_weight >= 0 && k->n) {
			fmt_u64(k->bins[k->probe_weight].observed, ob, sizeof ob);
			fmt_double(k->bins[k->probe_weight].expected, ex, sizeof ex);
		}
	}
	if (k->chi_decision != KS_TOO_FEW) {
		fmt_double(k->pearson, chi, sizeof chi);
		snprintf(df, sizeof df, "%d", k->df);
		fmt_double(k->pearson_p, cp, sizeof cp);
		fmt_double(k->g, gs, sizeof gs);
		fmt_double(k->g_p, gp, sizeof gp);
	}
	snprintf(bb, sizeof bb, "%d", k->n ? k->n_biased : 0);
	fmt_u64(k->dup_pairs, dp, sizeof dp);
	if (k->share.computed) {
		fmt_double(k->share.share, sh, sizeof sh);
		fmt_double(k->share.lo, sl, sizeof sl);
		fmt_double(k->share.hi, su, sizeof su);
	}
	const char *f[] = { g->id, subset, n,  pk, pw, ob, ex, chi, df,
		            cp,    gs,     gp, bb, dp, sh, sl, su,  ks_decision_name(k->decision) };
	if (rp_table_add(&r->keystats, f) != 0)
		return -1;
	for (int w = 0; w < KS_WEIGHTS; w++) {
		char ws[8], o[24], e[32];
		snprintf(ws, sizeof ws, "%d", w);
		fmt_u64(k->n ? k->bins[w].observed : 0, o, sizeof o);
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
		fmt_u64(k->n ? k->bits[b].ones : 0, ones, sizeof ones);
		if (k->n) {
			snprintf(fr, sizeof fr, "%.6f", (double)k->bits[b].ones / (double)k->n);
			fmt_double(k->bits[b].p_holm, ph, sizeof ph);
		}
		fmt_double(g->band_lo, lo, sizeof lo);
		fmt_double(g->band_hi, hi, sizeof hi);
		const char *bf[] = {
			g->id, bs, ones, n, fr, ph, k->n && k->bits[b].biased ? "1" : "0", lo, hi
		};
		if (rp_table_add(&r->bits, bf) != 0)
			return -1;
	}
	return 0;
}

static int build_keys(struct report *r, char *err, size_t errlen)
{
	if (r->opt.groups) {
		if (parse_groups(r, r->opt.groups, err, errlen) != 0)
			return -1;
	} else {
		/* all keys, then every family and port that returned a key */
		if (add_group(r, 0, -1, err, errlen) != 0)
			return -1;
		struct fp_list l = { 0, 0, NULL };
		for (size_t s = 0; s < r->nscans; s++) {
			const struct csv_table *t = &r->scans[s].targets;
			struct cols c;
			if (target_cols(t, r->scans[s].dir, &c, err, errlen) != 0) {
				free(l.v);
				return -1;
			}
			for (size_t i = 0; i < t->nrows; i++) {
				unsigned long fam, port;
				uint64_t key;
				if (parse_key16(t->rows[i][c.key], &key) &&
				    parse_ulong(t->rows[i][c.family], 6, &fam) &&
				    parse_ulong(t->rows[i][c.port], 65535, &port) &&
				    fp_index(&l, (uint8_t)fam, (uint16_t)port, true) < -1) {
					free(l.v);
					return oom(err, errlen);
				}
			}
		}
		qsort(l.v, l.n, sizeof *l.v, fp_cmp);
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
			return oom(err, errlen);
	}
	return 0;
}

/* -------------------------------------------------------------- tracebox */

static int trace_class_of(const char *name)
{
	static const char *const names[FIG_TRACE_NCLASSES] = {
		[FIG_TC_TRUE] = "true-mptcp",         [FIG_TC_MIDDLEBOX] = "middlebox",
		[FIG_TC_UNREACHABLE] = "unreachable", [FIG_TC_NO_MPTCP] = "no-mptcp",
		[FIG_TC_UNVERIFIED] = "unverified",   [FIG_TC_UNTRACED] = "untraced",
	};
	for (int i = 0; i < FIG_TRACE_NCLASSES; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

static const char *trace_class_name(int c)
{
	static const char *const names[FIG_TRACE_NCLASSES] = {
		[FIG_TC_TRUE] = "true-mptcp",         [FIG_TC_MIDDLEBOX] = "middlebox",
		[FIG_TC_UNREACHABLE] = "unreachable", [FIG_TC_NO_MPTCP] = "no-mptcp",
		[FIG_TC_UNVERIFIED] = "unverified",   [FIG_TC_UNTRACED] = "untraced",
	};
	return names[c];
}

struct hop_row {
	uint8_t family;
	uint16_t port;
	unsigned hop;
	char change[32];
	uint64_t n;
};

static int hop_row_cmp(const void *a, const void *b)
{
	const struct hop_row *x = a, *y = b;
	if (x->family != y->family)
		return x->family - y->family;
	if (x->port != y->port)
		return (int)x->port - (int)y->port;
	if (x->hop != y->hop)
		return x->hop < y->hop ? -1 : 1;
	return strcmp(x->change, y->change);
}

static int build_trace(struct report *r, const char *dir, char *err, size_t errlen)
{
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "--trace %s: not a directory (want the DIR of 'mpcap trace -o DIR')",
		         dir);
		return -1;
	}
	char *dp = path_join(dir, "destinations.csv"), *cp = path_join(dir, "classification.csv");
	if (!dp || !cp) {
		free(dp);
		free(cp);
		return oom(err, errlen);
	}
	if (!is_file(dp)) {
		snprintf(err, errlen, "--trace %s: no destinations.csv (written by 'mpcap trace')", dir);
		free(dp);
		free(cp);
		return -1;
	}
	struct csv_table dt, ct;
	memset(&ct, 0, sizeof ct);
	bool have_class = is_file(cp);
	int rc = csv_table_read(dp, &dt, err, errlen);
	if (rc == 0 && have_class && csv_table_read(cp, &ct, err, errlen) != 0) {
		csv_table_free(&dt);
		rc = -1;
	}
	free(dp);
	free(cp);
	if (rc != 0)
		return -1;
	const struct csv_table *src = have_class ? &ct : &dt;
	snprintf(r->trace_source, sizeof r->trace_source, "%s",
	         have_class ? "classification.csv" : "destinations.csv");
	int sf = csv_table_col(src, "family"), sp = csv_table_col(src, "port"),
	    sc = csv_table_col(src, "class");
	int df = csv_table_col(&dt, "family"), dpo = csv_table_col(&dt, "port"),
	    dh = csv_table_col(&dt, "mpc_changed_hop"), dc = csv_table_col(&dt, "mpc_change");
	struct fp_list fps = { 0, 0, NULL };
	uint64_t *cnt = NULL;
	struct hop_row *hops = NULL;
	size_t nh = 0, caph = 0;
	rc = -1;
	if (sf < 0 || sp < 0 || sc < 0 || df < 0 || dpo < 0 || dh < 0 || dc < 0) {
		snprintf(err, errlen,
		         "--trace %s: %s lacks family, port, class (or mpc_changed_hop, mpc_change)", dir,
		         src == &ct ? "classification.csv" : "destinations.csv");
		goto out;
	}
	for (size_t i = 0; i < src->nrows; i++) {
		unsigned long fam, port;
		if (!parse_ulong(src->rows[i][sf], 6, &fam) || !parse_ulong(src->rows[i][sp], 65535, &port))
			continue;
		if (fp_index(&fps, (uint8_t)fam, (uint16_t)port, true) < -1)
			goto oom_out;
	}
	qsort(fps.v, fps.n, sizeof *fps.v, fp_cmp);
	cnt = calloc(fps.n * FIG_TRACE_NCLASSES + 1, sizeof *cnt);
	if (!cnt)
		goto oom_out;
	for (size_t i = 0; i < src->nrows; i++) {
		unsigned long fam, port;
		if (!parse_ulong(src->rows[i][sf], 6, &fam) || !parse_ulong(src->rows[i][sp], 65535, &port))
			continue;
		int c = trace_class_of(src->rows[i][sc]);
		if (c < 0) {
			snprintf(err, errlen, "--trace: %s row %zu: unknown class '%s'", r->trace_source,
			         i + 2, src->rows[i][sc]);
			goto out;
		}
		int fi = fp_index(&fps, (uint8_t)fam, (uint16_t)port, false);
		cnt[(size_t)fi * FIG_TRACE_NCLASSES + (size_t)c]++;
	}
	r->ntrace_groups = fps.n;
	r->trace_group_labels = calloc(fps.n + 1, sizeof *r->trace_group_labels);
	r->trace_counts = calloc(fps.n * FIG_TRACE_NCLASSES + 1, sizeof *r->trace_counts);
	if (!r->trace_group_labels || !r->trace_counts)
		goto oom_out;
	for (size_t g = 0; g < fps.n; g++) {
		uint64_t tot = 0;
		for (int c = 0; c < FIG_TRACE_NCLASSES; c++)
			tot += cnt[g * FIG_TRACE_NCLASSES + (size_t)c];
		snprintf(r->trace_group_labels[g], sizeof r->trace_group_labels[g], "IPv%u/%u (n = %llu)",
		         fps.v[g].family, fps.v[g].port, (unsigned long long)tot);
		for (int c = 0; c < FIG_TRACE_NCLASSES; c++) {
			uint64_t v = cnt[g * FIG_TRACE_NCLASSES + (size_t)c];
			r->trace_counts[g * FIG_TRACE_NCLASSES + (size_t)c] = (double)v;
			if (c == FIG_TC_UNTRACED && !have_class)
				continue;
			char fam[4], port[8], n[24], sh[32];
			snprintf(fam, sizeof fam, "%u", fps.v[g].family);
			snprintf(port, sizeof port, "%u", fps.v[g].port);
			fmt_u64(v, n, sizeof n);
			fmt_share(v, tot, sh, sizeof sh);
			const char *f[] = { fam, port, trace_class_name(c), n, sh };
			if (rp_table_add(&r->tracebox, f) != 0)
				goto oom_out;
		}
	}
	/* hops: first hop whose quote shows the option changed */
	unsigned maxhop = 0;
	for (size_t i = 0; i < dt.nrows; i++) {
		unsigned long fam, port, hop;
		char **row = dt.rows[i];
		if (!parse_ulong(row[dh], 255, &hop) || hop == 0 || !parse_ulong(row[df], 6, &fam) ||
		    !parse_ulong(row[dpo], 65535, &port))
			continue;
		if (hop > maxhop)
			maxhop = (unsigned)hop;
		size_t k;
		for (k = 0; k < nh; k++)
			if (hops[k].family == fam && hops[k].port == port && hops[k].hop == hop &&
			    strcmp(hops[k].change, row[dc]) == 0)
				break;
		if (k == nh) {
			if (nh == caph) {
				size_t nc = caph ? caph * 2 : 32;
				struct hop_row *n = realloc(hops, nc * sizeof *n);
				if (!n)
					goto oom_out;
				hops = n;
				caph = nc;
			}
			hops[nh] = (struct hop_row){ (uint8_t)fam, (uint16_t)port, (unsigned)hop, "", 0 };
			snprintf(hops[nh].change, sizeof hops[nh].change, "%s", row[dc]);
			nh++;
		}
		hops[k].n++;
	}
	qsort(hops, nh, sizeof *hops, hop_row_cmp);
	/* one empty hop after the last change, and at least 5 hops, so the bars stand in context */
	r->nhops = maxhop ? (maxhop + 1 > 5 ? maxhop + 1 : 5) : 0;
	r->hops4 = calloc(r->nhops + 1, sizeof(double));
	r->hops6 = calloc(r->nhops + 1, sizeof(double));
	if (!r->hops4 || !r->hops6)
		goto oom_out;
	for (size_t k = 0; k < nh; k++) {
		char fam[4], port[8], hop[8], n[24];
		snprintf(fam, sizeof fam, "%u", hops[k].family);
		snprintf(port, sizeof port, "%u", hops[k].port);
		snprintf(hop, sizeof hop, "%u", hops[k].hop);
		fmt_u64(hops[k].n, n, sizeof n);
		const char *f[] = { fam, port, hop, hops[k].change, n };
		if (rp_table_add(&r->trace_hops, f) != 0)
			goto oom_out;
		(hops[k].family == 4 ? r->hops4 : r->hops6)[hops[k].hop - 1] += (double)hops[k].n;
	}
	uint64_t changed = 0;
	for (size_t k = 0; k < nh; k++)
		changed += hops[k].n;
	snprintf(
	    r->hops_note, sizeof r->hops_note,
	    "From %s/destinations.csv: %llu of %zu traced destinations show MP_CAPABLE changed on the path.",
	    dir, (unsigned long long)changed, dt.nrows);
	snprintf(r->trace_note, sizeof r->trace_note, "From %s/%s%s.", dir, r->trace_source,
	         have_class ? " (final class of every MP_CAPABLE responder of the traced scan)"
	                    : " (class of every traced destination)");
	r->have_trace = true;
	rc = 0;
	goto out;
oom_out:
	oom(err, errlen);
out:
	free(fps.v);
	free(cnt);
	free(hops);
	csv_table_free(&dt);
	if (have_class)
		csv_table_free(&ct);
	return rc;
}

/* ----------------------------------------------------------- attribution */

static int first_col(const struct csv_table *t, const char *const *names)
{
	for (; *names; names++) {
		int c = csv_table_col(t, *names);
		if (c >= 0)
			return c;
	}
	return -1;
}

static const char *const AS_COLS[] = { "asn", "as", "origin_as", "as_number", NULL };
static const char *const AS_NAME_COLS[] = { "org_name",     "as_name",      "name",   "org",
	                                    "organisation", "organization", "as_org", NULL };
static const char *const CC_COLS[] = { "country", "cc", "country_code", NULL };
static const char *const CC_NAME_COLS[] = { "country_name", "name", NULL };
static const char *const VALUE_COLS[] = { "true_mptcp", "true-mptcp", "mptcp", "hosts", "mpcapable", NULL };

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
	if (parse_ulong(xs, ~0UL, &p) && parse_ulong(ys, ~0UL, &q) && p != q)
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
                        size_t top, bool as)
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
		const struct agg *a = &sel.v[i];
		char buf[256];
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

static int build_attr(struct report *r, const char *dir, char *err, size_t errlen)
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
	qsort(names, nn, sizeof *names, name_cmp);
	bool got_as = false, got_cc = false;
	int rc = 0;
	char as_note[256] = "", cc_note[256] = "";
	for (size_t i = 0; i < nn && rc == 0; i++) {
		char *p = path_join(dir, names[i]);
		struct csv_table t;
		if (!p || csv_table_read(p, &t, err, errlen) != 0) {
			if (!p)
				oom(err, errlen);
			free(p);
			rc = -1;
			break;
		}
		free(p);
		int ac = first_col(&t, AS_COLS), cc = first_col(&t, CC_COLS), vc = first_col(&t, VALUE_COLS);
		if (vc >= 0 && ac >= 0 && !got_as) {
			struct agg_list l = { 0, 0, NULL };
			char scan[64];
			uint64_t unknown;
			if (aggregate(&t, ac, AS_NAME_COLS, vc, &l, scan, sizeof scan, &unknown) != 0 ||
			    ranking_fill(&r->as4, &l, 4, false, r->opt.top_as4, true) != 0 ||
			    ranking_fill(&r->as6, &l, 6, false, r->opt.top_as6, true) != 0 ||
			    ranking_rows(&r->top_as, &r->as4, "4", t.header[vc], scan, names[i]) != 0 ||
			    ranking_rows(&r->top_as, &r->as6, "6", t.header[vc], scan, names[i]) != 0)
				rc = oom(err, errlen);
			snprintf(r->as4.measure, sizeof r->as4.measure, "%s", t.header[vc]);
			snprintf(r->as6.measure, sizeof r->as6.measure, "%s", t.header[vc]);
			snprintf(as_note, sizeof as_note, "From %s (column %s%s%s), ports summed%s.",
			         names[i], t.header[vc], scan[0] ? ", scan " : "", scan,
			         unknown ? "; hosts without an AS match are not ranked" : "");
			free(l.v);
			got_as = true;
		} else if (vc >= 0 && cc >= 0 && ac < 0 && !got_cc) {
			struct agg_list l = { 0, 0, NULL };
			char scan[64];
			uint64_t unknown;
			if (aggregate(&t, cc, CC_NAME_COLS, vc, &l, scan, sizeof scan, &unknown) != 0 ||
			    ranking_fill(&r->countries_rank, &l, 0, true, r->opt.top_countries, false) != 0 ||
			    ranking_rows(&r->countries, &r->countries_rank, "all", t.header[vc], scan,
			                 names[i]) != 0)
				rc = oom(err, errlen);
			snprintf(r->countries_rank.measure, sizeof r->countries_rank.measure, "%s",
			         t.header[vc]);
			snprintf(cc_note, sizeof cc_note,
			         "From %s (column %s%s%s), IPv4, IPv6 and ports summed%s.", names[i],
			         t.header[vc], scan[0] ? ", scan " : "", scan,
			         unknown ? "; hosts without a country match are not ranked" : "");
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

/* ---------------------------------------------------------------- build */

int report_build(struct report *r, const struct rp_options *opt, char *const *dirs, size_t ndirs,
                 const char *trace_dir, const char *attr_dir, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	r->opt = *opt;
	rp_table_init(&r->adoption, COLSET_REPORT_ADOPTION);
	rp_table_init(&r->monthly, COLSET_REPORT_MONTHLY);
	rp_table_init(&r->keystats, COLSET_REPORT_KEYSTATS);
	rp_table_init(&r->weights, COLSET_REPORT_WEIGHTS);
	rp_table_init(&r->bits, COLSET_REPORT_BITS);
	rp_table_init(&r->tracebox, COLSET_REPORT_TRACEBOX);
	rp_table_init(&r->trace_hops, COLSET_REPORT_TRACE_HOPS);
	rp_table_init(&r->top_as, COLSET_REPORT_TOP_AS);
	rp_table_init(&r->countries, COLSET_REPORT_COUNTRIES);
	if (!(opt->alpha > 0 && opt->alpha < 1)) {
		snprintf(err, errlen, "alpha %g: must be in (0, 1)", opt->alpha);
		return -1;
	}
	gsl_set_error_handler_off();
	if (ndirs == 0) {
		snprintf(err, errlen, "no results directory given");
		return -1;
	}
	if (load_scans(r, dirs, ndirs, err, errlen) != 0 || build_counts(r, err, errlen) != 0 ||
	    build_keys(r, err, errlen) != 0)
		return -1;
	if (trace_dir && build_trace(r, trace_dir, err, errlen) != 0)
		return -1;
	if (attr_dir && build_attr(r, attr_dir, err, errlen) != 0)
		return -1;
	return 0;
}

static void ranking_free(struct rp_ranking *rk)
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

void report_free(struct report *r)
{
	for (size_t i = 0; i < r->nscans; i++) {
		csv_table_free(&r->scans[i].targets);
		csv_table_free(&r->scans[i].summary);
	}
	free(r->scans);
	longitudinal_free(r->l);
	rp_table_free(&r->adoption);
	rp_table_free(&r->monthly);
	rp_table_free(&r->keystats);
	rp_table_free(&r->weights);
	rp_table_free(&r->bits);
	rp_table_free(&r->tracebox);
	rp_table_free(&r->trace_hops);
	rp_table_free(&r->top_as);
	rp_table_free(&r->countries);
	for (size_t i = 0; i < r->ngroups; i++)
		if (r->groups[i].tested) {
			ks_result_free(&r->groups[i].all);
			ks_result_free(&r->groups[i].clean);
		}
	for (size_t i = 0; i < r->nseries; i++) {
		free(r->series[i].true_mptcp);
		free(r->series[i].middlebox);
	}
	free(r->series);
	free(r->trace_group_labels);
	free(r->trace_counts);
	free(r->hops4);
	free(r->hops6);
	ranking_free(&r->as4);
	ranking_free(&r->as6);
	ranking_free(&r->countries_rank);
	memset(r, 0, sizeof *r);
}
