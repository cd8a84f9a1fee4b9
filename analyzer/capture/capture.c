/* capture.c — opening and reading capture files of any origin (see capture.h).
 *
 * Layers, bottom up:
 *   1. the file (fopen()ed path, or stdin for "-"), counted for progress, with
 *      the first bytes peeked and replayed (stdin cannot seek);
 *   2. decompress.c: gzip / xz / zstd / bzip2 recognised by magic bytes and
 *      decoded on the fly (or passed through); a compressed regular file is
 *      decoded ahead in a helper thread (readahead.c), so that decompression
 *      and analysis overlap;
 *   3. a second peek of the decompressed bytes recognises the capture format:
 *      classic pcap (tcpdump.org "libpcap file format", draft-ietf-opsawg-pcap;
 *      magic a1b2c3d4 / a1b23c4d in either byte order), read by libpcap; or
 *      pcapng (draft-ietf-opsawg-pcapng), read by pcapng.c.
 * libpcap opens every classic pcap file (it checks the file header: magic,
 * version, link type, snapshot length); a regular uncompressed file is read
 * through a plain FILE* with a 1 MiB buffer, anything else through a glibc
 * fopencookie() FILE* on top of layers 1-3.
 *
 * Fast path: the records of a regular, uncompressed classic pcap file of the
 * current format version (2.4) are read straight from a 256 KiB window filled
 * with pread(2), without the two fread() calls and the copy libpcap makes per
 * record.  (A memory-mapped window was measured slower on the machines of
 * docs/performance.md: page faults, and records still cold in cache; a window
 * that fits in L2 is parsed from cache.)  Every record header is read through
 * the bounds-checked getters of bytes.h; the first record that is not
 * plainly valid (captured length above the snapshot length, a record running
 * past the end of the file as it was when opened, a read error) hands the
 * rest of the file back to libpcap, positioned on that record, so that damage
 * is reported with libpcap's own words and offsets.
 *
 * The same parser reads a version 2.4 classic pcap that arrives as a stream
 * (compressed, or standard input): the window is filled from layer 3 (the
 * readahead's blocks, or the decompressor) instead of pread.  libpcap still
 * opens the file (through an unbuffered fopencookie() FILE, so that it takes
 * just the 24 header bytes), and the first record that is not plainly valid
 * (captured length above the snapshot length, the stream ending or failing
 * inside the record) hands the stream back to libpcap: the bytes of the
 * window from that record on are replayed to it before the rest of the
 * stream, so that damage is reported as before.
 */
#include "analyzer/capture/capture.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/base/bytes.h"
#include "analyzer/base/sha256.h"
#include "analyzer/capture/decompress.h"
#include "analyzer/capture/hasher.h"
#include "analyzer/capture/pcapng.h"
#include "analyzer/capture/readahead.h"

#define IOBUF_SIZE (1u << 20)
#define PCAP_FILE_HDR 24u
#define PCAP_REC_HDR 16u
#define RAW_PEEK 6u              /* enough for every compression magic */
#define FORMAT_PEEK 24u          /* a classic pcap file header */
#define FAST_WINDOW (256u << 10) /* the pread window (fits in L2) */
#define FAST_PREFETCH 2048u      /* prefetch this far ahead of the record being read */
#define READAHEAD_BLOCK (256u << 10)
#define READAHEAD_BLOCKS 4u /* decompressed bytes read ahead: 1 MiB */

enum fmt { FMT_PCAP, FMT_PCAP_NS, FMT_PCAPNG };

struct capture {
	/* layer 1: the file */
	FILE *raw;
	bool raw_is_stdin;
	char *raw_iobuf;
	int64_t file_size;
	bool regular;
	uint64_t raw_consumed;
	uint8_t raw_peek[RAW_PEEK];
	size_t raw_peek_len, raw_peek_pos;
	/* SHA-256 of the file's bytes, fed once each, in file order, by whichever
	 * reader first gets them (see capture_sha256); NULL: not asked for */
	struct sha256 *hash;
	uint64_t hashed;       /* bytes fed so far: the file offset hashing has reached */
	struct hasher *hasher; /* hashes a plain regular file on a helper thread, or NULL */
	int hash_fd;           /* the file the hasher reads */

