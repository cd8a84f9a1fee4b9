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
"$MPCAP" analyze -q -o "$T/f" samples/captures/netns-foundation.pcap
check_eq "v0+v1 scan without plain probes: no abtest counter" 0 "$(grep -c abtest "$T/f/summary.csv")"
finish
