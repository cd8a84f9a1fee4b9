/* target.h — a scan target (address, port) and the hash map and set over it.
 *
 * A target is an IPv4 or IPv6 address and a TCP port (RFC 9293).  The map is
 * an open-addressing hash table from a fixed-size key to a 32-bit value,
 * used for per-target records; the set counts distinct targets exactly and
 * keeps IPv4 targets per port in Roaring-style chunks (65536 chunks of
 * sorted 16-bit arrays or 8 KiB bitmaps), so that tens of millions of IPv4
 * responders fit in a few hundred MiB and sorted batches merge cheaply, and
 * IPv6 targets in the hash map.  On disk, IPv4 sets are CRoaring portable
 * serialisations.
 */
#ifndef MPCAP_TARGET_H
#define MPCAP_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Packed key: family, 16 address bytes (IPv4 in the first 4), port, and an
 * 8-bit "extra" discriminator (e.g. probe version, or 0). */
struct target_key {
	uint8_t family;
	uint8_t extra;
	uint16_t port;
	uint8_t addr[16];
	uint16_t aux; /* further discriminator (e.g. the scanner's source port), else 0 */
	uint16_t pad; /* always 0 */
};

struct target_key target_key_make(uint8_t family, const uint8_t *addr, uint16_t port);
/* Compares family, address, port, extra, aux in that order (for sorting output). */
int target_key_cmp(const struct target_key *a, const struct target_key *b);
/* Formats the address as text (inet_ntop); buf at least 46 bytes. */
void target_addr_format(uint8_t family, const uint8_t *addr, char *buf, size_t buflen);

/* ---- map: target_key -> uint32_t ---- */
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

/* ---- set of (family, address, port): exact distinct counts ---- */
struct target_set;
struct target_set *target_set_new(void);
void target_set_free(struct target_set *s);
/* Adds; returns 1 when new, 0 when already present, -1 when out of memory. */
int target_set_add(struct target_set *s, uint8_t family, const uint8_t *addr, uint16_t port);
bool target_set_contains(const struct target_set *s, uint8_t family, const uint8_t *addr, uint16_t port);
uint64_t target_set_count(const struct target_set *s);
/* Distinct targets of one family and port. */
uint64_t target_set_count_port(const struct target_set *s, uint8_t family, uint16_t port);
/* Calls fn for every (family, port) present with its count, ports ascending, IPv4 first. */
void target_set_each_port(const struct target_set *s,
                          void (*fn)(void *ctx, uint8_t family, uint16_t port, uint64_t n), void *ctx);
size_t target_set_memory(const struct target_set *s);
/* |a \ (b ∪ c)| for one family and port; b and c may be NULL. */
uint64_t target_set_count_port_minus(const struct target_set *a, const struct target_set *b,
                                     const struct target_set *c, uint8_t family, uint16_t port);

/* Calls fn for every member (IPv4 by port then address, then IPv6 in no particular order). */
typedef void (*target_set_member_fn)(void *ctx, uint8_t family, const uint8_t *addr, uint16_t port);
void target_set_each(const struct target_set *s, target_set_member_fn fn, void *ctx);
/* dst |= src.  Returns 0 or -1 when out of memory. */
int target_set_union(struct target_set *dst, const struct target_set *src);
/* Adds n IPv4 addresses (host-order 32-bit words, sorted ascending, repeats
 * allowed) on one port: the bulk path for streams of targets, much cheaper
 * than one target_set_add per address.  Returns 0 or -1 when out of memory. */
int target_set_add_v4_sorted(struct target_set *s, uint16_t port, const uint32_t *addrs, size_t n);
/* A copy of s, or NULL when out of memory. */
struct target_set *target_set_copy(const struct target_set *s);

/* ---- persistence: named sets in one binary file (DIR/targets.sets) ----
 * Format: "MPCAPSETS1\n", then records {u8 name length, name, u8 family,
 * u16 port, u64 payload length (all big-endian), payload}, ended by a zero
 * name length.  IPv4 payload: a CRoaring portable serialisation (with run
 * containers where smaller; read back through CRoaring); IPv6
 * payload: the 16-byte addresses.  Exact, so that results computed on
 * shards can be merged into exactly what one run would count. */
int target_sets_write(FILE *fp, const char *const *names, struct target_set *const *sets, size_t n);
/* Reads the sets named in names into sets[i] (new, empty when absent from the file). */
int target_sets_read(const char *path, const char *const *names, struct target_set **sets, size_t n,
                     char *err, size_t errlen);

#endif
