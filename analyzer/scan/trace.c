/* trace.c — tracebox analysis: probes, the ICMP quotes that answer them, hop
 * by hop changes, destination answers and the final classification.
 *
 * Specifications: RFC 792 (ICMP time exceeded / destination unreachable quote
 * the IP header and 64 bits of the datagram), RFC 1812 §4.3.2.3 (routers quote
 * as much as fits), RFC 4884 (original datagram length and extensions),
 * RFC 4443 (ICMPv6 errors), RFC 9293 (TCP header and options), RFC 6824 and
 * RFC 8684 (MP_CAPABLE v0 and v1).  Packet contents are read only from the
 * dissected struct packet (packet.h), never from raw bytes; option blocks
 * through the option iterator of dissect/tcp.h.  See trace.h.
 */
#include "analyzer/scan/trace.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/base/grow.h"
#include "analyzer/dissect/tcp.h"
#include "analyzer/scan/scan.h"
#include "analyzer/scan/target_map.h"

#define NO_INDEX UINT32_MAX

/* An answer of the destination itself, tied to a probe. */
struct answer_rec {
	uint32_t probe;
	enum trace_answer how;
	enum verdict verdict;
	enum verdict_reason reason;
	bool has_key;
	uint64_t key;
};

/* An answer or ICMP error that came before any probe it could answer. */
struct pending {
	struct packet pkt;
	uint32_t file;
};

struct trace {
	struct target_map *seq_map;  /* (family, dst, dport, seq) -> newest probe */
	struct target_map *flow_map; /* (family, dst, dport, sport) -> newest probe */
	struct target_map *dest_map; /* (family, dst, dport) -> destination */
	struct trace_probe *probes;
	size_t n_probes, cap_probes;
	struct trace_hop *hops;
	size_t n_hops, cap_hops;
	struct trace_dest *dests;
	size_t n_dests, cap_dests;
	struct answer_rec *answers;
	size_t n_answers, cap_answers;
	struct pending *pending;
	size_t n_pending, cap_pending;
	char **files;
	size_t n_files, cap_files;
	bool finished;
	struct trace_stats stats;
};

/* ---- names ---- */

static const char *const quote_names[QUOTE_KIND_COUNT] = { "partial", "full", "rfc4884" };
static const char *const match_names[MATCH_COUNT] = { "exact", "nat", "seq-rewritten" };
static const char *const mpc_names[TMPC_COUNT] = {
	[TMPC_UNKNOWN] = "unknown",
	[TMPC_NONE] = "none",
	[TMPC_PRESENT] = "present",
	[TMPC_REMOVED] = "removed",
	[TMPC_NOPS] = "replaced-by-nops",
	[TMPC_LENGTH_CHANGED] = "length-changed",
	[TMPC_VERSION_CHANGED] = "version-changed",
	[TMPC_KEY_CHANGED] = "key-changed",
	[TMPC_FLAGS_CHANGED] = "flags-changed",
	[TMPC_BYTES_CHANGED] = "bytes-changed",
	[TMPC_ADDED] = "added",
};
static const char *const change_names[TCH_COUNT] = {
	[TCH_IP_SRC] = "ip-src",
	[TCH_SPORT] = "sport",
	[TCH_DSCP] = "dscp",
	[TCH_ECN] = "ecn",
	[TCH_IP_ID] = "ip-id",
	[TCH_DF] = "df",
	[TCH_IP_LENGTH] = "ip-length",
	[TCH_FLOW_LABEL] = "flow-label",
	[TCH_SEQ] = "seq",
	[TCH_ACK] = "ack",
	[TCH_TCP_FLAGS] = "tcp-flags",
	[TCH_WINDOW] = "window",
	[TCH_URGENT] = "urgent",
	[TCH_TCP_HLEN] = "tcp-header-length",
	[TCH_MPC_REMOVED] = "mpc-removed",
	[TCH_MPC_NOPS] = "mpc-replaced-by-nops",
	[TCH_MPC_LENGTH] = "mpc-length",
	[TCH_MPC_VERSION] = "mpc-version",
	[TCH_MPC_KEY] = "mpc-key",
	[TCH_MPC_FLAGS] = "mpc-flags",
	[TCH_MPC_BYTES] = "mpc-bytes",
	[TCH_MPC_ADDED] = "mpc-added",
	[TCH_MSS] = "mss",
	[TCH_WSCALE] = "wscale",
	[TCH_OPTION_ADDED] = "option-added",
	[TCH_OPTION_REMOVED] = "option-removed",
	[TCH_OPTION_CHANGED] = "option-changed",
	[TCH_OPTIONS_REORDERED] = "options-reordered",
	[TCH_OPTIONS_PADDING] = "options-padding",
};
static const char *const answer_names[TANS_COUNT] = { "", "rst", "synack", "synack-mpc" };
static const char *const class_names[TCLASS_COUNT] = {
	[TCLASS_UNTRACED] = "untraced",   [TCLASS_TRUE_MPTCP] = "true-mptcp",
	[TCLASS_MIDDLEBOX] = "middlebox", [TCLASS_UNREACHABLE] = "unreachable",
	[TCLASS_NO_MPTCP] = "no-mptcp",   [TCLASS_UNVERIFIED] = "unverified",
};

const char *trace_quote_kind_name(enum trace_quote_kind k)
{
	return (unsigned)k < QUOTE_KIND_COUNT ? quote_names[k] : "unknown";
}

const char *trace_match_name(enum trace_match m)
{
	return (unsigned)m < MATCH_COUNT ? match_names[m] : "unknown";
}

const char *trace_mpc_status_name(enum trace_mpc_status s)
{
	return (unsigned)s < TMPC_COUNT ? mpc_names[s] : "unknown";
}

const char *trace_answer_name(enum trace_answer a)
{
	return (unsigned)a < TANS_COUNT ? answer_names[a] : "unknown";
}

const char *trace_class_name(enum trace_class c)
{
	return (unsigned)c < TCLASS_COUNT ? class_names[c] : "unknown";
}

