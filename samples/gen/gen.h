/*
 * gen.h — one run of mpcap-gen: its world, the populations of both families, the arguments every
 * part needs (seed, scale, probe key, output directory) and the summary counters; and a month of
 * the study.
 */
#ifndef MPCAP_SAMPLES_GEN_GEN_H
#define MPCAP_SAMPLES_GEN_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "samples/gen/population.h"
#include "samples/gen/truth.h"
#include "samples/gen/world.h"

struct gen {
	struct world w;
	struct population pop[2]; /* [0] IPv4, [1] IPv6 */
	uint64_t seed;
	double scale;
	uint64_t probe_key;
	bool quiet;
	const char *out;        /* --out: where every file goes */
	struct summary summary; /* the counters of truth-summary.csv, one per file */
};

struct month {
	int y, m;
	int idx; /* 0 = 2020-07 */
};

#endif
