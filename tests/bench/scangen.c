/* scangen.c — writes a large synthetic MP_CAPABLE scan capture for `make bench`.
 *
 * What a ZMap-style scan with the MPTCP option looks like on the scanner's
 * interface (Ethernet, classic pcap, microsecond timestamps, written through
 * libpcap's pcap_dump): probe SYNs from one or two scanner addresses to IPv4
 * targets in a pseudo-random order (a full-period permutation of the 32-bit
 * space, as ZMap's cyclic group walk), ports 80 and 443, each probe carrying
 * MSS, SACK-permitted, timestamps, window scale and MP_CAPABLE v0 with a
 * static key (0c0c0c0c0c0c0c0c, Hamming weight 16).  A share of the targets
 * answers one round-trip later (tens of thousands of packets later at the
 * scan rate): SYN-ACKs (a few carrying MP_CAPABLE with a random key, some
 * replaying the probe key as a middlebox would, some retransmitted), RSTs and
 * ICMP port unreachables quoting the probe; the scanner's kernel answers each
 * SYN-ACK with a RST; a trickle of unsolicited backscatter arrives too.
 *
 *   scangen -n PACKETS [-s SEED] [--split N] [--drain] OUT.pcap
 *
 * With --split N the capture is rotated into N files OUT-00.pcap ... (what
 * tcpdump -C would give).  With --drain the scan stops probing after PACKETS
 * packets and the answers still on their way follow (the tail of a capture,
 * with no probe in it).  Prints the number of packets written, and with
 * --drain also how many came before the tail.  The generator is
 * deterministic for a given seed.
 */
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROBE_KEY 0x0c0c0c0c0c0c0c0cULL

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	/* splitmix64 */
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double unif(struct rng *r)
{
	return (double)(rnd(r) >> 11) / 9007199254740992.0;
}

enum ev_kind { EV_SYNACK, EV_SYNACK_MPC, EV_SYNACK_REPLAY, EV_RST, EV_ICMP };

struct event {
	uint64_t due;
	uint32_t target, scanner;
	uint16_t port, sport;
	uint32_t seq;
	uint8_t kind;
	uint8_t repeat; /* retransmissions still to send */
};

struct heap {
	struct event *v;
	size_t n, cap;
};

static void heap_push(struct heap *h, const struct event *e)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 4096;
		h->v = realloc(h->v, h->cap * sizeof *h->v);
		if (!h->v) {
			fprintf(stderr, "scangen: out of memory\n");
			exit(1);
		}
	}
	size_t i = h->n++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (h->v[p].due <= e->due)
			break;
		h->v[i] = h->v[p];
		i = p;
	}
	h->v[i] = *e;
}

static void heap_pop(struct heap *h, struct event *out)
{
	*out = h->v[0];
	struct event last = h->v[--h->n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1].due < h->v[c].due)
			c++;
		if (last.due <= h->v[c].due)
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = last;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint16_t csum(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Ethernet + IPv4 header; returns the offset of the IPv4 payload. */
static size_t eth_ip(uint8_t *f, uint32_t src, uint32_t dst, uint8_t proto, uint8_t ttl, size_t l4len,
                     uint16_t id)
{
	static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x01 }, mac_b[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	memcpy(f, mac_a, 6);
	memcpy(f + 6, mac_b, 6);
	put16(f + 12, 0x0800);
	uint8_t *ip = f + 14;
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(20 + l4len));
	put16(ip + 4, id);
	put16(ip + 6, 0x4000);
	ip[8] = ttl;
	ip[9] = proto;
	put16(ip + 10, 0);
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, csum(ip, 20, 0));
	return 34;
}

static size_t tcp_opts_syn(uint8_t *o, uint32_t tsval, bool mpc, uint64_t key)
{
	size_t n = 0;
	o[n++] = 2, o[n++] = 4, put16(o + n, 1460), n += 2;
	o[n++] = 4, o[n++] = 2;
	o[n++] = 8, o[n++] = 10, put32(o + n, tsval), put32(o + n + 4, 0), n += 8;
	o[n++] = 1;
	o[n++] = 3, o[n++] = 3, o[n++] = 7;
	if (mpc) {
		o[n++] = 30, o[n++] = 12, o[n++] = 0x00, o[n++] = 0x81;
		put64(o + n, key);
		n += 8;
	}
	return n;
}

static size_t tcp_seg(uint8_t *t, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
                      const uint8_t *opts, size_t optlen)
{
	put16(t, sport);
	put16(t + 2, dport);
	put32(t + 4, seq);
	put32(t + 8, ack);
	t[12] = (uint8_t)(((20 + optlen) / 4) << 4);
	t[13] = flags;
	put16(t + 14, 64240);
	put16(t + 16, 0);
	put16(t + 18, 0);
	memcpy(t + 20, opts, optlen);
	return 20 + optlen;
}

