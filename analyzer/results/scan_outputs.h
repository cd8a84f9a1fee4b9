/* scan_outputs.h — a finished scan's results directory (targets.csv,
 * fingerprints.csv, summary.csv, targets.sets, scan.state), written atomically. */
#ifndef MPCAP_SCAN_OUTPUTS_H
#define MPCAP_SCAN_OUTPUTS_H

#include <stddef.h>

struct scan;

/* Writes the four files of scan s into dir (created if missing).  Returns 0,
 * or -1 with err naming the file and the reason. */
int write_scan_outputs(const char *dir, const struct scan *s, char *err, size_t errlen);

#endif
