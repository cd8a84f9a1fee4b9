/* longitudinal.c — scans joined per host and port, from the results read by
 * analyzer/results (summary_csv.h, targets_csv.h).  See longitudinal.h. */
#include "report/series/longitudinal.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/results/results_dir.h"
#include "analyzer/scan/target.h"
#include "analyzer/scan/verdict.h"

struct fam_port {
	uint8_t family;
	uint16_t port;
};

struct count_row {
	uint8_t family;
	uint16_t port;
	char *verdict; /* the counter's name after "verdict." */
	uint64_t count;
};

struct scan_entry {
	char *label;
	struct fam_port *probed;
	size_t nprobed;
	struct count_row *counts;
	size_t ncounts;
};

struct sighting {
	uint32_t scan;   /* index in the order added */
	uint8_t verdict; /* enum verdict */
};

struct host_entry {
	struct target_key key;
	struct sighting *seen;
	size_t nseen;
	const char **verdicts; /* per sorted scan, after finish */
	unsigned scans_probed, scans_mpcapable, scans_mptcp;
	int first, last;
};

struct longitudinal {
	struct scan_entry *scans;
	size_t nscans;
	size_t *order; /* sorted position -> added index */
	struct host_entry *hosts;
	size_t nhosts, caphosts;
	struct target_map *index;
	bool open; /* a scan begun: its targets may be added */
};

struct longitudinal *longitudinal_new(void)
{
	struct longitudinal *l = calloc(1, sizeof *l);
	if (l && !(l->index = target_map_new())) {
		free(l);
		return NULL;
	}
	return l;
}

void longitudinal_free(struct longitudinal *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nscans; i++) {
		struct scan_entry *s = &l->scans[i];
		free(s->label);
		free(s->probed);
		for (size_t j = 0; j < s->ncounts; j++)
			free(s->counts[j].verdict);
		free(s->counts);
	}
	free(l->scans);
	free(l->order);
	for (size_t i = 0; i < l->nhosts; i++) {
		free(l->hosts[i].seen);
		free(l->hosts[i].verdicts);
	}
	free(l->hosts);
	target_map_free(l->index);
	free(l);
}

/* The scan's probed family/port pairs and its verdict counters, from its summary. */
static int add_summary(struct scan_entry *se, const struct summary_csv *sum)
{
	se->probed = calloc(sum->n + 1, sizeof *se->probed);
	se->counts = calloc(sum->n + 1, sizeof *se->counts);
	if (!se->probed || !se->counts)
		return -1;
	bool any_probed = false;
	for (int pass = 0; pass < 2; pass++) {
		/* pass 0: targets.probed; pass 1 (only if no probes): targets.responsive */
		const char *want = pass == 0 ? "targets.probed" : "targets.responsive";
		if (pass == 1 && any_probed)
			break;
		for (size_t r = 0; r < sum->n; r++) {
			const struct summary_row *row = &sum->rows[r];
			if (strcmp(row->counter, want) != 0 || !row->family || !row->value)
				continue;
			se->probed[se->nprobed].family = row->family;
			se->probed[se->nprobed].port = row->port;
			se->nprobed++;
			any_probed = true;
		}
	}
	for (size_t r = 0; r < sum->n; r++) {
		const struct summary_row *row = &sum->rows[r];
		if (strncmp(row->counter, "verdict.", 8) != 0 || !row->family)
			continue;
		struct count_row *cr = &se->counts[se->ncounts];
		cr->family = row->family;
		cr->port = row->port;
		cr->count = row->value;
		if (!(cr->verdict = strdup(row->counter + 8)))
			return -1;
		se->ncounts++;
	}
	return 0;
}

