/* icmp.c — ICMP and ICMPv6 error messages and their quotes.
 *
 * Specifications: RFC 792 (ICMP: types 3 destination unreachable, 4 source
 * quench, 5 redirect, 11 time exceeded, 12 parameter problem; the quote is the
 * IP header plus 64 bits of the datagram), RFC 1812 §4.3.2.3 (routers may
 * quote as much as fits in 576 bytes), RFC 4443 (ICMPv6 errors 1 destination
 * unreachable, 2 packet too big, 3 time exceeded, 4 parameter problem; quote
 * as much as fits in the minimum MTU), RFC 4884 (the length of the quoted
 * "original datagram" at byte 5 in 32-bit words for ICMP 3, 11, 12 and at
 * byte 4 in 64-bit words for ICMPv6 1 and 3; an extension structure with
 * version 2 may follow it).
 */
#include "analyzer/dissect/icmp.h"

#include <string.h>

#include "analyzer/dissect/ip.h"
#include "analyzer/dissect/tcp.h"

#define ICMP_EXT_VERSION 2
#define ICMP_EXT_HEADER_LEN 4

struct icmp_type_desc {
	enum icmp_kind kind;
	bool is_error;
	int rfc4884_off;       /* byte holding the RFC 4884 length, or -1 */
	unsigned rfc4884_unit; /* bytes per unit of that length */
};

static struct icmp_type_desc describe(int family, uint8_t type)
{
	struct icmp_type_desc d = { ICMP_KIND_OTHER, false, -1, 0 };
	if (family == 4) {
		switch (type) {
		case 3:
			d = (struct icmp_type_desc){ ICMP_KIND_UNREACHABLE, true, 5, 4 };
			break;
		case 4:
			d = (struct icmp_type_desc){ ICMP_KIND_SOURCE_QUENCH, true, -1, 0 };
			break;
		case 5:
			d = (struct icmp_type_desc){ ICMP_KIND_REDIRECT, true, -1, 0 };
			break;
		case 11:
			d = (struct icmp_type_desc){ ICMP_KIND_TIME_EXCEEDED, true, 5, 4 };
			break;
		case 12:
			d = (struct icmp_type_desc){ ICMP_KIND_PARAM_PROBLEM, true, 5, 4 };
			break;
		default:
			break;
		}
	} else {
		switch (type) {
		case 1:
			d = (struct icmp_type_desc){ ICMP_KIND_UNREACHABLE, true, 4, 8 };
			break;
		case 2:
			d = (struct icmp_type_desc){ ICMP_KIND_PACKET_TOO_BIG, true, -1, 0 };
			break;
		case 3:
			d = (struct icmp_type_desc){ ICMP_KIND_TIME_EXCEEDED, true, 4, 8 };
			break;
		case 4:
			d = (struct icmp_type_desc){ ICMP_KIND_PARAM_PROBLEM, true, -1, 0 };
			break;
		default:
			break;
		}
	}
	return d;
}

int icmp_parse(struct byte_view msg, int family, struct icmp_info *out)
{
	struct icmp_type_desc d;
	struct byte_view quote, l4;
	uint8_t len_units = 0, ext_ver = 0;
	int st;

	out->present = false;
	out->type = out->code = 0;
	out->kind = ICMP_KIND_OTHER;
	out->is_error = false;
	out->has_quote = false;
	memset(&out->quoted_ip, 0, sizeof out->quoted_ip);
	out->quoted_tcp.present = false;
	out->quote_len = 0;
	out->quoted_l4_len = 0;
	out->rfc4884_len = 0;
	out->has_extensions = false;

	if (!bv_u8(&msg, 0, &out->type) || !bv_u8(&msg, 1, &out->code))
		return ICMP_TRUNCATED;
	out->present = true;
	d = describe(family, out->type);
	out->kind = d.kind;
	out->is_error = d.is_error;
	if (!bv_has(&msg, 0, ICMP_HEADER_LEN))
		return ICMP_TRUNCATED;
	if (!d.is_error)
		return ICMP_OK;

	quote = bv_tail(&msg, ICMP_HEADER_LEN);
	if (d.rfc4884_off >= 0) {
		(void)bv_u8(&msg, (size_t)d.rfc4884_off, &len_units);
		out->rfc4884_len = (uint16_t)(len_units * d.rfc4884_unit);
	}
	if (out->rfc4884_len != 0 && out->rfc4884_len < quote.len) {
		struct byte_view ext = bv_tail(&quote, out->rfc4884_len);
		out->has_extensions = ext.len >= ICMP_EXT_HEADER_LEN && bv_u8(&ext, 0, &ext_ver) &&
		                      ext_ver >> 4 == ICMP_EXT_VERSION;
		quote.len = out->rfc4884_len;
	}
	out->quote_len = quote.len > UINT16_MAX ? UINT16_MAX : (uint16_t)quote.len;

	st = ip_parse_quote(quote, family, &out->quoted_ip, &l4);
	if (st == IP_TRUNCATED || st == IP_MALFORMED) {
		out->quoted_ip.family = 0;
		return ICMP_QUOTE_UNPARSED;
	}
	out->has_quote = true;
	if (st != IP_OK)
		return ICMP_OK; /* quoted non-first fragment or unfinished IPv6 chain: no L4 */
	out->quoted_l4_len = (uint16_t)l4.len;
	if (out->quoted_ip.proto == IP_PROTO_TCP)
		(void)tcp_parse(l4, &out->quoted_tcp);
	return ICMP_OK;
}
