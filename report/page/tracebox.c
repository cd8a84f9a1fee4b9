/* tracebox.c — the report's tracebox.csv and trace-hops.csv: the classes of
 * `mpcap trace`'s classification.csv (else its destinations.csv) per scan,
 * IP version and port — one trace directory per scan, matched by the scan
 * column of classification.csv — each scan's tracebox-confirmed counts, and
 * the hop at which destinations.csv saw MP_CAPABLE first changed.  Those
 * files are read whole (csv_io.h), columns by name. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyzer/base/csv_io.h"
#include "report/page/report_internal.h"

/* -------------------------------------------------------------- tracebox */

static int trace_class_of(const char *name)
{
	static const char *const names[FIG_TRACE_NCLASSES] = {
		[FIG_TC_TRUE] = "true-mptcp",         [FIG_TC_MIDDLEBOX] = "middlebox",
		[FIG_TC_UNREACHABLE] = "unreachable", [FIG_TC_NO_MPTCP] = "no-mptcp",
		[FIG_TC_UNVERIFIED] = "unverified",   [FIG_TC_UNTRACED] = "untraced",
	};
	for (int i = 0; i < FIG_TRACE_NCLASSES; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

static const char *trace_class_name(int c)
{
	static const char *const names[FIG_TRACE_NCLASSES] = {
		[FIG_TC_TRUE] = "true-mptcp",         [FIG_TC_MIDDLEBOX] = "middlebox",
		[FIG_TC_UNREACHABLE] = "unreachable", [FIG_TC_NO_MPTCP] = "no-mptcp",
		[FIG_TC_UNVERIFIED] = "unverified",   [FIG_TC_UNTRACED] = "untraced",
	};
	return names[c];
}

static int unsigned_cmp(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return x < y ? -1 : x > y;
}

static int change_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

struct hop_row {
	uint8_t family;
	uint16_t port;
	unsigned hop;
	char change[32];
	uint64_t n;
};

static int hop_row_cmp(const void *a, const void *b)
{
	const struct hop_row *x = a, *y = b;
	if (x->family != y->family)
		return x->family - y->family;
	if (x->port != y->port)
		return (int)x->port - (int)y->port;
	if (x->hop != y->hop)
		return x->hop < y->hop ? -1 : 1;
	return strcmp(x->change, y->change);
}

/* Class counts of one (scan, family, port); scan -1: a trace run without
 * --targets, not tied to a scan. */
struct tgroup {
	int scan;
	uint8_t family;
	uint16_t port;
	uint64_t n[FIG_TRACE_NCLASSES];
};

struct tgroups {
	size_t n, cap;
	struct tgroup *v;
};

static struct tgroup *tgroup_get(struct tgroups *g, int scan, uint8_t family, uint16_t port)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->v[i].scan == scan && g->v[i].family == family && g->v[i].port == port)
			return &g->v[i];
	if (g->n == g->cap) {
		size_t nc = g->cap ? g->cap * 2 : 16;
		struct tgroup *n = realloc(g->v, nc * sizeof *n);
		if (!n)
			return NULL;
		g->v = n;
		g->cap = nc;
	}
	g->v[g->n] = (struct tgroup){ .scan = scan, .family = family, .port = port };
	return &g->v[g->n++];
}

static int tgroup_cmp(const void *a, const void *b)
{
	const struct tgroup *x = a, *y = b;
	unsigned xs = (unsigned)x->scan, ys = (unsigned)y->scan; /* -1 (no scan) last */
	if (xs != ys)
		return xs < ys ? -1 : 1;
	if (x->family != y->family)
		return x->family - y->family;
	return (int)x->port - (int)y->port;
}

static int scan_index(const struct report *r, const char *label)
{
	for (size_t s = 0; s < r->nscans; s++)
		if (strcmp(r->scans[s].label, label) == 0)
			return (int)s;
	return -1;
}

/* The classes of one trace directory into g: classification.csv's rows under
 * their scan (every scan named must be one of the report's, traced once),
 * else destinations.csv's under no scan. */
