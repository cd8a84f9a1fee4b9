/* test_target.c — target map and exact target sets, their persistence and union. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "analyzer/scan/target_map.h"
#include "analyzer/scan/target_set.h"
#include "analyzer/scan/target_setfile.h"

static void v4(uint32_t a, uint8_t out[16])
{
	memset(out, 0, 16);
	out[0] = (uint8_t)(a >> 24);
	out[1] = (uint8_t)(a >> 16);
	out[2] = (uint8_t)(a >> 8);
	out[3] = (uint8_t)a;
}

Test(target, map_insert_find_grow)
{
	struct target_map *m = target_map_new();
	uint8_t a[16];
	for (uint32_t i = 0; i < 100000; i++) {
		v4(i * 2654435761u, a);
		struct target_key k = target_key_make(4, a, (uint16_t)(i % 3));
		bool ins;
		uint32_t *v = target_map_get(m, &k, true, i, &ins);
		cr_assert_not_null(v);
		cr_assert(ins);
	}
	cr_assert_eq(target_map_count(m), 100000);
	for (uint32_t i = 0; i < 100000; i += 997) {
		v4(i * 2654435761u, a);
		struct target_key k = target_key_make(4, a, (uint16_t)(i % 3));
		uint32_t *v = target_map_get(m, &k, false, 0, NULL);
		cr_assert_not_null(v);
		cr_assert_eq(*v, i);
	}
	v4(1, a);
	struct target_key k = target_key_make(4, a, 9);
	cr_assert_null(target_map_get(m, &k, false, 0, NULL));
	target_map_free(m);
}

Test(target, set_counts_are_exact_and_survive_a_round_trip)
{
	struct target_set *s = target_set_new();
	uint8_t a[16];
	/* 50 000 IPv4 targets on two ports, each added twice; 300 IPv6 targets */
	for (int rep = 0; rep < 2; rep++)
		for (uint32_t i = 0; i < 50000; i++) {
			v4(0xc6336400u + i * 7, a);
			cr_assert_eq(target_set_add(s, 4, a, i % 2 ? 443 : 80), rep == 0 ? 1 : 0);
		}
	for (uint32_t i = 0; i < 300; i++) {
		memset(a, 0, 16);
		a[0] = 0x20;
		a[1] = 0x01;
		a[2] = 0x0d;
		a[3] = 0xb8;
		a[14] = (uint8_t)(i >> 8);
		a[15] = (uint8_t)i;
		cr_assert_eq(target_set_add(s, 6, a, 443), 1);
	}
	cr_assert_eq(target_set_count(s), 50300);
	cr_assert_eq(target_set_count_port(s, 4, 80), 25000);
	cr_assert_eq(target_set_count_port(s, 6, 443), 300);
	char path[] = "/tmp/mpcap-sets-XXXXXX";
	int fd = mkstemp(path);
	FILE *fp = fdopen(fd, "wb");
	const char *names[] = { "responsive" };
	struct target_set *sets[] = { s };
	cr_assert_eq(target_sets_write(fp, names, sets, 1), 0);
	fclose(fp);
	struct target_set *back[2];
	const char *want[] = { "responsive", "absent" };
	char err[256];
	cr_assert_eq(target_sets_read(path, want, back, 2, err, sizeof err), 0, "%s", err);
	cr_assert_eq(target_set_count(back[0]), 50300);
	cr_assert_eq(target_set_count_port(back[0], 4, 443), 25000);
	cr_assert_eq(target_set_count(back[1]), 0);
	v4(0xc6336400u + 7, a);
	cr_assert(target_set_contains(back[0], 4, a, 443));
	cr_assert(!target_set_contains(back[0], 4, a, 80));
	/* union with an overlapping set counts the overlap once */
	struct target_set *t = target_set_new();
	for (uint32_t i = 49990; i < 50010; i++) {
		v4(0xc6336400u + i * 7, a);
		target_set_add(t, 4, a, i % 2 ? 443 : 80);
	}
	cr_assert_eq(target_set_union(back[0], t), 0);
	cr_assert_eq(target_set_count(back[0]), 50310);
	/* a truncated file is an error, not a silent partial read */
	FILE *f2 = fopen(path, "r+b");
	fseek(f2, 0, SEEK_END);
	long size = ftell(f2);
	fclose(f2);
	cr_assert_eq(truncate(path, size / 2), 0);
	struct target_set *bad[1];
	cr_assert_eq(target_sets_read(path, names, bad, 1, err, sizeof err), -1);
	cr_assert(strstr(err, "truncated") || strstr(err, "corrupt"), "%s", err);
	unlink(path);
	target_set_free(s);
	target_set_free(t);
	target_set_free(back[0]);
	target_set_free(back[1]);
}

/* A record whose length field claims more than the file holds (here 8 GiB)
 * is refused as truncated before anything is allocated for it: with the
 * address space limited to 1 GiB, allocating first would fail with "out of
 * memory" instead.  (Not limited under AddressSanitizer, whose shadow memory
 * needs the address space; the message is checked there too.) */
Test(target, record_longer_than_the_file_is_refused_before_allocation)
{
#if !defined(__SANITIZE_ADDRESS__)
	struct rlimit rl = { (rlim_t)1 << 30, (rlim_t)1 << 30 };
	cr_assert_eq(setrlimit(RLIMIT_AS, &rl), 0);
#endif
	char path[] = "/tmp/mpcap-sets-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	static const uint8_t file[] = { 'M',  'P',  'C',  'A', 'P', 'S', 'E', 'T', 'S', '1', '\n',
		                        10,   'r',  'e',  's', 'p', 'o', 'n', 's', 'i', 'v', 'e',
		                        4,    0x01, 0xbb, 0,   0,   0,   2,   0,   0,   0,   0,
		                        0x3a, 0x30, 0,    0,   0,   0,   0,   0 };
	cr_assert_eq(write(fd, file, sizeof file), (ssize_t)sizeof file);
	close(fd);
	const char *names[] = { "responsive" };
	struct target_set *sets[1];
	char err[256];
	cr_assert_eq(target_sets_read(path, names, sets, 1, err, sizeof err), -1);
	cr_assert(strstr(err, "truncated") != NULL, "%s", err);
	cr_assert_null(sets[0]);
	unlink(path);
}

