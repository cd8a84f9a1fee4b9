/* suggest.c — what a subcommand says of a bad command line: "did you mean"
 * for a mistyped subcommand or long option (the closest name by edit
 * distance, Damerau-Levenshtein with optimal string alignment, or a unique
 * prefix), an unreadable --max-memory, a missing capture operand. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

#define MAXLEN 64

/* Optimal string alignment distance: insertions, deletions, substitutions
 * and transpositions of neighbours ("scna" is one edit from "scan"). */
static size_t edit_distance(const char *a, size_t na, const char *b, size_t nb)
{
	size_t d[MAXLEN + 1][MAXLEN + 1];
	for (size_t i = 0; i <= na; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= nb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= na; i++)
		for (size_t j = 1; j <= nb; j++) {
			size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[na][nb];
}

const char *cli_closest(const char *word, size_t len, const char *const *cands, size_t n)
{
	if (len == 0 || len > MAXLEN)
		return NULL;
	const char *best = NULL, *prefixed = NULL;
	size_t bestd = 3, nprefixed = 0; /* at most 2 edits, and fewer than half the word */
	for (size_t i = 0; i < n; i++) {
		size_t cl = strlen(cands[i]);
		if (cl > MAXLEN)
			continue;
		if (cl > len && strncmp(cands[i], word, len) == 0) {
			prefixed = cands[i];
			nprefixed++;
		}
		size_t d = edit_distance(word, len, cands[i], cl);
		if (d < bestd && 2 * d < (len > cl ? len : cl)) {
			bestd = d;
			best = cands[i];
		}
	}
	if (best)
		return best;
	return nprefixed == 1 ? prefixed : NULL;
}

static void option_hint(const char *cmd, char *const *argv, int argi, const struct option *longopts)
{
	if (argi < 1)
		return;
	const char *arg = argv[argi - 1];
	if (strncmp(arg, "--", 2) != 0 || !arg[2])
		return;
	const char *name = arg + 2;
	size_t len = strcspn(name, "=");
	const char *names[64];
	size_t n = 0;
	for (const struct option *o = longopts; o->name && n < 64; o++) {
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return; /* a known option: its argument was the trouble */
		names[n++] = o->name;
	}
	const char *s = cli_closest(name, len, names, n);
	if (s)
		fprintf(stderr, "mpcap %s: did you mean '--%s'?\n", cmd, s);
}

int cli_bad_option(const char *cmd, char *const *argv, int argi, const struct option *longopts)
{
	option_hint(cmd, argv, argi, longopts);
	fprintf(stderr, "Try 'mpcap help %s'.\n", cmd);
	return EXIT_USAGE;
}

bool cli_max_memory(const char *cmd, const char *arg, uint64_t *out)
{
	if (parse_mem_size(arg, out))
		return true;
	fprintf(stderr, "mpcap %s: --max-memory %s: not a size (e.g. 512M, 2G)\n", cmd, arg);
	return false;
}

int cli_no_capture(const char *cmd)
{
	fprintf(stderr,
	        "mpcap %s: no capture file given (use '-' for standard input)\nTry 'mpcap help %s'.\n", cmd,
	        cmd);
	return EXIT_USAGE;
}
