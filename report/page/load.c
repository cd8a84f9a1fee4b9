/* load.c — `mpcap report`'s inputs: each scan's results directory read
 * through analyzer/results (summary.csv, targets.csv streamed once into
 * rp_target rows and into the longitudinal join), then every section built
 * (report_internal.h); and the small helpers the sections share. */
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plots/chart.h"
#include "report/page/report_internal.h"

/* ------------------------------------------------------------- helpers */

void rp_fmt_u64(uint64_t v, char *buf, size_t n)
{
	snprintf(buf, n, "%llu", (unsigned long long)v);
}

void rp_fmt_share(uint64_t num, uint64_t den, char *buf, size_t n)
{
	if (den == 0)
		buf[0] = '\0';
	else
		snprintf(buf, n, "%.6f", (double)num / (double)den);
}

void rp_fmt_double(double v, char *buf, size_t n)
{
	if (!isfinite(v))
		buf[0] = '\0';
	else
		snprintf(buf, n, "%.6g", v);
}

void rp_fmt_p(double p, char *buf, size_t n)
{
	ks_format_p(p, buf, n);
}

void rp_fmt_count(double v, char *buf, size_t n)
{
	chart_format_number(v, 0, buf, n);
}

bool rp_parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > max || *s == '-' || *s == '+' || *s == ' ')
		return false;
	*out = v;
	return true;
}

char *rp_path_join(const char *dir, const char *file)
{
	size_t n = strlen(dir) + strlen(file) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", dir, file);
	return p;
}

bool rp_is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int rp_oom(char *err, size_t errlen)
{
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* ------------------------------------------------- family / port pairs */

int rp_fp_index(struct rp_fp_list *l, uint8_t family, uint16_t port, bool add)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].family == family && l->v[i].port == port)
			return (int)i;
	if (!add)
		return -1;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 8;
		struct rp_fp *nv = realloc(l->v, nc * sizeof *nv);
		if (!nv)
			return -2;
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n].family = family;
	l->v[l->n].port = port;
	return (int)l->n++;
}

int rp_fp_cmp(const void *a, const void *b)
{
	const struct rp_fp *x = a, *y = b;
	if (x->family != y->family)
		return x->family - y->family;
	return (int)x->port - (int)y->port;
}

/* --------------------------------------------------------- loading */

/* The columns of targets.csv the report reads: the join's and the keys. */
#define REPORT_COLUMNS (LONGITUDINAL_COLUMNS | TARGETS_COL(TARGETS_KEY) | TARGETS_COL(TARGETS_PROBE_KEY))

static int scan_label_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rp_scan *)a)->label, ((const struct rp_scan *)b)->label);
}

/* Streams one scan's targets.csv into s->targets and the join; 0 or -1. */
static int load_targets(struct report *r, struct rp_scan *s, char *err, size_t errlen)
{
	struct targets_reader *tr = results_dir_targets(&s->rd, REPORT_COLUMNS, 0, err, errlen);
	if (!tr)
		return -1;
	struct targets_row row;
	size_t cap = 0;
	int rc;
	while ((rc = targets_next(tr, &row, err, errlen)) == 1) {
		char msg[512];
		if (longitudinal_add_target(r->l, &row, msg, sizeof msg) != 0) {
			snprintf(err, errlen, "%s: %s", targets_path(tr), msg);
			rc = -1;
			break;
		}
		if (s->ntargets == cap) {
			size_t nc = cap ? cap * 2 : 1024;
			struct rp_target *nt = realloc(s->targets, nc * sizeof *nt);
			if (!nt) {
				rc = rp_oom(err, errlen);
				break;
			}
			s->targets = nt;
			cap = nc;
		}
		struct rp_target *t = &s->targets[s->ntargets++];
		t->family = row.family;
		memcpy(t->addr, row.addr, 16);
		t->port = row.port;
		t->has_mpc = row.has_mpc;
		t->has_key = row.has_key;
		t->key = row.key;
		t->has_probe = row.has_probe_key;
		t->probe = row.probe_key;
		t->verdict = (uint8_t)row.verdict;
	}
	targets_close(tr);
	return rc;
}

