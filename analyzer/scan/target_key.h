/* target_key.h — a scan target as a key: an IPv4 or IPv6 address (RFC 791,
 * RFC 8200 / RFC 4291) and a TCP port (RFC 9293), packed into a fixed-size
 * struct that hashes, compares and sorts as bytes (target_map.h).
 */
#ifndef MPCAP_TARGET_KEY_H
#define MPCAP_TARGET_KEY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/* A key with extra, aux and pad 0.  Inline: made for every probe. */
static inline struct target_key target_key_make(uint8_t family, const uint8_t *addr, uint16_t port)
{
	struct target_key k;
	memset(&k, 0, sizeof k);
	k.family = family;
	k.port = port;
	memcpy(k.addr, addr, family == 4 ? 4 : 16);
	return k;
}
/* Compares family, address, port, extra, aux in that order (for sorting output). */
int target_key_cmp(const struct target_key *a, const struct target_key *b);
/* Formats the address as text (inet_ntop); buf at least 46 bytes. */
void target_addr_format(uint8_t family, const uint8_t *addr, char *buf, size_t buflen);

#endif
