/*
 * output.c — every file mpcap-gen writes (see output.h): temporary name and rename, CSV fields,
 * directories, pcap files through libpcap's dumper (classic pcap format), and the time-ordered
 * heap of packets not yet due.
 */
#include "samples/gen/output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

FILE *open_out(const char *dir, const char *name, char *tmp, size_t tmplen)
{
	snprintf(tmp, tmplen, "%s/%s.tmp", dir, name);
	FILE *f = fopen(tmp, "w");
	if (f == NULL) {
		fprintf(stderr, "mpcap-gen: %s: %s\n", tmp, strerror(errno));
		exit(1);
	}
	return f;
}

void close_out(FILE *f, const char *tmp)
{
	char fin[4200];
	snprintf(fin, sizeof(fin), "%.*s", (int)(strlen(tmp) - 4), tmp);
	if (ferror(f) || fclose(f) != 0 || rename(tmp, fin) != 0) {
		fprintf(stderr, "mpcap-gen: %s: %s\n", fin, strerror(errno));
		exit(1);
	}
}

void csv_field(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void mkdir_p(const char *path)
{
	char buf[4200];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = 0;
			mkdir(buf, 0777);
			*p = '/';
		}
	}
	if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "mpcap-gen: %s: %s\n", buf, strerror(errno));
		exit(1);
	}
}

void pcapw_open(struct pcapw *w, const char *dir, const char *name, int linktype)
{
	memset(w, 0, sizeof(*w));
	w->f = open_out(dir, name, w->tmp, sizeof(w->tmp));
	setvbuf(w->f, NULL, _IOFBF, 1 << 20);
	w->pd = pcap_open_dead(linktype, 65535);
	w->d = w->pd ? pcap_dump_fopen(w->pd, w->f) : NULL;
	if (w->d == NULL) {
		fprintf(stderr, "mpcap-gen: %s: cannot start a pcap file\n", w->tmp);
		exit(1);
	}
	w->bytes = 24;
}

void pcapw_write(struct pcapw *w, uint64_t t_us, const uint8_t *data, size_t len)
{
	struct pcap_pkthdr ph;
	if (t_us < w->last_t) { /* never happens by construction; keep the file in order anyway */
		fprintf(stderr, "mpcap-gen: internal error: packet out of order\n");
		exit(1);
	}
	w->last_t = t_us;
	memset(&ph, 0, sizeof(ph));
	ph.ts.tv_sec = (time_t)(t_us / 1000000);
	ph.ts.tv_usec = (suseconds_t)(t_us % 1000000);
	ph.caplen = ph.len = (bpf_u_int32)len;
	pcap_dump((u_char *)w->d, &ph, data);
	w->pkts++;
	w->bytes += 16 + len;
}

void pcapw_close(struct pcapw *w)
{
	if (pcap_dump_flush(w->d) != 0 || ferror(w->f)) {
		fprintf(stderr, "mpcap-gen: %s: write error\n", w->tmp);
		exit(1);
	}
	pcap_dump_close(w->d); /* closes w->f */
	pcap_close(w->pd);
	char fin[4300];
	snprintf(fin, sizeof(fin), "%.*s", (int)(strlen(w->tmp) - 4), w->tmp);
	if (rename(w->tmp, fin) != 0) {
		fprintf(stderr, "mpcap-gen: %s: %s\n", fin, strerror(errno));
		exit(1);
	}
}

static bool ev_less(const struct ev *x, const struct ev *y)
{
	return x->t < y->t || (x->t == y->t && x->seq < y->seq);
}

void heap_push(struct heap *hp, uint64_t t, const uint8_t *b, size_t len)
{
	if (hp->n == hp->cap) {
		hp->cap = hp->cap ? hp->cap * 2 : 256;
		hp->a = realloc(hp->a, hp->cap * sizeof(struct ev));
		if (hp->a == NULL) {
			fprintf(stderr, "mpcap-gen: out of memory\n");
			exit(1);
		}
	}
	size_t i = hp->n++;
	struct ev e;
	e.t = t;
	e.seq = hp->seq++;
	e.len = (uint16_t)len;
	memcpy(e.b, b, len);
	while (i > 0 && ev_less(&e, &hp->a[(i - 1) / 2])) {
		hp->a[i] = hp->a[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	hp->a[i] = e;
}

void heap_flush(struct heap *hp, uint64_t t, struct pcapw *w)
{
	while (hp->n > 0 && hp->a[0].t <= t) {
		pcapw_write(w, hp->a[0].t, hp->a[0].b, hp->a[0].len);
		struct ev last = hp->a[--hp->n];
		size_t i = 0;
		for (;;) {
			size_t l = 2 * i + 1, r = l + 1, m = i;
			const struct ev *best = &last;
			if (l < hp->n && ev_less(&hp->a[l], best))
				m = l, best = &hp->a[l];
			if (r < hp->n && ev_less(&hp->a[r], best))
				m = r;
			if (m == i)
				break;
			hp->a[i] = hp->a[m];
			i = m;
		}
		if (hp->n > 0)
			hp->a[i] = last;
	}
}
