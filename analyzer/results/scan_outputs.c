/* scan_outputs.c — writes a finished scan's results directory: targets.csv,
 * fingerprints.csv (fingerprint.h) and summary.csv (RFC 4180 CSV through csv_io, columns from columns.c),
 * targets.sets (target.h's set file) and scan.state (scan_state.c), through
 * outdir.h.  Used by `mpcap analyze` and `mpcap merge`. */
#include <stdlib.h>
#include <string.h>

#include "analyzer/base/csv_io.h"
#include "analyzer/base/grow.h"
#include "analyzer/base/strtab.h"
#include "analyzer/base/text.h"
#include "analyzer/dissect/mpcapable.h"
#include "analyzer/results/columns.h"
#include "analyzer/results/outdir.h"
#include "analyzer/results/scan_outputs.h"
#include "analyzer/scan/fingerprint.h"
#include "analyzer/scan/scan.h"
#include "analyzer/scan/verdict.h"

/* targets.csv is written without stdio formatting: numbers, keys, IPv4
 * addresses and times are formatted by hand (the text printf would give)
 * and each row goes to fwrite() whole (csv_format_row). */
static const char hexdigits[] = "0123456789abcdef";

/* v in decimal, NUL-terminated; returns its length. */
static size_t fmt_u64(char *buf, uint64_t v)
{
	char t[20];
	size_t n = 0;
	do
		t[n++] = (char)('0' + v % 10);
	while (v /= 10);
	for (size_t i = 0; i < n; i++)
		buf[i] = t[n - 1 - i];
	buf[n] = '\0';
	return n;
}

/* format_key(): 16 lowercase hex digits */
static void fmt_key(char buf[17], uint64_t key)
{
	for (int i = 15; i >= 0; i--, key >>= 4)
		buf[i] = hexdigits[key & 15];
	buf[16] = '\0';
}

/* target_addr_format(): dotted decimal for IPv4 (as inet_ntop), inet_ntop for IPv6 */
static void fmt_addr(char *buf, size_t buflen, uint8_t family, const uint8_t *addr)
{
	if (family != 4) {
		target_addr_format(family, addr, buf, buflen);
		return;
	}
	size_t at = 0;
	for (int i = 0; i < 4; i++) {
		at += fmt_u64(buf + at, addr[i]);
		buf[at++] = i < 3 ? '.' : '\0';
	}
}

/* format_time(): SEC.NNNNNNNNN */
static void fmt_time(char *buf, size_t buflen, int64_t sec, uint32_t nsec)
{
	if (sec < 0 || nsec >= 1000000000u) {
		format_time(sec, nsec, buf, buflen);
		return;
	}
	size_t at = fmt_u64(buf, (uint64_t)sec);
	buf[at++] = '.';
	for (int i = 8; i >= 0; i--, nsec /= 10)
		buf[at + (size_t)i] = (char)('0' + nsec % 10);
	buf[at + 9] = '\0';
}

