#!/bin/bash
# abtest-truth.sh — A/B scans from `mpcap-gen --abtest` (plain, v0 and/or v1 SYNs, two of each;
# paths dropping option 30, v0 only or plain SYNs, lossy paths, client fallbacks): `mpcap analyze`
# finds exactly the truth's mpc-dropped and plain-dropped targets (with their versions) and its
# abtest.* counters equal the truth's counts (tests/gen/compare_abtest.py); the paths' fractions
# are the asked rates (binomial, 4 sigma); shards split by target and merged give the single run;
# `mpcap attribute` counts answered-plain, mpc-dropped and plain-dropped targets per AS and country
# as the truth does, and ranks each AS's fingerprints (tests/gen/compare_abtest_attr.py); `mpcap
# report` draws the mpc-dropped charts (per family and port with the truth's numbers, per AS) and,
# for a scan without A/B probes, says so in one line instead.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/gen/lib-gen.sh
cp "$MPCAP" "$T/mpcap" && MPCAP=$T/mpcap
compare() { # DIR LABEL
	local f b
	for f in "$1"/abtest-*.pcap; do
		b=$(basename "$f" .pcap)
		rm -rf "$T/r"
		if ! "$MPCAP" analyze -q -o "$T/r" "$f" 2>"$T/err"; then
			not_ok "$2 $b: mpcap analyze fails: $(head -1 "$T/err")"
			continue
		fi
		if /usr/bin/python3 tests/gen/compare_abtest.py "$1/truth-$b.csv" "$T/r/targets.csv" \
			"$T/r/summary.csv" >"$T/diff"; then
			ok "$2 $b: A/B rows and counters equal the truth $(tail -1 "$T/diff")"
		else
			not_ok "$2 $b: mpcap differs from the truth ($(grep -vc '^#' "$T/diff") lines)"
			cat "$T/diff"
		fi
	done
}
"$GEN" -q --v6 --months 2020-12 --no-tracebox --abtest --out "$T/a"
compare "$T/a" "default rates:"
"$GEN" -q --v6 --months 2020-09 --ports 443 --seed 7 --no-tracebox --abtest=0.2,0.1,0.05,0.1,0.02 --out "$T/b"
compare "$T/b" "seed 7, rates 0.2,0.1,0.05,0.1,0.02:"
# calibration: each path's share of the targets is its rate
/usr/bin/python3 - "$T/b"/truth-abtest-*.csv >"$T/cal" <<'PY'
import csv, math, sys
rates = {"mpc-dropper": 0.2, "v0-dropper": 0.1, "plain-dropper": 0.05, "lossy": 0.1, "fallback": 0.02}
rows = [r for f in sys.argv[1:] for r in csv.DictReader(open(f))]
n, bad = len(rows), 0
for path, p in rates.items():
    k = sum(r["path"] == path for r in rows)
    sd = math.sqrt(n * p * (1 - p))
    ok = abs(k - n * p) <= 4 * sd
    bad += not ok
    print("%s %s: %d of %d (rate %.3f, expected %.0f +- %.0f)" % ("ok" if ok else "BAD", path, k, n, k / n, n * p, 4 * sd))
sys.exit(1 if bad else 0)
PY
rc=$?
check "the paths' shares are the asked rates: $(tr '\n' ';' < "$T/cal")" test $rc -eq 0
check_eq "the rates are recorded in gen-params.txt" "abtest=0.2,0.1,0.05,0.1,0.02" "$(grep ^abtest= "$T/b/gen-params.txt")"
"$GEN" -q --abtest=0.9,0.9,0,0,0 --out "$T/x" 2>"$T/err"
check_eq "rates summing above 1 are refused (exit 2)" 2 $?
# shards split by target (every other target of the truth; tshark's ip.addr also matches the
# addresses an ICMP error quotes), merged, equal the single run
f=$T/a/abtest-2020-12-p80-v4.pcap
"$MPCAP" analyze -q -o "$T/whole" "$f"
check "a generated A/B scan has rows to merge" grep -q ',mpc-dropped,' "$T/whole/targets.csv"
half=$(awk -F, 'NR > 1 && NR % 2 == 0 { printf "%s%s", (n++ ? "," : ""), $1 }' "$T/a/truth-abtest-2020-12-p80-v4.csv")
tshark -r "$f" -w "$T/even.pcap" -Y "ip.addr in {$half}" 2>/dev/null
tshark -r "$f" -w "$T/odd.pcap" -Y "!(ip.addr in {$half})" 2>/dev/null
check_eq "the shards hold every packet once" "$(capinfos -T -c -r "$f" | cut -f2)" \
	"$(($(capinfos -T -c -r "$T/even.pcap" | cut -f2) + $(capinfos -T -c -r "$T/odd.pcap" | cut -f2)))"
