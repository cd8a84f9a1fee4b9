/* abtest.h — A/B probing: which kinds of SYN a target answered.
 *
 * A scan that sends each target a plain SYN (no MP_CAPABLE) and MP_CAPABLE
 * SYNs (RFC 6824 v0 and/or RFC 8684 v1) finds the paths that drop SYNs
 * carrying option 30: the target answered the plain SYN (a SYN-ACK, RST or
 * ICMP unreachable, RFC 9293 / RFC 792 / RFC 4443) and none of its probes of
 * an MP_CAPABLE version, retries included.  Such a target gets a row of its
 * own in targets.csv for that version: verdict mpc-dropped, reason
 * mpc-dropped-v0 or mpc-dropped-v1, response empty.  The reverse (MP_CAPABLE
 * answered, the plain SYN never) gets a row for the plain probe with verdict
 * plain-dropped.  A target silent to every kind stays silent (no row).
 *
 * Answers are told apart by scanner port, so a target whose probes of two
 * kinds came from one scanner port is left out (counted as ambiguous): that is
 * a client's connection falling back (a SYN retransmitted without
 * MP_CAPABLE, RFC 8684 §3.1), not a scanner's A/B pair.  The earlier probe
 * of that port is the per-probe map's, or the scan's previous probe when the
 * map did not hold it yet.
 *
 * The probe kinds are tracked from the moment a scan shows a second kind:
 * then every target probed so far (all of the first kind) is entered, and
 * every later probe and answer to a scanner is noted by the kind of the probe
 * it answers (the per-probe map of scan.c: target and scanner port).  Scans
 * of one kind pay nothing.  A partitioned scan (analyze -j) tracks each
 * worker's targets in the worker and folds them as a merge does
 * (abtest_merge, before the sets unite).  scan.state
 * (version 2) keeps the kinds seen and the per-target bits (abtest_state_*),
 * so `mpcap merge` of pieces split by target gives the single run's A/B rows
 * (abtest_merge); a target probed in two pieces makes the merge inexact.
 * docs/methodology.md, "Paths that drop MP_CAPABLE", has the reasoning.
 */
#ifndef MPCAP_ABTEST_H
#define MPCAP_ABTEST_H

#include <stdbool.h>
#include <stdint.h>

#include "analyzer/scan/scan.h"

struct abtest;

void abtest_free(struct abtest *ab);

/* A probe of the given profile from scanner port sport, before scan.c's
 * per-probe map notes it: starts tracking when the scan shows its second
 * kind of probe.  prev_profile: the profile of the scan's previous probe
 * when it went to the same target from the same port, else UINT32_MAX (what
 * tells the earlier probe before the per-probe map exists).  Returns 0 or -1
 * (out of memory). */
int abtest_probe(struct scan *s, uint8_t family, const uint8_t *addr, uint16_t port, uint16_t sport,
                 uint32_t profile, uint32_t prev_profile);

/* A response from a target to a scanner address at scanner port sport. */
int abtest_response(struct scan *s, uint8_t family, const uint8_t *addr, uint16_t port, uint16_t sport);

/* The kinds of probe in s's profile table (a bit each: plain, v0, v1). */
unsigned abtest_kinds(const struct scan *s);

/* True when kinds hold plain and an MP_CAPABLE version: an A/B scan. */
bool abtest_kinds_ab(unsigned kinds);

/* ---- scan.state, mpcap merge and analyze -j ---- */

/* The kinds seen (a bit each: plain 1, v0 2, v1 4) and whether tracking is on. */
unsigned abtest_state_kinds(const struct abtest *ab);

/* The per-target entries, any order: target (aux 0) and its bits (kinds
 * probed, kinds answered << 3, 64 = ambiguous).  Returns false at the end. */
bool abtest_state_next(const struct abtest *ab, size_t *cursor, struct target_key *k, uint8_t *bits);

/* Restores a loaded piece: its kinds, tracking flag (kept false: the file
 * kept no entries, as for a scan without plain probes, whose entries no A/B
 * row needs) and entries (bits as above, at most 127).  Returns 0, -1 (out
 * of memory) or -2 (bad value). */
int abtest_state_restore(struct scan *s, unsigned kinds, bool active, bool kept);
int abtest_state_entry(struct scan *s, const struct target_key *k, uint8_t bits);

/* Folds piece b into a before their sets are united (scan_merge.c, and
 * scan_part.c for the workers of analyze -j, whose option tables are one): a
 * piece of one kind enters its probed and answering targets with that kind,
 * as a single run does when the second kind appears.  A target in both
 * pieces makes a inexact.  Returns 0 or -1 (out of memory). */
int abtest_merge(struct scan *a, struct scan *b);

/* A response a merge decided to be an answer to option profile of target. */
int abtest_answer(struct scan *s, uint8_t family, const uint8_t *addr, uint16_t port, uint32_t profile);

/* True when the scan has probes of at least two kinds (plain, v0, v1). */
bool abtest_active(const struct abtest *ab);

/* True once abtest_finish found at least one target probed on distinct
 * scanner ports with a plain and an MP_CAPABLE SYN: an A/B scan, whose
 * verdicts and counters summary.csv then shows. */
bool abtest_reported(const struct abtest *ab);

/* After the verdicts: the A/B rows (sorted by target key) and their counts
 * per verdict, family and port.  Returns 0 or -1 (out of memory). */
int abtest_finish(struct scan *s);

/* The rows of a finished scan's targets.csv: its records and the A/B rows,
 * in target order (scan_target_count / scan_target_at). */
size_t abtest_target_count(const struct scan *s);
const struct scan_target *abtest_target_at(const struct scan *s, size_t i);

/* The abtest.* counters of summary.csv (only in A/B scans). */
void abtest_each_counter(const struct abtest *ab, scan_counter_fn fn, void *ctx);

#endif
