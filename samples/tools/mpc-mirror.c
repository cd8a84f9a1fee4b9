/*
 * mpc-mirror: a misbehaving-middlebox stand-in for the namespace lab (samples/netns/mptcp-lab.sh).
 *
 * Reads every TCP SYN arriving in its network namespace through raw sockets (IPv4 and IPv6) and
 * answers it with a SYN-ACK whose TCP options are the SYN's options verbatim: a middlebox that
 * replays the probe's MPTCP MP_CAPABLE option (RFC 6824 / RFC 8684 section 3.1), so the "server key"
 * equals the probe key. With --flip-bytes N it changes the last N bytes of the MP_CAPABLE key
 * (each XORed with 0xff) before answering: a middlebox that modifies the option. A keyless option
 * (an RFC 8684 v1 SYN) is replayed unchanged.
 *
 * Segments per RFC 9293 (ACK = SYN sequence + 1), IPv4 per RFC 791, IPv6 per RFC 8200; checksums
 * computed here (RFC 1071). The namespace's kernel would also answer each SYN with a RST (no
 * listener): the lab drops those with an iptables OUTPUT rule.
 */
#include "analyzer/dissect/tcp.h"
#include "labnet.h"

#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct mirror {
	unsigned flip;
	unsigned ttl;
	int verbose;
	uint64_t rng;
	int out4, out6;
	unsigned long answered;
};

static void usage(FILE *f)
{
	fputs(
	    "usage: mpc-mirror [--flip-bytes N] [--ttl N] [--seed N] [--verbose]\n"
	    "\n"
	    "Answer every TCP SYN reaching this network namespace (IPv4 and IPv6) with a SYN-ACK that\n"
	    "carries the SYN's TCP options verbatim (a replaying middlebox). Needs CAP_NET_RAW. Drop the\n"
	    "kernel's own RSTs (iptables -A OUTPUT -p tcp --tcp-flags RST RST -j DROP). Prints 'mirroring'\n"
	    "on stdout when ready; runs until SIGINT or SIGTERM.\n"
	    "\n"
	    "  --flip-bytes N  change the last N (1-8) bytes of a 12-byte-or-longer MP_CAPABLE key\n"
	    "                  (XOR 0xff) before answering: a modifying middlebox\n"
	    "  --ttl N         TTL / hop limit of the answers (default 64)\n"
	    "  --seed N        seed for the SYN-ACK sequence numbers and IPv4 IDs\n"
	    "  --verbose       one line per answer on stdout\n"
	    "  --help          this text\n",
	    f);
}

/* Finds MP_CAPABLE (kind 30, subtype 0) in the options; returns its offset or -1. */
static int find_mpc(const uint8_t *o, size_t len)
{
	/* the one TCP option walk (analyzer/dissect/tcp.h): MP_CAPABLE is kind 30, subtype 0 */
	struct tcp_opts it;
	struct tcp_opt opt;
	uint8_t sub;
	tcp_opts_begin(&it, bv_make(o, len), len);
	while (tcp_opts_next(&it, &opt) == TCP_OPTS_MORE)
		if (opt.kind == LAB_TCP_OPT_MPTCP && opt.len >= 3 && bv_u8(&opt.bytes, 2, &sub) &&
		    (sub >> 4) == 0)
			return (int)opt.off;
	return -1;
}

