/* test_capture.c — the capture reader (capture.h, pcapng.h, decompress.h).
 *
 * Inputs are generated here in a mkdtemp() directory: classic pcap written by
 * libpcap (microsecond and nanosecond), a big-endian classic pcap written by
 * hand, pcapng built block by block (draft-ietf-opsawg-pcapng) with two
 * sections in both byte orders and mixed link types, and copies compressed
 * by the gzip / xz / zstd / bzip2 command-line tools.  Every record is
 * compared field by field; truncated copies are swept at every byte offset.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "analyzer/capture/capture.h"
#include "analyzer/capture/decompress.h"
#include "analyzer/capture/pcapng.h"

#define CORPUS "tests/corpus"

/* ---- scratch directory ------------------------------------------------------- */

static char tmpdir[64];

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/mpcap-capture-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	(void)system(cmd);
}

static const char *tpath(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
	return buf;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	if (len)
		cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	size_t cap = 4096, n = 0;
	uint8_t *p = malloc(cap);
	size_t k;
	while ((k = fread(p + n, 1, cap - n, f)) > 0) {
		n += k;
		if (n == cap)
			p = realloc(p, cap *= 2);
	}
	fclose(f);
	*len = n;
	return p;
}

static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	cr_assert_eq(system(cmd), 0, "command failed: %s", cmd);
}

/* Compresses src into dst with a command-line tool ("gzip", "xz", "zstd", "bzip2"). */
static void compress_cli(const char *tool, const char *src, const char *dst)
{
	run("%s %s -c < '%s' > '%s'", tool, strcmp(tool, "zstd") == 0 ? "-q" : "", src, dst);
}

/* ---- expected records -------------------------------------------------------- */

struct rec {
	int linktype;
	int64_t sec;
	uint32_t nsec;
	uint32_t caplen, wirelen;
	const uint8_t *data;
	uint64_t offset;
};

#define NPKT 5
static uint8_t pkt_bytes[NPKT][200];

static void make_packets(void)
{
	for (int i = 0; i < NPKT; i++)
		for (int j = 0; j < 200; j++)
			pkt_bytes[i][j] = (uint8_t)(i * 37 + j * 11 + 1);
}

static uint32_t pkt_len(int i)
{
	return 40 + 13 * (uint32_t)i; /* 40, 53, 66, 79, 92: exercises pcapng padding */
}

/* Reads everything; returns the final status, fills got[] (copies of data). */
struct got {
	struct rec r[8192];
	uint8_t *data[8192];
	size_t n;
	int status;
	char err[512];
};

static void got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->data[i]);
	g->n = 0;
}

static void read_all(struct capture *c, struct got *g)
{
	struct capture_record cr;
	g->n = 0;
	g->err[0] = 0;
	for (;;) {
		int st = capture_next(c, &cr, g->err, sizeof g->err);
		if (st != CAPTURE_OK) {
			g->status = st;
			return;
		}
		cr_assert_lt(g->n, 8192u);
		struct rec *r = &g->r[g->n];
		r->linktype = cr.linktype;
		r->sec = cr.ts_sec;
		r->nsec = cr.ts_nsec;
		r->caplen = cr.caplen;
		r->wirelen = cr.wirelen;
		r->offset = cr.offset;
		g->data[g->n] = malloc(cr.caplen ? cr.caplen : 1);
		memcpy(g->data[g->n], cr.data, cr.caplen);
		r->data = g->data[g->n];
		g->n++;
	}
}

static void assert_rec(const struct rec *got, const struct rec *exp, size_t i, const char *what)
{
	cr_assert_eq(got->linktype, exp->linktype, "%s #%zu linktype %d != %d", what, i, got->linktype,
	             exp->linktype);
	cr_assert_eq(got->sec, exp->sec, "%s #%zu sec %lld != %lld", what, i, (long long)got->sec,
	             (long long)exp->sec);
	cr_assert_eq(got->nsec, exp->nsec, "%s #%zu nsec %u != %u", what, i, got->nsec, exp->nsec);
	cr_assert_eq(got->caplen, exp->caplen, "%s #%zu caplen %u != %u", what, i, got->caplen, exp->caplen);
	cr_assert_eq(got->wirelen, exp->wirelen, "%s #%zu wirelen %u != %u", what, i, got->wirelen,
	             exp->wirelen);
	cr_assert_eq(memcmp(got->data, exp->data, exp->caplen), 0, "%s #%zu data differs", what, i);
	cr_assert_eq(got->offset, exp->offset, "%s #%zu offset %llu != %llu", what, i,
	             (unsigned long long)got->offset, (unsigned long long)exp->offset);
}

/* Opens path, reads it to the end, checks every record and a clean EOF. */
static void check_file(const char *path, const struct rec *exp, size_t n, const char *format,
                       const char *comp)
{
	struct capture *c;
	char err[256];
	cr_assert_eq(capture_open(path, &c, err, sizeof err), 0, "%s: %s", path, err);
	cr_assert_str_eq(capture_format(c), format, "%s", path);
	cr_assert_str_eq(capture_compression(c), comp, "%s", path);
	struct got *g = calloc(1, sizeof *g);
	read_all(c, g);
	cr_assert_eq(g->status, CAPTURE_EOF, "%s: status %d (%s)", path, g->status, g->err);
	cr_assert_eq(g->n, n, "%s: %zu records, expected %zu", path, g->n, n);
	for (size_t i = 0; i < n; i++)
		assert_rec(&g->r[i], &exp[i], i, path);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(capture_file_size(c), (int64_t)st.st_size, "%s", path);
	cr_assert_eq(capture_bytes_consumed(c), (uint64_t)st.st_size, "%s: consumed %llu of %lld", path,
	             (unsigned long long)capture_bytes_consumed(c), (long long)st.st_size);
	got_free(g);
	free(g);
	capture_close(c);
}

