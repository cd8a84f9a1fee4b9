#!/bin/bash
# stats-kernel-keys.sh — `mpcap stats` on real keys: the 3000 SYN-ACK keys that
# the Linux MPTCP stack chose in samples/captures/netns-mptcp-keys.pcap.zst
# must show no evidence against randomness at alpha = 0.01, and scipy, run
# independently on the same keys, must give the same histogram and chi-square.
# Also: replays in the verdict lab capture are found, and the command line
# behaves (help, usage errors, one-line errors naming the file, no partial
# outputs).  TAP output; exit 1 on failure.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh
M=$MPCAP
PY=/usr/bin/python3 # Debian's, with scipy (the python3 on PATH may lack it)
KEYS=samples/captures/netns-mptcp-keys.pcap.zst
VERDICTS=samples/captures/netns-verdicts.pcap
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
if [ ! -e "$KEYS" ]; then
	echo "Bail out! $KEYS is missing"
	exit 1
fi
col() { # FILE GROUP SUBSET COLUMN: one field of a stats CSV
	"$PY" - "$@" <<'PY'
import csv, sys
f, g, s, c = sys.argv[1:]
for r in csv.DictReader(open(f)):
    if r["group"] == g and r["subset"] == s:
        print(r[c]); break
PY
}

# --- the kernel's keys, every SYN-ACK (mpcap dump), alone and per port
"$M" dump "$KEYS" >"$T/keys.csv" 2>"$T/err"
check_eq "dump of the kernel key capture exits 0" 0 $?
"$M" stats -o "$T/s" --by sport "$T/keys.csv" >"$T/summary.txt" 2>"$T/err"
check_eq "stats on 3000 kernel keys exits 0" 0 $?
check_eq "3000 keys tested" 3000 "$(col "$T/s/randomness.csv" all all n)"
for g in all sport=80 sport=443; do
	check_eq "$g: no evidence against randomness at alpha 0.01 (overall)" consistent \
		"$(col "$T/s/randomness.csv" "$g" all decision)"
	for t in chisquare gtest weight-bins bits duplicates; do
		check_eq "$g: $t consistent" consistent "$(col "$T/s/$t.csv" "$g" all decision)"
	done
done
check "summary says the keys are consistent with random keys" \
	grep -q '^all: 3000 keys; chi-square .*: consistent with random keys$' "$T/summary.txt"
check "no outlier weight, biased bit or duplicate in the summary" \
	bash -c "! grep -Eq 'outlier at|biased bits?:|seen more than once' '$T/summary.txt'"

# --- scipy on the same keys, from the dump CSV, independently of mpcap's code
if "$PY" - "$T/keys.csv" "$T/s" <<'PY'; then ok "scipy agrees: histogram, chi-square, G and bit counts (1e-9; p-values to their 6 written digits)"; else not_ok "scipy disagrees"; fi
import csv, math, sys
from scipy import stats
keys = [int(r["sender_key"], 16) for r in csv.DictReader(open(sys.argv[1]))
        if r["tcp_flags"] == "0x12" and r["in_icmp_quote"] == "0" and r["sender_key"]]
d = sys.argv[2]
n = len(keys)
assert n == 3000, n
obs = [0] * 65
for k in keys:
    obs[bin(k).count("1")] += 1
hist = {int(r["weight"]): r for r in csv.DictReader(open(d + "/histogram.csv"))
        if r["group"] == "all" and r["subset"] == "all"}
for w in range(65):
    assert int(hist[w]["observed"]) == obs[w], (w, hist[w]["observed"], obs[w])
    e = n * math.comb(64, w) / 2**64
    assert math.isclose(float(hist[w]["expected"]), e, rel_tol=1e-9), (w, hist[w]["expected"], e)
close = lambda a, b: math.isclose(a, b, rel_tol=1e-9)
pclose = lambda a, b: math.isclose(a, b, rel_tol=5e-6)  # p-values are written %.6g
for name, lam in (("chisquare", "pearson"), ("gtest", "log-likelihood")):
    row = next(r for r in csv.DictReader(open(d + "/" + name + ".csv")) if r["group"] == "all" and r["subset"] == "all")
    cells = [tuple(map(int, c.split("-"))) if "-" in c else (int(c), int(c)) for c in row["cells"].split(";")]
    assert cells[0][0] == 0 and cells[-1][1] == 64
    o = [sum(obs[a:b + 1]) for a, b in cells]
    e = [n * sum(math.comb(64, w) for w in range(a, b + 1)) / 2**64 for a, b in cells]
    assert min(e) >= 5, e
    st, p = stats.power_divergence(o, e, lambda_=lam)
    assert int(row["df"]) == len(cells) - 1
    assert close(float(row["statistic"]), st), (name, row["statistic"], st)
    assert pclose(float(row["p"]), p), (name, row["p"], p)
    print("# %s: mpcap %s (p %s), scipy %.10g (p %.10g)" % (name, row["statistic"], row["p"], st, p))
