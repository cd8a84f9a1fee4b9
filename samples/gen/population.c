/*
 * population.c — builds the population of the synthetic Internet (see population.h): the scaled
 * count of every class (calibration.h), apportioned over countries, ASes and prefixes by
 * largest remainders, shared-key boxes in groups of 2..4 addresses inside one prefix, silent
 * addresses inside announced prefixes and in unrouted space.
 */
#include "samples/gen/population.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samples/gen/gen.h"
#include "samples/gen/world.h"

struct population *popf(struct gen *g, int fam)
{
	return &g->pop[fam == 4 ? 0 : 1];
}

/* Largest-remainder (Hamilton) apportionment of n among k weights, each share at least minv[i]
 * (minv may be NULL) when n allows it: shares whose quota falls below their minimum are raised
 * to it and the rest is apportioned among the others by weight, so that large shares are not
 * diluted by the minimums. */
static void apportion_min(uint64_t n, const double *w, int k, const uint64_t *minv, uint64_t *out)
{
	if (k <= 0)
		return;
	uint64_t summin = 0;
	for (int i = 0; i < k; i++) {
		out[i] = 0;
		if (w[i] > 0 && minv)
			summin += minv[i];
	}
	if (summin > n)
		minv = NULL;
	bool *fixed = calloc((size_t)k, sizeof(bool));
	double *rem = malloc(sizeof(double) * (size_t)k);
	if (fixed == NULL || rem == NULL) {
		fprintf(stderr, "mpcap-gen: out of memory\n");
		exit(1);
	}
	uint64_t rest = n;
	double sum = 0;
	for (bool again = true; again;) {
		again = false;
		sum = 0;
		for (int i = 0; i < k; i++)
			if (w[i] > 0 && !fixed[i])
				sum += w[i];
		for (int i = 0; i < k && minv; i++) {
			if (w[i] > 0 && !fixed[i] && minv[i] > 0 &&
			    (double)rest * w[i] / sum < (double)minv[i]) {
				fixed[i] = true;
				out[i] = minv[i];
				rest -= minv[i];
				again = true;
			}
		}
	}
	uint64_t given = 0;
	for (int i = 0; i < k; i++) {
		rem[i] = -1;
		if (w[i] <= 0 || fixed[i] || sum <= 0)
			continue;
		double q = (double)rest * w[i] / sum;
		uint64_t f = (uint64_t)floor(q);
		out[i] += f;
		given += f;
		rem[i] = q - (double)f;
	}
	while (given < rest) {
		int best = -1;
		for (int i = 0; i < k; i++)
			if (rem[i] >= 0 && (best < 0 || rem[i] > rem[best]))
				best = i;
		if (best < 0)
			break;
		out[best]++;
		rem[best] = -1;
		given++;
	}
	free(rem);
	free(fixed);
}

static void apportion(uint64_t n, const double *w, int k, uint64_t *out)
{
	apportion_min(n, w, k, NULL, out);
}

static void add_block(struct population *P, uint64_t n, int pfx, uint64_t slot0, uint64_t rank0, int cls,
                      int pop, int group)
{
	if (n == 0)
		return;
	if (P->nblk == P->cap) {
		P->cap = P->cap ? P->cap * 2 : 1024;
		P->blk = realloc(P->blk, P->cap * sizeof(*P->blk));
		if (P->blk == NULL) {
			fprintf(stderr, "mpcap-gen: out of memory\n");
			exit(1);
		}
	}
	struct block *b = &P->blk[P->nblk++];
	b->start = P->N;
	b->n = n;
	b->slot0 = slot0;
	b->rank0 = rank0;
	b->pfx = pfx;
	b->cls = cls;
	b->pop = pop;
	b->group = group;
	P->N += n;
}

static uint64_t take_slots(struct world *w, int pfx, uint64_t n)
{
	struct prefix *p = &w->pfx[pfx];
	uint64_t s = p->used;
	if (p->used + n > p->nvalid) {
		char t[64];
		prefix_text(p, t, sizeof(t));
		fprintf(stderr,
		        "mpcap-gen: --scale too large: prefix %s/%d cannot hold %" PRIu64 " more hosts\n", t,
		        p->len, n);
		exit(1);
	}
	p->used += n;
	return s;
}

static bool special_prefix(const struct world *w, const struct prefix *p)
{
	return strpbrk(p->origin, "_,") != NULL || (p->as >= 0 && w->as[p->as].kind == K_CUSTOMER);
}

/* Spreads n hosts (or n groups) of one class over prefixes: by address space, or by country,
 * AS and prefix weights. out[p] receives the count per prefix. */
