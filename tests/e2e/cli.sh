#!/bin/bash
# cli.sh — the mpcap command as a user meets it: help, errors, exit statuses,
# compressed and piped input, filters, atomic outputs, damaged input,
# interruption and a full disk.  Oracles: tshark, tcpdump and editcap read the
# same files; the uncompressed file is the reference for its compressed copies.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh
need_corpus
M=$MPCAP
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
Z=$CORPUS/zmap-synopt-v4-mpcv0.pcap

# --- help and usage
out=$("$M" --help); rc=$?
check_eq "--help exits 0" 0 $rc
check "--help lists analyze and dump" grep -q "analyze" <<<"$out"
check "--version prints a version" bash -c "'$M' --version | grep -Eq '^mpcap [0-9]+\.[0-9]+'"
for sc in analyze dump columns; do
	check "help $sc explains usage" bash -c "'$M' help $sc | grep -q 'usage: mpcap $sc'"
	check "$sc --help equals help $sc" bash -c "diff <('$M' $sc --help) <('$M' help $sc) >/dev/null"
done
"$M" frobnicate 2>"$T/err"; check_eq "unknown subcommand exits 2" 2 $?
check "unknown subcommand is named" grep -q "'frobnicate' is not a subcommand" "$T/err"
"$M" analyze 2>/dev/null; check_eq "analyze without files exits 2" 2 $?
"$M" analyze --probe-key 12zz 2>/dev/null "$Z"; check_eq "bad --probe-key exits 2" 2 $?
"$M" dump -f 'tcp port' "$Z" >/dev/null 2>"$T/err"; check_eq "bad BPF filter exits 1" 1 $?
check "bad filter message names the expression" grep -q "bad filter expression 'tcp port'" "$T/err"

# --- bad input: one line naming the file, exit 1, no outputs
printf 'hello, I am not a capture\n' > "$T/text.pcap"
: > "$T/empty.pcap"
printf '\xd4\xc3' > "$T/short.pcap"
for f in text empty short missing; do
	rm -rf "$T/out"
	"$M" analyze -q -o "$T/out" "$T/$f.pcap" 2>"$T/err"; rc=$?
	check_eq "$f file: exit 1" 1 $rc
	check_eq "$f file: exactly one line on stderr" 1 "$(wc -l <"$T/err")"
	check "$f file: the line names the file" grep -q "$T/$f.pcap" "$T/err"
	check "$f file: no outputs left" test ! -e "$T/out/targets.csv" -a ! -e "$T/out/summary.csv"
done
"$M" analyze -q -o "$T/out" "$T/text.pcap" 2>"$T/err"
check "text file: reason says 'not a capture'" grep -q "not a capture" "$T/err"

# an unsupported link type: re-encapsulate with editcap as a link type we do not read
editcap -T ieee-802-11 "$Z" "$T/wifi.pcap" 2>/dev/null
"$M" analyze -q -o "$T/out" "$T/wifi.pcap" 2>"$T/err"; rc=$?
check_eq "unsupported link type: exit 1" 1 $rc
check "unsupported link type: named" grep -q "unsupported link type IEEE802_11" "$T/err"

# --- an existing result is never replaced by a failed run
mkdir -p "$T/keep"; echo sentinel > "$T/keep/targets.csv"
"$M" analyze -q -o "$T/keep" "$Z" "$T/text.pcap" 2>/dev/null
check_eq "failed run leaves the previous targets.csv" sentinel "$(cat "$T/keep/targets.csv")"
check "failed run leaves no temporary files" test -z "$(find "$T/keep" -name '.*tmp*')"

# --- the same rows whatever the container: compression, pcapng, ns, stdin
"$M" dump "$Z" | cut -d, -f1-14 > "$T/ref.csv"
check "reference dump has MP_CAPABLE rows" test "$(wc -l <"$T/ref.csv")" -gt 10
gzip -c "$Z" > "$T/z.gz"; xz -c "$Z" > "$T/z.xz"; zstd -q -c "$Z" > "$T/z.zst"; bzip2 -c "$Z" > "$T/z.bz2"
editcap -F pcapng "$Z" "$T/z.pcapng"; editcap -F nsecpcap "$Z" "$T/z.nsec"
cp "$T/z.zst" "$T/innocent-name.pcap"
for f in z.gz z.xz z.zst z.bz2 z.pcapng z.nsec innocent-name.pcap; do
	"$M" dump "$T/$f" | cut -d, -f1-14 > "$T/got.csv"
	check "$f: same rows as the plain capture" cmp -s "$T/ref.csv" "$T/got.csv"
