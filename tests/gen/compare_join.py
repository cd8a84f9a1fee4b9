#!/usr/bin/python3
"""compare_join.py — does `mpcap join` of the six monthly analyses equal the truth's months?

usage: compare_join.py DIR HOSTS.csv MONTHLY.csv

From DIR/truth-YYYY-MM-pPORT-vF.csv: per (address, port) the months it answered with an
MP_CAPABLE option and the months its verdict was mptcp; consistent = in every month, transient
= in some, never = in none. Compares hosts.csv (scans_mpcapable, scans_mptcp, first/last scan,
mpcapable_consistency, mptcp_consistency, verdicts) and monthly.csv (targets per scan, family,
port and verdict). Prints differences "#"-prefixed; exits 1 when there is one.
"""
import collections
import csv
import glob
import os
import sys


def main():
    d, hosts_p, monthly_p = sys.argv[1:4]
    mpc = collections.defaultdict(dict)
    months = set()
    monthly = collections.Counter()
    for path in sorted(glob.glob(os.path.join(d, "truth-20*.csv"))):
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                months.add(r["scan"])
                monthly[(r["scan"], r["family"], r["port"], r["verdict"])] += 1
                if r["mpc_length"]:
                    mpc[(r["address"], r["port"])][r["scan"]] = r["verdict"]
    with open(os.path.join(d, "truth-summary.csv"), newline="") as f:
        for r in csv.DictReader(f):
            if r["counter"] == "verdict.silent":
                monthly[(r["scan"], r["family"], r["port"], "silent")] = int(r["value"])
    n = len(months)
    diffs = []
    with open(hosts_p, newline="") as f:
        got = {(r["address"], r["port"]): r for r in csv.DictReader(f)}
    for t in sorted(set(mpc) | set(got)):
        if t not in got:
            diffs.append("%s:%s: MP_CAPABLE in %s but not in hosts.csv" % (t + (sorted(mpc[t]),)))
            continue
        if t not in mpc:
            diffs.append("%s:%s: in hosts.csv but never MP_CAPABLE in the truth" % t)
            continue
        m = mpc[t]
        k = sum(1 for v in m.values() if v == "mptcp")
        want = {
            "scans_mpcapable": str(len(m)),
            "scans_mptcp": str(k),
            "first_scan": min(m),
            "last_scan": max(m),
            "mpcapable_consistency": "consistent" if len(m) == n else "transient",
            "mptcp_consistency": "consistent" if k == n else ("transient" if k else "never"),
            "verdicts": ";".join("%s:%s" % (s, m[s]) for s in sorted(m)),
        }
        for c, v in want.items():
            if got[t].get(c) != v:
                diffs.append("%s:%s: %s truth %r, join %r" % (t + (c, v, got[t].get(c))))
    with open(monthly_p, newline="") as f:
        have = {(r["scan"], r["family"], r["port"], r["verdict"]): int(r["targets"]) for r in csv.DictReader(f)}
    for key in sorted(set(monthly) | set(k for k, v in have.items() if v)):
        if monthly.get(key, 0) != have.get(key, 0):
            diffs.append("monthly %s: truth %d, join %d" % (",".join(key), monthly.get(key, 0), have.get(key, 0)))
    for x in diffs[:40]:
        print("#   " + x)
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
