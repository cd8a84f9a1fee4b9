/* cmd_trace.c — `mpcap trace`: the tracebox view.  Ties TTL-limited probes to
 * the ICMP time exceeded / destination unreachable quotes of the routers
 * (RFC 792, RFC 1812, RFC 4884, RFC 4443) and to the destination's answers,
 * compares the MP_CAPABLE option hop by hop (RFC 6824, RFC 8684) through
 * trace.h, and writes hops.csv, destinations.csv and, with --targets,
 * classification.csv (the scan's targets.csv read by targets_csv.h) through
 * outdir.h. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyzer/base/csv_io.h"
#include "analyzer/ingest/input.h"
#include "analyzer/results/columns.h"
#include "analyzer/results/outdir.h"
#include "analyzer/results/targets_csv.h"
#include "analyzer/scan/trace.h"
#include "analyzer/results/manifest.h"
#include "analyzer/results/results_dir.h"
#include "cli/cli.h"

void help_trace(FILE *out)
{
	fputs("usage: mpcap trace [-o DIR] [-f EXPR] [--targets SCANDIR/targets.csv] CAPTURE...\n"
	      "\n"
	      "The tracebox view.  A probe is a TCP SYN (no ACK), normally sent with TTL or\n"
	      "hop limit 1, 2, 3...; each router where it expires answers with an ICMP or\n"
	      "ICMPv6 time exceeded that quotes the probe as it arrived there.  Each quote\n"
	      "is tied to its probe (quoted addresses, ports and sequence number; when a NAT\n"
	      "rewrote the source, destination, port and sequence only) and compared with\n"
	      "what was sent: the MP_CAPABLE option (present, removed, replaced by NOPs, key,\n"
	      "flags, version or length changed), the other TCP options, sequence number,\n"
	      "window and the IP fields; TTL and checksum are reported apart.  A quote of 8\n"
	      "TCP bytes (RFC 792) says nothing about options.  The destination's own\n"
	      "SYN-ACK or RST is judged like in 'mpcap analyze' (own key, replay, modified).\n"
	      "\n"
	      "Writes, atomically (temporary names renamed at the end):\n"
	      "  DIR/hops.csv            one row per ICMP quote tied to a probe: hop, router,\n"
	      "                          quote kind, MP_CAPABLE status, changes\n"
	      "  DIR/destinations.csv    one row per probed destination and port: hops\n"
	      "                          answered, first hop that changed MP_CAPABLE, the\n"
	      "                          destination's answer and the class: true-mptcp,\n"
	      "                          middlebox, no-mptcp, unverified or unreachable\n"
	      "  DIR/classification.csv  with --targets: every MP_CAPABLE responder of that\n"
	      "                          scan with its class, 'untraced' when not traced\n"
	      "\n"
	      "  -o, --output DIR     output directory (default: mpcap-trace; created if missing)\n"
	      "  -f, --filter EXPR    only packets matching the BPF expression (pcap-filter(7))\n"
	      "      --targets FILE   targets.csv written by 'mpcap analyze' (columns found by\n"
	      "                       name: address, port, family, verdict, key, mpc_version)\n"
	      "      --progress       force the progress line on stderr (default: only on a terminal)\n"
	      "      --no-progress    never draw it\n"
	      "      --max-memory SIZE  what a compressed capture's decoder may allocate\n"
	      "                       (xz dictionary, zstd window; default 256M)\n"
	      "  -q, --quiet          no closing summary on stderr\n"
	      "  -h, --help           this text\n"
	      "\n"
	      "CAPTURE is pcap or pcapng (tracebox's raw-IP files included), optionally\n"
	      "gzip/xz/zstd/bzip2-compressed; '-' is stdin.  Example:\n"
	      "  mpcap trace -o tb --targets scan/targets.csv tracebox-*.pcap\n"
	      "\n"
	      "Exit status: 0 ok, 1 error (no output written), 2 usage,\n"
	      "3 complete with warnings (a damaged capture was read up to the damage).\n",
	      out);
}

struct trace_ctx {
	struct trace *trace;
};

static int on_packet(void *ctx, const char *file, const struct packet *pkt, char *err, size_t errlen)
{
	struct trace_ctx *c = ctx;
	return trace_add(c->trace, file, pkt, err, errlen);
}

static void addr_text(uint8_t family, const uint8_t *addr, char *buf, size_t n)
{
	target_addr_format(family, addr, buf, n);
}

static const char *ttl_note(const struct trace_hop *h)
{
	if (h->icmp_kind == ICMP_KIND_TIME_EXCEEDED) {
		if (h->quoted_ttl == 1)
			return "expired";
		if (h->quoted_ttl == 0)
			return "expired-decremented";
		return "unexpected";
	}
	if (h->quoted_ttl >= 1 && h->quoted_ttl <= h->sent_ttl)
		return "hop-estimated";
	return "hop-unknown";
}

/* Changes a TCP checksum covers (pseudo-header addresses, ports, sequence,
 * header fields and options). */