static int load_scans(struct report *r, char *const *dirs, size_t ndirs, char *err, size_t errlen)
{
	r->scans = calloc(ndirs, sizeof *r->scans);
	r->l = longitudinal_new();
	if (!r->scans || !r->l)
		return rp_oom(err, errlen);
	for (size_t i = 0; i < ndirs; i++) {
		struct rp_scan *s = &r->scans[i];
		s->dir = dirs[i];
		if (results_dir_open(&s->rd, dirs[i], err, errlen) != 0)
			return -1;
		r->nscans = i + 1;
		s->label = s->rd.label;
		if (longitudinal_begin_scan(r->l, dirs[i], &s->rd.summary, err, errlen) != 0 ||
		    load_targets(r, s, err, errlen) != 0)
			return -1;
	}
	if (longitudinal_finish(r->l, err, errlen) != 0)
		return -1;
	if (r->nscans > 1) /* qsort(NULL, 0) is undefined */
		qsort(r->scans, r->nscans, sizeof *r->scans, scan_label_cmp);
	return 0;
}

/* ---------------------------------------------------------------- build */

int report_build(struct report *r, const struct rp_options *opt, char *const *dirs, size_t ndirs,
                 const char *const *trace_dirs, size_t ntrace_dirs, const char *attr_dir, char *err,
                 size_t errlen)
{
	memset(r, 0, sizeof *r);
	r->opt = *opt;
	rp_table_init(&r->adoption, COLSET_REPORT_ADOPTION);
	rp_table_init(&r->monthly, COLSET_REPORT_MONTHLY);
	rp_table_init(&r->keystats, COLSET_REPORT_KEYSTATS);
	rp_table_init(&r->weights, COLSET_REPORT_WEIGHTS);
	rp_table_init(&r->bits, COLSET_REPORT_BITS);
	rp_table_init(&r->tracebox, COLSET_REPORT_TRACEBOX);
	rp_table_init(&r->trace_hops, COLSET_REPORT_TRACE_HOPS);
	rp_table_init(&r->top_as, COLSET_REPORT_TOP_AS);
	rp_table_init(&r->countries, COLSET_REPORT_COUNTRIES);
	if (!(opt->alpha > 0 && opt->alpha < 1)) {
		snprintf(err, errlen, "alpha %g: must be in (0, 1)", opt->alpha);
		return -1;
	}
	gsl_set_error_handler_off();
	if (ndirs == 0) {
		snprintf(err, errlen, "no results directory given");
		return -1;
	}
	if (load_scans(r, dirs, ndirs, err, errlen) != 0)
		return -1;
	/* the traces first: the adoption table and the monthly series use each scan's confirmed counts */
	if (ntrace_dirs && rp_build_trace(r, trace_dirs, ntrace_dirs, err, errlen) != 0)
		return -1;
	if (rp_build_counts(r, err, errlen) != 0 || rp_build_keys(r, err, errlen) != 0)
		return -1;
	if (attr_dir && rp_build_rankings(r, attr_dir, err, errlen) != 0)
		return -1;
	return 0;
}

void report_free(struct report *r)
{
	for (size_t i = 0; i < r->nscans; i++) {
		free(r->scans[i].targets);
		free(r->scans[i].trace);
		results_dir_close(&r->scans[i].rd);
	}
	free(r->scans);
	longitudinal_free(r->l);
	rp_table_free(&r->adoption);
	rp_table_free(&r->monthly);
	rp_table_free(&r->keystats);
	rp_table_free(&r->weights);
	rp_table_free(&r->bits);
	rp_table_free(&r->tracebox);
	rp_table_free(&r->trace_hops);
	rp_table_free(&r->top_as);
	rp_table_free(&r->countries);
	for (size_t i = 0; i < r->ngroups; i++)
		if (r->groups[i].tested) {
			ks_result_free(&r->groups[i].all);
			ks_result_free(&r->groups[i].clean);
		}
	for (size_t i = 0; i < r->nseries; i++) {
		free(r->series[i].mptcp);
		free(r->series[i].middlebox);
	}
	free(r->series);
	free(r->trace_group_labels);
	free(r->trace_counts);
	free(r->hops);
	free(r->hop_changes);
	free(r->hop_counts);
	rp_ranking_free(&r->as4);
	rp_ranking_free(&r->as6);
	rp_ranking_free(&r->countries_rank);
	memset(r, 0, sizeof *r);
}
