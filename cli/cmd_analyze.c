/* cmd_analyze.c — `mpcap analyze`: the scan view.  Matches probes to
 * responses per target (scan.h) and writes targets.csv, summary.csv,
 * targets.sets and scan.state atomically; with -j N (default: the cores
 * online) one thread reads and N threads share the targets (scan_part.h),
 * with the results of one thread.  write_scan_outputs() is shared with `mpcap merge`.  ZMap
 * result files are read like captures (zmap_output.h), their probe from
 * --metadata or --probe-options (zmap_meta.h). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/base/csv_io.h"
#include "analyzer/ingest/input.h"
#include "analyzer/ingest/zmap_meta.h"
#include "analyzer/results/columns.h"
#include "analyzer/results/scan_outputs.h"
#include "analyzer/scan/scan.h"
#include "analyzer/scan/scan_part.h"
#include "analyzer/scan/verdict.h"
#include "cli/cli.h"

void help_analyze(FILE *out)
{
	fputs(
	    "usage: mpcap analyze [-o DIR] [-f EXPR] [-j N] [--scan LABEL] [--probe-key HEX] [--all]\n"
	    "                     [--metadata FILE.json | --probe-options HEX] CAPTURE...\n"
	    "\n"
	    "The scan view.  A probe is a TCP SYN (no ACK) sent by the scanner; a response\n"
	    "is the SYN-ACK or RST the probed target (address, port) sends back, or an ICMP\n"
	    "destination unreachable quoting the probe.  Each target is counted once per\n"
	    "scan, whatever the retransmissions.  All CAPTUREs given together form one scan.\n"
	    "\n"
	    "Writes, atomically (temporary names renamed at the end):\n"
	    "  DIR/targets.csv   one row per target that answered with an MP_CAPABLE option\n"
	    "                    (every responder with --all): probe and response options,\n"
	    "                    key, Hamming weight and distance from the probe key\n"
	    "  DIR/summary.csv   every counter (scan,counter,family,port,value): packets per\n"
	    "                    link type, skipped packets by reason, probes, distinct\n"
	    "                    targets probed and responsive, MP_CAPABLE responders,\n"
	    "                    targets per verdict\n"
	    "  DIR/targets.sets  the exact sets of targets probed and responsive (binary,\n"
	    "                    CRoaring), for attribution and for merging shards\n"
	    "  DIR/scan.state    what mpcap merge needs besides the sets (docs/scale.md)\n"
	    "\n"
	    "  -o, --output DIR     output directory (default: mpcap-results; created if missing)\n"
	    "  -f, --filter EXPR    only packets matching the BPF expression (pcap-filter(7))\n"
	    "  -j, --jobs N         N threads share the targets, besides the one reading (default:\n"
	    "                       the cores online; 1: one thread); the results are those of -j 1\n"
	    "      --scan LABEL     name of the scan (default: UTC month of the first packet, e.g. 2020-07)\n"
	    "      --probe-key HEX  the probe's 64-bit key (16 hex digits), for captures that hold\n"
	    "                       responses only; by default the key is learned from the probes,\n"
	    "                       or inferred as a key returned by many distinct hosts (said on stderr)\n"
	    "      --metadata FILE  ZMap's metadata (-m) of the scan whose result files are read:\n"
	    "                       its probe_args \"hex:...\" is the option block every probe carried\n"
	    "      --probe-options HEX  the same, given by hand (e.g. 1e0c00810c0c0c0c0c0c0c0c)\n"
	    "      --all            list every responder in targets.csv, not only MP_CAPABLE ones\n"
	    "      --progress       force the progress line on stderr (default: only on a terminal)\n"
	    "      --no-progress    never draw it\n"
	    "  -q, --quiet          no closing summary on stderr\n"
	    "  -h, --help           this text\n"
	    "\n"
	    "CAPTURE is pcap or pcapng, optionally gzip/xz/zstd/bzip2-compressed; '-' is stdin:\n"
	    "  tcpdump -i eth0 -w - 'tcp[13] & 2 != 0' | mpcap analyze -o out -\n"
	    "\n"
	    "CAPTURE may also be the result file of ZMap's tcp_synopt or ipv6_tcp_synopt probe\n"
	    "module (-O csv or -O json, any fields in any order, compressed or not; not stdin):\n"
	    "each row is read as the probe (when --metadata or --probe-options gives it) and\n"
	    "the answer, its MP_CAPABLE decoded from optionshex, never from mptcpkey/mptcpdiff:\n"
	    "  mpcap analyze --metadata scan.meta.json -o out scan.csv.zst\n"
	    "Rows lacking what a verdict needs (e.g. a synack without optionshex) are counted\n"
	    "and named in a warning, not guessed (docs/methodology.md).\n"
	    "\n"
	    "Exit status: 0 ok, 1 error (no output written), 2 usage, 3 complete with\n"
	    "warnings (a damaged capture read up to the damage, or scanner rows not analysed).\n",
	    out);
}

static int on_packet(void *ctx, const char *file, const struct packet *pkt, char *err, size_t errlen)
{
	(void)file;
	return scan_add(ctx, pkt, err, errlen);
}

static int on_file(void *ctx, uint32_t ordinal, const char *file, int64_t size, char *err, size_t errlen)
{
	return scan_begin_file(ctx, ordinal, file, size, err, errlen);
}

/* -j by default: the cores online (as zstd -T0), at most 256 */
static int default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

