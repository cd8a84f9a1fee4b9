/* grow.h — a heap array that grows by doubling, for the many "append one
 * more" arrays of the scan and the tracebox view.  No protocol: a memory
 * helper (no RFC).
 */
#ifndef MPCAP_GROW_H
#define MPCAP_GROW_H

#include <stdint.h>
#include <stdlib.h>

/* Makes *p (of *cap elements of elem bytes) hold at least need elements:
 * nothing when it already does, else `first` elements (when empty) doubled
 * until they suffice, through realloc.  Returns 0, or -1 when out of memory
 * or when the size would overflow (*p and *cap are then unchanged). */
static inline int grow_array(void **p, size_t *cap, size_t need, size_t elem, size_t first)
{
	if (need <= *cap)
		return 0;
	size_t nc = *cap ? *cap : first;
	while (nc < need) {
		if (nc > SIZE_MAX / 2)
			return -1;
		nc *= 2;
	}
	if (elem && nc > SIZE_MAX / elem)
		return -1;
	void *n = realloc(*p, nc * elem);
	if (!n)
		return -1;
	*p = n;
	*cap = nc;
	return 0;
}

#endif
