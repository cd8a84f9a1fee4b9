#!/bin/bash
# review15.sh — the hostile-input review of issue 15, each finding a
# regression test (docs/robustness.md, "What was tried"):
#   - dump -o: a directory is refused before the capture is read (the capture
#     is a FIFO nobody writes: reading it would hang); /dev/null stays a
#     character device; a FIFO is written into (its reader gets the rows);
#     "-o -" is standard output; analyze -o FILE is refused before reading;
#   - join reading a FIFO targets.csv, SIGTERM: exit 130, no output (an
#     interrupted read is the interruption, not "read error");
#   - an .xz whose header asks for a 1 GiB dictionary (made from a corpus
#     capture by patching its block header, CRC recomputed): refused with an
#     error naming the file and the 256 MiB limit, peak RSS under 300 MiB;
#     with --max-memory 2G it is read, and gives the plain capture's counts
#     (xz -l, an oracle we did not write, confirms the 1 GiB header); the
#     same for a pfx2as file given to attribute;
#   - a capture named "=cmd|x.pcap": dump's file column, read with Python's
#     csv module, starts with an apostrophe; no field of dump's output starts
#     a formula;
#   - report of an empty capture's scan, report --trace with no changed hop
#     (qsort(NULL, 0) and memcpy from NULL, found by UBSan): exit 0.
# TAP output; exit 1 on failure.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh
need_corpus
M=$(realpath "$MPCAP")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
V0=$CORPUS/mptcp-v0.pcap

# --- single-file outputs
mkdir "$T/dir"
mkfifo "$T/silent"
timeout 10 "$M" dump -o "$T/dir" "$T/silent" 2>"$T/err"
check_eq "dump -o DIR: exit 1 before reading the capture" 1 $?
check "dump -o DIR: says it is a directory" grep -q "$T/dir: is a directory" "$T/err"
touch "$T/file"
timeout 10 "$M" analyze -q -o "$T/file" "$T/silent" 2>"$T/err"
check_eq "analyze -o FILE: exit 1 before reading the capture" 1 $?
check "analyze -o FILE: says it is not a directory" grep -q "exists and is not a directory" "$T/err"
"$M" dump -o - "$V0" >"$T/stdout.csv"
check "dump -o -: standard output" test -s "$T/stdout.csv"
if [ "$(id -u)" = 0 ]; then
	"$M" dump -o /dev/null "$V0"
	check_eq "dump -o /dev/null: exit 0" 0 $?
	check "dump -o /dev/null: still a character device" test -c /dev/null
fi
mkfifo "$T/out.fifo"
cat "$T/out.fifo" >"$T/fifo.csv" &
reader=$!
"$M" dump -o "$T/out.fifo" "$V0"
check_eq "dump -o FIFO: exit 0" 0 $?
wait $reader
check "dump -o FIFO: still a FIFO" test -p "$T/out.fifo"
check "dump -o FIFO: its reader got the rows" cmp -s "$T/fifo.csv" "$T/stdout.csv"

# --- join, SIGTERM while reading a FIFO targets.csv
"$M" analyze -q -o "$T/r1" "$V0"
"$M" analyze -q -o "$T/r2" "$CORPUS/mptcp-v1.pcap"
cp "$T/r2/targets.csv" "$T/t2.csv"
rm "$T/r2/targets.csv" && mkfifo "$T/r2/targets.csv"
(head -c 100 "$T/t2.csv"; sleep 5) >"$T/r2/targets.csv" &
feeder=$!
"$M" join -o "$T/j" "$T/r1" "$T/r2" >/dev/null 2>"$T/err" &
stop_reading $! "$T/r2/targets.csv" $feeder
check_eq "join, SIGTERM while reading: exit 130" 130 "$rc"
check "join, SIGTERM while reading: says it was interrupted" grep -q "interrupted" "$T/err"
check "join, SIGTERM while reading: not a read error" sh -c "! grep -q 'read error' '$T/err'"
check "join, SIGTERM while reading: no output" test ! -e "$T/j"

# --- an xz stream asking for a 1 GiB dictionary
# mkbomb IN OUT: IN compressed to xz, its block header then asking for a 1 GiB dictionary
mkbomb() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import lzma, struct, sys, zlib
x = bytearray(lzma.compress(open(sys.argv[1], "rb").read(), format=lzma.FORMAT_XZ,
                            filters=[{"id": lzma.FILTER_LZMA2, "preset": 1}]))
