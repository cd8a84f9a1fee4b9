#!/bin/bash
# corpus-facts.sh — what tests/corpus/README.md says each real capture holds,
# checked against mpcap analyze.  These facts come from the people who made the
# captures (and tshark), not from mpcap's own output.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh
need_corpus
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT

an() { # name file [options]: analyze --all into $T/name
	local n=$1 f=$2; shift 2
	"$MPCAP" analyze -q --all "$@" -o "$T/$n" "$CORPUS/$f" 2>"$T/$n.err"
}
counter() { # dir counter [family port]
	awk -F, -v c="$2" -v f="${3:-}" -v p="${4:-}" '$2==c && $3==f && $4==p {print $5}' "$1/summary.csv"
}
row() { # dir address port -> the targets.csv row (first)
	awk -F, -v a="$2" -v p="$3" '$2==a && $3==p {print; exit}' "$1/targets.csv"
}
col() { # header-name row-text dir
	local idx
	idx=$(head -1 "$3/targets.csv" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1)
	echo "$2" | cut -d, -f"$idx"
}

# --- ZMap tcp_synopt scan, key 0c0c0c0c0c0c0c0c
an zmap zmap-synopt-v4-mpcv0.pcap
D=$T/zmap
check_eq "zmap: probe key learned from the probes" 1 "$(counter "$D" probes.key-source.learned)"
check_eq "zmap: one probe option profile (static key)" 1 "$(counter "$D" probes.distinct-options)"
tsh_probes=$(tshark -n -r "$CORPUS/zmap-synopt-v4-mpcv0.pcap" -Y 'tcp.flags.syn==1 && tcp.flags.ack==0 && !icmp' 2>/dev/null | wc -l)
check_eq "zmap: probe count equals tshark's SYN count" "$tsh_probes" "$(counter "$D" probes.packets)"
for p in 80 443; do
	r=$(row "$D" 203.0.113.10 $p)
	check_eq "zmap: .10:$p (replaying middlebox) returns the probe key" 0c0c0c0c0c0c0c0c "$(col key "$r" "$D")"
	check_eq "zmap: .10:$p key distance 0" 0 "$(col key_distance "$r" "$D")"
	r=$(row "$D" 203.0.113.11 $p)
	k=$(col key "$r" "$D")
	nb=$(/usr/bin/python3 -c "a=bytes.fromhex('$k');b=bytes.fromhex('0c'*8);print(sum(x!=y for x,y in zip(a,b)))" 2>/dev/null)
	check_eq "zmap: .11:$p (modifying middlebox) key differs from the probe's in exactly 2 bytes" 2 "$nb"
	for h in 2 3 4; do
		r=$(row "$D" 203.0.113.$h $p)
		check_eq "zmap: .$h:$p plain SYN-ACK" synack "$(col response "$r" "$D")"
		check_eq "zmap: .$h:$p no MP_CAPABLE" "" "$(col mpc_version "$r" "$D")"
	done
done
check_eq "zmap: .5:80 answers RST" rst "$(col response "$(row "$D" 203.0.113.5 80)" "$D")"
check_eq "zmap: exactly .10 and .11 are MP_CAPABLE responders (4 targets)" 4 "$(counter "$D" targets.mpcapable)"
tsh_unreach=$(tshark -n -r "$CORPUS/zmap-synopt-v4-mpcv0.pcap" -Y 'icmp.type==3' 2>/dev/null | wc -l)
check_eq "zmap: ICMP unreachables counted as tshark sees them" "$tsh_unreach" "$(counter "$D" icmp.unreachable)"
check "zmap: absent hosts are icmp-unreachable targets" test "$(counter "$D" targets.responsive.icmp-unreachable)" -ge 1
check_eq "zmap: the scanner's own RSTs are not responses" 0 "$(counter "$D" responses.unsolicited)"

# --- real MPTCP connections: the server's key is its own
for f in mptcp-v0.pcap dpi-mptcp-mp_capable.pcapng; do
	an real "$f"
	n=$(awk -F, 'NR>1 && $11!="" && $13=="0"' "$T/real/targets.csv" | wc -l)
	check_eq "$f: no responder returns the client's key" 0 "$n"
	check "$f: at least one MP_CAPABLE responder" test "$(counter "$T/real" targets.mpcapable)" -ge 1
