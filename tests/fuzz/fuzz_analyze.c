/* fuzz_analyze.c — libFuzzer harness: a whole capture file through the scan view.
 *
 * fuzz_capture.c with FUZZ_WITH_SCAN: every record read and dissected is also
 * fed to scan_add(), then scan_finish() settles keys and verdicts (verdict.c)
 * and every counter and target is walked, as `mpcap analyze` does before
 * writing targets.csv and summary.csv.  Seeds: tests/fuzz/seeds/capture.
 */
#define FUZZ_WITH_SCAN 1
#include "fuzz_capture.c"
