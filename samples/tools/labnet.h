/*
 * labnet.h: small helpers shared by the namespace-lab tools (mpc-probe, mpc-mirror, mptcp-listen).
 *
 * Endpoint parsing ("ADDR:PORT", "[V6ADDR]:PORT"), big-endian stores and the Internet checksum
 * (RFC 1071) over the TCP pseudo-headers of RFC 9293 section 3.1 (IPv4) and RFC 8200 section 8.1 (IPv6).
 * Header-only (static inline) so that each tool stays a single .c file for the Makefile's
 * samples/tools/NAME.c -> build/samples/NAME rule. Lab tools only: the analyzer has its own
 * bounds-checked readers and does not use this file.
 */
#ifndef MPCAP_SAMPLES_LABNET_H
#define MPCAP_SAMPLES_LABNET_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define LAB_TCP_OPT_MPTCP 30

struct lab_endpoint {
	int family; /* AF_INET or AF_INET6 */
	struct in_addr a4;
	struct in6_addr a6;
	uint16_t port;
	char text[INET6_ADDRSTRLEN + 8]; /* canonical "ADDR:PORT" / "[ADDR]:PORT" */
};

/* Parses "ADDR:PORT" (IPv4) or "[ADDR]:PORT" (IPv6). Returns 0, or -1 with a message in err. */
static inline int lab_parse_endpoint(const char *s, struct lab_endpoint *ep, char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon;
	const char *hs = s;
	size_t hl;
	char *end = NULL;
	unsigned long port;

	memset(ep, 0, sizeof(*ep));
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');
		if (rb == NULL || rb[1] != ':') {
			snprintf(err, errlen, "%s: expected [IPV6]:PORT", s);
			return -1;
		}
		hs = s + 1;
		hl = (size_t)(rb - hs);
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL) {
			snprintf(err, errlen, "%s: expected ADDR:PORT", s);
			return -1;
		}
		hl = (size_t)(colon - s);
		if (memchr(s, ':', hl) != NULL) {
			snprintf(err, errlen, "%s: write IPv6 endpoints as [ADDR]:PORT", s);
			return -1;
		}
	}
	if (hl == 0 || hl >= sizeof(host)) {
		snprintf(err, errlen, "%s: bad address", s);
		return -1;
	}
	memcpy(host, hs, hl);
	host[hl] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno != 0 || end == colon + 1 || *end != '\0' || port > 65535) {
		snprintf(err, errlen, "%s: bad port", s);
		return -1;
	}
	ep->port = (uint16_t)port;
	if (s[0] != '[' && inet_pton(AF_INET, host, &ep->a4) == 1) {
		ep->family = AF_INET;
		snprintf(ep->text, sizeof(ep->text), "%s:%lu", host, port);
	} else if (s[0] == '[' && inet_pton(AF_INET6, host, &ep->a6) == 1) {
		char canon[INET6_ADDRSTRLEN];
		ep->family = AF_INET6;
		inet_ntop(AF_INET6, &ep->a6, canon, sizeof(canon));
		snprintf(ep->text, sizeof(ep->text), "[%s]:%lu", canon, port);
	} else {
		snprintf(err, errlen, "%s: not an IPv4 address or a bracketed IPv6 address", s);
		return -1;
	}
	return 0;
}

/* Fills a sockaddr for the endpoint; returns its length. */
static inline socklen_t lab_endpoint_sockaddr(const struct lab_endpoint *ep, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (ep->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(ep->port);
		sin->sin_addr = ep->a4;
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(ep->port);
	sin6->sin6_addr = ep->a6;
	return sizeof(*sin6);
}

static inline void lab_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void lab_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint16_t lab_get16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t lab_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* RFC 1071 one's-complement sum of 16-bit big-endian words; an odd final byte is padded with zero.
 * Only the last block added may have an odd length. */
static inline uint32_t lab_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	while (len > 1) {
		sum += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len == 1)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static inline uint16_t lab_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Checksum of a TCP segment (header with its checksum field zeroed, options, payload). */
static inline uint16_t lab_tcp_csum4(const struct in_addr *src, const struct in_addr *dst, const uint8_t *seg,
                                     size_t len)
{
	uint8_t ph[12];
	memcpy(ph, &src->s_addr, 4);
	memcpy(ph + 4, &dst->s_addr, 4);
	ph[8] = 0;
	ph[9] = IPPROTO_TCP;
	lab_put16(ph + 10, (uint16_t)len);
	return lab_csum_fold(lab_csum_add(lab_csum_add(0, ph, sizeof(ph)), seg, len));
}

static inline uint16_t lab_tcp_csum6(const struct in6_addr *src, const struct in6_addr *dst,
                                     const uint8_t *seg, size_t len)
{
	uint8_t ph[40];
	memcpy(ph, src->s6_addr, 16);
	memcpy(ph + 16, dst->s6_addr, 16);
	lab_put32(ph + 32, (uint32_t)len);
	ph[36] = ph[37] = ph[38] = 0;
	ph[39] = IPPROTO_TCP;
	return lab_csum_fold(lab_csum_add(lab_csum_add(0, ph, sizeof(ph)), seg, len));
}

/* splitmix64: a small seeded generator, so a --seed reproduces ports, sequence numbers and keys. */
static inline uint64_t lab_rand64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#endif