done
an v1 mptcp-v1.pcap
r=$(awk -F, 'NR==2' "$T/v1/targets.csv")
check_eq "mptcp-v1: v1 probe answered by a 12-byte v1 SYN-ACK" "1,12" "$(col mpc_version "$r" "$T/v1"),$(col mpc_length "$r" "$T/v1")"
check_eq "mptcp-v1: v1 probe has no key" "" "$(col probe_key "$r" "$T/v1")"

# --- no false middlebox verdicts: only the ZMap capture holds real middleboxes (.10, .11)
for f in "$CORPUS"/*.pcap "$CORPUS"/*.pcapng; do
	b=$(basename "$f")
	"$MPCAP" analyze -q --all -o "$T/fp" "$f" 2>/dev/null
	bad=$(awk -F, 'NR>1 && ($18=="replay" || $18=="modified" || $18=="shared-key") {print $2}' "$T/fp/targets.csv" | sort -u | tr '\n' ' ')
	if [ "$b" = zmap-synopt-v4-mpcv0.pcap ]; then
		check_eq "$b: middlebox verdicts only for the two real middleboxes" "203.0.113.10 203.0.113.11 " "$bad"
	else
		check_eq "$b: no replay, modified or shared-key verdict" "" "$bad"
	fi
done

# --- MP_CAPABLE answered without MPTCP
an rej dpi-mptcp-mp_rejected.pcap
check_eq "mp_rejected: no MP_CAPABLE responder" 0 "$(counter "$T/rej" targets.mpcapable)"
check "mp_rejected: the host answered a SYN-ACK" test "$(counter "$T/rej" targets.responsive.synack)" -ge 1

# --- tracebox: quotes carry the probe's option; the host answers plainly
for v in 4 6; do
	an tb$v tracebox-v$v-mpcapable.pcap
	tq=$(tshark -n -r "$CORPUS/tracebox-v$v-mpcapable.pcap" -Y 'tcp.options.mptcp.subtype==0 && (icmp || icmpv6)' 2>/dev/null | wc -l)
	check_eq "tracebox v$v: MP_CAPABLE options in ICMP quotes (tshark count)" "$tq" "$(counter "$T/tb$v" mpcapable.options-in-icmp-quotes)"
	check_eq "tracebox v$v: the Linux host answers without MP_CAPABLE" 0 "$(counter "$T/tb$v" targets.mpcapable)"
	check_eq "tracebox v$v: the host answered" 1 "$(counter "$T/tb$v" targets.responsive.synack)"
done

# --- no MPTCP anywhere in the Zeek traces: no false MP_CAPABLE
for f in "$CORPUS"/zeek-*.pcap; do
	b=$(basename "$f")
	"$MPCAP" analyze -q --all -o "$T/z" "$f" 2>/dev/null; rc=$?
	check "$b: analysed (exit 0 or 3)" test $rc -eq 0 -o $rc -eq 3
	check_eq "$b: no MP_CAPABLE option" 0 "$(counter "$T/z" mpcapable.options)"
	check_eq "$b: no MP_CAPABLE row in dump" 1 "$("$MPCAP" dump "$f" 2>/dev/null | wc -l)"
done
# link layers: what tshark sees as non-IP is exactly what mpcap skips as not-IP
for f in zeek-q-in-q.pcap zeek-pppoe.pcap zeek-mixed-vlan-mpls.pcap; do
	an ll "$f"
	nonip=$(tshark -n -r "$CORPUS/$f" -Y '!ip && !ipv6' 2>/dev/null | wc -l)
	check_eq "$f: not-IP frames as tshark counts them" "$nonip" "$(counter "$T/ll" skipped.not-ip)"
	check_eq "$f: no link type unsupported" 0 "$(counter "$T/ll" skipped.linktype-unsupported)"
done
an pppoe zeek-pppoe.pcap
udp=$(tshark -n -r "$CORPUS/zeek-pppoe.pcap" -Y 'udp' 2>/dev/null | wc -l)
check_eq "pppoe: IPv6 inside PPPoE dissected to UDP (tshark count)" "$udp" "$(counter "$T/pppoe" skipped.other-proto)"
finish
