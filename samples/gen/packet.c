/*
 * packet.c — builds mpcap-gen's packets (see packet.h): Ethernet II, IPv4 (RFC 791, header
 * checksum RFC 1071), IPv6 (RFC 8200, upper-layer checksum over the pseudo-header of §8.1), TCP
 * (RFC 9293) with MSS, SACK-permitted (RFC 2018), timestamps and window scale (RFC 7323), ICMP
 * (RFC 792; longer quotes as RFC 1812 §4.3.2.3 allows) and ICMPv6 (RFC 4443), ICMP extensions
 * (RFC 4884) with an MPLS label stack object (RFC 4950), MP_CAPABLE (RFC 6824 §3.1, RFC 8684
 * §3.1).
 */
#include "samples/gen/packet.h"

#include <string.h>

#include "samples/gen/bytes.h"

static const uint8_t scanner_mac[6] = { 0x02, 0x42, 0xac, 0x1f, 0x00, 0x0a };
static const uint8_t gateway_mac[6] = { 0x02, 0x42, 0xac, 0x1f, 0x00, 0x01 };

static size_t ip_header(uint8_t *p, int fam, const uint8_t *src, const uint8_t *dst, uint8_t proto,
                        const struct ipf *ip, size_t payload)
{
	if (fam == 4) {
		p[0] = 0x45;
		p[1] = ip->tos;
		put16(p + 2, (uint16_t)(20 + payload));
		put16(p + 4, ip->id);
		put16(p + 6, ip->df ? 0x4000 : 0);
		p[8] = ip->ttl;
		p[9] = proto;
		put16(p + 10, 0);
		memcpy(p + 12, src, 4);
		memcpy(p + 16, dst, 4);
		put16(p + 10, csum_fold(csum_add(0, p, 20)));
		return 20;
	}
	put32(p, 0x60000000u | ((uint32_t)ip->tos << 20) | (ip->flow & 0xfffff));
	put16(p + 4, (uint16_t)payload);
	p[6] = proto;
	p[7] = ip->ttl;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	return 40;
}

/* Upper-layer checksum with the IPv4 or IPv6 pseudo-header. */
static uint16_t l4_checksum(int fam, const uint8_t *iph, const uint8_t *l4, size_t len, uint8_t proto)
{
	uint32_t s = 0;
	uint8_t ph[8];
	if (fam == 4) {
		s = csum_add(s, iph + 12, 8);
		ph[0] = 0;
		ph[1] = proto;
		put16(ph + 2, (uint16_t)len);
		s = csum_add(s, ph, 4);
	} else {
		s = csum_add(s, iph + 8, 32);
		put32(ph, (uint32_t)len);
		ph[4] = ph[5] = ph[6] = 0;
		ph[7] = proto;
		s = csum_add(s, ph, 8);
	}
	s = csum_add(s, l4, len);
	return csum_fold(s);
}

static size_t tcp_segment(uint8_t *p, const struct tcpf *t)
{
	size_t hl = 20 + t->optlen;
	put16(p, t->sport);
	put16(p + 2, t->dport);
	put32(p + 4, t->seq);
	put32(p + 8, t->ack);
	p[12] = (uint8_t)((hl / 4) << 4);
	p[13] = t->flags;
	put16(p + 14, t->win);
	put16(p + 16, 0);
	put16(p + 18, 0);
	if (t->optlen)
		memcpy(p + 20, t->opt, t->optlen);
	return hl;
}

/* An IP packet carrying a TCP segment, checksums filled; with an Ethernet header when eth is
 * set (outgoing: from the scanner to its gateway). Returns the length. */
