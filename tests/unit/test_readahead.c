/* test_readahead.c — the helper-thread readahead (analyzer/capture/readahead.c): the
 * caller sees exactly the source's bytes, end and error, whatever the read
 * sizes on either side, and can stop early. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/capture/readahead.h"

/* A source of `total` bytes (byte i = i * 7 + i / 251, mod 256) delivered in
 * reads of at most `chunk` bytes, then 0 or, when fail, -1. */
struct src {
	size_t total, chunk, pos;
	bool fail;
	unsigned calls;
};

static uint8_t byte_at(size_t i)
{
	return (uint8_t)(i * 7 + i / 251);
}

static ssize_t src_read(void *ctx, uint8_t *buf, size_t n, char *err, size_t errlen)
{
	struct src *s = ctx;
	s->calls++;
	if (s->pos == s->total) {
		if (s->fail) {
			snprintf(err, errlen, "zstd: corrupted block at decompressed byte offset %zu",
			         s->pos);
			return -1;
		}
		return 0;
	}
	size_t k = s->total - s->pos;
	if (k > n)
		k = n;
	if (k > s->chunk)
		k = s->chunk;
	for (size_t i = 0; i < k; i++)
		buf[i] = byte_at(s->pos + i);
	s->pos += k;
	return (ssize_t)k;
}

static void read_through(size_t total, size_t chunk, bool fail, size_t block, unsigned nblocks, size_t rsize)
{
	struct src s = { total, chunk, 0, fail, 0 };
	struct readahead *ra;
	char err[320] = "";
	cr_assert_eq(readahead_new(src_read, &s, block, nblocks, &ra, err, sizeof err), 0, "%s", err);
	uint8_t *buf = malloc(rsize);
	size_t got = 0;
	ssize_t k;
	unsigned turn = 0;
	while ((k = readahead_read(ra, buf, 1 + (turn++ * 7919) % rsize, err, sizeof err)) > 0) {
		for (ssize_t i = 0; i < k; i++)
			cr_assert_eq(buf[i], byte_at(got + (size_t)i), "byte %zu", got + (size_t)i);
		got += (size_t)k;
	}
	cr_assert_eq(got, total, "%zu bytes of %zu (block %zu x %u, source reads %zu)", got, total, block,
	             nblocks, chunk);
	if (fail) {
		cr_assert_eq(k, -1);
		char want[320];
		snprintf(want, sizeof want, "zstd: corrupted block at decompressed byte offset %zu", total);
		cr_assert_str_eq(err, want);
		/* sticky */
		err[0] = '\0';
		cr_assert_eq(readahead_read(ra, buf, rsize, err, sizeof err), -1);
		cr_assert_str_eq(err, want);
	} else {
		cr_assert_eq(k, 0);
		cr_assert_eq(readahead_read(ra, buf, rsize, err, sizeof err), 0);
	}
	readahead_free(ra);
	free(buf);
}

Test(readahead, every_byte_in_order_then_the_end)
{
	static const size_t totals[] = { 0, 1, 4095, 4096, 4097, 100000, 1 << 20 };
	static const size_t chunks[] = { 1, 333, 4096, 1 << 20 };
	for (size_t t = 0; t < sizeof totals / sizeof *totals; t++)
		for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
			if (chunks[c] == 1 && totals[t] > 100000)
				continue;
			read_through(totals[t], chunks[c], false, 4096, 3, 10000);
			read_through(totals[t], chunks[c], false, 65536, 1, 7);
		}
}

Test(readahead, the_error_comes_after_every_byte_before_it)
{
	static const size_t totals[] = { 0, 1, 5000, 300000 };
	for (size_t t = 0; t < sizeof totals / sizeof *totals; t++) {
		read_through(totals[t], 1000, true, 4096, 4, 5000);
		read_through(totals[t], 4096, true, 4096, 2, 1);
	}
}

/* Freed before the end: the helper, waiting on a full ring, stops; the
 * source was read no further than the ring holds. */
Test(readahead, stops_early_with_a_full_ring)
{
	struct src s = { (size_t)1 << 30, 4096, 0, false, 0 };
	struct readahead *ra;
	char err[320];
	cr_assert_eq(readahead_new(src_read, &s, 4096, 4, &ra, err, sizeof err), 0);
	uint8_t buf[100];
	cr_assert_eq(readahead_read(ra, buf, sizeof buf, err, sizeof err), 100);
	readahead_free(ra);
	cr_assert_leq(s.pos, (size_t)4 * 4096, "read %zu bytes ahead", s.pos);
}

Test(readahead, an_empty_ring_is_refused)
{
	struct src s = { 10, 10, 0, false, 0 };
	struct readahead *ra;
	char err[320] = "";
	cr_assert_eq(readahead_new(src_read, &s, 0, 4, &ra, err, sizeof err), -1);
	cr_assert(err[0] != '\0');
	cr_assert_null(ra);
}
