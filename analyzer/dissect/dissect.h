/* dissect.h — one packet from link layer to MP_CAPABLE, into struct packet.
 *
 * Link layers (link.h), IPv4/IPv6 (ip.h), TCP and its option walk (tcp.h),
 * MP_CAPABLE (mpcapable.h) and ICMP/ICMPv6 errors with their quotes (icmp.h)
 * each live in their own module; this is the single entry point that chains
 * them.  Specifications: see each module.
 */
#ifndef MPCAP_DISSECT_H
#define MPCAP_DISSECT_H

#include <stdint.h>

#include "analyzer/dissect/packet.h"

/* Dissects caplen bytes of a frame of link type `linktype` (a DLT_ value)
 * into *pkt.  Sets pkt->skip to the reason dissection stopped early (SKIP_NONE
 * when the packet reached its upper layer) and pkt->notes.  Leaves pkt->frame,
 * ts_sec, ts_nsec, caplen and wirelen to the caller.  Never reads outside
 * data[0..caplen). */
void dissect_packet(int linktype, const uint8_t *data, uint32_t caplen, struct packet *pkt);

/* dissect_packet(), with a memo of the last TCP option walk (tcp.h; zeroed
 * before its first use, owned by the reading thread) that spares the walk
 * when a segment repeats the previous option block: *pkt comes out the same. */
struct tcp_opts_memo;
void dissect_packet_memo(int linktype, const uint8_t *data, uint32_t caplen, struct packet *pkt,
                         struct tcp_opts_memo *memo);

/* Stable names used as counter names in summary.csv. */
const char *skip_reason_name(enum skip_reason r);
const char *dissect_note_name(enum dissect_note n);

#endif
