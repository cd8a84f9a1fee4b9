/* report_internal.h — what the parts of report_build() share (report/page
 * only): small formatters, the (family, port) list, and one builder per
 * section of the report:
 *   load.c       the scans' results read (analyzer/results), report_build()
 *   adoption.c   adoption.csv, monthly.csv and the monthly series
 *   keys.c       the key groups: key-stats.csv, key-weights.csv, key-bits.csv
 *   tracebox.c   tracebox.csv, trace-hops.csv and each scan's tracebox-confirmed
 *                counts from `mpcap trace`'s files (one directory per scan)
 *   rankings.c   top-as.csv and countries.csv from the attribution tables
 * Each returns 0 or -1 with err, like report_build(). */
#ifndef MPCAP_REPORT_INTERNAL_H
#define MPCAP_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/page/report.h"

void rp_fmt_u64(uint64_t v, char *buf, size_t n);
/* num / den with 6 decimals; empty when den is 0. */
void rp_fmt_share(uint64_t num, uint64_t den, char *buf, size_t n);
/* %.6g; empty when not finite. */
void rp_fmt_double(double v, char *buf, size_t n);
/* A p-value: %.6g, and an underflow (below the smallest normal double,
 * 0 included) as that smallest normal double, 2.22507e-308: never 0. */
void rp_fmt_p(double p, char *buf, size_t n);
/* A count as the charts write it (thousands separated). */
void rp_fmt_count(double v, char *buf, size_t n);
/* A decimal 0..max without sign or spaces. */
bool rp_parse_ulong(const char *s, unsigned long max, unsigned long *out);
/* dir/file, malloc'd; NULL when out of memory. */
char *rp_path_join(const char *dir, const char *file);
bool rp_is_file(const char *path);
/* "out of memory" into err; returns -1. */
int rp_oom(char *err, size_t errlen);

/* (family, port) pairs in the order first met. */
struct rp_fp {
	uint8_t family;
	uint16_t port;
};

struct rp_fp_list {
	size_t n, cap;
	struct rp_fp *v;
};

/* Index of the pair; with add, appended when new.  -1 when absent (add
 * false), -2 when out of memory. */
int rp_fp_index(struct rp_fp_list *l, uint8_t family, uint16_t port, bool add);
/* Orders pairs by family, then port (for qsort). */
int rp_fp_cmp(const void *a, const void *b);

int rp_build_counts(struct report *r, char *err, size_t errlen);
int rp_build_keys(struct report *r, char *err, size_t errlen);
int rp_build_trace(struct report *r, const char *const *dirs, size_t ndirs, char *err, size_t errlen);
int rp_build_rankings(struct report *r, const char *dir, char *err, size_t errlen);
void rp_ranking_free(struct rp_ranking *rk);

#endif
