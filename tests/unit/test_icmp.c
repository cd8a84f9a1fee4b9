/* test_icmp.c — ICMP / ICMPv6 errors and their quotes (icmp.c; RFC 792,
 * RFC 1812, RFC 4443, RFC 4884). */
#include <criterion/criterion.h>
#include <string.h>

#include "analyzer/dissect/dissect.h"
#include "analyzer/dissect/icmp.h"

/* The probe as sent: IPv4 192.0.2.1 -> 203.0.113.2, TTL 1, SYN 12345 -> 80,
 * seq 1, v0 MP_CAPABLE with key 0c..0c.  52 bytes. */
static const uint8_t ip4_syn[] = {
	0x45, 0x00, 0x00, 0x34, 0x00, 0x01, 0x40, 0x00, 0x01, 0x06, 0x00, 0x00, 0xc0,
	0x00, 0x02, 0x01, 0xcb, 0x00, 0x71, 0x02, 0x30, 0x39, 0x00, 0x50, 0x00, 0x00,
	0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x80, 0x02, 0xff, 0xff, 0x00, 0x00, 0x00,
	0x00, 0x1e, 0x0c, 0x00, 0x81, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c,
};

/* The same over IPv6, 2001:db8::1 -> 2001:db8::2, hop limit 1.  72 bytes. */
static const uint8_t ip6_syn[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x06, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0,    0,    0,
	0,    0,    0,    0,    0,    0,    0,    0,    0x01, 0x20, 0x01, 0x0d, 0xb8, 0,    0,
	0,    0,    0,    0,    0,    0,    0,    0,    0,    0x02, 0x30, 0x39, 0x00, 0x50, 0x00,
	0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x80, 0x02, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	0x1e, 0x0c, 0x00, 0x81, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c,
};

/* An echo request quoted by a router: IPv4 proto 1, then 8 bytes of ICMP. */
static const uint8_t ip4_echo[] = { 0x45, 0, 0,   0x54, 0,   2, 0, 0, 1, 1, 0, 0, 192, 0,
	                            2,    1, 203, 0,    113, 2, 8, 0, 0, 0, 0, 7, 0,   1 };

/* An RFC 4884 extension structure: version 2, checksum, one MPLS label stack object. */
static const uint8_t ext[] = { 0x20, 0x00, 0x12, 0x34, 0x00, 0x08, 0x01, 0x01, 0x00, 0x01, 0x01, 0x01 };

/* Outer IPv4 198.51.100.1 -> 192.0.2.1 carrying an ICMP message: type, code,
 * bytes 4..7, quote (padded with zeros to pad_to), then tail.  Returns length. */
static size_t icmp4(uint8_t *b, uint8_t type, uint8_t code, const uint8_t rest[4], const uint8_t *quote,
                    size_t qlen, size_t pad_to, const uint8_t *tail, size_t tlen)
{
	static const uint8_t hdr[20] = { 0x45, 0xc0, 0,   0,  0,   9, 0,   0, 64, 1,
		                         0,    0,    198, 51, 100, 1, 192, 0, 2,  1 };
	size_t n = 28;
	memcpy(b, hdr, 20);
	b[20] = type;
	b[21] = code;
	b[22] = b[23] = 0;
	memcpy(b + 24, rest, 4);
	if (qlen)
		memcpy(b + n, quote, qlen);
	n += qlen;
	while (n < 28 + pad_to)
		b[n++] = 0;
	if (tlen)
		memcpy(b + n, tail, tlen);
	n += tlen;
	b[2] = (uint8_t)(n >> 8);
	b[3] = (uint8_t)n;
	return n;
}

