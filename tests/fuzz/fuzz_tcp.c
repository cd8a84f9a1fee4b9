/* fuzz_tcp.c — libFuzzer harness: the TCP option walk and MP_CAPABLE decoder.
 *
 * Input: byte 0 is the TCP flags; the rest is used three ways:
 *  1. as a whole TCP segment, parsed by tcp_parse() (any data offset);
 *  2. as the option block of a well-formed 20-byte header whose data offset
 *     covers it (cut to 40 bytes), so the walk sees every option sequence;
 *  3. as one option handed straight to mpc_decode() (any length byte, any
 *     number of bytes present);
 * and tcp_options_zero_timestamps() runs on the option block; 4. the option
 * iterator walks the bytes as areas of several declared sizes, each cut at
 * several captured lengths (an exact-size copy: ASan sees any read past it).
 * Invariants:
 * decoded MP_CAPABLE fields exist only when the length and the bytes allow
 * them; the offsets recorded point at kind 30 inside the block; zeroing
 * timestamps is idempotent and touches nothing but timestamp values; the
 * iterator's options follow each other without gaps inside both limits, EOL
 * is the last, a cut walk gives a prefix of the whole one, and the whole walk
 * is malformed exactly when tcp_parse() says options_malformed.
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

#define WALK_MAX 64

/* Walks the first `captured` bytes of b as an area of `declared` bytes into
 * off/len (at most WALK_MAX options); returns the status, *k the count. */
static enum tcp_opts_status walk(const uint8_t *b, size_t captured, size_t declared, size_t *off,
                                 uint8_t *len, size_t *k)
{
	uint8_t *copy = malloc(captured ? captured : 1);
	FUZZ_CHECK(copy != NULL);
	memcpy(copy, b, captured);
	struct tcp_opts it;
	struct tcp_opt o;
	enum tcp_opts_status st;
	size_t end = captured < declared ? captured : declared, next = 0;
	*k = 0;
	tcp_opts_begin(&it, bv_make(copy, captured), declared);
	while ((st = tcp_opts_next(&it, &o)) == TCP_OPTS_MORE) {
		FUZZ_CHECK(*k < WALK_MAX);
		FUZZ_CHECK(o.off == next && o.len >= 1 && o.off + o.len <= end);
		FUZZ_CHECK(o.bytes.data == copy + o.off && o.bytes.len == o.len && o.kind == copy[o.off]);
		FUZZ_CHECK((o.len == 1) == (o.kind == TCP_OPT_EOL || o.kind == TCP_OPT_NOP));
		off[*k] = o.off;
		len[*k] = o.len;
		(*k)++;
		next = o.off + o.len;
		if (o.kind == TCP_OPT_EOL)
			FUZZ_CHECK(tcp_opts_next(&it, &o) == TCP_OPTS_END);
	}
	FUZZ_CHECK(st == TCP_OPTS_END || st == TCP_OPTS_CUT || st == TCP_OPTS_MALFORMED);
	FUZZ_CHECK(st != TCP_OPTS_CUT || captured < declared);
	FUZZ_CHECK(tcp_opts_next(&it, &o) == st);
	free(copy);
	return st;
}

static void check_walks(const uint8_t *b, size_t n, bool malformed)
{
	size_t off[WALK_MAX], off2[WALK_MAX], k, k2;
	uint8_t len[WALK_MAX], len2[WALK_MAX];
	enum tcp_opts_status st = walk(b, n, n, off, len, &k);
	FUZZ_CHECK((st == TCP_OPTS_MALFORMED) == malformed);
	for (size_t cut = 0; cut < n; cut += 3) {
		enum tcp_opts_status s2 = walk(b, cut, n, off2, len2, &k2);
		FUZZ_CHECK(k2 <= k);
		FUZZ_CHECK(memcmp(off2, off, k2 * sizeof *off) == 0 && memcmp(len2, len, k2) == 0);
		FUZZ_CHECK(s2 == st || s2 == TCP_OPTS_CUT);
	}
	/* more captured bytes than declared: the same walk as over the declared ones */
	for (size_t declared = 0; declared < n; declared += 5) {
		enum tcp_opts_status s1 = walk(b, declared, declared, off, len, &k);
		enum tcp_opts_status s2 = walk(b, n, declared, off2, len2, &k2);
		FUZZ_CHECK(s1 == s2 && k == k2);
		FUZZ_CHECK(memcmp(off2, off, k * sizeof *off) == 0 && memcmp(len2, len, k) == 0);
	}
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
	/* 4. the iterator */
	check_walks(hdr + 20, hl - 20, t.options_malformed);
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
