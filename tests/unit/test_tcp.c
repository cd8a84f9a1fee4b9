/* test_tcp.c — TCP header and option walk (tcp.c, RFC 9293): hand-built
 * headers, the option iterator on every edge, and the iterator's options
 * compared with tshark's tcp.option_kind / tcp.option_len on hand-built
 * segments, the corpus of real captures ($CORPUS) and samples/captures. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/dissect/dissect.h"
#include "analyzer/dissect/tcp.h"

/* A TCP header 12345 -> 80, seq 0x01020304, ack 0x0a0b0c0d, window 0x7210,
 * checksum 0xabcd, urgent 0x0001, with the given flags and options (padded
 * to a multiple of 4 with EOL unless exact).  Returns the header length. */
static size_t seg(uint8_t *b, uint8_t flags, const uint8_t *opts, size_t olen)
{
	static const uint8_t fixed[20] = { 0x30, 0x39, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b,
		                           0x0c, 0x0d, 0x00, 0x00, 0x72, 0x10, 0xab, 0xcd, 0x00, 0x01 };
	size_t padded = (olen + 3) / 4 * 4;
	memcpy(b, fixed, 20);
	if (olen)
		memcpy(b + 20, opts, olen);
	memset(b + 20 + olen, 0, padded - olen);
	b[12] = (uint8_t)((20 + padded) / 4 << 4);
	b[13] = flags;
	return 20 + padded;
}

static int parse(const uint8_t *b, size_t n, struct tcp_info *t)
{
	memset(t, 0xee, sizeof *t); /* the parser must not rely on a clean struct */
	return tcp_parse(bv_make(b, n), t);
}

/* Runs the segment through dissect_packet() inside an IPv4 packet on DLT_RAW. */
static void dissect_seg(const uint8_t *s, size_t n, uint16_t ip_total, struct packet *pkt)
{
	uint8_t b[128] = { 0x45, 0, 0, 0, 0, 0, 0, 0, 64, 6, 0, 0, 192, 0, 2, 1, 203, 0, 113, 2 };
	b[2] = (uint8_t)(ip_total >> 8);
	b[3] = (uint8_t)ip_total;
	memcpy(b + 20, s, n);
	memset(pkt, 0x33, sizeof *pkt);
	dissect_packet(12, b, (uint32_t)(20 + n), pkt);
}

Test(tcp, fixed_header)
{
	uint8_t b[64];
	struct tcp_info t;
	size_t n = seg(b, TCP_FLAG_SYN | TCP_FLAG_ACK, NULL, 0);
	cr_assert_eq(parse(b, n, &t), TCP_OK);
	cr_expect(t.present && t.full_header);
	cr_expect_eq(t.sport, 12345);
	cr_expect_eq(t.dport, 80);
	cr_expect_eq(t.seq, 0x01020304u);
	cr_expect_eq(t.ack, 0x0a0b0c0du);
	cr_expect_eq(t.flags, TCP_FLAG_SYN | TCP_FLAG_ACK);
	cr_expect_eq(t.window, 0x7210);
	cr_expect_eq(t.checksum, 0xabcd);
	cr_expect_eq(t.urgent, 1);
	cr_expect_eq(t.header_len, 20);
	cr_expect_eq(t.options_len, 0);
	cr_expect(t.options_complete);
	cr_expect_not(t.options_malformed);
	cr_expect_eq(t.mss, -1);
	cr_expect_eq(t.wscale, -1);
	cr_expect_eq(t.n_mpc, 0);
}

Test(tcp, truncated_header)
{
	uint8_t b[64];
	struct tcp_info t;
	struct packet pkt;
	seg(b, TCP_FLAG_SYN, NULL, 0);
	cr_assert_eq(parse(b, 8, &t), TCP_PARTIAL, "RFC 792 quote: 8 bytes");
	cr_expect(t.present);
	cr_expect_not(t.full_header);
	cr_expect_eq(t.sport, 12345);
	cr_expect_eq(t.dport, 80);
	cr_expect_eq(t.seq, 0x01020304u);
	cr_expect_eq(t.ack, 0);
	cr_expect_eq(t.flags, 0);
	cr_expect_eq(t.n_mpc, 0);
	cr_expect_eq(t.options_len, 0);
	cr_assert_eq(parse(b, 14, &t), TCP_PARTIAL);
	cr_expect_eq(t.ack, 0x0a0b0c0du);
	cr_expect_eq(t.flags, TCP_FLAG_SYN);
	cr_expect_eq(t.header_len, 20);
	cr_expect_eq(parse(b, 19, &t), TCP_PARTIAL);
	cr_expect_eq(parse(b, 7, &t), TCP_TRUNCATED);
	cr_expect_not(t.present);
	cr_expect_eq(parse(NULL, 0, &t), TCP_TRUNCATED);
	dissect_seg(b, 12, 60, &pkt);
	cr_expect_eq(pkt.skip, SKIP_TCP_TRUNCATED);
	cr_expect_str_eq(skip_reason_name(pkt.skip), "tcp-truncated");
}

