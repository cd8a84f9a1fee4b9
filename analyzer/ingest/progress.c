/* progress.c — terminal progress line (bytes, packets/s, ETA).  See progress.h. */
#include "analyzer/ingest/progress.h"

static double elapsed(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void progress_init(struct progress *p, FILE *out, bool enabled, int64_t total_bytes)
{
	p->out = out;
	p->enabled = enabled;
	p->drawn = false;
	p->total_bytes = total_bytes;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->last = p->start;
}

static void human_bytes(double b, char *buf, size_t n)
{
	const char *u[] = { "B", "KB", "MB", "GB", "TB" };
	int i = 0;
	while (b >= 1000 && i < 4) {
		b /= 1000;
		i++;
	}
	snprintf(buf, n, i ? "%.1f %s" : "%.0f %s", b, u[i]);
}

void progress_update(struct progress *p, uint64_t bytes_done, uint64_t packets)
{
	if (!p->enabled)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (elapsed(&p->last, &now) < 0.5)
		return;
	p->last = now;
	double t = elapsed(&p->start, &now);
	char done[32], total[32];
	human_bytes((double)bytes_done, done, sizeof done);
	double pps = t > 0 ? (double)packets / t : 0;
	if (p->total_bytes > 0) {
		human_bytes((double)p->total_bytes, total, sizeof total);
		double frac = (double)bytes_done / (double)p->total_bytes;
		double eta = frac > 0 ? t / frac - t : 0;
		if (eta < 0)
			eta = 0;
		fprintf(p->out, "\r%s of %s (%.0f%%), %.2f M packets, %.2f Mpps, ETA %d:%02d   ", done, total,
		        frac * 100, (double)packets / 1e6, pps / 1e6, (int)eta / 60, (int)eta % 60);
	} else {
		fprintf(p->out, "\r%s read, %.2f M packets, %.2f Mpps   ", done, (double)packets / 1e6,
		        pps / 1e6);
	}
	fflush(p->out);
	p->drawn = true;
}

void progress_end(struct progress *p)
{
	if (p->enabled && p->drawn) {
		fprintf(p->out, "\r%60s\r", "");
		fflush(p->out);
	}
	p->drawn = false;
}
