/* scan.h — the scan view: probes matched to their responses, per target.
 *
 * A probe is a TCP SYN without ACK (RFC 9293) sent by the scanner; a response
 * is the SYN-ACK or RST that the probed target (address, port) sends back to
 * a scanner address, or an ICMP/ICMPv6 destination unreachable quoting the
 * probe (RFC 792, RFC 4443).  Each target is counted once per scan whatever
 * the retransmissions and duplicates.  The probe's MP_CAPABLE option
 * (RFC 6824 v0 / RFC 8684 v1) is learned from the probes: distinct probe
 * options are kept in a small table, and per-probe state is stored only when
 * the scan uses more than one probe option, so memory does not grow with the
 * number of probes of a static-key scan.
 *
 * A scan can be computed in pieces and merged exactly (scan_merge): each
 * piece keeps, besides its sets, records and counters, what a later merge
 * needs to decide as one run over all inputs would — the responses whose
 * probe or scanner may lie in another piece (pending), those seen before the
 * piece's first probe (which a capture without probes counts as responses),
 * the position (file, frame) of every first sighting.  docs/scale.md
 * describes the model, the saved form and its limits.
 */
#ifndef MPCAP_SCAN_H
#define MPCAP_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyzer/dissect/packet.h"
#include "analyzer/scan/target_key.h"
#include "analyzer/scan/target_set.h"
#include "analyzer/scan/target_setfile.h" /* where scan_saved_sets() go: DIR/targets.sets */

struct scan_config {
	const char *label; /* NULL: the UTC month of the first packet, YYYY-MM */
	bool probe_key_given;
	uint64_t probe_key;
	bool all_responders; /* targets.csv lists every responder, not only MP_CAPABLE ones */
};

enum response_type {
	RESP_NONE = 0,
	RESP_ICMP_UNREACHABLE = 1,
	RESP_RST = 2,
	RESP_SYNACK = 3, /* higher wins when a target sends several */
};

/* Where the probe key of the scan came from. */
enum probe_key_source {
	PROBE_KEY_NONE = 0, /* unknown */
	PROBE_KEY_LEARNED,  /* from the probes in the capture */
	PROBE_KEY_GIVEN,    /* --probe-key */
	PROBE_KEY_INFERRED, /* returned by many distinct hosts */
};

/* One distinct probe option block (what the scanner sent). */
struct probe_profile {
	bool has_mpc;
	uint8_t mpc_version;
	uint8_t mpc_length;
	uint8_t mpc_flags;
	bool has_key;
	uint64_t key;
	uint8_t options_len;
	uint8_t options[TCP_OPTIONS_MAX];
};

/* One responsive target for one probe version. */
struct scan_target {
	struct target_key key; /* extra = probe version + 1 (0: unknown) */
	uint32_t profile;      /* index into the profile table, UINT32_MAX: no probe seen */
	uint8_t response;      /* enum response_type */
	uint8_t ttl;
	bool has_mpc;
	struct mpc_option mpc;
	uint8_t options_len; /* the SYN-ACK's TCP options */
	uint8_t options[TCP_OPTIONS_MAX];
	int64_t first_sec;
	uint32_t first_nsec;
	uint32_t responses;
	/* set by scan_finish() (verdict.h) */
	uint8_t verdict;        /* enum verdict */
	uint8_t verdict_reason; /* enum verdict_reason */
	uint32_t key_group;     /* distinct addresses that returned this key in the scan (0: no key) */
	/* where in the scan: position (scan_seq) of the first response and of the
	 * response whose fields the record holds (the best answer, first of its kind) */
	uint64_t first_seq, best_seq;
	uint16_t sport;       /* the scanner port the first response went to */
	bool profile_assumed; /* no probe to this target from that scanner port was recorded: the
	                         probe option is that of the target's probes (see scan_merge.c) */
};

/* A packet's position in the whole scan: the ordinal of its file among all
 * inputs (in command-line order) and its 1-based frame number in the file. */
static inline uint64_t scan_seq(uint32_t file, uint64_t frame)
{
	return (uint64_t)file << 40 | (frame & ((UINT64_C(1) << 40) - 1));
}

struct scan;