Test(tcp, data_offset_below_five)
{
	uint8_t b[64];
	struct tcp_info t;
	struct packet pkt;
	seg(b, TCP_FLAG_SYN, NULL, 0);
	b[12] = 0x40;
	cr_expect_eq(parse(b, 20, &t), TCP_MALFORMED);
	cr_expect(t.present && t.full_header);
	cr_expect_eq(t.header_len, 16);
	cr_expect_eq(t.options_len, 0);
	dissect_seg(b, 20, 40, &pkt);
	cr_expect_eq(pkt.skip, SKIP_TCP_MALFORMED);
	cr_expect_str_eq(skip_reason_name(pkt.skip), "tcp-malformed");
}

Test(tcp, linux_syn_options)
{
	/* MSS 1460, SACK permitted, timestamps, NOP, window scale 7 */
	static const uint8_t o[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7 };
	uint8_t b[64];
	struct tcp_info t;
	size_t n = seg(b, TCP_FLAG_SYN, o, sizeof o);
	cr_assert_eq(parse(b, n, &t), TCP_OK);
	cr_expect_eq(t.header_len, 40);
	cr_expect_eq(t.options_len, 20);
	cr_expect_arr_eq(t.options, o, sizeof o);
	cr_expect_eq(t.mss, 1460);
	cr_expect_eq(t.wscale, 7);
	cr_expect(t.options_complete);
	cr_expect_not(t.options_malformed);
}

Test(tcp, option_length_zero_and_one)
{
	static const uint8_t len0[] = { 1, 1, 8, 0, 2, 4, 5, 0xb4 };
	static const uint8_t len1[] = { 2, 1, 2, 4, 5, 0xb4, 1, 1 };
	uint8_t b[64];
	struct tcp_info t;
	struct packet pkt;
	size_t n = seg(b, TCP_FLAG_SYN, len0, sizeof len0);
	cr_assert_eq(parse(b, n, &t), TCP_OK);
	cr_expect(t.options_malformed);
	cr_expect_eq(t.mss, -1, "walk stopped before the MSS");
	cr_expect_eq(t.options_len, 8, "the bytes are still copied");
	dissect_seg(b, n, (uint16_t)(20 + n), &pkt);
	cr_expect_eq(pkt.skip, SKIP_NONE);
	cr_expect_eq(pkt.notes, 1u << NOTE_TCP_OPTIONS_MALFORMED);
	n = seg(b, TCP_FLAG_SYN, len1, sizeof len1);
	cr_assert_eq(parse(b, n, &t), TCP_OK);
	cr_expect(t.options_malformed);
	cr_expect_eq(t.mss, -1);
}

Test(tcp, option_past_the_header)
{
	/* a timestamp option (10 bytes) starting 4 bytes before the end of an 8-byte area */
	static const uint8_t past[] = { 2, 4, 5, 0xb4, 8, 10, 0, 0 };
	/* a kind byte in the header's last byte: no room for its length */
	static const uint8_t last[] = { 2, 4, 5, 0xb4, 1, 1, 1, 3 };
	uint8_t b[64];
	struct tcp_info t;
	size_t n = seg(b, TCP_FLAG_SYN, past, sizeof past);
	memset(b + n, 0xaa, 16); /* payload bytes after the header are never read as options */
	cr_assert_eq(parse(b, n + 16, &t), TCP_OK);
	cr_expect(t.options_malformed);
	cr_expect(t.options_complete);
	cr_expect_eq(t.mss, 1460);
	cr_expect_eq(t.options_len, 8);
	n = seg(b, TCP_FLAG_SYN, last, sizeof last);
	memset(b + n, 0x03, 16);
	cr_assert_eq(parse(b, n + 16, &t), TCP_OK);
	cr_expect(t.options_malformed);
	cr_expect_eq(t.wscale, -1);
}

Test(tcp, eol_then_garbage)
{
	static const uint8_t o[] = { 2, 4, 5, 0xb4, 0, 0x99, 0x00, 3, 3, 9, 0xff, 0x01 };
	uint8_t b[64];
	struct tcp_info t;
	size_t n = seg(b, TCP_FLAG_SYN, o, sizeof o);
	cr_assert_eq(parse(b, n, &t), TCP_OK);
	cr_expect_not(t.options_malformed);
	cr_expect_eq(t.mss, 1460);
	cr_expect_eq(t.wscale, -1, "nothing after EOL is read");
	cr_expect_eq(t.options_len, 12);
	cr_expect_arr_eq(t.options, o, sizeof o);
}

