/* attribution.c — origin AS, AS names and country from pfx2as, as2org, CSV,
 * RIR delegated files and MaxMind DBs (see attribution.h; formats in
 * docs/attribution.md).
 *
 * Specifications followed: CAIDA RouteViews Prefix-to-AS (pfx2as) README;
 * CAIDA AS-to-Organization README (as-org2info.txt); the RIR statistics
 * exchange format (delegated-extended, NRO/APNIC "RIR Statistics Exchange
 * Format"); the MaxMind DB file format spec (read through libmaxminddb).
 *
 * Back ends are a constant table of function pointers (detect, load): the
 * text formats fill one prefix table per kind (prefix_table.h), each MMDB
 * stays open and is looked up per address, with its answers cached by data
 * record.
 */
#include "report/attribution/attribution.h"

#include <ctype.h>
#include <errno.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "analyzer/base/csv_io.h"
#include "analyzer/capture/decompress.h"
#include "analyzer/scan/target.h"
#include "report/attribution/prefix_table.h"

enum kind { KIND_ASN = 0, KIND_GEO = 1 };

/* ---- small helpers ---- */

static struct target_key u64key(uint64_t x)
{
	uint8_t a[16] = { 0 };
	for (int i = 0; i < 8; i++)
		a[i] = (uint8_t)(x >> (56 - 8 * i));
	return target_key_make(6, a, 0);
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

/* Parses a decimal number of at most max; the whole string must be digits. */
static bool parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	if (!*s || strlen(s) > 20)
		return false;
	uint64_t v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

/* "13335", "AS13335" or "as13335". */
static bool parse_asn(const char *s, uint32_t *asn)
{
	uint64_t v;
	if ((s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
		s += 2;
	if (!parse_uint(s, UINT32_MAX, &v))
		return false;
	*asn = (uint32_t)v;
	return true;
}

static uint16_t cc_pack(const char *s, size_t n)
{
	if (n != 2 || !isalpha((unsigned char)s[0]) || !isalpha((unsigned char)s[1]))
		return 0;
	return (uint16_t)((toupper((unsigned char)s[0]) << 8) | toupper((unsigned char)s[1]));
}

/* ---- line reader over the capture decompressors (plain, gzip, xz, zstd, bzip2) ---- */

struct line_reader {
	FILE *fp;
	struct decomp *d;
	const char *path;
	unsigned long lineno;
	uint8_t peek[8]; /* the first bytes, read to recognise the compression */
	size_t npeek, peekpos;
	char buf[65536];
	size_t pos, len;
	bool eof;
	char *line;
	size_t cap;
};

static ssize_t lr_source(void *ctx, uint8_t *buf, size_t n, char *err, size_t errlen)
{
	struct line_reader *lr = ctx;
	if (lr->peekpos < lr->npeek) {
		size_t k = lr->npeek - lr->peekpos < n ? lr->npeek - lr->peekpos : n;
		memcpy(buf, lr->peek + lr->peekpos, k);
		lr->peekpos += k;
		return (ssize_t)k;
	}
	size_t got = fread(buf, 1, n, lr->fp);
	if (got == 0 && ferror(lr->fp)) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	return (ssize_t)got;
}

static int lr_open(struct line_reader *lr, const char *path, uint64_t memlimit, char *err, size_t errlen)
{
	memset(lr, 0, sizeof *lr);
	lr->path = path;
	lr->fp = fopen(path, "rb");
	if (!lr->fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	lr->npeek = fread(lr->peek, 1, sizeof lr->peek, lr->fp);
	char derr[256];
	if (decomp_new_limited(decomp_detect(lr->peek, lr->npeek), lr_source, lr, memlimit, &lr->d, derr,
	                       sizeof derr) != 0) {
		snprintf(err, errlen, "%s: %s", path, derr);
		fclose(lr->fp);
		lr->fp = NULL;
		return -1;
	}
	return 0;
}

static void lr_close(struct line_reader *lr)
{
	if (lr->d)
		decomp_free(lr->d);
	if (lr->fp)
		fclose(lr->fp);
	lr->d = NULL;
	lr->fp = NULL;
	free(lr->line);
	lr->line = NULL;
}

/* Next line without its CR/LF in lr->line.  1: a line, 0: end, -1: error. */
static int lr_next(struct line_reader *lr, char *err, size_t errlen)
{
	size_t n = 0;
	bool any = false;
	for (;;) {
		if (lr->pos == lr->len) {
			if (lr->eof)
				break;
			char derr[256];
			ssize_t r = decomp_read(lr->d, (uint8_t *)lr->buf, sizeof lr->buf, derr, sizeof derr);
			if (r < 0) {
				snprintf(err, errlen, "%s:%lu: read error: %s", lr->path, lr->lineno + 1,
				         derr);
				return -1;
			}
			if (r == 0) {
				lr->eof = true;
				break;
			}
			lr->pos = 0;
			lr->len = (size_t)r;
		}
		any = true;
		char *start = lr->buf + lr->pos;
		char *nl = memchr(start, '\n', lr->len - lr->pos);
		size_t take = nl ? (size_t)(nl - start) : lr->len - lr->pos;
		if (n + take + 1 > lr->cap) {
			size_t nc = (n + take + 1) * 2;
			char *nb = realloc(lr->line, nc);
			if (!nb) {
				snprintf(err, errlen, "%s: out of memory", lr->path);
				return -1;
			}
			lr->line = nb;
			lr->cap = nc;
		}
		memcpy(lr->line + n, start, take);
		n += take;
		lr->pos += take + (nl ? 1 : 0);
		if (nl)
			break;
	}
	if (!any)
		return 0;
	lr->lineno++;
	lr->line[n] = '\0';
	if (n && lr->line[n - 1] == '\r')
		lr->line[--n] = '\0';
	if (memchr(lr->line, '\0', n)) {
		snprintf(err, errlen, "%s:%lu: NUL byte in a text line (binary file?)", lr->path, lr->lineno);
		return -1;
	}
	return 1;
}

/* Splits s in place at every sep (empty fields kept).  Returns the count, or
 * max + 1 when there are more than max fields. */
static size_t split(char *s, char sep, char **f, size_t max)
{
	size_t n = 0;
	for (;;) {
		if (n == max)
			return max + 1;
		f[n++] = s;
		char *p = strchr(s, sep);
		if (!p)
			return n;
		*p = '\0';
		s = p + 1;
	}
}

/* Splits at runs of blanks (space, tab). */
static size_t split_blank(char *s, char **f, size_t max)
{
	size_t n = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			return n;
		if (n == max)
			return max + 1;
		f[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (*s)
			*s++ = '\0';
	}
}

static bool blank_or_comment(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0' || *s == '#';
}

/* ---- the state ---- */

struct origin {
	uint32_t asn;
	bool multi;
	uint16_t src;
};

struct mmdb_answer {
	bool found;
	uint32_t value; /* AS number, or packed country code */
};

struct mmdb_source {
	MMDB_s db;
	char *path;
	enum kind kind;
	uint16_t src;
	struct target_map *cache; /* data record offset -> index into answers */
	struct mmdb_answer *answers;
	size_t nanswers, capanswers;
};

struct name_rec {
	char *as_name;
	char *org_name;
	char *org_id;
};

struct org_rec {
	char *id;
	char *name;
	size_t order; /* position in the input: the first line of an id wins */
};

struct attribution {
	uint64_t max_memory; /* compressed files' decoder limit; 0: the default */
	struct prefix_builder *builder[2];
	struct prefix_table *table[2];
	size_t text_prefixes[2];
	uint16_t nsources[2]; /* sources given per kind, text and MMDB: their rank */
	struct origin *origins;
	size_t norigins, caporigins;
	struct target_map *origin_index; /* (asn, multi, src) -> index into origins */
	struct mmdb_source *mmdbs;
	size_t nmmdbs;
	struct target_map *name_index; /* asn -> index into names */
	struct name_rec *names;
	size_t nnames, capnames;
	struct org_rec *orgs;
	size_t norgs, caporgs;
	bool finished;
};

struct attribution *attribution_new(void)
{
	struct attribution *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->builder[0] = prefix_builder_new();
	a->builder[1] = prefix_builder_new();
	a->origin_index = target_map_new();
	a->name_index = target_map_new();
	if (!a->builder[0] || !a->builder[1] || !a->origin_index || !a->name_index) {
		attribution_free(a);
		return NULL;
	}
	return a;
}

void attribution_free(struct attribution *a)
{
	if (!a)
		return;
	for (int k = 0; k < 2; k++) {
		prefix_builder_free(a->builder[k]);
		prefix_table_free(a->table[k]);
	}
	free(a->origins);
	target_map_free(a->origin_index);
	for (size_t i = 0; i < a->nmmdbs; i++) {
		MMDB_close(&a->mmdbs[i].db);
		free(a->mmdbs[i].path);
		target_map_free(a->mmdbs[i].cache);
		free(a->mmdbs[i].answers);
	}
	free(a->mmdbs);
	target_map_free(a->name_index);
	for (size_t i = 0; i < a->nnames; i++) {
		free(a->names[i].as_name);
		free(a->names[i].org_name);
		free(a->names[i].org_id);
	}
	free(a->names);
	for (size_t i = 0; i < a->norgs; i++) {
		free(a->orgs[i].id);
		free(a->orgs[i].name);
	}
	free(a->orgs);
	free(a);
}

/* Index of the origin record (asn, multi, src), created when new; -1: no memory. */
static int64_t origin_id(struct attribution *a, uint32_t asn, bool multi, uint16_t src)
{
	struct target_key k = u64key((uint64_t)asn | (uint64_t)multi << 32 | (uint64_t)src << 33);
	bool ins;
	uint32_t *slot = target_map_get(a->origin_index, &k, true, (uint32_t)a->norigins, &ins);
	if (!slot)
		return -1;
	if (!ins)
		return *slot;
	if (a->norigins == a->caporigins) {
		size_t nc = a->caporigins ? a->caporigins * 2 : 256;
		struct origin *no = realloc(a->origins, nc * sizeof *no);
		if (!no)
			return -1;
		a->origins = no;
		a->caporigins = nc;
	}
	a->origins[a->norigins] = (struct origin){ asn, multi, src };
	return (int64_t)a->norigins++;
}

/* The name record of an AS, created when new. */
static struct name_rec *name_get(struct attribution *a, uint32_t asn, bool create)
{
	struct target_key k = u64key(asn);
	bool ins;
	uint32_t *slot = target_map_get(a->name_index, &k, create, (uint32_t)a->nnames, &ins);
	if (!slot)
		return NULL;
	if (!ins)
		return *slot < a->nnames ? &a->names[*slot] : NULL;
	if (a->nnames == a->capnames) {
		size_t nc = a->capnames ? a->capnames * 2 : 1024;
		struct name_rec *nn = realloc(a->names, nc * sizeof *nn);
		if (!nn) {
			*slot = UINT32_MAX; /* cannot happen twice: the caller fails */
			return NULL;
		}
		a->names = nn;
		a->capnames = nc;
	}
	memset(&a->names[a->nnames], 0, sizeof a->names[0]);
	return &a->names[a->nnames++];
}

/* Sets *field to s unless already set (the first source given wins). */
static int set_once(char **field, const char *s)
{
	if (*field || !*s)
		return 0;
	*field = xstrdup(s);
	return *field ? 0 : -1;
}

/* ---- pfx2as ---- */

/* AS field: "13335", "13335_209242" (multi-origin), "4200000000,65000"
 * (AS set), or both.  The first AS is the attribution; multi says there were more. */
static bool parse_origin(const char *s, uint32_t *first, bool *multi)
{
	char tmp[256];
	if (strlen(s) >= sizeof tmp || !*s)
		return false;
	memcpy(tmp, s, strlen(s) + 1);
	size_t n = 0;
	char *p = tmp;
	for (;;) {
		char *q = p + strcspn(p, "_,");
		char sep = *q;
		*q = '\0';
		uint64_t v;
		if (!parse_uint(p, UINT32_MAX, &v))
			return false;
		if (n++ == 0)
			*first = (uint32_t)v;
		if (!sep)
			break;
		p = q + 1;
	}
	*multi = n > 1;
	return true;
}

static int load_pfx2as(struct attribution *a, const char *path, uint16_t src, char *err, size_t errlen)
{
	struct line_reader lr;
	if (lr_open(&lr, path, a->max_memory, err, errlen) != 0)
		return -1;
	int rc = -1, r;
	while ((r = lr_next(&lr, err, errlen)) == 1) {
		if (blank_or_comment(lr.line))
			continue;
		char *f[4];
		size_t n = split_blank(lr.line, f, 3);
		if (n != 3) {
			snprintf(
			    err, errlen,
			    "%s:%lu: malformed pfx2as line: expected PREFIX<TAB>LENGTH<TAB>AS (3 fields), "
			    "found %s%zu",
			    path, lr.lineno, n > 3 ? "more than " : "", n > 3 ? (size_t)3 : n);
			goto out;
		}
		int family;
		uint8_t addr[16];
		uint64_t len;
		uint32_t asn;
		bool multi;
		if (!prefix_parse_address(f[0], &family, addr)) {
			snprintf(err, errlen,
			         "%s:%lu: malformed pfx2as line: '%s' is not an IPv4 or IPv6 address", path,
			         lr.lineno, f[0]);
			goto out;
		}
		if (!parse_uint(f[1], family == 4 ? 32 : 128, &len)) {
			snprintf(err, errlen,
			         "%s:%lu: malformed pfx2as line: prefix length '%s' (want 0..%d)", path,
			         lr.lineno, f[1], family == 4 ? 32 : 128);
			goto out;
		}
		if (!parse_origin(f[2], &asn, &multi)) {
			snprintf(err, errlen,
			         "%s:%lu: malformed pfx2as line: AS '%s' (want AS numbers separated by '_' "
			         "(multi-origin) or ',' (AS set))",
			         path, lr.lineno, f[2]);
			goto out;
		}
		int64_t id = origin_id(a, asn, multi, src);
		if (id < 0) {
			snprintf(err, errlen, "%s: out of memory", path);
			goto out;
		}
		int s = prefix_builder_add(a->builder[KIND_ASN], family, addr, (unsigned)len, (uint32_t)id);
		if (s != PREFIX_OK) {
			snprintf(err, errlen, "%s:%lu: %s/%s: %s", path, lr.lineno, f[0], f[1],
			         prefix_status_text(s));
			goto out;
		}
		a->text_prefixes[KIND_ASN]++;
	}
	if (r == 0)
		rc = 0;
out:
	lr_close(&lr);
	return rc;
}

/* ---- RIR delegated(-extended) statistics ---- */

static int load_delegated(struct attribution *a, const char *path, uint16_t src, char *err, size_t errlen)
{
	struct line_reader lr;
	if (lr_open(&lr, path, a->max_memory, err, errlen) != 0)
		return -1;
	int rc = -1, r;
	bool seen_record = false;
	while ((r = lr_next(&lr, err, errlen)) == 1) {
		if (blank_or_comment(lr.line))
			continue;
		char *f[16];
		size_t n = split(lr.line, '|', f, 15);
		if (n < 6) {
			snprintf(err, errlen,
			         "%s:%lu: malformed delegated line: expected "
			         "REGISTRY|CC|TYPE|START|VALUE|DATE|STATUS[|EXTENSIONS], found %zu fields",
			         path, lr.lineno, n);
			goto out;
		}
		if (isdigit((unsigned char)f[0][0])) { /* version line: 2|apnic|serial|records|... */
			if (seen_record || n < 7) {
				snprintf(err, errlen,
				         "%s:%lu: malformed delegated line: a version line "
				         "(VERSION|REGISTRY|SERIAL|"
				         "RECORDS|STARTDATE|ENDDATE|UTCOFFSET) %s",
				         path, lr.lineno,
				         seen_record ? "after the records" : "with too few fields");
				goto out;
			}
			seen_record = true;
			continue;
		}
		seen_record = true;
		if (n == 6 && strcmp(f[5], "summary") == 0)
			continue; /* registry|*|type|*|count|summary */
		if (n < 7 || n > 15) {
			snprintf(err, errlen,
			         "%s:%lu: malformed delegated line: expected "
			         "REGISTRY|CC|TYPE|START|VALUE|DATE|STATUS[|EXTENSIONS], found %zu fields",
			         path, lr.lineno, n > 15 ? (size_t)15 : n);
			goto out;
		}
		const char *type = f[2], *status = f[6];
		bool ipv4 = strcmp(type, "ipv4") == 0, ipv6 = strcmp(type, "ipv6") == 0;
		if (!ipv4 && !ipv6 && strcmp(type, "asn") != 0) {
			snprintf(err, errlen,
			         "%s:%lu: malformed delegated line: type '%s' (want asn, ipv4 or ipv6)", path,
			         lr.lineno, type);
			goto out;
		}
		bool used = strcmp(status, "allocated") == 0 || strcmp(status, "assigned") == 0;
		if (!used && strcmp(status, "available") != 0 && strcmp(status, "reserved") != 0) {
			snprintf(err, errlen,
			         "%s:%lu: malformed delegated line: status '%s' (want allocated, assigned, "
			         "available or reserved)",
			         path, lr.lineno, status);
			goto out;
		}
		int family;
		uint8_t addr[16];
		uint64_t v;
		if (ipv4 || ipv6) {
			if (!prefix_parse_address(f[3], &family, addr) || family != (ipv4 ? 4 : 6)) {
				snprintf(err, errlen,
				         "%s:%lu: malformed delegated line: '%s' is not an %s address", path,
				         lr.lineno, f[3], ipv4 ? "IPv4" : "IPv6");
				goto out;
			}
			if (!parse_uint(f[4], ipv4 ? (uint64_t)1 << 32 : 128, &v) || (ipv4 && v == 0)) {
				snprintf(err, errlen, "%s:%lu: malformed delegated line: %s '%s'", path,
				         lr.lineno,
				         ipv4 ? "address count (want 1..4294967296)"
				              : "prefix length (want 0..128)",
				         f[4]);
				goto out;
			}
		}
		if (!used || !(ipv4 || ipv6))
			continue;
		uint16_t cc = cc_pack(f[1], strlen(f[1]));
		if (!cc) {
			snprintf(err, errlen,
			         "%s:%lu: malformed delegated line: country '%s' (want two letters on an %s "
			         "record)",
			         path, lr.lineno, f[1], status);
			goto out;
		}
		if (cc == ('Z' << 8 | 'Z'))
			continue; /* ZZ: unknown */
		uint32_t value = (uint32_t)src << 16 | cc;
		int s;
		if (ipv4) {
			uint64_t first = (uint64_t)addr[0] << 24 | (uint64_t)addr[1] << 16 |
			                 (uint64_t)addr[2] << 8 | addr[3];
			uint64_t last = first + v - 1;
			if (last > UINT32_MAX) {
				snprintf(err, errlen,
				         "%s:%lu: malformed delegated line: %s + %s addresses runs past "
				         "255.255.255.255",
				         path, lr.lineno, f[3], f[4]);
				goto out;
			}
			uint8_t lb[4] = { (uint8_t)(last >> 24), (uint8_t)(last >> 16), (uint8_t)(last >> 8),
				          (uint8_t)last };
			s = prefix_builder_add_range(a->builder[KIND_GEO], 4, addr, lb, value);
		} else {
			s = prefix_builder_add(a->builder[KIND_GEO], 6, addr, (unsigned)v, value);
		}
		if (s != PREFIX_OK) {
			snprintf(err, errlen, "%s:%lu: %s|%s: %s", path, lr.lineno, f[3], f[4],
			         prefix_status_text(s));
			goto out;
		}
	}
	if (r == 0)
		rc = 0;
out:
	lr_close(&lr);
	return rc;
}

/* ---- CAIDA as2org ---- */

static int org_add(struct attribution *a, const char *id, const char *name)
{
	if (a->norgs == a->caporgs) {
		size_t nc = a->caporgs ? a->caporgs * 2 : 1024;
		struct org_rec *no = realloc(a->orgs, nc * sizeof *no);
		if (!no)
			return -1;
		a->orgs = no;
		a->caporgs = nc;
	}
	struct org_rec *o = &a->orgs[a->norgs];
	o->id = xstrdup(id);
	o->name = xstrdup(name);
	o->order = a->norgs;
	if (!o->id || !o->name) {
		free(o->id);
		free(o->name);
		return -1;
	}
	a->norgs++;
	return 0;
}

static int field_index(char **names, size_t n, const char *want)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], want) == 0)
			return (int)i;
	return -1;
}

