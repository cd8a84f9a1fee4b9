/* capture.h — reading capture files of any origin, record by record.
 *
 * Recognises the container by its magic bytes, never by the file name:
 * gzip (RFC 1952), xz, zstd (RFC 8878) and bzip2 streams are decompressed on
 * the fly (no temporary copy) and the bytes inside are classic pcap
 * (microsecond or nanosecond, either byte order; read through libpcap) or
 * pcapng (draft-ietf-opsawg-pcapng; several interfaces with different link
 * types in one file).  "-" is standard input.
 */
#ifndef MPCAP_CAPTURE_H
#define MPCAP_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/base/sha256.h"

struct capture;

enum capture_status {
	CAPTURE_OK = 0,      /* *rec holds a record */
	CAPTURE_EOF = 1,     /* clean end of the file */
	CAPTURE_DAMAGED = 2, /* truncated or corrupt from here on: err says where; stop reading */
};

struct capture_record {
	int linktype; /* DLT_ value of the record's interface */
	int64_t ts_sec;
	uint32_t ts_nsec;
	uint32_t caplen;
	uint32_t wirelen;
	const uint8_t *data; /* valid until the next capture_next() or capture_close() */
	uint64_t offset;     /* byte offset of the record in the (decompressed) capture */
};

/* Opens path ("-" = stdin).  On failure returns -1 with a one-line reason in
 * err (the caller adds the file name), e.g. "not a capture file (starts
 * with 3c 68 74 6d)", "empty file", "too short to be a capture (3 bytes)",
 * "gzip stream contains no capture (...)" or strerror() text. */
int capture_open(const char *path, struct capture **out, char *err, size_t errlen);
/* The same, with the decompressor's memory limit in bytes (0: the default,
 * DECOMP_DEFAULT_MEMLIMIT in decompress.h), and with hash, the file's bytes
 * (as stored: compressed ones for a compressed file) fed to a SHA-256 digest,
 * each byte once, in file order — by a helper thread reading the file beside
 * the reader for a plain regular file (hasher.h), on the readahead thread for
 * a compressed one, in the read layer otherwise (standard input, a pipe). */
int capture_open_ex(const char *path, uint64_t memlimit, bool hash, struct capture **out, char *err,
                    size_t errlen);

/* Reads the next record.  Returns enum capture_status; on CAPTURE_DAMAGED err
 * holds e.g. "truncated record at byte offset 123456 (header says 1514 bytes,
 * 200 present)". */
int capture_next(struct capture *c, struct capture_record *rec, char *err, size_t errlen);

/* "pcap", "pcap-ns" or "pcapng". */
const char *capture_format(const struct capture *c);
/* "none", "gzip", "xz", "zstd" or "bzip2". */
const char *capture_compression(const struct capture *c);
/* Bytes consumed from the underlying file so far (compressed bytes for
 * compressed input), for progress reports. */
uint64_t capture_bytes_consumed(const struct capture *c);
/* Size of the underlying file in bytes, or -1 when unknown (pipes). */
int64_t capture_file_size(const struct capture *c);

/* For a capture opened with hash: the SHA-256 (hex) and size of the whole
 * file, once the records have been read.  It waits for the helper thread of
 * a plain file to finish; the bytes nobody hashed — past the file's size when
 * it was opened, or, without a helper, those after damage or an early stop
 * and those libpcap read itself when it took over from the pread window — are
 * read here, once, to complete it; no record can be read afterwards.  0, or
 * -1 with err. */
int capture_sha256(struct capture *c, char out[SHA256_HEX], uint64_t *size, char *err, size_t errlen);

void capture_close(struct capture *c);

#endif
