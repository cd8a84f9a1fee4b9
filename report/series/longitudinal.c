/* longitudinal.c — scans joined per host and port.  See longitudinal.h. */
#include "report/series/longitudinal.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/scan/target.h"

struct fam_port {
	uint8_t family;
	uint16_t port;
};

struct count_row {
	char *family, *port, *verdict, *count;
};

struct scan_entry {
	char *label;
	struct fam_port *probed;
	size_t nprobed;
	struct count_row *counts;
	size_t ncounts;
};

struct sighting {
	uint32_t scan; /* index in the order added */
	char *verdict;
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
		for (size_t j = 0; j < s->ncounts; j++) {
			free(s->counts[j].family);
			free(s->counts[j].port);
			free(s->counts[j].verdict);
			free(s->counts[j].count);
		}
		free(s->counts);
	}
	free(l->scans);
	free(l->order);
	for (size_t i = 0; i < l->nhosts; i++) {
		for (size_t j = 0; j < l->hosts[i].nseen; j++)
			free(l->hosts[i].seen[j].verdict);
		free(l->hosts[i].seen);
		free(l->hosts[i].verdicts);
	}
	free(l->hosts);
	target_map_free(l->index);
	free(l);
}

static int need_cols(const struct csv_table *t, const char *name, const char *const *cols, int *idx, size_t n,
                     char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		idx[i] = csv_table_col(t, cols[i]);
		if (idx[i] < 0) {
			snprintf(err, errlen, "%s: no column '%s'", name, cols[i]);
			return -1;
		}
	}
	return 0;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	if (!*s)
		return false;
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (*end || v > max)
		return false;
	*out = v;
	return true;
}

static int add_summary(struct scan_entry *se, const char *name, const struct csv_table *sum, char *err,
                       size_t errlen)
{
	static const char *const cols[] = { "scan", "counter", "family", "port", "value" };
	int c[5];
	if (need_cols(sum, name, cols, c, 5, err, errlen) != 0)
		return -1;
	se->probed = calloc(sum->nrows + 1, sizeof *se->probed);
	se->counts = calloc(sum->nrows + 1, sizeof *se->counts);
	if (!se->probed || !se->counts)
		goto oom;
	bool any_probed = false;
	for (int pass = 0; pass < 2; pass++) {
		/* pass 0: targets.probed; pass 1 (only if no probes): targets.responsive */
		const char *want = pass == 0 ? "targets.probed" : "targets.responsive";
		if (pass == 1 && any_probed)
			break;
		for (size_t r = 0; r < sum->nrows; r++) {
			char **row = sum->rows[r];
			unsigned long fam, port, val;
			if (strcmp(row[c[1]], want) != 0 || !parse_uint(row[c[2]], 6, &fam) ||
			    !parse_uint(row[c[3]], 65535, &port) || !parse_uint(row[c[4]], ~0UL, &val) ||
			    !val)
				continue;
			se->probed[se->nprobed].family = (uint8_t)fam;
			se->probed[se->nprobed].port = (uint16_t)port;
			se->nprobed++;
			any_probed = true;
		}
	}
	for (size_t r = 0; r < sum->nrows; r++) {
		char **row = sum->rows[r];
		if (strncmp(row[c[1]], "verdict.", 8) != 0 || !*row[c[2]])
			continue;
		struct count_row *cr = &se->counts[se->ncounts];
		cr->family = strdup(row[c[2]]);
		cr->port = strdup(row[c[3]]);
		cr->verdict = strdup(row[c[1]] + 8);
		cr->count = strdup(row[c[4]]);
		se->ncounts++;
		if (!cr->family || !cr->port || !cr->verdict || !cr->count)
			goto oom;
	}
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int longitudinal_add(struct longitudinal *l, const char *name, const struct csv_table *targets,
                     const struct csv_table *summary, char *err, size_t errlen)
{
	static const char *const cols[] = { "scan", "address", "port", "family", "mpc_version", "verdict" };
	int c[6];
	if (need_cols(targets, name, cols, c, 6, err, errlen) != 0)
		return -1;
	const char *label = targets->nrows ? targets->rows[0][c[0]] : NULL;
	if (!label) {
		int sc = csv_table_col(summary, "scan");
		label = sc >= 0 && summary->nrows ? summary->rows[0][sc] : NULL;
	}
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
	if (add_summary(se, name, summary, err, errlen) != 0)
		return -1;
	uint32_t scan_idx = (uint32_t)(l->nscans - 1);
	for (size_t r = 0; r < targets->nrows; r++) {
		char **row = targets->rows[r];
		if (!*row[c[4]])
			continue; /* answered without MP_CAPABLE */
		if (strcmp(row[c[0]], label) != 0) {
			snprintf(err, errlen, "%s: row %zu belongs to scan '%s', not '%s'", name, r + 2,
			         row[c[0]], label);
			return -1;
		}
		unsigned long fam, port;
		uint8_t addr[16] = { 0 };
		if (!parse_uint(row[c[3]], 6, &fam) || (fam != 4 && fam != 6) ||
		    !parse_uint(row[c[2]], 65535, &port) ||
		    inet_pton(fam == 4 ? AF_INET : AF_INET6, row[c[1]], addr) != 1) {
			snprintf(err, errlen, "%s: row %zu: bad address, port or family", name, r + 2);
			return -1;
		}
		struct target_key k = target_key_make((uint8_t)fam, addr, (uint16_t)port);
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
			if (strcmp(row[c[5]], "mptcp") == 0) {
				char *d = strdup(row[c[5]]);
				if (!d)
					goto oom;
				free(h->seen[h->nseen - 1].verdict);
				h->seen[h->nseen - 1].verdict = d;
			}
			continue;
		}
		struct sighting *nsg = realloc(h->seen, (h->nseen + 1) * sizeof *nsg);
		if (!nsg)
			goto oom;
		h->seen = nsg;
		h->seen[h->nseen].scan = scan_idx;
		if (!(h->seen[h->nseen].verdict = strdup(row[c[5]])))
			goto oom;
		h->nseen++;
	}
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
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
			h->verdicts[p] = h->seen[j].verdict;
			h->scans_mpcapable++;
			h->scans_mptcp += strcmp(h->seen[j].verdict, "mptcp") == 0;
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
			fn(ctx, se->label, c->family, c->port, c->verdict, c->count);
		}
	}
}