static int load_as2org(struct attribution *a, const char *path, char *err, size_t errlen)
{
	struct line_reader lr;
	if (lr_open(&lr, path, a->max_memory, err, errlen) != 0)
		return -1;
	int rc = -1, r;
	char format[512] = "";
	char *names[16];
	size_t nnames = 0;
	int i_aut = -1, i_autname = -1, i_orgid = -1, i_orgname = -1;
	while ((r = lr_next(&lr, err, errlen)) == 1) {
		const char *s = lr.line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (strncmp(s, "# format:", 9) == 0 || strncmp(s, "#format:", 8) == 0) {
			s = strchr(s, ':') + 1;
			while (*s == ' ')
				s++;
			snprintf(format, sizeof format, "%s", s);
			nnames = split(format, '|', names, 15);
			if (nnames <= 15) { /* more: names[] holds only the first 15 */
				i_aut = field_index(names, nnames, "aut");
				i_autname = field_index(names, nnames, "aut_name");
				i_orgid = field_index(names, nnames, "org_id");
				i_orgname = field_index(names, nnames, "org_name");
			}
			if (nnames > 15 || i_orgid < 0 || (i_aut < 0 && i_orgname < 0)) {
				snprintf(
				    err, errlen,
				    "%s:%lu: unknown as2org section format (want aut|changed|aut_name|org_id|"
				    "... or org_id|changed|org_name|...)",
				    path, lr.lineno);
				goto out;
			}
			continue;
		}
		if (blank_or_comment(s))
			continue;
		if (!nnames) {
			snprintf(err, errlen, "%s:%lu: as2org data before any '# format:' line", path,
			         lr.lineno);
			goto out;
		}
		char *f[17];
		size_t n = split(lr.line, '|', f, 16);
		if (n != nnames) {
			snprintf(err, errlen,
			         "%s:%lu: malformed as2org line: %s%zu fields where '# format:' names %zu",
			         path, lr.lineno, n > 16 ? "more than " : "", n > 16 ? (size_t)16 : n,
			         nnames);
			goto out;
		}
		if (i_aut >= 0) {
			uint32_t asn;
			if (!parse_asn(f[i_aut], &asn)) {
				snprintf(err, errlen, "%s:%lu: malformed as2org line: AS number '%s'", path,
				         lr.lineno, f[i_aut]);
				goto out;
			}
			struct name_rec *nr = name_get(a, asn, true);
			if (!nr || (i_autname >= 0 && set_once(&nr->as_name, f[i_autname]) != 0) ||
			    set_once(&nr->org_id, f[i_orgid]) != 0) {
				snprintf(err, errlen, "%s: out of memory", path);
				goto out;
			}
		} else if (org_add(a, f[i_orgid], f[i_orgname]) != 0) {
			snprintf(err, errlen, "%s: out of memory", path);
			goto out;
		}
	}
	if (r == 0)
		rc = 0;
out:
	lr_close(&lr);
	return rc;
}

