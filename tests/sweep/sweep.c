/* sweep.c — truncation and corruption sweeps over capture files, in process.
 *
 *   sweep truncate [--mode quick|ci|full|every] [--max-seconds S] FILE...
 *   sweep corrupt [--seed N] [--mutants N] [--max-seconds S] FILE...
 *   sweep records FILE...
 *
 * Each run goes through input_run() — the loop of `mpcap analyze` and `mpcap
 * dump`: capture_open(), capture_next(), dissect_packet() — reading a memfd by
 * its /proc/self/fd path, so thousands of cuts cost no process start.  (The
 * command-line sweep in tests/e2e/sweep.sh checks exit statuses and messages
 * of the real binary on a sample of the same cuts.)
 *
 * truncate: the file cut at byte offsets (every offset, or for large files
 * the first and last KBs and a dense deterministic sample between; see
 * pick_offsets()).  The expected outcome of each cut comes from an
 * independent walk of the record structure written here from the formats
 * (tcpdump.org / draft-ietf-opsawg-pcap: 24-byte file header, 16-byte record
 * headers; draft-ietf-opsawg-pcapng: blocks with a length before and after):
 *   - a cut inside the file header / first section header block cannot be
 *     opened (fatal, as for any non-capture);
 *   - otherwise every record that ends before the cut is analysed, no more;
 *   - a cut at a record or block boundary is a clean end (no warning); any
 *     other cut gives a warning naming the byte offset of the record or block
 *     that was cut, and the count of records before it.
 * For a compressed file (gzip, xz, zstd, bzip2) the decompressed length of a
 * cut is not known in advance: the records analysed must not decrease as the
 * cut grows, the whole file must be read cleanly, every shorter cut must give
 * a warning naming an offset (never a silent end), and a cut that cannot be
 * opened must be shorter than every cut that can.
 *
 * corrupt: seeded random byte changes (bit flips, random bytes, 0x00/0xff,
 * a quarter of them in the first 256 bytes where the headers are), each
 * mutant run through input_run() and the scan view (scan.c, verdict.c),
 * as `mpcap analyze` does.  Must end in one of the documented statuses
 * with a message, within the time bound.
 *
 * Every run is timed (--max-seconds, default 5) and guarded by alarm(): a
 * hang ends the sweep with the file and cut named.  Exit status 0 when every
 * check passed; failures are printed as "# FAIL ..." lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "analyzer/capture/decompress.h"
#include "analyzer/ingest/input.h"
#include "analyzer/scan/scan.h"

/* ---- the file under test ------------------------------------------------------ */

struct file {
	const char *name;
	uint8_t *data;
	size_t size;
	bool compressed;
	/* independent walk (uncompressed only) */
	size_t hdr_end;  /* end of the file header / first block */
	size_t *bounds;  /* every record / block end, ascending */
	bool *is_packet; /* bounds[i] ends a packet record */
	size_t nbounds;
	uint64_t packets;
};

