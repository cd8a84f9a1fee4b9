/* link.c — link layers, from a captured frame to its network-layer header.
 *
 * Specifications: IEEE 802.3 (Ethernet II), IEEE 802.1Q / 802.1ad (VLAN and
 * QinQ tags; 0x9100 as used by pre-802.1ad QinQ equipment), RFC 3032 (MPLS
 * label stack encoding), RFC 2516 (PPPoE), RFC 1661 / RFC 1662 (PPP and its
 * HDLC-like framing, protocol-field compression), RFC 1547 / Cisco HDLC (in
 * DLT_PPP_SERIAL), and https://www.tcpdump.org/linktypes.html for DLT_NULL,
 * DLT_LOOP, DLT_RAW, DLT_IPV4, DLT_IPV6, DLT_LINUX_SLL and DLT_LINUX_SLL2.
 */
#include "analyzer/dissect/link.h"

#include <stdint.h>

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100
#define ETHERTYPE_MPLS 0x8847
#define ETHERTYPE_MPLS_MCAST 0x8848
#define ETHERTYPE_PPPOE_SESSION 0x8864

#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057
#define PPP_MPLS 0x0281
#define PPP_MPLS_MCAST 0x0283

#define ETH_HEADER_LEN 14
#define VLAN_TAG_LEN 4
#define PPPOE_HEADER_LEN 6
#define SLL_HEADER_LEN 16
#define SLL2_HEADER_LEN 20
#define ARPHRD_NETLINK 824

/* Bounds on the work done per frame: more tags or labels than this is not IP to us. */
#define MAX_ENCAPSULATIONS 8
#define MAX_MPLS_LABELS 16

static int found(size_t off, enum link_net net, struct link_result *out)
{
	out->offset = off;
	out->net = net;
	return LINK_OK;
}

/* IP identified by the version nibble of the byte at off (raw IP, MPLS payload). */
static int by_version_nibble(struct byte_view f, size_t off, bool must_be_ip, struct link_result *out)
{
	uint8_t b;
	if (!bv_u8(&f, off, &b))
		return LINK_TRUNCATED;
	switch (b >> 4) {
	case 4:
		return found(off, LINK_NET_IPV4, out);
	case 6:
		return found(off, LINK_NET_IPV6, out);
	default:
		if (must_be_ip)
			return LINK_BAD_IP_VERSION;
		return found(off, LINK_NET_OTHER, out);
	}
}

/* RFC 3032: 4-byte label stack entries until the bottom-of-stack bit; the
 * payload carries no type, so IP is recognised by its version nibble. */
static int mpls_stack(struct byte_view f, size_t off, struct link_result *out)
{
	for (int i = 0; i < MAX_MPLS_LABELS; i++) {
		uint32_t entry;
		if (!bv_u32(&f, off, &entry))
			return LINK_TRUNCATED;
		off += 4;
		if (entry & 0x100)
			return by_version_nibble(f, off, false, out);
	}
	return found(off, LINK_NET_OTHER, out);
}

/* RFC 1661 protocol field at off, possibly compressed to one odd byte (RFC 1661 §6.5). */
static int ppp_protocol(struct byte_view f, size_t off, struct link_result *out)
{
	uint8_t b;
	uint16_t proto;
	if (!bv_u8(&f, off, &b))
		return LINK_TRUNCATED;
	if (b & 1) {
		proto = b;
		off += 1;
	} else {
		if (!bv_u16(&f, off, &proto))
			return LINK_TRUNCATED;
		off += 2;
	}
	switch (proto) {
	case PPP_IPV4:
		return found(off, LINK_NET_IPV4, out);
	case PPP_IPV6:
		return found(off, LINK_NET_IPV6, out);
	case PPP_MPLS:
	case PPP_MPLS_MCAST:
		return mpls_stack(f, off, out);
	default:
		return found(off, LINK_NET_OTHER, out);
	}
}

