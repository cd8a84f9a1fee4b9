/* test_strtab.c — strtab.h: indices in order of first sighting, the same
 * index for the same text, through the table's growth. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "analyzer/base/strtab.h"

Test(strtab, indices_by_first_sighting_through_growth)
{
	enum { N = 5000 };
	static long first[N]; /* index given to "fp-k" */
	struct strtab t = { 0 };
	char buf[32];
	for (long i = 0; i < N; i++) { /* every k once, in a scrambled order */
		long k = i * 7919 % N;
		snprintf(buf, sizeof buf, "fp-%ld", k);
		first[k] = strtab_intern(&t, buf);
		cr_assert_eq(first[k], i, "%s", buf);
	}
	for (long k = N - 1; k >= 0; k--) { /* found again, in another order */
		snprintf(buf, sizeof buf, "fp-%ld", k);
		cr_assert_eq(strtab_intern(&t, buf), first[k], "%s", buf);
	}
	cr_assert_eq(t.n, N);
	cr_assert_str_eq(t.v[0], "fp-0");
	cr_assert_str_eq(t.v[1], "fp-2919");
	cr_assert_eq(strtab_intern(&t, ""), N);
	cr_assert_eq(strtab_intern(&t, ""), N);
	strtab_free(&t);
	cr_assert_eq(t.n, 0);
	cr_assert_null(t.v);
}