#define TCP_COVERED                                                                                          \
	(~((1u << TCH_DSCP) | (1u << TCH_ECN) | (1u << TCH_IP_ID) | (1u << TCH_DF) | (1u << TCH_FLOW_LABEL)))

static const char *checksum_note(const struct trace_hop *h)
{
	if (!h->checksum_compared)
		return "";
	if (!h->checksum_changed)
		return "same";
	return (h->changes & TCP_COVERED) ? "changed" : "changed-alone";
}

/* RFC 3339 in UTC with the capture's nanoseconds: "2020-12-01T08:15:02.123456789Z". */
static void format_utc(int64_t sec, uint32_t nsec, char *buf, size_t n)
{
	time_t tt = (time_t)sec;
	struct tm tm;
	char day[32];
	if (!gmtime_r(&tt, &tm) || strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		buf[0] = '\0';
		return;
	}
	snprintf(buf, n, "%s.%09uZ", day, nsec);
}

static int write_hops(FILE *fp, const struct trace *t)
{
	if (column_set_write_header(fp, COLSET_TRACE_HOPS) != 0)
		return -1;
	for (size_t i = 0; i < trace_hop_count(t); i++) {
		const struct trace_hop *h = trace_hop_at(t, i);
		const struct trace_probe *p = trace_probe_at(t, h->probe);
		char pframe[24], dst[64], port[8], fam[4], hop[8], router[64], code[8], tbytes[8], r4884[8],
		    ext[4], hdr[4], changes[512], sttl[8], qttl[8], psrc[64], psport[8], pseq[16], frame[24],
		    when[40], utc[48];
		snprintf(pframe, sizeof pframe, "%llu", (unsigned long long)p->frame);
		addr_text(p->family, p->dst, dst, sizeof dst);
		snprintf(port, sizeof port, "%u", p->dport);
		snprintf(fam, sizeof fam, "%u", p->family);
		snprintf(hop, sizeof hop, "%u", h->hop);
		addr_text(h->family, h->router, router, sizeof router);
		snprintf(code, sizeof code, "%u", h->icmp_code);
		snprintf(tbytes, sizeof tbytes, "%u", h->tcp_bytes);
		snprintf(r4884, sizeof r4884, "%u", h->rfc4884_len);
		snprintf(ext, sizeof ext, "%d", h->extensions ? 1 : 0);
		snprintf(hdr, sizeof hdr, "%d", h->header_complete ? 1 : 0);
		trace_changes_format(h->changes, h, changes, sizeof changes);
		snprintf(sttl, sizeof sttl, "%u", h->sent_ttl);
		snprintf(qttl, sizeof qttl, "%u", h->quoted_ttl);
		addr_text(p->family, p->src, psrc, sizeof psrc);
		snprintf(psport, sizeof psport, "%u", p->sport);
		snprintf(pseq, sizeof pseq, "%u", p->seq);
		snprintf(frame, sizeof frame, "%llu", (unsigned long long)h->frame);
		format_time(h->ts_sec, h->ts_nsec, when, sizeof when);
		format_utc(h->ts_sec, h->ts_nsec, utc, sizeof utc);
		const char *f[] = { pframe,
			            trace_file_name(t, p->file),
			            dst,
			            port,
			            fam,
			            hop,
			            router,
			            trace_icmp_name(h->icmp_kind),
			            code,
			            trace_quote_kind_name(h->quote_kind),
			            tbytes,
			            r4884,
			            ext,
			            hdr,
			            trace_match_name(h->match),
			            trace_mpc_status_name(h->mpc),
			            changes,
			            sttl,
			            qttl,
			            ttl_note(h),
			            checksum_note(h),
			            psrc,
			            psport,
			            pseq,
			            frame,
			            trace_file_name(t, h->file),
			            when,
			            utc };
		if (csv_write_row(fp, f, sizeof f / sizeof f[0]) != 0)
			return -1;
	}
	return 0;
}

