#!/bin/bash
# report.sh — mpcap report end to end.  The committed lab captures are
# analysed as two monthly scans (netns-foundation as 2020-07, netns-verdicts as
# 2020-08), traced (netns-verdicts holds TTL-limited probes), and reported.
# Oracles: the tables are recounted here in awk from the scans' targets.csv,
# summary.csv and the trace's classification.csv, and the Binomial(64, 1/2)
# expectation in Python; the charts are decoded by a PNG reader written here
# (zlib + unfiltering, no mpcap or cairo code); index.html is rendered by
# headless Chromium, which must load every image and draw a non-blank page.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh
M=$MPCAP
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=/usr/bin/python3

"$M" analyze -q --scan 2020-07 -o "$T/07" samples/captures/netns-foundation.pcap
"$M" analyze -q --scan 2020-08 -o "$T/08" samples/captures/netns-verdicts.pcap
"$M" trace -q -o "$T/tb" --targets "$T/08/targets.csv" samples/captures/netns-verdicts.pcap
"$M" report -o "$T/r" --trace "$T/tb" "$T/08" "$T/07" >"$T/out" 2>"$T/err"
rc=$?
check_eq "report exits 0" 0 $rc
check "report prints where the index is" grep -q "$T/r/index.html" "$T/out"
check_eq "report is silent on stderr" "" "$(cat "$T/err")"
R=$T/r

# --- files
for f in adoption.csv monthly.csv key-stats.csv key-weights.csv key-bits.csv tracebox.csv trace-hops.csv \
	top-as.csv countries.csv index.html README.md weights-all.png bits-all.png weights-ipv6-443.png \
	monthly-ipv4.png monthly-ipv6.png top-as-ipv4.png top-as-ipv6.png countries.png tracebox-classes.png \
	trace-hops.png; do
	check "$f written" test -s "$R/$f"
done
check_eq "no temporary file left" "" "$(find "$R" -name '.*tmp*')"

# --- adoption.csv against counts made here from targets.csv and summary.csv
# col FILE NAME: prints the column NAME of every row, keyed "scan family port"
col() { awk -F, -v c="$2" 'NR==1{for(i=1;i<=NF;i++) n[$i]=i; next} {print $1, $2, $3, $n[c]}' "$1"; }
# per (scan, family, port): distinct targets of each kind, from targets.csv
recount() { # DIR
	awk -F, 'NR==1{for(i=1;i<=NF;i++) n[$i]=i; next}
	{ t=$n["scan"] " " $n["family"] " " $n["port"]; a=t " " $n["address"]
	  if ($n["mpc_version"] != "") mpc[a]=1
	  if (length($n["key"]) == 16 && $n["key"] != $n["probe_key"]) kd[a]=1
	  if ($n["verdict"] == "mptcp") tm[a]=1
	  if ($n["verdict"] == "replay" || $n["verdict"] == "modified" || $n["verdict"] == "shared-key") mb[a]=1
	  grp[a]=t }
	END { for (a in grp) { g=grp[a]; M[g]+=mpc[a]; K[g]+=kd[a]; B[g]+=mb[a]; if (tm[a] && !mb[a]) TM[g]++ }
	      for (g in M) print g, M[g]+0, K[g]+0, TM[g]+0, B[g]+0 }' "$1/targets.csv"
}
{ recount "$T/07"; recount "$T/08"; } | sort >"$T/expect"
awk -F, 'NR==1{for(i=1;i<=NF;i++) n[$i]=i; next} $1!="all" && $n["mpcapable"]>0 {
	print $1, $2, $3, $n["mpcapable"], $n["key_differs"], $n["mptcp_verdict"], $n["middlebox_verdict"]}' "$R/adoption.csv" |
	sort >"$T/got"
check "adoption per scan: mpcapable, key_differs, mptcp_verdict, middlebox_verdict recounted from targets.csv" \
	diff "$T/expect" "$T/got"
check_eq "adoption: 4 family/port pairs with MP_CAPABLE in each of 2 scans" 8 "$(wc -l <"$T/got")"
# responsive from summary.csv
awk -F, '$2=="targets.responsive" && $3!="" {print $1, $3, $4, $5}' "$T/07/summary.csv" "$T/08/summary.csv" |
	sort >"$T/expect"
