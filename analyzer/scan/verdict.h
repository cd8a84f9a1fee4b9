/* verdict.h — what answered a probe: a real MPTCP host or a middlebox.
 *
 * Rules (docs/methodology.md explains each with its reasoning):
 * - replay: the probe's option came back — a v0 key equal to the probe key
 *   (with the same version and flags), a keyless 4-byte option answering a
 *   v1 probe, or a SYN-ACK option block identical to the probe's;
 * - modified: a key near the probe key — Hamming distance at most
 *   VERDICT_MAX_NEAR_DISTANCE, or at least VERDICT_MIN_EQUAL_BYTES of its 8
 *   bytes equal to the probe key's at the same positions, or the probe key
 *   returned with a changed version or flags;
 * - shared-key: a non-probe key returned by two or more distinct addresses;
 * - mptcp: any other well-formed MP_CAPABLE SYN-ACK carrying a key;
 * - no-mptcp, rst, icmp-unreachable, silent: how the others answered;
 * - mpc-dropped, plain-dropped (A/B scans, abtest.h): a target probed with a
 *   plain SYN and MP_CAPABLE SYNs that answered only one kind; rows of their
 *   own, beside the rows of the answers.
 * MP_CAPABLE: RFC 6824 (v0) and RFC 8684 (v1).
 */
#ifndef MPCAP_VERDICT_H
#define MPCAP_VERDICT_H

#include <stdbool.h>
#include <stdint.h>

#include "analyzer/scan/scan.h"

/* P(Binomial(64, 1/2) <= 10) = 9.98e-9: a random key lands this close to the
 * probe key about once in 100 million responders. */
#define VERDICT_MAX_NEAR_DISTANCE 10
/* P(at least 4 of 8 random bytes equal fixed bytes) = 1.61e-8. */
#define VERDICT_MIN_EQUAL_BYTES 4

enum verdict {
	VERDICT_SILENT = 0,
	VERDICT_ICMP_UNREACHABLE,
	VERDICT_RST,
	VERDICT_NO_MPTCP,
	VERDICT_MPTCP,
	VERDICT_SHARED_KEY,
	VERDICT_MODIFIED,
	VERDICT_REPLAY,
	VERDICT_MPC_DROPPED,   /* answered the plain SYN, never this MP_CAPABLE version's */
	VERDICT_PLAIN_DROPPED, /* answered MP_CAPABLE SYNs, never the plain one */
	VERDICT_COUNT
};

/* Why a replay/modified verdict was given (for the verdict_reason column). */
enum verdict_reason {
	REASON_NONE = 0,
	REASON_KEY_EQUAL,        /* replay: the probe key came back */
	REASON_KEYLESS_ECHO,     /* replay: a v1 probe drew a keyless option */
	REASON_OPTIONS_MIRRORED, /* replay: the whole option block came back */
	REASON_KEY_NEAR,         /* modified: small Hamming distance */
	REASON_KEY_BYTES_EQUAL,  /* modified: several bytes equal at the same positions */
	REASON_HEADER_CHANGED,   /* modified: key kept, version or flags changed */
	REASON_KEY_SHARED,       /* shared-key */
	REASON_MPC_MALFORMED,  /* no-mptcp: an MP_CAPABLE without a usable key (e.g. a v0 SYN-ACK of 4 bytes)
	                        */
	REASON_MPC_DROPPED_V0, /* mpc-dropped: the v0 probes went unanswered */
	REASON_MPC_DROPPED_V1, /* mpc-dropped: the v1 probes went unanswered */
	REASON_COUNT
};

/* What a verdict says, one row per verdict (verdict.c); every reader of a
 * results file asks these instead of comparing names. */
struct verdict_info {
	const char *name; /* as written in targets.csv and summary.csv (verdict.NAME) */
	/* A box answered, not the host: replay, modified and shared-key.  Such
	 * targets are the middlebox-affected ones of report and attribute, are
	 * left out of the `cleaned` keys of stats and report, and make a traced
	 * responder's final class middlebox (docs/methodology.md). */
	bool middlebox;
	/* Given only to a SYN-ACK that carried MP_CAPABLE with a key: mptcp and
	 * the middlebox verdicts (a keyless MP_CAPABLE is no-mptcp). */
	bool mpc_answer;
	/* Given by the comparison of a target's probe kinds (abtest.h), not to an
	 * answer: counted, and written to summary.csv, only in A/B scans. */
	bool abtest;
};

const struct verdict_info *verdict_info(enum verdict v);
const char *verdict_name(enum verdict v);
/* The verdict named name; false (out untouched) when no verdict has that name. */
bool verdict_from_name(const char *name, enum verdict *out);
bool verdict_is_middlebox(enum verdict v);
bool verdict_is_mpc_answer(enum verdict v);

const char *verdict_reason_name(enum verdict_reason r);
/* The reason named name ("" is REASON_NONE); false when unknown. */
bool verdict_reason_from_name(const char *name, enum verdict_reason *out);

/* The verdict of one responsive target, before shared keys are known:
 * key_group is the number of distinct addresses that returned the same key
 * in the scan (0 or 1: not shared). */
enum verdict verdict_classify(const struct probe_profile *probe, const struct scan_target *t,
                              uint32_t key_group, enum verdict_reason *reason);

/* Number of bytes of a and b equal at the same positions (0..8). */
int key_equal_bytes(uint64_t a, uint64_t b);

#endif
