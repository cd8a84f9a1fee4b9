/* test_zmap_row.c — ZMap tcp_synopt rows (zmap_row.h) and metadata
 * (zmap_meta.h): what a row needs, malformed and odd option blocks, times,
 * and the packets rebuilt from a row read back by the ordinary dissector. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/dissect/dissect.h"
#include "analyzer/dissect/link.h"
#include "analyzer/ingest/zmap_meta.h"
#include "analyzer/ingest/zmap_row.h"

/* Row 11 of the corpus's zmap-synopt-v4-mpcv0.csv: the middlebox at .11
 * returning the probe key with two bytes changed. */
static void corpus_row(const char *vals[ZF_COUNT])
{
	memset(vals, 0, ZF_COUNT * sizeof *vals);
	vals[ZF_SADDR] = "203.0.113.11";
	vals[ZF_DADDR] = "192.0.2.2";
	vals[ZF_SPORT] = "443";
	vals[ZF_DPORT] = "36472";
	vals[ZF_CLASSIFICATION] = "synack";
	vals[ZF_OPTIONSHEX] = "0x1e0c00810c0c0c0c0c0cf300";
	vals[ZF_TIMESTAMP_STR] = "2026-11-26T06:30:15.738+0000";
	vals[ZF_TTL] = "59";
	vals[ZF_IPID] = "1";
	vals[ZF_SEQNUM] = "12345";
	vals[ZF_ACKNUM] = "438260769";
	vals[ZF_WINDOW] = "65535";
}

Test(zmap_row, corpus_row_parses)
{
	const char *v[ZF_COUNT];
	corpus_row(v);
	struct zmap_row r;
	cr_assert_eq(zmap_row_parse(v, &r), ZS_OK);
	cr_assert_eq(r.family, 4);
	const uint8_t target[4] = { 203, 0, 113, 11 }, scanner[4] = { 192, 0, 2, 2 };
	cr_assert_arr_eq(r.target, target, 4);
	cr_assert_arr_eq(r.scanner, scanner, 4);
	cr_assert_eq(r.target_port, 443);
	cr_assert_eq(r.scanner_port, 36472);
	cr_assert_not(r.rst);
	cr_assert_eq(r.ttl, 59);
	cr_assert_eq(r.ipid, 1);
	cr_assert_eq(r.seq, 12345);
	cr_assert_eq(r.ack, 438260769u);
	cr_assert_eq(r.window, 65535);
	cr_assert_eq(r.options_len, 12);
	const uint8_t opts[12] = { 0x1e, 0x0c, 0x00, 0x81, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0xf3, 0x00 };
	cr_assert_arr_eq(r.options, opts, 12);
	/* the capture of the same scan has this answer at 1795674615.738323 (tshark) */
	cr_assert_eq(r.sec, 1795674615);
	cr_assert_eq(r.nsec, 738000000u);
}

Test(zmap_row, each_needed_field_missing_is_named)
{
	static const struct {
		enum zmap_field f;
		enum zmap_skip why;
	} cases[] = {
		{ ZF_SADDR, ZS_NO_SADDR },
		{ ZF_DADDR, ZS_NO_DADDR },
		{ ZF_SPORT, ZS_NO_SPORT },
		{ ZF_DPORT, ZS_NO_DPORT },
		{ ZF_CLASSIFICATION, ZS_NO_CLASSIFICATION },
		{ ZF_OPTIONSHEX, ZS_NO_OPTIONSHEX },
		{ ZF_TIMESTAMP_STR, ZS_NO_TIMESTAMP },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *v[ZF_COUNT];
		struct zmap_row r;
		corpus_row(v);
		v[cases[i].f] = NULL;
		cr_assert_eq(zmap_row_parse(v, &r), cases[i].why, "without %s", zmap_field_name(cases[i].f));
		corpus_row(v);
		v[cases[i].f] = ""; /* an empty CSV field is a missing value */
		cr_assert_eq(zmap_row_parse(v, &r), cases[i].why, "with an empty %s",
		             zmap_field_name(cases[i].f));
	}
}

Test(zmap_row, optional_fields_absent_are_zero)
{
	const char *v[ZF_COUNT];
	corpus_row(v);
	v[ZF_TTL] = v[ZF_IPID] = v[ZF_SEQNUM] = v[ZF_ACKNUM] = v[ZF_WINDOW] = NULL;
	struct zmap_row r;
	cr_assert_eq(zmap_row_parse(v, &r), ZS_OK);
	cr_assert_eq(r.ttl, 0);
	cr_assert_eq(r.ack, 0);
	cr_assert_eq(r.window, 0);
}

