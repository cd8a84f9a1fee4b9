/* zmap_row.c — ZMap tcp_synopt rows to raw IP packets (RFC 791, RFC 8200,
 * RFC 9293).  See zmap_row.h. */
#include "analyzer/ingest/zmap_row.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const field_names[ZF_COUNT] = {
	[ZF_SADDR] = "saddr",
	[ZF_DADDR] = "daddr",
	[ZF_SPORT] = "sport",
	[ZF_DPORT] = "dport",
	[ZF_CLASSIFICATION] = "classification",
	[ZF_OPTIONSHEX] = "optionshex",
	[ZF_TIMESTAMP_STR] = "timestamp_str",
	[ZF_TIMESTAMP_TS] = "timestamp_ts",
	[ZF_TIMESTAMP_US] = "timestamp_us",
	[ZF_TTL] = "ttl",
	[ZF_IPID] = "ipid",
	[ZF_SEQNUM] = "seqnum",
	[ZF_ACKNUM] = "acknum",
	[ZF_WINDOW] = "window",
};

static const char *const skip_names[ZS_COUNT] = {
	[ZS_OK] = "",
	[ZS_NO_SADDR] = "no saddr",
	[ZS_NO_DADDR] = "no daddr",
	[ZS_NO_SPORT] = "no sport",
	[ZS_NO_DPORT] = "no dport",
	[ZS_NO_CLASSIFICATION] = "no classification",
	[ZS_NO_OPTIONSHEX] = "synack without optionshex",
	[ZS_NO_TIMESTAMP] = "no timestamp_str or timestamp_ts",
	[ZS_BAD_SADDR] = "saddr not an IP address",
	[ZS_BAD_DADDR] = "daddr not an IP address of saddr's family",
	[ZS_BAD_SPORT] = "sport not a port number",
	[ZS_BAD_DPORT] = "dport not a port number",
	[ZS_BAD_CLASSIFICATION] = "classification neither synack nor rst",
	[ZS_BAD_OPTIONSHEX] = "optionshex not an even number of hex digits",
	[ZS_OPTIONS_LENGTH] = "optionshex not a multiple of 4 bytes up to 40",
	[ZS_BAD_TIMESTAMP] = "malformed timestamp",
	[ZS_BAD_TTL] = "ttl not 0-255",
	[ZS_BAD_IPID] = "ipid not 0-65535",
	[ZS_BAD_SEQNUM] = "seqnum not a 32-bit number",
	[ZS_BAD_ACKNUM] = "acknum not a 32-bit number",
	[ZS_BAD_WINDOW] = "window not 0-65535",
	[ZS_FIELD_COUNT] = "field count differs from the header's",
	[ZS_BAD_JSON] = "not a JSON object",
};

const char *zmap_field_name(enum zmap_field f)
{
	return (unsigned)f < ZF_COUNT ? field_names[f] : "?";
}

int zmap_field_by_name(const char *name)
{
	for (int f = 0; f < ZF_COUNT; f++)
		if (strcmp(name, field_names[f]) == 0)
			return f;
	return -1;
}