struct scan *scan_new(const struct scan_config *cfg, char *err, size_t errlen);
void scan_free(struct scan *s);

/* Starts a capture file: its ordinal among all inputs of the scan (0, 1, ...
 * in command-line order), its name and size (-1 unknown).  The files of a
 * scan, and so their ordinals, identify packets across merged pieces. */
int scan_begin_file(struct scan *s, uint32_t ordinal, const char *name, int64_t size, char *err,
                    size_t errlen);

/* Feeds one dissected packet (skipped ones too, for the counters).
 * Returns 0, or -1 when out of memory (err says so). */
int scan_add(struct scan *s, const struct packet *pkt, char *err, size_t errlen);

/* Merges src, a piece of the same scan, into dst; src is left empty (free
 * it).  The pieces hold disjoint files (file-order shards, src after dst),
 * or the same files with disjoint targets (one BPF filter per shard), or
 * both; src's file ordinals must already be in dst's numbering (see
 * scan_adopt_files).  Neither may be finished.  Returns 0, or -1 with err
 * (out of memory, or the two pieces were analysed with different options). */
int scan_merge(struct scan *dst, struct scan *src, char *err, size_t errlen);

/* Renumbers src's files into dst's list of files (appending those dst does
 * not hold; a file is known by its base name and size), before scan_merge. */
int scan_adopt_files(struct scan *dst, struct scan *src, char *err, size_t errlen);

/* True when a merge met a case it cannot decide exactly (e.g. a piece's log
 * of responses before its first probe overflowed); why says which. */
bool scan_merge_inexact(const struct scan *s, char *why, size_t whylen);

/* Ends the scan: sorts the targets and settles the probe key (inferring it
 * when no probe and no --probe-key gave one).  note receives a sentence for
 * the user when something was inferred or is unknown (empty otherwise). */
int scan_finish(struct scan *s, char *note, size_t notelen);

const char *scan_label(const struct scan *s);
enum probe_key_source scan_probe_key_source(const struct scan *s);
size_t scan_target_count(const struct scan *s);
const struct scan_target *scan_target_at(const struct scan *s, size_t i);
/* The probe option a target answered: its profile, or the given/inferred key. */
void scan_target_probe(const struct scan *s, const struct scan_target *t, struct probe_profile *out);

/* Every counter, in a stable order; family and port are 0 for totals. */
typedef void (*scan_counter_fn)(void *ctx, const char *counter, int family, int port, uint64_t value);
void scan_each_counter(const struct scan *s, scan_counter_fn fn, void *ctx);

const char *response_type_name(enum response_type r);

/* The exact target sets of the scan, by name: probed, responsive, synack,
 * rst, icmp-unreachable (saved as DIR/targets.sets by mpcap analyze).  After
 * scan_finish, and when responses came before the scan's first probe, also
 * the sets a later merge needs: main.NAME and pre.NAME for the four response
 * sets (n says how many were filled, at most SCAN_SET_MAX). */
#define SCAN_SET_COUNT 5
#define SCAN_SET_MAX 13
void scan_target_sets(const struct scan *s, const char *names[SCAN_SET_COUNT],
                      struct target_set *sets[SCAN_SET_COUNT]);
size_t scan_saved_sets(const struct scan *s, const char *names[SCAN_SET_MAX],
                       struct target_set *sets[SCAN_SET_MAX]);

/* The rest of a finished scan's mergeable state (everything but the sets):
 * DIR/scan.state, a versioned binary file described in docs/scale.md.
 * Returns 0 or -1 (errno set). */
int scan_state_write(const struct scan *s, FILE *fp);

/* Loads a piece saved by scan_state_write from DIR/scan.state and the sets
 * from DIR/targets.sets, unfinished, ready for scan_merge.  Returns NULL with
 * err (missing, truncated or corrupt files, or an unknown version). */
struct scan *scan_state_load(const char *dir, char *err, size_t errlen);

/* The options the scan was analysed with (for checking merged pieces). */
const struct scan_config *scan_get_config(const struct scan *s);

/* The documented counters of summary.csv; NAME parts are placeholders. */
struct counter_doc {
	const char *name;
	const char *meaning;
};
const struct counter_doc *scan_counter_docs(size_t *n);

#endif
