/* scan_state.c — DIR/scan.state: what `mpcap merge` needs of an analysed
 * piece besides its target sets (which are in DIR/targets.sets).
 *
 * A versioned little-endian binary file, written after scan_finish and read
 * back into an unfinished scan (docs/scale.md gives the layout):
 *
 *   "MPCAPSTATE1\n", u32 version = 2 (version 1, without the A/B section, is read too)
 *   options       u8 --all, u8 --probe-key given, u64 key, str --scan label ("" none)
 *   label         u8 set, u64 position, str label
 *   files         u32 n, n x (str base name ("" = unused ordinal), i64 size)
 *   counters      u64 packets, u64 last position; u32 n, n x (i32 DLT, u64 count,
 *                 u64 first position);
 *                 u32 n, n x u64 skipped; u32 n, n x u64 notes; u64 probes, answers,
 *                 unsolicited, answers before the first probe, ICMP time-exceeded,
 *                 ICMP unreachable, MP_CAPABLE options, of which in ICMP quotes
 *   probes        u64 first probe, last probe, last response before the first probe;
 *                 u32 default option
 *   options       u32 n, n x (u64 first position, u8 has MP_CAPABLE, u8 version,
 *                 u8 length, u8 flags, u8 has key, u64 key, u8 length, option bytes)
 *   scanners      u32 n, n x (address, u64 first position)
 *   probe map     u64 n, n x (address, u16 port, u16 scanner port, u32 option);
 *                 u64 n, n x (address, u16 port, u32 option): by target only
 *   records       u32 n, n x record (answers), then u32 n, n x record (before the
 *                 first probe)
 *   kept          u8 overflow, u64 first dropped, u32 n, n x response (pending);
 *                 the same for the responses before the first probe
 *   inexact       u8 flag, str reason
 *   sets          u8: 1 when targets.sets holds main.* and pre.* besides the result
 *   A/B           u8 kinds of probe seen (plain 1, v0 2, v1 4), u8 tracking (0 no, 1 yes,
 *                 2 yes but entries not kept: no plain probes), u64 n, n x (address,
 *                 u16 port, u8 bits: kinds probed, kinds answered << 3, 64 ambiguous) by
 *                 target (abtest.h; version 2 only)
 *   "END\n"
 *
 * address: u8 family (4 or 6) then 4 or 16 bytes; str: u16 length then bytes;
 * positions: file ordinal << 40 | frame.  A record: target address, u16 port,
 * u8 probe version + 1 (0 none), u32 option (0xffffffff none), then the answer
 * (u8 type, u8 TTL, u8 has MP_CAPABLE, MP_CAPABLE fields, u8 length, option
 * bytes, i64 seconds, u32 nanoseconds), u32 responses, u64 first position,
 * u64 best position, u16 scanner port, u8 1 when the probe option was known
 * for the target but not for that scanner port.  A kept response: u64 position, u8
 * type, u8 flags, target address, u16 port, scanner address, u16 scanner
 * port, u32 option, and its answer when flag 8 (record) is set.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/base/bytes.h"
#include "analyzer/base/grow.h"
#include "analyzer/scan/abtest.h"
#include "analyzer/scan/scan.h"
#include "analyzer/scan/scan_internal.h"

static const char state_magic[] = "MPCAPSTATE1\n";
#define STATE_VERSION 2u

/* ---- writing -------------------------------------------------------------------- */

/* The fields go through a buffer of their own: one fwrite per field cost
 * more than the rest of the writing (a record has about thirty). */
struct wr {
	FILE *fp;
	int rc;
	size_t n;
	uint8_t buf[16384];
};

static void w_flush(struct wr *w)
{
	if (w->rc == 0 && w->n && fwrite(w->buf, 1, w->n, w->fp) != w->n)
		w->rc = -1;
	w->n = 0;
}

static void w_bytes(struct wr *w, const void *p, size_t n)
{
	if (w->n + n > sizeof w->buf) {
		w_flush(w);
		if (n > sizeof w->buf) {
			if (w->rc == 0 && fwrite(p, 1, n, w->fp) != n)
				w->rc = -1;
			return;
		}
	}
	if (n)
		memcpy(w->buf + w->n, p, n);
	w->n += n;
}

