/*
 * abscan.c — A/B scan captures (see abscan.h). Probes are ZMap-style SYNs (TTL 255, IP ID 54321)
 * with MSS, SACK permitted, timestamps, NOP, window scale, and then nothing (plain), a v0
 * MP_CAPABLE option with the probe key (12 bytes, RFC 6824 §3.1) or a v1 one without a key (4
 * bytes, RFC 8684 §3.1); answers as traffic.c makes them: SYN-ACKs (RFC 9293; a kernel-MPTCP host
 * answers MP_CAPABLE SYNs with its own key), the scanner kernel's RST, RSTs, ICMP/ICMPv6
 * unreachable from the host's gateway (RFC 792, RFC 4443). The truth row of a target says which
 * kinds it was sent, its path, its answer, and what an A/B comparison must find: mpc-dropped (with
 * the versions), plain-dropped, ambiguous, silent or none.
 */
#include "samples/gen/abscan.h"

#include <gsl/gsl_rng.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "samples/gen/bytes.h"
#include "samples/gen/calibration.h"
#include "samples/gen/hash.h"
#include "samples/gen/host.h"
#include "samples/gen/output.h"
#include "samples/gen/packet.h"
#include "samples/gen/path.h"
#include "samples/gen/responder.h"
#include "samples/gen/traffic.h"
#include "samples/gen/world.h"

enum { K_PLAIN, K_V0, K_V1, K_COUNT };
enum ab_path { P_OPEN, P_MPC_DROP, P_V0_DROP, P_PLAIN_DROP, P_LOSSY, P_FALLBACK, P_COUNT };
static const char *const path_name[P_COUNT] = { "open",          "mpc-dropper", "v0-dropper",
	                                        "plain-dropper", "lossy",       "fallback" };
#define TAG_AB 0x4142u
#define RETRIES 2

void ab_rates_default(struct ab_rates *r)
{
	r->mpc_drop = 0.04;
	r->v0_drop = 0.01;
	r->plain_drop = 0.01;
	r->lossy = 0.03;
	r->fallback = 0.01;
}

static enum ab_path path_of(const struct ab_rates *r, double u)
{
	const double edge[] = { r->fallback, r->mpc_drop, r->v0_drop, r->plain_drop, r->lossy };
	const enum ab_path which[] = { P_FALLBACK, P_MPC_DROP, P_V0_DROP, P_PLAIN_DROP, P_LOSSY };
	double acc = 0;
	for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
		acc += edge[i];
		if (u < acc)
			return which[i];
	}
	return P_OPEN;
}

/* Does attempt a of a probe of kind k get through path p? */
static bool delivered(enum ab_path p, int k, int a)
{
	switch (p) {
	case P_MPC_DROP:
		return k == K_PLAIN;
	case P_V0_DROP:
		return k != K_V0;
	case P_PLAIN_DROP:
		return k != K_PLAIN;
	case P_LOSSY:
		return a > 0;
	default:
		return true;
	}
}

/* The probe options of a kind: the tcp_synopt head, then the MP_CAPABLE option if any. */
static size_t probe_options(uint8_t *o, int k, uint64_t key)
{
	size_t n = scan_probe_options(o, key) - 12; /* the head without its v0 option */
	if (k == K_V0)
		n += mpc_option(o + n, 12, 0, PROBE_FLAGS, key);
	else if (k == K_V1)
		n += mpc_option(o + n, 4, 1, PROBE_FLAGS, 0);
	return n;
}

struct ab_ctx {
	struct gen *g;
	int fam, port;
	uint8_t scanner[16];
	struct heap hp;
	struct pcapw pw;
	gsl_rng *rng;
};

