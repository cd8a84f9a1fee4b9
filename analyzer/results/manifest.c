/* manifest.c — manifest.json of a results directory, through jansson (JSON,
 * RFC 8259) and libcrypto's SHA-256 (FIPS 180-4).  See manifest.h. */
#include "analyzer/results/manifest.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analyzer/base/sha256.h"
#include "analyzer/results/outdir.h"

#define MANIFEST_FORMAT 1

struct manifest {
	json_t *root;
	json_t *inputs, *options, *scans, *counts;
};

static void utc_now(char out[32])
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

struct manifest *manifest_new(const char *version, const char *git_describe, int argc, char *const *argv)
{
	struct manifest *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->root = json_object();
	m->inputs = json_array();
	m->options = json_object();
	m->scans = json_array();
	m->counts = json_object();
	json_t *cmd = json_array();
	if (!m->root || !m->inputs || !m->options || !m->scans || !m->counts || !cmd) {
		json_decref(cmd);
		manifest_free(m);
		return NULL;
	}
	for (int i = 0; i < argc; i++)
		json_array_append_new(cmd, json_string(argv[i]));
	char now[32], host[256] = "", cwd[PATH_MAX];
	utc_now(now);
	if (gethostname(host, sizeof host - 1) != 0)
		host[0] = '\0';
	json_object_set_new(m->root, "format", json_integer(MANIFEST_FORMAT));
	json_object_set_new(m->root, "mpcap_version", json_string(version));
	json_object_set_new(m->root, "git_describe",
	                    git_describe && *git_describe ? json_string(git_describe) : json_null());
	json_object_set_new(m->root, "command_line", cmd);
	json_object_set_new(m->root, "cwd", getcwd(cwd, sizeof cwd) ? json_string(cwd) : json_null());
	json_object_set_new(m->root, "host", json_string(host));
	json_object_set_new(m->root, "start_time", json_string(now));
	json_object_set(m->root, "inputs", m->inputs);
	json_object_set(m->root, "options", m->options);
	json_object_set(m->root, "scans", m->scans);
	json_object_set(m->root, "counts", m->counts);
	return m;
}

void manifest_free(struct manifest *m)
{
	if (!m)
		return;
	json_decref(m->inputs);
	json_decref(m->options);
	json_decref(m->scans);
	json_decref(m->counts);
	json_decref(m->root);
	free(m);
}

static json_t *file_entry(const char *path, const char *kind, const char *sha256, uint64_t size,
                          const char *hashed)
{
	json_t *e = json_object();
	if (!e)
		return NULL;
	json_object_set_new(e, "path", json_string(path));
	if (kind)
		json_object_set_new(e, "kind", json_string(kind));
	json_object_set_new(e, "size", json_integer((json_int_t)size));
	json_object_set_new(e, "sha256", sha256 ? json_string(sha256) : json_null());
	if (hashed)
		json_object_set_new(e, "hashed", json_string(hashed));
	return e;
}