static void w_le(struct wr *w, uint64_t v, int n)
{
	uint8_t b[8];
	for (int i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	w_bytes(w, b, (size_t)n);
}

static void w_u8(struct wr *w, uint8_t v)
{
	w_le(w, v, 1);
}
static void w_u16(struct wr *w, uint16_t v)
{
	w_le(w, v, 2);
}
static void w_u32(struct wr *w, uint32_t v)
{
	w_le(w, v, 4);
}
static void w_u64(struct wr *w, uint64_t v)
{
	w_le(w, v, 8);
}

static void w_str(struct wr *w, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n > 65535)
		n = 65535;
	w_u16(w, (uint16_t)n);
	w_bytes(w, s, n);
}

static void w_addr(struct wr *w, uint8_t family, const uint8_t *addr)
{
	w_u8(w, family);
	w_bytes(w, addr, family == 4 ? 4 : 16);
}

static void w_mpc(struct wr *w, const struct mpc_option *m)
{
	w_u8(w, m->offset);
	w_u8(w, m->length);
	w_u8(w, m->version);
	w_u8(w, m->flags);
	w_u8(w, (uint8_t)(m->has_flags | m->has_sender_key << 1 | m->has_receiver_key << 2 |
	                  m->has_data_len << 3 | m->has_checksum << 4));
	w_u64(w, m->sender_key);
	w_u64(w, m->receiver_key);
	w_u16(w, m->data_len);
	w_u16(w, m->checksum);
	w_u32(w, m->anomalies);
}

static void w_answer(struct wr *w, uint8_t response, uint8_t ttl, bool has_mpc, const struct mpc_option *m,
                     uint8_t options_len, const uint8_t *options, int64_t sec, uint32_t nsec)
{
	w_u8(w, response);
	w_u8(w, ttl);
	w_u8(w, has_mpc);
	w_mpc(w, m);
	w_u8(w, options_len);
	w_bytes(w, options, options_len);
	w_u64(w, (uint64_t)sec);
	w_u32(w, nsec);
}

static void w_record(struct wr *w, const struct scan_target *t)
{
	w_addr(w, t->key.family, t->key.addr);
	w_u16(w, t->key.port);
	w_u8(w, t->key.extra);
	w_u32(w, t->profile);
	w_answer(w, t->response, t->ttl, t->has_mpc, &t->mpc, t->options_len, t->options, t->first_sec,
	         t->first_nsec);
	w_u32(w, t->responses);
	w_u64(w, t->first_seq);
	w_u64(w, t->best_seq);
	w_u16(w, t->sport);
	w_u8(w, t->profile_assumed);
}

static void w_pendlist(struct wr *w, const struct scan *s, const struct pendlist *l)
{
	w_u8(w, l->overflow);
	w_u64(w, l->first_dropped);
	w_u32(w, (uint32_t)l->n);
	for (size_t i = 0; i < l->n; i++) {
		const struct pend *e = &l->v[i];
		w_u64(w, e->seq);
		w_u8(w, e->type);
		w_u8(w, e->flags);
		w_addr(w, e->family, e->target);
		w_u16(w, e->port);
		w_addr(w, e->family, e->scanner);
		w_u16(w, e->sport);
		w_u32(w, e->profile);
		if (e->flags & PF_RECORD) {
			const struct resp_payload *p = &s->payloads[e->payload];
			w_answer(w, p->response, p->ttl, p->has_mpc, &p->mpc, p->options_len, p->options,
			         p->sec, p->nsec);
		}
	}
}

/* The file is canonical: the same scan gives the same bytes however it was
 * computed (one run, -j, merged pieces over the same files): records by
 * target, kept responses and scanner addresses by position, the probe map by
 * target. */