bits = {int(r["bit"]): r for r in csv.DictReader(open(d + "/bit-table.csv"))
        if r["group"] == "all" and r["subset"] == "all"}
for b in range(64):
    ones = sum(k >> b & 1 for k in keys)
    assert int(bits[b]["ones"]) == ones
    assert pclose(float(bits[b]["p"]), stats.binomtest(ones, n, 0.5).pvalue), b
PY

# --- tidy CSV: every stats table read by pandas with the types 'mpcap columns' declares; every
# p-value is %.6g and above 0 (the replay lab's underflows included, below); the chi-square and
# G-test rows have their df; randomness.csv: the smallest p as statistic, the number of tests in
# its own column, p = min(1, tests * statistic)
"$M" columns >"$T/columns.md"
tidy() { # DIR
	"$PY" - "$T/columns.md" "$1" <<'PY'
import math, re, sys
import pandas as pd
doc, d = open(sys.argv[1]).read(), sys.argv[2]
want = {"integer": "Int64", "number": "float64"}
for f in ["chisquare.csv", "gtest.csv", "weight-bins.csv", "bits.csv", "duplicates.csv", "randomness.csv",
          "histogram.csv", "bit-table.csv", "duplicate-keys.csv", "replay-share.csv"]:
    sec = re.search(r"^## %s \(mpcap stats\)\n(.*?)(?=^## |\Z)" % re.escape(f), doc, re.S | re.M).group(1)
    types = dict(re.findall(r"^\| `([^`]+)` \| (\w+) \|", sec, re.M))
    df = pd.read_csv(d + "/" + f, dtype={c: want.get(t, "string") for c, t in types.items()})
    assert list(df.columns) == list(types), (f, list(df.columns), list(types))
    raw = pd.read_csv(d + "/" + f, dtype=str, keep_default_na=False)
    for c in ("p", "p_holm"):
        if c in raw:
            for v in raw[c][raw[c] != ""]:
                assert float(v) > 0 and float(v) <= 1, (f, c, v)
                assert v == "%.6g" % float(v), (f, c, v)
    if f in ("chisquare.csv", "gtest.csv"):
        run = df[df["decision"] != "too-few-keys"]
        assert run["df"].notna().all() and (run["df"] > 0).all(), (f, run["df"].tolist())
    if f == "randomness.csv":
        for _, r in df.iterrows():
            if r["decision"] == "too-few-keys":
                continue
            assert pd.isna(r["df"]), r
            assert 1 <= r["tests"] <= 4, r
            assert 0 < r["statistic"] <= 1, r
            assert math.isclose(r["p"], min(1, r["tests"] * r["statistic"]), rel_tol=1e-5) or \
                "%.6g" % r["p"] == "2.22507e-308", r  # an underflow of both
PY
}
check "stats tables: pandas dtypes, p-values %.6g and > 0, df filled, randomness.csv's tests column" tidy "$T/s"

# --- the same capture through mpcap analyze: one key per target (4 targets)
"$M" analyze -q -o "$T/r" "$KEYS" 2>"$T/err"
check_eq "analyze of the kernel key capture exits 0" 0 $?
"$M" stats -q -o "$T/sr" "$T/r" 2>"$T/err"
check_eq "stats on its results directory exits 0" 0 $?
check_eq "its 4 keys: consistent" consistent "$(col "$T/sr/randomness.csv" all all decision)"
check_eq "its 4 keys: too few for chi-square" too-few-keys "$(col "$T/sr/chisquare.csv" all all decision)"