/* Checks path in every compression, plus concatenated members/streams/frames. */
static void check_all_compressions(const char *path, const struct rec *exp, size_t n, const char *format)
{
	static const char *const tools[] = { "gzip", "xz", "zstd", "bzip2" };
	check_file(path, exp, n, format, "none");
	size_t len;
	uint8_t *all = slurp(path, &len);
	char a[256], b[256], ca[256], cb[256], out[256];
	tpath(a, sizeof a, "part-a");
	tpath(b, sizeof b, "part-b");
	write_file(a, all, len / 3);
	write_file(b, all + len / 3, len - len / 3);
	for (size_t t = 0; t < 4; t++) {
		snprintf(out, sizeof out, "%s.%s", path, tools[t]);
		compress_cli(tools[t], path, out);
		check_file(out, exp, n, format, tools[t]);
		/* Two members / streams / frames back to back, split mid-record. */
		tpath(ca, sizeof ca, "part-a.z");
		tpath(cb, sizeof cb, "part-b.z");
		compress_cli(tools[t], a, ca);
		compress_cli(tools[t], b, cb);
		snprintf(out, sizeof out, "%s.cat.%s", path, tools[t]);
		run("cat '%s' '%s' > '%s'", ca, cb, out);
		check_file(out, exp, n, format, tools[t]);
	}
	free(all);
}

/* ---- classic pcap writers ------------------------------------------------------ */