static void tcp_checksum(uint8_t *t, size_t len, uint32_t src, uint32_t dst)
{
	uint32_t sum = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 6 + (uint32_t)len;
	put16(t + 16, 0);
	put16(t + 16, csum(t, len, sum));
}

struct out {
	pcap_t *dead;
	pcap_dumper_t *d;
	const char *base;
	int split, part;
	uint64_t per_part, in_part, total;
	uint64_t usec;
};

static void open_part(struct out *o)
{
	char name[4096];
	if (o->split > 1) {
		const char *dot = strrchr(o->base, '.');
		size_t stem = dot ? (size_t)(dot - o->base) : strlen(o->base);
		snprintf(name, sizeof name, "%.*s-%02d%s", (int)stem, o->base, o->part, dot ? dot : "");
	} else {
		snprintf(name, sizeof name, "%s", o->base);
	}
	o->d = pcap_dump_open(o->dead, name);
	if (!o->d) {
		fprintf(stderr, "scangen: %s: %s\n", name, pcap_geterr(o->dead));
		exit(1);
	}
	o->in_part = 0;
}

static void emit(struct out *o, const uint8_t *f, size_t len)
{
	if (o->split > 1 && o->in_part == o->per_part && o->part + 1 < o->split) {
		pcap_dump_close(o->d);
		o->part++;
		open_part(o);
	}
	struct pcap_pkthdr h;
	h.ts.tv_sec = (time_t)(o->usec / 1000000);
	h.ts.tv_usec = (suseconds_t)(o->usec % 1000000);
	h.caplen = h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)o->d, &h, f);
	o->usec++;
	o->in_part++;
	o->total++;
}

static void usage(void)
{
	fprintf(stderr, "usage: scangen -n PACKETS [-s SEED] [--split N] [--drain] OUT.pcap\n");
	exit(2);
}

