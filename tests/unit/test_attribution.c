/* test_attribution.c — longest-prefix match (prefix_table.h) and the
 * attribution sources (attribution.h): pfx2as, RIR delegated files, as2org
 * and CSV names, MaxMind DBs.
 *
 * Oracles: a brute-force linear longest-prefix scan over random prefixes;
 * hand-computed CIDR blocks; for MMDB, databases written here by MaxMind's
 * reference writer (tests/tools/make-mmdb.pl, Debian
 * libmaxmind-db-writer-perl) and read back by mmdblookup (Debian mmdb-bin),
 * compared with mpcap's answers address by address.
 *
 * Suite attribution_bench runs only with MPCAP_BENCH=1: lookups per second
 * and the memory of a 60 M-responder target set (docs/attribution.md).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "analyzer/scan/target_set.h"
#include "analyzer/scan/target_setfile.h"
#include "report/attribution/adoption_tables.h"
#include "report/attribution/attribution.h"
#include "report/attribution/prefix_table.h"

/* ---- helpers ---- */

static char tmpdir[64];

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/mpcap-attr-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", tmpdir);
}

/* Writes text to tmpdir/name; returns the path (static buffer per call site: copy it). */
static const char *write_file(const char *name, const char *text)
{
	static char path[8][256];
	static int next;
	char *p = path[next++ % 8];
	snprintf(p, 256, "%s/%s", tmpdir, name);
	FILE *fp = fopen(p, "w");
	cr_assert_not_null(fp);
	fputs(text, fp);
	fclose(fp);
	return p;
}

static const char *write_gz(const char *name, const char *text)
{
	static char p[256];
	snprintf(p, sizeof p, "%s/%s", tmpdir, name);
	gzFile gz = gzopen(p, "wb");
	cr_assert_not_null(gz);
	cr_assert_eq(gzwrite(gz, text, (unsigned)strlen(text)), (int)strlen(text));
	gzclose(gz);
	return p;
}

static uint8_t *addr_of(const char *s, int *family)
{
	static uint8_t a[16];
	cr_assert(prefix_parse_address(s, family, a), "bad test address %s", s);
	return a;
}

static struct attribution_result look(struct attribution *a, const char *addr)
{
	int family;
	uint8_t *x = addr_of(addr, &family);
	struct attribution_result r;
	char err[512];
	cr_assert_eq(attribution_lookup(a, family, x, &r, err, sizeof err), 0, "%s", err);
	return r;
}

static struct attribution *load(const char *asn, const char *geo, char *err, size_t errlen, int *rc)
{
	struct attribution *a = attribution_new();
	cr_assert_not_null(a);
	*rc = 0;
	if (asn)
		*rc = attribution_add_asn(a, asn, err, errlen);
	if (*rc == 0 && geo)
		*rc = attribution_add_geo(a, geo, err, errlen);
	if (*rc == 0)
		*rc = attribution_finish(a, err, errlen);
	return a;
}

static void expect_as(struct attribution *a, const char *addr, uint32_t asn, unsigned len, bool multi)
{
	struct attribution_result r = look(a, addr);
	cr_expect(r.asn_found, "%s: no AS", addr);
	cr_expect_eq(r.asn, asn, "%s: AS %u, want %u", addr, r.asn, asn);
	cr_expect_eq(r.asn_length, len, "%s: length %u, want %u", addr, r.asn_length, len);
	cr_expect_eq(r.multi_origin, multi, "%s: multi-origin %d", addr, r.multi_origin);
}

static void expect_no_as(struct attribution *a, const char *addr)
{
	struct attribution_result r = look(a, addr);
	cr_expect(!r.asn_found, "%s: AS %u, want none", addr, r.asn);
}

static void expect_cc(struct attribution *a, const char *addr, const char *cc, unsigned len)
{
	struct attribution_result r = look(a, addr);
	if (!cc) {
		cr_expect(!r.cc_found, "%s: country %s, want none", addr, r.cc);
		return;
	}
	cr_expect(r.cc_found, "%s: no country, want %s", addr, cc);
	cr_expect_str_eq(r.cc, cc, "%s: country %s, want %s", addr, r.cc, cc);
	if (len)
		cr_expect_eq(r.cc_length, len, "%s: length %u, want %u", addr, r.cc_length, len);
}

/* Loads text as the given kind and expects an error naming file:line. */
static void expect_error(bool asn, const char *text, unsigned line, const char *what)
{
	const char *p = write_file(asn ? "bad.pfx2as" : "bad.delegated", text);
	char err[512] = "", want[300];
	int rc;
	struct attribution *a = load(asn ? p : NULL, asn ? NULL : p, err, sizeof err, &rc);
	cr_expect_eq(rc, -1, "accepted: %s", text);
	snprintf(want, sizeof want, "%s:%u: ", p, line);
	cr_expect(strstr(err, want) != NULL, "error '%s' does not name '%s'", err, want);
	cr_expect(strstr(err, what) != NULL, "error '%s' does not say '%s'", err, what);
	attribution_free(a);
}

/* ---- prefix table ---- */

static struct prefix_table *table_of(const char *const *prefixes, size_t n)
{
	struct prefix_builder *b = prefix_builder_new();
	for (size_t i = 0; i < n; i++) {
		char tmp[64];
		snprintf(tmp, sizeof tmp, "%s", prefixes[i]);
		char *slash = strchr(tmp, '/');
		cr_assert_not_null(slash);
		*slash = '\0';
		int family;
		uint8_t *a = addr_of(tmp, &family);
		cr_assert_eq(prefix_builder_add(b, family, a, (unsigned)atoi(slash + 1), (uint32_t)i),
		             PREFIX_OK, "%s", prefixes[i]);
	}
	struct prefix_table *t = prefix_table_build(b);
	cr_assert_not_null(t);
	prefix_builder_free(b);
	return t;
}

/* Expects the value index (into the prefix list) and length, or -1 for no match. */
static void expect_match(const struct prefix_table *t, const char *addr, int idx, unsigned len)
{
	int family;
	uint8_t *a = addr_of(addr, &family);
	struct prefix_match m;
	bool found = prefix_table_lookup(t, family, a, &m);
	if (idx < 0) {
		cr_expect(!found, "%s matched value %u", addr, m.value);
		return;
	}
	cr_expect(found, "%s: no match", addr);
	cr_expect_eq(m.value, (uint32_t)idx, "%s: value %u, want %d", addr, m.value, idx);
	cr_expect_eq(m.length, len, "%s: length %u, want %u", addr, m.length, len);
}

