#!/usr/bin/env bash
# test-abtest-netns.sh: live test of A/B probing (mptcp-lab.sh abtest, docs/methodology.md "Paths
# that drop MP_CAPABLE").
#
# r2 drops SYNs carrying TCP option 30 (iptables --tcp-option 30 -j DROP) towards a kernel-MPTCP
# host (.6 / ::6) and a plain one (.7 / ::7); .8 / ::8 is filtered; the foundation's targets stand
# beside them. mpc-probe sends plain, v0 and v1 SYNs (PROBES of each per target, each from its own
# source port). Asserts with tshark as the oracle: exactly .6/.7/::6/::7 answer plain SYNs and no
# MP_CAPABLE SYN; then that mpcap analyze names exactly those targets mpc-dropped (v0 and v1 rows,
# reasons mpc-dropped-v0/-v1), no target plain-dropped, the filtered one nowhere, the counters
# agreeing, the real MPTCP host .2 still mptcp, and analyze -j 2 giving the same, as does mpcap merge
# of the capture split by target. TAP-style output.
# Not root: "SKIP: needs root", exit 77. Root without namespaces: exit 1 with the reason.
# --check PCAP asserts on an existing capture (samples/captures/netns-abtest.pcap) instead.
# shellcheck disable=SC2016
# shellcheck source=tests/live/lib.sh
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PREFIX="mpltest$$a"
PROBES=${PROBES:-2}
MPCAP=${MPCAP:-$LIVE_ROOT/build/mpcap}
[[ -x $MPCAP ]] || {
	echo "not ok - $MPCAP missing (make)"
	exit 1
}
live_begin "$PREFIX" abtest "$@"
live_capture abtest "$TMP/a.pcap" --probes "$PROBES"

# --- the oracle: tshark. Per SYN: target, port, source port, kind (plain / v0 / v1).
tshark -r "$TMP/a.pcap" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0 && !icmp && !icmpv6' -T fields -E separator=, \
	-e ip.dst -e ipv6.dst -e tcp.dstport -e tcp.srcport -e tcp.options.mptcp.version 2>/dev/null |
	awk -F, '{ k = $5 == "" ? "plain" : "v" $5; print $1 $2 "," $3 "," $4 "," k }' >"$TMP/probes"
# Per answer (SYN-ACK or RST from the target, or an ICMP error quoting the probe): target, port,
# the scanner port it went to.
tshark -r "$TMP/a.pcap" -Y '((tcp.flags.syn == 1 && tcp.flags.ack == 1) || tcp.flags.reset == 1) && !icmp && !icmpv6' \
	-T fields -E separator=, -e ip.src -e ipv6.src -e tcp.srcport -e tcp.dstport 2>/dev/null |
	awk -F, '{ print $1 $2 "," $3 "," $4 }' >"$TMP/answers.tcp"
# (the quoted probe's fields are the last occurrences)
tshark -r "$TMP/a.pcap" -Y 'icmp.type == 3 || icmpv6.type == 1' -T fields -E separator=, -E occurrence=l \
	-e ip.dst -e ipv6.dst -e tcp.dstport -e tcp.srcport 2>/dev/null |
	awk -F, '{ print $1 $2 "," $3 "," $4 }' >"$TMP/answers.icmp"
ntargets=$(cut -d, -f1,2 "$TMP/probes" | sort -u | wc -l)
check_eq "20 targets probed" "$ntargets" 20
for k in plain v0 v1; do
	check_eq "$k: $PROBES probes per target" "$(grep -c ",$k\$" "$TMP/probes")" $((ntargets * PROBES))
done
# kinds answered per target: join answers to probes on (target, port, scanner port)
awk -F, 'NR == FNR { kind[$1 "," $2 "," $3] = $4; next }
	{ k = kind[$1 "," $2 "," $3]; if (k != "") print $1 "," $2 "," k }' "$TMP/probes" \
	"$TMP/answers.tcp" "$TMP/answers.icmp" | sort -u >"$TMP/answered"
