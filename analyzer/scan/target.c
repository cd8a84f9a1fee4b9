/* target.c — scan targets: key helpers, an open-addressing hash map and an
 * exact distinct-target set (Roaring bitmaps per port for IPv4, the map for
 * IPv6).  See target.h.  Addresses: RFC 791, RFC 4291. */
#include "analyzer/scan/target.h"

#include <arpa/inet.h>
#include <errno.h>
#include <roaring/roaring.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "analyzer/base/bytes.h"

struct target_key target_key_make(uint8_t family, const uint8_t *addr, uint16_t port)
{
	struct target_key k;
	memset(&k, 0, sizeof k);
	k.family = family;
	k.port = port;
	memcpy(k.addr, addr, family == 4 ? 4 : 16);
	return k;
}

int target_key_cmp(const struct target_key *a, const struct target_key *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	int c = memcmp(a->addr, b->addr, 16);
	if (c)
		return c < 0 ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->extra != b->extra)
		return a->extra < b->extra ? -1 : 1;
	if (a->aux != b->aux)
		return a->aux < b->aux ? -1 : 1;
	return 0;
}

void target_addr_format(uint8_t family, const uint8_t *addr, char *buf, size_t buflen)
{
	if (!inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, buf, (socklen_t)buflen) && buflen)
		buf[0] = '\0';
}

/* ---- map ---- */

struct map_slot {
	struct target_key key;
	uint32_t value;
	uint32_t used;
};

struct target_map {
	struct map_slot *slots;
	size_t cap; /* power of two */
	size_t count;
};

