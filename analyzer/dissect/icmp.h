/* icmp.h — ICMP (RFC 792) and ICMPv6 (RFC 4443) messages into struct
 * icmp_info, with the packet an error message quotes (RFC 792, RFC 1812,
 * RFC 4443) and RFC 4884 lengths and extensions.
 */
#ifndef MPCAP_ICMP_H
#define MPCAP_ICMP_H

#include "analyzer/base/bytes.h"
#include "analyzer/dissect/packet.h"

#define ICMP_HEADER_LEN 8

enum icmp_status {
	ICMP_OK = 0,         /* header parsed; for errors, the quoted IP header too */
	ICMP_TRUNCATED,      /* fewer than 8 bytes (type and code filled when present) */
	ICMP_QUOTE_UNPARSED, /* an error whose quoted IP header could not be parsed */
};

/* Parses the ICMP message msg (the IP payload as captured); family is 4 for
 * ICMP, 6 for ICMPv6.  Fills *out: type, code, kind, is_error; for errors,
 * the quote (from byte 8, limited to the RFC 4884 length when that is non-zero)
 * goes through ip_parse_quote() into quoted_ip (has_quote) and, when it holds
 * TCP, tcp_parse() into quoted_tcp (possibly only 8 bytes: full_header false).
 * A quoted ICMP is not dissected further (quoted_ip.proto says what it was).
 * quote_len is the captured quote including its IP header, quoted_l4_len the
 * captured bytes after the quoted IP header(s).  Returns enum icmp_status. */
int icmp_parse(struct byte_view msg, int family, struct icmp_info *out);

#endif
