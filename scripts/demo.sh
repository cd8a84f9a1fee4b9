#!/bin/sh
# demo.sh — the main job on the shipped samples (called by `make demo`).
set -eu
cd "$(dirname "$0")/.."
MPCAP=${1:-build/mpcap}
out=demo-results
rm -rf "$out"; mkdir -p "$out"
echo "== mpcap analyze: the real-MPTCP-stack lab capture (samples/captures/netns-foundation.pcap)"
"$MPCAP" analyze --all --no-progress -o "$out/netns-foundation" samples/captures/netns-foundation.pcap
echo
echo "== MP_CAPABLE responders found:"
column -s, -t < "$out/netns-foundation/targets.csv" | cut -c1-160 | head -20
echo
echo "== mpcap dump: every MP_CAPABLE option in the capture -> $out/netns-foundation/dump.csv"
"$MPCAP" dump --no-progress -o "$out/netns-foundation/dump.csv" samples/captures/netns-foundation.pcap
echo
echo "Results are in $(pwd)/$out/:"
find "$out" -type f | sort | sed 's/^/  /'
echo "Column meanings: docs/columns.md.  Next: 'build/mpcap --help', docs/tutorial.md."
