/* zmap_output.h — ZMap's result files read as if they were captures.
 *
 * ZMap writes its results as CSV (`-O csv`, RFC 4180, a header row naming
 * the fields) or as JSON (`-O json`, one RFC 8259 object per line); either
 * may be compressed with gzip, xz, zstd or bzip2 (decompress.h).  A file is
 * recognised from its first line, whatever the order and set of its fields.
 * Each row of the `tcp_synopt` / `ipv6_tcp_synopt` probe modules becomes the
 * probe that drew it (when the probe's option block is known) and the answer
 * (zmap_row.h), handed out as raw-IP records (LINKTYPE_RAW) like a
 * capture's, so that every later stage reads them as it reads packets.
 * Rows that lack what is needed are counted by reason, never guessed.
 * masscan's output formats are recognised and refused with the reason: they
 * hold no TCP option bytes.
 */
#ifndef MPCAP_ZMAP_OUTPUT_H
#define MPCAP_ZMAP_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/capture/capture.h"
#include "analyzer/ingest/zmap_row.h"

struct zmap_output;

enum zmap_open_status {
	ZMAP_OPEN_OK = 0,
	ZMAP_OPEN_NOT_OURS = 1, /* not scanner output: the caller reports its own reason */
	ZMAP_OPEN_FAILED = -1,  /* scanner output that cannot be read: err says why */
};

/* Opens path, a regular file (its first bytes are read to recognise it, after
 * a capture reader read them: stdin or a FIFO would have lost them, and
 * opening a FIFO again may block).  probe: the option block
 * of the scan's probes, or NULL / !known to rebuild the answers only.
 * Returns enum zmap_open_status. */
int zmap_output_open(const char *path, const struct zmap_probe *probe, struct zmap_output **out, char *err,
                     size_t errlen);

/* The next packet, as a capture record (enum capture_status); on
 * CAPTURE_DAMAGED err says where the file stops being readable. */
int zmap_output_next(struct zmap_output *z, struct capture_record *rec, char *err, size_t errlen);

/* "zmap-csv" or "zmap-json". */
const char *zmap_output_format(const struct zmap_output *z);
/* Bytes read from the file so far (compressed bytes for compressed input). */
uint64_t zmap_output_bytes_consumed(const struct zmap_output *z);
/* Data rows read so far, analysed or not. */
uint64_t zmap_output_rows(const struct zmap_output *z);
/* Rows not analysed, and a sentence naming them by reason with the first row
 * of each ("2 of 14 rows not analysed: 2 synack without optionshex (first:
 * row 4)"); returns 0 and leaves buf empty when every row was analysed. */
uint64_t zmap_output_skipped(const struct zmap_output *z, char *buf, size_t n);

void zmap_output_close(struct zmap_output *z);

#endif
