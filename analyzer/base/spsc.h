/* spsc.h — a bounded lock-free ring of 64-byte cells between one producer
 * thread and one consumer thread (C11 atomics).
 *
 * The producer fills cells at its private head and publishes them in
 * batches (a store of the head, every SPSC_BATCH cells or on spsc_publish);
 * the consumer reads them at its private tail and gives them back in batches
 * (a store of the tail).  Each side caches the other side's index and
 * reloads it only when the ring looks full or empty, so that a cell costs no
 * shared cache line in the common case.  A side that must wait publishes
 * what it holds first (no deadlock), spins a little, yields, then sleeps on
 * the ring's condition variable, saying in a flag how far the other side's
 * index must get; the other side looks at the flag after each batch and
 * wakes it.  Index stores and the flag are sequentially consistent (the
 * sleeper sets its flag, then looks at the index once more; the other side
 * stores its index, then looks at the flag: one of the two sees the other),
 * with no bare fence, which ThreadSanitizer cannot follow.  The machine may
 * have fewer cores than threads, so waiting must not spin long.
 */
#ifndef MPCAP_SPSC_H
#define MPCAP_SPSC_H

#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#define SPSC_SPINS 64u /* pause instructions before yielding */
#define SPSC_YIELDS 2u /* sched_yield calls before sleeping */

#define SPSC_CELL 64
#define SPSC_BATCH 64u

struct spsc_cell {
	alignas(SPSC_CELL) unsigned char b[SPSC_CELL];
};

struct spsc {
	alignas(64) _Atomic size_t head; /* cells published by the producer */
	alignas(64) _Atomic size_t tail; /* cells given back by the consumer */
	alignas(64) size_t p_head;       /* producer: next cell to fill */
	size_t p_tail;                   /* producer: tail as last seen */
	size_t p_published;
	alignas(64) size_t c_tail; /* consumer: next cell to read */
	size_t c_head;             /* consumer: head as last seen */
	size_t c_released;
	alignas(64) _Atomic size_t p_want, c_want; /* a side sleeps until the other's index gets there */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t mask;
	struct spsc_cell *cells;
};

/* ncells: a power of two.  Returns 0, or -1 when out of memory. */
static inline int spsc_init(struct spsc *r, size_t ncells)
{
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	r->p_head = r->p_tail = r->p_published = 0;
	r->c_tail = r->c_head = r->c_released = 0;
	atomic_init(&r->p_want, 0);
	atomic_init(&r->c_want, 0);
	r->mask = ncells - 1;
	r->cells = aligned_alloc(SPSC_CELL, ncells * sizeof *r->cells);
	if (!r->cells)
		return -1;
	if (pthread_mutex_init(&r->mu, NULL) != 0) {
		free(r->cells);
		r->cells = NULL;
		return -1;
	}
	if (pthread_cond_init(&r->cv, NULL) != 0) {
		pthread_mutex_destroy(&r->mu);
		free(r->cells);
		r->cells = NULL;
		return -1;
	}
	return 0;
}

static inline void spsc_free(struct spsc *r)
{
	if (!r->cells)
		return;
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
	free(r->cells);
	r->cells = NULL;
}

/* After an index store (now `at`): wakes the other side if it sleeps
 * waiting for the index to reach what it wants (*want, 0: awake). */
static inline void spsc_wake(struct spsc *r, _Atomic size_t *want, size_t at)
{
	size_t w = atomic_load_explicit(want, memory_order_seq_cst);
	if (w && at >= w) {
		pthread_mutex_lock(&r->mu);
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
	}
}

/* One step of waiting until *index (the other side's) reaches `need`: spin,
 * yield, then sleep until the other side gets there (`wake_at`, at least
 * `need`: a producer sleeps until half the ring is free, so that the two do
 * not take turns cell batch by cell batch, and a consumer until a quarter
 * is filled or spsc_flush) or 10 ms pass, as a safety net. */
static inline void spsc_pause(struct spsc *r, unsigned *spins, _Atomic size_t *want, _Atomic size_t *index,
                              size_t need, size_t wake_at)
{
	unsigned n = (*spins)++;
	if (n < SPSC_SPINS) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
		return;
	}
	if (n < SPSC_SPINS + SPSC_YIELDS) {
		sched_yield();
		return;
	}
	pthread_mutex_lock(&r->mu);
	atomic_store_explicit(want, wake_at, memory_order_seq_cst);
	if (atomic_load_explicit(index, memory_order_seq_cst) < need) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 10000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&r->cv, &r->mu, &ts);
	}
	atomic_store_explicit(want, 0, memory_order_relaxed);
	pthread_mutex_unlock(&r->mu);
}

/* Producer: makes the filled cells visible to the consumer. */
static inline void spsc_publish(struct spsc *r)
{
	if (r->p_published != r->p_head) {
		atomic_store_explicit(&r->head, r->p_head, memory_order_seq_cst);
		r->p_published = r->p_head;
		spsc_wake(r, &r->c_want, r->p_head);
	}
}

/* Producer: publishes and wakes the consumer whatever it waits for (the
 * last cells of a stream). */
static inline void spsc_flush(struct spsc *r)
{
	spsc_publish(r);
	spsc_wake(r, &r->c_want, SIZE_MAX);
}

/* Producer: the next cell to fill, waiting for room. */
static inline struct spsc_cell *spsc_cell(struct spsc *r)
{
	if (r->p_head - r->p_tail > r->mask) {
		r->p_tail = atomic_load_explicit(&r->tail, memory_order_acquire);
		unsigned spins = 0;
		while (r->p_head - r->p_tail > r->mask) {
			spsc_publish(r);
			size_t need = r->p_head - r->mask; /* one cell free */
			spsc_pause(r, &spins, &r->p_want, &r->tail, need, need + (r->mask + 1) / 2);
			r->p_tail = atomic_load_explicit(&r->tail, memory_order_acquire);
		}
	}
	return &r->cells[r->p_head & r->mask];
}

/* Producer: the cell returned by spsc_cell is filled. */
static inline void spsc_push(struct spsc *r)
{
	r->p_head++;
	if (r->p_head - r->p_published >= SPSC_BATCH)
		spsc_publish(r);
}

/* Consumer: gives the read cells back to the producer. */
static inline void spsc_release(struct spsc *r)
{
	if (r->c_released != r->c_tail) {
		atomic_store_explicit(&r->tail, r->c_tail, memory_order_seq_cst);
		r->c_released = r->c_tail;
		spsc_wake(r, &r->p_want, r->c_tail);
	}
}

/* Consumer: the next cell, waiting until the producer has published one. */
static inline const struct spsc_cell *spsc_next(struct spsc *r)
{
	if (r->c_tail == r->c_head) {
		r->c_head = atomic_load_explicit(&r->head, memory_order_acquire);
		unsigned spins = 0;
		while (r->c_tail == r->c_head) {
			spsc_release(r);
			spsc_pause(r, &spins, &r->c_want, &r->head, r->c_tail + 1,
			           r->c_tail + (r->mask + 1) / 4);
			r->c_head = atomic_load_explicit(&r->head, memory_order_acquire);
		}
	}
	return &r->cells[r->c_tail & r->mask];
}

/* Consumer: the cell returned by spsc_next is read (copied out). */
static inline void spsc_pop(struct spsc *r)
{
	r->c_tail++;
	if (r->c_tail - r->c_released >= SPSC_BATCH)
		spsc_release(r);
}

#endif