/* Outer IPv6 2001:db8:ff::1 -> 2001:db8::1 carrying an ICMPv6 message. */
static size_t icmp6(uint8_t *b, uint8_t type, uint8_t code, const uint8_t rest[4], const uint8_t *quote,
                    size_t qlen, size_t pad_to, const uint8_t *tail, size_t tlen)
{
	static const uint8_t hdr[40] = { 0x60, 0, 0, 0, 0, 0, 58, 64, 0x20, 0x01, 0x0d, 0xb8, 0,    0xff,
		                         0,    0, 0, 0, 0, 0, 0,  0,  0,    1,    0x20, 0x01, 0x0d, 0xb8,
		                         0,    0, 0, 0, 0, 0, 0,  0,  0,    0,    0,    1 };
	size_t n = 48;
	memcpy(b, hdr, 40);
	b[40] = type;
	b[41] = code;
	b[42] = b[43] = 0;
	memcpy(b + 44, rest, 4);
	if (qlen)
		memcpy(b + n, quote, qlen);
	n += qlen;
	while (n < 48 + pad_to)
		b[n++] = 0;
	if (tlen)
		memcpy(b + n, tail, tlen);
	n += tlen;
	b[4] = (uint8_t)((n - 40) >> 8);
	b[5] = (uint8_t)(n - 40);
	return n;
}

static const uint8_t zero4[4] = { 0 };

static void run(int dlt, const uint8_t *b, size_t n, struct packet *pkt)
{
	memset(pkt, 0xc3, sizeof *pkt);
	dissect_packet(dlt, b, (uint32_t)n, pkt);
}

Test(icmp, rfc792_eight_byte_quote)
{
	uint8_t b[256];
	struct packet pkt;
	size_t n = icmp4(b, 11, 0, zero4, ip4_syn, 28, 0, NULL, 0);
	static const uint8_t src[16] = { 192, 0, 2, 1 }, dst[16] = { 203, 0, 113, 2 };
	run(12, b, n, &pkt);
	cr_assert_eq(pkt.skip, SKIP_NONE, "%s", skip_reason_name(pkt.skip));
	cr_expect_eq(pkt.notes, 0);
	cr_expect_not(pkt.tcp.present);
	cr_assert(pkt.icmp.present);
	cr_expect_eq(pkt.icmp.type, 11);
	cr_expect_eq(pkt.icmp.code, 0);
	cr_expect_eq(pkt.icmp.kind, ICMP_KIND_TIME_EXCEEDED);
	cr_expect(pkt.icmp.is_error);
	cr_assert(pkt.icmp.has_quote);
	cr_expect_eq(pkt.icmp.quoted_ip.family, 4);
	cr_expect_arr_eq(pkt.icmp.quoted_ip.src, src, 16);
	cr_expect_arr_eq(pkt.icmp.quoted_ip.dst, dst, 16);
	cr_expect_eq(pkt.icmp.quoted_ip.ttl, 1);
	cr_expect_eq(pkt.icmp.quoted_ip.proto, 6);
	cr_expect_eq(pkt.icmp.quoted_ip.total_len, 52);
	cr_assert(pkt.icmp.quoted_tcp.present);
	cr_expect_not(pkt.icmp.quoted_tcp.full_header);
	cr_expect_eq(pkt.icmp.quoted_tcp.sport, 12345);
	cr_expect_eq(pkt.icmp.quoted_tcp.dport, 80);
	cr_expect_eq(pkt.icmp.quoted_tcp.seq, 1);
	cr_expect_eq(pkt.icmp.quoted_tcp.n_mpc, 0);
	cr_expect_eq(pkt.icmp.quote_len, 28);
	cr_expect_eq(pkt.icmp.quoted_l4_len, 8);
	cr_expect_eq(pkt.icmp.rfc4884_len, 0);
	cr_expect_not(pkt.icmp.has_extensions);
}

Test(icmp, linux_full_quote_with_mp_capable)
{
	uint8_t b[256];
	struct packet pkt;
	size_t n = icmp4(b, 11, 0, zero4, ip4_syn, sizeof ip4_syn, 0, NULL, 0);
	run(12, b, n, &pkt);
	cr_assert_eq(pkt.skip, SKIP_NONE);
	cr_assert(pkt.icmp.has_quote);
	cr_expect_eq(pkt.icmp.quote_len, 52);
	cr_expect_eq(pkt.icmp.quoted_l4_len, 32);
	const struct tcp_info *t = &pkt.icmp.quoted_tcp;
	cr_assert(t->present && t->full_header);
	cr_expect_eq(t->flags, TCP_FLAG_SYN);
	cr_expect(t->options_complete);
	cr_assert_eq(t->n_mpc, 1);
	cr_expect_eq(t->mpc[0].version, 0);
	cr_expect_eq(t->mpc[0].sender_key, UINT64_C(0x0c0c0c0c0c0c0c0c));
	cr_expect_eq(t->mpc[0].anomalies, 0);
	/* destination unreachable, on Ethernet */
	uint8_t e[300] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00 };
	n = icmp4(b, 3, 1, zero4, ip4_syn, sizeof ip4_syn, 0, NULL, 0);
	memcpy(e + 14, b, n);
	run(1, e, n + 14, &pkt);
	cr_assert_eq(pkt.skip, SKIP_NONE);
	cr_expect_eq(pkt.icmp.kind, ICMP_KIND_UNREACHABLE);
	cr_expect_eq(pkt.icmp.code, 1);
	cr_expect_eq(pkt.icmp.quoted_tcp.n_mpc, 1);
}

