/* dropped.c — the report's charts of paths that drop MP_CAPABLE (A/B scans:
 * a plain SYN and MP_CAPABLE SYNs, RFC 8684 §3.1 / RFC 6824 §3.1, to each
 * target; docs/methodology.md, "Paths that drop MP_CAPABLE").
 *
 * Per scan, IP version and port, from summary.csv: mpc-dropped targets
 * (verdict.mpc-dropped) out of those that answered the plain SYN
 * (targets.responsive minus verdict.plain-dropped), as a share; per AS, from
 * the dropped_by_as.csv of `mpcap attribute` when --attribution names one.
 * A scan is an A/B scan when its summary.csv has abtest.targets.
 */
#include <stdlib.h>
#include <string.h>

#include "analyzer/base/csv_io.h"
#include "report/page/report.h"

struct bars {
	size_t n, cap;
	char **labels;
	double *values;
};

static int bars_add(struct bars *b, const char *label, double v)
{
	if (b->n == b->cap) {
		size_t nc = b->cap ? 2 * b->cap : 16;
		char **nl = realloc(b->labels, nc * sizeof *nl);
		if (!nl)
			return -1;
		b->labels = nl;
		double *nv = realloc(b->values, nc * sizeof *nv);
		if (!nv)
			return -1;
		b->values = nv;
		b->cap = nc;
	}
	if (!(b->labels[b->n] = strdup(label)))
		return -1;
	b->values[b->n++] = v;
	return 0;
}

static void bars_free(struct bars *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->labels[i]);
	free(b->labels);
	free(b->values);
	memset(b, 0, sizeof *b);
}

bool report_dropped_present(const struct report *r)
{
	uint64_t v;
	for (size_t i = 0; i < r->nscans; i++)
		if (summary_csv_value(&r->scans[i].rd.summary, "abtest.targets", 0, 0, &v))
			return true;
	return false;
}

static uint64_t value_or_0(const struct summary_csv *s, const char *counter, uint8_t family, uint16_t port)
{
	uint64_t v = 0;
	return summary_csv_value(s, counter, family, port, &v) ? v : 0;
}

/* One bar per A/B scan, family and port: the share of mpc-dropped targets. */
static int port_bars(const struct report *r, struct bars *b, uint64_t *dropped, uint64_t *plain)
{
	*dropped = *plain = 0;
	uint64_t v;
	for (size_t i = 0; i < r->nscans; i++) {
		const struct summary_csv *s = &r->scans[i].rd.summary;
		if (!summary_csv_value(s, "abtest.targets", 0, 0, &v))
			continue;
		for (size_t k = 0; k < s->n; k++) {
			const struct summary_row *row = &s->rows[k];
			if (!row->family || strcmp(row->counter, "verdict.mpc-dropped") != 0)
				continue;
			uint64_t resp = value_or_0(s, "targets.responsive", row->family, row->port);
			uint64_t pd = value_or_0(s, "verdict.plain-dropped", row->family, row->port);
			uint64_t ans = resp > pd ? resp - pd : 0;
			char label[160];
			snprintf(label, sizeof label, "%s%sIPv%u port %u: %llu of %llu",
			         r->nscans > 1 ? r->scans[i].label : "", r->nscans > 1 ? ", " : "",
			         row->family, row->port, (unsigned long long)row->value,
			         (unsigned long long)ans);
			if (bars_add(b, label, ans ? 100.0 * (double)row->value / (double)ans : 0) != 0)
				return -1;
			*dropped += row->value;
			*plain += ans;
		}
	}
	return 0;
}

/* The ASes of DIR/dropped_by_as.csv with the most mpc-dropped targets (all
 * scans, families and ports together), up to top. */
static int as_bars(const char *attr_dir, size_t top, struct bars *b, char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/dropped_by_as.csv", attr_dir);
	struct csv_table t;
	if (csv_table_read(path, &t, err, errlen) != 0)
		return -1;
	int ca = csv_table_col(&t, "asn"), cn = csv_table_col(&t, "as_name"),
	    cd = csv_table_col(&t, "mpc_dropped"), cp = csv_table_col(&t, "answered_plain");
	if (ca < 0 || cn < 0 || cd < 0 || cp < 0) {
		snprintf(err, errlen, "%s: not a dropped_by_as.csv of mpcap attribute (a column is missing)",
		         path);
		csv_table_free(&t);
		return -1;
	}
	/* sum per AS, then pick the largest (the tables are small) */
	struct agg {
		const char *asn, *name;
		uint64_t dropped, plain;
	} *a = calloc(t.nrows ? t.nrows : 1, sizeof *a);
	size_t na = 0;
	int rc = a ? 0 : -1;
	for (size_t i = 0; i < t.nrows && rc == 0; i++) {
		char *const *f = t.rows[i];
		if (strcmp(f[ca], "unknown") == 0)
			continue;
		size_t j = 0;
		while (j < na && strcmp(a[j].asn, f[ca]) != 0)
			j++;
		if (j == na)
			a[na++] = (struct agg){ f[ca], f[cn], 0, 0 };
		a[j].dropped += strtoull(f[cd], NULL, 10);
		a[j].plain += strtoull(f[cp], NULL, 10);
	}
	for (size_t k = 0; k < top && rc == 0; k++) {
		size_t best = SIZE_MAX;
		for (size_t j = 0; j < na; j++)
			if (a[j].dropped &&
			    (best == SIZE_MAX || a[j].dropped > a[best].dropped ||
			     (a[j].dropped == a[best].dropped &&
			      strtoull(a[j].asn, NULL, 10) < strtoull(a[best].asn, NULL, 10))))
				best = j;
		if (best == SIZE_MAX)
			break;
		char label[512]; /* the name whole: the chart wraps it, never cuts it */
		snprintf(label, sizeof label, "AS%s, %llu of %llu: %s", a[best].asn,
		         (unsigned long long)a[best].dropped, (unsigned long long)a[best].plain,
		         a[best].name);
		rc = bars_add(b, label, (double)a[best].dropped);
		a[best].dropped = 0;
	}
	if (rc != 0)
		snprintf(err, errlen, "out of memory");
	free(a);
	csv_table_free(&t);
	return rc;
}

