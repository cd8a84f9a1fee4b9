/* link.h — link layers, from a captured frame to its network-layer header.
 *
 * Specifications: IEEE 802.3 (Ethernet II), IEEE 802.1Q (VLAN tags, 802.1ad
 * QinQ; 0x9100 is the pre-standard outer tag), RFC 3032 (MPLS label stacks),
 * RFC 2516 (PPPoE), RFC 1661 / RFC 1662 (PPP, HDLC-like framing), and the
 * tcpdump.org link-type registry (https://www.tcpdump.org/linktypes.html) for
 * DLT_NULL, DLT_LOOP, DLT_RAW, DLT_IPV4/IPV6, DLT_LINUX_SLL and SLL2.
 *
 * Link layers are a constant table of structs of function pointers (ZMap's
 * style).  A decoder never guesses: a link type not in the table is
 * unsupported, and a frame whose payload is not IPv4 or IPv6 is "not IP".
 */
#ifndef MPCAP_LINK_H
#define MPCAP_LINK_H

#include <stdbool.h>
#include <stddef.h>

#include "analyzer/base/bytes.h"

/* Numeric link types (LINKTYPE_/DLT_ values as stored in capture files). */
#define LINK_DLT_NULL 0
#define LINK_DLT_EN10MB 1
#define LINK_DLT_PPP 9
#define LINK_DLT_RAW 12         /* DLT_RAW on most systems */
#define LINK_DLT_RAW_OPENBSD 14 /* DLT_RAW on OpenBSD / BSD/OS */
#define LINK_DLT_PPP_SERIAL 50
#define LINK_DLT_PPP_ETHER 51
#define LINK_DLT_LINKTYPE_RAW 101
#define LINK_DLT_LOOP 108
#define LINK_DLT_LINUX_SLL 113
#define LINK_DLT_IPV4 228
#define LINK_DLT_IPV6 229
#define LINK_DLT_LINUX_SLL2 276

/* Network protocol found after the link layer. */
enum link_net {
	LINK_NET_OTHER = 0, /* not IP (ARP, LLDP, PPPoE discovery, ...) */
	LINK_NET_IPV4,
	LINK_NET_IPV6,
};

/* Result of a link decoder. */
enum link_status {
	LINK_OK = 0,         /* out->offset and out->net are set (net may be LINK_NET_OTHER) */
	LINK_TRUNCATED,      /* the link header is cut short */
	LINK_UNSUPPORTED,    /* no decoder for this link type */
	LINK_BAD_IP_VERSION, /* a raw-IP link whose version nibble is neither 4 nor 6 */
};

struct link_result {
	size_t offset;     /* offset of the network header in the frame */
	enum link_net net; /* LINK_NET_OTHER: not IP */
};

/* One link layer: its link type, a name and its decoder. */
struct link_layer {
	int dlt;
	const char *name;
	/* Returns enum link_status; on LINK_OK fills *out. */
	int (*decode)(struct byte_view frame, struct link_result *out);
};

/* The decoder for dlt, or NULL. */
const struct link_layer *link_lookup(int dlt);

/* True when dlt has a decoder. */
bool link_supported(int dlt);

/* The table's name for dlt ("EN10MB", "LINUX_SLL2", ...), or NULL. */
const char *link_name(int dlt);

/* Decodes frame with the decoder for dlt.  Returns enum link_status
 * (LINK_UNSUPPORTED when dlt has none). */
int link_decode(int dlt, struct byte_view frame, struct link_result *out);

#endif
