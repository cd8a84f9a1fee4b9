#!/usr/bin/python3
"""gen.py — builds the hostile capture files of tests/data/hostile/ and EXPECTED.

Usage: tests/data/hostile/gen.py [OUTDIR]   (default: this directory)

Every file is written byte by byte here from the format specifications (pcap:
tcpdump.org "libpcap file format" / draft-ietf-opsawg-pcap; pcapng:
draft-ietf-opsawg-pcapng; IPv4 RFC 791, IPv6 RFC 8200, TCP RFC 9293, ICMP
RFC 792 / RFC 4443 / RFC 4884, MP_CAPABLE RFC 8684), so the inputs are
reproducible and reviewable.  Each case carries what `mpcap analyze` must do
with it: the exit status, counters of summary.csv (totals) and, for damaged
files, a text the warning must contain (the byte offset of the bad record or
block).  tests/e2e/hostile.sh regenerates the files, checks they equal the
committed ones, and runs mpcap on them; the capture fuzz harnesses also use
them as seeds.

EXPECTED is tab-separated: file, exit status, space-separated COUNTER=VALUE,
warning text ("-" for none).  Gzip output is made with mtime 0 and level 9
(reproducible for a given zlib; the test compares it decompressed).
"""
import gzip
import os
import struct
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
CASES = []  # (name, data, exit, {counter: value}, warning)


def case(name, data, exit_status, counters, warning="-"):
    CASES.append((name, data, exit_status, counters, warning))


# ---- packets --------------------------------------------------------------------


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(proto, payload, src="192.0.2.2", dst="203.0.113.2", ihl=5, total=None, frag=0x4000, opts=b"",
        version=4, ttl=64):
    a = bytes(int(x) for x in src.split("."))
    b = bytes(int(x) for x in dst.split("."))
    tl = 4 * ihl + len(payload) if total is None else total
    h = struct.pack("!BBHHHBBH4s4s", version << 4 | ihl, 0, tl, 1, frag, ttl, proto, 0, a, b) + opts
    h = h[:10] + struct.pack("!H", csum(h[:20 + len(opts)])) + h[12:]
    return h + payload


def v6addr(last):
    return bytes.fromhex("20010db8000000000000000000000000")[:15] + bytes([last])


def ip6(nh, payload, src=2, dst=3, plen=None, hlim=64):
    pl = len(payload) if plen is None else plen
    return struct.pack("!IHBB", 6 << 28, pl, nh, hlim) + v6addr(src) + v6addr(dst) + payload


def tcp(flags=0x02, opts=b"", sport=40000, dport=443, doff=None, payload=b""):
    if len(opts) % 4:
        opts += b"\0" * (4 - len(opts) % 4)
    do = 5 + len(opts) // 4 if doff is None else doff
    return struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, do << 4, flags, 65535, 0, 0) + opts + payload


MPC_V1_SYN = b"\x1e\x04\x01\x81"  # MP_CAPABLE v1 on a SYN: 4 bytes, flags A and H
ETH = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01"


def eth(ethertype, payload):
    return ETH + struct.pack("!H", ethertype) + payload


def icmp4(typ, code, quote, unused=0):
    h = struct.pack("!BBHI", typ, code, 0, unused) + quote
    return h[:2] + struct.pack("!H", csum(h)) + h[4:]


def icmp6(typ, code, quote, unused=0):
    return struct.pack("!BBHI", typ, code, 0, unused) + quote  # checksum left 0: not checked


SYN4 = ip4(6, tcp(0x02, MPC_V1_SYN))

# ---- containers -------------------------------------------------------------------


def pcap(records, linktype=1, snaplen=65535):
    """records: (caplen field, wirelen, bytes present) or just bytes."""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)]
    for i, r in enumerate(records):
        if isinstance(r, bytes):
            r = (len(r), len(r), r)
        caplen, wirelen, data = r
        out.append(struct.pack("<IIII", 1600000000 + i, 0, caplen, wirelen) + data)
    return b"".join(out)


def pcap_offsets(records):
    """Byte offset of each record of pcap(records)."""
    off, res = 24, []
    for r in records:
        res.append(off)
        off += 16 + len(r if isinstance(r, bytes) else r[2])
    return res


