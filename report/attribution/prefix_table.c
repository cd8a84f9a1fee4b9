/* prefix_table.c — longest-prefix match by flattening prefixes into sorted
 * disjoint intervals (see prefix_table.h).
 *
 * Build: prefixes are sorted by (first address, length, insertion order);
 * identical prefixes keep the first added.  CIDR prefixes nest or are
 * disjoint, so one sweep with a stack of open prefixes emits "breakpoints":
 * at address X the answer becomes V (the innermost open prefix, or none).
 * Runs of equal answers are merged.  Lookup: the last breakpoint at or below
 * the address, found by binary search among the breakpoints that share the
 * address's top 16 bits (and, in slots holding many, the next 8 bits); the
 * answer (value, length) sits in one 8-byte record.
 */
#include "report/attribution/prefix_table.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

#define NO_MATCH 0xff /* length byte of an interval without a prefix */
#define INDEX_SLOTS 65536

struct entry {
	u128 start, end;
	uint32_t value;
	uint32_t order;
	uint8_t len;
};

struct evec {
	struct entry *v;
	size_t n, cap;
};

struct prefix_builder {
	struct evec fam[2]; /* [0] IPv4, [1] IPv6 */
	uint32_t order;
};

struct answer {
	uint32_t value;
	uint8_t len; /* NO_MATCH: no prefix covers the interval */
};

/* Interval starts are indexed by their top 16 bits; a slot holding more than
 * DENSE_SLOT intervals gets a second level on the next 8 bits, so that the
 * binary search runs over a few entries even where prefixes crowd (IPv6
 * 2001::/16, IPv4 /16s split into /24s). */
#define DENSE_SLOT 32

struct family_table {
	size_t n;
	void *pos; /* uint32_t (IPv4) or u128 (IPv6) interval starts, ascending; pos[0] = 0 */
	struct answer *ans;
	uint32_t *index; /* INDEX_SLOTS + 1: first interval starting at or above slot << (bits - 16) */
	uint32_t *dense; /* INDEX_SLOTS: 0, or 1 + offset into sub of the slot's 256 sub-slots */
	uint32_t *sub;
	size_t nsub;
	/* IPv4 tables of DIRECT_MIN intervals or more: per /24, the interval
	 * holding its first address, bit 31 set when another interval starts
	 * inside the /24 (DIR-24-8 style: one memory access before the answer's,
	 * instead of a chain of them through the binary search). */
	uint32_t *direct;
};

#define DIRECT_MIN 262144
#define DIRECT_MIXED 0x80000000u

struct prefix_table {
	struct family_table fam[2];
};

const char *prefix_status_text(int status)
{
	switch (status) {
	case PREFIX_OK:
		return "ok";
	case PREFIX_NOMEM:
		return "out of memory";
	case PREFIX_BAD_LENGTH:
		return "prefix length out of range";
	case PREFIX_HOST_BITS:
		return "address has bits set beyond the prefix length";
	case PREFIX_BAD_RANGE:
		return "range ends before it starts";
	}
	return "error";
}

struct prefix_builder *prefix_builder_new(void)
{
	return calloc(1, sizeof(struct prefix_builder));
}

void prefix_builder_free(struct prefix_builder *b)
{
	if (!b)
		return;
	free(b->fam[0].v);
	free(b->fam[1].v);
	free(b);
}

size_t prefix_builder_count(const struct prefix_builder *b)
{
	return b->fam[0].n + b->fam[1].n;
}

static u128 load_addr(int family, const uint8_t *addr)
{
	u128 x = 0;
	int n = family == 4 ? 4 : 16;
	for (int i = 0; i < n; i++)
		x = (x << 8) | addr[i];
	return x;
}

static void store_addr(int family, u128 x, uint8_t out[16])
{
	memset(out, 0, 16);
	int n = family == 4 ? 4 : 16;
	for (int i = n - 1; i >= 0; i--) {
		out[i] = (uint8_t)x;
		x >>= 8;
	}
}

/* Host mask of a prefix: the low (bits - len) bits set. */
static u128 host_mask(unsigned bits, unsigned len)
{
	unsigned h = bits - len;
	return h >= 128 ? ~(u128)0 : ((u128)1 << h) - 1;
}

bool prefix_is_v4_mapped(const uint8_t addr[16])
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	return memcmp(addr, pfx, 12) == 0;
}

bool prefix_parse_address(const char *s, int *family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (strchr(s, ':')) {
		if (inet_pton(AF_INET6, s, addr) != 1)
			return false;
		*family = 6;
		return true;
	}
	if (inet_pton(AF_INET, s, addr) != 1)
		return false;
	*family = 4;
	return true;
}

