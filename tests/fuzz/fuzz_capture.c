/* fuzz_capture.c — libFuzzer harness: a whole capture file, any container.
 *
 * The input is a file as mpcap would meet it: classic pcap (libpcap), pcapng
 * (pcapng.c), or either inside gzip / xz / zstd / bzip2 (decompress.c),
 * recognised by magic bytes.  Every record goes through dissect_packet(); built
 * with FUZZ_WITH_SCAN (fuzz_analyze.c) every packet also goes through the scan
 * view (scan.c, verdict.c, target.c) as `mpcap analyze` does — slower, as
 * the scan's sets are built and walked for every input.
 *
 * The same bytes are read twice: from a memfd (a regular file: libpcap reads
 * it directly) and from a pipe (stdin's path: libpcap reads through the
 * fopencookie() layer; a compressed regular file is decompressed ahead in a
 * helper thread, readahead.c).  Both must yield the same records and the same
 * end (clean, damaged or unopenable) — with one exception, zstd: when libzstd
 * finds an error (a wrong frame checksum) in a call whose output buffer held
 * the whole damaged frame, it withholds what it had decoded of that frame,
 * which smaller reads would have delivered.  Then both reads must end damaged
 * (or unopenable) and agree record for record up to the shorter one.
 * Invariants checked: a damaged capture's
 * message names a byte offset; damage is sticky; record data is readable
 * over its whole caplen (ASan checks the reads).
 */
#include <stdbool.h>
#include <string.h>

#include "analyzer/capture/capture.h"
#include "analyzer/dissect/dissect.h"
#include "analyzer/scan/scan.h"
#include "fuzz.h"

#define MAX_RECORDS 200000u /* bounds a decompression bomb of empty records */

struct outcome {
	int end; /* -1 could not open, else the last capture_next() status */
	uint64_t records;
	uint64_t hash;   /* FNV-1a over every record's fields and bytes */
	uint64_t *after; /* after[i]: the hash after record i (up to MAX_RECORDS) */
	bool zstd;       /* the file was zstd-compressed */
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static void count(void *ctx, const char *counter, int family, int port, uint64_t value)
{
	uint64_t *sum = ctx;
	*sum += value + strlen(counter) + (uint64_t)family + (uint64_t)port;
}

static void read_all(const char *path, struct outcome *o, struct scan *s)
{
	struct capture *c;
	char err[512] = "";
	memset(o, 0, sizeof *o);
	o->hash = 0xcbf29ce484222325ULL;
	if (capture_open(path, &c, err, sizeof err) != 0) {
		FUZZ_CHECK(err[0] != '\0');
		o->end = -1;
		return;
	}
	FUZZ_CHECK(capture_format(c) != NULL && capture_compression(c) != NULL);
	struct packet *pkt = calloc(1, sizeof *pkt);
	FUZZ_CHECK(pkt != NULL);
	struct capture_record rec;
	int st;
	o->zstd = strcmp(capture_compression(c), "zstd") == 0;
	size_t cap = 0;
	while ((st = capture_next(c, &rec, err, sizeof err)) == CAPTURE_OK) {
		o->records++;
		o->hash = fnv(o->hash, &rec.caplen, sizeof rec.caplen);
		o->hash = fnv(o->hash, &rec.linktype, sizeof rec.linktype);
		if (rec.caplen)
			o->hash = fnv(o->hash, rec.data, rec.caplen);
		if (o->records > cap) {
			cap = cap ? 2 * cap : 256;
			o->after = realloc(o->after, cap * sizeof *o->after);
			FUZZ_CHECK(o->after != NULL);
		}
		o->after[o->records - 1] = o->hash;
		memset(pkt, 0, sizeof *pkt);
		pkt->frame = o->records;
		pkt->ts_sec = rec.ts_sec;
		pkt->ts_nsec = rec.ts_nsec;
		pkt->caplen = rec.caplen;
		pkt->wirelen = rec.wirelen;
		dissect_packet(rec.linktype, rec.data, rec.caplen, pkt);
		FUZZ_CHECK(skip_reason_name(pkt->skip) != NULL);
		if (s) {
			char serr[256];
			FUZZ_CHECK(scan_add(s, pkt, serr, sizeof serr) == 0);
		}
		if (o->records >= MAX_RECORDS)
			break;
	}
	o->end = st;
	if (st == CAPTURE_DAMAGED) {
		FUZZ_CHECK(strstr(err, "offset") != NULL);
		char again[512] = "";
		FUZZ_CHECK(capture_next(c, &rec, again, sizeof again) == CAPTURE_DAMAGED);
		FUZZ_CHECK(strcmp(err, again) == 0);
	}
	(void)capture_bytes_consumed(c);
	(void)capture_file_size(c);
	capture_close(c);
	free(pkt);
}

#ifndef FUZZ_WITH_SCAN
#define FUZZ_WITH_SCAN 0
#endif

/* Feeds the packets of one read to a scan and walks everything it derives. */
static void read_scanned(const char *path, struct outcome *o)
{
	struct scan_config cfg = { .label = NULL, .all_responders = true };
	char err[256], note[512];
	struct scan *s = scan_new(&cfg, err, sizeof err);
	FUZZ_CHECK(s != NULL);
	read_all(path, o, s);
	FUZZ_CHECK(scan_finish(s, note, sizeof note) == 0);
	uint64_t sum = 0;
	scan_each_counter(s, count, &sum);
	for (size_t i = 0; i < scan_target_count(s); i++) {
		struct probe_profile p;
		const struct scan_target *t = scan_target_at(s, i);
		scan_target_probe(s, t, &p);
		FUZZ_CHECK(p.options_len <= TCP_OPTIONS_MAX && t->options_len <= TCP_OPTIONS_MAX);
	}
	FUZZ_CHECK(scan_label(s) != NULL);
	scan_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	struct outcome a, b;
	int fd = fuzz_memfd(data, size, path, sizeof path);
	if (fd < 0)
		return 0;
	if (FUZZ_WITH_SCAN)
		read_scanned(path, &a);
	else
		read_all(path, &a, NULL);
	close(fd);

	/* The same bytes through a pipe (no seeking, the cookie path). */
	fd = fuzz_pipe(data, size, path, sizeof path);
	if (fd < 0)
		return 0;
	read_all(path, &b, NULL);
	close(fd);
	if (a.records < MAX_RECORDS && b.records < MAX_RECORDS) {
		if (a.end != b.end || a.records != b.records) {
			/* only where libzstd withholds a damaged frame (see the top) */
			FUZZ_CHECK(a.zstd || b.zstd);
			FUZZ_CHECK(a.end == -1 || a.end == CAPTURE_DAMAGED);
			FUZZ_CHECK(b.end == -1 || b.end == CAPTURE_DAMAGED);
			uint64_t n = a.records < b.records ? a.records : b.records;
			if (n)
				FUZZ_CHECK(a.after[n - 1] == b.after[n - 1]);
		} else {
			FUZZ_CHECK(a.hash == b.hash);
		}
	}
	free(a.after);
	free(b.after);
	return 0;
}
