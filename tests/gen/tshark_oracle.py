#!/usr/bin/python3
"""tshark_oracle.py — checks mpcap-gen's captures against their truth files with tshark.

usage: tshark_oracle.py DIR [PROBE_KEY_HEX]

For every DIR/scan-*.pcap and DIR/tracebox-*.pcap it runs tshark once (checksum validation on)
and checks, independently of mpcap's reader and of the generator's code:
  - no malformed packet and no expert info of severity error;
  - scans: every probe carries the v0 MP_CAPABLE option with the probe key; the set of targets
    that answered with a SYN-ACK, a RST or an ICMP unreachable, the number of SYN-ACKs per
    target, the TTL, the MP_CAPABLE version, length, flags and key (tshark prints keys in
    decimal) are those of the truth file; the verdict recomputed here from the packet bytes with
    the rules of docs/methodology.md equals the truth's; the probed count equals truth-summary;
  - tracebox: per destination the number of probes, which hops answered and how they quoted
    (full, RFC 4884, 8-byte RFC 792), the first hop whose quote shows the MP_CAPABLE option
    changed and how, the destination's answer, and the class derived from them equal the truth.
Prints one TAP line per capture ("ok"/"not ok") with the first differences; exits 1 on failure.
"""
import collections
import concurrent.futures
import csv
import glob
import os
import subprocess
import sys

ERROR = 0x00800000  # wireshark's PI_ERROR

FIELDS = [
    "frame.number", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "ip.ttl", "ipv6.hlim", "ip.len",
    "icmp.type", "icmpv6.type", "icmp.ext.version", "tcp.srcport", "tcp.dstport", "tcp.flags",
    "tcp.hdr_len", "tcp.options", "tcp.option_kind", "tcp.option_len",
    "tcp.options.mptcp.version", "tcp.options.mptcp.flags", "tcp.options.mptcp.sendkey",
    "_ws.malformed", "_ws.expert.severity",
]


def tshark(path):
    cmd = ["tshark", "-n", "-r", path, "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
           "-o", "tcp.analyze_sequence_numbers:FALSE", "-T", "fields", "-E", "separator=\t",
           "-E", "occurrence=a", "-E", "aggregator=;"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True,
                         universal_newlines=True).stdout
    for line in out.splitlines():
        v = line.split("\t")
        v += [""] * (len(FIELDS) - len(v))
        yield {f: (v[i].split(";") if v[i] else []) for i, f in enumerate(FIELDS)}


def first(p, f):
    return p[f][0] if p[f] else ""


def last(p, f):
    return p[f][-1] if p[f] else ""


def src(p):
    return first(p, "ip.src") or first(p, "ipv6.src")


def dst(p):
    return first(p, "ip.dst") or first(p, "ipv6.dst")


def inner_dst(p):
    return last(p, "ip.dst") or last(p, "ipv6.dst")


def ttl(p):
    return int(first(p, "ip.ttl") or first(p, "ipv6.hlim"))


def mpc_len(p):
    kinds, lens = p["tcp.option_kind"], p["tcp.option_len"]
    # NOPs and EOL have no length field: walk the kinds, consuming lengths for the others
    li = 0
    for k in kinds:
        if k in ("0", "1"):
            continue
        if k == "30":
            return int(lens[li]) if li < len(lens) else None
        li += 1
    return None


def hamming(a, b):
    return bin(a ^ b).count("1")


def equal_bytes(a, b):
    x = a ^ b
    return sum(1 for i in range(8) if (x >> (8 * i)) & 0xff == 0)


def problems_of(p):
    out = []
    if p["_ws.malformed"]:
        out.append("frame %s malformed" % first(p, "frame.number"))
    if any(int(s) >= ERROR for s in p["_ws.expert.severity"]):
        out.append("frame %s has an expert error" % first(p, "frame.number"))
    return out


