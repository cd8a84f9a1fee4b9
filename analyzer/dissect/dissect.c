/* dissect.c — one packet from link layer to MP_CAPABLE.
 *
 * Chains link.c (link layers), ip.c (RFC 791, RFC 8200), tcp.c (RFC 9293),
 * mpcapable.c (RFC 6824, RFC 8684) and icmp.c (RFC 792, RFC 4443, RFC 4884);
 * the specifications are named in each module.
 *
 * The caller reuses one struct packet: only the fields this packet sets are
 * written.  Validity flags say what to read: ip.family (0: no IP header),
 * tcp.present, icmp.present; tcp.options[0..options_len) and
 * tcp.mpc[0..n_mpc) hold data, the rest of those arrays is stale.
 */
#include "analyzer/dissect/dissect.h"

#include "analyzer/base/bytes.h"
#include "analyzer/dissect/icmp.h"
#include "analyzer/dissect/ip.h"
#include "analyzer/dissect/link.h"
#include "analyzer/dissect/tcp.h"

static const char *const skip_names[SKIP_REASON_COUNT] = {
	[SKIP_NONE] = "none",
	[SKIP_LINKTYPE_UNSUPPORTED] = "linktype-unsupported",
	[SKIP_LINK_TRUNCATED] = "link-truncated",
	[SKIP_NOT_IP] = "not-ip",
	[SKIP_IP_TRUNCATED] = "ip-truncated",
	[SKIP_IP_MALFORMED] = "ip-malformed",
	[SKIP_IP_FRAGMENT] = "ip-fragment",
	[SKIP_IP6_EXT_CHAIN] = "ipv6-ext-chain",
	[SKIP_OTHER_PROTO] = "other-proto",
	[SKIP_TCP_TRUNCATED] = "tcp-truncated",
	[SKIP_ICMP_TRUNCATED] = "icmp-truncated",
	[SKIP_TCP_MALFORMED] = "tcp-malformed",
};

static const char *const note_names[NOTE_COUNT] = {
	[NOTE_TCP_OPTIONS_MALFORMED] = "tcp-options-malformed",
	[NOTE_TCP_OPTIONS_TRUNCATED] = "tcp-options-truncated",
	[NOTE_MPC_ANOMALY] = "mpc-anomaly",
	[NOTE_ICMP_QUOTE_UNPARSED] = "icmp-quote-unparsed",
};

const char *skip_reason_name(enum skip_reason r)
{
	if ((unsigned)r < SKIP_REASON_COUNT && skip_names[r])
		return skip_names[r];
	return "unknown";
}

const char *dissect_note_name(enum dissect_note n)
{
	if ((unsigned)n < NOTE_COUNT && note_names[n])
		return note_names[n];
	return "unknown";
}

static enum skip_reason link_skip(int st)
{
	switch (st) {
	case LINK_TRUNCATED:
		return SKIP_LINK_TRUNCATED;
	case LINK_BAD_IP_VERSION:
		return SKIP_IP_MALFORMED;
	default:
		return SKIP_LINKTYPE_UNSUPPORTED;
	}
}

static enum skip_reason ip_skip(int st)
{
	switch (st) {
	case IP_OK:
		return SKIP_NONE;
	case IP_TRUNCATED:
		return SKIP_IP_TRUNCATED;
	case IP_FRAGMENT:
		return SKIP_IP_FRAGMENT;
	case IP_EXT_CHAIN:
		return SKIP_IP6_EXT_CHAIN;
	case IP_NO_NEXT_HEADER:
		return SKIP_OTHER_PROTO;
	default:
		return SKIP_IP_MALFORMED;
	}
}

static void dissect_tcp(struct byte_view seg, struct packet *pkt, struct tcp_opts_memo *memo)
{
	switch (tcp_parse_memo(seg, &pkt->tcp, memo)) {
	case TCP_OK:
		break;
	case TCP_MALFORMED:
		pkt->skip = SKIP_TCP_MALFORMED;
		return;
	default:
		pkt->skip = SKIP_TCP_TRUNCATED;
		return;
	}
	if (pkt->tcp.options_malformed)
		pkt->notes |= 1u << NOTE_TCP_OPTIONS_MALFORMED;
	if (!pkt->tcp.options_complete)
		pkt->notes |= 1u << NOTE_TCP_OPTIONS_TRUNCATED;
	if (tcp_mpc_anomalous(&pkt->tcp))
		pkt->notes |= 1u << NOTE_MPC_ANOMALY;
}

static void dissect_icmp(struct byte_view msg, int family, struct packet *pkt)
{
	switch (icmp_parse(msg, family, &pkt->icmp)) {
	case ICMP_OK:
		break;
	case ICMP_QUOTE_UNPARSED:
		pkt->notes |= 1u << NOTE_ICMP_QUOTE_UNPARSED;
		break;
	default:
		pkt->skip = SKIP_ICMP_TRUNCATED;
		break;
	}
}

void dissect_packet(int linktype, const uint8_t *data, uint32_t caplen, struct packet *pkt)
{
	dissect_packet_memo(linktype, data, caplen, pkt, NULL);
}

void dissect_packet_memo(int linktype, const uint8_t *data, uint32_t caplen, struct packet *pkt,
                         struct tcp_opts_memo *memo)
{
	struct byte_view frame = bv_make(data, caplen), l4;
	struct link_result link;
	int st, family;

	pkt->linktype = linktype;
	pkt->skip = SKIP_NONE;
	pkt->notes = 0;
	pkt->ip.family = 0;
	pkt->tcp.present = false;
	pkt->icmp.present = false;

	st = link_decode(linktype, frame, &link);
	if (st != LINK_OK) {
		pkt->skip = link_skip(st);
		return;
	}
	if (link.net == LINK_NET_OTHER) {
		pkt->skip = SKIP_NOT_IP;
		return;
	}
	family = link.net == LINK_NET_IPV4 ? 4 : 6;
	st = ip_parse(bv_tail(&frame, link.offset), family, &pkt->ip, &l4);
	if (st != IP_OK) {
		pkt->skip = ip_skip(st);
		return;
	}
	if (pkt->ip.proto == IP_PROTO_TCP)
		dissect_tcp(l4, pkt, memo);
	else if ((family == 4 && pkt->ip.proto == IP_PROTO_ICMP) ||
	         (family == 6 && pkt->ip.proto == IP_PROTO_ICMPV6))
		dissect_icmp(l4, family, pkt);
	else
		pkt->skip = SKIP_OTHER_PROTO;
}
