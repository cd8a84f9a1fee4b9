/*
 * mpcap-gen — a synthetic Internet of MPTCP MP_CAPABLE scans, calibrated to the study that
 * docs/reproduce.md ("The published numbers") cites, with its ground truth and its attribution world.
 *
 * For each month and port it writes what a ZMap-style scanner with tcpdump alongside would
 * have recorded (probe SYNs carrying a v0 MP_CAPABLE option and what came back), what a
 * tracebox-style prober recorded for the MP_CAPABLE responders (TTL-limited probes and the
 * routers' ICMP time-exceeded quotes), the truth per target, and the prefix-to-AS, AS-name and
 * RIR delegated files of the world the targets live in. docs/samples.md explains the model,
 * the scale factors, the oversampling of rare classes and the address space used.
 *
 * Everything random comes from --seed: GSL's MT19937 (one generator per output file, seeded
 * from the seed and the file's month, port and family) for per-connection values such as MPTCP
 * keys and initial sequence numbers, and a stateless 64-bit mixer (splitmix64's finaliser) for
 * per-host properties, so that a host keeps its class, address and path across months and a
 * file does not depend on which other files are generated. Memory does not grow with the
 * number of packets: targets are enumerated through a keyed permutation and packets not yet
 * due wait in a small time-ordered heap.
 *
 * Specifications: IPv4 RFC 791 (checksum RFC 1071), IPv6 RFC 8200 (pseudo-header §8.1), TCP
 * RFC 9293 with MSS/SACK-permitted/timestamps/window scale (RFC 2018, RFC 7323), MP_CAPABLE
 * RFC 6824 §3.1 (v0) and RFC 8684 §3.1 (v1), ICMP RFC 792 (8-byte quotes) and RFC 1812 §4.3.2.3
 * (longer quotes), ICMP extensions RFC 4884 with the MPLS label stack object of RFC 4950,
 * ICMPv6 RFC 4443, pcap file format (libpcap pcap_dump), CAIDA RouteViews pfx2as text format,
 * RIR statistics exchange format (delegated-extended).
 *
 * The generator's parts are in samples/gen/: world (ASes, prefixes and the attribution files),
 * calibration (classes of targets and the study's numbers), population and host (who lives
 * where and when they answer), packet, responder and path (the bytes of probes and answers, host
 * stacks and middleboxes, the routers on the way), traffic (scan captures), tracebox (tracebox
 * captures), truth (truth files and summary), abscan (A/B scans: plain and MP_CAPABLE probes,
 * paths that drop option 30) and output (files, pcap writing, the packet heap).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samples/gen/abscan.h"
#include "samples/gen/calibration.h"
#include "samples/gen/gen.h"
#include "samples/gen/host.h"
#include "samples/gen/output.h"
#include "samples/gen/population.h"
#include "samples/gen/tracebox.h"
#include "samples/gen/traffic.h"
#include "samples/gen/truth.h"
#include "samples/gen/world.h"

#define GEN_VERSION "1"

/* ------------------------------------------------------------------------------------------ */
/* Command line                                                                                */

static void usage(FILE *f)
{
	fputs("usage: mpcap-gen --out DIR [--seed N] [--scale F] [--probe-key HEX] [--months A..B]\n"
	      "                 [--ports 80,443] [--v6] [--no-v4] [--no-tracebox] [--world-only] [-q]\n"
	      "                 [--abtest[=MPC,V0,PLAIN,LOSSY,FALLBACK]]\n"
	      "\n"
	      "Writes a synthetic Internet of MPTCP MP_CAPABLE scans calibrated to the 2020 study\n"
	      "(docs/samples.md): per month and port, the scan capture DIR/scan-YYYY-MM-pPORT-vF.pcap,\n"
	      "the tracebox capture DIR/tracebox-YYYY-MM-pPORT-vF.pcap, their ground truth\n"
	      "DIR/truth-*.csv and DIR/truth-summary.csv, and the attribution world DIR/world/.\n"
	      "\n"
	      "  --out DIR          output directory (created)\n"
	      "  --seed N           seed of every random choice (default 2020); same seed, same bytes\n"
	      "  --scale F          multiply every population (default 1: about 20 MB with --v6)\n"
	      "  --probe-key HEX    the probes' v0 MP_CAPABLE key, 16 hex digits (default 0c0c0c0c0c0c0c0c)\n"
	      "  --months A..B      months YYYY-MM..YYYY-MM, or one YYYY-MM (default 2020-07..2020-12)\n"
	      "  --ports LIST       80, 443 or 80,443 (default 80,443)\n"
	      "  --v6               also the IPv6 hitlist scans   --no-v4   only IPv6 (with --v6)\n"
	      "  --no-tracebox      scans only                    --world-only   DIR/world/ only\n"
	      "  --abtest[=RATES]   also A/B scans DIR/abtest-*.pcap (plain, v0 and/or v1 SYNs, two of\n"
	      "                     each) and their truth DIR/truth-abtest-*.csv; RATES: the fractions of\n"
	      "                     paths dropping option 30, v0 only, plain SYNs, losing first SYNs,\n"
	      "                     client fallbacks (default 0.04,0.01,0.01,0.03,0.01)\n"
	      "  -q, --quiet        no per-file lines on stderr\n",
	      f);
}

