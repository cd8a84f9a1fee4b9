/* decompress.c — streaming gzip / xz / zstd / bzip2 decompression (see decompress.h).
 *
 * Specifications: gzip RFC 1952 (DEFLATE RFC 1951) through zlib; the .xz
 * file format 1.0.4 through liblzma; Zstandard RFC 8878 through libzstd;
 * bzip2 through libbz2.  Every format may hold several members / streams /
 * frames back to back (what `cat a.gz b.gz` or pigz/pzstd/pbzip2 produce);
 * all are decoded in order.  Input that ends before the compressed stream
 * does, or corrupt input, is an error, never a silent end of file.  Each
 * codec is one row of a const table (codecs[]: name, magic bytes, open, read,
 * close); nothing else in this file depends on which codec it is.
 */
#include "analyzer/capture/decompress.h"

#include <bzlib.h>
#include <errno.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#define DECOMP_IN_SIZE (256u * 1024u)

struct decomp;

/* One codec: its name, the magic bytes that start its streams (and, for
 * bzip2, a block-size digit '1'..'9' right after them), and how a decoder
 * is opened (false: could not be; nothing to close then), read (bytes
 * produced; an error sets d->pending) and closed. */
struct codec {
	const char *name;
	uint8_t magic[6];
	uint8_t magic_len; /* 0: never detected (DECOMP_NONE) */
	bool level_digit;
	bool (*open)(struct decomp *d);
	size_t (*read)(struct decomp *d, uint8_t *dst, size_t n);
	void (*close)(struct decomp *d);
};

struct decomp {
	const struct codec *codec;
	decomp_read_fn rd;
	void *ctx;

	uint8_t *in;     /* input buffer (compressed bytes) */
	size_t in_len;   /* bytes valid in in[] */
	size_t in_pos;   /* next unread byte of in[] (pass-through and zstd) */
	bool in_eof;     /* the source reported end of input */
	bool done;       /* clean end of the decompressed stream */
	bool failed;     /* sticky error, text in msg */
	bool member_end; /* gzip/bzip2: the current member/stream has ended */
	bool lib_ready;  /* the library state below is initialised */
	uint64_t out_bytes;
	uint64_t memlimit; /* bytes the decoder may allocate (xz, zstd) */
	bool pending;      /* an error to report once the bytes before it are delivered */
	char what[160];
	char msg[256];

	z_stream z;
	lzma_stream x;
	ZSTD_DStream *zs;
	size_t zs_last; /* last ZSTD_decompressStream() result: 0 = frame complete */
	bz_stream bz;
};

/* Records an error (what went wrong; decomp_read() adds the decompressor's
 * name and the offset) and returns `produced`, the bytes decoded before it:
 * they are still delivered, the error is reported by the next call. */
static size_t fail(struct decomp *d, size_t produced, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static size_t fail(struct decomp *d, size_t produced, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->what, sizeof d->what, fmt, ap);
	va_end(ap);
	d->pending = true;
	return produced;
}

/* Refills in[] from the source when it is empty.  Returns 0 (data, or end
 * of input recorded in in_eof) or -1 (source error, recorded). */
static int refill(struct decomp *d)
{
	if (d->in_eof)
		return 0;
	char rerr[128] = "";
	ssize_t n = d->rd(d->ctx, d->in, DECOMP_IN_SIZE, rerr, sizeof rerr);
	if (n < 0) {
		fail(d, 0, "read error: %s", rerr[0] ? rerr : "unknown");
		return -1;
	}
	if (n == 0)
		d->in_eof = true;
	d->in_len = (size_t)n;
	d->in_pos = 0;
	return 0;
}

/* Each read_* returns the bytes produced; an error sets d->pending. */

static size_t read_none(struct decomp *d, uint8_t *dst, size_t n)
{
	if (d->in_pos < d->in_len) {
		size_t k = d->in_len - d->in_pos;
		if (k > n)
			k = n;
		memcpy(dst, d->in + d->in_pos, k);
		d->in_pos += k;
		return k;
	}
	if (d->in_eof)
		return 0;
	/* Large reads go straight to the caller's buffer. */
	char rerr[128] = "";
	ssize_t k = d->rd(d->ctx, dst, n, rerr, sizeof rerr);
	if (k < 0)
		return fail(d, 0, "%s", rerr[0] ? rerr : "read error");
	if (k == 0)
		d->in_eof = true;
	return (size_t)k;
}

