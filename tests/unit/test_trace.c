/* test_trace.c — tracebox analysis (trace.c): hand-built probes and ICMP
 * quotes run through dissect_packet() and the trace module.  RFC 792 (8-byte
 * quotes), RFC 1812 (full quotes), RFC 4884 (length and extensions), RFC 4443
 * (ICMPv6), RFC 6824 / RFC 8684 (MP_CAPABLE). */
#include <criterion/criterion.h>
#include <string.h>

#include "analyzer/dissect/dissect.h"
#include "analyzer/scan/trace.h"

#define DLT_RAW_IP 12

static const uint8_t scanner4[4] = { 192, 0, 2, 1 }, target4[4] = { 203, 0, 113, 2 };
static const uint8_t router4a[4] = { 198, 51, 100, 1 }, router4b[4] = { 198, 51, 100, 2 };
static const uint8_t scanner6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
static const uint8_t target6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
static const uint8_t router6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

#define KEY 0x0c0c0c0c0c0c0c0cULL
#define SPORT 40000
#define DPORT 443
#define SEQ 0x11223344u

/* MSS 1460, NOP, window scale 7, MP_CAPABLE v0 (flags A|H) with key 0c..0c: 20 bytes. */
static const uint8_t probe_opts[20] = { 0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x07, 0x1e, 0x0c,
	                                0x00, 0x81, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c };
#define MPC_OFF 8 /* offset of MP_CAPABLE inside probe_opts */

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void put32(uint8_t *b, uint32_t v)
{
	put16(b, (uint16_t)(v >> 16));
	put16(b + 2, (uint16_t)v);
}

/* TCP header with options at b; returns its length. */
static size_t tcp_hdr(uint8_t *b, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
                      const uint8_t *opts, size_t olen)
{
	size_t hl = 20 + olen;
	memset(b, 0, 20);
	put16(b, sport);
	put16(b + 2, dport);
	put32(b + 4, seq);
	put32(b + 8, ack);
	b[12] = (uint8_t)((hl / 4) << 4);
	b[13] = flags;
	put16(b + 14, 5840);
	put16(b + 16, 0xbeef); /* checksum, as sent */
	if (olen)
		memcpy(b + 20, opts, olen);
	return hl;
}

/* IPv4 + TCP; returns the length. */
static size_t ip4_tcp(uint8_t *b, const uint8_t src[4], const uint8_t dst[4], uint8_t ttl, uint16_t sport,
                      uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *opts,
                      size_t olen)
{
	size_t n = 20 + tcp_hdr(b + 20, sport, dport, seq, ack, flags, opts, olen);
	memset(b, 0, 20);
	b[0] = 0x45;
	put16(b + 2, (uint16_t)n);
	put16(b + 4, 0x1234);
	b[6] = 0x40; /* DF */
	b[8] = ttl;
	b[9] = 6;
	memcpy(b + 12, src, 4);
	memcpy(b + 16, dst, 4);
	return n;
}

static size_t ip6_tcp(uint8_t *b, const uint8_t src[16], const uint8_t dst[16], uint8_t hlim, uint16_t sport,
                      uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *opts,
                      size_t olen)
{
	size_t tl = tcp_hdr(b + 40, sport, dport, seq, ack, flags, opts, olen);
	memset(b, 0, 40);
	b[0] = 0x60; /* traffic class 0, flow label 0xa5a5a */
	b[1] = 0x0a;
	put16(b + 2, 0x5a5a);
	put16(b + 4, (uint16_t)tl);
	b[6] = 6;
	b[7] = hlim;
	memcpy(b + 8, src, 16);
	memcpy(b + 24, dst, 16);
	return 40 + tl;
}

/* RFC 4884 extension structure: version 2, one MPLS label stack object. */
static const uint8_t ext[12] = { 0x20, 0x00, 0x00, 0x00, 0x00, 0x08, 0x01, 0x01, 0x00, 0x01, 0x01, 0x01 };

/* ICMP error from router to the scanner quoting q[0..qlen); with ext_len, the
 * quote is padded to 128 bytes, the RFC 4884 length set and ext appended. */
