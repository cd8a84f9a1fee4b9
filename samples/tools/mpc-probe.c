/*
 * mpc-probe: a scanner-style prober for the namespace lab (samples/netns/mptcp-lab.sh).
 *
 * Sends TCP SYNs carrying an MPTCP MP_CAPABLE option through raw sockets (IPv4 and IPv6, headers
 * built here, checksums computed here) to ADDR:PORT targets, the way ZMap's tcp_synopt module and
 * tracebox do. It only sends; tcpdump records the answers.
 *
 * Specifications: MP_CAPABLE version 0 per RFC 6824 section 3.1 (12-byte SYN option carrying the
 * sender's key), version 1 per RFC 8684 section 3.1 (4-byte SYN option, no key); TCP per RFC 9293,
 * options MSS/SACK-permitted/timestamps/window scale per RFC 9293, RFC 2018 and RFC 7323; IPv4 per
 * RFC 791, IPv6 per RFC 8200 (TCP checksum over the RFC 8200 section 8.1 pseudo-header).
 */
#include "labnet.h"

#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

enum opt_token { OPT_EOL, OPT_NOP, OPT_MSS, OPT_SACKOK, OPT_TS, OPT_WS, OPT_MPC };

#define MAX_OPT_TOKENS 40
#define MAX_TCP_OPTIONS 40

struct config {
	int version;
	uint64_t key;
	int key_random;
	unsigned flags;
	enum opt_token opts[MAX_OPT_TOKENS];
	int nopts;
	unsigned mss;
	unsigned wscale;
	unsigned window;
	int df;
	long ip_id; /* -1: random per packet */
	unsigned ttl_lo, ttl_hi;
	long sport;                  /* -1: random, unique per packet */
	unsigned sport_lo, sport_hi; /* the random ports' range, both included */
	unsigned long count;
	uint64_t seed;
	int seed_given;
	double rate; /* packets per second, 0 = no pacing */
	const char *log_path;
	int dry_run;
	int have_src4, have_src6;
	struct in_addr src4;
	struct in6_addr src6;
};

static void usage(FILE *f)
{
	fputs("usage: mpc-probe [OPTIONS] ADDR:PORT|[V6ADDR]:PORT...\n"
	      "\n"
	      "Send TCP SYNs carrying an MPTCP MP_CAPABLE option to each target through raw sockets\n"
	      "(needs CAP_NET_RAW). Only sends: record the answers with tcpdump.\n"
	      "\n"
	      "  --version 0|1       MP_CAPABLE version: 0 = RFC 6824, 12-byte option with the key;\n"
	      "                      1 = RFC 8684, 4-byte option, no key (default 0)\n"
	      "  --version plain     no MP_CAPABLE: the style's (or --options') list without mpc,\n"
	      "                      the plain half of an A/B scan\n"
	      "  --key HEX|random    v0 sender key, 16 hex digits (default 0c0c0c0c0c0c0c0c, the\n"
	      "                      ZMap MPTCP example key); 'random' draws one per probe from --seed\n"
	      "  --flags N           MP_CAPABLE flags byte (default 0x81: A checksum, H HMAC-SHA1)\n"
	      "  --style linux|zmap  linux (default): options mss,sackok,ts,nop,ws,mpc, DF set,\n"
	      "                      random IP ID, window 64240; zmap: only the mpc option (ZMap\n"
	      "                      tcp_synopt with hex probe-args), no DF, IP ID 54321, window 65535\n"
	      "  --options LIST      option order, comma-separated from mss,sackok,ts,nop,ws,mpc,eol\n"
	      "                      (overrides the style's list; padded with EOL to 4 bytes)\n"
	      "  --mss N             MSS value (default 1460)   --wscale N  shift (default 7)\n"
	      "  --window N          TCP window field           --ip-id N   fixed IPv4 ID\n"
	      "  --ttl N|A-B         TTL / hop limit, or a range: one probe per value (tracebox\n"
	      "                      style; default 64)\n"
	      "  --count N           probes per target and TTL, each from its own source port (default 1)\n"
	      "  --sport N           first source port, then N+1, N+2... (default: random, unique per\n"
	      "                      packet, from --sport-range)\n"
	      "  --sport-range A-B   the random source ports' range (default 32768-60999); give\n"
	      "                      separate runs disjoint ranges to keep their ports distinct\n"
	      "  --seed N            seed for source ports, sequence numbers, IP IDs, timestamps and\n"
	      "                      random keys (default: from getrandom, printed on stderr)\n"
	      "  --rate PPS          pace sending (default 1000; 0 = as fast as possible)\n"
	      "  --source4 ADDR      IPv4 source (default: the kernel's route source for the target)\n"
	      "  --source6 ADDR      IPv6 source (likewise)\n"
	      "  --log FILE          write one CSV line per probe sent ('-' = stdout)\n"
	      "  --dry-run           build and log the probes, send nothing (no privileges needed)\n"
	      "  --help              this text\n"
	      "\n"
	      "Every packet gets its own source port, so each answer maps to exactly one probe.\n"
	      "Probe order: for each count round, for each TTL, for each target.\n",
	      f);
}