def opt(code, value, pad=True):
    o = struct.pack("<HH", code, len(value)) + value
    if pad and len(value) % 4:
        o += b"\0" * (4 - len(value) % 4)
    return o


def block(btype, body, length=None, trailer=None):
    ln = 12 + len(body) if length is None else length
    tr = ln if trailer is None else trailer
    return struct.pack("<II", btype, ln) + body + struct.pack("<I", tr)


def shb(options=b""):
    return block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + options)


def idb(linktype=1, snaplen=0, options=b""):
    return block(1, struct.pack("<HHI", linktype, 0, snaplen) + options)


def epb(frame, iface=0, ts=1600000000000000, caplen=None, wirelen=None):
    cl = len(frame) if caplen is None else caplen
    wl = len(frame) if wirelen is None else wirelen
    pad = b"\0" * (-len(frame) % 4)
    return block(6, struct.pack("<IIIII", iface, ts >> 32, ts & 0xFFFFFFFF, cl, wl) + frame + pad)


def spb(frame):
    return block(3, struct.pack("<I", len(frame)) + frame + b"\0" * (-len(frame) % 4))


# ---- classic pcap: record lengths -------------------------------------------------

F = eth(0x0800, SYN4)  # 58 bytes: a v1 MP_CAPABLE SYN
# caplen above the file's snaplen (64): libpcap keeps the first 64 bytes and skips the rest;
# the record after it must still be found where it is (a cut later names the right offset)
recs = [(len(F + b"X" * 42), len(F + b"X" * 42), F + b"X" * 42), F]
case("caplen-over-snaplen.pcap", pcap(recs, snaplen=64), 0, {"packets.total": 2, "probes.packets": 2})
cut = recs + [(58, 58, F[:20])]
case("caplen-over-snaplen-then-cut.pcap", pcap(cut, snaplen=64), 3, {"packets.total": 2},
     "byte offset %d" % pcap_offsets(cut)[2])
case("caplen-over-snaplen-then-cut.pcap.gz", gzip.compress(pcap(cut, snaplen=64), 9, mtime=0), 3,
     {"packets.total": 2}, "byte offset %d" % pcap_offsets(cut)[2])
recs = [F, (1000, 1000, F[:40])]
case("caplen-past-file.pcap", pcap(recs), 3, {"packets.total": 1},
     "truncated record at byte offset %d" % pcap_offsets(recs)[1])
recs = [F, (0xFFFFFFF0, 60, F)]
case("caplen-huge.pcap", pcap(recs), 3, {"packets.total": 1}, "byte offset %d" % pcap_offsets(recs)[1])
recs = [(0, 0xFFFFFFFF, b""), (58, 10, F)]
case("caplen-zero-wirelen-odd.pcap", pcap(recs), 0,
     {"packets.total": 2, "skipped.link-truncated": 1, "probes.packets": 1})

# ---- pcapng: block and option lengths --------------------------------------------

head = shb() + idb()
good = head + epb(F)
bad_at = len(good)
case("pcapng-block-len-0.pcapng", good + struct.pack("<II", 6, 0) + b"\0" * 28, 3, {"packets.total": 1},
     "block at byte offset %d has a total length of 0" % bad_at)
case("pcapng-block-len-past-file.pcapng", good + block(6, b"\0" * 64, length=4096), 3,
     {"packets.total": 1}, "truncated block at byte offset %d" % bad_at)
case("pcapng-block-len-huge.pcapng", good + struct.pack("<II", 6, 0xFFFFFFFC) + b"\0" * 64, 3,
     {"packets.total": 1}, "block at byte offset %d has a total length of 4294967292" % bad_at)
case("pcapng-block-len-unaligned.pcapng", good + struct.pack("<II", 6, 13) + b"\0" * 16, 3,
     {"packets.total": 1}, "block at byte offset %d has a total length of 13" % bad_at)
case("pcapng-trailer-mismatch.pcapng", good + block(6, b"\0" * 32, trailer=99), 3, {"packets.total": 1},
     "block at byte offset %d: trailing length 99" % bad_at)
opts = opt(2, b"") + opt(3, b"x") + opt(4, b"L" * 255) + opt(9, b"\x09") + opt(0, b"")
case("pcapng-options-0-1-255.pcapng",
     shb(opt(2, b"") + opt(3, b"y") + opt(4, b"S" * 255) + opt(0, b"")) + idb(options=opts) + epb(F), 0,
     {"packets.total": 1, "probes.packets": 1})