static int scanner_seq_cmp(const void *a, const void *b)
{
	const struct scanner_addr *x = a, *y = b;
	if (x->first_seq != y->first_seq)
		return x->first_seq < y->first_seq ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

struct map_entry {
	struct target_key k;
	uint32_t v;
};

static int map_entry_cmp(const void *a, const void *b)
{
	return target_key_cmp(&((const struct map_entry *)a)->k, &((const struct map_entry *)b)->k);
}

static void w_map_sorted(struct wr *w, const struct target_map *m)
{
	size_t n = m ? target_map_count(m) : 0, cur = 0, k = 0;
	struct map_entry *me = malloc(n ? n * sizeof *me : 1);
	if (!me) {
		w->rc = -1;
		return;
	}
	while (m && k < n && target_map_next(m, &cur, &me[k].k, &me[k].v))
		k++;
	qsort(me, k, sizeof *me, map_entry_cmp);
	w_u64(w, k);
	for (size_t i = 0; i < k; i++) {
		w_addr(w, me[i].k.family, me[i].k.addr);
		w_u16(w, me[i].k.port);
		w_u32(w, me[i].v);
	}
	free(me);
}

static void *sorted_copy(const void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	void *c = malloc(n ? n * size : 1);
	if (c && n) {
		memcpy(c, v, n * size);
		qsort(c, n, size, cmp);
	}
	return c;
}

/* The A/B section: kinds, tracking flag and the per-target bits by target. */
static void w_abtest(struct wr *w, const struct abtest *ab)
{
	/* tracking: 1 with the entries, 2 without (no plain probes: no A/B row needs them) */
	bool kept = abtest_kinds_ab(abtest_state_kinds(ab));
	w_u8(w, (uint8_t)abtest_state_kinds(ab));
	w_u8(w, abtest_active(ab) ? (kept ? 1 : 2) : 0);
	struct map_entry *me = NULL;
	size_t n = 0, cap = 0, cur = 0;
	struct target_key k;
	uint8_t bits;
	while (kept && abtest_state_next(ab, &cur, &k, &bits)) {
		if (grow_array((void **)&me, &cap, n + 1, sizeof *me, 256) != 0) {
			w->rc = -1;
			free(me);
			return;
		}
		me[n].k = k;
		me[n++].v = bits;
	}
	if (n)
		qsort(me, n, sizeof *me, map_entry_cmp);
	w_u64(w, n);
	for (size_t i = 0; i < n; i++) {
		w_addr(w, me[i].k.family, me[i].k.addr);
		w_u16(w, me[i].k.port);
		w_u8(w, (uint8_t)me[i].v);
	}
	free(me);
}

int scan_state_write(const struct scan *s, FILE *fp)
{
	struct wr w = { .fp = fp };
	w_bytes(&w, state_magic, sizeof state_magic - 1);
	w_u32(&w, STATE_VERSION);
	w_u8(&w, s->cfg.all_responders);
	w_u8(&w, s->cfg.probe_key_given);
	w_u64(&w, s->cfg.probe_key);
	w_str(&w, s->cfg.label ? s->cfg.label : "");
	w_u8(&w, s->label_set);
	w_u64(&w, s->label_seq);
	w_str(&w, s->label);
	w_u32(&w, (uint32_t)s->nfiles);
	for (size_t i = 0; i < s->nfiles; i++) {
		w_str(&w, s->files[i].name ? s->files[i].name : "");
		w_u64(&w, (uint64_t)s->files[i].size);
	}
	w_u64(&w, s->packets);
	w_u64(&w, s->max_seq);
	w_u32(&w, (uint32_t)s->nlinks);
	for (size_t i = 0; i < s->nlinks; i++) {
		w_u32(&w, (uint32_t)s->links[i].dlt);
		w_u64(&w, s->links[i].n);
		w_u64(&w, s->links[i].first_seq);
	}
	w_u32(&w, SKIP_REASON_COUNT);
	for (int i = 0; i < SKIP_REASON_COUNT; i++)
		w_u64(&w, s->skips[i]);
	w_u32(&w, NOTE_COUNT);
	for (int i = 0; i < NOTE_COUNT; i++)
		w_u64(&w, s->notes[i]);
	w_u64(&w, s->probe_packets);
	w_u64(&w, s->applied);
	w_u64(&w, s->unsolicited);
	w_u64(&w, s->pre_packets);
	w_u64(&w, s->icmp_time_exceeded);
	w_u64(&w, s->icmp_unreachable);
	w_u64(&w, s->mpc_options);
	w_u64(&w, s->mpc_in_quotes);
	w_u64(&w, s->first_probe_seq);
	w_u64(&w, s->last_probe_seq);
	w_u64(&w, s->pre_last_seq);
	w_u32(&w, s->local0);
	w_u32(&w, (uint32_t)s->nprofiles);
	for (size_t i = 0; i < s->nprofiles; i++) {
		const struct probe_profile *p = &s->profiles[i].p;
		w_u64(&w, s->profiles[i].first_seq);
		w_u8(&w, p->has_mpc);
		w_u8(&w, p->mpc_version);
		w_u8(&w, p->mpc_length);
		w_u8(&w, p->mpc_flags);
		w_u8(&w, p->has_key);
		w_u64(&w, p->key);
		w_u8(&w, p->options_len);
		w_bytes(&w, p->options, p->options_len);
	}
	struct scanner_addr *sc = sorted_copy(s->scanners, s->nscanners, sizeof *sc, scanner_seq_cmp);
	size_t nmap = s->probe_map ? target_map_count(s->probe_map) : 0;
	struct map_entry *me = malloc(nmap ? nmap * sizeof *me : 1);
	const struct scan_target *main_recs = s->have_saved ? s->saved_recs : s->recs.v;
	size_t nmain = s->have_saved ? s->nsaved_recs : s->recs.n;
	if (!sc || !me) {
		w.rc = -1;
		errno = ENOMEM;
	} else {
		w_u32(&w, (uint32_t)s->nscanners);
		for (size_t i = 0; i < s->nscanners; i++) {
			w_addr(&w, sc[i].family, sc[i].addr);
			w_u64(&w, sc[i].first_seq);
		}
		size_t cur = 0, k = 0;
		while (s->probe_map && k < nmap && target_map_next(s->probe_map, &cur, &me[k].k, &me[k].v))
			k++;
		qsort(me, k, sizeof *me, map_entry_cmp);
		w_u64(&w, k);
		for (size_t i = 0; i < k; i++) {
			w_addr(&w, me[i].k.family, me[i].k.addr);
			w_u16(&w, me[i].k.port);
			w_u16(&w, me[i].k.aux);
			w_u32(&w, me[i].v);
		}
		w_map_sorted(&w, s->probe_wild);
		/* records and kept responses are in canonical order since scan_finish */
		w_u32(&w, (uint32_t)nmain);
		for (size_t i = 0; i < nmain; i++)
			w_record(&w, &main_recs[i]);
		w_u32(&w, (uint32_t)s->prerecs.n);
		for (size_t i = 0; i < s->prerecs.n; i++)
			w_record(&w, &s->prerecs.v[i]);
		w_pendlist(&w, s, &s->pending);
		w_pendlist(&w, s, &s->prelog);
	}
	free(sc);
	free(me);
	w_u8(&w, s->inexact);
	w_str(&w, s->inexact ? s->inexact_why : "");
	w_u8(&w, s->have_saved);
	w_abtest(&w, s->ab);
	w_bytes(&w, "END\n", 4);
	w_flush(&w);
	if (w.rc == 0 && ferror(fp))
		w.rc = -1;
	if (w.rc != 0 && !errno)
		errno = EIO;
	return w.rc;
}

/* ---- reading -------------------------------------------------------------------- */

struct rd {
	struct byte_view v;
	size_t at;
	bool bad;
};

static uint64_t r_le(struct rd *r, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++) {
		uint8_t b = 0;
		if (!bv_u8(&r->v, r->at + (size_t)i, &b))
			r->bad = true;
		v |= (uint64_t)b << (8 * i);
	}
	if (!r->bad)
		r->at += (size_t)n;
	return v;
}

