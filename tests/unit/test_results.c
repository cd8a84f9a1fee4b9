/* test_results.c — the results layer's readers and writer: CSV streamed row by
 * row (csv_io.h), targets.csv and summary.csv typed (targets_csv.h,
 * summary_csv.h) on every golden results file of tests/golden, and an output
 * directory's files committed together or not at all (outdir.h). */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/base/csv_io.h"
#include "analyzer/base/text.h"
#include "analyzer/results/outdir.h"
#include "analyzer/results/results_dir.h"
#include "analyzer/results/summary_csv.h"
#include "analyzer/results/targets_csv.h"

/* A fresh temporary directory (removed by rm -r in fini is not needed: /tmp). */
static void temp_dir(char *buf, size_t n)
{
	snprintf(buf, n, "/tmp/mpcap-test-results.XXXXXX");
	cr_assert_not_null(mkdtemp(buf));
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *fp = fopen(path, "wb");
	cr_assert_not_null(fp);
	cr_assert_eq(fwrite(text, 1, len, fp), len);
	cr_assert_eq(fclose(fp), 0);
}

/* A temporary file holding text; its path in path. */
static void temp_csv(const char *text, char *path, size_t n)
{
	char dir[64];
	temp_dir(dir, sizeof dir);
	snprintf(path, n, "%s/t.csv", dir);
	write_file(path, text, strlen(text));
}

static char *read_all(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	int c;
	while ((c = getc(fp)) != EOF)
		putc(c, mem);
	fclose(fp);
	fclose(mem);
	return buf;
}

/* ---- csv_reader ---- */

Test(csv_reader, rows_one_by_one_with_quotes_crlf_and_record_numbers)
{
	char path[128], err[512];
	temp_csv("a,b\r\n1,\"x,y\"\r\n2,\"two\nlines\"\n3,\"say \"\"hi\"\"\"", path, sizeof path);
	struct csv_reader *r = csv_reader_open(path, err, sizeof err);
	cr_assert_not_null(r, "%s", err);
	cr_assert_eq(csv_reader_ncols(r), 2);
	cr_assert_str_eq(csv_reader_header(r, 1), "b");
	cr_assert_eq(csv_reader_col(r, "b"), 1);
	cr_assert_eq(csv_reader_col(r, "c"), -1);
	char *const *f;
	cr_assert_eq(csv_reader_next(r, &f, err, sizeof err), 1, "%s", err);
	cr_assert_str_eq(f[0], "1");
	cr_assert_str_eq(f[1], "x,y");
	cr_assert_eq(csv_reader_record(r), 2);
	cr_assert_eq(csv_reader_next(r, &f, err, sizeof err), 1, "%s", err);
	cr_assert_str_eq(f[1], "two\nlines");
	cr_assert_eq(csv_reader_record(r), 3);
	cr_assert_eq(csv_reader_next(r, &f, err, sizeof err), 1, "%s", err); /* no newline at the end */
	cr_assert_str_eq(f[1], "say \"hi\"");
	cr_assert_eq(csv_reader_next(r, &f, err, sizeof err), 0);
	cr_assert_eq(csv_reader_next(r, &f, err, sizeof err), 0);
	csv_reader_close(r);
}

Test(csv_reader, rows_and_fields_across_buffer_boundaries)
{
	/* 100 000 rows and one 200 000-byte field: more than the 64 KiB read buffer */
	char path[128], err[512];
	char dir[64];
	temp_dir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/big.csv", dir);
	FILE *fp = fopen(path, "w");
	cr_assert_not_null(fp);
	fprintf(fp, "n,text\n");
	for (int i = 0; i < 100000; i++)
		fprintf(fp, "%d,row%d\n", i, i);
	fprintf(fp, "long,\"");
	for (int i = 0; i < 200000; i++)
		putc('a' + i % 26, fp);
	fprintf(fp, "\"\n");
	fclose(fp);
	struct csv_reader *r = csv_reader_open(path, err, sizeof err);
	cr_assert_not_null(r, "%s", err);
	char *const *f;
	for (int i = 0; i < 100000; i++) {
		char want[32];
		cr_assert_eq(csv_reader_next(r, &f, err, sizeof err), 1, "%s", err);
		snprintf(want, sizeof want, "row%d", i);
		cr_assert_str_eq(f[1], want);
		cr_assert_eq(csv_reader_record(r), (size_t)i + 2);
	}
	cr_assert_eq(csv_reader_next(r, &f, err, sizeof err), 1, "%s", err);
	cr_assert_eq(strlen(f[1]), 200000);
	cr_assert_eq(f[1][199999], 'a' + 199999 % 26);
	cr_assert_eq(csv_reader_next(r, &f, err, sizeof err), 0);
	csv_reader_close(r);
}

