/* input.c — capture files → filter → dissection → callback.  See input.h.
 *
 * The per-record loop is allocation-free: one struct packet is reused, the
 * capture layer hands out records in place (capture.c), and the filter is
 * compiled once per link type.
 */
#include "analyzer/ingest/input.h"

#include <pcap/pcap.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "analyzer/dissect/dissect.h"
#include "analyzer/dissect/link.h"
#include "analyzer/dissect/tcp.h"
#include "analyzer/ingest/bpf_filter.h"
#include "analyzer/ingest/progress.h"
#include "analyzer/ingest/zmap_output.h"

static int64_t file_size(const char *file)
{
	struct stat st;
	if (strcmp(file, "-") == 0 || stat(file, &st) != 0 || !S_ISREG(st.st_mode))
		return -1;
	return (int64_t)st.st_size;
}

static int64_t total_size(char *const *files, int n)
{
	int64_t total = 0;
	for (int i = 0; i < n; i++) {
		int64_t sz = file_size(files[i]);
		if (sz < 0)
			return -1;
		total += sz;
	}
	return total;
}

static const char *dlt_label(int dlt, char *buf, size_t n)
{
	const char *name = pcap_datalink_val_to_name(dlt);
	snprintf(buf, n, "%s (DLT %d)", name ? name : "unknown", dlt);
	return buf;
}

/* Progress of one file, read by whoever draws the progress line. */
struct file_progress {
	_Atomic uint64_t bytes, records;
};

/* Everything one file needs; the result of reading it. */
struct file_job {
	const char *file;
	uint32_t ordinal;
	const struct input_options *o;
	struct bpf_filter *filter;
	input_packet_fn fn;
	void *ctx;
	struct file_progress *prog; /* updated every 16 Ki records */
	struct progress *draw;      /* sequential runs draw here; NULL otherwise */
	uint64_t bytes_before, records_before;
	/* results */
	bool opened;
	bool scanner; /* the file was scanner output */
	int status;
	uint64_t records, filtered_out, bytes;
	char warn[1280]; /* the damage warning(s), without the leading newline */
	char err[1024];
};

/* Reads one file.  job->status: INPUT_OK, INPUT_WARNINGS (warn filled),
 * INPUT_FATAL (err filled) or INPUT_INTERRUPTED. */
