/* decompress.c — streaming gzip / xz / zstd / bzip2 decompression (see decompress.h).
 *
 * Specifications: gzip RFC 1952 (DEFLATE RFC 1951) through zlib; the .xz
 * file format 1.0.4 through liblzma; Zstandard RFC 8878 through libzstd;
 * bzip2 through libbz2.  Every format may hold several members / streams /
 * frames back to back (what `cat a.gz b.gz` or pigz/pzstd/pbzip2 produce);
 * all are decoded in order.  Input that ends before the compressed stream
 * does, or corrupt input, is an error, never a silent end of file.
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

struct decomp {
	enum decomp_kind kind;
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
	bool pending; /* an error to report once the bytes before it are delivered */
	char what[160];
	char msg[256];

	z_stream z;
	lzma_stream x;
	ZSTD_DStream *zs;
	size_t zs_last; /* last ZSTD_decompressStream() result: 0 = frame complete */
	bz_stream bz;
};

enum decomp_kind decomp_detect(const uint8_t *p, size_t n)
{
	static const uint8_t xz_magic[6] = { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 };
	if (n >= 3 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 0x08)
		return DECOMP_GZIP;
	if (n >= 6 && memcmp(p, xz_magic, 6) == 0)
		return DECOMP_XZ;
	if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
		return DECOMP_ZSTD;
	if (n >= 4 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h' && p[3] >= '1' && p[3] <= '9')
		return DECOMP_BZIP2;
	return DECOMP_NONE;
}

const char *decomp_name(enum decomp_kind kind)
{
	switch (kind) {
	case DECOMP_GZIP:
		return "gzip";
	case DECOMP_XZ:
		return "xz";
	case DECOMP_ZSTD:
		return "zstd";
	case DECOMP_BZIP2:
		return "bzip2";
	case DECOMP_NONE:
		break;
	}
	return "none";
}

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

int decomp_new(enum decomp_kind kind, decomp_read_fn rd, void *ctx, struct decomp **out, char *err,
               size_t errlen)
{
	*out = NULL;
	struct decomp *d = calloc(1, sizeof *d);
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	d->kind = kind;
	d->rd = rd;
	d->ctx = ctx;
	d->in = malloc(DECOMP_IN_SIZE);
	if (!d->in) {
		free(d);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int ok = 1;
	switch (kind) {
	case DECOMP_NONE:
		break;
	case DECOMP_GZIP:
		/* 15 + 16: a 32 KiB window, gzip wrapper only. */
		ok = inflateInit2(&d->z, 15 + 16) == Z_OK;
		break;
	case DECOMP_XZ: {
		lzma_stream init = LZMA_STREAM_INIT;
		d->x = init;
		ok = lzma_stream_decoder(&d->x, UINT64_MAX, LZMA_CONCATENATED) == LZMA_OK;
		break;
	}
	case DECOMP_ZSTD:
		d->zs = ZSTD_createDStream();
		ok = d->zs != NULL && !ZSTD_isError(ZSTD_initDStream(d->zs));
		d->zs_last = 1;
		break;
	case DECOMP_BZIP2:
		ok = BZ2_bzDecompressInit(&d->bz, 0, 0) == BZ_OK;
		break;
	}
	if (!ok) {
		d->lib_ready = kind == DECOMP_ZSTD && d->zs != NULL;
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
	size_t r = 0;
	switch (d->kind) {
	case DECOMP_NONE:
		r = read_none(d, dst, n);
		break;
	case DECOMP_GZIP:
		r = read_gzip(d, dst, n);
		break;
	case DECOMP_XZ:
		r = read_xz(d, dst, n);
		break;
	case DECOMP_ZSTD:
		r = read_zstd(d, dst, n);
		break;
	case DECOMP_BZIP2:
		r = read_bzip2(d, dst, n);
		break;
	}
	d->out_bytes += r;
	if (d->pending) {
		d->pending = false;
		d->failed = true;
		if (d->kind == DECOMP_NONE)
			snprintf(d->msg, sizeof d->msg, "%s", d->what);
		else
			snprintf(d->msg, sizeof d->msg, "%s: %s at decompressed byte offset %llu",
			         decomp_name(d->kind), d->what, (unsigned long long)d->out_bytes);
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
	if (d->lib_ready) {
		switch (d->kind) {
		case DECOMP_NONE:
			break;
		case DECOMP_GZIP:
			inflateEnd(&d->z);
			break;
		case DECOMP_XZ:
			lzma_end(&d->x);
			break;
		case DECOMP_ZSTD:
			ZSTD_freeDStream(d->zs);
			break;
		case DECOMP_BZIP2:
			BZ2_bzDecompressEnd(&d->bz);
			break;
		}
	}
	free(d->in);
	free(d);
}
