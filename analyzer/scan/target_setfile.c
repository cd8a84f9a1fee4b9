/* target_setfile.c — named target sets in DIR/targets.sets
 * (target_setfile.h): each IPv4 port written as a CRoaring portable
 * serialisation straight from the set's chunks and read back through
 * CRoaring's own deserialiser; IPv6 members as sorted 16-byte addresses.
 * Specifications: RoaringFormatSpec (github.com/RoaringBitmap/RoaringFormatSpec);
 * addresses RFC 791, RFC 8200.
 */
#include "analyzer/scan/target_setfile.h"

#include <errno.h>
#include <roaring/roaring.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyzer/base/bytes.h"
#include "analyzer/scan/target_key.h"
#include "analyzer/scan/target_map.h"
#include "analyzer/scan/target_set_internal.h"

/* ---- CRoaring portable serialisation of one port ----
 * (github.com/RoaringBitmap/RoaringFormatSpec): a cookie, the containers'
 * keys and cardinalities, offsets, then each container — an array of 16-bit
 * values, a 1024-word bitmap, or runs (start, length - 1) when those take
 * less room.  All little-endian. */

#define SERIAL_COOKIE_NO_RUN 12346u
#define SERIAL_COOKIE 12347u
#define NO_OFFSET_THRESHOLD 4u

static uint32_t chunk_runs(const struct chunk *c)
{
	uint32_t runs = 0;
	if (chunk_is_bitmap(c)) {
		const uint64_t *b = cbits(c);
		for (size_t w = 0; w < BITMAP_WORDS; w++) {
			uint64_t x = b[w], next = w + 1 < BITMAP_WORDS ? b[w + 1] : 0;
			/* a run ends at each 1 followed by a 0 */
			runs += (uint32_t)__builtin_popcountll(x & ~((x >> 1) | (next << 63)));
		}
		return runs;
	}
	const uint16_t *a = ccarr(c);
	for (uint32_t i = 0; i < c->n; i++)
		runs += i == 0 || a[i] != a[i - 1] + 1;
	return runs;
}

enum ctype { CT_ARRAY, CT_BITMAP, CT_RUN };

static enum ctype chunk_ctype(const struct chunk *c, uint32_t runs)
{
	size_t as_run = 2 + 4 * (size_t)runs;
	size_t as_other = c->n > CHUNK_ARRAY_MAX ? 8192 : 2 * (size_t)c->n;
	if (as_run < as_other)
		return CT_RUN;
	return c->n > CHUNK_ARRAY_MAX ? CT_BITMAP : CT_ARRAY;
}

