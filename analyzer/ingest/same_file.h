/* same_file.h — the same input given twice on one command line.
 *
 * Reading one capture twice doubles every packet count, so a subcommand
 * refuses it.  Two paths name the same file when stat(2) gives the same
 * device and inode (a second path, a hard link, "./x" for "x"), or when they
 * have the same base name, the same size and the same first block (a copy).
 */
#ifndef MPCAP_SAME_FILE_H
#define MPCAP_SAME_FILE_H

/* Looks for two of files[0..n) that are the same file ("-" and paths that
 * cannot be stat()ed are left to the reader).  Returns 1 with *first <
 * *second, or 0 when all differ. */
int same_file_find(char *const *files, int n, int *first, int *second);

#endif
