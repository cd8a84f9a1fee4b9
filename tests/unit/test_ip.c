/* test_ip.c — IPv4 (RFC 791) and IPv6 (RFC 8200) headers (ip.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "analyzer/dissect/dissect.h"
#include "analyzer/dissect/ip.h"

static const uint8_t tcp20[20] = { 0x30, 0x39, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff };

/* IPv4 192.0.2.1 -> 203.0.113.2, TOS 0x28, id 0xbeef, TTL 57; options are
 * NOPs ending in EOL; then a 20-byte TCP header.  Returns the bytes written. */
static size_t v4(uint8_t *b, uint8_t ihl, uint16_t total, uint16_t frag, uint8_t proto)
{
	size_t hl = (size_t)ihl * 4;
	const uint8_t hdr[20] = { (uint8_t)(0x40 | ihl),
		                  0x28,
		                  (uint8_t)(total >> 8),
		                  (uint8_t)total,
		                  0xbe,
		                  0xef,
		                  (uint8_t)(frag >> 8),
		                  (uint8_t)frag,
		                  57,
		                  proto,
		                  0,
		                  0,
		                  192,
		                  0,
		                  2,
		                  1,
		                  203,
		                  0,
		                  113,
		                  2 };
	memcpy(b, hdr, 20);
	for (size_t i = 20; i < hl; i++)
		b[i] = i + 1 == hl ? 0 : 1;
	memcpy(b + (hl > 20 ? hl : 20), tcp20, 20);
	return (hl > 20 ? hl : 20) + 20;
}

/* IPv6 2001:db8::1 -> 2001:db8::2, traffic class 0xb8, flow 0x12345, hop
 * limit 33, then the extension headers in types[] (AH with 12 bytes, fragment
 * with frag_field, others 8 bytes), then `last` and a 20-byte TCP header. */
static size_t v6(uint8_t *b, const uint8_t *types, int n, uint8_t last, uint16_t frag_field)
{
	static const uint8_t fixed[40] = { 0x6b, 0x81, 0x23, 0x45, 0,    0,    0,    33,   0x20, 0x01,
		                           0x0d, 0xb8, 0,    0,    0,    0,    0,    0,    0,    0,
		                           0,    0,    0,    0x01, 0x20, 0x01, 0x0d, 0xb8, 0,    0,
		                           0,    0,    0,    0,    0,    0,    0,    0,    0,    0x02 };
	size_t off = 40;
	memcpy(b, fixed, 40);
	b[6] = n ? types[0] : last;
	for (int i = 0; i < n; i++) {
		size_t len = types[i] == IP_PROTO_AH ? 12 : 8;
		memset(b + off, 0, len);
		b[off] = i + 1 < n ? types[i + 1] : last;
		b[off + 1] = types[i] == IP_PROTO_AH ? 1 : 0;
		if (types[i] == IP_PROTO_FRAGMENT) {
			b[off + 2] = (uint8_t)(frag_field >> 8);
			b[off + 3] = (uint8_t)frag_field;
			b[off + 7] = 0x2a;
		}
		off += len;
	}
	memcpy(b + off, tcp20, 20);
	off += 20;
	b[4] = (uint8_t)((off - 40) >> 8);
	b[5] = (uint8_t)(off - 40);
	return off;
}

static int parse(const uint8_t *b, size_t n, int family, struct ip_info *ip, struct byte_view *pl)
{
	memset(ip, 0xff, sizeof *ip); /* stale values must be overwritten */
	return ip_parse(bv_make(b, n), family, ip, pl);
}

Test(ip, v4_fields)
{
	uint8_t b[64];
	struct ip_info ip;
	struct byte_view pl;
	size_t n = v4(b, 5, 40, 0x4000, 6);
	static const uint8_t src[16] = { 192, 0, 2, 1 }, dst[16] = { 203, 0, 113, 2 };
	cr_assert_eq(parse(b, n, 0, &ip, &pl), IP_OK);
	cr_expect_eq(ip.family, 4);
	cr_expect_arr_eq(ip.src, src, 16);
	cr_expect_arr_eq(ip.dst, dst, 16);
	cr_expect_eq(ip.ttl, 57);
	cr_expect_eq(ip.proto, 6);
	cr_expect_eq(ip.tos, 0x28);
	cr_expect_eq(ip.ip_id, 0xbeef);
	cr_expect_eq(ip.total_len, 40);
	cr_expect_eq(ip.frag_offset, 0);
	cr_expect(ip.df);
	cr_expect_not(ip.more_frags);
	cr_expect_eq(ip.flow_label, 0);
	cr_expect_eq(ip.header_len, 20);
	cr_expect_eq(pl.data, b + 20);
	cr_expect_eq(pl.len, 20);
	cr_assert_eq(parse(b, n, 4, &ip, &pl), IP_OK);
	cr_expect_eq(parse(b, n, 6, &ip, &pl), IP_MALFORMED, "family contradicts the version");
}