Test(icmp, rfc4884_length_and_extensions)
{
	uint8_t b[512];
	struct packet pkt;
	const uint8_t len32[4] = { 0, 32, 0, 0 }; /* 32 words = 128 bytes */
	size_t n = icmp4(b, 11, 0, len32, ip4_syn, sizeof ip4_syn, 128, ext, sizeof ext);
	run(12, b, n, &pkt);
	cr_assert_eq(pkt.skip, SKIP_NONE);
	cr_expect_eq(pkt.icmp.rfc4884_len, 128);
	cr_expect(pkt.icmp.has_extensions);
	cr_expect_eq(pkt.icmp.quote_len, 128);
	cr_expect_eq(pkt.icmp.quoted_l4_len, 32, "the quoted total length trims the padding");
	cr_expect_eq(pkt.icmp.quoted_tcp.n_mpc, 1);
	cr_expect(pkt.icmp.quoted_tcp.options_complete);

	/* parameter problem: pointer at byte 4, length at byte 5 */
	const uint8_t ptr_len[4] = { 20, 32, 0, 0 };
	n = icmp4(b, 12, 0, ptr_len, ip4_syn, sizeof ip4_syn, 128, ext, sizeof ext);
	run(12, b, n, &pkt);
	cr_expect_eq(pkt.icmp.kind, ICMP_KIND_PARAM_PROBLEM);
	cr_expect_eq(pkt.icmp.rfc4884_len, 128);
	cr_expect(pkt.icmp.has_extensions);

	/* a length but nothing after the quote */
	n = icmp4(b, 3, 3, len32, ip4_syn, sizeof ip4_syn, 128, NULL, 0);
	run(12, b, n, &pkt);
	cr_expect_eq(pkt.icmp.rfc4884_len, 128);
	cr_expect_not(pkt.icmp.has_extensions);
	cr_expect_eq(pkt.icmp.quote_len, 128);

	/* not a version-2 extension header */
	uint8_t bad[sizeof ext];
	memcpy(bad, ext, sizeof ext);
	bad[0] = 0x10;
	n = icmp4(b, 11, 0, len32, ip4_syn, sizeof ip4_syn, 128, bad, sizeof bad);
	run(12, b, n, &pkt);
	cr_expect_not(pkt.icmp.has_extensions);
	cr_expect_eq(pkt.icmp.quote_len, 128);

	/* a length longer than what was captured: the quote is what there is */
	n = icmp4(b, 11, 0, len32, ip4_syn, sizeof ip4_syn, 0, NULL, 0);
	run(12, b, n, &pkt);
	cr_expect_eq(pkt.icmp.rfc4884_len, 128);
	cr_expect_eq(pkt.icmp.quote_len, 52);
	cr_expect_not(pkt.icmp.has_extensions);
	cr_expect_eq(pkt.icmp.quoted_tcp.n_mpc, 1);

	/* no RFC 4884 length on source quench / redirect: byte 5 is not a length */
	n = icmp4(b, 5, 1, (const uint8_t[]){ 198, 51, 100, 9 }, ip4_syn, sizeof ip4_syn, 0, NULL, 0);
	run(12, b, n, &pkt);
	cr_expect_eq(pkt.icmp.kind, ICMP_KIND_REDIRECT);
	cr_expect_eq(pkt.icmp.rfc4884_len, 0);
	cr_expect_eq(pkt.icmp.quote_len, 52);
	cr_expect_eq(pkt.icmp.quoted_tcp.n_mpc, 1);
	n = icmp4(b, 4, 0, len32, ip4_syn, 28, 0, NULL, 0);
	run(12, b, n, &pkt);
	cr_expect_eq(pkt.icmp.kind, ICMP_KIND_SOURCE_QUENCH);
	cr_expect(pkt.icmp.is_error && pkt.icmp.has_quote);
	cr_expect_eq(pkt.icmp.rfc4884_len, 0);
}