Test(attribution, overlapping_prefixes_the_longest_wins)
{
	static const char *const p[] = {
		"10.0.0.0/8",      "10.1.0.0/16",       "10.1.2.0/24",   "10.1.2.128/25",
		"10.1.2.255/32",   "10.200.0.0/16",     "2001:db8::/32", "2001:db8:1::/48",
		"2001:db8:1::/64", "2001:db8:1::1/128", "10.1.0.0/16", /* identical to index 1: the first
		                                                          added wins */
	};
	struct prefix_table *t = table_of(p, sizeof p / sizeof p[0]);
	expect_match(t, "10.0.0.0", 0, 8);
	expect_match(t, "10.255.255.255", 0, 8);
	expect_match(t, "10.1.0.0", 1, 16);
	expect_match(t, "10.1.2.0", 2, 24);
	expect_match(t, "10.1.2.127", 2, 24);
	expect_match(t, "10.1.2.128", 3, 25);
	expect_match(t, "10.1.2.254", 3, 25);
	expect_match(t, "10.1.2.255", 4, 32);
	expect_match(t, "10.1.3.0", 1, 16);
	expect_match(t, "10.2.0.0", 0, 8);
	expect_match(t, "10.200.1.1", 5, 16);
	expect_match(t, "9.255.255.255", -1, 0);
	expect_match(t, "11.0.0.0", -1, 0);
	expect_match(t, "2001:db8::1", 6, 32);
	expect_match(t, "2001:db8:1::", 8, 64);
	expect_match(t, "2001:db8:1::1", 9, 128);
	expect_match(t, "2001:db8:1::2", 8, 64);
	expect_match(t, "2001:db8:1:1::", 7, 48);
	expect_match(t, "2001:db9::", -1, 0);
	/* the interval around an answer has the same answer at both ends */
	int family;
	struct prefix_match m, m2;
	prefix_table_lookup(t, 4, addr_of("10.1.5.5", &family), &m);
	char first[64], last[64];
	inet_ntop(AF_INET, m.first, first, sizeof first);
	inet_ntop(AF_INET, m.last, last, sizeof last);
	cr_expect_str_eq(first, "10.1.3.0");
	cr_expect_str_eq(last, "10.1.255.255");
	prefix_table_lookup(t, 4, m.last, &m2);
	cr_expect_eq(m2.value, 1);
	prefix_table_free(t);
}