done
"$M" dump - < "$T/z.zst" | cut -d, -f1-14 > "$T/got.csv"
check "zstd on stdin: same rows" cmp -s "$T/ref.csv" "$T/got.csv"
cat "$Z" | "$M" dump - | cut -d, -f1-14 > "$T/got.csv"
check "pipe on stdin: same rows" cmp -s "$T/ref.csv" "$T/got.csv"
"$M" analyze -q -o "$T/a1" "$Z"; cat "$Z" | "$M" analyze -q -o "$T/a2" -
check "analyze from stdin equals analyze from the file" cmp -s "$T/a1/targets.csv" "$T/a2/targets.csv"

# --- BPF filter: same as tcpdump applying the same expression
"$M" dump -f 'tcp port 443' "$Z" | cut -d, -f2-14 > "$T/f1.csv"
tcpdump -r "$Z" -w "$T/443.pcap" 'tcp port 443' 2>/dev/null
"$M" dump "$T/443.pcap" | cut -d, -f2-14 > "$T/f2.csv"
check "-f 'tcp port 443' keeps what tcpdump keeps" cmp -s "$T/f1.csv" "$T/f2.csv"
check "-f removed the port-80 rows" test "$(grep -c ',80,' "$T/f1.csv")" -lt "$(grep -c ',80,' "$T/ref.csv")"

# --- damaged input: analysed up to the damage, warning with offset, exit 3
size=$(stat -c %s "$Z"); cut=$((size - 37))
head -c $cut "$Z" > "$T/cut.pcap"
"$M" analyze -q -o "$T/cut" "$T/cut.pcap" 2>"$T/err"; rc=$?
check_eq "truncated capture: exit 3 (complete with warnings)" 3 $rc
check "truncated capture: warning names file and byte offset" grep -q "$T/cut.pcap.*byte offset [0-9]" "$T/err"
check "truncated capture: outputs written" test -s "$T/cut/targets.csv" -a -s "$T/cut/summary.csv"
nt=$(tshark -r "$T/cut.pcap" 2>/dev/null | wc -l)
np=$(awk -F, '$2=="packets.total"{print $5}' "$T/cut/summary.csv")
check_eq "truncated capture: every complete record analysed (tshark count)" "$nt" "$np"
gzip -c "$T/cut.pcap" | head -c $((cut / 2)) > "$T/cut.gz"
"$M" dump "$T/cut.gz" > /dev/null 2>"$T/err"; rc=$?
check_eq "truncated gzip stream: exit 3" 3 $rc
check "truncated gzip stream: warning given" grep -q "warning: $T/cut.gz" "$T/err"

# --- interruption: SIGINT during a run on a pipe leaves no final file
mkfifo "$T/fifo"
( cat "$Z"; sleep 3 ) > "$T/fifo" &
feeder=$!
rm -rf "$T/int"
"$M" analyze -q -o "$T/int" "$T/fifo" 2>"$T/err" &
pid=$!
sleep 1; kill -INT $pid; wait $pid; rc=$?
kill $feeder 2>/dev/null; wait $feeder 2>/dev/null
check_eq "SIGINT: exit 130" 130 $rc
check "SIGINT: no final outputs" test ! -e "$T/int/targets.csv" -a ! -e "$T/int/summary.csv"
check "SIGINT: no temporary files left" test -z "$(find "$T" -path "$T/int/.*tmp*")"
"$M" analyze -q -o "$T/int" "$Z"; check_eq "re-run after SIGINT succeeds" 0 $?

# --- full disk: a file size limit gives a clear error and no corrupt CSV
rm -rf "$T/full"; mkdir "$T/full"
( ulimit -f 1; "$M" dump -o "$T/full/dump.csv" "$Z" "$Z" "$Z" "$Z" "$Z" "$Z" "$Z" "$Z" ) 2>"$T/err"; rc=$?
check_eq "file size limit: exit 1" 1 $rc
check "file size limit: error says why" grep -q "File too large" "$T/err"
check "file size limit: no partial CSV" test ! -e "$T/full/dump.csv" -a -z "$(ls -A "$T/full")"

# --- outputs that pandas and R read: one header, constant field count
"$M" analyze -q --all -o "$T/all" "$Z"
check "targets.csv rectangular" /usr/bin/python3 -c "
import csv,sys
rows=list(csv.reader(open('$T/all/targets.csv')))
sys.exit(0 if len(rows)>1 and all(len(r)==len(rows[0]) for r in rows) else 1)"
check "summary.csv values are integers" /usr/bin/python3 -c "
import csv,sys
rows=list(csv.DictReader(open('$T/all/summary.csv')))
sys.exit(0 if rows and all(r['value'].isdigit() for r in rows) else 1)"
check "default scan label is the UTC month of the first packet" \
	test "$(awk -F, 'NR==2{print $1}' "$T/all/summary.csv")" = "$(date -u -d @"$(tshark -r "$Z" -c1 -T fields -e frame.time_epoch | cut -d. -f1)" +%Y-%m)"
"$M" analyze -q --scan 2020-07 -o "$T/lab" "$Z"
check "--scan names the scan" test "$(awk -F, 'NR==2{print $1}' "$T/lab/summary.csv")" = 2020-07
finish
