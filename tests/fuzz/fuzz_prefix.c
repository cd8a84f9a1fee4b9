/* fuzz_prefix.c — libFuzzer harness: longest-prefix match against a naive model.
 *
 * The input is a program of operations (report/attribution/prefix_table.h): add an IPv4
 * or IPv6 prefix (host bits masked, or raw: then it must be refused), add an
 * address range, look an address up.  Up to 48 prefixes and ranges go to
 * prefix_builder_add() / prefix_builder_add_range() and, in parallel, to a
 * list searched exhaustively here: longest prefix wins, then the earliest
 * added; a range answers with the largest aligned block around the address
 * that lies inside it (its CIDR decomposition); IPv6 prefixes of length >= 96
 * inside ::ffff:0:0/96 are IPv4 prefixes, and IPv4-mapped addresses are
 * looked up as IPv4.  Every lookup — the input's, and the first and last
 * address of every prefix and range and their neighbours — must give the
 * model's answer, an interval holding the address, and the same answer at
 * both ends of that interval.
 */
#include <string.h>

#include "fuzz.h"
#include "report/attribution/prefix_table.h"

__extension__ typedef unsigned __int128 u128;

#define MAX_ENTRIES 48

struct model_entry {
	int family;
	u128 lo, hi; /* addresses in the family's own width */
	bool range;
	unsigned len; /* prefix length (prefixes) */
	uint32_t value, order;
};

static struct model_entry model[MAX_ENTRIES];
static size_t nmodel;

static u128 load(const uint8_t *p, size_t n)
{
	u128 x = 0;
	for (size_t i = 0; i < n; i++)
		x = x << 8 | p[i];
	return x;
}

static void store(u128 x, uint8_t *p, size_t n)
{
	for (size_t i = n; i-- > 0;) {
		p[i] = (uint8_t)x;
		x >>= 8;
	}
}

static u128 ones(unsigned h)
{
	return h >= 128 ? ~(u128)0 : ((u128)1 << h) - 1;
}

/* The model's answer for (family, x). */
static bool model_lookup(int family, u128 x, uint32_t *value, unsigned *len)
{
	unsigned bits = family == 4 ? 32 : 128;
	bool found = false;
	unsigned best_len = 0;
	uint32_t best_order = 0, best_value = 0;
	for (size_t i = 0; i < nmodel; i++) {
		const struct model_entry *e = &model[i];
		if (e->family != family || x < e->lo || x > e->hi)
			continue;
		unsigned l = e->len;
		if (e->range) { /* the largest aligned block around x inside [lo, hi] */
			for (l = 0; l <= bits; l++) {
				u128 m = ones(bits - l), s = x & ~m;
				if (s >= e->lo && (s | m) <= e->hi)
					break;
			}
		}
		if (!found || l > best_len || (l == best_len && e->order < best_order)) {
			found = true;
			best_len = l;
			best_order = e->order;
			best_value = e->value;
		}
	}
	*value = best_value;
	*len = best_len;
	return found;
}