Test(ip, v4_options_skipped)
{
	uint8_t b[128];
	struct ip_info ip;
	struct byte_view pl;
	size_t n = v4(b, 6, 44, 0, 6);
	cr_assert_eq(parse(b, n, 4, &ip, &pl), IP_OK);
	cr_expect_eq(ip.header_len, 24);
	cr_expect_eq(pl.data, b + 24);
	cr_expect_eq(pl.len, 20);
	cr_expect_eq(pl.data[0], 0x30);
	n = v4(b, 15, 80, 0, 6);
	cr_assert_eq(parse(b, n, 4, &ip, &pl), IP_OK);
	cr_expect_eq(ip.header_len, 60);
	cr_expect_eq(pl.len, 20);
	cr_expect_eq(pl.data, b + 60);
}

Test(ip, v4_total_length)
{
	uint8_t b[128];
	struct ip_info ip;
	struct byte_view pl;
	size_t n = v4(b, 5, 30, 0, 6);
	memset(b + n, 0, 20); /* Ethernet padding beyond the total length */
	cr_assert_eq(parse(b, n + 20, 4, &ip, &pl), IP_OK);
	cr_expect_eq(pl.len, 10, "trimmed to the total length");
	n = v4(b, 5, 1500, 0, 6); /* snap length shorter than the datagram: fine */
	cr_assert_eq(parse(b, n, 4, &ip, &pl), IP_OK);
	cr_expect_eq(pl.len, 20);
	n = v4(b, 5, 19, 0, 6);
	cr_expect_eq(parse(b, n, 4, &ip, &pl), IP_MALFORMED, "total length < header");
	n = v4(b, 6, 22, 0, 6);
	cr_expect_eq(parse(b, n, 4, &ip, &pl), IP_MALFORMED, "total length < header with options");
	n = v4(b, 5, 0, 0, 6);
	cr_assert_eq(parse(b, n, 4, &ip, &pl), IP_OK, "total length 0 (TSO) uses the capture");
	cr_expect_eq(pl.len, 20);
	/* a quote tolerates a mangled total length */
	n = v4(b, 5, 5, 0, 6);
	memset(&ip, 0xff, sizeof ip);
	cr_assert_eq(ip_parse_quote(bv_make(b, 28), 4, &ip, &pl), IP_OK);
	cr_expect_eq(pl.len, 8);
	cr_expect_eq(ip.total_len, 5);

	struct packet pkt;
	n = v4(b, 5, 19, 0, 6);
	dissect_packet(12, b, (uint32_t)n, &pkt);
	cr_expect_eq(pkt.skip, SKIP_IP_MALFORMED);
	cr_expect_str_eq(skip_reason_name(pkt.skip), "ip-malformed");
}

Test(ip, v4_bad_header)
{
	uint8_t b[64];
	struct ip_info ip;
	struct byte_view pl;
	size_t n = v4(b, 5, 40, 0, 6);
	b[0] = 0x44;
	cr_expect_eq(parse(b, n, 4, &ip, &pl), IP_MALFORMED, "IHL 4");
	b[0] = 0x40;
	cr_expect_eq(parse(b, n, 4, &ip, &pl), IP_MALFORMED, "IHL 0");
	b[0] = 0x55;
	cr_expect_eq(parse(b, n, 0, &ip, &pl), IP_MALFORMED, "version 5");
	cr_expect_eq(parse(b, n, 4, &ip, &pl), IP_MALFORMED, "version 5 as v4");
	b[0] = 0x45;
	cr_expect_eq(parse(b, 19, 4, &ip, &pl), IP_TRUNCATED);
	cr_expect_eq(parse(b, 0, 4, &ip, &pl), IP_TRUNCATED);
	cr_expect_eq(parse(NULL, 0, 0, &ip, &pl), IP_TRUNCATED);
	n = v4(b, 6, 44, 0, 6);
	cr_expect_eq(parse(b, 22, 4, &ip, &pl), IP_TRUNCATED, "options cut");
	cr_expect_eq(ip_parse_quote(bv_make(b, 22), 4, &ip, &pl), IP_TRUNCATED,
	             "quote needs the options too");
	cr_expect_eq(ip_parse_quote(bv_make(b, 12), 4, &ip, &pl), IP_TRUNCATED);

	struct packet pkt;
	dissect_packet(12, b, 19, &pkt);
	cr_expect_eq(pkt.skip, SKIP_IP_TRUNCATED);
	cr_expect_str_eq(skip_reason_name(pkt.skip), "ip-truncated");
}