static uint8_t r_u8(struct rd *r)
{
	return (uint8_t)r_le(r, 1);
}
static uint16_t r_u16(struct rd *r)
{
	return (uint16_t)r_le(r, 2);
}
static uint32_t r_u32(struct rd *r)
{
	return (uint32_t)r_le(r, 4);
}
static uint64_t r_u64(struct rd *r)
{
	return r_le(r, 8);
}

static void r_bytes(struct rd *r, void *dst, size_t n)
{
	if (r->bad || !bv_copy(&r->v, r->at, dst, n)) {
		r->bad = true;
		return;
	}
	r->at += n;
}

static void r_str(struct rd *r, char *dst, size_t dstlen)
{
	size_t n = r_u16(r);
	if (r->bad || n >= dstlen || !bv_has(&r->v, r->at, n)) {
		r->bad = true;
		if (dstlen)
			dst[0] = '\0';
		return;
	}
	r_bytes(r, dst, n);
	dst[n] = '\0';
}

static uint8_t r_addr(struct rd *r, uint8_t *addr)
{
	uint8_t family = r_u8(r);
	memset(addr, 0, 16);
	if (family != 4 && family != 6) {
		r->bad = true;
		return 4;
	}
	r_bytes(r, addr, family == 4 ? 4 : 16);
	return family;
}

