/* sort.c — radix sort of 64-bit keys and comparison sort in place (sort.h).
 * No protocol (no RFC).
 */
#include "analyzer/base/sort.h"

#include <stdlib.h>
#include <string.h>

void radix_sort_u64(uint64_t *v, uint64_t *tmp, size_t n, unsigned lo, unsigned bits)
{
	if (n < 64) {
		for (size_t i = 1; i < n; i++) { /* insertion sort, stable on the key bits */
			uint64_t x = v[i];
			uint64_t kx = (x >> lo) & ((UINT64_C(1) << bits) - 1);
			size_t j = i;
			while (j > 0 && ((v[j - 1] >> lo) & ((UINT64_C(1) << bits) - 1)) > kx) {
				v[j] = v[j - 1];
				j--;
			}
			v[j] = x;
		}
		return;
	}
	uint32_t count[4096];
	uint64_t *src = v, *dst = tmp;
	for (unsigned shift = lo; shift < lo + bits; shift += 12) {
		unsigned width = lo + bits - shift < 12 ? lo + bits - shift : 12;
		uint64_t mask = (UINT64_C(1) << width) - 1;
		memset(count, 0, sizeof(uint32_t) << width);
		for (size_t i = 0; i < n; i++)
			count[(src[i] >> shift) & mask]++;
		uint32_t sum = 0;
		for (size_t d = 0; d <= mask; d++) {
			uint32_t c = count[d];
			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & mask]++] = src[i];
		uint64_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof *v);
}

struct sort_ctx {
	const char *base;
	size_t size;
	int (*cmp)(const void *, const void *);
};

static int pos_cmp(const void *a, const void *b, void *ctx)
{
	const struct sort_ctx *c = ctx;
	return c->cmp(c->base + *(const uint32_t *)a * c->size, c->base + *(const uint32_t *)b * c->size);
}

int sort_inplace(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > UINT32_MAX) /* positions are 32-bit, UINT32_MAX marking "placed" */
		return -1;
	uint32_t *pos = malloc((n ? n : 1) * sizeof *pos);
	char *tmp = malloc(size);
	if (!pos || !tmp) {
		free(pos);
		free(tmp);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		pos[i] = (uint32_t)i;
	struct sort_ctx c = { base, size, cmp };
	qsort_r(pos, n, sizeof *pos, pos_cmp, &c);
	/* pos[i] = where the element that belongs at i is now; follow each cycle */
	char *v = base;
	for (size_t i = 0; i < n; i++) {
		if (pos[i] == i || pos[i] == UINT32_MAX)
			continue;
		memcpy(tmp, v + i * size, size);
		size_t j = i;
		for (;;) {
			size_t from = pos[j];
			pos[j] = UINT32_MAX;
			if (from == i) {
				memcpy(v + j * size, tmp, size);
				break;
			}
			memcpy(v + j * size, v + from * size, size);
			j = from;
		}
	}
	free(pos);
	free(tmp);
	return 0;
}
