/*
 * mptcp-listen: the lab's server. Listens on ADDR:PORT endpoints with the kernel's own MPTCP stack
 * (socket(AF_INET/AF_INET6, SOCK_STREAM, IPPROTO_MPTCP), Linux 5.6+, RFC 8684 v1) or, with --plain,
 * with plain TCP (IPPROTO_TCP, RFC 9293), then accepts and closes connections until SIGINT/SIGTERM.
 *
 * The kernel does the protocol work: it answers an MP_CAPABLE v1 SYN with a SYN-ACK carrying a
 * 12-byte MP_CAPABLE option and a fresh random key, and a v0 (RFC 6824) SYN with a plain SYN-ACK.
 * Prints one "listening on ..." line per endpoint on stdout once all are listening (the lab waits for
 * them). Fails loudly (exit 1) if the kernel refuses IPPROTO_MPTCP.
 */
#include "labnet.h"

#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef SO_PROTOCOL
#define SO_PROTOCOL 38
#endif

#define MAX_ENDPOINTS 64

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fputs("usage: mptcp-listen [--plain] [--backlog N] ADDR:PORT|[V6ADDR]:PORT...\n"
	      "\n"
	      "Listen on each endpoint with an IPPROTO_MPTCP socket (the kernel's MPTCP stack), accept\n"
	      "and close connections until SIGINT or SIGTERM. Prints 'listening on ENDPOINT (mptcp|tcp)'\n"
	      "for each endpoint once all of them listen.\n"
	      "\n"
	      "  --plain        use IPPROTO_TCP instead (a host without MPTCP)\n"
	      "  --backlog N    listen() backlog (default 4096)\n"
	      "  --help         this text\n"
	      "\n"
	      "Exit status 1 if a socket cannot be created or bound; in particular if the kernel refuses\n"
	      "IPPROTO_MPTCP (no CONFIG_MPTCP, or sysctl net.mptcp.enabled=0 in this namespace).\n",
	      f);
}

int main(int argc, char **argv)
{
	int plain = 0;
	int backlog = 4096;
	struct pollfd pfd[MAX_ENDPOINTS];
	struct lab_endpoint eps[MAX_ENDPOINTS];
	int n = 0;
	struct sigaction sa;
	enum { O_PLAIN = 256, O_BACKLOG, O_HELP };
	static const struct option longopts[] = { { "plain", no_argument, NULL, O_PLAIN },
		                                  { "backlog", required_argument, NULL, O_BACKLOG },
		                                  { "help", no_argument, NULL, O_HELP },
		                                  { NULL, 0, NULL, 0 } };

	for (;;) {
		int o = getopt_long(argc, argv, "h", longopts, NULL);
		if (o == -1)
			break;
		switch (o) {
		case O_PLAIN:
			plain = 1;
			break;
		case O_BACKLOG:
			backlog = atoi(optarg);
			if (backlog <= 0) {
				fprintf(stderr, "mptcp-listen: bad --backlog %s\n", optarg);
				return 2;
			}
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
	if (optind >= argc || argc - optind > MAX_ENDPOINTS) {
		usage(stderr);
		return 2;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	for (int i = optind; i < argc; i++, n++) {
		char err[160];
		struct sockaddr_storage ss;
		socklen_t sl;
		int one = 1;
		int proto = plain ? IPPROTO_TCP : IPPROTO_MPTCP;
		int got = -1;
		socklen_t gl = sizeof(got);
		int fd;

		if (lab_parse_endpoint(argv[i], &eps[n], err, sizeof(err)) != 0) {
			fprintf(stderr, "mptcp-listen: %s\n", err);
			return 2;
		}
		fd = socket(eps[n].family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
		if (fd < 0) {
			int e = errno;
			if (!plain)
				fprintf(stderr,
				        "mptcp-listen: FATAL: the kernel refused socket(%s, SOCK_STREAM, "
				        "IPPROTO_MPTCP): "
				        "%s. Is CONFIG_MPTCP built in and sysctl net.mptcp.enabled=1 in this "
				        "namespace?\n",
				        eps[n].family == AF_INET ? "AF_INET" : "AF_INET6", strerror(e));
			else
				fprintf(stderr, "mptcp-listen: socket: %s\n", strerror(e));
			return 1;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &got, &gl) != 0 || got != proto) {
			fprintf(stderr, "mptcp-listen: FATAL: socket protocol is %d, wanted %d\n", got,
			        proto);
			return 1;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (eps[n].family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		sl = lab_endpoint_sockaddr(&eps[n], &ss);
		if (bind(fd, (struct sockaddr *)&ss, sl) != 0) {
			fprintf(stderr, "mptcp-listen: bind %s: %s\n", eps[n].text, strerror(errno));
			return 1;
		}
		if (listen(fd, backlog) != 0) {
			fprintf(stderr, "mptcp-listen: listen %s: %s\n", eps[n].text, strerror(errno));
			return 1;
		}
		pfd[n].fd = fd;
		pfd[n].events = POLLIN;
	}
	for (int i = 0; i < n; i++)
		printf("listening on %s (%s)\n", eps[i].text, plain ? "tcp" : "mptcp");
	fflush(stdout);

	while (!stop) {
		int r = poll(pfd, (nfds_t)n, 1000);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			perror("mptcp-listen: poll");
			return 1;
		}
		for (int i = 0; i < n && r > 0; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			for (;;) {
				int c = accept4(pfd[i].fd, NULL, NULL, SOCK_CLOEXEC);
				if (c < 0)
					break;
				close(c);
			}
		}
	}
	for (int i = 0; i < n; i++)
		close(pfd[i].fd);
	return 0;
}