/* Builds the SYN-ACK TCP segment for the SYN in syn/synlen into out; returns its length or 0. */
static size_t build_synack(struct mirror *m, const uint8_t *syn, size_t synlen, uint8_t *out)
{
	size_t doff;
	if (synlen < 20)
		return 0;
	if ((syn[13] & 0x17) != 0x02) /* SYN, not ACK/RST/FIN */
		return 0;
	doff = (size_t)(syn[12] >> 4) * 4;
	if (doff < 20 || doff > synlen)
		return 0;
	memcpy(out + 20, syn + 20, doff - 20);
	lab_put16(out, lab_get16(syn + 2));
	lab_put16(out + 2, lab_get16(syn));
	lab_put32(out + 4, (uint32_t)lab_rand64(&m->rng));
	lab_put32(out + 8, lab_get32(syn + 4) + 1);
	out[12] = (uint8_t)((doff / 4) << 4);
	out[13] = 0x12; /* SYN, ACK */
	lab_put16(out + 14, 65535);
	lab_put16(out + 16, 0);
	lab_put16(out + 18, 0);
	if (m->flip > 0) {
		int at = find_mpc(out + 20, doff - 20);
		if (at >= 0 && out[20 + at + 1] >= 12) {
			uint8_t *key = out + 20 + at + 4;
			for (unsigned j = 0; j < m->flip; j++)
				key[7 - j] ^= 0xff;
		}
	}
	return doff;
}

static void handle4(struct mirror *m, const uint8_t *pkt, size_t len)
{
	uint8_t out[20 + 60];
	size_t ihl, tl;
	struct in_addr src, dst;
	if (len < 20 || (pkt[0] >> 4) != 4 || pkt[9] != IPPROTO_TCP)
		return;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > len)
		return;
	if ((lab_get16(pkt + 6) & 0x3fff) != 0) /* fragment */
		return;
	tl = build_synack(m, pkt + ihl, len - ihl, out + 20);
	if (tl == 0)
		return;
	memcpy(&dst.s_addr, pkt + 12, 4);
	memcpy(&src.s_addr, pkt + 16, 4);
	out[0] = 0x45;
	out[1] = 0;
	lab_put16(out + 2, (uint16_t)(20 + tl));
	lab_put16(out + 4, (uint16_t)lab_rand64(&m->rng));
	lab_put16(out + 6, 0x4000);
	out[8] = (uint8_t)m->ttl;
	out[9] = IPPROTO_TCP;
	lab_put16(out + 10, 0);
	memcpy(out + 12, &src.s_addr, 4);
	memcpy(out + 16, &dst.s_addr, 4);
	lab_put16(out + 10, lab_csum_fold(lab_csum_add(0, out, 20)));
	lab_put16(out + 20 + 16, lab_tcp_csum4(&src, &dst, out + 20, tl));
	{
		struct sockaddr_in sin;
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr = dst;
		if (sendto(m->out4, out, 20 + tl, 0, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
			perror("mpc-mirror: send IPv4");
			return;
		}
	}
	m->answered++;
	if (m->verbose) {
		char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &src, a, sizeof(a));
		inet_ntop(AF_INET, &dst, b, sizeof(b));
		printf("answered %s:%u -> %s:%u\n", b, lab_get16(out + 22), a, lab_get16(out + 20));
		fflush(stdout);
	}
}