	/* layer 2 */
	enum decomp_kind comp;
	struct decomp *dec;
	struct readahead *ra; /* dec read ahead by a helper thread, or NULL */

	/* layer 3 */
	uint8_t peek[FORMAT_PEEK];
	size_t peek_len, peek_pos;
	uint64_t stream_pos; /* decompressed bytes handed to the format reader */
	bool stream_failed;
	char stream_err[320];

	enum fmt fmt;
	bool damaged;
	char damage[512];

	/* classic pcap through libpcap */
	pcap_t *pcap;
	FILE *pcap_fp; /* owned by pcap once pcap is open */
	bool direct;   /* pcap_fp is raw itself (regular uncompressed file) */
	char *cookie_iobuf;
	int dlt;
	uint32_t snaplen;
	uint64_t next_offset;

	/* classic pcap from a pread window (the fast path; see the top of this file) */
	bool fast;      /* records come from the window */
	bool sfast;     /* ... filled from the stream (layer 3), not pread */
	bool replaying; /* after sfast: win[replay, win_len) is read again before the stream */
	size_t replay;
	bool fast_le;   /* little-endian fields (read with the _le getters) */
	bool fast_usec; /* microsecond time stamps (scaled to nanoseconds) */
	int fast_fd;    /* pcap_fp's descriptor */
	uint8_t *win;
	size_t wincap;
	size_t win_len;
	uint64_t win_off;   /* file offset of win[0] */
	uint64_t fast_size; /* file size when opened */

	/* pcapng */
	struct pcapng_reader *ng;
	uint64_t memlimit; /* the decompressor's (0: its default) */
};

/* ---- layer 1: the file ------------------------------------------------------- */

static ssize_t raw_read(void *ctx, uint8_t *buf, size_t n, char *err, size_t errlen)
{
	struct capture *c = ctx;
	if (c->raw_peek_pos < c->raw_peek_len) {
		size_t k = c->raw_peek_len - c->raw_peek_pos;
		if (k > n)
			k = n;
		memcpy(buf, c->raw_peek + c->raw_peek_pos, k);
		c->raw_peek_pos += k;
		return (ssize_t)k;
	}
	size_t k = fread(buf, 1, n, c->raw);
	if (k == 0 && ferror(c->raw)) {
		snprintf(err, errlen, "%s", strerror(errno ? errno : EIO));
		return -1;
	}
	if (c->hasher) {
		hasher_reader_at(c->hasher, c->raw_consumed + k);
	} else if (c->hash) { /* on the readahead's thread when there is one */
		sha256_update(c->hash, buf, k);
		c->hashed += k;
	}
	/* the readahead's thread counts, the caller's progress reads */
	__atomic_store_n(&c->raw_consumed, c->raw_consumed + k, __ATOMIC_RELAXED);
	return (ssize_t)k;
}

static ssize_t dec_read(void *ctx, uint8_t *buf, size_t n, char *err, size_t errlen)
{
	return decomp_read(ctx, buf, n, err, errlen);
}

/* ---- layer 3: the decompressed stream, with the format peek replayed -------- */

static ssize_t stream_read(void *ctx, uint8_t *buf, size_t n, char *err, size_t errlen)
{
	struct capture *c = ctx;
	ssize_t k;
	if (c->replaying && c->replay < c->win_len) { /* handed back by the stream fast path */
		size_t m = c->win_len - c->replay;
		if (m > n)
			m = n;
		memcpy(buf, c->win + c->replay, m);
		c->replay += m;
		k = (ssize_t)m;
	} else if (c->peek_pos < c->peek_len) {
		size_t m = c->peek_len - c->peek_pos;
		if (m > n)
			m = n;
		memcpy(buf, c->peek + c->peek_pos, m);
		c->peek_pos += m;
		k = (ssize_t)m;
	} else {
		k = c->ra ? readahead_read(c->ra, buf, n, err, errlen)
		          : decomp_read(c->dec, buf, n, err, errlen);
		if (k < 0) {
			c->stream_failed = true;
			snprintf(c->stream_err, sizeof c->stream_err, "%s", err);
			return -1;
		}
	}
	c->stream_pos += (uint64_t)k;
	return k;
}

