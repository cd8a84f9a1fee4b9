/* columns.c — the column tables of every CSV file mpcap writes.  See columns.h. */
#include "analyzer/results/columns.h"

#include "analyzer/base/csv_io.h"
#include "analyzer/scan/scan.h"

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
	  "synack, rst or icmp-unreachable (a SYN-ACK is preferred when a target sent several); "
	  "empty in the mpc-dropped and plain-dropped rows of A/B scans (no answer to that probe)" },
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
	  "mptcp, replay, modified, shared-key, no-mptcp, rst or icmp-unreachable; in A/B scans "
	  "also mpc-dropped and plain-dropped (rules in docs/methodology.md)" },
	{ "verdict_reason", "text",
	  "which rule gave a replay, modified, shared-key or keyless no-mptcp verdict: "
	  "key-equal, keyless-echo, options-mirrored, key-near, key-bytes-equal, "
	  "header-changed, key-shared, mpc-without-key; mpc-dropped-v0 or mpc-dropped-v1 for "
	  "mpc-dropped; empty otherwise" },
	{ "key_group", "integer",
	  "distinct addresses that returned this key in the scan (2 or more: shared-key); "
	  "empty without a key" },
	{ "fingerprint", "text",
	  "what the SYN-ACK did with each of the probe's TCP options, in the probe's order: "
	  "NAME=echo (same bytes; ts: TSecr 0, copied from the SYN), diff (other bytes), nop (ts "
	  "overwritten with NOPs), drop (gone), then NAME=new for options the probe did not carry; "
	  "names mss, ws, sack, ts, mpc, tfo, md5, ao, optN (docs/methodology.md, \"Middlebox "
	  "fingerprints\"); empty for RST, ICMP and when the probe's options are unknown" },
};

static const struct column_def fingerprint_cols[] = {
	{ "scan", "text", "scan label" },
	{ "fingerprint", "text", "the fingerprint column of targets.csv" },
	{ "verdict", "text", "the verdict of those rows" },
	{ "targets", "integer", "targets.csv SYN-ACK rows with that fingerprint and verdict" },
};

static const struct column_def summary_cols[] = {
	{ "scan", "text", "scan label" },
	{ "counter", "text", "counter name (see the list below)" },
	{ "family", "integer", "4 or 6 for per-family counters, empty for totals" },
	{ "port", "integer", "target port for per-port counters, empty for totals" },
	{ "value", "integer", "the count" },
};

_Static_assert(sizeof dump_cols / sizeof dump_cols[0] == DUMP_NCOLS, "enum dump_column");
_Static_assert(sizeof target_cols / sizeof target_cols[0] == TARGETS_NCOLS, "enum targets_column");
_Static_assert(sizeof summary_cols / sizeof summary_cols[0] == SUMMARY_NCOLS, "enum summary_column");
_Static_assert(sizeof fingerprint_cols / sizeof fingerprint_cols[0] == FPR_NCOLS, "enum fingerprints_column");

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

/* mpcap stats (cli/cmd_stats.c): the descriptions shared by its files. */
#define STATS_GROUP                                                                                          \
	"all (every key read), or COLUMN=VALUE for each group of --by (COLUMN=VALUE;COLUMN=VALUE for a "     \
	"combination)"
#define STATS_SUBSET                                                                                         \
	"all (every key of the group) or cleaned (without the verdicts replay, modified and shared-key; "    \
	"without a verdict column, without keys equal to the probe key)"
#define STATS_DECISION                                                                                       \
	"not-random (p < alpha), consistent (no evidence against random keys at alpha) or too-few-keys "     \
	"(the test cannot be run)"

#define STATS_P_RULE "%.6g; an underflow is written as 2.22507e-308 (the smallest normal double), never 0"

static const struct column_def stats_chisquare_cols[] = {
	{ "group", "text", STATS_GROUP },
	{ "subset", "text", STATS_SUBSET },
	{ "n", "integer", "keys tested" },
	{ "statistic", "number",
	  "Pearson's X2 = sum over the pooled weight classes of (observed - expected)^2 / "
	  "expected, expected = n*C(64,w)/2^64" },
	{ "df", "integer", "degrees of freedom: pooled classes - 1" },
	{ "p", "number", "P(chi-square(df) >= statistic) (GSL); " STATS_P_RULE },
	{ "decision", "text", STATS_DECISION },
	{ "cells", "text",
	  "the pooled weight classes, ';'-separated (e.g. 0-20;21;...;44-64): neighbouring weights "
	  "pooled from both tails inwards until each expects at least 5 keys" },
};

static const struct column_def stats_gtest_cols[] = {
	{ "group", "text", STATS_GROUP },
	{ "subset", "text", STATS_SUBSET },
	{ "n", "integer", "keys tested" },
	{ "statistic", "number",
	  "G = 2 * sum over the pooled weight classes of observed * ln(observed / expected)" },
	{ "df", "integer", "degrees of freedom: pooled classes - 1" },
	{ "p", "number", "P(chi-square(df) >= statistic) (GSL); " STATS_P_RULE },
	{ "decision", "text", STATS_DECISION },
	{ "cells", "text", "the pooled weight classes, as in chisquare.csv" },
};

