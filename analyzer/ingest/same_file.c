/* same_file.c — the same input given twice (POSIX stat(2)).  See same_file.h. */
#include "analyzer/ingest/same_file.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FIRST_BLOCK 4096

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static bool same_first_block(const char *a, const char *b)
{
	unsigned char x[FIRST_BLOCK], y[FIRST_BLOCK];
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	bool same = false;
	if (fa && fb) {
		size_t na = fread(x, 1, sizeof x, fa), nb = fread(y, 1, sizeof y, fb);
		same = na == nb && memcmp(x, y, na) == 0;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

int same_file_find(char *const *files, int n, int *first, int *second)
{
	struct stat *st = calloc((size_t)(n > 0 ? n : 1), sizeof *st);
	bool *ok = calloc((size_t)(n > 0 ? n : 1), sizeof *ok);
	int found = 0;
	for (int i = 0; st && ok && i < n && !found; i++) {
		ok[i] = strcmp(files[i], "-") != 0 && stat(files[i], &st[i]) == 0 && S_ISREG(st[i].st_mode);
		for (int j = 0; ok[i] && j < i && !found; j++) {
			if (!ok[j])
				continue;
			bool same = st[i].st_dev == st[j].st_dev && st[i].st_ino == st[j].st_ino;
			if (!same && st[i].st_size == st[j].st_size &&
			    strcmp(base_name(files[i]), base_name(files[j])) == 0)
				same = same_first_block(files[i], files[j]);
			if (same) {
				*first = j;
				*second = i;
				found = 1;
			}
		}
	}
	free(st);
	free(ok);
	return found;
}