const char *trace_icmp_name(enum icmp_kind k)
{
	switch (k) {
	case ICMP_KIND_UNREACHABLE:
		return "unreachable";
	case ICMP_KIND_TIME_EXCEEDED:
		return "time-exceeded";
	case ICMP_KIND_PARAM_PROBLEM:
		return "parameter-problem";
	case ICMP_KIND_PACKET_TOO_BIG:
		return "packet-too-big";
	case ICMP_KIND_SOURCE_QUENCH:
		return "source-quench";
	case ICMP_KIND_REDIRECT:
		return "redirect";
	default:
		return "other";
	}
}

static const char *option_kind_name(uint8_t kind, char buf[8])
{
	switch (kind) {
	case TCP_OPT_MSS:
		return "mss";
	case TCP_OPT_WSCALE:
		return "wscale";
	case TCP_OPT_SACK_PERM:
		return "sack-permitted";
	case 5:
		return "sack";
	case TCP_OPT_TIMESTAMP:
		return "timestamp";
	case 19:
		return "md5";
	case 28:
		return "user-timeout";
	case 29:
		return "tcp-ao";
	case TCP_OPT_MPTCP:
		return "mptcp";
	case 34:
		return "tfo";
	default:
		snprintf(buf, 8, "%u", kind);
		return buf;
	}
}

void trace_changes_format(uint32_t changes, const struct trace_hop *detail, char *buf, size_t n)
{
	size_t used = 0;
	if (n)
		buf[0] = '\0';
	for (int c = 0; c < TCH_COUNT; c++) {
		if (!(changes & (1u << c)))
			continue;
		bool named = false;
		if (detail && (c == TCH_OPTION_ADDED || c == TCH_OPTION_REMOVED || c == TCH_OPTION_CHANGED)) {
			for (uint8_t i = 0; i < detail->n_detail; i++) {
				if (detail->detail[i].change != c)
					continue;
				char kb[8];
				int w =
				    snprintf(buf + used, n - used, "%s%s:%s", used ? ";" : "",
				             change_names[c], option_kind_name(detail->detail[i].kind, kb));
				if (w < 0 || (size_t)w >= n - used)
					return;
				used += (size_t)w;
				named = true;
			}
		}
		if (named)
			continue;
		int w = snprintf(buf + used, n - used, "%s%s", used ? ";" : "", change_names[c]);
		if (w < 0 || (size_t)w >= n - used)
			return;
		used += (size_t)w;
	}
}

