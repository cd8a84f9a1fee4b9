/* fuzz_icmp.c — libFuzzer harness: ICMP / ICMPv6 messages and their quotes.
 *
 * Input: bit 0 of byte 0 selects ICMP (0) or ICMPv6 (1); the rest is the
 * message as captured (the IP payload), parsed by icmp_parse(), which hands
 * the quote to ip_parse_quote() and tcp_parse().  The rest is also parsed as
 * a bare quote by ip_parse_quote() and as a datagram by ip_parse().
 * Invariants: lengths stay inside the message; a quote is reported parsed
 * only with a family; the upper-layer view lies inside the input.
 */
#include <string.h>

#include "analyzer/dissect/icmp.h"
#include "analyzer/dissect/ip.h"
#include "fuzz.h"

static void check_payload(const uint8_t *base, size_t n, const struct byte_view *p)
{
	FUZZ_CHECK(p->len <= n);
	if (p->len)
		FUZZ_CHECK(p->data >= base && p->data + p->len <= base + n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int family = (data[0] & 1) ? 6 : 4;
	size_t n = size - 1;
	uint8_t *msg = malloc(n ? n : 1);
	FUZZ_CHECK(msg != NULL);
	memcpy(msg, data + 1, n);

	struct icmp_info ic;
	int st = icmp_parse(bv_make(msg, n), family, &ic);
	FUZZ_CHECK(st >= ICMP_OK && st <= ICMP_QUOTE_UNPARSED);
	if (ic.present) {
		FUZZ_CHECK(ic.quote_len <= n);
		FUZZ_CHECK(ic.quoted_l4_len <= ic.quote_len);
		if (ic.has_quote) {
			FUZZ_CHECK(ic.is_error);
			FUZZ_CHECK(ic.quoted_ip.family == 4 || ic.quoted_ip.family == 6);
		}
		if (st == ICMP_QUOTE_UNPARSED)
			FUZZ_CHECK(!ic.has_quote && ic.is_error);
		if (ic.quoted_tcp.present)
			FUZZ_CHECK(ic.has_quote && ic.quoted_tcp.options_len <= TCP_OPTIONS_MAX &&
			           ic.quoted_tcp.n_mpc <= MPC_MAX_PER_PACKET);
	}

	struct ip_info ip;
	struct byte_view pl;
	st = ip_parse_quote(bv_make(msg, n), 0, &ip, &pl);
	if (st == IP_OK)
		check_payload(msg, n, &pl);
	st = ip_parse(bv_make(msg, n), family, &ip, &pl);
	if (st == IP_OK) {
		check_payload(msg, n, &pl);
		FUZZ_CHECK(ip.header_len <= n);
	}
	free(msg);
	return 0;
}