static void r_mpc(struct rd *r, struct mpc_option *m)
{
	memset(m, 0, sizeof *m);
	m->offset = r_u8(r);
	m->length = r_u8(r);
	m->version = r_u8(r);
	m->flags = r_u8(r);
	uint8_t f = r_u8(r);
	m->has_flags = f & 1;
	m->has_sender_key = (f >> 1) & 1;
	m->has_receiver_key = (f >> 2) & 1;
	m->has_data_len = (f >> 3) & 1;
	m->has_checksum = (f >> 4) & 1;
	m->sender_key = r_u64(r);
	m->receiver_key = r_u64(r);
	m->data_len = r_u16(r);
	m->checksum = r_u16(r);
	m->anomalies = r_u32(r);
}

static void r_answer(struct rd *r, struct resp_payload *p)
{
	memset(p, 0, sizeof *p);
	p->response = r_u8(r);
	p->ttl = r_u8(r);
	p->has_mpc = r_u8(r) != 0;
	r_mpc(r, &p->mpc);
	p->options_len = r_u8(r);
	if (p->options_len > TCP_OPTIONS_MAX) {
		r->bad = true;
		return;
	}
	r_bytes(r, p->options, p->options_len);
	p->sec = (int64_t)r_u64(r);
	p->nsec = r_u32(r);
	if (p->response > RESP_SYNACK)
		r->bad = true;
}

static void r_record(struct rd *r, struct scan_target *t)
{
	memset(t, 0, sizeof *t);
	uint8_t addr[16];
	uint8_t family = r_addr(r, addr);
	uint16_t port = r_u16(r);
	t->key = target_key_make(family, addr, port);
	t->key.extra = r_u8(r);
	t->profile = r_u32(r);
	struct resp_payload p;
	r_answer(r, &p);
	t->response = p.response;
	t->ttl = p.ttl;
	t->has_mpc = p.has_mpc;
	t->mpc = p.mpc;
	t->options_len = p.options_len;
	memcpy(t->options, p.options, sizeof t->options);
	t->first_sec = p.sec;
	t->first_nsec = p.nsec;
	t->responses = r_u32(r);
	t->first_seq = r_u64(r);
	t->best_seq = r_u64(r);
	t->sport = r_u16(r);
	t->profile_assumed = r_u8(r) != 0;
}

static int r_records(struct rd *r, struct scan *s, struct recset *rs)
{
	uint32_t n = r_u32(r);
	if (r->bad || n > r->v.len)
		return -1;
	for (uint32_t i = 0; i < n && !r->bad; i++) {
		struct scan_target t;
		r_record(r, &t);
		if (r->bad)
			return -1;
		if (t.profile != UINT32_MAX && t.profile >= s->nprofiles)
			return -1;
		bool is_new;
		struct scan_target *d = scan_record_get(s, rs, &t.key, &is_new);
		if (!d || !is_new)
			return -1;
		*d = t;
	}
	return 0;
}