Test(attribution, slash0_slash32_slash128_and_the_ends_of_the_space)
{
	static const char *const p[] = {
		"0.0.0.0/0", "0.0.0.0/32", "255.255.255.255/32",
		"::/0",      "::/128",     "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
		"8000::/1",  "128.0.0.0/1"
	};
	struct prefix_table *t = table_of(p, sizeof p / sizeof p[0]);
	expect_match(t, "0.0.0.0", 1, 32);
	expect_match(t, "0.0.0.1", 0, 0);
	expect_match(t, "127.255.255.255", 0, 0);
	expect_match(t, "128.0.0.0", 7, 1);
	expect_match(t, "255.255.255.254", 7, 1);
	expect_match(t, "255.255.255.255", 2, 32);
	expect_match(t, "::", 4, 128);
	expect_match(t, "::1", 3, 0);
	expect_match(t, "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 3, 0);
	expect_match(t, "8000::", 6, 1);
	expect_match(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 6, 1);
	expect_match(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 5, 128);
	prefix_table_free(t);
	/* an empty table answers nothing, anywhere */
	struct prefix_builder *b = prefix_builder_new();
	t = prefix_table_build(b);
	prefix_builder_free(b);
	expect_match(t, "1.2.3.4", -1, 0);
	expect_match(t, "2001:db8::1", -1, 0);
	prefix_table_free(t);
}

Test(attribution, ipv4_mapped_ipv6_is_ipv4)
{
	/* a mapped prefix is stored as IPv4; a mapped address is looked up as IPv4 */
	static const char *const p[] = { "192.0.2.0/24", "::ffff:198.51.100.0/120", "::/0" };
	struct prefix_table *t = table_of(p, sizeof p / sizeof p[0]);
	expect_match(t, "::ffff:192.0.2.7", 0, 24);
	expect_match(t, "198.51.100.9", 1, 24);
	expect_match(t, "::ffff:198.51.100.9", 1, 24);
	expect_match(t, "::ffff:203.0.113.1", -1, 0); /* IPv4 without a prefix: ::/0 is IPv6 */
	expect_match(t, "::192.0.2.7", 2, 0);         /* IPv4-compatible (deprecated) is IPv6 */
	int family;
	struct prefix_match m;
	prefix_table_lookup(t, 6, addr_of("::ffff:192.0.2.7", &family), &m);
	cr_expect_eq(m.family, 4);
	/* an IPv6 interval stops short of the mapped range: its ends answer like its middle */
	char end[64];
	prefix_table_lookup(t, 6, addr_of("::1", &family), &m);
	inet_ntop(AF_INET6, m.last, end, sizeof end);
	cr_expect_str_eq(end, "::fffe:ffff:ffff");
	prefix_table_lookup(t, 6, addr_of("2001:db8::", &family), &m);
	inet_ntop(AF_INET6, m.first, end, sizeof end);
	cr_expect_str_eq(end, "::1:0:0:0");
	prefix_table_free(t);
}

Test(attribution, host_bits_and_lengths_are_checked)
{
	struct prefix_builder *b = prefix_builder_new();
	int family;
	cr_expect_eq(prefix_builder_add(b, 4, addr_of("10.0.0.1", &family), 8, 0), PREFIX_HOST_BITS);
	cr_expect_eq(prefix_builder_add(b, 4, addr_of("10.0.0.0", &family), 33, 0), PREFIX_BAD_LENGTH);
	cr_expect_eq(prefix_builder_add(b, 6, addr_of("2001:db8::1", &family), 64, 0), PREFIX_HOST_BITS);
	cr_expect_eq(prefix_builder_add(b, 6, addr_of("2001:db8::", &family), 129, 0), PREFIX_BAD_LENGTH);
	cr_expect_eq(prefix_builder_count(b), 0);
	prefix_builder_free(b);
}

Test(attribution, ranges_become_cidr_blocks)
{
	struct prefix_builder *b = prefix_builder_new();
	uint8_t f[16], l[16];
	int family;
	/* 203.0.113.2 .. 203.0.113.4 = /31 + /32; 10.0.0.0 + 768 = /23 + /24 */
	memcpy(f, addr_of("203.0.113.2", &family), 16);
	memcpy(l, addr_of("203.0.113.4", &family), 16);
	cr_assert_eq(prefix_builder_add_range(b, 4, f, l, 7), PREFIX_OK);
	memcpy(f, addr_of("10.0.0.0", &family), 16);
	memcpy(l, addr_of("10.0.2.255", &family), 16);
	cr_assert_eq(prefix_builder_add_range(b, 4, f, l, 8), PREFIX_OK);
	memcpy(f, addr_of("0.0.0.0", &family), 16);
	memcpy(l, addr_of("255.255.255.255", &family), 16);
	cr_assert_eq(prefix_builder_add_range(b, 4, f, l, 9), PREFIX_OK);
	cr_expect_eq(prefix_builder_add_range(b, 4, l, f, 9), PREFIX_BAD_RANGE);
	cr_expect_eq(prefix_builder_count(b), 5);
	struct prefix_table *t = prefix_table_build(b);
	prefix_builder_free(b);
	expect_match(t, "203.0.113.1", 9, 0);
	expect_match(t, "203.0.113.2", 7, 31);
	expect_match(t, "203.0.113.3", 7, 31);
	expect_match(t, "203.0.113.4", 7, 32);
	expect_match(t, "203.0.113.5", 9, 0);
	expect_match(t, "10.0.1.255", 8, 23);
	expect_match(t, "10.0.2.0", 8, 24);
	expect_match(t, "10.0.3.0", 9, 0);
	prefix_table_free(t);
}

/* xorshift64*: reproducible test randomness */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

struct bf_prefix {
	uint8_t a[16];
	unsigned len;
};

static bool bf_covers(const struct bf_prefix *p, const uint8_t *x)
{
	for (unsigned i = 0; i < p->len; i++)
		if (((p->a[i / 8] ^ x[i / 8]) >> (7 - i % 8)) & 1)
			return false;
	return true;
}

/* Random prefixes in a few clusters (so that they nest), checked against a linear scan. */
static void brute_force_check(int family)
{
	const unsigned bits = family == 4 ? 32 : 128;
	const size_t np = 3000, nq = 30000;
	struct bf_prefix *p = calloc(np, sizeof *p);
	struct prefix_builder *b = prefix_builder_new();
	uint8_t clusters[4][16];
	for (int c = 0; c < 4; c++)
		for (int i = 0; i < 16; i++)
			clusters[c][i] = (uint8_t)rnd();
	for (size_t i = 0; i < np; i++) {
		memcpy(p[i].a, clusters[rnd() % 4], 16);
		/* vary the bits after a random cluster depth */
		unsigned depth = (unsigned)(rnd() % (bits + 1));
		for (unsigned k = depth; k < bits; k++)
			if (rnd() & 1)
				p[i].a[k / 8] ^= (uint8_t)(1 << (7 - k % 8));
		p[i].len = (unsigned)(rnd() % (bits + 1));
		if (rnd() % 8 == 0)
			p[i].len = bits;
		for (unsigned k = p[i].len; k < bits; k++)
			p[i].a[k / 8] &= (uint8_t) ~(1 << (7 - k % 8));
		if (family == 4)
			memset(p[i].a + 4, 0, 12);
		if (family == 6 && prefix_is_v4_mapped(p[i].a))
			p[i].a[0] = 0x20; /* keep the mapped space out of the IPv6 check */
		cr_assert_eq(prefix_builder_add(b, family, p[i].a, p[i].len, (uint32_t)i), PREFIX_OK);
	}
	struct prefix_table *t = prefix_table_build(b);
	cr_assert_not_null(t);
	for (size_t q = 0; q < nq; q++) {
		uint8_t x[16] = { 0 };
		const struct bf_prefix *base = &p[rnd() % np];
		memcpy(x, base->a, 16);
		int mode = (int)(rnd() % 4);
		if (mode == 0) { /* anywhere */
			for (unsigned i = 0; i < bits / 8; i++)
				x[i] = (uint8_t)rnd();
		} else if (mode == 1) { /* inside the prefix */
			for (unsigned k = base->len; k < bits; k++)
				if (rnd() & 1)
					x[k / 8] ^= (uint8_t)(1 << (7 - k % 8));
		} else if (mode == 2 && base->len < bits) { /* its last address, then one past it */
			for (unsigned k = base->len; k < bits; k++)
				x[k / 8] |= (uint8_t)(1 << (7 - k % 8));
			if (rnd() & 1)
				for (int i = (int)bits / 8 - 1; i >= 0 && ++x[i] == 0; i--)
					;
		} else if (base->len > 0) { /* one before its first address */
			for (int i = (int)bits / 8 - 1; i >= 0 && x[i]-- == 0; i--)
				;
		}
		if (family == 6 && prefix_is_v4_mapped(x))
			x[0] = 0x20;
		int best = -1;
		for (size_t i = 0; i < np; i++)
			if (bf_covers(&p[i], x) && (best < 0 || p[i].len > p[best].len))
				best = (int)i; /* equal prefixes: the first added */
		struct prefix_match m;
		bool found = prefix_table_lookup(t, family, x, &m);
		cr_assert_eq(found, best >= 0, "query %zu: found %d, want %d", q, found, best >= 0);
		if (best >= 0) {
			cr_assert_eq(m.length, p[best].len, "query %zu: length %u, want %u", q, m.length,
			             p[best].len);
			cr_assert_eq(m.value, (uint32_t)best, "query %zu: value %u, want %d", q, m.value,
			             best);
		}
		/* x lies in [first, last], and both ends give the same answer */
		cr_assert(memcmp(m.first, x, 16) <= 0 && memcmp(x, m.last, 16) <= 0);
		struct prefix_match e;
		prefix_table_lookup(t, family, m.first, &e);
		cr_assert(e.found == m.found && e.value == m.value && e.length == m.length);
		prefix_table_lookup(t, family, m.last, &e);
		cr_assert(e.found == m.found && e.value == m.value && e.length == m.length);
		if (family == 4 && found) {
			uint32_t v;
			unsigned l;
			uint32_t h = (uint32_t)x[0] << 24 | (uint32_t)x[1] << 16 | (uint32_t)x[2] << 8 | x[3];
			cr_assert(prefix_table_lookup4(t, h, &v, &l));
			cr_assert(v == m.value && l == m.length);
		}
	}
	prefix_table_free(t);
	prefix_builder_free(b);
	free(p);
}

Test(attribution, random_prefixes_match_a_linear_scan_ipv4)
{
	brute_force_check(4);
}

Test(attribution, random_prefixes_match_a_linear_scan_ipv6)
{
	brute_force_check(6);
}

/* A table big enough for the /24 direct index (DIR-24-8 style), checked
 * against a hash oracle: for each length from 32 down, is (address masked,
 * length) a prefix? */
struct hset {
	uint64_t *k;
	uint32_t *v;
	size_t cap;
};

static uint64_t hmix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static void hset_put(struct hset *h, uint64_t key, uint32_t v)
{
	size_t i = hmix(key) & (h->cap - 1);
	while (h->k[i] && h->k[i] != key)
		i = (i + 1) & (h->cap - 1);
	if (!h->k[i]) { /* the first added wins, as in the table */
		h->k[i] = key;
		h->v[i] = v;
	}
}

static bool hset_get(const struct hset *h, uint64_t key, uint32_t *v)
{
	size_t i = hmix(key) & (h->cap - 1);
	while (h->k[i]) {
		if (h->k[i] == key) {
			*v = h->v[i];
			return true;
		}
		i = (i + 1) & (h->cap - 1);
	}
	return false;
}

Test(attribution, large_ipv4_table_matches_a_hash_oracle)
{
	rng_state = 99;
	const size_t np = 400000;
	struct hset h = { calloc(1 << 21, 8), calloc(1 << 21, 4), 1 << 21 };
	uint32_t *starts = malloc(np * sizeof *starts);
	struct prefix_builder *b = prefix_builder_new();
	for (size_t i = 0; i < np; i++) {
		uint64_t r = rnd();
		/* mostly /24 in a few /8s, some covering /12../23, some /25../32 inside */
		unsigned len = i % 10 == 0   ? 12 + (unsigned)(r % 12)
		               : i % 10 == 1 ? 25 + (unsigned)(r % 8)
		                             : 24;
		uint32_t a =
		    ((uint32_t)(10 + r % 4) << 24 | (uint32_t)(r >> 40)) & (uint32_t)(~0ull << (32 - len));
		uint8_t x[4] = { (uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a };
		cr_assert_eq(prefix_builder_add(b, 4, x, len, (uint32_t)i), PREFIX_OK);
		hset_put(&h, (uint64_t)a << 6 | len | 1ull << 40, (uint32_t)i);
		starts[i] = a;
	}
	struct prefix_table *t = prefix_table_build(b);
	cr_assert_geq(prefix_table_intervals(t, 4), 262144, "too small for the direct index");
	for (size_t q = 0; q < 300000; q++) {
		uint32_t x = starts[rnd() % np];
		switch (q % 4) {
		case 0:
			x += (uint32_t)(rnd() % 512);
			break;
		case 1:
			x -= 1;
			break;
		case 2:
			x = (uint32_t)rnd();
			break;
		default:
			break;
		}
		uint32_t want = 0, got = 0;
		int wl = -1;
		for (int l = 32; l >= 0 && wl < 0; l--) {
			uint32_t m = l ? x & (uint32_t)(~0ull << (32 - l)) : 0;
			if (hset_get(&h, (uint64_t)m << 6 | (unsigned)l | 1ull << 40, &want))
				wl = l;
		}
		unsigned gl;
		bool found = prefix_table_lookup4(t, x, &got, &gl);
		cr_assert_eq(found, wl >= 0, "x=%08x", x);
		if (found)
			cr_assert(got == want && (int)gl == wl, "x=%08x: %u/%u, want %u/%d", x, got, gl, want,
			          wl);
	}
	prefix_table_free(t);
	prefix_builder_free(b);
	free(starts);
	free(h.k);
	free(h.v);
}

/* ---- pfx2as ---- */

static const char pfx2as_text[] = "# a comment line\n"
                                  "\n"
                                  "1.0.0.0\t24\t13335\n"
                                  "1.0.4.0\t22\t38803\n"
                                  "1.0.4.0\t24\t38803_56203\n"
                                  "1.0.5.0\t24\t4200000000,65000\n"
                                  "1.0.6.0\t24\t7545_4826,38803\n"
                                  "0.0.0.0\t0\t64496\n"
                                  "1.0.7.7\t32\t64497\n"
                                  "2001:db8::\t32\t64510\r\n" /* CRLF tolerated */
                                  "2001:db8:1::\t48\t64511_64512\n"
                                  "2001:db8:1::1\t128\t64513\n"
                                  "::ffff:198.51.100.0\t120\t64514\n";

static void check_pfx2as(struct attribution *a)
{
	expect_as(a, "1.0.0.1", 13335, 24, false);
	expect_as(a, "1.0.4.1", 38803, 24, true);       /* MOAS: the first AS */
	expect_as(a, "1.0.5.1", 4200000000u, 24, true); /* AS set, 32-bit AS */
	expect_as(a, "1.0.6.1", 7545, 24, true);
	expect_as(a, "1.0.7.1", 38803, 22, false);
	expect_as(a, "1.0.7.7", 64497, 32, false);
	expect_as(a, "9.9.9.9", 64496, 0, false); /* the /0 */
	expect_as(a, "198.51.100.200", 64514, 24, false);
	expect_as(a, "::ffff:1.0.0.9", 13335, 24, false);
	expect_as(a, "2001:db8:ffff::1", 64510, 32, false);
	expect_as(a, "2001:db8:1::1", 64513, 128, false);
	expect_as(a, "2001:db8:1::2", 64511, 48, true);
	expect_no_as(a, "2001:db9::1");
}

Test(attribution, pfx2as_plain_and_gzip, .init = make_tmpdir, .fini = remove_tmpdir)
{
	char err[512];
	int rc;
	struct attribution *a = load(write_file("rv.pfx2as", pfx2as_text), NULL, err, sizeof err, &rc);
	cr_assert_eq(rc, 0, "%s", err);
	check_pfx2as(a);
	struct attribution_stats st;
	attribution_get_stats(a, &st);
	cr_expect_eq(st.asn_prefixes, 11);
	attribution_free(a);
	a = load(write_gz("rv.pfx2as.gz", pfx2as_text), NULL, err, sizeof err, &rc);
	cr_assert_eq(rc, 0, "%s", err);
	check_pfx2as(a);
	attribution_free(a);
}

Test(attribution, pfx2as_two_files_most_specific_then_first_given, .init = make_tmpdir, .fini = remove_tmpdir)
{
	struct attribution *a = attribution_new();
	char err[512];
	cr_assert_eq(attribution_add_asn(a, write_file("a.pfx2as", "10.0.0.0\t8\t1\n10.1.0.0\t16\t2\n"), err,
	                                 sizeof err),
	             0, "%s", err);
	cr_assert_eq(attribution_add_asn(a, write_file("b.pfx2as", "10.1.0.0\t16\t3\n10.1.1.0\t24\t4\n"), err,
	                                 sizeof err),
	             0, "%s", err);
	cr_assert_eq(attribution_finish(a, err, sizeof err), 0);
	expect_as(a, "10.2.0.0", 1, 8, false);
	expect_as(a, "10.1.0.0", 2, 16, false); /* same prefix in both: the file given first */
	expect_as(a, "10.1.1.0", 4, 24, false);
	attribution_free(a);
}

Test(attribution, pfx2as_malformed_lines_name_file_and_line, .init = make_tmpdir, .fini = remove_tmpdir)
{
	expect_error(true, "1.0.0.0\t24\t13335\n1.0.1.0\t24\n", 2, "3 fields");
	expect_error(true, "# c\n\n1.0.1.0\t24\t1\t2\n", 3, "3 fields");
	expect_error(true, "1.0.0.0 24 13335\n1.0.1.300\t24\t1\n", 2, "not an IPv4 or IPv6 address");
	expect_error(true, "1.0.1.0\t33\t1\n", 1, "prefix length");
	expect_error(true, "2001:db8::\t129\t1\n", 1, "prefix length");
	expect_error(true, "1.0.1.0\t2x\t1\n", 1, "prefix length");
	expect_error(true, "1.0.1.0\t24\tAS1\n", 1, "AS 'AS1'");
	expect_error(true, "1.0.1.0\t24\t1__2\n", 1, "AS '1__2'");
	expect_error(true, "1.0.1.0\t24\t4294967296\n", 1, "AS '4294967296'");
	expect_error(true, "1.0.1.0\t24\t1_\n", 1, "AS '1_'");
	expect_error(true, "1.0.1.1\t24\t1\n", 1, "bits set beyond the prefix length");
	/* a truncated gzip stream is an error, not a shorter file */
	const char *gz = write_gz("t.pfx2as.gz", pfx2as_text);
	FILE *fp = fopen(gz, "r+");
	fseek(fp, 0, SEEK_END);
	cr_assert_eq(ftruncate(fileno(fp), ftell(fp) - 12), 0);
	fclose(fp);
	char err[512];
	int rc;
	struct attribution *a = load(gz, NULL, err, sizeof err, &rc);
	cr_expect_eq(rc, -1);
	cr_expect(strstr(err, "t.pfx2as.gz:") && strstr(err, "gzip"), "%s", err);
	attribution_free(a);
	a = load("/nonexistent/rv.pfx2as", NULL, err, sizeof err, &rc);
	cr_expect_eq(rc, -1);
	cr_expect(strstr(err, "/nonexistent/rv.pfx2as: No such file") != NULL, "%s", err);
	attribution_free(a);
}

/* ---- RIR delegated ---- */

static const char delegated_a[] = "# comment\n"
                                  "2|apnic|20201231|6|19830613|20201231|+1000\n"
                                  "apnic|*|asn|*|1|summary\n"
                                  "apnic|*|ipv4|*|3|summary\n"
                                  "apnic|*|ipv6|*|1|summary\n"
                                  "apnic|AU|asn|7545|1|20100101|allocated|A91\n"
                                  "apnic|AU|ipv4|1.0.0.0|256|20110811|assigned|A91\n"
                                  "apnic|JP|ipv4|1.0.16.0|768|20110412|allocated|A92\n" /* /23 + /24 */
                                  "apnic||ipv4|1.0.20.0|1024||available\n"
                                  "apnic|ZZ|ipv4|1.0.24.0|256||reserved\n"
                                  "apnic|KR|ipv6|2001:db8::|32|20100101|allocated|A93|e-stats\n";

static const char delegated_b[] = "2.3|ripencc|1700000000|3|19830705|20231114|+0100\n"
                                  "ripencc|*|ipv4|*|2|summary\n"
                                  "ripencc|DE|ipv4|1.0.0.128|128|20100101|allocated|R1\n"
                                  "ripencc|NL|ipv4|1.0.16.0|512|20100101|allocated|R2\n"
                                  "ripencc|EU|ipv6|2001:db8:1::|48|20100101|assigned|R3\n"
                                  "ripencc|FR|ipv4|255.255.255.255|1|20100101|assigned|R4\n";

Test(attribution, delegated_files_most_specific_wins, .init = make_tmpdir, .fini = remove_tmpdir)
{
	struct attribution *a = attribution_new();
	char err[512];
	cr_assert_eq(
	    attribution_add_geo(a, write_file("delegated-apnic-extended", delegated_a), err, sizeof err), 0,
	    "%s", err);
	cr_assert_eq(attribution_add_geo(a, write_gz("delegated-ripencc.gz", delegated_b), err, sizeof err),
	             0, "%s", err);
	cr_assert_eq(attribution_finish(a, err, sizeof err), 0);
	expect_cc(a, "1.0.0.1", "AU", 24);
	expect_cc(a, "1.0.0.128", "DE", 25);
	expect_cc(a, "1.0.17.255", "JP", 23); /* 1.0.16.0/23: the same prefix in both, the first file */
	expect_cc(a, "1.0.18.1", "JP", 24);   /* second block of the 768-address range */
	expect_cc(a, "1.0.19.1", NULL, 0);    /* past the range */
	expect_cc(a, "1.0.20.1", NULL, 0);    /* available */
	expect_cc(a, "1.0.24.1", NULL, 0);    /* reserved */
	expect_cc(a, "2001:db8:2::1", "KR", 32);
	expect_cc(a, "2001:db8:1::1", "EU", 48);
	expect_cc(a, "255.255.255.255", "FR", 32);
	expect_cc(a, "::ffff:1.0.0.200", "DE", 25);
	attribution_free(a);
}

Test(attribution, delegated_malformed_lines_name_file_and_line, .init = make_tmpdir, .fini = remove_tmpdir)
{
	expect_error(false, "apnic|AU|ipv4|1.0.0.0|256|20110811\n", 1, "found 6 fields");
	expect_error(false, "2|apnic|1|1|1|1|+0\napnic|AU|ipv5|1.0.0.0|256|20110811|allocated\n", 2,
	             "type 'ipv5'");
	expect_error(false, "apnic|AU|ipv4|1.0.0.0|256|20110811|allocatd\n", 1, "status 'allocatd'");
	expect_error(false, "apnic|A|ipv4|1.0.0.0|256|20110811|allocated\n", 1, "country 'A'");
	expect_error(false, "apnic|AU|ipv4|1.0.0.0|0|20110811|allocated\n", 1, "address count");
	expect_error(false, "apnic|AU|ipv4|255.255.255.0|512|20110811|allocated\n", 1,
	             "past 255.255.255.255");
	expect_error(false, "apnic|AU|ipv4|2001:db8::|256|20110811|allocated\n", 1, "not an IPv4 address");
	expect_error(false, "apnic|AU|ipv6|2001:db8::1|32|20110811|allocated\n", 1, "bits set beyond");
	expect_error(false, "apnic|AU|ipv6|2001:db8::|129|20110811|allocated\n", 1, "prefix length");
	expect_error(false, "apnic|AU|ipv4|1.0.0.0|256|20110811|allocated\n2|apnic|1|1|1|1|+0\n", 2,
	             "version line");
	/* a pfx2as file given as --geo is refused at its first line, not read as empty */
	expect_error(false, "1.0.0.0\t24\t13335\n", 1, "found 1 fields");
}

/* ---- AS names ---- */

Test(attribution, as2org_and_csv_names, .init = make_tmpdir, .fini = remove_tmpdir)
{
	struct attribution *a = attribution_new();
	char err[512];
	const char *as2org = "# name: AS Org\n"
	                     "# format:aut|changed|aut_name|org_id|opaque_id|source\n"
	                     "13335|20200101|CLOUDFLARENET|CLOUD14-ARIN|x|ARIN\n"
	                     "714|20200101|APPLE-ENGINEERING|APPLEC-1-Z-ARIN||ARIN\n"
	                     "# format:org_id|changed|org_name|country|source\n"
	                     "CLOUD14-ARIN|20200101|Cloudflare, Inc.|US|ARIN\n"
	                     "APPLEC-1-Z-ARIN|20200101|Apple Inc.|US|ARIN\n"
	                     "APPLEC-1-Z-ARIN|20200101|Apple Inc. (second line)|US|ARIN\n";
	cr_assert_eq(attribution_add_names(a, write_gz("as2org.txt.gz", as2org), err, sizeof err), 0, "%s",
	             err);
	const char *csv = "asn,name\n1221,Telstra Corporation\n714,\"Apple, second source\"\nAS3320,DTAG\n";
	cr_assert_eq(attribution_add_names(a, write_file("names.csv", csv), err, sizeof err), 0, "%s", err);
	cr_assert_eq(attribution_add_names(a, write_file("plain.csv", "4766,Korea Telecom\n1221,Other\n"),
	                                   err, sizeof err),
	             0, "%s", err);
	cr_assert_eq(attribution_finish(a, err, sizeof err), 0);
	cr_expect_str_eq(attribution_as_name(a, 13335), "CLOUDFLARENET");
	cr_expect_str_eq(attribution_org_name(a, 13335), "Cloudflare, Inc.");
	cr_expect_str_eq(attribution_as_name(a, 714), "APPLE-ENGINEERING"); /* the first source wins */
	cr_expect_str_eq(attribution_org_name(a, 714), "Apple Inc.");
	cr_expect_str_eq(attribution_as_name(a, 1221), "Telstra Corporation");
	cr_expect_null(attribution_org_name(a, 1221));
	cr_expect_str_eq(attribution_as_name(a, 3320), "DTAG");
	cr_expect_str_eq(attribution_as_name(a, 4766), "Korea Telecom"); /* headerless CSV */
	cr_expect_null(attribution_as_name(a, 64496));
	attribution_free(a);

	a = attribution_new();
	cr_expect_eq(attribution_add_names(
	                 a,
	                 write_file("bad.txt", "# format:aut|changed|aut_name|org_id|opaque_id|source\n"
	                                       "1|x|A|B|C|D\n2|x|A|B|C\n"),
	                 err, sizeof err),
	             -1);
	cr_expect(strstr(err, "bad.txt:3: ") && strstr(err, "5 fields"), "%s", err);
	cr_expect_eq(
	    attribution_add_names(a, write_file("bad.csv", "asn,name\n1,a\nx2,b\n"), err, sizeof err), -1);
	cr_expect(strstr(err, "bad.csv:3: ") && strstr(err, "'x2'"), "%s", err);
	attribution_free(a);
}

/* ---- MaxMind DB, against mmdblookup ---- */

/* Runs tests/tools/make-mmdb.pl on spec; returns the path of the database. */
static const char *make_mmdb(const char *name, const char *opts, const char *spec)
{
	static char out[4][256];
	static int next;
	char *o = out[next++ % 4];
	char specname[64], cmd[1024];
	snprintf(specname, sizeof specname, "%s.spec", name);
	const char *sp = write_file(specname, spec);
	snprintf(o, 256, "%s/%s", tmpdir, name);
	snprintf(cmd, sizeof cmd, "perl tests/tools/make-mmdb.pl %s '%s' < '%s' 2>'%s/perl.err'", opts, o, sp,
	         tmpdir);
	int rc = system(cmd);
	if (rc != 0) {
		char e[512] = "";
		snprintf(cmd, sizeof cmd, "%s/perl.err", tmpdir);
		FILE *fp = fopen(cmd, "r");
		if (fp) {
			size_t n = fread(e, 1, sizeof e - 1, fp);
			e[n] = '\0';
			fclose(fp);
		}
		cr_assert_fail(
		    "make-mmdb.pl failed (Debian libmaxmind-db-writer-perl installed? run from the "
		    "source tree): %s",
		    e);
	}
	return o;
}

/* Asks mmdblookup, for every address in the file addrs, the country with
 * mpcap's fallbacks (country.iso_code, registered_country.iso_code,
 * country_code) or the AS number; writes "ADDRESS ANSWER" lines to out. */
static void mmdblookup_all(const char *db, const char *addrs, const char *out, bool asn)
{
	/* one mmdblookup per address, all outputs through one awk: "@@ ADDRESS" starts a record */
	char script[2048];
	snprintf(script, sizeof script,
	         "while read ip; do echo \"@@ $ip\"; mmdblookup -f '%s' -i \"$ip\" 2>/dev/null; done < '%s' "
	         "| awk -v "
	         "asn=%d '"
	         "function flush() { if (ip != \"\") print ip, (asn ? (n != \"\" ? n : \"none\") : "
	         "(c != \"\" ? c : r != \"\" ? r : k != \"\" ? k : \"none\")) } "
	         "/^@@ / { flush(); ip = $2; top = key = c = r = k = n = \"\"; next } "
	         "/^    \"[a-z_]+\": *$/ { top = $1; gsub(/[\":]/, \"\", top) } "
	         "/^ *\"[a-z_]+\": *$/ { key = $1; gsub(/[\":]/, \"\", key); next } "
	         "/<utf8_string>$/ { v = $1; gsub(/\"/, \"\", v); "
	         "if (top == \"country\" && key == \"iso_code\") c = v; "
	         "if (top == \"registered_country\" && key == \"iso_code\") r = v; "
	         "if (top == \"country_code\") k = v; if (top == \"asn\") { sub(/^AS/, \"\", v); n = v } } "
	         "/<uint32>$/ && top == \"autonomous_system_number\" { n = $1 } "
	         "END { flush() }' > '%s'",
	         db, addrs, asn ? 1 : 0, out);
	cr_assert_eq(system(script), 0, "mmdblookup loop failed (Debian mmdb-bin installed?)");
}

static void random_addr(int family, const char *near, char *buf, size_t n)
{
	uint8_t a[16] = { 0 };
	if (near && rnd() % 4 != 0) {
		int f;
		memcpy(a, addr_of(near, &f), 16);
		/* stay in the network's neighbourhood: randomise the last bits */
		unsigned keep = family == 4 ? 20 + (unsigned)(rnd() % 13) : 100 + (unsigned)(rnd() % 29);
		unsigned bits = family == 4 ? 32 : 128;
		for (unsigned k = keep; k < bits; k++)
			if (rnd() & 1)
				a[k / 8] ^= (uint8_t)(1 << (7 - k % 8));
	} else {
		for (int i = 0; i < 16; i++)
			a[i] = (uint8_t)rnd();
		if (family == 6)
			a[0] = 0x20; /* global unicast, away from the IPv4 aliases */
	}
	inet_ntop(family == 4 ? AF_INET : AF_INET6, a, buf, (socklen_t)n);
}

/* Writes a spec of random country networks; returns some network addresses for queries. */
static char *country_spec(int ip_version, char near[][64], size_t nnear)
{
	size_t cap = 1 << 16, len = 0;
	char *s = malloc(cap);
	s[0] = '\0';
	static const char *const cc[] = { "US", "AU", "DE", "KR", "FR", "JP", "NL", "BR", "ZA", "IN" };
	for (size_t i = 0; i < nnear; i++) {
		int v6 = ip_version == 6 && (i % 2);
		uint8_t a[16] = { 0 };
		for (int k = 0; k < 16; k++)
			a[k] = (uint8_t)rnd();
		if (v6)
			a[0] = 0x20;
		unsigned bits = v6 ? 128 : 32;
		unsigned plen = v6 ? 32 + (unsigned)(rnd() % 97) : 8 + (unsigned)(rnd() % 25);
		for (unsigned k = plen; k < bits; k++)
			a[k / 8] &= (uint8_t) ~(1 << (7 - k % 8));
		inet_ntop(v6 ? AF_INET6 : AF_INET, a, near[i], 64);
		const char *c = cc[rnd() % 10];
		char data[128];
		switch (rnd() % 4) {
		case 0: /* GeoLite2 style, with a registered country that must not win */
			snprintf(data, sizeof data, "country.iso_code=%s registered_country.iso_code=ZA", c);
			break;
		case 1: /* only the registered country (e.g. satellite providers) */
			snprintf(data, sizeof data, "registered_country.iso_code=%s", c);
			break;
		case 2: /* IPinfo Lite style */
			snprintf(data, sizeof data, "country_code=%s", c);
			break;
		default:
			snprintf(data, sizeof data, "country.iso_code=%s", c);
		}
		len += (size_t)snprintf(s + len, cap - len, "%s/%u %s\n", near[i], plen, data);
	}
	return s;
}

static void compare_with_mmdblookup(int ip_version)
{
	char near[60][64];
	char *spec = country_spec(ip_version, near, 60);
	/* a network with no country at all: mpcap and mmdblookup both say none */
	strcat(spec, ip_version == 6 ? "2c0f::/16 city.name=Nowhere\n" : "100.64.0.0/10 city.name=Nowhere\n");
	const char *db =
	    make_mmdb(ip_version == 6 ? "geo6.mmdb" : "geo4.mmdb", ip_version == 6 ? "-6" : "-4", spec);
	free(spec);
	char addrs[256], answers[256];
	snprintf(addrs, sizeof addrs, "%s/addrs", tmpdir);
	snprintf(answers, sizeof answers, "%s/answers", tmpdir);
	FILE *fp = fopen(addrs, "w");
	const size_t n = 300;
	for (size_t i = 0; i < n; i++) {
		char buf[64];
		int fam = ip_version == 6 && (i % 2) ? 6 : 4;
		const char *base = near[rnd() % 60];
		bool base6 = strchr(base, ':') != NULL;
		random_addr(fam, base6 == (fam == 6) ? base : NULL, buf, sizeof buf);
		if (ip_version == 6 && fam == 4 && i % 8 == 0)
			fprintf(fp, "::ffff:%s\n", buf); /* IPv4-mapped: mmdblookup follows the DB's alias */
		else
			fprintf(fp, "%s\n", buf);
	}
	fprintf(fp, "100.64.1.1\n");
	if (ip_version == 6)
		fprintf(fp, "2c0f::1\n");
	fclose(fp);
	mmdblookup_all(db, addrs, answers, false);
	struct attribution *a = attribution_new();
	char err[512];
	cr_assert_eq(attribution_add_geo(a, db, err, sizeof err), 0, "%s", err);
	cr_assert_eq(attribution_finish(a, err, sizeof err), 0);
	fp = fopen(answers, "r");
	char ip[128], want[16];
	size_t lines = 0, found = 0;
	while (fscanf(fp, "%127s %15s", ip, want) == 2) {
		struct attribution_result r = look(a, ip);
		const char *got = r.cc_found ? r.cc : "none";
		cr_expect_str_eq(got, want, "%s: mpcap %s, mmdblookup %s", ip, got, want);
		lines++;
		found += r.cc_found;
	}
	fclose(fp);
	cr_expect_geq(lines, n + 1);
	cr_expect_gt(found, n / 4, "too few addresses inside the networks (%zu)", found);
	cr_expect_lt(found, lines, "every address found: the test lacks misses");
	attribution_free(a);
}

TestSuite(attribution_mmdb, .timeout = 120);

Test(attribution_mmdb, ipv4_database_agrees_with_mmdblookup, .init = make_tmpdir, .fini = remove_tmpdir)
{
	rng_state = 0x1234567;
	compare_with_mmdblookup(4);
}

Test(attribution_mmdb, ipv6_database_agrees_with_mmdblookup, .init = make_tmpdir, .fini = remove_tmpdir)
{
	rng_state = 0x7654321;
	compare_with_mmdblookup(6);
}

Test(attribution_mmdb, asn_database_agrees_with_mmdblookup_and_competes_with_pfx2as, .init = make_tmpdir,
     .fini = remove_tmpdir)
{
	const char *spec =
	    "192.0.2.0/24 autonomous_system_number=64500 autonomous_system_organization=Example-A\n"
	    "192.0.2.128/25 asn=AS64501 as_name=IPinfo-style\n"
	    "198.51.100.0/24 autonomous_system_number=4200000001\n"
	    "2001:db8::/32 autonomous_system_number=64502\n"
	    "2001:db8:8000::/33 city.name=NoAS\n";
	const char *db = make_mmdb("asn.mmdb", "-6", spec);
	static const char *const ips[] = { "192.0.2.1",        "192.0.2.200", "198.51.100.7",
		                           "203.0.113.1",      "2001:db8::1", "2001:db8:8000::1",
		                           "::ffff:192.0.2.5", "2001:db9::1" };
	char addrs[256], answers[256];
	snprintf(addrs, sizeof addrs, "%s/addrs", tmpdir);
	snprintf(answers, sizeof answers, "%s/answers", tmpdir);
	FILE *fp = fopen(addrs, "w");
	for (size_t i = 0; i < sizeof ips / sizeof ips[0]; i++)
		fprintf(fp, "%s\n", ips[i]);
	fclose(fp);
	mmdblookup_all(db, addrs, answers, true);
	/* the pfx2as file is more specific for 192.0.2.0/26, less elsewhere */
	const char *pfx = write_file("rv.pfx2as", "192.0.2.0\t26\t65001_65002\n192.0.0.0\t16\t65003\n");
	struct attribution *a = attribution_new();
	char err[512];
	cr_assert_eq(attribution_add_asn(a, db, err, sizeof err), 0, "%s", err);
	cr_assert_eq(attribution_add_asn(a, pfx, err, sizeof err), 0, "%s", err);
	cr_assert_eq(attribution_finish(a, err, sizeof err), 0);
	fp = fopen(answers, "r");
	char ip[128], want[32];
	int n = 0;
	while (fscanf(fp, "%127s %31s", ip, want) == 2) {
		struct attribution_result r = look(a, ip);
		char got[32];
		snprintf(got, sizeof got, "%u", r.asn);
		if (strcmp(ip, "192.0.2.1") == 0 || strcmp(ip, "::ffff:192.0.2.5") == 0) {
			cr_expect_str_eq(want, "64500"); /* what the database alone says */
			cr_expect_eq(r.asn, 65001);      /* the pfx2as /26 beats the database's /25 leaf */
			cr_expect(r.multi_origin);
		} else if (strcmp(want, "none") == 0) {
			cr_expect(!r.asn_found, "%s: mpcap AS %u, mmdblookup none", ip, r.asn);
		} else {
			cr_expect_str_eq(got, want, "%s: mpcap %s, mmdblookup %s", ip, got, want);
		}
		n++;
	}
	fclose(fp);
	cr_expect_eq(n, 8);
	expect_as(a, "192.0.2.200", 64501, 25, false); /* IPinfo-style "AS64501" */
	expect_no_as(a, "2001:db8:8000::1");
	expect_as(a, "192.0.3.1", 65003, 16, false);
	cr_expect_str_eq(attribution_org_name(a, 64500), "Example-A");
	cr_expect_str_eq(attribution_org_name(a, 64501), "IPinfo-style");
	attribution_free(a);
}

Test(attribution_mmdb, delegated_and_mmdb_most_specific_then_first_given, .init = make_tmpdir,
     .fini = remove_tmpdir)
{
	const char *db = make_mmdb("c.mmdb", "-6",
	                           "203.0.113.0/26 country.iso_code=FR\n2001:db8::/48 country.iso_code=SE\n");
	const char *del = write_file("delegated", "ripencc|DE|ipv4|203.0.113.0|32|20100101|allocated\n"
	                                          "ripencc|NL|ipv4|203.0.113.64|64|20100101|allocated\n"
	                                          "ripencc|US|ipv6|2001:db8::|48|20100101|allocated\n");
	struct attribution *a = attribution_new();
	char err[512];
	cr_assert_eq(attribution_add_geo(a, del, err, sizeof err), 0, "%s", err);
	cr_assert_eq(attribution_add_geo(a, db, err, sizeof err), 0, "%s", err);
	cr_assert_eq(attribution_finish(a, err, sizeof err), 0);
	expect_cc(a, "203.0.113.1", "DE", 27);  /* delegated /27 inside the database's /26 */
	expect_cc(a, "203.0.113.33", "FR", 26); /* only the database */
	expect_cc(a, "203.0.113.65", "NL", 26);
	expect_cc(a, "2001:db8::1", "US", 48); /* equal lengths: the source given first */
	expect_cc(a, "198.51.100.1", NULL, 0);
	attribution_free(a);
	a = attribution_new();
	cr_assert_eq(attribution_add_geo(a, db, err, sizeof err), 0, "%s", err);
	cr_assert_eq(attribution_add_geo(a, del, err, sizeof err), 0, "%s", err);
	cr_assert_eq(attribution_finish(a, err, sizeof err), 0);
	expect_cc(a, "2001:db8::1", "SE", 48);
	attribution_free(a);
	/* a damaged database is refused with its name */
	FILE *fp = fopen(db, "r+");
	cr_assert_eq(ftruncate(fileno(fp), 100), 0);
	fclose(fp);
	a = attribution_new();
	cr_expect_eq(attribution_add_geo(a, db, err, sizeof err), -1);
	cr_expect(strstr(err, "c.mmdb") != NULL, "%s", err);
	attribution_free(a);
}

/* ---- benchmarks (MPCAP_BENCH=1) ---- */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool bench_enabled(void)
{
	const char *e = getenv("MPCAP_BENCH");
	return e && strcmp(e, "1") == 0;
}

TestSuite(attribution_bench, .timeout = 900);

/* A routing-table-like prefix set: 1 M IPv4 prefixes (mostly /24, some /16../23
 * covering them), 200 k IPv6 prefixes (/32../48). */
static struct prefix_table *bench_table(void)
{
	struct prefix_builder *b = prefix_builder_new();
	for (uint32_t i = 0; i < 1000000; i++) {
		uint64_t r = rnd();
		unsigned len = i % 10 == 0 ? 16 + (unsigned)(r % 8) : 24;
		uint32_t a = (uint32_t)(r >> 32) & (uint32_t)(~0u << (32 - len));
		uint8_t x[4] = { (uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a };
		cr_assert_eq(prefix_builder_add(b, 4, x, len, i), PREFIX_OK);
	}
	for (uint32_t i = 0; i < 200000; i++) {
		/* like the allocated space: 2001::/16, 2400::/12, 2600::/12 ... 2c00::/12 */
		uint8_t x[16] = { (uint8_t)(0x20 + 2 * (rnd() % 7)), (uint8_t)(rnd() & 0x0f) };
		unsigned len = 32 + (unsigned)(rnd() % 17);
		for (unsigned k = 16; k < len; k++)
			if (rnd() & 1)
				x[k / 8] |= (uint8_t)(1 << (7 - k % 8));
		cr_assert_eq(prefix_builder_add(b, 6, x, len, i), PREFIX_OK);
	}
	double t0 = now();
	struct prefix_table *t = prefix_table_build(b);
	cr_log_info("bench: built 1 M IPv4 + 200 k IPv6 prefixes in %.2f s: %zu + %zu intervals, %.1f MiB",
	            now() - t0, prefix_table_intervals(t, 4), prefix_table_intervals(t, 6),
	            prefix_table_memory(t) / 1048576.0);
	prefix_builder_free(b);
	return t;
}

Test(attribution_bench, lookups_per_second)
{
	if (!bench_enabled())
		cr_skip_test("set MPCAP_BENCH=1 to run");
	rng_state = 42;
	/* for scale: how fast this machine follows a chain of random reads in
	 * 64 MiB (a lookup is a short chain of them) */
	{
		size_t nw = (size_t)1 << 24;
		uint32_t *w = malloc(nw * sizeof *w);
		for (size_t i = 0; i < nw; i++)
			w[i] = (uint32_t)i;
		for (size_t i = nw - 1; i > 0; i--) { /* Sattolo: one cycle through all of it */
			size_t j = rnd() % i;
			uint32_t tmp = w[i];
			w[i] = w[j];
			w[j] = tmp;
		}
		uint32_t p = 0;
		double t0 = now();
		for (size_t i = 0; i < 5000000; i++)
			p = w[p];
		printf("bench: reference: %.1f M dependent random reads/s in 64 MiB (%u)\n",
		       5.0 / (now() - t0), p);
		free(w);
	}
	struct prefix_table *t = bench_table();
	const size_t n = 50000000;
	uint64_t sum = 0;
	double t0 = now();
	uint32_t x = 0x12345678;
	for (size_t i = 0; i < n; i++) {
		x = x * 1664525u + 1013904223u; /* random addresses: a cache miss each */
		uint32_t v;
		unsigned l;
		if (prefix_table_lookup4(t, x, &v, &l))
			sum += v;
	}
	double dt = now() - t0;
	printf("bench: IPv4 LPM, random addresses: %.1f M lookups/s (%zu in %.2f s; checksum %llu)\n",
	       n / dt / 1e6, n, dt, (unsigned long long)sum);
	t0 = now();
	for (size_t i = 0; i < n; i++) {
		x = x * 1664525u + 1013904223u;
		uint8_t a[16] = { (uint8_t)(x >> 24), (uint8_t)(x >> 16), (uint8_t)(x >> 8), (uint8_t)x };
		struct prefix_match m;
		if (prefix_table_lookup(t, 4, a, &m))
			sum += m.value;
	}
	dt = now() - t0;
	printf("bench: IPv4 LPM through prefix_table_lookup (with interval): %.1f M lookups/s\n",
	       n / dt / 1e6);
	/* ascending addresses 71 apart on average: 60 M responders in 2^32, as a
	 * Roaring bitmap hands them out */
	t0 = now();
	x = 0;
	for (size_t i = 0; i < n; i++) {
		x += 1 + (uint32_t)(rnd() % 141);
		uint32_t v;
		unsigned l;
		if (prefix_table_lookup4(t, x, &v, &l))
			sum += v;
	}
	dt = now() - t0;
	printf("bench: IPv4 LPM, ascending addresses (scan order): %.1f M lookups/s\n", n / dt / 1e6);
	const size_t n6 = 10000000;
	t0 = now();
	for (size_t i = 0; i < n6; i++) {
		uint64_t r = rnd();
		uint8_t a[16] = { (uint8_t)(0x20 + 2 * ((r >> 40) % 7)),
			          (uint8_t)(r & 0x0f),
			          (uint8_t)(r >> 8),
			          (uint8_t)(r >> 16),
			          (uint8_t)(r >> 24),
			          (uint8_t)(r >> 32) };
		struct prefix_match m;
		if (prefix_table_lookup(t, 6, a, &m))
			sum += m.value;
	}
	dt = now() - t0;
	printf("bench: IPv6 LPM, random addresses: %.1f M lookups/s (checksum %llu)\n", n6 / dt / 1e6,
	       (unsigned long long)sum);
	fflush(stdout);
	prefix_table_free(t);
}

struct bench_walk {
	struct attribution *a;
	uint64_t n, found;
	struct attribution_result r;
	bool valid;
};

static void bench_member(void *ctx, uint8_t family, const uint8_t *addr, uint16_t port)
{
	(void)port;
	struct bench_walk *w = ctx;
	uint8_t a16[16] = { 0 };
	memcpy(a16, addr, family == 4 ? 4 : 16);
	w->n++;
	if (!w->valid || memcmp(a16, w->r.first, 16) < 0 || memcmp(a16, w->r.last, 16) > 0) {
		char err[256];
		cr_assert_eq(attribution_lookup(w->a, family, a16, &w->r, err, sizeof err), 0);
		w->valid = true;
	}
	w->found += w->r.asn_found;
}

static long rss_kib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

Test(attribution_bench, sixty_million_responders, .init = make_tmpdir, .fini = remove_tmpdir)
{
	if (!bench_enabled())
		cr_skip_test("set MPCAP_BENCH=1 to run");
	/* 60 M distinct IPv4 responders on one port, spread like a scan's (random) */
	rng_state = 7;
	long rss0 = rss_kib();
	struct target_set *s = target_set_new();
	double t0 = now();
	uint64_t added = 0;
	while (added < 60000000) {
		uint32_t x = (uint32_t)rnd();
		uint8_t a[16] = { (uint8_t)(x >> 24), (uint8_t)(x >> 16), (uint8_t)(x >> 8), (uint8_t)x };
		int r = target_set_add(s, 4, a, 80);
		cr_assert_geq(r, 0);
		added += (uint64_t)r;
	}
	size_t mem = target_set_memory(s);
	long rss1 = rss_kib();
	printf("bench: 60 M IPv4 responders (one port): target_set_memory %.1f MiB (serialised in "
	       "targets.sets), "
	       "process peak RSS grew %.1f MiB; built in %.1f s\n",
	       mem / 1048576.0, (rss1 - rss0) / 1024.0, now() - t0);
	/* write it as analyze does, to measure the file */
	char path[256];
	snprintf(path, sizeof path, "%s/targets.sets", tmpdir);
	FILE *fp = fopen(path, "wb");
	const char *names[] = { "responsive" };
	struct target_set *sets[] = { s };
	cr_assert_eq(target_sets_write(fp, names, sets, 1), 0);
	long size = ftell(fp);
	fclose(fp);
	printf("bench: targets.sets with that set: %.1f MiB on disk\n", size / 1048576.0);
	/* attribute every member through a 1 M-prefix pfx2as file */
	snprintf(path, sizeof path, "%s/rv.pfx2as", tmpdir);
	fp = fopen(path, "w");
	for (uint32_t i = 0; i < 1000000; i++) {
		uint32_t a = (uint32_t)rnd() & 0xffffff00u;
		fprintf(fp, "%u.%u.%u.%u\t24\t%u\n", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255,
		        1 + i % 70000);
	}
	fclose(fp);
	struct bench_walk w = { attribution_new(), 0, 0, { 0 }, false };
	char err[512];
	t0 = now();
	cr_assert_eq(attribution_add_asn(w.a, path, err, sizeof err), 0, "%s", err);
	cr_assert_eq(attribution_finish(w.a, err, sizeof err), 0);
	double tload = now() - t0;
	t0 = now();
	target_set_each(s, bench_member, &w);
	double dt = now() - t0;
	printf(
	    "bench: 1 M-line pfx2as loaded in %.2f s; 60 M responders attributed in %.2f s (%.1f M/s, %llu "
	    "in an announced /24)\n",
	    tload, dt, w.n / dt / 1e6, (unsigned long long)w.found);
	printf("bench: process peak RSS %.1f MiB\n", rss_kib() / 1024.0);
	fflush(stdout);
	cr_expect_eq(w.n, 60000000);
	attribution_free(w.a);
	target_set_free(s);
}
