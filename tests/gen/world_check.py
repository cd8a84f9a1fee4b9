#!/usr/bin/python3
"""world_check.py — is the generated attribution world well formed and does it agree with the truth?

usage: world_check.py DIR

Checks DIR/world/ (pfx2as-v4.txt, pfx2as-v6.txt, as-names.csv, countries.csv, delegated-*)
with Python's ipaddress module, independently of mpcap:
  - every pfx2as line is PREFIX<TAB>LENGTH<TAB>ORIGIN with a network address, the origin one AS
    number, a multi-origin a_b or an AS set a,b; multi-origin and AS-set lines and nested
    prefixes (a customer's more-specific) are present;
  - every delegated line is in the RIR exchange format; delegated blocks do not overlap;
  - every origin AS has a name; more than 80 countries;
  - for every truth row: the longest pfx2as match of the address has the truth's prefix and
    origin, and the delegated record covering it has the truth's country.
Prints TAP lines; exits 1 on failure.
"""
import bisect
import csv
import glob
import ipaddress
import os
import sys

n = 0
failed = 0


def check(ok, what, detail=""):
    global n, failed
    n += 1
    if not ok:
        failed += 1
    print("%s %d - %s%s" % ("ok" if ok else "not ok", n, what, ("" if ok or not detail else " (%s)" % detail)))


def main():
    d = sys.argv[1]
    w = os.path.join(d, "world")
    pfx = {4: [], 6: []}
    bad = []
    for fam in (4, 6):
        with open(os.path.join(w, "pfx2as-v%d.txt" % fam)) as f:
            for i, line in enumerate(f, 1):
                parts = line.rstrip("\n").split("\t")
                try:
                    net = ipaddress.ip_network("%s/%s" % (parts[0], parts[1]), strict=True)
                    origin = parts[2]
                    assert len(parts) == 3 and net.version == fam
                    for a in origin.replace("_", ",").split(","):
                        assert a.isdigit() and 0 < int(a) < 2 ** 32
                except Exception as e:  # noqa: BLE001 — report any malformed line
                    bad.append("pfx2as-v%d.txt:%d: %r (%s)" % (fam, i, line, e))
                    continue
                pfx[fam].append((net, origin))
    check(not bad, "pfx2as lines are PREFIX<TAB>LENGTH<TAB>ORIGIN", "; ".join(bad[:3]))
    origins = [o for fam in (4, 6) for _, o in pfx[fam]]
    check(any("_" in o for o in origins), "pfx2as has multi-origin (a_b) prefixes")
    check(any("," in o for o in origins), "pfx2as has AS-set (a,b) prefixes")
    nested = sum(1 for fam in (4, 6) for a, _ in pfx[fam] for b, _ in pfx[fam] if a != b and a.subnet_of(b))
    check(nested > 0, "pfx2as has more-specific prefixes inside others (%d)" % nested)
    with open(os.path.join(w, "as-names.csv"), newline="") as f:
        names = {r["asn"]: r["name"] for r in csv.DictReader(f)}
    missing = {a for o in origins for a in o.replace("_", ",").split(",")} - set(names)
    check(not missing, "every origin AS has a name in as-names.csv", ", ".join(sorted(missing)[:5]))
    for asn, name in (("714", "Apple"), ("1221", "Telstra"), ("61157", "PlusServer"), ("4766", "Korea Telecom")):
        check(name in names.get(asn, ""), "AS%s is %s" % (asn, name), names.get(asn))
    deleg = {4: [], 6: []}
    bad = []
    ccs = set()
    for path in sorted(glob.glob(os.path.join(w, "delegated-*-extended-*"))):
        with open(path) as f:
            for i, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if line.startswith("#"):
                    continue
                p = line.split("|")
                if p[0].replace(".", "").isdigit():  # version line
                    continue
                if len(p) >= 6 and p[5] == "summary":
                    continue
                try:
                    registry, cc, typ, start, value, date, status = p[:7]
                    assert registry in ("arin", "ripencc", "apnic", "lacnic", "afrinic")
                    assert status in ("allocated", "assigned", "reserved", "available")
                    if typ == "ipv4":
                        a = int(ipaddress.IPv4Address(start))
                        deleg[4].append((a, a + int(value) - 1, cc))
                    elif typ == "ipv6":
                        net = ipaddress.IPv6Network("%s/%s" % (start, value))
                        deleg[6].append((int(net.network_address), int(net.broadcast_address), cc))
                    else:
                        assert typ == "asn"
                    if status in ("allocated", "assigned"):
                        ccs.add(cc)
                except Exception as e:  # noqa: BLE001
                    bad.append("%s:%d: %r (%s)" % (os.path.basename(path), i, line, e))
    check(not bad, "delegated lines are registry|cc|type|start|value|date|status", "; ".join(bad[:3]))
    overlaps = 0
    for fam in (4, 6):
        deleg[fam].sort()
        for x, y in zip(deleg[fam], deleg[fam][1:]):
            overlaps += y[0] <= x[1]
    check(overlaps == 0, "delegated blocks do not overlap", "%d overlaps" % overlaps)
    ccs.discard("ZZ")
    check(len(ccs) > 80, "more than 80 countries in the delegated files (%d)" % len(ccs))
    # the truth against longest-prefix match and the delegated records
    bylen = {4: {}, 6: {}}
    for fam in (4, 6):
        for net, origin in pfx[fam]:
            bylen[fam].setdefault(net.prefixlen, {})[int(net.network_address)] = (net, origin)
    starts = {fam: [s for s, _, _ in deleg[fam]] for fam in (4, 6)}
    errs = []
    rows = 0
    for path in sorted(glob.glob(os.path.join(d, "truth-20*.csv"))):
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                rows += 1
                a = ipaddress.ip_address(r["address"])
                fam = a.version
                hit = None
                for ln in sorted(bylen[fam], reverse=True):
                    bits = 32 if fam == 4 else 128
                    key = int(a) >> (bits - ln) << (bits - ln)
                    if key in bylen[fam][ln]:
                        hit = bylen[fam][ln][key]
                        break
                if hit is None or str(hit[0]) != r["prefix"] or hit[1] != r["asn"]:
                    errs.append("%s: longest match %s, truth %s %s" % (r["address"], hit, r["prefix"], r["asn"]))
                i = bisect.bisect_right(starts[fam], int(a)) - 1
                cc = deleg[fam][i][2] if i >= 0 and deleg[fam][i][1] >= int(a) else None
                if cc != r["country"]:
                    errs.append("%s: delegated country %s, truth %s" % (r["address"], cc, r["country"]))
    check(rows > 0 and not errs, "longest match and delegated country agree with the truth (%d rows)" % rows,
          "; ".join(errs[:3]))
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
