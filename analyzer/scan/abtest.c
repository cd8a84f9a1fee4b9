/* abtest.c — plain vs MP_CAPABLE probes per target (RFC 6824 / RFC 8684
 * §3.1 options on RFC 9293 SYNs).  See abtest.h. */
#include "analyzer/scan/abtest.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/base/grow.h"
#include "analyzer/dissect/tcp.h"
#include "analyzer/scan/scan_internal.h"

enum { KIND_PLAIN = 1, KIND_V0 = 2, KIND_V1 = 4, KINDS = 7, ANSWERED_SHIFT = 3, AMBIGUOUS = 1u << 6 };

struct abtest {
	uint8_t kinds_seen;
	bool active, finished;
	bool unkept;          /* loaded from a scan.state that kept no per-target kinds (no plain probes) */
	struct target_map *m; /* target -> kinds probed | kinds answered << ANSWERED_SHIFT */
	uint32_t kind_profile[KINDS + 1]; /* the first profile of each kind */
	struct scan_target *rows;
	size_t nrows, caprows;
	const struct scan_target **out; /* the scan's records and rows, in target order */
	size_t nout;
	uint64_t targets, dropped_v0, dropped_v1, plain_dropped, ambiguous;
};

void abtest_free(struct abtest *ab)
{
	if (!ab)
		return;
	target_map_free(ab->m);
	free(ab->rows);
	free(ab->out);
	free(ab);
}

bool abtest_active(const struct abtest *ab)
{
	return ab && ab->active;
}

bool abtest_reported(const struct abtest *ab)
{
	return ab && ab->finished && ab->targets > 0;
}

static uint8_t kind_of(const struct scan *s, uint32_t profile)
{
	if (profile == UINT32_MAX || profile >= s->nprofiles)
		return 0;
	const struct probe_profile *p = &s->profiles[profile].p;
	if (!p->has_mpc) { /* plain: no MPTCP option at all (an MP_JOIN SYN is no plain probe) */
		struct tcp_opts it;
		struct tcp_opt o;
		tcp_opts_begin(&it, bv_make(p->options, p->options_len), p->options_len);
		while (tcp_opts_next(&it, &o) == TCP_OPTS_MORE)
			if (o.kind == TCP_OPT_MPTCP)
				return 0;
		return KIND_PLAIN;
	}
	return p->mpc_version == 0 ? KIND_V0 : p->mpc_version == 1 ? KIND_V1 : 0;
}

unsigned abtest_kinds(const struct scan *s)
{
	unsigned k = 0;
	for (size_t i = 0; i < s->nprofiles; i++)
		k |= kind_of(s, (uint32_t)i);
	return k;
}

bool abtest_kinds_ab(unsigned kinds)
{
	return (kinds & KIND_PLAIN) && (kinds & (KIND_V0 | KIND_V1));
}

struct fill {
	struct abtest *ab;
	uint32_t bits;
	int rc;
};

/* Every target probed (or answered) before tracking began: all of the first kind. */
static void fill_one(void *ctx, uint8_t family, const uint8_t *addr, uint16_t port)
{
	struct fill *f = ctx;
	struct target_key k = target_key_make(family, addr, port);
	bool probe = f->bits < (1u << ANSWERED_SHIFT);
	uint32_t *v = target_map_get(f->ab->m, &k, probe, 0, NULL);
	if (v)
		*v |= f->bits;
	else if (probe)
		f->rc = -1;
}

static int start(struct scan *s, struct abtest *ab, uint8_t first_kind)
{
	if (!(ab->m = target_map_new()) || scan_flush(s) != 0)
		return -1;
	struct fill f = { ab, first_kind, 0 };
	target_set_each(s->probed, fill_one, &f);
	f.bits = (uint32_t)first_kind << ANSWERED_SHIFT;
	target_set_each(s->resp.any, fill_one, &f);
	ab->active = true;
	return f.rc;
}

/* The kind of the earlier probe to k (aux = scanner port), 0 when none is
 * known: the per-probe map's, else the scan's previous probe's when it went
 * to k (the probe before the map began). */