/* ---- CSV asn,name ---- */

static int col_of(const struct csv_table *t, const char *const *names)
{
	for (; *names; names++) {
		int c = csv_table_col(t, *names);
		if (c >= 0)
			return c;
	}
	return -1;
}

static int load_names_csv(struct attribution *a, const char *path, char *err, size_t errlen)
{
	struct csv_table t;
	if (csv_table_read(path, &t, err, errlen) != 0)
		return -1;
	int rc = -1;
	static const char *const asn_cols[] = { "asn", "as", "as_number", "autonomous_system_number", NULL };
	static const char *const name_cols[] = { "name", "as_name", "aut_name", NULL };
	static const char *const org_cols[] = {
		"org_name", "org", "organization", "organisation", "autonomous_system_organization", NULL
	};
	uint32_t asn;
	bool headerless = t.ncols >= 2 && parse_asn(t.header[0], &asn);
	int ca = headerless ? 0 : col_of(&t, asn_cols);
	int cn = headerless ? 1 : col_of(&t, name_cols);
	int co = headerless ? -1 : col_of(&t, org_cols);
	if (ca < 0 || (cn < 0 && co < 0)) {
		snprintf(err, errlen,
		         "%s:1: AS names CSV: want 'asn,name' rows, or a header naming an asn column and a "
		         "name (or org_name) column",
		         path);
		goto out;
	}
	for (size_t r = headerless ? 0 : 1; r <= t.nrows; r++) {
		char **row = r == 0 ? t.header : t.rows[r - 1];
		unsigned long line = (unsigned long)r + 1;
		if (!parse_asn(row[ca], &asn)) {
			snprintf(err, errlen, "%s:%lu: malformed AS names line: AS number '%s'", path, line,
			         row[ca]);
			goto out;
		}
		struct name_rec *nr = name_get(a, asn, true);
		if (!nr || (cn >= 0 && set_once(&nr->as_name, row[cn]) != 0) ||
		    (co >= 0 && set_once(&nr->org_name, row[co]) != 0)) {
			snprintf(err, errlen, "%s: out of memory", path);
			goto out;
		}
	}
	rc = 0;
out:
	csv_table_free(&t);
	return rc;
}

