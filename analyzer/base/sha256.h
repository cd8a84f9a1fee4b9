/* sha256.h — SHA-256 (FIPS 180-4) through OpenSSL's libcrypto EVP interface.
 *
 * A thin wrapper so that the rest of mpcap names one header: an incremental
 * digest fed while bytes stream through a reader (capture.c), and a whole
 * file hashed in one pass (manifests of results directories).
 */
#ifndef MPCAP_SHA256_H
#define MPCAP_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32
#define SHA256_HEX 65 /* 64 hex digits and the NUL */

struct sha256;

/* A new digest; NULL when out of memory or libcrypto has no SHA-256. */
struct sha256 *sha256_new(void);
void sha256_update(struct sha256 *h, const void *p, size_t n);
/* The digest of every byte given so far, as 64 lowercase hex digits. */
void sha256_hex(struct sha256 *h, char out[SHA256_HEX]);
void sha256_free(struct sha256 *h);

/* Hashes the file at path (one sequential read): 0 with out and *size, or
 * -1 with a one-line reason in err (strerror text). */
int sha256_file(const char *path, char out[SHA256_HEX], uint64_t *size, char *err, size_t errlen);

#endif