static int r_pendlist(struct rd *r, struct scan *s, struct pendlist *l)
{
	l->overflow = r_u8(r) != 0;
	l->first_dropped = r_u64(r);
	uint32_t n = r_u32(r);
	if (r->bad || n > r->v.len)
		return -1;
	for (uint32_t i = 0; i < n && !r->bad; i++) {
		struct pend e;
		memset(&e, 0, sizeof e);
		e.seq = r_u64(r);
		e.type = r_u8(r);
		e.flags = r_u8(r);
		e.family = r_addr(r, e.target);
		e.port = r_u16(r);
		if (r_addr(r, e.scanner) != e.family)
			r->bad = true;
		e.sport = r_u16(r);
		e.profile = r_u32(r);
		e.payload = UINT32_MAX;
		if (e.type < RESP_ICMP_UNREACHABLE || e.type > RESP_SYNACK ||
		    (e.profile != UINT32_MAX && e.profile >= s->nprofiles))
			r->bad = true;
		if (e.flags & PF_RECORD) {
			struct resp_payload p;
			r_answer(r, &p);
			if (!r->bad && scan_payload_push(s, &p, &e.payload) != 0)
				return -1;
		}
		if (r->bad)
			return -1;
		/* no limit: a saved list was within it */
		if (scan_pend_push(s, l, &e, UINT32_MAX) != 0)
			return -1;
	}
	return r->bad ? -1 : 0;
}

static int read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	size_t cap = 1 << 16, n = 0;
	uint8_t *b = malloc(cap);
	while (b) {
		size_t k = fread(b + n, 1, cap - n, fp);
		n += k;
		if (k == 0)
			break;
		if (n == cap) {
			uint8_t *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				b = NULL;
				break;
			}
			b = nb;
			cap *= 2;
		}
	}
	bool rerr = ferror(fp);
	fclose(fp);
	if (!b) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (rerr) {
		free(b);
		snprintf(err, errlen, "%s: read error", path);
		return -1;
	}
	*buf = b;
	*len = n;
	return 0;
}

/* The A/B section (version 2); a version 1 file has none: a scan of one
 * kind of probe lacks nothing, one of several is marked inexact. */
static int r_abtest(struct rd *r, struct scan *s, uint32_t version, const char *path)
{
	if (version < 2) {
		unsigned kinds = abtest_kinds(s);
		if (abtest_kinds_ab(kinds)) {
			char why[sizeof s->inexact_why];
			snprintf(why, sizeof why,
			         "%s is version 1, which keeps no A/B data (analyse that piece again)", path);
			scan_set_inexact(s, why);
			return 0;
		}
		return kinds && !(kinds & (kinds - 1)) ? abtest_state_restore(s, kinds, false, true) : 0;
	}
	unsigned kinds = r_u8(r);
	uint8_t tracking = r_u8(r);
	uint64_t n = r_u64(r);
	if (r->bad || n > r->v.len || tracking > 2 || (tracking != 1 && n) ||
	    abtest_state_restore(s, kinds, tracking != 0, tracking == 1) != 0)
		return -1;
	struct target_key prev = { 0 };
	for (uint64_t i = 0; i < n; i++) {
		uint8_t addr[16];
		uint8_t family = r_addr(r, addr);
		uint16_t port = r_u16(r);
		uint8_t bits = r_u8(r);
		struct target_key k = target_key_make(family, addr, port);
		if (r->bad || (i && target_key_cmp(&prev, &k) >= 0) || abtest_state_entry(s, &k, bits) != 0)
			return -1;
		prev = k;
	}
	return 0;
}

