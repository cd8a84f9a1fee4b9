/* adoption_tables.c — per-AS and per-country counts of one scan (see
 * adoption_tables.h).  Reads the results of `mpcap analyze` through
 * results_dir.h: targets.sets, targets.csv (streamed) and summary.csv (the
 * label).
 */
#include "report/attribution/adoption_tables.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/results/results_dir.h"
#include "analyzer/scan/target.h"
#include "analyzer/scan/verdict.h"
#include "report/attribution/prefix_table.h"

/* ---- groups: (family, port, key) -> row ---- */

struct groups {
	struct target_map *index;
	struct adoption_row *rows;
	size_t n, cap;
};

static struct target_key group_key(uint8_t family, uint16_t port, bool unknown, uint32_t key)
{
	uint8_t a[16] = { 0 };
	a[0] = unknown;
	a[1] = (uint8_t)(key >> 24);
	a[2] = (uint8_t)(key >> 16);
	a[3] = (uint8_t)(key >> 8);
	a[4] = (uint8_t)key;
	struct target_key k = target_key_make(6, a, port);
	k.extra = family;
	return k;
}

/* Row index of a group, created when new; SIZE_MAX when out of memory. */
static size_t group_get(struct groups *g, uint8_t family, uint16_t port, bool unknown, uint32_t key)
{
	struct target_key k = group_key(family, port, unknown, key);
	bool ins;
	uint32_t *slot = target_map_get(g->index, &k, true, (uint32_t)g->n, &ins);
	if (!slot)
		return SIZE_MAX;
	if (!ins)
		return *slot;
	if (g->n == g->cap) {
		size_t nc = g->cap ? g->cap * 2 : 256;
		struct adoption_row *nr = realloc(g->rows, nc * sizeof *nr);
		if (!nr)
			return SIZE_MAX;
		g->rows = nr;
		g->cap = nc;
	}
	struct adoption_row *r = &g->rows[g->n];
	memset(r, 0, sizeof *r);
	r->family = family;
	r->port = port;
	r->unknown = unknown;
	r->key = unknown ? 0 : key;
	return g->n++;
}

static int row_cmp(const void *pa, const void *pb)
{
	const struct adoption_row *a = pa, *b = pb;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->unknown != b->unknown)
		return a->unknown ? 1 : -1;
	return a->key < b->key ? -1 : a->key > b->key;
}

/* ---- attribution with a cache for runs of addresses in one interval ---- */

struct attr_cache {
	struct attribution *a;
	bool valid;
	struct attribution_result r;
	uint8_t family; /* of the target (a mapped IPv6 target stays in the IPv6 rows) */
	uint16_t port;
	size_t as_row, cc_row; /* rows of r for family and port (SIZE_MAX: not resolved yet) */
};

enum category {
	CAT_MPCAPABLE = 1,
	CAT_MPTCP = 2,
	CAT_REPLAY = 4,
	CAT_MODIFIED = 8,
	CAT_SHARED_KEY = 16,
	CAT_MIDDLEBOX = 32, /* verdict_is_middlebox() */
	CAT_DROPPED = 64,   /* A/B rows: mpc-dropped (any version) */
	CAT_DROPPED_V0 = 128,
	CAT_DROPPED_V1 = 256,
	CAT_PLAIN_DROPPED = 512,
};

struct walk {
	struct attr_cache cache;
	struct groups as, cc;
	struct adoption_scan *out;
	const volatile sig_atomic_t *stop;
	int rc; /* 0, -1 error, 1 interrupted */
	char *err;
	size_t errlen;
	uint64_t n;
};

static bool in_interval(const struct attribution_result *r, int family, const uint8_t *addr16)
{
	return r->family == family && memcmp(addr16, r->first, 16) >= 0 && memcmp(addr16, r->last, 16) <= 0;
}

/* Adds one target to its AS and country rows: categories (CAT_ bits) and
 * whether it is responsive. */
