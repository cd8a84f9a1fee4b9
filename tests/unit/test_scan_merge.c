/* test_scan_merge.c — pieces of a scan merged (scan_merge) give what one run
 * gives; the bulk and serialised forms of target sets equal the plain ones.
 *
 * The scan tests build streams of dissected packets (struct packet) by hand:
 * probes and answers (SYN-ACK with or without MP_CAPABLE, RST, ICMP
 * unreachable), backscatter, the scanner's own RSTs, several scanner
 * addresses and probe options.  Each stream is analysed in one run and in
 * pieces — consecutive files, targets split in two, both — and every counter
 * and every record must come out the same.  Random streams add thousands of
 * cases the hand-written ones would miss.  The same streams through the
 * partitioned scan (scan_part.h), with 1, 2, 3 and 7 workers, must give the
 * one-thread scan and the same bytes of scan.state and targets.sets. */
#include <criterion/criterion.h>
#include <roaring/roaring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/scan/scan.h"
#include "analyzer/scan/scan_part.h"
#include "analyzer/scan/target_set.h"
#include "analyzer/scan/target_setfile.h"
#include "analyzer/scan/verdict.h"

/* ---- target sets ------------------------------------------------------------------ */

static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void v4(uint32_t a, uint8_t out[16])
{
	memset(out, 0, 16);
	out[0] = (uint8_t)(a >> 24);
	out[1] = (uint8_t)(a >> 16);
	out[2] = (uint8_t)(a >> 8);
	out[3] = (uint8_t)a;
}

static int u32cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

struct collect {
	uint32_t *v;
	size_t n;
};

