/*
 * truth.h — what mpcap-gen knows about what it generated: one truth row per target that answered
 * a scan (truth-YYYY-MM-pPORT-vF.csv), one per traced destination
 * (truth-tracebox-YYYY-MM-pPORT-vF.csv), and the counters of every file (truth-summary.csv).
 * The columns are described in docs/samples.md.
 */
#ifndef MPCAP_SAMPLES_GEN_TRUTH_H
#define MPCAP_SAMPLES_GEN_TRUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "samples/gen/calibration.h"
#include "samples/gen/host.h"
#include "samples/gen/output.h"
#include "samples/gen/path.h"
#include "samples/gen/world.h"

struct counts {
	char scan[16];
	int fam, port;
	const char *kind; /* "scan" or "tracebox" */
	uint64_t probed, responsive, mpcapable, packets, bytes;
	uint64_t verdict[V_COUNT];
	uint64_t cls[C_COUNT];
	uint64_t tb_true, tb_mb, tb_unreach, tb_untraced;
	uint64_t traced;
};

/* The counters of every file, in the order the files were written. */
struct summary {
	struct counts *c;
	size_t n, cap;
};

/* The counters of one more file, zeroed. */
struct counts *counts_new(struct summary *s);
/* DIR/truth-summary.csv */
void write_summary(const char *dir, const struct summary *s);

/* One capture being written (scan-YYYY-MM-pPORT-vF.pcap or tracebox-...), its truth file and
 * its counters. */
struct capture {
	char scan[16]; /* YYYY-MM */
	struct pcapw pw;
	struct heap hp; /* packets not yet due */
	FILE *tf;
	char tmp[4300];
	struct counts *cnt;
};
/* Opens DIR's capture (Ethernet for a scan, raw IP for tracebox) and truth file with its header,
 * and adds its counters to s. */
void capture_open(struct capture *c, const char *dir, struct summary *s, bool tracebox, int fam, int port,
                  int y, int m);
/* Writes the packets still waiting, counts packets and bytes, and closes both files. */
void capture_close(struct capture *c);

/* What a scanned target sent back. */
struct answer {
	int kind; /* 0 none, 1 synack, 2 rst, 3 icmp */
	int responses;
	uint8_t ttl;
	bool mpc;
	int mpc_len, mpc_ver;
	uint8_t mpc_flags;
	bool has_key;
	uint64_t key;
};

void truth_scan_header(FILE *f);
/* Counts a target that answered and writes its row; group: its shared-key group's size, or 0. */
void truth_scan_row(FILE *f, struct counts *cnt, const struct world *w, const char *scan, int port,
                    const struct host *h, const struct answer *an, const struct path *path, uint64_t group);

void truth_trace_header(FILE *f);
/* Counts a traced destination and writes its row: probes sent, whether the destination answered,
 * the quoting style per hop (quotes). */
void truth_trace_row(FILE *f, struct counts *cnt, const char *scan, int port, const struct host *h,
                     const struct path *path, int probes, bool answered_dest, const char *quotes);

#endif