size_t tcp_packet(uint8_t *buf, int eth, int fam, const uint8_t *src, const uint8_t *dst,
                  const struct ipf *ip, const struct tcpf *t)
{
	size_t off = 0;
	if (eth) {
		memcpy(buf, eth > 0 ? gateway_mac : scanner_mac, 6);
		memcpy(buf + 6, eth > 0 ? scanner_mac : gateway_mac, 6);
		put16(buf + 12, fam == 4 ? 0x0800 : 0x86dd);
		off = 14;
	}
	uint8_t *iph = buf + off;
	size_t ihl = fam == 4 ? 20 : 40;
	size_t tl = tcp_segment(iph + ihl, t);
	ip_header(iph, fam, src, dst, 6, ip, tl);
	put16(iph + ihl + 16, l4_checksum(fam, iph, iph + ihl, tl, 6));
	return off + ihl + tl;
}

/* An ICMP or ICMPv6 error (type, code) from router to scanner quoting quote[0..qlen).
 * rfc4884: the quote is padded to 128 bytes, its length given in the header, and an MPLS label
 * stack extension object (RFC 4950) follows. */
size_t icmp_error(uint8_t *buf, bool eth, int fam, const uint8_t *router, const uint8_t *scanner,
                  const struct ipf *ip, uint8_t type, uint8_t code, const uint8_t *quote, size_t qlen,
                  bool rfc4884, uint32_t mpls_label)
{
	size_t off = 0;
	if (eth) {
		memcpy(buf, scanner_mac, 6);
		memcpy(buf + 6, gateway_mac, 6);
		put16(buf + 12, fam == 4 ? 0x0800 : 0x86dd);
		off = 14;
	}
	uint8_t *iph = buf + off;
	size_t ihl = fam == 4 ? 20 : 40;
	uint8_t *ic = iph + ihl;
	ic[0] = type;
	ic[1] = code;
	put16(ic + 2, 0);
	put32(ic + 4, 0);
	memcpy(ic + 8, quote, qlen);
	size_t ilen = 8 + qlen;
	if (rfc4884 && fam == 4) {
		size_t padded = qlen < 128 ? 128 : (qlen + 3) & ~(size_t)3;
		memset(ic + 8 + qlen, 0, padded - qlen);
		ic[5] = (uint8_t)(padded / 4);
		uint8_t *ext = ic + 8 + padded;
		ext[0] = 0x20; /* version 2 */
		ext[1] = 0;
		put16(ext + 2, 0);
		put16(ext + 4, 8);                              /* object length */
		ext[6] = 1;                                     /* class: MPLS label stack */
		ext[7] = 1;                                     /* c-type: incoming stack */
		put32(ext + 8, (mpls_label << 12) | 0x100 | 1); /* TC 0, bottom of stack, TTL 1 */
		put16(ext + 2, csum_fold(csum_add(0, ext, 12)));
		ilen = 8 + padded + 12;
	}
	ip_header(iph, fam, router, scanner, fam == 4 ? 1 : 58, ip, ilen);
	if (fam == 4)
		put16(ic + 2, csum_fold(csum_add(0, ic, ilen)));
	else
		put16(ic + 2, l4_checksum(6, iph, ic, ilen, 58));
	return off + ihl + ilen;
}

/* MP_CAPABLE option bytes: kind 30, length, subtype 0 | version, flags, key (when length 12). */
size_t mpc_option(uint8_t *o, int len, int version, uint8_t flags, uint64_t key)
{
	o[0] = 30;
	o[1] = (uint8_t)len;
	o[2] = (uint8_t)(version & 0x0f);
	o[3] = flags;
	if (len >= 12)
		put64(o + 4, key);
	return (size_t)len;
}

/* The scan probe's options, a static block as ZMap's tcp_synopt module sends it: MSS 1460,
 * SACK permitted, timestamps, NOP, window scale 7, MP_CAPABLE v0 with the probe key (32 bytes). */
size_t scan_probe_options(uint8_t *o, uint64_t key)
{
	static const uint8_t head[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10 };
	memcpy(o, head, sizeof(head));
	put32(o + 8, PROBE_TSVAL);
	put32(o + 12, PROBE_TSECR);
	o[16] = 1;
	o[17] = 3;
	o[18] = 3;
	o[19] = 7;
	mpc_option(o + 20, 12, 0, PROBE_FLAGS, key);
	return 32;
}