over = struct.pack("<HH", 4, 255) + b"L" * 20  # says 255 bytes, 20 left in the block
case("pcapng-option-overrun.pcapng", shb() + idb(options=over) + epb(F), 3, {"packets.total": 0},
     "interface description block at byte offset %d: option 4 overruns the block" % len(shb()))
case("pcapng-unknown-interface.pcapng", good + epb(F, iface=7), 3, {"packets.total": 1},
     "packet block at byte offset %d names interface 7, but the section has 1" % bad_at)
case("pcapng-caplen-over-block.pcapng", good + epb(F, caplen=1000), 3, {"packets.total": 1},
     "packet block at byte offset %d: captured length 1000 is larger than the block" % bad_at)
case("pcapng-spb-before-idb.pcapng", shb() + spb(F), 3, {"packets.total": 0},
     "packet block at byte offset %d names interface 0, but the section has 0" % len(shb()))
ts_max = 0xFFFFFFFFFFFFFFFF
ext = (shb() + idb(options=opt(9, b"\xff") + opt(0, b"")) + idb(options=opt(9, bytes([19])) + opt(0, b""))
       + idb(options=opt(9, b"\x80") + opt(14, struct.pack("<Q", 0x7FFFFFFFFFFFFFFF)) + opt(0, b""))
       + epb(F, iface=0, ts=ts_max) + epb(F, iface=1, ts=ts_max) + epb(F, iface=2, ts=ts_max))
case("pcapng-tsresol-extremes.pcapng", ext, 0, {"packets.total": 3, "probes.packets": 3})
case("pcapng-tsresol-unsupported.pcapng", shb() + idb(options=opt(9, bytes([20])) + opt(0, b"")) + epb(F), 3,
     {"packets.total": 0}, "unsupported if_tsresol 10^-20")
mixed = shb() + idb(linktype=105) + idb(linktype=1) + epb(b"\x08\x02" + b"\0" * 30, iface=0) + epb(F, iface=1)
case("pcapng-unsupported-and-ethernet.pcapng", mixed, 0,
     {"packets.total": 2, "skipped.linktype-unsupported": 1, "probes.packets": 1})

# ---- TCP options: lengths 0, 1, 255, a cut header, a bad data offset -------------
syn = lambda o, **kw: ip4(6, tcp(0x02, o, **kw))
pk = [
    syn(b"\x1e\x00"),                        # MP_CAPABLE kind, length 0: walk stops, malformed
    syn(b"\x1e\x01"),                        # length 1
    syn(b"\x1e\xff" + b"\0" * 6),            # length 255, past the 28-byte header
    syn(b"\x08\x00" + b"\x01" * 6),          # timestamps with length 0
    syn(b"\x1e\x03\x01"),                    # MP_CAPABLE of 3 bytes: decoded, anomalous length
    syn(b"\x01" * 40),                       # 40 NOPs
    syn(MPC_V1_SYN * 10),                    # ten MP_CAPABLE options: 4 decoded (MPC_MAX_PER_PACKET)
    ip4(6, tcp(0x02, b"\x01" * 40))[:20 + 30],  # data offset 15, 30 bytes captured
    ip4(6, tcp(0x02, b"", doff=4)),          # data offset 4 (16 bytes): malformed TCP
]
pk[7] = (50, 80, pk[7])
case("tcp-options-hostile.pcap", pcap(pk, linktype=101), 0,
     {"packets.total": 9, "notes.tcp-options-malformed": 4, "notes.tcp-options-truncated": 1,
      "skipped.tcp-malformed": 1, "notes.mpc-anomaly": 1, "mpcapable.options": 5})

# ---- IPv6 extension headers that never end ---------------------------------------
def chain(n, last_nh=6, kind=60):
    """n extension headers of 8 bytes (kind 60 destination options by default)."""
    out = b""
    for i in range(n):
        out += bytes([kind if i < n - 1 else last_nh, 0]) + b"\x01\x04\0\0\0\0"
    return out


