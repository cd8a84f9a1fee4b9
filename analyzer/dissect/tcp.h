/* tcp.h — a TCP header (RFC 9293) and its options into struct tcp_info, and
 * the one walk over a TCP option area that every reader of options uses.
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

/* ---- the option iterator (RFC 9293 §3.1, "Options") ----
 *
 * An option area is `declared` bytes long (data offset * 4 - 20), of which
 * the view holds what was captured.  Each tcp_opts_next() gives the next
 * option, EOL and NOP included (length 1), as tshark lists them; any other
 * option only when its length byte is >= 2, it lies inside the declared area
 * and all its bytes were captured.  Nothing is read past the declared area
 * or the captured bytes, and only through bytes.h.  The walk ends after EOL,
 * at the end of the area, at a malformed length (nothing more is given) or
 * where the captured bytes stop. */
enum tcp_opts_status {
	TCP_OPTS_MORE = 0,      /* *opt holds the next option */
	TCP_OPTS_END = 1,       /* the area ended cleanly: after EOL, or at its last byte */
	TCP_OPTS_CUT = 2,       /* the captured bytes stop inside the area: the rest is unknown */
	TCP_OPTS_MALFORMED = 3, /* no room for a length byte, a length below 2, or past the area */
};

/* One option: kind, length (1 for EOL and NOP), offset in the area, and a
 * view of its bytes, kind and length bytes included. */
struct tcp_opt {
	uint8_t kind;
	uint8_t len;
	size_t off;
	struct byte_view bytes;
};

struct tcp_opts {
	struct byte_view area; /* the captured bytes, never longer than declared */
	size_t declared;
	size_t pos; /* SIZE_MAX once EOL was given */
};

/* Starts a walk over an option area of `declared` bytes whose captured bytes
 * are in `captured` (bytes of the view beyond `declared` are not options). */
static inline void tcp_opts_begin(struct tcp_opts *it, struct byte_view captured, size_t declared)
{
	it->area = captured;
	if (it->area.len > declared)
		it->area.len = declared;
	it->declared = declared;
	it->pos = 0;
}

/* The next option into *opt (TCP_OPTS_MORE), or why the walk is over; once
 * over, later calls say the same. */
static inline enum tcp_opts_status tcp_opts_next(struct tcp_opts *it, struct tcp_opt *opt)
{
	size_t i = it->pos;
	uint8_t kind, len;

	if (!bv_u8(&it->area, i, &kind)) /* the end of the area, after EOL, or the capture's end */
		return i >= it->declared ? TCP_OPTS_END : TCP_OPTS_CUT;
	opt->kind = kind;
	opt->off = i;
	if (kind == TCP_OPT_EOL || kind == TCP_OPT_NOP) {
		opt->len = 1;
		opt->bytes = bv_tail(&it->area, i); /* byte i is there: bv_u8 read it */
		opt->bytes.len = 1;
		it->pos = kind == TCP_OPT_EOL ? SIZE_MAX : i + 1;
		return TCP_OPTS_MORE;
	}
	if (i + 1 >= it->declared) /* no room for a length byte inside the area */
		return TCP_OPTS_MALFORMED;
	if (!bv_u8(&it->area, i + 1, &len))
		return TCP_OPTS_CUT;
	if (len < 2 || len > it->declared - i)
		return TCP_OPTS_MALFORMED;
	if (!bv_sub(&it->area, i, len, &opt->bytes))
		return TCP_OPTS_CUT;
	opt->len = len;
	it->pos = i + len;
	return TCP_OPTS_MORE;
}

/* Parses the TCP header at the start of seg (the IP payload as captured).
 * Fills *out: present (at least 8 bytes), full_header, the fixed fields that
 * fit, header_len, then walks the options with tcp_opts_next() over the data
 * offset's option area: a malformed length sets options_malformed and ends the
 * walk; options cut by the capture end it with options_complete = false.
 * Captured option bytes are copied to out->options (options_len).  MSS (kind
 * 2, length 4) and window scale (kind 3, length 3) are decoded; every
 * MP_CAPABLE (kind 30, subtype 0) goes to mpc_decode(), up to
 * MPC_MAX_PER_PACKET (further ones are not decoded).  Only out->options[0 ..
 * options_len) and out->mpc[0 .. n_mpc) are written.  Returns enum tcp_status. */
int tcp_parse(struct byte_view seg, struct tcp_info *out);

/* The last option block tcp_parse_memo() walked and what the walk decoded.
 * A static-key scan sends the same option block in every probe: the next
 * probe is then decoded by comparing its option bytes (and the TCP flags,
 * which MP_CAPABLE's decoding depends on) with the memo instead of walking
 * them.  Zero it before its first use; one memo per reader thread. */
struct tcp_opts_memo {
	bool valid;
	uint8_t flags;    /* TCP flags of the segment walked */
	uint8_t declared; /* header_len - 20 */
	uint8_t len;      /* option bytes captured */
	bool malformed;   /* what the walk decoded: */
	int16_t wscale;
	int32_t mss;
	uint8_t n_mpc;
	uint8_t bytes[TCP_OPTIONS_MAX];
	struct mpc_option mpc[MPC_MAX_PER_PACKET];
};

/* tcp_parse(), with memo (NULL: none) holding the last option walk: fills
 * *out exactly as tcp_parse() does. */
int tcp_parse_memo(struct byte_view seg, struct tcp_info *out, struct tcp_opts_memo *memo);

/* True when any MP_CAPABLE decoded into t carries an anomaly. */
bool tcp_mpc_anomalous(const struct tcp_info *t);

/* Zeroes the values of every timestamps option (kind 8, length 10, RFC 7323)
 * in an option block of len bytes, in place: TSval differs from one segment
 * to the next, so option blocks are compared (probe profiles, mirrored
 * SYN-ACKs) without it.  Stops where the walk stops. */
void tcp_options_zero_timestamps(uint8_t *opts, size_t len);

#endif
