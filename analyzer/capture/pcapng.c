/* pcapng.c — our own pcapng block reader (see pcapng.h).
 *
 * Specification: draft-ietf-opsawg-pcapng (PCAP Now Generic), sections 3-4:
 * Section Header Block (either byte order; a new section resets the
 * interface table), Interface Description Block (link type, snap length,
 * options if_tsresol = 9 in both the 10^-n and 2^-n forms and if_tsoffset =
 * 14), Enhanced Packet Block, Simple Packet Block, and the obsolete Packet
 * Block (appendix A); Name Resolution, Interface Statistics, Decryption
 * Secrets, custom and unknown blocks are skipped.
 *
 * Why not libpcap: libpcap 1.10 reads pcapng but refuses a file whose
 * interfaces have different link types.  Verified with libpcap 1.10.3 on a
 * file with two IDBs (LINKTYPE_ETHERNET, then LINKTYPE_RAW): pcap_open
 * succeeds, then pcap_next_ex() returns PCAP_ERROR with
 *   "an interface has a type 101 different from the type of the first interface"
 * (tests/unit/test_capture.c checks this still holds).
 *
 * Every field is read through the bounds-checked getters of bytes.h.  The
 * stream is read in large chunks into one buffer that only grows (no
 * per-packet allocation); records point into it.
 */
#include "analyzer/capture/pcapng.h"

#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/base/bytes.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 1u
#define BT_PB 2u /* obsolete Packet Block */
#define BT_SPB 3u
#define BT_EPB 6u
#define BOM 0x1A2B3C4Du

#define BLOCK_MAX (64u * 1024u * 1024u) /* sanity cap on one block */
#define CHUNK (256u * 1024u)            /* initial buffer and read size */

#define OPT_ENDOFOPT 0
#define OPT_IF_TSRESOL 9
#define OPT_IF_TSOFFSET 14

struct iface {
	int dlt;
	uint32_t snaplen;  /* 0 = no limit */
	bool pow2;         /* if_tsresol: units are 2^-exp seconds, else 10^-exp */
	uint8_t exp;       /* 10^-exp (exp <= 19) or 2^-exp */
	uint64_t per_sec;  /* 10^exp when !pow2 */
	int64_t ts_offset; /* if_tsoffset, seconds */
};

struct pcapng_reader {
	pcapng_read_fn rd;
	void *ctx;
	uint8_t *buf;
	size_t cap, start, end; /* unread bytes are buf[start, end) */
	bool eof;
	uint64_t offset; /* stream offset of buf[start] */
	bool big;        /* current section is big-endian */
	struct iface *ifs;
	size_t n_ifs, cap_ifs;
	bool damaged;
	char msg[384];
};

/* ---- LINKTYPE_ -> DLT_ ------------------------------------------------------
 * Most LINKTYPE_ values equal their DLT_ values.  These are the ones that
 * differ on some platform; the table mirrors linktype_to_dlt() in libpcap's
 * pcap-common.c (1.10), and the unit tests compare it with libpcap itself.
 */
static const struct {
	int linktype, dlt;
} lt_map[] = {
	{ 50, DLT_PPP_SERIAL },   /* LINKTYPE_PPP_HDLC */
	{ 51, DLT_PPP_ETHER },    /* LINKTYPE_PPP_ETHER */
	{ 100, DLT_ATM_RFC1483 }, /* LINKTYPE_ATM_RFC1483 */
	{ 101, DLT_RAW },         /* LINKTYPE_RAW */
	{ 102, DLT_SLIP_BSDOS },  /* LINKTYPE_SLIP_BSDOS */
	{ 103, DLT_PPP_BSDOS },   /* LINKTYPE_PPP_BSDOS */
#ifdef DLT_PFSYNC
	{ 246, DLT_PFSYNC }, /* LINKTYPE_PFSYNC */
#endif
#ifdef DLT_PKTAP
	{ 258, DLT_PKTAP }, /* LINKTYPE_PKTAP */
#endif
};

