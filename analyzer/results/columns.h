/* columns.h — every CSV column mpcap writes, declared once.
 *
 * The writers emit headers from these tables and `mpcap columns` prints them
 * as the Markdown reference in docs/columns.md, so code and docs cannot drift.
 */
#ifndef MPCAP_COLUMNS_H
#define MPCAP_COLUMNS_H

#include <stddef.h>
#include <stdio.h>

struct column_def {
	const char *name;
	const char *type; /* "integer", "text", "hex", "time", "address" ... */
	const char *description;
};

struct column_set {
	const char *file; /* e.g. "targets.csv" */
	const char *what; /* one sentence */
	const struct column_def *cols;
	size_t n;
};

enum column_set_id {
	COLSET_DUMP = 0,
	COLSET_TARGETS,
	COLSET_SUMMARY,
	COLSET_FINGERPRINTS,
	COLSET_JOIN_HOSTS,
	COLSET_JOIN_MONTHLY,
	COLSET_STATS_CHISQUARE,
	COLSET_STATS_GTEST,
	COLSET_STATS_WEIGHT_BINS,
	COLSET_STATS_BITS,
	COLSET_STATS_DUPLICATES,
	COLSET_STATS_RANDOMNESS,
	COLSET_STATS_HISTOGRAM,
	COLSET_STATS_BIT_TABLE,
	COLSET_STATS_DUPLICATE_KEYS,
	COLSET_STATS_REPLAY_SHARE,
	COLSET_TRACE_HOPS,
	COLSET_TRACE_DESTS,
	COLSET_TRACE_CLASSES,
	COLSET_ATTR_BY_AS,
	COLSET_ATTR_BY_COUNTRY,
	COLSET_ATTR_TOP_AS,
	COLSET_ATTR_TOP_COUNTRY,
	COLSET_ATTR_DROPPED_AS,
	COLSET_ATTR_DROPPED_COUNTRY,
	COLSET_ATTR_TOP_FINGERPRINTS,
	COLSET_REPORT_ADOPTION,
	COLSET_REPORT_MONTHLY,
	COLSET_REPORT_KEYSTATS,
	COLSET_REPORT_WEIGHTS,
	COLSET_REPORT_BITS,
	COLSET_REPORT_TRACEBOX,
	COLSET_REPORT_TRACE_HOPS,
	COLSET_REPORT_TOP_AS,
	COLSET_REPORT_COUNTRIES,
	COLSET_COUNT
};

/* The columns of the dump, targets.csv, fingerprints.csv and summary.csv in file order:
 * indexes into their tables (columns.c checks the counts at compile time).
 * The writers fill a row by these, the readers find each column by the
 * table's name. */
enum dump_column {
	DUMP_FRAME,
	DUMP_TIME,
	DUMP_SRC,
	DUMP_DST,
	DUMP_SPORT,
	DUMP_DPORT,
	DUMP_TCP_FLAGS,
	DUMP_IN_ICMP_QUOTE,
	DUMP_MPC_LENGTH,
	DUMP_MPC_VERSION,
	DUMP_MPC_FLAGS,
	DUMP_SENDER_KEY,
	DUMP_RECEIVER_KEY,
	DUMP_ANOMALY,
	DUMP_FILE,
	DUMP_NCOLS
};

enum targets_column {
	TARGETS_SCAN,
	TARGETS_ADDRESS,
	TARGETS_PORT,
	TARGETS_FAMILY,
	TARGETS_PROBE_VERSION,
	TARGETS_PROBE_KEY,
	TARGETS_RESPONSE,
	TARGETS_MPC_VERSION,
	TARGETS_MPC_LENGTH,
	TARGETS_MPC_FLAGS,
	TARGETS_KEY,
	TARGETS_KEY_WEIGHT,
	TARGETS_KEY_DISTANCE,
	TARGETS_FIRST_SEEN,
	TARGETS_TTL,
	TARGETS_RESPONSES,
	TARGETS_ANOMALY,
	TARGETS_VERDICT,
	TARGETS_VERDICT_REASON,
	TARGETS_KEY_GROUP,
	TARGETS_FINGERPRINT,
	TARGETS_NCOLS
};

enum fingerprints_column { FPR_SCAN, FPR_FINGERPRINT, FPR_VERDICT, FPR_TARGETS, FPR_NCOLS };

enum summary_column {
	SUMMARY_SCAN,
	SUMMARY_COUNTER,
	SUMMARY_FAMILY,
	SUMMARY_PORT,
	SUMMARY_VALUE,
	SUMMARY_NCOLS
};

/* destinations.csv and classification.csv of mpcap trace (read back by mpcap report). */
enum trace_dest_column {
	TDEST_DESTINATION,
	TDEST_PORT,
	TDEST_FAMILY,
	TDEST_PROBES,
	TDEST_MAX_PROBE_TTL,
	TDEST_HOPS_ANSWERED,
	TDEST_HOPS_FULL,
	TDEST_LAST_HOP,
	TDEST_LAST_ROUTER,
	TDEST_LAST_MPC_STATUS,
	TDEST_MPC_CHANGED_HOP,
	TDEST_MPC_CHANGED_ROUTER,
	TDEST_MPC_CHANGE,
	TDEST_MPC_INTACT_HOP,
	TDEST_MPC_INTACT_ROUTER,
	TDEST_OTHER_CHANGES,
	TDEST_NAT,
	TDEST_ICMP_UNREACHABLE_FROM,
	TDEST_ANSWER,
	TDEST_ANSWER_VERDICT,
	TDEST_ANSWER_KEY,
	TDEST_PROBE_KEY,
	TDEST_KEY_IS_PROBE_KEY,
	TDEST_CLASS,
	TDEST_REASON,
	TDEST_NCOLS
};

enum trace_class_column {
	TCLS_SCAN,
	TCLS_ADDRESS,
	TCLS_PORT,
	TCLS_FAMILY,
	TCLS_SCAN_VERDICT,
	TCLS_KEY,
	TCLS_TRACED,
	TCLS_TRACE_CLASS,
	TCLS_CLASS,
	TCLS_REASON,
	TCLS_NCOLS
};

const struct column_set *column_set_get(enum column_set_id id);
/* Name of column col of a set (NULL past its end). */
const char *column_name(enum column_set_id id, size_t col);
/* Writes the header row of a set. */
int column_set_write_header(FILE *fp, enum column_set_id id);
/* Writes the Markdown reference of all sets. */
void columns_write_markdown(FILE *fp);

#endif