static void collect_member(void *ctx, uint8_t family, const uint8_t *addr, uint16_t port)
{
	(void)family;
	(void)port;
	struct collect *c = ctx;
	c->v[c->n++] = (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 | (uint32_t)addr[2] << 8 | addr[3];
}

/* Sparse, dense (bitmap) and contiguous (run) chunks, added one by one and in sorted batches. */
Test(target_bulk, sorted_batches_equal_single_adds)
{
	struct target_set *one = target_set_new(), *bulk = target_set_new();
	size_t n = 300000;
	uint32_t *v = malloc(n * sizeof *v);
	for (size_t i = 0; i < n; i++) {
		uint32_t r = (uint32_t)rnd();
		if (i % 3 == 0)
			r = 0x0a000000u | (r & 0xffff); /* one dense chunk: 10.0/16 */
		else if (i % 3 == 1)
			r = 0x0b000000u | (uint32_t)(i % 70000); /* runs in 11.0/16 and 11.1/16 */
		v[i] = r;
		uint8_t a[16];
		v4(r, a);
		cr_assert_geq(target_set_add(one, 4, a, 443), 0);
	}
	for (size_t off = 0; off < n; off += 40000) {
		size_t k = n - off < 40000 ? n - off : 40000;
		qsort(v + off, k, sizeof *v, u32cmp);
		cr_assert_eq(target_set_add_v4_sorted(bulk, 443, v + off, k), 0);
	}
	cr_assert_eq(target_set_count(one), target_set_count(bulk));
	cr_assert_eq(target_set_count_port_minus(one, bulk, NULL, 4, 443), 0);
	cr_assert_eq(target_set_count_port_minus(bulk, one, NULL, 4, 443), 0);
	/* members come out sorted and equal */
	struct collect a = { malloc(n * sizeof(uint32_t)), 0 }, b = { malloc(n * sizeof(uint32_t)), 0 };
	target_set_each(one, collect_member, &a);
	target_set_each(bulk, collect_member, &b);
	cr_assert_eq(a.n, b.n);
	cr_assert_eq(memcmp(a.v, b.v, a.n * sizeof *a.v), 0);
	for (size_t i = 1; i < a.n; i++)
		cr_assert_lt(a.v[i - 1], a.v[i]);
	/* the file form is read back by CRoaring to the same members */
	char path[] = "/tmp/mpcap-test-sets-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	FILE *fp = fdopen(fd, "wb");
	const char *names[] = { "x" };
	struct target_set *sets[] = { bulk };
	cr_assert_eq(target_sets_write(fp, names, sets, 1), 0);
	fclose(fp);
	struct target_set *back[1];
	char err[256];
	cr_assert_eq(target_sets_read(path, names, back, 1, err, sizeof err), 0, "%s", err);
	cr_assert_eq(target_set_count(back[0]), a.n);
	cr_assert_eq(target_set_count_port_minus(back[0], one, NULL, 4, 443), 0);
	unlink(path);
	target_set_free(back[0]);
	free(a.v);
	free(b.v);
	free(v);
	target_set_free(one);
	target_set_free(bulk);
}

Test(target_bulk, union_copy_and_minus)
{
	struct target_set *x = target_set_new(), *y = target_set_new(), *z = target_set_new();
	uint8_t a[16];
	for (uint32_t i = 0; i < 50000; i++) {
		v4(0x0c000000u | i, a); /* dense: bitmaps */
		target_set_add(x, 4, a, 80);
		if (i % 2)
			target_set_add(y, 4, a, 80);
		if (i % 3 == 0)
			target_set_add(z, 4, a, 80);
	}
	/* |x \ (y ∪ z)|: even numbers not divisible by 3 */
	uint64_t want = 0;
	for (uint32_t i = 0; i < 50000; i++)
		want += i % 2 == 0 && i % 3 != 0;
	cr_assert_eq(target_set_count_port_minus(x, y, z, 4, 80), want);
	struct target_set *c = target_set_copy(y);
	cr_assert_eq(target_set_union(c, z), 0);
	cr_assert_eq(target_set_count_port_minus(x, c, NULL, 4, 80), want);
	cr_assert_eq(target_set_count(c), 25000 + 16667 - 8333);
	target_set_free(x);
	target_set_free(y);
	target_set_free(z);
	target_set_free(c);
}

/* ---- scans ------------------------------------------------------------------------ */

enum kind { K_PROBE, K_SYNACK, K_SYNACK_MPC, K_RST, K_ICMP, K_SCANNER_RST };

struct ev {
	uint32_t file;
	uint64_t frame;
	int kind;
	uint32_t target; /* IPv4 address */
	uint16_t port;
	uint32_t scanner;
	uint16_t sport;
	int profile;  /* probes: 0 = v0 key A, 1 = v1, 2 = v0 key B, 3 = plain (no MPTCP) */
	uint64_t key; /* SYN-ACK MP_CAPABLE key */
	uint8_t ttl;
};

static void make_packet(const struct ev *e, struct packet *p)
{
	memset(p, 0, sizeof *p);
	p->frame = e->frame;
	p->ts_sec = 1594771200 + (int64_t)(e->file * 1000 + e->frame / 1000);
	p->ts_nsec = (uint32_t)(e->frame % 1000) * 1000u;
	p->caplen = p->wirelen = 80;
	p->linktype = 1;
	p->skip = SKIP_NONE;
	p->ip.family = 4;
	p->ip.ttl = e->ttl;
	p->ip.proto = e->kind == K_ICMP ? 1 : 6;
	struct tcp_info *t = &p->tcp;
	uint8_t tgt[16], sc[16];
	v4(e->target, tgt);
	v4(e->scanner, sc);
	if (e->kind == K_ICMP) {
		memcpy(p->ip.src, tgt, 4); /* a router near the target: here the target itself */
		memcpy(p->ip.dst, sc, 4);
		struct icmp_info *ic = &p->icmp;
		ic->present = true;
		ic->type = 3;
		ic->code = 3;
		ic->kind = ICMP_KIND_UNREACHABLE;
		ic->is_error = true;
		ic->has_quote = true;
		ic->quoted_ip.family = 4;
		ic->quoted_ip.proto = 6;
		memcpy(ic->quoted_ip.src, sc, 4);
		memcpy(ic->quoted_ip.dst, tgt, 4);
		ic->quoted_tcp.present = true;
		ic->quoted_tcp.full_header = false;
		ic->quoted_tcp.sport = e->sport;
		ic->quoted_tcp.dport = e->port;
		return;
	}
	t->present = true;
	t->full_header = true;
	t->options_complete = true;
	t->mss = -1;
	t->wscale = -1;
	if (e->kind == K_PROBE || e->kind == K_SCANNER_RST) {
		memcpy(p->ip.src, sc, 4);
		memcpy(p->ip.dst, tgt, 4);
		t->sport = e->sport;
		t->dport = e->port;
	} else {
		memcpy(p->ip.src, tgt, 4);
		memcpy(p->ip.dst, sc, 4);
		t->sport = e->port;
		t->dport = e->sport;
	}
	switch (e->kind) {
	case K_PROBE: {
		t->flags = TCP_FLAG_SYN;
		static const uint8_t opts[4][20] = {
			{ 2, 4, 5, 180, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 30, 12, 0, 0x81, 0xc, 0xc },
			{ 2, 4, 5, 180, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 30, 4, 1, 0x81, 1, 1 },
			{ 2, 4, 5, 180, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 30, 12, 0, 0x81, 0xd, 0xd },
			{ 2, 4, 5, 180, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0 },
		};
		t->options_len = e->profile == 3 ? 18 : 20;
		memcpy(t->options, opts[e->profile], t->options_len);
		t->options[6] = (uint8_t)e->frame; /* TSval changes with every probe */
		if (e->profile == 3)
			break; /* plain: an A/B scan's other half (abtest.h) */
		t->n_mpc = 1;
		t->mpc[0].length = e->profile == 1 ? 4 : 12;
		t->mpc[0].version = e->profile == 1 ? 1 : 0;
		t->mpc[0].flags = 0x81;
		t->mpc[0].has_flags = true;
		t->mpc[0].has_sender_key = e->profile != 1;
		t->mpc[0].sender_key = e->profile == 0   ? 0x0c0c0c0c0c0c0c0cULL
		                       : e->profile == 2 ? 0x0d0d0d0d0d0d0d0dULL
		                                         : 0;
		break;
	}
	case K_SYNACK:
	case K_SYNACK_MPC:
		t->flags = TCP_FLAG_SYN | TCP_FLAG_ACK;
		t->options_len = 4;
		t->options[0] = 2, t->options[1] = 4, t->options[2] = 5, t->options[3] = 180;
		if (e->kind == K_SYNACK_MPC) {
			t->n_mpc = 1;
			t->mpc[0].length = 12;
			t->mpc[0].version = (uint8_t)(e->key & 1);
			t->mpc[0].flags = 0x81;
			t->mpc[0].has_flags = true;
			t->mpc[0].has_sender_key = true;
			t->mpc[0].sender_key = e->key;
		}
		break;
	case K_RST:
		t->flags = TCP_FLAG_RST | TCP_FLAG_ACK;
		break;
	case K_SCANNER_RST:
		t->flags = TCP_FLAG_RST;
		break;
	}
}

struct counter_list {
	char lines[4096][96];
	size_t n;
};

static void grab(void *ctx, const char *counter, int family, int port, uint64_t value)
{
	struct counter_list *c = ctx;
	if (c->n < 4096)
		snprintf(c->lines[c->n++], 96, "%s,%d,%d,%llu", counter, family, port,
		         (unsigned long long)value);
}

static void feed(struct scan *s, const struct ev *evs, size_t n, bool (*take)(const struct ev *, int),
                 int which)
{
	char err[256];
	uint32_t file = UINT32_MAX;
	struct packet p;
	for (size_t i = 0; i < n; i++) {
		if (take && !take(&evs[i], which))
			continue;
		if (evs[i].file != file) {
			file = evs[i].file;
			char name[32];
			snprintf(name, sizeof name, "f%u.pcap", file);
			cr_assert_eq(scan_begin_file(s, file, name, 1000 + file, err, sizeof err), 0);
		}
		make_packet(&evs[i], &p);
		cr_assert_eq(scan_add(s, &p, err, sizeof err), 0, "%s", err);
	}
}

/* Compares two finished scans: every counter, every record, every column. */
static void expect_same(const struct scan *a, const struct scan *b, const char *what)
{
	static struct counter_list ca, cb;
	ca.n = cb.n = 0;
	scan_each_counter(a, grab, &ca);
	scan_each_counter(b, grab, &cb);
	cr_assert_eq(ca.n, cb.n, "%s: %zu counters vs %zu", what, ca.n, cb.n);
	for (size_t i = 0; i < ca.n; i++)
		cr_assert_str_eq(ca.lines[i], cb.lines[i], "%s: counter %zu", what);
	cr_assert_str_eq(scan_label(a), scan_label(b), "%s: label", what);
	cr_assert_eq(scan_target_count(a), scan_target_count(b), "%s: %zu records vs %zu", what,
	             scan_target_count(a), scan_target_count(b));
	for (size_t i = 0; i < scan_target_count(a); i++) {
		const struct scan_target *x = scan_target_at(a, i), *y = scan_target_at(b, i);
		struct probe_profile px, py;
		scan_target_probe(a, x, &px);
		scan_target_probe(b, y, &py);
		cr_assert_eq(target_key_cmp(&x->key, &y->key), 0, "%s: record %zu key", what, i);
		cr_assert_eq(x->response, y->response, "%s: record %zu response", what, i);
		cr_assert_eq(x->ttl, y->ttl, "%s: record %zu ttl", what, i);
		cr_assert_eq(x->has_mpc, y->has_mpc, "%s: record %zu mpc", what, i);
		if (x->has_mpc)
			cr_assert_eq(x->mpc.sender_key, y->mpc.sender_key, "%s: record %zu key", what, i);
		cr_assert_eq(x->first_sec, y->first_sec, "%s: record %zu first", what, i);
		cr_assert_eq(x->first_nsec, y->first_nsec, "%s: record %zu first ns", what, i);
		cr_assert_eq(x->responses, y->responses, "%s: record %zu responses", what, i);
		cr_assert_eq(x->verdict, y->verdict, "%s: record %zu verdict", what, i);
		cr_assert_eq(x->key_group, y->key_group, "%s: record %zu group", what, i);
		cr_assert_eq(x->options_len, y->options_len, "%s: record %zu options", what, i);
		cr_assert_eq(memcmp(x->options, y->options, x->options_len), 0);
		cr_assert_eq(px.has_key, py.has_key, "%s: record %zu probe key", what, i);
		cr_assert_eq(px.key, py.key, "%s: record %zu probe key", what, i);
		cr_assert_eq(px.mpc_version, py.mpc_version, "%s: record %zu probe version", what, i);
	}
}

static struct scan *run_whole(const struct ev *evs, size_t n, bool all)
{
	char err[256], note[256];
	struct scan_config cfg = { .all_responders = all };
	struct scan *s = scan_new(&cfg, err, sizeof err);
	feed(s, evs, n, NULL, 0);
	cr_assert_eq(scan_finish(s, note, sizeof note), 0);
	return s;
}

static int piece_of_file_split; /* events with file < this go to piece 0 */
static bool by_file(const struct ev *e, int which)
{
	return (int)(e->file >= (uint32_t)piece_of_file_split) == which;
}

static bool by_target(const struct ev *e, int which)
{
	/* the scanner's own RSTs go with the scanner's half, as a BPF filter on addresses would */
	uint32_t a = e->kind == K_SCANNER_RST ? e->scanner : e->target;
	return (int)(a >> 31) == which;
}

/* 0..3: file half x target half */
static bool by_both(const struct ev *e, int which)
{
	return by_file(e, which >> 1) && by_target(e, which & 1);
}

/* Merges the pieces (in order) and compares with the whole run; returns false
 * when the merge said it could not be exact. */
static bool check_split(const struct ev *evs, size_t n, bool all, bool (*take)(const struct ev *, int),
                        int pieces, const char *what)
{
	char err[256], note[256], why[256];
	struct scan_config cfg = { .all_responders = all };
	struct scan *acc = NULL;
	for (int w = 0; w < pieces; w++) {
		struct scan *s = scan_new(&cfg, err, sizeof err);
		feed(s, evs, n, take, w);
		if (!acc) {
			acc = s;
			continue;
		}
		cr_assert_eq(scan_merge(acc, s, err, sizeof err), 0, "%s: %s", what, err);
		scan_free(s);
	}
	bool inexact = scan_merge_inexact(acc, why, sizeof why);
	if (inexact && getenv("MPCAP_TEST_VERBOSE"))
		fprintf(stderr, "inexact (%s): %s\n", what, why);
	cr_assert_eq(scan_finish(acc, note, sizeof note), 0);
	struct scan *whole = run_whole(evs, n, all);
	if (!inexact)
		expect_same(whole, acc, what);
	scan_free(whole);
	scan_free(acc);
	return !inexact;
}

#define SC1 0xc6336407u /* 198.51.100.7 */
#define SC2 0xc6336408u

Test(scan_merge, rotation_boundary_and_tail_file)
{
	/* file 0: probes; file 1: their answers (one probed again first), backscatter;
	 * file 2: only late answers (a tail file: no probe of its own) */
	struct ev evs[] = {
		{ 0, 1, K_PROBE, 0x01000001, 80, SC1, 40000, 0, 0, 64 },
		{ 0, 2, K_PROBE, 0x81000002, 80, SC1, 40001, 0, 0, 64 },
		{ 0, 3, K_PROBE, 0x01000003, 443, SC2, 40002, 0, 0, 64 },
		{ 0, 4, K_PROBE, 0x81000004, 80, SC2, 40003, 0, 0, 64 },
		{ 1, 1, K_SYNACK_MPC, 0x01000001, 80, SC1, 40000, 0, 0x1234567890abcdefULL, 50 },
		{ 1, 2, K_SCANNER_RST, 0x01000001, 80, SC1, 40000, 0, 0, 64 },
		{ 1, 3, K_PROBE, 0x81000002, 80, SC1, 40001, 0, 0, 64 },
		{ 1, 4, K_RST, 0x81000002, 80, SC1, 40001, 0, 0, 51 },
		{ 1, 5, K_SYNACK_MPC, 0x01000003, 443, SC2, 40002, 0, 0x0c0c0c0c0c0c0c0cULL, 52 },
		{ 1, 6, K_SYNACK, 0x7f000009, 80, SC1, 999, 0, 0, 53 }, /* backscatter */
		{ 2, 1, K_SYNACK_MPC, 0x81000004, 80, SC2, 40003, 0, 0x1234567890abcdefULL, 54 },
		{ 2, 2, K_ICMP, 0x81000002, 80, SC1, 40001, 0, 0, 55 },
		{ 2, 3, K_SYNACK_MPC, 0x01000001, 80, SC1, 40000, 0, 0x1234567890abcdefULL, 50 },
	};
	size_t n = sizeof evs / sizeof evs[0];
	for (int all = 0; all < 2; all++)
		for (int split = 1; split <= 2; split++) {
			piece_of_file_split = split;
			cr_assert(check_split(evs, n, all, by_file, 2, "rotation"));
			cr_assert(check_split(evs, n, all, by_target, 2, "targets"));
			cr_assert(check_split(evs, n, all, by_both, 4, "both"));
		}
}

Test(scan_merge, responses_before_the_first_probe)
{
	/* file 0 holds answers only (the capture started mid-scan); file 1 probes */
	struct ev evs[] = {
		{ 0, 1, K_SYNACK_MPC, 0x01000001, 80, SC1, 40000, 0, 0x1111111111111111ULL, 50 },
		{ 0, 2, K_RST, 0x81000002, 80, SC1, 40001, 0, 0, 51 },
		{ 0, 3, K_SYNACK_MPC, 0x81000005, 80, SC1, 40005, 0, 0x1111111111111111ULL, 52 },
		{ 1, 1, K_PROBE, 0x01000003, 80, SC1, 40002, 0, 0, 64 },
		{ 1, 2, K_SYNACK_MPC, 0x01000003, 80, SC1, 40002, 0, 0x2222222222222222ULL, 53 },
		{ 1, 3, K_SYNACK, 0x81000002, 80, SC1, 40001, 0, 0, 54 }, /* unsolicited now */
		{ 1, 4, K_PROBE, 0x81000002, 80, SC1, 40001, 0, 0, 64 },
		{ 1, 5, K_SYNACK, 0x81000002, 80, SC1, 40001, 0, 0, 54 },
	};
	size_t n = sizeof evs / sizeof evs[0];
	piece_of_file_split = 1;
	for (int all = 0; all < 2; all++) {
		cr_assert(check_split(evs, n, all, by_file, 2, "pre"));
		cr_assert(check_split(evs, n, all, by_target, 2, "pre targets"));
		cr_assert(check_split(evs, n, all, by_both, 4, "pre both"));
	}
}

Test(scan_merge, two_probe_versions)
{
	/* the same target probed with v0 and v1 from the same scanner port; answers
	 * after a rotation boundary; a v0 probe key that changes between files */
	struct ev evs[] = {
		{ 0, 1, K_PROBE, 0x01000001, 80, SC1, 40000, 0, 0, 64 },
		{ 0, 2, K_PROBE, 0x01000001, 80, SC1, 40000, 1, 0, 64 },
		{ 0, 3, K_PROBE, 0x81000002, 80, SC1, 40001, 1, 0, 64 },
		{ 1, 1, K_SYNACK_MPC, 0x01000001, 80, SC1, 40000, 0, 0x3333333333333333ULL, 50 },
		{ 1, 2, K_SYNACK_MPC, 0x81000002, 80, SC1, 40001, 0, 0x4444444444444444ULL, 51 },
		{ 1, 3, K_PROBE, 0x81000003, 80, SC1, 40002, 2, 0, 64 },
		{ 2, 1, K_SYNACK_MPC, 0x81000003, 80, SC1, 40002, 0, 0x0d0d0d0d0d0d0d0dULL, 52 },
	};
	size_t n = sizeof evs / sizeof evs[0];
	for (int split = 1; split <= 2; split++) {
		piece_of_file_split = split;
		cr_assert(check_split(evs, n, false, by_file, 2, "versions"));
		cr_assert(check_split(evs, n, true, by_target, 2, "versions targets"));
	}
}

/* Random streams: a few hundred targets, two scanners, answers a while after
 * their probes (often across a file boundary), retransmissions, backscatter,
 * the scanner's RSTs, and now and then a stretch of answers before any probe. */
static size_t random_stream(struct ev *evs, size_t cap, int profiles)
{
	size_t n = 0;
	uint32_t files = 2 + (uint32_t)(rnd() % 4);
	uint32_t ntargets = (rnd() % 4 == 0 ? 3 : 20) + (uint32_t)(rnd() % 300);
	uint64_t frame = 0;
	uint32_t file = 0;
	bool answers_first = rnd() % 4 == 0;
	bool plain_first = rnd() % 2 == 0;
	while (n < cap) {
		if (rnd() % 40 == 0) {
			if (++file == files)
				break;
			frame = 0;
		}
		struct ev e;
		memset(&e, 0, sizeof e);
		e.file = file;
		e.frame = ++frame;
		uint32_t t = (uint32_t)(rnd() % ntargets);
		e.target = (t & 1 ? 0x80000000u : 0) | (0x0a000000u + t * 7919u) % 0x7fffffffu;
		e.port = rnd() % 5 == 0 ? 443 : 80;
		e.scanner = rnd() % 3 == 0 ? SC2 : SC1;
		e.sport = (uint16_t)(30000 + t); /* one scanner port per target, as ZMap's */
		e.profile = profiles > 1 ? (int)(rnd() % (uint64_t)profiles) : 0;
		if (profiles == 4 && plain_first) /* a sweep of plain SYNs, then the MP_CAPABLE ones */
			e.profile = n < cap * 2 / 5 ? 3 : (int)(rnd() % 3);
		e.ttl = (uint8_t)(40 + rnd() % 20);
		uint64_t r = rnd() % 100;
		if (answers_first && n < 30)
			r = 50 + r / 2;
		if (r < 50)
			e.kind = K_PROBE;
		else if (r < 62)
			e.kind = K_SYNACK;
		else if (r < 75) {
			e.kind = K_SYNACK_MPC;
			/* random keys, the probe key (a replay), or a key shared by hosts */
			uint64_t k = rnd() % 4;
			e.key = k == 0 ? 0x0c0c0c0c0c0c0c0cULL : k == 1 ? 0x5555aaaa5555aaaaULL : rnd();
		} else if (r < 85)
			e.kind = K_RST;
		else if (r < 92)
			e.kind = K_ICMP;
		else if (r < 97)
			e.kind = K_SCANNER_RST;
		else {
			e.kind = K_SYNACK; /* backscatter from anywhere */
			e.target = (uint32_t)rnd();
		}
		evs[n++] = e;
	}
	return n;
}

#ifndef ROUNDS
#define ROUNDS 60
#endif

Test(scan_merge, random_streams_split_every_way, .timeout = 300)
{
	static struct ev evs[2000];
	unsigned exact = 0, cases = 0;
	for (int round = 0; round < ROUNDS; round++) {
		int profiles = round % 3 == 2 ? 2 : 1;
		size_t n = random_stream(evs, 200 + (size_t)(rnd() % 1800), profiles);
		uint32_t files = n ? evs[n - 1].file + 1 : 1;
		bool all = round % 2;
		for (uint32_t split = 1; split < files; split++) {
			piece_of_file_split = (int)split;
			exact += check_split(evs, n, all, by_file, 2, "random files");
			exact += check_split(evs, n, all, by_both, 4, "random both");
			cases += 2;
		}
		exact += check_split(evs, n, all, by_target, 2, "random targets");
		cases++;
	}
	/* single-option scans are always exact; two-option scans may be flagged */
	cr_assert_geq(exact, cases * 8 / 10, "%u of %u exact", exact, cases);
}

/* ---- one scan partitioned by target (scan_part.h) -------------------------------- */

/* scan.state and targets.sets of a finished scan, as bytes */
static char *saved_bytes(const struct scan *s, size_t *len)
{
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);
	cr_assert_not_null(fp);
	cr_assert_eq(scan_state_write(s, fp), 0);
	const char *names[SCAN_SET_MAX];
	struct target_set *sets[SCAN_SET_MAX];
	size_t n = scan_saved_sets(s, names, sets);
	cr_assert_eq(target_sets_write(fp, names, sets, n), 0);
	fclose(fp);
	return buf;
}

