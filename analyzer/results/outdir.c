/* outdir.c — an output directory's files committed as a unit: a staging
 * directory swapped in with Linux renameat2(RENAME_EXCHANGE), or renamed
 * file by file with a rollback where the swap cannot be used.  See outdir.h
 * and docs/robustness.md. */
#include "analyzer/results/outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/results/manifest.h"

/* MPCAP_TEST_OUTDIR_FAIL=STEP: the step fails as if with EIO;
 * =term:STEP: SIGTERM is raised at the step (tests only). */
static bool fault(const char *step)
{
	const char *f = getenv("MPCAP_TEST_OUTDIR_FAIL");
	if (f && strncmp(f, "term:", 5) == 0 && strcmp(f + 5, step) == 0) {
		raise(SIGTERM);
		return false;
	}
	if (f && strcmp(f, step) == 0) {
		errno = EIO;
		return true;
	}
	return false;
}

static char *join_path(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s%s%s", a, strcmp(a, "/") == 0 ? "" : "/", b);
	return p;
}

static int oom(char *err, size_t errlen)
{
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* dir without trailing slashes ("/" stays); NULL when out of memory */
static char *trim(const char *dir)
{
	char *d = strdup(dir);
	if (d)
		for (size_t n = strlen(d); n > 1 && d[n - 1] == '/'; n--)
			d[n - 1] = '\0';
	return d;
}

int outdir_check(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	if (!*dir) {
		snprintf(err, errlen, "empty output directory name");
		return -1;
	}
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s: exists and is not a directory", dir);
			return -1;
		}
		return 0;
	}
	if (lstat(dir, &st) == 0) {
		snprintf(err, errlen, "%s: a symlink to nothing; not an output directory", dir);
		return -1;
	}
	return 0;
}

/* o->target: dir resolved to an absolute path (its parents created) */
static int resolve(struct outdir *o, const char *dir, char *err, size_t errlen)
{
	if (outdir_check(dir, err, errlen) != 0)
		return -1;
	char *d = trim(dir);
	if (!d)
		return oom(err, errlen);
	struct stat st;
	if (stat(d, &st) == 0) {
		o->existed = true;
		o->target = realpath(d, NULL);
		if (!o->target)
			snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		free(d);
		return o->target ? 0 : -1;
	}
	char *d1 = strdup(d), *d2 = strdup(d);
	char *rp = NULL;
	int rc = -1;
	if (!d1 || !d2)
		oom(err, errlen);
	else if (ensure_dir(dirname(d1), err, errlen) == 0) {
		free(d1);
		d1 = strdup(d);
		if (!d1)
			oom(err, errlen);
		else if (!(rp = realpath(dirname(d1), NULL)))
			snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		else if (!(o->target = join_path(rp, basename(d2))))
			oom(err, errlen);
		else
			rc = 0;
	}
	free(rp);
	free(d1);
	free(d2);
	free(d);
	return rc;
}

/* Is the working directory target or below it? */
static bool cwd_inside(const char *target)
{
	char *cwd = getcwd(NULL, 0);
	size_t n = strlen(target);
	bool in = cwd && strncmp(cwd, target, n) == 0 &&
	          (cwd[n] == '\0' || cwd[n] == '/' || strcmp(target, "/") == 0);
	free(cwd);
	return in;
}

static int make_stage(struct outdir *o, const char *in, const char *prefix)
{
	size_t n = strlen(in) + strlen(prefix) + 16;
	free(o->stage);
	if (!(o->stage = malloc(n)))
		return -1;
	snprintf(o->stage, n, "%s%s%s.mpcap-XXXXXX", in, strcmp(in, "/") == 0 ? "" : "/", prefix);
	if (!mkdtemp(o->stage)) {
		int e = errno;
		free(o->stage);
		o->stage = NULL;
		errno = e;
		return -1;
	}
	return 0;
}

