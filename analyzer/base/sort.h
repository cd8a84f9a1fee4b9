/* sort.h — two sorts the scan needs that the C library lacks: a stable LSD
 * radix sort of 64-bit keys on a bit field, and a comparison sort in place
 * (no second copy of the elements).  No protocol (no RFC).
 */
#ifndef MPCAP_SORT_H
#define MPCAP_SORT_H

#include <stddef.h>
#include <stdint.h>

/* Sorts v[0..n) by bits [lo, lo + bits) of each value (lo + bits <= 64) with
 * a stable LSD radix sort (12-bit digits), so that values with equal key bits
 * keep their order; tmp holds n values of scratch. */
void radix_sort_u64(uint64_t *v, uint64_t *tmp, size_t n, unsigned lo, unsigned bits);

/* Sorts base[0..n) (elements of `size` bytes, n < 2^32) by cmp without a
 * second copy of them, as glibc's qsort would allocate: sorts their
 * positions, then permutes in place.  Not stable.  Returns 0, or -1 when out
 * of memory (base unchanged). */
int sort_inplace(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

#endif
