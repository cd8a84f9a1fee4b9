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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analyzer/base/csv_io.h"
#include "analyzer/ingest/input.h"
#include "analyzer/ingest/same_file.h"
#include "analyzer/ingest/zmap_meta.h"
#include "analyzer/results/columns.h"
#include "analyzer/results/outdir.h"
#include "analyzer/results/manifest.h"
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
	    "  DIR/manifest.json how they were made: version, command line, times, host,\n"
	    "                    every input's size and SHA-256 (hashed as it is read),\n"
	    "                    options, counts, every output's SHA-256 (mpcap verify)\n"
	    "\n"
	    "  -o, --output DIR     output directory (default: mpcap-results; created if missing)\n"
	    "  -f, --filter EXPR    only packets matching the BPF expression (pcap-filter(7))\n"
	    "  -j, --jobs N         N threads share the targets, the one reading included (default:\n"
	    "                       the cores online less one, at least 1; 1: one thread); the\n"
	    "                       results are those of -j 1\n"
	    "      --scan LABEL     name of the scan (default: UTC month of the first packet, e.g. 2020-07)\n"
	    "      --probe-key HEX  the probe's 64-bit key (16 hex digits), for captures that hold\n"
	    "                       responses only; by default the key is learned from the probes,\n"
	    "                       or inferred as a key returned by many distinct hosts (said on stderr)\n"
	    "      --metadata FILE  ZMap's metadata (-m) of the scan whose result files are read:\n"
	    "                       its probe_args \"hex:...\" is the option block every probe carried\n"
	    "      --probe-options HEX  the same, given by hand (e.g. 1e0c00810c0c0c0c0c0c0c0c)\n"
	    "      --all            list every responder in targets.csv, not only MP_CAPABLE ones\n"
	    "      --no-input-hash  do not hash the inputs for manifest.json (sha256 is null)\n"
	    "      --progress       force the progress line on stderr (default: only on a terminal)\n"
	    "      --no-progress    never draw it\n"
	    "      --max-memory SIZE  what a compressed capture's decoder may allocate\n"
	    "                       (xz dictionary, zstd window; default 256M)\n"
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
	    "The same file given twice (same device and inode, or same name, size and first\n"
	    "block) is refused.\n"
	    "\n"
	    "Exit status: 0 ok, 1 error (no output written), 2 usage, 3 complete with\n"
	    "warnings (a damaged capture read up to the damage, scanner rows not analysed,\n"
	    "captures starting in different calendar months without --scan, probes with no\n"
	    "MP_CAPABLE option, a capture with no packets).\n",
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

/* -j by default: the cores online less one (the input's SHA-256 or its
 * decompression runs beside the reading thread and takes about one), at
 * least 1, at most 256.  On 2 cores -j 2 is slower than -j 1 (make bench;
 * docs/scale.md), so the default there is one thread. */
static int default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN) - 1;
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

void manifest_add_scan_counts(struct manifest *m, const struct scan *s)
{
	static const char *const names[] = { "packets.total",  "probes.packets",     "responses.packets",
		                             "targets.probed", "targets.responsive", "targets.mpcapable" };
	manifest_add_scan(m, scan_label(s));
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		manifest_set_count(m, names[i], counter_total(s, names[i]));
}

