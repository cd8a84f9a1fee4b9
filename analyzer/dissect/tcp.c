/* tcp.c — TCP header, and the options that matter decoded from the option
 * iterator of tcp.h (the one walk over options in mpcap).
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

static void decode_options(struct byte_view opts, size_t declared, struct tcp_info *t)
{
	struct tcp_opts it;
	struct tcp_opt o;
	enum tcp_opts_status st;

	tcp_opts_begin(&it, opts, declared);
	while ((st = tcp_opts_next(&it, &o)) == TCP_OPTS_MORE) {
		switch (o.kind) {
		case TCP_OPT_MSS:
			if (o.len == 4) {
				uint16_t mss = 0;
				(void)bv_u16(&o.bytes, 2, &mss);
				t->mss = mss;
			}
			break;
		case TCP_OPT_WSCALE:
			if (o.len == 3) {
				uint8_t shift = 0;
				(void)bv_u8(&o.bytes, 2, &shift);
				t->wscale = shift;
			}
			break;
		case TCP_OPT_MPTCP:
			if (t->n_mpc < MPC_MAX_PER_PACKET &&
			    mpc_decode(o.bytes, t->flags, &t->mpc[t->n_mpc]) == MPC_OK) {
				t->mpc[t->n_mpc].offset = (uint8_t)o.off;
				t->n_mpc++;
			}
			break;
		default:
			break;
		}
	}
	if (st == TCP_OPTS_MALFORMED)
		t->options_malformed = true;
}

/* Decodes the options from memo when they are those it walked last.  The
 * segment's own bytes are compared (opts), not the copy just made in t: a
 * wide load of bytes just stored narrower would wait on store forwarding. */
static bool memo_hit(const struct tcp_opts_memo *m, const struct tcp_info *t, const struct byte_view *opts,
                     size_t declared)
{
	return m->valid && m->len == t->options_len && m->declared == declared && m->flags == t->flags &&
	       bv_equal(opts, 0, m->bytes, t->options_len);
}

static void memo_use(const struct tcp_opts_memo *m, struct tcp_info *t)
{
	t->options_malformed = m->malformed;
	t->mss = m->mss;
	t->wscale = m->wscale;
	t->n_mpc = m->n_mpc;
	memcpy(t->mpc, m->mpc, m->n_mpc * sizeof m->mpc[0]);
}

static void memo_keep(struct tcp_opts_memo *m, const struct tcp_info *t, size_t declared)
{
	m->valid = true;
	m->flags = t->flags;
	m->declared = (uint8_t)declared;
	m->len = t->options_len;
	memcpy(m->bytes, t->options, t->options_len);
	m->malformed = t->options_malformed;
	m->mss = t->mss;
	m->wscale = t->wscale;
	m->n_mpc = t->n_mpc;
	memcpy(m->mpc, t->mpc, t->n_mpc * sizeof t->mpc[0]);
}

int tcp_parse(struct byte_view seg, struct tcp_info *out)
{
	return tcp_parse_memo(seg, out, NULL);
}

int tcp_parse_memo(struct byte_view seg, struct tcp_info *out, struct tcp_opts_memo *memo)
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
	if (memo && memo_hit(memo, out, &opts, hl - TCP_MIN_HEADER)) {
		memo_use(memo, out);
		return TCP_OK;
	}
	decode_options(opts, hl - TCP_MIN_HEADER, out);
	if (memo)
		memo_keep(memo, out, hl - TCP_MIN_HEADER);
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
	struct tcp_opts it;
	struct tcp_opt o;

	tcp_opts_begin(&it, bv_make(opts, len), len);
	while (tcp_opts_next(&it, &o) == TCP_OPTS_MORE)
		if (o.kind == TCP_OPT_TIMESTAMP && o.len == 10)
			memset(opts + o.off + 2, 0, 8);
}