/* ---- MaxMind DB ---- */

static bool is_mmdb(const char *path)
{
	/* The metadata section starts with this marker, within the last 128 KiB. */
	static const char marker[] = "\xab\xcd\xefMaxMind.com";
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return false;
	bool found = false;
	static const long tail = 128 * 1024;
	if (fseek(fp, 0, SEEK_END) == 0) {
		long size = ftell(fp);
		long from = size > tail ? size - tail : 0;
		char *buf = malloc(tail);
		if (buf && size > 0 && fseek(fp, from, SEEK_SET) == 0) {
			size_t n = fread(buf, 1, (size_t)(size - from), fp);
			for (size_t i = 0; !found && i + sizeof marker - 1 <= n; i++)
				found = memcmp(buf + i, marker, sizeof marker - 1) == 0;
		}
		free(buf);
	}
	fclose(fp);
	return found;
}

static int load_mmdb(struct attribution *a, const char *path, enum kind kind, uint16_t src, char *err,
                     size_t errlen)
{
	struct mmdb_source *nm = realloc(a->mmdbs, (a->nmmdbs + 1) * sizeof *nm);
	if (!nm) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	a->mmdbs = nm;
	struct mmdb_source *m = &a->mmdbs[a->nmmdbs];
	memset(m, 0, sizeof *m);
	int s = MMDB_open(path, MMDB_MODE_MMAP, &m->db);
	if (s != MMDB_SUCCESS) {
		snprintf(err, errlen, "%s: not a readable MaxMind DB: %s%s%s", path, MMDB_strerror(s),
		         s == MMDB_IO_ERROR ? ": " : "", s == MMDB_IO_ERROR ? strerror(errno) : "");
		return -1;
	}
	m->path = xstrdup(path);
	m->cache = target_map_new();
	if (!m->path || !m->cache) {
		MMDB_close(&m->db);
		free(m->path);
		target_map_free(m->cache);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	m->kind = kind;
	m->src = src;
	a->nmmdbs++;
	return 0;
}

/* Reads the answer of one data record (country code or AS number). */
static void mmdb_read_answer(struct attribution *a, struct mmdb_source *m, MMDB_entry_s *entry,
                             struct mmdb_answer *ans)
{
	MMDB_entry_data_s d;
	ans->found = false;
	if (m->kind == KIND_GEO) {
		/* GeoLite2/GeoIP2 and DB-IP: country.iso_code; a network without a
		 * located country: registered_country.iso_code; IPinfo Lite: country_code. */
		static const char *const paths[][3] = { { "country", "iso_code", NULL },
			                                { "registered_country", "iso_code", NULL },
			                                { "country_code", NULL, NULL } };
		for (size_t i = 0; i < 3 && !ans->found; i++) {
			if (MMDB_get_value(entry, &d, paths[i][0], paths[i][1], NULL) != MMDB_SUCCESS ||
			    !d.has_data || d.type != MMDB_DATA_TYPE_UTF8_STRING)
				continue;
			uint16_t cc = cc_pack(d.utf8_string, d.data_size);
			if (cc) {
				ans->found = true;
				ans->value = cc;
			}
		}
		return;
	}
	/* GeoLite2-ASN / GeoIP2-ISP: autonomous_system_number; IPinfo Lite: asn "AS123". */
	if (MMDB_get_value(entry, &d, "autonomous_system_number", NULL) == MMDB_SUCCESS && d.has_data) {
		uint64_t v = UINT64_MAX;
		if (d.type == MMDB_DATA_TYPE_UINT32)
			v = d.uint32;
		else if (d.type == MMDB_DATA_TYPE_UINT16)
			v = d.uint16;
		else if (d.type == MMDB_DATA_TYPE_UINT64)
			v = d.uint64;
		else if (d.type == MMDB_DATA_TYPE_INT32 && d.int32 >= 0)
			v = (uint64_t)d.int32;
		if (v <= UINT32_MAX) {
			ans->found = true;
			ans->value = (uint32_t)v;
		}
	}
	if (!ans->found && MMDB_get_value(entry, &d, "asn", NULL) == MMDB_SUCCESS && d.has_data &&
	    d.type == MMDB_DATA_TYPE_UTF8_STRING && d.data_size < 16) {
		char tmp[16];
		memcpy(tmp, d.utf8_string, d.data_size);
		tmp[d.data_size] = '\0';
		uint32_t asn;
		if (parse_asn(tmp, &asn)) {
			ans->found = true;
			ans->value = asn;
		}
	}
	if (!ans->found)
		return;
	/* the organisation's name, unless a names file gave one */
	static const char *const orgs[] = { "autonomous_system_organization", "as_name" };
	for (size_t i = 0; i < 2; i++) {
		if (MMDB_get_value(entry, &d, orgs[i], NULL) != MMDB_SUCCESS || !d.has_data ||
		    d.type != MMDB_DATA_TYPE_UTF8_STRING)
			continue;
		struct name_rec *nr = name_get(a, ans->value, true);
		if (nr && !nr->org_name && (nr->org_name = malloc(d.data_size + 1))) {
			memcpy(nr->org_name, d.utf8_string, d.data_size);
			nr->org_name[d.data_size] = '\0';
		}
		break;
	}
}

struct hit {
	bool found;
	bool table; /* from a text source's prefix table (AS value: index into origins) */
	uint32_t value;
	unsigned length;
	uint16_t src;
};

/* Looks an address up in one MMDB.  *len4 is the network length in the
 * address's own family; first/last are narrowed to that network. */
static int mmdb_lookup(struct attribution *a, struct mmdb_source *m, int family, const uint8_t *addr,
                       struct hit *h, uint8_t first[16], uint8_t last[16], char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	if (family == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, addr, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, addr, 16);
	}
	int mmerr = MMDB_SUCCESS;
	MMDB_lookup_result_s res = MMDB_lookup_sockaddr(&m->db, (struct sockaddr *)&ss, &mmerr);
	memset(h, 0, sizeof *h);
	if (mmerr == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR)
		return 0; /* the whole IPv6 space is absent from an IPv4 database */
	if (mmerr != MMDB_SUCCESS) {
		snprintf(err, errlen, "%s: lookup failed: %s", m->path, MMDB_strerror(mmerr));
		return -1;
	}
	int bits = family == 4 ? 32 : 128;
	int len = res.netmask;
	if (family == 4 && m->db.metadata.ip_version == 6)
		len -= 96; /* IPv4 sits at ::a.b.c.d/96 in an IPv6 tree */
	if (len < 0)
		len = 0;
	if (len > bits)
		len = bits;
	/* narrow the interval to the network addr/len */
	uint8_t net_first[16] = { 0 }, net_last[16] = { 0 };
	int nbytes = bits / 8;
	for (int i = 0; i < nbytes; i++) {
		int keep = len - 8 * i;
		uint8_t mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
		net_first[i] = addr[i] & mask;
		net_last[i] = addr[i] | (uint8_t)~mask;
	}
	if (memcmp(net_first, first, 16) > 0)
		memcpy(first, net_first, 16);
	if (memcmp(net_last, last, 16) < 0)
		memcpy(last, net_last, 16);
	if (!res.found_entry)
		return 0;
	struct target_key k = u64key(res.entry.offset);
	bool ins;
	uint32_t *slot = target_map_get(m->cache, &k, true, (uint32_t)m->nanswers, &ins);
	if (!slot) {
		snprintf(err, errlen, "%s: out of memory", m->path);
		return -1;
	}
	if (ins) {
		if (m->nanswers == m->capanswers) {
			size_t nc = m->capanswers ? m->capanswers * 2 : 256;
			struct mmdb_answer *na = realloc(m->answers, nc * sizeof *na);
			if (!na) {
				snprintf(err, errlen, "%s: out of memory", m->path);
				return -1;
			}
			m->answers = na;
			m->capanswers = nc;
		}
		mmdb_read_answer(a, m, &res.entry, &m->answers[m->nanswers++]);
	}
	const struct mmdb_answer *ans = &m->answers[*slot];
	h->found = ans->found;
	h->value = ans->value;
	h->length = (unsigned)len;
	h->src = m->src;
	return 0;
}

