/* test_mpcapable.c — MP_CAPABLE decoding (RFC 6824 v0, RFC 8684 v1), and the
 * whole dissector checked against tshark on the real captures in
 * tests/corpus. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/dissect/dissect.h"
#include "analyzer/dissect/mpcapable.h"

#define U MPC_ANOM_LENGTH_UNKNOWN
#define V MPC_ANOM_VERSION_LENGTH
#define S MPC_ANOM_LENGTH_SEGMENT

static const uint8_t seg_flags[3] = { TCP_FLAG_SYN, TCP_FLAG_SYN | TCP_FLAG_ACK, TCP_FLAG_ACK };
static const char *const seg_names[3] = { "SYN", "SYN-ACK", "ACK" };

/* Expected anomalies, written out by hand from the RFCs' length tables:
 * v0 SYN 12, SYN-ACK 12, ACK 20; v1 SYN 4, SYN-ACK 12, ACK 20/22/24. */
static const struct {
	uint8_t len;
	uint32_t v0[3], v1[3]; /* SYN, SYN-ACK, ACK */
	bool flags, skey, rkey, dlen, csum;
} cases[] = {
	{ 3, { U, U, U }, { U, U, U }, false, false, false, false, false },
	{ 4, { V, V | S, V | S }, { 0, S, S }, true, false, false, false, false },
	{ 8, { U, U, U }, { U, U, U }, true, false, false, false, false },
	{ 12, { 0, 0, S }, { S, 0, S }, true, true, false, false, false },
	{ 20, { S, S, 0 }, { S, S, 0 }, true, true, true, false, false },
	{ 22, { V | S, V | S, V }, { S, S, 0 }, true, true, true, true, false },
	{ 24, { V | S, V | S, V }, { S, S, 0 }, true, true, true, true, true },
	{ 30, { U, U, U }, { U, U, U }, true, true, true, true, true },
};

/* kind, len, subtype|version, flags, sender key 01..08, receiver key 11..18,
 * data-level length 2122, checksum 2324, then filler. */
static void make_option(uint8_t *o, uint8_t len, uint8_t version)
{
	static const uint8_t body[30] = { 0x1e, 0,    0,    0x81, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
		                          0x07, 0x08, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
		                          0x21, 0x22, 0x23, 0x24, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee };
	memcpy(o, body, sizeof body);
	o[1] = len;
	o[2] = version;
}

Test(mpcapable, every_length_version_segment)
{
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		for (uint8_t ver = 0; ver <= 1; ver++) {
			for (int s = 0; s < 3; s++) {
				uint8_t o[30];
				struct mpc_option m;
				uint8_t len = cases[c].len;
				make_option(o, len, ver);
				cr_assert_eq(mpc_decode(bv_make(o, len), seg_flags[s], &m), MPC_OK);
				uint32_t want = ver ? cases[c].v1[s] : cases[c].v0[s];
				cr_expect_eq(m.anomalies, want, "len %u v%u %s: anomalies %#x, want %#x", len,
				             ver, seg_names[s], m.anomalies, want);
				cr_expect_eq(m.length, len);
				cr_expect_eq(m.version, ver);
				cr_expect_eq(m.has_flags, cases[c].flags, "len %u", len);
				cr_expect_eq(m.has_sender_key, cases[c].skey, "len %u", len);
				cr_expect_eq(m.has_receiver_key, cases[c].rkey, "len %u", len);
				cr_expect_eq(m.has_data_len, cases[c].dlen, "len %u", len);
				cr_expect_eq(m.has_checksum, cases[c].csum, "len %u", len);
				if (m.has_flags)
					cr_expect_eq(m.flags, 0x81);
				if (m.has_sender_key)
					cr_expect_eq(m.sender_key, UINT64_C(0x0102030405060708));
				if (m.has_receiver_key)
					cr_expect_eq(m.receiver_key, UINT64_C(0x1112131415161718));
				if (m.has_data_len)
					cr_expect_eq(m.data_len, 0x2122);
				if (m.has_checksum)
					cr_expect_eq(m.checksum, 0x2324);
			}
		}
	}
}

/* The ZMap MPTCP example probe: v0 SYN, flags A|H, key 0c0c0c0c0c0c0c0c. */
Test(mpcapable, zmap_probe_by_hand)
{
	static const uint8_t o[] = { 0x1e, 0x0c, 0x00, 0x81, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c };
	struct mpc_option m;
	cr_assert_eq(mpc_decode(bv_make(o, sizeof o), TCP_FLAG_SYN, &m), MPC_OK);
	cr_expect_eq(m.version, 0);
	cr_expect_eq(m.flags, MPC_FLAG_A | MPC_FLAG_H);
	cr_expect(m.has_sender_key && !m.has_receiver_key);
	cr_expect_eq(m.sender_key, UINT64_C(868082074056920076)); /* tshark prints it so */
	cr_expect_eq(m.anomalies, 0);
}