static uint8_t earlier_kind(const struct scan *s, const struct target_key *k, uint32_t prev_profile)
{
	uint32_t *prev = s->probe_map ? target_map_get(s->probe_map, k, false, 0, NULL) : NULL;
	return kind_of(s, prev ? *prev : prev_profile);
}

int abtest_probe(struct scan *s, uint8_t family, const uint8_t *addr, uint16_t port, uint16_t sport,
                 uint32_t profile, uint32_t prev_profile)
{
	uint8_t kind = kind_of(s, profile);
	if (!kind)
		return 0;
	if (!s->ab && !(s->ab = calloc(1, sizeof *s->ab)))
		return -1;
	struct abtest *ab = s->ab;
	if (!ab->active && (!ab->kinds_seen || (ab->kinds_seen & kind))) {
		/* a probe that cannot start the tracking (the first kind, or one
		 * seen before): note its kind, nothing else (a plain scan's path) */
		if (!(ab->kinds_seen & kind)) {
			ab->kind_profile[kind] = profile;
			ab->kinds_seen |= kind;
		}
		return 0;
	}
	struct target_key pk = target_key_make(family, addr, port);
	pk.aux = sport;
	uint8_t before = earlier_kind(s, &pk, prev_profile);
	if (!(ab->kinds_seen & kind)) {
		ab->kind_profile[kind] = profile;
		uint8_t first = ab->kinds_seen;
		ab->kinds_seen |= kind;
		if (first && !ab->active && start(s, ab, first) != 0)
			return -1;
	}
	if (!ab->active)
		return 0;
	struct target_key k = target_key_make(family, addr, port);
	uint32_t *v = target_map_get(ab->m, &k, true, 0, NULL);
	if (!v)
		return -1;
	*v |= kind | (before && before != kind ? AMBIGUOUS : 0);
	return 0;
}

int abtest_response(struct scan *s, uint8_t family, const uint8_t *addr, uint16_t port, uint16_t sport)
{
	struct abtest *ab = s->ab;
	if (!abtest_active(ab))
		return 0;
	struct target_key k = target_key_make(family, addr, port);
	uint32_t *v = target_map_get(ab->m, &k, false, 0, NULL);
	if (!v) /* not probed (yet): no answer */
		return 0;
	/* the probe it answers: the per-probe map by scanner port (scan.c) */
	k.aux = sport;
	uint32_t *prof = s->probe_map ? target_map_get(s->probe_map, &k, false, 0, NULL) : NULL;
	uint8_t kind = kind_of(s, prof ? *prof : s->local0);
	*v |= (uint32_t)kind << ANSWERED_SHIFT;
	return 0;
}

/* ---- scan.state and mpcap merge ---------------------------------------------------- */

unsigned abtest_state_kinds(const struct abtest *ab)
{
	return ab ? ab->kinds_seen : 0;
}

bool abtest_state_next(const struct abtest *ab, size_t *cursor, struct target_key *k, uint8_t *bits)
{
	uint32_t v;
	if (!ab || !ab->m || !target_map_next(ab->m, cursor, k, &v))
		return false;
	*bits = (uint8_t)v;
	return true;
}

/* Each kind's first profile: the lowest index of that kind in the table,
 * which is in order of first sighting (as abtest_probe notes it). */
static void first_profiles(struct scan *s)
{
	for (size_t i = s->nprofiles; i-- > 0;) {
		uint8_t k = kind_of(s, (uint32_t)i);
		if (k)
			s->ab->kind_profile[k] = (uint32_t)i;
	}
}

int abtest_state_restore(struct scan *s, unsigned kinds, bool active, bool kept)
{
	if (kinds > KINDS || (active && !(kinds & (kinds - 1)))) /* tracking starts with the second kind */
		return -2;
	if (!kinds)
		return 0;
	if (!s->ab && !(s->ab = calloc(1, sizeof *s->ab)))
		return -1;
	s->ab->kinds_seen = (uint8_t)kinds;
	first_profiles(s);
	if (active && !s->ab->m && !(s->ab->m = target_map_new()))
		return -1;
	s->ab->active = active;
	s->ab->unkept = active && !kept;
	return 0;
}

