#!/bin/bash
# jobs.sh — `mpcap analyze -j N` partitions one scan by target among N
# threads (analyzer/scan/scan_part.h); its outputs must be those of -j 1 byte
# for byte (targets.csv, summary.csv, targets.sets, scan.state), whatever N:
# on every capture the goldens read (with and without --all), on generated
# bench-like scans in one file and in several, compressed, from standard
# input, with two probe options, and with answers before the first probe.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh
need_corpus
: "${BUILD:=build}"
GEN=$BUILD/bench/scangen
: "${JOBS_PACKETS:=300000}" # packets of each generated scan (make check-tsan: fewer)
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
if [ ! -x "$GEN" ]; then
	echo "Bail out! $GEN missing (make builds it)"
	exit 1
fi
OUTS="targets.csv summary.csv targets.sets scan.state"

# same_jobs DESCRIPTION [ANALYZE ARGS...]: -j 2 and -j 7 equal -j 1
same_jobs() {
	local d=$1; shift
	"$MPCAP" analyze -q -j 1 -o "$T/j1" "$@" 2> "$T/e1"
	local r1=$?
	for j in 2 7; do
		rm -rf "$T/jn"
		"$MPCAP" analyze -q -j "$j" -o "$T/jn" "$@" 2> "$T/en"
		local rn=$? bad=""
		for f in $OUTS; do cmp -s "$T/j1/$f" "$T/jn/$f" || bad="$bad $f"; done
		[ "$r1" = "$rn" ] || bad="$bad exit($r1/$rn)"
		cmp -s "$T/e1" "$T/en" || bad="$bad stderr"
		if [ -z "$bad" ]; then ok "$d: -j $j equals -j 1"; else not_ok "$d: -j $j differs from -j 1:$bad"; fi
	done
	rm -rf "$T/j1"
}

# every capture of tests/TESTLIST's analyze goldens
while read -r name cmd input extra; do
	case "$name" in '#'* | '') continue ;; esac
	[ "$cmd" = analyze ] || continue
	case "$input" in corpus:*) input=$CORPUS/${input#corpus:} ;; esac
	# shellcheck disable=SC2086
	same_jobs "$name" $extra "$input"
	case " $extra " in *" --all "*) ;; *) same_jobs "$name --all" --all "$input" ;; esac
done < tests/TESTLIST

# bench-like scans (tests/bench/scangen.c): one file, several files, a
# drained tail (answers only after the last probe), compressed, on stdin
"$GEN" -n "$JOBS_PACKETS" -s 11 "$T/one.pcap" > /dev/null
"$GEN" -n "$JOBS_PACKETS" -s 12 --split 4 "$T/rot.pcap" > /dev/null
read -r total before < <("$GEN" -n "$((JOBS_PACKETS * 2 / 3))" -s 13 --drain "$T/drain.pcap")
same_jobs "scangen, one file" "$T/one.pcap"
same_jobs "scangen, one file, --all" --all "$T/one.pcap"
same_jobs "scangen, four files" "$T"/rot-0*.pcap
same_jobs "scangen, drained tail" "$T/drain.pcap"
zstd -q -3 -o "$T/one.pcap.zst" "$T/one.pcap"
same_jobs "scangen, zstd" "$T/one.pcap.zst"
"$MPCAP" analyze -q -j 1 -o "$T/s1" - < "$T/one.pcap"
"$MPCAP" analyze -q -j 3 -o "$T/s3" - < "$T/one.pcap"
bad=""
for f in $OUTS; do cmp -s "$T/s1/$f" "$T/s3/$f" || bad="$bad $f"; done
check_eq "standard input: -j 3 equals -j 1" "" "$bad"

# answers first: the drained capture's tail (answers only) before the whole
# capture, as if the capture had started mid-scan
editcap -r "$T/drain.pcap" "$T/tail.pcap" "$((before + 1))-$total" > /dev/null
"$MPCAP" analyze -q -j 1 -o "$T/t" "$T/tail.pcap" 2> /dev/null
check "the tail holds answers and no probe" \
	grep -q ",probes.packets,,,0$" "$T/t/summary.csv" && grep -q ",responses.packets,,,[1-9]" "$T/t/summary.csv"
same_jobs "answers before the first probe" "$T/tail.pcap" "$T/drain.pcap"

# two probe options: a scangen scan, then a netns capture whose probes carry
# other options
same_jobs "two scans with different probe options" "$T/one.pcap" samples/captures/netns-foundation.pcap

"$MPCAP" analyze -q -j 0 -o "$T/x" "$T/one.pcap" 2> /dev/null
check_eq "-j 0 is a usage error" 2 $?
finish
