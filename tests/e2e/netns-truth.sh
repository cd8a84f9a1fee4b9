#!/bin/bash
# netns-truth.sh — the committed captures of the namespace lab (a real Linux
# MPTCP stack, real routers, an option-stripping router, a replaying and a
# modifying middlebox) analysed and compared with the lab's ground truth:
# what stands at each address decides the verdict each probe version must get.
#   mptcp-listener:  v0 -> no-mptcp (Linux speaks v1 only), v1 -> mptcp
#   mptcp-listener-behind-stripper: the option never arrives -> no-mptcp (tracebox finds the hop)
#   plain-listener -> no-mptcp; closed -> rst; absent -> icmp-unreachable
#   replaying-middlebox -> replay for both versions
#   modifying-middlebox: v0 -> modified; v1 -> replay (a v1 probe has no key to change: echoed)
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
expect() { # what version
	case "$1/$2" in
	mptcp-listener/0) echo no-mptcp;; mptcp-listener/1) echo mptcp;;
	mptcp-listener-behind-stripper/*|plain-listener/*) echo no-mptcp;;
	closed/*) echo rst;; absent/*) echo icmp-unreachable;;
	replaying-middlebox/*) echo replay;;
	modifying-middlebox/0) echo modified;; modifying-middlebox/1) echo replay;;
	*) echo "?";;
	esac
}
for cap in netns-foundation netns-verdicts; do
	"$MPCAP" analyze -q --all -o "$T/$cap" "samples/captures/$cap.pcap"
	R=$T/$cap/targets.csv
	vcol=$(head -1 "$R" | tr ',' '\n' | grep -nx verdict | cut -d: -f1)
	pcol=$(head -1 "$R" | tr ',' '\n' | grep -nx probe_version | cut -d: -f1)
	n=0
	while IFS=, read -r addr port _fam what _rest; do
		[ "$addr" = address ] && continue
		for v in 0 1; do
			got=$(awk -F, -v a="$addr" -v p="$port" -v v="$v" -v vc="$vcol" -v pc="$pcol" \
				'$2==a && $3==p && $pc==v {print $vc}' "$R")
			check_eq "$cap: $addr:$port ($what) v$v probe" "$(expect "$what" $v)" "$got"
			n=$((n + 1))
		done
	done < "samples/captures/$cap.truth.csv"
	check "$cap: every target of the truth file was checked" test $n -ge 10
	rows=$(($(wc -l < "$R") - 1))
	check_eq "$cap: no target beyond the truth file" $(( ($(wc -l < "samples/captures/$cap.truth.csv") - 1) * 2 )) $rows
done
# the kernel's keys are its own: every SYN-ACK key distinct, none equal to a probe key.
# (analyze counts each target once; the 3000 connections go to 4 targets, so use dump)
"$MPCAP" dump samples/captures/netns-mptcp-keys.pcap.zst > "$T/keys.csv"
keys=$(awk -F, '$7=="0x12" && $12!="" {print $12}' "$T/keys.csv")
check_eq "kernel keys: 3000 SYN-ACKs with a key" 3000 "$(echo "$keys" | wc -l)"
check_eq "kernel keys: all distinct" 3000 "$(echo "$keys" | sort -u | wc -l)"
check_eq "kernel keys: none is the probe key" 0 "$(echo "$keys" | grep -c '^0c0c0c0c0c0c0c0c$')"
"$MPCAP" analyze -q -o "$T/keys" samples/captures/netns-mptcp-keys.pcap.zst
check_eq "kernel keys: 4 targets, all verdict mptcp" 4 "$(grep -c ',mptcp,' "$T/keys/targets.csv")"
finish