static int write_targets(FILE *fp, const struct scan *s)
{
	char line[2048];
	if (column_set_write_header(fp, COLSET_TARGETS) != 0)
		return -1;
	const char *label = scan_label(s);
	for (size_t i = 0; i < scan_target_count(s); i++) {
		const struct scan_target *t = scan_target_at(s, i);
		struct probe_profile p;
		scan_target_probe(s, t, &p);
		char addr[64], port[8], fam[4], pver[8], pkey[17], mver[8], mlen[8], mflags[8], key[17],
		    weight[8], dist[8], first[40], ttl[8], nresp[16], anom[128];
		fmt_addr(addr, sizeof addr, t->key.family, t->key.addr);
		fmt_u64(port, t->key.port);
		fmt_u64(fam, t->key.family);
		pver[0] = pkey[0] = mver[0] = mlen[0] = mflags[0] = key[0] = weight[0] = dist[0] = '\0';
		if (p.has_mpc)
			fmt_u64(pver, p.mpc_version);
		if (p.has_key)
			fmt_key(pkey, p.key);
		uint32_t anomalies = 0;
		if (t->has_mpc) {
			const struct mpc_option *m = &t->mpc;
			fmt_u64(mver, m->version);
			fmt_u64(mlen, m->length);
			if (m->has_flags) {
				mflags[0] = '0';
				mflags[1] = 'x';
				mflags[2] = hexdigits[m->flags >> 4];
				mflags[3] = hexdigits[m->flags & 15];
				mflags[4] = '\0';
			}
			if (m->has_sender_key) {
				fmt_key(key, m->sender_key);
				fmt_u64(weight, (uint64_t)__builtin_popcountll(m->sender_key));
				if (p.has_key)
					fmt_u64(dist, (uint64_t)__builtin_popcountll(m->sender_key ^ p.key));
			}
			anomalies = m->anomalies;
		}
		anom[0] = '\0';
		if (anomalies)
			format_mpc_anomalies(anomalies, anom, sizeof anom);
		if (t->has_mpc && p.has_mpc && t->mpc.version != p.mpc_version) {
			size_t l = strlen(anom);
			snprintf(anom + l, sizeof anom - l, "%sversion-mismatch", l ? ";" : "");
		}
		first[0] = ttl[0] = nresp[0] = '\0';
		if (t->response != RESP_NONE) { /* an A/B row (abtest.h) has no answer */
			fmt_time(first, sizeof first, t->first_sec, t->first_nsec);
			fmt_u64(ttl, t->ttl);
			fmt_u64(nresp, t->responses);
		}
		char fpr[FINGERPRINT_MAX];
		fingerprint_format(&p, t, fpr, sizeof fpr);
		char group[16] = "";
		if (t->key_group)
			fmt_u64(group, t->key_group);
		const char *f[TARGETS_NCOLS] = {
			[TARGETS_SCAN] = label,
			[TARGETS_ADDRESS] = addr,
			[TARGETS_PORT] = port,
			[TARGETS_FAMILY] = fam,
			[TARGETS_PROBE_VERSION] = pver,
			[TARGETS_PROBE_KEY] = pkey,
			[TARGETS_RESPONSE] = response_type_name(t->response),
			[TARGETS_MPC_VERSION] = mver,
			[TARGETS_MPC_LENGTH] = mlen,
			[TARGETS_MPC_FLAGS] = mflags,
			[TARGETS_KEY] = key,
			[TARGETS_KEY_WEIGHT] = weight,
			[TARGETS_KEY_DISTANCE] = dist,
			[TARGETS_FIRST_SEEN] = first,
			[TARGETS_TTL] = ttl,
			[TARGETS_RESPONSES] = nresp,
			[TARGETS_ANOMALY] = anom,
			[TARGETS_VERDICT] = verdict_name((enum verdict)t->verdict),
			[TARGETS_VERDICT_REASON] =
			    verdict_reason_name((enum verdict_reason)t->verdict_reason),
			[TARGETS_KEY_GROUP] = group,
			[TARGETS_FINGERPRINT] = fpr,
		};
		size_t n = csv_format_row(line, sizeof line, f, sizeof f / sizeof f[0]);
		if (n ? fwrite(line, 1, n, fp) != n : csv_write_row(fp, f, sizeof f / sizeof f[0]) != 0)
			return -1;
	}
	return 0;
}

struct fpr_row {
	char *fingerprint;
	uint8_t verdict;
	uint64_t n;
};

static int fpr_count_cmp(const void *a, const void *b)
{
	const struct fpr_row *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	int c = strcmp(x->fingerprint, y->fingerprint);
	return c ? c : strcmp(verdict_name((enum verdict)x->verdict), verdict_name((enum verdict)y->verdict));
}