Test(tcp, nop_runs)
{
	uint8_t o[40], b[64];
	struct tcp_info t;
	memset(o, 1, sizeof o);
	size_t n = seg(b, TCP_FLAG_SYN, o, sizeof o);
	cr_assert_eq(parse(b, n, &t), TCP_OK);
	cr_expect_eq(t.header_len, 60);
	cr_expect_eq(t.options_len, 40);
	cr_expect_not(t.options_malformed);
	o[36] = 3, o[37] = 3, o[38] = 14, o[39] = 1;
	n = seg(b, TCP_FLAG_SYN, o, sizeof o);
	cr_assert_eq(parse(b, n, &t), TCP_OK);
	cr_expect_eq(t.wscale, 14);
	cr_expect_not(t.options_malformed);
}

Test(tcp, option_cut_by_caplen)
{
	static const uint8_t o[] = { 1, 1, 0x1e, 0x0c, 0x00, 0x81, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1 };
	uint8_t b[64];
	struct tcp_info t;
	struct packet pkt;
	size_t n = seg(b, TCP_FLAG_SYN, o, sizeof o);
	cr_assert_eq(n, 36);
	cr_assert_eq(parse(b, 30, &t), TCP_OK);
	cr_expect_not(t.options_complete);
	cr_expect_not(t.options_malformed);
	cr_expect_eq(t.n_mpc, 0, "a cut MP_CAPABLE is not decoded");
	cr_expect_eq(t.options_len, 10);
	cr_expect_arr_eq(t.options, o, 10);
	cr_expect_eq(t.header_len, 36);
	/* as a captured packet: used, with a note */
	dissect_seg(b, 30, 76, &pkt);
	cr_expect_eq(pkt.skip, SKIP_NONE);
	cr_expect_eq(pkt.notes, 1u << NOTE_TCP_OPTIONS_TRUNCATED);
	cr_expect_str_eq(dissect_note_name(NOTE_TCP_OPTIONS_TRUNCATED), "tcp-options-truncated");
	/* cut between the kind and the length byte */
	cr_assert_eq(parse(b, 23, &t), TCP_OK);
	cr_expect_not(t.options_malformed);
	cr_expect_not(t.options_complete);
	cr_expect_eq(t.options_len, 3);
	/* the whole option area captured */
	cr_assert_eq(parse(b, 36, &t), TCP_OK);
	cr_expect(t.options_complete);
	cr_expect_eq(t.n_mpc, 1);
	cr_expect_eq(t.mpc[0].offset, 2);
	cr_expect_eq(t.mpc[0].sender_key, UINT64_C(0x0102030405060708));
}

