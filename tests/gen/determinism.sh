#!/bin/bash
# determinism.sh — mpcap-gen is a function of its arguments: the same seed gives byte-identical
# captures, truth and world; another seed or probe key gives other captures over the same world;
# a file does not depend on which other months, ports or families were generated; the world
# shipped in samples/world/ is the one the generator writes; bad arguments exit 2.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/gen/lib-gen.sh
start=$(date +%s%N)
"$GEN" -q --v6 --out "$T/a"; check_eq "default world with IPv6 generated" 0 $?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "the default world is generated in under 10 s (${ms} ms)" test "$ms" -lt 10000
size=$(du -sb "$T/a" | cut -f1)
check "the default world holds at most 21,000,000 bytes ($size)" test "$size" -le 21000000
n=$(find "$T/a" -type f | wc -l)
check_eq "48 captures, 48 truth files, summary, parameters and 9 world files" 107 "$n"
"$GEN" -q --v6 --out "$T/b"
check "same seed: every file byte-identical ($n files)" diff -r "$T/a" "$T/b"
"$GEN" -q --v6 --seed 2 --out "$T/c"
same=0
for f in "$T"/a/scan-*.pcap "$T"/a/tracebox-*.pcap; do
	cmp -s "$f" "$T/c/$(basename "$f")" && same=$((same + 1))
done
check_eq "seed 2: no capture equal to seed 2020's" 0 "$same"
check "seed 2: the same world (it does not depend on the seed)" diff -r "$T/a/world" "$T/c/world"
check "samples/world/ is the world the generator writes" diff -r samples/world "$T/a/world"
"$GEN" -q --months 2020-09 --ports 443 --out "$T/d"
ok_sub=1
for f in "$T"/d/*.pcap "$T"/d/truth-2020-*.csv; do
	cmp -s "$f" "$T/a/$(basename "$f")" || { ok_sub=0; echo "# $(basename "$f") differs"; }
done
check_eq "one month, one port, IPv4 only: its files equal those of the full run" 1 "$ok_sub"
"$GEN" -q --months 2020-07 --ports 80 --probe-key 00000000ffffffff --out "$T/e"
check "another probe key: another scan capture" bash -c "! cmp -s '$T/e/scan-2020-07-p80-v4.pcap' '$T/a/scan-2020-07-p80-v4.pcap'"
check "another probe key: its probes carry it" bash -c \
	"tshark -n -r '$T/e/scan-2020-07-p80-v4.pcap' -c 1 -T fields -e tcp.options.mptcp.sendkey 2>/dev/null | grep -qx 4294967295"
"$GEN" -q --world-only --out "$T/w"
check "--world-only writes the world alone" diff -r "$T/a/world" "$T/w/world"
check_eq "--world-only writes nothing else" 1 "$(find "$T/w" -mindepth 1 -maxdepth 1 | wc -l)"
for bad in "--ports 22" "--probe-key 0c0c" "--months 2020-13" "--months 2020-12..2020-07" "--scale 0" "--no-v4" "--bogus"; do
	# shellcheck disable=SC2086
	"$GEN" -q --out "$T/x" $bad 2>"$T/err"; rc=$?
	check_eq "$bad is a usage error" 2 $rc
done
"$GEN" -q 2>/dev/null; check_eq "no --out is a usage error" 2 $?
finish
