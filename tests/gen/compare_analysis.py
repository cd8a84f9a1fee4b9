#!/usr/bin/python3
"""compare_analysis.py — does `mpcap analyze --all` of a generated scan equal its truth?

usage: compare_analysis.py [--mpc-only] TRUTH.csv TARGETS.csv SUMMARY.csv TRUTH-SUMMARY.csv SCAN FAMILY PORT

--mpc-only: targets.csv came from `mpcap analyze` without --all and lists only the targets that
answered with an MP_CAPABLE option; the truth rows are filtered alike (the counts are compared
in full either way).

Compares per target (address, port): response, number of responses, TTL, MP_CAPABLE version,
length, flags, key, verdict, verdict_reason and, for shared keys, the group size; and the
summary counters targets.probed, targets.responsive, targets.mpcapable and verdict.* for the
scan's family and port. Prints every difference (at most 20 per kind) on stdout, "#"-prefixed
for TAP, and exits 1 when there is one.
"""
import csv
import sys

COLS = ["response", "responses", "ttl", "mpc_version", "mpc_length", "mpc_flags", "key", "verdict",
        "verdict_reason"]


def main():
    args = sys.argv[1:]
    mpc_only = args[0] == "--mpc-only"
    if mpc_only:
        args = args[1:]
    truth_p, targets_p, summary_p, tsum_p, scan, fam, port = args[:7]
    with open(truth_p, newline="") as f:
        truth = {(r["address"], r["port"]): r for r in csv.DictReader(f) if r["mpc_length"] or not mpc_only}
    with open(targets_p, newline="") as f:
        got = {}
        for r in csv.DictReader(f):
            got[(r["address"], r["port"])] = r
    diffs = []
    for t in sorted(set(truth) | set(got)):
        a, b = truth.get(t), got.get(t)
        where = "%s:%s" % t
        if b is None:
            diffs.append("%s: in the truth (%s, %s) but not in targets.csv" % (where, a["class"], a["verdict"]))
            continue
        if a is None:
            diffs.append("%s: in targets.csv (%s) but not in the truth" % (where, b.get("verdict")))
            continue
        for c in COLS:
            if c not in b:
                continue
            if a[c] != b[c]:
                diffs.append("%s (%s): %s truth %r, mpcap %r" % (where, a["class"], c, a[c], b[c]))
        if a["verdict"] == "shared-key" and b.get("key_group") != a["key_group"]:
            diffs.append("%s: key_group truth %r, mpcap %r" % (where, a["key_group"], b.get("key_group")))
    want = {}
    with open(tsum_p, newline="") as f:
        for r in csv.DictReader(f):
            if r["scan"] == scan and r["family"] == fam and r["port"] == port:
                want[r["counter"]] = r["value"]
    have = {}
    with open(summary_p, newline="") as f:
        for r in csv.DictReader(f):
            if r["family"] == fam and r["port"] == port:
                have[r["counter"]] = r["value"]
            elif r["family"] == "" and r["counter"] not in have:
                have.setdefault("total." + r["counter"], r["value"])
    for c, v in sorted(want.items()):
        if not (c.startswith("targets.") or c.startswith("verdict.")):
            continue
        h = have.get(c, have.get("total." + c))
        if h != v:
            diffs.append("summary %s: truth %s, mpcap %s" % (c, v, h))
    for d in diffs[:40]:
        print("#   " + d)
    if len(diffs) > 40:
        print("#   ... %d more" % (len(diffs) - 40))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