static int write_dests(FILE *fp, const struct trace *t)
{
	if (column_set_write_header(fp, COLSET_TRACE_DESTS) != 0)
		return -1;
	for (size_t i = 0; i < trace_dest_count(t); i++) {
		const struct trace_dest *d = trace_dest_at(t, i);
		uint8_t fam_v = d->key.family;
		char dst[64], port[8], fam[4], probes[16], maxttl[8], hops[8], full[8], last[8],
		    lastr[64] = "", chop[8] = "", chr[64] = "", ihop[8] = "", ir[64] = "", other[512], nat[4],
		    unr[64] = "", akey[17] = "", pkey[17] = "", same[4] = "", reason[256];
		addr_text(fam_v, d->key.addr, dst, sizeof dst);
		snprintf(port, sizeof port, "%u", d->key.port);
		snprintf(fam, sizeof fam, "%u", fam_v);
		snprintf(probes, sizeof probes, "%u", d->probes);
		snprintf(maxttl, sizeof maxttl, "%u", d->max_probe_ttl);
		snprintf(hops, sizeof hops, "%u", d->hops_answered);
		snprintf(full, sizeof full, "%u", d->hops_full);
		snprintf(last, sizeof last, "%u", d->last_hop);
		const char *lastmpc = "";
		if (d->last_hop) {
			addr_text(fam_v, d->last_router, lastr, sizeof lastr);
			lastmpc = trace_mpc_status_name(d->last_mpc);
		}
		const char *change = "";
		if (d->changed_hop) {
			snprintf(chop, sizeof chop, "%u", d->changed_hop);
			addr_text(fam_v, d->changed_router, chr, sizeof chr);
			change = trace_mpc_status_name(d->change);
		}
		if (d->intact_hop) {
			snprintf(ihop, sizeof ihop, "%u", d->intact_hop);
			addr_text(fam_v, d->intact_router, ir, sizeof ir);
		}
		trace_changes_format(d->other_changes, NULL, other, sizeof other);
		snprintf(nat, sizeof nat, "%d", d->nat ? 1 : 0);
		if (d->unreachable)
			addr_text(fam_v, d->unreachable_router, unr, sizeof unr);
		if (d->answer_has_key)
			format_key(d->answer_key, akey);
		if (d->probe_has_key)
			format_key(d->probe_key, pkey);
		if (d->answer_has_key && d->probe_has_key)
			snprintf(same, sizeof same, "%d", d->answer_key == d->probe_key ? 1 : 0);
		trace_class_reason(d, reason, sizeof reason);
		const char *f[TDEST_NCOLS] = {
			[TDEST_DESTINATION] = dst,
			[TDEST_PORT] = port,
			[TDEST_FAMILY] = fam,
			[TDEST_PROBES] = probes,
			[TDEST_MAX_PROBE_TTL] = maxttl,
			[TDEST_HOPS_ANSWERED] = hops,
			[TDEST_HOPS_FULL] = full,
			[TDEST_LAST_HOP] = last,
			[TDEST_LAST_ROUTER] = lastr,
			[TDEST_LAST_MPC_STATUS] = lastmpc,
			[TDEST_MPC_CHANGED_HOP] = chop,
			[TDEST_MPC_CHANGED_ROUTER] = chr,
			[TDEST_MPC_CHANGE] = change,
			[TDEST_MPC_INTACT_HOP] = ihop,
			[TDEST_MPC_INTACT_ROUTER] = ir,
			[TDEST_OTHER_CHANGES] = other,
			[TDEST_NAT] = nat,
			[TDEST_ICMP_UNREACHABLE_FROM] = unr,
			[TDEST_ANSWER] = trace_answer_name(d->answer),
			[TDEST_ANSWER_VERDICT] =
			    d->answer == TANS_NONE ? "" : verdict_name(d->answer_verdict),
			[TDEST_ANSWER_KEY] = akey,
			[TDEST_PROBE_KEY] = pkey,
			[TDEST_KEY_IS_PROBE_KEY] = same,
			[TDEST_CLASS] = trace_class_name(d->cls),
			[TDEST_REASON] = reason,
		};
		if (csv_write_row(fp, f, sizeof f / sizeof f[0]) != 0)
			return -1;
	}
	return 0;
}