static size_t icmp4_err(uint8_t *b, uint8_t type, const uint8_t router[4], const uint8_t *q, size_t qlen,
                        bool rfc4884, bool with_ext)
{
	memset(b, 0, 28);
	b[0] = 0x45;
	b[8] = 64;
	b[9] = 1;
	memcpy(b + 12, router, 4);
	memcpy(b + 16, scanner4, 4);
	b[20] = type;
	size_t n = 28;
	memcpy(b + n, q, qlen);
	n += qlen;
	if (rfc4884) {
		size_t padded = with_ext ? 128 : (qlen + 3) / 4 * 4;
		while (n < 28 + padded)
			b[n++] = 0;
		b[25] = (uint8_t)(padded / 4);
		if (with_ext) {
			memcpy(b + n, ext, sizeof ext);
			n += sizeof ext;
		}
	}
	put16(b + 2, (uint16_t)n);
	return n;
}

static size_t icmp6_err(uint8_t *b, uint8_t type, const uint8_t router[16], const uint8_t *q, size_t qlen)
{
	memset(b, 0, 48);
	b[0] = 0x60;
	b[6] = 58;
	b[7] = 64;
	memcpy(b + 8, router, 16);
	memcpy(b + 24, scanner6, 16);
	b[40] = type;
	memcpy(b + 48, q, qlen);
	put16(b + 4, (uint16_t)(8 + qlen));
	return 48 + qlen;
}

struct fixture {
	struct trace *t;
	struct packet pkt;
	uint64_t frame;
	char err[256];
};

static void feed(struct fixture *f, const uint8_t *b, size_t n)
{
	memset(&f->pkt, 0xc3, sizeof f->pkt);
	dissect_packet(DLT_RAW_IP, b, (uint32_t)n, &f->pkt);
	f->pkt.frame = ++f->frame;
	f->pkt.ts_sec = 1000;
	f->pkt.ts_nsec = (uint32_t)f->frame * 1000;
	cr_assert_eq(f->pkt.skip, SKIP_NONE, "frame %llu: %s", (unsigned long long)f->frame,
	             skip_reason_name(f->pkt.skip));
	cr_assert_eq(trace_add(f->t, "unit", &f->pkt, f->err, sizeof f->err), 0, "%s", f->err);
}

static void start(struct fixture *f)
{
	memset(f, 0, sizeof *f);
	f->t = trace_new(f->err, sizeof f->err);
	cr_assert_not_null(f->t);
}

static void finish(struct fixture *f)
{
	cr_assert_eq(trace_finish(f->t, f->err, sizeof f->err), 0, "%s", f->err);
}

/* Sends the standard v4 probe with TTL ttl; returns its length, bytes in b. */
static size_t probe4(struct fixture *f, uint8_t *b, uint8_t ttl)
{
	size_t n = ip4_tcp(b, scanner4, target4, ttl, SPORT, DPORT, SEQ, 0, TCP_FLAG_SYN, probe_opts,
	                   sizeof probe_opts);
	feed(f, b, n);
	return n;
}

/* The router's quote: the probe as it arrived (TTL 1), optionally edited by the caller. */
static size_t as_arrived(uint8_t *q, const uint8_t *probe, size_t n)
{
	memcpy(q, probe, n);
	q[8] = 1;
	return n;
}

static const struct trace_hop *only_hop(struct fixture *f)
{
	cr_assert_eq(trace_hop_count(f->t), 1);
	return trace_hop_at(f->t, 0);
}

static bool has(uint32_t changes, enum trace_change c)
{
	return (changes & (1u << c)) != 0;
}

