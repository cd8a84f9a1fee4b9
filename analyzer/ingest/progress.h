/* progress.h — a one-line progress report on a terminal for long inputs.
 *
 * Shows bytes read of the total, packets per second and an ETA, redrawn at
 * most twice a second with a carriage return.  Disabled (silent) unless the
 * caller enables it, which mpcap does only when stderr is a terminal.
 */
#ifndef MPCAP_PROGRESS_H
#define MPCAP_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct progress {
	FILE *out;
	bool enabled;
	bool drawn;
	int64_t total_bytes; /* -1: unknown */
	struct timespec start, last;
};

void progress_init(struct progress *p, FILE *out, bool enabled, int64_t total_bytes);
/* Cheap to call often: reads the clock, redraws at most every 0.5 s. */
void progress_update(struct progress *p, uint64_t bytes_done, uint64_t packets);
/* Clears the line. */
void progress_end(struct progress *p);

#endif
