/* strtab.c — distinct strings and their indices (strtab.h).  No protocol
 * (no RFC).
 */
#include "analyzer/base/strtab.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/base/grow.h"

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ULL;
	return h;
}

static int strtab_grow(struct strtab *t)
{
	size_t ns = t->nslot ? t->nslot * 2 : 256;
	uint32_t *sl = calloc(ns, sizeof *sl);
	if (!sl)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		size_t j = fnv1a(t->v[i]) & (ns - 1);
		while (sl[j])
			j = (j + 1) & (ns - 1);
		sl[j] = (uint32_t)i + 1;
	}
	free(t->slot);
	t->slot = sl;
	t->nslot = ns;
	return 0;
}

long strtab_intern(struct strtab *t, const char *s)
{
	if ((t->n + 1) * 2 > t->nslot && strtab_grow(t) != 0)
		return -1;
	size_t j = fnv1a(s) & (t->nslot - 1);
	while (t->slot[j]) {
		if (strcmp(t->v[t->slot[j] - 1], s) == 0)
			return (long)t->slot[j] - 1;
		j = (j + 1) & (t->nslot - 1);
	}
	if (grow_array((void **)&t->v, &t->cap, t->n + 1, sizeof *t->v, 64) != 0 || !(t->v[t->n] = strdup(s)))
		return -1;
	t->slot[j] = (uint32_t)t->n + 1;
	return (long)t->n++;
}

void strtab_free(struct strtab *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	free(t->slot);
	memset(t, 0, sizeof *t);
}
