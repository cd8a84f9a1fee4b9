/* cmd_attribute.c — `mpcap attribute`: adoption by origin AS and by country.
 *
 * Loads the attribution sources (attribution.h: pfx2as, as2org/CSV names,
 * MaxMind DBs, RIR delegated files), counts each results directory of
 * `mpcap analyze` per AS and country (adoption_tables.h) and writes
 * by_as.csv, by_country.csv, top_as.csv and top_country.csv through outdir.h
 * (columns in docs/columns.md, sources in docs/attribution.md); for A/B scans
 * dropped_by_as.csv and dropped_by_country.csv (paths that drop MP_CAPABLE),
 * and top_fingerprints.csv (fingerprint_tables.h) for every scan.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/base/csv_io.h"
#include "analyzer/results/outdir.h"
#include "analyzer/results/columns.h"
#include "analyzer/results/manifest.h"
#include "analyzer/scan/verdict.h"
#include "cli/cli.h"
#include "report/attribution/adoption_tables.h"
#include "report/attribution/attribution.h"
#include "report/attribution/fingerprint_tables.h"

void help_attribute(FILE *out)
{
	fputs("usage: mpcap attribute [-o DIR] [--asn PFX2AS|MMDB]... [--as-names FILE]...\n"
	      "                       [--geo MMDB|DELEGATED]... [--top N] [--rank-by COLUMN]\n"
	      "                       [--config FILE] RESULTS...\n"
	      "\n"
	      "Counts the results of 'mpcap analyze' (each RESULTS is its output directory;\n"
	      "several scans may be given) per origin AS and per country, for each scan, IP\n"
	      "version and port: responsive targets (exact, from targets.sets), MP_CAPABLE\n"
	      "responders, true MPTCP, middlebox-affected (replay + modified + shared-key),\n"
	      "replay, and the adoption rate (true MPTCP / responsive).  Targets no source\n"
	      "covers are counted as 'unknown', never dropped.\n"
	      "\n"
	      "Writes, atomically:\n"
	      "  DIR/by_as.csv        per scan, family, port and AS\n"
	      "  DIR/by_country.csv   per scan, family, port and country\n"
	      "  DIR/top_as.csv       the N largest ASes by --rank-by (count descending,\n"
	      "                       then AS number ascending)\n"
	      "  DIR/top_country.csv  the N largest countries (then country code ascending)\n"
	      "  DIR/dropped_by_as.csv, DIR/dropped_by_country.csv\n"
	      "                       A/B scans (plain and MP_CAPABLE probes): targets that\n"
	      "                       answered the plain SYN, mpc-dropped, plain-dropped, and\n"
	      "                       the drop rate mpc-dropped / answered plain\n"
	      "  DIR/top_fingerprints.csv\n"
	      "                       per AS, its N most common fingerprints x verdict\n"
	      "\n"
	      "Sources (any number of each; the format is recognised from the contents):\n"
	      "  --asn FILE       CAIDA RouteViews prefix-to-AS (PREFIX<TAB>LENGTH<TAB>AS;\n"
	      "                   multi-origin a_b and AS sets a,b count for their first AS), or\n"
	      "                   a MaxMind-format AS database (GeoLite2-ASN, IPinfo Lite)\n"
	      "  --as-names FILE  CAIDA AS-to-organisation (as-org2info.txt), or a CSV asn,name\n"
	      "                   (header optional)\n"
	      "  --geo FILE       MaxMind-format country database (GeoLite2-Country/City, DB-IP\n"
	      "                   Lite, IPinfo Lite), or an RIR delegated(-extended) file\n"
	      "  Text sources may be gzip, xz, zstd or bzip2-compressed (not the CSV).\n"
	      "  The most specific prefix over all sources of a kind wins; equal lengths: the\n"
	      "  source given first.\n"
	      "\n"
	      "  -o, --output DIR     output directory (default: mpcap-attribution)\n"
	      "      --top N          entries per top list (default 10; 0: empty top lists)\n"
	      "      --rank-by COLUMN responsive, mpcapable, mptcp (default), middlebox or replay\n"
	      "      --config FILE    read options from FILE: lines 'asn PATH', 'as-names PATH',\n"
	      "                       'geo PATH', 'top N', 'rank-by COLUMN', 'output DIR'; '#'\n"
	      "                       comments; relative paths are relative to FILE's directory\n"
	      "      --max-memory SIZE  what the decoder of a compressed file may allocate\n"
	      "                       (xz dictionary, zstd window; default 256M)\n"
	      "  -q, --quiet          no closing summary on stderr\n"
	      "  -h, --help           this text\n"
	      "\n"
	      "Example:\n"
	      "  mpcap attribute -o attr --asn routeviews-rv2-20201201-1200.pfx2as.gz \\\n"
	      "      --asn routeviews-rv6-20201201-1200.pfx2as.gz --as-names 20201001.as-org2info.txt.gz \\\n"
	      "      --geo GeoLite2-Country.mmdb --geo delegated-ripencc-extended-latest \\\n"
	      "      results-2020-07 results-2020-12\n"
	      "\n"
	      "Exit status: 0 ok, 1 error (nothing written), 2 usage, 130 interrupted.\n",
	      out);
}

struct source {
	char kind; /* 'a' asn, 'n' names, 'g' geo */
	char *path;
};

