#!/bin/sh
# demo.sh — the main job on the shipped samples (called by `make demo`):
# a synthetic six-month Internet calibrated to the study (generated, seeded),
# analysed month by month, traced, joined, attributed, tested for key
# randomness and turned into a report; then the real-MPTCP-stack lab capture.
set -eu
cd "$(dirname "$0")/.."
MPCAP=${1:-build/mpcap}
GEN=${2:-build/samples/mpcap-gen}
out=${DEMO_OUT:-demo-results} # DEMO_OUT: another folder (tests/e2e/demo.sh)
rm -rf "$out"
mkdir -p "$out"
S=$out/samples
echo "== 1. generating the synthetic world (samples/tools/mpcap-gen.c, docs/samples.md) -> $S"
"$GEN" -q --v6 --out "$S"
months=$(ls "$S" | sed -n 's/^scan-\([0-9-]*\)-p80-v4.pcap$/\1/p' | sort)
echo "== 2. mpcap analyze, one scan per month (IPv4 + IPv6, ports 80 + 443)"
for m in $months; do
	"$MPCAP" analyze --no-progress --scan "$m" -o "$out/scans/$m" "$S"/scan-"$m"-p*-v*.pcap
done
last=$(echo "$months" | tail -n 1)
echo "== 3. mpcap trace: each month's tracebox captures against that scan's responders"
traces=""
for m in $months; do
	"$MPCAP" trace --no-progress -q -o "$out/trace/$m" --targets "$out/scans/$m/targets.csv" \
		"$S"/tracebox-"$m"-p*-v*.pcap
	traces="$traces --trace $out/trace/$m"
done
"$MPCAP" trace --no-progress -o "$out/trace/$last" --targets "$out/scans/$last/targets.csv" \
	"$S"/tracebox-"$last"-p*-v*.pcap
echo "== 4. mpcap join: hosts followed across the six months"
"$MPCAP" join -o "$out/join" "$out"/scans/*
echo "== 5. mpcap attribute: by origin AS and country"
set -- "$S"/world/delegated-*
"$MPCAP" attribute -q -o "$out/attribution" --asn "$S/world/pfx2as-v4.txt" --asn "$S/world/pfx2as-v6.txt" \
	--as-names "$S/world/as-names.csv" $(for f in "$@"; do printf -- '--geo %s ' "$f"; done) "$out"/scans/*
echo "== 6. mpcap stats: are the returned keys random?"
"$MPCAP" stats -o "$out/stats" "$out"/scans/*
echo "== 7. mpcap report: tables, charts, index.html"
# shellcheck disable=SC2086
"$MPCAP" report -o "$out/report" $traces --attribution "$out/attribution" "$out"/scans/*
echo "== 8. the namespace lab's capture (a real Linux MPTCP stack): samples/captures/netns-verdicts.pcap"
"$MPCAP" analyze --no-progress --all -q -o "$out/lab" samples/captures/netns-verdicts.pcap
cut -d, -f2,3,5,7,11,18 "$out/lab/targets.csv" | column -s, -t | head -16
echo "== 9. mpcap verify: every results directory against its manifest.json (SHA-256 of each file)"
"$MPCAP" verify -q --inputs "$out"/scans/* "$out"/trace/* "$out/join" "$out/attribution" "$out/stats" \
	"$out/report" "$out/lab"
echo "all results agree with their manifests"
echo
case $out in /*) where=$out ;; *) where=$(pwd)/$out ;; esac # DEMO_OUT may be absolute
echo "Results are in $where/:"
echo "  report/index.html   the charts and tables (open it in a browser)"
echo "  scans/MONTH/        targets.csv, summary.csv per month;  trace/MONTH/, join/, attribution/, stats/, lab/"
echo "Column meanings: docs/columns.md.  Next: 'build/mpcap --help', docs/tutorial.md."
