#!/bin/bash
# run-bench.sh — `make bench`: speed and memory of mpcap against the tools it
# replaces, side by side, median of BENCH_RUNS runs (default 5), printed as
# the table of docs/performance.md.  No test asserts a time.
#
# Inputs are generated once and reused from $BUILD/bench/data/:
#   scan.pcap        >= 10 M packets of one month and port of the samples
#                    generator (mpcap-gen --scale 1850: its synthetic world
#                    has many MPTCP hosts, 564 k records); a pcapng copy
#                    (editcap), zstd and gzip copies
#   zmap.pcap        10 M packets with a real scan's proportions (scangen:
#                    few answers, a static probe key), and a zstd copy
#   split-*/         each of the two in four classic pcap files, for -j
#   slice.pcap       the first 200 k packets of scan.pcap (dump vs tshark),
#   slice20k.pcap    and the first 20 k (tshark's time grows faster than the
#                    packet count on a scan capture: both sizes are shown)
#   six/             six monthly scans of mpcap-gen at scale 1 (report)
# Besides the bare libpcap loop (pcapcount), readcount runs mpcap's own reader
# alone and with dissection, so that the table shows where analyze's time
# goes: reading, dissecting, or the scan's bookkeeping.
# Each figure is measured with runstat (wall, user, system time, peak RSS).
set -u
cd "$(dirname "$0")/../.."
: "${MPCAP:=build/mpcap}"
: "${BUILD:=build}"
: "${BENCH_RUNS:=5}"
B=$BUILD/bench
D=$B/data
RS=$B/runstat
GEN=$BUILD/samples/mpcap-gen
mkdir -p "$D"
R=$(mktemp -d)
trap 'rm -rf "$R"' EXIT

say() { printf '%s\n' "$*" >&2; }

# ---- inputs ---------------------------------------------------------------------------
if [ ! -s "$D/scan.pcap" ]; then
	if [ -x "$GEN" ]; then
		say "bench: generating scan.pcap (mpcap-gen --scale 1850, 2020-07, port 80) ..."
		rm -rf "$D/gen"
		"$GEN" --out "$D/gen" --scale 1850 --months 2020-07 --ports 80 --no-tracebox -q
		mv "$D/gen/scan-2020-07-p80-v4.pcap" "$D/scan.pcap.tmp" && mv "$D/scan.pcap.tmp" "$D/scan.pcap"
	else
		say "bench: generating scan.pcap (scangen; mpcap-gen not built) ..."
		"$B/scangen" -n 10000000 -s 3 "$D/scan.pcap.tmp" >/dev/null && mv "$D/scan.pcap.tmp" "$D/scan.pcap"
	fi
fi
if [ ! -s "$D/zmap.pcap" ]; then
	say "bench: generating zmap.pcap (scangen, 10 M packets) ..."
	"$B/scangen" -n 10000000 -s 1 "$D/zmap.pcap.tmp" >/dev/null && mv "$D/zmap.pcap.tmp" "$D/zmap.pcap"
fi
if [ ! -s "$D/scan.pcapng" ]; then
	say "bench: pcapng copy (editcap -F pcapng) ..."
	editcap -F pcapng "$D/scan.pcap" "$D/scan.pcapng.tmp" && mv "$D/scan.pcapng.tmp" "$D/scan.pcapng"
fi
if [ ! -s "$D/scan.pcap.zst" ]; then
	say "bench: zstd copy (zstd -3) ..."
	zstd -q -3 -f "$D/scan.pcap" -o "$D/scan.pcap.zst.tmp" && mv "$D/scan.pcap.zst.tmp" "$D/scan.pcap.zst"
fi
if [ ! -s "$D/zmap.pcap.zst" ]; then
	say "bench: zstd copy of zmap.pcap (zstd -3) ..."
	zstd -q -3 -f "$D/zmap.pcap" -o "$D/zmap.pcap.zst.tmp" && mv "$D/zmap.pcap.zst.tmp" "$D/zmap.pcap.zst"