/* fopencookie read: fills as much as it can; an error is reported only when
 * nothing could be read, so that bytes before the damage reach libpcap. */
static ssize_t cookie_read(void *cookie, char *buf, size_t size)
{
	struct capture *c = cookie;
	size_t got = 0;
	char err[320];
	while (got < size) {
		ssize_t k = stream_read(c, (uint8_t *)buf + got, size - got, err, sizeof err);
		if (k < 0) {
			if (got > 0)
				break;
			errno = EIO;
			return -1;
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

/* Only "where am I" is supported, so that ftello() works on the cookie FILE. */
static int cookie_seek(void *cookie, off64_t *offset, int whence)
{
	struct capture *c = cookie;
	if (whence == SEEK_CUR && *offset == 0) {
		*offset = (off64_t)c->stream_pos;
		return 0;
	}
	errno = ESPIPE;
	return -1;
}

/* ---- open -------------------------------------------------------------------- */

static size_t read_upto(struct capture *c, uint8_t *dst, size_t n,
                        ssize_t (*rd)(void *, uint8_t *, size_t, char *, size_t), char *err, size_t errlen,
                        bool *failed)
{
	size_t got = 0;
	*failed = false;
	while (got < n) {
		ssize_t k = rd(c, dst + got, n - got, err, errlen);
		if (k < 0) {
			*failed = true;
			break;
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return got;
}

static void format_magic(char *out, size_t outlen, const uint8_t *p)
{
	snprintf(out, outlen, "starts with %02x %02x %02x %02x", p[0], p[1], p[2], p[3]);
}

/* Opens layers 1 and 2 and peeks the capture magic.  Returns 0 or -1. */
static int open_stream(struct capture *c, const char *path, char *err, size_t errlen)
{
	if (strcmp(path, "-") == 0) {
		c->raw = stdin;
		c->raw_is_stdin = true;
	} else {
		c->raw = fopen(path, "rb");
		if (!c->raw) {
			snprintf(err, errlen, "%s", strerror(errno));
			return -1;
		}
		c->raw_iobuf = malloc(IOBUF_SIZE);
		if (c->raw_iobuf)
			setvbuf(c->raw, c->raw_iobuf, _IOFBF, IOBUF_SIZE);
	}
	struct stat st;
	c->file_size = -1;
	if (fstat(fileno(c->raw), &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s", strerror(EISDIR));
			return -1;
		}
		if (S_ISREG(st.st_mode)) {
			c->regular = true;
			c->file_size = (int64_t)st.st_size;
		}
	}

	char rerr[256] = "";
	bool failed;
	c->raw_peek_len = 0;
	while (c->raw_peek_len < RAW_PEEK) {
		size_t k = fread(c->raw_peek + c->raw_peek_len, 1, RAW_PEEK - c->raw_peek_len, c->raw);
		if (k == 0) {
			if (ferror(c->raw)) {
				snprintf(err, errlen, "%s", strerror(errno ? errno : EIO));
				return -1;
			}
			break;
		}
		c->raw_peek_len += k;
	}
	c->raw_consumed = c->raw_peek_len;
	if (c->hash) {
		sha256_update(c->hash, c->raw_peek, c->raw_peek_len);
		c->hashed = c->raw_peek_len;
	}
	if (c->raw_peek_len == 0) {
		snprintf(err, errlen, "empty file");
		return -1;
	}
	c->comp = decomp_detect(c->raw_peek, c->raw_peek_len);
	/* a plain regular file is hashed by a helper reading it beside the reader */
	if (c->hash && c->comp == DECOMP_NONE && c->regular && !c->raw_is_stdin &&
	    c->file_size > (int64_t)c->raw_peek_len) {
		c->hash_fd = fileno(c->raw);
		c->hasher = hasher_new(c->hash, c->hash_fd, c->raw_peek_len, (uint64_t)c->file_size);
	}
	if (decomp_new_limited(c->comp, raw_read, c, c->memlimit, &c->dec, err, errlen) < 0)
		return -1;
	/* only where a read always returns: a regular file (not stdin, a FIFO) */
	if (c->comp != DECOMP_NONE && c->regular &&
	    readahead_new(dec_read, c->dec, READAHEAD_BLOCK, READAHEAD_BLOCKS, &c->ra, rerr, sizeof rerr) !=
	        0)
		c->ra = NULL; /* decompressed in this thread instead */

	c->peek_len = read_upto(c, c->peek, FORMAT_PEEK, stream_read, rerr, sizeof rerr, &failed);
	c->stream_pos = 0;
	c->peek_pos = 0;
	const char *cname = decomp_name(c->comp);
	if (failed) {
		if (c->comp == DECOMP_NONE)
			snprintf(err, errlen, "%s", rerr);
		else
			snprintf(err, errlen, "%s stream contains no capture (%s)", cname, rerr);
		return -1;
	}
	const uint8_t *p = c->peek;
	uint32_t magic =
	    c->peek_len >= 4 ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
	bool known = true;
	switch (magic) {
	case 0xa1b2c3d4u:
	case 0xd4c3b2a1u:
		c->fmt = FMT_PCAP;
		break;
	case 0xa1b23c4du:
	case 0x4d3cb2a1u:
		c->fmt = FMT_PCAP_NS;
		break;
	case 0x0a0d0d0au:
		c->fmt = FMT_PCAPNG;
		break;
	default:
		known = false;
	}
	const char *plural = c->peek_len == 1 ? "" : "s";
	char what[64];
	if (c->peek_len >= 4 && !known) {
		format_magic(what, sizeof what, p);
		if (c->comp == DECOMP_NONE)
			snprintf(err, errlen, "not a capture file (%s)", what);
		else
			snprintf(err, errlen, "%s stream contains no capture (%s)", cname, what);
		return -1;
	}
	if (c->peek_len < 4 || c->peek_len < FORMAT_PEEK) {
		/* A classic pcap file header is 24 bytes, a pcapng section header at least 28. */
		if (c->comp == DECOMP_NONE)
			snprintf(err, errlen, "too short to be a capture (%zu byte%s)", c->peek_len, plural);
		else if (c->peek_len == 0)
			snprintf(err, errlen, "%s stream contains no capture (it decompresses to nothing)",
			         cname);
		else
			snprintf(err, errlen, "%s stream contains no capture (only %zu byte%s)", cname,
			         c->peek_len, plural);
		return -1;
	}
	return 0;
}

/* ---- classic pcap from a pread window ---------------------------------------- */

/* Whether the peeked file header is a classic pcap of version 2.4 (older
 * versions may have swapped length fields, which libpcap sorts out); sets
 * the fields' byte order and time stamp unit for the window parser. */
static bool fast_format(struct capture *c)
{
	struct byte_view h = bv_make(c->peek, c->peek_len);
	uint32_t magic;
	uint16_t major, minor;
	if (!bv_u32(&h, 0, &magic))
		return false;
	/* d4 c3 b2 a1 / 4d 3c b2 a1: written by a little-endian host */
	bool le = magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u;
	bool ok = le ? bv_u16le(&h, 4, &major) && bv_u16le(&h, 6, &minor)
	             : bv_u16(&h, 4, &major) && bv_u16(&h, 6, &minor);
	if (!ok || major != 2 || minor != 4)
		return false;
	c->fast_usec = c->fmt == FMT_PCAP;
	c->fast_le = le;
	return true;
}

/* Chooses the pread fast path for a regular file libpcap has accepted. */
static void fast_setup(struct capture *c)
{
	if (!fast_format(c) || c->file_size < (int64_t)PCAP_FILE_HDR)
		return;
	c->fast_fd = fileno(c->pcap_fp);
	c->fast_size = (uint64_t)c->file_size;
	c->fast = c->fast_fd >= 0;
	if (c->fast)
		(void)posix_fadvise(c->fast_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
}

static void fast_end(struct capture *c)
{
	free(c->win);
	c->win = NULL;
	c->win_len = 0;
}

/* Makes [off, off + n) of the file available in the window (pread).
 * Returns false when it cannot (the caller falls back to libpcap). */
static bool fast_window(struct capture *c, uint64_t off, size_t n)
{
	if (c->win && off >= c->win_off && off + n <= c->win_off + c->win_len)
		return true;
	if (n > c->wincap || !c->win) {
		size_t cap = n > FAST_WINDOW ? n : FAST_WINDOW;
		uint8_t *nb = realloc(c->win, cap);
		if (!nb)
			return false;
		if (!c->win)
			c->win_len = 0;
		c->win = nb;
		c->wincap = cap;
	}
	size_t keep = 0;
	if (c->win_len && off >= c->win_off && off < c->win_off + c->win_len) {
		keep = (size_t)(c->win_off + c->win_len - off);
		memmove(c->win, c->win + (off - c->win_off), keep);
	}
	size_t want = c->wincap - keep;
	if (want > c->fast_size - off - keep)
		want = (size_t)(c->fast_size - off - keep);
	size_t got = keep;
	while (got < keep + want) {
		ssize_t k = pread(c->fast_fd, c->win + got, keep + want - got, (off_t)(off + got));
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	c->win_off = off;
	c->win_len = got;
	if (c->hasher) {
		hasher_reader_at(c->hasher, off + got);
	} else if (c->hash && off <= c->hashed && off + got > c->hashed) {
		/* no helper: the bytes past those hashed, as they arrive */
		sha256_update(c->hash, c->win + (c->hashed - off), (size_t)(off + got - c->hashed));
		c->hashed = off + got;
	}
	return got >= n;
}

/* Hands the rest of the file to libpcap, positioned on the next record. */
static void fast_fallback(struct capture *c)
{
	fast_end(c);
	if (c->hasher)
		hasher_unleash(c->hasher); /* libpcap reads on without reporting */
	c->fast = false;
	if (fseeko(c->pcap_fp, (off_t)c->next_offset, SEEK_SET) != 0)
		clearerr(c->pcap_fp);
}

static inline uint32_t fast_u32(const struct capture *c, const struct byte_view *v, size_t off)
{
	uint32_t x = 0;
	if (c->fast_le)
		(void)bv_u32le(v, off, &x);
	else
		(void)bv_u32(v, off, &x);
	return x;
}

/* Fills rec from the record (header and data) in d, at offset off. */
static void fast_record(const struct capture *c, const struct byte_view *d, uint64_t off, uint32_t caplen,
                        struct capture_record *rec)
{
	uint32_t sec = fast_u32(c, d, 0), frac = fast_u32(c, d, 4);
	rec->linktype = c->dlt;
	/* libpcap hands tv_sec back as a signed 32-bit value on 64-bit hosts too */
	rec->ts_sec = (int64_t)(int32_t)sec;
	rec->ts_nsec = c->fast_usec ? frac * 1000u : frac;
	rec->caplen = caplen;
	rec->wirelen = fast_u32(c, d, 12);
	rec->data = d->data + PCAP_REC_HDR;
	rec->offset = off;
}

/* Returns CAPTURE_OK, or -1 when libpcap must take over from this record. */
static int next_fast(struct capture *c, struct capture_record *rec)
{
	uint64_t off = c->next_offset;
	if (off + PCAP_REC_HDR > c->fast_size || !fast_window(c, off, PCAP_REC_HDR))
		return -1;
	struct byte_view w = bv_make(c->win, c->win_len);
	size_t at = (size_t)(off - c->win_off);
	struct byte_view h;
	if (!bv_sub(&w, at, PCAP_REC_HDR, &h))
		return -1;
	uint32_t caplen = fast_u32(c, &h, 8);
	if (caplen > c->snaplen || off + PCAP_REC_HDR + caplen > c->fast_size)
		return -1;
	if (!fast_window(c, off, PCAP_REC_HDR + (size_t)caplen))
		return -1;
	w = bv_make(c->win, c->win_len);
	at = (size_t)(off - c->win_off);
	struct byte_view d;
	if (!bv_sub(&w, at, PCAP_REC_HDR + (size_t)caplen, &d))
		return -1;
	fast_record(c, &d, off, caplen, rec);
	/* the records ahead, while this one is dissected */
	if (at + FAST_PREFETCH < c->win_len)
		__builtin_prefetch(c->win + at + FAST_PREFETCH);
	c->next_offset = off + PCAP_REC_HDR + caplen;
	return CAPTURE_OK;
}

/* The stream fast path: makes [off, off + n) of the decompressed stream
 * available in the window, reading on from layer 3.  Returns false at the
 * stream's end or error before that (the caller hands over to libpcap). */
static bool stream_window(struct capture *c, uint64_t off, size_t n)
{
	if (off + n <= c->win_off + c->win_len)
		return true;
	size_t keep = (size_t)(c->win_off + c->win_len - off); /* off is in the window or at its end */
	if (n > c->wincap || !c->win) {
		size_t cap = n > FAST_WINDOW ? n : FAST_WINDOW;
		uint8_t *nb = realloc(c->win, cap);
		if (!nb)
			return false;
		c->win = nb;
		c->wincap = cap;
	}
	memmove(c->win, c->win + (off - c->win_off), keep);
	c->win_off = off;
	c->win_len = keep;
	char err[320];
	while (c->win_len < n) {
		ssize_t k = stream_read(c, c->win + c->win_len, c->wincap - c->win_len, err, sizeof err);
		if (k <= 0)
			return false;
		c->win_len += (size_t)k;
	}
	return true;
}

/* Hands the stream to libpcap, positioned on the next record: the window's
 * bytes from there on are replayed to it first. */
static void stream_fallback(struct capture *c)
{
	c->sfast = false;
	c->replaying = true;
	c->replay = (size_t)(c->next_offset - c->win_off);
	c->stream_pos -= c->win_len - c->replay; /* handed out again by the replay */
}

/* Returns CAPTURE_OK, or -1 when libpcap must take over from this record. */
static int next_stream(struct capture *c, struct capture_record *rec)
{
	uint64_t off = c->next_offset;
	if (!stream_window(c, off, PCAP_REC_HDR))
		return -1;
	struct byte_view w = bv_make(c->win, c->win_len);
	struct byte_view h;
	if (!bv_sub(&w, (size_t)(off - c->win_off), PCAP_REC_HDR, &h))
		return -1;
	uint32_t caplen = fast_u32(c, &h, 8);
	if (caplen > c->snaplen || !stream_window(c, off, PCAP_REC_HDR + (size_t)caplen))
		return -1;
	w = bv_make(c->win, c->win_len);
	struct byte_view d;
	if (!bv_sub(&w, (size_t)(off - c->win_off), PCAP_REC_HDR + (size_t)caplen, &d))
		return -1;
	fast_record(c, &d, off, caplen, rec);
	c->next_offset = off + PCAP_REC_HDR + caplen;
	return CAPTURE_OK;
}

static int open_pcap(struct capture *c, char *err, size_t errlen)
{
	if (c->comp == DECOMP_NONE && c->regular && !c->raw_is_stdin && fseeko(c->raw, 0, SEEK_SET) == 0) {
		c->direct = true;
		c->pcap_fp = c->raw;
	} else {
		cookie_io_functions_t io = { .read = cookie_read, .seek = cookie_seek };
		c->pcap_fp = fopencookie(c, "r", io);
		if (!c->pcap_fp) {
			snprintf(err, errlen, "%s", strerror(errno));
			return -1;
		}
		/* the stream fast path: libpcap reads only the file header, unbuffered */
		c->sfast = fast_format(c);
		if (c->sfast) {
			setvbuf(c->pcap_fp, NULL, _IONBF, 0);
		} else {
			c->cookie_iobuf = malloc(IOBUF_SIZE);
			if (c->cookie_iobuf)
				setvbuf(c->pcap_fp, c->cookie_iobuf, _IOFBF, IOBUF_SIZE);
		}
	}
	char perr[PCAP_ERRBUF_SIZE] = "";
	c->pcap = pcap_fopen_offline_with_tstamp_precision(c->pcap_fp, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!c->pcap) {
		if (c->stream_failed)
			snprintf(err, errlen, "%s", c->stream_err);
		else
			snprintf(err, errlen, "%s", perr);
		if (!c->direct)
			fclose(c->pcap_fp);
		c->pcap_fp = NULL;
		c->sfast = false;
		return -1;
	}
	if (c->direct)
		c->raw = NULL; /* now owned by libpcap */
	c->dlt = pcap_datalink(c->pcap);
	c->snaplen = (uint32_t)pcap_snapshot(c->pcap);
	c->next_offset = PCAP_FILE_HDR;
	c->win_off = PCAP_FILE_HDR; /* the stream fast path's window starts after the header */
	if (c->direct) {
		fast_setup(c);
		if (!c->fast && c->hasher)
			hasher_unleash(c->hasher); /* libpcap reads it all, without reporting */
	}
	return 0;
}

int capture_open(const char *path, struct capture **out, char *err, size_t errlen)
{
	return capture_open_ex(path, 0, false, out, err, errlen);
}

int capture_open_ex(const char *path, uint64_t memlimit, bool hash, struct capture **out, char *err,
                    size_t errlen)
{
	*out = NULL;
	struct capture *c = calloc(1, sizeof *c);
	if (!c || (hash && !(c->hash = sha256_new()))) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->memlimit = memlimit;
	int rc = open_stream(c, path, err, errlen);
	if (rc == 0) {
		if (c->fmt == FMT_PCAPNG)
			rc = pcapng_open(stream_read, c, &c->ng, err, errlen);
		else
			rc = open_pcap(c, err, errlen);
	}
	if (rc < 0) {
		capture_close(c);
		return -1;
	}
	*out = c;
	return 0;
}

/* ---- reading ----------------------------------------------------------------- */

static int set_damaged(struct capture *c, char *err, size_t errlen)
{
	c->damaged = true;
	snprintf(err, errlen, "%s", c->damage);
	return CAPTURE_DAMAGED;
}

static int next_pcap(struct capture *c, struct capture_record *rec, char *err, size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *d;
	int r = pcap_next_ex(c->pcap, &h, &d);
	if (r == 1) {
		rec->linktype = c->dlt;
		rec->ts_sec = (int64_t)h->ts.tv_sec;
		rec->ts_nsec =
		    (uint32_t)h->ts.tv_usec; /* nanoseconds: opened with PCAP_TSTAMP_PRECISION_NANO */
		rec->caplen = h->caplen;
		rec->wirelen = h->len;
		rec->data = d;
		rec->offset = c->next_offset;
		if (h->caplen >= c->snaplen) {
			/* libpcap cuts records longer than the file's snaplen and skips
			 * the rest: ask the FILE where the record really ended. */
			off_t pos = ftello(c->pcap_fp);
			c->next_offset = pos >= 0 ? (uint64_t)pos : c->next_offset + PCAP_REC_HDR + h->caplen;
		} else {
			c->next_offset += PCAP_REC_HDR + h->caplen;
		}
		return CAPTURE_OK;
	}
	if (r == PCAP_ERROR_BREAK && !c->stream_failed)
		return CAPTURE_EOF;
	unsigned long long off = (unsigned long long)c->next_offset;
	if (c->stream_failed) {
		snprintf(c->damage, sizeof c->damage, "%s (while reading the record at byte offset %llu)",
		         c->stream_err, off);
	} else {
		const char *perr = pcap_geterr(c->pcap);
		bool trunc = strncmp(perr, "truncated", 9) == 0;
		snprintf(c->damage, sizeof c->damage, "%s record at byte offset %llu: %s",
		         trunc ? "truncated" : "damaged", off, perr);
	}
	return set_damaged(c, err, errlen);
}

int capture_next(struct capture *c, struct capture_record *rec, char *err, size_t errlen)
{
	if (c->damaged) {
		snprintf(err, errlen, "%s", c->damage);
		return CAPTURE_DAMAGED;
	}
	if (c->fmt == FMT_PCAPNG) {
		int st = pcapng_next(c->ng, rec, err, errlen);
		if (st == CAPTURE_DAMAGED) {
			snprintf(c->damage, sizeof c->damage, "%s", err);
			c->damaged = true;
		}
		return st;
	}
	if (c->fast) {
		if (next_fast(c, rec) == CAPTURE_OK)
			return CAPTURE_OK;
		fast_fallback(c);
	} else if (c->sfast) {
		if (next_stream(c, rec) == CAPTURE_OK)
			return CAPTURE_OK;
		stream_fallback(c);
	}
	return next_pcap(c, rec, err, errlen);
}

const char *capture_format(const struct capture *c)
{
	switch (c->fmt) {
	case FMT_PCAP:
		return "pcap";
	case FMT_PCAP_NS:
		return "pcap-ns";
	case FMT_PCAPNG:
		break;
	}
	return "pcapng";
}

const char *capture_compression(const struct capture *c)
{
	return decomp_name(c->comp);
}

uint64_t capture_bytes_consumed(const struct capture *c)
{
	if (c->direct)
		return c->next_offset;
	return __atomic_load_n(&c->raw_consumed, __ATOMIC_RELAXED);
}

int64_t capture_file_size(const struct capture *c)
{
	return c->file_size;
}

int capture_sha256(struct capture *c, char out[SHA256_HEX], uint64_t *size, char *err, size_t errlen)
{
	if (!c->hash) {
		snprintf(err, errlen, "not hashed");
		return -1;
	}
	/* the helper threads stop first: they feed the digest */
	readahead_free(c->ra);
	c->ra = NULL;
	bool by_fd = c->direct;
	int fd = c->direct ? fileno(c->pcap_fp) : -1;
	if (c->hasher) {
		c->hashed = hasher_finish(c->hasher);
		c->hasher = NULL;
		by_fd = true;
		fd = c->hash_fd;
	}
	enum { BUF = 1 << 16 };
	uint8_t *buf = malloc(BUF);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = 0;
	if (by_fd) {
		/* the bytes neither the helper nor the window hashed: past the file's
		 * size when opened (it grew), those libpcap read itself (an older
		 * format version, the records after damage), those no reader reached */
		ssize_t k;
		while ((k = pread(fd, buf, BUF, (off_t)c->hashed)) > 0) {
			sha256_update(c->hash, buf, (size_t)k);
			c->hashed += (uint64_t)k;
		}
		if (k < 0) {
			snprintf(err, errlen, "%s", strerror(errno));
			rc = -1;
		}
	} else if (c->raw) {
		/* the rest of the stream, past where the reader stopped (damage, an
		 * early end, bytes after the last compressed frame) */
		size_t k;
		while ((k = fread(buf, 1, BUF, c->raw)) > 0) {
			sha256_update(c->hash, buf, k);
			c->hashed += k;
		}
		if (ferror(c->raw)) {
			snprintf(err, errlen, "%s", strerror(errno ? errno : EIO));
			rc = -1;
		}
	}
	free(buf);
	if (rc == 0) {
		sha256_hex(c->hash, out);
		*size = c->hashed;
	}
	sha256_free(c->hash);
	c->hash = NULL;
	return rc;
}

void capture_close(struct capture *c)
{
	if (!c)
		return;
	hasher_free(c->hasher); /* before the file it reads is closed */
	c->hasher = NULL;
	fast_end(c);
	if (c->pcap)
		pcap_close(c->pcap); /* closes pcap_fp (and raw when direct) */
	pcapng_free(c->ng);
	readahead_free(c->ra); /* before what its thread reads */
	decomp_free(c->dec);
	if (c->raw && !c->raw_is_stdin)
		fclose(c->raw);
	free(c->cookie_iobuf);
	free(c->raw_iobuf);
	sha256_free(c->hash);
	free(c);
}