int pcapng_linktype_to_dlt(int linktype)
{
	for (size_t i = 0; i < sizeof lt_map / sizeof lt_map[0]; i++)
		if (lt_map[i].linktype == linktype)
			return lt_map[i].dlt;
	return linktype;
}

/* ---- helpers ----------------------------------------------------------------- */

static int damaged(struct pcapng_reader *r, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int damaged(struct pcapng_reader *r, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof r->msg, fmt, ap);
	va_end(ap);
	r->damaged = true;
	snprintf(err, errlen, "%s", r->msg);
	return CAPTURE_DAMAGED;
}

static bool g16(const struct pcapng_reader *r, const struct byte_view *v, size_t off, uint16_t *out)
{
	return r->big ? bv_u16(v, off, out) : bv_u16le(v, off, out);
}

static bool g32(const struct pcapng_reader *r, const struct byte_view *v, size_t off, uint32_t *out)
{
	return r->big ? bv_u32(v, off, out) : bv_u32le(v, off, out);
}

static bool g64(const struct pcapng_reader *r, const struct byte_view *v, size_t off, uint64_t *out)
{
	uint32_t a, b;
	if (!g32(r, v, off, &a) || !g32(r, v, off + 4, &b))
		return false;
	*out = r->big ? ((uint64_t)a << 32 | b) : ((uint64_t)b << 32 | a);
	return true;
}

/* Makes at least `need` unread bytes available.  Returns 0 when they are,
 * 1 at end of input (fewer are available), -1 on a source error (ioerr). */
static int fill(struct pcapng_reader *r, size_t need, char *ioerr, size_t ioerrlen)
{
	if (r->end - r->start >= need)
		return 0;
	if (r->cap - r->start < need) {
		/* Move the unread bytes to the front, growing the buffer if needed. */
		size_t have = r->end - r->start;
		if (r->start > 0) {
			memmove(r->buf, r->buf + r->start, have);
			r->start = 0;
			r->end = have;
		}
		if (r->cap < need) {
			size_t ncap = r->cap;
			while (ncap < need)
				ncap *= 2;
			uint8_t *nb = realloc(r->buf, ncap);
			if (!nb) {
				snprintf(ioerr, ioerrlen, "out of memory for a %zu-byte block", need);
				return -1;
			}
			r->buf = nb;
			r->cap = ncap;
		}
	}
	while (r->end - r->start < need) {
		if (r->eof)
			return 1;
		ssize_t n = r->rd(r->ctx, r->buf + r->end, r->cap - r->end, ioerr, ioerrlen);
		if (n < 0)
			return -1;
		if (n == 0)
			r->eof = true;
		r->end += (size_t)n;
	}
	return 0;
}

/* Converts a timestamp in interface units into seconds + nanoseconds. */
static void ts_convert(const struct iface *ifc, uint64_t ts, int64_t *sec, uint32_t *nsec)
{
	uint64_t s, ns;
	if (!ifc->pow2) {
		s = ts / ifc->per_sec;
		uint64_t frac = ts % ifc->per_sec;
		if (ifc->exp <= 9) {
			uint64_t mul = 1;
			for (unsigned i = ifc->exp; i < 9; i++)
				mul *= 10;
			ns = frac * mul;
		} else {
			uint64_t div = 1;
			for (unsigned i = 9; i < ifc->exp; i++)
				div *= 10;
			ns = frac / div;
		}
	} else {
		unsigned k = ifc->exp;
		uint64_t frac;
		if (k >= 64) {
			s = 0;
			frac = ts;
		} else {
			s = ts >> k;
			frac = k ? ts & ((UINT64_C(1) << k) - 1) : 0;
		}
		if (k <= 32) {
			ns = k ? (frac * 1000000000u) >> k : 0; /* frac < 2^32: no overflow */
		} else {
			/* floor(frac * 1e9 / 2^k) without a 128-bit product. */
			uint64_t a = frac >> 32, b = frac & 0xffffffffu;
			uint64_t t = a * 1000000000u + ((b * 1000000000u) >> 32);
			ns = k - 32 >= 64 ? 0 : t >> (k - 32);
		}
	}
	*sec = (int64_t)(s + (uint64_t)ifc->ts_offset);
	*nsec = (uint32_t)ns;
}

