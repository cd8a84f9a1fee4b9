#!/bin/bash
# interrupt.sh — interrupted runs and full disks leave no half-written results
# (docs/robustness.md).  Complements cli.sh (SIGINT during analyze on a FIFO,
# `ulimit -f` during dump) with:
#   - SIGTERM during analyze and dump reading a FIFO: exit 130, no final file,
#     no temporary file; a re-run succeeds;
#   - SIGTERM and SIGKILL at spread-out moments of analyze and report runs:
#     every final file is either absent or identical to an uninterrupted run's
#     (SIGTERM also leaves no temporary file; SIGKILL cannot clean up, the
#     next run must still succeed and replace nothing with garbage);
#   - report reading a FIFO, stopped by SIGTERM: exit 130, no final file;
#   - a full disk (a 64 KiB tmpfs, as root): analyze, dump and report fail
#     with "No space left on device", leave the previous results untouched and
#     no temporary file; the same run on a roomier disk succeeds.
# TAP output; exit 1 on failure.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh
need_corpus
M=$MPCAP
T=$(mktemp -d)
MNT=""
cleanup() {
	[ -n "$MNT" ] && umount "$MNT" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
Z=$CORPUS/zmap-synopt-v4-mpcv0.pcap
KEYS=samples/captures/netns-mptcp-keys.pcap.zst
temps() { find "$1" -name '.*.tmp.*' 2>/dev/null | wc -l; }
has_report=0
"$M" help report >/dev/null 2>&1 && has_report=1

# --- SIGTERM while reading a FIFO
for sub in analyze dump; do
	rm -rf "$T/int" "$T/fifo"
	mkdir -p "$T/int"
	mkfifo "$T/fifo"
	(cat "$Z"; sleep 3) >"$T/fifo" &
	feeder=$!
	if [ $sub = analyze ]; then
		"$M" analyze -q -o "$T/int" "$T/fifo" 2>"$T/err" &
	else
		"$M" dump -o "$T/int/dump.csv" "$T/fifo" 2>"$T/err" &
	fi
	stop_reading $! "$T/fifo" $feeder
	check_eq "$sub, SIGTERM: exit 130" 130 $rc
	check "$sub, SIGTERM: says it was interrupted" grep -q "interrupted" "$T/err"
	check "$sub, SIGTERM: no final output" test -z "$(ls -A "$T/int")"
	check_eq "$sub, SIGTERM: no temporary file" 0 "$(temps "$T/int")"
done
"$M" analyze -q -o "$T/int" "$Z"
check_eq "analyze after SIGTERM: a re-run succeeds" 0 $?

# --- SIGTERM / SIGKILL at spread-out moments: final files are whole or absent
# same_or_absent REF DIR: every file of REF in DIR is absent or identical; no extra final files
same_or_absent() {
	local f b bad=0
	for f in "$2"/*; do
		[ -e "$f" ] || continue
		b=$(basename "$f")
		# manifest.json names its run (times, the output directory): it must verify instead
		if [ "$b" = manifest.json ]; then "$M" verify -q "$2" >/dev/null || { echo "# $b does not verify"; bad=1; }
		elif [ ! -e "$1/$b" ]; then echo "# unexpected file $b"; bad=1
		elif ! cmp -s "$f" "$1/$b"; then echo "# $b differs from an uninterrupted run"; bad=1; fi
	done
	return $bad
}
# interrupt_at NAME SIGNAL DELAY_MS CMD...: runs CMD, sends SIGNAL after DELAY_MS
interrupt_at() {
	local sig=$1 ms=$2
	shift 2
	"$@" >/dev/null 2>"$T/err" &
	local pid=$!
	sleep "$(printf '0.%03d' "$ms")"
	kill -"$sig" $pid 2>/dev/null
	wait $pid 2>/dev/null
}
"$M" analyze -q --all -o "$T/ref-a" "$KEYS" samples/captures/netns-verdicts.pcap "$Z" 2>/dev/null
check "analyze reference run" test -s "$T/ref-a/targets.csv"
if [ $has_report -eq 1 ]; then
	# the same command line as the interrupted runs (index.html and README.md quote it)
	"$M" report -q -o "$T/r" "$T/ref-a" >/dev/null 2>&1 && mv "$T/r" "$T/ref-r"
	"$M" report -q -o "$T/r" "$T/ref-a" >/dev/null 2>&1
	check "report reference run, twice the same" diff -r -x manifest.json "$T/ref-r" "$T/r"
fi
for sig in TERM KILL; do
	for ms in 5 20 40 60 90 120 200; do
		rm -rf "$T/a"
		interrupt_at $sig $ms "$M" analyze -q --all -o "$T/a" "$KEYS" samples/captures/netns-verdicts.pcap "$Z"
		rc=$?
		mkdir -p "$T/a"
		bad=""
		same_or_absent "$T/ref-a" "$T/a" || bad="$bad partial output;"
		[ $sig = TERM ] && [ "$(temps "$T/a")" -ne 0 ] && bad="$bad temporary file left;"
		# 143: the signal came before main() installed its handler
		[ $sig = TERM ] && [ $rc -ne 130 ] && [ $rc -ne 0 ] && [ $rc -ne 143 ] && bad="$bad exit $rc;"
		if [ -z "$bad" ]; then ok "analyze, SIG$sig after ${ms} ms: exit $rc, outputs whole or absent"
		else not_ok "analyze, SIG$sig after ${ms} ms:$bad"; fi
	done
	"$M" analyze -q --all -o "$T/a" "$KEYS" samples/captures/netns-verdicts.pcap "$Z" 2>/dev/null
	check "analyze after SIG$sig: the re-run equals the reference" \
		diff -r -x '.*' -x manifest.json "$T/ref-a" "$T/a"
	[ $has_report -eq 1 ] || continue
	for ms in 10 100 300 600 900; do
		rm -rf "$T/r"
		interrupt_at $sig $ms "$M" report -q -o "$T/r" "$T/ref-a"
		rc=$?
		mkdir -p "$T/r"
		bad=""
		same_or_absent "$T/ref-r" "$T/r" || bad="$bad partial output;"
		[ $sig = TERM ] && [ "$(temps "$T/r")" -ne 0 ] && bad="$bad temporary file left;"
		# 143: the signal came before main() installed its handler
		[ $sig = TERM ] && [ $rc -ne 130 ] && [ $rc -ne 0 ] && [ $rc -ne 143 ] && bad="$bad exit $rc;"
		if [ -n "$bad" ]; then
			not_ok "report, SIG$sig after ${ms} ms:$bad"
		else
			ok "report, SIG$sig after ${ms} ms: exit $rc, outputs whole or absent"
		fi
	done
	rm -rf "$T/r"
	"$M" report -q -o "$T/r" "$T/ref-a" >/dev/null 2>&1
	check_eq "report after SIG$sig: a re-run succeeds" 0 $?
done

# --- report reading a FIFO, stopped by SIGTERM
if [ $has_report -eq 1 ]; then
	mkdir -p "$T/fres" "$T/frep"
	cp "$T/ref-a/summary.csv" "$T/ref-a/targets.sets" "$T/fres/"
	rm -f "$T/fres/targets.csv"
	mkfifo "$T/fres/targets.csv"
	(head -c 100 "$T/ref-a/targets.csv"; sleep 3) >"$T/fres/targets.csv" &
	feeder=$!
	"$M" report -q -o "$T/frep" "$T/fres" >/dev/null 2>"$T/err" &
	stop_reading $! "$T/fres/targets.csv" $feeder
	check_eq "report, SIGTERM while reading: exit 130" 130 $rc
	check "report, SIGTERM while reading: says it was interrupted" grep -q "interrupted" "$T/err"
	check "report, SIGTERM while reading: no final output" test -z "$(ls -A "$T/frep")"
fi

# --- a full disk: a 64 KiB tmpfs, filled up but for one page
if [ "$(id -u)" -ne 0 ] || ! mkdir -p "$T/mnt" || ! mount -t tmpfs -o size=64k tmpfs "$T/mnt" 2>/dev/null; then
	ok "full-disk tests # SKIP need root and tmpfs mounts"
	finish
	exit $?
fi
MNT=$T/mnt
full() { # DIR: keeps existing files, fills the rest of the tmpfs but for one page
	rm -f "$MNT/filler"
	local free
	free=$(df -B4096 --output=avail "$MNT" | tail -1)
	[ "$free" -gt 1 ] && dd if=/dev/zero of="$MNT/filler" bs=4096 count=$((free - 1)) 2>/dev/null
}
mkdir -p "$MNT/a"
echo sentinel-targets >"$MNT/a/targets.csv"
echo sentinel-summary >"$MNT/a/summary.csv"
full
"$M" analyze -q --all -o "$MNT/a" samples/captures/netns-verdicts.pcap "$Z" 2>"$T/err"
rc=$?
check_eq "full disk, analyze: exit 1" 1 $rc
check "full disk, analyze: 'No space left on device'" grep -q "No space left on device" "$T/err"
check_eq "full disk, analyze: one line on stderr" 1 "$(wc -l <"$T/err")"
check_eq "full disk, analyze: previous targets.csv untouched" sentinel-targets "$(cat "$MNT/a/targets.csv")"
check_eq "full disk, analyze: previous summary.csv untouched" sentinel-summary "$(cat "$MNT/a/summary.csv")"
check_eq "full disk, analyze: no temporary file" 0 "$(temps "$MNT/a")"
check "full disk, analyze: no targets.sets written" test ! -e "$MNT/a/targets.sets"
rm -f "$MNT/filler"
"$M" analyze -q --all -o "$MNT/a" samples/captures/netns-verdicts.pcap "$Z" 2>/dev/null
check_eq "full disk freed, analyze: exit 0" 0 $?
"$M" analyze -q --all -o "$T/a2" samples/captures/netns-verdicts.pcap "$Z" 2>/dev/null
check "full disk freed, analyze: the outputs equal a run elsewhere" diff -r -x '.*' -x manifest.json "$T/a2" "$MNT/a"

mkdir -p "$MNT/d"
full
"$M" dump -o "$MNT/d/dump.csv" "$KEYS" 2>"$T/err"
check_eq "full disk, dump: exit 1" 1 $?
check "full disk, dump: 'No space left on device'" grep -q "No space left on device" "$T/err"
check "full disk, dump: no partial CSV, no temporary file" test -z "$(ls -A "$MNT/d")"

if [ $has_report -eq 1 ]; then
	rm -rf "$MNT/a" "$MNT/d" "$MNT/filler"
	mkdir -p "$MNT/r"
	echo sentinel >"$MNT/r/index.html"
	"$M" report -q -o "$MNT/r" "$T/ref-a" >/dev/null 2>"$T/err"
	rc=$?
	check_eq "full disk, report: exit 1" 1 $rc
	check "full disk, report: 'No space left on device'" grep -q "No space left on device" "$T/err"
	check_eq "full disk, report: previous index.html untouched" sentinel "$(cat "$MNT/r/index.html")"
	check_eq "full disk, report: no temporary file" 0 "$(temps "$MNT/r")"
	check_eq "full disk, report: no new final file" 1 "$(find "$MNT/r" -type f | wc -l)"
fi
finish
