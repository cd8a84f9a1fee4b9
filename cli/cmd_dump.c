/* cmd_dump.c — `mpcap dump`: one CSV row per MP_CAPABLE option (RFC 6824,
 * RFC 8684) in any packet, including packets quoted in ICMP errors. */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "analyzer/base/csv_io.h"
#include "analyzer/dissect/mpcapable.h"
#include "analyzer/ingest/input.h"
#include "analyzer/results/atomic_file.h"
#include "analyzer/results/columns.h"
#include "analyzer/scan/target.h"
#include "cli/cli.h"

void help_dump(FILE *out)
{
	fputs("usage: mpcap dump [-o FILE] [-f EXPR] [--progress|--no-progress] CAPTURE...\n"
	      "\n"
	      "The forensic view: one CSV row for every MP_CAPABLE option (TCP option 30,\n"
	      "subtype 0) in any packet of the captures, including packets quoted inside ICMP\n"
	      "and ICMPv6 errors (in_icmp_quote=1).  Keys are 16 lowercase hex digits.\n"
	      "Columns: frame,time,src,dst,sport,dport,tcp_flags,in_icmp_quote,mpc_length,\n"
	      "mpc_version,mpc_flags,sender_key,receiver_key,anomaly,file (see docs/columns.md).\n"
	      "\n"
	      "CAPTURE is pcap or pcapng, optionally gzip/xz/zstd/bzip2-compressed\n"
	      "(recognised by content, not name); '-' reads standard input.\n"
	      "\n"
	      "  -o, --output FILE   write to FILE atomically instead of standard output\n"
	      "  -f, --filter EXPR   only packets matching the BPF expression (pcap-filter(7))\n"
	      "      --progress      force the progress line on stderr (default: only on a terminal)\n"
	      "      --no-progress   never draw it\n"
	      "      --max-memory SIZE  what a compressed capture's decoder may allocate\n"
	      "                      (xz dictionary, zstd window; default 256M)\n"
	      "  -h, --help          this text\n"
	      "\n"
	      "Exit status: 0 ok, 1 error (nothing usable written), 2 usage,\n"
	      "3 complete with warnings (a damaged capture was read up to the damage).\n",
	      out);
}

struct dump_ctx {
	FILE *out;
};

static void addr_text(uint8_t family, const uint8_t *a, char *buf, size_t n)
{
	target_addr_format(family, a, buf, n);
}

static int write_mpc_rows(struct dump_ctx *d, const char *file, const struct packet *pkt,
                          const struct ip_info *ip, const struct tcp_info *tcp, bool quoted)
{
	char frame[24], tm[40], src[64], dst[64], sport[8], dport[8], flags[8], len[8], ver[8], mflags[8],
	    skey[17], rkey[17], anom[96];
	snprintf(frame, sizeof frame, "%llu", (unsigned long long)pkt->frame);
	format_time(pkt->ts_sec, pkt->ts_nsec, tm, sizeof tm);
	addr_text(ip->family, ip->src, src, sizeof src);
	addr_text(ip->family, ip->dst, dst, sizeof dst);
	snprintf(sport, sizeof sport, "%u", tcp->sport);
	snprintf(dport, sizeof dport, "%u", tcp->dport);
	if (tcp->full_header)
		snprintf(flags, sizeof flags, "0x%02x", tcp->flags);
	else
		flags[0] = '\0';
	for (unsigned i = 0; i < tcp->n_mpc; i++) {
		const struct mpc_option *m = &tcp->mpc[i];
		snprintf(len, sizeof len, "%u", m->length);
		snprintf(ver, sizeof ver, "%u", m->version);
		if (m->has_flags)
			snprintf(mflags, sizeof mflags, "0x%02x", m->flags);
		else
			mflags[0] = '\0';
		if (m->has_sender_key)
			format_key(m->sender_key, skey);
		else
			skey[0] = '\0';
		if (m->has_receiver_key)
			format_key(m->receiver_key, rkey);
		else
			rkey[0] = '\0';
		format_mpc_anomalies(m->anomalies, anom, sizeof anom);
		const char *f[DUMP_NCOLS] = {
			[DUMP_FRAME] = frame,       [DUMP_TIME] = tm,
			[DUMP_SRC] = src,           [DUMP_DST] = dst,
			[DUMP_SPORT] = sport,       [DUMP_DPORT] = dport,
			[DUMP_TCP_FLAGS] = flags,   [DUMP_IN_ICMP_QUOTE] = quoted ? "1" : "0",
			[DUMP_MPC_LENGTH] = len,    [DUMP_MPC_VERSION] = ver,
			[DUMP_MPC_FLAGS] = mflags,  [DUMP_SENDER_KEY] = skey,
			[DUMP_RECEIVER_KEY] = rkey, [DUMP_ANOMALY] = anom,
			[DUMP_FILE] = file,
		};
		if (csv_write_row(d->out, f, DUMP_NCOLS) != 0)
			return -1;
	}
	return 0;
}

