/* atomic_file.h — output files that appear complete or not at all.
 *
 * A file is written under a temporary name in its final directory
 * (".NAME.tmp.XXXXXX"), flushed and fsync()ed, then rename()d over the final
 * name (POSIX rename is atomic within a file system).  Abort removes the
 * temporary file, so an interrupted or failed run never leaves a half-written
 * final file behind.
 *
 * A final path that exists and is a FIFO, a character device or a socket is
 * written straight into (no temporary, nothing renamed over it); any other
 * existing non-regular file (a directory, a block device) is refused by
 * atomic_file_open, so callers can open before reading their input.
 */
#ifndef MPCAP_ATOMIC_FILE_H
#define MPCAP_ATOMIC_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct atomic_file {
	FILE *fp;
	char *final_path;
	char *tmp_path;
	bool direct; /* written straight into final_path */
};

/* Creates the temporary file next to final_path.  Returns 0 or -1 with err. */
int atomic_file_open(struct atomic_file *af, const char *final_path, char *err, size_t errlen);
/* Flushes, syncs, closes and renames.  On failure the temporary is removed
 * and err says why (e.g. "No space left on device"). */
int atomic_file_commit(struct atomic_file *af, char *err, size_t errlen);
/* The two halves of commit, for several files that appear together
 * (outdir.h): sync flushes, fsyncs and closes (the temporary stays), rename
 * puts it in place.  On failure the temporary is removed and err says why. */
int atomic_file_sync(struct atomic_file *af, char *err, size_t errlen);
int atomic_file_rename(struct atomic_file *af, char *err, size_t errlen);
/* Closes and removes the temporary file (safe to call twice or after commit). */
void atomic_file_abort(struct atomic_file *af);

/* Creates directory dir and missing parents (mkdir -p). */
int ensure_dir(const char *dir, char *err, size_t errlen);

#endif