static const struct column_def stats_weight_bin_cols[] = {
	{ "group", "text", STATS_GROUP },
	{ "subset", "text", STATS_SUBSET },
	{ "n", "integer", "keys tested" },
	{ "statistic", "number",
	  "outlier weights: Holm-adjusted p < alpha in the exact binomial test of each "
	  "weight's count against Binomial(n, C(64,w)/2^64)" },
	{ "df", "integer", "always empty (exact tests)" },
	{ "p", "number", "smallest Holm-adjusted p over the 65 weights (family-wise); " STATS_P_RULE },
	{ "decision", "text", STATS_DECISION },
	{ "outliers", "text",
	  "the outlier weights as W:excess or W:deficit, with :probe-weight when W is the probe "
	  "key's weight (the replay signature); ';'-separated" },
};

static const struct column_def stats_bits_cols[] = {
	{ "group", "text", STATS_GROUP },
	{ "subset", "text", STATS_SUBSET },
	{ "n", "integer", "keys tested" },
	{ "statistic", "number",
	  "biased bit positions: Holm-adjusted p < alpha in the exact binomial test of the "
	  "ones against Binomial(n, 1/2)" },
	{ "df", "integer", "always empty (exact tests)" },
	{ "p", "number", "smallest Holm-adjusted p over the 64 positions; " STATS_P_RULE },
	{ "decision", "text", STATS_DECISION },
	{ "biased", "text",
	  "the biased positions (63 = most significant) as B:stuck-0, B:stuck-1, B:biased-0 or "
	  "B:biased-1; ';'-separated" },
};

static const struct column_def stats_duplicates_cols[] = {
	{ "group", "text", STATS_GROUP },
	{ "subset", "text", STATS_SUBSET },
	{ "n", "integer", "keys tested" },
	{ "statistic", "number", "colliding pairs: sum over repeated keys of C(count, 2)" },
	{ "df", "integer", "always empty" },
	{ "p", "number",
	  "P(Poisson(expected) >= statistic): the chance of that many collisions among n random "
	  "keys; " STATS_P_RULE },
	{ "decision", "text", STATS_DECISION },
	{ "keys", "integer", "distinct keys seen more than once (listed in duplicate-keys.csv)" },
	{ "expected", "number", "expected colliding pairs among n random 64-bit keys, C(n,2)/2^64" },
};

static const struct column_def stats_randomness_cols[] = {
	{ "group", "text", STATS_GROUP },
	{ "subset", "text", STATS_SUBSET },
	{ "n", "integer", "keys tested" },
	{ "statistic", "number",
	  "the smallest p of the combined tests (Bonferroni's statistic); " STATS_P_RULE },
	{ "df", "integer", "always empty: a Bonferroni combination has no degrees of freedom" },
	{ "p", "number", "Bonferroni: min(1, tests * statistic); " STATS_P_RULE },
	{ "decision", "text", STATS_DECISION },
	{ "tests", "integer",
	  "number of tests combined: chi-square (when it can be run), weight bins, bits, "
	  "duplicates (the G-test repeats the chi-square and is left out)" },
	{ "rejected", "text",
	  "the tests with p < alpha on their own: chisquare, weight-bins, bits, duplicates" },
};

static const struct column_def stats_histogram_cols[] = {
	{ "group", "text", STATS_GROUP },
	{ "subset", "text", STATS_SUBSET },
	{ "weight", "integer", "Hamming weight 0..64" },
	{ "observed", "integer", "keys of that weight" },
	{ "expected", "number", "n * C(64,w) / 2^64" },
	{ "cell", "integer", "index (from 0) of the pooled chi-square class holding this weight" },
	{ "p", "number",
	  "exact two-sided binomial test of observed against Binomial(n, C(64,w)/2^64) (as "
	  "scipy.stats.binomtest); empty when n = 0; " STATS_P_RULE },
	{ "p_holm", "number", "p Holm-adjusted over the 65 weights (as p: never 0)" },
	{ "outlier", "text", "excess or deficit when p_holm < alpha, empty otherwise" },
	{ "probe_weight", "integer",
	  "1 when this is the weight of the group's probe key (its most common), else 0" },
};

static const struct column_def stats_bit_table_cols[] = {
	{ "group", "text", STATS_GROUP },
	{ "subset", "text", STATS_SUBSET },
	{ "bit", "integer", "bit position, 63 (most significant) to 0" },
	{ "ones", "integer", "keys with this bit set" },
	{ "n", "integer", "keys tested" },
	{ "fraction", "number", "ones / n" },
	{ "p", "number", "exact two-sided binomial test of ones against Binomial(n, 1/2); " STATS_P_RULE },
	{ "p_holm", "number", "p Holm-adjusted over the 64 positions (as p: never 0)" },
	{ "biased", "text", "stuck-0, stuck-1, biased-0 or biased-1 when p_holm < alpha, empty otherwise" },
};

static const struct column_def stats_duplicate_key_cols[] = {
	{ "group", "text", STATS_GROUP },
	{ "subset", "text", STATS_SUBSET },
	{ "key", "hex", "a key seen more than once in the group, 16 hex digits" },
	{ "count", "integer", "how many times" },
	{ "weight", "integer", "its Hamming weight" },
	{ "probe_key", "integer", "1 when it is the group's probe key, else 0" },
};