col "$R/adoption.csv" responsive | grep -v '^all ' | sort >"$T/got"
check "adoption: responsive equals summary.csv's targets.responsive" diff "$T/expect" "$T/got"
# all scans: distinct hosts, and consistency (MP_CAPABLE in both scans)
all_mpc=$(awk -F, 'FNR==1{for(i=1;i<=NF;i++) n[$i]=i; next} $n["mpc_version"]!="" {h[$n["family"] " " $n["port"] " " $n["address"]]=1}
	END{for (k in h) {split(k, p, " "); c[p[1] " " p[2]]++} for (g in c) print g, c[g]}' "$T/07/targets.csv" "$T/08/targets.csv" | sort)
got=$(awk -F, 'NR==1{for(i=1;i<=NF;i++) n[$i]=i; next} $1=="all" && $n["mpcapable"]>0 {print $2, $3, $n["mpcapable"]}' "$R/adoption.csv" | sort)
check_eq "adoption all: distinct MP_CAPABLE hosts over both scans" "$all_mpc" "$got"
cons=$(awk -F, 'FNR==1{for(i=1;i<=NF;i++) n[$i]=i; next} $n["mpc_version"]!="" {k=$n["family"] " " $n["port"] " " $n["address"]; s[k, FILENAME]=1; h[k]=1}
	END{for (k in h) if (s[k, ARGV[1]] && s[k, ARGV[2]]) {split(k, p, " "); c[p[1] " " p[2]]++} for (g in c) print g, c[g]}' \
	"$T/07/targets.csv" "$T/08/targets.csv" | sort)
got=$(awk -F, 'NR==1{for(i=1;i<=NF;i++) n[$i]=i; next} $1=="all" && $n["consistent"]>0 {print $2, $3, $n["consistent"]}' "$R/adoption.csv" | sort)
check_eq "adoption all: consistent = MP_CAPABLE in both scans" "$cons" "$got"
check_eq "adoption all: unique responsive from targets.sets (IPv4 port 80: 6 targets)" 6 \
	"$(awk -F, '$1=="all" && $2==4 && $3==80 {print $5}' "$R/adoption.csv")"
check_eq "adoption: key_differs_share = key_differs / mpcapable (2020-08, IPv4, 80)" "0.666667" \
	"$(awk -F, 'NR==1{for(i=1;i<=NF;i++) n[$i]=i; next} $1=="2020-08" && $2==4 && $3==80 {print $n["key_differs_share"]}' "$R/adoption.csv")"

# --- monthly.csv: verdict rows are summary.csv's counters; class rows the recount
awk -F, '$2 ~ /^verdict\./ && $3!="" && $5>0 {sub("verdict.", "", $2); print $1, $3, $4, $2, $5}' \
	"$T/07/summary.csv" "$T/08/summary.csv" | sort >"$T/expect"
awk -F, '$4=="verdict" && $6>0 {print $1, $2, $3, $5, $6}' "$R/monthly.csv" | sort >"$T/got"
check "monthly: verdict counts equal summary.csv" diff "$T/expect" "$T/got"
check_eq "monthly: 2020-08 IPv6 443 mptcp-verdict and middlebox-verdict" "1 2" \
	"$(awk -F, '$1=="2020-08" && $2==6 && $3==443 && $4=="class" {v[$5]=$6} END{print v["mptcp-verdict"], v["middlebox-verdict"]}' "$R/monthly.csv")"

# --- one vocabulary: "true MPTCP" is the tracebox-confirmed count only
# adoption's true_mptcp / middlebox_affected per traced scan = classification.csv recounted;
# the untraced scan (2020-07) has them empty and traced 0
awk -F, 'NR==1{for(i=1;i<=NF;i++) n[$i]=i; next} {k=$n["scan"] " " $n["family"] " " $n["port"]; g[k]=1
	t[k]+=$n["class"]=="true-mptcp"; m[k]+=$n["class"]=="middlebox"} END{for (k in g) print k, t[k]+0, m[k]+0}' \
	"$T/tb/classification.csv" | sort >"$T/expect"
awk -F, 'NR==1{for(i=1;i<=NF;i++) n[$i]=i; next} $1=="2020-08" && $n["mpcapable"]>0 {print $1, $2, $3, $n["true_mptcp"], $n["middlebox_affected"]}' \
	"$R/adoption.csv" | sort >"$T/got"
check "adoption: true_mptcp and middlebox_affected of the traced scan = classification.csv" diff "$T/expect" "$T/got"
check_eq "adoption: the untraced scan has traced 0 and no true_mptcp" "0:" \
	"$(awk -F, 'NR==1{for(i=1;i<=NF;i++) n[$i]=i; next} $1=="2020-07" {print $n["traced"] ":" $n["true_mptcp"]}' "$R/adoption.csv" | sort -u)"
check_eq "monthly: the untraced scan's tracebox rows say untraced, no count" "untraced:" \
	"$(awk -F, '$1=="2020-07" && $4=="tracebox" {print $5 ":" $6}' "$R/monthly.csv" | sort -u)"
check_eq "monthly: 2020-08 IPv4 80 tracebox true-mptcp and middlebox-affected" "1 2" \
	"$(awk -F, '$1=="2020-08" && $2==4 && $3==80 && $4=="tracebox" {v[$5]=$6} END{print v["true-mptcp"], v["middlebox-affected"]}' "$R/monthly.csv")"
check "no report column named true_* counts scan verdicts: adoption's true_mptcp is empty without a trace" \
	bash -c "'$M' report -q -o '$T/nt' '$T/07' && awk -F, 'NR==1{for(i=1;i<=NF;i++) n[\$i]=i; next} \$n[\"true_mptcp\"]!=\"\" {exit 1}' '$T/nt/adoption.csv'"
check "monthly chart data without a trace: scan verdicts, named so in index.html" \
	grep -q 'MPTCP by scan verdict and middlebox-affected hosts per scan: IPv4' "$T/nt/index.html"
check "monthly chart with a trace: true MPTCP (tracebox-confirmed), untraced scan marked" \
	bash -c "grep -q 'True MPTCP (tracebox-confirmed) and middlebox-affected hosts per scan: IPv4' '$R/index.html' && grep -q 'untraced: 2020-07' '$R/index.html'"
check "no chart title calls scan-verdict counts true" bash -c "! grep -qi 'true MPTCP hosts (verdict' '$R/index.html' '$T/nt/index.html'"
# one trace directory per scan: a second scan traced through its own directory
"$M" trace -q -o "$T/tb7" --targets "$T/07/targets.csv" samples/captures/netns-foundation.pcap
"$M" report -q -o "$T/r2" --trace "$T/tb" --trace "$T/tb7" "$T/08" "$T/07"
check_eq "two --trace directories: both scans traced" "1" \
	"$(awk -F, 'NR==1{for(i=1;i<=NF;i++) n[$i]=i; next} $1!="all" {print $n["traced"]}' "$T/r2/adoption.csv" | sort -u)"
check_eq "two --trace directories: tracebox.csv holds rows of both scans" "2020-07 2020-08" \
	"$(awk -F, 'NR>1 {print $1}' "$T/r2/tracebox.csv" | sort -u | tr '\n' ' ' | sed 's/ $//')"
"$M" report -q -o "$T/bad" --trace "$T/tb" --trace "$T/tb" "$T/08" "$T/07" 2>"$T/err"
check_eq "the same scan traced twice exits 1" 1 $?
check "the error names the scan" grep -q "scan '2020-08' already has a trace directory" "$T/err"
"$M" report -q -o "$T/bad" --trace "$T/tb" "$T/07" 2>"$T/err"
check_eq "a trace of a scan not given exits 1" 1 $?
check "the error names the scan" grep -q "names scan '2020-08', which is none of the results given" "$T/err"

# --- key statistics
nkeys=$(awk -F, 'FNR==1{for(i=1;i<=NF;i++) n[$i]=i; next} length($n["key"])==16 {c++} END{print c}' "$T/07/targets.csv" "$T/08/targets.csv")
at16=$(awk -F, 'FNR==1{for(i=1;i<=NF;i++) n[$i]=i; next} length($n["key"])==16 && $n["key_weight"]==16 {c++} END{print c}' "$T/07/targets.csv" "$T/08/targets.csv")
check_eq "key-stats: n of all keys = keys in targets.csv" "$nkeys" \
	"$(awk -F, '$1=="all" && $2=="all" {print $3}' "$R/key-stats.csv")"
check_eq "key-stats: the probe key and its weight" "0c0c0c0c0c0c0c0c 16 $at16" \
	"$(awk -F, '$1=="all" && $2=="all" {print $4, $5, $6}' "$R/key-stats.csv")"
check_eq "key-weights: observed sums to n" "$nkeys" \
	"$(awk -F, '$1=="all" && $2=="all" {s+=$4} END{print s}' "$R/key-weights.csv")"
check "key-weights: expected = n*C(64,w)/2^64 (Python's math.comb)" "$PY" -c '
import csv, math, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["group"] == "all" and r["subset"] == "all"]
n = sum(int(r["observed"]) for r in rows)
assert len(rows) == 65
for r in rows:
    e = n * math.comb(64, int(r["weight"])) / 2**64
    assert abs(float(r["expected"]) - e) <= 1e-6 + 1e-9 * e, (r, e)
