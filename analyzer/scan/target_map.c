/* target_map.c — the target hash map (target_map.h): open addressing with
 * linear probing, FNV-1a then a splitmix64 finaliser over the packed key,
 * load factor at most 0.75.  No protocol of its own.
 */
#include "analyzer/scan/target_map.h"

#include <stdlib.h>
#include <string.h>

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
