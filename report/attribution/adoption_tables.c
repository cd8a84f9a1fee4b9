/* adoption_tables.c — per-AS and per-country counts of one scan (see
 * adoption_tables.h).  Reads the results of `mpcap analyze`: targets.sets
 * (target.h persistence format), targets.csv and summary.csv (columns in
 * docs/columns.md; RFC 4180 CSV parsed with libcsv).
 */
#include "report/attribution/adoption_tables.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyzer/base/csv_io.h"
#include "analyzer/scan/target.h"
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
		x->middlebox += (cats & (CAT_REPLAY | CAT_MODIFIED | CAT_SHARED_KEY)) != 0;
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

/* ---- targets.csv, streamed ---- */

enum { COL_ADDRESS, COL_PORT, COL_FAMILY, COL_RESPONSE, COL_MPC_VERSION, COL_VERDICT, NCOLS };
static const char *const col_names[NCOLS] = { "address",  "port",        "family",
	                                      "response", "mpc_version", "verdict" };

struct csv_stream {
	const char *path;
	unsigned long row; /* 1 = header */
	size_t field;      /* index of the next field in the row */
	size_t nheader;
	int col[NCOLS]; /* header position of each needed column */
	char val[NCOLS][64];
	bool too_long[NCOLS];
	struct target_map *mpc; /* (family, addr, port) -> CAT_ bits */
	int rc;
	char *err;
	size_t errlen;
};

static void on_field(void *data, size_t len, void *ctx)
{
	struct csv_stream *s = ctx;
	if (s->rc)
		return;
	if (s->row == 0) { /* the header */
		for (int c = 0; c < NCOLS; c++)
			if (s->col[c] < 0 && len == strlen(col_names[c]) &&
			    memcmp(data, col_names[c], len) == 0)
				s->col[c] = (int)s->field;
	} else {
		for (int c = 0; c < NCOLS; c++)
			if (s->col[c] == (int)s->field) {
				s->too_long[c] = len >= sizeof s->val[c];
				size_t n = s->too_long[c] ? 0 : len;
				memcpy(s->val[c], data, n);
				s->val[c][n] = '\0';
			}
	}
	s->field++;
}

static unsigned verdict_bits(const char *v)
{
	if (strcmp(v, "mptcp") == 0)
		return CAT_MPTCP;
	if (strcmp(v, "replay") == 0)
		return CAT_REPLAY;
	if (strcmp(v, "modified") == 0)
		return CAT_MODIFIED;
	if (strcmp(v, "shared-key") == 0)
		return CAT_SHARED_KEY;
	return 0;
}

static void on_row(int c, void *ctx)
{
	(void)c;
	struct csv_stream *s = ctx;
	if (s->rc)
		return;
	unsigned long line = s->row + 1;
	if (s->row == 0) {
		s->nheader = s->field;
		for (int i = 0; i < NCOLS; i++)
			if (s->col[i] < 0) {
				snprintf(s->err, s->errlen,
				         "%s:1: no '%s' column (not a targets.csv of mpcap analyze?)",
				         s->path, col_names[i]);
				s->rc = -1;
				return;
			}
	} else if (s->field != s->nheader) {
		snprintf(s->err, s->errlen, "%s:%lu: %zu fields where the header has %zu", s->path, line,
		         s->field, s->nheader);
		s->rc = -1;
		return;
	} else if (strcmp(s->val[COL_RESPONSE], "synack") == 0 && s->val[COL_MPC_VERSION][0]) {
		int family;
		uint8_t addr[16];
		uint64_t port = 0;
		char *end;
		errno = 0;
		port = strtoull(s->val[COL_PORT], &end, 10);
		bool ok = !s->too_long[COL_ADDRESS] &&
		          prefix_parse_address(s->val[COL_ADDRESS], &family, addr) && s->val[COL_PORT][0] &&
		          !*end && errno == 0 && port <= 65535 &&
		          ((family == 4 && strcmp(s->val[COL_FAMILY], "4") == 0) ||
		           (family == 6 && strcmp(s->val[COL_FAMILY], "6") == 0));
		if (!ok) {
			snprintf(s->err, s->errlen, "%s:%lu: bad address, port or family ('%s', '%s', '%s')",
			         s->path, line, s->val[COL_ADDRESS], s->val[COL_PORT], s->val[COL_FAMILY]);
			s->rc = -1;
			return;
		}
		struct target_key k = target_key_make((uint8_t)family, addr, (uint16_t)port);
		uint32_t *v = target_map_get(s->mpc, &k, true, 0, NULL);
		if (!v) {
			snprintf(s->err, s->errlen, "out of memory");
			s->rc = -1;
			return;
		}
		*v |= CAT_MPCAPABLE | verdict_bits(s->val[COL_VERDICT]);
	}
	s->row++;
	s->field = 0;
	for (int i = 0; i < NCOLS; i++) {
		s->val[i][0] = '\0';
		s->too_long[i] = false;
	}
}