static void run_file(struct file_job *job, struct packet *pkt, struct tcp_opts_memo *memo)
{
	const struct input_options *o = job->o;
	const char *file = job->file;
	const char *shown = strcmp(file, "-") == 0 ? "<stdin>" : file;
	const char *who = o->who ? o->who : "mpcap";
	char msg[512];
	struct capture *cap = NULL;
	struct zmap_output *zo = NULL;
	job->status = INPUT_OK;
	job->warn[0] = '\0';
	job->opened = false;
	struct input_file_info *info = o->info ? &o->info[job->ordinal] : NULL;
	if (info)
		memset(info, 0, sizeof *info);
	if (capture_open_ex(file, o->max_memory, info && o->hash, &cap, msg, sizeof msg) != 0) {
		/* not a capture: perhaps a scanner's result file, opened again to be
		 * recognised — so only a regular file (stdin or a FIFO was consumed) */
		char zmsg[512];
		int z = file_size(file) < 0
		            ? ZMAP_OPEN_NOT_OURS
		            : zmap_output_open(file, o->scanner_probe, &zo, zmsg, sizeof zmsg);
		if (z != ZMAP_OPEN_OK) {
			snprintf(job->err, sizeof job->err, "%s: %s", shown,
			         z == ZMAP_OPEN_FAILED ? zmsg : msg);
			job->status = INPUT_FATAL;
			return;
		}
		if (o->scanner_probe_hint && !o->scanner_probe) {
			snprintf(job->err, sizeof job->err,
			         "%s: a ZMap result file (%s) holds the answers, not the probes' options: %s",
			         shown, zmap_output_format(zo), o->scanner_probe_hint);
			zmap_output_close(zo);
			job->status = INPUT_FATAL;
			return;
		}
	}
	job->opened = true;
	job->scanner = zo != NULL;
	uint64_t frame = 0, unsupported = 0;
	int first_unsupported = -1;
	struct capture_record rec;
	int rc;
	while ((rc = cap ? capture_next(cap, &rec, msg, sizeof msg)
	                 : zmap_output_next(zo, &rec, msg, sizeof msg)) == CAPTURE_OK) {
		frame++;
		if ((frame & 0x3fff) == 0) {
			if (o->stop && *o->stop) {
				job->status = INPUT_INTERRUPTED;
				break;
			}
			uint64_t b = cap ? capture_bytes_consumed(cap) : zmap_output_bytes_consumed(zo);
			if (job->prog) {
				atomic_store_explicit(&job->prog->bytes, b, memory_order_relaxed);
				atomic_store_explicit(&job->prog->records, frame, memory_order_relaxed);
			}
			if (job->draw)
				progress_update(job->draw, job->bytes_before + b,
				                job->records_before + frame);
		}
		if (job->filter) {
			int m = bpf_filter_match(job->filter, rec.linktype, rec.data, rec.caplen, rec.wirelen,
			                         msg, sizeof msg);
			if (m < 0) {
				snprintf(job->err, sizeof job->err, "%s: %s", shown, msg);
				job->status = INPUT_FATAL;
				break;
			}
			if (m == 0) {
				job->filtered_out++;
				continue;
			}
		}
		if (info) {
			if (!info->started) {
				info->started = true;
				info->start_sec = rec.ts_sec;
			}
			if (frame == 1 || rec.ts_sec < info->first_sec)
				info->first_sec = rec.ts_sec;
			if (frame == 1 || rec.ts_sec > info->last_sec)
				info->last_sec = rec.ts_sec;
		}
		pkt->frame = frame;
		pkt->ts_sec = rec.ts_sec;
		pkt->ts_nsec = rec.ts_nsec;
		pkt->caplen = rec.caplen;
		pkt->wirelen = rec.wirelen;
		dissect_packet_memo(rec.linktype, rec.data, rec.caplen, pkt, memo);
		if (info && pkt->tcp.present && (pkt->tcp.flags & 0x12) == 0x02) { /* SYN, no ACK */
			info->syns++;
			info->syns_mpc += pkt->tcp.n_mpc > 0;
		}
		if (pkt->skip == SKIP_LINKTYPE_UNSUPPORTED) {
			unsupported++;
			if (first_unsupported < 0)
				first_unsupported = rec.linktype;
		}
		if (job->fn(job->ctx, shown, pkt, msg, sizeof msg) != 0) {
			snprintf(job->err, sizeof job->err, "%s: %s", shown, msg);
			job->status = INPUT_FATAL;
			break;
		}
	}
	job->records = frame;
	if (job->status == INPUT_OK && o->stop && *o->stop)
		job->status = INPUT_INTERRUPTED;
	else if (job->status == INPUT_OK && rc == CAPTURE_DAMAGED && zo)
		snprintf(job->warn, sizeof job->warn,
		         "%s: warning: %s: %s; the %llu rows before it were read\n", who, shown, msg,
		         (unsigned long long)zmap_output_rows(zo));
	else if (job->status == INPUT_OK && rc == CAPTURE_DAMAGED)
		snprintf(job->warn, sizeof job->warn,
		         "%s: warning: %s: %s; the %llu records before it were analysed\n", who, shown, msg,
		         (unsigned long long)frame);
	char skipped[512];
	if (zo && job->status != INPUT_FATAL && zmap_output_skipped(zo, skipped, sizeof skipped) > 0) {
		size_t used = strlen(job->warn);
		snprintf(job->warn + used, sizeof job->warn - used, "%s: warning: %s: %s\n", who, shown,
		         skipped);
	}
	if (job->status != INPUT_FATAL && frame > 0 && unsupported == frame) {
		char dl[96];
		snprintf(job->err, sizeof job->err,
		         "%s: unsupported link type %s: no packet could be dissected", shown,
		         dlt_label(first_unsupported, dl, sizeof dl));
		job->status = INPUT_FATAL;
	}
	job->bytes = cap ? capture_bytes_consumed(cap) : zmap_output_bytes_consumed(zo);
	if (info) {
		info->records = frame;
		if (cap && o->hash && job->status != INPUT_FATAL && job->status != INPUT_INTERRUPTED) {
			if (capture_sha256(cap, info->sha256, &info->size, msg, sizeof msg) == 0)
				info->hashed = true;
			else {
				snprintf(job->err, sizeof job->err, "%s: hashing: %s", shown, msg);
				job->status = INPUT_FATAL;
			}
		}
	}
	if (job->prog) {
		atomic_store_explicit(&job->prog->bytes, job->bytes, memory_order_relaxed);
		atomic_store_explicit(&job->prog->records, frame, memory_order_relaxed);
	}
	capture_close(cap);
	zmap_output_close(zo);
}

