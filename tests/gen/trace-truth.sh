#!/bin/bash
# trace-truth.sh — `mpcap trace` of every generated tracebox capture equals its ground truth:
# which destinations were traced, their class, probes, answering and fully quoting hops, the
# first hop that changed MP_CAPABLE and how; and, combined with the month's scan (--targets),
# the final class of every MP_CAPABLE responder whose trace reached the destination
# (tests/gen/compare_trace.py). Skipped (passing) while build/mpcap does not exist.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/gen/lib-gen.sh
if [ ! -x "$MPCAP" ] || ! "$MPCAP" help trace >/dev/null 2>&1; then
	ok "# SKIP $MPCAP trace not built"
	finish
	exit 0
fi
cp "$MPCAP" "$T/mpcap" && MPCAP=$T/mpcap
"$GEN" -q --v6 --out "$T/a"
for f in "$T"/a/tracebox-*.pcap; do
	b=$(basename "$f" .pcap)
	b=${b#tracebox-}
	rm -rf "$T/s" "$T/t"
	"$MPCAP" analyze -q -o "$T/s" "$T/a/scan-$b.pcap" 2>"$T/err" &&
		"$MPCAP" trace -q -o "$T/t" --targets "$T/s/targets.csv" "$f" 2>>"$T/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		not_ok "$b: mpcap analyze/trace exits $rc: $(head -1 "$T/err")"
		continue
	fi
	if /usr/bin/python3 tests/gen/compare_trace.py "$T/a/truth-tracebox-$b.csv" "$T/a/truth-$b.csv" \
		"$T/t/destinations.csv" "$T/t/classification.csv" >"$T/diff"; then
		ok "$b: every traced destination and final class equals the truth"
		grep '^# not compared' "$T/diff"
	else
		not_ok "$b: mpcap trace differs from the truth ($(grep -c '^#   ' "$T/diff") lines)"
		cat "$T/diff"
	fi
done
finish