Test(icmp, icmpv6_time_exceeded)
{
	uint8_t b[512];
	struct packet pkt;
	size_t n = icmp6(b, 3, 0, zero4, ip6_syn, sizeof ip6_syn, 0, NULL, 0);
	run(229, b, n, &pkt);
	cr_assert_eq(pkt.skip, SKIP_NONE, "%s", skip_reason_name(pkt.skip));
	cr_expect_eq(pkt.ip.family, 6);
	cr_expect_eq(pkt.ip.proto, 58);
	cr_expect_eq(pkt.icmp.kind, ICMP_KIND_TIME_EXCEEDED);
	cr_assert(pkt.icmp.has_quote);
	cr_expect_eq(pkt.icmp.quoted_ip.family, 6);
	cr_expect_eq(pkt.icmp.quoted_ip.ttl, 1);
	cr_expect_eq(pkt.icmp.quoted_ip.dst[15], 2);
	cr_expect_eq(pkt.icmp.quote_len, 72);
	cr_expect_eq(pkt.icmp.quoted_l4_len, 32);
	cr_assert_eq(pkt.icmp.quoted_tcp.n_mpc, 1);
	cr_expect_eq(pkt.icmp.quoted_tcp.mpc[0].sender_key, UINT64_C(0x0c0c0c0c0c0c0c0c));
	/* RFC 4884 for ICMPv6: byte 4, in 64-bit words */
	const uint8_t len16[4] = { 16, 0, 0, 0 };
	n = icmp6(b, 3, 0, len16, ip6_syn, sizeof ip6_syn, 128, ext, sizeof ext);
	run(229, b, n, &pkt);
	cr_expect_eq(pkt.icmp.rfc4884_len, 128);
	cr_expect(pkt.icmp.has_extensions);
	cr_expect_eq(pkt.icmp.quote_len, 128);
	cr_expect_eq(pkt.icmp.quoted_tcp.n_mpc, 1);
	n = icmp6(b, 1, 4, len16, ip6_syn, sizeof ip6_syn, 128, ext, sizeof ext);
	run(229, b, n, &pkt);
	cr_expect_eq(pkt.icmp.kind, ICMP_KIND_UNREACHABLE);
	cr_expect(pkt.icmp.has_extensions);
	/* packet too big: bytes 4..7 are the MTU, not a length */
	n = icmp6(b, 2, 0, (const uint8_t[]){ 0, 0, 0x05, 0x00 }, ip6_syn, sizeof ip6_syn, 0, NULL, 0);
	run(229, b, n, &pkt);
	cr_expect_eq(pkt.icmp.kind, ICMP_KIND_PACKET_TOO_BIG);
	cr_expect_eq(pkt.icmp.rfc4884_len, 0);
	cr_expect_eq(pkt.icmp.quoted_tcp.n_mpc, 1);
	n = icmp6(b, 4, 0, (const uint8_t[]){ 0, 0, 0, 6 }, ip6_syn, 48, 0, NULL, 0);
	run(229, b, n, &pkt);
	cr_expect_eq(pkt.icmp.kind, ICMP_KIND_PARAM_PROBLEM);
	cr_expect(pkt.icmp.quoted_tcp.present);
	cr_expect_not(pkt.icmp.quoted_tcp.full_header);
	cr_expect_eq(pkt.icmp.quoted_l4_len, 8);
}