/* ---- --targets: the scan's MP_CAPABLE responders ---- */

struct responder {
	uint8_t family;
	uint8_t addr[16];
	uint16_t port;
	size_t row; /* first row */
	uint8_t nverdicts;
	uint8_t verdicts[VERDICT_COUNT]; /* enum verdict, in the order the rows give them */
	bool has_key;
	uint64_t key;
	const char *scan;
};

struct targets {
	struct responder *r;
	size_t n, cap;
	char **labels; /* the scan labels met, one per run of rows (usually one) */
	size_t nlabels, caplabels;
};

static int cmp_responder(const void *a, const void *b)
{
	const struct responder *x = a, *y = b;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	int c = memcmp(x->addr, y->addr, 16);
	if (c)
		return c < 0 ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return x->row < y->row ? -1 : x->row > y->row;
}

static void verdict_add(struct responder *r, enum verdict v)
{
	for (uint8_t i = 0; i < r->nverdicts; i++)
		if (r->verdicts[i] == v)
			return;
	if (r->nverdicts < VERDICT_COUNT)
		r->verdicts[r->nverdicts++] = (uint8_t)v;
}

/* The responder's verdicts as targets.csv names them, ';'-separated. */
static void verdicts_text(const struct responder *r, char *buf, size_t n)
{
	size_t l = 0;
	buf[0] = '\0';
	for (uint8_t i = 0; i < r->nverdicts && l < n; i++)
		l += (size_t)snprintf(buf + l, n - l, "%s%s", i ? ";" : "", verdict_name(r->verdicts[i]));
}

/* The label's stored copy: rows in a run of one label share one. */
static const char *label_of(struct targets *tg, const char *scan)
{
	if (tg->nlabels && strcmp(tg->labels[tg->nlabels - 1], scan) == 0)
		return tg->labels[tg->nlabels - 1];
	if (tg->nlabels == tg->caplabels) {
		size_t nc = tg->caplabels ? tg->caplabels * 2 : 4;
		char **nl = realloc(tg->labels, nc * sizeof *nl);
		if (!nl)
			return NULL;
		tg->labels = nl;
		tg->caplabels = nc;
	}
	if (!(tg->labels[tg->nlabels] = strdup(scan)))
		return NULL;
	return tg->labels[tg->nlabels++];
}

