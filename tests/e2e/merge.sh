#!/bin/bash
# merge.sh — the GNU parallel recipe of docs/scale.md, run on this machine:
# a scan capture split into shards by file (editcap -c, tcpdump -C rotation),
# by target (one BPF filter per shard) and both, each shard analysed by a
# parallel job, the shards merged with `mpcap merge`; the merged results must
# equal the single run over the whole capture byte for byte.  Also: -j 2
# equals -j 1, merges of merges, a tail file holding only late answers, a
# capture that starts in the middle of a scan, the corpus split record by
# record, and the errors of mpcap merge.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh
need_corpus
: "${BUILD:=build}"
GEN=$BUILD/bench/scangen
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
if ! command -v parallel >/dev/null; then
	echo "Bail out! GNU parallel not installed (scripts/install-deps.sh installs it)"
	exit 1
fi
if [ ! -x "$GEN" ]; then
	echo "Bail out! $GEN missing (make builds it)"
	exit 1
fi
export MPCAP

# same DESCRIPTION DIR_A DIR_B [FILES...]: results equal byte for byte
same() {
	local d=$1 a=$2 b=$3; shift 3
	local files=${*:-targets.csv summary.csv targets.sets}
	local bad=""
	for f in $files; do cmp -s "$a/$f" "$b/$f" || bad="$bad $f"; done
	if [ -z "$bad" ]; then ok "$d"; else not_ok "$d (differs:$bad)"; fi
}

# A scan whose probes stop after 300 k packets; the answers still on their
# way follow (a tail with no probe in it).
read -r total before < <("$GEN" -n 200000 -s 7 --drain "$T/cap.pcap")
check "the generator wrote a drained capture" test "$total" -gt "$before"
"$MPCAP" analyze -q -o "$T/single" "$T/cap.pcap"; check_eq "single run exits 0" 0 $?
check "single run saw the tail's answers" grep -q "^.*,responses.packets,,,[1-9]" "$T/single/summary.csv"

# --- by file: editcap -c up to the tail, the tail (answers only) a file of
# its own; each shard a parallel job (docs/scale.md adds --sshlogin,
# --transferfile and --return to run them on other machines), merged in order
editcap -r "$T/cap.pcap" "$T/body.pcap" 1-"$before"
editcap -r "$T/cap.pcap" "$T/rot_zzzzz_tail.pcap" "$((before + 1))-$total"
editcap -c 45000 "$T/body.pcap" "$T/rot.pcap"
ls "$T"/rot_*.pcap | sort > "$T/files"
check "editcap made several rotation files" test "$(wc -l < "$T/files")" -ge 4
parallel --jobs 2 --keep-order '"$MPCAP" analyze -q -o '"$T"'/shard{#} {}' < "$T/files"
check_eq "every shard analysed" "$(wc -l < "$T/files")" "$(ls -d "$T"/shard* | wc -l)"
shards=$(seq 1 "$(wc -l < "$T/files")" | sed "s|^|$T/shard|")
# shellcheck disable=SC2086
"$MPCAP" merge -q -o "$T/merged" $shards; check_eq "merge exits 0" 0 $?
same "by file (editcap -c): merged results equal the single run" "$T/single" "$T/merged"
check "the tail shard holds no probe" grep -q ",probes.packets,,,0$" "$T/shard$(wc -l < "$T/files")/summary.csv"

# --- by file: tcpdump -C rotation (2 MB files: rot, rot1, rot2, ...)
mkdir "$T/tc"
tcpdump -Z root -r "$T/cap.pcap" -w "$T/tc/rot" -C 1 2>/dev/null
(cd "$T/tc" && ls rot* | sort -V) > "$T/tcfiles"
check "tcpdump -C made several files" test "$(wc -l < "$T/tcfiles")" -ge 3
sed "s|^|$T/tc/|" "$T/tcfiles" | parallel --jobs 2 --keep-order '"$MPCAP" analyze -q -o '"$T"'/tc{#} {}'
tcs=$(seq 1 "$(wc -l < "$T/tcfiles")" | sed "s|^|$T/tc|")
# shellcheck disable=SC2086
"$MPCAP" merge -q -o "$T/tcmerged" $tcs
same "by file (tcpdump -C): merged results equal the single run" "$T/single" "$T/tcmerged"

# --- merges of merges: halves merged, then the halves
n=$(wc -l < "$T/files"); h=$((n / 2))
# shellcheck disable=SC2046
"$MPCAP" merge -q -o "$T/h1" $(seq 1 $h | sed "s|^|$T/shard|")
# shellcheck disable=SC2046
"$MPCAP" merge -q -o "$T/h2" $(seq $((h + 1)) "$n" | sed "s|^|$T/shard|")
"$MPCAP" merge -q -o "$T/hh" "$T/h1" "$T/h2"
same "a merge of merges equals the single run" "$T/single" "$T/hh"
same "and equals the flat merge, scan.state included" "$T/merged" "$T/hh" targets.csv summary.csv targets.sets scan.state

