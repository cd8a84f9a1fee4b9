/* tcp.c — TCP header and option walk.
 *
 * Specifications: RFC 9293 §3.1 (header format, data offset, options: EOL,
 * NOP, kind/length; "an option's length includes kind and length bytes"),
 * §3.2 (MSS, kind 2 length 4), RFC 7323 §2 (window scale, kind 3 length 3),
 * RFC 8684 / RFC 6824 (MPTCP, kind 30; MP_CAPABLE in mpcapable.c), RFC 792 and
 * RFC 1812 §4.3.2.3 (ICMP quotes may hold only the first 8 bytes).
 */
#include "analyzer/dissect/tcp.h"

#include <string.h>

#include "analyzer/dissect/mpcapable.h"

static void walk_options(struct byte_view opts, size_t declared, struct tcp_info *t)
{
	size_t i = 0;

	while (i < opts.len) {
		uint8_t kind, len;
		struct byte_view o;

		(void)bv_u8(&opts, i, &kind);
		if (kind == TCP_OPT_EOL)
			return;
		if (kind == TCP_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= declared) { /* no room for a length byte inside the header */
			t->options_malformed = true;
			return;
		}
		if (!bv_u8(&opts, i + 1, &len)) /* length byte cut by the capture */
			return;
		if (len < 2 || i + len > declared) {
			t->options_malformed = true;
			return;
		}
		if (!bv_sub(&opts, i, len, &o)) /* option cut by the capture */
			return;
		switch (kind) {
		case TCP_OPT_MSS:
			if (len == 4) {
				uint16_t mss = 0;
				(void)bv_u16(&o, 2, &mss);
				t->mss = mss;
			}
			break;
		case TCP_OPT_WSCALE:
			if (len == 3) {
				uint8_t shift = 0;
				(void)bv_u8(&o, 2, &shift);
				t->wscale = shift;
			}
			break;
		case TCP_OPT_MPTCP:
			if (t->n_mpc < MPC_MAX_PER_PACKET &&
			    mpc_decode(o, t->flags, &t->mpc[t->n_mpc]) == MPC_OK) {
				t->mpc[t->n_mpc].offset = (uint8_t)i;
				t->n_mpc++;
			}
			break;
		default:
			break;
		}
		i += len;
	}
}

int tcp_parse(struct byte_view seg, struct tcp_info *out)
{
	uint8_t off_byte;
	size_t hl, avail;
	struct byte_view opts;

	out->present = false;
	out->full_header = false;
	out->sport = out->dport = 0;
	out->seq = out->ack = 0;
	out->flags = 0;
	out->window = out->urgent = out->checksum = 0;
	out->header_len = 0;
	out->options_len = 0;
	out->options_complete = false;
	out->options_malformed = false;
	out->mss = -1;
	out->wscale = -1;
	out->n_mpc = 0;

	if (!bv_u16(&seg, 0, &out->sport) || !bv_u16(&seg, 2, &out->dport) || !bv_u32(&seg, 4, &out->seq))
		return TCP_TRUNCATED;
	out->present = true;
	(void)bv_u32(&seg, 8, &out->ack);
	if (bv_u8(&seg, 12, &off_byte))
		out->header_len = (uint8_t)((off_byte >> 4) * 4);
	(void)bv_u8(&seg, 13, &out->flags);
	(void)bv_u16(&seg, 14, &out->window);
	(void)bv_u16(&seg, 16, &out->checksum);
	if (!bv_u16(&seg, 18, &out->urgent))
		return TCP_PARTIAL;
	out->full_header = true;

	hl = out->header_len;
	if (hl < TCP_MIN_HEADER)
		return TCP_MALFORMED;
	avail = seg.len < hl ? seg.len : hl;
	out->options_complete = avail == hl;
	opts = bv_tail(&seg, TCP_MIN_HEADER);
	opts.len = avail - TCP_MIN_HEADER;
	out->options_len = (uint8_t)opts.len;
	(void)bv_copy(&opts, 0, out->options, opts.len);
	walk_options(opts, hl - TCP_MIN_HEADER, out);
	return TCP_OK;
}

bool tcp_mpc_anomalous(const struct tcp_info *t)
{
	for (uint8_t i = 0; i < t->n_mpc; i++)
		if (t->mpc[i].anomalies)
			return true;
	return false;
}

void tcp_options_zero_timestamps(uint8_t *opts, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint8_t kind = opts[i];
		if (kind == TCP_OPT_EOL)
			return;
		if (kind == TCP_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || opts[i + 1] < 2 || opts[i + 1] > len - i)
			return;
		uint8_t olen = opts[i + 1];
		if (kind == TCP_OPT_TIMESTAMP && olen == 10)
			memset(opts + i + 2, 0, 8);
		i += olen;
	}
}
