/* zmap_output.c — ZMap CSV (RFC 4180, through libcsv) and JSON lines
 * (RFC 8259, through jansson), optionally compressed, to raw-IP records.
 * See zmap_output.h.
 *
 * The file is read through decompress.c in chunks; each chunk is parsed
 * (CSV rows or JSON lines), every row becomes up to two packets in a small
 * queue, and zmap_output_next hands them out one at a time.
 */
#include "analyzer/ingest/zmap_output.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/base/csv_io.h"
#include "analyzer/capture/decompress.h"
#include "analyzer/dissect/link.h"

#define RAW_PEEK 8u
#define SNIFF_MIN 4096u       /* enough for masscan's JSON to show its "ports" */
#define SNIFF_MAX (64u << 10) /* the first line must end within this many bytes */
#define CHUNK (16u << 10)
#define LINE_MAX_BYTES (1u << 20) /* a longer JSON line is damage, not a row */

struct qpkt {
	uint8_t data[ZMAP_PACKET_MAX];
	uint32_t len;
	int64_t sec;
	uint32_t nsec;
};

struct zmap_output {
	FILE *fp; /* a regular file: rewound after its compression magic is read */
	uint64_t raw_consumed;
	struct decomp *dec;

	bool json;
	uint8_t *pre; /* the sniffed bytes, parsed first */
	size_t pre_len, pre_pos;
	bool pre_failed; /* the stream failed right after them */
	char pre_err[320];
	bool finished, damaged;
	bool oom; /* a row could not be queued */
	char damage[512];

	/* CSV */
	struct csv_stream *csv;
	int *colfield; /* the field of each header column, or -1 */
	size_t ncols;
	bool have_header;

	/* JSON */
	char *line;
	size_t line_len, line_cap;
	uint64_t lineno;

	struct zmap_probe probe;
	uint64_t rows;
	uint64_t skipped[ZS_COUNT], first_skipped[ZS_COUNT];

	struct qpkt *q;
	size_t qn, qcap, qpos;
};

/* ---- bytes in ------------------------------------------------------------------ */

static ssize_t raw_read(void *ctx, uint8_t *buf, size_t n, char *err, size_t errlen)
{
	struct zmap_output *z = ctx;
	size_t k = fread(buf, 1, n, z->fp);
	if (k == 0 && ferror(z->fp)) {
		snprintf(err, errlen, "%s", strerror(errno ? errno : EIO));
		return -1;
	}
	z->raw_consumed += k;
	return (ssize_t)k;
}

/* Decompressed bytes: the sniffed ones first. */
static ssize_t pull(struct zmap_output *z, uint8_t *buf, size_t n, char *err, size_t errlen)
{
	if (z->pre_pos < z->pre_len) {
		size_t k = z->pre_len - z->pre_pos;
		if (k > n)
			k = n;
		memcpy(buf, z->pre + z->pre_pos, k);
		z->pre_pos += k;
		return (ssize_t)k;
	}
	if (z->pre_failed) {
		snprintf(err, errlen, "%s", z->pre_err);
		return -1;
	}
	return decomp_read(z->dec, buf, n, err, errlen);
}

/* ---- rows to packets ----------------------------------------------------------- */

static struct qpkt *queue_slot(struct zmap_output *z)
{
	if (z->qn == z->qcap) {
		size_t nc = z->qcap ? z->qcap * 2 : 64;
		struct qpkt *q = realloc(z->q, nc * sizeof *q);
		if (!q)
			return NULL;
		z->q = q;
		z->qcap = nc;
	}
	return &z->q[z->qn++];
}

static void skip(struct zmap_output *z, enum zmap_skip why)
{
	if (!z->skipped[why]++)
		z->first_skipped[why] = z->rows;
}