Test(csv_reader, errors_name_the_file_record_and_reason)
{
	char path[128], err[512];
	char *const *f;
	temp_csv("a,b\n1,2\n3\n", path, sizeof path);
	struct csv_reader *r = csv_reader_open(path, err, sizeof err);
	cr_assert_not_null(r);
	cr_assert_eq(csv_reader_next(r, &f, err, sizeof err), 1);
	cr_assert_eq(csv_reader_next(r, &f, err, sizeof err), -1);
	cr_assert(strstr(err, path) && strstr(err, "record 3 has 1 fields, the header has 2"), "%s", err);
	csv_reader_close(r);

	temp_csv("a\n\"x\"y\n", path, sizeof path);
	r = csv_reader_open(path, err, sizeof err);
	cr_assert_not_null(r);
	cr_assert_eq(csv_reader_next(r, &f, err, sizeof err), -1);
	cr_assert(strstr(err, path) && strstr(err, "CSV error near record 2"), "%s", err);
	csv_reader_close(r);

	temp_csv("", path, sizeof path);
	cr_assert_null(csv_reader_open(path, err, sizeof err));
	cr_assert(strstr(err, path) && strstr(err, "empty file"), "%s", err);
	cr_assert_null(csv_reader_open("/nonexistent/x.csv", err, sizeof err));
	cr_assert(strstr(err, "/nonexistent/x.csv: No such file"), "%s", err);

	struct csv_table t;
	temp_csv("a,b\n1,2\n3\n", path, sizeof path);
	cr_assert_eq(csv_table_read(path, &t, err, sizeof err), -1);
	cr_assert(t.header == NULL && t.nrows == 0 && strstr(err, "record 3"), "%s", err);
}

/* ---- targets.csv and summary.csv, typed, on every golden results directory ---- */

/* The golden results directories of tests/golden (NAME/targets.csv). */
static size_t golden_dirs(char names[][64], size_t max)
{
	DIR *d = opendir("tests/golden");
	cr_assert_not_null(d);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < max) {
		char p[300];
		snprintf(p, sizeof p, "tests/golden/%.63s/targets.csv", e->d_name);
		if (e->d_name[0] != '.' && access(p, R_OK) == 0)
			snprintf(names[n++], 64, "%.63s", e->d_name);
	}
	closedir(d);
	cr_assert_gt(n, 10);
	return n;
}

/* Lines of a file without embedded newlines, header excluded. */
static size_t data_lines(const char *path)
{
	char *text = read_all(path);
	cr_assert_not_null(text, "%s", path);
	size_t n = 0;
	for (const char *p = text; *p; p++)
		n += *p == '\n';
	free(text);
	return n - 1;
}

