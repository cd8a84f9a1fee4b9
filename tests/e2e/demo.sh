#!/bin/bash
# demo.sh — README's `make demo` job (scripts/demo.sh) runs to its end: the
# generated six-month world analysed, traced month by month, joined,
# attributed, tested and reported, the lab capture analysed, and every
# results directory verified against its manifest.json by `mpcap verify`.
set -u
cd "$(dirname "$0")/../.."
: "${MPCAP:=build/mpcap}" "${BUILD:=build}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
n=0 bad=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $1"; }
DEMO_OUT="$out/demo" scripts/demo.sh "$MPCAP" "$BUILD/samples/mpcap-gen" >"$out/log" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "the demo runs to its end (exit 0)" || { not_ok "the demo exits $rc"; tail -5 "$out/log"; }
grep -q '^all results agree with their manifests$' "$out/log" && ok "every results directory verifies" ||
	not_ok "mpcap verify did not agree"
for m in 2020-07 2020-12; do
	[ -s "$out/demo/trace/$m/classification.csv" ] && ok "trace of $m written" || not_ok "no trace of $m"
done
[ -s "$out/demo/report/index.html" ] && [ -s "$out/demo/report/monthly-ipv4.png" ] && ok "the report and its figures" ||
	not_ok "no report"
# the monthly series is tracebox-confirmed in every month (one --trace per scan)
months=$(cut -d, -f1 "$out/demo/report/monthly.csv" | sed 1d | sort -u | wc -l)
confirmed=$(grep ',tracebox,true-mptcp,' "$out/demo/report/monthly.csv" | cut -d, -f1 | sort -u | wc -l)
[ "$months" -eq 6 ] && [ "$confirmed" -eq 6 ] && ! grep -q 'untraced' "$out/demo/report/monthly.csv" &&
	ok "all 6 months tracebox-confirmed in report/monthly.csv" ||
	not_ok "months $months, confirmed $confirmed (want 6 and 6, none untraced)"
echo "1..$n"
[ $bad -eq 0 ]
