/* outdir.h — the set of files a subcommand writes into its output directory.
 *
 * Every subcommand that writes several files into DIR (analyze, merge,
 * trace, stats, join, attribute, report) writes them through one outdir:
 * each file is created under a temporary name in DIR (atomic_file.h), all
 * are written, then outdir_commit() flushes and syncs every file before it
 * renames the first one, so a full disk or a write error fails before any
 * final name is touched.  Abort (or a failed commit) removes every
 * temporary file.  The commit is the one place that decides how the files
 * appear together.
 */
#ifndef MPCAP_OUTDIR_H
#define MPCAP_OUTDIR_H

#include <stddef.h>
#include <stdio.h>

#include "analyzer/results/atomic_file.h"

struct outdir_file {
	char *name; /* as given to outdir_add */
	struct atomic_file af;
};

struct manifest;

struct outdir {
	char *dir;
	/* set by the caller after outdir_open: written as manifest.json by the
	 * commit, with the other files (manifest.h) */
	struct manifest *manifest;
	struct outdir_file *files; /* in the order added: the order of the renames */
	size_t n, cap;
};

/* Creates dir (and missing parents).  0, or -1 with err. */
int outdir_open(struct outdir *o, const char *dir, char *err, size_t errlen);
/* Opens DIR/name under a temporary name; NULL with err. */
FILE *outdir_add(struct outdir *o, const char *name, char *err, size_t errlen);
/* Says that writing to fp (a file of o; NULL: several of them) failed:
 * "DIR/NAME: write failed: <errno's text>".  Returns -1. */
int outdir_write_failed(const struct outdir *o, const FILE *fp, char *err, size_t errlen);
/* Flushes and syncs every file, then renames each to its final name.  On
 * failure err names the file and the reason and the temporaries that are
 * left are removed (by outdir_close). */
int outdir_commit(struct outdir *o, char *err, size_t errlen);
/* Removes the temporary files not committed and frees o (safe after a
 * commit, after a failed open, and twice). */
void outdir_close(struct outdir *o);

#endif