fi
if [ ! -s "$D/scan.pcap.gz" ]; then
	say "bench: gzip copy (gzip -6) ..."
	gzip -6 -c "$D/scan.pcap" > "$D/scan.pcap.gz.tmp" && mv "$D/scan.pcap.gz.tmp" "$D/scan.pcap.gz"
fi
for src in scan zmap; do
	if [ ! -e "$D/split-$src/done" ]; then
		say "bench: $src.pcap in four classic pcap rotation files for -j (editcap -c) ..."
		rm -rf "$D/split-$src" && mkdir -p "$D/split-$src"
		n=$(capinfos -c -M "$D/$src.pcap" | awk '/Number of packets/{print $NF}')
		editcap -F pcap -c $(((n + 3) / 4)) "$D/$src.pcap" "$D/split-$src/part.pcap" &&
			touch "$D/split-$src/done"
	fi
done
rm -rf "$D/split" # pcapng parts of earlier versions
if [ ! -s "$D/slice.pcap" ]; then
	editcap -F pcap -r "$D/scan.pcap" "$D/slice.pcap" 1-200000
fi
if [ ! -s "$D/slice20k.pcap" ]; then
	editcap -F pcap -r "$D/scan.pcap" "$D/slice20k.pcap" 1-20000
fi
if [ -x "$GEN" ] && [ ! -e "$D/six/done" ]; then
	say "bench: six monthly sample scans (mpcap-gen --scale 1) ..."
	rm -rf "$D/six" && "$GEN" --out "$D/six" -q && touch "$D/six/done"
fi

# ---- measuring --------------------------------------------------------------------------
# measure NAME RUNS COMMAND...: queues COMMAND to be run RUNS times, one line per run in $R/NAME;
# run_measures runs what is queued round-robin, one run of each command per round, so that the
# runs behind every figure (and both sides of every ratio) are spread over the same minutes:
# on a shared VM the speed drifts by tens of percent from one minute to the next
Q_NAMES=() Q_RUNS=() Q_CMDS=()
measure() {
	local name=$1 runs=$2; shift 2
	: > "$R/$name"
	: > "$R/$name.err"
	Q_NAMES+=("$name")
	Q_RUNS+=("$runs")
	Q_CMDS+=("$(printf '%q ' "$@")")
}
run_measures() {
	local max=0 i r
	for r in "${Q_RUNS[@]}"; do
		[ "$r" -gt "$max" ] && max=$r
	done
	for r in $(seq 1 "$max"); do
		say "bench: round $r of $max (${#Q_NAMES[@]} commands) ..."
		for i in "${!Q_NAMES[@]}"; do
			[ "${Q_RUNS[$i]}" -ge "$r" ] || continue
			eval "\"\$RS\" \"\$R/${Q_NAMES[$i]}\" ${Q_CMDS[$i]}" > /dev/null 2>>"$R/${Q_NAMES[$i]}.err"
		done
	done
	Q_NAMES=() Q_RUNS=() Q_CMDS=()
}
# median NAME COLUMN (1 wall, 2 user, 3 sys, 5 = user+sys); max rss in KiB: peak NAME
median() {
	awk -v c="$2" '{v = c == 5 ? $2 + $3 : $c; print v}' "$R/$1" | sort -g |
		awk '{a[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2];
		     else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}
peak() { awk 'BEGIN {m = 0} $4 > m {m = $4} END {print m}' "$R/$1"; }
# spread NAME: (slowest - fastest) / median wall time of its runs, in percent; a figure whose
# runs spread by more than NOISY percent was measured while the machine's speed moved
NOISY=20
spread() {
	[ -s "$R/$1" ] || { echo 0; return; }
	awk '{print $1}' "$R/$1" | sort -g | awk '{a[NR] = $1} END {
		if (NR < 2) { print 0; exit }
		m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		print (m > 0 ? (a[NR] - a[1]) / m * 100 : 0) }'
}
noisy() { awk -v s="$(spread "$1")" -v n="$NOISY" 'BEGIN {exit !(s > n)}'; }
failed() { awk '$5 != 0 && $5 != 3 {f = 1} END {exit !f}' "$R/$1"; }
packets() { capinfos -c -M "$1" | awk '/Number of packets/{print $NF}'; }
bytes() { stat -c %s "$1"; }

