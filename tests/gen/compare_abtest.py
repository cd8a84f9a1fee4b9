#!/usr/bin/env python3
"""compare_abtest.py — `mpcap analyze` of a generated A/B scan equals its truth (mpcap-gen --abtest):
the set of mpc-dropped rows (target, version, reason) and plain-dropped rows of targets.csv equals
the truth's, and summary.csv's abtest.* counters and verdict.mpc-dropped / plain-dropped equal the
counts of the truth's rows.  Prints the differences; exit 1 when there are any.

usage: compare_abtest.py TRUTH.csv TARGETS.csv SUMMARY.csv
"""
import csv
import ipaddress
import sys


def norm(a):
    return str(ipaddress.ip_address(a))


def main():
    truth, targets, summary = sys.argv[1:4]
    want, counts = set(), {"targets": 0, "ambiguous": 0, "mpc-dropped-v0": 0, "mpc-dropped-v1": 0,
                           "plain-dropped": 0, "mpc-dropped": 0}
    for r in csv.DictReader(open(truth, newline="")):
        a, p = norm(r["address"]), r["port"]
        if r["expect"] == "ambiguous":
            counts["ambiguous"] += 1
            continue
        counts["targets"] += 1
        if r["expect"] == "mpc-dropped":
            counts["mpc-dropped"] += 1
            for why in r["expect_reason"].split():
                counts[why] += 1
                want.add((a, p, why[-1], "mpc-dropped", why))
        elif r["expect"] == "plain-dropped":
            counts["plain-dropped"] += 1
            want.add((a, p, "", "plain-dropped", ""))
    got = set()
    for r in csv.DictReader(open(targets, newline="")):
        if r["verdict"] in ("mpc-dropped", "plain-dropped"):
            got.add((norm(r["address"]), r["port"], r["probe_version"], r["verdict"], r["verdict_reason"]))
    bad = 0
    for x in sorted(want - got):
        print("missing in targets.csv:", ",".join(x))
        bad += 1
    for x in sorted(got - want):
        print("not in the truth:", ",".join(x))
        bad += 1
    summ = {}
    for r in csv.reader(open(summary, newline="")):
        if len(r) >= 5 and r[2] == "" and r[3] == "":
            summ[r[1]] = r[4]
    for name, key in (("abtest.targets", "targets"), ("abtest.ambiguous", "ambiguous"),
                      ("abtest.mpc-dropped-v0", "mpc-dropped-v0"), ("abtest.mpc-dropped-v1", "mpc-dropped-v1"),
                      ("abtest.plain-dropped", "plain-dropped"), ("verdict.mpc-dropped", "mpc-dropped"),
                      ("verdict.plain-dropped", "plain-dropped")):
        if summ.get(name, "0") != str(counts[key]):
            print("%s: summary.csv %s, truth %d" % (name, summ.get(name), counts[key]))
            bad += 1
    print("# %d rows in the truth's A/B outcome, %d in targets.csv; %d mpc-dropped, %d plain-dropped, "
          "%d ambiguous of %d" % (len(want), len(got), counts["mpc-dropped"], counts["plain-dropped"],
                                  counts["ambiguous"], counts["targets"] + counts["ambiguous"]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
