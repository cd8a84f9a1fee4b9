/* input.c — capture files → filter → dissection → callback.  See input.h. */
#include "input.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bpf_filter.h"
#include "dissect.h"
#include "link.h"
#include "progress.h"

static int64_t total_size(char *const *files, int n)
{
	int64_t total = 0;
	for (int i = 0; i < n; i++) {
		struct stat st;
		if (strcmp(files[i], "-") == 0 || stat(files[i], &st) != 0 || !S_ISREG(st.st_mode))
			return -1;
		total += st.st_size;
	}
	return total;
}

static const char *dlt_label(int dlt, char *buf, size_t n)
{
	const char *name = pcap_datalink_val_to_name(dlt);
	snprintf(buf, n, "%s (DLT %d)", name ? name : "unknown", dlt);
	return buf;
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
	int status = INPUT_OK;
	uint64_t bytes_before = 0;
	for (int i = 0; i < nfiles && status != INPUT_FATAL && status != INPUT_INTERRUPTED; i++) {
		const char *file = files[i];
		const char *shown = strcmp(file, "-") == 0 ? "<stdin>" : file;
		struct capture *cap;
		if (capture_open(file, &cap, msg, sizeof msg) != 0) {
			snprintf(err, errlen, "%s: %s", shown, msg);
			status = INPUT_FATAL;
			break;
		}
		st->files++;
		uint64_t frame = 0, unsupported = 0;
		int first_unsupported = -1;
		struct capture_record rec;
		int rc;
		while ((rc = capture_next(cap, &rec, msg, sizeof msg)) == CAPTURE_OK) {
			frame++;
			st->records++;
			if ((frame & 0x3fff) == 0) {
				if (o->stop && *o->stop) {
					status = INPUT_INTERRUPTED;
					break;
				}
				progress_update(&prog, bytes_before + capture_bytes_consumed(cap),
				                st->records);
			}
			if (filter) {
				int m = bpf_filter_match(filter, rec.linktype, rec.data, rec.caplen,
				                         rec.wirelen, msg, sizeof msg);
				if (m < 0) {
					snprintf(err, errlen, "%s: %s", shown, msg);
					status = INPUT_FATAL;
					break;
				}
				if (m == 0) {
					st->filtered_out++;
					continue;
				}
			}
			pkt->frame = frame;
			pkt->ts_sec = rec.ts_sec;
			pkt->ts_nsec = rec.ts_nsec;
			pkt->caplen = rec.caplen;
			pkt->wirelen = rec.wirelen;
			dissect_packet(rec.linktype, rec.data, rec.caplen, pkt);
			if (pkt->skip == SKIP_LINKTYPE_UNSUPPORTED) {
				unsupported++;
				if (first_unsupported < 0)
					first_unsupported = rec.linktype;
			}
			if (fn(ctx, shown, pkt, msg, sizeof msg) != 0) {
				snprintf(err, errlen, "%s: %s", shown, msg);
				status = INPUT_FATAL;
				break;
			}
		}
		if (o->stop && *o->stop)
			status = INPUT_INTERRUPTED;
		else if (rc == CAPTURE_DAMAGED) {
			fprintf(o->log,
			        "%smpcap: warning: %s: %s; the %llu records before it were analysed\n",
			        prog.drawn ? "\n" : "", shown, msg, (unsigned long long)frame);
			st->warnings++;
			if (status == INPUT_OK)
				status = INPUT_WARNINGS;
		}
		if (status != INPUT_FATAL && frame > 0 && unsupported == frame) {
			char dl[96];
			snprintf(err, errlen, "%s: unsupported link type %s: no packet could be dissected",
			         shown, dlt_label(first_unsupported, dl, sizeof dl));
			status = INPUT_FATAL;
		}
		bytes_before += capture_bytes_consumed(cap);
		capture_close(cap);
	}
	st->bytes = bytes_before;
	progress_end(&prog);
	free(pkt);
	bpf_filter_free(filter);
	return status;
}
