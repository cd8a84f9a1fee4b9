/* fuzz_attribution.c — libFuzzer harness: the attribution file loaders.
 *
 * Byte 0 selects the loader (mod 3): attribution_add_asn() (a pfx2as file, or
 * a MaxMind DB when the bytes carry its metadata marker), attribution_add_geo()
 * (an RIR delegated file, or a MaxMind DB), attribution_add_names() (CAIDA
 * as2org, or a CSV asn,name); the rest is the file, plain or gzip (zlib
 * reads both), handed over as a memfd.  Whatever the load returned, the
 * tables are built and looked up at fixed addresses and at addresses taken
 * from the input.  Invariants: a failed load says why; every answer's
 * interval holds the address; a country code is two capital letters.
 */
#include <string.h>

#include "fuzz.h"
#include "report/attribution/attribution.h"

static void lookup(struct attribution *a, int family, const uint8_t *addr)
{
	struct attribution_result r;
	char err[512];
	if (attribution_lookup(a, family, addr, &r, err, sizeof err) != 0) {
		FUZZ_CHECK(err[0] != '\0');
		return;
	}
	size_t n = r.family == 4 ? 4 : 16;
	const uint8_t *x = addr;
	if (family == 6 && r.family == 4)
		x = addr + 12; /* IPv4-mapped */
	FUZZ_CHECK(memcmp(r.first, x, n) <= 0 && memcmp(x, r.last, n) <= 0);
	if (r.cc_found)
		FUZZ_CHECK(r.cc[0] >= 'A' && r.cc[0] <= 'Z' && r.cc[1] >= 'A' && r.cc[1] <= 'Z' && !r.cc[2]);
	if (r.asn_found) {
		const char *s = attribution_as_name(a, r.asn);
		const char *o = attribution_org_name(a, r.asn);
		FUZZ_CHECK(!s || strlen(s) < (1u << 24));
		FUZZ_CHECK(!o || strlen(o) < (1u << 24));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char path[64], err[1024] = "";
	int fd = fuzz_memfd(data + 1, size - 1, path, sizeof path);
	if (fd < 0)
		return 0;
	struct attribution *a = attribution_new();
	FUZZ_CHECK(a != NULL);
	int rc;
	switch (data[0] % 3) {
	case 0:
		rc = attribution_add_asn(a, path, err, sizeof err);
		break;
	case 1:
		rc = attribution_add_geo(a, path, err, sizeof err);
		break;
	default:
		rc = attribution_add_names(a, path, err, sizeof err);
		break;
	}
	if (rc != 0)
		FUZZ_CHECK(err[0] != '\0');
	close(fd);
	FUZZ_CHECK(attribution_finish(a, err, sizeof err) == 0);
	struct attribution_stats st;
	attribution_get_stats(a, &st);

	static const uint8_t fixed[][16] = {
		{ 0 },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff },
		{ 192, 0, 2, 1 },
		{ 0x20, 0x01, 0x0d, 0xb8 },
		{ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 51, 100, 7 },
	};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		lookup(a, 4, fixed[i]);
		lookup(a, 6, fixed[i]);
	}
	/* addresses from the input: its last 16 bytes, and every 4 bytes of its first 64 */
	uint8_t x[16] = { 0 };
	memcpy(x, data + (size > 16 ? size - 16 : 0), size < 16 ? size : 16);
	lookup(a, 6, x);
	for (size_t i = 1; i + 4 <= size && i < 64; i += 4)
		lookup(a, 4, data + i);
	for (uint32_t asn = 0; asn < 4; asn++) {
		(void)attribution_as_name(a, asn);
		(void)attribution_org_name(a, asn);
	}
	attribution_free(a);
	return 0;
}
