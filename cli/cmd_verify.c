/* cmd_verify.c — `mpcap verify`: a results directory checked against its
 * manifest.json (manifest.h): every output re-hashed (SHA-256, FIPS 180-4),
 * and with --inputs every input still at its path. */
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/results/manifest.h"
#include "cli/cli.h"

void help_verify(FILE *out)
{
	fputs("usage: mpcap verify [--inputs] [-q] DIR...\n"
	      "\n"
	      "Checks each results directory DIR against the manifest.json mpcap wrote with it:\n"
	      "re-hashes every output file it lists (SHA-256) and prints one line per file,\n"
	      "'DIR/FILE: ok', 'changed' (size or SHA-256 differs) or 'missing'.\n"
	      "\n"
	      "      --inputs    also re-hash the inputs recorded (captures, results read),\n"
	      "                  where they are still at their paths (relative paths are taken\n"
	      "                  from the directory the run started in); those gone are 'missing'\n"
	      "  -q, --quiet     print only the files that do not agree\n"
	      "  -h, --help      this text\n"
	      "\n"
	      "Exit status: 0 every file agrees, 1 some file changed or is missing, or a DIR has\n"
	      "no readable manifest.json, 2 usage.\n",
	      out);
}

int cmd_verify(int argc, char **argv, const struct cli_env *env)
{
	(void)env;
	static const struct option longopts[] = {
		{ "inputs", no_argument, NULL, 'i' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool inputs = false, quiet = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			inputs = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			help_verify(stdout);
			return EXIT_OK;
		default:
			return cli_bad_option("verify", argv, optind, longopts);
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "mpcap verify: no results directory given\nTry 'mpcap help verify'.\n");
		return EXIT_USAGE;
	}
	int rc = EXIT_OK;
	long bad = 0;
	for (int i = optind; i < argc; i++) {
		char err[1024];
		char *buf = NULL;
		size_t len = 0;
		FILE *out = quiet ? open_memstream(&buf, &len) : stdout;
		int n = manifest_verify(argv[i], inputs, out ? out : stdout, err, sizeof err);
		if (quiet && out) {
			fclose(out);
			/* only the lines that do not end in ": ok" */
			for (char *line = buf; line && *line;) {
				char *nl = strchr(line, '\n');
				size_t l = nl ? (size_t)(nl - line) : strlen(line);
				if (!(l >= 4 && strncmp(line + l - 4, ": ok", 4) == 0))
					printf("%.*s\n", (int)l, line);
				line = nl ? nl + 1 : NULL;
			}
			free(buf);
		}
		if (n < 0) {
			fprintf(stderr, "mpcap verify: %s\n", err);
			rc = EXIT_ERROR;
		} else if (n > 0) {
			bad += n;
			rc = EXIT_ERROR;
		}
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "mpcap verify: standard output: write failed\n");
		return EXIT_ERROR;
	}
	if (bad)
		fprintf(stderr, "mpcap verify: %ld file%s do%s not agree with the manifest\n", bad,
		        bad == 1 ? "" : "s", bad == 1 ? "es" : "");
	return rc;
}