static size_t read_gzip(struct decomp *d, uint8_t *dst, size_t n)
{
	z_stream *z = &d->z;
	z->next_out = dst;
	z->avail_out = n > UINT32_MAX ? UINT32_MAX : (uInt)n;
	const uInt want = z->avail_out;
	while (z->avail_out == want) {
		if (z->avail_in == 0 && !d->in_eof) {
			if (refill(d) < 0)
				return 0;
			z->next_in = d->in;
			z->avail_in = (uInt)d->in_len;
		}
		if (d->member_end) {
			if (z->avail_in == 0) {
				if (d->in_eof) {
					d->done = true;
					break;
				}
				continue;
			}
			if (z->next_in[0] != 0x1f)
				return fail(d, 0, "trailing garbage after the last member");
			inflateReset(z);
			d->member_end = false;
		}
		int ret = inflate(z, Z_NO_FLUSH);
		if (ret == Z_STREAM_END) {
			d->member_end = true;
		} else if (ret == Z_BUF_ERROR) {
			if (z->avail_in == 0 && d->in_eof)
				return fail(d, want - z->avail_out, "unexpected end of compressed data");
		} else if (ret != Z_OK) {
			return fail(d, want - z->avail_out, "%s",
			            z->msg ? z->msg : "corrupt compressed data");
		}
	}
	return want - z->avail_out;
}

static const char *lzma_text(lzma_ret ret)
{
	switch (ret) {
	case LZMA_MEM_ERROR:
		return "out of memory";
	case LZMA_MEMLIMIT_ERROR:
		return "memory limit";
	case LZMA_FORMAT_ERROR:
		return "file format not recognized";
	case LZMA_OPTIONS_ERROR:
		return "unsupported compression options";
	case LZMA_DATA_ERROR:
		return "compressed data is corrupt";
	case LZMA_BUF_ERROR:
		return "unexpected end of compressed data";
	default:
		return "internal error";
	}
}

static size_t read_xz(struct decomp *d, uint8_t *dst, size_t n)
{
	lzma_stream *x = &d->x;
	x->next_out = dst;
	x->avail_out = n;
	while (x->avail_out == n) {
		if (x->avail_in == 0 && !d->in_eof) {
			if (refill(d) < 0)
				return 0;
			x->next_in = d->in;
			x->avail_in = d->in_len;
		}
		lzma_ret ret = lzma_code(x, d->in_eof ? LZMA_FINISH : LZMA_RUN);
		if (ret == LZMA_STREAM_END) {
			d->done = true;
			break;
		}
		if (ret == LZMA_BUF_ERROR && !(x->avail_in == 0 && d->in_eof))
			continue;
		if (ret == LZMA_MEMLIMIT_ERROR)
			return fail(d, n - x->avail_out,
			            "the stream needs %llu MiB of memory to decode, more than the limit "
			            "of %llu MiB (--max-memory raises it)",
			            (unsigned long long)((lzma_memusage(x) + (1 << 20) - 1) >> 20),
			            (unsigned long long)(d->memlimit >> 20));
		if (ret != LZMA_OK)
			return fail(d, n - x->avail_out, "%s", lzma_text(ret));
	}
	return n - x->avail_out;
}

static size_t read_zstd(struct decomp *d, uint8_t *dst, size_t n)
{
	ZSTD_outBuffer out = { dst, n, 0 };
	while (out.pos == 0) {
		if (d->in_pos == d->in_len && !d->in_eof) {
			if (refill(d) < 0)
				return 0;
		}
		if (d->in_pos == d->in_len && d->in_eof) {
			/* Flush what the decoder still holds, then decide. */
			ZSTD_inBuffer none = { d->in, 0, 0 };
			size_t ret = ZSTD_decompressStream(d->zs, &out, &none);
			if (ZSTD_isError(ret))
				return fail(d, out.pos, "%s", ZSTD_getErrorName(ret));
			if (out.pos > 0) {
				d->zs_last = ret;
				break;
			}
			if (d->zs_last != 0)
				return fail(d, 0, "unexpected end of compressed data");
			d->done = true;
			break;
		}
		ZSTD_inBuffer in = { d->in, d->in_len, d->in_pos };
		size_t ret = ZSTD_decompressStream(d->zs, &out, &in);
		if (ZSTD_isError(ret))
			return fail(d, out.pos, "%s", ZSTD_getErrorName(ret));
		if (in.pos != d->in_pos || out.pos > 0)
			d->zs_last = ret; /* 0: a frame ended and everything was flushed */
		d->in_pos = in.pos;
	}
	return out.pos;
}