/* Writes NPKT packets with libpcap; fills exp[]. */
static void write_pcap_libpcap(const char *path, int dlt, bool nano, struct rec *exp)
{
	pcap_t *p = pcap_open_dead_with_tstamp_precision(
	    dlt, 65535, nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
	cr_assert_not_null(p);
	pcap_dumper_t *d = pcap_dump_open(p, path);
	cr_assert_not_null(d, "%s", pcap_geterr(p));
	uint64_t off = 24;
	for (int i = 0; i < NPKT; i++) {
		struct pcap_pkthdr h;
		memset(&h, 0, sizeof h);
		h.ts.tv_sec = 1700000000 + i;
		h.ts.tv_usec = nano ? 123456789 + i * 1000 + 7 : 123456 + i;
		h.caplen = pkt_len(i);
		h.len = pkt_len(i) + (uint32_t)i * 100;
		pcap_dump((u_char *)d, &h, pkt_bytes[i]);
		exp[i] = (struct rec){
			dlt,      h.ts.tv_sec, nano ? (uint32_t)h.ts.tv_usec : (uint32_t)h.ts.tv_usec * 1000,
			h.caplen, h.len,       pkt_bytes[i],
			off
		};
		off += 16 + h.caplen;
	}
	pcap_dump_close(d);
	pcap_close(p);
}

struct buf {
	uint8_t *p;
	size_t len, cap;
	bool big;
};

static void put(struct buf *b, const void *src, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void put8(struct buf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void put16(struct buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	if (b->big) {
		x[0] = (uint8_t)(v >> 8);
		x[1] = (uint8_t)v;
	}
	put(b, x, 2);
}

static void put32(struct buf *b, uint32_t v)
{
	uint8_t x[4];
	for (int i = 0; i < 4; i++)
		x[i] = (uint8_t)(b->big ? v >> (24 - 8 * i) : v >> (8 * i));
	put(b, x, 4);
}

static void put64(struct buf *b, uint64_t v)
{
	if (b->big) {
		put32(b, (uint32_t)(v >> 32));
		put32(b, (uint32_t)v);
	} else {
		put32(b, (uint32_t)v);
		put32(b, (uint32_t)(v >> 32));
	}
}

static void pad4(struct buf *b)
{
	while (b->len % 4)
		put8(b, 0);
}

static void set32(struct buf *b, size_t at, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b->p[at + (size_t)i] = (uint8_t)(b->big ? v >> (24 - 8 * i) : v >> (8 * i));
}

/* Big-endian classic pcap (magic a1b2c3d4 as written by a big-endian host). */
static void write_pcap_be(const char *path, struct rec *exp)
{
	struct buf b = { .big = true };
	put32(&b, 0xa1b2c3d4);
	put16(&b, 2);
	put16(&b, 4);
	put32(&b, 0);
	put32(&b, 0);
	put32(&b, 65535);
	put32(&b, 101); /* LINKTYPE_RAW */
	for (int i = 0; i < NPKT; i++) {
		exp[i] = (struct rec){ DLT_RAW,    1500000000 + i, (uint32_t)(999999 - i) * 1000,
			               pkt_len(i), pkt_len(i),     pkt_bytes[i],
			               b.len };
		put32(&b, 1500000000u + (uint32_t)i);
		put32(&b, 999999u - (uint32_t)i);
		put32(&b, pkt_len(i));
		put32(&b, pkt_len(i));
		put(&b, pkt_bytes[i], pkt_len(i));
	}
	write_file(path, b.p, b.len);
	free(b.p);
}

/* ---- pcapng builder ------------------------------------------------------------ */

static size_t blk_begin(struct buf *b, uint32_t type)
{
	size_t at = b->len;
	put32(b, type);
	put32(b, 0);
	return at;
}

static void blk_end(struct buf *b, size_t at)
{
	pad4(b);
	uint32_t len = (uint32_t)(b->len - at + 4);
	set32(b, at + 4, len);
	put32(b, len);
}

static void opt(struct buf *b, uint16_t code, const void *val, uint16_t len)
{
	put16(b, code);
	put16(b, len);
	put(b, val, len);
	pad4(b);
}

static void opt_end(struct buf *b)
{
	put16(b, 0);
	put16(b, 0);
}

static size_t shb(struct buf *b)
{
	size_t at = blk_begin(b, 0x0A0D0D0A);
	put32(b, 0x1A2B3C4D);
	put16(b, 1);
	put16(b, 0);
	put64(b, UINT64_MAX);
	opt(b, 4, "mpcap unit test", 15); /* shb_userappl */
	opt_end(b);
	blk_end(b, at);
	return at;
}

/* tsresol < 0: no option; tsoffset != 0: if_tsoffset option. */
static size_t idb(struct buf *b, uint16_t linktype, uint32_t snaplen, int tsresol, int64_t tsoffset)
{
	size_t at = blk_begin(b, 1);
	put16(b, linktype);
	put16(b, 0);
	put32(b, snaplen);
	opt(b, 2, "eth0", 4); /* if_name */
	if (tsresol >= 0) {
		uint8_t v = (uint8_t)tsresol;
		opt(b, 9, &v, 1);
	}
	if (tsoffset) {
		put16(b, 14);
		put16(b, 8);
		put64(b, (uint64_t)tsoffset);
	}
	opt_end(b);
	blk_end(b, at);
	return at;
}

static size_t epb(struct buf *b, uint32_t ifid, uint64_t ts, const uint8_t *data, uint32_t caplen,
                  uint32_t wirelen)
{
	size_t at = blk_begin(b, 6);
	put32(b, ifid);
	put32(b, (uint32_t)(ts >> 32));
	put32(b, (uint32_t)ts);
	put32(b, caplen);
	put32(b, wirelen);
	put(b, data, caplen);
	pad4(b);
	opt(b, 1, "a comment", 9); /* opt_comment */
	opt_end(b);
	blk_end(b, at);
	return at;
}

static size_t spb(struct buf *b, const uint8_t *data, uint32_t len, uint32_t wirelen)
{
	size_t at = blk_begin(b, 3);
	put32(b, wirelen);
	put(b, data, len);
	blk_end(b, at);
	return at;
}

static size_t old_pb(struct buf *b, uint16_t ifid, uint64_t ts, const uint8_t *data, uint32_t caplen,
                     uint32_t wirelen)
{
	size_t at = blk_begin(b, 2);
	put16(b, ifid);
	put16(b, 0); /* drops */
	put32(b, (uint32_t)(ts >> 32));
	put32(b, (uint32_t)ts);
	put32(b, caplen);
	put32(b, wirelen);
	put(b, data, caplen);
	blk_end(b, at);
	return at;
}

static size_t nrb(struct buf *b)
{
	size_t at = blk_begin(b, 4);
	put16(b, 1); /* nrb_record_ipv4 */
	put16(b, 13);
	put(b,
	    "\x0a\x00\x00\x01"
	    "host.test",
	    13);
	pad4(b);
	put32(b, 0); /* nrb_record_end */
	blk_end(b, at);
	return at;
}

static size_t isb(struct buf *b)
{
	size_t at = blk_begin(b, 5);
	put32(b, 0);
	put32(b, 1);
	put32(b, 2);
	opt_end(b);
	blk_end(b, at);
	return at;
}

static size_t custom(struct buf *b)
{
	size_t at = blk_begin(b, 0x00000BAD);
	put32(b, 32473); /* PEN */
	put(b, "custom", 6);
	blk_end(b, at);
	return at;
}

static uint32_t ns_from_pow2(uint64_t frac, unsigned k)
{
	return (uint32_t)(((unsigned __int128)frac * 1000000000u) >> k);
}

/* The two-section, mixed-link-type file; fills exp[] and returns the count. */
static size_t build_pcapng(struct buf *b, struct rec *exp)
{
	size_t n = 0, at;
	b->big = false;
	shb(b);
	idb(b, 1, 0, 9, 0);              /* if 0: Ethernet, nanoseconds */
	nrb(b);                          /* skipped */
	idb(b, 101, 60, 0x80 | 20, 100); /* if 1: raw IP, 2^-20 s, +100 s, snaplen 60 */
	idb(b, 1, 0, 0x80 | 40, -50);    /* if 2: Ethernet, 2^-40 s, -50 s */
	idb(b, 1, 0, 3, 0);              /* if 3: Ethernet, milliseconds */
	idb(b, 101, 0, -1, 0);           /* if 4: raw IP, default microseconds */

	at = epb(b, 0, UINT64_C(1700000000) * 1000000000u + 123456789u, pkt_bytes[0], pkt_len(0), 1514);
	exp[n++] = (struct rec){ DLT_EN10MB, 1700000000, 123456789, pkt_len(0), 1514, pkt_bytes[0], at };

	uint64_t frac20 = 0xabcde;
	at = epb(b, 1, (UINT64_C(1600000000) << 20) | frac20, pkt_bytes[1], pkt_len(1), pkt_len(1));
	exp[n++] = (struct rec){ DLT_RAW,      1600000100, ns_from_pow2(frac20, 20), pkt_len(1), pkt_len(1),
		                 pkt_bytes[1], at };

	uint64_t frac40 = UINT64_C(0x9876543210);
	at = epb(b, 2, (UINT64_C(12345) << 40) | frac40, pkt_bytes[2], pkt_len(2), pkt_len(2));
	exp[n++] = (struct rec){ DLT_EN10MB,   12345 - 50, ns_from_pow2(frac40, 40), pkt_len(2), pkt_len(2),
		                 pkt_bytes[2], at };

	isb(b); /* skipped */
	at = epb(b, 3, UINT64_C(1700000000123), pkt_bytes[3], pkt_len(3), pkt_len(3));
	exp[n++] =
	    (struct rec){ DLT_EN10MB, 1700000000, 123000000, pkt_len(3), pkt_len(3), pkt_bytes[3], at };

	at = spb(b, pkt_bytes[4], 50, 50); /* if 0, no snaplen: caplen = original length */
	exp[n++] = (struct rec){ DLT_EN10MB, 0, 0, 50, 50, pkt_bytes[4], at };

	at = spb(b, pkt_bytes[3], 56, 1500); /* caplen limited by the block */
	exp[n++] = (struct rec){ DLT_EN10MB, 0, 0, 56, 1500, pkt_bytes[3], at };

	custom(b); /* skipped */
	at = old_pb(b, 4, UINT64_C(1234567890123456), pkt_bytes[1], 44, 60);
	exp[n++] = (struct rec){ DLT_RAW, 1234567890, 123456000, 44, 60, pkt_bytes[1], at };

	/* Section 2, big-endian: the interface table starts over. */
	b->big = true;
	shb(b);
	idb(b, 101, 32, -1, 0); /* if 0: raw IP, microseconds, snaplen 32 */
	at = epb(b, 0, UINT64_C(1700000001000002), pkt_bytes[2], pkt_len(2), pkt_len(2));
	exp[n++] = (struct rec){ DLT_RAW, 1700000001, 2000, pkt_len(2), pkt_len(2), pkt_bytes[2], at };
	at = spb(b, pkt_bytes[0], 40, 40); /* caplen limited by the snaplen */
	exp[n++] = (struct rec){ DLT_RAW, 0, 0, 32, 40, pkt_bytes[0], at };
	nrb(b);
	b->big = false;
	return n;
}

/* A tiny pcapng for the truncation sweep: block boundaries and records. */
static size_t build_small_pcapng(struct buf *b, struct rec *exp, size_t *bounds, size_t *nb)
{
	size_t n = 0, at;
	*nb = 0;
	shb(b);
	bounds[(*nb)++] = b->len;
	idb(b, 1, 0, 9, 0);
	bounds[(*nb)++] = b->len;
	at = epb(b, 0, UINT64_C(1000000000) * 5 + 7, pkt_bytes[0], 41, 41);
	exp[n++] = (struct rec){ DLT_EN10MB, 5, 7, 41, 41, pkt_bytes[0], at };
	bounds[(*nb)++] = b->len;
	nrb(b);
	bounds[(*nb)++] = b->len;
	idb(b, 101, 0, -1, 0);
	bounds[(*nb)++] = b->len;
	at = epb(b, 1, 6000001, pkt_bytes[1], 42, 42);
	exp[n++] = (struct rec){ DLT_RAW, 6, 1000, 42, 42, pkt_bytes[1], at };
	bounds[(*nb)++] = b->len;
	at = spb(b, pkt_bytes[2], 20, 20);
	exp[n++] = (struct rec){ DLT_EN10MB, 0, 0, 20, 20, pkt_bytes[2], at };
	bounds[(*nb)++] = b->len;
	return n;
}

/* ---- formats ------------------------------------------------------------------ */

TestSuite(capture, .init = make_tmpdir, .fini = remove_tmpdir);

Test(capture, pcap_microsecond_all_compressions)
{
	make_packets();
	char p[256];
	struct rec exp[NPKT];
	write_pcap_libpcap(tpath(p, sizeof p, "us.pcap"), DLT_EN10MB, false, exp);
	check_all_compressions(p, exp, NPKT, "pcap");
}

Test(capture, pcap_nanosecond_all_compressions)
{
	make_packets();
	char p[256];
	struct rec exp[NPKT];
	write_pcap_libpcap(tpath(p, sizeof p, "ns.pcap"), DLT_LINUX_SLL, true, exp);
	check_all_compressions(p, exp, NPKT, "pcap-ns");
}

Test(capture, pcap_big_endian_raw)
{
	make_packets();
	char p[256];
	struct rec exp[NPKT];
	write_pcap_be(tpath(p, sizeof p, "be.pcap"), exp);
	check_all_compressions(p, exp, NPKT, "pcap");
}

Test(capture, pcapng_two_sections_mixed_linktypes_all_compressions)
{
	make_packets();
	struct buf b = { 0 };
	struct rec exp[16];
	size_t n = build_pcapng(&b, exp);
	char p[256];
	write_file(tpath(p, sizeof p, "mixed.pcapng"), b.p, b.len);
	free(b.p);
	check_all_compressions(p, exp, n, "pcapng");
}

/* More data than one read chunk, a packet larger than the initial buffer. */
Test(capture, pcapng_large_file_and_large_block)
{
	struct buf b = { 0 };
	size_t cap = 6000;
	struct rec *exp = calloc(cap, sizeof *exp);
	uint8_t *big = malloc(300000);
	for (size_t i = 0; i < 300000; i++)
		big[i] = (uint8_t)(i * 7);
	shb(&b);
	idb(&b, 1, 0, 9, 0);
	size_t n = 0;
	for (size_t i = 0; i < 4000; i++) {
		uint32_t len = 60 + (uint32_t)(i % 1400);
		if (i == 2500)
			len = 300000;
		size_t at = epb(&b, 0, i * 1000000001u, big + (len == 300000 ? 0 : i % 97), len, len);
		exp[n++] = (struct rec){ DLT_EN10MB, (int64_t)i, (uint32_t)i,
			                 len,        len,        big + (len == 300000 ? 0 : i % 97),
			                 at };
	}
	char p[256];
	write_file(tpath(p, sizeof p, "large.pcapng"), b.p, b.len);
	check_file(p, exp, n, "pcapng", "none");
	char z[256];
	compress_cli("zstd", p, tpath(z, sizeof z, "large.pcapng.zst"));
	check_file(z, exp, n, "pcapng", "zstd");
	compress_cli("gzip", p, tpath(z, sizeof z, "large.pcapng.gz"));
	check_file(z, exp, n, "pcapng", "gzip");
	free(b.p);
	free(big);
	free(exp);
}

/* libpcap cuts a record longer than the file's snaplen and skips the rest:
 * offsets must still follow the file. */
Test(capture, pcap_record_longer_than_snaplen)
{
	make_packets();
	struct buf b = { 0 };
	put32(&b, 0xa1b2c3d4);
	put16(&b, 2);
	put16(&b, 4);
	put32(&b, 0);
	put32(&b, 0);
	put32(&b, 64); /* snaplen */
	put32(&b, 1);
	uint32_t lens[3] = { 100, 30, 64 };
	struct rec exp[3];
	for (int i = 0; i < 3; i++) {
		exp[i] = (struct rec){ DLT_EN10MB,   i,    0, lens[i] > 64 ? 64 : lens[i], lens[i],
			               pkt_bytes[i], b.len };
		put32(&b, (uint32_t)i);
		put32(&b, 0);
		put32(&b, lens[i]);
		put32(&b, lens[i]);
		put(&b, pkt_bytes[i], lens[i]);
	}
	char p[200], z[256];
	write_file(tpath(p, sizeof p, "snap.pcap"), b.p, b.len);
	free(b.p);
	check_file(p, exp, 3, "pcap", "none");
	compress_cli("gzip", p, tpath(z, sizeof z, "snap.pcap.gz"));
	check_file(z, exp, 3, "pcap", "gzip");
}

/* ---- standard input -------------------------------------------------------------- */

/* Runs capture_open("-") with the file on stdin, through a pipe or directly. */
static void check_stdin(const char *path, bool pipe_it, const struct rec *exp, size_t n, const char *format,
                        const char *comp)
{
	int fd;
	pid_t pid = -1;
	if (pipe_it) {
		int pfd[2];
		cr_assert_eq(pipe(pfd), 0);
		pid = fork();
		cr_assert_geq(pid, 0);
		if (pid == 0) {
			close(pfd[0]);
			size_t len;
			uint8_t *all = slurp(path, &len);
			for (size_t off = 0;
			     off < len;) { /* small writes: many short reads on the other side */
				size_t k = len - off < 1000 ? len - off : 1000;
				ssize_t w = write(pfd[1], all + off, k);
				if (w <= 0)
					_exit(1);
				off += (size_t)w;
			}
			_exit(0);
		}
		close(pfd[1]);
		fd = pfd[0];
	} else {
		fd = open(path, O_RDONLY);
		cr_assert_geq(fd, 0);
	}
	cr_assert_eq(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
	clearerr(stdin);

	struct capture *c;
	char err[256];
	cr_assert_eq(capture_open("-", &c, err, sizeof err), 0, "stdin %s: %s", path, err);
	cr_assert_str_eq(capture_format(c), format);
	cr_assert_str_eq(capture_compression(c), comp);
	struct got *g = calloc(1, sizeof *g);
	read_all(c, g);
	cr_assert_eq(g->status, CAPTURE_EOF, "stdin %s: %s", path, g->err);
	cr_assert_eq(g->n, n);
	for (size_t i = 0; i < n; i++)
		assert_rec(&g->r[i], &exp[i], i, "stdin");
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(capture_file_size(c), pipe_it ? -1 : (int64_t)st.st_size);
	cr_assert_eq(capture_bytes_consumed(c), (uint64_t)st.st_size);
	capture_close(c);
	got_free(g);
	free(g);
	if (pid > 0) {
		int status;
		waitpid(pid, &status, 0);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

Test(capture, stdin_pipe_and_redirect)
{
	make_packets();
	char p[256], z[256], ng[256], ngz[256];
	struct rec exp[NPKT], nexp[16];
	write_pcap_libpcap(tpath(p, sizeof p, "in.pcap"), DLT_EN10MB, false, exp);
	compress_cli("xz", p, tpath(z, sizeof z, "in.pcap.xz"));
	struct buf b = { 0 };
	size_t n = build_pcapng(&b, nexp);
	write_file(tpath(ng, sizeof ng, "in.pcapng"), b.p, b.len);
	free(b.p);
	compress_cli("bzip2", ng, tpath(ngz, sizeof ngz, "in.pcapng.bz2"));
	check_stdin(p, true, exp, NPKT, "pcap", "none");
	check_stdin(p, false, exp, NPKT, "pcap", "none");
	check_stdin(z, true, exp, NPKT, "pcap", "xz");
	check_stdin(ng, true, nexp, n, "pcapng", "none");
	check_stdin(ngz, true, nexp, n, "pcapng", "bzip2");
}

/* ---- truncation sweeps ------------------------------------------------------------- */

/* Cuts `all` at every offset (optionally gzip-compressing each cut in
 * process) and checks: records wholly before the cut are delivered
 * identically, EOF exactly on a boundary, DAMAGED naming the offset of the
 * cut record otherwise, open failure inside the file header. */
static void sweep(const uint8_t *all, size_t len, const struct rec *exp, size_t n, const size_t *bounds,
                  size_t nb, size_t header, bool gz)
{
	char p[256];
	tpath(p, sizeof p, gz ? "cut.gz" : "cut");
	struct got *g = calloc(1, sizeof *g);
	for (size_t cut = 0; cut <= len; cut++) {
		if (gz) {
			gzFile z = gzopen(p, "wb");
			cr_assert_not_null(z);
			if (cut)
				cr_assert_eq(gzwrite(z, all, (unsigned)cut), (int)cut);
			gzclose(z);
		} else {
			write_file(p, all, cut);
		}
		struct capture *c;
		char err[256] = "";
		int rc = capture_open(p, &c, err, sizeof err);
		if (cut < header) {
			cr_assert_eq(rc, -1, "cut %zu: opened", cut);
			cr_assert_neq(err[0], 0);
			continue;
		}
		cr_assert_eq(rc, 0, "cut %zu: %s", cut, err);
		read_all(c, g);
		/* A record is delivered when its block ends at or before the cut. */
		size_t whole = 0;
		for (size_t i = 0; i < n; i++) {
			size_t end = SIZE_MAX;
			for (size_t j = 0; j < nb && end == SIZE_MAX; j++)
				if (bounds[j] > exp[i].offset)
					end = bounds[j];
			if (end <= cut)
				whole = i + 1;
		}
		cr_assert_eq(g->n, whole, "cut %zu: %zu records, expected %zu (%s)", cut, g->n, whole,
		             g->err);
		for (size_t i = 0; i < whole; i++)
			assert_rec(&g->r[i], &exp[i], i, "sweep");
		bool on_boundary = false;
		size_t damaged_at = 0;
		for (size_t i = 0; i < nb; i++) {
			if (bounds[i] == cut)
				on_boundary = true;
			if (bounds[i] < cut)
				damaged_at = bounds[i];
		}
		if (on_boundary) {
			cr_assert_eq(g->status, CAPTURE_EOF, "cut %zu: status %d (%s)", cut, g->status,
			             g->err);
		} else {
			cr_assert_eq(g->status, CAPTURE_DAMAGED, "cut %zu: status %d", cut, g->status);
			char want[64];
			snprintf(want, sizeof want, "byte offset %zu", damaged_at);
			cr_assert_not_null(strstr(g->err, want), "cut %zu: \"%s\" lacks \"%s\"", cut, g->err,
			                   want);
			/* Damage is sticky. */
			struct capture_record cr;
			char err2[512];
			cr_assert_eq(capture_next(c, &cr, err2, sizeof err2), CAPTURE_DAMAGED);
			cr_assert_str_eq(err2, g->err);
		}
		got_free(g);
		capture_close(c);
	}
	free(g);
}

static void small_pcap(char *p, size_t plen, struct rec *exp, size_t *bounds, size_t *nb)
{
	make_packets();
	write_pcap_libpcap(tpath(p, plen, "small.pcap"), DLT_EN10MB, false, exp);
	*nb = 0;
	bounds[(*nb)++] = 24;
	for (int i = 0; i < NPKT; i++)
		bounds[(*nb)++] = exp[i].offset + 16 + exp[i].caplen;
}

Test(capture, truncation_sweep_pcap)
{
	char p[256];
	struct rec exp[NPKT];
	size_t bounds[NPKT + 1], nb, len;
	small_pcap(p, sizeof p, exp, bounds, &nb);
	uint8_t *all = slurp(p, &len);
	sweep(all, len, exp, NPKT, bounds, nb, 24, false);
	sweep(all, len, exp, NPKT, bounds, nb, 24, true);
	free(all);
}

Test(capture, truncation_sweep_pcapng)
{
	make_packets();
	struct buf b = { 0 };
	struct rec exp[8];
	size_t bounds[16], nb;
	size_t n = build_small_pcapng(&b, exp, bounds, &nb);
	sweep(b.p, b.len, exp, n, bounds, nb, bounds[0], false);
	sweep(b.p, b.len, exp, n, bounds, nb, bounds[0], true);
	free(b.p);
}

/* Cutting the compressed file itself: a prefix of the records, then DAMAGED
 * naming the decompressor (or an open error when nothing decodes). */
static void sweep_compressed(const char *path, const char *tool, const struct rec *exp, size_t n)
{
	char z[256], cut[256];
	snprintf(z, sizeof z, "%s.%s", path, tool);
	compress_cli(tool, path, z);
	size_t len;
	uint8_t *all = slurp(z, &len);
	tpath(cut, sizeof cut, "cut.z");
	struct got *g = calloc(1, sizeof *g);
	for (size_t k = 0; k <= len; k++) {
		write_file(cut, all, k);
		struct capture *c;
		char err[256] = "";
		if (capture_open(cut, &c, err, sizeof err) != 0) {
			cr_assert(k < len, "%s: the whole file did not open: %s", tool, err);
			cr_assert_neq(err[0], 0);
			continue;
		}
		read_all(c, g);
		cr_assert_leq(g->n, n);
		for (size_t i = 0; i < g->n; i++)
			assert_rec(&g->r[i], &exp[i], i, tool);
		if (k == len) {
			cr_assert_eq(g->status, CAPTURE_EOF, "%s: %s", tool, g->err);
			cr_assert_eq(g->n, n);
		} else {
			cr_assert_eq(g->status, CAPTURE_DAMAGED, "%s cut at %zu: status %d", tool, k,
			             g->status);
			if (strstr(g->err, tool) == NULL)
				/* libpcap may see the short data first only if the decompressor did not
				 * complain */
				cr_assert_fail("%s cut at %zu: \"%s\" does not name the decompressor", tool,
				               k, g->err);
		}
		got_free(g);
		capture_close(c);
	}
	free(g);
	free(all);
}

Test(capture, truncation_sweep_compressed_files)
{
	char p[256];
	struct rec exp[NPKT];
	size_t bounds[16], nb;
	small_pcap(p, sizeof p, exp, bounds, &nb);
	static const char *const tools[] = { "gzip", "xz", "zstd", "bzip2" };
	for (size_t t = 0; t < 4; t++)
		sweep_compressed(p, tools[t], exp, NPKT);

	struct buf b = { 0 };
	struct rec nexp[8];
	size_t n = build_small_pcapng(&b, nexp, bounds, &nb);
	char ng[256];
	write_file(tpath(ng, sizeof ng, "small.pcapng"), b.p, b.len);
	free(b.p);
	sweep_compressed(ng, "gzip", nexp, n);
}

/* ---- damage ------------------------------------------------------------------------- */

static void expect_damage(const struct buf *b, size_t good, const char *needle, uint64_t at)
{
	char p[256];
	write_file(tpath(p, sizeof p, "bad.pcapng"), b->p, b->len);
	struct capture *c;
	char err[256];
	cr_assert_eq(capture_open(p, &c, err, sizeof err), 0, "%s", err);
	struct got *g = calloc(1, sizeof *g);
	read_all(c, g);
	cr_assert_eq(g->status, CAPTURE_DAMAGED, "%s: status %d", needle, g->status);
	cr_assert_eq(g->n, good, "%s: %zu records", needle, g->n);
	cr_assert_not_null(strstr(g->err, needle), "\"%s\" lacks \"%s\"", g->err, needle);
	char want[64];
	snprintf(want, sizeof want, "byte offset %llu", (unsigned long long)at);
	cr_assert_not_null(strstr(g->err, want), "\"%s\" lacks \"%s\"", g->err, want);
	got_free(g);
	free(g);
	capture_close(c);
}

static size_t good_prefix(struct buf *b)
{
	b->len = 0;
	shb(b);
	idb(b, 1, 0, -1, 0);
	epb(b, 0, 1, pkt_bytes[0], 40, 40);
	return b->len;
}

Test(capture, pcapng_damage)
{
	make_packets();
	struct buf b = { 0 };
	size_t at;

	at = good_prefix(&b);
	put32(&b, 6);
	put32(&b, 8); /* total length < 12 */
	put32(&b, 8);
	expect_damage(&b, 1, "too small", at);

	at = good_prefix(&b);
	put32(&b, 6);
	put32(&b, 30); /* not a multiple of 4 */
	put(&b, pkt_bytes[0], 22);
	expect_damage(&b, 1, "not a multiple of 4", at);

	at = good_prefix(&b);
	put32(&b, 6);
	put32(&b, 0x10000000); /* 256 MiB */
	put(&b, pkt_bytes[0], 100);
	expect_damage(&b, 1, "limit", at);

	at = good_prefix(&b);
	put32(&b, 6);
	put32(&b, 1000); /* past the end of the file */
	put(&b, pkt_bytes[0], 100);
	expect_damage(&b, 1, "truncated block", at);

	at = good_prefix(&b);
	epb(&b, 0, 1, pkt_bytes[0], 40, 40);
	set32(&b, b.len - 4, 4096); /* trailing length */
	expect_damage(&b, 1, "trailing length", at);

	at = good_prefix(&b);
	epb(&b, 0, 1, pkt_bytes[0], 40, 40);
	set32(&b, at + 20, 200); /* caplen larger than the block */
	expect_damage(&b, 1, "larger than the block", at);

	at = good_prefix(&b);
	epb(&b, 7, 1, pkt_bytes[0], 40, 40); /* unknown interface */
	expect_damage(&b, 1, "interface 7", at);

	good_prefix(&b);
	at = shb(&b); /* a new section forgets the interfaces */
	at = spb(&b, pkt_bytes[0], 40, 40);
	expect_damage(&b, 1, "interface 0", at);

	good_prefix(&b);
	at = b.len;
	size_t s = blk_begin(&b, 0x0A0D0D0A);
	put32(&b, 0x11223344); /* bad byte-order magic */
	put32(&b, 0);
	put64(&b, 0);
	blk_end(&b, s);
	expect_damage(&b, 1, "byte-order magic", at);
	free(b.p);
}

Test(capture, pcap_invalid_caplen)
{
	make_packets();
	char p[256];
	struct rec exp[NPKT];
	write_pcap_libpcap(tpath(p, sizeof p, "inv.pcap"), DLT_EN10MB, false, exp);
	size_t len;
	uint8_t *all = slurp(p, &len);
	size_t at = (size_t)exp[2].offset;
	all[at + 8] = 0xff; /* caplen 0x7fff.... (little-endian file) */
	all[at + 11] = 0x7f;
	write_file(p, all, len);
	free(all);
	struct capture *c;
	char err[256];
	cr_assert_eq(capture_open(p, &c, err, sizeof err), 0);
	struct got *g = calloc(1, sizeof *g);
	read_all(c, g);
	cr_assert_eq(g->status, CAPTURE_DAMAGED);
	cr_assert_eq(g->n, 2);
	char want[128];
	snprintf(want, sizeof want, "damaged record at byte offset %zu: invalid packet capture length", at);
	cr_assert_not_null(strstr(g->err, want), "%s", g->err);
	got_free(g);
	free(g);
	capture_close(c);
}

Test(capture, corrupt_compressed_streams)
{
	make_packets();
	char p[200], z[256];
	struct rec exp[NPKT];
	write_pcap_libpcap(tpath(p, sizeof p, "c.pcap"), DLT_EN10MB, false, exp);
	static const char *const tools[] = { "gzip", "xz", "zstd", "bzip2" };
	for (size_t t = 0; t < 4; t++) {
		snprintf(z, sizeof z, "%s.%s", p, tools[t]);
		compress_cli(tools[t], p, z);
		size_t len;
		uint8_t *all = slurp(z, &len);
		for (size_t at = len / 3; at < len; at += len / 7 + 1) {
			all[at] ^= 0x55;
			write_file(z, all, len);
			all[at] ^= 0x55;
			struct capture *c;
			char err[256];
			if (capture_open(z, &c, err, sizeof err) != 0)
				continue;
			struct got *g = calloc(1, sizeof *g);
			read_all(c, g);
			/* Records before the check fails may carry corrupt bytes; the end must not be clean.
			 */
			cr_assert_eq(g->status, CAPTURE_DAMAGED, "%s flipped at %zu: %d", tools[t], at,
			             g->status);
			got_free(g);
			free(g);
			capture_close(c);
		}
		free(all);
	}
	/* A bad gzip CRC: every record arrives, then the decompressor complains. */
	snprintf(z, sizeof z, "%s.gzip", p);
	compress_cli("gzip", p, z);
	size_t len;
	uint8_t *all = slurp(z, &len);
	all[len - 8] ^= 1;
	write_file(z, all, len);
	free(all);
	struct capture *c;
	char err[256];
	cr_assert_eq(capture_open(z, &c, err, sizeof err), 0);
	struct got *g = calloc(1, sizeof *g);
	read_all(c, g);
	cr_assert_eq(g->status, CAPTURE_DAMAGED);
	cr_assert_eq(g->n, NPKT, "%zu records: %s", g->n, g->err);
	cr_assert_not_null(strstr(g->err, "gzip: incorrect data check at decompressed byte offset"), "%s",
	                   g->err);
	got_free(g);
	free(g);
	capture_close(c);
}

/* ---- open errors ------------------------------------------------------------------------ */

static void expect_open_error(const char *name, const void *data, size_t len, const char *tool,
                              const char *msg)
{
	char p[200], z[256];
	tpath(p, sizeof p, name);
	if (data)
		write_file(p, data, len);
	const char *path = p;
	if (tool) {
		snprintf(z, sizeof z, "%s.z", p);
		compress_cli(tool, p, z);
		path = z;
	}
	struct capture *c = (struct capture *)1;
	char err[256] = "";
	cr_assert_eq(capture_open(path, &c, err, sizeof err), -1, "%s opened", name);
	cr_assert_null(c);
	cr_assert_str_eq(err, msg);
}

Test(capture, open_errors)
{
	expect_open_error("empty", "", 0, NULL, "empty file");
	expect_open_error("text", "<html><body>hello</body></html>\n", 32, NULL,
	                  "not a capture file (starts with 3c 68 74 6d)");
	expect_open_error("three", "abc", 3, NULL, "too short to be a capture (3 bytes)");
	expect_open_error("hdr", "\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00", 10, NULL,
	                  "too short to be a capture (10 bytes)");
	expect_open_error("ng", "\x0a\x0d\x0d\x0a\x1c\x00\x00\x00", 8, NULL,
	                  "too short to be a capture (8 bytes)");
	expect_open_error("missing", NULL, 0, NULL, "No such file or directory");
	expect_open_error("text2", "<html><body>hello</body></html>\n", 32, "gzip",
	                  "gzip stream contains no capture (starts with 3c 68 74 6d)");
	expect_open_error("empty2", "", 0, "xz",
	                  "xz stream contains no capture (it decompresses to nothing)");
	expect_open_error("two", "ab", 2, "zstd", "zstd stream contains no capture (only 2 bytes)");
	struct capture *c;
	char err[256];
	cr_assert_eq(capture_open(tmpdir, &c, err, sizeof err), -1);
	cr_assert_str_eq(err, "Is a directory");
	/* A gzip header and nothing else. */
	expect_open_error(
	    "gzhead", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10, NULL,
	    "gzip stream contains no capture (gzip: unexpected end of compressed data at decompressed "
	    "byte offset 0)");
}

/* ---- libpcap facts and real files ------------------------------------------------------------ */

/* What makes our own pcapng reader necessary; if libpcap ever changes this,
 * the comment at the top of pcapng.c must change too. */
Test(capture, libpcap_refuses_mixed_linktypes)
{
	make_packets();
	struct buf b = { 0 };
	shb(&b);
	idb(&b, 1, 0, -1, 0);
	idb(&b, 101, 0, -1, 0);
	epb(&b, 0, 1, pkt_bytes[0], 40, 40);
	char p[256], e[PCAP_ERRBUF_SIZE];
	write_file(tpath(p, sizeof p, "two-idb.pcapng"), b.p, b.len);
	free(b.p);
	pcap_t *pc = pcap_open_offline(p, e);
	if (pc) {
		struct pcap_pkthdr *h;
		const u_char *d;
		cr_assert_eq(pcap_next_ex(pc, &h, &d), PCAP_ERROR);
		snprintf(e, sizeof e, "%s", pcap_geterr(pc));
		pcap_close(pc);
	}
	cr_assert_str_eq(e, "an interface has a type 101 different from the type of the first interface");
	/* ... and we read it. */
	struct capture *c;
	char err[256];
	cr_assert_eq(capture_open(p, &c, err, sizeof err), 0);
	struct capture_record r;
	cr_assert_eq(capture_next(c, &r, err, sizeof err), CAPTURE_OK);
	cr_assert_eq(r.linktype, DLT_EN10MB);
	cr_assert_eq(capture_next(c, &r, err, sizeof err), CAPTURE_EOF);
	capture_close(c);
}

/* Our LINKTYPE_ -> DLT_ table agrees with libpcap's own mapping (classic
 * pcap headers carry LINKTYPE_ values too). */
Test(capture, linktype_table_matches_libpcap)
{
	static const int lts[] = { 0,   1,   9,   10,  50,  51,  100, 101, 102, 103, 104, 105,
		                   108, 113, 127, 147, 192, 220, 228, 229, 246, 258, 276 };
	for (size_t i = 0; i < sizeof lts / sizeof lts[0]; i++) {
		uint8_t hdr[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4,    0,    0, 0,
			            0,    0,    0,    0,    0, 0, 0xff, 0xff, 0, 0 };
		hdr[20] = (uint8_t)lts[i];
		hdr[21] = (uint8_t)(lts[i] >> 8);
		FILE *f = fmemopen(hdr, sizeof hdr, "rb");
		char e[PCAP_ERRBUF_SIZE];
		pcap_t *p = pcap_fopen_offline(f, e);
		cr_assert_not_null(p, "%s", e);
		cr_assert_eq(pcapng_linktype_to_dlt(lts[i]), pcap_datalink(p), "LINKTYPE %d", lts[i]);
		pcap_close(p);
	}
}

static long tshark_count(const char *path)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "tshark -r '%s' -T fields -e frame.number 2>/dev/null | wc -l", path);
	FILE *f = popen(cmd, "r");
	cr_assert_not_null(f);
	long n = -1;
	if (fscanf(f, "%ld", &n) != 1)
		n = -1;
	pclose(f);
	return n;
}

/* Reads path with libpcap (for comparison). */
static size_t libpcap_read(const char *path, struct got *g)
{
	char e[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, e);
	cr_assert_not_null(p, "%s", e);
	struct pcap_pkthdr *h;
	const u_char *d;
	g->n = 0;
	while (pcap_next_ex(p, &h, &d) == 1) {
		struct rec *r = &g->r[g->n];
		*r = (struct rec){
			pcap_datalink(p), h->ts.tv_sec, (uint32_t)h->ts.tv_usec, h->caplen, h->len, NULL, 0
		};
		g->data[g->n] = malloc(h->caplen + 1);
		memcpy(g->data[g->n], d, h->caplen);
		r->data = g->data[g->n];
		g->n++;
	}
	pcap_close(p);
	return g->n;
}

static void check_real(const char *path, const char *format)
{
	if (access(path, R_OK) != 0)
		cr_skip_test("%s not present", path);
	struct capture *c;
	char err[256];
	cr_assert_eq(capture_open(path, &c, err, sizeof err), 0, "%s: %s", path, err);
	cr_assert_str_eq(capture_format(c), format);
	struct got *g = calloc(1, sizeof *g), *l = calloc(1, sizeof *l);
	read_all(c, g);
	cr_assert_eq(g->status, CAPTURE_EOF, "%s: %s", path, g->err);
	cr_assert_gt(g->n, 0);
	long t = tshark_count(path);
	if (t >= 0)
		cr_assert_eq((long)g->n, t, "%s: %zu records, tshark counts %ld", path, g->n, t);
	libpcap_read(path, l);
	cr_assert_eq(l->n, g->n);
	for (size_t i = 0; i < g->n; i++) {
		l->r[i].offset = g->r[i].offset;
		assert_rec(&g->r[i], &l->r[i], i, path);
	}
	got_free(g);
	got_free(l);
	free(g);
	free(l);
	capture_close(c);
}

Test(capture, real_files)
{
	check_real(CORPUS "/dpi-mptcp-mp_capable.pcapng", "pcapng");
	check_real(CORPUS "/mptcp-v1.pcap", "pcap");
}

/* ---- decompress.h on its own ---------------------------------------------------------------- */

Test(capture, decomp_detect)
{
	cr_assert_eq(decomp_detect((const uint8_t *)"\x1f\x8b\x08", 3), DECOMP_GZIP);
	cr_assert_eq(decomp_detect((const uint8_t *)"\x1f\x8b", 2), DECOMP_NONE);
	cr_assert_eq(decomp_detect((const uint8_t *)"\xfd\x37\x7a\x58\x5a\x00", 6), DECOMP_XZ);
	cr_assert_eq(decomp_detect((const uint8_t *)"\x28\xb5\x2f\xfd", 4), DECOMP_ZSTD);
	cr_assert_eq(decomp_detect((const uint8_t *)"BZh9", 4), DECOMP_BZIP2);
	cr_assert_eq(decomp_detect((const uint8_t *)"BZhX", 4), DECOMP_NONE);
	cr_assert_eq(decomp_detect((const uint8_t *)"\xd4\xc3\xb2\xa1", 4), DECOMP_NONE);
	cr_assert_str_eq(decomp_name(DECOMP_BZIP2), "bzip2");
	cr_assert_str_eq(decomp_name(DECOMP_NONE), "none");
}