struct options {
	const char *dir;
	char *dir_owned;
	size_t top;
	int metric;
	struct source *src;
	size_t nsrc;
};

static int add_src(struct options *o, char kind, const char *path, const char *base)
{
	struct source *ns = realloc(o->src, (o->nsrc + 1) * sizeof *ns);
	if (!ns)
		return -1;
	o->src = ns;
	size_t n = strlen(path) + (base ? strlen(base) + 2 : 1);
	char *p = malloc(n);
	if (!p)
		return -1;
	if (base && path[0] != '/')
		snprintf(p, n, "%s/%s", base, path);
	else
		snprintf(p, n, "%s", path);
	o->src[o->nsrc++] = (struct source){ kind, p };
	return 0;
}

/* The attribution sources into the run's manifest (hashed after reading:
 * their readers do not hash). */
static int record_sources(struct manifest *m, const struct options *o, char *err, size_t errlen)
{
	for (size_t i = 0; i < o->nsrc; i++) {
		const char *kind = o->src[i].kind == 'a' ? "asn" : o->src[i].kind == 'n' ? "as-names" : "geo";
		if (manifest_add_input_file(m, o->src[i].path, kind, err, errlen) != 0)
			return -1;
	}
	return 0;
}

static bool parse_top(const char *s, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (!*s || *end || errno || v > 1000000 || s[0] == '-')
		return false;
	*out = (size_t)v;
	return true;
}

/* Reads a config file: KEY VALUE per line. */
static int read_config(struct options *o, const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		fprintf(stderr, "mpcap attribute: --config %s: %s\n", path, strerror(errno));
		return -1;
	}
	char base[4096];
	snprintf(base, sizeof base, "%s", path);
	char *slash = strrchr(base, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(base, sizeof base, ".");
	char line[4096];
	unsigned long lineno = 0;
	int rc = 0;
	while (rc == 0 && fgets(line, sizeof line, fp)) {
		lineno++;
		size_t n = strlen(line);
		if (n == sizeof line - 1 && line[n - 1] != '\n') {
			fprintf(stderr, "mpcap attribute: %s:%lu: line too long\n", path, lineno);
			rc = -1;
			break;
		}
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
		             line[n - 1] == '\t'))
			line[--n] = '\0';
		char *k = line;
		while (*k == ' ' || *k == '\t')
			k++;
		if (!*k || *k == '#')
			continue;
		char *v = k + strcspn(k, " \t");
		if (*v)
			*v++ = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		if (!*v) {
			fprintf(stderr, "mpcap attribute: %s:%lu: '%s' needs a value\n", path, lineno, k);
			rc = -1;
		} else if (strcmp(k, "asn") == 0 || strcmp(k, "as-names") == 0 || strcmp(k, "geo") == 0) {
			char kind = strcmp(k, "asn") == 0 ? 'a' : strcmp(k, "geo") == 0 ? 'g' : 'n';
			if (add_src(o, kind, v, base) != 0) {
				fprintf(stderr, "mpcap attribute: out of memory\n");
				rc = -1;
			}
		} else if (strcmp(k, "top") == 0) {
			if (!parse_top(v, &o->top)) {
				fprintf(stderr, "mpcap attribute: %s:%lu: top '%s': want 0..1000000\n", path,
				        lineno, v);
				rc = -1;
			}
		} else if (strcmp(k, "rank-by") == 0) {
			if ((o->metric = adoption_metric_parse(v)) < 0) {
				fprintf(stderr, "mpcap attribute: %s:%lu: rank-by '%s': unknown column\n",
				        path, lineno, v);
				rc = -1;
			}
		} else if (strcmp(k, "output") == 0) {
			free(o->dir_owned);
			size_t m = strlen(base) + strlen(v) + 2;
			if (!(o->dir_owned = malloc(m))) {
				rc = -1;
				break;
			}
			if (v[0] == '/')
				snprintf(o->dir_owned, m, "%s", v);
			else
				snprintf(o->dir_owned, m, "%s/%s", base, v);
			o->dir = o->dir_owned;
		} else {
			fprintf(stderr,
			        "mpcap attribute: %s:%lu: unknown key '%s' (want asn, as-names, geo, top, "
			        "rank-by, "
			        "output)\n",
			        path, lineno, k);
			rc = -1;
		}
	}
	if (rc == 0 && ferror(fp)) {
		fprintf(stderr, "mpcap attribute: %s: read error\n", path);
		rc = -1;
	}
	fclose(fp);
	return rc;
}