static const char *bz_text(int ret)
{
	switch (ret) {
	case BZ_DATA_ERROR:
		return "compressed data is corrupt (checksum or structure)";
	case BZ_DATA_ERROR_MAGIC:
		return "bad stream magic (trailing garbage?)";
	case BZ_MEM_ERROR:
		return "out of memory";
	default:
		return "internal error";
	}
}

static size_t read_bzip2(struct decomp *d, uint8_t *dst, size_t n)
{
	bz_stream *bz = &d->bz;
	bz->next_out = (char *)dst;
	bz->avail_out = n > UINT32_MAX ? UINT32_MAX : (unsigned)n;
	const unsigned want = bz->avail_out;
	while (bz->avail_out == want) {
		if (bz->avail_in == 0 && !d->in_eof) {
			if (refill(d) < 0)
				return 0;
			bz->next_in = (char *)d->in;
			bz->avail_in = (unsigned)d->in_len;
		}
		if (d->member_end) {
			if (bz->avail_in == 0) {
				if (d->in_eof) {
					d->done = true;
					break;
				}
				continue;
			}
			/* Another stream follows: restart the decoder on it. */
			char *next_in = bz->next_in, *next_out = bz->next_out;
			unsigned avail_in = bz->avail_in, avail_out = bz->avail_out;
			BZ2_bzDecompressEnd(bz);
			memset(bz, 0, sizeof *bz);
			int ret = BZ2_bzDecompressInit(bz, 0, 0);
			if (ret != BZ_OK) {
				d->lib_ready = false;
				return fail(d, 0, "%s", bz_text(ret));
			}
			bz->next_in = next_in;
			bz->avail_in = avail_in;
			bz->next_out = next_out;
			bz->avail_out = avail_out;
			d->member_end = false;
		}
		unsigned in_before = bz->avail_in;
		int ret = BZ2_bzDecompress(bz);
		if (ret == BZ_STREAM_END) {
			d->member_end = true;
		} else if (ret != BZ_OK) {
			return fail(d, want - bz->avail_out, "%s", bz_text(ret));
		} else if (bz->avail_in == 0 && d->in_eof && bz->avail_out == want && in_before == 0) {
			return fail(d, 0, "unexpected end of compressed data");
		}
	}
	return want - bz->avail_out;
}

/* ---- opening and closing each codec's decoder ---- */

static bool open_none(struct decomp *d)
{
	(void)d;
	return true;
}

static void close_none(struct decomp *d)
{
	(void)d;
}

static bool open_gzip(struct decomp *d)
{
	/* 15 + 16: a 32 KiB window, gzip wrapper only. */
	return inflateInit2(&d->z, 15 + 16) == Z_OK;
}

static void close_gzip(struct decomp *d)
{
	inflateEnd(&d->z);
}

static bool open_xz(struct decomp *d)
{
	lzma_stream init = LZMA_STREAM_INIT;
	d->x = init;
	return lzma_stream_decoder(&d->x, d->memlimit, LZMA_CONCATENATED) == LZMA_OK;
}

static void close_xz(struct decomp *d)
{
	lzma_end(&d->x);
}

/* the largest window (a power of two) within the memory limit */
static int zstd_window_log(const struct decomp *d)
{
	ZSTD_bounds b = ZSTD_dParam_getBounds(ZSTD_d_windowLogMax);
	int lg = b.lowerBound;
	while (lg < b.upperBound && (UINT64_C(1) << (lg + 1)) <= d->memlimit)
		lg++;
	return lg;
}

static bool open_zstd(struct decomp *d)
{
	d->zs = ZSTD_createDStream();
	d->zs_last = 1;
	if (d->zs != NULL && !ZSTD_isError(ZSTD_initDStream(d->zs)) &&
	    !ZSTD_isError(ZSTD_DCtx_setParameter(d->zs, ZSTD_d_windowLogMax, zstd_window_log(d))))
		return true;
	ZSTD_freeDStream(d->zs); /* accepts NULL */
	d->zs = NULL;
	return false;
}

static void close_zstd(struct decomp *d)
{
	ZSTD_freeDStream(d->zs);
}

static bool open_bzip2(struct decomp *d)
{
	return BZ2_bzDecompressInit(&d->bz, 0, 0) == BZ_OK;
}

