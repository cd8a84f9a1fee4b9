#!/usr/bin/python3
"""Oracle test: every MP_CAPABLE field of `mpcap dump` must equal tshark's.

tshark (Wireshark's MPTCP dissector, not ours) is run on each capture; its
per-frame fields are turned into one record per MP_CAPABLE option and compared
row for row with mpcap dump: frame, addresses, ports, TCP flags, whether the
segment is quoted inside ICMP, option length, version, flags, sender and
receiver key.  Usage: tshark_dump_compare.py MPCAP CAPTURE...
Prints TAP lines; exits 1 on any difference.
"""
import csv
import io
import subprocess
import sys

FIELDS = ["frame.number", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport",
          "tcp.flags", "icmp.type", "icmpv6.type", "tcp.option_kind", "tcp.option_len",
          "tcp.options.mptcp.subtype", "tcp.options.mptcp.version", "tcp.options.mptcp.flags",
          "tcp.options.mptcp.sendkey", "tcp.options.mptcp.recvkey"]


def split(v):
    return [x for x in v.split(";")] if v else []


def tshark_rows(path):
    cmd = ["tshark", "-n", "-r", path, "-Y", "tcp.options.mptcp.subtype == 0", "-T", "fields",
           "-E", "occurrence=a", "-E", "aggregator=;", "-E", "separator=/t"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rows = {}
    for line in out.splitlines():
        v = dict(zip(FIELDS, line.split("\t")))
        quoted = bool(v["icmp.type"] or v["icmpv6.type"])
        src = split(v["ip.src"]) or split(v["ipv6.src"])
        dst = split(v["ip.dst"]) or split(v["ipv6.dst"])
        kinds = [int(k) for k in split(v["tcp.option_kind"])]
        lens = [int(x) for x in split(v["tcp.option_len"])]
        subs = [int(x) for x in split(v["tcp.options.mptcp.subtype"])]
        vers = split(v["tcp.options.mptcp.version"])
        flags = split(v["tcp.options.mptcp.flags"])
        skeys = split(v["tcp.options.mptcp.sendkey"])
        rkeys = split(v["tcp.options.mptcp.recvkey"])
        li = si = 0
        mpc_lens = []
        for k in kinds:
            ln = None
            if k not in (0, 1):
                ln = lens[li] if li < len(lens) else None
                li += 1
            if k == 30:
                sub = subs[si] if si < len(subs) else None
                si += 1
                if sub == 0:
                    mpc_lens.append(ln)
        recs = []
        for i, ln in enumerate(mpc_lens):
            recs.append({
                "src": src[-1], "dst": dst[-1],
                "sport": split(v["tcp.srcport"])[-1], "dport": split(v["tcp.dstport"])[-1],
                "tcp_flags": ("0x%02x" % int(v["tcp.flags"].split(";")[-1], 16)) if v["tcp.flags"] else "",
                "in_icmp_quote": "1" if quoted else "0",
                "mpc_length": str(ln),
                "mpc_version": vers[i] if i < len(vers) else "",
                "mpc_flags": ("0x%02x" % int(flags[i], 16)) if i < len(flags) and len(flags) == len(mpc_lens) else None,
                "sender_key": ("%016x" % int(skeys[i])) if i < len(skeys) else "",
                "receiver_key": ("%016x" % int(rkeys[i])) if i < len(rkeys) else "",
            })
        rows[int(v["frame.number"])] = recs
    return rows


def mpcap_rows(mpcap, path):
    out = subprocess.run([mpcap, "dump", "--no-progress", path], capture_output=True, text=True)
    if out.returncode not in (0, 3):
        raise RuntimeError("mpcap dump %s exited %d: %s" % (path, out.returncode, out.stderr.strip()))
    rows = {}
    for r in csv.DictReader(io.StringIO(out.stdout)):
        rows.setdefault(int(r["frame"]), []).append(r)
    return rows


def main():
    mpcap, files = sys.argv[1], sys.argv[2:]
    failures = 0
    n = 0
    for path in files:
        n += 1
        t = tshark_rows(path)
        m = mpcap_rows(mpcap, path)
        diffs = []
        if sorted(t) != sorted(m):
            diffs.append("frames with MP_CAPABLE differ: tshark %s, mpcap %s" % (sorted(t)[:10], sorted(m)[:10]))
        for frame in sorted(set(t) & set(m)):
            tr, mr = t[frame], m[frame]
            if len(tr) != len(mr):
                diffs.append("frame %d: %d options in tshark, %d in mpcap" % (frame, len(tr), len(mr)))
                continue
            for a, b in zip(tr, mr):
                for k, val in a.items():
                    if val is None:
                        continue
                    if b[k] != val:
                        diffs.append("frame %d %s: tshark %r, mpcap %r" % (frame, k, val, b[k]))
        rows = sum(len(x) for x in t.values())
        if diffs:
            failures += 1
            print("not ok %d - %s: %d differences" % (n, path, len(diffs)))
            for d in diffs[:20]:
                print("#   " + d)
        else:
            print("ok %d - %s: %d MP_CAPABLE options, every field equal to tshark's" % (n, path, rows))
    print("1..%d" % n)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