Test(zmap_row, rst_needs_no_options)
{
	const char *v[ZF_COUNT];
	corpus_row(v);
	v[ZF_CLASSIFICATION] = "rst";
	v[ZF_OPTIONSHEX] = NULL;
	struct zmap_row r;
	cr_assert_eq(zmap_row_parse(v, &r), ZS_OK);
	cr_assert(r.rst);
	cr_assert_eq(r.options_len, 0);
	v[ZF_OPTIONSHEX] = "0x"; /* what tcp_synopt writes for a RST */
	cr_assert_eq(zmap_row_parse(v, &r), ZS_OK);
	cr_assert_eq(r.options_len, 0);
}

Test(zmap_row, other_classifications_are_skipped)
{
	const char *v[ZF_COUNT];
	struct zmap_row r;
	corpus_row(v);
	v[ZF_CLASSIFICATION] = "icmp"; /* upstream tcp_synscan */
	cr_assert_eq(zmap_row_parse(v, &r), ZS_BAD_CLASSIFICATION);
	v[ZF_CLASSIFICATION] = "SYNACK";
	cr_assert_eq(zmap_row_parse(v, &r), ZS_BAD_CLASSIFICATION);
}

Test(zmap_row, malformed_hex)
{
	static const char *const bad[] = { "0x1e0c00810c0c0c0c0c0cf30", /* odd digit count */
		                           "0x1e0c00810c0c0c0c0c0cf3zz", "0x 1e0c0081", "--",
		                           "0x1e0c0081-0c0c0c0c0c0cf300" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *v[ZF_COUNT];
		struct zmap_row r;
		corpus_row(v);
		v[ZF_OPTIONSHEX] = bad[i];
		cr_assert_eq(zmap_row_parse(v, &r), ZS_BAD_OPTIONSHEX, "%s", bad[i]);
	}
}

