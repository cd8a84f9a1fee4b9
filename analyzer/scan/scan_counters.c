/* scan_counters.c — what a scan shows (scan.h): its counters and their
 * documentation, the names of response types, its target sets by name, and
 * the accessors of a finished scan's records.  The counters count packets
 * and targets as RFC 9293 (SYN, SYN-ACK, RST), RFC 792 / RFC 4443 (ICMP) and
 * RFC 6824 / RFC 8684 (MP_CAPABLE) define them.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "analyzer/dissect/dissect.h"
#include "analyzer/scan/scan.h"
#include "analyzer/scan/scan_internal.h"
#include "analyzer/scan/abtest.h"
#include "analyzer/scan/verdict.h"

static const struct counter_doc counter_docs[] = {
	{ "packets.total", "records read (after the -f filter)" },
	{ "packets.linktype.NAME",
	  "records per link type (libpcap's DLT name, e.g. EN10MB, RAW, LINUX_SLL)" },
	{ "skipped.REASON",
	  "records not dissected to TCP/ICMP, by reason: linktype-unsupported, link-truncated, "
	  "not-ip (ARP, LLDP...), ip-truncated, ip-malformed, ip-fragment (non-first fragments), "
	  "ipv6-ext-chain (extension header chain truncated or longer than 8), other-proto "
	  "(UDP...), tcp-truncated, tcp-malformed (data offset below 20 bytes), icmp-truncated" },
	{ "notes.NOTE",
	  "records used but noteworthy: tcp-options-malformed (the option walk stopped at a bad "
	  "length), tcp-options-truncated (options cut by the snap length), mpc-anomaly, "
	  "icmp-quote-unparsed" },
	{ "probes.packets", "TCP SYNs without ACK (probes, retransmissions included)" },
	{ "probes.distinct-options", "distinct probe option blocks (1 for a static-key scan)" },
	{ "probes.scanner-addresses", "distinct source addresses of probes" },
	{ "probes.key-source.SOURCE",
	  "1 for where the probe key came from: learned, given, inferred or unknown" },
	{ "responses.packets", "SYN-ACK, RST and ICMP-unreachable packets sent to a scanner address" },
	{ "responses.duplicate", "responses from a target that had already answered the same way" },
	{ "responses.unsolicited", "responses from targets never probed (when the capture holds probes)" },
	{ "icmp.time-exceeded", "ICMP/ICMPv6 time-exceeded messages" },
	{ "icmp.unreachable", "ICMP/ICMPv6 destination-unreachable messages" },
	{ "mpcapable.options", "MP_CAPABLE options in any packet, quoted ones included" },
	{ "mpcapable.options-in-icmp-quotes", "MP_CAPABLE options inside ICMP quotes" },
	{ "targets.probed", "distinct targets (address, port) probed; also per family and port" },
	{ "targets.responsive", "distinct targets that answered in any way; also per family and port" },
	{ "targets.responsive.TYPE",
	  "distinct targets that answered with TYPE: synack, rst, icmp-unreachable" },
	{ "targets.mpcapable",
	  "distinct targets whose SYN-ACK carried MP_CAPABLE; also per family and port" },
	{ "verdict.VERDICT",
	  "targets per verdict (docs/methodology.md): mptcp, replay, modified, shared-key, "
	  "no-mptcp, rst, icmp-unreachable, silent; a target counts once by its best answer "
	  "(SYN-ACK, then RST, then ICMP), except that a target probed with both MP_CAPABLE "
	  "versions counts once per version that drew an MP_CAPABLE; also per family and port. "
	  "A/B scans (plain and MP_CAPABLE probes) add mpc-dropped and plain-dropped, which count "
	  "targets besides the verdict of their best answer" },
	{ "abtest.targets",
	  "A/B scans only: distinct targets probed with a plain SYN and an MP_CAPABLE SYN" },
	{ "abtest.ambiguous",
	  "A/B scans only: targets left out of the A/B comparison, their plain and MP_CAPABLE SYNs "
	  "sent from one scanner port (a connection falling back, not a scanner's pair)" },
	{ "abtest.mpc-dropped-v0",
	  "A/B scans only: of those, targets that answered the plain SYN and no v0 MP_CAPABLE SYN" },
	{ "abtest.mpc-dropped-v1",
	  "A/B scans only: of those, targets that answered the plain SYN and no v1 MP_CAPABLE SYN" },
	{ "abtest.plain-dropped",
	  "A/B scans only: targets that answered MP_CAPABLE SYNs and not the plain one" },
};

const struct counter_doc *scan_counter_docs(size_t *n)
{
	*n = sizeof counter_docs / sizeof counter_docs[0];
	return counter_docs;
}

const char *response_type_name(enum response_type r)
{
	switch (r) {
	case RESP_SYNACK:
		return "synack";
	case RESP_RST:
		return "rst";
	case RESP_ICMP_UNREACHABLE:
		return "icmp-unreachable";
	default:
		return "";
	}
}

const char *scan_label(const struct scan *s)
{
	return s->label_set ? s->label : "unknown";
}

enum probe_key_source scan_probe_key_source(const struct scan *s)
{
	return s->key_source;
}

size_t scan_target_count(const struct scan *s)
{
	return abtest_target_count(s);
}

const struct scan_target *scan_target_at(const struct scan *s, size_t i)
{
	return abtest_target_at(s, i);
}

void scan_target_probe(const struct scan *s, const struct scan_target *t, struct probe_profile *out)
{
	if (t->profile != UINT32_MAX && t->profile < s->nprofiles) {
		*out = s->profiles[t->profile].p;
		return;
	}
	memset(out, 0, sizeof *out);
	if (s->key_source == PROBE_KEY_GIVEN || s->key_source == PROBE_KEY_INFERRED) {
		out->has_mpc = true;
		out->mpc_version = 0;
		out->mpc_length = 12;
		out->has_key = true;
		out->key = s->key;
	}
}

struct port_emit {
	scan_counter_fn fn;
	void *ctx;
	const char *name;
};

static void emit_port(void *ctx, uint8_t family, uint16_t port, uint64_t n)
{
	struct port_emit *pe = ctx;
	pe->fn(pe->ctx, pe->name, family, port, n);
}

static void emit_set(scan_counter_fn fn, void *ctx, const char *name, const struct target_set *set)
{
	fn(ctx, name, 0, 0, target_set_count(set));
	struct port_emit pe = { fn, ctx, name };
	target_set_each_port(set, emit_port, &pe);
}

static const char *key_source_name(enum probe_key_source k)
{
	switch (k) {
	case PROBE_KEY_LEARNED:
		return "learned";
	case PROBE_KEY_GIVEN:
		return "given";
	case PROBE_KEY_INFERRED:
		return "inferred";
	default:
		return "unknown";
	}
}

void scan_each_counter(const struct scan *s, scan_counter_fn fn, void *ctx)
{
	char name[96];
	fn(ctx, "packets.total", 0, 0, s->packets);
	for (size_t i = 0; i < s->nlinks; i++) {
		const char *ln = pcap_datalink_val_to_name(s->links[i].dlt);
		if (ln)
			snprintf(name, sizeof name, "packets.linktype.%s", ln);
		else
			snprintf(name, sizeof name, "packets.linktype.%d", s->links[i].dlt);
		fn(ctx, name, 0, 0, s->links[i].n);
	}
	for (int r = 1; r < SKIP_REASON_COUNT; r++) {
		snprintf(name, sizeof name, "skipped.%s", skip_reason_name((enum skip_reason)r));
		fn(ctx, name, 0, 0, s->skips[r]);
	}
	for (int n = 0; n < NOTE_COUNT; n++) {
		snprintf(name, sizeof name, "notes.%s", dissect_note_name((enum dissect_note)n));
		fn(ctx, name, 0, 0, s->notes[n]);
	}
	fn(ctx, "probes.packets", 0, 0, s->probe_packets);
	fn(ctx, "probes.distinct-options", 0, 0, s->nprofiles);
	fn(ctx, "probes.scanner-addresses", 0, 0, s->nscanners);
	snprintf(name, sizeof name, "probes.key-source.%s", key_source_name(s->key_source));
	fn(ctx, name, 0, 0, 1);
	fn(ctx, "responses.packets", 0, 0, s->response_packets);
	fn(ctx, "responses.duplicate", 0, 0, s->duplicates);
	fn(ctx, "responses.unsolicited", 0, 0, s->unsolicited);
	fn(ctx, "icmp.time-exceeded", 0, 0, s->icmp_time_exceeded);
	fn(ctx, "icmp.unreachable", 0, 0, s->icmp_unreachable);
	fn(ctx, "mpcapable.options", 0, 0, s->mpc_options);
	fn(ctx, "mpcapable.options-in-icmp-quotes", 0, 0, s->mpc_in_quotes);
	emit_set(fn, ctx, "targets.probed", s->probed);
	emit_set(fn, ctx, "targets.responsive", s->resp.any);
	emit_set(fn, ctx, "targets.responsive.synack", s->resp.synack);
	emit_set(fn, ctx, "targets.responsive.rst", s->resp.rst);
	emit_set(fn, ctx, "targets.responsive.icmp-unreachable", s->resp.icmp);
	fn(ctx, "targets.mpcapable", 0, 0, s->mpc_targets);
	for (size_t i = 0; i < s->nmpc_ports; i++)
		if (s->mpc_ports[i].n)
			fn(ctx, "targets.mpcapable", s->mpc_ports[i].family, s->mpc_ports[i].port,
			   s->mpc_ports[i].n);
	for (int v = 0; v < VERDICT_COUNT; v++) {
		if (verdict_info((enum verdict)v)->abtest && !abtest_reported(s->ab))
			continue; /* A/B scans only */
		uint64_t total = 0;
		for (size_t i = 0; i < s->nmpc_ports; i++)
			total += s->mpc_ports[i].verdicts[v];
		snprintf(name, sizeof name, "verdict.%s", verdict_name((enum verdict)v));
		fn(ctx, name, 0, 0, total);
		for (size_t i = 0; i < s->nmpc_ports; i++)
			if (s->mpc_ports[i].verdicts[v])
				fn(ctx, name, s->mpc_ports[i].family, s->mpc_ports[i].port,
				   s->mpc_ports[i].verdicts[v]);
	}
	abtest_each_counter(s->ab, fn, ctx);
}