static int count_classes(struct report *r, const char *dir, const struct csv_table *dt,
                         const struct csv_table *ct, struct tgroups *g, char *err, size_t errlen)
{
	const struct csv_table *src = ct ? ct : dt;
	const char *file = ct ? "classification.csv" : "destinations.csv";
	enum column_set_id sid = ct ? COLSET_TRACE_CLASSES : COLSET_TRACE_DESTS;
	int sf = csv_table_col(src, column_name(sid, ct ? TCLS_FAMILY : TDEST_FAMILY)),
	    sp = csv_table_col(src, column_name(sid, ct ? TCLS_PORT : TDEST_PORT)),
	    sc = csv_table_col(src, column_name(sid, ct ? TCLS_CLASS : TDEST_CLASS)),
	    ss = ct ? csv_table_col(src, column_name(sid, TCLS_SCAN)) : -1;
	if (sf < 0 || sp < 0 || sc < 0 || (ct && ss < 0)) {
		snprintf(err, errlen, "--trace %s: %s lacks %s", dir, file,
		         ct ? "scan, family, port or class" : "family, port or class");
		return -1;
	}
	bool *mine = calloc(r->nscans + 1, sizeof *mine);
	if (!mine)
		return rp_oom(err, errlen);
	int rc = -1;
	for (size_t i = 0; i < src->nrows; i++) {
		unsigned long fam, port;
		if (!rp_parse_ulong(src->rows[i][sf], 6, &fam) ||
		    !rp_parse_ulong(src->rows[i][sp], 65535, &port))
			continue;
		int c = trace_class_of(src->rows[i][sc]);
		if (c < 0) {
			snprintf(err, errlen, "--trace %s: %s row %zu: unknown class '%s'", dir, file, i + 2,
			         src->rows[i][sc]);
			goto out;
		}
		int s = -1;
		if (ct) {
			s = scan_index(r, src->rows[i][ss]);
			if (s < 0) {
				snprintf(
				    err, errlen,
				    "--trace %s: classification.csv row %zu names scan '%s', which is none "
				    "of the results given",
				    dir, i + 2, src->rows[i][ss]);
				goto out;
			}
			if (r->scans[s].traced && !mine[s]) {
				snprintf(err, errlen, "--trace %s: scan '%s' already has a trace directory",
				         dir, r->scans[s].label);
				goto out;
			}
			mine[s] = true;
		}
		struct tgroup *e = tgroup_get(g, s, (uint8_t)fam, (uint16_t)port);
		if (!e) {
			rp_oom(err, errlen);
			goto out;
		}
		e->n[c]++;
	}
	for (size_t s = 0; s < r->nscans; s++)
		if (mine[s] && !r->scans[s].traced) {
			r->scans[s].traced = true;
			r->ntraced++;
		}
	rc = 0;
out:
	free(mine);
	return rc;
}

/* tracebox.csv, the chart's groups and each scan's confirmed counts from g. */
static int class_rows(struct report *r, struct tgroups *g, char *err, size_t errlen)
{
	if (g->n > 1) /* qsort(NULL, 0) is undefined */
		qsort(g->v, g->n, sizeof *g->v, tgroup_cmp);
	/* the chart: the latest traced scan (scans are in label order), else the untargeted rows */
	r->trace_chart_scan = -1;
	for (size_t s = 0; s < r->nscans; s++)
		if (r->scans[s].traced)
			r->trace_chart_scan = (int)s;
	r->trace_group_labels = calloc(g->n + 1, sizeof *r->trace_group_labels);
	r->trace_counts = calloc(g->n * FIG_TRACE_NCLASSES + 1, sizeof *r->trace_counts);
	if (!r->trace_group_labels || !r->trace_counts)
		return rp_oom(err, errlen);
	r->ntrace_groups = 0;
	for (size_t i = 0; i < g->n; i++) {
		const struct tgroup *e = &g->v[i];
		uint64_t tot = 0;
		for (int c = 0; c < FIG_TRACE_NCLASSES; c++)
			tot += e->n[c];
		uint64_t traced = tot - e->n[FIG_TC_UNTRACED]; /* the chart's n: its bars are of these */
		const char *scan = e->scan >= 0 ? r->scans[e->scan].label : "";
		bool drawn = e->scan == r->trace_chart_scan;
		size_t gi = r->ntrace_groups;
		if (drawn) {
			snprintf(r->trace_group_labels[gi], sizeof r->trace_group_labels[gi],
			         "IPv%u/%u (n\xc2\xa0=\xc2\xa0%llu)" /* no break inside "n = 12" */,
			         e->family, e->port, (unsigned long long)traced);
			r->ntrace_groups++;
		}
		for (int c = 0; c < FIG_TRACE_NCLASSES; c++) {
			uint64_t v = e->n[c];
			if (drawn)
				r->trace_counts[gi * FIG_TRACE_NCLASSES + (size_t)c] = (double)v;
			if (c == FIG_TC_UNTRACED && e->scan < 0)
				continue;
			char fam[4], port[8], n[24], sh[32];
			snprintf(fam, sizeof fam, "%u", e->family);
			snprintf(port, sizeof port, "%u", e->port);
			rp_fmt_u64(v, n, sizeof n);
			rp_fmt_share(v, tot, sh, sizeof sh);
			const char *f[] = { scan, fam, port, trace_class_name(c), n, sh };
			if (rp_table_add(&r->tracebox, f) != 0)
				return rp_oom(err, errlen);
		}
		if (e->scan < 0)
			continue;
		struct rp_scan *sc = &r->scans[e->scan];
		struct rp_scan_trace *nt = realloc(sc->trace, (sc->ntrace + 1) * sizeof *nt);
		if (!nt)
			return rp_oom(err, errlen);
		sc->trace = nt;
		nt[sc->ntrace].family = e->family;
		nt[sc->ntrace].port = e->port;
		memcpy(nt[sc->ntrace].n, e->n, sizeof e->n);
		sc->ntrace++;
	}
	return 0;
}