int input_run(char *const *files, int nfiles, const struct input_options *o, input_packet_fn fn, void *ctx,
              struct input_stats *st, char *err, size_t errlen)
{
	memset(st, 0, sizeof *st);
	struct bpf_filter *filter = NULL;
	char msg[512];
	if (o->filter && !(filter = bpf_filter_new(o->filter, msg, sizeof msg))) {
		snprintf(err, errlen, "bad filter expression '%s': %s", o->filter, msg);
		return INPUT_FATAL;
	}
	struct progress prog;
	progress_init(&prog, o->log, o->progress, total_size(files, nfiles));
	struct packet *pkt = calloc(1, sizeof *pkt);
	if (!pkt) {
		bpf_filter_free(filter);
		snprintf(err, errlen, "out of memory");
		return INPUT_FATAL;
	}
	struct tcp_opts_memo memo = { 0 }; /* the last option walk, across files */
	int status = INPUT_OK;
	uint64_t bytes_before = 0;
	for (int i = 0; i < nfiles && status != INPUT_FATAL && status != INPUT_INTERRUPTED; i++) {
		if (o->file_fn &&
		    o->file_fn(ctx, (uint32_t)i, files[i], file_size(files[i]), msg, sizeof msg) != 0) {
			snprintf(err, errlen, "%s", msg);
			status = INPUT_FATAL;
			break;
		}
		struct file_job job = { .file = files[i],
			                .ordinal = (uint32_t)i,
			                .o = o,
			                .filter = filter,
			                .fn = fn,
			                .ctx = ctx,
			                .draw = &prog,
			                .bytes_before = bytes_before,
			                .records_before = st->records };
		run_file(&job, pkt, &memo);
		if (!job.opened) {
			snprintf(err, errlen, "%s", job.err);
			status = INPUT_FATAL;
			break;
		}
		st->files++;
		st->scanner_files += job.scanner;
		st->records += job.records;
		st->filtered_out += job.filtered_out;
		bytes_before += job.bytes;
		if (job.warn[0]) {
			fprintf(o->log, "%s%s", prog.drawn ? "\n" : "", job.warn);
			st->warnings++;
			if (status == INPUT_OK)
				status = INPUT_WARNINGS;
		}
		if (job.status == INPUT_FATAL) {
			snprintf(err, errlen, "%s", job.err);
			status = INPUT_FATAL;
		} else if (job.status == INPUT_INTERRUPTED) {
			status = INPUT_INTERRUPTED;
		}
	}
	st->bytes = bytes_before;
	progress_end(&prog);
	free(pkt);
	bpf_filter_free(filter);
	return status;
}
