/* results_dir.c — a results directory opened for reading.  See results_dir.h. */
#include "analyzer/results/results_dir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyzer/scan/target.h"

static char *path_in(const char *dir, const char *file)
{
	size_t n = strlen(dir) + strlen(file) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", dir, file);
	return p;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int not_results(const char *dir, char *err, size_t errlen)
{
	snprintf(err, errlen,
	         "%s: not a results directory (want the DIR of 'mpcap analyze -o DIR': targets.csv, "
	         "summary.csv, targets.sets)",
	         dir);
	return -1;
}

/* A directory holding none of the files analyze writes. */
static bool holds_no_results(const char *dir)
{
	static const char *const names[] = { "summary.csv", "targets.csv", "targets.sets", "scan.state" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char *p = path_in(dir, names[i]);
		struct stat st;
		bool there = !p || stat(p, &st) == 0;
		free(p);
		if (there)
			return false;
	}
	return true;
}

int results_dir_check(const char *arg, char *err, size_t errlen)
{
	if (is_dir(arg) && holds_no_results(arg))
		return not_results(arg, err, errlen);
	return 0;
}

int results_dir_open(struct results_dir *rd, const char *dir, char *err, size_t errlen)
{
	memset(rd, 0, sizeof *rd);
	if (!is_dir(dir) || holds_no_results(dir))
		return not_results(dir, err, errlen);
	char *sp = path_in(dir, "summary.csv");
	if (!sp || !(rd->dir = strdup(dir))) {
		free(sp);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = summary_csv_read(sp, &rd->summary, err, errlen);
	if (rc == 0 && !rd->summary.label) {
		snprintf(err, errlen, "%s: no scan label (no counter rows)", sp);
		rc = -1;
	}
	free(sp);
	if (rc != 0) {
		results_dir_close(rd);
		return -1;
	}
	rd->label = rd->summary.label;
	return 0;
}

struct targets_reader *results_dir_targets(const struct results_dir *rd, unsigned need, unsigned optional,
                                           char *err, size_t errlen)
{
	char *tp = path_in(rd->dir, "targets.csv");
	if (!tp) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	struct targets_reader *r = targets_open(tp, need, optional, err, errlen);
	free(tp);
	return r;
}

bool results_dir_has_sets(const struct results_dir *rd)
{
	char *xp = path_in(rd->dir, "targets.sets");
	struct stat st;
	bool ok = xp && stat(xp, &st) == 0 && S_ISREG(st.st_mode);
	free(xp);
	return ok;
}

int results_dir_responsive(const struct results_dir *rd, struct target_set **out, char *err, size_t errlen)
{
	char *xp = path_in(rd->dir, "targets.sets");
	if (!xp) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	const char *names[1] = { "responsive" };
	*out = NULL;
	int rc = target_sets_read(xp, names, out, 1, err, errlen);
	free(xp);
	return rc;
}

void results_dir_close(struct results_dir *rd)
{
	summary_csv_free(&rd->summary);
	free(rd->dir);
	memset(rd, 0, sizeof *rd);
}

char *results_targets_path(const char *arg)
{
	return is_dir(arg) ? path_in(arg, "targets.csv") : strdup(arg);
}