Test(tcp, forty_bytes_with_mp_capable)
{
	/* MSS, SACK-permitted, timestamps, NOP, window scale, MP_CAPABLE v0 20 bytes = 40 */
	static const uint8_t o[40] = { 2,    4,    0x05, 0xa0, 4,    2,    8,    10,   0,    0,
		                       0x10, 0x00, 0,    0,    0,    0,    1,    3,    3,    8,
		                       0x1e, 0x14, 0x00, 0x81, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
		                       0x00, 0x11, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
	uint8_t b[64];
	struct tcp_info t;
	struct packet pkt;
	size_t n = seg(b, TCP_FLAG_ACK, o, sizeof o);
	cr_assert_eq(n, 60);
	cr_assert_eq(parse(b, n, &t), TCP_OK);
	cr_expect_eq(t.options_len, 40);
	cr_expect_arr_eq(t.options, o, 40);
	cr_expect_eq(t.mss, 1440);
	cr_expect_eq(t.wscale, 8);
	cr_expect_not(t.options_malformed);
	cr_assert_eq(t.n_mpc, 1);
	cr_expect_eq(t.mpc[0].offset, 20);
	cr_expect_eq(t.mpc[0].length, 20);
	cr_expect_eq(t.mpc[0].sender_key, UINT64_C(0xaabbccddeeff0011));
	cr_expect_eq(t.mpc[0].receiver_key, UINT64_C(0x1122334455667788));
	cr_expect_eq(t.mpc[0].anomalies, 0);
	dissect_seg(b, n, 80, &pkt);
	cr_expect_eq(pkt.notes, 0);
	/* the same option on a SYN: kept, flagged, noted */
	n = seg(b, TCP_FLAG_SYN, o, sizeof o);
	dissect_seg(b, n, 80, &pkt);
	cr_expect_eq(pkt.skip, SKIP_NONE);
	cr_assert_eq(pkt.tcp.n_mpc, 1);
	cr_expect_eq(pkt.tcp.mpc[0].anomalies, MPC_ANOM_LENGTH_SEGMENT);
	cr_expect_eq(pkt.notes, 1u << NOTE_MPC_ANOMALY);
	cr_expect_str_eq(dissect_note_name(NOTE_MPC_ANOMALY), "mpc-anomaly");
}

Test(tcp, several_mptcp_options)
{
	/* five 4-byte MP_CAPABLE, a DSS (subtype 2) and a 2-byte kind 30 */
	static const uint8_t o[] = { 0x1e, 4,    0x01, 0x81, 0x1e, 4,    0x01, 0x01, 0x1e, 4,
		                     0x01, 0x02, 0x1e, 4,    0x01, 0x03, 0x1e, 4,    0x01, 0x04,
		                     0x1e, 4,    0x20, 0x01, 0x1e, 2,    1,    1 };
	uint8_t b[64];
	struct tcp_info t;
	size_t n = seg(b, TCP_FLAG_SYN, o, sizeof o);
	cr_assert_eq(parse(b, n, &t), TCP_OK);
	cr_expect_not(t.options_malformed);
	cr_assert_eq(t.n_mpc, MPC_MAX_PER_PACKET);
	for (int i = 0; i < MPC_MAX_PER_PACKET; i++) {
		cr_expect_eq(t.mpc[i].offset, 4 * i);
		cr_expect_eq(t.mpc[i].version, 1);
		cr_expect_eq(t.mpc[i].anomalies, 0);
	}
	cr_expect_eq(t.mpc[0].flags, 0x81);
	cr_expect_eq(t.mpc[3].flags, 0x03);
}

Test(tcp, wrong_length_mss_and_wscale_ignored)
{
	static const uint8_t o[] = { 2, 6, 5, 0xb4, 0, 0, 3, 4, 7, 0 };
	uint8_t b[64];
	struct tcp_info t;
	size_t n = seg(b, TCP_FLAG_SYN, o, sizeof o);
	cr_assert_eq(parse(b, n, &t), TCP_OK);
	cr_expect_eq(t.mss, -1);
	cr_expect_eq(t.wscale, -1);
	cr_expect_not(t.options_malformed);
}

/* ---- the option iterator ---------------------------------------------------------------- */

#define MAX_SEEN 48

struct seen {
	int n;
	uint8_t kind[MAX_SEEN], len[MAX_SEEN];
	size_t off[MAX_SEEN];
	enum tcp_opts_status end;
};

/* Walks b[0..captured) as an area of `declared` bytes; checks that every
 * option's view points into b at its offset with its length. */
static void walk(const uint8_t *b, size_t captured, size_t declared, struct seen *s)
{
	struct tcp_opts it;
	struct tcp_opt o;
	enum tcp_opts_status st;
	memset(s, 0, sizeof *s);
	tcp_opts_begin(&it, bv_make(b, captured), declared);
	while ((st = tcp_opts_next(&it, &o)) == TCP_OPTS_MORE) {
		cr_assert_lt(s->n, MAX_SEEN);
		cr_assert_eq(o.bytes.data, b + o.off, "the view starts at the option");
		cr_assert_eq(o.bytes.len, o.len);
		cr_assert_leq(o.off + o.len, captured < declared ? captured : declared,
		              "option [%zu, %zu) outside the captured area", o.off, o.off + o.len);
		cr_assert_eq(o.kind, b[o.off]);
		s->kind[s->n] = o.kind;
		s->len[s->n] = o.len;
		s->off[s->n] = o.off;
		s->n++;
	}
	s->end = st;
	cr_assert_eq(tcp_opts_next(&it, &o), st, "the end is sticky");
}

Test(tcp_opts, empty_area)
{
	struct seen s;
	walk((const uint8_t *)"", 0, 0, &s);
	cr_expect_eq(s.n, 0);
	cr_expect_eq(s.end, TCP_OPTS_END);
	walk((const uint8_t *)"", 0, 4, &s);
	cr_expect_eq(s.n, 0);
	cr_expect_eq(s.end, TCP_OPTS_CUT, "4 declared bytes, none captured");
}

Test(tcp_opts, linux_syn)
{
	static const uint8_t o[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7 };
	static const uint8_t kinds[] = { 2, 4, 8, 1, 3 }, lens[] = { 2 + 2, 2, 10, 1, 3 };
	static const size_t offs[] = { 0, 4, 6, 16, 17 };
	struct seen s;
	walk(o, sizeof o, sizeof o, &s);
	cr_assert_eq(s.n, 5);
	for (int i = 0; i < 5; i++) {
		cr_expect_eq(s.kind[i], kinds[i]);
		cr_expect_eq(s.len[i], lens[i]);
		cr_expect_eq(s.off[i], offs[i]);
	}
	cr_expect_eq(s.end, TCP_OPTS_END);
}

Test(tcp_opts, eol_ends_the_walk)
{
	/* EOL is given once, then nothing after it is read, however well formed */
	static const uint8_t o[] = { 2, 4, 5, 0xb4, 0, 3, 3, 9, 1, 1, 1, 1 };
	struct seen s;
	walk(o, sizeof o, sizeof o, &s);
	cr_assert_eq(s.n, 2);
	cr_expect_eq(s.kind[1], TCP_OPT_EOL);
	cr_expect_eq(s.len[1], 1);
	cr_expect_eq(s.off[1], 4);
	cr_expect_eq(s.end, TCP_OPTS_END);
	/* EOL as the first byte */
	walk(o + 4, 8, 8, &s);
	cr_expect_eq(s.n, 1);
	cr_expect_eq(s.kind[0], TCP_OPT_EOL);
	cr_expect_eq(s.end, TCP_OPTS_END);
}

Test(tcp_opts, nops)
{
	uint8_t o[40];
	struct seen s;
	memset(o, TCP_OPT_NOP, sizeof o);
	walk(o, sizeof o, sizeof o, &s);
	cr_expect_eq(s.n, 40, "every NOP is an option of length 1");
	for (int i = 0; i < s.n; i++)
		cr_expect(s.kind[i] == TCP_OPT_NOP && s.len[i] == 1 && s.off[i] == (size_t)i);
	cr_expect_eq(s.end, TCP_OPTS_END);
	o[37] = 3, o[38] = 3, o[39] = 14; /* window scale in the last three bytes */
	walk(o, sizeof o, sizeof o, &s);
	cr_assert_eq(s.n, 38);
	cr_expect(s.kind[37] == 3 && s.len[37] == 3 && s.off[37] == 37);
	cr_expect_eq(s.end, TCP_OPTS_END);
}

Test(tcp_opts, length_below_two)
{
	static const uint8_t len0[] = { 1, 1, 8, 0, 2, 4, 5, 0xb4 };
	static const uint8_t len1[] = { 2, 1, 2, 4, 5, 0xb4, 1, 1 };
	struct seen s;
	walk(len0, sizeof len0, sizeof len0, &s);
	cr_expect_eq(s.n, 2, "the two NOPs before the bad option");
	cr_expect_eq(s.end, TCP_OPTS_MALFORMED);
	walk(len1, sizeof len1, sizeof len1, &s);
	cr_expect_eq(s.n, 0);
	cr_expect_eq(s.end, TCP_OPTS_MALFORMED);
}

Test(tcp_opts, truncated_length)
{
	/* MP_CAPABLE of 12 bytes after two NOPs, in a 16-byte area */
	static const uint8_t o[16] = { 1, 1, 0x1e, 0x0c, 0x00, 0x81, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1 };
	uint8_t buf[32];
	struct seen s;
	/* the bytes beyond the captured ones would read as a valid option: they must not be read */
	memset(buf, 0, sizeof buf);
	memcpy(buf, o, sizeof o);
	walk(buf, 3, 16, &s); /* cut between kind and length */
	cr_expect_eq(s.n, 2);
	cr_expect_eq(s.end, TCP_OPTS_CUT);
	walk(buf, 10, 16, &s); /* cut inside the option */
	cr_expect_eq(s.n, 2);
	cr_expect_eq(s.end, TCP_OPTS_CUT);
	walk(buf, 14, 16, &s); /* cut after it */
	cr_expect_eq(s.n, 3);
	cr_expect(s.kind[2] == 0x1e && s.len[2] == 12 && s.off[2] == 2);
	cr_expect_eq(s.end, TCP_OPTS_CUT);
	walk(buf, 16, 16, &s);
	cr_expect_eq(s.n, 5);
	cr_expect_eq(s.end, TCP_OPTS_END);
}

Test(tcp_opts, option_past_the_header)
{
	/* a timestamp (10 bytes) starting 4 bytes before the end of an 8-byte area,
	 * with 16 more bytes captured after it (payload, never options) */
	static const uint8_t past[24] = { 2, 4, 5, 0xb4, 8, 10, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1 };
	/* a kind in the area's last byte: no room for its length byte */
	static const uint8_t last[24] = { 2, 4, 5, 0xb4, 1, 1, 1, 3, 3, 3, 3, 3 };
	struct seen s;
	walk(past, sizeof past, 8, &s);
	cr_expect_eq(s.n, 1);
	cr_expect_eq(s.end, TCP_OPTS_MALFORMED);
	walk(last, sizeof last, 8, &s);
	cr_expect_eq(s.n, 4, "MSS and three NOPs");
	cr_expect_eq(s.end, TCP_OPTS_MALFORMED);
	/* the same areas cut by the capture before the bad option: cut, not malformed */
	walk(past, 4, 8, &s);
	cr_expect_eq(s.n, 1);
	cr_expect_eq(s.end, TCP_OPTS_CUT);
	/* an option ending exactly at the end of the area is fine */
	walk(past, sizeof past, 14, &s);
	cr_expect_eq(s.n, 2);
	cr_expect(s.kind[1] == 8 && s.len[1] == 10);
	cr_expect_eq(s.end, TCP_OPTS_END);
}

Test(tcp_opts, all_walkers_agree)
{
	/* tcp_parse, tcp_options_zero_timestamps and the iterator on one block
	 * with two timestamps, a malformed tail and an MP_CAPABLE */
	uint8_t o[40] = { 8,    10, 1,  2, 3, 4, 5, 6, 7, 8, 1, 0x1e, 4, 0x01,
		          0x81, 8,  10, 9, 9, 9, 9, 9, 9, 9, 9, 2,    1 };
	uint8_t b[64];
	struct tcp_info t;
	struct seen s;
	size_t n = seg(b, TCP_FLAG_SYN, o, 27);
	cr_assert_eq(parse(b, n, &t), TCP_OK);
	cr_expect(t.options_malformed);
	cr_expect_eq(t.n_mpc, 1);
	cr_expect_eq(t.mpc[0].offset, 11);
	walk(o, 28, 28, &s);
	cr_expect_eq(s.n, 4);
	cr_expect_eq(s.end, TCP_OPTS_MALFORMED);
	tcp_options_zero_timestamps(o, 28);
	for (int i = 2; i < 10; i++)
		cr_expect_eq(o[i], 0);
	for (int i = 17; i < 25; i++)
		cr_expect_eq(o[i], 0);
	cr_expect_eq(o[11], 0x1e, "MP_CAPABLE untouched");
	cr_expect_eq(o[14], 0x81);
}

/* ---- the iterator against tshark -------------------------------------------------------- */

/* Per frame: the kinds and the lengths of options with a length field (not
 * EOL or NOP), as text: "2,4,8,1,3" and "4,2,10,3". */
struct frame_opts {
	char kinds[160], lens[160];
	bool cut;
};

struct frames {
	struct frame_opts *v;
	size_t n;
};

static struct frame_opts *frame_at(struct frames *f, size_t i)
{
	if (i >= f->n) {
		struct frame_opts *nv = realloc(f->v, (i + 1) * sizeof *nv);
		cr_assert_not_null(nv);
		memset(nv + f->n, 0, (i + 1 - f->n) * sizeof *nv);
		f->v = nv;
		f->n = i + 1;
	}
	return &f->v[i];
}

static void tshark_options(const char *path, struct frames *f)
{
	char cmd[1024], line[1024];
	snprintf(cmd, sizeof cmd,
	         "tshark -n -r '%s' -T fields -E occurrence=a -E aggregator=, -e frame.number "
	         "-e tcp.option_kind -e tcp.option_len 2>/dev/null",
	         path);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p, "popen tshark");
	while (fgets(line, sizeof line, p)) {
		line[strcspn(line, "\r\n")] = 0;
		char *k = strchr(line, '\t');
		cr_assert_not_null(k, "tshark line \"%s\"", line);
		*k++ = 0;
		char *l = strchr(k, '\t');
		cr_assert_not_null(l);
		*l++ = 0;
		long fr = strtol(line, NULL, 10);
		cr_assert_gt(fr, 0);
		struct frame_opts *o = frame_at(f, (size_t)fr - 1);
		snprintf(o->kinds, sizeof o->kinds, "%s", k);
		snprintf(o->lens, sizeof o->lens, "%s", l);
		/* tshark shows the zero bytes of padding after EOL as more EOLs: RFC 9293
		 * ends the list at the first EOL, so the list is cut after it */
		for (char *c = o->kinds; *c; c = strchr(c, ',') ? strchr(c, ',') + 1 : c + strlen(c))
			if (c[0] == '0' && (c[1] == ',' || c[1] == 0)) {
				c[1] = 0;
				break;
			}
	}
	cr_assert_eq(pclose(p), 0, "tshark failed on %s", path);
}

