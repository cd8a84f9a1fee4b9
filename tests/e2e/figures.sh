#!/bin/bash
# figures.sh — `make figures` (scripts/figures.sh) into a temporary directory: its adoption
# table, monthly series and AS/country tables equal what the generator's ground truth says
# (truth-summary.csv and the per-target truth-*.csv, never mpcap's own outputs), and every
# figure is a real PNG of non-trivial size.  Takes about 10-20 s.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
: "${BUILD:=build}"
GEN=${GEN:-$BUILD/samples/mpcap-gen}
if [ ! -x "$GEN" ] || [ ! -x "$MPCAP" ]; then
	echo "Bail out! $MPCAP or $GEN missing (make all)"
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/figures

start=$SECONDS
scripts/figures.sh "$MPCAP" "$GEN" "$out" >"$tmp/log" 2>&1
rc=$?
check_eq "scripts/figures.sh exits 0" 0 "$rc"
[ "$rc" -eq 0 ] || sed 's/^/# /' "$tmp/log"
check "it runs in under a minute ($((SECONDS - start)) s)" test $((SECONDS - start)) -lt 60
check "it says where the results are" grep -q "Figures and tables are in $out/" "$tmp/log"
for f in README.md adoption-study.csv monthly-study.csv top-as-study.csv countries-study.csv \
	report/index.html samples/truth-summary.csv samples/gen-params.txt; do
	check "$f written" test -s "$out/$f"
done
check "it refuses to replace a directory it did not make" \
	bash -c '! scripts/figures.sh "$1" "$2" "$3" >/dev/null 2>&1 && test -e "$3/keep"' _ "$MPCAP" "$GEN" \
	"$(mkdir -p "$tmp/other" && touch "$tmp/other/keep" && echo "$tmp/other")"

# every figure: a PNG (signature and IHDR), at least 640 x 400 pixels and 20 kB
python3 - "$out/report" >"$tmp/pngs" 2>&1 <<'PY'
import os, struct, sys
for f in ("weights-all weights-ipv4 weights-ipv6 bits-all bits-ipv4 bits-ipv6 monthly-ipv4 monthly-ipv6 "
          "top-as-ipv4 top-as-ipv6 countries tracebox-classes trace-hops").split():
    p = os.path.join(sys.argv[1], f + ".png")
    if not os.path.exists(p):
        print("not ok|report/%s.png missing" % f)
        continue
    b = open(p, "rb").read(24)
    n = os.path.getsize(p)
    if b[:8] != b"\x89PNG\r\n\x1a\n" or b[12:16] != b"IHDR":
        print("not ok|report/%s.png is not a PNG" % f)
        continue
    w, h = struct.unpack(">II", b[16:24])
    good = w >= 640 and h >= 400 and n >= 20000
    print("%s|report/%s.png is a PNG of at least 640x400 and 20 kB (%dx%d, %d bytes)"
          % ("ok" if good else "not ok", f, w, h, n))
PY

# the tables against the generator's truth: one "ok|..." or "not ok|..." line per check
python3 - "$out" >"$tmp/checks" 2>&1 <<'PY'
import csv, glob, os, re, sys
from collections import defaultdict
out = sys.argv[1]
S = os.path.join(out, "samples")
def check(ok, what):
    print("%s|%s" % ("ok" if ok else "not ok", what))
def rows(p):
    with open(p, newline="") as fh:
        return list(csv.DictReader(fh))

summ = {(r["scan"], int(r["family"]), int(r["port"]), r["counter"]): int(r["value"])
        for r in rows(os.path.join(S, "truth-summary.csv"))}
months = sorted({k[0] for k in summ})
by_fp = defaultdict(list)  # (family, port) -> truth rows, and (family, port, scan) -> rows
for f in sorted(glob.glob(os.path.join(S, "truth-20*.csv"))):
    for r in rows(f):
        by_fp[(int(r["family"]), int(r["port"]))].append(r)
        by_fp[(int(r["family"]), int(r["port"]), r["scan"])].append(r)