/* One row's field values; returns -1 when out of memory. */
static int emit(struct zmap_output *z, const char *const vals[ZF_COUNT])
{
	struct zmap_row r;
	enum zmap_skip why = zmap_row_parse(vals, &r);
	if (why != ZS_OK) {
		skip(z, why);
		return 0;
	}
	struct qpkt *p;
	if (z->probe.known) {
		if (!(p = queue_slot(z)))
			return -1;
		p->len = (uint32_t)zmap_build_probe(&r, &z->probe, p->data);
		p->sec = r.sec;
		p->nsec = r.nsec;
	}
	if (!(p = queue_slot(z)))
		return -1;
	p->len = (uint32_t)zmap_build_answer(&r, p->data);
	p->sec = r.sec;
	p->nsec = r.nsec;
	return 0;
}

static int on_csv_row(void *ctx, char *const *fields, size_t n)
{
	struct zmap_output *z = ctx;
	if (!z->have_header) {
		z->colfield = malloc((n ? n : 1) * sizeof *z->colfield);
		if (!z->colfield) {
			z->oom = true;
			return -1;
		}
		z->ncols = n;
		bool seen[ZF_COUNT] = { false };
		for (size_t i = 0; i < n; i++) {
			int f = zmap_field_by_name(fields[i]);
			z->colfield[i] = f >= 0 && !seen[f] ? f : -1; /* the first column of a name counts */
			if (f >= 0)
				seen[f] = true;
		}
		z->have_header = true;
		return 0;
	}
	z->rows++;
	if (n != z->ncols) {
		skip(z, ZS_FIELD_COUNT);
		return 0;
	}
	const char *vals[ZF_COUNT] = { NULL };
	for (size_t i = 0; i < n; i++)
		if (z->colfield[i] >= 0)
			vals[z->colfield[i]] = fields[i];
	if (emit(z, vals) != 0) {
		z->oom = true;
		return -1;
	}
	return 0;
}