static const struct column_def stats_replay_share_cols[] = {
	{ "group", "text", STATS_GROUP },
	{ "subset", "text", STATS_SUBSET },
	{ "n", "integer", "keys tested" },
	{ "weight", "integer", "the weight where replays are counted" },
	{ "basis", "text",
	  "probe-weight (the probe key's weight) or outlier (no probe key: the most significant "
	  "weight with an excess)" },
	{ "observed", "integer", "keys of that weight" },
	{ "expected", "number", "keys of that weight expected among n random keys" },
	{ "excess", "number", "observed - expected" },
	{ "share", "number",
	  "estimated replay share r = (observed/n - p0) / (1 - p0), p0 = C(64,w)/2^64, at least 0: "
	  "about excess / n" },
	{ "ci_low", "number",
	  "lower end of the interval for r: the Clopper-Pearson bound of observed/n, mapped "
	  "the same way" },
	{ "ci_high", "number", "upper end" },
	{ "confidence", "number", "confidence level of the interval, 1 - alpha" },
};

/* mpcap trace (cmd_trace.c, trace.h) */
static const struct column_def trace_hop_cols[] = {
	{ "probe", "integer", "frame number of the probe (TCP SYN) in probe_file" },
	{ "probe_file", "text", "the capture file the probe came from" },
	{ "destination", "address", "the probe's destination address" },
	{ "port", "integer", "the probe's destination port" },
	{ "family", "integer", "4 or 6" },
	{ "hop", "integer",
	  "time exceeded: the probe's TTL / hop limit (the hop it expired at); other ICMP errors: "
	  "sent TTL - quoted TTL + 1 when that fits (see ttl_note)" },
	{ "router", "address", "source of the ICMP error (the answering router, or the destination itself)" },
	{ "icmp", "text",
	  "time-exceeded, unreachable, parameter-problem, packet-too-big, source-quench, redirect" },
	{ "icmp_code", "integer", "ICMP / ICMPv6 code" },
	{ "quote_kind", "text",
	  "partial (fewer than 20 TCP bytes, RFC 792's 8: nothing about options), full (whole "
	  "TCP header or more, RFC 1812), rfc4884 (the RFC 4884 length field is set, extensions "
	  "or not)" },
	{ "tcp_bytes", "integer", "TCP bytes quoted" },
	{ "rfc4884_length", "integer",
	  "RFC 4884 length of the quoted original datagram in bytes; 0 when unset" },
	{ "extensions", "integer", "1 when an RFC 4884 extension structure follows the quote" },
	{ "header_quoted", "integer",
	  "1 when the whole TCP header, options included, was quoted (options can be "
	  "compared)" },
	{ "match", "text",
	  "exact (quoted addresses, ports and sequence number equal the probe's), nat (destination, "
	  "port and sequence equal; source address or port rewritten), seq-rewritten (addresses and "
	  "ports equal, sequence number rewritten; only for quotes showing a SYN)" },
	{ "mpc_status", "text",
	  "MP_CAPABLE in the quote versus the probe: present (identical), removed, "
	  "replaced-by-nops, length-changed, version-changed, key-changed, flags-changed, "
	  "bytes-changed, added, none (neither has one), unknown (not quoted)" },
	{ "changes", "text",
	  "semicolon-separated fields that differ from the probe (TTL and checksums excluded): "
	  "ip-src, sport, dscp, ecn, ip-id, df, ip-length, flow-label, seq, ack, tcp-flags, window, "
	  "urgent, tcp-header-length, mpc-removed, mpc-replaced-by-nops, mpc-length, mpc-version, "
	  "mpc-key, mpc-flags, mpc-bytes, mpc-added, mss, wscale, option-added:KIND, "
	  "option-removed:KIND, option-changed:KIND, options-reordered, options-padding" },
	{ "sent_ttl", "integer", "TTL / hop limit of the probe as sent" },
	{ "quoted_ttl", "integer", "TTL / hop limit in the quote (what was left when the router got it)" },
	{ "ttl_note", "text",
	  "expired (time exceeded quoting TTL 1), expired-decremented (quoting 0), unexpected "
	  "(time exceeded quoting more), hop-estimated, hop-unknown (other ICMP errors)" },
	{ "tcp_checksum", "text",
	  "same, changed (with changes that explain it), changed-alone (no visible change "
	  "explains it: e.g. an offloaded checksum in the probe's capture, or a change beyond "
	  "the quote); empty when not quoted.  The IPv4 header checksum changes at every hop and is "
	  "not compared" },
	{ "probe_source", "address", "the probe's source address (the scanner)" },
	{ "probe_sport", "integer", "the probe's source port" },
	{ "probe_seq", "integer", "the probe's sequence number" },
	{ "frame", "integer", "frame number of the ICMP error in file" },
	{ "file", "text", "the capture file the ICMP error came from" },
	{ "time", "time", "timestamp of the ICMP error, epoch seconds with 9 decimals" },
	{ "time_utc", "text",
	  "the same time in RFC 3339, UTC, with 9 decimals: 2020-12-01T08:15:02.123456789Z" },
};