static void spread(struct gen *g, int fam, int dist, int country_floor, uint64_t n, uint64_t special_floor,
                   uint64_t *out)
{
	struct world *w = &g->w;
	double *wp = calloc((size_t)w->npfx, sizeof(double));
	for (int p = 0; p < w->npfx; p++)
		out[p] = 0;
	if (dist == D_SIZE) {
		uint64_t nspecial = 0;
		for (int p = 0; p < w->npfx; p++) {
			const struct prefix *pf = &w->pfx[p];
			if (pf->fam != fam || !pf->hosts)
				continue;
			wp[p] = (double)pf->nvalid;
			if (special_floor && special_prefix(w, pf))
				nspecial++;
		}
		uint64_t base = 0;
		if (special_floor && nspecial * special_floor <= n) {
			for (int p = 0; p < w->npfx; p++)
				if (wp[p] > 0 && special_prefix(w, &w->pfx[p]))
					out[p] = special_floor;
			base = nspecial * special_floor;
		}
		uint64_t *tmp = calloc((size_t)w->npfx, sizeof(uint64_t));
		apportion(n - base, wp, w->npfx, tmp);
		for (int p = 0; p < w->npfx; p++)
			out[p] += tmp[p];
		free(tmp);
		free(wp);
		return;
	}
	/* country, then AS, then prefix */
	double wc[NCOUNTRIES];
	size_t nas = w->nas > 0 ? (size_t)w->nas : 0; /* never negative; said so to the compiler */
	double *wa = calloc(nas, sizeof(double));
	for (int c = 0; c < NCOUNTRIES; c++)
		wc[c] = 0;
	for (int a = 0; a < w->nas; a++) {
		bool has = false;
		for (int i = 0; i < w->as[a].npfx; i++) {
			const struct prefix *pf = &w->pfx[w->as[a].pfx[i]];
			if (pf->fam == fam && pf->hosts && pf->origin[strcspn(pf->origin, "_,")] == 0)
				has = true;
		}
		if (!has)
			continue;
		wa[a] = dist == D_MPTCP ? w->as[a].w_mptcp : w->as[a].w_mb;
		wc[w->as[a].cc] += wa[a];
	}
	/* every country gets at least one host on one of the ports: on port 80 the countries of
	 * even rank, on port 443 the others (a floor on both ports would double the tail) */
	uint64_t nc[NCOUNTRIES], minc[NCOUNTRIES];
	for (int c = 0; c < NCOUNTRIES; c++)
		minc[c] = (country_floor && wc[c] > 0 && c % 2 == country_floor - 1) ? 1 : 0;
	apportion_min(n, wc, NCOUNTRIES, minc, nc);
	uint64_t *na = calloc(nas, sizeof(uint64_t));
	double *wac = calloc(nas, sizeof(double));
	for (int c = 0; c < NCOUNTRIES; c++) {
		if (nc[c] == 0)
			continue;
		for (int a = 0; a < w->nas; a++)
			wac[a] = w->as[a].cc == c ? wa[a] : 0;
		uint64_t *tmp = calloc(nas, sizeof(uint64_t));
		apportion(nc[c], wac, w->nas, tmp);
		for (int a = 0; a < w->nas; a++)
			na[a] += tmp[a];
		free(tmp);
	}
	for (int a = 0; a < w->nas; a++) {
		if (na[a] == 0)
			continue;
		double wpa[6];
		uint64_t npa[6];
		const struct asys *as = &w->as[a];
		for (int i = 0; i < as->npfx; i++) {
			const struct prefix *pf = &w->pfx[as->pfx[i]];
			wpa[i] = (pf->fam == fam && pf->hosts && pf->origin[strcspn(pf->origin, "_,")] == 0)
			             ? (double)pf->nvalid
			             : 0;
		}
		apportion(na[a], wpa, as->npfx, npa);
		for (int i = 0; i < as->npfx; i++)
			out[as->pfx[i]] += npa[i];
	}
	free(na);
	free(wac);
	free(wa);
	free(wp);
}

static uint64_t scaled_count(const struct cspec *sp, double scale)
{
	double x = sp->unique * scale / sp->divisor;
	uint64_t n = (uint64_t)llround(x);
	return n < sp->floor_n ? sp->floor_n : n;
}

