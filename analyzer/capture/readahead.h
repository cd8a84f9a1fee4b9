/* readahead.h — a byte stream read ahead by a helper thread (POSIX threads).
 *
 * Decompressing a capture costs about as much as analysing it (zlib, liblzma,
 * libzstd, libbz2 run at 0.2–1.2 GB/s of output on the machines of
 * docs/performance.md).  A readahead runs the source — the decompressor — in
 * a helper thread that fills a ring of blocks while the caller parses the
 * blocks before, so that both overlap on two cores.  The caller sees exactly
 * the source's bytes, in order, then its end or its error with the same
 * text.  The helper thread blocks every signal, so signals still reach the
 * threads that handle them.  Use it only on sources that cannot block for
 * ever (a regular file, not a FIFO or a terminal): readahead_free() waits
 * for the source's read in progress to return.
 */
#ifndef MPCAP_READAHEAD_H
#define MPCAP_READAHEAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The source, like read(2): bytes stored (> 0), 0 at its end, or -1 with a
 * one-line reason in err.  Called from the helper thread only, once the
 * readahead exists. */
typedef ssize_t (*readahead_fn)(void *ctx, uint8_t *buf, size_t n, char *err, size_t errlen);

struct readahead;

/* Starts reading rd(ctx, ...) ahead, up to nblocks blocks of block bytes.
 * Returns 0, or -1 with a reason in err (out of memory, no thread). */
int readahead_new(readahead_fn rd, void *ctx, size_t block, unsigned nblocks, struct readahead **out,
                  char *err, size_t errlen);

/* Reads up to n bytes (short reads are normal): the number of bytes (> 0),
 * 0 at the source's end, or -1 with the source's error text in err.  The end
 * and errors are sticky. */
ssize_t readahead_read(struct readahead *ra, uint8_t *dst, size_t n, char *err, size_t errlen);

/* Stops the helper thread (after the source's read in progress) and frees. */
void readahead_free(struct readahead *ra);

#endif
