/* test_bpf_filter.c — pcap-filter(7) expressions on records of several link
 * types (bpf_filter.h): Ethernet (DLT_EN10MB) and raw IP (DLT_RAW) frames
 * built by hand (RFC 791 IPv4, RFC 9293 TCP, RFC 8200 IPv6). */
#include <criterion/criterion.h>
#include <pcap/pcap.h>
#include <string.h>

#include "analyzer/ingest/bpf_filter.h"

/* IPv4 + TCP (20 + 20 bytes) from 192.0.2.1:40000 to 198.51.100.7:dport. */
static size_t ipv4_tcp(uint8_t *p, uint16_t dport)
{
	static const uint8_t ip[20] = { 0x45, 0, 0,   40, 0x12, 0x34, 0x40, 0,  64,  6,
		                        0,    0, 192, 0,  2,    1,    198,  51, 100, 7 };
	memcpy(p, ip, 20);
	uint8_t *t = p + 20;
	memset(t, 0, 20);
	t[0] = 40000 >> 8;
	t[1] = 40000 & 0xff;
	t[2] = (uint8_t)(dport >> 8);
	t[3] = (uint8_t)dport;
	t[12] = 5 << 4;
	t[13] = 0x02; /* SYN */
	return 40;
}

/* IPv6 + TCP from 2001:db8::1 to 2001:db8::2:dport. */
static size_t ipv6_tcp(uint8_t *p, uint16_t dport)
{
	memset(p, 0, 60);
	p[0] = 0x60;
	p[5] = 20; /* payload length */
	p[6] = 6;  /* next header: TCP */
	p[7] = 64;
	p[8] = 0x20, p[9] = 0x01, p[10] = 0x0d, p[11] = 0xb8, p[23] = 1;
	p[24] = 0x20, p[25] = 0x01, p[26] = 0x0d, p[27] = 0xb8, p[39] = 2;
	uint8_t *t = p + 40;
	t[0] = 40000 >> 8;
	t[1] = 40000 & 0xff;
	t[2] = (uint8_t)(dport >> 8);
	t[3] = (uint8_t)dport;
	t[12] = 5 << 4;
	t[13] = 0x02;
	return 60;
}

static size_t ether(uint8_t *p, uint16_t ethertype)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	memcpy(p, macs, 12);
	p[12] = (uint8_t)(ethertype >> 8);
	p[13] = (uint8_t)ethertype;
	return 14;
}

static int match(struct bpf_filter *f, int dlt, const uint8_t *p, size_t len)
{
	char err[512] = "";
	int m = bpf_filter_match(f, dlt, p, (uint32_t)len, (uint32_t)len, err, sizeof err);
	cr_assert_neq(m, -1, "%s", err);
	return m;
}

Test(capture_bpf, tcp_port_80_on_ethernet_and_raw)
{
	char err[512];
	struct bpf_filter *f = bpf_filter_new("tcp port 80", err, sizeof err);
	cr_assert_not_null(f, "%s", err);
	cr_assert_str_eq(bpf_filter_expr(f), "tcp port 80");
	uint8_t pkt[128];
	size_t n;

	n = ether(pkt, 0x0800);
	n += ipv4_tcp(pkt + n, 80);
	cr_assert_eq(match(f, DLT_EN10MB, pkt, n), 1);
	n = ether(pkt, 0x0800);
	n += ipv4_tcp(pkt + n, 443);
	cr_assert_eq(match(f, DLT_EN10MB, pkt, n), 0);
	n = ether(pkt, 0x86dd);
	n += ipv6_tcp(pkt + n, 80);
	cr_assert_eq(match(f, DLT_EN10MB, pkt, n), 1);

	n = ipv4_tcp(pkt, 80);
	cr_assert_eq(match(f, DLT_RAW, pkt, n), 1);
	n = ipv4_tcp(pkt, 8080);
	cr_assert_eq(match(f, DLT_RAW, pkt, n), 0);
	n = ipv6_tcp(pkt, 80);
	cr_assert_eq(match(f, DLT_RAW, pkt, n), 1);
	n = ipv6_tcp(pkt, 22);
	cr_assert_eq(match(f, DLT_RAW, pkt, n), 0);

	/* Back and forth between cached programs. */
	n = ether(pkt, 0x0800);
	n += ipv4_tcp(pkt + n, 80);
	cr_assert_eq(match(f, DLT_EN10MB, pkt, n), 1);
	cr_assert_eq(match(f, DLT_RAW, pkt + 14, n - 14), 1);
	/* The same bytes read as the other link type do not match. */
	cr_assert_eq(match(f, DLT_RAW, pkt, n), 0);
	/* A truncated capture (caplen 20) cannot reach the port: no match, no crash. */
	char e2[256];
	cr_assert_eq(bpf_filter_match(f, DLT_EN10MB, pkt, 20, (uint32_t)n, e2, sizeof e2), 0);
	bpf_filter_free(f);
}

Test(capture_bpf, bad_expression)
{
	char err[512] = "";
	cr_assert_null(bpf_filter_new("tcp prot 80", err, sizeof err));
	cr_assert_neq(err[0], 0);
	cr_assert_null(bpf_filter_new("host 999.1.1.1", err, sizeof err));
	cr_assert_neq(err[0], 0);
}

Test(capture_bpf, expression_not_valid_for_link_type)
{
	char err[512] = "";
	struct bpf_filter *f = bpf_filter_new("ether host 02:00:00:00:00:01", err, sizeof err);
	cr_assert_not_null(f, "%s", err);
	uint8_t pkt[128];
	size_t n = ipv4_tcp(pkt, 80);
	cr_assert_eq(bpf_filter_match(f, DLT_RAW, pkt, (uint32_t)n, (uint32_t)n, err, sizeof err), -1);
	cr_assert_not_null(strstr(err, "RAW"), "%s", err);
	cr_assert_not_null(strstr(err, "ether host"), "%s", err);
	/* Cached failure: same answer again. */
	char err2[512] = "";
	cr_assert_eq(bpf_filter_match(f, DLT_RAW, pkt, (uint32_t)n, (uint32_t)n, err2, sizeof err2), -1);
	cr_assert_str_eq(err, err2);
	n = ether(pkt, 0x0800);
	n += ipv4_tcp(pkt + n, 80);
	cr_assert_eq(bpf_filter_match(f, DLT_EN10MB, pkt, (uint32_t)n, (uint32_t)n, err, sizeof err), 1);
	bpf_filter_free(f);
}

Test(capture_bpf, many_link_types)
{
	char err[512] = "";
	struct bpf_filter *f = bpf_filter_new("ip", err, sizeof err);
	cr_assert_not_null(f);
	static const int dlts[] = { DLT_NULL, DLT_EN10MB, DLT_RAW, DLT_LINUX_SLL, DLT_LOOP,
		                    DLT_IPV4, DLT_IPV6,   DLT_PPP, DLT_LINUX_SLL2 };
	uint8_t pkt[64] = { 0 };
	for (size_t i = 0; i < sizeof dlts / sizeof dlts[0]; i++) {
		int m = bpf_filter_match(f, dlts[i], pkt, sizeof pkt, sizeof pkt, err, sizeof err);
		cr_assert(m == 0 || m == 1 || m == -1);
	}
	bpf_filter_free(f);
}