static void append(char *dst, size_t n, unsigned v)
{
	size_t u = strlen(dst);
	snprintf(dst + u, n - u, "%s%u", u ? "," : "", v);
}

/* The iterator's options of one dissected TCP header, appended to o. */
static void our_options(const struct tcp_info *t, struct frame_opts *o)
{
	if (!t->present || !t->full_header || t->header_len < TCP_MIN_HEADER)
		return;
	struct tcp_opts it;
	struct tcp_opt opt;
	tcp_opts_begin(&it, bv_make(t->options, t->options_len), (size_t)t->header_len - TCP_MIN_HEADER);
	while (tcp_opts_next(&it, &opt) == TCP_OPTS_MORE) {
		append(o->kinds, sizeof o->kinds, opt.kind);
		if (opt.kind != TCP_OPT_EOL && opt.kind != TCP_OPT_NOP)
			append(o->lens, sizeof o->lens, opt.len);
	}
	o->cut |= !t->options_complete;
}

struct tally {
	size_t frames, options, cut;
};

/* Compares every frame of path, adding to *n the frames compared, the
 * options in them and the frames not compared: those whose option area the
 * capture cut (tshark then lists no option at all). */
static void compare_with_tshark(const char *path, struct tally *n)
{
	struct frames ts = { 0 }, us = { 0 };
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct packet pkt;
	size_t frames = 0;
	int rc;
	tshark_options(path, &ts);
	pcap_t *pc = pcap_open_offline(path, errbuf);
	cr_assert_not_null(pc, "%s: %s", path, errbuf);
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		struct frame_opts *o = frame_at(&us, frames++);
		dissect_packet(pcap_datalink(pc), data, h->caplen, &pkt);
		if (pkt.tcp.present)
			our_options(&pkt.tcp, o);
		if (pkt.icmp.present && pkt.icmp.has_quote)
			our_options(&pkt.icmp.quoted_tcp, o);
	}
	cr_expect_eq(rc, PCAP_ERROR_BREAK, "%s: %s", path, pcap_geterr(pc));
	pcap_close(pc);
	cr_expect_eq(ts.n, frames, "%s: %zu frames in tshark, %zu read", path, ts.n, frames);
	for (size_t i = 0; i < frames && i < ts.n; i++) {
		if (us.v[i].cut) {
			n->cut++;
			continue;
		}
		n->frames++;
		for (const char *c = us.v[i].kinds; *c; c++)
			n->options += c == us.v[i].kinds || c[-1] == ',';
		cr_expect_str_eq(us.v[i].kinds, ts.v[i].kinds, "%s frame %zu: option kinds %s, tshark %s",
		                 path, i + 1, us.v[i].kinds, ts.v[i].kinds);
		cr_expect_str_eq(us.v[i].lens, ts.v[i].lens, "%s frame %zu: option lengths %s, tshark %s",
		                 path, i + 1, us.v[i].lens, ts.v[i].lens);
	}
	free(ts.v);
	free(us.v);
}

