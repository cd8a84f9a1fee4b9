/* test_link.c — link layers (link.c) and their use by dissect_packet(). */
#include <criterion/criterion.h>
#include <string.h>

#include "analyzer/dissect/dissect.h"
#include "analyzer/dissect/link.h"

/* An IPv4 SYN carrying a v0 MP_CAPABLE (key 0c..0c), 52 bytes. */
static const uint8_t ip4_syn[] = {
	0x45, 0x00, 0x00, 0x34, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00, 0xc0,
	0x00, 0x02, 0x01, 0xcb, 0x00, 0x71, 0x02, 0x30, 0x39, 0x00, 0x50, 0x00, 0x00,
	0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x80, 0x02, 0xff, 0xff, 0x00, 0x00, 0x00,
	0x00, 0x1e, 0x0c, 0x00, 0x81, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c,
};

/* The same SYN over IPv6 (2001:db8::1 -> 2001:db8::2), 72 bytes. */
static const uint8_t ip6_syn[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0,    0,    0,
	0,    0,    0,    0,    0,    0,    0,    0,    0x01, 0x20, 0x01, 0x0d, 0xb8, 0,    0,
	0,    0,    0,    0,    0,    0,    0,    0,    0,    0x02, 0x30, 0x39, 0x00, 0x50, 0x00,
	0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x80, 0x02, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	0x1e, 0x0c, 0x00, 0x81, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c,
};

#define MAC12 0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2

static size_t frame(uint8_t *buf, const uint8_t *hdr, size_t hlen, const uint8_t *ip, size_t iplen)
{
	if (hlen)
		memcpy(buf, hdr, hlen);
	memcpy(buf + hlen, ip, iplen);
	return hlen + iplen;
}

static void expect_link(int dlt, const uint8_t *f, size_t len, int st, size_t off, enum link_net net)
{
	struct link_result r = { 999, 99 };
	int got = link_decode(dlt, bv_make(f, len), &r);
	cr_expect_eq(got, st, "dlt %d: status %d, want %d", dlt, got, st);
	if (st == LINK_OK && got == LINK_OK) {
		cr_expect_eq(r.offset, off, "dlt %d: offset %zu, want %zu", dlt, r.offset, off);
		cr_expect_eq(r.net, net, "dlt %d: net %d, want %d", dlt, r.net, net);
	}
}

/* Dissects hdr + the IPv4 (or IPv6) SYN and checks it reached the MP_CAPABLE. */
static void expect_syn_through(int dlt, const uint8_t *hdr, size_t hlen, bool v6)
{
	uint8_t buf[256];
	struct packet pkt;
	size_t n = v6 ? frame(buf, hdr, hlen, ip6_syn, sizeof ip6_syn)
	              : frame(buf, hdr, hlen, ip4_syn, sizeof ip4_syn);
	memset(&pkt, 0x5a, sizeof pkt);
	dissect_packet(dlt, buf, (uint32_t)n, &pkt);
	cr_assert_eq(pkt.skip, SKIP_NONE, "dlt %d: skip %s", dlt, skip_reason_name(pkt.skip));
	cr_expect_eq(pkt.linktype, dlt);
	cr_expect_eq(pkt.notes, 0);
	cr_expect_eq(pkt.ip.family, v6 ? 6 : 4);
	cr_expect(pkt.tcp.present && pkt.tcp.full_header);
	cr_expect_not(pkt.icmp.present);
	cr_expect_eq(pkt.tcp.sport, 12345);
	cr_expect_eq(pkt.tcp.dport, 80);
	cr_assert_eq(pkt.tcp.n_mpc, 1);
	cr_expect_eq(pkt.tcp.mpc[0].sender_key, UINT64_C(0x0c0c0c0c0c0c0c0c));
}

