/* scan_part.h — one scan on several cores, partitioned by target.
 *
 * The reading thread feeds packets to scan_part_scan() as to any scan
 * (scan_add, scan_begin_file): it settles what concerns the whole scan —
 * counters, link types, the label, probe options, scanner addresses, whether
 * the scan has probed yet — in capture order, and routes each probe and
 * response, with those facts, to the piece that owns its target (a hash of
 * the port and the address; for IPv4 the address's /16, so that a piece owns
 * whole chunks of the target sets): the reading thread's own piece, applied
 * at once, or a worker thread's, through a lock-free single-producer
 * single-consumer ring (base/spsc.h).  Each piece keeps its
 * targets' sets, records, pending answers and per-probe map in a scan of its
 * own, deciding exactly what one thread would.  scan_part_finish joins the
 * workers and folds their disjoint pieces into the reading scan in worker
 * order; scan_finish then puts everything in its canonical order, so the
 * outputs are those of one thread, byte for byte (docs/scale.md).
 */
#ifndef MPCAP_SCAN_PART_H
#define MPCAP_SCAN_PART_H

#include <stddef.h>

#include "analyzer/scan/scan.h"

struct scan_part;

/* workers >= 1 pieces: the reading thread's own and workers - 1 worker
 * threads, started at once (with 2 pieces the reader owns a quarter of the
 * targets, with 3 or more none).  NULL with err on failure. */
struct scan_part *scan_part_new(const struct scan_config *cfg, unsigned workers, char *err, size_t errlen);

/* The scan to feed (scan_begin_file, scan_add); owned by the partition
 * until scan_part_finish hands it over. */
struct scan *scan_part_scan(struct scan_part *p);

/* Ends the workers and folds their pieces into the scan, which is returned
 * (unfinished: call scan_finish, then scan_free) and no longer owned by p.
 * NULL with err when out of memory.  scan_merge_inexact() on the result is
 * true when the pieces cannot give one thread's result (a log overflowed):
 * read the input again with one thread. */
struct scan *scan_part_finish(struct scan_part *p, char *err, size_t errlen);

/* Stops the workers (if still running) and frees everything p owns. */
void scan_part_free(struct scan_part *p);

#endif