/* Reads one whole block into buf[start, start+len).  On success returns
 * CAPTURE_OK with its type and length and the block view; CAPTURE_EOF at a
 * clean end; CAPTURE_DAMAGED otherwise. */
static int read_block(struct pcapng_reader *r, uint32_t *type, struct byte_view *blk, char *err,
                      size_t errlen)
{
	char ioerr[256] = "";
	uint64_t off = r->offset;
	int f = fill(r, 8, ioerr, sizeof ioerr);
	if (f < 0)
		return damaged(r, err, errlen, "%s (while reading the block at byte offset %llu)", ioerr,
		               (unsigned long long)off);
	if (f > 0) {
		if (r->end == r->start)
			return CAPTURE_EOF;
		return damaged(r, err, errlen, "truncated block header at byte offset %llu (%zu of 8 bytes)",
		               (unsigned long long)off, r->end - r->start);
	}
	struct byte_view hv = bv_make(r->buf + r->start, r->end - r->start);
	uint32_t t, len;
	if (!bv_u32le(&hv, 0, &t))
		return damaged(r, err, errlen, "internal error at byte offset %llu", (unsigned long long)off);
	if (t == BT_SHB) {
		/* The byte order is given by the magic that follows the length. */
		f = fill(r, 12, ioerr, sizeof ioerr);
		if (f < 0)
			return damaged(r, err, errlen, "%s (while reading the block at byte offset %llu)",
			               ioerr, (unsigned long long)off);
		if (f > 0)
			return damaged(r, err, errlen,
			               "truncated section header block at byte offset %llu (%zu of 12 bytes)",
			               (unsigned long long)off, r->end - r->start);
		hv = bv_make(r->buf + r->start, r->end - r->start);
		uint32_t bom;
		if (!bv_u32le(&hv, 8, &bom))
			return damaged(r, err, errlen, "internal error at byte offset %llu",
			               (unsigned long long)off);
		if (bom == BOM)
			r->big = false;
		else if (bom == 0x4D3C2B1Au)
			r->big = true;
		else
			return damaged(
			    r, err, errlen,
			    "section header block at byte offset %llu has a bad byte-order magic 0x%08x",
			    (unsigned long long)off, bom);
	}
	if (!g32(r, &hv, 0, &t) || !g32(r, &hv, 4, &len))
		return damaged(r, err, errlen, "internal error at byte offset %llu", (unsigned long long)off);
	if (len < 12 || (t == BT_SHB && len < 28))
		return damaged(r, err, errlen,
		               "block at byte offset %llu has a total length of %u (too small)",
		               (unsigned long long)off, len);
	if (len % 4 != 0)
		return damaged(r, err, errlen,
		               "block at byte offset %llu has a total length of %u (not a multiple of 4)",
		               (unsigned long long)off, len);
	if (len > BLOCK_MAX)
		return damaged(
		    r, err, errlen,
		    "block at byte offset %llu has a total length of %u (more than the %u-byte limit)",
		    (unsigned long long)off, len, BLOCK_MAX);
	f = fill(r, len, ioerr, sizeof ioerr);
	if (f < 0)
		return damaged(r, err, errlen, "%s (while reading the block at byte offset %llu)", ioerr,
		               (unsigned long long)off);
	if (f > 0)
		return damaged(
		    r, err, errlen,
		    "truncated block at byte offset %llu (block length %u, only %zu bytes present)",
		    (unsigned long long)off, len, r->end - r->start);
	struct byte_view bv = bv_make(r->buf + r->start, len);
	uint32_t trailer;
	if (!g32(r, &bv, len - 4, &trailer))
		return damaged(r, err, errlen, "internal error at byte offset %llu", (unsigned long long)off);
	if (trailer != len)
		return damaged(
		    r, err, errlen,
		    "block at byte offset %llu: trailing length %u does not match the leading length %u",
		    (unsigned long long)off, trailer, len);
	r->start += len;
	r->offset += len;
	*type = t;
	*blk = bv;
	return CAPTURE_OK;
}