/* The stream through `workers` threads gives the one-thread scan: every
 * counter and record, and the same bytes of scan.state and targets.sets. */
static void check_part(const struct ev *evs, size_t n, bool all, unsigned workers, const char *what)
{
	char err[256], note[256], why[256];
	struct scan_config cfg = { .all_responders = all };
	struct scan_part *pt = scan_part_new(&cfg, workers, err, sizeof err);
	cr_assert_not_null(pt, "%s", err);
	feed(scan_part_scan(pt), evs, n, NULL, 0);
	struct scan *s = scan_part_finish(pt, err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	scan_part_free(pt);
	cr_assert(!scan_merge_inexact(s, why, sizeof why), "%s: %s", what, why);
	cr_assert_eq(scan_finish(s, note, sizeof note), 0);
	struct scan *whole = run_whole(evs, n, all);
	expect_same(whole, s, what);
	size_t la, lb;
	char *a = saved_bytes(whole, &la), *b = saved_bytes(s, &lb);
	cr_assert_eq(la, lb, "%s (%u workers): %zu bytes saved vs %zu", what, workers, la, lb);
	cr_assert_eq(memcmp(a, b, la), 0, "%s (%u workers): saved bytes differ", what, workers);
	free(a);
	free(b);
	scan_free(whole);
	scan_free(s);
}

Test(scan_part, random_streams_any_number_of_workers, .timeout = 300)
{
	static struct ev evs[2000];
	static const unsigned workers[] = { 1, 2, 3, 7 };
	for (int round = 0; round < ROUNDS; round++) {
		/* one, two or three probe options; with four, plain SYNs too (an A/B scan) */
		int profiles = 1 + round % 4;
		size_t n = random_stream(evs, 200 + (size_t)(rnd() % 1800), profiles);
		for (size_t w = 0; w < sizeof workers / sizeof workers[0]; w++)
			check_part(evs, n, round % 2, workers[w], "random stream");
	}
}

Test(scan_part, ab_scan_previous_probe_is_the_scans)
{
	/* An A/B scan's target probed plain, then (after another target's probe)
	 * with MP_CAPABLE from the same scanner port, the first probe with a second
	 * option: the probe before it in the scan went elsewhere, so the target is
	 * not ambiguous, whatever the worker that owns it saw last.  Every other
	 * target lands on another worker for some worker count. */
	for (uint32_t other = 2; other < 18; other++) {
		struct ev evs[] = {
			{ 0, 1, K_PROBE, 0x0a000001, 80, SC1, 40000, 3, 0, 64 },
			{ 0, 2, K_PROBE, 0x0a000000 + other * 7919u, 80, SC1, 40001, 3, 0, 64 },
			{ 0, 3, K_PROBE, 0x0a000001, 80, SC1, 40000, 0, 0, 64 },
			{ 0, 4, K_SYNACK, 0x0a000001, 80, SC1, 40000, 0, 0, 50 },
			{ 0, 5, K_SYNACK, 0x0a000000 + other * 7919u, 80, SC1, 40001, 0, 0, 50 },
		};
		static const unsigned workers[] = { 2, 3, 7 };
		for (size_t w = 0; w < sizeof workers / sizeof workers[0]; w++)
			check_part(evs, sizeof evs / sizeof evs[0], false, workers[w], "A/B previous probe");
	}
}
