#!/bin/bash
# sweep.sh — truncation and corruption sweeps over every capture in
# samples/captures and tests/corpus, plus gzip and zstd copies of one
# (docs/robustness.md).
#
# In process ($BUILD/sweep, tests/sweep/sweep.c), fast enough for thousands of
# runs:
#   - truncation: each file cut at every byte offset (files up to 4 KiB; larger
#     ones: first and last 512 bytes and 512 offsets between; SWEEP_MODE=full: every
#     offset up to 64 KiB, first and last 4 KiB and about 32768 offsets between
#     beyond; under the sanitizers SWEEP_MODE=quick: 1 KiB, 128 bytes, 128
#     offsets): no crash, no hang, every record before the cut analysed (an
#     independent walk of the file's records says which), the warning names
#     the byte offset of the cut record; compressed copies: the records never
#     decrease as the cut grows and a cut stream is never read as complete;
#   - corruption: SWEEP_MUTANTS (60; 30 under the sanitizers) seeded random
#     byte changes per file, each run through the loop and the scan view within
#     the time bound.
# The independent record walk is checked against tshark's count on each file.
# (tshark comparisons run in the plain pass only: under the sanitizers they
# would test tshark again, not mpcap.)
#
# With the real binary ($MPCAP), on a sample: SWEEP_CLI_CUTS (1) cuts per file,
# whose exit status (0 or 3; 1 only inside the file header), analysed record
# count (tshark's count on the same cut file) and warning (byte offset, record
# count) are checked, and SWEEP_CLI_MUTANTS (2; 1 under the sanitizers)
# corrupted copies per file through analyze and dump (exit 0, 1 or 3, no sanitizer report, time bound).
# SWEEP_SEED (default 1) seeds the mutants.  TAP output; exit 1 on failure.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh
. tests/sweep/tools.sh
need_corpus
robust_build
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
# Under the sanitizers (about 5 times slower) the default sample is smaller.
if [ "$SANITIZE" = 1 ]; then
	MODE=${SWEEP_MODE:-quick} MUTANTS=${SWEEP_MUTANTS:-30} CLI_MUTANTS=${SWEEP_CLI_MUTANTS:-1} MAXRUN=20
else
	MODE=${SWEEP_MODE:-ci} MUTANTS=${SWEEP_MUTANTS:-60} CLI_MUTANTS=${SWEEP_CLI_MUTANTS:-2} MAXRUN=5
fi
CUTS=${SWEEP_CLI_CUTS:-1}
SEED=${SWEEP_SEED:-1}
LIMIT=${SWEEP_SECONDS:-20} # per command-line run

