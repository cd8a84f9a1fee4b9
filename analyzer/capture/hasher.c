/* hasher.c — a SHA-256 digest fed by a helper thread (POSIX threads); see
 * hasher.h.  One range in flight at a time: post waits for the previous. */
#include "analyzer/capture/hasher.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>

struct hasher {
	struct sha256 *h;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t posted, done;
	const uint8_t *p; /* the range in flight, or NULL */
	size_t n;
	bool quit;
};

static void *helper(void *arg)
{
	struct hasher *hs = arg;
	pthread_mutex_lock(&hs->mu);
	for (;;) {
		while (!hs->p && !hs->quit)
			pthread_cond_wait(&hs->posted, &hs->mu);
		if (!hs->p)
			break; /* quit, nothing in flight */
		const uint8_t *p = hs->p;
		size_t n = hs->n;
		pthread_mutex_unlock(&hs->mu);
		sha256_update(hs->h, p, n);
		pthread_mutex_lock(&hs->mu);
		hs->p = NULL;
		pthread_cond_signal(&hs->done);
	}
	pthread_mutex_unlock(&hs->mu);
	return NULL;
}

struct hasher *hasher_new(struct sha256 *h)
{
	struct hasher *hs = calloc(1, sizeof *hs);
	if (!hs)
		return NULL;
	hs->h = h;
	pthread_mutex_init(&hs->mu, NULL);
	pthread_cond_init(&hs->posted, NULL);
	pthread_cond_init(&hs->done, NULL);
	/* the helper starts with every signal blocked (it inherits this mask) */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&hs->thread, NULL, helper, hs);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_mutex_destroy(&hs->mu);
		pthread_cond_destroy(&hs->posted);
		pthread_cond_destroy(&hs->done);
		free(hs);
		return NULL;
	}
	return hs;
}

void hasher_wait(struct hasher *hs)
{
	pthread_mutex_lock(&hs->mu);
	while (hs->p)
		pthread_cond_wait(&hs->done, &hs->mu);
	pthread_mutex_unlock(&hs->mu);
}

void hasher_post(struct hasher *hs, const uint8_t *p, size_t n)
{
	if (n == 0)
		return;
	pthread_mutex_lock(&hs->mu);
	while (hs->p)
		pthread_cond_wait(&hs->done, &hs->mu);
	hs->p = p;
	hs->n = n;
	pthread_cond_signal(&hs->posted);
	pthread_mutex_unlock(&hs->mu);
}

void hasher_free(struct hasher *hs)
{
	if (!hs)
		return;
	pthread_mutex_lock(&hs->mu);
	hs->quit = true;
	pthread_cond_signal(&hs->posted);
	pthread_mutex_unlock(&hs->mu);
	pthread_join(hs->thread, NULL); /* it feeds what is in flight first */
	pthread_mutex_destroy(&hs->mu);
	pthread_cond_destroy(&hs->posted);
	pthread_cond_destroy(&hs->done);
	free(hs);
}