static int read_targets_csv(const char *path, struct target_map *mpc, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct csv_stream s;
	memset(&s, 0, sizeof s);
	s.path = path;
	s.mpc = mpc;
	s.err = err;
	s.errlen = errlen;
	for (int i = 0; i < NCOLS; i++)
		s.col[i] = -1;
	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		fclose(fp);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	char buf[1 << 16];
	size_t n;
	while (s.rc == 0 && (n = fread(buf, 1, sizeof buf, fp)) > 0)
		if (csv_parse(&p, buf, n, on_field, on_row, &s) != n && s.rc == 0) {
			snprintf(err, errlen, "%s:%lu: CSV error: %s", path, s.row + 1,
			         csv_strerror(csv_error(&p)));
			s.rc = -1;
		}
	if (s.rc == 0 && ferror(fp)) {
		snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
		s.rc = -1;
	}
	if (s.rc == 0 && csv_fini(&p, on_field, on_row, &s) != 0) {
		snprintf(err, errlen, "%s: CSV error at end of file: %s", path, csv_strerror(csv_error(&p)));
		s.rc = -1;
	}
	if (s.rc == 0 && s.row == 0) {
		snprintf(err, errlen, "%s: empty (no header)", path);
		s.rc = -1;
	}
	csv_free(&p);
	fclose(fp);
	return s.rc;
}

/* The scan label: the scan column of summary.csv (one label per file). */
static int read_label(const char *path, char **label, char *err, size_t errlen)
{
	struct csv_table t;
	if (csv_table_read(path, &t, err, errlen) != 0)
		return -1;
	int c = csv_table_col(&t, "scan");
	int rc = -1;
	if (c < 0 || t.nrows == 0) {
		snprintf(err, errlen, "%s: no scan label (want the summary.csv of mpcap analyze)", path);
		goto out;
	}
	for (size_t r = 1; r < t.nrows; r++)
		if (strcmp(t.rows[r][c], t.rows[0][c]) != 0) {
			snprintf(err, errlen, "%s:%zu: a second scan label '%s' (first '%s')", path, r + 2,
			         t.rows[r][c], t.rows[0][c]);
			goto out;
		}
	*label = strdup(t.rows[0][c]);
	if (!*label) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rc = 0;
out:
	csv_table_free(&t);
	return rc;
}

int adoption_scan_read(struct attribution *a, const char *dir, struct adoption_scan *out,
                       const volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen,
		         "%s: not a results directory of mpcap analyze (want DIR/targets.sets, "
		         "DIR/targets.csv and DIR/summary.csv)",
		         dir);
		return -1;
	}
	size_t pl = strlen(dir) + 32;
	char *sp = malloc(pl), *tp = malloc(pl), *xp = malloc(pl);
	struct target_set *resp = NULL;
	struct target_map *mpc = target_map_new();
	struct walk w;
	memset(&w, 0, sizeof w);
	w.as.index = target_map_new();
	w.cc.index = target_map_new();
	int rc = -1;
	if (!sp || !tp || !xp || !mpc || !w.as.index || !w.cc.index || !(out->dir = strdup(dir))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	snprintf(sp, pl, "%s/summary.csv", dir);
	snprintf(tp, pl, "%s/targets.csv", dir);
	snprintf(xp, pl, "%s/targets.sets", dir);
	if (read_label(sp, &out->label, err, errlen) != 0)
		goto out;
	const char *names[1] = { "responsive" };
	if (target_sets_read(xp, names, &resp, 1, err, errlen) != 0)
		goto out;
	if (read_targets_csv(tp, mpc, err, errlen) != 0)
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
		out->mpcapable++;
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
	free(sp);
	free(tp);
	free(xp);
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
