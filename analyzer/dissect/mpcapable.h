/* mpcapable.h — the MPTCP MP_CAPABLE option (TCP option 30, subtype 0).
 *
 * Specifications: RFC 6824 §3.1 (version 0) and RFC 8684 §3.1 (version 1).
 */
#ifndef MPCAP_MPCAPABLE_H
#define MPCAP_MPCAPABLE_H

#include <stdint.h>

#include "analyzer/base/bytes.h"
#include "analyzer/dissect/packet.h"

enum mpc_status {
	MPC_OK = 0,      /* *out decoded (anomalies, if any, are in out->anomalies) */
	MPC_NOT_MPC = 1, /* not kind 30 with a subtype byte of subtype 0: *out untouched */
};

/* Decodes one MP_CAPABLE option.  opt starts at the kind byte and holds the
 * option's bytes (normally exactly its length byte's worth; if fewer are given,
 * only what is there is decoded).  tcp_flags are the segment's TCP flags,
 * used to judge which lengths fit (SYN, SYN-ACK, ACK).
 *
 * Fields by length: >= 4 flags, >= 12 sender key, >= 20 receiver key,
 * >= 22 data-level length, >= 24 checksum (keys big-endian).  Anomalies are
 * flagged, never fatal:
 *  - MPC_ANOM_LENGTH_UNKNOWN: length not in {4, 12, 20, 22, 24} (the fields
 *    that fit are still decoded; the other two checks are not made);
 *  - MPC_ANOM_VERSION_LENGTH: version 0 with length 4, 22 or 24;
 *  - MPC_ANOM_LENGTH_SEGMENT: v0 SYN/SYN-ACK need 12 and ACK 20; v1 SYN 4,
 *    SYN-ACK 12, ACK (no SYN) 20/22/24; a segment with neither SYN nor ACK fits
 *    no length.  Lengths a version does not define (v0 with 4/22/24) are judged
 *    by the v1 table, so a v0 SYN with 4 bytes only has VERSION_LENGTH.
 * Versions above 1 are decoded and judged like version 1, with no extra flag.
 * out->offset is set to 0 (the caller knows where the option was).
 * Returns enum mpc_status. */
int mpc_decode(struct byte_view opt, uint8_t tcp_flags, struct mpc_option *out);

/* Formats MP_CAPABLE anomaly bits (MPC_ANOM_*) as "a;b" (empty when none). */
void format_mpc_anomalies(uint32_t bits, char *buf, size_t n);

#endif