/* One answer of h to a probe t of kind k at time ta (kind of answer: 1 SYN-ACK, 2 RST, 3 ICMP). */
static void answer(struct ab_ctx *c, const struct host *h, const struct path *path, int kind, int k,
                   const struct tcpf *t, uint64_t ta, uint64_t conn)
{
	uint8_t pkt[PKT_MAX];
	size_t len;
	int H = path->H;
	if (kind == 3) {
		const struct router *r = &path->hop[H - 1];
		uint8_t q[PKT_MAX];
		struct ipf qip = { .ttl = (uint8_t)(255 - (H - 1)), .id = 54321 };
		size_t ql = tcp_packet(q, 0, c->fam, c->scanner, h->addr, &qip, t);
		struct ipf oip = { .ttl = (uint8_t)(r->init_ttl - (H - 2)),
			           .id = (uint16_t)(r->idbase + conn) };
		len = icmp_error(pkt, true, c->fam, r->addr, c->scanner, &oip, c->fam == 4 ? 3 : 1,
		                 c->fam == 4 ? 13 : 1, q, ql, false, 0);
		heap_push(&c->hp, ta, pkt, len);
		return;
	}
	int os = host_os(h);
	uint8_t opt[40];
	size_t optlen = 0;
	struct tcpf r = { .sport = (uint16_t)c->port, .dport = t->sport, .ack = t->seq + 1, .opt = opt };
	if (kind == 1) {
		optlen = os_options(opt, os, (uint32_t)(h->hid >> 32), PROBE_TSVAL);
		if (h->cls == C_MPTCP &&
		    k != K_PLAIN) /* a kernel-MPTCP host: its own key, the probe's version */
			optlen +=
			    mpc_option(opt + optlen, 12, k == K_V0 ? 0 : 1, k == K_V0 ? PROBE_FLAGS : 0x01,
			               fresh_key(c->rng, c->g->probe_key));
		r.seq = (uint32_t)gsl_rng_get(c->rng);
		r.flags = TH_SYN | TH_ACK;
		r.win = os_win[os];
		r.optlen = optlen;
	} else {
		r.flags = TH_RST | TH_ACK;
	}
	struct ipf rip = { .ttl = (uint8_t)(os_ttl[os] - (H - 1)),
		           .id = os_ipid(os, h->hid, conn, k),
		           .df = os_df(os) };
	len = tcp_packet(pkt, 1, c->fam, h->addr, c->scanner, &rip, &r);
	heap_push(&c->hp, ta, pkt, len);
	if (kind == 1) { /* the scanner's kernel knows no such connection (RFC 9293 §3.10.7.1) */
		struct tcpf rs = {
			.sport = t->sport, .dport = (uint16_t)c->port, .seq = t->seq + 1, .flags = TH_RST
		};
		struct ipf sip = { .ttl = 64, .df = true };
		len = tcp_packet(pkt, -1, c->fam, c->scanner, h->addr, &sip, &rs);
		heap_push(&c->hp, ta + 30, pkt, len);
	}
}