Test(targets_csv, every_golden_row_typed_and_written_back_the_same)
{
	char goldens[64][64];
	size_t ng = golden_dirs(goldens, 64), total = 0, keys = 0;
	for (size_t g = 0; g < ng; g++) {
		char path[256], err[512];
		snprintf(path, sizeof path, "tests/golden/%s/targets.csv", goldens[g]);
		unsigned all = (1u << TARGETS_NCOLS) - 1;
		struct targets_reader *r = targets_open(path, all, 0, err, sizeof err);
		cr_assert_not_null(r, "%s", err);
		struct targets_row row;
		size_t n = 0;
		int rc;
		while ((rc = targets_next(r, &row, err, sizeof err)) == 1) {
			char *const *f = row.fields;
			char buf[64], key[17];
			cr_assert_eq(row.nfields, TARGETS_NCOLS);
			cr_assert_str_eq(row.scan, f[TARGETS_SCAN]);
			cr_assert(inet_ntop(row.family == 4 ? AF_INET : AF_INET6, row.addr, buf, sizeof buf));
			cr_assert_str_eq(buf, f[TARGETS_ADDRESS], "%s:%zu", path, row.line);
			snprintf(buf, sizeof buf, "%u", row.family);
			cr_assert_str_eq(buf, f[TARGETS_FAMILY]);
			snprintf(buf, sizeof buf, "%u", row.port);
			cr_assert_str_eq(buf, f[TARGETS_PORT]);
			cr_assert_str_eq(verdict_name(row.verdict), f[TARGETS_VERDICT]);
			cr_assert_str_eq(verdict_reason_name(row.reason), f[TARGETS_VERDICT_REASON]);
			cr_assert_str_eq(response_type_name(row.response), f[TARGETS_RESPONSE]);
			cr_assert_eq(row.has_mpc, f[TARGETS_MPC_VERSION][0] != '\0');
			if (row.has_mpc) {
				snprintf(buf, sizeof buf, "%u", row.mpc_version);
				cr_assert_str_eq(buf, f[TARGETS_MPC_VERSION]);
			}
			cr_assert_eq(row.has_key, f[TARGETS_KEY][0] != '\0');
			if (row.has_key) {
				format_key(row.key, key);
				cr_assert_str_eq(key, f[TARGETS_KEY]);
				/* the file's own weight and distance columns against the typed keys */
				cr_assert_eq(row.key_weight, __builtin_popcountll(row.key));
				if (row.has_probe_key) {
					snprintf(buf, sizeof buf, "%d",
					         __builtin_popcountll(row.key ^ row.probe_key));
					cr_assert_str_eq(buf, f[TARGETS_KEY_DISTANCE]);
				}
				keys++;
			}
			if (row.has_probe_key) {
				format_key(row.probe_key, key);
				cr_assert_str_eq(key, f[TARGETS_PROBE_KEY]);
			}
			snprintf(buf, sizeof buf, "%u", row.key_group);
			cr_assert_str_eq(row.key_group ? buf : "", f[TARGETS_KEY_GROUP]);
			cr_assert_eq(row.line, n + 2);
			n++;
		}
		cr_assert_eq(rc, 0, "%s", err);
		cr_assert_eq(n, data_lines(path), "%s", path);
		total += n;
		targets_close(r);
	}
	cr_assert_gt(total, 60);
	cr_assert_gt(keys, 10);
}