static int on_packet(void *ctx, const char *file, const struct packet *pkt, char *err, size_t errlen)
{
	struct dump_ctx *d = ctx;
	int rc = 0;
	if (pkt->skip != SKIP_NONE)
		return 0;
	if (pkt->tcp.present && pkt->tcp.n_mpc)
		rc = write_mpc_rows(d, file, pkt, &pkt->ip, &pkt->tcp, false);
	else if (pkt->icmp.present && pkt->icmp.has_quote && pkt->icmp.quoted_tcp.present &&
	         pkt->icmp.quoted_tcp.n_mpc)
		rc = write_mpc_rows(d, file, pkt, &pkt->icmp.quoted_ip, &pkt->icmp.quoted_tcp, true);
	if (rc != 0)
		snprintf(err, errlen, "write error: %s", strerror(errno));
	return rc;
}

int cmd_dump(int argc, char **argv, const struct cli_env *env)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "filter", required_argument, NULL, 'f' },
		{ "progress", no_argument, NULL, 'P' },
		{ "no-progress", no_argument, NULL, 'N' },
		{ "max-memory", required_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *output = NULL, *filter = NULL;
	int progress = -1, c;
	uint64_t max_memory = 0; /* the decompressor's default */
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = strcmp(optarg, "-") == 0 ? NULL : optarg; /* '-': standard output */
			break;
		case 'f':
			filter = optarg;
			break;
		case 'P':
			progress = 1;
			break;
		case 'N':
			progress = 0;
			break;
		case 'X':
			if (!cli_max_memory("dump", optarg, &max_memory))
				return EXIT_USAGE;
			break;
		case 'h':
			help_dump(stdout);
			return EXIT_OK;
		default:
			return cli_bad_option("dump", argv, optind, longopts);
		}
	}
	if (optind >= argc)
		return cli_no_capture("dump");
	char err[1024];
	struct atomic_file af = { 0 };
	struct dump_ctx d = { stdout };
	if (output) {
		if (atomic_file_open(&af, output, err, sizeof err) != 0) {
			fprintf(stderr, "mpcap dump: %s\n", err);
			return EXIT_ERROR;
		}
		d.out = af.fp;
	}
	if (column_set_write_header(d.out, COLSET_DUMP) != 0) {
		fprintf(stderr, "mpcap dump: %s: write error: %s\n", output ? output : "<stdout>",
		        strerror(errno));
		atomic_file_abort(&af);
		return EXIT_ERROR;
	}
	struct input_options io = { filter, progress < 0 ? env->stderr_tty : progress == 1, env->stop,
		                    stderr };
	io.max_memory = max_memory;
	io.who = "mpcap dump";
	struct input_stats st;
	int s = input_run(argv + optind, argc - optind, &io, on_packet, &d, &st, err, sizeof err);
	if (s == INPUT_FATAL || s == INPUT_INTERRUPTED) {
		if (s == INPUT_FATAL)
			fprintf(stderr, "mpcap dump: %s\n", err);
		else
			fprintf(stderr, "mpcap dump: interrupted%s\n", output ? "; nothing written" : "");
		atomic_file_abort(&af);
		return s == INPUT_FATAL ? EXIT_ERROR : EXIT_INTERRUPTED;
	}
	if (output) {
		if (atomic_file_commit(&af, err, sizeof err) != 0) {
			fprintf(stderr, "mpcap dump: %s\n", err);
			return EXIT_ERROR;
		}
	} else if (fflush(stdout) != 0) {
		fprintf(stderr, "mpcap dump: <stdout>: write error: %s\n", strerror(errno));
		return EXIT_ERROR;
	}
	return s == INPUT_WARNINGS ? EXIT_WARNINGS : EXIT_OK;
}
