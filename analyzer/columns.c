/* columns.c — the column tables of dump, targets.csv and summary.csv.  See columns.h. */
#include "columns.h"

#include "csv_io.h"
#include "scan.h"

static const struct column_def dump_cols[] = {
	{ "frame", "integer", "frame number in its capture file, 1-based (as tshark's frame.number)" },
	{ "time", "time", "capture timestamp, seconds since the Unix epoch with 9 decimals (UTC)" },
	{ "src", "address", "IPv4 or IPv6 source address of the segment carrying the option" },
	{ "dst", "address", "destination address of that segment" },
	{ "sport", "integer", "TCP source port" },
	{ "dport", "integer", "TCP destination port" },
	{ "tcp_flags", "hex",
	  "TCP flags byte as 0xNN (0x02 SYN, 0x12 SYN-ACK, 0x10 ACK); empty when an ICMP "
	  "quote holds fewer than 14 TCP bytes" },
	{ "in_icmp_quote", "integer",
	  "1 when the segment is the packet quoted inside an ICMP/ICMPv6 error, "
	  "0 otherwise; src/dst/ports are then the quoted ones" },
	{ "mpc_length", "integer",
	  "the MP_CAPABLE option's length byte (4, 12, 20, 22 or 24 when well formed)" },
	{ "mpc_version", "integer", "MPTCP version (0 = RFC 6824, 1 = RFC 8684)" },
	{ "mpc_flags", "hex",
	  "MP_CAPABLE flags byte as 0xNN (A=0x80 checksum, B=0x40, C=0x20, H=0x01 HMAC-SHA256)" },
	{ "sender_key", "hex",
	  "sender's 64-bit key, 16 lowercase hex digits; empty when the option has none" },
	{ "receiver_key", "hex", "receiver's 64-bit key (20-byte and longer options); empty otherwise" },
	{ "anomaly", "text",
	  "semicolon-separated flags: length-unknown (not 4/12/20/22/24), length-segment (the "
	  "length does not fit SYN/SYN-ACK/ACK), version-length (length undefined for the version)" },
	{ "file", "text", "the capture file the packet came from" },
};

static const struct column_def target_cols[] = {
	{ "scan", "text", "scan label (--scan, default the UTC month of the first packet, YYYY-MM)" },
	{ "address", "address", "target IPv4 or IPv6 address" },
	{ "port", "integer", "target TCP port" },
	{ "family", "integer", "4 or 6" },
	{ "probe_version", "integer", "MP_CAPABLE version of the probe answered (empty when unknown)" },
	{ "probe_key", "hex",
	  "the probe's key (learned from the probes, given with --probe-key, or inferred); empty when "
	  "unknown or when the probe carried none (v1)" },
	{ "response", "text",
	  "synack, rst or icmp-unreachable (a SYN-ACK is preferred when a target sent several)" },
	{ "mpc_version", "integer",
	  "MP_CAPABLE version in the SYN-ACK; empty when the SYN-ACK had no MP_CAPABLE" },
	{ "mpc_length", "integer", "MP_CAPABLE option length in the SYN-ACK" },
	{ "mpc_flags", "hex", "MP_CAPABLE flags byte in the SYN-ACK as 0xNN" },
	{ "key", "hex",
	  "the responder's key (sender key of its MP_CAPABLE), 16 hex digits; empty when none" },
	{ "key_weight", "integer", "Hamming weight of key (0..64)" },
	{ "key_distance", "integer",
	  "Hamming distance between key and probe_key (0..64); empty when either is missing" },
	{ "first_seen", "time", "timestamp of the first response, epoch seconds with 9 decimals" },
	{ "ttl", "integer", "IPv4 TTL or IPv6 hop limit of that response" },
	{ "responses", "integer",
	  "response packets seen from the target for this probe version (retransmissions)" },
	{ "anomaly", "text",
	  "semicolon-separated anomalies of the response's MP_CAPABLE (see dump's anomaly column) "
	  "plus version-mismatch when the SYN-ACK's version differs from the probe's" },
	{ "verdict", "text",
	  "mptcp, replay, modified, shared-key, no-mptcp, rst or icmp-unreachable (rules in "
	  "docs/methodology.md)" },
	{ "verdict_reason", "text",
	  "which rule gave a replay, modified, shared-key or keyless no-mptcp verdict: "
	  "key-equal, keyless-echo, options-mirrored, key-near, key-bytes-equal, "
	  "header-changed, key-shared, mpc-without-key; empty otherwise" },
	{ "key_group", "integer",
	  "distinct addresses that returned this key in the scan (2 or more: shared-key); "
	  "empty without a key" },
};

