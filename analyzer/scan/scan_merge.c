/* scan_merge.c — two pieces of one scan merged into what one run over both
 * gives (see scan.h, scan_internal.h and docs/scale.md).
 *
 * A packet's position is (file ordinal, frame).  Pieces are either
 * consecutive files (everything of dst before src) or the same files split by
 * target, so that every decision a single run makes in order can be made
 * again from what the pieces kept:
 *   - sets, counters, records and the tables of probe options, scanner
 *     addresses and link types are unions (records keep the first and the best
 *     answer by position; tables keep the first sighting);
 *   - a response one piece could not count (its destination was not yet a
 *     scanner address there, or its target not yet probed there) is decided
 *     again with the other piece's scanner addresses (first sighting before
 *     the response) and probed targets (when that piece probed before it);
 *   - responses a piece saw before its first probe stay so when the other
 *     piece has no earlier probe, and are decided again otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/base/grow.h"
#include "analyzer/scan/scan.h"
#include "analyzer/scan/abtest.h"
#include "analyzer/scan/scan_internal.h"

/* ---- files ---------------------------------------------------------------------- */

static uint64_t remap_seq(uint64_t seq, const uint32_t *map, size_t nmap)
{
	if (seq == SEQ_NONE)
		return seq;
	uint32_t f = (uint32_t)(seq >> 40);
	if (f >= nmap)
		return seq;
	return scan_seq(map[f], seq & ((UINT64_C(1) << 40) - 1));
}

static void remap_recs(struct scan_target *v, size_t n, const uint32_t *map, size_t nmap)
{
	for (size_t i = 0; i < n; i++) {
		v[i].first_seq = remap_seq(v[i].first_seq, map, nmap);
		v[i].best_seq = remap_seq(v[i].best_seq, map, nmap);
	}
}

static void remap_pend(struct pendlist *l, const uint32_t *map, size_t nmap)
{
	for (size_t i = 0; i < l->n; i++)
		l->v[i].seq = remap_seq(l->v[i].seq, map, nmap);
	if (l->overflow)
		l->first_dropped = remap_seq(l->first_dropped, map, nmap);
}