/* ---- back ends ---- */

struct attr_backend {
	const char *name;
	enum kind kind;
	bool (*detect)(const char *path);
	int (*load)(struct attribution *a, const char *path, enum kind kind, uint16_t src, char *err,
	            size_t errlen);
};

static bool detect_any(const char *path)
{
	(void)path;
	return true;
}

static int load_pfx2as_be(struct attribution *a, const char *path, enum kind kind, uint16_t src, char *err,
                          size_t errlen)
{
	(void)kind;
	return load_pfx2as(a, path, src, err, errlen);
}

static int load_delegated_be(struct attribution *a, const char *path, enum kind kind, uint16_t src, char *err,
                             size_t errlen)
{
	(void)kind;
	return load_delegated(a, path, src, err, errlen);
}

/* Tried in order; the first whose detect() accepts the file loads it. */
static const struct attr_backend backends[] = {
	{ "mmdb", KIND_ASN, is_mmdb, load_mmdb },
	{ "pfx2as", KIND_ASN, detect_any, load_pfx2as_be },
	{ "mmdb", KIND_GEO, is_mmdb, load_mmdb },
	{ "delegated", KIND_GEO, detect_any, load_delegated_be },
};

static int add_source(struct attribution *a, enum kind kind, const char *path, char *err, size_t errlen)
{
	if (a->finished) {
		snprintf(err, errlen, "%s: sources must be added before attribution_finish()", path);
		return -1;
	}
	if (a->nsources[kind] == UINT16_MAX) {
		snprintf(err, errlen, "%s: too many sources", path);
		return -1;
	}
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	fclose(fp);
	uint16_t src = a->nsources[kind]++;
	for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
		if (backends[i].kind == kind && backends[i].detect(path))
			return backends[i].load(a, path, kind, src, err, errlen);
	snprintf(err, errlen, "%s: unknown format", path);
	return -1;
}