int manifest_add_input(struct manifest *m, const char *path, const char *kind, const char *sha256,
                       uint64_t size, char *err, size_t errlen)
{
	if (json_array_append_new(m->inputs, file_entry(path, kind, sha256, size, "while read")) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int manifest_add_input_file(struct manifest *m, const char *path, const char *kind, char *err, size_t errlen)
{
	struct stat st;
	json_t *e;
	if (strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		e = file_entry(path, kind, NULL, 0, "not hashed (not a regular file)");
		json_object_del(e, "size");
	} else {
		char hex[SHA256_HEX];
		uint64_t size;
		if (sha256_file(path, hex, &size, err, errlen) != 0) {
			char why[256];
			snprintf(why, sizeof why, "%s", err);
			snprintf(err, errlen, "%s: %s", path, why);
			return -1;
		}
		e = file_entry(path, kind, hex, size, "after reading");
	}
	if (json_array_append_new(m->inputs, e) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int manifest_add_results_dir(struct manifest *m, const char *dir, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0; /* the reader says what is wrong with it */
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue; /* ., .., and temporaries */
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			char **nn = realloc(names, cap * sizeof *nn);
			if (!nn) {
				rc = -1;
				break;
			}
			names = nn;
		}
		if (!(names[n] = strdup(de->d_name))) {
			rc = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (rc != 0)
		snprintf(err, errlen, "out of memory");
	if (names)
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n && rc == 0; i++) {
		size_t len = strlen(dir) + strlen(names[i]) + 2;
		char *path = malloc(len);
		struct stat st;
		if (!path) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
			break;
		}
		snprintf(path, len, "%s/%s", dir, names[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			rc = manifest_add_input_file(m, path, "results", err, errlen);
		free(path);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int manifest_add_paths(struct manifest *m, char *const *paths, int n, const char *kind, char *err,
                       size_t errlen)
{
	for (int i = 0; i < n; i++) {
		struct stat st;
		int rc = stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)
		             ? manifest_add_results_dir(m, paths[i], err, errlen)
		             : manifest_add_input_file(m, paths[i], kind, err, errlen);
		if (rc != 0)
			return -1;
	}
	return 0;
}

void manifest_set_option(struct manifest *m, const char *name, const char *value)
{
	json_object_set_new(m->options, name, value ? json_string(value) : json_null());
}

void manifest_set_option_int(struct manifest *m, const char *name, int64_t value)
{
	json_object_set_new(m->options, name, json_integer((json_int_t)value));
}

void manifest_set_flag(struct manifest *m, const char *name, bool value)
{
	json_object_set_new(m->options, name, json_boolean(value));
}

void manifest_add_scan(struct manifest *m, const char *label)
{
	json_array_append_new(m->scans, json_string(label));
}

void manifest_set_count(struct manifest *m, const char *name, uint64_t value)
{
	json_object_set_new(m->counts, name, json_integer((json_int_t)value));
}

int manifest_write(struct manifest *m, struct outdir *o, char *err, size_t errlen)
{
	json_t *outputs = json_array();
	if (!outputs) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < o->n; i++) {
		struct outdir_file *f = &o->files[i];
		if (fflush(f->af.fp) != 0)
			return json_decref(outputs), outdir_write_failed(o, f->af.fp, err, errlen);
		char hex[SHA256_HEX], why[256];
		uint64_t size;
		if (sha256_file(f->af.tmp_path, hex, &size, why, sizeof why) != 0) {
			snprintf(err, errlen, "%s/%s: %s", o->dir, f->name, why);
			json_decref(outputs);
			return -1;
		}
		json_array_append_new(outputs, file_entry(f->name, NULL, hex, size, NULL));
	}
	char now[32];
	utc_now(now);
	json_object_set_new(m->root, "end_time", json_string(now));
	json_object_set_new(m->root, "outputs", outputs);
	FILE *fp = outdir_add(o, MANIFEST_NAME, err, errlen);
	if (!fp)
		return -1;
	if (json_dumpf(m->root, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 || fputc('\n', fp) == EOF)
		return outdir_write_failed(o, fp, err, errlen);
	return 0;
}

/* ---- verify ------------------------------------------------------------------ */

/* Compares path with the sha256 and size recorded; prints "NAME: STATUS".
 * Returns 1 when it does not agree, 0 when it does. */
static int check_file(const char *path, const char *shown, json_t *entry, FILE *out)
{
	const char *want = json_string_value(json_object_get(entry, "sha256"));
	json_int_t size = json_integer_value(json_object_get(entry, "size"));
	if (!want) {
		fprintf(out, "%s: not hashed when recorded\n", shown);
		return 0;
	}
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(out, "%s: missing\n", shown);
		return 1;
	}
	char hex[SHA256_HEX], why[256];
	uint64_t got;
	if (sha256_file(path, hex, &got, why, sizeof why) != 0) {
		fprintf(out, "%s: unreadable (%s)\n", shown, why);
		return 1;
	}
	if (got != (uint64_t)size || strcmp(hex, want) != 0) {
		fprintf(out,
		        "%s: changed (%llu bytes, sha256 %.12s…; the manifest says %lld bytes, %.12s…)\n",
		        shown, (unsigned long long)got, hex, (long long)size, want);
		return 1;
	}
	fprintf(out, "%s: ok\n", shown);
	return 0;
}

int manifest_verify(const char *dir, bool inputs, FILE *out, char *err, size_t errlen)
{
	size_t len = strlen(dir) + sizeof MANIFEST_NAME + 1;
	char *path = malloc(len);
	if (!path) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(path, len, "%s/%s", dir, MANIFEST_NAME);
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	if (!root) {
		struct stat st;
		if (stat(path, &st) != 0)
			snprintf(err, errlen,
			         "%s: no %s (not a results directory, or written before mpcap "
			         "kept manifests)",
			         dir, MANIFEST_NAME);
		else
			snprintf(err, errlen, "%s: line %d: %s", path, je.line, je.text);
		free(path);
		return -1;
	}
	free(path);
	json_t *outputs = json_object_get(root, "outputs");
	if (!json_is_array(outputs)) {
		snprintf(err, errlen, "%s/%s: no \"outputs\" list", dir, MANIFEST_NAME);
		json_decref(root);
		return -1;
	}
	int bad = 0;
	size_t i;
	json_t *e;
	json_array_foreach(outputs, i, e)
	{
		const char *name = json_string_value(json_object_get(e, "path"));
		if (!name || strchr(name, '/')) {
			fprintf(out, "%s/%s: entry %zu has no file name\n", dir, MANIFEST_NAME, i);
			bad++;
			continue;
		}
		size_t plen = strlen(dir) + strlen(name) + 2;
		char *p = malloc(plen);
		if (!p)
			break;
		snprintf(p, plen, "%s/%s", dir, name);
		bad += check_file(p, p, e, out);
		free(p);
	}
	const char *cwd = json_string_value(json_object_get(root, "cwd"));
	json_array_foreach(inputs ? json_object_get(root, "inputs") : NULL, i, e)
	{
		const char *name = json_string_value(json_object_get(e, "path"));
		if (!name)
			continue;
		if (strcmp(name, "-") == 0) {
			fprintf(out, "input -: standard input, not checked\n");
			continue;
		}
		char *p = NULL;
		if (name[0] != '/' && cwd) {
			size_t plen = strlen(cwd) + strlen(name) + 2;
			if ((p = malloc(plen)))
				snprintf(p, plen, "%s/%s", cwd, name);
		}
		char shown[PATH_MAX + 16];
		snprintf(shown, sizeof shown, "input %s", name);
		bad += check_file(p ? p : name, shown, e, out);
		free(p);
	}
	json_decref(root);
	return bad;
}