struct trace *trace_new(char *err, size_t errlen)
{
	struct trace *t = calloc(1, sizeof *t);
	if (t) {
		t->seq_map = target_map_new();
		t->flow_map = target_map_new();
		t->dest_map = target_map_new();
	}
	if (!t || !t->seq_map || !t->flow_map || !t->dest_map) {
		trace_free(t);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return t;
}

void trace_free(struct trace *t)
{
	if (!t)
		return;
	target_map_free(t->seq_map);
	target_map_free(t->flow_map);
	target_map_free(t->dest_map);
	free(t->probes);
	free(t->hops);
	free(t->dests);
	free(t->answers);
	free(t->pending);
	for (size_t i = 0; i < t->n_files; i++)
		free(t->files[i]);
	free(t->files);
	free(t);
}

static int file_index(struct trace *t, const char *file, uint32_t *out)
{
	if (!file)
		file = "";
	for (size_t i = t->n_files; i-- > 0;) {
		if (strcmp(t->files[i], file) == 0) {
			*out = (uint32_t)i;
			return 0;
		}
	}
	if (grow_array((void **)&t->files, &t->cap_files, t->n_files + 1, sizeof *t->files, 64) != 0)
		return -1;
	char *copy = strdup(file);
	if (!copy)
		return -1;
	t->files[t->n_files] = copy;
	*out = (uint32_t)t->n_files++;
	return 0;
}

/* ---- keys ---- */

static size_t addr_len(uint8_t family)
{
	return family == 4 ? 4 : 16;
}

static struct target_key seq_key(uint8_t family, const uint8_t *dst, uint16_t dport, uint32_t seq)
{
	struct target_key k = target_key_make(family, dst, dport);
	k.aux = (uint16_t)(seq & 0xffff);
	k.extra = (uint8_t)(seq >> 24);
	return k;
}

static struct target_key flow_key(uint8_t family, const uint8_t *dst, uint16_t dport, uint16_t sport)
{
	struct target_key k = target_key_make(family, dst, dport);
	k.aux = sport;
	return k;
}

static bool ts_before_or_equal(int64_t s1, uint32_t n1, int64_t s2, uint32_t n2)
{
	return s1 < s2 || (s1 == s2 && n1 <= n2);
}

/* ---- probes ---- */

static bool same_probe(const struct trace_probe *a, const struct trace_probe *b)
{
	return a->family == b->family && memcmp(a->src, b->src, 16) == 0 && memcmp(a->dst, b->dst, 16) == 0 &&
	       a->sport == b->sport && a->dport == b->dport && a->seq == b->seq && a->ttl == b->ttl &&
	       a->ip_id == b->ip_id && a->tos == b->tos && a->flow_label == b->flow_label &&
	       a->window == b->window && a->options_len == b->options_len &&
	       memcmp(a->options, b->options, a->options_len) == 0;
}

static int add_probe(struct trace *t, uint32_t file, const struct packet *pkt)
{
	const struct ip_info *ip = &pkt->ip;
	const struct tcp_info *tcp = &pkt->tcp;
	struct trace_probe p;
	memset(&p, 0, sizeof p);
	p.family = ip->family;
	memcpy(p.src, ip->src, 16);
	memcpy(p.dst, ip->dst, 16);
	p.sport = tcp->sport;
	p.dport = tcp->dport;
	p.seq = tcp->seq;
	p.ack = tcp->ack;
	p.ttl = ip->ttl;
	p.tos = ip->tos;
	p.df = ip->df;
	p.ip_id = ip->ip_id;
	p.ip_len = ip->total_len;
	p.flow_label = ip->flow_label;
	p.tcp_flags = tcp->flags;
	p.tcp_hlen = tcp->header_len;
	p.window = tcp->window;
	p.urgent = tcp->urgent;
	p.tcp_checksum = tcp->checksum;
	p.options_len = tcp->options_len <= TCP_OPTIONS_MAX ? tcp->options_len : TCP_OPTIONS_MAX;
	memcpy(p.options, tcp->options, p.options_len);
	p.mss = tcp->mss;
	p.wscale = tcp->wscale;
	if (tcp->n_mpc > 0) {
		p.has_mpc = true;
		p.mpc = tcp->mpc[0];
	}
	p.sends = 1;
	p.file = file;
	p.frame = pkt->frame;
	p.ts_sec = pkt->ts_sec;
	p.ts_nsec = pkt->ts_nsec;

	struct target_key sk = seq_key(p.family, p.dst, p.dport, p.seq);
	bool inserted;
	uint32_t *head = target_map_get(t->seq_map, &sk, true, NO_INDEX, &inserted);
	if (!head)
		return -1;
	for (uint32_t i = *head; i != NO_INDEX; i = t->probes[i].next_seq) {
		if (same_probe(&t->probes[i], &p)) {
			t->probes[i].sends++;
			t->dests[t->probes[i].dest].probes++;
			t->stats.probe_retransmissions++;
			return 0;
		}
	}
	uint32_t idx = (uint32_t)t->n_probes;
	if (t->n_probes >= NO_INDEX - 1 ||
	    grow_array((void **)&t->probes, &t->cap_probes, t->n_probes + 1, sizeof p, 64) != 0)
		return -1;

	struct target_key dk = target_key_make(p.family, p.dst, p.dport);
	uint32_t *dv = target_map_get(t->dest_map, &dk, true, NO_INDEX, &inserted);
	if (!dv)
		return -1;
	if (inserted) {
		if (grow_array((void **)&t->dests, &t->cap_dests, t->n_dests + 1, sizeof *t->dests, 64) != 0)
			return -1;
		struct trace_dest *d = &t->dests[t->n_dests];
		memset(d, 0, sizeof *d);
		d->key = dk;
		*dv = (uint32_t)t->n_dests++;
	}
	p.dest = *dv;
	struct trace_dest *d = &t->dests[p.dest];
	d->probes++;
	if (p.ttl > d->max_probe_ttl)
		d->max_probe_ttl = p.ttl;

	struct target_key fk = flow_key(p.family, p.dst, p.dport, p.sport);
	uint32_t *fh = target_map_get(t->flow_map, &fk, true, NO_INDEX, &inserted);
	if (!fh)
		return -1;
	p.next_flow = *fh;
	*fh = idx;
	p.next_seq = *head; /* seq_map has not changed since head was found */
	*head = idx;
	t->probes[idx] = p;
	t->n_probes++;
	t->stats.probes++;
	return 0;
}

/* Picks among candidate probes: sent before the reply, then same IP id (IPv4)
 * or flow label (IPv6) as quoted, then the most recent one. */
struct pick {
	uint32_t best;
	int score;
};

static void consider(const struct trace *t, struct pick *pk, uint32_t idx, const struct ip_info *qip,
                     int64_t ts_sec, uint32_t ts_nsec)
{
	const struct trace_probe *p = &t->probes[idx];
	int score = 0;
	if (ts_before_or_equal(p->ts_sec, p->ts_nsec, ts_sec, ts_nsec))
		score += 2;
	if (qip && (p->family == 4 ? p->ip_id == qip->ip_id : p->flow_label == qip->flow_label))
		score += 1;
	if (pk->best != NO_INDEX) {
		const struct trace_probe *b = &t->probes[pk->best];
		if (score < pk->score)
			return;
		if (score == pk->score && ts_before_or_equal(p->ts_sec, p->ts_nsec, b->ts_sec, b->ts_nsec))
			return;
	}
	pk->best = idx;
	pk->score = score;
}

/* The probe an ICMP quote (qip, qtcp) answers, or NO_INDEX. */
static uint32_t match_quote(const struct trace *t, const struct icmp_info *ic, int64_t ts_sec,
                            uint32_t ts_nsec, enum trace_match *how)
{
	const struct ip_info *qip = &ic->quoted_ip;
	const struct tcp_info *q = &ic->quoted_tcp;
	uint8_t fam = qip->family;
	size_t al = addr_len(fam);
	struct pick exact = { NO_INDEX, 0 }, nat = { NO_INDEX, 0 }, flow = { NO_INDEX, 0 };

	struct target_key sk = seq_key(fam, qip->dst, q->dport, q->seq);
	uint32_t *head = target_map_get(t->seq_map, &sk, false, 0, NULL);
	for (uint32_t i = head ? *head : NO_INDEX; i != NO_INDEX; i = t->probes[i].next_seq) {
		const struct trace_probe *p = &t->probes[i];
		if (p->family != fam || p->seq != q->seq || p->dport != q->dport ||
		    memcmp(p->dst, qip->dst, al) != 0)
			continue;
		if (p->sport == q->sport && memcmp(p->src, qip->src, al) == 0)
			consider(t, &exact, i, qip, ts_sec, ts_nsec);
		else
			consider(t, &nat, i, qip, ts_sec, ts_nsec);
	}
	if (exact.best != NO_INDEX) {
		*how = MATCH_EXACT;
		return exact.best;
	}
	if (nat.best != NO_INDEX) {
		*how = MATCH_NAT;
		return nat.best;
	}
	/* Sequence number rewritten on the way (some firewalls randomise it): only
	 * for a quote that shows a SYN without ACK, so that a quote of the
	 * scanner's own RST or ACK on the same ports is not taken for a probe. */
	if (ic->quoted_l4_len < 14 ||
	    (q->flags & (TCP_FLAG_SYN | TCP_FLAG_ACK | TCP_FLAG_RST)) != TCP_FLAG_SYN)
		return NO_INDEX;
	struct target_key fk = flow_key(fam, qip->dst, q->dport, q->sport);
	head = target_map_get(t->flow_map, &fk, false, 0, NULL);
	for (uint32_t i = head ? *head : NO_INDEX; i != NO_INDEX; i = t->probes[i].next_flow) {
		const struct trace_probe *p = &t->probes[i];
		if (p->family == fam && p->sport == q->sport && p->dport == q->dport &&
		    memcmp(p->dst, qip->dst, al) == 0 && memcmp(p->src, qip->src, al) == 0)
			consider(t, &flow, i, qip, ts_sec, ts_nsec);
	}
	if (flow.best != NO_INDEX) {
		*how = MATCH_SEQ_REWRITTEN;
		return flow.best;
	}
	return NO_INDEX;
}

/* ---- comparing a quote with its probe ---- */

struct opt_entry {
	uint8_t kind, off, len;
	bool used;
};

#define MAX_OPTS 40

/* The options wholly inside the copied option bytes b[0..n), NOP and EOL left out. */
static int list_options(const uint8_t *b, size_t n, struct opt_entry *out)
{
	struct tcp_opts it;
	struct tcp_opt o;
	int k = 0;
	tcp_opts_begin(&it, bv_make(b, n), n);
	while (k < MAX_OPTS && tcp_opts_next(&it, &o) == TCP_OPTS_MORE) {
		if (o.kind == TCP_OPT_NOP || o.kind == TCP_OPT_EOL)
			continue;
		out[k].kind = o.kind;
		out[k].off = (uint8_t)o.off;
		out[k].len = o.len;
		out[k].used = false;
		k++;
	}
	return k;
}

static void set_change(struct trace_hop *h, enum trace_change c)
{
	h->changes |= 1u << c;
}

static void add_detail(struct trace_hop *h, enum trace_change c, uint8_t kind)
{
	set_change(h, c);
	for (uint8_t i = 0; i < h->n_detail; i++)
		if (h->detail[i].change == c && h->detail[i].kind == kind)
			return;
	if (h->n_detail < TRACE_DETAIL_MAX) {
		h->detail[h->n_detail].change = (uint8_t)c;
		h->detail[h->n_detail].kind = kind;
		h->n_detail++;
	}
}

static bool all_nops(const uint8_t *b, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (b[i] != TCP_OPT_NOP)
			return false;
	return from < to;
}

/* MP_CAPABLE in the quote versus the probe's. */
static enum trace_mpc_status compare_mpc(const struct trace_probe *p, const struct tcp_info *q,
                                         size_t visible, bool complete, struct trace_hop *h)
{
	if (!p->has_mpc) {
		if (q->n_mpc > 0) {
			set_change(h, TCH_MPC_ADDED);
			return TMPC_ADDED;
		}
		return complete ? TMPC_NONE : TMPC_UNKNOWN;
	}
	const struct mpc_option *pm = &p->mpc;
	if (q->n_mpc > 0) {
		const struct mpc_option *qm = &q->mpc[0];
		enum trace_mpc_status st = TMPC_PRESENT;
		if (qm->has_flags && pm->has_flags && qm->flags != pm->flags) {
			set_change(h, TCH_MPC_FLAGS);
			st = TMPC_FLAGS_CHANGED;
		}
		if (qm->has_sender_key && pm->has_sender_key && qm->sender_key != pm->sender_key) {
			set_change(h, TCH_MPC_KEY);
			st = TMPC_KEY_CHANGED;
		}
		if (qm->version != pm->version) {
			set_change(h, TCH_MPC_VERSION);
			st = TMPC_VERSION_CHANGED;
		}
		if (qm->length != pm->length) {
			set_change(h, TCH_MPC_LENGTH);
			st = TMPC_LENGTH_CHANGED;
		}
		if (st == TMPC_PRESENT) {
			/* compare the remaining bytes that were quoted */
			size_t qend = (size_t)qm->offset + qm->length, pend = (size_t)pm->offset + pm->length;
			if (qend > visible)
				qend = visible;
			size_t qn = qend > qm->offset ? qend - qm->offset : 0;
			if (pend <= p->options_len && qn > 0 &&
			    memcmp(q->options + qm->offset, p->options + pm->offset, qn) != 0) {
				set_change(h, TCH_MPC_BYTES);
				st = TMPC_BYTES_CHANGED;
			} else if (qn < qm->length && !qm->has_sender_key && pm->has_sender_key) {
				return TMPC_UNKNOWN; /* the key itself was not quoted */
			}
		}
		return st;
	}
	size_t from = pm->offset, to = (size_t)pm->offset + pm->length;
	if (visible >= to && all_nops(q->options, from, to)) {
		set_change(h, TCH_MPC_NOPS);
		return TMPC_NOPS;
	}
	if (complete) {
		set_change(h, TCH_MPC_REMOVED);
		return TMPC_REMOVED;
	}
	return TMPC_UNKNOWN; /* the quote stops before the option could be seen */
}

static void compare_options(const struct trace_probe *p, const struct tcp_info *q, size_t visible,
                            bool complete, struct trace_hop *h)
{
	struct opt_entry po[MAX_OPTS], qo[MAX_OPTS];
	int np = list_options(p->options, p->options_len, po);
	int nq = list_options(q->options, visible, qo);
	int last_pair = -1;
	bool reordered = false;

	for (int i = 0; i < np; i++) {
		if (po[i].kind == TCP_OPT_MPTCP && p->has_mpc && po[i].off == p->mpc.offset)
			continue; /* judged by compare_mpc() */
		/* a cut quote can only speak about options that fit in it */
		if (!complete && (size_t)po[i].off + po[i].len > visible)
			continue;
		int j;
		for (j = 0; j < nq; j++)
			if (!qo[j].used && qo[j].kind == po[i].kind)
				break;
		if (j == nq) {
			add_detail(h, TCH_OPTION_REMOVED, po[i].kind);
			continue;
		}
		qo[j].used = true;
		if (j < last_pair)
			reordered = true;
		last_pair = j;
		if (po[i].len != qo[j].len ||
		    memcmp(p->options + po[i].off, q->options + qo[j].off, po[i].len) != 0) {
			if (po[i].kind == TCP_OPT_MSS)
				set_change(h, TCH_MSS);
			else if (po[i].kind == TCP_OPT_WSCALE)
				set_change(h, TCH_WSCALE);
			else
				add_detail(h, TCH_OPTION_CHANGED, po[i].kind);
		}
	}
	for (int j = 0; j < nq; j++) {
		if (qo[j].used)
			continue;
		if (qo[j].kind == TCP_OPT_MPTCP && q->n_mpc > 0 && qo[j].off == q->mpc[0].offset)
			continue; /* judged by compare_mpc() */
		add_detail(h, TCH_OPTION_ADDED, qo[j].kind);
	}
	if (reordered)
		set_change(h, TCH_OPTIONS_REORDERED);
}

#define MPC_CHANGE_BITS                                                                                      \
	((1u << TCH_MPC_REMOVED) | (1u << TCH_MPC_NOPS) | (1u << TCH_MPC_LENGTH) | (1u << TCH_MPC_VERSION) | \
	 (1u << TCH_MPC_KEY) | (1u << TCH_MPC_FLAGS) | (1u << TCH_MPC_BYTES) | (1u << TCH_MPC_ADDED))
#define OPTION_CHANGE_BITS                                                                                   \
	(MPC_CHANGE_BITS | (1u << TCH_MSS) | (1u << TCH_WSCALE) | (1u << TCH_OPTION_ADDED) |                 \
	 (1u << TCH_OPTION_REMOVED) | (1u << TCH_OPTION_CHANGED) | (1u << TCH_OPTIONS_REORDERED))

/* Fills h (quote kind, changes, MP_CAPABLE status) from the quote ic of probe p. */
static void compare_quote(const struct trace_probe *p, const struct icmp_info *ic, struct trace_hop *h)
{
	const struct ip_info *qip = &ic->quoted_ip;
	const struct tcp_info *q = &ic->quoted_tcp;
	size_t l4 = ic->quoted_l4_len, al = addr_len(p->family);

	h->tcp_bytes = ic->quoted_l4_len;
	h->rfc4884_len = ic->rfc4884_len;
	h->extensions = ic->has_extensions;
	h->quoted_ttl = qip->ttl;
	h->sent_ttl = p->ttl;
	if (l4 < 20)
		h->quote_kind = QUOTE_PARTIAL;
	else if (ic->rfc4884_len != 0)
		h->quote_kind = QUOTE_RFC4884;
	else
		h->quote_kind = QUOTE_FULL;

	/* IP: everything but TTL / hop limit (and the IPv4 header checksum) */
	if (memcmp(p->src, qip->src, al) != 0)
		set_change(h, TCH_IP_SRC);
	if ((p->tos >> 2) != (qip->tos >> 2))
		set_change(h, TCH_DSCP);
	if ((p->tos & 3) != (qip->tos & 3))
		set_change(h, TCH_ECN);
	if (p->ip_len != qip->total_len)
		set_change(h, TCH_IP_LENGTH);
	if (p->family == 4) {
		if (p->ip_id != qip->ip_id)
			set_change(h, TCH_IP_ID);
		if (p->df != qip->df)
			set_change(h, TCH_DF);
	} else if (p->flow_label != qip->flow_label) {
		set_change(h, TCH_FLOW_LABEL);
	}

	/* TCP, as far as quoted (RFC 792: ports and sequence number only) */
	if (p->sport != q->sport)
		set_change(h, TCH_SPORT);
	if (p->seq != q->seq)
		set_change(h, TCH_SEQ);
	if (l4 >= 12 && p->ack != q->ack)
		set_change(h, TCH_ACK);
	if (l4 >= 14) {
		if (p->tcp_flags != q->flags)
			set_change(h, TCH_TCP_FLAGS);
		if (p->tcp_hlen != q->header_len)
			set_change(h, TCH_TCP_HLEN);
	}
	if (l4 >= 16 && p->window != q->window)
		set_change(h, TCH_WINDOW);
	if (l4 >= 18) {
		h->checksum_compared = true;
		h->checksum_changed = p->tcp_checksum != q->checksum;
	}
	if (l4 >= 20 && p->urgent != q->urgent)
		set_change(h, TCH_URGENT);

	h->header_complete = q->full_header && q->options_complete;
	if (!q->full_header) {
		h->mpc = TMPC_UNKNOWN;
		return;
	}
	size_t visible = q->options_len;
	h->mpc = compare_mpc(p, q, visible, h->header_complete, h);
	compare_options(p, q, visible, h->header_complete, h);
	if (!(h->changes & OPTION_CHANGE_BITS) && (h->mpc == TMPC_PRESENT || h->mpc == TMPC_NONE)) {
		size_t n = visible < p->options_len ? visible : p->options_len;
		if ((h->header_complete && visible != p->options_len) ||
		    memcmp(p->options, q->options, n) != 0)
			set_change(h, TCH_OPTIONS_PADDING);
	}
}

static int add_hop(struct trace *t, uint32_t file, const struct packet *pkt, uint32_t probe,
                   enum trace_match how)
{
	if (grow_array((void **)&t->hops, &t->cap_hops, t->n_hops + 1, sizeof *t->hops, 64) != 0)
		return -1;
	const struct trace_probe *p = &t->probes[probe];
	const struct icmp_info *ic = &pkt->icmp;
	struct trace_hop *h = &t->hops[t->n_hops];
	memset(h, 0, sizeof *h);
	h->probe = probe;
	h->dest = p->dest;
	h->family = pkt->ip.family;
	memcpy(h->router, pkt->ip.src, 16);
	h->icmp_kind = ic->kind;
	h->icmp_type = ic->type;
	h->icmp_code = ic->code;
	h->match = how;
	h->file = file;
	h->frame = pkt->frame;
	h->ts_sec = pkt->ts_sec;
	h->ts_nsec = pkt->ts_nsec;
	compare_quote(p, ic, h);
	if (ic->kind == ICMP_KIND_TIME_EXCEEDED || ic->quoted_ip.ttl == 0 || ic->quoted_ip.ttl > p->ttl)
		h->hop = p->ttl;
	else /* the router received the probe with quoted TTL left: it sits sent - quoted + 1 hops away */
		h->hop = (uint8_t)(p->ttl - ic->quoted_ip.ttl + 1);
	if (h->hop == 0)
		h->hop = 1; /* a TTL 0 probe: 0 is reserved for "no hop" */
	t->n_hops++;
	t->stats.icmp_matched++;
	return 0;
}

/* ---- destination answers ---- */

static uint32_t match_answer(const struct trace *t, const struct packet *pkt)
{
	const struct ip_info *ip = &pkt->ip;
	const struct tcp_info *tcp = &pkt->tcp;
	size_t al = addr_len(ip->family);
	struct pick pk = { NO_INDEX, 0 };
	if (tcp->flags & TCP_FLAG_ACK) {
		uint32_t seq = tcp->ack - 1;
		struct target_key sk = seq_key(ip->family, ip->src, tcp->sport, seq);
		uint32_t *head = target_map_get(t->seq_map, &sk, false, 0, NULL);
		for (uint32_t i = head ? *head : NO_INDEX; i != NO_INDEX; i = t->probes[i].next_seq) {
			const struct trace_probe *p = &t->probes[i];
			if (p->family == ip->family && p->seq == seq && p->dport == tcp->sport &&
			    p->sport == tcp->dport && memcmp(p->dst, ip->src, al) == 0 &&
			    memcmp(p->src, ip->dst, al) == 0)
				consider(t, &pk, i, NULL, pkt->ts_sec, pkt->ts_nsec);
		}
		return pk.best;
	}
	/* a RST without ACK: tie it to the latest probe of the same connection */
	struct target_key fk = flow_key(ip->family, ip->src, tcp->sport, tcp->dport);
	uint32_t *head = target_map_get(t->flow_map, &fk, false, 0, NULL);
	for (uint32_t i = head ? *head : NO_INDEX; i != NO_INDEX; i = t->probes[i].next_flow) {
		const struct trace_probe *p = &t->probes[i];
		if (p->family == ip->family && p->dport == tcp->sport && p->sport == tcp->dport &&
		    memcmp(p->dst, ip->src, al) == 0 && memcmp(p->src, ip->dst, al) == 0)
			consider(t, &pk, i, NULL, pkt->ts_sec, pkt->ts_nsec);
	}
	return pk.best;
}

static int add_answer(struct trace *t, const struct packet *pkt, uint32_t probe)
{
	if (grow_array((void **)&t->answers, &t->cap_answers, t->n_answers + 1, sizeof *t->answers, 64) != 0)
		return -1;
	const struct trace_probe *p = &t->probes[probe];
	const struct tcp_info *tcp = &pkt->tcp;
	struct answer_rec *a = &t->answers[t->n_answers];
	memset(a, 0, sizeof *a);
	a->probe = probe;

	struct probe_profile prof;
	memset(&prof, 0, sizeof prof);
	prof.has_mpc = p->has_mpc;
	prof.mpc_version = p->mpc.version;
	prof.mpc_length = p->mpc.length;
	prof.mpc_flags = p->mpc.flags;
	prof.has_key = p->has_mpc && p->mpc.has_sender_key;
	prof.key = p->mpc.sender_key;
	prof.options_len = p->options_len;
	memcpy(prof.options, p->options, p->options_len);

	struct scan_target st;
	memset(&st, 0, sizeof st);
	bool synack = (tcp->flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == (TCP_FLAG_SYN | TCP_FLAG_ACK) &&
	              !(tcp->flags & TCP_FLAG_RST);
	st.response = synack ? RESP_SYNACK : RESP_RST;
	st.has_mpc = synack && tcp->n_mpc > 0;
	if (st.has_mpc)
		st.mpc = tcp->mpc[0];
	st.options_len = tcp->options_len <= TCP_OPTIONS_MAX ? tcp->options_len : TCP_OPTIONS_MAX;
	memcpy(st.options, tcp->options, st.options_len);

	a->how = !synack ? TANS_RST : st.has_mpc ? TANS_SYNACK_MPC : TANS_SYNACK;
	a->verdict = verdict_classify(&prof, &st, 0, &a->reason);
	if (st.has_mpc && st.mpc.has_sender_key) {
		a->has_key = true;
		a->key = st.mpc.sender_key;
	}
	t->n_answers++;
	t->stats.answers_matched++;
	return 0;
}

/* ---- feeding ---- */

static bool is_quote_of_tcp(const struct packet *pkt)
{
	const struct icmp_info *ic = &pkt->icmp;
	return pkt->ip.family != 0 && (pkt->ip.proto == 1 || pkt->ip.proto == 58) && ic->present &&
	       ic->is_error && ic->has_quote && ic->quoted_ip.family == pkt->ip.family &&
	       ic->quoted_ip.proto == 6;
}

static bool is_answer(const struct packet *pkt)
{
	const struct tcp_info *tcp = &pkt->tcp;
	return pkt->ip.family != 0 && pkt->ip.proto == 6 && tcp->present && tcp->full_header &&
	       (((tcp->flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == (TCP_FLAG_SYN | TCP_FLAG_ACK)) ||
	        (tcp->flags & TCP_FLAG_RST));
}

/* Replies kept for a second chance at the end (a whole struct packet each):
 * enough for captures split by direction, bounded for a scan's worth of
 * SYN-ACKs without their probes. */
#define TRACE_PENDING_MAX (256u * 1024u)

static int add_pending(struct trace *t, uint32_t file, const struct packet *pkt)
{
	if (t->n_pending >= TRACE_PENDING_MAX) {
		t->stats.pending_dropped++;
		return 0;
	}
	if (grow_array((void **)&t->pending, &t->cap_pending, t->n_pending + 1, sizeof *t->pending, 64) != 0)
		return -1;
	t->pending[t->n_pending].pkt = *pkt;
	t->pending[t->n_pending].file = file;
	t->n_pending++;
	return 0;
}

/* Ties an ICMP error or an answer to its probe; returns 1 when unmatched. */
static int process_reply(struct trace *t, uint32_t file, const struct packet *pkt, bool *failed)
{
	*failed = false;
	if (pkt->ip.proto == 6) {
		uint32_t probe = match_answer(t, pkt);
		if (probe == NO_INDEX)
			return 1;
		*failed = add_answer(t, pkt, probe) != 0;
		return 0;
	}
	enum trace_match how = MATCH_EXACT;
	uint32_t probe = match_quote(t, &pkt->icmp, pkt->ts_sec, pkt->ts_nsec, &how);
	if (probe == NO_INDEX)
		return 1;
	*failed = add_hop(t, file, pkt, probe, how) != 0;
	return 0;
}

int trace_add(struct trace *t, const char *file, const struct packet *pkt, char *err, size_t errlen)
{
	if (t->finished) {
		snprintf(err, errlen, "trace_add after trace_finish");
		return -1;
	}
	t->stats.packets++;
	if (pkt->ip.family == 0)
		return 0;
	uint32_t fi;
	bool failed = false;
	int rc = 0;
	if (pkt->skip == SKIP_NONE && pkt->ip.proto == 6 && pkt->tcp.present && pkt->tcp.full_header &&
	    (pkt->tcp.flags & (TCP_FLAG_SYN | TCP_FLAG_ACK | TCP_FLAG_RST)) == TCP_FLAG_SYN) {
		if (file_index(t, file, &fi) != 0 || add_probe(t, fi, pkt) != 0)
			failed = true;
	} else if (pkt->skip == SKIP_NONE && is_answer(pkt)) {
		t->stats.answers++;
		if (file_index(t, file, &fi) != 0)
			failed = true;
		else if (process_reply(t, fi, pkt, &failed) == 1 && !failed)
			rc = add_pending(t, fi, pkt);
	} else if (is_quote_of_tcp(pkt)) {
		t->stats.icmp_errors++;
		if (!pkt->icmp.quoted_tcp.present) {
			t->stats.icmp_short++;
			return 0;
		}
		if (file_index(t, file, &fi) != 0)
			failed = true;
		else if (process_reply(t, fi, pkt, &failed) == 1 && !failed)
			rc = add_pending(t, fi, pkt);
	}
	if (failed || rc != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* ---- finishing ---- */

static int cmp_dest(const void *a, const void *b)
{
	return target_key_cmp(&((const struct trace_dest *)a)->key, &((const struct trace_dest *)b)->key);
}

struct dest_order {
	struct target_key key;
	uint32_t old;
};

static int cmp_dest_order(const void *a, const void *b)
{
	return target_key_cmp(&((const struct dest_order *)a)->key, &((const struct dest_order *)b)->key);
}

static int cmp_hop(const void *a, const void *b)
{
	const struct trace_hop *x = a, *y = b;
	if (x->dest != y->dest)
		return x->dest < y->dest ? -1 : 1;
	if (x->hop != y->hop)
		return x->hop < y->hop ? -1 : 1;
	if (x->ts_sec != y->ts_sec)
		return x->ts_sec < y->ts_sec ? -1 : 1;
	if (x->ts_nsec != y->ts_nsec)
		return x->ts_nsec < y->ts_nsec ? -1 : 1;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->frame != y->frame)
		return x->frame < y->frame ? -1 : 1;
	return 0;
}

static bool mpc_is_change(enum trace_mpc_status s)
{
	return s >= TMPC_REMOVED && s <= TMPC_ADDED;
}

/* Severity of a status at one hop: a change outranks intact, intact outranks unknown. */
static int mpc_rank(enum trace_mpc_status s)
{
	if (mpc_is_change(s))
		return 2;
	return s == TMPC_PRESENT || s == TMPC_NONE ? 1 : 0;
}

static int answer_rank(const struct answer_rec *a)
{
	if (a->how == TANS_SYNACK_MPC && a->verdict == VERDICT_MPTCP)
		return 4;
	return (int)a->how;
}

static void summarise_dest(struct trace_dest *d, const struct trace_hop *h, size_t n)
{
	uint8_t seen[32] = { 0 }, full[32] = { 0 };
	int last_rank = -1;
	for (size_t i = 0; i < n; i++) {
		const struct trace_hop *x = &h[i];
		d->other_changes |= x->changes & ~MPC_CHANGE_BITS;
		if (x->match == MATCH_NAT)
			d->nat = true;
		if (x->icmp_kind == ICMP_KIND_UNREACHABLE && !d->unreachable) {
			d->unreachable = true;
			memcpy(d->unreachable_router, x->router, 16);
		}
		if (mpc_is_change(x->mpc) && (d->changed_hop == 0 || x->hop < d->changed_hop)) {
			d->changed_hop = x->hop;
			memcpy(d->changed_router, x->router, 16);
			d->change = x->mpc;
		}
		if (x->icmp_kind != ICMP_KIND_TIME_EXCEEDED)
			continue;
		if (!(seen[x->hop / 8] & (1u << (x->hop % 8)))) {
			seen[x->hop / 8] |= (uint8_t)(1u << (x->hop % 8));
			d->hops_answered++;
		}
		if (x->header_complete && !(full[x->hop / 8] & (1u << (x->hop % 8)))) {
			full[x->hop / 8] |= (uint8_t)(1u << (x->hop % 8));
			d->hops_full++;
		}
		if (x->hop > d->last_hop) {
			d->last_hop = x->hop;
			memcpy(d->last_router, x->router, 16);
			d->last_mpc = x->mpc;
			last_rank = mpc_rank(x->mpc);
		} else if (x->hop == d->last_hop && mpc_rank(x->mpc) > last_rank) {
			d->last_mpc = x->mpc;
			last_rank = mpc_rank(x->mpc);
		}
	}
	if (d->changed_hop) {
		for (size_t i = 0; i < n; i++) {
			const struct trace_hop *x = &h[i];
			if (x->icmp_kind == ICMP_KIND_TIME_EXCEEDED && x->mpc == TMPC_PRESENT &&
			    x->hop < d->changed_hop && x->hop >= d->intact_hop) {
				d->intact_hop = x->hop;
				memcpy(d->intact_router, x->router, 16);
			}
		}
	}
}

static enum trace_class classify(const struct trace_dest *d)
{
	if (d->changed_hop || d->answer_replayed)
		return TCLASS_MIDDLEBOX;
	if (d->answer == TANS_SYNACK_MPC && d->answer_verdict == VERDICT_MPTCP)
		return d->last_hop && d->last_mpc == TMPC_PRESENT ? TCLASS_TRUE_MPTCP : TCLASS_UNVERIFIED;
	if (d->answer != TANS_NONE)
		return TCLASS_NO_MPTCP;
	return TCLASS_UNREACHABLE;
}

int trace_finish(struct trace *t, char *err, size_t errlen)
{
	if (t->finished)
		return 0;
	/* replies that came before their probe (several files, out of order) */
	for (size_t i = 0; i < t->n_pending; i++) {
		bool failed;
		(void)process_reply(t, t->pending[i].file, &t->pending[i].pkt, &failed);
		if (failed) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	free(t->pending);
	t->pending = NULL;
	t->n_pending = t->cap_pending = 0;

	/* destinations sorted by (family, address, port); remap the indexes */
	size_t nd = t->n_dests ? t->n_dests : 1;
	struct dest_order *ord = malloc(nd * sizeof *ord);
	uint32_t *newpos = malloc(nd * sizeof *newpos);
	struct trace_dest *sorted = malloc(nd * sizeof *sorted);
	if (!ord || !newpos || !sorted) {
		free(ord);
		free(newpos);
		free(sorted);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < t->n_dests; i++) {
		ord[i].key = t->dests[i].key;
		ord[i].old = (uint32_t)i;
	}
	if (t->n_dests > 1)
		qsort(ord, t->n_dests, sizeof *ord, cmp_dest_order);
	for (size_t i = 0; i < t->n_dests; i++) {
		sorted[i] = t->dests[ord[i].old];
		newpos[ord[i].old] = (uint32_t)i;
	}
	free(t->dests);
	t->dests = sorted;
	t->cap_dests = nd;
	for (size_t i = 0; i < t->n_probes; i++)
		t->probes[i].dest = newpos[t->probes[i].dest];
	for (size_t i = 0; i < t->n_hops; i++)
		t->hops[i].dest = newpos[t->hops[i].dest];
	free(newpos);
	free(ord);
	if (t->n_hops > 1)
		qsort(t->hops, t->n_hops, sizeof *t->hops, cmp_hop);

	for (size_t i = 0; i < t->n_hops;) {
		size_t j = i;
		while (j < t->n_hops && t->hops[j].dest == t->hops[i].dest)
			j++;
		summarise_dest(&t->dests[t->hops[i].dest], &t->hops[i], j - i);
		i = j;
	}
	int *best = malloc(nd * sizeof *best);
	if (!best) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < nd; i++)
		best[i] = -1;
	for (size_t i = 0; i < t->n_answers; i++) {
		const struct answer_rec *a = &t->answers[i];
		const struct trace_probe *p = &t->probes[a->probe];
		struct trace_dest *d = &t->dests[p->dest];
		/* the best answer: a real MPTCP SYN-ACK, then MP_CAPABLE, SYN-ACK, RST; among
		 * equals a replay (the evidence), then one with a key */
		bool bad = a->verdict == VERDICT_REPLAY || a->verdict == VERDICT_MODIFIED;
		int score = answer_rank(a) * 4 + (bad ? 2 : 0) + (a->has_key ? 1 : 0);
		if (score > best[p->dest]) {
			best[p->dest] = score;
			d->answer = a->how;
			d->answer_verdict = a->verdict;
			d->answer_reason = a->reason;
			d->answer_has_key = a->has_key;
			d->answer_key = a->key;
			d->probe_has_key = p->has_mpc && p->mpc.has_sender_key;
			d->probe_key = p->mpc.sender_key;
		}
		if (bad)
			d->answer_replayed = true;
	}
	free(best);
	for (size_t i = 0; i < t->n_dests; i++)
		t->dests[i].cls = classify(&t->dests[i]);
	t->finished = true;
	return 0;
}

/* ---- access ---- */

size_t trace_probe_count(const struct trace *t)
{
	return t->n_probes;
}

const struct trace_probe *trace_probe_at(const struct trace *t, size_t i)
{
	return i < t->n_probes ? &t->probes[i] : NULL;
}

size_t trace_hop_count(const struct trace *t)
{
	return t->n_hops;
}

const struct trace_hop *trace_hop_at(const struct trace *t, size_t i)
{
	return i < t->n_hops ? &t->hops[i] : NULL;
}

size_t trace_dest_count(const struct trace *t)
{
	return t->n_dests;
}

const struct trace_dest *trace_dest_at(const struct trace *t, size_t i)
{
	return i < t->n_dests ? &t->dests[i] : NULL;
}

const struct trace_dest *trace_dest_find(const struct trace *t, uint8_t family, const uint8_t *addr,
                                         uint16_t port)
{
	if (!t->finished || t->n_dests == 0)
		return NULL;
	struct trace_dest key;
	key.key = target_key_make(family, addr, port);
	return bsearch(&key, t->dests, t->n_dests, sizeof *t->dests, cmp_dest);
}

const char *trace_file_name(const struct trace *t, uint32_t i)
{
	return i < t->n_files ? t->files[i] : "";
}

const struct trace_stats *trace_get_stats(const struct trace *t)
{
	return &t->stats;
}

void trace_class_reason(const struct trace_dest *d, char *buf, size_t n)
{
	switch (d->cls) {
	case TCLASS_MIDDLEBOX:
		if (d->changed_hop && d->intact_hop)
			snprintf(buf, n, "MP_CAPABLE %s at hop %u, intact at hop %u",
			         trace_mpc_status_name(d->change), d->changed_hop, d->intact_hop);
		else if (d->changed_hop)
			snprintf(buf, n, "MP_CAPABLE %s at hop %u", trace_mpc_status_name(d->change),
			         d->changed_hop);
		else
			snprintf(buf, n, "answer %s (%s)", verdict_name(d->answer_verdict),
			         verdict_reason_name(d->answer_reason));
		break;
	case TCLASS_TRUE_MPTCP:
		snprintf(buf, n, "MP_CAPABLE intact up to hop %u; SYN-ACK with its own key", d->last_hop);
		break;
	case TCLASS_UNVERIFIED:
		if (d->last_hop)
			snprintf(
			    buf, n, "SYN-ACK with its own key; the quote of the last answering hop %u is %s",
			    d->last_hop,
			    d->last_mpc == TMPC_UNKNOWN ? "partial" : trace_mpc_status_name(d->last_mpc));
		else
			snprintf(buf, n, "SYN-ACK with its own key; no hop answered");
		break;
	case TCLASS_NO_MPTCP:
		snprintf(buf, n, "the destination answered %s",
		         d->answer == TANS_RST      ? "RST"
		         : d->answer == TANS_SYNACK ? "a SYN-ACK without MP_CAPABLE"
		                                    : "a SYN-ACK with an MP_CAPABLE without key");
		break;
	case TCLASS_UNREACHABLE:
		snprintf(buf, n, "no answer from the destination; %u hops answered, %u with full quotes%s",
		         d->hops_answered, d->hops_full,
		         d->unreachable ? "; ICMP destination unreachable" : "");
		break;
	default:
		if (n)
			buf[0] = '\0';
		break;
	}
}

enum trace_class trace_final_class(const struct trace_dest *d, bool scan_replayed)
{
	if (!d)
		return TCLASS_UNTRACED;
	if (scan_replayed)
		return TCLASS_MIDDLEBOX;
	return d->cls;
}