static int push(struct evec *v, u128 start, unsigned bits, unsigned len, uint32_t value, uint32_t order)
{
	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 1024;
		struct entry *ne = realloc(v->v, nc * sizeof *ne);
		if (!ne)
			return PREFIX_NOMEM;
		v->v = ne;
		v->cap = nc;
	}
	struct entry *e = &v->v[v->n++];
	e->start = start;
	e->end = start | host_mask(bits, len);
	e->value = value;
	e->order = order;
	e->len = (uint8_t)len;
	return PREFIX_OK;
}

int prefix_builder_add(struct prefix_builder *b, int family, const uint8_t *addr, unsigned len,
                       uint32_t value)
{
	if (family == 6 && len >= 96 && len <= 128 && prefix_is_v4_mapped(addr)) {
		family = 4;
		addr += 12;
		len -= 96;
	}
	unsigned bits = family == 4 ? 32 : 128;
	if (len > bits)
		return PREFIX_BAD_LENGTH;
	u128 start = load_addr(family, addr);
	if (start & host_mask(bits, len))
		return PREFIX_HOST_BITS;
	return push(&b->fam[family == 4 ? 0 : 1], start, bits, len, value, b->order++);
}

static unsigned ctz128(u128 x)
{
	uint64_t lo = (uint64_t)x, hi = (uint64_t)(x >> 64);
	if (lo)
		return (unsigned)__builtin_ctzll(lo);
	if (hi)
		return 64 + (unsigned)__builtin_ctzll(hi);
	return 128;
}

int prefix_builder_add_range(struct prefix_builder *b, int family, const uint8_t *first, const uint8_t *last,
                             uint32_t value)
{
	unsigned bits = family == 4 ? 32 : 128;
	u128 lo = load_addr(family, first), hi = load_addr(family, last);
	if (hi < lo)
		return PREFIX_BAD_RANGE;
	uint32_t order = b->order++; /* the blocks of one range share its rank */
	struct evec *v = &b->fam[family == 4 ? 0 : 1];
	for (;;) {
		unsigned k = ctz128(lo);
		if (k > bits)
			k = bits;
		while (hi - lo < host_mask(bits, bits - k))
			k--;
		int rc = push(v, lo, bits, bits - k, value, order);
		if (rc != PREFIX_OK)
			return rc;
		u128 end = lo | host_mask(bits, bits - k);
		if (end >= hi)
			return PREFIX_OK;
		lo = end + 1;
	}
}

static int entry_cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

struct bp {
	u128 pos;
	uint32_t value;
	uint8_t len;
};

struct bpvec {
	struct bp *v;
	size_t n, cap;
};

/* Sets the answer from pos on; a later answer at the same pos replaces an earlier one. */
static int emit(struct bpvec *o, u128 pos, const struct entry *e)
{
	if (o->n && o->v[o->n - 1].pos == pos) {
		o->v[o->n - 1].value = e ? e->value : 0;
		o->v[o->n - 1].len = e ? e->len : NO_MATCH;
		return 0;
	}
	if (o->n == o->cap) {
		size_t nc = o->cap ? o->cap * 2 : 1024;
		struct bp *nv = realloc(o->v, nc * sizeof *nv);
		if (!nv)
			return -1;
		o->v = nv;
		o->cap = nc;
	}
	o->v[o->n++] = (struct bp){ pos, e ? e->value : 0, e ? e->len : NO_MATCH };
	return 0;
}