Test(trace, rfc792_partial_quote)
{
	struct fixture f;
	uint8_t p[128], q[128], b[256];
	start(&f);
	size_t n = probe4(&f, p, 1);
	as_arrived(q, p, n);
	feed(&f, b, icmp4_err(b, 11, router4a, q, 28, false, false)); /* IP header + 8 TCP bytes */
	finish(&f);
	const struct trace_hop *h = only_hop(&f);
	cr_expect_eq(h->quote_kind, QUOTE_PARTIAL);
	cr_expect_eq(h->tcp_bytes, 8);
	cr_expect_eq(h->mpc, TMPC_UNKNOWN, "%s", trace_mpc_status_name(h->mpc));
	cr_expect_eq(h->changes, 0u);
	cr_expect_not(h->header_complete);
	cr_expect_not(h->checksum_compared);
	cr_expect_eq(h->match, MATCH_EXACT);
	cr_expect_eq(h->hop, 1);
	cr_expect_arr_eq(h->router, router4a, 4);
	const struct trace_dest *d = trace_dest_at(f.t, 0);
	cr_expect_eq(d->hops_answered, 1);
	cr_expect_eq(d->hops_full, 0);
	cr_expect_eq(d->last_mpc, TMPC_UNKNOWN);
	cr_expect_eq(d->cls, TCLASS_UNREACHABLE, "%s", trace_class_name(d->cls));
	trace_free(f.t);
}

Test(trace, full_linux_quote_intact_then_own_key)
{
	struct fixture f;
	uint8_t p[128], q[128], b[256];
	/* the server's v0 SYN-ACK: its own random key */
	static const uint8_t synack_opts[12] = { 0x1e, 0x0c, 0x00, 0x81, 0x9f, 0x3a,
		                                 0x51, 0xe2, 0x07, 0xc4, 0x6b, 0xd8 };
	start(&f);
	size_t n = probe4(&f, p, 1);
	feed(&f, b, icmp4_err(b, 11, router4a, q, as_arrived(q, p, n), false, false));
	n = probe4(&f, p, 2);
	feed(&f, b, icmp4_err(b, 11, router4b, q, as_arrived(q, p, n), false, false));
	n = probe4(&f, p, 3);
	feed(&f, b,
	     ip4_tcp(b, target4, scanner4, 62, DPORT, SPORT, 777, SEQ + 1, TCP_FLAG_SYN | TCP_FLAG_ACK,
	             synack_opts, sizeof synack_opts));
	finish(&f);
	cr_assert_eq(trace_hop_count(f.t), 2);
	for (size_t i = 0; i < 2; i++) {
		const struct trace_hop *h = trace_hop_at(f.t, i);
		cr_expect_eq(h->hop, i + 1,
		             "tracebox probes share ports and sequence: each quote goes to its TTL");
		cr_expect_eq(h->quote_kind, QUOTE_FULL);
		cr_expect(h->header_complete);
		cr_expect_eq(h->mpc, TMPC_PRESENT, "%s", trace_mpc_status_name(h->mpc));
		cr_expect_eq(h->changes, 0u);
		cr_expect(h->checksum_compared);
		cr_expect_not(h->checksum_changed);
	}
	cr_expect_arr_eq(trace_hop_at(f.t, 1)->router, router4b, 4);
	const struct trace_dest *d = trace_dest_find(f.t, 4, target4, DPORT);
	cr_assert_not_null(d);
	cr_expect_eq(d->probes, 3);
	cr_expect_eq(d->hops_answered, 2);
	cr_expect_eq(d->hops_full, 2);
	cr_expect_eq(d->last_hop, 2);
	cr_expect_eq(d->last_mpc, TMPC_PRESENT);
	cr_expect_eq(d->changed_hop, 0);
	cr_expect_eq(d->answer, TANS_SYNACK_MPC);
	cr_expect_eq(d->answer_verdict, VERDICT_MPTCP);
	cr_expect(d->answer_has_key && d->probe_has_key);
	cr_expect_eq(d->answer_key, 0x9f3a51e207c46bd8ULL);
	cr_expect_eq(d->probe_key, KEY);
	cr_expect_eq(d->cls, TCLASS_TRUE_MPTCP, "%s", trace_class_name(d->cls));
	cr_expect_eq(trace_final_class(d, false), TCLASS_TRUE_MPTCP);
	cr_expect_eq(trace_final_class(d, true), TCLASS_MIDDLEBOX);
	cr_expect_eq(trace_final_class(NULL, false), TCLASS_UNTRACED);
	trace_free(f.t);
}