static void count_target(struct walk *w, uint8_t family, const uint8_t *addr, uint16_t port, bool responsive,
                         unsigned cats)
{
	if (w->rc)
		return;
	if (w->stop && (++w->n & 0xffff) == 0 && *w->stop) {
		w->rc = 1;
		return;
	}
	uint8_t a16[16] = { 0 };
	int fam = family;
	const uint8_t *lookup = addr;
	if (family == 6 && prefix_is_v4_mapped(addr)) {
		fam = 4;
		lookup = addr + 12;
	}
	memcpy(a16, lookup, fam == 4 ? 4 : 16);
	struct attr_cache *c = &w->cache;
	if (!c->valid || !in_interval(&c->r, fam, a16)) {
		if (attribution_lookup(c->a, fam, a16, &c->r, w->err, w->errlen) != 0) {
			w->rc = -1;
			return;
		}
		c->valid = true;
		c->as_row = c->cc_row = SIZE_MAX;
	}
	if (c->port != port || c->family != family) {
		c->port = port;
		c->family = family;
		c->as_row = c->cc_row = SIZE_MAX;
	}
	if (c->as_row == SIZE_MAX || c->cc_row == SIZE_MAX) {
		uint32_t cck = c->r.cc_found ? (uint32_t)((uint8_t)c->r.cc[0] << 8 | (uint8_t)c->r.cc[1]) : 0;
		c->as_row = group_get(&w->as, family, port, !c->r.asn_found, c->r.asn);
		c->cc_row = group_get(&w->cc, family, port, !c->r.cc_found, cck);
		if (c->as_row == SIZE_MAX || c->cc_row == SIZE_MAX) {
			snprintf(w->err, w->errlen, "out of memory");
			w->rc = -1;
			c->valid = false;
			return;
		}
	}
	struct adoption_counts *ca = &w->as.rows[c->as_row].c, *cc = &w->cc.rows[c->cc_row].c;
	struct adoption_counts *both[2] = { ca, cc };
	for (int i = 0; i < 2; i++) {
		struct adoption_counts *x = both[i];
		x->responsive += responsive;
		x->mpcapable += (cats & CAT_MPCAPABLE) != 0;
		x->mptcp += (cats & CAT_MPTCP) != 0;
		x->replay += (cats & CAT_REPLAY) != 0;
		x->modified += (cats & CAT_MODIFIED) != 0;
		x->shared_key += (cats & CAT_SHARED_KEY) != 0;
		x->middlebox += (cats & CAT_MIDDLEBOX) != 0;
		x->mpc_dropped += (cats & CAT_DROPPED) != 0;
		x->mpc_dropped_v0 += (cats & CAT_DROPPED_V0) != 0;
		x->mpc_dropped_v1 += (cats & CAT_DROPPED_V1) != 0;
		x->plain_dropped += (cats & CAT_PLAIN_DROPPED) != 0;
	}
	if (responsive) {
		ca->multi_origin += c->r.asn_found && c->r.multi_origin;
		w->out->responsive++;
		w->out->responsive_unknown_as += !c->r.asn_found;
		w->out->responsive_unknown_cc += !c->r.cc_found;
	}
}

static void on_responsive(void *ctx, uint8_t family, const uint8_t *addr, uint16_t port)
{
	count_target(ctx, family, addr, port, true, 0);
}

/* ---- targets.csv, streamed (targets_csv.h) ---- */

static unsigned verdict_bits(enum verdict v)
{
	unsigned b = verdict_is_middlebox(v) ? CAT_MIDDLEBOX : 0;
	switch (v) {
	case VERDICT_MPTCP:
		return b | CAT_MPTCP;
	case VERDICT_REPLAY:
		return b | CAT_REPLAY;
	case VERDICT_MODIFIED:
		return b | CAT_MODIFIED;
	case VERDICT_SHARED_KEY:
		return b | CAT_SHARED_KEY;
	default:
		return b;
	}
}

/* The MP_CAPABLE responders of targets.csv: (family, addr, port) -> CAT_ bits. */
/* The rows of A/B scans (abtest.h): CAT_ bits of an mpc-dropped or plain-dropped row. */
static unsigned dropped_bits(const struct targets_row *row)
{
	if (row->verdict == VERDICT_PLAIN_DROPPED)
		return CAT_PLAIN_DROPPED;
	if (row->verdict != VERDICT_MPC_DROPPED)
		return 0;
	return CAT_DROPPED | (row->reason == REASON_MPC_DROPPED_V0   ? CAT_DROPPED_V0
	                      : row->reason == REASON_MPC_DROPPED_V1 ? CAT_DROPPED_V1
	                                                             : 0);
}

static int read_targets_csv(const struct results_dir *rd, struct target_map *mpc, char *err, size_t errlen)
{
	struct targets_reader *tr =
	    results_dir_targets(rd,
	                        TARGETS_COL(TARGETS_ADDRESS) | TARGETS_COL(TARGETS_PORT) |
	                            TARGETS_COL(TARGETS_FAMILY) | TARGETS_COL(TARGETS_RESPONSE) |
	                            TARGETS_COL(TARGETS_MPC_VERSION) | TARGETS_COL(TARGETS_VERDICT),
	                        TARGETS_COL(TARGETS_VERDICT_REASON), err, errlen);
	if (!tr)
		return -1;
	struct targets_row row;
	int rc;
	while ((rc = targets_next(tr, &row, err, errlen)) == 1) {
		unsigned dropped = dropped_bits(&row);
		if (dropped) {
			struct target_key k = target_key_make(row.family, row.addr, row.port);
			uint32_t *v = target_map_get(mpc, &k, true, 0, NULL);
			if (!v) {
				snprintf(err, errlen, "out of memory");
				rc = -1;
				break;
			}
			*v |= dropped;
			continue;
		}
		if (row.response != RESP_SYNACK || !row.has_mpc)
			continue;
		struct target_key k = target_key_make(row.family, row.addr, row.port);
		uint32_t *v = target_map_get(mpc, &k, true, 0, NULL);
		if (!v) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
			break;
		}
		*v |= CAT_MPCAPABLE | verdict_bits(row.verdict);
	}
	targets_close(tr);
	return rc;
}