Test(icmp, icmp_quoting_icmp)
{
	uint8_t b[256];
	struct packet pkt;
	size_t n = icmp4(b, 11, 0, zero4, ip4_echo, sizeof ip4_echo, 0, NULL, 0);
	run(12, b, n, &pkt);
	cr_assert_eq(pkt.skip, SKIP_NONE);
	cr_expect_eq(pkt.notes, 0);
	cr_assert(pkt.icmp.has_quote);
	cr_expect_eq(pkt.icmp.quoted_ip.proto, 1);
	cr_expect_not(pkt.icmp.quoted_tcp.present, "quotes are not dissected recursively");
	cr_expect_eq(pkt.icmp.quoted_l4_len, 8);
	/* an ICMP error quoting an ICMP error quoting the probe: one level only */
	uint8_t inner[128];
	size_t m = icmp4(inner, 11, 0, zero4, ip4_syn, sizeof ip4_syn, 0, NULL, 0);
	n = icmp4(b, 3, 1, zero4, inner, m, 0, NULL, 0);
	run(12, b, n, &pkt);
	cr_expect_eq(pkt.icmp.quoted_ip.proto, 1);
	cr_expect_not(pkt.icmp.quoted_tcp.present);
	cr_expect_eq(pkt.icmp.quoted_l4_len, m - 20);
	/* ICMPv6 quoting an echo request */
	static const uint8_t ip6_echo[48] = { 0x60, 0,    0,    0,        0,    8,    58,   1,    0x20,
		                              0x01, 0x0d, 0xb8, [23] = 1, 0x20, 0x01, 0x0d, 0xb8, [39] = 2,
		                              128,  0,    0,    0,        0,    1,    0,    1 };
	n = icmp6(b, 3, 0, zero4, ip6_echo, sizeof ip6_echo, 0, NULL, 0);
	run(229, b, n, &pkt);
	cr_expect(pkt.icmp.has_quote);
	cr_expect_eq(pkt.icmp.quoted_ip.proto, 58);
	cr_expect_not(pkt.icmp.quoted_tcp.present);
}

Test(icmp, truncated_quotes)
{
	uint8_t b[256];
	struct packet pkt;
	/* the quoted IP header itself is cut */
	size_t n = icmp4(b, 11, 0, zero4, ip4_syn, 12, 0, NULL, 0);
	run(12, b, n, &pkt);
	cr_expect_eq(pkt.skip, SKIP_NONE);
	cr_expect_eq(pkt.notes, 1u << NOTE_ICMP_QUOTE_UNPARSED);
	cr_expect_str_eq(dissect_note_name(NOTE_ICMP_QUOTE_UNPARSED), "icmp-quote-unparsed");
	cr_expect(pkt.icmp.present && pkt.icmp.is_error);
	cr_expect_not(pkt.icmp.has_quote);
	cr_expect_eq(pkt.icmp.quoted_ip.family, 0);
	cr_expect_not(pkt.icmp.quoted_tcp.present);
	cr_expect_eq(pkt.icmp.quote_len, 12);
	/* no quote at all */
	n = icmp4(b, 11, 0, zero4, NULL, 0, 0, NULL, 0);
	run(12, b, n, &pkt);
	cr_expect_eq(pkt.notes, 1u << NOTE_ICMP_QUOTE_UNPARSED);
	/* header plus 4 bytes of TCP: ports only, not enough for the RFC 792 minimum */
	n = icmp4(b, 11, 0, zero4, ip4_syn, 24, 0, NULL, 0);
	run(12, b, n, &pkt);
	cr_expect_eq(pkt.notes, 0);
	cr_expect(pkt.icmp.has_quote);
	cr_expect_not(pkt.icmp.quoted_tcp.present);
	cr_expect_eq(pkt.icmp.quoted_l4_len, 4);
	/* the quote cut inside the TCP options by the snap length */
	n = icmp4(b, 11, 0, zero4, ip4_syn, sizeof ip4_syn, 0, NULL, 0);
	run(12, b, n - 6, &pkt);
	cr_expect_eq(pkt.skip, SKIP_NONE);
	cr_expect(pkt.icmp.quoted_tcp.full_header);
	cr_expect_not(pkt.icmp.quoted_tcp.options_complete);
	cr_expect_eq(pkt.icmp.quoted_tcp.n_mpc, 0);
	cr_expect_eq(pkt.icmp.quote_len, 46);
	cr_expect_eq(pkt.notes, 0, "notes are about the packet's own TCP, not the quote");
	/* a quoted non-first fragment: IP parsed, no TCP */
	uint8_t frag[sizeof ip4_syn];
	memcpy(frag, ip4_syn, sizeof frag);
	frag[6] = 0x00;
	frag[7] = 0x10;
	n = icmp4(b, 11, 0, zero4, frag, sizeof frag, 0, NULL, 0);
	run(12, b, n, &pkt);
	cr_expect(pkt.icmp.has_quote);
	cr_expect_eq(pkt.icmp.quoted_ip.frag_offset, 16);
	cr_expect_not(pkt.icmp.quoted_tcp.present);
	/* an IPv6 packet quoted by ICMPv4 is not parsed */
	n = icmp4(b, 11, 0, zero4, ip6_syn, sizeof ip6_syn, 0, NULL, 0);
	run(12, b, n, &pkt);
	cr_expect_not(pkt.icmp.has_quote);
	cr_expect_eq(pkt.notes, 1u << NOTE_ICMP_QUOTE_UNPARSED);
	/* ICMPv6 quote cut inside the fixed IPv6 header */
	n = icmp6(b, 3, 0, zero4, ip6_syn, 30, 0, NULL, 0);
	run(229, b, n, &pkt);
	cr_expect_not(pkt.icmp.has_quote);
	cr_expect_eq(pkt.notes, 1u << NOTE_ICMP_QUOTE_UNPARSED);
}