static const struct column_def summary_cols[] = {
	{ "scan", "text", "scan label" },
	{ "counter", "text", "counter name (see the list below)" },
	{ "family", "integer", "4 or 6 for per-family counters, empty for totals" },
	{ "port", "integer", "target port for per-port counters, empty for totals" },
	{ "value", "integer", "the count" },
};

static const struct column_def join_host_cols[] = {
	{ "address", "address", "host address" },
	{ "port", "integer", "TCP port" },
	{ "family", "integer", "4 or 6" },
	{ "scans", "integer", "number of scans joined" },
	{ "scans_probed", "integer",
	  "scans that probed this family and port (targets.probed, or targets.responsive "
	  "for responses-only captures)" },
	{ "scans_mpcapable", "integer", "scans in which the host answered with MP_CAPABLE" },
	{ "scans_mptcp", "integer", "scans in which its verdict was mptcp" },
	{ "first_scan", "text", "label of the first scan it answered with MP_CAPABLE" },
	{ "last_scan", "text", "label of the last such scan" },
	{ "mpcapable_consistency", "text",
	  "consistent when MP_CAPABLE in every scan that probed it, else transient" },
	{ "mptcp_consistency", "text",
	  "consistent when its verdict was mptcp in every such scan, transient when in "
	  "some, never when in none" },
	{ "verdicts", "text",
	  "SCAN:VERDICT for each scan it answered with MP_CAPABLE, semicolon-separated, in "
	  "scan order" },
};

static const struct column_def join_monthly_cols[] = {
	{ "scan", "text", "scan label" },
	{ "family", "integer", "4 or 6" },
	{ "port", "integer", "TCP port" },
	{ "verdict", "text", "verdict (see targets.csv)" },
	{ "targets", "integer", "targets with that verdict in that scan, family and port" },
};

static const struct column_set sets[COLSET_COUNT] = {
	[COLSET_DUMP] = { "mpcap dump",
	                  "one row per MP_CAPABLE option in any packet, including packets quoted in ICMP "
	                  "errors",
	                  dump_cols, sizeof dump_cols / sizeof dump_cols[0] },
	[COLSET_TARGETS] = { "targets.csv",
	                     "one row per target (address, port) and probe version that answered with "
	                     "an MP_CAPABLE option (every responder with --all), sorted by family, "
	                     "address, port",
	                     target_cols, sizeof target_cols / sizeof target_cols[0] },
	[COLSET_SUMMARY] = { "summary.csv", "every counter of the analysis, in long (tidy) form",
	                     summary_cols, sizeof summary_cols / sizeof summary_cols[0] },
	[COLSET_JOIN_HOSTS] = { "hosts.csv (mpcap join)",
	                        "one row per (address, port) that answered with MP_CAPABLE "
	                        "in any of the joined scans",
	                        join_host_cols, sizeof join_host_cols / sizeof join_host_cols[0] },
	[COLSET_JOIN_MONTHLY] = { "monthly.csv (mpcap join)",
	                          "targets per scan, family, port and verdict, the "
	                          "monthly series",
	                          join_monthly_cols, sizeof join_monthly_cols / sizeof join_monthly_cols[0] },
};

const struct column_set *column_set_get(enum column_set_id id)
{
	return (unsigned)id < COLSET_COUNT ? &sets[id] : NULL;
}

int column_set_write_header(FILE *fp, enum column_set_id id)
{
	const struct column_set *s = column_set_get(id);
	const char *names[32];
	for (size_t i = 0; i < s->n && i < 32; i++)
		names[i] = s->cols[i].name;
	return csv_write_row(fp, names, s->n);
}

void columns_write_markdown(FILE *fp)
{
	for (int id = 0; id < COLSET_COUNT; id++) {
		const struct column_set *s = &sets[id];
		fprintf(fp, "## %s\n\n%s.\n\n| column | type | meaning |\n|---|---|---|\n", s->file, s->what);
		for (size_t i = 0; i < s->n; i++)
			fprintf(fp, "| `%s` | %s | %s |\n", s->cols[i].name, s->cols[i].type,
			        s->cols[i].description);
		fprintf(fp, "\n");
	}
	size_t n;
	const struct counter_doc *d = scan_counter_docs(&n);
	fprintf(fp, "## summary.csv counters\n\n| counter | meaning |\n|---|---|\n");
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "| `%s` | %s |\n", d[i].name, d[i].meaning);
}
