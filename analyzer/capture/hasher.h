/* hasher.h — the SHA-256 of a regular file, computed by a helper thread
 * (POSIX threads) that reads the file itself with pread(2) (FIPS 180-4 through
 * sha256.h).
 *
 * The reader of a plain (uncompressed) capture file and the helper read the
 * same bytes, each at its own pace: the reader never waits for the hash and
 * the two threads never hand buffers over.  So that the page cache still
 * holds what the reader needs next when the file is larger than memory, the
 * helper stays at most HASHER_LEAD bytes ahead of the offset the reader last
 * reported (hasher_reader_at), until hasher_unleash or hasher_finish lift
 * that limit.  The helper thread blocks every signal.
 */
#ifndef MPCAP_HASHER_H
#define MPCAP_HASHER_H

#include <stddef.h>
#include <stdint.h>

#include "analyzer/base/sha256.h"

#define HASHER_LEAD (64u << 20)

struct hasher;

/* A helper that feeds h (still the caller's) with the bytes [from, to) of fd,
 * in file order.  fd stays the caller's and must stay open until
 * hasher_finish or hasher_free.  NULL when no thread or memory (the caller
 * then hashes the bytes itself). */
struct hasher *hasher_new(struct sha256 *h, int fd, uint64_t from, uint64_t to);
/* The reader has consumed the file up to offset pos (cheap: one store). */
void hasher_reader_at(struct hasher *hs, uint64_t pos);
/* The reader will report no more: the helper may read on to the end. */
void hasher_unleash(struct hasher *hs);
/* Waits until every byte of [from, to) is fed, or a read fails or ends early
 * (the file shrank), then stops the thread and frees.  Returns the offset up
 * to which h was fed. */
uint64_t hasher_finish(struct hasher *hs);
/* Stops the thread as soon as it can, without finishing, and frees (NULL is
 * fine).  What h holds afterwards is unspecified. */
void hasher_free(struct hasher *hs);

#endif