int attribution_add_asn(struct attribution *a, const char *path, char *err, size_t errlen)
{
	return add_source(a, KIND_ASN, path, err, errlen);
}

int attribution_add_geo(struct attribution *a, const char *path, char *err, size_t errlen)
{
	return add_source(a, KIND_GEO, path, err, errlen);
}

void attribution_set_max_memory(struct attribution *a, uint64_t bytes)
{
	a->max_memory = bytes;
}

int attribution_add_names(struct attribution *a, const char *path, char *err, size_t errlen)
{
	/* as2org when the first meaningful line is a comment or '|'-separated; else CSV */
	struct line_reader lr;
	if (lr_open(&lr, path, a->max_memory, err, errlen) != 0)
		return -1;
	int r, as2org = 0;
	while ((r = lr_next(&lr, err, errlen)) == 1) {
		const char *s = lr.line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			continue;
		as2org = *s == '#' || strchr(s, '|') != NULL;
		break;
	}
	bool compressed = decomp_detect(lr.peek, lr.npeek) != DECOMP_NONE;
	lr_close(&lr);
	if (r < 0)
		return -1;
	if (!as2org && compressed) {
		snprintf(
		    err, errlen,
		    "%s: a compressed AS names CSV: decompress it first (as2org files may stay compressed)",
		    path);
		return -1;
	}
	return as2org ? load_as2org(a, path, err, errlen) : load_names_csv(a, path, err, errlen);
}