const char *zmap_skip_name(enum zmap_skip s)
{
	return (unsigned)s < ZS_COUNT ? skip_names[s] : "?";
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int zmap_options_parse(const char *hex, uint8_t out[TCP_OPTIONS_MAX], uint8_t *len)
{
	if (strncmp(hex, "0x", 2) == 0 || strncmp(hex, "0X", 2) == 0)
		hex += 2;
	else if (strncmp(hex, "hex:", 4) == 0)
		hex += 4;
	size_t n = strlen(hex);
	if (n % 2)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (hexval(hex[i]) < 0)
			return 1;
	if (n / 2 > TCP_OPTIONS_MAX || (n / 2) % 4)
		return 2;
	for (size_t i = 0; i < n / 2; i++)
		out[i] = (uint8_t)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
	*len = (uint8_t)(n / 2);
	return 0;
}

/* A decimal number in [0, max]; false when malformed or out of range. */
static bool parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool zmap_time_parse(const char *s, int64_t *sec, uint32_t *nsec)
{
	int Y, M, D, h, m, sc;
	if (strlen(s) < 19 || !digits(s, 4, &Y) || s[4] != '-' || !digits(s + 5, 2, &M) || s[7] != '-' ||
	    !digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != ' ') || !digits(s + 11, 2, &h) ||
	    s[13] != ':' || !digits(s + 14, 2, &m) || s[16] != ':' || !digits(s + 17, 2, &sc))
		return false;
	if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sc > 60)
		return false;
	const char *p = s + 19;
	uint32_t ns = 0;
	if (*p == '.') {
		p++;
		int nd = 0;
		uint32_t scale = 100000000;
		while (isdigit((unsigned char)*p)) {
			if (nd < 9) {
				ns += (uint32_t)(*p - '0') * scale;
				scale /= 10;
			}
			nd++;
			p++;
		}
		if (nd == 0)
			return false;
	}
	int off = 0;
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		int sign = *p == '-' ? -1 : 1;
		p++;
		if (!digits(p, 2, &oh))
			return false;
		p += 2;
		if (*p == ':')
			p++;
		if (!digits(p, 2, &om) || oh > 23 || om > 59)
			return false;
		p += 2;
		off = sign * (oh * 3600 + om * 60);
	} else {
		return false; /* without a zone the time is ambiguous */
	}
	if (*p)
		return false;
	struct tm tm = {
		.tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = h, .tm_min = m, .tm_sec = sc
	};
	time_t t = timegm(&tm);
	if (t == (time_t)-1 && !(Y == 1969 && M == 12 && D == 31))
		return false;
	*sec = (int64_t)t - off;
	*nsec = ns;
	return true;
}

static const char *val(const char *const vals[ZF_COUNT], enum zmap_field f)
{
	const char *v = vals[f];
	return v && *v ? v : NULL;
}

/* An optional number: 0 when absent. */
static bool opt_uint(const char *const vals[ZF_COUNT], enum zmap_field f, uint64_t max, uint64_t *out)
{
	const char *v = val(vals, f);
	*out = 0;
	return !v || parse_uint(v, max, out);
}

static enum zmap_skip parse_time(const char *const vals[ZF_COUNT], struct zmap_row *r)
{
	const char *ts = val(vals, ZF_TIMESTAMP_TS);
	if (ts) {
		uint64_t s, us = 0;
		const char *u = val(vals, ZF_TIMESTAMP_US);
		if (!parse_uint(ts, INT64_MAX, &s) || (u && !parse_uint(u, 999999, &us)))
			return ZS_BAD_TIMESTAMP;
		r->sec = (int64_t)s;
		r->nsec = (uint32_t)us * 1000;
		return ZS_OK;
	}
	const char *str = val(vals, ZF_TIMESTAMP_STR);
	if (!str)
		return ZS_NO_TIMESTAMP;
	return zmap_time_parse(str, &r->sec, &r->nsec) ? ZS_OK : ZS_BAD_TIMESTAMP;
}

enum zmap_skip zmap_row_parse(const char *const vals[ZF_COUNT], struct zmap_row *out)
{
	static const enum zmap_skip missing[] = { ZS_NO_SADDR, ZS_NO_DADDR, ZS_NO_SPORT, ZS_NO_DPORT,
		                                  ZS_NO_CLASSIFICATION };
	memset(out, 0, sizeof *out);
	for (int f = ZF_SADDR; f <= ZF_CLASSIFICATION; f++)
		if (!val(vals, (enum zmap_field)f))
			return missing[f];
	const char *sa = vals[ZF_SADDR], *da = vals[ZF_DADDR];
	if (inet_pton(AF_INET, sa, out->target) == 1)
		out->family = 4;
	else if (inet_pton(AF_INET6, sa, out->target) == 1)
		out->family = 6;
	else
		return ZS_BAD_SADDR;
	if (inet_pton(out->family == 4 ? AF_INET : AF_INET6, da, out->scanner) != 1)
		return ZS_BAD_DADDR;
	uint64_t v;
	if (!parse_uint(vals[ZF_SPORT], 65535, &v))
		return ZS_BAD_SPORT;
	out->target_port = (uint16_t)v;
	if (!parse_uint(vals[ZF_DPORT], 65535, &v))
		return ZS_BAD_DPORT;
	out->scanner_port = (uint16_t)v;
	const char *cl = vals[ZF_CLASSIFICATION];
	if (strcmp(cl, "rst") == 0)
		out->rst = true;
	else if (strcmp(cl, "synack") != 0)
		return ZS_BAD_CLASSIFICATION;
	const char *hex = val(vals, ZF_OPTIONSHEX);
	if (!hex && !out->rst)
		return ZS_NO_OPTIONSHEX;
	if (hex) {
		int rc = zmap_options_parse(hex, out->options, &out->options_len);
		if (rc)
			return rc == 1 ? ZS_BAD_OPTIONSHEX : ZS_OPTIONS_LENGTH;
	}
	enum zmap_skip t = parse_time(vals, out);
	if (t != ZS_OK)
		return t;
	if (!opt_uint(vals, ZF_TTL, 255, &v))
		return ZS_BAD_TTL;
	out->ttl = (uint8_t)v;
	if (!opt_uint(vals, ZF_IPID, 65535, &v))
		return ZS_BAD_IPID;
	out->ipid = (uint16_t)v;
	if (!opt_uint(vals, ZF_SEQNUM, UINT32_MAX, &v))
		return ZS_BAD_SEQNUM;
	out->seq = (uint32_t)v;
	if (!opt_uint(vals, ZF_ACKNUM, UINT32_MAX, &v))
		return ZS_BAD_ACKNUM;
	out->ack = (uint32_t)v;
	if (!opt_uint(vals, ZF_WINDOW, 65535, &v))
		return ZS_BAD_WINDOW;
	out->window = (uint16_t)v;
	return ZS_OK;
}