int main(int argc, char **argv)
{
	uint64_t n = 1000000, seed = 1;
	int split = 1;
	bool drain = false;
	const char *outp = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			n = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--split") == 0 && i + 1 < argc)
			split = atoi(argv[++i]);
		else if (strcmp(argv[i], "--drain") == 0)
			drain = true;
		else if (argv[i][0] == '-')
			usage();
		else
			outp = argv[i];
	}
	if (!outp || n == 0 || split < 1 || split > 99)
		usage();

	struct rng r = { seed };
	struct out o = { 0 };
	o.dead = pcap_open_dead(DLT_EN10MB, 65535);
	o.base = outp;
	o.split = split;
	o.per_part = (n + (uint64_t)split - 1) / (uint64_t)split;
	o.usec = 1594771200ULL * 1000000ULL; /* 2020-07-15 00:00:00 UTC */
	open_part(&o);

	const uint32_t scanners[2] = { 0xc6336407u /* 198.51.100.7 */, 0xc6336408u /* 198.51.100.8 */ };
	/* full-period LCG over 2^32: a permutation of every address (a % 4 == 1, c odd) */
	uint32_t x = (uint32_t)rnd(&r), a = 1664525u, c = 1013904223u;
	struct heap h = { 0 };
	uint8_t f[256], opts[40], t[80];
	uint64_t i = 0, before_tail = 0;
	uint16_t ipid = 1;
	bool draining = false;
	for (;;) {
		if (!draining && o.total >= n) {
			if (!drain)
				break;
			draining = true;
			before_tail = o.total;
			n = UINT64_MAX;
		}
		if (draining && !h.n)
			break;
		struct event e;
		if (h.n && (h.v[0].due <= i || draining)) {
			heap_pop(&h, &e);
			uint8_t ttl = (uint8_t)(40 + (e.target & 15));
			size_t ol = 0, tl;
			switch (e.kind) {
			case EV_SYNACK:
			case EV_SYNACK_MPC:
			case EV_SYNACK_REPLAY: {
				uint64_t key = e.kind == EV_SYNACK_REPLAY ? PROBE_KEY : rnd(&r);
				ol = tcp_opts_syn(opts, (uint32_t)rnd(&r), e.kind != EV_SYNACK, key);
				if (e.kind == EV_SYNACK_MPC)
					opts[ol - 10] = 0x01; /* flags: H only */
				tl = tcp_seg(t, e.port, e.sport, e.target * 2654435761u, e.seq + 1, 0x12,
				             opts, ol);
				size_t off = eth_ip(f, e.target, e.scanner, 6, ttl, tl, ipid++);
				tcp_checksum(t, tl, e.target, e.scanner);
				memcpy(f + off, t, tl);
				emit(&o, f, off + tl);
				if (o.total < n) { /* the scanner's kernel: RST, no socket */
					tl = tcp_seg(t, e.sport, e.port, e.seq + 1, 0, 0x04, opts, 0);
					off = eth_ip(f, e.scanner, e.target, 6, 64, tl, 0);
					tcp_checksum(t, tl, e.scanner, e.target);
					memcpy(f + off, t, tl);
					emit(&o, f, off + tl);
				}
				if (e.repeat) {
					e.repeat--;
					e.due = i + 200000;
					heap_push(&h, &e);
				}
				break;
			}
			case EV_RST:
				tl = tcp_seg(t, e.port, e.sport, 0, e.seq + 1, 0x14, opts, 0);
				size_t off = eth_ip(f, e.target, e.scanner, 6, ttl, tl, ipid++);
				tcp_checksum(t, tl, e.target, e.scanner);
				memcpy(f + off, t, tl);
				emit(&o, f, off + tl);
				break;
			case EV_ICMP: {
				/* port unreachable from the target, quoting the probe's IP header + 8 bytes
				 */
				uint8_t q[28];
				eth_ip(f, e.scanner, e.target, 6, 60, 32 + 12, 0);
				memcpy(q, f + 14, 20);
				tcp_seg(t, e.sport, e.port, e.seq, 0, 0x02, opts, 0);
				memcpy(q + 20, t, 8);
				uint8_t *ic = f + 34;
				size_t off2 = eth_ip(f, e.target, e.scanner, 1, ttl, 8 + 28, ipid++);
				(void)off2;
				ic[0] = 3, ic[1] = 3;
				put16(ic + 2, 0);
				put32(ic + 4, 0);
				memcpy(ic + 8, q, 28);
				put16(ic + 2, csum(ic, 36, 0));
				emit(&o, f, 34 + 36);
				break;
			}
			}
			continue;
		}
		if (draining)
			continue;
		/* a probe, or now and then unsolicited backscatter */
		if (unif(&r) < 0.0005) {
			uint32_t src = (uint32_t)rnd(&r);
			size_t ol = tcp_opts_syn(opts, (uint32_t)rnd(&r), false, 0);
			size_t tl = tcp_seg(t, 80, (uint16_t)(1024 + rnd(&r) % 60000), (uint32_t)rnd(&r),
			                    (uint32_t)rnd(&r), 0x12, opts, ol);
			size_t off = eth_ip(f, src, scanners[0], 6, 50, tl, ipid++);
			tcp_checksum(t, tl, src, scanners[0]);
			memcpy(f + off, t, tl);
			emit(&o, f, off + tl);
			i++;
			continue;
		}
		x = a * x + c;
		uint32_t target = x;
		uint32_t scanner = scanners[(target >> 7) & 1];
		uint16_t port = (target >> 3) & 1 ? 443 : 80;
		uint16_t sport = (uint16_t)(32768 + (target * 2246822519u >> 17) % 28232);
		uint32_t seq = target * 3266489917u;
		size_t ol = tcp_opts_syn(opts, (uint32_t)(o.usec / 1000), true, PROBE_KEY);
		size_t tl = tcp_seg(t, sport, port, seq, 0, 0x02, opts, ol);
		size_t off = eth_ip(f, scanner, target, 6, 255, tl, 54321);
		tcp_checksum(t, tl, scanner, target);
		memcpy(f + off, t, tl);
		emit(&o, f, off + tl);
		i++;
		double u = unif(&r);
		struct event ev = { .due = i + 20000 + rnd(&r) % 60000,
			            .target = target,
			            .scanner = scanner,
			            .port = port,
			            .sport = sport,
			            .seq = seq };
		if (u < 0.04) {
			double v = unif(&r);
			ev.kind = v < 0.004 ? EV_SYNACK_MPC : v < 0.0045 ? EV_SYNACK_REPLAY : EV_SYNACK;
			ev.repeat = unif(&r) < 0.1;
			heap_push(&h, &ev);
		} else if (u < 0.06) {
			ev.kind = EV_RST;
			heap_push(&h, &ev);
		} else if (u < 0.063) {
			ev.kind = EV_ICMP;
			heap_push(&h, &ev);
		}
	}
	pcap_dump_close(o.d);
	pcap_close(o.dead);
	free(h.v);
	if (drain)
		printf("%llu %llu\n", (unsigned long long)o.total, (unsigned long long)before_tail);
	else
		printf("%llu\n", (unsigned long long)o.total);
	return 0;
}
