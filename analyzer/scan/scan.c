/* scan.c — probes matched to responses per target, packet by packet (RFC
 * 9293 handshake, RFC 792 / RFC 4443 unreachables, RFC 6824 / RFC 8684
 * MP_CAPABLE).  See scan.h for the model and scan_internal.h for the state;
 * what is decided once every packet is in lives in scan_finish.c, what a
 * scan shows (counters, sets, records) in scan_counters.c.
 *
 * Speed.  A scan capture is mostly probes to distinct targets in random
 * order, and a random insertion into a Roaring bitmap costs more than
 * reading and dissecting the packet.  IPv4 probes and responses are
 * therefore collected in a window of up to WINDOW_EVENTS events and settled
 * together: the window is sorted (radix sort, base/sort.h), every response
 * is checked against the probed set as it was before the window plus the
 * window's own earlier probes (an event index keeps the order exact), and the
 * window's probes and answers join their sets in sorted bulk insertions.
 * Responses that make or update a per-target record (MP_CAPABLE SYN-ACKs;
 * every response with --all) wait in the window with their payload (up to
 * WINDOW_PAYLOADS of them) and are recorded when it settles, in target
 * order.  IPv6 targets go straight to their hash sets.
 */
#include "analyzer/scan/scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyzer/base/bytes.h"
#include "analyzer/base/grow.h"
#include "analyzer/base/sort.h"
#include "analyzer/dissect/dissect.h"
#include "analyzer/dissect/tcp.h"
#include "analyzer/scan/abtest.h"
#include "analyzer/scan/scan_internal.h"

/* ---- containers --------------------------------------------------------------- */

int recset_init(struct recset *rs)
{
	memset(rs, 0, sizeof *rs);
	rs->nslots = 64;
	rs->slots = calloc(rs->nslots, sizeof *rs->slots);
	return rs->slots ? 0 : -1;
}

void recset_free(struct recset *rs)
{
	free(rs->slots);
	free(rs->v);
	memset(rs, 0, sizeof *rs);
}

static uint64_t rec_hash(const struct target_key *k)
{
	uint64_t a, b, c;
	memcpy(&a, k, 8); /* family, extra, port, address bytes 0-3 */
	memcpy(&b, k->addr + 4, 8);
	memcpy(&c, k->addr + 12, 8); /* address bytes 12-15, aux, pad */
	uint64_t h = a * 0x9e3779b97f4a7c15ULL ^ b * 0xc2b2ae3d27d4eb4fULL ^ c * 0x165667b19e3779f9ULL;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	return h ^ (h >> 32);
}

#define REC_TAG (~UINT64_C(0) << 32) /* a slot's hash bits; below them, position + 1 */

/* The slot holding key k, or the empty slot where it would go; *tag gets
 * the key's hash bits to store beside its position.  A record is read only
 * when its slot's hash bits are k's: at three quarters full, linear probing
 * passes several other keys on the way, each a cache miss in a large v. */
static uint64_t *rec_slot(const struct recset *rs, const struct target_key *k, uint64_t *tag)
{
	uint64_t h = rec_hash(k);
	*tag = h & REC_TAG;
	size_t i = (size_t)h & (rs->nslots - 1);
	for (;;) {
		uint64_t *sl = &rs->slots[i];
		if (!*sl ||
		    ((*sl & REC_TAG) == *tag && memcmp(&rs->v[(uint32_t)*sl - 1].key, k, sizeof *k) == 0))
			return sl;
		i = (i + 1) & (rs->nslots - 1);
	}
}

/* Indexes record i of rs. */
static void rec_index(struct recset *rs, size_t i)
{
	uint64_t tag;
	uint64_t *sl = rec_slot(rs, &rs->v[i].key, &tag);
	*sl = tag | (uint32_t)(i + 1);
}

static int rec_grow(struct recset *rs)
{
	size_t nn = rs->nslots * 2;
	uint64_t *ns = calloc(nn, sizeof *ns);
	if (!ns)
		return -1;
	uint64_t *old = rs->slots;
	rs->slots = ns;
	rs->nslots = nn;
	for (size_t i = 0; i < rs->n; i++)
		rec_index(rs, i);
	free(old);
	return 0;
}

int respsets_init(struct respsets *rs)
{
	rs->any = target_set_new();
	rs->synack = target_set_new();
	rs->rst = target_set_new();
	rs->icmp = target_set_new();
	return rs->any && rs->synack && rs->rst && rs->icmp ? 0 : -1;
}

void respsets_free(struct respsets *rs)
{
	target_set_free(rs->any);
	target_set_free(rs->synack);
	target_set_free(rs->rst);
	target_set_free(rs->icmp);
	memset(rs, 0, sizeof *rs);
}

static struct target_set *respsets_type(const struct respsets *rs, uint8_t type)
{
	return type == RESP_SYNACK ? rs->synack : type == RESP_RST ? rs->rst : rs->icmp;
}

int scan_respsets_add(struct respsets *rs, uint8_t type, uint8_t family, const uint8_t *addr, uint16_t port)
{
	if (target_set_add(respsets_type(rs, type), family, addr, port) < 0 ||
	    target_set_add(rs->any, family, addr, port) < 0)
		return -1;
	return 0;
}

static void window_free(struct window *w)
{
	free(w->probes);
	free(w->resps);
	free(w->tmp);
	free(w->addrs);
	free(w->payloads);
	free(w->sorted);
	free(w->evpos);
	memset(w, 0, sizeof *w);
}

struct scan *scan_alloc(const struct scan_config *cfg)
{
	struct scan *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->cfg = *cfg;
	if (cfg->label) {
		snprintf(s->cfg_label, sizeof s->cfg_label, "%s", cfg->label);
		s->cfg.label = s->cfg_label;
		snprintf(s->label, sizeof s->label, "%s", cfg->label);
		s->label_set = true;
		s->label_seq = 0;
	} else {
		s->label_seq = SEQ_NONE;
	}
	if (cfg->probe_key_given) {
		s->key_source = PROBE_KEY_GIVEN;
		s->key = cfg->probe_key;
	}
	s->first_probe_seq = SEQ_NONE;
	s->last_probe_profile = UINT32_MAX;
	s->last_probe_seq = 0;
	s->probed = target_set_new();
	if (!s->probed || respsets_init(&s->resp) != 0 || respsets_init(&s->pre) != 0 ||
	    recset_init(&s->recs) != 0 || recset_init(&s->prerecs) != 0) {
		scan_free(s);
		return NULL;
	}
	return s;
}

