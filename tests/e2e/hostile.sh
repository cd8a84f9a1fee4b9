#!/bin/bash
# hostile.sh — crafted captures with hostile values (tests/data/hostile/, built
# by gen.py from the format specifications): record lengths larger than the
# snap length or the file, pcapng blocks of length 0 / unaligned / past the
# file / huge, options of length 0, 1 and 255, IPv6 extension-header chains that
# never end, ICMP quoting ICMP quoting ICMP, endless VLAN / MPLS stacks, a small
# gzip file of 131072 empty records.  For each: `mpcap analyze` ends within the
# time bound with the exit status, counters and warning (naming the byte offset)
# listed in EXPECTED, and `mpcap dump` agrees on the exit status.  The
# committed files must equal what gen.py writes.  TAP output; exit 1 on failure.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh
D=tests/data/hostile
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
LIMIT=${HOSTILE_SECONDS:-20}

# --- reproducible: gen.py writes exactly the committed files
/usr/bin/python3 "$D/gen.py" "$T/gen" >/dev/null
same=1
for f in "$T"/gen/*; do
	b=$(basename "$f")
	case "$b" in
	*.gz) cmp -s <(gzip -dc "$f" 2>/dev/null) <(gzip -dc "$D/$b" 2>/dev/null) || { same=0; echo "# $b differs"; } ;;
	*) cmp -s "$f" "$D/$b" || { same=0; echo "# $b differs"; } ;;
	esac
done
check "gen.py reproduces the committed hostile files" test $same -eq 1

counter() { awk -F, -v c="$2" '$2==c && $3=="" {print $5}' "$1/summary.csv" 2>/dev/null; }
while IFS=$'\t' read -r f want counters warning; do
	case "$f" in '#'* | '') continue ;; esac
	rm -rf "$T/out"
	start=$(date +%s%N)
	timeout -k 5 "$LIMIT" "$MPCAP" analyze -q -o "$T/out" "$D/$f" 2>"$T/err"
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	bad=""
	[ "$rc" = "$want" ] || bad="$bad exit $rc (want $want);"
	[ $rc -eq 124 ] || [ $rc -eq 137 ] && bad="$bad no result within ${LIMIT} s;"
	grep -qE 'runtime error|Sanitizer' "$T/err" && bad="$bad sanitizer report;"
	for kv in $counters; do
		got=$(counter "$T/out" "${kv%%=*}")
		[ "$got" = "${kv#*=}" ] || bad="$bad ${kv%%=*}=$got (want ${kv#*=});"
	done
	if [ "$warning" != "-" ]; then
		grep -qF -- "$warning" "$T/err" || bad="$bad warning lacks '$warning';"
		grep -qF "warning: $D/$f:" "$T/err" || bad="$bad warning does not name the file;"
	elif grep -q 'warning:' "$T/err"; then
		bad="$bad unexpected warning;"
	fi
	if [ -z "$bad" ]; then ok "$f: exit $rc, counters and warning as expected (${ms} ms)"
	else not_ok "$f:$bad"; sed 's/^/#   /' "$T/err" | head -5; fi
	timeout -k 5 "$LIMIT" "$MPCAP" dump "$D/$f" >/dev/null 2>"$T/err"
	check_eq "$f: dump exits like analyze" "$want" $?
done <"$D/EXPECTED"
finish