Test(trace, option_replaced_by_nops)
{
	struct fixture f;
	uint8_t p[128], q[128], b[256];
	start(&f);
	size_t n = probe4(&f, p, 1);
	feed(&f, b, icmp4_err(b, 11, router4a, q, as_arrived(q, p, n), false, false));
	n = probe4(&f, p, 2);
	as_arrived(q, p, n);
	memset(q + 40 + MPC_OFF, TCP_OPT_NOP, 12); /* Linux TCPOPTSTRIP */
	put16(q + 36, 0x1111);                     /* and it fixes the checksum */
	feed(&f, b, icmp4_err(b, 11, router4b, q, n, false, false));
	/* the server, which never saw the option, answers plainly */
	feed(&f, b,
	     ip4_tcp(b, target4, scanner4, 62, DPORT, SPORT, 777, SEQ + 1, TCP_FLAG_SYN | TCP_FLAG_ACK, NULL,
	             0));
	finish(&f);
	cr_assert_eq(trace_hop_count(f.t), 2);
	const struct trace_hop *h = trace_hop_at(f.t, 1);
	cr_expect_eq(h->mpc, TMPC_NOPS, "%s", trace_mpc_status_name(h->mpc));
	cr_expect_eq(h->changes, 1u << TCH_MPC_NOPS);
	cr_expect(h->checksum_changed);
	const struct trace_dest *d = trace_dest_at(f.t, 0);
	cr_expect_eq(d->changed_hop, 2);
	cr_expect_arr_eq(d->changed_router, router4b, 4);
	cr_expect_eq(d->change, TMPC_NOPS);
	cr_expect_eq(d->intact_hop, 1);
	cr_expect_arr_eq(d->intact_router, router4a, 4);
	cr_expect_eq(d->answer, TANS_SYNACK);
	cr_expect_eq(d->cls, TCLASS_MIDDLEBOX, "%s", trace_class_name(d->cls));
	trace_free(f.t);
}

Test(trace, option_removed)
{
	struct fixture f;
	uint8_t p[128], q[128], b[256];
	start(&f);
	size_t n = probe4(&f, p, 1);
	(void)n;
	/* the quote: MSS, NOP, WS only; data offset and total length shrunk by 12 */
	size_t qn = ip4_tcp(q, scanner4, target4, 1, SPORT, DPORT, SEQ, 0, TCP_FLAG_SYN, probe_opts, MPC_OFF);
	feed(&f, b, icmp4_err(b, 11, router4a, q, qn, false, false));
	finish(&f);
	const struct trace_hop *h = only_hop(&f);
	cr_expect_eq(h->mpc, TMPC_REMOVED, "%s", trace_mpc_status_name(h->mpc));
	cr_expect(has(h->changes, TCH_MPC_REMOVED));
	cr_expect(has(h->changes, TCH_TCP_HLEN));
	cr_expect(has(h->changes, TCH_IP_LENGTH));
	cr_expect_not(has(h->changes, TCH_MSS));
	cr_expect_not(has(h->changes, TCH_OPTION_REMOVED));
	char buf[256];
	trace_changes_format(h->changes, h, buf, sizeof buf);
	cr_expect_str_eq(buf, "ip-length;tcp-header-length;mpc-removed");
	cr_expect_eq(trace_dest_at(f.t, 0)->cls, TCLASS_MIDDLEBOX);
	trace_free(f.t);
}

Test(trace, key_changed)
{
	struct fixture f;
	uint8_t p[128], q[128], b[256];
	start(&f);
	size_t n = probe4(&f, p, 1);
	as_arrived(q, p, n);
	q[40 + MPC_OFF + 10] = 0xf3; /* two key bytes */
	q[40 + MPC_OFF + 11] = 0xf3;
	feed(&f, b, icmp4_err(b, 11, router4a, q, n, false, false));
	finish(&f);
	const struct trace_hop *h = only_hop(&f);
	cr_expect_eq(h->mpc, TMPC_KEY_CHANGED, "%s", trace_mpc_status_name(h->mpc));
	cr_expect_eq(h->changes, 1u << TCH_MPC_KEY);
	const struct trace_dest *d = trace_dest_at(f.t, 0);
	cr_expect_eq(d->change, TMPC_KEY_CHANGED);
	cr_expect_eq(d->changed_hop, 1);
	cr_expect_eq(d->intact_hop, 0);
	cr_expect_eq(d->cls, TCLASS_MIDDLEBOX);
	trace_free(f.t);
}