/* ---- output ---- */

static void fmt_u64(uint64_t v, char *buf, size_t n)
{
	snprintf(buf, n, "%llu", (unsigned long long)v);
}

struct count_fields {
	char v[8][24];
};

static void fmt_counts(const struct adoption_counts *c, struct count_fields *f)
{
	fmt_u64(c->responsive, f->v[0], sizeof f->v[0]);
	fmt_u64(c->mpcapable, f->v[1], sizeof f->v[1]);
	fmt_u64(c->mptcp, f->v[2], sizeof f->v[2]);
	fmt_u64(c->middlebox, f->v[3], sizeof f->v[3]);
	fmt_u64(c->replay, f->v[4], sizeof f->v[4]);
	fmt_u64(c->modified, f->v[5], sizeof f->v[5]);
	fmt_u64(c->shared_key, f->v[6], sizeof f->v[6]);
	if (c->responsive)
		snprintf(f->v[7], sizeof f->v[7], "%.6g", (double)c->mptcp / (double)c->responsive);
	else
		f->v[7][0] = '\0';
}

struct writers {
	const struct attribution *a;
	FILE *by_as, *by_cc, *top_as, *top_cc, *drop_as, *drop_cc, *top_fp;
	size_t top;
	enum adoption_metric metric;
};

static void fmt_key(const struct adoption_row *r, bool as, char *buf, size_t n)
{
	if (r->unknown)
		snprintf(buf, n, "unknown");
	else if (as)
		snprintf(buf, n, "%u", (unsigned)r->key);
	else
		snprintf(buf, n, "%c%c", (char)(r->key >> 8), (char)(r->key & 0xff));
}

/* The text of a row's head, kept alive for csv_write_row. */
struct row_head {
	char fam[4], port[8], key[16];
};

/* Fills f with a row's head: scan, family, port, [metric, rank], AS number or
 * country, [AS name, organisation].  Returns the number of fields. */
static size_t row_head(const struct writers *w, struct row_head *h, const char **f, const char *scan,
                       const struct adoption_row *r, bool as, const char *rank)
{
	snprintf(h->fam, sizeof h->fam, "%u", r->family);
	snprintf(h->port, sizeof h->port, "%u", r->port);
	fmt_key(r, as, h->key, sizeof h->key);
	size_t n = 0;
	f[n++] = scan;
	f[n++] = h->fam;
	f[n++] = h->port;
	if (rank) {
		f[n++] = adoption_metric_name(w->metric);
		f[n++] = rank;
	}
	f[n++] = h->key;
	if (as) {
		const char *an = r->unknown ? NULL : attribution_as_name(w->a, r->key);
		const char *on = r->unknown ? NULL : attribution_org_name(w->a, r->key);
		f[n++] = an ? an : "";
		f[n++] = on ? on : "";
	}
	return n;
}

/* One row of by_*.csv (rank NULL) or top_*.csv. */
static int write_row(const struct writers *w, FILE *fp, const char *scan, const struct adoption_row *r,
                     bool as, const char *rank)
{
	struct row_head h;
	char mo[24];
	struct count_fields cf;
	fmt_counts(&r->c, &cf);
	const char *f[32];
	size_t n = row_head(w, &h, f, scan, r, as, rank);
	for (int i = 0; i < 8; i++)
		f[n++] = cf.v[i];
	if (as && !rank) {
		fmt_u64(r->c.multi_origin, mo, sizeof mo);
		f[n++] = mo;
	}
	return csv_write_row(fp, f, n);
}