static int do_shb(struct pcapng_reader *r, const struct byte_view *body, uint64_t off, char *err,
                  size_t errlen)
{
	uint16_t major, minor;
	if (!g16(r, body, 4, &major) || !g16(r, body, 6, &minor))
		return damaged(r, err, errlen, "section header block at byte offset %llu is too short",
		               (unsigned long long)off);
	if (major != 1)
		return damaged(r, err, errlen,
		               "section header block at byte offset %llu: unsupported version %u.%u",
		               (unsigned long long)off, major, minor);
	r->n_ifs = 0;
	return CAPTURE_OK;
}

static int do_idb(struct pcapng_reader *r, const struct byte_view *body, uint64_t off, char *err,
                  size_t errlen)
{
	uint16_t lt;
	uint32_t snaplen;
	if (!g16(r, body, 0, &lt) || !g32(r, body, 4, &snaplen))
		return damaged(r, err, errlen, "interface description block at byte offset %llu is too short",
		               (unsigned long long)off);
	struct iface ifc = {
		.dlt = pcapng_linktype_to_dlt(lt), .snaplen = snaplen, .exp = 6, .per_sec = 1000000
	};
	size_t o = 8;
	while (bv_has(body, o, 4)) {
		uint16_t code, olen;
		if (!g16(r, body, o, &code) || !g16(r, body, o + 2, &olen))
			break;
		if (code == OPT_ENDOFOPT)
			break;
		if (!bv_has(body, o + 4, olen))
			return damaged(
			    r, err, errlen,
			    "interface description block at byte offset %llu: option %u overruns the block",
			    (unsigned long long)off, code);
		if (code == OPT_IF_TSRESOL && olen >= 1) {
			uint8_t v = 0;
			(void)bv_u8(body, o + 4, &v);
			ifc.pow2 = (v & 0x80) != 0;
			ifc.exp = v & 0x7f;
			if (!ifc.pow2) {
				if (ifc.exp > 19)
					return damaged(r, err, errlen,
					               "interface description block at byte offset %llu: "
					               "unsupported if_tsresol 10^-%u",
					               (unsigned long long)off, ifc.exp);
				ifc.per_sec = 1;
				for (unsigned i = 0; i < ifc.exp; i++)
					ifc.per_sec *= 10;
			}
		} else if (code == OPT_IF_TSOFFSET && olen >= 8) {
			uint64_t v = 0;
			(void)g64(r, body, o + 4, &v);
			ifc.ts_offset = (int64_t)v;
		}
		o += 4 + (((size_t)olen + 3) & ~(size_t)3);
	}
	if (r->n_ifs == r->cap_ifs) {
		size_t ncap = r->cap_ifs ? r->cap_ifs * 2 : 4;
		struct iface *n = realloc(r->ifs, ncap * sizeof *n);
		if (!n)
			return damaged(r, err, errlen, "out of memory at byte offset %llu",
			               (unsigned long long)off);
		r->ifs = n;
		r->cap_ifs = ncap;
	}
	r->ifs[r->n_ifs++] = ifc;
	return CAPTURE_OK;
}

static int unknown_iface(struct pcapng_reader *r, uint32_t id, uint64_t off, char *err, size_t errlen)
{
	return damaged(r, err, errlen,
	               "packet block at byte offset %llu names interface %u, but the section has %zu",
	               (unsigned long long)off, id, r->n_ifs);
}

static int too_long(struct pcapng_reader *r, uint32_t caplen, size_t room, uint64_t off, char *err,
                    size_t errlen)
{
	return damaged(
	    r, err, errlen,
	    "packet block at byte offset %llu: captured length %u is larger than the block (%zu bytes)",
	    (unsigned long long)off, caplen, room);
}