static void handle6(struct mirror *m, int fd)
{
	uint8_t seg[2048];
	uint8_t out[40 + 60];
	uint8_t cbuf[256];
	struct sockaddr_in6 from;
	struct iovec iov = { .iov_base = seg, .iov_len = sizeof(seg) };
	struct msghdr mh;
	struct cmsghdr *cm;
	struct in6_addr local;
	int have_local = 0;
	ssize_t n;
	size_t tl;

	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &from;
	mh.msg_namelen = sizeof(from);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	n = recvmsg(fd, &mh, MSG_DONTWAIT);
	if (n <= 0)
		return;
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			local = pi.ipi6_addr;
			have_local = 1;
		}
	}
	if (!have_local)
		return;
	tl = build_synack(m, seg, (size_t)n, out + 40);
	if (tl == 0)
		return;
	lab_put32(out, 0x60000000u);
	lab_put16(out + 4, (uint16_t)tl);
	out[6] = IPPROTO_TCP;
	out[7] = (uint8_t)m->ttl;
	memcpy(out + 8, local.s6_addr, 16);
	memcpy(out + 24, from.sin6_addr.s6_addr, 16);
	lab_put16(out + 40 + 16, lab_tcp_csum6(&local, &from.sin6_addr, out + 40, tl));
	{
		struct sockaddr_in6 to;
		memset(&to, 0, sizeof(to));
		to.sin6_family = AF_INET6;
		to.sin6_addr = from.sin6_addr;
		if (sendto(m->out6, out, 40 + tl, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
			perror("mpc-mirror: send IPv6");
			return;
		}
	}
	m->answered++;
	if (m->verbose) {
		char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &local, a, sizeof(a));
		inet_ntop(AF_INET6, &from.sin6_addr, b, sizeof(b));
		printf("answered [%s]:%u -> [%s]:%u\n", b, lab_get16(out + 42), a, lab_get16(out + 40));
		fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	struct mirror m;
	struct pollfd pfd[2];
	struct sigaction sa;
	int one = 1;
	int seeded = 0;
	enum { O_FLIP = 256, O_TTL, O_SEED, O_VERBOSE, O_HELP };
	static const struct option longopts[] = { { "flip-bytes", required_argument, NULL, O_FLIP },
		                                  { "ttl", required_argument, NULL, O_TTL },
		                                  { "seed", required_argument, NULL, O_SEED },
		                                  { "verbose", no_argument, NULL, O_VERBOSE },
		                                  { "help", no_argument, NULL, O_HELP },
		                                  { NULL, 0, NULL, 0 } };

	memset(&m, 0, sizeof(m));
	m.ttl = 64;
	for (;;) {
		int o = getopt_long(argc, argv, "h", longopts, NULL);
		char *end = NULL;
		if (o == -1)
			break;
		switch (o) {
		case O_FLIP:
			m.flip = (unsigned)strtoul(optarg, &end, 10);
			if (*end != '\0' || m.flip > 8) {
				fprintf(stderr, "mpc-mirror: --flip-bytes wants 0..8\n");
				return 2;
			}
			break;
		case O_TTL:
			m.ttl = (unsigned)strtoul(optarg, &end, 10);
			if (*end != '\0' || m.ttl == 0 || m.ttl > 255) {
				fprintf(stderr, "mpc-mirror: --ttl wants 1..255\n");
				return 2;
			}
			break;
		case O_SEED:
			m.rng = (uint64_t)strtoull(optarg, NULL, 0);
			seeded = 1;
			break;
		case O_VERBOSE:
			m.verbose = 1;
			break;
		case 'h':
		case O_HELP:
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!seeded && getrandom(&m.rng, sizeof(m.rng), 0) != (ssize_t)sizeof(m.rng))
		m.rng = (uint64_t)time(NULL);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	pfd[0].fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_TCP);
	pfd[1].fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_TCP);
	m.out4 = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	m.out6 = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (pfd[0].fd < 0 || pfd[1].fd < 0 || m.out4 < 0 || m.out6 < 0) {
		perror("mpc-mirror: raw socket (needs CAP_NET_RAW)");
		return 1;
	}
	if (setsockopt(pfd[1].fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) != 0) {
		perror("mpc-mirror: IPV6_RECVPKTINFO");
		return 1;
	}
	pfd[0].events = pfd[1].events = POLLIN;
	printf("mirroring%s\n", m.flip ? " with flipped key bytes" : "");
	fflush(stdout);

	while (!stop) {
		int r = poll(pfd, 2, 1000);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			perror("mpc-mirror: poll");
			return 1;
		}
		if (pfd[0].revents & POLLIN) {
			uint8_t pkt[4096];
			ssize_t n = recv(pfd[0].fd, pkt, sizeof(pkt), MSG_DONTWAIT);
			if (n > 0)
				handle4(&m, pkt, (size_t)n);
		}
		if (pfd[1].revents & POLLIN)
			handle6(&m, pfd[1].fd);
	}
	fprintf(stderr, "mpc-mirror: answered %lu SYNs\n", m.answered);
	return 0;
}