/* RFC 2516 session stage: ver/type, code, session id, length, then PPP. */
static int pppoe_session(struct byte_view f, size_t off, struct link_result *out)
{
	if (!bv_has(&f, off, PPPOE_HEADER_LEN))
		return LINK_TRUNCATED;
	return ppp_protocol(f, off + PPPOE_HEADER_LEN, out);
}

static int dispatch_ethertype(struct byte_view f, size_t off, uint16_t type, struct link_result *out)
{
	for (int tags = 0; tags <= MAX_ENCAPSULATIONS; tags++) {
		switch (type) {
		case ETHERTYPE_IPV4:
			return found(off, LINK_NET_IPV4, out);
		case ETHERTYPE_IPV6:
			return found(off, LINK_NET_IPV6, out);
		case ETHERTYPE_VLAN:
		case ETHERTYPE_QINQ:
		case ETHERTYPE_QINQ_OLD:
			/* 2 bytes of tag control information, then the next type. */
			if (!bv_u16(&f, off + 2, &type))
				return LINK_TRUNCATED;
			off += VLAN_TAG_LEN;
			continue;
		case ETHERTYPE_MPLS:
		case ETHERTYPE_MPLS_MCAST:
			return mpls_stack(f, off, out);
		case ETHERTYPE_PPPOE_SESSION:
			return pppoe_session(f, off, out);
		default:
			return found(off, LINK_NET_OTHER, out);
		}
	}
	return found(off, LINK_NET_OTHER, out);
}

static int decode_en10mb(struct byte_view f, struct link_result *out)
{
	uint16_t type;
	if (!bv_u16(&f, 12, &type))
		return LINK_TRUNCATED;
	/* type < 0x0600 is an 802.3 length (LLC follows): not IP to us. */
	return dispatch_ethertype(f, ETH_HEADER_LEN, type, out);
}

static int decode_raw(struct byte_view f, struct link_result *out)
{
	return by_version_nibble(f, 0, true, out);
}

static int decode_ipv4(struct byte_view f, struct link_result *out)
{
	(void)f;
	return found(0, LINK_NET_IPV4, out);
}

static int decode_ipv6(struct byte_view f, struct link_result *out)
{
	(void)f;
	return found(0, LINK_NET_IPV6, out);
}

/* BSD address families for IP, as the various BSDs and Darwin number IPv6. */
static int by_address_family(uint32_t af, struct link_result *out)
{
	switch (af) {
	case 2:
		return found(4, LINK_NET_IPV4, out);
	case 24: /* NetBSD, OpenBSD, BSD/OS */
	case 28: /* FreeBSD */
	case 30: /* Darwin */
		return found(4, LINK_NET_IPV6, out);
	default:
		return found(4, LINK_NET_OTHER, out);
	}
}

/* DLT_NULL: the AF in the capturing host's byte order, which may not be ours. */
static int decode_null(struct byte_view f, struct link_result *out)
{
	uint32_t af;
	if (!bv_u32le(&f, 0, &af))
		return LINK_TRUNCATED;
	if (af & 0xffff0000u) /* written big-endian */
		(void)bv_u32(&f, 0, &af);
	return by_address_family(af, out);
}

/* DLT_LOOP: the AF in network byte order. */
static int decode_loop(struct byte_view f, struct link_result *out)
{
	uint32_t af;
	if (!bv_u32(&f, 0, &af))
		return LINK_TRUNCATED;
	return by_address_family(af, out);
}

/* DLT_PPP: PPP with or without the ff 03 address and control bytes. */
static int decode_ppp(struct byte_view f, struct link_result *out)
{
	uint8_t a, c;
	if (bv_u8(&f, 0, &a) && bv_u8(&f, 1, &c) && a == 0xff && c == 0x03)
		return ppp_protocol(f, 2, out);
	return ppp_protocol(f, 0, out);
}

