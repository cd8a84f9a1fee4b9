/* prefix_table.h — longest-prefix match (LPM) over IPv4 and IPv6 prefixes.
 *
 * A builder collects prefixes (address/length, CIDR as in RFC 4632 and
 * RFC 4291 §2.3) with a 32-bit value each; prefix_table_build() flattens
 * them into sorted, disjoint address intervals, each carrying the value and
 * length of the most specific prefix covering it (identical prefixes: the
 * one added first wins).  A lookup is a binary search inside the slice of
 * intervals that share the address's top 16 bits (a 65 536-entry index per
 * family, with a second level on the next 8 bits where intervals crowd), so
 * it touches a handful of cache lines (lookups per second are measured by
 * the attribution_bench tests in tests/unit/test_attribution.c).
 *
 * IPv4-mapped IPv6 (::ffff:0:0/96, RFC 4291 §2.5.5.2): prefixes of length
 * 96 or more inside it are stored as IPv4 prefixes, and mapped addresses are
 * looked up as IPv4 addresses.  /0, /32 and /128 are ordinary prefixes.
 * The table holds no global state; a built table is read-only and may be
 * shared by threads.
 */
#ifndef MPCAP_PREFIX_TABLE_H
#define MPCAP_PREFIX_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prefix_builder;
struct prefix_table;

struct prefix_builder *prefix_builder_new(void);
void prefix_builder_free(struct prefix_builder *b);

enum prefix_status {
	PREFIX_OK = 0,
	PREFIX_NOMEM = -1,
	PREFIX_BAD_LENGTH = -2, /* longer than 32 (IPv4) or 128 (IPv6) */
	PREFIX_HOST_BITS = -3,  /* bits set beyond the length (e.g. 10.0.0.1/8) */
	PREFIX_BAD_RANGE = -4,  /* range whose last address is below its first */
};
const char *prefix_status_text(int status);

/* family 4: addr holds 4 bytes; family 6: 16 bytes.  Returns enum prefix_status. */
int prefix_builder_add(struct prefix_builder *b, int family, const uint8_t *addr, unsigned len,
                       uint32_t value);
/* Adds the inclusive range [first, last] as its CIDR blocks (the fewest
 * prefixes that cover it exactly, each with its own length). */
int prefix_builder_add_range(struct prefix_builder *b, int family, const uint8_t *first, const uint8_t *last,
                             uint32_t value);
size_t prefix_builder_count(const struct prefix_builder *b);

/* Flattens the builder (which stays valid and may be freed).  NULL when out of memory. */
struct prefix_table *prefix_table_build(const struct prefix_builder *b);
void prefix_table_free(struct prefix_table *t);

struct prefix_match {
	bool found;
	uint32_t value;
	unsigned length; /* of the matching prefix (IPv4 lengths for IPv4 and mapped addresses) */
	/* The interval around the address over which the answer (found, value,
	 * length) is the same: callers may reuse it for the next addresses. */
	uint8_t first[16], last[16];
	int family; /* of the interval: 4 for IPv4 and IPv4-mapped addresses */
};

/* Looks up an address (family 4: 4 bytes; 6: 16 bytes).  Returns m->found. */
bool prefix_table_lookup(const struct prefix_table *t, int family, const uint8_t *addr,
                         struct prefix_match *m);
/* The IPv4 fast path: value and length of the longest match of a host-order address. */
bool prefix_table_lookup4(const struct prefix_table *t, uint32_t addr, uint32_t *value, unsigned *length);

/* Intervals after flattening, per family, and heap bytes held. */
size_t prefix_table_intervals(const struct prefix_table *t, int family);
size_t prefix_table_memory(const struct prefix_table *t);

/* Helpers shared by the loaders and tests. */
/* Parses an IPv4 or IPv6 address (inet_pton); *family 4 or 6, addr 16 bytes
 * (IPv4 in the first 4).  False when malformed. */
bool prefix_parse_address(const char *s, int *family, uint8_t addr[16]);
/* True when addr (16 bytes) is in ::ffff:0:0/96. */
bool prefix_is_v4_mapped(const uint8_t addr[16]);

#endif
