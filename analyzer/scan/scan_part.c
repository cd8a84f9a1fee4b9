/* scan_part.c — one scan on several cores, partitioned by target (see
 * scan_part.h and docs/scale.md, "One capture on every core").
 *
 * The reading scan (the master) settles the facts of the whole scan in
 * capture order (scan.c: scan_add) and hands every probe and response to its
 * sink, here: an event of one 64-byte cell (two more when a response carries
 * the answer a record keeps; an IPv4 probe takes half a cell) pushed into the
 * ring of the worker that owns the target.  A worker's probe options are a
 * prefix of the master's table (the options it needs are declared to it, in
 * order, before the first probe that uses them), so that option indices mean
 * the same everywhere.  Each worker
 * runs the target half of scan.c (scan_probe_target, scan_response_target)
 * on a scan of its own; what it decides depends only on its targets and on
 * the facts carried by the events, which are those one thread would have at
 * that packet.  At the end the pieces are folded into the master in worker
 * order: their targets are disjoint, so sets and records are unions,
 * counters sums and kept responses concatenations, put in canonical order by
 * scan_finish.
 */
#include "analyzer/scan/scan_part.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/base/spsc.h"
#include "analyzer/scan/abtest.h"
#include "analyzer/scan/scan_internal.h"

/* Cells of a worker's ring: 32 MiB of rings in all, 4096 to 262144 cells
 * (256 KiB to 16 MiB) each.  A deep ring lets both sides run a long time
 * without waiting for each other, through the other's window flushes (tens
 * of milliseconds each): on the 2-core VM of docs/scale.md, 65536 cells
 * instead of 4096 took one worker's sleeps and wake-ups from about 5,000 to
 * 450 on 10 M packets and -j 2 from 3.0 s to 2.1 s; 262144 instead of 65536
 * took -j 2 on zmap.pcap from 2.29 to 2.15 s (median of 7, 12 MiB more). */
#define RING_BYTES (32u << 20)
#define RING_MIN 4096u
#define RING_MAX 262144u

enum { EV_PROBE = 1, EV_RESP, EV_PROFILE, EV_END, EV_PROBES4 };
enum { EF_MAPPED = 1, EF_PRE = 2, EF_SCANNER_OK = 4, EF_PAYLOAD = 8 };

/* One event: the header cell. */
struct ev {
	uint64_t seq;
	uint32_t profile, prev_profile;
	uint16_t port, sport;
	uint8_t kind, family, type, flags;
	uint8_t target[16];
	uint8_t scanner[16];
};
_Static_assert(sizeof(struct ev) <= SPSC_CELL, "an event header fits one cell");

/* An IPv4 probe, the most common event, in half a cell: two to a cell
 * (EV_PROBES4), which halves the ring traffic of a scan's probes.  kind sits
 * where struct ev has it; the second half's kind is 0 when the cell holds
 * one probe. */
struct probe4 {
	uint64_t seq;
	uint32_t profile, prev_profile;
	uint16_t port, sport;
	uint8_t kind, flags;
	uint8_t target[4];
};
_Static_assert(2 * sizeof(struct probe4) <= SPSC_CELL, "two IPv4 probes fit one cell");
_Static_assert(offsetof(struct probe4, kind) == offsetof(struct ev, kind), "kind at one place");

/* A piece of the scan: piece 0 is the reading thread's own (no ring, no
 * thread: its events are applied as they come), pieces 1.. are workers. */
struct part_worker {
	struct spsc ring;
	struct scan *scan;
	pthread_t tid;
	bool running;
	uint32_t known;     /* reader: probe options declared to this piece */
	bool half;          /* reader: the current cell holds one IPv4 probe, not pushed yet */
	_Atomic int failed; /* worker: out of memory; events are read and dropped */
};

struct scan_part {
	struct scan *master;
	struct scan_sink sink;
	unsigned n;         /* pieces: the reader's own and n - 1 workers */
	uint64_t own_share; /* the reader owns hashes below this (of 2^32) */
	struct part_worker *w;
	uint64_t events;
};