static void close_bzip2(struct decomp *d)
{
	BZ2_bzDecompressEnd(&d->bz);
}

/* The codecs, by enum decomp_kind, in the order decomp_detect() tries them.
 * Magic bytes: gzip ID1 ID2 and CM = 8 (deflate), RFC 1952 §2.3.1; xz "\xFD7zXZ\0",
 * .xz file format §2.1.1.1; zstd 0xFD2FB528 little-endian, RFC 8878 §3.1.1;
 * bzip2 "BZh" and the block size '1'..'9'. */
static const struct codec codecs[] = {
	[DECOMP_NONE] = { "none", { 0 }, 0, false, open_none, read_none, close_none },
	[DECOMP_GZIP] = { "gzip", { 0x1f, 0x8b, 0x08 }, 3, false, open_gzip, read_gzip, close_gzip },
	[DECOMP_XZ] = { "xz", { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 }, 6, false, open_xz, read_xz, close_xz },
	[DECOMP_ZSTD] = { "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4, false, open_zstd, read_zstd, close_zstd },
	[DECOMP_BZIP2] = { "bzip2", { 'B', 'Z', 'h' }, 3, true, open_bzip2, read_bzip2, close_bzip2 },
};

#define NCODECS (sizeof codecs / sizeof codecs[0])

enum decomp_kind decomp_detect(const uint8_t *p, size_t n)
{
	for (size_t k = 0; k < NCODECS; k++) {
		const struct codec *c = &codecs[k];
		if (c->magic_len == 0 || n < (size_t)c->magic_len + c->level_digit ||
		    memcmp(p, c->magic, c->magic_len) != 0)
			continue;
		if (c->level_digit && (p[c->magic_len] < '1' || p[c->magic_len] > '9'))
			continue;
		return (enum decomp_kind)k;
	}
	return DECOMP_NONE;
}

const char *decomp_name(enum decomp_kind kind)
{
	return (size_t)kind < NCODECS ? codecs[kind].name : "none";
}

int decomp_new(enum decomp_kind kind, decomp_read_fn rd, void *ctx, struct decomp **out, char *err,
               size_t errlen)
{
	return decomp_new_limited(kind, rd, ctx, 0, out, err, errlen);
}

int decomp_new_limited(enum decomp_kind kind, decomp_read_fn rd, void *ctx, uint64_t memlimit,
                       struct decomp **out, char *err, size_t errlen)
{
	*out = NULL;
	if ((size_t)kind >= NCODECS) {
		snprintf(err, errlen, "unknown decompressor %d", (int)kind);
		return -1;
	}
	struct decomp *d = calloc(1, sizeof *d);
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	d->codec = &codecs[kind];
	d->memlimit = memlimit ? memlimit : DECOMP_DEFAULT_MEMLIMIT;
	d->rd = rd;
	d->ctx = ctx;
	d->in = malloc(DECOMP_IN_SIZE);
	if (!d->in) {
		free(d);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!d->codec->open(d)) {
		decomp_free(d);
		snprintf(err, errlen, "%s: cannot initialise the decompressor", decomp_name(kind));
		return -1;
	}
	d->lib_ready = true;
	*out = d;
	return 0;
}

ssize_t decomp_read(struct decomp *d, uint8_t *dst, size_t n, char *err, size_t errlen)
{
	if (d->failed) {
		snprintf(err, errlen, "%s", d->msg);
		return -1;
	}
	if (d->done || n == 0)
		return 0;
	size_t r = d->codec->read(d, dst, n);
	d->out_bytes += r;
	if (d->pending) {
		d->pending = false;
		d->failed = true;
		if (d->codec == &codecs[DECOMP_NONE]) /* the source's own message */
			snprintf(d->msg, sizeof d->msg, "%s", d->what);
		else
			snprintf(d->msg, sizeof d->msg, "%s: %s at decompressed byte offset %llu",
			         d->codec->name, d->what, (unsigned long long)d->out_bytes);
		if (r == 0) {
			snprintf(err, errlen, "%s", d->msg);
			return -1;
		}
	}
	return (ssize_t)r;
}

uint64_t decomp_out_bytes(const struct decomp *d)
{
	return d->out_bytes;
}

void decomp_free(struct decomp *d)
{
	if (!d)
		return;
	if (d->lib_ready)
		d->codec->close(d);
	free(d->in);
	free(d);
}