Test(trace, other_option_changes)
{
	struct fixture f;
	uint8_t p[128], q[128], b[256];
	/* MSS clamped to 1400, window scale replaced by SACK-permitted, window changed */
	static const uint8_t qopts[20] = { 0x02, 0x04, 0x05, 0x78, 0x01, 0x01, 0x04, 0x02, 0x1e, 0x0c,
		                           0x00, 0x81, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c };
	start(&f);
	probe4(&f, p, 1);
	size_t qn = ip4_tcp(q, scanner4, target4, 1, SPORT, DPORT, SEQ, 0, TCP_FLAG_SYN, qopts, sizeof qopts);
	put16(q + 34, 1024);
	feed(&f, b, icmp4_err(b, 11, router4a, q, qn, false, false));
	finish(&f);
	const struct trace_hop *h = only_hop(&f);
	cr_expect_eq(h->mpc, TMPC_PRESENT);
	char buf[256];
	trace_changes_format(h->changes, h, buf, sizeof buf);
	cr_expect_str_eq(buf, "window;mss;option-added:sack-permitted;option-removed:wscale");
	cr_expect_eq(trace_dest_at(f.t, 0)->cls, TCLASS_UNREACHABLE, "the option survived; nobody answered");
	trace_free(f.t);
}

Test(trace, rfc4884_quote_with_extension)
{
	struct fixture f;
	uint8_t p[128], q[128], b[256];
	start(&f);
	size_t n = probe4(&f, p, 1);
	feed(&f, b, icmp4_err(b, 11, router4a, q, as_arrived(q, p, n), true, true));
	finish(&f);
	const struct trace_hop *h = only_hop(&f);
	cr_expect_eq(h->quote_kind, QUOTE_RFC4884, "%s", trace_quote_kind_name(h->quote_kind));
	cr_expect_eq(h->rfc4884_len, 128);
	cr_expect(h->extensions);
	cr_expect(h->header_complete);
	cr_expect_eq(h->mpc, TMPC_PRESENT, "%s", trace_mpc_status_name(h->mpc));
	cr_expect_eq(h->changes, 0u, "the padding after the datagram is not the probe's");
	trace_free(f.t);
}

Test(trace, ipv6_quote)
{
	struct fixture f;
	uint8_t p[128], q[128], b[256];
	start(&f);
	size_t n = ip6_tcp(p, scanner6, target6, 2, SPORT, DPORT, SEQ, 0, TCP_FLAG_SYN, probe_opts,
	                   sizeof probe_opts);
	feed(&f, p, n);
	memcpy(q, p, n);
	q[7] = 1;     /* hop limit left */
	q[1] |= 0x10; /* traffic class: ECN bits set on the way (0x00 -> 0x01) */
	feed(&f, b, icmp6_err(b, 3, router6, q, n));
	finish(&f);
	const struct trace_hop *h = only_hop(&f);
	cr_expect_eq(h->family, 6);
	cr_expect_eq(h->hop, 2);
	cr_expect_eq(h->quoted_ttl, 1);
	cr_expect_arr_eq(h->router, router6, 16);
	cr_expect_eq(h->icmp_kind, ICMP_KIND_TIME_EXCEEDED);
	cr_expect_eq(h->quote_kind, QUOTE_FULL);
	cr_expect_eq(h->mpc, TMPC_PRESENT, "%s", trace_mpc_status_name(h->mpc));
	cr_expect_eq(h->changes, 1u << TCH_ECN);
	const struct trace_dest *d = trace_dest_find(f.t, 6, target6, DPORT);
	cr_assert_not_null(d);
	cr_expect_eq(d->other_changes, 1u << TCH_ECN);
	trace_free(f.t);
}