void abscan_file(struct gen *g, const struct ab_rates *rates, int fam, int port, const struct month *mo)
{
	struct population *P = popf(g, fam);
	struct ab_ctx c = { .g = g, .fam = fam, .port = port };
	char name[64], tname[80], tmp[4300];
	snprintf(name, sizeof name, "abtest-%04d-%02d-p%d-v%d.pcap", mo->y, mo->m, port, fam);
	snprintf(tname, sizeof tname, "truth-abtest-%04d-%02d-p%d-v%d.csv", mo->y, mo->m, port, fam);
	pcapw_open(&c.pw, g->out, name, DLT_EN10MB);
	FILE *tf = open_out(g->out, tname, tmp, sizeof tmp);
	fputs("address,port,family,versions,path,answer,asn,country,expect,expect_reason\n", tf);
	uint64_t fkey = h4(TAG_AB, g->seed, (uint64_t)fam * 1000 + (uint64_t)port, (uint64_t)mo->idx);
	c.rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(c.rng, (unsigned long)(fkey & 0xffffffffu));
	scanner_addr(&g->w, fam, c.scanner);
	struct perm order;
	perm_init(&order, P->N, fkey);
	uint64_t t0 = epoch_us(mo->y, mo->m, 20, fam == 4 ? 1 : 12, 0);
	uint64_t dt = 3000000; /* a target every 3 s: its retries (1 s later) come before the next */
	uint64_t counts[6] = { 0 };
	for (uint64_t i = 0; i < P->N; i++) {
		struct host h;
		host_at(g, fam, perm_at(&order, i), &h);
		uint64_t hk = h4(TAG_AB, g->seed, h.hid, (uint64_t)port);
		bool sent[K_COUNT] = { true, hk % 4 != 1, hk % 4 != 0 }; /* v0, v1 or both */
		enum ab_path p = path_of(rates, u01(h3(hk, TAG_AB, 1)));
		bool live = h.pop == pop_index(port) && host_present(&h, mo->idx);
		int kind = h.cls == C_RST ? 2 : h.cls == C_ICMP ? 3 : 1;
		struct path path; /* only a live host answers: others may have no country, so no path */
		if (live)
			build_path(g, &h, &path);
		else
			memset(&path, 0, sizeof path);
		uint64_t tp = t0 + i * dt;
		heap_flush(&c.hp, tp, &c.pw);
		bool answered[K_COUNT] = { false };
		uint16_t base = (uint16_t)(32768 + (hk >> 16) % 20000);
		for (int k = 0; k < K_COUNT; k++) {
			if (!sent[k])
				continue;
			uint8_t popt[40];
			struct tcpf t = { .sport = (uint16_t)(p == P_FALLBACK ? base : base + 1 + k),
				          .dport = (uint16_t)port,
				          .seq = (uint32_t)h3(hk, TAG_AB, 10 + (uint64_t)k),
				          .flags = TH_SYN,
				          .win = 65535,
				          .opt = popt,
				          .optlen = probe_options(popt, k, g->probe_key) };
			for (int a = 0; a < RETRIES; a++) {
				uint8_t pkt[PKT_MAX];
				uint64_t ts = tp + (uint64_t)k * 100000 + (uint64_t)a * 1000000;
				struct ipf ip = { .ttl = 255, .id = 54321 };
				size_t len = tcp_packet(pkt, -1, fam, c.scanner, h.addr, &ip, &t);
				heap_push(&c.hp, ts, pkt, len);
				if (live && delivered(p, k, a)) {
					answered[k] = true;
					answer(&c, &h, &path, kind, k, &t,
					       ts + rtt_us(path.region, path.H, path.H, hk),
					       hk + (uint64_t)(k * RETRIES + a));
				}
			}
		}
		/* what the A/B comparison must find */
		const char *expect = "none";
		char reason[40] = "";
		bool mpc_answered = answered[K_V0] || answered[K_V1];
		if (p == P_FALLBACK) {
			expect = "ambiguous";
		} else if (!live) {
			expect = "silent";
		} else if (answered[K_PLAIN] &&
		           ((sent[K_V0] && !answered[K_V0]) || (sent[K_V1] && !answered[K_V1]))) {
			expect = "mpc-dropped";
			snprintf(reason, sizeof reason, "%s%s%s",
			         sent[K_V0] && !answered[K_V0] ? "mpc-dropped-v0" : "",
			         sent[K_V0] && !answered[K_V0] && sent[K_V1] && !answered[K_V1] ? " " : "",
			         sent[K_V1] && !answered[K_V1] ? "mpc-dropped-v1" : "");
		} else if (!answered[K_PLAIN] && mpc_answered) {
			expect = "plain-dropped";
		}
		char a[64];
		addr_text(fam, h.addr, a, sizeof a);
		const struct prefix *pf = &g->w.pfx[h.pfx];
		fprintf(tf, "%s,%d,%d,%s,%s,%s,", a, port, fam,
		        sent[K_V0] && sent[K_V1] ? "v0+v1"
		        : sent[K_V0]             ? "v0"
		                                 : "v1",
		        path_name[p],
		        !live       ? "none"
		        : kind == 1 ? "synack"
		        : kind == 2 ? "rst"
		                    : "icmp-unreachable");
		csv_field(tf, pf->origin);
		fprintf(tf, ",%s,%s,%s\n", pf->cc >= 0 ? world_countries[pf->cc].cc : "", expect, reason);
		counts[0]++;
	}
	heap_flush(&c.hp, UINT64_MAX, &c.pw);
	pcapw_close(&c.pw);
	close_out(tf, tmp);
	gsl_rng_free(c.rng);
	free(c.hp.a);
	if (!g->quiet)
		fprintf(stderr, "mpcap-gen: %s: %" PRIu64 " packets, %" PRIu64 " targets\n", name, c.pw.pkts,
		        counts[0]);
}
