/* decompress.h — streaming decompressors for compressed captures.
 *
 * Turns a byte source (a read callback) into the decompressed byte stream,
 * on the fly and without a temporary copy: gzip (RFC 1952, zlib; several
 * members in a row), xz (.xz file format 1.0.4, liblzma with
 * LZMA_CONCATENATED), zstd (RFC 8878, libzstd; several frames, skippable
 * frames) and bzip2 (libbz2; several streams in a row).  DECOMP_NONE passes the
 * bytes through unchanged so that callers have a single code path.
 */
#ifndef MPCAP_DECOMPRESS_H
#define MPCAP_DECOMPRESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum decomp_kind {
	DECOMP_NONE = 0,
	DECOMP_GZIP,
	DECOMP_XZ,
	DECOMP_ZSTD,
	DECOMP_BZIP2,
};

/* The underlying byte source, like read(2): returns the number of bytes
 * stored (> 0), 0 at end of input, or -1 with a one-line reason in err. */
typedef ssize_t (*decomp_read_fn)(void *ctx, uint8_t *buf, size_t n, char *err, size_t errlen);

/* Recognises a compressed stream by its first bytes (n may be short).
 * Returns DECOMP_NONE when none matches. */
enum decomp_kind decomp_detect(const uint8_t *p, size_t n);

/* "none", "gzip", "xz", "zstd" or "bzip2". */
const char *decomp_name(enum decomp_kind kind);

struct decomp;

/* What a decoder that sizes its buffers from the stream's header may
 * allocate, unless told otherwise: xz's dictionary (lzma_stream_decoder's
 * memlimit), zstd's window (ZSTD_d_windowLogMax: the largest power of two
 * within the limit).  gzip (32 KiB) and bzip2 (< 4 MiB) are bounded by
 * their formats.  A stream that needs more fails with "the stream needs N
 * MiB of memory to decode, more than the limit of L MiB" (xz) or zstd's
 * "Frame requires too much memory for decoding". */
#define DECOMP_DEFAULT_MEMLIMIT (UINT64_C(256) << 20)

/* Creates a decompressor pulling from rd(ctx, ...), with the default memory
 * limit.  Returns 0, or -1 with a reason in err (out of memory). */
int decomp_new(enum decomp_kind kind, decomp_read_fn rd, void *ctx, struct decomp **out, char *err,
               size_t errlen);
/* The same with a memory limit in bytes (0: the default). */
int decomp_new_limited(enum decomp_kind kind, decomp_read_fn rd, void *ctx, uint64_t memlimit,
                       struct decomp **out, char *err, size_t errlen);

/* Reads up to n decompressed bytes (short reads are normal).  Returns the
 * number of bytes (> 0), 0 at the clean end of the stream, or -1 when the
 * input is corrupt, truncated or unreadable; err then names the
 * decompressor and the decompressed byte offset reached, e.g. "gzip:
 * unexpected end of compressed data at decompressed byte offset 1234".
 * Errors are sticky: later calls return -1 with the same text. */
ssize_t decomp_read(struct decomp *d, uint8_t *dst, size_t n, char *err, size_t errlen);

/* Decompressed bytes delivered so far. */
uint64_t decomp_out_bytes(const struct decomp *d);

void decomp_free(struct decomp *d);

#endif