int longitudinal_begin_scan(struct longitudinal *l, const char *name, const struct summary_csv *summary,
                            char *err, size_t errlen)
{
	l->open = false;
	const char *label = summary->label;
	if (!label) {
		snprintf(err, errlen, "%s: no scan label (empty results)", name);
		return -1;
	}
	for (size_t i = 0; i < l->nscans; i++) {
		if (strcmp(l->scans[i].label, label) == 0) {
			snprintf(err, errlen, "%s: scan '%s' given twice (use --scan to label scans apart)",
			         name, label);
			return -1;
		}
	}
	struct scan_entry *ns = realloc(l->scans, (l->nscans + 1) * sizeof *ns);
	if (!ns)
		goto oom;
	l->scans = ns;
	struct scan_entry *se = &l->scans[l->nscans++];
	memset(se, 0, sizeof *se);
	if (!(se->label = strdup(label)))
		goto oom;
	if (add_summary(se, summary) != 0)
		goto oom;
	l->open = true;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int longitudinal_add_target(struct longitudinal *l, const struct targets_row *row, char *err, size_t errlen)
{
	if (!l->open) {
		snprintf(err, errlen, "internal error: no scan begun");
		return -1;
	}
	if (!row->has_mpc)
		return 0; /* answered without MP_CAPABLE */
	uint32_t scan_idx = (uint32_t)(l->nscans - 1);
	const char *label = l->scans[scan_idx].label;
	if (strcmp(row->scan, label) != 0) {
		snprintf(err, errlen, "line %zu belongs to scan '%.64s', not '%s'", row->line, row->scan,
		         label);
		return -1;
	}
	struct target_key k = target_key_make(row->family, row->addr, row->port);
	if (l->nhosts == l->caphosts) {
		size_t nc = l->caphosts ? l->caphosts * 2 : 256;
		struct host_entry *nh = realloc(l->hosts, nc * sizeof *nh);
		if (!nh)
			goto oom;
		l->hosts = nh;
		l->caphosts = nc;
	}
	bool is_new;
	uint32_t *v = target_map_get(l->index, &k, true, (uint32_t)l->nhosts, &is_new);
	if (!v)
		goto oom;
	struct host_entry *h = &l->hosts[*v];
	if (is_new) {
		memset(h, 0, sizeof *h);
		h->key = k;
		l->nhosts++;
	}
	if (h->nseen && h->seen[h->nseen - 1].scan == scan_idx) {
		/* a second row (other probe version): an mptcp verdict wins */
		if (row->verdict == VERDICT_MPTCP)
			h->seen[h->nseen - 1].verdict = VERDICT_MPTCP;
		return 0;
	}
	struct sighting *nsg = realloc(h->seen, (h->nseen + 1) * sizeof *nsg);
	if (!nsg)
		goto oom;
	h->seen = nsg;
	h->seen[h->nseen].scan = scan_idx;
	h->seen[h->nseen].verdict = (uint8_t)row->verdict;
	h->nseen++;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int longitudinal_add_dir(struct longitudinal *l, const char *dir, char *err, size_t errlen)
{
	struct results_dir rd;
	if (results_dir_open(&rd, dir, err, errlen) != 0)
		return -1;
	struct targets_reader *tr = NULL;
	int rc = longitudinal_begin_scan(l, dir, &rd.summary, err, errlen);
	if (rc == 0 && !(tr = results_dir_targets(&rd, LONGITUDINAL_COLUMNS, 0, err, errlen)))
		rc = -1;
	struct targets_row row;
	char msg[512];
	while (rc == 0 && (rc = targets_next(tr, &row, err, errlen)) == 1)
		if ((rc = longitudinal_add_target(l, &row, msg, sizeof msg)) != 0)
			snprintf(err, errlen, "%s: %s", targets_path(tr), msg);
	targets_close(tr);
	results_dir_close(&rd);
	return rc;
}

static int host_cmp(const void *a, const void *b)
{
	return target_key_cmp(&((const struct host_entry *)a)->key, &((const struct host_entry *)b)->key);
}

static int order_cmp_r(const void *a, const void *b, void *ctx)
{
	const struct longitudinal *l = ctx;
	return strcmp(l->scans[*(const size_t *)a].label, l->scans[*(const size_t *)b].label);
}

int longitudinal_finish(struct longitudinal *l, char *err, size_t errlen)
{
	l->order = malloc((l->nscans ? l->nscans : 1) * sizeof *l->order);
	size_t *pos = malloc((l->nscans ? l->nscans : 1) * sizeof *pos);
	if (!l->order || !pos) {
		free(pos);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < l->nscans; i++)
		l->order[i] = i;
	qsort_r(l->order, l->nscans, sizeof *l->order, order_cmp_r, l);
	for (size_t i = 0; i < l->nscans; i++)
		pos[l->order[i]] = i;
	target_map_free(l->index);
	l->index = NULL;
	if (l->nhosts)
		qsort(l->hosts, l->nhosts, sizeof *l->hosts, host_cmp);
	for (size_t i = 0; i < l->nhosts; i++) {
		struct host_entry *h = &l->hosts[i];
		h->verdicts = calloc(l->nscans ? l->nscans : 1, sizeof *h->verdicts);
		if (!h->verdicts) {
			free(pos);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		h->first = h->last = -1;
		for (size_t j = 0; j < h->nseen; j++) {
			size_t p = pos[h->seen[j].scan];
			h->verdicts[p] = verdict_name(h->seen[j].verdict);
			h->scans_mpcapable++;
			h->scans_mptcp += h->seen[j].verdict == VERDICT_MPTCP;
			if (h->first < 0 || (int)p < h->first)
				h->first = (int)p;
			if ((int)p > h->last)
				h->last = (int)p;
		}
		for (size_t s = 0; s < l->nscans; s++) {
			const struct scan_entry *se = &l->scans[s];
			for (size_t k = 0; k < se->nprobed; k++) {
				if (se->probed[k].family == h->key.family &&
				    se->probed[k].port == h->key.port) {
					h->scans_probed++;
					break;
				}
			}
		}
	}
	free(pos);
	return 0;
}

size_t longitudinal_scan_count(const struct longitudinal *l)
{
	return l->nscans;
}

const char *longitudinal_scan_label(const struct longitudinal *l, size_t i)
{
	return i < l->nscans ? l->scans[l->order ? l->order[i] : i].label : NULL;
}

size_t longitudinal_host_count(const struct longitudinal *l)
{
	return l->nhosts;
}

void longitudinal_host_at(const struct longitudinal *l, size_t i, struct longitudinal_host *out)
{
	const struct host_entry *h = &l->hosts[i];
	out->family = h->key.family;
	memcpy(out->addr, h->key.addr, 16);
	out->port = h->key.port;
	out->scans_probed = h->scans_probed;
	out->scans_mpcapable = h->scans_mpcapable;
	out->scans_mptcp = h->scans_mptcp;
	out->first_scan = h->first;
	out->last_scan = h->last;
	out->verdicts = h->verdicts;
}

void longitudinal_each_count(const struct longitudinal *l, longitudinal_count_fn fn, void *ctx)
{
	for (size_t i = 0; i < l->nscans; i++) {
		const struct scan_entry *se = &l->scans[l->order ? l->order[i] : i];
		for (size_t j = 0; j < se->ncounts; j++) {
			const struct count_row *c = &se->counts[j];
			char fam[4], port[8], count[24];
			snprintf(fam, sizeof fam, "%u", c->family);
			snprintf(port, sizeof port, "%u", c->port);
			snprintf(count, sizeof count, "%llu", (unsigned long long)c->count);
			fn(ctx, se->label, fam, port, c->verdict, count);
		}
	}
}
