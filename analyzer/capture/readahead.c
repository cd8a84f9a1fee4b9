/* readahead.c — a byte stream read ahead by a helper thread (see readahead.h).
 *
 * A ring of nblocks blocks.  The helper fills the block at tail (outside the
 * lock: no one else touches a block that is not yet counted), then counts it;
 * the caller copies out of the block at head and gives it back once empty.
 * The source's end or error is recorded after the last block it produced, so
 * the caller meets it only once every byte before it has been delivered.
 */
#include "analyzer/capture/readahead.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ra_block {
	uint8_t *p;
	size_t len;
};

struct readahead {
	readahead_fn rd;
	void *ctx;
	size_t block;
	unsigned nblocks;
	struct ra_block *ring;

	pthread_mutex_t mu;
	pthread_cond_t filled; /* a block was counted, or the source ended */
	pthread_cond_t freed;  /* a block was given back, or stop was asked */
	unsigned head, count;  /* the caller's block; blocks filled and not given back */
	bool ended;            /* the source returned 0 or -1 (after the counted blocks) */
	bool failed;           /* ... and it was -1: err holds its reason */
	bool stop;             /* readahead_free() asks the helper to return */
	char err[320];
	pthread_t thread;

	size_t pos; /* bytes of ring[head] already copied out (the caller's alone) */
};

static void *helper(void *arg)
{
	struct readahead *ra = arg;
	unsigned tail = 0;
	for (;;) {
		pthread_mutex_lock(&ra->mu);
		while (ra->count == ra->nblocks && !ra->stop)
			pthread_cond_wait(&ra->freed, &ra->mu);
		bool stop = ra->stop;
		pthread_mutex_unlock(&ra->mu);
		if (stop)
			return NULL;
		/* fill a whole block unless the source ends first */
		struct ra_block *b = &ra->ring[tail];
		size_t len = 0;
		ssize_t k = 1;
		char err[sizeof ra->err] = "";
		while (len < ra->block) {
			k = ra->rd(ra->ctx, b->p + len, ra->block - len, err, sizeof err);
			if (k <= 0)
				break;
			len += (size_t)k;
		}
		pthread_mutex_lock(&ra->mu);
		b->len = len;
		if (len) {
			tail = (tail + 1) % ra->nblocks;
			ra->count++;
		}
		if (k <= 0) {
			ra->ended = true;
			ra->failed = k < 0;
			snprintf(ra->err, sizeof ra->err, "%s", k < 0 ? (err[0] ? err : "read error") : "");
		}
		pthread_cond_signal(&ra->filled);
		pthread_mutex_unlock(&ra->mu);
		if (k <= 0)
			return NULL;
	}
}

static void free_ring(struct readahead *ra)
{
	if (ra->ring)
		for (unsigned i = 0; i < ra->nblocks; i++)
			free(ra->ring[i].p);
	free(ra->ring);
}

int readahead_new(readahead_fn rd, void *ctx, size_t block, unsigned nblocks, struct readahead **out,
                  char *err, size_t errlen)
{
	*out = NULL;
	if (block == 0 || nblocks == 0) {
		snprintf(err, errlen, "readahead: empty ring");
		return -1;
	}
	struct readahead *ra = calloc(1, sizeof *ra);
	bool ok = ra && (ra->ring = calloc(nblocks, sizeof *ra->ring));
	for (unsigned i = 0; ok && i < nblocks; i++)
		ok = (ra->ring[i].p = malloc(block)) != NULL;
	if (!ok) {
		if (ra) {
			ra->nblocks = nblocks;
			free_ring(ra);
		}
		free(ra);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ra->rd = rd;
	ra->ctx = ctx;
	ra->block = block;
	ra->nblocks = nblocks;
	pthread_mutex_init(&ra->mu, NULL);
	pthread_cond_init(&ra->filled, NULL);
	pthread_cond_init(&ra->freed, NULL);
	/* the helper starts with every signal blocked (it inherits this mask) */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&ra->thread, NULL, helper, ra);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_mutex_destroy(&ra->mu);
		pthread_cond_destroy(&ra->filled);
		pthread_cond_destroy(&ra->freed);
		free_ring(ra);
		free(ra);
		snprintf(err, errlen, "readahead: no thread: %s", strerror(rc));
		return -1;
	}
	*out = ra;
	return 0;
}

ssize_t readahead_read(struct readahead *ra, uint8_t *dst, size_t n, char *err, size_t errlen)
{
	if (n == 0)
		return 0;
	pthread_mutex_lock(&ra->mu);
	while (ra->count == 0 && !ra->ended)
		pthread_cond_wait(&ra->filled, &ra->mu);
	if (ra->count == 0) {
		bool failed = ra->failed;
		if (failed)
			snprintf(err, errlen, "%s", ra->err);
		pthread_mutex_unlock(&ra->mu);
		return failed ? -1 : 0;
	}
	struct ra_block *b = &ra->ring[ra->head];
	pthread_mutex_unlock(&ra->mu);
	/* ring[head] is counted: the helper does not touch it until given back */
	size_t k = b->len - ra->pos;
	if (k > n)
		k = n;
	memcpy(dst, b->p + ra->pos, k);
	ra->pos += k;
	if (ra->pos == b->len) {
		ra->pos = 0;
		pthread_mutex_lock(&ra->mu);
		ra->head = (ra->head + 1) % ra->nblocks;
		ra->count--;
		pthread_cond_signal(&ra->freed);
		pthread_mutex_unlock(&ra->mu);
	}
	return (ssize_t)k;
}

void readahead_free(struct readahead *ra)
{
	if (!ra)
		return;
	pthread_mutex_lock(&ra->mu);
	ra->stop = true;
	pthread_cond_signal(&ra->freed);
	pthread_mutex_unlock(&ra->mu);
	pthread_join(ra->thread, NULL);
	pthread_mutex_destroy(&ra->mu);
	pthread_cond_destroy(&ra->filled);
	pthread_cond_destroy(&ra->freed);
	free_ring(ra);
	free(ra);
}
