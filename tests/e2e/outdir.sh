#!/bin/bash
# outdir.sh — a results directory is committed as a unit (issue 15,
# analyzer/results/outdir.h, docs/robustness.md): after a failure injected at
# each step of the commit (MPCAP_TEST_OUTDIR_FAIL), a name that cannot be
# replaced (summary.csv a directory), a full disk (a small tmpfs, as root),
# DIR holds entirely the old results (every old file unchanged); after SIGTERM
# at each step (MPCAP_TEST_OUTDIR_FAIL=term:STEP) all old or all new;
# after success entirely the new ones, with the files mpcap did not write
# (a file, a symlink, a subdirectory) kept.  DIR given with a trailing slash,
# as a symlink and as "." resolves to the same directory.  TAP; exit 1 on failure.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh
need_corpus
M=$(realpath "$MPCAP")
T=$(mktemp -d)
MNT=""
cleanup() {
	[ -n "$MNT" ] && umount "$MNT" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
A=$CORPUS/mptcp-v0.pcap
B=$CORPUS/mptcp-v1.pcap
snap() { (cd "$1" && find . -path ./sub -prune -o -type f -print0 | sort -z | xargs -0 sha1sum; find . | sort); }
stray() { find "$T" -maxdepth 3 -name '.*mpcap-*' | wc -l; }

"$M" analyze -q -o "$T/out" "$A" || true
check "first run writes summary.csv" test -s "$T/out/summary.csv"
echo "my notes" >"$T/out/notes.txt"
ln -s notes.txt "$T/out/link"
mkdir "$T/out/sub" && echo keep >"$T/out/sub/a"
mkfifo "$T/out/fifo"
ino=$(stat -c %i "$T/out/summary.csv")
old=$(snap "$T/out")

for step in sync carry swap; do
	MPCAP_TEST_OUTDIR_FAIL=$step "$M" analyze -q -o "$T/out" "$B" 2>"$T/err"
	rc=$?
	check_eq "failure at $step: exit 1" 1 "$rc"
	check_eq "failure at $step: every old file unchanged" "$old" "$(snap "$T/out")"
	check_eq "failure at $step: no staging directory left" 0 "$(stray)"
done

# SIGTERM at each step: DIR all old (exit 130) or all new (the signal was held
# until the swap was done), never a mix; no staging directory left
"$M" analyze -q -o "$T/refb" "$B"
for step in sync carry swap; do
	rm -rf "$T/sig" && cp -a "$T/out" "$T/sig"
	before=$(snap "$T/sig")
	MPCAP_TEST_OUTDIR_FAIL=term:$step "$M" analyze -q -o "$T/sig" "$B" 2>/dev/null
	rc=$?
	after=$(snap "$T/sig")
	whole=0
	if [ "$after" = "$before" ]; then
		[ $rc = 130 ] && whole=1
	elif [ $rc = 0 ] || [ $rc = 130 ]; then
		whole=1
		for f in scan.state targets.sets targets.csv summary.csv; do
			cmp -s "$T/sig/$f" "$T/refb/$f" || whole=0
		done
		[ "$(cat "$T/sig/notes.txt")" = "my notes" ] || whole=0
	fi
	check "SIGTERM at $step: all old (exit 130) or all new, never a mix (exit $rc)" test $whole = 1
	check_eq "SIGTERM at $step: no staging directory left" 0 "$(stray)"
done
rm -rf "$T/sig"

rm "$T/out/summary.csv" && mkdir "$T/out/summary.csv"
old=$(snap "$T/out")
"$M" analyze -q -o "$T/out" "$B" 2>"$T/err"
check_eq "summary.csv a directory: exit 1" 1 $?
check "summary.csv a directory: the error names it" grep -q "summary.csv: exists and is not a regular file" "$T/err"
check_eq "summary.csv a directory: nothing changed" "$old" "$(snap "$T/out")"
rmdir "$T/out/summary.csv"

"$M" analyze -q -o "$T/out/" "$B"
check "trailing slash: success" test $? -ne 1
"$M" analyze -q -o "$T/new" "$B"
check_eq "new results in place" "$(cat "$T/new/summary.csv")" "$(cat "$T/out/summary.csv")"
check_eq "notes.txt kept" "my notes" "$(cat "$T/out/notes.txt")"
check_eq "symlink kept" notes.txt "$(readlink "$T/out/link")"
check_eq "subdirectory kept" keep "$(cat "$T/out/sub/a")"
check "FIFO kept" test -p "$T/out/fifo"
check_eq "no staging directory left" 0 "$(stray)"

ln -s out "$T/ln"
"$M" analyze -q -o "$T/ln" "$A"
check "a symlink DIR stays a symlink" test -L "$T/ln"
check "through the symlink, the directory gets the results" cmp -s "$T/out/scan.state" <("$M" analyze -q -o "$T/a" "$A" >/dev/null; cat "$T/a/scan.state")
(cd "$T/out" && "$M" analyze -q -o . "$B")
check "DIR '.': the new results" cmp -s "$T/out/summary.csv" "$T/new/summary.csv"
check_eq "DIR '.': notes kept" "my notes" "$(cat "$T/out/notes.txt")"
old=$(snap "$T/out")
(cd "$T/out" && MPCAP_TEST_OUTDIR_FAIL=rename "$M" analyze -q -o . "$A" 2>/dev/null)
check_eq "DIR '.' (file by file), failure at the second rename: nothing changed" "$old" "$(snap "$T/out")"
check_eq "no staging directory left" 0 "$(stray)"

# a full disk: a tmpfs too small for the new results
if [ "$(id -u)" = 0 ]; then
	MNT=$T/mnt
	mkdir -p "$MNT"
	if mount -t tmpfs -o size=256k tmpfs "$MNT"; then
		mkdir "$MNT/out"
		"$M" analyze -q -o "$MNT/out" "$A"
		echo notes >"$MNT/out/notes.txt"
		old=$(snap "$MNT/out")
		dd if=/dev/zero of="$MNT/fill" bs=4k 2>/dev/null
		"$M" analyze -q -o "$MNT/out" "$B" 2>"$T/err"
		rc=$?
		check_eq "full disk: exit 1" 1 $rc
		check "full disk: says so" grep -q "No space left on device" "$T/err"
		check_eq "full disk: nothing changed" "$old" "$(snap "$MNT/out")"
		check_eq "full disk: no staging directory left" 0 "$(find "$MNT" -name '.*mpcap-*' | wc -l)"
		rm "$MNT/fill"
		"$M" analyze -q -o "$MNT/out" "$B"
		check "a mount point as DIR (file by file): new results" cmp -s "$MNT/out/summary.csv" "$T/new/summary.csv"
		umount "$MNT" && MNT=""
	else
		not_ok "cannot mount a tmpfs (as root)"
	fi
else
	not_ok "the full-disk test needs root (CI is root)"
fi
finish