int outdir_open(struct outdir *o, const char *dir, char *err, size_t errlen)
{
	memset(o, 0, sizeof *o);
	if (!(o->dir = strdup(dir)))
		return oom(err, errlen);
	if (resolve(o, dir, err, errlen) != 0)
		return -1;
	struct stat ts, ps;
	char *t = strdup(o->target);
	if (!t)
		return oom(err, errlen);
	char *base = strdup(basename(t));
	char *parent = base ? strdup(dirname(t)) : NULL;
	free(t);
	if (!parent) {
		free(base);
		return oom(err, errlen);
	}
	if (o->existed)
		o->in_place = strcmp(o->target, "/") == 0 || stat(o->target, &ts) != 0 ||
		              stat(parent, &ps) != 0 || ts.st_dev != ps.st_dev || cwd_inside(o->target);
	size_t pn = strlen(base) + 2;
	char *prefix = malloc(pn);
	int rc = 0;
	if (!prefix)
		rc = oom(err, errlen);
	else {
		snprintf(prefix, pn, ".%s", base);
		if (!o->in_place && make_stage(o, parent, prefix) != 0) {
			if (!o->existed)
				rc = -1;
			o->in_place = true;
		}
		if (rc == 0 && o->in_place && make_stage(o, o->target, "") != 0)
			rc = -1;
		if (rc != 0)
			snprintf(err, errlen, "%s: cannot create a staging directory: %s", dir,
			         strerror(errno));
		else if (o->existed && !o->in_place) {
			/* the new DIR gets the old one's permissions (and owner, as root) */
			chmod(o->stage, ts.st_mode & 07777);
			if (geteuid() == 0 && chown(o->stage, ts.st_uid, ts.st_gid) != 0) {
				/* best effort: the results are root's then */
			}
		} else if (!o->existed)
			chmod(o->stage, 0755);
	}
	free(prefix);
	free(base);
	free(parent);
	return rc;
}

/* Can DIR/name be replaced?  Absent, a regular file or a symlink. */
static int replaceable(const struct outdir *o, const char *name, char *err, size_t errlen)
{
	char *p = join_path(o->target, name);
	if (!p)
		return oom(err, errlen);
	struct stat st;
	int rc = 0;
	if (lstat(p, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
		snprintf(err, errlen, "%s/%s: exists and is not a regular file; not replacing it", o->dir,
		         name);
		rc = -1;
	}
	free(p);
	return rc;
}

FILE *outdir_add(struct outdir *o, const char *name, char *err, size_t errlen)
{
	if (!o->stage) {
		snprintf(err, errlen, "internal error: output directory not open");
		return NULL;
	}
	if (!*name || strchr(name, '/') || replaceable(o, name, err, errlen) != 0) {
		if (!*name || strchr(name, '/'))
			snprintf(err, errlen, "internal error: bad output file name '%s'", name);
		return NULL;
	}
	if (o->n == o->cap) {
		size_t nc = o->cap ? o->cap * 2 : 8;
		struct outdir_file *nf = realloc(o->files, nc * sizeof *nf);
		if (!nf) {
			oom(err, errlen);
			return NULL;
		}
		o->files = nf;
		o->cap = nc;
	}
	struct outdir_file *f = &o->files[o->n];
	memset(f, 0, sizeof *f);
	char *path = join_path(o->stage, name);
	f->name = strdup(name);
	if (!path || !f->name) {
		free(path);
		free(f->name);
		oom(err, errlen);
		return NULL;
	}
	int rc = atomic_file_open(&f->af, path, err, errlen);
	free(path);
	if (rc != 0) {
		free(f->name);
		return NULL;
	}
	o->n++;
	return f->af.fp;
}

int outdir_write_failed(const struct outdir *o, const FILE *fp, char *err, size_t errlen)
{
	int e = errno;
	for (size_t i = 0; fp && i < o->n; i++)
		if (o->files[i].af.fp == fp) {
			snprintf(err, errlen, "%s/%s: write failed: %s", o->dir, o->files[i].name,
			         strerror(e));
			return -1;
		}
	snprintf(err, errlen, "%s: write failed: %s", o->dir, strerror(e));
	return -1;
}

static bool is_ours(const struct outdir *o, const char *name)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->files[i].name, name) == 0)
			return true;
	return false;
}

static int sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd) != 0 && errno != EINVAL ? -1 : 0;
	close(fd);
	return rc;
}

/* The entries of DIR carried into the staging directory. */
struct carried {
	char **name;
	bool *moved; /* a directory renamed (else a hard link) */
	size_t n, cap;
};