"$MPCAP" analyze -q -o "$T/even" "$T/even.pcap"
"$MPCAP" analyze -q -o "$T/odd" "$T/odd.pcap"
"$MPCAP" merge -q -o "$T/m" "$T/odd" "$T/even" 2>"$T/merr"
check_eq "merge of the generated A/B shards exits 0" "0 " "$? $(head -1 "$T/merr")"
for x in targets.csv summary.csv targets.sets; do
	check "merged generated A/B shards: $x equals the single run" cmp -s "$T/whole/$x" "$T/m/$x"
done
# attribute: the world's pfx2as, AS names and delegated files
W=$T/a/world
attr() { # OUT RESULTS [--top N]
	local o=$1 r=$2; shift 2
	"$MPCAP" attribute -q -o "$o" --asn "$W/pfx2as-v4.txt" --asn "$W/pfx2as-v6.txt" --as-names "$W/as-names.csv" \
		$(for g in "$W"/delegated-*; do printf -- '--geo %s ' "$g"; done) "$@" "$r"
}
for fam in 4 6; do
	b=abtest-2020-12-p443-v$fam
	"$MPCAP" analyze -q -o "$T/ar$fam" "$T/a/$b.pcap"
	attr "$T/at$fam" "$T/ar$fam" --top 2
	if /usr/bin/python3 tests/gen/compare_abtest_attr.py "$T/a/truth-$b.csv" "$T/ar$fam/targets.csv" "$T/at$fam" 2 >"$T/diff"; then
		ok "attribute $b: dropped per AS and country, top 2 fingerprints per AS equal the truth $(tail -1 "$T/diff")"
	else
		not_ok "attribute $b differs from the truth"
		cat "$T/diff"
	fi
done
"$MPCAP" analyze -q -o "$T/plain" "$T/a/scan-2020-12-p80-v4.pcap"
attr "$T/atp" "$T/plain"
check_eq "a scan without A/B probes: dropped_by_as.csv holds only its header" 1 "$(wc -l < "$T/atp/dropped_by_as.csv")"
check "but its fingerprints are ranked" test "$(wc -l < "$T/atp/top_fingerprints.csv")" -gt 1
# report: the charts of paths that drop MP_CAPABLE
"$MPCAP" report -q -o "$T/rep" --attribution "$T/at4" "$T/ar4"
read -r want_drop want_plain < <(awk -F, 'NR > 1 { d += $9 == "mpc-dropped"; p += $6 != "none" && $9 != "plain-dropped" }
	END { print d, p }' "$T/a/truth-abtest-2020-12-p443-v4.csv")
check "report of an A/B scan: dropped.png drawn" test -s "$T/rep/dropped.png"
check "and dropped-as.png from the attribution's dropped_by_as.csv" test -s "$T/rep/dropped-as.png"
check_eq "its caption has the truth's numbers" 1 "$(grep -c "Together: $want_drop of $want_plain\." "$T/rep/index.html")"
"$MPCAP" report -q -o "$T/rep0" "$T/plain"
check "report of a scan without A/B probes: no dropped chart" test ! -e "$T/rep0/dropped.png"
check_eq "the page says so in one line" 1 "$(grep -c '^<p>No scan has A/B probes' "$T/rep0/index.html")"
finish
