#!/usr/bin/env python3
"""compare_abtest_attr.py — `mpcap attribute` of a generated A/B scan against its truth
(mpcap-gen --abtest): dropped_by_as.csv and dropped_by_country.csv hold, per AS and country, the
truth's counts of targets that answered the plain SYN, mpc-dropped (any version, v0, v1) and
plain-dropped targets, and the rate; top_fingerprints.csv ranks, per AS of the truth, the
(fingerprint, verdict) rows of targets.csv.  Prints the differences; exit 1 when there are any.

usage: compare_abtest_attr.py TRUTH.csv TARGETS.csv ATTRDIR TOP_N
"""
import collections
import csv
import ipaddress
import sys


def first_as(origin):
    return origin.replace("_", ",").split(",")[0]


def main():
    truth, targets, attr, top = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    want = {"as": collections.defaultdict(lambda: [0] * 5), "cc": collections.defaultdict(lambda: [0] * 5)}
    asn_of = {}
    for r in csv.DictReader(open(truth, newline="")):
        asn, cc = first_as(r["asn"]), r["country"]
        asn_of[(str(ipaddress.ip_address(r["address"])), r["port"])] = asn
        v = [0] * 5
        if r["answer"] != "none" and r["expect"] != "plain-dropped":
            v[0] = 1
        if r["expect"] == "mpc-dropped":
            v[1] = 1
            v[2] = int("mpc-dropped-v0" in r["expect_reason"])
            v[3] = int("mpc-dropped-v1" in r["expect_reason"])
        v[4] = int(r["expect"] == "plain-dropped")
        for kind, key in (("as", asn), ("cc", cc)):
            w = want[kind][(r["family"], r["port"], key)]
            for i in range(5):
                w[i] += v[i]
    bad = 0
    for kind, fname, col in (("as", "dropped_by_as.csv", "asn"), ("cc", "dropped_by_country.csv", "country")):
        got = {}
        for r in csv.DictReader(open("%s/%s" % (attr, fname), newline="")):
            got[(r["family"], r["port"], r[col])] = [int(r[c]) for c in (
                "answered_plain", "mpc_dropped", "mpc_dropped_v0", "mpc_dropped_v1", "plain_dropped")]
            plain, drop = got[(r["family"], r["port"], r[col])][:2]
            rate = "%.6g" % (drop / plain) if plain else ""
            if r["dropped_rate"] != rate:
                print("%s %s: dropped_rate %s, expected %s" % (fname, r[col], r["dropped_rate"], rate))
                bad += 1
        keys = set(got) | {k for k, v in want[kind].items() if any(v)}
        for k in sorted(keys):
            if got.get(k, [0] * 5) != want[kind].get(k, [0] * 5):
                print("%s %s: %s, truth %s" % (fname, k, got.get(k), want[kind].get(k)))
                bad += 1
    # fingerprints: the truth's AS of every row with a fingerprint, counted and ranked here
    count = collections.Counter()
    for r in csv.DictReader(open(targets, newline="")):
        if r.get("fingerprint"):
            a = asn_of[(str(ipaddress.ip_address(r["address"])), r["port"])]
            count[(r["family"], r["port"], a, r["fingerprint"], r["verdict"])] += 1
    groups = collections.defaultdict(list)
    for (fam, port, a, fp, verdict), n in count.items():
        groups[(fam, port, a)].append((-n, fp, verdict))
    expect = set()
    for (fam, port, a), items in groups.items():
        for rank, (n, fp, verdict) in enumerate(sorted(items)[:top], 1):
            expect.add((fam, port, a, str(rank), fp, verdict, str(-n)))
    got = {(r["family"], r["port"], r["asn"], r["rank"], r["fingerprint"], r["verdict"], r["count"])
           for r in csv.DictReader(open(attr + "/top_fingerprints.csv", newline=""))}
    for x in sorted(expect - got):
        print("top_fingerprints.csv lacks", x)
        bad += 1
    for x in sorted(got - expect):
        print("top_fingerprints.csv has, the truth not:", x)
        bad += 1
    print("# %d AS rows, %d country rows, %d fingerprint rows" % (len(want["as"]), len(want["cc"]), len(expect)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