int manifest_add_captures(struct manifest *m, char *const *files, int nfiles,
                          const struct input_file_info *info, bool hash, char *err, size_t errlen)
{
	for (int i = 0; i < nfiles; i++) {
		int rc;
		if (info[i].hashed)
			rc = manifest_add_input(m, files[i], "capture", info[i].sha256, info[i].size, err,
			                        errlen);
		else if (!hash) {
			struct stat sb;
			uint64_t size = stat(files[i], &sb) == 0 ? (uint64_t)sb.st_size : 0;
			rc = manifest_add_input(m, files[i], "capture", NULL, size, err, errlen);
		} else /* a scanner's result file: its reader does not hash */
			rc = manifest_add_input_file(m, files[i], "scanner-output", err, errlen);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* The inputs (hashed as they were read), options and counts of the run. */
static int record_run(struct manifest *m, char *const *files, int nfiles, const struct input_file_info *info,
                      const struct input_options *io, const char *metadata, const char *probe_hex,
                      const struct scan_config *cfg, const struct scan *s, char *err, size_t errlen)
{
	if (manifest_add_captures(m, files, nfiles, info, io->hash, err, errlen) != 0)
		return -1;
	if (metadata && manifest_add_input_file(m, metadata, "metadata", err, errlen) != 0)
		return -1;
	manifest_set_option(m, "filter", io->filter);
	manifest_set_option(m, "scan", cfg->label);
	char key[17];
	format_key(cfg->probe_key, key);
	manifest_set_option(m, "probe_key", cfg->probe_key_given ? key : NULL);
	manifest_set_option(m, "probe_options", probe_hex);
	manifest_set_flag(m, "all", cfg->all_responders);
	manifest_set_flag(m, "input_hash", io->hash);
	manifest_add_scan_counts(m, s);
	return 0;
}

/* Months since year 0 of the UTC calendar month of t, or INT64_MIN. */
static int64_t month_of(int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (!gmtime_r(&tt, &tm))
		return INT64_MIN;
	return ((int64_t)tm.tm_year + 1900) * 12 + tm.tm_mon;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Warns when the files start in more than one calendar month: the months
 * (or the first and last of many) and the files.  Returns 1 when it warned. */
static int several_months(char *const *files, int nfiles, const struct input_file_info *info,
                          const struct scan *s)
{
	/* the month of each file's first packet */
	int64_t *iv = malloc(2 * (size_t)nfiles * sizeof *iv);
	size_t n = 0;
	for (int i = 0; iv && i < nfiles; i++) {
		/* the month each file starts in: a stray time stamp far off (a clock
		 * reset) does not make a capture span years */
		int64_t a = month_of(info[i].start_sec), b = a;
		if (!info[i].started || a == INT64_MIN)
			continue;
		iv[2 * n] = a;
		iv[2 * n + 1] = b;
		n++;
	}
	if (!iv || n == 0) {
		free(iv);
		return 0;
	}
	qsort(iv, n, 2 * sizeof *iv, cmp_i64); /* by first month */
	/* the union of the intervals: its months, counted and (up to six) named */
	int64_t total = 0, cur_a = iv[0], cur_b = iv[1], named[6];
	size_t nnamed = 0;
	for (size_t k = 1; k <= n; k++) {
		if (k < n && iv[2 * k] <= cur_b + 1) {
			if (iv[2 * k + 1] > cur_b)
				cur_b = iv[2 * k + 1];
			continue;
		}
		total += cur_b - cur_a + 1;
		for (int64_t m = cur_a; m <= cur_b && nnamed < 6; m++)
			named[nnamed++] = m;
		if (k < n) {
			cur_a = iv[2 * k];
			cur_b = iv[2 * k + 1];
		}
	}
	int64_t first = iv[0], last = cur_b;
	free(iv);
	if (total < 2)
		return 0;
	char list[160] = "";
	size_t used = 0;
	if (total <= 6)
		for (size_t k = 0; k < nnamed && used < sizeof list; k++)
			used += (size_t)snprintf(list + used, sizeof list - used, "%s%04lld-%02lld",
			                         k ? (k + 1 == nnamed ? " and " : ", ") : "",
			                         (long long)(named[k] / 12), (long long)(named[k] % 12 + 1));
	else
		snprintf(list, sizeof list, "%04lld-%02lld to %04lld-%02lld", (long long)(first / 12),
		         (long long)(first % 12 + 1), (long long)(last / 12), (long long)(last % 12 + 1));
	fprintf(stderr, "mpcap analyze: warning: ");
	for (int i = 0, k = 0; i < nfiles; i++)
		if (info[i].records > 0)
			fprintf(stderr, "%s%s", k++ ? ", " : "", files[i]);
	fprintf(stderr,
	        ": the packets span %lld calendar months (%s) but form one scan labelled %s; run "
	        "analyze once per month, or name the scan with --scan LABEL\n",
	        (long long)total, list, scan_label(s));
	return 1;
}

/* Input that is probably a mistake: said on stderr; non-zero when any. */
static int warn_mistakes(char *const *files, int nfiles, const struct input_file_info *info,
                         const struct scan_config *cfg, const struct scan *s)
{
	int warned = 0;
	for (int i = 0; i < nfiles; i++)
		if (info[i].records == 0) {
			fprintf(stderr,
			        "mpcap analyze: warning: %s: no packets; is it the capture you meant?\n",
			        files[i]);
			warned = 1;
		}
	/* the calendar months (UTC) the packets fall in, when no --scan names the scan */
	if (!cfg->label && several_months(files, nfiles, info, s))
		warned = 1;
	for (int i = 0; i < nfiles; i++)
		if (info[i].syns > 0 && info[i].syns_mpc == 0) {
			fprintf(stderr,
			        "mpcap analyze: warning: %s: none of its %llu probe%s (TCP SYNs) carries an "
			        "MP_CAPABLE option; is it the capture of an MP_CAPABLE scan?\n",
			        files[i], (unsigned long long)info[i].syns, info[i].syns == 1 ? "" : "s");
			warned = 1;
		}
	return warned;
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
		{ "max-memory", required_argument, NULL, 'X' },
		{ "no-input-hash", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = "mpcap-results", *filter = NULL;
	struct scan_config cfg = { 0 };
	int progress = -1, c, jobs = default_jobs();
	bool quiet = false, hash = true;
	const char *metadata = NULL, *probe_hex = NULL;
	uint64_t max_memory = 0; /* the decompressor's default */
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
		case 'X':
			if (!cli_max_memory("analyze", optarg, &max_memory))
				return EXIT_USAGE;
			break;
		case 'H':
			hash = false;
			break;
		case 'h':
			help_analyze(stdout);
			return EXIT_OK;
		default:
			return cli_bad_option("analyze", argv, optind, longopts);
		}
	}
	if (optind >= argc)
		return cli_no_capture("analyze");
	char err[1024], note[512];
	if (outdir_check(dir, err, sizeof err) != 0) { /* before reading the capture */
		fprintf(stderr, "mpcap analyze: %s\n", err);
		return EXIT_ERROR;
	}
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
		fprintf(stderr, "mpcap analyze: %s\n", err);
		return EXIT_ERROR;
	}
	char **files = argv + optind;
	int nfiles = argc - optind;
	int dup1, dup2;
	if (same_file_find(files, nfiles, &dup1, &dup2)) {
		fprintf(stderr,
		        "mpcap analyze: %s: given twice (as %s and %s); its packets would count twice: give "
		        "each capture once\n",
		        files[dup2], files[dup1], files[dup2]);
		return EXIT_USAGE;
	}
	struct input_file_info *info = calloc((size_t)nfiles, sizeof *info);
	if (!info) {
		fprintf(stderr, "mpcap analyze: out of memory\n");
		return EXIT_ERROR;
	}
	bool parallel = jobs > 1;
	struct input_options io = { filter, progress < 0 ? env->stderr_tty : progress == 1, env->stop, stderr,
		                    on_file, probe.known ? &probe : NULL,
		                    /* a ZMap file's answers alone would be judged against an inferred key */
		                    cfg.probe_key_given ? NULL
		                                        : "give the scan's --metadata FILE.json (ZMap's -m), "
		                                          "--probe-options HEX or --probe-key HEX",
		                    .info = info, .hash = hash };
	io.max_memory = max_memory;
	io.who = "mpcap analyze";
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
			fprintf(stderr, "mpcap analyze: %s\n", err);
			free(info);
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
			fprintf(stderr, "mpcap analyze: -j %d: %s; reading the input again with one thread\n",
			        jobs, why);
			scan_free(scan);
			scan = NULL;
			parallel = false;
		} else {
			if (logbuf && loglen)
				fwrite(logbuf, 1, loglen, stderr);
			if (scan && scan_merge_inexact(scan, why, sizeof why))
				fprintf(stderr,
				        "mpcap analyze: -j %d: %s; scan.state keeps another part of them "
				        "than -j 1 "
				        "would (standard input cannot be read again)\n",
				        jobs, why);
		}
		free(logbuf);
		io.log = stderr;
	}
	if (!parallel) {
		scan = scan_new(&cfg, err, sizeof err);
		if (!scan) {
			fprintf(stderr, "mpcap analyze: %s\n", err);
			free(info);
			return EXIT_ERROR;
		}
		s = input_run(files, nfiles, &io, on_packet, scan, &st, err, sizeof err);
	}
	int rc = EXIT_OK;
	if (s == INPUT_FATAL) {
		fprintf(stderr, "mpcap analyze: %s\n", err);
		rc = EXIT_ERROR;
	} else if (probe.known && st.scanner_files == 0 && s != INPUT_INTERRUPTED) {
		fprintf(stderr,
		        "mpcap analyze: --%s applies to scanner result files, and none was given; no "
		        "output written\n",
		        metadata ? "metadata" : "probe-options");
		rc = EXIT_USAGE;
	} else if (s == INPUT_INTERRUPTED) {
		fprintf(stderr, "mpcap analyze: interrupted; no output written\n");
		rc = EXIT_INTERRUPTED;
	} else if (!scan || scan_finish(scan, note, sizeof note) != 0) {
		fprintf(stderr, "mpcap analyze: out of memory\n");
		rc = EXIT_ERROR;
	} else {
		if (note[0])
			fprintf(stderr, "mpcap analyze: %s\n", note);
		if (env->stop && *env->stop) {
			fprintf(stderr, "mpcap analyze: interrupted; no output written\n");
			rc = EXIT_INTERRUPTED;
		} else if (record_run(env->manifest, files, nfiles, info, &io, metadata, probe_hex, &cfg,
		                      scan, err, sizeof err) != 0 ||
		           write_scan_outputs(dir, scan, env->manifest, err, sizeof err) != 0) {
			fprintf(stderr, "mpcap analyze: %s\n", err);
			rc = EXIT_ERROR;
		} else {
			if (!quiet)
				fprintf(stderr,
				        "mpcap analyze: scan %s: %llu packets, %llu probes, %llu targets "
				        "probed, %llu "
				        "responsive, %llu MP_CAPABLE responders -> %s/ (targets.csv, "
				        "summary.csv, fingerprints.csv, targets.sets, scan.state)\n",
				        scan_label(scan), (unsigned long long)st.records,
				        (unsigned long long)counter_total(scan, "probes.packets"),
				        (unsigned long long)counter_total(scan, "targets.probed"),
				        (unsigned long long)counter_total(scan, "targets.responsive"),
				        (unsigned long long)counter_total(scan, "targets.mpcapable"), dir);
			rc = s == INPUT_WARNINGS ? EXIT_WARNINGS : EXIT_OK;
			if (warn_mistakes(files, nfiles, info, &cfg, scan) != 0)
				rc = EXIT_WARNINGS;
		}
	}
	scan_free(scan);
	free(info);
	return rc;
}
