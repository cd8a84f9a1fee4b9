/* spsc.h — a bounded lock-free ring of 64-byte cells between one producer
 * thread and one consumer thread (C11 atomics, acquire/release).
 *
 * The producer fills cells at its private head and publishes them in
 * batches (a release store of the head, every SPSC_BATCH cells or on
 * spsc_publish); the consumer reads them at its private tail and gives them
 * back in batches (a release store of the tail).  Each side caches the other
 * side's index and reloads it (acquire) only when the ring looks full or
 * empty, so that a cell costs no shared cache line in the common case.  A
 * side that must wait publishes what it holds first (no deadlock), spins a
 * little, then yields, then sleeps (spsc_pause): the machine may have fewer
 * cores than threads.
 */
#ifndef MPCAP_SPSC_H
#define MPCAP_SPSC_H

#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

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
	alignas(64) size_t mask;
	struct spsc_cell *cells;
};

/* ncells: a power of two.  Returns 0, or -1 when out of memory. */
static inline int spsc_init(struct spsc *r, size_t ncells)
{
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	r->p_head = r->p_tail = r->p_published = 0;
	r->c_tail = r->c_head = r->c_released = 0;
	r->mask = ncells - 1;
	r->cells = aligned_alloc(SPSC_CELL, ncells * sizeof *r->cells);
	return r->cells ? 0 : -1;
}

static inline void spsc_free(struct spsc *r)
{
	free(r->cells);
	r->cells = NULL;
}

/* One step of waiting: spin, then yield, then sleep 50 µs. */
static inline void spsc_pause(unsigned *spins)
{
	unsigned n = (*spins)++;
	if (n < 64) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
	} else if (n < 128) {
		sched_yield();
	} else {
		struct timespec ts = { 0, 50000 };
		nanosleep(&ts, NULL);
	}
}

/* Producer: makes the filled cells visible to the consumer. */
static inline void spsc_publish(struct spsc *r)
{
	if (r->p_published != r->p_head) {
		atomic_store_explicit(&r->head, r->p_head, memory_order_release);
		r->p_published = r->p_head;
	}
}

/* Producer: the next cell to fill, waiting for room. */
static inline struct spsc_cell *spsc_cell(struct spsc *r)
{
	if (r->p_head - r->p_tail > r->mask) {
		r->p_tail = atomic_load_explicit(&r->tail, memory_order_acquire);
		unsigned spins = 0;
		while (r->p_head - r->p_tail > r->mask) {
			spsc_publish(r);
			spsc_pause(&spins);
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
		atomic_store_explicit(&r->tail, r->c_tail, memory_order_release);
		r->c_released = r->c_tail;
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
			spsc_pause(&spins);
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
