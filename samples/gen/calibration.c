/*
 * calibration.c — the classes of targets, their names and verdicts, and the calibration table
 * (see calibration.h): how many hosts of each class the study saw per family and port, how they
 * are scaled down, how they come and go across months and where in the world they live. The
 * numbers are the study's published aggregates (docs/samples.md).
 */
#include "samples/gen/calibration.h"

#include <stddef.h>

const char *const cls_name[C_COUNT] = {
	"plain",
	"rst",
	"icmp-unreachable",
	"mptcp-host",
	"mptcp-behind-rewriter",
	"key-near-box",
	"key-bytes-box",
	"header-box",
	"shared-key-box",
	"replay-box",
	"mirror-box",
	"keyless-mpc-box",
	"mptcp-behind-stripper",
	"dark",
};

const char *const verdict_name[V_COUNT] = { "silent", "icmp-unreachable", "rst",      "no-mptcp",
	                                    "mptcp",  "shared-key",       "modified", "replay" };

const struct cls_verdict_def cls_verdict[C_COUNT] = {
	[C_PLAIN] = { V_NOMPTCP, "" },
	[C_RST] = { V_RST, "" },
	[C_ICMP] = { V_ICMP, "" },
	[C_MPTCP] = { V_MPTCP, "" },
	[C_REWRITER] = { V_MPTCP, "" },
	[C_KEYNEAR] = { V_MODIFIED, "key-near" },
	[C_KEYBYTES] = { V_MODIFIED, "key-bytes-equal" },
	[C_HEADER] = { V_MODIFIED, "header-changed" },
	[C_SHARED] = { V_SHARED, "key-shared" },
	[C_REPLAY] = { V_REPLAY, "key-equal" },
	[C_MIRROR] = { V_REPLAY, "options-mirrored" },
	[C_KEYLESS] = { V_NOMPTCP, "mpc-without-key" },
	[C_STRIPPED] = { V_NOMPTCP, "" },
	[C_DARK] = { V_SILENT, "" },
};

/* traced by the tracebox-style prober: the MP_CAPABLE responders with a key, and the hosts
 * behind option strippers (as a control, like the namespace lab's stripped listener) */
bool cls_traced(int c)
{
	return c >= C_MPTCP && c <= C_MIRROR ? true : c == C_STRIPPED;
}