/* The first hop whose quote shows the option changed, per destination of dt,
 * added to *hops. */
static int count_hops(const char *dir, const struct csv_table *dt, struct hop_row **hops, size_t *nh,
                      size_t *caph, char *err, size_t errlen)
{
	int df = csv_table_col(dt, column_name(COLSET_TRACE_DESTS, TDEST_FAMILY)),
	    dpo = csv_table_col(dt, column_name(COLSET_TRACE_DESTS, TDEST_PORT)),
	    dh = csv_table_col(dt, column_name(COLSET_TRACE_DESTS, TDEST_MPC_CHANGED_HOP)),
	    dc = csv_table_col(dt, column_name(COLSET_TRACE_DESTS, TDEST_MPC_CHANGE));
	if (df < 0 || dpo < 0 || dh < 0 || dc < 0) {
		snprintf(err, errlen,
		         "--trace %s: destinations.csv lacks family, port, mpc_changed_hop or mpc_change",
		         dir);
		return -1;
	}
	for (size_t i = 0; i < dt->nrows; i++) {
		unsigned long fam, port, hop;
		char **row = dt->rows[i];
		if (!rp_parse_ulong(row[dh], 255, &hop) || hop == 0 || !rp_parse_ulong(row[df], 6, &fam) ||
		    !rp_parse_ulong(row[dpo], 65535, &port))
			continue;
		/* every row appended, then sorted and merged once all directories are
		 * read: n log n (a search of the rows so far made it quadratic) */
		if (*nh == *caph) {
			size_t nc = *caph ? *caph * 2 : 32;
			struct hop_row *n = realloc(*hops, nc * sizeof *n);
			if (!n)
				return rp_oom(err, errlen);
			*hops = n;
			*caph = nc;
		}
		(*hops)[*nh] = (struct hop_row){ (uint8_t)fam, (uint16_t)port, (unsigned)hop, "", 1 };
		snprintf((*hops)[*nh].change, sizeof(*hops)[*nh].change, "%s", row[dc]);
		(*nh)++;
	}
	return 0;
}

/* Reads DIR/destinations.csv (required) and DIR/classification.csv (when
 * there). */
static int read_trace_dir(const char *dir, struct csv_table *dt, struct csv_table *ct, bool *have_class,
                          char *err, size_t errlen)
{
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "--trace %s: not a directory (want the DIR of 'mpcap trace -o DIR')",
		         dir);
		return -1;
	}
	char *dp = rp_path_join(dir, "destinations.csv"), *cp = rp_path_join(dir, "classification.csv");
	int rc = -1;
	if (!dp || !cp) {
		rp_oom(err, errlen);
		goto out;
	}
	if (!rp_is_file(dp)) {
		snprintf(err, errlen, "--trace %s: no destinations.csv (written by 'mpcap trace')", dir);
		goto out;
	}
	*have_class = rp_is_file(cp);
	if (csv_table_read(dp, dt, err, errlen) != 0)
		goto out;
	if (*have_class && csv_table_read(cp, ct, err, errlen) != 0) {
		csv_table_free(dt);
		goto out;
	}
	rc = 0;
out:
	free(dp);
	free(cp);
	return rc;
}

