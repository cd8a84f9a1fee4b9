#!/usr/bin/env python3
"""state_v1.py — rewrites a scan.state of version 2 as version 1 (the layout of
analyzer/scan/scan_state.c before its A/B section): the A/B section just before
"END\n" is cut and the version field set to 1.  Used by tests/e2e/abtest.sh to
check that mpcap still reads the files older mpcaps wrote.

usage: state_v1.py IN OUT
"""
import struct
import sys

MAGIC = b"MPCAPSTATE1\n"


def section_start(b):
    """The offset of the A/B section: u8 kinds, u8 tracking, u64 n, n x
    (u8 family, 4 or 16 address bytes, u16 port, u8 bits), ending at END."""
    end = len(b) - 4
    for p in range(end - 10, len(MAGIC) + 4, -1):
        kinds, active, n = b[p], b[p + 1], struct.unpack_from("<Q", b, p + 2)[0]
        if kinds > 7 or active > 2 or n > end:
            continue
        q = p + 10
        for _ in range(n):
            if q >= end or b[q] not in (4, 6):
                break
            q += 1 + (4 if b[q] == 4 else 16) + 3
        else:
            if q == end:
                return p
    raise SystemExit("state_v1.py: no A/B section found")


def main():
    b = open(sys.argv[1], "rb").read()
    if not b.startswith(MAGIC) or struct.unpack_from("<I", b, len(MAGIC))[0] != 2 or b[-4:] != b"END\n":
        raise SystemExit("state_v1.py: %s: not a version 2 scan.state" % sys.argv[1])
    p = section_start(b)
    out = b[: len(MAGIC)] + struct.pack("<I", 1) + b[len(MAGIC) + 4 : p] + b"END\n"
    open(sys.argv[2], "wb").write(out)


if __name__ == "__main__":
    main()