# --- by target: one BPF filter per shard; together they take every packet
# once, and a target's probes (destination), answers (source) and ICMP
# errors (the quoted destination) go to the same shard
lo='0.0.0.0/1'; hi='128.0.0.0/1'
f0="(tcp and ((tcp[13] & 18 == 2 and dst net $lo) or (tcp[13] & 18 != 2 and src net $lo))) or (icmp and icmp[24:4] & 0x80000000 == 0) or not (tcp or icmp)"
f1="(tcp and ((tcp[13] & 18 == 2 and dst net $hi) or (tcp[13] & 18 != 2 and src net $hi))) or (icmp and icmp[24:4] & 0x80000000 != 0)"
printf '%s\n%s\n' "$f0" "$f1" > "$T/filters"
parallel --jobs 2 --keep-order '"$MPCAP" analyze -q -f {} -o '"$T"'/tgt{#} '"$T"'/cap.pcap' < "$T/filters"
"$MPCAP" merge -q -o "$T/tmerged" "$T/tgt1" "$T/tgt2"
same "by target (BPF filter per shard): merged results equal the single run" "$T/single" "$T/tmerged" \
	targets.csv summary.csv targets.sets scan.state
p1=$(awk -F, '$2=="packets.total"{print $5}' "$T/tgt1/summary.csv")
p2=$(awk -F, '$2=="packets.total"{print $5}' "$T/tgt2/summary.csv")
pa=$(awk -F, '$2=="packets.total"{print $5}' "$T/single/summary.csv")
check_eq "the filters took every packet exactly once" "$pa" "$((p1 + p2))"

# --- both: every rotation file split by target
parallel --jobs 2 --keep-order '"$MPCAP" analyze -q -f {2} -o '"$T"'/both{#} {1}' :::: "$T/files" "$T/filters"
# shellcheck disable=SC2046
"$MPCAP" merge -q -o "$T/bmerged" $(seq 1 $((n * 2)) | sed "s|^|$T/both|")
same "by file and by target: merged results equal the single run" "$T/single" "$T/bmerged"

# --- -j 2 over the rotation files equals -j 1, every output file
# shellcheck disable=SC2046
"$MPCAP" analyze -q -j 1 -o "$T/j1" $(cat "$T/files")
# shellcheck disable=SC2046
"$MPCAP" analyze -q -j 2 -o "$T/j2" $(cat "$T/files") 2>"$T/j2err"; check_eq "-j 2 exits 0" 0 $?
same "-j 2 equals -j 1, scan.state included" "$T/j1" "$T/j2" targets.csv summary.csv targets.sets scan.state
same "-j 1 over the rotation files equals the single run" "$T/single" "$T/j1"
check_eq "-j 2 needed no second pass" "" "$(cat "$T/j2err")"

# --- a capture that starts in the middle of the scan: answers before its first probe
editcap -r "$T/cap.pcap" "$T/mid.pcap" 100001-"$total"
"$MPCAP" analyze -q -o "$T/mid" "$T/mid.pcap"
editcap -c 25000 "$T/mid.pcap" "$T/midrot.pcap"
ls "$T"/midrot_*.pcap | sort | parallel --jobs 2 --keep-order '"$MPCAP" analyze -q -o '"$T"'/mid{#} {}'
# shellcheck disable=SC2046
"$MPCAP" merge -q -o "$T/midm" $(seq 1 "$(ls "$T"/midrot_*.pcap | wc -l)" | sed "s|^|$T/mid|")
same "a capture starting mid-scan, merged, equals its single run" "$T/mid" "$T/midm"

# --- the corpus, split record by record (ZMap, tracebox, IPv6, ICMP, --all)
for c in zmap-synopt-v4-mpcv0.pcap tracebox-v6-mpcapable.pcap mptcp-v1.pcap; do
	for opt in "" --all; do
		rm -rf "$T/c" && mkdir -p "$T/c"
		"$MPCAP" analyze -q --scan c $opt -o "$T/c/one" "$CORPUS/$c" 2>/dev/null
		editcap -c 3 "$CORPUS/$c" "$T/c/p.pcap"
		i=0
		for f in $(ls "$T"/c/p_*.pcap | sort); do
			i=$((i + 1))
			"$MPCAP" analyze -q --scan c $opt -o "$T/c/s$i" "$f" 2>/dev/null
		done
		# shellcheck disable=SC2046
		"$MPCAP" merge -q -o "$T/c/m" $(seq 1 $i | sed "s|^|$T/c/s|") 2>/dev/null
		same "$c $opt split every 3 records: merged equals single" "$T/c/one" "$T/c/m"
	done
done

# --- errors
"$MPCAP" merge -q -o "$T/e1" "$T/nope" 2>"$T/err"; check_eq "a missing directory is an error" 1 $?
check_eq "the error is one line" 1 "$(wc -l < "$T/err")"
"$MPCAP" analyze -q --all -o "$T/all1" "$(head -1 "$T/files")"
"$MPCAP" merge -q -o "$T/e2" "$T/shard1" "$T/all1" 2>"$T/err"; check_eq "shards with and without --all are refused" 1 $?
check "the error names the option" grep -q -- "--all" "$T/err"
check "nothing was written" test ! -e "$T/e2"
"$MPCAP" merge 2>/dev/null; check_eq "no results given: usage error" 2 $?
"$MPCAP" merge -q -o "$T/e3" "$T/shard1" "$T/shard2" "$T/../$(basename "$T")/shard1" 2>"$T/err"
check_eq "a directory given twice is a usage error" 2 $?
check "the error says it was given twice" grep -q "given twice" "$T/err"
check "nothing was written" test ! -e "$T/e3"
finish