/* ---- cells ---------------------------------------------------------------------- */

static void put_bytes(struct spsc *r, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t off = 0; off < n; off += SPSC_CELL) {
		struct spsc_cell *c = spsc_cell(r);
		memcpy(c->b, b + off, n - off < SPSC_CELL ? n - off : SPSC_CELL);
		spsc_push(r);
	}
}

static void get_bytes(struct spsc *r, void *p, size_t n)
{
	unsigned char *b = p;
	for (size_t off = 0; off < n; off += SPSC_CELL) {
		const struct spsc_cell *c = spsc_next(r);
		memcpy(b + off, c->b, n - off < SPSC_CELL ? n - off : SPSC_CELL);
		spsc_pop(r);
	}
}

/* ---- workers -------------------------------------------------------------------- */

static int worker_event(struct part_worker *w, const struct ev *e)
{
	struct scan *s = w->scan;
	bool ok = !atomic_load_explicit(&w->failed, memory_order_relaxed);
	if (e->kind == EV_PROFILE) {
		struct profile_entry pe;
		get_bytes(&w->ring, &pe, sizeof pe);
		uint32_t idx;
		return ok ? scan_profile_add(s, &pe.p, pe.first_seq, &idx) : 0;
	}
	if (e->kind == EV_PROBE) {
		struct scan_probe p = { .seq = e->seq,
			                .profile = e->profile,
			                .family = e->family,
			                .mapped = (e->flags & EF_MAPPED) != 0,
			                .port = e->port,
			                .sport = e->sport,
			                .target = e->target,
			                .prev_profile = e->prev_profile };
		return ok ? scan_probe_target(s, &p) : 0;
	}
	struct resp_payload pl;
	if (e->flags & EF_PAYLOAD)
		get_bytes(&w->ring, &pl, sizeof pl);
	struct scan_resp r = { .seq = e->seq,
		               .type = e->type,
		               .family = e->family,
		               .pre = (e->flags & EF_PRE) != 0,
		               .scanner_ok = (e->flags & EF_SCANNER_OK) != 0,
		               .port = e->port,
		               .sport = e->sport,
		               .target = e->target,
		               .scanner = e->scanner,
		               .payload = (e->flags & EF_PAYLOAD) ? &pl : NULL };
	return ok ? scan_response_target(s, &r) : 0;
}

static int worker_probe4(struct part_worker *w, const struct probe4 *c)
{
	if (atomic_load_explicit(&w->failed, memory_order_relaxed))
		return 0;
	struct scan_probe p = { .seq = c->seq,
		                .profile = c->profile,
		                .family = 4,
		                .mapped = (c->flags & EF_MAPPED) != 0,
		                .port = c->port,
		                .sport = c->sport,
		                .target = c->target,
		                .prev_profile = c->prev_profile };
	return scan_probe_target(w->scan, &p);
}

static void *worker_main(void *arg)
{
	struct part_worker *w = arg;
	for (;;) {
		union {
			struct ev e;
			struct probe4 p[2];
		} u;
		memcpy(&u, spsc_next(&w->ring)->b, sizeof u);
		spsc_pop(&w->ring);
		int rc;
		if (u.e.kind == EV_END)
			break;
		if (u.e.kind == EV_PROBES4)
			rc = worker_probe4(w, &u.p[0]) != 0 ||
			     (u.p[1].kind == EV_PROBES4 && worker_probe4(w, &u.p[1]) != 0);
		else
			rc = worker_event(w, &u.e);
		if (rc != 0)
			atomic_store_explicit(&w->failed, 1, memory_order_relaxed);
	}
	spsc_release(&w->ring);
	/* the last windows and batches join their sets here, in parallel */
	if (!atomic_load_explicit(&w->failed, memory_order_relaxed) && scan_drain(w->scan) != 0)
		atomic_store_explicit(&w->failed, 1, memory_order_relaxed);
	return NULL;
}

