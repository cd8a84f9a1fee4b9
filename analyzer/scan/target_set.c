/* target_set.c — the exact target set (target_set.h): IPv4 members in
 * chunks per port (see target_set_internal.h), IPv6 members in a target map.
 * Addresses: RFC 791, RFC 8200; ports: RFC 9293.
 */
#include "analyzer/scan/target_set.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/scan/target_key.h"
#include "analyzer/scan/target_map.h"
#include "analyzer/scan/target_set_internal.h"

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

struct v4port *target_set_v4port(struct target_set *s, uint16_t port)
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

/* Sets in b (zeroed) the bits of an array chunk's members. */
static void spread_bits(const struct chunk *c, uint64_t *b)
{
	const uint16_t *a = ccarr(c);
	for (uint32_t i = 0; i < c->n; i++)
		b[a[i] >> 6] |= UINT64_C(1) << (a[i] & 63);
}

static int chunk_to_bitmap(struct v4port *vp, struct chunk *c)
{
	uint64_t *b = calloc(BITMAP_WORDS, sizeof *b);
	if (!b)
		return -1;
	spread_bits(c, b);
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

int target_chunk_add(struct v4port *vp, struct chunk *c, uint16_t lo)
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
		return target_chunk_add(vp, c, lo);
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
	/* merge from the back into the free space, branch-free (the order of
	 * random addresses cannot be predicted); a repeat (a value both held, or
	 * given twice) can only come from v, and only then is the chunk squeezed
	 * (a scan's probes rarely repeat a target) */
	uint32_t dups = 0;
	for (uint32_t t = 1; t < k; t++)
		dups += v[t] == v[t - 1];
	int64_t i = (int64_t)c->n - 1, j = (int64_t)k - 1, w = (int64_t)c->n + k - 1;
	while (i >= 0 && j >= 0) {
		uint16_t x = a[i], y = v[j];
		bool take_x = x > y;
		dups += x == y;
		a[w--] = take_x ? x : y;
		i -= take_x;
		j -= !take_x;
	}
	while (j >= 0)
		a[w--] = v[j--];
	uint32_t total = c->n + k, n = total;
	if (dups) {
		n = 0;
		for (uint32_t r = 0; r < total; r++)
			if (n == 0 || a[n - 1] != a[r])
				a[n++] = a[r];
	}
	int64_t added = (int64_t)n - c->n;
	c->n = n;
	return added;
}

int target_set_add(struct target_set *s, uint8_t family, const uint8_t *addr, uint16_t port)
{
	if (family == 4) {
		struct v4port *vp = target_set_v4port(s, port);
		if (!vp)
			return -1;
		uint32_t w = v4_word(addr);
		struct chunk *c = chunk_ref(vp, w >> 16);
		if (!c)
			return -1;
		int r = target_chunk_add(vp, c, (uint16_t)w);
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
	struct v4port *vp = target_set_v4port(s, port);
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

/* The members of a non-empty chunk as a bitmap: its own, or spread into tmp. */
static const uint64_t *chunk_bits(const struct chunk *c, uint64_t *tmp)
{
	if (chunk_is_bitmap(c))
		return cbits(c);
	memset(tmp, 0, BITMAP_WORDS * sizeof *tmp);
	spread_bits(c, tmp);
	return tmp;
}

/* Members of chunk a in neither b nor c (either may be NULL or empty). */
static uint64_t chunk_minus(const struct chunk *a, const struct chunk *b, const struct chunk *c)
{
	if (!a->n)
		return 0;
	bool bb = !b || !b->n, cc = !c || !c->n;
	if (bb && cc)
		return a->n;
	if (chunk_is_bitmap(a)) {
		/* word by word, an array among b and c first spread into a bitmap */
		uint64_t tb[BITMAP_WORDS], tc[BITMAP_WORDS];
		const uint64_t *x = cbits(a), *y = bb ? NULL : chunk_bits(b, tb),
		               *z = cc ? NULL : chunk_bits(c, tc);
		uint64_t n = 0;
		for (size_t w = 0; w < BITMAP_WORDS; w++)
			n += (uint64_t)__builtin_popcountll(x[w] & ~((y ? y[w] : 0) | (z ? z[w] : 0)));
		return n;
	}
	if ((bb || !chunk_is_bitmap(b)) && (cc || !chunk_is_bitmap(c)) &&
	    (bb ? 0 : b->n) + (cc ? 0 : c->n) < a->n) {
		/* arrays, the others the smaller (a scan's answers next to its
		 * probes): a less the members of b or c found in a, each such
		 * member found once (the union of b and c walked in order) */
		const uint16_t *v = ccarr(a), *y = bb ? NULL : ccarr(b), *z = cc ? NULL : ccarr(c);
		uint32_t ny = bb ? 0 : b->n, nz = cc ? 0 : c->n, i = 0, j = 0, at = 0, found = 0;
		while (i < ny || j < nz) {
			uint16_t x;
			if (j == nz || (i < ny && y[i] < z[j]))
				x = y[i++];
			else if (i == ny || z[j] < y[i])
				x = z[j++];
			else
				x = y[i++], j++;
			at += lower_bound16(v + at, a->n - at, x);
			found += at < a->n && v[at] == x;
		}
		return a->n - found;
	}
	uint64_t n = 0;
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
		struct v4port *dp = target_set_v4port(dst, p);
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