Test(target, minus_counts)
{
	struct target_set *a = target_set_new(), *b = target_set_new(), *c = target_set_new();
	uint8_t x[16];
	for (uint32_t i = 0; i < 100; i++) {
		v4(i, x);
		target_set_add(a, 4, x, 80);
		if (i < 30)
			target_set_add(b, 4, x, 80);
		if (i >= 20 && i < 50)
			target_set_add(c, 4, x, 80);
	}
	cr_assert_eq(target_set_count_port_minus(a, b, NULL, 4, 80), 70);
	cr_assert_eq(target_set_count_port_minus(a, b, c, 4, 80), 50);
	cr_assert_eq(target_set_count_port_minus(a, NULL, NULL, 4, 80), 100);
	target_set_free(a);
	target_set_free(b);
	target_set_free(c);
}

/* |a \ (b ∪ c)| against a flag per address, over sparse and dense chunks,
 * with members of b and c that a lacks and members b and c share. */
Test(target, minus_counts_against_flags)
{
	enum { SPAN = 1u << 18 }; /* four chunks */
	uint8_t *in = calloc(SPAN, 1);
	cr_assert_not_null(in);
	uint64_t st = 7;
	for (int round = 0; round < 6; round++) {
		struct target_set *sa = target_set_new(), *sb = target_set_new(), *sc = target_set_new();
		memset(in, 0, SPAN);
		/* a's density grows with the round: arrays of a few members up to bitmaps */
		uint32_t na = 40u << (2 * round), nb = 30u << round, nc = 20u << round;
		uint8_t x[16];
		for (uint32_t i = 0; i < na + nb + nc; i++) {
			st = st * 6364136223846793005ULL + 1442695040888963407ULL;
			uint32_t v = (uint32_t)(st >> 33) % SPAN;
			unsigned bit = i < na ? 1 : i < na + nb ? 2 : 4;
			v4(0x0a000000u | v, x);
			target_set_add(bit == 1 ? sa : bit == 2 ? sb : sc, 4, x, 80);
			in[v] |= (uint8_t)bit;
			if (bit != 1 && i % 3 == 0) { /* also in a */
				target_set_add(sa, 4, x, 80);
				in[v] |= 1;
			}
			if (bit == 2 && i % 5 == 0) { /* also in c */
				target_set_add(sc, 4, x, 80);
				in[v] |= 4;
			}
		}
		uint64_t ab = 0, abc = 0;
		for (uint32_t v = 0; v < SPAN; v++) {
			ab += in[v] & 1 && !(in[v] & 2);
			abc += in[v] & 1 && !(in[v] & 6);
		}
		cr_assert_eq(target_set_count_port_minus(sa, sb, NULL, 4, 80), ab, "round %d", round);
		cr_assert_eq(target_set_count_port_minus(sa, sb, sc, 4, 80), abc, "round %d", round);
		cr_assert_eq(target_set_count_port_minus(sa, NULL, sc, 4, 80),
		             target_set_count(sa) - target_set_count(sc) +
		                 target_set_count_port_minus(sc, sa, NULL, 4, 80),
		             "round %d", round);
		target_set_free(sa);
		target_set_free(sb);
		target_set_free(sc);
	}
	free(in);
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Sorted batches with repeats (inside a batch, and of members already held)
 * into three chunks that stay arrays, grow into bitmaps, or get both kinds
 * of batch: the set holds exactly what a flag per address says. */
Test(target, sorted_batches_with_repeats_are_exact)
{
	enum { SPAN = 3 << 16, BATCHES = 400 };
	const uint32_t base = 0x0a000000u;
	bool *want = calloc(SPAN, 1);
	uint32_t *batch = malloc(2048 * sizeof *batch);
	struct target_set *s = target_set_new();
	cr_assert(want && batch && s);
	uint64_t distinct = 0, x = 88172645463325252u;
	for (int b = 0; b < BATCHES; b++) {
		size_t n = 1 + b % 2048;
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
			/* chunk 0: sparse (stays an array); chunk 1: dense; chunk 2: a small range, many
			 * repeats */
			uint32_t off = i % 3 == 0   ? (uint32_t)(x % 3000) * 21
			               : i % 3 == 1 ? (1u << 16) + (uint32_t)(x % 65536)
			                            : (2u << 16) + (uint32_t)(x % 500);
			batch[i] = base + off;
		}
		qsort(batch, n, sizeof *batch, u32_cmp);
		for (size_t i = 0; i < n; i++)
			if (!want[batch[i] - base]) {
				want[batch[i] - base] = true;
				distinct++;
			}
		cr_assert_eq(target_set_add_v4_sorted(s, 443, batch, n), 0);
		cr_assert_eq(target_set_count_port(s, 4, 443), distinct, "batch %d", b);
	}
	uint8_t a[16];
	for (uint32_t off = 0; off < SPAN; off++) {
		v4(base + off, a);
		cr_assert_eq(target_set_contains(s, 4, a, 443), want[off], "offset %u", off);
	}
	target_set_free(s);
	free(batch);
	free(want);
}