# --- replays: the verdict lab's mirror returns the probe key (weight 16)
"$M" analyze -q -o "$T/v" "$VERDICTS" 2>"$T/err"
"$M" stats -o "$T/sv" --by verdict "$T/v/targets.csv" >"$T/vsum.txt" 2>"$T/err"
check_eq "stats on the verdict lab exits 0" 0 $?
check_eq "all keys: not random" not-random "$(col "$T/sv/randomness.csv" all all decision)"
check "outlier at weight 16 = probe key weight is named" grep -q "outlier at weight 16 = probe key weight" "$T/vsum.txt"
check "weight-bins.csv flags 16 as the probe weight" grep -q "16:excess:probe-weight" "$T/sv/weight-bins.csv"
check_eq "after removing replays: consistent" consistent "$(col "$T/sv/randomness.csv" all cleaned decision)"
check_eq "verdict=replay group: not random" not-random "$(col "$T/sv/randomness.csv" verdict=replay all decision)"
check_eq "verdict=mptcp group: consistent" consistent "$(col "$T/sv/randomness.csv" verdict=mptcp all decision)"
check "the verdict lab's tables are tidy as above" tidy "$T/sv"
# every kernel SYN-ACK given one key (a replaying box's signature): p-values underflow
"$PY" -c '
import csv, sys
r = csv.DictReader(open(sys.argv[1])); w = csv.DictWriter(open(sys.argv[2], "w", newline=""), r.fieldnames)
w.writeheader()
for row in r:
    if row["sender_key"]:
        row["sender_key"] = "0c0c0c0c0c0c0c0c"
    w.writerow(row)
' "$T/keys.csv" "$T/same.csv"
"$M" stats -q -o "$T/ss" "$T/same.csv" 2>"$T/err"
check_eq "stats on 3000 copies of one key exits 0" 0 $?
check_eq "their randomness.csv: p underflows to the smallest normal double, not 0" "2.22507e-308 not-random" \
	"$(col "$T/ss/randomness.csv" all all p) $(col "$T/ss/randomness.csv" all all decision)"
check "and every table stays tidy (p > 0)" tidy "$T/ss"
# seven outlier weights (8..14, 60 keys each): the summary details four, then points to the file once
"$PY" -c '
import csv, sys
r = csv.DictReader(open(sys.argv[1])); w = csv.DictWriter(open(sys.argv[2], "w", newline=""), r.fieldnames)
w.writeheader()
i = 0
for row in r:
    if row["sender_key"] and i < 420:
        row["sender_key"] = "%016x" % (((1 << (8 + i // 60)) - 1) << (i % 60 % 40))
        i += 1
    w.writerow(row)
' "$T/keys.csv" "$T/low.csv"
"$M" stats -o "$T/sl" "$T/low.csv" >"$T/lsum.txt" 2>"$T/err"
check_eq "seven outlier weights: four detailed in the summary's line of all keys" 4 \
	"$(sed -n 3p "$T/lsum.txt" | grep -o 'outlier at weight' | wc -l)"
check "... then 'more outliers in weight-bins.csv' once, and no outlier after it" \
	grep -q 'outlier at weight 11 ([^)]*); more outliers in weight-bins.csv; replay share' "$T/lsum.txt"

# --- command line
out=$("$M" stats --help); rc=$?
check_eq "--help exits 0" 0 $rc
check "--help shows the usage line" grep -q '^usage: mpcap stats ' <<<"$out"
check "stats --help equals help stats" bash -c "diff <('$M' stats --help) <('$M' help stats) >/dev/null"
"$M" stats 2>/dev/null; check_eq "no RESULTS: exit 2" 2 $?
"$M" stats --alpha 2 "$T/keys.csv" 2>/dev/null; check_eq "--alpha 2: exit 2" 2 $?
"$M" stats --alpha x "$T/keys.csv" 2>/dev/null; check_eq "--alpha x: exit 2" 2 $?
"$M" stats --frobnicate "$T/keys.csv" 2>/dev/null; check_eq "unknown option: exit 2" 2 $?
for bad in missing badkey nokey bycol; do
	case $bad in
	missing) f=$T/missing.csv; args=() ;;
	badkey) f=$T/badkey.csv; printf 'scan,key,probe_key\n2020-07,0c0c0c0c0c0c0c0c,\n2020-07,12zz,\n' >"$f"; args=() ;;
	nokey) f=$T/nokey.csv; printf 'a,b\n1,2\n' >"$f"; args=() ;;
	bycol) f=$T/keys.csv; args=(--by nosuchcolumn) ;;
	esac
	rm -rf "$T/o"
	"$M" stats -q -o "$T/o" "${args[@]}" "$f" 2>"$T/err"; rc=$?
	check_eq "$bad: exit 1" 1 $rc
	check_eq "$bad: one line on stderr" 1 "$(wc -l <"$T/err")"
	check "$bad: the line names the file" grep -qF "$f" "$T/err"
	check "$bad: no output written" bash -c "[ ! -e '$T/o/chisquare.csv' ]"
done
"$M" stats -q -o "$T/o" "$T/badkey.csv" 2>"$T/err"
check "bad key: says line 3" grep -q "badkey.csv: line 3: key '12zz'" "$T/err"
finish