struct scan *scan_new(const struct scan_config *cfg, char *err, size_t errlen)
{
	struct scan *s = scan_alloc(cfg);
	if (!s)
		snprintf(err, errlen, "out of memory");
	return s;
}

void scan_free(struct scan *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nfiles; i++)
		free(s->files[i].name);
	free(s->files);
	free(s->profiles);
	free(s->prof_hash);
	abtest_free(s->ab);
	target_map_free(s->probe_map);
	target_map_free(s->probe_wild);
	free(s->scanners);
	target_map_free(s->scanner_index);
	target_set_free(s->probed);
	respsets_free(&s->resp);
	respsets_free(&s->pre);
	recset_free(&s->recs);
	recset_free(&s->prerecs);
	free(s->pending.v);
	free(s->prelog.v);
	free(s->payloads);
	window_free(&s->win);
	free(s->answers.v);
	free(s->pre_answers.v);
	for (size_t i = 0; i < s->stage.np; i++)
		free(s->stage.p[i].v);
	free(s->stage.p);
	free(s->mpc_ports);
	respsets_free(&s->saved_main);
	free(s->saved_recs);
	free(s);
}

void scan_set_inexact(struct scan *s, const char *why)
{
	if (!s->inexact)
		snprintf(s->inexact_why, sizeof s->inexact_why, "%s", why);
	s->inexact = true;
}

bool scan_merge_inexact(const struct scan *s, char *why, size_t whylen)
{
	if (whylen)
		snprintf(why, whylen, "%s", s->inexact ? s->inexact_why : "");
	return s->inexact;
}

const struct scan_config *scan_get_config(const struct scan *s)
{
	return &s->cfg;
}

/* ---- files -------------------------------------------------------------------- */

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

int scan_file_add(struct scan *s, const char *name, int64_t size, uint32_t *ordinal)
{
	const char *b = base_name(name);
	for (size_t i = 0; i < s->nfiles; i++)
		if (s->files[i].name && s->files[i].size == size && strcmp(s->files[i].name, b) == 0) {
			*ordinal = (uint32_t)i;
			return 0;
		}
	struct scan_file *n = realloc(s->files, (s->nfiles + 1) * sizeof *n);
	if (!n)
		return -1;
	s->files = n;
	if (!(n[s->nfiles].name = strdup(b)))
		return -1;
	n[s->nfiles].size = size;
	*ordinal = (uint32_t)s->nfiles++;
	return 0;
}

int scan_begin_file(struct scan *s, uint32_t ordinal, const char *name, int64_t size, char *err,
                    size_t errlen)
{
	/* files[ordinal] describes the file; slots below it may be unused (-j) */
	if (ordinal >= (1u << 24)) {
		snprintf(err, errlen, "too many input files");
		return -1;
	}
	if (ordinal >= s->nfiles) {
		struct scan_file *n = realloc(s->files, (ordinal + 1) * sizeof *n);
		if (!n) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		memset(n + s->nfiles, 0, (ordinal + 1 - s->nfiles) * sizeof *n);
		s->files = n;
		s->nfiles = ordinal + 1;
	}
	free(s->files[ordinal].name);
	s->files[ordinal].name = strdup(base_name(name));
	s->files[ordinal].size = size;
	if (!s->files[ordinal].name) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->file = ordinal;
	return 0;
}

/* ---- batches ------------------------------------------------------------------ */

static int ensure_scratch(struct window *w, size_t ntmp, size_t naddrs)
{
	if (grow_array((void **)&w->tmp, &w->captmp, ntmp, sizeof *w->tmp, 4096) != 0 ||
	    grow_array((void **)&w->addrs, &w->capaddrs, naddrs, sizeof *w->addrs, 4096) != 0)
		return -1;
	return 0;
}

/* Sorts the buffered answers and adds them to their type's set and to the
 * set of all answers, one bulk insertion per set and port. */
static int addbuf_flush(struct scan *s, struct addbuf *b, struct respsets *rs)
{
	if (!b->n)
		return 0;
	if (ensure_scratch(&s->win, b->n, 4 * b->n) != 0)
		return -1;
	radix_sort_u64(b->v, s->win.tmp, b->n, 0, 50);
	uint32_t *all = s->win.addrs, *typed[4] = { NULL, all + b->n, all + 2 * b->n, all + 3 * b->n };
	struct target_set *sets[4] = { NULL, rs->icmp, rs->rst, rs->synack };
	int rc = 0;
	for (size_t i = 0; i < b->n && rc == 0;) {
		uint16_t port = (uint16_t)(b->v[i] >> 34);
		size_t n = 0, nt[4] = { 0 };
		for (; i < b->n && (uint16_t)(b->v[i] >> 34) == port; i++) {
			uint32_t a = (uint32_t)(b->v[i] >> 2);
			unsigned t = (unsigned)(b->v[i] & 3);
			if (n == 0 || all[n - 1] != a)
				all[n++] = a;
			if (t && (nt[t] == 0 || typed[t][nt[t] - 1] != a))
				typed[t][nt[t]++] = a;
		}
		rc = target_set_add_v4_sorted(rs->any, port, all, n);
		for (unsigned t = 1; t < 4 && rc == 0; t++)
			rc = target_set_add_v4_sorted(sets[t], port, typed[t], nt[t]);
	}
	b->n = 0;
	return rc;
}

static int addbuf_push(struct scan *s, struct addbuf *b, struct respsets *rs, uint64_t key)
{
	if (b->n == b->cap && grow_array((void **)&b->v, &b->cap, b->n + 1, sizeof *b->v, 4096) != 0)
		return -1;
	b->v[b->n++] = key;
	if (b->n == ADDBUF_MAX)
		return addbuf_flush(s, b, rs);
	return 0;
}

/* ---- probed targets staged between the window and the set ---------------------------- */

static struct stage_port *stage_port(struct stage *st, uint16_t port, bool create)
{
	for (size_t i = 0; i < st->np; i++)
		if (st->p[i].port == port)
			return &st->p[i];
	if (!create)
		return NULL;
	struct stage_port *n = realloc(st->p, (st->np + 1) * sizeof *n);
	if (!n)
		return NULL;
	st->p = n;
	memset(&n[st->np], 0, sizeof n[st->np]);
	n[st->np].port = port;
	return &n[st->np++];
}

/* Is a staged on port?  Lookups come in ascending order within a window, so
 * each one gallops forward from where the previous one on that port ended
 * (cursor[i], reset per window). */