int rp_build_trace(struct report *r, const char *const *dirs, size_t ndirs, char *err, size_t errlen)
{
	struct tgroups g = { 0, 0, NULL };
	struct hop_row *hops = NULL;
	size_t nh = 0, caph = 0, ndests = 0;
	bool untargeted = false;
	int rc = -1;
	for (size_t d = 0; d < ndirs; d++) {
		struct csv_table dt, ct;
		bool have_class = false;
		memset(&ct, 0, sizeof ct);
		if (read_trace_dir(dirs[d], &dt, &ct, &have_class, err, errlen) != 0)
			goto out;
		int s = count_classes(r, dirs[d], &dt, have_class ? &ct : NULL, &g, err, errlen);
		if (s == 0)
			s = count_hops(dirs[d], &dt, &hops, &nh, &caph, err, errlen);
		ndests += dt.nrows;
		untargeted |= !have_class;
		csv_table_free(&dt);
		if (have_class)
			csv_table_free(&ct);
		if (s != 0)
			goto out;
	}
	if (class_rows(r, &g, err, errlen) != 0)
		goto out;
	if (nh > 1) { /* qsort(NULL, 0) is undefined */
		qsort(hops, nh, sizeof *hops, hop_row_cmp);
		size_t o = 0;
		for (size_t k = 1; k < nh; k++) {
			if (hop_row_cmp(&hops[o], &hops[k]) == 0)
				hops[o].n += hops[k].n;
			else
				hops[++o] = hops[k];
		}
		nh = o + 1;
	}
	/* the chart: hops with a change (no empty hop) x change types, both families together */
	r->hops = calloc(nh + 1, sizeof *r->hops);
	r->hop_changes = calloc(nh + 1, sizeof *r->hop_changes);
	r->hop_counts = calloc(nh * nh + 1, sizeof *r->hop_counts);
	if (!r->hops || !r->hop_changes || !r->hop_counts) {
		rp_oom(err, errlen);
		goto out;
	}
	for (size_t k = 0; k < nh; k++) {
		size_t i = 0;
		while (i < r->nhops && r->hops[i] != hops[k].hop)
			i++;
		if (i == r->nhops)
			r->hops[r->nhops++] = hops[k].hop;
		for (i = 0; i < r->nhop_changes && strcmp(r->hop_changes[i], hops[k].change) != 0; i++)
			;
		if (i == r->nhop_changes)
			snprintf(r->hop_changes[r->nhop_changes++], sizeof r->hop_changes[0], "%s",
			         hops[k].change);
	}
	if (r->nhops > 1)
		qsort(r->hops, r->nhops, sizeof *r->hops, unsigned_cmp);
	if (r->nhop_changes > 1)
		qsort(r->hop_changes, r->nhop_changes, sizeof *r->hop_changes, change_cmp);
	uint64_t changed = 0;
	for (size_t k = 0; k < nh; k++) {
		char fam[4], port[8], hop[8], n[24];
		snprintf(fam, sizeof fam, "%u", hops[k].family);
		snprintf(port, sizeof port, "%u", hops[k].port);
		snprintf(hop, sizeof hop, "%u", hops[k].hop);
		rp_fmt_u64(hops[k].n, n, sizeof n);
		const char *f[] = { fam, port, hop, hops[k].change, n };
		if (rp_table_add(&r->trace_hops, f) != 0) {
			rp_oom(err, errlen);
			goto out;
		}
		size_t hi = 0, ci = 0;
		while (r->hops[hi] != hops[k].hop)
			hi++;
		while (strcmp(r->hop_changes[ci], hops[k].change) != 0)
			ci++;
		r->hop_counts[ci * r->nhops + hi] += (double)hops[k].n;
		changed += hops[k].n;
	}
	snprintf(r->hops_note, sizeof r->hops_note,
	         "%llu of %zu traced destinations show MP_CAPABLE changed on the path.",
	         (unsigned long long)changed, ndests);
	/* which scans the classes are of: no file path, the scans by label */
	size_t o = 0;
	o += (size_t)snprintf(r->trace_note + o, sizeof r->trace_note - o, "%s",
	                      r->ntraced ? "Traced: " : "No scan traced with --targets.");
	for (size_t s = 0, k = 0; s < r->nscans && o < sizeof r->trace_note; s++)
		if (r->scans[s].traced)
			o += (size_t)snprintf(r->trace_note + o, sizeof r->trace_note - o, "%s%s",
			                      k++ ? ", " : "", r->scans[s].label);
	if (r->ntraced < r->nscans && o < sizeof r->trace_note) {
		o += (size_t)snprintf(r->trace_note + o, sizeof r->trace_note - o,
		                      "%s untraced: ", r->ntraced ? ";" : "");
		for (size_t s = 0, k = 0; s < r->nscans && o < sizeof r->trace_note; s++)
			if (!r->scans[s].traced)
				o += (size_t)snprintf(r->trace_note + o, sizeof r->trace_note - o, "%s%s",
				                      k++ ? ", " : "", r->scans[s].label);
	}
	if (untargeted && o < sizeof r->trace_note)
		snprintf(r->trace_note + o, sizeof r->trace_note - o,
		         " (rows without a scan: traced destinations of a trace run without --targets)");
	else if (o < sizeof r->trace_note)
		snprintf(r->trace_note + o, sizeof r->trace_note - o, ".");
	r->have_trace = true;
	rc = 0;
out:
	free(g.v);
	free(hops);
	return rc;
}
