#!/bin/bash
# scale.sh — --scale grows the captures, not the memory: one IPv4 scan at scale 25 and at 250
# (about 140 k and 1.4 M packets) keep the same bounded resident set, and the packet count grows
# tenfold. (The 10 M-packet benchmark size, --scale 1760, is measured in docs/samples.md.)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/gen/lib-gen.sh
rss() { awk '/Maximum resident/ {print $NF}' "$1"; }
for s in 25 250; do
	/usr/bin/time -v "$GEN" -q --scale $s --months 2020-07 --ports 80 --no-tracebox --out "$T/s$s" 2>"$T/time$s"
	check_eq "scale $s generated" 0 $?
done
p25=$(awk -F, '$4=="packets.scan" {print $5}' "$T/s25/truth-summary.csv")
p250=$(awk -F, '$4=="packets.scan" {print $5}' "$T/s250/truth-summary.csv")
check "packets grow about tenfold ($p25 -> $p250)" test $((p250 * 10)) -gt $((p25 * 90)) -a $((p250 * 10)) -lt $((p25 * 110))
r25=$(rss "$T/time25"); r250=$(rss "$T/time250")
check "resident memory stays bounded ($r25 kB -> $r250 kB, under 64 MB)" test "$r250" -lt 65536 -a "$r250" -lt $((r25 * 3))
check "the capture at scale 250 is a valid pcap (capinfos)" bash -c "capinfos -c \"$T/s250/scan-2020-07-p80-v4.pcap\" >/dev/null"
check_eq "capinfos counts the packets the summary says" "$p250" \
	"$(capinfos -Mc "$T/s250/scan-2020-07-p80-v4.pcap" | awk '/Number of packets/ {print $NF}')"
finish