static bool stage_contains(const struct stage *st, size_t *cursor, uint16_t port, uint32_t a)
{
	for (size_t i = 0; i < st->np; i++) {
		if (st->p[i].port != port)
			continue;
		const uint32_t *v = st->p[i].v;
		size_t n = st->p[i].n, lo = cursor[i] <= n ? cursor[i] : n, step = 1, hi = lo;
		while (hi < n && v[hi] < a) {
			lo = hi + 1;
			hi += step;
			step *= 2;
		}
		if (hi > n)
			hi = n;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (v[mid] < a)
				lo = mid + 1;
			else
				hi = mid;
		}
		cursor[i] = lo;
		return lo < n && v[lo] == a;
	}
	return false;
}

/* Merges m sorted addresses without repeats into the port's staged ones,
 * from the back into the free space (branch-free: the order of random
 * addresses cannot be predicted), then closes the gaps left by addresses
 * both held. */
static int stage_merge(struct stage *st, uint16_t port, const uint32_t *a, size_t m)
{
	struct stage_port *sp = stage_port(st, port, true);
	if (!sp)
		return -1;
	if (sp->n + m > sp->cap) {
		/* grow by a quarter: the stage is the largest buffer of a run */
		size_t nc = sp->cap + sp->cap / 4 + (1u << 16);
		if (nc < sp->n + m)
			nc = sp->n + m;
		uint32_t *nv = realloc(sp->v, nc * sizeof *nv);
		if (!nv)
			return -1;
		sp->v = nv;
		sp->cap = nc;
	}
	uint32_t *v = sp->v;
	size_t i = sp->n, j = m, w = sp->n + m, dups = 0;
	while (i > 0 && j > 0) {
		uint32_t x = v[i - 1], y = a[j - 1];
		bool take_x = x > y;
		dups += x == y;
		v[--w] = take_x ? x : y;
		i -= take_x;
		j -= !take_x;
	}
	while (j > 0)
		v[--w] = a[--j];
	size_t total = sp->n + m;
	if (dups) {
		/* equal neighbours sit side by side: squeeze them out */
		size_t n = 0;
		for (size_t r = 0; r < total; r++) {
			v[n] = v[r];
			n += n == 0 || v[n - 1] != v[r];
		}
		total = n;
	}
	st->total += total - sp->n;
	sp->n = total;
	return 0;
}

static int stage_flush(struct scan *s)
{
	struct stage *st = &s->stage;
	for (size_t i = 0; i < st->np; i++) {
		if (target_set_add_v4_sorted(s->probed, st->p[i].port, st->p[i].v, st->p[i].n) != 0)
			return -1;
		st->p[i].n = 0;
	}
	st->total = 0;
	return 0;
}

static uint32_t v4_word(const uint8_t *a)
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

static void v4_bytes(uint32_t w, uint8_t *a)
{
	memset(a, 0, 16);
	a[0] = (uint8_t)(w >> 24);
	a[1] = (uint8_t)(w >> 16);
	a[2] = (uint8_t)(w >> 8);
	a[3] = (uint8_t)w;
}

/* An answer of type `type` to the main (pre = false) or pre response sets. */
static int answer_sets_add(struct scan *s, bool pre, uint8_t type, uint8_t family, const uint8_t *addr,
                           uint16_t port)
{
	struct respsets *rs = pre ? &s->pre : &s->resp;
	if (family != 4)
		return scan_respsets_add(rs, type, family, addr, port);
	uint64_t key = (uint64_t)port << 34 | (uint64_t)v4_word(addr) << 2 | (type & 3);
	return addbuf_push(s, pre ? &s->pre_answers : &s->answers, rs, key);
}

/* ---- scanners, profiles, records, logs ------------------------------------------ */

const struct scanner_addr *scan_scanner_find(const struct scan *s, uint8_t family, const uint8_t *addr)
{
	size_t alen = family == 4 ? 4 : 16;
	if (s->nscanners <= SCANNERS_LINEAR) {
		if (family == 4) {
			uint32_t a;
			memcpy(&a, addr, 4);
			for (size_t i = 0; i < s->nscanners; i++) {
				uint32_t b;
				memcpy(&b, s->scanners[i].addr, 4);
				if (s->scanners[i].family == 4 && a == b)
					return &s->scanners[i];
			}
			return NULL;
		}
		for (size_t i = 0; i < s->nscanners; i++)
			if (s->scanners[i].family == family && memcmp(s->scanners[i].addr, addr, alen) == 0)
				return &s->scanners[i];
		return NULL;
	}
	struct target_key k = target_key_make(family, addr, 0);
	uint32_t *v = target_map_get(s->scanner_index, &k, false, 0, NULL);
	return v ? &s->scanners[*v] : NULL;
}

int scan_scanner_add(struct scan *s, uint8_t family, const uint8_t *addr, uint64_t seq)
{
	struct scanner_addr *f = (struct scanner_addr *)scan_scanner_find(s, family, addr);
	if (f) {
		if (seq < f->first_seq)
			f->first_seq = seq;
		return 0;
	}
	if (grow_array((void **)&s->scanners, &s->capscanners, s->nscanners + 1, sizeof *s->scanners, 4) != 0)
		return -1;
	struct scanner_addr *a = &s->scanners[s->nscanners];
	memset(a, 0, sizeof *a);
	a->family = family;
	memcpy(a->addr, addr, family == 4 ? 4 : 16);
	a->first_seq = seq;
	s->nscanners++;
	if (s->nscanners > SCANNERS_LINEAR) {
		if (!s->scanner_index) {
			if (!(s->scanner_index = target_map_new()))
				return -1;
			for (size_t i = 0; i + 1 < s->nscanners; i++) {
				struct target_key k =
				    target_key_make(s->scanners[i].family, s->scanners[i].addr, 0);
				if (!target_map_get(s->scanner_index, &k, true, (uint32_t)i, NULL))
					return -1;
			}
		}
		struct target_key k = target_key_make(family, addr, 0);
		if (!target_map_get(s->scanner_index, &k, true, (uint32_t)(s->nscanners - 1), NULL))
			return -1;
	}
	return 0;
}

static bool is_scanner(const struct scan *s, uint8_t family, const uint8_t *addr)
{
	return scan_scanner_find(s, family, addr) != NULL;
}

static void profile_from_tcp(const struct tcp_info *tcp, struct probe_profile *p)
{
	memset(p, 0, sizeof *p);
	if (tcp->n_mpc) {
		const struct mpc_option *m = &tcp->mpc[0];
		p->has_mpc = true;
		p->mpc_version = m->version;
		p->mpc_length = m->length;
		p->mpc_flags = m->flags;
		p->has_key = m->has_sender_key;
		p->key = m->has_sender_key ? m->sender_key : 0;
	}
	p->options_len = tcp->options_len;
	memcpy(p->options, tcp->options, tcp->options_len);
	/* a probe's TSval changes with every probe: not part of its identity */
	tcp_options_zero_timestamps(p->options, p->options_len);
}