Test(ip, v4_fragments)
{
	uint8_t b[64];
	struct ip_info ip;
	struct byte_view pl;
	struct packet pkt;
	size_t n = v4(b, 5, 40, 0x2000, 6); /* first fragment: MF, offset 0 */
	cr_assert_eq(parse(b, n, 4, &ip, &pl), IP_OK);
	cr_expect(ip.more_frags);
	cr_expect_not(ip.df);
	cr_expect_eq(ip.frag_offset, 0);
	dissect_packet(12, b, (uint32_t)n, &pkt);
	cr_expect_eq(pkt.skip, SKIP_NONE);
	cr_expect(pkt.tcp.present);
	cr_expect_eq(pkt.tcp.dport, 443);

	n = v4(b, 5, 40, 0x2000 | 185, 6); /* middle fragment */
	cr_expect_eq(parse(b, n, 4, &ip, &pl), IP_FRAGMENT);
	cr_expect_eq(ip.frag_offset, 185);
	cr_expect(ip.more_frags);
	cr_expect_eq(ip.family, 4);
	n = v4(b, 5, 40, 10, 6); /* last fragment */
	cr_expect_eq(parse(b, n, 4, &ip, &pl), IP_FRAGMENT);
	cr_expect_not(ip.more_frags);
	memset(&pkt, 0x77, sizeof pkt);
	dissect_packet(12, b, (uint32_t)n, &pkt);
	cr_expect_eq(pkt.skip, SKIP_IP_FRAGMENT);
	cr_expect_not(pkt.tcp.present);
	cr_expect_eq(pkt.ip.frag_offset, 10);
	cr_expect_str_eq(skip_reason_name(pkt.skip), "ip-fragment");
}

Test(ip, v6_fields)
{
	uint8_t b[128];
	struct ip_info ip;
	struct byte_view pl;
	size_t n = v6(b, NULL, 0, 6, 0);
	static const uint8_t src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
	                     dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	cr_assert_eq(parse(b, n, 6, &ip, &pl), IP_OK);
	cr_expect_eq(ip.family, 6);
	cr_expect_eq(ip.tos, 0xb8);
	cr_expect_eq(ip.flow_label, 0x12345);
	cr_expect_eq(ip.ttl, 33);
	cr_expect_eq(ip.proto, 6);
	cr_expect_eq(ip.total_len, 60);
	cr_expect_eq(ip.header_len, 40);
	cr_expect_eq(ip.ip_id, 0);
	cr_expect_eq(ip.frag_offset, 0);
	cr_expect_not(ip.df || ip.more_frags);
	cr_expect_arr_eq(ip.src, src, 16);
	cr_expect_arr_eq(ip.dst, dst, 16);
	cr_expect_eq(pl.data, b + 40);
	cr_expect_eq(pl.len, 20);
	memset(b + n, 0, 30); /* padding after the payload length */
	cr_assert_eq(parse(b, n + 30, 0, &ip, &pl), IP_OK);
	cr_expect_eq(pl.len, 20);
	b[4] = b[5] = 0; /* payload length 0: use the capture */
	cr_assert_eq(parse(b, n, 0, &ip, &pl), IP_OK);
	cr_expect_eq(pl.len, 20);
	cr_expect_eq(parse(b, 39, 6, &ip, &pl), IP_TRUNCATED);
	cr_expect_eq(parse(b, n, 4, &ip, &pl), IP_MALFORMED);
}

