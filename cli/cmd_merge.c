/* cmd_merge.c — `mpcap merge`: results of mpcap analyze computed on shards
 * of one scan (by file: tcpdump -C/-G rotation; by target: ZMap --shards or
 * one BPF filter per shard) combined into exactly what one run over all
 * inputs gives.  Each RESULTS directory holds targets.sets and scan.state
 * (scan_state.c); the merge is scan_merge (scan_merge.c), and the outputs
 * are those of mpcap analyze, scan.state included, so that merged results
 * can be merged again. */
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/results/manifest.h"
#include "analyzer/results/results_dir.h"
#include "analyzer/results/scan_outputs.h"
#include "analyzer/scan/scan.h"
#include "cli/cli.h"

void help_merge(FILE *out)
{
	fputs("usage: mpcap merge [-o DIR] [-q] RESULTS...\n"
	      "\n"
	      "Combines the results of `mpcap analyze` run on shards of one scan into what a\n"
	      "single run over all the shards' inputs gives: targets.csv, summary.csv,\n"
	      "targets.sets and scan.state, byte for byte.  Distinct targets are unions of the\n"
	      "shards' exact sets; verdicts that depend on the whole scan (keys shared by\n"
	      "several hosts) are decided again; a response whose probe lies in another shard\n"
	      "(a rotation boundary) is matched to it.\n"
	      "\n"
	      "Shards are either consecutive pieces of the capture, given in capture order\n"
	      "(tcpdump -C or -G rotation files analysed separately), or the same capture\n"
	      "split by target (ZMap --shards, or `mpcap analyze -f FILTER` with filters that\n"
	      "together take every packet exactly once and keep a target's probes and answers\n"
	      "together).  RESULTS are merged in the order given; a merged directory can be\n"
	      "merged again; the same directory twice is refused.  docs/scale.md shows GNU\n"
	      "parallel and Slurm recipes.\n"
	      "\n"
	      "  -o, --output DIR   output directory (default: mpcap-merged; created if missing)\n"
	      "  -q, --quiet        no closing summary on stderr\n"
	      "  -h, --help         this text\n"
	      "\n"
	      "Exit status: 0 ok, 1 error (no output written), 2 usage, 3 merged, but a case\n"
	      "could not be decided exactly (said on stderr; see docs/scale.md).\n",
	      out);
}

/* The two files of a results directory that merge reads, into the manifest
 * (hashed after reading: the state's readers do not hash). */
static int record_input(struct manifest *m, const char *dir, char *err, size_t errlen)
{
	static const char *const names[] = { "scan.state", "targets.sets" };
	for (int i = 0; i < 2; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (manifest_add_input_file(m, path, "results", err, errlen) != 0)
			return -1;
	}
	return 0;
}

int cmd_merge(int argc, char **argv, const struct cli_env *env)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = "mpcap-merged";
	bool quiet = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			dir = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			help_merge(stdout);
			return EXIT_OK;
		default:
			return cli_bad_option("merge", argv, optind, longopts);
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "mpcap merge: no results directory given\nTry 'mpcap help merge'.\n");
		return EXIT_USAGE;
	}
	/* the same directory twice would count its packets twice */
	int n = argc - optind;
	char **real = calloc((size_t)n, sizeof *real);
	if (!real) {
		fprintf(stderr, "mpcap merge: out of memory\n");
		return EXIT_ERROR;
	}
	int twice = -1, first = -1;
	for (int i = 0; i < n && twice < 0; i++) {
		real[i] = realpath(argv[optind + i], NULL);
		for (int j = 0; real[i] && j < i && twice < 0; j++)
			if (real[j] && strcmp(real[i], real[j]) == 0) {
				twice = i;
				first = j;
			}
	}
	if (twice >= 0)
		fprintf(stderr, "mpcap merge: %s: given twice (as %s and %s)\n", real[twice],
		        argv[optind + first], argv[optind + twice]);
	for (int i = 0; i < n; i++)
		free(real[i]);
	free(real);
	if (twice >= 0)
		return EXIT_USAGE;
	char err[1024], note[512];
	struct scan *acc = NULL;
	int rc = EXIT_OK;
	for (int i = optind; i < argc; i++) {
		if (env->stop && *env->stop) {
			fprintf(stderr, "mpcap merge: interrupted; no output written\n");
			scan_free(acc);
			return EXIT_INTERRUPTED;
		}
		struct scan *s = results_dir_check(argv[i], err, sizeof err) == 0
		                     ? scan_state_load(argv[i], err, sizeof err)
		                     : NULL;
		if (s && record_input(env->manifest, argv[i], err, sizeof err) != 0) {
			scan_free(s);
			s = NULL;
		}
		if (!s) {
			fprintf(stderr, "mpcap merge: %s\n", err);
			scan_free(acc);
			return EXIT_ERROR;
		}
		if (!acc) {
			acc = s;
			continue;
		}
		if (scan_adopt_files(acc, s, err, sizeof err) != 0 ||
		    scan_merge(acc, s, err, sizeof err) != 0) {
			fprintf(stderr, "mpcap merge: %s: %s\n", argv[i], err);
			scan_free(s);
			scan_free(acc);
			return EXIT_ERROR;
		}
		scan_free(s);
	}
	char why[256];
	if (scan_merge_inexact(acc, why, sizeof why)) {
		fprintf(stderr, "mpcap merge: warning: the merge may differ from a single run: %s\n", why);
		rc = EXIT_WARNINGS;
	}
	if (scan_finish(acc, note, sizeof note) != 0) {
		fprintf(stderr, "mpcap merge: out of memory\n");
		scan_free(acc);
		return EXIT_ERROR;
	}
	if (note[0])
		fprintf(stderr, "mpcap merge: %s\n", note);
	if (env->stop && *env->stop) {
		fprintf(stderr, "mpcap merge: interrupted; no output written\n");
		scan_free(acc);
		return EXIT_INTERRUPTED;
	}
	manifest_add_scan_counts(env->manifest, acc);
	manifest_set_option(env->manifest, "scan", scan_label(acc));
	if (write_scan_outputs(dir, acc, env->manifest, err, sizeof err) != 0) {
		fprintf(stderr, "mpcap merge: %s\n", err);
		scan_free(acc);
		return EXIT_ERROR;
	}
	if (!quiet)
		fprintf(stderr, "mpcap merge: merged %d result%s of scan %s -> %s/\n", argc - optind,
		        argc - optind == 1 ? "" : "s", scan_label(acc), dir);
	scan_free(acc);
	return rc;
}