_Noreturn static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "mpc-probe: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

static unsigned long parse_ulong(const char *s, unsigned long max, const char *what)
{
	char *end = NULL;
	unsigned long v;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || v > max || s[0] == '-')
		die("bad %s", what);
	return v;
}

static int parse_options_list(const char *s, struct config *c)
{
	char buf[256];
	char *save = NULL;
	char *tok;
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	c->nopts = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		enum opt_token t;
		if (strcmp(tok, "mss") == 0)
			t = OPT_MSS;
		else if (strcmp(tok, "sackok") == 0)
			t = OPT_SACKOK;
		else if (strcmp(tok, "ts") == 0)
			t = OPT_TS;
		else if (strcmp(tok, "nop") == 0)
			t = OPT_NOP;
		else if (strcmp(tok, "ws") == 0)
			t = OPT_WS;
		else if (strcmp(tok, "mpc") == 0)
			t = OPT_MPC;
		else if (strcmp(tok, "eol") == 0)
			t = OPT_EOL;
		else
			return -1;
		if (c->nopts >= MAX_OPT_TOKENS)
			return -1;
		c->opts[c->nopts++] = t;
	}
	return 0;
}

/* Writes the TCP options; returns their length (a multiple of 4) or -1 if they do not fit. */
static int build_options(const struct config *c, uint64_t key, uint32_t tsval, uint8_t *o)
{
	int n = 0;
	for (int i = 0; i < c->nopts; i++) {
		int need;
		switch (c->opts[i]) {
		case OPT_EOL:
		case OPT_NOP:
			need = 1;
			break;
		case OPT_MSS:
			need = 4;
			break;
		case OPT_SACKOK:
			need = 2;
			break;
		case OPT_TS:
			need = 10;
			break;
		case OPT_WS:
			need = 3;
			break;
		case OPT_MPC:
			need = c->version == 0 ? 12 : 4;
			break;
		default:
			return -1;
		}
		if (n + need > MAX_TCP_OPTIONS)
			return -1;
		switch (c->opts[i]) {
		case OPT_EOL:
			o[n] = 0;
			break;
		case OPT_NOP:
			o[n] = 1;
			break;
		case OPT_MSS:
			o[n] = 2;
			o[n + 1] = 4;
			lab_put16(o + n + 2, (uint16_t)c->mss);
			break;
		case OPT_SACKOK:
			o[n] = 4;
			o[n + 1] = 2;
			break;
		case OPT_TS:
			o[n] = 8;
			o[n + 1] = 10;
			lab_put32(o + n + 2, tsval);
			lab_put32(o + n + 6, 0);
			break;
		case OPT_WS:
			o[n] = 3;
			o[n + 1] = 3;
			o[n + 2] = (uint8_t)c->wscale;
			break;
		case OPT_MPC:
			o[n] = LAB_TCP_OPT_MPTCP;
			o[n + 1] = (uint8_t)need;
			o[n + 2] =
			    (uint8_t)(0x00 | (c->version & 0x0f)); /* subtype 0 (MP_CAPABLE) | version */
			o[n + 3] = (uint8_t)c->flags;
			if (c->version == 0) {
				lab_put32(o + n + 4, (uint32_t)(key >> 32));
				lab_put32(o + n + 8, (uint32_t)key);
			}
			break;
		}
		n += need;
	}
	while (n % 4 != 0) {
		if (n >= MAX_TCP_OPTIONS)
			return -1;
		o[n++] = 0; /* EOL padding */
	}
	return n;
}