struct counter_pick {
	const char *name;
	uint64_t value;
};

static void pick_counter(void *ctx, const char *counter, int family, int port, uint64_t value)
{
	(void)port;
	struct counter_pick *p = ctx;
	if (!family && strcmp(counter, p->name) == 0)
		p->value = value;
}

static uint64_t counter_total(const struct scan *s, const char *name)
{
	struct counter_pick p = { name, 0 };
	scan_each_counter(s, pick_counter, &p);
	return p.value;
}

int cmd_analyze(int argc, char **argv, const struct cli_env *env)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "filter", required_argument, NULL, 'f' },
		{ "scan", required_argument, NULL, 'S' },
		{ "probe-key", required_argument, NULL, 'K' },
		{ "all", no_argument, NULL, 'A' },
		{ "metadata", required_argument, NULL, 'M' },
		{ "probe-options", required_argument, NULL, 'O' },
		{ "progress", no_argument, NULL, 'P' },
		{ "no-progress", no_argument, NULL, 'N' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = "mpcap-results", *filter = NULL;
	struct scan_config cfg = { 0 };
	int progress = -1, c, jobs = default_jobs();
	bool quiet = false;
	const char *metadata = NULL, *probe_hex = NULL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:f:j:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v < 1 || v > 256) {
				fprintf(
				    stderr,
				    "mpcap analyze: -j '%s': expected a number of threads from 1 to 256\n",
				    optarg);
				return EXIT_USAGE;
			}
			jobs = (int)v;
			break;
		}
		case 'o':
			dir = optarg;
			break;
		case 'f':
			filter = optarg;
			break;
		case 'S':
			if (!*optarg || strpbrk(optarg, "\r\n")) {
				fprintf(stderr, "mpcap analyze: --scan needs a non-empty one-line label\n");
				return EXIT_USAGE;
			}
			cfg.label = optarg;
			break;
		case 'K':
			if (!parse_hex64(optarg, &cfg.probe_key)) {
				fprintf(stderr,
				        "mpcap analyze: --probe-key '%s': expected 16 hex digits, e.g. "
				        "0c0c0c0c0c0c0c0c\n",
				        optarg);
				return EXIT_USAGE;
			}
			cfg.probe_key_given = true;
			break;
		case 'A':
			cfg.all_responders = true;
			break;
		case 'M':
			metadata = optarg;
			break;
		case 'O':
			probe_hex = optarg;
			break;
		case 'P':
			progress = 1;
			break;
		case 'N':
			progress = 0;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			help_analyze(stdout);
			return EXIT_OK;
		default:
			fprintf(stderr, "Try 'mpcap help analyze'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "mpcap analyze: no capture file given (use '-' for standard input)\n"
		                "Try 'mpcap help analyze'.\n");
		return EXIT_USAGE;
	}
	char err[1024], note[512];
	struct zmap_probe probe = { 0 };
	if (metadata && probe_hex) {
		fprintf(stderr, "mpcap analyze: give --metadata or --probe-options, not both\n");
		return EXIT_USAGE;
	}
	if (probe_hex && zmap_probe_from_hex(probe_hex, &probe, err, sizeof err) != 0) {
		fprintf(stderr, "mpcap analyze: --probe-options %s\n", err);
		return EXIT_USAGE;
	}
	if (metadata && zmap_metadata_read(metadata, &probe, err, sizeof err) != 0) {
		fprintf(stderr, "mpcap: %s\n", err);
		return EXIT_ERROR;
	}
	char **files = argv + optind;
	int nfiles = argc - optind;
	bool parallel = jobs > 1;
	struct input_options io = { filter, progress < 0 ? env->stderr_tty : progress == 1, env->stop, stderr,
		                    on_file, probe.known ? &probe : NULL,
		                    /* a ZMap file's answers alone would be judged against an inferred key */
		                    cfg.probe_key_given ? NULL
		                                        : "give the scan's --metadata FILE.json (ZMap's -m), "
		                                          "--probe-options HEX or --probe-key HEX" };
	struct input_stats st;
	struct scan *scan = NULL;
	int s = INPUT_FATAL;
	if (parallel) {
		/* one reading thread, the targets partitioned among `jobs` workers
		 * (scan_part.h); warnings are held back: if the pieces cannot give
		 * one thread's result, the input is read again by one thread and
		 * only that run speaks (never for stdin, which cannot be read twice) */
		struct scan_part *part = scan_part_new(&cfg, (unsigned)jobs, err, sizeof err);
		if (!part) {
			fprintf(stderr, "mpcap: %s\n", err);
			return EXIT_ERROR;
		}
		bool rereadable = true;
		for (int i = 0; i < nfiles; i++)
			rereadable &= strcmp(files[i], "-") != 0;
		char *logbuf = NULL;
		size_t loglen = 0;
		FILE *log = rereadable ? open_memstream(&logbuf, &loglen) : NULL;
		io.log = log ? log : stderr;
		s = input_run(files, nfiles, &io, on_packet, scan_part_scan(part), &st, err, sizeof err);
		if (log)
			fclose(log);
		if (s == INPUT_OK || s == INPUT_WARNINGS) {
			scan = scan_part_finish(part, err, sizeof err);
			if (!scan)
				s = INPUT_FATAL;
		}
		scan_part_free(part);
		char why[256];
		if (scan && rereadable && scan_merge_inexact(scan, why, sizeof why)) {
			fprintf(stderr, "mpcap: -j %d: %s; reading the input again with one thread\n", jobs,
			        why);
			scan_free(scan);
			scan = NULL;
			parallel = false;
		} else {
			if (logbuf && loglen)
				fwrite(logbuf, 1, loglen, stderr);
			if (scan && scan_merge_inexact(scan, why, sizeof why))
				fprintf(stderr,
				        "mpcap: -j %d: %s; scan.state keeps another part of them than -j 1 "
				        "would (standard input cannot be read again)\n",
				        jobs, why);
		}
		free(logbuf);
		io.log = stderr;
	}
	if (!parallel) {
		scan = scan_new(&cfg, err, sizeof err);
		if (!scan) {
			fprintf(stderr, "mpcap: %s\n", err);
			return EXIT_ERROR;
		}
		s = input_run(files, nfiles, &io, on_packet, scan, &st, err, sizeof err);
	}
	int rc = EXIT_OK;
	if (s == INPUT_FATAL) {
		fprintf(stderr, "mpcap: %s\n", err);
		rc = EXIT_ERROR;
	} else if (probe.known && st.scanner_files == 0 && s != INPUT_INTERRUPTED) {
		fprintf(stderr,
		        "mpcap analyze: --%s applies to scanner result files, and none was given; no "
		        "output written\n",
		        metadata ? "metadata" : "probe-options");
		rc = EXIT_USAGE;
	} else if (s == INPUT_INTERRUPTED) {
		fprintf(stderr, "mpcap: interrupted; no output written\n");
		rc = EXIT_INTERRUPTED;
	} else if (!scan || scan_finish(scan, note, sizeof note) != 0) {
		fprintf(stderr, "mpcap: out of memory\n");
		rc = EXIT_ERROR;
	} else {
		if (note[0])
			fprintf(stderr, "mpcap: %s\n", note);
		if (env->stop && *env->stop) {
			fprintf(stderr, "mpcap: interrupted; no output written\n");
			rc = EXIT_INTERRUPTED;
		} else if (write_scan_outputs(dir, scan, err, sizeof err) != 0) {
			fprintf(stderr, "mpcap: %s\n", err);
			rc = EXIT_ERROR;
		} else {
			if (!quiet)
				fprintf(
				    stderr,
				    "mpcap: scan %s: %llu packets, %llu probes, %llu targets probed, %llu "
				    "responsive, %llu MP_CAPABLE responders -> %s/ (targets.csv, "
				    "summary.csv, targets.sets, scan.state)\n",
				    scan_label(scan), (unsigned long long)st.records,
				    (unsigned long long)counter_total(scan, "probes.packets"),
				    (unsigned long long)counter_total(scan, "targets.probed"),
				    (unsigned long long)counter_total(scan, "targets.responsive"),
				    (unsigned long long)counter_total(scan, "targets.mpcapable"), dir);
			rc = s == INPUT_WARNINGS ? EXIT_WARNINGS : EXIT_OK;
		}
	}
	scan_free(scan);
	return rc;
}