bool report_dropped_have_as(const char *attr_dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/dropped_by_as.csv", attr_dir ? attr_dir : "");
	FILE *fp = attr_dir ? fopen(path, "r") : NULL;
	if (fp)
		fclose(fp);
	return fp != NULL;
}

int report_dropped_chart(const struct report *r, bool by_as, const char *attr_dir, size_t top,
                         struct rp_figure *f, const struct chart_output *o, FILE *fp,
                         struct chart_layout *lay, char *err, size_t errlen)
{
	struct bars b = { 0 };
	uint64_t dropped = 0, plain = 0;
	int rc = by_as ? as_bars(attr_dir, top, &b, err, errlen) : port_bars(r, &b, &dropped, &plain);
	if (rc != 0) {
		if (!err[0])
			snprintf(err, errlen, "out of memory");
		bars_free(&b);
		return -1;
	}
	/* the title names the A/B scans; the counts go into the caption, not the image */
	const char *first = NULL, *last = NULL;
	for (size_t i = 0; i < r->nscans; i++)
		if (summary_csv_value(&r->scans[i].rd.summary, "abtest.targets", 0, 0, &(uint64_t){ 0 })) {
			first = first ? first : r->scans[i].label;
			last = r->scans[i].label;
		}
	char scans[160] = "";
	if (first && strcmp(first, last) != 0)
		snprintf(scans, sizeof scans, " — scans %s to %s", first, last);
	else if (first)
		snprintf(scans, sizeof scans, " — scan %s", first);
	if (by_as) {
		snprintf(f->title, sizeof f->title, "ASes with the most paths that drop MP_CAPABLE%s", scans);
		snprintf(
		    f->caption, sizeof f->caption,
		    "The %zu ASes with the most mpc-dropped targets (answered the plain SYN, never an "
		    "MP_CAPABLE SYN of some version, retries included), all A/B scans, IP versions and ports "
		    "together, from the dropped_by_as.csv of 'mpcap attribute' (%s); labels give the AS "
		    "number, its mpc-dropped targets of those that answered the plain SYN, and its name.",
		    b.n, attr_dir);
	} else {
		snprintf(f->title, sizeof f->title, "Paths that drop MP_CAPABLE, per IP version and port%s",
		         scans);
		snprintf(
		    f->caption, sizeof f->caption,
		    "Per A/B scan (a plain SYN and MP_CAPABLE SYNs to each target), IP version and port: "
		    "the share of targets that answered the plain SYN and never an MP_CAPABLE SYN of some "
		    "version, retries included (verdict mpc-dropped), of those that answered the plain SYN "
		    "(responsive targets that are not plain-dropped); labels give the counts. From each "
		    "scan's summary.csv. Together: %llu of %llu.",
		    (unsigned long long)dropped, (unsigned long long)plain);
	}
	struct fig_ranking fr = { .title = f->title,
		                  .value_title = by_as ? "mpc-dropped targets (count)"
		                                       : "mpc-dropped (% of targets that answered plain)",
		                  .n = b.n,
		                  .labels = (const char *const *)b.labels,
		                  .values = b.values,
		                  .color = CHART_VERMILLION,
		                  .no_data = by_as ? "no AS has an mpc-dropped target" : "no A/B scan" };
	rc = fig_ranking(&fr, o, fp, lay, err, errlen);
	bars_free(&b);
	return rc;
}

void report_dropped_none(struct rp_figure *f)
{
	snprintf(f->title, sizeof f->title, "Paths that drop MP_CAPABLE");
	snprintf(f->caption, sizeof f->caption,
	         "No scan has A/B probes (a plain SYN and an MP_CAPABLE SYN to each target), so there is no "
	         "chart of paths that drop MP_CAPABLE.");
}
