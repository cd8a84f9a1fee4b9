/* mpcapable.c — the MPTCP MP_CAPABLE option.
 *
 * Specifications: RFC 6824 §3.1 (MPTCP v0) and RFC 8684 §3.1 (MPTCP v1).
 *
 *   byte 0 kind (30)   byte 1 length   byte 2 subtype (high nibble, 0) | version
 *   byte 3 flags A B C D E F G H
 *   4..11 sender's key   12..19 receiver's key   20..21 data-level length
 *   22..23 checksum  (keys and numbers big-endian)
 *
 *   segment   v0 length   v1 length
 *   SYN       12          4
 *   SYN-ACK   12          12
 *   ACK       20          20, 22 or 24 (with data)
 */
#include <stdio.h>

#include "analyzer/dissect/mpcapable.h"

#include "analyzer/dissect/packet.h"

#define MPC_LEN_FLAGS 4
#define MPC_LEN_SENDER 12
#define MPC_LEN_BOTH 20
#define MPC_LEN_DATA 22
#define MPC_LEN_CSUM 24

enum segment { SEG_SYN, SEG_SYNACK, SEG_ACK, SEG_OTHER };

static enum segment segment_type(uint8_t flags)
{
	bool syn = (flags & TCP_FLAG_SYN) != 0, ack = (flags & TCP_FLAG_ACK) != 0;
	if (syn)
		return ack ? SEG_SYNACK : SEG_SYN;
	return ack ? SEG_ACK : SEG_OTHER;
}

static bool known_length(uint8_t len)
{
	return len == MPC_LEN_FLAGS || len == MPC_LEN_SENDER || len == MPC_LEN_BOTH || len == MPC_LEN_DATA ||
	       len == MPC_LEN_CSUM;
}

static bool fits_v0(enum segment seg, uint8_t len)
{
	switch (seg) {
	case SEG_SYN:
	case SEG_SYNACK:
		return len == MPC_LEN_SENDER;
	case SEG_ACK:
		return len == MPC_LEN_BOTH;
	default:
		return false;
	}
}

static bool fits_v1(enum segment seg, uint8_t len)
{
	switch (seg) {
	case SEG_SYN:
		return len == MPC_LEN_FLAGS;
	case SEG_SYNACK:
		return len == MPC_LEN_SENDER;
	case SEG_ACK:
		return len == MPC_LEN_BOTH || len == MPC_LEN_DATA || len == MPC_LEN_CSUM;
	default:
		return false;
	}
}

int mpc_decode(struct byte_view opt, uint8_t tcp_flags, struct mpc_option *out)
{
	uint8_t kind, len, subver;
	struct byte_view o;

	if (!bv_u8(&opt, 0, &kind) || !bv_u8(&opt, 1, &len) || !bv_u8(&opt, 2, &subver))
		return MPC_NOT_MPC;
	if (kind != TCP_OPT_MPTCP || len < 3 || subver >> 4 != MPTCP_SUB_CAPABLE)
		return MPC_NOT_MPC;

	/* Decode only inside the option's own length and the bytes given. */
	o = opt;
	if (o.len > len)
		o.len = len;

	out->offset = 0;
	out->length = len;
	out->version = subver & 0x0f;
	out->flags = 0;
	out->sender_key = 0;
	out->receiver_key = 0;
	out->data_len = 0;
	out->checksum = 0;
	out->anomalies = 0;
	out->has_flags = bv_u8(&o, 3, &out->flags);
	out->has_sender_key = len >= MPC_LEN_SENDER && bv_u64(&o, 4, &out->sender_key);
	out->has_receiver_key = len >= MPC_LEN_BOTH && bv_u64(&o, 12, &out->receiver_key);
	out->has_data_len = len >= MPC_LEN_DATA && bv_u16(&o, 20, &out->data_len);
	out->has_checksum = len >= MPC_LEN_CSUM && bv_u16(&o, 22, &out->checksum);

	if (!known_length(len)) {
		out->anomalies |= MPC_ANOM_LENGTH_UNKNOWN;
		return MPC_OK;
	}
	bool v0_defined = len == MPC_LEN_SENDER || len == MPC_LEN_BOTH;
	if (out->version == 0 && !v0_defined)
		out->anomalies |= MPC_ANOM_VERSION_LENGTH;
	enum segment seg = segment_type(tcp_flags);
	bool fits = (out->version == 0 && v0_defined) ? fits_v0(seg, len) : fits_v1(seg, len);
	if (!fits)
		out->anomalies |= MPC_ANOM_LENGTH_SEGMENT;
	return MPC_OK;
}

void format_mpc_anomalies(uint32_t bits, char *buf, size_t n)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ MPC_ANOM_LENGTH_UNKNOWN, "length-unknown" },
		{ MPC_ANOM_LENGTH_SEGMENT, "length-segment" },
		{ MPC_ANOM_VERSION_LENGTH, "version-length" },
	};
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!(bits & names[i].bit))
			continue;
		int w = snprintf(buf + used, n - used, "%s%s", used ? ";" : "", names[i].name);
		if (w < 0 || (size_t)w >= n - used)
			break;
		used += (size_t)w;
	}
}