static int parse_month(const char *s, int *y, int *m)
{
	char *end;
	long yy = strtol(s, &end, 10);
	if (end == s || *end != '-' || yy < 1990 || yy > 2100)
		return -1;
	long mm = strtol(end + 1, &end, 10);
	if ((*end != 0 && *end != '.') || mm < 1 || mm > 12)
		return -1;
	*y = (int)yy;
	*m = (int)mm;
	return 0;
}

int main(int argc, char **argv)
{
	static struct gen g;
	const char *out = NULL, *months = "2020-07..2020-12", *ports = "80,443";
	bool v4 = true, v6 = false, tracebox = true, world_only = false, abtest = false;
	struct ab_rates abr;
	ab_rates_default(&abr);
	g.seed = 2020;
	g.scale = 1;
	g.probe_key = 0x0c0c0c0c0c0c0c0cULL;
	enum { O_SEED = 256, O_SCALE, O_KEY, O_MONTHS, O_PORTS, O_V6, O_NOV4, O_NOTB, O_WORLD, O_AB };
	static const struct option lo[] = { { "out", required_argument, NULL, 'o' },
		                            { "seed", required_argument, NULL, O_SEED },
		                            { "scale", required_argument, NULL, O_SCALE },
		                            { "probe-key", required_argument, NULL, O_KEY },
		                            { "months", required_argument, NULL, O_MONTHS },
		                            { "ports", required_argument, NULL, O_PORTS },
		                            { "v6", no_argument, NULL, O_V6 },
		                            { "no-v4", no_argument, NULL, O_NOV4 },
		                            { "no-tracebox", no_argument, NULL, O_NOTB },
		                            { "world-only", no_argument, NULL, O_WORLD },
		                            { "abtest", optional_argument, NULL, O_AB },
		                            { "quiet", no_argument, NULL, 'q' },
		                            { "help", no_argument, NULL, 'h' },
		                            { NULL, 0, NULL, 0 } };
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "o:qh", lo, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case O_SEED:
			errno = 0;
			g.seed = strtoull(optarg, &end, 0);
			if (errno || *end || end == optarg) {
				fprintf(stderr, "mpcap-gen: --seed: not a number: %s\n", optarg);
				return 2;
			}
			break;
		case O_SCALE:
			g.scale = strtod(optarg, &end);
			if (*end || end == optarg || !(g.scale > 0) || g.scale > 1e5) {
				fprintf(stderr, "mpcap-gen: --scale: expected a number above 0: %s\n",
				        optarg);
				return 2;
			}
			break;
		case O_KEY:
			if (strlen(optarg) != 16 || strspn(optarg, "0123456789abcdefABCDEF") != 16) {
				fprintf(stderr, "mpcap-gen: --probe-key: expected 16 hex digits: %s\n",
				        optarg);
				return 2;
			}
			g.probe_key = strtoull(optarg, NULL, 16);
			break;
		case O_MONTHS:
			months = optarg;
			break;
		case O_PORTS:
			ports = optarg;
			break;
		case O_V6:
			v6 = true;
			break;
		case O_NOV4:
			v4 = false;
			break;
		case O_NOTB:
			tracebox = false;
			break;
		case O_WORLD:
			world_only = true;
			break;
		case O_AB:
			abtest = true;
			if (optarg &&
			    (sscanf(optarg, "%lf,%lf,%lf,%lf,%lf", &abr.mpc_drop, &abr.v0_drop,
			            &abr.plain_drop, &abr.lossy, &abr.fallback) != 5 ||
			     !(abr.mpc_drop >= 0 && abr.v0_drop >= 0 && abr.plain_drop >= 0 &&
			       abr.lossy >= 0 && abr.fallback >= 0) ||
			     abr.mpc_drop + abr.v0_drop + abr.plain_drop + abr.lossy + abr.fallback > 1)) {
				fprintf(
				    stderr,
				    "mpcap-gen: --abtest: expected five fractions summing to at most 1: %s\n",
				    optarg);
				return 2;
			}
			break;
		case 'q':
			g.quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (out == NULL || optind != argc) {
		usage(stderr);
		return 2;
	}
	int y0, m0, y1, m1;
	const char *dots = strstr(months, "..");
	if (parse_month(months, &y0, &m0) != 0 ||
	    (dots ? parse_month(dots + 2, &y1, &m1) : (y1 = y0, m1 = m0, 0)) != 0 ||
	    y1 * 12 + m1 < y0 * 12 + m0 || y1 * 12 + m1 - (y0 * 12 + m0) > 120) {
		fprintf(stderr, "mpcap-gen: --months: expected YYYY-MM..YYYY-MM: %s\n", months);
		return 2;
	}
	int portlist[2], nports = 0;
	for (const char *p = ports; *p;) {
		long v = strtol(p, &end, 10);
		if (end == p || (v != 80 && v != 443) || nports == 2 || (*end != ',' && *end != 0)) {
			fprintf(stderr, "mpcap-gen: --ports: the world has ports 80 and 443: %s\n", ports);
			return 2;
		}
		portlist[nports++] = (int)v;
		p = *end ? end + 1 : end;
	}
	if (!v4 && !v6) {
		fprintf(stderr, "mpcap-gen: --no-v4 needs --v6\n");
		return 2;
	}
	if (strlen(out) > 3800) {
		fprintf(stderr, "mpcap-gen: --out: path too long\n");
		return 2;
	}
	g.out = out;
	mkdir_p(g.out);
	build_world(&g.w);
	write_world(&g.w, g.out);
	if (world_only)
		return 0;
	build_population(&g, 4);
	build_population(&g, 6);
	init_slot_perms(&g);
	for (int ym = y0 * 12 + m0 - 1; ym <= y1 * 12 + m1 - 1; ym++) {
		struct month mo = { .y = ym / 12, .m = ym % 12 + 1, .idx = ym - (2020 * 12 + 6) };
		for (int pi = 0; pi < nports; pi++) {
			for (int fam = 4; fam <= 6; fam += 2) {
				if ((fam == 4 && !v4) || (fam == 6 && !v6))
					continue;
				scan_file(&g, fam, portlist[pi], &mo);
				if (tracebox)
					tracebox_file(&g, fam, portlist[pi], &mo);
				if (abtest)
					abscan_file(&g, &abr, fam, portlist[pi], &mo);
			}
		}
	}
	write_summary(g.out, &g.summary);
	char tmp[4300];
	FILE *f = open_out(g.out, "gen-params.txt", tmp, sizeof(tmp));
	fprintf(f,
	        "generator=mpcap-gen %s\nseed=%" PRIu64 "\nscale=%g\nprobe_key=%016" PRIx64
	        "\nmonths=%s\nports=%s\nipv4=%s\nipv6=%s\ntracebox=%s\n",
	        GEN_VERSION, g.seed, g.scale, g.probe_key, months, ports, v4 ? "yes" : "no",
	        v6 ? "yes" : "no", tracebox ? "yes" : "no");
	if (abtest)
		fprintf(f, "abtest=%g,%g,%g,%g,%g\n", abr.mpc_drop, abr.v0_drop, abr.plain_drop, abr.lossy,
		        abr.fallback);
	for (int fam = 4; fam <= 6; fam += 2) {
		const struct population *P = popf(&g, fam);
		fprintf(f, "targets.v%d=%" PRIu64 "\n", fam, P->N);
		for (int pi = 0; pi < 3; pi++)
			for (int k = 0; k < C_COUNT; k++)
				if (P->ci[pi][k].sp)
					fprintf(f, "hosts.v%d.%s.%s=%" PRIu64 " weight=%g\n", fam,
					        pi == 2 ? "any" : (pi == 0 ? "p80" : "p443"), cls_name[k],
					        P->ci[pi][k].n, P->ci[pi][k].weight);
	}
	close_out(f, tmp);
	return 0;
}
