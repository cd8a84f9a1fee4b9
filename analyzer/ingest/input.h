/* input.h — the packet loop shared by the subcommands.
 *
 * Opens each capture (capture.h) — or a scanner's result file, read as the
 * packets its rows stand for (zmap_output.h) — applies the optional BPF filter
 * (bpf_filter.h), dissects every record once (dissect.h) and hands the parsed
 * packet to a callback.  Damage in one file is reported as a warning naming
 * the file and byte offset and the loop goes on with the next file; a file
 * that cannot be read at all, or whose link type is not supported, is fatal.
 *
 * input_run reads the files one after the other into one context (mpcap
 * analyze -j spreads the work of its callback over threads instead:
 * analyzer/scan/scan_part.h).
 */
#ifndef MPCAP_INPUT_H
#define MPCAP_INPUT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analyzer/capture/capture.h"
#include "analyzer/dissect/packet.h"

/* Called when a file is opened: its ordinal among the inputs (0, 1, ...),
 * its name and size (-1 when unknown).  Return non-zero to stop (fill err). */
typedef int (*input_file_fn)(void *ctx, uint32_t ordinal, const char *file, int64_t size, char *err,
                             size_t errlen);

struct zmap_probe;

/* What the loop learns of each input besides its records. */
struct input_file_info {
	bool hashed;             /* sha256 and size are the whole file's, hashed as read */
	char sha256[SHA256_HEX]; /* capture_sha256(); scanner result files are not hashed here */
	uint64_t size;
	uint64_t records;            /* records read */
	uint64_t syns, syns_mpc;     /* TCP SYNs without ACK (probes); those carrying MP_CAPABLE */
	int64_t first_sec, last_sec; /* earliest and latest record time (records > 0) */
	int64_t start_sec;           /* time of the first record analysed */
	bool started;                /* start_sec is set */
};

struct input_options {
	const char *filter;          /* BPF expression or NULL */
	bool progress;               /* draw a progress line on log */
	volatile sig_atomic_t *stop; /* set by a signal handler: stop early */
	FILE *log;                   /* where warnings go (stderr) */
	input_file_fn file_fn;       /* optional */
	/* the probe of scanner result files (zmap_row.h); NULL: their answers only */
	const struct zmap_probe *scanner_probe;
	/* non-NULL: a scanner result file without scanner_probe is fatal, and
	 * this text (what to give instead) ends the error message */
	const char *scanner_probe_hint;
	uint64_t max_memory; /* a compressed capture's decoder limit in bytes; 0: the default */
	/* NULL, or one per file, filled by the run (in file order also with -j) */
	struct input_file_info *info;
	bool hash;       /* with info: hash each capture as it is read (capture_open_ex) */
	const char *who; /* what begins a warning line ("mpcap analyze"); NULL: "mpcap" */
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
	uint64_t scanner_files; /* files that were scanner output, not captures */
};

int input_run(char *const *files, int nfiles, const struct input_options *o, input_packet_fn fn, void *ctx,
              struct input_stats *st, char *err, size_t errlen);

#endif
