/* tcp.h — a TCP header (RFC 9293) and its options into struct tcp_info.
 *
 * Works on truncated headers too: the 8 bytes an RFC 792 router quotes give
 * ports and sequence number only (full_header = false).
 */
#ifndef MPCAP_TCP_H
#define MPCAP_TCP_H

#include "analyzer/base/bytes.h"
#include "analyzer/dissect/packet.h"

#define TCP_MIN_HEADER 20
#define TCP_QUOTE_MIN 8 /* ports and sequence number, what RFC 792 quotes */

enum tcp_status {
	TCP_OK = 0,        /* the 20 fixed bytes are there (options may still be cut or malformed) */
	TCP_PARTIAL = 1,   /* 8..19 bytes: ports and sequence number, and what else fits */
	TCP_TRUNCATED = 2, /* fewer than 8 bytes: nothing filled but present = false */
	TCP_MALFORMED = 3, /* data offset below 5 (header_len < 20): fixed fields filled, no options */
};

/* Parses the TCP header at the start of seg (the IP payload as captured).
 * Fills *out: present (at least 8 bytes), full_header, the fixed fields that
 * fit, header_len, then walks the options that lie inside both the data offset
 * and the captured bytes: EOL stops; NOP is one byte; any other option needs a
 * length byte >= 2 that keeps it inside the header, else options_malformed is
 * set and the walk stops; an option cut by the capture ends the walk with
 * options_complete = false.  Captured option bytes are copied to out->options
 * (options_len).  MSS (kind 2, length 4) and window scale (kind 3, length 3)
 * are decoded; every MP_CAPABLE (kind 30, subtype 0) goes to mpc_decode(), up
 * to MPC_MAX_PER_PACKET (further ones are not decoded).  Only out->options[0 ..
 * options_len) and out->mpc[0 .. n_mpc) are written.  Returns enum tcp_status. */
int tcp_parse(struct byte_view seg, struct tcp_info *out);

/* True when any MP_CAPABLE decoded into t carries an anomaly. */
bool tcp_mpc_anomalous(const struct tcp_info *t);

/* Zeroes the values of every timestamps option (kind 8, length 10, RFC 7323)
 * in an option block, in place: TSval differs from one segment to the next,
 * so option blocks are compared (probe profiles, mirrored SYN-ACKs) without
 * it.  Stops where the block stops being well formed. */
void tcp_options_zero_timestamps(uint8_t *opts, size_t len);

#endif
