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
finish