static int flatten(const struct evec *in, unsigned bits, struct family_table *ft)
{
	struct entry *e = NULL;
	struct bpvec o = { 0 };
	int rc = -1;
	size_t n = in->n;
	if (n) {
		e = malloc(n * sizeof *e);
		if (!e)
			return -1;
		memcpy(e, in->v, n * sizeof *e);
		qsort(e, n, sizeof *e, entry_cmp);
	}
	const u128 max = host_mask(bits, 0);
	const struct entry *stack[130];
	int sp = 0;
	if (emit(&o, 0, NULL) != 0)
		goto out;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && i > 0 && e[i].start == e[i - 1].start && e[i].len == e[i - 1].len)
			continue; /* identical prefix: the first added (sorted first) wins */
		/* close the open prefixes that end before this one starts (all at the end) */
		while (sp && (i == n || stack[sp - 1]->end < e[i].start)) {
			const struct entry *t = stack[--sp];
			if (t->end != max && emit(&o, t->end + 1, sp ? stack[sp - 1] : NULL) != 0)
				goto out;
		}
		if (i == n)
			break;
		if (emit(&o, e[i].start, &e[i]) != 0)
			goto out;
		stack[sp++] = &e[i]; /* nested in the top, or the stack was empty */
	}
	/* merge runs of equal answers */
	size_t m = 0;
	for (size_t i = 0; i < o.n; i++)
		if (m == 0 || o.v[i].value != o.v[m - 1].value || o.v[i].len != o.v[m - 1].len)
			o.v[m++] = o.v[i];
	ft->n = m;
	ft->pos = malloc(m * (bits == 32 ? sizeof(uint32_t) : sizeof(u128)));
	ft->ans = malloc(m * sizeof *ft->ans);
	ft->index = malloc((INDEX_SLOTS + 1) * sizeof *ft->index);
	ft->dense = calloc(INDEX_SLOTS, sizeof *ft->dense);
	if (!ft->pos || !ft->ans || !ft->index || !ft->dense)
		goto out;
	for (size_t i = 0; i < m; i++) {
		if (bits == 32)
			((uint32_t *)ft->pos)[i] = (uint32_t)o.v[i].pos;
		else
			((u128 *)ft->pos)[i] = o.v[i].pos;
		ft->ans[i] = (struct answer){ o.v[i].value, o.v[i].len };
	}
	size_t j = 0, ndense = 0;
	for (size_t h = 0; h < INDEX_SLOTS; h++) {
		u128 key = (u128)h << (bits - 16);
		while (j < m && o.v[j].pos < key)
			j++;
		ft->index[h] = (uint32_t)j;
	}
	ft->index[INDEX_SLOTS] = (uint32_t)m;
	for (size_t h = 0; h < INDEX_SLOTS; h++)
		ndense += ft->index[h + 1] - ft->index[h] > DENSE_SLOT;
	if (bits == 32 && m >= DIRECT_MIN) {
		ft->direct = malloc(((size_t)1 << 24) * sizeof *ft->direct);
		if (!ft->direct)
			goto out;
		size_t i = 0;
		for (size_t h = 0; h < ((size_t)1 << 24); h++) {
			uint32_t base = (uint32_t)(h << 8);
			while (i + 1 < m && o.v[i + 1].pos <= base)
				i++;
			bool mixed = i + 1 < m && o.v[i + 1].pos <= (base | 0xff);
			ft->direct[h] = (uint32_t)i | (mixed ? DIRECT_MIXED : 0);
		}
	}
	if (ndense) {
		ft->nsub = ndense * 256;
		ft->sub = malloc(ft->nsub * sizeof *ft->sub);
		if (!ft->sub)
			goto out;
		size_t off = 0;
		for (size_t h = 0; h < INDEX_SLOTS; h++) {
			if (ft->index[h + 1] - ft->index[h] <= DENSE_SLOT)
				continue;
			j = ft->index[h];
			for (size_t k = 0; k < 256; k++) {
				u128 key = ((u128)h << (bits - 16)) | ((u128)k << (bits - 24));
				while (j < ft->index[h + 1] && o.v[j].pos < key)
					j++;
				ft->sub[off + k] = (uint32_t)j;
			}
			ft->dense[h] = (uint32_t)(off + 1);
			off += 256;
		}
	}
	rc = 0;
out:
	free(e);
	free(o.v);
	return rc;
}

static void family_free(struct family_table *ft)
{
	free(ft->pos);
	free(ft->ans);
	free(ft->index);
	free(ft->dense);
	free(ft->sub);
	free(ft->direct);
}

struct prefix_table *prefix_table_build(const struct prefix_builder *b)
{
	struct prefix_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	if (b->fam[0].n > UINT32_MAX / 2 || b->fam[1].n > UINT32_MAX / 2 ||
	    flatten(&b->fam[0], 32, &t->fam[0]) != 0 || flatten(&b->fam[1], 128, &t->fam[1]) != 0) {
		prefix_table_free(t);
		return NULL;
	}
	return t;
}

void prefix_table_free(struct prefix_table *t)
{
	if (!t)
		return;
	family_free(&t->fam[0]);
	family_free(&t->fam[1]);
	free(t);
}

/* The range [*lo, *hi) of intervals whose starts share x's slot (and
 * sub-slot): the interval holding x is the last of them starting at or below
 * x, or the one before them. */