' "$R/key-weights.csv"
check_eq "key-bits: 64 positions per group" 64 "$(awk -F, '$1=="all"' "$R/key-bits.csv" | wc -l)"
check "key-bits: ones recounted from the keys" "$PY" -c '
import csv, sys
keys = [int(r["key"], 16) for f in sys.argv[2:] for r in csv.DictReader(open(f)) if len(r["key"]) == 16]
for r in csv.DictReader(open(sys.argv[1])):
    if r["group"] != "all":
        continue
    b = int(r["bit"])
    assert int(r["ones"]) == sum(k >> b & 1 for k in keys), r
' "$R/key-bits.csv" "$T/07/targets.csv" "$T/08/targets.csv"

check "key-bits: a bit is flagged exactly when its fraction leaves the band (one Holm rule)" "$PY" -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows
for r in rows:
    f, lo, hi = float(r["fraction"]), float(r["band_low"]), float(r["band_high"])
    assert (r["biased"] == "1") == (f < lo or f > hi), r
' "$R/key-bits.csv"
check "key-bits: biased = Holm-adjusted p < alpha (0.01)" "$PY" -c '
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    assert (r["biased"] == "1") == (float(r["p_holm"]) < 0.01), r
' "$R/key-bits.csv"

# --- tracebox: classification.csv recounted
awk -F, 'NR==1{for(i=1;i<=NF;i++) n[$i]=i; next} {c[$n["scan"] " " $n["family"] " " $n["port"] " " $n["class"]]++} END{for (k in c) print k, c[k]}' \
	"$T/tb/classification.csv" | sort >"$T/expect"