/* ---- the reader's side ---------------------------------------------------------- */

/* The piece owning a target: IPv4 by port and /16 (a piece owns whole
 * chunks of the target sets), IPv6 by port and address, hashed; the
 * reader's own piece takes the hashes below own_share, the workers equal
 * parts of the rest. */
static unsigned owner(const struct scan_part *pt, uint8_t family, const uint8_t *a, uint16_t port)
{
	uint64_t h;
	if (family == 4) {
		h = (uint64_t)a[0] << 24 | (uint64_t)a[1] << 16 | port;
	} else {
		uint64_t x, y;
		memcpy(&x, a, 8);
		memcpy(&y, a + 8, 8);
		h = x ^ (y * 0xc2b2ae3d27d4eb4fULL) ^ port;
	}
	h *= 0x9e3779b97f4a7c15ULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	h &= 0xffffffffu;
	if (h < pt->own_share)
		return 0;
	return 1 + (unsigned)((h - pt->own_share) * (pt->n - 1) / ((1ULL << 32) - pt->own_share));
}

/* The reader's share of the targets with n pieces.  The reader also
 * dissects and routes every packet, which costs about half what a target's
 * bookkeeping does (docs/scale.md, the per-stage table): with one worker
 * beside it, the reader owns a quarter of the targets, so that both threads
 * have about as much to do; with two workers or more it is busy enough
 * routing and owns none. */
static uint64_t own_share(unsigned n)
{
	return n == 1 ? 1ULL << 32 : n == 2 ? 1ULL << 30 : 0;
}

/* Pushes the cell holding one IPv4 probe, its second half marked empty. */
static void close_half(struct part_worker *w)
{
	if (!w->half)
		return;
	struct probe4 *c = (struct probe4 *)spsc_cell(&w->ring)->b;
	c[1].kind = 0;
	spsc_push(&w->ring);
	w->half = false;
}

static void push_ev(struct part_worker *w, const struct ev *e)
{
	close_half(w);
	struct spsc_cell *c = spsc_cell(&w->ring);
	memcpy(c->b, e, sizeof *e);
	spsc_push(&w->ring);
}

static int check_workers(struct scan_part *pt)
{
	if ((++pt->events & 4095) == 0)
		for (unsigned i = 0; i < pt->n; i++)
			if (atomic_load_explicit(&pt->w[i].failed, memory_order_relaxed))
				return -1;
	return 0;
}

static int sink_probe(void *ctx, const struct scan_probe *p)
{
	struct scan_part *pt = ctx;
	unsigned o = owner(pt, p->family, p->target, p->port);
	struct part_worker *w = &pt->w[o];
	if (o == 0) {
		/* the reader's own piece: the same facts, applied at once */
		while (w->known <= p->profile) {
			const struct profile_entry *pe = &pt->master->profiles[w->known];
			uint32_t idx;
			if (scan_profile_add(w->scan, &pe->p, pe->first_seq, &idx) != 0)
				return -1;
			w->known++;
		}
		return scan_probe_target(w->scan, p);
	}
	while (w->known <= p->profile) {
		/* the worker's options stay a prefix of the master's */
		struct ev d = { .kind = EV_PROFILE };
		push_ev(w, &d);
		put_bytes(&w->ring, &pt->master->profiles[w->known], sizeof pt->master->profiles[0]);
		w->known++;
	}
	if (p->family == 4) {
		/* the first or the second half of the current cell */
		struct probe4 *c = (struct probe4 *)spsc_cell(&w->ring)->b + w->half;
		c->seq = p->seq;
		c->profile = p->profile;
		c->prev_profile = p->prev_profile;
		c->port = p->port;
		c->sport = p->sport;
		c->kind = EV_PROBES4;
		c->flags = p->mapped ? EF_MAPPED : 0;
		memcpy(c->target, p->target, 4);
		if (w->half)
			spsc_push(&w->ring);
		w->half = !w->half;
		return check_workers(pt);
	}
	struct ev e = { .seq = p->seq,
		        .profile = p->profile,
		        .prev_profile = p->prev_profile,
		        .port = p->port,
		        .sport = p->sport,
		        .kind = EV_PROBE,
		        .family = p->family,
		        .flags = p->mapped ? EF_MAPPED : 0 };
	memcpy(e.target, p->target, 16);
	push_ev(w, &e);
	return check_workers(pt);
}