static const struct cspec cspecs[] = {
	/* IPv4 port 80: 60M responsive per scan, 74M unique over the period */
	{ 4, 80, C_PLAIN, 53.28e6, 7.5e4, 0, P_TRANS, 0.378, 0, 0, 0, D_SIZE, false },
	{ 4, 80, C_RST, 16.28e6, 7.5e4, 0, P_TRANS, 0.378, 0, 0, 0, D_SIZE, false },
	{ 4, 80, C_ICMP, 4.44e6, 7.5e4, 0, P_TRANS, 0.378, 0, 0, 0, D_SIZE, false },
	{ 4, 80, C_MPTCP, 8330, 30, 0, P_GROWTH, 0, 0.53, 0.10, 0.10, D_MPTCP, true },
	{ 4, 80, C_REWRITER, 3, 30, 2, P_STABLE, 0, 0, 0, 0, D_MPTCP, false },
	{ 4, 80, C_KEYNEAR, 150, 30, 2, P_TRANS, 0.2, 0, 0, 0.2, D_MB, false },
	{ 4, 80, C_KEYBYTES, 120, 30, 2, P_TRANS, 0.2, 0, 0, 0.2, D_MB, false },
	{ 4, 80, C_HEADER, 60, 30, 2, P_TRANS, 0.2, 0, 0, 0.2, D_MB, false },
	{ 4, 80, C_SHARED, 90, 30, 2, P_STABLE, 0, 0, 0, 0.2, D_MB, false },
	{ 4, 80, C_REPLAY, 77000, 700, 0, P_TRANS, 0.18, 0, 0, 0.50, D_MB, false },
	{ 4, 80, C_MIRROR, 33000, 700, 0, P_TRANS, 0.18, 0, 0, 0.50, D_MB, false },
	{ 4, 80, C_KEYLESS, 60, 30, 2, P_STABLE, 0, 0, 0, 0, D_MB, false },
	{ 4, 80, C_STRIPPED, 90, 30, 3, P_STABLE, 0, 0, 0, 0, D_MPTCP, false },
	/* IPv4 port 443: 50M responsive per scan, 52M unique */
	{ 4, 443, C_PLAIN, 37.44e6, 7.5e4, 0, P_TRANS, 0.077, 0, 0, 0, D_SIZE, false },
	{ 4, 443, C_RST, 11.44e6, 7.5e4, 0, P_TRANS, 0.077, 0, 0, 0, D_SIZE, false },
	{ 4, 443, C_ICMP, 3.12e6, 7.5e4, 0, P_TRANS, 0.077, 0, 0, 0, D_SIZE, false },
	{ 4, 443, C_MPTCP, 7670, 30, 0, P_GROWTH, 0, 0.75, 0.10, 0.10, D_MPTCP, true },
	{ 4, 443, C_REWRITER, 3, 30, 2, P_STABLE, 0, 0, 0, 0, D_MPTCP, false },
	{ 4, 443, C_KEYNEAR, 450, 30, 2, P_TRANS, 0.2, 0, 0, 0.2, D_MB, false },
	{ 4, 443, C_KEYBYTES, 360, 30, 2, P_TRANS, 0.2, 0, 0, 0.2, D_MB, false },
	{ 4, 443, C_HEADER, 180, 30, 2, P_TRANS, 0.2, 0, 0, 0.2, D_MB, false },
	{ 4, 443, C_SHARED, 360, 30, 2, P_STABLE, 0, 0, 0, 0.2, D_MB, false },
	{ 4, 443, C_REPLAY, 77000, 700, 0, P_TRANS, 0.18, 0, 0, 0.965, D_MB, false },
	{ 4, 443, C_MIRROR, 33000, 700, 0, P_TRANS, 0.18, 0, 0, 0.965, D_MB, false },
	{ 4, 443, C_KEYLESS, 60, 30, 2, P_STABLE, 0, 0, 0, 0, D_MB, false },
	{ 4, 443, C_STRIPPED, 90, 30, 3, P_STABLE, 0, 0, 0, 0, D_MPTCP, false },
	/* IPv6 port 80 (hitlist): 746k responsive, 43 MP_CAPABLE, 31 true MPTCP, none unreachable */
	{ 6, 80, C_PLAIN, 656e3, 1500, 0, P_TRANS, 0.18, 0, 0, 0, D_SIZE, false },
	{ 6, 80, C_RST, 139.4e3, 1500, 0, P_TRANS, 0.18, 0, 0, 0, D_SIZE, false },
	{ 6, 80, C_ICMP, 24.6e3, 1500, 0, P_TRANS, 0.18, 0, 0, 0, D_SIZE, false },
	{ 6, 80, C_MPTCP, 31, 1, 0, P_GROWTH, 0, 0.80, 0, 0, D_MPTCP, false },
	{ 6, 80, C_KEYNEAR, 2, 1, 0, P_STABLE, 0, 0, 0, 0, D_MB, false },
	{ 6, 80, C_SHARED, 2, 1, 0, P_STABLE, 0, 0, 0, 0, D_MB, false },
	{ 6, 80, C_REPLAY, 6, 1, 0, P_STABLE, 0, 0, 0, 0, D_MB, false },
	{ 6, 80, C_MIRROR, 2, 1, 0, P_STABLE, 0, 0, 0, 0, D_MB, false },
	{ 6, 80, C_STRIPPED, 2, 1, 2, P_STABLE, 0, 0, 0, 0, D_MPTCP, false },
	/* IPv6 port 443: 544k responsive, 165 MP_CAPABLE, 27 true MPTCP, 82% unreachable */
	{ 6, 443, C_PLAIN, 480e3, 1500, 0, P_TRANS, 0.18, 0, 0, 0, D_SIZE, false },
	{ 6, 443, C_RST, 102e3, 1500, 0, P_TRANS, 0.18, 0, 0, 0, D_SIZE, false },
	{ 6, 443, C_ICMP, 18e3, 1500, 0, P_TRANS, 0.18, 0, 0, 0, D_SIZE, false },
	{ 6, 443, C_MPTCP, 34, 1, 0, P_GROWTH, 0, 0.85, 0, 7.0 / 34, D_MPTCP, false },
	{ 6, 443, C_KEYNEAR, 2, 1, 0, P_STABLE, 0, 0, 0, 1.0, D_MB, false },
	{ 6, 443, C_KEYBYTES, 2, 1, 0, P_STABLE, 0, 0, 0, 1.0, D_MB, false },
	{ 6, 443, C_SHARED, 2, 1, 0, P_STABLE, 0, 0, 0, 1.0, D_MB, false },
	{ 6, 443, C_REPLAY, 90, 1, 0, P_STABLE, 0, 0, 0, 88.0 / 90, D_MB, false },
	{ 6, 443, C_MIRROR, 35, 1, 0, P_STABLE, 0, 0, 0, 34.0 / 35, D_MB, false },
	{ 6, 443, C_STRIPPED, 2, 1, 2, P_STABLE, 0, 0, 0, 0, D_MPTCP, false },
	/* silent addresses: IPv4 the ~3.6G addresses that never answer; IPv6 the silent part of
	 * a ~3M-address hitlist. Probed on both ports. */
	{ 4, 0, C_DARK, 3.6e9, 4e6, 0, P_STABLE, 0, 0, 0, 0, D_SIZE, false },
	{ 6, 0, C_DARK, 2.3e6, 6000, 0, P_STABLE, 0, 0, 0, 0, D_SIZE, false },
};
#define NCSPECS ((int)(sizeof(cspecs) / sizeof(cspecs[0])))

const struct cspec *cspec_find(int fam, int port, int cls)
{
	const struct cspec *sp = NULL;
	for (int i = 0; i < NCSPECS; i++)
		if (cspecs[i].fam == fam && cspecs[i].port == port && cspecs[i].cls == cls)
			sp = &cspecs[i];
	return sp;
}

int pop_index(int port)
{
	return port == 80 ? 0 : port == 443 ? 1 : 2;
}
const int pop_port[3] = { 80, 443, 0 };