static int org_cmp(const void *pa, const void *pb)
{
	const struct org_rec *a = pa, *b = pb;
	int c = strcmp(a->id, b->id);
	if (c)
		return c;
	return a->order < b->order ? -1 : a->order > b->order;
}

static int org_id_cmp(const void *pa, const void *pb)
{
	const struct org_rec *a = pa, *b = pb;
	return strcmp(a->id, b->id);
}

int attribution_finish(struct attribution *a, char *err, size_t errlen)
{
	for (int k = 0; k < 2; k++) {
		a->text_prefixes[k] = prefix_builder_count(a->builder[k]);
		a->table[k] = prefix_table_build(a->builder[k]);
		if (!a->table[k]) {
			snprintf(err, errlen, "out of memory building the prefix tables");
			return -1;
		}
		prefix_builder_free(a->builder[k]);
		a->builder[k] = NULL;
	}
	/* resolve CAIDA org_id -> org_name; the first org line of an id wins */
	if (a->norgs) {
		struct org_rec *sorted = a->orgs;
		qsort(sorted, a->norgs, sizeof *sorted, org_cmp);
		for (size_t i = 0; i < a->nnames; i++) {
			struct name_rec *nr = &a->names[i];
			if (nr->org_name || !nr->org_id)
				continue;
			struct org_rec key = { nr->org_id, NULL };
			struct org_rec *o = bsearch(&key, sorted, a->norgs, sizeof *sorted, org_id_cmp);
			while (o && o > sorted && strcmp(o[-1].id, o->id) == 0)
				o--; /* the first of equal ids */
			if (o && !(nr->org_name = xstrdup(o->name))) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
		}
	}
	a->finished = true;
	return 0;
}