/* A v1 third ACK with data (RFC 8684 Figure 4, length 24). */
Test(mpcapable, v1_ack_with_data_by_hand)
{
	static const uint8_t o[] = { 0x1e, 0x18, 0x01, 0xa1, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x00, 0x01,
		                     0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x05, 0xdc, 0xab, 0xcd };
	struct mpc_option m;
	cr_assert_eq(mpc_decode(bv_make(o, sizeof o), TCP_FLAG_ACK | TCP_FLAG_PSH, &m), MPC_OK);
	cr_expect_eq(m.version, 1);
	cr_expect_eq(m.flags, MPC_FLAG_A | MPC_FLAG_H | MPC_FLAG_C);
	cr_expect_eq(m.sender_key, UINT64_C(0xdeadbeef00000001));
	cr_expect_eq(m.receiver_key, UINT64_C(0x80000000000000ff));
	cr_expect_eq(m.data_len, 1500);
	cr_expect_eq(m.checksum, 0xabcd);
	cr_expect_eq(m.anomalies, 0);
}

Test(mpcapable, not_mp_capable)
{
	static const uint8_t join[] = { 0x1e, 0x0c, 0x10, 0x00, 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t mss[] = { 0x02, 0x04, 0x05, 0xb4 };
	static const uint8_t short_len[] = { 0x1e, 0x02, 0x00 };
	struct mpc_option m;
	m.length = 99;
	cr_expect_eq(mpc_decode(bv_make(join, sizeof join), TCP_FLAG_SYN, &m), MPC_NOT_MPC);
	cr_expect_eq(mpc_decode(bv_make(mss, sizeof mss), TCP_FLAG_SYN, &m), MPC_NOT_MPC);
	cr_expect_eq(mpc_decode(bv_make(short_len, sizeof short_len), TCP_FLAG_SYN, &m), MPC_NOT_MPC);
	cr_expect_eq(mpc_decode(bv_make(join, 2), TCP_FLAG_SYN, &m), MPC_NOT_MPC);
	cr_expect_eq(mpc_decode(bv_make(NULL, 0), TCP_FLAG_SYN, &m), MPC_NOT_MPC);
	cr_expect_eq(m.length, 99, "untouched");
}

Test(mpcapable, fewer_bytes_than_length)
{
	uint8_t o[30];
	struct mpc_option m;
	make_option(o, 20, 0);
	cr_assert_eq(mpc_decode(bv_make(o, 15), TCP_FLAG_ACK, &m), MPC_OK);
	cr_expect(m.has_sender_key);
	cr_expect_not(m.has_receiver_key);
	cr_expect_eq(m.length, 20);
	/* extra bytes after the option are not read as part of it */
	make_option(o, 12, 0);
	cr_assert_eq(mpc_decode(bv_make(o, 30), TCP_FLAG_SYN, &m), MPC_OK);
	cr_expect_not(m.has_receiver_key);
}

Test(mpcapable, later_versions_like_v1)
{
	uint8_t o[30];
	struct mpc_option m;
	make_option(o, 4, 2);
	cr_assert_eq(mpc_decode(bv_make(o, 4), TCP_FLAG_SYN, &m), MPC_OK);
	cr_expect_eq(m.version, 2);
	cr_expect_eq(m.anomalies, 0);
	make_option(o, 12, 15);
	cr_assert_eq(mpc_decode(bv_make(o, 12), TCP_FLAG_SYN, &m), MPC_OK);
	cr_expect_eq(m.anomalies, S);
	cr_expect_eq(m.sender_key, UINT64_C(0x0102030405060708));
}

Test(mpcapable, segment_without_syn_or_ack)
{
	uint8_t o[30];
	struct mpc_option m;
	make_option(o, 12, 0);
	cr_assert_eq(mpc_decode(bv_make(o, 12), TCP_FLAG_RST, &m), MPC_OK);
	cr_expect_eq(m.anomalies, S);
}

/* ---- the dissector against tshark on real captures ---- */

#define MAX_FRAMES 4096

struct expected {
	bool has;
	char skey[32], rkey[32], ver[8];
};

static const char *corpus_dir(void)
{
	const char *d = getenv("MPCAP_CORPUS");
	return d ? d : "tests/corpus";
}

static void first_field(char *dst, size_t n, const char *src)
{
	size_t i = 0;
	while (src[i] && src[i] != ',' && i + 1 < n) {
		dst[i] = src[i];
		i++;
	}
	dst[i] = 0;
}

/* Runs tshark on path and fills exp[frame] for every frame with an MP_CAPABLE. */
static int run_tshark(const char *path, struct expected *exp)
{
	char cmd[1024], line[1024];
	int n = 0;
	snprintf(cmd, sizeof cmd,
	         "tshark -n -r '%s' -Y 'tcp.options.mptcp.subtype == 0' -T fields -e frame.number "
	         "-e tcp.options.mptcp.sendkey -e tcp.options.mptcp.recvkey -e tcp.options.mptcp.version "
	         "2>/dev/null",
	         path);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p, "popen tshark");
	while (fgets(line, sizeof line, p)) {
		char *f[4] = { 0 };
		char *s = line;
		line[strcspn(line, "\r\n")] = 0;
		for (int i = 0; i < 4; i++) {
			f[i] = s;
			s = strchr(s, '\t');
			if (!s) {
				for (int j = i + 1; j < 4; j++)
					f[j] = "";
				break;
			}
			*s++ = 0;
		}
		long fr = strtol(f[0], NULL, 10);
		cr_assert(fr > 0 && fr < MAX_FRAMES, "frame %ld", fr);
		exp[fr].has = true;
		first_field(exp[fr].skey, sizeof exp[fr].skey, f[1]);
		first_field(exp[fr].rkey, sizeof exp[fr].rkey, f[2]);
		first_field(exp[fr].ver, sizeof exp[fr].ver, f[3]);
		n++;
	}
	cr_assert_eq(pclose(p), 0, "tshark failed on %s", path);
	return n;
}