static int read_targets(const char *path, struct targets *tg, char *err, size_t errlen)
{
	memset(tg, 0, sizeof *tg);
	struct targets_reader *tr = targets_open(
	    path, TARGETS_COL(TARGETS_ADDRESS) | TARGETS_COL(TARGETS_PORT) | TARGETS_COL(TARGETS_VERDICT),
	    TARGETS_COL(TARGETS_FAMILY) | TARGETS_COL(TARGETS_KEY) | TARGETS_COL(TARGETS_MPC_VERSION) |
	        TARGETS_COL(TARGETS_SCAN),
	    err, errlen);
	if (!tr)
		return -1;
	bool by_mpc_version = targets_has(tr, TARGETS_MPC_VERSION);
	struct targets_row row;
	int rc;
	while ((rc = targets_next(tr, &row, err, errlen)) == 1) {
		bool mpc = by_mpc_version ? row.has_mpc : verdict_is_mpc_answer(row.verdict) || row.has_key;
		if (!mpc)
			continue;
		if (tg->n == tg->cap) {
			size_t nc = tg->cap ? tg->cap * 2 : 256;
			struct responder *nr = realloc(tg->r, nc * sizeof *nr);
			if (!nr)
				goto oom;
			tg->r = nr;
			tg->cap = nc;
		}
		struct responder *r = &tg->r[tg->n];
		memset(r, 0, sizeof *r);
		r->family = row.family;
		memcpy(r->addr, row.addr, 16);
		r->port = row.port;
		r->row = tg->n;
		verdict_add(r, row.verdict);
		r->has_key = row.has_key;
		r->key = row.key;
		if (!(r->scan = label_of(tg, row.scan)))
			goto oom;
		tg->n++;
	}
	targets_close(tr);
	if (rc != 0)
		return -1;
	/* one entry per (address, port): a target may have a row per probe version */
	if (tg->n > 1)
		qsort(tg->r, tg->n, sizeof *tg->r, cmp_responder);
	size_t w = 0;
	for (size_t i = 0; i < tg->n; i++) {
		struct responder *r = &tg->r[i];
		if (w > 0) {
			struct responder *prev = &tg->r[w - 1];
			if (prev->family == r->family && prev->port == r->port &&
			    memcmp(prev->addr, r->addr, 16) == 0) {
				for (uint8_t k = 0; k < r->nverdicts; k++)
					verdict_add(prev, r->verdicts[k]);
				if (!prev->has_key) {
					prev->has_key = r->has_key;
					prev->key = r->key;
				}
				continue;
			}
		}
		tg->r[w++] = *r;
	}
	tg->n = w;
	return 0;
oom:
	targets_close(tr);
	snprintf(err, errlen, "out of memory");
	return -1;
}

static void free_targets(struct targets *tg)
{
	for (size_t i = 0; i < tg->nlabels; i++)
		free(tg->labels[i]);
	free(tg->labels);
	free(tg->r);
}

static bool has_middlebox_verdict(const struct responder *r)
{
	for (uint8_t i = 0; i < r->nverdicts; i++)
		if (verdict_is_middlebox(r->verdicts[i]))
			return true;
	return false;
}

static int write_classification(FILE *fp, const struct trace *t, const struct targets *tg, uint64_t counts[])
{
	if (column_set_write_header(fp, COLSET_TRACE_CLASSES) != 0)
		return -1;
	for (size_t i = 0; i < tg->n; i++) {
		const struct responder *r = &tg->r[i];
		const struct trace_dest *d = trace_dest_find(t, r->family, r->addr, r->port);
		enum trace_class cls = trace_final_class(d, has_middlebox_verdict(r));
		counts[cls]++;
		char addr[64], port[8], fam[4], reason[300] = "", verdicts[128], key[17] = "";
		verdicts_text(r, verdicts, sizeof verdicts);
		if (r->has_key)
			format_key(r->key, key);
		addr_text(r->family, r->addr, addr, sizeof addr);
		snprintf(port, sizeof port, "%u", r->port);
		snprintf(fam, sizeof fam, "%u", r->family);
		if (d) {
			trace_class_reason(d, reason, sizeof reason);
			if (cls != d->cls)
				snprintf(reason, sizeof reason, "the scan saw %s; trace: %s", verdicts,
				         trace_class_name(d->cls));
		} else {
			snprintf(reason, sizeof reason,
			         "no probe to this address and port in the trace captures");
		}
		const char *f[TCLS_NCOLS] = {
			[TCLS_SCAN] = r->scan,
			[TCLS_ADDRESS] = addr,
			[TCLS_PORT] = port,
			[TCLS_FAMILY] = fam,
			[TCLS_SCAN_VERDICT] = verdicts,
			[TCLS_KEY] = key,
			[TCLS_TRACED] = d ? "1" : "0",
			[TCLS_TRACE_CLASS] = d ? trace_class_name(d->cls) : "",
			[TCLS_CLASS] = trace_class_name(cls),
			[TCLS_REASON] = reason,
		};
		if (csv_write_row(fp, f, sizeof f / sizeof f[0]) != 0)
			return -1;
	}
	return 0;
}

