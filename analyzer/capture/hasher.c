/* hasher.c — the SHA-256 of a file's bytes on a helper thread that reads them
 * with pread(2) (FIPS 180-4 through sha256.h); see hasher.h.
 *
 * Issue #17 measured the previous design, which hashed the reader's own
 * 256 KiB window: one hand-over per window (a condition variable each way)
 * cost 25 000 futex calls and 5 000 context switches on a 1 GB capture,
 * 0.1 s of system time and 0.2 s of wall time on the CI VM.  Reading the
 * file a second time from the page cache costs one copy instead, on the
 * helper's core, and the only synchronisation left is the helper sleeping
 * now and then when it is HASHER_LEAD ahead of the reader.
 */
#include "analyzer/capture/hasher.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define HASHER_BLOCK (256u << 10) /* one pread: fits in L2 with the digest's state */
#define HASHER_NAP_NS 4000000L    /* a throttled helper checks the reader every 4 ms */

struct hasher {
	struct sha256 *h;
	int fd;
	uint64_t from, to;
	uint64_t reached;   /* written by the helper, read after the join */
	uint64_t reader_at; /* atomic: the reader's offset */
	int unleashed;      /* atomic: no limit any more */
	int quit;           /* atomic: stop now */
	pthread_t thread;
};

/* May the helper read on from pos?  Sleeps while it is too far ahead: until
 * it is only half the lead ahead, so that it wakes rarely. */
static bool wait_for_reader(struct hasher *hs, uint64_t pos)
{
	bool throttled = false;
	for (;;) {
		if (__atomic_load_n(&hs->quit, __ATOMIC_ACQUIRE))
			return false;
		if (__atomic_load_n(&hs->unleashed, __ATOMIC_ACQUIRE))
			return true;
		uint64_t r = __atomic_load_n(&hs->reader_at, __ATOMIC_RELAXED);
		uint64_t lead = throttled ? HASHER_LEAD / 2 : HASHER_LEAD;
		if (pos < r + lead)
			return true;
		throttled = true;
		struct timespec nap = { 0, HASHER_NAP_NS };
		nanosleep(&nap, NULL);
	}
}

static void *helper(void *arg)
{
	struct hasher *hs = arg;
	uint8_t *buf = malloc(HASHER_BLOCK);
	uint64_t pos = hs->from;
	while (buf && pos < hs->to && wait_for_reader(hs, pos)) {
		size_t want = hs->to - pos < HASHER_BLOCK ? (size_t)(hs->to - pos) : HASHER_BLOCK;
		ssize_t k = pread(hs->fd, buf, want, (off_t)pos);
		if (k <= 0)
			break; /* an error, or the file shrank: the caller reads on from pos */
		sha256_update(hs->h, buf, (size_t)k);
		pos += (uint64_t)k;
	}
	free(buf);
	hs->reached = pos;
	return NULL;
}

struct hasher *hasher_new(struct sha256 *h, int fd, uint64_t from, uint64_t to)
{
	struct hasher *hs = calloc(1, sizeof *hs);
	if (!hs)
		return NULL;
	hs->h = h;
	hs->fd = fd;
	hs->from = from;
	hs->to = to > from ? to : from;
	hs->reader_at = from;
	/* the helper starts with every signal blocked (it inherits this mask) */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&hs->thread, NULL, helper, hs);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		free(hs);
		return NULL;
	}
	return hs;
}

void hasher_reader_at(struct hasher *hs, uint64_t pos)
{
	__atomic_store_n(&hs->reader_at, pos, __ATOMIC_RELAXED);
}

void hasher_unleash(struct hasher *hs)
{
	__atomic_store_n(&hs->unleashed, 1, __ATOMIC_RELEASE);
}

uint64_t hasher_finish(struct hasher *hs)
{
	hasher_unleash(hs);
	pthread_join(hs->thread, NULL);
	uint64_t reached = hs->reached;
	free(hs);
	return reached;
}

void hasher_free(struct hasher *hs)
{
	if (!hs)
		return;
	__atomic_store_n(&hs->quit, 1, __ATOMIC_RELEASE);
	pthread_join(hs->thread, NULL);
	free(hs);
}