/* Hand-built option areas, written as an IPv4 (DLT_RAW) capture for tshark. */
Test(tcp_opts_tshark, edge_cases)
{
	static const struct {
		uint8_t o[40];
		size_t n;
	} cases[] = {
		{ { 2, 4, 5, 0xb4, 0, 0x99, 0, 3, 3, 9, 0xff, 1 }, 12 },          /* EOL, then garbage */
		{ { 1, 1, 8, 0, 2, 4, 5, 0xb4 }, 8 },                             /* length 0 */
		{ { 2, 1, 2, 4, 5, 0xb4, 1, 1 }, 8 },                             /* length 1 */
		{ { 2, 4, 5, 0xb4, 8, 10, 0, 0 }, 8 },                            /* past the header */
		{ { 2, 4, 5, 0xb4, 1, 1, 1, 3 }, 8 },                             /* no room for a length */
		{ { 3, 3, 7 }, 3 },                                               /* EOL padding */
		{ { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 14, 0 }, 16 },      /* NOP runs */
		{ { 2, 6, 5, 0xb4, 0, 0, 3, 4, 7, 0, 0x63, 2 }, 12 },             /* odd lengths, kind 99 */
		{ { 5, 10, 0, 0, 0, 1, 0, 0, 0, 2, 0x22, 2, 4, 2 }, 14 },         /* SACK, TFO, SACK-perm */
		{ { 0x1e, 0x0c, 0x00, 0x81, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0 }, 14 }, /* MP_CAPABLE v0 */
	};
	char path[] = "/tmp/mpcap-tcpopts-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	pcap_t *dead = pcap_open_dead(DLT_RAW, 65535);
	pcap_dumper_t *dump = pcap_dump_open(dead, path);
	cr_assert_not_null(dump, "%s", pcap_geterr(dead));
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t b[128] = { 0x45, 0, 0, 0, 0, 0, 0, 0, 64, 6, 0, 0, 192, 0, 2, 1, 203, 0, 113, 2 };
		size_t n = 20 + seg(b + 20, TCP_FLAG_SYN, cases[i].o, cases[i].n);
		b[2] = (uint8_t)(n >> 8), b[3] = (uint8_t)n;
		b[24 + 3] = (uint8_t)i; /* a distinct sequence number: no retransmission analysis */
		struct pcap_pkthdr h = { { (time_t)i, 0 }, (bpf_u_int32)n, (bpf_u_int32)n };
		pcap_dump((u_char *)dump, &h, b);
	}
	pcap_dump_close(dump);
	pcap_close(dead);
	struct tally n = { 0 };
	compare_with_tshark(path, &n);
	cr_expect_eq(n.frames, sizeof cases / sizeof cases[0]);
	cr_expect_eq(n.cut, 0);
	cr_expect_eq(n.options, 2 + 2 + 0 + 1 + 4 + 2 + 14 + 3 + 4 + 2, "%zu options compared", n.options);
	unlink(path);
}

