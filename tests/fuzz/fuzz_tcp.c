/* fuzz_tcp.c — libFuzzer harness: the TCP option walk and MP_CAPABLE decoder.
 *
 * Input: byte 0 is the TCP flags; the rest is used three ways:
 *  1. as a whole TCP segment, parsed by tcp_parse() (any data offset);
 *  2. as the option block of a well-formed 20-byte header whose data offset
 *     covers it (cut to 40 bytes), so the walk sees every option sequence;
 *  3. as one option handed straight to mpc_decode() (any length byte, any
 *     number of bytes present);
 * and tcp_options_zero_timestamps() runs on the option block.  Invariants:
 * decoded MP_CAPABLE fields exist only when the length and the bytes allow
 * them; the offsets recorded point at kind 30 inside the block; zeroing
 * timestamps is idempotent and touches nothing but timestamp values.
 */
#include <string.h>

#include "analyzer/dissect/mpcapable.h"
#include "analyzer/dissect/tcp.h"
#include "fuzz.h"

static void check_mpc(const struct mpc_option *m, size_t present)
{
	FUZZ_CHECK(m->length >= 3);
	FUZZ_CHECK(!m->has_flags || (m->length >= 4 && present >= 4));
	FUZZ_CHECK(!m->has_sender_key || (m->length >= 12 && present >= 12));
	FUZZ_CHECK(!m->has_receiver_key || (m->length >= 20 && present >= 20));
	FUZZ_CHECK(!m->has_data_len || (m->length >= 22 && present >= 22));
	FUZZ_CHECK(!m->has_checksum || (m->length >= 24 && present >= 24));
	FUZZ_CHECK((m->anomalies & ~7u) == 0);
}

static void check_tcp(const struct tcp_info *t, const uint8_t *opts_base)
{
	FUZZ_CHECK(t->options_len <= TCP_OPTIONS_MAX);
	FUZZ_CHECK(t->n_mpc <= MPC_MAX_PER_PACKET);
	for (unsigned i = 0; i < t->n_mpc; i++) {
		const struct mpc_option *m = &t->mpc[i];
		FUZZ_CHECK((size_t)m->offset + 3 <= t->options_len);
		FUZZ_CHECK(t->options[m->offset] == TCP_OPT_MPTCP);
		if (opts_base)
			FUZZ_CHECK(opts_base[m->offset] == TCP_OPT_MPTCP);
		check_mpc(m, t->options_len - m->offset);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t flags = data[0];
	const uint8_t *rest = data + 1;
	size_t n = size - 1;
	struct tcp_info t;

	/* 1. a raw segment */
	uint8_t *seg = malloc(n ? n : 1);
	FUZZ_CHECK(seg != NULL);
	memcpy(seg, rest, n);
	int st = tcp_parse(bv_make(seg, n), &t);
	FUZZ_CHECK(st >= TCP_OK && st <= TCP_MALFORMED);
	if (st == TCP_OK)
		check_tcp(&t, seg + 20);
	free(seg);

	/* 2. the bytes as the options of a valid header */
	size_t olen = n > TCP_OPTIONS_MAX ? TCP_OPTIONS_MAX : n;
	size_t hl = 20 + ((olen + 3) & ~(size_t)3);
	uint8_t *hdr = calloc(1, hl);
	FUZZ_CHECK(hdr != NULL);
	hdr[12] = (uint8_t)((hl / 4) << 4);
	hdr[13] = flags;
	memcpy(hdr + 20, rest, olen);
	st = tcp_parse(bv_make(hdr, hl), &t);
	FUZZ_CHECK(st == TCP_OK);
	FUZZ_CHECK(t.full_header && t.options_complete && t.header_len == hl);
	FUZZ_CHECK(t.flags == flags);
	FUZZ_CHECK(memcmp(t.options, hdr + 20, hl - 20) == 0);
	check_tcp(&t, hdr + 20);
	/* the same header cut at every length: never more than the full parse */
	for (size_t cut = 0; cut < hl; cut += 7) {
		struct tcp_info c;
		uint8_t *p = malloc(cut ? cut : 1);
		FUZZ_CHECK(p != NULL);
		memcpy(p, hdr, cut);
		(void)tcp_parse(bv_make(p, cut), &c);
		if (c.present && c.full_header) {
			FUZZ_CHECK(!c.options_complete);
			FUZZ_CHECK(c.n_mpc <= t.n_mpc);
		}
		free(p);
	}

	/* zeroing timestamps: idempotent, only TSval/TSecr bytes change */
	uint8_t z1[TCP_OPTIONS_MAX], z2[TCP_OPTIONS_MAX];
	memcpy(z1, hdr + 20, hl - 20);
	tcp_options_zero_timestamps(z1, hl - 20);
	memcpy(z2, z1, hl - 20);
	tcp_options_zero_timestamps(z2, hl - 20);
	FUZZ_CHECK(memcmp(z1, z2, hl - 20) == 0);
	for (size_t i = 0; i < hl - 20; i++)
		FUZZ_CHECK(z1[i] == hdr[20 + i] || z1[i] == 0);
	free(hdr);

	/* 3. one option straight into the decoder */
	uint8_t *opt = malloc(n ? n : 1);
	FUZZ_CHECK(opt != NULL);
	memcpy(opt, rest, n);
	struct mpc_option m;
	if (mpc_decode(bv_make(opt, n), flags, &m) == MPC_OK) {
		FUZZ_CHECK(n >= 3 && opt[0] == TCP_OPT_MPTCP && (opt[2] >> 4) == 0);
		check_mpc(&m, n < m.length ? n : m.length);
	}
	free(opt);
	return 0;
}