int adoption_scan_read(struct attribution *a, const char *dir, struct adoption_scan *out,
                       const volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	struct results_dir rd;
	if (results_dir_open(&rd, dir, err, errlen) != 0)
		return -1;
	struct target_set *resp = NULL;
	struct target_map *mpc = target_map_new();
	struct walk w;
	memset(&w, 0, sizeof w);
	w.as.index = target_map_new();
	w.cc.index = target_map_new();
	int rc = -1;
	if (!mpc || !w.as.index || !w.cc.index || !(out->dir = strdup(dir)) ||
	    !(out->label = strdup(rd.label))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	uint64_t abt;
	out->abtest = summary_csv_value(&rd.summary, "abtest.targets", 0, 0, &abt);
	if (results_dir_responsive(&rd, &resp, err, errlen) != 0)
		goto out;
	if (read_targets_csv(&rd, mpc, err, errlen) != 0)
		goto out;
	w.cache.a = a;
	w.out = out;
	w.stop = stop;
	w.err = err;
	w.errlen = errlen;
	target_set_each(resp, on_responsive, &w);
	size_t cur = 0;
	struct target_key k;
	uint32_t cats;
	while (w.rc == 0 && target_map_next(mpc, &cur, &k, &cats)) {
		count_target(&w, k.family, k.addr, k.port, false, cats);
		out->mpcapable += (cats & CAT_MPCAPABLE) != 0;
	}
	if (w.rc) {
		rc = w.rc;
		goto out;
	}
	qsort(w.as.rows, w.as.n, sizeof *w.as.rows, row_cmp);
	qsort(w.cc.rows, w.cc.n, sizeof *w.cc.rows, row_cmp);
	out->as_rows = w.as.rows;
	out->nas = w.as.n;
	out->cc_rows = w.cc.rows;
	out->ncc = w.cc.n;
	w.as.rows = w.cc.rows = NULL;
	rc = 0;
out:
	results_dir_close(&rd);
	target_set_free(resp);
	target_map_free(mpc);
	target_map_free(w.as.index);
	target_map_free(w.cc.index);
	free(w.as.rows);
	free(w.cc.rows);
	if (rc != 0)
		adoption_scan_free(out);
	return rc;
}

void adoption_scan_free(struct adoption_scan *s)
{
	free(s->label);
	free(s->dir);
	free(s->as_rows);
	free(s->cc_rows);
	memset(s, 0, sizeof *s);
}

static const char *const metric_names[METRIC_COUNT] = { "responsive", "mpcapable", "mptcp", "middlebox",
	                                                "replay" };

const char *adoption_metric_name(enum adoption_metric m)
{
	return (unsigned)m < METRIC_COUNT ? metric_names[m] : "?";
}

int adoption_metric_parse(const char *name)
{
	for (int m = 0; m < METRIC_COUNT; m++)
		if (strcmp(name, metric_names[m]) == 0)
			return m;
	return -1;
}

uint64_t adoption_metric_value(const struct adoption_counts *c, enum adoption_metric m)
{
	switch (m) {
	case METRIC_RESPONSIVE:
		return c->responsive;
	case METRIC_MPCAPABLE:
		return c->mpcapable;
	case METRIC_MPTCP:
		return c->mptcp;
	case METRIC_MIDDLEBOX:
		return c->middlebox;
	case METRIC_REPLAY:
		return c->replay;
	case METRIC_COUNT:
		break;
	}
	return 0;
}

struct rank_item {
	uint64_t value;
	uint32_t key;
	size_t row;
};

static int rank_cmp(const void *pa, const void *pb)
{
	const struct rank_item *a = pa, *b = pb;
	if (a->value != b->value)
		return a->value > b->value ? -1 : 1;
	return a->key < b->key ? -1 : a->key > b->key;
}

size_t adoption_top(const struct adoption_row *rows, size_t begin, size_t end, enum adoption_metric m,
                    size_t n, size_t *out)
{
	if (end <= begin || n == 0)
		return 0;
	struct rank_item *it = malloc((end - begin) * sizeof *it);
	if (!it)
		return SIZE_MAX;
	size_t k = 0;
	for (size_t i = begin; i < end; i++) {
		uint64_t v = adoption_metric_value(&rows[i].c, m);
		if (!rows[i].unknown && v > 0)
			it[k++] = (struct rank_item){ v, rows[i].key, i };
	}
	qsort(it, k, sizeof *it, rank_cmp);
	if (k > n)
		k = n;
	for (size_t i = 0; i < k; i++)
		out[i] = it[i].row;
	free(it);
	return k;
}