int pcapng_next(struct pcapng_reader *r, struct capture_record *rec, char *err, size_t errlen)
{
	if (r->damaged) {
		snprintf(err, errlen, "%s", r->msg);
		return CAPTURE_DAMAGED;
	}
	for (;;) {
		uint64_t off = r->offset;
		uint32_t type;
		struct byte_view blk, body;
		int st = read_block(r, &type, &blk, err, errlen);
		if (st != CAPTURE_OK)
			return st;
		(void)bv_sub(&blk, 8, blk.len - 12, &body);
		uint32_t id = 0, hi = 0, lo = 0, caplen = 0, wirelen = 0;
		size_t hdr;
		switch (type) {
		case BT_SHB:
			st = do_shb(r, &body, off, err, errlen);
			if (st != CAPTURE_OK)
				return st;
			continue;
		case BT_IDB:
			st = do_idb(r, &body, off, err, errlen);
			if (st != CAPTURE_OK)
				return st;
			continue;
		case BT_EPB:
			hdr = 20;
			if (!g32(r, &body, 0, &id) || !g32(r, &body, 4, &hi) || !g32(r, &body, 8, &lo) ||
			    !g32(r, &body, 12, &caplen) || !g32(r, &body, 16, &wirelen))
				return damaged(r, err, errlen,
				               "enhanced packet block at byte offset %llu is too short",
				               (unsigned long long)off);
			break;
		case BT_PB: {
			uint16_t id16;
			hdr = 20;
			if (!g16(r, &body, 0, &id16) || !g32(r, &body, 4, &hi) || !g32(r, &body, 8, &lo) ||
			    !g32(r, &body, 12, &caplen) || !g32(r, &body, 16, &wirelen))
				return damaged(r, err, errlen,
				               "packet block at byte offset %llu is too short",
				               (unsigned long long)off);
			id = id16;
			break;
		}
		case BT_SPB:
			hdr = 4;
			if (!g32(r, &body, 0, &wirelen))
				return damaged(r, err, errlen,
				               "simple packet block at byte offset %llu is too short",
				               (unsigned long long)off);
			if (r->n_ifs == 0)
				return unknown_iface(r, 0, off, err, errlen);
			caplen = wirelen;
			if (caplen > body.len - hdr)
				caplen = (uint32_t)(body.len - hdr);
			if (r->ifs[0].snaplen != 0 && caplen > r->ifs[0].snaplen)
				caplen = r->ifs[0].snaplen;
			break;
		default:
			continue; /* NRB, ISB, DSB, custom, unknown: skipped */
		}
		if (id >= r->n_ifs)
			return unknown_iface(r, id, off, err, errlen);
		struct byte_view data;
		if (!bv_sub(&body, hdr, caplen, &data))
			return too_long(r, caplen, body.len - hdr, off, err, errlen);
		const struct iface *ifc = &r->ifs[id];
		rec->linktype = ifc->dlt;
		if (type == BT_SPB) {
			rec->ts_sec = 0;
			rec->ts_nsec = 0;
		} else {
			ts_convert(ifc, (uint64_t)hi << 32 | lo, &rec->ts_sec, &rec->ts_nsec);
		}
		rec->caplen = caplen;
		rec->wirelen = wirelen;
		rec->data = data.data;
		rec->offset = off;
		return CAPTURE_OK;
	}
}

int pcapng_open(pcapng_read_fn rd, void *ctx, struct pcapng_reader **out, char *err, size_t errlen)
{
	*out = NULL;
	struct pcapng_reader *r = calloc(1, sizeof *r);
	if (!r || !(r->buf = malloc(CHUNK))) {
		free(r);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->rd = rd;
	r->ctx = ctx;
	r->cap = CHUNK;
	uint32_t type = 0;
	struct byte_view blk, body;
	int st = read_block(r, &type, &blk, err, errlen);
	if (st == CAPTURE_EOF || (st == CAPTURE_OK && type != BT_SHB)) {
		snprintf(err, errlen, "pcapng file does not start with a section header block");
		st = CAPTURE_DAMAGED;
	}
	if (st == CAPTURE_OK) {
		(void)bv_sub(&blk, 8, blk.len - 12, &body);
		st = do_shb(r, &body, 0, err, errlen);
	}
	if (st != CAPTURE_OK) {
		pcapng_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

void pcapng_free(struct pcapng_reader *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r->ifs);
	free(r);
}