static const struct column_def trace_dest_cols[] = {
	{ "destination", "address", "probed address" },
	{ "port", "integer", "probed TCP port" },
	{ "family", "integer", "4 or 6" },
	{ "probes", "integer", "probe packets sent to it (retransmissions included)" },
	{ "max_probe_ttl", "integer", "highest TTL / hop limit of those probes" },
	{ "hops_answered", "integer", "distinct hops that sent a time exceeded quoting a probe" },
	{ "hops_full", "integer", "of which with the whole TCP header quoted" },
	{ "last_hop", "integer", "the last (highest) hop that answered; 0 when none" },
	{ "last_router", "address", "its address" },
	{ "last_mpc_status", "text",
	  "mpc_status at the last answering hop (unknown when its quote is partial)" },
	{ "mpc_changed_hop", "integer", "first hop whose quote shows MP_CAPABLE changed; empty when none" },
	{ "mpc_changed_router", "address",
	  "that hop's router: the change happened before the probe reached it" },
	{ "mpc_change", "text",
	  "what that hop saw: removed, replaced-by-nops, length-changed, version-changed, "
	  "key-changed, flags-changed, bytes-changed, added" },
	{ "mpc_intact_hop", "integer",
	  "last hop before mpc_changed_hop whose quote showed the option intact; the "
	  "change happened between the two (in the middlebox after this router)" },
	{ "mpc_intact_router", "address", "that hop's router" },
	{ "other_changes", "text", "union of the other changes of all hops (names as in hops.csv)" },
	{ "nat", "integer", "1 when some quote matched only with the NAT fallback" },
	{ "icmp_unreachable_from", "address",
	  "sender of an ICMP destination unreachable quoting a probe; empty "
	  "when none" },
	{ "answer", "text",
	  "the destination's best answer: synack-mpc, synack, rst; empty when it never answered" },
	{ "answer_verdict", "text",
	  "that answer judged like targets.csv's verdict: mptcp, replay, modified, "
	  "no-mptcp, rst" },
	{ "answer_key", "hex", "the answer's MP_CAPABLE key, 16 hex digits; empty without one" },
	{ "probe_key", "hex", "the key of the probe it answered; empty when that probe had none (v1)" },
	{ "key_is_probe_key", "integer",
	  "1 when answer_key equals probe_key, 0 when not, empty when either is "
	  "missing" },
	{ "class", "text",
	  "true-mptcp, middlebox, no-mptcp, unverified, unreachable (rules in "
	  "docs/methodology.md, section Tracebox)" },
	{ "reason", "text", "one sentence saying why" },
};

static const struct column_def trace_class_cols[] = {
	{ "scan", "text", "scan label from targets.csv" },
	{ "address", "address", "MP_CAPABLE responder of the scan" },
	{ "port", "integer", "its port" },
	{ "family", "integer", "4 or 6" },
	{ "scan_verdict", "text",
	  "its verdict(s) in targets.csv, semicolon-separated when it has a row per probe "
	  "version" },
	{ "key", "hex", "the key it returned in the scan" },
	{ "traced", "integer", "1 when the trace captures probed this address and port" },
	{ "trace_class", "text", "its class in destinations.csv; empty when untraced" },
	{ "class", "text",
	  "final class: true-mptcp, middlebox, no-mptcp, unverified, unreachable, or untraced "
	  "(never counted as true); middlebox also when the scan itself gave a middlebox verdict "
	  "(replay, modified or shared-key)" },
	{ "reason", "text", "one sentence saying why" },
};

_Static_assert(sizeof trace_dest_cols / sizeof trace_dest_cols[0] == TDEST_NCOLS, "enum trace_dest_column");
_Static_assert(sizeof trace_class_cols / sizeof trace_class_cols[0] == TCLS_NCOLS, "enum trace_class_column");

/* mpcap attribute (cli/cmd_attribute.c): per scan, family and port. */
#define ATTR_KEY_COLS                                                                                        \
	{ "scan", "text", "scan label (from the results' summary.csv)" }, { "family", "integer", "4 or 6" }, \
	{                                                                                                    \
		"port", "integer", "target TCP port"                                                         \
	}
#define ATTR_AS_COLS                                                                                         \
	{ "asn", "text",                                                                                     \
	  "origin AS number (the first AS of a multi-origin or AS-set prefix), or unknown when no "          \
	  "--asn source covers the address" },                                                               \
	    { "as_name", "text",                                                                             \
	      "the AS's name from --as-names (CAIDA aut_name or the CSV's name); empty when unknown" },      \
	{                                                                                                    \
		"org_name", "text",                                                                          \
		    "the AS's organisation (CAIDA as2org org_name, or an AS database's "                     \
		    "organisation); empty when unknown"                                                      \
	}
#define ATTR_COUNT_COLS                                                                                      \
	{ "responsive", "integer",                                                                           \
	  "distinct targets (address, port) that answered at all (SYN-ACK, RST or ICMP unreachable), from "  \
	  "targets.sets" },                                                                                  \
	    { "mpcapable", "integer", "of which answered a SYN-ACK carrying MP_CAPABLE (potential MPTCP)" }, \
	    { "mptcp", "integer", "targets with the verdict mptcp (MPTCP by scan verdict)" },                \
	    { "middlebox", "integer",                                                                        \
	      "targets with the verdict replay, modified or shared-key (middlebox-affected)" },              \
	    { "replay", "integer", "targets with the verdict replay" },                                      \
	    { "modified", "integer", "targets with the verdict modified" },                                  \
	    { "shared_key", "integer", "targets with the verdict shared-key" },                              \
	{                                                                                                    \
		"adoption", "number",                                                                        \
		    "mptcp / responsive (6 significant digits); empty when responsive is 0"                  \
	}
