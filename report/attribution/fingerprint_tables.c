/* fingerprint_tables.c — fingerprint x verdict per origin AS (see
 * fingerprint_tables.h).  Fingerprints compare a SYN-ACK's TCP options
 * (RFC 9293, RFC 7323, RFC 2018) and its MP_CAPABLE (RFC 8684 §3.1) with the
 * probe's.
 */
#include "report/attribution/fingerprint_tables.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/base/grow.h"
#include "analyzer/base/strtab.h"
#include "analyzer/results/results_dir.h"
#include "analyzer/scan/verdict.h"
#include "report/attribution/prefix_table.h"

struct entry {
	uint8_t family, verdict;
	uint16_t port;
	bool unknown;
	uint32_t asn, name;
};

static int entry_cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->unknown != b->unknown)
		return a->unknown ? 1 : -1;
	if (a->asn != b->asn)
		return a->asn < b->asn ? -1 : 1;
	if (a->name != b->name)
		return a->name < b->name ? -1 : 1;
	return (a->verdict > b->verdict) - (a->verdict < b->verdict);
}

static bool same_group(const struct fp_row *a, const struct fp_row *b)
{
	return a->family == b->family && a->port == b->port && a->unknown == b->unknown && a->asn == b->asn;
}

/* Within a group: count descending, then fingerprint, then verdict name. */
static int rank_cmp(const void *pa, const void *pb)
{
	const struct fp_row *a = pa, *b = pb;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	int c = strcmp(a->fingerprint, b->fingerprint);
	return c ? c : strcmp(verdict_name(a->verdict), verdict_name(b->verdict));
}

static int lookup_asn(struct attribution *a, const struct targets_row *row, struct entry *e, char *err,
                      size_t errlen)
{
	uint8_t a16[16] = { 0 };
	int fam = row->family;
	const uint8_t *addr = row->addr;
	if (fam == 6 && prefix_is_v4_mapped(addr)) {
		fam = 4;
		addr += 12;
	}
	memcpy(a16, addr, fam == 4 ? 4 : 16);
	struct attribution_result r;
	if (attribution_lookup(a, fam, a16, &r, err, errlen) != 0)
		return -1;
	e->unknown = !r.asn_found;
	e->asn = r.asn_found ? r.asn : 0;
	return 0;
}

/* The entries, aggregated and ranked, into out (top n per group). */
static int rank_entries(struct entry *v, size_t nv, size_t n, const struct strtab *names,
                        struct fp_table *out)
{
	qsort(v, nv, sizeof *v, entry_cmp);
	struct fp_row *rows = malloc((nv ? nv : 1) * sizeof *rows);
	if (!rows)
		return -1;
	size_t nr = 0;
	for (size_t i = 0; i < nv; i++) {
		if (nr && entry_cmp(&v[i], &v[i - 1]) == 0) {
			rows[nr - 1].count++;
			continue;
		}
		rows[nr++] = (struct fp_row){
			v[i].family, v[i].port, v[i].unknown, v[i].asn, names->v[v[i].name], v[i].verdict,
			1,           0
		};
	}
	size_t keep = 0;
	for (size_t b = 0; b < nr;) {
		size_t e = b;
		while (e < nr && same_group(&rows[e], &rows[b]))
			e++;
		qsort(rows + b, e - b, sizeof *rows, rank_cmp);
		for (size_t j = b; j < e && j - b < n; j++) {
			rows[keep] = rows[j];
			rows[keep++].rank = j - b + 1;
		}
		b = e;
	}
	out->rows = rows;
	out->n = keep;
	return 0;
}

int fp_table_read(struct attribution *a, const char *dir, size_t n, struct fp_table *out,
                  const volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	struct results_dir rd;
	if (results_dir_open(&rd, dir, err, errlen) != 0)
		return -1;
	struct targets_reader *tr = results_dir_targets(
	    &rd, TARGETS_COL(TARGETS_ADDRESS) | TARGETS_COL(TARGETS_PORT) | TARGETS_COL(TARGETS_VERDICT), 0,
	    err, errlen);
	struct strtab names = { 0 }; /* the distinct fingerprints */
	struct entry *v = NULL;
	size_t nv = 0, cap = 0;
	int rc = -1;
	if (!tr)
		goto out;
	int fi = targets_field_index(tr, "fingerprint");
	struct targets_row row;
	int r = 0;
	while (fi >= 0 && (r = targets_next(tr, &row, err, errlen)) == 1) {
		if ((size_t)fi >= row.nfields || !row.fields[fi][0])
			continue;
		if (stop && (nv & 0xffff) == 0 && *stop) {
			rc = 1;
			goto out;
		}
		long name = strtab_intern(&names, row.fields[fi]);
		if (name < 0 || grow_array((void **)&v, &cap, nv + 1, sizeof *v, 1024) != 0) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		struct entry *e = &v[nv++];
		*e = (struct entry){ row.family, (uint8_t)row.verdict, row.port, false, 0, (uint32_t)name };
		if (lookup_asn(a, &row, e, err, errlen) != 0)
			goto out;
	}
	if (r < 0)
		goto out;
	if (rank_entries(v, nv, n, &names, out) != 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	out->names = names.v;
	out->nnames = names.n;
	names.v = NULL;
	names.n = 0;
	rc = 0;
out:
	if (tr)
		targets_close(tr);
	results_dir_close(&rd);
	strtab_free(&names);
	free(v);
	if (rc != 0)
		fp_table_free(out);
	return rc;
}

void fp_table_free(struct fp_table *t)
{
	for (size_t i = 0; i < t->nnames; i++)
		free(t->names[i]);
	free(t->names);
	free(t->rows);
	memset(t, 0, sizeof *t);
}
