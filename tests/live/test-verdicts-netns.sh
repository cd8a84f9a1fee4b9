#!/usr/bin/env bash
# test-verdicts-netns.sh: live test of the lab's middlebox set-up (mptcp-lab.sh verdicts).
#
# Real Linux routers quote TTL-limited probes in ICMP/ICMPv6 time-exceeded messages (RFC 1812
# section 4.3.2.3 / RFC 4443 section 3.3: as much of the packet as fits), r2 strips TCP option 30 on
# the way to 203.0.113.4 / 2001:db8:3::4 (iptables TCPOPTSTRIP), mpc-mirror replays or modifies the
# MP_CAPABLE option (RFC 6824 / RFC 8684). Asserts with tshark as the oracle: r1's and r2's quotes
# show the probe's MP_CAPABLE intact; r3, the hop after r2 towards .4, quotes it stripped and the SYNs
# that arrive at .4 (recorded inside its namespace) lack it; the mirror's SYN-ACK carries the probe
# key; the flipper's key differs from it in exactly 2 bytes. TAP-style output.
# Not root: "SKIP: needs root", exit 77. Root without namespaces: exit 1 with the reason.
# awk programs are written in single quotes on purpose.
# shellcheck disable=SC2016
# shellcheck source=tests/live/lib.sh
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PREFIX="mpltest$$v"
PROBES=${PROBES:-2}
live_begin "$PREFIX" verdicts "$@"
live_capture verdicts "$TMP/v.pcap" --probes "$PROBES" --server-capture "$TMP/at4.pcap"

live_flows "$TMP/v.pcap" >"$TMP/flows.tsv"
F=$TMP/flows.tsv
count() { awk -F'\t' "$1 { n++ } END { print n + 0 }" "$F"; }
# columns: 1 fam 2 dst 3 dport 4 sport 5 ttl 6 pver 7 pml 8 pkey 9 synacks 10 saml 11 saver 12 sakey
#          13 rsts 14 unreach 15 unfrom 16 te 17 tefrom 18 te_quote_ml 19 te_quote_key
ntargets=26
check_eq "every probe is in the capture" "$(count 1)" $((ntargets * 2 * (PROBES + 4)))
check_eq "probe IPv4 and TCP checksums verify (tshark)" "$(live_bad_probe_checksums "$TMP/v.pcap")" 0

R1='(($1 == 4 && $17 == "192.0.2.1") || ($1 == 6 && $17 == "2001:db8:1::1"))'
R2='(($1 == 4 && $17 == "198.51.100.2") || ($1 == 6 && $17 == "2001:db8:2::2"))'
R3='(($1 == 4 && $17 == "198.51.100.6") || ($1 == 6 && $17 == "2001:db8:4::6"))'
INTACT='$18 == $7 && $19 == $8'
HOST4='($2 == "203.0.113.4" || $2 == "2001:db8:3::4")'
MIRROR='($2 == "203.0.113.10" || $2 == "2001:db8:3::10")'
FLIP='($2 == "203.0.113.11" || $2 == "2001:db8:3::11")'
LAN="!$HOST4"

check_eq "TTL 1: r1 quotes every probe, MP_CAPABLE intact (same length and key)" \
	"$(count "\$5 == 1 && \$16 == 1 && $R1 && $INTACT")" $((ntargets * 2))
check_eq "TTL 1: the quotes are full (v0 quotes carry the 12-byte option, v1 the 4-byte one)" \
	"$(count '$5 == 1 && (($6 == 0 && $18 == 12) || ($6 == 1 && $18 == 4))')" $((ntargets * 2))
check_eq "TTL 2: r2 quotes every probe, MP_CAPABLE intact (r2 strips only what it forwards)" \
	"$(count "\$5 == 2 && \$16 == 1 && $R2 && $INTACT")" $((ntargets * 2))