/* One row of dropped_by_*.csv. */
static int write_dropped_row(const struct writers *w, FILE *fp, const char *scan,
                             const struct adoption_row *r, bool as)
{
	struct row_head h;
	char v[6][24], rate[24] = "";
	const struct adoption_counts *c = &r->c;
	uint64_t plain = c->responsive >= c->plain_dropped ? c->responsive - c->plain_dropped : 0;
	uint64_t vals[5] = { plain, c->mpc_dropped, c->mpc_dropped_v0, c->mpc_dropped_v1, c->plain_dropped };
	const char *f[16];
	size_t n = row_head(w, &h, f, scan, r, as, NULL);
	for (int i = 0; i < 5; i++) {
		fmt_u64(vals[i], v[i], sizeof v[i]);
		f[n++] = v[i];
	}
	if (plain)
		snprintf(rate, sizeof rate, "%.6g", (double)c->mpc_dropped / (double)plain);
	f[n++] = rate;
	return csv_write_row(fp, f, n);
}

static int write_fingerprints(const struct writers *w, const char *scan, const struct fp_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct fp_row *r = &t->rows[i];
		char fam[4], port[8], asn[16], rank[24], count[24];
		snprintf(fam, sizeof fam, "%u", r->family);
		snprintf(port, sizeof port, "%u", r->port);
		if (r->unknown)
			snprintf(asn, sizeof asn, "unknown");
		else
			snprintf(asn, sizeof asn, "%u", (unsigned)r->asn);
		fmt_u64(r->rank, rank, sizeof rank);
		fmt_u64(r->count, count, sizeof count);
		const char *an = r->unknown ? NULL : attribution_as_name(w->a, r->asn);
		const char *f[9] = { scan,         fam,  port,           asn,
			             an ? an : "", rank, r->fingerprint, verdict_name(r->verdict),
			             count };
		if (csv_write_row(w->top_fp, f, 9) != 0)
			return -1;
	}
	return 0;
}

static int write_scan(const struct writers *w, const struct adoption_scan *s)
{
	for (int as = 1; as >= 0 && s->abtest; as--) {
		const struct adoption_row *rows = as ? s->as_rows : s->cc_rows;
		size_t nrows = as ? s->nas : s->ncc;
		for (size_t i = 0; i < nrows; i++)
			if (write_dropped_row(w, as ? w->drop_as : w->drop_cc, s->label, &rows[i], as) != 0)
				return -1;
	}
	for (int as = 1; as >= 0; as--) {
		const struct adoption_row *rows = as ? s->as_rows : s->cc_rows;
		size_t nrows = as ? s->nas : s->ncc;
		FILE *by = as ? w->by_as : w->by_cc, *top = as ? w->top_as : w->top_cc;
		for (size_t i = 0; i < nrows; i++)
			if (write_row(w, by, s->label, &rows[i], as, NULL) != 0)
				return -1;
		size_t *idx = w->top ? malloc(w->top * sizeof *idx) : NULL;
		if (w->top && !idx) {
			errno = ENOMEM;
			return -1;
		}
		for (size_t b = 0; b < nrows;) {
			size_t e = b;
			while (e < nrows && rows[e].family == rows[b].family && rows[e].port == rows[b].port)
				e++;
			size_t k = adoption_top(rows, b, e, w->metric, w->top, idx);
			if (k == SIZE_MAX) {
				free(idx);
				errno = ENOMEM;
				return -1;
			}
			for (size_t j = 0; j < k; j++) {
				char rank[24];
				fmt_u64(j + 1, rank, sizeof rank);
				if (write_row(w, top, s->label, &rows[idx[j]], as, rank) != 0) {
					free(idx);
					return -1;
				}
			}
			b = e;
		}
		free(idx);
	}
	return 0;
}

/* By scan label, each scan's fingerprint table along (insertion sort: a few scans). */
static void sort_scans(struct adoption_scan *s, struct fp_table *f, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(s[j - 1].label, s[j].label) > 0; j--) {
			struct adoption_scan ts = s[j];
			struct fp_table tf = f[j];
			s[j] = s[j - 1];
			f[j] = f[j - 1];
			s[j - 1] = ts;
			f[j - 1] = tf;
		}
}

enum { NFILES = 7 };

