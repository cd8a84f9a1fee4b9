/* input.h — the packet loop shared by the subcommands.
 *
 * Opens each capture (capture.h), applies the optional BPF filter
 * (bpf_filter.h), dissects every record once (dissect.h) and hands the parsed
 * packet to a callback.  Damage in one file is reported as a warning naming
 * the file and byte offset and the loop goes on with the next file; a file
 * that cannot be read at all, or whose link type is not supported, is fatal.
 */
#ifndef MPCAP_INPUT_H
#define MPCAP_INPUT_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "capture.h"
#include "packet.h"

struct input_options {
	const char *filter;          /* BPF expression or NULL */
	bool progress;               /* draw a progress line on log */
	volatile sig_atomic_t *stop; /* set by a signal handler: stop early */
	FILE *log;                   /* where warnings go (stderr) */
};

enum input_status {
	INPUT_OK = 0,
	INPUT_WARNINGS = 1,    /* some input was damaged; everything before the damage was read */
	INPUT_FATAL = 2,       /* err says why; outputs must not be written */
	INPUT_INTERRUPTED = 3, /* *stop was set */
};

/* Called for every record; return non-zero to stop with INPUT_FATAL (fill err). */
typedef int (*input_packet_fn)(void *ctx, const char *file, const struct packet *pkt, char *err,
                               size_t errlen);

struct input_stats {
	uint64_t files, records, filtered_out, bytes;
	unsigned warnings;
};

int input_run(char *const *files, int nfiles, const struct input_options *o, input_packet_fn fn, void *ctx,
              struct input_stats *st, char *err, size_t errlen);

#endif