static struct scan *parse_state(const uint8_t *buf, size_t len, bool *have_saved, const char *path)
{
	struct rd r = { bv_make(buf, len), 0, false };
	char magic[sizeof state_magic - 1];
	r_bytes(&r, magic, sizeof magic);
	if (r.bad || memcmp(magic, state_magic, sizeof magic) != 0)
		return NULL;
	uint32_t version = r_u32(&r);
	if (r.bad || version < 1 || version > STATE_VERSION)
		return NULL;
	struct scan_config cfg = { 0 };
	char label[64];
	cfg.all_responders = r_u8(&r) != 0;
	cfg.probe_key_given = r_u8(&r) != 0;
	cfg.probe_key = r_u64(&r);
	r_str(&r, label, sizeof label);
	if (label[0])
		cfg.label = label;
	if (r.bad)
		return NULL;
	struct scan *s = scan_alloc(&cfg);
	if (!s)
		return NULL;
	s->label_set = r_u8(&r) != 0;
	s->label_seq = r_u64(&r);
	r_str(&r, s->label, sizeof s->label);
	if (!s->label_set && !cfg.label)
		s->label[0] = '\0';
	uint32_t nfiles = r_u32(&r);
	if (r.bad || nfiles > (1u << 24) || nfiles > len)
		goto bad;
	if (nfiles && !(s->files = calloc(nfiles, sizeof *s->files)))
		goto bad;
	s->nfiles = nfiles;
	for (uint32_t i = 0; i < nfiles; i++) {
		char name[4096];
		r_str(&r, name, sizeof name);
		s->files[i].size = (int64_t)r_u64(&r);
		if (r.bad)
			goto bad;
		if (name[0] && !(s->files[i].name = strdup(name)))
			goto bad;
	}
	s->packets = r_u64(&r);
	s->max_seq = r_u64(&r);
	uint32_t nlinks = r_u32(&r);
	if (nlinks > MAX_LINKTYPES)
		goto bad;
	s->nlinks = nlinks;
	for (uint32_t i = 0; i < nlinks; i++) {
		s->links[i].dlt = (int)r_u32(&r);
		s->links[i].n = r_u64(&r);
		s->links[i].first_seq = r_u64(&r);
	}
	if (r_u32(&r) != SKIP_REASON_COUNT)
		goto bad;
	for (int i = 0; i < SKIP_REASON_COUNT; i++)
		s->skips[i] = r_u64(&r);
	if (r_u32(&r) != NOTE_COUNT)
		goto bad;
	for (int i = 0; i < NOTE_COUNT; i++)
		s->notes[i] = r_u64(&r);
	s->probe_packets = r_u64(&r);
	s->applied = r_u64(&r);
	s->unsolicited = r_u64(&r);
	s->pre_packets = r_u64(&r);
	s->icmp_time_exceeded = r_u64(&r);
	s->icmp_unreachable = r_u64(&r);
	s->mpc_options = r_u64(&r);
	s->mpc_in_quotes = r_u64(&r);
	s->first_probe_seq = r_u64(&r);
	s->last_probe_seq = r_u64(&r);
	s->pre_last_seq = r_u64(&r);
	s->local0 = r_u32(&r);
	uint32_t nprof = r_u32(&r);
	if (r.bad || nprof > len)
		goto bad;
	for (uint32_t i = 0; i < nprof; i++) {
		struct probe_profile p;
		memset(&p, 0, sizeof p);
		uint64_t first = r_u64(&r);
		p.has_mpc = r_u8(&r) != 0;
		p.mpc_version = r_u8(&r);
		p.mpc_length = r_u8(&r);
		p.mpc_flags = r_u8(&r);
		p.has_key = r_u8(&r) != 0;
		p.key = r_u64(&r);
		p.options_len = r_u8(&r);
		if (p.options_len > TCP_OPTIONS_MAX)
			goto bad;
		r_bytes(&r, p.options, p.options_len);
		uint32_t idx;
		if (r.bad || scan_profile_add(s, &p, first, &idx) != 0 || idx != i)
			goto bad;
	}
	s->last_profile_ts = -2;
	if (nprof && s->local0 >= nprof)
		goto bad;
	uint32_t nsc = r_u32(&r);
	if (r.bad || nsc > len)
		goto bad;
	for (uint32_t i = 0; i < nsc; i++) {
		uint8_t addr[16];
		uint8_t family = r_addr(&r, addr);
		uint64_t first = r_u64(&r);
		if (r.bad || scan_scanner_add(s, family, addr, first) != 0)
			goto bad;
	}
	uint64_t nmap = r_u64(&r);
	if (r.bad || nmap > len)
		goto bad;
	if (nmap && !(s->probe_map = target_map_new()))
		goto bad;
	for (uint64_t i = 0; i < nmap; i++) {
		uint8_t addr[16];
		uint8_t family = r_addr(&r, addr);
		uint16_t port = r_u16(&r);
		struct target_key k = target_key_make(family, addr, port);
		k.aux = r_u16(&r);
		uint32_t v = r_u32(&r);
		if (r.bad || v >= nprof || !target_map_get(s->probe_map, &k, true, v, NULL))
			goto bad;
	}
	uint64_t nwild = r_u64(&r);
	if (r.bad || nwild > len)
		goto bad;
	if (nwild && !(s->probe_wild = target_map_new()))
		goto bad;
	for (uint64_t i = 0; i < nwild; i++) {
		uint8_t addr[16];
		uint8_t family = r_addr(&r, addr);
		uint16_t port = r_u16(&r);
		struct target_key k = target_key_make(family, addr, port);
		uint32_t v = r_u32(&r);
		if (r.bad || v >= nprof || !target_map_get(s->probe_wild, &k, true, v, NULL))
			goto bad;
	}
	if (r_records(&r, s, &s->recs) != 0 || r_records(&r, s, &s->prerecs) != 0)
		goto bad;
	if (r_pendlist(&r, s, &s->pending) != 0 || r_pendlist(&r, s, &s->prelog) != 0)
		goto bad;
	s->inexact = r_u8(&r) != 0;
	r_str(&r, s->inexact_why, sizeof s->inexact_why);
	*have_saved = r_u8(&r) != 0;
	if (r.bad || r_abtest(&r, s, version, path) != 0)
		goto bad;
	char end[4];
	r_bytes(&r, end, 4);
	if (r.bad || memcmp(end, "END\n", 4) != 0 || r.at != len)
		goto bad;
	return s;
bad:
	scan_free(s);
	return NULL;
}