static bool profile_equal(const struct probe_profile *a, const struct probe_profile *b)
{
	return a->has_mpc == b->has_mpc && a->mpc_version == b->mpc_version &&
	       a->mpc_length == b->mpc_length && a->mpc_flags == b->mpc_flags && a->has_key == b->has_key &&
	       a->key == b->key && a->options_len == b->options_len &&
	       memcmp(a->options, b->options, a->options_len) == 0;
}

static uint64_t profile_hash(const struct probe_profile *p)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ p->key;
	h ^= (uint64_t)p->has_mpc << 8 | (uint64_t)p->mpc_version << 16 | (uint64_t)p->mpc_length << 24 |
	     (uint64_t)p->mpc_flags << 32 | (uint64_t)p->has_key << 40 | (uint64_t)p->options_len << 48;
	for (size_t i = 0; i < p->options_len; i++)
		h = (h ^ p->options[i]) * 0x100000001b3ULL;
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 29);
}

static int prof_hash_insert(struct scan *s, uint32_t idx)
{
	if ((s->nprofiles + 1) * 2 > s->prof_hash_cap) {
		size_t nc = s->prof_hash_cap ? s->prof_hash_cap * 2 : 64;
		uint32_t *n = calloc(nc, sizeof *n);
		if (!n)
			return -1;
		for (size_t i = 0; i < s->prof_hash_cap; i++) {
			uint32_t v = s->prof_hash[i];
			if (!v)
				continue;
			size_t j = (size_t)profile_hash(&s->profiles[v - 1].p) & (nc - 1);
			while (n[j])
				j = (j + 1) & (nc - 1);
			n[j] = v;
		}
		free(s->prof_hash);
		s->prof_hash = n;
		s->prof_hash_cap = nc;
	}
	size_t j = (size_t)profile_hash(&s->profiles[idx].p) & (s->prof_hash_cap - 1);
	while (s->prof_hash[j])
		j = (j + 1) & (s->prof_hash_cap - 1);
	s->prof_hash[j] = idx + 1;
	return 0;
}

/* Finds or appends a profile (exact de-duplication).  Returns 0 or -1. */
int scan_profile_add(struct scan *s, const struct probe_profile *p, uint64_t seq, uint32_t *idx)
{
	if (s->prof_hash_cap) {
		size_t j = (size_t)profile_hash(p) & (s->prof_hash_cap - 1);
		while (s->prof_hash[j]) {
			struct profile_entry *e = &s->profiles[s->prof_hash[j] - 1];
			if (profile_equal(&e->p, p)) {
				if (seq < e->first_seq)
					e->first_seq = seq;
				*idx = s->prof_hash[j] - 1;
				return 0;
			}
			j = (j + 1) & (s->prof_hash_cap - 1);
		}
	}
	if (s->nprofiles >= UINT32_MAX - 1)
		return -1;
	if (grow_array((void **)&s->profiles, &s->capprofiles, s->nprofiles + 1, sizeof *s->profiles, 4) != 0)
		return -1;
	s->profiles[s->nprofiles].p = *p;
	s->profiles[s->nprofiles].first_seq = seq;
	*idx = (uint32_t)s->nprofiles++;
	return prof_hash_insert(s, *idx);
}

/* Where the single timestamps option of the last profile sits: its offset,
 * -1 when it has none, -2 when it has several (no fast comparison). */
static int ts_offset(const struct probe_profile *p)
{
	struct tcp_opts it;
	struct tcp_opt o;
	int found = -1;
	tcp_opts_begin(&it, bv_make(p->options, p->options_len), p->options_len);
	while (tcp_opts_next(&it, &o) == TCP_OPTS_MORE) {
		if (o.kind == TCP_OPT_TIMESTAMP && o.len == 10) {
			if (found != -1)
				return -2;
			found = (int)o.off;
		}
	}
	return found;
}

/* True when the probe's options are those of the last profile up to the
 * timestamp values (the common case: a scanner repeats one option block). */
static bool same_as_last(const struct scan *s, const struct tcp_info *tcp, int last_ts)
{
	const struct probe_profile *p = &s->profiles[s->last_profile].p;
	size_t n = tcp->options_len;
	if (n != p->options_len || last_ts == -2)
		return false;
	if (last_ts < 0)
		return bytes_equal(p->options, tcp->options, n);
	size_t t = (size_t)last_ts;
	return bytes_equal(p->options, tcp->options, t + 2) &&
	       bytes_equal(p->options + t + 10, tcp->options + t + 10, n - t - 10);
}

struct target_key scan_record_key(const struct scan *s, uint8_t family, const uint8_t *addr, uint16_t port,
                                  uint32_t profile)
{
	struct target_key k = target_key_make(family, addr, port);
	if (profile != UINT32_MAX && profile < s->nprofiles && s->profiles[profile].p.has_mpc)
		k.extra = (uint8_t)(s->profiles[profile].p.mpc_version + 1);
	return k;
}

struct scan_target *scan_record_get(struct scan *s, struct recset *rs, const struct target_key *k,
                                    bool *is_new)
{
	(void)s;
	*is_new = false;
	if (!rs->slots && scan_rebuild_index(s, rs) != 0)
		return NULL;
	uint64_t tag;
	uint64_t *sl = rec_slot(rs, k, &tag);
	if (*sl)
		return &rs->v[(uint32_t)*sl - 1];
	if ((rs->n + 1) * 4 > rs->nslots * 3) {
		if (rec_grow(rs) != 0)
			return NULL;
		sl = rec_slot(rs, k, &tag);
	}
	if (rs->n == rs->cap) {
		size_t nc = rs->cap ? rs->cap + rs->cap / 2 : 256;
		struct scan_target *n = realloc(rs->v, nc * sizeof *n);
		if (!n)
			return NULL;
		rs->v = n;
		rs->cap = nc;
	}
	struct scan_target *t = &rs->v[rs->n];
	memset(t, 0, sizeof *t);
	t->key = *k;
	*sl = tag | (uint32_t)++rs->n;
	*is_new = true;
	return t;
}

int scan_rebuild_index(struct scan *s, struct recset *rs)
{
	(void)s;
	free(rs->slots);
	rs->nslots = 64;
	while (rs->n * 4 >= rs->nslots * 3)
		rs->nslots *= 2;
	if (!(rs->slots = calloc(rs->nslots, sizeof *rs->slots)))
		return -1;
	for (size_t i = 0; i < rs->n; i++)
		rec_index(rs, i);
	return 0;
}