static void check_lookup(const struct prefix_table *t, int family, const uint8_t *addr)
{
	struct prefix_match m;
	bool found = prefix_table_lookup(t, family, addr, &m);
	int f = family;
	const uint8_t *a = addr;
	if (family == 6 && prefix_is_v4_mapped(addr)) {
		f = 4;
		a = addr + 12;
	}
	size_t n = f == 4 ? 4 : 16;
	uint32_t v;
	unsigned l;
	bool want = model_lookup(f, load(a, n), &v, &l);
	FUZZ_CHECK(found == m.found && found == want);
	if (found)
		FUZZ_CHECK(m.value == v && m.length == l);
	FUZZ_CHECK(m.family == f);
	FUZZ_CHECK(memcmp(m.first, a, n) <= 0 && memcmp(a, m.last, n) <= 0);
	for (int end = 0; end < 2; end++) {
		struct prefix_match e;
		bool ef = prefix_table_lookup(t, f, end ? m.last : m.first, &e);
		FUZZ_CHECK(ef == found && (!found || (e.value == m.value && e.length == m.length)));
	}
	if (f == 4 && family == 4) {
		uint32_t v4;
		unsigned l4;
		bool f4 = prefix_table_lookup4(t, (uint32_t)load(a, 4), &v4, &l4);
		FUZZ_CHECK(f4 == found && (!found || (v4 == v && l4 == l)));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prefix_builder *b = prefix_builder_new();
	FUZZ_CHECK(b != NULL);
	uint8_t lookups[64][17];
	size_t nlookups = 0;
	uint32_t order = 0;
	nmodel = 0;
	size_t i = 0;
	while (i < size) {
		uint8_t op = data[i++];
		int family = (op & 1) ? 6 : 4;
		size_t n = family == 4 ? 4 : 16;
		unsigned bits = family == 4 ? 32 : 128;
		switch ((op >> 1) % 3) {
		case 0: { /* prefix: length byte, address */
			if (i + 1 + n > size || nmodel == MAX_ENTRIES)
				goto done;
			unsigned len = data[i++] % (bits + 2); /* bits + 1: too long */
			uint8_t addr[16] = { 0 };
			memcpy(addr, data + i, n);
			i += n;
			if (family == 6 && (op & 0x40)) /* make it IPv4-mapped */
				memcpy(addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12);
			u128 x = load(addr, n);
			if (!(op & 0x80) && len <= bits)
				x &= ~ones(bits - len);
			store(x, addr, n);
			int rc = prefix_builder_add(b, family, addr, len, (uint32_t)nmodel);
			struct model_entry e = { family, x, 0, false, len, (uint32_t)nmodel, order };
			if (family == 6 && len >= 96 && len <= 128 && prefix_is_v4_mapped(addr)) {
				e.family = 4;
				e.len = len - 96;
				e.lo = load(addr + 12, 4);
				bits = 32;
				x = e.lo;
				len = e.len;
			}
			if (len > bits) {
				FUZZ_CHECK(rc == PREFIX_BAD_LENGTH);
			} else if (x & ones(bits - len)) {
				FUZZ_CHECK(rc == PREFIX_HOST_BITS);
			} else {
				FUZZ_CHECK(rc == PREFIX_OK);
				e.hi = x | ones(bits - len);
				model[nmodel++] = e;
				order++;
			}
			break;
		}
		case 1: { /* range: two addresses */
			if (i + 2 * n > size || nmodel == MAX_ENTRIES)
				goto done;
			u128 lo = load(data + i, n), hi = load(data + i + n, n);
			int rc =
			    prefix_builder_add_range(b, family, data + i, data + i + n, (uint32_t)nmodel);
			i += 2 * n;
			if (hi < lo) {
				FUZZ_CHECK(rc == PREFIX_BAD_RANGE);
				break;
			}
			FUZZ_CHECK(rc == PREFIX_OK);
			struct model_entry e = { family, lo, hi, true, 0, (uint32_t)nmodel, order++ };
			model[nmodel++] = e;
			break;
		}
		default: /* lookup */
			if (i + n > size)
				goto done;
			if (nlookups < 64) {
				lookups[nlookups][0] = (uint8_t)family;
				memset(lookups[nlookups] + 1, 0, 16);
				memcpy(lookups[nlookups] + 1, data + i, n);
				nlookups++;
			}
			i += n;
			break;
		}
	}
done:;
	struct prefix_table *t = prefix_table_build(b);
	FUZZ_CHECK(t != NULL);
	FUZZ_CHECK(prefix_builder_count(b) >= nmodel);
	prefix_builder_free(b);
	for (size_t k = 0; k < nlookups; k++)
		check_lookup(t, lookups[k][0], lookups[k] + 1);
	for (size_t k = 0; k < nmodel; k++) {
		const struct model_entry *e = &model[k];
		size_t n = e->family == 4 ? 4 : 16;
		u128 pts[4] = { e->lo, e->hi, e->lo - 1, e->hi + 1 };
		for (int p = 0; p < 4; p++) {
			uint8_t addr[16] = { 0 };
			if (e->family == 4 && (pts[p] >> 32))
				continue; /* wrapped past the IPv4 space */
			store(pts[p], addr, n);
			check_lookup(t, e->family, addr);
		}
	}
	(void)prefix_table_intervals(t, 4);
	(void)prefix_table_intervals(t, 6);
	(void)prefix_table_memory(t);
	prefix_table_free(t);
	return 0;
}
