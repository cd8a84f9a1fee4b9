/* readcount.c — for `make bench`: where mpcap analyze's time goes.  Reads a
 * capture through mpcap's own reader (capture.c: the pread window for classic
 * pcap, the pcapng block reader, streaming decompression) and counts its
 * records, optionally dissecting each one (dissect.c: link, IP, TCP options,
 * MP_CAPABLE, ICMP quotes) — everything `mpcap analyze` does per packet but
 * the scan bookkeeping (scan.c: probe/response matching, exact target sets,
 * records).  Prints "PACKETS MP_CAPABLE".
 *
 *   readcount [--dissect] CAPTURE
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "analyzer/capture/capture.h"
#include "analyzer/dissect/dissect.h"
#include "analyzer/dissect/tcp.h"

int main(int argc, char **argv)
{
	int dissect = argc == 3 && strcmp(argv[1], "--dissect") == 0;
	if (argc != 2 + dissect) {
		fprintf(stderr, "usage: readcount [--dissect] CAPTURE\n");
		return 2;
	}
	const char *path = argv[1 + dissect];
	char err[512];
	struct capture *c;
	if (capture_open(path, &c, err, sizeof err) != 0) {
		fprintf(stderr, "readcount: %s: %s\n", path, err);
		return 1;
	}
	struct capture_record rec;
	struct packet pkt;
	struct tcp_opts_memo memo = { 0 };
	uint64_t n = 0, mpc = 0;
	int st;
	while ((st = capture_next(c, &rec, err, sizeof err)) == CAPTURE_OK) {
		n++;
		if (dissect) {
			dissect_packet_memo(rec.linktype, rec.data, rec.caplen, &pkt, &memo);
			mpc += pkt.skip == SKIP_NONE && pkt.ip.proto == 6 && pkt.tcp.n_mpc > 0;
		}
	}
	capture_close(c);
	if (st != CAPTURE_EOF) {
		fprintf(stderr, "readcount: %s: %s after %llu records\n", path, err, (unsigned long long)n);
		return 1;
	}
	printf("%llu %llu\n", (unsigned long long)n, (unsigned long long)mpc);
	return 0;
}