/* DLT_PPP_SERIAL: PPP in HDLC-like framing (RFC 1662), or Cisco HDLC. */
static int decode_ppp_serial(struct byte_view f, struct link_result *out)
{
	uint8_t a, c;
	uint16_t type;
	if (!bv_u8(&f, 0, &a) || !bv_u8(&f, 1, &c))
		return LINK_TRUNCATED;
	if ((a == 0x0f || a == 0x8f) && c == 0x00) {
		if (!bv_u16(&f, 2, &type))
			return LINK_TRUNCATED;
		return dispatch_ethertype(f, 4, type, out);
	}
	return decode_ppp(f, out);
}

/* DLT_PPP_ETHER: a PPPoE header with no Ethernet header before it. */
static int decode_ppp_ether(struct byte_view f, struct link_result *out)
{
	return pppoe_session(f, 0, out);
}

static int sll_common(struct byte_view f, size_t hdr_len, uint16_t hatype, uint16_t proto,
                      struct link_result *out)
{
	if (!bv_has(&f, 0, hdr_len))
		return LINK_TRUNCATED;
	/* Netlink frames carry a netlink family in the protocol field; values
	 * below 0x0600 are Linux pseudo-types (802.3, 802.2, CAN...). */
	if (hatype == ARPHRD_NETLINK || proto < 0x0600)
		return found(hdr_len, LINK_NET_OTHER, out);
	return dispatch_ethertype(f, hdr_len, proto, out);
}

/* DLT_LINUX_SLL: packet type, ARPHRD type, address length, address (8), protocol. */
static int decode_sll(struct byte_view f, struct link_result *out)
{
	uint16_t hatype, proto;
	if (!bv_u16(&f, 2, &hatype) || !bv_u16(&f, 14, &proto))
		return LINK_TRUNCATED;
	return sll_common(f, SLL_HEADER_LEN, hatype, proto, out);
}

/* DLT_LINUX_SLL2: protocol, reserved, interface index, ARPHRD type, packet
 * type, address length, address (8). */
static int decode_sll2(struct byte_view f, struct link_result *out)
{
	uint16_t hatype, proto;
	if (!bv_u16(&f, 0, &proto) || !bv_u16(&f, 8, &hatype))
		return LINK_TRUNCATED;
	return sll_common(f, SLL2_HEADER_LEN, hatype, proto, out);
}

static const struct link_layer link_layers[] = {
	{ LINK_DLT_NULL, "NULL", decode_null },
	{ LINK_DLT_EN10MB, "EN10MB", decode_en10mb },
	{ LINK_DLT_PPP, "PPP", decode_ppp },
	{ LINK_DLT_RAW, "RAW", decode_raw },
	{ LINK_DLT_RAW_OPENBSD, "RAW", decode_raw },
	{ LINK_DLT_PPP_SERIAL, "PPP_SERIAL", decode_ppp_serial },
	{ LINK_DLT_PPP_ETHER, "PPP_ETHER", decode_ppp_ether },
	{ LINK_DLT_LINKTYPE_RAW, "RAW", decode_raw },
	{ LINK_DLT_LOOP, "LOOP", decode_loop },
	{ LINK_DLT_LINUX_SLL, "LINUX_SLL", decode_sll },
	{ LINK_DLT_IPV4, "IPV4", decode_ipv4 },
	{ LINK_DLT_IPV6, "IPV6", decode_ipv6 },
	{ LINK_DLT_LINUX_SLL2, "LINUX_SLL2", decode_sll2 },
};

const struct link_layer *link_lookup(int dlt)
{
	for (size_t i = 0; i < sizeof link_layers / sizeof link_layers[0]; i++)
		if (link_layers[i].dlt == dlt)
			return &link_layers[i];
	return NULL;
}

bool link_supported(int dlt)
{
	return link_lookup(dlt) != NULL;
}

const char *link_name(int dlt)
{
	const struct link_layer *l = link_lookup(dlt);
	return l ? l->name : NULL;
}

int link_decode(int dlt, struct byte_view frame, struct link_result *out)
{
	const struct link_layer *l = link_lookup(dlt);
	if (!l)
		return LINK_UNSUPPORTED;
	return l->decode(frame, out);
}