N=$(packets "$D/scan.pcap")
NZ=$(packets "$D/zmap.pcap")
NS=$(packets "$D/slice.pcap")
SZ=$(bytes "$D/scan.pcap")
SZZ=$(bytes "$D/zmap.pcap")
say "bench: scan.pcap $N packets, zmap.pcap $NZ packets; $BENCH_RUNS runs per figure"
load0=$(cut -d' ' -f1-3 /proc/loadavg)

O="$R/out"
measure bare "$BENCH_RUNS" "$B/pcapcount" "$D/scan.pcap"
measure read "$BENCH_RUNS" "$B/readcount" "$D/scan.pcap"
measure read_dis "$BENCH_RUNS" "$B/readcount" --dissect "$D/scan.pcap"
measure analyze "$BENCH_RUNS" "$MPCAP" analyze -q -o "$O/a" "$D/scan.pcap"
measure bare_ng "$BENCH_RUNS" "$B/pcapcount" "$D/scan.pcapng"
measure analyze_ng "$BENCH_RUNS" "$MPCAP" analyze -q -o "$O/ng" "$D/scan.pcapng"
measure zstd "$BENCH_RUNS" zstd -q -d -c "$D/scan.pcap.zst"
measure analyze_zst "$BENCH_RUNS" "$MPCAP" analyze -q -o "$O/z" "$D/scan.pcap.zst"
measure gzip "$BENCH_RUNS" gzip -d -c "$D/scan.pcap.gz"
measure analyze_gz "$BENCH_RUNS" "$MPCAP" analyze -q -o "$O/g" "$D/scan.pcap.gz"
measure bare_z "$BENCH_RUNS" "$B/pcapcount" "$D/zmap.pcap"
measure read_z "$BENCH_RUNS" "$B/readcount" "$D/zmap.pcap"
measure read_dis_z "$BENCH_RUNS" "$B/readcount" --dissect "$D/zmap.pcap"
measure analyze_z "$BENCH_RUNS" "$MPCAP" analyze -q -o "$O/zm" "$D/zmap.pcap"
measure zstd_z "$BENCH_RUNS" zstd -q -d -c "$D/zmap.pcap.zst"
measure analyze_zst_z "$BENCH_RUNS" "$MPCAP" analyze -q -o "$O/zmz" "$D/zmap.pcap.zst"
# the cost of manifest.json's input SHA-256 (hashed as the bytes stream through the reader)
measure analyze_nh "$BENCH_RUNS" "$MPCAP" analyze -q --no-input-hash -o "$O/anh" "$D/scan.pcap"
measure analyze_zst_nh "$BENCH_RUNS" "$MPCAP" analyze -q --no-input-hash -o "$O/znh" "$D/scan.pcap.zst"
measure analyze_z_nh "$BENCH_RUNS" "$MPCAP" analyze -q --no-input-hash -o "$O/zmnh" "$D/zmap.pcap"
# one file, the targets partitioned among -j threads (the rows above use the default, the cores online less one)
measure o1 "$BENCH_RUNS" "$MPCAP" analyze -q -j 1 -o "$O/o1" "$D/scan.pcap"
measure o2 "$BENCH_RUNS" "$MPCAP" analyze -q -j 2 -o "$O/o2" "$D/scan.pcap"
measure oz1 "$BENCH_RUNS" "$MPCAP" analyze -q -j 1 -o "$O/oz1" "$D/zmap.pcap"
measure oz2 "$BENCH_RUNS" "$MPCAP" analyze -q -j 2 -o "$O/oz2" "$D/zmap.pcap"
parts=$(ls "$D"/split-scan/part_*.pcap | sort)
# shellcheck disable=SC2086
measure j1 "$BENCH_RUNS" "$MPCAP" analyze -q -j 1 -o "$O/j1" $parts
# shellcheck disable=SC2086
measure j2 "$BENCH_RUNS" "$MPCAP" analyze -q -j 2 -o "$O/j2" $parts
zparts=$(ls "$D"/split-zmap/part_*.pcap | sort)
# shellcheck disable=SC2086
measure jz1 "$BENCH_RUNS" "$MPCAP" analyze -q -j 1 -o "$O/jz1" $zparts
# shellcheck disable=SC2086
measure jz2 "$BENCH_RUNS" "$MPCAP" analyze -q -j 2 -o "$O/jz2" $zparts
truns=$((BENCH_RUNS < 3 ? BENCH_RUNS : 3))
measure dump "$truns" "$MPCAP" dump "$D/slice.pcap"
# tshark with its TCP/MPTCP stream analysis off (-n, no sequence analysis, no
# reassembly, no MPTCP analysis): with it on, a scan capture (every packet a
# new connection) costs minutes per 20 k packets
TSHARK_FIELDS=(-n -o tcp.analyze_sequence_numbers:FALSE -o tcp.desegment_tcp_streams:FALSE
	-o mptcp.analyze_mptcp:FALSE -Y "tcp.options.mptcp.subtype == 0" -T fields
	-e frame.number -e ip.src -e ip.dst -e tcp.srcport -e tcp.dstport -e tcp.flags
	-e tcp.options.mptcp.version -e tcp.options.mptcp.flags -e tcp.options.mptcp.sendkey
	-e tcp.options.mptcp.recvkey)