#define ATTR_RANK_COLS                                                                                       \
	{ "ranked_by", "text",                                                                               \
	  "the column ranked (--rank-by): responsive, mpcapable, mptcp, middlebox or replay" },              \
	{                                                                                                    \
		"rank", "integer",                                                                           \
		    "1 = largest; ties broken by the smaller AS number or country code; zero "               \
		    "counts and unknown are not ranked"                                                      \
	}

static const struct column_def attr_as_cols[] = {
	ATTR_KEY_COLS,
	ATTR_AS_COLS,
	ATTR_COUNT_COLS,
	{ "multi_origin", "integer",
	  "responsive targets attributed through a multi-origin (a_b) or AS-set (a,b) prefix, counted "
	  "under its first AS" },
};

static const struct column_def attr_country_cols[] = {
	ATTR_KEY_COLS,
	{ "country", "text",
	  "ISO 3166-1 alpha-2 code of the most specific --geo answer, or unknown (RIR codes such as EU "
	  "and AP are kept)" },
	ATTR_COUNT_COLS,
};

static const struct column_def attr_top_as_cols[] = {
	ATTR_KEY_COLS,
	ATTR_RANK_COLS,
	ATTR_AS_COLS,
	ATTR_COUNT_COLS,
};

static const struct column_def attr_top_country_cols[] = {
	ATTR_KEY_COLS,
	ATTR_RANK_COLS,
	{ "country", "text", "ISO 3166-1 alpha-2 country code" },
	ATTR_COUNT_COLS,
};

#define ATTR_DROPPED_COLS                                                                                    \
	{ "answered_plain", "integer",                                                                       \
	  "targets that answered the plain SYN: responsive targets (targets.sets) that are not "             \
	  "plain-dropped" },                                                                                 \
	    { "mpc_dropped", "integer",                                                                      \
	      "targets with the verdict mpc-dropped (answered the plain SYN, never an MP_CAPABLE SYN of "    \
	      "some version; a target once)" },                                                              \
	    { "mpc_dropped_v0", "integer", "of which the v0 MP_CAPABLE SYNs went unanswered" },              \
	    { "mpc_dropped_v1", "integer", "of which the v1 MP_CAPABLE SYNs went unanswered" },              \
	    { "plain_dropped", "integer",                                                                    \
	      "targets with the verdict plain-dropped (answered MP_CAPABLE SYNs, never the plain one)" },    \
	{                                                                                                    \
		"dropped_rate", "number",                                                                    \
		    "mpc_dropped / answered_plain (6 significant digits); empty when answered_plain is 0"    \
	}

static const struct column_def attr_dropped_as_cols[] = {
	ATTR_KEY_COLS,
	ATTR_AS_COLS,
	ATTR_DROPPED_COLS,
};

static const struct column_def attr_dropped_country_cols[] = {
	ATTR_KEY_COLS,
	{ "country", "text", "ISO 3166-1 alpha-2 code of the most specific --geo answer, or unknown" },
	ATTR_DROPPED_COLS,
};

static const struct column_def attr_top_fp_cols[] = {
	ATTR_KEY_COLS,
	{ "asn", "text", "origin AS number, or unknown when no --asn source covers the address" },
	{ "as_name", "text", "the AS's name from --as-names; empty when unknown" },
	{ "rank", "integer",
	  "1 = the AS's most common fingerprint and verdict; ties broken by fingerprint, then verdict" },
	{ "fingerprint", "text",
	  "the fingerprint column of targets.csv (what the answer did to each option)" },
	{ "verdict", "text", "the verdict of those rows" },
	{ "count", "integer", "rows of targets.csv (SYN-ACKs; one per target and probe version)" },
};

/* mpcap report (cli/cmd_report.c, report/page/) */
static const struct column_def report_adoption_cols[] = {
	{ "scan", "text", "scan label, or all for the scans together (a host counts once)" },
	{ "family", "integer", "4 or 6" },
	{ "port", "integer", "TCP port" },
	{ "responsive", "integer",
	  "targets that answered in any way (summary.csv targets.responsive); for all, the largest "
	  "per-scan count" },
	{ "responsive_unique", "integer",
	  "all only: distinct responsive targets over the scans (union of the targets.sets files); "
	  "empty when a scan has none" },
	{ "mpcapable", "integer",
	  "targets whose SYN-ACK carried MP_CAPABLE (\"potential MPTCP\"); a target with a row per "
	  "probe version counts once" },
	{ "mpcapable_share", "number", "mpcapable / responsive (responsive_unique for all when known)" },
	{ "key_differs", "integer",
	  "of those, targets that returned a key different from the probe's (any key when the probe "
	  "had none)" },
	{ "key_differs_share", "number", "key_differs / mpcapable" },
	{ "mptcp_verdict", "integer",
	  "MPTCP by scan verdict: targets with the verdict mptcp and no middlebox verdict in the scan "
	  "(all: in some scan); not tracebox-confirmed" },
	{ "mptcp_verdict_share", "number", "mptcp_verdict / mpcapable" },
	{ "middlebox_verdict", "integer",
	  "targets with a replay, modified or shared-key verdict (all: in some scan)" },
	{ "middlebox_verdict_share", "number", "middlebox_verdict / mpcapable" },
	{ "traced", "integer",
	  "1 when a --trace directory classified this scan's responders, 0 when the scan is untraced "
	  "(the tracebox columns are then empty); empty for all" },
	{ "true_mptcp", "integer",
	  "true MPTCP: MP_CAPABLE responders tracebox confirmed (class true-mptcp in the scan's "
	  "classification.csv); empty when untraced" },
	{ "true_mptcp_share", "number", "true_mptcp / the responders classified (mpcapable)" },
	{ "middlebox_affected", "integer",
	  "responders of the class middlebox (a path change seen by tracebox, or a middlebox verdict); "
	  "empty when untraced" },
	{ "middlebox_affected_share", "number", "middlebox_affected / the responders classified" },
	{ "unreachable", "integer", "responders of the class unreachable; empty when untraced" },
	{ "untraced", "integer",
	  "responders of a traced scan that the trace did not probe (class untraced); empty when the "
	  "scan is untraced" },
	{ "consistent", "integer",
	  "targets MP_CAPABLE in every scan that probed their family and port (mpcap join's "
	  "consistent); per scan: of that scan's mpcapable" },
	{ "consistent_share", "number", "consistent / mpcapable" },
	{ "consistent_mptcp", "integer", "targets with the verdict mptcp in every such scan" },
	{ "scope", "text",
	  "scan: one scan's row; all: the all-scans row (scan is then all), so that a filter on this "
	  "column keeps the per-scan rows apart from the aggregate" },
};

