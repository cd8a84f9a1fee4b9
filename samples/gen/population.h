/*
 * population.h — who lives where in the synthetic Internet: per family, the hosts of every class
 * spread over prefixes (by address space, or by country, AS and prefix weights), as blocks of
 * consecutive global indexes; a host's index leads to its block, prefix and address slot.
 */
#ifndef MPCAP_SAMPLES_GEN_POPULATION_H
#define MPCAP_SAMPLES_GEN_POPULATION_H

#include <stddef.h>
#include <stdint.h>

#include "samples/gen/calibration.h"
#include "samples/gen/hash.h"

struct gen;

struct cinst {
	const struct cspec *sp;
	uint64_t n, n_unreach, n_trans, n_g0, n_flicker;
	double weight; /* study units per generated host */
	size_t blk_first, blk_count;
	uint64_t gi_first; /* global index of the first host (blocks of a class are contiguous) */
	struct perm p_unreach, p_trans, p_growth, p_flicker;
};

struct block {
	uint64_t start; /* global index of its first host */
	uint64_t n;
	uint64_t slot0;
	uint64_t rank0; /* index of its first host within its class */
	int pfx;
	int cls;
	int pop;
	int group; /* shared-key group, -1 otherwise */
};

struct population {
	struct block *blk;
	size_t nblk, cap;
	uint64_t N;
	struct cinst ci[3][C_COUNT];
	int ngroups;
};

/* The population of family 4 or 6. */
struct population *popf(struct gen *g, int fam);
/* Builds the population of a family (4 or 6) in g->w; takes host slots from its prefixes. */
void build_population(struct gen *g, int fam);
/* The block holding global index gi. */
size_t find_block(const struct population *P, uint64_t gi);
/* The host of a class instance by its rank within the class. */
uint64_t class_rank_gi(const struct population *P, const struct cinst *ci, uint64_t rank);

#endif