tcp6 = tcp(0x02, MPC_V1_SYN)
pk = [
    ip6(60, chain(200) + tcp6),               # 200 destination options headers, then TCP
    ip6(0, chain(30, last_nh=0, kind=0)),     # hop-by-hop headers up to the end of the capture
    ip6(51, bytes([6, 255]) + b"\0" * 14 + tcp6),  # AH whose length (1028 bytes) runs past the packet
    ip6(58, icmp6(3, 0, ip6(60, chain(200) + tcp6)[:1232])),  # ICMPv6 time exceeded quoting such a packet
]
case("ipv6-ext-endless.pcap", pcap(pk, linktype=101), 0,
     {"packets.total": 4, "skipped.ipv6-ext-chain": 3, "icmp.time-exceeded": 1, "mpcapable.options": 0})

# ---- ICMP quoting ICMP quoting ICMP ------------------------------------------------
inner = ip4(6, tcp(0x02, MPC_V1_SYN), src="192.0.2.2", dst="203.0.113.9")
q = inner
for t in (11, 3, 11):  # time exceeded, unreachable, time exceeded
    q = ip4(1, icmp4(t, 0, q), src="198.51.100.%d" % t, dst="192.0.2.2")
inner6 = ip6(6, tcp(0x02, MPC_V1_SYN))
q6 = inner6
for t in (3, 1, 3):
    q6 = ip6(58, icmp6(t, 0, q6))
pk = [
    q,
    q6,
    ip4(1, icmp4(11, 0, inner, unused=255 << 16), dst="192.0.2.2"),  # RFC 4884 length 1020 > quote
    ip4(1, icmp4(3, 1, struct.pack("!B", 0x4F) + inner[1:20]), dst="192.0.2.2"),  # quoted IHL 15, 20 bytes
]
case("icmp-nested.pcap", pcap(pk, linktype=101), 0,
     {"packets.total": 4, "icmp.time-exceeded": 3, "icmp.unreachable": 1, "notes.icmp-quote-unparsed": 1,
      "mpcapable.options-in-icmp-quotes": 1, "mpcapable.options": 1})

# ---- link layers that never end -------------------------------------------------
pk = [
    ETH + b"\x81\x00\x00\x01" * 100 + b"\x08\x00" + SYN4,  # 100 VLAN tags
    eth(0x8847, b"\x00\x01\x00\x40" * 100 + SYN4),        # 100 MPLS labels, no bottom of stack
    eth(0x8864, b"\x11\x00\x00\x01\x01\x00\x02\x81" + b"\x00\x01\x00\x40" * 100),  # PPPoE > PPP MPLS, endless
]
case("link-endless.pcap", pcap(pk), 0, {"packets.total": 3, "skipped.not-ip": 3})

# ---- IPv4 headers --------------------------------------------------------------------
pk = [
    ip4(6, tcp(), ihl=15)[:20],               # IHL 15 (60 bytes), 20 captured
    ip4(6, tcp(), ihl=3),                     # IHL 3
    ip4(6, tcp(), total=10),                  # total length below the header
    ip4(6, tcp(), version=5),                 # version 5 on a raw-IP link
    ip4(6, tcp(), frag=0x0010),               # non-first fragment
]
case("ipv4-hostile.pcap", pcap(pk, linktype=101), 0,
     {"packets.total": 5, "skipped.ip-truncated": 1, "skipped.ip-malformed": 3, "skipped.ip-fragment": 1})

# ---- a small file that decompresses to 131072 empty records -----------------------
zeros = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1) + b"\0" * (16 << 17)
case("zeros.pcap.gz", gzip.compress(zeros, 9, mtime=0), 0,
     {"packets.total": 131072, "skipped.link-truncated": 131072})
case("gzip-trailing-garbage.pcap.gz", gzip.compress(pcap([F]), 9, mtime=0) + b"garbage!", 3,
     {"packets.total": 1}, "trailing garbage after the last member")


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "EXPECTED"), "w") as ex:
        ex.write("# file\texit\tcounters\twarning (written by gen.py)\n")
        for name, data, status, counters, warning in CASES:
            with open(os.path.join(OUT, name), "wb") as f:
                f.write(data)
            cs = " ".join("%s=%d" % kv for kv in counters.items())
            ex.write("%s\t%d\t%s\t%s\n" % (name, status, cs, warning))
    print("%d hostile files in %s" % (len(CASES), OUT))


if __name__ == "__main__":
    main()