static const char *const set_names[SCAN_SET_COUNT] = { "probed", "responsive", "synack", "rst",
	                                               "icmp-unreachable" };

void scan_target_sets(const struct scan *s, const char *names[SCAN_SET_COUNT],
                      struct target_set *sets[SCAN_SET_COUNT])
{
	struct target_set *const v[SCAN_SET_COUNT] = { s->probed, s->resp.any, s->resp.synack, s->resp.rst,
		                                       s->resp.icmp };
	for (int i = 0; i < SCAN_SET_COUNT; i++) {
		names[i] = set_names[i];
		sets[i] = v[i];
	}
}

size_t scan_saved_sets(const struct scan *s, const char *names[SCAN_SET_MAX],
                       struct target_set *sets[SCAN_SET_MAX])
{
	static const char *const extra[8] = { "main.responsive", "main.synack",
		                              "main.rst",        "main.icmp-unreachable",
		                              "pre.responsive",  "pre.synack",
		                              "pre.rst",         "pre.icmp-unreachable" };
	scan_target_sets(s, names, sets);
	if (!s->have_saved)
		return SCAN_SET_COUNT;
	struct target_set *const v[8] = { s->saved_main.any,  s->saved_main.synack, s->saved_main.rst,
		                          s->saved_main.icmp, s->pre.any,           s->pre.synack,
		                          s->pre.rst,         s->pre.icmp };
	for (int i = 0; i < 8; i++) {
		names[SCAN_SET_COUNT + i] = extra[i];
		sets[SCAN_SET_COUNT + i] = v[i];
	}
	return SCAN_SET_COUNT + 8;
}