truth = by_fp[(4, 80)] + by_fp[(4, 443)] + by_fp[(6, 80)] + by_fp[(6, 443)]
FP = [(4, 80), (4, 443), (6, 80), (6, 443)]
detail = lambda bad: " (%s)" % "; ".join(bad[:4]) if bad else ""
KEY_DIFFERS = ("mptcp-host", "mptcp-behind-rewriter", "key-near-box", "key-bytes-box", "shared-key-box")

# 1. the monthly series, scan by scan, equals truth-summary.csv
monthly = {(r["scan"], int(r["family"]), int(r["port"])): r
           for r in rows(os.path.join(out, "monthly-study.csv"))}
bad = []
for m in months:
    for f, p in FP:
        r = monthly.get((m, f, p))
        g = lambda c: summ.get((m, f, p, c), 0)
        want = dict(responsive=g("targets.responsive"), mpcapable=g("targets.mpcapable"),
                    replay=g("verdict.replay"), mptcp_verdict=g("verdict.mptcp"),
                    key_differs=sum(g("class." + c) for c in KEY_DIFFERS),
                    traced=g("tracebox.traced"), unreachable=g("tracebox.unreachable"),
                    true_mptcp=g("tracebox.true-mptcp"), middlebox_traced=g("tracebox.middlebox"))
        for k, v in want.items():
            if r is None or int(r[k]) != v:
                bad.append("%s %d/%d %s: %s, truth %d" % (m, f, p, k, r and r[k], v))
check(not bad, "monthly-study.csv equals truth-summary.csv in %d scans x 4%s" % (len(months), detail(bad)))
# 1b. the report's monthly figure data: tracebox-confirmed true MPTCP and middlebox-affected per month
#     (kind tracebox in report/monthly.csv), never the scan verdicts.  Middlebox-affected is the final
#     class: the truth's tracebox middlebox, or a middlebox verdict the trace could not reach
#     (docs/samples.md, tracebox class in the truth)
rep = defaultdict(dict)
for r in rows(os.path.join(out, "report", "monthly.csv")):
    if r["kind"] == "tracebox":
        rep[(r["scan"], int(r["family"]), int(r["port"]))][r["name"]] = r["targets"]
MBV = ("replay", "modified", "shared-key")
bad = []
for m in months:
    for f, p in FP:
        got = rep.get((m, f, p), {})
        T = [r for r in by_fp[(f, p, m)] if r["mpc_length"]]
        want = {"true-mptcp": summ.get((m, f, p, "tracebox.true-mptcp"), 0),
                "middlebox-affected": len({(r["address"], r["port"]) for r in T if r["tracebox"] == "middlebox"
                                           or (r["tracebox"] == "unreachable" and r["verdict"] in MBV)})}
        for k, v in want.items():
            if got.get(k) != str(v):
                bad.append("%s %d/%d %s: %s, truth %d" % (m, f, p, k, got.get(k), v))
check(not bad, "report/monthly.csv: confirmed true MPTCP and middlebox-affected per month equal the truth%s"
      % detail(bad))

# 2. the adoption table: generated counts (per-scan means from truth-summary.csv, unique counts
#    and study units from the per-target truth rows and their weights)
A = {(r["units"], r["family"], r["port"]): r for r in rows(os.path.join(out, "adoption-study.csv"))}
def uniq(f, ports, pred):
    return {(r["address"], r["port"]) for q in ports for r in by_fp[(f, q)] if pred(r)}
def w_uniq(f, ports, pred):
    last = {(r["address"], r["port"]): float(r["weight"]) for q in ports for r in by_fp[(f, q)] if pred(r)}
    return sum(last.values())
def per_scan_w(f, ports, pred):
    return [sum(float(r["weight"]) for q in ports for r in by_fp[(f, q, m)] if pred(r)) for m in months]
