/* target_set.h — a set of scan targets (family, address, port) that counts
 * distinct targets exactly: IPv4 targets per port in Roaring-style chunks
 * (65536 chunks of sorted 16-bit arrays or 8 KiB bitmaps), so that tens of
 * millions of IPv4 responders fit in a few hundred MiB and sorted batches
 * merge cheaply, and IPv6 targets in a target map.  Its file (DIR/targets.sets)
 * is target_setfile.h.  Addresses: RFC 791, RFC 8200; ports: RFC 9293.
 */
#ifndef MPCAP_TARGET_SET_H
#define MPCAP_TARGET_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

#endif
