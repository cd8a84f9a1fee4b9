/* scan_outputs.h — a finished scan's results directory (targets.csv,
 * fingerprints.csv, summary.csv, targets.sets, scan.state), written atomically. */
#ifndef MPCAP_SCAN_OUTPUTS_H
#define MPCAP_SCAN_OUTPUTS_H

#include <stddef.h>

struct scan;
struct manifest;

/* Writes the four files of scan s into dir (created if missing), and the
 * manifest m (NULL: none) with them.  Returns 0, or -1 with err naming the
 * file and the reason. */
int write_scan_outputs(const char *dir, const struct scan *s, struct manifest *m, char *err, size_t errlen);

#endif
