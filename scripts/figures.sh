#!/bin/sh
# figures.sh — `make figures`: reproduce the study's table and figures (docs/reproduce.md).
#
#   scripts/figures.sh [MPCAP [MPCAP-GEN [OUTDIR]]]      (defaults: build/mpcap,
#                                                        build/samples/mpcap-gen, build/figures)
#   SEED=N scripts/figures.sh ...                        another seed of the world (default 2020)
#
# Regenerates the synthetic six-month Internet (mpcap-gen --v6, default scale, seeded:
# docs/samples.md), analyses every monthly scan, traces the tracebox captures of all six months
# (both ports, both families) against their month's scan, joins the months, attributes the hosts
# to ASes and countries, tests the keys and renders the figures with `mpcap report`; then builds
# the study-shaped adoption table (adoption-study.csv) from those outputs, with the generator's
# scale factors (gen-params.txt) to express it in study units.  Everything lands in OUTDIR:
#
#   README.md            the table and figures beside the study's published numbers
#   adoption-study.csv   the adoption table: generated counts, study units, published values
#   monthly-study.csv    per scan: responsive, MP_CAPABLE, replays, traced, true MPTCP, middleboxes
#   top-as-study.csv, countries-study.csv   confirmed true MPTCP hosts per AS / country
#   report/              mpcap report: the PNG charts, their CSV tables, index.html
#   paper-pdf/ paper-png/  mpcap report --style paper: the same figures one- or two-column, 300 dpi
#   samples/ scans/ trace/ join/ attribution/ confirmed/ attribution-confirmed/ stats/
#
# OUTDIR is replaced on every run (only if it is empty or was made by this script).
set -eu
abs() { case $1 in /*) echo "$1" ;; */*) echo "$PWD/$1" ;; *) echo "$1" ;; esac; }
MPCAP=$(abs "${1:-build/mpcap}")
GEN=$(abs "${2:-build/samples/mpcap-gen}")
out=$(abs "${3:-build/figures}")
SEED=${SEED:-2020}
export SEED # the tables name it
cd "$(dirname "$0")/.."
case $out in "$PWD"/?*) out=${out#"$PWD"/} ;; esac # captions name build/figures/..., not /abs/...
case $SEED in '' | *[!0-9]*) echo "figures.sh: SEED must be a number" >&2; exit 2 ;; esac
for b in "$MPCAP" "$GEN"; do
	case $b in
	*/*) [ -f "$b" ] && [ -x "$b" ] ;;
	*) command -v "$b" >/dev/null 2>&1 ;;
	esac || { echo "figures.sh: $b not found or not executable (run 'make all')" >&2; exit 1; }
done
command -v python3 >/dev/null 2>&1 || { echo "figures.sh: python3 not found (scripts/install-deps.sh)" >&2; exit 1; }
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ] && [ ! -e "$out/.mpcap-figures" ]; then
	echo "figures.sh: $out exists and was not made by figures.sh; not replacing it" >&2
	exit 1
fi
rm -rf "$out"
mkdir -p "$out"
: >"$out/.mpcap-figures"
S=$out/samples
t0=$(date +%s)

echo "== 1. mpcap-gen --v6 --seed $SEED: the synthetic world, default scale -> $S"
"$GEN" -q --v6 --seed "$SEED" --out "$S"
months=$(ls "$S" | sed -n 's/^scan-\([0-9-]*\)-p80-v4\.pcap$/\1/p' | sort)
last=$(echo "$months" | tail -n 1)

echo "== 2. mpcap analyze + mpcap trace, month by month ($(echo "$months" | tr "\n" , | sed "s/,$//"))"
for m in $months; do
	"$MPCAP" analyze --no-progress -q --scan "$m" -o "$out/scans/$m" "$S"/scan-"$m"-p*-v*.pcap
	"$MPCAP" trace --no-progress -q -o "$out/trace/$m" --targets "$out/scans/$m/targets.csv" \
		"$S"/tracebox-"$m"-p*-v*.pcap
done

echo "== 3. mpcap join: hosts across the six months"
"$MPCAP" join -o "$out/join" "$out"/scans/* >/dev/null

# The study-shaped computations (documented in docs/reproduce.md).  Mode "confirmed" writes a
# results directory holding only the hosts tracebox confirmed as true MPTCP in some month, for
# mpcap attribute; mode "table" writes the adoption table and the per-AS/country tables.
study() {
	python3 - "$@" <<'PY'
import csv, glob, os, re, sys
from collections import defaultdict

mode, out, S = sys.argv[1], sys.argv[2], sys.argv[3]
months = sorted(os.path.basename(d) for d in glob.glob(os.path.join(out, "scans", "*")))
FP = [(4, 80), (4, 443), (6, 80), (6, 443)]

def rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))

targets = {m: rows(os.path.join(out, "scans", m, "targets.csv")) for m in months}
dests = {m: rows(os.path.join(out, "trace", m, "destinations.csv")) for m in months}
classes = {m: rows(os.path.join(out, "trace", m, "classification.csv")) for m in months}
fp = lambda r, a="family": (int(r[a]), int(r["port"]))

# hosts tracebox confirmed as true MPTCP (final class true-mptcp) in some month; the last such row
confirmed = {}
for m in months:
    tc = {(r["address"], r["port"]) for r in classes[m] if r["class"] == "true-mptcp"}
    for r in targets[m]:
        if (r["address"], r["port"]) in tc:
            confirmed[(r["address"], r["port"])] = r

if mode == "confirmed":
    d = os.path.join(out, "confirmed")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(out, "scans", months[-1], "targets.csv"), newline="") as fh:
        header = next(csv.reader(fh))
    with open(os.path.join(d, "targets.csv"), "w", newline="") as fh:
        w = csv.DictWriter(fh, header, lineterminator="\n")
        w.writeheader()
        for r in confirmed.values():
            w.writerow(dict(r, scan="2020-H2"))
    with open(os.path.join(out, "scans", months[-1], "summary.csv"), newline="") as fh, \
         open(os.path.join(d, "summary.csv"), "w", newline="") as o:
        wr = csv.writer(o, lineterminator="\n")
        for i, r in enumerate(csv.reader(fh)):
            wr.writerow(r if i == 0 else ["2020-H2"] + r[1:])
    sys.exit(0)

# ---- mode table ----
# scale factors: study hosts per generated host, by stratum (docs/samples.md, gen-params.txt)
W = {}
for line in open(os.path.join(S, "gen-params.txt")):
    mo = re.match(r"hosts\.v(\d)\.p(\d+)\.([a-z-]+)=\d+ weight=(\S+)", line)
    if mo:
        W[(int(mo.group(1)), int(mo.group(2)), mo.group(3))] = float(mo.group(4))
def weights(f, p):
    return W[(f, p, "plain")], W[(f, p, "replay-box")], W[(f, p, "mptcp-host")]

summ = {}
for m in months:
    for r in rows(os.path.join(out, "scans", m, "summary.csv")):
        if r["family"]:
            summ[(m, int(r["family"]), int(r["port"]), r["counter"])] = int(r["value"])
adoption = {(r["scan"], int(r["family"]), int(r["port"])): r
            for r in rows(os.path.join(out, "report", "adoption.csv"))}
hosts = rows(os.path.join(out, "join", "hosts.csv"))

# per scan and family/port: the monthly series
monthly = []
for m in months:
    verdict = {(r["address"], r["port"]): r["verdict"] for r in targets[m]}
    final = {(r["address"], r["port"]): r["class"] for r in classes[m]}
    for f, p in FP:
        T = [r for r in targets[m] if fp(r) == (f, p)]
        D = [r for r in dests[m] if fp(r) == (f, p)]
        wp, wr, wk = weights(f, p)
        v = lambda r: verdict.get((r["destination"], r["port"]), "")
        x = dict(scan=m, family=f, port=p,
                 responsive=summ[(m, f, p, "targets.responsive")],
                 mpcapable=summ[(m, f, p, "targets.mpcapable")],
                 replay=sum(r["verdict"] == "replay" for r in T),
                 key_differs=sum(bool(r["key"]) and r["key"] != r["probe_key"] for r in T),
                 mptcp_verdict=sum(r["verdict"] == "mptcp" for r in T),
                 traced=len(D),
                 unreachable=sum(r["class"] == "unreachable" for r in D),
                 true_mptcp=sum(c == "true-mptcp" and fp(r) == (f, p) for r, c in
                                ((r, r["class"]) for r in classes[m])),
                 middlebox_traced=sum(r["class"] == "middlebox" for r in D),
                 middlebox=sum(r["class"] == "middlebox" and v(r) != "replay" for r in D))
        # study units: non-MP_CAPABLE responders x plain weight, replays x replay-box weight,
        # every other MP_CAPABLE responder (own, modified, shared or no key) x mptcp-host weight
        x["responsive_w"] = (x["responsive"] - x["mpcapable"]) * wp + x["replay"] * wr + \
            (x["mpcapable"] - x["replay"]) * wk
        x["mpcapable_w"] = x["replay"] * wr + (x["mpcapable"] - x["replay"]) * wk
        x["key_differs_w"] = x["key_differs"] * wk
        x["traced_w"] = sum(wr if v(r) == "replay" else wk for r in D)
        x["unreachable_w"] = sum(wr if v(r) == "replay" else wk for r in D if r["class"] == "unreachable")
        monthly.append(x)

# over the six months: distinct (address, port)
def union(pred):
    s = defaultdict(set)
    for m in months:
        verdict = {(r["address"], r["port"]): r["verdict"] for r in targets[m]}
        for r in dests[m]:
            if pred(r, verdict.get((r["destination"], r["port"]), "")):
                s[fp(r)].add((r["destination"], r["port"]))
    return s
mb = union(lambda r, v: r["class"] == "middlebox" and v != "replay")
mb_own = union(lambda r, v: r["class"] == "middlebox" and v == "mptcp")
true_u = defaultdict(set)
for k, r in confirmed.items():
    true_u[fp(r)].add(k)

def mean(xs):
    return sum(xs) / len(xs)
table = []
for f, p in FP + [(4, "all"), (6, "all")]:
    ports = [p] if p != "all" else [q for g, q in FP if g == f]
    M = [x for x in monthly if x["family"] == f and x["port"] in ports]
    per = lambda k: [sum(x[k] for x in M if x["scan"] == m) for m in months]
    H = [h for h in hosts if int(h["family"]) == f and int(h["port"]) in ports]
    u_resp = sum(int(adoption[("all", f, q)]["responsive_unique"]) for q in ports)
    u_mpc = len(H)
    u_rep = sum("replay" in h["verdicts"] for h in H)
    g = dict(units="generated", family=f, port=p,
             responsive_per_scan=mean(per("responsive")), responsive_unique=u_resp,
             mpcapable_per_scan=mean(per("mpcapable")), mpcapable_unique=u_mpc,
             key_differs_per_scan=mean(per("key_differs")),
             key_differs_share=mean([a / b for a, b in zip(per("key_differs"), per("mpcapable"))]),
             traced_per_scan=mean(per("traced")), unreachable_per_scan=mean(per("unreachable")),
             unreachable_share=mean([a / b for a, b in zip(per("unreachable"), per("traced"))]),
             true_mptcp=sum(len(true_u[(f, q)]) for q in ports),
             middlebox=sum(len(mb[(f, q)]) for q in ports),
             middlebox_own_key=sum(len(mb_own[(f, q)]) for q in ports))
    s = dict(g, units="study")
    uw = lambda fn: sum(fn(*weights(f, q), q) for q in ports)
    s["responsive_per_scan"] = mean(per("responsive_w"))
    s["mpcapable_per_scan"] = mean(per("mpcapable_w"))
    s["key_differs_per_scan"] = mean(per("key_differs_w"))
    s["key_differs_share"] = mean([a / b for a, b in zip(per("key_differs_w"), per("mpcapable_w"))])
    s["traced_per_scan"] = mean(per("traced_w"))
    s["unreachable_per_scan"] = mean(per("unreachable_w"))
    s["unreachable_share"] = mean([a / b for a, b in zip(per("unreachable_w"), per("traced_w"))])
    def uniq_w(wp, wr, wk, q):
        Hq = [h for h in H if int(h["port"]) == q]
        rep = sum("replay" in h["verdicts"] for h in Hq)
        return (int(adoption[("all", f, q)]["responsive_unique"]) - len(Hq)) * wp + rep * wr + \
            (len(Hq) - rep) * wk
    s["responsive_unique"] = uw(uniq_w)
    s["mpcapable_unique"] = uw(lambda wp, wr, wk, q: sum(
        wr if "replay" in h["verdicts"] else wk for h in H if int(h["port"]) == q))
    for k in ("true_mptcp", "middlebox", "middlebox_own_key"):
        s[k] = uw(lambda wp, wr, wk, q, k=k: wk * {"true_mptcp": len(true_u[(f, q)]),
                  "middlebox": len(mb[(f, q)]), "middlebox_own_key": len(mb_own[(f, q)])}[k])
    table += [g, s]

# the study's published aggregates, as published (approximate): docs/reproduce.md, "The published numbers"
PUB = {(4, 80): dict(responsive_per_scan=60e6, responsive_unique=74e6, unreachable_share=0.48,
                     true_mptcp=7500, middlebox=402),
       (4, 443): dict(responsive_per_scan=50e6, responsive_unique=52e6, unreachable_share=0.90,
                      true_mptcp=6900, middlebox=1270),
       (4, "all"): dict(mpcapable_per_scan=200e3, key_differs_share=0.04, middlebox_own_key=6),
       (6, 80): dict(responsive_per_scan=746e3, mpcapable_unique=43, unreachable_share=0.0, true_mptcp=31),
       (6, 443): dict(responsive_per_scan=544e3, mpcapable_unique=165, unreachable_share=0.82, true_mptcp=27),
       (6, "all"): dict(mpcapable_unique=208, true_mptcp=58)}
cols = ["units", "family", "port", "responsive_per_scan", "responsive_unique", "mpcapable_per_scan",
        "mpcapable_unique", "key_differs_per_scan", "key_differs_share", "traced_per_scan",
        "unreachable_per_scan", "unreachable_share", "true_mptcp", "middlebox", "middlebox_own_key"]
for f, p in FP + [(4, "all"), (6, "all")]:
    table.append(dict(units="published", family=f, port=p, **PUB.get((f, p), {})))

def fmt(k, v, units):
    if v is None or v == "":
        return ""
    if k.endswith("_share"):
        return "%.4f" % v
    if isinstance(v, str):
        return v
    if units == "generated" and k.endswith("_per_scan"):
        return "%.2f" % v
    return "%d" % round(v)
order = {"generated": 0, "study": 1, "published": 2}
table.sort(key=lambda r: (r["family"], str(r["port"]) if r["port"] == "all" else "%05d" % r["port"],
                          order[r["units"]]))
with open(os.path.join(out, "adoption-study.csv"), "w", newline="") as fh:
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(cols)
    for r in table:
        w.writerow([fmt(k, r.get(k), r["units"]) if k not in ("units", "family", "port") else r[k]
                    for k in cols])
mcols = ["scan", "family", "port", "responsive", "mpcapable", "replay", "key_differs", "mptcp_verdict",
         "traced", "unreachable", "true_mptcp", "middlebox_traced", "middlebox"]
with open(os.path.join(out, "monthly-study.csv"), "w", newline="") as fh:
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(mcols)
    for x in monthly:
        w.writerow([x[k] for k in mcols])

# confirmed true MPTCP per AS and country (mpcap attribute over confirmed/), in study units
A = os.path.join(out, "attribution-confirmed")
by_as, by_cc, names = defaultdict(lambda: [0, 0.0, 0]), defaultdict(lambda: [0, 0.0, 0]), {}
for r in rows(os.path.join(A, "by_as.csv")):
    f, p, n = int(r["family"]), int(r["port"]), int(r["mptcp"])
    names[r["asn"]] = r.get("as_name", "")
    e = by_as[r["asn"]]
    if f == 4:
        e[0] += n; e[1] += n * W[(4, p, "mptcp-host")]
    else:
        e[2] += n
for r in rows(os.path.join(A, "by_country.csv")):
    f, p, n = int(r["family"]), int(r["port"]), int(r["mptcp"])
    e = by_cc[r["country"]]
    if f == 4:
        e[0] += n; e[1] += n * W[(4, p, "mptcp-host")]
    else:
        e[2] += n
for name, tab, key in (("top-as-study.csv", by_as, "asn"), ("countries-study.csv", by_cc, "country")):
    with open(os.path.join(out, name), "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow([key] + (["as_name"] if key == "asn" else []) +
                   ["ipv4_hosts", "ipv4_study_units", "ipv6_hosts"])
        for k, (a, b, c) in sorted(tab.items(), key=lambda kv: (-kv[1][1], -kv[1][2], kv[0])):
            if a or c:
                w.writerow([k] + ([names.get(k, "")] if key == "asn" else []) + [a, "%d" % round(b), c])

# returned keys at the probe key's Hamming weight, every scan, IPv4 (raw and in study units)
k16 = [0, 0, 0.0, 0.0]
for m in months:
    for r in targets[m]:
        if r["key"] and int(r["family"]) == 4:
            wt = W[(4, int(r["port"]), "replay-box" if r["verdict"] == "replay" else "mptcp-host")]
            at = bin(int(r["key"], 16)).count("1") == bin(int(r["probe_key"], 16)).count("1")
            k16[0] += at; k16[1] += 1; k16[2] += at * wt; k16[3] += wt

# README.md: the table and the figures beside the published numbers
def h(v, share=False):
    if v is None or v == "":
        return "—"
    if share:
        return "%.1f%%" % (100 * v)
    v = float(v)
    if v >= 1e6:
        return "%.1fM" % (v / 1e6)
    if v >= 1e5:
        return "%.0fk" % (v / 1e3)
    if v >= 1e4:
        return "%.1fk" % (v / 1e3)
    return "%.0f" % v if v >= 100 or v == int(v) else "%.1f" % v
T = {(r["units"], r["family"], r["port"]): r for r in table}
cell = lambda f, p, k: "%s (%s) · %s" % (h(T[("study", f, p)].get(k), k.endswith("share")),
                                           h(T[("generated", f, p)].get(k), k.endswith("share")),
                                           h(T[("published", f, p)].get(k), k.endswith("share")))
FIG = [("responsive targets per scan (mean)", "responsive_per_scan"),
       ("responsive targets, unique over the six scans", "responsive_unique"),
       ("MP_CAPABLE responders (potential MPTCP) per scan", "mpcapable_per_scan"),
       ("MP_CAPABLE responders, unique", "mpcapable_unique"),
       ("share of MP_CAPABLE responders whose key differs from the probe's", "key_differs_share"),
       ("tracebox: traced responders unreachable", "unreachable_share"),
       ("true MPTCP (tracebox-confirmed, unique)", "true_mptcp"),
       ("middlebox-affected (unique, replays excluded)", "middlebox"),
       ("  of which answered with a key of their own", "middlebox_own_key")]
L = ["# mpcap figures: the study reproduced on the synthetic world", "",
     "Made by `scripts/figures.sh` (`make figures`), seed %s; how every number is computed and how "
     "it compares with the study: docs/reproduce.md." % os.environ.get("SEED", "2020"), "",
     "## Adoption table", "",
     "Each cell: **study units** (generated hosts) · published.  Study units multiply each generated host "
     "by the number of study hosts it stands for (gen-params.txt).", "",
     "| figure | IPv4 :80 | IPv4 :443 | IPv4 both | IPv6 :80 | IPv6 :443 | IPv6 both |",
     "|---|---|---|---|---|---|---|"]
for name, k in FIG:
    L.append("| %s | %s |" % (name, " | ".join(cell(f, p, k) for f, p in
                                             [(4, 80), (4, 443), (4, "all"), (6, 80), (6, 443), (6, "all")])))
mm = [x for x in monthly if (x["family"], x["port"]) == (4, 80)]
cc = list(csv.reader(open(os.path.join(out, "countries-study.csv"))))[1:]
L += ["", "True MPTCP (tracebox-confirmed) on IPv4 port 80 per scan: %s (%s → %s, ×%.2f; study: nearly doubled)."
      % (", ".join(str(x["true_mptcp"]) for x in mm), mm[0]["scan"], mm[-1]["scan"],
         mm[-1]["true_mptcp"] / mm[0]["true_mptcp"]),
      "Returned IPv4 keys at the probe key's Hamming weight: %d of %d (%.1f%%), %.1f%% in study units."
      % (k16[0], k16[1], 100 * k16[0] / k16[1], 100 * k16[2] / k16[3]),
      "Countries with tracebox-confirmed true MPTCP hosts: %d (study: more than 80); IPv4 hosts in study "
      "units: %s (study: US ≈5300, AU ≈1400, DE and KR < 1000)." % (len(cc), ", ".join(
          "%s %s" % (r[0], r[2]) for r in cc[:4])), "",
     "## Figures (report/)", "",
     "| study figure | file |", "|---|---|",
     "| Hamming weight of the returned keys, spike at the probe key's weight 16 | `report/weights-all.png`, `report/weights-ipv4.png`, `report/weights-ipv6.png` (bit shares: `report/bits-*.png`) |",
     "| monthly true MPTCP and middlebox-affected hosts | `report/monthly-ipv4.png`, `report/monthly-ipv6.png` |",
     "| top 10 IPv4 ASes, top 6 IPv6 ASes (tracebox-confirmed true MPTCP) | `report/top-as-ipv4.png`, `report/top-as-ipv6.png` |",
     "| countries (tracebox-confirmed true MPTCP) | `report/countries.png` |",
     "| tracebox classes per month and where MP_CAPABLE changed | `report/tracebox-classes.png`, `report/trace-hops.png` |",
     "", "Tables: `adoption-study.csv`, `monthly-study.csv`, `top-as-study.csv`, `countries-study.csv` "
     "(this directory), `report/*.csv`; every chart with its caption: `report/index.html`.", ""]
open(os.path.join(out, "README.md"), "w").write("\n".join(L))
print("\n".join(L[8:L.index("## Figures (report/)") - 1]))
PY
}

echo "== 4. mpcap attribute: every scan, and the hosts tracebox confirmed as true MPTCP"
study confirmed "$out" "$S"
cp "$out/scans/$last/targets.sets" "$out/confirmed/targets.sets"
set -- "$S"/world/delegated-*
geo=$(for f in "$@"; do printf -- '--geo %s ' "$f"; done)
# shellcheck disable=SC2086
"$MPCAP" attribute -q -o "$out/attribution" --asn "$S/world/pfx2as-v4.txt" --asn "$S/world/pfx2as-v6.txt" \
	--as-names "$S/world/as-names.csv" $geo "$out"/scans/*
# shellcheck disable=SC2086
"$MPCAP" attribute -q -o "$out/attribution-confirmed" --asn "$S/world/pfx2as-v4.txt" \
	--asn "$S/world/pfx2as-v6.txt" --as-names "$S/world/as-names.csv" $geo "$out/confirmed"

# For the report, the confirmed tables' mptcp column says what it counts here: true MPTCP hosts
# (only tracebox-confirmed hosts went in), so the report labels the AS and country charts so.
mkdir -p "$out/attribution-true"
for f in "$out"/attribution-confirmed/*.csv; do
	sed '1s/\(^\|,\)mptcp\(,\|$\)/\1true_mptcp\2/' "$f" >"$out/attribution-true/$(basename "$f")"
done

echo "== 5. mpcap stats: are the returned keys random? (summary in stats/summary.txt)"
mkdir -p "$out/stats"
"$MPCAP" stats -o "$out/stats" --by family,port "$out"/scans/* >"$out/stats/summary.txt"

echo "== 6. mpcap report: the figures (one trace per month; ASes and countries: confirmed true MPTCP)"
traces=$(for m in $months; do printf -- '--trace %s ' "$out/trace/$m"; done)
# shellcheck disable=SC2086
"$MPCAP" report -q -o "$out/report" $traces --attribution "$out/attribution-true" \
	--key-groups all,4,6 --top-as 10 --top-as6 6 --top-countries 10 "$out"/scans/*

echo "== 6b. the same figures in paper style: 7 in / 3.5 in wide, 300 dpi, no title (PDF and PNG)"
for fmt in pdf png; do
	# shellcheck disable=SC2086
	"$MPCAP" report -q --style paper --format "$fmt" -o "$out/paper-$fmt" $traces \
		--attribution "$out/attribution-true" --key-groups all,4,6 --top-as 10 --top-as6 6 \
		--top-countries 10 "$out"/scans/*
done

echo "== 7. the study-shaped tables"
study table "$out" "$S"
echo
echo "Figures and tables are in $out/ ($(($(date +%s) - t0)) s):"
echo "  README.md             the adoption table and the figures beside the study's numbers"
echo "  adoption-study.csv    the study-shaped table (generated / study units / published)"
echo "  paper-pdf/, paper-png/  the figures for a paper (--style paper): PDF with embedded fonts, PNG at 300 dpi"
echo "  report/index.html     every chart: report/weights-all.png (the weight-16 spike), monthly-ipv4.png,"
echo "                        top-as-ipv4.png, top-as-ipv6.png, countries.png, tracebox-classes.png ..."
echo "How each number is computed and how it compares with the study: docs/reproduce.md."