static const struct column_def report_monthly_cols[] = {
	{ "scan", "text", "scan label" },
	{ "family", "integer", "4 or 6" },
	{ "port", "integer", "TCP port" },
	{ "kind", "text",
	  "verdict (summary.csv's verdict counters: a target counts once per probe version that drew "
	  "MP_CAPABLE), class (distinct targets, as in adoption.csv) or tracebox (the scan's "
	  "tracebox classes)" },
	{ "name", "text",
	  "verdict: the verdict (see targets.csv); class: mpcapable, mptcp-verdict (MPTCP by scan "
	  "verdict), middlebox-verdict; tracebox: true-mptcp, middlebox-affected, or untraced when no "
	  "--trace directory covers the scan" },
	{ "targets", "integer", "targets of that verdict or class; empty for untraced" },
};

static const struct column_def report_keystats_cols[] = {
	{ "group", "text", "key group: all, ipv4, ipv6, ipv4-80, ipv6-443 ... (--key-groups)" },
	{ "subset", "text",
	  "all (every returned key of every scan) or cleaned (without the verdicts replay, modified "
	  "and shared-key)" },
	{ "n", "integer", "keys tested" },
	{ "probe_key", "hex", "the most common probe key of the group; empty when unknown" },
	{ "probe_weight", "integer", "its Hamming weight" },
	{ "at_probe_weight", "integer", "keys of that weight" },
	{ "expected_at_probe_weight", "number", "keys of that weight expected among n random keys" },
	{ "chisquare", "number",
	  "Pearson's X2 of the weight histogram against Binomial(64, 1/2), weights pooled until "
	  "each expects 5 keys (keystats.h); empty with too few keys" },
	{ "df", "integer", "its degrees of freedom" },
	{ "chisquare_p", "number",
	  "P(chi-square(df) >= chisquare), %.6g; an underflow is written as 2.22507e-308 (the smallest "
	  "normal double), never 0" },
	{ "gtest", "number", "the likelihood-ratio G over the same cells" },
	{ "gtest_p", "number", "its p-value (as chisquare_p: never 0)" },
	{ "biased_bits", "integer", "bit positions whose Holm-adjusted exact binomial test gives p < alpha" },
	{ "duplicate_pairs", "integer", "colliding pairs among the keys: sum of C(count, 2)" },
	{ "replay_share", "number",
	  "estimated share of replayed keys from the excess at the probe key's (or the outlier) "
	  "weight" },
	{ "replay_share_low", "number", "lower end of its Clopper-Pearson interval at 1 - alpha" },
	{ "replay_share_high", "number", "upper end" },
	{ "decision", "text", "overall (Bonferroni over the tests): not-random, consistent or too-few-keys" },
};

static const struct column_def report_weight_cols[] = {
	{ "group", "text", "key group (as in key-stats.csv)" },
	{ "subset", "text", "all or cleaned" },
	{ "weight", "integer", "Hamming weight 0..64" },
	{ "observed", "integer", "keys of that weight" },
	{ "expected", "number", "n * C(64, weight) / 2^64: the Binomial(64, 1/2) expectation" },
};

static const struct column_def report_bit_cols[] = {
	{ "group", "text", "key group (every key: subset all)" },
	{ "bit", "integer", "bit position, 63 (most significant) to 0" },
	{ "ones", "integer", "keys with the bit set" },
	{ "n", "integer", "keys" },
	{ "fraction", "number", "ones / n" },
	{ "p_holm", "number",
	  "exact two-sided binomial test of ones against Binomial(n, 1/2), Holm-adjusted over the 64 "
	  "positions; %.6g, an underflow written as 2.22507e-308, never 0" },
	{ "biased", "integer", "1 when p_holm < alpha" },
	{ "band_low", "number",
	  "lowest fraction the exact test accepts at Holm's stopping level alpha/(64 - biased bits), so "
	  "a bit is flagged exactly when its fraction is outside the band: the chart's band" },
	{ "band_high", "number", "highest such fraction" },
};

