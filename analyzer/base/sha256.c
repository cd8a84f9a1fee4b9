/* sha256.c — SHA-256 (FIPS 180-4) through libcrypto's EVP digests (see sha256.h). */
#include "analyzer/base/sha256.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sha256 {
	EVP_MD_CTX *ctx;
};

struct sha256 *sha256_new(void)
{
	struct sha256 *h = malloc(sizeof *h);
	if (!h)
		return NULL;
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(h->ctx);
		free(h);
		return NULL;
	}
	return h;
}

void sha256_update(struct sha256 *h, const void *p, size_t n)
{
	if (n)
		(void)EVP_DigestUpdate(h->ctx, p, n);
}

void sha256_hex(struct sha256 *h, char out[SHA256_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	out[0] = '\0';
	if (EVP_DigestFinal_ex(h->ctx, md, &len) != 1 || len != SHA256_LEN)
		return;
	for (unsigned i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

void sha256_free(struct sha256 *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

int sha256_file(const char *path, char out[SHA256_HEX], uint64_t *size, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	struct sha256 *h = sha256_new();
	enum { BUF = 1 << 16 };
	unsigned char *buf = malloc(BUF);
	if (!h || !buf) {
		sha256_free(h);
		free(buf);
		fclose(f);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	uint64_t total = 0;
	size_t k;
	while ((k = fread(buf, 1, BUF, f)) > 0) {
		sha256_update(h, buf, k);
		total += k;
	}
	int rc = 0;
	if (ferror(f)) {
		snprintf(err, errlen, "%s", strerror(errno ? errno : EIO));
		rc = -1;
	} else {
		sha256_hex(h, out);
		*size = total;
	}
	sha256_free(h);
	free(buf);
	fclose(f);
	return rc;
}
