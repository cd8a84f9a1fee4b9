/* outdir.c — an output directory's files written together, on top of
 * atomic_file (POSIX rename(2)).  See outdir.h. */
#include "analyzer/results/outdir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/results/manifest.h"

int outdir_open(struct outdir *o, const char *dir, char *err, size_t errlen)
{
	memset(o, 0, sizeof *o);
	if (ensure_dir(dir, err, errlen) != 0)
		return -1;
	if (!(o->dir = strdup(dir))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

FILE *outdir_add(struct outdir *o, const char *name, char *err, size_t errlen)
{
	if (o->n == o->cap) {
		size_t nc = o->cap ? o->cap * 2 : 8;
		struct outdir_file *nf = realloc(o->files, nc * sizeof *nf);
		if (!nf) {
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
		o->files = nf;
		o->cap = nc;
	}
	struct outdir_file *f = &o->files[o->n];
	memset(f, 0, sizeof *f);
	size_t len = strlen(o->dir) + strlen(name) + 2;
	char *path = malloc(len);
	f->name = strdup(name);
	if (!path || !f->name) {
		free(path);
		free(f->name);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(path, len, "%s/%s", o->dir, name);
	int rc = atomic_file_open(&f->af, path, err, errlen);
	free(path);
	if (rc != 0) {
		free(f->name);
		return NULL;
	}
	o->n++;
	return f->af.fp;
}

int outdir_write_failed(const struct outdir *o, const FILE *fp, char *err, size_t errlen)
{
	int e = errno;
	for (size_t i = 0; fp && i < o->n; i++)
		if (o->files[i].af.fp == fp) {
			snprintf(err, errlen, "%s/%s: write failed: %s", o->dir, o->files[i].name,
			         strerror(e));
			return -1;
		}
	snprintf(err, errlen, "%s: write failed: %s", o->dir, strerror(e));
	return -1;
}

int outdir_commit(struct outdir *o, char *err, size_t errlen)
{
	if (o->manifest && manifest_write(o->manifest, o, err, errlen) != 0)
		return -1;
	/* every file on disk first, so that a full disk fails before any rename */
	for (size_t i = 0; i < o->n; i++)
		if (atomic_file_sync(&o->files[i].af, err, errlen) != 0)
			return -1;
	for (size_t i = 0; i < o->n; i++)
		if (atomic_file_rename(&o->files[i].af, err, errlen) != 0)
			return -1;
	return 0;
}

void outdir_close(struct outdir *o)
{
	for (size_t i = 0; i < o->n; i++) {
		atomic_file_abort(&o->files[i].af);
		free(o->files[i].name);
	}
	free(o->files);
	free(o->dir);
	memset(o, 0, sizeof *o);
}
