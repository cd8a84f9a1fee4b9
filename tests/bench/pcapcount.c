/* pcapcount.c — the baseline of `make bench`: a bare libpcap loop that opens a
 * capture with pcap_open_offline() and counts its records with pcap_next_ex(),
 * touching nothing but the record headers.  Prints "PACKETS BYTES". */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: pcapcount CAPTURE\n");
		return 2;
	}
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(argv[1], err);
	if (!p) {
		fprintf(stderr, "pcapcount: %s\n", err);
		return 1;
	}
	struct pcap_pkthdr *h;
	const u_char *d;
	uint64_t n = 0, bytes = 0;
	int r;
	while ((r = pcap_next_ex(p, &h, &d)) == 1) {
		n++;
		bytes += h->caplen;
	}
	pcap_close(p);
	if (r != PCAP_ERROR_BREAK) {
		fprintf(stderr, "pcapcount: read error after %llu records\n", (unsigned long long)n);
		return 1;
	}
	printf("%llu %llu\n", (unsigned long long)n, (unsigned long long)bytes);
	return 0;
}