def read_truth(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def check_scan(pcap, truth_rows, probed, probe_key):
    errs = []
    probes = 0
    scanner = None
    probe_opts = None
    synacks = collections.defaultdict(list)
    rsts = {}
    icmps = set()
    for p in tshark(pcap):
        errs += problems_of(p)
        itype = first(p, "icmp.type") or first(p, "icmpv6.type")
        if itype:
            if itype in ("3", "1"):
                icmps.add((inner_dst(p), int(last(p, "tcp.dstport"))))
            continue
        flags = int(first(p, "tcp.flags"), 16)
        if flags == 0x02:
            probes += 1
            scanner = src(p)
            key = int(first(p, "tcp.options.mptcp.sendkey") or -1)
            if key != probe_key or first(p, "tcp.options.mptcp.version") != "0":
                errs.append("frame %s: probe without the v0 probe key" % first(p, "frame.number"))
            probe_opts = first(p, "tcp.options")
        elif flags == 0x12:
            synacks[(src(p), int(first(p, "tcp.srcport")))].append(p)
        elif flags == 0x14:
            rsts[(src(p), int(first(p, "tcp.srcport")))] = p
    if probes != probed:
        errs.append("%d probes, truth-summary says %d" % (probes, probed))
    # the verdict, recomputed from the bytes (docs/methodology.md, in its order)
    keys = collections.defaultdict(set)
    for t, ps in synacks.items():
        if first(ps[0], "tcp.options.mptcp.sendkey"):
            keys[int(first(ps[0], "tcp.options.mptcp.sendkey"))].add(t[0])

    def verdict(ps):
        p = ps[0]
        if mpc_len(p) is None:
            return "no-mptcp"
        if first(p, "tcp.options") == probe_opts:
            return "replay"
        if not first(p, "tcp.options.mptcp.sendkey"):
            return "no-mptcp"
        k = int(first(p, "tcp.options.mptcp.sendkey"))
        if k == probe_key:
            same = first(p, "tcp.options.mptcp.version") == "0" and int(first(p, "tcp.options.mptcp.flags"), 16) == 0x81
            return "replay" if same else "modified"
        if hamming(k, probe_key) <= 10 or equal_bytes(k, probe_key) >= 4:
            return "modified"
        return "shared-key" if len(keys[k]) >= 2 else "mptcp"

    seen = set()
    for r in truth_rows:
        t = (r["address"], int(r["port"]))
        seen.add(t)
        where = "%s:%s" % t
        if r["response"] == "synack":
            ps = synacks.get(t)
            if not ps:
                errs.append("%s: no SYN-ACK in the capture" % where)
                continue
            p = ps[0]
            if len(ps) != int(r["responses"]):
                errs.append("%s: %d SYN-ACKs, truth %s" % (where, len(ps), r["responses"]))
            if ttl(p) != int(r["ttl"]):
                errs.append("%s: TTL %d, truth %s" % (where, ttl(p), r["ttl"]))
            ml = mpc_len(p)
            if (ml is None) != (r["mpc_length"] == ""):
                errs.append("%s: MP_CAPABLE %s, truth length %r" % (where, ml, r["mpc_length"]))
            elif ml is not None:
                got = (str(ml), first(p, "tcp.options.mptcp.version"), first(p, "tcp.options.mptcp.flags"),
                       first(p, "tcp.options.mptcp.sendkey"))
                want = (r["mpc_length"], r["mpc_version"], r["mpc_flags"],
                        str(int(r["key"], 16)) if r["key"] else "")
                if got != want:
                    errs.append("%s: MP_CAPABLE %s, truth %s" % (where, got, want))
            v = verdict(ps)
            if v != r["verdict"]:
                errs.append("%s: verdict from the bytes %s, truth %s" % (where, v, r["verdict"]))
            if r["verdict"] == "shared-key" and len(keys[int(r["key"], 16)]) != int(r["key_group"]):
                errs.append("%s: key shared by %d addresses, truth %s" % (where, len(keys[int(r["key"], 16)]),
                                                                          r["key_group"]))
        elif r["response"] == "rst":
            if t not in rsts:
                errs.append("%s: no RST in the capture" % where)
            elif ttl(rsts[t]) != int(r["ttl"]):
                errs.append("%s: RST TTL %d, truth %s" % (where, ttl(rsts[t]), r["ttl"]))
        elif t not in icmps:
            errs.append("%s: no ICMP unreachable in the capture" % where)
    for t in list(synacks) + list(rsts) + list(icmps):
        if t not in seen:
            errs.append("%s:%d answered but is not in the truth" % t)
    return errs


def check_tracebox(pcap, truth_rows, probe_key):
    errs = []
    traces = collections.OrderedDict()
    scanner = None
    for p in tshark(pcap):
        errs += problems_of(p)
        itype = first(p, "icmp.type") or first(p, "icmpv6.type")
        if itype:
            t = (inner_dst(p), int(last(p, "tcp.dstport") or 0)) if p["tcp.dstport"] else None
            if t is None:  # an 8-byte quote: tshark shows no TCP; the trace is the last one probed
                t = next(reversed(traces))
                if inner_dst(p) != t[0]:
                    errs.append("frame %s: quote of an unexpected destination" % first(p, "frame.number"))
            tr = traces[t]
            kind = "X" if p["icmp.ext.version"] else ("F" if len(p["tcp.hdr_len"]) >= 1 else "B")
            quote = None
            if kind != "B":
                quote = (mpc_len(p), last(p, "tcp.hdr_len"), first(p, "tcp.options.mptcp.version"),
                         first(p, "tcp.options.mptcp.flags"), first(p, "tcp.options.mptcp.sendkey"))
            tr["answers"][tr["last_ttl"]] = (kind, quote)
            continue
        flags = int(first(p, "tcp.flags"), 16)
        if flags == 0x02:
            scanner = src(p)
            t = (dst(p), int(first(p, "tcp.dstport")))
            tr = traces.setdefault(t, {"probes": 0, "answers": {}, "dest": None, "last_ttl": 0})
            tr["probes"] += 1
            tr["last_ttl"] = ttl(p)
        elif flags == 0x12:
            t = (src(p), int(first(p, "tcp.srcport")))
            traces[t]["dest"] = p
    rows = {(r["address"], int(r["port"])): r for r in truth_rows}
    if set(rows) != set(traces):
        errs.append("traced destinations differ from the truth: %d in capture, %d in truth"
                    % (len(traces), len(rows)))
    for t, tr in traces.items():
        r = rows.get(t)
        if r is None:
            continue
        where = "%s:%d" % t
        if tr["probes"] != int(r["probes"]):
            errs.append("%s: %d probes, truth %s" % (where, tr["probes"], r["probes"]))
        hops = int(r["hops"])
        q = "".join(tr["answers"][i][0] if i in tr["answers"] else "-" for i in range(1, min(tr["probes"], hops - 1) + 1))
        if q != r["quotes"]:
            errs.append("%s: quotes %s, truth %s" % (where, q, r["quotes"]))
        change_hop, change, changed_key = "", "", None
        for i in sorted(tr["answers"]):
            kind, quote = tr["answers"][i]
            if quote is None:
                continue
            ml, hl, ver, fl, key = quote
            c = ""
            if ml is None:
                c = "removed" if hl == "20" else "replaced-by-nops"
            elif ver != "0":
                c = "version-changed"
            elif int(fl, 16) != 0x81:
                c = "flags-changed"
            elif int(key) != probe_key:
                c = "key-changed"
            if c:
                change_hop, change, changed_key = str(i), c, (int(key) if key else None)
                break
        if (change_hop, change) != (r["tb_change_hop"], r["tb_change"]):
            errs.append("%s: change %s at hop %s, truth %s at %s" % (where, change, change_hop, r["tb_change"],
                                                                     r["tb_change_hop"]))
        d = tr["dest"]
        if d is None:
            ans = "none"
        elif mpc_len(d) is None:
            ans = "synack-no-mpc"
        else:
            k = int(first(d, "tcp.options.mptcp.sendkey"))
            if k == probe_key:
                header = first(d, "tcp.options.mptcp.version") != "0" or int(first(d, "tcp.options.mptcp.flags"), 16) != 0x81
                ans = "synack-modified-header" if header else "synack-probe-key"
            elif hamming(k, probe_key) <= 10 or equal_bytes(k, probe_key) >= 4:
                ans = "synack-modified-key"
            else:
                # a box's own key echoed back, or the destination's own key
                ans = "synack-box-key" if k == changed_key else "synack-own-key"
        if ans != r["dest_answer"]:
            errs.append("%s: destination answered %s, truth %s" % (where, ans, r["dest_answer"]))
        cls = "unreachable" if d is None else ("true-mptcp" if ans == "synack-own-key" and not change else "middlebox")
        if cls != r["tracebox"]:
            errs.append("%s: class %s, truth %s" % (where, cls, r["tracebox"]))
    return errs


def main():
    d = sys.argv[1]
    probe_key = int(sys.argv[2], 16) if len(sys.argv) > 2 else 0x0c0c0c0c0c0c0c0c
    summary = {}
    with open(os.path.join(d, "truth-summary.csv"), newline="") as f:
        for r in csv.DictReader(f):
            summary[(r["scan"], r["family"], r["port"], r["counter"])] = int(r["value"])
    jobs = []
    for pcap in sorted(glob.glob(os.path.join(d, "scan-*.pcap")) + glob.glob(os.path.join(d, "tracebox-*.pcap"))):
        base = os.path.basename(pcap)[:-5]
        kind, rest = base.split("-", 1)
        scan = rest[:7]
        port = rest.split("-p")[1].split("-")[0]
        fam = rest[-1]
        if kind == "scan":
            truth = read_truth(os.path.join(d, "truth-%s.csv" % rest))
            jobs.append((pcap, truth, check_scan, (pcap, truth, summary[(scan, fam, port, "targets.probed")], probe_key)))
        else:
            truth = read_truth(os.path.join(d, "truth-tracebox-%s.csv" % rest))
            jobs.append((pcap, truth, check_tracebox, (pcap, truth, probe_key)))
    # one tshark per capture, as many at a time as there are processors
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        futures = [ex.submit(fn, *args) for _, _, fn, args in jobs]
    failed = 0
    n = 0
    for (pcap, truth, _, _), fut in zip(jobs, futures):
        errs = fut.result()
        n += 1
        if errs:
            failed += 1
            print("not ok %d - tshark agrees with the truth on %s (%d differences)" % (n, os.path.basename(pcap), len(errs)))
            for e in errs[:10]:
                print("#   " + e)
        else:
            print("ok %d - tshark agrees with the truth on %s (%d truth rows)" % (n, os.path.basename(pcap), len(truth)))
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
