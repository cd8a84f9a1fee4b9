#!/usr/bin/python3
"""compare_trace.py — does `mpcap trace` of a generated tracebox capture equal its truth?

usage: compare_trace.py TRUTH-TRACEBOX.csv SCAN-TRUTH.csv DESTINATIONS.csv CLASSIFICATION.csv

destinations.csv (the trace alone) against truth-tracebox: the set of traced destinations,
and per destination its class (true-mptcp, middlebox, unreachable), the number of probes, the
hops that answered and those that quoted in full, the first hop whose quote shows the
MP_CAPABLE option changed and the change. classification.csv (trace combined with the scan)
against the scan truth's tracebox column for every destination the trace reached. Where the
destination never answered, mpcap lets the scan's verdict speak (a replay, modified or shared-key
verdict makes it a middlebox) while the truth keeps "unreachable" (docs/samples.md): those rows are counted
on a "#" line, not compared. Prints differences "#"-prefixed; exits 1 when there is one.
"""
import collections
import csv
import sys


def main():
    tt_p, st_p, d_p, c_p = sys.argv[1:5]
    with open(tt_p, newline="") as f:
        tt = {(r["address"], r["port"]): r for r in csv.DictReader(f)}
    with open(st_p, newline="") as f:
        st = {(r["address"], r["port"]): r for r in csv.DictReader(f)}
    with open(d_p, newline="") as f:
        dd = {(r["destination"], r["port"]): r for r in csv.DictReader(f)}
    with open(c_p, newline="") as f:
        cc = {(r["address"], r["port"]): r for r in csv.DictReader(f)}
    diffs = []
    for k in sorted(set(tt) | set(dd)):
        t, d = tt.get(k), dd.get(k)
        where = "%s:%s" % k
        if t is None or d is None:
            diffs.append("%s: %s" % (where, "traced in the capture only" if t is None else "missing from destinations.csv"))
            continue
        q = t["quotes"]
        want = {
            "class": t["tracebox"],
            "probes": t["probes"],
            "hops_answered": str(sum(1 for x in q if x != "-")),
            "hops_full": str(sum(1 for x in q if x in "FX")),
            "mpc_changed_hop": t["tb_change_hop"],
            "mpc_change": t["tb_change"],
        }
        for c, v in want.items():
            if d.get(c) != v:
                diffs.append("%s (%s): %s truth %r, mpcap %r" % (where, t["class"], c, v, d.get(c)))
    deferred = collections.Counter()
    for k, c in sorted(cc.items()):
        s = st.get(k)
        where = "%s:%s" % k
        if s is None:
            diffs.append("%s: in classification.csv but not a responder in the truth" % where)
            continue
        if s["tracebox"] == "unreachable":
            deferred["%s/%s" % (s["verdict"], c["class"])] += 1
            continue
        if c["class"] != s["tracebox"]:
            diffs.append("%s (%s, %s): class truth %r, mpcap %r" % (where, s["class"], s["verdict"], s["tracebox"],
                                                                    c["class"]))
    for k, s in st.items():
        if s["mpc_length"] and k not in cc:
            diffs.append("%s:%s: an MP_CAPABLE responder missing from classification.csv" % k)
    if deferred:
        print("# not compared, destination never answered (scan verdict/mpcap class): " +
              ", ".join("%s %d" % x for x in sorted(deferred.items())))
    for x in diffs[:40]:
        print("#   " + x)
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
