/* attribution.h — IP address to origin AS, AS name and country, from the
 * data sets researchers already have on disk (docs/attribution.md).
 *
 * Sources (formats detected from the contents, any number of each):
 * - origin AS: CAIDA RouteViews prefix-to-AS files ("pfx2as",
 *   `PREFIX<TAB>LENGTH<TAB>AS`, AS `a_b` multi-origin and `a,b` AS sets),
 *   plain or compressed; MaxMind-format databases with an AS number
 *   (`autonomous_system_number` as in GeoLite2-ASN, or `asn` "AS123" as in
 *   IPinfo Lite).
 * - AS names: CAIDA AS-to-organisation files (as-org2info.txt, `|`-separated
 *   sections announced by "# format:" lines), plain or compressed; CSV
 *   `asn,name`.
 * - country: MaxMind-format databases read with libmaxminddb (GeoLite2
 *   Country/City, DB-IP Lite, IPinfo Lite): `country.iso_code`, else
 *   `registered_country.iso_code`, else `country_code`; RIR
 *   delegated(-extended) statistics files (`registry|cc|ipv4|start|count|
 *   date|status...`, `...|ipv6|prefix|length|...`), plain or compressed.
 * "Compressed": gzip, xz, zstd or bzip2, recognised by their magic bytes
 * (decompress.h, the capture reader's decompressors).
 *
 * Which answer counts: the most specific prefix over all sources of a kind
 * (for an MMDB, the length of the network holding the address in its search
 * tree, as mmdblookup sees it); equal lengths: the source given first.  A
 * multi-origin or AS-set prefix is attributed to its first AS and flagged.
 * Loaders return -1 with "FILE:LINE: reason" in err for a malformed line;
 * nothing here prints, exits or keeps global state.
 */
#ifndef MPCAP_ATTRIBUTION_H
#define MPCAP_ATTRIBUTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct attribution;

struct attribution *attribution_new(void);
/* What the decoder of a compressed file may allocate (decompress.h; 0: the
 * default, 256 MiB); before the first attribution_add_*. */
void attribution_set_max_memory(struct attribution *a, uint64_t bytes);
void attribution_free(struct attribution *a);

/* Origin-AS source: an MMDB, else a pfx2as file. */
int attribution_add_asn(struct attribution *a, const char *path, char *err, size_t errlen);
/* Country source: an MMDB, else an RIR delegated file. */
int attribution_add_geo(struct attribution *a, const char *path, char *err, size_t errlen);
/* AS names: a CAIDA as2org file, else a CSV asn,name (header optional). */
int attribution_add_names(struct attribution *a, const char *path, char *err, size_t errlen);
/* Builds the lookup tables; call once, after the last add. */
int attribution_finish(struct attribution *a, char *err, size_t errlen);

/* The format a file was read as, for messages: "pfx2as", "mmdb", "delegated",
 * "as2org", "csv"; and counts of what the sources hold. */
struct attribution_stats {
	size_t asn_prefixes, geo_prefixes; /* from text sources (delegated ranges as CIDR blocks) */
	size_t asn_mmdbs, geo_mmdbs;
	size_t as_names;
	size_t table_bytes;
};
void attribution_get_stats(const struct attribution *a, struct attribution_stats *st);

struct attribution_result {
	bool asn_found;
	uint32_t asn;
	bool multi_origin;   /* the prefix had several origins (a_b) or an AS set (a,b) */
	unsigned asn_length; /* prefix length of the winning AS answer */
	bool cc_found;
	char cc[3];         /* ISO 3166-1 alpha-2, upper case */
	unsigned cc_length; /* prefix length of the winning country answer */
	/* Interval around the address over which the whole result is the same. */
	int family; /* 4 for IPv4 and IPv4-mapped IPv6 */
	uint8_t first[16], last[16];
};

/* family 4 (4 address bytes) or 6 (16).  Returns 0, or -1 when a database
 * read fails (err says which file). */
int attribution_lookup(struct attribution *a, int family, const uint8_t *addr, struct attribution_result *r,
                       char *err, size_t errlen);

/* Name of an AS (CAIDA aut_name or the CSV's name) and of its organisation
 * (CAIDA org_name; an MMDB's AS organisation), or NULL. */
const char *attribution_as_name(const struct attribution *a, uint32_t asn);
const char *attribution_org_name(const struct attribution *a, uint32_t asn);

#endif