void scan_record_from_payload(struct scan_target *t, const struct resp_payload *p)
{
	t->response = p->response;
	t->ttl = p->ttl;
	t->has_mpc = p->has_mpc;
	if (p->has_mpc)
		t->mpc = p->mpc;
	if (p->response != RESP_ICMP_UNREACHABLE) {
		t->options_len = p->options_len;
		memcpy(t->options, p->options, p->options_len);
	}
}

/* Folds src (same key) into dst as if both records' responses had been seen
 * in one run: the fields of the best answer (the first of the highest type),
 * the first response's time, profile and scanner port, and the count. */
void scan_record_merge(struct scan_target *dst, const struct scan_target *src)
{
	if (src->response > dst->response ||
	    (src->response == dst->response && src->best_seq < dst->best_seq)) {
		dst->response = src->response;
		dst->ttl = src->ttl;
		dst->has_mpc = src->has_mpc;
		dst->mpc = src->mpc;
		if (src->response != RESP_ICMP_UNREACHABLE) {
			dst->options_len = src->options_len;
			memcpy(dst->options, src->options, sizeof dst->options);
		}
		dst->best_seq = src->best_seq;
	}
	if (src->first_seq < dst->first_seq) {
		dst->first_seq = src->first_seq;
		dst->first_sec = src->first_sec;
		dst->first_nsec = src->first_nsec;
		dst->profile = src->profile;
		dst->profile_assumed = src->profile_assumed;
		dst->sport = src->sport;
	}
	dst->responses += src->responses;
}

/* One response into a record set. */
static int record_add(struct scan *s, struct recset *rs, const struct target_key *k, uint32_t profile,
                      bool assumed, uint16_t sport, uint64_t seq, const struct resp_payload *p)
{
	bool is_new;
	struct scan_target *t = scan_record_get(s, rs, k, &is_new);
	if (!t)
		return -1;
	struct scan_target one;
	memset(&one, 0, sizeof one);
	one.key = *k;
	scan_record_from_payload(&one, p);
	one.profile = profile;
	one.profile_assumed = assumed;
	one.first_sec = p->sec;
	one.first_nsec = p->nsec;
	one.first_seq = one.best_seq = seq;
	one.sport = sport;
	one.responses = 1;
	if (is_new)
		*t = one;
	else
		scan_record_merge(t, &one);
	return 0;
}

int scan_payload_push(struct scan *s, const struct resp_payload *p, uint32_t *idx)
{
	if (grow_array((void **)&s->payloads, &s->cappayloads, s->npayloads + 1, sizeof *s->payloads, 64) !=
	    0)
		return -1;
	s->payloads[s->npayloads] = *p;
	*idx = (uint32_t)s->npayloads++;
	return 0;
}

/* Appends to a log; beyond `limit` entries the log is marked as overflowed
 * and the entry dropped.  Returns 0 or -1 (out of memory). */
