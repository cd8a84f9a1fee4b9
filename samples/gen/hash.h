/*
 * hash.h — mpcap-gen's randomness without state: a 64-bit mixer (splitmix64's finaliser) and
 * hashes of two to four words over it, uniform doubles, the purposes (tags) that keep two uses of
 * one host apart, and a keyed bijection of [0, n) (a balanced Feistel network, cycle-walked) that
 * enumerates targets in a random order without memory. Every per-host property of the synthetic
 * Internet comes from here, so that a host keeps its class, address and path across months and a
 * file does not depend on which other files are generated.
 */
#ifndef MPCAP_SAMPLES_GEN_HASH_H
#define MPCAP_SAMPLES_GEN_HASH_H

#include <stdint.h>

static inline uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static inline uint64_t hh(uint64_t a, uint64_t b)
{
	return mix64(a ^ mix64(b + 0x632be59bd9b4e019ULL));
}

static inline uint64_t h3(uint64_t a, uint64_t b, uint64_t c)
{
	return hh(hh(a, b), c);
}

static inline uint64_t h4(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	return hh(hh(hh(a, b), c), d);
}

static inline double u01(uint64_t h)
{
	return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

/* Purposes of hashes, so that two uses of one host never share a stream. */
enum tag {
	TAG_WORLD = 1,
	TAG_SLOT,
	TAG_IID,
	TAG_RANK,
	TAG_PRESENT,
	TAG_HOST,
	TAG_PATH,
	TAG_ROUTER,
	TAG_PERM,
	TAG_FILE,
	TAG_BOX,
	TAG_GROUP,
	TAG_CONN,
	TAG_TRACE,
};

/* A bijection of [0, n) keyed by a 64-bit key: a balanced 4-round Feistel network on the
 * smallest even number of bits that covers n, cycle-walked into the range. */
struct perm {
	uint64_t n;
	int half;
	uint64_t hmask;
	uint64_t k[4];
};

static inline void perm_init(struct perm *p, uint64_t n, uint64_t key)
{
	int bits = 2;
	while (bits < 64 && (1ULL << bits) < n)
		bits++;
	p->n = n;
	p->half = (bits + 1) / 2;
	p->hmask = p->half >= 64 ? ~0ULL : (1ULL << p->half) - 1;
	for (int i = 0; i < 4; i++)
		p->k[i] = hh(key, (uint64_t)i);
}

static inline uint64_t perm_at(const struct perm *p, uint64_t x)
{
	if (p->n <= 1)
		return 0;
	do {
		uint64_t l = x >> p->half, r = x & p->hmask;
		for (int i = 0; i < 4; i++) {
			uint64_t t = l ^ (mix64(r ^ p->k[i]) & p->hmask);
			l = r;
			r = t;
		}
		x = (l << p->half) | r;
	} while (x >= p->n);
	return x;
}

#endif