hs = (x[12] + 1) * 4                   # block header size (xz file format 1.0.4, 3.1.1)
h = x[12:12 + hs]
assert h[1] & 0xC3 == 0 and h[2] == 0x21 and h[3] == 1  # one filter: LZMA2, 1 property byte
h[4] = 36                              # dictionary size 2^30 (LZMA2 property 36)
struct.pack_into("<I", h, hs - 4, zlib.crc32(bytes(h[:hs - 4])))
x[12:12 + hs] = h
open(sys.argv[2], "wb").write(x)
PY
}
mkbomb "$V0" "$T/big.pcap.xz"
check "xz -l: the crafted file asks for a 1 GiB dictionary" sh -c "xz -lvv '$T/big.pcap.xz' | grep -q 'dict=1GiB'"
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f %M -o "$T/rss" "$M" analyze -q -o "$T/x" "$T/big.pcap.xz" 2>"$T/err"
	rc=$?
	check_eq "1 GiB dictionary: refused (exit 1)" 1 $rc
	check "1 GiB dictionary: the error names the file and the limit" \
		grep -q "big.pcap.xz: .*limit of 256 MiB" "$T/err"
	check "1 GiB dictionary: peak RSS under 300 MiB ($(tail -1 "$T/rss") KiB)" test "$(tail -1 "$T/rss")" -lt 307200
else
	not_ok "/usr/bin/time (GNU time) is needed to measure the peak RSS"
fi
"$M" analyze -q --max-memory 2G -o "$T/x2" "$T/big.pcap.xz"
check_eq "--max-memory 2G: read" 0 $?
check "--max-memory 2G: the plain capture's counts" cmp -s "$T/x2/summary.csv" "$T/r1/summary.csv"
"$M" dump --max-memory 1G "$T/big.pcap.xz" >/dev/null 2>"$T/err"
check_eq "dump --max-memory 1G: refused (1025 MiB needed)" 1 $?
printf '192.0.2.0\t24\t64500\n' >"$T/pfx2as"
mkbomb "$T/pfx2as" "$T/pfx2as.xz"
"$M" attribute -q --asn "$T/pfx2as.xz" -o "$T/at" "$T/r1" 2>"$T/err"
check_eq "attribute, an attribution file asking for 1 GiB: refused (exit 1)" 1 $?
check "attribute: the error names the file and the limit" grep -q "pfx2as.xz:.*limit of 256 MiB" "$T/err"
"$M" attribute -q --max-memory 2G --asn "$T/pfx2as.xz" -o "$T/at" "$T/r1"
check_eq "attribute --max-memory 2G: read" 0 $?
"$M" analyze --max-memory lots -o "$T/x3" "$V0" 2>/dev/null
check_eq "--max-memory lots: usage error" 2 $?

# --- spreadsheet formulas in CSV fields
cp "$V0" "$T/=cmd|x.pcap"
(cd "$T" && "$M" dump "=cmd|x.pcap" >"$T/f.csv")
check "a formula-like capture name: neutralised in dump's file column" /usr/bin/python3 - "$T/f.csv" <<'PY'
import csv, re, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert rows and all(r["file"].startswith("'") and r["file"].endswith("=cmd|x.pcap") for r in rows)
num = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
for r in rows:
    for v in r.values():
        assert not (v[:1] in ("=", "+", "-", "@", "\t", "\r") and not num.match(v)), v
PY
# --- the report's undefined-behaviour sites (caught by UBSan in the sanitized run)
head -c 24 "$V0" >"$T/empty.pcap"
"$M" analyze -q -o "$T/e" "$T/empty.pcap" 2>/dev/null
"$M" report -q -o "$T/er" "$T/e" >/dev/null 2>"$T/err"
check_eq "report of an empty capture's scan: exit 0" 0 $?
"$M" trace -q -o "$T/tr" "$CORPUS/tracebox-v4-mpcapable.pcap"
"$M" report -q -o "$T/er2" --trace "$T/tr" "$T/r1" >/dev/null 2>"$T/err"
check_eq "report --trace with no changed hop: exit 0" 0 $?
finish