/* One JSON line (without its line end); blank lines are not rows. */
static int json_line(struct zmap_output *z, const char *s, size_t len)
{
	while (len && (s[len - 1] == '\r' || s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	size_t i = 0;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == len)
		return 0;
	z->rows++;
	json_error_t je;
	json_t *o = json_loadb(s, len, 0, &je);
	if (!json_is_object(o)) {
		json_decref(o);
		skip(z, ZS_BAD_JSON);
		return 0;
	}
	char num[ZF_COUNT][24];
	const char *vals[ZF_COUNT] = { NULL };
	for (int f = 0; f < ZF_COUNT; f++) {
		json_t *v = json_object_get(o, zmap_field_name((enum zmap_field)f));
		if (json_is_string(v))
			vals[f] = json_string_value(v);
		else if (json_is_integer(v) && json_integer_value(v) >= 0) {
			snprintf(num[f], sizeof num[f], "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			vals[f] = num[f];
		} else if (v && !json_is_null(v))
			vals[f] = "?"; /* a value of the wrong type: the row is skipped as malformed */
	}
	int rc = emit(z, vals);
	json_decref(o);
	return rc;
}

static int json_feed(struct zmap_output *z, const uint8_t *buf, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n;) {
		const uint8_t *nl = memchr(buf + i, '\n', n - i);
		size_t k = nl ? (size_t)(nl - (buf + i)) : n - i;
		if (z->line_len + k > LINE_MAX_BYTES) {
			snprintf(err, errlen, "line %llu is longer than %u bytes",
			         (unsigned long long)z->lineno + 1, LINE_MAX_BYTES);
			return -1;
		}
		if (z->line_len + k > z->line_cap) {
			size_t nc = z->line_cap ? z->line_cap : 4096;
			while (nc < z->line_len + k)
				nc *= 2;
			char *l = realloc(z->line, nc);
			if (!l) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			z->line = l;
			z->line_cap = nc;
		}
		memcpy(z->line + z->line_len, buf + i, k);
		z->line_len += k;
		i += k;
		if (nl) {
			i++;
			z->lineno++;
			int rc = json_line(z, z->line, z->line_len);
			z->line_len = 0;
			if (rc != 0) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
		}
	}
	return 0;
}

static int feed(struct zmap_output *z, const uint8_t *buf, size_t n, char *err, size_t errlen)
{
	if (z->json)
		return json_feed(z, buf, n, err, errlen);
	return csv_stream_feed(z->csv, buf, n, err, errlen);
}

static int finish(struct zmap_output *z, char *err, size_t errlen)
{
	if (!z->json)
		return csv_stream_finish(z->csv, err, errlen);
	if (z->line_len && json_line(z, z->line, z->line_len) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	z->line_len = 0;
	return 0;
}

/* ---- recognising the file ---------------------------------------------------- */

static bool starts(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && memcmp(s, prefix, k) == 0;
}

/* A header of plain field names, one of them saddr. */
static bool is_zmap_csv_header(const char *s, size_t n)
{
	bool saddr = false;
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && s[j] != ',')
			j++;
		size_t e = j;
		if (e > i && s[e - 1] == '\r' && e == n)
			e--;
		if (e == i)
			return false;
		for (size_t k = i; k < e; k++)
			if (!((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z') ||
			      (s[k] >= '0' && s[k] <= '9') || s[k] == '_' || s[k] == '-'))
				return false;
		if (e - i == 5 && memcmp(s + i, "saddr", 5) == 0)
			saddr = true;
		i = j + 1;
	}
	return saddr;
}

static bool is_zmap_json_line(const char *s, size_t n)
{
	json_error_t je;
	json_t *o = json_loadb(s, n, 0, &je);
	bool ok = json_is_object(o) && json_object_get(o, "saddr");
	json_decref(o);
	return ok;
}

/* What the first bytes are: 1 ZMap CSV, 2 ZMap JSON, 0 neither; masscan's
 * formats fill err and return -1. */
static int sniff(const char *s, size_t n, char *err, size_t errlen)
{
	static const char *const masscan =
	    "masscan output (%s) holds no TCP option bytes and masscan's probes carry no MP_CAPABLE: no "
	    "MPTCP verdict can be decided from it (docs/methodology.md, \"Scanner output as input\")";
	if (starts(s, n, "#masscan") || starts(s, n, "# Masscan")) {
		snprintf(err, errlen, masscan, "-oL or -oG");
		return -1;
	}
	if (starts(s, n, "masscan/1.")) {
		snprintf(err, errlen, masscan, "-oB");
		return -1;
	}
	const char *nl = memchr(s, '\n', n);
	size_t first = nl ? (size_t)(nl - s) : n;
	size_t i = 0;
	while (i < first && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < first && s[i] == '[' && memmem(s, n, "\"ports\"", 7)) {
		snprintf(err, errlen, masscan, "-oJ");
		return -1;
	}
	if (i < first && s[i] == '{')
		return is_zmap_json_line(s + i, first - i) ? 2 : 0;
	return is_zmap_csv_header(s, first) ? 1 : 0;
}

int zmap_output_open(const char *path, const struct zmap_probe *probe, struct zmap_output **out, char *err,
                     size_t errlen)
{
	*out = NULL;
	struct zmap_output *z = calloc(1, sizeof *z);
	if (!z) {
		snprintf(err, errlen, "out of memory");
		return ZMAP_OPEN_FAILED;
	}
	if (probe)
		z->probe = *probe;
	int rc = ZMAP_OPEN_NOT_OURS;
	char msg[320];
	if (!(z->fp = fopen(path, "rb")))
		goto fail;
	uint8_t magic[RAW_PEEK];
	size_t nmagic = fread(magic, 1, sizeof magic, z->fp);
	if (fseek(z->fp, 0, SEEK_SET) != 0 ||
	    decomp_new(decomp_detect(magic, nmagic), raw_read, z, &z->dec, msg, sizeof msg) != 0 ||
	    !(z->pre = malloc(SNIFF_MAX)))
		goto fail;
	/* at least SNIFF_MIN bytes and the first line, or as much as SNIFF_MAX holds */
	while (z->pre_len < SNIFF_MAX && (z->pre_len < SNIFF_MIN || !memchr(z->pre, '\n', z->pre_len))) {
		ssize_t k = decomp_read(z->dec, z->pre + z->pre_len, SNIFF_MAX - z->pre_len, msg, sizeof msg);
		if (k < 0 && z->pre_len == 0)
			goto fail;
		if (k < 0) { /* damage after the first bytes: reported when reading reaches it */
			z->pre_failed = true;
			snprintf(z->pre_err, sizeof z->pre_err, "%s", msg);
			break;
		}
		if (k == 0)
			break;
		z->pre_len += (size_t)k;
	}
	int kind = sniff((const char *)z->pre, z->pre_len, err, errlen);
	if (kind < 0)
		rc = ZMAP_OPEN_FAILED;
	if (kind <= 0)
		goto fail;
	z->json = kind == 2;
	if (!z->json && !(z->csv = csv_stream_new(on_csv_row, z))) {
		snprintf(err, errlen, "out of memory");
		rc = ZMAP_OPEN_FAILED;
		goto fail;
	}
	*out = z;
	return ZMAP_OPEN_OK;
fail:
	zmap_output_close(z);
	return rc;
}

/* ---- reading ------------------------------------------------------------------- */

int zmap_output_next(struct zmap_output *z, struct capture_record *rec, char *err, size_t errlen)
{
	uint8_t buf[CHUNK];
	char msg[320];
	while (z->qpos == z->qn) {
		z->qpos = z->qn = 0;
		if (z->finished) {
			if (z->damaged) {
				snprintf(err, errlen, "%s", z->damage);
				return CAPTURE_DAMAGED;
			}
			return CAPTURE_EOF;
		}
		ssize_t k = pull(z, buf, sizeof buf, msg, sizeof msg);
		int rc = 0;
		if (k < 0) {
			rc = -1;
		} else if (k == 0) {
			rc = finish(z, msg, sizeof msg);
			z->finished = true;
		} else {
			rc = feed(z, buf, (size_t)k, msg, sizeof msg);
		}
		if (rc != 0) {
			z->finished = z->damaged = true;
			snprintf(z->damage, sizeof z->damage, "%s", z->oom ? "out of memory" : msg);
		}
	}
	const struct qpkt *p = &z->q[z->qpos++];
	rec->linktype = LINK_DLT_RAW;
	rec->ts_sec = p->sec;
	rec->ts_nsec = p->nsec;
	rec->caplen = rec->wirelen = p->len;
	rec->data = p->data;
	rec->offset = 0;
	return CAPTURE_OK;
}

const char *zmap_output_format(const struct zmap_output *z)
{
	return z->json ? "zmap-json" : "zmap-csv";
}

uint64_t zmap_output_bytes_consumed(const struct zmap_output *z)
{
	return z->raw_consumed;
}

uint64_t zmap_output_rows(const struct zmap_output *z)
{
	return z->rows;
}

uint64_t zmap_output_skipped(const struct zmap_output *z, char *buf, size_t n)
{
	uint64_t total = 0;
	for (int s = 1; s < ZS_COUNT; s++)
		total += z->skipped[s];
	if (n)
		buf[0] = '\0';
	if (!total || !n)
		return total;
	size_t used = (size_t)snprintf(buf, n, "%llu of %llu rows not analysed:", (unsigned long long)total,
	                               (unsigned long long)z->rows);
	const char *sep = " ";
	for (int s = 1; s < ZS_COUNT && used < n; s++) {
		if (!z->skipped[s])
			continue;
		used += (size_t)snprintf(buf + used, n - used, "%s%llu %s (%srow %llu)", sep,
		                         (unsigned long long)z->skipped[s], zmap_skip_name((enum zmap_skip)s),
		                         z->skipped[s] > 1 ? "first: " : "",
		                         (unsigned long long)z->first_skipped[s]);
		sep = ", ";
	}
	return total;
}

void zmap_output_close(struct zmap_output *z)
{
	if (!z)
		return;
	if (z->fp)
		fclose(z->fp);
	decomp_free(z->dec);
	csv_stream_free(z->csv);
	free(z->colfield);
	free(z->pre);
	free(z->line);
	free(z->q);
	free(z);
}
