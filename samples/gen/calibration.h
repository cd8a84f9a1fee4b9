/*
 * calibration.h — the classes of targets mpcap-gen knows (plain stacks, RST, ICMP, real MPTCP
 * stacks, hosts behind rewriters or strippers, the middleboxes that echo or modify the MP_CAPABLE
 * option, silent addresses), the verdict mpcap should give each (the truth), and the table that
 * calibrates their numbers per family and port to the study's (docs/samples.md has this table).
 */
#ifndef MPCAP_SAMPLES_GEN_CALIBRATION_H
#define MPCAP_SAMPLES_GEN_CALIBRATION_H

#include <stdbool.h>
#include <stdint.h>

enum cls {
	C_PLAIN,    /* SYN-ACK without MP_CAPABLE */
	C_RST,      /* RST */
	C_ICMP,     /* ICMP destination unreachable from the last router */
	C_MPTCP,    /* a real MPTCP (v0) stack: its own random key */
	C_REWRITER, /* a real MPTCP host behind a box that rewrites the option in transit */
	C_KEYNEAR,  /* a box flips a few key bits, an echo beyond it sends the option back */
	C_KEYBYTES, /* a box rewrites 2..4 key bytes, an echo beyond it sends the option back */
	C_HEADER,   /* a box changes version or flags, the key survives and is echoed */
	C_SHARED,   /* a box sets its own static key, shared by every address behind it */
	C_REPLAY,   /* a box echoes the probe's MP_CAPABLE option */
	C_MIRROR,   /* a box mirrors the probe's whole option block */
	C_KEYLESS,  /* a broken stack answers a keyless 4-byte v0 MP_CAPABLE */
	C_STRIPPED, /* a real MPTCP host behind a box that strips the option (or NOPs it) */
	C_DARK,     /* nobody there */
	C_COUNT
};
extern const char *const cls_name[C_COUNT];

enum verdict { V_SILENT, V_ICMP, V_RST, V_NOMPTCP, V_MPTCP, V_SHARED, V_MODIFIED, V_REPLAY, V_COUNT };
extern const char *const verdict_name[V_COUNT];

/* The verdict and reason mpcap gives a class. */
struct cls_verdict_def {
	enum verdict v;
	const char *reason;
};
extern const struct cls_verdict_def cls_verdict[C_COUNT];

/* Traced by the tracebox-style prober. */
bool cls_traced(int c);

enum presence { P_STABLE, P_TRANS, P_GROWTH };
enum dist { D_SIZE, D_MPTCP, D_MB };

/* One class of targets of one family and port: how many the study saw (unique over the six
 * months, in study units), the divisor that scales it down at --scale 1, a floor so that rare
 * behaviours always appear, how it comes and goes across months, the share of its paths that
 * tracebox cannot reach, and where in the world it lives. docs/samples.md has this table. */
struct cspec {
	int fam, port, cls;
	double unique, divisor;
	uint64_t floor_n;
	int presence;
	double trans;   /* P_TRANS: share of transient hosts (each present a month with p = 1/2) */
	double growth0; /* P_GROWTH: share present from the first month; the rest start later */
	double flicker; /* P_GROWTH: share that, once started, is present a month with p = 0.7 */
	double unreach; /* share of traced paths on which the destination never answers */
	int dist;
	bool country_floor; /* every country gets at least one (the study saw 80+ countries) */
};

/* The row of fam, port (0: the dark addresses) and class; NULL when the class is absent there. */
const struct cspec *cspec_find(int fam, int port, int cls);

/* the three populations of a family: port 80's hosts, port 443's, and the dark addresses */
int pop_index(int port);
extern const int pop_port[3];

#endif
