/*
 * tracebox.c — the tracebox captures (see tracebox.h), as tracebox's own -f file records them
 * (raw IP, link type 101): per destination, one SYN with the MP_CAPABLE option alone (RFC 6824
 * §3.1) for TTL 1, 2, ..., the same IP ID and sequence number at every TTL; the routers' ICMP
 * time-exceeded (RFC 792; longer quotes RFC 1812 §4.3.2.3; RFC 4884 extensions with MPLS labels,
 * RFC 4950) or ICMPv6 (RFC 4443) quotes showing the option as the boxes before them left it; the
 * destination's SYN-ACK; three silent hops in a row end a trace.
 */
#include "samples/gen/tracebox.h"

#include <gsl/gsl_rng.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samples/gen/host.h"
#include "samples/gen/output.h"
#include "samples/gen/packet.h"
#include "samples/gen/path.h"
#include "samples/gen/responder.h"
#include "samples/gen/traffic.h"
#include "samples/gen/truth.h"

static const char style_code[] = { 'F', 'X', 'B', '-' };

static void trace_host(struct gen *g, const struct host *h, int port, const struct month *mo, uint64_t tstart,
                       gsl_rng *rng, struct heap *hp, FILE *tf, struct counts *cnt, const char *scan)
{
	const struct world *w = &g->w;
	int fam = h->fam;
	struct path path;
	build_path(g, h, &path);
	int H = path.H;
	uint64_t th = h4(TAG_TRACE, g->seed, h->hid, (uint64_t)mo->idx * 1000 + (uint64_t)port);
	uint8_t scanner[16] = { 0 };
	scanner_addr(w, fam, scanner);
	/* tracebox's probe: IP/TCP/MPCAPABLE, window 5840, DF, one IP ID and sequence number for
	 * every TTL of the trace, the MP_CAPABLE option alone */
	uint8_t popt[12], mopt[12];
	mpc_option(popt, 12, 0, PROBE_FLAGS, g->probe_key);
	size_t moptlen = 12;
	memcpy(mopt, popt, 12);
	uint64_t keyseen = g->probe_key; /* the key the destination receives */
	int verseen = 0;
	uint8_t flagseen = PROBE_FLAGS;
	if (path.k) {
		switch (path.change) {
		case CH_STRIP:
			moptlen = 0;
			break;
		case CH_NOP:
			memset(mopt, 1, 12);
			break;
		case CH_KEY:
			keyseen = h->cls == C_REWRITER ? fresh_key(rng, g->probe_key) : 0;
			if (h->cls != C_REWRITER)
				box_option(g, h, g->probe_key, &verseen, &flagseen, &keyseen);
			mpc_option(mopt, 12, verseen, flagseen, keyseen);
			break;
		case CH_FLAGS:
		case CH_VERSION:
			if (h->cls == C_REWRITER)
				flagseen = PROBE_FLAGS & ~0x01;
			else
				box_option(g, h, g->probe_key, &verseen, &flagseen, &keyseen);
			mpc_option(mopt, 12, verseen, flagseen, keyseen);
			break;
		default:
			break;
		}
	}
	struct ipf ip = { .ttl = 1, .id = (uint16_t)(th >> 16), .df = true, .tos = 0, .flow = 0 };
	struct tcpf t = { .sport = (uint16_t)(32768 + th % 28000),
		          .dport = (uint16_t)port,
		          .seq = (uint32_t)(th >> 32),
		          .ack = 0,
		          .flags = TH_SYN,
		          .win = 5840,
		          .opt = popt,
		          .optlen = 12 };
	char quotes[MAX_HOPS + 2];
	int nq = 0, run = 0, probes = 0;
	bool answered_dest = false;
	uint64_t tp = tstart;
	uint8_t pkt[PKT_MAX], q[PKT_MAX];
	for (int ttl = 1; ttl <= 30; ttl++) {
		ip.ttl = (uint8_t)ttl;
		size_t len = tcp_packet(pkt, 0, fam, scanner, h->addr, &ip, &t);
		heap_push(hp, tp, pkt, len);
		probes++;
		uint64_t rh = h3(th, (uint64_t)ttl, 3);
		bool ans = false;
		uint64_t tr = tp + rtt_us(path.region, ttl < H ? ttl : H, H, rh);
		if (ttl < H) {
			const struct router *r = &path.hop[ttl];
			ans = r->style != S_SILENT && !(path.unreach && ttl > path.jstop);
			if (ans) {
				/* the probe as it arrived: TTL 1, the option as the boxes before left it */
				struct ipf qip = ip;
				qip.ttl = 1;
				struct tcpf qt = t;
				if (path.k && ttl >= path.k) {
					qt.opt = mopt;
					qt.optlen = moptlen;
				}
				size_t ql = tcp_packet(q, 0, fam, scanner, h->addr, &qip, &qt);
				if (r->style == S_BRIEF && fam == 4)
					ql = 28;
				struct ipf oip = { .ttl = (uint8_t)(r->init_ttl - (ttl - 1)),
					           .id = (uint16_t)(r->idbase + (rh & 0xfff)),
					           .df = false,
					           .tos = 0xc0,
					           .flow = 0 };
				len = icmp_error(pkt, false, fam, r->addr, scanner, &oip, fam == 4 ? 11 : 3,
				                 0, q, ql, r->style == S_4884, r->label);
				heap_push(hp, tr, pkt, len);
			}
			if (nq < MAX_HOPS)
				quotes[nq++] = ans ? style_code[r->style] : '-';
		} else if (!path.unreach) {
			/* the destination answers */
			uint8_t o[40];
			size_t ol = 0;
			int os = host_os(h);
			o[ol++] = 2, o[ol++] = 4, o[ol++] = 0x05, o[ol++] = 0xb4;
			switch (h->cls) {
			case C_MPTCP:
			case C_REWRITER:
				ol += mpc_option(o + ol, 12, 0, PROBE_FLAGS, fresh_key(rng, g->probe_key));
				break;
			case C_MIRROR:
				memcpy(o, popt, 12);
				ol = 12;
				break;
			case C_STRIPPED:
				break;
			default: /* echo boxes send back the option they received */
				memcpy(o + ol, mopt, 12);
				ol += 12;
			}
			struct tcpf r = { .sport = (uint16_t)port,
				          .dport = t.sport,
				          .seq = (uint32_t)gsl_rng_get(rng),
				          .ack = t.seq + 1,
				          .flags = TH_SYN | TH_ACK,
				          .win = os_win[os],
				          .opt = o,
				          .optlen = ol };
			struct ipf rip = { .ttl = (uint8_t)(os_ttl[os] - (H - 1)),
				           .id = os_ipid(os, h->hid, th, 0),
				           .df = os_df(os),
				           .tos = 0,
				           .flow =
				               (fam == 6 && os == OS_LINUX) ? (uint32_t)(th & 0xfffff) : 0 };
			len = tcp_packet(pkt, 0, fam, h->addr, scanner, &rip, &r);
			heap_push(hp, tr, pkt, len);
			ans = answered_dest = true;
		}
		if (answered_dest)
			break;
		if (ans) {
			run = 0;
			tp = tr + 20000 + rh % 20000;
		} else {
			if (++run >= 3)
				break;
			tp += 1000000; /* one second without an answer */
		}
	}
	quotes[nq] = 0;
	truth_trace_row(tf, cnt, scan, port, h, &path, probes, answered_dest, quotes);
}