Test(ip, v6_each_extension_header)
{
	static const uint8_t each[] = { IP_PROTO_HOPOPTS,  IP_PROTO_ROUTING, IP_PROTO_DSTOPTS,
		                        IP_PROTO_MOBILITY, IP_PROTO_HIP,     IP_PROTO_SHIM6,
		                        IP_PROTO_AH,       IP_PROTO_FRAGMENT };
	uint8_t b[256];
	struct ip_info ip;
	struct byte_view pl;
	struct packet pkt;
	for (size_t i = 0; i < sizeof each; i++) {
		size_t n = v6(b, &each[i], 1, 6, 0x0001); /* fragment: offset 0, M set */
		size_t want = each[i] == IP_PROTO_AH ? 52 : 48;
		cr_assert_eq(parse(b, n, 6, &ip, &pl), IP_OK, "ext %u", each[i]);
		cr_expect_eq(ip.proto, 6, "ext %u", each[i]);
		cr_expect_eq(ip.header_len, want, "ext %u: %u", each[i], ip.header_len);
		cr_expect_eq(pl.data, b + want);
		cr_expect_eq(pl.len, 20);
		dissect_packet(229, b, (uint32_t)n, &pkt);
		cr_expect_eq(pkt.skip, SKIP_NONE, "ext %u", each[i]);
		cr_expect_eq(pkt.tcp.dport, 443);
	}
	size_t n = v6(b, (const uint8_t[]){ IP_PROTO_FRAGMENT }, 1, 6, 0x0001);
	cr_assert_eq(parse(b, n, 6, &ip, &pl), IP_OK);
	cr_expect(ip.more_frags, "first fragment");
	/* an AH with a 24-byte ICV: length field 4 -> (4 + 2) * 4 = 24 bytes */
	n = v6(b, (const uint8_t[]){ IP_PROTO_AH }, 1, 6, 0);
	memmove(b + 40 + 24, b + 40 + 12, 20);
	b[41] = 4;
	b[5] = 44;
	cr_assert_eq(parse(b, n + 12, 6, &ip, &pl), IP_OK);
	cr_expect_eq(ip.header_len, 64);
	cr_expect_eq(pl.data[0], 0x30);
	/* hop-by-hop with length 1 (16 bytes) */
	n = v6(b, (const uint8_t[]){ IP_PROTO_HOPOPTS }, 1, 6, 0);
	memmove(b + 56, b + 48, 20);
	b[41] = 1;
	b[5] = 36;
	cr_assert_eq(parse(b, n + 8, 6, &ip, &pl), IP_OK);
	cr_expect_eq(ip.header_len, 56);
}

Test(ip, v6_chain_limits)
{
	static const uint8_t eight[] = { 0, 60, 43, 44, 51, 135, 139, 60 };
	static const uint8_t nine[] = { 0, 60, 43, 44, 51, 135, 139, 140, 60 };
	uint8_t b[256];
	struct ip_info ip;
	struct byte_view pl;
	struct packet pkt;
	size_t n = v6(b, eight, 8, 6, 0);
	cr_assert_eq(parse(b, n, 6, &ip, &pl), IP_OK);
	cr_expect_eq(ip.header_len, 40 + 7 * 8 + 12);
	cr_expect_eq(ip.proto, 6);
	n = v6(b, nine, 9, 6, 0);
	cr_expect_eq(parse(b, n, 6, &ip, &pl), IP_EXT_CHAIN);
	dissect_packet(229, b, (uint32_t)n, &pkt);
	cr_expect_eq(pkt.skip, SKIP_IP6_EXT_CHAIN);
	cr_expect_not(pkt.tcp.present);
	cr_expect_str_eq(skip_reason_name(pkt.skip), "ipv6-ext-chain");
}

Test(ip, v6_truncated_chain)
{
	uint8_t b[256];
	struct ip_info ip;
	struct byte_view pl;
	size_t n = v6(b, (const uint8_t[]){ 0, 60 }, 2, 6, 0);
	cr_expect_eq(parse(b, 40, 6, &ip, &pl), IP_EXT_CHAIN, "no byte of the first header");
	cr_expect_eq(parse(b, 41, 6, &ip, &pl), IP_EXT_CHAIN, "length byte missing");
	cr_expect_eq(parse(b, 52, 6, &ip, &pl), IP_EXT_CHAIN, "second header cut");
	cr_expect_eq(parse(b, 56, 6, &ip, &pl), IP_OK, "chain complete, TCP cut: IP is fine");
	b[41] = 30; /* a 248-byte header in a 76-byte packet */
	cr_expect_eq(parse(b, n, 6, &ip, &pl), IP_EXT_CHAIN);
	b[41] = 0;
	b[4] = 0;
	b[5] = 12; /* payload length ends inside the second header */
	cr_expect_eq(parse(b, n, 6, &ip, &pl), IP_EXT_CHAIN);
	/* quoted: the fixed header is still reported */
	memset(&ip, 0, sizeof ip);
	cr_expect_eq(ip_parse_quote(bv_make(b, 50), 6, &ip, &pl), IP_EXT_CHAIN);
	cr_expect_eq(ip.family, 6);
	cr_expect_eq(ip.ttl, 33);
	cr_expect_eq(ip.dst[15], 2);
}

