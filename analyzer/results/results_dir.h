/* results_dir.h — one results directory of `mpcap analyze -o DIR` (or merge)
 * opened for reading: targets.csv, summary.csv, targets.sets.
 *
 * The one place that says what a results directory is: opening checks that
 * DIR is a directory ("not a results directory" otherwise) and reads its
 * summary.csv, which gives the scan label; targets.csv is then streamed
 * through targets_csv.h and the responsive set read from targets.sets.
 */
#ifndef MPCAP_RESULTS_DIR_H
#define MPCAP_RESULTS_DIR_H

#include <stdbool.h>
#include <stddef.h>

#include "analyzer/results/summary_csv.h"
#include "analyzer/results/targets_csv.h"

struct target_set;

struct results_dir {
	char *dir;
	struct summary_csv summary;
	const char *label; /* the scan label (summary.csv's) */
};

/* 0, or -1 with err naming the directory or file and the reason. */
int results_dir_open(struct results_dir *rd, const char *dir, char *err, size_t errlen);
/* DIR/targets.csv streamed (targets_open's need and optional). */
struct targets_reader *results_dir_targets(const struct results_dir *rd, unsigned need, unsigned optional,
                                           char *err, size_t errlen);
/* Whether DIR/targets.sets is there (older results and hand-made ones lack it). */
bool results_dir_has_sets(const struct results_dir *rd);
/* The responsive set of DIR/targets.sets (caller frees); 0, or -1 with err. */
int results_dir_responsive(const struct results_dir *rd, struct target_set **out, char *err, size_t errlen);
void results_dir_close(struct results_dir *rd);

/* Every reader of results says the same of a directory that holds none of
 * their files: -1 with "DIR: not a results directory (...)" in err when arg
 * is such a directory; 0 otherwise (a file, or a directory with results,
 * is left to the reader). */
int results_dir_check(const char *arg, char *err, size_t errlen);

/* The targets.csv an argument names: ARG/targets.csv when ARG is a directory,
 * else ARG itself.  Caller frees; NULL when out of memory. */
char *results_targets_path(const char *arg);

#endif