/* Every capture of the corpus and of samples/captures. */
Test(tcp_opts_tshark, real_captures)
{
	const char *corpus = getenv("CORPUS");
	cr_assert(corpus && *corpus, "CORPUS is not set (the real captures; tests/run-all.sh sets it)");
	const char *dirs[] = { corpus, "samples/captures" };
	size_t files = 0;
	struct tally n = { 0 };
	for (size_t d = 0; d < 2; d++) {
		DIR *dir = opendir(dirs[d]);
		cr_assert_not_null(dir, "%s: cannot open", dirs[d]);
		struct dirent *e;
		while ((e = readdir(dir))) {
			size_t l = strlen(e->d_name);
			if (!(l > 5 && strcmp(e->d_name + l - 5, ".pcap") == 0) &&
			    !(l > 7 && strcmp(e->d_name + l - 7, ".pcapng") == 0))
				continue;
			char path[1024];
			snprintf(path, sizeof path, "%s/%s", dirs[d], e->d_name);
			compare_with_tshark(path, &n);
			files++;
		}
		closedir(dir);
	}
	cr_expect_geq(files, 15, "%zu captures compared", files);
	cr_expect_geq(n.options, 5000, "%zu options in %zu frames compared (%zu cut)", n.options, n.frames,
	              n.cut);
}

