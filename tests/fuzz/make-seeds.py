#!/usr/bin/python3
"""make-seeds.py — (re)builds the seed corpora of the libFuzzer harnesses.

Usage: tests/fuzz/make-seeds.py [CORPUS_DIR]   (default tests/corpus)

Writes tests/fuzz/seeds/{capture,dissect,tcp,icmp,csv,attribution,prefix,state}/ from inputs we may
redistribute (origins in tests/fuzz/seeds/README.md):
  - our own captures in samples/captures/ and results in tests/golden/;
  - corpus captures under BSD or MIT licences: the tcpdump test files
    mptcp-v0.pcap and mptcp-v1.pcap (BSD), ptcpdump's mptcp.pcap (MIT) and the
    Zeek traces zeek-*.pcap (BSD).  Captures of unstated licence
    (dpi-mptcp-*, tracebox-*, zmap-*) are not copied.
capture: small whole files and their variants (first packets only, pcapng,
  nanosecond, big-endian, mixed link types, gzip/xz/zstd/bzip2);
dissect: one frame each, byte 0 selecting the link type (fuzz_dissect.c's
  table), the IP packets of Ethernet frames re-wrapped in every link layer;
tcp: byte 0 the TCP flags, then the TCP options of a real segment;
icmp: byte 0 the family (0 ICMP, 1 ICMPv6), then an ICMP message;
csv: a golden targets.csv, a NUL byte, its summary.csv;
attribution: byte 0 the loader (0 origin AS, 1 country, 2 AS names), then a
  small pfx2as / delegated / as2org / CSV file written here (and gzipped);
prefix: operation programs (see fuzz_prefix.c);
state: results directories of `mpcap analyze` over capture seeds (u32 length,
  scan.state, targets.sets; see fuzz_state.c), made with $MPCAP (default
  build/mpcap).
Needs editcap and mergecap (tshark), gzip, xz, zstd, bzip2.  Deterministic for
given tool versions; the seeds are committed, so this only documents and
refreshes them.
"""
import gzip
import lzma
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests", "corpus")
SEEDS = os.path.join(ROOT, "tests", "fuzz", "seeds")

# fuzz_dissect.c's table: index -> DLT
DLT_INDEX = {0: 0, 1: 1, 9: 2, 12: 3, 14: 4, 50: 5, 51: 6, 101: 7, 108: 8, 113: 9, 228: 10, 229: 11, 276: 12}
LIBRE = ["mptcp-v0.pcap", "mptcp-v1.pcap", "ptcpdump-mptcp-loopback.pcap"]