# BENCH_TSHARK=0 leaves tshark out (8 of the bench's minutes)
if [ "${BENCH_TSHARK:-1}" != 0 ]; then
	measure tshark "${BENCH_TSHARK_RUNS:-1}" tshark "${TSHARK_FIELDS[@]}" -r "$D/slice.pcap"
	measure tshark20 "$truns" tshark "${TSHARK_FIELDS[@]}" -r "$D/slice20k.pcap"
else
	: > "$R/tshark"
	: > "$R/tshark20"
fi
measure dump20 "$BENCH_RUNS" "$MPCAP" dump "$D/slice20k.pcap"
run_measures

# where the CPU time goes, per stage (stages.sh: one perf record run each)
ST=tests/bench/stages.sh
{
	"$ST" --header
	"$ST" "bare pcap_next_ex loop, zmap.pcap" "$NZ" "$B/pcapcount" "$D/zmap.pcap"
	"$ST" "mpcap's reader + dissection, zmap.pcap" "$NZ" "$B/readcount" --dissect "$D/zmap.pcap"
	"$ST" "analyze -j 1, zmap.pcap" "$NZ" "$MPCAP" analyze -q -j 1 -o "$O/sz1" "$D/zmap.pcap"
	"$ST" "analyze -j 2, zmap.pcap" "$NZ" "$MPCAP" analyze -q -j 2 -o "$O/sz2" "$D/zmap.pcap"
	# shellcheck disable=SC2086
	"$ST" "analyze -j 1, zmap.pcap in 4 files" "$NZ" "$MPCAP" analyze -q -j 1 -o "$O/szj1" $zparts
	# shellcheck disable=SC2086
	"$ST" "analyze -j 2, zmap.pcap in 4 files" "$NZ" "$MPCAP" analyze -q -j 2 -o "$O/szj2" $zparts
	"$ST" "analyze -j 1, zmap.pcap.zst" "$NZ" "$MPCAP" analyze -q -j 1 -o "$O/szz1" "$D/zmap.pcap.zst"
	"$ST" "bare pcap_next_ex loop, scan.pcap" "$N" "$B/pcapcount" "$D/scan.pcap"
	"$ST" "analyze -j 1, scan.pcap" "$N" "$MPCAP" analyze -q -j 1 -o "$O/ss1" "$D/scan.pcap"
	"$ST" "analyze -j 2, scan.pcap" "$N" "$MPCAP" analyze -q -j 2 -o "$O/ss2" "$D/scan.pcap"
} > "$R/stages.out"