/* The option memo (tcp_parse_memo): a stream of segments drawn from a few
 * option blocks (repeats, a flag change, a cut block, a malformed one, a
 * different header length with the same captured bytes) decodes, field by
 * field, exactly as tcp_parse() without a memo. */
Test(tcp, option_memo_equals_the_walk)
{
	static const uint8_t mpc_syn[] = { 2, 4, 0x05, 0xb4, 4,  2,  8,    10,   1, 2, 3, 4, 0, 0, 0, 0,
		                           1, 3, 3,    7,    30, 12, 0x00, 0x81, 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t mss_only[] = { 2, 4, 0x05, 0xb4 };
	static const uint8_t bad_len[] = { 2, 1, 0, 0 };
	static const uint8_t two_mpc[] = { 30, 4, 0x00, 0x81, 30, 12, 0x01, 0x81, 1, 2, 3, 4, 5, 6, 7, 8 };
	struct {
		const uint8_t *o;
		size_t n;
	} blocks[] = { { mpc_syn, sizeof mpc_syn },
		       { mss_only, sizeof mss_only },
		       { bad_len, sizeof bad_len },
		       { two_mpc, sizeof two_mpc },
		       { NULL, 0 } };
	const uint8_t flags[] = { 0x02, 0x12, 0x04, 0x02 };
	struct tcp_opts_memo memo = { 0 };
	unsigned x = 12345;
	for (int i = 0; i < 4000; i++) {
		x = x * 1103515245u + 12345u;
		unsigned r = x >> 16;
		uint8_t b[60];
		size_t bi = r % 8 < 4 ? 0 : r % 5; /* mostly the first block, as a static-key scan */
		size_t n = seg(b, flags[(r >> 4) % 4 == 0 ? (r >> 6) % 4 : 0], blocks[bi].o, blocks[bi].n);
		if ((r >> 8) % 7 == 0 && n > 21)
			n -= 1 + (r >> 11) % (n - 21); /* options cut by the capture */
		if ((r >> 9) % 11 == 0 && n + 4 <= 60)
			b[12] = (uint8_t)(b[12] + 0x10); /* a longer declared area over the same bytes */
		struct tcp_info want, got;
		memset(&want, 0xee, sizeof want);
		memset(&got, 0xee, sizeof got);
		int sw = tcp_parse(bv_make(b, n), &want);
		int sg = tcp_parse_memo(bv_make(b, n), &got, &memo);
		cr_assert_eq(sg, sw, "segment %d", i);
		cr_assert_eq(got.options_len, want.options_len);
		cr_assert_eq(got.options_complete, want.options_complete);
		cr_assert_eq(got.options_malformed, want.options_malformed, "segment %d", i);
		cr_assert_eq(got.mss, want.mss);
		cr_assert_eq(got.wscale, want.wscale, "segment %d: %d %d n=%zu bi=%zu hl=%u st=%d", i,
		             got.wscale, want.wscale, n, bi, b[12] >> 4, sw);
		cr_assert_eq(got.n_mpc, want.n_mpc, "segment %d", i);
		cr_assert_eq(memcmp(got.options, want.options, want.options_len), 0);
		cr_assert_eq(memcmp(got.mpc, want.mpc, want.n_mpc * sizeof want.mpc[0]), 0, "segment %d", i);
	}
}