static void key_text(char *dst, size_t n, bool has, uint64_t key)
{
	if (has)
		snprintf(dst, n, "%" PRIu64, key);
	else
		dst[0] = 0;
}

/* Dissects every packet of NAME, compares with tshark; returns frames with MP_CAPABLE. */
static int check_against_tshark(const char *name)
{
	static struct expected exp[MAX_FRAMES];
	char path[512], errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct packet pkt;
	int frame = 0, found = 0, rc;

	snprintf(path, sizeof path, "%s/%s", corpus_dir(), name);
	memset(exp, 0, sizeof exp);
	int want = run_tshark(path, exp);
	pcap_t *pc = pcap_open_offline(path, errbuf);
	cr_assert_not_null(pc, "%s: %s", path, errbuf);
	memset(&pkt, 0xa5, sizeof pkt); /* stale garbage: the dissector must not rely on a clean struct */
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		frame++;
		cr_assert_lt(frame, MAX_FRAMES);
		dissect_packet(pcap_datalink(pc), data, h->caplen, &pkt);
		const struct tcp_info *t = NULL;
		if (pkt.tcp.present && pkt.tcp.n_mpc)
			t = &pkt.tcp;
		else if (pkt.icmp.present && pkt.icmp.has_quote && pkt.icmp.quoted_tcp.present &&
		         pkt.icmp.quoted_tcp.n_mpc)
			t = &pkt.icmp.quoted_tcp;
		cr_expect_eq(t != NULL, exp[frame].has, "%s frame %d: MP_CAPABLE %s by mpcap, %s by tshark",
		             name, frame, t ? "found" : "not found", exp[frame].has ? "found" : "not found");
		if (!t || !exp[frame].has)
			continue;
		found++;
		char sk[32], rk[32], ver[8];
		key_text(sk, sizeof sk, t->mpc[0].has_sender_key, t->mpc[0].sender_key);
		key_text(rk, sizeof rk, t->mpc[0].has_receiver_key, t->mpc[0].receiver_key);
		snprintf(ver, sizeof ver, "%u", t->mpc[0].version);
		cr_expect_str_eq(sk, exp[frame].skey, "%s frame %d sender key", name, frame);
		cr_expect_str_eq(rk, exp[frame].rkey, "%s frame %d receiver key", name, frame);
		cr_expect_str_eq(ver, exp[frame].ver, "%s frame %d version", name, frame);
	}
	cr_expect_eq(rc, PCAP_ERROR_BREAK, "%s: %s", name, pcap_geterr(pc));
	pcap_close(pc);
	cr_expect_eq(found, want, "%s: %d MP_CAPABLE frames matched, tshark has %d", name, found, want);
	return found;
}

Test(mpc_corpus, mptcp_v0)
{
	cr_expect_eq(check_against_tshark("mptcp-v0.pcap"), 3);
}

Test(mpc_corpus, mptcp_v1_sll)
{
	cr_expect_eq(check_against_tshark("mptcp-v1.pcap"), 4);
}

Test(mpc_corpus, ptcpdump_loopback)
{
	cr_expect_eq(check_against_tshark("ptcpdump-mptcp-loopback.pcap"), 4);
}

/* The rest of the corpus: ICMP quotes, pcapng, VLAN/MPLS/PPPoE, truncations. */
Test(mpc_corpus, whole_corpus)
{
	static const char *const files[] = {
		"dpi-mptcp-mp_capable.pcapng",
		"dpi-mptcp-mp_rejected.pcap",
		"tracebox-v4-mpcapable.pcap",
		"tracebox-v6-mpcapable.pcap",
		"zmap-synopt-v4-mpcv0.pcap",
		"zeek-icmp_icmp-timeexceeded.pcap",
		"zeek-icmp_icmp6-timeexceeded.pcap",
		"zeek-mixed-vlan-mpls.pcap",
		"zeek-pppoe.pcap",
		"zeek-q-in-q.pcap",
		"zeek-trunc_icmp-header-trunc.pcap",
		"zeek-trunc_icmp-payload-trunc.pcap",
		"zeek-trunc_ip4-trunc.pcap",
		"zeek-trunc_ip6-ext-trunc.pcap",
		"zeek-trunc_ip6-trunc.pcap",
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		check_against_tshark(files[i]);
}
