/* tracebox.c — the report's tracebox.csv and trace-hops.csv: the classes of
 * `mpcap trace`'s classification.csv (else its destinations.csv) per IP
 * version and port, and the hop at which destinations.csv saw MP_CAPABLE
 * first changed.  Those files are read whole (csv_io.h), columns by name. */
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

int rp_build_trace(struct report *r, const char *dir, char *err, size_t errlen)
{
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "--trace %s: not a directory (want the DIR of 'mpcap trace -o DIR')",
		         dir);
		return -1;
	}
	char *dp = rp_path_join(dir, "destinations.csv"), *cp = rp_path_join(dir, "classification.csv");
	if (!dp || !cp) {
		free(dp);
		free(cp);
		return rp_oom(err, errlen);
	}
	if (!rp_is_file(dp)) {
		snprintf(err, errlen, "--trace %s: no destinations.csv (written by 'mpcap trace')", dir);
		free(dp);
		free(cp);
		return -1;
	}
	struct csv_table dt, ct;
	memset(&ct, 0, sizeof ct);
	bool have_class = rp_is_file(cp);
	int rc = csv_table_read(dp, &dt, err, errlen);
	if (rc == 0 && have_class && csv_table_read(cp, &ct, err, errlen) != 0) {
		csv_table_free(&dt);
		rc = -1;
	}
	free(dp);
	free(cp);
	if (rc != 0)
		return -1;
	const struct csv_table *src = have_class ? &ct : &dt;
	snprintf(r->trace_source, sizeof r->trace_source, "%s",
	         have_class ? "classification.csv" : "destinations.csv");
	enum column_set_id sid = have_class ? COLSET_TRACE_CLASSES : COLSET_TRACE_DESTS;
	int sf = csv_table_col(src, column_name(sid, have_class ? TCLS_FAMILY : TDEST_FAMILY)),
	    sp = csv_table_col(src, column_name(sid, have_class ? TCLS_PORT : TDEST_PORT)),
	    sc = csv_table_col(src, column_name(sid, have_class ? TCLS_CLASS : TDEST_CLASS));
	int df = csv_table_col(&dt, column_name(COLSET_TRACE_DESTS, TDEST_FAMILY)),
	    dpo = csv_table_col(&dt, column_name(COLSET_TRACE_DESTS, TDEST_PORT)),
	    dh = csv_table_col(&dt, column_name(COLSET_TRACE_DESTS, TDEST_MPC_CHANGED_HOP)),
	    dc = csv_table_col(&dt, column_name(COLSET_TRACE_DESTS, TDEST_MPC_CHANGE));
	struct rp_fp_list fps = { 0, 0, NULL };
	uint64_t *cnt = NULL;
	struct hop_row *hops = NULL;
	size_t nh = 0, caph = 0;
	rc = -1;
	if (sf < 0 || sp < 0 || sc < 0 || df < 0 || dpo < 0 || dh < 0 || dc < 0) {
		snprintf(err, errlen,
		         "--trace %s: %s lacks family, port, class (or mpc_changed_hop, mpc_change)", dir,
		         src == &ct ? "classification.csv" : "destinations.csv");
		goto out;
	}
	for (size_t i = 0; i < src->nrows; i++) {
		unsigned long fam, port;
		if (!rp_parse_ulong(src->rows[i][sf], 6, &fam) ||
		    !rp_parse_ulong(src->rows[i][sp], 65535, &port))
			continue;
		if (rp_fp_index(&fps, (uint8_t)fam, (uint16_t)port, true) < -1)
			goto oom_out;
	}
	if (fps.n > 1) /* qsort(NULL, 0) is undefined */
		qsort(fps.v, fps.n, sizeof *fps.v, rp_fp_cmp);
	cnt = calloc(fps.n * FIG_TRACE_NCLASSES + 1, sizeof *cnt);
	if (!cnt)
		goto oom_out;
	for (size_t i = 0; i < src->nrows; i++) {
		unsigned long fam, port;
		if (!rp_parse_ulong(src->rows[i][sf], 6, &fam) ||
		    !rp_parse_ulong(src->rows[i][sp], 65535, &port))
			continue;
		int c = trace_class_of(src->rows[i][sc]);
		if (c < 0) {
			snprintf(err, errlen, "--trace: %s row %zu: unknown class '%s'", r->trace_source,
			         i + 2, src->rows[i][sc]);
			goto out;
		}
		int fi = rp_fp_index(&fps, (uint8_t)fam, (uint16_t)port, false);
		cnt[(size_t)fi * FIG_TRACE_NCLASSES + (size_t)c]++;
	}
	r->ntrace_groups = fps.n;
	r->trace_group_labels = calloc(fps.n + 1, sizeof *r->trace_group_labels);
	r->trace_counts = calloc(fps.n * FIG_TRACE_NCLASSES + 1, sizeof *r->trace_counts);
	if (!r->trace_group_labels || !r->trace_counts)
		goto oom_out;
	for (size_t g = 0; g < fps.n; g++) {
		uint64_t tot = 0;
		for (int c = 0; c < FIG_TRACE_NCLASSES; c++)
			tot += cnt[g * FIG_TRACE_NCLASSES + (size_t)c];
		snprintf(r->trace_group_labels[g], sizeof r->trace_group_labels[g], "IPv%u/%u (n = %llu)",
		         fps.v[g].family, fps.v[g].port, (unsigned long long)tot);
		for (int c = 0; c < FIG_TRACE_NCLASSES; c++) {
			uint64_t v = cnt[g * FIG_TRACE_NCLASSES + (size_t)c];
			r->trace_counts[g * FIG_TRACE_NCLASSES + (size_t)c] = (double)v;
			if (c == FIG_TC_UNTRACED && !have_class)
				continue;
			char fam[4], port[8], n[24], sh[32];
			snprintf(fam, sizeof fam, "%u", fps.v[g].family);
			snprintf(port, sizeof port, "%u", fps.v[g].port);
			rp_fmt_u64(v, n, sizeof n);
			rp_fmt_share(v, tot, sh, sizeof sh);
			const char *f[] = { fam, port, trace_class_name(c), n, sh };
			if (rp_table_add(&r->tracebox, f) != 0)
				goto oom_out;
		}
	}
	/* hops: first hop whose quote shows the option changed */
	unsigned maxhop = 0;
	for (size_t i = 0; i < dt.nrows; i++) {
		unsigned long fam, port, hop;
		char **row = dt.rows[i];
		if (!rp_parse_ulong(row[dh], 255, &hop) || hop == 0 || !rp_parse_ulong(row[df], 6, &fam) ||
		    !rp_parse_ulong(row[dpo], 65535, &port))
			continue;
		if (hop > maxhop)
			maxhop = (unsigned)hop;
		/* every row appended, then sorted and merged: n log n (a search of
		 * the rows so far made it quadratic in destinations) */
		if (nh == caph) {
			size_t nc = caph ? caph * 2 : 32;
			struct hop_row *n = realloc(hops, nc * sizeof *n);
			if (!n)
				goto oom_out;
			hops = n;
			caph = nc;
		}
		hops[nh] = (struct hop_row){ (uint8_t)fam, (uint16_t)port, (unsigned)hop, "", 1 };
		snprintf(hops[nh].change, sizeof hops[nh].change, "%s", row[dc]);
		nh++;
	}
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
	/* one empty hop after the last change, and at least 5 hops, so the bars stand in context */
	r->nhops = maxhop ? (maxhop + 1 > 5 ? maxhop + 1 : 5) : 0;
	r->hops4 = calloc(r->nhops + 1, sizeof(double));
	r->hops6 = calloc(r->nhops + 1, sizeof(double));
	if (!r->hops4 || !r->hops6)
		goto oom_out;
	for (size_t k = 0; k < nh; k++) {
		char fam[4], port[8], hop[8], n[24];
		snprintf(fam, sizeof fam, "%u", hops[k].family);
		snprintf(port, sizeof port, "%u", hops[k].port);
		snprintf(hop, sizeof hop, "%u", hops[k].hop);
		rp_fmt_u64(hops[k].n, n, sizeof n);
		const char *f[] = { fam, port, hop, hops[k].change, n };
		if (rp_table_add(&r->trace_hops, f) != 0)
			goto oom_out;
		(hops[k].family == 4 ? r->hops4 : r->hops6)[hops[k].hop - 1] += (double)hops[k].n;
	}
	uint64_t changed = 0;
	for (size_t k = 0; k < nh; k++)
		changed += hops[k].n;
	snprintf(
	    r->hops_note, sizeof r->hops_note,
	    "From %s/destinations.csv: %llu of %zu traced destinations show MP_CAPABLE changed on the path.",
	    dir, (unsigned long long)changed, dt.nrows);
	snprintf(r->trace_note, sizeof r->trace_note, "From %s/%s%s.", dir, r->trace_source,
	         have_class ? " (final class of every MP_CAPABLE responder of the traced scan)"
	                    : " (class of every traced destination)");
	r->have_trace = true;
	rc = 0;
	goto out;
oom_out:
	rp_oom(err, errlen);
out:
	free(fps.v);
	free(cnt);
	free(hops);
	csv_table_free(&dt);
	if (have_class)
		csv_table_free(&ct);
	return rc;
}