oracle=$(awk -F, '{ a[$1 "," $2] = a[$1 "," $2] " " $3 }
	END { for (t in a) if (a[t] ~ /plain/ && a[t] !~ /v0/ && a[t] !~ /v1/) print t }' "$TMP/answered" | sort | tr '\n' ' ')
want="2001:db8:3::6,80 2001:db8:3::7,80 203.0.113.6,80 203.0.113.7,80 "
check_eq "tshark: exactly the hosts behind the dropping router answer plain SYNs only" "$oracle" "$want"
check_eq "tshark: the absent host's ICMP unreachables answer all three kinds" \
	"$(grep -c '^203\.0\.113\.9,80,' "$TMP/answered")" 3
check_eq "tshark: the filtered address answers nothing" \
	"$(grep -c -e '^203\.0\.113\.8,' -e '^2001:db8:3::8,' "$TMP/answered")" 0

# --- mpcap
"$MPCAP" analyze -q -o "$TMP/out" "$TMP/a.pcap"
T=$TMP/out/targets.csv
got=$(awk -F, '$18 == "mpc-dropped" { print $2 "," $3 }' "$T" | sort -u | tr '\n' ' ')
check_eq "mpcap: mpc-dropped exactly for the hosts behind the dropping router" "$got" "$want"
check_eq "mpcap: each has a v0 and a v1 row with its reason" \
	"$(awk -F, '$18 == "mpc-dropped" { print $5 "/" $19 }' "$T" | sort | uniq -c | awk '{ print $1 " " $2 }' | tr '\n' ' ')" \
	"4 0/mpc-dropped-v0 4 1/mpc-dropped-v1 "
check_eq "mpcap: no plain-dropped row" "$(grep -c ',plain-dropped,' "$T" || true)" 0
check_eq "mpcap: the filtered address has no row" "$(grep -c -e ',203\.0\.113\.8,' -e ',2001:db8:3::8,' "$T" || true)" 0
check_eq "mpcap: the real MPTCP host .2/::2 is mptcp for v1" \
	"$(awk -F, '($2 == "203.0.113.2" || $2 == "2001:db8:3::2") && $5 == 1 { print $18 }' "$T" | sort -u)" mptcp
S=$TMP/out/summary.csv
counter() { awk -F, -v c="$1" '$2 == c && $3 == "" { print $5 }' "$S"; }
check_eq "summary: verdict.mpc-dropped" "$(counter verdict.mpc-dropped)" 4
check_eq "summary: abtest.mpc-dropped-v0" "$(counter abtest.mpc-dropped-v0)" 4
check_eq "summary: abtest.mpc-dropped-v1" "$(counter abtest.mpc-dropped-v1)" 4
check_eq "summary: abtest.targets (every target got all three kinds)" "$(counter abtest.targets)" "$ntargets"
check_eq "truth file names the two hosts behind the dropper per family" \
	"$(grep -c 'behind-mpc-dropper' "$TMP/a.truth.csv")" 4
# the same scan in two files read by two threads
tshark -r "$TMP/a.pcap" -w "$TMP/a1.pcap" -Y 'frame.number <= 100' 2>/dev/null
tshark -r "$TMP/a.pcap" -w "$TMP/a2.pcap" -Y 'frame.number > 100' 2>/dev/null
"$MPCAP" analyze -q -j 2 -o "$TMP/par" "$TMP/a1.pcap" "$TMP/a2.pcap" 2>"$TMP/par.err"
check "-j 2 over two pieces: the same mpc-dropped rows" \
	cmp -s <(grep mpc-dropped "$T" | cut -d, -f2-) <(grep mpc-dropped "$TMP/par/targets.csv" | cut -d, -f2-)
# one capture on two cores (partitioned by target): byte for byte the single-thread results
"$MPCAP" analyze -q -j 2 -o "$TMP/part" "$TMP/a.pcap"
check "-j 2 on one capture: targets.csv as with one thread" cmp -s "$T" "$TMP/part/targets.csv"
check "-j 2 on one capture: summary.csv as with one thread" cmp -s "$TMP/out/summary.csv" "$TMP/part/summary.csv"
# the capture split by target (the hosts behind the dropper apart), each piece analysed, merged:
# scan.state keeps the A/B kinds, so the merge gives the single run's rows and counters
SEL='ip.addr == 203.0.113.6 || ip.addr == 203.0.113.7 || ipv6.addr == 2001:db8:3::6'
tshark -r "$TMP/a.pcap" -w "$TMP/t1.pcap" -Y "$SEL" 2>/dev/null
tshark -r "$TMP/a.pcap" -w "$TMP/t2.pcap" -Y "!($SEL)" 2>/dev/null
"$MPCAP" analyze -q -o "$TMP/t1" "$TMP/t1.pcap" && "$MPCAP" analyze -q -o "$TMP/t2" "$TMP/t2.pcap"
"$MPCAP" merge -q -o "$TMP/merged" "$TMP/t1" "$TMP/t2" 2>"$TMP/merge.err"
check_eq "merge of the pieces split by target exits 0" "$?" 0
check "merged: targets.csv as the single run" cmp -s "$T" "$TMP/merged/targets.csv"
check "merged: summary.csv as the single run" cmp -s "$TMP/out/summary.csv" "$TMP/merged/summary.csv"
tap_finish