awk -F, 'NR>1 && $5>0 {print $1, $2, $3, $4, $5}' "$R/tracebox.csv" | sort >"$T/got"
check "tracebox: classes recounted from classification.csv" diff "$T/expect" "$T/got"
awk -F, 'NR==1{for(i=1;i<=NF;i++) n[$i]=i; next} $n["mpc_changed_hop"]!="" {c[$n["family"] " " $n["port"] " " $n["mpc_changed_hop"] " " $n["mpc_change"]]++}
	END{for (k in c) print k, c[k]}' "$T/tb/destinations.csv" | sort >"$T/expect"
awk -F, 'NR>1 {print $1, $2, $3, $4, $5}' "$R/trace-hops.csv" | sort >"$T/got"
check "trace-hops: first changed hop recounted from destinations.csv" diff "$T/expect" "$T/got"
check "trace-hops: the stripping router is hop 3" grep -q '^4,80,3,replaced-by-nops,1$' "$R/trace-hops.csv"

# --- tidy CSV: every report table read by pandas with the types 'mpcap columns' declares (integer ->
# Int64, number -> float64, text -> string): a cell that is not of its column's type fails the read;
# p-values are numbers above 0 (an underflow is the smallest normal double, never 0)
"$M" columns >"$T/columns.md"
check "every report CSV reads in pandas with the declared dtypes; p-values > 0" "$PY" - "$T/columns.md" "$R" <<'PY'
import re, sys
import pandas as pd
doc, R = open(sys.argv[1]).read(), sys.argv[2]
want = {"integer": "Int64", "number": "float64"}
files = ["adoption.csv", "monthly.csv", "key-stats.csv", "key-weights.csv", "key-bits.csv",
         "tracebox.csv", "trace-hops.csv", "top-as.csv", "countries.csv"]