static int sink_response(void *ctx, const struct scan_resp *r)
{
	struct scan_part *pt = ctx;
	unsigned o = owner(pt, r->family, r->target, r->port);
	if (o == 0)
		return scan_response_target(pt->w[0].scan, r);
	struct part_worker *w = &pt->w[o];
	struct ev e = { .seq = r->seq,
		        .port = r->port,
		        .sport = r->sport,
		        .kind = EV_RESP,
		        .family = r->family,
		        .type = r->type,
		        .flags = (uint8_t)((r->pre ? EF_PRE : 0) | (r->scanner_ok ? EF_SCANNER_OK : 0) |
		                           (r->payload ? EF_PAYLOAD : 0)) };
	memcpy(e.target, r->target, 16);
	memcpy(e.scanner, r->scanner, 16);
	push_ev(w, &e);
	if (r->payload)
		put_bytes(&w->ring, r->payload, sizeof *r->payload);
	return check_workers(pt);
}

/* The cells of each ring with n pieces (n - 1 workers), a power of two. */
static size_t ring_cells(unsigned n)
{
	size_t cells = RING_MAX;
	while (cells > RING_MIN && cells * SPSC_CELL * (n - 1) > RING_BYTES)
		cells /= 2;
	return cells;
}

/* ---- life ----------------------------------------------------------------------- */

struct scan_part *scan_part_new(const struct scan_config *cfg, unsigned workers, char *err, size_t errlen)
{
	struct scan_part *pt = calloc(1, sizeof *pt);
	if (!pt || workers < 1 || !(pt->w = calloc(workers, sizeof *pt->w)) ||
	    !(pt->master = scan_alloc(cfg))) {
		snprintf(err, errlen, "out of memory");
		scan_part_free(pt);
		return NULL;
	}
	pt->n = workers;
	pt->own_share = own_share(workers);
	pt->sink = (struct scan_sink){ sink_probe, sink_response, pt };
	pt->master->sink = &pt->sink;
	for (unsigned i = 0; i < workers; i++) {
		struct part_worker *w = &pt->w[i];
		atomic_init(&w->failed, 0);
		if (!(w->scan = scan_alloc(cfg)) ||
		    (i > 0 && spsc_init(&w->ring, ring_cells(workers)) != 0)) {
			snprintf(err, errlen, "out of memory");
			scan_part_free(pt);
			return NULL;
		}
		if (i == 0)
			continue; /* the reader's own piece */
		if (pthread_create(&w->tid, NULL, worker_main, w) != 0) {
			snprintf(err, errlen, "cannot start a thread");
			scan_part_free(pt);
			return NULL;
		}
		w->running = true;
	}
	return pt;
}

struct scan *scan_part_scan(struct scan_part *p)
{
	return p->master;
}

/* Ends the workers; with drain, the reader's own piece drains its last
 * windows while they drain theirs. */
static void stop_workers(struct scan_part *pt, bool drain)
{
	for (unsigned i = 0; i < pt->n; i++) {
		struct part_worker *w = &pt->w[i];
		if (!w->running)
			continue;
		struct ev e = { .kind = EV_END };
		push_ev(w, &e);
		spsc_flush(&w->ring);
	}
	if (drain && scan_drain(pt->w[0].scan) != 0)
		atomic_store_explicit(&pt->w[0].failed, 1, memory_order_relaxed);
	for (unsigned i = 0; i < pt->n; i++)
		if (pt->w[i].running) {
			pthread_join(pt->w[i].tid, NULL);
			pt->w[i].running = false;
		}
}