int abtest_state_entry(struct scan *s, const struct target_key *k, uint8_t bits)
{
	if (!abtest_active(s->ab) || bits > (KINDS | KINDS << ANSWERED_SHIFT | AMBIGUOUS) || !(bits & KINDS))
		return -2;
	bool inserted;
	uint32_t *v = target_map_get(s->ab->m, k, true, bits, &inserted);
	if (!v)
		return -1;
	return inserted ? 0 : -2;
}

/* A piece of one kind: its targets entered as when a second kind appears.
 * A piece that saw several kinds without tracking them (a scan.state of an
 * older mpcap -j) cannot say which; the merge into into is then inexact. */
static int activate(struct scan *into, struct scan *x)
{
	struct abtest *ab = x->ab;
	if (!ab || ab->active || !ab->kinds_seen)
		return 0;
	if (ab->kinds_seen & (ab->kinds_seen - 1)) {
		if (abtest_kinds_ab(abtest_state_kinds(into->ab) | ab->kinds_seen))
			scan_set_inexact(
			    into, "a piece of an A/B scan did not keep which kinds of probe its targets "
			          "were sent");
		return 0;
	}
	return start(x, ab, ab->kinds_seen);
}

int abtest_merge(struct scan *a, struct scan *b)
{
	unsigned kinds = abtest_state_kinds(a->ab) | abtest_state_kinds(b->ab);
	if (!kinds)
		return 0;
	if (!a->ab && !(a->ab = calloc(1, sizeof *a->ab)))
		return -1;
	if ((kinds & (kinds - 1)) && (activate(a, a) != 0 || activate(a, b) != 0))
		return -1; /* each piece's own kinds first */
	a->ab->kinds_seen = (uint8_t)kinds;
	first_profiles(a); /* the profile table is already the merged one */
	if (!(kinds & (kinds - 1)))
		return 0; /* one kind in both: nothing tracked */
	if (!a->ab->m && !(a->ab->m = target_map_new()))
		return -1;
	a->ab->active = true;
	size_t cursor = 0;
	struct target_key k;
	uint32_t v;
	bool both = false;
	while (b->ab && b->ab->m && target_map_next(b->ab->m, &cursor, &k, &v)) {
		bool inserted;
		uint32_t *slot = target_map_get(a->ab->m, &k, true, 0, &inserted);
		if (!slot)
			return -1;
		both |= !inserted;
		*slot |= v;
	}
	if (abtest_kinds_ab(kinds) && (a->ab->unkept || (b->ab && b->ab->unkept)))
		scan_set_inexact(a, "a piece probed with MP_CAPABLE v0 and v1 only kept no per-target kinds "
		                    "(scan.state), and another piece probed plain");
	a->ab->unkept = a->ab->unkept || (b->ab && b->ab->unkept); /* for a later merge with plain */
	if (both && abtest_kinds_ab(kinds)) /* no A/B rows without plain and MP_CAPABLE probes */
		scan_set_inexact(a, "an A/B scan's target was probed in two pieces: which kind of probe "
		                    "each answer belongs to is decided in one piece only");
	return 0;
}

int abtest_answer(struct scan *s, uint8_t family, const uint8_t *addr, uint16_t port, uint32_t profile)
{
	if (!abtest_active(s->ab))
		return 0;
	struct target_key k = target_key_make(family, addr, port);
	uint32_t *v = target_map_get(s->ab->m, &k, false, 0, NULL);
	if (v)
		*v |= (uint32_t)kind_of(s, profile) << ANSWERED_SHIFT;
	return 0;
}

static int row_add(struct abtest *ab, const struct target_key *k, uint8_t kind, enum verdict v,
                   enum verdict_reason why)
{
	if (grow_array((void **)&ab->rows, &ab->caprows, ab->nrows + 1, sizeof *ab->rows, 64) != 0)
		return -1;
	struct scan_target *t = &ab->rows[ab->nrows++];
	memset(t, 0, sizeof *t);
	t->key = *k;
	t->key.aux = 0;
	t->key.extra = kind == KIND_PLAIN ? 0 : kind == KIND_V0 ? 1 : 2; /* probe version + 1 */
	t->profile = ab->kind_profile[kind];
	t->response = RESP_NONE;
	t->verdict = (uint8_t)v;
	t->verdict_reason = (uint8_t)why;
	return 0;
}

