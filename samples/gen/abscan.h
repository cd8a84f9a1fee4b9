/*
 * abscan.h — A/B scan captures (mpcap-gen --abtest): each target gets a plain SYN and MP_CAPABLE
 * SYNs (RFC 6824 §3.1 v0 with a key, RFC 8684 §3.1 v1 without; one version or both), each kind
 * sent twice from a scanner port of its own, and a calibrated fraction of paths drop some kinds:
 * every SYN carrying option 30, only v0's 12-byte option, or only SYNs without it. The truth file
 * says per target what `mpcap analyze` must conclude (docs/samples.md, "A/B scans").
 */
#ifndef MPCAP_SAMPLES_GEN_ABSCAN_H
#define MPCAP_SAMPLES_GEN_ABSCAN_H

#include "samples/gen/gen.h"

/* Fractions of targets (0..1, their sum at most 1) by path. */
struct ab_rates {
	double mpc_drop;   /* drops every SYN with option 30: answers plain, never MP_CAPABLE */
	double v0_drop;    /* drops only v0's 12-byte MP_CAPABLE SYN option */
	double plain_drop; /* drops SYNs without option 30: answers MP_CAPABLE only */
	double lossy;      /* loses the first SYN of each kind; the retry gets through */
	double fallback;   /* a client's fallback: every kind from one scanner port (ambiguous) */
};

/* The defaults: 4 % mpc-dropping, 1 % v0-dropping, 1 % plain-dropping, 3 % lossy, 1 % fallback. */
void ab_rates_default(struct ab_rates *r);

/* DIR/abtest-YYYY-MM-pPORT-vF.pcap and its truth DIR/truth-abtest-YYYY-MM-pPORT-vF.csv. */
void abscan_file(struct gen *g, const struct ab_rates *r, int fam, int port, const struct month *mo);

#endif
