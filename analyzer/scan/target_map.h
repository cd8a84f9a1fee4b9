/* target_map.h — an open-addressing hash map from a target key
 * (target_key.h) to a 32-bit value: per-target records, indexes, the IPv6
 * members of a target set.  No protocol of its own (targets: RFC 9293).
 */
#ifndef MPCAP_TARGET_MAP_H
#define MPCAP_TARGET_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/scan/target_key.h"

/* target_key -> uint32_t */
struct target_map;
struct target_map *target_map_new(void);
void target_map_free(struct target_map *m);
/* Finds key; when absent and create is true inserts it with value `init`.
 * Returns a pointer to the value slot (valid until the next insertion), or
 * NULL when absent (create false) or out of memory.  *inserted says whether
 * the key is new. */
uint32_t *target_map_get(struct target_map *m, const struct target_key *key, bool create, uint32_t init,
                         bool *inserted);
size_t target_map_count(const struct target_map *m);
/* Iterates in slot order: call with *cursor = 0 until it returns false. */
bool target_map_next(const struct target_map *m, size_t *cursor, struct target_key *key, uint32_t *value);
size_t target_map_memory(const struct target_map *m);

#endif
