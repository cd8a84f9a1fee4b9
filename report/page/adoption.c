/* adoption.c — the report's adoption.csv (the study's table per scan, IP
 * version and port, and over all scans), monthly.csv and the monthly
 * series: targets counted from the scans' targets.csv rows (MPTCP by scan
 * verdict, middlebox verdicts), responsive targets from summary.csv and the
 * targets.sets files, consistency from the longitudinal join, and true MPTCP
 * and middlebox-affected hosts from each traced scan's tracebox classes
 * (tracebox.c).  Middlebox verdicts are verdict.h's. */
#include <stdlib.h>
#include <string.h>

#include "analyzer/scan/target.h"
#include "analyzer/scan/verdict.h"
#include "report/page/report_internal.h"

/* ------------------------------------------------------- per target */

enum { TF_MPC = 1, TF_KEYDIFF = 2, TF_MPTCP = 4, TF_MIDDLEBOX = 8 };

struct counts {
	uint64_t responsive, mpcapable, key_differs, mptcp_verdict, middlebox, consistent, consistent_mptcp;
	int64_t responsive_unique; /* -1: unknown */
};

/* Targets per scan merged over their rows (probe versions), then counted. */
struct tally {
	struct rp_fp_list fps;
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
		return rp_oom(err, errlen);
	int rc = -1;
	for (size_t s = 0; s < r->nscans; s++) {
		const struct rp_scan *sc = &r->scans[s];
		struct merged one = { target_map_new(), NULL, 0, 0 };
		if (!one.map)
			goto oom_out;
		for (size_t i = 0; i < sc->ntargets; i++) {
			const struct rp_target *tg = &sc->targets[i];
			unsigned f = 0;
			if (tg->has_mpc)
				f |= TF_MPC;
			if (tg->has_key && (!tg->has_probe || tg->key != tg->probe))
				f |= TF_KEYDIFF;
			if (tg->verdict == VERDICT_MPTCP)
				f |= TF_MPTCP;
			if (verdict_is_middlebox(tg->verdict))
				f |= TF_MIDDLEBOX;
			struct target_key k = target_key_make(tg->family, tg->addr, tg->port);
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
			int fi = rp_fp_index(&t->fps, k.family, k.port, true);
			if (fi < 0 || tally_grow(t, r->nscans) != 0 || merged_add(&all, &k, f) != 0) {
				target_map_free(one.map);
				free(one.flags);
				goto oom_out;
			}
			struct counts *ct = tally_at(t, s, (size_t)fi);
			ct->mpcapable += (f & TF_MPC) != 0;
			ct->key_differs += (f & TF_KEYDIFF) != 0;
			ct->mptcp_verdict += target_class(f) == TF_MPTCP;
			ct->middlebox += target_class(f) == TF_MIDDLEBOX;
		}
		target_map_free(one.map);
		free(one.flags);
	}
	/* over all scans: a host counts once; MPTCP by verdict / middlebox when so in some scan */
	size_t cur = 0;
	struct target_key k;
	uint32_t v;
	while (target_map_next(all.map, &cur, &k, &v)) {
		unsigned f = all.flags[v];
		int fi = rp_fp_index(&t->fps, k.family, k.port, false);
		if (fi < 0)
			continue;
		struct counts *ct = &t->total[fi];
		ct->mpcapable += (f & TF_MPC) != 0;
		ct->key_differs += (f & TF_KEYDIFF) != 0;
		ct->mptcp_verdict += (f & TF_MPTCP) != 0;
		ct->middlebox += (f & TF_MIDDLEBOX) != 0;
	}
	rc = 0;
	goto out;
oom_out:
	rp_oom(err, errlen);
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
		int fi = rp_fp_index(&t->fps, h.family, h.port, false);
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
		const struct summary_csv *sum = &r->scans[s].rd.summary;
		for (size_t i = 0; i < sum->n; i++) {
			const struct summary_row *row = &sum->rows[i];
			if (strcmp(row->counter, "targets.responsive") != 0 || !row->family)
				continue;
			if (rp_fp_index(&t->fps, row->family, row->port, true) < 0 ||
			    tally_grow(t, r->nscans))
				return rp_oom(err, errlen);
		}
	}
	for (size_t fi = 0; fi < t->fps.n; fi++) {
		uint64_t mx = 0;
		for (size_t s = 0; s < r->nscans; s++) {
			uint64_t v = 0;
			summary_csv_value(&r->scans[s].rd.summary, "targets.responsive", t->fps.v[fi].family,
			                  t->fps.v[fi].port, &v);
			tally_at(t, s, fi)->responsive = v;
			if (v > mx)
				mx = v;
		}
		t->total[fi].responsive = mx;
		t->total[fi].responsive_unique = -1;
	}
	/* unique responsive over the scans */
	struct target_set *uni = target_set_new();
	if (!uni)
		return rp_oom(err, errlen);
	bool all_sets = r->nscans > 0;
	for (size_t s = 0; s < r->nscans && all_sets; s++) {
		if (!results_dir_has_sets(&r->scans[s].rd)) {
			all_sets = false;
			break;
		}
		struct target_set *resp = NULL;
		int rc = results_dir_responsive(&r->scans[s].rd, &resp, err, errlen);
		if (rc != 0) {
			target_set_free(uni);
			return -1;
		}
		r->scans[s].has_sets = true;
		rc = target_set_union(uni, resp);
		target_set_free(resp);
		if (rc != 0) {
			target_set_free(uni);
			return rp_oom(err, errlen);
		}
	}
	if (all_sets)
		for (size_t fi = 0; fi < t->fps.n; fi++)
			t->total[fi].responsive_unique =
			    (int64_t)target_set_count_port(uni, t->fps.v[fi].family, t->fps.v[fi].port);
	target_set_free(uni);
	return 0;
}