# equal results whatever the container, and -j 2 equal to -j 1
same_results=yes
for d in ng z g; do
	for f in targets.csv summary.csv targets.sets; do
		cmp -s "$O/a/$f" "$O/$d/$f" || same_results="NO ($d/$f)"
	done
done
for f in targets.csv summary.csv targets.sets; do
	cmp -s "$O/zm/$f" "$O/zmz/$f" || same_results="NO (zmz/$f)"
done
same_j=yes
for f in targets.csv summary.csv targets.sets scan.state; do
	cmp -s "$O/j1/$f" "$O/j2/$f" || same_j="NO (scan $f)"
	cmp -s "$O/jz1/$f" "$O/jz2/$f" || same_j="NO (zmap $f)"
	cmp -s "$O/o1/$f" "$O/o2/$f" || same_j="NO (scan.pcap $f)"
	cmp -s "$O/oz1/$f" "$O/oz2/$f" || same_j="NO (zmap.pcap $f)"
done

# attribution and report, when the colleagues' subcommands exist
attr_line="" report_line=""
if "$MPCAP" help attribute >/dev/null 2>&1 && [ -d "$D/gen/world" ]; then
	W=$D/gen/world
	# shellcheck disable=SC2046
	measure attribute "$truns" "$MPCAP" attribute -o "$O/attr" --asn "$W/pfx2as-v4.txt" \
		--as-names "$W/as-names.csv" $(for f in "$W"/delegated-*; do printf -- '--geo %s ' "$f"; done) "$O/a"
	run_measures
	resp=$(awk -F, '$2=="targets.responsive" && $3=="" {print $5}' "$O/a/summary.csv")
	attr_line=$(awk -v n="$resp" -v t="$(median attribute 1)" -v r="$(peak attribute)" \
		'BEGIN {printf "%-44s %12.2f %14s %10.2f\n", "mpcap attribute (" n " responsive targets)", t, sprintf("%.2f M/s", n / t / 1e6), r / 1024}')
	failed attribute && attr_line="$attr_line
   ^ FAILED: $(head -c 300 "$R/attribute.err")"
fi
if "$MPCAP" help report >/dev/null 2>&1 && [ -e "$D/six/done" ]; then
	res=""
	for m in 07 08 09 10 11 12; do
		"$MPCAP" analyze -q --scan "2020-$m" -o "$R/six/2020-$m" "$D/six/scan-2020-$m-p80-v4.pcap" \
			"$D/six/scan-2020-$m-p443-v4.pcap" 2>/dev/null
		res="$res $R/six/2020-$m"
	done
	# shellcheck disable=SC2086
	measure report "$truns" "$MPCAP" report -q -o "$O/report" $res
	run_measures
	report_line=$(awk -v t="$(median report 1)" -v r="$(peak report)" \
		'BEGIN {printf "%-44s %12.2f %14s %10.2f\n", "mpcap report (6 monthly scans, 2 ports)", t, "target < 2 s", r / 1024}')
	failed report && report_line="$report_line
   ^ FAILED: $(head -c 300 "$R/report.err")"
