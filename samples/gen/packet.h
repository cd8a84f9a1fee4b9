/*
 * packet.h — the bytes of mpcap-gen's packets: IPv4 (RFC 791) and IPv6 (RFC 8200) headers, TCP
 * segments (RFC 9293) with their checksums over the pseudo-header, ICMP (RFC 792) and ICMPv6
 * (RFC 4443) errors quoting the packet that caused them, with RFC 4884 extensions carrying an
 * MPLS label stack object (RFC 4950), and the MP_CAPABLE option (RFC 6824 §3.1 v0, RFC 8684
 * §3.1 v1).
 */
#ifndef MPCAP_SAMPLES_GEN_PACKET_H
#define MPCAP_SAMPLES_GEN_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ipf {
	uint8_t ttl;
	uint16_t id;
	bool df;
	uint8_t tos;
	uint32_t flow;
};

struct tcpf {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	const uint8_t *opt;
	size_t optlen;
};

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

/* An IP packet carrying a TCP segment, checksums filled; with an Ethernet header when eth is
 * set (> 0 towards the scanner, < 0 from it). Returns the length. */
size_t tcp_packet(uint8_t *buf, int eth, int fam, const uint8_t *src, const uint8_t *dst,
                  const struct ipf *ip, const struct tcpf *t);
/* An ICMP or ICMPv6 error (type, code) from router to scanner quoting quote[0..qlen). */
size_t icmp_error(uint8_t *buf, bool eth, int fam, const uint8_t *router, const uint8_t *scanner,
                  const struct ipf *ip, uint8_t type, uint8_t code, const uint8_t *quote, size_t qlen,
                  bool rfc4884, uint32_t mpls_label);
/* MP_CAPABLE option bytes: kind 30, length, subtype 0 | version, flags, key (when length 12). */
size_t mpc_option(uint8_t *o, int len, int version, uint8_t flags, uint64_t key);

#define PROBE_FLAGS 0x81 /* A (checksum) and H (HMAC-SHA1), as ZMap's MPTCP example and tracebox */
#define PROBE_TSVAL 0xffffffffu
#define PROBE_TSECR 0x01010101u

/* The scan probe's options (32 bytes). */
size_t scan_probe_options(uint8_t *o, uint64_t key);

#endif
