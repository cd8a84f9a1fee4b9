#!/usr/bin/python3
"""calibration.py — does a generated world reproduce the study's published aggregates?
(docs/reproduce.md, "The published numbers", lists them with their source.)

usage: calibration.py DIR [--table]

Reads only the truth files (DIR/truth-*.csv, DIR/world/as-names.csv). Each truth row carries a
weight: the number of study hosts it stands for (the class divisor over --scale), so weighted
sums are in the study's units. Prints one TAP line per published figure, with the generated
value beside the published one; with --table prints the comparison as a Markdown table
(docs/samples.md quotes it). Exits 1 when a figure is outside its tolerance.
"""
import collections
import csv
import glob
import os
import sys


def load(d):
    rows = []
    for f in sorted(glob.glob(os.path.join(d, "truth-20*.csv"))):
        with open(f, newline="") as fh:
            rows += list(csv.DictReader(fh))
    return rows


def main():
    d = sys.argv[1]
    table = "--table" in sys.argv
    rows = load(d)
    with open(os.path.join(d, "world", "as-names.csv"), newline="") as fh:
        names = {r["asn"]: r["name"] for r in csv.DictReader(fh)}
    W = lambda r: float(r["weight"])
    months = sorted(set(r["scan"] for r in rows))
    checks = []  # (name, published, generated, ok)

    def sel(fam, port=None):
        return [r for r in rows if r["family"] == fam and (port is None or r["port"] == port)]

    def per_scan(R, pred):
        return [sum(W(r) for r in R if r["scan"] == m and pred(r)) for m in months]

    def unique(R, pred):
        u = {}
        for r in R:
            if pred(r):
                u[(r["address"], r["port"])] = r
        return u

    def add(name, published, value, lo, hi, fmt="%.0f"):
        checks.append((name, published, fmt % value, lo <= value <= hi))

    for port, resp, uniq in (("80", 60e6, 74e6), ("443", 50e6, 52e6)):
        R = sel("4", port)
        ps = per_scan(R, lambda r: True)
        add("IPv4 p%s responsive targets per scan (mean)" % port, "%.0fM" % (resp / 1e6), sum(ps) / len(ps),
            resp * 0.9, resp * 1.1)
        u = unique(R, lambda r: True)
        add("IPv4 p%s unique responsive over the period" % port, "%.0fM" % (uniq / 1e6),
            sum(W(r) for r in u.values()), uniq * 0.9, uniq * 1.1)
    R4 = sel("4")
    mpc = per_scan(R4, lambda r: r["mpc_length"] != "")
    add("IPv4 MP_CAPABLE responders per scan, both ports (mean)", "200k", sum(mpc) / len(mpc), 170e3, 240e3)
    differ = [a / b for a, b in zip(per_scan(R4, lambda r: r["key"] != "" and r["verdict"] != "replay"), mpc)]
    add("share of MP_CAPABLE keys differing from the probe's (mean per scan)", "4%", 100 * sum(differ) / len(differ),
        3, 10, "%.1f%%")
    for port, true_n, mb_n, unreach in (("80", 7.5e3, 402, 48), ("443", 6.9e3, 1.27e3, 90)):
        R = sel("4", port)
        t = unique(R, lambda r: r["tracebox"] == "true-mptcp")
        add("IPv4 p%s true MPTCP (unique)" % port, "%.1fk" % (true_n / 1e3), sum(W(r) for r in t.values()),
            true_n * 0.9, true_n * 1.1)
        mb = unique(R, lambda r: r["tracebox"] == "middlebox" and r["verdict"] != "replay")
        add("IPv4 p%s middlebox-affected (unique, replays excluded)" % port, "%.0f" % mb_n,
            sum(W(r) for r in mb.values()), mb_n * 0.75, mb_n * 1.3)
        tr = unique(R, lambda r: r["tracebox"] != "untraced")
        un = sum(W(r) for r in tr.values() if r["tracebox"] == "unreachable") / sum(W(r) for r in tr.values())
        add("IPv4 p%s tracebox unreachable (weighted)" % port, "%d%%" % unreach, 100 * un, unreach - 4, unreach + 4,
            "%.1f%%")
        tm = per_scan(R, lambda r: r["tracebox"] == "true-mptcp")
        if port == "80":
            add("IPv4 p80 true MPTCP growth, last month / first", "nearly x2", tm[-1] / tm[0], 1.7, 2.05, "x%.2f")
    for port, mpc_n, true_n, unreach in (("80", 43, 31, 0), ("443", 165, 27, 82)):
        R = sel("6", port)
        ps = per_scan(R, lambda r: True)
        add("IPv6 p%s responsive per scan (mean)" % port, "%dk" % {"80": 746, "443": 544}[port],
            sum(ps) / len(ps), {"80": 746e3, "443": 544e3}[port] * 0.9, {"80": 746e3, "443": 544e3}[port] * 1.1)
        u = unique(R, lambda r: r["mpc_length"] != "")
        add("IPv6 p%s MP_CAPABLE responders (unique)" % port, str(mpc_n), len(u), mpc_n, mpc_n)
        t = unique(R, lambda r: r["tracebox"] == "true-mptcp")
        add("IPv6 p%s true MPTCP (unique)" % port, str(true_n), len(t), true_n, true_n)
        tr = unique(R, lambda r: r["tracebox"] != "untraced" and r["mpc_length"] != "")
        un = sum(1 for r in tr.values() if r["tracebox"] == "unreachable") / len(tr)
        add("IPv6 p%s tracebox unreachable" % port, "%d%%" % unreach, 100 * un, unreach - 2, unreach + 2, "%.1f%%")
    # countries and ASes of the true MPTCP hosts (IPv4, both ports, unique)
    t = unique(R4, lambda r: r["tracebox"] == "true-mptcp")
    cc = collections.Counter()
    asn = collections.Counter()
    for r in t.values():
        cc[r["country"]] += W(r)
        asn[r["asn"]] += W(r)
    allcc = set(r["country"] for r in rows if r["tracebox"] == "true-mptcp")
    add("countries with true MPTCP hosts", "80+", len(allcc), 81, 1000)
    add("US true MPTCP hosts", "5300", cc["US"], 4500, 6000)
    add("Australia true MPTCP hosts", "1400", cc["AU"], 1100, 1700)
    add("Germany true MPTCP hosts", "<1000", cc["DE"], 300, 999)
    add("Korea true MPTCP hosts", "<1000", cc["KR"], 300, 999)
    order = [c for c, _ in cc.most_common(4)]
    checks.append(("largest countries", "US, AU, then DE and KR", ", ".join(order),
                   order[:2] == ["US", "AU"] and set(order[2:4]) == {"DE", "KR"}))
    top = asn.most_common(4)
    checks.append(("largest ASes", "Apple (714), Telstra (1221), PlusServer, Korea Telecom",
                   ", ".join("%s %s" % (a, names.get(a, "?").split(" ")[0]) for a, _ in top),
                   top[0][0] == "714" and top[1][0] == "1221" and {top[2][0], top[3][0]} == {"61157", "4766"}))
    # the Hamming-weight spike: keys of the MP_CAPABLE answers, weighted, at the probe key's weight
    keys = [r for r in R4 if r["key"]]
    w16 = sum(W(r) for r in keys if bin(int(r["key"], 16)).count("1") == 16) / sum(W(r) for r in keys)
    add("share of returned keys with Hamming weight 16", "spike", 100 * w16, 85, 100, "%.1f%%")
    failed = 0
    if table:
        print("| figure | study | generated (study units) |")
        print("|---|---|---|")
        for name, pub, val, ok in checks:
            print("| %s | %s | %s |" % (name, pub, val))
        return 0
    for i, (name, pub, val, ok) in enumerate(checks, 1):
        print("%s %d - %s: %s (study %s)" % ("ok" if ok else "not ok", i, name, val, pub))
        failed += not ok
    print("1..%d" % len(checks))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
