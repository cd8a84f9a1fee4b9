/* fuzz_dissect.c — libFuzzer harness: one frame through every link layer.
 *
 * The first input byte selects the link type (DLT_ value) from the table
 * below: every link layer link.c decodes, plus one it does not; the rest is
 * the captured frame, handed to dissect_packet() exactly as capture.c hands a
 * record (a heap buffer of caplen bytes, so ASan sees any read past it).
 * Invariants: the parsed struct stays within its own bounds (option and
 * MP_CAPABLE counts, quote lengths no longer than the frame), every skip
 * reason and note has a name.
 */
#include <string.h>

#include "analyzer/dissect/dissect.h"
#include "analyzer/dissect/link.h"
#include "fuzz.h"

static const int dlts[] = {
	LINK_DLT_NULL,        LINK_DLT_EN10MB,
	LINK_DLT_PPP,         LINK_DLT_RAW,
	LINK_DLT_RAW_OPENBSD, LINK_DLT_PPP_SERIAL,
	LINK_DLT_PPP_ETHER,   LINK_DLT_LINKTYPE_RAW,
	LINK_DLT_LOOP,        LINK_DLT_LINUX_SLL,
	LINK_DLT_IPV4,        LINK_DLT_IPV6,
	LINK_DLT_LINUX_SLL2,  105 /* IEEE 802.11: not decoded */,
};
#define NDLTS (sizeof dlts / sizeof dlts[0])

static void check_tcp(const struct tcp_info *t, size_t frame_len)
{
	if (!t->present)
		return;
	FUZZ_CHECK(t->options_len <= TCP_OPTIONS_MAX);
	FUZZ_CHECK(t->options_len <= frame_len);
	FUZZ_CHECK(t->n_mpc <= MPC_MAX_PER_PACKET);
	for (unsigned i = 0; i < t->n_mpc; i++) {
		FUZZ_CHECK(t->mpc[i].offset < TCP_OPTIONS_MAX);
		FUZZ_CHECK(t->mpc[i].length >= 3);
	}
	if (t->options_complete && t->full_header)
		FUZZ_CHECK((size_t)t->header_len == 20u + t->options_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int dlt = dlts[data[0] % NDLTS];
	size_t n = size - 1;
	uint8_t *frame = malloc(n ? n : 1);
	FUZZ_CHECK(frame != NULL);
	memcpy(frame, data + 1, n);
	struct packet *pkt = malloc(sizeof *pkt);
	FUZZ_CHECK(pkt != NULL);
	memset(pkt, 0xa5, sizeof *pkt); /* stale contents, as in the reused struct of input.c */
	pkt->caplen = pkt->wirelen = (uint32_t)n;
	dissect_packet(dlt, frame, (uint32_t)n, pkt);

	FUZZ_CHECK(pkt->linktype == dlt);
	FUZZ_CHECK((unsigned)pkt->skip < SKIP_REASON_COUNT);
	FUZZ_CHECK(strcmp(skip_reason_name(pkt->skip), "unknown") != 0);
	for (int i = 0; i < NOTE_COUNT; i++)
		if (pkt->notes & (1u << i))
			FUZZ_CHECK(strcmp(dissect_note_name((enum dissect_note)i), "unknown") != 0);
	FUZZ_CHECK((pkt->notes >> NOTE_COUNT) == 0);
	if (pkt->ip.family)
		FUZZ_CHECK(pkt->ip.family == 4 || pkt->ip.family == 6);
	/* header_len is what the header declares; it was all captured when the
	 * packet went past the IP layer */
	if (pkt->tcp.present || pkt->icmp.present)
		FUZZ_CHECK(pkt->ip.header_len <= n);
	if (pkt->skip == SKIP_NONE) {
		FUZZ_CHECK(pkt->ip.family != 0);
		FUZZ_CHECK(pkt->tcp.present || pkt->icmp.present);
	}
	if (pkt->tcp.present)
		check_tcp(&pkt->tcp, n);
	if (pkt->icmp.present) {
		FUZZ_CHECK(pkt->icmp.quote_len <= n);
		FUZZ_CHECK(pkt->icmp.quoted_l4_len <= pkt->icmp.quote_len);
		if (pkt->icmp.has_quote)
			FUZZ_CHECK(pkt->icmp.quoted_ip.family == 4 || pkt->icmp.quoted_ip.family == 6);
		if (pkt->icmp.has_quote && pkt->icmp.quoted_tcp.present)
			check_tcp(&pkt->icmp.quoted_tcp, n);
	}
	free(pkt);
	free(frame);
	return 0;
}