/* ---- packets -------------------------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

struct segment {
	const uint8_t *src, *dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t window;
	uint8_t ttl;
	uint16_t ipid;
	const uint8_t *options;
	uint8_t options_len;
};

/* An IPv4 or IPv6 header (no options, no extension headers) and a TCP header
 * with the given options; checksums are left 0 (nothing reads them). */
static size_t build(uint8_t family, const struct segment *s, uint8_t *buf)
{
	size_t tcp_len = 20u + s->options_len;
	size_t ip_len = family == 4 ? 20 : 40;
	memset(buf, 0, ip_len + 20);
	if (family == 4) {
		buf[0] = 0x45;
		put16(buf + 2, (uint16_t)(ip_len + tcp_len));
		put16(buf + 4, s->ipid);
		buf[8] = s->ttl;
		buf[9] = 6;
		memcpy(buf + 12, s->src, 4);
		memcpy(buf + 16, s->dst, 4);
	} else {
		buf[0] = 0x60;
		put16(buf + 4, (uint16_t)tcp_len);
		buf[6] = 6;
		buf[7] = s->ttl;
		memcpy(buf + 8, s->src, 16);
		memcpy(buf + 24, s->dst, 16);
	}
	uint8_t *t = buf + ip_len;
	put16(t, s->sport);
	put16(t + 2, s->dport);
	put32(t + 4, s->seq);
	put32(t + 8, s->ack);
	t[12] = (uint8_t)((tcp_len / 4) << 4);
	t[13] = s->flags;
	put16(t + 14, s->window);
	memcpy(t + 20, s->options, s->options_len);
	return ip_len + tcp_len;
}

size_t zmap_build_probe(const struct zmap_row *r, const struct zmap_probe *p, uint8_t buf[ZMAP_PACKET_MAX])
{
	struct segment s = { .src = r->scanner,
		             .dst = r->target,
		             .sport = r->scanner_port,
		             .dport = r->target_port,
		             .seq = r->ack - 1, /* tcp_synopt accepts answers acknowledging seq + 1 */
		             .flags = TCP_FLAG_SYN,
		             .ttl = p->ttl,
		             .options = p->options,
		             .options_len = p->options_len };
	return build(r->family, &s, buf);
}

size_t zmap_build_answer(const struct zmap_row *r, uint8_t buf[ZMAP_PACKET_MAX])
{
	struct segment s = { .src = r->target,
		             .dst = r->scanner,
		             .sport = r->target_port,
		             .dport = r->scanner_port,
		             .seq = r->seq,
		             .ack = r->ack,
		             .flags = (uint8_t)(r->rst ? TCP_FLAG_RST | TCP_FLAG_ACK
		                                       : TCP_FLAG_SYN | TCP_FLAG_ACK),
		             .window = r->window,
		             .ttl = r->ttl,
		             .ipid = r->ipid,
		             .options = r->options,
		             .options_len = r->options_len };
	return build(r->family, &s, buf);
}
