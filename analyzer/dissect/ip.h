/* ip.h — IPv4 (RFC 791) and IPv6 (RFC 8200) headers into struct ip_info.
 *
 * ip_parse() dissects the network header of a captured packet; ip_parse_quote()
 * does the same for the IP header quoted inside an ICMP error (RFC 792,
 * RFC 1812, RFC 4443), where the datagram is normally cut short.
 */
#ifndef MPCAP_IP_H
#define MPCAP_IP_H

#include "analyzer/base/bytes.h"
#include "analyzer/dissect/packet.h"

#define IP_PROTO_HOPOPTS 0
#define IP_PROTO_ICMP 1
#define IP_PROTO_TCP 6
#define IP_PROTO_ROUTING 43
#define IP_PROTO_FRAGMENT 44
#define IP_PROTO_ESP 50
#define IP_PROTO_AH 51
#define IP_PROTO_ICMPV6 58
#define IP_PROTO_NONE 59
#define IP_PROTO_DSTOPTS 60
#define IP_PROTO_MOBILITY 135
#define IP_PROTO_HIP 139
#define IP_PROTO_SHIM6 140

/* At most this many IPv6 extension headers are walked. */
#define IP6_MAX_EXT_HEADERS 8

enum ip_status {
	IP_OK = 0,
	IP_TRUNCATED,      /* the fixed header (or IPv4 options) is not all captured */
	IP_MALFORMED,      /* bad version, IHL < 5, total length < header length */
	IP_FRAGMENT,       /* a non-first fragment: *info is filled, no upper-layer header */
	IP_EXT_CHAIN,      /* IPv6 extension chain truncated or longer than IP6_MAX_EXT_HEADERS */
	IP_NO_NEXT_HEADER, /* IPv6 next header 59 */
};

/* Parses the IP header at the start of pkt.  family is 4, 6, or 0 to follow
 * the version nibble; a nibble that contradicts family is IP_MALFORMED.
 * Fills *info completely (unused address bytes zeroed) as far as the header
 * was read, and on IP_OK sets *payload to the upper-layer bytes: from
 * info->header_len to the IPv4 total length / IPv6 payload length, or to the
 * end of the capture when that is shorter (snap length).  A zero IPv4 total
 * length or IPv6 payload length (TSO, jumbograms) does not trim.  Returns
 * enum ip_status. */
int ip_parse(struct byte_view pkt, int family, struct ip_info *info, struct byte_view *payload);

/* Same, for an IP header quoted in an ICMP error.  Tolerant: the quote may end
 * anywhere after the fixed header (and IPv4 options); an IPv4 total length
 * below the header length (routers that mangle it) neither fails nor trims;
 * *payload is what was quoted of the upper layer, possibly empty.  Returns
 * IP_OK, IP_TRUNCATED (header itself cut), IP_MALFORMED, IP_FRAGMENT,
 * IP_EXT_CHAIN or IP_NO_NEXT_HEADER; on IP_FRAGMENT, IP_EXT_CHAIN and
 * IP_NO_NEXT_HEADER *info is filled and the quoted header counts as parsed. */
int ip_parse_quote(struct byte_view quote, int family, struct ip_info *info, struct byte_view *payload);

#endif