void build_population(struct gen *g, int fam)
{
	struct world *w = &g->w;
	struct population *P = popf(g, fam);
	memset(P, 0, sizeof(*P));
	uint64_t *cnt = calloc((size_t)w->npfx, sizeof(uint64_t));
	for (int pi = 0; pi < 3; pi++) {
		for (int c = 0; c < C_COUNT; c++) {
			const struct cspec *sp = cspec_find(fam, pop_port[pi], c);
			if (sp == NULL)
				continue;
			struct cinst *ci = &P->ci[pi][c];
			ci->sp = sp;
			ci->n = scaled_count(sp, g->scale);
			ci->weight = sp->divisor / g->scale;
			ci->blk_first = P->nblk;
			ci->gi_first = P->N;
			uint64_t key =
			    h4(TAG_RANK, g->seed, (uint64_t)fam * 1000 + (uint64_t)pop_port[pi], (uint64_t)c);
			ci->n_unreach = (uint64_t)llround((double)ci->n * sp->unreach);
			ci->n_trans = (uint64_t)llround((double)ci->n * sp->trans);
			ci->n_g0 = (uint64_t)llround((double)ci->n * sp->growth0);
			ci->n_flicker = (uint64_t)llround((double)ci->n * sp->flicker);
			perm_init(&ci->p_unreach, ci->n, hh(key, 1));
			perm_init(&ci->p_trans, ci->n, hh(key, 2));
			perm_init(&ci->p_growth, ci->n, hh(key, 3));
			perm_init(&ci->p_flicker, ci->n, hh(key, 4));
			if (c == C_DARK && fam == 4) {
				/* 60% inside announced prefixes, 40% in unrouted space */
				uint64_t n_in = ci->n * 6 / 10, n_out = ci->n - n_in;
				double *wp = calloc((size_t)w->npfx, sizeof(double));
				for (int p = 0; p < w->npfx; p++)
					if (w->pfx[p].fam == 4 && w->pfx[p].hosts)
						wp[p] = (double)(w->pfx[p].nvalid - w->pfx[p].used);
				apportion(n_in, wp, w->npfx, cnt);
				uint64_t rank = 0;
				for (int p = 0; p < w->npfx; p++) {
					add_block(P, cnt[p], p, take_slots(w, p, cnt[p]), rank, c, pi, -1);
					rank += cnt[p];
				}
				double wu[6] = { 1, 1, 1, 1, 1, 1 };
				uint64_t nu[6];
				apportion(n_out, wu, w->nunannounced4, nu);
				for (int i = 0; i < w->nunannounced4; i++) {
					int p = w->unannounced4[i];
					add_block(P, nu[i], p, take_slots(w, p, nu[i]), rank, c, pi, -1);
					rank += nu[i];
				}
				free(wp);
			} else if (c == C_DARK) {
				double *wp = calloc((size_t)w->npfx, sizeof(double));
				for (int p = 0; p < w->npfx; p++)
					if (w->pfx[p].fam == 6 && w->pfx[p].hosts)
						wp[p] = (double)(w->pfx[p].nvalid - w->pfx[p].used);
				apportion(ci->n, wp, w->npfx, cnt);
				uint64_t rank = 0;
				for (int p = 0; p < w->npfx; p++) {
					add_block(P, cnt[p], p, take_slots(w, p, cnt[p]), rank, c, pi, -1);
					rank += cnt[p];
				}
				free(wp);
			} else if (c == C_SHARED) {
				/* groups of 2..4 addresses behind one box, each group inside one prefix */
				uint64_t sizes[4096], ng = 0, left = ci->n;
				while (left >= 2 && ng < 4096) {
					uint64_t s =
					    2 +
					    h3(TAG_GROUP, (uint64_t)fam * 1000 + (uint64_t)pop_port[pi], ng) %
					        3;
					if (s > left)
						s = left;
					if (left - s == 1)
						s++;
					sizes[ng++] = s;
					left -= s;
				}
				ci->n -= left;
				spread(g, fam, sp->dist, 0, ng, 0, cnt);
				uint64_t gidx = 0, rank = 0;
				for (int p = 0; p < w->npfx; p++) {
					for (uint64_t k = 0; k < cnt[p]; k++, gidx++) {
						add_block(P, sizes[gidx], p, take_slots(w, p, sizes[gidx]),
						          rank, c, pi, P->ngroups++);
						rank += sizes[gidx];
					}
				}
			} else {
				spread(g, fam, sp->dist, sp->country_floor ? pi + 1 : 0, ci->n,
				       c == C_PLAIN ? 1 : 0, cnt);
				uint64_t rank = 0;
				for (int p = 0; p < w->npfx; p++) {
					add_block(P, cnt[p], p, take_slots(w, p, cnt[p]), rank, c, pi, -1);
					rank += cnt[p];
				}
			}
			ci->blk_count = P->nblk - ci->blk_first;
		}
	}
	free(cnt);
}

size_t find_block(const struct population *P, uint64_t gi)
{
	size_t lo = 0, hi = P->nblk;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (P->blk[mid].start <= gi)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

uint64_t class_rank_gi(const struct population *P, const struct cinst *ci, uint64_t rank)
{
	size_t lo = ci->blk_first, hi = ci->blk_first + ci->blk_count;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (P->blk[mid].rank0 <= rank)
			lo = mid;
		else
			hi = mid;
	}
	return P->blk[lo].start + (rank - P->blk[lo].rank0);
}