static inline void slot_range(const struct family_table *ft, size_t slot, unsigned sub, size_t *lo,
                              size_t *hi)
{
	uint32_t d = ft->dense[slot];
	if (!d) {
		*lo = ft->index[slot];
		*hi = ft->index[slot + 1];
		return;
	}
	const uint32_t *s = ft->sub + (d - 1);
	*lo = s[sub];
	*hi = sub < 255 ? s[sub + 1] : ft->index[slot + 1];
}

/* Index of the interval holding x (pos[0] = 0, so there is always one). */
static size_t find4(const struct family_table *ft, uint32_t x)
{
	const uint32_t *pos = ft->pos;
	if (ft->direct) {
		uint32_t e = ft->direct[x >> 8];
		size_t i = e & ~DIRECT_MIXED;
		if (e & DIRECT_MIXED)
			while (i + 1 < ft->n && pos[i + 1] <= x)
				i++;
		return i;
	}
	size_t lo, hi;
	slot_range(ft, x >> 16, (x >> 8) & 0xff, &lo, &hi);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (pos[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - 1;
}

static size_t find6(const struct family_table *ft, u128 x)
{
	const u128 *pos = ft->pos;
	size_t lo, hi;
	slot_range(ft, (size_t)(x >> 112), (unsigned)(x >> 104) & 0xff, &lo, &hi);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (pos[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - 1;
}

bool prefix_table_lookup4(const struct prefix_table *t, uint32_t addr, uint32_t *value, unsigned *length)
{
	const struct answer *a = &t->fam[0].ans[find4(&t->fam[0], addr)];
	if (a->len == NO_MATCH)
		return false;
	*value = a->value;
	*length = a->len;
	return true;
}

bool prefix_table_lookup(const struct prefix_table *t, int family, const uint8_t *addr,
                         struct prefix_match *m)
{
	if (family == 6 && prefix_is_v4_mapped(addr)) {
		family = 4;
		addr += 12;
	}
	const struct family_table *ft = &t->fam[family == 4 ? 0 : 1];
	unsigned bits = family == 4 ? 32 : 128;
	size_t i;
	if (family == 4) {
		uint32_t x4 =
		    (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 | (uint32_t)addr[2] << 8 | addr[3];
		const uint32_t *pos = ft->pos;
		i = find4(ft, x4);
		uint32_t f = pos[i], l = i + 1 < ft->n ? pos[i + 1] - 1 : UINT32_MAX;
		memset(m->first, 0, 16);
		memset(m->last, 0, 16);
		for (int k = 0; k < 4; k++) {
			m->first[k] = (uint8_t)(f >> (24 - 8 * k));
			m->last[k] = (uint8_t)(l >> (24 - 8 * k));
		}
		m->family = 4;
		m->found = ft->ans[i].len != NO_MATCH;
		m->value = m->found ? ft->ans[i].value : 0;
		m->length = m->found ? ft->ans[i].len : 0;
		return m->found;
	}
	u128 x = load_addr(family, addr), first, last;
	{
		i = find6(ft, x);
		first = ((const u128 *)ft->pos)[i];
		last = i + 1 < ft->n ? ((const u128 *)ft->pos)[i + 1] - 1 : host_mask(bits, 0);
		/* IPv4-mapped addresses are answered by the IPv4 table: keep
		 * ::ffff:0:0/96 out of an IPv6 interval (x is never inside it) */
		const u128 mapped_lo = (u128)0xffff << 32, mapped_hi = mapped_lo | 0xffffffffu;
		if (x < mapped_lo && last >= mapped_lo)
			last = mapped_lo - 1;
		else if (x > mapped_hi && first <= mapped_hi)
			first = mapped_hi + 1;
	}
	m->family = family;
	store_addr(family, first, m->first);
	store_addr(family, last, m->last);
	m->found = ft->ans[i].len != NO_MATCH;
	m->value = m->found ? ft->ans[i].value : 0;
	m->length = m->found ? ft->ans[i].len : 0;
	return m->found;
}

size_t prefix_table_intervals(const struct prefix_table *t, int family)
{
	return t->fam[family == 4 ? 0 : 1].n;
}

size_t prefix_table_memory(const struct prefix_table *t)
{
	size_t n = sizeof *t;
	for (int f = 0; f < 2; f++)
		n += t->fam[f].n * ((f == 0 ? 4 : 16) + sizeof(struct answer)) + (2 * INDEX_SLOTS + 1) * 4 +
		     t->fam[f].nsub * 4 + (t->fam[f].direct ? ((size_t)1 << 24) * 4 : 0);
	return n;
}
