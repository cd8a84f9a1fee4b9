#!/usr/bin/env bash
# test-foundation-netns.sh: live test of the namespace lab against the real kernel MPTCP stack.
#
# Runs samples/netns/mptcp-lab.sh foundation into a temporary directory and checks the capture with
# tshark as the independent oracle (docs/testing.md): the kernel's MPTCP listener answers every
# RFC 8684 v1 probe with a SYN-ACK carrying a 12-byte MP_CAPABLE whose key is none of the probe keys
# and differs between connections; it answers RFC 6824 v0 probes without MP_CAPABLE (Linux 5.6+ speaks
# v1 only); the plain listener never sends MP_CAPABLE; the closed port answers RST; the absent host
# gets ICMP/ICMPv6 unreachable from r2. TAP-style output; exit 0 only if everything held.
# Not root: prints "SKIP: needs root", exit 77. Root without namespaces: exit 1 with the reason.
# awk programs are written in single quotes on purpose.
# shellcheck disable=SC2016
# shellcheck source=tests/live/lib.sh
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PREFIX="mpltest$$f"
PROBES=${PROBES:-3}
live_begin "$PREFIX" foundation "$@"
live_capture foundation "$TMP/f.pcap" --probes "$PROBES"
[[ -n $CHECK_ONLY ]] || check "capture and truth file written" test -s "$TMP/f.pcap" -a -s "$TMP/f.truth.csv"

live_flows "$TMP/f.pcap" >"$TMP/flows.tsv"
F=$TMP/flows.tsv
# flows where column $1 matches: fam dst dport sport ttl pver pml pkey sa saml saver sakey rst un unfrom te ...
sel() { awk -F'\t' "$1" "$F"; }
count() { sel "$1 { n++ } END { print n + 0 }"; }

ntargets=14
check_eq "every probe is in the capture (IPv4+IPv6, v0+v1)" "$(count 1)" $((ntargets * 2 * PROBES))
check_eq "each probe has its own source port" "$(cut -f4 "$F" | sort -u | wc -l)" $((ntargets * 2 * PROBES))
check_eq "probe IPv4 and TCP checksums verify (tshark)" "$(live_bad_probe_checksums "$TMP/f.pcap")" 0
check_eq "v0 probes carry a 12-byte MP_CAPABLE with key 0c0c0c0c0c0c0c0c" \
	"$(count '$6 == 0 && $7 == 12 && $8 == "868082074056920076"')" $((ntargets * PROBES))
check_eq "v1 probes carry a 4-byte MP_CAPABLE without key" "$(count '$6 == 1 && $7 == 4 && $8 == "-"')" \
	$((ntargets * PROBES))

MPTCP='($2 == "203.0.113.2" || $2 == "2001:db8:3::2") && ($3 == 80 || $3 == 443)'
PLAIN='($2 == "203.0.113.3" || $2 == "2001:db8:3::3")'
CLOSED='($2 == "203.0.113.2" || $2 == "2001:db8:3::2") && $3 == 8080'
ABSENT='($2 == "203.0.113.9" || $2 == "2001:db8:3::9")'
n=$((4 * PROBES))
for fam in 4 6; do
	check_eq "IPv$fam: MPTCP listener answers each v1 probe with a SYN-ACK carrying a 12-byte MP_CAPABLE v1" \
		"$(count "\$1 == $fam && $MPTCP && \$6 == 1 && \$9 == 1 && \$10 == 12 && \$11 == 1 && \$12 != \"-\"")" \
		$((n / 2))
	check_eq "IPv$fam: MPTCP listener answers each v0 probe with a SYN-ACK without MP_CAPABLE" \
		"$(count "\$1 == $fam && $MPTCP && \$6 == 0 && \$9 == 1 && \$10 == 0")" $((n / 2))
done
probe_keys=$(sel '$8 != "-" { print $8 }' | sort -u)
server_keys=$(sel "$MPTCP"' && $12 != "-" { print $12 }')
check_eq "kernel keys: one per v1 connection" "$(echo "$server_keys" | grep -c .)" "$n"
check_eq "kernel keys differ between connections" "$(echo "$server_keys" | sort -u | grep -c .)" "$n"
check_eq "no kernel key equals a probed key" \
	"$(comm -12 <(echo "$server_keys" | sort -u) <(echo "$probe_keys") | grep -c . || true)" 0
check_eq "plain listener answers every probe with a SYN-ACK" "$(count "$PLAIN"' && $9 == 1')" $((8 * PROBES))
check_eq "plain listener never sends MP_CAPABLE" "$(count "$PLAIN"' && $10 != 0 && $10 != "-"')" 0
check_eq "closed port answers every probe with RST" "$(count "$CLOSED"' && $13 == 1 && $9 == 0')" $((4 * PROBES))
check_eq "absent host: every probe gets ICMP/ICMPv6 unreachable from r2, no TCP" \
	"$(count "$ABSENT"' && $14 >= 1 && ($15 == "198.51.100.2" || $15 == "2001:db8:2::2") && $9 == 0 && $13 == 0')" \
	$((8 * PROBES))

# truth file: one row per target, kinds as deployed
truth=$(tail -n +2 "$TMP/f.truth.csv" | cut -d, -f1,2,4 | sort | tr '\n' ' ')
want="2001:db8:3::2,443,mptcp-listener 2001:db8:3::2,80,mptcp-listener 2001:db8:3::2,8080,closed \
2001:db8:3::3,443,plain-listener 2001:db8:3::3,80,plain-listener 2001:db8:3::9,443,absent \
2001:db8:3::9,80,absent 203.0.113.2,443,mptcp-listener 203.0.113.2,80,mptcp-listener \
203.0.113.2,8080,closed 203.0.113.3,443,plain-listener 203.0.113.3,80,plain-listener \
203.0.113.9,443,absent 203.0.113.9,80,absent "
check_eq "truth file lists the 14 targets and what is there" "$truth" "$want"

tap_finish