/* The tracebox classes of (family, port) in a traced scan; NULL when none. */
static const uint64_t *scan_trace(const struct rp_scan *sc, const struct rp_fp *p)
{
	for (size_t i = 0; i < sc->ntrace; i++)
		if (sc->trace[i].family == p->family && sc->trace[i].port == p->port)
			return sc->trace[i].n;
	return NULL;
}

/* sc NULL: the all-scans row (no tracebox columns). */
static int adoption_row(struct report *r, const struct rp_scan *sc, const struct rp_fp *p,
                        const struct counts *c)
{
	char fam[4], port[8], resp[24], uniq[24], mpc[24], mpcs[24], kd[24], kds[24], tm[24], tms[24], mb[24],
	    mbs[24], tr[4] = "", ct[24] = "", cts[24] = "", cm[24] = "", cms[24] = "", un[24] = "",
	             ut[24] = "", cons[24], conss[24], ctm[24];
	snprintf(fam, sizeof fam, "%u", p->family);
	snprintf(port, sizeof port, "%u", p->port);
	rp_fmt_u64(c->responsive, resp, sizeof resp);
	if (c->responsive_unique >= 0)
		rp_fmt_u64((uint64_t)c->responsive_unique, uniq, sizeof uniq);
	else
		uniq[0] = '\0';
	rp_fmt_u64(c->mpcapable, mpc, sizeof mpc);
	rp_fmt_share(c->mpcapable, c->responsive_unique >= 0 ? (uint64_t)c->responsive_unique : c->responsive,
	             mpcs, sizeof mpcs);
	rp_fmt_u64(c->key_differs, kd, sizeof kd);
	rp_fmt_share(c->key_differs, c->mpcapable, kds, sizeof kds);
	rp_fmt_u64(c->mptcp_verdict, tm, sizeof tm);
	rp_fmt_share(c->mptcp_verdict, c->mpcapable, tms, sizeof tms);
	rp_fmt_u64(c->middlebox, mb, sizeof mb);
	rp_fmt_share(c->middlebox, c->mpcapable, mbs, sizeof mbs);
	if (sc) {
		snprintf(tr, sizeof tr, "%d", sc->traced ? 1 : 0);
		if (sc->traced) {
			static const uint64_t none[FIG_TRACE_NCLASSES];
			const uint64_t *n = scan_trace(sc, p);
			if (!n)
				n = none;
			uint64_t tot = 0;
			for (int k = 0; k < FIG_TRACE_NCLASSES; k++)
				tot += n[k];
			rp_fmt_u64(n[FIG_TC_TRUE], ct, sizeof ct);
			rp_fmt_share(n[FIG_TC_TRUE], tot, cts, sizeof cts);
			rp_fmt_u64(n[FIG_TC_MIDDLEBOX], cm, sizeof cm);
			rp_fmt_share(n[FIG_TC_MIDDLEBOX], tot, cms, sizeof cms);
			rp_fmt_u64(n[FIG_TC_UNREACHABLE], un, sizeof un);
			rp_fmt_u64(n[FIG_TC_UNTRACED], ut, sizeof ut);
		}
	}
	rp_fmt_u64(c->consistent, cons, sizeof cons);
	rp_fmt_share(c->consistent, c->mpcapable, conss, sizeof conss);
	rp_fmt_u64(c->consistent_mptcp, ctm, sizeof ctm);
	const char *f[] = { sc ? sc->label : "all",
		            fam,
		            port,
		            resp,
		            uniq,
		            mpc,
		            mpcs,
		            kd,
		            kds,
		            tm,
		            tms,
		            mb,
		            mbs,
		            tr,
		            ct,
		            cts,
		            cm,
		            cms,
		            un,
		            ut,
		            cons,
		            conss,
		            ctm,
		            sc ? "scan" : "all" };
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

int rp_build_counts(struct report *r, char *err, size_t errlen)
{
	struct tally t;
	memset(&t, 0, sizeof t);
	int rc = -1;
	if (count_targets(r, &t, err, errlen) != 0 || count_responsive(r, &t, err, errlen) != 0)
		goto out;
	if (tally_grow(&t, r->nscans) != 0) {
		rp_oom(err, errlen);
		goto out;
	}
	count_consistency(r, &t);
	/* rows in family, port order */
	size_t *order = calloc(t.fps.n + 1, sizeof *order);
	struct rp_fp *sorted = calloc(t.fps.n + 1, sizeof *sorted);
	if (!order || !sorted) {
		free(order);
		free(sorted);
		rp_oom(err, errlen);
		goto out;
	}
	if (t.fps.n)
		memcpy(sorted, t.fps.v, t.fps.n * sizeof *sorted);
	if (t.fps.n > 1) /* qsort(NULL, 0) is undefined */
		qsort(sorted, t.fps.n, sizeof *sorted, rp_fp_cmp);
	for (size_t i = 0; i < t.fps.n; i++)
		order[i] = (size_t)rp_fp_index(&t.fps, sorted[i].family, sorted[i].port, false);
	bool fail = false;
	for (size_t s = 0; s < r->nscans && !fail; s++)
		for (size_t i = 0; i < t.fps.n && !fail; i++) {
			struct counts *c = tally_at(&t, s, order[i]);
			c->responsive_unique = -1;
			if (c->responsive == 0 && c->mpcapable == 0)
				continue;
			fail = adoption_row(r, &r->scans[s], &sorted[i], c) != 0;
		}
	for (size_t i = 0; i < t.fps.n && !fail; i++) {
		const struct counts *c = &t.total[order[i]];
		if (c->responsive == 0 && c->mpcapable == 0)
			continue;
		fail = adoption_row(r, NULL, &sorted[i], c) != 0;
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
			char fam[4], port[8], a[24], b[24], d[24], e[24] = "", g[24] = "";
			snprintf(fam, sizeof fam, "%u", sorted[i].family);
			snprintf(port, sizeof port, "%u", sorted[i].port);
			rp_fmt_u64(c->mpcapable, a, sizeof a);
			rp_fmt_u64(c->mptcp_verdict, b, sizeof b);
			rp_fmt_u64(c->middlebox, d, sizeof d);
			const struct rp_scan *sc = &r->scans[s];
			if (sc->traced) {
				const uint64_t *n = scan_trace(sc, &sorted[i]);
				rp_fmt_u64(n ? n[FIG_TC_TRUE] : 0, e, sizeof e);
				rp_fmt_u64(n ? n[FIG_TC_MIDDLEBOX] : 0, g, sizeof g);
			}
			const char *f1[] = { sc->label, fam, port, "class", "mpcapable", a };
			const char *f2[] = { sc->label, fam, port, "class", "mptcp-verdict", b };
			const char *f3[] = { sc->label, fam, port, "class", "middlebox-verdict", d };
			const char *f4[] = {
				sc->label, fam, port, "tracebox", sc->traced ? "true-mptcp" : "untraced", e
			};
			const char *f5[] = { sc->label, fam, port, "tracebox", "middlebox-affected", g };
			fail = rp_table_add(&r->monthly, f1) != 0 || rp_table_add(&r->monthly, f2) != 0 ||
			       rp_table_add(&r->monthly, f3) != 0 || rp_table_add(&r->monthly, f4) != 0 ||
			       (sc->traced && rp_table_add(&r->monthly, f5) != 0);
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
		ps->mptcp = calloc(r->nscans + 1, sizeof(double));
		ps->middlebox = calloc(r->nscans + 1, sizeof(double));
		r->nseries++;
		if (!ps->mptcp || !ps->middlebox) {
			fail = true;
			break;
		}
		/* tracebox-confirmed when some scan was traced (untraced scans stay 0 and are
		 * marked on the chart), else the scan verdicts */
		for (size_t s = 0; s < r->nscans; s++) {
			if (r->ntraced) {
				const uint64_t *n = scan_trace(&r->scans[s], &sorted[i]);
				ps->mptcp[s] = n ? (double)n[FIG_TC_TRUE] : 0;
				ps->middlebox[s] = n ? (double)n[FIG_TC_MIDDLEBOX] : 0;
			} else {
				ps->mptcp[s] = (double)tally_at(&t, s, order[i])->mptcp_verdict;
				ps->middlebox[s] = (double)tally_at(&t, s, order[i])->middlebox;
			}
		}
	}
	r->series_confirmed = r->ntraced > 0;
	free(order);
	free(sorted);
	if (fail) {
		rp_oom(err, errlen);
		goto out;
	}
	rc = 0;
out:
	free(t.fps.v);
	free(t.per);
	free(t.total);
	return rc;
}