static int route_source(const struct lab_endpoint *t, struct sockaddr_storage *out)
{
	struct sockaddr_storage dst;
	socklen_t len = lab_endpoint_sockaddr(t, &dst);
	socklen_t olen = sizeof(*out);
	int fd = socket(t->family, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&dst, len) != 0 ||
	    getsockname(fd, (struct sockaddr *)out, &olen) != 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Parses N or A-B (1 <= A <= B <= max) of option opt; a single N is N-N. */
static void parse_range(const char *s, const char *opt, unsigned long max, unsigned *lo, unsigned *hi)
{
	const char *dash = strchr(s, '-');
	size_t l = dash ? (size_t)(dash - s) : 0;
	char first[8];
	bool ok = !dash || (l > 0 && l < sizeof(first));
	if (!dash) {
		*lo = *hi = (unsigned)parse_ulong(s, max, opt);
	} else if (ok) {
		memcpy(first, s, l);
		first[l] = '\0';
		*lo = (unsigned)parse_ulong(first, max, opt);
		*hi = (unsigned)parse_ulong(dash + 1, max, opt);
	}
	if (!ok || *lo == 0 || *lo > *hi) {
		fprintf(stderr, "mpc-probe: bad %s %s (want N or A-B with 1 <= A <= B <= %lu)\n", opt, s,
		        max);
		exit(2);
	}
}

static uint64_t parse_key(const char *s)
{
	uint64_t k = 0;
	if (strlen(s) != 16)
		die("--key wants 16 hex digits or 'random', got %s", s);
	for (int i = 0; i < 16; i++) {
		int v;
		char ch = s[i];
		if (ch >= '0' && ch <= '9')
			v = ch - '0';
		else if (ch >= 'a' && ch <= 'f')
			v = ch - 'a' + 10;
		else if (ch >= 'A' && ch <= 'F')
			v = ch - 'A' + 10;
		else
			die("--key wants 16 hex digits, got %s", s);
		k = k << 4 | (uint64_t)v;
	}
	return k;
}

/* Source ports: sequential from --sport, else random without repeats until the range is used up. */
struct port_picker {
	uint8_t used[65536 / 8];
	unsigned long nused;
	long next;
};

static uint16_t pick_port(struct port_picker *pp, const struct config *c, uint64_t *rng)
{
	const unsigned LO = c->sport_lo, HI = c->sport_hi + 1;
	if (c->sport >= 0) {
		uint16_t p = (uint16_t)pp->next;
		pp->next = pp->next >= 65535 ? 1024 : pp->next + 1;
		return p;
	}
	if (pp->nused >= HI - LO) {
		memset(pp->used, 0, sizeof(pp->used));
		pp->nused = 0;
	}
	for (;;) {
		uint16_t p = (uint16_t)(LO + lab_rand64(rng) % (HI - LO));
		if (!(pp->used[p / 8] & (1u << (p % 8)))) {
			pp->used[p / 8] |= (uint8_t)(1u << (p % 8));
			pp->nused++;
			return p;
		}
	}
}

static void pace(struct timespec *next, double rate)
{
	long step;
	if (rate <= 0)
		return;
	step = (long)(1e9 / rate);
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL);
	next->tv_nsec += step;
	while (next->tv_nsec >= 1000000000L) {
		next->tv_nsec -= 1000000000L;
		next->tv_sec++;
	}
}

