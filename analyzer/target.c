/* target.c — scan targets: key helpers, an open-addressing hash map and an
 * exact distinct-target set (Roaring bitmaps per port for IPv4, the map for
 * IPv6).  See target.h.  Addresses: RFC 791, RFC 4291. */
#include "target.h"

#include <arpa/inet.h>
#include <errno.h>
#include <roaring/roaring.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bytes.h"

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

/* ---- set ---- */

#define PORTS 65536

struct target_set {
	roaring_bitmap_t **v4; /* [PORTS], allocated on first IPv4 add */
	struct target_map *v6;
	uint64_t count;
};

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
	if (s->v4) {
		for (size_t p = 0; p < PORTS; p++)
			if (s->v4[p])
				roaring_bitmap_free(s->v4[p]);
		free(s->v4);
	}
	target_map_free(s->v6);
	free(s);
}

static uint32_t v4_word(const uint8_t *addr)
{
	return (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 | (uint32_t)addr[2] << 8 | addr[3];
}

int target_set_add(struct target_set *s, uint8_t family, const uint8_t *addr, uint16_t port)
{
	if (family == 4) {
		if (!s->v4 && !(s->v4 = calloc(PORTS, sizeof *s->v4)))
			return -1;
		if (!s->v4[port] && !(s->v4[port] = roaring_bitmap_create()))
			return -1;
		bool added = roaring_bitmap_add_checked(s->v4[port], v4_word(addr));
		s->count += added;
		return added;
	}
	struct target_key k = target_key_make(family, addr, port);
	bool inserted;
	if (!target_map_get(s->v6, &k, true, 0, &inserted))
		return -1;
	s->count += inserted;
	return inserted;
}

bool target_set_contains(const struct target_set *s, uint8_t family, const uint8_t *addr, uint16_t port)
{
	if (family == 4)
		return s->v4 && s->v4[port] && roaring_bitmap_contains(s->v4[port], v4_word(addr));
	struct target_key k = target_key_make(family, addr, port);
	return target_map_get(s->v6, &k, false, 0, NULL) != NULL;
}

uint64_t target_set_count(const struct target_set *s)
{
	return s->count;
}

uint64_t target_set_count_port(const struct target_set *s, uint8_t family, uint16_t port)
{
	if (family == 4)
		return s->v4 && s->v4[port] ? roaring_bitmap_get_cardinality(s->v4[port]) : 0;
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
	if (s->v4)
		for (size_t p = 0; p < PORTS; p++)
			if (s->v4[p])
				fn(ctx, 4, (uint16_t)p, roaring_bitmap_get_cardinality(s->v4[p]));
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
	if (s->v4) {
		n += PORTS * sizeof *s->v4;
		for (size_t p = 0; p < PORTS; p++)
			if (s->v4[p])
				n += roaring_bitmap_portable_size_in_bytes(s->v4[p]);
	}
	return n;
}

uint64_t target_set_count_port_minus(const struct target_set *a, const struct target_set *b,
                                     const struct target_set *c, uint8_t family, uint16_t port)
{
	if (family == 4) {
		if (!a->v4 || !a->v4[port])
			return 0;
		const roaring_bitmap_t *rb = b && b->v4 ? b->v4[port] : NULL;
		const roaring_bitmap_t *rc = c && c->v4 ? c->v4[port] : NULL;
		if (!rb && !rc)
			return roaring_bitmap_get_cardinality(a->v4[port]);
		if (!rb || !rc)
			return roaring_bitmap_andnot_cardinality(a->v4[port], rb ? rb : rc);
		roaring_bitmap_t *u = roaring_bitmap_or(rb, rc);
		if (!u)
			return 0;
		uint64_t n = roaring_bitmap_andnot_cardinality(a->v4[port], u);
		roaring_bitmap_free(u);
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

struct each_ctx {
	target_set_member_fn fn;
	void *ctx;
	uint16_t port;
};

static bool each_v4(uint32_t v, void *param)
{
	struct each_ctx *e = param;
	uint8_t a[16] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	e->fn(e->ctx, 4, a, e->port);
	return true;
}

void target_set_each(const struct target_set *s, target_set_member_fn fn, void *ctx)
{
	struct each_ctx e = { fn, ctx, 0 };
	if (s->v4)
		for (size_t p = 0; p < PORTS; p++)
			if (s->v4[p]) {
				e.port = (uint16_t)p;
				roaring_iterate(s->v4[p], each_v4, &e);
			}
	size_t cur = 0;
	struct target_key k;
	while (target_map_next(s->v6, &cur, &k, NULL))
		fn(ctx, k.family, k.addr, k.port);
}

int target_set_union(struct target_set *dst, const struct target_set *src)
{
	if (src->v4) {
		if (!dst->v4 && !(dst->v4 = calloc(PORTS, sizeof *dst->v4)))
			return -1;
		for (size_t p = 0; p < PORTS; p++) {
			if (!src->v4[p])
				continue;
			if (!dst->v4[p]) {
				if (!(dst->v4[p] = roaring_bitmap_copy(src->v4[p])))
					return -1;
			} else {
				roaring_bitmap_or_inplace(dst->v4[p], src->v4[p]);
			}
		}
	}
	size_t cur = 0;
	struct target_key k;
	while (target_map_next(src->v6, &cur, &k, NULL))
		if (target_set_add(dst, k.family, k.addr, k.port) < 0)
			return -1;
	/* recount: IPv4 cardinalities changed in place */
	uint64_t n = target_map_count(dst->v6);
	if (dst->v4)
		for (size_t p = 0; p < PORTS; p++)
			if (dst->v4[p])
				n += roaring_bitmap_get_cardinality(dst->v4[p]);
	dst->count = n;
	return 0;
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
	    (len && fwrite(payload, 1, len, fp) != len))
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
		if (s->v4) {
			for (size_t p = 0; p < PORTS; p++) {
				if (!s->v4[p])
					continue;
				roaring_bitmap_run_optimize(s->v4[p]);
				size_t len = roaring_bitmap_portable_size_in_bytes(s->v4[p]);
				char *buf = malloc(len ? len : 1);
				if (!buf)
					return -1;
				roaring_bitmap_portable_serialize(s->v4[p], buf);
				int rc = write_record(fp, names[i], 4, (uint16_t)p, buf, len);
				free(buf);
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
			if (!dst->v4 && !(dst->v4 = calloc(PORTS, sizeof *dst->v4))) {
				roaring_bitmap_free(rb);
				goto oom;
			}
			if (dst->v4[port]) {
				roaring_bitmap_or_inplace(dst->v4[port], rb);
				roaring_bitmap_free(rb);
			} else {
				dst->v4[port] = rb;
			}
		} else {
			for (uint64_t j = 0; j < len / 16; j++)
				if (target_set_add(dst, 6, (const uint8_t *)buf + j * 16, port) < 0)
					goto oom;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct target_set *s = sets[i];
		uint64_t c = target_map_count(s->v6);
		if (s->v4)
			for (size_t p = 0; p < PORTS; p++)
				if (s->v4[p])
					c += roaring_bitmap_get_cardinality(s->v4[p]);
		s->count = c;
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
