/* zmap_row.h — one row of ZMap's tcp_synopt output as the packets it stands for.
 *
 * ZMap's `tcp_synopt` probe module (and its IPv6 twin `ipv6_tcp_synopt`)
 * writes one row per answer it accepted: the answer's addresses, ports,
 * sequence numbers, TTL, classification (synack or rst), the time it came
 * and, in `optionshex`, its whole TCP option block (the data offset's worth,
 * RFC 9293 §3.1).  A row is turned back into the probe that drew it (the
 * option block the scan sent, from the metadata file or the command line)
 * and the answer, as raw IP packets (RFC 791 / RFC 8200 + RFC 9293) that the
 * ordinary dissector reads: the MP_CAPABLE option (RFC 6824, RFC 8684) is
 * decoded from the real option bytes, never from ZMap's `mptcpkey` and
 * `mptcpdiff` fields, which read eight key bytes at a fixed offset whatever
 * the option's length.  Fields a row lacks are never guessed: the row is
 * skipped with a reason (enum zmap_skip).
 */
#ifndef MPCAP_ZMAP_ROW_H
#define MPCAP_ZMAP_ROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/dissect/packet.h"

/* The fields read (by their ZMap names); every other field is ignored. */
enum zmap_field {
	ZF_SADDR = 0, /* the answering target */
	ZF_DADDR,     /* the scanner */
	ZF_SPORT,     /* the target's port */
	ZF_DPORT,     /* the scanner's port */
	ZF_CLASSIFICATION,
	ZF_OPTIONSHEX,
	ZF_TIMESTAMP_STR,
	ZF_TIMESTAMP_TS,
	ZF_TIMESTAMP_US,
	ZF_TTL,
	ZF_IPID,
	ZF_SEQNUM,
	ZF_ACKNUM,
	ZF_WINDOW,
	ZF_COUNT
};

const char *zmap_field_name(enum zmap_field f);
/* The field a column or key names, or -1. */
int zmap_field_by_name(const char *name);

/* Why a row was not analysed. */
enum zmap_skip {
	ZS_OK = 0,
	ZS_NO_SADDR,
	ZS_NO_DADDR,
	ZS_NO_SPORT,
	ZS_NO_DPORT,
	ZS_NO_CLASSIFICATION,
	ZS_NO_OPTIONSHEX, /* a synack row without its option bytes */
	ZS_NO_TIMESTAMP,
	ZS_BAD_SADDR,
	ZS_BAD_DADDR, /* not an address, or not the family of saddr */
	ZS_BAD_SPORT,
	ZS_BAD_DPORT,
	ZS_BAD_CLASSIFICATION, /* neither synack nor rst (e.g. upstream ZMap's icmp) */
	ZS_BAD_OPTIONSHEX,     /* not an even number of hex digits */
	ZS_OPTIONS_LENGTH,     /* not a multiple of 4 bytes, or above 40: no TCP header holds it */
	ZS_BAD_TIMESTAMP,
	ZS_BAD_TTL,
	ZS_BAD_IPID,
	ZS_BAD_SEQNUM,
	ZS_BAD_ACKNUM,
	ZS_BAD_WINDOW,
	ZS_FIELD_COUNT, /* a CSV row with more or fewer fields than the header */
	ZS_BAD_JSON,    /* a JSON line that is not an object */
	ZS_COUNT
};

const char *zmap_skip_name(enum zmap_skip s);

/* One answer as ZMap recorded it. */
struct zmap_row {
	uint8_t family; /* 4 or 6 */
	uint8_t target[16], scanner[16];
	uint16_t target_port, scanner_port;
	bool rst; /* classification rst (else synack) */
	uint8_t ttl;
	uint16_t ipid;
	uint32_t seq, ack;
	uint16_t window;
	uint8_t options_len;
	uint8_t options[TCP_OPTIONS_MAX];
	int64_t sec;
	uint32_t nsec;
};

/* The option block the scan's probes carried. */
struct zmap_probe {
	bool known; /* false: no probes are rebuilt (the rows are answers only) */
	uint8_t ttl;
	uint8_t options_len;
	uint8_t options[TCP_OPTIONS_MAX];
};

/* vals[f] is the text of field f, NULL when the output has no such field;
 * an empty value counts as absent.  Needed: saddr, daddr, sport, dport,
 * classification, a time (timestamp_ts with optional timestamp_us, else
 * timestamp_str) and, for a synack, optionshex.  ttl, ipid, seqnum, acknum
 * and window are 0 when absent.  Returns ZS_OK with *out filled, or why not. */
enum zmap_skip zmap_row_parse(const char *const vals[ZF_COUNT], struct zmap_row *out);

/* An option block in hex ("0x", "hex:" or no prefix; upper or lower case).
 * Returns 0, 1 when not an even number of hex digits, 2 when not a multiple
 * of 4 bytes or longer than 40. */
int zmap_options_parse(const char *hex, uint8_t out[TCP_OPTIONS_MAX], uint8_t *len);

/* ZMap's timestamp_str: YYYY-MM-DDTHH:MM:SS[.fraction] and a zone (Z,
 * +hhmm or +hh:mm).  False when malformed. */
bool zmap_time_parse(const char *s, int64_t *sec, uint32_t *nsec);

/* The raw IP packet of the probe that drew the row (a SYN from the scanner
 * with the probe's options and the sequence number the answer acknowledges),
 * and of the answer.  Return the length written (at most ZMAP_PACKET_MAX). */
#define ZMAP_PACKET_MAX (40 + 20 + TCP_OPTIONS_MAX)
size_t zmap_build_probe(const struct zmap_row *r, const struct zmap_probe *p, uint8_t buf[ZMAP_PACKET_MAX]);
size_t zmap_build_answer(const struct zmap_row *r, uint8_t buf[ZMAP_PACKET_MAX]);

#endif
