/* test_tcp.c — TCP header and option walk (tcp.c, RFC 9293). */
#include <criterion/criterion.h>
#include <string.h>

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