for f in files:
    sec = re.search(r"^## %s \(mpcap report\)\n(.*?)(?=^## |\Z)" % re.escape(f), doc, re.S | re.M).group(1)
    types = dict(re.findall(r"^\| `([^`]+)` \| (\w+) \|", sec, re.M))
    df = pd.read_csv(R + "/" + f, dtype={c: want.get(t, "string") for c, t in types.items()})
    assert list(df.columns) == list(types), (f, list(df.columns), list(types))
    raw = pd.read_csv(R + "/" + f, dtype=str, keep_default_na=False)
    for c, t in types.items():  # pandas casts "0.000000" to Int64: integers are digits only
        if t == "integer":
            bad = raw[c][~raw[c].str.fullmatch(r"-?[0-9]*")]
            assert bad.empty, (f, c, bad.head().tolist())
    for c in df.columns:
        if c.endswith("_p") or c == "p_holm":
            v = df[c].dropna()
            assert (v > 0).all() and (v <= 1).all(), (f, c, v[(v <= 0) | (v > 1)].head())
    assert (df.get("scope", pd.Series(["scan"])).isin(["scan", "all"])).all(), f
a = pd.read_csv(R + "/adoption.csv")
assert ((a["scope"] == "all") == (a["scan"] == "all")).all()
PY

# --- without --attribution the AS and country charts say so
check "README marks the AS chart as without data" grep -q 'top-as-ipv4.png.*(no data)' "$R/README.md"
check_eq "top-as.csv holds its header only" 1 "$(wc -l <"$R/top-as.csv")"

# --- with the tables of 'mpcap attribute' (when that subcommand is built)
D=tests/data/attribution
if "$M" help attribute >/dev/null 2>&1 && [ -d "$D" ]; then
	"$M" attribute -o "$T/attr" --asn "$D/lab-v4.pfx2as" --asn "$D/lab-v6.pfx2as.gz" --as-names "$D/lab-as2org.txt" \
		--geo "$D/delegated-lab-apnic" --geo "$D/delegated-lab-ripencc" "$T/07" "$T/08" 2>/dev/null
	"$M" report -q -o "$T/ra" --attribution "$T/attr" "$T/07" "$T/08"
	check_eq "report with --attribution exits 0" 0 $?
	# the latest scan, ports summed, unknown and zero not ranked, count desc then AS asc
	awk -F, 'NR==1{for(i=1;i<=NF;i++) n[$i]=i; next} {r[NR]=$0; if ($1>last) last=$1}
		END{for (i in r) {split(r[i], f, ","); if (f[1]==last && f[n["asn"]]!="unknown") v[f[2] " " f[n["asn"]]]+=f[n["mptcp"]]}
		    for (k in v) if (v[k]>0) print k, v[k]}' "$T/attr/by_as.csv" | sort -k1,1n -k3,3nr -k2,2n >"$T/expect"
	awk -F, 'NR>1 {print $1, $3, $5}' "$T/ra/top-as.csv" >"$T/got"
	check "top-as.csv recounted from by_as.csv" diff "$T/expect" "$T/got"
	check "the AS chart has data" bash -c "! grep -q 'top-as-ipv4.png.*(no data)' '$T/ra/README.md'"
else
	ok "# SKIP mpcap attribute not built"
fi

# --- charts: decoded here, the asked size, not blank
cat >"$T/png.py" <<'PY'
# A PNG reader independent of cairo: chunks, zlib, the five filters.
import struct, sys, zlib
def read(path):
    d = open(path, "rb").read()
    assert d[:8] == b"\x89PNG\r\n\x1a\n", "signature"
    pos, idat, w = 8, b"", None
    while pos < len(d):
        n, t = struct.unpack(">I4s", d[pos:pos + 8]); body = d[pos + 8:pos + 8 + n]
        assert zlib.crc32(t + body) == struct.unpack(">I", d[pos + 8 + n:pos + 12 + n])[0], "crc"
        if t == b"IHDR": w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif t == b"IDAT": idat += body
        elif t == b"IEND": break
        pos += 12 + n
    bpp = {2: 3, 6: 4}[ctype]; assert depth == 8
    raw, stride, prev, rows, i = zlib.decompress(idat), w * bpp, bytearray(w * bpp), [], 0
    for y in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0; b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line); prev = line
    return w, h, bpp, rows
def dark_share(w, h, bpp, rows, y0=0, y1=None):
    y1 = h if y1 is None else y1
    ys, xs = range(y0, y1, 2), range(0, w * bpp, 2 * bpp)  # every other row and pixel
    dark = sum(1 for y in ys for x in xs if min(rows[y][x:x + 3]) < 200)
    return dark / (len(ys) * len(xs))
