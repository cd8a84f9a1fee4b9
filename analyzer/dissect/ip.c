/* ip.c — IPv4 and IPv6 network headers.
 *
 * Specifications: RFC 791 (IPv4: version, IHL, total length, flags and
 * fragment offset), RFC 8200 (IPv6 and its extension headers: hop-by-hop 0,
 * routing 43, fragment 44, destination options 60, no next header 59),
 * RFC 4302 (AH 51, length in 4-byte units minus 2), RFC 6275 (mobility 135),
 * RFC 7401 (HIP 139), RFC 5533 (shim6 140) — all but AH use the RFC 6564
 * uniform format (length in 8-byte units, not counting the first 8).
 * Quoted headers in ICMP errors: RFC 792, RFC 1812 §4.3.2.3, RFC 4443 §2.4.
 */
#include "analyzer/dissect/ip.h"

#include <string.h>

#define IPV4_MIN_HEADER 20
#define IPV6_HEADER 40
#define IP6_FRAG_HEADER 8

static int parse_v4(struct byte_view pkt, bool quote, struct ip_info *info, struct byte_view *payload)
{
	uint8_t vihl, flags_hi;
	uint16_t frag = 0;
	size_t hl, end;

	if (!bv_u8(&pkt, 0, &vihl))
		return IP_TRUNCATED;
	if (vihl >> 4 != 4)
		return IP_MALFORMED;
	hl = (size_t)(vihl & 0x0f) * 4;
	if (hl < IPV4_MIN_HEADER)
		return IP_MALFORMED;
	if (!bv_has(&pkt, 0, IPV4_MIN_HEADER))
		return IP_TRUNCATED;

	info->family = 4;
	(void)bv_u8(&pkt, 1, &info->tos);
	(void)bv_u16(&pkt, 2, &info->total_len);
	(void)bv_u16(&pkt, 4, &info->ip_id);
	(void)bv_u16(&pkt, 6, &frag);
	(void)bv_u8(&pkt, 8, &info->ttl);
	(void)bv_u8(&pkt, 9, &info->proto);
	(void)bv_copy(&pkt, 12, info->src, 4);
	(void)bv_copy(&pkt, 16, info->dst, 4);
	flags_hi = (uint8_t)(frag >> 8);
	info->df = (flags_hi & 0x40) != 0;
	info->more_frags = (flags_hi & 0x20) != 0;
	info->frag_offset = frag & 0x1fff;
	info->header_len = (uint16_t)hl;

	/* A total length of 0 is what TSO leaves in captures: use the capture. */
	end = pkt.len;
	if (info->total_len != 0) {
		if (info->total_len < hl) {
			if (!quote)
				return IP_MALFORMED;
		} else if (info->total_len < end) {
			end = info->total_len; /* link-layer padding */
		}
	}
	if (!bv_has(&pkt, 0, hl))
		return IP_TRUNCATED;
	if (info->frag_offset != 0)
		return IP_FRAGMENT;
	(void)bv_sub(&pkt, hl, end - hl, payload);
	return IP_OK;
}

static bool is_ext_header(uint8_t nh)
{
	switch (nh) {
	case IP_PROTO_HOPOPTS:
	case IP_PROTO_ROUTING:
	case IP_PROTO_FRAGMENT:
	case IP_PROTO_DSTOPTS:
	case IP_PROTO_AH:
	case IP_PROTO_MOBILITY:
	case IP_PROTO_HIP:
	case IP_PROTO_SHIM6:
		return true;
	default:
		return false;
	}
}

static int parse_v6(struct byte_view pkt, struct ip_info *info, struct byte_view *payload)
{
	uint8_t b0, nh = 0;
	uint32_t w0 = 0;
	uint16_t plen = 0;
	size_t off, total;

	if (!bv_u8(&pkt, 0, &b0))
		return IP_TRUNCATED;
	if (b0 >> 4 != 6)
		return IP_MALFORMED;
	if (!bv_has(&pkt, 0, IPV6_HEADER))
		return IP_TRUNCATED;

	info->family = 6;
	(void)bv_u32(&pkt, 0, &w0);
	info->tos = (uint8_t)(w0 >> 20);
	info->flow_label = w0 & 0xfffff;
	(void)bv_u16(&pkt, 4, &plen);
	(void)bv_u8(&pkt, 6, &nh);
	(void)bv_u8(&pkt, 7, &info->ttl);
	(void)bv_copy(&pkt, 8, info->src, 16);
	(void)bv_copy(&pkt, 24, info->dst, 16);
	total = IPV6_HEADER + (size_t)plen;
	info->total_len = total > UINT16_MAX ? UINT16_MAX : (uint16_t)total;
	info->proto = nh;
	info->header_len = IPV6_HEADER;

	/* Payload length 0 (jumbogram, TSO) does not trim. */
	if (plen != 0 && total < pkt.len)
		pkt.len = total;

	off = IPV6_HEADER;
	for (int n = 0; is_ext_header(nh); n++) {
		uint8_t next, len8;
		size_t ext_len;

		if (n >= IP6_MAX_EXT_HEADERS)
			return IP_EXT_CHAIN;
		if (!bv_u8(&pkt, off, &next) || !bv_u8(&pkt, off + 1, &len8))
			return IP_EXT_CHAIN;
		if (nh == IP_PROTO_FRAGMENT)
			ext_len = IP6_FRAG_HEADER;
		else if (nh == IP_PROTO_AH)
			ext_len = ((size_t)len8 + 2) * 4;
		else
			ext_len = ((size_t)len8 + 1) * 8;
		if (!bv_has(&pkt, off, ext_len))
			return IP_EXT_CHAIN;
		if (nh == IP_PROTO_FRAGMENT) {
			uint16_t fo = 0;
			(void)bv_u16(&pkt, off + 2, &fo);
			info->frag_offset = fo >> 3;
			info->more_frags = (fo & 1) != 0;
		}
		off += ext_len;
		nh = next;
		info->proto = nh;
		info->header_len = (uint16_t)off;
		if (info->frag_offset != 0)
			return IP_FRAGMENT;
	}
	if (nh == IP_PROTO_NONE)
		return IP_NO_NEXT_HEADER;
	*payload = bv_tail(&pkt, off);
	return IP_OK;
}

static int parse(struct byte_view pkt, int family, bool quote, struct ip_info *info,
                 struct byte_view *payload)
{
	uint8_t b0;

	memset(info, 0, sizeof *info);
	payload->data = pkt.data;
	payload->len = 0;
	if (!bv_u8(&pkt, 0, &b0))
		return IP_TRUNCATED;
	if (family == 0)
		family = b0 >> 4;
	if (family == 4)
		return parse_v4(pkt, quote, info, payload);
	if (family == 6)
		return parse_v6(pkt, info, payload);
	return IP_MALFORMED;
}

int ip_parse(struct byte_view pkt, int family, struct ip_info *info, struct byte_view *payload)
{
	return parse(pkt, family, false, info, payload);
}

int ip_parse_quote(struct byte_view quote, int family, struct ip_info *info, struct byte_view *payload)
{
	return parse(quote, family, true, info, payload);
}
