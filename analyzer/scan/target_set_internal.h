/* target_set_internal.h — how a target set (target_set.h) is held, shared
 * by target_set.c and target_setfile.c (which writes and reads it).  Not an
 * interface: other modules use target_set.h.
 *
 * IPv4: per port, the 2^32 addresses are cut into 65536 chunks by their high
 * 16 bits (as Roaring does); a chunk holds its low halves as a sorted array
 * of 16-bit values, or as a 65536-bit bitmap once it has more than
 * CHUNK_ARRAY_MAX members.  The chunk descriptors are allocated in blocks of
 * 256 as addresses arrive, so a small set (a shard, a test) stays small.
 * Unlike the CRoaring library of Debian 12, whose
 * per-value insertion into array containers dominates a scan's run time, a
 * sorted batch is merged into each chunk once (target_set_add_v4_sorted).
 * On disk each port is a CRoaring portable serialisation (with run
 * containers where they are smaller), read back through CRoaring.
 */
#ifndef MPCAP_TARGET_SET_INTERNAL_H
#define MPCAP_TARGET_SET_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "analyzer/scan/target_map.h"
#include "analyzer/scan/target_set.h"

#define PORTS 65536
#define CHUNKS 65536
#define CHUNK_ARRAY_MAX 4096
#define CHUNK_BITMAP UINT32_MAX /* cap value marking a bitmap chunk */
#define BITMAP_WORDS 1024

#define CHUNK_INLINE 4 /* members held in the descriptor itself (no allocation) */
#define BLOCK_BITS 8   /* chunk descriptors are allocated in blocks of 256 */
#define BLOCK_CHUNKS (1u << BLOCK_BITS)
#define BLOCKS (CHUNKS / BLOCK_CHUNKS)

struct chunk {
	union {
		void *p;                   /* uint16_t[cap] (sorted) or uint64_t[BITMAP_WORDS] */
		uint16_t in[CHUNK_INLINE]; /* up to CHUNK_INLINE members, sorted */
	} u;
	uint32_t n;   /* members */
	uint32_t cap; /* <= CHUNK_INLINE: inline; CHUNK_BITMAP: a bitmap */
};

static inline bool chunk_is_inline(const struct chunk *c)
{
	return c->cap <= CHUNK_INLINE;
}

/* The sorted members of an array chunk. */
static inline uint16_t *carr(struct chunk *c)
{
	return c->cap <= CHUNK_INLINE ? c->u.in : c->u.p;
}

static inline const uint16_t *ccarr(const struct chunk *c)
{
	return c->cap <= CHUNK_INLINE ? c->u.in : c->u.p;
}

static inline uint64_t *cbits(const struct chunk *c)
{
	return c->u.p;
}

struct v4port {
	struct chunk *blk[BLOCKS];  /* [BLOCK_CHUNKS] each, allocated on first use */
	uint64_t used[CHUNKS / 64]; /* chunks that were ever non-empty */
	uint64_t n;
	size_t bytes; /* heap bytes of the chunks' storage */
};

struct target_set {
	uint16_t *ports;    /* the IPv4 ports present, ascending */
	struct v4port **v4; /* v4[k]: the members on ports[k] */
	size_t nports;
	struct target_map *v6;
};

/* The first chunk >= from that was ever used (CHUNKS when none). */
static inline uint32_t next_chunk(const struct v4port *vp, uint32_t from)
{
	while (from < CHUNKS) {
		uint64_t w = vp->used[from >> 6] & (~UINT64_C(0) << (from & 63));
		if (w)
			return (from & ~63u) + (uint32_t)__builtin_ctzll(w);
		from = (from & ~63u) + 64;
	}
	return CHUNKS;
}

static inline void mark_chunk(struct v4port *vp, uint32_t hi)
{
	vp->used[hi >> 6] |= UINT64_C(1) << (hi & 63);
}

static const struct chunk empty_chunk;

/* Chunk hi for reading: an empty chunk when its block was never allocated. */
static inline const struct chunk *chunk_peek(const struct v4port *vp, uint32_t hi)
{
	const struct chunk *b = vp->blk[hi >> BLOCK_BITS];
	return b ? &b[hi & (BLOCK_CHUNKS - 1)] : &empty_chunk;
}

/* Chunk hi for writing, its block allocated if need be (NULL: no memory). */
static inline struct chunk *chunk_ref(struct v4port *vp, uint32_t hi)
{
	struct chunk **b = &vp->blk[hi >> BLOCK_BITS];
	if (!*b && !(*b = calloc(BLOCK_CHUNKS, sizeof **b)))
		return NULL;
	return &(*b)[hi & (BLOCK_CHUNKS - 1)];
}

static inline bool chunk_is_bitmap(const struct chunk *c)
{
	return c->cap == CHUNK_BITMAP;
}

/* target_set.c internals used by target_setfile.c */

/* The members of s on IPv4 port `port`, created empty when absent (NULL: no memory). */
struct v4port *target_set_v4port(struct target_set *s, uint16_t port);
/* Adds lo to chunk c of vp; returns 1 when new, 0 when present, -1 when out of memory. */
int target_chunk_add(struct v4port *vp, struct chunk *c, uint16_t lo);

#endif
