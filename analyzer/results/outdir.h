/* outdir.h — the set of files a subcommand writes into its output directory,
 * committed as a unit.
 *
 * Every subcommand that writes several files into DIR (analyze, merge,
 * trace, stats, join, attribute, report) writes them through one outdir.
 * The files are written into a fresh staging directory next to DIR
 * (".NAME.mpcap-XXXXXX" in DIR's parent).  outdir_commit() flushes and syncs
 * every file, carries every other entry of DIR into the staging directory
 * (hard links for files, symlinks, FIFOs...; a rename for subdirectories, so
 * files mpcap did not write are kept), syncs the staging directory, swaps it
 * with DIR in one renameat2(RENAME_EXCHANGE) (Linux 3.15), syncs the parent
 * and removes the old directory.  After any failure or signal DIR therefore
 * holds entirely the old results or entirely the new ones.
 *
 * DIR is resolved first: trailing slashes are dropped, a symlink is followed
 * (the directory it names is swapped, the link stays), "." and ".." are made
 * absolute.  Where the swap cannot be used — DIR is a mount point or "/", the
 * parent is not writable, the file system refuses RENAME_EXCHANGE (EINVAL,
 * EPERM in a sticky parent...), an entry of DIR cannot be hard-linked, or
 * the working directory is inside DIR (a shell there would be left in a
 * removed directory) — the files are renamed into DIR one by one, after every
 * final name was checked to be replaceable and with SIGINT, SIGTERM and
 * SIGHUP blocked: still all-or-nothing against failures and signals, not
 * against a crash in the middle (docs/robustness.md).
 *
 * A name in DIR that outdir would replace must be absent, a regular file or a
 * symlink; anything else (a directory, a FIFO...) is refused when the file
 * is added, before anything is written.
 *
 * For tests, the environment variable MPCAP_TEST_OUTDIR_FAIL=STEP makes the
 * commit fail at STEP (sync, carry, swap, rename) as if the system call had
 * failed with EIO; MPCAP_TEST_OUTDIR_FAIL=term:STEP raises SIGTERM there.
 * A signal during the swap or the renames is held until they are done.
 */
#ifndef MPCAP_OUTDIR_H
#define MPCAP_OUTDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "analyzer/results/atomic_file.h"

struct outdir_file {
	char *name; /* as given to outdir_add */
	struct atomic_file af;
};

struct manifest;

struct outdir {
	char *dir;     /* as given, for messages */
	char *target;  /* DIR resolved: an absolute path */
	char *stage;   /* the staging directory */
	bool existed;  /* DIR existed at open */
	bool in_place; /* the staging directory is inside DIR: rename file by file */
	/* set by the caller after outdir_open: written as manifest.json by the
	 * commit, with the other files (manifest.h) */
	struct manifest *manifest;
	struct outdir_file *files; /* in the order added */
	size_t n, cap;
};

/* Checks that dir can be an output directory: it is a directory (or a
 * symlink to one) or does not exist yet.  For subcommands to call before
 * reading their input.  0, or -1 with err. */
int outdir_check(const char *dir, char *err, size_t errlen);
/* Resolves dir, creates its missing parents and the staging directory.
 * 0, or -1 with err. */
int outdir_open(struct outdir *o, const char *dir, char *err, size_t errlen);
/* Opens NAME in the staging directory; NULL with err (also when DIR/NAME
 * exists and is neither a regular file nor a symlink). */
FILE *outdir_add(struct outdir *o, const char *name, char *err, size_t errlen);
/* Says that writing to fp (a file of o; NULL: several of them) failed:
 * "DIR/NAME: write failed: <errno's text>".  Returns -1. */
int outdir_write_failed(const struct outdir *o, const FILE *fp, char *err, size_t errlen);
/* Syncs every file and puts the set in place (see above).  On failure err
 * names the file and the reason, DIR is as it was, and outdir_close removes
 * the staging directory. */
int outdir_commit(struct outdir *o, char *err, size_t errlen);
/* Removes the staging directory if not committed and frees o (safe after a
 * commit, after a failed open, and twice). */
void outdir_close(struct outdir *o);

#endif
