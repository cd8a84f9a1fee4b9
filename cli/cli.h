/* cli.h — the subcommands of the mpcap binary and their shared conventions.
 *
 * Each subcommand is a thin front end: it parses its options, calls modules
 * that neither print nor exit, writes outputs atomically and returns an exit
 * status; only main() exits.
 */
#ifndef MPCAP_CLI_H
#define MPCAP_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analyzer/base/text.h"

/* Exit statuses, documented in mpcap(1). */
enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,    /* unreadable or invalid input, output failure: no final output written */
	EXIT_USAGE = 2,    /* bad command line */
	EXIT_WARNINGS = 3, /* complete with warnings: damaged input analysed up to the damage */
	EXIT_INTERRUPTED = 130,
};

struct manifest;

struct cli_env {
	volatile sig_atomic_t *stop; /* set by SIGINT/SIGTERM */
	bool stderr_tty;
	/* this run's manifest.json (manifest.h): subcommands add their inputs,
	 * options and counts, and hand it to every outdir they write */
	struct manifest *manifest;
};

struct subcommand {
	const char *name;
	const char *summary; /* one line for `mpcap --help` */
	int (*run)(int argc, char **argv, const struct cli_env *env);
	void (*help)(FILE *out);
};

struct option;
/* The name of cands closest to word[0..len) (at most 2 edits, or the one
 * name it begins), or NULL. */
const char *cli_closest(const char *word, size_t len, const char *const *cands, size_t n);
/* What a subcommand does when getopt_long() returned '?' with optind at
 * argi: when argv[argi - 1] is an unknown long option close to one of
 * longopts, "mpcap CMD: did you mean '--NAME'?"; then "Try 'mpcap help
 * CMD'."; returns EXIT_USAGE. */
int cli_bad_option(const char *cmd, char *const *argv, int argi, const struct option *longopts);
/* --max-memory ARG into *out; a size it cannot read is said on stderr
 * ("mpcap CMD: --max-memory ARG: not a size") and gives false. */
bool cli_max_memory(const char *cmd, const char *arg, uint64_t *out);
/* No capture operand after the options: says so; returns EXIT_USAGE. */
int cli_no_capture(const char *cmd);

int cmd_dump(int argc, char **argv, const struct cli_env *env);
void help_dump(FILE *out);
int cmd_analyze(int argc, char **argv, const struct cli_env *env);
struct scan;
/* The scan's label and headline counts into the run's manifest (analyze, merge). */
void manifest_add_scan_counts(struct manifest *m, const struct scan *s);
struct input_file_info;
/* The captures read by input_run, hashed as read (or not, without hash). */
int manifest_add_captures(struct manifest *m, char *const *files, int nfiles,
                          const struct input_file_info *info, bool hash, char *err, size_t errlen);
void help_analyze(FILE *out);
int cmd_join(int argc, char **argv, const struct cli_env *env);
void help_join(FILE *out);
int cmd_trace(int argc, char **argv, const struct cli_env *env);
void help_trace(FILE *out);
int cmd_attribute(int argc, char **argv, const struct cli_env *env);
void help_attribute(FILE *out);
int cmd_merge(int argc, char **argv, const struct cli_env *env);
void help_merge(FILE *out);
int cmd_columns(int argc, char **argv, const struct cli_env *env);
void help_columns(FILE *out);
int cmd_stats(int argc, char **argv, const struct cli_env *env);
void help_stats(FILE *out);
int cmd_report(int argc, char **argv, const struct cli_env *env);
void help_report(FILE *out);
int cmd_verify(int argc, char **argv, const struct cli_env *env);
void help_verify(FILE *out);

#endif
