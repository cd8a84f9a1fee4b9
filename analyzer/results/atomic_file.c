/* atomic_file.c — write-then-rename output files (POSIX rename(2)).  See atomic_file.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/results/atomic_file.h"

/* final_path is a FIFO, character device or socket: written straight into */
static int open_direct(struct atomic_file *af, const char *final_path, char *err, size_t errlen)
{
	int fd = open(final_path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || !(af->fp = fdopen(fd, "w"))) {
		snprintf(err, errlen, "%s: cannot open for writing: %s", final_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	af->direct = true;
	if (!(af->final_path = strdup(final_path))) {
		fclose(af->fp);
		af->fp = NULL;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int atomic_file_open(struct atomic_file *af, const char *final_path, char *err, size_t errlen)
{
	memset(af, 0, sizeof *af);
	struct stat st;
	if (stat(final_path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISSOCK(st.st_mode))
			return open_direct(af, final_path, err, errlen);
		snprintf(err, errlen, "%s: %s; not replacing it", final_path,
		         S_ISDIR(st.st_mode) ? "is a directory" : "exists and is not a regular file");
		return -1;
	}
	char *d1 = strdup(final_path), *d2 = strdup(final_path);
	if (!d1 || !d2) {
		free(d1);
		free(d2);
		snprintf(err, errlen, "%s: out of memory", final_path);
		return -1;
	}
	const char *dir = dirname(d1), *base = basename(d2);
	size_t n = strlen(dir) + strlen(base) + 32;
	af->tmp_path = malloc(n);
	af->final_path = strdup(final_path);
	int fd = -1;
	if (af->tmp_path && af->final_path) {
		snprintf(af->tmp_path, n, "%s/.%s.tmp.XXXXXX", dir, base);
		fd = mkstemp(af->tmp_path);
	}
	int saved = errno;
	free(d1);
	free(d2);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create a temporary file: %s", final_path,
		         af->tmp_path ? strerror(saved) : "out of memory");
		free(af->tmp_path);
		free(af->final_path);
		memset(af, 0, sizeof *af);
		return -1;
	}
	fchmod(fd, 0644);
	af->fp = fdopen(fd, "w");
	if (!af->fp) {
		saved = errno;
		close(fd);
		unlink(af->tmp_path);
		snprintf(err, errlen, "%s: %s", final_path, strerror(saved));
		free(af->tmp_path);
		free(af->final_path);
		memset(af, 0, sizeof *af);
		return -1;
	}
	setvbuf(af->fp, NULL, _IOFBF, 1 << 16);
	return 0;
}

static void forget(struct atomic_file *af)
{
	free(af->tmp_path);
	free(af->final_path);
	af->tmp_path = af->final_path = NULL;
}

static int fail(struct atomic_file *af, int e, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: write failed: %s", af->final_path, strerror(e));
	unlink(af->tmp_path);
	forget(af);
	return -1;
}

int atomic_file_sync(struct atomic_file *af, char *err, size_t errlen)
{
	if (!af->fp) {
		snprintf(err, errlen, "internal error: file not open");
		return -1;
	}
	int rc = 0, e = 0;
	if (fflush(af->fp) != 0 || ferror(af->fp)) {
		e = errno ? errno : EIO;
		rc = -1;
	} else if (fsync(fileno(af->fp)) != 0 && errno != EINVAL) {
		e = errno;
		rc = -1;
	}
	if (fclose(af->fp) != 0 && rc == 0) {
		e = errno;
		rc = -1;
	}
	af->fp = NULL;
	if (af->direct) {
		af->direct = false;
		if (rc != 0)
			snprintf(err, errlen, "%s: write failed: %s", af->final_path, strerror(e));
		forget(af);
		return rc;
	}
	return rc == 0 ? 0 : fail(af, e, err, errlen);
}

int atomic_file_rename(struct atomic_file *af, char *err, size_t errlen)
{
	if (!af->fp && !af->tmp_path)
		return 0; /* written straight into (a FIFO, a device) */
	if (af->fp || !af->tmp_path) {
		snprintf(err, errlen, "internal error: file not synced");
		return -1;
	}
	if (rename(af->tmp_path, af->final_path) != 0)
		return fail(af, errno, err, errlen);
	forget(af);
	return 0;
}

int atomic_file_commit(struct atomic_file *af, char *err, size_t errlen)
{
	if (atomic_file_sync(af, err, errlen) != 0)
		return -1;
	return atomic_file_rename(af, err, errlen);
}

void atomic_file_abort(struct atomic_file *af)
{
	if (af->fp) {
		fclose(af->fp);
		af->fp = NULL;
	}
	af->direct = false;
	if (af->tmp_path)
		unlink(af->tmp_path);
	forget(af);
}

int ensure_dir(const char *dir, char *err, size_t errlen)
{
	/* mkdir -p: create each missing component in turn */
	char path[4096];
	if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	for (char *p = path + 1;; p++) {
		bool last = *p == '\0';
		if (*p == '/' || last) {
			char saved = *p;
			*p = '\0';
			struct stat st;
			if (stat(path, &st) == 0) {
				if (!S_ISDIR(st.st_mode)) {
					snprintf(err, errlen, "%s: exists and is not a directory", path);
					return -1;
				}
			} else if (mkdir(path, 0755) != 0 && errno != EEXIST) {
				snprintf(err, errlen, "%s: cannot create directory: %s", path,
				         strerror(errno));
				return -1;
			}
			*p = saved;
			if (last)
				break;
		}
	}
	return 0;
}
