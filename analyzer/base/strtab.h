/* strtab.h — distinct strings, each given an index in the order it was
 * first seen (interning): an open-addressing hash of their text (FNV-1a,
 * linear probing, at most half full).  No protocol (no RFC).
 */
#ifndef MPCAP_STRTAB_H
#define MPCAP_STRTAB_H

#include <stddef.h>
#include <stdint.h>

/* Zero-initialised: empty.  v[0..n) are the distinct strings (owned). */
struct strtab {
	char **v;
	size_t n, cap;
	uint32_t *slot; /* index + 1, 0 empty */
	size_t nslot;   /* a power of two */
};

/* The index of s, a copy of s added when it is new; -1 when out of memory. */
long strtab_intern(struct strtab *t, const char *s);

/* Frees the strings and the table (v may have been handed over: set
 * v = NULL and n = 0 first). */
void strtab_free(struct strtab *t);

#endif
