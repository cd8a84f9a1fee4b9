/*
 * output.h — every file mpcap-gen writes: text files written under a temporary name and renamed
 * when complete, RFC 4180 CSV fields, directories, pcap files (libpcap's pcap_dump, the classic
 * pcap format) and a time-ordered heap of packets not yet due, so that a capture is written in
 * time order while its answers are generated out of order. Errors end the program with a line
 * naming the file.
 */
#ifndef MPCAP_SAMPLES_GEN_OUTPUT_H
#define MPCAP_SAMPLES_GEN_OUTPUT_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PKT_MAX 224 /* the largest packet mpcap-gen builds (bytes) */

/* DIR/NAME.tmp, opened for writing; its name goes to tmp. close_out renames it to DIR/NAME. */
FILE *open_out(const char *dir, const char *name, char *tmp, size_t tmplen);
void close_out(FILE *f, const char *tmp);
/* RFC 4180 field: quoted when it holds a comma, a quote or a line break. */
void csv_field(FILE *f, const char *s);
/* mkdir -p */
void mkdir_p(const char *path);

struct pcapw {
	pcap_t *pd;
	pcap_dumper_t *d;
	FILE *f;
	char tmp[4300];
	uint64_t pkts, bytes;
	uint64_t last_t;
};

void pcapw_open(struct pcapw *w, const char *dir, const char *name, int linktype);
void pcapw_write(struct pcapw *w, uint64_t t_us, const uint8_t *data, size_t len);
void pcapw_close(struct pcapw *w);

struct ev {
	uint64_t t, seq;
	uint16_t len;
	uint8_t b[PKT_MAX];
};

struct heap {
	struct ev *a;
	size_t n, cap;
	uint64_t seq;
};

void heap_push(struct heap *hp, uint64_t t, const uint8_t *b, size_t len);
/* Writes every packet due at or before t (all of them when t is UINT64_MAX). */
void heap_flush(struct heap *hp, uint64_t t, struct pcapw *w);

#endif
