/* test_sort.c — base/sort.h (radix sort on a bit field, sort in place) and
 * base/grow.h, against the C library's qsort with an explicit tie-break on
 * the original position (stability) and against plain arithmetic. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/base/grow.h"
#include "analyzer/base/sort.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next64(void) /* xorshift64* */
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

struct tagged {
	uint64_t key; /* the sorted bit field */
	size_t pos;   /* original position */
	uint64_t v;
};

static int tagged_cmp(const void *a, const void *b)
{
	const struct tagged *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* radix_sort_u64 on n values whose field [lo, lo + bits) takes few or many values */
static void check_radix(size_t n, unsigned lo, unsigned bits, uint64_t field_mask)
{
	uint64_t *v = malloc((n + 1) * sizeof *v), *tmp = malloc((n + 1) * sizeof *tmp);
	struct tagged *t = malloc((n + 1) * sizeof *t);
	uint64_t fmask = bits == 64 ? ~UINT64_C(0) : (UINT64_C(1) << bits) - 1;
	cr_assert(v && tmp && t);
	for (size_t i = 0; i < n; i++) {
		v[i] = next64();
		/* fewer distinct keys than values: equal keys must keep their order */
		v[i] = (v[i] & ~(fmask << lo)) | ((v[i] >> lo) & fmask & field_mask) << lo;
		t[i] = (struct tagged){ (v[i] >> lo) & fmask, i, v[i] };
	}
	qsort(t, n, sizeof *t, tagged_cmp);
	radix_sort_u64(v, tmp, n, lo, bits);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(v[i], t[i].v, "n %zu lo %u bits %u: position %zu", n, lo, bits, i);
	free(v);
	free(tmp);
	free(t);
}

Test(sort, radix_stable_like_qsort)
{
	static const size_t sizes[] = { 0, 1, 2, 63, 64, 65, 1000, 100000 };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		check_radix(sizes[i], 0, 50, ~UINT64_C(0));  /* scan.c: answer batches */
		check_radix(sizes[i], 35, 24, ~UINT64_C(0)); /* window chunks */
		check_radix(sizes[i], 19, 16, 0xff);         /* few distinct keys */
		check_radix(sizes[i], 0, 59, 0x7);           /* many repeats, a digit of 11 bits */
		check_radix(sizes[i], 5, 12, ~UINT64_C(0));  /* one digit */
	}
}

struct rec {
	uint32_t key;
	char pad[37]; /* an odd size, like the scan's records */
};

static int rec_cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	return x->key < y->key ? -1 : x->key > y->key;
}

Test(sort, inplace_like_qsort)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 17, 1000, 50000 };
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		size_t n = sizes[k];
		struct rec *a = calloc(n + 1, sizeof *a), *b = calloc(n + 1, sizeof *b);
		cr_assert(a && b);
		for (size_t i = 0; i < n; i++) {
			a[i].key = (uint32_t)(next64() % (n / 2 + 1)); /* repeats */
			memset(a[i].pad, (int)(a[i].key & 0xff),
			       sizeof a[i].pad); /* payload follows its key */
		}
		memcpy(b, a, n * sizeof *a);
		qsort(b, n, sizeof *b, rec_cmp);
		cr_assert_eq(sort_inplace(a, n, sizeof *a, rec_cmp), 0);
		cr_assert_eq(memcmp(a, b, n * sizeof *a), 0, "n %zu: not the order qsort gives", n);
		free(a);
		free(b);
	}
}

Test(grow, doubling_and_overflow)
{
	uint32_t *p = NULL;
	size_t cap = 0;
	cr_assert_eq(grow_array((void **)&p, &cap, 0, sizeof *p, 64), 0);
	cr_expect_eq(cap, 0, "nothing needed, nothing allocated");
	cr_assert_eq(grow_array((void **)&p, &cap, 1, sizeof *p, 64), 0);
	cr_expect_eq(cap, 64);
	p[63] = 7;
	cr_assert_eq(grow_array((void **)&p, &cap, 64, sizeof *p, 64), 0);
	cr_expect_eq(cap, 64);
	cr_assert_eq(grow_array((void **)&p, &cap, 65, sizeof *p, 64), 0);
	cr_expect_eq(cap, 128);
	cr_assert_eq(grow_array((void **)&p, &cap, 1000, sizeof *p, 64), 0);
	cr_expect_eq(cap, 1024);
	cr_expect_eq(p[63], 7, "contents kept");
	uint32_t *keep = p;
	cr_expect_eq(grow_array((void **)&p, &cap, SIZE_MAX / 2 + 2, sizeof *p, 64), -1,
	             "doubling overflows");
	cr_expect_eq(grow_array((void **)&p, &cap, SIZE_MAX / 4 + 1, sizeof *p, 64), -1, "bytes overflow");
	cr_expect(p == keep && cap == 1024, "a failed growth changes nothing");
	free(p);
}