static const struct column_def report_tracebox_cols[] = {
	{ "scan", "text",
	  "scan label (classification.csv's scan column); empty for a trace run without --targets" },
	{ "family", "integer", "4 or 6" },
	{ "port", "integer", "TCP port" },
	{ "class", "text",
	  "true-mptcp, middlebox, unreachable, no-mptcp, unverified, or untraced (from mpcap trace's "
	  "classification.csv, else its destinations.csv)" },
	{ "responders", "integer", "responders (or traced destinations) of that class" },
	{ "share", "number", "of all rows of that family and port" },
};

static const struct column_def report_trace_hop_cols[] = {
	{ "family", "integer", "4 or 6" },
	{ "port", "integer", "TCP port" },
	{ "hop", "integer",
	  "first hop whose ICMP quote shows MP_CAPABLE changed (destinations.csv mpc_changed_hop)" },
	{ "change", "text", "what that hop saw (mpc_change): removed, replaced-by-nops, key-changed ..." },
	{ "destinations", "integer", "destinations" },
};

static const struct column_def report_top_as_cols[] = {
	{ "family", "integer", "4 or 6" },
	{ "rank", "integer", "1 = most hosts; ties broken by the smaller AS number" },
	{ "asn", "text", "origin AS number, as in the attribution table" },
	{ "name", "text", "AS name from the attribution table; empty when it has none" },
	{ "hosts", "number",
	  "hosts of the measure column, summed over the ports (a host on two ports counts twice)" },
	{ "measure", "text",
	  "the attribution table's column used: the first of true_mptcp, mptcp (MPTCP by scan "
	  "verdict), hosts, mpcapable" },
	{ "scan", "text", "the scan used: the latest label in the table, or all" },
	{ "source", "text", "the attribution CSV file it came from" },
};

