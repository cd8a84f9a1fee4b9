/*
 * host.h — one target of the synthetic Internet, made from its global index alone: its address
 * (a keyed permutation of its prefix's slots; IPv6 interface identifiers as hitlists see them:
 * low-byte, service port, modified EUI-64 (RFC 4291 App. A), random), its class and its presence
 * month by month (stable, transient, or growing from a month on, intermittent or not).
 */
#ifndef MPCAP_SAMPLES_GEN_HOST_H
#define MPCAP_SAMPLES_GEN_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "samples/gen/population.h"

struct gen;

struct host {
	int fam;
	uint8_t addr[16];
	int pfx, as, cc, cls, pop, group;
	uint64_t gi, rank, hid;
	const struct cinst *ci;
};

/* Keys the slot permutation of every prefix (after the populations are built). */
void init_slot_perms(struct gen *g);
void host_at(struct gen *g, int fam, uint64_t gi, struct host *h);
/* Its traced path never reaches it. */
bool host_unreachable(const struct host *h);
/* Month index m: 0 = 2020-07. */
bool host_present(const struct host *h, int m);
/* "stable", "transient", "from-2020-09", "intermittent-from-2020-10" */
void presence_text(const struct host *h, char *out, size_t n);

#endif
