/* hasher.h — a SHA-256 digest fed by a helper thread (POSIX threads).
 *
 * The pread window of a plain classic pcap file (capture.c) is hashed for
 * manifest.json while the records it holds are dissected: the caller posts
 * the window's new bytes and goes on parsing; before it changes the window
 * again it waits for the helper to be done with them.  The bytes are fed in
 * the order posted, each once.  The helper thread blocks every signal.
 */
#ifndef MPCAP_HASHER_H
#define MPCAP_HASHER_H

#include <stddef.h>
#include <stdint.h>

#include "analyzer/base/sha256.h"

struct hasher;

/* A helper that feeds h (still the caller's).  NULL when no thread or memory. */
struct hasher *hasher_new(struct sha256 *h);
/* Waits until the bytes posted before are fed, then posts p[0..n): p must
 * stay unchanged until the next hasher_wait() or hasher_post(). */
void hasher_post(struct hasher *hs, const uint8_t *p, size_t n);
/* Waits until every byte posted is fed. */
void hasher_wait(struct hasher *hs);
/* Waits, stops the thread and frees (NULL is fine). */
void hasher_free(struct hasher *hs);

#endif