static int write_outputs(const char *dir, const struct trace *t, const struct targets *tg, uint64_t counts[],
                         struct manifest *m, char *err, size_t errlen)
{
	struct outdir o;
	int rc = -1;
	if (outdir_open(&o, dir, err, errlen) != 0)
		goto out;
	o.manifest = m;
	FILE *hops = outdir_add(&o, "hops.csv", err, errlen);
	FILE *dests = hops ? outdir_add(&o, "destinations.csv", err, errlen) : NULL;
	FILE *classes = dests && tg ? outdir_add(&o, "classification.csv", err, errlen) : NULL;
	if (!dests || (tg && !classes))
		goto out;
	if (write_hops(hops, t) != 0) {
		outdir_write_failed(&o, hops, err, errlen);
		goto out;
	}
	if (write_dests(dests, t) != 0) {
		outdir_write_failed(&o, dests, err, errlen);
		goto out;
	}
	if (tg && write_classification(classes, t, tg, counts) != 0) {
		outdir_write_failed(&o, classes, err, errlen);
		goto out;
	}
	rc = outdir_commit(&o, err, errlen);
out:
	outdir_close(&o);
	return rc;
}

/* The one closing summary on stderr.  With --targets it is the scan's
 * MP_CAPABLE responders, every one in exactly one class (the classes add up
 * to the responders), and the traced destinations that are not responders
 * apart; without, the traced destinations by class.  Class names as in
 * docs/methodology.md: true MPTCP, middlebox-affected, no MPTCP, unverified,
 * unreachable, untraced. */
static void print_summary(const struct trace *t, const struct input_stats *st, const char *dir,
                          const struct targets *tg, const char *targets_path, const uint64_t counts[])
{
	const struct trace_stats *ts = trace_get_stats(t);
	size_t nd = trace_dest_count(t);
	fprintf(stderr, "mpcap trace: %llu packets, %llu probes, %llu of %llu ICMP quotes tied to a probe; ",
	        (unsigned long long)st->records, (unsigned long long)ts->probes,
	        (unsigned long long)ts->icmp_matched, (unsigned long long)ts->icmp_errors);
	if (tg) {
		size_t traced = tg->n - (size_t)counts[TCLASS_UNTRACED];
		fprintf(
		    stderr,
		    "%zu MP_CAPABLE responders of %s = %llu true MPTCP + %llu middlebox-affected + %llu no "
		    "MPTCP + %llu unverified + %llu unreachable + %llu untraced; %zu other traced "
		    "destinations (not responders) -> %s/classification.csv, %s/destinations.csv, "
		    "%s/hops.csv\n",
		    tg->n, targets_path, (unsigned long long)counts[TCLASS_TRUE_MPTCP],
		    (unsigned long long)counts[TCLASS_MIDDLEBOX], (unsigned long long)counts[TCLASS_NO_MPTCP],
		    (unsigned long long)counts[TCLASS_UNVERIFIED],
		    (unsigned long long)counts[TCLASS_UNREACHABLE],
		    (unsigned long long)counts[TCLASS_UNTRACED], nd > traced ? nd - traced : 0, dir, dir,
		    dir);
	} else {
		uint64_t dc[TCLASS_COUNT] = { 0 };
		for (size_t i = 0; i < nd; i++)
			dc[trace_dest_at(t, i)->cls]++;
		fprintf(
		    stderr,
		    "%zu traced destinations = %llu true MPTCP + %llu middlebox-affected + %llu no MPTCP + "
		    "%llu unverified + %llu unreachable -> %s/destinations.csv, %s/hops.csv\n",
		    nd, (unsigned long long)dc[TCLASS_TRUE_MPTCP], (unsigned long long)dc[TCLASS_MIDDLEBOX],
		    (unsigned long long)dc[TCLASS_NO_MPTCP], (unsigned long long)dc[TCLASS_UNVERIFIED],
		    (unsigned long long)dc[TCLASS_UNREACHABLE], dir, dir);
	}
	if (ts->pending_dropped)
		fprintf(stderr,
		        "mpcap trace: %llu replies came before any probe they could answer and were not "
		        "kept; give "
		        "the probes' capture first\n",
		        (unsigned long long)ts->pending_dropped);
}