int scan_pend_push(struct scan *s, struct pendlist *l, const struct pend *e, uint32_t limit)
{
	(void)s;
	if (l->overflow || l->n >= limit) {
		if (!l->overflow || e->seq < l->first_dropped)
			l->first_dropped = e->seq;
		l->overflow = true;
		return 0;
	}
	if (grow_array((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v, 256) != 0)
		return -1;
	l->v[l->n++] = *e;
	return 0;
}

static void payload_from_packet(const struct packet *pkt, enum response_type r, struct resp_payload *p)
{
	memset(p, 0, sizeof *p);
	p->response = (uint8_t)r;
	p->ttl = pkt->ip.ttl;
	p->sec = pkt->ts_sec;
	p->nsec = pkt->ts_nsec;
	p->has_mpc = r == RESP_SYNACK && pkt->tcp.n_mpc > 0;
	if (p->has_mpc)
		p->mpc = pkt->tcp.mpc[0];
	if (r != RESP_ICMP_UNREACHABLE) {
		p->options_len = pkt->tcp.options_len;
		memcpy(p->options, pkt->tcp.options, pkt->tcp.options_len);
	}
}

static int log_response(struct scan *s, struct pendlist *l, uint32_t limit, uint64_t seq, uint8_t type,
                        uint8_t flags, uint8_t family, const uint8_t *target, uint16_t port,
                        const uint8_t *scanner, uint16_t sport, uint32_t profile,
                        const struct resp_payload *p)
{
	if (l->overflow || l->n >= limit)
		return scan_pend_push(s, l, &(struct pend){ .seq = seq }, limit);
	struct pend e;
	memset(&e, 0, sizeof e);
	e.seq = seq;
	e.family = family;
	e.type = type;
	e.flags = flags;
	e.port = port;
	e.sport = sport;
	memcpy(e.target, target, family == 4 ? 4 : 16);
	memcpy(e.scanner, scanner, family == 4 ? 4 : 16);
	e.profile = profile;
	e.payload = UINT32_MAX;
	if (p) {
		e.flags |= PF_RECORD;
		if (scan_payload_push(s, p, &e.payload) != 0)
			return -1;
	}
	return scan_pend_push(s, l, &e, limit);
}

/* ---- probes --------------------------------------------------------------------- */

/* The profile of the probe to (family, target addr, port) from scanner port
 * sport; *assumed says whether no probe from that port was recorded (the
 * profile is then the one the target's probes had, or the scan's first). */
static uint32_t probe_profile_of(const struct scan *s, uint8_t family, const uint8_t *addr, uint16_t port,
                                 uint16_t sport, bool *assumed)
{
	*assumed = true;
	if (!s->nprofiles)
		return UINT32_MAX;
	if (!s->probe_map)
		return s->local0;
	struct target_key k = target_key_make(family, addr, port);
	k.aux = sport;
	uint32_t *v = target_map_get(s->probe_map, &k, false, 0, NULL);
	*assumed = v == NULL;
	if (!v && s->probe_wild) {
		k.aux = 0;
		v = target_map_get(s->probe_wild, &k, false, 0, NULL);
	}
	return v ? *v : s->local0;
}

static int window_flush(struct scan *s);

/* The window key of an IPv4 target at the next event; flushes the window
 * first when it already holds WINDOW_PORTS other ports. */
static int window_key(struct scan *s, uint16_t port, const uint8_t *addr, uint64_t *key)
{
	struct window *w = &s->win;
	unsigned pi = w->last_port;
	if (!(pi < w->nports && w->ports[pi] == port)) {
		for (pi = 0; pi < w->nports && w->ports[pi] != port; pi++)
			;
		if (pi == w->nports) {
			if (w->nports == WINDOW_PORTS) {
				if (window_flush(s) != 0)
					return -1;
				pi = 0;
			}
			w->ports[pi] = port;
			w->nports = pi + 1;
		}
		w->last_port = pi;
	}
	*key = ((uint64_t)pi << 32 | v4_word(addr)) << WINDOW_BITS | w->events;
	return 0;
}

/* A probe's target: the probed set (IPv4 through the window) and, once the
 * scan has several probe options, the per-probe map. */
int scan_probe_target(struct scan *s, const struct scan_probe *pr)
{
	/* before this probe joins the probed set and the per-probe map (abtest.h) */
	if (abtest_probe(s, pr->family, pr->target, pr->port, pr->sport, pr->profile, pr->prev_profile) != 0)
		return -1;
	if (pr->family == 4) {
		struct window *w = &s->win;
		uint64_t key;
		if (window_key(s, pr->port, pr->target, &key) != 0)
			return -1;
		if (w->nprobes == w->capprobes && grow_array((void **)&w->probes, &w->capprobes,
		                                             w->nprobes + 1, sizeof *w->probes, 4096) != 0)
			return -1;
		w->probes[w->nprobes++] = key;
		if (++w->events == WINDOW_EVENTS && window_flush(s) != 0)
			return -1;
	} else if (target_set_add(s->probed, pr->family, pr->target, pr->port) < 0) {
		return -1;
	}
	if (pr->mapped && !s->probe_map && !(s->probe_map = target_map_new()))
		return -1;
	if (s->probe_map) {
		struct target_key k = target_key_make(pr->family, pr->target, pr->port);
		k.aux = pr->sport;
		uint32_t *v = target_map_get(s->probe_map, &k, true, 0, NULL);
		if (!v)
			return -1;
		*v = pr->profile;
	}
	return 0;
}

/* What a probe tells the whole scan (its option, its scanner address), then
 * its target (here, or through the sink of a partitioned scan). */
static int add_probe(struct scan *s, const struct packet *pkt, uint64_t seq)
{
	const struct ip_info *ip = &pkt->ip;
	const struct tcp_info *tcp = &pkt->tcp;
	uint32_t idx;
	if (s->nprofiles && same_as_last(s, tcp, s->last_profile_ts)) {
		idx = s->last_profile;
	} else {
		struct probe_profile prof;
		profile_from_tcp(tcp, &prof);
		if (scan_profile_add(s, &prof, seq, &idx) != 0)
			return -1;
		s->last_profile = idx;
		s->last_profile_ts = ts_offset(&s->profiles[idx].p);
	}
	s->probe_packets++;
	if (s->first_probe_seq == SEQ_NONE)
		s->first_probe_seq = seq;
	s->last_probe_seq = seq;
	if (!(s->last_scanner_family == ip->family &&
	      (ip->family == 4 ? bytes_equal(s->last_scanner, ip->src, 4)
	                       : memcmp(s->last_scanner, ip->src, 16) == 0))) {
		if (scan_scanner_add(s, ip->family, ip->src, seq) != 0)
			return -1;
		s->last_scanner_family = ip->family;
		memcpy(s->last_scanner, ip->src, 16);
	}
	/* from the first probe with a second option on, every probe is mapped */
	if (idx != 0 && !s->probe_map && !(s->probe_map = target_map_new()))
		return -1;
	/* the same target as the previous probe?  Field by field: a key built
	 * with narrow stores and compared as a whole stalls on store forwarding */
	struct target_key *lp = &s->last_probe;
	size_t alen = ip->family == 4 ? 4 : 16;
	bool same_target = lp->family == ip->family && lp->port == tcp->dport && lp->aux == tcp->sport &&
	                   bytes_equal(lp->addr, ip->dst, alen);
	uint32_t prev =
	    s->last_probe_profile != UINT32_MAX && same_target ? s->last_probe_profile : UINT32_MAX;
	if (!same_target) {
		lp->family = ip->family;
		lp->port = tcp->dport;
		lp->aux = tcp->sport;
		memcpy(lp->addr, ip->dst, alen);
	}
	s->last_probe_profile = idx;
	struct scan_probe pr = { .seq = seq,
		                 .profile = idx,
		                 .family = ip->family,
		                 .mapped = s->probe_map != NULL,
		                 .port = tcp->dport,
		                 .sport = tcp->sport,
		                 .target = ip->dst,
		                 .prev_profile = prev };
	if (s->sink)
		return s->sink->probe(s->sink->ctx, &pr);
	return scan_probe_target(s, &pr);
}

/* ---- responses ------------------------------------------------------------------ */

/* Sorts window keys (probes, or responses) by target, equal targets in
 * event order: a stable LSD radix sort (base/sort.h) on the address and as
 * many port-index bits as the window has ports, the keys being in event
 * order to begin with. */
static void sort_by_target(uint64_t *v, uint64_t *tmp, size_t n, unsigned nports)
{
	unsigned pbits = 0;
	while (nports > (1u << pbits))
		pbits++;
	radix_sort_u64(v, tmp, n, WINDOW_BITS, 32 + pbits);
}

/* Settles the window: see the top of this file. */
static int window_flush(struct scan *s)
{
	struct window *w = &s->win;
	const unsigned EB = WINDOW_BITS;
	const uint64_t EMASK = (UINT64_C(1) << EB) - 1;
	if (!w->nprobes && !w->nresps) {
		w->events = 0;
		w->nports = 0;
		return 0;
	}
	size_t need = w->nprobes > 2 * w->nresps ? w->nprobes : 2 * w->nresps;
	if (ensure_scratch(w, need + 1, w->nprobes + 1) != 0)
		return -1;
	sort_by_target(w->probes, w->tmp, w->nprobes, w->nports);
	int rc = 0;
	if (w->nresps) {
		/* responses in (target, event) order: sort their keys (unique, as
		 * events are), then find each response again by its event index
		 * (responses are stored in event order) */
		uint64_t *keys = w->tmp + w->nresps; /* scratch holds 2 * need */
		for (size_t i = 0; i < w->nresps; i++)
			keys[i] = w->resps[i].key;
		sort_by_target(keys, w->tmp, w->nresps, w->nports);
		if (grow_array((void **)&w->sorted, &w->capsorted, w->nresps, sizeof *w->sorted, 4096) != 0 ||
		    grow_array((void **)&w->evpos, &w->capevpos, (size_t)w->events + 1, sizeof *w->evpos,
		               4096) != 0)
			return -1;
		struct win_resp *sorted = w->sorted;
		uint32_t *evpos = w->evpos;
		for (size_t i = 0; i < w->nresps; i++)
			evpos[w->resps[i].key & EMASK] = (uint32_t)i;
		for (size_t i = 0; i < w->nresps; i++)
			sorted[i] = w->resps[evpos[keys[i] & EMASK]];
		size_t pi = 0;
		size_t *cursor = calloc(s->stage.np + 1, sizeof *cursor);
		if (!cursor)
			return -1;
		for (size_t i = 0; i < w->nresps && rc == 0; i++) {
			const struct win_resp *r = &sorted[i];
			uint64_t rk = r->key >> EB;
			while (pi < w->nprobes && (w->probes[pi] >> EB) < rk)
				pi++;
			bool before = pi < w->nprobes && (w->probes[pi] >> EB) == rk &&
			              (w->probes[pi] & EMASK) < (r->key & EMASK);
			uint8_t a[16];
			v4_bytes((uint32_t)rk, a);
			uint16_t port = w->ports[rk >> 32];
			bool probed = before || stage_contains(&s->stage, cursor, port, (uint32_t)rk) ||
			              target_set_contains(s->probed, 4, a, port);
			const struct resp_payload *p =
			    r->payload != UINT32_MAX ? &w->payloads[r->payload] : NULL;
			if (r->scanner_ok && probed) {
				s->applied++;
				rc = answer_sets_add(s, false, r->type, 4, a, port);
				if (rc == 0 && p) {
					struct target_key k = scan_record_key(s, 4, a, port, r->profile);
					rc = record_add(s, &s->recs, &k, r->profile, r->assumed, r->sport,
					                r->seq, p);
				}
			} else {
				uint8_t sc[16];
				v4_bytes(r->scanner, sc);
				if (r->scanner_ok)
					s->unsolicited++;
				rc = log_response(
				    s, &s->pending, PEND_MAX, r->seq, r->type,
				    (uint8_t)((r->scanner_ok ? PF_SCANNER : 0) | (probed ? PF_PROBED : 0) |
				              (probed && r->assumed ? PF_ASSUMED : 0)),
				    4, a, port, sc, r->sport, probed ? r->profile : UINT32_MAX, p);
			}
		}
		free(cursor);
	}
	/* the window's probes join the probed set, one sorted batch per port */
	for (size_t i = 0; i < w->nprobes && rc == 0;) {
		uint64_t pidx = w->probes[i] >> (EB + 32);
		size_t m = 0;
		uint32_t prev = 0;
		for (; i < w->nprobes && w->probes[i] >> (EB + 32) == pidx; i++) {
			uint32_t a = (uint32_t)(w->probes[i] >> EB);
			if (m == 0 || a != prev)
				w->addrs[m++] = a;
			prev = a;
		}
		rc = stage_merge(&s->stage, w->ports[pidx], w->addrs, m);
	}
	if (rc == 0 && s->stage.total >= STAGE_MAX)
		rc = stage_flush(s);
	w->nprobes = 0;
	w->nresps = 0;
	w->npayloads = 0;
	w->events = 0;
	w->nports = 0;
	return rc;
}

int scan_flush(struct scan *s)
{
	if (window_flush(s) != 0)
		return -1;
	if (stage_flush(s) != 0 || addbuf_flush(s, &s->answers, &s->resp) != 0 ||
	    addbuf_flush(s, &s->pre_answers, &s->pre) != 0)
		return -1;
	return 0;
}

/* A response's target: before any probe of the scan, the pre substate and
 * its log; otherwise matched against the probed set (IPv4 through the
 * window), counted, and recorded when it carries a payload. */
int scan_response_target(struct scan *s, const struct scan_resp *rp)
{
	const uint8_t r = rp->type, family = rp->family;
	const uint8_t *target = rp->target, *scanner = rp->scanner;
	const uint16_t port = rp->port, sport = rp->sport;
	const uint64_t seq = rp->seq;
	const struct resp_payload *p = rp->payload;
	if (rp->pre) {
		/* no probe yet: every destination is the scanner (a capture of
		 * responses only); kept apart until the scan is known to have no
		 * earlier probe (scan_finish, scan_merge) */
		s->pre_packets++;
		if (seq > s->pre_last_seq)
			s->pre_last_seq = seq;
		if (answer_sets_add(s, true, r, family, target, port) != 0)
			return -1;
		if (p) {
			struct target_key k = scan_record_key(s, family, target, port, UINT32_MAX);
			if (record_add(s, &s->prerecs, &k, UINT32_MAX, false, sport, seq, p) != 0)
				return -1;
		}
		return log_response(s, &s->prelog, PRE_LOG_MAX, seq, r, PF_PRE, family, target, port, scanner,
		                    sport, UINT32_MAX, p);
	}
	bool scanner_ok = rp->scanner_ok;
	if (scanner_ok && abtest_response(s, family, target, port, sport) != 0)
		return -1;
	if (family == 4) {
		struct window *w = &s->win;
		uint64_t key;
		if (window_key(s, port, target, &key) != 0)
			return -1;
		if (w->nresps == w->capresps &&
		    grow_array((void **)&w->resps, &w->capresps, w->nresps + 1, sizeof *w->resps, 4096) != 0)
			return -1;
		struct win_resp *e = &w->resps[w->nresps++];
		e->key = key;
		e->seq = seq;
		e->scanner = v4_word(scanner);
		e->sport = sport;
		e->type = r;
		e->scanner_ok = scanner_ok;
		e->profile = UINT32_MAX;
		e->payload = UINT32_MAX;
		e->assumed = 0;
		if (p) {
			/* the probe option as the per-probe map says now; used if solicited */
			bool assumed;
			e->profile = probe_profile_of(s, family, target, port, sport, &assumed);
			e->assumed = assumed;
			if (w->npayloads == w->cappayloads &&
			    grow_array((void **)&w->payloads, &w->cappayloads, w->npayloads + 1,
			               sizeof *w->payloads, 4096) != 0)
				return -1;
			w->payloads[w->npayloads] = *p;
			e->payload = (uint32_t)w->npayloads++;
		}
		if (++w->events == WINDOW_EVENTS || w->npayloads == WINDOW_PAYLOADS)
			return window_flush(s);
		return 0;
	}
	bool probed = target_set_contains(s->probed, family, target, port);
	if (!scanner_ok || !probed) {
		if (scanner_ok)
			s->unsolicited++;
		bool assumed = false;
		uint32_t prof =
		    probed ? probe_profile_of(s, family, target, port, sport, &assumed) : UINT32_MAX;
		return log_response(s, &s->pending, PEND_MAX, seq, r,
		                    (uint8_t)((scanner_ok ? PF_SCANNER : 0) | (probed ? PF_PROBED : 0) |
		                              (assumed ? PF_ASSUMED : 0)),
		                    family, target, port, scanner, sport, prof, p);
	}
	s->applied++;
	if (answer_sets_add(s, false, r, family, target, port) != 0)
		return -1;
	if (!p)
		return 0;
	bool assumed;
	uint32_t prof = probe_profile_of(s, family, target, port, sport, &assumed);
	struct target_key k = scan_record_key(s, family, target, port, prof);
	return record_add(s, &s->recs, &k, prof, assumed, sport, seq, p);
}

/* What a response needs of the whole scan (was there a probe yet, is its
 * source or its destination a scanner address), then its target. */
static int add_response(struct scan *s, const struct packet *pkt, uint64_t seq, enum response_type r,
                        uint8_t family, const uint8_t *target, uint16_t port, const uint8_t *scanner,
                        uint16_t sport)
{
	bool record = s->cfg.all_responders || (r == RESP_SYNACK && pkt->tcp.n_mpc > 0);
	struct scan_resp rp = { .seq = seq,
		                .type = (uint8_t)r,
		                .family = family,
		                .pre = s->nprofiles == 0,
		                .port = port,
		                .sport = sport,
		                .target = target,
		                .scanner = scanner };
	/* a scanner's own packets (e.g. its kernel's RST to a SYN-ACK) are no answers */
	if (!rp.pre && is_scanner(s, family, target))
		return 0;
	rp.scanner_ok = !rp.pre && is_scanner(s, family, scanner);
	struct resp_payload p;
	if (record) {
		payload_from_packet(pkt, r, &p);
		rp.payload = &p;
	}
	if (s->sink)
		return s->sink->response(s->sink->ctx, &rp);
	return scan_response_target(s, &rp);
}

static void count_linktype(struct scan *s, int dlt, uint64_t seq)
{
	for (size_t i = 0; i < s->nlinks; i++) {
		if (s->links[i].dlt == dlt) {
			s->links[i].n++;
			return;
		}
	}
	if (s->nlinks < MAX_LINKTYPES) {
		s->links[s->nlinks].dlt = dlt;
		s->links[s->nlinks].n = 1;
		s->links[s->nlinks].first_seq = seq;
		s->nlinks++;
	}
}

static void set_label(struct scan *s, int64_t sec, uint64_t seq)
{
	time_t t = (time_t)sec;
	struct tm tm;
	if (gmtime_r(&t, &tm) && strftime(s->label, sizeof s->label, "%Y-%m", &tm) > 0) {
		s->label_set = true;
		s->label_seq = seq;
	}
}

int scan_add(struct scan *s, const struct packet *pkt, char *err, size_t errlen)
{
	uint64_t seq = scan_seq(s->file, pkt->frame);
	s->max_seq = seq;
	s->packets++;
	if (!(s->nlinks && s->links[0].dlt == pkt->linktype))
		count_linktype(s, pkt->linktype, seq);
	else
		s->links[0].n++;
	if (pkt->notes)
		for (int n = 0; n < NOTE_COUNT; n++)
			if (pkt->notes & (1u << n))
				s->notes[n]++;
	if (pkt->skip != SKIP_NONE) {
		if ((unsigned)pkt->skip < SKIP_REASON_COUNT)
			s->skips[pkt->skip]++;
		return 0;
	}
	if (!s->label_set)
		set_label(s, pkt->ts_sec, seq);
	const struct ip_info *ip = &pkt->ip;
	int rc = 0;
	if (pkt->tcp.present) {
		const struct tcp_info *tcp = &pkt->tcp;
		s->mpc_options += tcp->n_mpc;
		uint8_t f = tcp->flags & (TCP_FLAG_SYN | TCP_FLAG_ACK | TCP_FLAG_RST);
		if (f == TCP_FLAG_SYN)
			rc = add_probe(s, pkt, seq);
		else if (f == (TCP_FLAG_SYN | TCP_FLAG_ACK))
			rc = add_response(s, pkt, seq, RESP_SYNACK, ip->family, ip->src, tcp->sport, ip->dst,
			                  tcp->dport);
		else if (f & TCP_FLAG_RST)
			rc = add_response(s, pkt, seq, RESP_RST, ip->family, ip->src, tcp->sport, ip->dst,
			                  tcp->dport);
	} else if (pkt->icmp.present) {
		const struct icmp_info *ic = &pkt->icmp;
		unsigned quoted_mpc = ic->has_quote && ic->quoted_tcp.present ? ic->quoted_tcp.n_mpc : 0;
		s->mpc_options += quoted_mpc;
		s->mpc_in_quotes += quoted_mpc;
		if (ic->kind == ICMP_KIND_TIME_EXCEEDED)
			s->icmp_time_exceeded++;
		if (ic->kind == ICMP_KIND_UNREACHABLE) {
			s->icmp_unreachable++;
			const struct ip_info *q = &ic->quoted_ip;
			const struct tcp_info *qt = &ic->quoted_tcp;
			if (ic->has_quote && q->proto == 6 && qt->present &&
			    (!qt->full_header || (qt->flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN))
				rc = add_response(s, pkt, seq, RESP_ICMP_UNREACHABLE, q->family, q->dst,
				                  qt->dport, q->src, qt->sport);
		}
	}
	if (rc < 0)
		snprintf(err, errlen, "out of memory after %llu packets", (unsigned long long)s->packets);
	return rc;
}

/* The last batches join their sets, and each buffer is given back as soon
 * as it is done with, so that the sets can grow into its memory. */
int scan_drain(struct scan *s)
{
	if (window_flush(s) != 0)
		return -1;
	window_free(&s->win);
	for (size_t i = 0; i < s->stage.np; i++) {
		struct stage_port *sp = &s->stage.p[i];
		if (target_set_add_v4_sorted(s->probed, sp->port, sp->v, sp->n) != 0)
			return -1;
		free(sp->v);
		memset(sp, 0, sizeof *sp);
	}
	free(s->stage.p);
	memset(&s->stage, 0, sizeof s->stage);
	if (addbuf_flush(s, &s->answers, &s->resp) != 0 || addbuf_flush(s, &s->pre_answers, &s->pre) != 0)
		return -1;
	window_free(&s->win); /* addbuf_flush's scratch */
	free(s->answers.v);
	free(s->pre_answers.v);
	memset(&s->answers, 0, sizeof s->answers);
	memset(&s->pre_answers, 0, sizeof s->pre_answers);
	return 0;
}