Test(link, ethernet)
{
	static const uint8_t v4[] = { MAC12, 0x08, 0x00, 0x45 };
	static const uint8_t v6[] = { MAC12, 0x86, 0xdd, 0x60 };
	static const uint8_t arp[] = { MAC12, 0x08, 0x06, 0x00 };
	static const uint8_t llc[] = { MAC12, 0x00, 0x26, 0x42, 0x42, 0x03 }; /* 802.3 length + STP */
	static const uint8_t pppoed[] = { MAC12, 0x88, 0x63, 0x11, 0x09 };
	expect_link(1, v4, sizeof v4, LINK_OK, 14, LINK_NET_IPV4);
	expect_link(1, v6, sizeof v6, LINK_OK, 14, LINK_NET_IPV6);
	expect_link(1, arp, sizeof arp, LINK_OK, 14, LINK_NET_OTHER);
	expect_link(1, llc, sizeof llc, LINK_OK, 14, LINK_NET_OTHER);
	expect_link(1, pppoed, sizeof pppoed, LINK_OK, 14, LINK_NET_OTHER);
	expect_link(1, v4, 13, LINK_TRUNCATED, 0, 0);
	expect_link(1, v4, 0, LINK_TRUNCATED, 0, 0);
	static const uint8_t h4[] = { MAC12, 0x08, 0x00 }, h6[] = { MAC12, 0x86, 0xdd };
	expect_syn_through(1, h4, sizeof h4, false);
	expect_syn_through(1, h6, sizeof h6, true);
}

Test(link, vlan_and_qinq)
{
	static const uint8_t q[] = { MAC12, 0x81, 0x00, 0x00, 0x64, 0x08, 0x00 };
	static const uint8_t qinq[] = { MAC12, 0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00, 0x00, 0x64, 0x86, 0xdd };
	static const uint8_t old[] = { MAC12, 0x91, 0x00, 0x00, 0x0a, 0x81, 0x00, 0x00, 0x64, 0x08, 0x00 };
	static const uint8_t triple[] = { MAC12, 0x88, 0xa8, 0x00, 0x0a, 0x91, 0x00, 0x00,
		                          0x0b,  0x81, 0x00, 0x00, 0x64, 0x08, 0x00 };
	expect_link(1, q, sizeof q, LINK_OK, 18, LINK_NET_IPV4);
	expect_link(1, qinq, sizeof qinq, LINK_OK, 22, LINK_NET_IPV6);
	expect_link(1, old, sizeof old, LINK_OK, 22, LINK_NET_IPV4);
	expect_link(1, triple, sizeof triple, LINK_OK, 26, LINK_NET_IPV4);
	expect_link(1, q, 17, LINK_TRUNCATED, 0, 0); /* tag cut before its type */
	expect_syn_through(1, q, sizeof q, false);
	expect_syn_through(1, qinq, sizeof qinq, true);
	expect_syn_through(1, old, sizeof old, false);

	/* 9 stacked tags then IPv4: more than we follow, so not IP (bounded work) */
	uint8_t deep[14 + 9 * 4 + 1];
	static const uint8_t mac[] = { MAC12 };
	memcpy(deep, mac, 12);
	for (int i = 0; i < 9; i++) {
		deep[12 + i * 4] = 0x81;
		deep[13 + i * 4] = 0x00;
		deep[14 + i * 4] = 0;
		deep[15 + i * 4] = (uint8_t)i;
	}
	deep[12 + 36] = 0x08;
	deep[13 + 36] = 0x00;
	deep[14 + 36] = 0x45;
	expect_link(1, deep, sizeof deep, LINK_OK, 14 + 36, LINK_NET_OTHER);
	/* 8 tags are fine */
	deep[12 + 32] = 0x08;
	deep[13 + 32] = 0x00;
	expect_link(1, deep, sizeof deep, LINK_OK, 14 + 32, LINK_NET_IPV4);
}

