/* manifest.h — manifest.json: how a results directory was made.
 *
 * Every output directory (outdir.h) of a run carries one, written in the
 * same commit as the files it describes: the mpcap version (and `git
 * describe` of the checkout it was built from), the full command line, the
 * start and end time (UTC, RFC 3339), the host name, every input's path,
 * size and SHA-256, the options that change results, the scan labels,
 * headline counts, and each output file's size and SHA-256.  JSON through
 * jansson; SHA-256 through libcrypto (sha256.h).  `mpcap verify` reads it
 * back (manifest_verify).
 */
#ifndef MPCAP_MANIFEST_H
#define MPCAP_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MANIFEST_NAME "manifest.json"

struct manifest;
struct outdir;

/* A manifest for one run, its start time now.  git_describe may be NULL or
 * "".  NULL when out of memory. */
struct manifest *manifest_new(const char *version, const char *git_describe, int argc, char *const *argv);
void manifest_free(struct manifest *m);

/* An input already hashed while it was read ("hashed": "while read"). */
int manifest_add_input(struct manifest *m, const char *path, const char *kind, const char *sha256,
                       uint64_t size, char *err, size_t errlen);
/* An input hashed here, by reading it once more ("hashed": "after reading";
 * the readers that do not hash as they read).  A path that is not a regular
 * file ("-", a FIFO) is recorded without a hash. */
int manifest_add_input_file(struct manifest *m, const char *path, const char *kind, char *err, size_t errlen);
/* The results files of a results directory read as input, each hashed as
 * manifest_add_input_file does; its own manifest.json too when present. */
int manifest_add_results_dir(struct manifest *m, const char *dir, char *err, size_t errlen);

/* Each path: a directory as manifest_add_results_dir, anything else as
 * manifest_add_input_file with kind. */
int manifest_add_paths(struct manifest *m, char *const *paths, int n, const char *kind, char *err,
                       size_t errlen);

/* An option that changes the results (string, number or true). */
void manifest_set_option(struct manifest *m, const char *name, const char *value);
void manifest_set_option_int(struct manifest *m, const char *name, int64_t value);
void manifest_set_flag(struct manifest *m, const char *name, bool value);
void manifest_add_scan(struct manifest *m, const char *label);
void manifest_set_count(struct manifest *m, const char *name, uint64_t value);

/* Hashes every file of o (its temporaries, flushed), sets the end time and
 * adds MANIFEST_NAME to o, before o is committed.  0 or -1 with err. */
int manifest_write(struct manifest *m, struct outdir *o, char *err, size_t errlen);

/* Checks the results directory dir against its manifest: one line per file
 * on out ("ok", "changed", "missing"), inputs too when inputs is set (those
 * no longer at their paths are "missing").  Returns the number of files that
 * do not agree, or -1 with err when dir has no readable manifest. */
int manifest_verify(const char *dir, bool inputs, FILE *out, char *err, size_t errlen);

#endif