static int write_outputs(const char *dir, const struct writers *proto, const struct adoption_scan *scans,
                         const struct fp_table *fps, size_t n, struct manifest *m, char *err, size_t errlen)
{
	static const char *const files[NFILES] = { "by_as.csv",           "by_country.csv",
		                                   "top_as.csv",          "top_country.csv",
		                                   "dropped_by_as.csv",   "dropped_by_country.csv",
		                                   "top_fingerprints.csv" };
	static const enum column_set_id ids[NFILES] = {
		COLSET_ATTR_BY_AS,           COLSET_ATTR_BY_COUNTRY, COLSET_ATTR_TOP_AS,
		COLSET_ATTR_TOP_COUNTRY,     COLSET_ATTR_DROPPED_AS, COLSET_ATTR_DROPPED_COUNTRY,
		COLSET_ATTR_TOP_FINGERPRINTS
	};
	struct outdir o;
	FILE *fp[NFILES] = { NULL };
	int rc = -1;
	if (outdir_open(&o, dir, err, errlen) != 0)
		goto out;
	o.manifest = m;
	for (int i = 0; i < NFILES; i++) {
		if (!(fp[i] = outdir_add(&o, files[i], err, errlen)))
			goto out;
		if (column_set_write_header(fp[i], ids[i]) != 0) {
			outdir_write_failed(&o, fp[i], err, errlen);
			goto out;
		}
	}
	struct writers w = *proto;
	w.by_as = fp[0];
	w.by_cc = fp[1];
	w.top_as = fp[2];
	w.top_cc = fp[3];
	w.drop_as = fp[4];
	w.drop_cc = fp[5];
	w.top_fp = fp[6];
	for (size_t s = 0; s < n; s++)
		if (write_scan(&w, &scans[s]) != 0 || write_fingerprints(&w, scans[s].label, &fps[s]) != 0) {
			outdir_write_failed(&o, NULL, err, errlen);
			goto out;
		}
	rc = outdir_commit(&o, err, errlen);
out:
	outdir_close(&o);
	return rc;
}

static double pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0.0;
}