Test(link, mpls)
{
	/* label 16, bottom of stack, TTL 64 */
	static const uint8_t one[] = { MAC12, 0x88, 0x47, 0x00, 0x01, 0x01, 0x40, 0x45 };
	/* two labels, then IPv6 */
	static const uint8_t two[] = {
		MAC12, 0x88, 0x47, 0x00, 0x01, 0x00, 0x40, 0x00, 0x02, 0x01, 0x40, 0x60
	};
	static const uint8_t mcast[] = { MAC12, 0x88, 0x48, 0x00, 0x01, 0x01, 0x40, 0x45 };
	/* pseudowire control word (nibble 0): not IP */
	static const uint8_t pw[] = { MAC12, 0x88, 0x47, 0x00, 0x01, 0x01, 0x40, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t vlan_mpls[] = {
		MAC12, 0x81, 0x00, 0x00, 0x05, 0x88, 0x47, 0x00, 0x01, 0x01, 0x40
	};
	expect_link(1, one, sizeof one, LINK_OK, 18, LINK_NET_IPV4);
	expect_link(1, two, sizeof two, LINK_OK, 22, LINK_NET_IPV6);
	expect_link(1, mcast, sizeof mcast, LINK_OK, 18, LINK_NET_IPV4);
	expect_link(1, pw, sizeof pw, LINK_OK, 18, LINK_NET_OTHER);
	expect_link(1, one, 17, LINK_TRUNCATED, 0, 0);
	expect_link(1, one, 18, LINK_TRUNCATED, 0, 0); /* no byte after the stack */
	expect_syn_through(1, one, sizeof one - 1, false);
	expect_syn_through(1, two, sizeof two - 1, true);
	expect_syn_through(1, vlan_mpls, sizeof vlan_mpls, false);
	/* a stack that never ends within 16 labels */
	uint8_t deep[14 + 17 * 4];
	static const uint8_t hdr[] = { MAC12, 0x88, 0x47 };
	memcpy(deep, hdr, 14);
	for (int i = 0; i < 17; i++) {
		deep[14 + i * 4] = 0;
		deep[15 + i * 4] = 0x01;
		deep[16 + i * 4] = 0x00;
		deep[17 + i * 4] = 0x40;
	}
	expect_link(1, deep, sizeof deep, LINK_OK, 14 + 64, LINK_NET_OTHER);
}

Test(link, pppoe)
{
	static const uint8_t v4[] = { MAC12, 0x88, 0x64, 0x11, 0x00, 0x00, 0x01, 0x00, 0x36, 0x00, 0x21 };
	static const uint8_t v6[] = { MAC12, 0x88, 0x64, 0x11, 0x00, 0x00, 0x01, 0x00, 0x4a, 0x00, 0x57 };
	static const uint8_t lcp[] = { MAC12, 0x88, 0x64, 0x11, 0x00, 0x00, 0x01, 0x00, 0x10, 0xc0, 0x21 };
	static const uint8_t vlan[] = { MAC12, 0x81, 0x00, 0x00, 0x07, 0x88, 0x64, 0x11,
		                        0x00,  0x00, 0x01, 0x00, 0x36, 0x00, 0x21 };
	expect_link(1, v4, sizeof v4, LINK_OK, 22, LINK_NET_IPV4);
	expect_link(1, v6, sizeof v6, LINK_OK, 22, LINK_NET_IPV6);
	expect_link(1, lcp, sizeof lcp, LINK_OK, 22, LINK_NET_OTHER);
	expect_link(1, v4, 21, LINK_TRUNCATED, 0, 0);
	expect_link(1, v4, 19, LINK_TRUNCATED, 0, 0);
	expect_syn_through(1, v4, sizeof v4, false);
	expect_syn_through(1, v6, sizeof v6, true);
	expect_syn_through(1, vlan, sizeof vlan, false);

	struct packet pkt;
	dissect_packet(1, lcp, sizeof lcp, &pkt);
	cr_expect_eq(pkt.skip, SKIP_NOT_IP);
	cr_expect_str_eq(skip_reason_name(pkt.skip), "not-ip");
}

Test(link, raw_ip)
{
	static const uint8_t v4[] = { 0x45 }, v6[] = { 0x60 }, bad[] = { 0x55 };
	static const int raws[] = { 12, 14, 101 };
	for (size_t i = 0; i < 3; i++) {
		expect_link(raws[i], v4, 1, LINK_OK, 0, LINK_NET_IPV4);
		expect_link(raws[i], v6, 1, LINK_OK, 0, LINK_NET_IPV6);
		expect_link(raws[i], bad, 1, LINK_BAD_IP_VERSION, 0, 0);
		expect_link(raws[i], v4, 0, LINK_TRUNCATED, 0, 0);
		expect_syn_through(raws[i], NULL, 0, false);
		expect_syn_through(raws[i], NULL, 0, true);
	}
	struct packet pkt;
	dissect_packet(12, bad, 1, &pkt);
	cr_expect_eq(pkt.skip, SKIP_IP_MALFORMED);
	/* DLT_IPV4 / DLT_IPV6: the link type says which */
	expect_link(228, v4, 1, LINK_OK, 0, LINK_NET_IPV4);
	expect_link(229, v6, 1, LINK_OK, 0, LINK_NET_IPV6);
	expect_syn_through(228, NULL, 0, false);
	expect_syn_through(229, NULL, 0, true);
	/* an IPv6 packet on DLT_IPV4 is malformed, not guessed */
	dissect_packet(228, ip6_syn, sizeof ip6_syn, &pkt);
	cr_expect_eq(pkt.skip, SKIP_IP_MALFORMED);
}

Test(link, linux_sll)
{
	/* packet type 0 (to us), ARPHRD_ETHER, address length 6, address, protocol */
	static const uint8_t v4[] = {
		0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00
	};
	static const uint8_t v6[] = {
		0x00, 0x04, 0x00, 0x01, 0x00, 0x06, 2, 0, 0, 0, 0, 1, 0, 0, 0x86, 0xdd
	};
	static const uint8_t vlan[] = { 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 2,    0,    0,    0,
		                        0,    1,    0,    0,    0x81, 0x00, 0x00, 0x64, 0x08, 0x00 };
	static const uint8_t llc[] = {
		0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 2, 0, 0, 0, 0, 1, 0, 0, 0x00, 0x04
	};
	static const uint8_t netlink[] = { 0x00, 0x04, 0x03, 0x38, 0x00, 0x00, 0,    0,
		                           0,    0,    0,    0,    0,    0,    0x08, 0x00 };
	expect_link(113, v4, sizeof v4, LINK_OK, 16, LINK_NET_IPV4);
	expect_link(113, v6, sizeof v6, LINK_OK, 16, LINK_NET_IPV6);
	expect_link(113, vlan, sizeof vlan, LINK_OK, 20, LINK_NET_IPV4);
	expect_link(113, llc, sizeof llc, LINK_OK, 16, LINK_NET_OTHER);
	expect_link(113, netlink, sizeof netlink, LINK_OK, 16, LINK_NET_OTHER);
	expect_link(113, v4, 15, LINK_TRUNCATED, 0, 0);
	expect_syn_through(113, v4, sizeof v4, false);
	expect_syn_through(113, v6, sizeof v6, true);
}

Test(link, linux_sll2)
{
	/* protocol, reserved, ifindex 2, ARPHRD_ETHER, packet type 4 (outgoing), addr len 6, address */
	static const uint8_t v4[] = { 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01,
		                      0x04, 0x06, 2,    0,    0,    0,    0,    1,    0,    0 };
	static const uint8_t v6[] = { 0x86, 0xdd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01,
		                      0x00, 0x06, 2,    0,    0,    0,    0,    1,    0,    0 };
	static const uint8_t arp[] = { 0x08, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01,
		                       0x00, 0x06, 2,    0,    0,    0,    0,    1,    0,    0 };
	expect_link(276, v4, sizeof v4, LINK_OK, 20, LINK_NET_IPV4);
	expect_link(276, v6, sizeof v6, LINK_OK, 20, LINK_NET_IPV6);
	expect_link(276, arp, sizeof arp, LINK_OK, 20, LINK_NET_OTHER);
	expect_link(276, v4, 19, LINK_TRUNCATED, 0, 0);
	expect_syn_through(276, v4, sizeof v4, false);
	expect_syn_through(276, v6, sizeof v6, true);
}

Test(link, null_both_byte_orders)
{
	static const uint8_t le4[] = { 2, 0, 0, 0 }, be4[] = { 0, 0, 0, 2 };
	static const uint8_t le24[] = { 24, 0, 0, 0 }, be28[] = { 0, 0, 0, 28 }, le30[] = { 30, 0, 0, 0 };
	static const uint8_t be30[] = { 0, 0, 0, 30 }, other[] = { 7, 0, 0, 0 };
	expect_link(0, le4, 4, LINK_OK, 4, LINK_NET_IPV4);
	expect_link(0, be4, 4, LINK_OK, 4, LINK_NET_IPV4);
	expect_link(0, le24, 4, LINK_OK, 4, LINK_NET_IPV6);
	expect_link(0, be28, 4, LINK_OK, 4, LINK_NET_IPV6);
	expect_link(0, le30, 4, LINK_OK, 4, LINK_NET_IPV6);
	expect_link(0, be30, 4, LINK_OK, 4, LINK_NET_IPV6);
	expect_link(0, other, 4, LINK_OK, 4, LINK_NET_OTHER);
	expect_link(0, le4, 3, LINK_TRUNCATED, 0, 0);
	expect_syn_through(0, le4, 4, false);
	expect_syn_through(0, be4, 4, false);
	expect_syn_through(0, le30, 4, true);
	expect_syn_through(0, be28, 4, true);
}

Test(link, loop_network_order)
{
	static const uint8_t be4[] = { 0, 0, 0, 2 }, be24[] = { 0, 0, 0, 24 }, le4[] = { 2, 0, 0, 0 };
	expect_link(108, be4, 4, LINK_OK, 4, LINK_NET_IPV4);
	expect_link(108, be24, 4, LINK_OK, 4, LINK_NET_IPV6);
	expect_link(108, le4, 4, LINK_OK, 4, LINK_NET_OTHER); /* not guessed */
	expect_link(108, be4, 2, LINK_TRUNCATED, 0, 0);
	expect_syn_through(108, be4, 4, false);
	expect_syn_through(108, be24, 4, true);
}

Test(link, ppp)
{
	static const uint8_t hdlc4[] = { 0xff, 0x03, 0x00, 0x21 }, bare6[] = { 0x00, 0x57 };
	static const uint8_t pfc4[] = { 0x21 }, lcp[] = { 0xff, 0x03, 0xc0, 0x21 };
	static const uint8_t cisco4[] = { 0x0f, 0x00, 0x08, 0x00 }, cisco6[] = { 0x8f, 0x00, 0x86, 0xdd };
	expect_link(9, hdlc4, 4, LINK_OK, 4, LINK_NET_IPV4);
	expect_link(9, bare6, 2, LINK_OK, 2, LINK_NET_IPV6);
	expect_link(9, pfc4, 1, LINK_OK, 1, LINK_NET_IPV4);
	expect_link(9, lcp, 4, LINK_OK, 4, LINK_NET_OTHER);
	expect_link(9, hdlc4, 3, LINK_TRUNCATED, 0, 0);
	expect_syn_through(9, hdlc4, 4, false);
	expect_syn_through(9, bare6, 2, true);
	expect_link(50, hdlc4, 4, LINK_OK, 4, LINK_NET_IPV4);
	expect_link(50, cisco4, 4, LINK_OK, 4, LINK_NET_IPV4);
	expect_link(50, cisco6, 4, LINK_OK, 4, LINK_NET_IPV6);
	expect_link(50, hdlc4, 1, LINK_TRUNCATED, 0, 0);
	expect_syn_through(50, hdlc4, 4, false);
	expect_syn_through(50, cisco6, 4, true);

	static const uint8_t pppoe4[] = { 0x11, 0x00, 0x12, 0x34, 0x00, 0x36, 0x00, 0x21 };
	static const uint8_t pppoe6[] = { 0x11, 0x00, 0x12, 0x34, 0x00, 0x4a, 0x00, 0x57 };
	expect_link(51, pppoe4, 8, LINK_OK, 8, LINK_NET_IPV4);
	expect_link(51, pppoe6, 8, LINK_OK, 8, LINK_NET_IPV6);
	expect_link(51, pppoe4, 5, LINK_TRUNCATED, 0, 0);
	expect_syn_through(51, pppoe4, 8, false);
	expect_syn_through(51, pppoe6, 8, true);
}

Test(link, unsupported)
{
	static const int dlts[] = { -1, 105, 127, 147, 192, 1000 };
	struct packet pkt;
	for (size_t i = 0; i < sizeof dlts / sizeof dlts[0]; i++) {
		cr_expect_not(link_supported(dlts[i]), "dlt %d", dlts[i]);
		expect_link(dlts[i], ip4_syn, sizeof ip4_syn, LINK_UNSUPPORTED, 0, 0);
		dissect_packet(dlts[i], ip4_syn, sizeof ip4_syn, &pkt);
		cr_expect_eq(pkt.skip, SKIP_LINKTYPE_UNSUPPORTED);
		cr_expect_eq(pkt.ip.family, 0);
		cr_expect_not(pkt.tcp.present);
	}
	cr_expect_str_eq(skip_reason_name(SKIP_LINKTYPE_UNSUPPORTED), "linktype-unsupported");
	static const int ok[] = { 0, 1, 9, 12, 14, 50, 51, 101, 108, 113, 228, 229, 276 };
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		cr_expect(link_supported(ok[i]), "dlt %d", ok[i]);
		cr_expect_not_null(link_name(ok[i]));
	}
	cr_expect_str_eq(link_name(276), "LINUX_SLL2");
	cr_expect_null(link_name(105));
}