Test(zmap_row, odd_option_lengths)
{
	/* a TCP header's options are a multiple of 4 bytes, at most 40 */
	static const char *const bad[] = {
		"0x01",
		"0x0101",
		"0x010101",
		"0x0101010101",
		"0x1e0c00810c0c0c0c0c0c",
		"0x"
		"01010101010101010101010101010101010101010101010101010101010101010101010101010101"
		"01010101"
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *v[ZF_COUNT];
		struct zmap_row r;
		corpus_row(v);
		v[ZF_OPTIONSHEX] = bad[i];
		cr_assert_eq(zmap_row_parse(v, &r), ZS_OPTIONS_LENGTH, "%s", bad[i]);
	}
	uint8_t o[TCP_OPTIONS_MAX], n = 99;
	cr_assert_eq(zmap_options_parse("0x", o, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(zmap_options_parse("hex:1E040181", o, &n), 0);
	cr_assert_eq(n, 4);
	cr_assert_eq(o[2], 0x01);
	cr_assert_eq(
	    zmap_options_parse(
	        "01010101010101010101010101010101010101010101010101010101010101010101010101010101", o, &n),
	    0);
	cr_assert_eq(n, 40);
}

Test(zmap_row, addresses_and_ports)
{
	const char *v[ZF_COUNT];
	struct zmap_row r;
	corpus_row(v);
	v[ZF_SADDR] = "203.0.113.256";
	cr_assert_eq(zmap_row_parse(v, &r), ZS_BAD_SADDR);
	corpus_row(v);
	v[ZF_DADDR] = "2001:db8::2"; /* an IPv6 scanner for an IPv4 target */
	cr_assert_eq(zmap_row_parse(v, &r), ZS_BAD_DADDR);
	corpus_row(v);
	v[ZF_SADDR] = "2001:db8:3::10";
	v[ZF_DADDR] = "2001:db8::2";
	cr_assert_eq(zmap_row_parse(v, &r), ZS_OK);
	cr_assert_eq(r.family, 6);
	cr_assert_eq(r.target[15], 0x10);
	static const char *const badport[] = { "65536", "-1", "80x", "0x50", " 80" };
	for (size_t i = 0; i < sizeof badport / sizeof badport[0]; i++) {
		corpus_row(v);
		v[ZF_SPORT] = badport[i];
		cr_assert_eq(zmap_row_parse(v, &r), ZS_BAD_SPORT, "%s", badport[i]);
		corpus_row(v);
		v[ZF_DPORT] = badport[i];
		cr_assert_eq(zmap_row_parse(v, &r), ZS_BAD_DPORT, "%s", badport[i]);
	}
	corpus_row(v);
	v[ZF_TTL] = "256";
	cr_assert_eq(zmap_row_parse(v, &r), ZS_BAD_TTL);
	corpus_row(v);
	v[ZF_ACKNUM] = "4294967296";
	cr_assert_eq(zmap_row_parse(v, &r), ZS_BAD_ACKNUM);
}

Test(zmap_row, times)
{
	int64_t s;
	uint32_t ns;
	cr_assert(zmap_time_parse("2026-11-26T06:30:15.731+0000", &s, &ns));
	cr_assert_eq(s, 1795674615); /* date -u -d 2026-11-26T06:30:15Z +%s */
	cr_assert_eq(ns, 731000000u);
	cr_assert(zmap_time_parse("2026-11-26T07:30:15.731+01:00", &s, &ns));
	cr_assert_eq(s, 1795674615);
	cr_assert(zmap_time_parse("2026-11-26T01:30:15-0500", &s, &ns));
	cr_assert_eq(s, 1795674615);
	cr_assert_eq(ns, 0);
	cr_assert(zmap_time_parse("2026-11-26T06:30:15.123456789123Z", &s, &ns));
	cr_assert_eq(ns, 123456789u);
	static const char *const bad[] = { "2026-11-26T06:30:15.731", /* no zone: ambiguous */
		                           "2026-11-26",
		                           "2026-13-26T06:30:15Z",
		                           "2026-11-26T06:30:15.Z",
		                           "2026-11-26T06:30:15Z junk",
		                           "26/11/2026 06:30:15" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_not(zmap_time_parse(bad[i], &s, &ns), "%s", bad[i]);

	/* timestamp_ts and timestamp_us, when present, win over timestamp_str */
	const char *v[ZF_COUNT];
	struct zmap_row r;
	corpus_row(v);
	v[ZF_TIMESTAMP_TS] = "1795674615";
	v[ZF_TIMESTAMP_US] = "738323";
	cr_assert_eq(zmap_row_parse(v, &r), ZS_OK);
	cr_assert_eq(r.nsec, 738323000u);
	v[ZF_TIMESTAMP_US] = "1000000";
	cr_assert_eq(zmap_row_parse(v, &r), ZS_BAD_TIMESTAMP);
	corpus_row(v);
	v[ZF_TIMESTAMP_STR] = "yesterday";
	cr_assert_eq(zmap_row_parse(v, &r), ZS_BAD_TIMESTAMP);
}

/* The rebuilt packets, read by the dissector every capture goes through. */
static void dissect_raw(const uint8_t *buf, size_t len, struct packet *p)
{
	memset(p, 0, sizeof *p);
	dissect_packet(LINK_DLT_RAW, buf, (uint32_t)len, p);
	cr_assert_eq(p->skip, SKIP_NONE);
	cr_assert(p->tcp.present);
}

/* Parses the row and dissects the answer rebuilt from it. */
static void answer_of(const char *const v[ZF_COUNT], struct zmap_row *r, struct packet *p)
{
	cr_assert_eq(zmap_row_parse(v, r), ZS_OK);
	uint8_t buf[ZMAP_PACKET_MAX];
	dissect_raw(buf, zmap_build_answer(r, buf), p);
}

Test(zmap_row, answer_and_probe_dissect_back)
{
	const char *v[ZF_COUNT];
	corpus_row(v);
	struct zmap_row r;
	struct packet p;
	answer_of(v, &r, &p);
	cr_assert_eq(p.ip.family, 4);
	cr_assert_eq(p.ip.ttl, 59);
	cr_assert_eq(p.ip.src[3], 11);
	cr_assert_eq(p.tcp.sport, 443);
	cr_assert_eq(p.tcp.dport, 36472);
	cr_assert_eq(p.tcp.flags, TCP_FLAG_SYN | TCP_FLAG_ACK);
	cr_assert_eq(p.tcp.options_len, 12);
	cr_assert_eq(p.tcp.n_mpc, 1);
	cr_assert_eq(p.tcp.mpc[0].version, 0);
	cr_assert(p.tcp.mpc[0].has_sender_key);
	cr_assert_eq(p.tcp.mpc[0].sender_key, 0x0c0c0c0c0c0cf300ULL);

	struct zmap_probe pr;
	char err[256];
	uint8_t buf[ZMAP_PACKET_MAX];
	cr_assert_eq(zmap_probe_from_hex("hex:1e0c00810c0c0c0c0c0c0c0c", &pr, err, sizeof err), 0);
	dissect_raw(buf, zmap_build_probe(&r, &pr, buf), &p);
	cr_assert_eq(p.tcp.flags, TCP_FLAG_SYN);
	cr_assert_eq(p.ip.src[3], 2); /* from the scanner */
	cr_assert_eq(p.tcp.sport, 36472);
	cr_assert_eq(p.tcp.dport, 443);
	cr_assert_eq(p.tcp.seq + 1, 438260769u); /* what the answer acknowledges */
	cr_assert_eq(p.tcp.mpc[0].sender_key, 0x0c0c0c0c0c0c0c0cULL);
}

Test(zmap_row, v1_echo_has_no_key_whatever_follows)
{
	/* ZMap's mptcpkey reads the 8 bytes after the option's first 4 whatever
	 * its length: here MSS and window scale, which look like a key there.
	 * The dissector sees a 4-byte option without a key. */
	const char *v[ZF_COUNT];
	corpus_row(v);
	v[ZF_OPTIONSHEX] = "0x1e040181020405b401030307";
	struct zmap_row r;
	struct packet p;
	answer_of(v, &r, &p);
	cr_assert_eq(p.tcp.n_mpc, 1);
	cr_assert_eq(p.tcp.mpc[0].version, 1);
	cr_assert_eq(p.tcp.mpc[0].length, 4);
	cr_assert_not(p.tcp.mpc[0].has_sender_key);
	cr_assert_eq(p.tcp.mss, 1460);
	cr_assert_eq(p.tcp.wscale, 7);
}

Test(zmap_row, ipv6_answer)
{
	const char *v[ZF_COUNT];
	corpus_row(v);
	v[ZF_SADDR] = "2001:db8:3::10";
	v[ZF_DADDR] = "2001:db8::2";
	struct zmap_row r;
	struct packet p;
	answer_of(v, &r, &p);
	cr_assert_eq(p.ip.family, 6);
	cr_assert_eq(p.ip.ttl, 59);
	cr_assert_eq(p.tcp.mpc[0].sender_key, 0x0c0c0c0c0c0cf300ULL);
}

static char *write_tmp(const char *text)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/mpcap-zmeta-XXXXXX");
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

Test(zmap_meta, probe_args)
{
	char err[512];
	struct zmap_probe p;
	char *f =
	    write_tmp("{ \"probe_module\": \"tcp_synopt\", \"probe_args\": \"hex:1e0c00810c0c0c0c0c0c0c0c\", "
	              "\"probe_ttl\": 64, \"target_ports\": [ 80, 443 ] }");
	cr_assert_eq(zmap_metadata_read(f, &p, err, sizeof err), 0, "%s", err);
	cr_assert(p.known);
	cr_assert_eq(p.options_len, 12);
	cr_assert_eq(p.options[11], 0x0c);
	cr_assert_eq(p.ttl, 64);
	unlink(f);

	f = write_tmp("{ \"probe_module\": \"ipv6_tcp_synopt\" }"); /* no arguments: no options */
	cr_assert_eq(zmap_metadata_read(f, &p, err, sizeof err), 0, "%s", err);
	cr_assert(p.known);
	cr_assert_eq(p.options_len, 0);
	unlink(f);
}

Test(zmap_meta, refused)
{
	static const char *const bad[] = {
		"{ \"probe_module\": \"tcp_synscan\", \"probe_args\": \"windows\" }", /* ZMap's built-in
		                                                                         options */
		"{ \"probe_module\": \"tcp_synscan\" }",
		"{ \"probe_module\": \"tcp_synopt\", \"probe_args\": \"hex:1e0c0081\" \"x\" }", /* not JSON */
		"{ \"probe_module\": \"tcp_synopt\", \"probe_args\": \"hex:1e0c00\" }",         /* 3 bytes */
		"{ \"probe_module\": \"tcp_synopt\", \"probe_args\": \"hex:1e0c00810\" }", /* odd digits */
		"{ \"probe_module\": \"tcp_synopt\", \"probe_args\": 7 }",
		"{ \"probe_module\": \"tcp_synopt\", \"probe_ttl\": 300 }",
		"[ \"probe_module\" ]",
		"{ \"probe_args\": \"hex:1e040181\" }",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char err[512] = "";
		struct zmap_probe p;
		char *f = write_tmp(bad[i]);
		cr_assert_eq(zmap_metadata_read(f, &p, err, sizeof err), -1, "%s", bad[i]);
		cr_assert(strncmp(err, f, strlen(f)) == 0, "the error names the file: %s", err);
		unlink(f);
	}
	char err[256];
	struct zmap_probe p;
	cr_assert_eq(zmap_metadata_read("/nonexistent/meta.json", &p, err, sizeof err), -1);
	cr_assert(strstr(err, "/nonexistent/meta.json") != NULL);
}
