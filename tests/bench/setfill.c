/* setfill.c — memory of exact distinct-responder counts at full-IPv4 scale,
 * for `make bench`: fills the response sets mpcap analyze keeps (responsive,
 * synack, rst) for one port with N random IPv4 responders, the way analyze
 * does (sorted batches of 2^20), and reports their memory (target_set_memory
 * and the process's peak RSS), the time, and the size of targets.sets.
 *
 *   setfill N [OUT.sets]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "analyzer/scan/target_set.h"
#include "analyzer/scan/target_setfile.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: setfill N [OUT.sets]\n");
		return 2;
	}
	uint64_t n = strtoull(argv[1], NULL, 10);
	struct target_set *any = target_set_new(), *syn = target_set_new(), *rst = target_set_new();
	const size_t batch = 1u << 20; /* as analyze batches answers (ADDBUF_MAX) */
	uint32_t *b = malloc(batch * sizeof *b), *bs = malloc(batch * sizeof *bs),
	         *br = malloc(batch * sizeof *br);
	if (!any || !syn || !rst || !b || !bs || !br)
		return 1;
	double t0 = now();
	for (uint64_t done = 0; done < n;) {
		size_t k = n - done < batch ? (size_t)(n - done) : batch, ks = 0, kr = 0;
		for (size_t i = 0; i < k; i++)
			b[i] = (uint32_t)rnd();
		qsort(b, k, sizeof *b, cmp);
		for (size_t i = 0; i < k; i++) {
			/* about 5 in 6 responders answer with a SYN-ACK, the others with a RST */
			if ((b[i] * 2654435761u) % 6)
				bs[ks++] = b[i];
			else
				br[kr++] = b[i];
		}
		if (target_set_add_v4_sorted(any, 80, b, k) || target_set_add_v4_sorted(syn, 80, bs, ks) ||
		    target_set_add_v4_sorted(rst, 80, br, kr))
			return 1;
		done += k;
	}
	double dt = now() - t0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	size_t ma = target_set_memory(any), ms = target_set_memory(syn), mr = target_set_memory(rst);
	long size = -1;
	if (argc > 2) {
		FILE *fp = fopen(argv[2], "wb");
		const char *names[] = { "responsive", "synack", "rst" };
		struct target_set *sets[] = { any, syn, rst };
		if (!fp || target_sets_write(fp, names, sets, 3) != 0)
			return 1;
		size = ftell(fp);
		fclose(fp);
	}
	printf("responders %llu distinct %llu synack %llu rst %llu\n", (unsigned long long)n,
	       (unsigned long long)target_set_count(any), (unsigned long long)target_set_count(syn),
	       (unsigned long long)target_set_count(rst));
	printf("memory_mib responsive %.1f synack %.1f rst %.1f total %.1f peak_rss_mib %.1f fill_s %.1f "
	       "sets_file_mib %.1f\n",
	       ma / 1048576.0, ms / 1048576.0, mr / 1048576.0, (ma + ms + mr) / 1048576.0,
	       ru.ru_maxrss / 1024.0, dt, size >= 0 ? size / 1048576.0 : -1.0);
	target_set_free(any);
	target_set_free(syn);
	target_set_free(rst);
	free(b);
	free(bs);
	free(br);
	return 0;
}