int cmd_trace(int argc, char **argv, const struct cli_env *env)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "filter", required_argument, NULL, 'f' },
		{ "targets", required_argument, NULL, 'T' },
		{ "progress", no_argument, NULL, 'P' },
		{ "no-progress", no_argument, NULL, 'N' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "max-memory", required_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = "mpcap-trace", *filter = NULL, *targets_path = NULL;
	int progress = -1, c;
	bool quiet = false;
	uint64_t max_memory = 0; /* the decompressor's default */
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:f:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			dir = optarg;
			break;
		case 'f':
			filter = optarg;
			break;
		case 'T':
			targets_path = optarg;
			break;
		case 'P':
			progress = 1;
			break;
		case 'N':
			progress = 0;
			break;
		case 'q':
			quiet = true;
			break;
		case 'X':
			if (!cli_max_memory("trace", optarg, &max_memory))
				return EXIT_USAGE;
			break;
		case 'h':
			help_trace(stdout);
			return EXIT_OK;
		default:
			return cli_bad_option("trace", argv, optind, longopts);
		}
	}
	if (optind >= argc)
		return cli_no_capture("trace");
	char err[1024];
	struct targets tg;
	bool have_targets = false;
	if (targets_path) {
		memset(&tg, 0, sizeof tg);
		if (results_dir_check(targets_path, err, sizeof err) != 0 ||
		    read_targets(targets_path, &tg, err, sizeof err) != 0) {
			fprintf(stderr, "mpcap trace: %s\n", err);
			free_targets(&tg);
			return EXIT_ERROR;
		}
		have_targets = true;
	}
	struct trace_ctx tc;
	tc.trace = trace_new(err, sizeof err);
	if (!tc.trace) {
		fprintf(stderr, "mpcap trace: %s\n", err);
		if (have_targets)
			free_targets(&tg);
		return EXIT_ERROR;
	}
	struct input_file_info *info = calloc((size_t)(argc - optind), sizeof *info);
	if (!info) {
		fprintf(stderr, "mpcap trace: out of memory\n");
		if (have_targets)
			free_targets(&tg);
		trace_free(tc.trace);
		return EXIT_ERROR;
	}
	struct input_options io = { filter, progress < 0 ? env->stderr_tty : progress == 1, env->stop,
		                    stderr };
	io.max_memory = max_memory;
	io.who = "mpcap trace";
	io.info = info;
	io.hash = true;
	struct input_stats st;
	uint64_t counts[TCLASS_COUNT] = { 0 };
	int s = input_run(argv + optind, argc - optind, &io, on_packet, &tc, &st, err, sizeof err);
	int rc = EXIT_OK;
	if (s == INPUT_FATAL) {
		fprintf(stderr, "mpcap trace: %s\n", err);
		rc = EXIT_ERROR;
	} else if (s == INPUT_INTERRUPTED || (env->stop && *env->stop)) {
		fprintf(stderr, "mpcap trace: interrupted; no output written\n");
		rc = EXIT_INTERRUPTED;
	} else if (trace_finish(tc.trace, err, sizeof err) != 0) {
		fprintf(stderr, "mpcap trace: %s\n", err);
		rc = EXIT_ERROR;
	} else if (manifest_add_captures(env->manifest, argv + optind, argc - optind, info, true, err,
	                                 sizeof err) != 0 ||
	           (targets_path &&
	            manifest_add_input_file(env->manifest, targets_path, "results", err, sizeof err) != 0) ||
	           write_outputs(dir, tc.trace, have_targets ? &tg : NULL, counts, env->manifest, err,
	                         sizeof err) != 0) {
		fprintf(stderr, "mpcap trace: %s\n", err);
		rc = EXIT_ERROR;
	} else {
		if (!quiet)
			print_summary(tc.trace, &st, dir, have_targets ? &tg : NULL, targets_path, counts);
		rc = s == INPUT_WARNINGS ? EXIT_WARNINGS : EXIT_OK;
	}
	trace_free(tc.trace);
	free(info);
	if (have_targets)
		free_targets(&tg);
	return rc;
}