static void swap_sets(struct target_set **a, struct target_set **b)
{
	struct target_set *t = *a;
	*a = *b;
	*b = t;
}

/* Folds worker piece w (disjoint targets, drained) into the master m. */
static int fold(struct scan *m, struct scan *w, bool first)
{
	/* the kinds of probe per target (abtest.h), while each side's sets are its own */
	if (abtest_merge(m, w) != 0)
		return -1;
	if (first) {
		/* the master's own sets and records are empty: take the piece's */
		swap_sets(&m->probed, &w->probed);
		struct respsets rs = m->resp;
		m->resp = w->resp;
		w->resp = rs;
		rs = m->pre;
		m->pre = w->pre;
		w->pre = rs;
		struct recset r = m->recs;
		m->recs = w->recs;
		w->recs = r;
		r = m->prerecs;
		m->prerecs = w->prerecs;
		w->prerecs = r;
	} else if (target_set_union(m->probed, w->probed) != 0 ||
	           scan_union_respsets(&m->resp, &w->resp) != 0 ||
	           scan_union_respsets(&m->pre, &w->pre) != 0 ||
	           scan_union_records(m, &m->recs, &w->recs) != 0 ||
	           scan_union_records(m, &m->prerecs, &w->prerecs) != 0) {
		return -1;
	}
	m->applied += w->applied;
	m->unsolicited += w->unsolicited;
	m->pre_packets += w->pre_packets;
	if (w->pre_last_seq > m->pre_last_seq)
		m->pre_last_seq = w->pre_last_seq;
	if (scan_merge_payloads(m, w) != 0 || scan_append_list(m, &m->pending, &w->pending, PEND_MAX) != 0 ||
	    scan_append_list(m, &m->prelog, &w->prelog, PRE_LOG_MAX) != 0)
		return -1;
	if (w->probe_map) {
		if (!m->probe_map && !(m->probe_map = target_map_new()))
			return -1;
		size_t cur = 0;
		struct target_key k;
		uint32_t v;
		while (target_map_next(w->probe_map, &cur, &k, &v))
			if (!target_map_get(m->probe_map, &k, true, v, NULL))
				return -1;
	}
	if (w->inexact)
		scan_set_inexact(m, w->inexact_why);
	return 0;
}

struct scan *scan_part_finish(struct scan_part *pt, char *err, size_t errlen)
{
	stop_workers(pt, true);
	struct scan *m = pt->master;
	m->sink = NULL;
	for (unsigned i = 0; i < pt->n; i++)
		if (atomic_load_explicit(&pt->w[i].failed, memory_order_relaxed)) {
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
	/* the last piece first: with 2 pieces it is the larger (the reader's
	 * own holds a quarter), and the first fold takes a piece whole */
	for (unsigned k = 0; k < pt->n; k++) {
		unsigned i = pt->n - 1 - k;
		if (fold(m, pt->w[i].scan, k == 0) != 0) {
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
		scan_free(pt->w[i].scan);
		pt->w[i].scan = NULL;
	}
	/* one thread keeps the first PEND_MAX / PRE_LOG_MAX in an order of its own */
	if (m->pending.overflow || m->prelog.overflow)
		scan_set_inexact(m, "more responses were kept for a later merge than a partitioned scan can "
		                    "order as one thread does");
	pt->master = NULL;
	return m;
}

void scan_part_free(struct scan_part *pt)
{
	if (!pt)
		return;
	if (pt->w) {
		stop_workers(pt, false);
		for (unsigned i = 0; i < pt->n; i++) {
			scan_free(pt->w[i].scan);
			spsc_free(&pt->w[i].ring);
		}
	}
	free(pt->w);
	scan_free(pt->master);
	free(pt);
}