int cmd_attribute(int argc, char **argv, const struct cli_env *env)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "asn", required_argument, NULL, 'a' },
		{ "as-names", required_argument, NULL, 'n' },
		{ "geo", required_argument, NULL, 'g' },
		{ "top", required_argument, NULL, 't' },
		{ "rank-by", required_argument, NULL, 'r' },
		{ "config", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "max-memory", required_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t max_memory = 0; /* the decompressor's default */
	struct options o = { "mpcap-attribution", NULL, 10, METRIC_MPTCP, NULL, 0 };
	bool quiet = false;
	int c, rc = EXIT_USAGE;
	struct attribution *a = NULL;
	struct adoption_scan *scans = NULL;
	struct fp_table *fps = NULL;
	size_t nscans = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o.dir = optarg;
			break;
		case 'a':
		case 'n':
		case 'g':
			if (add_src(&o, (char)c, optarg, NULL) != 0) {
				fprintf(stderr, "mpcap attribute: out of memory\n");
				rc = EXIT_ERROR;
				goto out;
			}
			break;
		case 't':
			if (!parse_top(optarg, &o.top)) {
				fprintf(stderr, "mpcap attribute: --top '%s': want a number 0..1000000\n",
				        optarg);
				goto out;
			}
			break;
		case 'r':
			if ((o.metric = adoption_metric_parse(optarg)) < 0) {
				fprintf(stderr,
				        "mpcap attribute: --rank-by '%s': want responsive, mpcapable, mptcp, "
				        "middlebox or replay\n",
				        optarg);
				goto out;
			}
			break;
		case 'c':
			if (read_config(&o, optarg) != 0)
				goto out;
			break;
		case 'q':
			quiet = true;
			break;
		case 'X':
			if (!cli_max_memory("attribute", optarg, &max_memory))
				goto out;
			break;
		case 'h':
			help_attribute(stdout);
			rc = EXIT_OK;
			goto out;
		default:
			cli_bad_option("attribute", argv, optind, longopts);
			goto out;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "mpcap attribute: no results directory given (the -o DIR of mpcap analyze)\n"
		                "Try 'mpcap help attribute'.\n");
		goto out;
	}
	rc = EXIT_ERROR;
	char err[2048];
	if (!(a = attribution_new())) {
		fprintf(stderr, "mpcap attribute: out of memory\n");
		goto out;
	}
	attribution_set_max_memory(a, max_memory);
	bool have_asn = false, have_geo = false;
	for (size_t i = 0; i < o.nsrc; i++) {
		const struct source *s = &o.src[i];
		int r = s->kind == 'a'   ? attribution_add_asn(a, s->path, err, sizeof err)
		        : s->kind == 'g' ? attribution_add_geo(a, s->path, err, sizeof err)
		                         : attribution_add_names(a, s->path, err, sizeof err);
		if (r != 0) {
			fprintf(stderr, "mpcap attribute: %s\n", err);
			goto out;
		}
		have_asn |= s->kind == 'a';
		have_geo |= s->kind == 'g';
		if (env->stop && *env->stop) {
			fprintf(stderr, "mpcap attribute: interrupted; no output written\n");
			rc = EXIT_INTERRUPTED;
			goto out;
		}
	}
	if (attribution_finish(a, err, sizeof err) != 0) {
		fprintf(stderr, "mpcap attribute: %s\n", err);
		goto out;
	}
	if (!have_asn && !quiet)
		fprintf(stderr,
		        "mpcap attribute: note: no --asn source: every target counts under AS 'unknown'\n");
	if (!have_geo && !quiet)
		fprintf(
		    stderr,
		    "mpcap attribute: note: no --geo source: every target counts under country 'unknown'\n");
	nscans = (size_t)(argc - optind);
	if (!(scans = calloc(nscans, sizeof *scans)) || !(fps = calloc(nscans, sizeof *fps))) {
		fprintf(stderr, "mpcap attribute: out of memory\n");
		goto out;
	}
	for (size_t i = 0; i < nscans; i++) {
		int r = adoption_scan_read(a, argv[optind + (int)i], &scans[i], env->stop, err, sizeof err);
		if (r == 0)
			r = fp_table_read(a, argv[optind + (int)i], o.top, &fps[i], env->stop, err,
			                  sizeof err);
		if (r == 1 || (env->stop && *env->stop)) {
			fprintf(stderr, "mpcap attribute: interrupted; no output written\n");
			rc = EXIT_INTERRUPTED;
			goto out;
		}
		if (r != 0) {
			fprintf(stderr, "mpcap attribute: %s\n", err);
			goto out;
		}
	}
	sort_scans(scans, fps, nscans);
	for (size_t i = 1; i < nscans; i++)
		if (strcmp(scans[i].label, scans[i - 1].label) == 0) {
			fprintf(stderr,
			        "mpcap attribute: scan '%s' given twice (%s and %s); label scans with "
			        "analyze --scan\n",
			        scans[i].label, scans[i - 1].dir, scans[i].dir);
			goto out;
		}
	struct writers w = { a,    NULL, NULL, NULL,  NULL,
		             NULL, NULL, NULL, o.top, (enum adoption_metric)o.metric };
	if (manifest_add_paths(env->manifest, argv + optind, argc - optind, "results", err, sizeof err) !=
	        0 ||
	    record_sources(env->manifest, &o, err, sizeof err) != 0 ||
	    write_outputs(o.dir, &w, scans, fps, nscans, env->manifest, err, sizeof err) != 0) {
		fprintf(stderr, "mpcap attribute: %s\n", err);
		goto out;
	}
	if (!quiet) {
		uint64_t resp = 0, mpc = 0, ua = 0, uc = 0;
		for (size_t i = 0; i < nscans; i++) {
			resp += scans[i].responsive;
			mpc += scans[i].mpcapable;
			ua += scans[i].responsive_unknown_as;
			uc += scans[i].responsive_unknown_cc;
		}
		fprintf(stderr,
		        "mpcap attribute: %zu scan%s: %llu responsive targets (AS unknown for %.1f%%, "
		        "country unknown for "
		        "%.1f%%), %llu MP_CAPABLE responders -> %s/ (by_as.csv, by_country.csv, top_as.csv, "
		        "top_country.csv, dropped_by_*.csv, top_fingerprints.csv)\n",
		        nscans, nscans == 1 ? "" : "s", (unsigned long long)resp, pct(ua, resp),
		        pct(uc, resp), (unsigned long long)mpc, o.dir);
	}
	rc = EXIT_OK;
out:
	for (size_t i = 0; i < nscans && scans; i++)
		adoption_scan_free(&scans[i]);
	for (size_t i = 0; i < nscans && fps; i++)
		fp_table_free(&fps[i]);
	free(scans);
	free(fps);
	attribution_free(a);
	for (size_t i = 0; i < o.nsrc; i++)
		free(o.src[i].path);
	free(o.src);
	free(o.dir_owned);
	return rc;
}