/* One more target with verdict v on its family and port (every probed port
 * has its slot: scan_finish.c). */
static void count_target(struct scan *s, const struct target_key *k, enum verdict v)
{
	for (size_t i = 0; i < s->nmpc_ports; i++)
		if (s->mpc_ports[i].family == k->family && s->mpc_ports[i].port == k->port) {
			s->mpc_ports[i].verdicts[v]++;
			return;
		}
}

static int row_cmp(const void *a, const void *b)
{
	return target_key_cmp(&((const struct scan_target *)a)->key, &((const struct scan_target *)b)->key);
}

int abtest_finish(struct scan *s)
{
	struct abtest *ab = s->ab;
	if (!abtest_active(ab))
		return 0;
	ab->finished = true;
	size_t cursor = 0;
	struct target_key k;
	uint32_t v;
	while (target_map_next(ab->m, &cursor, &k, &v)) {
		uint8_t probed = v & KINDS, answered = (v >> ANSWERED_SHIFT) & KINDS;
		if (!(probed & KIND_PLAIN) || !(probed & (KIND_V0 | KIND_V1)))
			continue;
		if (v & AMBIGUOUS) {
			ab->ambiguous++;
			continue;
		}
		ab->targets++;
		if (answered & KIND_PLAIN) {
			/* v0 first, then v1: row_add counts the target once */
			bool v0 = (probed & KIND_V0) && !(answered & KIND_V0);
			bool v1 = (probed & KIND_V1) && !(answered & KIND_V1);
			if (v0 && row_add(ab, &k, KIND_V0, VERDICT_MPC_DROPPED, REASON_MPC_DROPPED_V0) != 0)
				return -1;
			if (v1 && row_add(ab, &k, KIND_V1, VERDICT_MPC_DROPPED, REASON_MPC_DROPPED_V1) != 0)
				return -1;
			ab->dropped_v0 += v0;
			ab->dropped_v1 += v1;
			if (v0 || v1) /* a target counts once, whatever the versions dropped */
				count_target(s, &k, VERDICT_MPC_DROPPED);
		} else if (answered & (KIND_V0 | KIND_V1)) {
			ab->plain_dropped++;
			if (row_add(ab, &k, KIND_PLAIN, VERDICT_PLAIN_DROPPED, REASON_NONE) != 0)
				return -1;
			count_target(s, &k, VERDICT_PLAIN_DROPPED);
		}
	}
	if (!ab->nrows)
		return 0;
	qsort(ab->rows, ab->nrows, sizeof *ab->rows, row_cmp);
	/* the records (sorted by scan_finish) and the rows, merged in target order */
	ab->nout = s->recs.n + ab->nrows;
	if (!(ab->out = malloc(ab->nout * sizeof *ab->out)))
		return -1;
	size_t i = 0, j = 0;
	for (size_t o = 0; o < ab->nout; o++)
		ab->out[o] = j == ab->nrows || (i < s->recs.n && row_cmp(&s->recs.v[i], &ab->rows[j]) <= 0)
		                 ? &s->recs.v[i++]
		                 : &ab->rows[j++];
	return 0;
}

size_t abtest_target_count(const struct scan *s)
{
	return s->ab && s->ab->out ? s->ab->nout : s->recs.n;
}

const struct scan_target *abtest_target_at(const struct scan *s, size_t i)
{
	if (s->ab && s->ab->out)
		return i < s->ab->nout ? s->ab->out[i] : NULL;
	return i < s->recs.n ? &s->recs.v[i] : NULL;
}

void abtest_each_counter(const struct abtest *ab, scan_counter_fn fn, void *ctx)
{
	if (!abtest_reported(ab))
		return;
	fn(ctx, "abtest.targets", 0, 0, ab->targets);
	fn(ctx, "abtest.ambiguous", 0, 0, ab->ambiguous);
	fn(ctx, "abtest.mpc-dropped-v0", 0, 0, ab->dropped_v0);
	fn(ctx, "abtest.mpc-dropped-v1", 0, 0, ab->dropped_v1);
	fn(ctx, "abtest.plain-dropped", 0, 0, ab->plain_dropped);
}