/* fingerprints.csv: the SYN-ACK rows of targets.csv per (fingerprint, verdict). */
static int write_fingerprints(FILE *fp, const struct scan *s)
{
	if (column_set_write_header(fp, COLSET_FINGERPRINTS) != 0)
		return -1;
	/* rows per distinct fingerprint (a scan has few, and up to millions of
	 * rows: no copy and no sort per row) and verdict; any verdict beyond
	 * the table (none is: scan_finish sets them) counts as "unknown" */
	enum { STRIDE = VERDICT_COUNT + 1 };
	size_t total = scan_target_count(s), cap = 0;
	struct strtab names = { 0 };
	uint64_t *count = NULL;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < total; i++) {
		const struct scan_target *t = scan_target_at(s, i);
		if (t->response != RESP_SYNACK)
			continue;
		struct probe_profile p;
		scan_target_probe(s, t, &p);
		char fpr[FINGERPRINT_MAX];
		fingerprint_format(&p, t, fpr, sizeof fpr);
		long name = strtab_intern(&names, fpr);
		size_t have = cap;
		if (name < 0 ||
		    grow_array((void **)&count, &cap, names.n * STRIDE, sizeof *count, 16 * STRIDE) != 0) {
			rc = -1;
			break;
		}
		memset(count + have, 0, (cap - have) * sizeof *count);
		count[(size_t)name * STRIDE + (t->verdict < VERDICT_COUNT ? t->verdict : VERDICT_COUNT)]++;
	}
	size_t n = 0;
	struct fpr_row *rows = NULL;
	if (rc == 0 && names.n && !(rows = malloc(names.n * STRIDE * sizeof *rows)))
		rc = -1;
	for (size_t i = 0; rc == 0 && i < names.n * STRIDE; i++)
		if (count[i])
			rows[n++] = (struct fpr_row){ names.v[i / STRIDE], (uint8_t)(i % STRIDE), count[i] };
	if (rc == 0 && n)
		qsort(rows, n, sizeof *rows, fpr_count_cmp);
	const char *label = scan_label(s);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char cnt[24];
		snprintf(cnt, sizeof cnt, "%llu", (unsigned long long)rows[i].n);
		const char *f[FPR_NCOLS] = {
			[FPR_SCAN] = label,
			[FPR_FINGERPRINT] = rows[i].fingerprint,
			[FPR_VERDICT] = verdict_name((enum verdict)rows[i].verdict),
			[FPR_TARGETS] = cnt,
		};
		rc = csv_write_row(fp, f, FPR_NCOLS);
	}
	free(rows);
	free(count);
	strtab_free(&names);
	return rc;
}

struct summary_writer {
	FILE *fp;
	const char *label;
	int rc;
};

static void write_counter(void *ctx, const char *counter, int family, int port, uint64_t value)
{
	struct summary_writer *w = ctx;
	char fam[4] = "", prt[8] = "", val[24];
	if (family) {
		snprintf(fam, sizeof fam, "%d", family);
		snprintf(prt, sizeof prt, "%d", port);
	}
	snprintf(val, sizeof val, "%llu", (unsigned long long)value);
	const char *f[SUMMARY_NCOLS] = { [SUMMARY_SCAN] = w->label,
		                         [SUMMARY_COUNTER] = counter,
		                         [SUMMARY_FAMILY] = fam,
		                         [SUMMARY_PORT] = prt,
		                         [SUMMARY_VALUE] = val };
	if (w->rc == 0 && csv_write_row(w->fp, f, SUMMARY_NCOLS) != 0)
		w->rc = -1;
}

static int write_summary(FILE *fp, const struct scan *s)
{
	if (column_set_write_header(fp, COLSET_SUMMARY) != 0)
		return -1;
	struct summary_writer w = { fp, scan_label(s), 0 };
	scan_each_counter(s, write_counter, &w);
	return w.rc;
}

int write_scan_outputs(const char *dir, const struct scan *s, struct manifest *m, char *err, size_t errlen)
{
	struct outdir o;
	int rc = -1;
	if (outdir_open(&o, dir, err, errlen) != 0)
		goto out;
	o.manifest = m;
	/* renamed in this order: the state and the sets before the tables */
	FILE *state = outdir_add(&o, "scan.state", err, errlen);
	FILE *sets = state ? outdir_add(&o, "targets.sets", err, errlen) : NULL;
	FILE *targets = sets ? outdir_add(&o, "targets.csv", err, errlen) : NULL;
	FILE *fprs = targets ? outdir_add(&o, "fingerprints.csv", err, errlen) : NULL;
	FILE *summary = fprs ? outdir_add(&o, "summary.csv", err, errlen) : NULL;
	if (!summary)
		goto out;
	if (write_targets(targets, s) != 0) {
		outdir_write_failed(&o, targets, err, errlen);
		goto out;
	}
	if (write_fingerprints(fprs, s) != 0) {
		outdir_write_failed(&o, fprs, err, errlen);
		goto out;
	}
	if (write_summary(summary, s) != 0) {
		outdir_write_failed(&o, summary, err, errlen);
		goto out;
	}
	const char *names[SCAN_SET_MAX];
	struct target_set *tsets[SCAN_SET_MAX];
	size_t nsets = scan_saved_sets(s, names, tsets);
	if (target_sets_write(sets, names, tsets, nsets) != 0) {
		outdir_write_failed(&o, sets, err, errlen);
		goto out;
	}
	if (scan_state_write(s, state) != 0) {
		outdir_write_failed(&o, state, err, errlen);
		goto out;
	}
	rc = outdir_commit(&o, err, errlen);
out:
	outdir_close(&o);
	return rc;
}