Test(icmp, truncated_icmp_header)
{
	uint8_t b[256];
	struct packet pkt;
	size_t n = icmp4(b, 11, 0, zero4, ip4_syn, 28, 0, NULL, 0);
	(void)n;
	run(12, b, 26, &pkt); /* 6 bytes of ICMP */
	cr_expect_eq(pkt.skip, SKIP_ICMP_TRUNCATED);
	cr_expect_str_eq(skip_reason_name(pkt.skip), "icmp-truncated");
	cr_expect(pkt.icmp.present);
	cr_expect_eq(pkt.icmp.type, 11);
	cr_expect_not(pkt.icmp.has_quote);
	run(12, b, 21, &pkt);
	cr_expect_eq(pkt.skip, SKIP_ICMP_TRUNCATED);
	cr_expect_not(pkt.icmp.present);
}

Test(icmp, informational_messages)
{
	uint8_t b[256];
	struct packet pkt;
	size_t n = icmp4(b, 8, 0, (const uint8_t[]){ 0, 7, 0, 1 }, ip4_syn, 28, 0, NULL, 0);
	run(12, b, n, &pkt);
	cr_expect_eq(pkt.skip, SKIP_NONE);
	cr_expect_eq(pkt.notes, 0);
	cr_expect_eq(pkt.icmp.type, 8);
	cr_expect_eq(pkt.icmp.kind, ICMP_KIND_OTHER);
	cr_expect_not(pkt.icmp.is_error);
	cr_expect_not(pkt.icmp.has_quote);
	cr_expect_eq(pkt.icmp.quote_len, 0);
	cr_expect_eq(pkt.icmp.quoted_ip.family, 0);
	n = icmp6(b, 128, 0, zero4, NULL, 0, 0, NULL, 0);
	run(229, b, n, &pkt);
	cr_expect_eq(pkt.icmp.kind, ICMP_KIND_OTHER);
	cr_expect_not(pkt.icmp.is_error);
	/* type 3 is time exceeded for ICMPv6 but unreachable for ICMP: family matters */
	struct icmp_info info;
	static const uint8_t msg[8] = { 3, 0 };
	memset(&info, 0xff, sizeof info);
	cr_expect_eq(icmp_parse(bv_make(msg, 8), 4, &info), ICMP_QUOTE_UNPARSED);
	cr_expect_eq(info.kind, ICMP_KIND_UNREACHABLE);
	cr_expect_eq(icmp_parse(bv_make(msg, 8), 6, &info), ICMP_QUOTE_UNPARSED);
	cr_expect_eq(info.kind, ICMP_KIND_TIME_EXCEEDED);
	cr_expect_eq(icmp_parse(bv_make(msg, 1), 6, &info), ICMP_TRUNCATED);
	cr_expect_not(info.present);
}