Test(targets_csv, columns_needed_optional_and_bad_values)
{
	char path[128], err[512];
	struct targets_row row;
	/* a missing needed column is named; a missing optional one is just absent */
	temp_csv("scan,key\n2020-07,0c0c0c0c0c0c0c0c\n", path, sizeof path);
	cr_assert_null(targets_open(path, TARGETS_COL(TARGETS_ADDRESS), 0, err, sizeof err));
	cr_assert(strstr(err, path) && strstr(err, "no 'address' column"), "%s", err);
	struct targets_reader *r =
	    targets_open(path, TARGETS_COL(TARGETS_KEY), TARGETS_COL(TARGETS_VERDICT), err, sizeof err);
	cr_assert_not_null(r, "%s", err);
	cr_assert(targets_has(r, TARGETS_KEY) && !targets_has(r, TARGETS_VERDICT));
	cr_assert_eq(targets_next(r, &row, err, sizeof err), 1);
	cr_assert(row.has_key && row.key == 0x0c0c0c0c0c0c0c0cULL);
	cr_assert_eq(targets_field_index(r, "scan"), 0);
	targets_close(r);

	static const struct {
		const char *text, *says;
	} bad[] = {
		{ "address,port\n10.0.0.1,80\n10.0.0.300,80\n",
		  "line 3: '10.0.0.300' is not an IPv4 or IPv6 address" },
		{ "address,port\n10.0.0.1,65536\n", "line 2: '65536' is not a port" },
		{ "address,family\n10.0.0.1,6\n", "line 2: family '6' does not match address 10.0.0.1" },
		{ "address,key\n::1,0C0C0C0C0C0C0C0C\n",
		  "line 2: key '0C0C0C0C0C0C0C0C' is not 16 lowercase hex digits" },
		{ "address,verdict\n::1,maybe\n", "line 2: unknown verdict 'maybe'" },
		{ "address,verdict\n::1,\n", "line 2: unknown verdict ''" },
		{ "address,mpc_version\n::1,x\n", "line 2: mpc_version 'x' is not a number 0..255" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		temp_csv(bad[i].text, path, sizeof path);
		r = targets_open(path, TARGETS_COL(TARGETS_ADDRESS),
		                 TARGETS_COL(TARGETS_PORT) | TARGETS_COL(TARGETS_FAMILY) |
		                     TARGETS_COL(TARGETS_KEY) | TARGETS_COL(TARGETS_VERDICT) |
		                     TARGETS_COL(TARGETS_MPC_VERSION),
		                 err, sizeof err);
		cr_assert_not_null(r, "%s", err);
		int rc;
		while ((rc = targets_next(r, &row, err, sizeof err)) == 1)
			;
		cr_assert_eq(rc, -1, "%s", bad[i].text);
		cr_assert(strstr(err, path) && strstr(err, bad[i].says), "%s", err);
		targets_close(r);
	}
}

Test(summary_csv, every_golden_counter_typed)
{
	char goldens[64][64];
	size_t ng = golden_dirs(goldens, 64);
	for (size_t g = 0; g < ng; g++) {
		char path[256], err[512];
		snprintf(path, sizeof path, "tests/golden/%s/summary.csv", goldens[g]);
		struct summary_csv s;
		cr_assert_eq(summary_csv_read(path, &s, err, sizeof err), 0, "%s", err);
		cr_assert_eq(s.n, data_lines(path));
		struct csv_table t;
		cr_assert_eq(csv_table_read(path, &t, err, sizeof err), 0, "%s", err);
		for (size_t i = 0; i < s.n; i++) {
			char **f = t.rows[i];
			char buf[32];
			cr_assert_str_eq(s.label, f[SUMMARY_SCAN]);
			cr_assert_str_eq(s.rows[i].counter, f[SUMMARY_COUNTER]);
			snprintf(buf, sizeof buf, "%llu", (unsigned long long)s.rows[i].value);
			cr_assert_str_eq(buf, f[SUMMARY_VALUE]);
			if (!s.rows[i].family) {
				cr_assert_str_eq(f[SUMMARY_FAMILY], "");
				cr_assert_str_eq(f[SUMMARY_PORT], "");
			} else {
				snprintf(buf, sizeof buf, "%u", s.rows[i].family);
				cr_assert_str_eq(buf, f[SUMMARY_FAMILY]);
				snprintf(buf, sizeof buf, "%u", s.rows[i].port);
				cr_assert_str_eq(buf, f[SUMMARY_PORT]);
			}
			uint64_t v;
			cr_assert(
			    summary_csv_value(&s, s.rows[i].counter, s.rows[i].family, s.rows[i].port, &v));
		}
		uint64_t v;
		cr_assert(!summary_csv_value(&s, "no.such.counter", 0, 0, &v));
		csv_table_free(&t);
		summary_csv_free(&s);
	}
}

Test(summary_csv, one_label_and_well_formed_rows)
{
	char path[128], err[512];
	struct summary_csv s;
	temp_csv("scan,counter,family,port,value\na,x,,,1\nb,y,,,2\n", path, sizeof path);
	cr_assert_eq(summary_csv_read(path, &s, err, sizeof err), -1);
	cr_assert(strstr(err, path) && strstr(err, "line 3: a second scan label 'b' (first 'a')"), "%s", err);
	temp_csv("scan,counter,family,port,value\na,x,4,,1\n", path, sizeof path);
	cr_assert_eq(summary_csv_read(path, &s, err, sizeof err), -1);
	cr_assert(strstr(err, "line 2: family '4' and port ''"), "%s", err);
	temp_csv("scan,counter,family,port,value\na,x,,,-1\n", path, sizeof path);
	cr_assert_eq(summary_csv_read(path, &s, err, sizeof err), -1);
	cr_assert(strstr(err, "line 2: value '-1' is not a count"), "%s", err);
	temp_csv("scan,counter,family,value\n", path, sizeof path);
	cr_assert_eq(summary_csv_read(path, &s, err, sizeof err), -1);
	cr_assert(strstr(err, "no 'port' column"), "%s", err);
}

Test(results_dir, not_a_results_directory_is_said_once)
{
	struct results_dir rd;
	char err[512];
	cr_assert_eq(results_dir_open(&rd, "/nonexistent/scan", err, sizeof err), -1);
	cr_assert(strstr(err, "/nonexistent/scan: not a results directory"), "%s", err);
	cr_assert_eq(results_dir_open(&rd, "tests/golden/zmap-analyze", err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(rd.label, "golden");
	cr_assert(!results_dir_has_sets(&rd));
	results_dir_close(&rd);
}

/* ---- outdir ---- */

/* Files of dir whose name starts with '.' (the temporaries). */
static int hidden_files(const char *dir)
{
	DIR *d = opendir(dir);
	cr_assert_not_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

Test(outdir, files_appear_together_at_commit)
{
	char base[64], dir[128], path[192], err[512];
	temp_dir(base, sizeof base);
	snprintf(dir, sizeof dir, "%s/a/b", base);
	struct outdir o;
	cr_assert_eq(outdir_open(&o, dir, err, sizeof err), 0, "%s", err);
	FILE *x = outdir_add(&o, "x.csv", err, sizeof err), *y = outdir_add(&o, "y.csv", err, sizeof err);
	cr_assert(x && y, "%s", err);
	fputs("one\n", x);
	fputs("two\n", y);
	snprintf(path, sizeof path, "%s/x.csv", dir);
	cr_assert_eq(access(dir, F_OK), -1, "no directory before the commit");
	char parent[160];
	snprintf(parent, sizeof parent, "%s/a", base);
	cr_assert_eq(hidden_files(parent), 1, "one staging directory next to it");
	cr_assert_eq(outdir_commit(&o, err, sizeof err), 0, "%s", err);
	outdir_close(&o);
	cr_assert_eq(hidden_files(parent), 0, "the staging directory became it");
	char *text = read_all(path);
	cr_assert_str_eq(text, "one\n");
	free(text);
	snprintf(path, sizeof path, "%s/y.csv", dir);
	text = read_all(path);
	cr_assert_str_eq(text, "two\n");
	free(text);
	cr_assert_eq(hidden_files(dir), 0);
}

Test(outdir, abort_keeps_the_old_files_and_removes_every_temporary)
{
	char dir[64], path[128], err[512];
	temp_dir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/x.csv", dir);
	write_file(path, "old\n", 4);
	struct outdir o;
	cr_assert_eq(outdir_open(&o, dir, err, sizeof err), 0, "%s", err);
	FILE *x = outdir_add(&o, "x.csv", err, sizeof err), *y = outdir_add(&o, "y.csv", err, sizeof err);
	cr_assert(x && y);
	fputs("new\n", x);
	errno = ENOSPC;
	cr_assert_eq(outdir_write_failed(&o, y, err, sizeof err), -1);
	char want[192];
	snprintf(want, sizeof want, "%s/y.csv: write failed: No space left on device", dir);
	cr_assert_str_eq(err, want);
	outdir_close(&o);
	outdir_close(&o); /* twice is safe */
	char *text = read_all(path);
	cr_assert_str_eq(text, "old\n");
	free(text);
	snprintf(path, sizeof path, "%s/y.csv", dir);
	cr_assert_eq(access(path, F_OK), -1);
	cr_assert_eq(hidden_files(dir), 0);
	char parent[80];
	snprintf(parent, sizeof parent, "%s", dir);
	*strrchr(parent, '/') = '\0';
	cr_assert_eq(access(parent, F_OK), 0);
	char stage[160];
	snprintf(stage, sizeof stage, ".%s.mpcap-", strrchr(dir, '/') + 1);
	DIR *d = opendir(parent);
	struct dirent *e;
	while ((e = readdir(d)))
		cr_assert(strncmp(e->d_name, stage, strlen(stage)) != 0, "staging directory %s left",
		          e->d_name);
	closedir(d);
}

Test(outdir, a_path_that_is_a_file_is_refused)
{
	char dir[64], path[128], err[512];
	temp_dir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/f", dir);
	write_file(path, "x", 1);
	struct outdir o;
	cr_assert_eq(outdir_open(&o, path, err, sizeof err), -1);
	cr_assert(strstr(err, "exists and is not a directory"), "%s", err);
	outdir_close(&o);
}