static void carry_undo(struct carried *c, int tfd, int sfd, bool keep)
{
	for (size_t i = 0; i < c->n; i++) {
		if (!keep) {
			if (c->moved[i])
				renameat(sfd, c->name[i], tfd, c->name[i]);
			else
				unlinkat(sfd, c->name[i], 0);
		}
		free(c->name[i]);
	}
	free(c->name);
	free(c->moved);
	memset(c, 0, sizeof *c);
}

/* Hard-links (or, for directories, moves) every entry of DIR that is not
 * one of o's files into the staging directory.  0; 1 when an entry cannot
 * be carried (use the file-by-file method); -1 with err. */
static int carry(struct outdir *o, int tfd, int sfd, struct carried *c, char *err, size_t errlen)
{
	int dfd = dup(tfd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		snprintf(err, errlen, "%s: %s", o->dir, strerror(errno));
		return -1;
	}
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (errno = 0, e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || is_ours(o, e->d_name))
			continue;
		bool isdir = e->d_type == DT_DIR;
		struct stat st;
		if (e->d_type == DT_UNKNOWN && fstatat(tfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			isdir = S_ISDIR(st.st_mode);
		if (c->n == c->cap) {
			size_t nc = c->cap ? c->cap * 2 : 16;
			char **nn = realloc(c->name, nc * sizeof *nn);
			if (nn)
				c->name = nn;
			bool *nm = nn ? realloc(c->moved, nc * sizeof *nm) : NULL;
			if (!nm) {
				rc = oom(err, errlen);
				break;
			}
			c->moved = nm;
			c->cap = nc;
		}
		char *nm = strdup(e->d_name);
		if (!nm) {
			rc = oom(err, errlen);
			break;
		}
		int r = fault("carry") ? -1
		        : isdir        ? renameat(tfd, e->d_name, sfd, e->d_name)
		                       : linkat(tfd, e->d_name, sfd, e->d_name, 0);
		if (r != 0) {
			int en = errno;
			free(nm);
			if (!isdir && (en == EPERM || en == EMLINK || en == EXDEV || en == EACCES))
				rc = 1;
			else {
				snprintf(err, errlen, "%s/%s: cannot carry into the new results: %s", o->dir,
				         e->d_name, strerror(en));
				rc = -1;
			}
			break;
		}
		c->name[c->n] = nm;
		c->moved[c->n++] = isdir;
	}
	if (rc == 0 && errno != 0) {
		snprintf(err, errlen, "%s: %s", o->dir, strerror(errno));
		rc = -1;
	}
	closedir(d);
	return rc;
}

/* File by file: each final name's old file is kept as a hard link in the
 * staging directory until every rename succeeded, and put back on failure. */
static int rename_each(struct outdir *o, char *err, size_t errlen)
{
	int sfd = open(o->stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int tfd = open(o->target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool *had = calloc(o->n ? o->n : 1, sizeof *had);
	size_t done = 0;
	int rc = -1;
	if (sfd < 0 || tfd < 0 || !had) {
		snprintf(err, errlen, "%s: %s", o->dir, had ? strerror(errno) : "out of memory");
		goto out;
	}
	char old[NAME_MAX + 16];
	for (size_t i = 0; i < o->n; i++) {
		snprintf(old, sizeof old, ".old.%.*s", NAME_MAX, o->files[i].name);
		struct stat st;
		if (fstatat(tfd, o->files[i].name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			if (linkat(tfd, o->files[i].name, sfd, old, 0) != 0) {
				snprintf(err, errlen, "%s/%s: cannot keep the old file: %s", o->dir,
				         o->files[i].name, strerror(errno));
				goto undo;
			}
			had[i] = true;
		}
	}
	for (; done < o->n; done++)
		if ((done > 0 && fault("rename")) ||
		    renameat(sfd, o->files[done].name, tfd, o->files[done].name) != 0) {
			snprintf(err, errlen, "%s/%s: cannot rename into place: %s", o->dir,
			         o->files[done].name, strerror(errno));
			goto undo;
		}
	fsync(tfd);
	rc = 0;
undo:
	for (size_t i = 0; i < o->n; i++) {
		snprintf(old, sizeof old, ".old.%.*s", NAME_MAX, o->files[i].name);
		if (rc != 0 && i < done) {
			if (had[i])
				renameat(sfd, old, tfd, o->files[i].name);
			else
				unlinkat(tfd, o->files[i].name, 0);
		} else if (had[i])
			unlinkat(sfd, old, 0);
	}
out:
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	free(had);
	return rc;
}

/* Removes the staging directory (or, after a swap, the old DIR): its
 * entries that are not directories, then itself. */
static void remove_stage(struct outdir *o)
{
	if (!o->stage)
		return;
	int fd = open(o->stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)))
			if (e->d_type != DT_DIR)
				unlinkat(fd, e->d_name, 0);
		closedir(d);
	} else if (fd >= 0)
		close(fd);
	rmdir(o->stage);
	free(o->stage);
	o->stage = NULL;
}

static int swap(struct outdir *o, char *err, size_t errlen)
{
	int tfd = open(o->target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int sfd = open(o->stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tfd < 0 || sfd < 0) {
		snprintf(err, errlen, "%s: %s", o->dir, strerror(errno));
		if (tfd >= 0)
			close(tfd);
		if (sfd >= 0)
			close(sfd);
		return -1;
	}
	struct carried c = { 0 };
	int rc = carry(o, tfd, sfd, &c, err, errlen);
	if (rc == 0 && fsync(sfd) != 0 && errno != EINVAL) {
		snprintf(err, errlen, "%s: cannot sync the new results: %s", o->dir, strerror(errno));
		rc = -1;
	}
	if (rc == 0) {
		if (fault("swap") ||
		    renameat2(AT_FDCWD, o->stage, AT_FDCWD, o->target, RENAME_EXCHANGE) != 0) {
			int e = errno;
			if (e == EINVAL || e == ENOSYS || e == EPERM || e == EACCES || e == EBUSY ||
			    e == EXDEV || e == ENOTSUP)
				rc = 1;
			else {
				snprintf(err, errlen, "%s: cannot swap in the new results: %s", o->dir,
				         strerror(e));
				rc = -1;
			}
		}
	}
	carry_undo(&c, tfd, sfd, rc == 0);
	close(tfd);
	close(sfd);
	if (rc == 1)
		return rename_each(o, err, errlen);
	if (rc == 0) {
		char *t = strdup(o->target);
		if (t)
			sync_dir(dirname(t));
		free(t);
		remove_stage(o); /* the old results, now under the staging name */
	}
	return rc;
}

int outdir_commit(struct outdir *o, char *err, size_t errlen)
{
	if (!o->stage) {
		snprintf(err, errlen, "internal error: output directory not open");
		return -1;
	}
	if (o->manifest && manifest_write(o->manifest, o, err, errlen) != 0)
		return -1;
	/* every file on disk first, so that a full disk fails before DIR is touched */
	for (size_t i = 0; i < o->n; i++) {
		if (fault("sync")) {
			snprintf(err, errlen, "%s/%s: write failed: %s", o->dir, o->files[i].name,
			         strerror(errno));
			return -1;
		}
		if (atomic_file_commit(&o->files[i].af, err, errlen) != 0)
			return -1;
	}
	for (size_t i = 0; i < o->n; i++)
		if (replaceable(o, o->files[i].name, err, errlen) != 0)
			return -1;
	sigset_t block, saved;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &saved);
	int rc;
	if (!o->existed) {
		/* a new DIR: the staging directory becomes it */
		rc = sync_dir(o->stage) == 0 && (fault("swap") ? -1 : 0) == 0 &&
		             renameat2(AT_FDCWD, o->stage, AT_FDCWD, o->target, RENAME_NOREPLACE) == 0
		         ? 0
		         : -1;
		if (rc != 0)
			snprintf(err, errlen, "%s: cannot create the results directory: %s", o->dir,
			         strerror(errno));
		else {
			free(o->stage);
			o->stage = NULL;
			char *t = strdup(o->target);
			if (t)
				sync_dir(dirname(t));
			free(t);
		}
	} else if (o->in_place)
		rc = rename_each(o, err, errlen);
	else
		rc = swap(o, err, errlen);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return rc;
}

void outdir_close(struct outdir *o)
{
	for (size_t i = 0; i < o->n; i++) {
		atomic_file_abort(&o->files[i].af);
		free(o->files[i].name);
	}
	remove_stage(o);
	free(o->files);
	free(o->dir);
	free(o->target);
	memset(o, 0, sizeof *o);
}