fi
say "bench: 60 M responders into exact sets (setfill) ..."
"$B/setfill" 60000000 "$R/60m.sets" > "$R/setfill.out" 2>&1
load1=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- table ------------------------------------------------------------------------------
row() { # label name packets bytes
	local w c r
	w=$(median "$2" 1)
	c=$(median "$2" 5)
	r=$(peak "$2")
	awk -v l="$1" -v w="$w" -v c="$c" -v r="$r" -v n="$3" -v b="$4" -v s="$(spread "$2")" -v q="$NOISY" 'BEGIN {
		printf "%-44s %8.2f %8.2f %9.2f %9.2f %8.0f %10.2f %7.0f%s\n", l, w, c, n / w / 1e6, n / c / 1e6, b / w / 1e6, r / 1024, s, (s > q ? " ~" : "") }'
	failed "$2" && echo "   ^ FAILED: $(head -c 300 "$R/$2.err")"
	noisy "$2" && NOISY_ROWS=$((NOISY_ROWS + 1))
	return 0
}
NOISY_ROWS=0
echo
echo "mpcap bench — $(date -u +%Y-%m-%dT%H:%MZ) — $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB RAM"
echo "load average $load0 at start, $load1 at end (other processes share the cores); median of $BENCH_RUNS runs"
echo
printf "%-44s %8s %8s %9s %9s %8s %10s %8s\n" "input / command" "wall s" "cpu s" "Mpps" "Mpps/cpu" "MB/s" "peak MiB" "spread%"
row "bare pcap_next_ex loop, scan.pcap" bare "$N" "$SZ"
row "mpcap's reader alone, scan.pcap" read "$N" "$SZ"
row "mpcap's reader + dissection, scan.pcap" read_dis "$N" "$SZ"
row "mpcap analyze, scan.pcap" analyze "$N" "$SZ"
row "bare pcap_next_ex loop, scan.pcapng" bare_ng "$N" "$SZ"
row "mpcap analyze, scan.pcapng" analyze_ng "$N" "$SZ"
row "zstd -dc, scan.pcap.zst" zstd "$N" "$SZ"
row "mpcap analyze, scan.pcap.zst" analyze_zst "$N" "$SZ"
row "gzip -dc, scan.pcap.gz" gzip "$N" "$SZ"
row "mpcap analyze, scan.pcap.gz" analyze_gz "$N" "$SZ"
row "bare pcap_next_ex loop, zmap.pcap" bare_z "$NZ" "$SZZ"
row "mpcap's reader alone, zmap.pcap" read_z "$NZ" "$SZZ"
row "mpcap's reader + dissection, zmap.pcap" read_dis_z "$NZ" "$SZZ"
row "mpcap analyze, zmap.pcap (static key)" analyze_z "$NZ" "$SZZ"
row "zstd -dc, zmap.pcap.zst" zstd_z "$NZ" "$SZZ"
row "mpcap analyze, zmap.pcap.zst" analyze_zst_z "$NZ" "$SZZ"
row "mpcap analyze --no-input-hash, scan.pcap" analyze_nh "$N" "$SZ"
row "mpcap analyze --no-input-hash, scan.pcap.zst" analyze_zst_nh "$N" "$SZ"
row "mpcap analyze --no-input-hash, zmap.pcap" analyze_z_nh "$NZ" "$SZZ"
row "mpcap analyze -j 1, scan.pcap" o1 "$N" "$SZ"
row "mpcap analyze -j 2, scan.pcap" o2 "$N" "$SZ"
row "mpcap analyze -j 1, zmap.pcap" oz1 "$NZ" "$SZZ"
row "mpcap analyze -j 2, zmap.pcap" oz2 "$NZ" "$SZZ"
row "mpcap analyze -j 1, scan.pcap in 4 files" j1 "$N" "$SZ"
row "mpcap analyze -j 2, scan.pcap in 4 files" j2 "$N" "$SZ"
row "mpcap analyze -j 1, zmap.pcap in 4 files" jz1 "$NZ" "$SZZ"
row "mpcap analyze -j 2, zmap.pcap in 4 files" jz2 "$NZ" "$SZZ"
row "mpcap dump, 200 k-packet slice" dump "$NS" "$(bytes "$D/slice.pcap")"
[ -s "$R/tshark" ] && row "tshark -T fields (MP_CAPABLE), same slice" tshark "$NS" "$(bytes "$D/slice.pcap")"
row "mpcap dump, 20 k-packet slice" dump20 20000 "$(bytes "$D/slice20k.pcap")"
[ -s "$R/tshark20" ] && row "tshark -T fields (MP_CAPABLE), same slice" tshark20 20000 "$(bytes "$D/slice20k.pcap")"
echo
printf "%-44s %12s %14s %10s\n" "" "wall s" "rate" "peak MiB"
[ -n "$attr_line" ] && echo "$attr_line"
[ -n "$report_line" ] && echo "$report_line"
echo
echo "ratios (wall time; in brackets on CPU time)"
for p in "analyze vs bare loop, classic pcap (target >= 1.5x)|analyze|bare" \
	"analyze vs bare loop, pcapng (target >= 1.0x)|analyze_ng|bare_ng" \
	"analyze vs zstd -dc alone (target >= 0.8x)|analyze_zst|zstd" \
	"analyze vs gzip -dc alone|analyze_gz|gzip" \
	"analyze vs bare loop, zmap.pcap|analyze_z|bare_z" \
	"analyze vs zstd -dc alone, zmap.pcap.zst (target >= 0.8x)|analyze_zst_z|zstd_z" \
	"mpcap's reader vs bare loop, scan.pcap|read|bare" \
	"mpcap's reader + dissection vs bare loop, scan.pcap|read_dis|bare" \
	"mpcap's reader + dissection vs bare loop, zmap.pcap|read_dis_z|bare_z" \
	"-j 2 vs -j 1, scan.pcap, one file (target >= 1.8x)|o2|o1" \
	"-j 2 vs -j 1, zmap.pcap, one file (target >= 1.8x)|oz2|oz1" \
	"analyze -j 1 vs bare loop, zmap.pcap (target >= 0.8x)|oz1|bare_z" \
	"analyze -j 2 vs bare loop, zmap.pcap (target >= 1.5x)|oz2|bare_z" \
	"-j 2 vs -j 1, scan.pcap in 4 files (target >= 1.7x)|j2|j1" \
	"-j 2 vs -j 1, zmap.pcap in 4 files (target >= 1.7x)|jz2|jz1" \
	"dump vs tshark, 200 k packets|dump|tshark" \
	"dump vs tshark, 20 k packets|dump20|tshark20"; do
	IFS='|' read -r l a b <<< "$p"
	w=$(awk -v a="$(median "$a" 1)" -v b="$(median "$b" 1)" 'BEGIN {printf "%.2f", b / a}')
	c=$(awk -v a="$(median "$a" 5)" -v b="$(median "$b" 5)" 'BEGIN {printf "%.2f", b / a}')
	mark=""
	{ noisy "$a" || noisy "$b"; } && mark="  ~ noisy"
	printf "  %-52s %6sx  [%sx]%s\n" "$l" "$w" "$c" "$mark"
