#!/bin/bash
# world.sh — the attribution world (pfx2as v4/v6, AS names, RIR delegated files) is well formed
# and agrees with the truth: an independent longest-prefix match (Python's ipaddress) over
# pfx2as gives every target's truth prefix and AS, the delegated files its country.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/gen/lib-gen.sh
"$GEN" -q --v6 --out "$T/a"
/usr/bin/python3 tests/gen/world_check.py "$T/a" > "$T/out"; rc=$?
while read -r line; do
	case "$line" in
	"ok "*) ok "${line#ok * - }" ;;
	"not ok "*) not_ok "${line#not ok * - }" ;;
	"#"*) echo "$line" ;;
	esac
done < "$T/out"
check_eq "world check exit status" 0 "$rc"
pfx4=$(cut -f1,2 "$T/a/world/pfx2as-v4.txt" | awk -F'\t' '{split($1,a,"."); if (a[1] < 240 || a[1] > 254) print}' | wc -l)
check_eq "every IPv4 prefix is inside 240.0.0.0/4 (reserved, never routed)" 0 "$pfx4"
pfx6=$(grep -vc '^3fff:[0-9a-f]\{1,3\}:' "$T/a/world/pfx2as-v6.txt")
check_eq "every IPv6 prefix is inside 3fff::/20 (documentation, RFC 9637)" 0 "$pfx6"
finish
