#!/bin/bash
# abtest.sh — A/B probing on the committed lab capture (samples/captures/netns-abtest.pcap): the
# live test's assertions (tshark as the oracle, then mpcap's mpc-dropped rows) without namespaces.
# Also: a scan of one probe kind shows no A/B counter (summary goldens stay as they were).
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
MPCAP=$(cd "$(dirname "$MPCAP")" && pwd)/$(basename "$MPCAP")
if MPCAP=$MPCAP PROBES=2 tests/live/test-abtest-netns.sh --check samples/captures/netns-abtest.pcap > "$T/out"; then
	ok "live test's checks on the committed capture ($(grep -c '^ok' "$T/out") assertions)"
else
	not_ok "live test's checks on the committed capture: $(grep '^not ok' "$T/out" | tr '\n' ' ')"
fi
# The first MP_CAPABLE probe of the scan goes to 203.0.113.2:80; without its plain probes (and
# their answers: scanner ports 32768-42767) that target was never probed plain, so the comparison
# must leave it out — not call it plain-dropped because the scan's second kind began with it.
tshark -r samples/captures/netns-abtest.pcap -w "$T/noplain.pcap" -Y '!(ip.addr == 203.0.113.2 &&
	tcp.port == 80 && ((tcp.srcport >= 32768 && tcp.srcport <= 42767) ||
	(tcp.dstport >= 32768 && tcp.dstport <= 42767)))' 2>/dev/null
check "tshark wrote the capture without .2:80's plain probes" test -s "$T/noplain.pcap"
"$MPCAP" analyze -q -o "$T/np" "$T/noplain.pcap"
check_eq "no plain-dropped row" 0 "$(grep -c ',plain-dropped,' "$T/np/targets.csv")"
check_eq "abtest.targets: one fewer" 19 "$(awk -F, '$2 == "abtest.targets" { print $5 }' "$T/np/summary.csv")"
check_eq "the same mpc-dropped rows" 8 "$(grep -c ',mpc-dropped,' "$T/np/targets.csv")"
"$MPCAP" analyze -q -o "$T/f" samples/captures/netns-foundation.pcap
check_eq "v0+v1 scan without plain probes: no abtest counter" 0 "$(grep -c abtest "$T/f/summary.csv")"

# --- mpcap merge of an A/B scan split by target (scan.state version 2 keeps the A/B bits): the
# merged targets.csv and summary.csv equal the single run over the whole capture
AB=samples/captures/netns-abtest.pcap
SEL='ip.addr == 203.0.113.2 || ip.addr == 203.0.113.6 || ipv6.addr == 2001:db8:3::3 || ipv6.addr == 2001:db8:3::7'
tshark -r "$AB" -w "$T/s1.pcap" -Y "$SEL" 2>/dev/null
tshark -r "$AB" -w "$T/s2.pcap" -Y "!($SEL)" 2>/dev/null
tshark -r "$AB" -w "$T/s3.pcap" -Y "ip.addr == 203.0.113.6" 2>/dev/null
npk() { capinfos -T -c -r "$1" | cut -f2; }
check_eq "the shards hold every packet once" "$(npk "$AB")" "$(($(npk "$T/s1.pcap") + $(npk "$T/s2.pcap")))"
"$MPCAP" analyze -q -o "$T/whole" "$AB"
"$MPCAP" analyze -q -o "$T/d1" "$T/s1.pcap"
"$MPCAP" analyze -q -o "$T/d2" "$T/s2.pcap"
"$MPCAP" merge -q -o "$T/m" "$T/d2" "$T/d1" 2> "$T/merge.err"
check_eq "merge of the A/B shards exits 0 (no warning)" "0 " "$? $(cat "$T/merge.err")"
for f in targets.csv summary.csv targets.sets; do
	check "merged A/B shards: $f equals the single run" cmp -s "$T/whole/$f" "$T/m/$f"
done
check_eq "the merge names the 8 mpc-dropped rows" 8 "$(grep -c ',mpc-dropped,' "$T/m/targets.csv")"
# a target in two pieces: the merge says it may differ
"$MPCAP" analyze -q -o "$T/d3" "$T/s3.pcap"
"$MPCAP" merge -q -o "$T/m3" "$T/d1" "$T/d3" 2> "$T/m3.err"
check_eq "a target in two A/B pieces: merge warns (exit 3)" 3 $?
check "and says why" grep -q "probed in two pieces" "$T/m3.err"
# a scan.state of version 1 (before the A/B section) is still read
/usr/bin/python3 tests/tools/state_v1.py "$T/d1/scan.state" "$T/v1.state"
cp "$T/v1.state" "$T/d1/scan.state"
"$MPCAP" merge -q -o "$T/mv1" "$T/d2" "$T/d1" 2> "$T/mv1.err"
check_eq "an A/B piece of version 1: merge warns (exit 3)" 3 $?
check_eq "naming the file and its version" 1 \
	"$(grep -c "$T/d1/scan.state is version 1, which keeps no A/B data" "$T/mv1.err")"
"$MPCAP" analyze -q -o "$T/f1" "$CORPUS/zmap-synopt-v4-mpcv0.pcap"
"$MPCAP" analyze -q -o "$T/f2" "$CORPUS/zmap-synopt-v4-mpcv0.pcap"
/usr/bin/python3 tests/tools/state_v1.py "$T/f1/scan.state" "$T/f1v1.state"
check "version 1 and version 2 differ only in the version and the A/B section" test \
	"$(($(stat -c %s "$T/f1/scan.state") - $(stat -c %s "$T/f1v1.state")))" -eq 10
cp "$T/f1v1.state" "$T/f1/scan.state"
"$MPCAP" merge -q -o "$T/fm" "$T/f1" 2> "$T/fm.err"
check_eq "a scan of one probe kind in version 1: merged without a warning" "0 " "$? $(cat "$T/fm.err")"
check "and gives the single run's targets.csv" cmp -s "$T/f2/targets.csv" "$T/fm/targets.csv"
printf 'MPCAPSTATE1\n\x03\x00\x00\x00' > "$T/f1/scan.state"
"$MPCAP" merge -q -o "$T/fx" "$T/f1" 2> "$T/fx.err"
check_eq "a newer scan.state: refused (exit 1)" 1 $?
check_eq "in one line naming the file and the version" 1 \
	"$(grep -c "^mpcap merge: $T/f1/scan.state: a scan.state of a newer mpcap (version above 2)" "$T/fx.err")"
finish