void tracebox_file(struct gen *g, int fam, int port, const struct month *mo)
{
	struct population *P = popf(g, fam);
	struct capture cap;
	capture_open(&cap, g->out, &g->summary, true, fam, port, mo->y, mo->m);
	struct counts *cnt = cap.cnt;
	const char *scan = cap.scan;
	int pi = pop_index(port);
	uint64_t total = 0;
	for (int c = 0; c < C_COUNT; c++)
		if (cls_traced(c) && P->ci[pi][c].sp)
			total += P->ci[pi][c].n;
	uint64_t fkey =
	    h4(TAG_FILE, g->seed, (uint64_t)fam * 1000 + (uint64_t)port, (uint64_t)(mo->idx + 5000));
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, (unsigned long)(fkey & 0xffffffffu));
	struct perm order;
	perm_init(&order, total,
	          h4(TAG_TRACE, g->seed, (uint64_t)fam * 1000 + (uint64_t)port, (uint64_t)mo->idx));
	int day = fam == 4 ? (port == 80 ? 8 : 10) : (port == 80 ? 12 : 13);
	uint64_t t0 = epoch_us(mo->y, mo->m, day, 2, (int)(fkey >> 40) % 50);
	uint64_t window = (fam == 4 ? 36ULL : 8ULL) * 3600 * 1000000;
	uint64_t delta = total ? window / total : window;
	for (uint64_t i = 0; i < total; i++) {
		uint64_t x = perm_at(&order, i);
		const struct cinst *ci = NULL;
		for (int c = 0; c < C_COUNT; c++) {
			if (!cls_traced(c) || !P->ci[pi][c].sp)
				continue;
			if (x < P->ci[pi][c].n) {
				ci = &P->ci[pi][c];
				break;
			}
			x -= P->ci[pi][c].n;
		}
		if (ci == NULL || ci->blk_count == 0)
			continue;
		struct host h;
		host_at(g, fam, class_rank_gi(P, ci, x), &h);
		if (!host_present(&h, mo->idx))
			continue;
		uint64_t ts = t0 + i * delta;
		heap_flush(&cap.hp, ts, &cap.pw);
		trace_host(g, &h, port, mo, ts, rng, &cap.hp, cap.tf, cnt, scan);
	}
	gsl_rng_free(rng);
	capture_close(&cap);
	if (!g->quiet)
		fprintf(stderr,
		        "mpcap-gen: tracebox-%s-p%d-v%d.pcap: %" PRIu64 " packets, %" PRIu64
		        " bytes, %" PRIu64 " destinations traced\n",
		        scan, port, fam, cap.pw.pkts, cap.pw.bytes, cnt->traced);
}
