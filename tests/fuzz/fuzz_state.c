/* fuzz_state.c — libFuzzer harness: a results directory read back by `mpcap merge`.
 *
 * mpcap merge reads DIR/scan.state and DIR/targets.sets written on other
 * machines (docs/scale.md): every byte of them is untrusted.  Input: a u32
 * little-endian length L, then L bytes of scan.state (fewer if the input ends),
 * then the rest as targets.sets.  Both are written to a fresh directory and
 * loaded by scan_state_load() (the state's own parser, then CRoaring through
 * target_sets_read()).  A refusal must say why.  A state that loads goes the
 * whole way of a merge: merged into a second copy of itself (refused as the
 * same files, or merged), settled by scan_finish() and written back with
 * write_scan_outputs(), as `mpcap merge` does.  Invariant: what mpcap writes,
 * it can read — the written directory loads again, and writing that gives
 * the same scan.state and targets.sets byte for byte.
 * Seeds: tests/fuzz/seeds/state (make-seeds.py: analyze runs over the seed
 * captures).
 */
#include <dirent.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "analyzer/results/scan_outputs.h"
#include "analyzer/scan/scan.h"
#include "fuzz.h"

static bool put_file(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "wb");
	if (!fp)
		return false;
	bool ok = fwrite(p, 1, n, fp) == n;
	return fclose(fp) == 0 && ok;
}

static uint8_t *slurp(const char *dir, const char *name, size_t *n)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "rb");
	FUZZ_CHECK(fp != NULL);
	uint8_t *buf = NULL;
	size_t cap = 0;
	*n = 0;
	for (;;) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap);
			FUZZ_CHECK(buf != NULL);
		}
		size_t k = fread(buf + *n, 1, cap - *n, fp);
		if (k == 0)
			break;
		*n += k;
	}
	fclose(fp);
	return buf;
}

/* Removes dir and the files in it (no subdirectories are made). */
static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char path[512];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static bool same_file(const char *a, const char *b, const char *name)
{
	size_t na, nb;
	uint8_t *x = slurp(a, name, &na), *y = slurp(b, name, &nb);
	bool same = na == nb && memcmp(x, y, na) == 0;
	free(x);
	free(y);
	return same;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = size;
	const uint8_t *state = data;
	if (size >= 4) {
		uint32_t l = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
		             (uint32_t)data[3] << 24;
		state = data + 4;
		len = l < size - 4 ? l : size - 4;
	}
	const uint8_t *sets = state + len;
	size_t nsets = (size_t)(data + size - sets);

	char in[] = "/tmp/mpcap-fuzz-state-XXXXXX";
	FUZZ_CHECK(mkdtemp(in) != NULL);
	char out[sizeof in + 8], again[sizeof in + 8];
	snprintf(out, sizeof out, "%s.out", in);
	snprintf(again, sizeof again, "%s.again", in);
	FUZZ_CHECK(put_file(in, "scan.state", state, len));
	FUZZ_CHECK(put_file(in, "targets.sets", sets, nsets));

	char err[1024] = "";
	struct scan *s = scan_state_load(in, err, sizeof err);
	if (!s) {
		FUZZ_CHECK(err[0] != '\0');
		remove_dir(in);
		return 0;
	}
	/* the merge of a piece with itself: refused (same file names) or merged */
	struct scan *t = scan_state_load(in, err, sizeof err);
	FUZZ_CHECK(t != NULL);
	err[0] = '\0';
	if (scan_adopt_files(s, t, err, sizeof err) != 0 || scan_merge(s, t, err, sizeof err) != 0)
		FUZZ_CHECK(err[0] != '\0');
	scan_free(t);
	scan_free(s);

	/* a single piece, as `mpcap merge DIR -o OUT` writes it */
	s = scan_state_load(in, err, sizeof err);
	FUZZ_CHECK(s != NULL);
	char why[256], note[512];
	(void)scan_merge_inexact(s, why, sizeof why);
	FUZZ_CHECK(scan_finish(s, note, sizeof note) == 0);
	FUZZ_CHECK(write_scan_outputs(out, s, NULL, err, sizeof err) == 0);
	scan_free(s);

	/* what mpcap writes, it can read, and writes again the same */
	s = scan_state_load(out, err, sizeof err);
	if (!s)
		fprintf(stderr, "written results refused: %s\n", err);
	FUZZ_CHECK(s != NULL);
	(void)scan_merge_inexact(s, why, sizeof why);
	FUZZ_CHECK(scan_finish(s, note, sizeof note) == 0);
	FUZZ_CHECK(write_scan_outputs(again, s, NULL, err, sizeof err) == 0);
	scan_free(s);
	FUZZ_CHECK(same_file(out, again, "scan.state"));
	FUZZ_CHECK(same_file(out, again, "targets.sets"));
	FUZZ_CHECK(same_file(out, again, "targets.csv"));
	FUZZ_CHECK(same_file(out, again, "summary.csv"));

	remove_dir(in);
	remove_dir(out);
	remove_dir(again);
	return 0;
}