mean = lambda xs: sum(xs) / len(xs)
for f, p in FP + [(4, "all"), (6, "all")]:
    ports = [p] if p != "all" else [80, 443]
    G, U = A[("generated", str(f), str(p))], A[("study", str(f), str(p))]
    s = lambda c: [sum(summ.get((m, f, q, c), 0) for q in ports) for m in months]
    kd = [sum(summ.get((m, f, q, "class." + c), 0) for q in ports for c in KEY_DIFFERS) for m in months]
    mpc = lambda r: r["mpc_length"] != ""
    traced = lambda r: r["tracebox"] != "untraced"
    exact = dict(responsive_per_scan="%.2f" % mean(s("targets.responsive")),
                 mpcapable_per_scan="%.2f" % mean(s("targets.mpcapable")),
                 key_differs_per_scan="%.2f" % mean(kd),
                 key_differs_share="%.4f" % mean([a / b for a, b in zip(kd, s("targets.mpcapable"))]),
                 traced_per_scan="%.2f" % mean(s("tracebox.traced")),
                 unreachable_per_scan="%.2f" % mean(s("tracebox.unreachable")),
                 unreachable_share="%.4f" % mean([a / b for a, b in zip(s("tracebox.unreachable"),
                                                                      s("tracebox.traced"))]),
                 responsive_unique=str(len(uniq(f, ports, lambda r: True))),
                 mpcapable_unique=str(len(uniq(f, ports, mpc))),
                 true_mptcp=str(len(uniq(f, ports, lambda r: r["tracebox"] == "true-mptcp"))),
                 middlebox=str(len(uniq(f, ports, lambda r: r["tracebox"] == "middlebox"
                                        and r["verdict"] != "replay"))),
                 middlebox_own_key=str(len(uniq(f, ports, lambda r: r["tracebox"] == "middlebox"
                                                and r["verdict"] == "mptcp"))))
    bad = ["%s %s, truth %s" % (k, G[k], v) for k, v in exact.items() if G[k] != v]
    check(not bad, "adoption-study.csv IPv%d port %s, generated counts equal the truth%s" % (f, p, detail(bad)))
    # study units: the truth's weights.  Exact where the scan tells the strata apart; the
    # responsive counts weigh the few MPTCP hosts behind a stripper (plain SYN-ACKs) as plain
    # responders, so those are within 1%.
    uk = lambda r: r["key"] and r["verdict"] != "replay" and r["class"] != "header-box"
    ws = dict(mpcapable_per_scan=mean(per_scan_w(f, ports, mpc)),
              mpcapable_unique=w_uniq(f, ports, mpc),
              key_differs_per_scan=mean(per_scan_w(f, ports, uk)),
              true_mptcp=w_uniq(f, ports, lambda r: r["tracebox"] == "true-mptcp"),
              middlebox=w_uniq(f, ports, lambda r: r["tracebox"] == "middlebox" and r["verdict"] != "replay"))
    un = [a / b for a, b in zip(per_scan_w(f, ports, lambda r: r["tracebox"] == "unreachable"),
                                per_scan_w(f, ports, traced))]
    kds = [a / b for a, b in zip(per_scan_w(f, ports, uk), per_scan_w(f, ports, mpc))]
    bad = ["%s %s, truth %.0f" % (k, U[k], v) for k, v in ws.items() if abs(float(U[k]) - v) > 0.5]
    bad += ["unreachable_share %s, truth %.4f" % (U["unreachable_share"], mean(un))] \
        if abs(float(U["unreachable_share"]) - mean(un)) > 5e-5 else []
    bad += ["key_differs_share %s, truth %.4f" % (U["key_differs_share"], mean(kds))] \
        if abs(float(U["key_differs_share"]) - mean(kds)) > 5e-5 else []
    rel = []
    for k, v in (("responsive_per_scan", mean(per_scan_w(f, ports, lambda r: True))),
                 ("responsive_unique", w_uniq(f, ports, lambda r: True))):
        rel.append("%s %+.2f%%" % (k.split("_")[1], 100 * (float(U[k]) / v - 1)))
        if abs(float(U[k]) / v - 1) > 0.01:
            bad.append("%s %s, truth %.0f" % (k, U[k], v))
    check(not bad, "adoption-study.csv IPv%d port %s, study units equal the truth's weighted sums "
          "(responsive %s)%s" % (f, p, ", ".join(rel), detail(bad)))