files=(samples/captures/*.pcap samples/captures/*.pcap.* "$CORPUS"/*.pcap "$CORPUS"/*.pcapng)
gzip -nc samples/captures/netns-foundation.pcap >"$T/netns-foundation.pcap.gz"
zstd -q -c samples/captures/netns-foundation.pcap >"$T/netns-foundation.pcap.zst"
files+=("$T/netns-foundation.pcap.gz" "$T/netns-foundation.pcap.zst")

# --- the record walk of sweep.c agrees with tshark on every whole file
for f in "${files[@]}"; do
	[ "$SANITIZE" = 1 ] && break
	case "$f" in *.gz | *.zst | *.xz | *.bz2) continue ;; esac
	check_eq "$(basename "$f"): sweep's record walk counts what tshark counts" \
		"$(tshark -r "$f" -T fields -e frame.number 2>/dev/null | grep -c "^[0-9]")" "$("$SWEEP" records "$f" 2>&1)"
done

# --- in process: truncation at (nearly) every offset, then corruption; one
# file per CPU at a time (at most SWEEP_JOBS, default 2), reported in order
JOBS=${SWEEP_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$JOBS" -gt 2 ] && [ -z "${SWEEP_JOBS:-}" ] && JOBS=2
par() { # TAG SWEEP-ARGS...: runs $SWEEP on every file into $T/TAG.N.{out,rc}
	local tag=$1 idx
	shift
	for idx in "${!files[@]}"; do
		(
			timeout -k 5 1800 "$SWEEP" "$@" "${files[$idx]}" >"$T/$tag.$idx.out" 2>&1
			echo $? >"$T/$tag.$idx.rc"
		) &
		while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
	done
	wait
}
report() { # TAG WHAT REPRODUCE-ARGS
	local tag=$1 what=$2 idx rc b
	for idx in "${!files[@]}"; do
		b=$(basename "${files[$idx]}")
		rc=$(cat "$T/$tag.$idx.rc")
		if [ "$rc" -eq 0 ]; then
			ok "$what $b: $(sed -n 's/^# [^:]*: //p' "$T/$tag.$idx.out" | tail -1)"
		else
			not_ok "$what $b (exit $rc; reproduce: $SWEEP $3 ${files[$idx]})"
			grep -v '^# .*: ok$' "$T/$tag.$idx.out" | head -10 | sed 's/^/#   /'
		fi
	done
}
par trunc truncate --mode "$MODE" --max-seconds $MAXRUN
report trunc truncate "truncate --mode $MODE"
par corr corrupt --seed "$SEED" --mutants "$MUTANTS" --max-seconds $MAXRUN
report corr corrupt "corrupt --seed $SEED --mutants $MUTANTS"
echo "# in-process sweeps done after ${SECONDS} s"

# --- the real binary on a sample of cuts: exit status, count, warning
counter() { awk -F, -v c="$2" '$2==c && $3=="" {print $5}' "$1/summary.csv" 2>/dev/null; }
sane() { ! grep -qE 'runtime error|Sanitizer|Segmentation|Aborted' "$1"; }
i=0
for f in "${files[@]}"; do
	b=$(basename "$f")
	size=$(stat -c %s "$f")
	case "$f" in *.gz | *.zst | *.xz | *.bz2) comp=1 ;; *) comp=0 ;; esac
	for k in $(seq 1 "$CUTS"); do
		i=$((i + 1))
		cut=$(((size * (2 * k - 1) / (2 * CUTS) + (i * 7919 + SEED * 104729) % 97) % size))
		head -c "$cut" "$f" >"$T/cut"
		rm -rf "$T/a"
		timeout -k 5 "$LIMIT" "$MPCAP" analyze -q -o "$T/a" "$T/cut" 2>"$T/err"
		rc=$?
		bad=""
		sane "$T/err" || bad="$bad crash or sanitizer report;"
		if [ $comp -eq 1 ]; then
			[ $rc -eq 3 ] || [ $rc -eq 1 ] || bad="$bad exit $rc (want 3, or 1 before any capture);"
			[ $rc -eq 3 ] && ! grep -q 'offset [0-9]' "$T/err" && bad="$bad warning names no offset;"
		elif [ "$SANITIZE" = 1 ]; then
			[ $rc -eq 0 ] || [ $rc -eq 1 ] || [ $rc -eq 3 ] || bad="$bad exit $rc;"
		else
			want=$(tshark -r "$T/cut" -T fields -e frame.number 2>/dev/null | grep -c "^[0-9]")
			if [ $rc -eq 1 ] && [ "$want" -eq 0 ] && [ "$(wc -l <"$T/err")" -eq 1 ]; then
				: # cut inside the file header: not a capture (one line, exit 1)
			elif [ $rc -eq 1 ] && [ "$cut" -lt 24 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
				grep -q 'too short to be a capture' "$T/err"; then
				: # shorter than any capture header (tshark guesses another format for 1 byte)
			elif [ $rc -ne 0 ] && [ $rc -ne 3 ]; then
				bad="$bad exit $rc;"
			else
				got=$(counter "$T/a" packets.total)
				[ "$got" = "$want" ] || bad="$bad $got records analysed, tshark reads $want;"
				if [ $rc -eq 3 ]; then
					grep -qE "warning: $T/cut: .*byte offset [0-9]+.*; the $want records before it were analysed" \
						"$T/err" || bad="$bad warning lacks offset or count;"
				fi
			fi
		fi
		if [ -z "$bad" ]; then ok "$b cut at $cut of $size: exit $rc, as expected"
		else not_ok "$b cut at $cut of $size:$bad"; sed 's/^/#   /' "$T/err" | head -3; fi
	done
done
echo "# command-line cuts done after ${SECONDS} s"

# --- the real binary on corrupted copies
for f in "${files[@]}"; do
	b=$(basename "$f")
	for k in $(seq 1 "$CLI_MUTANTS"); do
		/usr/bin/python3 - "$f" "$T/mut" "$SEED" "$k" "$b" <<'PY'
import random, sys
src, dst, seed, k, name = sys.argv[1:]
d = bytearray(open(src, "rb").read())
r = random.Random("%s/%s/%s" % (seed, name, k))
for _ in range(r.randint(1, 8)):
    p = r.randrange(min(len(d), 256)) if r.random() < 0.25 else r.randrange(len(d))
    d[p] = r.randrange(256) if r.random() < 0.5 else d[p] ^ (1 << r.randrange(8))
open(dst, "wb").write(d)
PY
		bad=""
		for sub in analyze dump; do
			rm -rf "$T/a"
			if [ $sub = analyze ]; then
				timeout -k 5 "$LIMIT" "$MPCAP" analyze -q -o "$T/a" "$T/mut" 2>"$T/err"
			else
				timeout -k 5 "$LIMIT" "$MPCAP" dump "$T/mut" >/dev/null 2>"$T/err"
			fi
			rc=$?
			case $rc in 0 | 1 | 3) ;; *) bad="$bad $sub exit $rc;" ;; esac
			sane "$T/err" || bad="$bad $sub crash or sanitizer report;"
			[ $rc -eq 1 ] && [ "$(wc -l <"$T/err")" -ne 1 ] && bad="$bad $sub error is not one line;"
		done
		if [ -z "$bad" ]; then ok "$b mutant $k (seed $SEED): analyze and dump end cleanly"
		else
			not_ok "$b mutant $k (seed $SEED):$bad"
			sed 's/^/#   /' "$T/err" | head -3
		fi
	done
done
echo "# command-line mutants done after ${SECONDS} s"
finish