Test(link, truncated_link_in_dissect)
{
	struct packet pkt;
	static const uint8_t short_eth[] = { MAC12, 0x08 };
	dissect_packet(1, short_eth, sizeof short_eth, &pkt);
	cr_expect_eq(pkt.skip, SKIP_LINK_TRUNCATED);
	dissect_packet(1, NULL, 0, &pkt);
	cr_expect_eq(pkt.skip, SKIP_LINK_TRUNCATED);
}

Test(link, names_are_stable_and_total)
{
	for (int r = 0; r < SKIP_REASON_COUNT; r++) {
		const char *n = skip_reason_name((enum skip_reason)r);
		cr_assert_neq(strcmp(n, "unknown"), 0, "skip %d has no name", r);
		for (const char *c = n; *c; c++)
			cr_expect((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-', "%s", n);
		for (int o = 0; o < r; o++)
			cr_expect_str_neq(n, skip_reason_name((enum skip_reason)o));
	}
	for (int r = 0; r < NOTE_COUNT; r++)
		cr_assert_neq(strcmp(dissect_note_name((enum dissect_note)r), "unknown"), 0, "note %d", r);
	cr_expect_str_eq(dissect_note_name(NOTE_TCP_OPTIONS_MALFORMED), "tcp-options-malformed");
	cr_expect_str_eq(skip_reason_name(SKIP_REASON_COUNT), "unknown");
	cr_expect_str_eq(dissect_note_name(NOTE_COUNT), "unknown");
}