Test(trace, nat_rewrote_the_source)
{
	struct fixture f;
	uint8_t p[128], q[128], b[256];
	static const uint8_t natted[4] = { 100, 64, 0, 7 };
	start(&f);
	size_t n = probe4(&f, p, 2);
	(void)n;
	size_t qn =
	    ip4_tcp(q, natted, target4, 1, 61000, DPORT, SEQ, 0, TCP_FLAG_SYN, probe_opts, sizeof probe_opts);
	feed(&f, b, icmp4_err(b, 11, router4b, q, qn, false, false));
	finish(&f);
	const struct trace_hop *h = only_hop(&f);
	cr_expect_eq(h->match, MATCH_NAT, "%s", trace_match_name(h->match));
	cr_expect_eq(h->changes, (1u << TCH_IP_SRC) | (1u << TCH_SPORT));
	cr_expect_eq(h->mpc, TMPC_PRESENT);
	cr_expect_eq(h->hop, 2);
	cr_expect(trace_dest_at(f.t, 0)->nat);
	trace_free(f.t);
}

Test(trace, unrelated_quote_not_matched)
{
	struct fixture f;
	uint8_t p[128], q[128], b[256];
	start(&f);
	probe4(&f, p, 1);
	size_t qn = ip4_tcp(q, scanner4, target4, 1, SPORT, DPORT, SEQ + 99, 0, TCP_FLAG_ACK, NULL, 0);
	feed(&f, b, icmp4_err(b, 11, router4a, q, qn, false, false));
	finish(&f);
	cr_expect_eq(trace_hop_count(f.t), 0, "an ACK of the same connection is not the probe");
	cr_expect_eq(trace_get_stats(f.t)->icmp_errors, 1);
	cr_expect_eq(trace_get_stats(f.t)->icmp_matched, 0);
	trace_free(f.t);
}

Test(trace, replayed_key_answer_is_middlebox)
{
	struct fixture f;
	uint8_t p[128], q[128], b[256];
	start(&f);
	size_t n = probe4(&f, p, 1);
	feed(&f, b, icmp4_err(b, 11, router4a, q, as_arrived(q, p, n), false, false));
	probe4(&f, p, 64);
	feed(&f, b,
	     ip4_tcp(b, target4, scanner4, 62, DPORT, SPORT, 777, SEQ + 1, TCP_FLAG_SYN | TCP_FLAG_ACK,
	             probe_opts + MPC_OFF, 12));
	finish(&f);
	const struct trace_dest *d = trace_dest_at(f.t, 0);
	cr_expect_eq(d->answer, TANS_SYNACK_MPC);
	cr_expect_eq(d->answer_verdict, VERDICT_REPLAY, "%s", verdict_name(d->answer_verdict));
	cr_expect_eq(d->answer_key, KEY);
	cr_expect_eq(d->cls, TCLASS_MIDDLEBOX);
	trace_free(f.t);
}

Test(trace, replies_before_probes_are_matched_at_the_end)
{
	struct fixture f;
	uint8_t p[128], q[128], b[256], pb[128];
	start(&f);
	/* build the probe without feeding it, feed the quote and the answer first */
	size_t n = ip4_tcp(pb, scanner4, target4, 1, SPORT, DPORT, SEQ, 0, TCP_FLAG_SYN, probe_opts,
	                   sizeof probe_opts);
	feed(&f, b, icmp4_err(b, 11, router4a, q, as_arrived(q, pb, n), false, false));
	feed(&f, b,
	     ip4_tcp(b, target4, scanner4, 62, DPORT, SPORT, 777, SEQ + 1, TCP_FLAG_RST | TCP_FLAG_ACK, NULL,
	             0));
	memcpy(p, pb, n);
	feed(&f, p, n);
	finish(&f);
	cr_expect_eq(trace_hop_count(f.t), 1);
	const struct trace_dest *d = trace_dest_at(f.t, 0);
	cr_expect_eq(d->answer, TANS_RST);
	cr_expect_eq(d->cls, TCLASS_NO_MPTCP, "%s", trace_class_name(d->cls));
	trace_free(f.t);
}