static uint64_t key_hash(const struct target_key *k)
{
	/* 64-bit FNV-1a over the packed key, then a final avalanche (splitmix64). */
	const uint8_t *p = (const uint8_t *)k;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < sizeof *k; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

struct target_map *target_map_new(void)
{
	struct target_map *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->cap = 64;
	m->slots = calloc(m->cap, sizeof *m->slots);
	if (!m->slots) {
		free(m);
		return NULL;
	}
	return m;
}

void target_map_free(struct target_map *m)
{
	if (!m)
		return;
	free(m->slots);
	free(m);
}

static struct map_slot *map_find_slot(struct map_slot *slots, size_t cap, const struct target_key *key)
{
	size_t i = (size_t)key_hash(key) & (cap - 1);
	for (;;) {
		struct map_slot *s = &slots[i];
		if (!s->used || memcmp(&s->key, key, sizeof *key) == 0)
			return s;
		i = (i + 1) & (cap - 1);
	}
}

static bool map_grow(struct target_map *m)
{
	size_t ncap = m->cap * 2;
	struct map_slot *ns = calloc(ncap, sizeof *ns);
	if (!ns)
		return false;
	for (size_t i = 0; i < m->cap; i++) {
		if (m->slots[i].used)
			*map_find_slot(ns, ncap, &m->slots[i].key) = m->slots[i];
	}
	free(m->slots);
	m->slots = ns;
	m->cap = ncap;
	return true;
}

uint32_t *target_map_get(struct target_map *m, const struct target_key *key, bool create, uint32_t init,
                         bool *inserted)
{
	if (inserted)
		*inserted = false;
	struct map_slot *s = map_find_slot(m->slots, m->cap, key);
	if (s->used)
		return &s->value;
	if (!create)
		return NULL;
	if ((m->count + 1) * 4 > m->cap * 3) { /* load factor 0.75 */
		if (!map_grow(m))
			return NULL;
		s = map_find_slot(m->slots, m->cap, key);
	}
	s->key = *key;
	s->value = init;
	s->used = 1;
	m->count++;
	if (inserted)
		*inserted = true;
	return &s->value;
}

size_t target_map_count(const struct target_map *m)
{
	return m->count;
}

bool target_map_next(const struct target_map *m, size_t *cursor, struct target_key *key, uint32_t *value)
{
	while (*cursor < m->cap) {
		const struct map_slot *s = &m->slots[(*cursor)++];
		if (s->used) {
			if (key)
				*key = s->key;
			if (value)
				*value = s->value;
			return true;
		}
	}
	return false;
}

size_t target_map_memory(const struct target_map *m)
{
	return sizeof *m + m->cap * sizeof *m->slots;
}

/* ---- set ----
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

static bool chunk_is_inline(const struct chunk *c)
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
static uint32_t next_chunk(const struct v4port *vp, uint32_t from)
{
	while (from < CHUNKS) {
		uint64_t w = vp->used[from >> 6] & (~UINT64_C(0) << (from & 63));
		if (w)
			return (from & ~63u) + (uint32_t)__builtin_ctzll(w);
		from = (from & ~63u) + 64;
	}
	return CHUNKS;
}

static void mark_chunk(struct v4port *vp, uint32_t hi)
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

static bool chunk_is_bitmap(const struct chunk *c)
{
	return c->cap == CHUNK_BITMAP;
}

static void port_free(struct v4port *vp)
{
	if (!vp)
		return;
	for (uint32_t b = 0; b < BLOCKS; b++) {
		if (!vp->blk[b])
			continue;
		for (uint32_t i = 0; i < BLOCK_CHUNKS; i++)
			if (!chunk_is_inline(&vp->blk[b][i]))
				free(vp->blk[b][i].u.p);
		free(vp->blk[b]);
	}
	free(vp);
}

/* The index in s->ports of the first port >= port (a scan has a few ports). */
static size_t port_index(const struct target_set *s, uint16_t port)
{
	size_t lo = 0, hi = s->nports;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->ports[mid] < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct v4port *port_find(const struct target_set *s, uint16_t port)
{
	size_t k = port_index(s, port);
	return k < s->nports && s->ports[k] == port ? s->v4[k] : NULL;
}

static struct v4port *port_get(struct target_set *s, uint16_t port)
{
	size_t k = port_index(s, port);
	if (k < s->nports && s->ports[k] == port)
		return s->v4[k];
	uint16_t *np = realloc(s->ports, (s->nports + 1) * sizeof *np);
	if (!np)
		return NULL;
	s->ports = np;
	struct v4port **nv = realloc(s->v4, (s->nports + 1) * sizeof *nv);
	if (!nv)
		return NULL;
	s->v4 = nv;
	struct v4port *vp = calloc(1, sizeof *vp);
	if (!vp)
		return NULL;
	memmove(np + k + 1, np + k, (s->nports - k) * sizeof *np);
	memmove(nv + k + 1, nv + k, (s->nports - k) * sizeof *nv);
	np[k] = port;
	nv[k] = vp;
	s->nports++;
	return vp;
}

struct target_set *target_set_new(void)
{
	struct target_set *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->v6 = target_map_new();
	if (!s->v6) {
		free(s);
		return NULL;
	}
	return s;
}

void target_set_free(struct target_set *s)
{
	if (!s)
		return;
	for (size_t k = 0; k < s->nports; k++)
		port_free(s->v4[k]);
	free(s->v4);
	free(s->ports);
	target_map_free(s->v6);
	free(s);
}

static uint32_t v4_word(const uint8_t *addr)
{
	return (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 | (uint32_t)addr[2] << 8 | addr[3];
}

/* First index in a[0..n) whose value is >= x. */
static uint32_t lower_bound16(const uint16_t *a, uint32_t n, uint16_t x)
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (a[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool chunk_contains(const struct chunk *c, uint16_t lo)
{
	if (!c->n)
		return false;
	if (chunk_is_bitmap(c))
		return (cbits(c)[lo >> 6] >> (lo & 63)) & 1;
	const uint16_t *a = ccarr(c);
	uint32_t i = lower_bound16(a, c->n, lo);
	return i < c->n && a[i] == lo;
}

static int chunk_to_bitmap(struct v4port *vp, struct chunk *c)
{
	uint64_t *b = calloc(BITMAP_WORDS, sizeof *b);
	if (!b)
		return -1;
	const uint16_t *a = ccarr(c);
	for (uint32_t i = 0; i < c->n; i++)
		b[a[i] >> 6] |= UINT64_C(1) << (a[i] & 63);
	if (!chunk_is_inline(c)) {
		vp->bytes -= (size_t)c->cap * sizeof(uint16_t);
		free(c->u.p);
	}
	vp->bytes += BITMAP_WORDS * sizeof(uint64_t);
	c->u.p = b;
	c->cap = CHUNK_BITMAP;
	return 0;
}

static int chunk_reserve(struct v4port *vp, struct chunk *c, uint32_t need)
{
	if (need <= c->cap || need <= CHUNK_INLINE)
		return 0;
	uint32_t nc = c->cap < 8 ? 8 : c->cap < 64 ? 2 * c->cap : c->cap + c->cap / 2;
	if (nc < need)
		nc = need;
	if (nc > CHUNK_ARRAY_MAX)
		nc = CHUNK_ARRAY_MAX;
	uint16_t *n;
	if (chunk_is_inline(c)) {
		if (!(n = malloc((size_t)nc * sizeof *n)))
			return -1;
		memcpy(n, c->u.in, (size_t)c->n * sizeof *n);
		vp->bytes += (size_t)nc * sizeof *n;
	} else {
		if (!(n = realloc(c->u.p, (size_t)nc * sizeof *n)))
			return -1;
		vp->bytes += (size_t)(nc - c->cap) * sizeof *n;
	}
	c->u.p = n;
	c->cap = nc;
	return 0;
}

/* Returns 1 when new, 0 when present, -1 when out of memory. */
static int chunk_add(struct v4port *vp, struct chunk *c, uint16_t lo)
{
	if (chunk_is_bitmap(c)) {
		uint64_t *w = &cbits(c)[lo >> 6], bit = UINT64_C(1) << (lo & 63);
		if (*w & bit)
			return 0;
		*w |= bit;
		c->n++;
		return 1;
	}
	uint16_t *a = carr(c);
	uint32_t i = c->n && a[c->n - 1] < lo ? c->n : lower_bound16(a, c->n, lo);
	if (i < c->n && a[i] == lo)
		return 0;
	if (c->n == CHUNK_ARRAY_MAX) {
		if (chunk_to_bitmap(vp, c) != 0)
			return -1;
		return chunk_add(vp, c, lo);
	}
	if (chunk_reserve(vp, c, c->n + 1) != 0)
		return -1;
	a = carr(c);
	memmove(a + i + 1, a + i, (size_t)(c->n - i) * sizeof *a);
	a[i] = lo;
	c->n++;
	return 1;
}

/* Merges k sorted values (repeats allowed) into the chunk.  Returns the
 * number of new members, or -1 when out of memory. */
static int64_t chunk_add_sorted(struct v4port *vp, struct chunk *c, const uint16_t *v, uint32_t k)
{
	if (!chunk_is_bitmap(c) && c->n + k > CHUNK_ARRAY_MAX && chunk_to_bitmap(vp, c) != 0)
		return -1;
	if (chunk_is_bitmap(c)) {
		uint64_t *b = cbits(c);
		uint32_t before = c->n;
		for (uint32_t i = 0; i < k; i++) {
			uint64_t bit = UINT64_C(1) << (v[i] & 63);
			c->n += !(b[v[i] >> 6] & bit);
			b[v[i] >> 6] |= bit;
		}
		return c->n - before;
	}
	if (chunk_reserve(vp, c, c->n + k) != 0)
		return -1;
	uint16_t *a = carr(c);
	if (!c->n || a[c->n - 1] < v[0]) { /* all after the current members: append */
		uint32_t n = c->n;
		for (uint32_t i = 0; i < k; i++)
			if (n == 0 || a[n - 1] != v[i])
				a[n++] = v[i];
		int64_t added = n - c->n;
		c->n = n;
		return added;
	}
	/* merge from the back into the free space, then squeeze out repeats */
	int64_t i = (int64_t)c->n - 1, j = (int64_t)k - 1, w = (int64_t)c->n + k - 1;
	while (j >= 0) {
		if (i >= 0 && a[i] > v[j])
			a[w--] = a[i--];
		else
			a[w--] = v[j--];
	}
	uint32_t total = c->n + k, n = 0;
	for (uint32_t r = 0; r < total; r++)
		if (n == 0 || a[n - 1] != a[r])
			a[n++] = a[r];
	int64_t added = (int64_t)n - c->n;
	c->n = n;
	return added;
}

int target_set_add(struct target_set *s, uint8_t family, const uint8_t *addr, uint16_t port)
{
	if (family == 4) {
		struct v4port *vp = port_get(s, port);
		if (!vp)
			return -1;
		uint32_t w = v4_word(addr);
		struct chunk *c = chunk_ref(vp, w >> 16);
		if (!c)
			return -1;
		int r = chunk_add(vp, c, (uint16_t)w);
		if (r > 0) {
			vp->n++;
			mark_chunk(vp, w >> 16);
		}
		return r;
	}
	struct target_key k = target_key_make(family, addr, port);
	bool inserted;
	if (!target_map_get(s->v6, &k, true, 0, &inserted))
		return -1;
	return inserted;
}

int target_set_add_v4_sorted(struct target_set *s, uint16_t port, const uint32_t *addrs, size_t n)
{
	if (!n)
		return 0;
	struct v4port *vp = port_get(s, port);
	if (!vp)
		return -1;
	uint16_t lows[1024];
	size_t i = 0;
	while (i < n) {
		uint32_t hi = addrs[i] >> 16;
		/* chunks are scattered on the heap: fetch the descriptors a few groups
		 * ahead and the members of the next groups, so that the merge does not
		 * wait for memory */
		__builtin_prefetch(chunk_peek(vp, addrs[i + 48 < n ? i + 48 : n - 1] >> 16));
		const struct chunk *ahead = chunk_peek(vp, addrs[i + 16 < n ? i + 16 : n - 1] >> 16);
		if (!chunk_is_inline(ahead)) {
			__builtin_prefetch(ahead->u.p);
			if (!chunk_is_bitmap(ahead) && ahead->n > 32)
				__builtin_prefetch((const uint16_t *)ahead->u.p + ahead->n - 1);
		}
		uint32_t k = 0;
		while (i < n && addrs[i] >> 16 == hi && k < 1024)
			lows[k++] = (uint16_t)addrs[i++];
		struct chunk *c = chunk_ref(vp, hi);
		int64_t added = c ? chunk_add_sorted(vp, c, lows, k) : -1;
		if (added < 0)
			return -1;
		vp->n += (uint64_t)added;
		mark_chunk(vp, hi);
	}
	return 0;
}

bool target_set_contains(const struct target_set *s, uint8_t family, const uint8_t *addr, uint16_t port)
{
	if (family == 4) {
		const struct v4port *vp = port_find(s, port);
		if (!vp)
			return false;
		uint32_t w = v4_word(addr);
		return chunk_contains(chunk_peek(vp, w >> 16), (uint16_t)w);
	}
	struct target_key k = target_key_make(family, addr, port);
	return target_map_get(s->v6, &k, false, 0, NULL) != NULL;
}

uint64_t target_set_count(const struct target_set *s)
{
	uint64_t n = target_map_count(s->v6);
	for (size_t k = 0; k < s->nports; k++)
		n += s->v4[k]->n;
	return n;
}

uint64_t target_set_count_port(const struct target_set *s, uint8_t family, uint16_t port)
{
	if (family == 4) {
		const struct v4port *vp = port_find(s, port);
		return vp ? vp->n : 0;
	}
	uint64_t n = 0;
	size_t cur = 0;
	struct target_key k;
	while (target_map_next(s->v6, &cur, &k, NULL))
		n += k.family == family && k.port == port;
	return n;
}

void target_set_each_port(const struct target_set *s,
                          void (*fn)(void *ctx, uint8_t family, uint16_t port, uint64_t n), void *ctx)
{
	for (size_t k = 0; k < s->nports; k++)
		fn(ctx, 4, s->ports[k], s->v4[k]->n);
	if (!target_map_count(s->v6))
		return;
	uint64_t *per = calloc(PORTS, sizeof *per);
	if (!per)
		return;
	size_t cur = 0;
	struct target_key k;
	while (target_map_next(s->v6, &cur, &k, NULL))
		per[k.port]++;
	for (size_t p = 0; p < PORTS; p++)
		if (per[p])
			fn(ctx, 6, (uint16_t)p, per[p]);
	free(per);
}

size_t target_set_memory(const struct target_set *s)
{
	size_t n = sizeof *s + target_map_memory(s->v6);
	n += s->nports * (sizeof *s->ports + sizeof *s->v4);
	for (size_t k = 0; k < s->nports; k++) {
		const struct v4port *vp = s->v4[k];
		n += sizeof *vp + vp->bytes;
		for (uint32_t b = 0; b < BLOCKS; b++)
			n += vp->blk[b] ? BLOCK_CHUNKS * sizeof(struct chunk) : 0;
	}
	return n;
}

/* Members of chunk a in neither b nor c (either may be NULL or empty). */
static uint64_t chunk_minus(const struct chunk *a, const struct chunk *b, const struct chunk *c)
{
	if (!a->n)
		return 0;
	bool bb = !b || !b->n, cc = !c || !c->n;
	if (bb && cc)
		return a->n;
	if (chunk_is_bitmap(a) && (bb || chunk_is_bitmap(b)) && (cc || chunk_is_bitmap(c))) {
		const uint64_t *x = cbits(a), *y = bb ? NULL : cbits(b), *z = cc ? NULL : cbits(c);
		uint64_t n = 0;
		for (size_t w = 0; w < BITMAP_WORDS; w++)
			n += (uint64_t)__builtin_popcountll(x[w] & ~((y ? y[w] : 0) | (z ? z[w] : 0)));
		return n;
	}
	uint64_t n = 0;
	if (chunk_is_bitmap(a)) {
		const uint64_t *x = cbits(a);
		for (uint32_t w = 0; w < BITMAP_WORDS; w++)
			for (uint64_t bits = x[w]; bits; bits &= bits - 1) {
				uint16_t lo = (uint16_t)(w * 64 + (uint32_t)__builtin_ctzll(bits));
				n += !((!bb && chunk_contains(b, lo)) || (!cc && chunk_contains(c, lo)));
			}
		return n;
	}
	const uint16_t *v = ccarr(a);
	for (uint32_t i = 0; i < a->n; i++)
		n += !((!bb && chunk_contains(b, v[i])) || (!cc && chunk_contains(c, v[i])));
	return n;
}

uint64_t target_set_count_port_minus(const struct target_set *a, const struct target_set *b,
                                     const struct target_set *c, uint8_t family, uint16_t port)
{
	if (family == 4) {
		const struct v4port *va = port_find(a, port);
		if (!va)
			return 0;
		const struct v4port *vb = b ? port_find(b, port) : NULL, *vc = c ? port_find(c, port) : NULL;
		if (!vb && !vc)
			return va->n;
		uint64_t n = 0;
		for (uint32_t i = next_chunk(va, 0); i < CHUNKS; i = next_chunk(va, i + 1))
			n += chunk_minus(chunk_peek(va, i), vb ? chunk_peek(vb, i) : NULL,
			                 vc ? chunk_peek(vc, i) : NULL);
		return n;
	}
	uint64_t n = 0;
	size_t cur = 0;
	struct target_key k;
	while (target_map_next(a->v6, &cur, &k, NULL)) {
		if (k.family != family || k.port != port)
			continue;
		if ((b && target_set_contains(b, family, k.addr, port)) ||
		    (c && target_set_contains(c, family, k.addr, port)))
			continue;
		n++;
	}
	return n;
}

static void each_in_chunk(const struct chunk *c, uint32_t hi, uint16_t port, target_set_member_fn fn,
                          void *ctx)
{
	uint8_t a[16] = { (uint8_t)(hi >> 8), (uint8_t)hi };
	if (chunk_is_bitmap(c)) {
		const uint64_t *b = cbits(c);
		for (uint32_t w = 0; w < BITMAP_WORDS; w++)
			for (uint64_t bits = b[w]; bits; bits &= bits - 1) {
				uint32_t lo = w * 64 + (uint32_t)__builtin_ctzll(bits);
				a[2] = (uint8_t)(lo >> 8);
				a[3] = (uint8_t)lo;
				fn(ctx, 4, a, port);
			}
		return;
	}
	const uint16_t *v = ccarr(c);
	for (uint32_t i = 0; i < c->n; i++) {
		a[2] = (uint8_t)(v[i] >> 8);
		a[3] = (uint8_t)v[i];
		fn(ctx, 4, a, port);
	}
}

void target_set_each(const struct target_set *s, target_set_member_fn fn, void *ctx)
{
	for (size_t pk = 0; pk < s->nports; pk++) {
		uint16_t p = s->ports[pk];
		const struct v4port *vp = s->v4[pk];
		for (uint32_t hi = next_chunk(vp, 0); hi < CHUNKS; hi = next_chunk(vp, hi + 1)) {
			const struct chunk *c = chunk_peek(vp, hi);
			if (c->n)
				each_in_chunk(c, hi, p, fn, ctx);
		}
	}
	size_t cur = 0;
	struct target_key k;
	while (target_map_next(s->v6, &cur, &k, NULL))
		fn(ctx, k.family, k.addr, k.port);
}

/* dst chunk |= src chunk; returns new members or -1. */
static int64_t chunk_union(struct v4port *vp, struct chunk *dst, const struct chunk *src)
{
	if (!src->n)
		return 0;
	if (!chunk_is_bitmap(src)) {
		uint16_t tmp[CHUNK_INLINE];
		const uint16_t *v = ccarr(src);
		if (chunk_is_inline(src)) { /* dst may be src's neighbour in memory: copy out */
			memcpy(tmp, v, src->n * sizeof *tmp);
			v = tmp;
		}
		return chunk_add_sorted(vp, dst, v, src->n);
	}
	if (!chunk_is_bitmap(dst) && chunk_to_bitmap(vp, dst) != 0)
		return -1;
	uint64_t *d = cbits(dst);
	const uint64_t *x = cbits(src);
	uint32_t n = 0;
	for (size_t w = 0; w < BITMAP_WORDS; w++) {
		d[w] |= x[w];
		n += (uint32_t)__builtin_popcountll(d[w]);
	}
	int64_t added = (int64_t)n - dst->n;
	dst->n = n;
	return added;
}

int target_set_union(struct target_set *dst, const struct target_set *src)
{
	for (size_t k = 0; k < src->nports; k++) {
		uint16_t p = src->ports[k];
		const struct v4port *sp = src->v4[k];
		if (!sp->n)
			continue;
		struct v4port *dp = port_get(dst, p);
		if (!dp)
			return -1;
		for (uint32_t i = next_chunk(sp, 0); i < CHUNKS; i = next_chunk(sp, i + 1)) {
			struct chunk *dc = chunk_ref(dp, i);
			int64_t added = dc ? chunk_union(dp, dc, chunk_peek(sp, i)) : -1;
			if (added < 0)
				return -1;
			dp->n += (uint64_t)added;
			if (dc->n)
				mark_chunk(dp, i);
		}
	}
	size_t cur = 0;
	struct target_key k;
	while (target_map_next(src->v6, &cur, &k, NULL))
		if (target_set_add(dst, k.family, k.addr, k.port) < 0)
			return -1;
	return 0;
}

struct target_set *target_set_copy(const struct target_set *s)
{
	struct target_set *c = target_set_new();
	if (c && target_set_union(c, s) != 0) {
		target_set_free(c);
		c = NULL;
	}
	return c;
}

/* ---- CRoaring portable serialisation of one port ----
 * (github.com/RoaringBitmap/RoaringFormatSpec): a cookie, the containers'
 * keys and cardinalities, offsets, then each container — an array of 16-bit
 * values, a 1024-word bitmap, or runs (start, length - 1) when those take
 * less room.  All little-endian. */

#define SERIAL_COOKIE_NO_RUN 12346u
#define SERIAL_COOKIE 12347u
#define NO_OFFSET_THRESHOLD 4u

static uint32_t chunk_runs(const struct chunk *c)
{
	uint32_t runs = 0;
	if (chunk_is_bitmap(c)) {
		const uint64_t *b = cbits(c);
		for (size_t w = 0; w < BITMAP_WORDS; w++) {
			uint64_t x = b[w], next = w + 1 < BITMAP_WORDS ? b[w + 1] : 0;
			/* a run ends at each 1 followed by a 0 */
			runs += (uint32_t)__builtin_popcountll(x & ~((x >> 1) | (next << 63)));
		}
		return runs;
	}
	const uint16_t *a = ccarr(c);
	for (uint32_t i = 0; i < c->n; i++)
		runs += i == 0 || a[i] != a[i - 1] + 1;
	return runs;
}

enum ctype { CT_ARRAY, CT_BITMAP, CT_RUN };

static enum ctype chunk_ctype(const struct chunk *c, uint32_t runs)
{
	size_t as_run = 2 + 4 * (size_t)runs;
	size_t as_other = c->n > CHUNK_ARRAY_MAX ? 8192 : 2 * (size_t)c->n;
	if (as_run < as_other)
		return CT_RUN;
	return c->n > CHUNK_ARRAY_MAX ? CT_BITMAP : CT_ARRAY;
}

static size_t ctype_bytes(enum ctype t, const struct chunk *c, uint32_t runs)
{
	return t == CT_RUN ? 2 + 4 * (size_t)runs : t == CT_BITMAP ? 8192 : 2 * (size_t)c->n;
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

/* The first position >= pos whose bit is `set` (65536 when none). */
static uint32_t bitmap_next(const uint64_t *b, uint32_t pos, bool set)
{
	while (pos < 65536) {
		uint64_t w = b[pos >> 6];
		if (!set)
			w = ~w;
		w &= ~UINT64_C(0) << (pos & 63);
		if (w)
			return (pos & ~63u) + (uint32_t)__builtin_ctzll(w);
		pos = (pos & ~63u) + 64;
	}
	return 65536;
}

/* How one port is serialised: per chunk its container type and run count. */
struct serial_plan {
	uint32_t *runs;
	uint8_t *types;
	uint32_t nc;
	bool any_run, offsets;
	size_t head, len;
};

static int plan_port(const struct v4port *vp, struct serial_plan *pl)
{
	memset(pl, 0, sizeof *pl);
	pl->runs = calloc(CHUNKS, sizeof *pl->runs);
	pl->types = calloc(CHUNKS, 1);
	if (!pl->runs || !pl->types)
		return -1;
	size_t body = 0;
	for (uint32_t i = next_chunk(vp, 0); i < CHUNKS; i = next_chunk(vp, i + 1)) {
		const struct chunk *c = chunk_peek(vp, i);
		if (!c->n)
			continue;
		pl->nc++;
		pl->runs[i] = chunk_runs(c);
		pl->types[i] = (uint8_t)chunk_ctype(c, pl->runs[i]);
		pl->any_run |= pl->types[i] == CT_RUN;
		body += ctype_bytes((enum ctype)pl->types[i], c, pl->runs[i]);
	}
	size_t nc = pl->nc;
	if (pl->any_run) {
		pl->offsets = nc >= NO_OFFSET_THRESHOLD;
		pl->head = 4 + (nc + 7) / 8 + 4 * nc + (pl->offsets ? 4 * nc : 0);
	} else {
		pl->offsets = true;
		pl->head = 8 + 4 * nc + 4 * nc;
	}
	pl->len = pl->head + body;
	return 0;
}

static void plan_free(struct serial_plan *pl)
{
	free(pl->runs);
	free(pl->types);
}

/* Writes the serialisation planned in pl, container by container. */
static int write_port(FILE *fp, const struct v4port *vp, const struct serial_plan *pl)
{
	size_t hsz = pl->head;
	uint8_t *h = calloc(hsz ? hsz : 1, 1);
	uint8_t *buf = malloc(8192 + 4);
	if (!h || !buf) {
		free(h);
		free(buf);
		return -1;
	}
	uint32_t nc = pl->nc;
	uint8_t *p = h;
	if (pl->any_run) {
		put_le32(p, SERIAL_COOKIE | (nc - 1) << 16);
		p += 4;
		uint32_t k = 0;
		for (uint32_t i = next_chunk(vp, 0); i < CHUNKS; i = next_chunk(vp, i + 1))
			if (chunk_peek(vp, i)->n) {
				if (pl->types[i] == CT_RUN)
					p[k / 8] |= (uint8_t)(1u << (k % 8));
				k++;
			}
		p += (nc + 7) / 8;
	} else {
		put_le32(p, SERIAL_COOKIE_NO_RUN);
		put_le32(p + 4, nc);
		p += 8;
	}
	for (uint32_t i = next_chunk(vp, 0); i < CHUNKS; i = next_chunk(vp, i + 1)) {
		const struct chunk *c = chunk_peek(vp, i);
		if (c->n) {
			put_le16(p, (uint16_t)i);
			put_le16(p + 2, (uint16_t)(c->n - 1));
			p += 4;
		}
	}
	if (pl->offsets) {
		size_t off = pl->head;
		for (uint32_t i = next_chunk(vp, 0); i < CHUNKS; i = next_chunk(vp, i + 1)) {
			const struct chunk *c = chunk_peek(vp, i);
			if (c->n) {
				put_le32(p, (uint32_t)off);
				p += 4;
				off += ctype_bytes((enum ctype)pl->types[i], c, pl->runs[i]);
			}
		}
	}
	int rc = fwrite(h, 1, hsz, fp) == hsz ? 0 : -1;
	for (uint32_t i = next_chunk(vp, 0); i < CHUNKS && rc == 0; i = next_chunk(vp, i + 1)) {
		const struct chunk *c = chunk_peek(vp, i);
		if (!c->n)
			continue;
		uint8_t *q = buf;
		switch ((enum ctype)pl->types[i]) {
		case CT_RUN:
			put_le16(q, (uint16_t)pl->runs[i]);
			q += 2;
			if (chunk_is_bitmap(c)) {
				uint32_t pos = 0;
				while ((pos = bitmap_next(cbits(c), pos, true)) < 65536) {
					uint32_t end = bitmap_next(cbits(c), pos, false);
					put_le16(q, (uint16_t)pos);
					put_le16(q + 2, (uint16_t)(end - pos - 1));
					q += 4;
					pos = end;
				}
			} else {
				const uint16_t *v = ccarr(c);
				for (uint32_t k = 0; k < c->n;) {
					uint32_t e = k;
					while (e + 1 < c->n && v[e + 1] == v[e] + 1)
						e++;
					put_le16(q, v[k]);
					put_le16(q + 2, (uint16_t)(e - k));
					q += 4;
					k = e + 1;
				}
			}
			break;
		case CT_BITMAP: {
			const uint64_t *bm = cbits(c);
			for (size_t w = 0; w < BITMAP_WORDS; w++) {
				put_le32(q, (uint32_t)bm[w]);
				put_le32(q + 4, (uint32_t)(bm[w] >> 32));
				q += 8;
			}
			break;
		}
		case CT_ARRAY: {
			const uint16_t *v = ccarr(c);
			for (uint32_t k = 0; k < c->n; k++, q += 2)
				put_le16(q, v[k]);
			break;
		}
		}
		size_t n = (size_t)(q - buf);
		if (fwrite(buf, 1, n, fp) != n)
			rc = -1;
	}
	free(h);
	free(buf);
	return rc;
}

struct fill_ctx {
	struct v4port *vp;
	int rc;
};

static bool fill_v4(uint32_t v, void *param)
{
	struct fill_ctx *f = param;
	struct chunk *c = chunk_ref(f->vp, v >> 16);
	int r = c ? chunk_add(f->vp, c, (uint16_t)v) : -1;
	if (r < 0) {
		f->rc = -1;
		return false;
	}
	f->vp->n += (uint64_t)r;
	mark_chunk(f->vp, v >> 16);
	return true;
}

static const char sets_magic[] = "MPCAPSETS1\n";

static int put_be(FILE *fp, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		if (putc((int)((v >> (8 * i)) & 0xff), fp) == EOF)
			return -1;
	return 0;
}

static int write_record(FILE *fp, const char *name, uint8_t family, uint16_t port, const void *payload,
                        uint64_t len)
{
	size_t nl = strlen(name);
	if (putc((int)nl, fp) == EOF || fwrite(name, 1, nl, fp) != nl || putc(family, fp) == EOF ||
	    put_be(fp, port, 2) != 0 || put_be(fp, len, 8) != 0 ||
	    (payload && len && fwrite(payload, 1, len, fp) != len))
		return -1;
	return 0;
}

static int addr_cmp_port(const void *a, const void *b)
{
	return memcmp(a, b, 18);
}

int target_sets_write(FILE *fp, const char *const *names, struct target_set *const *sets, size_t n)
{
	if (fwrite(sets_magic, 1, sizeof sets_magic - 1, fp) != sizeof sets_magic - 1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct target_set *s = sets[i];
		if (strlen(names[i]) == 0 || strlen(names[i]) > 255)
			return -1;
		for (size_t pk = 0; pk < s->nports; pk++) {
			uint16_t p = s->ports[pk];
			{
				struct serial_plan pl;
				int rc = plan_port(s->v4[pk], &pl);
				if (rc == 0)
					rc = write_record(fp, names[i], 4, (uint16_t)p, NULL, pl.len);
				if (rc == 0)
					rc = write_port(fp, s->v4[pk], &pl);
				plan_free(&pl);
				if (rc != 0)
					return -1;
			}
		}
		/* IPv6: one record per port, addresses sorted */
		size_t total = target_map_count(s->v6);
		if (!total)
			continue;
		uint8_t *addrs = malloc(total * 18);
		if (!addrs)
			return -1;
		size_t cur = 0, k6 = 0;
		struct target_key k;
		while (target_map_next(s->v6, &cur, &k, NULL)) {
			addrs[k6 * 18] = (uint8_t)(k.port >> 8);
			addrs[k6 * 18 + 1] = (uint8_t)k.port;
			memcpy(addrs + k6 * 18 + 2, k.addr, 16);
			k6++;
		}
		qsort(addrs, k6, 18, addr_cmp_port);
		int rc = 0;
		for (size_t a = 0; a < k6 && rc == 0;) {
			size_t b = a;
			while (b < k6 && memcmp(addrs + b * 18, addrs + a * 18, 2) == 0)
				b++;
			uint16_t port = (uint16_t)(addrs[a * 18] << 8 | addrs[a * 18 + 1]);
			uint8_t *payload = malloc((b - a) * 16 + 1);
			if (!payload) {
				rc = -1;
				break;
			}
			for (size_t j = a; j < b; j++)
				memcpy(payload + (j - a) * 16, addrs + j * 18 + 2, 16);
			rc = write_record(fp, names[i], 6, port, payload, (uint64_t)(b - a) * 16);
			free(payload);
			a = b;
		}
		free(addrs);
		if (rc != 0)
			return -1;
	}
	return putc(0, fp) == EOF ? -1 : 0;
}

int target_sets_read(const char *path, const char *const *names, struct target_set **sets, size_t n,
                     char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++)
		sets[i] = NULL;
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char *buf = NULL;
	int rc = -1;
	/* a record may not claim more bytes than the file holds (no allocation
	 * of a length read from a damaged file) */
	struct stat st;
	int64_t size = fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
	for (size_t i = 0; i < n; i++)
		if (!(sets[i] = target_set_new()))
			goto oom;
	char magic[sizeof sets_magic - 1];
	if (fread(magic, 1, sizeof magic, fp) != sizeof magic ||
	    memcmp(magic, sets_magic, sizeof magic) != 0) {
		snprintf(err, errlen, "%s: not an mpcap target-set file", path);
		goto out;
	}
	for (;;) {
		long at = ftell(fp);
		int nl = getc(fp);
		if (nl == EOF)
			goto truncated;
		if (nl == 0)
			break;
		char name[256];
		uint8_t hdr[11];
		if (fread(name, 1, (size_t)nl, fp) != (size_t)nl ||
		    fread(hdr, 1, sizeof hdr, fp) != sizeof hdr)
			goto truncated;
		name[nl] = '\0';
		struct byte_view hv = bv_make(hdr, sizeof hdr);
		uint8_t family;
		uint16_t port;
		uint64_t len;
		bv_u8(&hv, 0, &family);
		bv_u16(&hv, 1, &port);
		bv_u64(&hv, 3, &len);
		if ((family != 4 && family != 6) || len > (1ULL << 34) || (family == 6 && len % 16)) {
			snprintf(err, errlen, "%s: corrupt record at byte offset %ld", path, at);
			goto out;
		}
		if (size >= 0 && len > (uint64_t)(size - ftell(fp)))
			goto truncated;
		free(buf);
		if (!(buf = malloc(len ? len : 1)))
			goto oom;
		if (len && fread(buf, 1, len, fp) != len)
			goto truncated;
		struct target_set *dst = NULL;
		for (size_t i = 0; i < n; i++)
			if (strcmp(names[i], name) == 0)
				dst = sets[i];
		if (!dst)
			continue;
		if (family == 4) {
			roaring_bitmap_t *rb = roaring_bitmap_portable_deserialize_safe(buf, len);
			if (!rb) {
				snprintf(err, errlen, "%s: corrupt IPv4 set at byte offset %ld", path, at);
				goto out;
			}
			struct fill_ctx f = { port_get(dst, port), 0 };
			if (f.vp)
				roaring_iterate(rb, fill_v4, &f);
			roaring_bitmap_free(rb);
			if (!f.vp || f.rc != 0)
				goto oom;
		} else {
			for (uint64_t j = 0; j < len / 16; j++)
				if (target_set_add(dst, 6, (const uint8_t *)buf + j * 16, port) < 0)
					goto oom;
		}
	}
	rc = 0;
	goto out;
truncated:
	snprintf(err, errlen, "%s: truncated target-set file", path);
	goto out;
oom:
	snprintf(err, errlen, "%s: out of memory", path);
out:
	free(buf);
	fclose(fp);
	if (rc != 0)
		for (size_t i = 0; i < n; i++) {
			target_set_free(sets[i]);
			sets[i] = NULL;
		}
	return rc;
}