def read_pcap(path):
    """(linktype, [frame bytes]) of a classic pcap file."""
    d = open(path, "rb").read()
    magic = d[:4]
    e = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    lt = struct.unpack(e + "I", d[20:24])[0]
    off, frames = 24, []
    while off + 16 <= len(d):
        caplen = struct.unpack(e + "I", d[off + 8:off + 12])[0]
        frames.append(d[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return lt, frames


def put(kind, name, data):
    os.makedirs(os.path.join(SEEDS, kind), exist_ok=True)
    with open(os.path.join(SEEDS, kind, name), "wb") as f:
        f.write(data)


def run(*cmd, **kw):
    subprocess.run(cmd, check=True, **kw)


def ip_of_ethernet(frame):
    """The IP packet inside an Ethernet frame (VLAN tags skipped), or None."""
    off = 12
    while off + 2 <= len(frame):
        et = struct.unpack(">H", frame[off:off + 2])[0]
        if et in (0x8100, 0x88a8, 0x9100):
            off += 4
            continue
        if et in (0x0800, 0x86dd):
            return frame[off + 2:]
        return None
    return None


def ip_of_sll(frame):
    if len(frame) >= 16 and frame[14:16] in (b"\x08\x00", b"\x86\xdd"):
        return frame[16:]
    return None


def l4_of_ip(pkt):
    """(proto, family, l4 bytes) for IPv4 / IPv6 without extension headers."""
    if not pkt:
        return None
    v = pkt[0] >> 4
    if v == 4 and len(pkt) >= 20:
        hl = (pkt[0] & 15) * 4
        return pkt[9], 4, pkt[hl:]
    if v == 6 and len(pkt) >= 40:
        return pkt[6], 6, pkt[40:]
    return None


def option_shape(opts):
    """The kinds and lengths of a TCP option block, and MPTCP subtypes: one seed per shape."""
    i, shape = 0, []
    while i < len(opts):
        k = opts[i]
        if k in (0, 1):
            shape.append(k)
            i += 1
            continue
        ln = opts[i + 1] if i + 1 < len(opts) else 0
        shape.append((k, ln, opts[i + 2] >> 4 if k == 30 and i + 2 < len(opts) else None))
        if ln < 2:
            break
        i += ln
    return tuple(shape)


def wrappers(ip):
    """The IP packet in every link layer fuzz_dissect.c selects."""
    v6 = ip[0] >> 4 == 6
    et = b"\x86\xdd" if v6 else b"\x08\x00"
    eth = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01"
    ppp = b"\x00\x57" if v6 else b"\x00\x21"
    af = 30 if v6 else 2
    return {
        "null": (0, struct.pack("<I", af) + ip),
        "ether-vlan": (1, eth + b"\x81\x00\x00\x05" + et + ip),
        "ether-qinq-mpls": (1, eth + b"\x88\xa8\x00\x07\x81\x00\x00\x05\x88\x47\x00\x01\x01\x40" + ip),
        "ppp": (9, b"\xff\x03" + ppp + ip),
        "raw": (12, ip),
        "raw-openbsd": (14, ip),
        "ppp-serial-chdlc": (50, b"\x0f\x00" + et + ip),
        "ppp-ether": (51, b"\x11\x00\x00\x01" + struct.pack(">H", len(ip) + 2) + ppp + ip),
        "linktype-raw": (101, ip),
        "loop": (108, struct.pack(">I", af) + ip),
        "sll": (113, b"\x00\x00\x00\x01\x00\x06" + b"\x02\x00\x00\x00\x00\x01\x00\x00" + et + ip),
        "ipv6" if v6 else "ipv4": (229 if v6 else 228, ip),
        "sll2": (276, et + b"\x00\x00\x00\x00\x00\x02\x00\x01\x00\x06\x02\x00\x00\x00\x00\x01\x00\x00" + ip),
    }


def be_pcap(path):
    """A little-endian classic pcap rewritten big-endian (as a SPARC host wrote them)."""
    d = open(path, "rb").read()
    magic, vmaj, vmin, tz, sig, snap, lt = struct.unpack("<IHHiIII", d[:24])
    out = [struct.pack(">IHHiIII", magic, vmaj, vmin, tz, sig, snap, lt)]
    off = 24
    while off + 16 <= len(d):
        s, us, cl, wl = struct.unpack("<IIII", d[off:off + 16])
        out.append(struct.pack(">IIII", s, us, cl, wl) + d[off + 16:off + 16 + cl])
        off += 16 + cl
    return b"".join(out)


def main():
    for k in ("capture", "dissect", "tcp", "icmp", "csv", "attribution", "prefix", "state"):
        shutil.rmtree(os.path.join(SEEDS, k), ignore_errors=True)
    tmp = tempfile.mkdtemp()
    c = lambda n: os.path.join(CORPUS, n)
    ours = os.path.join(ROOT, "samples", "captures")

    # ---- capture: whole small files and variants
    def head(src, n, dst):
        run("editcap", "-r", src, dst, "1-%d" % n, stderr=subprocess.DEVNULL)
        return dst
    srcs = {
        "netns-foundation-24.pcap": head(os.path.join(ours, "netns-foundation.pcap"), 24, os.path.join(tmp, "a")),
        "netns-verdicts-icmp.pcap": None,
        "mptcp-v0-12.pcap": head(c("mptcp-v0.pcap"), 12, os.path.join(tmp, "b")),
        "mptcp-v1-8.pcap": head(c("mptcp-v1.pcap"), 8, os.path.join(tmp, "d")),
        "ptcpdump-loopback.pcap": c("ptcpdump-mptcp-loopback.pcap"),
        "zeek-pppoe-10.pcap": head(c("zeek-pppoe.pcap"), 10, os.path.join(tmp, "e")),
        "zeek-mixed-vlan-mpls-10.pcap": head(c("zeek-mixed-vlan-mpls.pcap"), 10, os.path.join(tmp, "f")),
    }
    v = os.path.join(tmp, "g")
    run("editcap", os.path.join(ours, "netns-verdicts.pcap"), v, "130-140", "600-625", stderr=subprocess.DEVNULL)
    run("editcap", "-r", v, os.path.join(tmp, "h"), "1-6", stderr=subprocess.DEVNULL)
    srcs["netns-verdicts-icmp.pcap"] = os.path.join(tmp, "h")
    for f in sorted(os.listdir(CORPUS)):
        if f.startswith("zeek-") and f.endswith(".pcap") and os.path.getsize(c(f)) < 2000:
            srcs[f] = c(f)
    for name, src in srcs.items():
        put("capture", name, open(src, "rb").read())
    lo = srcs["ptcpdump-loopback.pcap"]
    run("editcap", "-F", "pcapng", srcs["mptcp-v0-12.pcap"], os.path.join(tmp, "ng"))
    put("capture", "mptcp-v0-12.pcapng", open(os.path.join(tmp, "ng"), "rb").read())
    run("mergecap", "-F", "pcapng", "-w", os.path.join(tmp, "mix"), srcs["mptcp-v1-8.pcap"],
        srcs["zeek-icmp_icmp6-timeexceeded.pcap"])
    put("capture", "mixed-linktypes.pcapng", open(os.path.join(tmp, "mix"), "rb").read())
    run("editcap", "-F", "nsecpcap", srcs["netns-foundation-24.pcap"], os.path.join(tmp, "ns"))
    put("capture", "netns-foundation-24.nsec.pcap", open(os.path.join(tmp, "ns"), "rb").read())
    put("capture", "ptcpdump-loopback.be.pcap", be_pcap(lo))
    raw = open(lo, "rb").read()
    put("capture", "ptcpdump-loopback.pcap.gz", gzip.compress(raw, 9, mtime=0))
    for tool, ext in (("xz", "xz"), ("zstd", "zst"), ("bzip2", "bz2")):
        out = subprocess.run([tool, "-c", "-q"] if tool == "zstd" else [tool, "-c"], input=raw,
                             stdout=subprocess.PIPE, check=True).stdout
        put("capture", "ptcpdump-loopback.pcap." + ext, out)
    put("capture", "mixed-linktypes.pcapng.gz", gzip.compress(open(os.path.join(tmp, "mix"), "rb").read(), 9, mtime=0))
    # issue 15: an xz stream whose block header asks for a 1 GiB dictionary
    # (LZMA2 property 36; the block header's CRC32 recomputed): refused by
    # the decoder's memory limit, never allocated
    xz = bytearray(lzma.compress(raw, format=lzma.FORMAT_XZ, filters=[{"id": lzma.FILTER_LZMA2, "preset": 1}]))
    hs = (xz[12] + 1) * 4
    xz[16] = 36
    struct.pack_into("<I", xz, 12 + hs - 4, zlib.crc32(bytes(xz[12:12 + hs - 4])))
    put("capture", "ptcpdump-loopback.dict1g.pcap.xz", bytes(xz))

    # ---- dissect / tcp / icmp: frames of the libre captures and ours
    frames = []
    for path in [os.path.join(ours, "netns-foundation.pcap"), os.path.join(tmp, "g"), c("mptcp-v0.pcap"),
                 c("mptcp-v1.pcap"), c("ptcpdump-mptcp-loopback.pcap")] + \
            [c(f) for f in sorted(os.listdir(CORPUS)) if f.startswith("zeek-") and f.endswith(".pcap")]:
        lt, fr = read_pcap(path)
        base = os.path.basename(path) if path != os.path.join(tmp, "g") else "netns-verdicts"
        frames += [(base.replace(".pcap", ""), i + 1, lt, f) for i, f in enumerate(fr)]
    seen_tcp, seen_icmp, n_frame, wrapped = set(), set(), {}, 0
    for base, no, lt, f in frames:
        k = n_frame.get(base, 0)
        if k < 12 and lt in DLT_INDEX:
            put("dissect", "%s-%d" % (base, no), bytes([DLT_INDEX[lt]]) + f)
            n_frame[base] = k + 1
        ip = ip_of_ethernet(f) if lt == 1 else ip_of_sll(f) if lt == 113 else None
        l4 = l4_of_ip(ip)
        if not l4:
            continue
        proto, fam, seg = l4
        if proto == 6 and len(seg) >= 20:
            hl = (seg[12] >> 4) * 4
            key = (seg[13], option_shape(seg[20:hl]))
            if key not in seen_tcp and hl > 20:
                seen_tcp.add(key)
                put("tcp", "%s-%d" % (base, no), bytes([seg[13]]) + seg[20:hl])
                if base.startswith("mptcp") and wrapped < 4:  # every link layer, MP_CAPABLE inside
                    wrapped += 1
                    for wn, (dlt, fr) in wrappers(ip).items():
                        put("dissect", "%s-%d-as-%s" % (base, no, wn), bytes([DLT_INDEX[dlt]]) + fr)
        if (proto == 1 and fam == 4) or (proto == 58 and fam == 6):
            key = (fam, seg[0], len(seg))
            if key not in seen_icmp:
                seen_icmp.add(key)
                put("icmp", "%s-%d" % (base, no), bytes([0 if fam == 4 else 1]) + seg)
                for wn, (dlt, fr) in wrappers(ip).items():
                    if wn in ("raw", "sll2", "ppp-ether"):
                        put("dissect", "%s-%d-as-%s" % (base, no, wn), bytes([DLT_INDEX[dlt]]) + fr)

    # ---- csv: our golden results
    gold = os.path.join(ROOT, "tests", "golden")
    for d in ("mptcp-v0-analyze", "mptcp-v1-analyze", "tracebox4-analyze", "vlan-mpls-analyze",
              "zmap-analyze", "netns-analyze"):
        t = open(os.path.join(gold, d, "targets.csv"), "rb").read().splitlines(True)[:20]
        s = open(os.path.join(gold, d, "summary.csv"), "rb").read().splitlines(True)[:40]
        put("csv", d, b"".join(t) + b"\0" + b"".join(s))
    # ---- attribution: small files in each format, written here (byte 0: 0 asn, 1 geo, 2 names)
    pfx2as = (b"# CAIDA RouteViews prefix-to-AS\n192.0.2.0\t24\t64500\n198.51.100.0\t22\t64501_64502\n"
              b"203.0.113.0\t24\t64503,64504\n2001:db8::\t32\t64505\n2001:db8:1::\t48\t64506\n"
              b"0.0.0.0\t0\t1\n::ffff:10.0.0.0\t104\t64507\n")
    delegated = (b"2|ripencc|20240101|4|19830705|20240101|+0100\nripencc|*|ipv4|*|3|summary\n"
                 b"ripencc|FR|ipv4|192.0.2.0|256|20100101|allocated\n"
                 b"ripencc|DE|ipv4|198.51.100.0|768|20100101|assigned|abc123\n"
                 b"ripencc|ZZ|ipv4|203.0.113.0|256|20100101|reserved\n"
                 b"ripencc|NL|ipv6|2001:db8::|32|20100101|allocated\n"
                 b"ripencc|SE|asn|64500|10|20100101|allocated\n")
    as2org = (b"# format:aut|changed|aut_name|org_id|opaque_id|source\n"
              b"64500|20240101|EXAMPLE-AS|ORG-1|x|RIPE\n64501|20240101|OTHER|ORG-2|y|ARIN\n"
              b"# format:org_id|changed|org_name|country|source\n"
              b"ORG-1|20240101|Example Org|FR|RIPE\nORG-2|20240101|Other, Inc.|US|ARIN\n")
    names = b"asn,name,org_name\n64500,EXAMPLE-AS,Example Org\n64501,\"OTHER, AS\",Other\n"
    for name, kind, data in (("pfx2as", 0, pfx2as), ("delegated", 1, delegated), ("as2org", 2, as2org),
                             ("names.csv", 2, names), ("names-headerless.csv", 2, b"64500,EXAMPLE\n1,ONE\n")):
        put("attribution", name, bytes([kind]) + data)
        put("attribution", name + ".gz", bytes([kind]) + gzip.compress(data, 9, mtime=0))

    # ---- prefix: operation programs for fuzz_prefix.c (op, then operands)
    def v4(a):
        return bytes(int(x) for x in a.split("."))
    progs = {
        "nested-v4": bytes([0, 8]) + v4("10.0.0.0") + bytes([0, 16]) + v4("10.1.0.0") + bytes([0, 24]) +
        v4("10.1.2.0") + bytes([4]) + v4("10.1.2.3") + bytes([4]) + v4("10.2.0.0"),
        "range-v4": bytes([2]) + v4("192.0.2.5") + v4("192.0.3.200") + bytes([4]) + v4("192.0.2.255"),
        "mapped-v6": bytes([0x43, 120]) + bytes(16) + bytes([1, 32]) + bytes.fromhex("20010db8" + "00" * 12) +
        bytes([5]) + bytes.fromhex("00" * 10 + "ffff" + "c0000201"),
        "default-routes": bytes([0, 0]) + bytes(4) + bytes([1, 0]) + bytes(16) + bytes([4]) + v4("1.2.3.4"),
    }
    for name, prog in progs.items():
        put("prefix", name, prog)

    # ---- state: results directories read back by mpcap merge (fuzz_state.c)
    mpcap = os.environ.get("MPCAP", os.path.join(ROOT, "build", "mpcap"))
    late = os.path.join(tmp, "late")  # answers before any probe: pre.* sets
    run("editcap", "-r", srcs["netns-foundation-24.pcap"], late, "13-24", stderr=subprocess.DEVNULL)
    for name, src, opts in (("foundation", srcs["netns-foundation-24.pcap"], []),
                            ("foundation-all", srcs["netns-foundation-24.pcap"], ["--all"]),
                            ("foundation-late", late, []),
                            ("verdicts-icmp", srcs["netns-verdicts-icmp.pcap"], []),
                            ("mptcp-v0", srcs["mptcp-v0-12.pcap"], ["--probe-key", "0102030405060708"]),
                            ("mptcp-v1", srcs["mptcp-v1-8.pcap"], []),
                            ("ptcpdump-loopback", srcs["ptcpdump-loopback.pcap"], ["--all"]),
                            # an A/B scan: scan.state's A/B section (version 2); v0 and v1 only
                            ("abtest", os.path.join(ROOT, "samples", "captures", "netns-abtest.pcap"), []),
                            ("foundation-v2", os.path.join(ROOT, "samples", "captures", "netns-foundation.pcap"), [])):
        out = os.path.join(tmp, "res-" + name)
        subprocess.run([mpcap, "analyze", "-q", "-o", out] + opts + [src], check=False,
                       stderr=subprocess.DEVNULL)
        st = open(os.path.join(out, "scan.state"), "rb").read()
        put("state", name, struct.pack("<I", len(st)) + st + open(os.path.join(out, "targets.sets"), "rb").read())
    shutil.rmtree(tmp)
    for k in ("capture", "dissect", "tcp", "icmp", "csv", "attribution", "prefix", "state"):
        print("%s: %d seeds" % (k, len(os.listdir(os.path.join(SEEDS, k)))))


if __name__ == "__main__":
    main()