int main(int argc, char **argv)
{
	struct config c = { 0 };
	static struct port_picker pp;
	const char *style = "linux";
	const char *options_list = NULL;
	long window = -1;
	int fd4 = -1, fd6 = -1;
	FILE *log = NULL;
	struct lab_endpoint *targets;
	int ntargets;
	uint64_t rng;
	unsigned long sent = 0, failed = 0;
	struct timespec next;
	enum {
		O_VERSION = 256,
		O_KEY,
		O_FLAGS,
		O_STYLE,
		O_OPTIONS,
		O_MSS,
		O_WSCALE,
		O_WINDOW,
		O_IPID,
		O_TTL,
		O_COUNT,
		O_SPORT,
		O_SPORT_RANGE,
		O_SEED,
		O_RATE,
		O_SRC4,
		O_SRC6,
		O_LOG,
		O_DRY,
		O_HELP
	};
	static const struct option longopts[] = { { "version", required_argument, NULL, O_VERSION },
		                                  { "key", required_argument, NULL, O_KEY },
		                                  { "flags", required_argument, NULL, O_FLAGS },
		                                  { "style", required_argument, NULL, O_STYLE },
		                                  { "options", required_argument, NULL, O_OPTIONS },
		                                  { "mss", required_argument, NULL, O_MSS },
		                                  { "wscale", required_argument, NULL, O_WSCALE },
		                                  { "window", required_argument, NULL, O_WINDOW },
		                                  { "ip-id", required_argument, NULL, O_IPID },
		                                  { "ttl", required_argument, NULL, O_TTL },
		                                  { "count", required_argument, NULL, O_COUNT },
		                                  { "sport", required_argument, NULL, O_SPORT },
		                                  { "sport-range", required_argument, NULL, O_SPORT_RANGE },
		                                  { "seed", required_argument, NULL, O_SEED },
		                                  { "rate", required_argument, NULL, O_RATE },
		                                  { "source4", required_argument, NULL, O_SRC4 },
		                                  { "source6", required_argument, NULL, O_SRC6 },
		                                  { "log", required_argument, NULL, O_LOG },
		                                  { "dry-run", no_argument, NULL, O_DRY },
		                                  { "help", no_argument, NULL, O_HELP },
		                                  { NULL, 0, NULL, 0 } };

	c.version = 0;
	c.key = 0x0c0c0c0c0c0c0c0cull;
	c.flags = 0x81;
	c.mss = 1460;
	c.wscale = 7;
	c.ip_id = -2; /* style default */
	c.ttl_lo = c.ttl_hi = 64;
	c.sport = -1;
	c.sport_lo = 32768;
	c.sport_hi = 60999;
	c.count = 1;
	c.rate = 1000;

	for (;;) {
		int o = getopt_long(argc, argv, "h", longopts, NULL);
		if (o == -1)
			break;
		switch (o) {
		case O_VERSION:
			c.version = strcmp(optarg, "plain") == 0
			                ? -1
			                : (int)parse_ulong(optarg, 1, "--version (0, 1 or plain)");
			break;
		case O_KEY:
			if (strcmp(optarg, "random") == 0)
				c.key_random = 1;
			else
				c.key = parse_key(optarg);
			break;
		case O_FLAGS:
			c.flags = (unsigned)parse_ulong(optarg, 255, "--flags");
			break;
		case O_STYLE:
			if (strcmp(optarg, "linux") != 0 && strcmp(optarg, "zmap") != 0)
				die("--style wants linux or zmap, got %s", optarg);
			style = optarg;
			break;
		case O_OPTIONS:
			options_list = optarg;
			break;
		case O_MSS:
			c.mss = (unsigned)parse_ulong(optarg, 65535, "--mss");
			break;
		case O_WSCALE:
			c.wscale = (unsigned)parse_ulong(optarg, 255, "--wscale");
			break;
		case O_WINDOW:
			window = (long)parse_ulong(optarg, 65535, "--window");
			break;
		case O_IPID:
			c.ip_id = (long)parse_ulong(optarg, 65535, "--ip-id");
			break;
		case O_TTL:
			parse_range(optarg, "--ttl", 255, &c.ttl_lo, &c.ttl_hi);
			break;
		case O_COUNT:
			c.count = parse_ulong(optarg, 1000000, "--count");
			break;
		case O_SPORT:
			c.sport = (long)parse_ulong(optarg, 65535, "--sport");
			break;
		case O_SPORT_RANGE:
			parse_range(optarg, "--sport-range", 65535, &c.sport_lo, &c.sport_hi);
			break;
		case O_SEED:
			c.seed = (uint64_t)strtoull(optarg, NULL, 0);
			c.seed_given = 1;
			break;
		case O_RATE:
			c.rate = (double)parse_ulong(optarg, 10000000, "--rate");
			break;
		case O_SRC4:
			if (inet_pton(AF_INET, optarg, &c.src4) != 1)
				die("bad --source4 %s", optarg);
			c.have_src4 = 1;
			break;
		case O_SRC6:
			if (inet_pton(AF_INET6, optarg, &c.src6) != 1)
				die("bad --source6 %s", optarg);
			c.have_src6 = 1;
			break;
		case O_LOG:
			c.log_path = optarg;
			break;
		case O_DRY:
			c.dry_run = 1;
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
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (strcmp(style, "zmap") == 0) {
		c.df = 0;
		c.window = 65535;
		if (c.ip_id == -2)
			c.ip_id = 54321;
		if (options_list == NULL)
			options_list = "mpc";
	} else {
		c.df = 1;
		c.window = 64240;
		if (options_list == NULL)
			options_list = "mss,sackok,ts,nop,ws,mpc";
	}
	if (c.ip_id == -2)
		c.ip_id = -1;
	if (window >= 0)
		c.window = (unsigned)window;
	if (parse_options_list(options_list, &c) != 0)
		die("bad --options %s", options_list);
	if (c.version < 0) { /* plain: the same SYN without MP_CAPABLE */
		int n = 0;
		for (int i = 0; i < c.nopts; i++)
			if (c.opts[i] != OPT_MPC)
				c.opts[n++] = c.opts[i];
		c.nopts = n;
	}
	{
		uint8_t tmp[64];
		if (build_options(&c, 0, 0, tmp) < 0)
			die("options %s do not fit in 40 bytes", options_list);
	}
	if (c.count == 0)
		die("%s", "--count must be at least 1");
	if (c.sport >= 0)
		pp.next = c.sport;
	if (!c.seed_given && getrandom(&c.seed, sizeof(c.seed), 0) != (ssize_t)sizeof(c.seed))
		c.seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	rng = c.seed;

	ntargets = argc - optind;
	targets = calloc((size_t)ntargets, sizeof(*targets));
	if (targets == NULL)
		die("%s", "out of memory");
	for (int i = 0; i < ntargets; i++) {
		char err[160];
		if (lab_parse_endpoint(argv[optind + i], &targets[i], err, sizeof(err)) != 0)
			die("%s", err);
		if (targets[i].family == AF_INET && !c.have_src4) {
			struct sockaddr_storage ss;
			if (route_source(&targets[i], &ss) != 0)
				die("no IPv4 route to %s (use --source4)", targets[i].text);
			c.src4 = ((struct sockaddr_in *)&ss)->sin_addr;
			c.have_src4 = 1;
		}
		if (targets[i].family == AF_INET6 && !c.have_src6) {
			struct sockaddr_storage ss;
			if (route_source(&targets[i], &ss) != 0)
				die("no IPv6 route to %s (use --source6)", targets[i].text);
			c.src6 = ((struct sockaddr_in6 *)&ss)->sin6_addr;
			c.have_src6 = 1;
		}
	}

	if (!c.dry_run) {
		for (int i = 0; i < ntargets; i++) {
			if (targets[i].family == AF_INET && fd4 < 0) {
				/* IPPROTO_RAW implies IP_HDRINCL: the header below goes out as built (the
				 * kernel refills only the IPv4 header checksum, to the same value). */
				fd4 = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
				if (fd4 < 0) {
					perror("mpc-probe: raw IPv4 socket (needs CAP_NET_RAW)");
					return 1;
				}
			}
			if (targets[i].family == AF_INET6 && fd6 < 0) {
				/* IPPROTO_RAW on AF_INET6 implies IPV6_HDRINCL (Linux). */
				fd6 = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);
				if (fd6 < 0) {
					perror("mpc-probe: raw IPv6 socket (needs CAP_NET_RAW)");
					return 1;
				}
			}
		}
	}
	if (c.log_path != NULL) {
		log = strcmp(c.log_path, "-") == 0 ? stdout : fopen(c.log_path, "w");
		if (log == NULL) {
			perror(c.log_path);
			return 1;
		}
		fputs("ip_version,src,dst,dport,sport,ttl,mpc_version,mpc_flags,key,seq\n", log);
	}

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (unsigned long round = 0; round < c.count; round++) {
		for (unsigned ttl = c.ttl_lo; ttl <= c.ttl_hi; ttl++) {
			for (int i = 0; i < ntargets; i++) {
				const struct lab_endpoint *t = &targets[i];
				uint8_t pkt[40 + 20 + MAX_TCP_OPTIONS];
				uint8_t *ip = pkt;
				uint8_t *tcp;
				size_t iplen = t->family == AF_INET ? 20 : 40;
				uint64_t key = c.key_random ? lab_rand64(&rng) : c.key;
				uint16_t sport = pick_port(&pp, &c, &rng);
				uint32_t seq = (uint32_t)lab_rand64(&rng);
				uint32_t tsval = (uint32_t)lab_rand64(&rng);
				uint16_t ipid = c.ip_id >= 0 ? (uint16_t)c.ip_id : (uint16_t)lab_rand64(&rng);
				int olen;
				size_t tcplen, total;
				char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

				memset(pkt, 0, sizeof(pkt));
				tcp = pkt + iplen;
				olen = build_options(&c, key, tsval, tcp + 20);
				tcplen = 20 + (size_t)olen;
				total = iplen + tcplen;
				lab_put16(tcp, sport);
				lab_put16(tcp + 2, t->port);
				lab_put32(tcp + 4, seq);
				lab_put32(tcp + 8, 0);
				tcp[12] = (uint8_t)((tcplen / 4) << 4);
				tcp[13] = 0x02; /* SYN */
				lab_put16(tcp + 14, (uint16_t)c.window);
				if (t->family == AF_INET) {
					ip[0] = 0x45;
					lab_put16(ip + 2, (uint16_t)total);
					lab_put16(ip + 4, ipid);
					lab_put16(ip + 6, c.df ? 0x4000 : 0);
					ip[8] = (uint8_t)ttl;
					ip[9] = IPPROTO_TCP;
					memcpy(ip + 12, &c.src4.s_addr, 4);
					memcpy(ip + 16, &t->a4.s_addr, 4);
					lab_put16(ip + 10, lab_csum_fold(lab_csum_add(0, ip, 20)));
					lab_put16(tcp + 16, lab_tcp_csum4(&c.src4, &t->a4, tcp, tcplen));
					inet_ntop(AF_INET, &c.src4, src, sizeof(src));
					inet_ntop(AF_INET, &t->a4, dst, sizeof(dst));
				} else {
					lab_put32(ip, 0x60000000u);
					lab_put16(ip + 4, (uint16_t)tcplen);
					ip[6] = IPPROTO_TCP;
					ip[7] = (uint8_t)ttl;
					memcpy(ip + 8, c.src6.s6_addr, 16);
					memcpy(ip + 24, t->a6.s6_addr, 16);
					lab_put16(tcp + 16, lab_tcp_csum6(&c.src6, &t->a6, tcp, tcplen));
					inet_ntop(AF_INET6, &c.src6, src, sizeof(src));
					inet_ntop(AF_INET6, &t->a6, dst, sizeof(dst));
				}
				if (!c.dry_run) {
					struct sockaddr_storage ss;
					socklen_t sl = lab_endpoint_sockaddr(t, &ss);
					int fd = t->family == AF_INET ? fd4 : fd6;
					/* raw sockets take the protocol, not a port, in sin_port/sin6_port */
					if (t->family == AF_INET)
						((struct sockaddr_in *)&ss)->sin_port = 0;
					else
						((struct sockaddr_in6 *)&ss)->sin6_port = 0;
					pace(&next, c.rate);
					if (sendto(fd, pkt, total, 0, (struct sockaddr *)&ss, sl) !=
					    (ssize_t)total) {
						fprintf(stderr, "mpc-probe: send to %s: %s\n", t->text,
						        strerror(errno));
						failed++;
						continue;
					}
				}
				sent++;
				if (log != NULL) {
					fprintf(log, "%d,%s,%s,%u,%u,%u,", t->family == AF_INET ? 4 : 6, src,
					        dst, t->port, sport, ttl);
					if (c.version >= 0)
						fprintf(log, "%d,0x%02x", c.version, c.flags);
					else
						fputc(',', log);
					fputc(',', log);
					if (c.version == 0)
						fprintf(log, "%016" PRIx64, key);
					fprintf(log, ",%" PRIu32 "\n", seq);
				}
			}
		}
	}
	if (log != NULL && log != stdout)
		fclose(log);
	else if (log != NULL)
		fflush(log);
	fprintf(stderr, "mpc-probe: %s %lu %s%s probes to %d targets (seed %" PRIu64 ")%s\n",
	        c.dry_run ? "built" : "sent", sent, c.version < 0 ? "plain" : "v",
	        c.version < 0 ? ""
	        : c.version   ? "1"
	                      : "0",
	        ntargets, c.seed, failed ? ", some sends failed" : "");
	free(targets);
	if (fd4 >= 0)
		close(fd4);
	if (fd6 >= 0)
		close(fd6);
	return failed ? 1 : 0;
}