static const struct column_def report_country_cols[] = {
	{ "family", "text", "all: IPv4 and IPv6 together" },
	{ "rank", "integer", "1 = most hosts; ties broken by the country code" },
	{ "country", "text", "country code, as in the attribution table" },
	{ "name", "text", "country name when the table has one" },
	{ "hosts", "number", "hosts of the measure column, summed over families and ports" },
	{ "measure", "text", "the attribution table's column used" },
	{ "scan", "text", "the scan used" },
	{ "source", "text", "the attribution CSV file it came from" },
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
	[COLSET_FINGERPRINTS] = { "fingerprints.csv",
	                          "SYN-ACK rows of targets.csv per fingerprint and verdict, most common "
	                          "first (then by fingerprint and verdict)",
	                          fingerprint_cols, sizeof fingerprint_cols / sizeof fingerprint_cols[0] },
	[COLSET_JOIN_HOSTS] = { "hosts.csv (mpcap join)",
	                        "one row per (address, port) that answered with MP_CAPABLE "
	                        "in any of the joined scans",
	                        join_host_cols, sizeof join_host_cols / sizeof join_host_cols[0] },
	[COLSET_JOIN_MONTHLY] = { "monthly.csv (mpcap join)",
	                          "targets per scan, family, port and verdict, the "
	                          "monthly series",
	                          join_monthly_cols, sizeof join_monthly_cols / sizeof join_monthly_cols[0] },
#define STATS_SET(ID, FILE, WHAT, COLS)                                                                      \
	[ID] = { FILE " (mpcap stats)", WHAT, COLS, sizeof COLS / sizeof COLS[0] }
	STATS_SET(
	    COLSET_STATS_CHISQUARE, "chisquare.csv",
	    "Pearson chi-square test of the key weights against Binomial(64, 1/2), per group and subset",
	    stats_chisquare_cols),
	STATS_SET(COLSET_STATS_GTEST, "gtest.csv",
	          "likelihood-ratio G-test of the same, per group and subset", stats_gtest_cols),
	STATS_SET(COLSET_STATS_WEIGHT_BINS, "weight-bins.csv",
	          "exact binomial test of every weight's count, Holm-corrected: outlier weights",
	          stats_weight_bin_cols),
	STATS_SET(
	    COLSET_STATS_BITS, "bits.csv",
	    "exact binomial test of every bit position against 1/2, Holm-corrected: stuck or biased bits",
	    stats_bits_cols),
	STATS_SET(COLSET_STATS_DUPLICATES, "duplicates.csv", "repeated keys against the birthday expectation",
	          stats_duplicates_cols),
	STATS_SET(COLSET_STATS_RANDOMNESS, "randomness.csv",
	          "the overall verdict: the tests above combined (Bonferroni)", stats_randomness_cols),
	STATS_SET(COLSET_STATS_HISTOGRAM, "histogram.csv",
	          "the weight histogram 0..64 with the per-weight tests", stats_histogram_cols),
	STATS_SET(COLSET_STATS_BIT_TABLE, "bit-table.csv", "ones per bit position with the per-bit tests",
	          stats_bit_table_cols),
	STATS_SET(COLSET_STATS_DUPLICATE_KEYS, "duplicate-keys.csv",
	          "every key seen more than once in a group", stats_duplicate_key_cols),
	STATS_SET(
	    COLSET_STATS_REPLAY_SHARE, "replay-share.csv",
	    "the share of replayed keys estimated from the excess at the probe key's (or the outlier) weight",
	    stats_replay_share_cols),
#undef STATS_SET
	[COLSET_TRACE_HOPS] = { "hops.csv (mpcap trace)",
	                        "one row per ICMP error quoting a probe, sorted by family, "
	                        "destination, port and hop",
	                        trace_hop_cols, sizeof trace_hop_cols / sizeof trace_hop_cols[0] },
	[COLSET_TRACE_DESTS] = { "destinations.csv (mpcap trace)",
	                         "one row per probed destination and port, "
	                         "sorted by family, address and port",
	                         trace_dest_cols, sizeof trace_dest_cols / sizeof trace_dest_cols[0] },
	[COLSET_TRACE_CLASSES] = { "classification.csv (mpcap trace --targets)",
	                           "one row per MP_CAPABLE "
	                           "responder (address, port) of the "
	                           "scan's targets.csv",
	                           trace_class_cols, sizeof trace_class_cols / sizeof trace_class_cols[0] },
#define ATTR_SET(ID, FILE, WHAT, COLS) [ID] = { FILE, WHAT, COLS, sizeof COLS / sizeof COLS[0] }
	ATTR_SET(COLSET_ATTR_BY_AS, "by_as.csv (mpcap attribute)",
	         "per scan, family, port and origin AS: responsive targets, MP_CAPABLE responders, verdicts "
	         "and the adoption rate; sorted by scan label, family, port, AS number, unknown last",
	         attr_as_cols),
	ATTR_SET(COLSET_ATTR_BY_COUNTRY, "by_country.csv (mpcap attribute)",
	         "the same per country; sorted by scan label, family, port, country code, unknown last",
	         attr_country_cols),
	ATTR_SET(COLSET_ATTR_TOP_AS, "top_as.csv (mpcap attribute --top N)",
	         "the N largest ASes per scan, family and port by the --rank-by column", attr_top_as_cols),
	ATTR_SET(COLSET_ATTR_TOP_COUNTRY, "top_country.csv (mpcap attribute --top N)",
	         "the N largest countries per scan, family and port by the --rank-by column",
	         attr_top_country_cols),
	ATTR_SET(COLSET_ATTR_DROPPED_AS, "dropped_by_as.csv (mpcap attribute)",
	         "A/B scans only (plain and MP_CAPABLE probes): per scan, family, port and origin AS, the "
	         "targets that answered the plain SYN, the mpc-dropped and plain-dropped ones and the drop "
	         "rate; sorted as by_as.csv",
	         attr_dropped_as_cols),
	ATTR_SET(COLSET_ATTR_DROPPED_COUNTRY, "dropped_by_country.csv (mpcap attribute)",
	         "the same per country; sorted as by_country.csv", attr_dropped_country_cols),
	ATTR_SET(COLSET_ATTR_TOP_FINGERPRINTS, "top_fingerprints.csv (mpcap attribute --top N)",
	         "per scan, family, port and origin AS, its N most common fingerprints by verdict (rows "
	         "of targets.csv with a fingerprint); sorted by scan, family, port, AS (unknown last), rank",
	         attr_top_fp_cols),
#undef ATTR_SET
#define REPORT_SET(ID, FILE, WHAT, COLS)                                                                     \
	[ID] = { FILE " (mpcap report)", WHAT, COLS, sizeof COLS / sizeof COLS[0] }
	REPORT_SET(COLSET_REPORT_ADOPTION, "adoption.csv",
	           "adoption in the study's shape, per scan (and all scans), IP version and port",
	           report_adoption_cols),
	REPORT_SET(COLSET_REPORT_MONTHLY, "monthly.csv",
	           "the monthly series: per scan, verdict and class counts", report_monthly_cols),
	REPORT_SET(COLSET_REPORT_KEYSTATS, "key-stats.csv",
	           "are the returned keys random? the tests of mpcap stats per key group and subset",
	           report_keystats_cols),
	REPORT_SET(COLSET_REPORT_WEIGHTS, "key-weights.csv",
	           "the Hamming-weight histogram of each key group against its Binomial(64, 1/2) expectation",
	           report_weight_cols),
	REPORT_SET(COLSET_REPORT_BITS, "key-bits.csv", "ones per bit position of each key group",
	           report_bit_cols),
	REPORT_SET(COLSET_REPORT_TRACEBOX, "tracebox.csv",
	           "tracebox classes per IP version and port (with --trace)", report_tracebox_cols),
	REPORT_SET(COLSET_REPORT_TRACE_HOPS, "trace-hops.csv",
	           "the hop at which MP_CAPABLE was first seen changed (with --trace)",
	           report_trace_hop_cols),
	REPORT_SET(COLSET_REPORT_TOP_AS, "top-as.csv",
	           "the ASes hosting most MPTCP per IP version (with --attribution)", report_top_as_cols),
	REPORT_SET(COLSET_REPORT_COUNTRIES, "countries.csv",
	           "the countries hosting most MPTCP (with --attribution)", report_country_cols),
#undef REPORT_SET
};

const struct column_set *column_set_get(enum column_set_id id)
{
	return (unsigned)id < COLSET_COUNT ? &sets[id] : NULL;
}

const char *column_name(enum column_set_id id, size_t col)
{
	const struct column_set *s = column_set_get(id);
	return s && col < s->n ? s->cols[col].name : NULL;
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