if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "size":
        w, h, bpp, rows = read(sys.argv[2]); print(w, h)
    elif mode == "chart":  # size and ink in the middle of the chart
        w, h, bpp, rows = read(sys.argv[2])
        print(w, h, "ink" if dark_share(w, h, bpp, rows, h // 4, 3 * h // 4) > 0.001 else "blank")
    elif mode == "page":  # a screenshot: ink in each quarter of the page's upper part
        w, h, bpp, rows = read(sys.argv[2])
        shares = [dark_share(w, h, bpp, rows, q * h // 8, (q + 1) * h // 8) for q in range(4)]
        print("ink" if all(s > 0.002 for s in shares) else "blank %s" % shares)
PY
for f in "$R"/*.png; do
	check_eq "$(basename "$f"): a 1280x800 PNG with ink in its plot" "1280 800 ink" "$("$PY" "$T/png.py" chart "$f" 2>&1)"
done

# --- index.html: static, every chart with its table
H=$R/index.html
check_eq "index.html has one inline script (table sorting), none loaded" "1" "$(grep -ci '<script>' "$H")"
check "index.html loads no script file" bash -c "! grep -qi '<script[^>]*src' '$H'"
check "index.html's foot names the version, the date and the command" \
	bash -c "grep -q '<footer><p>mpcap [0-9].*, [0-9]\{4\}-[0-9][0-9]-[0-9][0-9] (UTC). Command: <code>' '$H'"
check "index.html loads nothing from the network" bash -c "! grep -Eqi '(src|href)=\"(https?:)?//' '$H'"
imgs=$(grep -o '<img src="[^"]*"' "$H" | sed 's/.*src="//; s/"$//')
pngs=("$R"/*.png)
check_eq "index.html shows every chart" "${#pngs[@]}" "$(echo "$imgs" | grep -c .)"
for i in $imgs; do
	check "index.html: $i exists" test -s "$R/$i"
done
check "every chart has a caption" bash -c "[ \$(grep -c '<figcaption>' '$H') -eq \$(grep -c '<img ' '$H') ]"
check "every chart's table is linked" bash -c "grep -q 'href=\"key-weights.csv\"' '$H' && grep -q 'href=\"tracebox.csv\"' '$H'"
check "img sizes are the PNGs' own (1280x800): figures at their natural width" \
	bash -c "[ \$(grep -c '<img [^>]*width=\"1280\" height=\"800\"' '$H') -eq \$(grep -c '<img ' '$H') ]"
check "the command at the foot is written once (not 'mpcap mpcap')" \
	bash -c "grep -q '<code>mpcap report ' '$H' && ! grep -q 'mpcap mpcap' '$H'"

# --- the browser: Chromium renders index.html from disk, every image loads
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
	not_ok "chromium not installed (Debian package chromium, scripts/install-deps.sh)"
else
	chrome() { timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --hide-scrollbars \
		--user-data-dir="$(mktemp -d -p "$T")" "$@" 2>/dev/null; }
	# a copy of the page with a script that counts the images that did not load and measures
	# the page's width against the window's (index.html's own script only sorts tables)
	"$PY" -c '
import sys
page = open(sys.argv[1]).read()
script = """<script>addEventListener("load", function () { var bad = 0, n = 0;
  for (var i of document.images) { n++; if (!i.complete || i.naturalWidth === 0) bad++; }
  var d = document.documentElement;
  document.body.setAttribute("data-images", n + " " + bad);
  document.body.setAttribute("data-hscroll", d.scrollWidth > window.innerWidth ? "yes" : "no");
  document.body.setAttribute("data-headline", document.querySelectorAll("#headline tbody tr").length);
  var w = [], col = document.body.clientWidth;
  for (var i of document.images) w.push(i.getBoundingClientRect().width);
  /* the narrowest figure against the column: at 1280 px it fills the column (natural width
     1280 px fitted by max-width), on a phone it shrinks to the window */
  document.body.setAttribute("data-imgw", Math.round(Math.min.apply(null, w)) + " " +
    Math.round(Math.max.apply(null, w)) + " " + Math.round(window.innerWidth)); });</script>"""
open(sys.argv[2], "w").write(page.replace("</body>", script + "</body>"))
' "$H" "$R/check.html"
	nimg=$(echo "$imgs" | grep -c .)
	for size in 1280,3000 390,2400; do
		w=${size%,*}
		chrome --screenshot="$T/shot-$w.png" --window-size="$size" "file://$H" >/dev/null
		check "chromium at $w px wrote a screenshot" test -s "$T/shot-$w.png"
		check_eq "the $w px screenshot is ${size/,/x}" "${size/,/ }" "$("$PY" "$T/png.py" size "$T/shot-$w.png" 2>&1)"
		check_eq "the $w px screenshot is not blank" "ink" "$("$PY" "$T/png.py" page "$T/shot-$w.png" 2>&1)"
		chrome --dump-dom --virtual-time-budget=15000 --window-size="$size" "file://$R/check.html" >"$T/dom-$w.html"
		check_eq "chromium at $w px loaded all $nimg images (loaded, broken)" "$nimg 0" \
			"$(grep -o 'data-images="[^"]*"' "$T/dom-$w.html" | sed 's/.*="//; s/"$//')"
		check_eq "at $w px the page does not scroll sideways (tables scroll in their own box)" "no" \
			"$(grep -o 'data-hscroll="[^"]*"' "$T/dom-$w.html" | sed 's/.*="//; s/"$//')"
		check_eq "at $w px the headline table comes first with a row per scan, family and port" "8" \
			"$(grep -o 'data-headline="[^"]*"' "$T/dom-$w.html" | sed 's/.*="//; s/"$//')"
		read -r imin imax iwin <<<"$(grep -o 'data-imgw="[^"]*"' "$T/dom-$w.html" | sed 's/.*="//; s/"$//')"
		if [ "$w" = 1280 ]; then # the column is 1100 px (and a 1 px border): every figure fills it
			check "at 1280 px every figure is at least 1000 px wide (narrowest ${imin:-?}, widest ${imax:-?})" \
				test "${imin:-0}" -ge 1000 -a "${imax:-9999}" -le 1104
		else # a phone: the figures shrink to the window, no wider
			check "at $w px the figures fit the window (${imin:-?}..${imax:-?} px of ${iwin:-?})" \
				test "${imin:-0}" -ge 300 -a "${imax:-9999}" -le "${iwin:-0}"
		fi
	done
	rm -f "$R/check.html"
fi

# --- other formats from the same drawing code
"$M" report -q -o "$T/svg" --format svg --width 800 --height 500 --dpi 96 "$T/07" "$T/08"
check_eq "svg report exits 0" 0 $?
check "every SVG parses as XML" "$PY" -c '
import glob, sys, xml.dom.minidom as m
fs = glob.glob(sys.argv[1] + "/*.svg"); assert len(fs) >= 10, fs
for f in fs:
    assert m.parse(f).documentElement.getAttribute("width") == "600pt", f
' "$T/svg"
check "index.html shows the SVGs" grep -q '<img src="weights-all.svg" width="800" height="500"' "$T/svg/index.html"
"$M" report -q -o "$T/pdf" --format pdf "$T/07" "$T/08"
check_eq "pdf report exits 0" 0 $?
check "every PDF starts with %PDF" bash -c "for f in '$T'/pdf/*.pdf; do head -c 5 \"\$f\" | grep -q '%PDF-' || exit 1; done"
check "index.html links the PDFs" grep -q 'href="weights-all.pdf"' "$T/pdf/index.html"

# --- errors: clear, one line, nothing written
"$M" report -o "$T/bad" "$T/07" "$T/nope" 2>"$T/err"
check_eq "a missing results directory exits 1" 1 $?
check "the error names the directory" grep -q "$T/nope: not a results directory" "$T/err"
check_eq "the error is one line" 1 "$(wc -l <"$T/err")"
check "nothing was written" test ! -e "$T/bad/index.html"
"$M" report -o "$T/bad" --format gif "$T/07" 2>"$T/err"
check_eq "--format gif exits 2" 2 $?
"$M" report -o "$T/bad" --width 50 "$T/07" 2>/dev/null
check_eq "--width 50 exits 2" 2 $?
"$M" report -o "$T/bad" --trace "$T/07" "$T/07" 2>"$T/err"
check_eq "--trace without destinations.csv exits 1" 1 $?
check "the error says what is missing" grep -q "no destinations.csv" "$T/err"
"$M" report -o "$T/bad" "$T/07" "$T/07" 2>"$T/err"
check_eq "the same scan twice exits 1" 1 $?
"$M" report 2>/dev/null
check_eq "no results directory exits 2" 2 $?
check "help report explains usage" bash -c "'$M' help report | grep -q 'usage: mpcap report'"
check "report --help equals help report" bash -c "diff <('$M' report --help) <('$M' help report) >/dev/null"
finish