check_eq "TTL 3 towards .4/::4: r3, the hop after r2, quotes the SYN without MP_CAPABLE" \
	"$(count "\$5 == 3 && $HOST4 && \$16 == 1 && $R3 && \$18 == 0")" 8
check_eq "TTL 3 towards LAN targets: no time-exceeded, the probe arrives" \
	"$(count "\$5 == 3 && $LAN && \$16 == 0 && (\$9 + \$13 + \$14) >= 1")" $(((ntargets - 4) * 2))
check_eq "TTL 4 towards .4/::4: the probe arrives (SYN-ACK)" "$(count "\$5 == 4 && $HOST4 && \$9 == 1")" 8

if [[ -z $CHECK_ONLY ]]; then
	# what reached .4, recorded in its own namespace (live runs only)
	at4=$(tshark -n -r "$TMP/at4.pcap" -Y 'tcp.flags == 0x002' -T fields -E occurrence=a -E aggregator=';' \
		-e tcp.option_kind 2>/dev/null)
	n_at4=$(echo "$at4" | grep -c . || true)
	check_eq "SYNs arriving at .4/::4: one per probe that reaches it" "$n_at4" $((4 * 2 * (PROBES + 1)))
	check_eq "SYNs arriving at .4/::4 carry no MP_CAPABLE (option 30 replaced by NOPs)" \
		"$(echo "$at4" | grep -c -E '(^|;)30(;|$)' || true)" 0
fi
check_eq ".4/::4 (MPTCP listener behind the stripper) answers v1 probes without MP_CAPABLE" \
	"$(count "$HOST4 && \$6 == 1 && \$5 >= 4 && \$9 == 1 && \$10 == 0")" $((4 * (PROBES + 1)))

check_eq "mirror: every v0 SYN-ACK carries the probe's 12-byte option and key" \
	"$(count "$MIRROR && \$6 == 0 && \$5 >= 3 && \$9 == 1 && \$10 == 12 && \$12 == \$8")" $((4 * (PROBES + 2)))
check_eq "mirror: every v1 SYN-ACK carries the probe's keyless 4-byte option back" \
	"$(count "$MIRROR && \$6 == 1 && \$5 >= 3 && \$9 == 1 && \$10 == 4 && \$12 == \"-\"")" $((4 * (PROBES + 2)))

# flipper: compare keys byte by byte (decimal from tshark -> hex)
bytes_differing() {
	local a b i n=0
	a=$(printf '%016x' "$1")
	b=$(printf '%016x' "$2")
	for ((i = 0; i < 16; i += 2)); do [[ ${a:i:2} == "${b:i:2}" ]] || n=$((n + 1)); done
	echo "$n"
}
flips=$(awk -F'\t' "$FLIP"' && $6 == 0 && $5 >= 3 && $9 == 1 && $10 == 12 { print $8, $12 }' "$F")
nflip=0
nbad=0
while read -r pk sk; do
	nflip=$((nflip + 1))
	[[ $(bytes_differing "$pk" "$sk") == 2 ]] || nbad=$((nbad + 1))
done <<<"$flips"
check_eq "flipper: every v0 SYN-ACK carries a 12-byte MP_CAPABLE" "$nflip" $((4 * (PROBES + 2)))
check_eq "flipper: its key differs from the probe key in exactly 2 bytes" "$nbad" 0

truth_kinds=$(tail -n +2 "$TMP/v.truth.csv" | cut -d, -f4 | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')
check_eq "truth file: 26 targets by kind" "$truth_kinds" \
	"absent=4 closed=2 modifying-middlebox=4 mptcp-listener=4 mptcp-listener-behind-stripper=4 plain-listener=4 replaying-middlebox=4 "
check_eq "truth file: .4/::4 stripped by r2" \
	"$(awk -F, '$4 == "mptcp-listener-behind-stripper" { print $9 }' "$TMP/v.truth.csv" | sort -u | tr '\n' ' ')" \
	"198.51.100.2 2001:db8:2::2 "

tap_finish
