/* fuzz.h — shared by the libFuzzer harnesses in tests/fuzz/ (docs/robustness.md).
 *
 * Each harness defines LLVMFuzzerTestOneInput().  It is linked two ways:
 * with clang -fsanitize=fuzzer (make fuzz, build-fuzz/fuzz_NAME), and with
 * replay_main.c into a plain program built by the normal compiler, with or
 * without ASan/UBSan (make fuzz-replay, $(BUILD)/fuzz-replay/fuzz_NAME), which
 * replays the seeds and every saved crash input in `make check`.
 *
 * The modules read files by path, so the input bytes are handed over as a
 * memfd (or a pipe) named /proc/self/fd/N: the code under test is the code
 * that reads real files, with no test-only entry point.
 */
#ifndef MPCAP_FUZZ_H
#define MPCAP_FUZZ_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the code under test: a violation is a finding, reported
 * like a crash (libFuzzer saves the input). */
#define FUZZ_CHECK(cond)                                                                                     \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #cond);       \
			abort();                                                                             \
		}                                                                                            \
	} while (0)

/* Writes data to an anonymous memory file; returns its fd (path in path) or -1. */
static inline int fuzz_memfd(const uint8_t *data, size_t size, char *path, size_t pathlen)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t off = 0;
	while (off < size) {
		ssize_t k = write(fd, data + off, size - off);
		if (k <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)k;
	}
	snprintf(path, pathlen, "/proc/self/fd/%d", fd);
	return fd;
}

/* Puts data into a pipe whose write end is closed (data must fit in the pipe
 * buffer, enlarged to `size` if needed); returns the read end or -1. */
static inline int fuzz_pipe(const uint8_t *data, size_t size, char *path, size_t pathlen)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	if (size > 65536 && fcntl(p[1], F_SETPIPE_SZ, (int)size) < (int)size) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	size_t off = 0;
	while (off < size) {
		ssize_t k = write(p[1], data + off, size - off);
		if (k <= 0) {
			close(p[0]);
			close(p[1]);
			return -1;
		}
		off += (size_t)k;
	}
	close(p[1]);
	snprintf(path, pathlen, "/proc/self/fd/%d", p[0]);
	return p[0];
}

#endif