static int load(const char *path, struct file *f)
{
	memset(f, 0, sizeof *f);
	f->name = path;
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		printf("# FAIL %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t cap = 1 << 16;
	f->data = malloc(cap);
	size_t k;
	while (f->data && (k = fread(f->data + f->size, 1, cap - f->size, fp)) > 0) {
		f->size += k;
		if (f->size == cap) {
			cap *= 2;
			uint8_t *n = realloc(f->data, cap);
			if (!n) {
				free(f->data);
				f->data = NULL;
			}
			f->data = n;
		}
	}
	fclose(fp);
	if (!f->data) {
		printf("# FAIL %s: out of memory\n", path);
		return -1;
	}
	return 0;
}

static uint32_t rd32(const uint8_t *p, bool big)
{
	return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
	           : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static void add_bound(struct file *f, size_t end, bool packet)
{
	f->bounds = realloc(f->bounds, (f->nbounds + 1) * sizeof *f->bounds);
	f->is_packet = realloc(f->is_packet, (f->nbounds + 1) * sizeof *f->is_packet);
	if (!f->bounds || !f->is_packet) {
		fprintf(stderr, "sweep: out of memory\n");
		exit(2);
	}
	f->bounds[f->nbounds] = end;
	f->is_packet[f->nbounds++] = packet;
	f->packets += packet;
}

/* The record structure of an uncompressed file.  Returns 0, or -1 when the
 * file is not a well-formed capture (sweeps need complete, valid inputs). */
static int walk(struct file *f)
{
	const uint8_t *d = f->data;
	size_t n = f->size;
	if (decomp_detect(d, n) != DECOMP_NONE) {
		f->compressed = true;
		return 0;
	}
	if (n < 24)
		return -1;
	uint32_t m = rd32(d, true);
	if (m == 0xa1b2c3d4u || m == 0xa1b23c4du || m == 0xd4c3b2a1u || m == 0x4d3cb2a1u) {
		bool big = m == 0xa1b2c3d4u || m == 0xa1b23c4du;
		size_t off = 24;
		f->hdr_end = 24;
		while (off < n) {
			if (n - off < 16)
				return -1;
			uint32_t caplen = rd32(d + off + 8, big);
			if (caplen > n - off - 16)
				return -1;
			off += 16 + (size_t)caplen;
			add_bound(f, off, true);
		}
		return 0;
	}
	if (m != 0x0a0d0d0au)
		return -1;
	size_t off = 0;
	bool big = false;
	while (off < n) {
		if (n - off < 12)
			return -1;
		uint32_t type = rd32(d + off, false);
		if (type == 0x0a0d0d0au)
			big = rd32(d + off + 8, false) != 0x1a2b3c4du;
		type = rd32(d + off, big);
		uint32_t len = rd32(d + off + 4, big);
		if (len < 12 || len % 4 || len > n - off)
			return -1;
		off += len;
		if (f->hdr_end == 0)
			f->hdr_end = off;
		else
			add_bound(f, off, type == 2 || type == 3 || type == 6);
	}
	return 0;
}

/* ---- one run ------------------------------------------------------------------- */

struct result {
	int status;       /* enum input_status */
	uint64_t records; /* st.records */
	char err[1024];   /* fatal reason */
	char *log;        /* warnings written by input_run() */
	double seconds;
};

struct run_ctx {
	struct scan *scan;
};

static int on_packet(void *ctx, const char *file, const struct packet *pkt, char *err, size_t errlen)
{
	(void)file;
	struct run_ctx *r = ctx;
	return r->scan ? scan_add(r->scan, pkt, err, errlen) : 0;
}

static void count_sum(void *ctx, const char *counter, int family, int port, uint64_t value)
{
	(void)counter;
	*(uint64_t *)ctx += value + (uint64_t)family + (uint64_t)port;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* What the alarm handler prints: set before every run. */
static char hang_msg[512];
static size_t hang_len;

static void on_alarm(int sig)
{
	(void)sig;
	if (write(STDOUT_FILENO, hang_msg, hang_len) < 0) {
		/* nothing more can be done */
	}
	_exit(1);
}

static void run(const char *path, bool with_scan, unsigned max_seconds, struct result *res)
{
	char *const files[] = { (char *)path };
	size_t loglen = 0;
	memset(res, 0, sizeof *res);
	FILE *log = open_memstream(&res->log, &loglen);
	if (!log) {
		fprintf(stderr, "sweep: out of memory\n");
		exit(2);
	}
	struct input_options o = { .filter = NULL, .progress = false, .stop = NULL, .log = log };
	struct input_stats st;
	struct run_ctx ctx = { NULL };
	struct scan_config cfg = { .all_responders = true };
	char note[512];
	if (with_scan && !(ctx.scan = scan_new(&cfg, res->err, sizeof res->err))) {
		fprintf(stderr, "sweep: %s\n", res->err);
		exit(2);
	}
	alarm(max_seconds * 4 + 5);
	double t0 = now();
	res->status = input_run(files, 1, &o, on_packet, &ctx, &st, res->err, sizeof res->err);
	if (ctx.scan) {
		uint64_t sum = 0;
		if (res->status != INPUT_FATAL && scan_finish(ctx.scan, note, sizeof note) == 0)
			scan_each_counter(ctx.scan, count_sum, &sum);
		scan_free(ctx.scan);
	}
	res->seconds = now() - t0;
	alarm(0);
	res->records = st.records;
	fclose(log);
}

/* ---- truncation ------------------------------------------------------------------ */

enum mode { MODE_QUICK, MODE_CI, MODE_FULL, MODE_EVERY };

static uint64_t rng_state;
static uint64_t rnd(void)
{
	/* xorshift64*: deterministic for a given seed on every platform */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/* Offsets to cut at, ascending and distinct; *n receives the count.
 *   every: 0 .. size.
 *   ci:    every offset up to 4 KiB files; larger: the first and last 512
 *          bytes and 512 offsets drawn between (seeded by the size).
 *   quick: the same with 1 KiB, 128 bytes and 128 offsets (sanitizer builds).
 *   full:  every offset up to 64 KiB files; larger: the first and last 4 KiB
 *          and every k-th offset between (about 32768 of them). */
static size_t *pick_offsets(size_t size, enum mode m, size_t *n)
{
	size_t all_limit = m == MODE_EVERY ? SIZE_MAX : m == MODE_FULL ? 65536 : m == MODE_CI ? 4096 : 1024;
	size_t edge = m == MODE_FULL ? 4096 : m == MODE_CI ? 512 : 128;
	int draws = m == MODE_CI ? 512 : 128;
	size_t *o = malloc((size <= all_limit ? size + 1 : 2 * edge + 40000) * sizeof *o);
	size_t k = 0;
	if (!o) {
		fprintf(stderr, "sweep: out of memory\n");
		exit(2);
	}
	if (size <= all_limit) {
		for (size_t i = 0; i <= size; i++)
			o[k++] = i;
		*n = k;
		return o;
	}
	for (size_t i = 0; i < edge; i++)
		o[k++] = i;
	size_t lo = edge, hi = size - edge; /* [lo, hi) is sampled */
	if (m == MODE_FULL) {
		size_t step = (hi - lo) / 32768 + 1;
		for (size_t i = lo + step / 2; i < hi; i += step)
			o[k++] = i;
	} else {
		rng_state = 0x9e3779b97f4a7c15ULL ^ size;
		for (int i = 0; i < draws; i++)
			o[k++] = lo + (size_t)(rnd() % (hi - lo));
	}
	for (size_t i = hi; i <= size; i++)
		o[k++] = i;
	qsort(o, k, sizeof *o, cmp_size);
	size_t w = 0;
	for (size_t i = 0; i < k; i++)
		if (w == 0 || o[w - 1] != o[i])
			o[w++] = o[i];
	*n = w;
	return o;
}

static unsigned failures;

#define FAIL(...)                                                                                            \
	do {                                                                                                 \
		failures++;                                                                                  \
		if (failures <= 40) {                                                                        \
			printf("# FAIL ");                                                                   \
			printf(__VA_ARGS__);                                                                 \
			printf("\n");                                                                        \
		}                                                                                            \
	} while (0)

/* Expected outcome of a cut of an uncompressed file. */
static void expect_cut(const struct file *f, size_t cut, int *status, uint64_t *records, size_t *damaged_at)
{
	*records = 0;
	*damaged_at = f->hdr_end;
	if (cut < f->hdr_end) {
		*status = INPUT_FATAL;
		return;
	}
	bool boundary = cut == f->hdr_end;
	for (size_t i = 0; i < f->nbounds && f->bounds[i] <= cut; i++) {
		*records += f->is_packet[i];
		*damaged_at = f->bounds[i];
		if (f->bounds[i] == cut)
			boundary = true;
	}
	*status = boundary ? INPUT_OK : INPUT_WARNINGS;
}

static bool names_offset(const char *log, size_t off)
{
	char want[64];
	snprintf(want, sizeof want, "byte offset %zu", off);
	const char *p = strstr(log, want);
	return p && (p[strlen(want)] < '0' || p[strlen(want)] > '9');
}

static bool names_records(const char *log, uint64_t n)
{
	char want[96];
	snprintf(want, sizeof want, "the %llu records before it were analysed", (unsigned long long)n);
	return strstr(log, want) != NULL;
}

static void sweep_truncate(struct file *f, enum mode m, unsigned max_seconds)
{
	size_t n;
	size_t *offs = pick_offsets(f->size, m, &n);
	unsigned before = failures;
	char path[64];
	int fd = memfd_create("sweep", MFD_CLOEXEC);
	if (fd < 0 || write(fd, f->data, f->size) != (ssize_t)f->size) {
		printf("# FAIL %s: memfd: %s\n", f->name, strerror(errno));
		failures++;
		free(offs);
		return;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct result *res = calloc(n, sizeof *res);
	double worst = 0;
	uint64_t warned = 0;
	/* Longest first: each cut only shortens the memfd. */
	for (size_t i = n; i-- > 0;) {
		size_t cut = offs[i];
		if (ftruncate(fd, (off_t)cut) != 0) {
			printf("# FAIL %s: ftruncate: %s\n", f->name, strerror(errno));
			failures++;
			break;
		}
		hang_len = (size_t)snprintf(hang_msg, sizeof hang_msg,
		                            "# FAIL %s cut at %zu: no result after %u s (hang)\n", f->name,
		                            cut, max_seconds * 4 + 5);
		run(path, false, max_seconds, &res[i]);
		struct result *r = &res[i];
		if (r->seconds > worst)
			worst = r->seconds;
		if (r->seconds > max_seconds)
			FAIL("%s cut at %zu: took %.2f s (limit %u s)", f->name, cut, r->seconds,
			     max_seconds);
		warned += r->status == INPUT_WARNINGS;
		if (r->status == INPUT_FATAL && !r->err[0])
			FAIL("%s cut at %zu: fatal without a reason", f->name, cut);
		if (!f->compressed) {
			int st;
			uint64_t recs;
			size_t at;
			expect_cut(f, cut, &st, &recs, &at);
			if (r->status != st)
				FAIL("%s cut at %zu: status %d, expected %d (%s%s)", f->name, cut, r->status,
				     st, r->err, r->log);
			else if (st != INPUT_FATAL && r->records != recs)
				FAIL("%s cut at %zu: %llu records analysed, expected %llu", f->name, cut,
				     (unsigned long long)r->records, (unsigned long long)recs);
			else if (st == INPUT_WARNINGS && !names_offset(r->log, at))
				FAIL("%s cut at %zu: warning does not name byte offset %zu: %s", f->name, cut,
				     at, r->log);
			else if (st == INPUT_WARNINGS && !names_records(r->log, recs))
				FAIL("%s cut at %zu: warning does not give the %llu records: %s", f->name,
				     cut, (unsigned long long)recs, r->log);
			else if (st == INPUT_OK && r->log[0])
				FAIL("%s cut at %zu: a warning at a record boundary: %s", f->name, cut,
				     r->log);
		} else if (cut < f->size) {
			if (r->status == INPUT_OK)
				FAIL("%s cut at %zu of %zu: a truncated compressed stream read as complete "
				     "(%llu "
				     "records)",
				     f->name, cut, f->size, (unsigned long long)r->records);
			else if (r->status == INPUT_WARNINGS && !strstr(r->log, "offset"))
				FAIL("%s cut at %zu: warning names no offset: %s", f->name, cut, r->log);
		} else if (r->status != INPUT_OK) {
			FAIL("%s: the whole compressed file does not read cleanly: %s%s", f->name, r->err,
			     r->log);
		}
	}
	if (f->compressed) {
		/* monotone: records never decrease, unopenable cuts only before openable ones */
		for (size_t i = 1; i < n; i++) {
			struct result *a = &res[i - 1], *b = &res[i];
			if (a->status != INPUT_FATAL && b->status == INPUT_FATAL)
				FAIL("%s: cut at %zu opens but the longer cut at %zu does not (%s)", f->name,
				     offs[i - 1], offs[i], b->err);
			if (b->status != INPUT_FATAL && a->status != INPUT_FATAL && b->records < a->records)
				FAIL("%s: cut at %zu analyses %llu records, the longer cut at %zu only %llu",
				     f->name, offs[i - 1], (unsigned long long)a->records, offs[i],
				     (unsigned long long)b->records);
		}
	}
	uint64_t full = res[n - 1].records;
	for (size_t i = 0; i < n; i++)
		free(res[i].log);
	free(res);
	free(offs);
	close(fd);
	printf("# %s: %zu cuts of %zu bytes (%s), %llu with a warning, %llu records in the whole file, "
	       "slowest cut %.3f s: %s\n",
	       f->name, n, f->size, f->compressed ? "compressed" : "uncompressed", (unsigned long long)warned,
	       (unsigned long long)full, worst, failures == before ? "ok" : "FAILED");
}

/* ---- corruption ------------------------------------------------------------------ */

static void sweep_corrupt(struct file *f, uint64_t seed, unsigned mutants, unsigned max_seconds)
{
	unsigned before = failures;
	char path[64];
	int fd = memfd_create("sweep", MFD_CLOEXEC);
	uint8_t *mut = malloc(f->size ? f->size : 1);
	if (fd < 0 || !mut) {
		printf("# FAIL %s: memfd: %s\n", f->name, strerror(errno));
		failures++;
		free(mut);
		return;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	unsigned by_status[4] = { 0 };
	double worst = 0;
	/* a per-file stream: the file name's hash mixed into the seed */
	uint64_t h = 1469598103934665603ULL;
	for (const char *p = f->name; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ULL;
	for (unsigned k = 0; k < mutants && f->size > 0; k++) {
		rng_state = (seed * 0x9e3779b97f4a7c15ULL) ^ h ^ ((uint64_t)k << 32) ^ k;
		if (!rng_state)
			rng_state = 1;
		memcpy(mut, f->data, f->size);
		unsigned changes = 1 + (unsigned)(rnd() % 8);
		char what[256] = "";
		size_t wl = 0;
		for (unsigned c = 0; c < changes; c++) {
			size_t pos = (rnd() % 4 == 0) ? (size_t)(rnd() % (f->size < 256 ? f->size : 256))
			                              : (size_t)(rnd() % f->size);
			uint64_t op = rnd() % 8;
			if (op < 4)
				mut[pos] ^= (uint8_t)(1u << (rnd() % 8));
			else if (op < 6)
				mut[pos] = (uint8_t)rnd();
			else
				mut[pos] = op == 6 ? 0x00 : 0xff;
			if (wl < sizeof what - 24)
				wl += (size_t)snprintf(what + wl, sizeof what - wl, "%s%zu=%02x",
				                       c ? "," : "", pos, mut[pos]);
		}
		if (ftruncate(fd, 0) != 0 || pwrite(fd, mut, f->size, 0) != (ssize_t)f->size) {
			printf("# FAIL %s: memfd write: %s\n", f->name, strerror(errno));
			failures++;
			break;
		}
		hang_len = (size_t)snprintf(hang_msg, sizeof hang_msg,
		                            "# FAIL %s mutant %u (seed %llu; bytes %s): no result after %u "
		                            "s (hang)\n",
		                            f->name, k, (unsigned long long)seed, what, max_seconds * 4 + 5);
		struct result r;
		run(path, true, max_seconds, &r);
		if (r.seconds > worst)
			worst = r.seconds;
		if ((unsigned)r.status < 4)
			by_status[r.status]++;
		if (r.seconds > max_seconds)
			FAIL("%s mutant %u (seed %llu; bytes %s): took %.2f s (limit %u s)", f->name, k,
			     (unsigned long long)seed, what, r.seconds, max_seconds);
		if (r.status != INPUT_OK && r.status != INPUT_WARNINGS && r.status != INPUT_FATAL)
			FAIL("%s mutant %u: status %d", f->name, k, r.status);
		else if (r.status == INPUT_FATAL && !r.err[0])
			FAIL("%s mutant %u (bytes %s): fatal without a reason", f->name, k, what);
		else if (r.status == INPUT_WARNINGS && !strstr(r.log, "offset"))
			FAIL("%s mutant %u (bytes %s): warning names no offset: %s", f->name, k, what, r.log);
		free(r.log);
	}
	free(mut);
	close(fd);
	printf("# %s: %u mutants (seed %llu): %u clean, %u with warnings, %u unreadable; slowest %.3f s: "
	       "%s\n",
	       f->name, mutants, (unsigned long long)seed, by_status[INPUT_OK], by_status[INPUT_WARNINGS],
	       by_status[INPUT_FATAL], worst, failures == before ? "ok" : "FAILED");
}

/* ---- main ------------------------------------------------------------------------ */

static void usage(void)
{
	fputs("usage: sweep truncate [--mode quick|ci|full|every] [--max-seconds S] FILE...\n"
	      "       sweep corrupt [--seed N] [--mutants N] [--max-seconds S] FILE...\n"
	      "       sweep records FILE...\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 3)
		usage();
	const char *cmd = argv[1];
	enum mode mode = MODE_CI;
	unsigned max_seconds = 5, mutants = 200;
	uint64_t seed = 1;
	int i = 2;
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (i + 1 >= argc)
			usage();
		const char *v = argv[i + 1];
		if (strcmp(argv[i], "--mode") == 0)
			mode = strcmp(v, "full") == 0    ? MODE_FULL
			       : strcmp(v, "every") == 0 ? MODE_EVERY
			       : strcmp(v, "quick") == 0 ? MODE_QUICK
			                                 : MODE_CI;
		else if (strcmp(argv[i], "--max-seconds") == 0)
			max_seconds = (unsigned)strtoul(v, NULL, 10);
		else if (strcmp(argv[i], "--mutants") == 0)
			mutants = (unsigned)strtoul(v, NULL, 10);
		else if (strcmp(argv[i], "--seed") == 0)
			seed = strtoull(v, NULL, 10);
		else
			usage();
	}
	if (max_seconds == 0)
		max_seconds = 1;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	for (; i < argc; i++) {
		struct file f;
		if (load(argv[i], &f) != 0) {
			failures++;
			continue;
		}
		if (walk(&f) != 0 && strcmp(cmd, "corrupt") != 0) {
			printf("# FAIL %s: not a complete, well-formed capture (sweeps need one)\n", f.name);
			failures++;
		} else if (strcmp(cmd, "records") == 0) {
			if (f.compressed)
				printf("%s: compressed\n", f.name);
			else
				printf("%llu\n", (unsigned long long)f.packets);
		} else if (strcmp(cmd, "truncate") == 0) {
			sweep_truncate(&f, mode, max_seconds);
		} else if (strcmp(cmd, "corrupt") == 0) {
			sweep_corrupt(&f, seed, mutants, max_seconds);
		} else {
			usage();
		}
		free(f.data);
		free(f.bounds);
		free(f.is_packet);
	}
	if (failures > 40)
		printf("# ... %u failures in all\n", failures);
	return failures ? 1 : 0;
}