static size_t ctype_bytes(enum ctype t, const struct chunk *c, uint32_t runs)
{
	return t == CT_RUN ? 2 + 4 * (size_t)runs : t == CT_BITMAP ? 8192 : 2 * (size_t)c->n;
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

/* The first position >= pos whose bit is `set` (65536 when none). */
static uint32_t bitmap_next(const uint64_t *b, uint32_t pos, bool set)
{
	while (pos < 65536) {
		uint64_t w = b[pos >> 6];
		if (!set)
			w = ~w;
		w &= ~UINT64_C(0) << (pos & 63);
		if (w)
			return (pos & ~63u) + (uint32_t)__builtin_ctzll(w);
		pos = (pos & ~63u) + 64;
	}
	return 65536;
}

/* How one port is serialised: per chunk its container type and run count. */
struct serial_plan {
	uint32_t *runs;
	uint8_t *types;
	uint32_t nc;
	bool any_run, offsets;
	size_t head, len;
};

static int plan_port(const struct v4port *vp, struct serial_plan *pl)
{
	memset(pl, 0, sizeof *pl);
	pl->runs = calloc(CHUNKS, sizeof *pl->runs);
	pl->types = calloc(CHUNKS, 1);
	if (!pl->runs || !pl->types)
		return -1;
	size_t body = 0;
	for (uint32_t i = next_chunk(vp, 0); i < CHUNKS; i = next_chunk(vp, i + 1)) {
		const struct chunk *c = chunk_peek(vp, i);
		if (!c->n)
			continue;
		pl->nc++;
		pl->runs[i] = chunk_runs(c);
		pl->types[i] = (uint8_t)chunk_ctype(c, pl->runs[i]);
		pl->any_run |= pl->types[i] == CT_RUN;
		body += ctype_bytes((enum ctype)pl->types[i], c, pl->runs[i]);
	}
	size_t nc = pl->nc;
	if (pl->any_run) {
		pl->offsets = nc >= NO_OFFSET_THRESHOLD;
		pl->head = 4 + (nc + 7) / 8 + 4 * nc + (pl->offsets ? 4 * nc : 0);
	} else {
		pl->offsets = true;
		pl->head = 8 + 4 * nc + 4 * nc;
	}
	pl->len = pl->head + body;
	return 0;
}

static void plan_free(struct serial_plan *pl)
{
	free(pl->runs);
	free(pl->types);
}

/* Writes the serialisation planned in pl, container by container. */
static int write_port(FILE *fp, const struct v4port *vp, const struct serial_plan *pl)
{
	size_t hsz = pl->head;
	uint8_t *h = calloc(hsz ? hsz : 1, 1);
	uint8_t *buf = malloc(8192 + 4);
	if (!h || !buf) {
		free(h);
		free(buf);
		return -1;
	}
	uint32_t nc = pl->nc;
	uint8_t *p = h;
	if (pl->any_run) {
		put_le32(p, SERIAL_COOKIE | (nc - 1) << 16);
		p += 4;
		uint32_t k = 0;
		for (uint32_t i = next_chunk(vp, 0); i < CHUNKS; i = next_chunk(vp, i + 1))
			if (chunk_peek(vp, i)->n) {
				if (pl->types[i] == CT_RUN)
					p[k / 8] |= (uint8_t)(1u << (k % 8));
				k++;
			}
		p += (nc + 7) / 8;
	} else {
		put_le32(p, SERIAL_COOKIE_NO_RUN);
		put_le32(p + 4, nc);
		p += 8;
	}
	for (uint32_t i = next_chunk(vp, 0); i < CHUNKS; i = next_chunk(vp, i + 1)) {
		const struct chunk *c = chunk_peek(vp, i);
		if (c->n) {
			put_le16(p, (uint16_t)i);
			put_le16(p + 2, (uint16_t)(c->n - 1));
			p += 4;
		}
	}
	if (pl->offsets) {
		size_t off = pl->head;
		for (uint32_t i = next_chunk(vp, 0); i < CHUNKS; i = next_chunk(vp, i + 1)) {
			const struct chunk *c = chunk_peek(vp, i);
			if (c->n) {
				put_le32(p, (uint32_t)off);
				p += 4;
				off += ctype_bytes((enum ctype)pl->types[i], c, pl->runs[i]);
			}
		}
	}
	int rc = fwrite(h, 1, hsz, fp) == hsz ? 0 : -1;
	for (uint32_t i = next_chunk(vp, 0); i < CHUNKS && rc == 0; i = next_chunk(vp, i + 1)) {
		const struct chunk *c = chunk_peek(vp, i);
		if (!c->n)
			continue;
		uint8_t *q = buf;
		switch ((enum ctype)pl->types[i]) {
		case CT_RUN:
			put_le16(q, (uint16_t)pl->runs[i]);
			q += 2;
			if (chunk_is_bitmap(c)) {
				uint32_t pos = 0;
				while ((pos = bitmap_next(cbits(c), pos, true)) < 65536) {
					uint32_t end = bitmap_next(cbits(c), pos, false);
					put_le16(q, (uint16_t)pos);
					put_le16(q + 2, (uint16_t)(end - pos - 1));
					q += 4;
					pos = end;
				}
			} else {
				const uint16_t *v = ccarr(c);
				for (uint32_t k = 0; k < c->n;) {
					uint32_t e = k;
					while (e + 1 < c->n && v[e + 1] == v[e] + 1)
						e++;
					put_le16(q, v[k]);
					put_le16(q + 2, (uint16_t)(e - k));
					q += 4;
					k = e + 1;
				}
			}
			break;
		case CT_BITMAP: {
			const uint64_t *bm = cbits(c);
			for (size_t w = 0; w < BITMAP_WORDS; w++) {
				put_le32(q, (uint32_t)bm[w]);
				put_le32(q + 4, (uint32_t)(bm[w] >> 32));
				q += 8;
			}
			break;
		}
		case CT_ARRAY: {
			const uint16_t *v = ccarr(c);
			for (uint32_t k = 0; k < c->n; k++, q += 2)
				put_le16(q, v[k]);
			break;
		}
		}
		size_t n = (size_t)(q - buf);
		if (fwrite(buf, 1, n, fp) != n)
			rc = -1;
	}
	free(h);
	free(buf);
	return rc;
}

struct fill_ctx {
	struct v4port *vp;
	int rc;
};

static bool fill_v4(uint32_t v, void *param)
{
	struct fill_ctx *f = param;
	struct chunk *c = chunk_ref(f->vp, v >> 16);
	int r = c ? target_chunk_add(f->vp, c, (uint16_t)v) : -1;
	if (r < 0) {
		f->rc = -1;
		return false;
	}
	f->vp->n += (uint64_t)r;
	mark_chunk(f->vp, v >> 16);
	return true;
}

static const char sets_magic[] = "MPCAPSETS1\n";

static int put_be(FILE *fp, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		if (putc((int)((v >> (8 * i)) & 0xff), fp) == EOF)
			return -1;
	return 0;
}

static int write_record(FILE *fp, const char *name, uint8_t family, uint16_t port, const void *payload,
                        uint64_t len)
{
	size_t nl = strlen(name);
	if (putc((int)nl, fp) == EOF || fwrite(name, 1, nl, fp) != nl || putc(family, fp) == EOF ||
	    put_be(fp, port, 2) != 0 || put_be(fp, len, 8) != 0 ||
	    (payload && len && fwrite(payload, 1, len, fp) != len))
		return -1;
	return 0;
}

static int addr_cmp_port(const void *a, const void *b)
{
	return memcmp(a, b, 18);
}

int target_sets_write(FILE *fp, const char *const *names, struct target_set *const *sets, size_t n)
{
	if (fwrite(sets_magic, 1, sizeof sets_magic - 1, fp) != sizeof sets_magic - 1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct target_set *s = sets[i];
		if (strlen(names[i]) == 0 || strlen(names[i]) > 255)
			return -1;
		for (size_t pk = 0; pk < s->nports; pk++) {
			uint16_t p = s->ports[pk];
			{
				struct serial_plan pl;
				int rc = plan_port(s->v4[pk], &pl);
				if (rc == 0)
					rc = write_record(fp, names[i], 4, (uint16_t)p, NULL, pl.len);
				if (rc == 0)
					rc = write_port(fp, s->v4[pk], &pl);
				plan_free(&pl);
				if (rc != 0)
					return -1;
			}
		}
		/* IPv6: one record per port, addresses sorted */
		size_t total = target_map_count(s->v6);
		if (!total)
			continue;
		uint8_t *addrs = malloc(total * 18);
		if (!addrs)
			return -1;
		size_t cur = 0, k6 = 0;
		struct target_key k;
		while (target_map_next(s->v6, &cur, &k, NULL)) {
			addrs[k6 * 18] = (uint8_t)(k.port >> 8);
			addrs[k6 * 18 + 1] = (uint8_t)k.port;
			memcpy(addrs + k6 * 18 + 2, k.addr, 16);
			k6++;
		}
		qsort(addrs, k6, 18, addr_cmp_port);
		int rc = 0;
		for (size_t a = 0; a < k6 && rc == 0;) {
			size_t b = a;
			while (b < k6 && memcmp(addrs + b * 18, addrs + a * 18, 2) == 0)
				b++;
			uint16_t port = (uint16_t)(addrs[a * 18] << 8 | addrs[a * 18 + 1]);
			uint8_t *payload = malloc((b - a) * 16 + 1);
			if (!payload) {
				rc = -1;
				break;
			}
			for (size_t j = a; j < b; j++)
				memcpy(payload + (j - a) * 16, addrs + j * 18 + 2, 16);
			rc = write_record(fp, names[i], 6, port, payload, (uint64_t)(b - a) * 16);
			free(payload);
			a = b;
		}
		free(addrs);
		if (rc != 0)
			return -1;
	}
	return putc(0, fp) == EOF ? -1 : 0;
}

int target_sets_read(const char *path, const char *const *names, struct target_set **sets, size_t n,
                     char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++)
		sets[i] = NULL;
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char *buf = NULL;
	int rc = -1;
	/* a record may not claim more bytes than the file holds (no allocation
	 * of a length read from a damaged file) */
	struct stat st;
	int64_t size = fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
	for (size_t i = 0; i < n; i++)
		if (!(sets[i] = target_set_new()))
			goto oom;
	char magic[sizeof sets_magic - 1];
	if (fread(magic, 1, sizeof magic, fp) != sizeof magic ||
	    memcmp(magic, sets_magic, sizeof magic) != 0) {
		snprintf(err, errlen, "%s: not an mpcap target-set file", path);
		goto out;
	}
	for (;;) {
		long at = ftell(fp);
		int nl = getc(fp);
		if (nl == EOF)
			goto truncated;
		if (nl == 0)
			break;
		char name[256];
		uint8_t hdr[11];
		if (fread(name, 1, (size_t)nl, fp) != (size_t)nl ||
		    fread(hdr, 1, sizeof hdr, fp) != sizeof hdr)
			goto truncated;
		name[nl] = '\0';
		struct byte_view hv = bv_make(hdr, sizeof hdr);
		uint8_t family;
		uint16_t port;
		uint64_t len;
		bv_u8(&hv, 0, &family);
		bv_u16(&hv, 1, &port);
		bv_u64(&hv, 3, &len);
		if ((family != 4 && family != 6) || len > (1ULL << 34) || (family == 6 && len % 16)) {
			snprintf(err, errlen, "%s: corrupt record at byte offset %ld", path, at);
			goto out;
		}
		if (size >= 0 && len > (uint64_t)(size - ftell(fp)))
			goto truncated;
		free(buf);
		if (!(buf = malloc(len ? len : 1)))
			goto oom;
		if (len && fread(buf, 1, len, fp) != len)
			goto truncated;
		struct target_set *dst = NULL;
		for (size_t i = 0; i < n; i++)
			if (strcmp(names[i], name) == 0)
				dst = sets[i];
		if (!dst)
			continue;
		if (family == 4) {
			roaring_bitmap_t *rb = roaring_bitmap_portable_deserialize_safe(buf, len);
			if (!rb) {
				snprintf(err, errlen, "%s: corrupt IPv4 set at byte offset %ld", path, at);
				goto out;
			}
			struct fill_ctx f = { target_set_v4port(dst, port), 0 };
			if (f.vp)
				roaring_iterate(rb, fill_v4, &f);
			roaring_bitmap_free(rb);
			if (!f.vp || f.rc != 0)
				goto oom;
		} else {
			for (uint64_t j = 0; j < len / 16; j++)
				if (target_set_add(dst, 6, (const uint8_t *)buf + j * 16, port) < 0)
					goto oom;
		}
	}
	rc = 0;
	goto out;
truncated:
	snprintf(err, errlen, "%s: truncated target-set file", path);
	goto out;
oom:
	snprintf(err, errlen, "%s: out of memory", path);
out:
	free(buf);
	fclose(fp);
	if (rc != 0)
		for (size_t i = 0; i < n; i++) {
			target_set_free(sets[i]);
			sets[i] = NULL;
		}
	return rc;
}
