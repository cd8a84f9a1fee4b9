/* bytes.h — bounds-checked big-endian readers for untrusted packet bytes.
 *
 * Every read of capture or packet data goes through these helpers: each one
 * checks the offset and length against the view and returns false instead of
 * reading out of bounds (tcpdump's GET_ discipline, without its longjmp).
 * Multi-byte values are assembled byte by byte, never by casting the buffer
 * to a wider type, so unaligned data is safe.  Network byte order: RFC 1700.
 */
#ifndef MPCAP_BYTES_H
#define MPCAP_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A read-only window on bytes owned by someone else. */
struct byte_view {
	const uint8_t *data;
	size_t len;
};

static inline struct byte_view bv_make(const uint8_t *data, size_t len)
{
	struct byte_view v = { data, len };
	return v;
}

/* True when [off, off+n) lies inside the view (overflow-safe). */
static inline bool bv_has(const struct byte_view *v, size_t off, size_t n)
{
	return off <= v->len && n <= v->len - off;
}

static inline bool bv_u8(const struct byte_view *v, size_t off, uint8_t *out)
{
	if (!bv_has(v, off, 1))
		return false;
	*out = v->data[off];
	return true;
}

static inline bool bv_u16(const struct byte_view *v, size_t off, uint16_t *out)
{
	if (!bv_has(v, off, 2))
		return false;
	*out = (uint16_t)((unsigned)v->data[off] << 8 | v->data[off + 1]);
	return true;
}

static inline bool bv_u32(const struct byte_view *v, size_t off, uint32_t *out)
{
	if (!bv_has(v, off, 4))
		return false;
	const uint8_t *p = v->data + off;
	*out = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
	return true;
}

static inline bool bv_u64(const struct byte_view *v, size_t off, uint64_t *out)
{
	uint32_t hi, lo;
	if (!bv_u32(v, off, &hi) || !bv_u32(v, off + 4, &lo))
		return false;
	*out = (uint64_t)hi << 32 | lo;
	return true;
}

/* Little-endian readers, for file formats written in host order (pcap, pcapng, BSD NULL). */
static inline bool bv_u16le(const struct byte_view *v, size_t off, uint16_t *out)
{
	if (!bv_has(v, off, 2))
		return false;
	*out = (uint16_t)(v->data[off] | (unsigned)v->data[off + 1] << 8);
	return true;
}

static inline bool bv_u32le(const struct byte_view *v, size_t off, uint32_t *out)
{
	if (!bv_has(v, off, 4))
		return false;
	const uint8_t *p = v->data + off;
	*out = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | (uint32_t)p[0];
	return true;
}

/* Copies n bytes at off into dst. */
static inline bool bv_copy(const struct byte_view *v, size_t off, void *dst, size_t n)
{
	if (!bv_has(v, off, n))
		return false;
	if (n)
		memcpy(dst, v->data + off, n);
	return true;
}

/* a[0..n) == b[0..n), for short runs (options, addresses) owned by the
 * caller: eight bytes at a time, inline, without the call of memcmp. */
static inline bool bytes_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint64_t x, y, diff = 0;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		diff |= x ^ y;
	}
	for (; i < n; i++)
		diff |= (uint64_t)(a[i] ^ b[i]);
	return diff == 0;
}

/* True when the view holds [off, off+n) and those bytes equal b[0..n). */
static inline bool bv_equal(const struct byte_view *v, size_t off, const uint8_t *b, size_t n)
{
	return bv_has(v, off, n) && bytes_equal(v->data + off, b, n);
}

/* A sub-view [off, off+n); fails when it does not fit. */
static inline bool bv_sub(const struct byte_view *v, size_t off, size_t n, struct byte_view *out)
{
	if (!bv_has(v, off, n))
		return false;
	out->data = v->data + off;
	out->len = n;
	return true;
}

/* The rest of the view from off (empty when off is past the end). */
static inline struct byte_view bv_tail(const struct byte_view *v, size_t off)
{
	struct byte_view t = { v->data, 0 };
	if (off <= v->len) {
		t.data = v->data + off;
		t.len = v->len - off;
	}
	return t;
}

#endif