Test(ip, v6_fragments)
{
	uint8_t b[256];
	struct ip_info ip;
	struct byte_view pl;
	struct packet pkt;
	size_t n = v6(b, (const uint8_t[]){ 0, 44 }, 2, 6, (uint16_t)(100 << 3 | 1));
	cr_expect_eq(parse(b, n, 6, &ip, &pl), IP_FRAGMENT);
	cr_expect_eq(ip.frag_offset, 100);
	cr_expect(ip.more_frags);
	cr_expect_eq(ip.proto, 6);
	cr_expect_eq(ip.header_len, 56);
	dissect_packet(229, b, (uint32_t)n, &pkt);
	cr_expect_eq(pkt.skip, SKIP_IP_FRAGMENT);
	cr_expect_not(pkt.tcp.present);
	n = v6(b, (const uint8_t[]){ 44 }, 1, 6, (uint16_t)(7 << 3)); /* last fragment */
	cr_expect_eq(parse(b, n, 6, &ip, &pl), IP_FRAGMENT);
	cr_expect_not(ip.more_frags);
	n = v6(b, (const uint8_t[]){ 44 }, 1, 6, 0); /* atomic fragment */
	cr_expect_eq(parse(b, n, 6, &ip, &pl), IP_OK);
}

Test(ip, v6_no_next_header_and_other_protocols)
{
	uint8_t b[256];
	struct ip_info ip;
	struct byte_view pl;
	struct packet pkt;
	size_t n = v6(b, NULL, 0, IP_PROTO_NONE, 0);
	cr_expect_eq(parse(b, n, 6, &ip, &pl), IP_NO_NEXT_HEADER);
	cr_expect_eq(ip.proto, 59);
	dissect_packet(229, b, (uint32_t)n, &pkt);
	cr_expect_eq(pkt.skip, SKIP_OTHER_PROTO);
	cr_expect_str_eq(skip_reason_name(pkt.skip), "other-proto");
	n = v6(b, (const uint8_t[]){ 60 }, 1, IP_PROTO_NONE, 0);
	cr_expect_eq(parse(b, n, 6, &ip, &pl), IP_NO_NEXT_HEADER);
	n = v6(b, NULL, 0, IP_PROTO_ESP, 0);
	cr_expect_eq(parse(b, n, 6, &ip, &pl), IP_OK);
	dissect_packet(229, b, (uint32_t)n, &pkt);
	cr_expect_eq(pkt.skip, SKIP_OTHER_PROTO);
	n = v6(b, NULL, 0, IP_PROTO_ICMP, 0); /* ICMPv4 inside IPv6 is not ICMPv6 */
	dissect_packet(229, b, (uint32_t)n, &pkt);
	cr_expect_eq(pkt.skip, SKIP_OTHER_PROTO);
	cr_expect_not(pkt.icmp.present);
	n = v4(b, 5, 40, 0, 17);
	dissect_packet(228, b, (uint32_t)n, &pkt);
	cr_expect_eq(pkt.skip, SKIP_OTHER_PROTO);
	cr_expect_eq(pkt.ip.proto, 17);
}

Test(ip, quote_of_short_datagram)
{
	uint8_t b[64];
	struct ip_info ip;
	struct byte_view pl;
	size_t n = v4(b, 5, 52, 0, 6);
	(void)n;
	cr_assert_eq(ip_parse_quote(bv_make(b, 28), 4, &ip, &pl), IP_OK, "RFC 792: header + 8 bytes");
	cr_expect_eq(pl.len, 8);
	cr_expect_eq(ip.total_len, 52);
	cr_assert_eq(ip_parse_quote(bv_make(b, 20), 4, &ip, &pl), IP_OK, "header only");
	cr_expect_eq(pl.len, 0);
	n = v6(b, NULL, 0, 6, 0);
	cr_assert_eq(ip_parse_quote(bv_make(b, 48), 6, &ip, &pl), IP_OK);
	cr_expect_eq(pl.len, 8);
	cr_expect_eq(ip_parse_quote(bv_make(b, 48), 4, &ip, &pl), IP_MALFORMED);
}