/* Why parse_state refused a file: its version when that is the reason. */
static const char *state_refusal(const uint8_t *buf, size_t len)
{
	static const char *const why[] = {
		"not a scan.state file, or damaged",
		"a scan.state of a newer mpcap (version above 2): use that mpcap"
	};
	size_t m = sizeof state_magic - 1;
	if (len < m + 4 || memcmp(buf, state_magic, m) != 0)
		return why[0];
	uint32_t v = (uint32_t)buf[m] | (uint32_t)buf[m + 1] << 8 | (uint32_t)buf[m + 2] << 16 |
	             (uint32_t)buf[m + 3] << 24;
	return v > STATE_VERSION ? why[1] : why[0];
}

struct scan *scan_state_load(const char *dir, char *err, size_t errlen)
{
	size_t pl = strlen(dir) + 32;
	char *sp = malloc(pl), *xp = malloc(pl);
	uint8_t *buf = NULL;
	size_t len = 0;
	struct scan *s = NULL;
	if (!sp || !xp) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	snprintf(sp, pl, "%s/scan.state", dir);
	snprintf(xp, pl, "%s/targets.sets", dir);
	if (read_file(sp, &buf, &len, err, errlen) != 0)
		goto out;
	bool have_saved = false;
	s = parse_state(buf, len, &have_saved, sp);
	if (!s) {
		snprintf(err, errlen, "%s: %s", sp, state_refusal(buf, len));
		goto out;
	}
	static const char *const plain[9] = { "probed", "responsive", "synack", "rst", "icmp-unreachable" };
	static const char *const saved[9] = { "probed",
		                              "main.responsive",
		                              "main.synack",
		                              "main.rst",
		                              "main.icmp-unreachable",
		                              "pre.responsive",
		                              "pre.synack",
		                              "pre.rst",
		                              "pre.icmp-unreachable" };
	struct target_set *sets[9] = { NULL };
	size_t n = have_saved ? 9 : 5;
	if (target_sets_read(xp, have_saved ? saved : plain, sets, n, err, errlen) != 0) {
		scan_free(s);
		s = NULL;
		goto out;
	}
	target_set_free(s->probed);
	respsets_free(&s->resp);
	respsets_free(&s->pre);
	s->probed = sets[0];
	s->resp.any = sets[1];
	s->resp.synack = sets[2];
	s->resp.rst = sets[3];
	s->resp.icmp = sets[4];
	if (have_saved) {
		s->pre.any = sets[5];
		s->pre.synack = sets[6];
		s->pre.rst = sets[7];
		s->pre.icmp = sets[8];
	} else if (respsets_init(&s->pre) != 0) {
		scan_free(s);
		s = NULL;
		snprintf(err, errlen, "out of memory");
	}
out:
	free(buf);
	free(sp);
	free(xp);
	return s;
}