done
[ "$NOISY_ROWS" -gt 0 ] && echo "  ~ $NOISY_ROWS figures above spread by more than $NOISY % between their runs (slowest - fastest, of the median): the machine's speed moved during the bench; their ratios are uncertain"
echo
echo "per stage (perf cpu-clock samples of every thread filed by function, tests/bench/stages.sh):"
sed 's/^/  /' "$R/stages.out"
echo
echo "input hashing for manifest.json (SHA-256, libcrypto), analyze's wall time with vs --no-input-hash (target <= +10 %):"
for p in "scan.pcap|analyze|analyze_nh" "scan.pcap.zst (on the readahead thread)|analyze_zst|analyze_zst_nh" \
	"zmap.pcap|analyze_z|analyze_z_nh"; do
	IFS='|' read -r l a b <<< "$p"
	awk -v l="$l" -v a="$(median "$a" 1)" -v b="$(median "$b" 1)" -v ca="$(median "$a" 5)" -v cb="$(median "$b" 5)" \
		'BEGIN {printf "  %-52s %+6.1f %%  [cpu %+6.1f %%]\n", l, (a / b - 1) * 100, (ca / cb - 1) * 100}'
done
echo
echo "peak RSS, mpcap analyze: scan.pcap $(awk -v r="$(peak analyze)" 'BEGIN{printf "%.1f", r/1024}') MiB," \
	"zmap.pcap $(awk -v r="$(peak analyze_z)" 'BEGIN{printf "%.1f", r/1024}') MiB (target <= 64 MiB, static probe key)"
echo "results equal across pcap/pcapng/zstd/gzip: $same_results; -j 2 equal to -j 1: $same_j"
echo "full-IPv4 scale, 60 M responders on one port (responsive, synack, rst sets; target <= 1 GiB):"
sed 's/^/  /' "$R/setfill.out"