# 3. confirmed true MPTCP per AS and per country equal the truth's (first AS of a multi-origin
#    or AS-set origin, as mpcap attribute and CAIDA do)
for name, col in (("top-as-study.csv", "asn"), ("countries-study.csv", "country")):
    want = defaultdict(lambda: [set(), set()])
    for r in truth:
        if r["tracebox"] == "true-mptcp":
            k = re.split(r"[_,]", r[col])[0] if col == "asn" else r[col]
            want[k][int(r["family"]) == 6].add((r["address"], r["port"]))
    got = {r[col]: (int(r["ipv4_hosts"]), int(r["ipv6_hosts"])) for r in rows(os.path.join(out, name))}
    wantn = {k: (len(a), len(b)) for k, (a, b) in want.items()}
    check(got == wantn, "%s: the true MPTCP hosts of each of %d %s values equal the truth's%s" % (
        name, len(wantn), col, "" if got == wantn else " (differ: %s)" % sorted(
            set(got.items()) ^ set(wantn.items()))[:4]))
top = [r["asn"] for r in rows(os.path.join(out, "top-as-study.csv"))][:4]
check(top[:2] == ["714", "1221"] and set(top[2:]) == {"4766", "61157"},
      "largest ASes Apple, Telstra, then Korea Telecom and PlusServer (%s)" % ", ".join(top))
# paper style (make figures): two-column (7 in) and one-column (3.5 in) figures, PDF with embedded
# fonts and 300 dpi PNG, no title
import re, struct
def pdf_box(p):
    d = open(p, "rb").read()
    m = re.search(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)", d)
    return (float(m.group(3)) - float(m.group(1)), float(m.group(4)) - float(m.group(2)), d) if m else (0, 0, d)
for stem, inch in (("weights-all", 7.0), ("monthly-ipv4", 7.0), ("top-as-ipv4", 3.5), ("countries", 3.5)):
    w, h, d = pdf_box(os.path.join(out, "paper-pdf", stem + ".pdf"))
    check(d.startswith(b"%PDF") and abs(w - inch * 72) < 1 and b"/FontFile" in d,
          "paper-pdf/%s.pdf: %.1f in wide (want %.1f), fonts embedded" % (stem, w / 72, inch))
    png = open(os.path.join(out, "paper-png", stem + ".png"), "rb").read(24)
    pw = struct.unpack(">I", png[16:20])[0]
    check(png[:8] == b"\x89PNG\r\n\x1a\n" and pw == int(inch * 300),
          "paper-png/%s.png: %d px = %.1f in at 300 dpi" % (stem, pw, inch))
# the report's country chart names its countries from Debian's iso-codes (read here with Python's json)
import json
iso = {e["alpha_2"]: e.get("common_name", e["name"])
       for e in json.load(open("/usr/share/iso-codes/json/iso_3166-1.json"))["3166-1"]}
cc = rows(os.path.join(out, "report", "countries.csv"))
bad = ["%s %r, iso-codes %r" % (r["country"], r["name"], iso.get(r["country"])) for r in cc
       if r["name"] != iso.get(r["country"], "")]
check(cc and not bad, "report/countries.csv: %d countries named as iso-codes names them%s" % (len(cc), detail(bad)))
# the report's monthly, AS and country charts say what they count: true MPTCP (tracebox-confirmed)
H = open(os.path.join(out, "report", "index.html")).read()
check("True MPTCP (tracebox-confirmed) and middlebox-affected hosts per scan: IPv4" in H
      and "MPTCP hosts by scan verdict" not in H and "true MPTCP hosts (tracebox-confirmed)" in H,
      "report/index.html: monthly, AS and country figures are tracebox-confirmed true MPTCP, so named")
PY
py_rc=$?
while IFS='|' read -r st what; do
	case $st in
	ok) ok "$what" ;;
	"not ok") not_ok "$what" ;;
	*) not_ok "truth check crashed: $st${what:+|$what}" ;;
	esac
done < <(cat "$tmp/pngs" "$tmp/checks")
check_eq "the truth checks ran to the end" 0 "$py_rc"
finish
