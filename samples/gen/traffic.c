/*
 * traffic.c — the scan captures (see traffic.h): for each target of the family, in a keyed random
 * order over 20 hours (IPv4) or 2 hours (IPv6), ZMap's SYN probe (TTL 255, IP ID 54321, the
 * tcp_synopt option block with a v0 MP_CAPABLE key, RFC 6824 §3.1), and what comes back:
 * SYN-ACKs with each class's options and retransmissions, the scanner kernel's RST (RFC 9293
 * §3.10.7.1), RSTs, ICMP/ICMPv6 destination unreachable (RFC 792, RFC 4443). Ethernet link type.
 */
#include "samples/gen/traffic.h"

#include <gsl/gsl_rng.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samples/gen/bytes.h"
#include "samples/gen/host.h"
#include "samples/gen/output.h"
#include "samples/gen/packet.h"
#include "samples/gen/path.h"
#include "samples/gen/responder.h"
#include "samples/gen/truth.h"

static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

uint64_t epoch_us(int y, int mo, int d, int hour, int min)
{
	return (uint64_t)(days_from_civil(y, mo, d) * 86400 + hour * 3600 + min * 60) * 1000000ULL;
}

void scan_file(struct gen *g, int fam, int port, const struct month *mo)
{
	struct world *w = &g->w;
	struct population *P = popf(g, fam);
	struct capture cap;
	capture_open(&cap, g->out, &g->summary, false, fam, port, mo->y, mo->m);
	struct counts *cnt = cap.cnt;
	const char *scan = cap.scan;

	uint64_t fkey =
	    h4(TAG_FILE, g->seed, (uint64_t)fam * 1000 + (uint64_t)port, (uint64_t)(mo->idx + 1000));
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, (unsigned long)(fkey & 0xffffffffu));
	struct perm order;
	perm_init(&order, P->N,
	          h4(TAG_PERM, g->seed, (uint64_t)fam * 1000 + (uint64_t)port, (uint64_t)mo->idx));
	/* IPv4 scans take 20 hours, the IPv6 hitlist 2 hours */
	int day = fam == 4 ? (port == 80 ? 2 : 4) : 6;
	int hour = fam == 4 ? 1 : (port == 80 ? 8 : 12);
	uint64_t t0 = epoch_us(mo->y, mo->m, day, hour, (int)(fkey >> 40) % 50);
	uint64_t dur = (fam == 4 ? 20ULL : 2ULL) * 3600 * 1000000;
	uint64_t dt = P->N ? dur / P->N : 1;
	if (dt < 2)
		dt = 2;
	uint8_t scanner[16] = { 0 };
	scanner_addr(w, fam, scanner);
	uint8_t popt[40];
	size_t poptlen = scan_probe_options(popt, g->probe_key);
	uint8_t pkt[PKT_MAX];

	for (uint64_t i = 0; i < P->N; i++) {
		uint64_t gi = perm_at(&order, i);
		struct host h;
		host_at(g, fam, gi, &h);
		uint64_t conn = h4(TAG_CONN, g->seed, h.hid, (uint64_t)mo->idx * 100000 + (uint64_t)port);
		uint64_t tp = t0 + i * dt + conn % (dt / 2 + 1);
		heap_flush(&cap.hp, tp, &cap.pw);
		/* the probe: ZMap style, TTL 255, IP ID 54321, no DF, window 65535 */
		struct ipf ip = { .ttl = 255, .id = 54321, .df = false, .tos = 0, .flow = 0 };
		struct tcpf t = { .sport = (uint16_t)(32768 + (conn >> 8) % 28232),
			          .dport = (uint16_t)port,
			          .seq = (uint32_t)(conn >> 32),
			          .ack = 0,
			          .flags = TH_SYN,
			          .win = 65535,
			          .opt = popt,
			          .optlen = poptlen };
		size_t len = tcp_packet(pkt, -1, fam, scanner, h.addr, &ip, &t);
		pcapw_write(&cap.pw, tp, pkt, len);
		cnt->probed++;
		if (h.pop != pop_index(port) || !host_present(&h, mo->idx)) {
			cnt->verdict[V_SILENT]++;
			continue;
		}
		/* the answer */
		struct path path;
		build_path(g, &h, &path);
		int H = path.H;
		uint64_t rtt = rtt_us(path.region, H, H, conn >> 20);
		int os = host_os(&h);
		struct answer an = { 0 };
		uint8_t opt[40];
		size_t optlen = 0;
		uint32_t tsval = (uint32_t)(h.hid >> 32) + (uint32_t)((tp / 1000) & 0x7fffffff);
		if (h.cls == C_RST) {
			an.kind = 2;
		} else if (h.cls == C_ICMP) {
			an.kind = 3;
		} else {
			an.kind = 1;
			switch (h.cls) {
			case C_MPTCP:
			case C_REWRITER:
				optlen = os_options(opt, OS_LINUX, tsval, PROBE_TSVAL);
				an.key = fresh_key(rng, g->probe_key);
				optlen += mpc_option(opt + optlen, 12, 0, PROBE_FLAGS, an.key);
				an.mpc = an.has_key = true;
				an.mpc_len = 12;
				an.mpc_flags = PROBE_FLAGS;
				break;
			case C_MIRROR:
				memcpy(opt, popt, poptlen);
				optlen = poptlen;
				an.mpc = an.has_key = true;
				an.mpc_len = 12;
				an.mpc_flags = PROBE_FLAGS;
				an.key = g->probe_key;
				break;
			case C_REPLAY:
			case C_KEYNEAR:
			case C_KEYBYTES:
			case C_HEADER:
			case C_SHARED: {
				int ver;
				optlen = os_options(opt, os, 0, 0);
				box_option(g, &h, g->probe_key, &ver, &an.mpc_flags, &an.key);
				optlen += mpc_option(opt + optlen, 12, ver, an.mpc_flags, an.key);
				an.mpc = an.has_key = true;
				an.mpc_len = 12;
				an.mpc_ver = ver;
				break;
			}
			case C_KEYLESS:
				optlen = os_options(opt, os, 0, 0);
				optlen += mpc_option(opt + optlen, 4, 0, PROBE_FLAGS, 0);
				an.mpc = true;
				an.mpc_len = 4;
				an.mpc_flags = PROBE_FLAGS;
				break;
			default: /* plain stacks and MPTCP hosts whose option was stripped on the way */
				optlen = os_options(opt, os, tsval, PROBE_TSVAL);
			}
		}
		uint64_t ta = tp + rtt;
		if (an.kind == 3) {
			/* the host's gateway (hop H-1) says host unreachable or administratively prohibited
			 */
			const struct router *r = &path.hop[H - 1];
			uint8_t q[PKT_MAX];
			struct ipf qip = { .ttl = (uint8_t)(255 - (H - 1)), .id = 54321, .df = false };
			size_t ql = tcp_packet(q, 0, fam, scanner, h.addr, &qip, &t);
			bool brief = fam == 4 && r->style == S_BRIEF;
			if (brief)
				ql = 28;
			uint8_t code;
			if (fam == 4)
				code = (h.hid >> 9) % 5 < 3 ? 1 : 13;
			else
				code = (h.hid >> 9) % 5 < 3 ? 3 : 1;
			struct ipf oip = { .ttl = (uint8_t)(r->init_ttl - (H - 2)),
				           .id = (uint16_t)(r->idbase + i),
				           .df = false,
				           .tos = 0xc0,
				           .flow = 0 };
			len = icmp_error(pkt, true, fam, r->addr, scanner, &oip, fam == 4 ? 3 : 1, code, q,
			                 ql, false, 0);
			heap_push(&cap.hp, ta, pkt, len);
			an.responses = 1;
			an.ttl = oip.ttl;
		} else {
			uint8_t ttl = (uint8_t)(os_ttl[os] - (H - 1));
			an.ttl = ttl;
			uint32_t isn = (uint32_t)gsl_rng_get(rng);
			struct tcpf r = {
				.sport = (uint16_t)port, .dport = t.sport, .ack = t.seq + 1, .opt = opt
			};
			int retrans = 0;
			bool stack = h.cls == C_PLAIN || h.cls == C_MPTCP || h.cls == C_REWRITER ||
			             h.cls == C_STRIPPED;
			if (an.kind == 1 && stack && u01(h3(conn, TAG_CONN, 7)) < 0.07)
				retrans = 1 + (int)(h3(conn, TAG_CONN, 8) % 3);
			uint32_t flow =
			    (fam == 6 && os == OS_LINUX) ? (uint32_t)(h3(conn, TAG_CONN, 9) & 0xfffff) : 0;
			for (int k = 0; k <= retrans; k++) {
				uint64_t tk = ta + (k == 0 ? 0 : ((1ULL << k) - 1) * 1000000ULL);
				if (an.kind == 1) {
					r.seq = isn;
					r.flags = TH_SYN | TH_ACK;
					r.win = os_win[os];
					r.optlen = optlen;
					/* timestamps advance with the retransmission (Linux counts
					 * milliseconds) */
					if (optlen >= 16 && (os == OS_LINUX || os == OS_BSD) &&
					    h.cls != C_MIRROR && !(h.cls >= C_KEYNEAR && h.cls <= C_REPLAY) &&
					    h.cls != C_KEYLESS)
						put32(opt + (os == OS_LINUX ? 8 : 12),
						      tsval + (uint32_t)((tk - ta) / 1000));
				} else {
					r.seq = 0;
					r.flags = TH_RST | TH_ACK;
					r.win = 0;
					r.optlen = 0;
				}
				struct ipf rip = { .ttl = ttl,
					           .id = os_ipid(os, h.hid, conn, k),
					           .df = os_df(os),
					           .tos = 0,
					           .flow = flow };
				len = tcp_packet(pkt, 1, fam, h.addr, scanner, &rip, &r);
				heap_push(&cap.hp, tk, pkt, len);
				if (an.kind == 1) {
					/* the scanner's kernel knows no such connection: RST (RFC 9293
					 * §3.10.7.1) */
					struct tcpf rs = { .sport = t.sport,
						           .dport = (uint16_t)port,
						           .seq = t.seq + 1,
						           .ack = 0,
						           .flags = TH_RST,
						           .win = 0 };
					struct ipf sip = {
						.ttl = 64, .id = 0, .df = true, .tos = 0, .flow = 0
					};
					len = tcp_packet(pkt, -1, fam, scanner, h.addr, &sip, &rs);
					heap_push(&cap.hp, tk + 20 + (conn >> 50) % 40, pkt, len);
				}
			}
			an.responses = 1 + retrans;
		}
		/* the truth */
		uint64_t group = 0;
		if (h.cls == C_SHARED) {
			const struct block *b = &P->blk[find_block(P, gi)];
			group = b->n;
		}
		truth_scan_row(cap.tf, cnt, w, scan, port, &h, &an, &path, group);
	}
	gsl_rng_free(rng);
	capture_close(&cap);
	if (!g->quiet)
		fprintf(stderr,
		        "mpcap-gen: scan-%s-p%d-v%d.pcap: %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64
		        " probed, %" PRIu64 " responsive, %" PRIu64 " MP_CAPABLE\n",
		        scan, port, fam, cap.pw.pkts, cap.pw.bytes, cnt->probed, cnt->responsive,
		        cnt->mpcapable);
}