int scan_adopt_files(struct scan *dst, struct scan *src, char *err, size_t errlen)
{
	size_t n = src->nfiles;
	uint32_t *map = malloc((n ? n : 1) * sizeof *map);
	if (!map) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	bool monotone = true;
	int64_t prev = -1;
	for (size_t i = 0; i < n; i++) {
		map[i] = (uint32_t)i;
		if (!src->files[i].name)
			continue;
		if (scan_file_add(dst, src->files[i].name, src->files[i].size, &map[i]) != 0) {
			free(map);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if ((int64_t)map[i] <= prev)
			monotone = false;
		prev = map[i];
	}
	if (!monotone)
		scan_set_inexact(dst, "two pieces list common files in different orders");
	src->label_seq =
	    src->label_set && !src->cfg.label ? remap_seq(src->label_seq, map, n) : src->label_seq;
	for (size_t i = 0; i < src->nlinks; i++)
		src->links[i].first_seq = remap_seq(src->links[i].first_seq, map, n);
	for (size_t i = 0; i < src->nprofiles; i++)
		src->profiles[i].first_seq = remap_seq(src->profiles[i].first_seq, map, n);
	for (size_t i = 0; i < src->nscanners; i++)
		src->scanners[i].first_seq = remap_seq(src->scanners[i].first_seq, map, n);
	src->first_probe_seq = remap_seq(src->first_probe_seq, map, n);
	src->last_probe_seq = src->first_probe_seq == SEQ_NONE ? 0 : remap_seq(src->last_probe_seq, map, n);
	src->pre_last_seq = src->pre_last_seq ? remap_seq(src->pre_last_seq, map, n) : 0;
	src->max_seq = src->max_seq ? remap_seq(src->max_seq, map, n) : 0;
	remap_recs(src->recs.v, src->recs.n, map, n);
	remap_recs(src->prerecs.v, src->prerecs.n, map, n);
	remap_pend(&src->pending, map, n);
	remap_pend(&src->prelog, map, n);
	/* src's file table becomes dst's numbering */
	struct scan_file *nf = calloc(dst->nfiles ? dst->nfiles : 1, sizeof *nf);
	if (!nf) {
		free(map);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (src->files[i].name) {
			nf[map[i]].name = src->files[i].name;
			nf[map[i]].size = src->files[i].size;
		}
	}
	free(src->files);
	src->files = nf;
	src->nfiles = dst->nfiles;
	free(map);
	return 0;
}

/* ---- evaluation of kept responses against the other piece ------------------------- */

enum outcome { OUT_DROP, OUT_SOLICITED, OUT_UNSOLICITED, OUT_NOT_SCANNER };

static bool scanner_before(const struct scan *y, uint8_t family, const uint8_t *addr, uint64_t seq)
{
	const struct scanner_addr *a = scan_scanner_find(y, family, addr);
	return a && a->first_seq < seq;
}

/* The probe option y would give a response to (target, port) from scanner
 * port sport: its last probe to that target and scanner port (a target
 * probed in a piece is taken to have been probed there from the port the
 * response went to, as scanners keep one source port per target). */
static uint32_t lookup_profile(const struct scan *y, const struct pend *e, bool *assumed)
{
	*assumed = true;
	if (!y->nprofiles)
		return UINT32_MAX;
	struct target_key k = target_key_make(e->family, e->target, e->port);
	uint32_t *v = NULL;
	if (y->probe_map) {
		k.aux = e->sport;
		v = target_map_get(y->probe_map, &k, false, 0, NULL);
	}
	*assumed = v == NULL;
	if (!v && y->probe_wild) {
		k.aux = 0;
		v = target_map_get(y->probe_wild, &k, false, 0, NULL);
	}
	return v ? *v : y->local0;
}

static enum outcome evaluate(struct scan *into, const struct scan *y, struct pend *e)
{
	if (scanner_before(y, e->family, e->target, e->seq))
		return OUT_DROP;
	bool sc = (e->flags & PF_SCANNER) || scanner_before(y, e->family, e->scanner, e->seq);
	bool pr = (e->flags & PF_PROBED) != 0;
	uint8_t assumed = e->flags & PF_ASSUMED;
	if (!pr && y->first_probe_seq < e->seq &&
	    target_set_contains(y->probed, e->family, e->target, e->port)) {
		pr = true;
		bool a;
		e->profile = lookup_profile(y, e, &a);
		assumed = a ? PF_ASSUMED : 0;
		if (a && (e->flags & PF_RECORD) && into->nprofiles > 1)
			scan_set_inexact(into,
			                 "with several probe options, a response went to a scanner port from "
			                 "which another piece never probed its target");
	}
	e->flags = (uint8_t)((e->flags & PF_RECORD) | (sc ? PF_SCANNER : 0) | (pr ? PF_PROBED : 0) | assumed);
	if (sc && pr)
		return OUT_SOLICITED;
	return sc ? OUT_UNSOLICITED : OUT_NOT_SCANNER;
}

struct resolved {
	struct pend *v;
	size_t n, cap;
};

static int resolved_push(struct resolved *r, const struct pend *e)
{
	if (grow_array((void **)&r->v, &r->cap, r->n + 1, sizeof *r->v, 64) != 0)
		return -1;
	r->v[r->n++] = *e;
	return 0;
}

/* x's pending responses against y: those still undecided stay in x's list. */
static int eval_pending(struct scan *into, struct scan *x, const struct scan *y, struct resolved *out)
{
	size_t keep = 0;
	for (size_t i = 0; i < x->pending.n; i++) {
		struct pend e = x->pending.v[i];
		bool was_unsolicited = (e.flags & PF_SCANNER) != 0;
		enum outcome o = evaluate(into, y, &e);
		if (was_unsolicited)
			x->unsolicited--;
		if (o == OUT_UNSOLICITED)
			x->unsolicited++;
		if (o == OUT_SOLICITED) {
			if (resolved_push(out, &e) != 0)
				return -1;
		} else if (o != OUT_DROP) {
			x->pending.v[keep++] = e;
		}
	}
	x->pending.n = keep;
	if (x->pending.overflow && (y->nprofiles || y->nscanners))
		scan_set_inexact(into,
		                 "a piece kept only part of its unanswered responses (more than the limit)");
	return 0;
}

/* Rebuilds x's pre substate from the logged entries that stay before y's
 * first probe; the others are decided against y as ordinary responses. */
static int eval_pre(struct scan *into, struct scan *x, const struct scan *y, struct resolved *out)
{
	if (!x->pre_packets && !x->prelog.n)
		return 0;
	if (y->first_probe_seq >= x->pre_last_seq)
		return 0; /* y probed nothing before them: they stay as they are */
	if (x->prelog.overflow) {
		scan_set_inexact(into,
		                 "a piece's responses before its first probe were too many to keep, and "
		                 "another piece probed before them");
		return 0;
	}
	respsets_free(&x->pre);
	recset_free(&x->prerecs);
	if (respsets_init(&x->pre) != 0 || recset_init(&x->prerecs) != 0)
		return -1;
	x->pre_packets = 0;
	uint64_t last = 0;
	size_t keep = 0;
	for (size_t i = 0; i < x->prelog.n; i++) {
		struct pend e = x->prelog.v[i];
		if (e.seq < y->first_probe_seq) {
			/* still before every probe of the scan */
			x->pre_packets++;
			if (scan_respsets_add(&x->pre, e.type, e.family, e.target, e.port) != 0)
				return -1;
			if (e.flags & PF_RECORD) {
				struct target_key k =
				    scan_record_key(x, e.family, e.target, e.port, UINT32_MAX);
				bool is_new;
				struct scan_target *t = scan_record_get(x, &x->prerecs, &k, &is_new);
				if (!t)
					return -1;
				struct scan_target one;
				memset(&one, 0, sizeof one);
				one.key = k;
				const struct resp_payload *p = &into->payloads[e.payload];
				scan_record_from_payload(&one, p);
				one.profile = UINT32_MAX;
				one.first_sec = p->sec;
				one.first_nsec = p->nsec;
				one.first_seq = one.best_seq = e.seq;
				one.sport = e.sport;
				one.responses = 1;
				if (is_new)
					*t = one;
				else
					scan_record_merge(t, &one);
			}
			if (e.seq > last)
				last = e.seq;
			x->prelog.v[keep++] = e;
			continue;
		}
		e.flags &= (uint8_t)~PF_PRE;
		enum outcome o = evaluate(into, y, &e);
		if (o == OUT_SOLICITED) {
			if (resolved_push(out, &e) != 0)
				return -1;
		} else if (o != OUT_DROP) {
			if (o == OUT_UNSOLICITED)
				x->unsolicited++;
			if (scan_pend_push(x, &x->pending, &e, PEND_MAX) != 0)
				return -1;
		}
	}
	x->prelog.n = keep;
	x->pre_last_seq = last;
	return 0;
}

struct port_collect {
	uint16_t ports[64];
	uint8_t fams[64];
	size_t n;
};

static void collect_port(void *ctx, uint8_t family, uint16_t port, uint64_t count)
{
	(void)count;
	struct port_collect *pc = ctx;
	if (pc->n < 64) {
		pc->fams[pc->n] = family;
		pc->ports[pc->n++] = port;
	}
}

/* A scanner address of y that answered as a target in x after y saw it
 * probing: a single run would not have counted those answers (responses
 * seen before x's first probe are decided again from the log instead). */
static void check_scanner_targets(struct scan *into, const struct scan *x, const struct scan *y)
{
	struct port_collect pc = { .n = 0 };
	target_set_each_port(x->resp.any, collect_port, &pc);
	for (size_t i = 0; i < y->nscanners; i++) {
		if (y->scanners[i].first_seq >= x->max_seq)
			continue;
		for (size_t j = 0; j < pc.n; j++)
			if (pc.fams[j] == y->scanners[i].family &&
			    target_set_contains(x->resp.any, pc.fams[j], y->scanners[i].addr, pc.ports[j]))
				scan_set_inexact(
				    into, "a scanner address of one piece answered as a target in another");
	}
}

/* With several probe options, a record whose option was inferred from its
 * target alone is right when the target's probes all lie in its own piece;
 * when the other piece probed the target too, it may have answered that
 * probe. */
static void check_assumed_records(struct scan *into, const struct scan *x, const struct scan *y)
{
	if (into->nprofiles <= 1 || !y->nprofiles)
		return;
	for (size_t i = 0; i < x->recs.n; i++) {
		const struct scan_target *t = &x->recs.v[i];
		if (t->profile_assumed && y->first_probe_seq < t->first_seq &&
		    target_set_contains(y->probed, t->key.family, t->key.addr, t->key.port)) {
			scan_set_inexact(into,
			                 "with several probe options, a target probed in two pieces answered "
			                 "from a scanner port its own piece never probed it from");
			return;
		}
	}
}

/* ---- unions --------------------------------------------------------------------- */

int scan_union_respsets(struct respsets *a, const struct respsets *b)
{
	if (target_set_union(a->any, b->any) != 0 || target_set_union(a->synack, b->synack) != 0 ||
	    target_set_union(a->rst, b->rst) != 0 || target_set_union(a->icmp, b->icmp) != 0)
		return -1;
	return 0;
}

int scan_union_records(struct scan *a, struct recset *dst, const struct recset *src)
{
	for (size_t i = 0; i < src->n; i++) {
		bool is_new;
		struct scan_target *t = scan_record_get(a, dst, &src->v[i].key, &is_new);
		if (!t)
			return -1;
		if (is_new)
			*t = src->v[i];
		else
			scan_record_merge(t, &src->v[i]);
	}
	return 0;
}

static void remap_profile(uint32_t *p, const uint32_t *map, size_t n)
{
	if (*p != UINT32_MAX && *p < n)
		*p = map[*p];
}

static void remap_piece_profiles(struct scan *x, const uint32_t *map)
{
	size_t n = x->nprofiles;
	for (size_t i = 0; i < x->recs.n; i++)
		remap_profile(&x->recs.v[i].profile, map, n);
	for (size_t i = 0; i < x->pending.n; i++)
		remap_profile(&x->pending.v[i].profile, map, n);
	if (x->probe_map) {
		size_t cur = 0;
		struct target_key k;
		uint32_t v;
		while (target_map_next(x->probe_map, &cur, &k, &v)) {
			uint32_t *slot = target_map_get(x->probe_map, &k, false, 0, NULL);
			if (slot && v < n)
				*slot = map[v];
		}
	}
	if (x->probe_wild) {
		size_t cur = 0;
		struct target_key k;
		uint32_t v;
		while (target_map_next(x->probe_wild, &cur, &k, &v)) {
			uint32_t *slot = target_map_get(x->probe_wild, &k, false, 0, NULL);
			if (slot && v < n)
				*slot = map[v];
		}
	}
	if (n)
		x->local0 = map[x->local0 < n ? x->local0 : 0];
}

/* One table of probe options for both pieces, in order of first sighting;
 * every reference to a profile index in either piece is renumbered. */
static int merge_profiles(struct scan *a, struct scan *b)
{
	size_t na = a->nprofiles, nb = b->nprofiles;
	uint32_t *mb = malloc((nb ? nb : 1) * sizeof *mb);
	if (!mb)
		return -1;
	for (size_t j = 0; j < nb; j++)
		if (scan_profile_add(a, &b->profiles[j].p, b->profiles[j].first_seq, &mb[j]) != 0) {
			free(mb);
			return -1;
		}
	size_t n = a->nprofiles;
	struct profile_entry *old = malloc((n ? n : 1) * sizeof *old);
	uint32_t *order = malloc((n ? n : 1) * sizeof *order);
	uint32_t *pos = calloc(n ? n : 1, sizeof *pos);
	if (!old || !order || !pos) {
		free(mb);
		free(old);
		free(order);
		free(pos);
		return -1;
	}
	if (n)
		memcpy(old, a->profiles, n * sizeof *old);
	for (size_t i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	for (size_t i = 1; i < n; i++) { /* tables are small: an insertion sort */
		uint32_t x = order[i];
		size_t j = i;
		while (j > 0 && old[order[j - 1]].first_seq > old[x].first_seq) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = x;
	}
	for (size_t i = 0; i < n; i++)
		pos[order[i]] = (uint32_t)i;
	for (size_t j = 0; j < nb; j++)
		mb[j] = pos[mb[j]];
	a->nprofiles = na; /* a's references are to its own table */
	remap_piece_profiles(a, pos);
	remap_piece_profiles(b, mb);
	/* the table in its new order, with a fresh hash index */
	free(a->prof_hash);
	a->prof_hash = NULL;
	a->prof_hash_cap = 0;
	a->nprofiles = 0;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		uint32_t idx;
		rc = scan_profile_add(a, &old[order[i]].p, old[order[i]].first_seq, &idx);
	}
	a->last_profile = 0;
	a->last_profile_ts = -2;
	a->last_probe_profile = UINT32_MAX; /* indices changed */
	free(old);
	free(order);
	free(pos);
	free(mb);
	return rc;
}

static int merge_links(struct scan *a, const struct scan *b)
{
	struct linkcount all[2 * MAX_LINKTYPES];
	size_t n = 0;
	for (size_t i = 0; i < a->nlinks; i++)
		all[n++] = a->links[i];
	for (size_t i = 0; i < b->nlinks; i++) {
		size_t j = 0;
		while (j < n && all[j].dlt != b->links[i].dlt)
			j++;
		if (j < n) {
			all[j].n += b->links[i].n;
			if (b->links[i].first_seq < all[j].first_seq)
				all[j].first_seq = b->links[i].first_seq;
		} else {
			all[n++] = b->links[i];
		}
	}
	for (size_t i = 1; i < n; i++) {
		struct linkcount x = all[i];
		size_t j = i;
		while (j > 0 && all[j - 1].first_seq > x.first_seq) {
			all[j] = all[j - 1];
			j--;
		}
		all[j] = x;
	}
	a->nlinks = n < MAX_LINKTYPES ? n : MAX_LINKTYPES;
	memcpy(a->links, all, a->nlinks * sizeof *all);
	return 0;
}

int scan_merge_payloads(struct scan *a, struct scan *b)
{
	size_t off = a->npayloads;
	for (size_t i = 0; i < b->npayloads; i++) {
		uint32_t idx;
		if (scan_payload_push(a, &b->payloads[i], &idx) != 0)
			return -1;
	}
	struct pendlist *ls[2] = { &b->pending, &b->prelog };
	for (int l = 0; l < 2; l++)
		for (size_t i = 0; i < ls[l]->n; i++)
			if (ls[l]->v[i].flags & PF_RECORD)
				ls[l]->v[i].payload += (uint32_t)off;
	return 0;
}

int scan_append_list(struct scan *a, struct pendlist *dst, const struct pendlist *src, uint32_t limit)
{
	for (size_t i = 0; i < src->n; i++)
		if (scan_pend_push(a, dst, &src->v[i], limit) != 0)
			return -1;
	if (src->overflow) {
		if (!dst->overflow || src->first_dropped < dst->first_dropped)
			dst->first_dropped = src->first_dropped;
		dst->overflow = true;
	}
	return 0;
}

/* Applies a response decided to be an answer: sets, counters, record. */
static int apply(struct scan *a, const struct pend *e)
{
	a->applied++;
	if (scan_respsets_add(&a->resp, e->type, e->family, e->target, e->port) != 0)
		return -1;
	if (abtest_answer(a, e->family, e->target, e->port, e->profile) != 0)
		return -1;
	if (!(e->flags & PF_RECORD))
		return 0;
	const struct resp_payload *p = &a->payloads[e->payload];
	struct target_key k = scan_record_key(a, e->family, e->target, e->port, e->profile);
	bool is_new;
	struct scan_target *t = scan_record_get(a, &a->recs, &k, &is_new);
	if (!t)
		return -1;
	struct scan_target one;
	memset(&one, 0, sizeof one);
	one.key = k;
	scan_record_from_payload(&one, p);
	one.profile = e->profile;
	one.profile_assumed = (e->flags & PF_ASSUMED) != 0;
	one.first_sec = p->sec;
	one.first_nsec = p->nsec;
	one.first_seq = one.best_seq = e->seq;
	one.sport = e->sport;
	one.responses = 1;
	if (is_new)
		*t = one;
	else
		scan_record_merge(t, &one);
	return 0;
}

/* Drops payloads no kept entry refers to. */
static int compact_payloads(struct scan *a)
{
	size_t n = 0;
	for (size_t i = 0; i < a->pending.n; i++)
		n += (a->pending.v[i].flags & PF_RECORD) != 0;
	for (size_t i = 0; i < a->prelog.n; i++)
		n += (a->prelog.v[i].flags & PF_RECORD) != 0;
	struct resp_payload *np = malloc((n ? n : 1) * sizeof *np);
	if (!np)
		return -1;
	size_t k = 0;
	struct pendlist *ls[2] = { &a->pending, &a->prelog };
	for (int l = 0; l < 2; l++)
		for (size_t i = 0; i < ls[l]->n; i++)
			if (ls[l]->v[i].flags & PF_RECORD) {
				np[k] = a->payloads[ls[l]->v[i].payload];
				ls[l]->v[i].payload = (uint32_t)k++;
			}
	free(a->payloads);
	a->payloads = np;
	a->cappayloads = n ? n : 1;
	a->npayloads = k;
	return 0;
}

struct wild_fill {
	struct target_map *wild;
	uint32_t value;
	int rc;
};

static void fill_wild(void *ctx, uint8_t family, const uint8_t *addr, uint16_t port)
{
	struct wild_fill *f = ctx;
	struct target_key k = target_key_make(family, addr, port);
	bool inserted;
	if (f->rc == 0 && !target_map_get(f->wild, &k, true, f->value, &inserted))
		f->rc = -1;
}

/* Every target x probed, with x's default option unless already known. */
static int materialise_wild(struct scan *x)
{
	if (!x->nprofiles || x->probe_wild)
		return 0;
	if (!(x->probe_wild = target_map_new()))
		return -1;
	struct wild_fill f = { x->probe_wild, x->local0, 0 };
	target_set_each(x->probed, fill_wild, &f);
	return f.rc;
}

/* Per-probe maps of both pieces as one (profiles already renumbered).  Only
 * a scan with several probe options needs one.  b's probes are later than
 * a's where they touch the same target (consecutive files). */
static int merge_probe_maps(struct scan *a, struct scan *b)
{
	if (a->nprofiles <= 1) {
		target_map_free(a->probe_map);
		target_map_free(a->probe_wild);
		a->probe_map = a->probe_wild = NULL;
		a->local0 = 0;
		return 0;
	}
	if (materialise_wild(a) != 0 || materialise_wild(b) != 0)
		return -1;
	if (!a->probe_map && !(a->probe_map = target_map_new()))
		return -1;
	/* a's exact entries for targets b probed again are stale */
	if (b->nprofiles && a->probe_map && target_map_count(a->probe_map)) {
		struct target_map *keep = target_map_new();
		if (!keep)
			return -1;
		size_t cur = 0;
		struct target_key k;
		uint32_t v;
		while (target_map_next(a->probe_map, &cur, &k, &v))
			if (!target_set_contains(b->probed, k.family, k.addr, k.port) &&
			    !target_map_get(keep, &k, true, v, NULL)) {
				target_map_free(keep);
				return -1;
			}
		target_map_free(a->probe_map);
		a->probe_map = keep;
	}
	size_t cur = 0;
	struct target_key k;
	uint32_t v;
	if (b->probe_wild)
		while (target_map_next(b->probe_wild, &cur, &k, &v)) {
			uint32_t *slot = target_map_get(a->probe_wild, &k, true, v, NULL);
			if (!slot)
				return -1;
			*slot = v;
		}
	cur = 0;
	if (b->probe_map)
		while (target_map_next(b->probe_map, &cur, &k, &v)) {
			uint32_t *slot = target_map_get(a->probe_map, &k, true, v, NULL);
			if (!slot)
				return -1;
			*slot = v;
		}
	a->local0 = 0;
	return 0;
}

static bool config_equal(const struct scan_config *x, const struct scan_config *y, char *err, size_t errlen)
{
	if (x->all_responders != y->all_responders) {
		snprintf(err, errlen, "pieces analysed with and without --all");
		return false;
	}
	if (x->probe_key_given != y->probe_key_given ||
	    (x->probe_key_given && x->probe_key != y->probe_key)) {
		snprintf(err, errlen, "pieces analysed with different --probe-key");
		return false;
	}
	if ((x->label == NULL) != (y->label == NULL) || (x->label && strcmp(x->label, y->label) != 0)) {
		snprintf(err, errlen, "pieces analysed with different --scan labels");
		return false;
	}
	return true;
}

int scan_merge(struct scan *a, struct scan *b, char *err, size_t errlen)
{
	if (a->finished || b->finished) {
		snprintf(err, errlen, "internal error: merging a finished scan");
		return -1;
	}
	if (!config_equal(&a->cfg, &b->cfg, err, errlen))
		return -1;
	if (scan_flush(a) != 0 || scan_flush(b) != 0)
		goto oom;
	if (b->inexact)
		scan_set_inexact(a, b->inexact_why);

	/* files: b already uses a's numbering (scan_adopt_files) or the global one (-j) */
	if (b->nfiles > a->nfiles) {
		struct scan_file *nf = realloc(a->files, b->nfiles * sizeof *nf);
		if (!nf)
			goto oom;
		memset(nf + a->nfiles, 0, (b->nfiles - a->nfiles) * sizeof *nf);
		a->files = nf;
		a->nfiles = b->nfiles;
	}
	for (size_t i = 0; i < b->nfiles; i++)
		if (b->files[i].name && !a->files[i].name) {
			a->files[i] = b->files[i];
			b->files[i].name = NULL;
		}

	if (b->label_set && !a->cfg.label && (!a->label_set || b->label_seq < a->label_seq)) {
		memcpy(a->label, b->label, sizeof a->label);
		a->label_set = true;
		a->label_seq = b->label_seq;
	}
	a->packets += b->packets;
	if (b->max_seq > a->max_seq)
		a->max_seq = b->max_seq;
	for (int i = 0; i < SKIP_REASON_COUNT; i++)
		a->skips[i] += b->skips[i];
	for (int i = 0; i < NOTE_COUNT; i++)
		a->notes[i] += b->notes[i];
	a->probe_packets += b->probe_packets;
	a->icmp_time_exceeded += b->icmp_time_exceeded;
	a->icmp_unreachable += b->icmp_unreachable;
	a->mpc_options += b->mpc_options;
	a->mpc_in_quotes += b->mpc_in_quotes;
	merge_links(a, b);

	/* probe options, then scanner addresses (first sightings) */
	if (merge_profiles(a, b) != 0)
		goto oom;
	/* which kinds of probe each target had and answered (abtest.h), before the sets unite */
	if (abtest_merge(a, b) != 0)
		goto oom;

	/* what each piece could not decide, decided against the other (before any union) */
	struct resolved res = { 0 };
	if (scan_merge_payloads(a, b) != 0)
		goto oom_res;
	free(b->payloads);
	b->payloads = NULL;
	b->npayloads = b->cappayloads = 0;
	if (eval_pending(a, a, b, &res) != 0 || eval_pending(a, b, a, &res) != 0 ||
	    eval_pre(a, a, b, &res) != 0 || eval_pre(a, b, a, &res) != 0)
		goto oom_res;

	check_scanner_targets(a, a, b);
	check_scanner_targets(a, b, a);
	check_assumed_records(a, a, b);
	check_assumed_records(a, b, a);
	for (size_t i = 0; i < b->nscanners; i++)
		if (scan_scanner_add(a, b->scanners[i].family, b->scanners[i].addr,
		                     b->scanners[i].first_seq) != 0)
			goto oom_res;

	/* unions */
	if (target_set_union(a->probed, b->probed) != 0 || scan_union_respsets(&a->resp, &b->resp) != 0 ||
	    scan_union_respsets(&a->pre, &b->pre) != 0 || scan_union_records(a, &a->recs, &b->recs) != 0 ||
	    scan_union_records(a, &a->prerecs, &b->prerecs) != 0)
		goto oom_res;
	a->applied += b->applied;
	a->unsolicited += b->unsolicited;
	a->pre_packets += b->pre_packets;
	if (b->pre_last_seq > a->pre_last_seq)
		a->pre_last_seq = b->pre_last_seq;
	if (scan_append_list(a, &a->pending, &b->pending, PEND_MAX) != 0 ||
	    scan_append_list(a, &a->prelog, &b->prelog, PRE_LOG_MAX) != 0)
		goto oom_res;
	for (size_t i = 0; i < res.n; i++)
		if (apply(a, &res.v[i]) != 0)
			goto oom_res;
	free(res.v);
	res.v = NULL;
	if (compact_payloads(a) != 0)
		goto oom;

	if (merge_probe_maps(a, b) != 0)
		goto oom;
	if (b->first_probe_seq < a->first_probe_seq)
		a->first_probe_seq = b->first_probe_seq;
	if (b->first_probe_seq != SEQ_NONE && b->last_probe_seq > a->last_probe_seq)
		a->last_probe_seq = b->last_probe_seq;
	a->last_scanner_family = 0;
	return 0;
oom_res:
	free(res.v);
oom:
	snprintf(err, errlen, "out of memory while merging");
	return -1;
}