void attribution_get_stats(const struct attribution *a, struct attribution_stats *st)
{
	memset(st, 0, sizeof *st);
	for (int k = 0; k < 2; k++) {
		size_t n = a->table[k] ? a->text_prefixes[k] : prefix_builder_count(a->builder[k]);
		if (k == KIND_ASN)
			st->asn_prefixes = n;
		else
			st->geo_prefixes = n;
		if (a->table[k])
			st->table_bytes += prefix_table_memory(a->table[k]);
	}
	for (size_t i = 0; i < a->nmmdbs; i++) {
		if (a->mmdbs[i].kind == KIND_ASN)
			st->asn_mmdbs++;
		else
			st->geo_mmdbs++;
	}
	st->as_names = a->nnames;
}

/* Better answer: longer prefix, then the source given first. */
static bool better(const struct hit *h, const struct hit *best)
{
	if (!h->found)
		return false;
	if (!best->found)
		return true;
	if (h->length != best->length)
		return h->length > best->length;
	return h->src < best->src;
}

int attribution_lookup(struct attribution *a, int family, const uint8_t *addr, struct attribution_result *r,
                       char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	if (!a->finished) {
		snprintf(err, errlen, "attribution_lookup() before attribution_finish()");
		return -1;
	}
	if (family == 6 && prefix_is_v4_mapped(addr)) {
		family = 4;
		addr += 12;
	}
	r->family = family;
	struct hit best[2];
	for (int k = 0; k < 2; k++) {
		struct prefix_match pm;
		prefix_table_lookup(a->table[k], family, addr, &pm);
		if (k == 0 || memcmp(pm.first, r->first, 16) > 0)
			memcpy(r->first, pm.first, 16);
		if (k == 0 || memcmp(pm.last, r->last, 16) < 0)
			memcpy(r->last, pm.last, 16);
		memset(&best[k], 0, sizeof best[k]);
		if (!pm.found)
			continue;
		best[k].found = true;
		best[k].table = true;
		best[k].length = pm.length;
		if (k == KIND_ASN) {
			best[k].value = pm.value; /* index into origins */
			best[k].src = a->origins[pm.value].src;
		} else {
			best[k].value = pm.value & 0xffff;
			best[k].src = (uint16_t)(pm.value >> 16);
		}
	}
	for (size_t i = 0; i < a->nmmdbs; i++) {
		struct mmdb_source *m = &a->mmdbs[i];
		struct hit h;
		if (mmdb_lookup(a, m, family, addr, &h, r->first, r->last, err, errlen) != 0)
			return -1;
		if (better(&h, &best[m->kind]))
			best[m->kind] = h;
	}
	if (best[KIND_ASN].found) {
		r->asn_found = true;
		r->asn_length = best[KIND_ASN].length;
		if (best[KIND_ASN].table) {
			const struct origin *o = &a->origins[best[KIND_ASN].value];
			r->asn = o->asn;
			r->multi_origin = o->multi;
		} else {
			r->asn = best[KIND_ASN].value;
		}
	}
	if (best[KIND_GEO].found) {
		r->cc_found = true;
		r->cc[0] = (char)(best[KIND_GEO].value >> 8);
		r->cc[1] = (char)(best[KIND_GEO].value & 0xff);
		r->cc_length = best[KIND_GEO].length;
	}
	return 0;
}

const char *attribution_as_name(const struct attribution *a, uint32_t asn)
{
	struct target_key k = u64key(asn);
	uint32_t *slot = target_map_get(a->name_index, &k, false, 0, NULL);
	return slot && *slot < a->nnames ? a->names[*slot].as_name : NULL;
}

const char *attribution_org_name(const struct attribution *a, uint32_t asn)
{
	struct target_key k = u64key(asn);
	uint32_t *slot = target_map_get(a->name_index, &k, false, 0, NULL);
	return slot && *slot < a->nnames ? a->names[*slot].org_name : NULL;
}
