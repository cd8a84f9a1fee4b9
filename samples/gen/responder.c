/*
 * responder.c — how the far end answers (see responder.h): SYN-ACK options of Linux, Windows,
 * BSD, embedded and network-device stacks (MSS, SACK-permitted RFC 2018, timestamps and window
 * scale RFC 7323), and the MP_CAPABLE keys (RFC 6824 §3.1) of real stacks and of middleboxes:
 * key-near (Hamming distance <= 10), key-bytes-equal, header-changed, shared static keys.
 */
#include "samples/gen/responder.h"

#include "samples/gen/bytes.h"
#include "samples/gen/gen.h"
#include "samples/gen/packet.h"

const uint8_t os_ttl[OS_COUNT] = { 64, 128, 64, 64, 255 };
const uint16_t os_win[OS_COUNT] = { 65160, 65535, 65535, 5840, 4128 };

int host_os(const struct host *h)
{
	uint64_t x = h3(h->hid, TAG_HOST, 1) % 100;
	switch (h->cls) {
	case C_MPTCP:
	case C_REWRITER:
	case C_STRIPPED:
		return OS_LINUX;
	case C_PLAIN:
	case C_RST:
		return x < 50   ? OS_LINUX
		       : x < 65 ? OS_WINDOWS
		       : x < 73 ? OS_BSD
		       : x < 90 ? OS_EMBED
		                : OS_NETDEV;
	default:
		return x < 60 ? OS_NETDEV : OS_EMBED; /* middleboxes */
	}
}

size_t os_options(uint8_t *o, int os, uint32_t tsval, uint32_t tsecr)
{
	size_t n = 0;
	switch (os) {
	case OS_LINUX:
		o[n++] = 2, o[n++] = 4, o[n++] = 0x05, o[n++] = 0xb4, o[n++] = 4, o[n++] = 2;
		o[n++] = 8, o[n++] = 10;
		put32(o + n, tsval), n += 4;
		put32(o + n, tsecr), n += 4;
		o[n++] = 1, o[n++] = 3, o[n++] = 3, o[n++] = 7;
		break;
	case OS_WINDOWS:
		o[n++] = 2, o[n++] = 4, o[n++] = 0x05, o[n++] = 0xb4, o[n++] = 1, o[n++] = 3, o[n++] = 3,
		o[n++] = 8;
		o[n++] = 1, o[n++] = 1, o[n++] = 4, o[n++] = 2;
		break;
	case OS_BSD:
		o[n++] = 2, o[n++] = 4, o[n++] = 0x05, o[n++] = 0xb4, o[n++] = 1, o[n++] = 3, o[n++] = 3,
		o[n++] = 6;
		o[n++] = 4, o[n++] = 2, o[n++] = 8, o[n++] = 10;
		put32(o + n, tsval), n += 4;
		put32(o + n, tsecr), n += 4;
		break;
	case OS_EMBED:
		o[n++] = 2, o[n++] = 4, o[n++] = 0x05, o[n++] = 0xb4;
		break;
	default:
		o[n++] = 2, o[n++] = 4, o[n++] = 0x05, o[n++] = 0x64;
		break;
	}
	return n;
}

bool os_df(int os)
{
	return os == OS_LINUX || os == OS_WINDOWS || os == OS_BSD;
}

uint16_t os_ipid(int os, uint64_t hid, uint64_t conn, int k)
{
	switch (os) {
	case OS_LINUX:
		return 0;
	case OS_WINDOWS:
		return (uint16_t)(hid + conn % 4096 + (uint64_t)k * 3);
	case OS_EMBED:
		return (uint16_t)((hid >> 16) + (uint64_t)k);
	default:
		return (uint16_t)mix64(conn + (uint64_t)k);
	}
}

static int equal_bytes(uint64_t a, uint64_t b)
{
	uint64_t x = a ^ b;
	int n = 0;
	for (int i = 0; i < 8; i++)
		n += ((x >> (8 * i)) & 0xff) == 0;
	return n;
}

/* A key that none of the replay/modified rules could confuse with the probe key. */
static bool key_far(uint64_t k, uint64_t probe)
{
	return __builtin_popcountll(k ^ probe) > 10 && equal_bytes(k, probe) < 4;
}

static uint64_t rng64(gsl_rng *r)
{
	uint64_t hi = gsl_rng_get(r) & 0xffffffffu, lo = gsl_rng_get(r) & 0xffffffffu;
	return (hi << 32) | lo;
}

uint64_t fresh_key(gsl_rng *r, uint64_t probe)
{
	uint64_t k;
	do
		k = rng64(r);
	while (!key_far(k, probe));
	return k;
}

/* A box that flips 1..10 bits of the key (Hamming distance <= 10: "key-near"). */
static uint64_t near_key(uint64_t probe, uint64_t hid)
{
	int d = 1 + (int)(h3(hid, TAG_BOX, 1) % 10);
	uint64_t mask = 0;
	for (int i = 0; __builtin_popcountll(mask) < d; i++)
		mask |= 1ULL << (h4(hid, TAG_BOX, 2, (uint64_t)i) % 64);
	return probe ^ mask;
}

/* A box that rewrites 2..4 key bytes so that 4..6 stay equal, the distance above 10
 * ("key-bytes-equal"). */
static uint64_t bytes_key(uint64_t probe, uint64_t hid)
{
	int c = 2 + (int)(h3(hid, TAG_BOX, 3) % 3);
	for (uint64_t attempt = 0;; attempt++) {
		uint64_t k = probe;
		int changed = 0;
		for (int i = 0; changed < c; i++) {
			uint64_t h = h4(hid, TAG_BOX, 4 + attempt * 100, (uint64_t)i);
			int pos = (int)(h % 8);
			uint64_t old = (probe >> (8 * pos)) & 0xff;
			if (((k ^ probe) >> (8 * pos)) & 0xff)
				continue;
			uint64_t nb = (h >> 8) & 0xff;
			if (nb == old)
				continue;
			k = (k & ~(0xffULL << (8 * pos))) | (nb << (8 * pos));
			changed++;
		}
		if (__builtin_popcountll(k ^ probe) > 10)
			return k;
	}
}

/* The static key of a shared-key box. */
static uint64_t group_key(uint64_t seed, int fam, int pop, int group, uint64_t probe)
{
	for (uint64_t i = 0;; i++) {
		uint64_t k =
		    h4(seed, TAG_GROUP, (uint64_t)fam * 10 + (uint64_t)pop, (uint64_t)group * 1000 + i);
		if (key_far(k, probe))
			return k;
	}
}

int header_change(uint64_t hid)
{
	return (int)(h3(hid, TAG_BOX, 5) % 3);
}

void box_option(const struct gen *g, const struct host *h, uint64_t probe_key, int *ver, uint8_t *flags,
                uint64_t *key)
{
	*ver = 0;
	*flags = PROBE_FLAGS;
	*key = probe_key;
	switch (h->cls) {
	case C_KEYNEAR:
		*key = near_key(probe_key, h->hid);
		break;
	case C_KEYBYTES:
		*key = bytes_key(probe_key, h->hid);
		break;
	case C_HEADER:
		switch (header_change(h->hid)) {
		case HC_FLAGS_A:
			*flags = PROBE_FLAGS & ~0x80;
			break;
		case HC_FLAGS_H:
			*flags = PROBE_FLAGS & ~0x01;
			break;
		default:
			*ver = 1;
		}
		break;
	case C_SHARED:
		*key = group_key(g->seed, h->fam, h->pop, h->group, probe_key);
		break;
	default:
		break;
	}
}
